// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Cirrus CL-GD5446 through the guest's ports, window, BAR0 and BAR1 MMIO
 * on a machine: PCI identity and BARs, every extended register block
 * (sequencer, graphics controller, CRTC, hidden DAC and palette), the two
 * window banks and their granularity, write modes 4 and 5, the linear
 * window's masking and BitBLT aperture, the memory-mapped BitBLT registers,
 * a blit started through the ports, the extended modes as drawn, the
 * hardware cursor, VRAM behind BAR0 where the accelerator maps it, and the
 * saved state (save, check, load, save again; refusals). Expected values
 * are QEMU 7.2's (hw/display/cirrus_vga.c), which the stock device model
 * showed.
 */
#include "testlib.h"

#include "hw/display/cirrus.h"
#include "state/qevm.h"
#include "ui/console.h"

#define DEVFN PCI_DEVFN(2, 0)
#define BAR0 0xe0000000u
#define BAR1 0xe2000000u

static struct tm_ctx *ct_new(unsigned int mb, bool devmem)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = mb };
	struct tm_ctx *t = calloc(1, sizeof(*t));
	char err[256];

	assert_non_null(t);
	accel_double_init(&t->acc);
	t->acc.devmem_enable = devmem;
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	return t;
}

static void bars_on(struct tm_ctx *t)
{
	cfg_wr(t, DEVFN, 0x10, 4, BAR0);
	cfg_wr(t, DEVFN, 0x14, 4, BAR1);
	cfg_wr(t, DEVFN, PCI_COMMAND, 2, 0x0003);
}

static void sr(struct tm_ctx *t, uint8_t idx, uint8_t v)
{
	outp(t, VGA_SEQ_I, 1, idx);
	outp(t, VGA_SEQ_D, 1, v);
}

static uint8_t sr_rd(struct tm_ctx *t, uint8_t idx)
{
	outp(t, VGA_SEQ_I, 1, idx);
	return (uint8_t)inp(t, VGA_SEQ_D, 1);
}

static void gr(struct tm_ctx *t, uint8_t idx, uint8_t v)
{
	outp(t, VGA_GFX_I, 1, idx);
	outp(t, VGA_GFX_D, 1, v);
}

static uint8_t gr_rd(struct tm_ctx *t, uint8_t idx)
{
	outp(t, VGA_GFX_I, 1, idx);
	return (uint8_t)inp(t, VGA_GFX_D, 1);
}

static void cr(struct tm_ctx *t, uint8_t idx, uint8_t v)
{
	outp(t, VGA_CRT_IC, 1, idx);
	outp(t, VGA_CRT_DC, 1, v);
}

static uint8_t cr_rd(struct tm_ctx *t, uint8_t idx)
{
	outp(t, VGA_CRT_IC, 1, idx);
	return (uint8_t)inp(t, VGA_CRT_DC, 1);
}

static void mem_wr(struct tm_ctx *t, uint64_t addr, uint8_t v)
{
	io_space_write(&t->m.mmio, addr, 1, v);
}

static uint8_t mem_rd(struct tm_ctx *t, uint64_t addr)
{
	return (uint8_t)io_space_read(&t->m.mmio, addr, 1);
}

/* The PCI function QEMU's -device cirrus-vga shows, and its BARs' sizes. */
static void test_pci_identity(void **state)
{
	struct tm_ctx *t = ct_new(8, false);

	(void)state;
	assert_int_equal(cfg_rd(t, DEVFN, 0x00, 4), 0x00b81013);
	assert_int_equal(cfg_rd(t, DEVFN, 0x08, 4) >> 8, 0x030000);
	assert_int_equal(cfg_rd(t, DEVFN, 0x2c, 4), 0x11001af4);
	cfg_wr(t, DEVFN, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, DEVFN, 0x10, 4), 0xfe000008); /* 32 MiB, prefetchable */
	cfg_wr(t, DEVFN, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, DEVFN, 0x14, 4), 0xfffff000); /* 4 KiB */
	cfg_wr(t, DEVFN, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, DEVFN, 0x18, 4), 0);
	/* The Cirrus VGA BIOS through the ROM BAR. */
	cfg_wr(t, DEVFN, 0x30, 4, 0xfe000001);
	cfg_wr(t, DEVFN, PCI_COMMAND, 2, 0x0002);
	assert_int_equal(io_space_read(&t->m.mmio, 0xfe000000, 2), 0xaa55);
	tm_free(t);
}

/* The traditional machine's card carries XenSource's subsystem IDs, as qemu-dm's did. */
static void test_trad_subsystem(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV_TRAD, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = 4 };
	struct tm_ctx *t = tm_new_cfg(&cfg);

	(void)state;
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0x2c, 4), 0x00015853);
	tm_free(t);
}

/* vgamem_mb other than 4, 8, 16 is refused, naming the xl setting. */
static void test_bad_vram(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = 32 };
	struct accel_double acc;
	struct machine *m = calloc(1, sizeof(*m));
	char err[256];

	(void)state;
	assert_non_null(m);
	accel_double_init(&acc);
	assert_int_not_equal(machine_create(m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "videoram="));
	free(m);
}

