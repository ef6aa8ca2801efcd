// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hw/core/log.h"
#include "hw/core/loop.h"

/* Frames delivered per loop callback, so one busy backend cannot starve the rest. */
#define NET_RX_BURST 64u
#define STREAM_HDR 4u

static int fail(char *err, size_t errlen, const struct netdev_config *cfg, const char *why)
{
	snprintf(err, errlen, "-netdev %s,id=%s: %s", cfg->kind == NETDEV_TAP ? "tap" : "socket",
		 cfg->id, why);
	return -1;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/*
 * A tap as QEMU's net/tap-linux.c tap_open makes it (IFF_TAP | IFF_NO_PI;
 * hvmdm's NICs want no vnet header), non-persistent: it goes with the fd.
 */
static int open_tap(struct netdev *nd, char *err, size_t errlen)
{
	struct ifreq ifr;
	char why[160];
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, sizeof(why), "cannot open /dev/net/tun: %s (load the tun module; hvmdm needs CAP_NET_ADMIN)",
			 strerror(errno));
		return fail(err, errlen, &nd->cfg, why);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, nd->cfg.ifname, strnlen(nd->cfg.ifname, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		snprintf(why, sizeof(why), "cannot create tap %s: %s%s", nd->cfg.ifname, strerror(e),
			 e == EPERM ? " (hvmdm needs CAP_NET_ADMIN)" :
			 e == EBUSY ? " (an interface of that name exists and is not a free tap)" : "");
		return fail(err, errlen, &nd->cfg, why);
	}
	if (set_nonblock(fd)) {
		close(fd);
		return fail(err, errlen, &nd->cfg, "cannot make the tap non-blocking");
	}
	nd->fd = fd;
	snprintf(nd->ifname, sizeof(nd->ifname), "%.*s", IFNAMSIZ - 1, ifr.ifr_name);
	return 0;
}

static int open_socket(struct netdev *nd, char *err, size_t errlen)
{
	int type = 0;
	socklen_t len = sizeof(type);
	int fd = nd->cfg.fd;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return fail(err, errlen, &nd->cfg, "fd= is not an open descriptor");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return fail(err, errlen, &nd->cfg, "fd= is not a socket");
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return fail(err, errlen, &nd->cfg, "fd= must be a stream, datagram or seqpacket socket");
	if (set_nonblock(fd))
		return fail(err, errlen, &nd->cfg, "cannot make the socket non-blocking");
	nd->stream = type == SOCK_STREAM;
	if (nd->stream && !(nd->rx_buf = malloc(STREAM_HDR + NET_MAX_FRAME)))
		return fail(err, errlen, &nd->cfg, "out of memory");
	nd->fd = fd;
	return 0;
}

int netdev_open(struct netdev *nd, const struct netdev_config *cfg, char *err, size_t errlen)
{
	memset(nd, 0, sizeof(*nd));
	nd->cfg = *cfg;
	nd->fd = -1;
	if (cfg->kind == NETDEV_NONE)
		return 0;
	if (cfg->kind == NETDEV_TAP)
		return open_tap(nd, err, errlen);
	return open_socket(nd, err, errlen);
}

bool netdev_is_open(const struct netdev *nd)
{
	return nd->fd >= 0;
}

static void txq_clear(struct netdev *nd)
{
	while (nd->txq_count) {
		free(nd->txq[nd->txq_head].data);
		nd->txq_head = (nd->txq_head + 1) % NET_TXQ_FRAMES;
		nd->txq_count--;
	}
	nd->txq_head = 0;
	nd->txq_head_off = 0;
}

void netdev_close(struct netdev *nd)
{
	netdev_detach(nd);
	txq_clear(nd);
	if (nd->fd >= 0) {
		close(nd->fd);
		if (nd->cfg.kind == NETDEV_TAP)
			log_info("net", "%s: tap %s closed (%llu frames out, %llu in, %llu dropped out, %llu in)",
				 nd->cfg.id, nd->ifname, nd->tx_frames, nd->rx_frames, nd->tx_dropped,
				 nd->rx_dropped);
	}
	nd->fd = -1;
	free(nd->rx_buf);
	nd->rx_buf = NULL;
	nd->rx_fill = 0;
}

static void mark_broken(struct netdev *nd, const char *why)
{
	if (!nd->broken)
		log_warn("net", "%s: %s; no more frames through it", nd->cfg.id, why);
	nd->broken = true;
	txq_clear(nd);
}

