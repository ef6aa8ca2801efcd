/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whole-VM save and restore on KVM: the stopped VM's devices, vCPUs, irqchip,
 * PIT, kvmclock and RAM as one native stream (state/vm_records.h), to a file
 * (crash-safe: temporary file, fsync, rename) or a descriptor; and the
 * -incoming side, which decodes and checks the whole stream before the VM is
 * touched.
 *
 * Destinations and sources are QEMU's migration URIs: "file:PATH" and
 * "fd:N" (a descriptor number; QMP's getfd names resolve to one).
 */
#ifndef HVMDM_VM_MIGRATION_H
#define HVMDM_VM_MIGRATION_H

#include <stddef.h>
#include <stdint.h>

#include "../kvm/kvm.h"

struct migration_stats {
	uint64_t bytes;      /* stream size */
	uint64_t ram_bytes;  /* guest RAM covered */
	double seconds;
};

/* The VM must be paused (or never started). 0, or -1 with err; a file is left untouched on failure. */
int migration_save_file(struct kvm_vm *vm, const char *path, struct migration_stats *stats,
			char *err, size_t errlen);
int migration_save_fd(struct kvm_vm *vm, int fd, struct migration_stats *stats, char *err,
		      size_t errlen);
/* All of descriptor fd (a pipe, socket or file) up to cap bytes; NULL with err. */
uint8_t *migration_read_fd(int fd, uint64_t cap, size_t *len, char *err, size_t errlen);
/* Load a whole VM from "file:PATH" or "fd:N" into a VM that has not run. */
int migration_incoming(struct kvm_vm *vm, const char *uri, struct migration_stats *stats,
		       char *err, size_t errlen);

#endif
