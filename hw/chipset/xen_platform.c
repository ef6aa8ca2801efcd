// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen platform device. Port semantics follow both Xen device models
 * (qemu-xen-traditional hw/xen_platform.c, QEMU hw/i386/xen/xen_platform.c):
 *
 *   read  0x10 word  magic 0x49d2 (0xd249 when the drivers are blacklisted)
 *   read  0x10 byte  platform flags       read 0x12 byte  version (1)
 *   write 0x10 byte  platform flags       write 0x12 byte log character
 *   write 0x10 word  unplug mask          write 0x12 word PV product number
 *   write 0x10 dword PV driver build
 * anything else reads all-ones and is ignored. BAR0 (I/O, 256 bytes) offers
 * the flags at +0 and the log at +8; BAR1 (16 MiB prefetchable MMIO) is where
 * PV drivers map grant tables, and reads 0 if an access ever reaches us.
 */
#include "xen_platform.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

int xen_platform_set_flags(struct xen_platform *s, uint8_t flags)
{
	enum accel_mem_type type =
		(flags & PFFLAG_ROM_LOCK) ? ACCEL_MEM_RAM_RO : ACCEL_MEM_RAM_RW;
	int rc = accel_set_mem_type(s->accel, type, XEN_ROM_FIRST_PFN, XEN_ROM_NR_PFNS);

	if (rc < 0) {
		log_warn("xen-platform", "cannot make the ROM area %s",
			 type == ACCEL_MEM_RAM_RO ? "read-only" : "writable");
		return rc;
	}
	s->flags = flags & PFFLAG_ROM_LOCK;
	return 0;
}

static void log_byte(struct xen_platform *s, uint8_t c)
{
	if (c == '\n' || s->log_len == sizeof(s->log_buffer) - 1) {
		s->log_buffer[s->log_len] = '\0';
		log_guest_info("xen-platform", "guest: %s", s->log_buffer);
		s->log_len = 0;
		return;
	}
	s->log_buffer[s->log_len++] = (char)c;
}

static void unplug(struct xen_platform *s, uint16_t mask)
{
	log_info("xen-platform", "PV drivers unplug%s%s%s",
		 mask & UNPLUG_ALL_IDE_DISKS ? " IDE disks" : "",
		 mask & UNPLUG_ALL_NICS ? " NICs" : "",
		 mask & UNPLUG_AUX_IDE_DISKS ? " auxiliary IDE disks" : "");
	s->unplugged |= mask & (UNPLUG_ALL_IDE_DISKS | UNPLUG_ALL_NICS | UNPLUG_AUX_IDE_DISKS);
	if (s->unplug)
		s->unplug(s->unplug_opaque, mask);
}

static uint64_t fixed_read(void *opaque, uint64_t off, unsigned int size)
{
	struct xen_platform *s = opaque;

	if (size == 2 && off == 0)
		return s->drivers_blacklisted ? XEN_PLATFORM_MAGIC_BLACKLISTED : XEN_PLATFORM_MAGIC;
	if (size == 1 && off == 0)
		return s->flags;
	if (size == 1 && off == 2)
		return XEN_PLATFORM_VERSION;
	return size_mask(size);
}

static void fixed_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct xen_platform *s = opaque;

	if (off == 0 && size == 1) {
		xen_platform_set_flags(s, (uint8_t)val);
	} else if (off == 2 && size == 1) {
		log_byte(s, (uint8_t)val);
	} else if (off == 0 && size == 2) {
		unplug(s, (uint16_t)val);
	} else if (off == 2 && size == 2) {
		s->driver_product_version = (uint16_t)val;
		log_info("xen-platform", "PV product %u loaded in guest", (unsigned int)val);
	} else if (off == 0 && size == 4) {
		s->driver_build = (uint32_t)val;
		log_info("xen-platform", "PV driver build %u", (unsigned int)val);
	}
}

/* Unaligned: the old device models took a word at 0x11 whole (and ignored it). */
static const struct io_ops fixed_ops = {
	.read = fixed_read, .write = fixed_write, .impl_min = 1, .impl_max = 4, .unaligned = true,
};

static uint64_t bar0_read(void *opaque, uint64_t off, unsigned int size)
{
	struct xen_platform *s = opaque;

	(void)size;
	return off == 0 ? s->flags : 0xff;
}

