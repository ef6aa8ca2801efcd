// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whole-VM records: encoders, one decoder per version, the registry entries
 * and the whole-VM stream writer/reader around the device records.
 * The byte layouts are in docs/stream-format.md §6.
 */
#include "vm_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "stream.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.3.0-dev"
#endif

/* ---------------------------------------------------------------- helpers */

static int fail(struct decode_ctx *c, size_t at, const char *what)
{
	snprintf(c->err, c->errlen, "record %s instance %#x version %u, byte %zu: %s",
		 c->rec->idstr, c->rec->instance, c->rec->version, c->rec->payload_offset + at, what);
	return -1;
}

static int finish(struct rbuf *r, struct decode_ctx *c)
{
	if (r->short_read)
		return fail(c, r->len, "payload ends early");
	if (r->pos != r->len)
		return fail(c, r->pos, "payload is longer than its layout");
	return 0;
}

/* A byte that must be 0 or 1 (or at most `max`); latches the first bad one. */
static uint8_t get_small(struct rbuf *r, uint8_t max, size_t *bad_at)
{
	size_t at = r->pos;
	uint8_t v = get_u8(r);

	if (v > max && !r->short_read && *bad_at == SIZE_MAX)
		*bad_at = at;
	return v;
}

/* ---------------------------------------------------------------- kvm-vm */

static void enc_vm(struct wbuf *w, const struct vm_state *vm)
{
	put_le64(w, vm->ram_size);
	put_le64(w, vm->ram_below_4g);
	put_le32(w, vm->nr_vcpus);
	put_le64(w, vm->kvmclock_ns);
}

static int dec_vm_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct vm_state *vm = c->vm->vm;
	uint64_t ram = get_le64(r), below = get_le64(r);
	uint32_t n = get_le32(r);
	uint64_t clock = get_le64(r);
	char what[200];

	if (finish(r, c))
		return -1;
	if (c->rec->instance != 0)
		return fail(c, 0, "instance must be 0");
	if (ram != vm->ram_size || below != vm->ram_below_4g) {
		snprintf(what, sizeof(what),
			 "the saved guest has %llu MiB of RAM (%llu MiB below 4 GiB); this VM has %llu MiB (%llu MiB): restore with -m %llu",
			 (unsigned long long)(ram >> 20), (unsigned long long)(below >> 20),
			 (unsigned long long)(vm->ram_size >> 20),
			 (unsigned long long)(vm->ram_below_4g >> 20), (unsigned long long)(ram >> 20));
		return fail(c, 0, what);
	}
	if (n != vm->nr_vcpus) {
		snprintf(what, sizeof(what), "the saved guest has %u vCPUs; this VM has %u: restore with -smp %u",
			 n, vm->nr_vcpus, n);
		return fail(c, 16, what);
	}
	vm->kvmclock_ns = clock;
	c->vm->have_vm = true;
	return 0;
}

/* ---------------------------------------------------------------- kvm-irqchip */

