// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 82540EM. Register layout and bits: Intel's PCI/PCI-X Family of
 * Gigabit Ethernet Controllers Software Developer's Manual (8254x) as
 * Linux's drivers/net/ethernet/intel/e1000 uses it; where the stock device
 * model answers differently from the chip, hvmdm answers as QEMU's
 * hw/net/e1000.c and e1000x_common.c do (xen-project/qemu-xen), since that
 * is what guests moving from it have seen: CTRL.RST doing nothing, the I/O
 * BAR answering nothing, the one second without receive after an RCTL
 * write, the interrupt mitigation formula, which registers exist.
 */
#include "e1000.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/bus.h"
#include "hw/core/log.h"
#include "hw/core/loop.h"
#include "hw/net/frame.h"

/* ---------------------------------------------------------------- registers */

/* How a register reads. */
enum reg_read {
	RD_PLAIN,
	RD_ZERO,   /* write-only (IMC) */
	RD_CLR,    /* statistics: cleared by the read */
	RD_CLR8,   /* the high half of a 64-bit counter: clears both halves */
	RD_ICR,
	RD_EECD,
	RD_EERD,
	RD_LOW4,
	RD_LOW11,
	RD_LOW13,
	RD_LOW16,
};

/* How a register takes a write. */
enum reg_write {
	WR_PLAIN,
	WR_RO,
	WR_CTRL,
	WR_EECD,
	WR_MDIC,
	WR_ICR,
	WR_ICS,
	WR_IMS,
	WR_IMC,
	WR_RCTL,
	WR_XMIT,   /* TCTL, TDT: store, then transmit */
	WR_RDT,
	WR_16,
	WR_DLEN,
};

struct reg_range {
	uint32_t off;
	uint16_t count;
	uint8_t stride; /* bytes between entries */
	uint8_t rd, wr;
};

/* Offsets used by name. */
enum {
	CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, EERD = 0x0014, MDIC = 0x0020,
	VET = 0x0038, ICR = 0x00c0, ITR = 0x00c4, ICS = 0x00c8, IMS = 0x00d0, IMC = 0x00d8,
	RCTL = 0x0100, TCTL = 0x0400, AIT = 0x0458, LEDCTL = 0x0e00, PBA = 0x1000,
	RDBAL = 0x2800, RDBAH = 0x2804, RDLEN = 0x2808, RDH = 0x2810, RDT = 0x2818,
	RDTR = 0x2820, RADV = 0x282c,
	TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818,
	TXDCTL = 0x3828, TADV = 0x382c,
	MPC = 0x4010, PRC64 = 0x405c, GPRC = 0x4074, BPRC = 0x4078, MPRC = 0x407c, GPTC = 0x4080,
	GORCL = 0x4088, GORCH = 0x408c, GOTCL = 0x4090, GOTCH = 0x4094, RNBC = 0x40a0,
	ROC = 0x40ac, TORL = 0x40c0, TORH = 0x40c4, TOTL = 0x40c8, TOTH = 0x40cc, TPR = 0x40d0,
	TPT = 0x40d4, PTC64 = 0x40d8, MPTC = 0x40f0, BPTC = 0x40f4, TSCTC = 0x40f8,
	MTA = 0x5200, RA = 0x5400, VFTA = 0x5600, MANC = 0x5820, SWSM = 0x5b50,
};

/*
 * The registers QEMU 7.2's e1000 keeps with its default properties (and
 * xenfv's: extra_mac_registers and mitigation on), in the order hvmdm's
 * record saves them. Everything else in the 128 KiB reads 0 and ignores
 * writes, as there; the 64 KiB packet buffer memory (PBM), which only
 * Linux's ethtool self-test touches, is not kept.
 */
static const struct reg_range reg_table[] = {
	{ CTRL, 1, 4, RD_PLAIN, WR_CTRL },
	{ STATUS, 1, 4, RD_PLAIN, WR_RO },
	{ EECD, 1, 4, RD_EECD, WR_EECD },
	{ EERD, 1, 4, RD_EERD, WR_PLAIN },
	{ MDIC, 1, 4, RD_PLAIN, WR_MDIC },
	{ VET, 1, 4, RD_PLAIN, WR_PLAIN },
	{ ICR, 1, 4, RD_ICR, WR_ICR },
	{ ITR, 1, 4, RD_PLAIN, WR_16 },
	{ ICS, 1, 4, RD_PLAIN, WR_ICS },
	{ IMS, 1, 4, RD_PLAIN, WR_IMS },
	{ IMC, 1, 4, RD_ZERO, WR_IMC },
	{ RCTL, 1, 4, RD_PLAIN, WR_RCTL },
	{ TCTL, 1, 4, RD_PLAIN, WR_XMIT },
	{ AIT, 1, 4, RD_LOW16, WR_PLAIN },
	{ LEDCTL, 1, 4, RD_PLAIN, WR_PLAIN },
	{ PBA, 1, 4, RD_PLAIN, WR_PLAIN },
	{ 0x2410, 1, 4, RD_LOW13, WR_PLAIN },  /* RDFH */
	{ 0x2418, 1, 4, RD_LOW13, WR_PLAIN },  /* RDFT */
	{ 0x2420, 1, 4, RD_LOW13, WR_PLAIN },  /* RDFHS */
	{ 0x2428, 1, 4, RD_LOW13, WR_PLAIN },  /* RDFTS */
	{ 0x2430, 1, 4, RD_LOW13, WR_PLAIN },  /* RDFPC */
	{ RDBAL, 1, 4, RD_PLAIN, WR_PLAIN },
	{ RDBAH, 1, 4, RD_PLAIN, WR_PLAIN },
	{ RDLEN, 1, 4, RD_PLAIN, WR_DLEN },
	{ RDH, 1, 4, RD_PLAIN, WR_16 },
	{ RDT, 1, 4, RD_PLAIN, WR_RDT },
	{ RDTR, 1, 4, RD_PLAIN, WR_16 },
	{ RADV, 1, 4, RD_PLAIN, WR_16 },
	{ 0x3410, 1, 4, RD_LOW11, WR_PLAIN },  /* TDFH */
	{ 0x3418, 1, 4, RD_LOW11, WR_PLAIN },  /* TDFT */
	{ 0x3420, 1, 4, RD_LOW13, WR_PLAIN },  /* TDFHS */
	{ 0x3428, 1, 4, RD_LOW13, WR_PLAIN },  /* TDFTS */
	{ 0x3430, 1, 4, RD_LOW13, WR_PLAIN },  /* TDFPC */
	{ TDBAL, 1, 4, RD_PLAIN, WR_PLAIN },
	{ TDBAH, 1, 4, RD_PLAIN, WR_PLAIN },
	{ TDLEN, 1, 4, RD_PLAIN, WR_DLEN },
	{ TDH, 1, 4, RD_PLAIN, WR_16 },
	{ TDT, 1, 4, RD_PLAIN, WR_XMIT },
	{ TXDCTL, 1, 4, RD_PLAIN, WR_PLAIN },
	{ TADV, 1, 4, RD_PLAIN, WR_16 },
	/* Statistics, read-only but for FCRUC. Error and flow-control counts read plainly (CRCERRS..XOFFTXC). */
	{ 0x4000, 22, 4, RD_PLAIN, WR_RO },
	{ 0x4058, 1, 4, RD_PLAIN, WR_PLAIN },  /* FCRUC */
	/* PRC64..PRC1522, GPRC, BPRC, MPRC, GPTC: cleared by reading. */
	{ PRC64, 10, 4, RD_CLR, WR_RO },
	{ GORCL, 1, 4, RD_PLAIN, WR_RO },
	{ GORCH, 1, 4, RD_CLR8, WR_RO },
	{ GOTCL, 1, 4, RD_PLAIN, WR_RO },
	{ GOTCH, 1, 4, RD_CLR8, WR_RO },
	{ RNBC, 1, 4, RD_PLAIN, WR_RO },
	{ 0x40a4, 1, 4, RD_CLR, WR_RO },       /* RUC */
	{ 0x40a8, 1, 4, RD_PLAIN, WR_RO },     /* RFC */
	{ ROC, 1, 4, RD_CLR, WR_RO },
	{ 0x40b0, 4, 4, RD_PLAIN, WR_RO },     /* RJC, MGTPRC, MGTPDC, MGTPTC */
	{ TORL, 1, 4, RD_PLAIN, WR_RO },
	{ TORH, 1, 4, RD_CLR8, WR_RO },
	{ TOTL, 1, 4, RD_PLAIN, WR_RO },
	{ TOTH, 1, 4, RD_CLR8, WR_RO },
	{ TPR, 11, 4, RD_CLR, WR_RO },         /* TPR, TPT, PTC64..PTC1522, MPTC, BPTC, TSCTC */
	{ 0x40fc, 1, 4, RD_PLAIN, WR_RO },     /* TSCTFC */
	{ MTA, 128, 4, RD_PLAIN, WR_PLAIN },
	{ RA, 32, 4, RD_PLAIN, WR_PLAIN },
	{ VFTA, 128, 4, RD_PLAIN, WR_PLAIN },
	{ 0x5800, 1, 4, RD_PLAIN, WR_PLAIN },  /* WUC */
	{ 0x5808, 1, 4, RD_PLAIN, WR_PLAIN },  /* WUFC */
	{ 0x5810, 1, 4, RD_PLAIN, WR_PLAIN },  /* WUS */
	{ MANC, 1, 4, RD_PLAIN, WR_RO },       /* Linux's clearing ARP_EN is ignored */
	{ 0x5838, 1, 4, RD_PLAIN, WR_PLAIN },  /* IPAV */
	{ 0x5840, 7, 4, RD_PLAIN, WR_PLAIN },  /* IP4AT (address and reserved words) */
	{ 0x5880, 4, 4, RD_PLAIN, WR_PLAIN },  /* IP6AT */
	{ 0x5a00, 32, 4, RD_PLAIN, WR_PLAIN }, /* WUPM */
	{ SWSM, 1, 4, RD_PLAIN, WR_PLAIN },
	{ 0x5f00, 7, 4, RD_LOW11, WR_PLAIN },  /* FFLT: consecutive words, as QEMU keeps them */
	{ 0x9000, 255, 4, RD_LOW4, WR_PLAIN }, /* FFMT */
	{ 0x9800, 255, 4, RD_PLAIN, WR_PLAIN }, /* FFVT */
};

