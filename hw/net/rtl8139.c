// SPDX-License-Identifier: GPL-2.0-only
/*
 * RTL8139C+. Register layout and bits: Realtek's RTL8139C(L)+ datasheet as
 * Linux's drivers/net/ethernet/realtek/8139cp.c and 8139too.c use it; where
 * the stock device model answers differently from the chip, hvmdm answers as
 * QEMU's hw/net/rtl8139.c does (xen-project/qemu-xen), since that is what
 * guests moving from it have seen: the whole reset on Cfg9346 auto-load, the
 * receive ring reset on an RxConfig write, 64 descriptors per TxPoll, the
 * write masks of the configuration registers.
 */
#include "rtl8139.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/bus.h"
#include "hw/core/log.h"
#include "hw/core/loop.h"
#include "hw/net/frame.h"

/* Register offsets. */
enum {
	R_IDR0 = 0x00,
	R_MAR0 = 0x08,
	R_TSD0 = 0x10,   /* C+: DTCCR, the tally dump address (64-bit) */
	R_TSAD0 = 0x20,  /* C+: TNPDS 0x20 (64-bit), THPDS 0x28 */
	R_RBSTART = 0x30,
	R_ERBCR = 0x34,
	R_ERSR = 0x36,
	R_CR = 0x37,
	R_CAPR = 0x38,
	R_CBR = 0x3a,
	R_IMR = 0x3c,
	R_ISR = 0x3e,
	R_TCR = 0x40,
	R_RCR = 0x44,
	R_TCTR = 0x48,
	R_MPC = 0x4c,
	R_9346CR = 0x50,
	R_CONFIG0 = 0x51,
	R_CONFIG1 = 0x52,
	R_TIMERINT = 0x54,
	R_MSR = 0x58,
	R_CONFIG3 = 0x59,
	R_CONFIG4 = 0x5a,
	R_HLTCLK = 0x5b,
	R_MULINT = 0x5c,
	R_RERID = 0x5e,
	R_TSAD = 0x60,
	R_BMCR = 0x62,
	R_BMSR = 0x64,
	R_ANAR = 0x66,
	R_ANLPAR = 0x68,
	R_ANER = 0x6a,
	R_CSCR = 0x74,
	R_CONFIG5 = 0xd8,
	R_TPPOLL = 0xd9,
	R_CPCMD = 0xe0,
	R_INTRMIT = 0xe2,
	R_RDSAR = 0xe4,
	R_ETTHR = 0xec,
};

/* ChipCmd */
#define CR_RST 0x10
#define CR_RE 0x08
#define CR_TE 0x04
#define CR_BUFE 0x01

/* Interrupt status and mask */
#define INT_ROK 0x0001
#define INT_RER 0x0002
#define INT_TOK 0x0004
#define INT_TER 0x0008
#define INT_RXOVW 0x0010   /* C mode: ring overflow; C+: no receive descriptor */
#define INT_LINKCHG 0x0020
#define INT_FOVW 0x0040
#define INT_TDU 0x0080
#define INT_SWINT 0x0100
#define INT_TIMEOUT 0x4000
#define INT_SERR 0x8000

/* TSD */
#define TSD_SIZE 0x1fff
#define TSD_OWN 0x2000
#define TSD_TUN 0x4000
#define TSD_TOK 0x8000
#define TSD_TABT 0x40000000

/* RxConfig */
#define RCR_AAP 0x01
#define RCR_APM 0x02
#define RCR_AM 0x04
#define RCR_AB 0x08
#define RCR_WRAP 0x80

/* Receive header status (C mode) */
#define RXS_ROK 0x0001
#define RXS_BAR 0x2000
#define RXS_PAM 0x4000
#define RXS_MAR 0x8000

/* TxConfig: the RTL8139C+ hardware version bits, and what a write keeps. */
#define TCR_HWREV 0x74800000u
#define TCR_KEEP 0xfcf0f80fu /* version and reserved bits: not the guest's */

/* C+ command */
#define CPCMD_TXEN 0x0001
#define CPCMD_RXEN 0x0002
#define CPCMD_RXVLAN 0x0040

/* C+ descriptors: dword 0 */
#define DESC_OWN (1u << 31)
#define DESC_EOR (1u << 30)
#define DESC_FS (1u << 29)
#define DESC_LS (1u << 28)
#define TXD_LGSEN (1u << 27)
#define TXD_MSS_SHIFT 16
#define TXD_MSS_MASK 0x7ffu
#define TXD_IPCS (1u << 18)
#define TXD_UDPCS (1u << 17)
#define TXD_TCPCS (1u << 16)
#define TXD_SIZE 0xffffu
#define TXD_ERRORS (1u << 25 | 1u << 23 | 1u << 22 | 1u << 21 | 1u << 20) /* UNF TES OWC LNKF EXC */
#define TXD_TAGC (1u << 17) /* dword 1 */
#define RXD_MAR (1u << 26)
#define RXD_PAM (1u << 25)
#define RXD_BAR (1u << 24)
#define RXD_SIZE 0x1fffu
#define RXD_TAVA (1u << 16) /* dword 1 */

#define CPLUS_RING_MAX 1024u /* descriptors in a ring, at most (the chip's limit) */
#define CPLUS_TX_PER_POLL 64u
#define CPLUS_TX_RING 64u
/* tx_gathered of a frame being dropped (overrun, unreadable buffer, or taken in part before a save). */
#define TX_GATHER_DROP (NET_MAX_FRAME + 1)
#define RX_MIN_FRAME 60u
#define C_RX_MAX_FRAME 4096u /* longer frames are not received in C mode */
#define PCI_TIMER_NS 30ull /* one TCTR tick: the 33 MHz PCI clock, as QEMU counts it */

/* Cfg9346 operating modes */
#define CFG9346_MODE 0xc0
#define CFG9346_NORMAL 0x00
#define CFG9346_AUTOLOAD 0x40
#define CFG9346_PROGRAM 0x80
#define CFG9346_CONFIG 0xc0
#define CFG9346_EECS 0x08
#define CFG9346_EESK 0x04
#define CFG9346_EEDI 0x02
#define CFG9346_EEDO 0x01

enum eeprom_mode { EE_IDLE, EE_COMMAND, EE_READ, EE_WRITE, EE_WRITE_ALL };

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---------------------------------------------------------------- helpers */

static void update_irq(struct rtl8139 *s)
{
	if (!s->unplugged)
		pci_set_irq(&s->pci, 0, (s->r.intr_status & s->r.intr_mask) != 0);
}

static void raise(struct rtl8139 *s, uint16_t bits)
{
	s->r.intr_status |= bits;
	update_irq(s);
}

static bool dma(struct rtl8139 *s, uint64_t gpa, void *buf, size_t len, bool write)
{
	return pci_dma_rw(&s->pci, s->accel, gpa, buf, len, write);
}

/* The Ethernet FCS (reflected CRC-32), appended after each received frame. */
static uint32_t fcs32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* The multicast hash index: the top 6 bits of the MSB-first CRC (Linux ether_crc). */
static unsigned int mcast_index(const uint8_t *mac)
{
	uint32_t crc = 0xffffffffu;

	for (int i = 0; i < 6; i++) {
		uint8_t byte = mac[i];

		for (int b = 0; b < 8; b++, byte >>= 1)
			crc = (crc << 1) ^ ((((crc >> 31) ^ byte) & 1) ? 0x04c11db7u : 0);
	}
	return crc >> 26;
}

