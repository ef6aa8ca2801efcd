/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VGA core both display cards share (stdvga here, Cirrus next): the
 * legacy register set at 0x3b0-0x3df, the 0xa0000-0xbffff window onto the
 * four memory planes, and the Bochs VBE/DISPI registers. Guest-visible
 * behaviour follows QEMU 7.2 (hw/display/vga.c), which is what the stock
 * device model showed the guests hvmdm takes over.
 *
 * VRAM is owned by the card (plain memory in tests; guest memory under Xen
 * and a memory slot on KVM): the core only reads and writes it through the
 * window and marks what it wrote in a dirty bitmap of 4 KiB pages, which the
 * renderer (vga_render.c) consumes. Every address the guest computes is
 * bounded by vram_size before it is used.
 *
 * Planes are interleaved as QEMU keeps them: plane p of planar address a is
 * byte 4 * a + p of VRAM.
 */
#ifndef HVMDM_VGA_H
#define HVMDM_VGA_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/bus.h"

/* Ports, as the guest addresses them (QEMU's vga_regs.h names). */
#define VGA_ATT_W 0x3c0     /* attribute index/data, flip-flop */
#define VGA_ATT_R 0x3c1
#define VGA_MIS_W 0x3c2     /* write: misc output */
#define VGA_IS0_R 0x3c2     /* read: input status 0 */
#define VGA_SEQ_I 0x3c4
#define VGA_SEQ_D 0x3c5
#define VGA_PEL_MSK 0x3c6
#define VGA_PEL_IR 0x3c7    /* write: DAC read index; read: DAC state */
#define VGA_PEL_IW 0x3c8
#define VGA_PEL_D 0x3c9
#define VGA_FTC_R 0x3ca     /* read: feature control */
#define VGA_MIS_R 0x3cc     /* read: misc output */
#define VGA_GFX_I 0x3ce
#define VGA_GFX_D 0x3cf
#define VGA_CRT_IM 0x3b4    /* mono CRTC index/data */
#define VGA_CRT_DM 0x3b5
#define VGA_IS1_RM 0x3ba    /* mono input status 1 / feature control write */
#define VGA_CRT_IC 0x3d4    /* colour CRTC index/data */
#define VGA_CRT_DC 0x3d5
#define VGA_IS1_RC 0x3da    /* colour input status 1 / feature control write */

/* Registers the core interprets. */
#define VGA_SEQ_CLOCK_MODE 0x01
#define VGA_SEQ_PLANE_WRITE 0x02
#define VGA_SEQ_CHARACTER_MAP 0x03
#define VGA_SEQ_MEMORY_MODE 0x04
#define VGA_SR01_CHAR_CLK_8DOTS 0x01
#define VGA_SR01_SCREEN_OFF 0x20
#define VGA_SR04_CHN_4M 0x08

#define VGA_GFX_SR_VALUE 0x00
#define VGA_GFX_SR_ENABLE 0x01
#define VGA_GFX_COMPARE_VALUE 0x02
#define VGA_GFX_DATA_ROTATE 0x03
#define VGA_GFX_PLANE_READ 0x04
#define VGA_GFX_MODE 0x05
#define VGA_GFX_MISC 0x06
#define VGA_GFX_COMPARE_MASK 0x07
#define VGA_GFX_BIT_MASK 0x08

#define VGA_ATC_MODE 0x10
#define VGA_ATC_OVERSCAN 0x11
#define VGA_ATC_PLANE_ENABLE 0x12
#define VGA_ATC_PEL 0x13
#define VGA_ATC_COLOR_PAGE 0x14
#define VGA_ATT_REGS 21

/* The sequencer and graphics registers a standard VGA has (and its save records carry). */
#define VGA_STD_SR 8
#define VGA_STD_GR 16

#define VGA_CRTC_H_DISP 0x01
#define VGA_CRTC_OVERFLOW 0x07
#define VGA_CRTC_MAX_SCAN 0x09
#define VGA_CRTC_CURSOR_START 0x0a
#define VGA_CRTC_CURSOR_END 0x0b
#define VGA_CRTC_START_HI 0x0c
#define VGA_CRTC_START_LO 0x0d
#define VGA_CRTC_CURSOR_HI 0x0e
#define VGA_CRTC_CURSOR_LO 0x0f
#define VGA_CRTC_V_SYNC_END 0x11
#define VGA_CRTC_V_DISP_END 0x12
#define VGA_CRTC_OFFSET 0x13
#define VGA_CRTC_MODE 0x17
#define VGA_CRTC_LINE_COMPARE 0x18

