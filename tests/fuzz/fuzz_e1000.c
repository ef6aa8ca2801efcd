// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the e1000 (82540EM): a guest program of register
 * accesses through the MMIO BAR (by the register table, and raw offsets),
 * guest-memory writes (descriptor rings and buffers live in 64 KiB of
 * fuzzed RAM; everything else is outside it), transmit descriptors of every
 * kind (legacy, context with and without TSE, data) with fuzzed lengths,
 * offsets, MSS and header lengths, frames arriving from the wire, clock
 * advances (mitigation, autonegotiation, the receive hold) and
 * save/check/load round trips. Frames the NIC sends go to a datagram
 * socket and are read back. The walk bounds (one pass round a ring, 64 KiB
 * a packet) keep each input short.
 *
 *   4-byte records op | a | b | c:
 *   op % 8 = 0: write register number (a << 8 | b) % the table (RDBAL/TDBAL take a RAM
 *              offset c << 8, RDLEN/TDLEN (c & 7) + 1 blocks of 8 descriptors, others c * 0x01010101)
 *            1: read register number (a << 8 | b) % the table, or (a & 0x80) a raw offset
 *            2: RAM[(a << 8 | b) * 2 % RAM] = c
 *            3: a transmit descriptor at (a & 0x1f) * 16 + the ring base 0x1000: buffer c * 193,
 *               command a & 0xe0 | b bits, length and context fields from b and c
 *            4: a frame of (b << 3 | c & 7) bytes to this NIC's MAC (a & 1), broadcast (a & 2),
 *               a multicast group, or VLAN-tagged (a & 4), payload from RAM
 *            5: advance the clock by (a << 8 | b) * 10 microseconds, run the timers
 *            6: save, check and load the NIC's state (must always pass)
 *            7: TDT = a & 0x3f, or RDT = b & 0x3f (c & 1)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"

#define RAM_SIZE 65536
#define BAR 0xf0000000u

static uint8_t ram[RAM_SIZE];
static uint64_t now_ns;

static int nop_irq(struct accel *a, unsigned int irq, bool level)
{
	(void)a, (void)irq, (void)level;
	return 0;
}

static int nop_intx(struct accel *a, unsigned int slot, unsigned int intx, bool level)
{
	(void)a, (void)slot, (void)intx, (void)level;
	return 0;
}

static int nop_route(struct accel *a, unsigned int link, unsigned int irq)
{
	(void)a, (void)link, (void)irq;
	return 0;
}

static int nop_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	(void)a, (void)addr, (void)data;
	return 0;
}

static int nop_map(struct accel *a, enum io_space_kind k, uint64_t f, uint64_t l, bool map)
{
	(void)a, (void)k, (void)f, (void)l, (void)map;
	return 0;
}

static int nop_fn(struct accel *a, unsigned int devfn, bool map)
{
	(void)a, (void)devfn, (void)map;
	return 0;
}

static int nop_mem(struct accel *a, enum accel_mem_type t, uint64_t f, uint64_t n)
{
	(void)a, (void)t, (void)f, (void)n;
	return 0;
}

static int nop_req(struct accel *a, enum accel_request r)
{
	(void)a, (void)r;
	return 0;
}

static int ram_rw(struct accel *a, uint64_t gpa, void *buf, size_t len, bool write)
{
	(void)a;
	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return -1;
	if (write)
		memcpy(ram + gpa, buf, len);
	else
		memcpy(buf, ram + gpa, len);
	return 0;
}

static const struct accel_ops ops = {
	.name = "fuzz", .set_isa_irq_level = nop_irq, .set_pci_intx_level = nop_intx,
	.set_pci_link_route = nop_route, .inject_msi = nop_msi, .map_io_range = nop_map,
	.map_pci_function = nop_fn, .set_mem_type = nop_mem, .request = nop_req,
	.guest_memory_rw = ram_rw,
};

static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return now_ns;
}

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

