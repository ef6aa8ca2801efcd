// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Intel 82540EM NICs: "e1000", one record per NIC. hvmdm's instance is
 * the function's devfn, as upstream QEMU names the function in the section
 * (0000:00:SS.0/e1000); qemu-xen-traditional numbers its sections in
 * creation order (register_savevm instance -1), so its instance k is the
 * machine's k-th e1000.
 *
 * Layouts (reference/11 §5.2; olafhering/qemu-xen-traditional hw/e1000.c
 * nic_save, QEMU 7.2 hw/net/e1000.c vmstate_e1000): one big-endian body
 *   1: PCI part, an old instance id, mmio_base, rxbuf_size and min_shift,
 *      the EECD shift state, a transmit context, the packet in flight (its
 *      256-byte header and 64 KiB of data), EEPROM, PHY, 37 MAC registers,
 *      RA[32], MTA[128], VFTA[128];
 *   2: the same without the old instance id; upstream adds the subsections
 *      e1000/mit_state, e1000/full_mac_state (the whole register file) and
 *      e1000/tx_tso_state (the segmentation context).
 * hvmdm's own layout (3) is little-endian and spelled out in
 * docs/stream-format.md. A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static unsigned int e1000_instances(const struct machine *m, uint32_t *inst)
{
	for (unsigned int i = 0; i < m->nr_e1000; i++)
		inst[i] = m->e1000[i].pci.devfn;
	return m->nr_e1000;
}

/* hvmdm's flag bytes */
#define F_UNPLUGGED 0x01
#define F_TX_PARTIAL 0x02
#define F_EE_READING 0x04
#define F_TSO_LAST 0x08
#define F_CPTSE 0x10
#define F_VLAN_NEEDED 0x20
#define F_MIT_TIMER 0x40
#define F_MIT_LEVEL 0x80
#define G_MIT_IDE 0x01
#define G_IP 0x02
#define G_TCP 0x04
#define G_TSE 0x08
#define G_TSO_IP 0x10
#define G_TSO_TCP 0x20
#define G_TSO_TSE 0x40
#define G_ALL 0x7f

static void put_props(struct wbuf *w, const struct e1000_tx_props *p)
{
	put_u8(w, p->ipcss);
	put_u8(w, p->ipcso);
	put_le16(w, p->ipcse);
	put_u8(w, p->tucss);
	put_u8(w, p->tucso);
	put_le16(w, p->tucse);
	put_le32(w, p->paylen);
	put_u8(w, p->hdr_len);
	put_le16(w, p->mss);
}

static void get_props(struct rbuf *r, struct e1000_tx_props *p)
{
	p->ipcss = get_u8(r);
	p->ipcso = get_u8(r);
	p->ipcse = get_le16(r);
	p->tucss = get_u8(r);
	p->tucso = get_u8(r);
	p->tucse = get_le16(r);
	p->paylen = get_le32(r);
	p->hdr_len = get_u8(r);
	p->mss = get_le16(r);
}

static void enc_e1000(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct e1000_state *n = &st->e1000[slot];
	const struct e1000_regs *g = &n->r;

	put_pci(w, &n->pci);
	put_u8(w, (uint8_t)((n->unplugged ? F_UNPLUGGED : 0) | (n->tx_partial ? F_TX_PARTIAL : 0) |
			    (g->ee_reading ? F_EE_READING : 0) | (g->tso_last ? F_TSO_LAST : 0) |
			    (g->cptse ? F_CPTSE : 0) | (g->vlan_needed ? F_VLAN_NEEDED : 0) |
			    (g->mit_timer_on ? F_MIT_TIMER : 0) | (g->mit_irq_level ? F_MIT_LEVEL : 0)));
	put_u8(w, (uint8_t)((g->mit_ide ? G_MIT_IDE : 0) | (g->props.ip ? G_IP : 0) |
			    (g->props.tcp ? G_TCP : 0) | (g->props.tse ? G_TSE : 0) |
			    (g->tso_props.ip ? G_TSO_IP : 0) | (g->tso_props.tcp ? G_TSO_TCP : 0) |
			    (g->tso_props.tse ? G_TSO_TSE : 0)));
	for (unsigned int i = 0; i < E1000_NR_REGS; i++)
		put_le32(w, g->mac[i]);
	for (unsigned int i = 0; i < E1000_PHY_REGS; i++)
		put_le16(w, g->phy[i]);
	for (unsigned int i = 0; i < E1000_EEPROM_WORDS; i++)
		put_le16(w, g->eeprom[i]);
	put_le32(w, g->ee_val_in);
	put_le16(w, g->ee_bitnum_in);
	put_le16(w, g->ee_bitnum_out);
	put_le32(w, g->ee_old);
	put_props(w, &g->props);
	put_props(w, &g->tso_props);
	put_le16(w, g->tso_frames);
	put_u8(w, g->sum_needed);
	put_le16(w, g->vlan_tci);
	put_le64(w, g->mit_deadline);
	put_le64(w, g->autoneg_deadline);
	put_le64(w, g->rx_hold_until);
}

