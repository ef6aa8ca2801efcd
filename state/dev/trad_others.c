// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sections of a qemu-xen-traditional save file that no hvmdm device decodes:
 * state the traditional machine had but hvmdm's has not (ISA DMA, floppy,
 * the PCI bus's IRQ counts, its own fw_cfg), checked and accepted with a
 * note; and devices hvmdm does not emulate (the
 * TPM, XenServer's slot map), sized so the stream can be walked past them and
 * listed, so a restore refuses them by name. When a device arrives, its row
 * moves into the device's own file as the trad codec of its record kind.
 *
 * Sizes and instances from olafhering/qemu-xen-traditional stable-4.17
 * (hw/dma.c, hw/fdc.c, hw/pci.c, hw/fw_cfg.c,
 * hw/rtl8139.c, hw/e1000.c, hw/usb-uhci.c, hw/tpm_tis.c) and XenServer's
 * pcislots, as reference/01 and 09 lay them out.
 */
#include "../codec.h"
#include "../qevm.h"

#include <stdio.h>
#include <string.h>

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---------------------------------------------------------------- instances */

/*
 * The producer's loader finds a section's handler by idstr and instance, so a
 * file with another instance never loaded there either: register_savevm's
 * -1 numbers from 0 per idstr (fw_cfg, e1000), fdc uses its I/O base,
 * the rest 0 (the rtl8139, bus << 8 | devfn, is state/dev/rtl8139.c's).
 */
static bool instance_zero(uint32_t instance)
{
	return instance == 0;
}

static bool dma_instance(uint32_t instance)
{
	return instance <= 1;
}

static bool fdc_instance(uint32_t instance)
{
	return instance == 0x3f0;
}

/* ---------------------------------------------------------------- state hvmdm's machine has no place for */

static long fixed_size(uint32_t v, uint32_t want, long size)
{
	return v == want ? size : -1;
}

static long fw_cfg_size(const struct trad_peek *pk, uint32_t v)
{
	(void)pk;
	return fixed_size(v, 1, 4);
}

static long dma_size(const struct trad_peek *pk, uint32_t v)
{
	(void)pk;
	return fixed_size(v, 1, 75);
}

/* hw/fdc.c fdc_save: 539 bytes, then 3 per drive (u8 count at 538, at most 2). */
static long fdc_size(const struct trad_peek *pk, uint32_t v)
{
	if (v != 2 || pk->left < 539 || pk->p[538] > 2)
		return -1;
	return 539 + 3 * (long)pk->p[538];
}

/* hw/pci.c pcibus_load (never written): be32 nirq, then nirq be32 counts. */
static long pcibus_size(const struct trad_peek *pk, uint32_t v)
{
	uint32_t nirq = pk->left >= 4 ? be32_at(pk->p) : UINT32_MAX;

	return v == 1 && nirq <= 256 ? 4 + 4 * (long)nirq : -1;
}

static int accept_pcibus(uint32_t instance, const uint8_t *p, size_t n, size_t offset,
			 struct load_report *rep, char *err, size_t errlen)
{
	(void)instance, (void)p, (void)n, (void)offset, (void)rep, (void)err, (void)errlen;
	return 0; /* load-only in qemu-trad: IRQ counts, read and dropped */
}

static int accept_fw_cfg(uint32_t instance, const uint8_t *p, size_t n, size_t offset,
			 struct load_report *rep, char *err, size_t errlen)
{
	uint16_t entry = (uint16_t)(p[0] << 8 | p[1]);

	(void)instance, (void)n, (void)rep;
	if (entry != 0xffff && (entry & 0x3fff) >= 0x10) {
		snprintf(err, errlen, "byte %zu: fw_cfg selector %#x is beyond the traditional entries",
			 offset, entry);
		return -1;
	}
	return 0; /* hvmloader and ROMBIOS finished with it before the save */
}

static int accept_dma(uint32_t instance, const uint8_t *p, size_t n, size_t offset,
		      struct load_report *rep, char *err, size_t errlen)
{
	int32_t dshift = (int32_t)be32_at(p + 3);

	(void)n;
	if ((instance == 0 && dshift != 0) || (instance == 1 && dshift != 1)) {
		snprintf(err, errlen, "byte %zu: dma instance %u with port shift %d", offset + 3, instance,
			 dshift);
		return -1;
	}
	load_note(rep, "dma instance %u: hvmdm has no ISA DMA controller; state dropped", instance);
	return 0;
}

static int accept_fdc(uint32_t instance, const uint8_t *p, size_t n, size_t offset,
		      struct load_report *rep, char *err, size_t errlen)
{
	(void)instance, (void)n, (void)offset, (void)err, (void)errlen;
	load_note(rep, "fdc: hvmdm has no floppy controller; its state (DOR %#x) dropped", p[2]);
	return 0;
}

/* ---------------------------------------------------------------- devices hvmdm does not emulate yet */

static long pcislots_size(const struct trad_peek *pk, uint32_t v)
{
	(void)pk;
	return fixed_size(v, 1, 34);
}

static long tpm_size(const struct trad_peek *pk, uint32_t v)
{
	(void)pk;
	return fixed_size(v, 1, 4172);
}

const struct trad_foreign trad_foreign_sections[] = {
	{ "fw_cfg", fw_cfg_size, instance_zero, accept_fw_cfg },
	{ "PCIBUS", pcibus_size, instance_zero, accept_pcibus },
	{ "dma", dma_size, dma_instance, accept_dma },
	{ "fdc", fdc_size, fdc_instance, accept_fdc },
	{ "tpm-tis", tpm_size, instance_zero, NULL },
	{ "pcislots", pcislots_size, instance_zero, NULL },
};

const size_t nr_trad_foreign_sections = sizeof(trad_foreign_sections) / sizeof(trad_foreign_sections[0]);

const struct trad_foreign *trad_foreign_find(const char *idstr)
{
	for (size_t i = 0; i < nr_trad_foreign_sections; i++)
		if (!strcmp(trad_foreign_sections[i].idstr, idstr))
			return &trad_foreign_sections[i];
	return NULL;
}
