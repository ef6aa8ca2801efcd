// SPDX-License-Identifier: GPL-2.0-only
/*
 * Upstream QEMU (qemu-xen) device state: the real capture from Xen 4.17 and
 * the two QEMU 7.2 TCG samples decode to the values their producers had;
 * subsections, layout variants and footers; the restore into xenfv (refused
 * while a device hvmdm lacks is in the stream, exact without it); conversion
 * equals direct load; and broken streams fail with an offset and change
 * nothing.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <stdio.h>
#include <unistd.h>

#include "hw/char/uart16550.h"
#include "../../state/qevm.h"
#include "../../state/snapshot.h"
#include "../../state/upstream.h"

#define CAPTURE "tests/streams/qemu-xen/xen-4.17-qemu-7.2-xenfv.bin"
#define TCG_PLAIN "tests/streams/qemu-7.2-tcg/qemu-7.2-xen-save-devices-state-xenlike.bin"
#define TCG_FOOTERS "tests/streams/qemu-7.2-tcg/qemu-7.2-xen-save-devices-state-with-footers.bin"

struct blob {
	uint8_t *b;
	size_t len;
};

static struct blob slurp(const char *path)
{
	struct blob s = { 0 };
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		fail_msg("%s: cannot open (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s.b = malloc((size_t)n + 4096);
	assert_non_null(s.b);
	assert_int_equal(fread(s.b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	s.len = (size_t)n;
	return s;
}

/* Offset of the section whose idstr ends with `name` (its type byte). */
static size_t section(const struct blob *s, const char *name)
{
	size_t nl = strlen(name);

	for (size_t p = 8; p + 6 < s->len; p++) {
		uint8_t n = s->b[p + 5];

		if (s->b[p] == 0x04 && p + 6 + n <= s->len && n >= nl &&
		    !memcmp(s->b + p + 6 + n - nl, name, nl) && (n == nl || s->b[p + 6 + n - nl - 1] == '/'))
			return p;
	}
	fail_msg("no section %s", name);
	return 0;
}

static size_t payload(const struct blob *s, size_t sec)
{
	return sec + 14 + s->b[sec + 5];
}

/* A section's payload length: up to the next section's header (its id one more), or the final EOF. */
static size_t section_len(const struct blob *s, size_t sec)
{
	uint32_t id = (uint32_t)s->b[sec + 1] << 24 | (uint32_t)s->b[sec + 2] << 16 |
		      (uint32_t)s->b[sec + 3] << 8 | s->b[sec + 4];
	size_t from = payload(s, sec);

	for (size_t p = from; p + 5 < s->len; p++) {
		uint32_t next = (uint32_t)s->b[p + 1] << 24 | (uint32_t)s->b[p + 2] << 16 |
				(uint32_t)s->b[p + 3] << 8 | s->b[p + 4];

		if (s->b[p] == 0x04 && next == id + 1)
			return p - from;
	}
	return s->len - 1 - from;
}

static void insert(struct blob *s, size_t at, const void *bytes, size_t n)
{
	memmove(s->b + at + n, s->b + at, s->len - at);
	memcpy(s->b + at, bytes, n);
	s->len += n;
}

static void cut(struct blob *s, size_t from, size_t to)
{
	memmove(s->b + from, s->b + to, s->len - to);
	s->len -= to - from;
}

/* A subsection: 0x05, u8 length, name, be32 version, then `n` field bytes. */
static size_t subsection(uint8_t *out, const char *name, uint32_t version, const void *fields, size_t n)
{
	size_t l = strlen(name);

	out[0] = 0x05;
	out[1] = (uint8_t)l;
	memcpy(out + 2, name, l);
	out[2 + l] = (uint8_t)(version >> 24);
	out[3 + l] = (uint8_t)(version >> 16);
	out[4 + l] = (uint8_t)(version >> 8);
	out[5 + l] = (uint8_t)version;
	memcpy(out + 6 + l, fields, n);
	return 6 + l + n;
}

static struct tm_ctx *xenfv(bool platform)
{
	struct tm_ctx *t = calloc(1, sizeof(*t));
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
				      .serial = { "null" }, .nr_serial = 1,
				      .no_platform_pci = !platform };
	char err[256];

	assert_non_null(t);
	accel_double_init(&t->acc);
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	return t;
}

static int decode(struct tm_ctx *t, const struct blob *s, struct machine_state *st,
		  struct load_report *rep, char *err, size_t errlen)
{
	return snapshot_decode(&t->m, s->b, s->len, st, rep, err, errlen);
}

