/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A deliberately plain reference for hw/display/cirrus_blt.c, shared by
 * tests/unit/test_cirrus_blt.c and tests/fuzz/fuzz_cirrus_blt.c. It shares
 * no code with the engine and is written another way: ROPs from truth
 * tables, each pixel's address and source bit from a closed formula of its
 * line and column (not by stepping pointers), wrapping with %, and the
 * bounds policy as a probe that visits every pixel the blit would draw.
 *
 * What it models (QEMU 7.2's blitter, hw/display/cirrus_vga.c and
 * cirrus_vga_rop*.h, with the engine's documented choices):
 *  - registers: width/height GR20-23 + 1 (GR21/23 bits 0-4), pitches
 *    GR24-27 (bits 0-12), addresses GR28-2A / GR2C-2E (22 bits) masked with
 *    size - 1; colours from the shadow GR0/GR1 and GR10-15, the key GR34-35;
 *  - refusal: QEMU's checks (memory-to-memory, transparent copy of 24/32-bit
 *    pixels, the nominal rectangles with pitch 0 refused, the pattern block,
 *    a plain copy at display depth < 8), CPU lines of 0 bytes, and any pixel
 *    byte that would fall outside VRAM. A refused blit writes nothing and
 *    leaves GR31 idle. Video to CPU does nothing.
 *  - unknown ROP codes (and 0x06) draw nothing;
 *  - CPU source lines padded as QEMU pads them, except dword granularity:
 *    4 bytes per 32 pixels; the line buffer starts each blit zeroed.
 */
#ifndef HVMDM_CIRRUS_BLT_REF_H
#define HVMDM_CIRRUS_BLT_REF_H

#include <stdint.h>
#include <string.h>

#define CREF_BUF 8192

enum { CREF_COPY, CREF_COPY_KEY, CREF_PATTERN, CREF_EXP, CREF_EXP_TR, CREF_EXPPAT, CREF_EXPPAT_TR, CREF_FILL };

struct cref {
	uint8_t *vram;
	uint32_t size;
	uint8_t *touched; /* optional, size bytes: 1 for every byte a blit may have written */

	int what, back, nop, pw, w, h, dpitch, spitch, skip, inv, dword;
	uint8_t rop;
	long long dst, src;
	int pat_line; /* first pattern line */
	uint8_t fg[4], bg[4], key[2];

	int cpu;        /* a CPU-source blit waits */
	int cpu_bytes;  /* bytes a line (or the pattern) */
	int cpu_have;
	int cpu_line;   /* lines done */
	uint8_t buf[CREF_BUF];

	int from_buf;   /* reading the buffer */
	int probing;    /* only checking pixel positions */
	int outside;    /* the probe met a byte outside VRAM */
	int refused;    /* how many blits were refused (for tests) */
};

/* Bit (s, d) of each ROP's truth table: bit (s << 1 | d). -1: draws nothing. */
static inline int cref_table(uint8_t rop)
{
	switch (rop) {
	case 0x00: return 0x0;
	case 0x05: return 0x8;
	case 0x09: return 0x4;
	case 0x0b: return 0x5;
	case 0x0d: return 0xc;
	case 0x0e: return 0xf;
	case 0x50: return 0x2;
	case 0x59: return 0x6;
	case 0x6d: return 0xe;
	case 0x90: return 0x7;
	case 0x95: return 0x9;
	case 0xad: return 0xd;
	case 0xd0: return 0x3;
	case 0xd6: return 0xb;
	case 0xda: return 0x1;
	default: return -1;
	}
}

static inline uint8_t cref_rop(uint8_t rop, uint8_t d, uint8_t s)
{
	int t = cref_table(rop);
	uint8_t out = 0;

	for (int bit = 0; bit < 8; bit++) {
		int sb = (s >> bit) & 1, db = (d >> bit) & 1;

		if ((t >> (sb * 2 + db)) & 1)
			out = (uint8_t)(out | (1 << bit));
	}
	return out;
}