static void test_sequencer(void **state)
{
	struct tm_ctx *t = ct_new(8, false);

	(void)state;
	/* Power-on values of a 4 MiB 5446. */
	assert_int_equal(sr_rd(t, 0x06), 0x0f);
	assert_int_equal(sr_rd(t, 0x0f), 0x98);
	assert_int_equal(sr_rd(t, 0x15), 0x04);
	assert_int_equal(sr_rd(t, 0x17), 0x20);
	assert_int_equal(sr_rd(t, 0x1f), 0x2d);
	/* The unlock: SeaBIOS writes 0x92 and expects 0x12; anything else locks (0x0f). */
	sr(t, 0x06, 0x92);
	assert_int_equal(sr_rd(t, 0x06), 0x12);
	sr(t, 0x06, 0x00);
	assert_int_equal(sr_rd(t, 0x06), 0x0f);
	/* The index keeps all 8 bits; the standard registers keep their masks. */
	outp(t, VGA_SEQ_I, 1, 0x1e);
	assert_int_equal(inp(t, VGA_SEQ_I, 1), 0x1e);
	sr(t, 0x01, 0xff);
	assert_int_equal(sr_rd(t, 0x01), 0x3d);
	/* SR17 keeps its bus-type bits. */
	sr(t, 0x17, 0xff);
	assert_int_equal(sr_rd(t, 0x17), 0xe7);
	sr(t, 0x17, 0x20);
	/* Scratch and clock registers hold what was written; nothing lives past 0x1f. */
	sr(t, 0x09, 0x5a);
	assert_int_equal(sr_rd(t, 0x09), 0x5a);
	sr(t, 0x20, 0x5a);
	assert_int_equal(sr_rd(t, 0x20), 0xff);
	/* The cursor position: the index's top 3 bits are the low bits of the position. */
	sr(t, 0x30, 0x12); /* x = 0x12 << 3 | 1 */
	sr(t, 0xf1, 0x34); /* y = 0x34 << 3 | 7 */
	assert_int_equal(t->m.cirrus.ext.hw_cursor_x, 0x91);
	assert_int_equal(t->m.cirrus.ext.hw_cursor_y, 0x1a7);
	assert_int_equal(sr_rd(t, 0x10), 0x12);
	assert_int_equal(sr_rd(t, 0xd1), 0x34);
	tm_free(t);
}

static void test_graphics_controller(void **state)
{
	struct tm_ctx *t = ct_new(8, false);

	(void)state;
	/* GR00/GR01 read back whole (the blitter's colours); the VGA sees their low nibble. */
	gr(t, 0x00, 0xab);
	gr(t, 0x01, 0xcd);
	assert_int_equal(gr_rd(t, 0x00), 0xab);
	assert_int_equal(gr_rd(t, 0x01), 0xcd);
	assert_int_equal(t->m.cirrus.vga.r.gr[0], 0x0b);
	assert_int_equal(t->m.cirrus.vga.r.gr[1], 0x0d);
	gr(t, 0x05, 0xff);
	assert_int_equal(gr_rd(t, 0x05), 0x7f);
	/* The blitter's registers and their widths. */
	gr(t, 0x21, 0xff);
	assert_int_equal(gr_rd(t, 0x21), 0x1f);
	gr(t, 0x2a, 0xff);
	assert_int_equal(gr_rd(t, 0x2a), 0x3f);
	gr(t, 0x2e, 0xff);
	assert_int_equal(gr_rd(t, 0x2e), 0x3f);
	gr(t, 0x32, 0x0d);
	assert_int_equal(gr_rd(t, 0x32), 0x0d);
	gr(t, 0x18, 0x00); /* no such write: the reset value stays */
	assert_int_equal(gr_rd(t, 0x18), 0x0f);
	assert_int_equal(gr_rd(t, 0x3a), 0xff);
	tm_free(t);
}

static void test_crtc(void **state)
{
	struct tm_ctx *t = ct_new(8, false);

	(void)state;
	outp(t, VGA_MIS_W, 1, 0x67);
	assert_int_equal(cr_rd(t, 0x27), 0xb8); /* the part ID SeaBIOS checks */
	cr(t, 0x27, 0x00);
	assert_int_equal(cr_rd(t, 0x27), 0xb8);
	cr(t, 0x1b, 0x32);
	assert_int_equal(cr_rd(t, 0x1b), 0x32);
	assert_int_equal(cr_rd(t, 0x30), 0xff);
	/* Attribute flip-flop and index readback. */
	(void)inp(t, VGA_IS1_RC, 1);
	outp(t, VGA_ATT_W, 1, 0x31);
	assert_int_equal(cr_rd(t, 0x24), 0x80);
	assert_int_equal(cr_rd(t, 0x26), 0x31);
	/* The standard CRTC still has its protection. */
	cr(t, 0x11, 0x80);
	cr(t, 0x01, 0x4f);
	assert_int_equal(cr_rd(t, 0x01), 0x00);
	tm_free(t);
}

