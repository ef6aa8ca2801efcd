// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing device state as upstream QEMU (qemu-xen) saves it, so a guest
 * running on hvmdm can go back to the stock device model: the QEVM 3 frame
 * QEMU 7.2's xen-save-devices-state writes on the xenfv machine (no
 * configuration section, no footers, no vmdesc; reference/02 §2.1-2.2, the
 * real capture tests/streams/qemu-xen/), its sections in QEMU's order and
 * named as QEMU names them ("0000:00:01.1/ide" for a PCI function).
 *
 * Each record kind writes its own sections (`.upstream.write` in its
 * state/dev/ file); this file is the frame, the order, and the refusal of
 * a machine with a device whose section is not built. QEMU's loader keeps
 * its own state for devices the stream leaves out; hvmdm writes every
 * device it emulates, or refuses.
 */
#include "upstream.h"

#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "qevm.h"
#include "stream.h"

struct up_writer {
	struct wbuf *w;
	struct wbuf p; /* the payload being built */
	uint32_t next_id;
};

struct wbuf *up_payload(struct up_writer *t)
{
	return &t->p;
}

void up_section(struct up_writer *t, const char *path, const char *name, uint32_t instance,
		uint32_t version)
{
	char id[256];
	size_t n;

	snprintf(id, sizeof(id), "%s%s%s", path ? path : "", path ? "/" : "", name);
	n = strlen(id);
	put_u8(t->w, 0x04); /* FULL */
	put_be32(t->w, t->next_id++);
	put_u8(t->w, (uint8_t)n);
	put_bytes(t->w, id, n);
	put_be32(t->w, instance);
	put_be32(t->w, version);
	put_bytes(t->w, t->p.data, t->p.len);
	t->p.len = 0;
}

int upstream_writable(const struct machine *m, char *err, size_t errlen)
{
	char missing[256] = "";

	if (m->cfg.profile != PROFILE_XENFV) {
		snprintf(err, errlen, "state of machine %s cannot go to upstream QEMU (qemu-xen), whose machine is xenfv",
			 profile_name(m->cfg.profile));
		return -1;
	}
	/* Every device hvmdm saves must have its QEMU section, or a reason it has none. */
	for (size_t i = 0; i < nr_record_kinds; i++) {
		const struct record_kind *k = record_kinds[i];

		if (!k->encode || k->upstream.write || k->upstream.none || !record_kind_count(k, m))
			continue;
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 missing[0] ? ", " : "", k->idstr);
	}
	if (missing[0]) {
		snprintf(err, errlen, "writing upstream QEMU's sections for %s is not built yet: this machine cannot go to the stock device model",
			 missing);
		return -2;
	}
	return 0;
}

/* What up_write_kind needs besides the kind. */
struct up_walk {
	struct up_writer *t;
	const struct machine *m;
	const struct machine_state *st;
	struct load_report *rep;
	char *err;
	size_t errlen;
};

static unsigned int up_place(const struct record_kind *k)
{
	return k->upstream.write ? k->upstream.order : 0;
}

static int up_write_kind(const struct record_kind *k, void *opaque)
{
	struct up_walk *c = opaque;

	return k->upstream.write(c->t, c->m, c->st, c->rep, c->err, c->errlen);
}

int upstream_write(const struct machine *m, const struct machine_state *st, struct wbuf *w,
		   struct load_report *rep, char *err, size_t errlen)
{
	struct up_writer t = { .w = w };
	struct up_walk walk = { &t, m, st, rep, err, errlen };
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = upstream_writable(m, err, errlen);
	if (rc)
		return rc;
	wbuf_init(&t.p, RECORD_MAX_PAYLOAD);
	put_bytes(w, QEVM_MAGIC, 4);
	put_be32(w, 3);
	/* The kinds in QEMU's order; each writes what this machine has of it. */
	rc = record_kinds_by_place(up_place, up_write_kind, &walk);
	put_u8(w, 0x00); /* QEMU_VM_EOF */
	if (!rc && (w->failed || t.p.failed)) {
		snprintf(err, errlen, "out of memory writing the upstream QEMU stream");
		rc = -1;
	}
	wbuf_free(&t.p);
	return rc;
}
