// SPDX-License-Identifier: GPL-2.0-only
#include "surface.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void surface_init(struct display_surface *s)
{
	memset(s, 0, sizeof(*s));
}

void surface_destroy(struct display_surface *s)
{
	free(s->pixels);
	free(s->row_dirty);
	surface_init(s);
}

int surface_resize(struct display_surface *s, uint32_t width, uint32_t height)
{
	uint32_t *pixels;
	uint8_t *rows;

	if (width == s->width && height == s->height && s->pixels)
		return 0;
	if (!width || !height || (uint64_t)width * height > SURFACE_MAX_PIXELS)
		return -EINVAL;
	pixels = calloc((size_t)width * height, sizeof(*pixels));
	rows = malloc(height);
	if (!pixels || !rows) {
		free(pixels);
		free(rows);
		return -ENOMEM;
	}
	free(s->pixels);
	free(s->row_dirty);
	s->pixels = pixels;
	s->row_dirty = rows;
	memset(rows, 1, height);
	s->width = width;
	s->height = height;
	s->resized = true;
	return 0;
}

bool surface_any_dirty(const struct display_surface *s)
{
	return s->height && memchr(s->row_dirty, 1, s->height) != NULL;
}

void surface_clear_dirty(struct display_surface *s)
{
	if (s->height)
		memset(s->row_dirty, 0, s->height);
	s->resized = false;
}
