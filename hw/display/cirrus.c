// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Cirrus CL-GD5446 (see cirrus.h). Register behaviour follows QEMU 7.2's
 * hw/display/cirrus_vga.c, which is what the stock device model showed the
 * guests hvmdm takes over; every VRAM address the guest computes is masked
 * to the 4 MiB the chip addresses before it is used.
 */
#include "cirrus.h"

#include "hw/core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SR07: extended mode and depth (QEMU's CIRRUS_SR7_*). */
#define SR07_EXTENDED 0x01
#define SR07_BPP_MASK 0x0e
#define SR07_BPP_8 0x00
#define SR07_BPP_16_DOUBLEVCLK 0x02
#define SR07_BPP_24 0x04
#define SR07_BPP_16 0x06
#define SR07_BPP_32 0x08
/* SR12: the hardware cursor. */
#define SR12_CURSOR_SHOW 0x01
#define SR12_HIDDEN_PEL 0x02
#define SR12_CURSOR_64 0x04
/* SR17: BitBLT registers memory-mapped (at 0xb8000, or with bit 6 at the top of the linear window). */
#define SR17_MMIO_ENABLE 0x04
#define SR17_MMIO_LINEAR 0x40
/* GR0B: banking and addressing. */
#define GR0B_DUAL_BANK 0x01
#define GR0B_BY8 0x02
#define GR0B_MODE45 0x04
#define GR0B_BY16 0x10
#define GR0B_GRAN_16K 0x20

#define CIRRUS_ADDR_MASK (CIRRUS_ADDRESSABLE - 1)
#define CIRRUS_BANK_SIZE 0x8000
/* The accelerator's device memory ids: VRAM behind BAR0, the window's two banks. */
#define DEVMEM_VRAM 0
#define DEVMEM_BANK0 1
/* The BitBLT registers through the linear window: its last 256 bytes (QEMU's linear_mmio_mask). */
#define LINEAR_MMIO_MASK (CIRRUS_ADDRESSABLE - 256)

/* The standard registers' writable bits (QEMU's vga.c sr_mask and gr_mask). */
static const uint8_t std_sr_mask[5] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
static const uint8_t std_gr_mask[9] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };

static struct accel *card_accel(const struct cirrus *s)
{
	return s->pci.bus ? s->pci.bus->accel : NULL;
}

/* ------------------------------------------------------------ VRAM */

/* VRAM kept as guest frames: what the device model writes there is reported (live migration). */
static void vram_wrote(void *opaque, uint64_t offset, uint64_t len)
{
	struct cirrus *s = opaque;
	struct accel *a = card_accel(s);

	if (s->vram_backed && offset < s->frames_size && a->ops->device_memory_written)
		a->ops->device_memory_written(a, DEVMEM_VRAM, offset, len);
}

static void blt_dirty(void *opaque, uint32_t offset, uint32_t len)
{
	struct cirrus *s = opaque;

	vga_vram_written(&s->vga, offset, len);
}

static struct cirrus_blt_vram blt_vram(struct cirrus *s)
{
	return (struct cirrus_blt_vram){ .vram = s->vram, .size = CIRRUS_ADDRESSABLE, .dirty = blt_dirty,
					 .opaque = s };
}

static void vram_store(struct cirrus *s, uint32_t offset, uint8_t val)
{
	offset &= CIRRUS_ADDR_MASK;
	s->vram[offset] = val;
	vga_vram_written(&s->vga, offset, 1);
}

/* GR0B's 16-byte and 8-byte addressing (for the extended write modes' pixel doubling). */
static uint32_t scaled_address(const struct cirrus *s, uint32_t addr)
{
	uint8_t gr0b = s->vga.r.gr[0x0b];

	if ((gr0b & (GR0B_BY16 | GR0B_MODE45)) == (GR0B_BY16 | GR0B_MODE45))
		addr <<= 4;
	else if (gr0b & GR0B_BY8)
		addr <<= 3;
	return addr & CIRRUS_ADDR_MASK;
}

/*
 * Write modes 4 and 5: each bit of the byte is a pixel, set to the
 * foreground colour (1) or, in mode 5, the background (0); 8 or 16 bpp
 * (QEMU's cirrus_mem_writeb_mode4and5_*). Every pixel address is masked.
 */
static void write_mode45(struct cirrus *s, unsigned int mode, uint32_t offset, uint8_t val)
{
	const struct vga_regs *r = &s->vga.r;
	bool wide = (r->gr[0x0b] & (GR0B_BY16 | GR0B_MODE45)) == (GR0B_BY16 | GR0B_MODE45);
	unsigned int step = wide ? 2 : 1;

	for (unsigned int x = 0; x < 8; x++, val <<= 1) {
		uint32_t at = offset + x * step;

		if (val & 0x80) {
			vram_store(s, at, s->ext.shadow_gr1);
			if (wide)
				vram_store(s, at + 1, r->gr[0x11]);
		} else if (mode == 5) {
			vram_store(s, at, s->ext.shadow_gr0);
			if (wide)
				vram_store(s, at + 1, r->gr[0x10]);
		}
	}
}

/* A byte to VRAM through the window or the linear aperture, in the current write mode. */
static void vram_write_mode(struct cirrus *s, uint32_t offset, uint8_t val)
{
	const struct vga_regs *r = &s->vga.r;
	unsigned int mode = r->gr[0x05] & 7;

	if (mode < 4 || mode > 5 || !(r->gr[0x0b] & GR0B_MODE45))
		vram_store(s, offset, val);
	else
		write_mode45(s, mode, offset, val);
}

/* ------------------------------------------------------------ memory access */

/* The two 32 KiB banks of the window (QEMU's cirrus_update_bank_ptr). */
static void update_bank(struct cirrus *s, unsigned int bank)
{
	const struct vga_regs *r = &s->vga.r;
	uint32_t offset, limit;

	offset = (r->gr[0x0b] & GR0B_DUAL_BANK) ? r->gr[0x09 + bank] : r->gr[0x09];
	offset <<= (r->gr[0x0b] & GR0B_GRAN_16K) ? 14 : 12;
	limit = offset < CIRRUS_ADDRESSABLE ? CIRRUS_ADDRESSABLE - offset : 0;
	if (!(r->gr[0x0b] & GR0B_DUAL_BANK) && bank == 1) {
		if (limit > 0x8000) {
			offset += 0x8000;
			limit -= 0x8000;
		} else {
			limit = 0;
		}
	}
	s->bank_base[bank] = limit ? offset : 0;
	s->bank_limit[bank] = limit;
}

