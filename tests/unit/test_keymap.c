// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host keyboard and mouse input: QEMU keymap files (keysym -> qnum), the
 * scan codes the PS/2 keyboard sends for a qnum in each set with and without
 * the i8042's translation, and mouse packets, as QEMU 7.2 sends them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xkbcommon/xkbcommon-keysyms.h>

#include "hw/core/bus.h"
#include "hw/core/log.h"
#include "hw/input/i8042.h"
#include "ui/keymap.h"
#include "accel_double.h"

static void quiet_write(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink quiet_sink = { .write = quiet_write };

/* ---------------------------------------------------------------- keymaps */

static void load(struct keymap *km, const char *name)
{
	char err[512];

	if (keymap_load(km, name, err, sizeof(err)))
		fail_msg("keymap %s: %s", name, err);
}

static void test_en_us(void **state)
{
	struct keymap km;
	struct keymap_held held = { 0 };

	(void)state;
	load(&km, "en-us");
	assert_true(km.nr_entries > 100);
	/* Letters; upper case looks up as lower case, the client sends Shift itself. */
	assert_int_equal(keymap_lookup(&km, 'a', 0, true, NULL), 0x1e);
	assert_int_equal(keymap_lookup(&km, 'A', KEYMAP_MOD_SHIFT, true, NULL), 0x1e);
	assert_int_equal(keymap_lookup(&km, 'A', 0, false, NULL), 0x1e);
	assert_int_equal(keymap_lookup(&km, 'q', 0, true, NULL), 0x10);
	assert_int_equal(keymap_lookup(&km, '@', KEYMAP_MOD_SHIFT, true, NULL), 0x03);
	/* Keypad: the digit and the cursor keysym share the key; NumLock is the VNC server's. */
	assert_int_equal(keymap_lookup(&km, XKB_KEY_KP_1, 0, true, NULL), 0x4f);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_KP_End, 0, true, NULL), 0x4f);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_KP_0, 0, true, NULL), 0x52);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_KP_Decimal, 0, true, NULL), 0x53);
	assert_true(keymap_keysym_is_numlock(XKB_KEY_KP_1));
	assert_true(keymap_keysym_is_numlock(XKB_KEY_KP_Decimal));
	assert_false(keymap_keysym_is_numlock(XKB_KEY_KP_End));
	assert_false(keymap_keysym_is_numlock(XKB_KEY_KP_Enter));
	assert_true(keymap_qnum_is_keypad(0x4f));
	assert_true(keymap_qnum_is_keypad(0x47));
	assert_true(keymap_qnum_is_keypad(0x53));
	assert_false(keymap_qnum_is_keypad(0x1e));
	assert_false(keymap_qnum_is_keypad(0x9c));
	/* Extended keys carry 0x80. */
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Up, 0, true, NULL), 0xc8);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Left, 0, true, NULL), 0xcb);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Control_R, 0, true, NULL), 0x9d);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_KP_Enter, 0, true, NULL), 0x9c);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_KP_Divide, 0, true, NULL), 0xb5);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Pause, 0, true, NULL), 0xc6);
	/* QEMU's keymaps give Print the SysRq code. */
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Print, 0, true, NULL), 0x54);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_ISO_Left_Tab, KEYMAP_MOD_SHIFT, true, NULL), 0x0f);
	/* "less" is on 0x33 with Shift and on the 102nd key without: the modifiers choose. */
	assert_int_equal(keymap_lookup(&km, XKB_KEY_less, KEYMAP_MOD_SHIFT, true, NULL), 0x33);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_less, 0, true, NULL), 0x56);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_less, KEYMAP_MOD_CTRL, true, NULL), 0x33);
	/* A release takes the key that is held, else the file's first. */
	keymap_held_set(&held, 0x56, true);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_less, KEYMAP_MOD_SHIFT, false, &held), 0x56);
	keymap_held_set(&held, 0x56, false);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_less, 0, false, &held), 0x33);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_less, 0, false, NULL), 0x33);
	/* Unknown keysyms give 0. */
	assert_int_equal(keymap_lookup(&km, 0x12345678, 0, true, NULL), 0);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Hangul, 0, true, NULL), 0);
	keymap_free(&km);
	assert_null(km.entries);
}

