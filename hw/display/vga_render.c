// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VGA renderer (see vga_render.h). Every VRAM read goes through
 * vram_byte(), which wraps the address at the VRAM size as QEMU's
 * vbe_size_mask does: no register value can make it read outside VRAM.
 */
#include "vga_render.h"

#include <string.h>

/* The cursor blinks with this period (QEMU's VGA_TEXT_CURSOR_PERIOD_MS: 16 frames at 60 Hz, twice). */
#define CURSOR_PERIOD_MS (1000 * 2 * 16 / 60)

static uint8_t vram_byte(const struct vga *v, uint64_t addr)
{
	return v->cfg.vram[addr & (v->cfg.vram_size - 1)];
}

static uint32_t rgb(unsigned int r, unsigned int g, unsigned int b)
{
	return (r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff);
}

/* A 6-bit DAC value to 8 bits (QEMU's c6_to_8). */
static unsigned int c6_to_8(unsigned int v)
{
	v &= 0x3f;
	return (v << 2) | ((v & 1) << 1) | (v & 1);
}

/* The 16 colours of text and planar modes, through the attribute palette (update_palette16). */
static void palette16(const struct vga *v, uint32_t pal[16])
{
	const struct vga_regs *r = &v->r;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int c = r->ar[i];

		if (r->ar[VGA_ATC_MODE] & 0x80)
			c = ((r->ar[VGA_ATC_COLOR_PAGE] & 0xf) << 4) | (c & 0xf);
		else
			c = ((r->ar[VGA_ATC_COLOR_PAGE] & 0xc) << 4) | (c & 0x3f);
		c *= 3;
		pal[i] = rgb(c6_to_8(r->palette[c]), c6_to_8(r->palette[c + 1]),
			     c6_to_8(r->palette[c + 2]));
	}
}

/* The 256 colours of 8-bit modes: the DAC directly, 6 or (VBE's 8BIT_DAC) 8 bits. */
static void palette256(const struct vga *v, uint32_t pal[256])
{
	const struct vga_regs *r = &v->r;
	bool dac8 = v->cfg.vbe && (r->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC);

	for (unsigned int i = 0; i < 256; i++) {
		const uint8_t *c = &r->palette[3 * i];

		pal[i] = dac8 ? rgb(c[0], c[1], c[2]) : rgb(c6_to_8(c[0]), c6_to_8(c[1]), c6_to_8(c[2]));
	}
}

/* Line offset, start address (in planar words) and line compare (vga_get_offsets). */
static void get_offsets(const struct vga *v, uint32_t *line_offset, uint32_t *start,
			uint32_t *line_compare)
{
	const struct vga_regs *r = &v->r;

	if (v->cfg.card && v->cfg.card->offsets) {
		v->cfg.card->offsets(v->cfg.card_opaque, line_offset, start, line_compare);
		return;
	}
	if (vbe_enabled(v)) {
		*line_offset = r->vbe_line_offset;
		*start = r->vbe_start_addr;
		*line_compare = 65535;
		return;
	}
	*line_offset = (uint32_t)r->cr[VGA_CRTC_OFFSET] << 3;
	*start = r->cr[VGA_CRTC_START_LO] | (uint32_t)r->cr[VGA_CRTC_START_HI] << 8;
	*line_compare = r->cr[VGA_CRTC_LINE_COMPARE] | ((uint32_t)(r->cr[VGA_CRTC_OVERFLOW] & 0x10) << 4) |
			((uint32_t)(r->cr[VGA_CRTC_MAX_SCAN] & 0x40) << 3);
}

/* Displayed scan lines, from CR12 and its two overflow bits in CR07. */
static uint32_t crtc_lines(const struct vga_regs *r)
{
	return (r->cr[VGA_CRTC_V_DISP_END] | ((uint32_t)(r->cr[VGA_CRTC_OVERFLOW] & 0x02) << 7) |
		((uint32_t)(r->cr[VGA_CRTC_OVERFLOW] & 0x40) << 3)) + 1;
}

static bool resize(struct vga_renderer *rd, uint32_t width, uint32_t height, bool *full)
{
	struct display_surface *s = &rd->surface;

	if (s->width == width && s->height == height && s->pixels)
		return true;
	if (surface_resize(s, width, height))
		return false;
	*full = true;
	return true;
}

/* ------------------------------------------------------------ text */

/*
 * One glyph row set: h rows of font bytes (every fourth VRAM byte: plane 2),
 * 8, 9 or 16 pixels wide.
 */
