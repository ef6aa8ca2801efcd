/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What hvmdm needs libxenctrl for, since no stable Xen library does it:
 * HVM_PARAM_ACPI_S_STATE (S3), and populating new guest frames (the VRAM of
 * a display card, as QEMU's xen_ram_alloc does). libxenctrl's header needs
 * GNU C, so this is the only file built as gnu11 and the rest of xen/ never
 * includes it. Both calls are privileged hypercalls that dm_restrict's
 * privcmd restriction forbids: they are made before it (populating) or are
 * the one thing S3 loses under it.
 */
#ifndef HVMDM_XEN_CTRL_H
#define HVMDM_XEN_CTRL_H

#include <stddef.h>
#include <stdint.h>

struct xen_ctrl;

/* NULL (errno set) if libxenctrl cannot be opened. */
struct xen_ctrl *xen_ctrl_open(void);
void xen_ctrl_close(struct xen_ctrl *h);
/* 3: Xen resets the vCPUs and keeps the domain paused (S3); 0: it resumes. 0 or -errno. */
int xen_ctrl_set_s_state(struct xen_ctrl *h, uint32_t domid, unsigned int state);
/* Give the domain new frames at gfns first_gfn..+nr (all or none). 0 or -errno. */
int xen_ctrl_populate(struct xen_ctrl *h, uint32_t domid, uint64_t first_gfn, size_t nr);

#endif
