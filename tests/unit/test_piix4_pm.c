// SPDX-License-Identifier: GPL-2.0-only
/* PIIX4 PM for all three profiles, driven through ports and config cycles. */
#include "testlib.h"

#include <errno.h>

#define PM PCI_DEVFN(1, 3)

static void enable_pm_block(struct tm_ctx *t, uint16_t base)
{
	cfg_wr(t, PM, 0x40, 4, base | 1u);
	cfg_wr(t, PM, 0x80, 1, 1);
}

static void test_identity(void **state)
{
	(void)state;
	for (int p = PROFILE_XENFV; p <= PROFILE_PC; p++) {
		struct tm_ctx *t = tm_new((enum machine_profile)p, 1, p == PROFILE_PC ? "null" : NULL);
		bool trad = p == PROFILE_XENFV_TRAD;

		assert_int_equal(cfg_rd(t, PM, 0, 4), 0x71138086);
		assert_int_equal(cfg_rd(t, PM, 0x08, 4), trad ? 0x06800001 : 0x06800003);
		assert_int_equal(cfg_rd(t, PM, PCI_INTERRUPT_PIN, 1), 1);
		assert_int_equal(cfg_rd(t, PM, PCI_STATUS, 2), trad ? 0 : 0x0280);
		assert_int_equal(cfg_rd(t, PM, 0x40, 4), trad ? 0x1f41 : 0x0001);
		if (!trad) {
			assert_int_equal(cfg_rd(t, PM, 0x5b, 1), 0x02);
			assert_int_equal(cfg_rd(t, PM, 0x5c, 4), 0x10000000);
			assert_int_equal(cfg_rd(t, PM, 0x60, 4), 0x60000000);
			/* 0x67 tells which COM ports exist: COM1 only in the pc case here. */
			assert_int_equal(cfg_rd(t, PM, 0x67, 1), p == PROFILE_PC ? 0x08 : 0x00);
			assert_int_equal(cfg_rd(t, PM, 0x90, 4), 0xb101);
			assert_int_equal(cfg_rd(t, PM, 0xd2, 1), 0x09);
		}
		/* qemu-xen-traditional's PIIX4 ACPI function has the default subsystem too. */
		assert_int_equal(cfg_rd(t, PM, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
		/* PMBA: bit 0 fixed, 64-byte granularity, 16 bits. */
		cfg_wr(t, PM, 0x40, 4, 0xffffffff);
		assert_int_equal(cfg_rd(t, PM, 0x40, 4), 0xffc1);
		tm_free(t);
	}
}

static void test_xenfv_pm_block_mapping(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	/* Not decoded until PMBA and the enable bit are set. */
	assert_int_equal(inp(t, 0xb004, 2), 0xffff);
	cfg_wr(t, PM, 0x40, 4, 0xb001);
	assert_int_equal(inp(t, 0xb004, 2), 0xffff);
	cfg_wr(t, PM, 0x80, 1, 1);
	assert_int_equal(inp(t, 0xb004, 2), 0x0000); /* SCI_EN clear at reset */
	/* Only PM1a_CNT is ours on Xen: EVT and the timer are Xen's. */
	assert_int_equal(inp(t, 0xb000, 4), 0xffffffff);
	assert_int_equal(inp(t, 0xb008, 4), 0xffffffff);
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0xb004, 0xb005));
	/* Move it. */
	outp(t, 0xb004, 2, PM1_CNT_SCI_EN);
	cfg_wr(t, PM, 0x40, 4, 0xc041);
	assert_int_equal(inp(t, 0xb004, 2), 0xffff);
	assert_int_equal(inp(t, 0xc044, 2), PM1_CNT_SCI_EN);
	assert_false(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0xb004, 0xb005));
	/* Disable. */
	cfg_wr(t, PM, 0x80, 1, 0);
	assert_int_equal(inp(t, 0xc044, 2), 0xffff);
	/* A PM block placed over another device (0xae04 is PCI hot-plug) stays unmapped. */
	tm_quiet();
	cfg_wr(t, PM, 0x40, 4, 0xae00 | 1);
	cfg_wr(t, PM, 0x80, 1, 1);
	assert_false(t->m.pm.pm_mapped);
	assert_int_equal(inp(t, 0xae04, 4), 0); /* still the hot-plug register */
	/* ...and maps once moved somewhere free. */
	cfg_wr(t, PM, 0x40, 4, 0xb000 | 1);
	assert_int_equal(inp(t, 0xb004, 2), PM1_CNT_SCI_EN);
	tm_free(t);
}