/*
 * Whether BAR0 can be plain memory: no BitBLT registers at its top, no blit
 * waiting for the CPU's data, no scaled addressing or extended write mode
 * (QEMU's cirrus_update_memory_access), and then map or unmap VRAM there.
 */
bool cirrus_regs_linear(const struct vga_regs *r)
{
	unsigned int mode = r->gr[0x05] & 7;

	return (r->sr[0x17] & (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR)) != (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR) &&
	       (r->gr[0x0b] & (GR0B_BY16 | GR0B_MODE45)) != (GR0B_BY16 | GR0B_MODE45) &&
	       !(r->gr[0x0b] & GR0B_BY8) && (mode < 4 || mode > 5 || !(r->gr[0x0b] & GR0B_MODE45));
}

/* The pages a bank's mapping saw written, into the card's dirty bits at the bank's VRAM offset. */
static void fold_bank_dirty(struct cirrus *s, unsigned int bank)
{
	struct accel *a = card_accel(s);
	uint64_t log = 0;

	if (!s->bank_mapped[bank] || !a->ops->device_memory_dirty ||
	    a->ops->device_memory_dirty(a, DEVMEM_BANK0 + bank, &log))
		return;
	for (unsigned int page = 0; page < CIRRUS_BANK_SIZE >> 12; page++)
		if (log & (1ull << page))
			vga_mark_dirty(&s->vga, s->bank_mapped_base[bank] + (page << 12), 4096);
}

/*
 * Where the accelerator can alias device memory (KVM; under Xen VRAM is
 * guest frames, which live in one place, and the window's writes come
 * buffered anyway), a bank of the window in a linear extended mode is a
 * mapping of VRAM at the bank's offset, as QEMU maps its cirrus_bank
 * aliases: the VGA BIOS clearing or a driver drawing through the window
 * then needs no exit per byte. A bank that runs past the 4 MiB stays the
 * handler's.
 */
static void map_banks(struct cirrus *s, bool linear)
{
	struct accel *a = card_accel(s);

	if (!a || !a->ops->map_device_memory || a->ops->back_device_memory)
		return;
	for (unsigned int bank = 0; bank < 2; bank++) {
		bool want = linear && (s->vga.r.sr[0x07] & SR07_EXTENDED) && s->bank_limit[bank] >= CIRRUS_BANK_SIZE;
		uint32_t base = s->bank_base[bank];

		if (want == s->bank_mapped[bank] && (!want || base == s->bank_mapped_base[bank]))
			continue;
		if (s->bank_mapped[bank]) {
			fold_bank_dirty(s, bank);
			a->ops->map_device_memory(a, DEVMEM_BANK0 + bank, ACCEL_UNMAPPED, CIRRUS_BANK_SIZE, NULL);
			s->bank_mapped[bank] = false;
		}
		if (want && a->ops->map_device_memory(a, DEVMEM_BANK0 + bank, VGA_WINDOW_BASE + bank * CIRRUS_BANK_SIZE,
						      CIRRUS_BANK_SIZE, s->vram + base) == 0) {
			s->bank_mapped[bank] = true;
			s->bank_mapped_base[bank] = base;
		}
	}
}

static void update_memory_access(struct cirrus *s)
{
	struct accel *a = card_accel(s);
	bool linear, mapped;

	linear = cirrus_regs_linear(&s->vga.r) && !cirrus_blt_wants_cpu_data(&s->blt);
	s->linear = linear;
	map_banks(s, linear);
	if (!a || !a->ops->map_device_memory || (s->vram_backed == false && a->ops->back_device_memory))
		return;
	mapped = linear && s->bar0 != PCI_BAR_UNMAPPED;
	if (mapped == s->vram_mapped)
		return;
	if (a->ops->map_device_memory(a, DEVMEM_VRAM, mapped ? s->bar0 : ACCEL_UNMAPPED, s->frames_size, s->vram)) {
		log_error("cirrus", "cannot %s VRAM at BAR0 %#llx: BAR0 accesses stay emulated",
			  mapped ? "map" : "unmap", (unsigned long long)s->bar0);
		s->vram_mapped = false;
		return;
	}
	s->vram_mapped = mapped;
	/* What the guest wrote while it was mapped is in VRAM: redraw from it. */
	s->vga.full_update = true;
}

/* The blitter changed state (started, finished, aborted): BAR0's mapping may follow. */
static void blt_changed(struct cirrus *s)
{
	update_memory_access(s);
}

/* ------------------------------------------------------------ sequencer */

static uint8_t read_sr(struct cirrus *s)
{
	const struct vga_regs *r = &s->vga.r;
	unsigned int idx = r->sr_index;

	if (idx <= 0x04 || idx == 0x06)
		return r->sr[idx];
	if ((idx & 0x1f) == 0x10)
		return r->sr[0x10];
	if ((idx & 0x1f) == 0x11)
		return r->sr[0x11];
	if (idx == 0x05 || (idx >= 0x07 && idx <= 0x1f))
		return r->sr[idx];
	return 0xff;
}

static void write_sr(struct cirrus *s, uint8_t val)
{
	struct vga_regs *r = &s->vga.r;
	unsigned int idx = r->sr_index;

	if (idx <= 0x04) {
		r->sr[idx] = val & std_sr_mask[idx];
	} else if (idx == 0x06) {
		/* The extensions unlock: 0x12 (SeaBIOS's cirrus_check writes 0x92), else locked. */
		r->sr[idx] = (val & 0x17) == 0x12 ? 0x12 : 0x0f;
	} else if ((idx & 0x1f) == 0x10) {
		r->sr[0x10] = val;
		s->ext.hw_cursor_x = (uint32_t)val << 3 | idx >> 5;
	} else if ((idx & 0x1f) == 0x11) {
		r->sr[0x11] = val;
		s->ext.hw_cursor_y = (uint32_t)val << 3 | idx >> 5;
	} else if (idx == 0x07) {
		r->sr[idx] = val;
		update_memory_access(s);
	} else if (idx == 0x17) {
		/* Bits 3-5 are the bus type the card reports (PCI). */
		r->sr[idx] = (uint8_t)((r->sr[idx] & 0x38) | (val & 0xc7));
		update_memory_access(s);
	} else if ((idx >= 0x08 && idx <= 0x1f)) {
		r->sr[idx] = val;
	} else {
		return;
	}
	s->vga.full_update = true;
}

