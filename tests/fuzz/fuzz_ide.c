// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the ATA/ATAPI command path: a guest program of IDE
 * register accesses, data-register bursts, guest-memory writes (PRD tables
 * and DMA buffers live in 64 KiB of fuzzed RAM) and save/check/load round
 * trips, against a machine with a disk and a CD-ROM on memory-backed images.
 *
 *   byte 0: bit 0 CD has a medium, bit 1 xenfv (else pc); then 4-byte records:
 *     op (mod 6) | a | b | c
 *   0: write port[a] (size 1 << (b & 3), value c * 0x01010101)
 *   1: read port[a]
 *   2: RAM[(a << 8 | b) * 4] = c (dword-aligned so PRDs are easy to form)
 *   3: read the data register of channel a & 1, (b + 1) words
 *   4: write c to the data register of channel a & 1, (b + 1) words
 *   5: save the IDE state, check it, load it back (must always pass)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"

#define RAM_SIZE 65536

static uint8_t ram[RAM_SIZE];

static int nop_irq(struct accel *a, unsigned int irq, bool level)
{
	(void)a, (void)irq, (void)level;
	return 0;
}

static int nop_intx(struct accel *a, unsigned int slot, unsigned int intx, bool level)
{
	(void)a, (void)slot, (void)intx, (void)level;
	return 0;
}

static int nop_route(struct accel *a, unsigned int link, unsigned int irq)
{
	(void)a, (void)link, (void)irq;
	return 0;
}

static int nop_msi(struct accel *a, uint64_t addr, uint32_t data)
{
	(void)a, (void)addr, (void)data;
	return 0;
}

static int nop_map(struct accel *a, enum io_space_kind k, uint64_t f, uint64_t l, bool map)
{
	(void)a, (void)k, (void)f, (void)l, (void)map;
	return 0;
}

static int nop_fn(struct accel *a, unsigned int devfn, bool map)
{
	(void)a, (void)devfn, (void)map;
	return 0;
}

static int nop_mem(struct accel *a, enum accel_mem_type t, uint64_t f, uint64_t n)
{
	(void)a, (void)t, (void)f, (void)n;
	return 0;
}

static int nop_req(struct accel *a, enum accel_request r)
{
	(void)a, (void)r;
	return 0;
}

static int ram_rw(struct accel *a, uint64_t gpa, void *buf, size_t len, bool write)
{
	(void)a;
	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return -1;
	if (write)
		memcpy(ram + gpa, buf, len);
	else
		memcpy(buf, ram + gpa, len);
	return 0;
}

static const struct accel_ops ops = {
	.name = "fuzz", .set_isa_irq_level = nop_irq, .set_pci_intx_level = nop_intx,
	.set_pci_link_route = nop_route, .inject_msi = nop_msi, .map_io_range = nop_map,
	.map_pci_function = nop_fn, .set_mem_type = nop_mem, .request = nop_req,
	.guest_memory_rw = ram_rw,
};

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

/* A memory-backed image of `size` bytes, as a path block_open can open. */
static const char *memory_image(const char *name, size_t size, char *path)
{
	int fd = memfd_create(name, 0);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		abort();
	for (size_t i = 0; i < size; i += 512) {
		uint8_t b[512];

		memset(b, (int)(i / 512), sizeof(b));
		if (pwrite(fd, b, sizeof(b), (off_t)i) != (ssize_t)sizeof(b))
			abort();
	}
	sprintf(path, "/proc/self/fd/%d", fd);
	return path;
}

static const uint16_t ports[] = {
	0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,
	0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376,
	0xc100, 0xc101, 0xc102, 0xc104, 0xc106, 0xc108, 0xc10a, 0xc10c,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char disk[64], cd[64];
	static struct ide_state st;
	struct machine_config cfg = { .vcpus = 1, .ram_mib = 64 };
	struct accel accel = { .ops = &ops };
	static struct machine m;
	char err[256];

	if (size < 1)
		return 0;
	log_set_sink(&sink);
	if (!disk[0]) {
		memory_image("disk", 256 * 512, disk);
		memory_image("cd", 8 * 2048, cd);
	}
	memset(ram, 0, sizeof(ram));
	cfg.profile = data[0] & 2 ? PROFILE_XENFV : PROFILE_PC;
	cfg.ide[0] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = disk };
	cfg.ide[3] = (struct ide_drive_config){ .kind = IDE_KIND_CD, .path = data[0] & 1 ? cd : NULL,
						.read_only = true };
	if (machine_create(&m, &cfg, &accel, NULL, NULL, err, sizeof(err)))
		abort();
	pci_config_write(&m.pci, PCI_DEVFN(1, 1), 0x20, 4, 0xc101);
	pci_config_write(&m.pci, PCI_DEVFN(1, 1), PCI_COMMAND, 2, 5);
	for (size_t i = 1; i + 4 <= size; i += 4) {
		const uint8_t *r = data + i;
		uint16_t port = ports[r[1] % (sizeof(ports) / sizeof(ports[0]))];
		uint16_t data_port = r[1] & 1 ? 0x170 : 0x1f0;

		switch (r[0] % 6) {
		case 0:
			io_space_write(&m.io, port, 1u << (r[2] & 3), r[3] * 0x0101010101010101ull);
			break;
		case 1:
			io_space_read(&m.io, port, 1u << (r[2] & 3));
			break;
		case 2:
			ram[((unsigned int)r[1] << 8 | r[2]) * 4 % RAM_SIZE] = r[3];
			break;
		case 3:
			for (unsigned int n = 0; n <= r[2]; n++)
				io_space_read(&m.io, data_port, 2);
			break;
		case 4:
			for (unsigned int n = 0; n <= r[2]; n++)
				io_space_write(&m.io, data_port, 2, r[3] * 0x0101u);
			break;
		default:
			/* Whatever the guest did, the device's own state must check and load. */
			piix_ide_save_state(&m.ide, &st);
			if (piix_ide_check_state(&m.ide, &st, err, sizeof(err))) {
				fprintf(stderr, "own state refused: %s\n", err);
				abort();
			}
			piix_ide_load_state(&m.ide, &st);
			break;
		}
	}
	machine_destroy(&m);
	return 0;
}
