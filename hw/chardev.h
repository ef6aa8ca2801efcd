/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Character backends for the UARTs, named the way QEMU's -serial names them:
 *   null | stdio | pty | file:PATH | unix:PATH[,server=on|off][,wait=on|off]
 * (the old `,server,nowait` spelling is accepted too).
 *
 * Output to a backend with no peer (a pty nobody opened, a socket with no
 * client) is discarded, as QEMU does; output a connected peer cannot take yet
 * is left to the caller to retry.
 */
#ifndef HVMDM_CHARDEV_H
#define HVMDM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum chardev_kind { CHARDEV_NULL, CHARDEV_STDIO, CHARDEV_PTY, CHARDEV_FILE, CHARDEV_UNIX };

struct chardev {
	enum chardev_kind kind;
	int in_fd;     /* -1 if no input */
	int out_fd;    /* -1 if output is discarded */
	int listen_fd; /* unix server socket, -1 otherwise */
	bool server;
	char path[108]; /* pty slave, file or socket path */
	unsigned long long dropped; /* bytes discarded for lack of a peer */
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

#endif
