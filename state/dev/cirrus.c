// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Cirrus CL-GD5446: "cirrus_vga" (qemu-xen-traditional hw/cirrus_vga.c
 * cirrus_vga_save, upstream QEMU's hw/display/cirrus_vga.c
 * vmstate_pci_cirrus_vga). hvmdm's own layout is little-endian and spelled
 * out in docs/stream-format.md; the foreign ones follow their producers
 * (reference/09 §9.10, reference/10 §6). A decoder reads exactly its layout.
 *
 * As for the standard VGA, VRAM is not in hvmdm's record: under Xen it is
 * guest memory (Xen saves it; the record says where its frames are), on KVM
 * the whole-VM stream carries it. The blitter's state is in no record (no
 * producer keeps one): every layout describes an idle blitter.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

/* From latch to hw_cursor_y, every producer's order: 1594 bytes, big-endian in the foreign layouts. */
#define CIRRUS_FOREIGN_BODY 1594
/* qemu-xen-traditional's Xen extras after it: vga_acc, junk, lfb_addr, junk, lfb_end. */
#define CIRRUS_TRAD_EXTRAS 17
#define CIRRUS_TRAD_VRAM CIRRUS_ADDRESSABLE /* pci_cirrus_vga_init forces 4 MiB */

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64_at(const uint8_t *p)
{
	return (uint64_t)be32_at(p) << 32 | be32_at(p + 4);
}

static unsigned int cirrus_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return m->has_display && m->cfg.display == DISPLAY_CIRRUS ? 1 : 0;
}

/* ---------------------------------------------------------------- the register file */

/*
 * latch .. hw_cursor_y in the order all three layouts share; `be` for the
 * foreign ones (whose flip-flop is an int32 where hvmdm's is a byte).
 */
static void put_cirrus_core(struct wbuf *w, const struct vga_regs *r, const struct cirrus_ext *x, bool be)
{
	be ? put_be32(w, r->latch) : put_le32(w, r->latch);
	put_u8(w, r->sr_index);
	put_bytes(w, r->sr, sizeof(r->sr));
	put_u8(w, r->gr_index);
	put_u8(w, x->shadow_gr0);
	put_u8(w, x->shadow_gr1);
	put_bytes(w, r->gr + 2, sizeof(r->gr) - 2);
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
	put_u8(w, x->hidden_dac_lockindex);
	put_u8(w, x->hidden_dac_data);
	be ? put_be32(w, x->hw_cursor_x) : put_le32(w, x->hw_cursor_x);
	be ? put_be32(w, x->hw_cursor_y) : put_le32(w, x->hw_cursor_y);
}

static void get_cirrus_core(struct rbuf *r, struct vga_regs *g, struct cirrus_ext *x, bool be)
{
	memset(g, 0, sizeof(*g));
	memset(x, 0, sizeof(*x));
	g->latch = be ? get_be32(r) : get_le32(r);
	g->sr_index = get_u8(r);
	get_bytes(r, g->sr, sizeof(g->sr));
	g->gr_index = get_u8(r);
	x->shadow_gr0 = get_u8(r);
	x->shadow_gr1 = get_u8(r);
	/* GR00/GR01 are their shadows' low nibbles (QEMU's cirrus_post_load). */
	g->gr[0] = x->shadow_gr0 & 0x0f;
	g->gr[1] = x->shadow_gr1 & 0x0f;
	get_bytes(r, g->gr + 2, sizeof(g->gr) - 2);
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
	x->hidden_dac_lockindex = get_u8(r);
	x->hidden_dac_data = get_u8(r);
	x->hw_cursor_x = be ? get_be32(r) : get_le32(r);
	x->hw_cursor_y = be ? get_be32(r) : get_le32(r);
}

/* ---------------------------------------------------------------- hvmdm */

static void enc_cirrus(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct cirrus_state *s = &st->cirrus;

	(void)slot;
	put_pci(w, &s->pci);
	put_cirrus_core(w, &s->r, &s->ext, false);
	put_bytes(w, s->ext.hidden_palette, sizeof(s->ext.hidden_palette));
	put_le32(w, s->vram_size);
	put_le64(w, s->vram_gpa);
}

