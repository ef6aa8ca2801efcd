// SPDX-License-Identifier: GPL-2.0-only
#include "ioreq.h"

#include "hw/core/bus.h"
#include "hw/core/log.h"
#include "hw/core/machine.h"

void ioreq_ctx_init(struct ioreq_ctx *c, struct machine *m, struct accel *accel)
{
	c->m = m;
	c->accel = accel;
	c->time_offset = 0;
	c->served = 0;
	c->refused = 0;
	c->invalidate = NULL;
	c->invalidate_opaque = NULL;
}

#define STRING_CHUNK 4096

static uint64_t mem_read(struct ioreq_ctx *c, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	if (c->accel->ops->guest_memory_rw(c->accel, gpa, &v, size, false))
		return size_mask(size);
	return v;
}

static void mem_write(struct ioreq_ctx *c, uint64_t gpa, unsigned int size, uint64_t v)
{
	c->accel->ops->guest_memory_rw(c->accel, gpa, &v, size, true);
}

const char *ioreq_invalid(const ioreq_t *r)
{
	switch (r->type) {
	case IOREQ_TYPE_PIO:
		if (r->size != 1 && r->size != 2 && r->size != 4)
			return "port I/O size not 1, 2 or 4";
		if (r->addr > 0xffff || r->addr + r->size > 0x10000)
			return "port beyond 0xffff";
		break;
	case IOREQ_TYPE_COPY:
		if (r->size != 1 && r->size != 2 && r->size != 4 && r->size != 8)
			return "MMIO size not 1, 2, 4 or 8";
		break;
	case IOREQ_TYPE_PCI_CONFIG:
		if (r->size != 1 && r->size != 2 && r->size != 4)
			return "config size not 1, 2 or 4";
		if (r->count != 1 || r->data_is_ptr)
			return "config access with a count or a pointer";
		break;
	case IOREQ_TYPE_TIMEOFFSET:
	case IOREQ_TYPE_INVALIDATE:
		return NULL;
	default:
		return "unknown ioreq type";
	}
	if (r->count == 0 || r->count > 0x10000)
		return "repetition count 0 or beyond 65536";
	if (!r->data_is_ptr && r->count != 1 && r->type == IOREQ_TYPE_PIO)
		return "port I/O with a count and no pointer";
	return NULL;
}

static uint64_t dev_read(struct ioreq_ctx *c, bool mmio, uint64_t addr, unsigned int size)
{
	return io_space_read(mmio ? &c->m->mmio : &c->m->io, addr, size);
}

static void dev_write(struct ioreq_ctx *c, bool mmio, uint64_t addr, unsigned int size, uint64_t v)
{
	io_space_write(mmio ? &c->m->mmio : &c->m->io, addr, size, v & size_mask(size));
}

/* Port I/O or MMIO, plain or string (data_is_ptr), forwards or backwards (df). */
static void handle_access(struct ioreq_ctx *c, ioreq_t *r)
{
	bool mmio = r->type == IOREQ_TYPE_COPY;
	int64_t step = r->df ? -(int64_t)r->size : (int64_t)r->size;

	if (!r->data_is_ptr) {
		for (uint32_t i = 0; i < r->count; i++) {
			uint64_t addr = mmio ? r->addr + (uint64_t)(step * i) : r->addr;

			if (r->dir == IOREQ_READ)
				r->data = dev_read(c, mmio, addr, r->size);
			else
				dev_write(c, mmio, addr, r->size, r->data);
		}
		return;
	}
	/*
	 * String forms move guest memory in chunks: one guest-memory copy per
	 * chunk instead of one per element (a sector of `rep insw` is one copy,
	 * not 256 foreign mappings). Element order and device accesses are as
	 * before; a chunk whose memory is not all there falls back to the
	 * element-by-element rules (reads of absent memory give all-ones,
	 * writes to it are dropped).
	 */
	for (uint32_t i = 0; i < r->count;) {
		uint8_t buf[STRING_CHUNK];
		uint32_t n = r->count - i, per = STRING_CHUNK / r->size;
		uint64_t first, lowest;

		if (n > per)
			n = per;
		first = r->data + (uint64_t)(step * i);
		/* With df set the chunk's elements descend from `first`. */
		lowest = r->df ? first - (uint64_t)(n - 1) * r->size : first;
		if (r->dir == IOREQ_READ) {
			for (uint32_t k = 0; k < n; k++) {
				uint64_t dev = mmio ? r->addr + (uint64_t)(step * (i + k)) : r->addr;
				uint32_t slot = r->df ? n - 1 - k : k;

				le_write(buf + (size_t)slot * r->size, r->size, dev_read(c, mmio, dev, r->size));
			}
			if (c->accel->ops->guest_memory_rw(c->accel, lowest, buf, (size_t)n * r->size, true))
				for (uint32_t k = 0; k < n; k++) {
					uint32_t slot = r->df ? n - 1 - k : k;

					mem_write(c, first + (uint64_t)(step * k), r->size,
						  le_read(buf + (size_t)slot * r->size, r->size));
				}
		} else {
			bool whole = !c->accel->ops->guest_memory_rw(c->accel, lowest, buf,
								    (size_t)n * r->size, false);

			for (uint32_t k = 0; k < n; k++) {
				uint64_t dev = mmio ? r->addr + (uint64_t)(step * (i + k)) : r->addr;
				uint32_t slot = r->df ? n - 1 - k : k;
				uint64_t v = whole ? le_read(buf + (size_t)slot * r->size, r->size)
						   : mem_read(c, first + (uint64_t)(step * k), r->size);

				dev_write(c, mmio, dev, r->size, v);
			}
		}
		i += n;
	}
}

