/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The accelerator interface: everything a device may ask of the hypervisor.
 *
 * Devices in hw/ never call Xen or KVM; they call these operations, and the
 * accelerator (xen/, kvm/) implements them. On Xen each maps onto one
 * libxendevicemodel call; on KVM onto an ioctl or irqfd. The unit tests use a
 * recording double (tests/unit/accel_double.c) that never ships in the binary.
 */
#ifndef HVMDM_ACCEL_H
#define HVMDM_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum io_space_kind {
	IO_SPACE_PORT,
	IO_SPACE_MMIO,
};

/* Memory types for set_mem_type (Xen's HVMMEM_ram_rw / HVMMEM_ram_ro). */
enum accel_mem_type {
	ACCEL_MEM_RAM_RW,
	ACCEL_MEM_RAM_RO,
};

/* What a device can ask of the whole machine. */
enum accel_request {
	ACCEL_REQ_POWEROFF, /* ACPI S5 (and the traditional S4) */
	ACCEL_REQ_REBOOT,   /* 0xcf9, i8042 0xfe pulse */
	ACCEL_REQ_SUSPEND,  /* ACPI S3 */
};

struct accel;

struct accel_ops {
	const char *name;
	/* Level of ISA IRQ 0..15 (UART, i8042, SCI). */
	int (*set_isa_irq_level)(struct accel *a, unsigned int isa_irq, bool level);
	/* Level of INTx (0 = INTA) of PCI device `slot` on bus 0. */
	int (*set_pci_intx_level)(struct accel *a, unsigned int slot, unsigned int intx, bool level);
	/* PIIX3 link 0..3 routed to ISA IRQ, 0 = disabled. */
	int (*set_pci_link_route)(struct accel *a, unsigned int link, unsigned int isa_irq);
	int (*inject_msi)(struct accel *a, uint64_t addr, uint32_t data);
	/* Claim (map=true) or release an inclusive range for this device model. */
	int (*map_io_range)(struct accel *a, enum io_space_kind kind, uint64_t first,
			    uint64_t last, bool map);
	/* Claim or release PCI config cycles of bus 0 function `devfn`. */
	int (*map_pci_function)(struct accel *a, unsigned int devfn, bool map);
	int (*set_mem_type)(struct accel *a, enum accel_mem_type type, uint64_t first_pfn,
			    uint64_t nr_pfns);
	int (*request)(struct accel *a, enum accel_request req);
	/* Copy to/from guest physical memory; fails on any unbacked byte. */
	int (*guest_memory_rw)(struct accel *a, uint64_t gpa, void *buf, size_t len,
			       bool write);
	/*
	 * Optional (NULL: the device's MMIO handler serves every access): map
	 * the device's own memory `host` (size bytes, page aligned) at gpa as
	 * guest memory with dirty logging (a display's VRAM behind its BAR), or
	 * unmap it (gpa = ACCEL_UNMAPPED). One mapping per id.
	 */
	int (*map_device_memory)(struct accel *a, unsigned int id, uint64_t gpa, uint64_t size,
				 void *host);
	/* OR into bitmap (a bit per 4 KiB page of the mapping) the pages written since the last call. */
	int (*device_memory_dirty)(struct accel *a, unsigned int id, uint64_t *bitmap);
	/*
	 * Optional (NULL: device memory is the device model's own, and saved
	 * with the device): make `host` (size bytes, page aligned, reserved by
	 * the device) guest memory that the hypervisor saves with the guest
	 * (Xen: VRAM as guest frames). at = ACCEL_UNMAPPED makes new frames,
	 * parked where the guest does not see them; otherwise the frames a
	 * restored guest already has at guest-physical `at` are taken over.
	 * The bytes at host are replaced by the guest's.
	 */
	int (*back_device_memory)(struct accel *a, unsigned int id, uint64_t at, uint64_t size,
				  void *host);
	/* Where device memory id's frames are in the guest now; ACCEL_UNMAPPED if it has none. */
	uint64_t (*device_memory_gpa)(struct accel *a, unsigned int id);
	/*
	 * Optional: the device model itself wrote [offset, offset + len) of
	 * device memory backed as guest frames (a live migration must resend it).
	 */
	void (*device_memory_written)(struct accel *a, unsigned int id, uint64_t offset, uint64_t len);
};

#define ACCEL_UNMAPPED UINT64_MAX

struct accel {
	const struct accel_ops *ops;
};

static inline int accel_set_isa_irq_level(struct accel *a, unsigned int irq, bool level)
{
	return a->ops->set_isa_irq_level(a, irq, level);
}

static inline int accel_set_pci_intx_level(struct accel *a, unsigned int slot,
					   unsigned int intx, bool level)
{
	return a->ops->set_pci_intx_level(a, slot, intx, level);
}

static inline int accel_set_pci_link_route(struct accel *a, unsigned int link,
					   unsigned int irq)
{
	return a->ops->set_pci_link_route(a, link, irq);
}

static inline int accel_map_io_range(struct accel *a, enum io_space_kind kind,
				     uint64_t first, uint64_t last, bool map)
{
	return a->ops->map_io_range(a, kind, first, last, map);
}

static inline int accel_map_pci_function(struct accel *a, unsigned int devfn, bool map)
{
	return a->ops->map_pci_function(a, devfn, map);
}

static inline int accel_set_mem_type(struct accel *a, enum accel_mem_type type,
				     uint64_t first_pfn, uint64_t nr)
{
	return a->ops->set_mem_type(a, type, first_pfn, nr);
}

static inline int accel_request(struct accel *a, enum accel_request req)
{
	return a->ops->request(a, req);
}

const char *accel_request_name(enum accel_request req);

#endif
