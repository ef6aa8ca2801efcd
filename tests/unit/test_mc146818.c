// SPDX-License-Identifier: GPL-2.0-only
/* MC146818 RTC/CMOS: time in BCD and binary, 12/24 h, setting time, NVRAM, status registers. */
#include "testlib.h"

static time_t fixed_now(void)
{
	return 1763766245; /* 2025-11-21 23:04:05 UTC, a Friday */
}

static uint8_t rd(struct tm_ctx *t, uint8_t reg)
{
	outp(t, 0x70, 1, reg);
	return (uint8_t)inp(t, 0x71, 1);
}

static void wr(struct tm_ctx *t, uint8_t reg, uint8_t v)
{
	outp(t, 0x70, 1, reg);
	outp(t, 0x71, 1, v);
}

static void test_time(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	t->m.rtc.now = fixed_now;
	/* BCD, 24 h from reset. */
	assert_int_equal(rd(t, 0x00), 0x05);
	assert_int_equal(rd(t, 0x02), 0x04);
	assert_int_equal(rd(t, 0x04), 0x23);
	assert_int_equal(rd(t, 0x06), 0x06); /* Friday = 6 */
	assert_int_equal(rd(t, 0x07), 0x21);
	assert_int_equal(rd(t, 0x08), 0x11);
	assert_int_equal(rd(t, 0x09), 0x25);
	assert_int_equal(rd(t, 0x32), 0x20);
	/* Binary, 12 h with the PM bit. */
	wr(t, RTC_REG_B, RTC_B_DM);
	assert_int_equal(rd(t, 0x04), 0x80 | 11);
	assert_int_equal(rd(t, 0x09), 25);
	/* Setting the hour moves the guest's clock, not the host's. */
	wr(t, RTC_REG_B, RTC_B_DM | RTC_B_24H);
	wr(t, 0x04, 1);
	assert_int_equal(rd(t, 0x04), 1);
	assert_int_equal(t->m.rtc.offset_s, -22 * 3600);
	wr(t, 0x09, 99);
	assert_int_equal(rd(t, 0x09), 99);
	tm_free(t);
}

static void test_registers_and_nvram(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	assert_int_equal(rd(t, RTC_REG_A), 0x26);
	wr(t, RTC_REG_A, 0xff);
	assert_int_equal(rd(t, RTC_REG_A), 0x7f); /* UIP is read-only */
	assert_int_equal(rd(t, RTC_REG_D), 0x80);
	wr(t, RTC_REG_D, 0);
	assert_int_equal(rd(t, RTC_REG_D), 0x80);
	t->m.rtc.cmos[RTC_REG_C] = 0xc0;
	assert_int_equal(rd(t, RTC_REG_C), 0xc0);
	assert_int_equal(rd(t, RTC_REG_C), 0x00); /* cleared by reading */
	/* The NMI bit rides on the index; reads of the index port return all-ones. */
	outp(t, 0x70, 1, 0x80 | 0x40);
	outp(t, 0x71, 1, 0x5a);
	assert_int_equal(rd(t, 0x40), 0x5a);
	assert_int_equal(inp(t, 0x70, 1), 0xff);
	/* Memory sizes as SeaBIOS reads them (128 MiB, 1 vCPU). */
	assert_int_equal(rd(t, 0x15) | rd(t, 0x16) << 8, 640);
	assert_int_equal(rd(t, 0x30) | rd(t, 0x31) << 8, 0xfc00);
	assert_int_equal(rd(t, 0x34) | rd(t, 0x35) << 8, (128 - 16) * 16);
	assert_int_equal(rd(t, 0x5b) | rd(t, 0x5c) << 8 | rd(t, 0x5d) << 16, 0);
	assert_int_equal(rd(t, 0x5f), 0);
	/* Memory above 4 GiB (5 GiB guest: 2 GiB low, 3 GiB high). */
	mc146818_set_memory(&t->m.rtc, 2ull << 30, 3ull << 30, 4);
	assert_int_equal(rd(t, 0x5b) | rd(t, 0x5c) << 8 | rd(t, 0x5d) << 16, 3 << 14);
	assert_int_equal(rd(t, 0x34) | rd(t, 0x35) << 8, 0x7f00);
	assert_int_equal(rd(t, 0x5f), 3);
	tm_free(t);
}

/*
 * Under Xen the hypervisor's RTC owns indexes 0x00-0x0d and forwards only
 * the rest (xen/arch/x86/hvm/rtc.c): hvmdm keeps that NVRAM -- SeaBIOS's
 * S3-resume flag at 0x0f among it -- and never drives IRQ 8 or a timer.
 */
