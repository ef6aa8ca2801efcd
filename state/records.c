// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every save record: the encoder of the version hvmdm writes and one decoder
 * per version it reads. Layouts of foreign versions follow their producers:
 *   qemu-xen-traditional (stable-4.17) hw/piix4acpi.c, hw/piix_pci.c,
 *   hw/pci.c (PCI common part), hw/xen_platform.c, hw/serial.c, hw/pckbd.c,
 *   hw/ps2.c, vl.c (timer) — reference/01 and 09 give them byte by byte;
 *   XenServer's qemu-trad patch queue (xenserver/qemu-trad.pg) for piix4acpi 3.
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md. A decoder reads exactly its layout: a short or long
 * payload is an error naming the offset.
 */
#include "registry.h"
#include "vm_records.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static int fail(struct decode_ctx *c, size_t at, const char *fmt, const char *what)
{
	snprintf(c->err, c->errlen, "record %s instance %#x version %u, byte %zu: %s%s",
		 c->rec->idstr, c->rec->instance, c->rec->version, c->rec->payload_offset + at, fmt,
		 what ? what : "");
	return -1;
}

/* Every layout is exact: nothing short, nothing left over. */
static int finish(struct rbuf *r, struct decode_ctx *c)
{
	if (r->short_read)
		return fail(c, r->len, "payload ends early", NULL);
	if (r->pos != r->len) {
		char what[48];

		snprintf(what, sizeof(what), " (%zu bytes left over)", r->len - r->pos);
		return fail(c, r->pos, "payload is longer than its layout", what);
	}
	return 0;
}

static bool get_flag(struct rbuf *r, struct decode_ctx *c, bool *out, int *rc)
{
	size_t at = r->pos;
	uint8_t v = get_u8(r);

	if (v > 1 && !r->short_read) {
		*rc = fail(c, at, "a flag byte is neither 0 nor 1", NULL);
		return false;
	}
	*out = v;
	return true;
}

#define GET_FLAG(r, c, field)                         \
	do {                                          \
		int rc_ = 0;                          \
		if (!get_flag((r), (c), &(field), &rc_)) \
			return rc_;                   \
	} while (0)

/* hvmdm PCI block: 256 config bytes, INTx levels. */
static void put_pci(struct wbuf *w, const struct pci_state *p)
{
	put_bytes(w, p->config, PCI_CONFIG_SIZE);
	put_u8(w, p->irq_levels);
}

static void get_pci(struct rbuf *r, struct pci_state *p)
{
	get_bytes(r, p->config, PCI_CONFIG_SIZE);
	p->irq_levels = get_u8(r);
}

/* Four be32 INTx levels, each 0 or 1 (both producers' PCI common part). */
static int get_intx_levels(struct rbuf *r, struct decode_ctx *c, struct pci_state *p)
{
	p->irq_levels = 0;
	for (unsigned int i = 0; i < 4; i++) {
		size_t at = r->pos;
		uint32_t level = get_be32(r);

		if (level > 1 && !r->short_read)
			return fail(c, at, "INTx level is neither 0 nor 1", NULL);
		p->irq_levels |= (uint8_t)(level << i);
	}
	return 0;
}

/*
 * qemu-xen-traditional hw/pci.c pci_device_save: be32 inner version (1 or 2),
 * 256 config bytes, and with inner version 2 four be32 INTx levels.
 */
static int get_trad_pci(struct rbuf *r, struct decode_ctx *c, struct pci_state *p)
{
	size_t at = r->pos;
	uint32_t inner = get_be32(r);

	if (!r->short_read && (inner < 1 || inner > 2))
		return fail(c, at, "PCI common part has an inner version other than 1 or 2", NULL);
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
static int get_upstream_pci(struct rbuf *r, struct decode_ctx *c, struct pci_state *p)
{
	size_t at = r->pos;
	uint32_t v = get_be32(r);

	if (!r->short_read && v > 2)
		return fail(c, at, "PCIDevice version_id is above 2", NULL);
	get_bytes(r, p->config, PCI_CONFIG_SIZE);
	return get_intx_levels(r, c, p);
}

/* One upstream VMState subsection a decoder reads: name, versions, reader. */
struct up_sub {
	const char *name;
	uint32_t min_version, max_version;
	int (*get)(struct rbuf *r, struct decode_ctx *c, uint32_t version);
};

/*
 * Upstream subsections after a record's fields (migration/vmstate.c
 * vmstate_subsection_load): while the next byte is 0x05, u8 length, name,
 * be32 version, then its fields. Absence is always legal; an unknown name
 * is an error, as in QEMU.
 */
static int get_up_subsections(struct rbuf *r, struct decode_ctx *c, const struct up_sub *subs,
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
			return fail(c, at, "a subsection header is cut short", NULL);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(subs[i].name, name))
				s = &subs[i];
		if (!s)
			return fail(c, at, "unknown subsection ", name);
		if (v < s->min_version || v > s->max_version)
			return fail(c, at, "a subsection version this build does not decode: ", name);
		if (s->get(r, c, v))
			return -1;
	}
	return 0;
}

static void put_queue(struct wbuf *w, const struct ps2_queue *q)
{
	put_le16(w, q->count);
	for (unsigned int i = 0; i < q->count; i++)
		put_u8(w, q->data[(q->head + i) % PS2_QUEUE_SIZE]);
}

static int get_queue(struct rbuf *r, struct decode_ctx *c, struct ps2_queue *q)
{
	size_t at = r->pos;
	uint16_t n = get_le16(r);

	if (n > PS2_QUEUE_SIZE)
		return fail(c, at, "byte queue longer than 256", NULL);
	ps2_queue_reset(q);
	for (unsigned int i = 0; i < n; i++)
		ps2_queue_push(q, get_u8(r));
	return 0;
}

/* ---------------------------------------------------------------- instances */

static unsigned int one_instance(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	(void)m;
	inst[0] = 0;
	return 1;
}

static unsigned int platform_instances(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	inst[0] = 0;
	return m->has_platform ? 1 : 0;
}

static unsigned int trad_only(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	inst[0] = 0;
	return profile_is_trad(m->cfg.profile) ? 1 : 0;
}

static unsigned int not_trad(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	inst[0] = 0;
	return profile_is_trad(m->cfg.profile) ? 0 : 1;
}

/* As qemu-xen-traditional: a UART's instance is its I/O base. */
static unsigned int serial_instances(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	for (unsigned int i = 0; i < m->nr_uarts; i++)
		inst[i] = m->uart[i].base;
	return m->nr_uarts;
}

/* ---------------------------------------------------------------- timer */

static void enc_timer(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_le64(w, st->clock_ns);
}

static int dec_timer_v3(struct rbuf *r, struct decode_ctx *c)
{
	c->st->clock_ns = get_le64(r);
	return finish(r, c);
}

/*
 * Traditional timer v1/v2 on the DM build: be64 cpu_clock_offset, the
 * virtual clock when the VM stopped. Upstream QEMU also writes "timer"
 * version 2, as 24 bytes (cpu_ticks_offset, unused, cpu_clock_offset): the
 * one collision between the two producers, told apart by length.
 */
static int dec_timer_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (r->len == 24 && c->rec->version == 2) {
		get_be64(r);
		get_be64(r);
	}
	c->st->clock_ns = get_be64(r);
	return finish(r, c);
}

static const struct record_version timer_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional (DM build)", "be64 cpu_clock_offset", dec_timer_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional (8 bytes); upstream QEMU (24 bytes)",
	  "be64 cpu_clock_offset | be64 cpu_ticks_offset, be64 unused, be64 cpu_clock_offset",
	  dec_timer_trad },
	{ 3, RV_WRITTEN, "hvmdm 0.1", "le64 virtual clock ns", dec_timer_v3 },
};

/* ---------------------------------------------------------------- I440FX */

static void enc_i440fx(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_pci(w, &st->i440fx);
}

static int dec_i440fx_v4(struct rbuf *r, struct decode_ctx *c)
{
	get_pci(r, &c->st->i440fx);
	return finish(r, c);
}

static int dec_i440fx_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (get_trad_pci(r, c, &c->st->i440fx))
		return -1;
	return finish(r, c);
}

/* Upstream I440FX v3 (hw/pci-host/i440fx.c): PCIDevice, u8 unused (was smm_enabled). */
static int dec_i440fx_v3(struct rbuf *r, struct decode_ctx *c)
{
	if (get_upstream_pci(r, c, &c->st->i440fx))
		return -1;
	get_u8(r);
	return finish(r, c);
}

