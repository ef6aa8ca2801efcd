// SPDX-License-Identifier: GPL-2.0-only
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"

#define to_vm(a) ((struct kvm_vm *)(a))

#define BIOS_MAX (16u << 20)
#define ISA_BIOS_SIZE (128u << 10)  /* the BIOS's last 128 KiB appear at 0xe0000 */
#define PAM_START 0xc0000u
#define PAM_END 0x100000u
#define PAM_SEGMENTS 13
#define PAM_SLOT0 4                 /* KVM slots 4..16; 0-3 are RAM and the BIOS */
#define DEVMEM_SLOT0 17             /* device memory (VRAM, the Cirrus window's banks): 17-19 */
#define TSS_ADDR 0xfffbd000ul        /* below the BIOS, as QEMU places them */
#define IDENTITY_MAP_ADDR 0xfffbc000ul

/* ---- guest memory ---- */

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static int set_slot(struct kvm_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *host,
		    uint32_t flags, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return fail(err, errlen, "KVM_SET_USER_MEMORY_REGION");
	return 0;
}

/* ---- PAM: the 0xc0000-0xfffff window ---- */

/*
 * Segment i: 0..11 are 16 KiB from 0xc0000 (PAM1 low nibble .. PAM6 high),
 * 12 is 0xf0000-0xfffff (PAM0 high nibble). Intel 82441FX datasheet 3.2.18;
 * QEMU hw/pci-host/pam.c has the same four modes.
 */
static void pam_segment(unsigned int i, uint32_t *gpa, uint32_t *size)
{
	if (i < 12) {
		*gpa = PAM_START + i * 0x4000u;
		*size = 0x4000u;
	} else {
		*gpa = 0xf0000u;
		*size = 0x10000u;
	}
}

static unsigned int pam_segment_of(uint32_t gpa)
{
	return gpa >= 0xf0000u ? 12 : (gpa - PAM_START) / 0x4000u;
}

static unsigned int pam_mode_from_config(const uint8_t *config, unsigned int i)
{
	uint8_t reg = i < 12 ? config[I440FX_PAM + 1 + i / 2] : config[I440FX_PAM];
	unsigned int shift = i < 12 && !(i & 1) ? 0 : 4;

	return (reg >> shift) & 3; /* bit 0 RE, bit 1 WE */
}

static int pam_map_segment(struct kvm_vm *vm, unsigned int i, unsigned int mode, char *err,
			   size_t errlen)
{
	uint32_t gpa, size;

	pam_segment(i, &gpa, &size);
	/* KVM cannot change a slot's backing or READONLY flag in place: delete, then add. */
	if (vm->pam_mode[i] >= 0 && vm->pam_mode[i] != 2 &&
	    set_slot(vm, PAM_SLOT0 + i, gpa, 0, vm->ram + gpa, 0, err, errlen))
		return -1;
	vm->pam_mode[i] = -1;
	switch (mode) {
	case 3: /* RE WE: shadow RAM */
		if (set_slot(vm, PAM_SLOT0 + i, gpa, size, vm->ram + gpa, 0, err, errlen))
			return -1;
		break;
	case 1: /* RE: shadow RAM, writes exit and are dropped */
		if (set_slot(vm, PAM_SLOT0 + i, gpa, size, vm->ram + gpa, KVM_MEM_READONLY, err, errlen))
			return -1;
		break;
	case 0: /* ROM */
		if (set_slot(vm, PAM_SLOT0 + i, gpa, size, vm->isa_rom + (gpa - PAM_START),
			     KVM_MEM_READONLY, err, errlen))
			return -1;
		break;
	default: /* WE only: no slot, every access exits (pam_access) */
		break;
	}
	vm->pam_mode[i] = (int8_t)mode;
	return 0;
}

static int pam_apply(struct kvm_vm *vm, const uint8_t *config, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < PAM_SEGMENTS; i++) {
		unsigned int mode = pam_mode_from_config(config, i);

		if (vm->pam_mode[i] != (int8_t)mode && pam_map_segment(vm, i, mode, err, errlen))
			return -1;
	}
	return 0;
}

/* Called by the i440FX (under the device lock) when PAM or SMRAM change. */
static void pam_changed(void *opaque, const struct i440fx *s)
{
	struct kvm_vm *vm = opaque;
	char err[200];

	if (pam_apply(vm, s->pci.config, err, sizeof(err))) {
		snprintf(vm->error, sizeof(vm->error), "PAM remap: %s", err);
		vm->stop = 1;
		loop_wake(&vm->m->loop);
	}
}

/*
 * One byte of the window by its current PAM mode: accesses that exit (WE-only
 * segments, writes to read-only ones, or a vCPU that raced a remap).
 */
static void pam_access(struct kvm_vm *vm, uint32_t gpa, uint8_t *byte, bool write)
{
	unsigned int mode = pam_mode_from_config(vm->m->i440fx.pci.config, pam_segment_of(gpa));

	if (write) {
		if (mode & 2)
			vm->ram[gpa] = *byte;
	} else {
		*byte = (mode & 1) ? vm->ram[gpa] : vm->isa_rom[gpa - PAM_START];
	}
}

/* ---- interrupt lines ---- */

/* A GSI is high if its ISA source is, or any PCI INTx routed to it is. */
static bool gsi_level(const struct kvm_vm *vm, unsigned int gsi)
{
	if (gsi < 16 && vm->isa_level[gsi])
		return true;
	for (unsigned int slot = 0; slot < 32; slot++)
		for (unsigned int pin = 0; pin < 4; pin++)
			if (vm->intx[slot][pin] && vm->link_route[(slot + pin) & 3] == gsi && gsi)
				return true;
	return false;
}

