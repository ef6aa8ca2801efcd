// SPDX-License-Identifier: GPL-2.0-only
#include "accel_none.h"

#include <errno.h>
#include <string.h>

#include "hw/core/log.h"

#define to_none(a) ((struct accel_none *)(a))

static int set_isa_irq_level(struct accel *a, unsigned int irq, bool level)
{
	if (irq >= 16)
		return -EINVAL;
	to_none(a)->isa_irq[irq] = level;
	log_debug("accel-none", "ISA IRQ %u %s", irq, level ? "raised" : "lowered");
	return 0;
}

static int set_pci_intx_level(struct accel *a, unsigned int slot, unsigned int intx, bool level)
{
	(void)a;
	log_debug("accel-none", "00:%02x INT%c %s", slot, 'A' + intx, level ? "raised" : "lowered");
	return 0;
}

static int set_pci_link_route(struct accel *a, unsigned int link, unsigned int irq)
{
	if (link >= 4 || irq >= 16)
		return -EINVAL;
	to_none(a)->link_route[link] = irq;
	log_debug("accel-none", "PCI link %u routed to IRQ %u", link, irq);
	return 0;
}

static int inject_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	(void)a;
	log_debug("accel-none", "MSI %#llx <- %#x", (unsigned long long)addr, data);
	return 0;
}

static int map_io_range(struct accel *a, enum io_space_kind kind, uint64_t first, uint64_t last,
			bool map)
{
	(void)a;
	log_debug("accel-none", "%s %s %#llx-%#llx", map ? "claim" : "release",
		  kind == IO_SPACE_PORT ? "ports" : "mmio", (unsigned long long)first,
		  (unsigned long long)last);
	return 0;
}

static int map_pci_function(struct accel *a, unsigned int devfn, bool map)
{
	(void)a;
	log_debug("accel-none", "%s config cycles of 00:%02x.%x", map ? "claim" : "release",
		  devfn >> 3, devfn & 7);
	return 0;
}

static int set_mem_type(struct accel *a, enum accel_mem_type type, uint64_t first, uint64_t nr)
{
	(void)a;
	log_debug("accel-none", "pfn %#llx+%#llx now %s", (unsigned long long)first,
		  (unsigned long long)nr, type == ACCEL_MEM_RAM_RO ? "read-only" : "read-write");
	return 0;
}

static int request(struct accel *a, enum accel_request req)
{
	to_none(a)->requests++;
	to_none(a)->last_request = req;
	log_info("accel-none", "guest asked to %s", accel_request_name(req));
	return 0;
}

static int guest_memory_rw(struct accel *a, uint64_t gpa, void *buf, size_t len, bool write)
{
	(void)a, (void)gpa, (void)buf, (void)len, (void)write;
	return -EFAULT; /* no guest memory without a hypervisor */
}

static const struct accel_ops none_ops = {
	.name = "none",
	.set_isa_irq_level = set_isa_irq_level,
	.set_pci_intx_level = set_pci_intx_level,
	.set_pci_link_route = set_pci_link_route,
	.inject_msi = inject_msi,
	.map_io_range = map_io_range,
	.map_pci_function = map_pci_function,
	.set_mem_type = set_mem_type,
	.request = request,
	.guest_memory_rw = guest_memory_rw,
};

static int back_device_memory(struct accel *a, unsigned int id, uint64_t at, uint64_t size, void *host)
{
	struct accel_none *n = (struct accel_none *)a;

	(void)size, (void)host;
	if (id != 0)
		return -ENOSYS;
	n->frames_gpa = at == ACCEL_UNMAPPED ? n->frames_park : at;
	return 0;
}

static int map_device_memory(struct accel *a, unsigned int id, uint64_t gpa, uint64_t size, void *host)
{
	struct accel_none *n = (struct accel_none *)a;

	(void)size, (void)host;
	if (id != 0)
		return -ENOSYS;
	if (n->frames_gpa != ACCEL_UNMAPPED)
		n->frames_gpa = gpa == ACCEL_UNMAPPED ? n->frames_park : gpa;
	return 0;
}

static uint64_t device_memory_gpa(struct accel *a, unsigned int id)
{
	return id == 0 ? ((struct accel_none *)a)->frames_gpa : ACCEL_UNMAPPED;
}


static struct accel_ops none_frames_ops;

void accel_none_guest_frames(struct accel_none *a, uint64_t park)
{
	/* The same accelerator, with device memory as guest frames on paper. */
	none_frames_ops = none_ops;
	none_frames_ops.map_device_memory = map_device_memory;
	none_frames_ops.back_device_memory = back_device_memory;
	none_frames_ops.device_memory_gpa = device_memory_gpa;
	a->accel.ops = &none_frames_ops;
	a->frames_park = park;
	a->frames_gpa = ACCEL_UNMAPPED;
}

void accel_none_init(struct accel_none *a)
{
	memset(a, 0, sizeof(*a));
	a->accel.ops = &none_ops;
}