static const struct record_version i440fx_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part (be32 1|2, config[256], [be32 intx[4]])", dec_i440fx_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part (be32 1|2, config[256], [be32 intx[4]])", dec_i440fx_trad },
	{ 3, RV_ACCEPTED, "upstream QEMU 0000:00:00.0/I440FX", "VMState PCIDevice, u8 unused", dec_i440fx_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1", "config[256], u8 intx_levels", dec_i440fx_v4 },
};

/* ---------------------------------------------------------------- PIIX3 */

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
	return finish(r, c);
}

static int dec_piix3_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (get_trad_pci(r, c, &c->st->piix3.pci))
		return -1;
	c->st->piix3.rcr = 0; /* qemu-xen-traditional had no reset control register */
	return finish(r, c);
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
			return fail(c, at, "PIRQ level is neither 0 nor 1", NULL);
	}
	c->st->piix3.rcr = 0;
	if (get_up_subsections(r, c, subs, 1))
		return -1;
	return finish(r, c);
}

static const struct record_version piix3_versions[] = {
	{ 1, RV_RESERVED, "qemu-xen-traditional (refused by its own loader)", "unknown", NULL },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PCI common part", dec_piix3_trad },
	{ 3, RV_ACCEPTED, "upstream QEMU 0000:00:01.0/PIIX3", "VMState PCIDevice, be32 pci_irq_levels[4], subsections", dec_piix3_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1", "config[256], u8 intx_levels, u8 rcr", dec_piix3_v4 },
};

/* ---------------------------------------------------------------- piix4acpi */

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
	return finish(r, c);
}

/* Traditional v1: PCI, be16 pm1_control; the block lived at the "V0" base. */
static int dec_piix4acpi_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct piix4_pm_state *p = &c->st->pm;

	if (get_trad_pci(r, c, &p->pci))
		return -1;
	p->pm1_cnt = get_be16(r) & (uint16_t)~PM1_CNT_SLP_EN;
	p->pm_base = PM_BASE_V0;
	return finish(r, c);
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
		return fail(c, at, "PM1a event block is neither 0xb000 nor 0x1f40", NULL);
	p->pm_base = (uint16_t)base;
	return finish(r, c);
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
	return finish(r, c);
}

static const struct record_version piix4_pm_versions[] = {
	{ 1, RV_RESERVED, "upstream QEMU, older layouts (its own loader reads 3 only)", "unknown", NULL },
	{ 2, RV_RESERVED, "upstream QEMU, older layouts (its own loader reads 3 only)", "unknown", NULL },
	{ 3, RV_ACCEPTED, "upstream QEMU 0000:00:01.3/piix4_pm",
	  "VMState PCIDevice, be16 pm1 sts en cnt, u8 apmc apms, [pmsmb 48 bytes], be64 tmr expiry, be64 overflow, gpe (be16 sts, be16 en), pci_status (be32 up, be32 down), subsection piix4_pm/memhp",
	  dec_piix4_pm_v3 },
};

/* ---------------------------------------------------------------- gpe */

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
	return finish(r, c);
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
			return fail(c, at, "GPE0 block is neither 0xafe0/2 nor 0x1f68/4", NULL);
		p->gpe_base = (uint16_t)base;
		p->gpe_half = (uint8_t)half;
	} else {
		p->gpe_base = GPE0_BASE_V0;
		p->gpe_half = GPE0_HALF_V0;
	}
	return finish(r, c);
}

static const struct record_version gpe_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "4 x (u8 sts, u8 en), u8 sci_asserted (block at 0x1f68)", dec_gpe_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "4 x (u8 sts, u8 en), u8 sci_asserted, be32 address, be32 half_len", dec_gpe_trad },
	{ 3, RV_WRITTEN, "hvmdm 0.1", "le16 base, u8 half, sts[4], en[4], cpu_map[32]", dec_gpe_v3 },
};

/* ---------------------------------------------------------------- hot-plug */

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
	return finish(r, c);
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
	return finish(r, c);
}

static const struct record_version acpi_pcihp_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.1", "le32 up, le32 down, le32 removable, le32 select", dec_acpi_pcihp_v1 },
};

/* ---------------------------------------------------------------- PCIHost */

/* The 0xcf8 latch, in upstream QEMU's layout (hw/pci/pci_host.c vmstate_pcihost). */
static void enc_pcihost(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_be32(w, st->pci_config_address);
}

static int dec_pcihost_v1(struct rbuf *r, struct decode_ctx *c)
{
	c->st->pci_config_address = get_be32(r) & PCI_CONFIG_ADDRESS_MASK;
	return finish(r, c);
}

static const struct record_version pcihost_versions[] = {
	{ 1, RV_WRITTEN, "upstream QEMU (machines that migrate it); hvmdm 0.2 (same layout)",
	  "be32 config_reg (the 0xcf8 latch)", dec_pcihost_v1 },
};

/* ---------------------------------------------------------------- ide */

/* Bytes of put_ide_regs: task file 13, settings 3, command 4, le64, 7 x le32, 7 flags. */
#define IDE_V4_REGS_LEN 63

static void put_ide_regs(struct wbuf *w, const struct ide_drive_regs *r)
{
	const uint8_t tf[] = { r->feature, r->error, r->nsector, r->sector, r->lcyl, r->hcyl,
			       r->select, r->status, r->hob_feature, r->hob_nsector,
			       r->hob_sector, r->hob_lcyl, r->hob_hcyl };

	put_bytes(w, tf, sizeof(tf));
	put_u8(w, r->mult_sectors);
	put_u8(w, r->xfer_mode);
	put_u8(w, r->write_cache);
	put_u8(w, r->cmd);
	put_u8(w, r->xfer);
	put_u8(w, r->source);
	put_u8(w, r->lba48);
	put_le64(w, r->lba);
	put_le32(w, r->remaining);
	put_le32(w, r->unit);
	put_le32(w, r->chunk);
	put_le32(w, r->drq_len);
	put_le32(w, r->data_pos);
	put_le32(w, r->data_end);
	put_le32(w, r->drq_end);
	put_u8(w, r->sense_key);
	put_u8(w, r->asc);
	put_u8(w, r->unit_attention);
	put_u8(w, r->locked);
	put_u8(w, r->tray_open);
	put_u8(w, r->media_event);
	put_u8(w, r->atapi_dma);
}

static void enc_ide(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct ide_state *s = &st->ide;

	(void)slot;
	put_pci(w, &s->pci);
	put_le16(w, s->unplugged);
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		put_u8(w, s->ch[c].cur);
		put_u8(w, s->ch[c].devctl);
		put_u8(w, s->ch[c].bm_cmd);
		put_u8(w, s->ch[c].bm_status);
		put_u8(w, s->ch[c].irq_pending);
		put_le32(w, s->ch[c].bm_prd);
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		const struct ide_drive_state *d = &s->drive[i];

		put_u8(w, d->kind);
		put_ide_regs(w, &d->r);
		put_le32(w, d->buf_len);
		put_bytes(w, d->buf, d->buf_len);
	}
}

static int get_ide_regs(struct rbuf *r, struct decode_ctx *c, struct ide_drive_regs *g)
{
	uint8_t tf[13];

	get_bytes(r, tf, sizeof(tf));
	g->feature = tf[0], g->error = tf[1], g->nsector = tf[2], g->sector = tf[3];
	g->lcyl = tf[4], g->hcyl = tf[5], g->select = tf[6], g->status = tf[7];
	g->hob_feature = tf[8], g->hob_nsector = tf[9], g->hob_sector = tf[10];
	g->hob_lcyl = tf[11], g->hob_hcyl = tf[12];
	g->mult_sectors = get_u8(r);
	g->xfer_mode = get_u8(r);
	GET_FLAG(r, c, g->write_cache);
	g->cmd = get_u8(r);
	g->xfer = get_u8(r);
	g->source = get_u8(r);
	GET_FLAG(r, c, g->lba48);
	g->lba = get_le64(r);
	g->remaining = get_le32(r);
	g->unit = get_le32(r);
	g->chunk = get_le32(r);
	g->drq_len = get_le32(r);
	g->data_pos = get_le32(r);
	g->data_end = get_le32(r);
	g->drq_end = get_le32(r);
	g->sense_key = get_u8(r);
	g->asc = get_u8(r);
	GET_FLAG(r, c, g->unit_attention);
	GET_FLAG(r, c, g->locked);
	GET_FLAG(r, c, g->tray_open);
	g->media_event = get_u8(r);
	GET_FLAG(r, c, g->atapi_dma);
	return 0;
}