static void update_gsi(struct kvm_vm *vm, unsigned int gsi)
{
	struct kvm_irq_level irq;
	bool level;

	if (gsi >= 24)
		return;
	level = gsi_level(vm, gsi);
	if (level == vm->line[gsi])
		return;
	vm->line[gsi] = level;
	irq.irq = gsi;
	irq.level = level;
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		log_warn("kvm", "KVM_IRQ_LINE %u: %s", gsi, strerror(errno));
}

static int set_isa_irq_level(struct accel *a, unsigned int irq, bool level)
{
	if (irq >= 16)
		return -EINVAL;
	to_vm(a)->isa_level[irq] = level;
	update_gsi(to_vm(a), irq);
	return 0;
}

static int set_pci_intx_level(struct accel *a, unsigned int slot, unsigned int intx, bool level)
{
	struct kvm_vm *vm = to_vm(a);

	if (slot >= 32 || intx >= 4)
		return -EINVAL;
	vm->intx[slot][intx] = level;
	update_gsi(vm, vm->link_route[(slot + intx) & 3]);
	return 0;
}

static int set_pci_link_route(struct accel *a, unsigned int link, unsigned int irq)
{
	struct kvm_vm *vm = to_vm(a);
	unsigned int old;

	if (link >= 4 || irq >= 16)
		return -EINVAL;
	old = vm->link_route[link];
	vm->link_route[link] = irq;
	update_gsi(vm, old);
	update_gsi(vm, irq);
	return 0;
}

static int inject_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32),
			       .data = data };

	return ioctl(to_vm(a)->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0;
}

/* Everything not RAM exits to us: claims need no registration with KVM. */
static int map_io_range(struct accel *a, enum io_space_kind kind, uint64_t first, uint64_t last,
			bool map)
{
	(void)a, (void)kind, (void)first, (void)last, (void)map;
	return 0;
}

static int map_pci_function(struct accel *a, unsigned int devfn, bool map)
{
	(void)a, (void)devfn, (void)map;
	return 0;
}

/* The Xen platform device's ROM lock; no pc-profile device asks for it. */
static int set_mem_type(struct accel *a, enum accel_mem_type type, uint64_t first, uint64_t nr)
{
	(void)a, (void)type, (void)first, (void)nr;
	return -EOPNOTSUPP;
}

static int request(struct accel *a, enum accel_request req)
{
	struct kvm_vm *vm = to_vm(a);

	vm->stop_reason = req;
	vm->stop = 1;
	loop_wake(&vm->m->loop);
	return 0;
}

static int guest_memory_rw(struct accel *a, uint64_t gpa, void *buf, size_t len, bool write)
{
	struct kvm_vm *vm = to_vm(a);
	uint64_t off;

	/*
	 * Low RAM (minus the 0xa0000-0xbffff hole; the PAM window as the guest
	 * sees it, as QEMU's DMA does) or high RAM; never across.
	 */
	if (gpa < vm->ram_below_4g && len <= vm->ram_below_4g - gpa) {
		if (gpa < PAM_START && gpa + len > 0xa0000)
			return -EFAULT;
		if (gpa < PAM_END && gpa + len > PAM_START) {
			uint8_t *p = buf;

			for (size_t i = 0; i < len; i++) {
				if (gpa + i >= PAM_START && gpa + i < PAM_END)
					pam_access(vm, (uint32_t)(gpa + i), &p[i], write);
				else if (write)
					vm->ram[gpa + i] = p[i];
				else
					p[i] = vm->ram[gpa + i];
			}
			return 0;
		}
		off = gpa;
	} else if (gpa >= (1ull << 32) && gpa - (1ull << 32) < vm->ram_size - vm->ram_below_4g &&
		   len <= vm->ram_size - vm->ram_below_4g - (gpa - (1ull << 32))) {
		off = vm->ram_below_4g + (gpa - (1ull << 32));
	} else {
		return -EFAULT;
	}
	if (write)
		memcpy(vm->ram + off, buf, len);
	else
		memcpy(buf, vm->ram + off, len);
	return 0;
}

/*
 * A device's own memory behind its BAR (VRAM) as a KVM slot with dirty
 * logging: the guest reads and writes it without exits; the device learns
 * what changed from device_memory_dirty. Called under the device lock (a
 * BAR write); KVM updates slots safely while other vCPUs run.
 */
static int map_device_memory(struct accel *a, unsigned int id, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_vm *vm = to_vm(a);
	char err[200];

	if (id >= KVM_DEVMEM_IDS)
		return -EINVAL;
	if (vm->devmem[id].size &&
	    set_slot(vm, DEVMEM_SLOT0 + id, vm->devmem[id].gpa, 0, vm->devmem[id].host, 0, err, sizeof(err))) {
		log_error("kvm", "unmapping device memory %u: %s", id, err);
		return -EIO;
	}
	vm->devmem[id].size = 0;
	if (gpa == ACCEL_UNMAPPED)
		return 0;
	if (set_slot(vm, DEVMEM_SLOT0 + id, gpa, size, host, KVM_MEM_LOG_DIRTY_PAGES, err, sizeof(err))) {
		/* The device's MMIO handler still serves the BAR: slower, not wrong. */
		log_warn("kvm", "device memory %u at %#llx: %s; its accesses will exit", id,
			 (unsigned long long)gpa, err);
		return -EIO;
	}
	vm->devmem[id].gpa = gpa;
	vm->devmem[id].size = size;
	vm->devmem[id].host = host;
	return 0;
}