/* Four reads of 0x3c6 open the hidden DAC register; the depth follows it and SR07. */
static void test_hidden_dac_and_depth(void **state)
{
	struct tm_ctx *t = ct_new(8, false);
	struct cirrus *s = &t->m.cirrus;

	(void)state;
	(void)inp(t, VGA_PEL_IW, 1); /* resets the count */
	for (int i = 0; i < 4; i++)
		assert_int_equal(inp(t, VGA_PEL_MSK, 1), 0xff);
	outp(t, VGA_PEL_MSK, 1, 0xc1);
	assert_int_equal(s->ext.hidden_dac_data, 0xc1);
	for (int i = 0; i < 4; i++)
		(void)inp(t, VGA_PEL_MSK, 1);
	assert_int_equal(inp(t, VGA_PEL_MSK, 1), 0xc1);
	/* Without the four reads a write does nothing. */
	outp(t, VGA_PEL_MSK, 1, 0x00);
	assert_int_equal(s->ext.hidden_dac_data, 0xc1);
	assert_int_equal(cirrus_bpp(s), 0);
	sr(t, 0x07, 0x01);
	assert_int_equal(cirrus_bpp(s), 8);
	sr(t, 0x07, 0x07);
	assert_int_equal(cirrus_bpp(s), 16);
	s->ext.hidden_dac_data = 0xc0;
	assert_int_equal(cirrus_bpp(s), 15);
	sr(t, 0x07, 0x05);
	assert_int_equal(cirrus_bpp(s), 24);
	sr(t, 0x07, 0x09);
	assert_int_equal(cirrus_bpp(s), 32);
	/* The hidden palette (the cursor's colours) behind SR12 bit 1. */
	sr(t, 0x12, 0x02);
	outp(t, VGA_PEL_IW, 1, 0x0f);
	outp(t, VGA_PEL_D, 1, 0x3f);
	outp(t, VGA_PEL_D, 1, 0x20);
	outp(t, VGA_PEL_D, 1, 0x10);
	assert_memory_equal(&s->ext.hidden_palette[15 * 3], "\x3f\x20\x10", 3);
	assert_int_equal(s->vga.r.palette[15 * 3], 0);
	outp(t, VGA_PEL_IR, 1, 0x0f);
	assert_int_equal(inp(t, VGA_PEL_D, 1), 0x3f);
	tm_free(t);
}

/* The extended mode's two 32 KiB banks: single, dual, 4 KiB and 16 KiB granularity, the end of VRAM. */
static void test_banking(void **state)
{
	struct tm_ctx *t = ct_new(8, false);
	uint8_t *vram = t->m.cirrus.vram;

	(void)state;
	sr(t, 0x07, 0x01);
	gr(t, 0x09, 0x10); /* single bank, 4 KiB units: 64 KiB */
	mem_wr(t, 0xa0000, 0x11);
	mem_wr(t, 0xa8000, 0x22); /* the second half of the single bank */
	assert_int_equal(vram[0x10000], 0x11);
	assert_int_equal(vram[0x18000], 0x22);
	assert_int_equal(mem_rd(t, 0xa8000), 0x22);
	gr(t, 0x0b, 0x01); /* dual banks */
	gr(t, 0x0a, 0x20);
	mem_wr(t, 0xa8001, 0x33);
	assert_int_equal(vram[0x20001], 0x33);
	gr(t, 0x0b, 0x21); /* 16 KiB units */
	gr(t, 0x09, 0x02);
	mem_wr(t, 0xa0002, 0x44);
	assert_int_equal(vram[0x8002], 0x44);
	/* A bank at the end of the 4 MiB: past it the window reads 0xff and writes nothing. */
	gr(t, 0x09, 0xff); /* 0x3fc000: 16 KiB left */
	mem_wr(t, 0xa3fff, 0x55);
	assert_int_equal(vram[0x3fffff], 0x55);
	mem_wr(t, 0xa4000, 0x66);
	assert_int_equal(mem_rd(t, 0xa4000), 0xff);
	for (uint32_t i = 0x400000; i < t->m.cirrus.vram_size; i++)
		if (vram[i])
			fail_msg("byte %#x past the addressable 4 MiB was written", i);
	/* Out of the extended mode the window is the VGA's planes again. */
	sr(t, 0x07, 0x00);
	gr(t, 0x06, 0x04);
	sr(t, 0x04, 0x08); /* chain 4 */
	sr(t, 0x02, 0x0f);
	mem_wr(t, 0xa0000, 0x77);
	assert_int_equal(vram[0], 0x77);
	tm_free(t);
}

/* Write modes 4 and 5: a bit per pixel, foreground and (mode 5) background, 8 and 16 bpp. */
static void test_write_modes_4_5(void **state)
{
	struct tm_ctx *t = ct_new(8, false);
	uint8_t *vram = t->m.cirrus.vram;

	(void)state;
	sr(t, 0x07, 0x01);
	gr(t, 0x0b, 0x04);
	gr(t, 0x00, 0x11);
	gr(t, 0x01, 0xee);
	memset(vram, 0x99, 16);
	gr(t, 0x05, 0x04);
	mem_wr(t, 0xa0000, 0xa5);
	assert_memory_equal(vram, "\xee\x99\xee\x99\x99\xee\x99\xee", 8);
	gr(t, 0x05, 0x05);
	mem_wr(t, 0xa0000, 0xa5);
	assert_memory_equal(vram, "\xee\x11\xee\x11\x11\xee\x11\xee", 8);
	/* 16 bpp (GR0B bit 4): two bytes a pixel, the high one from GR10/GR11; addresses scale by 16. */
	gr(t, 0x0b, 0x14);
	gr(t, 0x10, 0x22);
	gr(t, 0x11, 0xdd);
	mem_wr(t, 0xa0001, 0x80);
	assert_memory_equal(vram + 16, "\xee\xdd\x11\x22", 4);
	tm_free(t);
}

