// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for what a VNC client sends: hvmdm's server (ui/vnc.c on
 * LibVNCServer, its thread, its input queue into the loop) gets a client
 * that completes the RFB 3.8 handshake (no authentication) and then sends
 * the input as its messages: SetPixelFormat, SetEncodings, update
 * requests, key and pointer events, cut text of any claimed length, and
 * garbage. The server must drop a client that breaks the protocol and
 * stay up for the next one; every queued key and pointer event reaches the
 * loop-side callbacks with the screen's bounds respected. One server serves
 * every input (as one hvmdm serves every client).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hw/core/clock.h"
#include "hw/core/log.h"
#include "hw/core/loop.h"
#include "hw/display/surface.h"
#include "ui/vnc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dm_clock clock;
static struct loop loop;
static struct vnc_server *server;
static struct display_surface surface;
static unsigned int port;

static void on_key(void *opaque, uint32_t keysym, bool down)
{
	(void)opaque, (void)keysym, (void)down;
}

/* ui/vnc.c clamps what clients say to the screen: anything else is a bug. */
static void on_pointer(void *opaque, int x, int y, unsigned int buttons)
{
	(void)opaque, (void)buttons;
	if (x < 0 || y < 0 || (uint32_t)x >= surface.width || (uint32_t)y >= surface.height)
		abort();
}

static const struct vnc_input_ops ops = { on_key, on_pointer };

static void start_server(void)
{
	struct vnc_config cfg = { .host = "127.0.0.1", .display = 50, .to = 99 };
	char err[256], host[64];

	log_set_level(LOG_ERROR);
	clock_init(&clock, NULL, NULL);
	loop_init(&loop, &clock);
	if (vnc_start(&server, &cfg, &loop, &ops, NULL, err, sizeof(err))) {
		fprintf(stderr, "fuzz_vnc: %s\n", err);
		abort();
	}
	vnc_address(server, host, sizeof(host), &port);
	surface_init(&surface);
	if (surface_resize(&surface, 64, 48))
		abort();
	for (uint32_t i = 0; i < 64 * 48; i++)
		surface.pixels[i] = i * 2654435761u;
	vnc_publish(server, &surface);
}

static int handshake(int fd, unsigned int *w, unsigned int *h);
static int connect_server(void);

/* Until the server's thread has taken the 64x48 picture (clients then see that size). */
static void wait_for_size(void)
{
	for (int i = 0; i < 100; i++) {
		unsigned int w = 0, h = 0;
		int fd = connect_server();
		int rc = handshake(fd, &w, &h);

		close(fd);
		if (!rc && w == 64 && h == 48)
			return;
		usleep(50000);
	}
	abort();
}

static int connect_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		/* The server stopped taking clients: what the fuzzer must find. */
		abort();
	}
	return fd;
}

/* Read exactly n bytes within 2 s; 0 or -1. */
static int read_n(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 2000) <= 0)
			return -1;
		r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int handshake(int fd, unsigned int *w, unsigned int *h)
{
	uint8_t version[12], ntypes, types[255], result[4], init[24], name[256];
	uint32_t name_len;
	uint8_t none = 1, shared = 1;

	if (read_n(fd, version, sizeof(version)) || write(fd, "RFB 003.008\n", 12) != 12 ||
	    read_n(fd, &ntypes, 1) || !ntypes || read_n(fd, types, ntypes) ||
	    write(fd, &none, 1) != 1 || read_n(fd, result, 4) || write(fd, &shared, 1) != 1 ||
	    read_n(fd, init, sizeof(init)))
		return -1;
	*w = (unsigned int)init[0] << 8 | init[1];
	*h = (unsigned int)init[2] << 8 | init[3];
	name_len = (uint32_t)init[20] << 24 | (uint32_t)init[21] << 16 | (uint32_t)init[22] << 8 | init[23];
	while (name_len) {
		uint32_t chunk = name_len < sizeof(name) ? name_len : sizeof(name);

		if (read_n(fd, name, chunk))
			return -1;
		name_len -= chunk;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sink[65536];
	unsigned int w, h;
	int fd;

	if (!server) {
		start_server();
		wait_for_size();
	}
	fd = connect_server();
	if (handshake(fd, &w, &h) == 0) {
		size_t off = 0;

		while (off < size) {
			ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		shutdown(fd, SHUT_WR);
		/* Until the server has handled it all and dropped us, delivering input meanwhile. */
		for (int i = 0; i < 200; i++) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			loop_run_once(&loop, 0);
			if (poll(&pfd, 1, 10) > 0 && read(fd, sink, sizeof(sink)) <= 0)
				break;
		}
	}
	close(fd);
	loop_run_once(&loop, 0);
	return 0;
}
