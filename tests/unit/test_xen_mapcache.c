// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Xen map cache without Xen. The fake maps guest frames the way
 * libxenforeignmemory does: a memfd is guest RAM, each frame's mapping
 * aliases it (MAP_SHARED at the frame's offset, so what the cache writes
 * is in "guest memory"), a frame the "p2m" does not have is left
 * inaccessible with its error set, and the number of frames mapped at once
 * is tracked so the bound can be checked.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../xen/mapcache.h"

#define P MAPCACHE_PAGE
#define BUCKET ((uint64_t)MAPCACHE_BUCKET_PAGES * P)

struct fake {
	int fd;
	uint64_t frames;      /* guest frames */
	uint8_t *absent;      /* per frame: not in the p2m */
	uint8_t *read_only;   /* per frame: mapped read-only only */
	uint64_t *backing;    /* per frame: the memfd frame behind it (the p2m) */
	uint64_t maps, unmaps, live, max_live;
	uint64_t mod_first[16], mod_nr[16];
	unsigned int mods;
};

static void *fake_map(void *opaque, uint64_t first, unsigned int n, bool write, int *err)
{
	struct fake *f = opaque;
	uint8_t *base = mmap(NULL, (size_t)n * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(base != MAP_FAILED);
	f->maps++;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t pfn = first + i;

		if (pfn >= f->frames || f->absent[pfn] || (write && f->read_only[pfn])) {
			err[i] = -EFAULT;
			continue;
		}
		err[i] = 0;
		assert_true(mmap(base + (size_t)i * P, P, write ? PROT_READ | PROT_WRITE : PROT_READ,
				 MAP_SHARED | MAP_FIXED, f->fd, (off_t)(f->backing[pfn] * P)) !=
			    MAP_FAILED);
	}
	f->live += n;
	if (f->live > f->max_live)
		f->max_live = f->live;
	return base;
}

static void fake_unmap(void *opaque, void *addr, unsigned int n)
{
	struct fake *f = opaque;

	assert_int_equal(munmap(addr, (size_t)n * P), 0);
	assert_true(f->live >= n);
	f->live -= n;
	f->unmaps++;
}

static const struct mapcache_ops fake_ops = { .map = fake_map, .unmap = fake_unmap };

static void fake_modified(void *opaque, uint64_t first, uint64_t nr)
{
	struct fake *f = opaque;

	assert_true(f->mods < 16);
	f->mod_first[f->mods] = first;
	f->mod_nr[f->mods++] = nr;
}

/* Guest RAM of `frames` frames (sparse: only what is touched takes memory), plus spares. */
static struct fake *fake_new(uint64_t frames, uint64_t spare)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fd = memfd_create("guest-ram", 0);
	assert_true(f->fd >= 0);
	assert_int_equal(ftruncate(f->fd, (off_t)((frames + spare) * P)), 0);
	f->frames = frames;
	f->absent = calloc(frames, 1);
	f->read_only = calloc(frames, 1);
	f->backing = calloc(frames, sizeof(*f->backing));
	assert_non_null(f->absent);
	assert_non_null(f->read_only);
	assert_non_null(f->backing);
	for (uint64_t i = 0; i < frames; i++)
		f->backing[i] = i;
	return f;
}

static void fake_free(struct fake *f, struct mapcache *mc)
{
	mapcache_invalidate(mc);
	assert_int_equal(f->live, 0);
	assert_int_equal(f->maps, f->unmaps);
	close(f->fd);
	free(f->absent);
	free(f->read_only);
	free(f->backing);
	free(f);
}

/* What guest RAM holds at gpa, read behind the cache's back. */
static void ram_read(struct fake *f, uint64_t gpa, void *buf, size_t len)
{
	uint64_t off = f->backing[gpa / P] * P + gpa % P;

	assert_int_equal(pread(f->fd, buf, len, (off_t)off), (ssize_t)len);
}

static void test_copies_across_buckets(void **state)
{
	struct fake *f = fake_new(1024, 0);
	struct mapcache mc;
	uint8_t out[3 * P], in[3 * P], ram[3 * P];
	uint64_t gpa = BUCKET - 100;

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(mapcache_rw(&mc, gpa, out, sizeof(out), true, NULL, NULL), 0);
	/* The bytes are in guest memory, on both sides of the bucket boundary. */
	ram_read(f, gpa, ram, 100);
	ram_read(f, BUCKET, ram + 100, sizeof(ram) - 100);
	assert_memory_equal(ram, out, sizeof(out));
	assert_int_equal(mapcache_rw(&mc, gpa, in, sizeof(in), false, NULL, NULL), 0);
	assert_memory_equal(in, out, sizeof(out));
	/* Two buckets mapped once each, kept. */
	assert_int_equal(f->maps, 2);
	assert_int_equal(f->unmaps, 0);
	assert_int_equal(f->live, 2 * MAPCACHE_BUCKET_PAGES);
	fake_free(f, &mc);
}

