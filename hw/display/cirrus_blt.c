// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CL-GD5446 BitBLT engine (see cirrus_blt.h). Pixel for pixel it does
 * what QEMU 7.2 does: the register decoding and mode selection of
 * cirrus_bitblt_start(), the source handling of cirrus_bitblt_cputovideo()
 * and cirrus_bitblt_common_patterncopy(), and the loops of the rop
 * functions in cirrus_vga_rop.h / cirrus_vga_rop2.h, quirks included (the
 * forward copy that does nothing when lines overlap, the 16-bit transparent
 * copy drifting a byte a line on odd widths, pixels aligned down to their
 * size, the 24 bpp pattern reading past its 192 bytes). Written anew.
 *
 * Bounds: before a byte moves, the blit passes QEMU's checks
 * (blit_is_unsafe, the pattern check) and then a dry run of the very pixel
 * loops that will write it, which only records, line by line, the lowest
 * and highest byte each line writes; a line outside [0, VRAM size) refuses
 * the blit. The real run then writes only within the ranges the dry run
 * measured, and reports each line's range as dirty. Reads are masked into VRAM (or
 * into the CPU line buffer) as QEMU masks them. All address arithmetic is
 * in int64_t: at most 2^22 + 8192 * 8192 + a few, far from overflow.
 */
#include "cirrus_blt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

#define BLT_STATUS (CIRRUS_BLT_START | CIRRUS_BLT_BUSY | CIRRUS_BLT_FIFOUSED)
#define BUF_MASK ((uint64_t)CIRRUS_BLT_BUFSIZE - 1)
#define ROP_SRC 0x0d /* the plain copy cirrus_do_copy() treats specially */

/* put() flags */
#define PUT_KEY 1  /* don't write a result equal to the transparent key */
#define PUT_SKIP 2 /* a transparent pixel: part of the footprint, not written */

/* ---------------------------------------------------------------- ROPs */

/* GR32: QEMU's 16 CIRRUS_ROP_* codes; any other code is its rop_nop (rop_to_index). */
static bool rop_is_nop(uint8_t rop)
{
	static const uint8_t known[] = { 0x00, 0x05, 0x09, 0x0b, 0x0d, 0x0e, 0x50, 0x59,
					 0x6d, 0x90, 0x95, 0xad, 0xd0, 0xd6, 0xda };

	for (size_t i = 0; i < sizeof(known); i++)
		if (rop == known[i])
			return false;
	return true; /* 0x06 (CIRRUS_ROP_NOP) included */
}

/* One byte of destination d combined with source s. The ROPs are bitwise, so a
 * pixel is its bytes combined one by one. */
static uint8_t rop_byte(uint8_t rop, uint8_t d, uint8_t s)
{
	switch (rop) {
	case 0x00: return 0;
	case 0x05: return s & d;
	case 0x09: return (uint8_t)(s & ~d);
	case 0x0b: return (uint8_t)~d;
	case 0x0d: return s;
	case 0x0e: return 0xff;
	case 0x50: return (uint8_t)(~s & d);
	case 0x59: return s ^ d;
	case 0x6d: return s | d;
	case 0x90: return (uint8_t)(~s | ~d);
	case 0x95: return (uint8_t)~(s ^ d);
	case 0xad: return (uint8_t)(s | ~d);
	case 0xd0: return (uint8_t)~s;
	case 0xd6: return (uint8_t)(~s | d);
	case 0xda: return (uint8_t)(~s & ~d);
	default: return d; /* not reached: a NOP blit draws nothing */
	}
}

/* -------------------------------------------------------- one pass */

/* A run of a blit's pixel loops: the dry run only measures, the real one writes. */
struct pass {
	const struct cirrus_blt *b;
	const struct cirrus_blt_vram *v;
	bool dry;
	bool from_buf; /* the source is the CPU line buffer (QEMU: cirrus_srccounter != 0) */
	bool out;      /* some line's bytes leave VRAM */
	int64_t lo, hi; /* bytes the current line writes */
};

/* QEMU's cirrus_src(): VRAM or the line buffer, the address masked into it. */
static uint8_t src8(const struct pass *p, int64_t addr)
{
	if (p->from_buf)
		return p->b->buf[(uint64_t)addr & BUF_MASK];
	return p->v->vram[(uint64_t)addr & (p->v->size - 1)];
}

