// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the golden corpus of this release: native streams of the scenario for
 * each profile, and streams carrying every older or foreign record version a
 * decoder accepts, each with the decoded state it must give (FILE.json).
 * Existing files are never overwritten: a released corpus is never edited.
 *
 *   gen_corpus DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hw/core/log.h"
#include "../../state/inspect.h"
#include "../../vm/accel_none.h"
#include "../unit/scenario.h"
#include "../unit/qevmgen.h"
#include "../../state/qevm.h"

static uint64_t frozen(void *o)
{
	(void)o;
	return 5000000000ull; /* 5 s: the scenario's clock never moves */
}

static const char *dir;
static int written, kept, failed;

static int make_machine(struct machine *m, struct accel_none *a, enum machine_profile p,
			unsigned int uarts)
{
	struct machine_config cfg = { .profile = p, .vcpus = 4, .ram_mib = 64, .nr_serial = uarts,
				      .serial = { "null", "null" } };
	char err[256];

	accel_none_init(a);
	if (machine_create(m, &cfg, &a->accel, frozen, NULL, err, sizeof(err))) {
		fprintf(stderr, "gen_corpus: %s\n", err);
		return -1;
	}
	return scenario_run(m);
}

static void emit_ext(const char *name, const char *ext, enum machine_profile p, unsigned int uarts,
		     const struct wbuf *s);

static void emit(const char *name, enum machine_profile p, unsigned int uarts, const struct wbuf *s)
{
	emit_ext(name, "hvmdm", p, uarts, s);
}

static void emit_ext(const char *name, const char *ext, enum machine_profile p, unsigned int uarts,
		     const struct wbuf *s)
{
	char path[512], jpath[520];
	struct accel_none a;
	struct machine m;
	struct machine_config cfg = { .profile = p, .vcpus = 4, .ram_mib = 64, .nr_serial = uarts,
				      .serial = { "null", "null" } };
	struct machine_state st;
	struct load_report rep;
	char err[512];
	struct stat sb;
	json_t *doc, *notes;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	snprintf(jpath, sizeof(jpath), "%s/%s.json", dir, name);
	if (stat(path, &sb) == 0) {
		kept++;
		return;
	}
	accel_none_init(&a);
	if (machine_create(&m, &cfg, &a.accel, frozen, NULL, err, sizeof(err)) ||
	    snapshot_decode(&m, s->data, s->len, &st, &rep, err, sizeof(err))) {
		fprintf(stderr, "gen_corpus: %s does not load: %s\n", name, err);
		failed++;
		return;
	}
	notes = json_array();
	for (unsigned int i = 0; i < rep.nr_notes; i++)
		json_array_append_new(notes, json_string(rep.notes[i]));
	{
		json_t *foreign = json_array();

		for (unsigned int i = 0; i < rep.nr_foreign; i++)
			json_array_append_new(foreign, json_string(rep.foreign[i]));
		doc = json_pack("{s:o, s:o, s:o}", "state", machine_state_to_json(&m, &st), "notes", notes,
				"not_emulated", foreign);
	}
	machine_destroy(&m);
	f = fopen(path, "wb");
	if (!f || fwrite(s->data, 1, s->len, f) != s->len || fclose(f)) {
		fprintf(stderr, "gen_corpus: %s: %s\n", path, strerror(errno));
		failed++;
		json_decref(doc);
		return;
	}
	if (json_dump_file(doc, jpath, JSON_INDENT(1) | JSON_SORT_KEYS)) {
		fprintf(stderr, "gen_corpus: cannot write %s\n", jpath);
		failed++;
	}
	json_decref(doc);
	written++;
}

/* A stream of machine m with one or more records replaced. */
static void variant(const char *name, const struct machine *m, const struct rec_override *ov,
		    size_t n)
{
	struct wbuf s;

	wbuf_init(&s, STREAM_MAX_SIZE);
	if (build_stream(m, ov, n, &s)) {
		fprintf(stderr, "gen_corpus: cannot build %s\n", name);
		failed++;
	} else {
		emit(name, m->cfg.profile, m->nr_uarts, &s);
	}
	wbuf_free(&s);
}

static void native(const char *name, enum machine_profile p, unsigned int uarts)
{
	struct accel_none a;
	struct machine m;
	struct wbuf s;
	char err[256];

	if (make_machine(&m, &a, p, uarts)) {
		failed++;
		return;
	}
	wbuf_init(&s, STREAM_MAX_SIZE);
	if (snapshot_save(&m, &s, err, sizeof(err))) {
		fprintf(stderr, "gen_corpus: %s: %s\n", name, err);
		failed++;
	} else {
		emit(name, p, uarts, &s);
	}
	wbuf_free(&s);
	machine_destroy(&m);
}

#define ONE(idstr_, inst_, ver_, payload_) \
	((struct rec_override[]){ { .idstr = idstr_, .instance = inst_, .version = ver_, .payload = payload_ } })

