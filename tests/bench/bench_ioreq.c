// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench: what hvmdm itself spends on one synchronous Xen ioreq, from a
 * replay of the requests the ioreq round-trip guest (firmware/guests/
 * ioreqdisk.asm) makes -- a port read of COM1's line status register and a
 * byte read of the Cirrus card's text memory at 0xb8000 -- through the same
 * validation and dispatch (xen/ioreq.c ioreq_handle) the Xen accelerator
 * runs for each, on a xenfv machine without Xen. The event channel's
 * wake-up, unmask and notify are Xen's and the kernel's: the e2e tier's
 * ioreq part measures the whole round trip.
 *
 *   bench_ioreq N        prints "pio NS mmio NS" (ns per request, mean of N)
 *
 * Run under callgrind (bench.sh does, when valgrind is installed) the
 * instruction counts of two runs with different N give instructions per
 * request, start-up excluded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "../../vm/accel_none.h"
#include "../../xen/ioreq.h"

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* N copies of one request, as serve_vcpu hands each to ioreq_handle. */
static double replay(struct ioreq_ctx *c, const ioreq_t *tmpl, unsigned long n)
{
	double t0 = now_ns();

	for (unsigned long i = 0; i < n; i++) {
		ioreq_t r = *tmpl;

		ioreq_handle(c, &r);
	}
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
				      .serial = { "null" }, .nr_serial = 1,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = 8 };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	const ioreq_t lsr = { .addr = 0x3fd, .size = 1, .count = 1, .dir = IOREQ_READ,
			      .type = IOREQ_TYPE_PIO, .state = STATE_IOREQ_READY };
	const ioreq_t text = { .addr = 0xb8000, .size = 1, .count = 1, .dir = IOREQ_READ,
			       .type = IOREQ_TYPE_COPY, .state = STATE_IOREQ_READY };
	struct accel_none accel;
	struct ioreq_ctx c;
	struct machine m;
	char err[256];
	double pio, mmio;

	if (!n) {
		fprintf(stderr, "usage: bench_ioreq N (N > 0)\n");
		return 2;
	}
	log_set_sink(&sink);
	accel_none_init(&accel);
	if (machine_create(&m, &cfg, &accel.accel, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "bench_ioreq: %s\n", err);
		return 1;
	}
	clock_stop(&m.clock);
	ioreq_ctx_init(&c, &m, &accel.accel);
	/* Both requests must reach a device: the UART answers THRE|TEMT, text memory what SeaBIOS would have left. */
	{
		ioreq_t r = lsr;

		ioreq_handle(&c, &r);
		if (c.served != 1 || !(r.data & 0x60)) {
			fprintf(stderr, "bench_ioreq: the LSR read was not served (served %llu, data %#llx)\n",
				(unsigned long long)c.served, (unsigned long long)r.data);
			return 1;
		}
		r = text;
		ioreq_handle(&c, &r);
		if (c.served != 2) {
			fprintf(stderr, "bench_ioreq: the text memory read was not served\n");
			return 1;
		}
	}
	pio = replay(&c, &lsr, n);
	mmio = replay(&c, &text, n);
	if (c.refused) {
		fprintf(stderr, "bench_ioreq: %llu requests refused\n", (unsigned long long)c.refused);
		return 1;
	}
	printf("pio %.1f mmio %.1f\n", pio, mmio);
	machine_destroy(&m);
	return 0;
}
