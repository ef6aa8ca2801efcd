// SPDX-License-Identifier: GPL-2.0-only
/*
 * The standard VGA card: "vga" (qemu-xen-traditional hw/vga.c vga_save,
 * upstream QEMU's hw/display/vga-pci.c vmstate_vga_pci). Cirrus ("cirrus_vga")
 * is another card and another kind.
 * hvmdm's own layout is little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/09
 * §9.9 and §9.29 give them byte by byte). A decoder reads exactly its layout.
 *
 * VRAM is never in hvmdm's record: under Xen it is guest memory (Xen saves
 * it; the record says where its frames are), on KVM the whole-VM stream
 * carries it.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

/* The registers and DAC every producer stores in this order (hw/vga.c vga_save). */
#define VGA_TRAD_BODY 1137 /* be32 latch .. be32 vbe_bank_mask, with 13 VBE registers */
#define VGA_TRAD_VBE_REGS 13
#define VGA_TRAD_MAX_VRAM (16u << 20) /* pci_vga_init caps -videoram at 16 MiB */

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64_at(const uint8_t *p)
{
	return (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
}

static unsigned int vga_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return m->has_display && m->cfg.display == DISPLAY_STDVGA ? 1 : 0;
}

/* ---------------------------------------------------------------- hvmdm */

/* The register file from latch to bank_offset, as every layout orders it; `be` for the foreign ones. */
static void put_vga_core(struct wbuf *w, const struct vga_regs *r, bool be)
{
	be ? put_be32(w, r->latch) : put_le32(w, r->latch);
	put_u8(w, r->sr_index);
	put_bytes(w, r->sr, VGA_STD_SR);
	put_u8(w, r->gr_index);
	put_bytes(w, r->gr, VGA_STD_GR);
	put_u8(w, r->ar_index);
	put_bytes(w, r->ar, sizeof(r->ar));
	be ? put_be32(w, (uint32_t)r->ar_flip_flop) : put_u8(w, (uint8_t)r->ar_flip_flop);
	put_u8(w, r->cr_index);
	put_bytes(w, r->cr, sizeof(r->cr));
	put_u8(w, r->msr);
	put_u8(w, r->fcr);
	put_u8(w, r->st00);
	put_u8(w, r->st01);
	put_u8(w, r->dac_state);
	put_u8(w, r->dac_sub_index);
	put_u8(w, r->dac_read_index);
	put_u8(w, r->dac_write_index);
	put_bytes(w, r->dac_cache, sizeof(r->dac_cache));
	put_bytes(w, r->palette, sizeof(r->palette));
	be ? put_be32(w, (uint32_t)r->bank_offset) : put_le32(w, (uint32_t)r->bank_offset);
}

static void enc_vga(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct stdvga_state *s = &st->vga;
	const struct vga_regs *r = &s->r;

	(void)slot;
	put_pci(w, &s->pci);
	put_vga_core(w, r, false);
	put_le16(w, r->vbe_index);
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++)
		put_le16(w, r->vbe_regs[i]);
	put_le32(w, r->vbe_start_addr);
	put_le32(w, r->vbe_line_offset);
	put_u8(w, s->big_endian_fb);
	put_le32(w, s->vram_size);
	put_le64(w, s->vram_gpa);
}

/* The register file from latch to the palette, as every layout orders it; `be` for the foreign ones. */
static void get_vga_core(struct rbuf *r, struct vga_regs *g, bool be)
{
	g->latch = be ? get_be32(r) : get_le32(r);
	g->sr_index = get_u8(r);
	get_bytes(r, g->sr, VGA_STD_SR);
	g->gr_index = get_u8(r);
	get_bytes(r, g->gr, VGA_STD_GR);
	g->ar_index = get_u8(r);
	get_bytes(r, g->ar, sizeof(g->ar));
	g->ar_flip_flop = be ? (int32_t)get_be32(r) : get_u8(r);
	g->cr_index = get_u8(r);
	get_bytes(r, g->cr, sizeof(g->cr));
	g->msr = get_u8(r);
	g->fcr = get_u8(r);
	g->st00 = get_u8(r);
	g->st01 = get_u8(r);
	g->dac_state = get_u8(r);
	g->dac_sub_index = get_u8(r);
	g->dac_read_index = get_u8(r);
	g->dac_write_index = get_u8(r);
	get_bytes(r, g->dac_cache, sizeof(g->dac_cache));
	get_bytes(r, g->palette, sizeof(g->palette));
	g->bank_offset = (int32_t)(be ? get_be32(r) : get_le32(r));
}

