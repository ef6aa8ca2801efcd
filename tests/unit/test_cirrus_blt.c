// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Cirrus BitBLT engine (hw/display/cirrus_blt.c) against the plain
 * reference in cirrus_blt_ref.h, byte for byte, on VRAM filled with a
 * pseudo-random pattern: every ROP and pixel width, copies both ways and
 * overlapping, fills, patterns, colour expansion, CPU sources fed a byte at
 * a time, the transparent key, and the refusals of hostile registers (VRAM
 * untouched, GR31 idle, nothing reported dirty). A few results are also
 * worked out by hand here, so engine and reference cannot agree on a
 * mistake there. Expected behaviour is QEMU 7.2's (hw/display/cirrus_vga.c).
 */
#include "testlib.h"

#include "hw/display/cirrus_blt.h"
#include "cirrus_blt_ref.h"

#define VSIZE (64 * 1024)

static const uint8_t rops[] = { 0x00, 0x05, 0x06, 0x09, 0x0b, 0x0d, 0x0e, 0x50,
				0x59, 0x6d, 0x90, 0x95, 0xad, 0xd0, 0xd6, 0xda };

struct fx {
	uint32_t size;
	uint8_t *ve, *vr;       /* engine's and reference's VRAM */
	uint8_t *before;        /* VRAM before the last blit */
	uint8_t *dirty, *touched;
	unsigned int dirty_calls;
	struct cirrus_blt b;
	struct cref r;
	uint8_t gre[256], grr[256];
	uint32_t rng;
};

static uint32_t rnd(struct fx *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 17;
	f->rng ^= f->rng << 5;
	return f->rng;
}

static void on_dirty(void *opaque, uint32_t off, uint32_t len)
{
	struct fx *f = opaque;

	assert_true(len > 0);
	assert_true((uint64_t)off + len <= f->size);
	memset(f->dirty + off, 1, len);
	f->dirty_calls++;
}

static struct cirrus_blt_vram vram_of(struct fx *f)
{
	return (struct cirrus_blt_vram){ .vram = f->ve, .size = f->size, .dirty = on_dirty, .opaque = f };
}

static struct fx *fx_new(uint32_t size)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->size = size;
	f->ve = malloc(size);
	f->vr = malloc(size);
	f->before = malloc(size);
	f->dirty = calloc(1, size);
	f->touched = calloc(1, size);
	assert_true(f->ve && f->vr && f->before && f->dirty && f->touched);
	f->rng = 0x12345678;
	for (uint32_t i = 0; i < size; i++)
		f->ve[i] = (uint8_t)rnd(f);
	memcpy(f->vr, f->ve, size);
	cirrus_blt_init(&f->b);
	cref_init(&f->r, f->vr, size);
	f->r.touched = f->touched;
	return f;
}

static void fx_free(struct fx *f)
{
	free(f->ve);
	free(f->vr);
	free(f->before);
	free(f->dirty);
	free(f->touched);
	free(f);
}

/* A blit as the guest programs it. */
struct blit {
	int w, h, dp, sp;       /* bytes, lines, pitches (as programmed: positive) */
	uint32_t dst, src;
	uint8_t mode, rop, ext, skip;
	uint8_t key[2];
	uint8_t sgr0, sgr1;     /* bg, fg low bytes */
	uint8_t col[6];         /* GR10-15 */
	unsigned int bpp;
};

static void set_regs(uint8_t *gr, const struct blit *p)
{
	gr[0x10] = p->col[0];
	gr[0x11] = p->col[1];
	gr[0x12] = p->col[2];
	gr[0x13] = p->col[3];
	gr[0x14] = p->col[4];
	gr[0x15] = p->col[5];
	gr[0x20] = (uint8_t)(p->w - 1);
	gr[0x21] = (uint8_t)((p->w - 1) >> 8);
	gr[0x22] = (uint8_t)(p->h - 1);
	gr[0x23] = (uint8_t)((p->h - 1) >> 8);
	gr[0x24] = (uint8_t)p->dp;
	gr[0x25] = (uint8_t)(p->dp >> 8);
	gr[0x26] = (uint8_t)p->sp;
	gr[0x27] = (uint8_t)(p->sp >> 8);
	gr[0x28] = (uint8_t)p->dst;
	gr[0x29] = (uint8_t)(p->dst >> 8);
	gr[0x2a] = (uint8_t)(p->dst >> 16);
	gr[0x2c] = (uint8_t)p->src;
	gr[0x2d] = (uint8_t)(p->src >> 8);
	gr[0x2e] = (uint8_t)(p->src >> 16);
	gr[0x2f] = p->skip;
	gr[0x30] = p->mode;
	gr[0x31] = CIRRUS_BLT_START;
	gr[0x32] = p->rop;
	gr[0x33] = p->ext;
	gr[0x34] = p->key[0];
	gr[0x35] = p->key[1];
}