/* ---------------------------------------------------------------- the PCI timer */

static uint32_t tctr(const struct rtl8139 *s)
{
	/* Wrapping at 32 bits. */
	return (uint32_t)((clock_now(s->clock) - s->r.tctr_base) / PCI_TIMER_NS);
}

/* Arm for the next time TCTR passes TimerInt (none while TimerInt is 0). */
static void arm_timer(struct rtl8139 *s)
{
	uint64_t now, cycles_ns, period_ns, next;

	if (!s->clock)
		return;
	timer_cancel(&s->timer);
	if (!s->r.timer_int || s->unplugged || !s->r.clock_enabled)
		return;
	now = clock_now(s->clock);
	cycles_ns = (uint64_t)s->r.timer_int * PCI_TIMER_NS;
	period_ns = (1ull << 32) * PCI_TIMER_NS;
	next = s->r.tctr_base + cycles_ns;
	if (next <= now)
		next += ((now - next) / period_ns + 1) * period_ns;
	timer_arm(&s->timer, next);
}

static void timer_fired(void *opaque)
{
	struct rtl8139 *s = opaque;

	raise(s, INT_TIMEOUT);
	arm_timer(s);
}

/* ---------------------------------------------------------------- EEPROM (93C46) */

static void eeprom_init(struct rtl8139 *s)
{
	struct rtl8139_eeprom *e = &s->eeprom;

	memset(e->contents, 0, sizeof(e->contents));
	/* QEMU's contents (hw/net/rtl8139.c pci_rtl8139_realize): IDs, then the MAC at word 7. */
	e->contents[0] = 0x8129;
	e->contents[1] = 0x10ec;
	e->contents[2] = 0x8139;
	for (int i = 0; i < 3; i++)
		e->contents[7 + i] = (uint16_t)(s->mac[2 * i] | s->mac[2 * i + 1] << 8);
}

/* One SK rising edge with CS high: shift DI in, DO out. */
static void eeprom_clock(struct rtl8139_eeprom *e)
{
	switch ((enum eeprom_mode)e->mode) {
	case EE_IDLE:
		/* Leading zeros are ignored; a one is the start bit. */
		if (e->eedi) {
			e->mode = EE_COMMAND;
			e->tick = 0;
			e->input = 0;
		}
		break;
	case EE_COMMAND:
		e->input = (uint16_t)(e->input << 1 | e->eedi);
		if (++e->tick < 8)
			break;
		/* Two opcode bits, six address bits. */
		e->address = e->input & 0x3f;
		e->tick = 0;
		switch (e->input >> 6 & 3) {
		case 2: /* READ: a dummy zero, then the words from address on */
			e->output = e->contents[e->address];
			e->eedo = false;
			e->mode = EE_READ;
			break;
		case 1: /* WRITE */
			e->input = 0;
			e->mode = EE_WRITE;
			break;
		case 3: /* ERASE */
			if (e->write_enabled)
				e->contents[e->address] = 0xffff;
			e->mode = EE_IDLE;
			break;
		default:
			switch (e->address >> 4) {
			case 0: /* EWDS */
				e->write_enabled = false;
				e->mode = EE_IDLE;
				break;
			case 1: /* WRAL */
				e->input = 0;
				e->mode = EE_WRITE_ALL;
				break;
			case 2: /* ERAL */
				if (e->write_enabled)
					for (int i = 0; i < RTL8139_EEPROM_WORDS; i++)
						e->contents[i] = 0xffff;
				e->mode = EE_IDLE;
				break;
			default: /* EWEN */
				e->write_enabled = true;
				e->mode = EE_IDLE;
				break;
			}
			break;
		}
		break;
	case EE_READ:
		e->eedo = (e->output & 0x8000) != 0;
		e->output = (uint16_t)(e->output << 1);
		/* After 16 bits a new start bit may follow without a chip-select toggle (as QEMU). */
		if (++e->tick == 16) {
			e->mode = EE_IDLE;
			e->tick = 0;
		}
		break;
	case EE_WRITE:
	case EE_WRITE_ALL:
		e->input = (uint16_t)(e->input << 1 | e->eedi);
		if (++e->tick < 16)
			break;
		if (e->write_enabled) {
			if (e->mode == EE_WRITE)
				e->contents[e->address] = e->input;
			else
				for (int i = 0; i < RTL8139_EEPROM_WORDS; i++)
					e->contents[i] = e->input;
		}
		e->mode = EE_IDLE;
		break;
	}
}

static void eeprom_wires(struct rtl8139_eeprom *e, bool cs, bool sk, bool di)
{
	bool rising = !e->eesk && sk, select = !e->eecs && cs;

	e->eecs = cs;
	e->eedi = di;
	e->eesk = sk;
	/* Chip select rising starts over; clocks count only while it is high. */
	if (select) {
		e->mode = EE_IDLE;
		e->tick = 0;
		e->input = 0;
		e->output = 0;
	}
	if (cs && rising)
		eeprom_clock(e);
}

/* ---------------------------------------------------------------- reset */

/*
 * The chip's reset (ChipCmd RST, Cfg9346 auto-load, and part of power-on).
 * As QEMU's rtl8139_reset it leaves MAR, the transmit addresses, RxConfig,
 * RxMissed, Cfg9346, Config4, MultiIntr, TxThresh and the EEPROM alone.
 */
static void soft_reset(struct rtl8139 *s)
{
	struct rtl8139_regs *r = &s->r;

	memcpy(r->phys, s->mac, 6);
	for (int i = 0; i < 4; i++)
		r->tx_status[i] = TSD_OWN;
	r->cur_tx = 0;
	r->cur_cp_rx = r->cur_cp_tx = 0;
	r->rx_buf = 0;
	r->rx_buf_size = 8192;
	r->rx_buf_ptr = r->rx_buf_addr = 0;
	r->intr_status = r->intr_mask = 0;
	r->tx_config = TCR_HWREV;
	r->clock_enabled = true;
	r->chip_cmd = 0;
	r->config0 = 0;
	r->config1 = 0x0c; /* IOMAP, MEMMAP: both BARs decode */
	r->config3 = 0x01; /* fast back-to-back */
	r->config5 = 0;
	r->cscr = 0x0340; /* LD, HEART, F_LINK_100 */
	/* The PHY: autonegotiation done, 100 Mbit/s full duplex, link up. */
	r->bmcr = 0x1000;
	r->bmsr = 0x7809 | 0x0020 | 0x0004;
	r->anar = 0x05e1;
	r->anlpar = 0x05e1;
	r->aner = 0x0001;
	r->cp_cmd = 0;
	r->rx_ring_lo = r->rx_ring_hi = 0;
	r->timer_int = 0;
	r->tctr_base = s->clock ? clock_now(s->clock) : 0;
	r->cplus = false;
	r->tx_gathered = 0;
	r->tx_first_dw0 = r->tx_first_dw1 = 0;
	r->tally_tx_ok = r->tally_rx_ok = r->tally_tx_err = 0;
	r->tally_rx_err = 0;
	r->tally_miss = r->tally_fae = 0;
	r->tally_tx_1col = r->tally_tx_mcol = 0;
	r->tally_rx_ok_phy = r->tally_rx_ok_brd = 0;
	r->tally_rx_ok_mul = 0;
	r->tally_tx_abt = r->tally_tx_undrn = 0;
	if (s->clock)
		timer_cancel(&s->timer);
	update_irq(s);
}