#define REG_MAP_WORDS (0xa000 / 4)
static uint16_t reg_map[REG_MAP_WORDS];        /* offset / 4 -> index + 1 (0: none) */
static uint32_t reg_offsets[E1000_NR_REGS];
static uint8_t reg_rd[E1000_NR_REGS], reg_wr[E1000_NR_REGS];

static void build_reg_map(void)
{
	unsigned int n = 0;

	if (reg_map[0])
		return;
	for (size_t i = 0; i < sizeof(reg_table) / sizeof(reg_table[0]); i++) {
		const struct reg_range *t = &reg_table[i];

		for (unsigned int j = 0; j < t->count && n < E1000_NR_REGS; j++, n++) {
			uint32_t off = t->off + j * t->stride;

			reg_offsets[n] = off;
			reg_rd[n] = t->rd;
			reg_wr[n] = t->wr;
			reg_map[off / 4] = (uint16_t)(n + 1);
		}
	}
	if (n != E1000_NR_REGS)
		log_error("e1000", "register table has %u entries, not %u", n, E1000_NR_REGS);
}

uint32_t e1000_reg_offset(unsigned int index)
{
	build_reg_map();
	return index < E1000_NR_REGS ? reg_offsets[index] : UINT32_MAX;
}

int e1000_reg_index(uint32_t offset)
{
	build_reg_map();
	if (offset & 3 || offset / 4 >= REG_MAP_WORDS || !reg_map[offset / 4])
		return -1;
	return reg_map[offset / 4] - 1;
}

/* A register's word (offsets named above all exist in the table). */
static uint32_t *reg(struct e1000 *s, uint32_t off)
{
	return &s->r.mac[reg_map[off / 4] - 1];
}

static uint32_t creg(const struct e1000 *s, uint32_t off)
{
	return s->r.mac[reg_map[off / 4] - 1];
}

/* CTRL */
#define CTRL_SLU 0x00000040u
#define CTRL_SPD_1000 0x00000200u
#define CTRL_SWDPIN0 0x00040000u
#define CTRL_SWDPIN2 0x00100000u
#define CTRL_RST 0x04000000u
#define CTRL_VME 0x40000000u
/* STATUS */
#define STATUS_FD 0x00000001u
#define STATUS_LU 0x00000002u
#define STATUS_SPEED_1000 0x00000080u
#define STATUS_ASDV 0x00000300u
#define STATUS_MTXCKOK 0x00000400u
#define STATUS_GIO_MASTER_ENABLE 0x00080000u
/* EECD */
#define EECD_SK 0x001u
#define EECD_CS 0x002u
#define EECD_DI 0x004u
#define EECD_DO 0x008u
#define EECD_FWE 0x030u
#define EECD_REQ 0x040u
#define EECD_GNT 0x080u
#define EECD_PRES 0x100u
#define EEPROM_READ_OPCODE 6u
/* EERD */
#define EERD_START 0x01u
#define EERD_DONE 0x10u
#define EERD_ADDR_SHIFT 8
#define EERD_DATA_SHIFT 16
#define EEPROM_SUM 0xbabau
/* MDIC */
#define MDIC_DATA 0x0000ffffu
#define MDIC_REG_SHIFT 16
#define MDIC_PHY_SHIFT 21
#define MDIC_OP_WRITE 0x04000000u
#define MDIC_OP_READ 0x08000000u
#define MDIC_READY 0x10000000u
#define MDIC_INT_EN 0x20000000u
#define MDIC_ERROR 0x40000000u
/* ICR / ICS / IMS */
#define ICR_TXDW 0x0001u
#define ICR_TXQE 0x0002u
#define ICR_LSC 0x0004u
#define ICR_RXDMT0 0x0010u
#define ICR_RXO 0x0040u
#define ICR_RXT0 0x0080u
#define ICR_MDAC 0x0200u
/* RCTL */
#define RCTL_EN 0x00000002u
#define RCTL_SBP 0x00000004u
#define RCTL_UPE 0x00000008u
#define RCTL_MPE 0x00000010u
#define RCTL_LPE 0x00000020u
#define RCTL_RDMTS_QUAT 0x00000100u
#define RCTL_MO_SHIFT 12
#define RCTL_BAM 0x00008000u
#define RCTL_SZ_MASK 0x00030000u
#define RCTL_VFE 0x00040000u
#define RCTL_BSEX 0x02000000u
#define RCTL_SECRC 0x04000000u
/* TCTL */
#define TCTL_EN 0x00000002u
/* RAH */
#define RAH_AV 0x80000000u
/* MANC */
#define MANC_RMCP_EN 0x00000100u
#define MANC_0298_EN 0x00000200u
#define MANC_ARP_EN 0x00002000u
#define MANC_RCV_TCO_EN 0x00020000u
#define MANC_EN_MNG2HOST 0x00200000u