/* The blit last begun, printed when a comparison fails. */
static char last_blit[200];

/* Engine and reference agree on VRAM and GR31; the dirty ranges are exactly the blit's area and hold every change. */
static void compare(struct fx *f)
{
	for (uint32_t i = 0; i < f->size; i++) {
		if (f->ve[i] != f->vr[i])
			fail_msg("VRAM %#x: engine %#04x, reference %#04x (was %#04x) after %s", i, f->ve[i],
				 f->vr[i], f->before[i], last_blit);
		if (f->dirty[i] != f->touched[i])
			fail_msg("VRAM %#x: engine %s it dirty, the blit %s it", i,
				 f->dirty[i] ? "reported" : "did not report",
				 f->touched[i] ? "covers" : "does not cover");
		if (f->ve[i] != f->before[i] && !f->dirty[i])
			fail_msg("VRAM %#x changed and was not reported", i);
	}
	assert_int_equal(f->gre[0x31], f->grr[0x31]);
	assert_int_equal(cirrus_blt_wants_cpu_data(&f->b), f->r.cpu);
}

static void begin(struct fx *f, const struct blit *p)
{
	struct cirrus_blt_vram v = vram_of(f);

	memcpy(f->before, f->ve, f->size);
	memset(f->dirty, 0, f->size);
	memset(f->touched, 0, f->size);
	f->dirty_calls = 0;
	snprintf(last_blit, sizeof(last_blit),
		 "%dx%d dst %#x/%d src %#x/%d mode %#x rop %#x ext %#x skip %#x key %02x%02x bpp %u",
		 p->w, p->h, p->dst, p->dp, p->src, p->sp, p->mode, p->rop, p->ext, p->skip, p->key[1],
		 p->key[0], p->bpp);
	set_regs(f->gre, p);
	set_regs(f->grr, p);
	cirrus_blt_start(&f->b, f->gre, p->sgr0, p->sgr1, p->bpp, &v);
	cref_start(&f->r, f->grr, p->sgr0, p->sgr1, p->bpp);
	assert_int_equal(f->gre[0x31], f->grr[0x31]);
	assert_int_equal(cirrus_blt_wants_cpu_data(&f->b), f->r.cpu);
}

/* One CPU byte to both; both must still agree on whether they want more. */
static void cpu_byte(struct fx *f, uint8_t val)
{
	struct cirrus_blt_vram v = vram_of(f);

	cirrus_blt_cpu_write(&f->b, f->gre, val, &v);
	cref_cpu_write(&f->r, f->grr, val);
	assert_int_equal(cirrus_blt_wants_cpu_data(&f->b), f->r.cpu);
	assert_int_equal(f->gre[0x31], f->grr[0x31]);
}

/* Runs p; a CPU-source blit is fed random bytes, one at a time, until done. Returns the bytes fed. */
static size_t run(struct fx *f, const struct blit *p)
{
	size_t n = 0;

	begin(f, p);
	while (cirrus_blt_wants_cpu_data(&f->b)) {
		assert_true(f->gre[0x31] & CIRRUS_BLT_BUSY); /* busy while it waits */
		cpu_byte(f, (uint8_t)rnd(f));
		n++;
		assert_true(n <= 8u * 1024 * 1024);
	}
	compare(f);
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START | CIRRUS_BLT_FIFOUSED), 0);
	return n;
}

static bool changed(const struct fx *f)
{
	return memcmp(f->ve, f->before, f->size) != 0;
}

static struct blit base_blit(uint8_t mode, uint8_t rop)
{
	return (struct blit){ .w = 24, .h = 5, .dp = 40, .sp = 40, .dst = 0x1000, .src = 0x3000,
			      .mode = mode, .rop = rop, .sgr0 = 0x11, .sgr1 = 0xee,
			      .col = { 0x22, 0xdd, 0x33, 0xcc, 0x44, 0xbb }, .bpp = 8 };
}

static uint8_t pwbits(int pw)
{
	return (uint8_t)((pw - 1) << 4);
}

/* ------------------------------------------------------------------ tests */

static void test_rop_copies(void **state)
{
	struct fx *f = fx_new(VSIZE);

	(void)state;
	for (size_t i = 0; i < sizeof(rops); i++) {
		for (int pw = 1; pw <= 4; pw++) {
			struct blit p = base_blit(pwbits(pw), rops[i]);

			run(f, &p);
			/* the NOP draws nothing; the others report each of the 5 lines */
			assert_int_equal(f->dirty_calls, rops[i] == 0x06 ? 0 : 5);
			/* backwards: the addresses are the last byte of each rectangle */
			p.mode |= CIRRUS_BLTMODE_BACKWARDS;
			p.dst = 0x5000 + 4 * 40 + 23;
			p.src = 0x7000 + 4 * 40 + 23;
			run(f, &p);
			assert_int_equal(f->dirty_calls, rops[i] == 0x06 ? 0 : 5);
			/* from the CPU, both ways */
			p.mode |= CIRRUS_BLTMODE_MEMSYSSRC;
			assert_int_equal(run(f, &p), 5 * 24);
			p.mode &= (uint8_t)~CIRRUS_BLTMODE_BACKWARDS;
			assert_int_equal(run(f, &p), 5 * 24);
		}
	}
	fx_free(f);
}