static int dec_cirrus_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct cirrus_state *s = &c->st->cirrus;

	get_pci(r, &s->pci);
	get_cirrus_core(r, &s->r, &s->ext, false);
	get_bytes(r, s->ext.hidden_palette, sizeof(s->ext.hidden_palette));
	s->vram_size = get_le32(r);
	s->vram_gpa = get_le64(r);
	return dec_finish(r, c);
}

/*
 * Traditional v1-v3 (hw/cirrus_vga.c cirrus_vga_save, reference/09 §9.10):
 * PCI common part from v2, the register file, the Xen extras (u8 vga_acc:
 * VRAM sits at the LFB; be32 junk, be32 lfb_addr, be32 junk, be32 lfb_end),
 * v3 be64 vram_gmfn (a byte address), then 4 MiB of VRAM bytes before v3,
 * or in v3 when the frames were never placed (gmfn 0 and not at the LFB).
 */
static int dec_cirrus_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct cirrus_state *s = &c->st->cirrus;
	uint32_t v = c->rec->version, lfb_addr;
	uint64_t gmfn = 0;
	bool vga_acc, bytes;
	size_t at;

	memset(s, 0, sizeof(*s));
	if (v >= 2 && get_trad_pci(r, c, &s->pci))
		return -1;
	get_cirrus_core(r, &s->r, &s->ext, true);
	at = r->pos;
	vga_acc = get_u8(r);
	if (!r->short_read && r->data[at] > 1)
		return dec_fail(c, at, "vga_acc is not 0 or 1", NULL);
	get_be32(r); /* "old versions saved rubbish here" */
	lfb_addr = get_be32(r);
	get_be32(r);
	get_be32(r); /* lfb_end: lfb_addr + 4 MiB */
	if (v >= 3)
		gmfn = get_be64(r);
	s->vram_size = CIRRUS_TRAD_VRAM;
	bytes = v < 3 || (!gmfn && !vga_acc);
	if (gmfn)
		s->vram_gpa = gmfn;
	else if (vga_acc && !bytes)
		s->vram_gpa = lfb_addr; /* cirrus_vga_load: vram_gmfn = lfb_addr when mapped */
	else
		s->vram_gpa = CIRRUS_VRAM_NOT_SAVED;
	if (!r->short_read && s->vram_gpa != CIRRUS_VRAM_NOT_SAVED &&
	    ((s->vram_gpa & 0xfff) || s->vram_gpa >= (1ull << 52)))
		return dec_fail(c, r->pos - 8, "vram_gmfn is not a page-aligned guest address", NULL);
	if (!r->short_read && bytes) {
		/* qemu-dm wrote the bytes only where Xen did not hold the frames: not a Xen guest's VRAM. */
		if (rbuf_left(r) < CIRRUS_TRAD_VRAM)
			return dec_fail(c, r->pos, "the VRAM bytes are cut short", NULL);
		r->pos += CIRRUS_TRAD_VRAM;
		load_note(c->rep, "cirrus_vga: the 4 MiB of VRAM carried in the record (version %u) are not restored: the card starts with blank VRAM and the guest redraws",
			  v);
	}
	return dec_finish(r, c);
}

/*
 * Where qemu-xen's VRAM is for this state: at BAR0 while the card is in a
 * linear mode and BAR0 decodes (map_linear_vram, and xen_add_to_physmap
 * relocated it there), else where QEMU allocated it (xen_ram_alloc: right
 * above guest RAM). The reader finds the frames with it; the writer
 * refuses a state whose frames are where QEMU would not look.
 */
static uint64_t cirrus_upstream_vram_at(const struct cirrus_state *s, const struct machine *m)
{
	const uint8_t *cfg = s->pci.config;
	uint32_t bar0 = ((uint32_t)cfg[0x10] | (uint32_t)cfg[0x11] << 8 | (uint32_t)cfg[0x12] << 16 |
			 (uint32_t)cfg[0x13] << 24) & ~0xfu;

	if ((cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY) && bar0 && bar0 != (uint32_t)-CIRRUS_BAR0_SIZE &&
	    cirrus_regs_linear(&s->r))
		return bar0;
	return machine_device_memory_base(&m->cfg);
}