/* cirrus_src16()/cirrus_src32(): masked, then aligned down to the n bytes read. */
static uint32_t src_n(const struct pass *p, int64_t addr, unsigned int n)
{
	const uint8_t *m = p->from_buf ? p->b->buf : p->v->vram;
	uint64_t a = (uint64_t)addr & (p->from_buf ? BUF_MASK : p->v->size - 1) & ~(uint64_t)(n - 1);
	uint32_t val = 0;

	for (unsigned int i = 0; i < n; i++)
		val |= (uint32_t)m[a + i] << (8 * i);
	return val;
}

/*
 * One n-byte pixel of colour col at addr, placed as QEMU's rop_8/16/32
 * helpers place it: 16- and 32-bit pixels aligned down (their "& ~1" and
 * "& ~3"), 24-bit ones as three bytes. The bytes join the line's range.
 */
static void put(struct pass *p, int64_t addr, unsigned int n, uint32_t col, unsigned int flags)
{
	int64_t base = (n == 2 || n == 4) ? addr - (addr & (int64_t)(n - 1)) : addr;
	uint8_t *vram = p->v->vram;
	uint32_t res = 0;

	if (base < p->lo)
		p->lo = base;
	if (base + n - 1 > p->hi)
		p->hi = base + n - 1;
	/* The second test never holds for a blit the dry run passed. */
	if (p->dry || (flags & PUT_SKIP) || base < 0 || base + n > p->v->size)
		return;
	for (unsigned int i = 0; i < n; i++)
		res |= (uint32_t)rop_byte(p->b->rop, vram[base + i], (uint8_t)(col >> (8 * i))) << (8 * i);
	if ((flags & PUT_KEY) && res == p->b->key)
		return; /* QEMU compares the whole pixel after the ROP */
	for (unsigned int i = 0; i < n; i++)
		vram[base + i] = (uint8_t)(res >> (8 * i));
}

static void line_start(struct pass *p)
{
	p->lo = INT64_MAX;
	p->hi = INT64_MIN;
}

static void line_end(struct pass *p)
{
	if (p->lo > p->hi)
		return; /* the line wrote nothing (a skip-left past its width) */
	if (p->lo < 0 || p->hi >= p->v->size) {
		p->out = true;
		return;
	}
	if (!p->dry && p->v->dirty)
		p->v->dirty(p->v->opaque, (uint32_t)p->lo, (uint32_t)(p->hi - p->lo + 1));
}

/* ------------------------------------------------------- pixel loops */

/* cirrus_bitblt_rop_fwd_* and _fwd_transp_8/16: left to right, top to bottom. */
static void copy_fwd(struct pass *p, int64_t d, int64_t s, int32_t dp, int32_t sp, int32_t h)
{
	const struct cirrus_blt *b = p->b;
	bool tr = b->kind == CIRRUS_BLT_COPY_TRANSP;
	int32_t step = tr ? (int32_t)b->pw : 1, w = b->width;

	if (h > 1 && (dp < w || sp < w))
		return; /* QEMU's forward rops refuse overlapping lines, silently */
	for (int32_t y = 0; y < h; y++) {
		line_start(p);
		for (int32_t x = 0; x < w; x += step) {
			uint32_t c = step == 2 ? src_n(p, s, 2) : src8(p, s);

			put(p, d, (unsigned int)step, c, tr ? PUT_KEY : 0);
			d += step;
			s += step;
		}
		/* a 16-bit line of odd width has moved one byte further than w */
		d += dp - w;
		s += sp - w;
		line_end(p);
	}
}

/* cirrus_bitblt_rop_bkwd_* and _bkwd_transp_8/16: right to left, bottom to top (pitches negated). */
static void copy_bkwd(struct pass *p, int64_t d, int64_t s, int32_t dp, int32_t sp, int32_t h)
{
	const struct cirrus_blt *b = p->b;
	bool tr = b->kind == CIRRUS_BLT_COPY_TRANSP;
	int32_t step = tr ? (int32_t)b->pw : 1, w = b->width;

	for (int32_t y = 0; y < h; y++) {
		line_start(p);
		for (int32_t x = 0; x < w; x += step) {
			if (step == 2)
				put(p, d - 1, 2, src_n(p, s - 1, 2), PUT_KEY);
			else
				put(p, d, 1, src8(p, s), tr ? PUT_KEY : 0);
			d -= step;
			s -= step;
		}
		d += dp + w;
		s += sp + w;
		line_end(p);
	}
}

