/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device state of a whole machine, saved and loaded as a native stream.
 *
 * Load is transactional: every record is decoded into a staging copy
 * (struct machine_state, which starts as the live state), every device's
 * state is validated, relocated blocks are checked claimable, and only then is
 * anything committed. A stream that fails anywhere leaves the machine as it
 * was, and the error names the record, its version and the byte offset.
 */
#ifndef HVMDM_STATE_SNAPSHOT_H
#define HVMDM_STATE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/machine.h"
#include "buf.h"
#include "stream.h"


#define LOAD_MAX_NOTES 16

#define LOAD_MAX_FOREIGN 16

struct load_report {
	unsigned int records;
	unsigned int skipped;       /* unknown optional records */
	unsigned int nr_notes;
	char notes[LOAD_MAX_NOTES][200]; /* errata applied, records skipped */
	/* Sections of devices hvmdm does not emulate: inspect lists them, restore refuses. */
	unsigned int nr_foreign;
	char foreign[LOAD_MAX_FOREIGN][48];
	/* Upstream pckbd/extended_state was read: the i8042 output byte is explicit. */
	bool i8042_explicit_ob;
};

/* Where records come from: native framing, or a foreign format's reader. */
struct record_source {
	/* 1 = a record in *rec, 0 = end of stream, -1 = error in err. */
	int (*next)(void *ctx, struct stream_record *rec, struct load_report *rep, char *err,
		    size_t errlen);
	void *ctx;
	bool registry_order; /* native streams: records in registry order */
};

void load_note(struct load_report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));


/* Write the machine's device state; the clock should be stopped. 0 or -1. */
int snapshot_save(const struct machine *m, struct wbuf *out, char *err, size_t errlen);
/* 0 if a native stream's header names this machine's profile; else -1 with the byte. */
int snapshot_check_profile(const struct machine *m, const struct stream_header *h, char *err,
			   size_t errlen);
/* Decode and validate into `staged` without touching the machine. */
int snapshot_decode(const struct machine *m, const uint8_t *buf, size_t len,
		    struct machine_state *staged, struct load_report *rep, char *err, size_t errlen);
/* Decode records from any source (foreign readers use this). */
int snapshot_decode_records(const struct machine *m, struct record_source *src,
			    struct machine_state *staged, struct load_report *rep, char *err,
			    size_t errlen);
/* The device records alone (no header, no end record): 0, or -1 if out failed. */
int snapshot_write_records(const struct machine *m, const struct machine_state *st,
			   struct wbuf *out);
/* Encode a staged or saved state as a native stream for machine m's devices. */
int snapshot_write_state(const struct machine *m, const struct machine_state *st,
			 struct wbuf *out, char *err, size_t errlen);
/*
 * The machine to build for restoring `buf` when the launcher asked for
 * `requested`: the same, except that state saved by qemu-xen-traditional
 * (profile xenfv-trad) gets xenfv-trad when xenfv was asked for -- libxl
 * names every qemu-xen guest's machine xenfv, and a guest saved under the
 * traditional model needs the traditional layout (platform device at slot 3,
 * fixed PM block) it was running on.
 */
enum machine_profile snapshot_restore_profile(enum machine_profile requested, const uint8_t *buf,
					      size_t len);
/* snapshot_decode (any stream kind hvmdm reads), refuse foreign devices, then commit. */
int snapshot_load(struct machine *m, const uint8_t *buf, size_t len, struct load_report *rep,
		  char *err, size_t errlen);

#endif
