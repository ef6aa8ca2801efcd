// SPDX-License-Identifier: GPL-2.0-only
/*
 * Machine assembly per profile and hvmloader's set-up sequence against it.
 * The expectations come from the stock device model's boot on real Xen 4.17
 * (reference/xen-captures/stock-qemu-xen-pci-layout-and-hvmloader.log), minus
 * the IDE and VGA functions hvmdm does not have yet.
 */
#include "testlib.h"

#include <stdio.h>
#include <unistd.h>

#include "../../vm/hvmloader_replay.h"

static const struct replay_bar *find_bar(const struct replay_result *r, unsigned int devfn,
					 unsigned int reg)
{
	for (unsigned int i = 0; i < r->nr_bars; i++)
		if (r->bars[i].devfn == devfn && r->bars[i].reg == reg)
			return &r->bars[i];
	return NULL;
}

static const struct replay_intx *find_intx(const struct replay_result *r, unsigned int devfn)
{
	for (unsigned int i = 0; i < r->nr_intx; i++)
		if (r->intx[i].devfn == devfn)
			return &r->intx[i];
	return NULL;
}

static void test_layouts(void **state)
{
	static const struct {
		enum machine_profile p;
		uint8_t devfns[5];
		unsigned int n;
	} layouts[] = {
		{ PROFILE_XENFV, { 0x00, 0x08, 0x09, 0x0b, 0x10 }, 5 },
		{ PROFILE_XENFV_TRAD, { 0x00, 0x08, 0x09, 0x0b, 0x18 }, 5 },
		{ PROFILE_PC, { 0x00, 0x08, 0x09, 0x0b }, 4 },
	};

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		struct tm_ctx *t = tm_new(layouts[i].p, 1, NULL);
		unsigned int found = 0;

		for (unsigned int devfn = 0; devfn < 256; devfn++) {
			if (cfg_rd(t, devfn, 0, 2) == 0xffff)
				continue;
			assert_true(found < layouts[i].n);
			assert_int_equal(devfn, layouts[i].devfns[found]);
			assert_true(t->acc.pci_function[devfn]);
			found++;
		}
		assert_int_equal(found, layouts[i].n);
		/* 00:01.1 is the PIIX3 IDE function, as the stock device models have it. */
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 1), 0, 4), 0x70108086);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 1), 0x08, 4), 0x01018000);
		tm_free(t);
	}
}

static void test_hvmloader_xenfv(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 2, NULL);
	struct replay_result r;
	const struct replay_bar *b;
	const struct replay_intx *x;
	char err[256];

	(void)state;
	assert_int_equal(hvmloader_replay(&t->m.io, &r, NULL, err, sizeof(err)), 0);
	/* "PCI-ISA link 0 routed to IRQ5" ... forwarded to Xen. */
	assert_int_equal(t->acc.link_route[0], 5);
	assert_int_equal(t->acc.link_route[1], 10);
	assert_int_equal(t->acc.link_route[2], 11);
	assert_int_equal(t->acc.link_route[3], 5);
	/* "pci dev 01:3 INTA->IRQ10", "pci dev 02:0 INTA->IRQ11" */
	x = find_intx(&r, PCI_DEVFN(1, 3));
	assert_non_null(x);
	assert_int_equal(x->irq, 10);
	x = find_intx(&r, PCI_DEVFN(2, 0));
	assert_non_null(x);
	assert_int_equal(x->irq, 11);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), PCI_INTERRUPT_LINE, 1), 10);
	assert_int_equal(r.nr_intx, 2);
	/* Without VGA the platform MMIO BAR is first in the hole; I/O BAR at 0xc000. */
	b = find_bar(&r, PCI_DEVFN(2, 0), 0x14);
	assert_non_null(b);
	assert_int_equal(b->size, 0x1000000);
	assert_int_equal(b->value, 0xf0000008);
	b = find_bar(&r, PCI_DEVFN(2, 0), 0x10);
	assert_non_null(b);
	assert_int_equal(b->size, 0x100);
	assert_int_equal(b->value, 0xc001);
	/* The IDE bus master after it, at 0xc100 as in the stock DM's capture; decode enabled. */
	b = find_bar(&r, PCI_DEVFN(1, 1), 0x20);
	assert_non_null(b);
	assert_int_equal(b->size, 0x10);
	assert_int_equal(b->value, 0xc101);
	assert_int_equal(r.nr_bars, 3);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 1), 0x40, 4), 0x80008000);
	/* The decode bits were enabled, so the BARs decode where hvmloader put them. */
	assert_true(t->m.platform.pci.bars[0].addr == 0xc000);
	assert_true(t->m.platform.pci.bars[1].addr == 0xf0000000);
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_MMIO, 0xf0000000, 0xf0ffffff));
	/* PIIX4 PM: the special registers, the PM block at 0xb000, SCI enabled via 0xb2. */
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), 0x40, 4), 0xb001);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), 0x80, 1), 1);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), 0xd2, 1), 0);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(r.pm1a_cnt & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	assert_int_equal(inp(t, 0xb2, 1), APM_ACPI_ENABLE);
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0xb004, 0xb005));
	/* Bus master enabled on every function. */
	for (unsigned int i = 0; i < r.nr_funcs; i++)
		assert_int_equal(cfg_rd(t, r.funcs[i].devfn, PCI_COMMAND, 2) & PCI_COMMAND_MASTER,
				 PCI_COMMAND_MASTER);
	tm_free(t);
}