static void test_capture_decodes(void **state)
{
	struct blob s = slurp(CAPTURE);
	struct tm_ctx *t = xenfv(true);
	struct machine_state st;
	struct load_report rep;
	char err[512];

	(void)state;
	assert_true(qevm_is_upstream(s.b, s.len));
	assert_int_equal(stream_profile(s.b, s.len, err, sizeof(err)), PROFILE_XENFV);
	if (decode(t, &s, &st, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	/* hvmloader's work, as its log in the same run said: links 5, 10, 11, 5; PM at 0xb000. */
	assert_memory_equal(st.piix3.pci.config + 0x60, "\x05\x0a\x0b\x05", 4);
	assert_int_equal(st.pm.pm_base, 0xb000);
	/* SeaBIOS enabled ACPI through the APM port: command 0xf1, SCI_EN. */
	assert_int_equal(st.pm.apm_cnt, 0xf1);
	assert_int_equal(st.pm.pm1_cnt, 0x0001);
	assert_int_equal(st.pm.pm1_sts, 0x0001);
	assert_memory_equal(st.i440fx.config, "\x86\x80\x37\x12", 4);
	assert_memory_equal(st.platform.pci.config, "\x53\x58\x01\x00\x07\x00", 6);
	assert_int_equal(st.platform.pci.config[0x3c], 0x0b); /* IRQ line hvmloader gave it */
	assert_int_equal(st.platform.flags, 0);
	assert_int_equal(st.uart[0].divider, 12); /* SeaBIOS: 9600 baud */
	assert_int_equal(st.uart[0].mcr, 0x08);
	assert_int_equal(st.kbd.kbd.scancode_set, 2);
	assert_true(st.kbd.kbd.scanning);
	assert_int_equal(st.clock_ns, 0x16bc9e27eull); /* the timer's cpu_clock_offset */
	assert_int_equal(rep.nr_foreign, 0);
	/* IDE: hvmloader's BMIBA 0xc100, I/O and bus mastering on, IDETIM decode bits; no drives. */
	assert_int_equal(pci_get_long(st.ide.pci.config + 0x20), 0xc101);
	assert_int_equal(pci_get_word(st.ide.pci.config + PCI_COMMAND), 0x0005);
	assert_int_equal(pci_get_long(st.ide.pci.config + 0x40), 0x80008000);
	assert_int_equal(st.ide.drive[0].kind, IDE_KIND_NONE);
	assert_false(noted(&rep, "in flight"));
	assert_true(noted(&rep, "cpu (i386)"));
	/*
	 * CMOS NVRAM, decoded (the clock's bytes are Xen's): the index is 0x0f,
	 * SeaBIOS's last write at POST (clearing the reset code), which QEMU
	 * can only have seen because Xen forwards NVRAM indexes to the DM.
	 */
	assert_false(noted(&rep, "mc146818rtc"));
	assert_int_equal(st.rtc.index, 0x0f);
	assert_int_equal(st.rtc.cmos[0x0f], 0);
	assert_int_equal(st.rtc.cmos[0x15] | st.rtc.cmos[0x16] << 8, 640); /* QEMU's pc_cmos_init */
	free(s.b);
	tm_free(t);
}

static void test_capture_restores(void **state)
{
	struct blob s = slurp(CAPTURE);
	struct tm_ctx *t = xenfv(true);
	struct machine_state before, after;
	struct load_report rep;
	size_t p;
	char err[512];

	(void)state;
	/* A bus master whose compat status carries QEMU's retry flags: a transfer QEMU would redo. */
	p = payload(&s, section(&s, "ide"));
	s.b[p + 4 + 256 + 16 + 1] = 0x08;
	if (snapshot_decode(&t->m, s.b, s.len, &before, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "in flight"));
	assert_int_equal(before.ide.ch[0].bm_status, 0);
	s.b[p + 4 + 256 + 16 + 1] = 0;
	/* A damaged drive (multiple count 3) is refused, naming the byte, and nothing changes. */
	machine_save_state(&t->m, &before);
	{
		size_t d0 = p + 4 + 256 + 16 + 2 * 19 + 2 * 2;

		assert_int_equal(s.b[d0] << 24 | s.b[d0 + 1] << 16 | s.b[d0 + 2] << 8 | s.b[d0 + 3], 0x10); /* drive 0's mult_sectors: 16 */
		s.b[d0 + 3] = 3;
		assert_int_equal(snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "multiple-sector count"));
		machine_save_state(&t->m, &after);
		assert_memory_equal(&before, &after, sizeof(before));
		s.b[d0 + 3] = 0x10;
	}
	if (snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(cfg_rd(t, 0x08, 0x60, 4), 0x050b0a05);
	assert_int_equal(t->acc.link_route[0], 5);
	assert_int_equal(t->acc.link_route[1], 10);
	assert_int_equal(t->acc.link_route[2], 11);
	assert_int_equal(t->acc.link_route[3], 5);
	assert_int_equal(cfg_rd(t, 0x10, 0x10, 4), 0xc001);       /* platform BAR0 */
	assert_int_equal(cfg_rd(t, 0x10, 0x14, 4), 0xf0000008);   /* platform BAR1 */
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_MMIO, 0xf0000000, 0xf0ffffff));
	assert_int_equal(cfg_rd(t, 0x09, 0x20, 4), 0xc101);       /* IDE bus master */
	assert_true(accel_double_has_range(&t->acc, IO_SPACE_PORT, 0xc100, 0xc10f));
	assert_int_equal(inp(t, 0xb004, 2), 0x0001);               /* PM1a_CNT: SCI_EN */
	assert_int_equal(inp(t, 0x3f8 + UART_MCR, 1), 0x08);
	assert_int_equal(clock_now(&t->m.clock), 0x16bc9e27eull);
	free(s.b);
	tm_free(t);
}