static void test_de(void **state)
{
	struct keymap km;
	struct keymap_held held = { 0 };

	(void)state;
	load(&km, "de");
	/* AltGr+Q is @ on a German keyboard; y and z swap. */
	assert_int_equal(keymap_lookup(&km, '@', KEYMAP_MOD_ALTGR, true, NULL), 0x10);
	assert_int_equal(keymap_lookup(&km, 'q', 0, true, NULL), 0x10);
	assert_int_equal(keymap_lookup(&km, 'z', 0, true, NULL), 0x15);
	assert_int_equal(keymap_lookup(&km, 'Y', KEYMAP_MOD_SHIFT, true, NULL), 0x2c);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_EuroSign, KEYMAP_MOD_ALTGR, true, NULL), 0x12);
	/* A Unicode keysym the layout lacks finds the legacy one by its low 16 bits, as in QEMU. */
	assert_int_equal(keymap_lookup(&km, 0x010020ac, KEYMAP_MOD_ALTGR, true, NULL), 0x12);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_adiaeresis, 0, true, NULL), 0x28);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Up, 0, true, NULL), 0xc8);
	/* degree: Shift+^ (0x29) or Shift+AltGr+0 (0x0b), chosen by the modifiers held. */
	keymap_held_set(&held, 0x2a, true);
	assert_int_equal(keymap_held_mods(&held), KEYMAP_MOD_SHIFT);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_degree, keymap_held_mods(&held), true, &held), 0x29);
	keymap_held_set(&held, 0xb8, true);
	assert_int_equal(keymap_held_mods(&held), KEYMAP_MOD_SHIFT | KEYMAP_MOD_ALTGR);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_degree, keymap_held_mods(&held), true, &held), 0x0b);
	keymap_held_set(&held, 0x29, true);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_degree, 0, false, &held), 0x29);
	keymap_held_set(&held, 0x9d, true);
	assert_int_equal(keymap_held_mods(&held),
			 KEYMAP_MOD_SHIFT | KEYMAP_MOD_ALTGR | KEYMAP_MOD_CTRL);
	keymap_free(&km);
}

static char tmpdir[64];
static char written[16][128];
static unsigned int nr_written;

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hvmdm-keymap-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < nr_written; i++)
		unlink(written[i]);
	return rmdir(tmpdir);
}

