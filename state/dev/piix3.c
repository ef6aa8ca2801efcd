// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX3 PCI-ISA bridge: "PIIX3" (qemu-xen-traditional hw/piix_pci.c,
 * upstream QEMU's PIIX3 with its reset control subsection).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_piix3(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_pci(w, &st->piix3.pci);
	put_u8(w, st->piix3.rcr);
}

static int dec_piix3_v4(struct rbuf *r, struct decode_ctx *c)
{
	get_pci(r, &c->st->piix3.pci);
	c->st->piix3.rcr = get_u8(r);
	return dec_finish(r, c);
}

static int dec_piix3_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (get_trad_pci(r, c, &c->st->piix3.pci))
		return -1;
	c->st->piix3.rcr = 0; /* qemu-xen-traditional had no reset control register */
	return dec_finish(r, c);
}

static int get_piix3_rcr(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->piix3.rcr = get_u8(r);
	return 0;
}

/*
 * Upstream PIIX3 v3 (hw/isa/piix3.c): PCIDevice, be32 pci_irq_levels[4]
 * (the PIRQ input levels, recomputed here from the devices' INTx lines),
 * subsection PIIX3/rcr when the reset control register is not zero.
 */
static int dec_piix3_v3(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = { { "PIIX3/rcr", 1, 1, get_piix3_rcr } };

	if (get_upstream_pci(r, c, &c->st->piix3.pci))
		return -1;
	for (unsigned int i = 0; i < 4; i++) {
		size_t at = r->pos;

		if (get_be32(r) > 1 && !r->short_read)
			return dec_fail(c, at, "PIRQ level is neither 0 nor 1", NULL);
	}
	c->st->piix3.rcr = 0;
	if (get_up_subsections(r, c, subs, 1))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version piix3_versions[] = {
	{ 1, RV_RESERVED, "qemu-xen-traditional (refused by its own loader)", "unknown", NULL },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part", dec_piix3_trad },
	{ 3, RV_ACCEPTED, "upstream QEMU 0000:00:01.0/PIIX3", "VMState PCIDevice, be32 pci_irq_levels[4], subsections", dec_piix3_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1", "config[256], u8 intx_levels, u8 rcr", dec_piix3_v4 },
};

/* hw/piix_pci.c piix_save: the PCI common part; its loader accepts version 2 only. */
static long trad_piix3_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)erratum, (void)why;
	return v == 2 ? trad_pci_size(pk->p, pk->left) : -1;
}

static int trad_piix3_write(struct trad_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	(void)m, (void)err, (void)errlen;
	put_trad_pci(trad_payload(t), &st->piix3.pci);
	trad_section(t, "PIIX3", 0, 2);
	if (st->piix3.rcr)
		load_note(rep, "PIIX3 reset control register %#x: the traditional model has none", st->piix3.rcr);
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

VM_SUB(piix3_rcr, "PIIX3/rcr", 1, VM_F(1, 1));
static const struct vmd *const piix3_subs[] = { &piix3_rcr };
static const struct vmf piix3_f[] = { VM_STRUCT(vmd_pci_device, 1, 0), VM_FV(4, 4, 3) };
VM_DESC_SUBS(piix3, "PIIX3", 3, 2, piix3_f, piix3_subs);

static const struct vm_layout piix3_up[] = { UPSTREAM_LAYOUT("PIIX3", piix3) };

/* PCIDevice, the four PIRQ input levels (0: QEMU recomputes them from its devices' lines at load), rcr when set. */
static int up_piix3_write(struct up_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	struct wbuf *p = up_payload(t);

	(void)m, (void)rep, (void)err, (void)errlen;
	put_upstream_pci(p, &st->piix3.pci);
	for (unsigned int i = 0; i < 4; i++)
		put_be32(p, 0);
	if (st->piix3.rcr) {
		put_up_subsection(p, "PIIX3/rcr", 1);
		put_u8(p, st->piix3.rcr);
	}
	up_section(t, "0000:00:01.0", "PIIX3", 0, 3);
	return 0;
}

const struct record_kind piix3_kind = {
	.idstr = "PIIX3",
	.instances = one_instance,
	.encode = enc_piix3,
	.required = true,
	KIND_VERSIONS(piix3_versions),
	.trad = { .size = trad_piix3_size, .write = trad_piix3_write, .order = 3 },
	.upstream = { UPSTREAM_LAYOUTS(piix3_up), .pci_path = "0000:00:01.0", .write = up_piix3_write,
		      .order = 3 },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_piix3(const struct machine *m, const struct machine_state *st)
{
	(void)m;
	return json_pack("{s:o, s:i, s:[iiii]}", "pci", json_pci(&st->piix3.pci), "rcr", st->piix3.rcr,
			 "pirq_routes", st->piix3.pci.config[0x60], st->piix3.pci.config[0x61],
			 st->piix3.pci.config[0x62], st->piix3.pci.config[0x63]);
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_piix3(struct machine_state *st)
{
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->piix3.pci.config[i] = (uint8_t)((i + 2) * 3);
	st->piix3.pci.irq_levels = 2;
	st->piix3.rcr = 2;
}

const struct state_view piix3_view = { "piix3", view_piix3, probe_piix3 };
