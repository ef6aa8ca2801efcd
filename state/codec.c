// SPDX-License-Identifier: GPL-2.0-only
/* The record files' shared codec pieces (state/codec.h). */
#include "codec.h"

#include <stdio.h>
#include <string.h>

int dec_fail(struct decode_ctx *c, size_t at, const char *fmt, const char *what)
{
	snprintf(c->err, c->errlen, "record %s instance %#x version %u, byte %zu: %s%s",
		 c->rec->idstr, c->rec->instance, c->rec->version, c->rec->payload_offset + at, fmt,
		 what ? what : "");
	return -1;
}

/* Every layout is exact: nothing short, nothing left over. */
int dec_finish(struct rbuf *r, struct decode_ctx *c)
{
	if (r->short_read)
		return dec_fail(c, r->len, "payload ends early", NULL);
	if (r->pos != r->len) {
		char what[48];

		snprintf(what, sizeof(what), " (%zu bytes left over)", r->len - r->pos);
		return dec_fail(c, r->pos, "payload is longer than its layout", what);
	}
	return 0;
}

bool get_flag(struct rbuf *r, struct decode_ctx *c, bool *out, int *rc)
{
	size_t at = r->pos;
	uint8_t v = get_u8(r);

	if (v > 1 && !r->short_read) {
		*rc = dec_fail(c, at, "a flag byte is neither 0 nor 1", NULL);
		return false;
	}
	*out = v;
	return true;
}


/* hvmdm PCI block: 256 config bytes, INTx levels. */
void put_pci(struct wbuf *w, const struct pci_state *p)
{
	put_bytes(w, p->config, PCI_CONFIG_SIZE);
	put_u8(w, p->irq_levels);
}

void get_pci(struct rbuf *r, struct pci_state *p)
{
	get_bytes(r, p->config, PCI_CONFIG_SIZE);
	p->irq_levels = get_u8(r);
}

/* Four be32 INTx levels, each 0 or 1 (both producers' PCI common part). */
int get_intx_levels(struct rbuf *r, struct decode_ctx *c, struct pci_state *p)
{
	p->irq_levels = 0;
	for (unsigned int i = 0; i < 4; i++) {
		size_t at = r->pos;
		uint32_t level = get_be32(r);

		if (level > 1 && !r->short_read)
			return dec_fail(c, at, "INTx level is neither 0 nor 1", NULL);
		p->irq_levels |= (uint8_t)(level << i);
	}
	return 0;
}

/*
 * qemu-xen-traditional hw/pci.c pci_device_save: be32 inner version (1 or 2),
 * 256 config bytes, and with inner version 2 four be32 INTx levels.
 */
int get_trad_pci(struct rbuf *r, struct decode_ctx *c, struct pci_state *p)
{
	size_t at = r->pos;
	uint32_t inner = get_be32(r);

	if (!r->short_read && (inner < 1 || inner > 2))
		return dec_fail(c, at, "PCI common part has an inner version other than 1 or 2", NULL);
	get_bytes(r, p->config, PCI_CONFIG_SIZE);
	p->irq_levels = 0;
	return inner == 2 ? get_intx_levels(r, c, p) : 0;
}

/*
 * Upstream QEMU's VMState PCIDevice (hw/pci/pci.c vmstate_pci_device, always
 * loaded at its own version 2, reference/02 §2.5.1): be32 version_id (0-2),
 * config[256], be32 irq_state[4] each 0 or 1 -- the bytes of the traditional
 * common part at inner version 2.
 */
int get_upstream_pci(struct rbuf *r, struct decode_ctx *c, struct pci_state *p)
{
	size_t at = r->pos;
	uint32_t v = get_be32(r);

	if (!r->short_read && v > 2)
		return dec_fail(c, at, "PCIDevice version_id is above 2", NULL);
	get_bytes(r, p->config, PCI_CONFIG_SIZE);
	return get_intx_levels(r, c, p);
}

void put_upstream_pci(struct wbuf *w, const struct pci_state *p)
{
	put_be32(w, 2);
	put_bytes(w, p->config, PCI_CONFIG_SIZE);
	for (unsigned int i = 0; i < 4; i++)
		put_be32(w, (p->irq_levels >> i) & 1);
}

void put_up_subsection(struct wbuf *w, const char *name, uint32_t version)
{
	uint8_t n = (uint8_t)strlen(name);

	put_u8(w, 0x05);
	put_u8(w, n);
	put_bytes(w, name, n);
	put_be32(w, version);
}

