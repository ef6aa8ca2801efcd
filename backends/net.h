/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Network backends for the emulated NICs, named the way QEMU's -netdev names
 * them (libxl passes `-netdev type=tap,id=netN,ifname=vifD.N-emu,br=B,
 * script=no,downscript=no`):
 *   tap     a Linux tap interface (IFF_TAP | IFF_NO_PI, no vnet header: the
 *           NICs do checksums and segmentation themselves, as QEMU's e1000
 *           and rtl8139 do), created when the backend is opened -- before
 *           hvmdm reports ready, so libxl's `vif-bridge add type_if=tap`
 *           finds it -- and gone when it is closed; hvmdm never runs scripts;
 *   socket  fd=N: an inherited socket; a datagram (or seqpacket) socket
 *           carries one frame per message, a stream socket frames each one
 *           with a 4-byte big-endian length (QEMU's `-netdev socket`, as its
 *           qtests use it), so tests need no privileges.
 *
 * The NIC on a backend attaches it to the event loop: before each poll the
 * backend watches for input only while the NIC can take a frame, for output
 * only while frames wait in its transmit queue. Transmission never blocks
 * guest I/O: a frame the host cannot take now waits in a bounded queue, and
 * a frame beyond the bound is dropped and counted (a full link loses
 * frames; TCP resends). All of that is LOOP_DEVICE work (hw/core/loop.h).
 */
#ifndef HVMDM_NET_H
#define HVMDM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

#define NET_MAX_FRAME 65536u   /* the largest frame either way */
#define NET_TXQ_FRAMES 64u     /* frames waiting for the host, at most */
#define NET_MIN_FRAME 14u      /* an Ethernet header; shorter ones are dropped */

/* NONE: no backend (tools that only decode state): nothing goes out, nothing comes in. */
enum netdev_kind { NETDEV_TAP, NETDEV_SOCKET, NETDEV_NONE };

/* What -netdev says (vm/options.c fills it). */
struct netdev_config {
	char id[64];
	enum netdev_kind kind;
	char ifname[16]; /* tap: IFNAMSIZ; "" lets the kernel choose */
	int fd;          /* socket: the inherited descriptor */
};

/* The NIC on a backend, as the event loop drives it. */
struct net_frontend {
	/* A frame of up to NET_MAX_FRAME bytes could be taken now. */
	bool (*can_receive)(void *opaque);
	void (*receive)(void *opaque, const uint8_t *frame, size_t len);
};

struct net_txq_entry {
	uint8_t *data; /* with the 4-byte length in front on a stream socket */
	size_t len;
};

struct netdev {
	struct netdev_config cfg;
	int fd;
	bool stream;          /* a stream socket: length-framed */
	char ifname[16];      /* tap: the interface the kernel made */
	/* Frames the host has not taken; the head may be partly written (stream). */
	struct net_txq_entry txq[NET_TXQ_FRAMES];
	unsigned int txq_head, txq_count;
	size_t txq_head_off;
	/* A stream socket's partial input: length prefix, then the frame. */
	uint8_t *rx_buf;
	size_t rx_fill;
	bool broken;          /* the peer hung up or the descriptor failed: no more I/O */
	unsigned long long tx_frames, rx_frames, tx_dropped, rx_dropped;
	/* netdev_attach: the loop, the NIC, and the registrations (0 = none). */
	struct loop *loop;
	const struct net_frontend *fe;
	void *fe_opaque;
	int prepare_id, in_id;
};

/* 0, or -1 with a message naming the backend in err. */
int netdev_open(struct netdev *nd, const struct netdev_config *cfg, char *err, size_t errlen);
/* Closes the descriptor (a tap interface disappears) and drops queued frames. */
void netdev_close(struct netdev *nd);
bool netdev_is_open(const struct netdev *nd);

/* Serve the backend from the event loop for this NIC. 0 or -errno. */
int netdev_attach(struct netdev *nd, struct loop *loop, const struct net_frontend *fe,
		  void *opaque);
void netdev_detach(struct netdev *nd);

/*
 * Hand one frame to the host: sent now, or queued when the host cannot take
 * it yet. false when it was dropped (queue full, backend closed or broken,
 * a frame shorter than an Ethernet header or longer than NET_MAX_FRAME).
 */
bool netdev_send(struct netdev *nd, const uint8_t *frame, size_t len);

/* Read and deliver what is waiting, as the loop would (tests, and the loop callback). */
void netdev_poll_input(struct netdev *nd);

#endif
