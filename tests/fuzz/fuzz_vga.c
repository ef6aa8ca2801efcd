// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the VGA core and its renderer: a guest program of
 * legacy-port, window and Bochs VBE accesses, with renders in between, on a
 * 256 KiB or 1 MiB VRAM (ASan sees every byte beyond it).
 *
 *   byte 0: bit 0: 1 MiB of VRAM (else 256 KiB); then 4-byte records:
 *     op (mod 6) | a | b | c
 *   0: write port 0x3b0 + a % 48, byte c (also 16-bit when b & 1: b << 8 | c)
 *   1: read port 0x3b0 + a % 48
 *   2: write window[(a << 9 | b << 1) % 128 KiB] = c
 *   3: read window[(a << 9 | b << 1) % 128 KiB]
 *   4: VBE: index a % 12, data b << 8 | c
 *   5: render, at time c * 50 ms
 */
#include <stdlib.h>
#include <string.h>

#include "hw/core/bus.h"
#include "hw/core/log.h"
#include "hw/display/vga.h"
#include "hw/display/vga_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vga_renderer rd;
	struct io_space io, mmio;
	struct vga v;
	uint32_t vram_size;
	uint8_t *vram;

	if (size < 1)
		return 0;
	log_set_level(LOG_ERROR);
	vram_size = (data[0] & 1) ? 1u << 20 : 1u << 18;
	vram = malloc(vram_size);
	if (!vram)
		return 0;
	memset(vram, 0x5a, vram_size);
	io_space_init(&io, IO_SPACE_PORT, NULL);
	io_space_init(&mmio, IO_SPACE_MMIO, NULL);
	if (vga_init(&v, &(struct vga_config){ .vram = vram, .vram_size = vram_size, .vbe = true }) ||
	    vga_claim(&v, &io, &mmio))
		abort();
	vga_renderer_init(&rd);
	for (size_t i = 1; i + 4 <= size; i += 4) {
		uint8_t op = data[i] % 6, a = data[i + 1], b = data[i + 2], c = data[i + 3];
		uint32_t win = VGA_WINDOW_BASE + (((uint32_t)a << 9 | (uint32_t)b << 1) % VGA_WINDOW_SIZE);

		switch (op) {
		case 0:
			if (b & 1)
				io_space_write(&io, (uint16_t)(0x3b0 + a % 48), 2, (uint64_t)b << 8 | c);
			else
				io_space_write(&io, (uint16_t)(0x3b0 + a % 48), 1, c);
			break;
		case 1:
			(void)io_space_read(&io, (uint16_t)(0x3b0 + a % 48), 1);
			break;
		case 2:
			io_space_write(&mmio, win, 1, c);
			break;
		case 3:
			(void)io_space_read(&mmio, win, 1);
			break;
		case 4:
			io_space_write(&io, VBE_DISPI_IOPORT_INDEX, 2, a % 12);
			io_space_write(&io, VBE_DISPI_IOPORT_DATA, 2, (uint64_t)b << 8 | c);
			break;
		default:
			(void)vga_render(&v, &rd, (uint64_t)c * 50);
			break;
		}
	}
	(void)vga_render(&v, &rd, 0);
	vga_renderer_destroy(&rd);
	vga_destroy(&v);
	io_space_destroy(&io);
	io_space_destroy(&mmio);
	free(vram);
	return 0;
}