static void enc_irqchip(struct wbuf *w, const struct kvm_irqchip *chip)
{
	if (chip->chip_id < KVM_IRQCHIP_IOAPIC) {
		const struct kvm_pic_state *p = &chip->chip.pic;

		put_u8(w, p->last_irr);
		put_u8(w, p->irr);
		put_u8(w, p->imr);
		put_u8(w, p->isr);
		put_u8(w, p->priority_add);
		put_u8(w, p->irq_base);
		put_u8(w, p->read_reg_select);
		put_u8(w, p->poll);
		put_u8(w, p->special_mask);
		put_u8(w, p->init_state);
		put_u8(w, p->auto_eoi);
		put_u8(w, p->rotate_on_auto_eoi);
		put_u8(w, p->special_fully_nested_mode);
		put_u8(w, p->init4);
		put_u8(w, p->elcr);
		put_u8(w, p->elcr_mask);
	} else {
		const struct kvm_ioapic_state *io = &chip->chip.ioapic;

		put_le64(w, io->base_address);
		put_le32(w, io->ioregsel);
		put_le32(w, io->id);
		put_le32(w, io->irr);
		for (unsigned int i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
			put_le64(w, io->redirtbl[i].bits);
	}
}

static int dec_irqchip_v1(struct rbuf *r, struct decode_ctx *c)
{
	uint32_t id = c->rec->instance;
	struct kvm_irqchip *chip;
	size_t bad = SIZE_MAX;

	if (id > KVM_IRQCHIP_IOAPIC)
		return fail(c, 0, "instance is not 0 (PIC master), 1 (PIC slave) or 2 (IOAPIC)");
	if (c->vm->have_chip[id])
		return fail(c, 0, "appears twice");
	chip = &c->vm->vm->irqchip[id];
	memset(chip, 0, sizeof(*chip));
	chip->chip_id = id;
	if (id < KVM_IRQCHIP_IOAPIC) {
		struct kvm_pic_state *p = &chip->chip.pic;

		p->last_irr = get_u8(r);
		p->irr = get_u8(r);
		p->imr = get_u8(r);
		p->isr = get_u8(r);
		p->priority_add = get_small(r, 7, &bad);
		p->irq_base = get_u8(r);
		p->read_reg_select = get_small(r, 1, &bad);
		p->poll = get_small(r, 1, &bad);
		p->special_mask = get_small(r, 1, &bad);
		p->init_state = get_small(r, 3, &bad);
		p->auto_eoi = get_small(r, 1, &bad);
		p->rotate_on_auto_eoi = get_small(r, 1, &bad);
		p->special_fully_nested_mode = get_small(r, 1, &bad);
		p->init4 = get_small(r, 1, &bad);
		p->elcr = get_u8(r);
		p->elcr_mask = get_u8(r);
	} else {
		struct kvm_ioapic_state *io = &chip->chip.ioapic;
		size_t at = r->pos;

		io->base_address = get_le64(r);
		if (io->base_address != 0xfec00000 && !r->short_read)
			bad = at;
		io->ioregsel = get_le32(r);
		io->id = get_le32(r);
		io->irr = get_le32(r);
		for (unsigned int i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
			io->redirtbl[i].bits = get_le64(r);
	}
	if (finish(r, c))
		return -1;
	if (bad != SIZE_MAX)
		return fail(c, bad, "a field is out of range");
	c->vm->have_chip[id] = true;
	return 0;
}

/* ---------------------------------------------------------------- kvm-pit */

static void enc_pit(struct wbuf *w, const struct kvm_pit_state2 *pit)
{
	for (unsigned int i = 0; i < 3; i++) {
		const struct kvm_pit_channel_state *ch = &pit->channels[i];

		put_le32(w, ch->count);
		put_le16(w, ch->latched_count);
		put_u8(w, ch->count_latched);
		put_u8(w, ch->status_latched);
		put_u8(w, ch->status);
		put_u8(w, ch->read_state);
		put_u8(w, ch->write_state);
		put_u8(w, ch->write_latch);
		put_u8(w, ch->rw_mode);
		put_u8(w, ch->mode);
		put_u8(w, ch->bcd);
		put_u8(w, ch->gate);
		put_le64(w, (uint64_t)ch->count_load_time);
	}
	put_le32(w, pit->flags);
}

static int dec_pit_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct kvm_pit_state2 *pit = &c->vm->vm->pit;
	size_t bad = SIZE_MAX;

	if (c->rec->instance != 0)
		return fail(c, 0, "instance must be 0");
	if (c->vm->have_pit)
		return fail(c, 0, "appears twice");
	memset(pit, 0, sizeof(*pit));
	for (unsigned int i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *ch = &pit->channels[i];
		size_t at = r->pos;

		ch->count = get_le32(r);
		if (ch->count > 0x10000 && !r->short_read && bad == SIZE_MAX)
			bad = at;
		ch->latched_count = get_le16(r);
		ch->count_latched = get_small(r, 3, &bad);
		ch->status_latched = get_small(r, 1, &bad);
		ch->status = get_u8(r);
		ch->read_state = get_small(r, 4, &bad);
		ch->write_state = get_small(r, 4, &bad);
		ch->write_latch = get_u8(r);
		ch->rw_mode = get_small(r, 3, &bad);
		at = r->pos;
		ch->mode = get_u8(r); /* 0-5 as programmed; KVM starts channels at 0xff */
		if (ch->mode > 7 && ch->mode != 0xff && !r->short_read && bad == SIZE_MAX)
			bad = at;
		ch->bcd = get_small(r, 1, &bad);
		ch->gate = get_small(r, 1, &bad);
		ch->count_load_time = (int64_t)get_le64(r);
	}
	pit->flags = get_le32(r);
	if (finish(r, c))
		return -1;
	if (bad != SIZE_MAX)
		return fail(c, bad, "a field is out of range");
	if (pit->flags & ~(uint32_t)(KVM_PIT_FLAGS_HPET_LEGACY | KVM_PIT_FLAGS_SPEAKER_DATA_ON))
		return fail(c, 3 * 24, "unknown PIT flags");
	c->vm->have_pit = true;
	return 0;
}

/* ---------------------------------------------------------------- kvm-vcpu */

static void enc_segment(struct wbuf *w, const struct kvm_segment *s)
{
	put_le64(w, s->base);
	put_le32(w, s->limit);
	put_le16(w, s->selector);
	put_u8(w, s->type);
	put_u8(w, s->present);
	put_u8(w, s->dpl);
	put_u8(w, s->db);
	put_u8(w, s->s);
	put_u8(w, s->l);
	put_u8(w, s->g);
	put_u8(w, s->avl);
	put_u8(w, s->unusable);
}

static void get_segment(struct rbuf *r, struct kvm_segment *s, size_t *bad)
{
	s->base = get_le64(r);
	s->limit = get_le32(r);
	s->selector = get_le16(r);
	s->type = get_small(r, 15, bad);
	s->present = get_small(r, 1, bad);
	s->dpl = get_small(r, 3, bad);
	s->db = get_small(r, 1, bad);
	s->s = get_small(r, 1, bad);
	s->l = get_small(r, 1, bad);
	s->g = get_small(r, 1, bad);
	s->avl = get_small(r, 1, bad);
	s->unusable = get_small(r, 1, bad);
}

#define NR_GPRS 18

static __u64 *gpr_slot(struct kvm_regs *regs, unsigned int i)
{
	__u64 *const slots[NR_GPRS] = {
		&regs->rax, &regs->rbx, &regs->rcx, &regs->rdx, &regs->rsi, &regs->rdi,
		&regs->rsp, &regs->rbp, &regs->r8, &regs->r9, &regs->r10, &regs->r11,
		&regs->r12, &regs->r13, &regs->r14, &regs->r15, &regs->rip, &regs->rflags,
	};

	return slots[i];
}

static void enc_vcpu(struct wbuf *w, const struct kvm_cpu_state *cs)
{
	const struct kvm_sregs *sr = &cs->sregs;
	const struct kvm_vcpu_events *ev = &cs->events;
	struct kvm_regs regs = cs->regs;

	for (unsigned int i = 0; i < NR_GPRS; i++)
		put_le64(w, *gpr_slot(&regs, i));
	enc_segment(w, &sr->cs);
	enc_segment(w, &sr->ds);
	enc_segment(w, &sr->es);
	enc_segment(w, &sr->fs);
	enc_segment(w, &sr->gs);
	enc_segment(w, &sr->ss);
	enc_segment(w, &sr->tr);
	enc_segment(w, &sr->ldt);
	put_le64(w, sr->gdt.base);
	put_le16(w, sr->gdt.limit);
	put_le64(w, sr->idt.base);
	put_le16(w, sr->idt.limit);
	put_le64(w, sr->cr0);
	put_le64(w, sr->cr2);
	put_le64(w, sr->cr3);
	put_le64(w, sr->cr4);
	put_le64(w, sr->cr8);
	put_le64(w, sr->efer);
	put_le64(w, sr->apic_base);
	for (unsigned int i = 0; i < 4; i++)
		put_le64(w, sr->interrupt_bitmap[i]);
	put_le32(w, VM_XSAVE_SIZE);
	for (unsigned int i = 0; i < VM_XSAVE_SIZE / 4; i++)
		put_le32(w, cs->xsave[i]);
	put_le32(w, cs->has_xcrs ? cs->xcrs.nr_xcrs : 0);
	for (unsigned int i = 0; cs->has_xcrs && i < cs->xcrs.nr_xcrs && i < KVM_MAX_XCRS; i++) {
		put_le32(w, cs->xcrs.xcrs[i].xcr);
		put_le64(w, cs->xcrs.xcrs[i].value);
	}
	put_bytes(w, cs->lapic.regs, VM_LAPIC_SIZE);
	put_le32(w, cs->mp_state.mp_state);
	put_u8(w, ev->exception.injected);
	put_u8(w, ev->exception.nr);
	put_u8(w, ev->exception.has_error_code);
	put_u8(w, ev->exception.pending);
	put_le32(w, ev->exception.error_code);
	put_u8(w, ev->interrupt.injected);
	put_u8(w, ev->interrupt.nr);
	put_u8(w, ev->interrupt.soft);
	put_u8(w, ev->interrupt.shadow);
	put_u8(w, ev->nmi.injected);
	put_u8(w, ev->nmi.pending);
	put_u8(w, ev->nmi.masked);
	put_le32(w, ev->sipi_vector);
	put_le32(w, ev->flags);
	put_u8(w, ev->smi.smm);
	put_u8(w, ev->smi.pending);
	put_u8(w, ev->smi.smm_inside_nmi);
	put_u8(w, ev->smi.latched_init);
	put_u8(w, ev->triple_fault.pending);
	put_u8(w, ev->exception_has_payload);
	put_le64(w, ev->exception_payload);
	for (unsigned int i = 0; i < 4; i++)
		put_le64(w, cs->debugregs.db[i]);
	put_le64(w, cs->debugregs.dr6);
	put_le64(w, cs->debugregs.dr7);
	put_le32(w, cs->nr_msrs);
	for (unsigned int i = 0; i < cs->nr_msrs && i < VM_MAX_MSRS; i++) {
		put_le32(w, cs->msrs[i].index);
		put_le64(w, cs->msrs[i].data);
	}
}

#define EVENT_FLAGS_KNOWN (KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
			   KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM |            \
			   KVM_VCPUEVENT_VALID_PAYLOAD | KVM_VCPUEVENT_VALID_TRIPLE_FAULT)