/* Power-on: what the chip's reset leaves alone starts at zero. */
void rtl8139_reset(struct rtl8139 *s)
{
	struct rtl8139_regs *r = &s->r;

	eeprom_init(s);
	memset(&s->eeprom.mode, 0, sizeof(s->eeprom) - offsetof(struct rtl8139_eeprom, mode));
	memset(r->mult, 0, sizeof(r->mult));
	memset(r->tx_addr, 0, sizeof(r->tx_addr));
	r->rx_config = 0;
	r->rx_missed = 0;
	r->cfg9346 = 0;
	r->config4 = 0;
	r->multi_intr = 0;
	r->tx_thresh = 0;
	soft_reset(s);
}

/* ---------------------------------------------------------------- receive */

static bool rx_enabled(const struct rtl8139 *s)
{
	return !s->unplugged && s->r.clock_enabled && (s->r.chip_cmd & CR_RE);
}

/* The C+ receiver (CpCmd bit 1) takes frames into the descriptor ring, else the C mode ring. */
static bool cplus_rx(const struct rtl8139 *s)
{
	return s->r.cp_cmd & CPCMD_RXEN;
}

/* Bytes the C mode ring has free (0: the driver has read everything, the whole ring is free). */
static uint32_t ring_free(const struct rtl8139 *s)
{
	return (s->r.rx_buf_ptr - s->r.rx_buf_addr) & (s->r.rx_buf_size - 1);
}

static bool ring_empty(const struct rtl8139 *s)
{
	return s->r.rx_buf_ptr == s->r.rx_buf_addr;
}

bool rtl8139_can_receive(const struct rtl8139 *s)
{
	uint32_t avail;

	/* A receiver that is off drops what arrives (as the chip, and QEMU): frames are not held for it. */
	if (!rx_enabled(s))
		return true;
	/* C+: descriptors are given back in memory with no register write; a frame with none is dropped. */
	if (cplus_rx(s))
		return true;
	avail = ring_free(s);
	return avail == 0 || avail > 1536 + 16;
}

/* Which filter accepts the frame; 0 if none does. Bits are the C mode header's. */
static uint16_t rx_filter(struct rtl8139 *s, const uint8_t *frame)
{
	struct rtl8139_regs *r = &s->r;

	if (!memcmp(frame, broadcast_mac, 6)) {
		if (!(r->rx_config & (RCR_AB | RCR_AAP)))
			return 0;
		r->tally_rx_ok_brd++;
		return RXS_BAR;
	}
	if (frame[0] & 1) {
		unsigned int idx = mcast_index(frame);

		if (!(r->rx_config & RCR_AAP) &&
		    (!(r->rx_config & RCR_AM) || !(r->mult[idx >> 3] & (1u << (idx & 7)))))
			return 0;
		r->tally_rx_ok_mul++;
		return RXS_MAR;
	}
	if (!memcmp(frame, r->phys, 6)) {
		if (!(r->rx_config & (RCR_APM | RCR_AAP)))
			return 0;
		r->tally_rx_ok_phy++;
		return RXS_PAM;
	}
	return (r->rx_config & RCR_AAP) ? RXS_ROK : 0;
}

static uint16_t rx_accept(struct rtl8139 *s, const uint8_t *frame)
{
	uint16_t status;

	/* Promiscuous: every frame, with no match flag (as QEMU reports it). */
	if (s->r.rx_config & RCR_AAP)
		return RXS_ROK;
	status = rx_filter(s, frame);
	if (!status)
		s->r.tally_rx_err++;
	return status;
}

static void rx_missed(struct rtl8139 *s)
{
	s->r.rx_missed++;
	s->r.tally_miss++;
	raise(s, INT_RXOVW);
}

/* Write len bytes at ring offset `off`, wrapping unless WRAP lets it run past the end. */
static bool ring_write(struct rtl8139 *s, uint32_t off, const uint8_t *p, size_t len)
{
	uint32_t size = s->r.rx_buf_size;

	if (off + len > size && !((s->r.rx_config & RCR_WRAP) && size < 65536)) {
		size_t first = size - off;

		return dma(s, s->r.rx_buf + off, (void *)p, first, true) &&
		       dma(s, s->r.rx_buf, (void *)(p + first), len - first, true);
	}
	return dma(s, (uint64_t)s->r.rx_buf + off, (void *)p, len, true);
}

static void receive_c(struct rtl8139 *s, const uint8_t *frame, size_t len, uint16_t status)
{
	struct rtl8139_regs *r = &s->r;
	uint32_t total = (uint32_t)((4 + len + 4 + 3) & ~3u), avail = ring_free(s);
	uint8_t hdr[4], crc[4];
	uint32_t addr = r->rx_buf_addr;

	if (len > C_RX_MAX_FRAME || (avail != 0 && total >= avail) || total >= r->rx_buf_size) {
		rx_missed(s);
		return;
	}
	wr_le32(hdr, (uint32_t)(status | RXS_ROK) | (uint32_t)(len + 4) << 16);
	wr_le32(crc, fcs32(frame, len));
	if (!ring_write(s, addr, hdr, 4) ||
	    !ring_write(s, (addr + 4) & (r->rx_buf_size - 1), frame, len) ||
	    !ring_write(s, (uint32_t)(addr + 4 + len) & (r->rx_buf_size - 1), crc, 4)) {
		log_guest("rtl8139", "receive buffer at %#x is not guest RAM (or bus mastering is off): frame dropped",
			  r->rx_buf);
		rx_missed(s);
		return;
	}
	r->rx_buf_addr = (addr + total) & (r->rx_buf_size - 1);
	r->tally_rx_ok++;
	raise(s, INT_ROK);
}

static void receive_cplus(struct rtl8139 *s, const uint8_t *frame, size_t len, uint16_t status)
{
	struct rtl8139_regs *r = &s->r;
	uint64_t ring = (uint64_t)r->rx_ring_hi << 32 | r->rx_ring_lo;
	uint64_t desc = ring + (uint64_t)r->cur_cp_rx * 16;
	uint8_t d[16], crc[4], tagged[4];
	uint32_t dw0, dw1, space;
	uint64_t buf;

	/* Linux turns the receiver on before it sets the ring: nothing to receive into yet. */
	if (!ring)
		return;
	if (!dma(s, desc, d, sizeof(d), false)) {
		log_guest("rtl8139", "receive descriptor at %#llx is not guest RAM: frame dropped",
			  (unsigned long long)desc);
		rx_missed(s);
		return;
	}
	dw0 = rd_le32(d);
	dw1 = rd_le32(d + 4) & ~(RXD_TAVA | 0xffffu);
	if (!(dw0 & DESC_OWN)) {
		r->tally_rx_err++;
		rx_missed(s); /* no descriptor: the driver is behind */
		return;
	}
	/* VLAN de-tagging: the tag goes to dword 1, in the byte order it had on the wire. */
	if ((r->cp_cmd & CPCMD_RXVLAN) && len >= 18 && rd_be16(frame + 12) == 0x8100) {
		memcpy(tagged, frame + 14, 2);
		dw1 |= RXD_TAVA | (uint32_t)tagged[0] | (uint32_t)tagged[1] << 8;
		memcpy(s->seg, frame, 12);
		memcpy(s->seg + 12, frame + 16, len - 16);
		len -= 4;
		if (len < RX_MIN_FRAME) {
			memset(s->seg + len, 0, RX_MIN_FRAME - len);
			len = RX_MIN_FRAME;
		}
		frame = s->seg;
	} else {
		dw1 |= rd_le32(d + 4) & 0xffffu;
	}
	space = dw0 & RXD_SIZE;
	buf = (uint64_t)rd_le32(d + 12) << 32 | rd_le32(d + 8);
	if (len + 4 > space) {
		r->tally_rx_err++;
		rx_missed(s);
		return;
	}
	wr_le32(crc, fcs32(frame, len));
	if (!dma(s, buf, (void *)frame, len, true) || !dma(s, buf + len, crc, 4, true)) {
		log_guest("rtl8139", "receive buffer at %#llx is not guest RAM: frame dropped",
			  (unsigned long long)buf);
		rx_missed(s);
		return;
	}
	dw0 = (dw0 & DESC_EOR) | DESC_FS | DESC_LS | (uint32_t)(len + 4);
	if (status & RXS_BAR)
		dw0 |= RXD_BAR;
	else if (status & RXS_MAR)
		dw0 |= RXD_MAR;
	else if (status & RXS_PAM)
		dw0 |= RXD_PAM;
	wr_le32(d, dw0);
	wr_le32(d + 4, dw1);
	if (!dma(s, desc, d, 8, true)) {
		rx_missed(s);
		return;
	}
	r->cur_cp_rx = (dw0 & DESC_EOR) || r->cur_cp_rx + 1 >= CPLUS_RING_MAX ? 0 : r->cur_cp_rx + 1;
	r->tally_rx_ok++;
	raise(s, INT_ROK);
}