static void bar0_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct xen_platform *s = opaque;

	(void)size;
	if (off == 0)
		xen_platform_set_flags(s, (uint8_t)val);
	else if (off == 8)
		log_byte(s, (uint8_t)val);
}

static const struct io_ops bar0_ops = {
	.read = bar0_read, .write = bar0_write, .impl_min = 1, .impl_max = 1,
};

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned int size)
{
	(void)opaque, (void)size;
	log_guest("xen-platform", "read of MMIO BAR +%#llx", (unsigned long long)off);
	return 0;
}

static void mmio_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	(void)opaque, (void)size;
	log_guest("xen-platform", "write %#llx to MMIO BAR +%#llx", (unsigned long long)val,
		  (unsigned long long)off);
}

static const struct io_ops mmio_ops = {
	.read = mmio_read, .write = mmio_write, .impl_min = 1, .impl_max = 8,
};

void xen_platform_reset(struct xen_platform *s)
{
	s->unplugged = 0;
	s->driver_product_version = 0;
	s->driver_build = 0;
	s->log_len = 0;
	xen_platform_set_flags(s, 0);
}

int xen_platform_init(struct xen_platform *s, struct pci_bus *bus, struct io_space *io,
		      struct accel *accel, uint8_t devfn)
{
	struct pci_device *d = &s->pci;
	int rc;

	pci_device_init(d, "xen-platform", 0x5853, 0x0001, 0x01, 0xff8000);
	d->opaque = s;
	s->accel = accel;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, XEN_SUBSYS_VENDOR);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, XEN_SUBSYS_ID);
	d->config[PCI_INTERRUPT_PIN] = 1;
	rc = pci_register_bar(d, 0, PCI_BAR_IO, false, 0x100, &bar0_ops, s, "xen-platform-io");
	if (!rc)
		rc = pci_register_bar(d, 1, PCI_BAR_MEM32, true, 0x1000000, &mmio_ops, s,
				      "xen-platform-mmio");
	if (!rc)
		rc = pci_register_device(bus, d, devfn);
	if (!rc)
		rc = io_space_claim(io, XEN_PLATFORM_PORT, XEN_PLATFORM_PORT_LEN, &fixed_ops, s,
				    "xen-platform-fixed");
	if (!rc)
		xen_platform_reset(s);
	return rc;
}

void xen_platform_save_state(const struct xen_platform *s, struct xen_platform_state *st)
{
	pci_save_state(&s->pci, &st->pci);
	st->flags = s->flags;
	st->unplugged = s->unplugged;
	st->driver_product_version = s->driver_product_version;
	st->driver_build = s->driver_build;
	st->drivers_blacklisted = s->drivers_blacklisted;
}

int xen_platform_check_state(const struct xen_platform *s, const struct xen_platform_state *st,
			     char *err, size_t errlen)
{
	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (st->flags & ~PFFLAG_ROM_LOCK) {
		snprintf(err, errlen, "xen-platform: flags %#04x have unknown bits", st->flags);
		return -1;
	}
	if (st->unplugged & ~(UNPLUG_ALL_IDE_DISKS | UNPLUG_ALL_NICS | UNPLUG_AUX_IDE_DISKS)) {
		snprintf(err, errlen, "xen-platform: unplug mask %#x has unknown bits", st->unplugged);
		return -1;
	}
	return 0;
}

void xen_platform_load_state(struct xen_platform *s, const struct xen_platform_state *st)
{
	pci_load_state(&s->pci, &st->pci);
	s->unplugged = st->unplugged;
	s->driver_product_version = st->driver_product_version;
	s->driver_build = st->driver_build;
	s->drivers_blacklisted = st->drivers_blacklisted;
	s->log_len = 0;
	xen_platform_set_flags(s, st->flags);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(xen_platform_reset, struct xen_platform)
DEV_OPS_SAVE(xen_platform_save_state, struct xen_platform, struct xen_platform_state)
DEV_OPS_CHECK(xen_platform_check_state, struct xen_platform, struct xen_platform_state)
DEV_OPS_LOAD(xen_platform_load_state, struct xen_platform, struct xen_platform_state)

const struct dev_ops xen_platform_ops = {
	.name = "xen-platform", .record = "platform", .reset = ops_reset,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