static void test_hvmloader_trad(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, NULL);
	struct replay_result r;
	char err[256];

	(void)state;
	assert_int_equal(hvmloader_replay(&t->m.io, &r, NULL, err, sizeof(err)), 0);
	/* SCI_EN was already set: hvmloader never touches 0xb2 (nothing there). */
	assert_int_equal(r.pm1a_cnt, PM1_CNT_SCI_EN);
	assert_int_equal(find_intx(&r, PCI_DEVFN(3, 0))->irq, 5); /* (3 + 0) & 3 = link 3 */
	assert_int_equal(find_bar(&r, PCI_DEVFN(3, 0), 0x14)->value, 0xf0000008);
	assert_int_equal(inp(t, 0xb004, 2), PM1_CNT_SCI_EN);
	tm_free(t);
}

static void test_hvmloader_log_lines(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);
	struct replay_result r;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *log = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(hvmloader_replay(&t->m.io, &r, log, err, sizeof(err)), 0);
	fclose(log);
	/* The same lines `xl dmesg` shows with the stock device model. */
	assert_non_null(strstr(buf, "PCI-ISA link 0 routed to IRQ5\n"));
	assert_non_null(strstr(buf, "PCI-ISA link 3 routed to IRQ5\n"));
	assert_non_null(strstr(buf, "pci dev 01:3 INTA->IRQ10\n"));
	assert_non_null(strstr(buf, "pci dev 02:0 INTA->IRQ11\n"));
	assert_non_null(strstr(buf, "pci dev 02:0 bar 14 size 001000000: 0f0000008\n"));
	assert_non_null(strstr(buf, "pci dev 02:0 bar 10 size 000000100: 00000c001\n"));
	free(buf);
	tm_free(t);
}

static void test_reset_after_boot(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	struct replay_result r;
	char err[256];

	(void)state;
	assert_int_equal(hvmloader_replay(&t->m.io, &r, NULL, err, sizeof(err)), 0);
	outp(t, 0x10, 1, 1);
	outp(t, 0x3f8 + UART_IER, 1, 0x0f);
	machine_reset(&t->m);
	/* Chipset back to power-on: routes disabled, PM off, ROM unlocked, UART reset. */
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 0), 0x60, 4), 0x80808080);
	assert_int_equal(inp(t, 0xb004, 2), 0xffff);
	assert_int_equal(t->acc.mem_type, ACCEL_MEM_RAM_RW);
	assert_int_equal(inp(t, 0x3f8 + UART_IER, 1), 0);
	/* PCI decode and BARs are back to unprogrammed. */
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), PCI_COMMAND, 2), 0);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0x10, 4), 0x1);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0x14, 4), 0x8);
	assert_int_equal(inp(t, 0xc000, 1), 0xff);
	assert_int_equal(t->m.pci.mmio->count, 0);
	/* A second boot gets the same result. */
	assert_int_equal(hvmloader_replay(&t->m.io, &r, NULL, err, sizeof(err)), 0);
	assert_int_equal(find_bar(&r, PCI_DEVFN(2, 0), 0x10)->value, 0xc001);
	tm_free(t);
}

