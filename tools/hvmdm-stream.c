// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvmdm-stream: look into saved device state (docs/hvmdm-stream.1).
 *
 *   inspect [--json] FILE   every record, and the decoded device state
 *   verify FILE             exit 0 only if framing, checksums and decoders accept it
 *   schema [--check FILE]   the record registry; --check compares with the committed history
 *   convert [--to hvmdm|qemu-trad] IN OUT  any stream hvmdm reads, written natively or for qemu-xen-traditional
 *
 * Exit codes: 0 success, 1 the stream (or schema) is refused, 2 usage or I/O
 * error, 3 a command this build does not have yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hw/core/log.h"
#include "../state/inspect.h"
#include "../state/output.h"
#include "../state/qevm.h"
#include "../state/registry.h"
#include "../state/snapshot.h"
#include "../state/vm_records.h"
#include "../vm/accel_none.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_NOT_BUILT 3

static void usage(FILE *out)
{
	fputs("usage: hvmdm-stream inspect [--json] FILE\n"
	      "       hvmdm-stream verify FILE\n"
	      "       hvmdm-stream schema [--check SCHEMA]\n"
	      "       hvmdm-stream convert [--to hvmdm|qemu-trad] IN OUT\n",
	      out);
}

/* Device state is at most 64 MiB; a whole VM carries its RAM too. */
#define INSPECT_MAX_SIZE (64ull << 30)

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *p;

			if (cap > INSPECT_MAX_SIZE) {
				fprintf(stderr, "hvmdm-stream: %s: larger than the %llu-byte cap\n", path,
					INSPECT_MAX_SIZE);
				free(buf);
				fclose(f);
				return NULL;
			}
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/*
 * A machine shaped like the stream: its profile, UARTs, platform device,
 * drives and display card (whose VRAM, in a Xen guest's state, is frames
 * the state places: modelled, not mapped).
 */
static int scratch_machine(const uint8_t *buf, size_t len, struct accel_none *accel,
			   struct machine *m, char *err, size_t errlen)
{
	struct machine_config cfg = { .vcpus = 1, .ram_mib = 16 };

	if (stream_machine_config(buf, len, &cfg, err, errlen))
		return -1;
	accel_none_init(accel);
	if (cfg.incoming)
		accel_none_guest_frames(accel, machine_device_memory_base(&cfg));
	return machine_create(m, &cfg, &accel->accel, NULL, NULL, err, errlen);
}

struct listing {
	json_t *records;
};

static void list_record(const struct stream_record *rec, void *opaque)
{
	struct listing *l = opaque;
	const struct record_kind *k = registry_find(rec->idstr);
	const struct record_version *v = k ? record_version_find(k, rec->version) : NULL;

	json_array_append_new(l->records, json_pack(
		"{s:s, s:I, s:I, s:I, s:I, s:b, s:s}", "idstr", rec->idstr,
		"instance", (json_int_t)rec->instance, "version", (json_int_t)rec->version,
		"offset", (json_int_t)rec->offset, "length", (json_int_t)rec->payload_len,
		"mandatory", (rec->flags & RECORD_MANDATORY) != 0,
		"known_as", v ? rv_status_name(v->status) : "unknown"));
}

/* The shape a whole-VM stream's kvm-vm record gives; false for device state. */
static bool whole_vm_shape(const uint8_t *buf, size_t len, uint64_t *ram, uint64_t *below,
			   uint32_t *vcpus)
{
	struct stream_header h;
	struct stream_record rec;
	char err[256];
	size_t pos;

	if (len < 4 || !memcmp(buf, "QEVM", 4) ||
	    stream_read_header_within(buf, len, SIZE_MAX, &h, err, sizeof(err)))
		return false;
	pos = h.records_offset;
	while (stream_read_record(buf, len, &pos, &rec, err, sizeof(err)) == 1) {
		struct rbuf r;

		if (strcmp(rec.idstr, "kvm-vm"))
			continue;
		rbuf_init(&r, rec.payload, rec.payload_len);
		*ram = get_le64(&r);
		*below = get_le64(&r);
		*vcpus = get_le32(&r);
		return !r.short_read && *vcpus >= 1 && *vcpus <= VM_MAX_VCPUS;
	}
	return false;
}