static void cfg_write(struct machine *m, unsigned int devfn, unsigned int reg, unsigned int len, uint32_t val)
{
	io_space_write(&m->io, 0xcf8, 4, 0x80000000u | devfn << 8 | reg);
	io_space_write(&m->io, 0xcfc, len, val);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian hosts only, as the device model */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine m;
	static struct machine_state st;
	struct accel acc = { &ops };
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 16, .nr_nics = 1 };
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t frame[2048], sink_buf[NET_MAX_FRAME];
	char err[256];
	int sv[2];

	log_set_sink(&sink);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		abort();
	cfg.nic[0] = (struct machine_nic){ .model = NIC_E1000, .romfile = "",
					   .netdev = { .id = "n", .kind = NETDEV_SOCKET, .fd = sv[0] } };
	memcpy(cfg.nic[0].mac, mac, 6);
	memset(ram, 0, sizeof(ram));
	now_ns = 1000;
	if (machine_create(&m, &cfg, &acc, fake_clock, NULL, err, sizeof(err)))
		abort();
	cfg_write(&m, PCI_DEVFN(2, 0), 0x10, 4, BAR);
	cfg_write(&m, PCI_DEVFN(2, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* Rings where the input can reach them: transmit at 0x1000, receive at 0x2000. */
	io_space_write(&m.mmio, BAR + 0x3800, 4, 0x1000);
	io_space_write(&m.mmio, BAR + 0x3808, 4, 0x200);
	io_space_write(&m.mmio, BAR + 0x2800, 4, 0x2000);
	io_space_write(&m.mmio, BAR + 0x2808, 4, 0x200);
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint8_t op = data[i] % 8, a = data[i + 1], b = data[i + 2], c = data[i + 3];
		unsigned int idx = ((unsigned int)a << 8 | b) % E1000_NR_REGS;
		uint32_t off = e1000_reg_offset(idx);

		switch (op) {
		case 0:
			if (off == 0x2800 || off == 0x3800)
				io_space_write(&m.mmio, BAR + off, 4, (uint32_t)c << 8);
			else if (off == 0x2808 || off == 0x3808)
				io_space_write(&m.mmio, BAR + off, 4, ((c & 7u) + 1) * 128);
			else
				io_space_write(&m.mmio, BAR + off, 4, c * 0x01010101u);
			break;
		case 1:
			if (a & 0x80)
				(void)io_space_read(&m.mmio, BAR + (((uint32_t)a << 9 | (uint32_t)b << 1) & 0x1ffff), 1u << (c & 2));
			else
				(void)io_space_read(&m.mmio, BAR + off, 4);
			break;
		case 2:
			ram[((unsigned int)a << 8 | b) * 2 % RAM_SIZE] = c;
			break;
		case 3: {
			uint8_t *d = ram + 0x1000 + (a & 0x1f) * 16;
			uint32_t addr = (uint32_t)c * 193u % RAM_SIZE;

			put32(d, addr);
			put32(d + 4, 0);
			/* Command bits: a's top three (IDE, VLE, DEXT) and b's (RPS, RS, TSE, IFCS, EOP); DTYP from b & 1. */
			put32(d + 8, (uint32_t)(a & 0xe0) << 24 | (uint32_t)(b & 0x1f) << 24 | (b & 1u) << 20 |
					     (uint32_t)c << 8 | (uint32_t)(b ^ c));
			/* Upper: POPTS, and for a context descriptor HDRLEN and MSS. */
			put32(d + 12, (uint32_t)c << 8 | (uint32_t)(a ^ b) << 16 | (uint32_t)c << 24);
			break;
		}
		case 4: {
			size_t len = ((size_t)b << 3 | (c & 7)) % sizeof(frame);

			memcpy(frame, ram + (size_t)c * 64, sizeof(frame));
			memcpy(frame, (a & 2) ? (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } :
				      (a & 1) ? mac : mcast, 6);
			if (a & 4) {
				frame[12] = 0x81;
				frame[13] = 0x00;
			}
			if (len >= 14 && e1000_can_receive(&m.e1000[0]))
				e1000_receive(&m.e1000[0], frame, len);
			break;
		}
		case 5:
			now_ns += ((uint64_t)a << 8 | b) * 10000;
			clock_run_timers(&m.clock);
			break;
		case 6:
			machine_save_state(&m, &st);
			if (machine_check_state(&m, &st, NULL, NULL, err, sizeof(err)))
				abort();
			machine_load_state(&m, &st);
			break;
		default:
			if (c & 1)
				io_space_write(&m.mmio, BAR + 0x2818, 4, b & 0x3f);
			else
				io_space_write(&m.mmio, BAR + 0x3818, 4, a & 0x3f);
			break;
		}
		while (recv(sv[1], sink_buf, sizeof(sink_buf), MSG_DONTWAIT) > 0)
			;
	}
	machine_destroy(&m);
	close(sv[1]);
	return 0;
}
