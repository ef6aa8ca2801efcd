// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VGA core through the guest's ports and window: every register block
 * (sequencer, graphics controller, attribute controller, CRTC, DAC,
 * misc/feature/status), the memory maps, chain-4, odd/even, the planar read
 * and write modes, Bochs VBE, and VRAM dirty tracking. Expected values are
 * QEMU 7.2's (hw/display/vga.c), which the stock device model showed.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hw/display/vga.h"
#include "hw/display/stdvga.h"
#include "ui/console.h"
#include "hw/display/vga_render.h"

struct vt {
	struct io_space io, mmio;
	struct vga v;
	uint8_t *vram;
};

static struct vt *vt_new(uint32_t vram_size, bool vbe)
{
	struct vt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->vram = calloc(1, vram_size);
	assert_non_null(t->vram);
	io_space_init(&t->io, IO_SPACE_PORT, NULL);
	io_space_init(&t->mmio, IO_SPACE_MMIO, NULL);
	assert_int_equal(vga_init(&t->v, &(struct vga_config){ .vram = t->vram, .vram_size = vram_size,
							     .vbe = vbe }),
			 0);
	assert_int_equal(vga_claim(&t->v, &t->io, &t->mmio), 0);
	return t;
}

static void vt_free(struct vt *t)
{
	vga_destroy(&t->v);
	io_space_destroy(&t->io);
	io_space_destroy(&t->mmio);
	free(t->vram);
	free(t);
}

static void out8(struct vt *t, uint16_t port, uint8_t v)
{
	io_space_write(&t->io, port, 1, v);
}

static uint8_t in8(struct vt *t, uint16_t port)
{
	return (uint8_t)io_space_read(&t->io, port, 1);
}

static void out16(struct vt *t, uint16_t port, uint16_t v)
{
	io_space_write(&t->io, port, 2, v);
}

static uint16_t in16(struct vt *t, uint16_t port)
{
	return (uint16_t)io_space_read(&t->io, port, 2);
}

static void mem_wr(struct vt *t, uint32_t addr, uint8_t v)
{
	io_space_write(&t->mmio, addr, 1, v);
}

static uint8_t mem_rd(struct vt *t, uint32_t addr)
{
	return (uint8_t)io_space_read(&t->mmio, addr, 1);
}

static void seq(struct vt *t, uint8_t idx, uint8_t v)
{
	out8(t, VGA_SEQ_I, idx);
	out8(t, VGA_SEQ_D, v);
}

static void gfx(struct vt *t, uint8_t idx, uint8_t v)
{
	out8(t, VGA_GFX_I, idx);
	out8(t, VGA_GFX_D, v);
}

static void vbe(struct vt *t, uint16_t idx, uint16_t v)
{
	out16(t, VBE_DISPI_IOPORT_INDEX, idx);
	out16(t, VBE_DISPI_IOPORT_DATA, v);
}

static uint16_t vbe_rd(struct vt *t, uint16_t idx)
{
	out16(t, VBE_DISPI_IOPORT_INDEX, idx);
	return in16(t, VBE_DISPI_IOPORT_DATA);
}

/* Monochrome or colour CRTC and status ports follow MSR bit 0; the others read 0xff. */
static void test_port_decoding(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	/* Reset: monochrome addressing. */
	out8(t, VGA_CRT_IM, 0x0e);
	assert_int_equal(in8(t, VGA_CRT_IM), 0x0e);
	assert_int_equal(in8(t, VGA_CRT_IC), 0xff);
	out8(t, VGA_MIS_W, 0xe3); /* colour; bit 4 is not kept */
	assert_int_equal(in8(t, VGA_MIS_R), 0xe3);
	out8(t, VGA_MIS_W, 0xf3);
	assert_int_equal(in8(t, VGA_MIS_R), 0xe3);
	assert_int_equal(in8(t, VGA_CRT_IM), 0xff);
	out8(t, VGA_CRT_IC, 0x0f);
	out8(t, VGA_CRT_DC, 0x50);
	assert_int_equal(in8(t, VGA_CRT_IC), 0x0f);
	assert_int_equal(in8(t, VGA_CRT_DC), 0x50);
	/* A write to the absent set changes nothing. */
	out8(t, VGA_CRT_IM, 0x01);
	assert_int_equal(in8(t, VGA_CRT_IC), 0x0f);
	/* Ports QEMU never claims are nobody's. */
	assert_int_equal(in8(t, 0x3b0), 0xff);
	assert_int_equal(in8(t, 0x3d0), 0xff);
	assert_int_equal(in8(t, 0x3df), 0xff);
	/* Ports it claims but does not decode read 0. */
	assert_int_equal(in8(t, 0x3cd), 0x00);
	/* A dword misses the byte-wide registers entirely (QEMU's portio). */
	io_space_write(&t->io, VGA_SEQ_I, 4, 0x0f02);
	assert_int_equal(io_space_read(&t->io, VGA_SEQ_I, 4), 0xffffffff);
	assert_int_equal(in8(t, VGA_SEQ_I), 0);
	/* A 16-bit write is index then data, as guests use it. */
	io_space_write(&t->io, VGA_SEQ_I, 2, 0x0f02);
	assert_int_equal(in8(t, VGA_SEQ_I), 2);
	assert_int_equal(in8(t, VGA_SEQ_D), 0x0f);
	vt_free(t);
}

/* Each register keeps only its implemented bits; the index registers are masked too. */
static void test_register_masks(void **state)
{
	static const uint8_t sr_bits[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff };
	static const uint8_t gr_bits[9] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	for (unsigned int i = 0; i < 8; i++) {
		seq(t, (uint8_t)i, 0xff);
		assert_int_equal(in8(t, VGA_SEQ_D), sr_bits[i]);
	}
	out8(t, VGA_SEQ_I, 0xfa);
	assert_int_equal(in8(t, VGA_SEQ_I), 0x02);
	for (unsigned int i = 0; i < 9; i++) {
		gfx(t, (uint8_t)i, 0xff);
		assert_int_equal(in8(t, VGA_GFX_D), gr_bits[i]);
	}
	out8(t, VGA_GFX_I, 0x1f);
	assert_int_equal(in8(t, VGA_GFX_I), 0x0f);
	gfx(t, 0x0f, 0xff);
	assert_int_equal(in8(t, VGA_GFX_D), 0);
	/* The feature control keeps bit 4 only (written at 0x3ba in mono mode). */
	out8(t, VGA_IS1_RM, 0xff);
	assert_int_equal(in8(t, VGA_FTC_R), 0x10);
	vt_free(t);
}

/* The attribute controller: one port, a flip-flop between index and data, reset by 0x3da. */
static void test_attribute_controller(void **state)
{
	static const struct {
		uint8_t index, kept;
	} masks[] = { { 0x00, 0x3f }, { 0x0f, 0x3f }, { 0x10, 0xef }, { 0x11, 0xff },
		      { 0x12, 0x3f }, { 0x13, 0x0f }, { 0x14, 0x0f } };
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	out8(t, VGA_MIS_W, 0x01);
	for (unsigned int i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		(void)in8(t, VGA_IS1_RC); /* flip-flop to index */
		out8(t, VGA_ATT_W, masks[i].index);
		/* The flip-flop is on data now: 0x3c0 reads 0. */
		assert_int_equal(in8(t, VGA_ATT_W), 0);
		out8(t, VGA_ATT_W, 0xff);
		/* After the data write the flip-flop is back on index: 0x3c0 reads the index. */
		assert_int_equal(in8(t, VGA_ATT_W), masks[i].index);
		assert_int_equal(in8(t, VGA_ATT_R), masks[i].kept);
	}
	/* The index keeps 6 bits: bit 5 (palette address source) too. */
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, 0xff);
	assert_int_equal(in8(t, VGA_ATT_W), 0x00); /* flip-flop on data */
	out8(t, VGA_ATT_W, 0x00);                  /* to index 0x1f: dropped */
	assert_int_equal(in8(t, VGA_ATT_W), 0x3f);
	/* Index 0x15 and beyond: reads 0, writes dropped. */
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, 0x15);
	out8(t, VGA_ATT_W, 0x55);
	assert_int_equal(in8(t, VGA_ATT_R), 0);
	/* The status bits toggle on each read (QEMU's retrace), so polling loops end. */
	{
		uint8_t a = in8(t, VGA_IS1_RC), b = in8(t, VGA_IS1_RC);

		assert_int_equal(a ^ b, VGA_ST01_V_RETRACE | VGA_ST01_DISP_ENABLE);
	}
	vt_free(t);
}