/* ------------------------------------------------------------ graphics controller */

static uint8_t read_gr(struct cirrus *s, unsigned int idx)
{
	const struct vga_regs *r = &s->vga.r;

	if (idx == 0x00)
		return s->ext.shadow_gr0;
	if (idx == 0x01)
		return s->ext.shadow_gr1;
	return idx < 0x3a ? r->gr[idx] : 0xff;
}

static void blt_start(struct cirrus *s)
{
	struct cirrus_blt_vram v = blt_vram(s);

	cirrus_blt_start(&s->blt, s->vga.r.gr, s->ext.shadow_gr0, s->ext.shadow_gr1, cirrus_bpp(s), &v);
	blt_changed(s);
}

static void write_gr(struct cirrus *s, unsigned int idx, uint8_t val)
{
	struct vga_regs *r = &s->vga.r;
	uint8_t old;

	switch (idx) {
	case 0x00:
	case 0x01:
		r->gr[idx] = val & std_gr_mask[idx];
		if (idx == 0)
			s->ext.shadow_gr0 = val;
		else
			s->ext.shadow_gr1 = val;
		break;
	case 0x02 ... 0x04:
	case 0x06 ... 0x08:
		r->gr[idx] = val & std_gr_mask[idx];
		s->vga.full_update = true;
		break;
	case 0x05:
		/* Bit 2 selects the extended write modes 4 and 5 (with GR0B bit 2). */
		r->gr[idx] = val & 0x7f;
		update_memory_access(s);
		s->vga.full_update = true;
		break;
	case 0x09 ... 0x0b:
		r->gr[idx] = val;
		update_bank(s, 0);
		update_bank(s, 1);
		update_memory_access(s);
		break;
	case 0x10 ... 0x15:
	case 0x20:
	case 0x22:
	case 0x24:
	case 0x26:
	case 0x28:
	case 0x29:
	case 0x2c:
	case 0x2d:
	case 0x2f:
	case 0x30:
	case 0x32:
	case 0x33:
	case 0x34:
	case 0x35:
	case 0x38:
	case 0x39:
		r->gr[idx] = val;
		break;
	case 0x21:
	case 0x23:
	case 0x25:
	case 0x27:
		/* Width, height and pitches are 13 bits. */
		r->gr[idx] = val & 0x1f;
		break;
	case 0x2a:
		r->gr[idx] = val & 0x3f;
		/* The destination's top byte starts the blit in autostart mode. */
		if (r->gr[0x31] & CIRRUS_BLT_AUTOSTART)
			blt_start(s);
		break;
	case 0x2e:
		r->gr[idx] = val & 0x3f;
		break;
	case 0x31:
		old = r->gr[0x31];
		r->gr[0x31] = val;
		if ((old & CIRRUS_BLT_RESET) && !(val & CIRRUS_BLT_RESET)) {
			cirrus_blt_reset(&s->blt, r->gr);
			blt_changed(s);
		} else if (!(old & CIRRUS_BLT_START) && (val & CIRRUS_BLT_START)) {
			blt_start(s);
		}
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ CRTC, DAC */

static bool read_cr(struct cirrus *s, uint8_t *val)
{
	const struct vga_regs *r = &s->vga.r;
	unsigned int idx = r->cr_index;

	switch (idx) {
	case 0x00 ... 0x18:
		return false; /* the core's */
	case 0x24: /* attribute flip-flop readback */
		*val = (uint8_t)(r->ar_flip_flop << 7);
		return true;
	case 0x26: /* attribute index readback */
		*val = r->ar_index & 0x3f;
		return true;
	case 0x19 ... 0x1d:
	case 0x22:
	case 0x25:
	case 0x27: /* part ID: SeaBIOS's vgabios reads it */
		*val = r->cr[idx];
		return true;
	default:
		*val = 0xff;
		return true;
	}
}

static bool write_cr(struct cirrus *s, uint8_t val)
{
	struct vga_regs *r = &s->vga.r;
	unsigned int idx = r->cr_index;

	if (idx <= 0x18)
		return false; /* the core's, with its CR0-7 protection */
	if (idx >= 0x19 && idx <= 0x1d) {
		/* Interlace, misc control, extended display (start address, pitch bits), overlay. */
		r->cr[idx] = val;
		s->vga.full_update = true;
	}
	return true; /* the rest are read-only or nothing */
}

/* 0x3c6 read four times opens the hidden DAC register: the fifth access is it (QEMU's lock index). */
static uint8_t read_hidden_dac(struct cirrus *s)
{
	if (++s->ext.hidden_dac_lockindex == 5) {
		s->ext.hidden_dac_lockindex = 0;
		return s->ext.hidden_dac_data;
	}
	return 0xff;
}

static void write_hidden_dac(struct cirrus *s, uint8_t val)
{
	if (s->ext.hidden_dac_lockindex == 4) {
		s->ext.hidden_dac_data = val;
		s->vga.full_update = true;
	}
	s->ext.hidden_dac_lockindex = 0;
}

/* With SR12 bit 1 the DAC data port reaches the 16 hidden entries (the cursor's colours). */
static uint8_t read_palette(struct cirrus *s)
{
	struct vga_regs *r = &s->vga.r;
	uint8_t val;

	if (r->sr[0x12] & SR12_HIDDEN_PEL)
		val = s->ext.hidden_palette[(r->dac_read_index & 0x0f) * 3 + r->dac_sub_index];
	else
		val = r->palette[r->dac_read_index * 3 + r->dac_sub_index];
	if (++r->dac_sub_index == 3) {
		r->dac_sub_index = 0;
		r->dac_read_index++;
	}
	return val;
}

static void write_palette(struct cirrus *s, uint8_t val)
{
	struct vga_regs *r = &s->vga.r;

	r->dac_cache[r->dac_sub_index] = val;
	if (++r->dac_sub_index < 3)
		return;
	if (r->sr[0x12] & SR12_HIDDEN_PEL)
		memcpy(&s->ext.hidden_palette[(r->dac_write_index & 0x0f) * 3], r->dac_cache, 3);
	else
		memcpy(&r->palette[r->dac_write_index * 3], r->dac_cache, 3);
	r->dac_sub_index = 0;
	r->dac_write_index++;
	s->vga.full_update = true;
}

/* ------------------------------------------------------------ the core's hooks: ports */

static bool port_read(void *opaque, uint16_t port, uint8_t *val)
{
	struct cirrus *s = opaque;
	struct vga_regs *r = &s->vga.r;

	switch (port) {
	case VGA_SEQ_D:
		*val = read_sr(s);
		return true;
	case VGA_PEL_MSK:
		*val = read_hidden_dac(s);
		return true;
	case VGA_PEL_IW:
		s->ext.hidden_dac_lockindex = 0;
		*val = r->dac_write_index;
		return true;
	case VGA_PEL_D:
		*val = read_palette(s);
		return true;
	case VGA_GFX_D:
		*val = read_gr(s, r->gr_index);
		return true;
	case VGA_CRT_DM:
	case VGA_CRT_DC:
		return read_cr(s, val);
	default:
		return false;
	}
}

static bool port_write(void *opaque, uint16_t port, uint8_t val)
{
	struct cirrus *s = opaque;
	struct vga_regs *r = &s->vga.r;

	switch (port) {
	case VGA_SEQ_I:
		r->sr_index = val; /* all 8 bits: the extended registers */
		return true;
	case VGA_SEQ_D:
		write_sr(s, val);
		return true;
	case VGA_PEL_MSK:
		write_hidden_dac(s, val);
		return true;
	case VGA_PEL_D:
		write_palette(s, val);
		return true;
	case VGA_GFX_I:
		r->gr_index = val;
		return true;
	case VGA_GFX_D:
		write_gr(s, r->gr_index, val);
		return true;
	case VGA_CRT_DM:
	case VGA_CRT_DC:
		return write_cr(s, val);
	default:
		return false;
	}
}

/* ------------------------------------------------------------ BitBLT registers by MMIO */

/* The memory-mapped BitBLT registers (QEMU's CIRRUS_MMIO_*): offset to graphics register, -1 none. */
static int blt_mmio_register(uint32_t offset)
{
	static const uint8_t map[0x41] = {
		[0x00] = 0x00 + 1, [0x01] = 0x10 + 1, [0x02] = 0x12 + 1, [0x03] = 0x14 + 1, /* background */
		[0x04] = 0x01 + 1, [0x05] = 0x11 + 1, [0x06] = 0x13 + 1, [0x07] = 0x15 + 1, /* foreground */
		[0x08] = 0x20 + 1, [0x09] = 0x21 + 1, [0x0a] = 0x22 + 1, [0x0b] = 0x23 + 1, /* width, height */
		[0x0c] = 0x24 + 1, [0x0d] = 0x25 + 1, [0x0e] = 0x26 + 1, [0x0f] = 0x27 + 1, /* pitches */
		[0x10] = 0x28 + 1, [0x11] = 0x29 + 1, [0x12] = 0x2a + 1,                    /* destination */
		[0x14] = 0x2c + 1, [0x15] = 0x2d + 1, [0x16] = 0x2e + 1,                    /* source */
		[0x17] = 0x2f + 1, [0x18] = 0x30 + 1, [0x1a] = 0x32 + 1, [0x1b] = 0x33 + 1, /* mask, mode, ROP */
		[0x1c] = 0x34 + 1, [0x1d] = 0x35 + 1, [0x20] = 0x38 + 1, [0x21] = 0x39 + 1, /* transparency */
		[0x40] = 0x31 + 1,                                                          /* status/start */
	};

	return offset < sizeof(map) && map[offset] ? map[offset] - 1 : -1;
}

static uint8_t blt_mmio_read(struct cirrus *s, uint32_t offset)
{
	int reg = blt_mmio_register(offset);

	return reg < 0 ? 0xff : read_gr(s, (unsigned int)reg);
}

static void blt_mmio_write(struct cirrus *s, uint32_t offset, uint8_t val)
{
	int reg = blt_mmio_register(offset);

	if (reg >= 0)
		write_gr(s, (unsigned int)reg, val);
}

/* ------------------------------------------------------------ the core's hooks: the window */

/* A window offset in the extended mode's two banks: a VRAM offset, or -1 outside them. */
static int64_t bank_address(const struct cirrus *s, uint32_t addr)
{
	unsigned int bank = addr >> 15;
	uint32_t off = addr & 0x7fff;

	if (off >= s->bank_limit[bank])
		return -1;
	return scaled_address(s, off + s->bank_base[bank]);
}

static bool window_read(void *opaque, uint32_t addr, uint8_t *val)
{
	struct cirrus *s = opaque;
	const struct vga_regs *r = &s->vga.r;
	int64_t at;

	if (!(r->sr[0x07] & SR07_EXTENDED))
		return false; /* the standard VGA's planes */
	addr &= VGA_WINDOW_SIZE - 1;
	*val = 0xff;
	if (addr < 0x10000) {
		at = bank_address(s, addr);
		if (at >= 0)
			*val = s->vram[at];
	} else if (addr >= 0x18000 && addr < 0x18100 &&
		   (r->sr[0x17] & (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR)) == SR17_MMIO_ENABLE) {
		*val = blt_mmio_read(s, addr & 0xff);
	}
	return true;
}

static void cpu_data(struct cirrus *s, uint8_t val)
{
	struct cirrus_blt_vram v = blt_vram(s);

	cirrus_blt_cpu_write(&s->blt, s->vga.r.gr, val, &v);
	if (!cirrus_blt_wants_cpu_data(&s->blt))
		blt_changed(s);
}

static bool window_write(void *opaque, uint32_t addr, uint8_t val)
{
	struct cirrus *s = opaque;
	const struct vga_regs *r = &s->vga.r;
	int64_t at;

	if (!(r->sr[0x07] & SR07_EXTENDED))
		return false;
	addr &= VGA_WINDOW_SIZE - 1;
	if (addr < 0x10000) {
		if (cirrus_blt_wants_cpu_data(&s->blt)) {
			cpu_data(s, val);
			return true;
		}
		at = bank_address(s, addr);
		if (at >= 0)
			vram_write_mode(s, (uint32_t)at, val);
	} else if (addr >= 0x18000 && addr < 0x18100 &&
		   (r->sr[0x17] & (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR)) == SR17_MMIO_ENABLE) {
		blt_mmio_write(s, addr & 0xff, val);
	}
	return true;
}

/* ------------------------------------------------------------ the core's hooks: drawing */

unsigned int cirrus_bpp(const struct cirrus *s)
{
	const struct vga_regs *r = &s->vga.r;
	/* 15 or 16 bits from the hidden DAC: Sierra 5-5-5 (0), XGA 5-6-5 (1); anything else 15. */
	unsigned int hicolor = (s->ext.hidden_dac_data & 0x0f) == 1 ? 16 : 15;

	if (!(r->sr[0x07] & SR07_EXTENDED))
		return 0;
	switch (r->sr[0x07] & SR07_BPP_MASK) {
	case SR07_BPP_16_DOUBLEVCLK:
	case SR07_BPP_16:
		return hicolor;
	case SR07_BPP_24:
		return 24;
	case SR07_BPP_32:
		return 32;
	default:
		return 8;
	}
}

static unsigned int card_bpp(void *opaque)
{
	return cirrus_bpp(opaque);
}

/* Pitch with CR1B bit 4, start address with CR1B bits 0, 2, 3 and CR1D bit 7 (cirrus_get_offsets). */
static void card_offsets(void *opaque, uint32_t *line_offset, uint32_t *start, uint32_t *line_compare)
{
	const struct vga_regs *r = &((struct cirrus *)opaque)->vga.r;

	*line_offset = (r->cr[0x13] | (uint32_t)(r->cr[0x1b] & 0x10) << 4) << 3;
	*start = (uint32_t)r->cr[0x0c] << 8 | r->cr[0x0d] | (uint32_t)(r->cr[0x1b] & 0x01) << 16 |
		 (uint32_t)(r->cr[0x1b] & 0x0c) << 15 | (uint32_t)(r->cr[0x1d] & 0x80) << 12;
	*line_compare = r->cr[0x18] | (uint32_t)(r->cr[0x07] & 0x10) << 4 | (uint32_t)(r->cr[0x09] & 0x40) << 3;
}

/* The CRTC's size, doubled in height when CR1A asks for interlace (cirrus_get_resolution). */
static void card_resolution(void *opaque, uint32_t *width, uint32_t *height)
{
	const struct vga_regs *r = &((struct cirrus *)opaque)->vga.r;

	*width = (r->cr[0x01] + 1u) * 8;
	*height = (r->cr[0x12] | (uint32_t)(r->cr[0x07] & 0x02) << 7 | (uint32_t)(r->cr[0x07] & 0x40) << 3) + 1;
	if (r->cr[0x1a] & 0x01)
		*height *= 2;
}

static uint32_t hidden_colour(const struct cirrus *s, unsigned int entry)
{
	const uint8_t *c = &s->ext.hidden_palette[entry * 3];
	unsigned int rgb[3];

	for (unsigned int i = 0; i < 3; i++) {
		unsigned int v = c[i] & 0x3f;

		rgb[i] = (v << 2) | ((v & 1) << 1) | (v & 1);
	}
	return rgb[0] << 16 | rgb[1] << 8 | rgb[2];
}

/*
 * The hardware cursor over row y: 32x32 or 64x64 at SR10/SR11, its two bit
 * planes in the last 16 KiB of the addressable VRAM (SR13 picks the
 * pattern); 00 transparent, 01 inverts, 10 and 11 hidden DAC colours 0 and
 * 15 (QEMU's cirrus_cursor_draw_line).
 */
static void card_cursor_row(void *opaque, uint32_t y, uint32_t *row, uint32_t width)
{
	struct cirrus *s = opaque;
	const struct vga_regs *r = &s->vga.r;
	bool large = r->sr[0x12] & SR12_CURSOR_64;
	uint32_t size = large ? 64 : 32, base = CIRRUS_ADDRESSABLE - 16 * 1024, plane1, x0, color0, color1;
	const uint8_t *src;

	if (!(r->sr[0x12] & SR12_CURSOR_SHOW) || y < s->ext.hw_cursor_y || y >= s->ext.hw_cursor_y + size)
		return;
	if (large) {
		base += (r->sr[0x13] & 0x3cu) * 256 + (y - s->ext.hw_cursor_y) * 16;
		plane1 = 8;
	} else {
		base += (r->sr[0x13] & 0x3fu) * 256 + (y - s->ext.hw_cursor_y) * 4;
		plane1 = 128;
	}
	/* At most 16 KiB - 1 + 63 * 16 + 8 + 8 past base's start: inside the 4 MiB the card has. */
	src = s->vram + base;
	x0 = s->ext.hw_cursor_x;
	color0 = hidden_colour(s, 0);
	color1 = hidden_colour(s, 15);
	for (uint32_t x = 0; x < size && x0 + x < width; x++) {
		unsigned int b0 = (src[x >> 3] >> (7 - (x & 7))) & 1;
		unsigned int b1 = (src[plane1 + (x >> 3)] >> (7 - (x & 7))) & 1;
		uint32_t *d = &row[x0 + x];

		switch (b0 | b1 << 1) {
		case 1:
			*d ^= 0xffffff;
			break;
		case 2:
			*d = color0;
			break;
		case 3:
			*d = color1;
			break;
		default:
			break;
		}
	}
}

static const struct vga_card_ops card_ops = {
	.port_read = port_read,
	.port_write = port_write,
	.window_read = window_read,
	.window_write = window_write,
	.bpp = card_bpp,
	.offsets = card_offsets,
	.resolution = card_resolution,
	.cursor_row = card_cursor_row,
};

void cirrus_sync_dirty(struct cirrus *s)
{
	struct accel *a = card_accel(s);
	const struct vga_regs *r = &s->vga.r;

	if (s->vram_mapped && a->ops->device_memory_dirty)
		a->ops->device_memory_dirty(a, DEVMEM_VRAM, s->vga.dirty);
	fold_bank_dirty(s, 0);
	fold_bank_dirty(s, 1);
	/* A moved or reshaped cursor: the rows it left and the rows it covers are drawn again. */
	if (s->ext.hw_cursor_x != s->drawn_cursor_x || s->ext.hw_cursor_y != s->drawn_cursor_y ||
	    r->sr[0x12] != s->drawn_cursor_attr || r->sr[0x13] != s->drawn_cursor_pattern) {
		if ((r->sr[0x12] | s->drawn_cursor_attr) & SR12_CURSOR_SHOW)
			s->vga.full_update = true;
		s->drawn_cursor_x = s->ext.hw_cursor_x;
		s->drawn_cursor_y = s->ext.hw_cursor_y;
		s->drawn_cursor_attr = r->sr[0x12];
		s->drawn_cursor_pattern = r->sr[0x13];
	}
	/* The cursor's own pattern changed. */
	if ((r->sr[0x12] & SR12_CURSOR_SHOW) && vga_is_dirty(&s->vga, CIRRUS_ADDRESSABLE - 16 * 1024, 16 * 1024))
		s->vga.full_update = true;
}

/* ------------------------------------------------------------ BAR0: linear window, BitBLT aperture */

static uint64_t bar0_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct cirrus *s = opaque;
	const struct vga_regs *r = &s->vga.r;
	uint32_t addr;

	(void)size; /* bytes: impl_max is 1 */
	if (offset >= s->vram_size)
		return 0xff; /* the BitBLT aperture reads nothing; between the two, nothing is there */
	addr = (uint32_t)offset & CIRRUS_ADDR_MASK;
	if ((r->sr[0x17] & (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR)) == (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR) &&
	    (addr & LINEAR_MMIO_MASK) == LINEAR_MMIO_MASK)
		return blt_mmio_read(s, addr & 0xff);
	return s->vram[scaled_address(s, addr)];
}

static void bar0_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	struct cirrus *s = opaque;
	const struct vga_regs *r = &s->vga.r;
	uint32_t addr;

	(void)size;
	if (offset >= CIRRUS_BITBLT_APERTURE && offset < CIRRUS_BITBLT_APERTURE + CIRRUS_BITBLT_APERTURE_SIZE) {
		if (cirrus_blt_wants_cpu_data(&s->blt))
			cpu_data(s, (uint8_t)val);
		return;
	}
	if (offset >= s->vram_size)
		return;
	addr = (uint32_t)offset & CIRRUS_ADDR_MASK;
	if ((r->sr[0x17] & (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR)) == (SR17_MMIO_ENABLE | SR17_MMIO_LINEAR) &&
	    (addr & LINEAR_MMIO_MASK) == LINEAR_MMIO_MASK) {
		blt_mmio_write(s, addr & 0xff, (uint8_t)val);
	} else if (cirrus_blt_wants_cpu_data(&s->blt)) {
		cpu_data(s, (uint8_t)val);
	} else {
		vram_write_mode(s, scaled_address(s, addr), (uint8_t)val);
	}
}