static int device_memory_dirty(struct accel *a, unsigned int id, uint64_t *bitmap)
{
	struct kvm_vm *vm = to_vm(a);
	uint64_t words, *log;
	struct kvm_dirty_log d = { .slot = DEVMEM_SLOT0 + id };

	if (id >= KVM_DEVMEM_IDS || !vm->devmem[id].size)
		return 0;
	words = (vm->devmem[id].size / 4096 + 63) / 64;
	log = calloc(words, sizeof(*log));
	if (!log)
		return -ENOMEM;
	d.dirty_bitmap = log;
	if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &d) < 0) {
		free(log);
		return -errno;
	}
	for (uint64_t i = 0; i < words; i++)
		bitmap[i] |= log[i];
	free(log);
	return 0;
}

static const struct accel_ops kvm_ops = {
	.name = "kvm",
	.set_isa_irq_level = set_isa_irq_level,
	.set_pci_intx_level = set_pci_intx_level,
	.set_pci_link_route = set_pci_link_route,
	.inject_msi = inject_msi,
	.map_io_range = map_io_range,
	.map_pci_function = map_pci_function,
	.set_mem_type = set_mem_type,
	.request = request,
	.guest_memory_rw = guest_memory_rw,
	.map_device_memory = map_device_memory,
	.device_memory_dirty = device_memory_dirty,
};

/* ---- vCPU state ---- */

/* MSRs a reset leaves alone: time keeps running across a reboot. */
static bool msr_kept_on_reset(uint32_t index)
{
	return index == 0x10 /* TSC */ || index == 0x3b /* TSC_ADJUST */ ||
	       index == 0x6e0 /* TSC_DEADLINE */;
}

static int msr_rw(int fd, struct kvm_msr_entry *e, bool write)
{
	/* struct kvm_msrs with room for one entry (its entries[] is a flexible array). */
	uint64_t buf[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)) / sizeof(uint64_t) + 1] = { 0 };
	struct kvm_msrs *msrs = (struct kvm_msrs *)buf;

	msrs->nmsrs = 1;
	msrs->entries[0] = *e;
	if (ioctl(fd, write ? KVM_SET_MSRS : KVM_GET_MSRS, msrs) != 1)
		return -1;
	*e = msrs->entries[0];
	return 0;
}

/*
 * Up to n MSRs in one KVM_GET_MSRS/KVM_SET_MSRS: KVM stops at the first it
 * refuses and returns how many it did, so that is the count here (entries
 * read are updated); -1 if the call itself failed.
 */
static int msrs_rw(int fd, struct kvm_msr_entry *e, unsigned int n, bool write)
{
	/* struct kvm_msrs with room for VM_MAX_MSRS entries (its entries[] is a flexible array). */
	uint64_t buf[(sizeof(struct kvm_msrs) + VM_MAX_MSRS * sizeof(struct kvm_msr_entry)) / sizeof(uint64_t)];
	struct kvm_msrs *msrs = (struct kvm_msrs *)buf;
	int done;

	if (n > VM_MAX_MSRS)
		n = VM_MAX_MSRS;
	memset(msrs, 0, sizeof(*msrs));
	msrs->nmsrs = n;
	memcpy(msrs->entries, e, n * sizeof(*e));
	done = ioctl(fd, write ? KVM_SET_MSRS : KVM_GET_MSRS, msrs);
	if (done < 0)
		return -1;
	if (!write)
		memcpy(e, msrs->entries, (size_t)done * sizeof(*e));
	return done;
}

/*
 * Keep the entries of e[0..n) that a batched access accepts, in order, and
 * drop each one it stops at (one call per refused MSR, not one per MSR).
 * Returns how many were kept (moved to the front), -1 on a failed call.
 */
static int msrs_filter(int fd, struct kvm_msr_entry *e, unsigned int n, bool write)
{
	unsigned int kept = 0, i = 0;

	while (i < n) {
		int done = msrs_rw(fd, e + i, n - i, write);

		if (done < 0)
			return -1;
		memmove(e + kept, e + i, (size_t)done * sizeof(*e));
		kept += (unsigned int)done;
		i += (unsigned int)done + 1; /* skip the one it refused */
	}
	return (int)kept;
}

/*
 * The MSRs KVM lists that this vCPU can both read and write back (the list
 * includes some that are read-only or absent for this CPUID), read in a
 * batch and written back in a batch.
 */
static int capture_msrs(struct kvm_vm *vm, struct kvm_vcpu *v, struct kvm_cpu_state *st)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	unsigned int n = 0;
	int kept;

	st->nr_msrs = 0;
	if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
		return -1;
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(list->indices[0]));
	if (!list)
		return -1;
	list->nmsrs = probe.nmsrs;
	if (ioctl(vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
		free(list);
		return -1;
	}
	for (uint32_t i = 0; i < list->nmsrs && n < VM_MAX_MSRS; i++)
		if (!msr_kept_on_reset(list->indices[i]))
			st->msrs[n++] = (struct kvm_msr_entry){ .index = list->indices[i] };
	free(list);
	kept = msrs_filter(v->fd, st->msrs, n, false);
	if (kept >= 0)
		kept = msrs_filter(v->fd, st->msrs, (unsigned int)kept, true);
	if (kept < 0)
		return -1;
	st->nr_msrs = (unsigned int)kept;
	return 0;
}

/*
 * A triple fault ends in a reset, which loses where the guest was: log its
 * state first (as QEMU's -d cpu_reset would), so a firmware or kernel that
 * resets itself this way can be debugged from the log alone.
 */
static void log_triple_fault(struct kvm_vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		log_info("kvm", "vCPU %u shut down (triple fault): treating it as a reboot request",
			 v->index);
		return;
	}
	log_info("kvm",
		 "vCPU %u shut down (triple fault) at cs:rip %04x:%llx (cs base %llx), rsp %llx, "
		 "cr0 %llx cr3 %llx cr4 %llx efer %llx, gdt %llx+%x idt %llx+%x: treating it as a reboot request",
		 v->index, s.cs.selector, (unsigned long long)r.rip, (unsigned long long)s.cs.base,
		 (unsigned long long)r.rsp, (unsigned long long)s.cr0, (unsigned long long)s.cr3,
		 (unsigned long long)s.cr4, (unsigned long long)s.efer, (unsigned long long)s.gdt.base,
		 s.gdt.limit, (unsigned long long)s.idt.base, s.idt.limit);
}

