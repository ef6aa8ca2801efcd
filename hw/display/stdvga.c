// SPDX-License-Identifier: GPL-2.0-only
/* The standard VGA card (see stdvga.h). */
#include "stdvga.h"

#include "hw/core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ BAR0: VRAM */

/* VRAM kept as guest frames: what the device model writes there is reported (live migration). */
static void vram_wrote(void *opaque, uint64_t offset, uint64_t len)
{
	struct stdvga *s = opaque;
	struct accel *a = s->pci.bus ? s->pci.bus->accel : NULL;

	if (s->vram_backed && a->ops->device_memory_written)
		a->ops->device_memory_written(a, 0, offset, len);
}

static uint64_t vram_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct stdvga *s = opaque;

	/* The BAR is exactly VRAM's size: the bus never hands an offset beyond it. */
	return le_read(s->vram + offset, size);
}

static void vram_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	struct stdvga *s = opaque;

	le_write(s->vram + offset, size, val);
	vga_mark_dirty(&s->vga, offset, size);
	vram_wrote(s, offset, size);
}

static const struct io_ops vram_ops = {
	.read = vram_read, .write = vram_write, .impl_min = 1, .impl_max = 8,
};

/* ------------------------------------------------------------ BAR2: MMIO */

/* A VGA port through the BAR: offset o is port 0x3c0 + o; a word is low byte first. */
static uint64_t mmio_vga_read(struct stdvga *s, uint64_t o, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)vga_port_read(&s->vga, (uint16_t)(0x3c0 + o + i)) << (8 * i);
	return v;
}

static void mmio_vga_write(struct stdvga *s, uint64_t o, unsigned int size, uint64_t val)
{
	for (unsigned int i = 0; i < size; i++)
		vga_port_write(&s->vga, (uint16_t)(0x3c0 + o + i), (uint8_t)(val >> (8 * i)));
}

/*
 * DISPI register n at 2n, 16-bit (QEMU's impl size 2): a byte access is one
 * register access (a write zero-extends, a read gives the low byte, even at
 * an odd offset), a dword is registers n and n+1. Each access sets the DISPI
 * index, as QEMU's handler does.
 */
static uint16_t dispi_reg_read(struct stdvga *s, uint64_t o)
{
	vbe_index_write(&s->vga, (uint16_t)(o >> 1));
	return vbe_data_read(&s->vga);
}

static void dispi_reg_write(struct stdvga *s, uint64_t o, uint16_t val)
{
	vbe_index_write(&s->vga, (uint16_t)(o >> 1));
	vbe_data_write(&s->vga, val);
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct stdvga *s = opaque;
	uint64_t o;

	if (offset >= STDVGA_MMIO_VGA && offset + size <= STDVGA_MMIO_VGA + 0x20)
		return mmio_vga_read(s, offset - STDVGA_MMIO_VGA, size);
	if (offset >= STDVGA_MMIO_DISPI && offset < STDVGA_MMIO_DISPI + 2 * (VBE_DISPI_INDEX_NB + 1)) {
		o = offset - STDVGA_MMIO_DISPI;
		if (size == 1)
			return dispi_reg_read(s, o) & 0xff;
		if (size == 2)
			return dispi_reg_read(s, o);
		return dispi_reg_read(s, o) | (uint64_t)dispi_reg_read(s, o + 2) << 16;
	}
	if (offset >= STDVGA_MMIO_QEXT && offset < STDVGA_MMIO_QEXT + 8) {
		if (size != 4)
			return 0; /* an invalid access size for these registers */
		if (offset == STDVGA_MMIO_QEXT)
			return 8; /* the size of the extension block */
		return s->vga.big_endian_fb ? STDVGA_QEXT_BE : STDVGA_QEXT_LE;
	}
	return size_mask(size); /* EDID is not offered (libxl turns it off); gaps are nobody's */
}

static void mmio_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	struct stdvga *s = opaque;
	uint64_t o;

	if (offset >= STDVGA_MMIO_VGA && offset + size <= STDVGA_MMIO_VGA + 0x20) {
		mmio_vga_write(s, offset - STDVGA_MMIO_VGA, size, val);
	} else if (offset >= STDVGA_MMIO_DISPI && offset < STDVGA_MMIO_DISPI + 2 * (VBE_DISPI_INDEX_NB + 1)) {
		o = offset - STDVGA_MMIO_DISPI;
		dispi_reg_write(s, o, (uint16_t)(size == 1 ? (val & 0xff) : val));
		if (size == 4)
			dispi_reg_write(s, o + 2, (uint16_t)(val >> 16));
	} else if (offset == STDVGA_MMIO_QEXT + 4 && size == 4) {
		if (val == STDVGA_QEXT_BE)
			s->vga.big_endian_fb = true;
		else if (val == STDVGA_QEXT_LE)
			s->vga.big_endian_fb = false;
		s->vga.full_update = true;
	}
}

