// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VGA core: legacy registers, the planar window, Bochs VBE (see vga.h).
 * Behaviour matches QEMU 7.2 hw/display/vga.c (vga_ioport_read/write,
 * vga_mem_readb/writeb, vbe_ioport_*, vbe_fixup_regs); written anew here.
 */
#include "vga.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Writable bits of each sequencer and graphics register (QEMU's sr_mask/gr_mask). */
static const uint8_t sr_mask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff };
static const uint8_t gr_mask[16] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f,
				     0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

/* Four plane-enable bits spread to the four bytes of a latch word. */
static uint32_t expand4(unsigned int bits)
{
	uint32_t v = 0;

	for (unsigned int p = 0; p < 4; p++)
		if (bits & (1u << p))
			v |= 0xffu << (8 * p);
	return v;
}

static uint32_t vram_word(const struct vga *v, uint32_t index)
{
	const uint8_t *p = v->cfg.vram + 4 * (uint64_t)index;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void vram_set_word(struct vga *v, uint32_t index, uint32_t val)
{
	uint8_t *p = v->cfg.vram + 4 * (uint64_t)index;

	p[0] = (uint8_t)val;
	p[1] = (uint8_t)(val >> 8);
	p[2] = (uint8_t)(val >> 16);
	p[3] = (uint8_t)(val >> 24);
}

/* ------------------------------------------------------------ dirty pages */

void vga_mark_dirty(struct vga *v, uint64_t offset, uint64_t len)
{
	uint64_t first, last;

	if (!len || offset >= v->cfg.vram_size)
		return;
	if (len > v->cfg.vram_size - offset)
		len = v->cfg.vram_size - offset;
	first = offset >> VGA_PAGE_SHIFT;
	last = (offset + len - 1) >> VGA_PAGE_SHIFT;
	for (uint64_t page = first; page <= last; page++)
		v->dirty[page / 64] |= 1ull << (page % 64);
}

/* The device model wrote VRAM itself: dirty for the renderer, and told to whoever keeps VRAM. */
static void vga_wrote(struct vga *v, uint64_t offset, uint64_t len)
{
	vga_mark_dirty(v, offset, len);
	if (v->cfg.wrote)
		v->cfg.wrote(v->cfg.wrote_opaque, offset, len);
}

void vga_vram_written(struct vga *v, uint64_t offset, uint64_t len)
{
	vga_wrote(v, offset, len);
}

bool vga_is_dirty(const struct vga *v, uint64_t offset, uint64_t len)
{
	uint64_t first, last;

	if (!len || offset >= v->cfg.vram_size)
		return false;
	if (len > v->cfg.vram_size - offset)
		len = v->cfg.vram_size - offset;
	first = offset >> VGA_PAGE_SHIFT;
	last = (offset + len - 1) >> VGA_PAGE_SHIFT;
	for (uint64_t page = first; page <= last; page++)
		if (v->dirty[page / 64] & (1ull << (page % 64)))
			return true;
	return false;
}

void vga_clear_dirty(struct vga *v)
{
	memset(v->dirty, 0, v->dirty_words * sizeof(*v->dirty));
}

static void vbe_update_vgaregs(struct vga *v);

/* ------------------------------------------------------------ legacy ports */

/* Colour emulation (MSR bit 0) answers at 0x3dx, monochrome at 0x3bx; the other set is absent. */
static bool port_absent(const struct vga *v, uint16_t port)
{
	if (v->r.msr & VGA_MIS_COLOR)
		return port >= 0x3b0 && port <= 0x3bf;
	return port >= 0x3d0 && port <= 0x3df;
}

uint8_t vga_port_read(struct vga *v, uint16_t port)
{
	struct vga_regs *r = &v->r;
	const struct vga_card_ops *card = v->cfg.card;
	uint8_t val;

	if (port_absent(v, port))
		return 0xff;
	if (card && card->port_read && card->port_read(v->cfg.card_opaque, port, &val))
		return val;
	switch (port) {
	case VGA_ATT_W:
		return r->ar_flip_flop == 0 ? r->ar_index : 0;
	case VGA_ATT_R:
		return (r->ar_index & 0x1f) < VGA_ATT_REGS ? r->ar[r->ar_index & 0x1f] : 0;
	case VGA_IS0_R:
		return r->st00;
	case VGA_SEQ_I:
		return r->sr_index;
	case VGA_SEQ_D:
		return r->sr[r->sr_index & 7];
	case VGA_PEL_IR:
		return r->dac_state;
	case VGA_PEL_IW:
		return r->dac_write_index;
	case VGA_PEL_D:
		val = r->palette[r->dac_read_index * 3 + r->dac_sub_index];
		if (++r->dac_sub_index == 3) {
			r->dac_sub_index = 0;
			r->dac_read_index++;
		}
		return val;
	case VGA_FTC_R:
		return r->fcr;
	case VGA_MIS_R:
		return r->msr;
	case VGA_GFX_I:
		return r->gr_index;
	case VGA_GFX_D:
		return r->gr[r->gr_index & 0x0f];
	case VGA_CRT_IM:
	case VGA_CRT_IC:
		return r->cr_index;
	case VGA_CRT_DM:
	case VGA_CRT_DC:
		return r->cr[r->cr_index];
	case VGA_IS1_RM:
	case VGA_IS1_RC:
		/* QEMU's default ("dumb") retrace: the bits toggle on every read, so polling loops end. */
		r->st01 ^= VGA_ST01_V_RETRACE | VGA_ST01_DISP_ENABLE;
		r->ar_flip_flop = 0;
		return r->st01;
	default:
		return 0;
	}
}

void vga_port_write(struct vga *v, uint16_t port, uint8_t val)
{
	struct vga_regs *r = &v->r;
	const struct vga_card_ops *card = v->cfg.card;
	unsigned int index;

	if (port_absent(v, port))
		return;
	if (card && card->port_write && card->port_write(v->cfg.card_opaque, port, val))
		return;
	switch (port) {
	case VGA_ATT_W:
		if (r->ar_flip_flop == 0) {
			r->ar_index = val & 0x3f;
		} else {
			index = r->ar_index & 0x1f;
			switch (index) {
			case VGA_ATC_MODE:
				r->ar[index] = val & ~0x10;
				break;
			case VGA_ATC_OVERSCAN:
				r->ar[index] = val;
				break;
			case VGA_ATC_PLANE_ENABLE:
				r->ar[index] = val & ~0xc0;
				break;
			case VGA_ATC_PEL:
			case VGA_ATC_COLOR_PAGE:
				r->ar[index] = val & ~0xf0;
				break;
			default:
				if (index < 0x10) /* the 16 palette registers */
					r->ar[index] = val & 0x3f;
				break;
			}
			v->full_update = true;
		}
		r->ar_flip_flop ^= 1;
		break;
	case VGA_MIS_W:
		r->msr = val & ~0x10;
		v->full_update = true;
		break;
	case VGA_SEQ_I:
		r->sr_index = val & 7;
		break;
	case VGA_SEQ_D:
		r->sr[r->sr_index & 7] = val & sr_mask[r->sr_index & 7];
		v->full_update = true;
		break;
	case VGA_PEL_IR:
		r->dac_read_index = val;
		r->dac_sub_index = 0;
		r->dac_state = 3;
		break;
	case VGA_PEL_IW:
		r->dac_write_index = val;
		r->dac_sub_index = 0;
		r->dac_state = 0;
		break;
	case VGA_PEL_D:
		r->dac_cache[r->dac_sub_index] = val;
		if (++r->dac_sub_index == 3) {
			memcpy(&r->palette[r->dac_write_index * 3], r->dac_cache, 3);
			r->dac_sub_index = 0;
			r->dac_write_index++;
			v->full_update = true;
		}
		break;
	case VGA_GFX_I:
		r->gr_index = val & 0x0f;
		break;
	case VGA_GFX_D:
		r->gr[r->gr_index & 0x0f] = val & gr_mask[r->gr_index & 0x0f];
		vbe_update_vgaregs(v); /* while VBE is on, its settings win at once */
		v->full_update = true;
		break;
	case VGA_CRT_IM:
	case VGA_CRT_IC:
		r->cr_index = val;
		break;
	case VGA_CRT_DM:
	case VGA_CRT_DC:
		/* CR11 bit 7 protects CR00-CR07, except CR07's line-compare bit 4. */
		if ((r->cr[VGA_CRTC_V_SYNC_END] & 0x80) && r->cr_index <= VGA_CRTC_OVERFLOW) {
			if (r->cr_index == VGA_CRTC_OVERFLOW)
				r->cr[VGA_CRTC_OVERFLOW] = (uint8_t)((r->cr[VGA_CRTC_OVERFLOW] & ~0x10) |
								     (val & 0x10));
		} else {
			r->cr[r->cr_index] = val;
		}
		vbe_update_vgaregs(v);
		v->full_update = true;
		break;
	case VGA_IS1_RM:
	case VGA_IS1_RC:
		r->fcr = val & 0x10;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ the window */

/*
 * The planar (or byte) address a window offset selects under GR06's memory
 * map, or -1 when the offset is outside the mapped part (reads 0xff).
 */
static int64_t window_address(const struct vga *v, uint32_t addr)
{
	addr &= VGA_WINDOW_SIZE - 1;
	switch ((v->r.gr[VGA_GFX_MISC] >> 2) & 3) {
	case 0: /* 0xa0000, 128 KiB */
		return addr;
	case 1: /* 0xa0000, 64 KiB, banked */
		if (addr >= 0x10000)
			return -1;
		return (int64_t)addr + v->r.bank_offset;
	case 2: /* 0xb0000, 32 KiB */
		if (addr < 0x10000 || addr >= 0x18000)
			return -1;
		return addr - 0x10000;
	default: /* 0xb8000, 32 KiB */
		if (addr < 0x18000)
			return -1;
		return addr - 0x18000;
	}
}

uint8_t vga_window_read(struct vga *v, uint32_t addr)
{
	struct vga_regs *r = &v->r;
	const struct vga_card_ops *card = v->cfg.card;
	int64_t a;
	unsigned int plane;
	uint32_t ret;
	uint8_t byte;

	if (card && card->window_read && card->window_read(v->cfg.card_opaque, addr, &byte))
		return byte;
	a = window_address(v, addr);
	if (a < 0)
		return 0xff;
	if (vga_sr(v, VGA_SEQ_MEMORY_MODE) & VGA_SR04_CHN_4M) {
		/* Chain 4: the window is VRAM byte for byte (QEMU 7.2). */
		return a < v->cfg.vram_size ? v->cfg.vram[a] : 0xff;
	}
	if (r->gr[VGA_GFX_MODE] & 0x10) {
		/* Odd/even (text): the address's low bit picks plane 0/1 (or 2/3). */
		plane = (r->gr[VGA_GFX_PLANE_READ] & 2) | (a & 1);
		a = ((a & ~1ll) << 1) | plane;
		return a < v->cfg.vram_size ? v->cfg.vram[a] : 0xff;
	}
	if (4 * (uint64_t)a + 4 > v->cfg.vram_size)
		return 0xff;
	/* Planar: every read loads the latches. */
	r->latch = vram_word(v, (uint32_t)a);
	if (!(r->gr[VGA_GFX_MODE] & 0x08)) {
		/* Read mode 0: one plane. */
		return (uint8_t)(r->latch >> (8 * (r->gr[VGA_GFX_PLANE_READ] & 3)));
	}
	/* Read mode 1: 1 where all cared-about planes equal the colour compare value. */
	ret = (r->latch ^ expand4(r->gr[VGA_GFX_COMPARE_VALUE])) & expand4(r->gr[VGA_GFX_COMPARE_MASK]);
	ret |= ret >> 16;
	ret |= ret >> 8;
	return (uint8_t)~ret;
}

void vga_window_write(struct vga *v, uint32_t addr, uint8_t byte)
{
	struct vga_regs *r = &v->r;
	const struct vga_card_ops *card = v->cfg.card;
	int64_t a;
	unsigned int plane, mask, rotate;
	uint32_t val, bit_mask, set_mask, write_mask;

	if (card && card->window_write && card->window_write(v->cfg.card_opaque, addr, byte))
		return;
	a = window_address(v, addr);
	if (a < 0)
		return;
	if (vga_sr(v, VGA_SEQ_MEMORY_MODE) & VGA_SR04_CHN_4M) {
		plane = a & 3;
		if ((vga_sr(v, VGA_SEQ_PLANE_WRITE) & (1u << plane)) && a < v->cfg.vram_size) {
			v->cfg.vram[a] = byte;
			v->plane_updated |= 1u << plane;
			vga_wrote(v, (uint64_t)a, 1);
		}
		return;
	}
	if (r->gr[VGA_GFX_MODE] & 0x10) {
		plane = (r->gr[VGA_GFX_PLANE_READ] & 2) | (a & 1);
		if (!(vga_sr(v, VGA_SEQ_PLANE_WRITE) & (1u << plane)))
			return;
		a = ((a & ~1ll) << 1) | plane;
		if (a < v->cfg.vram_size) {
			v->cfg.vram[a] = byte;
			v->plane_updated |= 1u << plane;
			vga_wrote(v, (uint64_t)a, 1);
		}
		return;
	}
	if (4 * (uint64_t)a + 4 > v->cfg.vram_size)
		return;
	rotate = r->gr[VGA_GFX_DATA_ROTATE] & 7;
	bit_mask = r->gr[VGA_GFX_BIT_MASK];
	switch (r->gr[VGA_GFX_MODE] & 3) {
	case 0:
		val = (uint8_t)((byte >> rotate) | (byte << (8 - rotate)));
		val |= val << 8;
		val |= val << 16;
		set_mask = expand4(r->gr[VGA_GFX_SR_ENABLE]);
		val = (val & ~set_mask) | (expand4(r->gr[VGA_GFX_SR_VALUE]) & set_mask);
		break;
	case 1:
		/* The latches, as they are: no logical operation, no bit mask. */
		val = r->latch;
		goto store;
	case 2:
		val = expand4(byte & 0x0f);
		break;
	default: /* 3 */
		val = (uint8_t)((byte >> rotate) | (byte << (8 - rotate)));
		bit_mask &= val;
		val = expand4(r->gr[VGA_GFX_SR_VALUE]);
		break;
	}
	switch (r->gr[VGA_GFX_DATA_ROTATE] >> 3) {
	case 1:
		val &= r->latch;
		break;
	case 2:
		val |= r->latch;
		break;
	case 3:
		val ^= r->latch;
		break;
	default:
		break;
	}
	bit_mask |= bit_mask << 8;
	bit_mask |= bit_mask << 16;
	val = (val & bit_mask) | (r->latch & ~bit_mask);
store:
	mask = vga_sr(v, VGA_SEQ_PLANE_WRITE);
	v->plane_updated |= mask;
	write_mask = expand4(mask);
	vram_set_word(v, (uint32_t)a, (vram_word(v, (uint32_t)a) & ~write_mask) | (val & write_mask));
	vga_wrote(v, 4 * (uint64_t)a, 4);
}

/* ------------------------------------------------------------ Bochs VBE */

bool vbe_enabled(const struct vga *v)
{
	return v->cfg.vbe && (v->r.vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED);
}

/*
 * Make the mode registers consistent and every later address computation
 * safe: resolution aligned and clamped, virtual width at least the width,
 * the visible page inside VRAM (QEMU's vbe_fixup_regs).
 */
static void vbe_fixup(struct vga *v)
{
	uint16_t *reg = v->r.vbe_regs;
	uint32_t bits, linelength, maxy, offset;

	if (!vbe_enabled(v))
		return;
	switch (reg[VBE_DISPI_INDEX_BPP]) {
	case 4: case 8: case 15: case 16: case 24: case 32:
		break;
	default:
		reg[VBE_DISPI_INDEX_BPP] = 8;
		break;
	}
	bits = reg[VBE_DISPI_INDEX_BPP] == 15 ? 16 : reg[VBE_DISPI_INDEX_BPP];
	reg[VBE_DISPI_INDEX_XRES] &= ~7u;
	if (reg[VBE_DISPI_INDEX_XRES] == 0)
		reg[VBE_DISPI_INDEX_XRES] = 8;
	if (reg[VBE_DISPI_INDEX_XRES] > VBE_DISPI_MAX_XRES)
		reg[VBE_DISPI_INDEX_XRES] = VBE_DISPI_MAX_XRES;
	reg[VBE_DISPI_INDEX_VIRT_WIDTH] &= ~7u;
	if (reg[VBE_DISPI_INDEX_VIRT_WIDTH] > VBE_DISPI_MAX_XRES)
		reg[VBE_DISPI_INDEX_VIRT_WIDTH] = VBE_DISPI_MAX_XRES;
	if (reg[VBE_DISPI_INDEX_VIRT_WIDTH] < reg[VBE_DISPI_INDEX_XRES])
		reg[VBE_DISPI_INDEX_VIRT_WIDTH] = reg[VBE_DISPI_INDEX_XRES];
	if (reg[VBE_DISPI_INDEX_YRES] == 0)
		reg[VBE_DISPI_INDEX_YRES] = 1;
	if (reg[VBE_DISPI_INDEX_YRES] > VBE_DISPI_MAX_YRES)
		reg[VBE_DISPI_INDEX_YRES] = VBE_DISPI_MAX_YRES;

	/* Bytes per line; with 4 bpp the planes hold it, so a line is a quarter. */
	linelength = reg[VBE_DISPI_INDEX_VIRT_WIDTH] * bits / 8;
	maxy = v->cfg.vram_size / linelength;
	if (reg[VBE_DISPI_INDEX_YRES] > maxy)
		reg[VBE_DISPI_INDEX_YRES] = (uint16_t)maxy;
	if (reg[VBE_DISPI_INDEX_X_OFFSET] > VBE_DISPI_MAX_XRES)
		reg[VBE_DISPI_INDEX_X_OFFSET] = VBE_DISPI_MAX_XRES;
	if (reg[VBE_DISPI_INDEX_Y_OFFSET] > VBE_DISPI_MAX_YRES)
		reg[VBE_DISPI_INDEX_Y_OFFSET] = VBE_DISPI_MAX_YRES;
	offset = reg[VBE_DISPI_INDEX_X_OFFSET] * bits / 8 + reg[VBE_DISPI_INDEX_Y_OFFSET] * linelength;
	if (offset + reg[VBE_DISPI_INDEX_YRES] * linelength > v->cfg.vram_size) {
		reg[VBE_DISPI_INDEX_Y_OFFSET] = 0;
		offset = reg[VBE_DISPI_INDEX_X_OFFSET] * bits / 8;
		if (offset + reg[VBE_DISPI_INDEX_YRES] * linelength > v->cfg.vram_size) {
			reg[VBE_DISPI_INDEX_X_OFFSET] = 0;
			offset = 0;
		}
	}
	reg[VBE_DISPI_INDEX_VIRT_HEIGHT] = (uint16_t)maxy; /* truncated, as QEMU stores it */
	v->r.vbe_line_offset = linelength;
	v->r.vbe_start_addr = offset / 4;
}

/*
 * Program the (shadow) VGA registers for a VBE mode, so the window and the
 * renderer's VGA paths see a graphics mode (QEMU's vbe_update_vgaregs).
 */
static void vbe_update_vgaregs(struct vga *v)
{
	struct vga_regs *r = &v->r;
	unsigned int h, shift_control;

	if (!vbe_enabled(v))
		return;
	/* Graphics mode, memory map 0xa0000/64 KiB. */
	r->gr[VGA_GFX_MISC] = (uint8_t)((r->gr[VGA_GFX_MISC] & ~0x0c) | 0x04 | 0x01);
	r->cr[VGA_CRTC_MODE] |= 3; /* no CGA modes */
	r->cr[VGA_CRTC_OFFSET] = (uint8_t)(r->vbe_line_offset >> 3);
	/* Width in characters, height in lines. */
	r->cr[VGA_CRTC_H_DISP] = (uint8_t)((r->vbe_regs[VBE_DISPI_INDEX_XRES] >> 3) - 1);
	h = r->vbe_regs[VBE_DISPI_INDEX_YRES] - 1u;
	r->cr[VGA_CRTC_V_DISP_END] = (uint8_t)h;
	r->cr[VGA_CRTC_OVERFLOW] = (uint8_t)((r->cr[VGA_CRTC_OVERFLOW] & ~0x42) | ((h >> 7) & 0x02) |
					     ((h >> 3) & 0x40));
	/* Line compare to the maximum. */
	r->cr[VGA_CRTC_LINE_COMPARE] = 0xff;
	r->cr[VGA_CRTC_OVERFLOW] |= 0x10;
	r->cr[VGA_CRTC_MAX_SCAN] |= 0x40;
	if (r->vbe_regs[VBE_DISPI_INDEX_BPP] == 4) {
		shift_control = 0;
		v->sr_vbe[VGA_SEQ_CLOCK_MODE] &= ~8; /* no double line */
	} else {
		shift_control = 2;
		/* Chain 4 for the linear modes. */
		v->sr_vbe[VGA_SEQ_MEMORY_MODE] |= VGA_SR04_CHN_4M;
		/* All planes writable. */
		v->sr_vbe[VGA_SEQ_PLANE_WRITE] |= 0x0f;
	}
	r->gr[VGA_GFX_MODE] = (uint8_t)((r->gr[VGA_GFX_MODE] & ~0x60) | (shift_control << 5));
	r->cr[VGA_CRTC_MAX_SCAN] &= ~0x9f; /* no double scan */
}

uint16_t vbe_index_read(struct vga *v)
{
	return v->r.vbe_index;
}

void vbe_index_write(struct vga *v, uint16_t val)
{
	v->r.vbe_index = val;
}

uint16_t vbe_data_read(struct vga *v)
{
	const uint16_t *reg = v->r.vbe_regs;
	unsigned int index = v->r.vbe_index;

	if (index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K)
		return (uint16_t)(v->cfg.vram_size >> 16);
	if (index >= VBE_DISPI_INDEX_NB)
		return 0;
	if (reg[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
		switch (index) {
		case VBE_DISPI_INDEX_XRES:
			return VBE_DISPI_MAX_XRES;
		case VBE_DISPI_INDEX_YRES:
			return VBE_DISPI_MAX_YRES;
		case VBE_DISPI_INDEX_BPP:
			return VBE_DISPI_MAX_BPP;
		default:
			break;
		}
	}
	return reg[index];
}

void vbe_data_write(struct vga *v, uint16_t val)
{
	struct vga_regs *r = &v->r;
	uint16_t *reg = r->vbe_regs;
	unsigned int index = r->vbe_index;
	bool was_enabled;

	if (index >= VBE_DISPI_INDEX_NB)
		return;
	switch (index) {
	case VBE_DISPI_INDEX_ID:
		if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
			reg[index] = val;
		break;
	case VBE_DISPI_INDEX_XRES:
	case VBE_DISPI_INDEX_YRES:
	case VBE_DISPI_INDEX_BPP:
	case VBE_DISPI_INDEX_VIRT_WIDTH:
	case VBE_DISPI_INDEX_X_OFFSET:
	case VBE_DISPI_INDEX_Y_OFFSET:
		reg[index] = val;
		vbe_fixup(v);
		vbe_update_vgaregs(v);
		v->full_update = true;
		break;
	case VBE_DISPI_INDEX_BANK:
		val &= (uint16_t)r->vbe_bank_mask;
		reg[index] = val;
		r->bank_offset = (int32_t)((uint32_t)val << 16);
		break;
	case VBE_DISPI_INDEX_ENABLE:
		was_enabled = reg[index] & VBE_DISPI_ENABLED;
		if ((val & VBE_DISPI_ENABLED) && !was_enabled) {
			reg[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
			reg[VBE_DISPI_INDEX_X_OFFSET] = 0;
			reg[VBE_DISPI_INDEX_Y_OFFSET] = 0;
			reg[index] |= VBE_DISPI_ENABLED;
			vbe_fixup(v);
			if (!(val & VBE_DISPI_NOCLEARMEM)) {
				/* From VRAM 0, not the display start, YRES lines (within VRAM after the fix-up). */
				uint64_t len = (uint64_t)reg[VBE_DISPI_INDEX_YRES] * r->vbe_line_offset;

				memset(v->cfg.vram, 0, len);
				vga_wrote(v, 0, len);
			}
			/* The shadow sequencer is never copied from the guest's: QEMU ORs bits into it. */
			vbe_update_vgaregs(v);
		} else {
			/* Disabling, or writing ENABLE again: only the bank goes; VGA registers stay as VBE set them. */
			r->bank_offset = 0;
		}
		reg[index] = val;
		v->full_update = true;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ bus glue */

/*
 * The legacy blocks behave as QEMU's byte-wide portio entries
 * (softmmu/ioport.c portio_read/portio_write): a byte reaches the register,
 * a 16-bit access is two bytes (the second only inside the block: the bus
 * already cut it there), and a 32-bit access reads all-ones and writes
 * nothing.
 */
static uint64_t legacy_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct vga_port_block *b = opaque;
	uint16_t port = (uint16_t)(b->base + offset);

	if (size == 1)
		return vga_port_read(b->vga, port);
	if (size == 2)
		return vga_port_read(b->vga, port) | (uint64_t)vga_port_read(b->vga, (uint16_t)(port + 1)) << 8;
	return size_mask(size);
}

static void legacy_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	struct vga_port_block *b = opaque;
	uint16_t port = (uint16_t)(b->base + offset);

	if (size == 1 || size == 2)
		vga_port_write(b->vga, port, (uint8_t)val);
	if (size == 2)
		vga_port_write(b->vga, (uint16_t)(port + 1), (uint8_t)(val >> 8));
}

static const struct io_ops legacy_ops = {
	.read = legacy_read, .write = legacy_write, .impl_min = 1, .impl_max = 4, .unaligned = true,
};

static uint64_t window_read(void *opaque, uint64_t offset, unsigned int size)
{
	(void)size;
	return vga_window_read(opaque, (uint32_t)offset);
}

static void window_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	(void)size;
	vga_window_write(opaque, (uint32_t)offset, (uint8_t)val);
}

static const struct io_ops window_ops = {
	.read = window_read, .write = window_write, .impl_min = 1, .impl_max = 1,
};

/*
 * 0x1ce: index; 0x1cf and 0x1d0: data (QEMU's vbe_portio_list for x86), in
 * a 4-port block as QEMU maps it. Its entries are 16-bit only: a 16-bit
 * access is taken whole, even at the odd port (SeaBIOS's inw(0x1cf)); any
 * other width reads all-ones and writes nothing (portio_read/portio_write).
 */
static uint64_t dispi_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct vga *v = opaque;

	if (size != 2 || offset > 2)
		return size_mask(size);
	return offset == 0 ? vbe_index_read(v) : vbe_data_read(v);
}

static void dispi_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	struct vga *v = opaque;

	if (size != 2 || offset > 2)
		return;
	if (offset == 0)
		vbe_index_write(v, (uint16_t)val);
	else
		vbe_data_write(v, (uint16_t)val);
}

static const struct io_ops dispi_ops = {
	.read = dispi_read, .write = dispi_write, .impl_min = 1, .impl_max = 4, .unaligned = true,
};

/* The legacy port blocks QEMU claims (vga_portio_list): the rest of 0x3b0-0x3df is nobody's. */
static const struct {
	uint16_t port, len;
} legacy_blocks[VGA_PORT_BLOCKS] = {
	{ 0x3b4, 2 }, { 0x3ba, 1 }, { 0x3c0, 16 }, { 0x3d4, 2 }, { 0x3da, 1 },
};

int vga_claim(struct vga *v, struct io_space *io, struct io_space *mmio)
{
	int rc = 0;

	for (unsigned int i = 0; !rc && i < VGA_PORT_BLOCKS; i++) {
		v->blocks[i] = (struct vga_port_block){ .vga = v, .base = legacy_blocks[i].port };
		rc = io_space_claim(io, legacy_blocks[i].port, legacy_blocks[i].len, &legacy_ops,
				    &v->blocks[i], "vga");
	}
	if (!rc)
		rc = io_space_claim(mmio, VGA_WINDOW_BASE, VGA_WINDOW_SIZE, &window_ops, v, "vga-window");
	if (!rc && v->cfg.vbe)
		rc = io_space_claim(io, VBE_DISPI_IOPORT_INDEX, 4, &dispi_ops, v, "vbe-dispi");
	return rc;
}

/* ------------------------------------------------------------ saved state */

static const char *const vbe_reg_names[VBE_DISPI_INDEX_NB] = {
	"ID", "XRES", "YRES", "BPP", "ENABLE", "BANK", "VIRT_WIDTH", "VIRT_HEIGHT", "X_OFFSET", "Y_OFFSET",
};

int vga_check_regs(const struct vga *v, const struct vga_regs *r, char *err, size_t errlen)
{
	struct vga fixed = *v;

	if (r->dac_sub_index > 2 || r->dac_state > 3) {
		snprintf(err, errlen, "vga: DAC position %u/state %u (a DAC colour has 3 parts)",
			 r->dac_sub_index, r->dac_state);
		return -1;
	}
	if (r->ar_flip_flop != 0 && r->ar_flip_flop != 1) {
		snprintf(err, errlen, "vga: attribute flip-flop %d (0 or 1)", r->ar_flip_flop);
		return -1;
	}
	if (r->bank_offset < 0 || (uint32_t)r->bank_offset >= v->cfg.vram_size || (r->bank_offset & 0xffff)) {
		snprintf(err, errlen, "vga: bank offset %#x is not a 64 KiB bank inside %u KiB of VRAM",
			 (uint32_t)r->bank_offset, v->cfg.vram_size >> 10);
		return -1;
	}
	if (!v->cfg.vbe)
		return 0;
	if (r->vbe_regs[VBE_DISPI_INDEX_ID] < VBE_DISPI_ID0 || r->vbe_regs[VBE_DISPI_INDEX_ID] > VBE_DISPI_ID5) {
		snprintf(err, errlen, "vga: VBE ID %#x (0xb0c0-0xb0c5)", r->vbe_regs[VBE_DISPI_INDEX_ID]);
		return -1;
	}
	if (!(r->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED))
		return 0;
	/* An enabled mode is what the DISPI registers leave after their fix-up: it must not move. */
	fixed.r = *r;
	vbe_fixup(&fixed);
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++) {
		if (fixed.r.vbe_regs[i] != r->vbe_regs[i]) {
			snprintf(err, errlen, "vga: VBE register %s is %u, which the %ux%u mode in %u KiB of VRAM does not allow (%u)",
				 vbe_reg_names[i], r->vbe_regs[i], r->vbe_regs[VBE_DISPI_INDEX_XRES],
				 r->vbe_regs[VBE_DISPI_INDEX_YRES], v->cfg.vram_size >> 10, fixed.r.vbe_regs[i]);
			return -1;
		}
	}
	if (fixed.r.vbe_line_offset != r->vbe_line_offset || fixed.r.vbe_start_addr != r->vbe_start_addr) {
		snprintf(err, errlen, "vga: VBE line length %u and start %#x disagree with the mode (%u, %#x)",
			 r->vbe_line_offset, r->vbe_start_addr, fixed.r.vbe_line_offset, fixed.r.vbe_start_addr);
		return -1;
	}
	return 0;
}

void vga_load_regs(struct vga *v, const struct vga_regs *r, bool big_endian_fb)
{
	v->r = *r;
	v->r.vbe_bank_mask = (v->cfg.vram_size >> 16) - 1;
	v->big_endian_fb = big_endian_fb;
	/* QEMU's post-load: the shadow sequencer starts clear and takes VBE's bits. */
	memset(v->sr_vbe, 0, sizeof(v->sr_vbe));
	vbe_update_vgaregs(v);
	v->plane_updated = 0x0f;
	v->full_update = true;
	vga_mark_dirty(v, 0, v->cfg.vram_size);
}

/* ------------------------------------------------------------ the cards' shared pieces */

uint8_t *vga_vram_alloc(uint32_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void vga_vram_free(uint8_t *vram, uint32_t size)
{
	if (vram)
		munmap(vram, size);
}

uint32_t vga_pow2_at_least(uint64_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* ------------------------------------------------------------ life cycle */

void vga_reset(struct vga *v)
{
	memset(&v->r, 0, sizeof(v->r));
	memset(v->sr_vbe, 0, sizeof(v->sr_vbe));
	v->big_endian_fb = false;
	v->r.vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
	v->r.vbe_bank_mask = (v->cfg.vram_size >> 16) - 1;
	v->full_update = true;
	vga_mark_dirty(v, 0, v->cfg.vram_size);
}

int vga_init(struct vga *v, const struct vga_config *cfg)
{
	uint32_t pages;

	memset(v, 0, sizeof(*v));
	/* A power of two, as QEMU rounds vgamem_mb: renderer addresses wrap with a mask. */
	if (!cfg->vram || cfg->vram_size < 0x40000 || (cfg->vram_size & (cfg->vram_size - 1)))
		return -EINVAL;
	v->cfg = *cfg;
	pages = (cfg->vram_size + (1u << VGA_PAGE_SHIFT) - 1) >> VGA_PAGE_SHIFT;
	v->dirty_words = (pages + 63) / 64;
	v->dirty = calloc(v->dirty_words, sizeof(*v->dirty));
	if (!v->dirty)
		return -ENOMEM;
	vga_reset(v);
	return 0;
}

void vga_destroy(struct vga *v)
{
	free(v->dirty);
	v->dirty = NULL;
}
