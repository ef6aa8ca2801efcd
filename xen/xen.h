/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Xen accelerator: hvmdm as a guest's device model under Xen 4.17,
 * through the stable libraries (libxendevicemodel, libxenforeignmemory,
 * libxenevtchn, libxenstore). reference/04-ioreq-protocol.md is the spec.
 *
 * Start-up (xen_dm_open, before the machine exists so every claim the
 * devices make goes to the server): create an ioreq server with atomic
 * buffered ioreqs, map its pages with the resource-mapping API (frame 0 the
 * buffered page, frame 1 the synchronous page), enable it (Xen fills in the
 * per-vCPU event channels then), bind one event channel per vCPU and the
 * buffered one. Then the machine is created (its devices claim their ports,
 * MMIO ranges and PCI functions through the accelerator ops -- the domain
 * stays paused until libxl unpauses it, so nothing is missed), and
 * xen_dm_run serves ioreqs until the process is told to stop.
 *
 * Every synchronous ioreq is copied once out of the shared page, validated
 * (type, size, port range, count, direction flag, pointer flag) and only
 * then dispatched; buffered ioreqs are drained before each synchronous one.
 * S3: the guest's SLP_TYP write is answered, then HVM_PARAM_ACPI_S_STATE = 3
 * (libxenctrl: no stable library sets it); QMP system_wakeup resets the
 * devices and sets it back to 0.
 *
 * Guest memory (DMA, string I/O, fw_cfg copies) is reached through the
 * map cache (mapcache.h): foreign mappings of 1 MiB buckets kept until
 * INVALIDATE, a VRAM move or close drops them.
 */
#ifndef HVMDM_XEN_H
#define HVMDM_XEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/accel.h"
#include "ioreq.h"
#include "mapcache.h"

struct machine;
struct xen_dm_libs; /* the library handles, private to xen.c */

#define XEN_DM_MAX_VCPUS 128

/* The display card's VRAM as guest frames (one device memory, id 0). */
struct xen_device_memory {
	bool backed;
	void *host;
	size_t nr;        /* frames */
	uint64_t gfn;     /* where they are now */
	uint64_t park;    /* where they go when the BAR does not decode */
	bool in_bar;
	bool tracking;    /* track_dirty_vram is on for [gfn, gfn + nr) */
	bool warned;
};

struct xen_dm {
	struct accel accel;
	uint32_t domid;
	unsigned int max_vcpus;
	struct xen_dm_libs *libs;
	struct machine *m;
	uint16_t ioservid;
	bool server_created;
	bool enabled;
	bool announced; /* device-model/<domid>/state = running written (or tried) */
	void *pages;             /* frame 0: buffered page, frame 1: synchronous page */
	uint32_t vcpu_port[XEN_DM_MAX_VCPUS]; /* local event channel per vCPU */
	uint32_t buf_port;       /* local port of the buffered channel */
	struct ioreq_ctx io;      /* decoding and dispatch (ioreq.c) */
	struct mapcache mc;       /* guest memory mapped in buckets (mapcache.c) */
	volatile int stop;       /* a device asked for power-off/reboot/S3 */
	enum accel_request stop_reason;
	bool suspend_pending;    /* S3 asked; Xen is told once the ioreq is answered */
	bool suspended;          /* HVM_PARAM_ACPI_S_STATE is 3 */
	bool dirty_log;          /* live migration: report the pages we write */
	/* Where new device memory goes (machine_device_memory_base: above guest RAM); set before machine_create. */
	uint64_t device_memory_base;
	struct xen_device_memory devmem;
	/* QMP events (SUSPEND, WAKEUP), if set. */
	void (*event)(void *opaque, const char *name);
	void *event_opaque;
};

/* 0, or -1 with err naming the failed step (and hinting at privileges). */
int xen_dm_open(struct xen_dm *x, uint32_t domid, unsigned int max_vcpus, char *err,
		size_t errlen);
/* The machine whose devices serve the ioreqs (after machine_create). */
void xen_dm_attach(struct xen_dm *x, struct machine *m);
/* Receive ioreqs (true) or not (false). */
int xen_dm_set_enabled(struct xen_dm *x, bool on, char *err, size_t errlen);
/* Write device-model/<domid>/<leaf> = value in this process's xenstore home (dom0). */
int xen_dm_xs_write(struct xen_dm *x, const char *leaf, const char *value, char *err,
		    size_t errlen);
/*
 * Serve ioreqs until a quit (-3, the flag xen_dm_request_quit sets) or a
 * fatal error (-1). The event channels are one registration in the
 * machine's loop (hw/core/loop.h), with the serial backends and whatever else is
 * registered there (QMP: qmp_attach_loop), so a QMP command is served as
 * soon as it arrives.
 */
int xen_dm_run(struct xen_dm *x, char *err, size_t errlen);
void xen_dm_request_quit(void);
/* QMP system_wakeup (xl trigger s3resume): wake a guest suspended to RAM. */
int xen_dm_wakeup(struct xen_dm *x, char *err, size_t errlen);
void xen_dm_close(struct xen_dm *x);

#endif
