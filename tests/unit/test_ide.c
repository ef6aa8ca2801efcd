// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 IDE: the PCI function, the task file, ATA PIO and DMA commands on a
 * raw image, ATAPI packet commands on an ISO, bus-master PRD edge cases,
 * resets, PV unplug and save/restore with a transfer waiting.
 */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "../../state/snapshot.h"

#define IDE PCI_DEVFN(1, 1)
#define P 0x1f0 /* primary command block */
#define S 0x170 /* secondary */
#define DISK_SECTORS 2048
#define CD_BLOCKS 40
#define BM 0xc100

static char disk_path[64], cd_path[64], cd2_path[64];

static uint8_t disk_byte(uint64_t sector, unsigned int i)
{
	return (uint8_t)(sector * 7 + i + (sector >> 8));
}

static uint8_t cd_byte(uint32_t block, unsigned int i, uint8_t salt)
{
	return (uint8_t)(block * 13 + i * 3 + salt);
}

static void make_image(char *path, const char *name, uint64_t units, unsigned int unit,
		       uint8_t salt)
{
	uint8_t *b = malloc(unit);
	int fd;

	snprintf(path, 64, "/tmp/hvmdm-test-%s-XXXXXX", name);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (uint64_t n = 0; n < units; n++) {
		for (unsigned int i = 0; i < unit; i++)
			b[i] = unit == 512 ? disk_byte(n, i) : cd_byte((uint32_t)n, i, salt);
		assert_int_equal(write(fd, b, unit), (ssize_t)unit);
	}
	close(fd);
	free(b);
}

static int setup(void **state)
{
	(void)state;
	make_image(disk_path, "disk", DISK_SECTORS, 512, 0);
	make_image(cd_path, "cd", CD_BLOCKS, 2048, 1);
	make_image(cd2_path, "cd2", CD_BLOCKS / 2, 2048, 2);
	tm_quiet();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(disk_path);
	unlink(cd_path);
	unlink(cd2_path);
	return 0;
}

/* hda = disk, hdc = CD-ROM with a medium; the guest side as hvmloader leaves it. */
static struct tm_ctx *ide_machine(bool with_cd_medium)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128 };
	struct tm_ctx *t;

	cfg.ide[0] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = disk_path, .read_only = false };
	cfg.ide[2] = (struct ide_drive_config){ .kind = IDE_KIND_CD, .path = with_cd_medium ? cd_path : NULL, .read_only = true };
	t = tm_new_cfg(&cfg);
	cfg_wr(t, IDE, 0x20, 4, BM | 1);
	cfg_wr(t, IDE, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	return t;
}

static void disk_pread(void *buf, size_t len, uint64_t off)
{
	int fd = open(disk_path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void restore_disk(void)
{
	uint8_t b[512];
	int fd = open(disk_path, O_WRONLY);

	for (uint64_t n = 0; n < DISK_SECTORS; n++) {
		for (unsigned int i = 0; i < 512; i++)
			b[i] = disk_byte(n, i);
		assert_int_equal(pwrite(fd, b, 512, (off_t)n * 512), 512);
	}
	close(fd);
}

static uint8_t status(struct tm_ctx *t, uint16_t base)
{
	return (uint8_t)inp(t, base + 7, 1);
}

static void lba28(struct tm_ctx *t, uint16_t base, unsigned int dev, uint32_t lba, uint8_t count)
{
	outp(t, base + 6, 1, 0xe0 | dev << 4 | ((lba >> 24) & 0xf));
	outp(t, base + 2, 1, count);
	outp(t, base + 3, 1, lba & 0xff);
	outp(t, base + 4, 1, (lba >> 8) & 0xff);
	outp(t, base + 5, 1, (lba >> 16) & 0xff);
}

static void lba48(struct tm_ctx *t, uint64_t lba, uint16_t count)
{
	outp(t, P + 6, 1, 0x40);
	outp(t, P + 2, 1, count >> 8), outp(t, P + 2, 1, count & 0xff);
	outp(t, P + 3, 1, (lba >> 24) & 0xff), outp(t, P + 3, 1, lba & 0xff);
	outp(t, P + 4, 1, (lba >> 32) & 0xff), outp(t, P + 4, 1, (lba >> 8) & 0xff);
	outp(t, P + 5, 1, (lba >> 40) & 0xff), outp(t, P + 5, 1, (lba >> 16) & 0xff);
}

static void read_words(struct tm_ctx *t, uint16_t base, uint8_t *buf, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i += 2) {
		uint16_t w = (uint16_t)inp(t, base, 2);

		buf[i] = (uint8_t)w;
		buf[i + 1] = (uint8_t)(w >> 8);
	}
}

static void test_pci_function(void **state)
{
	struct tm_ctx *t = ide_machine(true);

	(void)state;
	assert_int_equal(cfg_rd(t, IDE, 0, 4), 0x70108086);
	assert_int_equal(cfg_rd(t, IDE, 0x08, 4), 0x01018000); /* legacy mode, bus master */
	assert_int_equal(cfg_rd(t, IDE, PCI_STATUS, 2), 0x0280);
	assert_int_equal(cfg_rd(t, IDE, PCI_INTERRUPT_PIN, 1), 0); /* ISA IRQs 14/15 */
	assert_int_equal(cfg_rd(t, IDE, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	/* qemu-xen-traditional's IDE function says XenSource (hw/ide.c pci_piix3_ide_init). */
	{
		struct tm_ctx *trad = tm_new(PROFILE_XENFV_TRAD, 1, NULL);

		assert_int_equal(cfg_rd(trad, IDE, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00015853);
		tm_free(trad);
	}
	/* BAR4 is 16 bytes of I/O; BAR0-3 do not exist in legacy mode. */
	cfg_wr(t, IDE, 0x20, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, IDE, 0x20, 4), 0xfffffff1);
	cfg_wr(t, IDE, 0x10, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, IDE, 0x10, 4), 0);
	cfg_wr(t, IDE, 0x20, 4, BM | 1);
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, BM, BM + 15));
	/* The legacy ports are always there; the IDETIM decode bits are plain registers. */
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0x1f0, 0x1f7));
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0x3f6, 0x3f6));
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0x170, 0x177));
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0x376, 0x376));
	cfg_wr(t, IDE, 0x40, 4, 0x80008000);
	assert_int_equal(cfg_rd(t, IDE, 0x40, 4), 0x80008000);
	/* Bus-master registers: table pointer dword aligned, status bits 5-6 writable. */
	outp(t, BM + 4, 4, 0x12345677);
	assert_int_equal(inp(t, BM + 4, 4), 0x12345674);
	outp(t, BM + 2, 1, 0xff);
	assert_int_equal(inp(t, BM + 2, 1), 0x60);
	assert_int_equal(inp(t, BM + 0, 2), 0xffff); /* command/status take bytes only */
	tm_free(t);
}

