/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI tables for the `pc` machine, handed to SeaBIOS through fw_cfg's table
 * loader (QEMU's "etc/table-loader" protocol, SeaBIOS src/fw/romfile_loader.c):
 * "etc/acpi/tables" holds FACS, DSDT (compiled from firmware/acpi/dsdt.asl),
 * FADT, MADT and RSDT; "etc/acpi/rsdp" the RSDP; the loader's commands place
 * both in guest memory, patch the pointers between them and fix the
 * checksums. Under Xen, hvmloader builds the tables and none of this is used.
 */
#ifndef HVMDM_ACPI_H
#define HVMDM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "fw_cfg.h"

/* Where the tables say things are (SeaBIOS puts PMBA at 0x600 when the loader exists). */
#define ACPI_PM_BASE 0x600
#define ACPI_GPE0_BASE 0xafe0
#define ACPI_GPE0_LEN 4
#define ACPI_SCI_IRQ 9
#define ACPI_IOAPIC_ADDR 0xfec00000u
#define ACPI_LAPIC_ADDR 0xfee00000u

/* The table-loader protocol: 128-byte little-endian commands. */
#define ACPI_LOADER_ENTRY 128
#define ACPI_LOADER_FILESZ 56
#define ACPI_LOADER_ALLOCATE 1
#define ACPI_LOADER_ADD_POINTER 2
#define ACPI_LOADER_ADD_CHECKSUM 3
#define ACPI_LOADER_ZONE_HIGH 1
#define ACPI_LOADER_ZONE_FSEG 2

#define ACPI_FILE_TABLES "etc/acpi/tables"
#define ACPI_FILE_RSDP "etc/acpi/rsdp"
#define ACPI_FILE_LOADER "etc/table-loader"

struct acpi_pc_config {
	unsigned int vcpus;     /* one LAPIC entry each, APIC IDs 0..vcpus-1 */
	uint64_t ram_below_4g;  /* the 32-bit PCI window starts here */
	unsigned int serial_mask; /* bit 0: COM1 present, bit 1: COM2 */
};

/* The three blobs; acpi_build fills them, acpi_free releases them. */
struct acpi_blobs {
	uint8_t *tables, *rsdp, *loader;
	uint32_t tables_len, rsdp_len, loader_len;
};

/* The compiled DSDT (build/gen/dsdt_aml.c, generated from firmware/acpi/dsdt.asl). */
extern const unsigned char hvmdm_dsdt_aml[];
extern const unsigned int hvmdm_dsdt_aml_len;

/* 0, or -1 with a message in err (bad configuration, a DSDT without its patch points). */
int acpi_build(const struct acpi_pc_config *c, struct acpi_blobs *out, char *err, size_t errlen);
void acpi_free(struct acpi_blobs *b);
/* Build the tables and add the three files to fw_cfg. */
int acpi_add_to_fw_cfg(struct fw_cfg *f, const struct acpi_pc_config *c, char *err,
		       size_t errlen);

#endif