static int dec_vga_v5(struct rbuf *r, struct decode_ctx *c)
{
	struct stdvga_state *s = &c->st->vga;

	get_pci(r, &s->pci);
	get_vga_core(r, &s->r, false);
	s->r.vbe_index = get_le16(r);
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++)
		s->r.vbe_regs[i] = get_le16(r);
	s->r.vbe_start_addr = get_le32(r);
	s->r.vbe_line_offset = get_le32(r);
	GET_FLAG(r, c, s->big_endian_fb);
	s->vram_size = get_le32(r);
	s->vram_gpa = get_le64(r);
	return dec_finish(r, c);
}

/* Foreign layouts store is_vbe, which is always 1 where VBE exists (QEMU's VMSTATE_UINT8_EQUAL). */
static int get_is_vbe(struct rbuf *r, struct decode_ctx *c)
{
	size_t at = r->pos;

	if (get_u8(r) != 1 && !r->short_read)
		return dec_fail(c, at, "is_vbe is not 1 (the producer's VGA had no VBE)", NULL);
	return 0;
}

/*
 * Traditional v1-v4 (hw/vga.c vga_save, reference/09 §9.9): PCI common part
 * from v2, the register file, u8 is_vbe, be16 vbe_index, 13 x be16 VBE
 * registers (the last three, VIDEO_MEMORY_64K and the LFB address, are
 * computed), be32 start, line offset, bank mask; v3 be32 vram_size, v4 be64
 * vram_gmfn (a byte address: where the VRAM frames are), then the VRAM
 * bytes when the frames were not placed (v3 always).
 */
static int dec_vga_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct stdvga_state *s = &c->st->vga;
	uint32_t v = c->rec->version;
	size_t at;

	if (v >= 2 && get_trad_pci(r, c, &s->pci))
		return -1;
	get_vga_core(r, &s->r, true);
	if (get_is_vbe(r, c))
		return -1;
	s->r.vbe_index = get_be16(r);
	for (unsigned int i = 0; i < VGA_TRAD_VBE_REGS; i++) {
		uint16_t val = get_be16(r);

		if (i < VBE_DISPI_INDEX_NB)
			s->r.vbe_regs[i] = val;
	}
	s->r.vbe_start_addr = get_be32(r);
	s->r.vbe_line_offset = get_be32(r);
	get_be32(r); /* the bank mask follows from the VRAM size */
	s->big_endian_fb = false;
	s->vram_gpa = STDVGA_VRAM_NOT_SAVED;
	if (v >= 3) {
		at = r->pos;
		s->vram_size = get_be32(r);
		if (!r->short_read && (s->vram_size > VGA_TRAD_MAX_VRAM || s->vram_size < (1u << 20) ||
				       (s->vram_size & (s->vram_size - 1))))
			return dec_fail(c, at, "vram_size is not a power of two of 1-16 MiB", NULL);
	}
	if (v >= 4) {
		at = r->pos;
		s->vram_gpa = get_be64(r);
		if (!s->vram_gpa)
			s->vram_gpa = STDVGA_VRAM_NOT_SAVED;
	}
	if (!r->short_read && s->vram_gpa == STDVGA_VRAM_NOT_SAVED && v >= 3) {
		/* qemu-dm wrote the bytes only where Xen did not hold the frames: not a Xen guest's VRAM. */
		if (rbuf_left(r) < s->vram_size)
			return dec_fail(c, r->pos, "the VRAM bytes are cut short", NULL);
		r->pos += s->vram_size;
		load_note(c->rep, "vga: %u KiB of VRAM carried in the record (version %u) are not restored: the card starts with blank VRAM and the guest redraws",
			  s->vram_size >> 10, v);
	} else if (v < 3) {
		load_note(c->rep, "vga: version %u keeps no VRAM: the card starts with blank VRAM and the guest redraws", v);
	}
	return dec_finish(r, c);
}

static int get_vga_endian(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	GET_FLAG(r, c, c->st->vga.big_endian_fb);
	return 0;
}

/*
 * Where qemu-xen's VRAM is for this state: at BAR0 while the BAR decodes
 * (xen_add_to_physmap relocated it there), else where QEMU allocated it
 * (xen_ram_alloc: right above guest RAM). Both directions use it: the
 * reader to find the frames, the writer to refuse a state whose frames are
 * where QEMU would not look.
 */
