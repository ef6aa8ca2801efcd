// SPDX-License-Identifier: GPL-2.0-only
/*
 * RTL8139C+ through the guest's ports: PCI identity, the EEPROM as Linux's
 * 8139cp bit-bangs it, C mode transmit and the receive ring (filter, wrap,
 * back-pressure), C+ descriptor rings with gather, checksum offload, large
 * send and VLAN, the PCI timer, hostile descriptors, PV unplug; and the
 * socket backend's framing. Frames go through a socketpair the test holds.
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
#define IOB 0xc200
#define MMIO_BAR 0xf0000000u

static const uint8_t nic_mac[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };
static const char *nic_rom = "";

struct nic_ctx {
	struct tm_ctx *t;
	int peer; /* the test's end of the socketpair */
};

static struct nic_ctx nic_new_type(int type)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128 };
	struct nic_ctx c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, type, 0, sv), 0);
	cfg.nr_nics = 1;
	cfg.nic[0].model = NIC_RTL8139;
	snprintf(cfg.nic[0].id, sizeof(cfg.nic[0].id), "nic0");
	memcpy(cfg.nic[0].mac, nic_mac, 6);
	cfg.nic[0].netdev = (struct netdev_config){ .id = "net0", .kind = NETDEV_SOCKET, .fd = sv[0] };
	cfg.nic[0].romfile = nic_rom; /* "": none; the ROM test names its own */
	c.t = tm_new_cfg(&cfg);
	c.peer = sv[1];
	assert_int_equal(fcntl(c.peer, F_SETFL, O_NONBLOCK), 0);
	/* As the firmware leaves it: I/O BAR, memory BAR, decoding and bus mastering on. */
	cfg_wr(c.t, NIC, 0x10, 4, IOB);
	cfg_wr(c.t, NIC, 0x14, 4, MMIO_BAR);
	cfg_wr(c.t, NIC, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return c;
}

static struct nic_ctx nic_new(void)
{
	return nic_new_type(SOCK_SEQPACKET);
}

static void nic_free(struct nic_ctx *c)
{
	tm_free(c->t);
	close(c->peer);
}

static uint32_t rd(struct nic_ctx *c, unsigned int off, unsigned int size)
{
	return (uint32_t)inp(c->t, IOB + off, size);
}

static void wr(struct nic_ctx *c, unsigned int off, unsigned int size, uint32_t v)
{
	outp(c->t, IOB + off, size, v);
}

static uint8_t *ram(struct nic_ctx *c)
{
	return c->t->acc.guest_ram;
}

static bool inta(struct nic_ctx *c)
{
	return c->t->acc.intx[3][0];
}

/* A frame to `dst` of len bytes with a recognisable payload. */
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

/* Hand a frame to the NIC through the socket and the backend's input path. */
static void deliver(struct nic_ctx *c, const uint8_t *f, size_t len)
{
	assert_int_equal(send(c->peer, f, len, 0), (ssize_t)len);
	netdev_poll_input(&c->t->m.netdev[0]);
}

static ssize_t take(struct nic_ctx *c, uint8_t *buf, size_t cap)
{
	return recv(c->peer, buf, cap, 0);
}

static uint32_t nic_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void nic_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t fcs(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320u : 0);
	}
	return ~crc;
}

/* ---------------------------------------------------------------- identity and EEPROM */

static void test_identity(void **state)
{
	struct nic_ctx c = nic_new();

	(void)state;
	assert_int_equal(cfg_rd(c.t, NIC, 0x00, 4), 0x813910ec);
	assert_int_equal(cfg_rd(c.t, NIC, 0x08, 4), 0x02000020); /* class 0x020000, rev 0x20: C+ */
	assert_int_equal(cfg_rd(c.t, NIC, 0x2c, 4), 0x11001af4);
	assert_int_equal(cfg_rd(c.t, NIC, 0x3d, 1), 1);
	/* BAR sizes: 256 bytes of I/O, 256 bytes of memory. */
	cfg_wr(c.t, NIC, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(c.t, NIC, 0x10, 4), 0xffffff01);
	cfg_wr(c.t, NIC, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_rd(c.t, NIC, 0x14, 4), 0xffffff00);
	cfg_wr(c.t, NIC, 0x10, 4, IOB);
	cfg_wr(c.t, NIC, 0x14, 4, MMIO_BAR);
	/* The MAC at IDR0-5, the chip version in TxConfig, the link up at 100 Mbit/s. */
	for (int i = 0; i < 6; i++)
		assert_int_equal(rd(&c, (unsigned int)i, 1), nic_mac[i]);
	assert_int_equal(rd(&c, 0x40, 4) & 0x7cc00000, 0x74800000);
	assert_int_equal(rd(&c, 0x5e, 1), 0x20);
	assert_int_equal(rd(&c, 0x58, 1) & 0x0c, 0); /* LINKB clear, not 10 Mbit/s */
	assert_int_equal(rd(&c, 0x64, 2) & 0x0004, 0x0004);
	assert_int_equal(rd(&c, 0x37, 1) & 1, 1); /* BufE: empty ring */
	/* The same register file through the memory BAR. */
	assert_int_equal(io_space_read(&c.t->m.mmio, MMIO_BAR + 2, 1), nic_mac[2]);
	io_space_write(&c.t->m.mmio, MMIO_BAR + 0x3c, 2, 0x0005);
	assert_int_equal(rd(&c, 0x3c, 2), 0x0005);
	nic_free(&c);
}

/* Linux 8139cp's read_eeprom: chip select, start + opcode + address bits on SK edges, 16 data bits. */
static uint16_t eeprom_read(struct nic_ctx *c, unsigned int location, unsigned int addr_len)
{
	const uint8_t enb = 0x80 | 0x08, sk = 0x04, di = 0x02;
	unsigned int cmd = location | (6u << addr_len);
	uint16_t v = 0;

	wr(c, 0x50, 1, enb & ~0x08);
	wr(c, 0x50, 1, enb);
	for (int i = (int)(3 + addr_len) - 1; i >= 0; i--) {
		uint8_t d = (cmd >> i) & 1 ? di : 0;

		wr(c, 0x50, 1, enb | d);
		wr(c, 0x50, 1, enb | d | sk);
	}
	wr(c, 0x50, 1, enb);
	for (int i = 16; i > 0; i--) {
		wr(c, 0x50, 1, enb | sk);
		v = (uint16_t)(v << 1 | (rd(c, 0x50, 1) & 1));
		wr(c, 0x50, 1, enb);
	}
	wr(c, 0x50, 1, 0x80);
	wr(c, 0x50, 1, 0x00);
	return v;
}

