/* SPDX-License-Identifier: GPL-2.0-only */
/* Recording accelerator for unit tests only: never linked into hvmdm. */
#ifndef HVMDM_ACCEL_DOUBLE_H
#define HVMDM_ACCEL_DOUBLE_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/accel.h"

#define DOUBLE_MAX_RANGES 256

struct accel_double {
	struct accel accel;
	bool isa_irq[16];
	unsigned int isa_irq_changes[16];
	bool intx[32][4];
	int link_route[4];         /* -1 until set */
	unsigned int link_route_calls;
	unsigned int requests[3];  /* by enum accel_request */
	int mem_type;              /* -1 until set */
	uint64_t mem_first, mem_nr;
	unsigned int mem_type_calls;
	int fail_mem_type;         /* make set_mem_type fail */
	bool pci_function[256];
	struct { int kind; uint64_t first, last; } ranges[DOUBLE_MAX_RANGES];
	unsigned int nr_ranges;
	uint8_t guest_ram[1 << 20]; /* guest physical 0..1 MiB - 1 */
	/* Device memory as KVM maps it (opt in with devmem_enable): the last mapping, the log to report. */
	bool devmem_enable;
	uint64_t devmem_gpa, devmem_size;
	void *devmem_host;
	unsigned int devmem_calls;
	uint64_t devmem_log[64];
	/* Further mappings (ids 1 and 2: the Cirrus window's banks): where, and which host bytes. */
	uint64_t devmem_extra_gpa[3];
	void *devmem_extra_host[3];
	uint64_t devmem_extra_log[3];
	/* Device memory as Xen's guest frames (accel_double_guest_frames): where they are, each backing. */
	uint64_t frames_park;      /* where new frames go */
	uint64_t frames_gpa;       /* ACCEL_UNMAPPED until backed */
	uint64_t frames_backed_at; /* the `at` of the last backing */
	unsigned int frames_backings;
};

void accel_double_init(struct accel_double *d);
/* Switch to Xen's model of device memory: guest frames parked at `park`, moved by map_device_memory. */
void accel_double_guest_frames(struct accel_double *d, uint64_t park);
/* Is [first, last] currently claimed as one range? */
bool accel_double_has_range(const struct accel_double *d, int kind, uint64_t first, uint64_t last);

#endif