static const struct io_ops bar0_ops = {
	.read = bar0_read, .write = bar0_write, .impl_min = 1, .impl_max = 1,
};

/* ------------------------------------------------------------ BAR1: MMIO */

uint8_t cirrus_mmio_read(struct cirrus *s, uint32_t offset)
{
	if (offset >= CIRRUS_MMIO_SIZE)
		return 0xff;
	if (offset >= CIRRUS_MMIO_BLT)
		return blt_mmio_read(s, offset - CIRRUS_MMIO_BLT);
	/* 0x00-0xff: the VGA ports from 0x3c0 (QEMU's cirrus_mmio_read: port 0x3b0 + 0x10 + offset). */
	if (offset >= 0x40)
		return 0xff;
	return vga_port_read(&s->vga, (uint16_t)(0x3c0 + offset));
}

void cirrus_mmio_write(struct cirrus *s, uint32_t offset, uint8_t val)
{
	if (offset >= CIRRUS_MMIO_SIZE)
		return;
	if (offset >= CIRRUS_MMIO_BLT)
		blt_mmio_write(s, offset - CIRRUS_MMIO_BLT, val);
	else if (offset < 0x40)
		vga_port_write(&s->vga, (uint16_t)(0x3c0 + offset), val);
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)size;
	return cirrus_mmio_read(opaque, (uint32_t)offset);
}