/* An S3 wake-up resets every device but the i440FX's PAM and SMRAM (QEMU's reset never touches them). */
static void test_wake_reset_keeps_pam(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, "null");
	static const uint8_t pam[7] = { 0x30, 0x33, 0x11, 0x33, 0x31, 0x13, 0x22 };

	(void)state;
	for (unsigned int i = 0; i < 7; i++)
		cfg_wr(t, 0, 0x59 + i, 1, pam[i]); /* PAM0-6: shadow RAM modes */
	cfg_wr(t, 0, 0x72, 1, 0x4a);     /* SMRAM: D_OPEN | C_BASE_SEG */
	cfg_wr(t, 0, 0x72, 1, 0x1a);     /* then D_LCK: D_OPEN drops */
	cfg_wr(t, PCI_DEVFN(1, 0), 0x60, 1, 0x0b);
	outp(t, 0x3f8 + UART_IER, 1, 0x0f);
	machine_wake_reset(&t->m);
	for (unsigned int i = 0; i < 7; i++)
		assert_int_equal(cfg_rd(t, 0, 0x59 + i, 1), pam[i]);
	assert_int_equal(cfg_rd(t, 0, 0x72, 1), 0x1a);
	/* The lock survives too: D_OPEN still cannot be set. */
	cfg_wr(t, 0, 0x72, 1, 0x4a);
	assert_int_equal(cfg_rd(t, 0, 0x72, 1) & 0x40, 0);
	/* Everything else is back to power-on. */
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 0), 0x60, 1), 0x80);
	assert_int_equal(inp(t, 0x3f8 + UART_IER, 1), 0);
	/* A power-on reset clears PAM and SMRAM. */
	machine_reset(&t->m);
	for (unsigned int i = 0; i < 7; i++)
		assert_int_equal(cfg_rd(t, 0, 0x59 + i, 1), 0);
	assert_int_equal(cfg_rd(t, 0, 0x72, 1), 0x02);
	tm_free(t);
}

static void test_bad_configuration(void **state)
{
	struct accel_double acc;
	struct machine m;
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 0, .ram_mib = 128 };
	char err[256];

	(void)state;
	accel_double_init(&acc);
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-smp"));
	cfg.vcpus = 129;
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	cfg.vcpus = 1;
	cfg.nr_serial = 3;
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-serial"));
	cfg.nr_serial = 2;
	cfg.serial[0] = "null";
	cfg.serial[1] = "bogus";
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-serial bogus"));
	/* The one that works. */
	cfg.serial[1] = "null";
	assert_int_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(m.nr_uarts, 2);
	assert_int_equal(io_space_read(&m.io, 0x2f8 + UART_LSR, 1), 0x60);
	machine_destroy(&m);
}

