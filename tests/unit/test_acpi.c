// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pc machine's ACPI tables: the fw_cfg files run through a table loader
 * that does what SeaBIOS's romfile_loader.c does (allocate, add pointers, fix
 * checksums, with every offset checked), then the tables are walked from the
 * RSDP as an OS would.
 */
#include "testlib.h"

#include "hw/firmware/acpi.h"

#define MEM_SIZE (1u << 20)
#define HIGH_BASE 0x40000u /* where this "firmware" puts HIGH allocations */
#define FSEG_BASE 0xf5a20u  /* and FSEG ones (SeaBIOS's usual spot, 16-aligned) */

struct placed {
	const char *name;
	uint32_t addr, len;
};

struct guest {
	uint8_t mem[MEM_SIZE];
	struct placed files[2];
	unsigned int nr;
};

static const struct fw_cfg_entry *find_file(const struct machine *m, const char *name)
{
	for (unsigned int i = 0; i < m->fw_cfg.nr_files; i++)
		if (!strcmp(m->fw_cfg.names[i], name))
			return &m->fw_cfg.entries[FW_CFG_FILE_FIRST + i];
	return NULL;
}

static struct placed *placed_file(struct guest *g, const uint8_t *name)
{
	for (unsigned int i = 0; i < g->nr; i++)
		if (!strncmp(g->files[i].name, (const char *)name, ACPI_LOADER_FILESZ))
			return &g->files[i];
	return NULL;
}

static uint8_t sum(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Run etc/table-loader; fails the test on any command a firmware would refuse. */
static void run_loader(const struct machine *m, struct guest *g)
{
	const struct fw_cfg_entry *loader = find_file(m, ACPI_FILE_LOADER);
	uint32_t high = HIGH_BASE;

	assert_non_null(loader);
	assert_int_equal(loader->len % ACPI_LOADER_ENTRY, 0);
	for (uint32_t off = 0; off < loader->len; off += ACPI_LOADER_ENTRY) {
		const uint8_t *e = loader->data + off;
		uint32_t cmd = (uint32_t)le_read(e, 4);

		if (cmd == ACPI_LOADER_ALLOCATE) {
			const struct fw_cfg_entry *f = find_file(m, (const char *)e + 4);
			uint32_t align = (uint32_t)le_read(e + 60, 4), addr;
			struct placed *p = &g->files[g->nr];

			assert_non_null(f);
			assert_null(placed_file(g, e + 4)); /* once per file */
			assert_true(g->nr < 2);
			assert_true(align && !(align & (align - 1)));
			if (e[64] == ACPI_LOADER_ZONE_FSEG) {
				addr = FSEG_BASE;
				assert_int_equal(addr % align, 0);
				assert_true(addr + f->len <= 0x100000);
			} else {
				assert_int_equal(e[64], ACPI_LOADER_ZONE_HIGH);
				addr = (high + align - 1) & ~(align - 1);
				high = addr + f->len;
				assert_true(high < FSEG_BASE);
			}
			memcpy(g->mem + addr, f->data, f->len);
			p->name = (const char *)e + 4;
			p->addr = addr;
			p->len = f->len;
			g->nr++;
		} else if (cmd == ACPI_LOADER_ADD_POINTER) {
			struct placed *dst = placed_file(g, e + 4), *src = placed_file(g, e + 60);
			uint32_t at = (uint32_t)le_read(e + 116, 4);
			unsigned int size = e[120];
			uint64_t v;

			assert_non_null(dst);
			assert_non_null(src);
			assert_true(size == 1 || size == 2 || size == 4 || size == 8);
			assert_true(at + size <= dst->len);
			v = le_read(g->mem + dst->addr + at, size);
			assert_true(v < src->len); /* an offset inside the file it points into */
			le_write(g->mem + dst->addr + at, size, v + src->addr);
		} else if (cmd == ACPI_LOADER_ADD_CHECKSUM) {
			struct placed *f = placed_file(g, e + 4);
			uint32_t at = (uint32_t)le_read(e + 60, 4), start = (uint32_t)le_read(e + 64, 4),
				 len = (uint32_t)le_read(e + 68, 4);

			assert_non_null(f);
			assert_true(at < f->len);
			assert_true(start <= f->len && len <= f->len - start);
			g->mem[f->addr + at] = (uint8_t)(g->mem[f->addr + at] - sum(g->mem + f->addr + start, len));
		} else {
			fail_msg("loader command %u at %u", cmd, off);
		}
	}
}

/* A table at addr: its signature, a length inside memory, a zero checksum. */
static const uint8_t *table(struct guest *g, uint64_t addr, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	assert_true(addr + 36 <= MEM_SIZE);
	t = g->mem + addr;
	assert_memory_equal(t, sig, 4);
	len = (uint32_t)le_read(t + 4, 4);
	assert_true(len >= 36 && addr + len <= MEM_SIZE);
	assert_int_equal(sum(t, len), 0);
	assert_memory_equal(t + 10, "HVMDM ", 6);
	return t;
}

static struct tm_ctx *pc_machine(unsigned int vcpus, uint64_t ram_mib, unsigned int nr_serial)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = vcpus, .ram_mib = ram_mib,
				      .nr_serial = nr_serial };

	for (unsigned int i = 0; i < nr_serial; i++)
		cfg.serial[i] = "null";
	return tm_new_cfg(&cfg);
}