/* Transmit descriptor lower dword: length 0-15, CSO 16-23, command 24-31. */
#define TXD_EOP 0x01000000u
#define TXD_IFCS 0x02000000u
#define TXD_TCP 0x01000000u   /* context TUCMD */
#define TXD_IP 0x02000000u    /* context TUCMD */
#define TXD_TSE 0x04000000u
#define TXD_RS 0x08000000u
#define TXD_RPS 0x10000000u
#define TXD_DEXT 0x20000000u
#define TXD_VLE 0x40000000u
#define TXD_IDE 0x80000000u
#define TXD_DTYP_D 0x00100000u
/* Upper dword: status 0-7, CSS or POPTS 8-15, special 16-31. */
#define TXD_STAT_DD 0x01u
#define TXD_STAT_EC 0x02u
#define TXD_STAT_LC 0x04u
#define TXD_STAT_TU 0x08u
#define POPTS_IXSM 0x01u
#define POPTS_TXSM 0x02u
/* Receive descriptor status */
#define RXD_DD 0x01u
#define RXD_EOP 0x02u
#define RXD_IXSM 0x04u
#define RXD_VP 0x08u

/* PHY registers and bits (MII, and Marvell's 88E1011 extras). */
enum { PHY_BMCR = 0, PHY_BMSR = 1, PHY_ID1 = 2, PHY_ID2 = 3, PHY_ANAR = 4, PHY_ANLPAR = 5,
       PHY_ANER = 6, PHY_1000T_CTRL = 9, PHY_1000T_STATUS = 10, M88_PSCR = 16, M88_PSSR = 17,
       M88_EPSCR = 20, M88_RX_ERR_CNTR = 21 };
#define BMCR_ANRESTART 0x0200u
#define BMCR_AUTOEN 0x1000u
#define BMCR_LOOPBACK 0x4000u
#define BMCR_RESET 0x8000u
#define BMSR_LINK 0x0004u
#define BMSR_AN_COMP 0x0020u
#define ANLPAR_ACK 0x4000u

#define PHY_R 1
#define PHY_W 2
/* Which PHY registers MDIC reaches (QEMU's phy_regcap). */
static const uint8_t phy_cap[E1000_PHY_REGS] = {
	[PHY_BMCR] = PHY_R | PHY_W, [PHY_BMSR] = PHY_R, [PHY_ID1] = PHY_R, [PHY_ID2] = PHY_R,
	[PHY_ANAR] = PHY_R | PHY_W, [PHY_ANLPAR] = PHY_R, [PHY_ANER] = PHY_R,
	[PHY_1000T_CTRL] = PHY_R | PHY_W, [PHY_1000T_STATUS] = PHY_R,
	[M88_PSCR] = PHY_R | PHY_W, [M88_PSSR] = PHY_R, [M88_EPSCR] = PHY_R | PHY_W,
	[M88_RX_ERR_CNTR] = PHY_R,
};

#define DEV_ID_82540EM 0x100e
#define PHY_ID2_82540EM 0x0c20
#define TX_DATA_MAX 0x10000u
#define RX_MIN_FRAME 60u
#define RX_VLAN_MAX 1522u
#define RX_LPE_MAX 16384u
#define AUTONEG_NS 500000000ull
#define RX_HOLD_NS 1000000000ull
#define ITR_UNIT_NS 256ull

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---------------------------------------------------------------- helpers */