static void mmio_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	(void)size;
	cirrus_mmio_write(opaque, (uint32_t)offset, (uint8_t)val);
}

static const struct io_ops mmio_ops = {
	.read = mmio_read, .write = mmio_write, .impl_min = 1, .impl_max = 1,
};

/* BAR0 moved: VRAM follows it while the card is in a linear mode. */
static void bar_moved(struct pci_device *d, unsigned int index, uint64_t addr)
{
	struct cirrus *s = d->opaque;
	struct accel *a = card_accel(s);

	if (index != 0)
		return;
	/* The accelerator maps one place at a time: leave the old one first. */
	if (s->vram_mapped && a->ops->map_device_memory(a, DEVMEM_VRAM, ACCEL_UNMAPPED, s->frames_size, s->vram) == 0)
		s->vram_mapped = false;
	s->bar0 = addr;
	update_memory_access(s);
	s->vga.full_update = true;
}

/* ------------------------------------------------------------ life cycle */

/* The power-on registers of a 5446 with 4 MiB (QEMU's cirrus_reset). */
void cirrus_reset(struct cirrus *s)
{
	struct vga_regs *r = &s->vga.r;
	struct accel *a = card_accel(s);

	vga_reset(&s->vga);
	if (s->vram_mapped && a->ops->map_device_memory(a, DEVMEM_VRAM, ACCEL_UNMAPPED, s->frames_size, s->vram) == 0)
		s->vram_mapped = false;
	memset(&s->ext, 0, sizeof(s->ext));
	memset(r->vbe_regs, 0, sizeof(r->vbe_regs));
	r->vbe_bank_mask = 0;
	r->sr[0x06] = 0x0f;
	r->sr[0x1f] = 0x2d; /* memory clock */
	r->gr[0x18] = 0x0f; /* fastest memory configuration */
	r->sr[0x0f] = 0x98; /* 4 MiB, 64-bit */
	r->sr[0x17] = 0x20; /* PCI */
	r->sr[0x15] = 0x04; /* memory size: 4 MiB */
	r->cr[0x27] = CIRRUS_DEVICE_5446;
	s->ext.hidden_dac_lockindex = 5;
	cirrus_blt_reset(&s->blt, r->gr);
	update_bank(s, 0);
	update_bank(s, 1);
	s->linear = false;
	map_banks(s, false);
}

