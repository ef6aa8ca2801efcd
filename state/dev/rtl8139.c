// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RTL8139C+ NICs: "rtl8139", one record per NIC, its instance the
 * function's devfn (qemu-xen-traditional registers bus << 8 | devfn; upstream
 * QEMU names the function in the section, 0000:00:SS.0/rtl8139).
 *
 * Layouts (reference/09 §9.11 and §9.30; olafhering/qemu-xen-traditional
 * hw/rtl8139.c rtl8139_save, QEMU 7.2 hw/net/rtl8139.c vmstate_rtl8139):
 * one big-endian body whose tail grew by version --
 *   traditional 1: no PCI part, registers to the EEPROM (282 bytes);
 *   traditional 2: + TCTR, TimerInt, TCTR_base, tally counters (362);
 *   traditional 3: the PCI part, then 2 (638);
 *   traditional 4: + cplus_enabled (642), byte for byte upstream 5;
 *   upstream 3: PCIDevice, the registers, the tally without RxOkMul (634);
 *   upstream 4: + cplus_enabled (638); upstream 5: + RxOkMul in the tally
 *   (642), then the empty subsection rtl8139/hotplug_ready.
 * hvmdm's own layout (6) is little-endian and spelled out in
 * docs/stream-format.md. A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

/* The NICs the machine has, by devfn (the order they were created in). */
static unsigned int nic_instances(const struct machine *m, uint32_t *inst)
{
	for (unsigned int i = 0; i < m->nr_rtl8139; i++)
		inst[i] = m->rtl8139[i].pci.devfn;
	return m->nr_rtl8139;
}

/* hvmdm's flags byte */
#define F_UNPLUGGED 0x01
#define F_CPLUS 0x02
#define F_CLOCK 0x04
#define F_TX_PARTIAL 0x08
#define F_ALL 0x0f

#define W_CS 0x01
#define W_SK 0x02
#define W_DI 0x04
#define W_DO 0x08
#define W_WE 0x10

static void enc_rtl8139(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct rtl8139_state *n = &st->nic[slot];
	const struct rtl8139_regs *r = &n->r;
	const struct rtl8139_eeprom *e = &n->eeprom;

	put_pci(w, &n->pci);
	put_u8(w, (uint8_t)((n->unplugged ? F_UNPLUGGED : 0) | (r->cplus ? F_CPLUS : 0) |
			    (r->clock_enabled ? F_CLOCK : 0) | (n->tx_partial ? F_TX_PARTIAL : 0)));
	put_bytes(w, r->phys, 6);
	put_bytes(w, r->mult, 8);
	for (int i = 0; i < 4; i++)
		put_le32(w, r->tx_status[i]);
	for (int i = 0; i < 4; i++)
		put_le32(w, r->tx_addr[i]);
	put_le32(w, r->rx_buf);
	put_le32(w, r->rx_buf_size);
	put_le32(w, r->rx_buf_ptr);
	put_le32(w, r->rx_buf_addr);
	put_le16(w, r->intr_status);
	put_le16(w, r->intr_mask);
	put_le32(w, r->tx_config);
	put_le32(w, r->rx_config);
	put_le32(w, r->rx_missed);
	put_le16(w, r->cscr);
	put_u8(w, r->cfg9346);
	put_u8(w, r->config0);
	put_u8(w, r->config1);
	put_u8(w, r->config3);
	put_u8(w, r->config4);
	put_u8(w, r->config5);
	put_u8(w, r->chip_cmd);
	put_le16(w, r->multi_intr);
	put_le16(w, r->bmcr);
	put_le16(w, r->bmsr);
	put_le16(w, r->anar);
	put_le16(w, r->anlpar);
	put_le16(w, r->aner);
	put_le16(w, r->cp_cmd);
	put_u8(w, r->tx_thresh);
	put_le32(w, r->cur_tx);
	put_le32(w, r->cur_cp_rx);
	put_le32(w, r->cur_cp_tx);
	put_le32(w, r->rx_ring_lo);
	put_le32(w, r->rx_ring_hi);
	put_le32(w, r->timer_int);
	put_le64(w, r->tctr_base);
	put_le32(w, r->tx_first_dw0);
	put_le32(w, r->tx_first_dw1);
	put_le64(w, r->tally_tx_ok);
	put_le64(w, r->tally_rx_ok);
	put_le64(w, r->tally_tx_err);
	put_le32(w, r->tally_rx_err);
	put_le16(w, r->tally_miss);
	put_le16(w, r->tally_fae);
	put_le32(w, r->tally_tx_1col);
	put_le32(w, r->tally_tx_mcol);
	put_le64(w, r->tally_rx_ok_phy);
	put_le64(w, r->tally_rx_ok_brd);
	put_le32(w, r->tally_rx_ok_mul);
	put_le16(w, r->tally_tx_abt);
	put_le16(w, r->tally_tx_undrn);
	for (int i = 0; i < RTL8139_EEPROM_WORDS; i++)
		put_le16(w, e->contents[i]);
	put_u8(w, e->mode);
	put_u8(w, e->tick);
	put_u8(w, e->address);
	put_le16(w, e->input);
	put_le16(w, e->output);
	put_u8(w, (uint8_t)((e->eecs ? W_CS : 0) | (e->eesk ? W_SK : 0) | (e->eedi ? W_DI : 0) |
			    (e->eedo ? W_DO : 0) | (e->write_enabled ? W_WE : 0)));
}

