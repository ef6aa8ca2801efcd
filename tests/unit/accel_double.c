// SPDX-License-Identifier: GPL-2.0-only
#include "accel_double.h"

#include <errno.h>
#include <string.h>

#define to_double(a) ((struct accel_double *)(a))

static int set_isa_irq_level(struct accel *a, unsigned int irq, bool level)
{
	struct accel_double *d = to_double(a);

	if (irq >= 16)
		return -EINVAL;
	d->isa_irq[irq] = level;
	d->isa_irq_changes[irq]++;
	return 0;
}

static int set_pci_intx_level(struct accel *a, unsigned int slot, unsigned int intx, bool level)
{
	if (slot >= 32 || intx >= 4)
		return -EINVAL;
	to_double(a)->intx[slot][intx] = level;
	return 0;
}

static int set_pci_link_route(struct accel *a, unsigned int link, unsigned int irq)
{
	if (link >= 4 || irq >= 16)
		return -EINVAL;
	to_double(a)->link_route[link] = (int)irq;
	to_double(a)->link_route_calls++;
	return 0;
}

static int inject_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	(void)a, (void)addr, (void)data;
	return 0;
}

static int map_io_range(struct accel *a, enum io_space_kind kind, uint64_t first, uint64_t last,
			bool map)
{
	struct accel_double *d = to_double(a);

	if (map) {
		if (d->nr_ranges >= DOUBLE_MAX_RANGES)
			return -ENOSPC;
		d->ranges[d->nr_ranges].kind = kind;
		d->ranges[d->nr_ranges].first = first;
		d->ranges[d->nr_ranges].last = last;
		d->nr_ranges++;
		return 0;
	}
	for (unsigned int i = 0; i < d->nr_ranges; i++) {
		if (d->ranges[i].kind == (int)kind && d->ranges[i].first == first &&
		    d->ranges[i].last == last) {
			d->ranges[i] = d->ranges[--d->nr_ranges];
			return 0;
		}
	}
	return -ENOENT;
}

static int map_pci_function(struct accel *a, unsigned int devfn, bool map)
{
	if (devfn >= 256)
		return -EINVAL;
	to_double(a)->pci_function[devfn] = map;
	return 0;
}

static int set_mem_type(struct accel *a, enum accel_mem_type type, uint64_t first, uint64_t nr)
{
	struct accel_double *d = to_double(a);

	d->mem_type_calls++;
	if (d->fail_mem_type)
		return -EIO;
	d->mem_type = (int)type;
	d->mem_first = first;
	d->mem_nr = nr;
	return 0;
}

static int request(struct accel *a, enum accel_request req)
{
	to_double(a)->requests[req]++;
	return 0;
}

static int guest_memory_rw(struct accel *a, uint64_t gpa, void *buf, size_t len, bool write)
{
	struct accel_double *d = to_double(a);

	if (gpa > sizeof(d->guest_ram) || len > sizeof(d->guest_ram) - gpa)
		return -EFAULT;
	if (write)
		memcpy(d->guest_ram + gpa, buf, len);
	else
		memcpy(buf, d->guest_ram + gpa, len);
	return 0;
}

static int map_device_memory(struct accel *a, unsigned int id, uint64_t gpa, uint64_t size, void *host)
{
	struct accel_double *d = to_double(a);

	if (!d->devmem_enable || id > 2)
		return -ENOSYS;
	if (id != 0) {
		d->devmem_extra_gpa[id] = gpa;
		d->devmem_extra_host[id] = gpa == ACCEL_UNMAPPED ? NULL : host;
		return 0;
	}
	d->devmem_calls++;
	d->devmem_gpa = gpa;
	d->devmem_size = gpa == ACCEL_UNMAPPED ? 0 : size;
	d->devmem_host = host;
	return 0;
}

static int device_memory_dirty(struct accel *a, unsigned int id, uint64_t *bitmap)
{
	struct accel_double *d = to_double(a);

	if (id == 1 || id == 2) {
		if (d->devmem_extra_gpa[id] != ACCEL_UNMAPPED)
			bitmap[0] |= d->devmem_extra_log[id];
		d->devmem_extra_log[id] = 0;
		return 0;
	}
	if (id != 0 || !d->devmem_size)
		return 0;
	for (uint64_t i = 0; i < 64 && i < (d->devmem_size / 4096 + 63) / 64; i++)
		bitmap[i] |= d->devmem_log[i];
	memset(d->devmem_log, 0, sizeof(d->devmem_log));
	return 0;
}

static int back_device_memory(struct accel *a, unsigned int id, uint64_t at, uint64_t size, void *host)
{
	struct accel_double *d = to_double(a);

	(void)size, (void)host;
	if (id != 0)
		return -ENOSYS;
	d->frames_backings++;
	d->frames_backed_at = at;
	d->frames_gpa = at == ACCEL_UNMAPPED ? d->frames_park : at;
	return 0;
}

static uint64_t device_memory_gpa(struct accel *a, unsigned int id)
{
	struct accel_double *d = to_double(a);

	return id == 0 ? d->frames_gpa : ACCEL_UNMAPPED;
}

/* Xen's relocation: the frames move into the BAR, and back to the park when it goes. */
static int relocate_device_memory(struct accel *a, unsigned int id, uint64_t gpa, uint64_t size,
				  void *host)
{
	struct accel_double *d = to_double(a);
	int rc = map_device_memory(a, id, gpa, size, host);

	if (!rc && d->frames_gpa != ACCEL_UNMAPPED)
		d->frames_gpa = gpa == ACCEL_UNMAPPED ? d->frames_park : gpa;
	return rc;
}

static const struct accel_ops double_ops = {
	.name = "test-double",
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
};

static struct accel_ops frames_ops;

void accel_double_guest_frames(struct accel_double *d, uint64_t park)
{
	frames_ops = double_ops;
	frames_ops.name = "test-double-frames";
	frames_ops.map_device_memory = relocate_device_memory;
	frames_ops.back_device_memory = back_device_memory;
	frames_ops.device_memory_gpa = device_memory_gpa;
	d->accel.ops = &frames_ops;
	d->devmem_enable = true;
	d->frames_park = park;
	d->frames_gpa = ACCEL_UNMAPPED;
}

void accel_double_init(struct accel_double *d)
{
	memset(d, 0, sizeof(*d));
	d->accel.ops = &double_ops;
	for (unsigned int i = 0; i < 3; i++)
		d->devmem_extra_gpa[i] = ACCEL_UNMAPPED;
	for (int i = 0; i < 4; i++)
		d->link_route[i] = -1;
	d->mem_type = -1;
}

bool accel_double_has_range(const struct accel_double *d, int kind, uint64_t first, uint64_t last)
{
	for (unsigned int i = 0; i < d->nr_ranges; i++)
		if (d->ranges[i].kind == kind && d->ranges[i].first == first &&
		    d->ranges[i].last == last)
			return true;
	return false;
}
