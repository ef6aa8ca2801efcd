/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record registry: every record name hvmdm knows, every version number
 * ever written or reserved for it (by qemu-xen-traditional, XenServer,
 * upstream QEMU or hvmdm), its status, and the decoder for each version hvmdm
 * can read. Numbers are never reused: state/schema.txt is the committed
 * history, and `hvmdm-stream schema --check` refuses any drift from it.
 */
#ifndef HVMDM_STATE_REGISTRY_H
#define HVMDM_STATE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "snapshot.h"
#include "stream.h"
#include "vmstate.h"

enum rv_status {
	RV_WRITTEN,  /* this build writes it (and reads it) */
	RV_ACCEPTED, /* this build reads it */
	RV_RESERVED, /* the number is taken; this build has no decoder */
};

struct vm_staged;

struct decode_ctx {
	struct machine_state *st;
	const struct machine *m;
	const struct stream_record *rec;
	unsigned int slot; /* which device of the kind (UART index) */
	struct load_report *rep;
	char *err;
	size_t errlen;
	struct vm_staged *vm; /* whole-VM records decode into this */
};

typedef int (*decode_fn)(struct rbuf *r, struct decode_ctx *c);

struct record_version {
	uint32_t version;
	enum rv_status status;
	const char *origin;
	const char *layout;
	decode_fn decode;
};

/*
 * Where a qemu-xen-traditional section's payload starts, for a kind to size
 * it (QEVM format 3 has no lengths): the bytes to the end of the stream, and
 * a probe for a section header (or, with final_eof, the stream's last EOF
 * byte) `off` bytes after p.
 */
struct trad_peek {
	const uint8_t *p;
	size_t left;
	bool (*header_at)(const struct trad_peek *pk, size_t off, bool final_eof);
	const void *walker;
};

struct trad_writer;
struct up_writer;

/* How a kind is stored in qemu-xen-traditional's save file (state/qevm.c, qevm_write.c). */
struct trad_codec {
	/*
	 * Payload bytes of the section at pk for `version`; -1 (with *why, or
	 * the generic reason) if that is no layout the producer wrote. *erratum
	 * is set where content belies the version (XenServer's piix4acpi).
	 */
	long (*size)(const struct trad_peek *pk, uint32_t version, bool *erratum, const char **why);
	/*
	 * Write this kind's sections (trad_section() closes each): 0, or -1 with
	 * err for state the layout cannot hold; what it loses goes to rep.
	 */
	int (*write)(struct trad_writer *t, const struct machine *m, const struct machine_state *st,
		     struct load_report *rep, char *err, size_t errlen);
	/* Position in the producer's file (its registration order in vl.c and the boards). */
	unsigned int order;
	/* A written kind without a traditional section: why (the registry test demands one or the other). */
	const char *none;
	/* Optional: whether the producer registers this instance (checked even where the machine lacks the device). */
	bool (*instance_ok)(uint32_t instance);
	/*
	 * Its sections are numbered in creation order (register_savevm with
	 * instance -1): instance k is the kind's k-th device, whatever
	 * instance hvmdm gives it.
	 */
	bool ordinal_instances;
};

/* How upstream QEMU (qemu-xen) stores a kind (state/upstream.c). */
struct upstream_codec {
	/* The section's VMState layouts (two where producers differ), role VML_DEVICE. */
	const struct vm_layout *layouts;
	size_t nr_layouts;
	/* Where hvmdm's xenfv machine has this PCI function ("0000:00:01.1"); NULL off PCI. */
	const char *pci_path;
	/* Where pc,accel=xen (xen_platform_pci=0) has it instead, if elsewhere: the display's slot 2. */
	const char *alt_pci_path;
	/*
	 * QEMU's instance number to the record's instance (NULL: the same);
	 * false, with *why, for one the machine cannot have.
	 */
	bool (*instance)(uint32_t qemu_instance, uint32_t *inst, const char **why);
	/* Sized and named in the held-state note, not restored (fw_cfg: the firmware is done with it). */
	bool held;
	/*
	 * A kind with a function per instance (the NICs): the section's PCI
	 * path ("0000:00:04.0") to the record's instance; false, with *why,
	 * for a path the kind cannot have. Replaces pci_path's one place.
	 */
	bool (*pci_instance)(const char *path, uint32_t *inst, const char **why);
	/*
	 * Write this kind's sections as QEMU 7.2 reads them on xenfv
	 * (up_section() closes each; state/upstream_write.c is the frame): 0,
	 * or -1 with err for state QEMU's layout cannot hold; what it loses
	 * goes to rep. NULL with `none` set: the kind has no QEMU section of its
	 * own (why); NULL without: writing it is not built, and a machine that
	 * has the device is refused.
	 */
	int (*write)(struct up_writer *t, const struct machine *m, const struct machine_state *st,
		     struct load_report *rep, char *err, size_t errlen);
	unsigned int order; /* position in QEMU's stream (xen-save-devices-state on xenfv) */
	const char *none;
};