static int vcpu_get_state(struct kvm_vm *vm, struct kvm_vcpu *v, struct kvm_cpu_state *st,
			  char *err, size_t errlen)
{
	if (ioctl(v->fd, KVM_GET_REGS, &st->regs) < 0)
		return fail(err, errlen, "KVM_GET_REGS");
	if (ioctl(v->fd, KVM_GET_SREGS, &st->sregs) < 0)
		return fail(err, errlen, "KVM_GET_SREGS");
	if (ioctl(v->fd, KVM_GET_FPU, &st->fpu) < 0)
		return fail(err, errlen, "KVM_GET_FPU");
	st->has_xsave = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0;
	if (st->has_xsave && ioctl(v->fd, KVM_GET_XSAVE, st->xsave) < 0)
		return fail(err, errlen, "KVM_GET_XSAVE");
	if (ioctl(v->fd, KVM_GET_DEBUGREGS, &st->debugregs) < 0)
		return fail(err, errlen, "KVM_GET_DEBUGREGS");
	if (ioctl(v->fd, KVM_GET_LAPIC, &st->lapic) < 0)
		return fail(err, errlen, "KVM_GET_LAPIC");
	if (ioctl(v->fd, KVM_GET_MP_STATE, &st->mp_state) < 0)
		return fail(err, errlen, "KVM_GET_MP_STATE");
	if (ioctl(v->fd, KVM_GET_VCPU_EVENTS, &st->events) < 0)
		return fail(err, errlen, "KVM_GET_VCPU_EVENTS");
	st->has_xcrs = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
	if (st->has_xcrs && ioctl(v->fd, KVM_GET_XCRS, &st->xcrs) < 0)
		return fail(err, errlen, "KVM_GET_XCRS");
	if (capture_msrs(vm, v, st))
		return fail(err, errlen, "KVM_GET_MSR_INDEX_LIST");
	return 0;
}

/* In the order QEMU's kvm_arch_put_registers uses (target/i386/kvm/kvm.c). */
static int vcpu_put_state(struct kvm_vcpu *v, const struct kvm_cpu_state *st, char *err,
			  size_t errlen)
{
	if (ioctl(v->fd, KVM_SET_REGS, &st->regs) < 0)
		return fail(err, errlen, "KVM_SET_REGS");
	if (st->has_xsave) {
		if (ioctl(v->fd, KVM_SET_XSAVE, st->xsave) < 0)
			return fail(err, errlen, "KVM_SET_XSAVE");
	} else if (ioctl(v->fd, KVM_SET_FPU, &st->fpu) < 0) {
		return fail(err, errlen, "KVM_SET_FPU");
	}
	if (st->has_xcrs && ioctl(v->fd, KVM_SET_XCRS, &st->xcrs) < 0)
		return fail(err, errlen, "KVM_SET_XCRS");
	if (ioctl(v->fd, KVM_SET_SREGS, &st->sregs) < 0)
		return fail(err, errlen, "KVM_SET_SREGS");
	{
		struct kvm_msr_entry e[VM_MAX_MSRS];
		unsigned int n = st->nr_msrs < VM_MAX_MSRS ? st->nr_msrs : VM_MAX_MSRS;
		int done;

		memcpy(e, st->msrs, n * sizeof(e[0]));
		done = n ? msrs_rw(v->fd, e, n, true) : 0;
		if (done < 0)
			return fail(err, errlen, "KVM_SET_MSRS");
		if ((unsigned int)done < n) {
			snprintf(err, errlen, "vCPU %u: KVM_SET_MSRS %#x refused", v->index, e[done].index);
			return -1;
		}
	}
	if (ioctl(v->fd, KVM_SET_LAPIC, &st->lapic) < 0)
		return fail(err, errlen, "KVM_SET_LAPIC");
	if (ioctl(v->fd, KVM_SET_MP_STATE, &st->mp_state) < 0)
		return fail(err, errlen, "KVM_SET_MP_STATE");
	{
		struct kvm_vcpu_events ev = st->events;

		/* Without these flags KVM ignores the NMI-pending and SIPI fields. */
		ev.flags |= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR;
		if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
			return fail(err, errlen, "KVM_SET_VCPU_EVENTS");
	}
	if (ioctl(v->fd, KVM_SET_DEBUGREGS, &st->debugregs) < 0)
		return fail(err, errlen, "KVM_SET_DEBUGREGS");
	return 0;
}