static void test_kept_between_copies(void **state)
{
	struct fake *f = fake_new(1024, 0);
	struct mapcache mc;
	uint32_t v;

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	for (uint32_t i = 0; i < 1000; i++) {
		v = i;
		assert_int_equal(mapcache_rw(&mc, (uint64_t)(i % MAPCACHE_BUCKET_PAGES) * P + 8, &v,
					     sizeof(v), i & 1, NULL, NULL), 0);
	}
	assert_int_equal(f->maps, 1);
	assert_int_equal(mc.stats.misses, 1);
	assert_int_equal(mc.stats.hits, 999);
	fake_free(f, &mc);
}

/* At most MAPCACHE_BUCKETS buckets are mapped; the least recently used one goes. */
static void test_least_recently_used_goes(void **state)
{
	struct fake *f = fake_new((uint64_t)(MAPCACHE_BUCKETS + 2) * MAPCACHE_BUCKET_PAGES, 0);
	struct mapcache mc;
	uint8_t b = 0;
	uint64_t maps;

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	for (uint64_t i = 0; i < MAPCACHE_BUCKETS; i++)
		assert_int_equal(mapcache_rw(&mc, i * BUCKET, &b, 1, false, NULL, NULL), 0);
	assert_int_equal(f->maps, MAPCACHE_BUCKETS);
	assert_int_equal(mc.stats.evictions, 0);
	/* Bucket 0 used again: bucket 1 is now the oldest, and makes way. */
	assert_int_equal(mapcache_rw(&mc, 0, &b, 1, false, NULL, NULL), 0);
	assert_int_equal(mapcache_rw(&mc, (uint64_t)MAPCACHE_BUCKETS * BUCKET, &b, 1, false, NULL, NULL), 0);
	assert_int_equal(mc.stats.evictions, 1);
	maps = f->maps;
	assert_int_equal(mapcache_rw(&mc, 0, &b, 1, false, NULL, NULL), 0);
	assert_int_equal(f->maps, maps);
	assert_int_equal(mapcache_rw(&mc, BUCKET, &b, 1, false, NULL, NULL), 0);
	assert_int_equal(f->maps, maps + 1);
	assert_true(f->max_live <= (uint64_t)MAPCACHE_BUCKETS * MAPCACHE_BUCKET_PAGES);
	fake_free(f, &mc);
}

/* A frame the p2m lacks fails that copy only; once populated it is reached without an INVALIDATE. */
static void test_holes(void **state)
{
	struct fake *f = fake_new(1024, 0);
	struct mapcache mc;
	uint8_t buf[2 * P], before[P], after[P];

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	f->absent[5] = 1;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(mapcache_rw(&mc, 5 * P, buf, 16, false, NULL, NULL), -EFAULT);
	assert_int_equal(mc.stats.failures, 1);
	assert_int_equal(mapcache_rw(&mc, 4 * P, buf, P, false, NULL, NULL), 0);
	/* A write into the hole stops there: the frame before it is written, nothing else. */
	ram_read(f, 6 * P, before, P);
	assert_int_equal(mapcache_rw(&mc, 4 * P, buf, sizeof(buf) + 16, true, NULL, NULL), -EFAULT);
	ram_read(f, 4 * P, after, P);
	assert_memory_equal(after, buf, P);
	ram_read(f, 6 * P, after, P);
	assert_memory_equal(after, before, P);
	/* Populated after the bucket was mapped (a balloon giving memory back). */
	f->absent[5] = 0;
	assert_int_equal(mapcache_rw(&mc, 5 * P, buf, 16, true, NULL, NULL), 0);
	assert_int_equal(mc.stats.single_frame_maps, 1);
	ram_read(f, 5 * P, after, 16);
	assert_memory_equal(after, buf, 16);
	/* Past the end of guest memory: no bucket holds it, no single frame either. */
	assert_int_equal(mapcache_rw(&mc, 1024 * P, buf, 1, false, NULL, NULL), -EFAULT);
	assert_true(f->max_live <= (uint64_t)MAPCACHE_BUCKETS * MAPCACHE_BUCKET_PAGES);
	fake_free(f, &mc);
}

/* A read-only frame (a ROM the guest cannot write either) is read, never written. */
static void test_read_only_frame(void **state)
{
	struct fake *f = fake_new(1024, 0);
	struct mapcache mc;
	uint8_t v = 0x77, ram[4], seen[4];

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	f->read_only[7] = 1;
	ram_read(f, 7 * P, ram, sizeof(ram));
	assert_int_equal(mapcache_rw(&mc, 7 * P, seen, sizeof(seen), false, NULL, NULL), 0);
	assert_memory_equal(seen, ram, sizeof(ram));
	assert_int_equal(mapcache_rw(&mc, 7 * P, &v, 1, true, NULL, NULL), -EFAULT);
	ram_read(f, 7 * P, seen, sizeof(seen));
	assert_memory_equal(seen, ram, sizeof(ram));
	fake_free(f, &mc);
}