static void test_tcg_samples(void **state)
{
	struct blob plain = slurp(TCG_PLAIN), footers = slurp(TCG_FOOTERS);
	struct tm_ctx *t = xenfv(false);
	struct machine_state a, b;
	struct load_report rep;
	char err[512];

	(void)state;
	assert_int_equal(cfg_rd(t, 0x10, 0x00, 4), 0xffffffff); /* pc,accel=xen: nothing at 00:02.0 */
	assert_true(qevm_is_upstream(footers.b, footers.len));
	if (decode(t, &plain, &a, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "cpu (x86_64)"));
	assert_true(noted(&rep, "fw_cfg"));
	assert_int_equal(rep.nr_foreign, 2);
	assert_string_equal(rep.foreign[0], "vmmouse");
	assert_string_equal(rep.foreign[1], "00:02.0/cirrus_vga");
	if (decode(t, &footers, &b, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	/* No guest ran: links disabled, PM at reset; the same machine either way. */
	assert_memory_equal(a.piix3.pci.config + 0x60, "\x80\x80\x80\x80", 4);
	assert_int_equal(a.pm.pm1_cnt, 0);
	assert_memory_equal(a.piix3.pci.config, b.piix3.pci.config, PCI_CONFIG_SIZE);
	assert_memory_equal(a.pm.pci.config, b.pm.pci.config, PCI_CONFIG_SIZE);
	assert_memory_equal(&a.uart[0], &b.uart[0], sizeof(a.uart[0]));
	/* A platform device the stream does not have is a machine it was not saved on. */
	tm_free(t);
	/*
	 * With the card (-device cirrus-vga, at 00:02.0 on pc,accel=xen) its
	 * state decodes: QEMU's reset values at their places (cirrus_reset), its
	 * VRAM where xen_ram_alloc put it (BAR0 was never set).
	 */
	{
		struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
					      .serial = { "null" }, .nr_serial = 1, .no_platform_pci = true,
					      .display = DISPLAY_CIRRUS, .vgamem_mb = 8, .incoming = true };

		t = calloc(1, sizeof(*t));
		assert_non_null(t);
		accel_double_init(&t->acc);
		accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
		if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
			fail_msg("machine_create: %s", err);
		if (decode(t, &plain, &a, &rep, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(rep.nr_foreign, 1);
		assert_int_equal(a.cirrus.r.sr[0x06], 0x0f);
		assert_int_equal(a.cirrus.r.sr[0x0f], 0x98);
		assert_int_equal(a.cirrus.r.sr[0x15], 0x04);
		assert_int_equal(a.cirrus.r.sr[0x17], 0x20);
		assert_int_equal(a.cirrus.r.sr[0x1f], 0x2d);
		assert_int_equal(a.cirrus.r.gr[0x18], 0x0f);
		assert_int_equal(a.cirrus.r.cr[0x27], 0xb8);
		assert_int_equal(a.cirrus.ext.hidden_dac_lockindex, 5);
		assert_int_equal(a.cirrus.vram_size, 8u << 20);
		assert_int_equal(a.cirrus.vram_gpa, machine_device_memory_base(&cfg));
		assert_int_equal(pci_get_word(a.cirrus.pci.config), 0x1013);
		if (machine_check_state(&t->m, &a, NULL, NULL, err, sizeof(err)))
			fail_msg("check: %s", err);
		tm_free(t);
	}
	t = xenfv(true);
	assert_int_equal(decode(t, &plain, &a, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no platform record"));
	free(plain.b);
	free(footers.b);
	tm_free(t);
}

static void test_subsections(void **state)
{
	struct blob s = slurp(CAPTURE);
	struct tm_ctx *t = xenfv(true);
	struct machine_state st;
	struct load_report rep;
	uint8_t sub[128], fifo[24] = "hello";
	uint8_t be[4] = { 0, 0, 0, 5 };
	size_t n, p;
	char err[512];

	(void)state;
	cut(&s, section(&s, "ide"), section(&s, "i2c_bus"));
	/* PIIX3/rcr: the reset control register. */
	n = subsection(sub, "PIIX3/rcr", 1, "\x02", 1);
	insert(&s, section(&s, "ioapic"), sub, n);
	/* serial: FIFO on, five bytes received (head 0, num 5), a THR interrupt pending. */
	p = payload(&s, section(&s, "serial"));
	s.b[p + 7] |= UART_LSR_DR;
	s.b[p + 10] = UART_FCR_ENABLE;
	memcpy(fifo + 16, "\0\0\0\0\0\0\0\x05", 8);
	n = subsection(sub, "serial/recv_fifo", 1, fifo, sizeof(fifo));
	n += subsection(sub + n, "serial/thr_ipending", 1, "\0\0\0\x01", 4);
	insert(&s, section(&s, "fdc"), sub, n);
	/* ps2kbd: LEDs; pckbd: the output port; cpu: one more MSR subsection. */
	n = subsection(sub, "ps2kbd/ledstate", 3, be, 4);
	insert(&s, section(&s, "ps2mouse"), sub, n);
	n = subsection(sub, "pckbd_outport", 1, "\x03", 1);
	insert(&s, section(&s, "port92"), sub, n);
	n = subsection(sub, "cpu/msr_tsc_adjust", 1, "\0\0\0\0\0\0\x10\0", 8);
	insert(&s, section(&s, "apic"), sub, n);
	if (decode(t, &s, &st, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(st.piix3.rcr, 0x02);
	assert_int_equal(st.uart[0].rx_count, 5);
	assert_memory_equal(st.uart[0].rx, "hello", 5);
	assert_true(st.uart[0].thr_ipending);
	assert_int_equal(st.kbd.kbd.leds, 5);
	assert_int_equal(st.kbd.outport, 0x03);
	if (snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(inp(t, 0x3f8, 1), 'h');
	assert_int_equal(inp(t, 0x3f8, 1), 'e');

	/* A subsection QEMU 7.2 does not write is named, not skipped. */
	n = subsection(sub, "serial/made_up", 1, "", 0);
	insert(&s, section(&s, "fdc"), sub, n);
	assert_int_equal(decode(t, &s, &st, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "serial/made_up"));
	free(s.b);
	tm_free(t);
}

/* pc,accel=xen on QEMU >= 4.0 machine types: piix4_pm carries the SMBus block. */
static void test_piix4_smbus_layout(void **state)
{
	struct blob s = slurp(CAPTURE);
	struct tm_ctx *t = xenfv(true);
	struct machine_state st;
	struct load_report rep;
	uint8_t smbus[48] = { 0 };
	char err[512];

	(void)state;
	/* After PCIDevice (276) and PM1 sts/en/cnt (6) and APM (2). */
	insert(&s, payload(&s, section(&s, "piix4_pm")) + 284, smbus, sizeof(smbus));
	if (decode(t, &s, &st, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "SMBus"));
	assert_int_equal(st.pm.pm1_cnt, 1);
	assert_int_equal(st.pm.apm_cnt, 0xf1);
	free(s.b);
	tm_free(t);
}

static void test_convert_equals_direct(void **state)
{
	struct blob s = slurp(CAPTURE);
	struct tm_ctx *t = xenfv(true);
	struct machine_state direct, via;
	struct load_report rep;
	struct wbuf w;
	char err[512];

	(void)state;
	cut(&s, section(&s, "ide"), section(&s, "i2c_bus"));
	if (decode(t, &s, &direct, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	wbuf_init(&w, STREAM_MAX_SIZE);
	assert_int_equal(snapshot_write_state(&t->m, &direct, &w, err, sizeof(err)), 0);
	if (snapshot_decode(&t->m, w.data, w.len, &via, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_memory_equal(&direct, &via, sizeof(direct));
	wbuf_free(&w);
	free(s.b);
	tm_free(t);
}

static void expect_refusal(struct tm_ctx *t, const struct blob *s, const char *needle)
{
	struct machine_state before, after;
	struct load_report rep;
	char err[512];

	machine_save_state(&t->m, &before);
	if (snapshot_load(&t->m, s->b, s->len, &rep, err, sizeof(err)) == 0)
		fail_msg("accepted; expected \"%s\"", needle);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
	assert_non_null(strstr(err, "byte "));
	machine_save_state(&t->m, &after);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_broken_streams(void **state)
{
	struct blob orig = slurp(CAPTURE), s;
	struct tm_ctx *t = xenfv(true);
	struct machine_state st;
	struct load_report rep;
	char err[512];

	(void)state;
	cut(&orig, section(&orig, "ide"), section(&orig, "i2c_bus"));
	s = (struct blob){ malloc(orig.len + 4096), orig.len };
	assert_non_null(s.b);

	/* Every truncation fails with an offset and changes nothing. */
	for (size_t len = 9; len < orig.len; len += 7) {
		struct blob c = { orig.b, len };

		expect_refusal(t, &c, "");
	}
	/* A version newer than any layout. */
	memcpy(s.b, orig.b, orig.len);
	s.b[section(&s, "I440FX") + 6 + 19 + 7] = 4;
	expect_refusal(t, &s, "I440FX version 4");
	/* A section nothing describes. */
	memcpy(s.b, orig.b, orig.len);
	memcpy(s.b + section(&s, "port92") + 6, "port93", 6);
	expect_refusal(t, &s, "no layout is known");
	/* The platform device at another slot than xenfv's. */
	memcpy(s.b, orig.b, orig.len);
	s.b[section(&s, "platform") + 6 + 9] = '3';
	expect_refusal(t, &s, "has this function at 00:02.0");
	/* A PCI INTx level that is not 0 or 1. */
	memcpy(s.b, orig.b, orig.len);
	s.b[payload(&s, section(&s, "I440FX")) + 4 + 256 + 3] = 2;
	expect_refusal(t, &s, "INTx level");
	/* A vmdesc marker after EOF whose length is cut short, or runs past the end. */
	memcpy(s.b, orig.b, orig.len);
	s.b[orig.len] = 0x06;
	s.b[orig.len + 1] = 0;
	s.len = orig.len + 2;
	expect_refusal(t, &s, "vmdesc");
	memcpy(s.b + orig.len + 1, "\0\0\x10\0", 4);
	s.len = orig.len + 5 + 16;
	expect_refusal(t, &s, "vmdesc");
	/* Bytes after EOF are what QEMU also ignores; a missing EOF is not. */
	memcpy(s.b, orig.b, orig.len);
	s.len = orig.len - 1;
	expect_refusal(t, &s, "without the EOF byte");
	free(s.b);

	/* Footers: one that names another section is refused. */
	s = slurp(TCG_FOOTERS);
	tm_free(t);
	t = xenfv(false);
	assert_int_equal(decode(t, &s, &st, &rep, err, sizeof(err)), 0);
	{
		size_t sec = section(&s, "port92"), end = payload(&s, sec) + 1;

		assert_int_equal(s.b[end], 0x7e);
		s.b[end + 4] ^= 1;
	}
	assert_int_equal(decode(t, &s, &st, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "footer"));
	free(s.b);
	free(orig.b);
	tm_free(t);
}

/* The sector image of the PIO takeover test: byte i of sector n. */
static uint8_t pio_disk_byte(unsigned int n, unsigned int i)
{
	return (uint8_t)(n * 31 + i * 7 + 1);
}

static void put_be32_at(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

/*
 * One drive of the capture's ide section made busy with a PIO block, as QEMU
 * saves it (hw/ide/core.c): task file at `d` (QEMU's drive layout, no
 * IDENTIFY data), then the pio_state subsection inserted after the drive's
 * fields. `head` is io_buffer's first bytes.
 */
static void make_pio_drive(struct blob *s, size_t d, uint8_t select, uint8_t sector, uint32_t nsector,
			   uint32_t req, const uint8_t *head, size_t head_len, uint32_t off,
			   uint32_t len, uint8_t end_fn)
{
	size_t io_len = 256 * 512 + 4, n = 4 + io_len + 4 + 4 + 1 + 4 + 4;
	uint8_t *f = calloc(1, n), *sub = malloc(n + 64);

	assert_non_null(f);
	assert_non_null(sub);
	put_be32_at(s->b + d + 10, nsector);
	s->b[d + 14] = sector, s->b[d + 15] = 0, s->b[d + 16] = 0;
	s->b[d + 22] = select;
	s->b[d + 23] = 0x58; /* READY | SEEK | DRQ */
	put_be32_at(f, req);
	memcpy(f + 4, head, head_len);
	put_be32_at(f + 4 + io_len, off);
	put_be32_at(f + 4 + io_len + 4, len);
	f[4 + io_len + 8] = end_fn;
	insert(s, d + 28, sub, subsection(sub, "ide_drive/pio_state", 1, f, n));
	free(f);
	free(sub);
}

/*
 * QEMU saved the guest in the middle of a PIO sector read on the primary
 * master and of a PIO write on the primary slave: hvmdm takes both over. The
 * guest reads the rest of the block QEMU had read, then the next sectors from
 * the image; it writes the rest of its block, and the image gets what it
 * wrote before and after the move. A CHS transfer and a block that does not
 * fit are not taken over: the drive comes back idle and the report says so.
 */
static void test_pio_takeover(void **state)
{
	char path[] = "/tmp/hvmdm-test-pio-XXXXXX";
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
				      .serial = { "null" }, .nr_serial = 1 };
	struct blob orig = slurp(CAPTURE), s;
	struct load_report rep;
	uint8_t sec[512], head[512];
	struct tm_ctx *t;
	size_t p, d0;
	char err[512];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	for (unsigned int n = 0; n < 64; n++) {
		for (unsigned int i = 0; i < 512; i++)
			sec[i] = pio_disk_byte(n, i);
		assert_int_equal(write(fd, sec, 512), 512);
	}
	cfg.ide[0] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = path };
	cfg.ide[1] = (struct ide_drive_config){ .kind = IDE_KIND_DISK, .path = path };
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	accel_double_init(&t->acc);
	t->now_ns = 1000;
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);

	p = payload(&orig, section(&orig, "ide"));
	d0 = p + 4 + 256 + 16 + 2 * 19 + 2 * 2;
	assert_int_equal(orig.b[d0 + 7], 0); /* no IDENTIFY data: every drive is 28 bytes */
	orig.b[d0 - 3] = 0;                   /* the primary bus has its master selected */
	s = (struct blob){ malloc(orig.len + 2 * 140000), orig.len };
	assert_non_null(s.b);
	memcpy(s.b, orig.b, orig.len);

	/* Slave (inserted first: it comes after the master): WRITE SECTORS of 2 at LBA 20, 300 bytes in. */
	for (unsigned int i = 0; i < 300; i++)
		head[i] = (uint8_t)(0xa5 ^ i);
	make_pio_drive(&s, d0 + 28, 0xf0, 20, 2, 1, head, 300, 300, 212, 1);
	/* Master: READ SECTORS of 3 from LBA 5, the first block read, 200 bytes of it taken. */
	for (unsigned int i = 0; i < 512; i++)
		head[i] = pio_disk_byte(5, i);
	make_pio_drive(&s, d0, 0xe0, 6, 2, 1, head, 512, 200, 312, 0);
	if (snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "taken over"));
	assert_false(noted(&rep, "cannot take over"));
	/* Written for QEMU, the two transfers go back as QEMU's pio_state and come in again the same. */
	{
		struct machine_state *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
		struct wbuf w;

		assert_non_null(a);
		assert_non_null(b);
		machine_save_state(&t->m, a);
		wbuf_init(&w, 1 << 24);
		if (upstream_write(&t->m, a, &w, &rep, err, sizeof(err)))
			fail_msg("%s", err);
		if (snapshot_decode(&t->m, w.data, w.len, b, &rep, err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(noted(&rep, "taken over"));
		for (unsigned int i = 0; i < 2; i++) {
			assert_int_equal(b->ide.drive[i].r.xfer, a->ide.drive[i].r.xfer);
			assert_int_equal(b->ide.drive[i].r.lba, a->ide.drive[i].r.lba);
			assert_int_equal(b->ide.drive[i].r.remaining, a->ide.drive[i].r.remaining);
			assert_int_equal(b->ide.drive[i].r.chunk, a->ide.drive[i].r.chunk);
			assert_int_equal(b->ide.drive[i].r.data_pos, a->ide.drive[i].r.data_pos);
			assert_int_equal(b->ide.drive[i].r.data_end, a->ide.drive[i].r.data_end);
			assert_int_equal(b->ide.drive[i].buf_len, a->ide.drive[i].buf_len);
			assert_memory_equal(b->ide.drive[i].buf, a->ide.drive[i].buf, a->ide.drive[i].buf_len);
		}
		wbuf_free(&w);
		free(a);
		free(b);
	}

	/* The read goes on where the guest was, then sectors 6 and 7 come from the image. */
	assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0x08);
	for (unsigned int i = 200; i < 512; i += 2)
		assert_int_equal(inp(t, 0x1f0, 2), pio_disk_byte(5, i) | pio_disk_byte(5, i + 1) << 8);
	for (unsigned int n = 6; n < 8; n++) {
		assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0x08);
		for (unsigned int i = 0; i < 512; i += 2)
			assert_int_equal(inp(t, 0x1f0, 2), pio_disk_byte(n, i) | pio_disk_byte(n, i + 1) << 8);
	}
	assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0);

	/* The slave's write: the rest of sector 20, then sector 21; both reach the image. */
	outp(t, 0x1f6, 1, 0xf0);
	assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0x08);
	for (unsigned int i = 300; i < 512; i += 2)
		outp(t, 0x1f0, 2, (uint8_t)(0x5a ^ i) | (uint8_t)(0x5a ^ (i + 1)) << 8);
	assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0x08);
	for (unsigned int i = 0; i < 512; i += 2)
		outp(t, 0x1f0, 2, 0x3c3c);
	assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0);
	assert_int_equal(pread(fd, sec, 512, 20 * 512), 512);
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(sec[i], i < 300 ? (uint8_t)(0xa5 ^ i) : (uint8_t)(0x5a ^ i));
	assert_int_equal(pread(fd, sec, 512, 21 * 512), 512);
	for (unsigned int i = 0; i < 512; i++)
		assert_int_equal(sec[i], 0x3c);

	/* CHS addressing (select bit 6 clear): the geometry may differ here, so no takeover. */
	memcpy(s.b, orig.b, orig.len);
	s.len = orig.len;
	make_pio_drive(&s, d0, 0xa0, 6, 2, 1, head, 512, 200, 312, 0);
	if (snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "cannot take over"));
	assert_int_equal(inp(t, 0x1f7, 1) & 0x89, 0);
	/* A block that ends past what a PIO block can hold, or a read that is no whole sector. */
	memcpy(s.b, orig.b, orig.len);
	s.len = orig.len;
	make_pio_drive(&s, d0, 0xe0, 6, 2, 1, head, 512, 100, 131000, 0);
	if (snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "cannot take over"));
	memcpy(s.b, orig.b, orig.len);
	s.len = orig.len;
	make_pio_drive(&s, d0, 0xe0, 6, 2, 1, head, 512, 200, 300, 0);
	if (snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(noted(&rep, "cannot take over"));
	/* Sectors past the image's end are refused at load, and nothing changes. */
	{
		struct machine_state before, after;

		memcpy(s.b, orig.b, orig.len);
		s.len = orig.len;
		make_pio_drive(&s, d0, 0xe0, 63, 2, 1, head, 512, 200, 312, 0);
		machine_save_state(&t->m, &before);
		assert_int_equal(snapshot_load(&t->m, s.b, s.len, &rep, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "outside the image"));
		machine_save_state(&t->m, &after);
		assert_memory_equal(&before, &after, sizeof(before));
	}
	close(fd);
	unlink(path);
	free(s.b);
	free(orig.b);
	tm_free(t);
}

/*
 * hvmdm writes QEMU's own stream: the real qemu-xen capture, decoded and
 * written back, has QEMU's section names, instances, versions and bytes --
 * but for what QEMU keeps that hvmdm does not (the tick count, the RTC's
 * clock part, which are Xen's under xenfv, the stale bytes of an empty PS/2
 * queue, the registers of drives neither machine has) -- and decodes to the
 * same state. A machine with a device whose section is not built, or of
 * another profile, is refused; a UART's unsent byte goes as QEMU's retried
 * one and comes back.
 */
static void test_write_upstream(void **state)
{
	struct blob s = slurp(CAPTURE), out;
	struct tm_ctx *t = xenfv(true);
	struct machine_state *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct load_report rep;
	struct wbuf w;
	char err[512];
	static const struct {
		const char *name;
		size_t from, to; /* payload bytes allowed to differ */
	} skip[] = {
		{ "timer", 0, 8 },          /* cpu_ticks_offset */
		{ "mc146818rtc", 209, 245 }, /* base_rtc, last_update, offset, update timer, alarm */
		{ "ps2kbd", 16, 272 },      /* the ring of an empty queue */
		{ "ide", 318, 430 },        /* the four drives: none on either machine */
	};

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	if (snapshot_decode(&t->m, s.b, s.len, a, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	wbuf_init(&w, 1 << 24);
	if (upstream_write(&t->m, a, &w, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	out = (struct blob){ w.data, w.len };
	{
		static const char *const names[] = { "timer", "I440FX", "PIIX3", "mc146818rtc", "serial",
						     "ps2kbd", "ps2mouse", "pckbd", "ide", "piix4_pm",
						     "platform" };
		size_t prev = 0;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t so = section(&s, names[i]), wo = section(&out, names[i]);
			size_t sp = payload(&s, so), wp = payload(&out, wo);
			/* sizes from hvmdm's stream, which has no sections between these */
			size_t len = (i + 1 < sizeof(names) / sizeof(names[0]) ? section(&out, names[i + 1]) : out.len - 1) - wp;

			assert_true(wo > prev); /* QEMU's order */
			prev = wo;
			/* name, instance, version as QEMU wrote them */
			assert_memory_equal(s.b + so + 5, out.b + wo + 5, 1u + s.b[so + 5] + 8);
			for (size_t k = 0; k < len; k++) {
				bool allowed = false;

				for (size_t j = 0; j < sizeof(skip) / sizeof(skip[0]); j++)
					allowed |= !strcmp(skip[j].name, names[i]) && k >= skip[j].from &&
						   k < skip[j].to;
				if (!allowed && s.b[sp + k] != out.b[wp + k])
					fail_msg("%s: payload byte %zu is %#x, QEMU wrote %#x", names[i], k,
						 out.b[wp + k], s.b[sp + k]);
			}
		}
		assert_int_equal(out.b[out.len - 1], 0x00); /* QEMU_VM_EOF */
	}
	if (snapshot_decode(&t->m, w.data, w.len, b, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_memory_equal(a, b, sizeof(*a));

	/* A byte COM1 has not sent yet: QEMU's serial/tsr retry, and back. */
	a->uart[0].tx[0] = 'Q';
	a->uart[0].tx_count = 1;
	a->uart[0].lsr &= (uint8_t)~(UART_LSR_TEMT | UART_LSR_THRE);
	w.len = 0;
	if (upstream_write(&t->m, a, &w, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	out = (struct blob){ w.data, w.len };
	assert_int_equal(out.b[payload(&out, section(&out, "serial")) + 6] & UART_LSR_TEMT, 0);
	if (snapshot_decode(&t->m, w.data, w.len, b, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(b->uart[0].tx_count, 1);
	assert_int_equal(b->uart[0].tx[0], 'Q');

	/* A machine of another profile cannot go to qemu-xen. */
	{
		struct tm_ctx *c = tm_new(PROFILE_PC, 1, "null");

		machine_save_state(&c->m, a);
		assert_int_equal(upstream_write(&c->m, a, &w, &rep, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "xenfv"));
		tm_free(c);
	}
	wbuf_free(&w);
	free(a);
	free(b);
	free(s.b);
	tm_free(t);
}

/* decode(write(x)) written again is write(x) byte for byte; 0 or -1 with err. */
static int write_fixed_point(struct tm_ctx *t, const struct machine_state *x, struct wbuf *w1,
			     char *err, size_t errlen)
{
	struct machine_state *y = calloc(1, sizeof(*y));
	struct load_report rep;
	struct wbuf w2;
	int rc = -1;

	assert_non_null(y);
	wbuf_init(&w2, 1 << 24);
	w1->len = 0;
	if (upstream_write(&t->m, x, w1, &rep, err, errlen) ||
	    snapshot_decode(&t->m, w1->data, w1->len, y, &rep, err, errlen) ||
	    upstream_write(&t->m, y, &w2, &rep, err, errlen))
		goto out;
	if (w1->len != w2.len || memcmp(w1->data, w2.data, w1->len)) {
		size_t i = 0;

		while (i < w1->len && i < w2.len && w1->data[i] == w2.data[i])
			i++;
		snprintf(err, errlen, "written again, the stream differs from byte %zu", i);
		goto out;
	}
	rc = 0;
out:
	wbuf_free(&w2);
	free(y);
	return rc;
}

/*
 * The sections of an ordinary guest's devices: QEMU 7.2's own (the TCG
 * sample: Cirrus, an RTL8139, an e1000, the UHCI with a tablet) decoded
 * and written back are QEMU's bytes but for what hvmdm does not keep, and
 * decode to the same state; machines with the standard VGA, a keyboard
 * behind QEMU's hub, as hvmdm runs them, are a fixed point of
 * write-decode-write. VRAM where QEMU would not look for it is refused by
 * name (tests/qemu-streams.t has QEMU itself load all of these).
 */
static void test_write_upstream_devices(void **state)
{
	struct blob s = slurp("tests/streams/qemu-7.2-tcg/qemu-7.2-wave2-cirrus-rtl8139-e1000-tablet.bin"), out;
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
				      .serial = { "null" }, .nr_serial = 1, .no_platform_pci = true,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = 8, .incoming = true,
				      .usb = true, .nr_usb = 1, .nr_nics = 2 };
	struct machine_state *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct load_report rep;
	struct tm_ctx *t;
	struct wbuf w;
	char err[512];
	static const struct {
		const char *name;
		size_t from, to; /* payload bytes allowed to differ */
	} skip[] = {
		{ "uhci", 295, 311 },     /* frame_timer, expire_time: due a frame after the stream's clock */
		{ "rtl8139", 558, 562 },  /* TCTR: QEMU's pre_save derives it from its clock */
		{ "e1000", 280, 288 },    /* rxbuf_size, min_shift: RCTL's (QEMU's stay 0 until RCTL is written) */
		{ "e1000", 345, 65881 },  /* tx.header and tx.data: stale bytes of no packet */
	};
	static const char *const names[] = { "0000:00:01.2/uhci", "0000:00:01.2/1/usb-ptr",
					     "0000:00:02.0/cirrus_vga", "0000:00:03.0/rtl8139",
					     "0000:00:04.0/e1000" };

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	cfg.usb_dev[0] = (struct machine_usb){ .kind = USB_HID_TABLET, .port = 1 };
	cfg.nic[0] = (struct machine_nic){ .model = NIC_RTL8139, .id = "nic0", .romfile = "",
					   .netdev = { .kind = NETDEV_NONE, .fd = -1 } };
	cfg.nic[1] = (struct machine_nic){ .model = NIC_E1000, .id = "nic1", .romfile = "",
					   .netdev = { .kind = NETDEV_NONE, .fd = -1 } };
	/* The RTL8139's configured MAC (conf.macaddr, 383 bytes into its section) as the sample's. */
	memcpy(cfg.nic[0].mac, s.b + payload(&s, section(&s, "0000:00:03.0/rtl8139")) + 383, 6);
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	if (decode(t, &s, a, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	wbuf_init(&w, 1 << 24);
	if (upstream_write(&t->m, a, &w, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	out = (struct blob){ w.data, w.len };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t so = section(&s, names[i]), wo = section(&out, names[i]);
		size_t sp = payload(&s, so), wp = payload(&out, wo);
		/* the sample's length: the next section header follows it there */
		size_t len = section_len(&s, so);

		assert_int_equal(len, section_len(&out, wo));
		assert_memory_equal(s.b + so + 5, out.b + wo + 5, 1u + s.b[so + 5] + 8);
		for (size_t k = 0; k < len; k++) {
			bool allowed = false;

			for (size_t j = 0; j < sizeof(skip) / sizeof(skip[0]); j++)
				allowed |= strstr(names[i], skip[j].name) && k >= skip[j].from && k < skip[j].to;
			if (!allowed && s.b[sp + k] != out.b[wp + k])
				fail_msg("%s: payload byte %zu is %#x, QEMU wrote %#x", names[i], k,
					 out.b[wp + k], s.b[sp + k]);
		}
	}
	if (snapshot_decode(&t->m, w.data, w.len, b, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	assert_memory_equal(a, b, sizeof(*a));
	if (write_fixed_point(t, a, &w, err, sizeof(err)))
		fail_msg("sample machine: %s", err);

	/* VRAM where QEMU would not look: refused, naming the card and both places. */
	b->cirrus.vram_gpa += 1u << 20;
	w.len = 0;
	assert_int_equal(upstream_write(&t->m, b, &w, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cirrus_vga: VRAM is at"));
	tm_free(t);

	/* The standard VGA and a keyboard behind QEMU's hub, as hvmdm runs them. */
	cfg.no_platform_pci = false;
	cfg.display = DISPLAY_STDVGA;
	cfg.vgamem_mb = 16;
	cfg.incoming = false;
	cfg.nr_usb = 3;
	cfg.usb_dev[1] = (struct machine_usb){ .kind = USB_HID_KEYBOARD, .port = 2, .hub_port = 1 };
	cfg.usb_dev[2] = (struct machine_usb){ .kind = USB_HID_MOUSE, .port = 2, .hub_port = 2 };
	cfg.usb_hub_port = 2;
	cfg.usb_hub_before = 1;
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	machine_save_state(&t->m, a);
	if (write_fixed_point(t, a, &w, err, sizeof(err)))
		fail_msg("VGA and hub machine: %s", err);
	out = (struct blob){ w.data, w.len };
	section(&out, "0000:00:03.0/vga");
	section(&out, "0000:00:01.2/2/usb-hub");
	section(&out, "0000:00:01.2/2.1/usb-kbd");
	section(&out, "0000:00:01.2/2.2/usb-ptr");
	tm_free(t);
	wbuf_free(&w);
	free(a);
	free(b);
	free(s.b);
}

/*
 * QEMU's loader refuses a PCI function whose saved configuration differs
 * from its own device in a byte the guest cannot write (get_pci_config_device:
 * cmask & ~wmask & ~w1cmask). hvmdm's functions, as a fresh machine has them,
 * must therefore carry QEMU's read-only bytes: compared here with QEMU 7.2's
 * own (the TCG sample: Cirrus, RTL8139, e1000, UHCI, and the chipset).
 */
static void test_config_matches_qemu(void **state)
{
	struct blob s = slurp("tests/streams/qemu-7.2-tcg/qemu-7.2-wave2-cirrus-rtl8139-e1000-tablet.bin");
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 64,
				      .serial = { "null" }, .nr_serial = 1, .no_platform_pci = true,
				      .display = DISPLAY_CIRRUS, .vgamem_mb = 8, .incoming = true,
				      .usb = true, .nr_usb = 1, .nr_nics = 2 };
	struct machine_state *q = calloc(1, sizeof(*q)), *h = calloc(1, sizeof(*h));
	struct load_report rep;
	struct tm_ctx *t;
	char err[512];
	unsigned int bad = 0;

	(void)state;
	assert_non_null(q);
	assert_non_null(h);
	cfg.usb_dev[0] = (struct machine_usb){ .kind = USB_HID_TABLET, .port = 1 };
	cfg.nic[0] = (struct machine_nic){ .model = NIC_RTL8139, .id = "nic0",
					   .netdev = { .kind = NETDEV_NONE, .fd = -1 } };
	cfg.nic[1] = (struct machine_nic){ .model = NIC_E1000, .id = "nic1",
					   .netdev = { .kind = NETDEV_NONE, .fd = -1 } };
	t = calloc(1, sizeof(*t));
	assert_non_null(t);
	accel_double_init(&t->acc);
	accel_double_guest_frames(&t->acc, machine_device_memory_base(&cfg));
	if (machine_create(&t->m, &cfg, &t->acc.accel, tm_clock, t, err, sizeof(err)))
		fail_msg("machine_create: %s", err);
	machine_save_state(&t->m, h);
	if (decode(t, &s, q, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	const struct {
		const char *name;
		const uint8_t *qemu, *ours;
	} fn[] = {
		{ "cirrus_vga", q->cirrus.pci.config, h->cirrus.pci.config },
		{ "rtl8139", q->nic[0].pci.config, h->nic[0].pci.config },
		{ "e1000", q->e1000[0].pci.config, h->e1000[0].pci.config },
		{ "uhci", q->uhci.pci.config, h->uhci.pci.config },
		{ "I440FX", q->i440fx.config, h->i440fx.config },
		{ "PIIX3", q->piix3.pci.config, h->piix3.pci.config },
		{ "ide", q->ide.pci.config, h->ide.pci.config },
	};
	for (size_t i = 0; i < sizeof(fn) / sizeof(fn[0]); i++) {
		/* IDs, revision, class, header type, subsystem, capability pointer, pin, min/max */
		static const uint8_t ro[] = { 0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x0e,
					      0x2c, 0x2d, 0x2e, 0x2f, 0x34, 0x3d, 0x3e, 0x3f };

		for (size_t j = 0; j < sizeof(ro); j++)
			if (fn[i].qemu[ro[j]] != fn[i].ours[ro[j]]) {
				print_message("%s: config byte %#x is %#x here, %#x in QEMU's\n", fn[i].name,
					      ro[j], fn[i].ours[ro[j]], fn[i].qemu[ro[j]]);
				bad++;
			}
		/* the status register's capability-list bit */
		if ((fn[i].qemu[0x06] ^ fn[i].ours[0x06]) & 0x10) {
			print_message("%s: status capability bit differs\n", fn[i].name);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	tm_free(t);
	free(q);
	free(h);
	free(s.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_decodes),
		cmocka_unit_test(test_capture_restores),
		cmocka_unit_test(test_tcg_samples),
		cmocka_unit_test(test_subsections),
		cmocka_unit_test(test_piix4_smbus_layout),
		cmocka_unit_test(test_convert_equals_direct),
		cmocka_unit_test(test_broken_streams),
		cmocka_unit_test(test_pio_takeover),
		cmocka_unit_test(test_write_upstream),
		cmocka_unit_test(test_write_upstream_devices),
		cmocka_unit_test(test_config_matches_qemu),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