static int dec_vcpu_v1(struct rbuf *r, struct decode_ctx *c)
{
	uint32_t index = c->rec->instance;
	struct kvm_cpu_state *cs;
	struct kvm_sregs *sr;
	struct kvm_vcpu_events *ev;
	size_t bad = SIZE_MAX, at;
	uint32_t n;

	if (index >= c->vm->vm->nr_vcpus)
		return fail(c, 0, "instance names a vCPU this VM does not have");
	if (c->vm->have_cpu[index])
		return fail(c, 0, "appears twice");
	cs = &c->vm->vm->cpu[index];
	memset(cs, 0, sizeof(*cs));
	sr = &cs->sregs;
	ev = &cs->events;
	for (unsigned int i = 0; i < NR_GPRS; i++)
		*gpr_slot(&cs->regs, i) = get_le64(r);
	get_segment(r, &sr->cs, &bad);
	get_segment(r, &sr->ds, &bad);
	get_segment(r, &sr->es, &bad);
	get_segment(r, &sr->fs, &bad);
	get_segment(r, &sr->gs, &bad);
	get_segment(r, &sr->ss, &bad);
	get_segment(r, &sr->tr, &bad);
	get_segment(r, &sr->ldt, &bad);
	sr->gdt.base = get_le64(r);
	sr->gdt.limit = get_le16(r);
	sr->idt.base = get_le64(r);
	sr->idt.limit = get_le16(r);
	sr->cr0 = get_le64(r);
	sr->cr2 = get_le64(r);
	sr->cr3 = get_le64(r);
	sr->cr4 = get_le64(r);
	sr->cr8 = get_le64(r);
	sr->efer = get_le64(r);
	sr->apic_base = get_le64(r);
	for (unsigned int i = 0; i < 4; i++)
		sr->interrupt_bitmap[i] = get_le64(r);
	at = r->pos;
	if (get_le32(r) != VM_XSAVE_SIZE && !r->short_read)
		return fail(c, at, "the XSAVE area is not 4096 bytes");
	for (unsigned int i = 0; i < VM_XSAVE_SIZE / 4; i++)
		cs->xsave[i] = get_le32(r);
	cs->has_xsave = true;
	at = r->pos;
	n = get_le32(r);
	if (n > KVM_MAX_XCRS && !r->short_read)
		return fail(c, at, "more XCRs than KVM has");
	cs->has_xcrs = n > 0;
	cs->xcrs.nr_xcrs = n;
	for (unsigned int i = 0; i < n && !r->short_read; i++) {
		cs->xcrs.xcrs[i].xcr = get_le32(r);
		cs->xcrs.xcrs[i].value = get_le64(r);
	}
	get_bytes(r, cs->lapic.regs, VM_LAPIC_SIZE);
	at = r->pos;
	cs->mp_state.mp_state = get_le32(r);
	if (cs->mp_state.mp_state > KVM_MP_STATE_AP_RESET_HOLD && !r->short_read)
		return fail(c, at, "unknown MP state");
	ev->exception.injected = get_small(r, 1, &bad);
	ev->exception.nr = get_small(r, 31, &bad);
	ev->exception.has_error_code = get_small(r, 1, &bad);
	ev->exception.pending = get_small(r, 1, &bad);
	ev->exception.error_code = get_le32(r);
	ev->interrupt.injected = get_small(r, 1, &bad);
	ev->interrupt.nr = get_u8(r);
	ev->interrupt.soft = get_small(r, 1, &bad);
	ev->interrupt.shadow = get_small(r, 3, &bad);
	ev->nmi.injected = get_small(r, 1, &bad);
	ev->nmi.pending = get_small(r, 1, &bad);
	ev->nmi.masked = get_small(r, 1, &bad);
	ev->sipi_vector = get_le32(r);
	at = r->pos;
	ev->flags = get_le32(r);
	if ((ev->flags & ~(uint32_t)EVENT_FLAGS_KNOWN) && !r->short_read)
		return fail(c, at, "unknown vCPU event flags");
	ev->smi.smm = get_small(r, 1, &bad);
	ev->smi.pending = get_small(r, 1, &bad);
	ev->smi.smm_inside_nmi = get_small(r, 1, &bad);
	ev->smi.latched_init = get_small(r, 1, &bad);
	ev->triple_fault.pending = get_small(r, 1, &bad);
	ev->exception_has_payload = get_small(r, 1, &bad);
	ev->exception_payload = get_le64(r);
	for (unsigned int i = 0; i < 4; i++)
		cs->debugregs.db[i] = get_le64(r);
	cs->debugregs.dr6 = get_le64(r);
	cs->debugregs.dr7 = get_le64(r);
	at = r->pos;
	n = get_le32(r);
	if (n > VM_MAX_MSRS && !r->short_read)
		return fail(c, at, "more than 256 MSRs");
	cs->nr_msrs = n;
	for (unsigned int i = 0; i < n && !r->short_read; i++) {
		cs->msrs[i].index = get_le32(r);
		cs->msrs[i].data = get_le64(r);
	}
	if (finish(r, c))
		return -1;
	if (bad != SIZE_MAX)
		return fail(c, bad, "a field is out of range");
	c->vm->have_cpu[index] = true;
	return 0;
}