static uint64_t whole_vm_nonzero(const struct vm_staged *st)
{
	uint64_t n = 0;

	for (size_t c = 0; c < st->nr_chunks; c++)
		for (uint32_t i = 0; i < st->chunks[c].nr_pages; i++)
			n += (st->chunks[c].bitmap[i / 8] >> (i % 8)) & 1;
	return n;
}

static int cmd_inspect(const char *path, bool as_json)
{
	struct accel_none accel;
	struct machine m;
	struct machine_state *st = malloc(sizeof(*st)); /* tens of KiB: not on the stack */
	struct load_report rep, scan;
	struct listing l = { json_array() };
	char err[512];
	size_t len;
	uint8_t *buf = read_file(path, &len);
	json_t *root, *foreign = json_array();
	int status = 0;

	if (!buf || !st) {
		free(buf);
		free(st);
		return EXIT_USAGE;
	}
	root = json_object();
	if (len >= 4 && !memcmp(buf, "QEVM", 4)) {
		json_object_set_new(root, "format", json_string("QEVM (QEMU savevm: qemu-xen-traditional or upstream QEMU)"));
		json_object_set_new(root, "format_version", json_integer(len >= 8 ? buf[7] : 0));
	} else {
		struct stream_header h;

		if (stream_read_header_within(buf, len, SIZE_MAX, &h, err, sizeof(err)) == 0) {
			json_object_set_new(root, "format", json_string("hvmdm"));
			json_object_set_new(root, "format_version", json_integer(h.format_version));
			json_object_set_new(root, "min_reader", json_integer(h.min_reader));
			json_object_set_new(root, "producer", json_string(h.producer));
			json_object_set_new(root, "producer_version", json_string(h.producer_version));
		}
	}
	if (stream_scan(buf, len, list_record, &l, &scan, err, sizeof(err))) {
		json_object_set_new(root, "error", json_string(err));
		status = EXIT_REFUSED;
	} else if (scratch_machine(buf, len, &accel, &m, err, sizeof(err)) == 0) {
		uint64_t ram, below;
		uint32_t vcpus;
		int rc;

		json_object_set_new(root, "profile", json_string(profile_name(m.cfg.profile)));
		if (whole_vm_shape(buf, len, &ram, &below, &vcpus)) {
			struct vm_staged vst;

			/* A whole VM (KVM): decode it all, with the shape it says it has. */
			rc = vm_stream_decode(&m, buf, len, ram, below, vcpus, &vst, &rep, err, sizeof(err));
			if (rc == 0) {
				*st = vst.dev;
				json_object_set_new(root, "whole_vm",
						    json_pack("{s:I,s:I,s:i,s:I}", "ram_bytes", (json_int_t)ram,
							      "ram_below_4g", (json_int_t)below, "vcpus", (int)vcpus,
							      "nonzero_pages", (json_int_t)whole_vm_nonzero(&vst)));
				vm_staged_free(&vst);
			}
		} else {
			rc = snapshot_decode(&m, buf, len, st, &rep, err, sizeof(err));
		}
		if (rc == 0) {
			json_t *notes = json_array();

			json_object_set_new(root, "state", machine_state_to_json(&m, st));
			for (unsigned int i = 0; i < rep.nr_notes; i++)
				json_array_append_new(notes, json_string(rep.notes[i]));
			for (unsigned int i = 0; i < rep.nr_foreign; i++)
				json_array_append_new(foreign, json_string(rep.foreign[i]));
			json_object_set_new(root, "notes", notes);
		} else {
			json_object_set_new(root, "error", json_string(err));
			status = EXIT_REFUSED;
		}
		machine_destroy(&m);
	} else {
		json_object_set_new(root, "error", json_string(err));
		status = EXIT_REFUSED;
	}
	json_object_set_new(root, "records", l.records);
	json_object_set_new(root, "not_emulated", foreign);
	if (as_json) {
		json_dumpf(root, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		size_t i;
		json_t *r;

		json_t *wv = json_object_get(root, "whole_vm");

		printf("%s: %s stream, machine %s\n", path,
		       json_string_value(json_object_get(root, "format")) ? json_string_value(json_object_get(root, "format")) : "unknown",
		       json_string_value(json_object_get(root, "profile")) ? json_string_value(json_object_get(root, "profile")) : "?");
		json_array_foreach(l.records, i, r)
			printf("  @%-8lld %-22s instance %#-6llx version %-3lld %5lld bytes  %s\n",
			       (long long)json_integer_value(json_object_get(r, "offset")),
			       json_string_value(json_object_get(r, "idstr")),
			       (long long)json_integer_value(json_object_get(r, "instance")),
			       (long long)json_integer_value(json_object_get(r, "version")),
			       (long long)json_integer_value(json_object_get(r, "length")),
			       json_string_value(json_object_get(r, "known_as")));
		if (wv)
			printf("  whole VM (KVM): %lld MiB of RAM (%lld non-zero pages), %lld vCPU(s)\n",
			       (long long)json_integer_value(json_object_get(wv, "ram_bytes")) >> 20,
			       (long long)json_integer_value(json_object_get(wv, "nonzero_pages")),
			       (long long)json_integer_value(json_object_get(wv, "vcpus")));
		json_array_foreach(foreign, i, r)
			printf("  not emulated by hvmdm (a restore refuses it): %s\n", json_string_value(r));
		if (json_object_get(root, "state")) {
			char *text = json_dumps(json_object_get(root, "state"), JSON_INDENT(2) | JSON_SORT_KEYS);

			printf("decoded state:\n%s\n", text);
			free(text);
		}
		if (json_object_get(root, "error"))
			printf("refused: %s\n", json_string_value(json_object_get(root, "error")));
	}
	json_decref(root);
	free(buf);
	free(st);
	return status;
}

/*
 * Decode any stream hvmdm reads and write it as a native stream (or, with
 * --to qemu-trad, as a qemu-xen-traditional file): what loading the original
 * gives, loading the converted stream gives too.
 */
static int cmd_convert(const char *in, const char *out, bool to_trad)
{
	struct accel_none accel;
	struct machine m;
	struct machine_state *st = malloc(sizeof(*st)); /* tens of KiB: not on the stack */
	struct load_report rep, wrep;
	struct wbuf w;
	char err[512];
	size_t len;
	uint8_t *buf = read_file(in, &len);
	int status = EXIT_REFUSED;

	if (!buf || !st) {
		free(buf);
		free(st);
		return EXIT_USAGE;
	}
	if (scratch_machine(buf, len, &accel, &m, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", in, err);
		free(buf);
		free(st);
		return EXIT_REFUSED;
	}
	wbuf_init(&w, STREAM_MAX_SIZE);
	memset(&wrep, 0, sizeof(wrep));
	if (snapshot_decode(&m, buf, len, st, &rep, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: refused: %s\n", in, err);
	} else if (rep.nr_foreign) {
		fprintf(stderr, "hvmdm-stream: %s: holds state of devices hvmdm does not emulate yet (%s%s); not converted\n",
			in, rep.foreign[0], rep.nr_foreign > 1 ? ", ..." : "");
	} else if (to_trad && qevm_write_trad(&m, st, &w, &wrep, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: cannot be written for qemu-xen-traditional: %s\n", in, err);
	} else if ((!to_trad && snapshot_write_state(&m, st, &w, err, sizeof(err))) ||
		   stream_write_file(out, w.data, w.len, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s\n", err);
		status = EXIT_USAGE;
	} else {
		for (unsigned int i = 0; i < rep.nr_notes; i++)
			printf("%s: note: %s\n", in, rep.notes[i]);
		for (unsigned int i = 0; i < wrep.nr_notes; i++)
			printf("%s: not kept by the traditional layout: %s\n", out, wrep.notes[i]);
		printf("%s -> %s: %zu bytes, %s, machine %s\n", in, out, w.len,
		       to_trad ? "qemu-xen-traditional QEVM 3" : "hvmdm", profile_name(m.cfg.profile));
		status = 0;
	}
	wbuf_free(&w);
	machine_destroy(&m);
	free(buf);
	free(st);
	return status;
}

static int cmd_verify(const char *path)
{
	struct accel_none accel;
	struct machine m;
	struct machine_state *st = malloc(sizeof(*st)); /* tens of KiB: not on the stack */
	struct load_report rep;
	char err[512];
	size_t len;
	uint8_t *buf = read_file(path, &len);
	int rc;

	if (!buf || !st) {
		free(buf);
		free(st);
		return EXIT_USAGE;
	}
	rc = scratch_machine(buf, len, &accel, &m, err, sizeof(err));
	if (rc == 0) {
		rc = snapshot_decode(&m, buf, len, st, &rep, err, sizeof(err));
		machine_destroy(&m);
	}
	if (rc) {
		fprintf(stderr, "hvmdm-stream: %s: refused: %s\n", path, err);
		free(buf);
		free(st);
		return EXIT_REFUSED;
	}
	for (unsigned int i = 0; i < rep.nr_notes; i++)
		printf("%s: note: %s\n", path, rep.notes[i]);
	for (unsigned int i = 0; i < rep.nr_foreign; i++)
		printf("%s: not emulated by hvmdm (a restore refuses it): %s\n", path, rep.foreign[i]);
	printf("%s: ok (%u records)\n", path, rep.records);
	free(buf);
	free(st);
	return 0;
}

/* One line per (idstr, version): the committed form of the registry. */
static void schema_lines(FILE *out)
{
	fprintf(out, "# idstr\tversion\tstatus\tpayload_len\tfingerprint\torigin\tlayout\n");
	for (size_t i = 0; i < registry_nr_kinds(); i++) {
		const struct record_kind *k = registry_kind(i);

		for (size_t j = 0; j < k->nr_versions; j++) {
			const struct record_version *v = &k->versions[j];
			uint32_t len = 0, fp = 0;

			if (v->status == RV_WRITTEN)
				fp = record_fingerprint(k, &len);
			fprintf(out, "%s\t%u\t%s\t%u\t%08x\t%s\t%s\n", k->idstr, v->version,
				rv_status_name(v->status), len, fp, v->origin, v->layout);
		}
	}
	for (size_t i = 0; i < nr_errata; i++)
		fprintf(out, "# erratum %s: %s version %u carries version-%u content. %s. Detected by: %s\n",
			errata[i].id, errata[i].idstr, errata[i].advertised, errata[i].actual,
			errata[i].origin, errata[i].rule);
}

struct schema_row {
	char idstr[65];
	unsigned int version;
	char status[16];
	unsigned int len;
	unsigned int fp;
	char layout[2048];
};

static int parse_row(char *line, struct schema_row *r)
{
	char *f[7], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, "\t\n", &save); t && n < 7; t = strtok_r(NULL, "\t\n", &save))
		f[n++] = t;
	if (n != 7 || strlen(f[0]) > 64 || strlen(f[2]) > 15 || strlen(f[6]) > 2047)
		return -1;
	strcpy(r->idstr, f[0]);
	r->version = (unsigned int)strtoul(f[1], NULL, 10);
	strcpy(r->status, f[2]);
	r->len = (unsigned int)strtoul(f[3], NULL, 10);
	r->fp = (unsigned int)strtoul(f[4], NULL, 16);
	strcpy(r->layout, f[6]);
	return 0;
}

/*
 * The rules: a committed (idstr, version) keeps its layout forever and never
 * loses its decoder; a written version's encoding keeps its fingerprint; new
 * numbers only go up. Returns the number of violations.
 */
static int schema_check(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned int max_committed[64] = { 0 }, lineno = 0;
	int bad = 0;

	if (!f) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct schema_row row;
		const struct record_kind *k;
		const struct record_version *v;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (parse_row(line, &row)) {
			printf("%s:%u: malformed line\n", path, lineno);
			bad++;
			continue;
		}
		k = registry_find(row.idstr);
		if (!k) {
			printf("%s %u: the record name disappeared from the registry\n", row.idstr, row.version);
			bad++;
			continue;
		}
		for (size_t i = 0; i < registry_nr_kinds() && i < 64; i++)
			if (registry_kind(i) == k && row.version > max_committed[i])
				max_committed[i] = row.version;
		v = record_version_find(k, row.version);
		if (!v) {
			printf("%s %u: the version disappeared from the registry (numbers are never dropped)\n",
			       row.idstr, row.version);
			bad++;
			continue;
		}
		if (strcmp(v->layout, row.layout)) {
			printf("%s %u: layout changed from \"%s\" to \"%s\": a new layout needs a new version\n",
			       row.idstr, row.version, row.layout, v->layout);
			bad++;
		}
		if (strcmp(row.status, "reserved") && !v->decode) {
			printf("%s %u: was %s, now has no decoder\n", row.idstr, row.version, row.status);
			bad++;
		}
		if (v->status == RV_WRITTEN && !strcmp(row.status, "written")) {
			uint32_t len, fp = record_fingerprint(k, &len);

			if (fp != row.fp || len != row.len) {
				printf("%s %u: encoding changed (fingerprint %08x/%u bytes, committed %08x/%u): a new encoding needs a new version\n",
				       row.idstr, row.version, fp, len, row.fp, row.len);
				bad++;
			}
		}
	}
	fclose(f);
	for (size_t i = 0; i < registry_nr_kinds() && i < 64; i++) {
		const struct record_kind *k = registry_kind(i);

		for (size_t j = 0; j < k->nr_versions; j++) {
			const struct record_version *v = &k->versions[j];

			if (v->status != RV_RESERVED && !v->decode) {
				printf("%s %u: %s but no decoder\n", k->idstr, v->version, rv_status_name(v->status));
				bad++;
			}
			if (j && v->version <= k->versions[j - 1].version) {
				printf("%s %u: versions are not listed in increasing order\n", k->idstr, v->version);
				bad++;
			}
		}
		if (record_written_version(k) && record_written_version(k) < max_committed[i]) {
			printf("%s: writes version %u below the highest committed number %u\n", k->idstr,
			       record_written_version(k), max_committed[i]);
			bad++;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	if (argc >= 3 && !strcmp(argv[1], "inspect")) {
		bool as_json = argc == 4 && !strcmp(argv[2], "--json");

		if (argc == 4 && !as_json) {
			usage(stderr);
			return EXIT_USAGE;
		}
		return cmd_inspect(argv[argc - 1], as_json);
	}
	if (argc == 3 && !strcmp(argv[1], "verify"))
		return cmd_verify(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "schema")) {
		schema_lines(stdout);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "schema") && !strcmp(argv[2], "--check")) {
		int bad = schema_check(argv[3]);

		if (bad < 0)
			return EXIT_USAGE;
		if (bad) {
			printf("schema check: %d violation(s)\n", bad);
			return EXIT_REFUSED;
		}
		printf("schema check: ok\n");
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "convert"))
		return cmd_convert(argv[2], argv[3], false);
	if (argc == 6 && !strcmp(argv[1], "convert") && !strcmp(argv[2], "--to")) {
		if (!strcmp(argv[3], "hvmdm") || !strcmp(argv[3], "qemu-trad"))
			return cmd_convert(argv[4], argv[5], !strcmp(argv[3], "qemu-trad"));
		fprintf(stderr, "hvmdm-stream: convert --to %s: formats are hvmdm (the default) and qemu-trad; writing upstream QEMU's is not built\n",
			argv[3]);
		return EXIT_NOT_BUILT;
	}
	usage(stderr);
	return EXIT_USAGE;
}
