// SPDX-License-Identifier: GPL-2.0-only
/* The range map: claims, lookups and how accesses are split. */
#include "testlib.h"

#include <errno.h>

/* A device that records its accesses; registers are a byte array. */
struct rec {
	uint8_t regs[16];
	unsigned int reads, writes;
	unsigned int last_size;
	uint64_t last_off;
};

static uint64_t rec_read(void *o, uint64_t off, unsigned int size)
{
	struct rec *r = o;

	r->reads++;
	r->last_size = size;
	r->last_off = off;
	return le_read(r->regs + off, size);
}

static void rec_write(void *o, uint64_t off, unsigned int size, uint64_t v)
{
	struct rec *r = o;

	r->writes++;
	r->last_size = size;
	r->last_off = off;
	le_write(r->regs + off, size, v);
}

static const struct io_ops byte_ops = { .read = rec_read, .write = rec_write, .impl_min = 1, .impl_max = 1 };
static const struct io_ops dword_ops = { .read = rec_read, .write = rec_write, .impl_min = 1, .impl_max = 4 };
static const struct io_ops only4_ops = { .read = rec_read, .write = rec_write, .impl_min = 4, .impl_max = 4 };
static const struct io_ops qword_ops = { .read = rec_read, .write = rec_write, .impl_min = 1, .impl_max = 8 };

static void test_claim_overlap_release(void **state)
{
	struct accel_double acc;
	struct io_space io;
	struct rec a = { 0 }, b = { 0 };

	(void)state;
	tm_quiet();
	accel_double_init(&acc);
	io_space_init(&io, IO_SPACE_PORT, &acc.accel);
	assert_int_equal(io_space_claim(&io, 0x100, 8, &byte_ops, &a, "a"), 0);
	assert_true(accel_double_has_range(&acc, IO_SPACE_PORT, 0x100, 0x107));
	/* Overlaps at either end and inside are refused. */
	assert_int_equal(io_space_claim(&io, 0xfc, 8, &byte_ops, &b, "b"), -EEXIST);
	assert_int_equal(io_space_claim(&io, 0x107, 1, &byte_ops, &b, "b"), -EEXIST);
	assert_int_equal(io_space_claim(&io, 0x0, 0x1000, &byte_ops, &b, "b"), -EEXIST);
	/* Adjacent is fine. */
	assert_int_equal(io_space_claim(&io, 0x108, 8, &byte_ops, &b, "b"), 0);
	assert_int_equal(io_space_claim(&io, 0xf8, 8, &byte_ops, &b, "b2"), 0);
	/* Empty and out-of-space ranges. */
	assert_int_equal(io_space_claim(&io, 0x200, 0, &byte_ops, &b, "b"), -EINVAL);
	assert_int_equal(io_space_claim(&io, 0xfffe, 4, &byte_ops, &b, "b"), -EINVAL);
	assert_int_equal(io_space_claim(&io, 0x10000, 1, &byte_ops, &b, "b"), -EINVAL);
	assert_int_equal(io_space_claim(&io, 0xffff, 1, &byte_ops, &b, "last"), 0);
	/* Lookup. */
	assert_ptr_equal(io_space_find(&io, 0x104)->opaque, &a);
	assert_ptr_equal(io_space_find(&io, 0x10f)->opaque, &b);
	assert_null(io_space_find(&io, 0x110));
	assert_null(io_space_find(&io, 0xf7));
	/* Release needs the exact base and owner. */
	assert_int_equal(io_space_release(&io, 0x101, &a), -ENOENT);
	assert_int_equal(io_space_release(&io, 0x100, &b), -ENOENT);
	assert_int_equal(io_space_release(&io, 0x100, &a), 0);
	assert_false(accel_double_has_range(&acc, IO_SPACE_PORT, 0x100, 0x107));
	assert_null(io_space_find(&io, 0x100));
	assert_int_equal(io_space_claim(&io, 0x100, 8, &byte_ops, &a, "a"), 0);
	io_space_destroy(&io);
}

static void test_many_claims_sorted(void **state)
{
	struct io_space io;
	struct rec r[64];

	(void)state;
	io_space_init(&io, IO_SPACE_MMIO, NULL);
	/* Claim in a scrambled order; lookups must find each. */
	for (unsigned int i = 0; i < 64; i++) {
		unsigned int k = (i * 37) % 64;

		assert_int_equal(io_space_claim(&io, 0x1000ull * k + 0x100000000ull, 0x800,
						&byte_ops, &r[k], "r"), 0);
	}
	for (unsigned int k = 0; k < 64; k++) {
		assert_ptr_equal(io_space_find(&io, 0x1000ull * k + 0x100000000ull + 0x7ff)->opaque, &r[k]);
		assert_null(io_space_find(&io, 0x1000ull * k + 0x100000000ull + 0x800));
	}
	for (unsigned int i = 1; i < io.count; i++)
		assert_true(io.ranges[i - 1].base + io.ranges[i - 1].len <= io.ranges[i].base);
	io_space_destroy(&io);
}

