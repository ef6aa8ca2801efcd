// SPDX-License-Identifier: GPL-2.0-only
/* i440FX and PIIX3: identity, reset values per profile, masks, side effects. */
#include "testlib.h"

#define HB PCI_DEVFN(0, 0)
#define ISA PCI_DEVFN(1, 0)

static void map_changed(void *o, const struct i440fx *s)
{
	(void)s;
	(*(int *)o)++;
}

static void test_i440fx_identity(void **state)
{
	(void)state;
	for (int p = PROFILE_XENFV; p <= PROFILE_PC; p++) {
		struct tm_ctx *t = tm_new((enum machine_profile)p, 1, NULL);
		bool trad = p == PROFILE_XENFV_TRAD;

		assert_int_equal(cfg_rd(t, HB, 0, 4), 0x12378086);
		assert_int_equal(cfg_rd(t, HB, 0x08, 4), 0x06000002);
		assert_int_equal(cfg_rd(t, HB, PCI_HEADER_TYPE, 1), 0);
		assert_int_equal(cfg_rd(t, HB, PCI_COMMAND, 4), 0);
		/* 1af4:1100 on every profile: qemu-xen-traditional's default too (its real saves show it). */
		assert_int_equal(cfg_rd(t, HB, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
		assert_int_equal(cfg_rd(t, HB, 0x57, 1), trad ? 0 : 0x08);
		/* The traditional device model never set SMRAM (hw/piix_pci.c, #ifndef CONFIG_DM). */
		assert_int_equal(cfg_rd(t, HB, I440FX_SMRAM, 1), trad ? 0 : 0x02);
		assert_int_equal(cfg_rd(t, HB, PCI_INTERRUPT_PIN, 1), 0);
		tm_free(t);
	}
}

static void test_i440fx_pam_smram(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);
	int changes = 0;

	(void)state;
	t->m.i440fx.memory_map_changed = map_changed;
	t->m.i440fx.memory_map_opaque = &changes;
	/* PAM0 keeps only the high nibble's RE/WE; PAM1-6 both nibbles' RE/WE. */
	cfg_wr(t, HB, I440FX_PAM, 1, 0xff);
	assert_int_equal(cfg_rd(t, HB, I440FX_PAM, 1), 0x30);
	cfg_wr(t, HB, 0x5a, 2, 0xffff);
	cfg_wr(t, HB, 0x5c, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, HB, 0x5c, 4), 0x33333333);
	assert_int_equal(cfg_rd(t, HB, 0x58, 4), 0x33333000);
	/* A dword at 0xcfe is cut at the end of the data port: only 2 bytes land. */
	cfg_wr(t, HB, 0x5e, 4, 0);
	assert_int_equal(cfg_rd(t, HB, 0x5c, 4), 0x00003333);
	assert_int_equal(changes, 4);
	cfg_wr(t, HB, 0x50, 1, 0x12); /* not a memory-map register */
	assert_int_equal(changes, 4);
	/* SMRAM: C_BASE_SEG fixed, D_OPEN settable until D_LCK. */
	cfg_wr(t, HB, I440FX_SMRAM, 1, 0xff);
	assert_int_equal(cfg_rd(t, HB, I440FX_SMRAM, 1),
			 SMRAM_C_BASE_SEG | SMRAM_G_SMRAME | SMRAM_D_LCK | SMRAM_D_CLS);
	cfg_wr(t, HB, I440FX_SMRAM, 1, SMRAM_D_OPEN);
	assert_int_equal(cfg_rd(t, HB, I440FX_SMRAM, 1),
			 SMRAM_C_BASE_SEG | SMRAM_G_SMRAME | SMRAM_D_LCK);
	assert_int_equal(changes, 6);
	/* Reset unlocks. */
	machine_reset(&t->m);
	assert_int_equal(cfg_rd(t, HB, I440FX_SMRAM, 1), SMRAM_C_BASE_SEG);
	cfg_wr(t, HB, I440FX_SMRAM, 1, SMRAM_D_OPEN);
	assert_int_equal(cfg_rd(t, HB, I440FX_SMRAM, 1), SMRAM_C_BASE_SEG | SMRAM_D_OPEN);
	tm_free(t);
}