static uint64_t vga_upstream_vram_at(const struct stdvga_state *s, const struct machine *m)
{
	const uint8_t *cfg = s->pci.config;
	uint32_t bar0 = ((uint32_t)cfg[0x10] | (uint32_t)cfg[0x11] << 8 | (uint32_t)cfg[0x12] << 16 |
			 (uint32_t)cfg[0x13] << 24) & ~0xfu;

	if ((cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY) && bar0 && bar0 != (uint32_t)-s->vram_size)
		return bar0;
	return machine_device_memory_base(&m->cfg);
}

/*
 * Upstream QEMU v2 (hw/display/vga-pci.c vmstate_vga_pci, reference/09
 * §9.29): PCIDevice, then vmstate_vga_common v2: the register file, u8
 * is_vbe, be16 vbe_index, 10 x be16 VBE registers, be32 start, line offset,
 * bank mask, subsection vga.endian. Its VRAM is guest memory (Xen's): at
 * BAR0 when the BAR decodes, else where QEMU allocated it (xen_ram_alloc:
 * right above guest RAM).
 */
static int dec_vga_upstream(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = { { "vga.endian", 1, 1, get_vga_endian } };
	struct stdvga_state *s = &c->st->vga;

	if (get_upstream_pci(r, c, &s->pci))
		return -1;
	get_vga_core(r, &s->r, true);
	if (get_is_vbe(r, c))
		return -1;
	s->r.vbe_index = get_be16(r);
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++)
		s->r.vbe_regs[i] = get_be16(r);
	s->r.vbe_start_addr = get_be32(r);
	s->r.vbe_line_offset = get_be32(r);
	get_be32(r); /* the bank mask follows from the VRAM size */
	s->big_endian_fb = false;
	if (get_up_subsections(r, c, subs, 1))
		return -1;
	s->vram_gpa = vga_upstream_vram_at(s, c->m);
	return dec_finish(r, c);
}

static int dec_vga_v2(struct rbuf *r, struct decode_ctx *c)
{
	return c->rec->flags & RECORD_UPSTREAM ? dec_vga_upstream(r, c) : dec_vga_trad(r, c);
}

static const struct record_version vga_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional hw/vga.c vga_save (no PCI part)",
	  "be32 latch, u8 sr_index, sr[8], u8 gr_index, gr[16], u8 ar_index, ar[21], be32 ar_flip_flop, u8 cr_index, cr[256], u8 msr fcr st00 st01 dac_state dac_sub_index dac_read_index dac_write_index, dac_cache[3], palette[768], be32 bank_offset, u8 is_vbe, be16 vbe_index, be16 vbe_regs[13], be32 vbe_start_addr vbe_line_offset vbe_bank_mask",
	  dec_vga_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional (PCI part, then v1); upstream QEMU 0000:00:03.0/vga (VMState, a different layout)",
	  "trad: PCI common part, then v1 | upstream: VMState PCIDevice, vga common v2 (v1's fields with be16 vbe_regs[10]), subsection vga.endian",
	  dec_vga_v2 },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional", "v2 (trad), be32 vram_size, VRAM[vram_size]", dec_vga_trad },
	{ 4, RV_ACCEPTED, "qemu-xen-traditional", "v3 without VRAM, be64 vram_gmfn, VRAM[vram_size] only if vram_gmfn is 0",
	  dec_vga_trad },
	{ 5, RV_WRITTEN, "hvmdm 0.3",
	  "config[256], u8 intx, le32 latch, u8 sr_index, sr[8], u8 gr_index, gr[16], u8 ar_index, ar[21], u8 ar_flip_flop, u8 cr_index, cr[256], u8 msr fcr st00 st01 dac_state dac_sub_index dac_read_index dac_write_index, dac_cache[3], palette[768], le32 bank_offset, le16 vbe_index, le16 vbe_regs[10], le32 vbe_start_addr, le32 vbe_line_offset, u8 big_endian_fb, le32 vram_size, le64 vram_gpa (0: not guest memory; all-ones: not saved)",
	  dec_vga_v5 },
};

