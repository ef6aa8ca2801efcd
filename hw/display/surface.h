/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A display surface: the picture a card's renderer draws, in XRGB8888, with
 * the rows changed since its consumer (the VNC server, screendump) last
 * took them. It knows nothing about VGA or VNC.
 */
#ifndef HVMDM_SURFACE_H
#define HVMDM_SURFACE_H

#include <stdbool.h>
#include <stdint.h>

/* The largest picture drawn (VBE's 16000x12000 at 32 bpp would be 732 MiB). */
#define SURFACE_MAX_PIXELS (4096u * 4096u)

struct display_surface {
	uint32_t width, height;
	uint32_t *pixels;   /* width * height, row after row */
	uint8_t *row_dirty; /* one flag per row */
	bool resized;       /* the size changed: consumers start over */
};

/* An empty (0x0) surface. */
void surface_init(struct display_surface *s);
void surface_destroy(struct display_surface *s);
/*
 * Make it width x height, black, every row dirty. 0 on success (also when
 * the size is unchanged: nothing happens), -EINVAL for a size beyond
 * SURFACE_MAX_PIXELS or 0, -ENOMEM.
 */
int surface_resize(struct display_surface *s, uint32_t width, uint32_t height);

static inline uint32_t *surface_row(struct display_surface *s, uint32_t y)
{
	return s->pixels + (uint64_t)y * s->width;
}

static inline void surface_mark_row(struct display_surface *s, uint32_t y)
{
	if (y < s->height)
		s->row_dirty[y] = 1;
}

/* Whether any row is dirty; clear_dirty forgets them all. */
bool surface_any_dirty(const struct display_surface *s);
void surface_clear_dirty(struct display_surface *s);

#endif