/* ROP 0x0d copies: worked out here, not by the reference. */
static void test_copy_by_hand(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(0, 0x0d);

	(void)state;
	p.w = 10;
	p.h = 3;
	p.dp = 100;
	p.sp = 64;
	run(f, &p);
	for (int y = 0; y < 3; y++)
		assert_memory_equal(f->ve + 0x1000 + y * 100, f->before + 0x3000 + y * 64, 10);
	/* nothing else moved, and exactly the three lines were reported */
	assert_int_equal(f->dirty_calls, 3);
	for (uint32_t i = 0; i < f->size; i++) {
		bool in = i >= 0x1000 && (i - 0x1000) % 100 < 10 && (i - 0x1000) / 100 < 3;

		assert_int_equal(f->dirty[i], in);
		if (!in)
			assert_int_equal(f->ve[i], f->before[i]);
	}

	/* ROP 0x59 (src ^ dst) */
	p.rop = 0x59;
	run(f, &p);
	for (int y = 0; y < 3; y++)
		for (int x = 0; x < 10; x++)
			assert_int_equal(f->ve[0x1000 + y * 100 + x],
					 f->before[0x1000 + y * 100 + x] ^ f->before[0x3000 + y * 64 + x]);
	fx_free(f);
}

/* Overlapping rectangles: the hardware direction decides, byte by byte. */
static void test_overlap(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(0, 0x0d);
	uint8_t want[16 * 40];

	(void)state;
	p.w = 16;
	p.h = 4;
	/* backwards, 3 bytes to the right and a line down: as memmove */
	p.mode = CIRRUS_BLTMODE_BACKWARDS;
	p.src = 0x2000 + 3 * 40 + 15;
	p.dst = p.src + 40 + 3;
	for (int y = 0; y < 4; y++)
		memcpy(want + y * 16, f->ve + 0x2000 + y * 40, 16);
	run(f, &p);
	for (int y = 0; y < 4; y++)
		assert_memory_equal(f->ve + 0x2000 + 43 + y * 40, want + y * 16, 16);

	/* forwards, 3 bytes to the left and a line up: as memmove */
	p.mode = 0;
	p.src = 0x3000 + 43;
	p.dst = 0x3000;
	for (int y = 0; y < 4; y++)
		memcpy(want + y * 16, f->ve + 0x3000 + 43 + y * 40, 16);
	run(f, &p);
	for (int y = 0; y < 4; y++)
		assert_memory_equal(f->ve + 0x3000 + y * 40, want + y * 16, 16);

	/* the wrong way round the source is overwritten as it is read */
	p.src = 0x4000;
	p.dst = 0x4000 + 3;
	run(f, &p);
	for (int x = 3; x < 16; x++)
		assert_int_equal(f->ve[0x4000 + 3 + x], f->before[0x4000 + x % 3]);
	p.mode = CIRRUS_BLTMODE_BACKWARDS;
	p.src = 0x5000 + 3 * 40 + 15 + 3;
	p.dst = p.src - 3;
	run(f, &p);

	/* every ROP and width, overlapping both ways, keyed too */
	for (size_t i = 0; i < sizeof(rops); i++) {
		for (int pw = 1; pw <= 4; pw++) {
			for (int dir = 0; dir < 2; dir++) {
				p = base_blit(pwbits(pw), rops[i]);
				p.src = 0x6000 + 4 * 40 + 23;
				p.dst = p.src + (dir ? 41 : -41);
				p.mode |= dir ? CIRRUS_BLTMODE_BACKWARDS : 0;
				run(f, &p);
				if (pw <= 2) {
					p.mode |= CIRRUS_BLTMODE_TRANSPARENTCOMP;
					p.key[0] = f->ve[p.src];
					p.key[1] = f->ve[p.src + 1];
					run(f, &p);
				}
			}
		}
	}
	fx_free(f);
}

/* QEMU's forward copy does nothing at all when lines overlap (pitch < width). */
static void test_forward_overlapping_lines(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(0, 0x0d);

	(void)state;
	p.dp = 10;
	run(f, &p);
	assert_false(changed(f));
	assert_int_equal(f->dirty_calls, 0);
	p.dp = 40;
	p.sp = 23;
	p.mode = CIRRUS_BLTMODE_TRANSPARENTCOMP | pwbits(2);
	run(f, &p);
	assert_false(changed(f));
	/* one line is fine */
	p.h = 1;
	run(f, &p);
	assert_true(changed(f));
	/* and backwards has no such rule */
	p = base_blit(CIRRUS_BLTMODE_BACKWARDS, 0x0d);
	p.h = 8;
	p.dp = p.sp = 7;
	p.dst = 0x2000;
	p.src = 0x3000;
	run(f, &p);
	assert_true(changed(f));
	fx_free(f);
}