/* BAR0: VRAM masked to 4 MiB, scaled addressing, the BitBLT aperture, BitBLT registers at its top. */
static void test_linear_window(void **state)
{
	struct tm_ctx *t = ct_new(8, false);
	uint8_t *vram = t->m.cirrus.vram;

	(void)state;
	bars_on(t);
	mem_wr(t, BAR0 + 0x1234, 0x5a);
	assert_int_equal(vram[0x1234], 0x5a);
	assert_int_equal(mem_rd(t, BAR0 + 0x1234), 0x5a);
	/* Past 4 MiB (inside the 8 the card has) the 5446 wraps. */
	assert_int_equal(mem_rd(t, BAR0 + 0x401234), 0x5a);
	mem_wr(t, BAR0 + 0x400010, 0x6b);
	assert_int_equal(vram[0x10], 0x6b);
	assert_int_equal(vram[0x400010], 0);
	/* The aperture reads nothing and takes no data without a blit waiting for it. */
	assert_int_equal(mem_rd(t, BAR0 + CIRRUS_BITBLT_APERTURE), 0xff);
	mem_wr(t, BAR0 + CIRRUS_BITBLT_APERTURE, 0x12);
	assert_int_equal(vram[0], 0);
	/* SR17 bits 2 and 6: the BitBLT registers in the last 256 bytes of the 4 MiB. */
	sr(t, 0x17, 0x64);
	mem_wr(t, BAR0 + 0x3fff00 + 0x08, 0x7f); /* width low: GR20 */
	assert_int_equal(gr_rd(t, 0x20), 0x7f);
	assert_int_equal(mem_rd(t, BAR0 + 0x3fff00 + 0x08), 0x7f);
	sr(t, 0x17, 0x20);
	tm_free(t);
}

/* BAR1: the VGA ports at 0x00 (port 0x3c0 + offset), the BitBLT registers at 0x100. */
static void test_mmio_bar(void **state)
{
	struct tm_ctx *t = ct_new(8, false);

	(void)state;
	bars_on(t);
	/* What Linux's cirrus driver does: SR06 through 0x04/0x05, the hidden DAC through 0x06. */
	mem_wr(t, BAR1 + 0x04, 0x06);
	mem_wr(t, BAR1 + 0x05, 0x12);
	assert_int_equal(sr_rd(t, 0x06), 0x12);
	mem_wr(t, BAR1 + 0x0e, 0x05); /* GR index */
	mem_wr(t, BAR1 + 0x0f, 0x40);
	assert_int_equal(gr_rd(t, 0x05), 0x40);
	outp(t, VGA_MIS_W, 1, 0x67);
	mem_wr(t, BAR1 + 0x14, 0x1b); /* CRTC 0x3d4 */
	mem_wr(t, BAR1 + 0x15, 0x22);
	assert_int_equal(cr_rd(t, 0x1b), 0x22);
	/* The BitBLT registers by MMIO name: colours, sizes, addresses, mode, ROP, status. */
	mem_wr(t, BAR1 + 0x100 + 0x00, 0x12);
	mem_wr(t, BAR1 + 0x100 + 0x01, 0x34);
	assert_int_equal(gr_rd(t, 0x00), 0x12);
	assert_int_equal(gr_rd(t, 0x10), 0x34);
	mem_wr(t, BAR1 + 0x100 + 0x0c, 0x80); /* destination pitch */
	mem_wr(t, BAR1 + 0x100 + 0x12, 0xff);
	assert_int_equal(gr_rd(t, 0x24), 0x80);
	assert_int_equal(gr_rd(t, 0x2a), 0x3f);
	mem_wr(t, BAR1 + 0x100 + 0x1a, 0x0d);
	assert_int_equal(gr_rd(t, 0x32), 0x0d);
	assert_int_equal(mem_rd(t, BAR1 + 0x100 + 0x40), 0); /* status: idle */
	assert_int_equal(mem_rd(t, BAR1 + 0x100 + 0x13), 0xff);
	assert_int_equal(mem_rd(t, BAR1 + 0xfff), 0xff);
	tm_free(t);
}

/* Program a blit as a driver does (through BAR1) and start it. */
static void blit_regs(struct tm_ctx *t, uint32_t width, uint32_t height, uint32_t dpitch, uint32_t spitch,
		      uint32_t dst, uint32_t src, uint8_t mode, uint8_t rop, uint8_t modeext)
{
	gr(t, 0x20, (uint8_t)(width - 1));
	gr(t, 0x21, (uint8_t)((width - 1) >> 8));
	gr(t, 0x22, (uint8_t)(height - 1));
	gr(t, 0x23, (uint8_t)((height - 1) >> 8));
	gr(t, 0x24, (uint8_t)dpitch);
	gr(t, 0x25, (uint8_t)(dpitch >> 8));
	gr(t, 0x26, (uint8_t)spitch);
	gr(t, 0x27, (uint8_t)(spitch >> 8));
	gr(t, 0x28, (uint8_t)dst);
	gr(t, 0x29, (uint8_t)(dst >> 8));
	gr(t, 0x2a, (uint8_t)(dst >> 16));
	gr(t, 0x2c, (uint8_t)src);
	gr(t, 0x2d, (uint8_t)(src >> 8));
	gr(t, 0x2e, (uint8_t)(src >> 16));
	gr(t, 0x30, mode);
	gr(t, 0x32, rop);
	gr(t, 0x33, modeext);
}

