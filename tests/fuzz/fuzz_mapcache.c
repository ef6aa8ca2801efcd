// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the Xen map cache: the input is a run of 8-byte
 * operations a hostile guest can cause -- DMA and string-I/O copies of any
 * address and length, frames taken from the p2m and given back, frames made
 * read-only, Xen's INVALIDATE -- against a fake of the foreign-mapping calls
 * over 4 GiB of sparse "guest RAM" (a memfd; each mapped frame aliases it).
 * Every copy is checked against the memfd itself (what a read returns, what
 * a write left, that nothing past a frame that cannot be reached changed),
 * and the number of frames mapped at once against the cache's bound.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../xen/mapcache.h"

#define P MAPCACHE_PAGE
#define FRAMES (1u << 20) /* 4 GiB of guest frames */
#define FLAGGED 64        /* frames whose p2m state the input can change */
#define MAX_COPY (3 * P)

struct fake {
	int fd;
	uint8_t absent[FLAGGED], read_only[FLAGGED];
	uint64_t live;
};

static struct fake f = { .fd = -1 };

/* Frames 0..FLAGGED-1 and their copies near 4 GiB are the ones the input can change. */
static unsigned int flag_index(uint64_t pfn)
{
	return (unsigned int)(pfn % FLAGGED);
}

static bool flagged(uint64_t pfn)
{
	return pfn < FLAGGED;
}

static void *fake_map(void *opaque, uint64_t first, unsigned int n, bool write, int *err)
{
	uint8_t *base = mmap(NULL, (size_t)n * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)opaque;
	if (base == MAP_FAILED)
		abort();
	for (unsigned int i = 0; i < n; i++) {
		uint64_t pfn = first + i;

		if (pfn >= FRAMES || (flagged(pfn) && (f.absent[flag_index(pfn)] ||
						       (write && f.read_only[flag_index(pfn)])))) {
			err[i] = -EFAULT;
			continue;
		}
		err[i] = 0;
		if (mmap(base + (size_t)i * P, P, write ? PROT_READ | PROT_WRITE : PROT_READ,
			 MAP_SHARED | MAP_FIXED, f.fd, (off_t)(pfn * P)) == MAP_FAILED)
			abort();
	}
	f.live += n;
	if (f.live > (uint64_t)MAPCACHE_BUCKETS * MAPCACHE_BUCKET_PAGES + 1)
		abort(); /* the bound, plus the one frame of a single-frame copy */
	return base;
}

static void fake_unmap(void *opaque, void *addr, unsigned int n)
{
	(void)opaque;
	if (munmap(addr, (size_t)n * P) || f.live < n)
		abort();
	f.live -= n;
}

static const struct mapcache_ops ops = { .map = fake_map, .unmap = fake_unmap };

/* Whether the copy can reach frame pfn (as the fake will answer for it). */
static bool reachable(uint64_t pfn, bool write)
{
	if (pfn >= FRAMES)
		return false;
	if (!flagged(pfn))
		return true;
	return !f.absent[flag_index(pfn)] && !(write && f.read_only[flag_index(pfn)]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mapcache mc;
	static uint8_t buf[MAX_COPY], before[MAX_COPY], after[MAX_COPY];

	if (f.fd < 0) {
		f.fd = memfd_create("fuzz-guest-ram", 0);
		if (f.fd < 0 || ftruncate(f.fd, (off_t)FRAMES * P))
			abort();
	}
	memset(f.absent, 0, sizeof(f.absent));
	memset(f.read_only, 0, sizeof(f.read_only));
	mapcache_init(&mc, &ops, NULL);
	for (size_t off = 0; off + 8 <= size; off += 8) {
		const uint8_t *op = data + off;
		/* Near 0 (where the flagged frames are), near the 4 GiB end, or anywhere. */
		uint32_t raw = (uint32_t)op[1] | (uint32_t)op[2] << 8 | (uint32_t)op[3] << 16 | (uint32_t)op[4] << 24;
		uint64_t pfn = op[0] & 0x40 ? raw % (2 * FLAGGED)
			       : op[0] & 0x20 ? FRAMES - 1 - raw % 600 : raw % (FRAMES + 4096);
		uint64_t gpa = pfn * P + ((uint32_t)op[5] << 4 | (op[6] & 0xf)) % P;
		size_t len = ((size_t)op[6] >> 4 | (size_t)op[7] << 4) % (MAX_COPY + 1);
		bool write = op[0] & 1;

		switch (op[0] >> 1 & 0xf) {
		case 0: /* the guest gives a frame back, or gets it again: Xen sends INVALIDATE */
			f.absent[flag_index(pfn)] ^= 1;
			mapcache_invalidate(&mc);
			break;
		case 1: /* a frame becomes read-only (or writable) in the p2m */
			f.read_only[flag_index(pfn)] ^= 1;
			mapcache_invalidate(&mc);
			break;
		case 2:
			mapcache_invalidate(&mc);
			break;
		default: { /* a copy, checked against guest RAM */
			uint64_t first = gpa / P, last = len ? (gpa + len - 1) / P : first;
			size_t reach = 0;
			int rc;

			/* How many bytes the copy can reach before it meets a frame it cannot. */
			for (uint64_t p = first; len && p <= last && reachable(p, write); p++)
				reach = (size_t)((p + 1) * P - gpa);
			if (reach > len)
				reach = len;
			memset(before, 0, len); /* past the memfd's end pread reads nothing */
			if (len && pread(f.fd, before, len, (off_t)gpa) < 0)
				abort();
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)(op[7] + i * 131);
			rc = mapcache_rw(&mc, gpa, buf, len, write, NULL, NULL);
			if ((rc == 0) != (reach == len))
				abort();
			memset(after, 0, len);
			if (len && pread(f.fd, after, len, (off_t)gpa) < 0)
				abort();
			if (write) {
				/* What it reached holds the copy; nothing after that changed. */
				if (memcmp(after, buf, reach) ||
				    memcmp(after + reach, before + reach, len - reach))
					abort();
			} else {
				if (memcmp(buf, before, reach) || memcmp(after, before, len))
					abort();
			}
			break;
		}
		}
		if (mc.live > MAPCACHE_BUCKETS)
			abort();
	}
	mapcache_invalidate(&mc);
	if (f.live)
		abort();
	return 0;
}
