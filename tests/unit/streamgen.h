/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hand-built streams for tests and the golden corpus: a machine's native
 * stream in which chosen records are replaced (by older or foreign layouts,
 * built here byte by byte from reference/01 and 09) or left out.
 */
#ifndef HVMDM_STREAMGEN_H
#define HVMDM_STREAMGEN_H

#include <string.h>

#include "../../state/registry.h"
#include "../../state/snapshot.h"

struct rec_override {
	const char *idstr;
	uint32_t instance;
	uint32_t version;
	const struct wbuf *payload; /* NULL with omit */
	bool omit;
	bool extra; /* not in the registry: appended after the kind named by `after` */
	const char *after;
	uint8_t flags;
};

static inline const struct rec_override *find_override(const struct rec_override *ov, size_t n,
							 const char *idstr, uint32_t instance)
{
	for (size_t i = 0; i < n; i++)
		if (!ov[i].extra && !strcmp(ov[i].idstr, idstr) && ov[i].instance == instance)
			return &ov[i];
	return NULL;
}

/* The machine's stream, in registry order, with the overrides applied. */
static inline int build_stream(const struct machine *m, const struct rec_override *ov, size_t n,
			       struct wbuf *out)
{
	struct machine_state st;
	struct wbuf p;

	machine_save_state(m, &st);
	stream_write_header(out, st.profile, "hvmdm-test", "corpus");
	wbuf_init(&p, RECORD_MAX_PAYLOAD);
	for (size_t k = 0; k < nr_record_kinds; k++) {
		const struct record_kind *kind = record_kinds[k];
		uint32_t inst[MACHINE_MAX_SERIAL];
		unsigned int cnt = kind->instances(m, inst);

		for (unsigned int i = 0; i < cnt; i++) {
			const struct rec_override *o = find_override(ov, n, kind->idstr, inst[i]);

			if (o && o->omit)
				continue;
			if (o) {
				stream_write_record(out, o->idstr, o->instance, o->version,
						    o->flags ? o->flags : RECORD_MANDATORY,
						    o->payload->data, (uint32_t)o->payload->len);
			} else if (kind->encode) {
				p.len = 0;
				kind->encode(&p, &st, i);
				stream_write_record(out, kind->idstr, inst[i], record_written_version(kind),
						    RECORD_MANDATORY, p.data, (uint32_t)p.len);
			}
		}
		for (size_t j = 0; j < n; j++)
			if (ov[j].extra && !strcmp(ov[j].after, kind->idstr))
				stream_write_record(out, ov[j].idstr, ov[j].instance, ov[j].version,
						    ov[j].flags, ov[j].payload->data,
						    (uint32_t)ov[j].payload->len);
	}
	stream_write_end(out);
	wbuf_free(&p);
	return out->failed ? -1 : 0;
}

/* ---- qemu-xen-traditional payloads (big-endian) ---- */

static inline void trad_pci(struct wbuf *w, const struct pci_device *d, uint32_t inner)
{
	put_be32(w, inner);
	put_bytes(w, d->config, PCI_CONFIG_SIZE);
	if (inner == 2)
		for (unsigned int i = 0; i < 4; i++)
			put_be32(w, d->irq_level[i]);
}

static inline void trad_piix4acpi(struct wbuf *w, const struct piix4_pm *pm, unsigned int version,
				  uint32_t base)
{
	trad_pci(w, &pm->pci, 2);
	put_be16(w, pm->pm1_cnt);
	if (version >= 2)
		put_be32(w, base);
}

static inline void trad_gpe(struct wbuf *w, const struct piix4_pm *pm, unsigned int version,
			    uint32_t base, uint32_t half)
{
	for (unsigned int i = 0; i < 4; i++) {
		put_u8(w, pm->gpe_sts[i]);
		put_u8(w, pm->gpe_en[i]);
	}
	put_u8(w, pm->sci_level);
	if (version >= 2) {
		put_be32(w, base);
		put_be32(w, half);
	}
}

static inline void trad_platform(struct wbuf *w, const struct xen_platform *p, unsigned int version)
{
	trad_pci(w, &p->pci, 2);
	if (version == 2)
		put_u8(w, p->flags);
	if (version >= 2)
		put_be64(w, 0);
}

static inline void trad_serial(struct wbuf *w, const struct uart16550 *u, unsigned int version)
{
	if (version == 1)
		put_u8(w, (uint8_t)u->divider);
	else
		put_be16(w, u->divider);
	put_u8(w, u->rx.count ? u->rx.data[u->rx.head] : 0);
	put_u8(w, u->ier);
	put_u8(w, uart_iir(u));
	put_u8(w, u->lcr);
	put_u8(w, u->mcr);
	put_u8(w, u->lsr);
	put_u8(w, u->msr);
	put_u8(w, u->scr);
	if (version >= 2)
		put_u8(w, u->fcr);
}

static inline void trad_ps2_common(struct wbuf *w, int32_t cmd, const uint8_t *bytes, unsigned int n,
				   uint32_t rptr)
{
	uint8_t ring[256] = { 0 };

	for (unsigned int i = 0; i < n; i++)
		ring[(rptr + i) % 256] = bytes[i];
	put_be32(w, (uint32_t)cmd);
	put_be32(w, rptr);
	put_be32(w, (rptr + n) % 256);
	put_be32(w, n);
	put_bytes(w, ring, sizeof(ring));
}

#endif
