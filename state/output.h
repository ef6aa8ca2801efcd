/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Putting a saved stream somewhere without losing anything (DESIGN §3.9):
 * to a file through a temporary file, fsync and rename, so a crash leaves
 * either the old file or the complete new one; to a descriptor (the one libxl
 * hands over) completely, or an error.
 */
#ifndef HVMDM_STATE_OUTPUT_H
#define HVMDM_STATE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 with the reason in err; on failure `path` is untouched. */
int stream_write_file(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Writes all of buf (retrying short writes, EINTR, EAGAIN); 0 or -1 with err. */
int stream_write_fd(int fd, const uint8_t *buf, size_t len, char *err, size_t errlen);

#endif