static void test_solid_fill(void **state)
{
	struct fx *f = fx_new(VSIZE);
	const uint8_t fill_mode = CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND;

	(void)state;
	for (int pw = 1; pw <= 4; pw++) {
		struct blit p = base_blit(fill_mode | pwbits(pw), 0x0d);
		uint8_t fg[4] = { 0xee, 0xdd, 0xcc, 0xbb };

		p.ext = CIRRUS_BLTMODEEXT_SOLIDFILL;
		run(f, &p);
		for (int y = 0; y < 5; y++)
			for (int x = 0; x < 24; x++)
				assert_int_equal(f->ve[0x1000 + y * 40 + x], fg[x % pw]);
		/* every ROP; MEMSYSSRC and BACKWARDS change nothing; odd widths; odd addresses */
		for (size_t i = 0; i < sizeof(rops); i++) {
			p.rop = rops[i];
			p.mode = fill_mode | pwbits(pw) | CIRRUS_BLTMODE_MEMSYSSRC | CIRRUS_BLTMODE_BACKWARDS;
			p.w = 23;
			p.dst = 0x2001;
			assert_int_equal(run(f, &p), 0);
			p.mode = fill_mode | pwbits(pw);
			p.w = 24;
			p.dp = 5; /* lines overlap */
			run(f, &p);
			p.dp = 40;
		}
		/* with TRANSPARENTCOMP it is a colour-expanded pattern instead */
		p.rop = 0x0d;
		p.mode = fill_mode | pwbits(pw) | CIRRUS_BLTMODE_TRANSPARENTCOMP;
		run(f, &p);
	}
	fx_free(f);
}

static void test_pattern_copy(void **state)
{
	static const unsigned int depths[] = { 0, 8, 15, 16, 24, 32 };
	struct fx *f = fx_new(VSIZE);

	(void)state;
	for (int pw = 1; pw <= 4; pw++) {
		for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
			for (int skip = 0; skip < 32; skip += 5) {
				struct blit p = base_blit(CIRRUS_BLTMODE_PATTERNCOPY | pwbits(pw), 0x0d);

				p.bpp = depths[d];
				p.skip = (uint8_t)skip;
				p.w = 8 * 4 * 3;
				p.h = 19;
				p.dp = 100;
				p.src = 0x8000 + 0x123; /* aligned down to the pattern block */
				run(f, &p);
				assert_true(changed(f));
				p.rop = 0x6d;
				run(f, &p);
				/* from the CPU: the pattern, then the blit; line 3 first */
				p.mode |= CIRRUS_BLTMODE_MEMSYSSRC;
				p.src = 3;
				assert_int_equal(run(f, &p), 64u * (unsigned int)pw);
			}
		}
	}
	/* 8 bpp, worked out here: dst (x, y) = pattern (x % 8, y % 8) */
	{
		struct blit p = base_blit(CIRRUS_BLTMODE_PATTERNCOPY, 0x0d);

		p.w = 20;
		p.h = 11;
		p.src = 0x9000 + 7;
		run(f, &p);
		for (int y = 0; y < 11; y++)
			for (int x = 0; x < 20; x++)
				assert_int_equal(f->ve[0x1000 + y * 40 + x], f->before[0x9000 + (y % 8) * 8 + x % 8]);
	}
	fx_free(f);
}

static void test_colour_expand(void **state)
{
	struct fx *f = fx_new(VSIZE);

	(void)state;
	for (int pw = 1; pw <= 4; pw++) {
		for (int kind = 0; kind < 4; kind++) {
			for (int skip = 0; skip < 32; skip += 3) {
				struct blit p = base_blit(CIRRUS_BLTMODE_COLOREXPAND | pwbits(pw), 0x0d);

				if (kind & 1)
					p.mode |= CIRRUS_BLTMODE_TRANSPARENTCOMP;
				if (kind & 2)
					p.ext |= CIRRUS_BLTMODEEXT_COLOREXPINV;
				p.skip = (uint8_t)skip;
				p.w = 37 * pw;
				p.h = 6;
				p.dp = 200;
				p.sp = 50;
				run(f, &p); /* video source: bytes follow on across lines */
				assert_true(changed(f));
				p.rop = 0x95;
				run(f, &p);
				/* CPU source, byte and dword padded lines */
				p.mode |= CIRRUS_BLTMODE_MEMSYSSRC;
				assert_int_equal(run(f, &p), 6 * 5);
				p.ext |= CIRRUS_BLTMODEEXT_DWORDGRANULARITY;
				assert_int_equal(run(f, &p), 6 * 8);
				/* patterns, video and CPU */
				p.mode = CIRRUS_BLTMODE_COLOREXPAND | CIRRUS_BLTMODE_PATTERNCOPY | pwbits(pw) |
					 ((kind & 1) ? CIRRUS_BLTMODE_TRANSPARENTCOMP : 0);
				p.src = 0xa005;
				run(f, &p);
				p.mode |= CIRRUS_BLTMODE_MEMSYSSRC;
				assert_int_equal(run(f, &p), 8);
			}
		}
	}
	fx_free(f);
}