/* Blits through the ports: a copy, a solid fill, CPU data through the window, an impossible one. */
static void test_blits(void **state)
{
	struct tm_ctx *t = ct_new(8, true);
	struct cirrus *s = &t->m.cirrus;
	uint8_t *vram = s->vram;

	(void)state;
	bars_on(t);
	sr(t, 0x07, 0x01);
	assert_true(s->vram_mapped);
	for (int i = 0; i < 64; i++)
		vram[0x1000 + i] = (uint8_t)(i + 1);
	/* Video to video, 16 x 4 bytes, pitch 16, ROP "source". */
	blit_regs(t, 16, 4, 16, 16, 0x2000, 0x1000, 0x00, 0x0d, 0x00);
	gr(t, 0x31, 0x02);
	assert_memory_equal(vram + 0x2000, vram + 0x1000, 64);
	assert_int_equal(gr_rd(t, 0x31) & 0x03, 0);
	/* Solid fill with the foreground colour (GR01), 8 x 2 at pitch 32. */
	gr(t, 0x01, 0x5c);
	blit_regs(t, 8, 2, 32, 0, 0x3000, 0, 0xc0, 0x0d, 0x04);
	gr(t, 0x31, 0x02);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 32; x++)
			assert_int_equal(vram[0x3000 + y * 32 + x], x < 8 ? 0x5c : 0);
	/* CPU to video: BAR0 is unmapped while the blit waits for the data, and mapped again after. */
	blit_regs(t, 4, 2, 16, 0, 0x4000, 0, 0x04, 0x0d, 0x00);
	gr(t, 0x31, 0x02);
	assert_false(s->vram_mapped);
	assert_int_equal(gr_rd(t, 0x31) & 0x01, 0x01);
	for (int i = 0; i < 8; i++)
		mem_wr(t, 0xa0000, (uint8_t)(0xa0 + i));
	assert_memory_equal(vram + 0x4000, "\xa0\xa1\xa2\xa3", 4);
	assert_memory_equal(vram + 0x4010, "\xa4\xa5\xa6\xa7", 4);
	assert_int_equal(gr_rd(t, 0x31) & 0x01, 0);
	assert_true(s->vram_mapped);
	/* A copy whose destination runs past VRAM: nothing moves, the engine is idle again. */
	memcpy(vram + 0x5000, vram + 0x1000, 64);
	blit_regs(t, 256, 100, 0x1fff, 16, 0x3f0000, 0x1000, 0x00, 0x0d, 0x00);
	gr(t, 0x31, 0x02);
	assert_int_equal(gr_rd(t, 0x31) & 0x03, 0);
	assert_int_equal(vram[0x3f0000], 0);
	tm_free(t);
}

/* A 640x480 mode at 16 bpp, as Linux's driver sets it, drawn with the start address and pitch extensions. */
static void test_render_extended(void **state)
{
	struct tm_ctx *t = ct_new(8, false);
	struct cirrus *s = &t->m.cirrus;
	uint32_t *row;

	(void)state;
	outp(t, VGA_MIS_W, 1, 0x67);
	cr(t, 0x11, 0x00);
	cr(t, 0x01, 79);   /* 640 wide */
	cr(t, 0x12, 0xdf); /* 480 lines: 0x1df */
	cr(t, 0x07, 0x02 | 0x10);
	cr(t, 0x09, 0x40);
	cr(t, 0x17, 0xc3);
	cr(t, 0x18, 0xff);
	cr(t, 0x13, 0x40); /* with CR1B bit 4: pitch (0x40 | 0x100) << 3 = 2560 bytes */
	cr(t, 0x1b, 0x10 | 0x02);
	cr(t, 0x0c, 0x00);
	cr(t, 0x0d, 0x10); /* start at word 0x10: byte 0x40 */
	gr(t, 0x05, 0x40);
	gr(t, 0x06, 0x01);
	sr(t, 0x07, 0x07); /* extended, 16 bpp */
	(void)inp(t, VGA_PEL_IW, 1);
	for (int i = 0; i < 4; i++)
		(void)inp(t, VGA_PEL_MSK, 1);
	outp(t, VGA_PEL_MSK, 1, 0xc1); /* 5:6:5 */
	(void)inp(t, VGA_IS1_RC, 1);
	outp(t, VGA_ATT_W, 1, 0x20);
	/* Pixel (3, 2): start 0x40 + 2 lines of 0xa00 bytes + 3 * 2. */
	s->vram[0x40 + 2 * 0xa00 + 6] = 0x1f; /* blue */
	s->vram[0x40 + 2 * 0xa00 + 7] = 0xf8; /* red */
	console_refresh(&t->m.console);
	assert_int_equal(s->render.surface.width, 640);
	assert_int_equal(s->render.surface.height, 480);
	row = surface_row(&s->render.surface, 2);
	assert_int_equal(row[3], 0xff00ff);
	assert_int_equal(row[2], 0);
	/* The hardware cursor: 32x32 at (8, 1), its pattern in the last 16 KiB; colour 15 of the hidden palette. */
	sr(t, 0x12, 0x02);
	outp(t, VGA_PEL_IW, 1, 0x0f);
	outp(t, VGA_PEL_D, 1, 0x3f);
	outp(t, VGA_PEL_D, 1, 0x3f);
	outp(t, VGA_PEL_D, 1, 0x00);
	s->vram[CIRRUS_ADDRESSABLE - 16384 + 1 * 4] = 0x80;       /* plane 0, row 1, first pixel */
	s->vram[CIRRUS_ADDRESSABLE - 16384 + 128 + 1 * 4] = 0xc0; /* plane 1: pixels 0 and 1 */
	sr(t, 0x10, 0x01); /* x 8 */
	sr(t, 0x11, 0x00);
	sr(t, 0x12, 0x01); /* shown, 32x32 */
	console_refresh(&t->m.console);
	row = surface_row(&s->render.surface, 1);
	assert_int_equal(row[8], 0xffff00); /* 11: colour 15 */
	assert_int_equal(row[9], 0);        /* 10: colour 0, black */
	assert_int_equal(row[10], 0);       /* 00: transparent over black */
	/* Moved: drawn at its new place, gone from the old. */
	sr(t, 0x10, 0x02);
	console_refresh(&t->m.console);
	row = surface_row(&s->render.surface, 1);
	assert_int_equal(row[8], 0);
	assert_int_equal(row[16], 0xffff00);
	tm_free(t);
}

