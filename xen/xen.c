// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Xen accelerator (see xen.h). Protocol facts: reference/04-ioreq-protocol.md;
 * the structure layouts are Xen's public headers (<xen/hvm/ioreq.h>).
 */
/* The tools-only parts of Xen's public headers (ioreq server flags), as QEMU does. */
#define __XEN_TOOLS__ 1
#include "xen.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/hvm/ioreq.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "hw/core/log.h"
#include "hw/core/loop.h"
#include "hw/core/machine.h"
#include "hw/chipset/mc146818.h"
#include "hw/chipset/piix4_pm.h"
#include "ioreq.h"
#include "ctrl.h"

struct xen_dm_libs {
	xendevicemodel_handle *dmod;
	xenforeignmemory_handle *fmem;
	xenforeignmemory_resource_handle *res;
	xenevtchn_handle *xce;
	struct xs_handle *xs;
	struct xen_ctrl *ctrl; /* libxenctrl: S3, populating VRAM */
};

#define to_xen(a) ((struct xen_dm *)(a))
#define PAGE 4096u

static volatile sig_atomic_t quit_requested;

void xen_dm_request_quit(void)
{
	quit_requested = 1;
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s%s", what, strerror(errno),
		 errno == EPERM || errno == EACCES ? " (the device model runs as root in dom0)" : "");
	return -1;
}

/* ---- accelerator operations ---- */

static int set_isa_irq_level(struct accel *a, unsigned int irq, bool level)
{
	struct xen_dm *x = to_xen(a);

	if (irq >= 16)
		return -EINVAL;
	log_debug("xen", "ISA IRQ %u %s", irq, level ? "raised" : "lowered");
	if (xendevicemodel_set_isa_irq_level(x->libs->dmod, (domid_t)x->domid, (uint8_t)irq, level)) {
		log_warn("xen", "setting ISA IRQ %u %s: %s", irq, level ? "high" : "low", strerror(errno));
		return -errno;
	}
	return 0;
}

static int set_pci_intx_level(struct accel *a, unsigned int slot, unsigned int intx, bool level)
{
	struct xen_dm *x = to_xen(a);

	if (slot >= 32 || intx >= 4)
		return -EINVAL;
	return xendevicemodel_set_pci_intx_level(x->libs->dmod, (domid_t)x->domid, 0, 0,
						  (uint8_t)slot, (uint8_t)intx, level) ? -errno : 0;
}

static int set_pci_link_route(struct accel *a, unsigned int link, unsigned int irq)
{
	struct xen_dm *x = to_xen(a);

	if (link >= 4 || irq >= 16)
		return -EINVAL;
	return xendevicemodel_set_pci_link_route(x->libs->dmod, (domid_t)x->domid, (uint8_t)link,
						  (uint8_t)irq) ? -errno : 0;
}

static int inject_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	struct xen_dm *x = to_xen(a);

	return xendevicemodel_inject_msi(x->libs->dmod, (domid_t)x->domid, addr, data) ? -errno : 0;
}

static int map_io_range(struct accel *a, enum io_space_kind kind, uint64_t first, uint64_t last,
			bool map)
{
	struct xen_dm *x = to_xen(a);
	int mmio = kind == IO_SPACE_MMIO, rc;

	if (!x->server_created)
		return 0;
	if (map)
		rc = xendevicemodel_map_io_range_to_ioreq_server(x->libs->dmod, (domid_t)x->domid,
								  x->ioservid, mmio, first, last);
	else
		rc = xendevicemodel_unmap_io_range_from_ioreq_server(x->libs->dmod, (domid_t)x->domid,
								      x->ioservid, mmio, first, last);
	if (rc)
		log_warn("xen", "%s %s %#llx-%#llx: %s", map ? "claiming" : "releasing",
			 mmio ? "MMIO" : "ports", (unsigned long long)first, (unsigned long long)last,
			 strerror(errno));
	return rc ? -errno : 0;
}

