// SPDX-License-Identifier: GPL-2.0-only
/*
 * Xen ioreqs without Xen: what the Xen accelerator does with each request
 * type, and that every malformed request is refused before a device sees it.
 */
#include "testlib.h"

#include "../../xen/ioreq.h"

#define COM1_LSR 0x3fd
#define COM1_SCR 0x3ff

static ioreq_t req(uint8_t type, uint64_t addr, uint32_t size, uint32_t count, int dir)
{
	ioreq_t r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.addr = addr;
	r.size = size;
	r.count = count;
	r.dir = (uint8_t)dir;
	r.state = STATE_IOREQ_INPROCESS;
	return r;
}

static uint64_t cfg_addr(unsigned int bus, unsigned int devfn, unsigned int reg)
{
	return (uint64_t)bus << 40 | (uint64_t)devfn << 32 | reg;
}

static void test_port_and_config(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	struct ioreq_ctx c;
	ioreq_t r;

	(void)state;
	ioreq_ctx_init(&c, &t->m, &t->acc.accel);
	r = req(IOREQ_TYPE_PIO, COM1_LSR, 1, 1, IOREQ_READ);
	ioreq_handle(&c, &r);
	assert_int_equal(r.data, 0x60);
	r = req(IOREQ_TYPE_PIO, COM1_SCR, 1, 1, IOREQ_WRITE);
	r.data = 0x1a5; /* only the low byte reaches the device */
	ioreq_handle(&c, &r);
	assert_int_equal(inp(t, COM1_SCR, 1), 0xa5);
	r = req(IOREQ_TYPE_PCI_CONFIG, cfg_addr(0, 0, 0), 4, 1, IOREQ_READ);
	ioreq_handle(&c, &r);
	assert_int_equal(r.data, 0x12378086);
	r = req(IOREQ_TYPE_PCI_CONFIG, cfg_addr(0, 8, 2), 2, 1, IOREQ_READ);
	ioreq_handle(&c, &r);
	assert_int_equal(r.data, 0x7000);
	/* Another bus, or a register range past 256, reads all-ones. */
	r = req(IOREQ_TYPE_PCI_CONFIG, cfg_addr(1, 0, 0), 4, 1, IOREQ_READ);
	ioreq_handle(&c, &r);
	assert_int_equal(r.data, 0xffffffff);
	r = req(IOREQ_TYPE_PCI_CONFIG, cfg_addr(0, 0, 254), 4, 1, IOREQ_READ);
	ioreq_handle(&c, &r);
	assert_int_equal(r.data, 0xffffffff);
	/* A PIRQ route written through a decoded config write reaches the accelerator. */
	r = req(IOREQ_TYPE_PCI_CONFIG, cfg_addr(0, 8, 0x60), 1, 1, IOREQ_WRITE);
	r.data = 10;
	ioreq_handle(&c, &r);
	assert_int_equal(t->acc.link_route[0], 10);
	/* MMIO nobody claims reads all-ones, 8 bytes wide. */
	r = req(IOREQ_TYPE_COPY, 0xfed00000, 8, 1, IOREQ_READ);
	ioreq_handle(&c, &r);
	assert_true(r.data == ~0ull);
	r = req(IOREQ_TYPE_TIMEOFFSET, 0, 8, 1, IOREQ_WRITE);
	r.data = (uint64_t)-3600;
	ioreq_handle(&c, &r);
	assert_int_equal(c.time_offset, -3600);
	assert_int_equal(c.refused, 0);
	tm_free(t);
}