static bool bus_master(const struct e1000 *s)
{
	return pci_get_word(s->pci.config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

static bool dma(struct e1000 *s, uint64_t gpa, void *buf, size_t len, bool write)
{
	return pci_dma_rw(&s->pci, s->accel, gpa, buf, len, write);
}

/* A statistics counter: saturating, as the chip's. */
static void stat_inc(struct e1000 *s, uint32_t off)
{
	uint32_t *r = reg(s, off);

	if (*r != UINT32_MAX)
		(*r)++;
}

/* A 64-bit statistics pair (low word at off): saturating. */
static void stat_add64(struct e1000 *s, uint32_t off, uint64_t n)
{
	uint64_t v = (uint64_t)creg(s, off + 4) << 32 | creg(s, off);

	v = v + n < v ? UINT64_MAX : v + n;
	*reg(s, off) = (uint32_t)v;
	*reg(s, off + 4) = (uint32_t)(v >> 32);
}

/* PRC64.. or PTC64..: the size bucket of a frame. */
static void stat_size(struct e1000 *s, uint32_t first, size_t len)
{
	static const size_t upto[] = { 64, 127, 255, 511, 1023 };
	unsigned int i = 0;

	if (len < 64)
		return;
	while (i < 5 && len > upto[i])
		i++;
	stat_inc(s, first + 4 * i);
}

/* ---------------------------------------------------------------- interrupts */

static void set_irq(struct e1000 *s, bool level)
{
	if (!s->unplugged)
		pci_set_irq(&s->pci, 0, level);
}

static void mit_update(uint32_t *delay, uint32_t value)
{
	if (value && (!*delay || value < *delay))
		*delay = value;
}

/*
 * ICR takes val. A rising edge of (ICR & IMS) is held back while the
 * mitigation window is open; a new window opens for the smallest of ITR,
 * TADV*4 (when a descriptor asked for IDE) and RADV*4 (when RDTR is set),
 * at least 500 units of 256 ns (QEMU's e1000 set_interrupt_cause).
 */
static void set_interrupt_cause(struct e1000 *s, uint32_t val)
{
	uint32_t pending;

	*reg(s, ICR) = val;
	*reg(s, ICS) = val;
	pending = creg(s, IMS) & val;
	if (!s->r.mit_irq_level && pending) {
		uint32_t delay = 0;

		if (s->r.mit_timer_on)
			return;
		if (s->r.mit_ide && (pending & (ICR_TXQE | ICR_TXDW)))
			mit_update(&delay, creg(s, TADV) * 4);
		if (creg(s, RDTR) && (pending & ICR_RXT0))
			mit_update(&delay, creg(s, RADV) * 4);
		mit_update(&delay, creg(s, ITR));
		if (delay < 500)
			delay = 500;
		s->r.mit_timer_on = true;
		s->r.mit_ide = false;
		if (s->clock) {
			s->r.mit_deadline = clock_now(s->clock) + delay * ITR_UNIT_NS;
			timer_arm(&s->mit_timer, s->r.mit_deadline);
		}
	}
	s->r.mit_irq_level = pending != 0;
	set_irq(s, s->r.mit_irq_level);
}

static void set_ics(struct e1000 *s, uint32_t bits)
{
	set_interrupt_cause(s, creg(s, ICR) | bits);
}

static void mit_fired(void *opaque)
{
	struct e1000 *s = opaque;

	s->r.mit_timer_on = false;
	s->r.mit_deadline = 0;
	set_interrupt_cause(s, creg(s, ICR));
}

/* ---------------------------------------------------------------- link and PHY */

static void link_down(struct e1000 *s)
{
	*reg(s, STATUS) &= ~STATUS_LU;
	s->r.phy[PHY_BMSR] &= (uint16_t)~(BMSR_LINK | BMSR_AN_COMP);
	s->r.phy[PHY_ANLPAR] &= (uint16_t)~ANLPAR_ACK;
}

static void autoneg_fired(void *opaque)
{
	struct e1000 *s = opaque;

	s->r.autoneg_deadline = 0;
	*reg(s, STATUS) |= STATUS_LU;
	s->r.phy[PHY_BMSR] |= BMSR_LINK | BMSR_AN_COMP;
	s->r.phy[PHY_ANLPAR] |= ANLPAR_ACK;
	set_ics(s, ICR_LSC);
}

/* A BMCR write with restart: the link drops, and is back 500 ms later. */
static void restart_autoneg(struct e1000 *s)
{
	link_down(s);
	if (s->clock) {
		s->r.autoneg_deadline = clock_now(s->clock) + AUTONEG_NS;
		timer_arm(&s->autoneg_timer, s->r.autoneg_deadline);
	}
}

static void write_bmcr(struct e1000 *s, uint16_t val)
{
	/* Bits 0-5 are reserved; reset and restart clear themselves. */
	s->r.phy[PHY_BMCR] = val & (uint16_t)~(0x3f | BMCR_RESET | BMCR_ANRESTART);
	if ((s->r.phy[PHY_BMCR] & BMCR_AUTOEN) && (val & BMCR_ANRESTART))
		restart_autoneg(s);
}

static void write_mdic(struct e1000 *s, uint32_t val)
{
	uint16_t data = (uint16_t)(val & MDIC_DATA);
	unsigned int addr = val >> MDIC_REG_SHIFT & 0x1f;

	if ((val >> MDIC_PHY_SHIFT & 0x1f) != 1) {
		val = creg(s, MDIC) | MDIC_ERROR;
	} else if (val & MDIC_OP_READ) {
		if (!(phy_cap[addr] & PHY_R))
			val |= MDIC_ERROR;
		else
			val = (val & ~MDIC_DATA) | s->r.phy[addr];
	} else if (val & MDIC_OP_WRITE) {
		if (!(phy_cap[addr] & PHY_W))
			val |= MDIC_ERROR;
		else if (addr == PHY_BMCR)
			write_bmcr(s, data);
		else
			s->r.phy[addr] = data;
	}
	*reg(s, MDIC) = val | MDIC_READY;
	if (val & MDIC_INT_EN)
		set_ics(s, ICR_MDAC);
}

/* ---------------------------------------------------------------- EEPROM */

void e1000_eeprom_image(uint16_t *w, const uint8_t *mac)
{
	/* QEMU's e1000_eeprom_template (hw/net/e1000.c), the 82540EM's IDs at words 11 and 13. */
	static const uint16_t template[E1000_EEPROM_WORDS] = {
		0x0000, 0x0000, 0x0000, 0x0000, 0xffff, 0x0000, 0x0000, 0x0000,
		0x3000, 0x1000, 0x6403, DEV_ID_82540EM, 0x8086, DEV_ID_82540EM, 0x8086, 0x3040,
		0x0008, 0x2000, 0x7e14, 0x0048, 0x1000, 0x00d8, 0x0000, 0x2700,
		0x6cc9, 0x3150, 0x0722, 0x040b, 0x0984, 0x0000, 0xc000, 0x0706,
		0x1008, 0x0000, 0x0f04, 0x7fff, 0x4d01, 0xffff, 0xffff, 0xffff,
		0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
		0x0100, 0x4000, 0x121c, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
		0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x0000,
	};
	uint16_t sum = 0;

	memcpy(w, template, sizeof(template));
	for (int i = 0; i < 3; i++)
		w[i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
	for (int i = 0; i < E1000_EEPROM_WORDS - 1; i++)
		sum = (uint16_t)(sum + w[i]);
	w[E1000_EEPROM_WORDS - 1] = (uint16_t)(EEPROM_SUM - sum);
}

static uint32_t read_eecd(const struct e1000 *s)
{
	uint32_t v = EECD_PRES | EECD_GNT | s->r.ee_old;
	unsigned int bit = s->r.ee_bitnum_out;

	/* Data out is 1 unless a read is shifting out a 0 (MSB first). */
	if (!s->r.ee_reading || (s->r.eeprom[(bit >> 4) & 0x3f] >> ((bit & 0xf) ^ 0xf) & 1))
		v |= EECD_DO;
	return v;
}

/*
 * Microwire by bit-bang: CS rising resets, each SK rising edge shifts DI
 * in; after 9 bits (opcode 110 and a 6-bit address) a read shifts the
 * word out on the following falling edges, running on into the next word.
 */
static void write_eecd(struct e1000 *s, uint32_t val)
{
	uint32_t old = s->r.ee_old;

	s->r.ee_old = val & (EECD_SK | EECD_CS | EECD_DI | EECD_FWE | EECD_REQ);
	if (!(val & EECD_CS))
		return;
	if ((val ^ old) & EECD_CS) {
		s->r.ee_val_in = 0;
		s->r.ee_bitnum_in = 0;
		s->r.ee_bitnum_out = 0;
		s->r.ee_reading = false;
	}
	if (!((val ^ old) & EECD_SK))
		return;
	if (!(val & EECD_SK)) {
		s->r.ee_bitnum_out++;
		return;
	}
	s->r.ee_val_in = s->r.ee_val_in << 1 | !!(val & EECD_DI);
	if (++s->r.ee_bitnum_in == 9 && !s->r.ee_reading) {
		s->r.ee_bitnum_out = (uint16_t)(((s->r.ee_val_in & 0x3f) << 4) - 1);
		s->r.ee_reading = (s->r.ee_val_in >> 6 & 7) == EEPROM_READ_OPCODE;
	}
}

static uint32_t read_eerd(const struct e1000 *s)
{
	uint32_t v = creg(s, EERD), r = v & ~EERD_START;
	unsigned int index = r >> EERD_ADDR_SHIFT;

	if (!(v & EERD_START))
		return v;
	if (index >= E1000_EEPROM_WORDS)
		return r | EERD_DONE;
	return (uint32_t)s->r.eeprom[index] << EERD_DATA_SHIFT | EERD_DONE | r;
}

/* ---------------------------------------------------------------- reset */

static void hold_rx(struct e1000 *s)
{
	if (!s->clock)
		return;
	s->r.rx_hold_until = clock_now(s->clock) + RX_HOLD_NS;
	timer_arm(&s->rx_hold_timer, s->r.rx_hold_until);
}

static void rx_hold_fired(void *opaque)
{
	struct e1000 *s = opaque;

	/* The loop asks can_receive again on its next turn: frames flow. */
	s->r.rx_hold_until = 0;
}

void e1000_reset(struct e1000 *s)
{
	struct e1000_regs *r = &s->r;

	if (s->clock) {
		timer_cancel(&s->mit_timer);
		timer_cancel(&s->autoneg_timer);
		timer_cancel(&s->rx_hold_timer);
	}
	/* The EECD shift state survives a reset (QEMU's eecd_state is not reset). */
	uint32_t val_in = r->ee_val_in, ee_old = r->ee_old;
	uint16_t bin = r->ee_bitnum_in, bout = r->ee_bitnum_out;
	bool reading = r->ee_reading;

	memset(r, 0, sizeof(*r));
	r->ee_val_in = val_in;
	r->ee_old = ee_old;
	r->ee_bitnum_in = bin;
	r->ee_bitnum_out = bout;
	r->ee_reading = reading;
	s->tx_drop = false;
	r->phy[PHY_BMCR] = 0x1140;          /* 1000 Mb/s, full duplex, autonegotiation */
	r->phy[PHY_BMSR] = 0x794d;          /* link up, autonegotiation not yet complete */
	r->phy[PHY_ID1] = 0x0141;
	r->phy[PHY_ID2] = PHY_ID2_82540EM;
	r->phy[PHY_ANAR] = 0x0de1;
	r->phy[PHY_ANLPAR] = 0x01e0;
	r->phy[PHY_1000T_CTRL] = 0x0e00;
	r->phy[PHY_1000T_STATUS] = 0x3c00;
	r->phy[M88_PSCR] = 0x0360;
	r->phy[M88_PSSR] = 0xac00;
	r->phy[M88_EPSCR] = 0x0d60;
	*reg(s, PBA) = 0x00100030;
	*reg(s, LEDCTL) = 0x602;
	*reg(s, CTRL) = CTRL_SWDPIN2 | CTRL_SWDPIN0 | CTRL_SPD_1000 | CTRL_SLU;
	*reg(s, STATUS) = 0x80000000u | STATUS_GIO_MASTER_ENABLE | STATUS_ASDV | STATUS_MTXCKOK |
			  STATUS_SPEED_1000 | STATUS_FD | STATUS_LU;
	*reg(s, MANC) = MANC_EN_MNG2HOST | MANC_RCV_TCO_EN | MANC_ARP_EN | MANC_0298_EN |
			MANC_RMCP_EN;
	/* Receive address 0 = the MAC, valid (e1000x_reset_mac_addr); VET 0 as xenfv's init-vet=off. */
	*reg(s, RA) = (uint32_t)s->mac[0] | (uint32_t)s->mac[1] << 8 | (uint32_t)s->mac[2] << 16 |
		      (uint32_t)s->mac[3] << 24;
	*reg(s, RA + 4) = (uint32_t)s->mac[4] | (uint32_t)s->mac[5] << 8 | RAH_AV;
	e1000_eeprom_image(r->eeprom, s->mac);
	set_irq(s, false);
}

/* ---------------------------------------------------------------- receive */

static uint32_t rx_buf_size(uint32_t rctl)
{
	switch (rctl & (RCTL_BSEX | RCTL_SZ_MASK)) {
	case RCTL_BSEX | 0x10000: return 16384;
	case RCTL_BSEX | 0x20000: return 8192;
	case RCTL_BSEX | 0x30000: return 4096;
	case 0x10000: return 1024;
	case 0x20000: return 512;
	case 0x30000: return 256;
	default: return 2048;
	}
}

static unsigned int rx_ring_len(const struct e1000 *s)
{
	return creg(s, RDLEN) / 16;
}

/* Enough descriptors the driver handed over (RDH up to RDT) for total bytes. */
static bool has_rx_bufs(const struct e1000 *s, size_t total)
{
	uint32_t rdh = creg(s, RDH), rdt = creg(s, RDT), size = rx_buf_size(creg(s, RCTL));
	uint64_t bufs;

	if (total <= size)
		return rdh != rdt;
	if (rdh < rdt)
		bufs = rdt - rdh;
	else if (rdh > rdt)
		bufs = (uint64_t)rx_ring_len(s) + rdt - rdh;
	else
		return false;
	return total <= bufs * size;
}

static bool rx_ready(const struct e1000 *s)
{
	return !s->unplugged && (creg(s, STATUS) & STATUS_LU) && (creg(s, RCTL) & RCTL_EN) &&
	       bus_master(s);
}

bool e1000_can_receive(const struct e1000 *s)
{
	return rx_ready(s) && has_rx_bufs(s, 1) && !s->r.rx_hold_until;
}

static bool vlan_frame(const struct e1000 *s, const uint8_t *f)
{
	return rd_be16(f + 12) == (uint16_t)creg(s, VET);
}

/* Which frames the filters let in (QEMU's receive_filter and e1000x_rx_group_filter). */
static bool rx_filter(struct e1000 *s, const uint8_t *f)
{
	static const unsigned int mta_shift[] = { 4, 3, 2, 0 };
	uint32_t rctl = creg(s, RCTL);
	bool bcast = !memcmp(f, broadcast_mac, 6), mcast = f[0] & 1;
	unsigned int h;

	if (vlan_frame(s, f) && (rctl & RCTL_VFE)) {
		unsigned int vid = rd_be16(f + 14) & 0xfff;

		if (!(creg(s, VFTA + 4 * (vid >> 5)) & 1u << (vid & 31)))
			return false;
	}
	if (!bcast && !mcast && (rctl & RCTL_UPE))
		return true;
	if (mcast && (rctl & RCTL_MPE)) {
		stat_inc(s, MPRC);
		return true;
	}
	if (bcast && (rctl & RCTL_BAM)) {
		stat_inc(s, BPRC);
		return true;
	}
	for (unsigned int i = 0; i < 16; i++) {
		uint32_t lo = creg(s, RA + 8 * i), hi = creg(s, RA + 8 * i + 4);
		uint8_t ra[6] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16), (uint8_t)(lo >> 24),
				  (uint8_t)hi, (uint8_t)(hi >> 8) };

		if ((hi & RAH_AV) && !memcmp(f, ra, 6))
			return true;
	}
	h = ((unsigned int)(f[5] << 8 | f[4]) >> mta_shift[rctl >> RCTL_MO_SHIFT & 3]) & 0xfff;
	if (creg(s, MTA + 4 * (h >> 5)) & 1u << (h & 31)) {
		stat_inc(s, MPRC);
		return true;
	}
	return false;
}

static void rx_overrun(struct e1000 *s)
{
	stat_inc(s, RNBC);
	stat_inc(s, MPC);
	set_ics(s, ICR_RXO);
}

void e1000_receive(struct e1000 *s, const uint8_t *frame, size_t len)
{
	uint8_t small[RX_MIN_FRAME];
	uint8_t tag_moved[16];
	const uint8_t *head = frame; /* the first 16 bytes as the guest gets them */
	size_t size = len, total, done = 0, payload_off = 0;
	uint16_t special = 0;
	uint8_t vp = 0;
	uint32_t rdh_start, bufsize, n, rdt, rdh;
	unsigned int ring;

	if (!rx_ready(s) || s->r.rx_hold_until || len < NET_MIN_FRAME || len > NET_MAX_FRAME)
		return;
	/* Runts padded to 60 bytes. */
	if (len < RX_MIN_FRAME) {
		memcpy(small, frame, len);
		memset(small + len, 0, RX_MIN_FRAME - len);
		frame = head = small;
		size = len = RX_MIN_FRAME;
	}
	if ((size > RX_LPE_MAX || (size > RX_VLAN_MAX && !(creg(s, RCTL) & RCTL_LPE))) &&
	    !(creg(s, RCTL) & RCTL_SBP)) {
		stat_inc(s, ROC);
		return;
	}
	if (!rx_filter(s, frame))
		return;
	/* VLAN strip: the tag to the descriptor, the addresses moved up over it. */
	if ((creg(s, CTRL) & CTRL_VME) && vlan_frame(s, frame) && size >= 18) {
		special = rd_be16(frame + 14);
		memcpy(tag_moved + 4, frame, 12);
		head = tag_moved + 4;
		payload_off = 4;
		vp = RXD_VP;
		size -= 4;
	}
	total = size + ((creg(s, RCTL) & RCTL_SECRC) ? 0 : 4);
	if (!has_rx_bufs(s, total)) {
		rx_overrun(s);
		return;
	}
	bufsize = rx_buf_size(creg(s, RCTL));
	ring = rx_ring_len(s);
	rdh_start = creg(s, RDH);
	do {
		uint64_t base = ((uint64_t)creg(s, RDBAH) << 32 | creg(s, RDBAL)) + 16ull * creg(s, RDH);
		uint8_t desc[16];
		size_t dsize = total - done < bufsize ? total - done : bufsize;
		uint8_t status;

		if (!dma(s, base, desc, 16, false))
			memset(desc, 0, 16);
		wr_le16(desc + 14, special);
		status = desc[12] & (uint8_t)~RXD_DD;
		if (rd_le64(desc)) {
			uint64_t ba = rd_le64(desc);

			if (done < size) {
				size_t copy = size - done < bufsize ? size - done : bufsize;
				/* The first 12 bytes may come from the moved header. */
				for (size_t o = 0; o < copy;) {
					size_t at = done + o, chunk;
					const uint8_t *src;

					if (at < 12) {
						src = head + at;
						chunk = 12 - at;
					} else {
						src = frame + payload_off + at;
						chunk = size - at;
					}
					if (chunk > copy - o)
						chunk = copy - o;
					dma(s, ba + o, (void *)src, chunk, true);
					o += chunk;
				}
			}
			done += dsize;
			wr_le16(desc + 8, (uint16_t)dsize);
			if (done >= total)
				status |= RXD_EOP | RXD_IXSM;
			else
				status &= (uint8_t)~RXD_EOP;
		}
		desc[12] = status;
		dma(s, base, desc, 16, true);
		desc[12] = status | vp | RXD_DD;
		dma(s, base + 12, desc + 12, 1, true);
		rdh = creg(s, RDH) + 1;
		if (rdh >= ring)
			rdh = 0;
		*reg(s, RDH) = rdh;
		/* A ring the driver made inconsistent (RDT or RDLEN changed under us): stop. */
		if (rdh == rdh_start || rdh_start >= ring) {
			rx_overrun(s);
			return;
		}
	} while (done < total);

	/* QEMU 7.2.22's (Debian 12's) counting: octets with the FCS, the bucket by what was written. */
	stat_size(s, PRC64, total);
	stat_inc(s, TPR);
	stat_inc(s, GPRC);
	stat_add64(s, TORL, (uint64_t)size + 4);
	stat_add64(s, GORCL, (uint64_t)size + 4);

	n = ICR_RXT0;
	rdt = creg(s, RDT);
	rdh = creg(s, RDH);
	if (rdt < rdh)
		rdt += ring;
	if ((uint64_t)(rdt - rdh) * 16 <= creg(s, RDLEN) >> (((creg(s, RCTL) / RCTL_RDMTS_QUAT) & 3) + 1))
		n |= ICR_RXDMT0;
	set_ics(s, n);
}

/* ---------------------------------------------------------------- transmit */

static void send_packet(struct e1000 *s, const uint8_t *p, size_t len)
{
	/* PHY loopback: to its own receiver, lost when that cannot take it now. */
	if (s->r.phy[PHY_BMCR] & BMCR_LOOPBACK) {
		if (e1000_can_receive(s))
			e1000_receive(s, p, len);
	} else if (s->netdev) {
		netdev_send(s->netdev, p, len);
	}
	if (len >= 6 && !memcmp(p, broadcast_mac, 6))
		stat_inc(s, BPTC);
	else if (len >= 1 && (p[0] & 1))
		stat_inc(s, MPTC);
	stat_size(s, PTC64, len + 4);
}

/*
 * The checksum of [css, cse] (cse 0: to the end) stored at sloc, when sloc
 * lies inside the packet (QEMU's putsum); an offset beyond it does nothing.
 */
static void put_sum(uint8_t *data, uint32_t n, uint32_t sloc, uint32_t css, uint32_t cse)
{
	if (cse && cse < n)
		n = cse + 1;
	if (css >= n || sloc + 1 >= n)
		return;
	uint16_t sum = csum_fold(csum_add(0, data + css, n - css));

	/* 0 goes out as 0xffff (net_checksum_finish_nozero). */
	wr_be16(data + sloc, sum ? sum : 0xffff);
}

/* One packet or TSO segment from tx data (QEMU's xmit_seg). */
static void xmit_seg(struct e1000 *s)
{
	struct e1000_regs *r = &s->r;
	const struct e1000_tx_props *p = r->cptse ? &r->tso_props : &r->props;
	uint8_t *data = s->txbuf + 4;
	uint32_t size = r->tx_size;

	if (r->cptse) {
		unsigned int css = p->ipcss, frames = r->tso_frames;
		uint32_t len;

		/* Every offset is in the 256-byte header, inside the buffer. */
		if (p->ip) {
			wr_be16(data + css + 2, (uint16_t)(size - css));
			wr_be16(data + css + 4, (uint16_t)(rd_be16(data + css + 4) + frames));
		} else {
			wr_be16(data + css + 4, (uint16_t)(size - css));
		}
		css = p->tucss;
		len = size - css;
		if (p->tcp) {
			uint32_t sofar = frames * p->mss;

			wr_be32(data + css + 4, rd_be32(data + css + 4) + sofar);
			if (p->paylen - sofar > p->mss)
				data[css + 13] &= (uint8_t)~9; /* PSH, FIN on the last only */
			else if (frames)
				stat_inc(s, TSCTC);
		} else {
			wr_be16(data + css + 4, (uint16_t)len);
		}
		if (r->sum_needed & POPTS_TXSM) {
			/* The pseudo-header sum the driver left lacks this segment's length. */
			uint32_t ph = rd_be16(data + p->tucso) + (len & 0xffff);

			ph = (ph >> 16) + (ph & 0xffff);
			wr_be16(data + p->tucso, (uint16_t)ph);
		}
		r->tso_frames++;
	}
	if (r->sum_needed & POPTS_TXSM)
		put_sum(data, size, p->tucso, p->tucss, p->tucse);
	if (r->sum_needed & POPTS_IXSM)
		put_sum(data, size, p->ipcso, p->ipcss, p->ipcse);
	if (r->vlan_needed && size >= 12) {
		/* The tag after the addresses: the addresses move 4 bytes down into the room. */
		memmove(s->txbuf, data, 12);
		wr_be16(s->txbuf + 12, (uint16_t)creg(s, VET));
		wr_be16(s->txbuf + 14, r->vlan_tci);
		send_packet(s, s->txbuf, size + 4);
		/* Restore the addresses where the next segment's header expects them. */
		memmove(data, s->txbuf, 12);
	} else {
		send_packet(s, data, size);
	}
	stat_inc(s, TPT);
	stat_add64(s, TOTL, (uint64_t)size + 4);
	stat_inc(s, GPTC);
	stat_add64(s, GOTCL, (uint64_t)size + 4);
}

static void read_context(const uint8_t *d, struct e1000_tx_props *p)
{
	uint32_t op = rd_le32(d + 8);

	p->ipcss = d[0];
	p->ipcso = d[1];
	p->ipcse = rd_le16(d + 2);
	p->tucss = d[4];
	p->tucso = d[5];
	p->tucse = rd_le16(d + 6);
	p->paylen = op & 0xfffff;
	p->hdr_len = d[13];
	p->mss = rd_le16(d + 14);
	p->ip = op & TXD_IP;
	p->tcp = op & TXD_TCP;
	p->tse = op & TXD_TSE;
}

static void tx_packet_done(struct e1000 *s)
{
	s->r.tso_frames = 0;
	s->r.sum_needed = 0;
	s->r.vlan_needed = false;
	s->r.tx_size = 0;
	s->r.cptse = false;
	s->tx_drop = false;
}

static void process_tx_desc(struct e1000 *s, const uint8_t *d)
{
	struct e1000_regs *r = &s->r;
	uint32_t lower = rd_le32(d + 8), upper = rd_le32(d + 12);
	uint32_t dtype = lower & (TXD_DEXT | TXD_DTYP_D);
	uint32_t split = lower & 0xffff;
	uint64_t addr = rd_le64(d);
	uint8_t *data = s->txbuf + 4;

	r->mit_ide |= !!(lower & TXD_IDE);
	if (dtype == TXD_DEXT) {
		if (lower & TXD_TSE) {
			read_context(d, &r->tso_props);
			r->tso_last = true;
			r->tso_frames = 0;
		} else {
			read_context(d, &r->props);
			r->tso_last = false;
		}
		return;
	}
	if (dtype == (TXD_DEXT | TXD_DTYP_D)) {
		if (!r->tx_size)
			r->sum_needed = (uint8_t)(upper >> 8);
		r->cptse = lower & TXD_TSE;
	} else {
		r->cptse = false;
	}
	if ((creg(s, CTRL) & CTRL_VME) && (lower & TXD_VLE) && (r->cptse || (lower & TXD_EOP))) {
		r->vlan_needed = true;
		r->vlan_tci = (uint16_t)(upper >> 16);
	}
	if (s->tx_drop) {
		/* Restored in the middle of a packet whose bytes were not kept: skip to its end. */
	} else if (r->cptse) {
		uint32_t hdr = r->tso_props.hdr_len, msh = hdr + r->tso_props.mss;
		uint32_t bytes;

		do {
			bytes = split;
			if (r->tx_size >= msh)
				break;
			if (r->tx_size + bytes > msh)
				bytes = msh - r->tx_size;
			if (bytes > TX_DATA_MAX - r->tx_size)
				bytes = TX_DATA_MAX - r->tx_size;
			if (!dma(s, addr, data + r->tx_size, bytes, false))
				memset(data + r->tx_size, 0, bytes);
			if (r->tx_size + bytes >= hdr && r->tx_size < hdr)
				memcpy(s->tx_header, data, hdr);
			r->tx_size += bytes;
			addr += bytes;
			if (r->tx_size == msh) {
				xmit_seg(s);
				memcpy(data, s->tx_header, hdr);
				r->tx_size = hdr;
			}
			split -= bytes;
		} while (bytes && split);
	} else {
		if (split > TX_DATA_MAX - r->tx_size)
			split = TX_DATA_MAX - r->tx_size;
		if (!dma(s, addr, data + r->tx_size, split, false))
			memset(data + r->tx_size, 0, split);
		r->tx_size += split;
	}
	if (!(lower & TXD_EOP))
		return;
	if (!s->tx_drop && !(r->cptse && r->tx_size < r->tso_props.hdr_len))
		xmit_seg(s);
	tx_packet_done(s);
}

/* Status write-back when the descriptor asked for it: DD set, the error bits cleared. */
static uint32_t tx_writeback(struct e1000 *s, uint64_t base, uint8_t *d)
{
	uint32_t lower = rd_le32(d + 8), upper;

	if (!(lower & (TXD_RS | TXD_RPS)))
		return 0;
	upper = (rd_le32(d + 12) | TXD_STAT_DD) & ~(uint32_t)(TXD_STAT_EC | TXD_STAT_LC | TXD_STAT_TU);
	wr_le32(d + 12, upper);
	dma(s, base + 12, d + 12, 4, true);
	return ICR_TXDW;
}

/* TDH up to TDT, one pass over the ring at most (QEMU's start_xmit). */
static void start_xmit(struct e1000 *s)
{
	uint32_t tdh_start = creg(s, TDH), cause = ICR_TXQE;
	unsigned int ring = creg(s, TDLEN) / 16;

	if (s->unplugged || !(creg(s, TCTL) & TCTL_EN))
		return;
	while (creg(s, TDH) != creg(s, TDT)) {
		uint64_t base = ((uint64_t)creg(s, TDBAH) << 32 | (creg(s, TDBAL) & ~0xfu)) +
				16ull * creg(s, TDH);
		uint8_t d[16];
		uint32_t tdh;

		if (!dma(s, base, d, 16, false))
			memset(d, 0, 16);
		process_tx_desc(s, d);
		cause |= tx_writeback(s, base, d);
		tdh = creg(s, TDH) + 1;
		if (tdh >= ring)
			tdh = 0;
		*reg(s, TDH) = tdh;
		if (tdh == tdh_start || tdh_start >= ring)
			break;
	}
	set_ics(s, cause);
}

/* ---------------------------------------------------------------- register access */

static uint32_t read_reg(struct e1000 *s, uint32_t off)
{
	int i = e1000_reg_index(off);
	uint32_t v;

	if (i < 0)
		return 0;
	v = s->r.mac[i];
	switch (reg_rd[i]) {
	case RD_ZERO:
		return 0;
	case RD_CLR:
		s->r.mac[i] = 0;
		return v;
	case RD_CLR8:
		s->r.mac[i] = 0;
		s->r.mac[i - 1] = 0;
		return v;
	case RD_ICR:
		set_interrupt_cause(s, 0);
		return v;
	case RD_EECD:
		return read_eecd(s);
	case RD_EERD:
		return read_eerd(s);
	case RD_LOW4:
		return v & 0xf;
	case RD_LOW11:
		return v & 0x7ff;
	case RD_LOW16:
		return v & 0xffff;
	case RD_LOW13:
		return v & 0x1fff;
	default:
		return v;
	}
}

static void write_reg(struct e1000 *s, uint32_t off, uint32_t val)
{
	int i = e1000_reg_index(off);

	if (i < 0)
		return;
	switch (reg_wr[i]) {
	case WR_RO:
		return;
	case WR_CTRL:
		/* RST clears itself and, as on QEMU's e1000, resets nothing. */
		s->r.mac[i] = val & ~CTRL_RST;
		return;
	case WR_EECD:
		write_eecd(s, val);
		return;
	case WR_MDIC:
		write_mdic(s, val);
		return;
	case WR_ICR:
		set_interrupt_cause(s, creg(s, ICR) & ~val);
		return;
	case WR_ICS:
		set_ics(s, val);
		return;
	case WR_IMS:
		*reg(s, IMS) |= val;
		set_ics(s, 0);
		return;
	case WR_IMC:
		*reg(s, IMS) &= ~val;
		set_ics(s, 0);
		return;
	case WR_RCTL:
		s->r.mac[i] = val;
		hold_rx(s);
		return;
	case WR_XMIT:
		s->r.mac[i] = val;
		*reg(s, TDT) &= 0xffff;
		start_xmit(s);
		return;
	case WR_RDT:
		s->r.mac[i] = val & 0xffff;
		return;
	case WR_16:
		s->r.mac[i] = val & 0xffff;
		return;
	case WR_DLEN:
		s->r.mac[i] = val & 0xfff80;
		return;
	default:
		s->r.mac[i] = val;
	}
}

/*
 * 32-bit registers. A narrower access reaches the whole register, as the
 * memory core hands it to QEMU's e1000 (impl 4 bytes): a read gives its low
 * bytes, a write stores the value zero-extended.
 */
static uint64_t mmio_read(void *opaque, uint64_t addr, unsigned int size)
{
	struct e1000 *s = opaque;
	uint32_t v;

	if (s->unplugged)
		return ~0ull;
	v = read_reg(s, (uint32_t)addr & 0x1fffc);
	return size == 4 ? v : v & ((1u << 8 * size) - 1);
}

static void mmio_write(void *opaque, uint64_t addr, unsigned int size, uint64_t val)
{
	struct e1000 *s = opaque;

	(void)size;
	if (!s->unplugged)
		write_reg(s, (uint32_t)addr & 0x1fffc, (uint32_t)val);
}

static const struct io_ops mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
	.impl_min = 1,
	.impl_max = 4,
	.unaligned = true,
};

