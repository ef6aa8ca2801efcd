// SPDX-License-Identifier: GPL-2.0-only
#include "block.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/core/log.h"

static int block_setup(struct block *b, char *err, size_t errlen)
{
	struct stat sb;
	off_t end;

	if (fstat(b->fd, &sb) || !(S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode))) {
		snprintf(err, errlen, "%s: not a regular file or block device", b->path);
		goto fail;
	}
	end = lseek(b->fd, 0, SEEK_END);
	if (end < 0) {
		snprintf(err, errlen, "%s: cannot find its size: %s", b->path, strerror(errno));
		goto fail;
	}
	b->size = (uint64_t)end;
	return 0;
fail:
	close(b->fd);
	b->fd = -1;
	return -1;
}

int block_open(struct block *b, const char *path, bool read_only, char *err, size_t errlen)
{
	b->size = 0;
	b->read_only = read_only;
	snprintf(b->path, sizeof(b->path), "%s", path);
	b->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		snprintf(err, errlen, "%s: cannot open it %s: %s", path,
			 read_only ? "read-only" : "read-write", strerror(errno));
		return -1;
	}
	return block_setup(b, err, errlen);
}

int block_open_fd(struct block *b, int fd, const char *name, bool read_only, char *err,
		  size_t errlen)
{
	int mode = fcntl(fd, F_GETFL);

	b->size = 0;
	b->read_only = read_only;
	snprintf(b->path, sizeof(b->path), "%s", name);
	if (mode < 0 || (!read_only && (mode & O_ACCMODE) == O_RDONLY)) {
		snprintf(err, errlen, "%s: the descriptor is %s", name,
			 mode < 0 ? "not open" : "read-only but the drive writes");
		b->fd = -1;
		return -1;
	}
	b->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (b->fd < 0) {
		snprintf(err, errlen, "%s: cannot duplicate the descriptor: %s", name, strerror(errno));
		return -1;
	}
	return block_setup(b, err, errlen);
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
