// SPDX-License-Identifier: GPL-2.0-only
/*
 * The upstream QEMU (qemu-xen) device-state reader. Framing after QEMU's
 * migration/savevm.c (qemu_loadvm_state and friends, reference/02 §2.1):
 * be32 "QEVM", be32 3, then SECTION_FULL (0x04) sections -- be32 section id,
 * u8 length + idstr, be32 instance, be32 version, payload, and a 0x7e + be32
 * section id footer when the producer had send-section-footer on -- then
 * EOF (0x00), optionally followed by 0x06 + be32 length + vmdesc JSON.
 * Xen's producers write no configuration section, no live sections, no
 * footers and no vmdesc; the reader accepts footers and vmdesc (QEMU's own
 * TCG/KVM device-state streams have them) and refuses the rest by name.
 *
 * PCI functions' sections are named by path ("0000:00:01.3/piix4_pm"); the
 * path must be where hvmdm's xenfv machine has that function. Sections whose
 * state Xen holds (vCPUs, LAPIC, IOAPIC, HPET, PIT, RTC) or that are QEMU's
 * own bookkeeping are sized, checked where a value can be wrong, and named in
 * one note; sections of devices hvmdm does not emulate are listed so that a
 * restore refuses them.
 */
#define _GNU_SOURCE
#include "upstream.h"

#include <stdio.h>
#include <string.h>

#include "registry.h"
#include "stream.h"
#include "vmstate.h"

#define UP_EOF 0x00
#define UP_START 0x01
#define UP_PART 0x02
#define UP_END 0x03
#define UP_FULL 0x04
#define UP_VMDESC 0x06
#define UP_CONFIGURATION 0x07
#define UP_COMMAND 0x08
#define UP_FOOTER 0x7e

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A plausible FULL/START section header at p (used to choose between layouts). */
static bool header_at(const uint8_t *buf, size_t len, size_t p)
{
	uint8_t n;

	if (p >= len || (buf[p] != UP_FULL && buf[p] != UP_START) || len - p < 6)
		return false;
	n = buf[p + 5];
	if (n == 0 || len - p < 6u + n + 8)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (buf[p + 6 + i] < 0x20 || buf[p + 6 + i] > 0x7e)
			return false;
	return true;
}

/* The EOF byte at p, closing the stream alone or with a vmdesc that ends it. */
static bool eof_at(const uint8_t *buf, size_t len, size_t p)
{
	if (p >= len || buf[p] != UP_EOF)
		return false;
	if (p + 1 == len)
		return true;
	return buf[p + 1] == UP_VMDESC && len - p >= 6 && be32_at(buf + p + 2) == len - p - 6;
}

/* After a payload ending at p: the footer (if any), then a section header or EOF. */
static bool boundary_at(const struct upstream *u, size_t p, uint32_t sid)
{
	if (u->footers != 0 && p < u->len && u->buf[p] == UP_FOOTER) {
		if (u->len - p < 5 || be32_at(u->buf + p + 1) != sid)
			return false;
		p += 5;
	}
	return eof_at(u->buf, u->len, p) || header_at(u->buf, u->len, p);
}

bool qevm_is_upstream(const uint8_t *buf, size_t len)
{
	size_t p = 8, pay;
	uint8_t n;

	if (len < 9 || memcmp(buf, "QEVM", 4) || be32_at(buf + 4) != 3)
		return false;
	if (buf[p] == UP_CONFIGURATION)
		return true;
	if (!header_at(buf, len, p))
		return false;
	n = buf[p + 5];
	if (memchr(buf + p + 6, '/', n))
		return true;
	pay = p + 6 + n + 8;
	if (n == 5 && !memcmp(buf + p + 6, "timer", 5) && be32_at(buf + pay - 4) == 2) {
		/* Traditional: 8 bytes then a header; upstream: 24 bytes (8..15 unused, zero). */
		bool trad = pay + 8 < len && (header_at(buf, len, pay + 8) ||
					      (buf[pay + 8] == UP_EOF && pay + 9 == len));
		bool up = header_at(buf, len, pay + 24) || eof_at(buf, len, pay + 24) ||
			  (pay + 29 <= len && buf[pay + 24] == UP_FOOTER);

		return up && !trad;
	}
	return false;
}

int upstream_open(struct upstream *u, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	*u = (struct upstream){ .buf = buf, .len = len, .pos = 8, .footers = -1 };
	if (len < 8 || memcmp(buf, "QEVM", 4)) {
		snprintf(err, errlen, "byte 0: not a QEVM stream");
		return -1;
	}
	if (be32_at(buf + 4) != 3) {
		snprintf(err, errlen, "byte 4: QEVM file version %u (upstream QEMU writes and reads 3)",
			 be32_at(buf + 4));
		return -1;
	}
	if (len > STREAM_MAX_SIZE) {
		snprintf(err, errlen, "stream is %zu bytes, over the cap", len);
		return -1;
	}
	return 0;
}