/* ---------------------------------------------------------------- guest-ram */

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)(const void *)p;

	for (unsigned int i = 0; i < GUEST_PAGE / 8; i++)
		if (q[i])
			return false;
	return true;
}

/*
 * A chunk of nr_pages pages at guest-physical gpa, host bytes at `ram`;
 * `populated` (bit per page from page `first`, or NULL) spares reading pages
 * the host never populated.
 */
static void enc_ram_chunk(struct wbuf *w, uint64_t gpa, const uint8_t *ram, uint32_t nr_pages,
			  const uint8_t *populated, uint64_t first)
{
	uint8_t bitmap[GUEST_RAM_CHUNK / GUEST_PAGE / 8] = { 0 };

	for (uint32_t i = 0; i < nr_pages; i++)
		if ((!populated || (populated[(first + i) / 8] >> ((first + i) % 8)) & 1) &&
		    !page_is_zero(ram + (size_t)i * GUEST_PAGE))
			bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
	put_le64(w, gpa);
	put_le32(w, nr_pages);
	put_bytes(w, bitmap, (nr_pages + 7) / 8);
	for (uint32_t i = 0; i < nr_pages; i++)
		if (bitmap[i / 8] & (1u << (i % 8)))
			put_bytes(w, ram + (size_t)i * GUEST_PAGE, GUEST_PAGE);
}

/*
 * The rest of a chunk record (guest-ram, device-ram) after its place was
 * checked: the page bitmap, the pages it announces, and the chunk staged in
 * ascending order (no page comes twice) on the list given.
 */
static int stage_chunk(struct rbuf *r, struct decode_ctx *c, struct vm_ram_chunk **chunks,
		       size_t *nr, size_t *cap, uint64_t *pages, uint64_t offset, uint32_t n)
{
	const uint8_t *bitmap = r->data + r->pos;
	uint32_t present = 0;
	struct vm_ram_chunk *ch;

	if (rbuf_left(r) < (n + 7) / 8)
		return fail(c, r->len, "payload ends early");
	r->pos += (n + 7) / 8;
	for (uint32_t i = 0; i < n; i++)
		present += (bitmap[i / 8] >> (i % 8)) & 1;
	if (n % 8 && (bitmap[n / 8] >> (n % 8)))
		return fail(c, 12 + n / 8, "bitmap bits beyond the page count are set");
	if (rbuf_left(r) != (size_t)present * GUEST_PAGE)
		return fail(c, r->pos, "payload length disagrees with the page bitmap");
	if (*nr && offset < (*chunks)[*nr - 1].offset + (uint64_t)(*chunks)[*nr - 1].nr_pages * GUEST_PAGE)
		return fail(c, 0, "chunks overlap or are out of order");
	if (*nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct vm_ram_chunk *nc = realloc(*chunks, ncap * sizeof(*nc));

		if (!nc)
			return fail(c, 0, "out of memory");
		*chunks = nc;
		*cap = ncap;
	}
	ch = &(*chunks)[(*nr)++];
	ch->offset = offset;
	ch->nr_pages = n;
	ch->bitmap = bitmap;
	ch->data = r->data + r->pos;
	*pages += n;
	r->pos = r->len;
	return 0;
}

