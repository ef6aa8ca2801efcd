// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the whole Cirrus card on a pc machine: a guest
 * program of legacy-port, window, BAR0 (linear window, BitBLT aperture),
 * BAR1 MMIO and graphics-register accesses -- which start blits -- with
 * renders in between, on 4 or 8 MiB of VRAM (ASan sees every byte beyond
 * it). The BARs are placed first, as firmware would.
 *
 *   byte 0: bit 0: 8 MiB of VRAM (else 4); then 4-byte records op | a | b | c:
 *   op % 8 = 0: write port 0x3b0 + a % 48, byte c
 *            1: read port 0x3b0 + a % 48
 *            2: graphics register a (0x00-0x3f) = c (the blitter's registers, GR31 starts)
 *            3: write window[(a << 9 | b) % 128 KiB] = c; 4: read it
 *            5: write BAR0 + ((a << 16 | b << 8 | c) scaled over 32 MiB) = c ^ b
 *            6: BAR1 MMIO[(a << 8 | b) % 4 KiB] = c
 *            7: render (the hardware cursor included)
 */
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "ui/console.h"
#include "vm/accel_none.h"

#define BAR0 0xe0000000u
#define BAR1 0xe2000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cfg_write(struct machine *m, unsigned int reg, unsigned int len, uint32_t val)
{
	io_space_write(&m->io, 0xcf8, 4, 0x80000000u | PCI_DEVFN(2, 0) << 8 | reg);
	io_space_write(&m->io, 0xcfc, len, val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct machine m;
	struct accel_none acc;
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 16,
				      .display = DISPLAY_CIRRUS };
	char err[256];

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	cfg.vgamem_mb = (data[0] & 1) ? 8 : 4;
	accel_none_init(&acc);
	if (machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)))
		abort();
	cfg_write(&m, 0x10, 4, BAR0);
	cfg_write(&m, 0x14, 4, BAR1);
	cfg_write(&m, PCI_COMMAND, 2, 0x0003);
	for (size_t i = 1; i + 4 <= size; i += 4) {
		uint8_t op = data[i] % 8, a = data[i + 1], b = data[i + 2], c = data[i + 3];
		uint32_t win = VGA_WINDOW_BASE + (((uint32_t)a << 9 | b) % VGA_WINDOW_SIZE);
		uint32_t lin = (uint32_t)(((uint64_t)((uint32_t)a << 16 | (uint32_t)b << 8 | c) * CIRRUS_BAR0_SIZE) >> 24);

		switch (op) {
		case 0:
			io_space_write(&m.io, (uint16_t)(0x3b0 + a % 48), 1, c);
			break;
		case 1:
			(void)io_space_read(&m.io, (uint16_t)(0x3b0 + a % 48), 1);
			break;
		case 2:
			io_space_write(&m.io, VGA_GFX_I, 1, a % 0x40);
			io_space_write(&m.io, VGA_GFX_D, 1, c);
			break;
		case 3:
			io_space_write(&m.mmio, win, 1, c);
			break;
		case 4:
			(void)io_space_read(&m.mmio, win, 1);
			break;
		case 5:
			io_space_write(&m.mmio, BAR0 + lin, 1, (uint8_t)(c ^ b));
			break;
		case 6:
			io_space_write(&m.mmio, BAR1 + (((uint32_t)a << 8 | b) % CIRRUS_MMIO_SIZE), 1, c);
			break;
		default:
			console_refresh(&m.console);
			break;
		}
	}
	console_refresh(&m.console);
	machine_destroy(&m);
	return 0;
}
