/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device state saved by upstream QEMU as Xen's device model (qemu-xen):
 * what `xen-save-devices-state` writes and `-incoming` reads (reference/02
 * §2.1-2.2). QEVM format 3 like the traditional file, but FULL sections of
 * VMState descriptions, section footers optional, an optional vmdesc JSON
 * after EOF. Sections have no lengths: state/vmstate.c sizes every one a PC
 * guest's stream carries, so a section that cannot be sized stops the read
 * with its offset instead of the reader guessing where the next one starts.
 */
#ifndef HVMDM_STATE_UPSTREAM_H
#define HVMDM_STATE_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct upstream {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	int footers;         /* -1 not yet known, 0 absent, 1 present */
	uint8_t target_long; /* 0 until a cpu section shows the producer's target */
	bool done;
	char held[512];      /* sections whose state is Xen's or QEMU's own, for one note */
};

/*
 * Is this QEVM stream upstream QEMU's (not qemu-xen-traditional's)? Decided
 * by the first section: a PCI path in its name, or the 24-byte upstream
 * "timer" version 2 where the traditional one has 8 bytes.
 */
bool qevm_is_upstream(const uint8_t *buf, size_t len);

int upstream_open(struct upstream *u, const uint8_t *buf, size_t len, char *err, size_t errlen);
/* record_source.next: 1 = a record hvmdm decodes, 0 = end, -1 = error. */
int upstream_next(void *ctx, struct stream_record *rec, struct load_report *rep, char *err,
		  size_t errlen);

/*
 * Write a xenfv machine's state as QEMU 7.2's xen-save-devices-state does
 * on qemu-xen's xenfv machine (QEVM 3, FULL sections, no footers, no
 * configuration), for QEMU's xen-load-devices-state and `-incoming`. State
 * QEMU's layouts cannot hold is refused (-1, err) naming it, a device whose
 * section is not built yet too (-2); what QEMU keeps elsewhere or not at
 * all goes to rep's notes. state/upstream_write.c.
 */
int upstream_write(const struct machine *m, const struct machine_state *st, struct wbuf *w,
		   struct load_report *rep, char *err, size_t errlen);
/* Can this machine's state be written for QEMU at all (its profile, a writer for every device)? 0 or -1 with err. */
int upstream_writable(const struct machine *m, char *err, size_t errlen);

/* Decode into staging for machine m (which must be xenfv). */
int upstream_decode(const struct machine *m, const uint8_t *buf, size_t len,
		    struct machine_state *staged, struct load_report *rep, char *err, size_t errlen);

#endif