static int map_pci_function(struct accel *a, unsigned int devfn, bool map)
{
	struct xen_dm *x = to_xen(a);
	int rc;

	if (!x->server_created || devfn > 0xff)
		return devfn > 0xff ? -EINVAL : 0;
	if (map)
		rc = xendevicemodel_map_pcidev_to_ioreq_server(x->libs->dmod, (domid_t)x->domid,
								x->ioservid, 0, 0, (uint8_t)(devfn >> 3),
								(uint8_t)(devfn & 7));
	else
		rc = xendevicemodel_unmap_pcidev_from_ioreq_server(x->libs->dmod, (domid_t)x->domid,
								    x->ioservid, 0, 0,
								    (uint8_t)(devfn >> 3),
								    (uint8_t)(devfn & 7));
	if (rc)
		log_warn("xen", "%s PCI 00:%02x.%x: %s", map ? "claiming" : "releasing", devfn >> 3,
			 devfn & 7, strerror(errno));
	return rc ? -errno : 0;
}

static int set_mem_type(struct accel *a, enum accel_mem_type type, uint64_t first, uint64_t nr)
{
	struct xen_dm *x = to_xen(a);

	return xendevicemodel_set_mem_type(x->libs->dmod, (domid_t)x->domid,
					   type == ACCEL_MEM_RAM_RO ? HVMMEM_ram_ro : HVMMEM_ram_rw,
					   first, (uint32_t)nr) ? -errno : 0;
}

/*
 * The guest asked for S5/reset: tell Xen now (the vCPU gets its ioreq
 * answer afterwards, so the toolstack sees the shutdown first, as QEMU
 * orders it). libxl then destroys or restarts the domain and stops us.
 */
static int request(struct accel *a, enum accel_request req)
{
	struct xen_dm *x = to_xen(a);
	unsigned int reason;

	switch (req) {
	case ACCEL_REQ_POWEROFF:
		reason = SHUTDOWN_poweroff;
		break;
	case ACCEL_REQ_REBOOT:
		reason = SHUTDOWN_reboot;
		break;
	case ACCEL_REQ_SUSPEND:
		/*
		 * S3, in QEMU's order (softmmu/runstate.c, hw/i386/xen/xen-hvm.c):
		 * the PM1a_CNT write completes first, then the suspend notifiers
		 * run -- the RTC's sets CMOS 0x0f to 0xfe, which SeaBIOS's resume
		 * path reads (through us: Xen forwards NVRAM indexes), and Xen's
		 * sets HVM_PARAM_ACPI_S_STATE = 3 (xen_dm_run, after the answer).
		 */
		if (x->m && x->m->has_rtc)
			mc146818_notify_suspend(&x->m->rtc);
		x->suspend_pending = true;
		return 0;
	default:
		return -EINVAL;
	}
	if (xendevicemodel_shutdown(x->libs->dmod, (domid_t)x->domid, reason)) {
		log_error("xen", "asking Xen to %s the domain: %s",
			  reason == SHUTDOWN_poweroff ? "power off" : "reboot", strerror(errno));
		return -errno;
	}
	log_info("xen", "the guest asked to %s; told Xen", reason == SHUTDOWN_poweroff ? "power off" : "reboot");
	x->stop_reason = req;
	x->stop = 1;
	return 0;
}

/* The map cache's mapping calls: libxenforeignmemory's batch map with per-frame errors. */
static void *mapcache_map(void *opaque, uint64_t first, unsigned int n, bool write, int *err)
{
	struct xen_dm *x = opaque;
	xen_pfn_t pfns[MAPCACHE_BUCKET_PAGES];

	if (n > MAPCACHE_BUCKET_PAGES)
		return NULL;
	for (unsigned int i = 0; i < n; i++)
		pfns[i] = (xen_pfn_t)(first + i);
	return xenforeignmemory_map(x->libs->fmem, x->domid, write ? PROT_READ | PROT_WRITE : PROT_READ,
				    n, pfns, err);
}

static void mapcache_unmap(void *opaque, void *addr, unsigned int n)
{
	struct xen_dm *x = opaque;

	xenforeignmemory_unmap(x->libs->fmem, addr, n);
}

static const struct mapcache_ops mapcache_xen_ops = {
	.map = mapcache_map,
	.unmap = mapcache_unmap,
};

