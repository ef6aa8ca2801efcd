// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int stream_write_fd(int fd, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 30000) <= 0) {
				snprintf(err, errlen, "descriptor %d stopped taking data after %zu of %zu bytes",
					 fd, done, len);
				return -1;
			}
		} else {
			snprintf(err, errlen, "write to descriptor %d failed after %zu of %zu bytes: %s", fd,
				 done, len, n < 0 ? strerror(errno) : "no progress");
			return -1;
		}
	}
	return 0;
}

int out_file_begin(struct out_file *f, const char *path, char *err, size_t errlen)
{
	if (snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(f->tmp) ||
	    snprintf(f->path, sizeof(f->path), "%s", path) >= (int)sizeof(f->path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void out_file_abort(struct out_file *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->tmp);
	}
	f->fd = -1;
}

int out_file_commit(struct out_file *f, char *err, size_t errlen)
{
	char dir[sizeof(f->path)];
	int dfd, fd = f->fd;

	f->fd = -1;
	if (fsync(fd)) {
		snprintf(err, errlen, "%s: fsync: %s", f->tmp, strerror(errno));
		close(fd);
		unlink(f->tmp);
		return -1;
	}
	if (close(fd)) {
		snprintf(err, errlen, "%s: close: %s", f->tmp, strerror(errno));
		unlink(f->tmp);
		return -1;
	}
	if (rename(f->tmp, f->path)) {
		snprintf(err, errlen, "%s: rename: %s", f->path, strerror(errno));
		unlink(f->tmp);
		return -1;
	}
	/* The rename itself must survive a crash: sync the directory. */
	snprintf(dir, sizeof(dir), "%s", f->path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int stream_write_file(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct out_file f;

	if (out_file_begin(&f, path, err, errlen))
		return -1;
	if (stream_write_fd(f.fd, buf, len, err, errlen)) {
		out_file_abort(&f);
		return -1;
	}
	return out_file_commit(&f, err, errlen);
}

void out_sink_init(struct out_sink *s, int fd)
{
	wbuf_init(&s->w, OUT_SINK_LIMIT);
	s->fd = fd;
	s->written = 0;
	s->failed = false;
	s->err[0] = '\0';
}

int out_sink_flush(struct out_sink *s)
{
	if (s->failed)
		return -1;
	if (s->w.failed) {
		snprintf(s->err, sizeof(s->err), "out of memory while writing the stream");
		s->failed = true;
		return -1;
	}
	if (stream_write_fd(s->fd, s->w.data, s->w.len, s->err, sizeof(s->err))) {
		s->failed = true;
		return -1;
	}
	s->written += s->w.len;
	s->w.len = 0;
	return 0;
}

int out_sink_maybe_flush(struct out_sink *s)
{
	return s->w.len >= OUT_SINK_FLUSH_AT || s->w.failed ? out_sink_flush(s) : (s->failed ? -1 : 0);
}

void out_sink_free(struct out_sink *s)
{
	wbuf_free(&s->w);
}
