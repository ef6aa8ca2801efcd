/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MC146818 RTC and CMOS NVRAM at 0x70/0x71 (pc profile; Xen emulates the RTC
 * itself). Time registers follow the host's clock plus a guest-set offset,
 * in BCD or binary and 12/24-hour form as register B says; the NVRAM holds
 * what firmware reads (memory sizes, CPU count).
 *
 * Not built yet: the periodic, alarm and update-ended interrupts (IRQ 8).
 * Register B's PIE/AIE/UIE bits are kept but raise nothing.
 */
#ifndef HVMDM_MC146818_H
#define HVMDM_MC146818_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "bus.h"

#define CMOS_SIZE 128
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_B_DM 0x04    /* binary (not BCD) */
#define RTC_B_24H 0x02
#define RTC_B_SET 0x80

struct mc146818 {
	uint8_t cmos[CMOS_SIZE];
	uint8_t index;
	int64_t offset_s;    /* guest time = host UTC + offset */
	time_t (*now)(void); /* host wall clock (tests substitute it) */
};

int mc146818_init(struct mc146818 *rtc, struct io_space *io);
void mc146818_reset(struct mc146818 *rtc);
/* Firmware's memory-size and CPU-count bytes, as QEMU's pc machine sets them. */
void mc146818_set_memory(struct mc146818 *rtc, uint64_t below_4g, uint64_t above_4g,
			 unsigned int vcpus);

#endif
