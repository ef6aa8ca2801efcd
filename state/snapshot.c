// SPDX-License-Identifier: GPL-2.0-only
#include "snapshot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"
#include "qevm.h"
#include "upstream.h"
#include "registry.h"
#include "vm_records.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.3.0-dev"
#endif

int snapshot_save(const struct machine *m, struct wbuf *out, char *err, size_t errlen)
{
	/* On the heap: the state of every device is tens of KiB (IDE's sector buffers). */
	struct machine_state *st;
	const char *unsaveable = machine_unsaveable(m);
	int rc;

	if (unsaveable) {
		snprintf(err, errlen, "device %s has no saved state yet: saving would lose it, so the machine cannot be saved with it", unsaveable);
		return -1;
	}
	st = malloc(sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory for the device state");
		return -1;
	}
	machine_save_state(m, st);
	rc = snapshot_write_state(m, st, out, err, errlen);
	free(st);
	return rc;
}

/* The instances the machine has of kind k (free() them); NULL if out of memory. */
static uint32_t *kind_instances(const struct record_kind *k, const struct machine *m,
				unsigned int *n)
{
	uint32_t *inst = calloc(record_kind_max_instances(k), sizeof(*inst));

	*n = inst ? k->instances(m, inst) : 0;
	return inst;
}

int snapshot_write_records(const struct machine *m, const struct machine_state *st,
			   struct wbuf *out)
{
	struct wbuf payload;
	bool failed = false;

	wbuf_init(&payload, RECORD_MAX_PAYLOAD);
	for (size_t k = 0; k < nr_record_kinds && !out->failed && !failed; k++) {
		const struct record_kind *kind = record_kinds[k];
		uint32_t *inst;
		unsigned int n;

		if (!kind->encode)
			continue;
		inst = kind_instances(kind, m, &n);
		failed = !inst;
		for (unsigned int i = 0; inst && i < n; i++) {
			payload.len = 0;
			kind->encode(&payload, st, i);
			if (payload.failed) {
				failed = true;
				break;
			}
			stream_write_record(out, kind->idstr, inst[i], record_written_version(kind),
					    RECORD_MANDATORY, payload.data, (uint32_t)payload.len);
		}
		free(inst);
	}
	wbuf_free(&payload);
	return failed || out->failed ? -1 : 0;
}

int snapshot_write_state(const struct machine *m, const struct machine_state *st,
			 struct wbuf *out, char *err, size_t errlen)
{
	int rc;

	stream_write_header(out, st->profile, "hvmdm", HVMDM_VERSION);
	rc = snapshot_write_records(m, st, out);
	stream_write_end(out);
	if (rc || out->failed) {
		snprintf(err, errlen, "cannot write the device state: out of memory or over %u bytes",
			 STREAM_MAX_SIZE);
		return -1;
	}
	return 0;
}

/* Which device slot a record's instance names; -1 if the machine has none. */
static int instance_slot(const struct record_kind *k, const struct machine *m, uint32_t instance,
			 uint32_t flags)
{
	unsigned int n;
	uint32_t *inst = kind_instances(k, m, &n);
	int slot = -1;

	for (unsigned int i = 0; inst && i < n && slot < 0; i++)
		if (inst[i] == instance)
			slot = (int)i;
	/* A traditional section numbered in creation order. */
	if (inst && slot < 0 && k->trad.ordinal_instances && !(flags & RECORD_UPSTREAM) && instance < n)
		slot = (int)instance;
	free(inst);
	return slot;
}

/* What the decode has seen of one (kind, instance slot). */
struct seen_slot {
	uint32_t version; /* 0: not yet */
	size_t where;     /* the record's first byte */
	const char *by;   /* its idstr (another kind's, for a covered one) */
};

/* One slot per instance every kind can have; base[k] is kind k's first. */
struct seen_table {
	struct seen_slot *slots;
	size_t *base;
};

static int seen_init(struct seen_table *t)
{
	size_t total = 0;

	t->base = calloc(nr_record_kinds, sizeof(*t->base));
	for (size_t k = 0; t->base && k < nr_record_kinds; k++) {
		t->base[k] = total;
		total += record_kind_max_instances(record_kinds[k]);
	}
	t->slots = t->base ? calloc(total, sizeof(*t->slots)) : NULL;
	return t->slots ? 0 : -1;
}