/*
 * cirrus_patternfill_*: an 8x8 pattern of 8, 16 or (24 and 32 bpp) 32-byte
 * lines at src, starting at line pattern_y and, skipping GR2F's pixels, at
 * the same column.
 */
static void pattern(struct pass *p, int64_t d, int64_t src, int32_t dp, int32_t h)
{
	const struct cirrus_blt *b = p->b;
	int32_t pw = (int32_t)b->pw;
	int32_t skip = pw == 3 ? (b->skip & 0x1f) : (b->skip & 7) * pw;
	int32_t pitch = pw == 1 ? 8 : pw == 2 ? 16 : 32;
	int32_t py = b->pattern_y;

	for (int32_t y = 0; y < h; y++) {
		int64_t row = src + py * pitch, a = d + skip;
		int32_t px = skip;

		line_start(p);
		for (int32_t x = skip; x < b->width; x += pw) {
			uint32_t c;

			if (pw == 1) {
				c = src8(p, row + px);
				px = (px + 1) & 7;
			} else if (pw == 2) {
				c = src_n(p, row + px, 2);
				px = (px + 2) & 15;
			} else if (pw == 3) {
				c = src8(p, row + px * 3) | (uint32_t)src8(p, row + px * 3 + 1) << 8 |
				    (uint32_t)src8(p, row + px * 3 + 2) << 16;
				px = (px + 1) & 7;
			} else {
				c = src_n(p, row + px, 4);
				px = (px + 4) & 31;
			}
			put(p, a, (unsigned int)pw, c, 0);
			a += pw;
		}
		py = (py + 1) & 7;
		d += dp;
		line_end(p);
	}
}

/*
 * Colour expansion's skip-left: GR2F bits 0-2 are source pixels; the 24 bpp
 * transparent loops take bits 0-4 as destination bytes instead.
 */
static void expand_skip(const struct cirrus_blt *b, bool transp, int32_t *sskip, int32_t *dskip)
{
	if (transp && b->pw == 3) {
		*dskip = b->skip & 0x1f;
		*sskip = *dskip / 3;
	} else {
		*sskip = b->skip & 7;
		*dskip = *sskip * (int32_t)b->pw;
	}
}

/*
 * cirrus_colorexpand_* and _transp_*: a bit a pixel, most significant first;
 * each line starts a new source byte, and source bytes follow one another
 * across lines (QEMU ignores the source pitch). Transparent: only set bits
 * (clear ones with COLOREXPINV) are drawn, in fg (bg).
 */
static void expand(struct pass *p, int64_t d, int64_t s, int32_t dp, int32_t h)
{
	const struct cirrus_blt *b = p->b;
	bool tr = b->kind == CIRRUS_BLT_EXPAND_TRANSP;
	bool inv = tr && (b->mode_ext & CIRRUS_BLTMODEEXT_COLOREXPINV);
	unsigned int flip = inv ? 0xff : 0;
	int32_t pw = (int32_t)b->pw, sskip, dskip;

	expand_skip(b, tr, &sskip, &dskip);
	for (int32_t y = 0; y < h; y++) {
		unsigned int mask = 0x80u >> sskip; /* 0 for 24 bpp skips of 8-10: a new byte first */
		unsigned int bits = src8(p, s++) ^ flip;
		int64_t a = d + dskip;

		line_start(p);
		for (int32_t x = dskip; x < b->width; x += pw) {
			if (!(mask & 0xff)) {
				mask = 0x80;
				bits = src8(p, s++) ^ flip;
			}
			if (tr)
				put(p, a, (unsigned int)pw, inv ? b->bg : b->fg, (bits & mask) ? 0 : PUT_SKIP);
			else
				put(p, a, (unsigned int)pw, (bits & mask) ? b->fg : b->bg, 0);
			a += pw;
			mask >>= 1;
		}
		d += dp;
		line_end(p);
	}
}