static int dec_rtl8139_v6(struct rbuf *r, struct decode_ctx *c)
{
	struct rtl8139_state *n = &c->st->nic[c->slot];
	struct rtl8139_regs *g = &n->r;
	struct rtl8139_eeprom *e = &n->eeprom;
	size_t at;
	uint8_t flags, wires;

	memset(n, 0, sizeof(*n));
	get_pci(r, &n->pci);
	at = r->pos;
	flags = get_u8(r);
	if (!r->short_read && (flags & ~F_ALL))
		return dec_fail(c, at, "unknown flag bits %s", "");
	n->unplugged = flags & F_UNPLUGGED;
	g->cplus = flags & F_CPLUS;
	g->clock_enabled = flags & F_CLOCK;
	n->tx_partial = flags & F_TX_PARTIAL;
	get_bytes(r, g->phys, 6);
	get_bytes(r, g->mult, 8);
	for (int i = 0; i < 4; i++)
		g->tx_status[i] = get_le32(r);
	for (int i = 0; i < 4; i++)
		g->tx_addr[i] = get_le32(r);
	g->rx_buf = get_le32(r);
	g->rx_buf_size = get_le32(r);
	g->rx_buf_ptr = get_le32(r);
	g->rx_buf_addr = get_le32(r);
	g->intr_status = get_le16(r);
	g->intr_mask = get_le16(r);
	g->tx_config = get_le32(r);
	g->rx_config = get_le32(r);
	g->rx_missed = get_le32(r);
	g->cscr = get_le16(r);
	g->cfg9346 = get_u8(r);
	g->config0 = get_u8(r);
	g->config1 = get_u8(r);
	g->config3 = get_u8(r);
	g->config4 = get_u8(r);
	g->config5 = get_u8(r);
	g->chip_cmd = get_u8(r);
	g->multi_intr = get_le16(r);
	g->bmcr = get_le16(r);
	g->bmsr = get_le16(r);
	g->anar = get_le16(r);
	g->anlpar = get_le16(r);
	g->aner = get_le16(r);
	g->cp_cmd = get_le16(r);
	g->tx_thresh = get_u8(r);
	g->cur_tx = get_le32(r);
	g->cur_cp_rx = get_le32(r);
	g->cur_cp_tx = get_le32(r);
	g->rx_ring_lo = get_le32(r);
	g->rx_ring_hi = get_le32(r);
	g->timer_int = get_le32(r);
	g->tctr_base = get_le64(r);
	g->tx_first_dw0 = get_le32(r);
	g->tx_first_dw1 = get_le32(r);
	g->tally_tx_ok = get_le64(r);
	g->tally_rx_ok = get_le64(r);
	g->tally_tx_err = get_le64(r);
	g->tally_rx_err = get_le32(r);
	g->tally_miss = get_le16(r);
	g->tally_fae = get_le16(r);
	g->tally_tx_1col = get_le32(r);
	g->tally_tx_mcol = get_le32(r);
	g->tally_rx_ok_phy = get_le64(r);
	g->tally_rx_ok_brd = get_le64(r);
	g->tally_rx_ok_mul = get_le32(r);
	g->tally_tx_abt = get_le16(r);
	g->tally_tx_undrn = get_le16(r);
	for (int i = 0; i < RTL8139_EEPROM_WORDS; i++)
		e->contents[i] = get_le16(r);
	e->mode = get_u8(r);
	e->tick = get_u8(r);
	e->address = get_u8(r);
	e->input = get_le16(r);
	e->output = get_le16(r);
	at = r->pos;
	wires = get_u8(r);
	if (!r->short_read && (wires & ~(W_CS | W_SK | W_DI | W_DO | W_WE)))
		return dec_fail(c, at, "unknown EEPROM wire bits %s", "");
	e->eecs = wires & W_CS;
	e->eesk = wires & W_SK;
	e->eedi = wires & W_DI;
	e->eedo = wires & W_DO;
	e->write_enabled = wires & W_WE;
	return dec_finish(r, c);
}

