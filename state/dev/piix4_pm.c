// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX4 power-management function: "piix4acpi", "gpe", "pci_devfn" and
 * "acpi_pcihp" (qemu-xen-traditional hw/piix4acpi.c, XenServer's
 * piix4acpi 3) and upstream QEMU's one "piix4_pm" record holding them all.
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_piix4acpi(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct piix4_pm_state *p = &st->pm;

	(void)slot;
	put_pci(w, &p->pci);
	put_le16(w, p->pm1_sts);
	put_le16(w, p->pm1_en);
	put_le16(w, p->pm1_cnt);
	put_le16(w, p->pm_base);
	put_u8(w, p->timer_32bit);
	put_le64(w, p->tmr_overflow);
	put_u8(w, p->apm_cnt);
	put_u8(w, p->apm_sts);
}

static int dec_piix4acpi_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct piix4_pm_state *p = &c->st->pm;

	get_pci(r, &p->pci);
	p->pm1_sts = get_le16(r);
	p->pm1_en = get_le16(r);
	p->pm1_cnt = get_le16(r);
	p->pm_base = get_le16(r);
	GET_FLAG(r, c, p->timer_32bit);
	p->tmr_overflow = get_le64(r);
	p->apm_cnt = get_u8(r);
	p->apm_sts = get_u8(r);
	return dec_finish(r, c);
}

/* Traditional v1: PCI, be16 pm1_control; the block lived at the "V0" base. */
static int dec_piix4acpi_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct piix4_pm_state *p = &c->st->pm;

	if (get_trad_pci(r, c, &p->pci))
		return -1;
	p->pm1_cnt = get_be16(r) & (uint16_t)~PM1_CNT_SLP_EN;
	p->pm_base = PM_BASE_V0;
	return dec_finish(r, c);
}

/* Traditional v2 and XenServer v3: v1 plus be32 PM1a event block address. */
static int dec_piix4acpi_v2(struct rbuf *r, struct decode_ctx *c)
{
	struct piix4_pm_state *p = &c->st->pm;
	size_t at;
	uint32_t base;

	if (get_trad_pci(r, c, &p->pci))
		return -1;
	p->pm1_cnt = get_be16(r) & (uint16_t)~PM1_CNT_SLP_EN;
	at = r->pos;
	base = get_be32(r);
	if (!r->short_read && base != PM_BASE_V1 && base != PM_BASE_V0)
		return dec_fail(c, at, "PM1a event block is neither 0xb000 nor 0x1f40", NULL);
	p->pm_base = (uint16_t)base;
	return dec_finish(r, c);
}

/*
 * XenServer 6.0-6.2 wrote "version 2" with version-1 content (278 bytes, no
 * address): in a framed record the length tells (errata table, below).
 */
#define PIIX4ACPI_V1_LEN (276 + 2)

static int dec_piix4acpi_v2_or_erratum(struct rbuf *r, struct decode_ctx *c)
{
	if (r->len == PIIX4ACPI_V1_LEN) {
		if (c->rep && c->rep->nr_notes < LOAD_MAX_NOTES)
			snprintf(c->rep->notes[c->rep->nr_notes++], sizeof(c->rep->notes[0]),
				 "erratum xs-6.0-6.2-piix4acpi: piix4acpi version 2 at byte %zu has "
				 "version-1 content (XenServer 6.0-6.2); loaded as version 1",
				 c->rec->offset);
		return dec_piix4acpi_v1(r, c);
	}
	return dec_piix4acpi_v2(r, c);
}

static const struct record_version piix4acpi_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part, be16 pm1_control (PM block at 0x1f40)", dec_piix4acpi_v1 },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional; XenServer 6.0-6.2 (erratum: v1 content)",
	  "PCI common part, be16 pm1_control, be32 pm1a_evt_blk_address", dec_piix4acpi_v2_or_erratum },
	{ 3, RV_ACCEPTED, "XenServer qemu-trad (renumbered v2)",
	  "PCI common part, be16 pm1_control, be32 pm1a_evt_blk_address", dec_piix4acpi_v2 },
	{ 4, RV_WRITTEN, "hvmdm 0.1",
	  "config[256], u8 intx, le16 pm1_sts, le16 pm1_en, le16 pm1_cnt, le16 pm_base, u8 timer_32bit, le64 tmr_overflow, u8 apm_cnt, u8 apm_sts",
	  dec_piix4acpi_v4 },
};

