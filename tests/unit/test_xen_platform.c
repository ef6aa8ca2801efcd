// SPDX-License-Identifier: GPL-2.0-only
/* Xen platform device: identity, slot per profile, fixed ports, BARs. */
#include "testlib.h"

static uint16_t unplugged_mask;

static void record_unplug(void *o, uint16_t mask)
{
	(void)o;
	unplugged_mask = mask;
}

static void test_identity_and_slot(void **state)
{
	(void)state;
	for (int p = PROFILE_XENFV; p <= PROFILE_PC; p++) {
		struct tm_ctx *t = tm_new((enum machine_profile)p, 1, NULL);
		unsigned int devfn = p == PROFILE_XENFV_TRAD ? PCI_DEVFN(3, 0) : PCI_DEVFN(2, 0);

		if (p == PROFILE_PC) {
			/* KVM has no Xen platform device. */
			assert_int_equal(cfg_rd(t, PCI_DEVFN(2, 0), 0, 4), 0xffffffff);
			assert_int_equal(inp(t, 0x10, 2), 0xffff);
			tm_free(t);
			continue;
		}
		assert_int_equal(cfg_rd(t, devfn, 0, 4), 0x00015853);
		assert_int_equal(cfg_rd(t, devfn, 0x08, 4), 0xff800001);
		assert_int_equal(cfg_rd(t, devfn, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00015853);
		assert_int_equal(cfg_rd(t, devfn, PCI_INTERRUPT_PIN, 1), 1);
		assert_int_equal(cfg_rd(t, devfn, PCI_COMMAND, 2), 0); /* decode off until firmware */
		cfg_wr(t, devfn, 0x10, 4, 0xffffffff);
		assert_int_equal(cfg_rd(t, devfn, 0x10, 4), 0xffffff01);
		cfg_wr(t, devfn, 0x14, 4, 0xffffffff);
		assert_int_equal(cfg_rd(t, devfn, 0x14, 4), 0xff000008);
		/* Reset unlocks the ROM area through the accelerator. */
		assert_int_equal(t->acc.mem_type, ACCEL_MEM_RAM_RW);
		assert_int_equal(t->acc.mem_first, 0xc0);
		assert_int_equal(t->acc.mem_nr, 0x40);
		tm_free(t);
	}
}

static void test_fixed_ports(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	tm_quiet();
	t->m.platform.unplug = record_unplug;
	assert_int_equal(inp(t, 0x10, 2), 0x49d2);
	assert_int_equal(inp(t, 0x12, 1), 1);
	assert_int_equal(inp(t, 0x10, 1), 0);
	/* Other widths and offsets read all-ones. */
	assert_int_equal(inp(t, 0x10, 4), 0xffffffff);
	assert_int_equal(inp(t, 0x11, 2), 0xffff);
	assert_int_equal(inp(t, 0x12, 2), 0xffff);
	assert_int_equal(inp(t, 0x13, 1), 0xff);
	assert_int_equal(inp(t, 0x1f, 1), 0xff);
	/* ROM lock. */
	outp(t, 0x10, 1, 0xff);
	assert_int_equal(t->acc.mem_type, ACCEL_MEM_RAM_RO);
	assert_int_equal(inp(t, 0x10, 1), PFFLAG_ROM_LOCK);
	outp(t, 0x10, 1, 0);
	assert_int_equal(t->acc.mem_type, ACCEL_MEM_RAM_RW);
	/* A failed hypercall leaves the flags as they were. */
	t->acc.fail_mem_type = 1;
	outp(t, 0x10, 1, 1);
	assert_int_equal(inp(t, 0x10, 1), 0);
	t->acc.fail_mem_type = 0;
	/* Unplug, product number, driver build. */
	outp(t, 0x10, 2, UNPLUG_ALL_IDE_DISKS | UNPLUG_ALL_NICS | 0x8000);
	assert_int_equal(unplugged_mask, UNPLUG_ALL_IDE_DISKS | UNPLUG_ALL_NICS | 0x8000);
	assert_int_equal(t->m.platform.unplugged, UNPLUG_ALL_IDE_DISKS | UNPLUG_ALL_NICS);
	outp(t, 0x12, 2, 3);
	assert_int_equal(t->m.platform.driver_product_version, 3);
	outp(t, 0x10, 4, 0x12345);
	assert_int_equal(t->m.platform.driver_build, 0x12345);
	/* Blacklisted drivers see the reversed magic. */
	t->m.platform.drivers_blacklisted = true;
	assert_int_equal(inp(t, 0x10, 2), 0xd249);
	tm_free(t);
}

static void test_log_port(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);
	const char *msg = "hello\n";

	(void)state;
	tm_quiet();
	for (const char *c = msg; *c; c++)
		outp(t, 0x12, 1, (uint8_t)*c);
	assert_int_equal(t->m.platform.log_len, 0); /* flushed at the newline */
	/* An endless line is flushed when the buffer fills, never overrun. */
	for (int i = 0; i < 10000; i++)
		outp(t, 0x12, 1, 'x');
	assert_true(t->m.platform.log_len < sizeof(t->m.platform.log_buffer));
	tm_free(t);
}

static void test_bars(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);
	unsigned int d = PCI_DEVFN(2, 0);

	(void)state;
	tm_quiet();
	cfg_wr(t, d, 0x10, 4, 0xc001);
	cfg_wr(t, d, 0x14, 4, 0xf0000008);
	assert_int_equal(inp(t, 0xc000, 1), 0xff); /* decode still off */
	cfg_wr(t, d, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(inp(t, 0xc000, 1), 0);
	outp(t, 0xc000, 1, 1);
	assert_int_equal(t->acc.mem_type, ACCEL_MEM_RAM_RO);
	assert_int_equal(inp(t, 0xc000, 1), 1);
	assert_int_equal(inp(t, 0xc001, 1), 0xff);
	assert_int_equal(inp(t, 0xc000, 4), 0xffffff01);
	outp(t, 0xc008, 1, 'a');
	assert_int_equal(t->m.platform.log_len, 1);
	assert_int_equal(io_space_read(&t->m.mmio, 0xf0000000, 4), 0);
	assert_int_equal(io_space_read(&t->m.mmio, 0xf0fffff8, 8), 0);
	io_space_write(&t->m.mmio, 0xf0000000, 4, 0x1234);
	assert_int_equal(io_space_read(&t->m.mmio, 0xf1000000, 4), 0xffffffff);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_and_slot),
		cmocka_unit_test(test_fixed_ports),
		cmocka_unit_test(test_log_port),
		cmocka_unit_test(test_bars),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("xen_platform", tests, NULL, NULL);
}