/* hw/vga.c vga_save: PCI part from v2, 1137 bytes, v3 be32 VRAM size, v4 be64 its address; VRAM inline unless placed. */
static long trad_vga_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	long base = 0, fixed;
	uint32_t vram;
	bool with_vram;

	(void)erratum;
	if (v < 1 || v > 4)
		return -1;
	if (v >= 2 && (base = trad_pci_size(pk->p, pk->left)) < 0)
		return -1;
	fixed = base + VGA_TRAD_BODY + (v >= 3 ? 4 : 0) + (v >= 4 ? 8 : 0);
	if (v < 3)
		return fixed;
	if ((size_t)fixed > pk->left)
		return -1;
	vram = be32_at(pk->p + base + VGA_TRAD_BODY);
	with_vram = v == 3 || be64_at(pk->p + base + VGA_TRAD_BODY + 4) == 0;
	if (vram > VGA_TRAD_MAX_VRAM) {
		*why = "vram_size is over the 16 MiB qemu-dm allows";
		return -1;
	}
	return fixed + (with_vram ? vram : 0);
}

/*
 * "vga" v4 with the frames' address, as qemu-dm writes it under Xen. A
 * state whose VRAM is not guest memory has no address to give, and the
 * bytes the layout would then carry are not in the state.
 */
static int trad_vga_write(struct trad_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	const struct stdvga_state *s = &st->vga;
	const struct vga_regs *r = &s->r;
	const uint8_t *cfg = s->pci.config;
	struct wbuf *p = trad_payload(t);
	uint32_t lfb;

	(void)rep;
	if (!m->has_display || m->cfg.display != DISPLAY_STDVGA)
		return 0;
	if (!s->vram_gpa || s->vram_gpa == STDVGA_VRAM_NOT_SAVED) {
		snprintf(err, errlen, "vga: this state's VRAM is not guest memory at a known address, and the traditional layout would need its bytes");
		return -1;
	}
	if (s->vram_size > VGA_TRAD_MAX_VRAM) {
		snprintf(err, errlen, "vga: %u MiB of VRAM; qemu-xen-traditional's VGA has at most 16", s->vram_size >> 20);
		return -1;
	}
	lfb = ((uint32_t)cfg[0x10] | (uint32_t)cfg[0x11] << 8 | (uint32_t)cfg[0x12] << 16 |
	       (uint32_t)cfg[0x13] << 24) & ~0xfu;
	put_trad_pci(p, &s->pci);
	put_vga_core(p, r, true);
	put_u8(p, 1);
	put_be16(p, r->vbe_index);
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++)
		put_be16(p, r->vbe_regs[i]);
	/* The three the traditional model computes: VRAM in 64 KiB units, the LFB address. */
	put_be16(p, (uint16_t)(s->vram_size >> 16));
	put_be16(p, (uint16_t)(lfb >> 16));
	put_be16(p, (uint16_t)lfb);
	put_be32(p, r->vbe_start_addr);
	put_be32(p, r->vbe_line_offset);
	put_be32(p, (s->vram_size >> 16) - 1);
	put_be32(p, s->vram_size);
	put_be64(p, s->vram_gpa);
	trad_section(t, "vga", 0, 4);
	if (s->big_endian_fb)
		load_note(rep, "vga: big-endian framebuffer (stdvga's extension register) is not in the traditional layout");
	return 0;
}

int vga_record_vram(const struct stream_record *rec, uint32_t *vram_size, bool *guest_frames)
{
	const uint8_t *p = rec->payload;
	size_t n = rec->payload_len;
	long pci = 0;

	*vram_size = 0;
	*guest_frames = false;
	if (rec->flags & RECORD_UPSTREAM) {
		*guest_frames = rec->version == 2; /* qemu-xen's VRAM is the guest's */
		return rec->version == 2 ? 0 : -1;
	}
	switch (rec->version) {
	case 5: /* hvmdm: le32 vram_size, le64 vram_gpa at the end */
		if (n < 12)
			return -1;
		*vram_size = (uint32_t)p[n - 12] | (uint32_t)p[n - 11] << 8 | (uint32_t)p[n - 10] << 16 |
			     (uint32_t)p[n - 9] << 24;
		*guest_frames = be64_at(p + n - 8) != 0; /* any byte order: zero is zero */
		return 0;
	case 1:
	case 2:
		return 0;
	case 3:
	case 4:
		pci = trad_pci_size(p, n);
		if (pci < 0 || (size_t)pci + VGA_TRAD_BODY + 4 > n)
			return -1;
		*vram_size = be32_at(p + pci + VGA_TRAD_BODY);
		*guest_frames = rec->version == 4 && (size_t)pci + VGA_TRAD_BODY + 12 <= n &&
				be64_at(p + pci + VGA_TRAD_BODY + 4) != 0;
		return 0;
	default:
		return -1;
	}
}