static void test_absent_drives(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	/* No drive on the channel: every register reads 0 (QEMU), commands do nothing. */
	for (unsigned int r = 1; r < 8; r++)
		assert_int_equal(inp(t, P + r, 1), 0);
	outp(t, P + 7, 1, 0xec);
	assert_int_equal(status(t, P), 0);
	assert_false(t->acc.isa_irq[14]);
	assert_int_equal(inp(t, P, 2), 0);
	assert_int_equal(inp(t, 0x3f6, 1), 0);
	tm_free(t);

	/* A present master, an absent slave: the slave's registers read 0. */
	t = ide_machine(true);
	outp(t, P + 6, 1, 0xb0);
	assert_int_equal(status(t, P), 0);
	assert_int_equal(inp(t, P + 6, 1), 0xb0);
	outp(t, P + 7, 1, 0xec);
	assert_false(t->acc.isa_irq[14]);
	tm_free(t);
}

static void test_signatures_and_identify(void **state)
{
	struct tm_ctx *t = ide_machine(true);
	uint8_t id[512];
	char model[41];

	(void)state;
	/* After reset: disk ready with the ATA signature, CD status 0 with the ATAPI one. */
	assert_int_equal(status(t, P), 0x50);
	assert_int_equal(inp(t, P + 1, 1), 0x01);
	assert_int_equal(inp(t, P + 2, 1), 1);
	assert_int_equal(inp(t, P + 4, 2) & 0xff, 0);
	assert_int_equal(status(t, S), 0);
	assert_int_equal(inp(t, S + 4, 1), 0x14);
	assert_int_equal(inp(t, S + 5, 1), 0xeb);

	outp(t, P + 6, 1, 0xa0);
	outp(t, P + 7, 1, 0xec);
	assert_true(t->acc.isa_irq[14]);
	assert_int_equal(inp(t, BM + 2, 1) & BM_STATUS_INT, BM_STATUS_INT);
	assert_int_equal(inp(t, 0x3f6, 1), 0x58); /* Alternate Status: no acknowledge */
	assert_true(t->acc.isa_irq[14]);
	assert_int_equal(status(t, P), 0x58);
	assert_false(t->acc.isa_irq[14]);
	read_words(t, P, id, 512);
	assert_int_equal(status(t, P), 0x50);
	assert_int_equal(id[0], 0x40);
	assert_int_equal(id[120] | id[121] << 8 | id[122] << 16, DISK_SECTORS); /* words 60-61 */
	assert_int_equal(id[200] | id[201] << 8, DISK_SECTORS); /* word 100: LBA48 count */
	assert_int_equal(id[83 * 2 + 1] & 0x04, 0x04);           /* word 83 bit 10: LBA48 */
	assert_int_equal(id[2] | id[3] << 8, DISK_SECTORS / (16 * 63)); /* cylinders */
	for (unsigned int i = 0; i < 40; i += 2) {
		model[i] = (char)id[54 + i + 1];
		model[i + 1] = (char)id[54 + i];
	}
	model[40] = '\0';
	/* QEMU 7.2's identity (a cold boot's): model, serial QM00001, firmware 2.5+. */
	assert_int_equal(strncmp(model, "QEMU HARDDISK ", 14), 0);
	assert_memory_equal(id + 20, "MQ0000 1", 8); /* words 10-13: "QM00001 " byte-swapped */
	assert_memory_equal(id + 46, ".2+5    ", 8);
	{
		struct machine_state *st = calloc(1, sizeof(*st));
		char who[41];

		/* A guest restored from hvmdm 0.2 (identity 2) goes on seeing hvmdm's drives. */
		assert_non_null(st);
		machine_save_state(&t->m, st);
		assert_int_equal(st->ide.identity, IDE_IDENTITY_QEMU);
		st->ide.identity = IDE_IDENTITY_HVMDM;
		machine_load_state(&t->m, st);
		outp(t, P + 7, 1, 0xec);
		read_words(t, P, id, 512);
		for (unsigned int i = 0; i < 40; i += 2) {
			who[i] = (char)id[54 + i + 1];
			who[i + 1] = (char)id[54 + i];
		}
		who[40] = '\0';
		assert_int_equal(strncmp(who, "HVMDM HARDDISK ", 15), 0);
		assert_memory_equal(id + 20, "VHDM0M0010", 10);
		/* and one from qemu-xen-traditional sees its firmware revision */
		st->ide.identity = IDE_IDENTITY_TRAD;
		machine_load_state(&t->m, st);
		outp(t, P + 7, 1, 0xec);
		read_words(t, P, id, 512);
		assert_memory_equal(id + 46, ".0012.  ", 8);
		assert_memory_equal(id + 20, "MQ0000 1", 8);
		/* a value no producer writes is refused before anything is applied */
		st->ide.identity = 7;
		assert_int_not_equal(machine_check_state(&t->m, st, NULL, NULL, who, sizeof(who)), 0);
		st->ide.identity = IDE_IDENTITY_QEMU;
		machine_load_state(&t->m, st);
		free(st);
		outp(t, P + 7, 1, 0xec);
		read_words(t, P, id, 512);
	}
	/* Beyond the data the register reads 0 and the drive stays idle. */
	assert_int_equal(inp(t, P, 2), 0);

	/* A 32-bit read takes two words. */
	outp(t, P + 7, 1, 0xec);
	assert_int_equal(inp(t, P, 4), 0x00000040 | (uint32_t)(DISK_SECTORS / 1008) << 16);
	read_words(t, P, id, 508);
	assert_int_equal(status(t, P), 0x50);

	/* IDENTIFY DEVICE to a CD aborts with the signature; IDENTIFY PACKET DEVICE answers. */
	outp(t, S + 6, 1, 0xa0);
	outp(t, S + 7, 1, 0xec);
	assert_int_equal(status(t, S), 0x41);
	assert_int_equal(inp(t, S + 1, 1), IDE_ERR_ABRT);
	assert_int_equal(inp(t, S + 4, 1), 0x14);
	outp(t, S + 7, 1, 0xa1);
	assert_true(t->acc.isa_irq[15]);
	read_words(t, S, id, 512);
	assert_int_equal(id[0] | id[1] << 8, 0x85c0);
	/* ATAPI-only commands abort on a disk. */
	outp(t, P + 7, 1, 0xa0);
	assert_int_equal(status(t, P), 0x41);
	tm_free(t);
}