static int dec_e1000_v3(struct rbuf *r, struct decode_ctx *c)
{
	struct e1000_state *n = &c->st->e1000[c->slot];
	struct e1000_regs *g = &n->r;
	size_t at;
	uint8_t f, h;

	memset(n, 0, sizeof(*n));
	get_pci(r, &n->pci);
	f = get_u8(r);
	at = r->pos;
	h = get_u8(r);
	if (!r->short_read && (h & ~G_ALL))
		return dec_fail(c, at, "unknown flag bits %s", "");
	n->unplugged = f & F_UNPLUGGED;
	n->tx_partial = f & F_TX_PARTIAL;
	g->ee_reading = f & F_EE_READING;
	g->tso_last = f & F_TSO_LAST;
	g->cptse = f & F_CPTSE;
	g->vlan_needed = f & F_VLAN_NEEDED;
	g->mit_timer_on = f & F_MIT_TIMER;
	g->mit_irq_level = f & F_MIT_LEVEL;
	g->mit_ide = h & G_MIT_IDE;
	g->props.ip = h & G_IP;
	g->props.tcp = h & G_TCP;
	g->props.tse = h & G_TSE;
	g->tso_props.ip = h & G_TSO_IP;
	g->tso_props.tcp = h & G_TSO_TCP;
	g->tso_props.tse = h & G_TSO_TSE;
	for (unsigned int i = 0; i < E1000_NR_REGS; i++)
		g->mac[i] = get_le32(r);
	for (unsigned int i = 0; i < E1000_PHY_REGS; i++)
		g->phy[i] = get_le16(r);
	for (unsigned int i = 0; i < E1000_EEPROM_WORDS; i++)
		g->eeprom[i] = get_le16(r);
	g->ee_val_in = get_le32(r);
	g->ee_bitnum_in = get_le16(r);
	g->ee_bitnum_out = get_le16(r);
	g->ee_old = get_le32(r);
	get_props(r, &g->props);
	get_props(r, &g->tso_props);
	g->tso_frames = get_le16(r);
	g->sum_needed = get_u8(r);
	g->vlan_tci = get_le16(r);
	g->mit_deadline = get_le64(r);
	g->autoneg_deadline = get_le64(r);
	g->rx_hold_until = get_le64(r);
	return dec_finish(r, c);
}

/* ---------------------------------------------------------------- the producers' body */

/* The MAC registers both producers' body carries, in its order (hw/net/e1000.c mac_regtosave). */
static const uint16_t body_regs[37] = {
	0x0000 /* CTRL */, 0x0010 /* EECD */, 0x0014 /* EERD */, 0x4074 /* GPRC */, 0x4080 /* GPTC */,
	0x00c0 /* ICR */, 0x00c8 /* ICS */, 0x00d8 /* IMC */, 0x00d0 /* IMS */, 0x0e00 /* LEDCTL */,
	0x5820 /* MANC */, 0x0020 /* MDIC */, 0x4010 /* MPC */, 0x1000 /* PBA */, 0x0100 /* RCTL */,
	0x2804 /* RDBAH */, 0x2800 /* RDBAL */, 0x2810 /* RDH */, 0x2808 /* RDLEN */, 0x2818 /* RDT */,
	0x0008 /* STATUS */, 0x5b50 /* SWSM */, 0x0400 /* TCTL */, 0x3804 /* TDBAH */, 0x3800 /* TDBAL */,
	0x3810 /* TDH */, 0x3808 /* TDLEN */, 0x3818 /* TDT */, 0x40c4 /* TORH */, 0x40c0 /* TORL */,
	0x40cc /* TOTH */, 0x40c8 /* TOTL */, 0x40d0 /* TPR */, 0x40d4 /* TPT */, 0x3828 /* TXDCTL */,
	0x5808 /* WUFC */, 0x0038 /* VET */,
};