static inline long long cref_wrap(long long a, long long m)
{
	return ((a % m) + m) % m;
}

static inline uint8_t cref_byte(const struct cref *r, long long a)
{
	if (r->from_buf)
		return r->buf[cref_wrap(a, CREF_BUF)];
	return r->vram[cref_wrap(a, r->size)];
}

/* A 2- or 4-byte source pixel: wrapped, then aligned down. */
static inline void cref_bytes(const struct cref *r, long long a, int n, uint8_t out[4])
{
	long long m = r->from_buf ? CREF_BUF : r->size;
	long long first = cref_wrap(a, m);

	first -= first % n;
	for (int i = 0; i < n; i++)
		out[i] = r->from_buf ? r->buf[first + i] : r->vram[first + i];
}

/*
 * One pixel of n bytes at a (2- and 4-byte pixels start at a rounded down to
 * their size). drawn = 0: a transparent pixel (still part of the blit's area).
 */
static inline void cref_pixel(struct cref *r, long long a, int n, const uint8_t col[4], int keyed, int drawn)
{
	long long first = a;
	uint8_t out[4];
	int same = 1;

	if (n == 2 || n == 4)
		first = a - cref_wrap(a, n);
	if (r->probing) {
		for (int i = 0; i < n; i++)
			if (first + i < 0 || first + i >= (long long)r->size)
				r->outside = 1;
		return;
	}
	for (int i = 0; i < n; i++)
		if (r->touched)
			r->touched[first + i] = 1;
	if (!drawn)
		return;
	for (int i = 0; i < n; i++) {
		out[i] = cref_rop(r->rop, r->vram[first + i], col[i]);
		if (keyed && out[i] != r->key[i]) /* keyed pixels are 1 or 2 bytes */
			same = 0;
	}
	if (keyed && same)
		return;
	for (int i = 0; i < n; i++)
		r->vram[first + i] = out[i];
}

/* Copies: line y starts at d0 + y * (pitch + drift); 16-bit keyed copies of odd width drift. */
static inline void cref_copy(struct cref *r, long long d0, long long s0, int dp, int sp, int h)
{
	int n = r->what == CREF_COPY_KEY ? r->pw : 1;
	int pixels = (r->w + n - 1) / n;
	int drift = (n == 2 && r->w % 2) ? (r->back ? -1 : 1) : 0;
	uint8_t col[4];

	if (!r->back && h > 1 && (dp < r->w || sp < r->w))
		return; /* QEMU's forward copies skip overlapping lines */
	for (int y = 0; y < h; y++) {
		long long dl = d0 + (long long)y * (dp + drift), sl = s0 + (long long)y * (sp + drift);

		for (int k = 0; k < pixels; k++) {
			if (n == 1) {
				long long dd = r->back ? dl - k : dl + k, ss = r->back ? sl - k : sl + k;

				col[0] = cref_byte(r, ss);
				cref_pixel(r, dd, 1, col, r->what == CREF_COPY_KEY, 1);
			} else if (r->back) {
				cref_bytes(r, sl - 2 * k - 1, 2, col);
				cref_pixel(r, dl - 2 * k - 1, 2, col, 1, 1);
			} else {
				cref_bytes(r, sl + 2 * k, 2, col);
				cref_pixel(r, dl + 2 * k, 2, col, 1, 1);
			}
		}
	}
}

static inline void cref_pattern(struct cref *r, long long d0, long long s0, int dp, int h)
{
	int pw = r->pw;
	int skip = pw == 3 ? (r->skip & 31) : (r->skip & 7) * pw;
	int linebytes = pw == 1 ? 8 : pw == 2 ? 16 : 32;
	uint8_t col[4];

	for (int y = 0; y < h; y++) {
		long long row = s0 + (long long)((r->pat_line + y) % 8) * linebytes;

		for (int k = 0; skip + k * pw < r->w; k++) {
			long long dd = d0 + (long long)y * dp + skip + k * pw;

			if (pw == 1) {
				col[0] = cref_byte(r, row + (skip + k) % 8);
			} else if (pw == 2 || pw == 4) {
				cref_bytes(r, row + (skip + k * pw) % (8 * pw), pw, col);
			} else {
				int column = k == 0 ? skip : (skip + k) % 8; /* the first may be up to 31 */

				for (int i = 0; i < 3; i++)
					col[i] = cref_byte(r, row + column * 3 + i);
			}
			cref_pixel(r, dd, pw, col, 0, 1);
		}
	}
}