static void trad_variants(void)
{
	struct accel_none a;
	struct machine m;
	struct wbuf w;
	const uint8_t kq[] = { 0xaa }, mq[] = { 0x00 };

	if (make_machine(&m, &a, PROFILE_XENFV_TRAD, 1)) {
		failed++;
		return;
	}
	wbuf_init(&w, RECORD_MAX_PAYLOAD);
	/* PCI devices in the traditional layouts. */
	for (unsigned int v = 1; v <= 2; v++) {
		char name[64];

		w.len = 0;
		trad_pci(&w, &m.i440fx.pci, v);
		snprintf(name, sizeof(name), "trad-I440FX-v%u", v);
		variant(name, &m, ONE("I440FX", 0, v, &w), 1);
	}
	w.len = 0;
	trad_pci(&w, &m.piix3.pci, 2);
	variant("trad-PIIX3-v2", &m, ONE("PIIX3", 0, 2, &w), 1);
	/* piix4acpi: v1, v2, XenServer v3, and the XenServer 6.0-6.2 lie. */
	w.len = 0;
	trad_piix4acpi(&w, &m.pm, 1, 0);
	variant("trad-piix4acpi-v1", &m, ONE("piix4acpi", 0, 1, &w), 1);
	w.len = 0;
	trad_piix4acpi(&w, &m.pm, 2, PM_BASE_V1);
	variant("trad-piix4acpi-v2", &m, ONE("piix4acpi", 0, 2, &w), 1);
	variant("xenserver-piix4acpi-v3", &m, ONE("piix4acpi", 0, 3, &w), 1);
	w.len = 0;
	trad_piix4acpi(&w, &m.pm, 1, 0);
	variant("xenserver-6.0-6.2-piix4acpi-v2-with-v1-content", &m, ONE("piix4acpi", 0, 2, &w), 1);
	/* gpe v1 (V0 block) and v2. */
	w.len = 0;
	trad_gpe(&w, &m.pm, 1, 0, 0);
	variant("trad-gpe-v1", &m, ONE("gpe", 0, 1, &w), 1);
	w.len = 0;
	trad_gpe(&w, &m.pm, 2, GPE0_BASE_V1, GPE0_HALF_V1);
	variant("trad-gpe-v2", &m, ONE("gpe", 0, 2, &w), 1);
	/* platform v1-v3 and platform_fixed_ioport v1. */
	for (unsigned int v = 1; v <= 3; v++) {
		char name[64];

		w.len = 0;
		trad_platform(&w, &m.platform, v);
		snprintf(name, sizeof(name), "trad-platform-v%u", v);
		variant(name, &m, ONE("platform", 0, v, &w), 1);
	}
	{
		struct wbuf p3, fixed;

		wbuf_init(&p3, RECORD_MAX_PAYLOAD);
		wbuf_init(&fixed, 16);
		trad_platform(&p3, &m.platform, 3);
		put_u8(&fixed, m.platform.flags);
		variant("trad-platform-v3-with-fixed-ioport-v1", &m,
			(struct rec_override[]){
				{ .idstr = "platform", .version = 3, .payload = &p3 },
				{ .idstr = "platform_fixed_ioport", .version = 1, .payload = &fixed,
				  .extra = true, .after = "platform", .flags = RECORD_MANDATORY },
			}, 2);
		wbuf_free(&p3);
		wbuf_free(&fixed);
	}
	/* timer v1 and v2 (traditional, 8 bytes). */
	for (unsigned int v = 1; v <= 2; v++) {
		char name[64];

		w.len = 0;
		put_be64(&w, 0x123456789ull * v); /* the source's clock when it stopped */
		snprintf(name, sizeof(name), "trad-timer-v%u", v);
		variant(name, &m, ONE("timer", 0, v, &w), 1);
	}
	/* serial v1 and v2. */
	for (unsigned int v = 1; v <= 2; v++) {
		char name[64];

		w.len = 0;
		trad_serial(&w, &m.uart[0], v);
		snprintf(name, sizeof(name), "trad-serial-v%u", v);
		variant(name, &m, ONE("serial", 0x3f8, v, &w), 1);
	}
	/* The traditional i8042 trio: pckbd v3, ps2kbd v3 (and v2), ps2mouse v2. */
	{
		struct wbuf kb, kbd, mouse;

		wbuf_init(&kb, 64);
		wbuf_init(&kbd, 512);
		wbuf_init(&mouse, 512);
		/* Output buffer: the keyboard's 0xfa; 0xaa still queued behind it. */
		put_u8(&kb, 0);
		put_u8(&kb, I8042_STR_OBF | I8042_STR_UNLOCKED);
		put_u8(&kb, I8042_CTR_KBD_INT | I8042_CTR_AUX_INT);
		put_u8(&kb, 1);
		{
			const uint8_t q[] = { 0xfa, 0xaa };

			trad_ps2_common(&kbd, -1, q, 2, 250); /* wraps the 256-byte ring */
		}
		put_be32(&kbd, 1);
		put_be32(&kbd, 0);
		put_be32(&kbd, 2);
		trad_ps2_common(&mouse, -1, mq, 1, 0);
		put_u8(&mouse, 0x20);
		put_u8(&mouse, 2);
		put_u8(&mouse, 100);
		put_u8(&mouse, 0);
		put_u8(&mouse, 3);
		put_u8(&mouse, 0);
		put_be32(&mouse, 0);
		put_be32(&mouse, 0);
		put_be32(&mouse, 0);
		put_u8(&mouse, 0);
		variant("trad-i8042-pckbd-v3-ps2kbd-v3-ps2mouse-v2", &m,
			(struct rec_override[]){
				{ .idstr = "pckbd", .version = 3, .payload = &kb },
				{ .idstr = "ps2kbd", .version = 3, .payload = &kbd },
				{ .idstr = "ps2mouse", .version = 2, .payload = &mouse },
			}, 3);
		kbd.len = 0;
		trad_ps2_common(&kbd, -1, kq, 1, 0);
		put_be32(&kbd, 1);
		put_be32(&kbd, 0);
		variant("trad-ps2kbd-v2", &m, ONE("ps2kbd", 0, 2, &kbd), 1);
		wbuf_free(&kb);
		wbuf_free(&kbd);
		wbuf_free(&mouse);
	}
	wbuf_free(&w);
	machine_destroy(&m);
}

