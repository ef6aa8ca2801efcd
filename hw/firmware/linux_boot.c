// SPDX-License-Identifier: GPL-2.0-only
/*
 * Direct Linux boot through fw_cfg. Addresses and header patches follow
 * QEMU's x86_load_linux (qemu hw/i386/x86.c) for a protocol >= 2.02 bzImage:
 * setup at 0x10000, command line at 0x20000, protected-mode kernel at 1 MiB,
 * initrd as high as the kernel allows below the end of low RAM, rounded
 * down to a page. The header fields are the x86 boot protocol's
 * (Linux Documentation/arch/x86/boot.rst).
 */
#include "linux_boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REAL_ADDR 0x10000u
#define CMDLINE_ADDR 0x20000u
#define PROT_ADDR 0x100000u
#define KERNEL_MAX (128u << 20)
#define INITRD_MAX (1u << 30)
/* Kept free at the top of low RAM (QEMU: its ACPI data, 0x20000 + 0x8000; rounded up). */
#define TOP_RESERVE 0x40000u

#define HDR_SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_CMDLINE_SIZE 0x238
#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le(uint8_t *p, uint32_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *slurp(const char *opt, const char *path, size_t max, size_t *len, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f) {
		snprintf(err, errlen, "%s %s: %s", opt, path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || (size_t)n > max || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s %s: unreadable or over %zu MiB", opt, path, max >> 20);
		goto out;
	}
	buf = malloc((size_t)n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s %s: cannot read it", opt, path);
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)n;
out:
	fclose(f);
	return buf;
}

static int add32(struct fw_cfg *f, uint16_t key, uint32_t v)
{
	uint8_t b[4];

	put_le(b, v, 4);
	return fw_cfg_add_item(f, key, b, 4);
}

/*
 * The loader ROM boots first, whatever else offers to (a NIC's iPXE ROM
 * would try the network first): QEMU gives it bootindex 0, so its fw_cfg
 * "bootorder" names it alone (hw/i386/x86.c x86_load_linux; the list's
 * format is softmmu/bootdevice.c get_boot_devices_list: paths, NUL-ended).
 */
#define BOOTORDER "/rom@genroms/linuxboot_dma.bin"