#define VGA_MIS_COLOR 0x01
#define VGA_ST01_DISP_ENABLE 0x01
#define VGA_ST01_V_RETRACE 0x08

/* The legacy window: 128 KiB at 0xa0000. */
#define VGA_WINDOW_BASE 0xa0000
#define VGA_WINDOW_SIZE 0x20000

/* Bochs VBE/DISPI (QEMU's include/hw/display/bochs-vbe.h). */
#define VBE_DISPI_IOPORT_INDEX 0x1ce
#define VBE_DISPI_IOPORT_DATA 0x1cf
#define VBE_DISPI_INDEX_ID 0x0
#define VBE_DISPI_INDEX_XRES 0x1
#define VBE_DISPI_INDEX_YRES 0x2
#define VBE_DISPI_INDEX_BPP 0x3
#define VBE_DISPI_INDEX_ENABLE 0x4
#define VBE_DISPI_INDEX_BANK 0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH 0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT 0x7
#define VBE_DISPI_INDEX_X_OFFSET 0x8
#define VBE_DISPI_INDEX_Y_OFFSET 0x9
#define VBE_DISPI_INDEX_NB 0xa /* the registers kept; 0xa (VIDEO_MEMORY_64K) is computed */
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa

#define VBE_DISPI_ID0 0xb0c0
#define VBE_DISPI_ID5 0xb0c5
#define VBE_DISPI_MAX_XRES 16000
#define VBE_DISPI_MAX_YRES 12000
#define VBE_DISPI_MAX_BPP 32

#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80

#define VGA_PAGE_SHIFT 12

struct vga;

/*
 * What a card adds to the core (Cirrus; stdvga adds nothing): registers the
 * core does not know, its own window decoding, and how its extended modes
 * are drawn (QEMU's get_bpp, get_offsets, get_resolution and cursor hooks).
 * Every hook is optional; a port or window hook returns true when it took
 * the access.
 */
struct vga_card_ops {
	bool (*port_read)(void *opaque, uint16_t port, uint8_t *val);
	bool (*port_write)(void *opaque, uint16_t port, uint8_t val);
	bool (*window_read)(void *opaque, uint32_t addr, uint8_t *val);
	bool (*window_write)(void *opaque, uint32_t addr, uint8_t val);
	/* 0: a standard VGA mode; else the depth of the card's own mode (8, 15, 16, 24, 32). */
	unsigned int (*bpp)(void *opaque);
	void (*offsets)(void *opaque, uint32_t *line_offset, uint32_t *start, uint32_t *line_compare);
	void (*resolution)(void *opaque, uint32_t *width, uint32_t *height);
	/* Draw the hardware cursor over screen row y (width pixels), after the row itself. */
	void (*cursor_row)(void *opaque, uint32_t y, uint32_t *row, uint32_t width);
};

struct vga_config {
	uint8_t *vram;      /* the card's memory, vram_size bytes */
	uint32_t vram_size; /* a power of two, at least 256 KiB */
	bool vbe;           /* the Bochs DISPI registers exist (stdvga) */
	/* Optional: the core wrote VRAM itself (the window, a mode's clear), for VRAM kept as guest frames. */
	void (*wrote)(void *opaque, uint64_t offset, uint64_t len);
	void *wrote_opaque;
	const struct vga_card_ops *card; /* NULL: a standard VGA */
	void *card_opaque;
};

/* Everything a guest sets, as plain fields; the save records carry these. */
struct vga_regs {
	uint32_t latch;
	uint8_t sr_index;
	uint8_t sr[256]; /* the VGA's 8 (VGA_STD_SR), then Cirrus's extensions */
	uint8_t gr_index;
	uint8_t gr[256]; /* the VGA's 16 (VGA_STD_GR), then Cirrus's extensions and BitBLT */
	uint8_t ar_index;
	uint8_t ar[VGA_ATT_REGS];
	int32_t ar_flip_flop;
	uint8_t cr_index;
	uint8_t cr[256];
	uint8_t msr, fcr, st00, st01;
	uint8_t dac_state, dac_sub_index, dac_read_index, dac_write_index;
	uint8_t dac_cache[3];
	uint8_t palette[768];
	int32_t bank_offset;
	uint16_t vbe_index;
	uint16_t vbe_regs[VBE_DISPI_INDEX_NB];
	uint32_t vbe_start_addr;
	uint32_t vbe_line_offset;
	uint32_t vbe_bank_mask;
};