struct record_kind {
	const char *idstr;
	/* Instances the machine has (written in this order) into inst[max_instances]; how many. */
	unsigned int (*instances)(const struct machine *m, uint32_t *inst);
	/* Encode the written version; NULL for read-only kinds. */
	void (*encode)(struct wbuf *w, const struct machine_state *st, unsigned int slot);
	bool required; /* a stream for this machine must carry it */
	const struct record_version *versions;
	size_t nr_versions;
	/* Whole-VM kinds, which encode no machine_state: their fingerprint. */
	uint32_t (*fingerprint)(uint32_t *len);
	/* Required kinds whose state this record carries too (a foreign layout's one record). */
	const char *covers[2];
	struct trad_codec trad;
	/*
	 * After the last record: a correction this kind's decoded version
	 * needs once every record is in (NULL: none).
	 */
	void (*fixup)(struct machine_state *st, uint32_t version, const struct load_report *rep);
	/* How many of this kind a machine can have (0 means 1). */
	unsigned int max_instances;

	struct upstream_codec upstream;
	/*
	 * A required record a foreign stream may lack for instance `slot`
	 * when the other records say why (NICs the PV drivers unplugged):
	 * true after filling the staged state to match; NULL: never.
	 */
	bool (*absent_ok)(struct machine_state *st, unsigned int slot);
};

/* A layouts table and its length, for upstream_codec initialisers. */
#define UPSTREAM_LAYOUTS(a) .layouts = a, .nr_layouts = sizeof(a) / sizeof(a[0])
/* One layout of the kind's own. */
#define UPSTREAM_LAYOUT(nm, d) { nm, &(d), 0, NULL, VML_DEVICE, NULL, NULL }

/* A versions table and its length, for record_kind initialisers. */
#define VERSIONS(a) a, sizeof(a) / sizeof(a[0])
/* The same, for designated initialisers. */
#define KIND_VERSIONS(a) .versions = a, .nr_versions = sizeof(a) / sizeof(a[0])

/* The device kinds in write order (state/dev/all.c). */
extern const struct record_kind *const record_kinds[];
extern const size_t nr_record_kinds;
/* A kind's max_instances, at least 1. */
static inline unsigned int record_kind_max_instances(const struct record_kind *k)
{
	return k->max_instances ? k->max_instances : 1;
}

/* A device kind's position in record_kinds. */
size_t record_kind_index(const struct record_kind *k);
/* How many instances of kind k the machine has (0 for none, or out of memory). */
unsigned int record_kind_count(const struct record_kind *k, const struct machine *m);
/*
 * A foreign writer's walk: fn for every device kind whose place(k) is not
 * 0, in increasing place; kinds sharing a place (alternatives, such as the
 * display cards) in turn. Stops at, and returns, fn's first non-zero result.
 */
int record_kinds_by_place(unsigned int (*place)(const struct record_kind *k),
			  int (*fn)(const struct record_kind *k, void *opaque), void *opaque);

const struct record_kind *record_kind_find_in(const struct record_kind *table, size_t n,
					      const char *idstr);
/* Device record kinds only (what a device-state stream may carry). */
const struct record_kind *record_kind_find(const char *idstr);
/* The whole registry: device kinds, then the whole-VM kinds (state/vm_records.c). */
size_t registry_nr_kinds(void);
const struct record_kind *registry_kind(size_t i);
const struct record_kind *registry_find(const char *idstr);
const struct record_version *record_version_find(const struct record_kind *k, uint32_t version);
uint32_t record_written_version(const struct record_kind *k);
const char *rv_status_name(enum rv_status s);

/* A machine_state with a distinct value in every field, for fingerprints. */
void probe_state(struct machine_state *st, uint8_t profile);
/* crc32c of the written version's encoding of the probe state (0 if not written). */
uint32_t record_fingerprint(const struct record_kind *k, uint32_t *len);

/*
 * The drive kinds an `ide` record shows: an hvmdm record (version 4) names
 * them; a qemu-xen-traditional one (version 3) shows the drives whose
 * IDENTIFY data it cached (ATAPI: a CD-ROM, else a disk) and not the drives
 * nobody identified yet. -1 if it is neither or cannot be walked.
 */
int ide_record_drive_kinds(const struct stream_record *rec, uint8_t kinds[IDE_DRIVES]);

/*
 * What a `vga` record says of the card's VRAM: its size (0 where the layout
 * does not say: the card's default) and whether its frames are guest memory
 * the record places (Xen's). -1 if it is no vga layout hvmdm reads.
 */
int vga_record_vram(const struct stream_record *rec, uint32_t *vram_size, bool *guest_frames);

/* The same for a `cirrus_vga` record (qemu-xen-traditional's is 4 MiB). */
int cirrus_record_vram(const struct stream_record *rec, uint32_t *vram_size, bool *guest_frames);

/* Errata: producers whose advertised version lies about the content. */
struct erratum {
	const char *id;
	const char *idstr;
	uint32_t advertised;
	uint32_t actual;
	const char *origin;
	const char *rule;
};

extern const struct erratum errata[];
extern const size_t nr_errata;

#endif