#define TX_HEADER_BYTES 256u
#define TX_DATA_BYTES 65536u
#define FULL_MAC_WORDS 0x8000u

static void set_reg(struct e1000_regs *g, uint32_t off, uint32_t v)
{
	int i = e1000_reg_index(off);

	if (i >= 0)
		g->mac[i] = v;
}

static uint32_t get_reg(const struct e1000_regs *g, uint32_t off)
{
	int i = e1000_reg_index(off);

	return i >= 0 ? g->mac[i] : 0;
}

/* A transmit context as both producers store it: big-endian, ip and tcp as signed bytes. */
static int get_be_props(struct rbuf *r, struct decode_ctx *c, struct e1000_tx_props *p, bool flags)
{
	size_t at;
	uint8_t ip, tcp;

	p->ipcss = get_u8(r);
	p->ipcso = get_u8(r);
	p->ipcse = get_be16(r);
	p->tucss = get_u8(r);
	p->tucso = get_u8(r);
	p->tucse = get_be16(r);
	p->paylen = get_be32(r);
	p->hdr_len = get_u8(r);
	p->mss = get_be16(r);
	if (!flags)
		return 0;
	at = r->pos;
	ip = get_u8(r);
	tcp = get_u8(r);
	if (!r->short_read && (ip > 1 || tcp > 1))
		return dec_fail(c, at, "transmit context ip/tcp flags %s other than 0 or 1", "");
	p->ip = ip;
	p->tcp = tcp;
	return 0;
}

/* QEMU's post_load for what the body cannot say: see e1000_state.foreign. */
static void settle_foreign(struct e1000_state *n)
{
	struct e1000_regs *g = &n->r;

	n->foreign = true;
	g->rx_hold_until = 0;
	g->autoneg_deadline = 0;
	g->mit_deadline = 0;
	g->mit_ide = false;
	/* QEMU reopens the mitigation window for a moment after a load. */
	g->mit_timer_on = true;
	n->unplugged = false;
}

static int get_producer_body(struct rbuf *r, struct decode_ctx *c, bool upstream, uint32_t version)
{
	struct e1000_state *n = &c->st->e1000[c->slot];
	struct e1000_regs *g = &n->r;
	struct e1000_tx_props mig = { 0 };
	size_t at;
	uint16_t reading, tx_size;
	uint8_t ipb, tcpb;

	memset(n, 0, sizeof(*n));
	if (upstream ? get_upstream_pci(r, c, &n->pci) : get_trad_pci(r, c, &n->pci))
		return -1;
	if (version == 1)
		get_be32(r);    /* an old instance id */
	get_be32(r);            /* mmio_base */
	get_be32(r);            /* rxbuf_size: RCTL says it */
	get_be32(r);            /* rxbuf_min_shift: RCTL says it */
	g->ee_val_in = get_be32(r);
	g->ee_bitnum_in = get_be16(r);
	g->ee_bitnum_out = get_be16(r);
	at = r->pos;
	reading = get_be16(r);
	if (!r->short_read && reading > 1)
		return dec_fail(c, at, "EEPROM reading flag %s other than 0 or 1", "");
	g->ee_reading = reading;
	g->ee_old = get_be32(r);
	if (get_be_props(r, c, &mig, false))
		return -1;
	tx_size = get_be16(r);
	g->tso_frames = get_be16(r);
	g->sum_needed = get_u8(r);
	at = r->pos;
	ipb = get_u8(r);
	tcpb = get_u8(r);
	if (!r->short_read && (ipb > 1 || tcpb > 1))
		return dec_fail(c, at, "transmit context ip/tcp flags %s other than 0 or 1", "");
	mig.ip = ipb;
	mig.tcp = tcpb;
	/* A packet in flight: its bytes are not taken (the rest of it is dropped, as hvmdm's own). */
	r->pos += TX_HEADER_BYTES + TX_DATA_BYTES <= r->len - r->pos ? TX_HEADER_BYTES + TX_DATA_BYTES
								      : r->len - r->pos + 1;
	if (r->pos > r->len) {
		r->short_read = true;
		r->pos = r->len;
	}
	n->tx_partial = tx_size != 0;
	for (unsigned int i = 0; i < E1000_EEPROM_WORDS; i++)
		g->eeprom[i] = get_be16(r);
	for (unsigned int i = 0; i < E1000_PHY_REGS; i++)
		g->phy[i] = get_be16(r);
	for (unsigned int i = 0; i < 37; i++)
		set_reg(g, body_regs[i], get_be32(r));
	for (unsigned int i = 0; i < 32; i++)
		set_reg(g, 0x5400 + 4 * i, get_be32(r));
	for (unsigned int i = 0; i < 128; i++)
		set_reg(g, 0x5200 + 4 * i, get_be32(r));
	for (unsigned int i = 0; i < 128; i++)
		set_reg(g, 0x5600 + 4 * i, get_be32(r));
	/* Without the segmentation subsection both contexts are the one saved (QEMU's post_load). */
	g->props = mig;
	g->tso_props = mig;
	g->tso_props.tse = true;
	g->mit_irq_level = (get_reg(g, 0x00c0) & get_reg(g, 0x00d0)) != 0;
	settle_foreign(n);
	return 0;
}

