// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MC146818 RTC and CMOS NVRAM: "mc146818rtc" (qemu-xen-traditional
 * hw/mc146818rtc.c, upstream QEMU's).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static unsigned int rtc_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0x70; /* the traditional instance: the I/O base */
	return m->has_rtc ? 1 : 0;
}


static void enc_rtc(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_bytes(w, st->rtc.cmos, sizeof(st->rtc.cmos));
	put_u8(w, st->rtc.index);
	put_le64(w, (uint64_t)st->rtc.offset_s);
	put_le64(w, st->rtc.periodic_expire);
	put_le64(w, st->rtc.second_expire);
}

static int dec_rtc_v4(struct rbuf *r, struct decode_ctx *c)
{
	get_bytes(r, c->st->rtc.cmos, sizeof(c->st->rtc.cmos));
	c->st->rtc.index = get_u8(r);
	c->st->rtc.offset_s = (int64_t)get_le64(r);
	c->st->rtc.periodic_expire = get_le64(r);
	c->st->rtc.second_expire = get_le64(r);
	return dec_finish(r, c);
}

/*
 * Traditional v1 (197 bytes): cmos[128], u8 index, 7 x s32 time, then five
 * 64-bit timer fields that are all-ones or zero on the DM build. The time
 * fields were Xen's; the clock offset stays the machine's own.
 */
static int dec_rtc_v1(struct rbuf *r, struct decode_ctx *c)
{
	uint8_t skip[28 + 40];

	get_bytes(r, c->st->rtc.cmos, sizeof(c->st->rtc.cmos));
	c->st->rtc.index = get_u8(r);
	get_bytes(r, skip, sizeof(skip));
	c->st->rtc.periodic_expire = 0;
	return dec_finish(r, c);
}

static int get_rtc_reinject(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be16(r); /* lost-tick reinjection: the clock and its IRQ are Xen's */
	return 0;
}

/*
 * Upstream QEMU v3 (hw/rtc/mc146818rtc.c vmstate_rtc; 245 bytes in a real
 * qemu-xen 7.2 stream): cmos[128], u8 index, 28 unused bytes (the old tm),
 * be64 periodic timer, be64 next_periodic_time, 24 unused, be32
 * irq_coalesced, be32 period, be64 base_rtc, last_update, offset, update
 * timer, next_alarm_time, then subsections. Read for xenfv only, whose CMOS
 * is NVRAM: the clock's part is Xen's and is skipped.
 */
static int dec_rtc_v3(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = {
		{ "mc146818rtc/irq_reinject_on_ack_count", 1, 1, get_rtc_reinject },
	};
	uint8_t skip[28 + 16 + 24 + 8 + 40];

	get_bytes(r, c->st->rtc.cmos, sizeof(c->st->rtc.cmos));
	c->st->rtc.index = get_u8(r);
	get_bytes(r, skip, sizeof(skip));
	c->st->rtc.periodic_expire = 0;
	if (get_up_subsections(r, c, subs, sizeof(subs) / sizeof(subs[0])))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version rtc_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "cmos[128], u8 index, 7 x s32 tm, be64 x 5 timers", dec_rtc_v1 },
	{ 2, RV_RESERVED, "upstream QEMU (older VMState)", "unknown", NULL },
	{ 3, RV_ACCEPTED, "upstream QEMU", "VMState mc146818rtc v3 with subsections", dec_rtc_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.2",
	  "cmos[128], u8 index, le64 offset_s, le64 periodic_expire, le64 second_expire", dec_rtc_v4 },
};

/* hw/mc146818rtc.c rtc_save: cmos[128], index, 7 be32 tm fields, 5 be64 timers. */
static long trad_rtc_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 ? 197 : -1;
}

/*
 * On the DM build the clock is Xen's: the 7 tm fields are zeros, the three
 * absent timers' expiries all-ones, the two raw times 0.
 */