static const struct io_ops mmio_ops = {
	.read = mmio_read, .write = mmio_write, .impl_min = 1, .impl_max = 4,
};

/* ------------------------------------------------------------ VRAM as guest memory */

/* BAR0 moved: where the accelerator can, VRAM becomes guest memory there (no exits). */
static void bar_moved(struct pci_device *d, unsigned int index, uint64_t addr)
{
	struct stdvga *s = d->opaque;
	struct accel *a = d->bus ? d->bus->accel : NULL;

	if (index != 0 || !a || !a->ops->map_device_memory)
		return;
	s->vram_mapped = a->ops->map_device_memory(a, 0, addr == PCI_BAR_UNMAPPED ? ACCEL_UNMAPPED : addr,
						   s->vram_size, s->vram) == 0 &&
			 addr != PCI_BAR_UNMAPPED;
	/* What the guest wrote before the move is in VRAM already; redraw from it. */
	s->vga.full_update = true;
}

void stdvga_sync_dirty(struct stdvga *s)
{
	struct accel *a = s->pci.bus ? s->pci.bus->accel : NULL;

	if (s->vram_mapped && a->ops->device_memory_dirty)
		a->ops->device_memory_dirty(a, 0, s->vga.dirty);
}

/* ------------------------------------------------------------ life cycle */

static void free_vram(struct stdvga *s)
{
	vga_vram_free(s->vram, s->vram_size);
	s->vram = NULL;
}

void stdvga_reset(struct stdvga *s)
{
	vga_reset(&s->vga);
}

int stdvga_init(struct stdvga *s, struct pci_bus *bus, struct io_space *io,
		struct io_space *mmio, const struct stdvga_config *cfg, char *err, size_t errlen)
{
	struct pci_device *d = &s->pci;
	uint32_t mb = cfg->vram_mb ? cfg->vram_mb : STDVGA_DEFAULT_VRAM_MB;
	int rc;

