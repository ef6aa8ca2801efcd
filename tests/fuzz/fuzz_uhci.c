// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the UHCI's schedule walker with a tablet on root
 * port 1 and QEMU's automatic hub on port 2 with a keyboard and a mouse: a guest program of register accesses, writes
 * into 64 KiB of guest RAM where the frame list, queue heads, TDs and
 * buffers live (links and buffer pointers are fuzzed too, so they point
 * anywhere, at themselves, or outside RAM), host input events and clock
 * advances that run frames. The walk's bounds must end every frame; ASan
 * and UBSan watch every access.
 *
 *   4-byte records op | a | b | c:
 *   op % 8 = 0: write register a & 0x1f (size 1 << (b & 3), value b << 8 | c)
 *            1: read register a & 0x1f (size 1 << (b & 3))
 *            2: RAM[(a << 8 | b)] = c
 *            3: a link dword at (a << 8 | b) * 4 % RAM: address from c (inside RAM, or
 *               outside with c & 0x80) and the T/Q/Vf bits from c & 7
 *            4: a TD's ctrl and token at (a << 8 | b) * 16 % RAM: Active, IOC, SPD from c,
 *               a PID among SETUP/IN/OUT/bad, address and endpoint from c, MaxLen from a
 *            5: advance the clock by (a << 4 | b & 15) * 250 us and run the timers
 *            6: a pointer or key event (the tablet at (a, b) * 128, a key code c)
 *            7: start the schedule at the frame list (RS, FLBASEADD 0, ports enabled)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "state/snapshot.h"

#define RAM_SIZE 65536
#define IOB 0xc000

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

static void put32(uint32_t at, uint32_t v)
{
	memcpy(ram + at % (RAM_SIZE - 3), &v, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine m;
	struct accel acc = { &ops };
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 16, .usb = true, .nr_usb = 3,
				      .usb_hub_port = 2, .usb_hub_before = 1 };
	static const uint8_t pids[4] = { 0x2d, 0x69, 0xe1, 0x87 };
	char err[256];

	log_set_sink(&sink);
	cfg.usb_dev[0] = (struct machine_usb){ .kind = USB_HID_TABLET, .port = 1 };
	cfg.usb_dev[1] = (struct machine_usb){ .kind = USB_HID_KEYBOARD, .port = 2, .hub_port = 1 };
	cfg.usb_dev[2] = (struct machine_usb){ .kind = USB_HID_MOUSE, .port = 2, .hub_port = 2 };
	memset(ram, 0, sizeof(ram));
	now_ns = 1000;
	if (machine_create(&m, &cfg, &acc, fake_clock, NULL, err, sizeof(err)))
		abort();
	cfg_write(&m, PCI_DEVFN(1, 2), 0x20, 4, IOB | 1);
	cfg_write(&m, PCI_DEVFN(1, 2), PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	for (size_t i = 0; i + 4 <= size; i += 4) {
		uint8_t op = data[i] % 8, a = data[i + 1], b = data[i + 2], c = data[i + 3];
		unsigned int width = 1u << (b & 3);

		switch (op) {
		case 0:
			io_space_write(&m.io, IOB + (a & 0x1f), width == 8 ? 4 : width, (uint32_t)b << 8 | c);
			break;
		case 1:
			(void)io_space_read(&m.io, IOB + (a & 0x1f), width == 8 ? 4 : width);
			break;
		case 2:
			ram[((unsigned int)a << 8 | b) % RAM_SIZE] = c;
			break;
		case 3: {
			uint32_t target = (c & 0x80) ? 0x7ff00000u + ((uint32_t)c << 4) : ((uint32_t)c << 8) % RAM_SIZE;

			put32(((uint32_t)a << 8 | b) * 4, (target & ~0xfu) | (c & 7));
			break;
		}
		case 4: {
			uint32_t at = ((uint32_t)a << 8 | b) * 16 % RAM_SIZE;
			uint32_t ctrl = (c & 1 ? 1u << 23 : 0) | (c & 2 ? 1u << 24 : 0) | (c & 4 ? 1u << 29 : 0) | 3u << 27;
			uint32_t token = pids[(c >> 3) & 3] | (uint32_t)((c >> 5) & 1) << 8 | (uint32_t)((c >> 6) & 1) << 15 |
					 (uint32_t)((a & 0x3f) * 8 - 1) << 21;

			put32(at + 4, ctrl);
			put32(at + 8, token);
			put32(at + 12, ((uint32_t)b << 8) % RAM_SIZE);
			break;
		}
		case 5:
			now_ns += (uint64_t)((unsigned int)a << 4 | (b & 15)) * 250000;
			clock_run_timers(&m.clock);
			break;
		case 6:
			if (c & 1)
				usb_hid_key(&m.usb_hid[1], (uint16_t)((c & 2 ? 0xe000 : 0) | (b & 0x7f)), a & 1);
			else if (c & 2)
				usb_hid_pointer_rel(&m.usb_hid[2], (int8_t)a * 40, (int8_t)b * 40, (c >> 2) & 3, c >> 5);
			else
				usb_hid_pointer_abs(&m.usb_hid[0], a * 128, b * 128, c >> 5);
			break;
		default:
			if (a & 1) {
				/* Whatever state the guest made must save, check and load back. */
				static struct wbuf w;
				struct load_report rep;

				wbuf_init(&w, STREAM_MAX_SIZE);
				if (snapshot_save(&m, &w, err, sizeof(err)) ||
				    snapshot_load(&m, w.data, w.len, &rep, err, sizeof(err))) {
					fprintf(stderr, "round trip: %s\n", err);
					abort();
				}
				wbuf_free(&w);
				break;
			}
			io_space_write(&m.io, IOB + 0x10, 2, 0x0004);
			io_space_write(&m.io, IOB + 0x12, 2, 0x0004);
			io_space_write(&m.io, IOB + 0x08, 4, 0);
			io_space_write(&m.io, IOB + 0x00, 2, 0x0001);
			break;
		}
	}
	machine_destroy(&m);
	return 0;
}