/*
 * Xen moved a frame (the guest gave it back and got another): a kept
 * mapping still shows the old one -- why INVALIDATE must drop everything --
 * and after it the copy sees the new one.
 */
static void test_invalidate(void **state)
{
	struct fake *f = fake_new(1024, 1);
	struct mapcache mc;
	uint8_t old = 0x11, new = 0x22, seen;

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	assert_int_equal(pwrite(f->fd, &old, 1, 3 * P), 1);
	assert_int_equal(pwrite(f->fd, &new, 1, 1024 * P), 1);
	assert_int_equal(mapcache_rw(&mc, 3 * P, &seen, 1, false, NULL, NULL), 0);
	assert_int_equal(seen, old);
	f->backing[3] = 1024;
	assert_int_equal(mapcache_rw(&mc, 3 * P, &seen, 1, false, NULL, NULL), 0);
	assert_int_equal(seen, old);
	mapcache_invalidate(&mc);
	assert_int_equal(f->live, 0);
	assert_int_equal(mapcache_rw(&mc, 3 * P, &seen, 1, false, NULL, NULL), 0);
	assert_int_equal(seen, new);
	assert_int_equal(mc.stats.invalidations, 1);
	fake_free(f, &mc);
}

/* Written frames are reported in runs (one call per run), reads never. */
static void test_modified_runs(void **state)
{
	struct fake *f = fake_new(1024, 0);
	struct mapcache mc;
	uint8_t buf[3 * P];

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(mapcache_rw(&mc, BUCKET - P + 1, buf, 2 * P, true, fake_modified, f), 0);
	assert_int_equal(f->mods, 1);
	assert_int_equal(f->mod_first[0], MAPCACHE_BUCKET_PAGES - 1);
	assert_int_equal(f->mod_nr[0], 3);
	assert_int_equal(mapcache_rw(&mc, 0, buf, sizeof(buf), false, fake_modified, f), 0);
	assert_int_equal(f->mods, 1);
	/* A write that stops at a hole reports what it wrote (the guest gave frame 12 back: INVALIDATE). */
	f->absent[12] = 1;
	mapcache_invalidate(&mc);
	assert_int_equal(mapcache_rw(&mc, 10 * P, buf, sizeof(buf), true, fake_modified, f), -EFAULT);
	assert_int_equal(f->mods, 2);
	assert_int_equal(f->mod_first[1], 10);
	assert_int_equal(f->mod_nr[1], 2);
	fake_free(f, &mc);
}

/* Addresses the guest cannot have are refused before any mapping call. */
static void test_bounds(void **state)
{
	struct fake *f = fake_new(16, 0);
	struct mapcache mc;
	uint8_t buf[16];
	const uint64_t limit = MAPCACHE_MAX_PFN * P;

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	assert_int_equal(mapcache_rw(&mc, UINT64_MAX - 3, buf, 8, false, NULL, NULL), -EFAULT);
	assert_int_equal(mapcache_rw(&mc, limit - 4, buf, 8, false, NULL, NULL), -EFAULT);
	assert_int_equal(mapcache_rw(&mc, limit, buf, 1, true, NULL, NULL), -EFAULT);
	assert_int_equal(f->maps, 0);
	assert_int_equal(mapcache_rw(&mc, 0, buf, 0, false, NULL, NULL), 0);
	assert_int_equal(f->maps, 0);
	fake_free(f, &mc);
}

/* A guest making hvmdm copy from all over 8 GiB in turn: never more than the bound mapped. */
static void test_storm_stays_bounded(void **state)
{
	const uint64_t frames = 2ull << 20; /* 8 GiB, sparse */
	struct fake *f = fake_new(frames, 0);
	struct mapcache mc;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint32_t v;

	(void)state;
	mapcache_init(&mc, &fake_ops, f);
	for (unsigned int i = 0; i < 20000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		assert_int_equal(mapcache_rw(&mc, (seed % frames) * P + (seed >> 52) % (P - 4), &v,
					     sizeof(v), false, NULL, NULL), 0);
		assert_true(mc.live <= MAPCACHE_BUCKETS);
	}
	assert_true(f->max_live <= (uint64_t)MAPCACHE_BUCKETS * MAPCACHE_BUCKET_PAGES);
	assert_true(mc.stats.evictions > 0);
	fake_free(f, &mc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_across_buckets),
		cmocka_unit_test(test_kept_between_copies),
		cmocka_unit_test(test_least_recently_used_goes),
		cmocka_unit_test(test_holes),
		cmocka_unit_test(test_read_only_frame),
		cmocka_unit_test(test_invalidate),
		cmocka_unit_test(test_modified_runs),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_storm_stays_bounded),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("xen map cache", tests, NULL, NULL);
}
