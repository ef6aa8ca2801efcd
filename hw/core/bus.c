// SPDX-License-Identifier: GPL-2.0-only
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void io_space_init(struct io_space *space, enum io_space_kind kind, struct accel *accel)
{
	memset(space, 0, sizeof(*space));
	space->kind = kind;
	space->size = kind == IO_SPACE_PORT ? 0x10000 : UINT64_MAX;
	space->accel = accel;
}

void io_space_destroy(struct io_space *space)
{
	free(space->ranges);
	space->ranges = NULL;
	space->count = space->capacity = 0;
}

static const char *space_name(const struct io_space *space)
{
	return space->kind == IO_SPACE_PORT ? "port" : "mmio";
}

/* Index of the first range whose end is above addr (count if none). */
static size_t first_ending_above(const struct io_space *space, uint64_t addr)
{
	size_t lo = 0, hi = space->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct io_range *r = &space->ranges[mid];

		if (r->base + (r->len - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct io_range *io_space_find(const struct io_space *space, uint64_t addr)
{
	size_t i = first_ending_above(space, addr);

	if (i < space->count && space->ranges[i].base <= addr)
		return &space->ranges[i];
	return NULL;
}

int io_space_claim(struct io_space *space, uint64_t base, uint64_t len,
		   const struct io_ops *ops, void *opaque, const char *name)
{
	uint64_t last;
	size_t i;

	if (len == 0 || base > space->size - 1 || len - 1 > space->size - 1 - base) {
		log_error("bus", "%s claim by %s of %#llx+%#llx is outside the %s space",
			  space_name(space), name, (unsigned long long)base,
			  (unsigned long long)len, space_name(space));
		return -EINVAL;
	}
	last = base + (len - 1);
	i = first_ending_above(space, base);
	if (i < space->count && space->ranges[i].base <= last) {
		const struct io_range *r = &space->ranges[i];

		log_error("bus", "%s range %#llx-%#llx for %s overlaps %#llx-%#llx owned by %s",
			  space_name(space), (unsigned long long)base, (unsigned long long)last,
			  name, (unsigned long long)r->base,
			  (unsigned long long)(r->base + r->len - 1), r->name);
		return -EEXIST;
	}
	if (space->count == space->capacity) {
		size_t cap = space->capacity ? space->capacity * 2 : 32;
		struct io_range *n = realloc(space->ranges, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		space->ranges = n;
		space->capacity = cap;
	}
	if (space->accel) {
		int rc = accel_map_io_range(space->accel, space->kind, base, last, true);

		if (rc < 0) {
			log_error("bus", "accelerator refused %s range %#llx-%#llx for %s",
				  space_name(space), (unsigned long long)base,
				  (unsigned long long)last, name);
			return rc;
		}
	}
	memmove(&space->ranges[i + 1], &space->ranges[i],
		(space->count - i) * sizeof(space->ranges[0]));
	space->ranges[i] = (struct io_range){
		.base = base, .len = len, .ops = ops, .opaque = opaque, .name = name,
	};
	space->count++;
	return 0;
}

int io_space_release(struct io_space *space, uint64_t base, const void *opaque)
{
	size_t i = first_ending_above(space, base);
	struct io_range *r;

	if (i >= space->count)
		return -ENOENT;
	r = &space->ranges[i];
	if (r->base != base || r->opaque != opaque)
		return -ENOENT;
	if (space->accel)
		accel_map_io_range(space->accel, space->kind, r->base, r->base + r->len - 1, false);
	memmove(r, r + 1, (space->count - i - 1) * sizeof(*r));
	space->count--;
	return 0;
}

static unsigned int impl_min(const struct io_ops *ops)
{
	return ops->impl_min ? ops->impl_min : 1;
}

static unsigned int impl_max(const struct io_ops *ops)
{
	return ops->impl_max ? ops->impl_max : 4;
}

/*
 * One chunk inside one range, split to the handler's largest access size. A
 * chunk narrower than the handler accepts is invalid (QEMU's valid.min): it
 * reads all-ones and writes nothing, so no handler sees a partial register.
 */
static uint64_t range_read(const struct io_range *r, uint64_t off, unsigned int size)
{
	unsigned int step = size, hi = impl_max(r->ops);
	uint64_t v = 0;

	if (size < impl_min(r->ops)) {
		log_guest("bus", "%u-byte read of %s+%#llx is narrower than it accepts",
			  size, r->name, (unsigned long long)off);
		return size_mask(size);
	}
	if (step > hi)
		step = hi;
	for (unsigned int done = 0; done < size; done += step) {
		uint64_t part = r->ops->read(r->opaque, off + done, step);

		v |= (part & size_mask(step)) << (8 * done);
	}
	return v & size_mask(size);
}

static void range_write(const struct io_range *r, uint64_t off, unsigned int size, uint64_t v)
{
	unsigned int step = size, hi = impl_max(r->ops);

	if (size < impl_min(r->ops)) {
		log_guest("bus", "%u-byte write of %s+%#llx is narrower than it accepts",
			  size, r->name, (unsigned long long)off);
		return;
	}
	if (step > hi)
		step = hi;
	for (unsigned int done = 0; done < size; done += step)
		r->ops->write(r->opaque, off + done, step, (v >> (8 * done)) & size_mask(step));
}

/* Largest naturally aligned power-of-two chunk at addr not beyond len. */
static unsigned int chunk_size(uint64_t addr, uint64_t len, bool unaligned)
{
	unsigned int c = 8;

	while (c > len)
		c >>= 1;
	if (!unaligned)
		while (addr & (c - 1))
			c >>= 1;
	return c;
}

/*
 * Walk [addr, addr+size) piece by piece; `fn` gets each piece's range (or NULL
 * for unclaimed bytes), its offset and size, and its byte position.
 */
typedef void (*piece_fn)(void *ctx, const struct io_range *r, uint64_t off,
			 unsigned int len, unsigned int pos);

static void walk(struct io_space *space, uint64_t addr, unsigned int size, piece_fn fn, void *ctx)
{
	unsigned int pos = 0;

	while (pos < size) {
		uint64_t a = addr + pos;
		uint64_t room = size - pos;
		const struct io_range *r = NULL;
		unsigned int n;

		if (a < addr || a > space->size - 1) {
			fn(ctx, NULL, 0, size - pos, pos); /* wrapped or past the end */
			return;
		}
		r = io_space_find(space, a);
		if (r) {
			uint64_t left = r->base + (r->len - 1) - a + 1;

			if (left < room)
				room = left;
			n = chunk_size(a, room, r->ops->unaligned);
			fn(ctx, r, a - r->base, n, pos);
		} else {
			size_t i = first_ending_above(space, a);

			if (i < space->count && space->ranges[i].base - a < room)
				room = space->ranges[i].base - a;
			n = (unsigned int)room;
			fn(ctx, NULL, 0, n, pos);
		}
		pos += n;
	}
}

struct read_ctx {
	uint64_t value;
};

static void read_piece(void *ctx, const struct io_range *r, uint64_t off, unsigned int len,
		       unsigned int pos)
{
	struct read_ctx *c = ctx;
	uint64_t v = r ? range_read(r, off, len) : UINT64_MAX;

	c->value |= (v & size_mask(len)) << (8 * pos);
}

struct write_ctx {
	uint64_t value;
};

static void write_piece(void *ctx, const struct io_range *r, uint64_t off, unsigned int len,
			unsigned int pos)
{
	struct write_ctx *c = ctx;

	if (r)
		range_write(r, off, len, (c->value >> (8 * pos)) & size_mask(len));
}

static bool valid_size(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

uint64_t io_space_read(struct io_space *space, uint64_t addr, unsigned int size)
{
	struct read_ctx c = { 0 };
	const struct io_range *r;

	if (!valid_size(size))
		return UINT64_MAX;
	/* Fast path: the whole access is one aligned chunk in one range. */
	r = io_space_find(space, addr);
	if (r && size <= r->len && addr - r->base <= r->len - size &&
	    (r->ops->unaligned || !(addr & (size - 1))))
		return range_read(r, addr - r->base, size);
	walk(space, addr, size, read_piece, &c);
	return c.value & size_mask(size);
}

void io_space_write(struct io_space *space, uint64_t addr, unsigned int size, uint64_t val)
{
	struct write_ctx c = { .value = val & size_mask(size) };
	const struct io_range *r;

	if (!valid_size(size))
		return;
	r = io_space_find(space, addr);
	if (r && size <= r->len && addr - r->base <= r->len - size &&
	    (r->ops->unaligned || !(addr & (size - 1)))) {
		range_write(r, addr - r->base, size, c.value);
		return;
	}
	walk(space, addr, size, write_piece, &c);
}
