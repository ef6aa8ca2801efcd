/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Upstream QEMU's VMState wire layouts, as data: enough of every description
 * a qemu-xen (or QEMU TCG/KVM PC) device-state stream carries to know where
 * each section ends. Upstream sections have no lengths (reference/02 §2.1),
 * so a reader that cannot size one section cannot read anything after it;
 * these tables are how hvmdm sizes them exactly instead of searching for the
 * next header.
 *
 * A description is a list of fields (fixed bytes, target-long or per-register
 * arrays whose size depends on the producer's target, nested structs, arrays
 * counted by an earlier field, buffers present when an earlier field is set)
 * plus named subsections, with QEMU's rules (migration/vmstate.c,
 * reference/02 §2.3): a field is present when its version is not above the
 * section's; a nested struct is read at its own version; after the fields,
 * subsections follow while the next byte is 0x05 and the name starts with
 * the description's name; an unknown subsection is an error.
 */
#ifndef HVMDM_STATE_VMSTATE_H
#define HVMDM_STATE_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vmf_kind {
	VMF_BYTES,  /* count x size bytes */
	VMF_TL,     /* count target-longs (4 bytes on i386 targets, 8 on x86_64) */
	VMF_STRUCT, /* count x the nested description */
	VMF_VARRAY, /* elements of size bytes (or of sub), counted by field `ref`, at most count */
	VMF_IF_SET, /* size bytes when field `ref` was not zero */
};

/* Field flags. */
#define VMF_PER_REG 0x01 /* count is the target's register count (8 or 16) */
#define VMF_X86_64 0x02  /* only on x86_64 targets */
#define VMF_ONLY_V1 0x04 /* only in version-1 streams (QEMU's *_HACK fields) */

struct vmd;

struct vmf {
	uint8_t kind;
	uint8_t flags;
	uint8_t since;  /* present when the version being read is at least this */
	int8_t ref;     /* VARRAY/IF_SET: index of the counting field in the same list */
	uint32_t size;  /* bytes per element */
	uint32_t count; /* elements; VARRAY: the most a producer writes */
	const struct vmd *sub;
};

struct vmd {
	const char *name;
	uint32_t version;
	uint32_t min_version;
	const struct vmf *fields;
	size_t nr_fields;
	const struct vmd *const *subs;
	size_t nr_subs;
	/* Set for a layout hvmdm knows of but cannot size: the error says why. */
	const char *unsupported;
};

/* One way a section name can be laid out; some names have two (see vmstate.c). */
struct vm_layout {
	const char *name;
	const struct vmd *d;
	uint8_t target_long; /* 0 = the layout does not depend on the target; else 4 or 8 */
	const char *variant; /* NULL for names with one layout */
};

/* Layouts for a section's VMState name; returns how many (0 = unknown name). */
size_t vm_layouts(const char *name, const struct vm_layout **first);

/*
 * Size the payload of `l` read at `version` from buf[pos..len). Returns the
 * payload's length, or -1 with err naming the byte and the field or
 * subsection that does not fit.
 */
long vm_payload_size(const struct vm_layout *l, uint32_t version, const uint8_t *buf, size_t len,
		     size_t pos, char *err, size_t errlen);

#endif