/*
 * Upstream QEMU v2 (hw/display/cirrus_vga.c vmstate_pci_cirrus_vga,
 * reference/10 §6.1): PCIDevice, then the register file. Its VRAM is guest
 * memory (Xen's): relocated into BAR0 while the card was in a linear mode
 * and BAR0 decoded (xen_add_to_physmap), else where QEMU allocated it
 * (xen_ram_alloc: right above guest RAM).
 */
static int dec_cirrus_upstream(struct rbuf *r, struct decode_ctx *c)
{
	struct cirrus_state *s = &c->st->cirrus;

	memset(s, 0, sizeof(*s));
	if (get_upstream_pci(r, c, &s->pci))
		return -1;
	get_cirrus_core(r, &s->r, &s->ext, true);
	if (dec_finish(r, c))
		return -1;
	s->vram_size = c->m->has_display && c->m->cfg.display == DISPLAY_CIRRUS ? c->m->cirrus.vram_size
										  : CIRRUS_DEFAULT_VRAM_MB << 20;
	s->vram_gpa = cirrus_upstream_vram_at(s, c->m);
	return 0;
}

static int dec_cirrus_v2(struct rbuf *r, struct decode_ctx *c)
{
	return c->rec->flags & RECORD_UPSTREAM ? dec_cirrus_upstream(r, c) : dec_cirrus_trad(r, c);
}

static const struct record_version cirrus_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional hw/cirrus_vga.c cirrus_vga_save (no PCI part)",
	  "be32 latch, u8 sr_index, sr[256], u8 gr_index, u8 shadow_gr0, u8 shadow_gr1, gr[2..255], u8 ar_index, ar[21], be32 ar_flip_flop, u8 cr_index, cr[256], u8 msr fcr st00 st01 dac_state dac_sub_index dac_read_index dac_write_index, dac_cache[3], palette[768], be32 bank_offset, u8 hidden_dac_lockindex, u8 hidden_dac_data, be32 hw_cursor_x, be32 hw_cursor_y, u8 vga_acc, be32 junk, be32 lfb_addr, be32 junk, be32 lfb_end, VRAM[4 MiB]",
	  dec_cirrus_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional (PCI part, then v1); upstream QEMU 0000:00:03.0/cirrus_vga (VMState, a different layout)",
	  "trad: PCI common part, then v1 | upstream: VMState PCIDevice, then v1's registers from latch to hw_cursor_y",
	  dec_cirrus_v2 },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional",
	  "v2 (trad) without VRAM, be64 vram_gmfn, VRAM[4 MiB] only if vram_gmfn is 0 and vga_acc is 0",
	  dec_cirrus_trad },
	{ 4, RV_WRITTEN, "hvmdm 0.3",
	  "config[256], u8 intx, le32 latch, u8 sr_index, sr[256], u8 gr_index, u8 shadow_gr0, u8 shadow_gr1, gr[2..255], u8 ar_index, ar[21], u8 ar_flip_flop, u8 cr_index, cr[256], u8 msr fcr st00 st01 dac_state dac_sub_index dac_read_index dac_write_index, dac_cache[3], palette[768], le32 bank_offset, u8 hidden_dac_lockindex, u8 hidden_dac_data, le32 hw_cursor_x, le32 hw_cursor_y, hidden_palette[48], le32 vram_size, le64 vram_gpa (0: not guest memory; all-ones: not saved)",
	  dec_cirrus_v4 },
};

/* hw/cirrus_vga.c cirrus_vga_save: VRAM inline before v3, and in v3 unless placed. */
static long trad_cirrus_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	long base = 0, fixed;
	const uint8_t *p;

	(void)erratum, (void)why;
	if (v < 1 || v > 3)
		return -1;
	if (v >= 2 && (base = trad_pci_size(pk->p, pk->left)) < 0)
		return -1;
	fixed = base + CIRRUS_FOREIGN_BODY + CIRRUS_TRAD_EXTRAS + (v >= 3 ? 8 : 0);
	if (v < 3)
		return fixed + CIRRUS_TRAD_VRAM;
	if ((size_t)fixed > pk->left)
		return -1;
	p = pk->p + base + CIRRUS_FOREIGN_BODY;
	return fixed + (be64_at(p + CIRRUS_TRAD_EXTRAS) == 0 && p[0] == 0 ? CIRRUS_TRAD_VRAM : 0);
}

