// SPDX-License-Identifier: GPL-2.0-only
/*
 * Save and load: snapshot -> restore -> snapshot identity per profile, the
 * golden corpus of every release, and hostile streams (truncated, corrupted,
 * reordered, duplicated, wrong version, oversized, incomplete) that must be
 * refused with the byte offset while the live machine stays exactly as it was.
 */
#include "testlib.h"

#include <dirent.h>
#include <stdio.h>

#include "../../state/inspect.h"
#include "../../state/qevm.h"
#include "../../state/registry.h"
#include "../../state/snapshot.h"
#include "scenario.h"
#include "streamgen.h"

/* A machine of profile p with `uarts` UARTs (tm_new makes at most one). */
static struct tm_ctx *fresh_machine(enum machine_profile p, unsigned int uarts)
{
	struct tm_ctx *t = tm_new(p, 4, uarts ? "null" : NULL);

	if (uarts > 1) {
		struct machine_config cfg = { .profile = p, .vcpus = 4, .ram_mib = 64, .nr_serial = 2,
					      .serial = { "null", "null" } };
		char err[256];

		machine_destroy(&t->m);
		if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
			fail_msg("%s", err);
	}
	return t;
}

static struct tm_ctx *scenario_machine(enum machine_profile p, unsigned int uarts)
{
	struct tm_ctx *t = fresh_machine(p, uarts);

	assert_int_equal(scenario_run(&t->m), 0);
	return t;
}

static void save(struct tm_ctx *t, struct wbuf *w)
{
	char err[256];

	wbuf_init(w, STREAM_MAX_SIZE);
	if (snapshot_save(&t->m, w, err, sizeof(err)))
		fail_msg("save: %s", err);
}

static void test_roundtrip_identity(void **state)
{
	(void)state;
	for (int p = PROFILE_XENFV; p <= PROFILE_PC; p++) {
		unsigned int uarts = p == PROFILE_PC ? 2 : 1;
		struct tm_ctx *a = scenario_machine((enum machine_profile)p, uarts);
		struct tm_ctx *b = fresh_machine((enum machine_profile)p, uarts);
		struct load_report rep;
		struct wbuf s1, s2;
		char err[512];

		if (p == PROFILE_PC) {
			/* RTC periodic interrupts on and pending; fw_cfg halfway through "QEMU". */
			outp(a, 0x70, 1, RTC_REG_B);
			outp(a, 0x71, 1, RTC_B_24H | RTC_B_PIE);
			outp(a, FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
			assert_int_equal(inp(a, FW_CFG_PORT_DATA, 1), 'Q');
			assert_int_equal(inp(a, FW_CFG_PORT_DATA, 1), 'E');
		}
		tm_advance(a, 123456789);
		b->now_ns = a->now_ns + 999; /* a different host: the virtual clock carries over */
		save(a, &s1);
		if (snapshot_load(&b->m, s1.data, s1.len, &rep, err, sizeof(err)))
			fail_msg("%s: %s", profile_name((enum machine_profile)p), err);
		save(b, &s2);
		assert_int_equal(s1.len, s2.len);
		assert_memory_equal(s1.data, s2.data, s1.len);
		/* What the guest sees is the same on both. */
		for (unsigned int devfn = 0; devfn < 32; devfn++)
			for (unsigned int reg = 0; reg < 256; reg += 4)
				assert_int_equal(cfg_rd(a, devfn, reg, 4), cfg_rd(b, devfn, reg, 4));
		assert_int_equal(inp(a, 0x3f8 + UART_LSR, 1), inp(b, 0x3f8 + UART_LSR, 1));
		assert_int_equal(inp(a, 0x3f8 + UART_IIR, 1), inp(b, 0x3f8 + UART_IIR, 1));
		assert_int_equal(inp(a, 0x3f8, 1), inp(b, 0x3f8, 1));
		assert_int_equal(inp(a, 0x64, 1), inp(b, 0x64, 1));
		assert_int_equal(inp(a, 0x60, 1), inp(b, 0x60, 1));
		assert_int_equal(inp(a, 0xafe0, 4), inp(b, 0xafe0, 4));
		assert_int_equal(inp(a, 0xb004, 2), inp(b, 0xb004, 2));
		assert_int_equal(b->acc.isa_irq[9], a->acc.isa_irq[9]);
		assert_int_equal(b->acc.isa_irq[4], a->acc.isa_irq[4]);
		assert_int_equal(b->acc.link_route[0], 5);
		if (p != PROFILE_PC) {
			assert_int_equal(inp(b, 0x10, 1), 1);
			assert_int_equal(b->acc.mem_type, ACCEL_MEM_RAM_RO); /* ROM lock re-applied */
		} else {
			assert_int_equal(inp(a, 0xb008, 4), inp(b, 0xb008, 4)); /* PM timer continues */
			assert_true(b->acc.isa_irq[8]);                          /* RTC line restored */
			assert_int_equal(inp(b, FW_CFG_PORT_DATA, 1), 'M');      /* fw_cfg continues */
			outp(b, 0x70, 1, RTC_REG_C);
			assert_int_equal(inp(b, 0x71, 1) & (RTC_C_IRQF | RTC_C_PF), RTC_C_IRQF | RTC_C_PF);
			tm_advance(b, 1000000);                                  /* and keeps ticking */
			assert_true(b->acc.isa_irq[8]);
		}
		wbuf_free(&s1);
		wbuf_free(&s2);
		tm_free(a);
		tm_free(b);
	}
}

/* Refused, with `needle` in the message, and the machine exactly as before. */
static void expect_refused(struct tm_ctx *t, const uint8_t *buf, size_t len, const char *needle)
{
	struct load_report rep;
	struct wbuf before, after;
	char err[512] = "";

	save(t, &before);
	if (snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)) == 0)
		fail_msg("stream accepted; expected an error with \"%s\"", needle);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	save(t, &after);
	assert_int_equal(before.len, after.len);
	assert_memory_equal(before.data, after.data, before.len);
	wbuf_free(&before);
	wbuf_free(&after);
}

