// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "timer" record: the device clock (qemu-xen-traditional vl.c timer_save,
 * upstream QEMU's timer).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_timer(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_le64(w, st->clock_ns);
}

static int dec_timer_v3(struct rbuf *r, struct decode_ctx *c)
{
	c->st->clock_ns = get_le64(r);
	return dec_finish(r, c);
}

/*
 * Traditional timer v1/v2 on the DM build: be64 cpu_clock_offset, the
 * virtual clock when the VM stopped. Upstream QEMU also writes "timer"
 * version 2, as 24 bytes (cpu_ticks_offset, unused, cpu_clock_offset): the
 * one collision between the two producers, told apart by length.
 */
static int dec_timer_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (r->len == 24 && c->rec->version == 2) {
		get_be64(r);
		get_be64(r);
	}
	c->st->clock_ns = get_be64(r);
	return dec_finish(r, c);
}

static const struct record_version timer_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional (DM build)", "be64 cpu_clock_offset", dec_timer_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional (8 bytes); upstream QEMU (24 bytes)",
	  "be64 cpu_clock_offset | be64 cpu_ticks_offset, be64 unused, be64 cpu_clock_offset",
	  dec_timer_trad },
	{ 3, RV_WRITTEN, "hvmdm 0.1", "le64 virtual clock ns", dec_timer_v3 },
};

/* vl.c timer_save: be64 cpu_ticks_offset (v1 and v2 alike on the DM build). */
static long trad_timer_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 || v == 2 ? 8 : -1;
}

static int trad_timer_write(struct trad_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	(void)m, (void)rep, (void)err, (void)errlen;
	put_be64(trad_payload(t), st->clock_ns);
	trad_section(t, "timer", 0, 2);
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf timer_f[] = { VM_F(8, 1), VM_F(8, 1), VM_FV(8, 1, 2) };
/* From 2: version 1 (16 bytes) collides with the traditional 8-byte version 1. timer/icount
 * (-icount only) is not sized. */
VM_DESC(timers, "timer", 2, 2, timer_f);

static const struct vm_layout timer_up[] = { UPSTREAM_LAYOUT("timer", timers) };

/*
 * cpu_ticks_offset, the unused field, cpu_clock_offset: a stopped QEMU's
 * virtual clock is its offset. hvmdm keeps no tick count (under Xen the
 * TSC is Xen's): the ticks are the clock, as a QEMU whose ticks follow it.
 */
static int up_timer_write(struct up_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	struct wbuf *p = up_payload(t);

	(void)m, (void)rep, (void)err, (void)errlen;
	put_be64(p, st->clock_ns);
	put_be64(p, 0);
	put_be64(p, st->clock_ns);
	up_section(t, NULL, "timer", 0, 2);
	return 0;
}

const struct record_kind timer_kind = {
	.idstr = "timer",
	.instances = one_instance,
	.encode = enc_timer,
	.required = true,
	KIND_VERSIONS(timer_versions),
	.trad = { .size = trad_timer_size, .write = trad_timer_write, .order = 1 },
	.upstream = { UPSTREAM_LAYOUTS(timer_up), .write = up_timer_write, .order = 1 },
};
