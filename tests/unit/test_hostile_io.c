// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile guest: random port I/O of every size over the whole port space,
 * random config cycles to every function, random BAR and PMBA placement, for
 * each profile. Run under ASan/UBSan this proves no guest value reaches memory
 * it should not; afterwards the range map must still be well formed and the
 * fixed devices must still answer.
 */
#include "testlib.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure is reproducible. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned int rnd_size(void)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8, 3, 0 };

	return sizes[rnd() % 6];
}

static void storm(enum machine_profile p, uint64_t seed, unsigned int rounds)
{
	struct tm_ctx *t = tm_new(p, 4, "null");

	rng_state = seed;
	for (unsigned int i = 0; i < rounds; i++) {
		uint64_t r = rnd();
		uint16_t port = (uint16_t)(r >> 16);
		unsigned int size = rnd_size();

		switch (r % 8) {
		case 0: /* anywhere in the port space */
			if (rnd() & 1)
				outp(t, port, size, rnd());
			else
				inp(t, port, size);
			break;
		case 1: /* near the devices we have */
		{
			static const uint16_t hot[] = { 0x10, 0x60, 0x64, 0xb2, 0x3f8, 0xcf8, 0xcf9,
							0xcfc, 0xae00, 0xaf00, 0xafe0, 0xb000, 0xb044,
							0x10c0, 0xc000 };
			uint16_t a = (uint16_t)(hot[rnd() % 15] + rnd() % 24);

			if (rnd() & 1)
				outp(t, a, size, rnd());
			else
				inp(t, a, size);
			break;
		}
		case 2: /* config space, through the ports */
			cfg_wr(t, (unsigned int)(rnd() % 32), (unsigned int)(rnd() % 256), rnd_size(),
			       (uint32_t)rnd());
			break;
		case 3: /* decoded config accesses with any register and length */
			pci_config_write(&t->m.pci, (unsigned int)(rnd() % 300),
					 (unsigned int)(rnd() % 300), rnd_size(), (uint32_t)rnd());
			pci_config_read(&t->m.pci, (unsigned int)(rnd() % 300),
					(unsigned int)(rnd() % 300), rnd_size());
			break;
		case 4: /* BARs and decode of the real functions */
		{
			static const uint8_t fns[] = { 0x00, 0x08, 0x0b, 0x10, 0x18 };
			unsigned int f = fns[rnd() % 5];

			cfg_wr(t, f, 0x10 + 4 * (unsigned int)(rnd() % 7), 4, (uint32_t)rnd());
			cfg_wr(t, f, PCI_COMMAND, 2, (uint32_t)rnd());
			break;
		}
		case 5: /* PM block anywhere */
			cfg_wr(t, PCI_DEVFN(1, 3), 0x40, 4, (uint32_t)rnd());
			cfg_wr(t, PCI_DEVFN(1, 3), 0x80, 1, (uint32_t)rnd());
			break;
		case 6: /* MMIO anywhere in the hole */
			io_space_write(&t->m.mmio, 0xf0000000 + (rnd() % 0x2000000), size, rnd());
			io_space_read(&t->m.mmio, 0xf0000000 + (rnd() % 0x2000000), size);
			break;
		default: /* time passes, and the control plane does things */
			tm_advance(t, rnd() % 10000000);
			piix4_pm_set_cpu_online(&t->m.pm, (unsigned int)(rnd() % 300), rnd() & 1);
			piix4_pm_pci_hotplug(&t->m.pm, (unsigned int)(rnd() % 300), rnd() & 1, rnd() & 1);
			if (p == PROFILE_PC)
				piix4_pm_power_button(&t->m.pm);
			{
				uint8_t bytes[32];

				for (unsigned int k = 0; k < sizeof(bytes); k++)
					bytes[k] = (uint8_t)rnd();
				uart_receive(&t->m.uart[0], bytes, (unsigned int)(rnd() % 32));
			}
			/* The guest answers with GPE enables now and then. */
			outp(t, 0xafe2, 2, rnd());
			break;
		}
	}
	/* The storm really reached the devices' interrupt and routing paths. */
	assert_true(t->acc.isa_irq_changes[9] > 10);
	assert_true(t->acc.isa_irq_changes[4] > 10);
	assert_true(t->acc.link_route_calls > 5);
	/* The range map is still sorted and non-overlapping. */
	for (size_t i = 1; i < t->m.io.count; i++)
		assert_true(t->m.io.ranges[i - 1].base + t->m.io.ranges[i - 1].len <= t->m.io.ranges[i].base);
	for (size_t i = 1; i < t->m.mmio.count; i++)
		assert_true(t->m.mmio.ranges[i - 1].base + t->m.mmio.ranges[i - 1].len <= t->m.mmio.ranges[i].base);
	/* The identity of the chipset survived. */
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 0), 0, 4), 0x70008086);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), 0, 4), 0x71138086);
	if (p != PROFILE_PC)
		assert_int_equal(inp(t, 0x10, 2), 0x49d2);
	machine_reset(&t->m);
	assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 0), 0x60, 4), 0x80808080);
	tm_free(t);
}

static void test_storm_xenfv(void **state)
{
	(void)state;
	storm(PROFILE_XENFV, 0x1234567, 200000);
}

static void test_storm_trad(void **state)
{
	(void)state;
	storm(PROFILE_XENFV_TRAD, 0x89abcdef, 200000);
}

static void test_storm_pc(void **state)
{
	(void)state;
	storm(PROFILE_PC, 0x5eed, 200000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_xenfv),
		cmocka_unit_test(test_storm_trad),
		cmocka_unit_test(test_storm_pc),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("hostile_io", tests, NULL, NULL);
}