/* ---------------------------------------------------------------- the producers' body */

/* What a foreign version's body holds beyond the registers and the EEPROM. */
struct qemu_body {
	bool pci;       /* a PCI part first */
	bool upstream;  /* VMState PCIDevice (else the traditional PCI part) */
	bool timer;     /* TCTR, TimerInt, TCTR_base and the tally counters */
	bool rx_ok_mul; /* the tally's RxOkMul */
	bool cplus;     /* cplus_enabled */
};

/* QEMU's 93C46 modes (hw/net/rtl8139.c Chip9346Mode) in hvmdm's, which waits for a start bit in both of the first two. */
static const uint8_t qemu_eeprom_mode[] = { 0, 0, 1, 2, 3, 4 };

static int get_qemu_body(struct rbuf *r, struct decode_ctx *c, const struct qemu_body *b)
{
	struct rtl8139_state *n = &c->st->nic[c->slot];
	struct rtl8139_regs *g = &n->r;
	struct rtl8139_eeprom *e = &n->eeprom;
	size_t at;
	uint8_t chip;
	int32_t mode;
	uint32_t tick, cplus;

	/* Without a PCI part (Xen 3.x files) the configuration space stays what this machine has. */
	if (b->pci && !b->upstream && get_trad_pci(r, c, &n->pci))
		return -1;
	if (b->pci && b->upstream && get_upstream_pci(r, c, &n->pci))
		return -1;
	get_bytes(r, g->phys, 6);
	get_bytes(r, g->mult, 8);
	for (int i = 0; i < 4; i++)
		g->tx_status[i] = get_be32(r);
	for (int i = 0; i < 4; i++)
		g->tx_addr[i] = get_be32(r);
	g->rx_buf = get_be32(r);
	g->rx_buf_size = get_be32(r);
	g->rx_buf_ptr = get_be32(r);
	g->rx_buf_addr = get_be32(r);
	g->intr_status = get_be16(r);
	g->intr_mask = get_be16(r);
	g->tx_config = get_be32(r);
	g->rx_config = get_be32(r);
	g->rx_missed = get_be32(r);
	g->cscr = get_be16(r);
	g->cfg9346 = get_u8(r);
	g->config0 = get_u8(r);
	g->config1 = get_u8(r);
	g->config3 = get_u8(r);
	g->config4 = get_u8(r);
	g->config5 = get_u8(r);
	at = r->pos;
	g->clock_enabled = get_u8(r) != 0;
	chip = get_u8(r);
	/* bChipCmdState: RE and TE (and the reset bit a device reset leaves readable). */
	g->chip_cmd = chip & 0x0c;
	if (!r->short_read && (chip & ~0x1c))
		return dec_fail(c, at + 1, "ChipCmd state %s with bits QEMU never keeps", "");
	g->multi_intr = get_be16(r);
	g->bmcr = get_be16(r);
	g->bmsr = get_be16(r);
	g->anar = get_be16(r);
	g->anlpar = get_be16(r);
	g->aner = get_be16(r);
	g->cp_cmd = get_be16(r);
	g->tx_thresh = get_u8(r);
	get_be32(r);            /* unused */
	get_bytes(r, (uint8_t[6]){ 0 }, 6); /* the producer's configured MAC: the guest sees phys[] */
	get_be32(r);            /* the producer's I/O-memory handle */
	g->cur_tx = get_be32(r);
	g->cur_cp_rx = get_be32(r);
	g->cur_cp_tx = get_be32(r);
	g->rx_ring_lo = get_be32(r);
	g->rx_ring_hi = get_be32(r);
	for (int i = 0; i < RTL8139_EEPROM_WORDS; i++)
		e->contents[i] = get_be16(r);
	at = r->pos;
	mode = (int32_t)get_be32(r);
	if (!r->short_read && (mode < 0 || mode > 5))
		return dec_fail(c, at, "EEPROM mode %s beyond QEMU's six", "");
	e->mode = qemu_eeprom_mode[mode < 0 || mode > 5 ? 0 : mode];
	at = r->pos;
	tick = get_be32(r);
	if (!r->short_read && tick >= 16)
		return dec_fail(c, at, "EEPROM bit count %s of 16 or more", "");
	e->tick = (uint8_t)tick;
	e->address = get_u8(r) & 0x3f;
	e->input = get_be16(r);
	e->output = get_be16(r);
	e->eecs = get_u8(r) != 0;
	e->eesk = get_u8(r) != 0;
	e->eedi = get_u8(r) != 0;
	e->eedo = get_u8(r) != 0;
	e->write_enabled = false; /* QEMU implements no EEPROM writes */
	if (b->timer) {
		get_be32(r); /* TCTR: derived from TCTR_base */
		g->timer_int = get_be32(r);
		g->tctr_base = get_be64(r);
		g->tally_tx_ok = get_be64(r);
		g->tally_rx_ok = get_be64(r);
		g->tally_tx_err = get_be64(r);
		g->tally_rx_err = get_be32(r);
		g->tally_miss = get_be16(r);
		g->tally_fae = get_be16(r);
		g->tally_tx_1col = get_be32(r);
		g->tally_tx_mcol = get_be32(r);
		g->tally_rx_ok_phy = get_be64(r);
		g->tally_rx_ok_brd = get_be64(r);
		if (b->rx_ok_mul)
			g->tally_rx_ok_mul = get_be32(r);
		g->tally_tx_abt = get_be16(r);
		g->tally_tx_undrn = get_be16(r);
	}
	if (b->cplus) {
		cplus = get_be32(r);
		g->cplus = cplus != 0;
	} else {
		/* Older producers: C+ when the driver ever wrote CpCmd (QEMU's post_load rule). */
		g->cplus = g->cp_cmd != 0;
	}
	n->unplugged = false;
	n->tx_partial = false;
	g->tx_gathered = 0;
	return 0;
}