static int reset_vm(struct kvm_vm *vm, bool wake, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&vm->lock);
	/* The irqchip forgets every line; so does our wired-OR bookkeeping. */
	memset(vm->isa_level, 0, sizeof(vm->isa_level));
	memset(vm->intx, 0, sizeof(vm->intx));
	memset(vm->link_route, 0, sizeof(vm->link_route));
	memset(vm->line, 0, sizeof(vm->line));
	for (unsigned int i = 0; i < 3 && !rc; i++)
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &vm->reset_irqchip[i]) < 0)
			rc = fail(err, errlen, "KVM_SET_IRQCHIP");
	if (!rc && ioctl(vm->vm_fd, KVM_SET_PIT2, &vm->reset_pit) < 0)
		rc = fail(err, errlen, "KVM_SET_PIT2");
	for (unsigned int i = 0; i < vm->nr_vcpus && !rc; i++)
		rc = vcpu_put_state(&vm->vcpus[i], vm->vcpus[i].reset_state, err, errlen);
	if (!rc) {
		if (wake)
			machine_wake_reset(vm->m);
		else
			machine_reset(vm->m);
		rc = pam_apply(vm, vm->m->i440fx.pci.config, err, errlen);
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int kvm_vm_reset(struct kvm_vm *vm, char *err, size_t errlen)
{
	return reset_vm(vm, false, err, errlen);
}

int kvm_vm_wake_reset(struct kvm_vm *vm, char *err, size_t errlen)
{
	return reset_vm(vm, true, err, errlen);
}

/* ---- creation ---- */

static int load_bios(struct kvm_vm *vm, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return snprintf(err, errlen, "-bios %s: %s", path, strerror(errno)), -1;
	if (fstat(fd, &st) || st.st_size < (off_t)ISA_BIOS_SIZE || st.st_size > BIOS_MAX ||
	    (st.st_size & 0xffff)) {
		close(fd);
		snprintf(err, errlen, "-bios %s: a BIOS image is 128 KiB to 16 MiB in 64 KiB steps", path);
		return -1;
	}
	vm->bios_size = (size_t)st.st_size;
	vm->bios = mmap(NULL, vm->bios_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->bios == MAP_FAILED) {
		vm->bios = NULL;
		close(fd);
		return fail(err, errlen, "mmap BIOS");
	}
	while (got < vm->bios_size) {
		ssize_t n = read(fd, vm->bios + got, vm->bios_size - got);

		if (n <= 0) {
			close(fd);
			snprintf(err, errlen, "-bios %s: short read", path);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	return 0;
}

int kvm_vm_create(struct kvm_vm *vm, uint64_t ram_size, unsigned int nr_vcpus,
		  const char *bios_path, char *err, size_t errlen)
{
	struct kvm_cpuid2 *cpuid;
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t high;
	int n;

	memset(vm, 0, sizeof(*vm));
	vm->accel.ops = &kvm_ops;
	vm->kvm_fd = vm->vm_fd = -1;
	memset(vm->pam_mode, -1, sizeof(vm->pam_mode));
	pthread_mutex_init(&vm->lock, NULL);
	if (nr_vcpus == 0 || nr_vcpus > KVM_MAX_VCPUS) {
		snprintf(err, errlen, "-smp %u: KVM runs 1 to %u vCPUs", nr_vcpus, KVM_MAX_VCPUS);
		return -1;
	}
	if (ram_size < (2u << 20) || (ram_size & 0xfffff)) {
		snprintf(err, errlen, "-m: guest RAM must be at least 2 MiB, in MiB");
		return -1;
	}
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return fail(err, errlen, "/dev/kvm");
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: unexpected KVM API version");
		goto out;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		fail(err, errlen, "KVM_CREATE_VM");
		goto out;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0 ||
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){ IDENTITY_MAP_ADDR }) < 0) {
		fail(err, errlen, "KVM_SET_TSS_ADDR");
		goto out;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		fail(err, errlen, "KVM_CREATE_IRQCHIP");
		goto out;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		fail(err, errlen, "KVM_CREATE_PIT2");
		goto out;
	}
	/* RAM: low part up to the PCI hole, the rest above 4 GiB. */
	vm->ram_size = ram_size;
	vm->ram_below_4g = ram_size > (3ull << 30) ? (2ull << 30) : ram_size;
	high = ram_size - vm->ram_below_4g;
	vm->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		fail(err, errlen, "mmap guest RAM");
		goto out;
	}
	if (load_bios(vm, bios_path, err, errlen))
		goto out;
	/*
	 * What 0xc0000-0xfffff shows while PAM maps no RAM there: zeros, then the
	 * BIOS's last 128 KiB (QEMU's pc.rom and isa-bios). SeaBIOS copies itself
	 * into the shadow RAM after enabling it through PAM.
	 */
	vm->isa_rom = mmap(NULL, PAM_END - PAM_START, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->isa_rom == MAP_FAILED) {
		vm->isa_rom = NULL;
		fail(err, errlen, "mmap ISA ROM window");
		goto out;
	}
	memcpy(vm->isa_rom + (PAM_END - PAM_START) - ISA_BIOS_SIZE,
	       vm->bios + vm->bios_size - ISA_BIOS_SIZE, ISA_BIOS_SIZE);
	if (set_slot(vm, 0, 0, 0xa0000, vm->ram, 0, err, errlen) ||
	    set_slot(vm, 1, PAM_END, vm->ram_below_4g - PAM_END, vm->ram + PAM_END, 0, err, errlen) ||
	    (high && set_slot(vm, 2, 1ull << 32, high, vm->ram + vm->ram_below_4g, 0, err, errlen)) ||
	    set_slot(vm, 3, (1ull << 32) - vm->bios_size, vm->bios_size, vm->bios, KVM_MEM_READONLY, err,
		     errlen) ||
	    pam_apply(vm, (const uint8_t[PCI_CONFIG_SIZE]){ 0 }, err, errlen)) /* PAM reset: all ROM */
		goto out;
	n = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0) {
		fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE");
		goto out;
	}
	vm->run_size = (size_t)n;
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	cpuid->nent = 256;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		free(cpuid);
		fail(err, errlen, "KVM_GET_SUPPORTED_CPUID");
		goto out;
	}
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->index = i;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			free(cpuid);
			fail(err, errlen, "KVM_CREATE_VCPU");
			goto out;
		}
		vm->nr_vcpus = i + 1;
		v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			free(cpuid);
			fail(err, errlen, "mmap kvm_run");
			goto out;
		}
		/* The host's supported CPUID, with this vCPU's APIC ID and the CPU count. */
		for (unsigned int e = 0; e < cpuid->nent; e++) {
			struct kvm_cpuid_entry2 *ent = &cpuid->entries[e];

			if (ent->function == 1) {
				ent->ebx = (ent->ebx & 0x0000ffffu) | i << 24 | (nr_vcpus & 0xff) << 16;
				if (nr_vcpus > 1)
					ent->edx |= 1u << 28; /* HTT: several logical processors */
			} else if (ent->function == 0xb || ent->function == 0x1f) {
				ent->edx = i;
			}
		}
		if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0) {
			free(cpuid);
			fail(err, errlen, "KVM_SET_CPUID2");
			goto out;
		}
		/* A new vCPU is in the architectural reset state: keep it for reboots. */
		v->reset_state = calloc(1, sizeof(*v->reset_state));
		if (!v->reset_state) {
			free(cpuid);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		if (vcpu_get_state(vm, v, v->reset_state, err, errlen)) {
			free(cpuid);
			goto out;
		}
	}
	free(cpuid);
	for (unsigned int i = 0; i < 3; i++) {
		vm->reset_irqchip[i].chip_id = i;
		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &vm->reset_irqchip[i]) < 0) {
			fail(err, errlen, "KVM_GET_IRQCHIP");
			goto out;
		}
	}
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &vm->reset_pit) < 0) {
		fail(err, errlen, "KVM_GET_PIT2");
		goto out;
	}
	return 0;