static void test_trad_fixed_block(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, NULL);

	(void)state;
	/* Decoded at 0xb004 from reset with SCI_EN set; PMBA has no effect. */
	assert_int_equal(inp(t, 0xb004, 2), PM1_CNT_SCI_EN);
	enable_pm_block(t, 0xc000);
	assert_int_equal(inp(t, 0xc004, 2), 0xffff);
	assert_int_equal(inp(t, 0xb004, 2), PM1_CNT_SCI_EN);
	/* No APM port in the traditional layout. */
	assert_int_equal(inp(t, 0xb2, 1), 0xff);
	/* GBL_RLS is write-only there. */
	outp(t, 0xb004, 2, PM1_CNT_SCI_EN | PM1_CNT_GBL_RLS);
	assert_int_equal(inp(t, 0xb004, 2), PM1_CNT_SCI_EN);
	/* A v1 restore moves it to the V0 location. */
	assert_int_equal(piix4_pm_set_trad_pm_base(&t->m.pm, PM_BASE_V0), 0);
	assert_int_equal(inp(t, 0xb004, 2), 0xffff);
	assert_int_equal(inp(t, 0x1f44, 2), PM1_CNT_SCI_EN);
	assert_int_not_equal(piix4_pm_set_trad_pm_base(&t->m.pm, 0x0cf8 - 4), 0);
	assert_int_equal(inp(t, 0x1f44, 2), PM1_CNT_SCI_EN); /* still where it was */
	tm_free(t);
}