int linux_boot_setup(struct fw_cfg *f, const struct linux_boot *lb, uint64_t ram_below_4g,
		     char *err, size_t errlen)
{
	const char *cmdline = lb->cmdline ? lb->cmdline : "";
	const char *rom_path = lb->rom ? lb->rom : LINUXBOOT_ROM;
	uint8_t *kernel = NULL, *initrd = NULL, *rom = NULL;
	size_t klen = 0, ilen = 0, rlen = 0, setup_size, cmdline_len = strlen(cmdline);
	uint32_t initrd_max, initrd_addr = 0, cmdline_max = 255;
	uint16_t protocol;
	int rc = -1;

	kernel = slurp("-kernel", lb->kernel, KERNEL_MAX, &klen, err, errlen);
	if (!kernel)
		goto out;
	if (klen < 0x250 || memcmp(kernel + HDR_MAGIC, "HdrS", 4)) {
		snprintf(err, errlen, "-kernel %s: not a bzImage (no \"HdrS\" boot-protocol header)", lb->kernel);
		goto out;
	}
	protocol = (uint16_t)(kernel[HDR_VERSION] | kernel[HDR_VERSION + 1] << 8);
	if (protocol < 0x202 || !(kernel[HDR_LOADFLAGS] & LOADED_HIGH)) {
		snprintf(err, errlen, "-kernel %s: boot protocol %u.%02u%s; hvmdm boots bzImages of protocol 2.02 or later",
			 lb->kernel, protocol >> 8, protocol & 0xff,
			 (kernel[HDR_LOADFLAGS] & LOADED_HIGH) ? "" : " loaded low (a zImage)");
		goto out;
	}
	setup_size = ((size_t)(kernel[HDR_SETUP_SECTS] ? kernel[HDR_SETUP_SECTS] : 4) + 1) * 512;
	/* The setup code, its heap and stack live between 0x10000 and the command line. */
	if (setup_size > klen || setup_size > CMDLINE_ADDR - REAL_ADDR - 0x1000) {
		snprintf(err, errlen, "-kernel %s: %zu bytes of setup code do not fit", lb->kernel, setup_size);
		goto out;
	}
	if (protocol >= 0x206)
		cmdline_max = le32_at(kernel + HDR_CMDLINE_SIZE);
	if (cmdline_max > 0xffff)
		cmdline_max = 0xffff; /* it sits in the 64 KiB below the kernel */
	if (cmdline_len > cmdline_max) {
		snprintf(err, errlen, "-append: %zu bytes, this kernel takes at most %u", cmdline_len, cmdline_max);
		goto out;
	}
	initrd_max = protocol >= 0x203 ? le32_at(kernel + HDR_INITRD_ADDR_MAX) : 0x37ffffff;
	if (ram_below_4g <= TOP_RESERVE + PROT_ADDR + (klen - setup_size)) {
		snprintf(err, errlen, "-kernel %s: %llu MiB of RAM is too little for it", lb->kernel,
			 (unsigned long long)(ram_below_4g >> 20));
		goto out;
	}
	if (initrd_max > ram_below_4g - TOP_RESERVE - 1)
		initrd_max = (uint32_t)(ram_below_4g - TOP_RESERVE - 1);

	/* The patched setup header: loader 0xb0 (QEMU's), heap, command line, initrd. */
	kernel[HDR_TYPE_OF_LOADER] = 0xb0;
	kernel[HDR_LOADFLAGS] |= CAN_USE_HEAP;
	put_le(kernel + HDR_HEAP_END_PTR, CMDLINE_ADDR - REAL_ADDR - 0x200, 2);
	put_le(kernel + HDR_CMD_LINE_PTR, CMDLINE_ADDR, 4);
	if (lb->initrd) {
		initrd = slurp("-initrd", lb->initrd, INITRD_MAX, &ilen, err, errlen);
		if (!initrd)
			goto out;
		if (ilen > initrd_max || ((initrd_max - ilen) & ~0xfffu) < PROT_ADDR + (klen - setup_size)) {
			snprintf(err, errlen, "-initrd %s: %zu bytes do not fit between the kernel and %#x",
				 lb->initrd, ilen, initrd_max);
			goto out;
		}
		initrd_addr = (uint32_t)((initrd_max - ilen) & ~0xfffu);
		put_le(kernel + HDR_RAMDISK_IMAGE, initrd_addr, 4);
		put_le(kernel + HDR_RAMDISK_SIZE, (uint32_t)ilen, 4);
	}
	rom = slurp("the Linux loader ROM", rom_path, 64 * 1024, &rlen, err, errlen);
	if (!rom)
		goto out;
	if (add32(f, FW_CFG_SETUP_ADDR, REAL_ADDR) || add32(f, FW_CFG_SETUP_SIZE, (uint32_t)setup_size) ||
	    fw_cfg_add_item(f, FW_CFG_SETUP_DATA, kernel, (uint32_t)setup_size) ||
	    add32(f, FW_CFG_KERNEL_ADDR, PROT_ADDR) ||
	    add32(f, FW_CFG_KERNEL_SIZE, (uint32_t)(klen - setup_size)) ||
	    fw_cfg_add_item(f, FW_CFG_KERNEL_DATA, kernel + setup_size, (uint32_t)(klen - setup_size)) ||
	    add32(f, FW_CFG_CMDLINE_ADDR, CMDLINE_ADDR) ||
	    add32(f, FW_CFG_CMDLINE_SIZE, (uint32_t)cmdline_len + 1) ||
	    fw_cfg_add_item(f, FW_CFG_CMDLINE_DATA, cmdline, (uint32_t)cmdline_len + 1) ||
	    add32(f, FW_CFG_INITRD_ADDR, initrd_addr) || add32(f, FW_CFG_INITRD_SIZE, (uint32_t)ilen) ||
	    (initrd && fw_cfg_add_item(f, FW_CFG_INITRD_DATA, initrd, (uint32_t)ilen)) ||
	    fw_cfg_add_file(f, "genroms/linuxboot_dma.bin", rom, (uint32_t)rlen) ||
	    fw_cfg_add_file(f, "bootorder", (const uint8_t *)BOOTORDER, sizeof(BOOTORDER))) {
		snprintf(err, errlen, "-kernel: fw_cfg is out of memory or of file slots");
		goto out;
	}
	rc = 0;
out:
	free(kernel);
	free(initrd);
	free(rom);
	return rc;
}
