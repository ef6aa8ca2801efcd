/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "none" accelerator: the chipset with no hypervisor behind it, for the
 * self-check. Each request is logged (at debug level) and the last link routes
 * and IRQ levels are remembered so the self-check can verify them. There is
 * no guest memory: guest_memory_rw fails.
 */
#ifndef HVMDM_ACCEL_NONE_H
#define HVMDM_ACCEL_NONE_H

#include <stdbool.h>

#include "hw/core/accel.h"

struct accel_none {
	struct accel accel;
	unsigned int link_route[4];
	bool isa_irq[16];
	unsigned int requests; /* poweroff/reboot/suspend asked for */
	enum accel_request last_request;
	/* Device memory as a Xen guest's frames, placed only on paper (accel_none_guest_frames). */
	uint64_t frames_park, frames_gpa;
};

void accel_none_init(struct accel_none *a);
/*
 * For a tool modelling a Xen guest's saved state: device memory (VRAM) is
 * guest frames whose address is only recorded -- new ones at `park`, moved
 * as the BAR moves -- so a state that places them reads and writes back
 * unchanged. Nothing is mapped: the bytes stay the device's.
 */
void accel_none_guest_frames(struct accel_none *a, uint64_t park);

#endif
