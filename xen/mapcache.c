// SPDX-License-Identifier: GPL-2.0-only
/* The Xen map cache (see mapcache.h). */
#include "mapcache.h"

#include <errno.h>
#include <string.h>

void mapcache_init(struct mapcache *mc, const struct mapcache_ops *ops, void *opaque)
{
	memset(mc, 0, sizeof(*mc));
	mc->ops = ops;
	mc->opaque = opaque;
}

static unsigned int hash_of(uint64_t first)
{
	return (unsigned int)((first / MAPCACHE_BUCKET_PAGES) % MAPCACHE_HASH);
}

static void unhash(struct mapcache *mc, struct mapcache_bucket *b)
{
	struct mapcache_bucket **p = &mc->hash[hash_of(b->first)];

	while (*p && *p != b)
		p = &(*p)->next;
	if (*p)
		*p = b->next;
	b->next = NULL;
}

static void drop(struct mapcache *mc, struct mapcache_bucket *b)
{
	unhash(mc, b);
	mc->ops->unmap(mc->opaque, b->base, MAPCACHE_BUCKET_PAGES);
	b->base = NULL;
	mc->live--;
	if (mc->last == b)
		mc->last = NULL;
}

void mapcache_invalidate(struct mapcache *mc)
{
	for (unsigned int i = 0; i < MAPCACHE_BUCKETS; i++)
		if (mc->bucket[i].base)
			drop(mc, &mc->bucket[i]);
	mc->stats.invalidations++;
}

/* A free bucket, making one from the least recently used if all are mapped. */
static struct mapcache_bucket *free_bucket(struct mapcache *mc)
{
	struct mapcache_bucket *victim = NULL;

	for (unsigned int i = 0; i < MAPCACHE_BUCKETS; i++) {
		struct mapcache_bucket *b = &mc->bucket[i];

		if (!b->base)
			return b;
		if (!victim || b->last_use < victim->last_use)
			victim = b;
	}
	drop(mc, victim);
	mc->stats.evictions++;
	return victim;
}

/* Map the bucket starting at `first`; NULL if Xen mapped none of its frames. */
static struct mapcache_bucket *fill(struct mapcache *mc, uint64_t first)
{
	struct mapcache_bucket *b = free_bucket(mc);
	int err[MAPCACHE_BUCKET_PAGES];

	memset(err, 0, sizeof(err));
	b->base = mc->ops->map(mc->opaque, first, MAPCACHE_BUCKET_PAGES, true, err);
	if (!b->base)
		return NULL;
	b->first = first;
	memset(b->unmapped, 0, sizeof(b->unmapped));
	for (unsigned int i = 0; i < MAPCACHE_BUCKET_PAGES; i++)
		if (err[i])
			b->unmapped[i / 64] |= 1ull << (i % 64);
	b->next = mc->hash[hash_of(first)];
	mc->hash[hash_of(first)] = b;
	mc->live++;
	return b;
}

/* Where frame pfn is mapped in the cache, or NULL if the cache cannot hold it. */
static uint8_t *cached_frame(struct mapcache *mc, uint64_t pfn)
{
	uint64_t first = pfn - pfn % MAPCACHE_BUCKET_PAGES;
	unsigned int idx = (unsigned int)(pfn % MAPCACHE_BUCKET_PAGES);
	struct mapcache_bucket *b = mc->last;

	if (!b || b->first != first) {
		for (b = mc->hash[hash_of(first)]; b && b->first != first; b = b->next)
			;
	}
	if (b) {
		mc->stats.hits++;
	} else {
		mc->stats.misses++;
		b = fill(mc, first);
		if (!b)
			return NULL;
	}
	mc->last = b;
	b->last_use = ++mc->clock;
	if (b->unmapped[idx / 64] & (1ull << (idx % 64)))
		return NULL;
	return b->base + (size_t)idx * MAPCACHE_PAGE;
}

static void copy(uint8_t *page, size_t off, uint8_t *buf, size_t n, bool write)
{
	if (write)
		memcpy(page + off, buf, n);
	else
		memcpy(buf, page + off, n);
}

int mapcache_rw(struct mapcache *mc, uint64_t gpa, void *buf, size_t len, bool write,
		void (*modified)(void *opaque, uint64_t first, uint64_t nr), void *modified_opaque)
{
	const uint64_t limit = MAPCACHE_MAX_PFN * MAPCACHE_PAGE;
	uint64_t run_first = 0, run_nr = 0;
	uint8_t *p = buf;
	int rc = 0;

	if (gpa >= limit || len > limit - gpa)
		return -EFAULT;
	while (len) {
		uint64_t pfn = gpa / MAPCACHE_PAGE;
		size_t off = gpa % MAPCACHE_PAGE;
		size_t n = MAPCACHE_PAGE - off < len ? MAPCACHE_PAGE - off : len;
		uint8_t *page = cached_frame(mc, pfn);

		if (page) {
			copy(page, off, p, n, write);
		} else {
			/* The one frame, for this copy only, with only the access it needs. */
			int err = 0;

			page = mc->ops->map(mc->opaque, pfn, 1, write, &err);
			if (!page || err) {
				if (page)
					mc->ops->unmap(mc->opaque, page, 1);
				mc->stats.failures++;
				rc = -EFAULT;
				break;
			}
			mc->stats.single_frame_maps++;
			copy(page, off, p, n, write);
			mc->ops->unmap(mc->opaque, page, 1);
		}
		if (write && modified) {
			if (run_nr && run_first + run_nr == pfn) {
				run_nr++;
			} else {
				if (run_nr)
					modified(modified_opaque, run_first, run_nr);
				run_first = pfn;
				run_nr = 1;
			}
		}
		gpa += n;
		p += n;
		len -= n;
	}
	if (run_nr)
		modified(modified_opaque, run_first, run_nr);
	return rc;
}