static void test_apm_sci_enable(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	enable_pm_block(t, 0xb000);
	outp(t, 0xb3, 1, 0x5a);
	assert_int_equal(inp(t, 0xb3, 1), 0x5a);
	outp(t, 0xb2, 1, APM_ACPI_ENABLE);
	assert_int_equal(inp(t, 0xb2, 1), APM_ACPI_ENABLE);
	assert_int_equal(inp(t, 0xb004, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	outp(t, 0xb2, 1, 0x42);
	assert_int_equal(inp(t, 0xb004, 2) & PM1_CNT_SCI_EN, PM1_CNT_SCI_EN);
	outp(t, 0xb2, 1, APM_ACPI_DISABLE);
	assert_int_equal(inp(t, 0xb004, 2) & PM1_CNT_SCI_EN, 0);
	tm_free(t);
}

static void expect_sleep(enum machine_profile p, unsigned int typ, int req)
{
	struct tm_ctx *t = tm_new(p, 1, NULL);
	uint16_t v = (uint16_t)(typ << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SLP_EN | PM1_CNT_SCI_EN);

	tm_quiet();
	enable_pm_block(t, 0xb000);
	outp(t, 0xb004, 2, v);
	for (int r = 0; r < 3; r++)
		assert_int_equal(t->acc.requests[r], r == req ? 1 : 0);
	/* SLP_EN is never stored. */
	assert_int_equal(inp(t, 0xb004, 2), v & ~PM1_CNT_SLP_EN);
	tm_free(t);
}

static void test_sleep_types(void **state)
{
	(void)state;
	/* qemu-xen DSDT: \_S5 = 0, \_S3 = 1, \_S4 = 2 (QEMU's s4_val, powers off). */
	expect_sleep(PROFILE_XENFV, 0, ACCEL_REQ_POWEROFF);
	expect_sleep(PROFILE_XENFV, 1, ACCEL_REQ_SUSPEND);
	expect_sleep(PROFILE_XENFV, 2, ACCEL_REQ_POWEROFF);
	expect_sleep(PROFILE_XENFV, 5, -1);
	expect_sleep(PROFILE_XENFV, 7, -1);
	expect_sleep(PROFILE_PC, 0, ACCEL_REQ_POWEROFF);
	/* Traditional: S3 = 1 or 5 (V0), S5 = 0 or 7, old S4 = 6. */
	expect_sleep(PROFILE_XENFV_TRAD, 0, ACCEL_REQ_POWEROFF);
	expect_sleep(PROFILE_XENFV_TRAD, 1, ACCEL_REQ_SUSPEND);
	expect_sleep(PROFILE_XENFV_TRAD, 5, ACCEL_REQ_SUSPEND);
	expect_sleep(PROFILE_XENFV_TRAD, 6, ACCEL_REQ_POWEROFF);
	expect_sleep(PROFILE_XENFV_TRAD, 7, ACCEL_REQ_POWEROFF);
	expect_sleep(PROFILE_XENFV_TRAD, 2, -1);
}

static void test_cnt_byte_access(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	enable_pm_block(t, 0xb000);
	/* A byte to the low half keeps the high half and does not sleep. */
	outp(t, 0xb005, 1, 0x04); /* SLP_TYP 1, no SLP_EN */
	outp(t, 0xb004, 1, 0x01);
	assert_int_equal(inp(t, 0xb004, 2), 0x0401);
	assert_int_equal(t->acc.requests[ACCEL_REQ_SUSPEND], 0);
	/* SLP_EN through a byte write to the high half: suspend. */
	outp(t, 0xb005, 1, 0x24);
	assert_int_equal(t->acc.requests[ACCEL_REQ_SUSPEND], 1);
	assert_int_equal(inp(t, 0xb005, 1), 0x04);
	tm_free(t);
}

static void test_gpe_and_sci(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 2, NULL);

	(void)state;
	assert_int_equal(inp(t, 0xafe0, 4), 0);
	/* CPU hot-plug sets GPE0 bit 2; SCI only once enabled. */
	assert_int_equal(piix4_pm_set_cpu_online(&t->m.pm, 2, true), 1);
	assert_int_equal(inp(t, 0xafe0, 1), 0x04);
	assert_false(t->acc.isa_irq[9]);
	outp(t, 0xafe2, 1, 0x04);
	assert_true(t->acc.isa_irq[9]);
	assert_int_equal(inp(t, 0xafe2, 1), 0x04);
	/* Writing 0 to status changes nothing; 1 clears. */
	outp(t, 0xafe0, 1, 0x00);
	assert_true(t->acc.isa_irq[9]);
	outp(t, 0xafe0, 1, 0x04);
	assert_false(t->acc.isa_irq[9]);
	assert_int_equal(inp(t, 0xafe0, 1), 0);
	/* Disabling the enable bit deasserts too. */
	piix4_pm_set_cpu_online(&t->m.pm, 2, false);
	assert_true(t->acc.isa_irq[9]);
	outp(t, 0xafe2, 1, 0x00);
	assert_false(t->acc.isa_irq[9]);
	/* A word access covers both status bytes. */
	outp(t, 0xafe0, 2, 0xffff);
	assert_int_equal(inp(t, 0xafe0, 2), 0);
	/* Beyond the V1 block: not ours. */
	assert_int_equal(inp(t, 0xafe4, 1), 0xff);
	tm_free(t);
}

static void test_gpe_v0_block(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, NULL);

	(void)state;
	assert_int_equal(piix4_pm_set_gpe_block(&t->m.pm, GPE0_BASE_V0, GPE0_HALF_V0), 0);
	assert_int_equal(inp(t, 0xafe0, 1), 0xff);
	outp(t, 0x1f6c, 4, 0x08000000); /* enable byte 3 bit 3 */
	assert_int_equal(inp(t, 0x1f6f, 1), 0x08);
	assert_int_equal(piix4_pm_set_gpe_block(&t->m.pm, 0x1f68, 3), -EINVAL);
	tm_free(t);
}

static void test_cpu_map(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 10, NULL);

	(void)state;
	assert_int_equal(inp(t, 0xaf00, 2), 0x03ff);
	assert_int_equal(inp(t, 0xaf02, 1), 0);
	outp(t, 0xaf00, 1, 0); /* read-only to the guest */
	assert_int_equal(inp(t, 0xaf00, 1), 0xff);
	assert_int_equal(piix4_pm_set_cpu_online(&t->m.pm, 9, true), 0); /* already */
	assert_int_equal(piix4_pm_set_cpu_online(&t->m.pm, 255, true), 1);
	assert_int_equal(inp(t, 0xaf1f, 1), 0x80);
	assert_int_equal(piix4_pm_set_cpu_online(&t->m.pm, 256, true), -EINVAL);
	assert_int_equal(inp(t, 0xaf20, 1), 0xff);
	tm_free(t);
}

