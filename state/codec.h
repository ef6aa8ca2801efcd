/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every record file (state/dev/) decodes and encodes with: error
 * reporting that names the record and byte, exact-length payloads, flag
 * bytes, the PCI blocks of hvmdm, qemu-xen-traditional and upstream QEMU,
 * upstream subsections, byte queues, and the instance maps record kinds
 * share. Nothing here names a device.
 */
#ifndef HVMDM_STATE_CODEC_H
#define HVMDM_STATE_CODEC_H

#include <jansson.h>

#include "registry.h"

/* "record R instance I version V, byte B: what" (B from the payload's start in the stream); -1. */
int dec_fail(struct decode_ctx *c, size_t at, const char *fmt, const char *what);
/* Every layout is exact: nothing short, nothing left over. 0 or -1. */
int dec_finish(struct rbuf *r, struct decode_ctx *c);
bool get_flag(struct rbuf *r, struct decode_ctx *c, bool *out, int *rc);

/* Read a 0/1 byte into a bool field, or return the error from the decoder. */
#define GET_FLAG(r, c, field)                         \
	do {                                          \
		int rc_ = 0;                          \
		if (!get_flag((r), (c), &(field), &rc_)) \
			return rc_;                   \
	} while (0)

/* hvmdm PCI block: 256 config bytes, INTx levels. */
void put_pci(struct wbuf *w, const struct pci_state *p);
void get_pci(struct rbuf *r, struct pci_state *p);
/* Four be32 INTx levels, each 0 or 1 (both producers' PCI common part). */
int get_intx_levels(struct rbuf *r, struct decode_ctx *c, struct pci_state *p);
/* qemu-xen-traditional's PCI common part (inner version 1 or 2). */
int get_trad_pci(struct rbuf *r, struct decode_ctx *c, struct pci_state *p);
/* Upstream QEMU's VMState PCIDevice. */
int get_upstream_pci(struct rbuf *r, struct decode_ctx *c, struct pci_state *p);

/* One upstream VMState subsection a decoder reads: name, versions, reader. */
struct up_sub {
	const char *name;
	uint32_t min_version, max_version;
	int (*get)(struct rbuf *r, struct decode_ctx *c, uint32_t version);
};

/* The subsections after an upstream record's fields; an unknown one is an error. */
int get_up_subsections(struct rbuf *r, struct decode_ctx *c, const struct up_sub *subs, size_t n);

/*
 * qemu-xen-traditional (hw/pci.c pci_device_save): be32 inner version 2,
 * config[256], be32 INTx levels[4]; and the size of such a part at p
 * (inner version 1: 260 bytes, 2: 276; -1 for anything else).
 */
void put_trad_pci(struct wbuf *w, const struct pci_state *p);
long trad_pci_size(const uint8_t *p, size_t left);
/* The payload of the traditional section being written, and closing it (state/qevm_write.c). */
struct wbuf *trad_payload(struct trad_writer *t);
void trad_section(struct trad_writer *t, const char *id, uint32_t instance, uint32_t version);

/*
 * Upstream QEMU's VMState PCIDevice (be32 version_id 2, config[256], be32
 * INTx levels[4]); a subsection header (0x05, u8 length, name, be32
 * version), its fields follow; the payload of the upstream section being
 * written and closing it as PATH/NAME (PATH NULL off PCI) with QEMU's
 * instance and version (state/upstream_write.c).
 */
void put_upstream_pci(struct wbuf *w, const struct pci_state *p);
void put_up_subsection(struct wbuf *w, const char *name, uint32_t version);
struct wbuf *up_payload(struct up_writer *t);
void up_section(struct up_writer *t, const char *path, const char *name, uint32_t instance,
		uint32_t version);

/* hvmdm byte queue: le16 count, the bytes from the head. */
void put_queue(struct wbuf *w, const struct ps2_queue *q);
int get_queue(struct rbuf *r, struct decode_ctx *c, struct ps2_queue *q);

/*
 * A device's decoded state as JSON (hvmdm-stream inspect, the corpus
 * expectations): the member it appears under, and the view (NULL when the
 * machine does not have the device). state/dev/all.c lists them.
 */
/* A device's state as a whole: its JSON view and its probe values. */
struct state_view {
	const char *member;
	json_t *(*view)(const struct machine *m, const struct machine_state *st);
	/* Fill the device's fields with the distinct values the schema fingerprints encode. */
	void (*probe)(struct machine_state *st);
};

extern const struct state_view *const state_views[];
extern const size_t nr_state_views;

/* JSON pieces: bytes as hex, a byte queue, a PCI block, a 64-bit value as a hex string. */
json_t *json_hex(const uint8_t *p, size_t n);
json_t *json_queue(const struct ps2_queue *q);
json_t *json_pci(const struct pci_state *p);
json_t *json_u64(uint64_t v);

/*
 * An upstream section's PCI path ("0000:00:04.0") as the devfn of a slot's
 * function 0 on bus 0 (the NICs' record instance); false for anything else.
 */
bool upstream_slot_path(const char *path, uint32_t *inst);

/* Instance maps: which instances of a kind a machine has (returns how many). */
unsigned int one_instance(const struct machine *m, uint32_t *inst);
/* qemu-xen-traditional registers this kind's one section as instance 0. */
bool trad_instance_zero(uint32_t instance);
unsigned int platform_instances(const struct machine *m, uint32_t *inst);
unsigned int trad_only(const struct machine *m, uint32_t *inst);
unsigned int not_trad(const struct machine *m, uint32_t *inst);
unsigned int serial_instances(const struct machine *m, uint32_t *inst);

#endif