void rtl8139_receive(struct rtl8139 *s, const uint8_t *frame, size_t len)
{
	uint8_t padded[RX_MIN_FRAME];
	uint16_t status;

	if (!rx_enabled(s) || len < 14 || len > NET_MAX_FRAME)
		return;
	status = rx_accept(s, frame);
	if (!status)
		return;
	/* Runts are padded to the Ethernet minimum, as the wire would have them. */
	if (len < RX_MIN_FRAME) {
		memset(padded, 0, sizeof(padded));
		memcpy(padded, frame, len);
		frame = padded;
		len = RX_MIN_FRAME;
	}
	if (cplus_rx(s))
		receive_cplus(s, frame, len, status);
	else
		receive_c(s, frame, len, status);
}

/* ---------------------------------------------------------------- transmit */

static bool tx_enabled(const struct rtl8139 *s)
{
	return !s->unplugged && (s->r.chip_cmd & CR_TE);
}

static void send_frame(struct rtl8139 *s, const uint8_t *frame, size_t len)
{
	/* Loopback (TxConfig bits 17-18 = 3) hands the frame back to the receiver. */
	if ((s->r.tx_config >> 17 & 3) == 3) {
		rtl8139_receive(s, frame, len);
		return;
	}
	if (s->netdev)
		netdev_send(s->netdev, frame, len);
}

/* C mode: the slots from cur_tx on that the driver handed over (OWN clear), in order. */
static void transmit_c(struct rtl8139 *s)
{
	struct rtl8139_regs *r = &s->r;

	for (int n = 0; n < 4 && tx_enabled(s); n++) {
		unsigned int i = r->cur_tx;
		uint32_t len = r->tx_status[i] & TSD_SIZE;

		if (r->tx_status[i] & TSD_OWN)
			return;
		if (!dma(s, r->tx_addr[i], s->frame, len, false)) {
			log_guest("rtl8139", "transmit buffer %u at %#x is not guest RAM: aborted", i, r->tx_addr[i]);
			r->tx_status[i] |= TSD_OWN | TSD_TABT;
			r->tally_tx_abt++;
			r->tally_tx_err++;
			r->cur_tx = (i + 1) % 4;
			raise(s, INT_TER);
			continue;
		}
		send_frame(s, s->frame, len);
		r->tx_status[i] |= TSD_OWN | TSD_TOK;
		r->tally_tx_ok++;
		r->cur_tx = (i + 1) % 4;
		raise(s, INT_TOK);
	}
}

/*
 * IPv4 offloads on a gathered C+ frame: the IP header checksum (IPCS), the
 * TCP or UDP checksum (TCPCS/UDPCS), or large send (LGSEN): TCP segments of
 * at most mss payload bytes, each with its own IP length, id, checksum, TCP
 * sequence number and flags (FIN and PSH only on the last).
 */
struct ip_frame {
	size_t l3;      /* offset of the IP header */
	size_t l4;      /* offset of the TCP/UDP header */
	size_t ip_end;  /* end of the IP datagram */
	uint8_t proto;
};

static bool parse_ipv4(const uint8_t *f, size_t len, struct ip_frame *ip)
{
	size_t l3 = 14, ihl, total;

	if (len >= 18 && rd_be16(f + 12) == 0x8100)
		l3 = 18;
	if (len < l3 + 20 || rd_be16(f + l3 - 2) != 0x0800 || (f[l3] >> 4) != 4)
		return false;
	ihl = (size_t)(f[l3] & 0xf) * 4;
	total = rd_be16(f + l3 + 2);
	if (ihl < 20 || total < ihl || l3 + total > len)
		return false;
	ip->l3 = l3;
	ip->l4 = l3 + ihl;
	ip->ip_end = l3 + total;
	ip->proto = f[l3 + 9];
	return true;
}

static void ip_checksum(uint8_t *f, const struct ip_frame *ip)
{
	wr_be16(f + ip->l3 + 10, 0);
	wr_be16(f + ip->l3 + 10, csum_fold(csum_add(0, f + ip->l3, ip->l4 - ip->l3)));
}

/* TCP (proto 6) or UDP (17) checksum over the pseudo-header and the segment. */
static void l4_checksum(uint8_t *f, const struct ip_frame *ip)
{
	size_t l4len = ip->ip_end - ip->l4, off = ip->proto == 6 ? 16 : 6;
	uint32_t sum;
	uint16_t c;

	if (l4len < off + 2 || (ip->proto == 6 && l4len < 20) || (ip->proto == 17 && l4len < 8))
		return;
	wr_be16(f + ip->l4 + off, 0);
	sum = csum_add(0, f + ip->l3 + 12, 8);
	sum += ip->proto;
	sum += (uint32_t)l4len;
	sum = csum_add(sum, f + ip->l4, l4len);
	c = csum_fold(sum);
	if (ip->proto == 17 && c == 0)
		c = 0xffff;
	wr_be16(f + ip->l4 + off, c);
}