/* On KVM VRAM is guest memory behind BAR0 in linear modes, and the handler's otherwise. */
static void test_vram_mapping(void **state)
{
	struct tm_ctx *t = ct_new(8, true);
	struct cirrus *s = &t->m.cirrus;

	(void)state;
	assert_false(s->vram_mapped);
	bars_on(t);
	assert_true(s->vram_mapped);
	assert_int_equal(t->acc.devmem_gpa, BAR0);
	assert_int_equal(t->acc.devmem_size, 8u << 20);
	assert_ptr_equal(t->acc.devmem_host, s->vram);
	/* Write mode 5 (with GR0B bit 2) needs every write trapped. */
	gr(t, 0x0b, 0x04);
	gr(t, 0x05, 0x05);
	assert_false(s->vram_mapped);
	assert_int_equal(t->acc.devmem_gpa, ACCEL_UNMAPPED);
	gr(t, 0x05, 0x00);
	assert_true(s->vram_mapped);
	/* So does 8-byte addressing. */
	gr(t, 0x0b, 0x02);
	assert_false(s->vram_mapped);
	gr(t, 0x0b, 0x00);
	assert_true(s->vram_mapped);
	/* The BAR moves: VRAM follows. */
	cfg_wr(t, DEVFN, 0x10, 4, 0xd0000000);
	assert_int_equal(t->acc.devmem_gpa, 0xd0000000);
	cfg_wr(t, DEVFN, PCI_COMMAND, 2, 0x0000);
	assert_false(s->vram_mapped);
	cfg_wr(t, DEVFN, PCI_COMMAND, 2, 0x0002);
	assert_true(s->vram_mapped);
	machine_reset(&t->m);
	assert_false(s->vram_mapped);
	tm_free(t);
}

/* On KVM the window's banks in a linear extended mode are mappings of VRAM too, as QEMU's bank aliases. */
static void test_bank_mapping(void **state)
{
	struct tm_ctx *t = ct_new(8, true);
	struct cirrus *s = &t->m.cirrus;
	struct accel_double *d = &t->acc;

	(void)state;
	assert_true(d->devmem_extra_gpa[1] == ACCEL_UNMAPPED);
	sr(t, 0x07, 0x01);
	assert_int_equal(d->devmem_extra_gpa[1], 0xa0000);
	assert_int_equal(d->devmem_extra_gpa[2], 0xa8000);
	assert_ptr_equal(d->devmem_extra_host[1], s->vram);
	assert_ptr_equal(d->devmem_extra_host[2], s->vram + 0x8000);
	/* A bank switch moves the mapping. */
	gr(t, 0x09, 0x10);
	assert_ptr_equal(d->devmem_extra_host[1], s->vram + 0x10000);
	assert_ptr_equal(d->devmem_extra_host[2], s->vram + 0x18000);
	/* What the guest wrote through a mapped bank reaches the dirty pages at the bank's offset. */
	vga_clear_dirty(&s->vga);
	d->devmem_extra_log[2] = 1u << 3;
	cirrus_sync_dirty(s);
	assert_true(vga_is_dirty(&s->vga, 0x18000 + 3 * 4096, 1));
	assert_false(vga_is_dirty(&s->vga, 0x10000, 4096));
	/* Write modes 4/5 and 8-byte addressing need the handler: unmapped. */
	gr(t, 0x0b, 0x04);
	gr(t, 0x05, 0x05);
	assert_true(d->devmem_extra_gpa[1] == ACCEL_UNMAPPED);
	gr(t, 0x05, 0x00);
	assert_int_equal(d->devmem_extra_gpa[1], 0xa0000);
	gr(t, 0x0b, 0x02);
	assert_true(d->devmem_extra_gpa[2] == ACCEL_UNMAPPED);
	gr(t, 0x0b, 0x20);
	/* A bank that would run past the 4 MiB stays the handler's. */
	gr(t, 0x09, 0xff);
	assert_true(d->devmem_extra_gpa[1] == ACCEL_UNMAPPED);
	/* Out of the extended mode the window is the VGA's planes. */
	gr(t, 0x09, 0x00);
	assert_int_equal(d->devmem_extra_gpa[1], 0xa0000);
	sr(t, 0x07, 0x00);
	assert_true(d->devmem_extra_gpa[1] == ACCEL_UNMAPPED);
	sr(t, 0x07, 0x01);
	machine_reset(&t->m);
	assert_true(d->devmem_extra_gpa[1] == ACCEL_UNMAPPED);
	assert_true(d->devmem_extra_gpa[2] == ACCEL_UNMAPPED);
	tm_free(t);
}

static struct tm_ctx *xen_new(bool incoming)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = 8, .incoming = incoming };
	struct tm_ctx *t = calloc(1, sizeof(*t));
	char err[256];

	assert_non_null(t);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	return t;
}

/*
 * Xen's model: VRAM is guest frames, parked above RAM, relocated into BAR0
 * while the mode is linear and back when it is not (as qemu-xen does); the
 * state says where they are, and a restore takes them over there -- 8 MiB
 * of qemu-xen's, or the 4 MiB of qemu-xen-traditional's card.
 */