/* Under Xen, fw_cfg exists only to hand SeaBIOS option ROMs; it carries no memory map. */
static void test_xenfv_option_roms(void **state)
{
	struct accel_double acc;
	struct machine m;
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 2, .ram_mib = 64 };
	char path[] = "/tmp/hvmdm-test-rom-XXXXXX", err[256], sig[5] = { 0 };
	uint8_t rom[512] = { 0x55, 0xaa, 1 };
	uint32_t count = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, rom, sizeof(rom)), (ssize_t)sizeof(rom));
	close(fd);
	accel_double_init(&acc);
	assert_int_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(io_space_read(&m.io, 0x511, 1), 0xff); /* none without ROMs */
	machine_destroy(&m);

	cfg.option_roms[cfg.nr_option_roms++] = path;
	accel_double_init(&acc);
	assert_int_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	io_space_write(&m.io, 0x510, 2, 0x0000); /* signature */
	for (int i = 0; i < 4; i++)
		sig[i] = (char)io_space_read(&m.io, 0x511, 1);
	assert_string_equal(sig, "QEMU");
	io_space_write(&m.io, 0x510, 2, 0x0019); /* file directory: be32 count, then entries */
	for (int i = 0; i < 4; i++)
		count = count << 8 | io_space_read(&m.io, 0x511, 1);
	assert_int_equal(count, 2);
	{
		/* etc/e820 first: one 20-byte entry (low RAM), so SeaBIOS never reads CMOS for RAM above 4 GiB */
		uint32_t size = 0;
		char name[57] = { 0 };

		for (int i = 0; i < 4; i++)
			size = size << 8 | io_space_read(&m.io, 0x511, 1);
		for (int i = 0; i < 4; i++)
			io_space_read(&m.io, 0x511, 1);
		for (int i = 0; i < 56; i++)
			name[i] = (char)io_space_read(&m.io, 0x511, 1);
		assert_string_equal(name, "etc/e820");
		assert_int_equal(size, 20);
	}
	io_space_write(&m.io, 0x510, 2, 0x0003); /* RAM size: not offered */
	assert_int_equal(io_space_read(&m.io, 0x511, 1), 0);
	machine_destroy(&m);

	cfg.profile = PROFILE_XENFV_TRAD;
	accel_double_init(&acc);
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-option-rom"));
	unlink(path);
}