static int dec_rtl8139_trad(struct rbuf *r, struct decode_ctx *c)
{
	uint32_t v = c->rec->version;
	struct qemu_body b = { .pci = v >= 3, .timer = v >= 2, .rx_ok_mul = v >= 2, .cplus = v >= 4 };

	if (get_qemu_body(r, c, &b))
		return -1;
	return dec_finish(r, c);
}

static int get_hotplug_ready(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)r, (void)c, (void)version;
	return 0; /* no fields: QEMU says its machine was changed at run time */
}

static int dec_rtl8139_upstream(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = { { "rtl8139/hotplug_ready", 1, 1, get_hotplug_ready } };
	uint32_t v = c->rec->version;
	struct qemu_body b = { .pci = true, .upstream = true, .timer = true, .rx_ok_mul = v >= 5,
			       .cplus = v >= 4 };

	if (get_qemu_body(r, c, &b))
		return -1;
	if (get_up_subsections(r, c, subs, 1))
		return -1;
	return dec_finish(r, c);
}

/* Versions 3 and 4 were written by both producers, in different layouts. */
static int dec_rtl8139_3_4(struct rbuf *r, struct decode_ctx *c)
{
	return (c->rec->flags & RECORD_UPSTREAM) ? dec_rtl8139_upstream(r, c) : dec_rtl8139_trad(r, c);
}

static const struct record_version rtl8139_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional (Xen 3.x files)", "no PCI part: phys[6] .. eeprom eecs eesk eedi eedo (282 bytes)", dec_rtl8139_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional (Xen 3.x files)", "v1, be32 TCTR, be32 TimerInt, be64 TCTR_base, tally counters (362 bytes)", dec_rtl8139_trad },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (VMState, a different layout)",
	  "trad: PCI common part, then v2 | upstream: VMState PCIDevice, v2 without the tally's RxOkMul", dec_rtl8139_3_4 },
	{ 4, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (VMState, a different layout)",
	  "trad: v3, be32 cplus_enabled (upstream 5's bytes) | upstream: v3, be32 cplus_enabled", dec_rtl8139_3_4 },
	{ 5, RV_ACCEPTED, "upstream QEMU", "VMState PCIDevice, the registers, TCTR, TimerInt, TCTR_base, tally with RxOkMul, be32 cplus_enabled; subsection rtl8139/hotplug_ready (empty)", dec_rtl8139_upstream },
	{ 6, RV_WRITTEN, "hvmdm 0.3",
	  "config[256], u8 intx, u8 flags (unplugged, cplus, clock, tx_partial), phys[6], mult[8], le32 tsd[4], le32 tsad[4], le32 rx_buf rx_size rx_ptr rx_addr, le16 isr imr, le32 tcr rcr mpc, le16 cscr, u8 cfg9346 config0 config1 config3 config4 config5 chip_cmd, le16 mulint bmcr bmsr anar anlpar aner cpcmd, u8 tx_thresh, le32 cur_tx cur_cp_rx cur_cp_tx rdsar_lo rdsar_hi timer_int, le64 tctr_base, le32 tx_dw0 tx_dw1, tally (le64 tx_ok rx_ok tx_err, le32 rx_err, le16 miss fae, le32 tx_1col tx_mcol, le64 rx_phy rx_brd, le32 rx_mul, le16 tx_abt tx_undrn), le16 eeprom[64], u8 mode tick address, le16 input output, u8 wires",
	  dec_rtl8139_v6 },
};