out:
	kvm_vm_destroy(vm);
	return -1;
}


/*
 * The loop's device work (backends, timers: hw/core/loop.h) runs on the control
 * thread under the device lock, and not while the VM is paused -- the
 * devices stay exactly as a save sees them -- except in S3, where time goes
 * on with no vCPU running.
 */
static bool devices_enter(void *opaque)
{
	struct kvm_vm *vm = opaque;

	pthread_mutex_lock(&vm->lock);
	if (vm->paused && !vm->suspended) {
		pthread_mutex_unlock(&vm->lock);
		return false;
	}
	return true;
}

static void devices_leave(void *opaque)
{
	pthread_mutex_unlock(&((struct kvm_vm *)opaque)->lock);
}

int kvm_vm_attach(struct kvm_vm *vm, struct machine *m, char *err, size_t errlen)
{
	vm->m = m;
	loop_set_device_hooks(&m->loop, devices_enter, devices_leave, vm);
	m->i440fx.memory_map_changed = pam_changed;
	m->i440fx.memory_map_opaque = vm;
	/* A machine restored before attaching keeps its PAM settings. */
	return pam_apply(vm, m->i440fx.pci.config, err, errlen);
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
		free(vm->vcpus[i].reset_state);
		vm->vcpus[i].reset_state = NULL;
		vm->vcpus[i].run = NULL;
		vm->vcpus[i].fd = -1;
	}
	vm->nr_vcpus = 0;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->bios)
		munmap(vm->bios, vm->bios_size);
	if (vm->isa_rom)
		munmap(vm->isa_rom, PAM_END - PAM_START);
	vm->ram = NULL;
	vm->bios = NULL;
	vm->isa_rom = NULL;
	vm->kvm_fd = vm->vm_fd = -1;
}

/* ---- the vCPU threads ---- */

static volatile sig_atomic_t quit_requested;

void kvm_request_quit(void)
{
	quit_requested = 1;
}

bool kvm_quit_requested(void)
{
	return quit_requested != 0;
}

static void on_kick(int sig)
{
	(void)sig; /* only there to make KVM_RUN return */
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Port I/O exit: `count` accesses of `size` bytes (string I/O), data in the run page. */
static void handle_io(struct kvm_vm *vm, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned int size = run->io.size;

	if (run->io.data_offset + (uint64_t)size * run->io.count > vm->run_size)
		return; /* never from a sane kernel; never trusted */
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		if (run->io.direction == KVM_EXIT_IO_OUT)
			io_space_write(&vm->m->io, run->io.port, size, le_read(data, size));
		else
			le_write(data, size, io_space_read(&vm->m->io, run->io.port, size));
	}
}

static void handle_mmio(struct kvm_vm *vm, struct kvm_run *run)
{
	unsigned int len = run->mmio.len;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return;
	if (run->mmio.phys_addr >= PAM_START && run->mmio.phys_addr < PAM_END) {
		for (unsigned int i = 0; i < len; i++) {
			uint64_t gpa = run->mmio.phys_addr + i;

			if (gpa < PAM_END)
				pam_access(vm, (uint32_t)gpa, &run->mmio.data[i], run->mmio.is_write);
			else if (run->mmio.is_write) /* straddling 1 MiB: RAM follows */
				vm->ram[gpa] = run->mmio.data[i];
			else
				run->mmio.data[i] = vm->ram[gpa];
		}
		return;
	}
	if (run->mmio.is_write)
		io_space_write(&vm->m->mmio, run->mmio.phys_addr, len, le_read(run->mmio.data, len));
	else
		le_write(run->mmio.data, len, io_space_read(&vm->m->mmio, run->mmio.phys_addr, len));
}