/* Skip-left of colour expansion: source pixels (and destination bytes). */
static inline void cref_expand_skip(const struct cref *r, int transparent, int *sskip, int *dskip)
{
	if (transparent && r->pw == 3) {
		*dskip = r->skip & 31;
		*sskip = *dskip / 3;
	} else {
		*sskip = r->skip & 7;
		*dskip = *sskip * r->pw;
	}
}

/* Bit j of a line's bits starts at its byte j / 8, most significant bit first. */
static inline void cref_expand(struct cref *r, long long d0, long long s0, int dp, int h)
{
	int tr = r->what == CREF_EXP_TR, sskip, dskip;
	long long line_src = s0;

	cref_expand_skip(r, tr, &sskip, &dskip);
	for (int y = 0; y < h; y++) {
		int pixels = dskip < r->w ? (r->w - dskip + r->pw - 1) / r->pw : 0;
		int first = sskip < 8 ? sskip : 8; /* a skip of 8-10 starts at the next byte */
		int last = first + pixels - 1;
		int held = -1, byte = 0; /* a byte is read once, when its first bit is needed */

		for (int k = 0; k < pixels; k++) {
			int j = first + k, bit;
			long long dd = d0 + (long long)y * dp + dskip + k * r->pw;

			if (held != j / 8) {
				held = j / 8;
				byte = cref_byte(r, line_src + held);
			}
			bit = (byte >> (7 - j % 8)) & 1;
			if (tr) {
				if (r->inv)
					cref_pixel(r, dd, r->pw, r->bg, 0, !bit);
				else
					cref_pixel(r, dd, r->pw, r->fg, 0, bit);
			} else {
				cref_pixel(r, dd, r->pw, bit ? r->fg : r->bg, 0, 1);
			}
		}
		if (!r->from_buf)
			line_src += pixels ? last / 8 + 1 : 1; /* video: bytes follow on */
	}
}

static inline void cref_expand_pattern(struct cref *r, long long d0, long long s0, int dp, int h)
{
	int tr = r->what == CREF_EXPPAT_TR, sskip, dskip;

	cref_expand_skip(r, tr, &sskip, &dskip);
	for (int y = 0; y < h; y++) {
		int byte = cref_byte(r, s0 + (r->pat_line + y) % 8);

		for (int k = 0; dskip + k * r->pw < r->w; k++) {
			long long dd = d0 + (long long)y * dp + dskip + k * r->pw;
			int bit = (byte >> (int)cref_wrap(7 - sskip - k, 8)) & 1;

			if (tr) {
				int lit = r->inv ? !bit : bit;

				if (k == 0 && sskip > 7)
					lit = 0; /* QEMU shifts the (inverted) byte by a negative count: 0 */
				cref_pixel(r, dd, r->pw, r->inv ? r->bg : r->fg, 0, lit);
			} else {
				cref_pixel(r, dd, r->pw, bit ? r->fg : r->bg, 0, 1);
			}
		}
	}
}