static void test_piix3_identity(void **state)
{
	(void)state;
	for (int p = PROFILE_XENFV; p <= PROFILE_PC; p++) {
		struct tm_ctx *t = tm_new((enum machine_profile)p, 1, NULL);
		bool trad = p == PROFILE_XENFV_TRAD;

		assert_int_equal(cfg_rd(t, ISA, 0, 4), 0x70008086);
		assert_int_equal(cfg_rd(t, ISA, 0x08, 4), 0x06010000);
		assert_int_equal(cfg_rd(t, ISA, PCI_HEADER_TYPE, 1), 0x80);
		assert_int_equal(cfg_rd(t, ISA, PCI_COMMAND, 4), trad ? 0x02000007 : 0x02000000);
		assert_int_equal(cfg_rd(t, ISA, 0x4c, 4), 0x0003004d);
		assert_int_equal(cfg_rd(t, ISA, 0x60, 4), 0x80808080);
		assert_int_equal(cfg_rd(t, ISA, 0x68, 4), 0x00000200);
		assert_int_equal(cfg_rd(t, ISA, 0x70, 1), 0x80);
		assert_int_equal(cfg_rd(t, ISA, 0x74, 4), 0x0c0c0000);
		assert_int_equal(cfg_rd(t, ISA, 0x78, 1), 0x02);
		assert_int_equal(cfg_rd(t, ISA, 0xa0, 1), 0x08);
		assert_int_equal(cfg_rd(t, ISA, 0xa8, 1), 0x0f);
		assert_int_equal(cfg_rd(t, ISA, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
		tm_free(t);
	}
}

static void test_piix3_pirq_routes(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	cfg_wr(t, ISA, 0x60, 1, 5);
	assert_int_equal(t->acc.link_route[0], 5);
	cfg_wr(t, ISA, 0x61, 1, 0x80); /* bit 7: disabled */
	assert_int_equal(t->acc.link_route[1], 0);
	cfg_wr(t, ISA, 0x62, 1, 0x1a); /* reserved bits 6:4 ignored, as both Xen DMs do */
	assert_int_equal(t->acc.link_route[2], 10);
	assert_int_equal(cfg_rd(t, ISA, 0x62, 1), 0x1a);
	/* A dword write updates all four links. */
	t->acc.link_route_calls = 0;
	cfg_wr(t, ISA, 0x60, 4, 0x0b8f0a05);
	assert_int_equal(t->acc.link_route_calls, 4);
	assert_int_equal(t->acc.link_route[0], 5);
	assert_int_equal(t->acc.link_route[1], 10);
	assert_int_equal(t->acc.link_route[2], 0);
	assert_int_equal(t->acc.link_route[3], 11);
	/* A decoded word write across 0x5f/0x60 (Xen PCI_CONFIG) touches link 0 only. */
	t->acc.link_route_calls = 0;
	pci_config_write(&t->m.pci, ISA, 0x5f, 2, 0x0900);
	assert_int_equal(t->acc.link_route[0], 9);
	assert_int_equal(t->acc.link_route_calls, 1);
	/* Through 0xcff the same word is cut at the port's end: 0x60 is untouched. */
	cfg_wr(t, ISA, 0x5f, 2, 0x0700);
	assert_int_equal(t->acc.link_route[0], 9);
	/* Writes elsewhere do not touch the routes. */
	t->acc.link_route_calls = 0;
	cfg_wr(t, ISA, 0x64, 4, 0x05050505);
	assert_int_equal(t->acc.link_route_calls, 0);
	/* Resync after restore reports every link. */
	piix3_sync_routes(&t->m.piix3);
	assert_int_equal(t->acc.link_route_calls, 4);
	tm_free(t);
}

static void test_piix3_reset_control(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	assert_int_equal(inp(t, 0xcf9, 1), 0);
	outp(t, 0xcf9, 1, 0x02);
	assert_int_equal(inp(t, 0xcf9, 1), 0x02);
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 0);
	outp(t, 0xcf9, 1, 0x06);
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 1);
	/* A dword at 0xcf8 is CONFADD, not a reset. */
	outp(t, 0xcf8, 4, 0x80000004);
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 1);
	assert_int_equal(inp(t, 0xcf8, 4), 0x80000004);
	/* Nor are 0xcfa/0xcfb; a word at 0xcf9 reaches RCR with its low byte, as in QEMU. */
	outp(t, 0xcfa, 2, 0x0606);
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 1);
	outp(t, 0xcf9, 2, 0x0004);
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 2);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i440fx_identity),
		cmocka_unit_test(test_i440fx_pam_smram),
		cmocka_unit_test(test_piix3_identity),
		cmocka_unit_test(test_piix3_pirq_routes),
		cmocka_unit_test(test_piix3_reset_control),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("chipset", tests, NULL, NULL);
}
