/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Putting a saved stream somewhere without losing anything (DESIGN §3.9):
 * to a file through a temporary file, fsync and rename, so a crash leaves
 * either the old file or the complete new one; to a descriptor (the one libxl
 * hands over) completely, or an error.
 */
#ifndef HVMDM_STATE_OUTPUT_H
#define HVMDM_STATE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* 0, or -1 with the reason in err; on failure `path` is untouched. */
int stream_write_file(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Writes all of buf (retrying short writes, EINTR, EAGAIN); 0 or -1 with err. */
int stream_write_fd(int fd, const uint8_t *buf, size_t len, char *err, size_t errlen);

/* A file written through a temporary file: begin, write to fd, commit or abort. */
struct out_file {
	int fd;
	char path[4096];
	char tmp[4096 + 16];
};

int out_file_begin(struct out_file *f, const char *path, char *err, size_t errlen);
/* fsync, rename over path, sync the directory; the temporary file goes on failure. */
int out_file_commit(struct out_file *f, char *err, size_t errlen);
void out_file_abort(struct out_file *f);

/*
 * A stream too large to build in memory (a whole VM): records go into `w`,
 * which is written out whenever it holds OUT_SINK_FLUSH_AT bytes. The first
 * failure latches, with its reason in err.
 */
#define OUT_SINK_FLUSH_AT (4u << 20)
#define OUT_SINK_LIMIT (16u << 20)

struct out_sink {
	struct wbuf w;
	int fd;
	uint64_t written;
	bool failed;
	char err[256];
};

void out_sink_init(struct out_sink *s, int fd);
int out_sink_maybe_flush(struct out_sink *s);
int out_sink_flush(struct out_sink *s);
void out_sink_free(struct out_sink *s);

#endif
