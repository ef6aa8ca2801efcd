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

#include "hw/core/loop.h"

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
	chardev_detach(c);
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
	if (n == 0 && c->kind == CHARDEV_STDIO) {
		c->in_eof = true; /* readable for ever from now on: stop watching it */
		return -1;
	}
	return 0;
}

/* ---- the event loop: LOOP_DEVICE callbacks (on KVM under the device lock) ---- */

static void backend_in(void *opaque, int fd, unsigned int revents)
{
	struct chardev *c = opaque;
	uint8_t buf[64];
	unsigned int room;
	bool tried = false, got = false;

	(void)fd;
	while ((room = c->fe->can_read(c->fe_opaque)) > 0) {
		ssize_t n = chardev_read(c, buf, room < sizeof(buf) ? room : sizeof(buf));

		tried = true;
		if (n <= 0)
			break;
		got = true;
		c->fe->read(c->fe_opaque, buf, (size_t)n);
	}
	/* A closed or broken stdin would be reported by every poll. */
	if (c->kind == CHARDEV_STDIO && tried && !got && (revents & (POLLHUP | POLLERR | POLLNVAL)))
		c->in_eof = true;
}

static void backend_out(void *opaque, int fd, unsigned int revents)
{
	struct chardev *c = opaque;

	(void)fd, (void)revents;
	c->fe->write_ready(c->fe_opaque);
}

static void backend_accept(void *opaque, int fd, unsigned int revents)
{
	(void)fd, (void)revents;
	chardev_accept(opaque);
}

/*
 * Before each poll, wait only for what the device can use now: input while
 * it has room (a full FIFO would otherwise wake the loop for ever), output
 * while it holds bytes back. Descriptors change under us (a client accepted
 * or dropped by a guest write on a vCPU thread): the registrations follow.
 */
static void backend_prepare(void *opaque)
{
	struct chardev *c = opaque;
	unsigned int in = 0, out = 0;

	/* A pty master reports POLLHUP until a reader opens the slave. */
	if (c->in_fd >= 0 && !c->in_eof && c->fe->can_read(c->fe_opaque) &&
	    (c->kind != CHARDEV_PTY || has_peer(c)))
		in = LOOP_IN;
	if (c->fe->has_output(c->fe_opaque)) {
		if (c->out_fd >= 0)
			out = LOOP_OUT;
		else /* nothing to wait for: a client is accepted now, or the bytes are discarded */
			c->fe->write_ready(c->fe_opaque);
	}
	loop_watch(c->loop, &c->in_id, c->in_fd, in | LOOP_DEVICE, backend_in, c);
	loop_watch(c->loop, &c->out_id, c->out_fd, out | LOOP_DEVICE, backend_out, c);
	loop_watch(c->loop, &c->listen_id, c->out_fd < 0 ? c->listen_fd : -1, LOOP_IN | LOOP_DEVICE,
		   backend_accept, c);
}

int chardev_attach(struct chardev *c, struct loop *loop, const struct chardev_frontend *fe,
		   void *opaque)
{
	int id;

	chardev_detach(c);
	id = loop_add_prepare(loop, LOOP_DEVICE, backend_prepare, c);
	if (id < 0)
		return id;
	c->loop = loop;
	c->fe = fe;
	c->fe_opaque = opaque;
	c->prepare_id = id;
	return 0;
}

void chardev_detach(struct chardev *c)
{
	if (!c->loop)
		return;
	loop_del_prepare(c->loop, c->prepare_id);
	loop_del_fd(c->loop, c->in_id);
	loop_del_fd(c->loop, c->out_id);
	loop_del_fd(c->loop, c->listen_id);
	c->prepare_id = c->in_id = c->out_id = c->listen_id = 0;
	c->loop = NULL;
	c->fe = NULL;
	c->fe_opaque = NULL;
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
