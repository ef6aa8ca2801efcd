/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Character backends for the UARTs, named the way QEMU's -serial names them:
 *   null | stdio | pty | file:PATH | unix:PATH[,server=on|off][,wait=on|off]
 * (the old `,server,nowait` spelling is accepted too).
 *
 * Output to a backend with no peer (a pty nobody opened, a socket with no
 * client) is discarded, as QEMU does; output a connected peer cannot take yet
 * is left to the caller to retry.
 *
 * A device fed by a backend (a UART) attaches it to the event loop: before
 * each poll the backend watches its input while the device has room, its
 * output while the device holds bytes back, and its listening socket while
 * no client is connected; the device is called when one is ready. All of
 * that is LOOP_DEVICE work (hw/core/loop.h: on KVM, under the device lock).
 */
#ifndef HVMDM_CHARDEV_H
#define HVMDM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;

enum chardev_kind { CHARDEV_NULL, CHARDEV_STDIO, CHARDEV_PTY, CHARDEV_FILE, CHARDEV_UNIX };

/* The device on a backend, as the event loop drives it. */
struct chardev_frontend {
	/* Bytes it takes now; 0 leaves input waiting in the backend. */
	unsigned int (*can_read)(void *opaque);
	void (*read)(void *opaque, const uint8_t *buf, size_t len);
	/* Output it holds back because the backend took none; write_ready: try again. */
	bool (*has_output)(void *opaque);
	void (*write_ready)(void *opaque);
};

struct chardev {
	enum chardev_kind kind;
	int in_fd;     /* -1 if no input */
	int out_fd;    /* -1 if output is discarded */
	int listen_fd; /* unix server socket, -1 otherwise */
	bool server;
	char path[108]; /* pty slave, file or socket path */
	unsigned long long dropped; /* bytes discarded for lack of a peer */
	bool in_eof;   /* stdio input ended (or is unreadable): no longer watched */
	/* chardev_attach: the loop, the device, and the registrations (0 = none). */
	struct loop *loop;
	const struct chardev_frontend *fe;
	void *fe_opaque;
	int prepare_id, in_id, out_id, listen_id;
};

/* Returns 0, or -1 with a message naming the spec in err. */
int chardev_open(struct chardev *c, const char *spec, char *err, size_t errlen);
void chardev_close(struct chardev *c);

/* Bytes taken (written or discarded); 0 when a connected peer is full. */
size_t chardev_write(struct chardev *c, const void *buf, size_t len);
/* Bytes read; 0 if none now; -1 if the peer went away. */
ssize_t chardev_read(struct chardev *c, void *buf, size_t len);
/* Accept a waiting client on a unix server socket; true if one connected. */
bool chardev_accept(struct chardev *c);
/* The backend as QEMU's query-chardev names it ("pty:/dev/pts/3", "file", ...). */
void chardev_filename(const struct chardev *c, char *buf, size_t len);

/* Feed fe (opaque) from loop (after chardev_open); 0 or -ENOMEM. */
int chardev_attach(struct chardev *c, struct loop *loop, const struct chardev_frontend *fe,
		   void *opaque);
/* Leave the loop (chardev_close does it too). */
void chardev_detach(struct chardev *c);

#endif