static int dec_ide_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct ide_state *s = &c->st->ide;

	memset(s, 0, sizeof(*s));
	get_pci(r, &s->pci);
	s->unplugged = get_le16(r);
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		s->ch[ch].cur = get_u8(r);
		s->ch[ch].devctl = get_u8(r);
		s->ch[ch].bm_cmd = get_u8(r);
		s->ch[ch].bm_status = get_u8(r);
		GET_FLAG(r, c, s->ch[ch].irq_pending);
		s->ch[ch].bm_prd = get_le32(r);
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_state *d = &s->drive[i];
		size_t at;

		d->kind = get_u8(r);
		if (get_ide_regs(r, c, &d->r))
			return -1;
		at = r->pos;
		d->buf_len = get_le32(r);
		if (r->short_read)
			break;
		if (d->buf_len > IDE_SAVE_BUF)
			return fail(c, at, "IDE buffer longer than any waiting transfer (16 KiB)", NULL);
		get_bytes(r, d->buf, d->buf_len);
	}
	return finish(r, c);
}

/*
 * qemu-xen-traditional v3 (hw/ide.c pci_ide_save/ide_save): PCI common part;
 * per bus master u8 cmd, u8 status, be32 addr, be64 sector_num, be32
 * nsector, u8 ifidx; per channel u8 cmd (device control), u8 drive 1
 * selected; per drive be32 mult_sectors, be32 identify_set, [identify
 * data[512]], u8 write_cache, feature, error, be32 nsector, u8 sector, lcyl,
 * hcyl, hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl, select,
 * status, lba48, sense_key, asc. Which drives exist is not in the stream: the
 * drives stay this machine's (the toolstack passes the same disks). A
 * transfer in flight was never saved ("XXX: if a transfer is pending, we do
 * not save it yet"): such a drive comes back idle, and the report says so.
 */
/*
 * One drive as both foreign producers save it (qemu-xen-traditional hw/ide.c
 * ide_save, upstream hw/ide/core.c vmstate_ide_drive): be32 mult_sectors,
 * be32 identify_set, [identify data], traditional only u8 write_cache, u8
 * feature, error, be32 nsector, u8 sector, lcyl, hcyl, the five HOB bytes
 * (upstream swaps hob_sector and hob_nsector), select, status, lba48,
 * sense_key, asc, upstream only u8 cdrom_changed.
 */
static int get_foreign_drive(struct rbuf *r, struct decode_ctx *c, struct ide_drive_regs *g,
			     bool upstream)
{
	size_t at = r->pos;
	uint32_t mult = get_be32(r), identify_set;

	if (!r->short_read && (mult > IDE_MAX_MULT || (mult & (mult - 1))))
		return fail(c, at, "IDE multiple-sector count not 0 or a power of two up to 16", NULL);
	memset(g, 0, sizeof(*g));
	g->mult_sectors = (uint8_t)mult;
	g->write_cache = true;
	at = r->pos;
	identify_set = get_be32(r);
	if (!r->short_read && identify_set > 1)
		return fail(c, at, "identify_set is neither 0 nor 1", NULL);
	if (identify_set) {
		uint8_t identify[512]; /* regenerated from the drive, as QEMU does on reset */

		get_bytes(r, identify, sizeof(identify));
		g->write_cache = identify[85 * 2] & 0x20; /* word 85 bit 5: write cache on */
	}
	if (!upstream)
		GET_FLAG(r, c, g->write_cache);
	g->feature = get_u8(r);
	g->error = get_u8(r);
	g->nsector = (uint8_t)get_be32(r);
	g->sector = get_u8(r);
	g->lcyl = get_u8(r);
	g->hcyl = get_u8(r);
	g->hob_feature = get_u8(r);
	if (upstream) {
		g->hob_sector = get_u8(r);
		g->hob_nsector = get_u8(r);
	} else {
		g->hob_nsector = get_u8(r);
		g->hob_sector = get_u8(r);
	}
	g->hob_lcyl = get_u8(r);
	g->hob_hcyl = get_u8(r);
	g->select = get_u8(r);
	g->status = get_u8(r);
	GET_FLAG(r, c, g->lba48);
	g->sense_key = get_u8(r);
	g->asc = get_u8(r);
	if (upstream)
		g->unit_attention = get_u8(r) != 0; /* cdrom_changed */
	g->unit = 512;
	return 0;
}

/*
 * Neither foreign producer's transfer state can be resumed: a drive that was
 * busy or asking for data comes back idle. Returns whether it was. The drive
 * kinds stay this machine's (neither producer says which drives exist).
 */
static bool settle_foreign_drive(struct ide_drive_state *d, uint8_t kind)
{
	struct ide_drive_regs *g = &d->r;
	bool busy = false;

	if (g->status & (IDE_STAT_BUSY | IDE_STAT_DRQ)) {
		busy = kind != IDE_KIND_NONE;
		g->status = (uint8_t)((g->status & ~(IDE_STAT_BUSY | IDE_STAT_DRQ)) |
				      IDE_STAT_READY | IDE_STAT_SEEK);
	}
	d->kind = kind;
	d->buf_len = 0;
	if (kind == IDE_KIND_NONE)
		memset(g, 0, sizeof(*g));
	return busy;
}

static int dec_ide_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct ide_state *s = &c->st->ide;
	bool busy = false;

	if (get_trad_pci(r, c, &s->pci))
		return -1;
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		s->ch[ch].bm_cmd = get_u8(r) & (BM_CMD_START | BM_CMD_TO_MEMORY);
		s->ch[ch].bm_status = get_u8(r) & (BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT |
						   BM_STATUS_DRIVE_DMA);
		s->ch[ch].bm_prd = get_be32(r) & ~3u;
		get_be64(r); /* sector_num, nsector, ifidx: the DMA in flight, never resumed */
		get_be32(r);
		get_u8(r);
	}
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		s->ch[ch].devctl = get_u8(r);
		s->ch[ch].cur = get_u8(r) ? 1 : 0;
		s->ch[ch].irq_pending = false; /* the ISA line level lives in Xen's PIC */
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		uint8_t kind = s->drive[i].kind; /* this machine's drive */

		if (get_foreign_drive(r, c, &s->drive[i].r, false))
			return -1;
		busy |= settle_foreign_drive(&s->drive[i], kind);
	}
	if (finish(r, c))
		return -1;
	if (busy)
		load_note(c->rep, "ide: a transfer was in flight; qemu-xen-traditional does not save one, so the drive resumes idle");
	return 0;
}

/* Upstream subsections of the IDE record, kept while one struct is read. */
struct up_ide {
	struct ide_state *s;
	unsigned int idx; /* bus master, bus or drive being read */
	bool bm_status_seen[IDE_CHANNELS];
	bool in_flight;   /* a PIO transfer or a retry QEMU would resume */
	uint8_t tray[IDE_DRIVES][2];
	bool tray_seen[IDE_DRIVES];
};

static struct up_ide *up_ide_cur; /* decoders run one at a time, under the caller's lock */

static int get_bmdma_current(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c, (void)v;
	for (unsigned int i = 0; i < 4; i++)
		get_be32(r); /* QEMU's PRD cursor: a transfer in flight is not resumed */
	return 0;
}

static int get_bmdma_status(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c, (void)v;
	up_ide_cur->s->ch[up_ide_cur->idx].bm_status = get_u8(r);
	up_ide_cur->bm_status_seen[up_ide_cur->idx] = true;
	return 0;
}

static int get_ide_bus_error(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c;
	if (get_be32(r))
		up_ide_cur->in_flight = true; /* a DMA or PIO request QEMU would retry */
	if (v >= 2) {
		get_be64(r);
		get_be32(r);
		get_u8(r);
	}
	return 0;
}

static int get_ide_pio_state(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	uint8_t skip[4096];
	size_t left = 256 * 512 + 4; /* io_buffer_total_len */

	(void)c, (void)v;
	get_be32(r);
	while (left && !r->short_read) {
		size_t n = left < sizeof(skip) ? left : sizeof(skip);

		get_bytes(r, skip, n);
		left -= n;
	}
	get_be32(r), get_be32(r), get_u8(r), get_be32(r), get_be32(r);
	up_ide_cur->in_flight = true;
	return 0;
}

static int get_ide_tray_state(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c, (void)v;
	up_ide_cur->tray[up_ide_cur->idx][0] = get_u8(r);
	up_ide_cur->tray[up_ide_cur->idx][1] = get_u8(r);
	up_ide_cur->tray_seen[up_ide_cur->idx] = true;
	return 0;
}

static int get_ide_gesn_state(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	struct ide_drive_regs *g = &up_ide_cur->s->drive[up_ide_cur->idx].r;

	(void)c, (void)v;
	if (get_u8(r))
		g->media_event = 2; /* new_media */
	get_u8(r);              /* eject_request: QEMU's host-side request */
	return 0;
}