int cirrus_init(struct cirrus *s, struct pci_bus *bus, struct io_space *io, struct io_space *mmio,
		const struct cirrus_config *cfg, char *err, size_t errlen)
{
	struct pci_device *d = &s->pci;
	uint32_t mb = cfg->vram_mb ? cfg->vram_mb : CIRRUS_DEFAULT_VRAM_MB;
	int rc;

	memset(s, 0, sizeof(*s));
	vga_renderer_init(&s->render);
	cirrus_blt_init(&s->blt);
	s->bar0 = PCI_BAR_UNMAPPED;
	if (mb != 4 && mb != 8 && mb != 16) {
		snprintf(err, errlen, "cirrus-vga: vgamem_mb=%u: 4, 8 or 16 (videoram= in the xl config)", mb);
		return -1;
	}
	s->vram_size = s->frames_size = mb << 20;
	s->vram = vga_vram_alloc(s->vram_size);
	if (cfg->rom && (cfg->rom_size == 0 || cfg->rom_size > (16u << 20))) {
		snprintf(err, errlen, "the VGA BIOS image is %zu bytes", cfg->rom_size);
		cirrus_destroy(s);
		return -1;
	}
	if (cfg->rom)
		s->rom = pci_rom_image(cfg->rom, cfg->rom_size, &s->rom_bar_size);
	if (!s->vram || (cfg->rom && !s->rom) ||
	    vga_init(&s->vga, &(struct vga_config){ .vram = s->vram, .vram_size = s->vram_size, .vbe = false,
						   .wrote = vram_wrote, .wrote_opaque = s,
						   .card = &card_ops, .card_opaque = s })) {
		snprintf(err, errlen, "out of memory for %u MiB of VRAM", s->vram_size >> 20);
		cirrus_destroy(s);
		return -1;
	}
	pci_device_init(d, "cirrus-vga", CIRRUS_VENDOR, CIRRUS_DEVICE_5446, 0, 0x030000);
	d->opaque = s;
	d->bar_moved = bar_moved;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, cfg->subsys_vendor);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, cfg->subsys_id);
	rc = pci_register_bar(d, 0, PCI_BAR_MEM32, true, CIRRUS_BAR0_SIZE, &bar0_ops, s, "cirrus.bar0");
	if (!rc)
		rc = pci_register_bar(d, 1, PCI_BAR_MEM32, false, CIRRUS_MMIO_SIZE, &mmio_ops, s, "cirrus.mmio");
	if (!rc && s->rom)
		rc = pci_register_bar(d, PCI_ROM_SLOT, PCI_BAR_MEM32, false, s->rom_bar_size, &pci_rom_ops, s->rom,
				      "cirrus.rom");
	if (!rc)
		rc = vga_claim(&s->vga, io, mmio);
	if (!rc)
		rc = pci_register_device(bus, d, cfg->devfn);
	if (rc) {
		snprintf(err, errlen, "cirrus-vga: cannot claim its ports, window or PCI slot %02x.%x (%d)",
			 PCI_SLOT(cfg->devfn), PCI_FUNC(cfg->devfn), rc);
		cirrus_destroy(s);
		return -1;
	}
	/* Under Xen VRAM is guest memory from the start (unless a restore brings the guest's). */
	if (bus->accel && bus->accel->ops->back_device_memory && !cfg->vram_from_incoming) {
		rc = bus->accel->ops->back_device_memory(bus->accel, DEVMEM_VRAM, ACCEL_UNMAPPED, s->vram_size, s->vram);
		if (rc) {
			snprintf(err, errlen, "cirrus-vga: cannot make %u MiB of VRAM guest memory (%s): the domain's maxmem must leave room for videoram",
				 s->vram_size >> 20, strerror(-rc));
			cirrus_destroy(s);
			return -1;
		}
		s->vram_backed = true;
	}
	cirrus_reset(s);
	return 0;
}