static void test_pio_read_write(void **state)
{
	struct tm_ctx *t = ide_machine(true);
	uint8_t buf[8 * 512], file[8 * 512];
	unsigned int irqs;

	(void)state;
	/* WRITE SECTORS: two sectors at 5; DRQ without an interrupt for the first. */
	lba28(t, P, 0, 5, 2);
	outp(t, P + 7, 1, 0x30);
	assert_int_equal(inp(t, 0x3f6, 1), 0x58);
	assert_false(t->acc.isa_irq[14]);
	for (unsigned int i = 0; i < 256; i++)
		outp(t, P, 2, 0xa000 + i);
	assert_true(t->acc.isa_irq[14]); /* the second block is asked for */
	assert_int_equal(status(t, P), 0x58);
	for (unsigned int i = 0; i < 128; i++)
		outp(t, P, 4, 0xb0000000u + i);
	assert_int_equal(status(t, P), 0x50);
	disk_pread(file, 1024, 5 * 512);
	assert_int_equal(file[0], 0x00);
	assert_int_equal(file[1], 0xa0);
	assert_int_equal(file[510], 0xff);
	assert_int_equal(file[512], 0x00);
	assert_int_equal(file[515], 0xb0);
	/* The task file ends at the next sector, the count at 0. */
	assert_int_equal(inp(t, P + 3, 1), 7);
	assert_int_equal(inp(t, P + 2, 1), 0);

	/* READ SECTORS back. */
	lba28(t, P, 0, 5, 2);
	outp(t, P + 7, 1, 0x20);
	assert_int_equal(status(t, P), 0x58);
	read_words(t, P, buf, 512);
	assert_int_equal(status(t, P), 0x58);
	read_words(t, P, buf + 512, 512);
	assert_int_equal(status(t, P), 0x50);
	assert_memory_equal(buf, file, 1024);
	restore_disk();

	/* READ MULTIPLE after SET MULTIPLE 4: six sectors in blocks of 4 and 2. */
	outp(t, P + 2, 1, 3);
	outp(t, P + 7, 1, 0xc6); /* 3 is not a power of two */
	assert_int_equal(status(t, P), 0x41);
	outp(t, P + 2, 1, 4);
	outp(t, P + 7, 1, 0xc6);
	assert_int_equal(status(t, P), 0x50);
	lba28(t, P, 0, 100, 6);
	irqs = t->acc.isa_irq_changes[14];
	outp(t, P + 7, 1, 0xc4);
	read_words(t, P, buf, 4 * 512);
	assert_int_equal(status(t, P), 0x58);
	read_words(t, P, buf + 4 * 512, 2 * 512);
	assert_int_equal(status(t, P), 0x50);
	assert_true(t->acc.isa_irq_changes[14] > irqs);
	disk_pread(file, 6 * 512, 100 * 512);
	assert_memory_equal(buf, file, 6 * 512);

	/* READ SECTORS EXT at a 48-bit address (the high bytes written first). */
	outp(t, P + 6, 1, 0x40);
	outp(t, P + 2, 1, 0), outp(t, P + 2, 1, 1);
	outp(t, P + 3, 1, 0), outp(t, P + 3, 1, 0xff);
	outp(t, P + 4, 1, 0), outp(t, P + 4, 1, 0x06);
	outp(t, P + 5, 1, 0), outp(t, P + 5, 1, 0);
	outp(t, P + 7, 1, 0x24);
	read_words(t, P, buf, 512);
	disk_pread(file, 512, 0x6ff * 512);
	assert_memory_equal(buf, file, 512);
	/* HOB reads the previous bytes. */
	outp(t, 0x3f6, 1, 0x80);
	assert_int_equal(inp(t, P + 3, 1), 0);
	outp(t, 0x3f6, 1, 0x00);

	/* CHS: cylinder 1, head 2, sector 3 = (1 * 16 + 2) * 63 + 2. */
	outp(t, P + 6, 1, 0xa2);
	outp(t, P + 2, 1, 1);
	outp(t, P + 3, 1, 3);
	outp(t, P + 4, 1, 1);
	outp(t, P + 5, 1, 0);
	outp(t, P + 7, 1, 0x20);
	read_words(t, P, buf, 512);
	disk_pread(file, 512, (uint64_t)((1 * 16 + 2) * 63 + 2) * 512);
	assert_memory_equal(buf, file, 512);

	/* Beyond the image: IDNF and ABRT, an interrupt, no data. */
	lba28(t, P, 0, DISK_SECTORS - 1, 2);
	outp(t, P + 7, 1, 0x20);
	assert_int_equal(status(t, P), 0x41);
	assert_int_equal(inp(t, P + 1, 1), IDE_ERR_IDNF | IDE_ERR_ABRT);
	/* Unknown commands abort; a new command while DRQ is set is ignored. */
	outp(t, P + 7, 1, 0x5c);
	assert_int_equal(status(t, P), 0x41);
	lba28(t, P, 0, 0, 1);
	outp(t, P + 7, 1, 0x20);
	outp(t, P + 7, 1, 0xec);
	read_words(t, P, buf, 512);
	disk_pread(file, 512, 0);
	assert_memory_equal(buf, file, 512);
	/* FLUSH CACHE, VERIFY, SET FEATURES (UDMA 5), READ NATIVE MAX. */
	outp(t, P + 7, 1, 0xe7);
	assert_int_equal(status(t, P), 0x50);
	lba28(t, P, 0, 10, 4);
	outp(t, P + 7, 1, 0x40);
	assert_int_equal(status(t, P), 0x50);
	assert_int_equal(inp(t, P + 3, 1), 14);
	outp(t, P + 1, 1, 0x03);
	outp(t, P + 2, 1, 0x45);
	outp(t, P + 7, 1, 0xef);
	assert_int_equal(status(t, P), 0x50);
	outp(t, P + 7, 1, 0xec);
	read_words(t, P, buf, 512);
	assert_int_equal(buf[88 * 2 + 1], 0x20); /* UDMA 5 selected */
	outp(t, P + 6, 1, 0xe0);
	outp(t, P + 7, 1, 0xf8);
	assert_int_equal(inp(t, P + 3, 1) | inp(t, P + 4, 1) << 8, DISK_SECTORS - 1);
	tm_free(t);
}

static void put_prd(struct tm_ctx *t, uint32_t at, uint32_t addr, uint32_t len, bool eot)
{
	le_write(t->acc.guest_ram + at, 4, addr);
	le_write(t->acc.guest_ram + at + 4, 4, (len & 0xffff) | (eot ? 0x80000000u : 0));
}