/* CR11 bit 7 write-protects CR00-CR07, except CR07 bit 4. */
static void test_crtc_protect(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	out8(t, VGA_MIS_W, 0x01);
	out8(t, VGA_CRT_IC, 0x01);
	out8(t, VGA_CRT_DC, 0x4f);
	out8(t, VGA_CRT_IC, 0x07);
	out8(t, VGA_CRT_DC, 0x1f);
	out8(t, VGA_CRT_IC, 0x11);
	out8(t, VGA_CRT_DC, 0x8e);
	out8(t, VGA_CRT_IC, 0x01);
	out8(t, VGA_CRT_DC, 0x27);
	assert_int_equal(in8(t, VGA_CRT_DC), 0x4f);
	out8(t, VGA_CRT_IC, 0x07);
	out8(t, VGA_CRT_DC, 0x00);
	assert_int_equal(in8(t, VGA_CRT_DC), 0x0f);
	out8(t, VGA_CRT_IC, 0x08); /* not protected */
	out8(t, VGA_CRT_DC, 0x12);
	assert_int_equal(in8(t, VGA_CRT_DC), 0x12);
	/* All 256 CRTC indexes exist. */
	out8(t, VGA_CRT_IC, 0xff);
	out8(t, VGA_CRT_DC, 0xa5);
	assert_int_equal(in8(t, VGA_CRT_DC), 0xa5);
	vt_free(t);
}

/* The DAC: three writes per entry at the write index, three reads at the read index. */
static void test_dac(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	out8(t, VGA_PEL_IW, 0xff);
	assert_int_equal(in8(t, VGA_PEL_IR), 0); /* DAC state: writing */
	out8(t, VGA_PEL_D, 0x11);
	out8(t, VGA_PEL_D, 0x22);
	out8(t, VGA_PEL_D, 0x33);
	/* The write index moved on and wrapped. */
	assert_int_equal(in8(t, VGA_PEL_IW), 0x00);
	out8(t, VGA_PEL_D, 0x01);
	out8(t, VGA_PEL_D, 0x02);
	out8(t, VGA_PEL_D, 0x03);
	out8(t, VGA_PEL_IR, 0xff);
	assert_int_equal(in8(t, VGA_PEL_IR), 3); /* reading */
	assert_int_equal(in8(t, VGA_PEL_D), 0x11);
	assert_int_equal(in8(t, VGA_PEL_D), 0x22);
	assert_int_equal(in8(t, VGA_PEL_D), 0x33);
	assert_int_equal(in8(t, VGA_PEL_D), 0x01);
	/* A new read index restarts at red. */
	out8(t, VGA_PEL_IR, 0x00);
	assert_int_equal(in8(t, VGA_PEL_D), 0x01);
	/* An entry is stored only when its third byte arrives. */
	out8(t, VGA_PEL_IW, 0x10);
	out8(t, VGA_PEL_D, 0x3f);
	out8(t, VGA_PEL_IR, 0x10);
	assert_int_equal(in8(t, VGA_PEL_D), 0x00);
	vt_free(t);
}

/* Text mode as the BIOS sets it: odd/even at 0xb8000; the font load into plane 2. */
static void test_text_and_font_planes(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	seq(t, VGA_SEQ_PLANE_WRITE, 0x03);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x02); /* odd/even */
	gfx(t, VGA_GFX_MODE, 0x10);
	gfx(t, VGA_GFX_MISC, 0x0e);        /* 0xb8000, 32 KiB, chained */
	mem_wr(t, 0xb8000, 'A');
	mem_wr(t, 0xb8001, 0x1f);
	mem_wr(t, 0xb8002, 'B');
	mem_wr(t, 0xb8003, 0x07);
	assert_int_equal(t->vram[0], 'A');
	assert_int_equal(t->vram[1], 0x1f);
	assert_int_equal(t->vram[4], 'B');
	assert_int_equal(t->vram[5], 0x07);
	assert_int_equal(mem_rd(t, 0xb8002), 'B');
	assert_int_equal(mem_rd(t, 0xb8003), 0x07);
	/* Outside the 32 KiB map: nothing there. */
	assert_int_equal(mem_rd(t, 0xa0000), 0xff);
	assert_int_equal(mem_rd(t, 0xb0000), 0xff);
	mem_wr(t, 0xa0000, 0x99);
	assert_int_equal(t->vram[0], 'A');
	/* SeaVGABIOS's font access: plane 2 only, sequential, 0xa0000. */
	seq(t, VGA_SEQ_PLANE_WRITE, 0x04);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x07);
	gfx(t, VGA_GFX_PLANE_READ, 0x02);
	gfx(t, VGA_GFX_MODE, 0x00);
	gfx(t, VGA_GFX_MISC, 0x04);
	gfx(t, VGA_GFX_BIT_MASK, 0xff); /* as every BIOS mode table sets it */
	mem_wr(t, 0xa0000 + 32 * 'A' + 3, 0x7e);
	assert_int_equal(t->vram[4 * (32 * 'A' + 3) + 2], 0x7e);
	assert_int_equal(mem_rd(t, 0xa0000 + 32 * 'A' + 3), 0x7e);
	/* The characters in planes 0 and 1 are untouched. */
	assert_int_equal(t->vram[0], 'A');
	assert_int_equal(t->vram[1], 0x1f);
	/* Odd/even plane select with GR04 bit 1: planes 2/3. */
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0c);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x02);
	gfx(t, VGA_GFX_MODE, 0x10);
	gfx(t, VGA_GFX_MISC, 0x0e);
	gfx(t, VGA_GFX_PLANE_READ, 0x02);
	mem_wr(t, 0xb8001, 0x44);
	assert_int_equal(t->vram[3], 0x44);
	vt_free(t);
}

/* Mode 13h: chain-4 is VRAM byte for byte (QEMU 7.2), gated by the map mask. */
static void test_chain4(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0f);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x0e);
	gfx(t, VGA_GFX_MODE, 0x40);
	gfx(t, VGA_GFX_MISC, 0x05);
	for (unsigned int i = 0; i < 8; i++)
		mem_wr(t, 0xa0000 + i, (uint8_t)(0x10 + i));
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(t->vram[i], 0x10 + i);
		assert_int_equal(mem_rd(t, 0xa0000 + i), 0x10 + i);
	}
	/* Plane 1 masked: address 1, 5, ... are not written. */
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0d);
	mem_wr(t, 0xa0001, 0xee);
	mem_wr(t, 0xa0002, 0xee);
	assert_int_equal(t->vram[1], 0x11);
	assert_int_equal(t->vram[2], 0xee);
	/* 0xb0000 and up are not mapped with memory map 1. */
	assert_int_equal(mem_rd(t, 0xb0000), 0xff);
	vt_free(t);
}

/* Planar: latches, write modes 0-3 with set/reset, rotate, logical operations and bit mask. */
static void test_planar_write_modes(void **state)
{
	struct vt *t = vt_new(0x40000, false);
	uint8_t *p = NULL;

	(void)state;
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0f);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x06);
	gfx(t, VGA_GFX_MISC, 0x05); /* 0xa0000, 64 KiB, graphics */
	p = t->vram + 4 * 0x10;
	/* Mode 0, no set/reset: the byte goes to every plane. */
	gfx(t, VGA_GFX_MODE, 0x00);
	gfx(t, VGA_GFX_BIT_MASK, 0xff);
	mem_wr(t, 0xa0010, 0xa5);
	assert_memory_equal(p, ((uint8_t[]){ 0xa5, 0xa5, 0xa5, 0xa5 }), 4);
	/* Set/reset enabled on planes 0 and 2 with value 0b0001: plane 0 all ones, plane 2 zeros. */
	gfx(t, VGA_GFX_SR_VALUE, 0x01);
	gfx(t, VGA_GFX_SR_ENABLE, 0x05);
	mem_wr(t, 0xa0010, 0x3c);
	assert_memory_equal(p, ((uint8_t[]){ 0xff, 0x3c, 0x00, 0x3c }), 4);
	gfx(t, VGA_GFX_SR_ENABLE, 0x00);
	/* Rotate by 4 then XOR with the latches (loaded by a read). */
	(void)mem_rd(t, 0xa0010);
	gfx(t, VGA_GFX_DATA_ROTATE, 0x18 | 4);
	mem_wr(t, 0xa0010, 0x0f); /* rotated: 0xf0 */
	assert_memory_equal(p, ((uint8_t[]){ 0x0f, 0xcc, 0xf0, 0xcc }), 4);
	gfx(t, VGA_GFX_DATA_ROTATE, 0x00);
	/* Bit mask: only bit 7 from the data, the rest from the latches. */
	(void)mem_rd(t, 0xa0010);
	gfx(t, VGA_GFX_BIT_MASK, 0x80);
	mem_wr(t, 0xa0010, 0x80);
	assert_memory_equal(p, ((uint8_t[]){ 0x8f, 0xcc, 0xf0, 0xcc }), 4);
	gfx(t, VGA_GFX_BIT_MASK, 0xff);
	/* Mode 1: the latches as they are (a VRAM-to-VRAM copy), whatever the byte. */
	(void)mem_rd(t, 0xa0010);
	gfx(t, VGA_GFX_MODE, 0x01);
	mem_wr(t, 0xa0020, 0x00);
	assert_memory_equal(t->vram + 4 * 0x20, p, 4);
	/* Mode 2: the low nibble is a colour, one bit per plane. */
	gfx(t, VGA_GFX_MODE, 0x02);
	mem_wr(t, 0xa0030, 0xf6);
	assert_memory_equal(t->vram + 4 * 0x30, ((uint8_t[]){ 0x00, 0xff, 0xff, 0x00 }), 4);
	/* Mode 3: set/reset value as colour, the rotated byte ANDed into the bit mask. */
	(void)mem_rd(t, 0xa0030);
	gfx(t, VGA_GFX_MODE, 0x03);
	gfx(t, VGA_GFX_SR_VALUE, 0x09);
	gfx(t, VGA_GFX_BIT_MASK, 0x0f);
	mem_wr(t, 0xa0030, 0x3c);
	assert_memory_equal(t->vram + 4 * 0x30, ((uint8_t[]){ 0x0c, 0xf3, 0xf3, 0x0c }), 4);
	/* The map mask gates every mode: plane 3 only. */
	gfx(t, VGA_GFX_MODE, 0x00);
	gfx(t, VGA_GFX_BIT_MASK, 0xff);
	seq(t, VGA_SEQ_PLANE_WRITE, 0x08);
	mem_wr(t, 0xa0040, 0x5a);
	assert_memory_equal(t->vram + 4 * 0x40, ((uint8_t[]){ 0, 0, 0, 0x5a }), 4);
	vt_free(t);
}