static int dec_ram_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct vm_staged *st = c->vm;
	const struct vm_state *vm = st->vm;
	uint64_t gpa = get_le64(r), offset, len;
	uint32_t n = get_le32(r);

	if (r->short_read)
		return finish(r, c);
	if (c->rec->instance != 0)
		return fail(c, 0, "instance must be 0");
	if (n == 0 || n > GUEST_RAM_CHUNK / GUEST_PAGE)
		return fail(c, 8, "page count is not 1-128");
	if (gpa & (GUEST_PAGE - 1))
		return fail(c, 0, "guest address is not page aligned");
	len = (uint64_t)n * GUEST_PAGE;
	if (gpa < vm->ram_below_4g && len <= vm->ram_below_4g - gpa)
		offset = gpa;
	else if (gpa >= (1ull << 32) && gpa - (1ull << 32) < vm->ram_size - vm->ram_below_4g &&
		 len <= vm->ram_size - vm->ram_below_4g - (gpa - (1ull << 32)))
		offset = vm->ram_below_4g + (gpa - (1ull << 32));
	else
		return fail(c, 0, "the pages are not inside this VM's RAM");
	return stage_chunk(r, c, &st->chunks, &st->nr_chunks, &st->chunks_cap, &st->pages_seen, offset, n);
}

/* ---------------------------------------------------------------- device-ram */

/* The display card's VRAM on KVM: where the machine keeps it and how big. */
static uint64_t device_memory_size(const struct machine *m)
{
	uint32_t size = 0;

	if (m)
		machine_vram(m, &size);
	return size;
}

static int dec_device_ram_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct vm_staged *st = c->vm;
	uint64_t offset = get_le64(r), size = device_memory_size(c->m), len;
	uint32_t n = get_le32(r);

	if (r->short_read)
		return finish(r, c);
	if (c->rec->instance != 0)
		return fail(c, 0, "instance must be 0 (the display card's VRAM)");
	if (!size)
		return fail(c, 0, "this machine has no display card (-device VGA) for the VRAM");
	if (n == 0 || n > GUEST_RAM_CHUNK / GUEST_PAGE)
		return fail(c, 8, "page count is not 1-128");
	len = (uint64_t)n * GUEST_PAGE;
	if (offset & (GUEST_PAGE - 1))
		return fail(c, 0, "VRAM offset is not page aligned");
	if (offset >= size || len > size - offset)
		return fail(c, 0, "the pages are not inside the card's VRAM");
	return stage_chunk(r, c, &st->dev_chunks, &st->nr_dev_chunks, &st->dev_chunks_cap,
			   &st->dev_pages_seen, offset, n);
}

/* ---------------------------------------------------------------- registry */

static const struct record_version vm_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.2", "le64 ram_size, le64 ram_below_4g, le32 nr_vcpus, le64 kvmclock_ns", dec_vm_v1 },
};
static const struct record_version irqchip_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.2",
	  "instance 0/1 PIC: u8 last_irr, irr, imr, isr, priority_add, irq_base, read_reg_select, poll, special_mask, init_state, auto_eoi, rotate_on_auto_eoi, special_fully_nested_mode, init4, elcr, elcr_mask; instance 2 IOAPIC: le64 base, le32 ioregsel, le32 id, le32 irr, le64 redirtbl[24]",
	  dec_irqchip_v1 },
};
static const struct record_version pit_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.2",
	  "3 x (le32 count, le16 latched_count, u8 count_latched, status_latched, status, read_state, write_state, write_latch, rw_mode, mode, bcd, gate, le64 count_load_time), le32 flags",
	  dec_pit_v1 },
};
static const struct record_version vcpu_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.2",
	  "le64 gprs[18] (rax rbx rcx rdx rsi rdi rsp rbp r8-r15 rip rflags), 8 x segment (cs ds es fs gs ss tr ldt: le64 base, le32 limit, le16 selector, u8 type present dpl db s l g avl unusable), gdt/idt (le64 base, le16 limit), le64 cr0 cr2 cr3 cr4 cr8 efer apic_base, le64 interrupt_bitmap[4], le32 xsave_len (4096), xsave[4096], le32 nr_xcrs, nr x (le32 xcr, le64 value), lapic[1024], le32 mp_state, events (u8 exc injected nr has_error_code pending, le32 error_code, u8 int injected nr soft shadow, u8 nmi injected pending masked, le32 sipi_vector, le32 flags, u8 smm pending smm_inside_nmi latched_init, u8 triple_fault, u8 exception_has_payload, le64 exception_payload), le64 db[4] dr6 dr7, le32 nr_msrs, nr x (le32 index, le64 value)",
	  dec_vcpu_v1 },
};
static const struct record_version device_ram_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.3",
	  "instance 0 (the display card's VRAM): le64 offset into VRAM, le32 nr_pages (1-128), bitmap[(nr_pages + 7) / 8] of non-zero pages, then those pages (4096 bytes each); pages not in the bitmap are zero",
	  dec_device_ram_v1 },
};
static const struct record_version ram_versions[] = {
	{ 1, RV_WRITTEN, "hvmdm 0.2",
	  "le64 gpa, le32 nr_pages (1-128), bitmap[(nr_pages + 7) / 8] of non-zero pages, then those pages (4096 bytes each); pages not in the bitmap are zero",
	  dec_ram_v1 },
};