/*
 * Upstream QEMU ide v3 (hw/ide/pci.c vmstate_ide_pci, hw/ide/core.c
 * vmstate_ide_drive; layout in state/vmstate.c): PCIDevice; 2 x bmdma (u8
 * cmd, u8 compat status, be32 addr, be64/be32/u8 retry, subsections
 * current and status); 2 x bus (u8 cmd = device control, u8 unit,
 * subsection error); 4 x drive (be32 mult_sectors, be32 identify_set,
 * [512], u8 feature, error, be32 nsector, u8 sector, lcyl, hcyl,
 * hob_feature, hob_sector, hob_nsector, hob_lcyl, hob_hcyl, select, status,
 * lba48, sense_key, asc, cdrom_changed, subsections pio_state, tray_state,
 * atapi/gesn_state). As for the traditional layout, which drives exist is
 * this machine's; QEMU's transfer in flight (pio_state, a retry) is not
 * resumed: the drive comes back idle and the report says so.
 */
static int dec_ide_upstream(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub bm_subs[] = { { "ide bmdma_current", 1, 1, get_bmdma_current },
						 { "ide bmdma/status", 1, 1, get_bmdma_status } };
	static const struct up_sub bus_subs[] = { { "ide_bus/error", 1, 2, get_ide_bus_error } };
	static const struct up_sub drive_subs[] = { { "ide_drive/pio_state", 1, 1, get_ide_pio_state },
						    { "ide_drive/tray_state", 1, 1, get_ide_tray_state },
						    { "ide_drive/atapi/gesn_state", 1, 1, get_ide_gesn_state } };
	struct ide_state *s = &c->st->ide;
	struct up_ide u = { .s = s };
	uint8_t compat[IDE_CHANNELS];
	int rc = -1;

	up_ide_cur = &u;
	if (get_upstream_pci(r, c, &s->pci))
		goto out;
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		u.idx = ch;
		s->ch[ch].bm_cmd = get_u8(r) & (BM_CMD_START | BM_CMD_TO_MEMORY);
		compat[ch] = get_u8(r);
		s->ch[ch].bm_prd = get_be32(r) & ~3u;
		get_be64(r), get_be32(r), get_u8(r);
		if (get_up_subsections(r, c, bm_subs, 2))
			goto out;
	}
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		size_t at = r->pos;

		u.idx = ch;
		s->ch[ch].devctl = get_u8(r);
		s->ch[ch].cur = get_u8(r);
		if (!r->short_read && s->ch[ch].cur > 1) {
			rc = fail(c, at + 1, "an IDE bus selects a unit other than 0 or 1", NULL);
			goto out;
		}
		s->ch[ch].irq_pending = false; /* the ISA line level lives in Xen's PIC */
		if (get_up_subsections(r, c, bus_subs, 1))
			goto out;
		/* QEMU ide_bmdma_post_load: the compat byte carries retry flags in bits 3-6. */
		if (!u.bm_status_seen[ch]) {
			s->ch[ch].bm_status = compat[ch] & (uint8_t)~0x78;
			if (compat[ch] & 0x78)
				u.in_flight = true;
		}
		s->ch[ch].bm_status &= BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT |
				       BM_STATUS_DRIVE_DMA;
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_regs *g = &s->drive[i].r;
		uint8_t kind = s->drive[i].kind;

		u.idx = i;
		if (get_foreign_drive(r, c, g, true) || get_up_subsections(r, c, drive_subs, 3))
			goto out;
		if (u.tray_seen[i]) {
			g->tray_open = u.tray[i][0] != 0;
			g->locked = u.tray[i][1] != 0;
		}
		u.in_flight |= settle_foreign_drive(&s->drive[i], kind);
	}
	rc = finish(r, c);
	if (!rc && u.in_flight)
		load_note(c->rep, "ide: QEMU had a transfer in flight; hvmdm does not resume QEMU's, so the drive resumes idle");
out:
	up_ide_cur = NULL;
	return rc;
}

/* Version 3 is both producers' number for two different layouts: the reader says whose. */
static int dec_ide_v3(struct rbuf *r, struct decode_ctx *c)
{
	return c->rec->flags & RECORD_UPSTREAM ? dec_ide_upstream(r, c) : dec_ide_trad(r, c);
}

/* qemu-xen-traditional hw/ide.c ide_save: which drives have IDENTIFY data, and of which kind. */
static int trad_ide_drive_kinds(const struct stream_record *rec, uint8_t kinds[IDE_DRIVES])
{
	struct rbuf r;

	rbuf_init(&r, rec->payload, rec->payload_len);
	/* PCI common part: be32 inner version, config[256], inner version 2 adds 4 be32 INTx levels. */
	switch (get_be32(&r)) {
	case 1:
		r.pos = 4 + PCI_CONFIG_SIZE;
		break;
	case 2:
		r.pos = 4 + PCI_CONFIG_SIZE + 16;
		break;
	default:
		return -1;
	}
	r.pos += IDE_CHANNELS * 19 + IDE_CHANNELS * 2; /* bus masters, channels */
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		uint32_t identify_set;

		get_be32(&r); /* mult_sectors */
		identify_set = get_be32(&r);
		kinds[i] = IDE_KIND_NONE;
		if (identify_set) {
			/* Word 0, general configuration: 10b in bits 15-14 is an ATAPI device. */
			uint16_t word0 = get_le16(&r);

			kinds[i] = (word0 & 0xc000) == 0x8000 ? IDE_KIND_CD : IDE_KIND_DISK;
			r.pos += 510;
		}
		r.pos += 20;
		if (r.short_read || r.pos > r.len)
			return -1;
	}
	return 0;
}

int ide_record_drive_kinds(const struct stream_record *rec, uint8_t kinds[IDE_DRIVES])
{
	struct rbuf r;

	if (strcmp(rec->idstr, "ide"))
		return -1;
	if (rec->version == 3 && !(rec->flags & RECORD_UPSTREAM))
		return trad_ide_drive_kinds(rec, kinds);
	if (rec->version != 4)
		return -1;
	rbuf_init(&r, rec->payload, rec->payload_len);
	r.pos = PCI_CONFIG_SIZE + 1 + 2 + IDE_CHANNELS * 9;
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		if (r.pos + 1 + IDE_V4_REGS_LEN + 4 > r.len)
			return -1;
		kinds[i] = get_u8(&r);
		r.pos += IDE_V4_REGS_LEN;
		r.pos += get_le32(&r);
		if (r.short_read || r.pos > r.len || kinds[i] > IDE_KIND_CD)
			return -1;
	}
	return 0;
}

static const struct record_version ide_versions[] = {
	{ 1, RV_RESERVED, "older QEMU (ISA/PCI IDE before version 3)", "unknown", NULL },
	{ 2, RV_RESERVED, "older QEMU (ISA/PCI IDE before version 3)", "unknown", NULL },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional hw/ide.c pci_ide_save; upstream QEMU 0000:00:01.1/ide (VMState, a different layout)",
	  "trad: PCI common part, 2 x bmdma (u8 cmd, u8 status, be32 addr, be64 sector, be32 nsector, u8 if), 2 x (u8 devctl, u8 drive1), 4 x drive | upstream: VMState PCIDevice, bmdma, ide_bus, ide_drive", dec_ide_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.2",
	  "config[256], u8 intx, le16 unplugged, 2 x (u8 cur, devctl, bm_cmd, bm_status, irq_pending, le32 prd), 4 x (u8 kind, task file[13], u8 mult, xfer_mode, write_cache, cmd, xfer, source, lba48, le64 lba, le32 remaining unit chunk drq_len data_pos data_end drq_end, u8 sense_key asc unit_attention locked tray_open media_event atapi_dma, le32 buf_len, buf)",
	  dec_ide_v4 },
};

/* ---------------------------------------------------------------- platform */

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
	return finish(r, c);
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
	return finish(r, c);
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
		return fail(c, at, "platform flags other than the ROM lock", NULL);
	return finish(r, c);
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
	return finish(r, c);
}

static const struct record_version platform_fixed_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "u8 platform_flags", dec_platform_fixed_v1 },
};

/* ---------------------------------------------------------------- serial */

static void enc_serial(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct uart_state *u = &st->uart[slot];

	put_le16(w, u->divider);
	put_u8(w, u->ier);
	put_u8(w, u->fcr);
	put_u8(w, u->lcr);
	put_u8(w, u->mcr);
	put_u8(w, u->lsr);
	put_u8(w, u->msr);
	put_u8(w, u->scr);
	put_u8(w, u->rx_count);
	put_bytes(w, u->rx, sizeof(u->rx));
	put_u8(w, u->tx_count);
	put_bytes(w, u->tx, sizeof(u->tx));
	put_u8(w, u->thr_ipending);
	put_u8(w, u->timeout_ipending);
	put_le64(w, u->timeout_expire);
}

