/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port I/O and MMIO range maps.
 *
 * A device claims [base, base+len) with a handler; claims never overlap. An
 * access is split the way QEMU splits it (softmmu/physmem.c
 * flatview_read_continue + memory_access_size, softmmu/memory.c
 * access_with_adjusted_size), so guests see the same values on both:
 *   - an access that straddles ranges is cut at each range boundary;
 *   - each piece is cut into naturally aligned power-of-two chunks;
 *   - a chunk wider than the handler takes is split; one narrower than it
 *     accepts is invalid (reads all-ones, writes nothing);
 *   - bytes nobody claims read as all-ones and ignore writes.
 * The result is assembled little-endian.
 */
#ifndef HVMDM_BUS_H
#define HVMDM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel.h"

struct io_ops {
	/* offset is relative to the claimed base; size is within [impl_min, impl_max]. */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned int size);
	void (*write)(void *opaque, uint64_t offset, unsigned int size, uint64_t val);
	uint8_t impl_min; /* 0 means 1; narrower accesses are invalid */
	uint8_t impl_max; /* 0 means 4; wider accesses are split */
	/* Handler takes unaligned accesses whole (e.g. PCI 0xcfc data port). */
	bool unaligned;
};

struct io_range {
	uint64_t base;
	uint64_t len;
	const struct io_ops *ops;
	void *opaque;
	const char *name;
};

struct io_space {
	enum io_space_kind kind;
	uint64_t size;   /* addresses >= size do not exist (0x10000 for ports) */
	struct io_range *ranges; /* sorted by base */
	size_t count;
	size_t capacity;
	struct accel *accel; /* told of every claim and release; may be NULL */
};

void io_space_init(struct io_space *space, enum io_space_kind kind, struct accel *accel);
void io_space_destroy(struct io_space *space);

/*
 * Claim a range. Returns 0, -EINVAL for an empty or out-of-space range,
 * -EEXIST if it overlaps a claim (the error log names both owners), -ENOMEM.
 */
int io_space_claim(struct io_space *space, uint64_t base, uint64_t len,
		   const struct io_ops *ops, void *opaque, const char *name);
/* Release the claim at exactly `base` owned by `opaque`; -ENOENT otherwise. */
int io_space_release(struct io_space *space, uint64_t base, const void *opaque);

const struct io_range *io_space_find(const struct io_space *space, uint64_t addr);

/* size must be 1, 2, 4 or 8; other sizes read all-ones and write nothing. */
uint64_t io_space_read(struct io_space *space, uint64_t addr, unsigned int size);
void io_space_write(struct io_space *space, uint64_t addr, unsigned int size, uint64_t val);

/* Helpers for handlers that keep registers in byte arrays. */
static inline uint64_t le_read(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void le_write(uint8_t *p, unsigned int size, uint64_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

#endif
