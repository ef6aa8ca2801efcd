// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static struct termios stdin_saved;
static bool stdin_raw;

static void stdin_restore(void)
{
	if (stdin_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &stdin_saved);
	stdin_raw = false;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void reset(struct chardev *c)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = c->out_fd = c->listen_fd = -1;
}

static int fail(char *err, size_t errlen, const char *spec, const char *why)
{
	snprintf(err, errlen, "-serial %s: %s", spec, why);
	return -1;
}

static int open_pty(struct chardev *c, const char *spec, char *err, size_t errlen)
{
	struct termios tio;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *name;
	int slave;

	if (fd < 0 || grantpt(fd) || unlockpt(fd) || !(name = ptsname(fd))) {
		if (fd >= 0)
			close(fd);
		return fail(err, errlen, spec, strerror(errno));
	}
	/* Raw: the guest's bytes reach the reader unchanged. */
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	set_nonblock(fd);
	snprintf(c->path, sizeof(c->path), "%s", name);
	/*
	 * Open and close the slave once: from then on the master reports POLLHUP
	 * until a reader opens it, which is how has_peer() knows to discard.
	 */
	slave = open(c->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave >= 0)
		close(slave);
	c->in_fd = c->out_fd = fd;
	return 0;
}

static int open_unix(struct chardev *c, const char *spec, const char *rest, char *err,
		     size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)];
	const char *comma = strchr(rest, ',');
	size_t plen = comma ? (size_t)(comma - rest) : strlen(rest);
	bool server = false, wait = true;
	int fd;

	if (plen == 0 || plen >= sizeof(path))
		return fail(err, errlen, spec, "socket path is empty or too long");
	memcpy(path, rest, plen);
	path[plen] = '\0';
	for (const char *opt = comma; opt; opt = strchr(opt + 1, ',')) {
		const char *o = opt + 1;
		size_t n = strcspn(o, ",");

		if ((n == 6 && !strncmp(o, "server", 6)) || (n == 9 && !strncmp(o, "server=on", 9)))
			server = true;
		else if (n == 10 && !strncmp(o, "server=off", 10))
			server = false;
		else if ((n == 6 && !strncmp(o, "nowait", 6)) || (n == 8 && !strncmp(o, "wait=off", 8)))
			wait = false;
		else if (n == 7 && !strncmp(o, "wait=on", 7))
			wait = true;
		else
			return fail(err, errlen, spec, "unknown socket option");
	}
	(void)wait; /* we never block start-up on a client: output waits for one */
	memcpy(sa.sun_path, path, plen + 1);
	snprintf(c->path, sizeof(c->path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(err, errlen, spec, strerror(errno));
	if (server) {
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
			int e = errno;

			close(fd);
			return fail(err, errlen, spec, strerror(e));
		}
		c->listen_fd = fd;
		c->server = true;
		return 0;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return fail(err, errlen, spec, strerror(e));
	}
	c->in_fd = c->out_fd = fd;
	return 0;
}

int chardev_open(struct chardev *c, const char *spec, char *err, size_t errlen)
{
	reset(c);
	if (!strcmp(spec, "null")) {
		c->kind = CHARDEV_NULL;
		return 0;
	}
	if (!strcmp(spec, "stdio")) {
		c->kind = CHARDEV_STDIO;
		c->in_fd = STDIN_FILENO;
		c->out_fd = STDOUT_FILENO;
		if (isatty(STDIN_FILENO) && !stdin_raw && tcgetattr(STDIN_FILENO, &stdin_saved) == 0) {
			struct termios tio = stdin_saved;

			tio.c_lflag &= (tcflag_t)~(ICANON | ECHO);
			tcsetattr(STDIN_FILENO, TCSANOW, &tio);
			stdin_raw = true;
			atexit(stdin_restore);
		}
		return 0;
	}
	if (!strcmp(spec, "pty")) {
		c->kind = CHARDEV_PTY;
		return open_pty(c, spec, err, errlen);
	}
	if (!strncmp(spec, "file:", 5)) {
		const char *path = spec + 5;
		int fd;

		c->kind = CHARDEV_FILE;
		if (!*path || strlen(path) >= sizeof(c->path))
			return fail(err, errlen, spec, "file name is empty or too long");
		/* Truncate, as QEMU's file backend does for libxl's serial log. */
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return fail(err, errlen, spec, strerror(errno));
		snprintf(c->path, sizeof(c->path), "%s", path);
		c->out_fd = fd;
		return 0;
	}
	if (!strncmp(spec, "unix:", 5)) {
		c->kind = CHARDEV_UNIX;
		return open_unix(c, spec, spec + 5, err, errlen);
	}
	return fail(err, errlen, spec,
		    "unknown backend (use null, stdio, pty, file:PATH or unix:PATH[,server=on])");
}