static int trad_rtc_write(struct trad_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	struct wbuf *p = trad_payload(t);

	(void)rep, (void)err, (void)errlen;
	if (!m->has_rtc)
		return 0;
	put_bytes(p, st->rtc.cmos, sizeof(st->rtc.cmos));
	put_u8(p, st->rtc.index);
	for (unsigned int i = 0; i < 7; i++)
		put_be32(p, 0);
	put_be64(p, UINT64_MAX);
	put_be64(p, 0);
	put_be64(p, 0);
	put_be64(p, UINT64_MAX);
	put_be64(p, UINT64_MAX);
	trad_section(t, "mc146818rtc", 0x70, 1);
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

/* hw/rtc/mc146818rtc.c */
VM_SUB(rtc_reinject, "mc146818rtc/irq_reinject_on_ack_count", 1, VM_F(2, 1));
static const struct vmd *const rtc_subs[] = { &rtc_reinject };
static const struct vmf rtc_f[] = {
	VM_F(1, 128), VM_F(1, 1), VM_F(1, 28), VM_F(8, 2), VM_F(1, 24), /* cmos, index, unused, periodic timer */
	VM_FV(4, 2, 2), VM_FV(8, 5, 3),                         /* coalesced, period; base_rtc .. next_alarm */
};
VM_DESC_SUBS(rtc, "mc146818rtc", 3, 1, rtc_f, rtc_subs);

static const struct vm_layout rtc_up[] = { UPSTREAM_LAYOUT("mc146818rtc", rtc) };

/*
 * The NVRAM and index as they are; the clock part is Xen's under xenfv
 * (QEMU's own RTC is never asked the time), so it is written as an idle
 * QEMU RTC's: no periodic timer (-1, so none is armed at load), no update
 * or alarm timer, offsets 0.
 */
static int up_rtc_write(struct up_writer *t, const struct machine *m,
			const struct machine_state *st, struct load_report *rep, char *err,
			size_t errlen)
{
	struct wbuf *p = up_payload(t);
	uint8_t zero[28] = { 0 };

	(void)rep, (void)err, (void)errlen;
	if (!m->has_rtc)
		return 0;
	put_bytes(p, st->rtc.cmos, sizeof(st->rtc.cmos));
	put_u8(p, st->rtc.index);
	put_bytes(p, zero, 28);    /* the old struct tm */
	put_be64(p, UINT64_MAX);   /* periodic_timer: not pending */
	put_be64(p, 0);            /* next_periodic_time */
	put_bytes(p, zero, 24);    /* unused */
	put_be32(p, 0);            /* irq_coalesced */
	put_be32(p, 0);            /* period */
	put_be64(p, 0);            /* base_rtc */
	put_be64(p, 0);            /* last_update */
	put_be64(p, 0);            /* offset */
	put_be64(p, UINT64_MAX);   /* update_timer: not pending */
	put_be64(p, 0);            /* next_alarm_time */
	up_section(t, NULL, "mc146818rtc", 0, 3);
	return 0;
}

/* One ISA RTC, QEMU's instance 0; hvmdm's record instance is its port. */
static bool rtc_upstream_instance(uint32_t qemu_instance, uint32_t *inst, const char **why)
{
	*inst = 0x70;
	*why = "a PC has one RTC";
	return qemu_instance == 0;
}

const struct record_kind rtc_kind = {
	.idstr = "mc146818rtc",
	.instances = rtc_instances,
	.encode = enc_rtc,
	KIND_VERSIONS(rtc_versions),
	.trad = { .size = trad_rtc_size, .write = trad_rtc_write, .order = 5 },
	.upstream = { UPSTREAM_LAYOUTS(rtc_up), .instance = rtc_upstream_instance, .write = up_rtc_write,
		      .order = 4 },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_rtc(const struct machine *m, const struct machine_state *st)
{
	if (!m->has_rtc)
		return NULL;
	return json_pack("{s:o, s:i, s:I, s:o, s:o}",
			"cmos", json_hex(st->rtc.cmos, CMOS_SIZE), "index", st->rtc.index,
			"offset_s", (json_int_t)st->rtc.offset_s, "periodic_expire", json_u64(st->rtc.periodic_expire),
			"second_expire", json_u64(st->rtc.second_expire));
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_rtc(struct machine_state *st)
{
	for (unsigned int i = 0; i < CMOS_SIZE; i++)
		st->rtc.cmos[i] = (uint8_t)(0x33 + i);
	st->rtc.index = 0x8e;
	st->rtc.offset_s = -123456789;
	st->rtc.periodic_expire = 0x1234567890ull;
	st->rtc.second_expire = 0x2345678901ull;
}

const struct state_view rtc_view = { "mc146818", view_rtc, probe_rtc };
