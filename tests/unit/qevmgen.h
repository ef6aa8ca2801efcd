/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * qemu-xen-traditional save files built byte by byte (reference/01 §1.1 and
 * §1.3 for the framing and the write order, 09 for the layouts), from the
 * state of an hvmdm xenfv-trad machine, with knobs for every variant the
 * reader must handle.
 */
#ifndef HVMDM_QEVMGEN_H
#define HVMDM_QEVMGEN_H

#include "streamgen.h"

enum acpi_variant {
	ACPI_V1,
	ACPI_V2,           /* genuine */
	ACPI_V2_XS_LIE,    /* XenServer 6.0-6.2: "2" with v1 content */
	ACPI_V3_XS,
};

struct qevm_opts {
	unsigned int format;      /* 3 or 2 */
	enum acpi_variant acpi;
	bool acpi_last;           /* piix4acpi as the last section (as qemu-trad writes) */
	bool with_pcibus;         /* an old file carrying the load-only PCIBUS */
	bool with_ide;
	bool with_cirrus;
	bool trailing_junk;
	/* hw/vga.c vga_save of the machine's standard VGA at this version (0: none), frames at vga_gmfn. */
	unsigned int vga_version;
	uint64_t vga_gmfn;
	uint8_t vga_is_vbe_minus_1; /* 1 writes is_vbe = 0 (a VGA without VBE, which the loader refuses) */
};

struct qevm_builder {
	struct wbuf *w;
	unsigned int format;
	uint32_t next_id;
	size_t v2_len_at;
};

static inline void qsec(struct qevm_builder *b, const char *id, uint32_t inst, uint32_t ver,
			const struct wbuf *payload)
{
	uint8_t n = (uint8_t)strlen(id);

	if (b->format == 2) {
		put_u8(b->w, n);
		put_bytes(b->w, id, n);
		put_be32(b->w, inst);
		put_be32(b->w, ver);
		put_be32(b->w, (uint32_t)payload->len);
	} else {
		put_u8(b->w, 0x04);
		put_be32(b->w, b->next_id++);
		put_u8(b->w, n);
		put_bytes(b->w, id, n);
		put_be32(b->w, inst);
		put_be32(b->w, ver);
	}
	put_bytes(b->w, payload->data, payload->len);
}