static void held(struct upstream *u, const char *what)
{
	size_t at = strlen(u->held);

	if (at + strlen(what) + 3 < sizeof(u->held))
		snprintf(u->held + at, sizeof(u->held) - at, "%s%s", at ? ", " : "", what);
}

static void add_foreign(struct load_report *rep, const char *name)
{
	for (unsigned int i = 0; i < rep->nr_foreign; i++)
		if (!strcmp(rep->foreign[i], name))
			return;
	if (rep->nr_foreign < LOAD_MAX_FOREIGN)
		snprintf(rep->foreign[rep->nr_foreign++], sizeof(rep->foreign[0]), "%.47s", name);
}

/* Xen's state or QEMU's own: checked, then named in one note. */
static int held_section(struct upstream *u, const struct vm_layout *l, const char *name,
			uint32_t instance, size_t n, char *err, size_t errlen)
{
	char what[64];

	if (l->check && l->check(u->buf + u->pos, n, instance, u->pos, err, errlen))
		return -1;
	if (l->note) {
		if (!l->note(instance, u->target_long, what, sizeof(what)))
			return 0;
	} else if (instance) {
		snprintf(what, sizeof(what), "%.40s#%u", name, instance);
	} else {
		snprintf(what, sizeof(what), "%.40s", name);
	}
	held(u, what);
	return 0;
}

static int fail_at(char *err, size_t errlen, size_t at, const char *what)
{
	snprintf(err, errlen, "byte %zu: %s", at, what);
	return -1;
}

/* Pick the one layout of `name` that sizes this payload; its length or -1. */
static long size_section(struct upstream *u, const struct vm_layout *l, size_t nl, const char *name,
			 uint32_t sid, uint32_t version, size_t *variant, char *err, size_t errlen)
{
	size_t fits = 0;
	long size = -1, s;
	char first_err[300] = "";

	for (size_t i = 0; i < nl; i++) {
		char e[300];

		if (l[i].target_long && u->target_long && l[i].target_long != u->target_long)
			continue;
		s = vm_payload_size(&l[i], version, u->buf, u->len, u->pos, e, sizeof(e));
		if (s < 0 || (nl > 1 && !boundary_at(u, u->pos + (size_t)s, sid))) {
			if (!first_err[0])
				snprintf(first_err, sizeof(first_err), "%s",
					 s < 0 ? e : "no section header or EOF follows the payload");
			continue;
		}
		fits++;
		size = s;
		*variant = i;
	}
	if (fits == 1) {
		if (l[*variant].target_long)
			u->target_long = l[*variant].target_long;
		return size;
	}
	if (fits > 1)
		snprintf(err, errlen, "more than one layout of %s fits this payload", name);
	else
		snprintf(err, errlen, "%s", first_err[0] ? first_err : "no layout applies");
	return -1;
}