static uint32_t fp_encoded(void (*enc)(struct wbuf *w, const struct vm_state *vm), uint32_t *len)
{
	struct vm_state *vm = calloc(1, sizeof(*vm));
	struct wbuf w;
	uint32_t crc = 0;

	*len = 0;
	if (!vm)
		return 0;
	vm_probe_state(vm);
	wbuf_init(&w, RECORD_MAX_PAYLOAD);
	enc(&w, vm);
	if (!w.failed) {
		crc = crc32c(0, w.data, w.len);
		*len = (uint32_t)w.len;
	}
	wbuf_free(&w);
	free(vm);
	return crc;
}

static void enc_probe_vm(struct wbuf *w, const struct vm_state *vm)
{
	enc_vm(w, vm);
}

static void enc_probe_irqchip(struct wbuf *w, const struct vm_state *vm)
{
	for (unsigned int i = 0; i < 3; i++)
		enc_irqchip(w, &vm->irqchip[i]);
}

static void enc_probe_pit(struct wbuf *w, const struct vm_state *vm)
{
	enc_pit(w, &vm->pit);
}

static void enc_probe_vcpu(struct wbuf *w, const struct vm_state *vm)
{
	enc_vcpu(w, &vm->cpu[0]);
}

static void enc_probe_ram(struct wbuf *w, const struct vm_state *vm)
{
	static uint8_t pages[4 * GUEST_PAGE];

	(void)vm;
	for (unsigned int i = 0; i < sizeof(pages); i++)
		pages[i] = (i / GUEST_PAGE) % 2 ? (uint8_t)(i * 7 + 1) : 0;
	enc_ram_chunk(w, 0x100000, pages, 4, NULL, 0);
}

static uint32_t fp_vm(uint32_t *len) { return fp_encoded(enc_probe_vm, len); }
static uint32_t fp_irqchip(uint32_t *len) { return fp_encoded(enc_probe_irqchip, len); }
static uint32_t fp_pit(uint32_t *len) { return fp_encoded(enc_probe_pit, len); }
static uint32_t fp_vcpu(uint32_t *len) { return fp_encoded(enc_probe_vcpu, len); }
static uint32_t fp_ram(uint32_t *len) { return fp_encoded(enc_probe_ram, len); }

static void enc_probe_device_ram(struct wbuf *w, const struct vm_state *vm)
{
	static uint8_t pages[3 * GUEST_PAGE];

	(void)vm;
	for (unsigned int i = 0; i < sizeof(pages); i++)
		pages[i] = (i / GUEST_PAGE) == 1 ? 0 : (uint8_t)(i * 11 + 5);
	enc_ram_chunk(w, 0x10000, pages, 3, NULL, 0);
}

static uint32_t fp_device_ram(uint32_t *len) { return fp_encoded(enc_probe_device_ram, len); }

/* A whole VM is KVM's: the traditional format never carries one. */
#define TRAD_NO_VM { .none = "a whole VM (KVM)" }
/* Nor does upstream QEMU's device state (a Xen device model's). */
#define UPSTREAM_NONE { NULL, 0, NULL, NULL, NULL, false, NULL, NULL, 0, "a whole VM (KVM)" }

/* In write order, after the device records. */
const struct record_kind vm_record_kinds[] = {
	{ "kvm-vm", NULL, NULL, true, VERSIONS(vm_versions), fp_vm, { NULL, NULL }, TRAD_NO_VM, NULL, 0, UPSTREAM_NONE, NULL },
	{ "kvm-irqchip", NULL, NULL, true, VERSIONS(irqchip_versions), fp_irqchip, { NULL, NULL }, TRAD_NO_VM, NULL, 0, UPSTREAM_NONE, NULL },
	{ "kvm-pit", NULL, NULL, true, VERSIONS(pit_versions), fp_pit, { NULL, NULL }, TRAD_NO_VM, NULL, 0, UPSTREAM_NONE, NULL },
	{ "kvm-vcpu", NULL, NULL, true, VERSIONS(vcpu_versions), fp_vcpu, { NULL, NULL }, TRAD_NO_VM, NULL, 0, UPSTREAM_NONE, NULL },
	{ "guest-ram", NULL, NULL, true, VERSIONS(ram_versions), fp_ram, { NULL, NULL }, TRAD_NO_VM, NULL, 0, UPSTREAM_NONE, NULL },
	/* Added in 0.3; required when the machine has a display card (checked after the records). */
	{ "device-ram", NULL, NULL, false, VERSIONS(device_ram_versions), fp_device_ram, { NULL, NULL }, TRAD_NO_VM, NULL, 0, UPSTREAM_NONE, NULL },
};

const size_t nr_vm_record_kinds = sizeof(vm_record_kinds) / sizeof(vm_record_kinds[0]);

const struct record_kind *vm_record_kind_find(const char *idstr)
{
	return record_kind_find_in(vm_record_kinds, nr_vm_record_kinds, idstr);
}