static inline void build_qevm(const struct machine *m, const struct qevm_opts *o, struct wbuf *w)
{
	struct qevm_builder b = { .w = w, .format = o->format, .next_id = 0 };
	struct wbuf p;

	wbuf_init(&p, 8u << 20);
	put_bytes(w, "QEVM", 4);
	put_be32(w, o->format);
	if (o->format == 2) {
		b.v2_len_at = w->len;
		put_be64(w, 0);
	} else {
		/* The live "ram" section: START, PART, END, all empty on the DM build. */
		put_u8(w, 0x01);
		put_be32(w, b.next_id++);
		put_u8(w, 3);
		put_bytes(w, "ram", 3);
		put_be32(w, 0);
		put_be32(w, 3);
		put_u8(w, 0x02);
		put_be32(w, 0);
		put_u8(w, 0x03);
		put_be32(w, 0);
	}
#define SEC(id, inst, ver) qsec(&b, id, inst, ver, &p), p.len = 0
	put_be64(&p, 0x2468ace0ull);
	SEC("timer", 0, 2);
	put_be16(&p, 0xffff);
	put_be16(&p, 0);
	SEC("fw_cfg", 0, 1);
	if (o->with_pcibus) {
		put_be32(&p, 4);
		for (int i = 0; i < 4; i++)
			put_be32(&p, 0);
		SEC("PCIBUS", 0, 1);
	}
	trad_pci(&p, &m->i440fx.pci, 2);
	SEC("I440FX", 0, 2);
	trad_pci(&p, &m->piix3.pci, 2);
	SEC("PIIX3", 0, 2);
	if (o->with_cirrus) {
		struct pci_device fake;

		pci_device_init(&fake, "cirrus", 0x1013, 0x00b8, 0, 0x030000);
		trad_pci(&p, &fake, 2);
		put_zeros(&p, 1594);
		put_u8(&p, 1);          /* vga_acc: VRAM at the LFB, so not in the file */
		put_zeros(&p, 16);
		put_be64(&p, 0xf0000000); /* vram_gmfn */
		SEC("cirrus_vga", 0, 3);
	}
	if (o->vga_version && m->has_display) {
		/* reference/09 §9.9, written field by field from the card's registers. */
		const struct stdvga *v = &m->display;
		const struct vga_regs *r = &v->vga.r;

		if (o->vga_version >= 2)
			trad_pci(&p, &v->pci, 2);
		put_be32(&p, r->latch);
		put_u8(&p, r->sr_index);
		put_bytes(&p, r->sr, 8);
		put_u8(&p, r->gr_index);
		put_bytes(&p, r->gr, 16);
		put_u8(&p, r->ar_index);
		put_bytes(&p, r->ar, 21);
		put_be32(&p, (uint32_t)r->ar_flip_flop);
		put_u8(&p, r->cr_index);
		put_bytes(&p, r->cr, 256);
		put_u8(&p, r->msr);
		put_u8(&p, r->fcr);
		put_u8(&p, r->st00);
		put_u8(&p, r->st01);
		put_u8(&p, r->dac_state);
		put_u8(&p, r->dac_sub_index);
		put_u8(&p, r->dac_read_index);
		put_u8(&p, r->dac_write_index);
		put_bytes(&p, r->dac_cache, 3);
		put_bytes(&p, r->palette, 768);
		put_be32(&p, (uint32_t)r->bank_offset);
		put_u8(&p, (uint8_t)(1 - o->vga_is_vbe_minus_1));
		put_be16(&p, r->vbe_index);
		for (unsigned int i = 0; i < 10; i++)
			put_be16(&p, r->vbe_regs[i]);
		put_be16(&p, (uint16_t)(v->vram_size >> 16)); /* VIDEO_MEMORY_64K */
		put_be16(&p, 0xf000);                         /* LFB_ADDRESS_H */
		put_be16(&p, 0);                              /* LFB_ADDRESS_L */
		put_be32(&p, r->vbe_start_addr);
		put_be32(&p, r->vbe_line_offset);
		put_be32(&p, r->vbe_bank_mask);
		if (o->vga_version >= 3)
			put_be32(&p, v->vram_size);
		if (o->vga_version >= 4)
			put_be64(&p, o->vga_gmfn);
		if (o->vga_version == 3 || (o->vga_version == 4 && !o->vga_gmfn))
			put_bytes(&p, v->vram, v->vram_size);
		SEC("vga", 0, o->vga_version);
	}
	/* hw/mc146818rtc.c rtc_save: the 128 CMOS bytes (NVRAM from the machine), the index. */
	if (m->has_rtc) {
		put_bytes(&p, m->rtc.cmos, sizeof(m->rtc.cmos));
		put_u8(&p, m->rtc.index);
	} else {
		put_zeros(&p, 128);
		put_u8(&p, 0x0f);
	}
	put_zeros(&p, 28);
	put_be64(&p, UINT64_MAX);
	put_be64(&p, 0);
	put_be64(&p, 0);
	put_be64(&p, UINT64_MAX);
	put_be64(&p, UINT64_MAX);
	SEC("mc146818rtc", 0x70, 1);
	trad_platform(&p, &m->platform, 3);
	SEC("platform", 0, 3);
	put_u8(&p, m->platform.flags);
	SEC("platform_fixed_ioport", 0, 1);
	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		trad_serial(&p, &m->uart[i], 2);
		SEC("serial", m->uart[i].base, 2);
	}
	if (o->with_ide) {
		/* qemu-xen-traditional hw/ide.c pci_ide_save, from this machine's IDE function. */
		trad_pci(&p, &m->ide.pci, 2);
		for (int c = 0; c < IDE_CHANNELS; c++) {
			put_u8(&p, m->ide.ch[c].bm_cmd);
			put_u8(&p, m->ide.ch[c].bm_status);
			put_be32(&p, m->ide.ch[c].bm_prd);
			put_be64(&p, 0);
			put_be32(&p, 0);
			put_u8(&p, 0);
		}
		for (int c = 0; c < IDE_CHANNELS; c++) {
			put_u8(&p, m->ide.ch[c].devctl);
			put_u8(&p, (uint8_t)m->ide.ch[c].cur);
		}
		for (int d = 0; d < 4; d++) {
			const struct ide_drive_regs *r = &m->ide.ch[d / 2].drive[d % 2].r;

			put_be32(&p, r->mult_sectors);
			put_be32(&p, d == 0); /* drive 0 has IDENTIFY data */
			if (d == 0)
				put_zeros(&p, 512);
			put_u8(&p, r->write_cache);
			put_u8(&p, r->feature);
			put_u8(&p, r->error);
			put_be32(&p, r->nsector);
			put_u8(&p, r->sector);
			put_u8(&p, r->lcyl);
			put_u8(&p, r->hcyl);
			put_u8(&p, r->hob_feature);
			put_u8(&p, r->hob_nsector);
			put_u8(&p, r->hob_sector);
			put_u8(&p, r->hob_lcyl);
			put_u8(&p, r->hob_hcyl);
			put_u8(&p, r->select);
			put_u8(&p, r->status);
			put_u8(&p, r->lba48);
			put_u8(&p, r->sense_key);
			put_u8(&p, r->asc);
		}
		SEC("ide", 0, 3);
	}
	put_u8(&p, 0);
	put_u8(&p, I8042_STR_CMD | I8042_STR_UNLOCKED);
	put_u8(&p, m->kbd.ctr);
	put_u8(&p, 0);
	SEC("pckbd", 0, 3);
	trad_ps2_common(&p, -1, NULL, 0, 17);
	put_be32(&p, 1);
	put_be32(&p, 0);
	put_be32(&p, 2);
	SEC("ps2kbd", 0, 3);
	trad_ps2_common(&p, -1, NULL, 0, 0);
	put_zeros(&p, 1);
	put_u8(&p, 2);
	put_u8(&p, 100);
	put_zeros(&p, 3);
	put_zeros(&p, 12);
	put_u8(&p, 0);
	SEC("ps2mouse", 0, 2);
	for (uint32_t ctl = 0; ctl < 2; ctl++) {
		put_zeros(&p, 3);
		put_be32(&p, ctl);
		put_zeros(&p, 68);
		SEC("dma", ctl, 1);
	}
	put_zeros(&p, 538);
	put_u8(&p, 2);
	put_zeros(&p, 6);
	SEC("fdc", 0x3f0, 2);
	{
		struct wbuf acpi;

		wbuf_init(&acpi, 1024);
		switch (o->acpi) {
		case ACPI_V1:
		case ACPI_V2_XS_LIE:
			trad_piix4acpi(&acpi, &m->pm, 1, 0);
			break;
		case ACPI_V2:
		case ACPI_V3_XS:
			trad_piix4acpi(&acpi, &m->pm, 2, m->pm.pm_base);
			break;
		}
		{
			uint32_t ver = o->acpi == ACPI_V1 ? 1 : o->acpi == ACPI_V3_XS ? 3 : 2;

			if (!o->acpi_last)
				qsec(&b, "piix4acpi", 0, ver, &acpi);
			trad_gpe(&p, &m->pm, 2, m->pm.gpe_base, m->pm.gpe_half);
			SEC("gpe", 0, 2);
			put_bytes(&p, m->pm.php_status, sizeof(m->pm.php_status));
			put_u8(&p, m->pm.php_evt);
			put_u8(&p, m->pm.php_devfn);
			SEC("pci_devfn", 0, 1);
			if (o->acpi_last)
				qsec(&b, "piix4acpi", 0, ver, &acpi);
		}
		wbuf_free(&acpi);
	}
#undef SEC
	if (o->format == 2) {
		uint64_t total = w->len - 16;

		for (int i = 0; i < 8; i++)
			w->data[b.v2_len_at + i] = (uint8_t)(total >> (56 - 8 * i));
	} else {
		put_u8(w, 0x00);
	}
	if (o->trailing_junk)
		put_bytes(w, "junk", 4);
	wbuf_free(&p);
}

#endif
