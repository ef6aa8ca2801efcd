/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QMP screendump: the display surface as a PPM (P6, as QEMU writes it) or a
 * PNG (8-bit RGB, through libpng), written crash-safe (temporary file,
 * fsync, rename): a failed dump leaves whatever file was there.
 */
#ifndef HVMDM_SCREENDUMP_H
#define HVMDM_SCREENDUMP_H

#include <stddef.h>

#include "hw/display/surface.h"
#include "state/buf.h"

enum screendump_format { SCREENDUMP_PPM, SCREENDUMP_PNG };

/* QMP's "format": "ppm" (the default when NULL) or "png"; -1 for anything else. */
int screendump_format_parse(const char *name, enum screendump_format *f);
/* Encode into out (a growable buffer); 0, or -1 with err. */
int screendump_encode(const struct display_surface *s, enum screendump_format f, struct wbuf *out,
		      char *err, size_t errlen);
/* Encode and write to path; 0, or -1 with err (path untouched). */
int screendump_write(const struct display_surface *s, enum screendump_format f, const char *path,
		     char *err, size_t errlen);

#endif