/* ---------------------------------------------------------------- upstream QEMU */

VM_SUB(vga_endian, "vga.endian", 1, VM_F(1, 1));
static const struct vmd *const vga_common_subs[] = { &vga_endian };
static const struct vmf vga_common_f[] = {
	VM_F(4, 1), VM_F(1, 1), VM_F(1, 8), VM_F(1, 1), VM_F(1, 16), /* latch, sr_index, sr, gr_index, gr */
	VM_F(1, 1), VM_F(1, 21), VM_F(4, 1), VM_F(1, 1), VM_F(1, 256), /* ar_index, ar, ar_flip_flop, cr_index, cr */
	VM_F(1, 8), VM_F(1, 3), VM_F(1, 768), VM_F(4, 1), VM_F(1, 1), /* msr .. dac, palette, bank_offset, is_vbe */
	VM_F(2, 1), VM_F(2, 10), VM_F(4, 3),                          /* vbe_index, vbe_regs, start, line, mask */
};
VM_DESC_SUBS(vga_common, "vga", 2, 2, vga_common_f, vga_common_subs);
static const struct vmf vga_pci_f[] = { VM_STRUCT(vmd_pci_device, 1, 0), VM_STRUCT(vga_common, 1, 0) };
VM_DESC(vga_pci, "vga", 2, 2, vga_pci_f);

static const struct vm_layout vga_up[] = { UPSTREAM_LAYOUT("vga", vga_pci) };

/*
 * QEMU's card restores its VRAM from the guest's frames, where
 * vga_upstream_vram_at says they are; the register file is the one the
 * reader takes. A state whose frames are elsewhere is refused: QEMU would
 * show (and the guest would draw into) memory that is not its VRAM.
 */
static int up_vga_write(struct up_writer *t, const struct machine *m, const struct machine_state *st,
			struct load_report *rep, char *err, size_t errlen)
{
	const struct stdvga_state *s = &st->vga;
	const struct vga_regs *r = &s->r;
	struct wbuf *p = up_payload(t);
	char path[16];
	uint64_t at;

	(void)rep;
	if (!m->has_display || m->cfg.display != DISPLAY_STDVGA)
		return 0;
	at = vga_upstream_vram_at(s, m);
	if (s->vram_gpa != at) {
		snprintf(err, errlen, "vga: VRAM is at %#llx but QEMU would look for it at %#llx (BAR0 %s)",
			 (unsigned long long)s->vram_gpa, (unsigned long long)at,
			 s->pci.config[PCI_COMMAND] & PCI_COMMAND_MEMORY ? "decoding" : "off");
		return -1;
	}
	put_upstream_pci(p, &s->pci);
	put_vga_core(p, r, true);
	put_u8(p, 1); /* is_vbe */
	put_be16(p, r->vbe_index);
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++)
		put_be16(p, r->vbe_regs[i]);
	put_be32(p, r->vbe_start_addr);
	put_be32(p, r->vbe_line_offset);
	put_be32(p, (s->vram_size >> 16) - 1); /* vbe_bank_mask, as vga_common_init sets it */
	/* vga.endian: only when it differs from the target's little-endian default. */
	if (s->big_endian_fb) {
		put_up_subsection(p, "vga.endian", 1);
		put_u8(p, 1);
	}
	snprintf(path, sizeof(path), "0000:00:%02x.%x", PCI_SLOT(m->display.pci.devfn),
		 PCI_FUNC(m->display.pci.devfn));
	up_section(t, path, "vga", 0, 2);
	return 0;
}

const struct record_kind vga_kind = {
	.idstr = "vga",
	.instances = vga_instances,
	.encode = enc_vga,
	.required = true,
	KIND_VERSIONS(vga_versions),
	.trad = { .size = trad_vga_size, .write = trad_vga_write, .order = 4, .instance_ok = trad_instance_zero },
	.upstream = { UPSTREAM_LAYOUTS(vga_up), .pci_path = "0000:00:03.0", .alt_pci_path = "0000:00:02.0",
		      .write = up_vga_write, .order = 16 },
};

/* ---------------------------------------------------------------- JSON view */

static const char *vga_mode(const struct vga_regs *r)
{
	if (r->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)
		return "vbe";
	return r->gr[VGA_GFX_MISC] & 1 ? "graphics" : "text";
}