static void test_dma(void **state)
{
	struct tm_ctx *t = ide_machine(true);
	uint8_t file[64 * 1024];
	uint8_t *ram = t->acc.guest_ram;

	(void)state;
	/* READ DMA of 8 sectors into two PRDs (1 KiB at 0x10000, 3 KiB at 0x20000). */
	put_prd(t, 0x1000, 0x10000, 1024, false);
	put_prd(t, 0x1008, 0x20000, 3072, true);
	outp(t, BM + 4, 4, 0x1000);
	outp(t, BM, 1, BM_CMD_TO_MEMORY);
	lba28(t, P, 0, 40, 8);
	outp(t, P + 7, 1, 0xc8);
	assert_int_equal(inp(t, 0x3f6, 1), 0x58); /* waiting for the bus master */
	assert_false(t->acc.isa_irq[14]);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_true(t->acc.isa_irq[14]);
	assert_int_equal(inp(t, BM + 2, 1), BM_STATUS_INT); /* the table ended exactly: inactive */
	assert_int_equal(status(t, P), 0x50);
	disk_pread(file, 4096, 40 * 512);
	assert_memory_equal(ram + 0x10000, file, 1024);
	assert_memory_equal(ram + 0x20000, file + 1024, 3072);
	outp(t, BM, 1, 0);
	outp(t, BM + 2, 1, BM_STATUS_INT);
	assert_int_equal(inp(t, BM + 2, 1), 0);

	/* WRITE DMA with the start bit set first; a longer table stays active. */
	for (unsigned int i = 0; i < 2048; i++)
		ram[0x30000 + i] = (uint8_t)(0x5a ^ i);
	put_prd(t, 0x1000, 0x30000, 2048, false);
	put_prd(t, 0x1008, 0x40000, 2048, true);
	outp(t, BM, 1, BM_CMD_START);
	lba28(t, P, 0, 300, 4);
	outp(t, P + 7, 1, 0xca);
	assert_int_equal(inp(t, BM + 2, 1), BM_STATUS_INT | BM_STATUS_ACTIVE);
	assert_int_equal(status(t, P), 0x50);
	disk_pread(file, 2048, 300 * 512);
	assert_memory_equal(file, ram + 0x30000, 2048);
	outp(t, BM, 1, 0);
	assert_int_equal(inp(t, BM + 2, 1), BM_STATUS_INT);
	outp(t, BM + 2, 1, BM_STATUS_INT);
	restore_disk();

	/* A table too short: ACTIVE cleared, no interrupt, the drive idle. */
	put_prd(t, 0x1000, 0x10000, 512, true);
	lba28(t, P, 0, 0, 4);
	outp(t, P + 7, 1, 0xc8);
	status(t, P);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_false(t->acc.isa_irq[14]);
	assert_int_equal(inp(t, BM + 2, 1), 0);
	assert_int_equal(inp(t, 0x3f6, 1), 0x50);
	outp(t, BM, 1, 0);

	/* Count 0 is 64 KiB. */
	memset(ram + 0x80000, 0, 65536);
	put_prd(t, 0x1000, 0x80000, 0, true);
	lba28(t, P, 0, 64, 128);
	outp(t, P + 7, 1, 0xc8);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_int_equal(inp(t, BM + 2, 1), BM_STATUS_INT);
	disk_pread(file, 65536, 64 * 512);
	assert_memory_equal(ram + 0x80000, file, 65536);
	outp(t, BM, 1, 0);
	outp(t, BM + 2, 1, BM_STATUS_INT);

	/* A runaway table (no EOT, 2-byte entries) ends after 512 entries: no hang, no overrun. */
	for (unsigned int i = 0; i < 1024; i++)
		put_prd(t, 0x2000 + 8 * i, 0x10000 + 2 * i, 2, false);
	outp(t, BM + 4, 4, 0x2000);
	lba28(t, P, 0, 0, 8);
	outp(t, P + 7, 1, 0xc8);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_int_equal(inp(t, BM + 2, 1) & BM_STATUS_ACTIVE, 0);
	assert_int_equal(inp(t, 0x3f6, 1), 0x50);
	outp(t, BM, 1, 0);

	/* A PRD outside guest memory: the bus-master error bit and an aborted command. */
	put_prd(t, 0x1000, 0xfff00000, 512, true);
	outp(t, BM + 4, 4, 0x1000);
	lba28(t, P, 0, 0, 1);
	outp(t, P + 7, 1, 0xc8);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_int_equal(inp(t, BM + 2, 1) & (BM_STATUS_ERROR | BM_STATUS_ACTIVE), BM_STATUS_ERROR);
	assert_int_equal(status(t, P), 0x41);
	outp(t, BM, 1, 0);
	outp(t, BM + 2, 1, BM_STATUS_ERROR | BM_STATUS_INT);
	/* The table itself outside memory. */
	outp(t, BM + 4, 4, 0xfffff000);
	lba28(t, P, 0, 0, 1);
	outp(t, P + 7, 1, 0xc8);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_int_equal(inp(t, BM + 2, 1) & BM_STATUS_ERROR, BM_STATUS_ERROR);
	outp(t, BM, 1, 0);
	outp(t, BM + 2, 1, BM_STATUS_ERROR | BM_STATUS_INT);
	/* Bus mastering disabled in the command register: the cycles never happen. */
	cfg_wr(t, IDE, PCI_COMMAND, 2, PCI_COMMAND_IO);
	memset(ram + 0x10000, 0xee, 512);
	put_prd(t, 0x1000, 0x10000, 512, true);
	outp(t, BM + 4, 4, 0x1000);
	lba28(t, P, 0, 0, 1);
	outp(t, P + 7, 1, 0xc8);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_int_equal(ram[0x10000], 0xee);
	assert_int_equal(status(t, P), 0x41);
	tm_free(t);
}

/* Send a 12-byte packet with a byte count limit; returns the status after it. */
static uint8_t packet(struct tm_ctx *t, const uint8_t cdb[12], uint16_t limit, bool dma)
{
	outp(t, S + 6, 1, 0xa0);
	outp(t, S + 1, 1, dma);
	outp(t, S + 4, 1, limit & 0xff);
	outp(t, S + 5, 1, limit >> 8);
	outp(t, S + 7, 1, 0xa0);
	assert_int_equal(inp(t, 0x376, 1) & 0x89, 0x08); /* DRQ, no BSY, no ERR */
	assert_int_equal(inp(t, S + 2, 1) & 3, 1);        /* CoD: the command */
	for (unsigned int i = 0; i < 12; i += 2)
		outp(t, S, 2, cdb[i] | cdb[i + 1] << 8);
	return (uint8_t)inp(t, 0x376, 1);
}