void vm_probe_state(struct vm_state *vm)
{
	uint8_t *p;

	memset(vm, 0, sizeof(*vm));
	vm->ram_size = 256ull << 20;
	vm->ram_below_4g = 256ull << 20;
	vm->nr_vcpus = 2;
	vm->kvmclock_ns = 0x1122334455667788ull;
	for (unsigned int i = 0; i < 3; i++) {
		vm->irqchip[i].chip_id = i;
		p = (uint8_t *)&vm->irqchip[i].chip;
		for (unsigned int b = 0; b < sizeof(vm->irqchip[i].chip); b++)
			p[b] = (uint8_t)(b + 17 * i + 1);
	}
	p = (uint8_t *)&vm->pit;
	for (unsigned int b = 0; b < sizeof(vm->pit); b++)
		p[b] = (uint8_t)(b * 3 + 2);
	p = (uint8_t *)&vm->cpu[0];
	for (unsigned int b = 0; b < sizeof(vm->cpu[0]); b++)
		p[b] = (uint8_t)(b * 5 + 3);
	vm->cpu[0].has_xcrs = true;
	vm->cpu[0].has_xsave = true;
	vm->cpu[0].xcrs.nr_xcrs = 2;
	vm->cpu[0].nr_msrs = 5;
}

/* ---------------------------------------------------------------- the writer */

static void write_record(struct out_sink *out, struct wbuf *payload, const char *idstr,
			 uint32_t instance, uint32_t version)
{
	if (payload->failed) {
		out->w.failed = true;
		return;
	}
	stream_write_record(&out->w, idstr, instance, version, RECORD_MANDATORY, payload->data,
			    (uint32_t)payload->len);
	payload->len = 0;
	out_sink_maybe_flush(out);
}