/* Colour expansion, 8 bpp, worked out here. */
static void test_colour_expand_by_hand(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(CIRRUS_BLTMODE_COLOREXPAND | CIRRUS_BLTMODE_MEMSYSSRC, 0x0d);
	static const uint8_t bits[2] = { 0xa5, 0x3c };

	(void)state;
	p.w = 16;
	p.h = 1;
	begin(f, &p);
	cpu_byte(f, bits[0]);
	assert_true(cirrus_blt_wants_cpu_data(&f->b));
	cpu_byte(f, bits[1]);
	assert_false(cirrus_blt_wants_cpu_data(&f->b));
	compare(f);
	for (int x = 0; x < 16; x++)
		assert_int_equal(f->ve[0x1000 + x], (bits[x / 8] >> (7 - x % 8)) & 1 ? 0xee : 0x11);

	/* transparent: clear bits leave VRAM; inverted: set bits do, clear ones get bg */
	p.mode |= CIRRUS_BLTMODE_TRANSPARENTCOMP;
	p.ext = CIRRUS_BLTMODEEXT_COLOREXPINV;
	p.dst = 0x1100;
	begin(f, &p);
	cpu_byte(f, bits[0]);
	cpu_byte(f, bits[1]);
	compare(f);
	for (int x = 0; x < 16; x++)
		assert_int_equal(f->ve[0x1100 + x],
				 (bits[x / 8] >> (7 - x % 8)) & 1 ? f->before[0x1100 + x] : 0x11);
	fx_free(f);
}

static void test_transparent_key(void **state)
{
	struct fx *f = fx_new(VSIZE);

	(void)state;
	/* by hand: 16 bpp, the key pixel is not written */
	{
		struct blit p = base_blit(CIRRUS_BLTMODE_TRANSPARENTCOMP | pwbits(2), 0x0d);

		p.h = 1;
		p.w = 8;
		f->ve[0x3002] = f->vr[0x3002] = 0x34;
		f->ve[0x3003] = f->vr[0x3003] = 0x12;
		f->ve[0x3004] = f->vr[0x3004] = 0x35;
		f->ve[0x3005] = f->vr[0x3005] = 0x12;
		p.key[0] = 0x34;
		p.key[1] = 0x12;
		run(f, &p);
		assert_memory_equal(f->ve + 0x1000, f->before + 0x3000, 2);
		assert_memory_equal(f->ve + 0x1002, f->before + 0x1002, 2);
		assert_memory_equal(f->ve + 0x1004, f->before + 0x3004, 4);
	}
	for (size_t i = 0; i < sizeof(rops); i++) {
		for (int pw = 1; pw <= 2; pw++) {
			for (int odd = 0; odd < 2; odd++) {
				struct blit p = base_blit(CIRRUS_BLTMODE_TRANSPARENTCOMP | pwbits(pw), rops[i]);

				p.w = 24 + odd; /* 16 bpp lines of odd width drift a byte a line */
				p.dst += (uint32_t)odd;
				p.key[0] = f->ve[p.src + 4];
				p.key[1] = f->ve[p.src + 5];
				run(f, &p);
				p.mode |= CIRRUS_BLTMODE_BACKWARDS;
				p.dst = 0x5000 + 4 * 40 + 23 + (uint32_t)odd;
				p.src = 0x7000 + 4 * 40 + 23;
				run(f, &p);
				p.mode |= CIRRUS_BLTMODE_MEMSYSSRC;
				run(f, &p);
				p.mode &= (uint8_t)~CIRRUS_BLTMODE_BACKWARDS;
				run(f, &p);
			}
		}
	}
	fx_free(f);
}

/* Hostile registers: nothing moves, GR31 is idle, nothing is dirty, and the refusal counts. */
static void refused(struct fx *f, const struct blit *p)
{
	unsigned long before = f->b.refusals;

	begin(f, p);
	compare(f);
	assert_false(changed(f));
	assert_int_equal(f->dirty_calls, 0);
	assert_false(cirrus_blt_wants_cpu_data(&f->b));
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START | CIRRUS_BLT_FIFOUSED), 0);
	assert_int_equal(f->b.refusals, before + 1);
}