/*
 * Upstream subsections after a record's fields (migration/vmstate.c
 * vmstate_subsection_load): while the next byte is 0x05, u8 length, name,
 * be32 version, then its fields. Absence is always legal; an unknown name
 * is an error, as in QEMU.
 */
int get_up_subsections(struct rbuf *r, struct decode_ctx *c, const struct up_sub *subs,
			      size_t n)
{
	while (rbuf_left(r) > 0 && r->data[r->pos] == 0x05) {
		size_t at = r->pos;
		const struct up_sub *s = NULL;
		char name[256];
		uint8_t len;
		uint32_t v;

		get_u8(r);
		len = get_u8(r);
		get_bytes(r, name, len);
		name[r->short_read ? 0 : len] = '\0';
		v = get_be32(r);
		if (r->short_read)
			return dec_fail(c, at, "a subsection header is cut short", NULL);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(subs[i].name, name))
				s = &subs[i];
		if (!s)
			return dec_fail(c, at, "unknown subsection ", name);
		if (v < s->min_version || v > s->max_version)
			return dec_fail(c, at, "a subsection version this build does not decode: ", name);
		if (s->get(r, c, v))
			return -1;
	}
	return 0;
}

void put_queue(struct wbuf *w, const struct ps2_queue *q)
{
	put_le16(w, q->count);
	for (unsigned int i = 0; i < q->count; i++)
		put_u8(w, q->data[(q->head + i) % PS2_QUEUE_SIZE]);
}

int get_queue(struct rbuf *r, struct decode_ctx *c, struct ps2_queue *q)
{
	size_t at = r->pos;
	uint16_t n = get_le16(r);

	if (n > PS2_QUEUE_SIZE)
		return dec_fail(c, at, "byte queue longer than 256", NULL);
	ps2_queue_reset(q);
	for (unsigned int i = 0; i < n; i++)
		ps2_queue_push(q, get_u8(r));
	return 0;
}

/* ---------------------------------------------------------------- instances */

unsigned int one_instance(const struct machine *m, uint32_t *inst)
{
	(void)m;
	inst[0] = 0;
	return 1;
}

bool trad_instance_zero(uint32_t instance)
{
	return instance == 0;
}

unsigned int platform_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return m->has_platform ? 1 : 0;
}

unsigned int trad_only(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return profile_is_trad(m->cfg.profile) ? 1 : 0;
}

unsigned int not_trad(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return profile_is_trad(m->cfg.profile) ? 0 : 1;
}

/* As qemu-xen-traditional: a UART's instance is its I/O base. */
unsigned int serial_instances(const struct machine *m, uint32_t *inst)
{
	for (unsigned int i = 0; i < m->nr_uarts; i++)
		inst[i] = m->uart[i].base;
	return m->nr_uarts;
}

void put_trad_pci(struct wbuf *w, const struct pci_state *p)
{
	put_be32(w, 2);
	put_bytes(w, p->config, PCI_CONFIG_SIZE);
	for (unsigned int i = 0; i < 4; i++)
		put_be32(w, (p->irq_levels >> i) & 1);
}

long trad_pci_size(const uint8_t *p, size_t left)
{
	uint32_t inner;

	if (left < 4)
		return -1;
	inner = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return inner == 1 ? 260 : inner == 2 ? 276 : -1;
}

/* ---------------------------------------------------------------- JSON */

json_t *json_hex(const uint8_t *p, size_t n)
{
	char buf[2 * 512 + 1];

	if (n > 512)
		n = 512;
	for (size_t i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * n] = '\0';
	return json_string(buf);
}

json_t *json_queue(const struct ps2_queue *q)
{
	uint8_t bytes[PS2_QUEUE_SIZE];

	for (unsigned int i = 0; i < q->count; i++)
		bytes[i] = q->data[(q->head + i) % PS2_QUEUE_SIZE];
	return json_hex(bytes, q->count);
}

json_t *json_pci(const struct pci_state *p)
{
	return json_pack("{s:o, s:i}", "config", json_hex(p->config, PCI_CONFIG_SIZE), "intx_levels",
			 p->irq_levels);
}

json_t *json_u64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v); /* exact beyond 2^53 */
	return json_string(buf);
}

bool upstream_slot_path(const char *path, uint32_t *inst)
{
	unsigned int dom, bus, slot, fn;
	char tail;

	if (!path || sscanf(path, "%4x:%2x:%2x.%1x%c", &dom, &bus, &slot, &fn, &tail) != 4 || dom || bus ||
	    slot >= 32 || fn)
		return false;
	*inst = PCI_DEVFN(slot, 0);
	return true;
}