/* QEMU's e1000 I/O BAR: present, 64 bytes, answering 0 and ignoring writes (no IOADDR/IODATA). */
static uint64_t io_read(void *opaque, uint64_t addr, unsigned int size)
{
	(void)opaque;
	(void)addr;
	(void)size;
	return 0;
}

static void io_write(void *opaque, uint64_t addr, unsigned int size, uint64_t val)
{
	(void)opaque;
	(void)addr;
	(void)size;
	(void)val;
}

static const struct io_ops io_ops = {
	.read = io_read,
	.write = io_write,
	.impl_min = 1,
	.impl_max = 4,
};

/* ---------------------------------------------------------------- the device */

static bool fe_can_receive(void *opaque)
{
	return e1000_can_receive(opaque);
}

static void fe_receive(void *opaque, const uint8_t *frame, size_t len)
{
	e1000_receive(opaque, frame, len);
}

static const struct net_frontend e1000_frontend = { fe_can_receive, fe_receive };

int e1000_attach_loop(struct e1000 *s, struct loop *loop)
{
	return s->netdev ? netdev_attach(s->netdev, loop, &e1000_frontend, s) : 0;
}

int e1000_init(struct e1000 *s, struct pci_bus *bus, struct accel *accel,
	       const struct e1000_config *cfg, char *err, size_t errlen)
{
	struct pci_device *d = &s->pci;
	int rc;

	build_reg_map();
	memset(s, 0, sizeof(*s));
	s->accel = accel;
	s->clock = cfg->clock;
	s->netdev = cfg->netdev;
	memcpy(s->mac, cfg->mac, 6);
	s->txbuf = calloc(1, 4 + TX_DATA_MAX);
	if (!s->txbuf) {
		snprintf(err, errlen, "e1000: out of memory");
		return -1;
	}
	if (s->clock) {
		timer_init(&s->mit_timer, s->clock, mit_fired, s);
		timer_init(&s->autoneg_timer, s->clock, autoneg_fired, s);
		timer_init(&s->rx_hold_timer, s->clock, rx_hold_fired, s);
	}
	/* QEMU's identity: the 82540EM, rev 3, class 0x020000. */
	pci_device_init(d, "e1000", 0x8086, DEV_ID_82540EM, 0x03, 0x020000);
	d->opaque = s;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, cfg->subsys_vendor);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, cfg->subsys_id);
	d->config[PCI_INTERRUPT_PIN] = 1;
	rc = pci_register_bar(d, 0, PCI_BAR_MEM32, false, E1000_MMIO_SIZE, &mmio_ops, s, "e1000-mmio");
	if (!rc)
		rc = pci_register_bar(d, 1, PCI_BAR_IO, false, E1000_IO_SIZE, &io_ops, s, "e1000-io");
	if (!rc && cfg->rom) {
		uint32_t bar;

		s->rom = pci_rom_image(cfg->rom, cfg->rom_size, &bar);
		rc = s->rom ? pci_register_bar(d, PCI_ROM_SLOT, PCI_BAR_MEM32, false, bar, &pci_rom_ops, s->rom,
					       "e1000-rom")
			    : -ENOMEM;
	}
	if (!rc)
		rc = pci_register_device(bus, d, cfg->devfn);
	if (rc) {
		free(s->txbuf);
		free(s->rom);
		s->txbuf = s->rom = NULL;
		snprintf(err, errlen, "e1000: cannot claim PCI function %02x.%u (error %d)",
			 PCI_SLOT(cfg->devfn), PCI_FUNC(cfg->devfn), rc);
		return -1;
	}
	e1000_reset(s);
	return 0;
}