static int dec_serial_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct uart_state *u = &c->st->uart[c->slot];
	size_t at;

	u->divider = get_le16(r);
	u->ier = get_u8(r);
	u->fcr = get_u8(r);
	u->lcr = get_u8(r);
	u->mcr = get_u8(r);
	u->lsr = get_u8(r);
	u->msr = get_u8(r);
	u->scr = get_u8(r);
	at = r->pos;
	u->rx_count = get_u8(r);
	if (u->rx_count > UART_FIFO_SIZE)
		return fail(c, at, "receive FIFO count over 16", NULL);
	get_bytes(r, u->rx, sizeof(u->rx));
	at = r->pos;
	u->tx_count = get_u8(r);
	if (u->tx_count > UART_FIFO_SIZE)
		return fail(c, at, "transmit FIFO count over 16", NULL);
	get_bytes(r, u->tx, sizeof(u->tx));
	GET_FLAG(r, c, u->thr_ipending);
	GET_FLAG(r, c, u->timeout_ipending);
	u->timeout_expire = get_le64(r);
	return finish(r, c);
}

/*
 * Serial registers as qemu-xen-traditional (v1: u8 divider; v2: be16
 * divider, fcr) and upstream QEMU (v3: v2's bytes, then subsections) save
 * them: no FIFO contents in the registers. RBR holds the last byte received:
 * pending if DR.
 */
static void get_serial_regs(struct rbuf *r, struct decode_ctx *c, struct uart_state *u)
{
	uint8_t rbr, iir;

	memset(u, 0, sizeof(*u));
	u->divider = c->rec->version == 1 ? get_u8(r) : get_be16(r);
	rbr = get_u8(r);
	u->ier = get_u8(r) & 0x0f;
	iir = get_u8(r);
	u->lcr = get_u8(r);
	u->mcr = get_u8(r) & 0x1f;
	u->lsr = get_u8(r);
	u->msr = get_u8(r);
	u->scr = get_u8(r);
	if (c->rec->version >= 2)
		u->fcr = get_u8(r) & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
	if (u->lsr & UART_LSR_DR) {
		u->rx[0] = rbr;
		u->rx_count = 1;
	}
	u->thr_ipending = (iir & 0x0f) == UART_IIR_THRI;
}

static int dec_serial_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct uart_state *u = &c->st->uart[c->slot];

	get_serial_regs(r, c, u);
	u->lsr |= UART_LSR_THRE | UART_LSR_TEMT; /* nothing was in flight */
	return finish(r, c);
}

static int get_serial_thr_ipending(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->uart[c->slot].thr_ipending = get_be32(r) != 0;
	return 0;
}

/* A byte the source was still retrying to send: it goes out first here. */
static int get_serial_tsr(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct uart_state *u = &c->st->uart[c->slot];
	uint32_t retry = get_be32(r);
	uint8_t tsr;

	(void)version;
	get_u8(r); /* thr: a copy of the byte already in the FIFO or sent */
	tsr = get_u8(r);
	if (retry && u->tx_count < UART_FIFO_SIZE)
		u->tx[u->tx_count++] = tsr;
	return 0;
}

/* util/fifo8.c vmstate_fifo8: data[16], be32 head, be32 num. */
static int get_fifo8(struct rbuf *r, struct decode_ctx *c, uint8_t *out, uint8_t *count)
{
	uint8_t data[UART_FIFO_SIZE];
	size_t at;
	uint32_t head, num;

	get_bytes(r, data, sizeof(data));
	at = r->pos;
	head = get_be32(r);
	num = get_be32(r);
	if (r->short_read)
		return 0;
	if (head >= UART_FIFO_SIZE || num > UART_FIFO_SIZE)
		return fail(c, at, "FIFO head or count beyond its 16 bytes", NULL);
	for (uint32_t i = 0; i < num; i++)
		out[i] = data[(head + i) % UART_FIFO_SIZE];
	*count = (uint8_t)num;
	return 0;
}

static int get_serial_recv_fifo(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct uart_state *u = &c->st->uart[c->slot];

	(void)version;
	return get_fifo8(r, c, u->rx, &u->rx_count);
}

static int get_serial_xmit_fifo(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct uart_state *u = &c->st->uart[c->slot];
	uint8_t bytes[UART_FIFO_SIZE], n = 0;

	(void)version;
	if (get_fifo8(r, c, bytes, &n))
		return -1;
	for (unsigned int i = 0; i < n && u->tx_count < UART_FIFO_SIZE; i++)
		u->tx[u->tx_count++] = bytes[i];
	return 0;
}

static int get_serial_fifo_timeout(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	uint64_t expire = get_be64(r);

	(void)version;
	c->st->uart[c->slot].timeout_expire = expire == UINT64_MAX ? 0 : expire;
	return 0;
}

static int get_serial_timeout_ipending(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->uart[c->slot].timeout_ipending = get_be32(r) != 0;
	return 0;
}

static int get_serial_poll(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be32(r); /* modem-status polling of a host tty: hvmdm's backends have no lines to poll */
	get_be64(r);
	return 0;
}

/* Upstream serial v3 (hw/char/serial.c vmstate_serial): the v2 registers, then subsections. */
static int dec_serial_v3(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = {
		{ "serial/thr_ipending", 1, 1, get_serial_thr_ipending },
		{ "serial/tsr", 1, 1, get_serial_tsr },
		{ "serial/recv_fifo", 1, 1, get_serial_recv_fifo },
		{ "serial/xmit_fifo", 1, 1, get_serial_xmit_fifo },
		{ "serial/fifo_timeout_timer", 1, 1, get_serial_fifo_timeout },
		{ "serial/timeout_ipending", 1, 1, get_serial_timeout_ipending },
		{ "serial/poll", 1, 1, get_serial_poll },
	};
	struct uart_state *u = &c->st->uart[c->slot];

	get_serial_regs(r, c, u);
	if (get_up_subsections(r, c, subs, sizeof(subs) / sizeof(subs[0])))
		return -1;
	if (u->tx_count == 0)
		u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	return finish(r, c);
}

static const struct record_version serial_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "u8 divider, rbr, ier, iir, lcr, mcr, lsr, msr, scr", dec_serial_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "be16 divider, rbr, ier, iir, lcr, mcr, lsr, msr, scr, fcr", dec_serial_trad },
	{ 3, RV_ACCEPTED, "upstream QEMU", "VMState serial v3 with subsections", dec_serial_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1",
	  "le16 divider, ier, fcr, lcr, mcr, lsr, msr, scr, u8 rx_count, rx[16], u8 tx_count, tx[16], u8 thr_ipending, u8 timeout_ipending, le64 timeout_expire",
	  dec_serial_v4 },
};

/* ---------------------------------------------------------------- i8042 */

static void enc_pckbd(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct i8042_state *k = &st->kbd;

	(void)slot;
	put_u8(w, k->status);
	put_u8(w, k->ctr);
	put_u8(w, k->outport);
	put_u8(w, k->pending_cmd);
	put_u8(w, k->obdata);
	put_u8(w, k->obsrc);
	put_queue(w, &k->ctrl_queue);
	put_queue(w, &k->aux_inject);
}

static int dec_pckbd_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct i8042_state *k = &c->st->kbd;

	k->status = get_u8(r);
	k->ctr = get_u8(r);
	k->outport = get_u8(r);
	k->pending_cmd = get_u8(r);
	k->obdata = get_u8(r);
	k->obsrc = get_u8(r);
	if (get_queue(r, c, &k->ctrl_queue) || get_queue(r, c, &k->aux_inject))
		return -1;
	return finish(r, c);
}

static int get_pckbd_outport(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->kbd.outport = get_u8(r);
	return 0;
}

/*
 * Upstream pckbd/extended_state (hw/input/pckbd.c): be32 migration_flags,
 * be32 obsrc (1 keyboard, 2 mouse, 4 controller), u8 obdata, u8 cbdata. The
 * output buffer byte is then explicit, not the head of a device queue.
 */
static int get_pckbd_extended(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct i8042_state *k = &c->st->kbd;
	size_t at;
	uint32_t src;

	(void)version;
	get_be32(r);
	at = r->pos;
	src = get_be32(r);
	k->obdata = get_u8(r);
	get_u8(r);
	if (r->short_read)
		return 0;
	switch (src) {
	case 0:
		k->obsrc = I8042_SRC_NONE;
		break;
	case 1:
		k->obsrc = I8042_SRC_KBD;
		break;
	case 2:
		k->obsrc = I8042_SRC_AUX;
		break;
	case 4:
		k->obsrc = I8042_SRC_CTRL;
		break;
	default:
		return fail(c, at, "output buffer source is not keyboard, mouse or controller", NULL);
	}
	c->rep->i8042_explicit_ob = true;
	return 0;
}

