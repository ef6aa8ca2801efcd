// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI tables for the `pc` machine (see acpi.h). Layouts follow the ACPI
 * specification (2.0 FADT of 244 bytes, revision 3; MADT revision 1; RSDP
 * revision 0); the loader commands follow SeaBIOS src/fw/romfile_loader.h.
 */
#include "acpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/bus.h"

#define HDR_LEN 36
#define FACS_LEN 64
#define FADT_LEN 244
#define MADT_FIXED 44
#define MADT_LAPIC_LEN 8
#define MADT_IOAPIC_LEN 12
#define MADT_ISO_LEN 10
#define MADT_NMI_LEN 6
#define RSDP_LEN 20
#define RSDT_ENTRIES 2

/* The PCI link IRQs the DSDT offers (its PRSL) and the SCI: level, active high. */
static const uint8_t level_irqs[] = { 5, ACPI_SCI_IRQ, 10, 11 };

/* FADT offsets (ACPI 2.0 table 5-7). */
enum {
	FADT_FIRMWARE_CTRL = 36,
	FADT_DSDT = 40,
	FADT_X_DSDT = 140,
};

/* FADT flags: WBINVD, PROC_C1, SLP_BUTTON (none), RTC_S4, RESET_REG_SUP. */
#define FADT_FLAGS ((1u << 0) | (1u << 2) | (1u << 5) | (1u << 7) | (1u << 10))
/* IAPC_BOOT_ARCH: LEGACY_DEVICES, 8042. */
#define FADT_BOOT_ARCH 0x0003

struct builder {
	uint8_t *buf;
	uint32_t len, cap;
};

static void header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(p, sig, 4);
	le_write(p + 4, 4, len);
	p[8] = rev;
	p[9] = 0; /* the loader's ADD_CHECKSUM sets it */
	memcpy(p + 10, "HVMDM ", 6);
	memcpy(p + 16, "HVMDM-PC", 8);
	le_write(p + 24, 4, 1);
	memcpy(p + 28, "HVMD", 4);
	le_write(p + 32, 4, 1);
}

/* A Generic Address Structure in system I/O space. */
static void gas_io(uint8_t *p, unsigned int bits, uint64_t addr)
{
	p[0] = 1; /* SystemIO */
	p[1] = (uint8_t)bits;
	p[2] = 0;
	p[3] = 0; /* access size: as the register width (pre-3.0 meaning) */
	le_write(p + 4, 8, addr);
}

/* -- loader commands -- */

static uint8_t *loader_entry(struct builder *l, uint32_t cmd)
{
	uint8_t *e = l->buf + l->len;

	l->len += ACPI_LOADER_ENTRY;
	le_write(e, 4, cmd);
	return e;
}

static void loader_allocate(struct builder *l, const char *file, uint32_t align, uint8_t zone)
{
	uint8_t *e = loader_entry(l, ACPI_LOADER_ALLOCATE);

	strncpy((char *)e + 4, file, ACPI_LOADER_FILESZ - 1);
	le_write(e + 60, 4, align);
	e[64] = zone;
}

/* dest[offset] (size bytes) += the address where src was placed. */
static void loader_pointer(struct builder *l, const char *dest, const char *src, uint32_t offset,
			   uint8_t size)
{
	uint8_t *e = loader_entry(l, ACPI_LOADER_ADD_POINTER);

	strncpy((char *)e + 4, dest, ACPI_LOADER_FILESZ - 1);
	strncpy((char *)e + 60, src, ACPI_LOADER_FILESZ - 1);
	le_write(e + 116, 4, offset);
	e[120] = size;
}

static void loader_checksum(struct builder *l, const char *file, uint32_t offset, uint32_t start,
			    uint32_t len)
{
	uint8_t *e = loader_entry(l, ACPI_LOADER_ADD_CHECKSUM);

	strncpy((char *)e + 4, file, ACPI_LOADER_FILESZ - 1);
	le_write(e + 60, 4, offset);
	le_write(e + 64, 4, start);
	le_write(e + 68, 4, len);
}