/* Read a PIO data-in phase: every DRQ block's announced length, all data. */
static unsigned int atapi_read_all(struct tm_ctx *t, uint8_t *buf, unsigned int max, unsigned int *blocks)
{
	unsigned int got = 0;

	*blocks = 0;
	while (status(t, S) & IDE_STAT_DRQ) {
		unsigned int n = (unsigned int)(inp(t, S + 4, 1) | inp(t, S + 5, 1) << 8);

		assert_int_equal(inp(t, S + 2, 1) & 3, 2); /* I/O, data */
		assert_true(got + n <= max);
		read_words(t, S, buf + got, n);
		got += n;
		(*blocks)++;
	}
	return got;
}

static void test_atapi(void **state)
{
	struct tm_ctx *t = ide_machine(true);
	uint8_t cdb[12] = { 0 }, buf[16384];
	unsigned int blocks, n;

	(void)state;
	/* INQUIRY: a removable CD-ROM. */
	cdb[0] = 0x12, cdb[4] = 36;
	packet(t, cdb, 0xfffe, false);
	assert_true(t->acc.isa_irq[15]);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(n, 36);
	assert_int_equal(buf[0], 0x05);
	assert_int_equal(buf[1], 0x80);
	assert_memory_equal(buf + 8, "QEMU    QEMU DVD-ROM    2.5+", 28); /* QEMU 7.2's */
	assert_int_equal(inp(t, S + 2, 1) & 3, 3); /* completion */
	assert_int_equal(status(t, S), 0x50);

	/* READ CAPACITY. */
	memset(cdb, 0, 12);
	cdb[0] = 0x25;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 8);
	assert_int_equal(buf[3], CD_BLOCKS - 1);
	assert_int_equal(buf[6], 0x08);

	/* READ(10) of 3 blocks with a 2 KiB byte count limit: three DRQ blocks. */
	memset(cdb, 0, 12);
	cdb[0] = 0x28, cdb[5] = 4, cdb[8] = 3;
	packet(t, cdb, 2048, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(n, 3 * 2048);
	assert_int_equal(blocks, 3);
	for (unsigned int i = 0; i < n; i++)
		if (buf[i] != cd_byte(4 + i / 2048, i % 2048, 1))
			fail_msg("CD byte %u", i);
	/* An odd, small limit: 1000-byte blocks. */
	cdb[8] = 1;
	packet(t, cdb, 1001, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(n, 2048);
	assert_int_equal(blocks, 3);

	/* READ(10) by DMA. */
	put_prd(t, 0x1000, 0x10000, 4 * 2048, true);
	outp(t, BM + 8 + 4, 4, 0x1000);
	outp(t, BM + 8, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	cdb[5] = 10, cdb[8] = 4;
	packet(t, cdb, 0, true);
	assert_int_equal(inp(t, BM + 10, 1), BM_STATUS_INT);
	assert_int_equal(status(t, S), 0x50);
	for (unsigned int i = 0; i < 4 * 2048; i++)
		if (t->acc.guest_ram[0x10000 + i] != cd_byte(10 + i / 2048, i % 2048, 1))
			fail_msg("CD DMA byte %u", i);
	outp(t, BM + 8, 1, 0);

	/* Past the end: ILLEGAL REQUEST / LBA out of range, then REQUEST SENSE says so. */
	cdb[5] = CD_BLOCKS - 1, cdb[8] = 2;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	assert_int_equal(inp(t, S + 1, 1) >> 4, 5);
	memset(cdb, 0, 12);
	cdb[0] = 0x03, cdb[4] = 18;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 18);
	assert_int_equal(buf[2], 5);
	assert_int_equal(buf[12], 0x21);

	/* READ TOC: one data track and the lead-out at the capacity (MSF too). */
	memset(cdb, 0, 12);
	cdb[0] = 0x43, cdb[8] = 100;
	packet(t, cdb, 0xfffe, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(n, 20);
	assert_int_equal(buf[6], 1);
	assert_int_equal(buf[14], 0xaa);
	assert_int_equal(buf[19], CD_BLOCKS);
	cdb[1] = 2;
	packet(t, cdb, 0xfffe, false);
	atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(buf[10], 2); /* track 1 at 00:02:00 */
	assert_int_equal(buf[18], (CD_BLOCKS + 150) / 75 % 60);
	cdb[2] = 5; /* an unknown format */
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);

	/* GET CONFIGURATION: CD-ROM profile current; MODE SENSE capabilities page. */
	memset(cdb, 0, 12);
	cdb[0] = 0x46, cdb[8] = 64;
	packet(t, cdb, 0xfffe, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_true(n >= 8);
	assert_int_equal(buf[7], 0x08);
	memset(cdb, 0, 12);
	cdb[0] = 0x5a, cdb[2] = 0x2a, cdb[8] = 64;
	packet(t, cdb, 0xfffe, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(buf[8], 0x2a);
	cdb[2] = 0xc0 | 0x2a; /* saved values */
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	cdb[0] = 0xee; /* unknown opcode */
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	memset(cdb, 0, 12);
	cdb[0] = 0x03, cdb[4] = 18;
	packet(t, cdb, 0xfffe, false);
	atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(buf[12], 0x20);

	/* Lock, eject refused; unlock, eject: NOT READY, medium not present. */
	memset(cdb, 0, 12);
	cdb[0] = 0x1e, cdb[4] = 1;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x50);
	memset(cdb, 0, 12);
	cdb[0] = 0x1b, cdb[4] = 2;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	assert_int_equal(inp(t, S + 1, 1) >> 4, 2);
	{
		char err[128];

		assert_int_equal(piix_ide_change_medium(&t->m.ide, 2, NULL, -1, false, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "locked"));
	}
	memset(cdb, 0, 12);
	cdb[0] = 0x1e;
	packet(t, cdb, 0xfffe, false);
	cdb[0] = 0x1b, cdb[4] = 2;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x50);
	memset(cdb, 0, 12);
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41); /* TEST UNIT READY */
	assert_int_equal(inp(t, S + 1, 1) >> 4, 2);
	/* GET EVENT STATUS reports the removal once. */
	cdb[0] = 0x4a, cdb[1] = 1, cdb[4] = 0x10, cdb[8] = 8;
	packet(t, cdb, 0xfffe, false);
	atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(buf[4], 3);
	packet(t, cdb, 0xfffe, false);
	atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(buf[4], 0);
	tm_free(t);
}