static void check_machine(unsigned int vcpus, uint64_t ram_mib, unsigned int nr_serial)
{
	struct tm_ctx *t = pc_machine(vcpus, ram_mib, nr_serial);
	struct guest *g = calloc(1, sizeof(*g));
	const uint8_t *rsdp, *rsdt, *fadt, *madt, *dsdt, *facs, *p, *end;
	uint32_t rsdp_addr = 0, lapics = 0, ioapics = 0, isos = 0, nmis = 0;
	uint64_t phlo = 0, devp = 0;

	assert_non_null(g);
	run_loader(&t->m, g);
	/* The RSDP where the OS scans for it: 16-byte aligned in 0xe0000-0xfffff. */
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(g->mem + a, "RSD PTR ", 8))
			rsdp_addr = a;
	assert_int_equal(rsdp_addr, FSEG_BASE);
	rsdp = g->mem + rsdp_addr;
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(rsdp[15], 0); /* revision 0: RSDT only */

	rsdt = table(g, le_read(rsdp + 16, 4), "RSDT");
	assert_int_equal(le_read(rsdt + 4, 4), 36 + 8);
	fadt = table(g, le_read(rsdt + 36, 4), "FACP");
	madt = table(g, le_read(rsdt + 40, 4), "APIC");

	/* FADT: both DSDT pointers agree, FACS 64-byte aligned, the PIIX4 PM blocks. */
	assert_int_equal(le_read(fadt + 4, 4), 244);
	assert_int_equal(fadt[8], 3);
	assert_int_equal(le_read(fadt + 40, 4), le_read(fadt + 140, 8));
	dsdt = table(g, le_read(fadt + 40, 4), "DSDT");
	assert_int_equal(le_read(fadt + 36, 4) % 64, 0);
	facs = g->mem + le_read(fadt + 36, 4);
	assert_memory_equal(facs, "FACS", 4);
	assert_int_equal(le_read(facs + 4, 4), 64);
	assert_int_equal(le_read(fadt + 46, 2), 9);          /* SCI */
	assert_int_equal(le_read(fadt + 48, 4), 0xb2);       /* SMI_CMD */
	assert_int_equal(fadt[52], 0xf1);
	assert_int_equal(le_read(fadt + 56, 4), 0x600);      /* PM1a_EVT */
	assert_int_equal(le_read(fadt + 64, 4), 0x604);      /* PM1a_CNT */
	assert_int_equal(le_read(fadt + 76, 4), 0x608);      /* PM_TMR */
	assert_int_equal(le_read(fadt + 80, 4), GPE0_BASE_V1);
	assert_int_equal(fadt[92], 2 * GPE0_HALF_V1);
	assert_int_equal(le_read(fadt + 112, 4) & (1u << 8), 0); /* 24-bit timer */
	assert_int_equal(le_read(fadt + 120, 8), 0xcf9);     /* RESET_REG */
	assert_int_equal(fadt[128], 0x06);
	assert_int_equal(le_read(fadt + 152, 8), 0x600);     /* X_PM1a_EVT matches */
	assert_int_equal(le_read(fadt + 212, 8), 0x608);     /* X_PM_TMR matches */

	/* MADT: a LAPIC per vCPU (APIC ID = index), one IOAPIC, overrides, one NMI. */
	assert_int_equal(le_read(madt + 36, 4), 0xfee00000);
	end = madt + le_read(madt + 4, 4);
	for (p = madt + 44; p < end; p += p[1]) {
		assert_true(p[1] >= 2 && p + p[1] <= end);
		switch (p[0]) {
		case 0:
			assert_int_equal(p[2], lapics);
			assert_int_equal(p[3], lapics);
			assert_int_equal(le_read(p + 4, 4), 1);
			lapics++;
			break;
		case 1:
			assert_int_equal(le_read(p + 4, 4), 0xfec00000);
			assert_int_equal(le_read(p + 8, 4), 0);
			ioapics++;
			break;
		case 2:
			assert_int_equal(p[3], le_read(p + 4, 4)); /* identity: IRQ n is GSI n */
			assert_int_equal(le_read(p + 8, 2), 0x0d);
			assert_true(p[3] == 5 || p[3] == 9 || p[3] == 10 || p[3] == 11);
			isos++;
			break;
		case 4:
			nmis++;
			break;
		default:
			fail_msg("MADT entry type %u", p[0]);
		}
	}
	assert_ptr_equal(p, end);
	assert_int_equal(lapics, vcpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(isos, 4);
	assert_int_equal(nmis, 1);

	/* DSDT: the compiled AML with this machine's PCI window start and serial ports. */
	assert_int_equal(le_read(dsdt + 4, 4), hvmdm_dsdt_aml_len);
	for (p = dsdt + 36; p + 10 <= dsdt + hvmdm_dsdt_aml_len; p++) {
		if (!memcmp(p, "\x08PHLO\x0c", 6))
			phlo = le_read(p + 6, 4);
		if (!memcmp(p, "\x08" "DEVP\x0c", 6))
			devp = le_read(p + 6, 4);
	}
	assert_int_equal(phlo, machine_ram_below_4g(&t->m.cfg));
	assert_int_equal(devp, (1u << nr_serial) - 1);
	free(g);
	tm_free(t);
}

