// SPDX-License-Identifier: GPL-2.0-only
/*
 * qemu-xen-traditional save files. Sizes of every section come from the
 * producer's save functions (olafhering/qemu-xen-traditional stable-4.17:
 * vl.c, hw/pci.c, hw/piix_pci.c, hw/piix4acpi.c, hw/xen_platform.c,
 * hw/serial.c, hw/pckbd.c, hw/ps2.c, hw/dma.c, hw/fdc.c, hw/mc146818rtc.c,
 * hw/ide.c, hw/vga.c, hw/cirrus_vga.c, hw/rtl8139.c, hw/e1000.c,
 * hw/usb-uhci.c, hw/fw_cfg.c, hw/tpm_tis.c; XenServer's pcislots) as laid out
 * in reference/01 and 09. Records hvmdm has go through the registry's
 * decoders; the rest are checked and either accepted with a note (their state
 * belongs to Xen or to nothing a guest can reach) or listed as devices hvmdm
 * does not emulate.
 */
#define _GNU_SOURCE
#include "qevm.h"

#include <stdio.h>
#include <string.h>

#include "registry.h"
#include "stream.h"
#include "upstream.h"

#define QEVM_EOF 0x00
#define QEVM_START 0x01
#define QEVM_PART 0x02
#define QEVM_END 0x03
#define QEVM_FULL 0x04

