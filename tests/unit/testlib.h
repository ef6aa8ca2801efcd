/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared helpers: a machine on the test double and a fake clock, driven like a guest. */
#ifndef HVMDM_TESTLIB_H
#define HVMDM_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "../../state/snapshot.h"
#include "accel_double.h"

struct tm_ctx {
	struct accel_double acc;
	struct machine m;
	uint64_t now_ns; /* the fake host clock */
};

static inline uint64_t tm_clock(void *opaque)
{
	return ((struct tm_ctx *)opaque)->now_ns;
}

static inline struct tm_ctx *tm_new_cfg(const struct machine_config *cfg)
{
	struct tm_ctx *t = calloc(1, sizeof(*t));
	char err[256];

	assert_non_null(t);
	accel_double_init(&t->acc);
	t->now_ns = 1000;
	if (machine_create(&t->m, cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	return t;
}

static inline struct tm_ctx *tm_new(enum machine_profile p, unsigned int vcpus,
				    const char *serial0)
{
	struct tm_ctx *t = calloc(1, sizeof(*t));
	struct machine_config cfg = { .profile = p, .vcpus = vcpus, .ram_mib = 128 };
	char err[256];

	assert_non_null(t);
	if (serial0) {
		cfg.serial[0] = serial0;
		cfg.nr_serial = 1;
	}
	accel_double_init(&t->acc);
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	return t;
}

static inline void tm_free(struct tm_ctx *t)
{
	machine_destroy(&t->m);
	free(t);
}

static inline void tm_advance(struct tm_ctx *t, uint64_t ns)
{
	t->now_ns += ns;
	clock_run_timers(&t->m.clock);
}

static inline uint64_t inp(struct tm_ctx *t, uint16_t port, unsigned int size)
{
	return io_space_read(&t->m.io, port, size);
}

static inline void outp(struct tm_ctx *t, uint16_t port, unsigned int size, uint64_t v)
{
	io_space_write(&t->m.io, port, size, v);
}

/* Config cycles through 0xcf8/0xcfc exactly as a guest issues them. */
static inline uint32_t io_cfg_rd(struct io_space *io, unsigned int devfn, unsigned int reg,
				 unsigned int len)
{
	io_space_write(io, 0xcf8, 4, 0x80000000u | devfn << 8 | (reg & 0xfc));
	return (uint32_t)io_space_read(io, 0xcfc + (reg & 3), len);
}

static inline void io_cfg_wr(struct io_space *io, unsigned int devfn, unsigned int reg,
			     unsigned int len, uint32_t v)
{
	io_space_write(io, 0xcf8, 4, 0x80000000u | devfn << 8 | (reg & 0xfc));
	io_space_write(io, 0xcfc + (reg & 3), len, v);
}

static inline uint32_t cfg_rd(struct tm_ctx *t, unsigned int devfn, unsigned int reg,
			      unsigned int len)
{
	return io_cfg_rd(&t->m.io, devfn, reg, len);
}

static inline void cfg_wr(struct tm_ctx *t, unsigned int devfn, unsigned int reg,
			  unsigned int len, uint32_t v)
{
	io_cfg_wr(&t->m.io, devfn, reg, len, v);
}

/* Keep guest-triggered warnings out of the TAP stream. */
static void tm_quiet_write(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink tm_quiet_sink = { .write = tm_quiet_write };

static inline void tm_quiet(void)
{
	log_set_sink(&tm_quiet_sink);
}

/* Does a load report carry a note containing needle? */
static inline bool noted(const struct load_report *rep, const char *needle)
{
	for (unsigned int i = 0; i < rep->nr_notes; i++)
		if (strstr(rep->notes[i], needle))
			return true;
	return false;
}

/* A whole file (the test fails if it cannot be read); free() it. */
static inline uint8_t *tm_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n = -1;

	if (!f)
		fail_msg("%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		fail_msg("%s: cannot size", path);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("%s: short read", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

#endif
