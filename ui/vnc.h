/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VNC server, on LibVNCServer (Debian's libvncserver: the RFB protocol,
 * its encodings and VNC authentication, well kept and widely used).
 *
 * Threads. The network side runs on a thread of its own, started before any
 * sandboxing, so a slow or hostile client can stall only other clients,
 * never guest I/O. The device side talks to it through two hand-offs, each
 * under the server's lock: vnc_publish() (loop thread, after a render)
 * copies the surface rows that changed into a pending picture, which the
 * VNC thread moves into LibVNCServer's framebuffer and marks modified; key
 * and pointer events from clients are queued by the VNC thread and
 * delivered on the loop thread (an eventfd registered LOOP_DEVICE, so the
 * callbacks run under the device lock on KVM).
 *
 * Command line, as libxl passes it: -vnc HOST:N[,to=L][,password=on] (port
 * 5900 + N, the first free one up to 5900 + L with to=), -vnc none.
 */
#ifndef HVMDM_VNC_H
#define HVMDM_VNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/loop.h"
#include "hw/display/surface.h"

struct vnc_config {
	char host[64];       /* IPv4 address to listen on */
	unsigned int display; /* port 5900 + display */
	int to;              /* last display to try, -1: only display */
	bool password;       /* password=on: only the password set over QMP lets a client in */
};

/* Parse the -vnc argument; "none" gives *enabled = false. 0, or -1 with err. */
int vnc_parse(const char *arg, struct vnc_config *cfg, bool *enabled, char *err, size_t errlen);

/* What clients do, delivered on the loop thread. */
struct vnc_input_ops {
	void (*key)(void *opaque, uint32_t keysym, bool down);
	void (*pointer)(void *opaque, int x, int y, unsigned int buttons);
};

struct vnc_server;

/* Listen and start the VNC thread. 0, or -1 with err (no port free, bad host). */
int vnc_start(struct vnc_server **out, const struct vnc_config *cfg, struct loop *loop,
	      const struct vnc_input_ops *ops, void *opaque, char *err, size_t errlen);
/* Stop the thread, disconnect every client, free everything. */
void vnc_stop(struct vnc_server *v);

/*
 * Hand the surface's changed rows (all of it after a resize) to the VNC
 * thread. Does not clear the surface's dirty rows: the caller decides.
 */
void vnc_publish(struct vnc_server *v, const struct display_surface *s);

/* QMP change-vnc-password; at most 8 characters count (VNC authentication). */
int vnc_set_password(struct vnc_server *v, const char *password);

/* Where it listens (query-vnc), and how many clients it has. */
void vnc_address(const struct vnc_server *v, char *host, size_t hostlen, unsigned int *port);
unsigned int vnc_clients(struct vnc_server *v);

#endif
