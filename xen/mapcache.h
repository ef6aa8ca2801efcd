/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen map cache: guest memory mapped into hvmdm in buckets of
 * MAPCACHE_BUCKET_PAGES frames and kept, so DMA, string I/O and firmware
 * copies do not map and unmap a page per copy (each one an ioctl, an mmap,
 * a munmap and a TLB flush). At most MAPCACHE_BUCKETS buckets are mapped;
 * the least recently used one makes way. The whole cache is dropped when
 * guest memory may have changed under it: Xen's IOREQ_TYPE_INVALIDATE
 * (sent after the guest gave memory back), hvmdm moving the VRAM frames,
 * and at close.
 *
 * A frame a bucket could not map read-write (absent, read-only, paged out,
 * or populated after the bucket was mapped) is reached through a mapping of
 * that one frame for that one copy, with the protection the copy needs, so
 * a hole never hides memory that appeared later and a read-only frame is
 * still readable; if that fails too, the copy fails.
 *
 * No Xen library here: the mapping calls are ops (xen.c passes
 * libxenforeignmemory's), so the unit tests drive it with a fake.
 * QEMU's counterpart: hw/i386/xen/xen-mapcache.c (1 MiB buckets on 64-bit
 * hosts, a hash of them, dropped on INVALIDATE).
 */
#ifndef HVMDM_XEN_MAPCACHE_H
#define HVMDM_XEN_MAPCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAPCACHE_PAGE 4096u
/* 1 MiB buckets, as QEMU's on 64-bit hosts; 256 of them: at most 256 MiB mapped. */
#define MAPCACHE_BUCKET_PAGES 256u
#define MAPCACHE_BUCKETS 256u
#define MAPCACHE_HASH 512u
/* Guest frames beyond 2^40 (4 PiB) are refused before any mapping call. */
#define MAPCACHE_MAX_PFN (1ull << 40)

struct mapcache_ops {
	/*
	 * Map n frames from `first`, read-write if `write`: the address of the
	 * first, err[i] = 0 for each frame mapped and non-zero for each one
	 * that is not (its page then faults if touched); NULL if nothing was.
	 */
	void *(*map)(void *opaque, uint64_t first, unsigned int n, bool write, int *err);
	void (*unmap)(void *opaque, void *addr, unsigned int n);
};

struct mapcache_bucket {
	uint64_t first;   /* first frame (a multiple of MAPCACHE_BUCKET_PAGES) */
	uint8_t *base;    /* NULL: free */
	uint64_t last_use;
	struct mapcache_bucket *next; /* the hash chain */
	uint64_t unmapped[MAPCACHE_BUCKET_PAGES / 64]; /* frames the bucket does not hold */
};

struct mapcache_stats {
	uint64_t hits, misses, evictions, invalidations, single_frame_maps, failures;
};

struct mapcache {
	const struct mapcache_ops *ops;
	void *opaque;
	struct mapcache_bucket bucket[MAPCACHE_BUCKETS];
	struct mapcache_bucket *hash[MAPCACHE_HASH];
	struct mapcache_bucket *last; /* the bucket of the previous lookup */
	uint64_t clock;
	unsigned int live; /* buckets mapped */
	struct mapcache_stats stats;
};

void mapcache_init(struct mapcache *mc, const struct mapcache_ops *ops, void *opaque);
/*
 * Copy len bytes between buf and guest memory at gpa. 0, or -EFAULT if a
 * frame cannot be reached (the copy stops there: earlier frames are done,
 * as a DMA engine's would be). If `modified` is set, each run of frames
 * written is passed to it once (live migration's dirty reporting).
 */
int mapcache_rw(struct mapcache *mc, uint64_t gpa, void *buf, size_t len, bool write,
		void (*modified)(void *opaque, uint64_t first, uint64_t nr), void *modified_opaque);
/* Unmap every bucket (INVALIDATE, VRAM moved, close). */
void mapcache_invalidate(struct mapcache *mc);

#endif