	memset(s, 0, sizeof(*s));
	vga_renderer_init(&s->render);
	if (mb > 512) {
		snprintf(err, errlen, "vgamem_mb=%u: at most 512 (videoram= in the xl config)", mb);
		return -1;
	}
	/* At least 1 MiB, then a power of two, as QEMU's vga_common_init makes it. */
	s->vram_size = vga_pow2_at_least(mb) << 20;
	s->vram = vga_vram_alloc(s->vram_size);
	if (cfg->rom && (cfg->rom_size == 0 || cfg->rom_size > (16u << 20))) {
		snprintf(err, errlen, "the VGA BIOS image is %zu bytes", cfg->rom_size);
		free_vram(s);
		return -1;
	}
	if (cfg->rom)
		s->rom = pci_rom_image(cfg->rom, cfg->rom_size, &s->rom_bar_size);
	if (!s->vram || (cfg->rom && !s->rom) ||
	    vga_init(&s->vga, &(struct vga_config){ .vram = s->vram, .vram_size = s->vram_size, .vbe = true,
						   .wrote = vram_wrote, .wrote_opaque = s })) {
		snprintf(err, errlen, "out of memory for %u MiB of VRAM", s->vram_size >> 20);
		free_vram(s);
		free(s->rom);
		return -1;
	}
	pci_device_init(d, "stdvga", STDVGA_VENDOR, STDVGA_DEVICE, STDVGA_REVISION, 0x030000);
	d->opaque = s;
	d->bar_moved = bar_moved;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, cfg->subsys_vendor);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, cfg->subsys_id);
	rc = pci_register_bar(d, 0, PCI_BAR_MEM32, true, s->vram_size, &vram_ops, s, "vga.vram");
	if (!rc)
		rc = pci_register_bar(d, 2, PCI_BAR_MEM32, false, STDVGA_MMIO_SIZE, &mmio_ops, s, "vga.mmio");
	if (!rc && s->rom)
		rc = pci_register_bar(d, PCI_ROM_SLOT, PCI_BAR_MEM32, false, s->rom_bar_size, &pci_rom_ops, s->rom,
				      "vga.rom");
	if (!rc)
		rc = vga_claim(&s->vga, io, mmio);
	if (!rc)
		rc = pci_register_device(bus, d, cfg->devfn);
	/* Under Xen VRAM is guest memory from the start (unless a restore brings the guest's). */
	if (!rc && bus->accel && bus->accel->ops->back_device_memory && !cfg->vram_from_incoming) {
		rc = bus->accel->ops->back_device_memory(bus->accel, 0, ACCEL_UNMAPPED, s->vram_size, s->vram);
		if (rc) {
			snprintf(err, errlen, "stdvga: cannot make %u MiB of VRAM guest memory (%s): the domain's maxmem must leave room for videoram",
				 s->vram_size >> 20, strerror(-rc));
			stdvga_destroy(s);
			return -1;
		}
		s->vram_backed = true;
		vga_reset(&s->vga);
	}
	if (rc) {
		snprintf(err, errlen, "stdvga: cannot claim its ports, window or PCI slot %02x.%x (%d)",
			 PCI_SLOT(cfg->devfn), PCI_FUNC(cfg->devfn), rc);
		stdvga_destroy(s);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- saved state */

static struct accel *card_accel(const struct stdvga *s)
{
	return s->pci.bus ? s->pci.bus->accel : NULL;
}

void stdvga_save_state(const struct stdvga *s, struct stdvga_state *st)
{
	struct accel *a = card_accel(s);
	uint64_t gpa = 0;

	pci_save_state(&s->pci, &st->pci);
	st->r = s->vga.r;
	st->big_endian_fb = s->vga.big_endian_fb;
	st->vram_size = s->vram_size;
	if (s->vram_backed && a->ops->device_memory_gpa)
		gpa = a->ops->device_memory_gpa(a, 0);
	st->vram_gpa = gpa == ACCEL_UNMAPPED ? 0 : gpa;
}

int stdvga_check_state(const struct stdvga *s, const struct stdvga_state *st, char *err,
		       size_t errlen)
{
	struct accel *a = card_accel(s);
	bool guest_vram = a && a->ops->back_device_memory;

	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (st->vram_size != s->vram_size) {
		snprintf(err, errlen, "vga: the saved card has %u KiB of VRAM, this one %u KiB: give it the same (videoram=%u in the xl config, vgamem_mb=%u on the command line)",
			 st->vram_size >> 10, s->vram_size >> 10, st->vram_size >> 20, st->vram_size >> 20);
		return -1;
	}
	if (vga_check_regs(&s->vga, &st->r, err, errlen))
		return -1;
	if (st->vram_gpa == STDVGA_VRAM_NOT_SAVED) {
		if (s->vram_backed) {
			snprintf(err, errlen, "vga: this guest's VRAM exists already; a state without VRAM restores into a new device model (-incoming)");
			return -1;
		}
		return 0;
	}
	if (st->vram_gpa && !guest_vram) {
		snprintf(err, errlen, "vga: the saved VRAM is guest memory at %#llx (a Xen guest's, saved by Xen): it restores under Xen only",
			 (unsigned long long)st->vram_gpa);
		return -1;
	}
	if (!guest_vram)
		return 0;
	if (!st->vram_gpa) {
		snprintf(err, errlen, "vga: the state does not say where the guest's VRAM frames are (VRAM address 0), and under Xen they are guest memory");
		return -1;
	}
	if ((st->vram_gpa & 0xfff) || st->vram_gpa >= (1ull << 52) - st->vram_size) {
		snprintf(err, errlen, "vga: VRAM address %#llx is not a page-aligned guest address",
			 (unsigned long long)st->vram_gpa);
		return -1;
	}
	if (s->vram_backed && a->ops->device_memory_gpa(a, 0) != st->vram_gpa) {
		snprintf(err, errlen, "vga: this guest's VRAM is at %#llx already, the state puts it at %#llx (restore into a new device model with -incoming)",
			 (unsigned long long)a->ops->device_memory_gpa(a, 0),
			 (unsigned long long)st->vram_gpa);
		return -1;
	}
	return 0;
}

void stdvga_load_state(struct stdvga *s, const struct stdvga_state *st)
{
	struct accel *a = card_accel(s);

	/* The restored guest's frames first (new ones if it kept none): the BAR that follows moves them. */
	if (st->vram_gpa && a && a->ops->back_device_memory && !s->vram_backed) {
		uint64_t at = st->vram_gpa == STDVGA_VRAM_NOT_SAVED ? ACCEL_UNMAPPED : st->vram_gpa;

		if (a->ops->back_device_memory(a, 0, at, s->vram_size, s->vram))
			log_error("stdvga", "cannot map the guest's VRAM at %#llx: the screen stays blank",
				  (unsigned long long)at);
		else
			s->vram_backed = true;
	}
	if (st->vram_gpa == STDVGA_VRAM_NOT_SAVED && !s->vram_backed)
		memset(s->vram, 0, s->vram_size);
	pci_load_state(&s->pci, &st->pci);
	vga_load_regs(&s->vga, &st->r, st->big_endian_fb);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(stdvga_reset, struct stdvga)
DEV_OPS_DESTROY(stdvga_destroy, struct stdvga)
DEV_OPS_SAVE(stdvga_save_state, struct stdvga, struct stdvga_state)
DEV_OPS_CHECK(stdvga_check_state, struct stdvga, struct stdvga_state)
DEV_OPS_LOAD(stdvga_load_state, struct stdvga, struct stdvga_state)

const struct dev_ops stdvga_ops = {
	.name = "stdvga", .record = "vga", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .check = ops_check, .load = ops_load,
};

void stdvga_destroy(struct stdvga *s)
{
	vga_renderer_destroy(&s->render);
	vga_destroy(&s->vga);
	free_vram(s);
	free(s->rom);
	s->rom = NULL;
}
