// SPDX-License-Identifier: GPL-2.0-only
/* The command line: what it accepts, and that refusals name the option. */
#include "testlib.h"

#include "../../vm/options.h"

static int parse(struct options *o, char *err, const char *a0, ...)
{
	char *argv[32] = { "hvmdm" };
	int argc = 1;
	va_list ap;

	va_start(ap, a0);
	for (const char *a = a0; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	return options_parse(o, argc, argv, err, 256);
}

static void test_accepts(void **state)
{
	struct options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, NULL), 0);
	assert_int_equal(o.mode, MODE_RUN);
	assert_int_equal(o.machine.profile, PROFILE_XENFV);
	assert_int_equal(o.machine.vcpus, 1);
	assert_int_equal(parse(&o, err, "-machine", "xenfv,suppress-vmdesc=on", "-m", "56", "-smp",
			       "4", "-serial", "pty", "--serial", "file:/tmp/x", "-selfcheck", NULL), 0);
	assert_int_equal(o.mode, MODE_SELFCHECK);
	assert_int_equal(o.machine.ram_mib, 56);
	assert_int_equal(o.machine.vcpus, 4);
	assert_int_equal(o.machine.nr_serial, 2);
	assert_string_equal(o.machine.serial[1], "file:/tmp/x");
	assert_int_equal(parse(&o, err, "-M", "xenfv-trad", "-m", "2G", NULL), 0);
	assert_int_equal(o.machine.profile, PROFILE_XENFV_TRAD);
	assert_int_equal(o.machine.ram_mib, 2048);
	assert_int_equal(parse(&o, err, "-machine", "pc", "-help", NULL), 0);
	assert_int_equal(o.mode, MODE_HELP);
	/* KVM: machine pc by default, the BIOS and debug port options. */
	assert_int_equal(parse(&o, err, "-accel", "kvm", "-bios", "/x.bin", "-debugcon", "stdio", NULL), 0);
	assert_int_equal(o.accel, ACCEL_KVM);
	assert_int_equal(o.machine.profile, PROFILE_PC);
	assert_string_equal(o.bios, "/x.bin");
	assert_string_equal(o.machine.debugcon, "stdio");
	assert_int_equal(parse(&o, err, "-enable-kvm", "-M", "pc", NULL), 0);
	assert_string_equal(o.bios, DEFAULT_BIOS);
}

static void expect_refused(const char *needle, const char *a0, const char *a1, const char *a2)
{
	struct options o;
	char err[256] = "";

	assert_int_not_equal(parse(&o, err, a0, a1, a2, NULL), 0);
	if (!strstr(err, needle))
		fail_msg("message \"%s\" does not name \"%s\"", err, needle);
}

static void test_refuses(void **state)
{
	(void)state;
	expect_refused("-machine q35", "-machine", "q35", NULL);
	expect_refused("suppress-vmdesc=off", "-machine", "xenfv,suppress-vmdesc=off", NULL);
	expect_refused("-m 0", "-m", "0", NULL);
	expect_refused("-m 12X", "-m", "12X", NULL);
	expect_refused("-m 99999999999999999999", "-m", "99999999999999999999", NULL);
	expect_refused("-smp 0", "-smp", "0", NULL);
	expect_refused("-smp 129", "-smp", "129", NULL);
	expect_refused("-smp 2x", "-smp", "2x", NULL);
	expect_refused("-serial", "-serial", NULL, NULL);
	expect_refused("-accel tcg", "-accel", "tcg", NULL);
	{
		struct options o;
		char err[256];

		assert_int_not_equal(parse(&o, err, "-accel", "kvm", "-machine", "xenfv", NULL), 0);
		assert_non_null(strstr(err, "needs Xen"));
		assert_int_equal(parse(&o, err, "-accel", "kvm", "-smp", "4", NULL), 0);
		assert_int_equal(o.machine.vcpus, 4);
	}
	expect_refused("device_model_version", "-xen-domid", "3", NULL);
	expect_refused("-device", "-device", "cirrus-vga", NULL);
	expect_refused("-frobnicate", "-frobnicate", NULL, NULL);
	{
		struct options o;
		char err[256];

		assert_int_not_equal(parse(&o, err, "-serial", "null", "-serial", "null", "-serial", "x", NULL), 0);
		assert_non_null(strstr(err, "at most two"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