/* The commands the other tests do not reach, each with its status and its effect. */
static void test_remaining_commands(void **state)
{
	struct tm_ctx *t = ide_machine(true);
	uint8_t cdb[12] = { 0 }, buf[8192], file[8192];
	unsigned int blocks, n;

	(void)state;
	/* Power management, SPECIFY, SEEK, RECALIBRATE: accepted with an interrupt. */
	static const uint8_t ok_cmds[] = { 0xe0, 0xe1, 0xe2, 0xe3, 0xe6, 0x91, 0x70, 0x10, 0x1f };
	for (unsigned int i = 0; i < sizeof(ok_cmds); i++) {
		outp(t, P + 7, 1, ok_cmds[i]);
		assert_true(t->acc.isa_irq[14]);
		assert_int_equal(status(t, P), 0x50);
	}
	outp(t, P + 7, 1, 0xe5); /* CHECK POWER MODE: active */
	assert_int_equal(inp(t, P + 2, 1), 0xff);
	outp(t, P + 7, 1, 0x00); /* NOP always aborts */
	assert_int_equal(status(t, P), 0x41);
	/* SET FEATURES: write cache off shows in IDENTIFY word 85; an unknown feature aborts. */
	outp(t, P + 1, 1, 0x82);
	outp(t, P + 7, 1, 0xef);
	assert_int_equal(status(t, P), 0x50);
	outp(t, P + 7, 1, 0xec);
	read_words(t, P, buf, 512);
	assert_int_equal(buf[85 * 2] & 0x20, 0);
	outp(t, P + 1, 1, 0x77);
	outp(t, P + 7, 1, 0xef);
	assert_int_equal(status(t, P), 0x41);
	/* WRITE MULTIPLE EXT, VERIFY EXT, FLUSH EXT, READ MULTIPLE EXT. */
	outp(t, P + 2, 1, 2);
	outp(t, P + 7, 1, 0xc6);
	status(t, P);
	lba48(t, 50, 3);
	outp(t, P + 7, 1, 0x39);
	for (unsigned int i = 0; i < 3 * 256; i++)
		outp(t, P, 2, 0x1100 + i);
	assert_int_equal(status(t, P), 0x50);
	disk_pread(file, 3 * 512, 50 * 512);
	assert_int_equal(file[2], 0x01);
	assert_int_equal(file[3], 0x11);
	lba48(t, 50, 3);
	outp(t, P + 7, 1, 0x42);
	assert_int_equal(status(t, P), 0x50);
	outp(t, P + 7, 1, 0xea);
	assert_int_equal(status(t, P), 0x50);
	lba48(t, 50, 3);
	outp(t, P + 7, 1, 0x29);
	read_words(t, P, buf, 3 * 512);
	assert_memory_equal(buf, file, 3 * 512);
	restore_disk();
	/* READ NATIVE MAX ADDRESS EXT. */
	outp(t, P + 6, 1, 0x40);
	outp(t, P + 7, 1, 0x27);
	assert_int_equal(inp(t, P + 3, 1) | inp(t, P + 4, 1) << 8, DISK_SECTORS - 1);
	/* READ DMA EXT / WRITE DMA EXT. */
	for (unsigned int i = 0; i < 1024; i++)
		t->acc.guest_ram[0x30000 + i] = (uint8_t)(i * 3);
	put_prd(t, 0x1000, 0x30000, 1024, true);
	outp(t, BM + 4, 4, 0x1000);
	lba48(t, 60, 2);
	outp(t, P + 7, 1, 0x35);
	outp(t, BM, 1, BM_CMD_START);
	assert_int_equal(status(t, P), 0x50);
	outp(t, BM, 1, 0);
	disk_pread(file, 1024, 60 * 512);
	assert_memory_equal(file, t->acc.guest_ram + 0x30000, 1024);
	memset(t->acc.guest_ram + 0x30000, 0, 1024);
	lba48(t, 60, 2);
	outp(t, P + 7, 1, 0x25);
	outp(t, BM, 1, BM_CMD_TO_MEMORY | BM_CMD_START);
	assert_int_equal(status(t, P), 0x50);
	outp(t, BM, 1, 0);
	assert_memory_equal(file, t->acc.guest_ram + 0x30000, 1024);
	restore_disk();

	/* ATAPI: READ(12), SEEK, SET CD SPEED, READ DISC INFORMATION, MECHANISM STATUS. */
	cdb[0] = 0xa8, cdb[5] = 2, cdb[9] = 1;
	packet(t, cdb, 0xfffe, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(n, 2048);
	assert_int_equal(buf[0], cd_byte(2, 0, 1));
	memset(cdb, 0, 12);
	cdb[0] = 0x2b;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x50);
	cdb[0] = 0xbb;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x50);
	cdb[0] = 0x51, cdb[8] = 34;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 34);
	assert_int_equal(buf[2], 0x0e);
	memset(cdb, 0, 12);
	cdb[0] = 0xbd, cdb[9] = 8;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 8);
	/* MODE SENSE: error recovery page, all pages; an unknown page is an invalid field. */
	memset(cdb, 0, 12);
	cdb[0] = 0x5a, cdb[2] = 0x01, cdb[8] = 64;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 16);
	assert_int_equal(buf[8], 0x01);
	cdb[2] = 0x3f;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 8 + 8 + 22);
	cdb[2] = 0x05;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	/* GET CONFIGURATION for one feature only (RT 2): the core feature. */
	memset(cdb, 0, 12);
	cdb[0] = 0x46, cdb[1] = 2, cdb[3] = 1, cdb[8] = 64;
	packet(t, cdb, 0xfffe, false);
	n = atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(n, 8 + 12);
	assert_int_equal(buf[9], 0x01);
	/* INQUIRY of a vital product data page: invalid field. */
	memset(cdb, 0, 12);
	cdb[0] = 0x12, cdb[1] = 1, cdb[4] = 36;
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	/* Allocation lengths cut replies: INQUIRY of 5 bytes. */
	cdb[1] = 0, cdb[4] = 5;
	packet(t, cdb, 0xfffe, false);
	assert_int_equal(atapi_read_all(t, buf, sizeof(buf), &blocks), 5);
	/* An ATA command to the CD aborts with the signature; CHECK POWER MODE answers. */
	outp(t, S + 7, 1, 0x20);
	assert_int_equal(status(t, S), 0x41);
	assert_int_equal(inp(t, S + 5, 1), 0xeb);
	outp(t, S + 7, 1, 0xe5);
	assert_int_equal(status(t, S), 0x50);
	tm_free(t);
}

