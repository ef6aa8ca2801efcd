/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Cirrus CL-GD5446 BitBLT engine, as QEMU 7.2 emulates it
 * (hw/display/cirrus_vga.c cirrus_bitblt_*, cirrus_vga_rop.h, cirrus_vga_rop2.h);
 * written anew here. The card owns the graphics-controller registers and
 * VRAM; it calls cirrus_blt_start() when the guest sets GR31's start bit
 * (or writes GR2A with GR31's autostart bit set, as QEMU does), routes
 * window / linear-aperture writes to cirrus_blt_cpu_write() while
 * cirrus_blt_wants_cpu_data(), and calls cirrus_blt_reset() when GR31's
 * reset bit falls, on a card reset and after a state load.
 *
 * Every blit is checked whole before a byte moves: QEMU's checks
 * (blit_is_unsafe, the pattern check) plus the exact bytes each pixel
 * writes (QEMU masks stray ones back into VRAM; here a blit whose writes
 * would leave VRAM is refused). A refused blit writes nothing, clears GR31's
 * busy/start bits and is logged, rate-limited.
 */
#ifndef HVMDM_CIRRUS_BLT_H
#define HVMDM_CIRRUS_BLT_H

#include <stdbool.h>
#include <stdint.h>

#define CIRRUS_BLT_BUFSIZE (2048 * 4) /* one line of CPU source data, as QEMU's cirrus_bltbuf */

/* GR30: BLT mode */
#define CIRRUS_BLTMODE_BACKWARDS 0x01
#define CIRRUS_BLTMODE_MEMSYSDEST 0x02
#define CIRRUS_BLTMODE_MEMSYSSRC 0x04
#define CIRRUS_BLTMODE_TRANSPARENTCOMP 0x08
#define CIRRUS_BLTMODE_PIXELWIDTHMASK 0x30
#define CIRRUS_BLTMODE_PATTERNCOPY 0x40
#define CIRRUS_BLTMODE_COLOREXPAND 0x80
/* GR31: start/status */
#define CIRRUS_BLT_BUSY 0x01
#define CIRRUS_BLT_START 0x02
#define CIRRUS_BLT_RESET 0x04
#define CIRRUS_BLT_FIFOUSED 0x10
#define CIRRUS_BLT_AUTOSTART 0x80
/* GR33: BLT mode extensions */
#define CIRRUS_BLTMODEEXT_DWORDGRANULARITY 0x01
#define CIRRUS_BLTMODEEXT_COLOREXPINV 0x02
#define CIRRUS_BLTMODEEXT_SOLIDFILL 0x04

/* The card's VRAM as the blitter sees it. */
struct cirrus_blt_vram {
	uint8_t *vram;
	uint32_t size;  /* addressable bytes, a power of two (4 MiB on the 5446): blit addresses are masked with size - 1 */
	/* Called for every VRAM range the blitter wrote (the display redraws it, live migration resends it). */
	void (*dirty)(void *opaque, uint32_t offset, uint32_t len);
	void *opaque;
};

/* The pixel loop a blit runs (QEMU's rop function tables, by kind). */
enum cirrus_blt_kind {
	CIRRUS_BLT_COPY,            /* cirrus_bitblt_rop_fwd/bkwd_* */
	CIRRUS_BLT_COPY_TRANSP,     /* cirrus_bitblt_rop_fwd/bkwd_transp_*_8/16 */
	CIRRUS_BLT_PATTERN,         /* cirrus_patternfill_* */
	CIRRUS_BLT_EXPAND,          /* cirrus_colorexpand_* */
	CIRRUS_BLT_EXPAND_TRANSP,   /* cirrus_colorexpand_transp_* */
	CIRRUS_BLT_EXPAND_PAT,      /* cirrus_colorexpand_pattern_* */
	CIRRUS_BLT_EXPAND_PAT_TRANSP, /* cirrus_colorexpand_pattern_transp_* */
	CIRRUS_BLT_FILL,            /* cirrus_fill_* */
};

struct cirrus_blt {
	/* The blit latched by cirrus_blt_start(). */
	enum cirrus_blt_kind kind;
	bool backwards;        /* COPY kinds: pitches negated, walking down */
	bool nop;              /* ROP 0x06 or an unknown code: QEMU's rop_nop */
	uint8_t rop, mode, mode_ext, skip; /* GR32, GR30, GR33, GR2F */
	unsigned int pw;       /* bytes per pixel, 1-4 */
	int32_t width, height; /* bytes per line, lines: 1..8192 */
	int32_t dst_pitch, src_pitch;
	uint32_t dst, src;     /* masked with the VRAM size - 1 */
	uint32_t fg, bg, key;  /* colours and the transparent key, truncated to the pixel */
	uint8_t pattern_y;     /* first pattern line (QEMU: cirrus_blt_srcaddr & 7) */

	/* A CPU-source blit waiting for bytes. */
	bool armed;
	bool cpu_pattern;      /* the whole pattern, then the whole blit */
	uint32_t cpu_pitch;    /* source bytes per line (or in the pattern) */
	uint32_t cpu_fill;     /* bytes in buf */
	int32_t lines_left;
	int64_t line_dst;      /* destination of the next line */
	uint8_t buf[CIRRUS_BLT_BUFSIZE];

	/* Log rate limiter (per engine, on top of log_guest's global one). */
	unsigned long refusals;
	bool logged_to_cpu;
};

void cirrus_blt_init(struct cirrus_blt *b);
/* Abort any blit (GR31 reset bit, a card reset, a state load): GR31's busy/start/fifo bits cleared in gr. */
void cirrus_blt_reset(struct cirrus_blt *b, uint8_t gr[256]);
/*
 * GR31 START written (the device calls this): latch the registers from gr[] and the shadow
 * colour bytes, then run a video-source blit to completion or arm a CPU-source one.
 * bpp is the current display depth (8, 15, 16, 24, 32; 0 outside the Cirrus
 * modes) where QEMU's pattern size depends on it.
 * Updates the status bits in gr[0x31] as QEMU does (busy while a CPU-source blit waits for data).
 */
void cirrus_blt_start(struct cirrus_blt *b, uint8_t gr[256], uint8_t shadow_gr0, uint8_t shadow_gr1,
		      unsigned int bpp, const struct cirrus_blt_vram *v);
/* A CPU-source blit is waiting for bytes (the device routes window / linear-aperture writes here). */
bool cirrus_blt_wants_cpu_data(const struct cirrus_blt *b);
/* One byte of CPU source data; completes lines and, at the end, the blit (clearing the status bits in gr). */
void cirrus_blt_cpu_write(struct cirrus_blt *b, uint8_t gr[256], uint8_t val, const struct cirrus_blt_vram *v);

#endif