static json_t *view_vga(const struct machine *m, const struct machine_state *st)
{
	const struct stdvga_state *s = &st->vga;
	const struct vga_regs *r = &s->r;
	json_t *vbe;

	if (!m->has_display || m->cfg.display != DISPLAY_STDVGA)
		return NULL;
	vbe = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:I, s:I}",
			"index", r->vbe_index, "id", r->vbe_regs[0], "xres", r->vbe_regs[1],
			"yres", r->vbe_regs[2], "bpp", r->vbe_regs[3], "enable", r->vbe_regs[4],
			"bank", r->vbe_regs[5], "virt_width", r->vbe_regs[6], "virt_height",
			r->vbe_regs[7], "x_offset", r->vbe_regs[8], "y_offset", r->vbe_regs[9],
			"start_addr", (json_int_t)r->vbe_start_addr, "line_offset",
			(json_int_t)r->vbe_line_offset);
	return json_pack("{s:o, s:s, s:I, s:i, s:o, s:i, s:o, s:i, s:o, s:i, s:i, s:o, s:i, s:i, s:i, s:i,"
			 " s:[iiii], s:o, s:o, s:I, s:o, s:b, s:I, s:o}",
			 "pci", json_pci(&s->pci), "mode", vga_mode(r), "latch", (json_int_t)r->latch,
			 "sr_index", r->sr_index, "sr", json_hex(r->sr, VGA_STD_SR),
			 "gr_index", r->gr_index, "gr", json_hex(r->gr, VGA_STD_GR),
			 "ar_index", r->ar_index, "ar", json_hex(r->ar, sizeof(r->ar)),
			 "ar_flip_flop", r->ar_flip_flop, "cr_index", r->cr_index,
			 "cr", json_hex(r->cr, sizeof(r->cr)), "msr", r->msr, "fcr", r->fcr,
			 "st00", r->st00, "st01", r->st01,
			 "dac", r->dac_state, r->dac_sub_index, r->dac_read_index, r->dac_write_index,
			 "dac_cache", json_hex(r->dac_cache, sizeof(r->dac_cache)),
			 "palette", json_hex(r->palette, sizeof(r->palette)),
			 "bank_offset", (json_int_t)r->bank_offset, "vbe", vbe,
			 "big_endian_fb", s->big_endian_fb, "vram_size", (json_int_t)s->vram_size,
			 "vram_gpa", s->vram_gpa == STDVGA_VRAM_NOT_SAVED ? json_string("not saved")
								  : json_u64(s->vram_gpa));
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_vga(struct machine_state *st)
{
	struct stdvga_state *s = &st->vga;
	struct vga_regs *r = &s->r;

	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		s->pci.config[i] = (uint8_t)((i + 5) * 11);
	s->pci.irq_levels = 0;
	r->latch = 0x89abcdef;
	r->sr_index = 3;
	for (unsigned int i = 0; i < VGA_STD_SR; i++)
		r->sr[i] = (uint8_t)(0x10 + i);
	r->gr_index = 6;
	for (unsigned int i = 0; i < VGA_STD_GR; i++)
		r->gr[i] = (uint8_t)(0x20 + i);
	r->ar_index = 0x13;
	for (unsigned int i = 0; i < sizeof(r->ar); i++)
		r->ar[i] = (uint8_t)(0x30 + i);
	r->ar_flip_flop = 1;
	r->cr_index = 0x18;
	for (unsigned int i = 0; i < sizeof(r->cr); i++)
		r->cr[i] = (uint8_t)(i * 7 + 1);
	r->msr = 0x67;
	r->fcr = 0x10;
	r->st00 = 0x70;
	r->st01 = 0x09;
	r->dac_state = 3;
	r->dac_sub_index = 2;
	r->dac_read_index = 0x41;
	r->dac_write_index = 0x42;
	for (unsigned int i = 0; i < sizeof(r->dac_cache); i++)
		r->dac_cache[i] = (uint8_t)(0x3a + i);
	for (unsigned int i = 0; i < sizeof(r->palette); i++)
		r->palette[i] = (uint8_t)((i * 5 + 3) & 0x3f);
	r->bank_offset = 0x30000;
	r->vbe_index = 4;
	for (unsigned int i = 0; i < VBE_DISPI_INDEX_NB; i++)
		r->vbe_regs[i] = (uint16_t)(0x101 * (i + 1));
	r->vbe_start_addr = 0x1234;
	r->vbe_line_offset = 0xc80;
	s->big_endian_fb = true;
	s->vram_size = 16u << 20;
	s->vram_gpa = 0xf0000000u;
}

const struct state_view vga_view = { "vga", view_vga, probe_vga };
