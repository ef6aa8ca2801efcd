/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Machine profiles: the guest-visible layout (DESIGN.md §2).
 *   xenfv       what libxl's `-machine xenfv` means with qemu-xen (QEMU's
 *               pc-i440fx-3.1 ABI on Xen)
 *   xenfv-trad  qemu-xen-traditional's layout
 *   pc          KVM: hvmdm also emulates what Xen would (PM1 event, PM timer)
 */
#ifndef HVMDM_PROFILE_H
#define HVMDM_PROFILE_H

#include <stdbool.h>

enum machine_profile {
	PROFILE_XENFV,
	PROFILE_XENFV_TRAD,
	PROFILE_PC,
};

const char *profile_name(enum machine_profile p);
/* Returns false for an unknown name. */
bool profile_parse(const char *name, enum machine_profile *out);

static inline bool profile_is_trad(enum machine_profile p)
{
	return p == PROFILE_XENFV_TRAD;
}

/* QEMU's default subsystem IDs (Red Hat, QEMU), which guests under qemu-xen saw. */
#define QEMU_SUBSYS_VENDOR 0x1af4
#define QEMU_SUBSYS_ID 0x1100

#endif