static void upstream_timer(void)
{
	struct accel_none a;
	struct machine m;
	struct wbuf w;

	if (make_machine(&m, &a, PROFILE_XENFV, 1)) {
		failed++;
		return;
	}
	wbuf_init(&w, 64);
	put_be64(&w, 0x1111);
	put_be64(&w, 0);
	put_be64(&w, 0x9876543210ull);
	variant("upstream-timer-v2-24-bytes", &m, ONE("timer", 0, 2, &w), 1);
	wbuf_free(&w);
	machine_destroy(&m);
}

/* qemu-xen-traditional files: every piix4acpi variant, both formats, extras. */
static void qevm_files(void)
{
	static const struct {
		const char *name;
		struct qevm_opts o;
	} files[] = {
		{ "trad-f3-piix4acpi-v2", { .format = 3, .acpi = ACPI_V2, .acpi_last = true } },
		{ "trad-f3-piix4acpi-v1", { .format = 3, .acpi = ACPI_V1, .acpi_last = true } },
		{ "xenserver-f3-piix4acpi-v3", { .format = 3, .acpi = ACPI_V3_XS, .acpi_last = true } },
		{ "xenserver-6.0-6.2-f3-piix4acpi-v2-lie-last", { .format = 3, .acpi = ACPI_V2_XS_LIE, .acpi_last = true } },
		{ "xenserver-6.0-6.2-f3-piix4acpi-v2-lie-followed", { .format = 3, .acpi = ACPI_V2_XS_LIE, .acpi_last = false } },
		{ "trad-f2-legacy-piix4acpi-v2", { .format = 2, .acpi = ACPI_V2, .acpi_last = true } },
		{ "xenserver-6.0-6.2-f2-legacy-piix4acpi-v2-lie", { .format = 2, .acpi = ACPI_V2_XS_LIE, .acpi_last = true } },
		{ "trad-f3-old-with-pcibus", { .format = 3, .acpi = ACPI_V2, .acpi_last = true, .with_pcibus = true } },
		{ "trad-f3-with-ide-and-cirrus", { .format = 3, .acpi = ACPI_V2, .acpi_last = true, .with_ide = true, .with_cirrus = true } },
	};
	const char *saved = dir;
	char qdir[512];
	struct accel_none a;
	struct machine m;

	snprintf(qdir, sizeof(qdir), "%s/../qemu-trad", saved);
	mkdir(qdir, 0755);
	dir = qdir;
	if (make_machine(&m, &a, PROFILE_XENFV_TRAD, 1) == 0) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			struct wbuf w;

			wbuf_init(&w, 64u << 20);
			build_qevm(&m, &files[i].o, &w);
			emit_ext(files[i].name, "qevm", PROFILE_XENFV_TRAD, 1, &w);
			wbuf_free(&w);
		}
		machine_destroy(&m);
	} else {
		failed++;
	}
	dir = saved;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	log_set_level(LOG_ERROR);
	qevm_files();
	native("xenfv", PROFILE_XENFV, 1);
	native("xenfv-trad", PROFILE_XENFV_TRAD, 1);
	native("pc", PROFILE_PC, 2);
	trad_variants();
	upstream_timer();
	printf("gen_corpus: %d written, %d already there (never overwritten), %d failed\n", written,
	       kept, failed);
	return failed ? 1 : 0;
}