static void *vcpu_thread(void *opaque)
{
	struct kvm_vcpu *v = opaque;
	struct kvm_vm *vm = v->vm;
	struct kvm_run *run = v->run;

	bool parked = false; /* this vCPU cannot go on until the VM is reset or stopped */

	while (!vm->exiting && !parked) {
		int rc = ioctl(v->fd, KVM_RUN, 0);

		if (rc < 0) {
			/* Stopped right after asking for S3/S5/reset: the I/O is complete, park. */
			if (errno == EINTR && vm->stop)
				break;
			if (errno == EINTR || errno == EAGAIN)
				continue;
			pthread_mutex_lock(&vm->lock);
			snprintf(vm->error, sizeof(vm->error), "vCPU %u: KVM_RUN: %s", v->index,
				 strerror(errno));
			vm->stop = 1;
			loop_wake(&vm->m->loop);
			pthread_mutex_unlock(&vm->lock);
			break;
		}
		pthread_mutex_lock(&vm->lock);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(vm, run);
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(vm, run);
			break;
		case KVM_EXIT_SHUTDOWN:
			log_triple_fault(v);
			request(&vm->accel, ACCEL_REQ_REBOOT);
			parked = true;
			break;
		case KVM_EXIT_HLT:
		case KVM_EXIT_INTR:
			break;
		default:
			snprintf(vm->error, sizeof(vm->error), "vCPU %u: exit reason %u (hardware reason %#llx)",
				 v->index, run->exit_reason,
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			vm->stop = 1;
			parked = true;
			loop_wake(&vm->m->loop);
			break;
		}
		/*
		 * A request to stop the machine (S5, S3, reset) takes effect at
		 * once for the vCPU that made it, as on hardware: it re-enters
		 * KVM_RUN only to complete the I/O, then parks.
		 */
		if (vm->stop)
			__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&vm->lock);
	}
	/*
	 * An I/O exit is only complete once KVM_RUN is entered again; with
	 * immediate_exit set (stop_vcpus) this finishes it without running
	 * guest code, so the registers a save reads are consistent.
	 */
	if (vm->exiting && !parked)
		while (ioctl(v->fd, KVM_RUN, 0) < 0 && errno == EAGAIN)
			;
	return NULL;
}

static void stop_vcpus(struct kvm_vm *vm)
{
	vm->exiting = 1;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct kvm_run *run = vm->vcpus[i].run;

		/* Set before the kick: a vCPU not yet in KVM_RUN returns at once. */
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (vm->vcpus[i].started)
			pthread_kill(vm->vcpus[i].thread, SIGUSR1);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
		((struct kvm_run *)vm->vcpus[i].run)->immediate_exit = 0;
	}
	vm->exiting = 0;
}

/*
 * The control thread's wait in the machine's loop. Timers armed by vCPU
 * threads and vm->stop wake it (loop_wake); a quit signal and the run's
 * deadline do not: it looks at least this often.
 */
#define CONTROL_WAIT_MS 10

static int start_vcpus(struct kvm_vm *vm, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i])) {
			snprintf(err, errlen, "cannot start the thread of vCPU %u", i);
			stop_vcpus(vm);
			return -1;
		}
		vm->vcpus[i].started = true;
	}
	return 0;
}

int kvm_vm_pause(struct kvm_vm *vm, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (vm->paused)
		return 0;
	stop_vcpus(vm);
	pthread_mutex_lock(&vm->lock);
	clock_stop(&vm->m->clock);
	vm->paused = true;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

int kvm_vm_resume(struct kvm_vm *vm, char *err, size_t errlen)
{
	if (!vm->paused)
		return 0;
	vm->has_run = true;
	clock_start(&vm->m->clock);
	vm->paused = false;
	return start_vcpus(vm, err, errlen);
}

int kvm_vm_run(struct kvm_vm *vm, unsigned int timeout_ms, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_kick };
	uint64_t deadline = timeout_ms ? now_ms() + timeout_ms : 0;
	int result = -2;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	vm->error[0] = '\0';
	vm->paused = true; /* the vCPU threads are not running yet */
	if (vm->start_paused)
		clock_stop(&vm->m->clock); /* frozen until QMP cont */
	else if (kvm_vm_resume(vm, err, errlen))
		return -1;
	vm->start_paused = false;
	/* The control thread: the control plane, backends and device time (devices_enter). */
	for (;;) {
		bool done = false;
		int n = loop_run_once(&vm->m->loop, CONTROL_WAIT_MS);

		if (n < 0) {
			snprintf(err, errlen, "the control thread's poll: %s", strerror(-n));
			result = -1;
			break;
		}
		pthread_mutex_lock(&vm->lock);
		if (vm->stop) {
			if (vm->error[0]) {
				snprintf(err, errlen, "%s", vm->error);
				result = -1;
			} else {
				result = (int)vm->stop_reason;
			}
			done = true;
		}
		pthread_mutex_unlock(&vm->lock);
		if (done)
			break;
		if (quit_requested) {
			snprintf(err, errlen, "stopped by a signal");
			result = -3;
			break;
		}
		if (deadline && now_ms() >= deadline)
			break;
	}
	stop_vcpus(vm);
	if (vm->paused)
		clock_start(&vm->m->clock);
	vm->paused = false;
	vm->stop = 0;
	return result;
}

int kvm_vm_wait_wakeup(struct kvm_vm *vm, bool (*wake)(void *opaque), void *opaque, char *err,
		       size_t errlen)
{
	int result = 0;

	vm->suspended = true;
	vm->wakeup_requested = false;
	vm->paused = true; /* no vCPU runs; QMP sees a stopped VM */
	for (;;) {
		bool woken;
		/* Time goes on in S3: the RTC keeps counting toward its alarm (devices_enter). */
		int n = loop_run_once(&vm->m->loop, CONTROL_WAIT_MS);

		if (n < 0) {
			snprintf(err, errlen, "the control thread's poll: %s", strerror(-n));
			result = -1;
			break;
		}
		pthread_mutex_lock(&vm->lock);
		woken = vm->wakeup_requested || (wake && wake(opaque));
		pthread_mutex_unlock(&vm->lock);
		if (woken)
			break;
		if (quit_requested) {
			snprintf(err, errlen, "stopped by a signal");
			result = -3;
			break;
		}
	}
	vm->suspended = false;
	vm->paused = false;
	return result;
}

/* ---- whole-VM state ---- */

#define MSR_IA32_TSC 0x10
#define MSR_IA32_TSC_ADJUST 0x3b
#define MSR_IA32_TSC_DEADLINE 0x6e0