/* Write a keymap file under tmpdir; returns its path. */
static const char *write_map(const char *name, const void *text, size_t len)
{
	char *path;
	FILE *f;

	assert_true(nr_written < 16);
	path = written[nr_written++];
	snprintf(path, sizeof(written[0]), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* keymap_load fails and err contains needle. */
static void load_fails(const char *name, const char *needle)
{
	struct keymap km;
	char err[512] = "";

	assert_int_equal(keymap_load(&km, name, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("loading %s: \"%s\" does not contain \"%s\"", name, err, needle);
	assert_null(km.entries);
	assert_int_equal(km.nr_entries, 0);
}

static void test_file_format(void **state)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"map 0x407\n"
		"a 0x1e\n"
		"A 0x1e shift\n"
		"eth 0x20 addupper altgr\n"
		"NoSuchKeysymName 0x30\n"
		"U2030 0x06 shift altgr\n"
		"b\t48 numlock inhibit localstate # trailing comment\r\n"
		"c 0x2e\n"
		"c 0x2f shift\n"
		"c 0x30 altgr\n"
		"c 0x31 ctrl\n"
		"c 0x32 shift altgr\n"
		"Multi_key 0x0 inhibit";
	struct keymap km;
	char err[256];
	const char *path = write_map("good", text, sizeof(text) - 1);

	(void)state;
	assert_int_equal(keymap_load(&km, path, err, sizeof(err)), 0);
	assert_int_equal(km.lines, 15);
	assert_int_equal(km.unknown_names, 1);
	assert_int_equal(km.dropped, 1); /* c's fifth mapping */
	assert_int_equal(keymap_lookup(&km, 'b', 0, true, NULL), 48);
	/* addupper: ETH with Shift added to AltGr. */
	assert_int_equal(keymap_lookup(&km, XKB_KEY_eth, KEYMAP_MOD_ALTGR, true, NULL), 0x20);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_ETH, KEYMAP_MOD_ALTGR | KEYMAP_MOD_SHIFT, true, NULL),
			 0x20);
	assert_int_equal(keymap_lookup(&km, 0x01002030, 0, true, NULL), 0x06);
	assert_int_equal(keymap_lookup(&km, 'c', KEYMAP_MOD_CTRL, true, NULL), 0x31);
	assert_int_equal(keymap_lookup(&km, 'c', KEYMAP_MOD_ALTGR, true, NULL), 0x30);
	/* Only four per keysym: Shift+AltGr is gone, the first is the fallback. */
	assert_int_equal(keymap_lookup(&km, 'c', KEYMAP_MOD_SHIFT | KEYMAP_MOD_ALTGR, true, NULL),
			 0x2e);
	assert_int_equal(keymap_lookup(&km, XKB_KEY_Multi_key, 0, true, NULL), 0);
	keymap_free(&km);
}

static void test_errors(void **state)
{
	char longline[KEYMAP_LINE_MAX + 16], path[160];
	static const char nul[] = "a 0x1e\nb 0x30\0\n";

	(void)state;
	load_fails("no-such-layout", KEYMAP_DIR "/no-such-layout: No such file");
	load_fails("/nonexistent/dir/map", "/nonexistent/dir/map: No such file");
	load_fails("../en-us", "\"..\" are refused");
	load_fails("/usr/share/qemu/keymaps/../keymaps/en-us", "\"..\" are refused");
	load_fails("", "empty");
	load_fails(tmpdir, "not a regular file");

	snprintf(path, sizeof(path), "%s", write_map("garbage", "# x\na 0x1e\nhello world\n", 23));
	load_fails(path, "/garbage:3: scancode \"world\"");
	snprintf(path, sizeof(path), "%s", write_map("noqnum", "a 0x1e\nb\n", 9));
	load_fails(path, "/noqnum:2: \"b\" has no scancode");
	snprintf(path, sizeof(path), "%s", write_map("big", "a 0x100\n", 8));
	load_fails(path, "/big:1: scancode \"0x100\"");
	snprintf(path, sizeof(path), "%s", write_map("word", "a 0x1e\nb 0x30 shfit\n", 20));
	load_fails(path, "/word:2: unknown modifier word \"shfit\"");
	snprintf(path, sizeof(path), "%s", write_map("include", "include common\n", 15));
	load_fails(path, "/include:1: keymap include files are not supported");
	snprintf(path, sizeof(path), "%s", write_map("nul", nul, sizeof(nul) - 1));
	load_fails(path, "/nul:2: NUL byte");
	snprintf(path, sizeof(path), "%s", write_map("empty", "# nothing\n\n", 11));
	load_fails(path, "/empty: no key mappings");
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "a 0x1e\n", 7);
	snprintf(path, sizeof(path), "%s", write_map("long", longline, sizeof(longline)));
	load_fails(path, "/long:2: line longer than 1023 bytes");
	/* Binary data is no keymap either. */
	snprintf(path, sizeof(path), "%s", write_map("binary", "\x7f" "ELF\x02\x01\x01", 7));
	load_fails(path, "/binary:1:");
}

/* ---------------------------------------------------------------- PS/2 */

struct rig {
	struct accel_double acc;
	struct io_space io;
	struct i8042 kbc;
};

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	accel_double_init(&r->acc);
	io_space_init(&r->io, IO_SPACE_PORT, &r->acc.accel);
	assert_int_equal(i8042_init(&r->kbc, &r->io, &r->acc.accel), 0);
	return r;
}

static void rig_free(struct rig *r)
{
	io_space_destroy(&r->io);
	free(r);
}

static uint8_t status(struct rig *r)
{
	return (uint8_t)io_space_read(&r->io, I8042_CMD_PORT, 1);
}

static void cmd(struct rig *r, uint8_t c)
{
	io_space_write(&r->io, I8042_CMD_PORT, 1, c);
}

