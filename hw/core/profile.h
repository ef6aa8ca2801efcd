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

/*
 * The default subsystem IDs (Red Hat, QEMU) every PCI function gets unless
 * its device sets its own: QEMU's and qemu-xen-traditional's alike
 * (olafhering/qemu-xen-traditional hw/pci.c: pci_default_sub_vendor_id,
 * pci_default_sub_device_id, set by pci_register_device), as the real
 * traditional save files in tests/streams/qemu-trad-real/ show.
 */
#define QEMU_SUBSYS_VENDOR 0x1af4
#define QEMU_SUBSYS_ID 0x1100
/* What qemu-xen-traditional's IDE, Cirrus, rtl8139 and platform device set instead (XenSource). */
#define XEN_SUBSYS_VENDOR 0x5853
#define XEN_SUBSYS_ID 0x0001

#endif