/*
 * Write what it takes of [buf, buf+len). Returns the bytes written (len for
 * a message), 0 if the host cannot take any now, -1 when the frame is lost.
 */
static ssize_t write_some(struct netdev *nd, const uint8_t *buf, size_t len)
{
	ssize_t n = nd->stream ? send(nd->fd, buf, len, MSG_NOSIGNAL) : write(nd->fd, buf, len);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	/* A tap that is down (EIO) or short of buffers drops the frame; a socket peer that left ends it. */
	if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN || errno == EBADF)
		mark_broken(nd, strerror(errno));
	return -1;
}

/* Push queued frames out while the host takes them. */
static void txq_flush(struct netdev *nd)
{
	while (nd->txq_count && !nd->broken) {
		struct net_txq_entry *e = &nd->txq[nd->txq_head];
		ssize_t n = write_some(nd, e->data + nd->txq_head_off, e->len - nd->txq_head_off);

		if (n == 0)
			return;
		if (n > 0) {
			nd->txq_head_off += (size_t)n;
			if (nd->txq_head_off < e->len)
				continue; /* a stream socket took part of it */
			nd->tx_frames++;
		} else {
			nd->tx_dropped++;
		}
		free(e->data);
		e->data = NULL;
		nd->txq_head = (nd->txq_head + 1) % NET_TXQ_FRAMES;
		nd->txq_count--;
		nd->txq_head_off = 0;
	}
}

static bool txq_push(struct netdev *nd, const uint8_t *frame, size_t len, size_t done)
{
	size_t hdr = nd->stream ? STREAM_HDR : 0;
	struct net_txq_entry *e;
	uint8_t *copy;

	if (nd->txq_count == NET_TXQ_FRAMES || !(copy = malloc(hdr + len))) {
		nd->tx_dropped++;
		return false;
	}
	if (hdr) {
		copy[0] = (uint8_t)(len >> 24);
		copy[1] = (uint8_t)(len >> 16);
		copy[2] = (uint8_t)(len >> 8);
		copy[3] = (uint8_t)len;
	}
	memcpy(copy + hdr, frame, len);
	e = &nd->txq[(nd->txq_head + nd->txq_count) % NET_TXQ_FRAMES];
	e->data = copy;
	e->len = hdr + len;
	if (nd->txq_count == 0)
		nd->txq_head_off = done;
	nd->txq_count++;
	return true;
}

bool netdev_send(struct netdev *nd, const uint8_t *frame, size_t len)
{
	ssize_t n;

	if (nd->fd < 0 || nd->broken || len < NET_MIN_FRAME || len > NET_MAX_FRAME) {
		nd->tx_dropped++;
		return false;
	}
	if (nd->txq_count)
		return txq_push(nd, frame, len, 0); /* keep the order */
	if (nd->stream) {
		uint8_t hdr[STREAM_HDR] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
					    (uint8_t)(len >> 8), (uint8_t)len };
		struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)frame, len } };
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

		n = sendmsg(nd->fd, &msg, MSG_NOSIGNAL);
		if (n == (ssize_t)(len + STREAM_HDR)) {
			nd->tx_frames++;
			return true;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				mark_broken(nd, strerror(errno));
				nd->tx_dropped++;
				return false;
			}
			n = 0;
		}
		/* The rest goes out when the socket has room again. */
		return txq_push(nd, frame, len, (size_t)n);
	}
	n = write_some(nd, frame, len);
	if (n > 0) {
		nd->tx_frames++;
		return true;
	}
	if (n < 0) {
		nd->tx_dropped++;
		return false;
	}
	return txq_push(nd, frame, len, 0);
}

/* A stream socket: gather the length, then the frame; deliver when whole. */
static bool stream_read_one(struct netdev *nd)
{
	size_t want;
	ssize_t n;

	for (;;) {
		if (nd->rx_fill < STREAM_HDR) {
			want = STREAM_HDR - nd->rx_fill;
		} else {
			uint32_t flen = (uint32_t)nd->rx_buf[0] << 24 | (uint32_t)nd->rx_buf[1] << 16 |
					(uint32_t)nd->rx_buf[2] << 8 | nd->rx_buf[3];

			if (flen == 0 || flen > NET_MAX_FRAME) {
				char why[80];

				snprintf(why, sizeof(why), "the peer sent a frame length of %u (1 to %u)", flen,
					 NET_MAX_FRAME);
				mark_broken(nd, why);
				return false;
			}
			if (nd->rx_fill == STREAM_HDR + flen) {
				nd->rx_fill = 0;
				if (flen < NET_MIN_FRAME) {
					nd->rx_dropped++;
					return true;
				}
				nd->rx_frames++;
				nd->fe->receive(nd->fe_opaque, nd->rx_buf + STREAM_HDR, flen);
				return true;
			}
			want = STREAM_HDR + flen - nd->rx_fill;
		}
		n = recv(nd->fd, nd->rx_buf + nd->rx_fill, want, 0);
		if (n == 0) {
			mark_broken(nd, "the peer closed the socket");
			return false;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				mark_broken(nd, strerror(errno));
			return false;
		}
		nd->rx_fill += (size_t)n;
	}
}