/* Saved between the guest's OUT to 0xcf8 and its IN from 0xcfc: the restored guest reads the register. */
static void test_config_address_latch(void **state)
{
	struct tm_ctx *a = fresh_machine(PROFILE_XENFV, 1), *b = fresh_machine(PROFILE_XENFV, 1);
	struct load_report rep;
	struct wbuf w;
	char err[256];

	(void)state;
	outp(a, 0xcf8, 4, 0x80000b40); /* 00:01.3, PMBA */
	save(a, &w);
	if (snapshot_load(&b->m, w.data, w.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(inp(b, 0xcf8, 4), 0x80000b40);
	assert_int_equal(inp(b, 0xcfc, 4), inp(a, 0xcfc, 4));
	assert_int_not_equal(inp(b, 0xcfc, 4), 0xffffffff);
	wbuf_free(&w);
	tm_free(a);
	tm_free(b);
}

static void test_truncation_and_corruption(void **state)
{
	struct tm_ctx *src = scenario_machine(PROFILE_XENFV, 1);
	struct tm_ctx *dst = fresh_machine(PROFILE_XENFV, 1);
	struct wbuf s;
	uint8_t *copy;

	(void)state;
	save(src, &s);
	copy = malloc(s.len + 16);
	/* Every truncation. */
	for (size_t n = 0; n < s.len; n++) {
		memcpy(copy, s.data, n);
		expect_refused(dst, copy, n, "byte");
	}
	/* Every byte corrupted, one at a time: nothing goes unnoticed. */
	for (size_t i = 0; i < s.len; i++) {
		memcpy(copy, s.data, s.len);
		copy[i] ^= 0x5a;
		expect_refused(dst, copy, s.len, "byte");
	}
	/* Trailing junk after the end record. */
	memcpy(copy, s.data, s.len);
	memset(copy + s.len, 0, 8);
	expect_refused(dst, copy, s.len + 8, "after the end record");
	free(copy);
	wbuf_free(&s);
	tm_free(src);
	tm_free(dst);
}

/* Record boundaries of a stream, to cut and paste whole records. */
static size_t record_spans(const struct wbuf *s, size_t start[], size_t end[], size_t max)
{
	struct stream_header h;
	struct stream_record rec;
	char err[256];
	size_t pos, n = 0;

	assert_int_equal(stream_read_header(s->data, s->len, &h, err, sizeof(err)), 0);
	pos = h.records_offset;
	while (n < max) {
		size_t at = pos;
		int rc = stream_read_record(s->data, s->len, &pos, &rec, err, sizeof(err));

		assert_true(rc >= 0);
		start[n] = at;
		end[n] = pos;
		n++;
		if (rc == 0)
			break;
	}
	return n;
}

static void test_reordered_and_duplicated(void **state)
{
	struct tm_ctx *src = scenario_machine(PROFILE_XENFV, 1);
	struct tm_ctx *dst = fresh_machine(PROFILE_XENFV, 1);
	size_t start[32], end[32], n;
	struct wbuf s, out;

	(void)state;
	save(src, &s);
	n = record_spans(&s, start, end, 32);
	assert_true(n > 4);
	/* Swap the first two records (timer, I440FX). */
	wbuf_init(&out, STREAM_MAX_SIZE);
	put_bytes(&out, s.data, start[0]);
	put_bytes(&out, s.data + start[1], end[1] - start[1]);
	put_bytes(&out, s.data + start[0], end[0] - start[0]);
	put_bytes(&out, s.data + end[1], s.len - end[1]);
	expect_refused(dst, out.data, out.len, "out of order");
	/* The second record twice. */
	out.len = 0;
	put_bytes(&out, s.data, end[1]);
	put_bytes(&out, s.data + start[1], s.len - start[1]);
	expect_refused(dst, out.data, out.len, "appears twice");
	/* A record dropped. */
	out.len = 0;
	put_bytes(&out, s.data, start[1]);
	put_bytes(&out, s.data + end[1], s.len - end[1]);
	expect_refused(dst, out.data, out.len, "has no I440FX record");
	wbuf_free(&out);
	wbuf_free(&s);
	tm_free(src);
	tm_free(dst);
}

static void build(struct tm_ctx *t, const struct rec_override *ov, size_t n, struct wbuf *out)
{
	wbuf_init(out, STREAM_MAX_SIZE);
	assert_int_equal(build_stream(&t->m, ov, n, out), 0);
}

static void test_wrong_versions_and_records(void **state)
{
	struct tm_ctx *src = scenario_machine(PROFILE_XENFV, 1);
	struct tm_ctx *dst = fresh_machine(PROFILE_XENFV, 1);
	struct machine_state st;
	struct wbuf pay, s, junk;
	struct load_report rep;
	char err[512];

	(void)state;
	machine_save_state(&src->m, &st);
	wbuf_init(&pay, RECORD_MAX_PAYLOAD);
	record_kind_find("I440FX")->encode(&pay, &st, 0);
	/* A version nobody has. */
	build(src, (struct rec_override[]){ { .idstr = "I440FX", .version = 99, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "record I440FX version 99: no such version");
	wbuf_free(&s);
	/* A reserved number (one its own producer's loader refused). */
	build(src, (struct rec_override[]){ { .idstr = "PIIX3", .version = 1, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "does not decode");
	wbuf_free(&s);
	/* Upstream QEMU's number for the record, with hvmdm's payload: its layout does not fit. */
	build(src, (struct rec_override[]){ { .idstr = "I440FX", .version = 3, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "record I440FX instance 0 version 3, byte");
	wbuf_free(&s);
	/* The current payload under an older number: the layout does not fit. */
	build(src, (struct rec_override[]){ { .idstr = "I440FX", .version = 2, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "record I440FX instance 0 version 2, byte");
	wbuf_free(&s);
	/* One byte too many / too few for the layout. */
	put_u8(&pay, 0);
	build(src, (struct rec_override[]){ { .idstr = "I440FX", .version = 4, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "longer than its layout");
	wbuf_free(&s);
	pay.len -= 2;
	build(src, (struct rec_override[]){ { .idstr = "I440FX", .version = 4, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "ends early");
	wbuf_free(&s);
	/* A record for a device this machine lacks. */
	pay.len = 0;
	record_kind_find("serial")->encode(&pay, &st, 0);
	build(src, (struct rec_override[]){ { .idstr = "serial", .instance = 0x2e8, .version = 4,
					      .payload = &pay, .extra = true, .after = "serial",
					      .flags = RECORD_MANDATORY } }, 1, &s);
	expect_refused(dst, s.data, s.len, "no such device");
	wbuf_free(&s);
	/* Field values out of range: FIFO count 17, a flag of 2. */
	pay.data[9] = 17;
	build(src, (struct rec_override[]){ { .idstr = "serial", .instance = 0x3f8, .version = 4, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "receive FIFO count over 16");
	wbuf_free(&s);
	pay.data[9] = 0;
	pay.data[43] = 2;
	build(src, (struct rec_override[]){ { .idstr = "serial", .instance = 0x3f8, .version = 4, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "neither 0 nor 1");
	wbuf_free(&s);
	/* Decodes, but validation refuses it: another device's identity in I440FX. */
	pay.len = 0;
	st.i440fx.config[0] = 0x34;
	record_kind_find("I440FX")->encode(&pay, &st, 0);
	build(src, (struct rec_override[]){ { .idstr = "I440FX", .version = 4, .payload = &pay } }, 1, &s);
	expect_refused(dst, s.data, s.len, "config byte 0");
	wbuf_free(&s);
	/* Unknown records: mandatory refused, optional skipped with a note. */
	wbuf_init(&junk, 16);
	put_le32(&junk, 7);
	build(src, (struct rec_override[]){ { .idstr = "future-device", .version = 1, .payload = &junk,
					      .extra = true, .after = "ps2mouse", .flags = RECORD_MANDATORY } }, 1, &s);
	expect_refused(dst, s.data, s.len, "future-device");
	wbuf_free(&s);
	build(src, (struct rec_override[]){ { .idstr = "future-device", .version = 1, .payload = &junk,
					      .extra = true, .after = "ps2mouse", .flags = 0 } }, 1, &s);
	assert_int_equal(snapshot_load(&dst->m, s.data, s.len, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.skipped, 1);
	assert_non_null(strstr(rep.notes[0], "future-device"));
	wbuf_free(&s);
	wbuf_free(&junk);
	wbuf_free(&pay);
	tm_free(src);
	tm_free(dst);
}

/* Recompute the header CRC after patching a header field. */
static void fix_header_crc(uint8_t *buf)
{
	uint32_t body = (uint32_t)buf[12] | (uint32_t)buf[13] << 8 | (uint32_t)buf[14] << 16 |
			(uint32_t)buf[15] << 24;
	uint32_t crc = crc32c(0, buf, 16 + body);

	for (int i = 0; i < 4; i++)
		buf[16 + body + i] = (uint8_t)(crc >> (8 * i));
}

static void test_header_rules(void **state)
{
	struct tm_ctx *src = scenario_machine(PROFILE_XENFV, 1);
	struct tm_ctx *dst = fresh_machine(PROFILE_XENFV, 1);
	struct tm_ctx *trad = fresh_machine(PROFILE_XENFV_TRAD, 1);
	struct wbuf s;
	uint8_t *big;

	(void)state;
	save(src, &s);
	/* A stream from a newer writer that old readers must not load. */
	s.data[16] = 2;
	fix_header_crc(s.data);
	expect_refused(dst, s.data, s.len, "needs reader level 2");
	s.data[16] = 1;
	/* Another format version, another magic. */
	s.data[8] = 2;
	expect_refused(dst, s.data, s.len, "stream format 2");
	s.data[8] = 1;
	s.data[1] = 'X';
	expect_refused(dst, s.data, s.len, "no magic");
	s.data[1] = 'H';
	fix_header_crc(s.data);
	/* A stream for another profile. */
	expect_refused(trad, s.data, s.len, "for machine xenfv");
	/* Over the size cap. */
	big = calloc(1, STREAM_MAX_SIZE + 1);
	memcpy(big, s.data, s.len);
	expect_refused(dst, big, STREAM_MAX_SIZE + 1, "cap");
	free(big);
	/* A payload length over the per-record cap (with a matching CRC). */
	{
		struct stream_header h;
		char err[256];
		size_t at;
		uint32_t crc;

		assert_int_equal(stream_read_header(s.data, s.len, &h, err, sizeof(err)), 0);
		at = h.records_offset;
		s.data[at + 18] = 0x20; /* payload_len = 8 + 2 MiB */
		crc = crc32c(0, s.data + at, 20);
		for (int i = 0; i < 4; i++)
			s.data[at + 20 + i] = (uint8_t)(crc >> (8 * i));
		expect_refused(dst, s.data, s.len, "over the 1048576-byte cap");
	}
	wbuf_free(&s);
	tm_free(src);
	tm_free(dst);
	tm_free(trad);
}

/* ---- the golden corpus ---- */

static const char *corpus_root(void)
{
	const char *e = getenv("HVMDM_CORPUS");

	return e ? e : "tests/streams";
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A machine shaped like the stream, as hvmdm-stream makes one (with 4 vCPUs). */
static struct tm_ctx *stream_machine(enum machine_profile p, const uint8_t *buf, size_t len)
{
	struct machine_config cfg = { .vcpus = 4, .ram_mib = 64 };
	char err[256];

	struct tm_ctx *t;

	if (stream_machine_config(buf, len, &cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(cfg.profile, p);
	if (!cfg.incoming)
		return tm_new_cfg(&cfg);
	/* A Xen guest's display state: VRAM is its frames, where the record says (hvmdm-stream does the same). */
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	return t;
}

static unsigned int check_corpus_file(const char *dir, const char *name)
{
	char path[1024], jpath[1024];
	struct machine_state st;
	struct load_report rep;
	struct tm_ctx *t;
	json_error_t jerr;
	int profile;
	json_t *expect, *got, *notes;
	char err[512];
	size_t len;
	uint8_t *buf;
	bool erratum_file = strstr(name, "xenserver-6.0-6.2") != NULL, erratum_noted = false;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(jpath, sizeof(jpath), "%.*s.json", (int)(strlen(path) - strlen(strrchr(path, '.'))), path);
	buf = slurp(path, &len);
	assert_non_null(buf);
	profile = stream_profile(buf, len, err, sizeof(err));
	if (profile < 0)
		fail_msg("%s: %s", path, err);
	t = stream_machine((enum machine_profile)profile, buf, len);
	if (snapshot_decode(&t->m, buf, len, &st, &rep, err, sizeof(err)))
		fail_msg("%s does not load: %s", path, err);
	expect = json_load_file(jpath, 0, &jerr);
	if (!expect)
		fail_msg("%s: %s", jpath, jerr.text);
	notes = json_array();
	for (unsigned int i = 0; i < rep.nr_notes; i++) {
		json_array_append_new(notes, json_string(rep.notes[i]));
		erratum_noted |= strstr(rep.notes[i], "xs-6.0-6.2-piix4acpi") != NULL;
	}
	{
		json_t *foreign = json_array();

		for (unsigned int i = 0; i < rep.nr_foreign; i++)
			json_array_append_new(foreign, json_string(rep.foreign[i]));
		got = json_pack("{s:o, s:o}", "state", machine_state_to_json(&t->m, &st), "notes", notes);
		/* Older corpus files have no not_emulated member: compare it where present. */
		if (json_object_get(expect, "not_emulated"))
			json_object_set(got, "not_emulated", foreign);
		json_decref(foreign);
	}
	/*
	 * An expectation describes what its release saved; devices a later
	 * release added (members it lacks) are not part of it.
	 */
	{
		json_t *es = json_object_get(expect, "state"), *gs = json_object_get(got, "state");
		const char *key;
		json_t *val, *tmp;

		json_object_foreach_safe(gs, tmp, key, val)
			if (!json_object_get(es, key))
				json_object_del(gs, key);
	}
	if (!json_equal(expect, got)) {
		/* Whole, on stderr: cmocka cuts a long failure message. */
		fprintf(stderr, "%s decodes to:\n", path);
		json_dumpf(got, stderr, JSON_INDENT(1) | JSON_SORT_KEYS);
		fputc('\n', stderr);
		fail_msg("%s decodes differently from %s (its decoded state is above)", path, jpath);
	}
	/* The erratum shim fires exactly on the lying stream. */
	assert_int_equal(erratum_noted, erratum_file);
	/* And it commits (unless it holds devices hvmdm lacks): the machine answers at the stream's locations. */
	if (rep.nr_foreign) {
		assert_int_equal(snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "does not emulate"));
		json_decref(expect);
		json_decref(got);
		tm_free(t);
		free(buf);
		return 1;
	}
	if (snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	if (st.pm.gpe_base == GPE0_BASE_V0) {
		assert_int_equal(inp(t, 0xafe0, 1), 0xff);
		assert_int_equal(inp(t, 0x1f6a, 1), st.pm.gpe_sts[2]);
	}
	if (profile_is_trad(t->m.cfg.profile))
		assert_int_equal(inp(t, (uint16_t)(st.pm.pm_base + 4), 2), st.pm.pm1_cnt);
	json_decref(expect);
	json_decref(got);
	tm_free(t);
	free(buf);
	return 1;
}

/*
 * Call fn for every stream file under the corpus root, one folder per
 * release or producer (.hvmdm, .qevm; .bin too with raw). Returns the sum of
 * what fn returned; *dirs counts the folders.
 */
static unsigned int for_each_stream(unsigned int (*fn)(const char *dir, const char *name), bool raw,
				    unsigned int *dirs)
{
	DIR *root = opendir(corpus_root());
	struct dirent *rel;
	unsigned int files = 0;

	assert_non_null(root);
	*dirs = 0;
	while ((rel = readdir(root))) {
		char dir[512];
		DIR *d;
		struct dirent *e;

		if (rel->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", corpus_root(), rel->d_name);
		d = opendir(dir);
		if (!d)
			continue;
		(*dirs)++;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);

			if ((n > 6 && !strcmp(e->d_name + n - 6, ".hvmdm")) ||
			    (n > 5 && !strcmp(e->d_name + n - 5, ".qevm")) ||
			    (raw && n > 4 && !strcmp(e->d_name + n - 4, ".bin")))
				files += fn(dir, e->d_name);
		}
		closedir(d);
	}
	closedir(root);
	return files;
}

static void test_corpus(void **state)
{
	unsigned int dirs, files = for_each_stream(check_corpus_file, false, &dirs);

	(void)state;
	assert_true(dirs >= 1);
	assert_true(files >= 32);
}

/* The native encoding of a staged state: it carries every field hvmdm keeps. */
static void encode_native(const struct machine *m, const struct machine_state *st, struct wbuf *w)
{
	char err[256];

	wbuf_init(w, STREAM_MAX_SIZE);
	if (snapshot_write_state(m, st, w, err, sizeof(err)))
		fail_msg("native encoding: %s", err);
}

/*
 * What the traditional layout cannot carry, set as a state decoded from a
 * traditional file has it. The writer names each of these in a note.
 */
static bool trad_normalize(struct machine_state *st, const struct machine *m)
{
	const uint8_t derived = I8042_OUT_OBF | I8042_OUT_AUX_OBF;
	struct machine_state before;

	/* The buffer-full bits follow the status register; the machine's own stay. */
	st->kbd.outport = (uint8_t)((st->kbd.outport & ~derived) | (m->kbd.outport & derived));
	before = *st;
	st->kbd.outport = m->kbd.outport;
	st->platform.unplugged = 0;
	st->platform.driver_build = 0;
	st->platform.driver_product_version = 0;
	st->platform.drivers_blacklisted = false;
	for (unsigned int i = 0; i < MACHINE_MAX_SERIAL; i++) {
		st->uart[i].thr_ipending = (uart_state_iir(&st->uart[i]) & 0x0f) == UART_IIR_THRI;
		st->uart[i].timeout_expire = 0;
		st->uart[i].timeout_ipending = false;
	}
	st->piix3.rcr = 0;
	st->kbd.kbd.leds = 0;
	st->kbd.kbd.typematic = 0x2b;
	memset(st->kbd.mouse.knock, 0, sizeof(st->kbd.mouse.knock));
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_regs *g = &st->ide.drive[i].r;

		g->xfer_mode = 0;
		g->locked = g->tray_open = g->unit_attention = false;
		g->media_event = 0;
	}
	st->ide.unplugged = 0;
	st->ide.identity = IDE_IDENTITY_TRAD; /* qemu-dm presents its own (a note says so) */
	st->pci_config_address = 0;
	return memcmp(&before, st, sizeof(before)) != 0;
}

/*
 * Every corpus stream, converted to every format hvmdm writes and decoded
 * again, gives the state it gave (compared as native encodings, so every
 * field counts): a writer that forgets a record fails here. A stream the
 * traditional layout cannot hold is refused naming what it cannot express.
 */
static unsigned int roundtrip_file(const char *dir, const char *name)
{
	struct machine_state *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct load_report rep, wrep;
	struct wbuf conv, ea, eb;
	struct tm_ctx *t;
	char path[1024], err[512];
	size_t len;
	uint8_t *buf;
	int profile;

	assert_non_null(a);
	assert_non_null(b);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = slurp(path, &len);
	assert_non_null(buf);
	profile = stream_profile(buf, len, err, sizeof(err));
	assert_true(profile >= 0);
	t = stream_machine((enum machine_profile)profile, buf, len);
	if (snapshot_decode(&t->m, buf, len, a, &rep, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	if (rep.nr_foreign)
		goto done; /* holds devices hvmdm lacks: neither format can carry them */

	/* Native. */
	encode_native(&t->m, a, &conv);
	if (snapshot_decode(&t->m, conv.data, conv.len, b, &rep, err, sizeof(err)))
		fail_msg("%s converted to native does not load: %s", path, err);
	encode_native(&t->m, a, &ea);
	encode_native(&t->m, b, &eb);
	if (ea.len != eb.len || memcmp(ea.data, eb.data, ea.len))
		fail_msg("%s: converted to native, it decodes to another state", path);
	wbuf_free(&conv);
	wbuf_free(&ea);
	wbuf_free(&eb);

	/* qemu-xen-traditional, for the machines it has. */
	if (profile == PROFILE_XENFV_TRAD) {
		wbuf_init(&conv, STREAM_MAX_SIZE);
		/*
		 * Refused: the message names the record and what it cannot hold. The
		 * scenario's UART holds two received bytes: with one, the rest must
		 * go through. hvmdm 0.2's drives called themselves hvmdm's (the guest
		 * would drop them); after a reboot here they are QEMU's.
		 */
		for (int tries = 0; tries < 2 && qevm_write_trad(&t->m, a, &conv, &wrep, err, sizeof(err)); tries++) {
			assert_true(strstr(err, "serial") || strstr(err, "i8042") || strstr(err, "ide drive") ||
				    strstr(err, "HVMDM HARDDISK"));
			for (unsigned int i = 0; i < MACHINE_MAX_SERIAL; i++)
				if (a->uart[i].rx_count > 1) {
					a->uart[i].rx_count = 1;
					memset(a->uart[i].rx + 1, 0, sizeof(a->uart[i].rx) - 1);
				}
			if (strstr(err, "HVMDM HARDDISK"))
				a->ide.identity = IDE_IDENTITY_QEMU;
			conv.len = 0;
		}
		conv.len = 0;
		if (qevm_write_trad(&t->m, a, &conv, &wrep, err, sizeof(err))) {
			fail_msg("%s: not convertible to qemu-trad: %s", path, err);
		} else {
			if (snapshot_decode(&t->m, conv.data, conv.len, b, &rep, err, sizeof(err)))
				fail_msg("%s converted to qemu-trad does not load: %s", path, err);
			/* What the layout cannot hold changed only where a note says so. */
			if (trad_normalize(a, &t->m))
				assert_true(wrep.nr_notes > 0);
			encode_native(&t->m, a, &ea);
			encode_native(&t->m, b, &eb);
			if (ea.len != eb.len || memcmp(ea.data, eb.data, ea.len)) {
				json_t *ja = machine_state_to_json(&t->m, a), *jb = machine_state_to_json(&t->m, b);
				const char *key;
				json_t *val;

				json_object_foreach(ja, key, val) {
					char *x, *y;

					if (json_equal(val, json_object_get(jb, key)))
						continue;
					x = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS);
					y = json_dumps(json_object_get(jb, key), JSON_COMPACT | JSON_SORT_KEYS);
					fprintf(stderr, "%s was %s\nbecame %s\n", key, x, y);
					free(x);
					free(y);
				}
				json_decref(ja);
				json_decref(jb);
				for (size_t i = 0; i < ea.len && i < eb.len; i++) {
					if (ea.data[i] != eb.data[i]) {
						fprintf(stderr, "first difference at native byte %zu\n", i);
						break;
					}
				}
				fail_msg("%s: converted to qemu-trad, it decodes to another state", path);
			}
			wbuf_free(&ea);
			wbuf_free(&eb);
		}
		wbuf_free(&conv);
	}
done:
	tm_free(t);
	free(buf);
	free(a);
	free(b);
	return 1;
}

static void test_conversion_roundtrip(void **state)
{
	unsigned int dirs;

	(void)state;
	assert_true(for_each_stream(roundtrip_file, true, &dirs) >= 39);
}

static void test_registry_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < nr_record_kinds; i++) {
		const struct record_kind *k = record_kinds[i];

		for (size_t j = 0; j < k->nr_versions; j++) {
			const struct record_version *v = &k->versions[j];

			assert_true(v->status == RV_RESERVED || v->decode != NULL);
			assert_true(v->status != RV_RESERVED || v->decode == NULL);
			if (j)
				assert_true(v->version > k->versions[j - 1].version);
		}
		/*
		 * Every written kind says how qemu-xen-traditional stores it: a
		 * writer, or why it has none; a writer's section can be sized.
		 */
		if (k->encode)
			assert_true(k->trad.write || k->trad.none);
		/*
		 * And how upstream QEMU does: a writer, or a reason for none. Its
		 * place is its own but for the display cards (one per machine) and
		 * the NIC models (QEMU's loader finds sections by name, not place).
		 */
		if (k->encode && !k->upstream.write && !k->upstream.none)
			fail_msg("%s: no upstream writer and no reason for none", k->idstr);
		if (k->upstream.write) {
			assert_true(k->upstream.order > 0);
			for (size_t j = 0; j < i; j++)
				assert_true(!record_kinds[j]->upstream.write ||
					    record_kinds[j]->upstream.order != k->upstream.order ||
					    (!strcmp(k->idstr, "cirrus_vga") && !strcmp(record_kinds[j]->idstr, "vga")) ||
					    (!strcmp(k->idstr, "e1000") && !strcmp(record_kinds[j]->idstr, "rtl8139")));
		}
		if (k->trad.write) {
			assert_true(k->trad.order > 0);
			/*
			 * One place each in the producer's file; the display cards share
			 * the VGA's (one per machine), the NIC models the one loop that
			 * creates every NIC (its loader finds sections by name and
			 * instance, not by place).
			 */
			for (size_t j = 0; j < i; j++)
				assert_true(!record_kinds[j]->trad.write ||
					    record_kinds[j]->trad.order != k->trad.order ||
					    (!strcmp(k->idstr, "cirrus_vga") && !strcmp(record_kinds[j]->idstr, "vga")) ||
					    (!strcmp(k->idstr, "e1000") && !strcmp(record_kinds[j]->idstr, "rtl8139")));
		}
		/* The written version is the newest number the kind has. */
		if (k->encode)
			assert_int_equal(record_written_version(k), k->versions[k->nr_versions - 1].version);
	}
	/* The probe state goes through every written decoder unchanged. */
	{
		struct machine_state probe, back;
		struct tm_ctx *t = fresh_machine(PROFILE_XENFV, 2);

		probe_state(&probe, PROFILE_XENFV);
		memset(&back, 0, sizeof(back));
		for (size_t i = 0; i < nr_record_kinds; i++) {
			const struct record_kind *k = record_kinds[i];
			struct stream_record rec = { .version = record_written_version(k) };
			struct decode_ctx c = { .st = &back, .m = &t->m, .rec = &rec, .slot = 0 };
			char err[256];
			struct wbuf w;
			struct rbuf r;

			if (!k->encode)
				continue;
			strcpy(rec.idstr, k->idstr);
			c.err = err;
			c.errlen = sizeof(err);
			wbuf_init(&w, RECORD_MAX_PAYLOAD);
			k->encode(&w, &probe, 0);
			rbuf_init(&r, w.data, w.len);
			if (record_version_find(k, rec.version)->decode(&r, &c))
				fail_msg("%s: %s", k->idstr, err);
			wbuf_free(&w);
		}
		back.profile = probe.profile;
		memset(&back.uart[1], 0, sizeof(back.uart[1]));
		memset(&probe.uart[1], 0, sizeof(probe.uart[1]));
		memset(&back.nic[1], 0, sizeof(back.nic) - sizeof(back.nic[0]));
		memset(&probe.nic[1], 0, sizeof(probe.nic) - sizeof(probe.nic[0]));
		memset(&back.e1000[1], 0, sizeof(back.e1000) - sizeof(back.e1000[0]));
		memset(&probe.e1000[1], 0, sizeof(probe.e1000) - sizeof(probe.e1000[0]));
		memset(&back.usb_ptr[1], 0, sizeof(back.usb_ptr) - sizeof(back.usb_ptr[0]));
		memset(&probe.usb_ptr[1], 0, sizeof(probe.usb_ptr) - sizeof(probe.usb_ptr[0]));
		memset(&back.usb_kbd[1], 0, sizeof(back.usb_kbd) - sizeof(back.usb_kbd[0]));
		memset(&probe.usb_kbd[1], 0, sizeof(probe.usb_kbd) - sizeof(probe.usb_kbd[0]));
		assert_memory_equal(&back, &probe, sizeof(probe));
		tm_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_identity),
		cmocka_unit_test(test_config_address_latch),
		cmocka_unit_test(test_truncation_and_corruption),
		cmocka_unit_test(test_reordered_and_duplicated),
		cmocka_unit_test(test_wrong_versions_and_records),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_conversion_roundtrip),
		cmocka_unit_test(test_registry_rules),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
