/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM accelerator (the embedded default on machines without Xen): a VM
 * with the in-kernel PIC/IOAPIC/LAPIC and PIT, guest RAM in the PC memory map,
 * the BIOS mapped read-only below 4 GiB, the 0xc0000-0xfffff window switched
 * between ROM and shadow RAM by the i440FX PAM registers, and a vCPU loop that turns port and MMIO exits into hvmdm's range-map
 * accesses. Interrupts from devices arrive through the accelerator ops: ISA
 * lines directly, PCI INTx through the PIIX3 link routes, wired-OR per line.
 *
 * Each vCPU is a thread; every exit is handled under one device lock, which
 * the control thread also takes for the device work of the machine's event
 * loop (timers, serial backends: hw/core/loop.h), so a device -- a BAR moving, a
 * queue filling -- never changes under a handler running on another vCPU.
 * The control thread is the thread that calls kvm_vm_run: it runs that loop,
 * QMP included (outside the lock; QMP may pause and resume the VM).
 * Stopping sets immediate_exit on every vCPU before kicking it with SIGUSR1,
 * so no kick is lost between a check and KVM_RUN.
 *
 * PAM: each of the 13 segments (0xc0000-0xeffff in 16 KiB, 0xf0000-0xfffff)
 * is a KVM slot chosen by its RE/WE bits: RE=1 maps the shadow RAM (read-only
 * without WE), RE=0 WE=0 maps the ROM (zeros below 0xe0000, the BIOS's last
 * 128 KiB above, as QEMU's pc.rom and isa-bios), RE=0 WE=1 maps nothing, so
 * reads exit and are answered from the ROM while writes land in RAM. Writes
 * to a read-only slot exit and are dropped.
 *
 * Reset: each vCPU's state (registers, segments, FPU, XCRs, MSRs, LAPIC, MP
 * state, events) and the irqchip/PIT are captured right after creation, which
 * is the architectural reset state, and written back on a system reset.
 *
 * Whole-VM save and restore: kvm_vm_get_state/kvm_vm_put_state with the
 * records of state/vm_records.h (vm/migration.c drives them).
 */
#ifndef HVMDM_KVM_H
#define HVMDM_KVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "hw/core/accel.h"
#include "../state/vm_records.h"

struct machine;

#define KVM_MAX_VCPUS 16

struct kvm_vm;

struct kvm_vcpu {
	struct kvm_vm *vm;
	unsigned int index;
	int fd;
	void *run;           /* struct kvm_run, mmap'ed */
	pthread_t thread;
	bool started;
	struct kvm_cpu_state *reset_state; /* captured right after creation */
};

#define KVM_DEVMEM_IDS 3

struct kvm_vm {
	struct accel accel;
	int kvm_fd;
	int vm_fd;
	unsigned int nr_vcpus;
	struct kvm_vcpu vcpus[KVM_MAX_VCPUS];
	size_t run_size;
	pthread_mutex_t lock; /* the device lock */
	volatile int exiting; /* vCPU threads leave their loops */
	char error[256];      /* a vCPU's fatal KVM error */
	/* Devices' own memory mapped into the guest (a display's VRAM): KVM_DEVMEM_SLOT0 + id. */
	struct {
		uint64_t gpa, size; /* size 0: not mapped */
		void *host;
	} devmem[KVM_DEVMEM_IDS];
	uint8_t *ram;        /* all guest RAM, low part then high part */
	uint64_t ram_size;
	uint64_t ram_below_4g;
	uint8_t *bios;       /* mapped read-only at 4 GiB - size */
	size_t bios_size;
	uint8_t *isa_rom;    /* what 0xc0000-0xfffff shows with PAM off */
	int8_t pam_mode[13]; /* per PAM segment: RE | WE << 1 as mapped; -1 = never */
	struct machine *m;
	/* Interrupt lines: ISA sources, PCI INTx levels and link routes. */
	bool isa_level[16];
	bool intx[32][4];
	unsigned int link_route[4];
	bool line[24];       /* what KVM was last told per GSI */
	/* The in-kernel PIC pair, IOAPIC and PIT as created: what a reset restores. */
	struct kvm_irqchip reset_irqchip[3];
	struct kvm_pit_state2 reset_pit;
	volatile int stop;   /* an accel_request arrived */
	enum accel_request stop_reason;
	bool paused;         /* vCPU threads stopped, device clock frozen */
	bool start_paused;   /* kvm_vm_run begins paused (-S, or after -incoming with -S) */
	bool has_run;        /* vCPUs have run: guest RAM is no longer all zeros */
	bool suspended;      /* in S3, waiting for a wake-up */
	volatile bool wakeup_requested; /* QMP system_wakeup */
};

/* 0, or -1 with a message naming what failed (/dev/kvm missing, BIOS unreadable...). */
int kvm_vm_create(struct kvm_vm *vm, uint64_t ram_size, unsigned int nr_vcpus,
		  const char *bios_path, char *err, size_t errlen);
/* Attach the machine whose devices serve the exits (after machine_create); maps its PAM. */
int kvm_vm_attach(struct kvm_vm *vm, struct machine *m, char *err, size_t errlen);
/*
 * Run the vCPUs until the guest powers off, reboots, suspends or triple
 * faults, or until timeout_ms passes (0 = no limit). Returns the reason as
 * an accel_request, -1 on a KVM error (err), or -2 on timeout.
 */
int kvm_vm_run(struct kvm_vm *vm, unsigned int timeout_ms, char *err, size_t errlen);
/*
 * A system reset (0xcf9, triple fault) between two kvm_vm_run calls: every
 * vCPU, the in-kernel irqchip and PIT back to their state at creation, the
 * devices reset (machine_reset; CMOS NVRAM and guest RAM are kept, as on real
 * hardware), PAM back to ROM.
 */
int kvm_vm_reset(struct kvm_vm *vm, char *err, size_t errlen);
/* The reset of an S3 wake-up: the same, but the PAM/SMRAM registers (and so shadow RAM) stay. */
int kvm_vm_wake_reset(struct kvm_vm *vm, char *err, size_t errlen);
/*
 * S3: with every vCPU stopped, keep device time, backends and QMP going until
 * wake(opaque) says so (an RTC alarm with RTC_EN) or QMP system_wakeup.
 * 0 when woken, -3 on a quit signal/QMP quit, -1 if the wait itself failed (err).
 */
int kvm_vm_wait_wakeup(struct kvm_vm *vm, bool (*wake)(void *opaque), void *opaque, char *err,
		       size_t errlen);
void kvm_vm_destroy(struct kvm_vm *vm);
/* Async-signal-safe: make kvm_vm_run return -3 at its next exit (SIGTERM, SIGINT). */
void kvm_request_quit(void);
bool kvm_quit_requested(void);

/*
 * From the control plane inside kvm_vm_run: stop every vCPU (completing any
 * I/O in flight, so the registers are consistent) and freeze the device
 * clock; resume starts them again. Both are idempotent.
 */
int kvm_vm_pause(struct kvm_vm *vm, char *err, size_t errlen);
int kvm_vm_resume(struct kvm_vm *vm, char *err, size_t errlen);
/* The VM's state beyond its devices (paused VM only): vCPUs, irqchip, PIT, kvmclock. */
int kvm_vm_get_state(struct kvm_vm *vm, struct vm_state *st, char *err, size_t errlen);
/*
 * Apply a decoded whole-VM stream to a VM that is not running: RAM, devices,
 * PAM, irqchip, PIT, kvmclock, then every vCPU.
 */
int kvm_vm_put_state(struct kvm_vm *vm, const struct vm_staged *st, char *err, size_t errlen);

#endif
