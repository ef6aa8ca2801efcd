// SPDX-License-Identifier: GPL-2.0-only
#include "debugcon.h"

static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned int size)
{
	(void)opaque, (void)off, (void)size;
	return 0xe9;
}

static void debugcon_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct debugcon *d = opaque;
	uint8_t c = (uint8_t)val;

	(void)off, (void)size;
	chardev_write(d->backend, &c, 1);
}

static const struct io_ops debugcon_ops = {
	.read = debugcon_read, .write = debugcon_write, .impl_min = 1, .impl_max = 1,
};

int debugcon_init(struct debugcon *d, struct io_space *io, struct chardev *backend)
{
	d->backend = backend;
	return io_space_claim(io, DEBUGCON_PORT, 1, &debugcon_ops, d, "debugcon");
}
