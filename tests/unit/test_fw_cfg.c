// SPDX-License-Identifier: GPL-2.0-only
/* fw_cfg: selector and data ports, file directory, DMA through guest memory. */
#include "testlib.h"

static uint8_t rd8(struct tm_ctx *t)
{
	return (uint8_t)inp(t, FW_CFG_PORT_DATA, 1);
}

/* n bytes little-endian, read in order (C leaves the order of operands open). */
static uint64_t rd_le(struct tm_ctx *t, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)rd8(t) << (8 * i);
	return v;
}

static uint32_t rd_be32(struct tm_ctx *t)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | rd8(t);
	return v;
}

static void test_items_and_directory(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 2, NULL);
	char sig[5] = { 0 };
	uint32_t count;
	bool found = false;

	(void)state;
	outp(t, FW_CFG_PORT_SEL, 2, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)rd8(t);
	assert_string_equal(sig, "QEMU");
	assert_int_equal(rd8(t), 0); /* past the end: zeros */
	outp(t, FW_CFG_PORT_SEL, 2, FW_CFG_ID);
	assert_int_equal(rd8(t), 3);
	outp(t, FW_CFG_PORT_SEL, 2, FW_CFG_NB_CPUS);
	assert_int_equal(rd_le(t, 2), 2);
	outp(t, FW_CFG_PORT_SEL, 2, FW_CFG_RAM_SIZE);
	assert_true(rd_le(t, 8) == 128ull << 20);
	/* The directory lists etc/e820 with its size and selector. */
	outp(t, FW_CFG_PORT_SEL, 2, FW_CFG_FILE_DIR);
	count = rd_be32(t);
	assert_true(count >= 1);
	for (uint32_t i = 0; i < count; i++) {
		uint8_t e[64];

		for (int k = 0; k < 64; k++)
			e[k] = rd8(t);
		if (!strcmp((char *)e + 8, "etc/e820")) {
			found = true;
			assert_int_equal(e[3], 20); /* one RAM entry */
			assert_int_equal(e[4] << 8 | e[5], FW_CFG_FILE_FIRST);
		}
	}
	assert_true(found);
	/* A byte write to the selector, writes to data, bad selectors: harmless. */
	outp(t, FW_CFG_PORT_SEL, 1, 0);
	outp(t, FW_CFG_PORT_DATA, 1, 0x55);
	outp(t, FW_CFG_PORT_SEL, 2, 0x8000 | FW_CFG_SIGNATURE);
	assert_int_equal(rd8(t), 0);
	outp(t, FW_CFG_PORT_SEL, 2, 0x3fff);
	assert_int_equal(rd8(t), 0);
	assert_int_equal(inp(t, FW_CFG_PORT_SEL, 2), 0xffff);
	tm_free(t);
}

static void put_desc(struct tm_ctx *t, uint64_t at, uint32_t control, uint32_t len, uint64_t addr)
{
	uint8_t d[16];

	for (int i = 0; i < 4; i++) {
		d[i] = (uint8_t)(control >> (24 - 8 * i));
		d[4 + i] = (uint8_t)(len >> (24 - 8 * i));
		d[8 + i] = (uint8_t)(addr >> (56 - 8 * i));
		d[12 + i] = (uint8_t)(addr >> (24 - 8 * i));
	}
	memcpy(t->acc.guest_ram + at, d, 16);
}

static void start_dma(struct tm_ctx *t, uint64_t desc)
{
	uint32_t hi = (uint32_t)(desc >> 32), lo = (uint32_t)desc;

	/* As SeaBIOS: the big-endian halves, high then low (which starts it). */
	outp(t, FW_CFG_PORT_DMA, 4, __builtin_bswap32(hi));
	outp(t, FW_CFG_PORT_DMA + 4, 4, __builtin_bswap32(lo));
}

static void test_dma(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);
	uint8_t *ram = t->acc.guest_ram;

	(void)state;
	/* The DMA signature reads "QEMU CFG". */
	assert_true(inp(t, FW_CFG_PORT_DMA, 8) == 0x47464320554d4551ull);
	/* Select + read the signature into guest memory at 0x200, 6 bytes (2 past the end). */
	memset(ram + 0x200, 0xaa, 8);
	put_desc(t, 0x100, (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 6, 0x200);
	start_dma(t, 0x100);
	assert_memory_equal(ram + 0x200, "QEMU\0\0", 6);
	assert_int_equal(ram[0x206], 0xaa);
	assert_int_equal(ram[0x100] | ram[0x101] | ram[0x102] | ram[0x103], 0); /* control: done */
	/* Skip then read continues from the offset. */
	put_desc(t, 0x100, (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, 2, 0);
	start_dma(t, 0x100);
	put_desc(t, 0x100, FW_CFG_DMA_READ, 2, 0x300);
	start_dma(t, 0x100);
	assert_memory_equal(ram + 0x300, "MU", 2);
	/* Writes are refused with the error bit; so is a target outside guest memory. */
	put_desc(t, 0x100, FW_CFG_DMA_WRITE, 4, 0x300);
	start_dma(t, 0x100);
	assert_int_equal(ram[0x103], FW_CFG_DMA_ERROR);
	put_desc(t, 0x100, (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 64, 0xfffffff0ull);
	start_dma(t, 0x100);
	assert_int_equal(ram[0x103], FW_CFG_DMA_ERROR);
	/* A descriptor outside guest memory changes nothing and does not crash. */
	start_dma(t, 0x7fffffff0ull);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items_and_directory),
		cmocka_unit_test(test_dma),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("fw_cfg", tests, NULL, NULL);
}