int kvm_vm_get_state(struct kvm_vm *vm, struct vm_state *st, char *err, size_t errlen)
{
	struct kvm_clock_data clock = { 0 };

	if (!vm->paused && vm->vcpus[0].started) {
		snprintf(err, errlen, "the VM is running: stop it first");
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->ram_size = vm->ram_size;
	st->ram_below_4g = vm->ram_below_4g;
	st->nr_vcpus = vm->nr_vcpus;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];
		struct kvm_cpu_state *cs = &st->cpu[i];
		const struct kvm_cpu_state *rs = v->reset_state;
		static const uint32_t time_msrs[] = { MSR_IA32_TSC, MSR_IA32_TSC_ADJUST,
						      MSR_IA32_TSC_DEADLINE };

		if (ioctl(v->fd, KVM_GET_REGS, &cs->regs) < 0 ||
		    ioctl(v->fd, KVM_GET_SREGS, &cs->sregs) < 0 ||
		    ioctl(v->fd, KVM_GET_LAPIC, &cs->lapic) < 0 ||
		    ioctl(v->fd, KVM_GET_MP_STATE, &cs->mp_state) < 0 ||
		    ioctl(v->fd, KVM_GET_VCPU_EVENTS, &cs->events) < 0 ||
		    ioctl(v->fd, KVM_GET_DEBUGREGS, &cs->debugregs) < 0) {
			snprintf(err, errlen, "vCPU %u: reading its state: %s", i, strerror(errno));
			return -1;
		}
		if (!rs->has_xsave) {
			snprintf(err, errlen, "this KVM has no XSAVE interface; hvmdm saves the FPU through it");
			return -1;
		}
		cs->has_xsave = true;
		if (ioctl(v->fd, KVM_GET_XSAVE, cs->xsave) < 0)
			return fail(err, errlen, "KVM_GET_XSAVE");
		cs->has_xcrs = rs->has_xcrs;
		if (cs->has_xcrs && ioctl(v->fd, KVM_GET_XCRS, &cs->xcrs) < 0)
			return fail(err, errlen, "KVM_GET_XCRS");
		/* Time first, so a restore sets the TSC before what depends on it. */
		for (unsigned int t = 0; t < 3; t++) {
			struct kvm_msr_entry e = { .index = time_msrs[t] };

			if (msr_rw(v->fd, &e, false) == 0)
				cs->msrs[cs->nr_msrs++] = e;
		}
		/* Then every MSR the reset capture found readable and writable, in one call. */
		{
			unsigned int first = cs->nr_msrs, n = 0;
			int done;

			for (unsigned int m = 0; m < rs->nr_msrs && first + n < VM_MAX_MSRS; m++)
				cs->msrs[first + n++] = (struct kvm_msr_entry){ .index = rs->msrs[m].index };
			done = n ? msrs_rw(v->fd, cs->msrs + first, n, false) : 0;
			if (done < 0)
				return fail(err, errlen, "KVM_GET_MSRS");
			if ((unsigned int)done < n) {
				snprintf(err, errlen, "vCPU %u: KVM_GET_MSRS %#x failed", i,
					 cs->msrs[first + done].index);
				return -1;
			}
			cs->nr_msrs = first + n;
		}
	}
	for (unsigned int i = 0; i < 3; i++) {
		st->irqchip[i].chip_id = i;
		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &st->irqchip[i]) < 0)
			return fail(err, errlen, "KVM_GET_IRQCHIP");
	}
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &st->pit) < 0)
		return fail(err, errlen, "KVM_GET_PIT2");
	if (ioctl(vm->vm_fd, KVM_GET_CLOCK, &clock) < 0)
		return fail(err, errlen, "KVM_GET_CLOCK");
	st->kvmclock_ns = clock.clock;
	return 0;
}

int kvm_vm_put_state(struct kvm_vm *vm, const struct vm_staged *st, char *err, size_t errlen)
{
	const struct vm_state *vs = st->vm;
	struct kvm_clock_data clock = { .clock = vs->kvmclock_ns };
	int rc = 0;

	if (vs->ram_size != vm->ram_size || vs->ram_below_4g != vm->ram_below_4g ||
	    vs->nr_vcpus != vm->nr_vcpus) {
		snprintf(err, errlen, "internal: the staged state is for another VM shape");
		return -1;
	}
	pthread_mutex_lock(&vm->lock);
	/* The device clock stays where the stream says until the vCPUs run again. */
	clock_stop(&vm->m->clock);
	vm->paused = true;
	vm_staged_apply_ram(st, vm->ram, !vm->has_run);
	vm_staged_apply_device_memory(st, vm->m);
	/* Devices first: their interrupt lines settle in our bookkeeping ... */
	machine_load_state(vm->m, &st->dev);
	rc = pam_apply(vm, vm->m->i440fx.pci.config, err, errlen);
	/* ... then the irqchip as saved, which already has those lines. */
	for (unsigned int i = 0; i < 3 && !rc; i++)
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &vs->irqchip[i]) < 0)
			rc = fail(err, errlen, "KVM_SET_IRQCHIP");
	if (!rc && ioctl(vm->vm_fd, KVM_SET_PIT2, &vs->pit) < 0)
		rc = fail(err, errlen, "KVM_SET_PIT2");
	if (!rc && ioctl(vm->vm_fd, KVM_SET_CLOCK, &clock) < 0)
		rc = fail(err, errlen, "KVM_SET_CLOCK");
	for (unsigned int i = 0; i < vm->nr_vcpus && !rc; i++) {
		rc = vcpu_put_state(&vm->vcpus[i], &vs->cpu[i], err, errlen);
		if (rc) {
			size_t n = strlen(err);

			snprintf(err + n, errlen - n, " (restoring vCPU %u)", i);
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}
