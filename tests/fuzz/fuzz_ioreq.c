// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for Xen ioreqs: the input is a run of 32-byte ioreq_t
 * records (exactly what a hostile guest, through Xen, can put in front of
 * the device model), each validated and dispatched to a xenfv machine; the
 * last partial record's bytes become a buffered-ioreq page to drain.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "../../vm/accel_none.h"
#include "../../xen/ioreq.h"

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 2, .ram_mib = 64,
				      .serial = { "null" }, .nr_serial = 1 };
	struct accel_none accel;
	struct ioreq_ctx c;
	struct machine m;
	char err[256];
	size_t off = 0;

	log_set_sink(&sink);
	accel_none_init(&accel);
	if (machine_create(&m, &cfg, &accel.accel, NULL, NULL, err, sizeof(err)))
		return 0;
	clock_stop(&m.clock);
	ioreq_ctx_init(&c, &m, &accel.accel);
	for (; off + sizeof(ioreq_t) <= size; off += sizeof(ioreq_t)) {
		ioreq_t r;

		memcpy(&r, data + off, sizeof(r));
		ioreq_handle(&c, &r);
	}
	if (off < size) {
		buffered_iopage_t *b = calloc(1, 4096);

		if (b) {
			memcpy(b, data + off, size - off);
			ioreq_drain_buffered(&c, b);
			free(b);
		}
	}
	machine_destroy(&m);
	return 0;
}