/* The table at `off` of etc/acpi/tables: its checksum byte is offset 9. */
static void table_checksum(struct builder *l, uint32_t off, uint32_t len)
{
	loader_checksum(l, ACPI_FILE_TABLES, off + 9, off, len);
}

/*
 * Patch `Name (NAME, 0x12345678)` in the AML: NameOp (0x08), the name,
 * DWordPrefix (0x0c), the value. Exactly one must exist.
 */
static int patch_name_dword(uint8_t *aml, uint32_t len, const char *name, uint32_t value,
			    char *err, size_t errlen)
{
	uint8_t pat[6] = { 0x08, 0, 0, 0, 0, 0x0c };
	uint8_t *hit = NULL;

	memcpy(pat + 1, name, 4);
	for (uint32_t i = HDR_LEN; i + sizeof(pat) + 4 <= len; i++) {
		if (memcmp(aml + i, pat, sizeof(pat)))
			continue;
		if (hit) {
			snprintf(err, errlen, "acpi: DSDT names %s twice", name);
			return -1;
		}
		hit = aml + i + sizeof(pat);
	}
	if (!hit) {
		snprintf(err, errlen, "acpi: DSDT has no DWord constant %s to patch", name);
		return -1;
	}
	le_write(hit, 4, value);
	return 0;
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int acpi_build(const struct acpi_pc_config *c, struct acpi_blobs *out, char *err, size_t errlen)
{
	uint32_t dsdt_len = hvmdm_dsdt_aml_len, facs, dsdt, fadt, madt, madt_len, rsdt, rsdt_len;
	struct builder t = { 0 }, l = { 0 };
	uint8_t *p;

	memset(out, 0, sizeof(*out));
	if (c->vcpus == 0 || c->vcpus > 255) {
		snprintf(err, errlen, "acpi: %u vCPUs (1-255 fit the MADT's 8-bit APIC IDs)", c->vcpus);
		return -1;
	}
	if (c->ram_below_4g == 0 || c->ram_below_4g > ACPI_IOAPIC_ADDR) {
		snprintf(err, errlen, "acpi: RAM below 4 GiB of %#llx leaves no PCI window",
			 (unsigned long long)c->ram_below_4g);
		return -1;
	}
	if (dsdt_len < HDR_LEN || memcmp(hvmdm_dsdt_aml, "DSDT", 4) ||
	    le_read(hvmdm_dsdt_aml + 4, 4) != dsdt_len) {
		snprintf(err, errlen, "acpi: the built-in DSDT is not a DSDT of its own length");
		return -1;
	}

	/* etc/acpi/tables: FACS first (64-byte aligned by the allocation), then the rest. */
	facs = 0;
	dsdt = FACS_LEN;
	fadt = align_up(dsdt + dsdt_len, 8);
	madt_len = MADT_FIXED + c->vcpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
		   sizeof(level_irqs) * MADT_ISO_LEN + MADT_NMI_LEN;
	madt = align_up(fadt + FADT_LEN, 8);
	rsdt = align_up(madt + madt_len, 8);
	rsdt_len = HDR_LEN + 4 * RSDT_ENTRIES;
	t.len = t.cap = rsdt + rsdt_len;
	t.buf = calloc(1, t.cap);
	l.cap = 16 * ACPI_LOADER_ENTRY; /* 13 commands below */
	l.buf = calloc(1, l.cap);
	out->rsdp = calloc(1, RSDP_LEN);
	if (!t.buf || !l.buf || !out->rsdp) {
		snprintf(err, errlen, "acpi: out of memory");
		goto fail;
	}

	/* FACS: signature and length; the rest (waking vector, lock) is the OS's. */
	memcpy(t.buf + facs, "FACS", 4);
	le_write(t.buf + facs + 4, 4, FACS_LEN);

	/* DSDT, with this machine's values patched in. */
	p = t.buf + dsdt;
	memcpy(p, hvmdm_dsdt_aml, dsdt_len);
	p[9] = 0;
	if (patch_name_dword(p, dsdt_len, "PHLO", (uint32_t)c->ram_below_4g, err, errlen) ||
	    patch_name_dword(p, dsdt_len, "DEVP", c->serial_mask & 3, err, errlen))
		goto fail;

	/* FADT, revision 3 (ACPI 2.0). Pointer fields hold offsets the loader rebases. */
	p = t.buf + fadt;
	header(p, "FACP", FADT_LEN, 3);
	le_write(p + FADT_FIRMWARE_CTRL, 4, facs);
	le_write(p + FADT_DSDT, 4, dsdt);
	p[44] = 1; /* INT_MODEL in ACPI 1.0 terms: APIC */
	le_write(p + 46, 2, ACPI_SCI_IRQ);
	le_write(p + 48, 4, 0xb2); /* SMI_CMD: the APM control port */
	p[52] = 0xf1;         /* ACPI_ENABLE */
	p[53] = 0xf0;         /* ACPI_DISABLE */
	le_write(p + 56, 4, ACPI_PM_BASE);     /* PM1a_EVT_BLK */
	le_write(p + 64, 4, ACPI_PM_BASE + 4); /* PM1a_CNT_BLK */
	le_write(p + 76, 4, ACPI_PM_BASE + 8); /* PM_TMR_BLK */
	le_write(p + 80, 4, ACPI_GPE0_BASE);   /* GPE0_BLK */
	p[88] = 4;                        /* PM1_EVT_LEN */
	p[89] = 2;                        /* PM1_CNT_LEN */
	p[91] = 4;                        /* PM_TMR_LEN */
	p[92] = ACPI_GPE0_LEN;            /* GPE0_BLK_LEN */
	le_write(p + 96, 2, 0xfff);            /* P_LVL2_LAT: no C2 */
	le_write(p + 98, 2, 0xfff);            /* P_LVL3_LAT: no C3 */
	p[108] = 0x32;                    /* CENTURY: the CMOS byte hw/mc146818.c keeps */
	le_write(p + 109, 2, FADT_BOOT_ARCH);
	le_write(p + 112, 4, FADT_FLAGS);      /* 24-bit PM timer: no TMR_VAL_EXT */
	gas_io(p + 116, 8, 0xcf9);        /* RESET_REG: the PIIX3 reset control register */
	p[128] = 0x06;                    /* RESET_VALUE: hard reset */
	le_write(p + FADT_X_DSDT, 8, dsdt);
	gas_io(p + 148, 32, ACPI_PM_BASE);
	gas_io(p + 172, 16, ACPI_PM_BASE + 4);
	gas_io(p + 208, 32, ACPI_PM_BASE + 8);
	gas_io(p + 220, ACPI_GPE0_LEN * 8, ACPI_GPE0_BASE);

	/* MADT: one LAPIC per vCPU, the IOAPIC, level/high overrides, LINT1 NMI. */
	p = t.buf + madt;
	header(p, "APIC", madt_len, 1);
	le_write(p + 36, 4, ACPI_LAPIC_ADDR);
	le_write(p + 40, 4, 1); /* PCAT_COMPAT: there are 8259s too */
	p += MADT_FIXED;
	for (unsigned int i = 0; i < c->vcpus; i++, p += MADT_LAPIC_LEN) {
		p[0] = 0;
		p[1] = MADT_LAPIC_LEN;
		p[2] = (uint8_t)i; /* ACPI processor ID */
		p[3] = (uint8_t)i; /* APIC ID, as kvm/kvm.c gives each vCPU */
		le_write(p + 4, 4, 1);  /* enabled */
	}
	p[0] = 1;
	p[1] = MADT_IOAPIC_LEN;
	p[2] = 0; /* IOAPIC ID: KVM's in-kernel IOAPIC resets to 0 */
	le_write(p + 4, 4, ACPI_IOAPIC_ADDR);
	le_write(p + 8, 4, 0); /* GSI base */
	p += MADT_IOAPIC_LEN;
	/* IRQ 0 keeps GSI 0: KVM's default routing sends the PIT there, no override. */
	for (size_t i = 0; i < sizeof(level_irqs); i++, p += MADT_ISO_LEN) {
		p[0] = 2;
		p[1] = MADT_ISO_LEN;
		p[2] = 0; /* ISA */
		p[3] = level_irqs[i];
		le_write(p + 4, 4, level_irqs[i]);
		le_write(p + 8, 2, 0x000d); /* active high, level triggered */
	}
	p[0] = 4;
	p[1] = MADT_NMI_LEN;
	p[2] = 0xff; /* all processors */
	le_write(p + 3, 2, 0);
	p[5] = 1; /* LINT1 */

	/* RSDT: FADT and MADT. */
	p = t.buf + rsdt;
	header(p, "RSDT", rsdt_len, 1);
	le_write(p + HDR_LEN, 4, fadt);
	le_write(p + HDR_LEN + 4, 4, madt);

	/* RSDP, revision 0 (ACPI 1.0 layout: RSDT only). */
	memcpy(out->rsdp, "RSD PTR ", 8);
	memcpy(out->rsdp + 9, "HVMDM ", 6);
	out->rsdp[15] = 0;
	le_write(out->rsdp + 16, 4, rsdt);

	/* The loader: allocate, rebase every pointer, then checksum what the pointers changed. */
	loader_allocate(&l, ACPI_FILE_TABLES, 64, ACPI_LOADER_ZONE_HIGH);
	loader_allocate(&l, ACPI_FILE_RSDP, 16, ACPI_LOADER_ZONE_FSEG);
	table_checksum(&l, dsdt, dsdt_len);
	loader_pointer(&l, ACPI_FILE_TABLES, ACPI_FILE_TABLES, fadt + FADT_FIRMWARE_CTRL, 4);
	loader_pointer(&l, ACPI_FILE_TABLES, ACPI_FILE_TABLES, fadt + FADT_DSDT, 4);
	loader_pointer(&l, ACPI_FILE_TABLES, ACPI_FILE_TABLES, fadt + FADT_X_DSDT, 8);
	table_checksum(&l, fadt, FADT_LEN);
	table_checksum(&l, madt, madt_len);
	loader_pointer(&l, ACPI_FILE_TABLES, ACPI_FILE_TABLES, rsdt + HDR_LEN, 4);
	loader_pointer(&l, ACPI_FILE_TABLES, ACPI_FILE_TABLES, rsdt + HDR_LEN + 4, 4);
	table_checksum(&l, rsdt, rsdt_len);
	loader_pointer(&l, ACPI_FILE_RSDP, ACPI_FILE_TABLES, 16, 4);
	loader_checksum(&l, ACPI_FILE_RSDP, 8, 0, RSDP_LEN);

	out->tables = t.buf;
	out->tables_len = t.len;
	out->rsdp_len = RSDP_LEN;
	out->loader = l.buf;
	out->loader_len = l.len;
	return 0;
fail:
	free(t.buf);
	free(l.buf);
	free(out->rsdp);
	out->rsdp = NULL;
	return -1;
}

void acpi_free(struct acpi_blobs *b)
{
	free(b->tables);
	free(b->rsdp);
	free(b->loader);
	memset(b, 0, sizeof(*b));
}

int acpi_add_to_fw_cfg(struct fw_cfg *f, const struct acpi_pc_config *c, char *err,
		       size_t errlen)
{
	struct acpi_blobs b;
	int rc;

	if (acpi_build(c, &b, err, errlen))
		return -1;
	/* fw_cfg keeps its own copies. */
	rc = fw_cfg_add_file(f, ACPI_FILE_TABLES, b.tables, b.tables_len) ||
	     fw_cfg_add_file(f, ACPI_FILE_RSDP, b.rsdp, b.rsdp_len) ||
	     fw_cfg_add_file(f, ACPI_FILE_LOADER, b.loader, b.loader_len);
	acpi_free(&b);
	if (rc)
		snprintf(err, errlen, "fw_cfg: out of memory or too many files (ACPI tables)");
	return rc ? -1 : 0;
}
