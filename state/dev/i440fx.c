// SPDX-License-Identifier: GPL-2.0-only
/*
 * The i440FX host bridge: "I440FX" (qemu-xen-traditional hw/piix_pci.c,
 * upstream QEMU's I440FX) and hvmdm's "PCIHost" (the 0xcf8 latch).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_i440fx(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_pci(w, &st->i440fx);
}

static int dec_i440fx_v4(struct rbuf *r, struct decode_ctx *c)
{
	get_pci(r, &c->st->i440fx);
	return dec_finish(r, c);
}

static int dec_i440fx_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (get_trad_pci(r, c, &c->st->i440fx))
		return -1;
	return dec_finish(r, c);
}

/* Upstream I440FX v3 (hw/pci-host/i440fx.c): PCIDevice, u8 unused (was smm_enabled). */
static int dec_i440fx_v3(struct rbuf *r, struct decode_ctx *c)
{
	if (get_upstream_pci(r, c, &c->st->i440fx))
		return -1;
	get_u8(r);
	return dec_finish(r, c);
}

static const struct record_version i440fx_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part (be32 1|2, config[256], [be32 intx[4]])", dec_i440fx_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part (be32 1|2, config[256], [be32 intx[4]])", dec_i440fx_trad },
	{ 3, RV_ACCEPTED, "upstream QEMU 0000:00:00.0/I440FX", "VMState PCIDevice, u8 unused", dec_i440fx_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1", "config[256], u8 intx_levels", dec_i440fx_v4 },
};

/* The 0xcf8 latch, in upstream QEMU's layout (hw/pci/pci_host.c vmstate_pcihost). */
static void enc_pcihost(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_be32(w, st->pci_config_address);
}

static int dec_pcihost_v1(struct rbuf *r, struct decode_ctx *c)
{
	c->st->pci_config_address = get_be32(r) & PCI_CONFIG_ADDRESS_MASK;
	return dec_finish(r, c);
}

static const struct record_version pcihost_versions[] = {
	{ 1, RV_WRITTEN, "upstream QEMU (machines that migrate it); hvmdm 0.2 (same layout)",
	  "be32 config_reg (the 0xcf8 latch)", dec_pcihost_v1 },
};

/* hw/piix_pci.c i440fx_save: the PCI common part only. */
static long trad_i440fx_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)erratum, (void)why;
	return v == 1 || v == 2 ? trad_pci_size(pk->p, pk->left) : -1;
}

static int trad_i440fx_write(struct trad_writer *t, const struct machine *m,
			     const struct machine_state *st, struct load_report *rep, char *err,
			     size_t errlen)
{
	(void)m, (void)err, (void)errlen;
	if (st->pci_config_address)
		load_note(rep, "PCIHost: the 0xcf8 latch %#x is left behind: qemu-xen-traditional keeps none (the guest's next configuration access writes it)",
			  st->pci_config_address);
	put_trad_pci(trad_payload(t), &st->i440fx);
	trad_section(t, "I440FX", 0, 2);
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf i440fx_f[] = { VM_STRUCT(vmd_pci_device, 1, 0), VM_F(1, 1) };
VM_DESC(i440fx, "I440FX", 3, 3, i440fx_f);

static const struct vm_layout i440fx_up[] = { UPSTREAM_LAYOUT("I440FX", i440fx) };

/* PCIDevice, u8 unused (once smm_enabled; QEMU writes 0). */
static int up_i440fx_write(struct up_writer *t, const struct machine *m,
			   const struct machine_state *st, struct load_report *rep, char *err,
			   size_t errlen)
{
	struct wbuf *p = up_payload(t);

	(void)m, (void)rep, (void)err, (void)errlen;
	put_upstream_pci(p, &st->i440fx);
	put_u8(p, 0);
	up_section(t, "0000:00:00.0", "I440FX", 0, 3);
	return 0;
}

const struct record_kind i440fx_kind = {
	.idstr = "I440FX",
	.instances = one_instance,
	.encode = enc_i440fx,
	.required = true,
	KIND_VERSIONS(i440fx_versions),
	.trad = { .size = trad_i440fx_size, .write = trad_i440fx_write, .order = 2 },
	.upstream = { UPSTREAM_LAYOUTS(i440fx_up), .pci_path = "0000:00:00.0", .write = up_i440fx_write,
		      .order = 2 },
};


/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf pcihost_f[] = { VM_F(4, 1) }; /* hw/pci/pci_host.c: config_reg */
VM_DESC(pcihost, "PCIHost", 1, 1, pcihost_f);

static const struct vm_layout pcihost_up[] = { UPSTREAM_LAYOUT("PCIHost", pcihost) };

const struct record_kind pcihost_kind = {
	.idstr = "PCIHost",
	.instances = one_instance,
	.encode = enc_pcihost,
	KIND_VERSIONS(pcihost_versions),
	.trad = { .none = "qemu-xen-traditional keeps no 0xcf8 latch (the next access writes it anyway)" },
	.upstream = { UPSTREAM_LAYOUTS(pcihost_up),
		      .none = "QEMU's xenfv migrates no 0xcf8 latch (a save between a guest's 0xcf8 write and its 0xcfc access reads all-ones there, as with QEMU's own saves)" },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_i440fx(const struct machine *m, const struct machine_state *st)
{
	(void)m;
	return json_pci(&st->i440fx);
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_i440fx(struct machine_state *st)
{
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->i440fx.config[i] = (uint8_t)(i + 1);
	st->i440fx.irq_levels = 1;
	st->pci_config_address = 0x8000b840;
}

const struct state_view i440fx_view = { "i440fx", view_i440fx, probe_i440fx };