static struct seen_slot *seen_at(const struct seen_table *t, const struct record_kind *k,
				 unsigned int slot)
{
	return &t->slots[t->base[record_kind_index(k)] + slot];
}

static void seen_free(struct seen_table *t)
{
	free(t->slots);
	free(t->base);
}

void load_note(struct load_report *rep, const char *fmt, ...)
{
	va_list ap;

	if (rep->nr_notes >= LOAD_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(rep->notes[rep->nr_notes++], sizeof(rep->notes[0]), fmt, ap);
	va_end(ap);
}

/* The machine has no instance of this kind at all. */
static bool kind_absent(const struct record_kind *k, const struct machine *m)
{
	unsigned int n;
	uint32_t *inst = kind_instances(k, m, &n);

	free(inst);
	return inst && n == 0;
}

/*
 * Named as the foreign readers name the sections they cannot place
 * (state/qevm.c, upstream.c); false if that device was named already (a
 * section that appears twice).
 */
static bool foreign_device(struct load_report *rep, const struct machine *m, const struct record_kind *k,
			   const struct stream_record *rec)
{
	char what[sizeof(rep->foreign[0])];
	/* pc,accel=xen puts the display card in slot 2. */
	const char *path = m->cfg.no_platform_pci && k->upstream.alt_pci_path ? k->upstream.alt_pci_path
									       : k->upstream.pci_path;

	if ((rec->flags & RECORD_UPSTREAM) && path)
		snprintf(what, sizeof(what), "%s/%.32s", path + 5, rec->idstr);
	else if (rec->flags & RECORD_UPSTREAM)
		snprintf(what, sizeof(what), "%.47s", rec->idstr);
	else
		snprintf(what, sizeof(what), "%.32s(%#x)", rec->idstr, rec->instance);
	for (unsigned int i = 0; i < rep->nr_foreign; i++)
		if (!strcmp(rep->foreign[i], what))
			return false;
	if (rep->nr_foreign < LOAD_MAX_FOREIGN)
		snprintf(rep->foreign[rep->nr_foreign++], sizeof(rep->foreign[0]), "%s", what);
	return true;
}

/* Read every record of src into staging; 0 or -1 with err (see snapshot_decode_records). */
static int decode_records(const struct machine *m, struct record_source *src,
			  struct machine_state *staged, struct load_report *rep,
			  const struct seen_table *seen, size_t *end_offset, char *err, size_t errlen)
{
	struct stream_record rec;
	size_t last_kind = 0;
	int last_slot = -1, rc;

	for (;;) {
		const struct record_kind *kind;
		const struct record_version *ver;
		struct seen_slot *here;
		struct decode_ctx ctx;
		struct rbuf r;
		int slot;

		rc = src->next(src->ctx, &rec, rep, err, errlen);
		if (rc <= 0)
			return rc;
		*end_offset = rec.payload_offset + rec.payload_len;
		if (++rep->records > RECORD_MAX_COUNT) {
			snprintf(err, errlen, "byte %zu: more than %u records", rec.offset, RECORD_MAX_COUNT);
			return -1;
		}
		kind = record_kind_find(rec.idstr);
		if (!kind && vm_record_kind_find(rec.idstr)) {
			snprintf(err, errlen, "byte %zu: record %s belongs to a whole-VM stream (a KVM guest saved with its RAM and vCPUs): restore it with -incoming on KVM, not as device state",
				 rec.offset, rec.idstr);
			return -1;
		}
		if (!kind) {
			if (rec.flags & RECORD_MANDATORY) {
				snprintf(err, errlen, "byte %zu: record %s (instance %#x, version %u) is unknown to this build and mandatory",
					 rec.offset, rec.idstr, rec.instance, rec.version);
				return -1;
			}
			rep->skipped++;
			load_note(rep, "skipped unknown optional record %s version %u at byte %zu",
				  rec.idstr, rec.version, rec.offset);
			continue;
		}
		ver = record_version_find(kind, rec.version);
		if (!ver || !ver->decode) {
			snprintf(err, errlen, "byte %zu: record %s version %u: %s", rec.offset, rec.idstr,
				 rec.version,
				 ver ? "that number belongs to a layout this build does not decode"
				     : "no such version is known to this build");
			return -1;
		}
		slot = instance_slot(kind, m, rec.instance, rec.flags);
		/*
		 * A foreign stream's device this machine was built without (a
		 * display card, with no -device VGA): listed as not emulated, so
		 * inspect shows it and a restore refuses it by name.
		 */
		if (slot < 0 && !src->registry_order && kind_absent(kind, m)) {
			if (!foreign_device(rep, m, kind, &rec)) {
				snprintf(err, errlen, "byte %zu: record %s instance %#x appears twice", rec.offset,
					 rec.idstr, rec.instance);
				return -1;
			}
			continue;
		}
		if (slot < 0) {
			snprintf(err, errlen, "byte %zu: record %s instance %#x: this machine has no such device",
				 rec.offset, rec.idstr, rec.instance);
			return -1;
		}
		/* One canonical order (the registry's), so a reordered stream is refused. */
		if (src->registry_order &&
		    (record_kind_index(kind) < last_kind ||
		     (record_kind_index(kind) == last_kind && slot < last_slot))) {
			snprintf(err, errlen, "byte %zu: record %s instance %#x is out of order (records follow the registry order)",
				 rec.offset, rec.idstr, rec.instance);
			return -1;
		}
		here = seen_at(seen, kind, (unsigned int)slot);
		if (here->version) {
			snprintf(err, errlen, "byte %zu: record %s instance %#x appears twice", rec.offset,
				 rec.idstr, rec.instance);
			return -1;
		}
		*here = (struct seen_slot){ rec.version, rec.offset, kind->idstr };
		last_kind = record_kind_index(kind);
		last_slot = slot;
		ctx = (struct decode_ctx){ .st = staged, .m = m, .rec = &rec, .slot = (unsigned int)slot,
					   .rep = rep, .err = err, .errlen = errlen };
		rbuf_init(&r, rec.payload, rec.payload_len);
		if (ver->decode(&r, &ctx))
			return -1;
		for (size_t j = 0; j < 2 && kind->covers[j]; j++) {
			const struct record_kind *covered = record_kind_find(kind->covers[j]);

			if (covered)
				*seen_at(seen, covered, 0) = (struct seen_slot){ rec.version, rec.offset, kind->idstr };
		}
	}
}

/* Every device the machine has must have been described. */
static int check_complete(const struct machine *m, const struct seen_table *seen,
			  struct machine_state *staged, size_t end_offset, char *err, size_t errlen)
{
	for (size_t k = 0; k < nr_record_kinds; k++) {
		const struct record_kind *kind = record_kinds[k];
		unsigned int n;
		uint32_t *inst;
		int rc = 0;

		if (!kind->required)
			continue;
		inst = kind_instances(kind, m, &n);
		if (!inst) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (unsigned int i = 0; i < n && !rc; i++) {
			if (!seen_at(seen, kind, i)->version &&
			    !(kind->absent_ok && kind->absent_ok(staged, i))) {
				snprintf(err, errlen, "byte %zu: the stream has no %s record for instance %#x",
					 end_offset, kind->idstr, inst[i]);
				rc = -1;
			}
		}
		free(inst);
		if (rc)
			return -1;
	}
	return 0;
}

int snapshot_decode_records(const struct machine *m, struct record_source *src,
			    struct machine_state *staged, struct load_report *rep, char *err,
			    size_t errlen)
{
	struct seen_table seen;
	size_t end_offset = 0;
	const char *failed;
	unsigned int failed_slot;
	const struct record_kind *fk;
	char why[400];
	int rc = -1;

	if (seen_init(&seen)) {
		seen_free(&seen);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	machine_save_state(m, staged);
	if (decode_records(m, src, staged, rep, &seen, &end_offset, err, errlen) ||
	    check_complete(m, &seen, staged, end_offset, err, errlen))
		goto out;
	/* Whole-record corrections a kind makes once every record is in (traditional i8042). */
	for (size_t k = 0; k < nr_record_kinds; k++) {
		const struct record_kind *kind = record_kinds[k];

		if (kind->fixup && seen_at(&seen, kind, 0)->version)
			kind->fixup(staged, seen_at(&seen, kind, 0)->version, rep);
	}
	rc = machine_check_state(m, staged, &failed, &failed_slot, why, sizeof(why));
	if (rc == 0)
		goto out;
	fk = failed ? record_kind_find(failed) : NULL;
	if (fk && seen_at(&seen, fk, failed_slot)->version) {
		const struct seen_slot *s = seen_at(&seen, fk, failed_slot);

		/* Say which record carried the state the device refuses. */
		snprintf(err, errlen, "byte %zu: record %s version %u: %s", s->where, s->by, s->version,
			 why);
	} else {
		snprintf(err, errlen, "byte %zu: %s", end_offset, why);
	}
out:
	seen_free(&seen);
	return rc;
}

struct native_source {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

static int native_next(void *ctx, struct stream_record *rec, struct load_report *rep, char *err,
		       size_t errlen)
{
	struct native_source *n = ctx;

	(void)rep;
	return stream_read_record(n->buf, n->len, &n->pos, rec, err, errlen);
}

int snapshot_check_profile(const struct machine *m, const struct stream_header *h, char *err,
			   size_t errlen)
{
	if (h->profile == m->cfg.profile)
		return 0;
	snprintf(err, errlen, "byte 32: the stream is for machine %s; this machine is %s",
		 h->profile <= PROFILE_PC ? profile_name((enum machine_profile)h->profile) : "unknown",
		 profile_name(m->cfg.profile));
	return -1;
}

static int native_decode(const struct machine *m, const uint8_t *buf, size_t len,
			 struct machine_state *staged, struct load_report *rep, char *err,
			 size_t errlen)
{
	struct stream_header h;
	struct native_source ns;
	struct record_source src = { .next = native_next, .ctx = &ns, .registry_order = true };

	if (stream_read_header(buf, len, &h, err, errlen) || snapshot_check_profile(m, &h, err, errlen))
		return -1;
	ns = (struct native_source){ .buf = buf, .len = len, .pos = h.records_offset };
	return snapshot_decode_records(m, &src, staged, rep, err, errlen);
}

int snapshot_decode(const struct machine *m, const uint8_t *buf, size_t len,
		    struct machine_state *staged, struct load_report *rep, char *err, size_t errlen)
{
	memset(rep, 0, sizeof(*rep));
	if (qevm_is_upstream(buf, len))
		return upstream_decode(m, buf, len, staged, rep, err, errlen);
	if (len >= 4 && !memcmp(buf, "QEVM", 4))
		return qevm_decode(m, buf, len, staged, rep, err, errlen);
	return native_decode(m, buf, len, staged, rep, err, errlen);
}

int snapshot_load(struct machine *m, const uint8_t *buf, size_t len, struct load_report *rep,
		  char *err, size_t errlen)
{
	struct machine_state *staged;
	const char *unsaveable = machine_unsaveable(m);
	int rc = -1;

	if (unsaveable) {
		memset(rep, 0, sizeof(*rep));
		snprintf(err, errlen, "device %s has no saved state yet: nothing can be restored into a machine with it", unsaveable);
		return -1;
	}
	staged = malloc(sizeof(*staged));
	if (!staged) {
		memset(rep, 0, sizeof(*rep));
		snprintf(err, errlen, "out of memory for the staged device state");
		return -1;
	}
	if (snapshot_decode(m, buf, len, staged, rep, err, errlen))
		goto out;
	if (rep->nr_foreign) {
		size_t at = (size_t)snprintf(err, errlen, "the stream holds state of devices hvmdm does not emulate yet:");

		for (unsigned int i = 0; i < rep->nr_foreign && at < errlen; i++)
			at += (size_t)snprintf(err + at, errlen - at, " %s", rep->foreign[i]);
		if (at < errlen)
			snprintf(err + at, errlen - at, "; a partial restore is refused");
		goto out;
	}
	for (unsigned int i = 0; i < rep->nr_notes; i++)
		log_warn("state", "%s", rep->notes[i]);
	machine_load_state(m, staged);
	rc = 0;
out:
	free(staged);
	return rc;
}

enum machine_profile snapshot_restore_profile(enum machine_profile requested, const uint8_t *buf,
					      size_t len)
{
	char err[128];
	int p = stream_profile(buf, len, err, sizeof(err));

	if (requested == PROFILE_XENFV && p == PROFILE_XENFV_TRAD)
		return PROFILE_XENFV_TRAD;
	return requested;
}