void cirrus_destroy(struct cirrus *s)
{
	vga_renderer_destroy(&s->render);
	vga_destroy(&s->vga);
	vga_vram_free(s->vram, s->vram_size);
	s->vram = NULL;
	free(s->rom);
	s->rom = NULL;
}

/* ---------------------------------------------------------------- saved state */

void cirrus_save_state(const struct cirrus *s, struct cirrus_state *st)
{
	struct accel *a = card_accel(s);
	uint64_t gpa = 0;

	memset(st, 0, sizeof(*st));
	pci_save_state(&s->pci, &st->pci);
	st->r = s->vga.r;
	st->ext = s->ext;
	/* The blit is not in the record (no producer keeps one): its status bits say idle. */
	st->r.gr[0x31] &= (uint8_t)~(CIRRUS_BLT_BUSY | CIRRUS_BLT_START | CIRRUS_BLT_FIFOUSED);
	st->vram_size = s->frames_size;
	if (s->vram_backed && a->ops->device_memory_gpa)
		gpa = a->ops->device_memory_gpa(a, DEVMEM_VRAM);
	st->vram_gpa = gpa == ACCEL_UNMAPPED ? 0 : gpa;
}

int cirrus_check_state(const struct cirrus *s, const struct cirrus_state *st, char *err, size_t errlen)
{
	struct accel *a = card_accel(s);
	bool guest_vram = a && a->ops->back_device_memory;

	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	/*
	 * The saved frames: the card's own VRAM size, or the 4 MiB qemu-xen-traditional's
	 * card had (libxl gives qemu-xen's at least 8: the part the chip addresses is the same).
	 */
	if (st->vram_size != s->vram_size && st->vram_size != CIRRUS_ADDRESSABLE) {
		snprintf(err, errlen, "cirrus_vga: the saved card has %u KiB of VRAM, this one %u KiB: give it the same (videoram=%u in the xl config, vgamem_mb=%u on the command line)",
			 st->vram_size >> 10, s->vram_size >> 10, st->vram_size >> 20, st->vram_size >> 20);
		return -1;
	}
	if (st->vram_size > s->vram_size) {
		snprintf(err, errlen, "cirrus_vga: the saved card has %u KiB of VRAM, more than this one's %u KiB",
			 st->vram_size >> 10, s->vram_size >> 10);
		return -1;
	}
	if (st->ext.hw_cursor_x > CIRRUS_MAX_CURSOR_POS || st->ext.hw_cursor_y > CIRRUS_MAX_CURSOR_POS) {
		snprintf(err, errlen, "cirrus_vga: hardware cursor at %u,%u (at most %u: SR10/SR11 and their index bits)",
			 st->ext.hw_cursor_x, st->ext.hw_cursor_y, CIRRUS_MAX_CURSOR_POS);
		return -1;
	}
	if (vga_check_regs(&s->vga, &st->r, err, errlen))
		return -1;
	if (st->vram_gpa == CIRRUS_VRAM_NOT_SAVED) {
		if (s->vram_backed) {
			snprintf(err, errlen, "cirrus_vga: this guest's VRAM exists already; a state without VRAM restores into a new device model (-incoming)");
			return -1;
		}
		return 0;
	}
	if (st->vram_gpa && !guest_vram) {
		snprintf(err, errlen, "cirrus_vga: the saved VRAM is guest memory at %#llx (a Xen guest's, saved by Xen): it restores under Xen only",
			 (unsigned long long)st->vram_gpa);
		return -1;
	}
	if (!guest_vram)
		return 0;
	if (!st->vram_gpa) {
		snprintf(err, errlen, "cirrus_vga: the state does not say where the guest's VRAM frames are (VRAM address 0), and under Xen they are guest memory");
		return -1;
	}
	if ((st->vram_gpa & 0xfff) || st->vram_gpa >= (1ull << 52) - st->vram_size) {
		snprintf(err, errlen, "cirrus_vga: VRAM address %#llx is not a page-aligned guest address",
			 (unsigned long long)st->vram_gpa);
		return -1;
	}
	if (s->vram_backed && (a->ops->device_memory_gpa(a, DEVMEM_VRAM) != st->vram_gpa || st->vram_size != s->frames_size)) {
		snprintf(err, errlen, "cirrus_vga: this guest's VRAM is at %#llx already, the state puts %u KiB at %#llx (restore into a new device model with -incoming)",
			 (unsigned long long)a->ops->device_memory_gpa(a, DEVMEM_VRAM), st->vram_size >> 10,
			 (unsigned long long)st->vram_gpa);
		return -1;
	}
	return 0;
}

