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

/* What a section is to hvmdm. */
enum vm_role {
	VML_DEVICE,     /* a record kind decodes it (the layout lives in the kind's state/dev file) */
	VML_HELD,       /* Xen's state or QEMU's own: checked, named in one note, not restored */
	VML_UNEMULATED, /* a device hvmdm does not emulate: listed as foreign; a restore refuses it */
};

/* One way a section name can be laid out; some names have two (cpu, piix4_pm). */
struct vm_layout {
	const char *name;
	const struct vmd *d;
	uint8_t target_long; /* 0 = the layout does not depend on the target; else 4 or 8 */
	const char *variant; /* NULL for names with one layout */
	enum vm_role role;
	/* VML_HELD: a check of the payload at stream offset `at` (NULL: none); -1 with err. */
	int (*check)(const uint8_t *p, size_t n, uint32_t instance, size_t at, char *err, size_t errlen);
	/*
	 * VML_HELD: what the note names for this instance (NULL: "name", or
	 * "name#instance"); false to leave the instance out of the note.
	 */
	bool (*note)(uint32_t instance, unsigned int target_long, char *what, size_t n);
};

/*
 * Layouts of the sections no record kind decodes (state/dev/upstream_others.c);
 * returns how many (0 = unknown name). A kind's own layouts are its
 * record_kind.upstream.
 */
size_t vm_foreign_layouts(const char *name, const struct vm_layout **first);

/* The PCIDevice part every PCI function's section starts with (hw/pci/pci.c). */
extern const struct vmd vmd_pci_device;

/*
 * Building blocks for descriptions (a device's state/dev file writes its own):
 * VM_F(size, count) fixed bytes; VM_FV(...) present from version v; VM_F64
 * x86_64 targets only; VM_F_V1 version-1 streams only; VM_TL target-longs;
 * VM_REGS per-register arrays; VM_STRUCT nested; VM_VARRAY counted by field
 * r; VM_IF_SET present when field r is not zero.
 */
#define VM_F(sz, n) { .kind = VMF_BYTES, .size = (sz), .count = (n) }
#define VM_FV(sz, n, v) { .kind = VMF_BYTES, .size = (sz), .count = (n), .since = (v) }
#define VM_F64(sz, n) { .kind = VMF_BYTES, .flags = VMF_X86_64, .size = (sz), .count = (n) }
#define VM_F_V1(sz) { .kind = VMF_BYTES, .flags = VMF_ONLY_V1, .size = (sz), .count = 1 }
#define VM_TL(n) { .kind = VMF_TL, .count = (n) }
#define VM_TL_REGS { .kind = VMF_TL, .flags = VMF_PER_REG, .count = 1 }
#define VM_REGS(sz, v) { .kind = VMF_BYTES, .flags = VMF_PER_REG, .size = (sz), .count = 1, .since = (v) }
#define VM_REGS64(sz) { .kind = VMF_BYTES, .flags = VMF_X86_64, .size = (sz), .count = 16 }
#define VM_STRUCT(d, n, v) { .kind = VMF_STRUCT, .sub = &(d), .count = (n), .since = (v) }
#define VM_VARRAY(r, sz, max, v) { .kind = VMF_VARRAY, .ref = (r), .size = (sz), .count = (max), .since = (v) }
#define VM_VARRAY_OF(r, d, max) { .kind = VMF_VARRAY, .ref = (r), .sub = &(d), .count = (max) }
#define VM_IF_SET(r, sz) { .kind = VMF_IF_SET, .ref = (r), .size = (sz), .count = 1 }

#define VM_NELEMS(a) (sizeof(a) / sizeof((a)[0]))
/* A description `var` named nm, at version ver, read back to minv, of fields fl (and subsections sb). */
#define VM_DESC(var, nm, ver, minv, fl) \
	static const struct vmd var = { nm, ver, minv, fl, VM_NELEMS(fl), NULL, 0, NULL }
#define VM_DESC_SUBS(var, nm, ver, minv, fl, sb) \
	static const struct vmd var = { nm, ver, minv, fl, VM_NELEMS(fl), sb, VM_NELEMS(sb), NULL }
/* A subsection of one fixed field list. */
#define VM_SUB(var, nm, ver, ...)                                   \
	static const struct vmf var##_f[] = { __VA_ARGS__ };         \
	static const struct vmd var = { nm, ver, ver, var##_f, VM_NELEMS(var##_f), NULL, 0, NULL }
#define VM_SUB_MIN(var, nm, ver, minv, ...)                         \
	static const struct vmf var##_f[] = { __VA_ARGS__ };         \
	static const struct vmd var = { nm, ver, minv, var##_f, VM_NELEMS(var##_f), NULL, 0, NULL }
#define VM_SUB_UNSUPPORTED(var, nm, why) \
	static const struct vmd var = { nm, 0xffffffffu, 0, NULL, 0, NULL, 0, why }

/*
 * Size the payload of `l` read at `version` from buf[pos..len). Returns the
 * payload's length, or -1 with err naming the byte and the field or
 * subsection that does not fit.
 */
long vm_payload_size(const struct vm_layout *l, uint32_t version, const uint8_t *buf, size_t len,
		     size_t pos, char *err, size_t errlen);

#endif