static void test_refusals(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p;

	(void)state;
	log_set_level(LOG_ERROR);
	/* destination past the end */
	p = base_blit(0, 0x0d);
	p.dst = VSIZE - 10;
	p.h = 1;
	refused(f, &p);
	p.mode = CIRRUS_BLTMODE_MEMSYSSRC;
	refused(f, &p);
	p = base_blit(CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND, 0x0d);
	p.ext = CIRRUS_BLTMODEEXT_SOLIDFILL;
	p.dst = VSIZE - 3 * 40;
	refused(f, &p);
	/* source past the end */
	p = base_blit(0, 0x0d);
	p.src = VSIZE - 4 * 40 - 10;
	refused(f, &p);
	/* colour expansion from video checks the source rectangle too, pitch 0 included (QEMU) */
	p = base_blit(CIRRUS_BLTMODE_COLOREXPAND, 0x0d);
	p.sp = 0;
	refused(f, &p);
	/* negative pitch running below 0 */
	p = base_blit(CIRRUS_BLTMODE_BACKWARDS, 0x0d);
	p.dst = 4 * 40 + 22; /* one byte short */
	p.src = 0x8000;
	refused(f, &p);
	p.dst = 0x8000;
	p.src = 4 * 40 + 22;
	refused(f, &p);
	p.src += 1;
	run(f, &p); /* the edge itself is fine */
	assert_true(changed(f));
	/* zero pitches */
	p = base_blit(0, 0x0d);
	p.dp = 0;
	refused(f, &p);
	p = base_blit(0, 0x0d);
	p.sp = 0;
	refused(f, &p);
	p.mode = CIRRUS_BLTMODE_PATTERNCOPY; /* patterns don't use the source pitch */
	run(f, &p);
	/* huge height, huge width */
	p = base_blit(0, 0x0d);
	p.h = 8192;
	p.dp = p.sp = 8191;
	refused(f, &p);
	p = base_blit(CIRRUS_BLTMODE_MEMSYSSRC, 0x0d);
	p.w = 8192;
	p.h = 8;
	p.dp = 8191; /* the largest pitch there is */
	refused(f, &p);
	/* the widest line there is (GR21 bits 0-4) fits the CPU line buffer exactly */
	p.h = 7;
	assert_int_equal(run(f, &p), 7 * 8192);
	/* transparent copies of 24/32-bit pixels; memory to memory */
	p = base_blit(CIRRUS_BLTMODE_TRANSPARENTCOMP | pwbits(3), 0x0d);
	refused(f, &p);
	p.mode = CIRRUS_BLTMODE_TRANSPARENTCOMP | pwbits(4);
	refused(f, &p);
	p.mode = CIRRUS_BLTMODE_MEMSYSSRC | CIRRUS_BLTMODE_MEMSYSDEST;
	refused(f, &p);
	/* a plain copy needs a Cirrus display depth (QEMU's cirrus_do_copy) */
	p = base_blit(0, 0x0d);
	p.bpp = 0;
	refused(f, &p);
	p.rop = 0x6d; /* only ROP 0x0d */
	run(f, &p);
	/* pixels whose last bytes QEMU would wrap to the start of VRAM */
	p = base_blit(CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_COLOREXPAND | pwbits(3), 0x0d);
	p.ext = CIRRUS_BLTMODEEXT_SOLIDFILL;
	p.w = 4;
	p.h = 1;
	p.dst = VSIZE - 4;
	refused(f, &p);
	p = base_blit(CIRRUS_BLTMODE_TRANSPARENTCOMP | CIRRUS_BLTMODE_BACKWARDS | pwbits(2), 0x0d);
	p.w = 3;
	p.h = 1;
	p.dst = 2;
	p.src = 0x8000;
	refused(f, &p);
	/* the same from the CPU: refused when started, before any byte is taken */
	p = base_blit(CIRRUS_BLTMODE_COLOREXPAND | CIRRUS_BLTMODE_MEMSYSSRC | pwbits(3), 0x0d);
	p.w = 4;
	p.h = 1;
	p.dst = VSIZE - 4;
	refused(f, &p);
	p.mode |= CIRRUS_BLTMODE_PATTERNCOPY;
	refused(f, &p);
	p.w = 3; /* one pixel: fits */
	assert_int_equal(run(f, &p), 8);
	/* CPU colour expansion of lines narrower than a pixel: 0 source bytes a line */
	p = base_blit(CIRRUS_BLTMODE_COLOREXPAND | CIRRUS_BLTMODE_MEMSYSSRC | pwbits(4), 0x0d);
	p.w = 3;
	refused(f, &p);
	/* video to CPU: not implemented, as in QEMU: nothing, not counted */
	p = base_blit(CIRRUS_BLTMODE_MEMSYSDEST, 0x0d);
	begin(f, &p);
	compare(f);
	assert_false(changed(f));
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START), 0);
	assert_int_equal(f->r.refused, (int)f->b.refusals);
	fx_free(f);
}

