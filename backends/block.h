/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Raw disk and CD images: the one backend the IDE drives use (libxl gives
 * format=raw). Reads and writes are synchronous pread/pwrite, so a write the
 * guest sees completed is in the file (page cache) before the next request;
 * block_flush makes it durable (FLUSH CACHE, and before a device-state save).
 */
#ifndef HVMDM_BLOCK_H
#define HVMDM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct block {
	int fd; /* -1 = no image */
	bool read_only;
	uint64_t size; /* bytes */
	char path[256];
};

/* Open `path` (read-only if asked or if the file only allows it for a CD). */
int block_open(struct block *b, const char *path, bool read_only, char *err, size_t errlen);
/* The same for a descriptor handed over (QMP add-fd); it is duplicated, the caller keeps its own. */
int block_open_fd(struct block *b, int fd, const char *name, bool read_only, char *err,
		  size_t errlen);
void block_close(struct block *b);
static inline bool block_present(const struct block *b)
{
	return b->fd >= 0;
}
/* 0, or -1 when the range is outside the image or the host I/O failed. */
int block_read(struct block *b, uint64_t offset, void *buf, size_t len);
int block_write(struct block *b, uint64_t offset, const void *buf, size_t len);
int block_flush(struct block *b);

#endif