void cirrus_load_state(struct cirrus *s, const struct cirrus_state *st)
{
	struct accel *a = card_accel(s);

	/* The restored guest's frames first (new ones if it kept none): the BAR that follows moves them. */
	if (st->vram_gpa && a && a->ops->back_device_memory && !s->vram_backed) {
		uint64_t at = st->vram_gpa == CIRRUS_VRAM_NOT_SAVED ? ACCEL_UNMAPPED : st->vram_gpa;
		uint32_t size = st->vram_gpa == CIRRUS_VRAM_NOT_SAVED ? s->vram_size : st->vram_size;

		if (a->ops->back_device_memory(a, DEVMEM_VRAM, at, size, s->vram)) {
			log_error("cirrus", "cannot map the guest's VRAM at %#llx: the screen stays blank",
				  (unsigned long long)at);
		} else {
			s->vram_backed = true;
			s->frames_size = size;
		}
	}
	if (st->vram_gpa == CIRRUS_VRAM_NOT_SAVED && !s->vram_backed)
		memset(s->vram, 0, s->vram_size);
	if (s->vram_mapped && a->ops->map_device_memory(a, DEVMEM_VRAM, ACCEL_UNMAPPED, s->frames_size, s->vram) == 0)
		s->vram_mapped = false;
	cirrus_blt_reset(&s->blt, s->vga.r.gr);
	vga_load_regs(&s->vga, &st->r, false);
	s->vga.r.vbe_bank_mask = 0; /* no VBE here: what the reset left */
	s->ext = st->ext;
	/* QEMU's cirrus_post_load: GR00/GR01 from their shadows, the banks, the memory access. */
	s->vga.r.gr[0x00] = s->ext.shadow_gr0 & 0x0f;
	s->vga.r.gr[0x01] = s->ext.shadow_gr1 & 0x0f;
	s->vga.r.gr[0x31] &= (uint8_t)~(CIRRUS_BLT_BUSY | CIRRUS_BLT_START | CIRRUS_BLT_FIFOUSED);
	update_bank(s, 0);
	update_bank(s, 1);
	/* The BAR comes back with the PCI state: VRAM goes there if the mode is linear. */
	pci_load_state(&s->pci, &st->pci);
	s->bar0 = s->pci.bars[0].addr;
	update_memory_access(s);
	s->vga.full_update = true;
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(cirrus_reset, struct cirrus)
DEV_OPS_DESTROY(cirrus_destroy, struct cirrus)
DEV_OPS_SAVE(cirrus_save_state, struct cirrus, struct cirrus_state)
DEV_OPS_CHECK(cirrus_check_state, struct cirrus, struct cirrus_state)
DEV_OPS_LOAD(cirrus_load_state, struct cirrus, struct cirrus_state)

const struct dev_ops cirrus_ops = {
	.name = "cirrus-vga", .record = "cirrus_vga", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