/*
 * Xen's log-dirty sees the guest's own writes, not ours through a foreign
 * mapping: during a live migration (libxl's xen-set-global-dirty-log) each
 * run of pages we write is reported, or the destination would keep the
 * copy sent before our write (as QEMU's xen_modified_memory).
 */
static void report_modified(void *opaque, uint64_t first, uint64_t nr)
{
	struct xen_dm *x = opaque;

	if (xendevicemodel_modified_memory(x->libs->dmod, (domid_t)x->domid, first, (uint32_t)nr))
		log_error("xen", "reporting guest pages %#llx-%#llx as modified for the migration: %s",
			  (unsigned long long)first, (unsigned long long)(first + nr - 1), strerror(errno));
}

static int guest_memory_rw(struct accel *a, uint64_t gpa, void *buf, size_t len, bool write)
{
	struct xen_dm *x = to_xen(a);

	return mapcache_rw(&x->mc, gpa, buf, len, write, x->dirty_log ? report_modified : NULL, x);
}

static void mapcache_drop(void *opaque)
{
	struct xen_dm *x = opaque;

	mapcache_invalidate(&x->mc);
}


/*
 * Device memory (the display card's VRAM) is guest frames, as QEMU keeps it
 * under Xen (hw/i386/xen/xen-hvm.c xen_ram_alloc, xen_add_to_physmap):
 * populated right above guest RAM, mapped once into the device's own
 * reservation, relocated into the BAR while the guest decodes it (pinned
 * write-back), and back when it stops. Xen saves the frames with the guest,
 * so a restore takes them over where the saved state says they are.
 */