/*
 * "cirrus_vga" v3 with the frames' address, as qemu-dm writes it under
 * Xen. A state whose VRAM is not guest memory at a known address has none
 * to give, and the bytes the layout would then carry are not in the state.
 */
static int trad_cirrus_write(struct trad_writer *t, const struct machine *m, const struct machine_state *st,
			     struct load_report *rep, char *err, size_t errlen)
{
	const struct cirrus_state *s = &st->cirrus;
	const uint8_t *cfg = s->pci.config;
	struct wbuf *p = trad_payload(t);
	uint32_t lfb;

	if (!m->has_display || m->cfg.display != DISPLAY_CIRRUS)
		return 0;
	if (!s->vram_gpa || s->vram_gpa == CIRRUS_VRAM_NOT_SAVED) {
		snprintf(err, errlen, "cirrus_vga: this state's VRAM is not guest memory at a known address, and the traditional layout would need its bytes");
		return -1;
	}
	lfb = ((uint32_t)cfg[0x10] | (uint32_t)cfg[0x11] << 8 | (uint32_t)cfg[0x12] << 16 |
	       (uint32_t)cfg[0x13] << 24) & ~0xfu;
	put_trad_pci(p, &s->pci);
	put_cirrus_core(p, &s->r, &s->ext, true);
	put_u8(p, s->vram_gpa == lfb);
	put_be32(p, 0xffffffff);
	put_be32(p, lfb);
	put_be32(p, 0xffffffff);
	put_be32(p, lfb + CIRRUS_TRAD_VRAM);
	put_be64(p, s->vram_gpa);
	trad_section(t, "cirrus_vga", 0, 3);
	if (s->vram_size > CIRRUS_TRAD_VRAM)
		load_note(rep, "cirrus_vga: qemu-xen-traditional's card has 4 MiB of VRAM: it uses the first 4 of this state's %u MiB (all the 5446 addresses)",
			  s->vram_size >> 20);
	return 0;
}

int cirrus_record_vram(const struct stream_record *rec, uint32_t *vram_size, bool *guest_frames)
{
	const uint8_t *p = rec->payload;
	size_t n = rec->payload_len;
	long pci = 0;
	size_t extras;

	*vram_size = 0;
	*guest_frames = false;
	if (rec->flags & RECORD_UPSTREAM) {
		*guest_frames = rec->version == 2; /* qemu-xen's VRAM is the guest's */
		return rec->version == 2 ? 0 : -1;
	}
	switch (rec->version) {
	case 4: /* hvmdm: le32 vram_size, le64 vram_gpa at the end */
		if (n < 12)
			return -1;
		*vram_size = (uint32_t)p[n - 12] | (uint32_t)p[n - 11] << 8 | (uint32_t)p[n - 10] << 16 |
			     (uint32_t)p[n - 9] << 24;
		*guest_frames = be64_at(p + n - 8) != 0 && be64_at(p + n - 8) != UINT64_MAX;
		return 0;
	case 1:
	case 2:
		*vram_size = CIRRUS_TRAD_VRAM;
		return 0;
	case 3:
		pci = trad_pci_size(p, n);
		extras = (size_t)pci + CIRRUS_FOREIGN_BODY;
		if (pci < 0 || extras + CIRRUS_TRAD_EXTRAS + 8 > n)
			return -1;
		*vram_size = CIRRUS_TRAD_VRAM;
		*guest_frames = be64_at(p + extras + CIRRUS_TRAD_EXTRAS) != 0 || p[extras] != 0;
		return 0;
	default:
		return -1;
	}
}

