/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Xen ioreqs as the guest's hostile input: validation and dispatch to the
 * machine, apart from the hypervisor plumbing (xen.c) so the unit tests and
 * a fuzzer drive them without Xen. Layouts: Xen's public <xen/hvm/ioreq.h>
 * (reference/04-ioreq-protocol.md §4.1-4.2).
 */
#ifndef HVMDM_XEN_IOREQ_H
#define HVMDM_XEN_IOREQ_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

struct machine;
struct accel;

struct ioreq_ctx {
	struct machine *m;
	struct accel *accel;   /* guest memory for string I/O */
	int64_t time_offset;   /* TIMEOFFSET: the guest RTC's delta, seconds */
	uint64_t served;
	uint64_t refused;
	/* INVALIDATE: drop every cached mapping of guest memory (NULL: none kept). */
	void (*invalidate)(void *opaque);
	void *invalidate_opaque;
};

void ioreq_ctx_init(struct ioreq_ctx *c, struct machine *m, struct accel *accel);
/* Why a request must not reach a device, or NULL. */
const char *ioreq_invalid(const ioreq_t *r);
/* Validate and perform one request (a copy, never the shared slot); reads fill r->data. */
void ioreq_handle(struct ioreq_ctx *c, ioreq_t *r);
/* Perform the buffered writes pending in the page, in order (atomic read-pointer updates). */
void ioreq_drain_buffered(struct ioreq_ctx *c, buffered_iopage_t *page);

#endif