static void cancel_timers(struct e1000 *s)
{
	if (!s->clock)
		return;
	timer_cancel(&s->mit_timer);
	timer_cancel(&s->autoneg_timer);
	timer_cancel(&s->rx_hold_timer);
}

void e1000_unplug(struct e1000 *s)
{
	if (s->unplugged)
		return;
	cancel_timers(s);
	pci_set_irq(&s->pci, 0, false);
	pci_unregister_device(&s->pci);
	s->unplugged = true;
	if (s->netdev) {
		netdev_close(s->netdev);
		s->netdev = NULL;
	}
	log_info("e1000", "unplugged by the guest's PV drivers");
}

void e1000_destroy(struct e1000 *s)
{
	cancel_timers(s);
	if (s->netdev)
		netdev_detach(s->netdev);
	free(s->txbuf);
	free(s->rom);
	s->txbuf = s->rom = NULL;
}

/* ---------------------------------------------------------------- saved state */

void e1000_save_state(const struct e1000 *s, struct e1000_state *st)
{
	memset(st, 0, sizeof(*st));
	st->unplugged = s->unplugged;
	if (s->unplugged)
		return;
	pci_save_state(&s->pci, &st->pci);
	st->r = s->r;
	st->tx_partial = s->r.tx_size != 0 || s->tx_drop;
	st->r.tx_size = 0;
}