/* A tap or a message socket: one read, one frame. */
static bool message_read_one(struct netdev *nd, uint8_t *buf)
{
	ssize_t n;

	if (nd->cfg.kind == NETDEV_TAP)
		n = read(nd->fd, buf, NET_MAX_FRAME + 1);
	else
		n = recv(nd->fd, buf, NET_MAX_FRAME + 1, MSG_TRUNC);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			mark_broken(nd, strerror(errno));
		return false;
	}
	if (n == 0 && nd->cfg.kind == NETDEV_SOCKET) {
		int type = 0;
		socklen_t len = sizeof(type);

		/* An empty seqpacket message is the peer leaving. */
		if (getsockopt(nd->fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET) {
			mark_broken(nd, "the peer closed the socket");
			return false;
		}
	}
	if ((size_t)n < NET_MIN_FRAME || (size_t)n > NET_MAX_FRAME) {
		nd->rx_dropped++;
		return true;
	}
	nd->rx_frames++;
	nd->fe->receive(nd->fe_opaque, buf, (size_t)n);
	return true;
}

void netdev_poll_input(struct netdev *nd)
{
	static uint8_t buf[NET_MAX_FRAME + 1];

	if (nd->fd < 0 || !nd->fe)
		return;
	for (unsigned int i = 0; i < NET_RX_BURST && !nd->broken; i++) {
		if (!nd->fe->can_receive(nd->fe_opaque))
			return;
		if (!(nd->stream ? stream_read_one(nd) : message_read_one(nd, buf)))
			return;
	}
}

/* ---- the event loop: LOOP_DEVICE callbacks (on KVM under the device lock) ---- */

static void backend_in(void *opaque, int fd, unsigned int revents)
{
	struct netdev *nd = opaque;

	(void)fd;
	netdev_poll_input(nd);
	/* A socket peer that hung up with nothing left to read. */
	if ((revents & (POLLHUP | POLLERR | POLLNVAL)) && !nd->broken && nd->cfg.kind == NETDEV_SOCKET &&
	    !(revents & POLLIN))
		mark_broken(nd, "the peer hung up");
}

static void backend_out(void *opaque, int fd, unsigned int revents)
{
	(void)fd, (void)revents;
	txq_flush(opaque);
}

static void backend_ready(void *opaque, int fd, unsigned int revents)
{
	if (revents & POLLOUT)
		backend_out(opaque, fd, revents);
	if (revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
		backend_in(opaque, fd, revents);
}

/* Wait only for what can be used: input while the NIC takes frames, output while frames wait. */
static void backend_prepare(void *opaque)
{
	struct netdev *nd = opaque;
	int fd = nd->broken ? -1 : nd->fd;
	unsigned int in = fd >= 0 && nd->fe->can_receive(nd->fe_opaque) ? LOOP_IN : 0;
	unsigned int out = fd >= 0 && nd->txq_count ? LOOP_OUT : 0;

	loop_watch(nd->loop, &nd->in_id, in | out ? fd : -1, in | out | LOOP_DEVICE, backend_ready, nd);
}

int netdev_attach(struct netdev *nd, struct loop *loop, const struct net_frontend *fe,
		  void *opaque)
{
	int id;

	netdev_detach(nd);
	id = loop_add_prepare(loop, LOOP_DEVICE, backend_prepare, nd);
	if (id < 0)
		return id;
	nd->loop = loop;
	nd->fe = fe;
	nd->fe_opaque = opaque;
	nd->prepare_id = id;
	return 0;
}

void netdev_detach(struct netdev *nd)
{
	if (!nd->loop)
		return;
	loop_del_prepare(nd->loop, nd->prepare_id);
	loop_del_fd(nd->loop, nd->in_id);
	nd->prepare_id = nd->in_id = 0;
	nd->loop = NULL;
	nd->fe = NULL;
	nd->fe_opaque = NULL;
}