static void out(struct rig *r, uint8_t v)
{
	io_space_write(&r->io, I8042_DATA_PORT, 1, v);
}

/* Command byte as SeaBIOS leaves it: both interrupts, system flag, translation. */
static void set_ctr(struct rig *r, uint8_t ctr)
{
	cmd(r, 0x60);
	out(r, ctr);
}

/* Read everything the guest can read now; returns the count. */
static size_t drain(struct rig *r, uint8_t *buf, size_t max)
{
	size_t n = 0;

	while ((status(r) & I8042_STR_OBF) && n < max)
		buf[n++] = (uint8_t)io_space_read(&r->io, I8042_DATA_PORT, 1);
	return n;
}

#define EXPECT(r, ...) \
	do { \
		static const uint8_t want_[] = { __VA_ARGS__ }; \
		expect_bytes(r, want_, sizeof(want_), __LINE__); \
	} while (0)

#define EXPECT_NOTHING(r) expect_bytes(r, NULL, 0, __LINE__)

static void expect_bytes(struct rig *r, const uint8_t *want, size_t len, int line)
{
	uint8_t got[64];
	size_t n = drain(r, got, sizeof(got));

	if (n != len || (len && memcmp(got, want, len))) {
		char g[200] = "", w[200] = "";

		for (size_t i = 0; i < n && i < 60; i++)
			snprintf(g + strlen(g), sizeof(g) - strlen(g), " %02x", got[i]);
		for (size_t i = 0; i < len; i++)
			snprintf(w + strlen(w), sizeof(w) - strlen(w), " %02x", want[i]);
		fail_msg("line %d: got%s, want%s", line, g, w);
	}
}

static void key(struct rig *r, uint16_t qnum, bool down)
{
	i8042_host_key(&r->kbc, qnum, down);
}

/* The guest picks a scan code set (F0 nn) and reads the ACKs. */
static void scan_set(struct rig *r, uint8_t set)
{
	out(r, 0xf0);
	out(r, set);
	EXPECT(r, PS2_ACK, PS2_ACK);
}