/* Read mode 0 picks a plane; read mode 1 compares colours. */
static void test_planar_read_modes(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	gfx(t, VGA_GFX_MISC, 0x05);
	memcpy(t->vram + 4 * 8, ((uint8_t[]){ 0xf0, 0xcc, 0xaa, 0x0f }), 4);
	for (unsigned int plane = 0; plane < 4; plane++) {
		gfx(t, VGA_GFX_PLANE_READ, (uint8_t)plane);
		assert_int_equal(mem_rd(t, 0xa0008), t->vram[4 * 8 + plane]);
	}
	gfx(t, VGA_GFX_MODE, 0x08);
	/* Colour 0b0111 (planes 0-2 set, 3 clear) at each bit position. */
	gfx(t, VGA_GFX_COMPARE_VALUE, 0x07);
	gfx(t, VGA_GFX_COMPARE_MASK, 0x0f);
	assert_int_equal(mem_rd(t, 0xa0008), 0x80);
	/* Don't care about plane 3 and plane 2: planes 0 and 1 set. */
	gfx(t, VGA_GFX_COMPARE_MASK, 0x03);
	assert_int_equal(mem_rd(t, 0xa0008), 0xc0);
	gfx(t, VGA_GFX_COMPARE_MASK, 0x00);
	assert_int_equal(mem_rd(t, 0xa0008), 0xff);
	vt_free(t);
}

/* A banked or planar address beyond VRAM reads 0xff and writes nothing. */
static void test_bounds(void **state)
{
	struct vt *t = vt_new(0x40000, true);

	(void)state;
	/* Planar, 128 KiB map: planar address 0x1ffff is byte 0x7fffc of a 256 KiB VRAM: beyond. */
	gfx(t, VGA_GFX_MISC, 0x01);
	gfx(t, VGA_GFX_BIT_MASK, 0xff);
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0f);
	mem_wr(t, 0xbffff, 0x12);
	assert_int_equal(mem_rd(t, 0xbffff), 0xff);
	mem_wr(t, 0xaffff, 0x12);
	assert_int_equal(mem_rd(t, 0xaffff), 0x12);
	/* VBE bank beyond VRAM: the bank register keeps only what VRAM has. */
	vbe(t, VBE_DISPI_INDEX_BANK, 0xffff);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_BANK), 3);
	/* Every byte stayed inside VRAM: the allocation is exactly 256 KiB (ASan checks). */
	vt_free(t);
}

static void test_vbe_registers(void **state)
{
	struct vt *t = vt_new(16 << 20, true);

	(void)state;
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
	vbe(t, VBE_DISPI_INDEX_ID, VBE_DISPI_ID0);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
	vbe(t, VBE_DISPI_INDEX_ID, 0x1234);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
	/* 0x1d0 is the data port too; the registers are 16-bit only: bytes and dwords miss. */
	assert_int_equal(in16(t, VBE_DISPI_IOPORT_DATA + 1), 256);
	assert_int_equal(in8(t, VBE_DISPI_IOPORT_DATA), 0xff);
	assert_int_equal(io_space_read(&t->io, VBE_DISPI_IOPORT_INDEX, 4), 0xffffffff);
	assert_int_equal(in16(t, VBE_DISPI_IOPORT_DATA + 2), 0xffff);
	out8(t, VBE_DISPI_IOPORT_INDEX, VBE_DISPI_INDEX_ID);
	assert_int_equal(in16(t, VBE_DISPI_IOPORT_INDEX), VBE_DISPI_INDEX_VIDEO_MEMORY_64K);
	assert_int_equal(in16(t, VBE_DISPI_IOPORT_INDEX), VBE_DISPI_INDEX_VIDEO_MEMORY_64K);
	/* GETCAPS: the maxima instead of the values. */
	vbe(t, VBE_DISPI_INDEX_XRES, 640);
	vbe(t, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_XRES), 16000);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_YRES), 12000);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_BPP), 32);
	vbe(t, VBE_DISPI_INDEX_ENABLE, 0);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_XRES), 640);
	/* A mode: 800x600x32; enabling clears the visible VRAM. */
	memset(t->vram, 0x55, 16 << 20);
	vbe(t, VBE_DISPI_INDEX_XRES, 800);
	vbe(t, VBE_DISPI_INDEX_YRES, 600);
	vbe(t, VBE_DISPI_INDEX_BPP, 32);
	vbe(t, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_VIRT_WIDTH), 800);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_VIRT_HEIGHT), (16 << 20) / (800 * 4));
	assert_int_equal(t->vram[0], 0);
	assert_int_equal(t->vram[800 * 600 * 4 - 1], 0);
	assert_int_equal(t->vram[800 * 600 * 4], 0x55);
	/* The VGA side follows: chain-4 through the shadow sequencer, graphics, 64 KiB map. */
	assert_true(vga_sr(&t->v, VGA_SEQ_MEMORY_MODE) & VGA_SR04_CHN_4M);
	gfx(t, 0, 0);
	out8(t, VGA_GFX_I, VGA_GFX_MISC);
	assert_int_equal(in8(t, VGA_GFX_D) & 0x0d, 0x05);
	/* Banked access through the window. */
	vbe(t, VBE_DISPI_INDEX_BANK, 2);
	mem_wr(t, 0xa0010, 0x77);
	assert_int_equal(t->vram[0x20010], 0x77);
	assert_int_equal(mem_rd(t, 0xa0010), 0x77);
	/* An impossible mode is made to fit: width aligned, height within VRAM. */
	vbe(t, VBE_DISPI_INDEX_XRES, 16001);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_XRES), 16000);
	vbe(t, VBE_DISPI_INDEX_YRES, 12000);
	assert_true(vbe_rd(t, VBE_DISPI_INDEX_YRES) * 16000u * 4 <= (16u << 20));
	vbe(t, VBE_DISPI_INDEX_XRES, 1023);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_XRES), 1016);
	vbe(t, VBE_DISPI_INDEX_BPP, 7);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_BPP), 8);
	/* Offsets that would leave VRAM are dropped. */
	vbe(t, VBE_DISPI_INDEX_XRES, 1024);
	vbe(t, VBE_DISPI_INDEX_YRES, 768);
	vbe(t, VBE_DISPI_INDEX_BPP, 32);
	vbe(t, VBE_DISPI_INDEX_Y_OFFSET, 12000);
	assert_int_equal(vbe_rd(t, VBE_DISPI_INDEX_Y_OFFSET), 0);
	/* Unknown indexes read 0 and ignore writes. */
	vbe(t, 0x0b, 0x1234);
	assert_int_equal(vbe_rd(t, 0x0b), 0);
	/* NOCLEARMEM keeps the picture across a re-enable. */
	vbe(t, VBE_DISPI_INDEX_ENABLE, 0);
	t->vram[100] = 0x42;
	vbe(t, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
	assert_int_equal(t->vram[100], 0x42);
	vt_free(t);
}