static inline void cref_draw(struct cref *r, long long d0, long long s0, int dp, int sp, int h)
{
	if (r->nop)
		return;
	switch (r->what) {
	case CREF_COPY:
	case CREF_COPY_KEY:
		cref_copy(r, d0, s0, dp, sp, h);
		break;
	case CREF_PATTERN:
		cref_pattern(r, d0, s0, dp, h);
		break;
	case CREF_EXP:
	case CREF_EXP_TR:
		cref_expand(r, d0, s0, dp, h);
		break;
	case CREF_EXPPAT:
	case CREF_EXPPAT_TR:
		cref_expand_pattern(r, d0, s0, dp, h);
		break;
	default:
		for (int y = 0; y < h; y++)
			for (int x = 0; x < r->w; x += r->pw)
				cref_pixel(r, d0 + (long long)y * dp + x, r->pw, r->fg, 0, 1);
		break;
	}
}

static inline void cref_idle(struct cref *r, uint8_t *gr)
{
	r->cpu = 0;
	gr[0x31] = (uint8_t)(gr[0x31] & ~0x13);
}

static inline void cref_refuse(struct cref *r, uint8_t *gr)
{
	r->refused++;
	cref_idle(r, gr);
}

/* The nominal rectangle from addr, lines pitch apart, lies in VRAM (pitch 0 never does). */
static inline int cref_rect_ok(const struct cref *r, long long addr, int pitch)
{
	long long lowest, highest;

	if (pitch == 0)
		return 0;
	if (pitch > 0) {
		lowest = addr;
		highest = addr + (long long)(r->h - 1) * pitch + r->w - 1;
	} else {
		highest = addr;
		lowest = addr + (long long)(r->h - 1) * pitch - (r->w - 1);
	}
	return lowest >= 0 && highest < (long long)r->size;
}