/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf cirrus_common_f[] = {
	VM_F(4, 1), VM_F(1, 1), VM_F(1, 256), VM_F(1, 3), VM_F(1, 254), /* latch, sr_index, sr, gr_index, shadows, gr[2..] */
	VM_F(1, 1), VM_F(1, 21), VM_F(4, 1), VM_F(1, 1), VM_F(1, 256),  /* ar_index, ar, ar_flip_flop, cr_index, cr */
	VM_F(1, 8), VM_F(1, 3), VM_F(1, 768), VM_F(4, 1), VM_F(1, 2), VM_F(4, 2), /* msr .. dac, palette, bank, hidden dac, cursor */
};
VM_DESC(cirrus_common, "cirrus_vga", 2, 2, cirrus_common_f);
static const struct vmf cirrus_pci_f[] = { VM_STRUCT(vmd_pci_device, 1, 0), VM_STRUCT(cirrus_common, 1, 0) };
VM_DESC(cirrus_pci, "cirrus_vga", 2, 2, cirrus_pci_f);

static const struct vm_layout cirrus_up[] = { UPSTREAM_LAYOUT("cirrus_vga", cirrus_pci) };

/*
 * The register file the reader takes; QEMU restores VRAM from the guest's
 * frames where cirrus_upstream_vram_at says they are, and a state whose
 * frames are elsewhere (a blit waiting for the CPU's data parks them, a
 * mode QEMU would not map linearly) is refused: save again a moment later.
 */
static int up_cirrus_write(struct up_writer *t, const struct machine *m, const struct machine_state *st,
			   struct load_report *rep, char *err, size_t errlen)
{
	static const uint8_t unset[sizeof(st->cirrus.ext.hidden_palette)];
	const struct cirrus_state *s = &st->cirrus;
	char path[16];
	uint64_t at;

	if (!m->has_display || m->cfg.display != DISPLAY_CIRRUS)
		return 0;
	at = cirrus_upstream_vram_at(s, m);
	if (s->vram_gpa != at) {
		snprintf(err, errlen, "cirrus_vga: VRAM is at %#llx but QEMU would look for it at %#llx (BAR0 %s, %s mode)",
			 (unsigned long long)s->vram_gpa, (unsigned long long)at,
			 s->pci.config[PCI_COMMAND] & PCI_COMMAND_MEMORY ? "decoding" : "off",
			 cirrus_regs_linear(&s->r) ? "a linear" : "a banked");
		return -1;
	}
	put_upstream_pci(up_payload(t), &s->pci);
	put_cirrus_core(up_payload(t), &s->r, &s->ext, true);
	snprintf(path, sizeof(path), "0000:00:%02x.%x", PCI_SLOT(m->cirrus.pci.devfn),
		 PCI_FUNC(m->cirrus.pci.devfn));
	up_section(t, path, "cirrus_vga", 0, 2);
	if (memcmp(s->ext.hidden_palette, unset, sizeof(unset)))
		load_note(rep, "cirrus_vga: the hidden DAC palette (the hardware cursor's colours) is not in QEMU's layout: it is black until the guest sets it again");
	return 0;
}

const struct record_kind cirrus_vga_kind = {
	.idstr = "cirrus_vga",
	.instances = cirrus_instances,
	.encode = enc_cirrus,
	.required = true,
	KIND_VERSIONS(cirrus_versions),
	.trad = { .size = trad_cirrus_size, .write = trad_cirrus_write, .order = 4, .instance_ok = trad_instance_zero },
	.upstream = { UPSTREAM_LAYOUTS(cirrus_up), .pci_path = "0000:00:03.0", .alt_pci_path = "0000:00:02.0",
		      .write = up_cirrus_write, .order = 16 },
};

/* ---------------------------------------------------------------- JSON view */

static const char *cirrus_mode(const struct vga_regs *r)
{
	if (r->sr[0x07] & 0x01)
		return "extended";
	return r->gr[VGA_GFX_MISC] & 1 ? "graphics" : "text";
}

