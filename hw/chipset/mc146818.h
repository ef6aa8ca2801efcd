/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MC146818 RTC and CMOS NVRAM at 0x70/0x71. Under Xen (xenfv, xenfv-trad) the
 * hypervisor emulates the clock -- CMOS indexes 0x00-0x0d -- and forwards to
 * the device model only index writes of 0x0e and above and data accesses
 * while such an index is selected (xen/arch/x86/hvm/rtc.c: RTC_CMOS_SIZE,
 * handle_rtc_io), so there the chip is NVRAM only: no clock, no IRQ 8
 * (mc146818_init_nvram). Time registers follow the host's clock plus a guest-set offset,
 * in BCD or binary and 12/24-hour form as register B says; the NVRAM holds
 * what firmware reads (memory sizes, CPU count).
 *
 * Interrupts on ISA IRQ 8, a level while any enabled flag is set in register
 * C (IRQF) and until the guest reads C: periodic (PF, rate from register A),
 * update-ended (UF, once a second) and alarm (AF, on the second the alarm
 * registers match; 0xc0-0xff in an alarm byte matches any value).
 */
#ifndef HVMDM_MC146818_H
#define HVMDM_MC146818_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hw/core/devreg.h"
#include "hw/core/accel.h"
#include "hw/core/bus.h"
#include "hw/core/clock.h"

#define CMOS_SIZE 128
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_NVRAM_FIRST 0x0e /* Xen's RTC_CMOS_SIZE: the first index it forwards */
#define RTC_B_DM 0x04    /* binary (not BCD) */
#define RTC_B_SQWE 0x08
#define RTC_B_UIE 0x10
#define RTC_B_AIE 0x20
#define RTC_B_PIE 0x40
#define RTC_C_UF 0x10
#define RTC_C_AF 0x20
#define RTC_C_PF 0x40
#define RTC_C_IRQF 0x80
#define RTC_IRQ 8
#define RTC_B_24H 0x02
#define RTC_B_SET 0x80

struct mc146818 {
	uint8_t cmos[CMOS_SIZE];
	uint8_t index;
	int64_t offset_s;    /* guest time = host UTC + offset */
	time_t (*now)(void); /* host wall clock (tests substitute it) */
	struct accel *accel;
	struct dm_clock *clock;
	struct dm_timer periodic; /* PF, while PIE and a rate are set */
	struct dm_timer second;   /* UF and AF, once a virtual second */
	bool irq_level;
	bool nvram_only; /* Xen: indexes 0x00-0x0d are the hypervisor's */
};

struct mc146818_state {
	uint8_t cmos[CMOS_SIZE];
	uint8_t index;
	int64_t offset_s;
	uint64_t periodic_expire; /* virtual ns, 0 = not armed */
	uint64_t second_expire;
};

void mc146818_save_state(const struct mc146818 *rtc, struct mc146818_state *st);
void mc146818_load_state(struct mc146818 *rtc, const struct mc146818_state *st);

int mc146818_init(struct mc146818 *rtc, struct io_space *io, struct accel *accel,
		  struct dm_clock *clock);
/* The NVRAM half only (Xen): claims 0x70/0x71, keeps no time, raises no IRQ. */
int mc146818_init_nvram(struct mc146818 *rtc, struct io_space *io, struct accel *accel);
void mc146818_destroy(struct mc146818 *rtc);
/* Periodic interrupt period for register A's rate bits (0 = off), in ns. */
uint64_t mc146818_period_ns(uint8_t reg_a);
void mc146818_reset(struct mc146818 *rtc);
/* Entering S3: the shutdown-status byte 0x0f says "S3 resume" (0xfe), as QEMU writes it for SeaBIOS. */
void mc146818_notify_suspend(struct mc146818 *rtc);
/* An alarm has matched since register C was last read (a wake-up source in S3). */
bool mc146818_alarm_fired(const struct mc146818 *rtc);
/* Firmware's memory-size and CPU-count bytes, as QEMU's pc machine sets them. */
void mc146818_set_memory(struct mc146818 *rtc, uint64_t below_4g, uint64_t above_4g,
			 unsigned int vcpus);
/* A byte of NVRAM the board sets for its firmware (index RTC_NVRAM_FIRST and up). */
void mc146818_set_nvram(struct mc146818 *rtc, uint8_t index, uint8_t val);

extern const struct dev_ops mc146818_ops;

#endif