static void test_tables(void **state)
{
	(void)state;
	check_machine(1, 64, 1);
	check_machine(2, 64, 2);
	check_machine(16, 4096, 0); /* 3 GiB below 4 GiB (QEMU's split) */
}

static void test_refusals(void **state)
{
	struct acpi_pc_config c = { .vcpus = 1, .ram_below_4g = 64 << 20 };
	struct acpi_blobs b;
	char err[160];

	(void)state;
	c.vcpus = 0;
	assert_int_not_equal(acpi_build(&c, &b, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "vCPUs"));
	assert_null(b.tables);
	c.vcpus = 256;
	assert_int_not_equal(acpi_build(&c, &b, err, sizeof(err)), 0);
	c.vcpus = 1;
	c.ram_below_4g = 0xfec00001;
	assert_int_not_equal(acpi_build(&c, &b, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "PCI window"));
	c.ram_below_4g = 64 << 20;
	assert_int_equal(acpi_build(&c, &b, err, sizeof(err)), 0);
	acpi_free(&b);
	assert_null(b.tables);
}

/* Other machines take their tables from hvmloader: no loader files there. */
static void test_only_pc(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64, .fw_cfg = true };
	struct tm_ctx *t = tm_new_cfg(&cfg);

	(void)state;
	assert_true(t->m.has_fw_cfg);
	assert_null(find_file(&t->m, ACPI_FILE_LOADER));
	assert_null(find_file(&t->m, ACPI_FILE_TABLES));
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_only_pc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