static int get_piix4_memhp(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be32(r); /* selector; no slots follow: libxl configures no memory hot-plug slots */
	return 0;
}

/*
 * Upstream piix4_pm v3 (hw/acpi/piix4.c vmstate_acpi, reference/02 §2.5.3),
 * Xen's shape: PCIDevice, be16 PM1 status, enable, control, APM (u8 apmc,
 * apms), the SMBus block only for machine types that migrate it (the reader
 * flags that layout), be64 PM timer expiry and overflow time (QEMU's clock;
 * under xenfv the PM timer and PM1 event block are Xen's), GPE0 status and
 * enable (each a host-endian u16 on the source written big-endian: byte 1
 * then byte 0 from an x86 host), PCI hot-plug up/down for bus 0, and the
 * memory hot-plug subsection with no slots. GPE, PM and hot-plug state all
 * land in hvmdm's PIIX4 PM function, so this record stands for piix4acpi,
 * gpe and acpi_pcihp.
 */
static int dec_piix4_pm_v3(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = { { "piix4_pm/memhp", 1, 1, get_piix4_memhp } };
	struct piix4_pm_state *p = &c->st->pm;
	uint16_t sts, en;

	if (get_upstream_pci(r, c, &p->pci))
		return -1;
	p->pm1_sts = get_be16(r);
	p->pm1_en = get_be16(r);
	p->pm1_cnt = get_be16(r) & (uint16_t)~PM1_CNT_SLP_EN;
	p->apm_cnt = get_u8(r);
	p->apm_sts = get_u8(r);
	if (c->rec->flags & RECORD_LAYOUT_ALT) {
		uint8_t smbus[48];

		get_bytes(r, smbus, sizeof(smbus));
		load_note(c->rep, "piix4_pm: the SMBus controller's state dropped (hvmdm has no SMBus)");
	}
	get_be64(r);
	get_be64(r);
	sts = get_be16(r);
	en = get_be16(r);
	memset(p->gpe_sts, 0, sizeof(p->gpe_sts));
	memset(p->gpe_en, 0, sizeof(p->gpe_en));
	p->gpe_sts[0] = (uint8_t)sts;
	p->gpe_sts[1] = (uint8_t)(sts >> 8);
	p->gpe_en[0] = (uint8_t)en;
	p->gpe_en[1] = (uint8_t)(en >> 8);
	p->pcihp_up = get_be32(r);
	p->pcihp_down = get_be32(r);
	p->pm_base = piix4_pm_config_base(p->pci.config); /* as QEMU's post_load maps it */
	if (get_up_subsections(r, c, subs, 1))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version piix4_pm_versions[] = {
	{ 1, RV_RESERVED, "upstream QEMU, older layouts (its own loader reads 3 only)", "unknown", NULL },
	{ 2, RV_RESERVED, "upstream QEMU, older layouts (its own loader reads 3 only)", "unknown", NULL },
	{ 3, RV_ACCEPTED, "upstream QEMU 0000:00:01.3/piix4_pm",
	  "VMState PCIDevice, be16 pm1 sts en cnt, u8 apmc apms, [pmsmb 48 bytes], be64 tmr expiry, be64 overflow, gpe (be16 sts, be16 en), pci_status (be32 up, be32 down), subsection piix4_pm/memhp",
	  dec_piix4_pm_v3 },
};

static void enc_gpe(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct piix4_pm_state *p = &st->pm;

	(void)slot;
	put_le16(w, p->gpe_base);
	put_u8(w, p->gpe_half);
	put_bytes(w, p->gpe_sts, sizeof(p->gpe_sts));
	put_bytes(w, p->gpe_en, sizeof(p->gpe_en));
	put_bytes(w, p->cpu_map, sizeof(p->cpu_map));
}

static int dec_gpe_v3(struct rbuf *r, struct decode_ctx *c)
{
	struct piix4_pm_state *p = &c->st->pm;

	p->gpe_base = get_le16(r);
	p->gpe_half = get_u8(r);
	get_bytes(r, p->gpe_sts, sizeof(p->gpe_sts));
	get_bytes(r, p->gpe_en, sizeof(p->gpe_en));
	get_bytes(r, p->cpu_map, sizeof(p->cpu_map));
	return dec_finish(r, c);
}

/*
 * Traditional: four (sts, en) pairs, u8 sci_asserted (derived, ignored);
 * v2 adds be32 block address and be32 half length; v1 means the V0 block.
 * The CPU map was never saved: the restored machine's own map stays.
 */
static int dec_gpe_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct piix4_pm_state *p = &c->st->pm;

	for (unsigned int i = 0; i < GPE0_HALF_V0; i++) {
		p->gpe_sts[i] = get_u8(r);
		p->gpe_en[i] = get_u8(r);
	}
	get_u8(r);
	if (c->rec->version >= 2) {
		size_t at = r->pos;
		uint32_t base = get_be32(r), half = get_be32(r);

		if (!r->short_read && !((base == GPE0_BASE_V1 && half == GPE0_HALF_V1) ||
					(base == GPE0_BASE_V0 && half == GPE0_HALF_V0)))
			return dec_fail(c, at, "GPE0 block is neither 0xafe0/2 nor 0x1f68/4", NULL);
		p->gpe_base = (uint16_t)base;
		p->gpe_half = (uint8_t)half;
	} else {
		p->gpe_base = GPE0_BASE_V0;
		p->gpe_half = GPE0_HALF_V0;
	}
	return dec_finish(r, c);
}