static void test_string_io(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	struct ioreq_ctx c;
	ioreq_t r;

	(void)state;
	ioreq_ctx_init(&c, &t->m, &t->acc.accel);
	t->acc.guest_ram[0x100] = 0x11;
	t->acc.guest_ram[0x101] = 0x22;
	t->acc.guest_ram[0x102] = 0x33;
	/* rep outsb from guest memory: the last byte stays in the scratch register */
	r = req(IOREQ_TYPE_PIO, COM1_SCR, 1, 3, IOREQ_WRITE);
	r.data_is_ptr = 1;
	r.data = 0x100;
	ioreq_handle(&c, &r);
	assert_int_equal(inp(t, COM1_SCR, 1), 0x33);
	/* backwards (DF=1) from 0x102 ends at 0x100 */
	r = req(IOREQ_TYPE_PIO, COM1_SCR, 1, 3, IOREQ_WRITE);
	r.data_is_ptr = 1;
	r.df = 1;
	r.data = 0x102;
	ioreq_handle(&c, &r);
	assert_int_equal(inp(t, COM1_SCR, 1), 0x11);
	/* rep insb into guest memory */
	r = req(IOREQ_TYPE_PIO, COM1_LSR, 1, 4, IOREQ_READ);
	r.data_is_ptr = 1;
	r.data = 0x200;
	ioreq_handle(&c, &r);
	for (int i = 0; i < 4; i++)
		assert_int_equal(t->acc.guest_ram[0x200 + i], 0x60);
	assert_int_equal(t->acc.guest_ram[0x204], 0);
	/* A pointer outside guest memory: reads give all-ones, writes vanish, nothing breaks. */
	r = req(IOREQ_TYPE_PIO, COM1_SCR, 1, 2, IOREQ_WRITE);
	r.data_is_ptr = 1;
	r.data = 0xfffffffffffff000ull;
	ioreq_handle(&c, &r);
	assert_int_equal(inp(t, COM1_SCR, 1), 0xff);
	r = req(IOREQ_TYPE_PIO, COM1_LSR, 1, 2, IOREQ_READ);
	r.data_is_ptr = 1;
	r.data = sizeof(t->acc.guest_ram) - 1; /* the second byte would be past the end */
	ioreq_handle(&c, &r);
	assert_int_equal(t->acc.guest_ram[sizeof(t->acc.guest_ram) - 1], 0x60);
	/* Long strings go in chunks, both directions, and a chunk half outside memory keeps its half. */
	r = req(IOREQ_TYPE_PIO, COM1_LSR, 1, 5000, IOREQ_READ);
	r.data_is_ptr = 1;
	r.data = 0x3000;
	ioreq_handle(&c, &r);
	assert_int_equal(t->acc.guest_ram[0x2fff], 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(t->acc.guest_ram[0x3000 + i], 0x60);
	assert_int_equal(t->acc.guest_ram[0x3000 + 5000], 0);
	r.df = 1;
	r.data = 0x9000;
	ioreq_handle(&c, &r);
	assert_int_equal(t->acc.guest_ram[0x9000 - 5000], 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(t->acc.guest_ram[0x9000 - i], 0x60);
	assert_int_equal(t->acc.guest_ram[0x9001], 0);
	r.df = 0;
	r.data = sizeof(t->acc.guest_ram) - 100;
	r.count = 200;
	ioreq_handle(&c, &r);
	for (int i = 1; i <= 100; i++)
		assert_int_equal(t->acc.guest_ram[sizeof(t->acc.guest_ram) - i], 0x60);
	/* rep outsw of 3000 words: the scratch register ends with the last word's low byte. */
	t->acc.guest_ram[0x20000 + 2 * 2999] = 0x77;
	r = req(IOREQ_TYPE_PIO, COM1_SCR, 1, 3000, IOREQ_WRITE);
	r.data_is_ptr = 1;
	r.data = 0x20000;
	r.size = 1;
	ioreq_handle(&c, &r);
	assert_int_equal(inp(t, COM1_SCR, 1), 0);
	r.count = 2 * 2999 + 1;
	ioreq_handle(&c, &r);
	assert_int_equal(inp(t, COM1_SCR, 1), 0x77);
	assert_int_equal(c.refused, 0);
	tm_free(t);
}

static void test_refused(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	struct ioreq_ctx c;
	const struct {
		ioreq_t r;
		const char *why;
	} bad[] = {
		{ req(IOREQ_TYPE_PIO, COM1_LSR, 3, 1, IOREQ_READ), "size" },
		{ req(IOREQ_TYPE_PIO, COM1_LSR, 8, 1, IOREQ_READ), "size" },
		{ req(IOREQ_TYPE_PIO, 0xfffe, 4, 1, IOREQ_READ), "beyond" },
		{ req(IOREQ_TYPE_PIO, 0x10000, 1, 1, IOREQ_READ), "beyond" },
		{ req(IOREQ_TYPE_PIO, COM1_LSR, 1, 0, IOREQ_READ), "count" },
		{ req(IOREQ_TYPE_PIO, COM1_LSR, 1, 2, IOREQ_READ), "count and no pointer" },
		{ req(IOREQ_TYPE_COPY, 0xfed00000, 16, 1, IOREQ_READ), "size" },
		{ req(IOREQ_TYPE_COPY, 0xfed00000, 4, 0x10001, IOREQ_READ), "count" },
		{ req(IOREQ_TYPE_PCI_CONFIG, 0, 8, 1, IOREQ_READ), "size" },
		{ req(IOREQ_TYPE_PCI_CONFIG, 0, 4, 2, IOREQ_READ), "count" },
		{ req(3, 0x5658, 4, 1, IOREQ_READ), "unknown" },
		{ req(200, 0, 4, 1, IOREQ_READ), "unknown" },
	};

	(void)state;
	ioreq_ctx_init(&c, &t->m, &t->acc.accel);
	outp(t, COM1_SCR, 1, 0x42);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ioreq_t r = bad[i].r;
		const char *why = ioreq_invalid(&r);

		if (!why || !strstr(why, bad[i].why))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why ? why : "(accepted)", bad[i].why);
		r.data = 0x1234;
		ioreq_handle(&c, &r);
		assert_true(r.data == ~0ull); /* a refused read answers all-ones */
	}
	/* A refused string write through the pointer path touches nothing. */
	{
		ioreq_t r = req(IOREQ_TYPE_PIO, COM1_SCR, 1, 0x20000, IOREQ_WRITE);

		r.data_is_ptr = 1;
		ioreq_handle(&c, &r);
	}
	assert_int_equal(inp(t, COM1_SCR, 1), 0x42);
	assert_int_equal(c.refused, sizeof(bad) / sizeof(bad[0]) + 1);
	assert_int_equal(c.served, 0);
	tm_free(t);
}

