// SPDX-License-Identifier: GPL-2.0-only
/*
 * The firmware configuration device: "fw_cfg" (qemu-xen-traditional
 * hw/fw_cfg.c, upstream QEMU's).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static unsigned int fw_cfg_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return m->has_fw_cfg ? 1 : 0;
}

static void enc_fw_cfg(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_le16(w, st->fw_cfg.cur_entry);
	put_le32(w, st->fw_cfg.cur_offset);
	put_le64(w, st->fw_cfg.dma_addr);
}

static int dec_fw_cfg_v3(struct rbuf *r, struct decode_ctx *c)
{
	c->st->fw_cfg.cur_entry = get_le16(r);
	c->st->fw_cfg.cur_offset = get_le32(r);
	c->st->fw_cfg.dma_addr = get_le64(r);
	return dec_finish(r, c);
}

/* Traditional v1: be16 cur_entry, be16 cur_offset. */
static int dec_fw_cfg_v1(struct rbuf *r, struct decode_ctx *c)
{
	c->st->fw_cfg.cur_entry = get_be16(r);
	c->st->fw_cfg.cur_offset = get_be16(r);
	c->st->fw_cfg.dma_addr = 0;
	return dec_finish(r, c);
}

static const struct record_version fw_cfg_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (same 4 bytes)", "be16 cur_entry, be16 cur_offset", dec_fw_cfg_v1 },
	{ 2, RV_RESERVED, "upstream QEMU", "VMState fw_cfg v2 (be16 entry, be32 offset), subsections", NULL },
	{ 3, RV_WRITTEN, "hvmdm 0.2", "le16 cur_entry, le32 cur_offset, le64 dma_addr", dec_fw_cfg_v3 },
};

/* hw/fw_cfg.c fw_cfg_save: be16 current entry, be32 offset. */
static long trad_fw_cfg_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 ? 4 : -1;
}

/* ---------------------------------------------------------------- upstream QEMU */

VM_SUB(fw_cfg_dma, "fw_cfg/dma", 0, VM_F(8, 1));
VM_SUB(fw_cfg_acpi_mr, "fw_cfg/acpi_mr", 1, VM_F(8, 3));
static const struct vmd *const fw_cfg_subs[] = { &fw_cfg_dma, &fw_cfg_acpi_mr };
static const struct vmf fw_cfg_f[] = { VM_F(2, 1), VM_F_V1(2), VM_FV(4, 1, 2) };
VM_DESC_SUBS(fw_cfg, "fw_cfg", 2, 1, fw_cfg_f, fw_cfg_subs);

static const struct vm_layout fw_cfg_up[] = { UPSTREAM_LAYOUT("fw_cfg", fw_cfg) };

const struct record_kind fw_cfg_kind = {
	.idstr = "fw_cfg",
	.instances = fw_cfg_instances,
	.encode = enc_fw_cfg,
	KIND_VERSIONS(fw_cfg_versions),
	.trad = { .size = trad_fw_cfg_size, .none = "the traditional machine's fw_cfg is its own (hvmloader and ROMBIOS are done with it); hvmdm's xenfv-trad has none" },
	.upstream = { UPSTREAM_LAYOUTS(fw_cfg_up), .held = true,
		      .none = "the firmware is done with it by the time a guest is saved: QEMU's own stays as it is" },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_fw_cfg(const struct machine *m, const struct machine_state *st)
{
	if (!m->has_fw_cfg)
		return NULL;
	return json_pack("{s:i, s:I, s:o}", "cur_entry",
			st->fw_cfg.cur_entry, "cur_offset", (json_int_t)st->fw_cfg.cur_offset, "dma_addr",
			json_u64(st->fw_cfg.dma_addr));
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_fw_cfg(struct machine_state *st)
{
	st->fw_cfg.cur_entry = 0x21;
	st->fw_cfg.cur_offset = 0x1234;
	st->fw_cfg.dma_addr = 0x0000000100000000ull;
}

const struct state_view fw_cfg_view = { "fw_cfg", view_fw_cfg, probe_fw_cfg };