static void large_send(struct rtl8139 *s, uint8_t *f, size_t len, const struct ip_frame *ip,
		       unsigned int mss)
{
	size_t thl, hdr, payload, done = 0;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;

	if (ip->proto != 6 || ip->ip_end - ip->l4 < 20) {
		send_frame(s, f, len);
		return;
	}
	thl = (size_t)(f[ip->l4 + 12] >> 4) * 4;
	if (thl < 20 || ip->l4 + thl > ip->ip_end) {
		send_frame(s, f, len);
		return;
	}
	hdr = ip->l4 + thl;
	payload = ip->ip_end - hdr;
	/* An MSS of 0 sends the frame as it is (QEMU's fix for gitlab issue 1582). */
	if (mss == 0) {
		send_frame(s, f, len);
		return;
	}
	if (payload <= mss) {
		ip_checksum(f, ip);
		l4_checksum(f, ip);
		send_frame(s, f, len);
		return;
	}
	seq = (uint32_t)rd_be16(f + ip->l4 + 4) << 16 | rd_be16(f + ip->l4 + 6);
	id = rd_be16(f + ip->l3 + 4);
	flags = f[ip->l4 + 13];
	for (unsigned int n = 0; done < payload; n++) {
		size_t chunk = payload - done < mss ? payload - done : mss;
		bool last = done + chunk == payload;
		struct ip_frame sip = { ip->l3, ip->l4, hdr + chunk, 6 };
		uint32_t sseq = seq + (uint32_t)done;

		memcpy(s->seg, f, hdr);
		memcpy(s->seg + hdr, f + hdr + done, chunk);
		wr_be16(s->seg + ip->l3 + 2, (uint16_t)(hdr + chunk - ip->l3));
		wr_be16(s->seg + ip->l3 + 4, (uint16_t)(id + n));
		wr_be16(s->seg + ip->l4 + 4, (uint16_t)(sseq >> 16));
		wr_be16(s->seg + ip->l4 + 6, (uint16_t)sseq);
		s->seg[ip->l4 + 13] = last ? flags : (uint8_t)(flags & ~0x09); /* FIN, PSH */
		ip_checksum(s->seg, &sip);
		l4_checksum(s->seg, &sip);
		send_frame(s, s->seg, hdr + chunk);
		done += chunk;
	}
}

static void send_cplus_frame(struct rtl8139 *s, size_t len, uint32_t first_dw0, uint32_t dw1)
{
	uint8_t *f = s->frame;
	struct ip_frame ip;

	/* VLAN insertion: the tag from dword 1, already in network byte order. */
	if ((dw1 & TXD_TAGC) && len >= 12 && len + 4 <= NET_MAX_FRAME) {
		memmove(f + 16, f + 12, len - 12);
		wr_be16(f + 12, 0x8100);
		f[14] = (uint8_t)dw1;
		f[15] = (uint8_t)(dw1 >> 8);
		len += 4;
	}
	if ((first_dw0 & (TXD_LGSEN | TXD_IPCS | TXD_TCPCS | TXD_UDPCS)) && parse_ipv4(f, len, &ip)) {
		if (first_dw0 & TXD_LGSEN) {
			large_send(s, f, len, &ip, first_dw0 >> TXD_MSS_SHIFT & TXD_MSS_MASK);
			return;
		}
		if (first_dw0 & TXD_IPCS)
			ip_checksum(f, &ip);
		if (((first_dw0 & TXD_TCPCS) && ip.proto == 6) || ((first_dw0 & TXD_UDPCS) && ip.proto == 17))
			l4_checksum(f, &ip);
	}
	send_frame(s, f, len);
}

/*
 * C+ mode, on a TxPoll write: the normal-priority ring from cur_cp_tx, at
 * most 64 descriptors (as QEMU), each given back with OWN clear; a frame is
 * the buffers from FS to LS.
 */
static void transmit_cplus(struct rtl8139 *s)
{
	struct rtl8139_regs *r = &s->r;
	uint64_t ring = (uint64_t)r->tx_addr[1] << 32 | r->tx_addr[0];
	unsigned int done = 0;

	while (done < CPLUS_TX_PER_POLL && tx_enabled(s) && (r->cp_cmd & CPCMD_TXEN)) {
		uint64_t desc = ring + (uint64_t)r->cur_cp_tx * 16, buf;
		uint8_t d[16];
		uint32_t dw0, dw1, size;

		if (!dma(s, desc, d, sizeof(d), false)) {
			log_guest("rtl8139", "transmit descriptor at %#llx is not guest RAM", (unsigned long long)desc);
			break;
		}
		dw0 = rd_le32(d);
		if (!(dw0 & DESC_OWN))
			break;
		dw1 = rd_le32(d + 4);
		buf = (uint64_t)rd_le32(d + 12) << 32 | rd_le32(d + 8);
		size = dw0 & TXD_SIZE;
		if (dw0 & DESC_FS) {
			r->tx_gathered = 0;
			r->tx_first_dw0 = dw0;
			r->tx_first_dw1 = dw1;
		}
		if (r->tx_gathered + size > NET_MAX_FRAME ||
		    !dma(s, buf, s->frame + r->tx_gathered, size, false)) {
			log_guest("rtl8139", "transmit buffer at %#llx (%u bytes) is not guest RAM or overruns a frame: dropped",
				  (unsigned long long)buf, size);
			r->tx_gathered = TX_GATHER_DROP; /* the rest of this frame is dropped too */
			r->tally_tx_err++;
		} else {
			r->tx_gathered += size;
		}
		/* Given back: OWN and the error bits clear, the command bits echoed (as QEMU 7.2). */
		wr_le32(d, dw0 & ~(DESC_OWN | TXD_ERRORS));
		dma(s, desc, d, 4, true);
		/* QEMU's transmit ring wraps at 64 descriptors even without EOR (Linux's ring size). */
		r->cur_cp_tx = (dw0 & DESC_EOR) || r->cur_cp_tx + 1 >= CPLUS_TX_RING ? 0 : r->cur_cp_tx + 1;
		done++;
		if ((dw0 & DESC_LS) && r->tx_gathered <= NET_MAX_FRAME) {
			send_cplus_frame(s, r->tx_gathered, r->tx_first_dw0, r->tx_first_dw1);
			r->tally_tx_ok++;
		}
		if (dw0 & DESC_LS)
			r->tx_gathered = 0;
	}
	if (done)
		raise(s, INT_TOK);
}

/* ---------------------------------------------------------------- registers */

static uint16_t tsad_summary(const struct rtl8139 *s)
{
	uint16_t v = 0;

	for (int i = 0; i < 4; i++) {
		uint32_t t = s->r.tx_status[i];

		v |= (t & TSD_TOK) ? (uint16_t)(0x1000 << i) : 0;
		v |= (t & TSD_TUN) ? (uint16_t)(0x0100 << i) : 0;
		v |= (t & TSD_TABT) ? (uint16_t)(0x0010 << i) : 0;
		v |= (t & TSD_OWN) ? (uint16_t)(0x0001 << i) : 0;
	}
	return v;
}

static uint8_t cfg9346_read(const struct rtl8139 *s)
{
	uint8_t v = s->r.cfg9346;

	if ((v & CFG9346_MODE) == CFG9346_PROGRAM)
		v = (uint8_t)((v & ~CFG9346_EEDO) | (s->eeprom.eecs && s->eeprom.eedo ? CFG9346_EEDO : 0));
	return v;
}