static void put_slot(buffered_iopage_t *b, uint32_t i, uint8_t type, unsigned int size_log2,
		     uint32_t addr, uint32_t data)
{
	buf_ioreq_t *s = &b->buf_ioreq[i % IOREQ_BUFFER_SLOT_NUM];

	memset(s, 0, sizeof(*s));
	s->type = type;
	s->size = size_log2 & 3;
	s->addr = addr & 0xfffff;
	s->data = data;
}

static void test_buffered(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	buffered_iopage_t *b = calloc(1, 4096);
	struct ioreq_ctx c;

	(void)state;
	assert_true(sizeof(*b) <= 4096);
	ioreq_ctx_init(&c, &t->m, &t->acc.accel);
	/* Wrapping indices: start near the end of the ring. */
	b->read_pointer = b->write_pointer = 2 * IOREQ_BUFFER_SLOT_NUM - 1;
	put_slot(b, b->write_pointer, IOREQ_TYPE_PIO, 0, COM1_SCR, 0x5a);
	put_slot(b, b->write_pointer + 1, IOREQ_TYPE_TIMEOFFSET, 3, 0, 0xfffffff0);
	put_slot(b, b->write_pointer + 2, IOREQ_TYPE_TIMEOFFSET, 0, 0, 0xffffffff);
	b->write_pointer += 3;
	ioreq_drain_buffered(&c, b);
	assert_int_equal(inp(t, COM1_SCR, 1), 0x5a);
	assert_int_equal(c.time_offset, -16); /* both halves of the 8-byte write */
	assert_int_equal(b->read_pointer, b->write_pointer);
	/* An 8-byte request whose second half is not there yet waits. */
	put_slot(b, b->write_pointer, IOREQ_TYPE_TIMEOFFSET, 3, 0, 1);
	b->write_pointer += 1;
	ioreq_drain_buffered(&c, b);
	assert_int_equal(b->read_pointer + 1, b->write_pointer);
	assert_int_equal(c.time_offset, -16);
	put_slot(b, b->write_pointer, IOREQ_TYPE_TIMEOFFSET, 0, 0, 0);
	b->write_pointer += 1;
	ioreq_drain_buffered(&c, b);
	assert_int_equal(c.time_offset, -15);
	/* Pointers no sane Xen writes: refused once, no spinning, no reads past the ring. */
	b->write_pointer = b->read_pointer + 100000;
	ioreq_drain_buffered(&c, b);
	assert_int_equal(c.refused, 1);
	/* A buffered type that has no business there is skipped, not performed. */
	b->write_pointer = b->read_pointer;
	put_slot(b, b->write_pointer, IOREQ_TYPE_PCI_CONFIG, 2, 0, 0);
	b->write_pointer += 1;
	ioreq_drain_buffered(&c, b);
	assert_int_equal(c.refused, 2);
	assert_int_equal(b->read_pointer, b->write_pointer);
	free(b);
	tm_free(t);
}

static void count_invalidate(void *opaque)
{
	(*(int *)opaque)++;
}

/* INVALIDATE reaches whoever keeps mappings (the map cache), once per request; without one it is a no-op. */
static void test_invalidate(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	struct ioreq_ctx c;
	ioreq_t r;
	int n = 0;

	(void)state;
	ioreq_ctx_init(&c, &t->m, &t->acc.accel);
	r = req(IOREQ_TYPE_INVALIDATE, 0, 0, 0, IOREQ_WRITE);
	ioreq_handle(&c, &r);
	assert_int_equal(c.served, 1);
	c.invalidate = count_invalidate;
	c.invalidate_opaque = &n;
	r = req(IOREQ_TYPE_INVALIDATE, 0, 0, 0, IOREQ_WRITE);
	ioreq_handle(&c, &r);
	assert_int_equal(n, 1);
	assert_int_equal(c.served, 2);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_and_config),
		cmocka_unit_test(test_string_io),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_buffered),
		cmocka_unit_test(test_invalidate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
