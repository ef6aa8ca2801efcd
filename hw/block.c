// SPDX-License-Identifier: GPL-2.0-only
#include "block.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

int block_open(struct block *b, const char *path, bool read_only, char *err, size_t errlen)
{
	struct stat sb;
	off_t end;

	b->fd = -1;
	b->size = 0;
	b->read_only = read_only;
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "%s: cannot open it %s: %s", path,
			 read_only ? "read-only" : "read-write", strerror(errno));
		return -1;
	}
	if (fstat(b->fd, &sb) || !(S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode))) {
		snprintf(err, errlen, "%s: not a regular file or block device", path);
		goto fail;
	}
	end = lseek(b->fd, 0, SEEK_END);
	if (end < 0) {
		snprintf(err, errlen, "%s: cannot find its size: %s", path, strerror(errno));
		goto fail;
	}
	b->size = (uint64_t)end;
	return 0;
fail:
	close(b->fd);
	b->fd = -1;
	return -1;
}

void block_close(struct block *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->size = 0;
}

static bool in_range(const struct block *b, uint64_t offset, size_t len)
{
	return b->fd >= 0 && offset <= b->size && len <= b->size - offset;
}

int block_read(struct block *b, uint64_t offset, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!in_range(b, offset, len))
		return -1;
	while (len) {
		ssize_t n = pread(b->fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_guest("block", "%s: read of %zu bytes at %llu failed: %s", b->path, len,
				 (unsigned long long)offset, n ? strerror(errno) : "end of file");
			return -1;
		}
		p += n, len -= (size_t)n, offset += (uint64_t)n;
	}
	return 0;
}

int block_write(struct block *b, uint64_t offset, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (b->read_only || !in_range(b, offset, len))
		return -1;
	while (len) {
		ssize_t n = pwrite(b->fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_guest("block", "%s: write of %zu bytes at %llu failed: %s", b->path, len,
				 (unsigned long long)offset, n ? strerror(errno) : "no progress");
			return -1;
		}
		p += n, len -= (size_t)n, offset += (uint64_t)n;
	}
	return 0;
}

int block_flush(struct block *b)
{
	if (b->fd < 0 || b->read_only)
		return 0;
	if (fdatasync(b->fd)) {
		log_warn("block", "%s: flush failed: %s", b->path, strerror(errno));
		return -1;
	}
	return 0;
}
