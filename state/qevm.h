/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The qemu-xen-traditional save file ("QEVM"): format 3 (unframed START /
 * PART / END / FULL sections closed by an EOF byte) and the legacy format 2
 * (per-record lengths). reference/01 §1.1 describes both.
 *
 * Format 3 has no lengths: a section's size follows from its layout, so the
 * reader knows the size of every section a traditional HVM guest's file can
 * carry (state/qevm.c: section_size) and refuses one it cannot size instead
 * of guessing — the original loader desynchronised there.
 */
#ifndef HVMDM_STATE_QEVM_H
#define HVMDM_STATE_QEVM_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "snapshot.h"

#define QEVM_MAGIC "QEVM"

/* Decode into staging; records of devices hvmdm does not emulate go to rep->foreign. */
int qevm_decode(const struct machine *m, const uint8_t *buf, size_t len,
		struct machine_state *staged, struct load_report *rep, char *err, size_t errlen);

/*
 * Call cb for every record hvmdm decodes (native or traditional), in stream
 * order; foreign sections land in rep. 0, or -1 with err.
 */
int stream_scan(const uint8_t *buf, size_t len,
		void (*cb)(const struct stream_record *rec, void *opaque), void *opaque,
		struct load_report *rep, char *err, size_t errlen);

/*
 * Write a xenfv-trad machine's state as a qemu-xen-traditional file (QEVM 3)
 * that the traditional model and this reader load. Refuses (-1, err) state
 * the traditional layouts cannot hold; lossy details go to rep's notes.
 */
int qevm_write_trad(const struct machine *m, const struct machine_state *st, struct wbuf *w,
		    struct load_report *rep, char *err, size_t errlen);

/*
 * A traditional section no hvmdm device decodes (state/dev/trad_others.c):
 * its size for a version (-1: no layout the producer wrote), the instances
 * the producer registers it under, and, for state hvmdm's machine has no
 * place for, a check that accepts it (0, notes to rep; -1 with err). With no
 * accept it is a device hvmdm does not emulate yet: listed, and a restore
 * refuses it.
 */
struct trad_foreign {
	const char *idstr;
	long (*size)(const struct trad_peek *pk, uint32_t version);
	bool (*instance_ok)(uint32_t instance);
	int (*accept)(uint32_t instance, const uint8_t *p, size_t n, size_t offset,
		      struct load_report *rep, char *err, size_t errlen);
};

extern const struct trad_foreign trad_foreign_sections[];
extern const size_t nr_trad_foreign_sections;
const struct trad_foreign *trad_foreign_find(const char *idstr);

/* The machine profile a stream needs (-1 with err if the stream is not one we read). */
int stream_profile(const uint8_t *buf, size_t len, char *err, size_t errlen);

/*
 * For tools that have no command line to build a machine from: fill cfg's
 * profile, UARTs (null backends), platform device, fw_cfg and image-less
 * drives as the stream shows them; the other members stay the caller's.
 * 0, or -1 with err.
 */
int stream_machine_config(const uint8_t *buf, size_t len, struct machine_config *cfg, char *err,
			  size_t errlen);

#endif
