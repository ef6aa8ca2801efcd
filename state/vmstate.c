// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interpreter that sizes an upstream QEMU VMState section from its
 * description (state/vmstate.h), and the PCIDevice part every PCI function's
 * description nests. The descriptions themselves live with their devices: a
 * record kind's in its state/dev file (record_kind.upstream), the sections
 * hvmdm does not decode in state/dev/upstream_others.c. Each was written from
 * QEMU 7.2's sources (Debian 12 source package qemu 1:7.2+dfsg-7+deb12u18;
 * the file is named at each group) and checked against real streams: the
 * qemu-xen capture in tests/streams/qemu-xen/ and the two QEMU 7.2 TCG
 * samples of reference/samples/, whose every section they size to the byte.
 * Sizes: VMSTATE_UINT8 1, UINT16 2, (U)INT32 4, (U)INT64 and TIMER_PTR 8,
 * BOOL 1, UINTTL the target's long; all big-endian.
 */
#include "vmstate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------ PCIDevice (hw/pci/pci.c) */

/* INT32_POSITIVE_LE version_id, config[256] (conventional), irq_state be32[4] (v2). */
static const struct vmf pci_f[] = { VM_F(4, 1), VM_F(1, 256), VM_FV(4, 4, 2) };
const struct vmd vmd_pci_device = { "PCIDevice", 2, 1, pci_f, VM_NELEMS(pci_f), NULL, 0, NULL };

/* ------------------------------------------------ the interpreter */

#define MAX_FIELDS 64

struct walk {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	unsigned int tl; /* target long: 4 or 8 */
	char *err;
	size_t errlen;
};

static int fail(struct walk *w, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct walk *w, size_t at, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->errlen, "byte %zu: %s", at, what);
	return -1;
}

static int need(struct walk *w, uint64_t n, const struct vmd *d)
{
	if (n <= w->len - w->pos)
		return 0;
	return fail(w, w->pos, "the payload ends inside %s (the stream is truncated or the layout is not this one)",
		    d->name);
}

static uint64_t be_at(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int walk(struct walk *w, const struct vmd *d, uint32_t version);

static int walk_subsections(struct walk *w, const struct vmd *d)
{
	size_t prefix = strlen(d->name);

	while (w->pos < w->len && w->buf[w->pos] == 0x05) {
		size_t at = w->pos;
		const struct vmd *s = NULL;
		char name[256];
		uint32_t sv;
		uint8_t n;

		if (w->len - at < 2)
			return fail(w, at, "a subsection header is cut short");
		n = w->buf[at + 1];
		if (w->len - at < 2u + n + 4)
			return fail(w, at, "a subsection header is cut short");
		memcpy(name, w->buf + at + 2, n);
		name[n] = '\0';
		if (strlen(name) != n)
			return fail(w, at, "a subsection name holds a NUL byte");
		/* QEMU: a name that does not start with ours belongs to an enclosing description. */
		if (n < prefix || memcmp(name, d->name, prefix))
			return 0;
		for (size_t i = 0; i < d->nr_subs; i++)
			if (!strcmp(d->subs[i]->name, name))
				s = d->subs[i];
		if (!s)
			return fail(w, at, "subsection \"%s\" of %s is not one QEMU 7.2 writes; the section cannot be sized",
				    name, d->name);
		if (s->unsupported)
			return fail(w, at, "subsection \"%s\" is not read: %s", name, s->unsupported);
		sv = (uint32_t)be_at(w->buf + at + 2 + n, 4);
		if (sv > s->version || sv < s->min_version)
			return fail(w, at, "subsection \"%s\" has version %u, which this build does not size",
				    name, sv);
		w->pos = at + 2u + n + 4;
		if (walk(w, s, sv))
			return -1;
	}
	return 0;
}

static int walk(struct walk *w, const struct vmd *d, uint32_t version)
{
	uint64_t vals[MAX_FIELDS];

	if (d->unsupported)
		return fail(w, w->pos, "%s is not read: %s", d->name, d->unsupported);
	for (size_t i = 0; i < d->nr_fields && i < MAX_FIELDS; i++) {
		const struct vmf *f = &d->fields[i];
		uint64_t count = f->count, n;
		size_t at = w->pos;

		vals[i] = 0;
		if (f->since > version || ((f->flags & VMF_ONLY_V1) && version != 1) ||
		    ((f->flags & VMF_X86_64) && w->tl != 8))
			continue;
		if (f->flags & VMF_PER_REG)
			count *= w->tl == 8 ? 16 : 8;
		switch (f->kind) {
		case VMF_BYTES:
		case VMF_TL:
			n = (f->kind == VMF_TL ? w->tl : f->size) * count;
			if (need(w, n, d))
				return -1;
			if (n <= 8)
				vals[i] = be_at(w->buf + at, (unsigned int)n);
			w->pos += n;
			break;
		case VMF_STRUCT:
			for (uint64_t k = 0; k < count; k++)
				if (walk(w, f->sub, f->sub->version))
					return -1;
			break;
		case VMF_VARRAY: {
			uint64_t c = vals[f->ref];
			if (c > f->count)
				return fail(w, at, "%s: element count %llu (at most %u)", d->name,
					    (unsigned long long)c, f->count);
			if (f->sub) {
				for (uint64_t k = 0; k < c; k++)
					if (walk(w, f->sub, f->sub->version))
						return -1;
			} else {
				if (need(w, c * f->size, d))
					return -1;
				w->pos += c * f->size;
			}
			break;
		}
		case VMF_IF_SET:
			if (vals[f->ref]) {
				if (need(w, f->size, d))
					return -1;
				w->pos += f->size;
			}
			break;
		}
	}
	return walk_subsections(w, d);
}

long vm_payload_size(const struct vm_layout *l, uint32_t version, const uint8_t *buf, size_t len,
		     size_t pos, char *err, size_t errlen)
{
	struct walk w = { .buf = buf, .len = len, .pos = pos, .tl = l->target_long ? l->target_long : 4,
			  .err = err, .errlen = errlen };

	if (version > l->d->version || version < l->d->min_version) {
		snprintf(err, errlen, "byte %zu: %s version %u is outside what this build reads (%u-%u)",
			 pos, l->name, version, l->d->min_version, l->d->version);
		return -1;
	}
	if (walk(&w, l->d, version))
		return -1;
	return (long)(w.pos - pos);
}