/* cirrus_colorexpand_pattern_* and _transp_*: an 8x8 one-bit pattern, a byte a line. */
static void expand_pattern(struct pass *p, int64_t d, int64_t src, int32_t dp, int32_t h)
{
	const struct cirrus_blt *b = p->b;
	bool tr = b->kind == CIRRUS_BLT_EXPAND_PAT_TRANSP;
	bool inv = tr && (b->mode_ext & CIRRUS_BLTMODEEXT_COLOREXPINV);
	unsigned int flip = inv ? 0xff : 0;
	int32_t pw = (int32_t)b->pw, py = b->pattern_y, sskip, dskip;

	expand_skip(b, tr, &sskip, &dskip);
	for (int32_t y = 0; y < h; y++) {
		unsigned int bits = src8(p, src + py) ^ flip;
		int32_t bitpos = 7 - sskip; /* down to -3 with a 24 bpp skip of 10 */
		int64_t a = d + dskip;

		line_start(p);
		for (int32_t x = dskip; x < b->width; x += pw) {
			/*
			 * QEMU shifts by the negative bitpos here (undefined; on x86
			 * hosts the count wraps to 29-31 and a byte shifts to 0): no bit.
			 */
			bool bit = bitpos >= 0 && ((bits >> bitpos) & 1);

			if (tr)
				put(p, a, (unsigned int)pw, inv ? b->bg : b->fg, bit ? 0 : PUT_SKIP);
			else
				put(p, a, (unsigned int)pw, bit ? b->fg : b->bg, 0);
			a += pw;
			bitpos = (bitpos + 7) & 7; /* QEMU: (bitpos - 1) & 7 */
		}
		py = (py + 1) & 7;
		d += dp;
		line_end(p);
	}
}

/* cirrus_fill_*: fg everywhere, no skip-left. */
static void fill(struct pass *p, int64_t d, int32_t dp, int32_t h)
{
	const struct cirrus_blt *b = p->b;
	int32_t pw = (int32_t)b->pw;

	for (int32_t y = 0; y < h; y++) {
		line_start(p);
		for (int32_t x = 0; x < b->width; x += pw)
			put(p, d + x, (unsigned int)pw, b->fg, 0);
		d += dp;
		line_end(p);
	}
}

/* Runs h lines of the latched blit from d (and s); false if the dry run found a line outside VRAM. */
static bool run(const struct cirrus_blt *b, const struct cirrus_blt_vram *v, bool dry, bool from_buf,
		int64_t d, int64_t s, int32_t dp, int32_t sp, int32_t h)
{
	struct pass p = { .b = b, .v = v, .dry = dry, .from_buf = from_buf };

	switch (b->kind) {
	case CIRRUS_BLT_COPY:
	case CIRRUS_BLT_COPY_TRANSP:
		if (b->backwards)
			copy_bkwd(&p, d, s, dp, sp, h);
		else
			copy_fwd(&p, d, s, dp, sp, h);
		break;
	case CIRRUS_BLT_PATTERN:
		pattern(&p, d, s, dp, h);
		break;
	case CIRRUS_BLT_EXPAND:
	case CIRRUS_BLT_EXPAND_TRANSP:
		expand(&p, d, s, dp, h);
		break;
	case CIRRUS_BLT_EXPAND_PAT:
	case CIRRUS_BLT_EXPAND_PAT_TRANSP:
		expand_pattern(&p, d, s, dp, h);
		break;
	case CIRRUS_BLT_FILL:
		fill(&p, d, dp, h);
		break;
	}
	return !p.out;
}

/* ------------------------------------------------------------ control */

static bool vram_usable(const struct cirrus_blt_vram *v)
{
	return v && v->vram && v->size >= 4 && !(v->size & (v->size - 1));
}

static bool is_pattern(const struct cirrus_blt *b)
{
	return b->kind == CIRRUS_BLT_PATTERN || b->kind == CIRRUS_BLT_EXPAND_PAT ||
	       b->kind == CIRRUS_BLT_EXPAND_PAT_TRANSP;
}

static bool is_expand(const struct cirrus_blt *b)
{
	return b->kind == CIRRUS_BLT_EXPAND || b->kind == CIRRUS_BLT_EXPAND_TRANSP ||
	       b->kind == CIRRUS_BLT_EXPAND_PAT || b->kind == CIRRUS_BLT_EXPAND_PAT_TRANSP;
}

