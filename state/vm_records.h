/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The whole-VM records: what a KVM guest needs beyond its device state to
 * continue where it stopped -- every vCPU's architectural state, the
 * in-kernel PIC/IOAPIC/PIT, kvmclock, and guest RAM. They travel in the same
 * native stream as the device records (after them, before the end record),
 * under the same registry rules (state/schema.txt): explicit little-endian
 * fields, one decoder per version, nothing trusted before it is checked.
 *
 * The vCPU layout is the x86 state as Linux's KVM API describes it
 * (<asm/kvm.h>: kvm_regs, kvm_sregs, kvm_xsave, kvm_lapic_state, ...); the
 * XSAVE area and the local APIC register page are hardware layouts and
 * travel as bytes.
 *
 * Guest RAM is written in chunks of GUEST_RAM_CHUNK bytes; all-zero pages are
 * left out (a bitmap says which pages follow), so an idle 256 MiB guest
 * saves in a few MiB. A display card's VRAM -- the device model's own
 * memory on KVM, a slot the guest writes through BAR0 -- follows in the
 * same chunks (device-ram, offsets into VRAM).
 */
#ifndef HVMDM_STATE_VM_RECORDS_H
#define HVMDM_STATE_VM_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "buf.h"
#include "registry.h"
#include "snapshot.h"

#define VM_MAX_VCPUS 16
#define VM_MAX_MSRS 256
#define VM_XSAVE_SIZE 4096       /* struct kvm_xsave's region: the legacy XSAVE area */
#define VM_LAPIC_SIZE KVM_APIC_REG_SIZE
#define GUEST_PAGE 4096u
#define GUEST_RAM_CHUNK (128u * GUEST_PAGE) /* 512 KiB: one guest-ram record at most */

/*
 * The most a whole-VM stream for ram_size bytes of guest RAM may hold: the
 * RAM, its bitmaps and record headers (under 1/64 of it), and 64 MiB for
 * the device records and device memory (VRAM). (RAM chunks are not device
 * records: RECORD_MAX_COUNT does not count them.)
 */
static inline uint64_t vm_stream_max_size(uint64_t ram_size)
{
	return ram_size + ram_size / 64 + (64ull << 20);
}

/* A vCPU's architectural state as KVM holds it. */
struct kvm_cpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;             /* used where KVM has no XSAVE (reset only) */
	bool has_xsave;
	uint32_t xsave[VM_XSAVE_SIZE / 4];
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp_state;
	struct kvm_vcpu_events events;
	struct kvm_debugregs debugregs;
	struct kvm_xcrs xcrs;
	bool has_xcrs;
	unsigned int nr_msrs;
	struct kvm_msr_entry msrs[VM_MAX_MSRS];
};

/* Everything of a VM but its devices: what the whole-VM records carry. */
struct vm_state {
	uint64_t ram_size;
	uint64_t ram_below_4g;
	uint32_t nr_vcpus;
	uint64_t kvmclock_ns;
	struct kvm_cpu_state cpu[VM_MAX_VCPUS];
	struct kvm_irqchip irqchip[3]; /* PIC master, PIC slave, IOAPIC */
	struct kvm_pit_state2 pit;
};

/* Where the staged RAM chunks are (payloads inside the stream buffer). */
struct vm_ram_chunk {
	uint64_t offset;          /* into guest RAM: low part, then the part above 4 GiB */
	uint32_t nr_pages;
	const uint8_t *bitmap;    /* which pages follow in data (the others are zero) */
	const uint8_t *data;
};

/* A whole-VM stream decoded and checked, not yet applied. */
struct vm_staged {
	struct machine_state dev;
	struct vm_state *vm;      /* heap: large */
	struct vm_ram_chunk *chunks;
	size_t nr_chunks;
	size_t chunks_cap;
	/* decode bookkeeping */
	bool have_vm;
	bool have_pit;
	bool have_chip[3];
	bool have_cpu[VM_MAX_VCPUS];
	uint64_t pages_seen;
	/* The display card's VRAM (device-ram records): offsets are into VRAM. */
	struct vm_ram_chunk *dev_chunks;
	size_t nr_dev_chunks, dev_chunks_cap;
	uint64_t dev_pages_seen;
};

/* What the whole-VM writer needs beyond the device state. */
struct vm_save_source {
	const struct vm_state *vm;
	const uint8_t *ram;
	/*
	 * Optional, one bit per page of ram: 0 = the page was never populated
	 * (so it is zero, and reading it would only fault it in). NULL: look
	 * at every page.
	 */
	const uint8_t *populated;
};

struct out_sink;

/*
 * Write a whole-VM stream: header, the machine's device records, the vm
 * records, guest RAM, end. 0, or -1 with err (the sink says what failed).
 */
int vm_stream_write(const struct machine *m, const struct machine_state *dev,
		    const struct vm_save_source *src, struct out_sink *out, char *err,
		    size_t errlen);

/*
 * Decode and check a whole-VM stream for machine m with ram_size bytes of
 * RAM (ram_below_4g of it below 4 GiB) and nr_vcpus vCPUs. Nothing is applied;
 * on success `st` holds everything (payload pointers into buf) and must be
 * released with vm_staged_free. On failure the error names the record, its
 * version and the byte offset.
 */
int vm_stream_decode(const struct machine *m, const uint8_t *buf, size_t len, uint64_t ram_size,
		     uint64_t ram_below_4g, unsigned int nr_vcpus, struct vm_staged *st,
		     struct load_report *rep, char *err, size_t errlen);
void vm_staged_free(struct vm_staged *st);
/*
 * Copy the staged RAM into guest memory (ram_size bytes at `ram`). When the
 * memory is known to be all zeros (a VM that never ran), zero pages are not
 * written, so the host never allocates them.
 */
void vm_staged_apply_ram(const struct vm_staged *st, uint8_t *ram, bool ram_is_zero);

/*
 * Copy the staged VRAM into the machine's display card (device-ram records;
 * nothing without a card).
 */
void vm_staged_apply_device_memory(const struct vm_staged *st, struct machine *m);

/* The registry of whole-VM record kinds (listed by `hvmdm-stream schema`). */
extern const struct record_kind vm_record_kinds[];
extern const size_t nr_vm_record_kinds;
const struct record_kind *vm_record_kind_find(const char *idstr);

/* For tests and fingerprints: a vm_state with a distinct value in every field. */
void vm_probe_state(struct vm_state *vm);

#endif
