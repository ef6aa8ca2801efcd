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

int stream_write_file(const char *path, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	char tmp[4096], dir[4096];
	int fd, dfd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", path, strerror(errno));
		return -1;
	}
	if (stream_write_fd(fd, buf, len, err, errlen) == 0) {
		if (fsync(fd))
			snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
		else
			rc = 0;
	}
	if (close(fd) && rc == 0) {
		snprintf(err, errlen, "%s: close: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path)) {
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc) {
		unlink(tmp);
		return -1;
	}
	/* The rename itself must survive a crash: sync the directory. */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