static int get_mit_state(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct e1000_regs *g = &c->st->e1000[c->slot].r;
	size_t at;
	uint8_t level;

	(void)version;
	set_reg(g, 0x2820, get_be32(r) & 0xffff); /* RDTR */
	set_reg(g, 0x282c, get_be32(r) & 0xffff); /* RADV */
	set_reg(g, 0x382c, get_be32(r) & 0xffff); /* TADV */
	set_reg(g, 0x00c4, get_be32(r) & 0xffff); /* ITR */
	at = r->pos;
	level = get_u8(r);
	if (!r->short_read && level > 1)
		return dec_fail(c, at, "mit_irq_level %s other than 0 or 1", "");
	g->mit_irq_level = level;
	return 0;
}

static int get_full_mac_state(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct e1000_regs *g = &c->st->e1000[c->slot].r;
	size_t start = r->pos;

	(void)version;
	if (r->len - r->pos < FULL_MAC_WORDS * 4) {
		r->short_read = true;
		r->pos = r->len;
		return dec_fail(c, start, "full_mac_state %s shorter than its 0x8000 registers", "");
	}
	/* Every register hvmdm keeps, from the whole file (the rest is 0 or PBM). */
	for (unsigned int i = 0; i < E1000_NR_REGS; i++) {
		uint32_t off = e1000_reg_offset(i);
		const uint8_t *p = r->data + start + off;

		g->mac[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	r->pos = start + FULL_MAC_WORDS * 4;
	return 0;
}

static int get_tx_tso_state(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct e1000_regs *g = &c->st->e1000[c->slot].r;

	(void)version;
	if (get_be_props(r, c, &g->tso_props, true))
		return -1;
	g->tso_props.tse = true;
	return 0;
}

static int dec_e1000_trad(struct rbuf *r, struct decode_ctx *c)
{
	if (get_producer_body(r, c, false, c->rec->version))
		return -1;
	return dec_finish(r, c);
}

static int dec_e1000_upstream(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = {
		{ "e1000/mit_state", 1, 1, get_mit_state },
		{ "e1000/full_mac_state", 1, 1, get_full_mac_state },
		{ "e1000/tx_tso_state", 1, 1, get_tx_tso_state },
	};

	if (get_producer_body(r, c, true, c->rec->version))
		return -1;
	if (get_up_subsections(r, c, subs, sizeof(subs) / sizeof(subs[0])))
		return -1;
	return dec_finish(r, c);
}

/* Versions 1 and 2 were written by both producers: the PCI part says which. */
static int dec_e1000_1_2(struct rbuf *r, struct decode_ctx *c)
{
	return (c->rec->flags & RECORD_UPSTREAM) ? dec_e1000_upstream(r, c) : dec_e1000_trad(r, c);
}

static const struct record_version e1000_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (VMState)",
	  "PCI part, be32 old instance id, then version 2's body", dec_e1000_1_2 },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (VMState, with subsections)",
	  "PCI part, be32 mmio_base rxbuf_size min_shift, EECD state, tx context, be16 tx size tso_frames, u8 sum_needed ip tcp, tx header[256] data[65536], be16 eeprom[64] phy[32], be32 37 MAC registers, RA[32] MTA[128] VFTA[128] | upstream subsections e1000/mit_state, e1000/full_mac_state, e1000/tx_tso_state",
	  dec_e1000_1_2 },
	{ 3, RV_WRITTEN, "hvmdm 0.3",
	  "config[256], u8 intx, u8 flags (unplugged, tx_partial, ee_reading, tso_last, cptse, vlan_needed, mit_timer, mit_level), u8 flags (mit_ide, ip, tcp, tse, tso ip, tso tcp, tso tse), le32 registers[955] in the order of hw/net/e1000.c reg_table (docs/stream-format.md), le16 phy[32] eeprom[64], le32 ee_val_in, le16 bitnum_in bitnum_out, le32 ee_old, props and tso_props (u8 ipcss ipcso, le16 ipcse, u8 tucss tucso, le16 tucse, le32 paylen, u8 hdr_len, le16 mss), le16 tso_frames, u8 sum_needed, le16 vlan_tci, le64 mit_deadline autoneg_deadline rx_hold_until",
	  dec_e1000_v3 },
};