static json_t *view_cirrus(const struct machine *m, const struct machine_state *st)
{
	const struct cirrus_state *s = &st->cirrus;
	const struct vga_regs *r = &s->r;
	const struct cirrus_ext *x = &s->ext;

	if (!m->has_display || m->cfg.display != DISPLAY_CIRRUS)
		return NULL;
	return json_pack("{s:o, s:s, s:I, s:i, s:o, s:i, s:i, s:i, s:o, s:i, s:o, s:i, s:i, s:o, s:i, s:i, s:i, s:i,"
			 " s:[iiii], s:o, s:o, s:I, s:{s:i, s:i}, s:{s:i, s:i, s:o}, s:I, s:o}",
			 "pci", json_pci(&s->pci), "mode", cirrus_mode(r), "latch", (json_int_t)r->latch,
			 "sr_index", r->sr_index, "sr", json_hex(r->sr, sizeof(r->sr)),
			 "gr_index", r->gr_index, "shadow_gr0", x->shadow_gr0, "shadow_gr1", x->shadow_gr1,
			 "gr", json_hex(r->gr, sizeof(r->gr)),
			 "ar_index", r->ar_index, "ar", json_hex(r->ar, sizeof(r->ar)),
			 "ar_flip_flop", r->ar_flip_flop, "cr_index", r->cr_index,
			 "cr", json_hex(r->cr, sizeof(r->cr)), "msr", r->msr, "fcr", r->fcr,
			 "st00", r->st00, "st01", r->st01,
			 "dac", r->dac_state, r->dac_sub_index, r->dac_read_index, r->dac_write_index,
			 "dac_cache", json_hex(r->dac_cache, sizeof(r->dac_cache)),
			 "palette", json_hex(r->palette, sizeof(r->palette)),
			 "bank_offset", (json_int_t)r->bank_offset,
			 "hidden_dac", "lockindex", x->hidden_dac_lockindex, "data", x->hidden_dac_data,
			 "hw_cursor", "x", (int)x->hw_cursor_x, "y", (int)x->hw_cursor_y, "palette",
			 json_hex(x->hidden_palette, sizeof(x->hidden_palette)),
			 "vram_size", (json_int_t)s->vram_size,
			 "vram_gpa", s->vram_gpa == CIRRUS_VRAM_NOT_SAVED ? json_string("not saved")
								  : json_u64(s->vram_gpa));
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_cirrus(struct machine_state *st)
{
	struct cirrus_state *s = &st->cirrus;
	struct vga_regs *r = &s->r;
	struct cirrus_ext *x = &s->ext;

	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		s->pci.config[i] = (uint8_t)((i + 9) * 13);
	s->pci.irq_levels = 0;
	r->latch = 0x76543210;
	r->sr_index = 0x12;
	for (unsigned int i = 0; i < sizeof(r->sr); i++)
		r->sr[i] = (uint8_t)(0x40 + i * 3);
	r->gr_index = 0x31;
	for (unsigned int i = 0; i < sizeof(r->gr); i++)
		r->gr[i] = (uint8_t)(0x11 + i * 5);
	r->ar_index = 0x14;
	for (unsigned int i = 0; i < sizeof(r->ar); i++)
		r->ar[i] = (uint8_t)(0x21 + i);
	r->ar_flip_flop = 1;
	r->cr_index = 0x1b;
	for (unsigned int i = 0; i < sizeof(r->cr); i++)
		r->cr[i] = (uint8_t)(i * 11 + 2);
	r->msr = 0x63;
	r->fcr = 0x10;
	r->st00 = 0x60;
	r->st01 = 0x01;
	r->dac_state = 0;
	r->dac_sub_index = 1;
	r->dac_read_index = 0x51;
	r->dac_write_index = 0x52;
	for (unsigned int i = 0; i < sizeof(r->dac_cache); i++)
		r->dac_cache[i] = (uint8_t)(0x2a + i);
	for (unsigned int i = 0; i < sizeof(r->palette); i++)
		r->palette[i] = (uint8_t)((i * 7 + 1) & 0x3f);
	r->bank_offset = 0;
	x->shadow_gr0 = 0xa5;
	x->shadow_gr1 = 0x5a;
	/* GR00/GR01 are their shadows' low nibbles in every layout. */
	r->gr[0] = x->shadow_gr0 & 0x0f;
	r->gr[1] = x->shadow_gr1 & 0x0f;
	x->hidden_dac_lockindex = 3;
	x->hidden_dac_data = 0xe1;
	x->hw_cursor_x = 0x123;
	x->hw_cursor_y = 0x321;
	for (unsigned int i = 0; i < sizeof(x->hidden_palette); i++)
		x->hidden_palette[i] = (uint8_t)(i + 0x17);
	s->vram_size = 8u << 20;
	s->vram_gpa = 0xf0000000u;
}

const struct state_view cirrus_view = { "cirrus_vga", view_cirrus, probe_cirrus };