/* The byte at `off` as a read sees it (no register has read side effects). */
static uint8_t read_byte(const struct rtl8139 *s, unsigned int off)
{
	const struct rtl8139_regs *r = &s->r;
	unsigned int lane = off & 3;
	uint32_t v;

	if (off < 6)
		return r->phys[off];
	if (off >= R_MAR0 && off < R_MAR0 + 8)
		return r->mult[off - R_MAR0];
	if (off >= R_TSD0 && off < R_TSD0 + 16)
		return (uint8_t)(r->tx_status[(off - R_TSD0) / 4] >> 8 * lane);
	if (off >= R_TSAD0 && off < R_TSAD0 + 16)
		return (uint8_t)(r->tx_addr[(off - R_TSAD0) / 4] >> 8 * lane);
	switch (off & ~3u) {
	case R_RBSTART:
		return (uint8_t)(r->rx_buf >> 8 * lane);
	case R_TCR:
		return (uint8_t)(r->tx_config >> 8 * lane);
	case R_RCR:
		return (uint8_t)(r->rx_config >> 8 * lane);
	case R_TCTR:
		return (uint8_t)(tctr(s) >> 8 * lane);
	case R_MPC:
		return (uint8_t)(r->rx_missed >> 8 * lane);
	case R_TIMERINT:
		return (uint8_t)(r->timer_int >> 8 * lane);
	case R_RDSAR:
		return (uint8_t)(r->rx_ring_lo >> 8 * lane);
	case R_RDSAR + 4:
		return (uint8_t)(r->rx_ring_hi >> 8 * lane);
	default:
		break;
	}
	switch (off & ~1u) {
	case R_CAPR:
		v = (r->rx_buf_ptr - 16) & 0xffff;
		break;
	case R_CBR:
		v = r->rx_buf_addr & 0xffff;
		break;
	case R_IMR:
		v = r->intr_mask;
		break;
	case R_ISR:
		v = r->intr_status;
		break;
	case R_MULINT:
		v = r->multi_intr;
		break;
	case R_TSAD:
		v = tsad_summary(s);
		break;
	case R_BMCR:
		v = r->bmcr;
		break;
	case R_BMSR:
		v = r->bmsr;
		break;
	case R_ANAR:
		v = r->anar;
		break;
	case R_ANLPAR:
		v = r->anlpar;
		break;
	case R_ANER:
		v = r->aner;
		break;
	case R_CSCR:
		v = r->cscr;
		break;
	case R_CPCMD:
		v = r->cp_cmd;
		break;
	case R_INTRMIT:
		v = 0;
		break;
	default:
		v = UINT32_MAX;
		break;
	}
	if (v != UINT32_MAX)
		return (uint8_t)(v >> 8 * (off & 1));
	switch (off) {
	case R_CR:
		return (uint8_t)((r->chip_cmd & (CR_RE | CR_TE)) | (ring_empty(s) ? CR_BUFE : 0));
	case R_9346CR:
		return cfg9346_read(s);
	case R_CONFIG0:
		return r->config0;
	case R_CONFIG1:
		return r->config1;
	case R_CONFIG3:
		return r->config3;
	case R_CONFIG4:
		return r->config4;
	case R_CONFIG5:
		return r->config5;
	case R_HLTCLK:
		return r->clock_enabled;
	case R_MSR:
		/* 100 Mbit/s; LINKB is the inverse of the PHY's link status. */
		return (uint8_t)(0xd0 | ((r->bmsr & 0x0004) ? 0 : 0x04));
	case R_RERID:
		return s->pci.config[PCI_REVISION_ID];
	case R_ETTHR:
		return r->tx_thresh;
	default:
		return 0;
	}
}

static uint64_t regs_read(void *opaque, uint64_t addr, unsigned int size)
{
	struct rtl8139 *s = opaque;
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)read_byte(s, (unsigned int)(addr + i) & 0xff) << 8 * i;
	return v;
}

static void write_cfg9346(struct rtl8139 *s, uint8_t val)
{
	uint8_t mode = val & CFG9346_MODE;

	if (mode == CFG9346_AUTOLOAD) {
		/* Reloading the EEPROM resets the chip (QEMU's rtl8139_Cfg9346_write). */
		soft_reset(s);
		s->r.cfg9346 = 0;
		return;
	}
	s->r.cfg9346 = (uint8_t)((val & 0xce) | (s->r.cfg9346 & 0x31));
	if (mode == CFG9346_PROGRAM)
		eeprom_wires(&s->eeprom, val & CFG9346_EECS, val & CFG9346_EESK, val & CFG9346_EEDI);
}

static bool config_writable(const struct rtl8139 *s)
{
	return (s->r.cfg9346 & CFG9346_MODE) == CFG9346_CONFIG;
}

static void write_cr(struct rtl8139 *s, uint8_t val)
{
	if (val & CR_RST) {
		soft_reset(s);
		return;
	}
	if (val & CR_RE)
		s->r.cur_cp_rx = 0;
	if (val & CR_TE)
		s->r.cur_cp_tx = 0;
	s->r.chip_cmd = val & (CR_RE | CR_TE);
}

static void write_rcr(struct rtl8139 *s, uint32_t val)
{
	struct rtl8139_regs *r = &s->r;

	r->rx_config = (val & ~0xf0fc0040u) | (r->rx_config & 0xf0fc0040u);
	/* The ring size follows RBLEN, and the ring starts over (as QEMU resets it). */
	r->rx_buf_size = 8192u << (r->rx_config >> 11 & 3);
	r->rx_buf_ptr = r->rx_buf_addr = 0;
}

static void write_tsd(struct rtl8139 *s, unsigned int i, uint32_t val)
{
	/* TOK, TUN and the status byte are cleared by a write; bits 22-23 are not the guest's. */
	val &= ~0xff00c000u;
	s->r.tx_status[i] = (val & ~0x00c00000u) | (s->r.tx_status[i] & 0x00c00000u);
	if (!s->r.cplus)
		transmit_c(s);
}

static void write_byte(struct rtl8139 *s, unsigned int off, uint8_t val)
{
	struct rtl8139_regs *r = &s->r;

	if (off < 6) {
		r->phys[off] = val;
		return;
	}
	if (off >= R_MAR0 && off < R_MAR0 + 8) {
		r->mult[off - R_MAR0] = val;
		return;
	}
	switch (off) {
	case R_CR:
		write_cr(s, val);
		break;
	case R_9346CR:
		write_cfg9346(s, val);
		break;
	case R_CONFIG0:
		if (config_writable(s))
			r->config0 = (uint8_t)((r->config0 & 0xf8) | (val & 0x07));
		break;
	case R_CONFIG1:
		if (config_writable(s))
			r->config1 = (uint8_t)((r->config1 & 0x0c) | (val & ~0x0c));
		break;
	case R_CONFIG3:
		if (config_writable(s))
			r->config3 = (uint8_t)((r->config3 & 0x8f) | (val & ~0x8f));
		break;
	case R_CONFIG4:
		if (config_writable(s))
			r->config4 = (uint8_t)((r->config4 & 0x0a) | (val & ~0x0a));
		break;
	case R_CONFIG5:
		r->config5 = (uint8_t)((r->config5 & 0x80) | (val & 0x7f));
		break;
	case R_TPPOLL:
		/* NPQ; the high-priority queue (bit 7) is not emulated, as in QEMU. */
		if ((val & 0x40) && r->cplus)
			transmit_cplus(s);
		break;
	case R_ETTHR:
		r->tx_thresh = val;
		break;
	case R_HLTCLK:
		/* 'R' runs the chip's clock, 'H' halts it (8139too's probe and open). */
		if (val == 'R')
			r->clock_enabled = true;
		else if (val == 'H')
			r->clock_enabled = false;
		arm_timer(s);
		break;
	case R_ERSR:
	default:
		break;
	}
}