/* Sections besides the decoded records: a real file has about ten (ram, fw_cfg, dma, fdc, VGA, NICs, USB). */
#define QEVM_MAX_OTHER 64

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64_at(const uint8_t *p)
{
	return (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
}

struct qevm {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	unsigned int format;  /* 3 or 2 */
	size_t v2_end;        /* format 2: where the records end */
	uint32_t live_ids[4]; /* section ids of START-ed live sections */
	unsigned int nr_live;
	/* Sections the registry does not decode, to refuse one written twice. */
	struct {
		char id[32];
		uint32_t instance;
	} others[QEVM_MAX_OTHER];
	unsigned int nr_others;
	bool done;
};

/*
 * Does a section header or the EOF byte start at p? With final_eof, an EOF
 * byte counts only as the stream's last byte.
 */
static bool header_at(const struct qevm *q, size_t p, bool final_eof)
{
	const uint8_t *b = q->buf;
	size_t left = q->len - p;

	if (p >= q->len)
		return false;
	if (b[p] == QEVM_EOF)
		return !final_eof || p + 1 == q->len;
	if ((b[p] == QEVM_PART || b[p] == QEVM_END) && left >= 5) {
		for (unsigned int i = 0; i < q->nr_live; i++)
			if (be32_at(b + p + 1) == q->live_ids[i])
				return true;
		return false;
	}
	if ((b[p] == QEVM_FULL || b[p] == QEVM_START) && left >= 6) {
		uint8_t n = b[p + 5];

		if (n == 0 || left < 6u + n + 8)
			return false;
		for (unsigned int i = 0; i < n; i++)
			if (b[p + 6 + i] < 0x20 || b[p + 6 + i] > 0x7e)
				return false;
		return true;
	}
	return false;
}

static bool peek_header_at(const struct trad_peek *pk, size_t off, bool final_eof)
{
	const struct qevm *q = pk->walker;

	return header_at(q, (size_t)(pk->p - q->buf) + off, final_eof);
}

/*
 * Bytes of payload at q->pos for (idstr, version), from the record kind's
 * traditional codec or the table of sections no device decodes; -1 if the
 * layout is not one we know (the stream cannot be walked past it).
 * *erratum is set where content belies the version.
 */
static long section_size(const struct qevm *q, const char *id, uint32_t v, bool *erratum,
			 const char **why)
{
	const struct trad_peek pk = { .p = q->buf + q->pos, .left = q->len - q->pos,
				      .header_at = peek_header_at, .walker = q };
	const struct trad_foreign *f = trad_foreign_find(id);
	const struct record_kind *k = f ? NULL : record_kind_find(id);

	*erratum = false;
	if (f)
		return f->size(&pk, v);
	if (k && k->trad.size)
		return k->trad.size(&pk, v, erratum, why);
	return -1;
}

/* A section some kind or table row can size (whatever its version). */
static bool known_layout(const char *id)
{
	const struct record_kind *k = record_kind_find(id);

	return trad_foreign_find(id) || (k && k->trad.size);
}

static void add_foreign(struct load_report *rep, const char *id, uint32_t instance)
{
	for (unsigned int i = 0; i < rep->nr_foreign; i++)
		if (!strncmp(rep->foreign[i], id, strlen(id)))
			return;
	if (rep->nr_foreign < LOAD_MAX_FOREIGN)
		snprintf(rep->foreign[rep->nr_foreign++], sizeof(rep->foreign[0]), "%.32s(%#x)", id, instance);
}

static int fail_at(char *err, size_t errlen, size_t at, const char *what, const char *id)
{
	snprintf(err, errlen, "byte %zu: %s%s%s", at, what, id ? " " : "", id ? id : "");
	return -1;
}

/* Hand the next section hvmdm decodes to the common core. */
static int qevm_next(void *ctx, struct stream_record *rec, struct load_report *rep, char *err,
		     size_t errlen)
{
	struct qevm *q = ctx;

	while (!q->done) {
		size_t at = q->pos, left = q->len - q->pos;
		uint32_t instance, version, len32 = 0;
		uint8_t type = QEVM_FULL, idlen;
		char id[256];
		bool erratum = false;
		const char *why;
		long size;

		if (q->format == 2) {
			if (q->pos == q->v2_end) {
				q->done = true;
				return 0;
			}
			if (left < 1 || (idlen = q->buf[q->pos]) == 0 || left < 1u + idlen + 12)
				return fail_at(err, errlen, at, "truncated or empty record header", NULL);
			memcpy(id, q->buf + q->pos + 1, idlen);
			id[idlen] = '\0';
			q->pos += 1u + idlen;
			instance = be32_at(q->buf + q->pos);
			version = be32_at(q->buf + q->pos + 4);
			len32 = be32_at(q->buf + q->pos + 8);
			q->pos += 12;
			if (len32 > q->v2_end - q->pos)
				return fail_at(err, errlen, at, "record runs past the stream's total length:", id);
			size = len32;
		} else {
			if (left < 1)
				return fail_at(err, errlen, at, "stream ends without the EOF byte", NULL);
			type = q->buf[q->pos++];
			if (type == QEVM_EOF) {
				q->done = true;
				if (q->pos != q->len)
					load_note(rep, "%zu bytes after the EOF byte ignored (as qemu-xen-traditional does)",
						  q->len - q->pos);
				return 0;
			}
			if (type == QEVM_PART || type == QEVM_END) {
				uint32_t sid;
				bool live = false;

				if (q->len - q->pos < 4)
					return fail_at(err, errlen, at, "truncated section header", NULL);
				sid = be32_at(q->buf + q->pos);
				q->pos += 4;
				for (unsigned int i = 0; i < q->nr_live; i++)
					live |= q->live_ids[i] == sid;
				if (!live)
					return fail_at(err, errlen, at, "PART/END for a section that never started", NULL);
				continue; /* the live "ram" section carries nothing on the DM build */
			}
			if (type != QEVM_START && type != QEVM_FULL) {
				snprintf(err, errlen, "byte %zu: unknown section type %#x", at, type);
				return -1;
			}
			if (q->len - q->pos < 5 || (idlen = q->buf[q->pos + 4]) == 0 ||
			    q->len - q->pos < 5u + idlen + 8)
				return fail_at(err, errlen, at, "truncated section header", NULL);
			memcpy(id, q->buf + q->pos + 5, idlen);
			id[idlen] = '\0';
			if (type == QEVM_START) {
				uint32_t live_instance = be32_at(q->buf + q->pos + 5u + idlen);
				uint32_t live_version = be32_at(q->buf + q->pos + 5u + idlen + 4);

				if (strcmp(id, "ram") || q->nr_live >= 4)
					return fail_at(err, errlen, at, "unexpected live section", id);
				/* vl.c: register_savevm_live("ram", 0, 3, ...); newer versions were refused. */
				if (live_instance != 0 || live_version == 0 || live_version > 3) {
					snprintf(err, errlen, "byte %zu: section ram instance %#x version %u: qemu-xen-traditional wrote instance 0 version 3",
						 at, live_instance, live_version);
					return -1;
				}
				q->live_ids[q->nr_live++] = be32_at(q->buf + q->pos);
				q->pos += 5u + idlen + 8;
				continue;
			}
			q->pos += 5u + idlen;
			instance = be32_at(q->buf + q->pos);
			version = be32_at(q->buf + q->pos + 4);
			q->pos += 8;
			why = "no known layout, so the stream cannot be read past it";
			size = section_size(q, id, version, &erratum, &why);
			if (size < 0) {
				snprintf(err, errlen, "byte %zu: section %s instance %#x version %u: %s", at, id,
					 instance, version, why);
				return -1;
			}
		}
		if ((size_t)size > q->len - q->pos) {
			snprintf(err, errlen, "byte %zu: section %s version %u needs %ld bytes, %zu are left",
				 at, id, version, size, q->len - q->pos);
			return -1;
		}
		/*
		 * A kind's section is decoded (mc146818rtc too: its NVRAM is the
		 * DM's, Xen keeps the clock); the table's sections are not.
		 */
		if (!trad_foreign_find(id) && record_kind_find(id)) {
			const struct record_kind *kind = record_kind_find(id);

			/* Checked here too: a machine without the device lists the section by name. */
			if (kind->trad.instance_ok && !kind->trad.instance_ok(instance)) {
				snprintf(err, errlen, "byte %zu: section %s instance %#x: qemu-xen-traditional registers no such instance",
					 at, id, instance);
				return -1;
			}
			if (erratum)
				load_note(rep, "erratum xs-6.0-6.2-piix4acpi: piix4acpi version 2 at byte %zu has version-1 content (XenServer 6.0-6.2): the bytes after pm1_control are not an address followed by a section",
					  at);
			memset(rec, 0, sizeof(*rec));
			snprintf(rec->idstr, sizeof(rec->idstr), "%.64s", id);
			rec->instance = instance;
			rec->version = version;
			rec->flags = RECORD_MANDATORY;
			rec->offset = at;
			rec->payload_offset = q->pos;
			rec->payload = q->buf + q->pos;
			rec->payload_len = (uint32_t)size;
			q->pos += (size_t)size;
			return 1;
		}
		/*
		 * Format 2 states its own lengths: a record whose layout we know
		 * must have exactly that size before anything in it is read.
		 */
		if (q->format == 2) {
			struct qevm view = *q; /* sizes read inside this record only */
			bool e2;
			const char *w2 = NULL;
			long expect;

			view.len = q->pos + (size_t)size;
			expect = section_size(&view, id, version, &e2, &w2);
			if (expect != size && (expect >= 0 || known_layout(id))) {
				snprintf(err, errlen, "byte %zu: record %s version %u has %ld bytes, which do not hold its layout",
					 at, id, version, size);
				return -1;
			}
			if (expect < 0) {
				add_foreign(rep, id, instance);
				q->pos += (size_t)size;
				continue;
			}
		}
		for (unsigned int i = 0; i < q->nr_others; i++) {
			if (!strcmp(q->others[i].id, id) && q->others[i].instance == instance) {
				snprintf(err, errlen, "byte %zu: section %s instance %#x appears twice", at, id,
					 instance);
				return -1;
			}
		}
		if (q->nr_others == QEVM_MAX_OTHER) {
			snprintf(err, errlen, "byte %zu: more than %u sections hvmdm does not decode", at,
				 QEVM_MAX_OTHER);
			return -1;
		}
		snprintf(q->others[q->nr_others].id, sizeof(q->others[0].id), "%.31s", id);
		q->others[q->nr_others++].instance = instance;
		{
			const struct trad_foreign *f = trad_foreign_find(id);

			if (!f) {
				snprintf(err, errlen, "byte %zu: section %s is not one qemu-xen-traditional writes", at, id);
				return -1;
			}
			if (!f->instance_ok(instance)) {
				snprintf(err, errlen, "byte %zu: section %s instance %#x: qemu-xen-traditional registers no such instance",
					 at, id, instance);
				return -1;
			}
			if (!f->accept)
				add_foreign(rep, id, instance);
			else if (f->accept(instance, q->buf + q->pos, (size_t)size, q->pos, rep, err, errlen))
				return -1;
		}
		q->pos += (size_t)size;
	}
	return 0;
}

static int qevm_open(struct qevm *q, const uint8_t *buf, size_t len, char *err, size_t errlen);

int qevm_decode(const struct machine *m, const uint8_t *buf, size_t len,
		struct machine_state *staged, struct load_report *rep, char *err, size_t errlen)
{
	struct qevm q;
	struct record_source src = { .next = qevm_next, .ctx = &q, .registry_order = false };

	if (qevm_open(&q, buf, len, err, errlen))
		return -1;
	if (!profile_is_trad(m->cfg.profile)) {
		snprintf(err, errlen, "byte 0: a qemu-xen-traditional stream restores into machine xenfv-trad; this machine is %s",
			 profile_name(m->cfg.profile));
		return -1;
	}
	if (q.format == 2)
		load_note(rep, "legacy QEVM format 2");
	return snapshot_decode_records(m, &src, staged, rep, err, errlen);
}

/* Set up q for buf; 0 or -1 with err. */
static int qevm_open(struct qevm *q, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	*q = (struct qevm){ .buf = buf, .len = len, .pos = 8 };
	if (len < 8 || memcmp(buf, QEVM_MAGIC, 4)) {
		snprintf(err, errlen, "byte 0: not a QEVM stream");
		return -1;
	}
	if (len > STREAM_MAX_SIZE + (64u << 20)) {
		snprintf(err, errlen, "stream is %zu bytes, over the cap", len);
		return -1;
	}
	q->format = be32_at(buf + 4);
	if (q->format != 3 && q->format != 2) {
		snprintf(err, errlen, "byte 4: QEVM file version %u (qemu-xen-traditional wrote 3, read 2 and 3)",
			 q->format);
		return -1;
	}
	if (q->format == 2) {
		uint64_t total;

		if (len < 16) {
			snprintf(err, errlen, "byte %zu: truncated legacy header", len);
			return -1;
		}
		total = be64_at(buf + 8);
		q->pos = 16;
		if (total > len - 16) {
			snprintf(err, errlen, "byte 8: total length %llu runs past the end of the stream",
				 (unsigned long long)total);
			return -1;
		}
		q->v2_end = 16 + (size_t)total;
	}
	return 0;
}

int stream_scan(const uint8_t *buf, size_t len,
		void (*cb)(const struct stream_record *rec, void *opaque), void *opaque,
		struct load_report *rep, char *err, size_t errlen)
{
	struct stream_record rec;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (qevm_is_upstream(buf, len)) {
		struct upstream u;

		if (upstream_open(&u, buf, len, err, errlen))
			return -1;
		while ((rc = upstream_next(&u, &rec, rep, err, errlen)) == 1)
			cb(&rec, opaque);
	} else if (len >= 4 && !memcmp(buf, QEVM_MAGIC, 4)) {
		struct qevm q;

		if (qevm_open(&q, buf, len, err, errlen))
			return -1;
		while ((rc = qevm_next(&q, &rec, rep, err, errlen)) == 1)
			cb(&rec, opaque);
	} else {
		struct stream_header h;
		size_t pos;

		/* Any length: a whole VM's stream is listed too (its decode has the caps). */
		if (stream_read_header_within(buf, len, SIZE_MAX, &h, err, errlen))
			return -1;
		pos = h.records_offset;
		while ((rc = stream_read_record(buf, len, &pos, &rec, err, errlen)) == 1)
			cb(&rec, opaque);
	}
	return rc < 0 ? -1 : 0;
}

int stream_profile(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct stream_header h;

	if (len >= 4 && !memcmp(buf, QEVM_MAGIC, 4)) {
		/* Upstream QEMU (qemu-xen) state belongs to xenfv, the traditional one to xenfv-trad. */
		return qevm_is_upstream(buf, len) ? PROFILE_XENFV : PROFILE_XENFV_TRAD;
	}
	if (stream_read_header_within(buf, len, SIZE_MAX, &h, err, errlen))
		return -1;
	if (h.profile > PROFILE_PC) {
		snprintf(err, errlen, "byte 32: unknown machine profile %u", h.profile);
		return -1;
	}
	return h.profile;
}

struct stream_shape {
	unsigned int serial;
	bool bad_base;
	bool platform;
	bool fw_cfg;
	uint8_t ide_kinds[IDE_DRIVES];
	bool vga, vga_frames, cirrus;
	uint32_t vram_size;
	uint8_t nic_devfn[MACHINE_MAX_NICS];
	enum nic_model nic_model[MACHINE_MAX_NICS];
	unsigned int nics;
	bool usb;
	struct machine_usb usb_dev[MACHINE_MAX_USB];
	unsigned int nr_usb, usb_hub_port;
};

/* A USB device record's instance (root port << 4 | hub port), as state/dev/usb.c numbers them. */
static void note_usb(struct stream_shape *s, const struct stream_record *rec, enum usb_hid_kind kind)
{
	if (s->nr_usb < MACHINE_MAX_USB)
		s->usb_dev[s->nr_usb++] = (struct machine_usb){ .kind = kind, .port = rec->instance >> 4,
								 .hub_port = rec->instance & 15 };
}

static void note_shape(const struct stream_record *rec, void *opaque)
{
	struct stream_shape *s = opaque;

	if (!strcmp(rec->idstr, "platform"))
		s->platform = true;
	if (!strcmp(rec->idstr, "fw_cfg"))
		s->fw_cfg = true;
	if (!strcmp(rec->idstr, "ide") && ide_record_drive_kinds(rec, s->ide_kinds))
		memset(s->ide_kinds, 0, sizeof(s->ide_kinds));
	if (!strcmp(rec->idstr, "vga") && vga_record_vram(rec, &s->vram_size, &s->vga_frames) == 0)
		s->vga = true;
	if (!strcmp(rec->idstr, "cirrus_vga") && cirrus_record_vram(rec, &s->vram_size, &s->vga_frames) == 0)
		s->cirrus = true;
	if (!strcmp(rec->idstr, "rtl8139") && s->nics < MACHINE_MAX_NICS && rec->instance < 256) {
		s->nic_model[s->nics] = NIC_RTL8139;
		s->nic_devfn[s->nics++] = (uint8_t)rec->instance;
	}
	/* An e1000's devfn, or (qemu-xen-traditional) its creation order: then the next free slot. */
	if (!strcmp(rec->idstr, "e1000") && s->nics < MACHINE_MAX_NICS && rec->instance < 256) {
		s->nic_model[s->nics] = NIC_E1000;
		s->nic_devfn[s->nics++] = rec->instance >= PCI_DEVFN(1, 0) ? (uint8_t)rec->instance : 0;
	}
	if (!strcmp(rec->idstr, "uhci"))
		s->usb = true;
	/* A pointer's record does not say tablet or mouse: a tablet, libxl's usual one. */
	if (!strcmp(rec->idstr, "usb-ptr"))
		note_usb(s, rec, USB_HID_TABLET);
	if (!strcmp(rec->idstr, "usb-kbd"))
		note_usb(s, rec, USB_HID_KEYBOARD);
	if (!strcmp(rec->idstr, "usb-hub"))
		s->usb_hub_port = rec->instance >> 4;
	if (strcmp(rec->idstr, "serial"))
		return;
	if (rec->instance != 0x3f8 && rec->instance != 0x2f8)
		s->bad_base = true;
	else if (s->serial < MACHINE_MAX_SERIAL)
		s->serial++;
}

int stream_machine_config(const uint8_t *buf, size_t len, struct machine_config *cfg, char *err,
			  size_t errlen)
{
	struct stream_shape shape = { 0 };
	struct load_report rep;
	int profile = stream_profile(buf, len, err, errlen);

	if (profile < 0)
		return -1;
	cfg->profile = (enum machine_profile)profile;
	if (stream_scan(buf, len, note_shape, &shape, &rep, err, errlen))
		return -1;
	if (shape.bad_base) {
		snprintf(err, errlen, "a serial record's instance is not 0x3f8 or 0x2f8");
		return -1;
	}
	cfg->nr_serial = 0;
	for (unsigned int i = 0; i < shape.serial; i++)
		cfg->serial[cfg->nr_serial++] = "null";
	/*
	 * xenfv state without the Xen platform device: libxl's pc,accel=xen
	 * machine (upstream), or hvmdm's own record of one (a converted stream).
	 */
	cfg->no_platform_pci = cfg->profile == PROFILE_XENFV && !shape.platform;
	/* A xenfv guest started with -kernel or -option-rom saved its fw_cfg too. */
	cfg->fw_cfg = shape.fw_cfg;
	for (unsigned int i = 0; i < IDE_DRIVES; i++)
		cfg->ide[i] = (struct ide_drive_config){ .kind = (enum ide_kind)shape.ide_kinds[i],
							 .placeholder = true };
	/* The display card, with the VRAM the record had; its frames, if Xen's, come from the state. */
	if (shape.vga || shape.cirrus) {
		cfg->display = shape.cirrus ? DISPLAY_CIRRUS : DISPLAY_STDVGA;
		cfg->vgamem_mb = shape.vram_size >> 20;
		cfg->incoming = shape.vga_frames;
	}
	/* The NICs where the stream has them, with no backend: their state is all the tool needs. */
	cfg->nr_nics = shape.nics;
	for (unsigned int i = 0; i < shape.nics; i++) {
		cfg->nic[i] = (struct machine_nic){ .model = shape.nic_model[i], .devfn = shape.nic_devfn[i],
						    .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i) },
						    .romfile = "", .netdev = { .kind = NETDEV_NONE, .fd = -1 } };
		snprintf(cfg->nic[i].id, sizeof(cfg->nic[i].id), "nic%u", i);
		snprintf(cfg->nic[i].netdev.id, sizeof(cfg->nic[i].netdev.id), "net%u", i);
	}
	/* USB as plugged when saved; the hub before the first device behind it. */
	cfg->usb = shape.usb;
	cfg->nr_usb = shape.usb ? shape.nr_usb : 0;
	cfg->usb_hub_port = shape.usb ? shape.usb_hub_port : 0;
	cfg->usb_hub_before = cfg->nr_usb;
	for (unsigned int i = 0; i < cfg->nr_usb; i++) {
		cfg->usb_dev[i] = shape.usb_dev[i];
		if (cfg->usb_dev[i].hub_port && cfg->usb_hub_before == cfg->nr_usb)
			cfg->usb_hub_before = i;
	}
	return 0;
}