void ioreq_handle(struct ioreq_ctx *c, ioreq_t *r)
{
	const char *bad = ioreq_invalid(r);

	if (bad) {
		c->refused++;
		log_guest("xen", "refused ioreq type %u addr %#llx size %u count %u ptr %u: %s", r->type,
			  (unsigned long long)r->addr, r->size, r->count, r->data_is_ptr, bad);
		if (r->dir == IOREQ_READ && !r->data_is_ptr)
			r->data = ~0ull;
		return;
	}
	c->served++;
	switch (r->type) {
	case IOREQ_TYPE_PIO:
	case IOREQ_TYPE_COPY:
		handle_access(c, r);
		break;
	case IOREQ_TYPE_PCI_CONFIG: {
		/* addr: segment 63..48, bus 47..40, devfn 39..32, register 31..0 */
		unsigned int seg = (unsigned int)(r->addr >> 48), bus = (r->addr >> 40) & 0xff;
		unsigned int devfn = (r->addr >> 32) & 0xff;
		uint32_t reg = (uint32_t)r->addr;

		if (seg || bus || reg >= 256 || reg + r->size > 256) {
			if (r->dir == IOREQ_READ)
				r->data = size_mask(r->size);
		} else if (r->dir == IOREQ_READ) {
			r->data = pci_config_read(&c->m->pci, devfn, reg, r->size);
		} else {
			pci_config_write(&c->m->pci, devfn, reg, r->size,
					 (uint32_t)(r->data & size_mask(r->size)));
		}
		break;
	}
	case IOREQ_TYPE_TIMEOFFSET:
		/* wraps like the guest RTC register arithmetic; never signed overflow */
		c->time_offset = (int64_t)((uint64_t)c->time_offset + r->data);
		break;
	case IOREQ_TYPE_INVALIDATE:
		/* The guest gave memory back: a kept mapping may hold a frame it no longer has. */
		if (c->invalidate)
			c->invalidate(c->invalidate_opaque);
		break;
	}
}

void ioreq_drain_buffered(struct ioreq_ctx *c, buffered_iopage_t *b)
{
	for (;;) {
		uint32_t rp = __atomic_load_n(&b->read_pointer, __ATOMIC_ACQUIRE);
		uint32_t wp = __atomic_load_n(&b->write_pointer, __ATOMIC_ACQUIRE);
		buf_ioreq_t slot;
		ioreq_t r = { 0 };
		unsigned int qw;

		if (rp == wp)
			return;
		/* Xen may rebase both pointers: start over if read_pointer moved. */
		if (__atomic_load_n(&b->read_pointer, __ATOMIC_ACQUIRE) != rp)
			continue;
		if (wp - rp > IOREQ_BUFFER_SLOT_NUM) {
			/* Never from a sane Xen: do not spin on garbage pointers. */
			c->refused++;
			log_guest("xen", "buffered ioreq pointers %u/%u are inconsistent", rp, wp);
			return;
		}
		slot = b->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
		r.type = slot.type;
		r.size = 1u << slot.size;
		r.addr = slot.addr;
		r.data = slot.data;
		r.count = 1;
		r.dir = IOREQ_WRITE;
		qw = r.size == 8;
		if (qw) {
			if (wp - rp < 2)
				return; /* the second half is not written yet */
			r.data |= (uint64_t)b->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM].data << 32;
		}
		if (r.type == IOREQ_TYPE_PIO || r.type == IOREQ_TYPE_COPY ||
		    r.type == IOREQ_TYPE_TIMEOFFSET)
			ioreq_handle(c, &r);
		else
			c->refused++;
		__atomic_fetch_add(&b->read_pointer, qw + 1, __ATOMIC_SEQ_CST);
	}
}
