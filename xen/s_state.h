/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * HVM_PARAM_ACPI_S_STATE, the one thing hvmdm needs libxenctrl for (no
 * stable library sets an HVM parameter). Its header needs GNU C, so this is
 * the only file built as gnu11 and the rest of xen/ never includes it.
 */
#ifndef HVMDM_XEN_S_STATE_H
#define HVMDM_XEN_S_STATE_H

#include <stdint.h>

struct xen_s_state;

/* NULL (errno set) if libxenctrl cannot be opened. */
struct xen_s_state *xen_s_state_open(void);
void xen_s_state_close(struct xen_s_state *h);
/* 3: Xen resets the vCPUs and keeps the domain paused (S3); 0: it resumes. 0 or -errno. */
int xen_s_state_set(struct xen_s_state *h, uint32_t domid, unsigned int state);

#endif