static void test_eeprom(void **state)
{
	struct nic_ctx c = nic_new();

	(void)state;
	/* The 93C56 probe (8 address bits) misses; 6 bits find the 93C46's signature. */
	assert_int_not_equal(eeprom_read(&c, 0, 8), 0x8129);
	assert_int_equal(eeprom_read(&c, 0, 6), 0x8129);
	assert_int_equal(eeprom_read(&c, 1, 6), 0x10ec);
	assert_int_equal(eeprom_read(&c, 2, 6), 0x8139);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(eeprom_read(&c, 7 + i, 6), nic_mac[2 * i] | nic_mac[2 * i + 1] << 8);
	/* Normal mode hides the EEPROM's output; config mode unlocks Config1 and locks it again. */
	assert_int_equal(rd(&c, 0x50, 1), 0);
	wr(&c, 0x52, 1, 0xff);
	assert_int_equal(rd(&c, 0x52, 1), 0x0c);
	wr(&c, 0x50, 1, 0xc0);
	wr(&c, 0x52, 1, 0x21 | 0x0c);
	assert_int_equal(rd(&c, 0x52, 1), 0x2d);
	wr(&c, 0x50, 1, 0x00);
	/* Auto-load resets the chip: the MAC the guest changed comes back. */
	wr(&c, 0x00, 1, 0xaa);
	wr(&c, 0x50, 1, 0x40);
	assert_int_equal(rd(&c, 0x00, 1), nic_mac[0]);
	assert_int_equal(rd(&c, 0x50, 1), 0);
	nic_free(&c);
}

/* ---------------------------------------------------------------- C mode */

static void test_c_transmit(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[1600], got[2048];
	static const uint8_t dst[6] = { 0x02, 1, 2, 3, 4, 5 };

	(void)state;
	wr(&c, 0x3c, 2, 0x0005); /* TOK | ROK */
	/* With the transmitter off nothing leaves. */
	make_frame(ram(&c) + 0x10000, dst, 100, 1);
	wr(&c, 0x20, 4, 0x10000);
	wr(&c, 0x10, 4, 100);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	assert_int_equal(rd(&c, 0x10, 4) & 0x2000, 0);
	/* TE on: the slot the driver handed over goes out; TSD then shows OWN and TOK. */
	wr(&c, 0x37, 1, 0x04);
	wr(&c, 0x40, 4, 0x03000600);
	wr(&c, 0x10, 4, 100);
	assert_int_equal(take(&c, got, sizeof(got)), 100);
	make_frame(f, dst, 100, 1);
	assert_memory_equal(got, f, 100);
	assert_int_equal(rd(&c, 0x10, 4), 0xa000 | 100);
	assert_int_equal(rd(&c, 0x3e, 2), 0x0004);
	assert_true(inta(&c));
	/* The TSAD summary: slot 0 OK and owned, the others owned. */
	assert_int_equal(rd(&c, 0x60, 2), 0x100f);
	/* Write-1-to-clear drops the line. */
	wr(&c, 0x3e, 2, 0x0004);
	assert_int_equal(rd(&c, 0x3e, 2), 0);
	assert_false(inta(&c));
	/* Slots go in order: the next is slot 1, whatever TSD the driver writes. */
	make_frame(ram(&c) + 0x11000, dst, 1514, 2);
	wr(&c, 0x24, 4, 0x11000);
	wr(&c, 0x14, 4, 1514 | (8u << 16));
	assert_int_equal(take(&c, got, sizeof(got)), 1514);
	make_frame(f, dst, 1514, 2);
	assert_memory_equal(got, f, 1514);
	/* A buffer outside guest RAM aborts that slot (TABT, TER) and sends nothing. */
	wr(&c, 0x28, 4, 0x7ffff000);
	wr(&c, 0x18, 4, 200);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	assert_int_equal(rd(&c, 0x18, 4) & 0x40002000, 0x40002000);
	assert_int_equal(rd(&c, 0x3e, 2) & 0x0008, 0x0008);
	/* Bus mastering off: the same. */
	cfg_wr(c.t, NIC, 0x04, 2, PCI_COMMAND_IO);
	wr(&c, 0x2c, 4, 0x10000);
	wr(&c, 0x1c, 4, 100);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	nic_free(&c);
}

#define RXBUF 0x40000

static void rx_setup(struct nic_ctx *c, uint32_t rcr)
{
	wr(c, 0x30, 4, RXBUF);
	wr(c, 0x37, 1, 0x0c);
	wr(c, 0x44, 4, rcr);
	wr(c, 0x3c, 2, 0x0001);
}

/* The record at ring offset `off`: header, frame, CRC. Returns the next record's offset. */
static uint32_t check_record(struct nic_ctx *c, uint32_t off, const uint8_t *f, size_t len,
			     uint16_t status)
{
	const uint8_t *r = ram(c) + RXBUF + off;

	assert_int_equal(nic_le32(r) & 0xffff, status | 1);
	assert_int_equal(nic_le32(r) >> 16, len + 4);
	assert_memory_equal(r + 4, f, len);
	assert_int_equal(nic_le32(r + 4 + len), fcs(f, len));
	return (uint32_t)((off + 4 + len + 4 + 3) & ~3u);
}