/* ---------------------------------------------------------------- qemu-xen-traditional */

static long trad_e1000_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	long pci = trad_pci_size(pk->p, pk->left);

	(void)erratum, (void)why;
	if ((v != 1 && v != 2) || pci < 0)
		return -1;
	return pci + (v == 2 ? 67332 : 67336);
}

/* Auto-numbered from 0, one per NIC. */
static bool trad_e1000_instance(uint32_t instance)
{
	return instance < MACHINE_MAX_NICS;
}

static void put_be_props(struct wbuf *p, const struct e1000_tx_props *q)
{
	put_u8(p, q->ipcss);
	put_u8(p, q->ipcso);
	put_be16(p, q->ipcse);
	put_u8(p, q->tucss);
	put_u8(p, q->tucso);
	put_be16(p, q->tucse);
	put_be32(p, q->paylen);
	put_u8(p, q->hdr_len);
	put_be16(p, q->mss);
}

static uint32_t rx_size(uint32_t rctl)
{
	static const uint32_t plain[] = { 2048, 1024, 512, 256 }, ext[] = { 2048, 16384, 8192, 4096 };

	return (rctl & 0x02000000u ? ext : plain)[rctl >> 16 & 3];
}

/*
 * The body after the PCI part both producers' version 2 write: mmio_base,
 * the receive buffer size, the EECD state, the transmit context `mig`, no
 * packet in flight, the EEPROM and PHY, 37 MAC registers, RA, MTA, VFTA.
 */
static void put_producer_body(struct wbuf *p, const struct e1000_regs *g, const struct e1000_tx_props *mig)
{
	static const uint8_t zeros[256];
	uint32_t rctl = get_reg(g, 0x0100);

	put_be32(p, 0);                         /* mmio_base */
	put_be32(p, rx_size(rctl));
	put_be32(p, ((rctl >> 8) & 3) + 1);     /* rxbuf_min_shift */
	put_be32(p, g->ee_val_in);
	put_be16(p, g->ee_bitnum_in);
	put_be16(p, g->ee_bitnum_out);
	put_be16(p, g->ee_reading);
	put_be32(p, g->ee_old);
	put_be_props(p, mig);
	put_be16(p, 0);                         /* tx.size: no packet in flight */
	put_be16(p, g->tso_frames);
	put_u8(p, g->sum_needed);
	put_u8(p, mig->ip);
	put_u8(p, mig->tcp);
	put_bytes(p, zeros, TX_HEADER_BYTES);
	for (unsigned int j = 0; j < TX_DATA_BYTES / sizeof(zeros); j++)
		put_bytes(p, zeros, sizeof(zeros));
	for (unsigned int j = 0; j < E1000_EEPROM_WORDS; j++)
		put_be16(p, g->eeprom[j]);
	for (unsigned int j = 0; j < E1000_PHY_REGS; j++)
		put_be16(p, g->phy[j]);
	for (unsigned int j = 0; j < 37; j++)
		put_be32(p, get_reg(g, body_regs[j]));
	for (unsigned int j = 0; j < 32; j++)
		put_be32(p, get_reg(g, 0x5400 + 4 * j));
	for (unsigned int j = 0; j < 128; j++)
		put_be32(p, get_reg(g, 0x5200 + 4 * j));
	for (unsigned int j = 0; j < 128; j++)
		put_be32(p, get_reg(g, 0x5600 + 4 * j));
}

