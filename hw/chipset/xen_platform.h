/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen platform PCI device (5853:0001) and its fixed I/O ports 0x10-0x1f, the
 * interface PV drivers use to find Xen, unplug emulated disks and NICs, and
 * lock the option-ROM area (reference/01-qemu-trad-savevm.md §1.4.5).
 */
#ifndef HVMDM_XEN_PLATFORM_H
#define HVMDM_XEN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/bus.h"
#include "hw/core/pci.h"
#include "hw/core/profile.h"

#define XEN_PLATFORM_PORT 0x10
#define XEN_PLATFORM_PORT_LEN 16
#define XEN_PLATFORM_MAGIC 0x49d2
#define XEN_PLATFORM_MAGIC_BLACKLISTED 0xd249
#define XEN_PLATFORM_VERSION 1
#define PFFLAG_ROM_LOCK 0x01

#define UNPLUG_ALL_IDE_DISKS 0x1
#define UNPLUG_ALL_NICS 0x2
#define UNPLUG_AUX_IDE_DISKS 0x4

/* The BIOS/option-ROM area the ROM lock covers: pfn 0xc0, 0x40 pages. */
#define XEN_ROM_FIRST_PFN 0xc0
#define XEN_ROM_NR_PFNS 0x40

struct xen_platform {
	struct pci_device pci;
	struct accel *accel;
	uint8_t flags;                    /* PFFLAG_ROM_LOCK as last applied */
	uint16_t unplugged;               /* UNPLUG_* bits the guest has asked for */
	uint16_t driver_product_version;
	uint32_t driver_build;
	bool drivers_blacklisted;
	char log_buffer[4096];
	size_t log_len;
	/* Machine callback: remove the emulated devices `mask` names. */
	void (*unplug)(void *opaque, uint16_t mask);
	void *unplug_opaque;
};

struct xen_platform_state {
	struct pci_state pci;
	uint8_t flags;
	uint16_t unplugged;
	uint16_t driver_product_version;
	uint32_t driver_build;
	bool drivers_blacklisted;
};

void xen_platform_save_state(const struct xen_platform *s, struct xen_platform_state *st);
int xen_platform_check_state(const struct xen_platform *s, const struct xen_platform_state *st,
			     char *err, size_t errlen);
/* Commit; re-applies the ROM lock through the accelerator. */
void xen_platform_load_state(struct xen_platform *s, const struct xen_platform_state *st);

/* At devfn: 00:02.0 under qemu-xen, 00:03.0 under qemu-xen-traditional (after its VGA). */
int xen_platform_init(struct xen_platform *s, struct pci_bus *bus, struct io_space *io,
		      struct accel *accel, uint8_t devfn);
void xen_platform_reset(struct xen_platform *s);
/* Apply platform flags (ROM lock) through the accelerator. */
int xen_platform_set_flags(struct xen_platform *s, uint8_t flags);

extern const struct dev_ops xen_platform_ops;

#endif