/* Writes through the window mark their 4 KiB VRAM page; nothing else does. */
static void test_dirty_tracking(void **state)
{
	struct vt *t = vt_new(0x40000, false);

	(void)state;
	vga_clear_dirty(&t->v);
	assert_false(vga_is_dirty(&t->v, 0, 0x40000));
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0f);
	gfx(t, VGA_GFX_MISC, 0x05);
	mem_wr(t, 0xa0000 + 0x1400, 0x01); /* planar 0x1400: VRAM 0x5000-0x5003 */
	assert_true(vga_is_dirty(&t->v, 0x5000, 1));
	assert_false(vga_is_dirty(&t->v, 0x0, 0x5000));
	assert_false(vga_is_dirty(&t->v, 0x6000, 0x3a000));
	/* A read changes nothing. */
	vga_clear_dirty(&t->v);
	(void)mem_rd(t, 0xa0000);
	assert_false(vga_is_dirty(&t->v, 0, 0x40000));
	/* A write the map mask drops marks nothing. */
	seq(t, VGA_SEQ_PLANE_WRITE, 0x00);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x0e);
	mem_wr(t, 0xa0000, 0x01);
	assert_false(vga_is_dirty(&t->v, 0, 0x40000));
	/* Ranges past the end are clipped, not overrun. */
	vga_mark_dirty(&t->v, 0x3ffff, 0x100000);
	assert_true(vga_is_dirty(&t->v, 0x3f000, 0x1000));
	assert_false(vga_is_dirty(&t->v, 0x40000, 0x1000));
	vt_free(t);
}

static void test_bad_config(void **state)
{
	struct vga v;
	uint8_t small[0x1000];

	(void)state;
	assert_int_equal(vga_init(&v, &(struct vga_config){ .vram = NULL, .vram_size = 0x40000 }), -EINVAL);
	assert_int_equal(vga_init(&v, &(struct vga_config){ .vram = small, .vram_size = 0x1000 }), -EINVAL);
	assert_int_equal(vga_init(&v, &(struct vga_config){ .vram = small, .vram_size = 0x48000 }), -EINVAL);
}

/* ------------------------------------------------------------ rendering */

static void attr(struct vt *t, uint8_t idx, uint8_t v)
{
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, idx);
	out8(t, VGA_ATT_W, v);
}

static void crtc(struct vt *t, uint8_t idx, uint8_t v)
{
	out8(t, VGA_CRT_IC, idx);
	out8(t, VGA_CRT_DC, v);
}

static void dac(struct vt *t, uint8_t idx, uint8_t r, uint8_t g, uint8_t b)
{
	out8(t, VGA_PEL_IW, idx);
	out8(t, VGA_PEL_D, r);
	out8(t, VGA_PEL_D, g);
	out8(t, VGA_PEL_D, b);
}

/* As the 6-bit DAC shows a value (QEMU's c6_to_8). */
static uint32_t c6(uint8_t r, uint8_t g, uint8_t b)
{
	uint32_t c[3] = { r & 0x3fu, g & 0x3fu, b & 0x3fu };

	for (unsigned int i = 0; i < 3; i++)
		c[i] = (c[i] << 2) | ((c[i] & 1) << 1) | (c[i] & 1);
	return c[0] << 16 | c[1] << 8 | c[2];
}

/* Attribute palette identity, colour page 0, display on (palette address source). */
static void attr_identity(struct vt *t, uint8_t mode)
{
	for (unsigned int i = 0; i < 16; i++)
		attr(t, (uint8_t)i, (uint8_t)i);
	attr(t, VGA_ATC_MODE, mode);
	attr(t, VGA_ATC_PLANE_ENABLE, 0x0f);
	attr(t, VGA_ATC_COLOR_PAGE, 0x00);
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, 0x20);
}

/* BIOS mode 3 (80x25, 9x16 cells) as SeaVGABIOS programs it, without the font. */
static void mode3(struct vt *t)
{
	static const uint8_t cr[25] = { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00,
					0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
					0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff };

	out8(t, VGA_MIS_W, 0x67);
	seq(t, VGA_SEQ_CLOCK_MODE, 0x00);
	seq(t, VGA_SEQ_PLANE_WRITE, 0x03);
	seq(t, VGA_SEQ_CHARACTER_MAP, 0x00);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x02);
	for (unsigned int i = 0; i < 25; i++)
		crtc(t, (uint8_t)i, cr[i]);
	gfx(t, VGA_GFX_MODE, 0x10);
	gfx(t, VGA_GFX_MISC, 0x0e);
	gfx(t, VGA_GFX_BIT_MASK, 0xff);
	attr_identity(t, 0x0c);
}

/* Glyph rows for character ch into plane 2, as SeaVGABIOS loads a font. */
static void load_glyph(struct vt *t, uint8_t ch, const uint8_t *rows, unsigned int n)
{
	seq(t, VGA_SEQ_PLANE_WRITE, 0x04);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x07);
	gfx(t, VGA_GFX_PLANE_READ, 0x02);
	gfx(t, VGA_GFX_MODE, 0x00);
	gfx(t, VGA_GFX_MISC, 0x04);
	for (unsigned int i = 0; i < n; i++)
		mem_wr(t, 0xa0000 + 32u * ch + i, rows[i]);
	seq(t, VGA_SEQ_PLANE_WRITE, 0x03);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x02);
	gfx(t, VGA_GFX_PLANE_READ, 0x00);
	gfx(t, VGA_GFX_MODE, 0x10);
	gfx(t, VGA_GFX_MISC, 0x0e);
}

static uint32_t px(struct vga_renderer *rd, uint32_t x, uint32_t y)
{
	assert_true(x < rd->surface.width && y < rd->surface.height);
	return surface_row(&rd->surface, y)[x];
}

