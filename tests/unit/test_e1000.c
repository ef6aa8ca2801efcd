// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel 82540EM through the guest's BARs: PCI identity, the EEPROM by EECD
 * bit-bang (Linux's microwire sequence) and by EERD, the PHY over MDIC and
 * autonegotiation, interrupts and their mitigation, legacy and context/data
 * transmit with checksum offload, TCP segmentation and VLAN insertion,
 * receive with filters, several descriptors per frame, VLAN strip and the
 * one second hold after an RCTL write, hostile rings, PV unplug, saved
 * state in hvmdm's and both producers' layouts. Frames go through a
 * socketpair the test holds.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../state/qevm.h"
#include "../../state/registry.h"

#define NIC PCI_DEVFN(3, 0) /* xenfv, no display: after the platform device */
#define BAR 0xf0000000u
#define IOB 0xc200
#define TX_RING 0x20000u
#define TX_BUF 0x30000u
#define RX_RING 0x40000u
#define RX_BUF 0x50000u

/* Registers */
#define CTRL 0x0000
#define STATUS 0x0008
#define EECD 0x0010
#define EERD 0x0014
#define MDIC 0x0020
#define VET 0x0038
#define ICR 0x00c0
#define ITR 0x00c4
#define ICS 0x00c8
#define IMS 0x00d0
#define IMC 0x00d8
#define RCTL 0x0100
#define TCTL 0x0400
#define RDBAL 0x2800
#define RDBAH 0x2804
#define RDLEN 0x2808
#define RDH 0x2810
#define RDT 0x2818
#define TDBAL 0x3800
#define TDBAH 0x3804
#define TDLEN 0x3808
#define TDH 0x3810
#define TDT 0x3818
#define MPC 0x4010
#define GPRC 0x4074
#define GPTC 0x4080
#define RNBC 0x40a0
#define TPT 0x40d4
#define MTA 0x5200
#define RA 0x5400

static const uint8_t nic_mac[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };

struct nic_ctx {
	struct tm_ctx *t;
	int peer;
	unsigned int devfn;
};

static struct nic_ctx nic_new_profile(enum machine_profile profile)
{
	struct machine_config cfg = { .profile = profile, .vcpus = 1, .ram_mib = 128 };
	struct nic_ctx c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	cfg.nr_nics = 1;
	cfg.nic[0].model = NIC_E1000;
	snprintf(cfg.nic[0].id, sizeof(cfg.nic[0].id), "nic0");
	memcpy(cfg.nic[0].mac, nic_mac, 6);
	cfg.nic[0].netdev = (struct netdev_config){ .id = "net0", .kind = NETDEV_SOCKET, .fd = sv[0] };
	cfg.nic[0].romfile = "";
	c.t = tm_new_cfg(&cfg);
	c.peer = sv[1];
	assert_int_equal(fcntl(c.peer, F_SETFL, O_NONBLOCK), 0);
	c.devfn = c.t->m.e1000[0].pci.devfn;
	cfg_wr(c.t, c.devfn, 0x10, 4, BAR);
	cfg_wr(c.t, c.devfn, 0x14, 4, IOB);
	cfg_wr(c.t, c.devfn, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return c;
}

static struct nic_ctx nic_new(void)
{
	return nic_new_profile(PROFILE_XENFV);
}

static void nic_free(struct nic_ctx *c)
{
	tm_free(c->t);
	close(c->peer);
}

static uint32_t rd(struct nic_ctx *c, uint32_t off)
{
	return (uint32_t)io_space_read(&c->t->m.mmio, BAR + off, 4);
}

static void wr(struct nic_ctx *c, uint32_t off, uint32_t v)
{
	io_space_write(&c->t->m.mmio, BAR + off, 4, v);
}

static uint8_t *ram(struct nic_ctx *c)
{
	return c->t->acc.guest_ram;
}

static bool inta(struct nic_ctx *c)
{
	return c->t->acc.intx[3][0];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static size_t make_frame(uint8_t *f, const uint8_t *dst, size_t len, uint8_t salt)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(i * 7 + salt);
	return len;
}

static void deliver(struct nic_ctx *c, const uint8_t *f, size_t len)
{
	assert_int_equal(send(c->peer, f, len, 0), (ssize_t)len);
	netdev_poll_input(&c->t->m.netdev[0]);
}

static ssize_t take(struct nic_ctx *c, uint8_t *buf, size_t cap)
{
	return recv(c->peer, buf, cap, 0);
}

/* ---------------------------------------------------------------- identity, EEPROM, PHY */

static void test_identity(void **state)
{
	struct nic_ctx c = nic_new();

	(void)state;
	assert_int_equal(cfg_rd(c.t, NIC, 0x00, 4), 0x100e8086);
	assert_int_equal(cfg_rd(c.t, NIC, 0x08, 4), 0x02000003);
	assert_int_equal(cfg_rd(c.t, NIC, 0x2c, 4), 0x11001af4);
	assert_int_equal(cfg_rd(c.t, NIC, 0x3d, 1), 1);
	/* BAR0 128 KiB of memory, BAR1 64 bytes of I/O answering nothing. */
	cfg_wr(c.t, NIC, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(c.t, NIC, 0x10, 4), 0xfffe0000);
	cfg_wr(c.t, NIC, 0x10, 4, BAR);
	cfg_wr(c.t, NIC, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_rd(c.t, NIC, 0x14, 4), 0xffffffc1);
	cfg_wr(c.t, NIC, 0x14, 4, IOB);
	assert_int_equal(inp(c.t, IOB, 4), 0);
	/* Reset values Linux's e1000 and iPXE look at. */
	assert_int_equal(rd(&c, CTRL), 0x00140240);
	assert_int_equal(rd(&c, STATUS), 0x80080783);
	assert_int_equal(rd(&c, 0x1000), 0x00100030);
	assert_int_equal(rd(&c, RA), 0x123e1600);
	assert_int_equal(rd(&c, RA + 4), 0x80005634);
	assert_int_equal(rd(&c, VET), 0);
	/* CTRL.RST clears itself; STATUS is read-only; registers outside the table read 0. */
	wr(&c, CTRL, 0x04000000 | 0x40);
	assert_int_equal(rd(&c, CTRL), 0x40);
	wr(&c, STATUS, 0);
	assert_int_equal(rd(&c, STATUS), 0x80080783);
	wr(&c, 0x0178, 0x1234); /* TXCW: not kept */
	assert_int_equal(rd(&c, 0x0178), 0);
	/* Narrow reads give the register's low bytes, as QEMU's 4-byte-only handlers do. */
	assert_int_equal(io_space_read(&c.t->m.mmio, BAR + RA + 1, 1), 0x00);
	assert_int_equal(io_space_read(&c.t->m.mmio, BAR + RA, 2), 0x1600);
	nic_free(&c);
}

/* Linux's e1000_read_eeprom for the 82540 (microwire, 6 address bits). */
static uint16_t eecd_read(struct nic_ctx *c, unsigned int addr)
{
	uint32_t eecd = rd(c, EECD) & ~0xfu;
	uint32_t cmd = 6u << 6 | addr; /* 110 + address */
	uint16_t v = 0;

	eecd |= 0x2; /* CS */
	wr(c, EECD, eecd);
	for (int b = 8; b >= 0; b--) {
		uint32_t di = (cmd >> b & 1) ? 0x4 : 0;

		wr(c, EECD, eecd | di);
		wr(c, EECD, eecd | di | 0x1);
		wr(c, EECD, eecd | di);
	}
	for (int b = 0; b < 16; b++) {
		wr(c, EECD, eecd | 0x1);
		v = (uint16_t)(v << 1 | !!(rd(c, EECD) & 0x8));
		wr(c, EECD, eecd);
	}
	wr(c, EECD, eecd & ~0x2u);
	return v;
}

static void test_eeprom(void **state)
{
	struct nic_ctx c = nic_new();
	uint16_t sum = 0;

	(void)state;
	/* Present and granted, no size bit: Linux takes the 64-word microwire part. */
	assert_int_equal(rd(&c, EECD) & 0x3c0, 0x180);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(eecd_read(&c, i), nic_mac[2 * i] | nic_mac[2 * i + 1] << 8);
	assert_int_equal(eecd_read(&c, 11), 0x100e);
	for (unsigned int i = 0; i < 64; i++)
		sum = (uint16_t)(sum + eecd_read(&c, i));
	assert_int_equal(sum, 0xbaba);
	/* EERD, as iPXE reads: start with the address, done with the data. */
	wr(&c, EERD, 1u | 13u << 8);
	assert_int_equal(rd(&c, EERD), 0x100e0000u | 13u << 8 | 0x10);
	wr(&c, EERD, 1u | 1u << 8);
	assert_int_equal(rd(&c, EERD) >> 16, nic_mac[2] | nic_mac[3] << 8);
	/* Beyond the 64 words: done, no data. */
	wr(&c, EERD, 1u | 200u << 8);
	assert_int_equal(rd(&c, EERD), 200u << 8 | 0x10);
	/* Without start it reads back what was written. */
	wr(&c, EERD, 5u << 8);
	assert_int_equal(rd(&c, EERD), 5u << 8);
	nic_free(&c);
}

static uint32_t mdic(struct nic_ctx *c, uint32_t v)
{
	wr(c, MDIC, v);
	return rd(c, MDIC);
}

static void test_phy_autoneg(void **state)
{
	struct nic_ctx c = nic_new();
	uint32_t v;

	(void)state;
	/* Marvell 88E1011 on address 1: Linux's e1000_detect_gig_phy wants 0x01410c20. */
	v = mdic(&c, 0x08000000u | 1u << 21 | 2u << 16);
	assert_int_equal(v & 0x5000ffffu, 0x10000141u);
	v = mdic(&c, 0x08000000u | 1u << 21 | 3u << 16);
	assert_int_equal(v & 0xffff, 0x0c20);
	/* Another PHY address: an error. */
	v = mdic(&c, 0x08000000u | 2u << 21 | 2u << 16);
	assert_true(v & 0x40000000u);
	/* Link up, autonegotiation not yet complete. */
	v = mdic(&c, 0x08000000u | 1u << 21 | 1u << 16);
	assert_int_equal(v & 0xffff, 0x794d);
	/* Restart: the link drops, and 500 ms later it is back with LSC. */
	wr(&c, IMS, 0x4);
	mdic(&c, 0x04000000u | 1u << 21 | 0u << 16 | 0x1340);
	assert_int_equal(rd(&c, STATUS) & 2, 0);
	tm_advance(c.t, 400000000ull);
	assert_int_equal(rd(&c, STATUS) & 2, 0);
	tm_advance(c.t, 200000000ull);
	assert_int_equal(rd(&c, STATUS) & 2, 2);
	assert_true(inta(&c));
	v = mdic(&c, 0x08000000u | 1u << 21 | 1u << 16);
	assert_int_equal(v & 0x24, 0x24);
	/* BMCR kept without the self-clearing bits. */
	v = mdic(&c, 0x08000000u | 1u << 21 | 0u << 16);
	assert_int_equal(v & 0xffff, 0x1140);
	assert_int_equal(rd(&c, ICR) & 0x4, 0x4);
	assert_false(inta(&c));
	/* A read-only register refuses a write; INT_EN raises MDAC. */
	v = mdic(&c, 0x04000000u | 1u << 21 | 2u << 16 | 0x1111);
	assert_true(v & 0x40000000u);
	wr(&c, IMS, 0x200);
	mdic(&c, 0x28000000u | 1u << 21 | 2u << 16);
	assert_int_equal(rd(&c, ICR) & 0x200, 0x200);
	nic_free(&c);
}

/* ---------------------------------------------------------------- interrupts */

static void test_interrupts(void **state)
{
	struct nic_ctx c = nic_new();

	(void)state;
	wr(&c, ICS, 0x80);
	assert_false(inta(&c)); /* masked */
	assert_int_equal(rd(&c, ICS), 0x80);
	wr(&c, IMS, 0x80);
	assert_true(inta(&c));
	assert_int_equal(rd(&c, IMS), 0x80);
	assert_int_equal(rd(&c, IMC), 0);
	wr(&c, IMC, 0x80);
	assert_false(inta(&c));
	/* Unmasking again inside the 128 us window the first interrupt opened: held to its end. */
	wr(&c, IMS, 0x80 | 0x10);
	assert_false(inta(&c));
	tm_advance(c.t, 130000);
	assert_true(inta(&c));
	/* Reading ICR clears it. */
	assert_int_equal(rd(&c, ICR), 0x80);
	assert_false(inta(&c));
	assert_int_equal(rd(&c, ICR), 0);
	/* Writing ICR clears the bits written. */
	wr(&c, ICS, 0x90);
	tm_advance(c.t, 1000000);
	wr(&c, ICR, 0x80);
	assert_true(inta(&c));
	wr(&c, ICR, 0x10);
	assert_false(inta(&c));
	/* Mitigation: after an interrupt, the next rising edge waits for ITR x 256 ns. */
	tm_advance(c.t, 1000000);
	wr(&c, ITR, 4000); /* 1.024 ms */
	wr(&c, ICS, 0x80);
	assert_true(inta(&c)); /* the first goes at once, and opens the window */
	(void)rd(&c, ICR);
	wr(&c, ICS, 0x80);
	assert_false(inta(&c));
	assert_int_equal(rd(&c, ICS), 0x80);
	tm_advance(c.t, 900000);
	assert_false(inta(&c));
	tm_advance(c.t, 200000);
	assert_true(inta(&c));
	/* ITR is 16 bits wide. */
	wr(&c, ITR, 0x12345678);
	assert_int_equal(rd(&c, ITR), 0x5678);
	nic_free(&c);
}

/* ---------------------------------------------------------------- transmit */

static void tx_setup(struct nic_ctx *c, unsigned int descs)
{
	memset(ram(c) + TX_RING, 0, 16 * descs);
	wr(c, TDBAL, TX_RING);
	wr(c, TDBAH, 0);
	wr(c, TDLEN, 16 * descs);
	wr(c, TDH, 0);
	wr(c, TDT, 0);
	wr(c, TCTL, 0x2 | 0x8); /* EN, PSP */
}

static void tx_desc(struct nic_ctx *c, unsigned int i, uint64_t addr, uint32_t lower, uint32_t upper)
{
	uint8_t *d = ram(c) + TX_RING + 16 * i;

	put64(d, addr);
	put32(d + 8, lower);
	put32(d + 12, upper);
}

static void test_legacy_transmit(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[1514], got[2048];

	(void)state;
	tx_setup(&c, 8);
	wr(&c, IMS, 0x3);
	make_frame(f, (const uint8_t[6]){ 0x02, 1, 2, 3, 4, 5 }, 1000, 1);
	memcpy(ram(&c) + TX_BUF, f, 600);
	memcpy(ram(&c) + TX_BUF + 0x1000, f + 600, 400);
	/* Two buffers, the first without EOP; RS on the last. */
	tx_desc(&c, 0, TX_BUF, 600 | 0x02000000u, 0);
	tx_desc(&c, 1, TX_BUF + 0x1000, 400 | 0x0b000000u, 0);
	wr(&c, TDT, 2);
	assert_int_equal(take(&c, got, sizeof(got)), 1000);
	assert_memory_equal(got, f, 1000);
	assert_int_equal(rd(&c, TDH), 2);
	assert_int_equal(ram(&c)[TX_RING + 16 + 12] & 1, 1); /* DD written back */
	assert_int_equal(ram(&c)[TX_RING + 12] & 1, 0);      /* not asked for */
	assert_true(inta(&c));
	assert_int_equal(rd(&c, ICR), 0x3);
	assert_int_equal(rd(&c, TPT), 1);
	assert_int_equal(rd(&c, TPT), 0); /* read to clear */
	/* TCTL.EN off: nothing goes. */
	wr(&c, TCTL, 0);
	memcpy(ram(&c) + TX_BUF, f, 100);
	tx_desc(&c, 2, TX_BUF, 100 | 0x09000000u, 0);
	wr(&c, TDT, 3);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	wr(&c, TCTL, 0x2);
	assert_int_equal(take(&c, got, sizeof(got)), 100);
	nic_free(&c);
}

/* An IPv4/TCP frame: 14 + 20 + 20 header bytes and payload. */
static size_t make_tcp(uint8_t *f, size_t payload, uint32_t seq)
{
	memset(f, 0, 54);
	make_frame(f, (const uint8_t[6]){ 0x02, 1, 2, 3, 4, 5 }, 54 + payload, 9);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + 20 + payload) >> 8);
	f[17] = (uint8_t)(20 + 20 + payload);
	f[18] = 0x12;
	f[19] = 0x34;
	f[22] = 64;
	f[23] = 6;
	f[24] = f[25] = 0;
	memcpy(f + 26, (const uint8_t[8]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	f[34] = 0x30;
	f[35] = 0x39;
	f[36] = 0x00;
	f[37] = 0x50;
	f[38] = (uint8_t)(seq >> 24);
	f[39] = (uint8_t)(seq >> 16);
	f[40] = (uint8_t)(seq >> 8);
	f[41] = (uint8_t)seq;
	memset(f + 42, 0, 4);
	f[46] = 0x50;
	f[47] = 0x18 | 0x01; /* PSH ACK FIN */
	f[48] = 0x10;
	f[49] = 0x00;
	f[50] = f[51] = f[52] = f[53] = 0;
	return 54 + payload;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		s += be16(p + i);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The IPv4 header and TCP checksums of a frame verify. */
static void check_tcp_sums(const uint8_t *f, size_t len)
{
	uint32_t ph = 0;
	size_t tcp_len = len - 34;

	assert_int_equal(fold(sum16(f + 14, 20, 0)), 0xffff);
	ph = sum16(f + 26, 8, 0) + 6 + (uint32_t)tcp_len;
	assert_int_equal(fold(sum16(f + 34, tcp_len, ph)), 0xffff);
}

/* The pseudo-header sum Linux leaves in the TCP checksum field for offload (without length for TSO). */
static void seed_pseudo(uint8_t *f, size_t tcp_len)
{
	uint16_t s = fold(sum16(f + 26, 8, 0) + 6 + (uint32_t)tcp_len);

	f[50] = (uint8_t)(s >> 8);
	f[51] = (uint8_t)s;
}

static void context_desc(struct nic_ctx *c, unsigned int i, bool tse, uint32_t paylen, uint8_t hdr_len,
			 uint16_t mss)
{
	uint8_t *d = ram(c) + TX_RING + 16 * i;

	d[0] = 14;              /* ipcss */
	d[1] = 24;              /* ipcso */
	put16(d + 2, 33);       /* ipcse */
	d[4] = 34;              /* tucss */
	d[5] = 50;              /* tucso */
	put16(d + 6, 0);        /* tucse: to the end */
	put32(d + 8, paylen | 0x20000000u | 0x02000000u | 0x01000000u | (tse ? 0x04000000u : 0));
	d[12] = 0;
	d[13] = hdr_len;
	put16(d + 14, mss);
}

static void test_checksum_offload(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[2048], got[2048];
	size_t len = make_tcp(f, 300, 1000);

	(void)state;
	tx_setup(&c, 8);
	seed_pseudo(f, len - 34);
	memcpy(ram(&c) + TX_BUF, f, len);
	context_desc(&c, 0, false, 0, 0, 0);
	/* Data descriptor: DEXT, DTYP=D, EOP, RS; POPTS IXSM|TXSM. */
	tx_desc(&c, 1, TX_BUF, (uint32_t)len | 0x20100000u | 0x09000000u, 0x3u << 8);
	wr(&c, TDT, 2);
	assert_int_equal(take(&c, got, sizeof(got)), (ssize_t)len);
	check_tcp_sums(got, len);
	assert_memory_equal(got + 54, f + 54, 300);
	nic_free(&c);
}

static void test_tso(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[4096], got[2048];
	size_t payload = 2500;
	uint16_t mss = 1000;

	make_tcp(f, payload, 1000);

	(void)state;
	tx_setup(&c, 8);
	/* Linux: IP total length and checksum 0, the TCP field the pseudo sum without length. */
	f[16] = f[17] = 0;
	seed_pseudo(f, 0);
	memcpy(ram(&c) + TX_BUF, f, 54);
	memcpy(ram(&c) + TX_BUF + 0x1000, f + 54, payload);
	context_desc(&c, 0, true, (uint32_t)payload, 54, mss);
	/* Header and payload in two data descriptors, TSE on both. */
	tx_desc(&c, 1, TX_BUF, 54 | 0x20100000u | 0x04000000u, 0x3u << 8);
	tx_desc(&c, 2, TX_BUF + 0x1000, (uint32_t)payload | 0x20100000u | 0x04000000u | 0x09000000u, 0x3u << 8);
	wr(&c, TDT, 3);
	for (unsigned int i = 0; i < 3; i++) {
		size_t seg = i < 2 ? mss : payload - 2 * mss;
		ssize_t n = take(&c, got, sizeof(got));

		assert_int_equal(n, (ssize_t)(54 + seg));
		assert_int_equal(be16(got + 16), 40 + seg);
		assert_int_equal(be16(got + 18), 0x1234 + i);
		assert_int_equal(be32(got + 38), 1000 + i * mss);
		/* PSH and FIN only on the last segment. */
		assert_int_equal(got[47] & 0x09, i == 2 ? 0x09 : 0);
		check_tcp_sums(got, (size_t)n);
		assert_memory_equal(got + 54, f + 54 + i * mss, seg);
	}
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	assert_int_equal(rd(&c, TPT), 3);
	nic_free(&c);
}

static void test_vlan_insert(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[200], got[256];

	(void)state;
	tx_setup(&c, 8);
	wr(&c, VET, 0x8100);
	wr(&c, CTRL, rd(&c, CTRL) | 0x40000000u);
	make_frame(f, (const uint8_t[6]){ 0x02, 1, 2, 3, 4, 5 }, 120, 3);
	memcpy(ram(&c) + TX_BUF, f, 120);
	tx_desc(&c, 0, TX_BUF, 120 | 0x49000000u, 0x0123u << 16);
	wr(&c, TDT, 1);
	assert_int_equal(take(&c, got, sizeof(got)), 124);
	assert_memory_equal(got, f, 12);
	assert_int_equal(be16(got + 12), 0x8100);
	assert_int_equal(be16(got + 14), 0x0123);
	assert_memory_equal(got + 16, f + 12, 108);
	nic_free(&c);
}

/* ---------------------------------------------------------------- receive */

static void rx_setup(struct nic_ctx *c, unsigned int descs, uint32_t rctl)
{
	memset(ram(c) + RX_RING, 0, 16 * descs);
	for (unsigned int i = 0; i < descs; i++)
		put64(ram(c) + RX_RING + 16 * i, RX_BUF + 0x800 * i);
	wr(c, RDBAL, RX_RING);
	wr(c, RDBAH, 0);
	wr(c, RDLEN, 16 * descs);
	wr(c, RDH, 0);
	wr(c, RDT, descs - 1);
	wr(c, RCTL, rctl);
	/* QEMU takes nothing for a second after an RCTL write. */
	assert_false(e1000_can_receive(&c->t->m.e1000[0]));
	tm_advance(c->t, 1000000001ull);
	assert_true(e1000_can_receive(&c->t->m.e1000[0]));
}

static const uint8_t *rx_desc(struct nic_ctx *c, unsigned int i)
{
	return ram(c) + RX_RING + 16 * i;
}

static void test_receive(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[1600];

	(void)state;
	wr(&c, IMS, 0x80);
	rx_setup(&c, 8, 0x2 | 0x8000); /* EN, BAM */
	make_frame(f, nic_mac, 300, 1);
	deliver(&c, f, 300);
	assert_int_equal(get16(rx_desc(&c, 0) + 8), 304); /* with the FCS's 4 bytes */
	assert_int_equal(rx_desc(&c, 0)[12], 0x07);         /* DD EOP IXSM */
	assert_memory_equal(ram(&c) + RX_BUF, f, 300);
	assert_int_equal(rd(&c, RDH), 1);
	assert_true(inta(&c));
	assert_int_equal(rd(&c, ICR) & 0x80, 0x80);
	assert_int_equal(rd(&c, GPRC), 1);
	/* Another unicast address is filtered; promiscuous takes it. */
	make_frame(f, (const uint8_t[6]){ 0x02, 9, 9, 9, 9, 9 }, 100, 2);
	deliver(&c, f, 100);
	assert_int_equal(rd(&c, RDH), 1);
	/* Broadcast with BAM; a runt padded to 60. */
	make_frame(f, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 42, 3);
	deliver(&c, f, 42);
	assert_int_equal(get16(rx_desc(&c, 1) + 8), 64);
	assert_int_equal(ram(&c)[RX_BUF + 0x800 + 50], 0);
	/* Multicast through the MTA hash (MO=0: bits 47:36). */
	{
		static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
		unsigned int h = ((unsigned int)(mc[5] << 8 | mc[4]) >> 4) & 0xfff;

		make_frame(f, mc, 80, 4);
		deliver(&c, f, 80);
		assert_int_equal(rd(&c, RDH), 2);
		wr(&c, MTA + 4 * (h >> 5), 1u << (h & 31));
		deliver(&c, f, 80);
		assert_int_equal(rd(&c, RDH), 3);
	}
	/* Ring full (RDH == RDT): the NIC takes nothing and the frame waits in the backend. */
	wr(&c, RDT, 3);
	assert_false(e1000_can_receive(&c.t->m.e1000[0]));
	make_frame(f, nic_mac, 200, 5);
	deliver(&c, f, 200);
	assert_int_equal(rd(&c, RDH), 3);
	/* The driver hands back buffers: the waiting frame comes in. */
	wr(&c, RDT, 1);
	netdev_poll_input(&c.t->m.netdev[0]);
	assert_int_equal(rd(&c, RDH), 4);
	assert_memory_equal(ram(&c) + RX_BUF + 3 * 0x800, f, 200);
	nic_free(&c);
}

static void test_receive_spans_descriptors(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[1600];

	(void)state;
	rx_setup(&c, 8, 0x2 | 0x30000); /* 256-byte buffers */
	make_frame(f, nic_mac, 600, 6);
	deliver(&c, f, 600);
	assert_int_equal(rd(&c, RDH), 3);
	assert_int_equal(get16(rx_desc(&c, 0) + 8), 256);
	assert_int_equal(rx_desc(&c, 0)[12], 0x01);
	assert_int_equal(get16(rx_desc(&c, 2) + 8), 604 - 512);
	assert_int_equal(rx_desc(&c, 2)[12], 0x07);
	assert_memory_equal(ram(&c) + RX_BUF, f, 256);
	assert_memory_equal(ram(&c) + RX_BUF + 0x800, f + 256, 256);
	assert_memory_equal(ram(&c) + RX_BUF + 0x1000, f + 512, 88);
	/* Too long without LPE: dropped. */
	{
		static uint8_t big[3000];

		make_frame(big, nic_mac, 2000, 7);
		deliver(&c, big, 2000);
		assert_int_equal(rd(&c, RDH), 3);
	}
	/* Not enough buffers for a frame: an overrun (RXO, RNBC, MPC), nothing written. */
	wr(&c, RDT, 4);
	wr(&c, IMS, 0x40);
	deliver(&c, f, 600);
	assert_int_equal(rd(&c, RDH), 3);
	assert_int_equal(rd(&c, ICR) & 0x40, 0x40);
	assert_int_equal(rd(&c, RNBC), 1);
	assert_int_equal(rd(&c, MPC), 1);
	nic_free(&c);
}

static void test_vlan_strip(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[300];

	(void)state;
	wr(&c, VET, 0x8100);
	wr(&c, CTRL, rd(&c, CTRL) | 0x40000000u);
	rx_setup(&c, 8, 0x2);
	make_frame(f, nic_mac, 200, 8);
	memmove(f + 16, f + 12, 184);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x20;
	f[15] = 0x05;
	deliver(&c, f, 200);
	assert_int_equal(get16(rx_desc(&c, 0) + 8), 200);
	assert_int_equal(rx_desc(&c, 0)[12], 0x0f); /* DD EOP IXSM VP */
	assert_int_equal(get16(rx_desc(&c, 0) + 14), 0x2005);
	assert_memory_equal(ram(&c) + RX_BUF, f, 12);
	assert_memory_equal(ram(&c) + RX_BUF + 12, f + 16, 184);
	/* The VLAN filter, when on, wants the VID's VFTA bit. */
	wr(&c, RCTL, 0x2 | 0x40000);
	tm_advance(c.t, 1000000001ull);
	deliver(&c, f, 200);
	assert_int_equal(rd(&c, RDH), 1);
	wr(&c, 0x5600 + 4 * (5 >> 5), 1u << 5);
	deliver(&c, f, 200);
	assert_int_equal(rd(&c, RDH), 2);
	nic_free(&c);
}

static void test_loopback(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[200], got[256];

	(void)state;
	rx_setup(&c, 8, 0x2);
	tx_setup(&c, 8);
	mdic(&c, 0x04000000u | 1u << 21 | 0x4140); /* BMCR loopback */
	make_frame(f, nic_mac, 150, 9);
	memcpy(ram(&c) + TX_BUF, f, 150);
	tx_desc(&c, 0, TX_BUF, 150 | 0x09000000u, 0);
	wr(&c, TDT, 1);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	assert_int_equal(rd(&c, RDH), 1);
	assert_memory_equal(ram(&c) + RX_BUF, f, 150);
	nic_free(&c);
}

/* ---------------------------------------------------------------- hostile guests */

static void test_hostile_rings(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t got[70000];

	(void)state;
	/* Every descriptor chains without EOP around a ring whose TDT the walk never reaches. */
	tx_setup(&c, 8);
	for (unsigned int i = 0; i < 8; i++)
		tx_desc(&c, i, TX_BUF, 0xffff | 0x20100000u, 0);
	wr(&c, TDH, 3);
	wr(&c, TDT, 3 + 8 * 16); /* beyond the ring */
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	/* A head beyond the ring: one step, then stop. */
	wr(&c, TDH, 100);
	wr(&c, TDT, 2);
	/* Buffers outside guest RAM, rings outside guest RAM: nothing read or written. */
	wr(&c, TDBAL, 0xfff00000u);
	wr(&c, TDBAH, 0x12345);
	wr(&c, TDH, 0);
	wr(&c, TDT, 5);
	tx_setup(&c, 8);
	tx_desc(&c, 0, 0x7fffffffffff0000ull, 5000 | 0x09000000u, 0);
	wr(&c, TDT, 1);
	(void)take(&c, got, sizeof(got));
	/* TSO with the largest header and MSS, and offsets beyond the packet. */
	tx_setup(&c, 8);
	{
		uint8_t *d = ram(&c) + TX_RING;

		memset(d, 0xff, 16);
		put32(d + 8, 0xfffff | 0x20000000u | 0x07000000u);
		tx_desc(&c, 1, TX_BUF, 0xffff | 0x20100000u | 0x04000000u | 0x09000000u, 0xffu << 8);
		tx_desc(&c, 2, TX_BUF, 40 | 0x20100000u | 0x09000000u, 0x3u << 8);
		wr(&c, TDT, 3);
		while (take(&c, got, sizeof(got)) > 0)
			;
	}
	/* The receive side: a ring of zero length, RDH beyond it, null buffer addresses. */
	{
		uint8_t f[100];

		rx_setup(&c, 8, 0x2);
		memset(ram(&c) + RX_RING, 0, 64);
		make_frame(f, nic_mac, 100, 1);
		deliver(&c, f, 100);
		assert_int_equal(rx_desc(&c, 0)[12] & 1, 1); /* skipped, marked done */
		wr(&c, RDLEN, 0);
		wr(&c, RDH, 7);
		wr(&c, RDT, 9);
		deliver(&c, f, 100);
	}
	nic_free(&c);
}

static void test_unplug(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[128];

	(void)state;
	assert_true(c.t->acc.pci_function[NIC]);
	outp(c.t, 0x10, 2, 0x0002);
	assert_int_equal(cfg_rd(c.t, NIC, 0x00, 4), 0xffffffff);
	assert_false(c.t->acc.pci_function[NIC]);
	make_frame(f, nic_mac, 100, 1);
	assert_int_equal(send(c.peer, f, 100, MSG_NOSIGNAL), -1);
	machine_reset(&c.t->m);
	assert_int_equal(cfg_rd(c.t, NIC, 0x00, 4), 0xffffffff);
	nic_free(&c);
}

/* ---------------------------------------------------------------- saved state */

static void save(struct nic_ctx *c, struct wbuf *w)
{
	char err[256];

	wbuf_init(w, STREAM_MAX_SIZE);
	if (snapshot_save(&c->t->m, w, err, sizeof(err)))
		fail_msg("save: %s", err);
}

static void test_state_roundtrip(void **state)
{
	struct nic_ctx a = nic_new(), b = nic_new();
	struct load_report rep;
	struct wbuf wa, wb;
	uint8_t f[600], got[2048];
	char err[256];

	(void)state;
	rx_setup(&a, 8, 0x2);
	tx_setup(&a, 8);
	make_frame(f, nic_mac, 300, 1);
	deliver(&a, f, 300);
	wr(&a, ITR, 1000);
	wr(&a, IMS, 0x80);
	wr(&a, ICS, 0x80);
	(void)eecd_read(&a, 2);
	mdic(&a, 0x04000000u | 1u << 21 | 0x1340); /* autonegotiation in progress */
	/* A packet half taken: its first descriptor without EOP. */
	memcpy(ram(&a) + TX_BUF, f, 300);
	tx_desc(&a, 0, TX_BUF, 100, 0);
	wr(&a, TDT, 1);
	save(&a, &wa);
	memcpy(b.t->acc.guest_ram, a.t->acc.guest_ram, sizeof(a.t->acc.guest_ram));
	if (snapshot_load(&b.t->m, wa.data, wa.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	save(&b, &wb);
	assert_int_equal(wa.len, wb.len);
	assert_memory_equal(wa.data, wb.data, wa.len);
	/* It goes on: the link comes back on time, the rest of the half packet is dropped, the next goes. */
	assert_int_equal(rd(&b, STATUS) & 2, 0);
	tm_advance(b.t, 600000000ull);
	assert_int_equal(rd(&b, STATUS) & 2, 2);
	tx_desc(&b, 1, TX_BUF + 100, 200 | 0x01000000u, 0);
	tx_desc(&b, 2, TX_BUF, 300 | 0x01000000u, 0);
	wr(&b, TDT, 3);
	assert_int_equal(take(&b, got, sizeof(got)), 300);
	assert_memory_equal(got, f, 300);
	assert_int_equal(take(&b, got, sizeof(got)), -1);
	make_frame(f, nic_mac, 200, 2);
	deliver(&b, f, 200);
	assert_int_equal(rd(&b, RDH), 2);
	wbuf_free(&wa);
	wbuf_free(&wb);
	nic_free(&a);
	nic_free(&b);
}

static void test_state_unplugged(void **state)
{
	struct nic_ctx a = nic_new(), b = nic_new();
	struct load_report rep;
	struct wbuf w;
	char err[256];

	(void)state;
	outp(a.t, 0x10, 2, 0x0002);
	save(&a, &w);
	if (snapshot_load(&b.t->m, w.data, w.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	assert_false(b.t->acc.pci_function[NIC]);
	wbuf_free(&w);
	nic_free(&a);
	nic_free(&b);
}

static int decode_payload(struct nic_ctx *c, struct machine_state *st, uint32_t version, uint32_t flags,
			  const uint8_t *p, size_t len, char *err, size_t errlen)
{
	const struct record_kind *k = record_kind_find("e1000");
	struct stream_record rec = { .version = version, .flags = flags };
	struct decode_ctx ctx = { .st = st, .m = &c->t->m, .rec = &rec, .slot = 0, .err = err, .errlen = errlen };
	struct load_report rep;
	struct rbuf r;

	memset(&rep, 0, sizeof(rep));
	ctx.rep = &rep;
	strcpy(rec.idstr, "e1000");
	rbuf_init(&r, p, len);
	return record_version_find(k, version)->decode(&r, &ctx);
}

static uint32_t st_reg(const struct machine_state *st, uint32_t off)
{
	return st->e1000[0].r.mac[e1000_reg_index(off)];
}

/* QEMU 7.2's e1000 v2 section from a guest that ran SeaBIOS and iPXE on it (tests/streams/qemu-7.2-tcg/). */
static void test_upstream_v2_sample(void **state)
{
	struct nic_ctx c = nic_new();
	struct machine_state *st = calloc(1, sizeof(*st));
	size_t len, plen;
	uint8_t *b = tm_read_file("tests/streams/qemu-7.2-tcg/qemu-7.2-wave2-cirrus-rtl8139-e1000-tablet.bin", &len);
	const uint8_t *p = memmem(b, len, "0000:00:04.0/e1000", 18);
	uint16_t sum = 0;
	char err[256];

	(void)state;
	assert_non_null(p);
	p += 18 + 8; /* the name, be32 instance, be32 version */
	assert_int_equal(p[-1], 2);
	/*
	 * The body (67,608 bytes with the PCI part), then the three
	 * subsections: 38 + 131,098 + 41 bytes.
	 */
	plen = 67608;
	assert_int_equal(p[plen], 0x05); /* QEMU_VM_SUBSECTION */
	machine_save_state(&c.t->m, st);
	if (decode_payload(&c, st, 2, RECORD_UPSTREAM, p, plen + 38 + 131098 + 41, err, sizeof(err)))
		fail_msg("%s", err);
	/* One byte less is refused, naming the byte. */
	assert_int_not_equal(decode_payload(&c, st, 2, RECORD_UPSTREAM, p, plen + 38 + 131098 + 40, err,
					    sizeof(err)), 0);
	assert_non_null(strstr(err, "byte"));
	machine_save_state(&c.t->m, st);
	assert_int_equal(decode_payload(&c, st, 2, RECORD_UPSTREAM, p, plen + 38 + 131098 + 41, err, sizeof(err)), 0);
	assert_int_equal(pci_get_long(st->e1000[0].pci.config), 0x100e8086);
	for (unsigned int i = 0; i < 64; i++)
		sum = (uint16_t)(sum + st->e1000[0].r.eeprom[i]);
	assert_int_equal(sum, 0xbaba);
	assert_int_equal(st->e1000[0].r.phy[2], 0x0141);
	assert_int_equal(st->e1000[0].r.phy[3], 0x0c20);
	assert_int_equal(st_reg(st, RA + 4) & 0x80000000u, 0x80000000u);
	assert_true(st->e1000[0].foreign);
	assert_true(st->e1000[0].r.mit_timer_on);
	free(b);
	free(st);
	nic_free(&c);
}

/*
 * The traditional layout as hvmdm writes it (xenfv-trad): the section
 * numbered 0 in creation order, loaded back whole through the ordinal
 * instance; the body decodes as version 2 and, with the old instance id,
 * as version 1.
 */
static void test_trad_layout(void **state)
{
	struct nic_ctx c = nic_new_profile(PROFILE_XENFV_TRAD), d = nic_new_profile(PROFILE_XENFV_TRAD);
	struct machine_state *st = calloc(1, sizeof(*st)), *st2 = calloc(1, sizeof(*st2));
	const struct record_kind *k = record_kind_find("e1000");
	struct load_report rep;
	struct trad_peek pk;
	struct wbuf w;
	uint8_t *v1;
	char err[256];

	(void)state;
	assert_int_equal(c.devfn, PCI_DEVFN(2, 0)); /* the traditional machine's free VGA slot */
	rx_setup(&c, 8, 0x2 | 0x8000);
	wr(&c, MTA + 8, 0x55aa);
	machine_save_state(&c.t->m, st);
	wbuf_init(&w, STREAM_MAX_SIZE);
	if (qevm_write_trad(&c.t->m, st, &w, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	/* Whole, into another traditional machine. */
	if (snapshot_load(&d.t->m, w.data, w.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	assert_int_equal(rd(&d, RCTL), 0x8002);
	assert_int_equal(rd(&d, MTA + 8), 0x55aa);
	{
		const uint8_t *p = memmem(w.data, w.len, "\x05" "e1000", 6);
		size_t body;

		assert_non_null(p);
		p += 6 + 8; /* instance 0, version 2 */
		assert_int_equal(p[-1], 2);
		assert_int_equal(p[-5], 0);
		pk = (struct trad_peek){ .p = p, .left = w.len - (size_t)(p - w.data) };
		body = (size_t)k->trad.size(&pk, 2, NULL, NULL);
		assert_int_equal(body, 276 + 67332);
		if (decode_payload(&c, st2, 2, 0, p, body, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(st_reg(st2, RCTL), 0x8002);
		assert_int_equal(st_reg(st2, MTA + 8), 0x55aa);
		assert_int_equal(st_reg(st2, RDLEN), 128);
		assert_memory_equal(st2->e1000[0].r.eeprom, st->e1000[0].r.eeprom, 128);
		/* One byte short: refused, naming the byte. */
		assert_int_not_equal(decode_payload(&c, st2, 2, 0, p, body - 1, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "byte"));
		/* Version 1: four more bytes after the PCI part. */
		v1 = malloc(body + 4);
		memcpy(v1, p, 276);
		memset(v1 + 276, 0, 4);
		memcpy(v1 + 280, p + 276, body - 276);
		if (decode_payload(&c, st2, 1, 0, v1, body + 4, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(st_reg(st2, RCTL), 0x8002);
		free(v1);
	}
	wbuf_free(&w);
	free(st);
	free(st2);
	nic_free(&c);
	nic_free(&d);
}

/*
 * Both models in one machine, in argv order on the free slots (xenfv: 03.0
 * the rtl8139, 04.0 the e1000), each with its record; a save loads into a
 * fresh machine and saves the same bytes; the PV drivers' unplug removes both.
 */
static void test_mixed_nics(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128, .nr_nics = 2 };
	struct tm_ctx *t[2];
	struct load_report rep;
	struct wbuf w[2];
	char err[256];

	(void)state;
	for (int i = 0; i < 2; i++) {
		cfg.nic[i] = (struct machine_nic){ .model = i ? NIC_E1000 : NIC_RTL8139, .romfile = "",
						   .netdev = { .kind = NETDEV_NONE, .fd = -1 } };
		memcpy(cfg.nic[i].mac, nic_mac, 6);
		cfg.nic[i].mac[5] = (uint8_t)(0x10 + i);
		snprintf(cfg.nic[i].id, sizeof(cfg.nic[i].id), "nic%d", i);
	}
	for (int i = 0; i < 2; i++)
		t[i] = tm_new_cfg(&cfg);
	assert_int_equal(t[0]->m.nr_rtl8139, 1);
	assert_int_equal(t[0]->m.nr_e1000, 1);
	assert_int_equal(cfg_rd(t[0], PCI_DEVFN(3, 0), 0, 4), 0x813910ec);
	assert_int_equal(cfg_rd(t[0], PCI_DEVFN(4, 0), 0, 4), 0x100e8086);
	/* Something of the guest's in each: the e1000's IMS, the rtl8139's MAR. */
	cfg_wr(t[0], PCI_DEVFN(4, 0), 0x10, 4, BAR);
	cfg_wr(t[0], PCI_DEVFN(4, 0), 0x04, 2, PCI_COMMAND_MEMORY);
	io_space_write(&t[0]->m.mmio, BAR + IMS, 4, 0x9d);
	cfg_wr(t[0], PCI_DEVFN(3, 0), 0x10, 4, IOB);
	cfg_wr(t[0], PCI_DEVFN(3, 0), 0x04, 2, PCI_COMMAND_IO);
	outp(t[0], IOB + 0x08, 1, 0x5a);
	for (int i = 0; i < 2; i++) {
		wbuf_init(&w[i], STREAM_MAX_SIZE);
		if (i && snapshot_load(&t[1]->m, w[0].data, w[0].len, &rep, err, sizeof(err)))
			fail_msg("load: %s", err);
		if (snapshot_save(&t[i]->m, &w[i], err, sizeof(err)))
			fail_msg("save: %s", err);
	}
	assert_int_equal(w[0].len, w[1].len);
	assert_memory_equal(w[0].data, w[1].data, w[0].len);
	assert_int_equal(io_space_read(&t[1]->m.mmio, BAR + IMS, 4), 0x9d);
	assert_int_equal(inp(t[1], IOB + 0x08, 1), 0x5a);
	/* The PV drivers' unplug removes both. */
	outp(t[1], 0x10, 2, 0x0002);
	assert_int_equal(cfg_rd(t[1], PCI_DEVFN(3, 0), 0, 4), 0xffffffff);
	assert_int_equal(cfg_rd(t[1], PCI_DEVFN(4, 0), 0, 4), 0xffffffff);
	for (int i = 0; i < 2; i++) {
		wbuf_free(&w[i]);
		tm_free(t[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_eeprom),
		cmocka_unit_test(test_phy_autoneg),
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_legacy_transmit),
		cmocka_unit_test(test_checksum_offload),
		cmocka_unit_test(test_tso),
		cmocka_unit_test(test_vlan_insert),
		cmocka_unit_test(test_receive),
		cmocka_unit_test(test_receive_spans_descriptors),
		cmocka_unit_test(test_vlan_strip),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_hostile_rings),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_unplugged),
		cmocka_unit_test(test_upstream_v2_sample),
		cmocka_unit_test(test_trad_layout),
		cmocka_unit_test(test_mixed_nics),
	};

	tm_quiet();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