/* An address register holding more than 22 bits, a VRAM smaller than 4 MiB: addresses wrap into it. */
static void test_address_masks(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(0, 0x0d);

	(void)state;
	p.dst = 0xff1000; /* GR2A bits 6-7 and 16-21 dropped */
	p.src = 0xc23000;
	p.h = 2;
	run(f, &p);
	assert_memory_equal(f->ve + 0x1000, f->before + 0x3000, 24);
	/* GR21/23/25/27 bits 5-7 are not part of the values */
	set_regs(f->gre, &p);
	f->gre[0x21] |= 0xe0;
	f->gre[0x23] |= 0xe0;
	f->gre[0x25] |= 0xe0;
	f->gre[0x27] |= 0xe0;
	{
		struct cirrus_blt_vram v = vram_of(f);

		cirrus_blt_start(&f->b, f->gre, 0, 0, 8, &v);
	}
	assert_int_equal(f->b.width, 24);
	assert_int_equal(f->b.height, 2);
	assert_int_equal(f->b.dst_pitch, 40);
	assert_int_equal(f->b.src_pitch, 40);
	memcpy(f->vr, f->ve, f->size);
	fx_free(f);
}

/* The card handing over no VRAM, or a size the masks cannot work with, refuses every blit. */
static void test_unusable_vram(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(0, 0x0d);
	struct cirrus_blt_vram v = vram_of(f);

	(void)state;
	set_regs(f->gre, &p);
	v.size = 3 * 4096;
	cirrus_blt_start(&f->b, f->gre, 0, 0, 8, &v);
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START), 0);
	v.size = 2;
	f->gre[0x31] = CIRRUS_BLT_START;
	cirrus_blt_start(&f->b, f->gre, 0, 0, 8, &v);
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START), 0);
	v = vram_of(f);
	v.vram = NULL;
	f->gre[0x31] = CIRRUS_BLT_START;
	cirrus_blt_start(&f->b, f->gre, 0, 0, 8, &v);
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START), 0);
	cirrus_blt_start(&f->b, f->gre, 0, 0, 8, NULL);
	assert_int_equal(f->b.refusals, 4);
	/* and VRAM taken away in the middle of a CPU-source blit ends it */
	p.mode = CIRRUS_BLTMODE_MEMSYSSRC;
	p.w = 4;
	v = vram_of(f);
	set_regs(f->gre, &p);
	cirrus_blt_start(&f->b, f->gre, 0, 0, 8, &v);
	assert_true(cirrus_blt_wants_cpu_data(&f->b));
	v.size = 5;
	for (int i = 0; i < 4; i++)
		cirrus_blt_cpu_write(&f->b, f->gre, 0xaa, &v);
	assert_false(cirrus_blt_wants_cpu_data(&f->b));
	assert_int_equal(f->gre[0x31] & (CIRRUS_BLT_BUSY | CIRRUS_BLT_START), 0);
	assert_memory_equal(f->ve, f->vr, f->size);
	fx_free(f);
}

static void test_status_and_reset(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct blit p = base_blit(CIRRUS_BLTMODE_MEMSYSSRC, 0x0d);
	struct cirrus_blt_vram v = vram_of(f);

	(void)state;
	p.w = 8;
	p.h = 3;
	begin(f, &p);
	assert_int_equal(f->gre[0x31], CIRRUS_BLT_START | CIRRUS_BLT_BUSY);
	for (int i = 0; i < 8 + 5; i++)
		cpu_byte(f, (uint8_t)i);
	assert_int_equal(f->gre[0x31], CIRRUS_BLT_START | CIRRUS_BLT_BUSY);
	/* the GR31 reset bit aborts it: the first line stays, nothing more is taken */
	cirrus_blt_reset(&f->b, f->gre);
	cref_idle(&f->r, f->grr);
	assert_int_equal(f->gre[0x31], 0);
	assert_false(cirrus_blt_wants_cpu_data(&f->b));
	cirrus_blt_cpu_write(&f->b, f->gre, 0x55, &v);
	compare(f);
	for (int i = 0; i < 8; i++)
		assert_int_equal(f->ve[0x1000 + i], i);
	assert_memory_equal(f->ve + 0x1000 + 40, f->before + 0x1000 + 40, 8);

	/* a new start ends a blit in flight and starts afresh */
	begin(f, &p);
	cpu_byte(f, 1);
	cpu_byte(f, 2);
	p.dst = 0x2000;
	p.mode = CIRRUS_BLTMODE_MEMSYSSRC | pwbits(2);
	assert_int_equal(run(f, &p), 3 * 8);
	/* a refused start ends it too */
	p.dst = 0x1000;
	begin(f, &p);
	cpu_byte(f, 9);
	p.dp = 0;
	refused(f, &p);
	/* stray bytes when nothing waits are ignored */
	cirrus_blt_cpu_write(&f->b, f->gre, 0x55, &v);
	assert_false(changed(f));
	/* the line buffer restarts zeroed: a 24 bpp CPU pattern reads past its 192 bytes */
	p = base_blit(CIRRUS_BLTMODE_PATTERNCOPY | CIRRUS_BLTMODE_MEMSYSSRC | pwbits(3), 0x0d);
	p.w = 48;
	p.h = 8;
	p.src = 0;
	begin(f, &p);
	for (int i = 0; i < 192; i++)
		cpu_byte(f, 0xff);
	compare(f);
	assert_int_equal(f->ve[0x1000 + 6 * 40 + 12], 0); /* pattern line 6 byte 12 = buffer 204 */
	fx_free(f);
}