/* Text: the guest's own glyphs from plane 2, 9-dot cells, line graphics, colours, the cursor. */
static void test_render_text(void **state)
{
	static const uint8_t glyph_a[16] = { 0, 0, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe,
					     0xc6, 0xc6, 0xc6, 0xc6, 0, 0, 0, 0 };
	static const uint8_t glyph_line[16] = { 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct vt *t = vt_new(0x40000, false);
	struct vga_renderer rd;
	uint32_t fg, bg;

	(void)state;
	vga_renderer_init(&rd);
	mode3(t);
	dac(t, 0x01, 0x00, 0x00, 0x2a); /* blue */
	dac(t, 0x0e, 0x3f, 0x3f, 0x15); /* yellow */
	load_glyph(t, 'A', glyph_a, 16);
	load_glyph(t, 0xc4, glyph_line, 16);
	mem_wr(t, 0xb8000, 'A');
	mem_wr(t, 0xb8001, 0x1e); /* yellow on blue */
	mem_wr(t, 0xb8002, 0xc4);
	mem_wr(t, 0xb8003, 0x1e);
	crtc(t, VGA_CRTC_CURSOR_HI, 0);
	crtc(t, VGA_CRTC_CURSOR_LO, 2); /* the third cell */
	assert_true(vga_render(&t->v, &rd, 0) > 0);
	assert_int_equal(rd.surface.width, 720);
	assert_int_equal(rd.surface.height, 400);
	fg = c6(0x3f, 0x3f, 0x15);
	bg = c6(0x00, 0x00, 0x2a);
	/* 'A' row 7 is 0xfe: seven foreground pixels, then background, and the 9th column background. */
	for (unsigned int x = 0; x < 7; x++)
		assert_int_equal(px(&rd, x, 7), fg);
	assert_int_equal(px(&rd, 7, 7), bg);
	assert_int_equal(px(&rd, 8, 7), bg);
	assert_int_equal(px(&rd, 3, 2), fg); /* 0x10: the apex */
	assert_int_equal(px(&rd, 2, 2), bg);
	/* 0xc4 is a line-graphics character: with AR10 bit 2 its 9th column repeats the 8th. */
	for (unsigned int x = 9; x < 18; x++)
		assert_int_equal(px(&rd, x, 7), fg);
	/* The empty cells: attribute 0 is black on black. */
	assert_int_equal(px(&rd, 719, 399), 0);
	/* The cursor (CR0A 0x0d, CR0B 0x0e): rows 13-14 of the third cell, in its foreground (black). */
	mem_wr(t, 0xb8005, 0x1e);
	assert_true(vga_render(&t->v, &rd, 1) > 0);
	assert_int_equal(px(&rd, 18, 13), fg);
	assert_int_equal(px(&rd, 26, 14), fg);
	assert_int_equal(px(&rd, 18, 12), bg);
	assert_int_equal(px(&rd, 18, 15), bg);
	/* Half a period later it is hidden; later again shown. */
	assert_true(vga_render(&t->v, &rd, 300) > 0);
	assert_int_equal(px(&rd, 18, 13), bg);
	assert_true(vga_render(&t->v, &rd, 600) > 0);
	assert_int_equal(px(&rd, 18, 13), fg);
	/* CR0A bit 5 turns it off. */
	crtc(t, VGA_CRTC_CURSOR_START, 0x2d);
	(void)vga_render(&t->v, &rd, 601);
	assert_int_equal(px(&rd, 18, 13), bg);
	/* Only what changed is redrawn: one character (and the cursor's cell). */
	crtc(t, VGA_CRTC_CURSOR_START, 0x0d);
	(void)vga_render(&t->v, &rd, 602);
	surface_clear_dirty(&rd.surface);
	mem_wr(t, 0xb8000 + 160 * 3, 'A');
	mem_wr(t, 0xb8000 + 160 * 3 + 1, 0x1e);
	assert_int_equal(vga_render(&t->v, &rd, 603), 2);
	assert_true(rd.surface.row_dirty[3 * 16]);
	assert_false(rd.surface.row_dirty[5 * 16]);
	assert_int_equal(px(&rd, 0, 3 * 16 + 7), fg);
	/* A new glyph (plane 2 written) redraws every cell that uses it. */
	load_glyph(t, 'A', glyph_line, 16);
	assert_true(vga_render(&t->v, &rd, 604) >= 2000);
	assert_int_equal(px(&rd, 0, 7), fg);
	assert_int_equal(px(&rd, 0, 3 * 16 + 7), fg);
	assert_int_equal(px(&rd, 3, 2), bg);
	/* 8-dot cells: 640 pixels wide. */
	seq(t, VGA_SEQ_CLOCK_MODE, 0x01);
	(void)vga_render(&t->v, &rd, 605);
	assert_int_equal(rd.surface.width, 640);
	vga_renderer_destroy(&rd);
	vt_free(t);
}

/* Mode 13h: 320x200 bytes through the DAC, shown 640x400 (pixels and lines doubled, as QEMU). */
static void test_render_mode13(void **state)
{
	static const uint8_t cr[25] = { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00,
					0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e,
					0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff };
	struct vt *t = vt_new(0x40000, false);
	struct vga_renderer rd;

	(void)state;
	vga_renderer_init(&rd);
	out8(t, VGA_MIS_W, 0x63);
	seq(t, VGA_SEQ_CLOCK_MODE, 0x01);
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0f);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x0e);
	for (unsigned int i = 0; i < 25; i++)
		crtc(t, (uint8_t)i, cr[i]);
	gfx(t, VGA_GFX_MODE, 0x40);
	gfx(t, VGA_GFX_MISC, 0x05);
	gfx(t, VGA_GFX_BIT_MASK, 0xff);
	attr_identity(t, 0x41);
	dac(t, 0x28, 0x3f, 0x00, 0x00);
	dac(t, 0x29, 0x00, 0x3f, 0x00);
	mem_wr(t, 0xa0000, 0x28);
	mem_wr(t, 0xa0001, 0x29);
	mem_wr(t, 0xa0000 + 320 * 199 + 319, 0x29);
	(void)vga_render(&t->v, &rd, 0);
	assert_int_equal(rd.surface.width, 640);
	assert_int_equal(rd.surface.height, 400);
	assert_int_equal(px(&rd, 0, 0), 0xff0000);
	assert_int_equal(px(&rd, 1, 1), 0xff0000);
	assert_int_equal(px(&rd, 2, 0), 0x00ff00);
	assert_int_equal(px(&rd, 3, 1), 0x00ff00);
	assert_int_equal(px(&rd, 4, 0), 0);
	assert_int_equal(px(&rd, 639, 399), 0x00ff00);
	assert_int_equal(px(&rd, 637, 399), 0);
	/* One byte written: its two lines are redrawn, no others. */
	surface_clear_dirty(&rd.surface);
	mem_wr(t, 0xa0000 + 320 * 100, 0x28);
	assert_int_equal(vga_render(&t->v, &rd, 1) % 2, 0);
	assert_true(rd.surface.row_dirty[200] && rd.surface.row_dirty[201]);
	assert_false(rd.surface.row_dirty[0]);
	assert_false(rd.surface.row_dirty[399]);
	assert_int_equal(px(&rd, 0, 201), 0xff0000);
	/* A DAC change redraws everything. */
	dac(t, 0x28, 0x00, 0x00, 0x3f);
	assert_int_equal(vga_render(&t->v, &rd, 2), 400);
	assert_int_equal(px(&rd, 0, 0), 0x0000ff);
	vga_renderer_destroy(&rd);
	vt_free(t);
}

/* Mode 12h: 640x480 planar, 16 colours through the attribute palette. */
static void test_render_planar(void **state)
{
	struct vt *t = vt_new(0x40000, false);
	struct vga_renderer rd;

	(void)state;
	vga_renderer_init(&rd);
	out8(t, VGA_MIS_W, 0xe3);
	seq(t, VGA_SEQ_CLOCK_MODE, 0x01);
	seq(t, VGA_SEQ_PLANE_WRITE, 0x0f);
	seq(t, VGA_SEQ_MEMORY_MODE, 0x06);
	crtc(t, VGA_CRTC_H_DISP, 0x4f);
	crtc(t, VGA_CRTC_OVERFLOW, 0x3e);
	crtc(t, VGA_CRTC_MAX_SCAN, 0x40);
	crtc(t, VGA_CRTC_V_DISP_END, 0xdf);
	crtc(t, VGA_CRTC_OFFSET, 0x28);
	crtc(t, VGA_CRTC_MODE, 0xe3);
	crtc(t, VGA_CRTC_LINE_COMPARE, 0xff);
	gfx(t, VGA_GFX_MISC, 0x05);
	attr_identity(t, 0x01);
	/* The attribute palette maps colour 12 to DAC 0x3c. */
	attr(t, 12, 0x3c);
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, 0x20);
	dac(t, 0x3c, 0x3f, 0x10, 0x00);
	/* Write mode 2: colour 12 into the leftmost pixel of the second line. */
	gfx(t, VGA_GFX_MODE, 0x02);
	gfx(t, VGA_GFX_BIT_MASK, 0x80);
	(void)mem_rd(t, 0xa0000 + 80);
	mem_wr(t, 0xa0000 + 80, 0x0c);
	(void)vga_render(&t->v, &rd, 0);
	assert_int_equal(rd.surface.width, 640);
	assert_int_equal(rd.surface.height, 480);
	assert_int_equal(px(&rd, 0, 1), c6(0x3f, 0x10, 0x00));
	assert_int_equal(px(&rd, 1, 1), 0);
	assert_int_equal(px(&rd, 0, 0), 0);
	/* AR12 plane enable: without plane 2 the colour is 8, black here. */
	attr(t, VGA_ATC_PLANE_ENABLE, 0x0b);
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, 0x20);
	(void)vga_render(&t->v, &rd, 1);
	assert_int_equal(px(&rd, 0, 1), 0);
	/* Palette address source cleared: the screen goes black, same size. */
	attr(t, VGA_ATC_PLANE_ENABLE, 0x0f);
	(void)in8(t, VGA_IS1_RC);
	out8(t, VGA_ATT_W, 0x00);
	(void)vga_render(&t->v, &rd, 2);
	assert_int_equal(rd.picture, VGA_PICTURE_BLANK);
	assert_int_equal(rd.surface.width, 640);
	assert_int_equal(px(&rd, 0, 1), 0);
	vga_renderer_destroy(&rd);
	vt_free(t);
}

