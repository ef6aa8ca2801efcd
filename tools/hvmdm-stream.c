// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvmdm-stream: look into saved device state (docs/hvmdm-stream.1).
 *
 *   inspect [--json] FILE   every record, and the decoded device state (FILE may be a
 *                           whole `xl save` file: its config and streams summarised too)
 *   verify FILE             exit 0 only if framing, checksums and decoders accept it
 *   xl-config FILE [--dm P] an xl config that restores a whole `xl save` file on hvmdm
 *   schema [--check FILE]   the record registry; --check compares with the committed history
 *   convert [--to hvmdm|qemu-trad|qemu] IN OUT  any stream hvmdm reads, written natively, for qemu-xen-traditional or for upstream QEMU
 *
 * Exit codes: 0 success, 1 the stream (or schema) is refused, 2 usage or I/O
 * error, 3 a command this build does not have yet.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hw/core/log.h"
#include "../state/inspect.h"
#include "../state/output.h"
#include "../state/qevm.h"
#include "../state/registry.h"
#include "../state/snapshot.h"
#include "../state/upstream.h"
#include "../state/vm_records.h"
#include "../state/xlsave.h"
#include "../state/xlsave_config.h"
#include "../vm/accel_none.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_NOT_BUILT 3

static void usage(FILE *out)
{
	fputs("usage: hvmdm-stream inspect [--json] FILE\n"
	      "       hvmdm-stream verify FILE\n"
	      "       hvmdm-stream xl-config XL-SAVE-FILE [--dm PATH]\n"
	      "       hvmdm-stream schema [--check SCHEMA]\n"
	      "       hvmdm-stream convert [--to hvmdm|qemu-trad|qemu] IN OUT\n",
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

/*
 * Decode one device-state blob (an hvmdm stream, or a QEVM file from either
 * QEMU) into root: format, records, profile, decoded state, notes, devices
 * hvmdm does not emulate, or the error. 0, or EXIT_REFUSED.
 */
static int inspect_blob(const uint8_t *buf, size_t len, json_t *root)
{
	struct accel_none accel;
	struct machine m;
	struct machine_state *st = malloc(sizeof(*st)); /* tens of KiB: not on the stack */
	struct load_report rep, scan;
	struct listing l = { json_array() };
	char err[512];
	json_t *foreign = json_array();
	int status = 0;

	if (!st) {
		json_object_set_new(root, "error", json_string("out of memory"));
		json_decref(l.records);
		json_decref(foreign);
		return EXIT_REFUSED;
	}
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
	free(st);
	return status;
}

static const char *jstr(json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : dflt;
}

/* The text form of inspect_blob's result, each line indented by `indent`. */
static void print_blob(json_t *root, const char *indent, bool with_state)
{
	size_t i;
	json_t *r, *wv = json_object_get(root, "whole_vm");

	json_array_foreach(json_object_get(root, "records"), i, r)
		printf("%s  @%-8lld %-22s instance %#-6llx version %-3lld %5lld bytes  %s\n", indent,
		       (long long)json_integer_value(json_object_get(r, "offset")),
		       json_string_value(json_object_get(r, "idstr")),
		       (long long)json_integer_value(json_object_get(r, "instance")),
		       (long long)json_integer_value(json_object_get(r, "version")),
		       (long long)json_integer_value(json_object_get(r, "length")),
		       json_string_value(json_object_get(r, "known_as")));
	if (wv)
		printf("%s  whole VM (KVM): %lld MiB of RAM (%lld non-zero pages), %lld vCPU(s)\n", indent,
		       (long long)json_integer_value(json_object_get(wv, "ram_bytes")) >> 20,
		       (long long)json_integer_value(json_object_get(wv, "nonzero_pages")),
		       (long long)json_integer_value(json_object_get(wv, "vcpus")));
	json_array_foreach(json_object_get(root, "notes"), i, r)
		printf("%s  note: %s\n", indent, json_string_value(r));
	json_array_foreach(json_object_get(root, "not_emulated"), i, r)
		printf("%s  not emulated by hvmdm (a restore refuses it): %s\n", indent, json_string_value(r));
	if (with_state && json_object_get(root, "state")) {
		char *text = json_dumps(json_object_get(root, "state"), JSON_INDENT(2) | JSON_SORT_KEYS);

		printf("%sdecoded state:\n%s\n", indent, text);
		free(text);
	}
	if (json_object_get(root, "error"))
		printf("%srefused: %s\n", indent, json_string_value(json_object_get(root, "error")));
}

static bool file_is_xl_save(const char *path)
{
	uint8_t head[XLSAVE_MAGIC_LEN];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return xlsave_is_xl(head, n);
}

/*
 * Why the config saved in the file cannot bring the guest back on hvmdm
 * (an array of reasons; empty when it already names hvmdm).
 */
static json_t *config_reasons(json_t *cfg)
{
	json_t *why = json_array();
	json_t *b = json_object_get(cfg, "b_info");
	json_t *hvm = json_object_get(b, "type.hvm");
	const char *dmv = jstr(b, "device_model_version", NULL);
	const char *dm = jstr(b, "device_model", NULL);
	const char *bios = jstr(hvm, "bios", NULL);

	if (!cfg) {
		json_array_append_new(why, json_string("the file carries no config: xl restore needs one"));
		return why;
	}
	if (dmv && !strcmp(dmv, "qemu_xen_traditional"))
		json_array_append_new(why, json_string(
			"it asks for qemu-xen-traditional (device_model_version), which Xen 4.21 removed"));
	if (json_is_true(json_object_get(b, "device_model_stubdomain")))
		json_array_append_new(why, json_string("it asks for a stub domain (device_model_stubdomain_override)"));
	if (bios && !strcmp(bios, "rombios"))
		json_array_append_new(why, json_string("bios=\"rombios\", which qemu-xen refuses"));
	if (!dm || !strstr(dm, "hvmdm"))
		json_array_append_new(why, json_string(
			dm ? "its device_model_override names another device model"
			   : "it names no device_model_override, so xl would start the stock qemu-xen"));
	return why;
}

static json_t *xl_info_json(const struct xlsave_info *x)
{
	json_t *recs = json_array(), *params = json_object(), *o;

	for (unsigned int i = 0; i < x->nr_records; i++)
		json_array_append_new(recs, json_pack("{s:I,s:s,s:I}", "offset", (json_int_t)x->records[i].offset,
						      "type", xlsave_record_name(x->records[i].type),
						      "length", (json_int_t)x->records[i].length));
	for (unsigned int i = 0; i < x->nr_params; i++) {
		char key[32];
		const char *name = xlsave_param_name(x->params[i].index);

		if (!name) {
			snprintf(key, sizeof(key), "%llu", (unsigned long long)x->params[i].index);
			name = key;
		}
		json_object_set_new(params, name, json_integer((json_int_t)x->params[i].value));
	}
	o = json_pack("{s:I,s:I,s:I,s:b}", "mandatory_flags", (json_int_t)x->mandatory_flags,
		      "optional_flags", (json_int_t)x->optional_flags, "optional_data_length",
		      (json_int_t)x->optional_data_len, "legacy_v1", x->legacy_v1);
	json_object_set_new(o, "libxl", json_pack("{s:I,s:I,s:I,s:b,s:o}", "offset", (json_int_t)x->libxl_offset,
						  "version", (json_int_t)x->libxl_version, "options",
						  (json_int_t)x->libxl_options, "converted_from_legacy",
						  (x->libxl_options & 2) != 0, "records", recs));
	if (x->have_libxc)
		json_object_set_new(o, "libxc", json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "offset", (json_int_t)x->libxc_offset,
			"version", (json_int_t)x->libxc_version, "xen_major", (json_int_t)x->xen_major,
			"xen_minor", (json_int_t)x->xen_minor, "pages", (json_int_t)x->pages,
			"page_entries", (json_int_t)x->page_entries, "max_pfn", (json_int_t)x->max_pfn_seen,
			"records", (json_int_t)x->nr_libxc_records, "hvm_context_length",
			(json_int_t)x->hvm_context_len, "hvm_params", params));
	else
		json_decref(params);
	if (x->xenstore) {
		json_t *xs = json_object();

		for (size_t pos = 0; pos < x->xenstore_len;) {
			const char *k = (const char *)x->xenstore + pos;
			const char *v = k + strlen(k) + 1;

			json_object_set_new(xs, k, json_string(v));
			pos = (size_t)(v + strlen(v) + 1 - (const char *)x->xenstore);
		}
		json_object_set_new(o, "emulator_xenstore", xs);
	}
	return o;
}

/*
 * A whole `xl save` file: xl's header and config, libxl's and libxc's
 * streams summarised, the device model's blob decoded, and whether this
 * hvmdm restores it (and with which config).
 */
static int inspect_xl_save(const char *path, bool as_json)
{
	struct xlsave_info x;
	char err[512];
	FILE *f = fopen(path, "rb");
	json_t *root, *cfg = NULL, *emu = NULL, *why_not = json_array(), *cfg_why;
	int status = 0, rc;

	if (!f) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	rc = xlsave_read(f, &x, err, sizeof(err));
	fclose(f);
	root = json_pack("{s:s}", "format", "xl save file");
	json_object_set_new(root, "xl", xl_info_json(&x));
	if (x.config) {
		json_error_t jerr;

		cfg = json_loads(x.config, 0, &jerr);
		if (!cfg)
			json_array_append_new(why_not, json_sprintf("its JSON config does not parse: %s (line %d)",
								    jerr.text, jerr.line));
		else
			json_object_set(root, "config", cfg);
	}
	if (rc) {
		json_object_set_new(root, "error", json_string(err));
		json_array_append_new(why_not, json_sprintf("the file is refused: %s", err));
		status = EXIT_REFUSED;
	} else if (x.legacy_v1) {
		json_array_append_new(why_not, json_string(
			"a legacy (Xen 4.5 or older) stream: libxl converts it with convert-legacy-stream while "
			"restoring, but hvmdm-stream reads only the v2 streams Xen 4.6 and later write"));
	} else if (!x.have_emulator) {
		json_array_append_new(why_not, json_string("it holds no device model state (no EMULATOR_CONTEXT)"));
		status = EXIT_REFUSED;
	} else {
		emu = json_pack("{s:I,s:s,s:I,s:I,s:I}", "id", (json_int_t)x.emulator_id, "id_name",
				xlsave_emulator_name(x.emulator_id), "index", (json_int_t)x.emulator_index,
				"offset", (json_int_t)x.emulator_offset, "length", (json_int_t)x.emulator_len);
		if (inspect_blob(x.emulator, x.emulator_len, emu)) {
			json_array_append_new(why_not, json_sprintf("its device model state is refused: %s",
								    jstr(emu, "error", "?")));
			status = EXIT_REFUSED;
		} else if (json_array_size(json_object_get(emu, "not_emulated"))) {
			json_array_append_new(why_not, json_string(
				"its device model state holds devices hvmdm does not emulate (not_emulated)"));
		}
		if (x.nr_emulators > 1)
			json_array_append_new(why_not, json_sprintf("it holds %u device models' state; hvmdm is one",
								    x.nr_emulators));
		json_object_set_new(root, "emulator", emu);
	}
	cfg_why = config_reasons(cfg);
	json_object_set_new(root, "restore", json_pack("{s:b,s:O,s:O}", "on_hvmdm", json_array_size(why_not) == 0,
							"why_not", why_not, "config_needs_replacing", cfg_why));
	if (as_json) {
		json_dumpf(root, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		json_t *b = json_object_get(cfg, "b_info"), *r;
		size_t i;

		printf("%s: xl save file (%s%s)\n", path,
		       x.mandatory_flags & XLSAVE_FLAG_JSON ? "JSON config, " : "no config, ",
		       x.legacy_v1 ? "legacy v1 stream" : "libxl stream v2");
		if (cfg)
			printf("  guest \"%s\" (uuid %s): %lld MiB, %lld vCPU(s), device model %s%s%s\n",
			       jstr(json_object_get(cfg, "c_info"), "name", "?"),
			       jstr(json_object_get(cfg, "c_info"), "uuid", "?"),
			       (long long)json_integer_value(json_object_get(b, "target_memkb")) / 1024,
			       (long long)json_integer_value(json_object_get(b, "max_vcpus")),
			       jstr(b, "device_model_version", "default"), jstr(b, "device_model", NULL) ? " at " : "",
			       jstr(b, "device_model", ""));
		if (!x.legacy_v1 && x.nr_records)
			printf("  libxl stream v%u at byte %llu%s\n", x.libxl_version,
			       (unsigned long long)x.libxl_offset,
			       x.libxl_options & 2 ? " (converted from a legacy stream)" : "");
		for (unsigned int k = 0; k < x.nr_records; k++)
			printf("    @%-10llu %-24s %10u bytes\n", (unsigned long long)x.records[k].offset,
			       xlsave_record_name(x.records[k].type), x.records[k].length);
		if (x.have_libxc) {
			printf("  libxc stream v%u: x86 HVM guest from Xen %u.%u%s, %llu pages of memory (highest frame %#llx), HVM context %u bytes\n",
			       x.libxc_version, x.xen_major, x.xen_minor, x.xen_major ? "" : " (converted)",
			       (unsigned long long)x.pages, (unsigned long long)x.max_pfn_seen, x.hvm_context_len);
			printf("    HVM params:");
			for (unsigned int k = 0; k < x.nr_params; k++) {
				const char *n = xlsave_param_name(x.params[k].index);

				if (n)
					printf(" %s=%#llx", n, (unsigned long long)x.params[k].value);
				else
					printf(" %llu=%#llx", (unsigned long long)x.params[k].index,
					       (unsigned long long)x.params[k].value);
			}
			putchar('\n');
		}
		if (emu) {
			printf("  device model state: %zu bytes at byte %llu, libxl's emulator id %u (%s): %s stream, machine %s\n",
			       x.emulator_len, (unsigned long long)x.emulator_offset, x.emulator_id,
			       xlsave_emulator_name(x.emulator_id), jstr(emu, "format", "unknown"), jstr(emu, "profile", "?"));
			print_blob(emu, "  ", false);
		}
		if (json_object_get(root, "error"))
			printf("refused: %s\n", jstr(root, "error", ""));
		if (!json_array_size(why_not)) {
			printf("restores on this hvmdm: yes");
			if (json_array_size(cfg_why)) {
				printf(", with a new config (hvmdm-stream xl-config %s > NEW.cfg; xl restore NEW.cfg %s), because the saved one:\n",
				       path, path);
				json_array_foreach(cfg_why, i, r)
					printf("  - %s\n", json_string_value(r));
			} else {
				printf(", with the config it carries (xl restore %s)\n", path);
			}
		} else {
			printf("restores on this hvmdm: no, because\n");
			json_array_foreach(why_not, i, r)
				printf("  - %s\n", json_string_value(r));
		}
	}
	json_decref(why_not);
	json_decref(cfg_why);
	json_decref(cfg);
	json_decref(root);
	xlsave_free(&x);
	return status;
}

static int cmd_inspect(const char *path, bool as_json)
{
	size_t len;
	uint8_t *buf;
	json_t *root;
	int status;

	if (file_is_xl_save(path))
		return inspect_xl_save(path, as_json);
	buf = read_file(path, &len);
	if (!buf)
		return EXIT_USAGE;
	root = json_object();
	status = inspect_blob(buf, len, root);
	if (as_json) {
		json_dumpf(root, stdout, JSON_INDENT(1) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		printf("%s: %s stream, machine %s\n", path, jstr(root, "format", "unknown"),
		       jstr(root, "profile", "?"));
		print_blob(root, "", true);
	}
	json_decref(root);
	free(buf);
	return status;
}

/* hvmdm beside this hvmdm-stream: installed (../libexec/hvmdm/hvmdm) or in the build tree. */
static void default_dm_path(char *out, size_t len)
{
	char self[PATH_MAX], cand[PATH_MAX + 32], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	static const char *const rel[] = { "/../libexec/hvmdm/hvmdm", "/hvmdm" };

	snprintf(out, len, "/usr/libexec/hvmdm/hvmdm");
	if (n <= 0)
		return;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = 0;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char real[PATH_MAX];

		snprintf(cand, sizeof(cand), "%s%s", self, rel[i]);
		if (access(cand, X_OK) == 0 && realpath(cand, real)) {
			snprintf(out, len, "%s", real);
			return;
		}
	}
}

/*
 * The config for `xl restore NEW.cfg FILE` that brings a saved guest back on
 * hvmdm (state/xlsave_config.c), after checking hvmdm restores the state.
 */
static int cmd_xl_config(const char *path, const char *dm)
{
	struct xlsave_info x;
	struct rescue_facts facts = { .source = path };
	char err[512], dm_path[PATH_MAX];
	FILE *f = fopen(path, "rb");
	json_t *cfg, *emu;
	json_error_t jerr;
	int status = EXIT_REFUSED;

	if (!f) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (dm) {
		snprintf(dm_path, sizeof(dm_path), "%s", dm);
	} else {
		default_dm_path(dm_path, sizeof(dm_path));
	}
	if (dm_path[0] != '/') {
		fprintf(stderr, "hvmdm-stream: --dm %s: xl wants an absolute path\n", dm_path);
		fclose(f);
		return EXIT_USAGE;
	}
	facts.dm_path = dm_path;
	if (xlsave_read(f, &x, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: refused: %s\n", path, err);
		fclose(f);
		xlsave_free(&x);
		return EXIT_REFUSED;
	}
	fclose(f);
	if (x.legacy_v1 || !x.config) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", path,
			x.legacy_v1 ? "a legacy (Xen 4.5 or older) stream: its config is not in a form this command reads"
				    : "the file carries no config to start from");
		xlsave_free(&x);
		return EXIT_REFUSED;
	}
	if (!x.have_emulator) {
		fprintf(stderr, "hvmdm-stream: %s: no device model state in the file\n", path);
		xlsave_free(&x);
		return EXIT_REFUSED;
	}
	emu = json_object();
	if (inspect_blob(x.emulator, x.emulator_len, emu)) {
		fprintf(stderr, "hvmdm-stream: %s: hvmdm cannot restore its device model state: %s\n", path,
			jstr(emu, "error", "?"));
	} else if (json_array_size(json_object_get(emu, "not_emulated"))) {
		fprintf(stderr, "hvmdm-stream: %s: its device model state holds devices hvmdm does not emulate: %s\n",
			path, json_string_value(json_array_get(json_object_get(emu, "not_emulated"), 0)));
	} else if (!(cfg = json_loads(x.config, 0, &jerr))) {
		fprintf(stderr, "hvmdm-stream: %s: its config does not parse: %s (line %d)\n", path, jerr.text,
			jerr.line);
	} else {
		const char *key;
		json_t *dev;

		json_object_foreach(json_object_get(emu, "state"), key, dev)
			if (json_is_integer(json_object_get(dev, "vram_size")))
				facts.vram_bytes = (uint32_t)json_integer_value(json_object_get(dev, "vram_size"));
		facts.saved_by = !strcmp(jstr(emu, "profile", ""), "xenfv-trad") ? "qemu-xen-traditional"
				 : !strcmp(jstr(emu, "format", ""), "hvmdm")	   ? "hvmdm"
										   : "qemu-xen";
		if (xlsave_rescue_config(cfg, &facts, stdout, err, sizeof(err)))
			fprintf(stderr, "hvmdm-stream: %s: %s\n", path, err);
		else
			status = 0;
		json_decref(cfg);
	}
	json_decref(emu);
	xlsave_free(&x);
	return status;
}

/* What convert writes: hvmdm's own stream, qemu-xen-traditional's file, upstream QEMU's stream. */
enum convert_to { TO_HVMDM, TO_TRAD, TO_QEMU };

static const char *const convert_format[] = {
	[TO_HVMDM] = "hvmdm",
	[TO_TRAD] = "qemu-xen-traditional QEVM 3",
	[TO_QEMU] = "upstream QEMU (qemu-xen) QEVM 3",
};

/*
 * Decode any stream hvmdm reads and write it into w as a native stream, a
 * qemu-xen-traditional file or upstream QEMU's stream: what loading the
 * original gives, loading the converted stream gives too, but for what the
 * notes name. Notes go to stdout, named by `in`; 0, or EXIT_REFUSED with
 * the reason on stderr.
 */
static int convert_blob(const uint8_t *buf, size_t len, enum convert_to to, const char *in, struct wbuf *w,
			char *machine, size_t machine_len)
{
	struct accel_none accel;
	struct machine m;
	struct machine_state *st = malloc(sizeof(*st)); /* tens of KiB: not on the stack */
	struct load_report rep, wrep;
	char err[512];
	int status = EXIT_REFUSED, rc;

	if (!st)
		return EXIT_USAGE;
	if (scratch_machine(buf, len, &accel, &m, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", in, err);
		free(st);
		return EXIT_REFUSED;
	}
	memset(&wrep, 0, sizeof(wrep));
	if (snapshot_decode(&m, buf, len, st, &rep, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: refused: %s\n", in, err);
	} else if (rep.nr_foreign) {
		fprintf(stderr, "hvmdm-stream: %s: holds state of devices hvmdm does not emulate yet (%s%s); not converted\n",
			in, rep.foreign[0], rep.nr_foreign > 1 ? ", ..." : "");
	} else if (to == TO_TRAD && qevm_write_trad(&m, st, w, &wrep, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s: cannot be written for qemu-xen-traditional: %s\n", in, err);
	} else if (to == TO_QEMU && (rc = upstream_write(&m, st, w, &wrep, err, sizeof(err)))) {
		fprintf(stderr, "hvmdm-stream: %s: cannot be written for upstream QEMU (qemu-xen): %s\n", in, err);
		if (rc == -2)
			status = EXIT_NOT_BUILT;
	} else if (to == TO_HVMDM && snapshot_write_state(&m, st, w, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s\n", err);
		status = EXIT_USAGE;
	} else {
		for (unsigned int i = 0; i < rep.nr_notes; i++)
			printf("%s: note: %s\n", in, rep.notes[i]);
		for (unsigned int i = 0; i < wrep.nr_notes; i++)
			printf("%s: not kept by %s: %s\n", in,
			       to == TO_TRAD ? "the traditional layout" : "upstream QEMU's layout", wrep.notes[i]);
		snprintf(machine, machine_len, "%s", profile_name(m.cfg.profile));
		status = 0;
	}
	machine_destroy(&m);
	free(st);
	return status;
}

static void put_le32_at(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Copy n bytes from f to fd, or -1 with err. */
static int copy_bytes(FILE *f, int fd, uint64_t n, char *err, size_t errlen)
{
	uint8_t chunk[65536];

	while (n) {
		size_t want = n > sizeof(chunk) ? sizeof(chunk) : (size_t)n;

		if (fread(chunk, 1, want, f) != want) {
			snprintf(err, errlen, "the input changed or ended while being copied");
			return -1;
		}
		if (stream_write_fd(fd, chunk, want, err, errlen))
			return -1;
		n -= want;
	}
	return 0;
}

/*
 * A whole xl save file: its emulator record's blob converted, everything
 * else copied byte for byte (the file read twice: checked whole first, then
 * copied). The new record says which device model reads it: 1 for
 * qemu-xen-traditional, 2 (qemu-xen's) for hvmdm's own stream and QEMU's.
 */
static int convert_xl_save(const char *in, const char *out, enum convert_to to)
{
	struct xlsave_info x;
	struct out_file of;
	struct wbuf w;
	char err[512], machine[32] = "?";
	FILE *f = fopen(in, "rb");
	uint64_t rec_at, rec_end;
	uint8_t hdr[16], pad[8] = { 0 };
	int status;

	if (!f) {
		fprintf(stderr, "hvmdm-stream: %s: %s\n", in, strerror(errno));
		return EXIT_USAGE;
	}
	err[0] = 0;
	if (xlsave_read(f, &x, err, sizeof(err)) || x.legacy_v1 || !x.have_emulator || x.nr_emulators != 1) {
		fprintf(stderr, "hvmdm-stream: %s: refused: %s\n", in,
			err[0] ? err
			: x.legacy_v1 ? "a legacy (Xen 4.5 or older) stream"
			: !x.have_emulator ? "no device model state in it"
					   : "more than one device model's state in it");
		fclose(f);
		xlsave_free(&x);
		return EXIT_REFUSED;
	}
	wbuf_init(&w, STREAM_MAX_SIZE);
	status = convert_blob(x.emulator, x.emulator_len, to, in, &w, machine, sizeof(machine));
	if (!status && w.failed) {
		fprintf(stderr, "hvmdm-stream: %s: the converted state is over %u bytes\n", in, STREAM_MAX_SIZE);
		status = EXIT_REFUSED;
	}
	rec_at = x.emulator_offset - 16;
	rec_end = x.emulator_offset + ((x.emulator_len + 8 + 7) & ~(uint64_t)7) - 8;
	if (!status && (w.len + 8 > UINT32_MAX || out_file_begin(&of, out, err, sizeof(err)))) {
		fprintf(stderr, "hvmdm-stream: %s\n", w.len + 8 > UINT32_MAX ? "converted state too large" : err);
		status = EXIT_USAGE;
	} else if (!status) {
		uint32_t len = (uint32_t)w.len + 8;
		uint32_t id = to == TO_TRAD ? 1 : 2;

		/* EMULATOR_CONTEXT, little-endian as libxl wrote it on x86 */
		put_le32_at(hdr, LIBXL_REC_EMULATOR_CONTEXT);
		put_le32_at(hdr + 4, len);
		put_le32_at(hdr + 8, id);
		put_le32_at(hdr + 12, x.emulator_index);
		rewind(f);
		if (copy_bytes(f, of.fd, rec_at, err, sizeof(err)) || stream_write_fd(of.fd, hdr, 16, err, sizeof(err)) ||
		    stream_write_fd(of.fd, w.data, w.len, err, sizeof(err)) ||
		    stream_write_fd(of.fd, pad, (8 - (len & 7)) & 7, err, sizeof(err)) ||
		    fseeko(f, (off_t)rec_end, SEEK_SET) ||
		    copy_bytes(f, of.fd, x.file_size - rec_end, err, sizeof(err)) || out_file_commit(&of, err, sizeof(err))) {
			if (of.fd >= 0)
				out_file_abort(&of);
			fprintf(stderr, "hvmdm-stream: %s: %s\n", out, err[0] ? err : strerror(errno));
			status = EXIT_USAGE;
		} else {
			printf("%s -> %s: device model state %zu -> %zu bytes, %s, machine %s; the rest copied as it was\n", in,
			       out, x.emulator_len, w.len, convert_format[to], machine);
		}
	}
	wbuf_free(&w);
	fclose(f);
	xlsave_free(&x);
	return status;
}

/* Any stream hvmdm reads, or a whole xl save file, converted. */
static int cmd_convert(const char *in, const char *out, enum convert_to to)
{
	struct wbuf w;
	char err[512], machine[32] = "?";
	size_t len;
	uint8_t *buf;
	int status;

	if (file_is_xl_save(in))
		return convert_xl_save(in, out, to);
	buf = read_file(in, &len);
	if (!buf)
		return EXIT_USAGE;
	wbuf_init(&w, STREAM_MAX_SIZE);
	status = convert_blob(buf, len, to, in, &w, machine, sizeof(machine));
	if (!status && stream_write_file(out, w.data, w.len, err, sizeof(err))) {
		fprintf(stderr, "hvmdm-stream: %s\n", err);
		status = EXIT_USAGE;
	} else if (!status) {
		printf("%s -> %s: %zu bytes, %s, machine %s\n", in, out, w.len, convert_format[to], machine);
	}
	wbuf_free(&w);
	free(buf);
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
	if ((argc == 3 || (argc == 5 && !strcmp(argv[3], "--dm"))) && !strcmp(argv[1], "xl-config"))
		return cmd_xl_config(argv[2], argc == 5 ? argv[4] : NULL);
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
		return cmd_convert(argv[2], argv[3], TO_HVMDM);
	if (argc == 6 && !strcmp(argv[1], "convert") && !strcmp(argv[2], "--to")) {
		if (!strcmp(argv[3], "hvmdm"))
			return cmd_convert(argv[4], argv[5], TO_HVMDM);
		if (!strcmp(argv[3], "qemu-trad"))
			return cmd_convert(argv[4], argv[5], TO_TRAD);
		if (!strcmp(argv[3], "qemu"))
			return cmd_convert(argv[4], argv[5], TO_QEMU);
		fprintf(stderr, "hvmdm-stream: convert --to %s: formats are hvmdm (the default), qemu-trad and qemu\n",
			argv[3]);
		return EXIT_USAGE;
	}
	usage(stderr);
	return EXIT_USAGE;
}