int upstream_next(void *ctx, struct stream_record *rec, struct load_report *rep, char *err,
		  size_t errlen)
{
	struct upstream *u = ctx;

	while (!u->done) {
		const struct record_kind *kind;
		const struct vm_layout *layouts;
		size_t at = u->pos, variant = 0, nl;
		enum vm_role role;
		uint32_t sid, instance, version, path_inst = 0;
		char idstr[256], why[400];
		const char *name, *path = NULL, *why_path = "";
		uint8_t type, n;
		long size;

		if (at >= u->len)
			return fail_at(err, errlen, at, "the stream ends without the EOF byte");
		type = u->buf[at];
		if (type == UP_EOF) {
			u->pos++;
			u->done = true;
			if (u->pos < u->len && u->buf[u->pos] == UP_VMDESC) {
				size_t left = u->len - u->pos;
				uint32_t dlen = left >= 5 ? be32_at(u->buf + u->pos + 1) : 0;

				if (left < 5 || dlen > left - 5)
					return fail_at(err, errlen, u->pos, "the vmdesc JSON after EOF runs past the end");
				load_note(rep, "vmdesc JSON after EOF (%u bytes): not needed to read the stream", dlen);
				u->pos += 5 + (size_t)dlen;
			}
			if (u->pos != u->len)
				load_note(rep, "%zu bytes after the end of the device state ignored (as QEMU does)",
					  u->len - u->pos);
			if (u->held[0])
				load_note(rep, "state held by Xen or internal to QEMU, not restored: %s", u->held);
			return 0;
		}
		if (type == UP_CONFIGURATION)
			return fail_at(err, errlen, at,
				       "a configuration section: this is a QEMU migration stream with send-configuration on, which no Xen device model writes");
		if (type == UP_START || type == UP_PART || type == UP_END)
			return fail_at(err, errlen, at,
				       "a live (iterative) section: Xen device state has none (QEMU on Xen refuses them too)");
		if (type != UP_FULL) {
			snprintf(err, errlen, "byte %zu: unknown section type %#x", at, type);
			return -1;
		}
		if (u->len - at < 6 || (n = u->buf[at + 5]) == 0 || u->len - at < 6u + n + 8)
			return fail_at(err, errlen, at, "truncated section header");
		sid = be32_at(u->buf + at + 1);
		memcpy(idstr, u->buf + at + 6, n);
		idstr[n] = '\0';
		if (strlen(idstr) != n)
			return fail_at(err, errlen, at + 6, "a section name holds a NUL byte");
		instance = be32_at(u->buf + at + 6 + n);
		version = be32_at(u->buf + at + 10 + n);
		u->pos = at + 14u + n;
		name = strrchr(idstr, '/');
		if (name) {
			*(char *)name = '\0';
			path = idstr;
			name++;
		} else {
			name = idstr;
		}
		kind = record_kind_find(name);
		if (kind && kind->upstream.nr_layouts) {
			layouts = kind->upstream.layouts;
			nl = kind->upstream.nr_layouts;
		} else {
			kind = NULL;
			nl = vm_foreign_layouts(name, &layouts);
		}
		if (!nl) {
			snprintf(err, errlen, "byte %zu: section %s%s%s instance %u version %u: no layout is known for it, so the stream cannot be read past it",
				 at, path ? path : "", path ? "/" : "", name, instance, version);
			return -1;
		}
		size = size_section(u, layouts, nl, name, sid, version, &variant, why, sizeof(why));
		if (size < 0) {
			snprintf(err, errlen, "byte %zu: section %s%s%s instance %u version %u: %s", at,
				 path ? path : "", path ? "/" : "", name, instance, version, why);
			return -1;
		}
		/* Footers: the first section tells whether the producer wrote them. */
		{
			size_t end = u->pos + (size_t)size;

			if (u->footers < 0)
				u->footers = end < u->len && u->buf[end] == UP_FOOTER;
			if (u->footers) {
				if (u->len - end < 5 || u->buf[end] != UP_FOOTER)
					return fail_at(err, errlen, end, "missing section footer");
				if (be32_at(u->buf + end + 1) != sid)
					return fail_at(err, errlen, end, "the section footer names another section");
			}
		}
		if (kind && kind->upstream.pci_instance &&
		    !kind->upstream.pci_instance(path, &path_inst, &why_path)) {
			snprintf(err, errlen, "byte %zu: section %s%s%s: hvmdm expects %s",
				 at, path ? path : "", path ? "/" : "", name, why_path);
			return -1;
		}
		if (kind && kind->upstream.pci_path && (!path || strcmp(path, kind->upstream.pci_path)) &&
		    (!path || !kind->upstream.alt_pci_path || strcmp(path, kind->upstream.alt_pci_path))) {
			snprintf(err, errlen, "byte %zu: section %s%s%s: hvmdm's xenfv machine has this function at %s",
				 at, path ? path : "", path ? "/" : "", name, kind->upstream.pci_path + 5);
			return -1;
		}
		role = kind ? (kind->upstream.held ? VML_HELD : VML_DEVICE) : layouts[variant].role;
		if (role == VML_UNEMULATED) {
			char what[48];

			snprintf(what, sizeof(what), "%s%s%.32s", path ? path + 5 : "", path ? "/" : "", name);
			add_foreign(rep, what);
			u->pos += (size_t)size + (u->footers ? 5 : 0);
			continue;
		}
		if (role == VML_HELD) {
			if (held_section(u, &layouts[variant], name, instance, (size_t)size, err, errlen))
				return -1;
			u->pos += (size_t)size + (u->footers ? 5 : 0);
			continue;
		}
		memset(rec, 0, sizeof(*rec));
		snprintf(rec->idstr, sizeof(rec->idstr), "%.64s", name);
		rec->instance = instance;
		if (kind->upstream.pci_instance)
			rec->instance = path_inst;
		if (kind->upstream.instance) {
			const char *why_not = "";

			if (!kind->upstream.instance(instance, &rec->instance, &why_not)) {
				snprintf(err, errlen, "byte %zu: %s instance %u: %s", at, name, instance, why_not);
				return -1;
			}
		}
		rec->version = version;
		rec->flags = RECORD_MANDATORY | RECORD_UPSTREAM | (variant ? RECORD_LAYOUT_ALT : 0);
		rec->offset = at;
		rec->payload_offset = u->pos;
		rec->payload = u->buf + u->pos;
		rec->payload_len = (uint32_t)size;
		u->pos += (size_t)size + (u->footers ? 5 : 0);
		return 1;
	}
	return 0;
}

int upstream_decode(const struct machine *m, const uint8_t *buf, size_t len,
		    struct machine_state *staged, struct load_report *rep, char *err, size_t errlen)
{
	struct upstream u;
	struct record_source src = { .next = upstream_next, .ctx = &u, .registry_order = false };

	if (upstream_open(&u, buf, len, err, errlen))
		return -1;
	if (m->cfg.profile != PROFILE_XENFV) {
		snprintf(err, errlen, "byte 0: an upstream QEMU (qemu-xen) stream restores into machine xenfv; this machine is %s",
			 profile_name(m->cfg.profile));
		return -1;
	}
	return snapshot_decode_records(m, &src, staged, rep, err, errlen);
}