static const struct up_sub pckbd_subs[] = {
	{ "pckbd_outport", 1, 1, get_pckbd_outport },
	{ "pckbd/extended_state", 0, 0, get_pckbd_extended },
};

/*
 * Traditional pckbd v3: write_cmd, status, mode, pending. Its output buffer is
 * the head of the keyboard or mouse queue; that byte moves into obdata once
 * the ps2 records are in (see fixup_trad_i8042 in snapshot.c).
 */
static int dec_pckbd_v3(struct rbuf *r, struct decode_ctx *c)
{
	struct i8042_state *k = &c->st->kbd;
	uint8_t pending;

	k->pending_cmd = get_u8(r);
	k->status = get_u8(r);
	k->ctr = get_u8(r);
	pending = get_u8(r);
	k->obsrc = I8042_SRC_NONE;
	/* qemu-trad kbd_update_irq: the keyboard's data goes first; the mouse's only when alone. */
	if (k->status & I8042_STR_OBF)
		k->obsrc = (k->status & I8042_STR_AUX_OBF) || pending == 2 ? I8042_SRC_AUX : I8042_SRC_KBD;
	ps2_queue_reset(&k->ctrl_queue);
	ps2_queue_reset(&k->aux_inject);
	if (get_up_subsections(r, c, pckbd_subs, sizeof(pckbd_subs) / sizeof(pckbd_subs[0])))
		return -1;
	return finish(r, c);
}

static void enc_ps2kbd(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct ps2_kbd *k = &st->kbd.kbd;

	(void)slot;
	put_u8(w, k->pending_cmd);
	put_u8(w, k->scanning);
	put_u8(w, k->scancode_set);
	put_u8(w, k->leds);
	put_u8(w, k->typematic);
	put_queue(w, &k->queue);
}

static int dec_ps2kbd_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_kbd *k = &c->st->kbd.kbd;

	k->pending_cmd = get_u8(r);
	GET_FLAG(r, c, k->scanning);
	k->scancode_set = get_u8(r);
	k->leds = get_u8(r);
	k->typematic = get_u8(r);
	if (get_queue(r, c, &k->queue))
		return -1;
	return finish(r, c);
}

/* Traditional PS/2 common part: s32 write_cmd, s32 rptr, s32 wptr, s32 count, data[256]. */
static int get_trad_ps2_common(struct rbuf *r, struct decode_ctx *c, struct ps2_queue *q,
			       uint8_t *pending_cmd)
{
	size_t at = r->pos;
	int32_t cmd = (int32_t)get_be32(r);
	int32_t rptr = (int32_t)get_be32(r);
	int32_t wptr = (int32_t)get_be32(r);
	int32_t count = (int32_t)get_be32(r);
	uint8_t data[256];

	get_bytes(r, data, sizeof(data));
	if (r->short_read)
		return 0;
	if (cmd < -1 || cmd > 0xff)
		return fail(c, at, "pending device command out of range", NULL);
	if (rptr < 0 || rptr > 255 || wptr < 0 || wptr > 255 || count < 0 || count > 256 ||
	    (rptr + count) % 256 != wptr)
		return fail(c, at + 4, "queue pointers are inconsistent", NULL);
	*pending_cmd = cmd < 0 ? 0 : (uint8_t)cmd;
	ps2_queue_reset(q);
	for (int32_t i = 0; i < count; i++)
		ps2_queue_push(q, data[(rptr + i) % 256]);
	return 0;
}

/* Upstream ps2kbd subsections (hw/input/ps2.c); the traditional record has none. */
static int get_ps2kbd_ledstate(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->kbd.kbd.leds = (uint8_t)(get_be32(r) & 7);
	return 0;
}

/* need_high_bit (set-1 translation detail) and the command-reply split of the queue. */
static int get_ps2_ignored_u8(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_u8(r);
	return 0;
}

static int get_ps2_ignored_be32(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be32(r);
	return 0;
}

static const struct up_sub ps2kbd_subs[] = {
	{ "ps2kbd/ledstate", 2, 3, get_ps2kbd_ledstate },
	{ "ps2kbd/need_high_bit", 1, 1, get_ps2_ignored_u8 },
	{ "ps2kbd/command_reply_queue", 0, 0, get_ps2_ignored_be32 },
};

static const struct up_sub ps2mouse_subs[] = {
	{ "ps2mouse/command_reply_queue", 0, 0, get_ps2_ignored_be32 },
};

static int dec_ps2kbd_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_kbd *k = &c->st->kbd.kbd;
	size_t at;
	uint32_t set = 2;

	if (get_trad_ps2_common(r, c, &k->queue, &k->pending_cmd))
		return -1;
	k->scanning = get_be32(r) != 0;
	get_be32(r); /* translate: the controller's command byte says it */
	if (c->rec->version >= 3) {
		at = r->pos;
		set = get_be32(r);
		if (!r->short_read && (set < 1 || set > 3))
			return fail(c, at, "scan code set is not 1-3", NULL);
	}
	k->scancode_set = (uint8_t)set;
	if (get_up_subsections(r, c, ps2kbd_subs, sizeof(ps2kbd_subs) / sizeof(ps2kbd_subs[0])))
		return -1;
	return finish(r, c);
}

static void enc_ps2mouse(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct ps2_mouse *m = &st->kbd.mouse;

	(void)slot;
	put_u8(w, m->pending_cmd);
	put_u8(w, m->reporting);
	put_u8(w, m->remote);
	put_u8(w, m->wrap);
	put_u8(w, m->scaling_2to1);
	put_u8(w, m->resolution);
	put_u8(w, m->sample_rate);
	put_u8(w, m->type);
	put_bytes(w, m->knock, sizeof(m->knock));
	put_u8(w, m->buttons);
	put_queue(w, &m->queue);
}

static int dec_ps2mouse_v3(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_mouse *m = &c->st->kbd.mouse;

	m->pending_cmd = get_u8(r);
	GET_FLAG(r, c, m->reporting);
	GET_FLAG(r, c, m->remote);
	GET_FLAG(r, c, m->wrap);
	GET_FLAG(r, c, m->scaling_2to1);
	m->resolution = get_u8(r);
	m->sample_rate = get_u8(r);
	m->type = get_u8(r);
	get_bytes(r, m->knock, sizeof(m->knock));
	m->buttons = get_u8(r);
	if (get_queue(r, c, &m->queue))
		return -1;
	return finish(r, c);
}

/*
 * Traditional ps2mouse v2: common part, u8 status (0x40 remote, 0x20
 * reporting, 0x10 scaling 2:1), resolution, sample rate, wrap, type,
 * detect state, s32 dx, dy, dz (pending motion, dropped: no input source
 * yet), u8 buttons.
 */
static int dec_ps2mouse_v2(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_mouse *m = &c->st->kbd.mouse;
	uint8_t status;

	if (get_trad_ps2_common(r, c, &m->queue, &m->pending_cmd))
		return -1;
	status = get_u8(r);
	m->remote = status & 0x40;
	m->reporting = status & 0x20;
	m->scaling_2to1 = status & 0x10;
	m->resolution = get_u8(r);
	m->sample_rate = get_u8(r);
	m->wrap = get_u8(r) != 0;
	m->type = get_u8(r);
	get_u8(r);
	get_be32(r);
	get_be32(r);
	get_be32(r);
	m->buttons = get_u8(r) & 7;
	memset(m->knock, 0, sizeof(m->knock));
	if (get_up_subsections(r, c, ps2mouse_subs, sizeof(ps2mouse_subs) / sizeof(ps2mouse_subs[0])))
		return -1;
	return finish(r, c);
}

static const struct record_version pckbd_versions[] = {
	{ 3, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (same 4 bytes)", "u8 write_cmd, u8 status, u8 mode, u8 pending", dec_pckbd_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1",
	  "u8 status, ctr, outport, pending_cmd, obdata, obsrc, queue ctrl, queue aux_inject (queue = le16 n, n bytes)",
	  dec_pckbd_v4 },
};

static const struct record_version ps2kbd_versions[] = {
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PS/2 common, be32 scan_enabled, be32 translate", dec_ps2kbd_trad },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional", "PS/2 common, be32 scan_enabled, be32 translate, be32 scancode_set", dec_ps2kbd_trad },
	{ 4, RV_WRITTEN, "hvmdm 0.1", "u8 pending_cmd, scanning, scancode_set, leds, typematic, queue", dec_ps2kbd_v4 },
};