/* The blit is over (done, refused or aborted): GR31 idle, no CPU data wanted. */
static void finish(struct cirrus_blt *b, uint8_t gr[256])
{
	b->armed = false;
	b->cpu_fill = 0;
	gr[0x31] &= (uint8_t)~BLT_STATUS;
}

__attribute__((format(printf, 3, 4)))
static void refuse(struct cirrus_blt *b, uint8_t gr[256], const char *fmt, ...)
{
	char why[160];
	va_list ap;

	finish(b, gr);
	b->refusals++;
	/* the first 16, then the 32nd, 64th, ...: a guest looping on a bad blit stays quiet */
	if (b->refusals > 16 && (b->refusals & (b->refusals - 1)))
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_guest("cirrus", "bitblt refused (%lu so far): %s: rop %#x mode %#x ext %#x, %dx%d bytes, "
		  "dst %#x pitch %d, src %#x pitch %d", b->refusals, why, b->rop, b->mode, b->mode_ext,
		  (int)b->width, (int)b->height, (unsigned int)b->dst, (int)b->dst_pitch,
		  (unsigned int)b->src, (int)b->src_pitch);
}

/* QEMU's blit_region_is_unsafe(): the nominal rectangle from addr by pitch. */
static bool region_unsafe(const struct cirrus_blt *b, uint32_t size, int32_t pitch, uint32_t addr)
{
	int64_t last = (int64_t)(b->height - 1) * pitch;

	if (pitch == 0)
		return true;
	if (pitch < 0)
		return (int64_t)addr + last - b->width < -1 || addr >= size;
	return (int64_t)addr + last + b->width > (int64_t)size;
}

/* QEMU's blit_is_unsafe(). */
static bool blit_unsafe(const struct cirrus_blt *b, uint32_t size, bool dst_only)
{
	return b->width > CIRRUS_BLT_BUFSIZE || region_unsafe(b, size, b->dst_pitch, b->dst) ||
	       (!dst_only && region_unsafe(b, size, b->src_pitch, b->src));
}

/* cirrus_bitblt_videotovideo() and the fill: check, measure, write, done. */
static void run_video(struct cirrus_blt *b, uint8_t gr[256], unsigned int bpp,
		      const struct cirrus_blt_vram *v)
{
	bool dst_only = b->kind == CIRRUS_BLT_FILL;

	if (is_pattern(b)) {
		/* cirrus_bitblt_common_patterncopy(): the size follows the display depth */
		uint32_t psize = bpp == 8 ? 64 : (bpp == 15 || bpp == 16) ? 128 : 256;

		b->src &= ~(psize - 1);
		b->pattern_y = 0; /* QEMU's cirrus_blt_srcaddr & 7, after that alignment */
		if ((uint64_t)b->src + psize > v->size) {
			refuse(b, gr, "%u-byte pattern past the end of VRAM", (unsigned int)psize);
			return;
		}
		dst_only = true;
	}
	if (blit_unsafe(b, v->size, dst_only)) {
		refuse(b, gr, "rectangle outside VRAM");
		return;
	}
	if (b->kind == CIRRUS_BLT_COPY && b->rop == ROP_SRC && bpp < 8) {
		/* cirrus_do_copy(): a plain copy needs a Cirrus display depth */
		refuse(b, gr, "plain copy at display depth %u", bpp);
		return;
	}
	if (!b->nop) {
		if (!run(b, v, true, false, b->dst, b->src, b->dst_pitch, b->src_pitch, b->height)) {
			refuse(b, gr, "pixels would be written outside VRAM");
			return;
		}
		run(b, v, false, false, b->dst, b->src, b->dst_pitch, b->src_pitch, b->height);
	}
	finish(b, gr);
}