static int back_device_memory(struct accel *a, unsigned int id, uint64_t at, uint64_t size, void *host)
{
	struct xen_dm *x = to_xen(a);
	struct xen_device_memory *v = &x->devmem;
	size_t nr = size / PAGE;
	uint64_t gfn = at == ACCEL_UNMAPPED ? x->device_memory_base / PAGE : at / PAGE;
	xen_pfn_t *pfns;
	int *errs, rc = 0;
	void *p;

	if (id != 0 || v->backed || !size || size % PAGE || ((uintptr_t)host % PAGE))
		return -EINVAL;
	if (at == ACCEL_UNMAPPED) {
		rc = xen_ctrl_populate(x->libs->ctrl, x->domid, gfn, nr);
		if (rc) {
			log_error("xen", "populating %zu VRAM frames at %#llx: %s", nr,
				  (unsigned long long)gfn, strerror(-rc));
			return rc;
		}
	}
	pfns = calloc(nr, sizeof(*pfns));
	errs = calloc(nr, sizeof(*errs));
	if (!pfns || !errs) {
		free(pfns);
		free(errs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++)
		pfns[i] = gfn + i;
	/* Over the device's reservation, so its pointer stays what it was. */
	p = xenforeignmemory_map2(x->libs->fmem, x->domid, host, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, nr, pfns, errs);
	if (!p) {
		rc = -errno;
	} else {
		for (size_t i = 0; i < nr && !rc; i++)
			if (errs[i])
				rc = errs[i] < 0 ? errs[i] : -errs[i];
	}
	free(pfns);
	free(errs);
	if (rc) {
		log_error("xen", "mapping the guest's %zu VRAM frames at %#llx: %s", nr,
			  (unsigned long long)gfn, strerror(-rc));
		return rc;
	}
	*v = (struct xen_device_memory){ .backed = true, .host = host, .nr = nr, .gfn = gfn,
					 .park = x->device_memory_base / PAGE };
	log_info("xen", "VRAM: %zu MiB of guest frames at %#llx (%s)", size >> 20,
		 (unsigned long long)gfn << 12, at == ACCEL_UNMAPPED ? "new" : "the restored guest's");
	return 0;
}

static void stop_tracking(struct xen_dm *x)
{
	struct xen_device_memory *v = &x->devmem;

	if (!v->tracking)
		return;
	if (xendevicemodel_track_dirty_vram(x->libs->dmod, (domid_t)x->domid, v->gfn, 0, NULL))
		log_debug("xen", "stopping VRAM dirty tracking: %s", strerror(errno));
	v->tracking = false;
}

/* The BAR moved (gpa) or stopped decoding (ACCEL_UNMAPPED): the frames follow. */
static int map_device_memory(struct accel *a, unsigned int id, uint64_t gpa, uint64_t size, void *host)
{
	struct xen_dm *x = to_xen(a);
	struct xen_device_memory *v = &x->devmem;
	uint64_t to = gpa == ACCEL_UNMAPPED ? v->park : gpa / PAGE;

	(void)host;
	if (id != 0 || !v->backed || size != v->nr * PAGE || (gpa != ACCEL_UNMAPPED && gpa % PAGE))
		return -EINVAL;
	if (to != v->gfn) {
		stop_tracking(x);
		/* A bucket may hold the frames where they were. */
		mapcache_invalidate(&x->mc);
		/* One call; Xen continues it itself (XEN_DMOP_relocate_memory, -ERESTART). */
		if (xendevicemodel_relocate_memory(x->libs->dmod, (domid_t)x->domid, (uint32_t)v->nr,
						   v->gfn, to)) {
			log_error("xen", "moving VRAM from %#llx to %#llx: %s",
				  (unsigned long long)v->gfn << 12, (unsigned long long)to << 12,
				  strerror(errno));
			return -errno;
		}
		v->gfn = to;
	}
	v->in_bar = gpa != ACCEL_UNMAPPED;
	if (v->in_bar &&
	    xendevicemodel_pin_memory_cacheattr(x->libs->dmod, (domid_t)x->domid, to, to + v->nr - 1,
						XEN_DMOP_MEM_CACHEATTR_WB))
		log_warn("xen", "pinning VRAM at %#llx write-back: %s", (unsigned long long)to << 12,
			 strerror(errno));
	return 0;
}

/*
 * What the guest wrote through the BAR since the last call. The first call
 * on a range reports it all dirty (HAP); shadow paging cannot track
 * (ENODATA), and then everything is redrawn each time.
 */
static int device_memory_dirty(struct accel *a, unsigned int id, uint64_t *bitmap)
{
	struct xen_dm *x = to_xen(a);
	struct xen_device_memory *v = &x->devmem;
	size_t words = (v->nr + 63) / 64;
	unsigned long *tmp;

	if (id != 0 || !v->backed || !v->in_bar)
		return 0;
	tmp = calloc(words, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	if (xendevicemodel_track_dirty_vram(x->libs->dmod, (domid_t)x->domid, v->gfn, (uint32_t)v->nr,
					    tmp)) {
		if (errno != ENODATA && !v->warned) {
			log_warn("xen", "VRAM dirty tracking: %s; the whole screen is redrawn each time",
				 strerror(errno));
			v->warned = true;
		}
		memset(tmp, 0xff, words * sizeof(*tmp));
	} else {
		v->tracking = true;
	}
	for (size_t i = 0; i < words; i++)
		bitmap[i] |= tmp[i];
	free(tmp);
	return 0;
}

static uint64_t device_memory_gpa(struct accel *a, unsigned int id)
{
	struct xen_dm *x = to_xen(a);

	return id == 0 && x->devmem.backed ? x->devmem.gfn * PAGE : ACCEL_UNMAPPED;
}

/*
 * The device model wrote VRAM itself (the legacy window, a mode's clear):
 * Xen's log-dirty sees only the guest's writes, so during a live migration
 * those pages are reported, as for any guest memory we write.
 */
static void device_memory_written(struct accel *a, unsigned int id, uint64_t offset, uint64_t len)
{
	struct xen_dm *x = to_xen(a);
	struct xen_device_memory *v = &x->devmem;
	uint64_t first, last;

	if (id != 0 || !x->dirty_log || !v->backed || !len || offset >= v->nr * PAGE)
		return;
	first = offset / PAGE;
	last = (offset + len - 1) / PAGE;
	if (last >= v->nr)
		last = v->nr - 1;
	if (xendevicemodel_modified_memory(x->libs->dmod, (domid_t)x->domid, v->gfn + first,
					   (uint32_t)(last - first + 1)))
		log_error("xen", "reporting VRAM pages as modified for the migration: %s", strerror(errno));
}

static const struct accel_ops xen_ops = {
	.name = "xen",
	.set_isa_irq_level = set_isa_irq_level,
	.set_pci_intx_level = set_pci_intx_level,
	.set_pci_link_route = set_pci_link_route,
	.inject_msi = inject_msi,
	.map_io_range = map_io_range,
	.map_pci_function = map_pci_function,
	.set_mem_type = set_mem_type,
	.request = request,
	.guest_memory_rw = guest_memory_rw,
	.map_device_memory = map_device_memory,
	.device_memory_dirty = device_memory_dirty,
	.back_device_memory = back_device_memory,
	.device_memory_gpa = device_memory_gpa,
	.device_memory_written = device_memory_written,
};

/* ---- start-up ---- */

int xen_dm_open(struct xen_dm *x, uint32_t domid, unsigned int max_vcpus, char *err,
		size_t errlen)
{
	struct xen_dm_libs *l;
	evtchn_port_t bufport;
	shared_iopage_t *shared;

	memset(x, 0, sizeof(*x));
	x->accel.ops = &xen_ops;
	x->domid = domid;
	x->max_vcpus = max_vcpus;
	if (domid == 0 || domid >= 0x7ff0 || max_vcpus == 0 || max_vcpus > XEN_DM_MAX_VCPUS) {
		snprintf(err, errlen, "-xen-domid %u with %u vCPUs: not a guest domain this build serves",
			 domid, max_vcpus);
		return -1;
	}
	l = x->libs = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	mapcache_init(&x->mc, &mapcache_xen_ops, x);
	l->dmod = xendevicemodel_open(NULL, 0);
	if (!l->dmod)
		return fail(err, errlen, "xendevicemodel_open (is this dom0 of a Xen host?)");
	l->fmem = xenforeignmemory_open(NULL, 0);
	if (!l->fmem)
		return fail(err, errlen, "xenforeignmemory_open");
	l->xce = xenevtchn_open(NULL, 0);
	if (!l->xce)
		return fail(err, errlen, "xenevtchn_open");
	l->xs = xs_open(0);
	if (!l->xs)
		return fail(err, errlen, "xs_open (xenstore)");
	/* Opened now, before any restriction: S3 and new VRAM frames need it. */
	l->ctrl = xen_ctrl_open();
	if (!l->ctrl)
		log_warn("xen", "libxenctrl: %s; a guest's S3 request and a display card will be refused",
			 strerror(errno));
	if (xendevicemodel_create_ioreq_server(l->dmod, (domid_t)domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC,
					       &x->ioservid))
		return fail(err, errlen, "creating the ioreq server");
	x->server_created = true;
	/* Only the buffered port is needed: the pages come from the resource mapping. */
	if (xendevicemodel_get_ioreq_server_info(l->dmod, (domid_t)domid, x->ioservid, NULL, NULL,
						 &bufport))
		return fail(err, errlen, "reading the ioreq server's buffered event channel");
	l->res = xenforeignmemory_map_resource(l->fmem, (domid_t)domid, XENMEM_resource_ioreq_server,
					       x->ioservid, XENMEM_resource_ioreq_server_frame_bufioreq,
					       2, &x->pages, PROT_READ | PROT_WRITE, 0);
	if (!l->res)
		return fail(err, errlen, "mapping the ioreq server pages");
	/* The per-vCPU event channels appear in the shared page once the server is enabled. */
	if (xen_dm_set_enabled(x, true, err, errlen))
		return -1;
	shared = (shared_iopage_t *)((uint8_t *)x->pages + PAGE);
	for (unsigned int i = 0; i < max_vcpus; i++) {
		int port = xenevtchn_bind_interdomain(l->xce, domid, shared->vcpu_ioreq[i].vp_eport);

		if (port < 0) {
			char what[64];

			snprintf(what, sizeof(what), "binding vCPU %u's event channel", i);
			return fail(err, errlen, what);
		}
		x->vcpu_port[i] = (uint32_t)port;
	}
	{
		int port = xenevtchn_bind_interdomain(l->xce, domid, bufport);

		if (port < 0)
			return fail(err, errlen, "binding the buffered event channel");
		x->buf_port = (uint32_t)port;
	}
	log_info("xen", "domain %u: ioreq server %u, %u vCPU channel(s)", domid, x->ioservid, max_vcpus);
	return 0;
}

int xen_dm_set_enabled(struct xen_dm *x, bool on, char *err, size_t errlen);

void xen_dm_attach(struct xen_dm *x, struct machine *m)
{
	x->m = m;
	ioreq_ctx_init(&x->io, m, &x->accel);
	x->io.invalidate = mapcache_drop;
	x->io.invalidate_opaque = x;
}

int xen_dm_set_enabled(struct xen_dm *x, bool on, char *err, size_t errlen)
{
	if (xendevicemodel_set_ioreq_server_state(x->libs->dmod, (domid_t)x->domid, x->ioservid, on))
		return fail(err, errlen, on ? "enabling the ioreq server" : "disabling the ioreq server");
	x->enabled = on;
	return 0;
}

int xen_dm_xs_write(struct xen_dm *x, const char *leaf, const char *value, char *err,
		    size_t errlen)
{
	char path[128];

	/* Relative: under this process's domain, i.e. /local/domain/0 for dom0. */
	snprintf(path, sizeof(path), "device-model/%u/%s", x->domid, leaf);
	if (!xs_write(x->libs->xs, XBT_NULL, path, value, (unsigned int)strlen(value)))
		return fail(err, errlen, path);
	return 0;
}

void xen_dm_close(struct xen_dm *x)
{
	struct xen_dm_libs *l = x->libs;

	if (!l)
		return;
	if (l->fmem) {
		const struct mapcache_stats *st = &x->mc.stats;

		log_debug("xen", "map cache: %llu hits, %llu misses, %llu evictions, %llu invalidations, "
			  "%llu one-frame maps, %llu failed copies",
			  (unsigned long long)st->hits, (unsigned long long)st->misses,
			  (unsigned long long)st->evictions, (unsigned long long)st->invalidations,
			  (unsigned long long)st->single_frame_maps, (unsigned long long)st->failures);
		mapcache_invalidate(&x->mc);
	}
	if (x->server_created)
		xendevicemodel_destroy_ioreq_server(l->dmod, (domid_t)x->domid, x->ioservid);
	if (l->res)
		xenforeignmemory_unmap_resource(l->fmem, l->res);
	if (l->xce)
		xenevtchn_close(l->xce);
	if (l->xs)
		xs_close(l->xs);
	xen_ctrl_close(l->ctrl);
	if (l->fmem)
		xenforeignmemory_close(l->fmem);
	if (l->dmod)
		xendevicemodel_close(l->dmod);
	free(l);
	x->libs = NULL;
}

/* ---- serving ioreqs ---- */

static void drain_buffered(struct xen_dm *x)
{
	ioreq_drain_buffered(&x->io, x->pages);
}

static void serve_vcpu(struct xen_dm *x, unsigned int vcpu)
{
	shared_iopage_t *shared = (shared_iopage_t *)((uint8_t *)x->pages + PAGE);
	ioreq_t *slot = &shared->vcpu_ioreq[vcpu];
	ioreq_t r;

	drain_buffered(x);
	/* state is the low nibble of byte 30 (a bitfield: read the byte atomically). */
	if ((__atomic_load_n((uint8_t *)slot + 30, __ATOMIC_ACQUIRE) & 0xf) != STATE_IOREQ_READY)
		return; /* nothing pending, or a spurious notification */
	r = *slot; /* one copy: Xen's later writes cannot change what we check */
	slot->state = STATE_IOREQ_INPROCESS;
	ioreq_handle(&x->io, &r);
	slot->data = r.data;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	slot->state = STATE_IORESP_READY;
	xenevtchn_notify(x->libs->xce, x->vcpu_port[vcpu]);
}

static void handle_port(struct xen_dm *x, evtchn_port_t port)
{
	if (port == x->buf_port) {
		drain_buffered(x);
		return;
	}
	for (unsigned int i = 0; i < x->max_vcpus; i++) {
		if (x->vcpu_port[i] == port) {
			serve_vcpu(x, i);
			return;
		}
	}
}

static int set_s_state(struct xen_dm *x, unsigned int state)
{
	return xen_ctrl_set_s_state(x->libs->ctrl, x->domid, state);
}

/*
 * Xen resets the vCPUs and the platform timers it emulates, and keeps the
 * domain paused (hvm_s3_suspend); RAM and our devices stay as they are.
 */
static void enter_s3(struct xen_dm *x)
{
	int rc;

	x->suspend_pending = false;
	rc = set_s_state(x, 3);
	if (rc) {
		/* A deprivileged DM's privcmd takes device-model ops only: QEMU fails the same way. */
		log_error("xen", "the guest asked for S3, but setting HVM_PARAM_ACPI_S_STATE failed: %s%s; the guest runs on",
			  strerror(-rc), rc == -EPERM ? " (dm_restrict allows device-model ops only)" : "");
		return;
	}
	x->suspended = true;
	log_info("xen", "the guest is suspended to RAM (S3); xl trigger %u s3resume (QMP system_wakeup) wakes it",
		 x->domid);
	if (x->event)
		x->event(x->event_opaque, "SUSPEND");
}

/*
 * As QEMU's wake-up (pc_machine_wakeup): the devices are reset -- CMOS
 * NVRAM kept, so the firmware still sees the S3 flag -- PM1_STS.WAK_STS is
 * set, and HVM_PARAM_ACPI_S_STATE = 0 lets Xen run the BSP from the reset
 * vector into SeaBIOS's resume path.
 */
int xen_dm_wakeup(struct xen_dm *x, char *err, size_t errlen)
{
	int rc;

	if (!x->suspended) {
		snprintf(err, errlen, "the guest is not suspended");
		return -1;
	}
	machine_reset(x->m);
	piix4_pm_wakeup(&x->m->pm, false);
	rc = set_s_state(x, 0);
	if (rc) {
		snprintf(err, errlen, "setting HVM_PARAM_ACPI_S_STATE to 0: %s", strerror(-rc));
		return -1;
	}
	x->suspended = false;
	log_info("xen", "woken up: the firmware resumes the guest");
	if (x->event)
		x->event(x->event_opaque, "WAKEUP");
	return 0;
}

/* The event channels in the machine's loop: the port that fired. */
static void evtchn_ready(void *opaque, int fd, unsigned int revents)
{
	struct xen_dm *x = opaque;
	xenevtchn_port_or_error_t port;

	(void)fd;
	if (!(revents & POLLIN))
		return;
	port = xenevtchn_pending(x->libs->xce);
	if (port >= 0) {
		xenevtchn_unmask(x->libs->xce, (evtchn_port_t)port);
		handle_port(x, (evtchn_port_t)port);
	}
}

int xen_dm_run(struct xen_dm *x, char *err, size_t errlen)
{
	struct loop *loop = &x->m->loop;
	int id = loop_add_fd(loop, xenevtchn_fd(x->libs->xce), LOOP_IN | LOOP_DEVICE, evtchn_ready, x);
	int rc;

	if (id < 0) {
		errno = -id;
		return fail(err, errlen, "registering the event channels");
	}
	for (;;) {
		/*
		 * The event channels, backends, QMP and device timers; 10 ms at most,
		 * so the look at every slot below happens at least that often.
		 */
		int n = loop_run_once(loop, 10);

		if (n < 0) {
			errno = -n;
			rc = fail(err, errlen, "poll on the event channels");
			break;
		}
		/* A lost notification must not stall a vCPU: look at every slot. */
		for (unsigned int i = 0; i < x->max_vcpus; i++)
			serve_vcpu(x, i);
		if (x->suspend_pending) /* the SLP_EN write has its answer now */
			enter_s3(x);
		if (quit_requested) {
			snprintf(err, errlen, "stopped by a signal");
			rc = -3;
			break;
		}
	}
	loop_del_fd(loop, id);
	return rc;
}