static const struct record_version gpe_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "4 x (u8 sts, u8 en), u8 sci_asserted (block at 0x1f68)", dec_gpe_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "4 x (u8 sts, u8 en), u8 sci_asserted, be32 address, be32 half_len", dec_gpe_trad },
	{ 3, RV_WRITTEN, "hvmdm 0.1", "le16 base, u8 half, sts[4], en[4], cpu_map[32]", dec_gpe_v3 },
};

static void enc_pci_devfn(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_bytes(w, st->pm.php_status, sizeof(st->pm.php_status));
	put_u8(w, st->pm.php_evt);
	put_u8(w, st->pm.php_devfn);
}

static int dec_pci_devfn_v1(struct rbuf *r, struct decode_ctx *c)
{
	get_bytes(r, c->st->pm.php_status, sizeof(c->st->pm.php_status));
	c->st->pm.php_evt = get_u8(r);
	c->st->pm.php_devfn = get_u8(r);
	return dec_finish(r, c);
}

/* hvmdm writes the traditional layout unchanged: it holds all the state. */
static const struct record_version pci_devfn_versions[] = {
	{ 1, RV_WRITTEN, "qemu-xen-traditional; hvmdm 0.1 (same layout)",
	  "status[128] (nibble per function), u8 plug_evt, u8 plug_devfn", dec_pci_devfn_v1 },
};

static void enc_acpi_pcihp(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_le32(w, st->pm.pcihp_up);
	put_le32(w, st->pm.pcihp_down);
	put_le32(w, st->pm.pcihp_removable);
	put_le32(w, st->pm.pcihp_sel);
}

static int dec_acpi_pcihp_v1(struct rbuf *r, struct decode_ctx *c)
{
	c->st->pm.pcihp_up = get_le32(r);
	c->st->pm.pcihp_down = get_le32(r);
	c->st->pm.pcihp_removable = get_le32(r);
	c->st->pm.pcihp_sel = get_le32(r);
	return dec_finish(r, c);
}

static const struct record_version acpi_pcihp_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.1", "le32 up, le32 down, le32 removable, le32 select", dec_acpi_pcihp_v1 },
};

/*
 * hw/piix4acpi.c piix4acpi_save: PCI part, be16 pm1_control, and from
 * version 2 be32 the PM1a event block's address; XenServer's version 3 the
 * same bytes. XenServer 6.0-6.2 wrote "version 2" with version-1 content:
 * the 4 bytes after pm1_control are an address only if they are 0x1f40 or
 * 0xb000 and the next section header (or EOF) follows them.
 */
static long trad_piix4acpi_size(const struct trad_peek *pk, uint32_t v, bool *erratum,
				const char **why)
{
	long pci = trad_pci_size(pk->p, pk->left);
	size_t after;

	if (v < 1 || v > 3 || pci < 0)
		return -1;
	if (v == 1)
		return pci + 2;
	if (v == 3)
		return pci + 6;
	after = (size_t)pci + 2;
	if (after + 4 <= pk->left) {
		const uint8_t *a = pk->p + after;
		uint32_t addr = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];

		if ((addr == 0x1f40 || addr == 0xb000) && pk->header_at(pk, after + 4, false))
			return pci + 6;
	}
	/* Version-1 content: the next section (or a final EOF) starts right here. */
	if (pk->header_at(pk, after, true)) {
		*erratum = true;
		return pci + 2;
	}
	*why = "neither the version-2 layout nor XenServer's version-1 content fits: the stream is damaged";
	return -1;
}