/* cirrus_bitblt_cputovideo(): check every line now, then wait for the bytes. */
static void arm_cpu(struct cirrus_blt *b, uint8_t gr[256], const struct cirrus_blt_vram *v)
{
	bool ok = true;
	uint32_t pitch;

	if (blit_unsafe(b, v->size, true)) {
		refuse(b, gr, "rectangle outside VRAM");
		return;
	}
	if (is_pattern(b)) {
		/* QEMU: "XXX: check for 24 bpp": 192 bytes, of which the loop reads up to 320 */
		pitch = is_expand(b) ? 8 : 64 * b->pw;
	} else if (is_expand(b)) {
		uint32_t pixels = (uint32_t)b->width / b->pw;

		/*
		 * Lines of one bit a pixel, padded to a byte or (GR33 bit 0) to a
		 * dword. QEMU counts (pixels + 31) >> 5 bytes for the latter, a
		 * quarter of the dwords a line takes; the padding is the chip's.
		 */
		if (b->mode_ext & CIRRUS_BLTMODEEXT_DWORDGRANULARITY)
			pitch = (pixels + 31) / 32 * 4;
		else
			pitch = (pixels + 7) / 8;
	} else {
		pitch = ((uint32_t)b->width + 3) & ~3u; /* QEMU: "always align input size to 32 bits" */
	}
	if (pitch == 0 || pitch > CIRRUS_BLT_BUFSIZE) {
		refuse(b, gr, "%u source bytes a line", (unsigned int)pitch);
		return;
	}
	if (!b->nop) {
		if (is_pattern(b))
			ok = run(b, v, true, true, b->dst, 0, b->dst_pitch, 0, b->height);
		for (int32_t y = 0; ok && !is_pattern(b) && y < b->height; y++)
			ok = run(b, v, true, true, b->dst + (int64_t)y * b->dst_pitch, 0, 0, 0, 1);
		if (!ok) {
			refuse(b, gr, "pixels would be written outside VRAM");
			return;
		}
	}
	/* unread bytes of the buffer are 0 (QEMU's hold an earlier blit's) */
	memset(b->buf, 0, sizeof(b->buf));
	b->cpu_fill = 0;
	b->cpu_pitch = pitch;
	b->cpu_pattern = is_pattern(b);
	b->lines_left = b->cpu_pattern ? 1 : b->height;
	b->line_dst = b->dst;
	b->armed = true; /* GR31 stays busy, as QEMU's, until the last byte */
}

static uint32_t colour(uint8_t c0, uint8_t c1, uint8_t c2, uint8_t c3, unsigned int pw)
{
	uint32_t c = c0 | (uint32_t)c1 << 8 | (uint32_t)c2 << 16 | (uint32_t)c3 << 24;

	return pw == 4 ? c : c & ((1u << (8 * pw)) - 1);
}

void cirrus_blt_init(struct cirrus_blt *b)
{
	memset(b, 0, sizeof(*b));
}

void cirrus_blt_reset(struct cirrus_blt *b, uint8_t gr[256])
{
	finish(b, gr);
}

bool cirrus_blt_wants_cpu_data(const struct cirrus_blt *b)
{
	return b->armed;
}