/* Bytes seen by the log. */
struct sink_count {
	unsigned int n;
};

static void count_write(void *opaque, enum log_level level, const char *who, const char *msg)
{
	struct sink_count *c = opaque;

	(void)level;
	(void)msg;
	if (!strcmp(who, "cirrus"))
		c->n++;
}

static void test_log_rate(void **state)
{
	struct fx *f = fx_new(VSIZE);
	struct sink_count c = { 0 };
	struct log_sink sink = { count_write, &c };
	struct blit p = base_blit(0, 0x0d);

	(void)state;
	log_set_level(LOG_WARN);
	log_set_sink(&sink);
	p.dp = 0;
	for (int i = 0; i < 5000; i++)
		refused(f, &p);
	assert_true(c.n >= 1 && c.n <= 16 + 9);
	c.n = 0;
	p = base_blit(CIRRUS_BLTMODE_MEMSYSDEST, 0x0d);
	for (int i = 0; i < 100; i++)
		begin(f, &p);
	assert_true(c.n <= 1);
	log_set_sink(NULL);
	log_set_level(LOG_ERROR);
	fx_free(f);
}

/* Many random programs, small enough to be drawn often, on a small VRAM. */
static void test_random(void **state)
{
	static const unsigned int depths[] = { 0, 8, 15, 16, 24, 32 };
	struct fx *f = fx_new(VSIZE);
	unsigned int done = 0, refusals = 0;

	(void)state;
	log_set_level(LOG_ERROR);
	f->rng = 0xdecafbad;
	for (int i = 0; i < 4000; i++) {
		struct blit p = { 0 };
		size_t n = 0, limit;

		p.w = (int)(rnd(f) % (i % 3 ? 70 : 8192)) + 1;
		p.h = (int)(rnd(f) % (i % 5 ? 20 : 8192)) + 1;
		if ((uint64_t)p.w * (uint64_t)p.h > 200000)
			p.h = 1;
		p.dp = (int)(rnd(f) % (i % 4 ? 300 : 8192));
		p.sp = (int)(rnd(f) % (i % 4 ? 300 : 8192));
		p.dst = rnd(f) % (i % 2 ? VSIZE : 0x400000);
		p.src = rnd(f) % (i % 2 ? VSIZE : 0x400000);
		p.mode = (uint8_t)rnd(f);
		p.rop = rnd(f) % 8 ? rops[rnd(f) % sizeof(rops)] : (uint8_t)rnd(f);
		p.ext = (uint8_t)(rnd(f) & 7);
		p.skip = (uint8_t)rnd(f);
		p.key[0] = (uint8_t)rnd(f);
		p.key[1] = (uint8_t)rnd(f);
		p.sgr0 = (uint8_t)rnd(f);
		p.sgr1 = (uint8_t)rnd(f);
		for (int k = 0; k < 6; k++)
			p.col[k] = (uint8_t)rnd(f);
		p.bpp = depths[rnd(f) % 6];
		begin(f, &p);
		limit = rnd(f) % 3 ? SIZE_MAX : rnd(f) % 64; /* sometimes stop short */
		while (cirrus_blt_wants_cpu_data(&f->b) && n++ < limit)
			cpu_byte(f, (uint8_t)rnd(f));
		compare(f);
		if (changed(f))
			done++;
		if (cirrus_blt_wants_cpu_data(&f->b)) {
			cirrus_blt_reset(&f->b, f->gre);
			cref_idle(&f->r, f->grr);
		}
	}
	refusals = (unsigned int)f->b.refusals;
	assert_int_equal(f->r.refused, (int)refusals);
	/* both outcomes are common */
	assert_true(done > 500);
	assert_true(refusals > 500);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rop_copies),
		cmocka_unit_test(test_copy_by_hand),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_forward_overlapping_lines),
		cmocka_unit_test(test_solid_fill),
		cmocka_unit_test(test_pattern_copy),
		cmocka_unit_test(test_colour_expand),
		cmocka_unit_test(test_colour_expand_by_hand),
		cmocka_unit_test(test_transparent_key),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_address_masks),
		cmocka_unit_test(test_unusable_vram),
		cmocka_unit_test(test_status_and_reset),
		cmocka_unit_test(test_log_rate),
		cmocka_unit_test(test_random),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