/* VBE linear modes at every depth, drawn from VRAM as the linear framebuffer holds them. */
static void test_render_vbe(void **state)
{
	static const struct {
		uint16_t bpp;
		uint8_t bytes[4];
		uint32_t rgb;
	} depths[] = {
		{ 32, { 0x33, 0x22, 0x11, 0x00 }, 0x112233 },
		{ 24, { 0x33, 0x22, 0x11 }, 0x112233 },
		{ 16, { 0x1f, 0xf8 }, 0xff00ff }, /* r 0x1f, g 0, b 0x1f: widened as pixman does */
		{ 15, { 0xe0, 0x03 }, 0x00ff00 }, /* g 0x1f */
		{ 16, { 0x10, 0x84 }, 0x848284 }, /* r 0x10, g 0x20, b 0x10: the top bits repeated below */
		{ 8, { 0x05 }, 0x00ff00 },
	};
	struct vt *t = vt_new(16 << 20, true);
	struct vga_renderer rd;

	(void)state;
	vga_renderer_init(&rd);
	dac(t, 5, 0x00, 0x3f, 0x00);
	for (unsigned int i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		unsigned int bpp = depths[i].bpp == 15 ? 16 : depths[i].bpp, bpp_bytes = bpp / 8;
		uint32_t line = 1024 * bpp_bytes;

		vbe(t, VBE_DISPI_INDEX_ENABLE, 0);
		vbe(t, VBE_DISPI_INDEX_XRES, 1024);
		vbe(t, VBE_DISPI_INDEX_YRES, 768);
		vbe(t, VBE_DISPI_INDEX_BPP, depths[i].bpp);
		vbe(t, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
		(void)in8(t, VGA_IS1_RM);
		out8(t, VGA_ATT_W, 0x20);
		/* Pixel (5, 10) as a guest writes it through the linear framebuffer. */
		memcpy(t->vram + 10 * line + 5 * bpp_bytes, depths[i].bytes, bpp_bytes);
		vga_mark_dirty(&t->v, 10 * line, line);
		(void)vga_render(&t->v, &rd, i);
		assert_int_equal(rd.surface.width, 1024);
		assert_int_equal(rd.surface.height, 768);
		assert_int_equal(px(&rd, 5, 10), depths[i].rgb);
		assert_int_equal(px(&rd, 4, 10), 0);
		/* A later write redraws the lines on its 4 KiB page only. */
		surface_clear_dirty(&rd.surface);
		t->vram[700 * line] = 0xff;
		vga_mark_dirty(&t->v, 700 * line, 1);
		{
			unsigned int n = vga_render(&t->v, &rd, i);

			assert_true(n >= 1 && n <= 4096 / line + 2);
		}
		assert_true(rd.surface.row_dirty[700]);
		assert_false(rd.surface.row_dirty[0]);
		assert_false(rd.surface.row_dirty[767]);
	}
	/* 8BIT_DAC: the DAC's bytes as they are. */
	vbe(t, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC | VBE_DISPI_NOCLEARMEM);
	dac(t, 5, 0x80, 0x40, 0x20);
	(void)vga_render(&t->v, &rd, 10);
	assert_int_equal(px(&rd, 5, 10), 0x804020);
	/* The virtual width and the display start move the picture. */
	vbe(t, VBE_DISPI_INDEX_Y_OFFSET, 10);
	(void)vga_render(&t->v, &rd, 11);
	assert_int_equal(px(&rd, 5, 0), 0x804020);
	vga_renderer_destroy(&rd);
	vt_free(t);
}

/* Whatever a guest writes to the registers, rendering stays inside VRAM and the surface bound. */
static void test_render_hostile_registers(void **state)
{
	struct vt *t = vt_new(0x40000, true);
	struct vga_renderer rd;
	uint32_t seed = 12345;

	(void)state;
	vga_renderer_init(&rd);
	for (unsigned int i = 0; i < 3000; i++) {
		uint16_t port;
		uint32_t r;

		seed = seed * 1103515245 + 12345;
		r = seed >> 8;
		if (r % 7 == 0) {
			vbe(t, (uint16_t)((r >> 4) % 12), (uint16_t)(r >> 8));
		} else if (r % 7 == 1) {
			mem_wr(t, 0xa0000 + ((r >> 3) & 0x1ffff), (uint8_t)(r >> 20));
		} else {
			port = (uint16_t)(0x3b0 + (r >> 3) % 48);
			out8(t, port, (uint8_t)(r >> 16));
		}
		if (i % 50 == 0)
			(void)vga_render(&t->v, &rd, i);
	}
	vga_renderer_destroy(&rd);
	vt_free(t);
}

/* ------------------------------------------------------------ stdvga */

#define SV_DEVFN PCI_DEVFN(2, 0)

static uint16_t in16p(struct tm_ctx *t, uint16_t port)
{
	return (uint16_t)inp(t, port, 2);
}

static uint64_t mm_rd(struct tm_ctx *t, uint64_t a, unsigned int size)
{
	return io_space_read(&t->m.mmio, a, size);
}

static void mm_wr(struct tm_ctx *t, uint64_t a, unsigned int size, uint64_t v)
{
	io_space_write(&t->m.mmio, a, size, v);
}

static struct stdvga *sv_new(struct tm_ctx *t, uint32_t mb)
{
	static uint8_t rom[39424];
	struct stdvga *s = calloc(1, sizeof(*s));
	char err[200];

	assert_non_null(s);
	rom[0] = 0x55;
	rom[1] = 0xaa;
	rom[2] = sizeof(rom) / 512;
	rom[sizeof(rom) - 1] = 0x77;
	if (stdvga_init(s, &t->m.pci, &t->m.io, &t->m.mmio,
			&(struct stdvga_config){ .vram_mb = mb, .rom = rom, .rom_size = sizeof(rom),
						 .subsys_vendor = 0x1af4, .subsys_id = 0x1100, .devfn = SV_DEVFN },
			err, sizeof(err)))
		fail_msg("stdvga_init: %s", err);
	return s;
}

static void sv_free(struct tm_ctx *t, struct stdvga *s)
{
	tm_free(t);
	stdvga_destroy(s);
	free(s);
}

/* Identity and BARs as QEMU 7.2's "VGA" shows them to firmware and drivers. */
static void test_stdvga_pci(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, "null");
	struct stdvga *s = sv_new(t, 16);

	(void)state;
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x00, 4), 0x11111234);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x08, 4), 0x03000002);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x2c, 4), 0x11001af4);
	/* BAR0: 16 MiB prefetchable memory; BAR1 absent; BAR2: 4 KiB; ROM: 64 KiB for a 38.5 KiB image. */
	cfg_wr(t, SV_DEVFN, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x10, 4), 0xff000008);
	cfg_wr(t, SV_DEVFN, 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x14, 4), 0);
	cfg_wr(t, SV_DEVFN, 0x18, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x18, 4), 0xfffff000);
	cfg_wr(t, SV_DEVFN, 0x30, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x30, 4), 0xffff0001);
	/* vgamem_mb rounds up to a power of two. */
	sv_free(t, s);
	t = tm_new(PROFILE_PC, 1, "null");
	s = sv_new(t, 5);
	assert_int_equal(s->vram_size, 8u << 20);
	cfg_wr(t, SV_DEVFN, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, SV_DEVFN, 0x10, 4), 0xff800008);
	sv_free(t, s);
}

/* BAR0 is VRAM; BAR2 reaches the VGA ports, DISPI and QEMU's extension registers; the ROM BAR the BIOS. */
static void test_stdvga_bars(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, "null");
	struct stdvga *s = sv_new(t, 16);

	(void)state;
	cfg_wr(t, SV_DEVFN, 0x10, 4, 0xe0000000);
	cfg_wr(t, SV_DEVFN, 0x18, 4, 0xe1000000);
	cfg_wr(t, SV_DEVFN, 0x30, 4, 0xe1010001);
	cfg_wr(t, SV_DEVFN, PCI_COMMAND, 2, 0x0003);
	/* The linear framebuffer: what the guest writes is VRAM, and dirty. */
	vga_clear_dirty(&s->vga);
	mm_wr(t, 0xe0000000 + 0x5000, 4, 0x11223344);
	assert_int_equal(s->vram[0x5000], 0x44);
	assert_int_equal(mm_rd(t, 0xe0000000 + 0x5002, 2), 0x1122);
	assert_true(vga_is_dirty(&s->vga, 0x5000, 4));
	assert_false(vga_is_dirty(&s->vga, 0x6000, 0x1000));
	mm_wr(t, 0xe0ffffff, 1, 0x99);
	assert_int_equal(s->vram[(16 << 20) - 1], 0x99);
	/* DISPI through BAR2: register n at 0x500 + 2n. */
	assert_int_equal(mm_rd(t, 0xe1000500, 2), VBE_DISPI_ID5);
	assert_int_equal(mm_rd(t, 0xe1000514, 2), 256); /* VIDEO_MEMORY_64K */
	mm_wr(t, 0xe1000502, 2, 1024);
	assert_int_equal(mm_rd(t, 0xe1000502, 2), 1024);
	/* A byte access is a whole register: the write zero-extends, the read is the low byte. */
	mm_wr(t, 0xe1000502, 1, 0x20);
	assert_int_equal(mm_rd(t, 0xe1000502, 2), 0x20);
	assert_int_equal(mm_rd(t, 0xe1000501, 1), 0xc5);
	/* A dword is two registers. */
	mm_wr(t, 0xe1000502, 4, 768u << 16 | 1024);
	assert_int_equal(mm_rd(t, 0xe1000502, 4), 768u << 16 | 1024);
	/* The access leaves the DISPI index pointing at its register, for port users too. */
	assert_int_equal(in16p(t, VBE_DISPI_IOPORT_INDEX), 2);
	/* VGA ports at 0x400 + (port - 0x3c0): a word writes index then data. */
	mm_wr(t, 0xe1000404, 2, 0x0f02);
	assert_int_equal(inp(t, VGA_SEQ_D, 1), 0x0f);
	assert_int_equal(mm_rd(t, 0xe1000404, 2), 0x0f02);
	/* QEMU's extension registers: 32-bit only; size 8, little-endian; big-endian can be chosen. */
	assert_int_equal(mm_rd(t, 0xe1000600, 4), 8);
	assert_int_equal(mm_rd(t, 0xe1000604, 4), 0x1e1e1e1e);
	assert_int_equal(mm_rd(t, 0xe1000604, 2), 0);
	mm_wr(t, 0xe1000604, 4, 0xbebebebe);
	assert_int_equal(mm_rd(t, 0xe1000604, 4), 0xbebebebe);
	mm_wr(t, 0xe1000604, 4, 0x12345678);
	assert_int_equal(mm_rd(t, 0xe1000604, 4), 0xbebebebe);
	mm_wr(t, 0xe1000604, 4, 0x1e1e1e1e);
	/* Everything else in the BAR is nobody's (no EDID under libxl). */
	assert_int_equal(mm_rd(t, 0xe1000000, 4), 0xffffffff);
	assert_int_equal(mm_rd(t, 0xe1000800, 1), 0xff);
	/* The ROM: the image, then zero padding, read-only. */
	assert_int_equal(mm_rd(t, 0xe1010000, 2), 0xaa55);
	assert_int_equal(mm_rd(t, 0xe1010000 + 39423, 1), 0x77);
	assert_int_equal(mm_rd(t, 0xe1010000 + 0xfffc, 4), 0);
	mm_wr(t, 0xe1010000, 2, 0);
	assert_int_equal(mm_rd(t, 0xe1010000, 2), 0xaa55);
	/* With memory decode off the BARs are gone; the legacy ports and window stay. */
	cfg_wr(t, SV_DEVFN, PCI_COMMAND, 2, 0x0000);
	assert_int_equal(mm_rd(t, 0xe0000000 + 0x5000, 4), 0xffffffff);
	assert_int_equal(inp(t, VGA_SEQ_I, 1), 0x02);
	sv_free(t, s);
}

