/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The firmware debug console at port 0x402 (QEMU's isa-debugcon): bytes
 * written go to a character backend; reads return 0xe9 so firmware can tell
 * the port is there. SeaBIOS prints its log here.
 */
#ifndef HVMDM_DEBUGCON_H
#define HVMDM_DEBUGCON_H

#include "hw/core/bus.h"
#include "backends/chardev.h"

#define DEBUGCON_PORT 0x402

struct debugcon {
	struct chardev *backend;
};

int debugcon_init(struct debugcon *d, struct io_space *io, struct chardev *backend);

#endif