static const struct record_version ps2mouse_versions[] = {
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PS/2 common, u8 status, resolution, rate, wrap, type, detect, s32 dx, dy, dz, u8 buttons", dec_ps2mouse_v2 },
	{ 3, RV_WRITTEN, "hvmdm 0.1",
	  "u8 pending_cmd, reporting, remote, wrap, scaling, resolution, sample_rate, type, knock[3], buttons, queue",
	  dec_ps2mouse_v3 },
};

/* ---------------------------------------------------------------- RTC, fw_cfg */

static unsigned int rtc_instances(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	inst[0] = 0x70; /* the traditional instance: the I/O base */
	return m->has_rtc ? 1 : 0;
}

static unsigned int fw_cfg_instances(const struct machine *m, uint32_t inst[MACHINE_MAX_SERIAL])
{
	inst[0] = 0;
	return m->has_fw_cfg ? 1 : 0;
}

static void enc_rtc(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_bytes(w, st->rtc.cmos, sizeof(st->rtc.cmos));
	put_u8(w, st->rtc.index);
	put_le64(w, (uint64_t)st->rtc.offset_s);
	put_le64(w, st->rtc.periodic_expire);
	put_le64(w, st->rtc.second_expire);
}

static int dec_rtc_v4(struct rbuf *r, struct decode_ctx *c)
{
	get_bytes(r, c->st->rtc.cmos, sizeof(c->st->rtc.cmos));
	c->st->rtc.index = get_u8(r);
	c->st->rtc.offset_s = (int64_t)get_le64(r);
	c->st->rtc.periodic_expire = get_le64(r);
	c->st->rtc.second_expire = get_le64(r);
	return finish(r, c);
}

/*
 * Traditional v1 (197 bytes): cmos[128], u8 index, 7 x s32 time, then five
 * 64-bit timer fields that are all-ones or zero on the DM build. The time
 * fields were Xen's; the clock offset stays the machine's own.
 */
static int dec_rtc_v1(struct rbuf *r, struct decode_ctx *c)
{
	uint8_t skip[28 + 40];

	get_bytes(r, c->st->rtc.cmos, sizeof(c->st->rtc.cmos));
	c->st->rtc.index = get_u8(r);
	get_bytes(r, skip, sizeof(skip));
	c->st->rtc.periodic_expire = 0;
	return finish(r, c);
}

static int get_rtc_reinject(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be16(r); /* lost-tick reinjection: the clock and its IRQ are Xen's */
	return 0;
}

/*
 * Upstream QEMU v3 (hw/rtc/mc146818rtc.c vmstate_rtc; 245 bytes in a real
 * qemu-xen 7.2 stream): cmos[128], u8 index, 28 unused bytes (the old tm),
 * be64 periodic timer, be64 next_periodic_time, 24 unused, be32
 * irq_coalesced, be32 period, be64 base_rtc, last_update, offset, update
 * timer, next_alarm_time, then subsections. Read for xenfv only, whose CMOS
 * is NVRAM: the clock's part is Xen's and is skipped.
 */
static int dec_rtc_v3(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = {
		{ "mc146818rtc/irq_reinject_on_ack_count", 1, 1, get_rtc_reinject },
	};
	uint8_t skip[28 + 16 + 24 + 8 + 40];

	get_bytes(r, c->st->rtc.cmos, sizeof(c->st->rtc.cmos));
	c->st->rtc.index = get_u8(r);
	get_bytes(r, skip, sizeof(skip));
	c->st->rtc.periodic_expire = 0;
	if (get_up_subsections(r, c, subs, sizeof(subs) / sizeof(subs[0])))
		return -1;
	return finish(r, c);
}

static const struct record_version rtc_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "cmos[128], u8 index, 7 x s32 tm, be64 x 5 timers", dec_rtc_v1 },
	{ 2, RV_RESERVED, "upstream QEMU (older VMState)", "unknown", NULL },
	{ 3, RV_ACCEPTED, "upstream QEMU", "VMState mc146818rtc v3 with subsections", dec_rtc_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.2",
	  "cmos[128], u8 index, le64 offset_s, le64 periodic_expire, le64 second_expire", dec_rtc_v4 },
};

static void enc_fw_cfg(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_le16(w, st->fw_cfg.cur_entry);
	put_le32(w, st->fw_cfg.cur_offset);
	put_le64(w, st->fw_cfg.dma_addr);
}

static int dec_fw_cfg_v3(struct rbuf *r, struct decode_ctx *c)
{
	c->st->fw_cfg.cur_entry = get_le16(r);
	c->st->fw_cfg.cur_offset = get_le32(r);
	c->st->fw_cfg.dma_addr = get_le64(r);
	return finish(r, c);
}

/* Traditional v1: be16 cur_entry, be16 cur_offset. */
static int dec_fw_cfg_v1(struct rbuf *r, struct decode_ctx *c)
{
	c->st->fw_cfg.cur_entry = get_be16(r);
	c->st->fw_cfg.cur_offset = get_be16(r);
	c->st->fw_cfg.dma_addr = 0;
	return finish(r, c);
}

static const struct record_version fw_cfg_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (same 4 bytes)", "be16 cur_entry, be16 cur_offset", dec_fw_cfg_v1 },
	{ 2, RV_RESERVED, "upstream QEMU", "VMState fw_cfg v2 (be16 entry, be32 offset), subsections", NULL },
	{ 3, RV_WRITTEN, "hvmdm 0.2", "le16 cur_entry, le32 cur_offset, le64 dma_addr", dec_fw_cfg_v3 },
};

/* ---------------------------------------------------------------- registry */

/* In write order. */
const struct record_kind record_kinds[] = {
	{ "timer", one_instance, enc_timer, true, VERSIONS(timer_versions), NULL, { NULL, NULL } },
	{ "I440FX", one_instance, enc_i440fx, true, VERSIONS(i440fx_versions), NULL, { NULL, NULL } },
	{ "PIIX3", one_instance, enc_piix3, true, VERSIONS(piix3_versions), NULL, { NULL, NULL } },
	{ "piix4acpi", one_instance, enc_piix4acpi, true, VERSIONS(piix4acpi_versions), NULL, { NULL, NULL } },
	{ "gpe", one_instance, enc_gpe, true, VERSIONS(gpe_versions), NULL, { NULL, NULL } },
	{ "pci_devfn", trad_only, enc_pci_devfn, false, VERSIONS(pci_devfn_versions), NULL, { NULL, NULL } },
	{ "acpi_pcihp", not_trad, enc_acpi_pcihp, false, VERSIONS(acpi_pcihp_versions), NULL, { NULL, NULL } },
	{ "platform", platform_instances, enc_platform, true, VERSIONS(platform_versions), NULL, { NULL, NULL } },
	{ "platform_fixed_ioport", platform_instances, NULL, false, VERSIONS(platform_fixed_versions), NULL, { NULL, NULL } },
	{ "serial", serial_instances, enc_serial, true, VERSIONS(serial_versions), NULL, { NULL, NULL } },
	{ "pckbd", one_instance, enc_pckbd, true, VERSIONS(pckbd_versions), NULL, { NULL, NULL } },
	{ "ps2kbd", one_instance, enc_ps2kbd, true, VERSIONS(ps2kbd_versions), NULL, { NULL, NULL } },
	{ "ps2mouse", one_instance, enc_ps2mouse, true, VERSIONS(ps2mouse_versions), NULL, { NULL, NULL } },
	/* Added in 0.2: not required, so 0.1 streams (which lack them) still load. */
	{ "mc146818rtc", rtc_instances, enc_rtc, false, VERSIONS(rtc_versions), NULL, { NULL, NULL } },
	{ "fw_cfg", fw_cfg_instances, enc_fw_cfg, false, VERSIONS(fw_cfg_versions), NULL, { NULL, NULL } },
	{ "ide", one_instance, enc_ide, false, VERSIONS(ide_versions), NULL, { NULL, NULL } },
	{ "PCIHost", one_instance, enc_pcihost, false, VERSIONS(pcihost_versions), NULL, { NULL, NULL } },
	/* Read-only: upstream QEMU's PM function, whose one record holds piix4acpi, gpe and acpi_pcihp. */
	{ "piix4_pm", one_instance, NULL, false, VERSIONS(piix4_pm_versions), NULL,
	  { "piix4acpi", "gpe" } },
};

const size_t nr_record_kinds = sizeof(record_kinds) / sizeof(record_kinds[0]);