static int trad_piix4acpi_write(struct trad_writer *t, const struct machine *m,
				const struct machine_state *st, struct load_report *rep, char *err,
				size_t errlen)
{
	(void)m, (void)rep, (void)err, (void)errlen;
	put_trad_pci(trad_payload(t), &st->pm.pci);
	put_be16(trad_payload(t), st->pm.pm1_cnt);
	put_be32(trad_payload(t), st->pm.pm_base);
	trad_section(t, "piix4acpi", 0, 2);
	return 0;
}

/*
 * QEMU's one PM record, hw/acpi/piix4.c vmstate_acpi v3 in Xen's shape (no
 * SMBus block): PCIDevice, be16 PM1 status, enable, control, APM control
 * and status, the PM timer (no QEMU timer pending, overflow 0: under xenfv
 * the PM timer is Xen's), GPE0 status and enable (QEMU's 2-byte halves,
 * byte 1 then byte 0), PCI hot-plug up/down of bus 0, and the memory
 * hot-plug subsection QEMU's xenfv always writes (selector 0, no slots).
 */
static int up_piix4_pm_write(struct up_writer *t, const struct machine *m,
			     const struct machine_state *st, struct load_report *rep, char *err,
			     size_t errlen)
{
	const struct piix4_pm_state *s = &st->pm;
	struct wbuf *p = up_payload(t);

	(void)m, (void)rep;
	for (unsigned int i = 2; i < GPE0_HALF_V0; i++)
		if (s->gpe_sts[i] || s->gpe_en[i]) {
			snprintf(err, errlen, "piix4_pm: GPE0 byte %u is in use; QEMU's xenfv GPE0 block has two bytes of status and two of enables",
				 i);
			return -1;
		}
	put_upstream_pci(p, &s->pci);
	put_be16(p, s->pm1_sts);
	put_be16(p, s->pm1_en);
	put_be16(p, s->pm1_cnt);
	put_u8(p, s->apm_cnt);
	put_u8(p, s->apm_sts);
	put_be64(p, UINT64_MAX); /* tmr.timer: not pending */
	put_be64(p, 0);          /* tmr.overflow_time */
	put_be16(p, (uint16_t)(s->gpe_sts[0] | s->gpe_sts[1] << 8));
	put_be16(p, (uint16_t)(s->gpe_en[0] | s->gpe_en[1] << 8));
	put_be32(p, s->pcihp_up);
	put_be32(p, s->pcihp_down);
	put_up_subsection(p, "piix4_pm/memhp", 1);
	put_be32(p, 0);
	up_section(t, "0000:00:01.3", "piix4_pm", 0, 3);
	return 0;
}

const struct record_kind piix4acpi_kind = {
	.idstr = "piix4acpi",
	.instances = one_instance,
	.encode = enc_piix4acpi,
	.required = true,
	KIND_VERSIONS(piix4acpi_versions),
	.trad = { .size = trad_piix4acpi_size, .write = trad_piix4acpi_write, .order = 14 },
	.upstream = { .write = up_piix4_pm_write, .order = 11 },
};
/* hw/piix4acpi.c gpe_save: v1 4 x (sts, en), sci_asserted; v2 adds be32 block address and half length. */
static long trad_gpe_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 ? 9 : v == 2 ? 17 : -1;
}

static int trad_gpe_write(struct trad_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	const struct piix4_pm_state *pm = &st->pm;
	struct wbuf *p = trad_payload(t);
	uint8_t sci = 0;

	(void)m, (void)rep, (void)err, (void)errlen;
	for (unsigned int i = 0; i < 4; i++) {
		put_u8(p, pm->gpe_sts[i]);
		put_u8(p, pm->gpe_en[i]);
		sci |= pm->gpe_sts[i] & pm->gpe_en[i];
	}
	put_u8(p, sci ? 1 : 0);
	put_be32(p, pm->gpe_base);
	put_be32(p, pm->gpe_half);
	trad_section(t, "gpe", 0, 2);
	return 0;
}

