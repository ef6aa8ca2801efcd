// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Xen platform device: "platform" and "platform_fixed_ioport"
 * (qemu-xen-traditional hw/xen_platform.c, upstream QEMU's xen-platform).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_platform(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct xen_platform_state *p = &st->platform;

	(void)slot;
	put_pci(w, &p->pci);
	put_u8(w, p->flags);
	put_le16(w, p->unplugged);
	put_le16(w, p->driver_product_version);
	put_le32(w, p->driver_build);
	put_u8(w, p->drivers_blacklisted);
}

static int dec_platform_v5(struct rbuf *r, struct decode_ctx *c)
{
	struct xen_platform_state *p = &c->st->platform;

	get_pci(r, &p->pci);
	p->flags = get_u8(r);
	p->unplugged = get_le16(r);
	p->driver_product_version = get_le16(r);
	p->driver_build = get_le32(r);
	GET_FLAG(r, c, p->drivers_blacklisted);
	return dec_finish(r, c);
}

/* Traditional v1: PCI; v2: PCI, u8 flags, be64 unused; v3: PCI, be64 unused. */
static int dec_platform_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct xen_platform_state *p = &c->st->platform;

	if (get_trad_pci(r, c, &p->pci))
		return -1;
	if (c->rec->version == 2)
		p->flags = get_u8(r) & PFFLAG_ROM_LOCK;
	if (c->rec->version >= 2)
		get_be64(r);
	return dec_finish(r, c);
}

/* Upstream platform v4 (hw/i386/xen/xen_platform.c): PCIDevice, u8 flags (bit 0: ROM lock). */
static int dec_platform_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct xen_platform_state *p = &c->st->platform;
	size_t at;

	if (get_upstream_pci(r, c, &p->pci))
		return -1;
	at = r->pos;
	p->flags = get_u8(r);
	if (!r->short_read && (p->flags & ~PFFLAG_ROM_LOCK))
		return dec_fail(c, at, "platform flags other than the ROM lock", NULL);
	return dec_finish(r, c);
}

static const struct record_version platform_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part", dec_platform_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part, u8 flags, be64 unused", dec_platform_trad },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part, be64 unused (flags in platform_fixed_ioport)", dec_platform_trad },
	{ 4, RV_ACCEPTED, "upstream QEMU", "VMState PCIDevice, u8 flags", dec_platform_v4 },
	{ 5, RV_WRITTEN, "hvmdm 0.1",
	  "config[256], u8 intx, u8 flags, le16 unplugged, le16 product, le32 build, u8 blacklisted",
	  dec_platform_v5 },
};

static int dec_platform_fixed_v1(struct rbuf *r, struct decode_ctx *c)
{
	c->st->platform.flags = get_u8(r) & PFFLAG_ROM_LOCK;
	return dec_finish(r, c);
}

static const struct record_version platform_fixed_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "u8 platform_flags", dec_platform_fixed_v1 },
};

/* hw/xen_platform.c xen_pci_save: PCI common part; v2 adds u8 flags, v2 and v3 a be64. */
static long trad_platform_size(const struct trad_peek *pk, uint32_t v, bool *erratum,
			       const char **why)
{
	long pci = trad_pci_size(pk->p, pk->left);

	(void)erratum, (void)why;
	if (v < 1 || v > 3 || pci < 0)
		return -1;
	return pci + (v == 1 ? 0 : v == 2 ? 9 : 8);
}

/* "platform" v3, then "platform_fixed_ioport" v1 with the flags, as the producer writes them. */
static int trad_platform_write(struct trad_writer *t, const struct machine *m,
			       const struct machine_state *st, struct load_report *rep, char *err,
			       size_t errlen)
{
	const struct xen_platform_state *s = &st->platform;

	(void)err, (void)errlen;
	if (!m->has_platform)
		return 0;
	put_trad_pci(trad_payload(t), &s->pci);
	put_be64(trad_payload(t), 0);
	trad_section(t, "platform", 0, 3);
	put_u8(trad_payload(t), s->flags);
	trad_section(t, "platform_fixed_ioport", 0, 1);
	/* The be64 xen_pci_save writes is zero: the PV-driver handshake is not kept. */
	if (s->unplugged || s->driver_build || s->driver_product_version || s->drivers_blacklisted)
		load_note(rep, "platform: the PV drivers' unplug (%#x) and version report (product %u, build %u%s) are not in the traditional layout",
			  s->unplugged, s->driver_product_version, s->driver_build,
			  s->drivers_blacklisted ? ", refused" : "");
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf platform_f[] = { VM_STRUCT(vmd_pci_device, 1, 0), VM_F(1, 1) }; /* hw/i386/xen/xen_platform.c */
VM_DESC(platform, "platform", 4, 4, platform_f);

static const struct vm_layout platform_up[] = { UPSTREAM_LAYOUT("platform", platform) };

/* PCIDevice, u8 flags (the ROM lock); QEMU has no place for the rest (the unplug done is the guest's). */
static int up_platform_write(struct up_writer *t, const struct machine *m,
			     const struct machine_state *st, struct load_report *rep, char *err,
			     size_t errlen)
{
	struct wbuf *p = up_payload(t);

	(void)rep, (void)err, (void)errlen;
	if (!m->has_platform)
		return 0;
	put_upstream_pci(p, &st->platform.pci);
	put_u8(p, st->platform.flags & PFFLAG_ROM_LOCK);
	up_section(t, "0000:00:02.0", "platform", 0, 4);
	return 0;
}

const struct record_kind platform_kind = {
	.idstr = "platform",
	.instances = platform_instances,
	.encode = enc_platform,
	.required = true,
	KIND_VERSIONS(platform_versions),
	.trad = { .size = trad_platform_size, .write = trad_platform_write, .order = 6 },
	.upstream = { UPSTREAM_LAYOUTS(platform_up), .pci_path = "0000:00:02.0", .write = up_platform_write,
		      .order = 12 },
};
/* hw/xen_platform.c platform_fixed_ioport_save: u8 flags. */
static long trad_platform_fixed_size(const struct trad_peek *pk, uint32_t v, bool *erratum,
				     const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 ? 1 : -1;
}

const struct record_kind platform_fixed_kind = {
	.idstr = "platform_fixed_ioport",
	.instances = platform_instances,
	KIND_VERSIONS(platform_fixed_versions),
	.trad = { .size = trad_platform_fixed_size },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_platform(const struct machine *m, const struct machine_state *st)
{
	const struct xen_platform_state *p = &st->platform;

	if (!m->has_platform)
		return NULL;
	return json_pack(
			"{s:o, s:i, s:i, s:i, s:I, s:b}", "pci", json_pci(&p->pci), "flags", p->flags,
			"unplugged", p->unplugged, "driver_product_version", p->driver_product_version,
			"driver_build", (json_int_t)p->driver_build, "drivers_blacklisted",
			p->drivers_blacklisted);
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_platform(struct machine_state *st)
{
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->platform.pci.config[i] = (uint8_t)((i + 2) * 7);
	st->platform.pci.irq_levels = 8;
	st->platform.flags = 1;
	st->platform.unplugged = 3;
	st->platform.driver_product_version = 0x1234;
	st->platform.driver_build = 0x56789abc;
	st->platform.drivers_blacklisted = true;
}

const struct state_view platform_view = { "xen_platform", view_platform, probe_platform };