static void test_xen_frames(void **state)
{
	struct tm_ctx *t = xen_new(false), *t2;
	struct machine_state *st = calloc(1, sizeof(*st));
	char err[256];

	(void)state;
	assert_non_null(st);
	assert_int_equal(t->acc.frames_backings, 1);
	assert_int_equal(t->acc.frames_gpa, 128u << 20);
	bars_on(t);
	assert_int_equal(t->acc.frames_gpa, BAR0);
	gr(t, 0x0b, 0x04);
	gr(t, 0x05, 0x04);
	assert_int_equal(t->acc.frames_gpa, 128u << 20);
	gr(t, 0x05, 0x00);
	assert_int_equal(t->acc.frames_gpa, BAR0);
	machine_save_state(&t->m, st);
	assert_int_equal(st->cirrus.vram_gpa, BAR0);
	assert_int_equal(st->cirrus.vram_size, 8u << 20);
	st->cirrus.vram_gpa = 0;
	assert_int_not_equal(machine_check_state(&t->m, st, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "VRAM address 0"));
	st->cirrus.vram_gpa = BAR0;
	/* The restore: the frames at BAR0 are taken over before the BAR is applied. */
	t2 = xen_new(true);
	assert_int_equal(t2->acc.frames_backings, 0);
	if (machine_check_state(&t2->m, st, NULL, NULL, err, sizeof(err)))
		fail_msg("check: %s", err);
	machine_load_state(&t2->m, st);
	assert_int_equal(t2->acc.frames_backings, 1);
	assert_int_equal(t2->acc.frames_backed_at, BAR0);
	assert_int_equal(t2->acc.frames_gpa, BAR0);
	assert_true(t2->m.cirrus.vram_mapped);
	tm_free(t2);
	/* A traditional guest's 4 MiB at its LFB: backed with 4 MiB, relocated with 4 MiB. */
	st->cirrus.vram_size = 4u << 20;
	t2 = xen_new(true);
	if (machine_check_state(&t2->m, st, NULL, NULL, err, sizeof(err)))
		fail_msg("check: %s", err);
	machine_load_state(&t2->m, st);
	assert_int_equal(t2->m.cirrus.frames_size, 4u << 20);
	assert_int_equal(t2->acc.devmem_size, 4u << 20);
	machine_save_state(&t2->m, st);
	assert_int_equal(st->cirrus.vram_size, 4u << 20);
	tm_free(t2);
	tm_free(t);
	free(st);
}

/* Registers a guest sets, for the state tests. */
static void guest_setup(struct tm_ctx *t)
{
	bars_on(t);
	sr(t, 0x06, 0x12);
	sr(t, 0x07, 0x07);
	sr(t, 0x12, 0x02);
	outp(t, VGA_PEL_IW, 1, 0x03);
	for (int i = 0; i < 3; i++)
		outp(t, VGA_PEL_D, 1, (uint8_t)(0x10 + i));
	sr(t, 0x12, 0x05);
	sr(t, 0x70, 0x20);
	gr(t, 0x00, 0xa5);
	gr(t, 0x01, 0x5a);
	gr(t, 0x09, 0x04);
	gr(t, 0x0b, 0x21);
	gr(t, 0x24, 0x80);
	outp(t, VGA_MIS_W, 1, 0x67);
	cr(t, 0x1b, 0x12);
	(void)inp(t, VGA_PEL_IW, 1);
	for (int i = 0; i < 4; i++)
		(void)inp(t, VGA_PEL_MSK, 1);
	outp(t, VGA_PEL_MSK, 1, 0xc1);
	(void)inp(t, VGA_PEL_MSK, 1);
	outp(t, VGA_PEL_IW, 1, 0x07);
	outp(t, VGA_PEL_D, 1, 0x2a);
}

/* Save, load into a new machine, save again: the same state, the same registers through the ports. */
static void test_state_identity(void **state)
{
	struct tm_ctx *a = ct_new(8, false), *b = ct_new(8, false);
	struct machine_state *s1 = calloc(1, sizeof(*s1)), *s2 = calloc(1, sizeof(*s2));
	char err[256];

	(void)state;
	assert_non_null(s1);
	assert_non_null(s2);
	guest_setup(a);
	machine_save_state(&a->m, s1);
	if (machine_check_state(&b->m, s1, NULL, NULL, err, sizeof(err)))
		fail_msg("check: %s", err);
	machine_load_state(&b->m, s1);
	machine_save_state(&b->m, s2);
	assert_memory_equal(&s1->cirrus, &s2->cirrus, sizeof(s1->cirrus));
	assert_int_equal(gr_rd(b, 0x00), 0xa5);
	assert_int_equal(gr_rd(b, 0x01), 0x5a);
	assert_int_equal(b->m.cirrus.bank_base[0], 0x10000);
	assert_int_equal(sr_rd(b, 0x06), 0x12);
	assert_int_equal(b->m.cirrus.ext.hw_cursor_x, 0x103);
	assert_int_equal(b->m.cirrus.ext.hidden_dac_data, 0xc1);
	assert_int_equal(b->m.cirrus.ext.hidden_dac_lockindex, 1);
	assert_memory_equal(&b->m.cirrus.ext.hidden_palette[9], "\x10\x11\x12", 3);
	assert_int_equal(cirrus_bpp(&b->m.cirrus), 16);
	tm_free(a);
	tm_free(b);
	free(s1);
	free(s2);
}