static uint32_t fw_cfg_le32(struct machine *m, uint16_t key, unsigned int skip)
{
	uint32_t v = 0;

	io_space_write(&m->io, 0x510, 2, key);
	for (unsigned int i = 0; i < skip; i++)
		io_space_read(&m->io, 0x511, 1);
	for (unsigned int i = 0; i < 4; i++)
		v |= io_space_read(&m->io, 0x511, 1) << (8 * i);
	return v;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* The contents of fw_cfg file `name` as the firmware reads it (the directory at 0x19, big-endian). */
static size_t fw_cfg_file(struct machine *m, const char *name, char *out, size_t cap)
{
	uint32_t count = 0;

	io_space_write(&m->io, 0x510, 2, 0x19);
	for (int i = 0; i < 4; i++)
		count = count << 8 | (uint32_t)io_space_read(&m->io, 0x511, 1);
	for (uint32_t e = 0; e < count; e++) {
		uint8_t d[64];

		for (int i = 0; i < 64; i++)
			d[i] = (uint8_t)io_space_read(&m->io, 0x511, 1);
		if (strncmp((const char *)d + 8, name, 56))
			continue;
		size_t size = (size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3];
		io_space_write(&m->io, 0x510, 2, (uint16_t)(d[4] << 8 | d[5]));
		for (size_t i = 0; i < size && i < cap; i++)
			out[i] = (char)io_space_read(&m->io, 0x511, 1);
		return size;
	}
	return 0;
}

/* -kernel/-initrd/-append: the boot-protocol header patches and load addresses, and bad input. */
/* xl's boot= reaches SeaBIOS in CMOS 0x3d/0x38, under Xen too (Xen forwards the NVRAM from 0x0e). */
static void test_boot_order(void **state)
{
	static const struct { enum machine_profile p; const char *order; uint8_t b3d, b38; } cases[] = {
		{ PROFILE_XENFV, "n", 0x04, 0x00 },
		{ PROFILE_XENFV, "cda", 0x32, 0x10 },
		{ PROFILE_XENFV_TRAD, "dc", 0x23, 0x00 },
		{ PROFILE_PC, "ncd", 0x24, 0x30 },
		{ PROFILE_XENFV, "", 0x00, 0x00 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct machine_config cfg = { .profile = cases[i].p, .vcpus = 1, .ram_mib = 64 };
		struct tm_ctx *t;

		snprintf(cfg.boot_order, sizeof(cfg.boot_order), "%s", cases[i].order);
		t = tm_new_cfg(&cfg);
		outp(t, 0x70, 1, 0x3d);
		assert_int_equal(inp(t, 0x71, 1), cases[i].b3d);
		outp(t, 0x70, 1, 0x38);
		assert_int_equal(inp(t, 0x71, 1), cases[i].b38);
		tm_free(t);
	}
}

static void test_linux_boot(void **state)
{
	struct accel_double acc;
	struct machine m;
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
				      .kernel = "/tmp/hvmdm-test-bzimage", .initrd = "/tmp/hvmdm-test-initrd",
				      .append = "console=ttyS0" };
	static uint8_t k[3 * 512 + 8192], initrd[10000];
	char err[256];

	(void)state;
	k[0x1f1] = 2; /* setup: 3 sectors */
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f, k[0x207] = 0x02; /* 2.15 */
	k[0x211] = 0x01;                   /* LOADED_HIGH */
	k[0x22c] = 0xff, k[0x22d] = 0xff, k[0x22e] = 0xff, k[0x22f] = 0x7f;
	k[0x238] = 0xff, k[0x239] = 0x07; /* cmdline_size 2047 */
	write_file(cfg.kernel, k, sizeof(k));
	write_file(cfg.initrd, initrd, sizeof(initrd));
	accel_double_init(&acc);
	if (machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(fw_cfg_le32(&m, 0x16, 0), 0x10000);           /* setup address */
	assert_int_equal(fw_cfg_le32(&m, 0x17, 0), 3 * 512);            /* setup size */
	assert_int_equal(fw_cfg_le32(&m, 0x18, 0x210), 0x000081b0);     /* loader 0xb0; CAN_USE_HEAP | LOADED_HIGH */
	assert_int_equal(fw_cfg_le32(&m, 0x18, 0x224) & 0xffff, 0xfe00); /* heap_end_ptr */
	assert_int_equal(fw_cfg_le32(&m, 0x18, 0x228), 0x20000);        /* cmd_line_ptr */
	assert_int_equal(fw_cfg_le32(&m, 0x07, 0), 0x100000);           /* kernel at 1 MiB */
	assert_int_equal(fw_cfg_le32(&m, 0x08, 0), 8192);
	/* initrd: as high as it goes below 64 MiB minus the reserve, on a page boundary */
	assert_int_equal(fw_cfg_le32(&m, 0x0a, 0), ((64u << 20) - 0x40000 - 1 - sizeof(initrd)) & ~0xfffu);
	assert_int_equal(fw_cfg_le32(&m, 0x0b, 0), sizeof(initrd));
	assert_int_equal(fw_cfg_le32(&m, 0x18, 0x218), fw_cfg_le32(&m, 0x0a, 0));
	assert_int_equal(fw_cfg_le32(&m, 0x14, 0), strlen("console=ttyS0") + 1);
	/* The loader ROM boots first (a NIC's iPXE ROM would otherwise try the network first), as QEMU's bootindex 0. */
	{
		char order[64] = "";

		assert_int_equal(fw_cfg_file(&m, "bootorder", order, sizeof(order)), sizeof("/rom@genroms/linuxboot_dma.bin"));
		assert_string_equal(order, "/rom@genroms/linuxboot_dma.bin");
	}
	machine_destroy(&m);

	/* Not a bzImage; too old a protocol; -initrd alone; a missing file. */
	memcpy(k + 0x202, "XXXX", 4);
	write_file(cfg.kernel, k, sizeof(k));
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a bzImage"));
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x01;
	write_file(cfg.kernel, k, sizeof(k));
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "protocol 2.01"));
	cfg.kernel = NULL;
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-initrd needs -kernel"));
	cfg.kernel = "/nonexistent/bzImage";
	assert_int_not_equal(machine_create(&m, &cfg, &acc.accel, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/bzImage"));
	unlink("/tmp/hvmdm-test-bzimage");
	unlink("/tmp/hvmdm-test-initrd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_hvmloader_xenfv),
		cmocka_unit_test(test_hvmloader_trad),
		cmocka_unit_test(test_hvmloader_log_lines),
		cmocka_unit_test(test_reset_after_boot),
		cmocka_unit_test(test_wake_reset_keeps_pam),
		cmocka_unit_test(test_bad_configuration),
		cmocka_unit_test(test_xenfv_option_roms),
		cmocka_unit_test(test_boot_order),
		cmocka_unit_test(test_linux_boot),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