const struct record_kind gpe_kind = {
	.idstr = "gpe",
	.instances = one_instance,
	.encode = enc_gpe,
	.required = true,
	KIND_VERSIONS(gpe_versions),
	.trad = { .size = trad_gpe_size, .write = trad_gpe_write, .order = 12 },
	.upstream = { .none = "in QEMU's piix4_pm section (piix4acpi writes it)" },
};
/* hw/piix4acpi.c pci_devfn_save: status[128] (a nibble per function), plug_evt, plug_devfn. */
static long trad_pci_devfn_size(const struct trad_peek *pk, uint32_t v, bool *erratum,
				const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 ? 130 : -1;
}

static int trad_pci_devfn_write(struct trad_writer *t, const struct machine *m,
				const struct machine_state *st, struct load_report *rep, char *err,
				size_t errlen)
{
	const struct piix4_pm_state *pm = &st->pm;

	(void)m, (void)rep, (void)err, (void)errlen;
	put_bytes(trad_payload(t), pm->php_status, sizeof(pm->php_status));
	put_u8(trad_payload(t), pm->php_evt);
	put_u8(trad_payload(t), pm->php_devfn);
	trad_section(t, "pci_devfn", 0, 1);
	return 0;
}

const struct record_kind pci_devfn_kind = {
	.idstr = "pci_devfn",
	.instances = trad_only,
	.encode = enc_pci_devfn,
	KIND_VERSIONS(pci_devfn_versions),
	.trad = { .size = trad_pci_devfn_size, .write = trad_pci_devfn_write, .order = 13 },
	.upstream = { .none = "the traditional machine's hot-plug latch; upstream QEMU's is acpi_pcihp" },
};
const struct record_kind acpi_pcihp_kind = {
	.idstr = "acpi_pcihp",
	.instances = not_trad,
	.encode = enc_acpi_pcihp,
	KIND_VERSIONS(acpi_pcihp_versions),
	.trad = { .none = "upstream QEMU's PCI hot-plug; the traditional machine has pci_devfn instead" },
	.upstream = { .none = "in QEMU's piix4_pm section (piix4acpi writes it)" },
};
/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf apm_f[] = { VM_F(1, 2) };
VM_DESC(apm, "APM State", 1, 1, apm_f);
/* hw/i2c/pm_smbus.c pmsmb_vmstate: 6 registers, index, data[32], auxctl, blkdata, 4 bools */
static const struct vmf pmsmb_f[] = { VM_F(1, 6), VM_F(4, 1), VM_F(1, 32), VM_F(1, 2), VM_F(1, 4) };
VM_DESC(pmsmb, "pmsmb", 1, 1, pmsmb_f);
static const struct vmf gpe_f[] = { VM_F(2, 2) }; /* sts, en: host-endian u16 each */
VM_DESC(gpe, "gpe", 1, 1, gpe_f);
static const struct vmf pci_status_f[] = { VM_F(4, 2) }; /* up, down */
VM_DESC(pci_status, "pci_status", 1, 1, pci_status_f);
/* Memory hot-plug: selector, then one entry per slot; libxl configures none. */
VM_SUB(piix4_memhp, "piix4_pm/memhp", 1, VM_F(4, 1));
VM_SUB_UNSUPPORTED(piix4_cpuhp, "piix4_pm/cpuhp",
		"the modern CPU hot-plug interface (an entry per possible vCPU), which hvmloader's ACPI tables never switch to");
static const struct vmd *const piix4_subs[] = { &piix4_memhp, &piix4_cpuhp };
/*
 * The SMBus block is there only for machine types whose smbus_no_migration_support
 * is off (pc >= 4.0); xenfv (= xenfv-3.1) leaves it out. The hot-plug part is the
 * Xen one: use_acpi_hotplug_bridge is forced off under Xen, so pci_status[0]
 * (version 2) and nothing after it.
 */