static void draw_glyph(struct display_surface *s, uint32_t x0, uint32_t y0, const struct vga *v,
		       uint64_t font, bool all_ones, unsigned int h, unsigned int cw, bool dup9,
		       uint32_t fg, uint32_t bg)
{
	for (unsigned int row = 0; row < h; row++) {
		unsigned int bits = all_ones ? 0xff : vram_byte(v, font + 4ull * row);
		uint32_t *d = surface_row(s, y0 + row) + x0;

		if (cw == 16) {
			for (unsigned int i = 0; i < 8; i++)
				d[2 * i] = d[2 * i + 1] = (bits & (0x80 >> i)) ? fg : bg;
		} else {
			for (unsigned int i = 0; i < 8; i++)
				d[i] = (bits & (0x80 >> i)) ? fg : bg;
			if (cw == 9)
				d[8] = (dup9 && (bits & 1)) ? fg : bg;
		}
		surface_mark_row(s, y0 + row);
	}
}

static unsigned int draw_text(struct vga *v, struct vga_renderer *rd, bool full, uint64_t now_ms)
{
	const struct vga_regs *r = &v->r;
	struct display_surface *s = &rd->surface;
	uint32_t line_offset, start, line_compare, cols, rows, cheight, cw, sr1, sr3;
	uint32_t cursor, offset, line = 0, drawn = 0;
	uint64_t font_base[2];
	uint32_t pal[16];
	bool cursor_shown;

	get_offsets(v, &line_offset, &start, &line_compare);
	sr1 = vga_sr(v, VGA_SEQ_CLOCK_MODE);
	sr3 = vga_sr(v, VGA_SEQ_CHARACTER_MAP);
	/* Font A and B in plane 2: 8 KiB-character slots of 32-byte glyphs. */
	font_base[0] = (((sr3 >> 4) & 1) | ((sr3 << 1) & 6)) * 8192ull * 4 + 2;
	font_base[1] = (((sr3 >> 5) & 1) | ((sr3 >> 1) & 6)) * 8192ull * 4 + 2;
	cols = r->cr[VGA_CRTC_H_DISP] + 1u;
	cheight = (r->cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1u;
	/* QEMU's CGA 160x100x16 hack: a vertical total of 100 means 100 rows. */
	rows = r->cr[0x06] == 100 ? 100 : crtc_lines(r) / cheight;
	cw = (sr1 & VGA_SR01_CHAR_CLK_8DOTS) ? 8 : 9;
	if (sr1 & 0x08)
		cw = 16; /* double width; QEMU draws no 18-pixel cells */
	/* A transient or absurd geometry draws nothing (QEMU too). */
	if (cols * rows <= 1 || cols * rows > VGA_MAX_TEXT_CELLS)
		return 0;
	if (!resize(rd, cols * cw, rows * cheight, &full))
		return 0;
	if (rd->picture != VGA_PICTURE_TEXT)
		full = true;
	/* Plane 2 written: the font may have changed. Chain-4 with every plane: QEMU redraws always. */
	if ((v->plane_updated & 4) ||
	    ((vga_sr(v, VGA_SEQ_MEMORY_MODE) & VGA_SR04_CHN_4M) && (vga_sr(v, VGA_SEQ_PLANE_WRITE) & 0xf) == 0xf))
		full = true;
	v->plane_updated = 0;
	palette16(v, pal);
	if (memcmp(pal, rd->palette, sizeof(pal))) {
		memcpy(rd->palette, pal, sizeof(pal));
		full = true;
	}
	if (now_ms >= rd->cursor_flip_ms) {
		rd->cursor_flip_ms = now_ms + CURSOR_PERIOD_MS / 2;
		rd->cursor_phase = !rd->cursor_phase;
	}
	cursor = ((uint32_t)r->cr[VGA_CRTC_CURSOR_HI] << 8 | r->cr[VGA_CRTC_CURSOR_LO]) * 4u;
	cursor_shown = !(r->cr[VGA_CRTC_CURSOR_START] & 0x20) && rd->cursor_phase;
	offset = start * 4;
	for (uint32_t cy = 0; cy < rows; cy++) {
		uint32_t src = offset;

		for (uint32_t cx = 0; cx < cols; cx++, src += 4) {
			uint16_t ch_attr;

			/* No wrap: a row running past the end of VRAM stops there (QEMU too). */
			if ((uint64_t)src + 2 > v->cfg.vram_size)
				break;
			ch_attr = (uint16_t)(v->cfg.vram[src] | v->cfg.vram[src + 1] << 8);
			uint16_t *cache = &rd->text_cells[cy * cols + cx];
			uint32_t cell = src;
			bool at_cursor = cell == cursor;
			unsigned int ch = ch_attr & 0xff, attr = ch_attr >> 8;
			uint32_t fg = pal[attr & 0x0f], bg = pal[attr >> 4];
			bool dup9 = ch >= 0xb0 && ch <= 0xdf && (r->ar[VGA_ATC_MODE] & 0x04);

			/* The cursor's cell, and the one it left, are redrawn every time (QEMU too). */
			if (!full && ch_attr == *cache && !at_cursor && cell != rd->last_cursor)
				continue;
			*cache = ch_attr;
			draw_glyph(s, cx * cw, cy * cheight, v, font_base[(attr >> 3) & 1] + 32ull * 4 * ch,
				   false, cheight, cw, dup9, fg, bg);
			drawn++;
			if (at_cursor && cursor_shown) {
				uint32_t first = r->cr[VGA_CRTC_CURSOR_START] & 0x1f;
				uint32_t last = r->cr[VGA_CRTC_CURSOR_END] & 0x1f;

				if (last > cheight - 1)
					last = cheight - 1;
				if (last >= first && first < cheight)
					draw_glyph(s, cx * cw, cy * cheight + first, v, 0, true, last - first + 1,
						   cw, true, fg, bg);
			}
		}
		offset += line_offset;
		/* The split screen: from the line compare on, the display restarts at VRAM 0. */
		if (line < line_compare && line + cheight >= line_compare)
			offset = 0;
		line += cheight;
	}
	rd->last_cursor = cursor;
	rd->picture = VGA_PICTURE_TEXT;
	return drawn;
}

/* ------------------------------------------------------------ graphics */

enum line_kind { LINE2, LINE2D2, LINE4, LINE4D2, LINE8D2, LINE8, LINE15, LINE16, LINE24, LINE32 };

/*
 * 5- and 6-bit colour channels widened to 8 with their top bits repeated
 * below, as pixman converts them: QEMU 7.2 shares a 15/16-bit guest
 * framebuffer with its display (vga_draw_graphic's share_surface), so what
 * a VNC client of the stock device model sees is pixman's widening, not
 * vga-helpers.h's shift.
 */
static unsigned int widen5(unsigned int c)
{
	c &= 0x1f;
	return c << 3 | c >> 2;
}

static unsigned int widen6(unsigned int c)
{
	c &= 0x3f;
	return c << 2 | c >> 4;
}

/* A 16-bit pixel in the framebuffer's byte order. */
static unsigned int word16(const struct vga *v, uint64_t addr)
{
	unsigned int b0 = vram_byte(v, addr), b1 = vram_byte(v, addr + 1);

	return v->big_endian_fb ? b0 << 8 | b1 : b1 << 8 | b0;
}

/* One scan line of width memory pixels from VRAM address addr into d. */
static void draw_line(const struct vga *v, enum line_kind kind, const uint32_t *pal, uint32_t *d,
		      uint64_t addr, uint32_t width)
{
	uint32_t plane_mask = v->r.ar[VGA_ATC_PLANE_ENABLE] & 0xf;
	unsigned int dup = (kind == LINE2D2 || kind == LINE4D2 || kind == LINE8D2) ? 2 : 1;
	uint32_t x = 0;

	switch (kind) {
	case LINE4:
	case LINE4D2:
		/* Planar: one bit of each plane per pixel, most significant bit first. */
		for (uint32_t group = 0; group < width / 8; group++, addr += 4) {
			uint8_t p[4];

			for (unsigned int i = 0; i < 4; i++)
				p[i] = (plane_mask & (1u << i)) ? vram_byte(v, addr + i) : 0;
			for (unsigned int bit = 0; bit < 8; bit++) {
				unsigned int sh = 7 - bit;
				unsigned int idx = ((p[0] >> sh) & 1) | ((p[1] >> sh) & 1) << 1 |
						   ((p[2] >> sh) & 1) << 2 | ((p[3] >> sh) & 1) << 3;

				for (unsigned int k = 0; k < dup; k++)
					d[x++] = pal[idx];
			}
		}
		break;
	case LINE2:
	case LINE2D2:
		/* CGA 4-colour: planes 0/2 then 1/3 give 2-bit pixels, four per byte pair. */
		for (uint32_t group = 0; group < width / 8; group++, addr += 4) {
			uint8_t p[4];

			for (unsigned int i = 0; i < 4; i++)
				p[i] = (plane_mask & (1u << i)) ? vram_byte(v, addr + i) : 0;
			for (unsigned int half = 0; half < 2; half++) {
				uint8_t lo = p[half], hi = p[half + 2];

				for (unsigned int j = 0; j < 4; j++) {
					unsigned int sh = 6 - 2 * j;
					unsigned int idx = ((lo >> sh) & 3) | ((hi >> sh) & 3) << 2;

					for (unsigned int k = 0; k < dup; k++)
						d[x++] = pal[idx];
				}
			}
		}
		break;
	case LINE8D2:
		/* Mode 13h: 8-bit pixels shown twice as wide (width counts output pixels). */
		for (uint32_t i = 0; i < width / 2; i++) {
			uint32_t c = pal[vram_byte(v, addr + i)];

			d[x++] = c;
			d[x++] = c;
		}
		break;
	case LINE8:
		for (uint32_t i = 0; i < width; i++)
			d[x++] = pal[vram_byte(v, addr + i)];
		break;
	case LINE15:
		for (uint32_t i = 0; i < width; i++, addr += 2) {
			unsigned int p = word16(v, addr);

			d[x++] = rgb(widen5(p >> 10), widen5(p >> 5), widen5(p));
		}
		break;
	case LINE16:
		for (uint32_t i = 0; i < width; i++, addr += 2) {
			unsigned int p = word16(v, addr);

			d[x++] = rgb(widen5(p >> 11), widen6(p >> 5), widen5(p));
		}
		break;
	case LINE24:
		/* Little-endian B, G, R; big-endian R, G, B. */
		for (uint32_t i = 0; i < width; i++, addr += 3)
			d[x++] = v->big_endian_fb
					 ? rgb(vram_byte(v, addr), vram_byte(v, addr + 1), vram_byte(v, addr + 2))
					 : rgb(vram_byte(v, addr + 2), vram_byte(v, addr + 1), vram_byte(v, addr));
		break;
	case LINE32:
		/* Little-endian B, G, R, x; big-endian x, R, G, B. */
		for (uint32_t i = 0; i < width; i++, addr += 4)
			d[x++] = v->big_endian_fb
					 ? rgb(vram_byte(v, addr + 1), vram_byte(v, addr + 2), vram_byte(v, addr + 3))
					 : rgb(vram_byte(v, addr + 2), vram_byte(v, addr + 1), vram_byte(v, addr));
		break;
	}
}

/* Whether the VRAM bytes [addr, addr + len) of a line changed; a line may wrap past the end. */
static bool line_dirty(const struct vga *v, uint64_t addr, uint64_t len)
{
	uint64_t size = v->cfg.vram_size, a = addr & (size - 1);

	if (len >= size)
		return vga_is_dirty(v, 0, size);
	if (a + len > size)
		return vga_is_dirty(v, a, size - a) || vga_is_dirty(v, 0, a + len - size);
	return vga_is_dirty(v, a, len);
}

static unsigned int draw_graphic(struct vga *v, struct vga_renderer *rd, bool full)
{
	const struct vga_regs *r = &v->r;
	struct display_surface *s = &rd->surface;
	uint32_t line_offset, start, line_compare, width, height, disp_width, bits;
	uint32_t shift_control, double_scan, multi_scan, multi_run, y1 = 0, drawn = 0;
	uint32_t pal[256];
	uint64_t addr1, bwidth;
	enum line_kind kind;
	bool sr1_d2 = vga_sr(v, VGA_SEQ_CLOCK_MODE) & 0x08;
	const struct vga_card_ops *card = v->cfg.card;
	unsigned int card_bpp = card && card->bpp ? card->bpp(v->cfg.card_opaque) : 0;

	get_offsets(v, &line_offset, &start, &line_compare);
	if (card && card->resolution) {
		card->resolution(v->cfg.card_opaque, &width, &height);
	} else if (vbe_enabled(v)) {
		width = r->vbe_regs[VBE_DISPI_INDEX_XRES];
		height = r->vbe_regs[VBE_DISPI_INDEX_YRES];
	} else {
		width = (r->cr[VGA_CRTC_H_DISP] + 1u) * 8;
		height = crtc_lines(r);
	}
	disp_width = width;
	shift_control = (r->gr[VGA_GFX_MODE] >> 5) & 3;
	double_scan = r->cr[VGA_CRTC_MAX_SCAN] >> 7;
	if (r->cr[VGA_CRTC_MODE] & 1)
		multi_scan = (((r->cr[VGA_CRTC_MAX_SCAN] & 0x1fu) + 1) << double_scan) - 1;
	else
		multi_scan = double_scan; /* CGA compatibility: the scan count is ignored */
	memset(pal, 0, sizeof(pal));
	if (shift_control == 0 || shift_control == 1) {
		if (sr1_d2)
			disp_width <<= 1;
		palette16(v, pal);
		kind = shift_control == 0 ? (sr1_d2 ? LINE4D2 : LINE4) : (sr1_d2 ? LINE2D2 : LINE2);
		bits = 4;
	} else {
		switch (vbe_enabled(v) ? r->vbe_regs[VBE_DISPI_INDEX_BPP] : card_bpp) {
		case 8:
			palette256(v, pal);
			kind = LINE8;
			bits = 8;
			break;
		case 15:
			kind = LINE15;
			bits = 16;
			break;
		case 16:
			kind = LINE16;
			bits = 16;
			break;
		case 24:
			kind = LINE24;
			bits = 24;
			break;
		case 32:
			kind = LINE32;
			bits = 32;
			break;
		default:
			palette256(v, pal);
			kind = LINE8D2;
			bits = 4;
			break;
		}
	}
	if (!width || !height || !resize(rd, disp_width, height, &full))
		return 0;
	if (rd->picture != VGA_PICTURE_GRAPHIC)
		full = true;
	if (memcmp(pal, rd->palette, sizeof(pal))) {
		memcpy(rd->palette, pal, sizeof(pal));
		full = true;
	}
	addr1 = (uint64_t)start * 4;
	bwidth = ((uint64_t)width * bits + 7) / 8;
	multi_run = multi_scan;
	for (uint32_t y = 0; y < height; y++) {
		uint64_t addr = addr1;

		/* CGA and Hercules interleaving: CR17 bits 0 and 1 clear. */
		if (!(r->cr[VGA_CRTC_MODE] & 1)) {
			unsigned int shift = 14 + ((r->cr[VGA_CRTC_MODE] >> 6) & 1);

			addr = (addr & ~(1ull << shift)) | ((uint64_t)(y1 & 1) << shift);
		}
		if (!(r->cr[VGA_CRTC_MODE] & 2))
			addr = (addr & ~0x8000ull) | ((uint64_t)(y1 & 2) << 14);
		if (full || line_dirty(v, addr, bwidth)) {
			draw_line(v, kind, pal, surface_row(s, y), addr, width);
			if (card && card->cursor_row)
				card->cursor_row(v->cfg.card_opaque, y, surface_row(s, y), disp_width);
			surface_mark_row(s, y);
			drawn++;
		}
		if (!multi_run) {
			uint32_t mask = (r->cr[VGA_CRTC_MODE] & 3) ^ 3;

			if ((y1 & mask) == mask)
				addr1 += line_offset;
			y1++;
			multi_run = multi_scan;
		} else {
			multi_run--;
		}
		/* The line compare acts on displayed lines. */
		if (y == line_compare)
			addr1 = 0;
	}
	rd->picture = VGA_PICTURE_GRAPHIC;
	return drawn;
}

/* Screen off: black, at the size it had (before any mode: 640x480, QEMU's first console size). */
static unsigned int draw_blank(struct vga_renderer *rd, bool full)
{
	struct display_surface *s = &rd->surface;

	if (!s->pixels && !resize(rd, 640, 480, &full))
		return 0;
	if (!full && rd->picture == VGA_PICTURE_BLANK)
		return 0;
	memset(s->pixels, 0, (size_t)s->width * s->height * sizeof(*s->pixels));
	for (uint32_t y = 0; y < s->height; y++)
		surface_mark_row(s, y);
	rd->picture = VGA_PICTURE_BLANK;
	return s->height;
}

unsigned int vga_render(struct vga *v, struct vga_renderer *rd, uint64_t now_ms)
{
	bool full = v->full_update;
	unsigned int n;

	v->full_update = false;
	/* Palette address source (AR index bit 5) clear: the display reads no palette, shows nothing. */
	if (!(v->r.ar_index & 0x20))
		n = draw_blank(rd, full);
	else if (vbe_enabled(v) || (v->r.gr[VGA_GFX_MISC] & 1))
		n = draw_graphic(v, rd, full);
	else
		n = draw_text(v, rd, full, now_ms);
	vga_clear_dirty(v);
	return n;
}

void vga_renderer_init(struct vga_renderer *rd)
{
	memset(rd, 0, sizeof(*rd));
	surface_init(&rd->surface);
}

void vga_renderer_destroy(struct vga_renderer *rd)
{
	surface_destroy(&rd->surface);
}