void cirrus_blt_start(struct cirrus_blt *b, uint8_t gr[256], uint8_t shadow_gr0, uint8_t shadow_gr1,
		      unsigned int bpp, const struct cirrus_blt_vram *v)
{
	uint8_t mode;

	b->armed = false; /* a new start ends any blit in flight */
	gr[0x31] |= CIRRUS_BLT_BUSY;
	/* The register masks are QEMU's cirrus_vga_write_gr()'s, applied again here. */
	b->width = (gr[0x20] | (gr[0x21] & 0x1f) << 8) + 1;
	b->height = (gr[0x22] | (gr[0x23] & 0x1f) << 8) + 1;
	b->dst_pitch = gr[0x24] | (gr[0x25] & 0x1f) << 8;
	b->src_pitch = gr[0x26] | (gr[0x27] & 0x1f) << 8;
	b->dst = gr[0x28] | (uint32_t)gr[0x29] << 8 | (uint32_t)(gr[0x2a] & 0x3f) << 16;
	b->src = gr[0x2c] | (uint32_t)gr[0x2d] << 8 | (uint32_t)(gr[0x2e] & 0x3f) << 16;
	b->skip = gr[0x2f];
	b->mode = mode = gr[0x30];
	b->rop = gr[0x32];
	b->mode_ext = gr[0x33];
	b->pw = ((mode & CIRRUS_BLTMODE_PIXELWIDTHMASK) >> 4) + 1u;
	b->nop = rop_is_nop(b->rop);
	b->backwards = false;
	/* cirrus_bitblt_fgcol()/bgcol(); GR38-39, the key's mask, QEMU ignores */
	b->fg = colour(shadow_gr1, gr[0x11], gr[0x13], gr[0x15], b->pw);
	b->bg = colour(shadow_gr0, gr[0x10], gr[0x12], gr[0x14], b->pw);
	b->key = b->pw == 1 ? gr[0x34] : (uint32_t)(gr[0x34] | gr[0x35] << 8);
	if (!vram_usable(v)) {
		refuse(b, gr, "no usable VRAM");
		return;
	}
	b->dst &= v->size - 1;
	b->src &= v->size - 1;
	b->pattern_y = b->src & 7;

	if ((mode & (CIRRUS_BLTMODE_MEMSYSSRC | CIRRUS_BLTMODE_MEMSYSDEST)) ==
	    (CIRRUS_BLTMODE_MEMSYSSRC | CIRRUS_BLTMODE_MEMSYSDEST)) {
		refuse(b, gr, "memory to memory");
		return;
	}
	if ((b->mode_ext & CIRRUS_BLTMODEEXT_SOLIDFILL) &&
	    (mode & (CIRRUS_BLTMODE_MEMSYSDEST | CIRRUS_BLTMODE_TRANSPARENTCOMP |
		     CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND)) ==
		    (CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND)) {
		b->kind = CIRRUS_BLT_FILL; /* whatever MEMSYSSRC says */
		run_video(b, gr, bpp, v);
		return;
	}
	if ((mode & (CIRRUS_BLTMODE_COLOREXPAND | CIRRUS_BLTMODE_PATTERNCOPY)) == CIRRUS_BLTMODE_COLOREXPAND) {
		b->kind = (mode & CIRRUS_BLTMODE_TRANSPARENTCOMP) ? CIRRUS_BLT_EXPAND_TRANSP : CIRRUS_BLT_EXPAND;
	} else if (mode & CIRRUS_BLTMODE_PATTERNCOPY) {
		if (!(mode & CIRRUS_BLTMODE_COLOREXPAND))
			b->kind = CIRRUS_BLT_PATTERN;
		else if (mode & CIRRUS_BLTMODE_TRANSPARENTCOMP)
			b->kind = CIRRUS_BLT_EXPAND_PAT_TRANSP;
		else
			b->kind = CIRRUS_BLT_EXPAND_PAT;
	} else {
		b->kind = CIRRUS_BLT_COPY;
		if (mode & CIRRUS_BLTMODE_TRANSPARENTCOMP) {
			if (b->pw > 2) {
				refuse(b, gr, "transparent copy of %u-byte pixels", b->pw);
				return;
			}
			b->kind = CIRRUS_BLT_COPY_TRANSP;
		}
		if (mode & CIRRUS_BLTMODE_BACKWARDS) {
			b->backwards = true;
			b->dst_pitch = -b->dst_pitch;
			b->src_pitch = -b->src_pitch;
		}
	}

	if (mode & CIRRUS_BLTMODE_MEMSYSSRC) {
		arm_cpu(b, gr, v);
	} else if (mode & CIRRUS_BLTMODE_MEMSYSDEST) {
		/* cirrus_bitblt_videotocpu(): not implemented in QEMU either */
		if (!b->logged_to_cpu)
			log_guest("cirrus", "bitblt from video to CPU memory is not implemented: ignored");
		b->logged_to_cpu = true;
		finish(b, gr);
	} else {
		run_video(b, gr, bpp, v);
	}
}

void cirrus_blt_cpu_write(struct cirrus_blt *b, uint8_t gr[256], uint8_t val, const struct cirrus_blt_vram *v)
{
	if (!b->armed)
		return;
	b->buf[b->cpu_fill++] = val;
	if (b->cpu_fill < b->cpu_pitch)
		return;
	b->cpu_fill = 0;
	if (!vram_usable(v)) {
		refuse(b, gr, "no usable VRAM");
		return;
	}
	/* cirrus_bitblt_cputovideo_next(): a pattern draws the whole blit, else one line */
	if (b->cpu_pattern) {
		if (!b->nop)
			run(b, v, false, true, b->dst, 0, b->dst_pitch, 0, b->height);
		finish(b, gr);
		return;
	}
	if (!b->nop)
		run(b, v, false, true, b->line_dst, 0, 0, 0, 1);
	b->line_dst += b->dst_pitch;
	if (--b->lines_left <= 0)
		finish(b, gr);
}