static void test_unclaimed_reads_all_ones(void **state)
{
	struct io_space io;
	struct rec a = { 0 };

	(void)state;
	io_space_init(&io, IO_SPACE_PORT, NULL);
	assert_int_equal(io_space_read(&io, 0x80, 1), 0xff);
	assert_int_equal(io_space_read(&io, 0x80, 2), 0xffff);
	assert_int_equal(io_space_read(&io, 0x80, 4), 0xffffffff);
	assert_true(io_space_read(&io, 0x80, 8) == UINT64_MAX);
	/* Invalid sizes: all-ones, nothing dispatched. */
	assert_int_equal(io_space_claim(&io, 0x80, 4, &dword_ops, &a, "a"), 0);
	assert_true(io_space_read(&io, 0x80, 3) == UINT64_MAX);
	assert_true(io_space_read(&io, 0x80, 0) == UINT64_MAX);
	io_space_write(&io, 0x80, 16, 0x12);
	assert_int_equal(a.reads + a.writes, 0);
	/* Past the end of the port space. */
	assert_int_equal(io_space_read(&io, 0xffff, 4), 0xffffffff);
	io_space_destroy(&io);
}

static void test_straddling_access(void **state)
{
	struct io_space io;
	struct rec a = { .regs = { 0x11, 0x22, 0x33, 0x44 } }, b = { .regs = { 0x55, 0x66 } };

	(void)state;
	io_space_init(&io, IO_SPACE_PORT, NULL);
	assert_int_equal(io_space_claim(&io, 0x100, 2, &byte_ops, &a, "a"), 0);
	assert_int_equal(io_space_claim(&io, 0x102, 2, &byte_ops, &b, "b"), 0);
	/* A dword over both: two bytes from each. */
	assert_int_equal(io_space_read(&io, 0x100, 4), 0x66552211);
	/* A dword from 0x102: b's two bytes, then two unclaimed. */
	assert_int_equal(io_space_read(&io, 0x102, 4), 0xffff6655);
	/* A write spreads the same way and drops the unclaimed part. */
	io_space_write(&io, 0x101, 2, 0xbbaa);
	assert_int_equal(a.regs[1], 0xaa);
	assert_int_equal(b.regs[0], 0xbb);
	io_space_destroy(&io);
}

static void test_split_to_handler_size(void **state)
{
	struct io_space io;
	struct rec a = { .regs = { 1, 2, 3, 4, 5, 6, 7, 8 } }, q = { .regs = { 1, 2, 3, 4, 5, 6, 7, 8 } };

	(void)state;
	io_space_init(&io, IO_SPACE_MMIO, NULL);
	assert_int_equal(io_space_claim(&io, 0x1000, 8, &dword_ops, &a, "a"), 0);
	assert_int_equal(io_space_claim(&io, 0x2000, 8, &qword_ops, &q, "q"), 0);
	/* An 8-byte access to a 4-byte handler becomes two dwords. */
	assert_true(io_space_read(&io, 0x1000, 8) == 0x0807060504030201ull);
	assert_int_equal(a.reads, 2);
	assert_int_equal(a.last_size, 4);
	assert_true(io_space_read(&io, 0x2000, 8) == 0x0807060504030201ull);
	assert_int_equal(q.reads, 1);
	/* An unaligned dword is cut into aligned pieces: 1 + 2 + 1. */
	a.reads = 0;
	assert_int_equal(io_space_read(&io, 0x1001, 4), 0x05040302);
	assert_int_equal(a.reads, 3);
	io_space_write(&io, 0x1003, 2, 0xeeff);
	assert_int_equal(a.regs[3], 0xff);
	assert_int_equal(a.regs[4], 0xee);
	io_space_destroy(&io);
}

static void test_narrower_than_handler_is_invalid(void **state)
{
	struct io_space io;
	struct rec a = { .regs = { 1, 2, 3, 4 } };

	(void)state;
	tm_quiet();
	io_space_init(&io, IO_SPACE_PORT, NULL);
	assert_int_equal(io_space_claim(&io, 0x200, 4, &only4_ops, &a, "a"), 0);
	assert_int_equal(io_space_read(&io, 0x200, 4), 0x04030201);
	assert_int_equal(io_space_read(&io, 0x200, 1), 0xff);
	assert_int_equal(io_space_read(&io, 0x202, 2), 0xffff);
	io_space_write(&io, 0x200, 2, 0);
	assert_int_equal(a.regs[0], 1);
	assert_int_equal(a.reads, 1);
	assert_int_equal(a.writes, 0);
	io_space_destroy(&io);
}

static void test_short_range_long_access(void **state)
{
	struct io_space io;
	struct rec a = { .regs = { 0x5a } };

	(void)state;
	io_space_init(&io, IO_SPACE_PORT, NULL);
	assert_int_equal(io_space_claim(&io, 0x61, 1, &dword_ops, &a, "a"), 0);
	assert_int_equal(io_space_read(&io, 0x61, 4), 0xffffff5a);
	assert_int_equal(a.last_size, 1);
	assert_int_equal(a.last_off, 0);
	io_space_destroy(&io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_overlap_release),
		cmocka_unit_test(test_many_claims_sorted),
		cmocka_unit_test(test_unclaimed_reads_all_ones),
		cmocka_unit_test(test_straddling_access),
		cmocka_unit_test(test_split_to_handler_size),
		cmocka_unit_test(test_narrower_than_handler_is_invalid),
		cmocka_unit_test(test_short_range_long_access),
	};

	return cmocka_run_group_tests_name("bus", tests, NULL, NULL);
}
