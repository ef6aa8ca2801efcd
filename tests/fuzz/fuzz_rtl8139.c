// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the RTL8139C+: a guest program of register accesses
 * (both modes: C+ starts with any CpCmd write), guest-memory writes (transmit
 * buffers, the receive ring, C+ descriptor rings and the tally dump live in
 * 64 KiB of fuzzed RAM; everything else is outside it), frames arriving from
 * the wire, timer ticks and save/check/load round trips. Frames the NIC sends
 * go to a datagram socket and are read back, so every transmit path runs to
 * the backend; the walk bounds (64 descriptors a poll, one frame at most
 * 64 KiB) keep each input short.
 *
 *   4-byte records op | a | b | c:
 *   op % 8 = 0: write register a (size 1 << (b & 3), value c * 0x01010101, or
 *              for dword ring addresses the RAM offset b << 8 | c)
 *            1: read register a (size 1 << (b & 3))
 *            2: RAM[(a << 8 | b) * 2 % RAM] = c
 *            3: RAM dword at (a << 8 | b) * 16 % RAM (a descriptor's first dword) = OWN-heavy pattern c
 *            4: a frame of (b << 3 | c & 7) bytes to this NIC's MAC (a & 1), broadcast (a & 2) or a
 *               multicast group, payload from RAM
 *            5: advance the clock by (a << 8 | b) microseconds, run the timers
 *            6: save, check and load the NIC's state (must always pass)
 *            7: a TxPoll or a TSD write, the commonest starters
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"

#define RAM_SIZE 65536
#define IOB 0xc100

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

static bool ring_address(unsigned int reg)
{
	return (reg >= 0x10 && reg < 0x34) || reg == 0xe4 || reg == 0xe8;
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
	cfg.nic[0] = (struct machine_nic){ .model = NIC_RTL8139, .romfile = "",
					   .netdev = { .id = "n", .kind = NETDEV_SOCKET, .fd = sv[0] } };
	memcpy(cfg.nic[0].mac, mac, 6);
	memset(ram, 0, sizeof(ram));
	now_ns = 1000;
	if (machine_create(&m, &cfg, &acc, fake_clock, NULL, err, sizeof(err)))
		abort();
	cfg_write(&m, PCI_DEVFN(2, 0), 0x10, 4, IOB);
	cfg_write(&m, PCI_DEVFN(2, 0), PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint8_t op = data[i] % 8, a = data[i + 1], b = data[i + 2], c = data[i + 3];
		unsigned int width = 1u << (b & 3);

		switch (op) {
		case 0:
			if (width == 8)
				width = 4;
			if (width == 4 && ring_address(a & 0xfc))
				io_space_write(&m.io, IOB + (a & 0xfc), 4, (uint32_t)b << 8 | c);
			else
				io_space_write(&m.io, IOB + a, width, c * 0x01010101u);
			break;
		case 1:
			(void)io_space_read(&m.io, IOB + a, width == 8 ? 4 : width);
			break;
		case 2:
			ram[((unsigned int)a << 8 | b) * 2 % RAM_SIZE] = c;
			break;
		case 3: {
			uint32_t at = ((uint32_t)a << 8 | b) * 16 % RAM_SIZE;
			uint32_t dw0 = 0x80000000u | (uint32_t)(c & 0xf0) << 24 | (uint32_t)(c & 0x0f) << 8 | c;

			memcpy(ram + at, &dw0, 4);
			break;
		}
		case 4: {
			size_t len = ((size_t)b << 3 | (c & 7)) % sizeof(frame);

			memcpy(frame, ram + (size_t)c * 64, sizeof(frame));
			memcpy(frame, (a & 2) ? (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } :
				      (a & 1) ? mac : mcast, 6);
			if (len >= 14)
				rtl8139_receive(&m.rtl8139[0], frame, len);
			break;
		}
		case 5:
			now_ns += ((uint64_t)a << 8 | b) * 1000;
			clock_run_timers(&m.clock);
			break;
		case 6:
			machine_save_state(&m, &st);
			if (machine_check_state(&m, &st, NULL, NULL, err, sizeof(err)))
				abort();
			machine_load_state(&m, &st);
			break;
		default:
			if (a & 1)
				io_space_write(&m.io, IOB + 0xd9, 1, 0x40);
			else
				io_space_write(&m.io, IOB + 0x10 + 4 * (b & 3), 4, (uint32_t)c << 4 | (a & 0xfe) << 8);
			break;
		}
		while (recv(sv[1], sink_buf, sizeof(sink_buf), MSG_DONTWAIT) > 0)
			;
	}
	machine_destroy(&m);
	close(sv[1]);
	return 0;
}