static void test_xen_nvram_only(void **state)
{
	static const enum machine_profile profiles[] = { PROFILE_XENFV, PROFILE_XENFV_TRAD };

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		struct tm_ctx *x = tm_new(profiles[i], 1, NULL);
		struct mc146818_state st;

		assert_true(x->m.has_rtc);
		assert_true(x->m.rtc.nvram_only);
		outp(x, 0x70, 1, 0x0f);
		outp(x, 0x71, 1, 0xfe);
		assert_int_equal(inp(x, 0x71, 1), 0xfe);
		outp(x, 0x70, 1, 0x7f);
		outp(x, 0x71, 1, 0x33);
		assert_int_equal(x->m.rtc.cmos[0x7f], 0x33);
		/* A restored stream full of enabled, pending interrupts raises nothing. */
		mc146818_save_state(&x->m.rtc, &st);
		st.cmos[RTC_REG_B] = RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_24H;
		st.cmos[RTC_REG_C] = RTC_C_PF | RTC_C_AF | RTC_C_UF;
		st.cmos[0x00] = 0x42;
		st.cmos[0x20] = 0x99;
		st.periodic_expire = st.second_expire = 12345;
		mc146818_load_state(&x->m.rtc, &st);
		assert_int_equal(x->m.rtc.cmos[0x20], 0x99);
		assert_int_equal(x->m.rtc.cmos[RTC_REG_B], RTC_B_24H);
		assert_int_equal(x->m.rtc.cmos[0x00], 0);
		assert_false(x->m.rtc.periodic.armed);
		assert_false(x->m.rtc.second.armed);
		assert_false(x->acc.isa_irq[8]);
		/* Even a guest write reaching register B (no Xen in a unit test). */
		outp(x, 0x70, 1, RTC_REG_B);
		outp(x, 0x71, 1, RTC_B_PIE | RTC_B_UIE | RTC_B_24H);
		x->m.rtc.cmos[RTC_REG_C] = RTC_C_PF;
		outp(x, 0x70, 1, RTC_REG_B);
		outp(x, 0x71, 1, RTC_B_PIE | RTC_B_UIE | RTC_B_24H);
		assert_false(x->acc.isa_irq[8]);
		assert_false(x->m.rtc.periodic.armed);
		/* A system reset keeps the NVRAM (the S3 flag survives the wake-up reset). */
		machine_reset(&x->m);
		assert_int_equal(x->m.rtc.cmos[0x0f], 0xfe);
		tm_free(x);
	}
}

static void test_interrupts(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	assert_int_equal(mc146818_period_ns(0x26), 976562); /* rate 6: 1024 Hz */
	assert_int_equal(mc146818_period_ns(0x2f), 500000000); /* rate 15: 2 Hz */
	assert_int_equal(mc146818_period_ns(0x21), mc146818_period_ns(0x28)); /* 1 acts as 8 */
	assert_int_equal(mc146818_period_ns(0x20), 0);
	/* Periodic: PF and IRQF set, IRQ 8 up until register C is read. */
	wr(t, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	assert_false(t->acc.isa_irq[8]);
	tm_advance(t, 1000000);
	assert_true(t->acc.isa_irq[8]);
	assert_int_equal(rd(t, RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	assert_false(t->acc.isa_irq[8]);
	assert_int_equal(rd(t, RTC_REG_C), 0);
	tm_advance(t, 1000000);
	assert_true(t->acc.isa_irq[8]);
	/* Turning PIE off drops the line; PF still shows, without IRQF. */
	wr(t, RTC_REG_B, RTC_B_24H);
	assert_false(t->acc.isa_irq[8]);
	assert_int_equal(rd(t, RTC_REG_C), RTC_C_PF);
	/* Update-ended once a second; an alarm of "don't care" bytes fires with it. */
	wr(t, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	tm_advance(t, NSEC_PER_SEC);
	assert_true(t->acc.isa_irq[8]);
	assert_int_equal(rd(t, RTC_REG_C) & (RTC_C_UF | RTC_C_IRQF), RTC_C_UF | RTC_C_IRQF);
	wr(t, 0x01, 0xff);
	wr(t, 0x03, 0xff);
	wr(t, 0x05, 0xff);
	wr(t, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	tm_advance(t, NSEC_PER_SEC);
	assert_int_equal(rd(t, RTC_REG_C) & (RTC_C_AF | RTC_C_IRQF), RTC_C_AF | RTC_C_IRQF);
	/* SET stops updates (and so UF/AF). */
	wr(t, RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET);
	rd(t, RTC_REG_C);
	tm_advance(t, 2 * NSEC_PER_SEC);
	assert_int_equal(rd(t, RTC_REG_C), 0);
	tm_free(t);
}

/* A system reset clears only the interrupt enables and flags; the rest is battery-backed. */
static void test_system_reset(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	t->m.rtc.now = fixed_now;
	wr(t, RTC_REG_A, 0x2a);
	wr(t, RTC_REG_B, RTC_B_DM | RTC_B_24H | RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	wr(t, 0x01, 7);    /* alarm seconds */
	wr(t, 0x7d, 0xa5); /* NVRAM */
	wr(t, 0x04, 5);    /* moves the guest clock */
	tm_advance(t, 2 * NSEC_PER_SEC);
	assert_int_not_equal(rd(t, RTC_REG_C), 0); /* UF, and PF pending */
	machine_reset(&t->m);
	assert_int_equal(rd(t, RTC_REG_A), 0x2a);
	assert_int_equal(rd(t, RTC_REG_B), RTC_B_DM | RTC_B_24H);
	assert_int_equal(rd(t, RTC_REG_C), 0);
	assert_int_equal(rd(t, 0x01), 7);
	assert_int_equal(rd(t, 0x7d), 0xa5);
	assert_int_equal(rd(t, 0x04), 5);
	assert_false(t->m.rtc.periodic.armed);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_interrupts),
		cmocka_unit_test(test_xen_nvram_only),
		cmocka_unit_test(test_registers_and_nvram),
		cmocka_unit_test(test_system_reset),
	};

	return cmocka_run_group_tests_name("mc146818", tests, NULL, NULL);
}