/* ---------------------------------------------------------------- qemu-xen-traditional */

/* hw/rtl8139.c rtl8139_save: the PCI part from version 3 on. */
static long trad_rtl8139_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	static const long body[] = { 0, 282, 362, 362, 366 };
	long pci;

	(void)erratum, (void)why;
	if (v < 1 || v > 4)
		return -1;
	if (v < 3)
		return body[v];
	pci = trad_pci_size(pk->p, pk->left);
	return pci < 0 ? -1 : pci + body[v];
}

/* pci_rtl8139_init registers bus << 8 | devfn: bus 0, a slot's function 0. */
static bool trad_rtl8139_instance(uint32_t instance)
{
	return instance < 256 && instance >= 8 && !(instance & 7);
}

static const uint8_t hvmdm_eeprom_mode[] = { 1, 2, 3, 4, 5 }; /* to QEMU's: waiting for a start bit is its mode 1 */

/*
 * The body after the PCI part that traditional version 4 and upstream
 * version 5 share byte for byte: the registers, the EEPROM, the timer and
 * the tally counters, cplus_enabled. `mac` is the NIC's configured address
 * (the producers' conf.macaddr; the guest sees phys[]).
 */
static void put_qemu_body(struct wbuf *p, const struct rtl8139_state *n, const uint8_t *mac)
{
	const struct rtl8139_regs *g = &n->r;
	const struct rtl8139_eeprom *e = &n->eeprom;

	put_bytes(p, g->phys, 6);
	put_bytes(p, g->mult, 8);
	for (int j = 0; j < 4; j++)
		put_be32(p, g->tx_status[j]);
	for (int j = 0; j < 4; j++)
		put_be32(p, g->tx_addr[j]);
	put_be32(p, g->rx_buf);
	put_be32(p, g->rx_buf_size);
	put_be32(p, g->rx_buf_ptr);
	put_be32(p, g->rx_buf_addr);
	put_be16(p, g->intr_status);
	put_be16(p, g->intr_mask);
	put_be32(p, g->tx_config);
	put_be32(p, g->rx_config);
	put_be32(p, g->rx_missed);
	put_be16(p, g->cscr);
	put_u8(p, g->cfg9346);
	put_u8(p, g->config0);
	put_u8(p, g->config1);
	put_u8(p, g->config3);
	put_u8(p, g->config4);
	put_u8(p, g->config5);
	put_u8(p, g->clock_enabled);
	put_u8(p, g->chip_cmd);
	put_be16(p, g->multi_intr);
	put_be16(p, g->bmcr);
	put_be16(p, g->bmsr);
	put_be16(p, g->anar);
	put_be16(p, g->anlpar);
	put_be16(p, g->aner);
	put_be16(p, g->cp_cmd);
	put_u8(p, g->tx_thresh);
	put_be32(p, 0);
	put_bytes(p, mac, 6);
	put_be32(p, 0);
	put_be32(p, g->cur_tx);
	put_be32(p, g->cur_cp_rx);
	put_be32(p, g->cur_cp_tx);
	put_be32(p, g->rx_ring_lo);
	put_be32(p, g->rx_ring_hi);
	for (int j = 0; j < RTL8139_EEPROM_WORDS; j++)
		put_be16(p, e->contents[j]);
	put_be32(p, e->mode <= 4 ? hvmdm_eeprom_mode[e->mode] : 1);
	put_be32(p, e->tick);
	put_u8(p, e->address);
	put_be16(p, e->input);
	put_be16(p, e->output);
	put_u8(p, e->eecs);
	put_u8(p, e->eesk);
	put_u8(p, e->eedi);
	put_u8(p, e->eedo);
	put_be32(p, 0); /* TCTR: the loader derives it */
	put_be32(p, g->timer_int);
	put_be64(p, g->tctr_base);
	put_be64(p, g->tally_tx_ok);
	put_be64(p, g->tally_rx_ok);
	put_be64(p, g->tally_tx_err);
	put_be32(p, g->tally_rx_err);
	put_be16(p, g->tally_miss);
	put_be16(p, g->tally_fae);
	put_be32(p, g->tally_tx_1col);
	put_be32(p, g->tally_tx_mcol);
	put_be64(p, g->tally_rx_ok_phy);
	put_be64(p, g->tally_rx_ok_brd);
	put_be32(p, g->tally_rx_ok_mul);
	put_be16(p, g->tally_tx_abt);
	put_be16(p, g->tally_tx_undrn);
	put_be32(p, g->cplus);
}

