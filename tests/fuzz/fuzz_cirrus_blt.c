// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the Cirrus BitBLT engine (hw/display/cirrus_blt.c):
 * the engine and the plain reference (tests/unit/cirrus_blt_ref.h) run the
 * same blits on two copies of a 64 KiB VRAM (the 22-bit addresses wrap into
 * it, so rectangles past its end are common; ASan sees every byte beyond
 * it). Aborts when they differ in VRAM, GR31 or wanting CPU data, when a
 * dirty range leaves VRAM, or when the ranges reported are not exactly the
 * blit's area (holding every byte that changed).
 *
 *   records of 38 bytes, then CPU bytes:
 *     GR20-GR39 (26), GR10-GR15 (6), shadow GR0, shadow GR1,
 *     display depth (index into 0, 8, 15, 16, 24, 32), flags,
 *     n (le16): up to n of the following bytes go to the blit, one at a
 *     time, while it wants them.
 *   flags bit 0: GR31's reset first; bit 1: keep the blit in flight into the
 *   next record (else it is reset after its bytes).
 *   A blit of more than 64 Ki pixels has its height cut to fit: speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"
#include "hw/display/cirrus_blt.h"
#include "tests/unit/cirrus_blt_ref.h"

#define FSIZE (64 * 1024)
#define RECORD 38

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *dirty;

static void on_dirty(void *opaque, uint32_t off, uint32_t len)
{
	(void)opaque;
	if (len == 0 || off >= FSIZE || len > FSIZE - off) {
		fprintf(stderr, "dirty range %#x+%#x outside VRAM\n", off, len);
		abort();
	}
	memset(dirty + off, 1, len);
}

static void check(const uint8_t *ve, const uint8_t *vr, const uint8_t *before, const uint8_t *touched,
		  const struct cirrus_blt *b, const struct cref *r, const uint8_t *gre, const uint8_t *grr)
{
	/* memcmp and whole words first: a byte loop here would be most of the run time */
	if (memcmp(ve, vr, FSIZE) || memcmp(dirty, touched, FSIZE)) {
		for (uint32_t i = 0; i < FSIZE; i++)
			if (ve[i] != vr[i] || dirty[i] != touched[i])
				fprintf(stderr, "VRAM %#x: engine %#x, reference %#x; dirty %d, blit area %d\n",
					i, ve[i], vr[i], dirty[i], touched[i]);
		abort();
	}
	for (uint32_t i = 0; i < FSIZE; i += 8) {
		uint64_t now, was, rep;

		memcpy(&now, ve + i, 8);
		memcpy(&was, before + i, 8);
		memcpy(&rep, dirty + i, 8);
		if (now == was || rep == 0x0101010101010101ull)
			continue;
		for (uint32_t k = i; k < i + 8; k++) {
			if (ve[k] != before[k] && !dirty[k]) {
				fprintf(stderr, "VRAM %#x changed, not reported dirty\n", k);
				abort();
			}
		}
	}
	if (gre[0x31] != grr[0x31] || cirrus_blt_wants_cpu_data(b) != (r->cpu != 0)) {
		fprintf(stderr, "GR31 %#x/%#x, wants data %d/%d\n", gre[0x31], grr[0x31],
			cirrus_blt_wants_cpu_data(b), r->cpu);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int depths[] = { 0, 8, 15, 16, 24, 32 };
	static struct cirrus_blt b;
	static struct cref r;
	static uint8_t *ve, *vr, *before, *touched, *image;
	uint8_t gre[256] = { 0 }, grr[256] = { 0 };
	struct cirrus_blt_vram v;
	uint32_t x = 0x9e3779b9;
	size_t i = 0;

	if (!ve) {
		ve = malloc(FSIZE);
		vr = malloc(FSIZE);
		before = malloc(FSIZE);
		touched = malloc(FSIZE);
		dirty = malloc(FSIZE);
		if (!ve || !vr || !before || !touched || !dirty)
			abort();
	}
	log_set_level(LOG_ERROR);
	if (!image) {
		image = malloc(FSIZE);
		if (!image)
			abort();
		for (uint32_t k = 0; k < FSIZE; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			image[k] = (uint8_t)x;
		}
	}
	memcpy(ve, image, FSIZE);
	memcpy(vr, image, FSIZE);
	cirrus_blt_init(&b);
	cref_init(&r, vr, FSIZE);
	r.touched = touched;
	v = (struct cirrus_blt_vram){ .vram = ve, .size = FSIZE, .dirty = on_dirty };

	while (i + RECORD <= size) {
		const uint8_t *rec = data + i;
		unsigned int bpp = depths[rec[34] % 6];
		uint8_t flags = rec[35];
		size_t n = rec[36] | (size_t)rec[37] << 8;
		uint64_t w, h;

		i += RECORD;
		memcpy(before, ve, FSIZE);
		memset(dirty, 0, FSIZE);
		memset(touched, 0, FSIZE);
		if (flags & 1) {
			cirrus_blt_reset(&b, gre);
			cref_idle(&r, grr);
		}
		memcpy(gre + 0x20, rec, 26);
		memcpy(gre + 0x10, rec + 26, 6);
		w = (gre[0x20] | (gre[0x21] & 0x1fu) << 8) + 1u;
		h = (gre[0x22] | (gre[0x23] & 0x1fu) << 8) + 1u;
		if (w * h > FSIZE) { /* speed: at most a VRAM's worth of pixels */
			h = FSIZE / w;
			gre[0x22] = (uint8_t)(h - 1);
			gre[0x23] = (uint8_t)((h - 1) >> 8);
		}
		gre[0x31] = (uint8_t)((gre[0x31] & ~CIRRUS_BLT_RESET) | CIRRUS_BLT_START);
		memcpy(grr, gre, sizeof(grr));
		cirrus_blt_start(&b, gre, rec[32], rec[33], bpp, &v);
		cref_start(&r, grr, rec[32], rec[33], bpp);
		check(ve, vr, before, touched, &b, &r, gre, grr);
		for (; n && i < size && cirrus_blt_wants_cpu_data(&b); n--, i++) {
			cirrus_blt_cpu_write(&b, gre, data[i], &v);
			cref_cpu_write(&r, grr, data[i]);
			if (gre[0x31] != grr[0x31] || cirrus_blt_wants_cpu_data(&b) != (r.cpu != 0))
				check(ve, vr, before, touched, &b, &r, gre, grr);
		}
		check(ve, vr, before, touched, &b, &r, gre, grr);
		if (!(flags & 2)) {
			cirrus_blt_reset(&b, gre);
			cref_idle(&r, grr);
		}
		if (b.refusals != (unsigned long)r.refused) {
			fprintf(stderr, "refusals: engine %lu, reference %d\n", b.refusals, r.refused);
			abort();
		}
	}
	return 0;
}