static void test_media_change(void **state)
{
	struct tm_ctx *t = ide_machine(false);
	uint8_t cdb[12] = { 0 }, buf[4096];
	unsigned int blocks;
	char err[128];

	(void)state;
	/* An empty drive: NOT READY, medium not present; INQUIRY still answers. */
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	assert_int_equal(inp(t, S + 1, 1) >> 4, 2);
	/* Insert (QMP blockdev-change-medium): UNIT ATTENTION once, then ready. */
	assert_int_equal(piix_ide_change_medium(&t->m.ide, 2, cd2_path, -1, false, err, sizeof(err)), 0);
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	assert_int_equal(inp(t, S + 1, 1) >> 4, 6);
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x50);
	cdb[0] = 0x25;
	packet(t, cdb, 0xfffe, false);
	atapi_read_all(t, buf, sizeof(buf), &blocks);
	assert_int_equal(buf[3], CD_BLOCKS / 2 - 1);
	/* Not a CD, a missing file: refused, the medium stays. */
	assert_int_equal(piix_ide_change_medium(&t->m.ide, 0, cd2_path, -1, false, err, sizeof(err)), -1);
	assert_int_equal(piix_ide_change_medium(&t->m.ide, 2, "/nonexistent.iso", -1, false, err, sizeof(err)), -1);
	memset(cdb, 0, 12);
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x50);
	/* Eject. */
	assert_int_equal(piix_ide_change_medium(&t->m.ide, 2, NULL, -1, false, err, sizeof(err)), 0);
	assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41);
	/* A medium handed over as a descriptor (QMP add-fd, /dev/fdset/N): the drive keeps a copy. */
	{
		int fd = open(cd_path, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(piix_ide_change_medium(&t->m.ide, 2, "/dev/fdset/0", fd, false, err,
							sizeof(err)), 0);
		close(fd);
		assert_int_equal(packet(t, cdb, 0xfffe, false), 0x41); /* unit attention */
		cdb[0] = 0x25;
		packet(t, cdb, 0xfffe, false);
		atapi_read_all(t, buf, sizeof(buf), &blocks);
		assert_int_equal(buf[3], CD_BLOCKS - 1);
		cdb[0] = 0;
	}
	/* A disk refuses to open an image that is not there. */
	{
		struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 16 };
		struct machine m;
		struct accel_double acc;

		accel_double_init(&acc);
		cfg.ide[1] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = "/nonexistent.img", .read_only = false };
		assert_int_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "/nonexistent.img"));
	}
	tm_free(t);
}

static void test_resets_and_irq_mask(void **state)
{
	struct tm_ctx *t = ide_machine(true);

	(void)state;
	/* nIEN masks the line but keeps the interrupt pending. */
	outp(t, 0x3f6, 1, IDE_CTL_NIEN);
	outp(t, P + 7, 1, 0xe7);
	assert_false(t->acc.isa_irq[14]);
	outp(t, 0x3f6, 1, 0);
	assert_true(t->acc.isa_irq[14]);
	status(t, P);
	assert_false(t->acc.isa_irq[14]);
	/* SRST: busy while set, signatures after; a transfer in progress is dropped. */
	lba28(t, P, 0, 0, 1);
	outp(t, P + 7, 1, 0x20);
	outp(t, P + 3, 1, 0x99);
	outp(t, 0x3f6, 1, IDE_CTL_SRST);
	assert_int_equal(inp(t, 0x3f6, 1), 0x90);
	outp(t, 0x3f6, 1, 0);
	assert_int_equal(status(t, P), 0x50);
	assert_int_equal(inp(t, P + 3, 1), 1);
	assert_int_equal(inp(t, P, 2), 0);
	outp(t, 0x376, 1, IDE_CTL_SRST);
	outp(t, 0x376, 1, 0);
	assert_int_equal(status(t, S), 0);
	assert_int_equal(inp(t, S + 5, 1), 0xeb);
	/* DEVICE RESET (ATAPI only), EXECUTE DEVICE DIAGNOSTIC. */
	outp(t, S + 7, 1, 0x08);
	assert_int_equal(inp(t, S + 4, 1), 0x14);
	outp(t, P + 7, 1, 0x90);
	assert_true(t->acc.isa_irq[14]);
	assert_int_equal(inp(t, P + 1, 1), 1);
	/* A machine reset puts the controller back. */
	outp(t, BM + 4, 4, 0x5000);
	machine_reset(&t->m);
	assert_int_equal(t->m.ide.ch[0].bm_prd, 0);
	assert_int_equal(status(t, P), 0x50);
	tm_free(t);
}

static void test_pv_unplug(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128 };
	struct tm_ctx *t;

	(void)state;
	cfg.ide[0] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = disk_path, .read_only = false };
	cfg.ide[1] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = disk_path, .read_only = true };
	cfg.ide[2] = (struct ide_drive_config){ .kind = IDE_KIND_CD, .path = cd_path, .read_only = true };
	t = tm_new_cfg(&cfg);
	/* Auxiliary disks only: the primary master stays (QEMU's rule when bit 2 is set). */
	outp(t, 0x10, 2, UNPLUG_AUX_IDE_DISKS | UNPLUG_ALL_IDE_DISKS);
	assert_int_equal(t->m.ide.ch[0].drive[0].kind, IDE_KIND_DISK);
	assert_int_equal(t->m.ide.ch[0].drive[1].kind, IDE_KIND_NONE);
	assert_int_equal(t->m.ide.ch[1].drive[0].kind, IDE_KIND_CD);
	/* All disks: hda goes too, the CD-ROM never does. */
	outp(t, 0x10, 2, UNPLUG_ALL_IDE_DISKS);
	assert_int_equal(t->m.ide.ch[0].drive[0].kind, IDE_KIND_NONE);
	assert_int_equal(t->m.ide.ch[1].drive[0].kind, IDE_KIND_CD);
	assert_int_equal(status(t, P), 0);
	outp(t, P + 7, 1, 0xec);
	assert_false(t->acc.isa_irq[14]);
	assert_int_equal(t->m.ide.unplugged, 3);
	tm_free(t);
}

static void save(struct tm_ctx *t, struct wbuf *w)
{
	char err[256];

	wbuf_init(w, STREAM_MAX_SIZE);
	if (snapshot_save(&t->m, w, err, sizeof(err)))
		fail_msg("%s", err);
}