/* A claimed block of legacy ports: its handler needs the block's first port. */
#define VGA_PORT_BLOCKS 5
struct vga_port_block {
	struct vga *vga;
	uint16_t base;
};

struct vga {
	struct vga_config cfg;
	struct vga_port_block blocks[VGA_PORT_BLOCKS];
	struct vga_regs r;
	/*
	 * VBE drives the VGA registers the renderer and the window read through
	 * a shadow sequencer (QEMU's sr_vbe): what the guest wrote stays in r.sr.
	 */
	uint8_t sr_vbe[8];
	/* 4 KiB VRAM pages written since the renderer last looked. */
	uint64_t *dirty;
	uint32_t dirty_words;
	/* A register that changes the picture as a whole was written. */
	bool full_update;
	/* Planes written since the renderer looked (bit 2: the font may have changed). */
	uint8_t plane_updated;
	/* Direct-colour VBE pixels big-endian (stdvga's extension register; x86 guests never set it). */
	bool big_endian_fb;
};

/*
 * What every card built on the core needs besides: VRAM page-aligned and
 * zero, as an accelerator maps it into the guest (KVM refuses anything
 * else). The VGA BIOS's ROM BAR is the PCI core's (pci_rom_image).
 */
uint8_t *vga_vram_alloc(uint32_t size);
void vga_vram_free(uint8_t *vram, uint32_t size);
uint32_t vga_pow2_at_least(uint64_t n);

/* Allocates the dirty bitmap; -EINVAL for a bad VRAM size, -ENOMEM. */
int vga_init(struct vga *v, const struct vga_config *cfg);
void vga_destroy(struct vga *v);
void vga_reset(struct vga *v);

/* Claim the legacy ports, the window and (with cfg.vbe) the DISPI ports. */
int vga_claim(struct vga *v, struct io_space *io, struct io_space *mmio);

/* The legacy ports, by port number (the MMIO BAR of stdvga reaches them too). */
uint8_t vga_port_read(struct vga *v, uint16_t port);
void vga_port_write(struct vga *v, uint16_t port, uint8_t val);
/* One byte of the legacy window, addr relative to 0xa0000 (< VGA_WINDOW_SIZE). */
uint8_t vga_window_read(struct vga *v, uint32_t addr);
void vga_window_write(struct vga *v, uint32_t addr, uint8_t val);
/* The DISPI registers (16-bit). */
uint16_t vbe_index_read(struct vga *v);
void vbe_index_write(struct vga *v, uint16_t val);
uint16_t vbe_data_read(struct vga *v);
void vbe_data_write(struct vga *v, uint16_t val);
bool vbe_enabled(const struct vga *v);

/* The sequencer as the window and the renderer see it (VBE's shadow when enabled). */
static inline uint8_t vga_sr(const struct vga *v, unsigned int idx)
{
	return vbe_enabled(v) ? v->sr_vbe[idx & 7] : v->r.sr[idx & 7];
}

/*
 * A saved register set: 0, or -1 with the field in err when it is one no
 * guest could have made (a DAC or flip-flop position out of range, a bank
 * outside VRAM, a VBE mode the DISPI registers would not have let stand).
 */
int vga_check_regs(const struct vga *v, const struct vga_regs *r, char *err, size_t errlen);
/* Take a checked register set: derived state (VBE's shadow sequencer) follows, the picture is redrawn. */
void vga_load_regs(struct vga *v, const struct vga_regs *r, bool big_endian_fb);

/* The card wrote VRAM itself (a blit, a linear write): marked changed and reported like the window's. */
void vga_vram_written(struct vga *v, uint64_t offset, uint64_t len);

/* Mark [offset, offset + len) of VRAM changed (clipped to VRAM). */
void vga_mark_dirty(struct vga *v, uint64_t offset, uint64_t len);
/* Whether any page of [offset, offset + len) changed; clipped to VRAM. */
bool vga_is_dirty(const struct vga *v, uint64_t offset, uint64_t len);
void vga_clear_dirty(struct vga *v);

#endif