static const struct vmf piix4_f[] = {
	VM_STRUCT(vmd_pci_device, 1, 0), VM_F(2, 3), VM_STRUCT(apm, 1, 0), VM_F(8, 2),
	VM_STRUCT(gpe, 1, 2), VM_STRUCT(pci_status, 1, 2),
};
VM_DESC_SUBS(piix4_pm, "piix4_pm", 3, 3, piix4_f, piix4_subs);
static const struct vmf piix4_smb_f[] = {
	VM_STRUCT(vmd_pci_device, 1, 0), VM_F(2, 3), VM_STRUCT(apm, 1, 0), VM_STRUCT(pmsmb, 1, 3), VM_F(8, 2),
	VM_STRUCT(gpe, 1, 2), VM_STRUCT(pci_status, 1, 2),
};
VM_DESC_SUBS(piix4_pm_smb, "piix4_pm", 3, 3, piix4_smb_f, piix4_subs);

static const struct vm_layout piix4_pm_up[] = {
	{ "piix4_pm", &piix4_pm, 0, "without the SMBus block (machine xenfv)", VML_DEVICE, NULL, NULL },
	{ "piix4_pm", &piix4_pm_smb, 0, "with the SMBus block (machine pc >= 4.0)", VML_DEVICE, NULL, NULL },
};

const struct record_kind piix4_pm_kind = {
	.idstr = "piix4_pm",
	.instances = one_instance,
	KIND_VERSIONS(piix4_pm_versions),
	.covers = { "piix4acpi", "gpe" },
	.upstream = { UPSTREAM_LAYOUTS(piix4_pm_up), .pci_path = "0000:00:01.3" },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_piix4_pm(const struct machine *m, const struct machine_state *st)
{
	const struct piix4_pm_state *pm = &st->pm;

	(void)m;
	return json_pack(
		"{s:o, s:i, s:i, s:i, s:i, s:b, s:o, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:i, s:i}",
		"pci", json_pci(&pm->pci), "pm1_sts", pm->pm1_sts, "pm1_en", pm->pm1_en,
		"pm1_cnt", pm->pm1_cnt, "pm_base", pm->pm_base, "timer_32bit", pm->timer_32bit,
		"tmr_overflow", json_u64(pm->tmr_overflow), "apm_cnt", pm->apm_cnt, "apm_sts", pm->apm_sts,
		"gpe_base", pm->gpe_base, "gpe_half", pm->gpe_half,
		"gpe_sts", json_hex(pm->gpe_sts, sizeof(pm->gpe_sts)), "gpe_en", json_hex(pm->gpe_en, sizeof(pm->gpe_en)),
		"cpu_map", json_hex(pm->cpu_map, sizeof(pm->cpu_map)), "pcihp_up", (json_int_t)pm->pcihp_up,
		"pcihp_down", (json_int_t)pm->pcihp_down, "pcihp_removable", (json_int_t)pm->pcihp_removable,
		"pcihp_sel", (json_int_t)pm->pcihp_sel, "php_status", json_hex(pm->php_status, sizeof(pm->php_status)),
		"php_evt", pm->php_evt, "php_devfn", pm->php_devfn);
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_piix4_pm(struct machine_state *st)
{
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->pm.pci.config[i] = (uint8_t)((i + 2) * 5);
	st->pm.pci.irq_levels = 4;
	st->pm.pm1_sts = 0x1111;
	st->pm.pm1_en = 0x2222;
	st->pm.pm1_cnt = 0x0c01;
	st->pm.pm_base = 0xb000;
	st->pm.timer_32bit = true;
	st->pm.tmr_overflow = 0x1122334455667788ull;
	st->pm.apm_cnt = 0xf1;
	st->pm.apm_sts = 0x5a;
	st->pm.gpe_base = 0xafe0;
	st->pm.gpe_half = 2;
	for (unsigned int i = 0; i < GPE0_HALF_V0; i++) {
		st->pm.gpe_sts[i] = (uint8_t)(0x10 + i);
		st->pm.gpe_en[i] = (uint8_t)(0x20 + i);
	}
	for (unsigned int i = 0; i < CPU_MAP_LEN; i++)
		st->pm.cpu_map[i] = (uint8_t)(0x40 + i);
	st->pm.pcihp_up = 0x01020304;
	st->pm.pcihp_down = 0x05060708;
	st->pm.pcihp_removable = 0x090a0b0c;
	st->pm.pcihp_sel = 0x0d0e0f10;
	for (unsigned int i = 0; i < TRAD_PHP_SLOTS; i++)
		st->pm.php_status[i] = (uint8_t)(0x80 + i);
	st->pm.php_evt = 3;
	st->pm.php_devfn = 0x20;
}

const struct state_view piix4_pm_view = { "piix4_pm", view_piix4_pm, probe_piix4_pm };