static void test_kbd_translated(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	/* What a guest sees by default: set 2 through the controller's translation, i.e. set 1. */
	set_ctr(r, I8042_CTR_KBD_INT | I8042_CTR_AUX_INT | I8042_CTR_SYS | I8042_CTR_XLATE);
	key(r, 0x1e, true);
	assert_true(r->acc.isa_irq[I8042_KBD_IRQ]);
	assert_false(r->acc.isa_irq[I8042_MOUSE_IRQ]);
	assert_int_equal(status(r) & (I8042_STR_OBF | I8042_STR_AUX_OBF), I8042_STR_OBF);
	EXPECT(r, 0x1e);
	assert_false(r->acc.isa_irq[I8042_KBD_IRQ]);
	key(r, 0x1e, false);
	EXPECT(r, 0x9e);
	/* Extended keys: E0 prefix; the break code's F0 becomes bit 7. */
	key(r, 0xc8, true);
	key(r, 0xc8, false);
	EXPECT(r, 0xe0, 0x48, 0xe0, 0xc8);
	key(r, 0x9d, true);
	key(r, 0x9c, true);
	key(r, 0x9c, false);
	key(r, 0x9d, false);
	EXPECT(r, 0xe0, 0x1d, 0xe0, 0x1c, 0xe0, 0x9c, 0xe0, 0x9d);
	/* F7 is set-2 0x83: the one make code above 0x7f. */
	key(r, 0x41, true);
	key(r, 0x41, false);
	EXPECT(r, 0x41, 0xc1);
	/* Pause: make only; Ctrl+Pause is Break. */
	key(r, 0xc6, true);
	key(r, 0xc6, false);
	EXPECT(r, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	key(r, 0x1d, true);
	key(r, 0xc6, true);
	key(r, 0xc6, false);
	key(r, 0x1d, false);
	EXPECT(r, 0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d);
	/* PrintScreen alone, with Shift, with left Alt (SysRq); and the SysRq qnum. */
	key(r, 0xb7, true);
	key(r, 0xb7, false);
	EXPECT(r, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);
	key(r, 0x2a, true);
	key(r, 0xb7, true);
	key(r, 0xb7, false);
	key(r, 0x2a, false);
	EXPECT(r, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xaa);
	key(r, 0x38, true);
	key(r, 0xb7, true);
	key(r, 0xb7, false);
	key(r, 0x38, false);
	EXPECT(r, 0x38, 0xb8, 0x38, 0x54, 0xd4, 0xb8, 0x38, 0xb8);
	key(r, 0x54, true);
	key(r, 0x54, false);
	EXPECT(r, 0x54, 0xd4);
	/* Keys without a code, and non-qnums, send nothing. */
	key(r, 0x55, true);
	key(r, 0x1234, true);
	EXPECT_NOTHING(r);
	rig_free(r);
}

static void test_kbd_untranslated(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	/* Reset command byte: no translation, raw set 2. */
	key(r, 0x1e, true);
	key(r, 0x1e, false);
	EXPECT(r, 0x1c, 0xf0, 0x1c);
	key(r, 0xc8, true);
	key(r, 0xc8, false);
	EXPECT(r, 0xe0, 0x75, 0xe0, 0xf0, 0x75);
	key(r, 0x9c, true);
	EXPECT(r, 0xe0, 0x5a);
	key(r, 0x41, true);
	EXPECT(r, 0x83);
	key(r, 0xc6, true);
	key(r, 0xc6, false);
	EXPECT(r, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
	key(r, 0x9d, true);
	key(r, 0xc6, true);
	key(r, 0x9d, false);
	EXPECT(r, 0xe0, 0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e, 0xe0, 0xf0, 0x14);
	key(r, 0xb7, true);
	key(r, 0xb7, false);
	EXPECT(r, 0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
	key(r, 0xb8, true);
	key(r, 0xb7, true);
	EXPECT(r, 0xe0, 0x11, 0xe0, 0xf0, 0x11, 0xe0, 0x11, 0x84);
	key(r, 0xb7, false);
	key(r, 0xb8, false);
	EXPECT(r, 0xf0, 0x84, 0xe0, 0xf0, 0x11, 0xe0, 0x11, 0xe0, 0xf0, 0x11);
	key(r, 0x54, true);
	EXPECT(r, 0x7f);

	/* Set 1 untranslated. */
	scan_set(r, 1);
	key(r, 0x1e, true);
	key(r, 0x1e, false);
	key(r, 0xc8, true);
	key(r, 0xc8, false);
	EXPECT(r, 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8);
	key(r, 0xc6, true);
	EXPECT(r, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	key(r, 0x38, true);
	key(r, 0xb7, true);
	key(r, 0xb7, false);
	EXPECT(r, 0x38, 0xb8, 0x38, 0x54, 0xd4, 0xb8, 0x38);
	key(r, 0x38, false);
	EXPECT(r, 0xb8);

	/* Set 3: one byte per key, F0 before every break. */
	scan_set(r, 3);
	key(r, 0x1e, true);
	key(r, 0x1e, false);
	key(r, 0xc8, true);
	key(r, 0xc8, false);
	key(r, 0xc6, true);
	key(r, 0xb7, true);
	EXPECT(r, 0x1c, 0xf0, 0x1c, 0x63, 0xf0, 0x63, 0x62, 0x57);
	rig_free(r);
}

static void test_kbd_state(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	log_set_sink(&quiet_sink);
	/* Scanning disabled (F5): nothing, and a modifier pressed then is not seen. */
	out(r, 0xf5);
	EXPECT(r, PS2_ACK);
	key(r, 0x1d, true);
	key(r, 0x1e, true);
	EXPECT_NOTHING(r);
	out(r, 0xf4);
	EXPECT(r, PS2_ACK);
	key(r, 0xc6, true);
	EXPECT(r, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);

	/* Interface disabled (AD): bytes wait, no IRQ, until AE. */
	cmd(r, 0xad);
	key(r, 0x1e, true);
	assert_int_equal(status(r) & I8042_STR_OBF, 0);
	assert_false(r->acc.isa_irq[I8042_KBD_IRQ]);
	cmd(r, 0xae);
	assert_true(r->acc.isa_irq[I8042_KBD_IRQ]);
	EXPECT(r, 0x1c);

	/* Interrupt off in the command byte: data, no IRQ 1. */
	set_ctr(r, I8042_CTR_SYS);
	key(r, 0x1e, false);
	assert_true(status(r) & I8042_STR_OBF);
	assert_false(r->acc.isa_irq[I8042_KBD_IRQ]);
	EXPECT(r, 0xf0, 0x1c);
	set_ctr(r, I8042_CTR_KBD_INT | I8042_CTR_SYS);

	/*
	 * A command's reply goes ahead of scan codes not read yet, and the next
	 * command drops only unread replies (QEMU's command reply queue).
	 */
	key(r, 0x1e, true);  /* 1c, in the output buffer */
	key(r, 0x1e, false); /* f0 1c, queued */
	out(r, 0xf2);        /* fa ab 83 ahead of them */
	out(r, 0xee);        /* drops fa ab 83, ee ahead */
	EXPECT(r, 0x1c, 0xee, 0xf0, 0x1c);
	/* Reset (FF) and F6 empty the whole queue. */
	key(r, 0x1e, true);
	key(r, 0x1e, false);
	out(r, 0xff);
	EXPECT(r, 0x1c, PS2_ACK, PS2_BAT_OK);
	out(r, 0xf5);
	EXPECT(r, PS2_ACK);
	out(r, 0xf6); /* scans again, as QEMU */
	EXPECT(r, PS2_ACK);
	key(r, 0x1e, true);
	key(r, 0x1e, false);
	out(r, 0xf6);
	EXPECT(r, 0x1c, PS2_ACK);
	/* A guest that reads nothing: at most 16 bytes pending, as QEMU's PS/2 buffer. */
	for (int i = 0; i < 100; i++) {
		key(r, 0xc8, true);
		key(r, 0xc8, false);
	}
	assert_true(r->kbc.kbd.queue.count <= 15);
	{
		uint8_t buf[64];

		assert_int_equal(drain(r, buf, sizeof(buf)), 16);
	}
	rig_free(r);
}

/* Knock a mouse type in: sample rates a, b, c. */
static void knock(struct rig *r, uint8_t a, uint8_t b, uint8_t c)
{
	const uint8_t rates[3] = { a, b, c };

	for (int i = 0; i < 3; i++) {
		cmd(r, 0xd4);
		out(r, 0xf3);
		cmd(r, 0xd4);
		out(r, rates[i]);
		EXPECT(r, PS2_ACK, PS2_ACK);
	}
}

static void mouse_cmd(struct rig *r, uint8_t c)
{
	cmd(r, 0xd4);
	out(r, c);
	EXPECT(r, PS2_ACK);
}

static void move(struct rig *r, int dx, int dy, int dz, uint8_t buttons)
{
	i8042_host_mouse(&r->kbc, dx, dy, dz, buttons);
}

static void test_mouse(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	/* Reporting off: nothing, buttons not recorded. */
	move(r, 10, 10, 0, PS2_MOUSE_LEFT);
	EXPECT_NOTHING(r);
	assert_int_equal(r->kbc.mouse.buttons, 0);
	mouse_cmd(r, 0xf4);
	/* Right and up on the screen: x and y positive; button bits in byte 0. */
	move(r, 10, -5, 0, PS2_MOUSE_LEFT);
	assert_true(r->acc.isa_irq[I8042_MOUSE_IRQ]);
	assert_false(r->acc.isa_irq[I8042_KBD_IRQ]);
	assert_int_equal(status(r) & (I8042_STR_OBF | I8042_STR_AUX_OBF),
			 I8042_STR_OBF | I8042_STR_AUX_OBF);
	EXPECT(r, 0x09, 0x0a, 0x05);
	assert_false(r->acc.isa_irq[I8042_MOUSE_IRQ]);
	/* Left and down: sign bits 4 and 5. */
	move(r, -3, 4, 0, PS2_MOUSE_RIGHT | PS2_MOUSE_MIDDLE);
	EXPECT(r, 0x3e, 0xfd, 0xfc);
	/* A button alone is one packet; a standard mouse forgets the wheel. */
	move(r, 0, 0, 3, 0);
	EXPECT(r, 0x08, 0x00, 0x00);
	/* Overflow: +-127 a packet, the rest in more packets. */
	move(r, 300, 0, 0, 0);
	EXPECT(r, 0x08, 0x7f, 0x00, 0x08, 0x7f, 0x00, 0x08, 0x2e, 0x00);
	move(r, -300, 200, 0, 0);
	EXPECT(r, 0x38, 0x81, 0x81, 0x38, 0x81, 0xb7, 0x18, 0xd2, 0x00);

	/* IntelliMouse: a wheel byte, clamped to +-127 (wheel up is negative). */
	knock(r, 200, 100, 80);
	assert_int_equal(r->kbc.mouse.type, 3);
	move(r, 1, 0, -2, 0);
	EXPECT(r, 0x08, 0x01, 0x00, 0xfe);
	move(r, 0, 0, 200, 0);
	EXPECT(r, 0x08, 0x00, 0x00, 0x7f, 0x08, 0x00, 0x00, 0x49);
	/* Explorer: wheel +-7 in bits 0-3, buttons 4 and 5 in bits 4-5. */
	knock(r, 200, 200, 80);
	assert_int_equal(r->kbc.mouse.type, 4);
	move(r, 0, 0, 10, PS2_MOUSE_SIDE | PS2_MOUSE_EXTRA | PS2_MOUSE_LEFT);
	EXPECT(r, 0x09, 0x00, 0x00, 0x37, 0x09, 0x00, 0x00, 0x33);
	move(r, 0, 0, -9, 0);
	EXPECT(r, 0x08, 0x00, 0x00, 0x09, 0x08, 0x00, 0x00, 0x0e);

	/* Remote mode: motion gathers until READ DATA. */
	mouse_cmd(r, 0xf0);
	move(r, 5, 0, 0, 0);
	move(r, 5, -1, 0, 0);
	EXPECT_NOTHING(r);
	cmd(r, 0xd4);
	out(r, 0xeb);
	EXPECT(r, PS2_ACK, 0x08, 0x0a, 0x01, 0x00);
	cmd(r, 0xd4);
	out(r, 0xeb);
	EXPECT(r, PS2_ACK, 0x08, 0x00, 0x00, 0x00);
	mouse_cmd(r, 0xea);

	/*
	 * A guest that reads nothing: whole packets only, at most 16 bytes
	 * pending; the rest of the motion goes out with the next events.
	 */
	move(r, 127 * 10, 0, 0, 0);
	assert_true(r->kbc.mouse.queue.count <= 15);
	assert_int_equal(r->kbc.mouse.queue.count % 4, 3); /* one byte in the output buffer */
	{
		uint8_t buf[64];
		int total = 0, rounds = 0;

		for (;;) {
			size_t n = drain(r, buf, sizeof(buf));

			assert_true(n > 0 && n <= 16 && n % 4 == 0);
			for (size_t i = 0; i < n; i += 4) {
				assert_int_equal(buf[i], 0x08);
				total += (int8_t)buf[i + 1];
			}
			if (!r->kbc.mouse.dx)
				break;
			assert_true(++rounds < 10);
			move(r, 0, 0, 0, 0);
		}
		assert_int_equal(total, 1270);
		assert_true(rounds >= 2);
	}
	/* Huge deltas are bounded, not overflowed. */
	move(r, 2147483647, -2147483647 - 1, 2147483647, 0);
	move(r, 2147483647, -2147483647 - 1, 2147483647, 0);
	assert_true(r->kbc.mouse.dx <= (1 << 24));
	assert_true(r->kbc.mouse.dy <= (1 << 24));
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_en_us),
		cmocka_unit_test(test_de),
		cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_kbd_translated),
		cmocka_unit_test(test_kbd_untranslated),
		cmocka_unit_test(test_kbd_state),
		cmocka_unit_test(test_mouse),
	};

	log_set_sink(&quiet_sink);
	return cmocka_run_group_tests_name("keymap", tests, make_tmpdir, remove_tmpdir);
}