/* A state no card could have is refused, naming the field, and nothing changes. */
static void test_state_refusals(void **state)
{
	struct tm_ctx *a = ct_new(8, false);
	struct machine_state *st = calloc(1, sizeof(*st)), *orig = calloc(1, sizeof(*orig));
	char err[256];

	(void)state;
	assert_non_null(st);
	assert_non_null(orig);
	guest_setup(a);
	machine_save_state(&a->m, orig);
	*st = *orig;
	st->cirrus.ext.hw_cursor_x = 0x800;
	assert_int_not_equal(machine_check_state(&a->m, st, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cursor"));
	*st = *orig;
	st->cirrus.vram_size = 16u << 20;
	assert_int_not_equal(machine_check_state(&a->m, st, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "videoram="));
	*st = *orig;
	st->cirrus.r.ar_flip_flop = 2;
	assert_int_not_equal(machine_check_state(&a->m, st, NULL, NULL, err, sizeof(err)), 0);
	*st = *orig;
	st->cirrus.vram_gpa = 0xf0000000; /* Xen's frames, on a machine that has none */
	assert_int_not_equal(machine_check_state(&a->m, st, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "Xen"));
	/* qemu-xen-traditional's 4 MiB card fits the 8 MiB one. */
	*st = *orig;
	st->cirrus.vram_size = 4u << 20;
	if (machine_check_state(&a->m, st, NULL, NULL, err, sizeof(err)))
		fail_msg("a 4 MiB state: %s", err);
	machine_save_state(&a->m, st);
	assert_memory_equal(&st->cirrus, &orig->cirrus, sizeof(st->cirrus));
	tm_free(a);
	free(st);
	free(orig);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("%s: cannot open (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The payload of a traditional file's section `id` (FULL sections: type, be32 id, name, instance, version). */
static const uint8_t *trad_section_payload(const uint8_t *buf, size_t len, const char *id, size_t *plen,
					   size_t next_at)
{
	size_t nl = strlen(id);

	for (size_t p = 8; p + 14 + nl < len; p++) {
		if (buf[p] == 0x04 && buf[p + 5] == nl && !memcmp(buf + p + 6, id, nl)) {
			*plen = next_at - (p + 14 + nl);
			return buf + p + 14 + nl;
		}
	}
	fail_msg("no section %s", id);
	return NULL;
}

/*
 * A real qemu-xen-traditional save (tests/streams/qemu-trad-real/tradcirrus,
 * written under Xen): restored onto the traditional machine with the card,
 * its VRAM frames taken over at the LFB the record names, the registers
 * where qemu-dm left them; converted back, the Cirrus section is the
 * producer's byte for byte.
 */
static void test_real_traditional_capture(void **state)
{
	const char *path = "tests/streams/qemu-trad-real/tradcirrus.qevm";
	struct machine_config cfg = { .vcpus = 1, .ram_mib = 64 };
	struct tm_ctx *t = calloc(1, sizeof(*t));
	struct machine_state *st = calloc(1, sizeof(*st));
	struct load_report rep;
	const uint8_t *orig, *back_sec;
	size_t len, olen, blen;
	uint8_t *buf;
	struct wbuf back;
	char err[512];

	(void)state;
	assert_non_null(t);
	assert_non_null(st);
	buf = slurp(path, &len);
	if (stream_machine_config(buf, len, &cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(cfg.profile, PROFILE_XENFV_TRAD);
	assert_int_equal(cfg.display, DISPLAY_CIRRUS);
	assert_int_equal(cfg.vgamem_mb, 4);
	assert_true(cfg.incoming);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	if (snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	assert_int_equal(rep.nr_foreign, 0);
	assert_int_equal(t->acc.frames_backed_at, 0xf0000000);
	assert_int_equal(t->m.cirrus.frames_size, 4u << 20);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0x10, 4), 0xf0000008);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0x2c, 4), 0x00015853);
	assert_true(t->m.cirrus.vram_mapped);
	/* Back to the traditional layout: the section qemu-dm wrote. */
	machine_save_state(&t->m, st);
	wbuf_init(&back, STREAM_MAX_SIZE);
	if (qevm_write_trad(&t->m, st, &back, &rep, err, sizeof(err)))
		fail_msg("convert: %s", err);
	orig = trad_section_payload(buf, len, "cirrus_vga", &olen, 0x0a24);
	back_sec = trad_section_payload(back.data, back.len, "cirrus_vga", &blen, back.len);
	assert_int_equal(olen, 1895);
	assert_true(blen >= olen);
	assert_memory_equal(back_sec, orig, olen);
	/* Through the ports (which move the indexes, so after the save). */
	assert_int_equal(sr_rd(t, 0x06), 0x12); /* the VGA BIOS unlocked the extensions */
	assert_int_equal(cr_rd(t, 0x27), 0xb8);
	assert_int_equal(cirrus_bpp(&t->m.cirrus), 0);
	wbuf_free(&back);
	free(buf);
	free(st);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_identity),
		cmocka_unit_test(test_trad_subsystem),
		cmocka_unit_test(test_bad_vram),
		cmocka_unit_test(test_sequencer),
		cmocka_unit_test(test_graphics_controller),
		cmocka_unit_test(test_crtc),
		cmocka_unit_test(test_hidden_dac_and_depth),
		cmocka_unit_test(test_banking),
		cmocka_unit_test(test_write_modes_4_5),
		cmocka_unit_test(test_linear_window),
		cmocka_unit_test(test_mmio_bar),
		cmocka_unit_test(test_blits),
		cmocka_unit_test(test_render_extended),
		cmocka_unit_test(test_vram_mapping),
		cmocka_unit_test(test_bank_mapping),
		cmocka_unit_test(test_xen_frames),
		cmocka_unit_test(test_state_identity),
		cmocka_unit_test(test_state_refusals),
		cmocka_unit_test(test_real_traditional_capture),
	};

	tm_quiet();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
