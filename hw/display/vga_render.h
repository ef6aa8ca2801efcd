/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VGA renderer: draws what a VGA core's registers and VRAM show into a
 * display surface, redrawing only what changed -- text cells whose
 * character or attribute changed (and the cursor's), graphics lines whose
 * VRAM pages were written, everything when a register that shapes the whole
 * picture was. The picture is QEMU 7.2's (hw/display/vga.c vga_draw_text,
 * vga_draw_graphic and the vga-helpers.h line converters): the same surface
 * sizes and pixel values, so a screendump compares equal.
 */
#ifndef HVMDM_VGA_RENDER_H
#define HVMDM_VGA_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "surface.h"
#include "vga.h"

/* Text modes larger than this many cells are not drawn (QEMU's CH_ATTR_SIZE). */
#define VGA_MAX_TEXT_CELLS (160 * 100)

enum vga_picture { VGA_PICTURE_NONE, VGA_PICTURE_BLANK, VGA_PICTURE_TEXT, VGA_PICTURE_GRAPHIC };

struct vga_renderer {
	struct display_surface surface;
	enum vga_picture picture;
	/* The last text screen drawn: character and attribute of each cell. */
	uint16_t text_cells[VGA_MAX_TEXT_CELLS];
	uint32_t last_cursor;     /* VRAM byte offset of the cursor cell drawn */
	bool cursor_phase;        /* blinking cursor: shown now */
	uint64_t cursor_flip_ms;  /* when it changes next */
	uint32_t palette[256];    /* XRGB of each colour index, as last computed */
};

void vga_renderer_init(struct vga_renderer *rd);
void vga_renderer_destroy(struct vga_renderer *rd);

/*
 * Bring the surface up to date with the core at time now_ms (which paces
 * the cursor blink). Consumes the core's dirty pages and full_update flag.
 * Returns the rows changed (also flagged in the surface), 0 if none.
 */
unsigned int vga_render(struct vga *v, struct vga_renderer *rd, uint64_t now_ms);

#endif