static void test_c_receive(void **state)
{
	struct nic_ctx c = nic_new();
	static const uint8_t other[6] = { 0x02, 9, 9, 9, 9, 9 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	uint8_t f[2048];
	uint32_t off = 0;

	(void)state;
	/* Off: a frame is dropped, not kept for later. */
	make_frame(f, nic_mac, 200, 3);
	deliver(&c, f, 200);
	assert_int_equal(rd(&c, 0x3a, 2), 0);
	assert_int_equal(recv(c.t->m.netdev[0].fd, f, sizeof(f), MSG_DONTWAIT | MSG_PEEK), -1);
	/* Own address (APM) only. */
	rx_setup(&c, 0x02 | 0x80);
	make_frame(f, nic_mac, 200, 4);
	deliver(&c, f, 200);
	off = check_record(&c, off, f, 200, 0x4000);
	assert_int_equal(rd(&c, 0x3a, 2), off);
	assert_int_equal(rd(&c, 0x37, 1) & 1, 0);
	assert_true(inta(&c));
	/* Another station, broadcast and multicast are filtered out. */
	make_frame(f, other, 100, 5);
	deliver(&c, f, 100);
	make_frame(f, bcast, 100, 5);
	deliver(&c, f, 100);
	make_frame(f, mcast, 100, 5);
	deliver(&c, f, 100);
	assert_int_equal(rd(&c, 0x3a, 2), off);
	/*
	 * With AB and AM and the hash bit of 01:00:5e:00:00:fb: ether_crc 0x3f7b3b21
	 * (the bit-reversed complement of zlib's crc32), index 15, MAR1 bit 7.
	 */
	wr(&c, 0x08, 4, 0x00008000);
	wr(&c, 0x0c, 4, 0);
	wr(&c, 0x44, 4, 0x02 | 0x04 | 0x08 | 0x80);
	off = 0; /* an RxConfig write starts the ring over */
	make_frame(f, bcast, 100, 6);
	deliver(&c, f, 100);
	off = check_record(&c, off, f, 100, 0x2000);
	make_frame(f, mcast, 100, 7);
	deliver(&c, f, 100);
	off = check_record(&c, off, f, 100, 0x8000);
	/* Runts arrive padded to 60 bytes. */
	make_frame(f, nic_mac, 42, 8);
	memset(f + 42, 0, 18);
	deliver(&c, f, 42);
	off = check_record(&c, off, f, 60, 0x4000);
	/* The driver reads them and says so through CAPR (offset by 16): the ring is empty again. */
	wr(&c, 0x38, 2, (off - 16) & 0xffff);
	assert_int_equal(rd(&c, 0x38, 2), (off - 16) & 0xffff);
	assert_int_equal(rd(&c, 0x37, 1) & 1, 1);
	/* Promiscuous takes anyone's frame. */
	wr(&c, 0x44, 4, 0x01);
	make_frame(f, other, 64, 9);
	deliver(&c, f, 64);
	check_record(&c, 0, f, 64, 0);
	nic_free(&c);
}

/* The 8 KiB ring without WRAP: a record crossing the end continues at the start; a full ring waits. */
static void test_c_ring_wrap_and_backpressure(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[2048], rec[2048];
	uint32_t addr = 0, n = 0;

	(void)state;
	rx_setup(&c, 0x02);
	/* 1200-byte frames (1208-byte records): the ring fills before the reader moves. */
	while (rtl8139_can_receive(&c.t->m.rtl8139[0])) {
		make_frame(f, nic_mac, 1200, (uint8_t)n);
		deliver(&c, f, 1200);
		n++;
		assert_true(n < 20);
	}
	/* Six fit; after them less than a full-size frame's room is left. */
	assert_int_equal(n, 6);
	assert_int_equal(rd(&c, 0x3a, 2), 6 * 1208);
	/* A frame that arrives anyway waits in the socket, not lost. */
	make_frame(f, nic_mac, 1200, 7);
	assert_int_equal(send(c.peer, f, 1200, 0), 1200);
	netdev_poll_input(&c.t->m.netdev[0]);
	assert_int_equal(rd(&c, 0x3a, 2), 6 * 1208);
	/* The reader consumes four records; the waiting frame goes in, across the ring's end. */
	wr(&c, 0x38, 2, 4 * 1208 - 16);
	netdev_poll_input(&c.t->m.netdev[0]);
	addr = 6 * 1208;
	assert_int_equal(rd(&c, 0x3a, 2), (addr + 1208) % 8192);
	memcpy(rec, ram(&c) + RXBUF + addr, 8192 - addr);
	memcpy(rec + (8192 - addr), ram(&c) + RXBUF, 1208 - (8192 - addr));
	assert_int_equal(nic_le32(rec) >> 16, 1204);
	assert_memory_equal(rec + 4, f, 1200);
	assert_int_equal(nic_le32(rec + 1204), fcs(f, 1200));
	/* RxMissed counts nothing: no frame was dropped. */
	assert_int_equal(rd(&c, 0x4c, 4), 0);
	nic_free(&c);
}

/* ---------------------------------------------------------------- C+ mode */

#define TXRING 0x60000
#define RXRING 0x61000

static void cplus_setup(struct nic_ctx *c)
{
	wr(c, 0xe0, 2, 0x0003); /* C+ transmitter and receiver */
	wr(c, 0x20, 4, TXRING);
	wr(c, 0x24, 4, 0);
	wr(c, 0xe4, 4, RXRING);
	wr(c, 0xe8, 4, 0);
	wr(c, 0x37, 1, 0x0c);
	wr(c, 0x44, 4, 0x02 | 0x08);
	wr(c, 0x3c, 2, 0x80ff);
}

static void txd(struct nic_ctx *c, unsigned int i, uint32_t dw0, uint32_t dw1, uint32_t buf)
{
	uint8_t *d = ram(c) + TXRING + 16 * i;

	nic_put32(d, dw0);
	nic_put32(d + 4, dw1);
	nic_put32(d + 8, buf);
	nic_put32(d + 12, 0);
}

static void rxd(struct nic_ctx *c, unsigned int i, uint32_t dw0, uint32_t buf)
{
	uint8_t *d = ram(c) + RXRING + 16 * i;

	nic_put32(d, dw0);
	nic_put32(d + 4, 0);
	nic_put32(d + 8, buf);
	nic_put32(d + 12, 0);
}

#define OWN (1u << 31)
#define EOR (1u << 30)
#define FS (1u << 29)
#define LS (1u << 28)

static void test_cplus_transmit_gather(void **state)
{
	struct nic_ctx c = nic_new();
	static const uint8_t dst[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t f[1600], got[2048];

	(void)state;
	cplus_setup(&c);
	make_frame(f, dst, 1000, 11);
	memcpy(ram(&c) + 0x70000, f, 400);
	memcpy(ram(&c) + 0x71000, f + 400, 600);
	txd(&c, 0, OWN | FS | 400, 0, 0x70000);
	txd(&c, 1, OWN | LS | 600, 0, 0x71000);
	txd(&c, 2, 0, 0, 0); /* not handed over: the walk stops */
	wr(&c, 0xd9, 1, 0x40);
	assert_int_equal(take(&c, got, sizeof(got)), 1000);
	assert_memory_equal(got, f, 1000);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	/* Given back with OWN clear, the command bits echoed. */
	assert_int_equal(nic_le32(ram(&c) + TXRING), FS | 400);
	assert_int_equal(nic_le32(ram(&c) + TXRING + 16), LS | 600);
	assert_int_equal(rd(&c, 0x3e, 2) & 0x0004, 0x0004);
	assert_true(inta(&c));
	/* In C+ the TSD registers are the tally dump: a dump reports one frame sent. */
	wr(&c, 0x14, 4, 0);
	wr(&c, 0x10, 4, 0x7f000 | 0x8);
	assert_int_equal(rd(&c, 0x10, 4) & 0x8, 0);
	assert_int_equal(nic_le32(ram(&c) + 0x7f000), 1);
	/* A TSD write does not transmit in C+ mode. */
	wr(&c, 0x10, 4, 100);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	nic_free(&c);
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An IPv4 TCP (or UDP) frame with `payload` bytes; checksums left zero. */
static size_t ip_frame(uint8_t *f, uint8_t proto, size_t payload)
{
	static const uint8_t dst[6] = { 0x02, 1, 2, 3, 4, 5 };
	size_t l4 = proto == 6 ? 20 : 8, total = 20 + l4 + payload;

	memset(f, 0, 14 + total);
	memcpy(f, dst, 6);
	memcpy(f + 6, nic_mac, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)(total >> 8);
	f[17] = (uint8_t)total;
	f[18] = 0x12;
	f[19] = 0x34;
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	f[34] = 0x04;
	f[36] = 0x00;
	f[37] = 0x50;
	if (proto == 6) {
		f[38] = 0x11; /* sequence number 0x11223344 */
		f[39] = 0x22;
		f[40] = 0x33;
		f[41] = 0x44;
		f[46] = 0x50;
		f[47] = 0x18; /* PSH | ACK */
	} else {
		f[38] = (uint8_t)((8 + payload) >> 8);
		f[39] = (uint8_t)(8 + payload);
	}
	for (size_t i = 0; i < payload; i++)
		f[14 + 20 + l4 + i] = (uint8_t)(i * 13);
	return 14 + total;
}

/* Both checksums of a received IPv4 frame verify. */
static void assert_checksums(const uint8_t *f, size_t len)
{
	size_t total = (size_t)(f[16] << 8 | f[17]), l4len = total - 20;
	uint32_t pseudo = 0;

	assert_int_equal(14 + total, len);
	assert_int_equal(csum(f + 14, 20, 0), 0);
	for (int i = 26; i < 34; i += 2)
		pseudo += (uint32_t)(f[i] << 8 | f[i + 1]);
	pseudo += f[23];
	pseudo += (uint32_t)l4len;
	assert_int_equal(csum(f + 34, l4len, pseudo), 0);
}

static void test_cplus_offload(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[8192], got[8192];
	size_t len;
	uint32_t seq = 0x11223344;

	(void)state;
	cplus_setup(&c);
	/* IP and UDP checksums filled in. */
	len = ip_frame(f, 17, 333);
	memcpy(ram(&c) + 0x70000, f, len);
	txd(&c, 0, OWN | FS | LS | (1u << 18) | (1u << 17) | (uint32_t)len, 0, 0x70000);
	txd(&c, 1, 0, 0, 0);
	wr(&c, 0xd9, 1, 0x40);
	assert_int_equal(take(&c, got, sizeof(got)), (ssize_t)len);
	assert_checksums(got, len);
	assert_memory_equal(got + 42, f + 42, 333);
	/* Large send: 3000 payload bytes at MSS 1000 are three segments. */
	len = ip_frame(f, 6, 3000);
	memcpy(ram(&c) + 0x70000, f, len);
	txd(&c, 1, OWN | FS | LS | (1u << 27) | (1000u << 16) | (uint32_t)len, 0, 0x70000);
	txd(&c, 2, 0, 0, 0);
	wr(&c, 0xd9, 1, 0x40);
	for (unsigned int n = 0; n < 3; n++) {
		uint32_t s;

		assert_int_equal(take(&c, got, sizeof(got)), 14 + 40 + 1000);
		assert_checksums(got, 14 + 40 + 1000);
		s = (uint32_t)got[38] << 24 | got[39] << 16 | got[40] << 8 | got[41];
		assert_int_equal(s, seq + 1000 * n);
		assert_int_equal(got[18] << 8 | got[19], 0x1234 + n);
		assert_int_equal(got[47], n == 2 ? 0x18 : 0x10); /* PSH on the last only */
		assert_memory_equal(got + 54, f + 54 + 1000 * n, 1000);
	}
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	/* VLAN insertion: the tag from dword 1 after the addresses. */
	len = make_frame(f, nic_mac, 100, 12);
	memcpy(ram(&c) + 0x70000, f, len);
	txd(&c, 2, OWN | FS | LS | (uint32_t)len, (1u << 17) | 0x2300, 0x70000); /* TCI 0x0023 */
	txd(&c, 3, 0, 0, 0);
	wr(&c, 0xd9, 1, 0x40);
	assert_int_equal(take(&c, got, sizeof(got)), 104);
	assert_memory_equal(got, f, 12);
	assert_int_equal(got[12], 0x81);
	assert_int_equal(got[13], 0x00);
	assert_int_equal(got[14], 0x00);
	assert_int_equal(got[15], 0x23);
	assert_memory_equal(got + 16, f + 12, 88);
	nic_free(&c);
}

static void test_cplus_receive(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[2048];
	uint8_t *d0, *d1;

	(void)state;
	cplus_setup(&c);
	rxd(&c, 0, OWN | 1536, 0x80000);
	rxd(&c, 1, OWN | EOR | 1536, 0x81000);
	make_frame(f, nic_mac, 500, 13);
	deliver(&c, f, 500);
	d0 = ram(&c) + RXRING;
	assert_int_equal(nic_le32(d0), FS | LS | (1u << 25) | 504);
	assert_memory_equal(ram(&c) + 0x80000, f, 500);
	assert_int_equal(nic_le32(ram(&c) + 0x80000 + 500), fcs(f, 500));
	assert_int_equal(rd(&c, 0x3e, 2) & 0x0001, 0x0001);
	/* The second descriptor (EOR), then back to the first, which the driver has not returned. */
	make_frame(f, nic_mac, 60, 14);
	deliver(&c, f, 60);
	d1 = ram(&c) + RXRING + 16;
	assert_int_equal(nic_le32(d1), EOR | FS | LS | (1u << 25) | 64);
	deliver(&c, f, 60);
	assert_int_equal(rd(&c, 0x3e, 2) & 0x0010, 0x0010); /* RxEmpty */
	assert_int_equal(rd(&c, 0x4c, 4), 1);
	/* A frame larger than the buffer is counted missed too. */
	rxd(&c, 0, OWN | 256, 0x80000);
	make_frame(f, nic_mac, 500, 15);
	deliver(&c, f, 500);
	assert_int_equal(rd(&c, 0x4c, 4), 2);
	assert_int_equal(nic_le32(d0) & OWN, OWN);
	/* VLAN de-tagging into dword 1. */
	wr(&c, 0xe0, 2, 0x0043);
	rxd(&c, 0, OWN | 1536, 0x80000);
	make_frame(f, nic_mac, 200, 16);
	memmove(f + 16, f + 12, 184);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x00;
	f[15] = 0x42;
	deliver(&c, f, 200);
	assert_int_equal(nic_le32(d0) & 0x1fff, 196 + 4); /* the frame without its tag, and the CRC */
	assert_int_equal(nic_le32(ram(&c) + RXRING + 4), (1u << 16) | 0x4200);
	assert_memory_equal(ram(&c) + 0x80000, f, 12);
	assert_memory_equal(ram(&c) + 0x80000 + 12, f + 16, 184);
	nic_free(&c);
}

static void test_cplus_hostile_rings(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t got[2048], f[256];
	unsigned int sent = 0;

	(void)state;
	cplus_setup(&c);
	/* Every descriptor owned, none with EOR, buffers outside RAM: one poll does 64 and stops. */
	for (unsigned int i = 0; i < 256 && TXRING + 16 * i < 0x70000; i++)
		txd(&c, i, OWN | FS | LS | 100, 0, 0xfff00000u);
	wr(&c, 0xd9, 1, 0x40);
	while (take(&c, got, sizeof(got)) > 0)
		sent++;
	assert_int_equal(sent, 0);
	assert_int_equal(nic_le32(ram(&c) + TXRING + 16 * 63) & OWN, 0);
	assert_int_equal(nic_le32(ram(&c) + TXRING + 16 * 64) & OWN, OWN);
	/* The ring wraps at 64: the next poll starts at descriptor 0 again. */
	txd(&c, 0, OWN | FS | LS | 100, 0, 0x70000);
	make_frame(ram(&c) + 0x70000, nic_mac, 100, 1);
	wr(&c, 0xd9, 1, 0x40);
	assert_int_equal(take(&c, got, sizeof(got)), 100);
	/* A length beyond 64 KiB gathered over descriptors without LS is dropped, not overrun. */
	wr(&c, 0x37, 1, 0x0c); /* back to descriptor 0 */
	for (unsigned int i = 0; i < 3; i++)
		txd(&c, i, OWN | (i == 0 ? FS : 0) | (i == 2 ? LS : 0) | 0xffff, 0, 0x10000);
	txd(&c, 3, 0, 0, 0);
	wr(&c, 0xd9, 1, 0x40);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	/* A receive ring pointing outside RAM drops the frame and counts it. */
	wr(&c, 0xe4, 4, 0xfff00000u);
	make_frame(f, nic_mac, 100, 2);
	deliver(&c, f, 100);
	assert_int_equal(rd(&c, 0x4c, 4), 1);
	/* No ring yet (Linux enables the receiver first): dropped silently. */
	wr(&c, 0xe4, 4, 0);
	deliver(&c, f, 100);
	assert_int_equal(rd(&c, 0x4c, 4), 1);
	nic_free(&c);
}

/* ---------------------------------------------------------------- timer, reset, unplug */

static void test_timer(void **state)
{
	struct nic_ctx c = nic_new();
	uint32_t t0;

	(void)state;
	wr(&c, 0x3c, 2, 0x4000);
	wr(&c, 0x48, 4, 0); /* TCTR from 0 */
	tm_advance(c.t, 30000);
	t0 = rd(&c, 0x48, 4);
	assert_int_equal(t0, 1000); /* 30 ns per tick */
	wr(&c, 0x54, 4, 3300); /* ~99 us */
	tm_advance(c.t, 50000);
	assert_false(inta(&c));
	tm_advance(c.t, 20000);
	assert_int_equal(rd(&c, 0x3e, 2), 0x4000);
	assert_true(inta(&c));
	wr(&c, 0x3e, 2, 0x4000);
	assert_false(inta(&c));
	/* TimerInt 0 stops it. */
	wr(&c, 0x54, 4, 0);
	tm_advance(c.t, 200ull * NSEC_PER_SEC);
	assert_int_equal(rd(&c, 0x3e, 2), 0);
	nic_free(&c);
}

static void test_soft_reset(void **state)
{
	struct nic_ctx c = nic_new();

	(void)state;
	cplus_setup(&c);
	wr(&c, 0x08, 4, 0x12345678);
	wr(&c, 0x37, 1, 0x10);
	/* The chip's reset: C mode, interrupts masked, the MAC restored; MAR and RxConfig kept. */
	assert_int_equal(rd(&c, 0x37, 1), 0x01);
	assert_int_equal(rd(&c, 0xe0, 2), 0);
	assert_int_equal(rd(&c, 0x3c, 2), 0);
	assert_int_equal(rd(&c, 0x08, 4), 0x12345678);
	assert_int_equal(rd(&c, 0x44, 4), 0x0a);
	assert_int_equal(rd(&c, 0x10, 4), 0x2000);
	/* TxConfig takes writes only with the transmitter on. */
	wr(&c, 0x40, 4, 0x00060000);
	assert_int_equal(rd(&c, 0x40, 4), 0x74800000);
	/* A machine reset (power-on) clears what the chip's reset keeps. */
	machine_reset(&c.t->m);
	cfg_wr(c.t, NIC, 0x10, 4, IOB);
	cfg_wr(c.t, NIC, 0x04, 2, PCI_COMMAND_IO);
	assert_int_equal(rd(&c, 0x08, 4), 0);
	assert_int_equal(rd(&c, 0x44, 4), 0);
	nic_free(&c);
}

static void test_loopback(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[256], got[256];

	(void)state;
	rx_setup(&c, 0x02);
	wr(&c, 0x40, 4, 0x00060000); /* LBK = 11 */
	make_frame(ram(&c) + 0x10000, nic_mac, 128, 3);
	make_frame(f, nic_mac, 128, 3);
	wr(&c, 0x20, 4, 0x10000);
	wr(&c, 0x10, 4, 128);
	assert_int_equal(take(&c, got, sizeof(got)), -1);
	check_record(&c, 0, f, 128, 0x4000);
	nic_free(&c);
}

static void test_unplug(void **state)
{
	struct nic_ctx c = nic_new();
	uint8_t f[128];

	(void)state;
	rx_setup(&c, 0x02);
	assert_true(c.t->acc.pci_function[NIC]);
	/* The PV drivers' unplug of every NIC (platform port 0x10, bit 1). */
	outp(c.t, 0x10, 2, 0x0002);
	assert_int_equal(cfg_rd(c.t, NIC, 0x00, 4), 0xffffffff);
	assert_false(c.t->acc.pci_function[NIC]);
	assert_int_equal(rd(&c, 0x00, 1), 0xff);
	assert_false(inta(&c));
	/* Its backend is closed: the peer sees the socket gone. */
	make_frame(f, nic_mac, 100, 1);
	assert_int_equal(send(c.peer, f, 100, MSG_NOSIGNAL), -1);
	/* Resets leave it gone. */
	machine_reset(&c.t->m);
	assert_int_equal(cfg_rd(c.t, NIC, 0x00, 4), 0xffffffff);
	nic_free(&c);
}

/* The option ROM in BAR 6, as hvmloader sizes and maps it and SeaBIOS reads it. */
static void test_rom_bar(void **state)
{
	char path[] = "/tmp/hvmdm-test-rom-XXXXXX";
	uint8_t rom[3000];
	struct nic_ctx c;
	int fd = mkstemp(path);

	(void)state;
	for (size_t i = 0; i < sizeof(rom); i++)
		rom[i] = (uint8_t)(i * 13 + 1);
	rom[0] = 0x55;
	rom[1] = 0xaa;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, rom, sizeof(rom)), (ssize_t)sizeof(rom));
	close(fd);
	nic_rom = path;
	c = nic_new();
	nic_rom = "";
	unlink(path);
	/* 3000 bytes: a 4 KiB BAR. */
	cfg_wr(c.t, NIC, 0x30, 4, 0xfffff800);
	assert_int_equal(cfg_rd(c.t, NIC, 0x30, 4), 0xfffff000);
	cfg_wr(c.t, NIC, 0x30, 4, 0xfebf0000 | 1);
	assert_int_equal(io_space_read(&c.t->m.mmio, 0xfebf0000, 2), 0xaa55);
	assert_int_equal(io_space_read(&c.t->m.mmio, 0xfebf0000 + 2999, 1), rom[2999]);
	assert_int_equal(io_space_read(&c.t->m.mmio, 0xfebf0000 + 3000, 4), 0); /* the padding */
	io_space_write(&c.t->m.mmio, 0xfebf0000, 1, 0); /* read-only */
	assert_int_equal(io_space_read(&c.t->m.mmio, 0xfebf0000, 1), 0x55);
	nic_free(&c);
	/* A NIC without a ROM has no ROM BAR. */
	c = nic_new();
	cfg_wr(c.t, NIC, 0x30, 4, 0xfffff800);
	assert_int_equal(cfg_rd(c.t, NIC, 0x30, 4), 0);
	nic_free(&c);
}

/* ---------------------------------------------------------------- the backend */

static void test_backend_stream_framing(void **state)
{
	struct nic_ctx c = nic_new_type(SOCK_STREAM);
	static const uint8_t dst[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t f[300], wire[4 + 300], got[1024];

	(void)state;
	/* Out: a 4-byte big-endian length, then the frame. */
	wr(&c, 0x37, 1, 0x04);
	make_frame(ram(&c) + 0x10000, dst, 300, 4);
	make_frame(f, dst, 300, 4);
	wr(&c, 0x20, 4, 0x10000);
	wr(&c, 0x10, 4, 300);
	assert_int_equal(recv(c.peer, got, sizeof(got), 0), 304);
	assert_int_equal(got[0] << 24 | got[1] << 16 | got[2] << 8 | got[3], 300);
	assert_memory_equal(got + 4, f, 300);
	/* In: the same framing, arriving in pieces. */
	rx_setup(&c, 0x02);
	make_frame(f, nic_mac, 300, 5);
	wire[0] = 0;
	wire[1] = 0;
	wire[2] = 1;
	wire[3] = 44;
	memcpy(wire + 4, f, 300);
	assert_int_equal(send(c.peer, wire, 3, 0), 3);
	netdev_poll_input(&c.t->m.netdev[0]);
	assert_int_equal(rd(&c, 0x3a, 2), 0);
	assert_int_equal(send(c.peer, wire + 3, 150, 0), 150);
	netdev_poll_input(&c.t->m.netdev[0]);
	assert_int_equal(rd(&c, 0x3a, 2), 0);
	assert_int_equal(send(c.peer, wire + 153, 151, 0), 151);
	netdev_poll_input(&c.t->m.netdev[0]);
	check_record(&c, 0, f, 300, 0x4000);
	/* A length beyond 64 KiB ends the backend (a broken peer), without touching the NIC. */
	memcpy(wire, (uint8_t[]){ 0x00, 0x02, 0x00, 0x00 }, 4);
	assert_int_equal(send(c.peer, wire, 4, 0), 4);
	netdev_poll_input(&c.t->m.netdev[0]);
	assert_true(c.t->m.netdev[0].broken);
	nic_free(&c);
}

/* The event loop serves the backend: input while the NIC can take it, queued output when the socket is full. */
static void test_backend_through_loop(void **state)
{
	struct nic_ctx c = nic_new_type(SOCK_DGRAM);
	static const uint8_t dst[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t f[1500], got[2048];
	unsigned int sent = 0, queued, n = 0;

	(void)state;
	rx_setup(&c, 0x02);
	make_frame(f, nic_mac, 100, 1);
	assert_int_equal(send(c.peer, f, 100, 0), 100);
	loop_run_once(&c.t->m.loop, 0);
	check_record(&c, 0, f, 100, 0x4000);
	/* Fill the socket until the host stops taking frames; the rest waits in the queue. */
	make_frame(ram(&c) + 0x10000, dst, 1400, 2);
	for (unsigned int i = 0; i < 4; i++)
		wr(&c, 0x20 + 4 * i, 4, 0x10000);
	for (unsigned int i = 0; i < 400; i++) {
		unsigned int slot = i % 4;

		wr(&c, 0x10 + 4 * slot, 4, 1400);
		sent++;
	}
	queued = c.t->m.netdev[0].txq_count;
	assert_true(queued > 0);
	assert_true(c.t->m.netdev[0].tx_dropped > 0 || queued < NET_TXQ_FRAMES);
	/* Draining the peer lets the loop push the queue out, in order. */
	for (int round = 0; round < 1000 && (c.t->m.netdev[0].txq_count || n < sent - c.t->m.netdev[0].tx_dropped); round++) {
		while (take(&c, got, sizeof(got)) == 1400)
			n++;
		loop_run_once(&c.t->m.loop, 0);
	}
	while (take(&c, got, sizeof(got)) == 1400)
		n++;
	assert_int_equal(c.t->m.netdev[0].txq_count, 0);
	assert_int_equal(n + c.t->m.netdev[0].tx_dropped, sent);
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

/* Mid-traffic in both modes: saved, loaded into a fresh machine, saved again: the same bytes; then it goes on. */
static void test_state_roundtrip(void **state)
{
	struct nic_ctx a = nic_new(), b = nic_new();
	struct load_report rep;
	struct wbuf wa, wb;
	uint8_t f[600], got[2048];
	uint32_t off;
	char err[256];

	(void)state;
	rx_setup(&a, 0x02);
	make_frame(f, nic_mac, 300, 1);
	deliver(&a, f, 300);
	off = check_record(&a, 0, f, 300, 0x4000);
	wr(&a, 0x54, 4, 123456);  /* a PCI timer armed */
	wr(&a, 0x00, 1, 0x02);   /* a locally administered address the guest set */
	(void)eeprom_read(&a, 7, 6);
	save(&a, &wa);
	/* Guest RAM is the hypervisor's to move; the device model's state is all in the stream. */
	memcpy(b.t->acc.guest_ram, a.t->acc.guest_ram, sizeof(a.t->acc.guest_ram));
	if (snapshot_load(&b.t->m, wa.data, wa.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	save(&b, &wb);
	assert_int_equal(wa.len, wb.len);
	assert_memory_equal(wa.data, wb.data, wa.len);
	/* The restored NIC goes on: the next frame lands after the first, the address is the guest's. */
	assert_int_equal(rd(&b, 0x00, 1), 0x02);
	assert_int_equal(rd(&b, 0x3a, 2), off);
	make_frame(f, nic_mac, 200, 2);
	f[0] = 0x02;
	deliver(&b, f, 200);
	check_record(&b, off, f, 200, 0x4000);
	wr(&b, 0x37, 1, 0x0c);
	make_frame(ram(&b) + 0x10000, nic_mac, 90, 3);
	wr(&b, 0x20, 4, 0x10000);
	wr(&b, 0x10, 4, 90);
	assert_int_equal(take(&b, got, sizeof(got)), 90);
	wbuf_free(&wa);
	wbuf_free(&wb);
	nic_free(&a);
	nic_free(&b);
}

/* A NIC the PV drivers unplugged is saved as such; the restored machine unplugs its own. */
static void test_state_unplugged(void **state)
{
	struct nic_ctx a = nic_new(), b = nic_new();
	struct load_report rep;
	struct wbuf w;
	uint8_t f[100];
	char err[256];

	(void)state;
	outp(a.t, 0x10, 2, 0x0002);
	save(&a, &w);
	if (snapshot_load(&b.t->m, w.data, w.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	assert_int_equal(cfg_rd(b.t, NIC, 0x00, 4), 0xffffffff);
	assert_false(b.t->acc.pci_function[NIC]);
	make_frame(f, nic_mac, 100, 1);
	assert_int_equal(send(b.peer, f, 100, MSG_NOSIGNAL), -1); /* its tap (here a socket) is closed */
	/* And the other way: an unplugged NIC cannot take a state with the NIC present. */
	{
		struct nic_ctx c = nic_new();
		struct wbuf wc;

		save(&c, &wc);
		assert_int_not_equal(snapshot_load(&b.t->m, wc.data, wc.len, &rep, err, sizeof(err)), 0);
		assert_non_null(strstr(err, "unplugged"));
		wbuf_free(&wc);
		nic_free(&c);
	}
	wbuf_free(&w);
	nic_free(&a);
	nic_free(&b);
}

/* What a check refuses, naming it, with the device untouched. */
static void test_state_refusals(void **state)
{
	struct nic_ctx c = nic_new();
	struct machine_state *st = malloc(sizeof(*st));
	const char *rec;
	unsigned int slot;
	char err[256];

	(void)state;
	assert_non_null(st);
	machine_save_state(&c.t->m, st);
	st->nic[0].r.rx_buf_size = 12000;
	assert_int_not_equal(machine_check_state(&c.t->m, st, &rec, &slot, err, sizeof(err)), 0);
	assert_string_equal(rec, "rtl8139");
	assert_non_null(strstr(err, "receive ring size"));
	machine_save_state(&c.t->m, st);
	st->nic[0].r.rx_buf_addr = 8192;
	assert_int_not_equal(machine_check_state(&c.t->m, st, &rec, &slot, err, sizeof(err)), 0);
	machine_save_state(&c.t->m, st);
	st->nic[0].r.cur_tx = 4;
	assert_int_not_equal(machine_check_state(&c.t->m, st, &rec, &slot, err, sizeof(err)), 0);
	machine_save_state(&c.t->m, st);
	st->nic[0].eeprom.address = 64;
	assert_int_not_equal(machine_check_state(&c.t->m, st, &rec, &slot, err, sizeof(err)), 0);
	machine_save_state(&c.t->m, st);
	st->nic[0].pci.config[2] = 0x29; /* another device's ID */
	assert_int_not_equal(machine_check_state(&c.t->m, st, &rec, &slot, err, sizeof(err)), 0);
	free(st);
	nic_free(&c);
}

/* Decode one record's payload with the kind's decoder for `version`. */
static int decode_payload(struct nic_ctx *c, struct machine_state *st, uint32_t version, uint32_t flags,
			  const uint8_t *p, size_t len, char *err, size_t errlen)
{
	const struct record_kind *k = record_kind_find("rtl8139");
	struct stream_record rec = { .version = version, .flags = flags };
	struct decode_ctx ctx = { .st = st, .m = &c->t->m, .rec = &rec, .slot = 0, .err = err, .errlen = errlen };
	struct load_report rep;
	struct rbuf r;

	memset(&rep, 0, sizeof(rep));
	ctx.rep = &rep;
	strcpy(rec.idstr, "rtl8139");
	rbuf_init(&r, p, len);
	return record_version_find(k, version)->decode(&r, &ctx);
}

/* QEMU 7.2's rtl8139 v5 section from a guest that ran SeaBIOS and iPXE on it (tests/streams/qemu-7.2-tcg/). */
static void test_upstream_v5_sample(void **state)
{
	struct nic_ctx c = nic_new();
	struct machine_state *st = calloc(1, sizeof(*st));
	size_t len;
	uint8_t *b = tm_read_file("tests/streams/qemu-7.2-tcg/qemu-7.2-wave2-cirrus-rtl8139-e1000-tablet.bin", &len);
	const uint8_t *p = memmem(b, len, "0000:00:03.0/rtl8139", 20);
	static const uint8_t sample_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
	static const uint8_t all_ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char err[256];

	(void)state;
	assert_non_null(p);
	p += 20 + 8; /* the name, then be32 instance and be32 version (5) */
	assert_int_equal(p[-1], 5);
	machine_save_state(&c.t->m, st);
	if (decode_payload(&c, st, 5, RECORD_UPSTREAM, p, 642, err, sizeof(err)))
		fail_msg("%s", err);
	assert_memory_equal(st->nic[0].r.phys, sample_mac, 6);
	assert_memory_equal(st->nic[0].r.mult, all_ones, 8); /* iPXE takes every multicast */
	assert_int_equal(pci_get_long(st->nic[0].pci.config), 0x813910ec);
	assert_int_equal(st->nic[0].eeprom.contents[0], 0x8129);
	assert_int_equal(st->nic[0].eeprom.contents[7], 0x1600);
	assert_int_equal(st->nic[0].eeprom.contents[8], 0x003e);
	assert_int_equal(st->nic[0].eeprom.contents[9], 0x0100);
	assert_int_equal(st->nic[0].r.tx_config & 0x7c800000, 0x74800000);
	/* One byte more or less is refused, naming the byte. */
	assert_int_not_equal(decode_payload(&c, st, 5, RECORD_UPSTREAM, p, 641, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "byte"));
	/* The same bytes are upstream 4 (no RxOkMul) plus four: refused too. */
	assert_int_not_equal(decode_payload(&c, st, 4, RECORD_UPSTREAM, p, 642, err, sizeof(err)), 0);
	free(b);
	free(st);
	nic_free(&c);
}

static void find_rtl8139(const struct stream_record *rec, void *opaque)
{
	if (!strcmp(rec->idstr, "rtl8139"))
		*(struct stream_record *)opaque = *rec;
}

/* qemu-xen-traditional's rtl8139 v4 from a real save under Xen (tests/streams/qemu-trad-real/tradnic). */
static void test_trad_v4_real(void **state)
{
	struct nic_ctx c = nic_new();
	struct machine_state *st = calloc(1, sizeof(*st));
	struct stream_record rec;
	struct load_report rep;
	size_t len;
	uint8_t *b = tm_read_file("tests/streams/qemu-trad-real/tradnic.qevm", &len);
	static const uint8_t xl_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x02 };
	char err[256];

	(void)state;
	memset(&rec, 0, sizeof(rec));
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(stream_scan(b, len, find_rtl8139, &rec, &rep, err, sizeof(err)), 0);
	assert_int_equal(rec.version, 4);
	assert_int_equal(rec.instance, 0x20); /* 00:04.0 */
	assert_int_equal(rec.payload_len, 642);
	machine_save_state(&c.t->m, st);
	if (decode_payload(&c, st, 4, 0, rec.payload, rec.payload_len, err, sizeof(err)))
		fail_msg("%s", err);
	assert_memory_equal(st->nic[0].r.phys, xl_mac, 6);
	assert_int_equal(pci_get_long(st->nic[0].pci.config), 0x813910ec);
	/* XenSource's subsystem IDs on the traditional functions. */
	assert_int_equal(pci_get_long(st->nic[0].pci.config + 0x2c), 0x00015853);
	free(b);
	free(st);
	nic_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_eeprom),
		cmocka_unit_test(test_c_transmit),
		cmocka_unit_test(test_c_receive),
		cmocka_unit_test(test_c_ring_wrap_and_backpressure),
		cmocka_unit_test(test_cplus_transmit_gather),
		cmocka_unit_test(test_cplus_offload),
		cmocka_unit_test(test_cplus_receive),
		cmocka_unit_test(test_cplus_hostile_rings),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_soft_reset),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_rom_bar),
		cmocka_unit_test(test_backend_stream_framing),
		cmocka_unit_test(test_backend_through_loop),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_unplugged),
		cmocka_unit_test(test_state_refusals),
		cmocka_unit_test(test_upstream_v5_sample),
		cmocka_unit_test(test_trad_v4_real),
	};

	tm_quiet();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