static void write_word(struct rtl8139 *s, unsigned int off, uint16_t val)
{
	struct rtl8139_regs *r = &s->r;

	switch (off) {
	case R_CAPR:
		r->rx_buf_ptr = (uint32_t)(val + 16) & (r->rx_buf_size - 1);
		/* Room again: the loop may be waiting with the backend unwatched. */
		if (s->netdev && s->netdev->loop)
			loop_wake(s->netdev->loop);
		break;
	case R_IMR:
		r->intr_mask = val & ~0x1e00;
		update_irq(s);
		break;
	case R_ISR:
		r->intr_status &= (uint16_t)~val;
		update_irq(s);
		break;
	case R_MULINT:
		r->multi_intr = val & 0x0fff;
		break;
	case R_BMCR:
		/* Only restart-autonegotiation is writable; a PHY reset (bit 15) restores the PHY. */
		if (val & 0x8000) {
			r->bmcr = 0x1000;
			r->bmsr = 0x7809 | 0x0020 | 0x0004;
		}
		r->bmcr = (uint16_t)((r->bmcr & ~0x0200) | (val & 0x0200));
		break;
	case R_ANAR:
		r->anar = val;
		break;
	case R_CSCR:
	case R_INTRMIT:
		break; /* read-only in QEMU; mitigation is not emulated (reads 0) */
	case R_CPCMD:
		/* Any write selects C+ mode until the next reset. */
		r->cp_cmd = (uint16_t)((r->cp_cmd & 0xff84) | (val & 0x007b));
		r->cplus = true;
		break;
	default:
		write_byte(s, off, (uint8_t)val);
		write_byte(s, off + 1, (uint8_t)(val >> 8));
		break;
	}
}

static void write_dword(struct rtl8139 *s, unsigned int off, uint32_t val)
{
	struct rtl8139_regs *r = &s->r;

	if (off >= R_TSD0 && off < R_TSD0 + 16) {
		if (r->cplus) {
			/* DTCCR: the tally dump address; bit 3 asks for a dump. */
			r->tx_status[(off - R_TSD0) / 4] = val;
			if (off == R_TSD0 && (val & 0x08)) {
				uint64_t addr = (uint64_t)r->tx_status[1] << 32 | (val & ~0x3fu);
				uint8_t t[64];

				/* Linux 8139cp's struct cp_dma_stats: 64 little-endian bytes. */
				memset(t, 0, sizeof(t));
				for (int i = 0; i < 8; i++) {
					t[i] = (uint8_t)(r->tally_tx_ok >> 8 * i);
					t[8 + i] = (uint8_t)(r->tally_rx_ok >> 8 * i);
					t[16 + i] = (uint8_t)(r->tally_tx_err >> 8 * i);
					t[40 + i] = (uint8_t)(r->tally_rx_ok_phy >> 8 * i);
					t[48 + i] = (uint8_t)(r->tally_rx_ok_brd >> 8 * i);
				}
				wr_le32(t + 24, r->tally_rx_err);
				t[28] = (uint8_t)r->tally_miss;
				t[29] = (uint8_t)(r->tally_miss >> 8);
				t[30] = (uint8_t)r->tally_fae;
				t[31] = (uint8_t)(r->tally_fae >> 8);
				wr_le32(t + 32, r->tally_tx_1col);
				wr_le32(t + 36, r->tally_tx_mcol);
				wr_le32(t + 56, r->tally_rx_ok_mul);
				t[60] = (uint8_t)r->tally_tx_abt;
				t[61] = (uint8_t)(r->tally_tx_abt >> 8);
				t[62] = (uint8_t)r->tally_tx_undrn;
				t[63] = (uint8_t)(r->tally_tx_undrn >> 8);
				dma(s, addr, t, sizeof(t), true);
				r->tx_status[0] &= ~0x08u; /* done */
			}
		} else {
			write_tsd(s, (off - R_TSD0) / 4, val);
		}
		return;
	}
	if (off >= R_TSAD0 && off < R_TSAD0 + 16) {
		r->tx_addr[(off - R_TSAD0) / 4] = val;
		return;
	}
	switch (off) {
	case R_RBSTART:
		r->rx_buf = val;
		break;
	case R_TCR:
		/* QEMU takes TxConfig only while the transmitter is on; drivers write it after TE. */
		if (r->chip_cmd & CR_TE)
			r->tx_config = (val & ~TCR_KEEP) | (r->tx_config & TCR_KEEP);
		break;
	case R_RCR:
		write_rcr(s, val);
		break;
	case R_TCTR:
		r->tctr_base = clock_now(s->clock);
		arm_timer(s);
		break;
	case R_MPC:
		r->rx_missed = 0;
		break;
	case R_TIMERINT:
		r->timer_int = val;
		arm_timer(s);
		break;
	case R_RDSAR:
		r->rx_ring_lo = val;
		break;
	case R_RDSAR + 4:
		r->rx_ring_hi = val;
		break;
	default:
		write_word(s, off, (uint16_t)val);
		write_word(s, off + 2, (uint16_t)(val >> 16));
		break;
	}
}

/* Is [off, off+size) one of the dword registers (or a C+ address half)? */
static bool dword_reg(unsigned int off)
{
	return (off >= R_TSD0 && off < R_TSAD0 + 16) || off == R_RBSTART || off == R_TCR ||
	       off == R_RCR || off == R_TCTR || off == R_MPC || off == R_TIMERINT ||
	       off == R_RDSAR || off == R_RDSAR + 4;
}

static bool word_reg(unsigned int off)
{
	switch (off) {
	case R_CAPR: case R_IMR: case R_ISR: case R_MULINT: case R_BMCR: case R_ANAR:
	case R_CSCR: case R_CPCMD: case R_INTRMIT:
		return true;
	default:
		return false;
	}
}

static void regs_write(void *opaque, uint64_t addr, unsigned int size, uint64_t val)
{
	struct rtl8139 *s = opaque;
	unsigned int off = (unsigned int)addr & 0xff;

	if (s->unplugged)
		return;
	if (size == 4 && !(off & 3)) {
		write_dword(s, off, (uint32_t)val);
		return;
	}
	if (size == 2 && !(off & 1)) {
		if (dword_reg(off & ~3u)) {
			/* Half a dword register: merged with the other half. */
			uint32_t cur = (uint32_t)regs_read(s, off & ~3u, 4);
			unsigned int sh = 8 * (off & 2);

			cur = (cur & ~(0xffffu << sh)) | (uint32_t)(val & 0xffff) << sh;
			write_dword(s, off & ~3u, cur);
		} else {
			write_word(s, off, (uint16_t)val);
		}
		return;
	}
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> 8 * i);

		if (dword_reg(o & ~3u)) {
			uint32_t cur = (uint32_t)regs_read(s, o & ~3u, 4);
			unsigned int sh = 8 * (o & 3);

			cur = (cur & ~(0xffu << sh)) | (uint32_t)b << sh;
			write_dword(s, o & ~3u, cur);
		} else if (word_reg(o & ~1u)) {
			uint16_t cur = (o & ~1u) == R_ISR ? 0 : (uint16_t)regs_read(s, o & ~1u, 2);
			unsigned int sh = 8 * (o & 1);

			/* ISR bits are write-1-to-clear: the other byte writes zeros. */
			cur = (uint16_t)((cur & ~(0xff << sh)) | b << sh);
			write_word(s, o & ~1u, cur);
		} else {
			write_byte(s, o & 0xff, b);
		}
	}
}

static const struct io_ops regs_ops = {
	.read = regs_read,
	.write = regs_write,
	.impl_min = 1,
	.impl_max = 4,
};

/* ---------------------------------------------------------------- the device */

static bool fe_can_receive(void *opaque)
{
	return rtl8139_can_receive(opaque);
}

static void fe_receive(void *opaque, const uint8_t *frame, size_t len)
{
	rtl8139_receive(opaque, frame, len);
}

static const struct net_frontend rtl8139_frontend = { fe_can_receive, fe_receive };