/* Version 4: the PCI part, then the body upstream 5 also writes. */
static int trad_rtl8139_write(struct trad_writer *t, const struct machine *m,
			      const struct machine_state *st, struct load_report *rep, char *err,
			      size_t errlen)
{
	(void)err, (void)errlen;
	for (unsigned int i = 0; i < m->nr_rtl8139; i++) {
		const struct rtl8139_state *n = &st->nic[i];
		const struct rtl8139_eeprom *e = &n->eeprom;
		struct wbuf *p;

		if (n->unplugged) {
			load_note(rep, "rtl8139 %02x.0: unplugged by the PV drivers; the traditional file has no section for it",
				  PCI_SLOT(m->rtl8139[i].pci.devfn));
			continue;
		}
		p = trad_payload(t);
		put_trad_pci(p, &n->pci);
		put_qemu_body(p, n, m->rtl8139[i].mac);
		trad_section(t, "rtl8139", m->rtl8139[i].pci.devfn, 4);
		if (n->tx_partial)
			load_note(rep, "rtl8139 %02x.0: a C+ frame taken in part before the save is dropped (as it is here)",
				  PCI_SLOT(m->rtl8139[i].pci.devfn));
		if (e->write_enabled)
			load_note(rep, "rtl8139 %02x.0: the EEPROM's write enable is not in the traditional layout",
				  PCI_SLOT(m->rtl8139[i].pci.devfn));
	}
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

/* hw/net/rtl8139.c vmstate_rtl8139 (QEMU 7.2): version 5, read back to 3. */
static const struct vmd rtl8139_hotplug_ready = { "rtl8139/hotplug_ready", 1, 1, NULL, 0, NULL, 0, NULL };
static const struct vmd *const rtl8139_subs[] = { &rtl8139_hotplug_ready };
static const struct vmf rtl8139_f[] = {
	VM_STRUCT(vmd_pci_device, 1, 0),
	VM_F(1, 6), VM_F(1, 8), VM_F(4, 4), VM_F(4, 4),  /* phys, mult, TxStatus, TxAddr */
	VM_F(4, 4), VM_F(2, 2), VM_F(4, 3), VM_F(2, 1),  /* RxBuf.., IntrStatus/Mask, Tx/RxConfig RxMissed, CSCR */
	VM_F(1, 6), VM_F(1, 2), VM_F(2, 1),              /* Cfg9346, Config0-5, clock_enabled, ChipCmd, MultiIntr */
	VM_F(2, 5), VM_F(2, 1), VM_F(1, 1),              /* the PHY, CpCmd, TxThresh */
	VM_F(4, 1), VM_F(1, 6), VM_F(4, 1), VM_F(4, 5),  /* unused, macaddr, mmio handle, ring positions and RxRingAddr */
	VM_F(2, 64), VM_F(4, 1), VM_F(4, 1), VM_F(1, 1), /* EEPROM contents, mode, tick, address */
	VM_F(2, 2), VM_F(1, 4),                          /* input, output, eecs eesk eedi eedo */
	VM_F(4, 2), VM_F(8, 1),                          /* TCTR, TimerInt, TCTR_base */
	VM_F(8, 3), VM_F(4, 1), VM_F(2, 2), VM_F(4, 2), VM_F(8, 2), /* tally to RxOkBrd */
	VM_FV(4, 1, 5), VM_F(2, 2),                      /* RxOkMul, TxAbt, TxUndrn */
	VM_FV(4, 1, 4),                                  /* cplus_enabled */
};
VM_DESC_SUBS(rtl8139_vm, "rtl8139", 5, 3, rtl8139_f, rtl8139_subs);

static const struct vm_layout rtl8139_up[] = { UPSTREAM_LAYOUT("rtl8139", rtl8139_vm) };

/*
 * Version 5 as QEMU 7.2 writes it: PCIDevice, then the body traditional 4
 * shares, without the hotplug_ready subsection (needed only for a device
 * hot-plugged into a running QEMU). A NIC the PV drivers unplugged has no
 * section, as in QEMU's own save (it deleted the device).
 */
static int up_rtl8139_write(struct up_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	(void)err, (void)errlen;
	for (unsigned int i = 0; i < m->nr_rtl8139; i++) {
		const struct rtl8139_state *n = &st->nic[i];
		unsigned int slot = PCI_SLOT(m->rtl8139[i].pci.devfn);
		char path[16];

		if (n->unplugged) {
			load_note(rep, "rtl8139 %02x.0: unplugged by the PV drivers; QEMU's stream has no section for it and its NIC starts reset (the guest uses its PV NIC)",
				  slot);
			continue;
		}
		put_upstream_pci(up_payload(t), &n->pci);
		put_qemu_body(up_payload(t), n, m->rtl8139[i].mac);
		snprintf(path, sizeof(path), "0000:00:%02x.0", slot);
		up_section(t, path, "rtl8139", 0, 5);
		if (n->tx_partial)
			load_note(rep, "rtl8139 %02x.0: a C+ frame taken in part before the save is dropped (as it is here)",
				  slot);
		if (n->eeprom.write_enabled)
			load_note(rep, "rtl8139 %02x.0: the EEPROM's write enable is not in QEMU's layout (QEMU writes no EEPROM)",
				  slot);
	}
	return 0;
}

/* The function the section names ("0000:00:04.0") is the record's instance: its devfn. */
static bool rtl8139_upstream_path(const char *path, uint32_t *inst, const char **why)
{
	*why = "an RTL8139 on bus 0 as 0000:00:SS.F";
	return upstream_slot_path(path, inst);
}

/*
 * The stock device models drop an unplugged NIC from their saves: a foreign
 * stream whose platform record says the PV drivers unplugged every NIC has
 * no rtl8139 section, and the NIC stays unplugged here.
 */
static bool rtl8139_absent_ok(struct machine_state *st, unsigned int slot)
{
	if (!(st->platform.unplugged & UNPLUG_ALL_NICS))
		return false;
	memset(&st->nic[slot], 0, sizeof(st->nic[slot]));
	st->nic[slot].unplugged = true;
	return true;
}

const struct record_kind rtl8139_kind = {
	.idstr = "rtl8139",
	.instances = nic_instances,
	.max_instances = MACHINE_MAX_NICS,
	.encode = enc_rtl8139,
	.required = true,
	KIND_VERSIONS(rtl8139_versions),
	.trad = { .size = trad_rtl8139_size, .write = trad_rtl8139_write, .order = 8,
		  .instance_ok = trad_rtl8139_instance },
	.upstream = { UPSTREAM_LAYOUTS(rtl8139_up), .pci_instance = rtl8139_upstream_path,
		      .write = up_rtl8139_write, .order = 17 },
	.absent_ok = rtl8139_absent_ok,
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_rtl8139(const struct machine *m, const struct machine_state *st)
{
	json_t *nics;

	if (!m->nr_rtl8139)
		return NULL;
	nics = json_array();
	for (unsigned int i = 0; i < m->nr_rtl8139; i++) {
		const struct rtl8139_state *n = &st->nic[i];
		const struct rtl8139_regs *g = &n->r;

		if (n->unplugged) {
			json_array_append_new(nics, json_pack("{s:i, s:b}", "devfn", m->rtl8139[i].pci.devfn,
							      "unplugged", 1));
			continue;
		}
		json_array_append_new(nics, json_pack(
			"{s:i, s:o, s:o, s:o, s:b, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:I, s:o, s:o}",
			"devfn", m->rtl8139[i].pci.devfn, "pci", json_pci(&n->pci), "phys", json_hex(g->phys, 6),
			"mult", json_hex(g->mult, 8), "cplus", g->cplus, "chip_cmd", g->chip_cmd,
			"intr_status", g->intr_status, "intr_mask", g->intr_mask,
			"tx_config", (json_int_t)g->tx_config, "rx_config", (json_int_t)g->rx_config,
			"rx_buf", (json_int_t)g->rx_buf, "rx_buf_size", (json_int_t)g->rx_buf_size,
			"rx_buf_ptr", (json_int_t)g->rx_buf_ptr, "rx_buf_addr", (json_int_t)g->rx_buf_addr,
			"rx_missed", (json_int_t)g->rx_missed, "cur_tx", g->cur_tx, "cur_cp_rx", g->cur_cp_rx,
			"cur_cp_tx", g->cur_cp_tx, "cp_cmd", (json_int_t)g->cp_cmd,
			"tally_tx_ok", json_u64(g->tally_tx_ok), "tally_rx_ok", json_u64(g->tally_rx_ok)));
	}
	return nics;
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_rtl8139(struct machine_state *st)
{
	for (unsigned int i = 0; i < MACHINE_MAX_NICS; i++) {
		struct rtl8139_state *n = &st->nic[i];
		struct rtl8139_regs *g = &n->r;
		uint32_t v = 0x01020304u * (i + 1);

		for (unsigned int j = 0; j < PCI_CONFIG_SIZE; j++)
			n->pci.config[j] = (uint8_t)((j + 5) * 11 + i);
		n->pci.irq_levels = 1;
		for (unsigned int j = 0; j < 6; j++)
			g->phys[j] = (uint8_t)(0x10 + j + i);
		for (unsigned int j = 0; j < 8; j++)
			g->mult[j] = (uint8_t)(0x20 + j + i);
		for (unsigned int j = 0; j < 4; j++) {
			g->tx_status[j] = v + 0x100 * j;
			g->tx_addr[j] = v + 0x1000 * j + 7;
		}
		g->rx_buf = v + 1;
		g->rx_buf_size = 16384;
		g->rx_buf_ptr = 0x1230 + i;
		g->rx_buf_addr = 0x0450 + i;
		g->intr_status = 0x4005;
		g->intr_mask = 0x80ff;
		g->tx_config = 0x74800600 + i;
		g->rx_config = 0x0000e70a + i;
		g->rx_missed = 77 + i;
		g->cscr = 0x0340;
		g->cfg9346 = 0xc0;
		g->config0 = 1;
		g->config1 = 0x2d;
		g->config3 = 0x41;
		g->config4 = 0x02;
		g->config5 = 0x05;
		g->chip_cmd = 0x0c;
		g->multi_intr = 0x0123;
		g->bmcr = 0x1200;
		g->bmsr = 0x782d;
		g->anar = 0x05e1;
		g->anlpar = 0x05e2;
		g->aner = 0x0003;
		g->cp_cmd = 0x002b;
		g->tx_thresh = 6;
		g->cur_tx = 3;
		g->cur_cp_rx = 17 + i;
		g->cur_cp_tx = 33 + i;
		g->rx_ring_lo = v + 0x20000;
		g->rx_ring_hi = 2;
		g->timer_int = 0x55aa;
		g->tctr_base = 0x1122334455667788ull + i;
		g->tx_first_dw0 = 0xb00005ea;
		g->tx_first_dw1 = 0x00020023;
		g->tally_tx_ok = 0x0102030405060708ull;
		g->tally_rx_ok = 0x1112131415161718ull;
		g->tally_tx_err = 0x2122232425262728ull;
		g->tally_rx_err = 0x31323334;
		g->tally_miss = 0x4142;
		g->tally_fae = 0x4344;
		g->tally_tx_1col = 0x51525354;
		g->tally_tx_mcol = 0x61626364;
		g->tally_rx_ok_phy = 0x7172737475767778ull;
		g->tally_rx_ok_brd = 0x8182838485868788ull;
		g->tally_rx_ok_mul = 0x91929394;
		g->tally_tx_abt = 0xa1a2;
		g->tally_tx_undrn = 0xb1b2;
		g->cplus = true;
		g->clock_enabled = true;
		for (unsigned int j = 0; j < RTL8139_EEPROM_WORDS; j++)
			n->eeprom.contents[j] = (uint16_t)(0x8100 + j * 3 + i);
		n->eeprom.mode = 2;
		n->eeprom.tick = 9;
		n->eeprom.address = 0x2a;
		n->eeprom.input = 0x1234;
		n->eeprom.output = 0x5678;
		n->eeprom.eecs = n->eeprom.eedo = n->eeprom.write_enabled = true;
		n->tx_partial = true;
	}
}

const struct state_view rtl8139_view = { "rtl8139", view_rtl8139, probe_rtl8139 };