/* ------------------------------------------------------------ on a machine */

/* -device VGA on pc: the card at 00:02.0 with Debian's VGA BIOS, a console, saved and restored. */
/* Save t, load into a machine built from cfg (a double set up by `frames`), return it; the second save must equal the first. */
static struct tm_ctx *vga_restore(struct tm_ctx *t, const struct machine_config *cfg, uint64_t frames_park,
				  struct wbuf *first)
{
	struct tm_ctx *t2 = calloc(1, sizeof(*t2));
	struct load_report rep;
	struct wbuf w2;
	char err[512];

	assert_non_null(t2);
	wbuf_init(first, STREAM_MAX_SIZE);
	if (snapshot_save(&t->m, first, err, sizeof(err)))
		fail_msg("save: %s", err);
	accel_double_init(&t2->acc);
	if (frames_park)
		accel_double_guest_frames(&t2->acc, frames_park);
	t2->now_ns = 1000;
	if (machine_create(&t2->m, cfg, &t2->acc.accel, tm_clock, t2, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	if (snapshot_load(&t2->m, first->data, first->len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	wbuf_init(&w2, STREAM_MAX_SIZE);
	if (snapshot_save(&t2->m, &w2, err, sizeof(err)))
		fail_msg("second save: %s", err);
	assert_int_equal(w2.len, first->len);
	assert_memory_equal(w2.data, first->data, first->len);
	wbuf_free(&w2);
	return t2;
}

/* A VBE mode and a palette survive a restore; a state no guest could make is refused, and changes nothing. */
static void vga_vbe_mode_and_identity(struct tm_ctx *t, const struct machine_config *cfg)
{
	struct machine_state *st = calloc(1, sizeof(*st)), *before = calloc(1, sizeof(*before));
	const char *failed = NULL;
	unsigned int slot;
	struct tm_ctx *t2;
	struct wbuf w;
	char err[512];

	assert_non_null(st);
	assert_non_null(before);
	outp(t, VGA_PEL_IW, 1, 7);
	outp(t, VGA_PEL_D, 1, 0x3f);
	outp(t, VGA_PEL_D, 1, 0x20);
	outp(t, VGA_PEL_D, 1, 0x01);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_XRES);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 800);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_YRES);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 600);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_BPP);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 32);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_ENABLE);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_BANK);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 3);
	t2 = vga_restore(t, cfg, 0, &w);
	wbuf_free(&w);
	outp(t2, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_XRES);
	assert_int_equal(inp(t2, VBE_DISPI_IOPORT_DATA, 2), 800);
	outp(t2, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_ENABLE);
	assert_int_equal(inp(t2, VBE_DISPI_IOPORT_DATA, 2), VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
	outp(t2, VGA_PEL_IR, 1, 7);
	assert_int_equal(inp(t2, VGA_PEL_D, 1), 0x3f);
	assert_int_equal(inp(t2, VGA_PEL_D, 1), 0x20);
	assert_int_equal(inp(t2, VGA_PEL_D, 1), 0x01);
	/* Chain 4 from VBE's shadow sequencer: the bank 3 window byte is VRAM 0x30000. */
	t2->m.display.vram[0x30005] = 0x5a;
	assert_int_equal(io_space_read(&t2->m.mmio, 0xa0005, 1), 0x5a);
	/* Impossible states: each named, none applied. */
	machine_save_state(&t2->m, before);
	*st = *before;
	st->vga.r.dac_sub_index = 3;
	assert_int_equal(machine_check_state(&t2->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DAC"));
	assert_string_equal(failed, "vga");
	*st = *before;
	st->vga.r.vbe_regs[VBE_DISPI_INDEX_XRES] = 801;
	assert_int_equal(machine_check_state(&t2->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "XRES"));
	*st = *before;
	st->vga.r.vbe_line_offset = 0x100000;
	assert_int_equal(machine_check_state(&t2->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line length"));
	*st = *before;
	st->vga.r.bank_offset = (int32_t)(t2->m.display.vram_size);
	assert_int_equal(machine_check_state(&t2->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bank"));
	*st = *before;
	st->vga.vram_size = 4u << 20;
	assert_int_equal(machine_check_state(&t2->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "videoram=4"));
	*st = *before;
	st->vga.vram_gpa = 0xf0000000;
	assert_int_equal(machine_check_state(&t2->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "under Xen"));
	machine_save_state(&t2->m, st);
	assert_memory_equal(st, before, sizeof(*st));
	tm_free(t2);
	free(st);
	free(before);
}

static void test_machine_display(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_STDVGA, .vgamem_mb = 8 };
	struct tm_ctx *t = tm_new_cfg(&cfg);
	char err[256], path[] = "/tmp/hvmdm-vga-XXXXXX", head[32];
	FILE *fp;
	int fd;

	(void)state;
	assert_true(t->m.has_display && t->m.has_console);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0, 4), 0x11111234);
	/* The VGA BIOS through the ROM BAR, as SeaBIOS finds it. */
	cfg_wr(t, PCI_DEVFN(2, 0), 0x30, 4, 0xfe000001);
	cfg_wr(t, PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0x0002);
	assert_int_equal(io_space_read(&t->m.mmio, 0xfe000000, 2), 0xaa55);
	/* Text mode 3 as the BIOS sets it, a character, and a screendump of it. */
	outp(t, VGA_MIS_W, 1, 0x67);
	outp(t, VGA_SEQ_I, 2, 0x0302);
	outp(t, VGA_SEQ_I, 2, 0x0204);
	outp(t, VGA_CRT_IC, 2, 0x4f01);
	outp(t, VGA_CRT_IC, 2, 0x1f07);
	outp(t, VGA_CRT_IC, 2, 0x4f09);
	outp(t, VGA_CRT_IC, 2, 0x8f12);
	outp(t, VGA_CRT_IC, 2, 0x2813);
	outp(t, VGA_CRT_IC, 2, 0xa317);
	outp(t, VGA_GFX_I, 2, 0x1005);
	outp(t, VGA_GFX_I, 2, 0x0e06);
	(void)inp(t, VGA_IS1_RC, 1);
	outp(t, VGA_ATT_W, 1, 0x20);
	io_space_write(&t->m.mmio, 0xb8000, 2, 0x1f41);
	assert_int_equal(t->m.display.vram[0], 0x41);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(console_screendump(&t->m.console, path, "ppm", err, sizeof(err)), 0);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(head, 1, 15, fp), 15);
	fclose(fp);
	assert_memory_equal(head, "P6\n720 400\n255\n", 15);
	unlink(path);
	/* Save, restore into a new machine, save again: the same bytes, the same screen. */
	assert_null(machine_unsaveable(&t->m));
	vga_vbe_mode_and_identity(t, &cfg);
	/* A reset keeps the card and clears its registers. */
	machine_reset(&t->m);
	assert_int_equal(inp(t, VGA_MIS_R, 1), 0);
	tm_free(t);
}

/*
 * Where the accelerator maps device memory (KVM), BAR0 becomes guest memory
 * wherever the guest puts it, goes when decode goes, and the accelerator's
 * log of guest writes reaches the picture.
 */
static void test_machine_vram_mapping(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_STDVGA, .vgamem_mb = 8 };
	struct tm_ctx *t = calloc(1, sizeof(*t));
	struct stdvga *s;
	char err[256];

	(void)state;
	assert_non_null(t);
	accel_double_init(&t->acc);
	t->acc.devmem_enable = true;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	s = &t->m.display;
	cfg_wr(t, PCI_DEVFN(2, 0), 0x10, 4, 0xe0000000);
	cfg_wr(t, PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0x0002);
	assert_true(s->vram_mapped);
	assert_int_equal(t->acc.devmem_gpa, 0xe0000000);
	assert_int_equal(t->acc.devmem_size, 8u << 20);
	assert_ptr_equal(t->acc.devmem_host, s->vram);
	/* A VBE mode; the guest writes line 100 through the mapping (no exit), the log says page 100. */
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_XRES);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 1024);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_YRES);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 768);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_BPP);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, 32);
	outp(t, VBE_DISPI_IOPORT_INDEX, 2, VBE_DISPI_INDEX_ENABLE);
	outp(t, VBE_DISPI_IOPORT_DATA, 2, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
	(void)inp(t, VGA_IS1_RM, 1);
	outp(t, VGA_ATT_W, 1, 0x20);
	console_refresh(&t->m.console);
	memcpy(s->vram + 100 * 4096 + 8, "\x30\x20\x10\x00", 4);
	t->acc.devmem_log[100 / 64] |= 1ull << (100 % 64);
	console_refresh(&t->m.console);
	assert_int_equal(surface_row(&s->render.surface, 100)[2], 0x102030);
	/* Decode off: the mapping goes (the MMIO handler serves BAR0 again when it returns). */
	cfg_wr(t, PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0x0000);
	assert_false(s->vram_mapped);
	assert_int_equal(t->acc.devmem_gpa, ACCEL_UNMAPPED);
	/* A reset unmaps too, and maps nothing until the guest programs the BAR again. */
	cfg_wr(t, PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0x0002);
	assert_true(s->vram_mapped);
	machine_reset(&t->m);
	assert_false(s->vram_mapped);
	tm_free(t);
}