void chardev_close(struct chardev *c)
{
	if (c->kind == CHARDEV_STDIO) {
		stdin_restore();
	} else {
		if (c->out_fd >= 0)
			close(c->out_fd);
		if (c->in_fd >= 0 && c->in_fd != c->out_fd)
			close(c->in_fd);
	}
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		if (c->server)
			unlink(c->path);
	}
	reset(c);
}

/* A pty master sees POLLHUP until someone opens the slave. */
static bool has_peer(struct chardev *c)
{
	struct pollfd p = { .fd = c->out_fd, .events = POLLOUT };

	if (c->out_fd < 0)
		return false;
	if (c->kind != CHARDEV_PTY)
		return true;
	return poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP);
}

bool chardev_accept(struct chardev *c)
{
	int fd;

	if (c->listen_fd < 0 || c->out_fd >= 0)
		return false;
	fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	c->in_fd = c->out_fd = fd;
	return true;
}

static void drop_peer(struct chardev *c)
{
	if (c->kind != CHARDEV_UNIX)
		return;
	close(c->out_fd);
	c->in_fd = c->out_fd = -1;
}

size_t chardev_write(struct chardev *c, const void *buf, size_t len)
{
	ssize_t n;

	if (c->kind == CHARDEV_UNIX)
		chardev_accept(c);
	if (!has_peer(c)) {
		c->dropped += len;
		return len;
	}
	do {
		/* MSG_NOSIGNAL: a client that left must not kill us with SIGPIPE. */
		n = c->kind == CHARDEV_UNIX ? send(c->out_fd, buf, len, MSG_NOSIGNAL)
					    : write(c->out_fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return (size_t)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	/* The peer is gone (EPIPE, EIO): discard, and let a new client connect. */
	drop_peer(c);
	c->dropped += len;
	return len;
}

ssize_t chardev_read(struct chardev *c, void *buf, size_t len)
{
	ssize_t n;

	if (c->kind == CHARDEV_UNIX)
		chardev_accept(c);
	if (c->in_fd < 0)
		return 0;
	if (c->kind == CHARDEV_STDIO) {
		struct pollfd p = { .fd = c->in_fd, .events = POLLIN };

		if (poll(&p, 1, 0) <= 0)
			return 0;
	}
	do {
		n = read(c->in_fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO))
		return 0; /* EIO: pty slave not open */
	if (c->kind == CHARDEV_UNIX) {
		drop_peer(c);
		return -1;
	}
	return n == 0 && c->kind == CHARDEV_STDIO ? -1 : 0;
}

void chardev_filename(const struct chardev *c, char *buf, size_t len)
{
	switch (c->kind) {
	case CHARDEV_PTY:
		snprintf(buf, len, "pty:%s", c->path);
		break;
	case CHARDEV_FILE:
		snprintf(buf, len, "file");
		break;
	case CHARDEV_UNIX:
		snprintf(buf, len, "unix:%s%s", c->path, c->server ? ",server=on" : "");
		break;
	case CHARDEV_STDIO:
		snprintf(buf, len, "stdio");
		break;
	default:
		snprintf(buf, len, "null");
		break;
	}
}