int vm_stream_write(const struct machine *m, const struct machine_state *dev,
		    const struct vm_save_source *src, struct out_sink *out, char *err,
		    size_t errlen)
{
	const struct vm_state *vm = src->vm;
	struct wbuf payload;
	uint64_t off;

	wbuf_init(&payload, RECORD_MAX_PAYLOAD);
	stream_write_header(&out->w, dev->profile, "hvmdm", HVMDM_VERSION);
	if (snapshot_write_records(m, dev, &out->w))
		out->w.failed = true;
	enc_vm(&payload, vm);
	write_record(out, &payload, "kvm-vm", 0, 1);
	for (unsigned int i = 0; i < 3; i++) {
		enc_irqchip(&payload, &vm->irqchip[i]);
		write_record(out, &payload, "kvm-irqchip", i, 1);
	}
	enc_pit(&payload, &vm->pit);
	write_record(out, &payload, "kvm-pit", 0, 1);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		enc_vcpu(&payload, &vm->cpu[i]);
		write_record(out, &payload, "kvm-vcpu", i, 1);
	}
	/* Guest RAM in ascending guest-physical order: low part, then above 4 GiB. */
	for (off = 0; off < vm->ram_size && !out->failed && !out->w.failed;) {
		/* A chunk never crosses the end of the low part. */
		uint64_t end = off < vm->ram_below_4g ? vm->ram_below_4g : vm->ram_size;
		uint64_t bytes = end - off < GUEST_RAM_CHUNK ? end - off : GUEST_RAM_CHUNK;
		uint64_t gpa = off < vm->ram_below_4g ? off : (1ull << 32) + (off - vm->ram_below_4g);

		enc_ram_chunk(&payload, gpa, src->ram + off, (uint32_t)(bytes / GUEST_PAGE),
			      src->populated, off / GUEST_PAGE);
		write_record(out, &payload, "guest-ram", 0, 1);
		off += bytes;
	}
	/* The display card's VRAM, the device model's own memory on KVM. */
	for (off = 0; off < device_memory_size(m) && !out->failed && !out->w.failed; off += GUEST_RAM_CHUNK) {
		uint64_t size = device_memory_size(m);
		uint64_t bytes = size - off < GUEST_RAM_CHUNK ? size - off : GUEST_RAM_CHUNK;

		uint32_t vram_size;

		enc_ram_chunk(&payload, off, machine_vram(m, &vram_size) + off, (uint32_t)(bytes / GUEST_PAGE),
			      NULL, 0);
		write_record(out, &payload, "device-ram", 0, 1);
	}
	stream_write_end(&out->w);
	wbuf_free(&payload);
	if (!out->failed)
		out_sink_flush(out);
	if (out->failed) {
		snprintf(err, errlen, "%s", out->err);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- the reader */

struct vm_source {
	const struct machine *m;
	const uint8_t *buf;
	size_t len;
	size_t pos;
	struct vm_staged *st;
	const struct record_kind *last_kind;
	uint32_t last_instance;
};

/* Whole-VM records are decoded here; device records go on to the device decoder. */
static int vm_source_next(void *opaque, struct stream_record *rec, struct load_report *rep,
			  char *err, size_t errlen)
{
	struct vm_source *s = opaque;

	for (;;) {
		const struct record_kind *k;
		const struct record_version *v;
		struct decode_ctx ctx;
		struct rbuf r;
		int rc = stream_read_record(s->buf, s->len, &s->pos, rec, err, errlen);

		if (rc <= 0)
			return rc;
		k = vm_record_kind_find(rec->idstr);
		if (!k) {
			if (s->last_kind) {
				snprintf(err, errlen, "byte %zu: device record %s after the whole-VM records (out of order)",
					 rec->offset, rec->idstr);
				return -1;
			}
			return 1;
		}
		v = record_version_find(k, rec->version);
		if (!v || !v->decode) {
			snprintf(err, errlen, "byte %zu: record %s version %u: %s", rec->offset,
				 rec->idstr, rec->version,
				 v ? "that number belongs to a layout this build does not decode"
				   : "no such version is known to this build");
			return -1;
		}
		if ((s->last_kind && k < s->last_kind) ||
		    (k == s->last_kind && k != &vm_record_kinds[4] && k != &vm_record_kinds[5] &&
		     rec->instance <= s->last_instance) ||
		    (!s->last_kind && k != &vm_record_kinds[0])) {
			snprintf(err, errlen, "byte %zu: record %s instance %#x is out of order (kvm-vm, kvm-irqchip, kvm-pit, kvm-vcpu, guest-ram, device-ram)",
				 rec->offset, rec->idstr, rec->instance);
			return -1;
		}
		s->last_kind = k;
		s->last_instance = rec->instance;
		ctx = (struct decode_ctx){ .m = s->m, .rec = rec, .rep = rep, .err = err,
					   .errlen = errlen, .vm = s->st };
		rbuf_init(&r, rec->payload, rec->payload_len);
		if (v->decode(&r, &ctx))
			return -1;
	}
}

void vm_staged_free(struct vm_staged *st)
{
	free(st->vm);
	free(st->chunks);
	free(st->dev_chunks);
	st->vm = NULL;
	st->chunks = NULL;
	st->nr_chunks = 0;
	st->dev_chunks = NULL;
	st->nr_dev_chunks = 0;
}

int vm_stream_decode(const struct machine *m, const uint8_t *buf, size_t len, uint64_t ram_size,
		     uint64_t ram_below_4g, unsigned int nr_vcpus, struct vm_staged *st,
		     struct load_report *rep, char *err, size_t errlen)
{
	struct stream_header h;
	struct vm_source vs;
	struct record_source src = { .next = vm_source_next, .ctx = &vs, .registry_order = true };

	memset(st, 0, sizeof(*st));
	memset(rep, 0, sizeof(*rep));
	if (nr_vcpus == 0 || nr_vcpus > VM_MAX_VCPUS) {
		snprintf(err, errlen, "internal: %u vCPUs", nr_vcpus);
		return -1;
	}
	if (vm_stream_max_size(ram_size) > SIZE_MAX) {
		snprintf(err, errlen, "internal: %llu bytes of RAM", (unsigned long long)ram_size);
		return -1;
	}
	if (stream_read_header_within(buf, len, (size_t)vm_stream_max_size(ram_size), &h, err, errlen) ||
	    snapshot_check_profile(m, &h, err, errlen))
		return -1;
	st->vm = calloc(1, sizeof(*st->vm));
	if (!st->vm) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->vm->ram_size = ram_size;
	st->vm->ram_below_4g = ram_below_4g;
	st->vm->nr_vcpus = nr_vcpus;
	vs = (struct vm_source){ .m = m, .buf = buf, .len = len, .pos = h.records_offset, .st = st };
	if (snapshot_decode_records(m, &src, &st->dev, rep, err, errlen))
		goto fail;
	if (!st->have_vm) {
		snprintf(err, errlen, "byte %zu: the stream has no kvm-vm record: it is device state only, not a whole VM (restore it with the device-state path)",
			 len);
		goto fail;
	}
	for (unsigned int i = 0; i < 3; i++)
		if (!st->have_chip[i]) {
			snprintf(err, errlen, "byte %zu: the stream has no kvm-irqchip record for chip %u", len, i);
			goto fail;
		}
	if (!st->have_pit) {
		snprintf(err, errlen, "byte %zu: the stream has no kvm-pit record", len);
		goto fail;
	}
	for (unsigned int i = 0; i < nr_vcpus; i++)
		if (!st->have_cpu[i]) {
			snprintf(err, errlen, "byte %zu: the stream has no kvm-vcpu record for vCPU %u", len, i);
			goto fail;
		}
	if (st->pages_seen != ram_size / GUEST_PAGE) {
		snprintf(err, errlen, "byte %zu: guest-ram records cover %llu of %llu pages",
			 len, (unsigned long long)st->pages_seen,
			 (unsigned long long)(ram_size / GUEST_PAGE));
		goto fail;
	}
	if (st->dev_pages_seen != device_memory_size(m) / GUEST_PAGE) {
		snprintf(err, errlen, "byte %zu: device-ram records cover %llu of the display card's %llu VRAM pages",
			 len, (unsigned long long)st->dev_pages_seen,
			 (unsigned long long)(device_memory_size(m) / GUEST_PAGE));
		goto fail;
	}
	return 0;
fail:
	vm_staged_free(st);
	return -1;
}

/* Copy staged chunks to base + offset; pages not in a chunk's bitmap become zero unless base is. */
static void apply_chunks(const struct vm_ram_chunk *chunks, size_t nr, uint8_t *base, bool base_is_zero)
{
	for (size_t c = 0; c < nr; c++) {
		const struct vm_ram_chunk *ch = &chunks[c];
		const uint8_t *src = ch->data;

		for (uint32_t i = 0; i < ch->nr_pages; i++) {
			uint8_t *dst = base + ch->offset + (uint64_t)i * GUEST_PAGE;

			if (ch->bitmap[i / 8] & (1u << (i % 8))) {
				memcpy(dst, src, GUEST_PAGE);
				src += GUEST_PAGE;
			} else if (!base_is_zero) {
				memset(dst, 0, GUEST_PAGE);
			}
		}
	}
}

void vm_staged_apply_ram(const struct vm_staged *st, uint8_t *ram, bool ram_is_zero)
{
	apply_chunks(st->chunks, st->nr_chunks, ram, ram_is_zero);
}

void vm_staged_apply_device_memory(const struct vm_staged *st, struct machine *m)
{
	if (!device_memory_size(m))
		return;
	uint32_t size;

	apply_chunks(st->dev_chunks, st->nr_dev_chunks, machine_vram(m, &size), false);
	vga_mark_dirty(machine_vga(m), 0, size);
}