/* -vnc without a display card, or a VGA BIOS that is not one: refused, naming what to change. */
static void test_machine_display_refusals(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128, .vnc = true };
	struct accel_double acc;
	struct machine *m = calloc(1, sizeof(*m));
	char err[256];

	(void)state;
	assert_non_null(m);
	accel_double_init(&acc);
	strcpy(cfg.vnc_cfg.host, "127.0.0.1");
	assert_int_equal(machine_create(m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "vga="));
	cfg.vnc = false;
	cfg.display = DISPLAY_STDVGA;
	{
		char junk[] = "/tmp/hvmdm-notabios-XXXXXX";
		int fd = mkstemp(junk);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "not a ROM at all", 16), 16);
		close(fd);
		cfg.vga_bios = junk;
		assert_int_equal(machine_create(m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "not a ROM image"));
		/* One byte over the limit is refused, not cut (the VGA BIOS: 1 MiB; an option ROM: 256 KiB). */
		{
			uint8_t *big = calloc(1, (1u << 20) + 1);

			assert_non_null(big);
			big[0] = 0x55;
			big[1] = 0xaa;
			fd = open(junk, O_WRONLY | O_TRUNC);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, big, (1u << 20) + 1), (1u << 20) + 1);
			close(fd);
			assert_int_equal(machine_create(m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), -1);
			assert_non_null(strstr(err, "or more"));
			cfg.vga_bios = NULL;
			cfg.display = DISPLAY_NONE;
			fd = open(junk, O_WRONLY | O_TRUNC);
			assert_true(fd >= 0);
			assert_int_equal(write(fd, big, (256u << 10) + 1), (256u << 10) + 1);
			close(fd);
			cfg.option_roms[0] = junk;
			cfg.nr_option_roms = 1;
			assert_int_equal(machine_create(m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), -1);
			assert_non_null(strstr(err, "-option-rom"));
			assert_non_null(strstr(err, "256 KiB"));
			cfg.nr_option_roms = 0;
			cfg.display = DISPLAY_STDVGA;
			free(big);
		}
		cfg.vga_bios = "/nonexistent/vgabios.bin";
		assert_int_equal(machine_create(m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "cannot open it"));
		unlink(junk);
	}
	free(m);
}

/*
 * VRAM as Xen keeps it: guest frames made at start where the guest does not
 * see them, moved into BAR0 when the guest places it and back when it goes;
 * the record says where they are, and a restore (-incoming) takes over the
 * frames there instead of making new ones.
 */
static void test_vram_guest_frames(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_STDVGA, .vgamem_mb = 8 };
	struct tm_ctx *t = calloc(1, sizeof(*t)), *t2;
	struct machine_state *st = calloc(1, sizeof(*st));
	const char *failed;
	unsigned int slot;
	char err[512];
	struct wbuf w;

	(void)state;
	assert_non_null(t);
	assert_non_null(st);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	assert_int_equal(t->acc.frames_backings, 1);
	assert_true(t->acc.frames_backed_at == ACCEL_UNMAPPED);
	assert_int_equal(t->acc.frames_gpa, 128u << 20);
	cfg_wr(t, PCI_DEVFN(2, 0), 0x10, 4, 0xe0000000);
	cfg_wr(t, PCI_DEVFN(2, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(t->acc.frames_gpa, 0xe0000000);
	machine_save_state(&t->m, st);
	assert_int_equal(st->vga.vram_gpa, 0xe0000000);
	/* Under Xen a state must say where the frames are. */
	st->vga.vram_gpa = 0;
	assert_int_equal(machine_check_state(&t->m, st, &failed, &slot, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "VRAM address 0"));
	/* A restore takes over the frames where the record says, before the BAR is applied. */
	cfg.incoming = true;
	{
		struct tm_ctx *probe = calloc(1, sizeof(*probe));

		assert_non_null(probe);
		accel_double_init(&probe->acc);
		accel_double_guest_frames(&probe->acc, 128u << 20);
		if (machine_create(&probe->m, &cfg, &probe->acc.accel, tm_clock, probe, err, sizeof(err)))
			fail_msg("machine_create: %s", err);
		assert_int_equal(probe->acc.frames_backings, 0);
		tm_free(probe);
	}
	t2 = vga_restore(t, &cfg, 128u << 20, &w);
	wbuf_free(&w);
	assert_int_equal(t2->acc.frames_backings, 1);
	assert_int_equal(t2->acc.frames_backed_at, 0xe0000000);
	assert_int_equal(t2->acc.frames_gpa, 0xe0000000);
	/* Memory decode off: the frames go back to where the guest does not see them. */
	cfg_wr(t2, PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0);
	assert_int_equal(t2->acc.frames_gpa, 128u << 20);
	tm_free(t2);
	tm_free(t);
	free(st);
}

/* A key typed at the console reaches the guest's keyboard port, before a save and after the restore. */
static void test_keys_across_restore(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_STDVGA, .vgamem_mb = 8 };
	struct tm_ctx *t = tm_new_cfg(&cfg), *t2;
	unsigned int changes;
	uint64_t make;
	struct wbuf w;

	(void)state;
	outp(t, 0x64, 1, 0x60); /* the controller's command byte as SeaBIOS sets it: translation, IRQ 1 */
	outp(t, 0x60, 1, 0x61);
	console_key_event(&t->m.console, 'p', true);
	assert_true(t->acc.isa_irq[1]);
	make = inp(t, 0x60, 1);
	assert_int_equal(make, 0x19);
	assert_false(t->acc.isa_irq[1]);
	console_key_event(&t->m.console, 'p', false);
	assert_int_equal(inp(t, 0x60, 1), 0x99);
	/* Press and release before the guest reads: reading the first pulses the line for the second. */
	console_key_event(&t->m.console, 'p', true);
	console_key_event(&t->m.console, 'p', false);
	assert_true(t->acc.isa_irq[1]);
	changes = t->acc.isa_irq_changes[1];
	assert_int_equal(inp(t, 0x60, 1), make);
	assert_int_equal(t->acc.isa_irq_changes[1], changes + 2); /* low, then high: an edge */
	assert_true(t->acc.isa_irq[1]);
	assert_int_equal(inp(t, 0x60, 1), 0x99);
	assert_false(t->acc.isa_irq[1]);
	t2 = vga_restore(t, &cfg, 0, &w);
	wbuf_free(&w);
	console_key_event(&t2->m.console, 'p', true);
	assert_true(t2->acc.isa_irq[1]);
	assert_int_equal(inp(t2, 0x60, 1), make);
	tm_free(t2);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_decoding),
		cmocka_unit_test(test_register_masks),
		cmocka_unit_test(test_attribute_controller),
		cmocka_unit_test(test_crtc_protect),
		cmocka_unit_test(test_dac),
		cmocka_unit_test(test_text_and_font_planes),
		cmocka_unit_test(test_chain4),
		cmocka_unit_test(test_planar_write_modes),
		cmocka_unit_test(test_planar_read_modes),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_vbe_registers),
		cmocka_unit_test(test_dirty_tracking),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_mode13),
		cmocka_unit_test(test_render_planar),
		cmocka_unit_test(test_render_vbe),
		cmocka_unit_test(test_render_hostile_registers),
		cmocka_unit_test(test_stdvga_pci),
		cmocka_unit_test(test_stdvga_bars),
		cmocka_unit_test(test_machine_display),
		cmocka_unit_test(test_vram_guest_frames),
		cmocka_unit_test(test_keys_across_restore),
		cmocka_unit_test(test_machine_vram_mapping),
		cmocka_unit_test(test_machine_display_refusals),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("vga", tests, NULL, NULL);
}