static inline void cref_start(struct cref *r, uint8_t *gr, uint8_t sgr0, uint8_t sgr1, unsigned int bpp)
{
	int mode = gr[0x30], ext = gr[0x33], pattern, expand;
	uint8_t fgb[4] = { sgr1, gr[0x11], gr[0x13], gr[0x15] };
	uint8_t bgb[4] = { sgr0, gr[0x10], gr[0x12], gr[0x14] };

	r->cpu = 0;
	gr[0x31] |= 0x01;
	r->w = gr[0x20] + 256 * (gr[0x21] % 32) + 1;
	r->h = gr[0x22] + 256 * (gr[0x23] % 32) + 1;
	r->dpitch = gr[0x24] + 256 * (gr[0x25] % 32);
	r->spitch = gr[0x26] + 256 * (gr[0x27] % 32);
	r->dst = (gr[0x28] + 256 * gr[0x29] + 65536 * (gr[0x2a] % 64)) % r->size;
	r->src = (gr[0x2c] + 256 * gr[0x2d] + 65536 * (gr[0x2e] % 64)) % r->size;
	r->pat_line = (int)(r->src % 8);
	r->skip = gr[0x2f];
	r->rop = gr[0x32];
	r->nop = cref_table(r->rop) < 0;
	r->pw = (mode / 16) % 4 + 1;
	r->inv = (ext & 2) != 0;
	r->dword = ext & 1;
	r->back = 0;
	for (int i = 0; i < 4; i++) {
		r->fg[i] = i < r->pw ? fgb[i] : 0;
		r->bg[i] = i < r->pw ? bgb[i] : 0;
	}
	r->key[0] = gr[0x34];
	r->key[1] = r->pw == 1 ? 0 : gr[0x35];

	if ((mode & 0x06) == 0x06) {
		cref_refuse(r, gr);
		return;
	}
	pattern = (mode & 0x40) != 0;
	expand = (mode & 0x80) != 0;
	if ((ext & 4) && (mode & 0xca) == 0xc0) {
		r->what = CREF_FILL;
		mode &= ~0x04; /* never from the CPU */
	} else if (expand && !pattern) {
		r->what = (mode & 8) ? CREF_EXP_TR : CREF_EXP;
	} else if (pattern) {
		r->what = !expand ? CREF_PATTERN : (mode & 8) ? CREF_EXPPAT_TR : CREF_EXPPAT;
	} else {
		r->what = (mode & 8) ? CREF_COPY_KEY : CREF_COPY;
		if ((mode & 8) && r->pw > 2) {
			cref_refuse(r, gr);
			return;
		}
		if (mode & 1) {
			r->back = 1;
			r->dpitch = -r->dpitch;
			r->spitch = -r->spitch;
		}
	}
	pattern = r->what == CREF_PATTERN || r->what == CREF_EXPPAT || r->what == CREF_EXPPAT_TR;

	if (mode & 0x04) { /* from the CPU */
		int pixels = r->w / r->pw;

		if (!cref_rect_ok(r, r->dst, r->dpitch)) {
			cref_refuse(r, gr);
			return;
		}
		if (pattern)
			r->cpu_bytes = r->what == CREF_PATTERN ? 64 * r->pw : 8;
		else if (r->what == CREF_EXP || r->what == CREF_EXP_TR)
			r->cpu_bytes = r->dword ? 4 * ((pixels + 31) / 32) : (pixels + 7) / 8;
		else
			r->cpu_bytes = 4 * ((r->w + 3) / 4);
		if (r->cpu_bytes == 0) {
			cref_refuse(r, gr);
			return;
		}
		r->probing = 1;
		r->outside = 0;
		r->from_buf = 1;
		if (pattern)
			cref_draw(r, r->dst, 0, r->dpitch, 0, r->h);
		else
			for (int y = 0; y < r->h; y++)
				cref_draw(r, r->dst + (long long)y * r->dpitch, 0, 0, 0, 1);
		r->probing = 0;
		if (r->outside) {
			cref_refuse(r, gr);
			return;
		}
		memset(r->buf, 0, sizeof(r->buf));
		r->cpu = 1;
		r->cpu_have = 0;
		r->cpu_line = 0;
		return;
	}
	if (mode & 0x02) { /* to the CPU: nothing */
		cref_idle(r, gr);
		return;
	}
	r->from_buf = 0;
	if (pattern) {
		long long block = bpp == 8 ? 64 : (bpp == 15 || bpp == 16) ? 128 : 256;

		r->src -= r->src % block;
		r->pat_line = 0;
		if (r->src + block > (long long)r->size || !cref_rect_ok(r, r->dst, r->dpitch)) {
			cref_refuse(r, gr);
			return;
		}
	} else if (r->what == CREF_FILL) {
		if (!cref_rect_ok(r, r->dst, r->dpitch)) {
			cref_refuse(r, gr);
			return;
		}
	} else {
		if (!cref_rect_ok(r, r->dst, r->dpitch) || !cref_rect_ok(r, r->src, r->spitch)) {
			cref_refuse(r, gr);
			return;
		}
		if (r->what == CREF_COPY && r->rop == 0x0d && bpp < 8) {
			cref_refuse(r, gr);
			return;
		}
	}
	r->probing = 1;
	r->outside = 0;
	cref_draw(r, r->dst, r->src, r->dpitch, r->spitch, r->h);
	r->probing = 0;
	if (r->outside) {
		cref_refuse(r, gr);
		return;
	}
	cref_draw(r, r->dst, r->src, r->dpitch, r->spitch, r->h);
	cref_idle(r, gr);
}

static inline void cref_cpu_write(struct cref *r, uint8_t *gr, uint8_t val)
{
	if (!r->cpu)
		return;
	r->buf[r->cpu_have++] = val;
	if (r->cpu_have < r->cpu_bytes)
		return;
	r->cpu_have = 0;
	r->from_buf = 1;
	if (r->what == CREF_PATTERN || r->what == CREF_EXPPAT || r->what == CREF_EXPPAT_TR) {
		cref_draw(r, r->dst, 0, r->dpitch, 0, r->h);
		cref_idle(r, gr);
		return;
	}
	cref_draw(r, r->dst + (long long)r->cpu_line * r->dpitch, 0, 0, 0, 1);
	if (++r->cpu_line == r->h)
		cref_idle(r, gr);
}

static inline void cref_init(struct cref *r, uint8_t *vram, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	r->vram = vram;
	r->size = size;
}

#endif