const struct erratum errata[] = {
	{ "xs-6.0-6.2-piix4acpi", "piix4acpi", 2, 1,
	  "XenServer 6.0 (Boston) - 6.2 (Clearwater) qemu-trad: a partial revert kept the version-2 number but wrote version-1 content (xenserver/qemu-trad.pg fix-migrate-from-Boston-thru-Clearwater.patch)",
	  "framed: payload of 278 bytes (PCI common part + be16) instead of 282; unframed traditional streams: the 4 bytes after pm1_control are not 0x1f40/0xb000 followed by a section header or EOF" },
};

const size_t nr_errata = sizeof(errata) / sizeof(errata[0]);

const struct record_kind *record_kind_find_in(const struct record_kind *table, size_t n,
					      const char *idstr)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].idstr, idstr))
			return &table[i];
	return NULL;
}

const struct record_kind *record_kind_find(const char *idstr)
{
	return record_kind_find_in(record_kinds, nr_record_kinds, idstr);
}

size_t registry_nr_kinds(void)
{
	return nr_record_kinds + nr_vm_record_kinds;
}

const struct record_kind *registry_kind(size_t i)
{
	return i < nr_record_kinds ? &record_kinds[i] : &vm_record_kinds[i - nr_record_kinds];
}

const struct record_kind *registry_find(const char *idstr)
{
	const struct record_kind *k = record_kind_find(idstr);

	return k ? k : vm_record_kind_find(idstr);
}

const struct record_version *record_version_find(const struct record_kind *k, uint32_t version)
{
	for (size_t i = 0; i < k->nr_versions; i++)
		if (k->versions[i].version == version)
			return &k->versions[i];
	return NULL;
}

uint32_t record_written_version(const struct record_kind *k)
{
	for (size_t i = 0; i < k->nr_versions; i++)
		if (k->versions[i].status == RV_WRITTEN)
			return k->versions[i].version;
	return 0;
}

const char *rv_status_name(enum rv_status s)
{
	switch (s) {
	case RV_WRITTEN:
		return "written";
	case RV_ACCEPTED:
		return "accepted";
	case RV_RESERVED:
		return "reserved";
	}
	return "?";
}

/* Distinct, non-default values everywhere, so any layout change shows. */
void probe_state(struct machine_state *st, uint8_t profile)
{
	uint8_t n = 1;

	memset(st, 0, sizeof(*st));
	st->profile = profile;
	st->clock_ns = 0x0102030405060708ull;
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++) {
		st->i440fx.config[i] = n++;
		st->piix3.pci.config[i] = (uint8_t)(n * 3);
		st->pm.pci.config[i] = (uint8_t)(n * 5);
		st->platform.pci.config[i] = (uint8_t)(n * 7);
	}
	st->i440fx.irq_levels = 1;
	st->pci_config_address = 0x8000b840;
	st->piix3.pci.irq_levels = 2;
	st->piix3.rcr = 2;
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
	st->platform.pci.irq_levels = 8;
	st->platform.flags = 1;
	st->platform.unplugged = 3;
	st->platform.driver_product_version = 0x1234;
	st->platform.driver_build = 0x56789abc;
	st->platform.drivers_blacklisted = true;
	for (unsigned int u = 0; u < MACHINE_MAX_SERIAL; u++) {
		struct uart_state *s = &st->uart[u];

		s->divider = (uint16_t)(0x0102 + u);
		s->ier = 0x0f;
		s->fcr = 0xc9;
		s->lcr = 0x1b;
		s->mcr = 0x1f;
		s->lsr = 0x61;
		s->msr = 0xbb;
		s->scr = 0x77;
		s->rx_count = 3;
		s->tx_count = 16;
		for (unsigned int i = 0; i < UART_FIFO_SIZE; i++) {
			s->rx[i] = i < 3 ? (uint8_t)(0xa0 + i) : 0;
			s->tx[i] = (uint8_t)(0xb0 + i);
		}
		s->thr_ipending = true;
		s->timeout_ipending = true;
		s->timeout_expire = 0x0a0b0c0d0e0f1011ull;
	}
	st->kbd.status = 0x1d;
	st->kbd.ctr = 0x47;
	st->kbd.outport = 0xcf;
	st->kbd.pending_cmd = 0xd4;
	st->kbd.obdata = 0xfa;
	st->kbd.obsrc = I8042_SRC_AUX;
	ps2_queue_push(&st->kbd.ctrl_queue, 0x55);
	ps2_queue_push(&st->kbd.aux_inject, 0x66);
	st->kbd.kbd.pending_cmd = 0xed;
	st->kbd.kbd.scanning = true;
	st->kbd.kbd.scancode_set = 3;
	st->kbd.kbd.leds = 5;
	st->kbd.kbd.typematic = 0x2b;
	ps2_queue_push(&st->kbd.kbd.queue, 0xaa);
	ps2_queue_push(&st->kbd.kbd.queue, 0xbb);
	st->kbd.mouse.pending_cmd = 0xf3;
	st->kbd.mouse.reporting = true;
	st->kbd.mouse.remote = true;
	st->kbd.mouse.wrap = true;
	st->kbd.mouse.scaling_2to1 = true;
	st->kbd.mouse.resolution = 3;
	st->kbd.mouse.sample_rate = 200;
	st->kbd.mouse.type = 4;
	st->kbd.mouse.knock[0] = 200;
	st->kbd.mouse.knock[1] = 100;
	st->kbd.mouse.knock[2] = 80;
	st->kbd.mouse.buttons = 5;
	ps2_queue_push(&st->kbd.mouse.queue, 0x08);
	for (unsigned int i = 0; i < CMOS_SIZE; i++)
		st->rtc.cmos[i] = (uint8_t)(0x33 + i);
	st->rtc.index = 0x8e;
	st->rtc.offset_s = -123456789;
	st->rtc.periodic_expire = 0x1234567890ull;
	st->rtc.second_expire = 0x2345678901ull;
	st->fw_cfg.cur_entry = 0x21;
	st->fw_cfg.cur_offset = 0x1234;
	st->fw_cfg.dma_addr = 0x0000000100000000ull;
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->ide.pci.config[i] = (uint8_t)(n * 11 + i);
	st->ide.pci.irq_levels = 1;
	st->ide.unplugged = 2;
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		st->ide.ch[c].cur = (uint8_t)c;
		st->ide.ch[c].devctl = (uint8_t)(0x02 + c);
		st->ide.ch[c].bm_cmd = 0x09;
		st->ide.ch[c].bm_status = (uint8_t)(0x65 + c);
		st->ide.ch[c].irq_pending = true;
		st->ide.ch[c].bm_prd = 0x12345678u + c;
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_state *d = &st->ide.drive[i];
		uint8_t *tf = &d->r.feature;

		d->kind = (uint8_t)(i % 3);
		for (unsigned int b = 0; b < 8; b++)
			tf[b] = (uint8_t)(0x10 * i + b + 1);
		d->r.hob_feature = 0x91, d->r.hob_nsector = 0x92, d->r.hob_sector = 0x93;
		d->r.hob_lcyl = 0x94, d->r.hob_hcyl = 0x95;
		d->r.mult_sectors = 8, d->r.xfer_mode = 0x42, d->r.write_cache = true;
		d->r.cmd = 0xc4, d->r.xfer = IDE_XFER_PIO_IN, d->r.source = IDE_SRC_SECTORS;
		d->r.lba48 = true, d->r.lba = 0x0102030405ull + i, d->r.remaining = 77;
		d->r.unit = 512, d->r.chunk = 8, d->r.drq_len = 4096, d->r.data_pos = 100;
		d->r.data_end = 4096, d->r.drq_end = 4096;
		d->r.sense_key = 6, d->r.asc = 0x28, d->r.unit_attention = true, d->r.locked = true;
		d->r.tray_open = true, d->r.media_event = 2, d->r.atapi_dma = true;
		d->buf_len = 4 + i;
		for (unsigned int b = 0; b < d->buf_len; b++)
			d->buf[b] = (uint8_t)(0xc0 + b + i);
	}
}

uint32_t record_fingerprint(const struct record_kind *k, uint32_t *len)
{
	struct machine_state st;
	struct wbuf w;
	uint32_t crc;

	*len = 0;
	if (k->fingerprint)
		return k->fingerprint(len);
	if (!k->encode)
		return 0;
	probe_state(&st, PROFILE_XENFV);
	wbuf_init(&w, RECORD_MAX_PAYLOAD);
	k->encode(&w, &st, 0);
	crc = w.failed ? 0 : crc32c(0, w.data, w.len);
	*len = (uint32_t)w.len;
	wbuf_free(&w);
	return crc;
}