int rtl8139_attach_loop(struct rtl8139 *s, struct loop *loop)
{
	return s->netdev ? netdev_attach(s->netdev, loop, &rtl8139_frontend, s) : 0;
}

int rtl8139_init(struct rtl8139 *s, struct pci_bus *bus, struct accel *accel,
		 const struct rtl8139_config *cfg, char *err, size_t errlen)
{
	struct pci_device *d = &s->pci;
	int rc;

	memset(s, 0, sizeof(*s));
	s->accel = accel;
	s->clock = cfg->clock;
	s->netdev = cfg->netdev;
	memcpy(s->mac, cfg->mac, 6);
	s->frame = malloc(NET_MAX_FRAME);
	s->seg = malloc(NET_MAX_FRAME);
	if (!s->frame || !s->seg) {
		free(s->frame);
		free(s->seg);
		snprintf(err, errlen, "rtl8139: out of memory");
		return -1;
	}
	if (s->clock)
		timer_init(&s->timer, s->clock, timer_fired, s);
	/* QEMU's identity: rev 0x20 is the C+ chip (Linux binds 8139cp); class 0x020000. */
	pci_device_init(d, "rtl8139", 0x10ec, 0x8139, 0x20, 0x020000);
	d->opaque = s;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, cfg->subsys_vendor);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, cfg->subsys_id);
	d->config[PCI_INTERRUPT_PIN] = 1;
	/*
	 * QEMU's byte, kept so a guest moves between the two with the same
	 * function (its loader refuses any other): a capability pointer to an
	 * empty 0xdc with no capability-list bit in the status register
	 * (QEMU 7.2 hw/net/rtl8139.c rtl8139_realize), which guests ignore.
	 */
	d->config[PCI_CAPABILITY_LIST] = 0xdc;
	rc = pci_register_bar(d, 0, PCI_BAR_IO, false, RTL8139_REGS_SIZE, &regs_ops, s, "rtl8139-io");
	if (!rc)
		rc = pci_register_bar(d, 1, PCI_BAR_MEM32, false, RTL8139_REGS_SIZE, &regs_ops, s,
				      "rtl8139-mmio");
	/* The option ROM QEMU's rtl8139 carries (romfile efi-rtl8139.rom): SeaBIOS runs it for PXE. */
	if (!rc && cfg->rom) {
		uint32_t bar;

		s->rom = pci_rom_image(cfg->rom, cfg->rom_size, &bar);
		rc = s->rom ? pci_register_bar(d, PCI_ROM_SLOT, PCI_BAR_MEM32, false, bar, &pci_rom_ops, s->rom,
					       "rtl8139-rom")
			    : -ENOMEM;
	}
	if (!rc)
		rc = pci_register_device(bus, d, cfg->devfn);
	if (rc) {
		free(s->frame);
		free(s->seg);
		free(s->rom);
		s->frame = s->seg = s->rom = NULL;
		snprintf(err, errlen, "rtl8139: cannot claim PCI function %02x.%u (error %d)",
			 PCI_SLOT(cfg->devfn), PCI_FUNC(cfg->devfn), rc);
		return -1;
	}
	rtl8139_reset(s);
	return 0;
}

void rtl8139_unplug(struct rtl8139 *s)
{
	if (s->unplugged)
		return;
	if (s->clock)
		timer_cancel(&s->timer);
	pci_unregister_device(&s->pci);
	s->unplugged = true;
	if (s->netdev) {
		netdev_close(s->netdev);
		s->netdev = NULL;
	}
	log_info("rtl8139", "unplugged by the guest's PV drivers");
}

void rtl8139_destroy(struct rtl8139 *s)
{
	if (s->clock)
		timer_cancel(&s->timer);
	if (s->netdev)
		netdev_detach(s->netdev);
	free(s->frame);
	free(s->seg);
	free(s->rom);
	s->frame = s->seg = s->rom = NULL;
}

/* ---------------------------------------------------------------- saved state */

void rtl8139_save_state(const struct rtl8139 *s, struct rtl8139_state *st)
{
	memset(st, 0, sizeof(*st));
	st->unplugged = s->unplugged;
	if (s->unplugged)
		return;
	pci_save_state(&s->pci, &st->pci);
	st->r = s->r;
	st->eeprom = s->eeprom;
	st->tx_partial = s->r.tx_gathered != 0;
	st->r.tx_gathered = 0;
	if (!st->tx_partial)
		st->r.tx_first_dw0 = st->r.tx_first_dw1 = 0;
}

int rtl8139_check_state(const struct rtl8139 *s, const struct rtl8139_state *st, char *err,
			size_t errlen)
{
	const struct rtl8139_regs *r = &st->r;
	uint32_t size = r->rx_buf_size;

	if (st->unplugged)
		return 0;
	if (s->unplugged) {
		snprintf(err, errlen, "rtl8139: the guest's PV drivers unplugged this NIC; a state with it present cannot be loaded");
		return -1;
	}
	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (size != 8192 && size != 16384 && size != 32768 && size != 65536) {
		snprintf(err, errlen, "rtl8139: receive ring size %u (8, 16, 32 or 64 KiB)", size);
		return -1;
	}
	if (r->rx_buf_ptr >= size || r->rx_buf_addr >= size) {
		snprintf(err, errlen, "rtl8139: receive ring offsets %#x and %#x beyond its %u bytes",
			 r->rx_buf_ptr, r->rx_buf_addr, size);
		return -1;
	}
	if (r->cur_tx >= 4 || r->cur_cp_tx >= CPLUS_TX_RING || r->cur_cp_rx >= CPLUS_RING_MAX) {
		snprintf(err, errlen, "rtl8139: ring positions %u (of 4), %u (of %u), %u (of %u) out of range",
			 r->cur_tx, r->cur_cp_tx, CPLUS_TX_RING, r->cur_cp_rx, CPLUS_RING_MAX);
		return -1;
	}
	if (st->eeprom.mode > EE_WRITE_ALL || st->eeprom.tick >= 16 || st->eeprom.address >= 64) {
		snprintf(err, errlen, "rtl8139: EEPROM mode %u, bit %u, address %u out of range",
			 st->eeprom.mode, st->eeprom.tick, st->eeprom.address);
		return -1;
	}
	return 0;
}

void rtl8139_load_state(struct rtl8139 *s, const struct rtl8139_state *st)
{
	if (st->unplugged) {
		rtl8139_unplug(s);
		return;
	}
	pci_load_state(&s->pci, &st->pci);
	s->r = st->r;
	s->eeprom = st->eeprom;
	s->r.tx_gathered = st->tx_partial ? TX_GATHER_DROP : 0;
	update_irq(s);
	arm_timer(s);
}

static void reset_if_present(struct rtl8139 *s)
{
	if (!s->unplugged)
		rtl8139_reset(s);
}

DEV_OPS_RESET(reset_if_present, struct rtl8139)
DEV_OPS_DESTROY(rtl8139_destroy, struct rtl8139)
DEV_OPS_SAVE(rtl8139_save_state, struct rtl8139, struct rtl8139_state)
DEV_OPS_CHECK(rtl8139_check_state, struct rtl8139, struct rtl8139_state)
DEV_OPS_LOAD(rtl8139_load_state, struct rtl8139, struct rtl8139_state)

const struct dev_ops rtl8139_ops = {
	.name = "rtl8139",
	.record = "rtl8139",
	.reset = ops_reset,
	.destroy = ops_destroy,
	.save = ops_save,
	.check = ops_check,
	.load = ops_load,
};
