// SPDX-License-Identifier: GPL-2.0-only
/* QMP screendump (see screendump.h). */
#include "screendump.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/output.h"

int screendump_format_parse(const char *name, enum screendump_format *f)
{
	if (!name || !strcmp(name, "ppm"))
		*f = SCREENDUMP_PPM;
	else if (!strcmp(name, "png"))
		*f = SCREENDUMP_PNG;
	else
		return -1;
	return 0;
}

/* One row as R, G, B bytes. */
static void row_rgb(const struct display_surface *s, uint32_t y, uint8_t *rgb)
{
	const uint32_t *p = s->pixels + (size_t)y * s->width;

	for (uint32_t x = 0; x < s->width; x++) {
		rgb[3 * x] = (uint8_t)(p[x] >> 16);
		rgb[3 * x + 1] = (uint8_t)(p[x] >> 8);
		rgb[3 * x + 2] = (uint8_t)p[x];
	}
}

static void png_to_wbuf(png_structp png, png_bytep data, png_size_t len)
{
	put_bytes(png_get_io_ptr(png), data, len);
}

static void png_flush_nothing(png_structp png)
{
	(void)png;
}

static int encode_png(const struct display_surface *s, struct wbuf *out, uint8_t *rgb, char *err,
		      size_t errlen)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;

	if (!info) {
		png_destroy_write_struct(&png, NULL);
		snprintf(err, errlen, "screendump: out of memory");
		return -1;
	}
	/* libpng reports its errors by longjmp: land here, nothing half-done stays. */
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		snprintf(err, errlen, "screendump: PNG encoding failed");
		return -1;
	}
	png_set_write_fn(png, out, png_to_wbuf, png_flush_nothing);
	png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (uint32_t y = 0; y < s->height; y++) {
		row_rgb(s, y, rgb);
		png_write_row(png, rgb);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int screendump_encode(const struct display_surface *s, enum screendump_format f, struct wbuf *out,
		      char *err, size_t errlen)
{
	uint8_t *rgb;
	int rc = 0;

	if (!s->pixels || !s->width || !s->height) {
		snprintf(err, errlen, "screendump: the display shows nothing yet");
		return -1;
	}
	rgb = malloc((size_t)s->width * 3);
	if (!rgb) {
		snprintf(err, errlen, "screendump: out of memory");
		return -1;
	}
	if (f == SCREENDUMP_PNG) {
		rc = encode_png(s, out, rgb, err, errlen);
	} else {
		char head[64];
		int n = snprintf(head, sizeof(head), "P6\n%u %u\n255\n", s->width, s->height);

		put_bytes(out, head, (size_t)n);
		for (uint32_t y = 0; y < s->height; y++) {
			row_rgb(s, y, rgb);
			put_bytes(out, rgb, (size_t)s->width * 3);
		}
	}
	free(rgb);
	if (!rc && out->failed) {
		snprintf(err, errlen, "screendump: out of memory for a %ux%u picture", s->width, s->height);
		rc = -1;
	}
	return rc;
}

int screendump_write(const struct display_surface *s, enum screendump_format f, const char *path,
		     char *err, size_t errlen)
{
	struct wbuf w;
	int rc;

	/* The largest surface as PPM: 4096 x 4096 x 3 plus the header. */
	wbuf_init(&w, (size_t)SURFACE_MAX_PIXELS * 3 + 64);
	rc = screendump_encode(s, f, &w, err, errlen);
	if (!rc)
		rc = stream_write_file(path, w.data, w.len, err, errlen);
	wbuf_free(&w);
	return rc;
}