/* Version 2: the PCI part, then the body upstream 2 also writes, without subsections. */
static int trad_e1000_write(struct trad_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	(void)err, (void)errlen;
	for (unsigned int i = 0; i < m->nr_e1000; i++) {
		const struct e1000_state *n = &st->e1000[i];
		const struct e1000_regs *g = &n->r;
		const struct e1000_tx_props *mig = g->tso_last ? &g->tso_props : &g->props;
		unsigned int slot = PCI_SLOT(m->e1000[i].pci.devfn);
		struct wbuf *p;

		if (n->unplugged) {
			load_note(rep, "e1000 %02x.0: unplugged by the PV drivers; the traditional file has no section for it",
				  slot);
			continue;
		}
		p = trad_payload(t);
		put_trad_pci(p, &n->pci);
		put_producer_body(p, g, mig);
		trad_section(t, "e1000", i, 2);
		if (n->tx_partial)
			load_note(rep, "e1000 %02x.0: a packet taken in part before the save is dropped (as it is here)",
				  slot);
		if (get_reg(g, 0x00c4) || get_reg(g, 0x2820) || get_reg(g, 0x282c) || get_reg(g, 0x382c))
			load_note(rep, "e1000 %02x.0: the interrupt mitigation registers (ITR, RDTR, RADV, TADV) are not in the traditional layout",
				  slot);
	}
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

/* hw/net/e1000.c vmstate_e1000 (QEMU 7.2): version 2, read back to 1. */
VM_SUB(e1000_mit, "e1000/mit_state", 1, VM_F(4, 4), VM_F(1, 1));
VM_SUB(e1000_full_mac, "e1000/full_mac_state", 1, VM_F(4, 0x8000));
VM_SUB(e1000_tso, "e1000/tx_tso_state", 1, VM_F(1, 2), VM_F(2, 1), VM_F(1, 2), VM_F(2, 1),
       VM_F(4, 1), VM_F(1, 1), VM_F(2, 1), VM_F(1, 2));
static const struct vmd *const e1000_subs[] = { &e1000_mit, &e1000_full_mac, &e1000_tso };
static const struct vmf e1000_f[] = {
	VM_STRUCT(vmd_pci_device, 1, 0),
	VM_F_V1(4), VM_F(4, 1),                         /* an old instance id (v1), mmio_base */
	VM_F(4, 2),                                     /* rxbuf_size, rxbuf_min_shift */
	VM_F(4, 1), VM_F(2, 3), VM_F(4, 1),             /* eecd_state */
	VM_F(1, 2), VM_F(2, 1), VM_F(1, 2), VM_F(2, 1), VM_F(4, 1), VM_F(1, 1), VM_F(2, 1), /* mig_props */
	VM_F(2, 2), VM_F(1, 3),                         /* tx.size, tso_frames, sum_needed, ip, tcp */
	VM_F(1, 256), VM_F(1, 65536),                   /* tx.header, tx.data */
	VM_F(2, 64), VM_F(2, 32),                       /* eeprom_data, phy_reg */
	VM_F(4, 37),                                    /* the migrated MAC registers */
	VM_F(4, 32), VM_F(4, 128), VM_F(4, 128),        /* RA, MTA, VFTA */
};
VM_DESC_SUBS(e1000_vm, "e1000", 2, 1, e1000_f, e1000_subs);

static const struct vm_layout e1000_up[] = { UPSTREAM_LAYOUT("e1000", e1000_vm) };

/* The whole register file as e1000/full_mac_state carries it: 0x8000 be32 words by offset. */
static void put_full_mac(struct wbuf *p, const struct e1000_regs *g)
{
	static const uint8_t zeros[256];
	size_t start = p->len;

	for (unsigned int j = 0; j < FULL_MAC_WORDS * 4 / sizeof(zeros); j++)
		put_bytes(p, zeros, sizeof(zeros));
	if (p->failed)
		return;
	for (unsigned int i = 0; i < E1000_NR_REGS; i++) {
		uint32_t off = e1000_reg_offset(i), v = g->mac[i];
		uint8_t *q = p->data + start + off;

		if (off > FULL_MAC_WORDS * 4 - 4)
			continue;
		q[0] = (uint8_t)(v >> 24);
		q[1] = (uint8_t)(v >> 16);
		q[2] = (uint8_t)(v >> 8);
		q[3] = (uint8_t)v;
	}
}

/*
 * Version 2 as QEMU 7.2 writes it on xenfv (pc-i440fx-3.1's e1000 has
 * mitigation, the extra MAC registers and the TSO context on): PCIDevice,
 * the body with the ordinary context (e1000_pre_save's choice when
 * tx_tso_state follows), then e1000/mit_state, e1000/full_mac_state and
 * e1000/tx_tso_state. A NIC the PV drivers unplugged has no section, as in
 * QEMU's own save.
 */
static int up_e1000_write(struct up_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	(void)err, (void)errlen;
	for (unsigned int i = 0; i < m->nr_e1000; i++) {
		const struct e1000_state *n = &st->e1000[i];
		const struct e1000_regs *g = &n->r;
		unsigned int slot = PCI_SLOT(m->e1000[i].pci.devfn);
		struct wbuf *p = up_payload(t);
		char path[16];

		if (n->unplugged) {
			load_note(rep, "e1000 %02x.0: unplugged by the PV drivers; QEMU's stream has no section for it and its NIC starts reset (the guest uses its PV NIC)",
				  slot);
			continue;
		}
		put_upstream_pci(p, &n->pci);
		put_producer_body(p, g, &g->props);
		put_up_subsection(p, "e1000/mit_state", 1);
		put_be32(p, get_reg(g, 0x2820)); /* RDTR */
		put_be32(p, get_reg(g, 0x282c)); /* RADV */
		put_be32(p, get_reg(g, 0x382c)); /* TADV */
		put_be32(p, get_reg(g, 0x00c4)); /* ITR */
		put_u8(p, g->mit_irq_level);
		put_up_subsection(p, "e1000/full_mac_state", 1);
		put_full_mac(p, g);
		put_up_subsection(p, "e1000/tx_tso_state", 1);
		put_be_props(p, &g->tso_props);
		put_u8(p, g->tso_props.ip);
		put_u8(p, g->tso_props.tcp);
		snprintf(path, sizeof(path), "0000:00:%02x.0", slot);
		up_section(t, path, "e1000", 0, 2);
		if (n->tx_partial)
			load_note(rep, "e1000 %02x.0: a packet taken in part before the save is dropped (as it is here)",
				  slot);
	}
	return 0;
}

/* The function the section names ("0000:00:04.0") is the record's instance: its devfn. */
static bool e1000_upstream_path(const char *path, uint32_t *inst, const char **why)
{
	*why = "an e1000 on bus 0 as 0000:00:SS.F";
	return upstream_slot_path(path, inst);
}

/* As the RTL8139's: an unplugged NIC has no section in the stock device models' saves. */
static bool e1000_absent_ok(struct machine_state *st, unsigned int slot)
{
	if (!(st->platform.unplugged & UNPLUG_ALL_NICS))
		return false;
	memset(&st->e1000[slot], 0, sizeof(st->e1000[slot]));
	st->e1000[slot].unplugged = true;
	return true;
}

const struct record_kind e1000_kind = {
	.idstr = "e1000",
	.instances = e1000_instances,
	.max_instances = MACHINE_MAX_NICS,
	.encode = enc_e1000,
	.required = true,
	KIND_VERSIONS(e1000_versions),
	.trad = { .size = trad_e1000_size, .write = trad_e1000_write, .order = 8,
		  .instance_ok = trad_e1000_instance, .ordinal_instances = true },
	.upstream = { UPSTREAM_LAYOUTS(e1000_up), .pci_instance = e1000_upstream_path,
		      .write = up_e1000_write, .order = 17 },
	.absent_ok = e1000_absent_ok,
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_e1000(const struct machine *m, const struct machine_state *st)
{
	json_t *nics;

	if (!m->nr_e1000)
		return NULL;
	nics = json_array();
	for (unsigned int i = 0; i < m->nr_e1000; i++) {
		const struct e1000_state *n = &st->e1000[i];
		const struct e1000_regs *g = &n->r;
		uint32_t ra_lo = get_reg(g, 0x5400), ra_hi = get_reg(g, 0x5404);
		uint8_t mac[6] = { (uint8_t)ra_lo, (uint8_t)(ra_lo >> 8), (uint8_t)(ra_lo >> 16),
				   (uint8_t)(ra_lo >> 24), (uint8_t)ra_hi, (uint8_t)(ra_hi >> 8) };

		if (n->unplugged) {
			json_array_append_new(nics, json_pack("{s:i, s:b}", "devfn", m->e1000[i].pci.devfn,
							      "unplugged", 1));
			continue;
		}
		json_array_append_new(nics, json_pack(
			"{s:i, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:b, s:b}",
			"devfn", m->e1000[i].pci.devfn, "pci", json_pci(&n->pci), "ra0", json_hex(mac, 6),
			"ctrl", (json_int_t)get_reg(g, 0x0000), "status", (json_int_t)get_reg(g, 0x0008),
			"icr", (json_int_t)get_reg(g, 0x00c0), "ims", (json_int_t)get_reg(g, 0x00d0),
			"rctl", (json_int_t)get_reg(g, 0x0100), "tctl", (json_int_t)get_reg(g, 0x0400),
			"rdh", (json_int_t)get_reg(g, 0x2810), "rdt", (json_int_t)get_reg(g, 0x2818),
			"tdh", (json_int_t)get_reg(g, 0x3810), "tdt", (json_int_t)get_reg(g, 0x3818),
			"itr", (json_int_t)get_reg(g, 0x00c4), "bmcr", g->phy[0], "bmsr", g->phy[1],
			"tx_partial", n->tx_partial, "mit_timer_on", g->mit_timer_on));
	}
	return nics;
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_e1000(struct machine_state *st)
{
	for (unsigned int i = 0; i < MACHINE_MAX_NICS; i++) {
		struct e1000_state *n = &st->e1000[i];
		struct e1000_regs *g = &n->r;

		for (unsigned int j = 0; j < PCI_CONFIG_SIZE; j++)
			n->pci.config[j] = (uint8_t)((j + 7) * 13 + i);
		n->pci.irq_levels = 1;
		for (unsigned int j = 0; j < E1000_NR_REGS; j++)
			g->mac[j] = 0x9e370001u * (j + 1) + i;
		for (unsigned int j = 0; j < E1000_PHY_REGS; j++)
			g->phy[j] = (uint16_t)(0x4100 + j * 5 + i);
		for (unsigned int j = 0; j < E1000_EEPROM_WORDS; j++)
			g->eeprom[j] = (uint16_t)(0x2200 + j * 7 + i);
		g->ee_val_in = 0x1ab + i;
		g->ee_bitnum_in = 9;
		g->ee_bitnum_out = 0x2a3;
		g->ee_reading = true;
		g->ee_old = 0x47;
		g->props = (struct e1000_tx_props){ 14, 24, 33, 34, 50, 0, 1448, 0x1234, 66, true, true, false };
		g->tso_props = (struct e1000_tx_props){ 14, 24, 33, 34, 50, 0, 1460, 0x5678, 54, true, false, true };
		g->tso_last = true;
		g->tso_frames = 3;
		g->sum_needed = 3;
		g->cptse = true;
		g->vlan_needed = true;
		g->vlan_tci = 0x2064;
		g->mit_timer_on = true;
		g->mit_irq_level = true;
		g->mit_ide = true;
		g->mit_deadline = 0x0102030405060708ull + i;
		g->autoneg_deadline = 0x1112131415161718ull;
		g->rx_hold_until = 0x2122232425262728ull;
		n->tx_partial = true;
	}
}

const struct state_view e1000_view = { "e1000", view_e1000, probe_e1000 };