static void ejected(void *o, unsigned int slot)
{
	*(int *)o = (int)slot;
}

static void test_pcihp_qemu_layout(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);
	int slot = -1;

	(void)state;
	tm_quiet();
	t->m.pm.eject_slot = ejected;
	t->m.pm.eject_opaque = &slot;
	assert_int_equal(inp(t, 0xae00, 4), 0);
	assert_int_equal(piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(5, 0), true, true), 0);
	assert_int_equal(inp(t, 0xae00, 4), 1u << 5);
	assert_int_equal(inp(t, 0xae00, 4), 1u << 5); /* legacy: not cleared by reading */
	assert_int_equal(inp(t, 0xae0c, 4), 1u << 5);
	assert_int_equal(inp(t, 0xafe0, 1), 0x02);
	/* Only dword accesses exist. */
	assert_int_equal(inp(t, 0xae00, 1), 0xff);
	assert_int_equal(inp(t, 0xae00, 2), 0xffff);
	/* Unplug request, then the guest's _EJ0. */
	piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(5, 0), false, false);
	assert_int_equal(inp(t, 0xae04, 4), 1u << 5);
	outp(t, 0xae08, 4, 1u << 2); /* not removable: refused */
	assert_int_equal(slot, -1);
	outp(t, 0xae08, 4, 1u << 5);
	assert_int_equal(slot, 5);
	assert_int_equal(inp(t, 0xae04, 4), 0);
	assert_int_equal(inp(t, 0xae0c, 4), 0);
	assert_int_equal(inp(t, 0xae08, 4), 0);
	/* Selecting another bus hides bus 0's bits. */
	piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(6, 0), true, true);
	outp(t, 0xae10, 4, 1);
	assert_int_equal(inp(t, 0xae10, 4), 1);
	assert_int_equal(inp(t, 0xae00, 4), 0);
	assert_int_equal(inp(t, 0xae14, 4), 0);
	assert_int_equal(piix4_pm_pci_hotplug(&t->m.pm, 256, true, true), -EINVAL);
	tm_free(t);
}

static void test_pcihp_trad_layout(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, NULL);
	int slot = -1;

	(void)state;
	tm_quiet();
	t->m.pm.eject_slot = ejected;
	t->m.pm.eject_opaque = &slot;
	assert_int_equal(inp(t, 0xae00, 4), 0xffffffff); /* not in this layout */
	assert_int_equal(piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(4, 1), true, true), 0);
	assert_int_equal(piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(4, 0), true, true), 0);
	assert_int_equal(inp(t, 0x10c0, 1), TRAD_PHP_EVT_ADD);
	assert_int_equal(inp(t, 0x10c1, 1), PCI_DEVFN(4, 0));
	assert_int_equal(inp(t, 0x10c2 + (PCI_DEVFN(4, 0) >> 1), 1), 0xff);
	assert_int_equal(inp(t, 0xafe0, 1), 0x08); /* GPE bit 3 */
	/* PSTA/PSTB are read-only; ejecting without a remove event is refused. */
	outp(t, 0x10c0, 1, 3);
	assert_int_equal(inp(t, 0x10c0, 1), TRAD_PHP_EVT_ADD);
	outp(t, 0x10c2 + (PCI_DEVFN(4, 0) >> 1), 1, 0x01);
	assert_int_equal(slot, -1);
	assert_int_equal(piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(4, 1), false, false), -EINVAL);
	piix4_pm_pci_hotplug(&t->m.pm, PCI_DEVFN(4, 0), false, false);
	assert_int_equal(inp(t, 0x10c0, 1), TRAD_PHP_EVT_REMOVE);
	outp(t, 0x10c2 + (PCI_DEVFN(4, 0) >> 1), 1, 0x10); /* odd function: wrong devfn */
	assert_int_equal(slot, -1);
	outp(t, 0x10c2 + (PCI_DEVFN(4, 0) >> 1), 1, 0x01);
	assert_int_equal(slot, 4);
	assert_int_equal(inp(t, 0x10c0, 1), 0);
	assert_int_equal(inp(t, 0x10c2 + (PCI_DEVFN(4, 0) >> 1), 1), 0x00);
	assert_int_equal(inp(t, 0x1141, 1), 0x00); /* last status byte */
	assert_int_equal(inp(t, 0x1142, 1), 0xff); /* past the block */
	tm_free(t);
}

