// SPDX-License-Identifier: GPL-2.0-only
/*
 * The record registry's lookups, the errata list, and the probe state whose
 * encoding fingerprints each written layout (state/schema.txt). The kinds
 * themselves live one device per file in state/dev/ (list: state/dev/all.c).
 */
#include "codec.h"
#include "registry.h"
#include "vm_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct erratum errata[] = {
	{ "xs-6.0-6.2-piix4acpi", "piix4acpi", 2, 1,
	  "XenServer 6.0 (Boston) - 6.2 (Clearwater) qemu-trad: a partial revert kept the version-2 number but wrote version-1 content (xenserver/qemu-trad.pg fix-migrate-from-Boston-thru-Clearwater.patch)",
	  "framed: payload of 278 bytes (PCI common part + be16) instead of 282; unframed traditional streams: the 4 bytes after pm1_control are not 0x1f40/0xb000 followed by a section header or EOF" },
};

const size_t nr_errata = sizeof(errata) / sizeof(errata[0]);

const struct record_kind *record_kind_find_in(const struct record_kind *table, size_t n,
					      const char *idstr)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].idstr, idstr))
			return &table[i];
	return NULL;
}

unsigned int record_kind_count(const struct record_kind *k, const struct machine *m)
{
	uint32_t *inst;
	unsigned int n;

	if (!k->instances)
		return 0;
	inst = calloc(record_kind_max_instances(k), sizeof(*inst));
	n = inst ? k->instances(m, inst) : 0;
	free(inst);
	return n;
}

int record_kinds_by_place(unsigned int (*place)(const struct record_kind *k),
			  int (*fn)(const struct record_kind *k, void *opaque), void *opaque)
{
	unsigned int last = 0;

	for (;;) {
		unsigned int next = 0;
		int rc;

		for (size_t i = 0; i < nr_record_kinds; i++) {
			unsigned int p = place(record_kinds[i]);

			if (p > last && (!next || p < next))
				next = p;
		}
		if (!next)
			return 0;
		last = next;
		for (size_t i = 0; i < nr_record_kinds; i++)
			if (place(record_kinds[i]) == next && (rc = fn(record_kinds[i], opaque)))
				return rc;
	}
}

const struct record_kind *record_kind_find(const char *idstr)
{
	for (size_t i = 0; i < nr_record_kinds; i++)
		if (!strcmp(record_kinds[i]->idstr, idstr))
			return record_kinds[i];
	return NULL;
}

size_t record_kind_index(const struct record_kind *k)
{
	size_t i = 0;

	while (i < nr_record_kinds && record_kinds[i] != k)
		i++;
	return i;
}

size_t registry_nr_kinds(void)
{
	return nr_record_kinds + nr_vm_record_kinds;
}

const struct record_kind *registry_kind(size_t i)
{
	return i < nr_record_kinds ? record_kinds[i] : &vm_record_kinds[i - nr_record_kinds];
}

const struct record_kind *registry_find(const char *idstr)
{
	const struct record_kind *k = record_kind_find(idstr);

	return k ? k : vm_record_kind_find(idstr);
}

const struct record_version *record_version_find(const struct record_kind *k, uint32_t version)
{
	for (size_t i = 0; i < k->nr_versions; i++)
		if (k->versions[i].version == version)
			return &k->versions[i];
	return NULL;
}

uint32_t record_written_version(const struct record_kind *k)
{
	for (size_t i = 0; i < k->nr_versions; i++)
		if (k->versions[i].status == RV_WRITTEN)
			return k->versions[i].version;
	return 0;
}

const char *rv_status_name(enum rv_status s)
{
	switch (s) {
	case RV_WRITTEN:
		return "written";
	case RV_ACCEPTED:
		return "accepted";
	case RV_RESERVED:
		return "reserved";
	}
	return "?";
}

/* Distinct, non-default values everywhere, so any layout change shows. */
void probe_state(struct machine_state *st, uint8_t profile)
{
	memset(st, 0, sizeof(*st));
	st->profile = profile;
	st->clock_ns = 0x0102030405060708ull;
	for (size_t i = 0; i < nr_state_views; i++)
		state_views[i]->probe(st);
}

uint32_t record_fingerprint(const struct record_kind *k, uint32_t *len)
{
	struct machine_state *st;
	struct wbuf w;
	uint32_t crc;

	*len = 0;
	if (k->fingerprint)
		return k->fingerprint(len);
	if (!k->encode)
		return 0;
	st = malloc(sizeof(*st));
	if (!st)
		return 0; /* as an encoder that fails: a schema check then reports a mismatch */
	probe_state(st, PROFILE_XENFV);
	wbuf_init(&w, RECORD_MAX_PAYLOAD);
	k->encode(&w, st, 0);
	crc = w.failed ? 0 : crc32c(0, w.data, w.len);
	*len = (uint32_t)w.len;
	wbuf_free(&w);
	free(st);
	return crc;
}