int e1000_check_state(const struct e1000 *s, const struct e1000_state *st, char *err, size_t errlen)
{
	const struct e1000_regs *r = &st->r;

	if (st->unplugged)
		return 0;
	if (s->unplugged) {
		snprintf(err, errlen, "e1000: the guest's PV drivers unplugged this NIC; a state with it present cannot be loaded");
		return -1;
	}
	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (r->tx_size) {
		snprintf(err, errlen, "e1000: transmit in flight (%u bytes) cannot be loaded", r->tx_size);
		return -1;
	}
	if (r->mit_timer_on && !r->mit_deadline && !st->foreign && s->clock) {
		snprintf(err, errlen, "e1000: an interrupt mitigation window with no deadline");
		return -1;
	}
	return 0;
}

void e1000_load_state(struct e1000 *s, const struct e1000_state *st)
{
	if (st->unplugged) {
		e1000_unplug(s);
		return;
	}
	cancel_timers(s);
	pci_load_state(&s->pci, &st->pci);
	s->r = st->r;
	s->tx_drop = st->tx_partial;
	if (st->foreign && s->clock) {
		s->r.mit_deadline = clock_now(s->clock) + 1;
		if ((s->r.phy[PHY_BMCR] & BMCR_AUTOEN) && !(s->r.phy[PHY_BMSR] & BMSR_AN_COMP))
			s->r.autoneg_deadline = clock_now(s->clock) + AUTONEG_NS;
	}
	/*
	 * The saved clock is in force now: a deadline further off than the
	 * device ever sets one (a window of at most 4 x 65535 x 256 ns, 500 ms of
	 * autonegotiation, 1 s of receive hold) comes from a stream no hvmdm
	 * wrote, and is brought back within reach.
	 */
	if (s->clock) {
		uint64_t now = clock_now(s->clock);

		if (s->r.mit_deadline > now + 4ull * 65535 * ITR_UNIT_NS)
			s->r.mit_deadline = now + 4ull * 65535 * ITR_UNIT_NS;
		if (s->r.autoneg_deadline > now + AUTONEG_NS)
			s->r.autoneg_deadline = now + AUTONEG_NS;
		if (s->r.rx_hold_until > now + RX_HOLD_NS)
			s->r.rx_hold_until = now + RX_HOLD_NS;
	}
	if (s->clock) {
		if (s->r.mit_timer_on && s->r.mit_deadline)
			timer_arm(&s->mit_timer, s->r.mit_deadline);
		if (s->r.autoneg_deadline)
			timer_arm(&s->autoneg_timer, s->r.autoneg_deadline);
		if (s->r.rx_hold_until)
			timer_arm(&s->rx_hold_timer, s->r.rx_hold_until);
	}
	set_irq(s, s->r.mit_irq_level);
}

static void reset_if_present(struct e1000 *s)
{
	if (!s->unplugged)
		e1000_reset(s);
}

DEV_OPS_RESET(reset_if_present, struct e1000)
DEV_OPS_DESTROY(e1000_destroy, struct e1000)
DEV_OPS_SAVE(e1000_save_state, struct e1000, struct e1000_state)
DEV_OPS_CHECK(e1000_check_state, struct e1000, struct e1000_state)
DEV_OPS_LOAD(e1000_load_state, struct e1000, struct e1000_state)

const struct dev_ops e1000_ops = {
	.name = "e1000",
	.record = "e1000",
	.reset = ops_reset,
	.destroy = ops_destroy,
	.save = ops_save,
	.check = ops_check,
	.load = ops_load,
};