static void test_pc_pm1_events_and_timer(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);
	uint32_t t0, t1;

	(void)state;
	enable_pm_block(t, 0x600);
	assert_int_equal(inp(t, 0x600, 4), 0);
	/* The timer counts at 3.579545 MHz on the virtual clock. */
	t0 = (uint32_t)inp(t, 0x608, 4);
	tm_advance(t, 1000000000ull);
	t1 = (uint32_t)inp(t, 0x608, 4);
	assert_int_equal((t1 - t0) & 0xffffff, 3579545);
	assert_true(t1 <= 0xffffff); /* 24 bits */
	outp(t, 0x608, 4, 0); /* read-only */
	assert_int_equal(inp(t, 0x608, 4), t1);
	/* TMR_STS with TMR_EN: SCI at the overflow, through the timer. */
	outp(t, 0x602, 2, PM1_TMR);
	assert_false(t->acc.isa_irq[9]);
	tm_advance(t, 2400000000ull); /* 2^23 ticks is ~2.34 s */
	assert_true(t->acc.isa_irq[9]);
	assert_int_equal(inp(t, 0x600, 2) & PM1_TMR, PM1_TMR);
	outp(t, 0x600, 2, PM1_TMR);
	assert_false(t->acc.isa_irq[9]);
	assert_int_equal(inp(t, 0x600, 2) & PM1_TMR, 0);
	/* Power button. */
	piix4_pm_power_button(&t->m.pm);
	assert_false(t->acc.isa_irq[9]);
	outp(t, 0x603, 1, PM1_PWRBTN >> 8);
	assert_true(t->acc.isa_irq[9]);
	assert_int_equal(inp(t, 0x602, 2), PM1_PWRBTN | PM1_TMR);
	outp(t, 0x601, 1, PM1_PWRBTN >> 8);
	assert_false(t->acc.isa_irq[9]);
	/* Stopping the clock freezes the timer. */
	clock_stop(&t->m.clock);
	t0 = (uint32_t)inp(t, 0x608, 4);
	t->now_ns += 5000000000ull;
	assert_int_equal(inp(t, 0x608, 4), t0);
	clock_start(&t->m.clock);
	assert_int_equal(inp(t, 0x608, 4), t0);
	tm_free(t);
}

static void test_debug_port_and_reset(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	tm_quiet();
	outp(t, 0xb044, 4, 0xdeadbeef);
	assert_int_equal(inp(t, 0xb044, 4), 0xffffffff);
	enable_pm_block(t, 0xb000);
	outp(t, 0xb2, 1, APM_ACPI_ENABLE);
	outp(t, 0xafe2, 1, 0x06);
	machine_reset(&t->m);
	assert_int_equal(inp(t, 0xb004, 2), 0xffff); /* PM I/O disabled again */
	assert_int_equal(inp(t, 0xafe2, 1), 0);
	assert_int_equal(cfg_rd(t, PM, 0x40, 4), 1);
	enable_pm_block(t, 0xb000);
	assert_int_equal(inp(t, 0xb004, 2), 0);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_xenfv_pm_block_mapping),
		cmocka_unit_test(test_trad_fixed_block),
		cmocka_unit_test(test_apm_sci_enable),
		cmocka_unit_test(test_sleep_types),
		cmocka_unit_test(test_cnt_byte_access),
		cmocka_unit_test(test_gpe_and_sci),
		cmocka_unit_test(test_gpe_v0_block),
		cmocka_unit_test(test_cpu_map),
		cmocka_unit_test(test_pcihp_qemu_layout),
		cmocka_unit_test(test_pcihp_trad_layout),
		cmocka_unit_test(test_pc_pm1_events_and_timer),
		cmocka_unit_test(test_debug_port_and_reset),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("piix4_pm", tests, NULL, NULL);
}