static void load(struct tm_ctx *t, const struct wbuf *w)
{
	struct load_report rep;
	char err[512];

	if (snapshot_load(&t->m, w->data, w->len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
}

/* A READ MULTIPLE half read, a WRITE half written, a DMA waiting: all resume after a restore. */
static void test_save_restore_in_flight(void **state)
{
	struct tm_ctx *a = ide_machine(true), *b;
	uint8_t got[8 * 512], file[8 * 512];
	struct wbuf w, w2;

	(void)state;
	outp(a, P + 2, 1, 8);
	outp(a, P + 7, 1, 0xc6);
	lba28(a, P, 0, 200, 8);
	outp(a, P + 7, 1, 0xc4);
	read_words(a, P, got, 1000);
	/* The CD with a packet half written. */
	outp(a, S + 6, 1, 0xa0);
	outp(a, S + 4, 2, 0xfffe);
	outp(a, S + 7, 1, 0xa0);
	outp(a, S, 2, 0x0025);
	outp(a, S, 2, 0);
	save(a, &w);
	b = ide_machine(true);
	load(b, &w);
	/* Identity: the restored machine saves the same bytes. */
	save(b, &w2);
	assert_int_equal(w.len, w2.len);
	assert_memory_equal(w.data, w2.data, w.len);
	read_words(b, P, got + 1000, 8 * 512 - 1000);
	assert_int_equal(status(b, P), 0x50);
	disk_pread(file, sizeof(file), 200 * 512);
	assert_memory_equal(got, file, sizeof(file));
	for (unsigned int i = 0; i < 4; i++)
		outp(b, S, 2, 0);
	assert_true(status(b, S) & IDE_STAT_DRQ); /* the READ CAPACITY reply */
	assert_int_equal(inp(b, S + 4, 1), 8);
	wbuf_free(&w);
	wbuf_free(&w2);
	tm_free(b);

	/* A WRITE DMA waiting for the start bit, with the IRQ of an earlier command pending. */
	for (unsigned int i = 0; i < 1024; i++)
		a->acc.guest_ram[0x30000 + i] = (uint8_t)(i * 5);
	put_prd(a, 0x1000, 0x30000, 1024, true);
	outp(a, BM + 4, 4, 0x1000);
	read_words(a, S, got, 8); /* drain the CD and the disk */
	read_words(a, P, got, 8 * 512 - 1000);
	assert_int_equal(status(a, P), 0x50);
	lba28(a, P, 0, 500, 2);
	outp(a, P + 7, 1, 0xca);
	save(a, &w);
	b = ide_machine(true);
	memcpy(b->acc.guest_ram, a->acc.guest_ram, sizeof(b->acc.guest_ram));
	load(b, &w);
	outp(b, BM, 1, BM_CMD_START);
	assert_int_equal(status(b, P), 0x50);
	disk_pread(file, 1024, 500 * 512);
	assert_memory_equal(file, b->acc.guest_ram + 0x30000, 1024);
	restore_disk();
	wbuf_free(&w);
	tm_free(b);
	tm_free(a);
}

static void test_check_state(void **state)
{
	struct tm_ctx *t = ide_machine(true);
	struct tm_ctx *nodisk = tm_new(PROFILE_XENFV, 1, NULL);
	struct ide_state *st = calloc(1, sizeof(*st));
	char err[256];

	(void)state;
	piix_ide_save_state(&t->m.ide, st);
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), 0);
	/* A machine without that disk refuses its state, naming the drive. */
	assert_int_equal(piix_ide_check_state(&nodisk->m.ide, st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "drive 0"));
	st->ch[1].cur = 2;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	st->ch[1].cur = 0;
	st->drive[0].r.xfer = IDE_XFER_PIO_IN;
	st->drive[0].r.source = IDE_SRC_SECTORS;
	st->drive[0].r.unit = 512, st->drive[0].r.chunk = 1, st->drive[0].r.drq_len = 512;
	st->drive[0].r.data_end = st->drive[0].r.drq_end = st->drive[0].buf_len = 512;
	st->drive[0].r.lba = DISK_SECTORS, st->drive[0].r.remaining = 1; /* past the end */
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "outside the image"));
	st->drive[0].r.lba = 0;
	st->drive[0].r.data_pos = 600;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	st->drive[0].r.data_pos = 0;
	st->drive[0].r.chunk = 64;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	st->drive[0].r.chunk = 1;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), 0);
	st->drive[0].r.mult_sectors = 3;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	/* A packet waiting for its bytes needs the byte count limit its replies are cut at. */
	st->drive[0].r.mult_sectors = 0;
	st->drive[2].r.xfer = IDE_XFER_PACKET;
	st->drive[2].r.unit = 512;
	st->drive[2].r.data_end = st->drive[2].r.drq_end = st->drive[2].buf_len = 12;
	st->drive[2].r.drq_len = 0;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DRQ block length"));
	st->drive[2].r.drq_len = 0xfffe;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), 0);
	/* A write "from the buffer" would let a stream's chunk size run past the buffer. */
	st->drive[0].r.xfer = IDE_XFER_PIO_OUT;
	st->drive[0].r.source = IDE_SRC_BUFFER;
	st->drive[0].r.chunk = 100000;
	st->drive[0].r.remaining = 0x80000000u;
	assert_int_equal(piix_ide_check_state(&t->m.ide, st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not to sectors"));
	/* hvmdm-stream's placeholder drives (no image) accept a transfer's sectors as they are. */
	{
		struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128 };
		struct tm_ctx *p;

		cfg.ide[0] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .placeholder = true };
		cfg.ide[2] = (struct ide_drive_config){ .kind = IDE_KIND_CD, .placeholder = true };
		p = tm_new_cfg(&cfg);
		st->drive[0].r.source = IDE_SRC_SECTORS;
		st->drive[0].r.chunk = 1;
		st->drive[0].r.lba = 100;
		st->drive[0].r.remaining = 1;
		assert_int_equal(piix_ide_check_state(&p->m.ide, st, err, sizeof(err)), 0);
		assert_int_equal(piix_ide_check_state(&nodisk->m.ide, st, err, sizeof(err)), -1);
		tm_free(p);
	}
	free(st);
	tm_free(nodisk);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_function),
		cmocka_unit_test(test_absent_drives),
		cmocka_unit_test(test_signatures_and_identify),
		cmocka_unit_test(test_pio_read_write),
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_atapi),
		cmocka_unit_test(test_remaining_commands),
		cmocka_unit_test(test_media_change),
		cmocka_unit_test(test_resets_and_irq_mask),
		cmocka_unit_test(test_pv_unplug),
		cmocka_unit_test(test_save_restore_in_flight),
		cmocka_unit_test(test_check_state),
	};

	return cmocka_run_group_tests_name("ide", tests, setup, teardown);
}
