// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console between VNC clients and the guest: keysyms through the
 * en-us and de layouts into scan codes (Shift, AltGr, keypad NumLock sync
 * as QEMU 7.2's VNC does it), absolute pointer positions into relative
 * PS/2 motion and buttons, refresh and screendump through the card.
 */
#include "testlib.h"

#include <sys/stat.h>
#include <unistd.h>

#include "ui/console.h"

struct fake {
	struct display_surface s;
	unsigned int renders;
	uint16_t keys[32];
	bool downs[32];
	unsigned int nkeys;
	int dx, dy, dz;
	uint8_t buttons;
	unsigned int moves;
	uint8_t leds;
};

static unsigned int fake_render(void *card, uint64_t now_ms)
{
	struct fake *f = card;

	(void)now_ms;
	f->renders++;
	f->s.pixels[0] = f->renders;
	surface_mark_row(&f->s, 0);
	return 1;
}

static struct display_surface *fake_surface(void *card)
{
	return &((struct fake *)card)->s;
}

static void fake_key(void *opaque, uint16_t qnum, bool down)
{
	struct fake *f = opaque;

	if (f->nkeys < 32) {
		f->keys[f->nkeys] = qnum;
		f->downs[f->nkeys++] = down;
	}
}

static void fake_mouse(void *opaque, int dx, int dy, int dz, uint8_t buttons)
{
	struct fake *f = opaque;

	f->dx = dx;
	f->dy = dy;
	f->dz = dz;
	f->buttons = buttons;
	f->moves++;
}

static uint8_t fake_leds(void *opaque)
{
	return ((struct fake *)opaque)->leds;
}

static void setup(struct console *c, struct fake *f, struct dm_clock *clock, const char *layout)
{
	char err[200];

	memset(f, 0, sizeof(*f));
	surface_init(&f->s);
	assert_int_equal(surface_resize(&f->s, 8, 8), 0);
	clock_init(clock, NULL, NULL);
	if (console_init(c, &(struct console_card){ fake_render, fake_surface, f },
			 &(struct console_input){ .key = fake_key, .mouse = fake_mouse, .leds = fake_leds, .opaque = f }, clock, NULL, NULL,
			 layout, err, sizeof(err)))
		fail_msg("console_init: %s", err);
}

static void teardown(struct console *c, struct fake *f)
{
	console_destroy(c);
	surface_destroy(&f->s);
}

static void test_keys_en_us(void **state)
{
	struct dm_clock clock;
	struct console c;
	struct fake f;

	(void)state;
	setup(&c, &f, &clock, NULL);
	console_key_event(&c, 'a', true);
	console_key_event(&c, 'a', false);
	assert_int_equal(f.nkeys, 2);
	assert_int_equal(f.keys[0], 0x1e);
	assert_true(f.downs[0]);
	assert_false(f.downs[1]);
	/* Shift then A: the client sends Shift itself; A is the a key. */
	f.nkeys = 0;
	console_key_event(&c, 0xffe1, true); /* Shift_L */
	console_key_event(&c, 'A', true);
	console_key_event(&c, 'A', false);
	console_key_event(&c, 0xffe1, false);
	assert_int_equal(f.nkeys, 4);
	assert_int_equal(f.keys[0], 0x2a);
	assert_int_equal(f.keys[1], 0x1e);
	/* An extended key: Up is E0 48. */
	f.nkeys = 0;
	console_key_event(&c, 0xff52, true);
	assert_int_equal(f.keys[0], 0xc8);
	/* A keypad digit with the guest's NumLock off: NumLock is toggled first. */
	f.nkeys = 0;
	f.leds = 0;
	console_key_event(&c, 0xffb1, true); /* KP_1 */
	assert_int_equal(f.nkeys, 3);
	assert_int_equal(f.keys[0], 0x45);
	assert_true(f.downs[0]);
	assert_int_equal(f.keys[1], 0x45);
	assert_false(f.downs[1]);
	assert_int_equal(f.keys[2], 0x4f);
	/* With NumLock on: just the key. */
	f.nkeys = 0;
	f.leds = 0x02;
	console_key_event(&c, 0xffb1, true);
	assert_int_equal(f.nkeys, 1);
	/* A keysym no key of the layout types: nothing reaches the guest. */
	f.nkeys = 0;
	console_key_event(&c, 0x20ac, true); /* EuroSign: not on en-us */
	assert_int_equal(f.nkeys, 0);
	teardown(&c, &f);
}

/* German layout: @ is AltGr+Q; z and y swap places. */
static void test_keys_de(void **state)
{
	struct dm_clock clock;
	struct console c;
	struct fake f;

	(void)state;
	setup(&c, &f, &clock, "de");
	console_key_event(&c, 'z', true);
	assert_int_equal(f.keys[0], 0x15);
	f.nkeys = 0;
	console_key_event(&c, 0xfe03, true); /* ISO_Level3_Shift (AltGr) */
	console_key_event(&c, '@', true);
	assert_int_equal(f.nkeys, 2);
	assert_int_equal(f.keys[1], 0x10);
	teardown(&c, &f);
}

static void test_pointer(void **state)
{
	struct dm_clock clock;
	struct console c;
	struct fake f;

	(void)state;
	setup(&c, &f, &clock, NULL);
	/* The first position is where the pointer is: no motion, nothing sent. */
	console_pointer_event(&c, 100, 100, 0);
	assert_int_equal(f.moves, 0);
	console_pointer_event(&c, 110, 95, 1);
	assert_int_equal(f.moves, 1);
	assert_int_equal(f.dx, 10);
	assert_int_equal(f.dy, -5);
	assert_int_equal(f.buttons, PS2_MOUSE_LEFT);
	/* Right and middle buttons keep PS/2's order. */
	console_pointer_event(&c, 110, 95, 6);
	assert_int_equal(f.buttons, PS2_MOUSE_RIGHT | PS2_MOUSE_MIDDLE);
	/* The wheel: a press of button 4 turns it away from the user, of 5 toward. */
	console_pointer_event(&c, 110, 95, 8);
	assert_int_equal(f.dz, -1);
	console_pointer_event(&c, 110, 95, 0);
	console_pointer_event(&c, 110, 95, 16);
	assert_int_equal(f.dz, 1);
	/* Nothing changed: nothing sent. */
	f.moves = 0;
	console_pointer_event(&c, 110, 95, 16);
	assert_int_equal(f.moves, 0);
	teardown(&c, &f);
}

static void test_refresh_and_screendump(void **state)
{
	struct dm_clock clock;
	struct console c;
	struct fake f;
	char err[200], path[] = "/tmp/hvmdm-console-XXXXXX";
	struct stat st;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	setup(&c, &f, &clock, NULL);
	console_refresh(&c);
	assert_int_equal(f.renders, 1);
	assert_false(surface_any_dirty(&f.s));
	assert_int_equal(console_screendump(&c, path, NULL, err, sizeof(err)), 0);
	assert_int_equal(f.renders, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 11 + 8 * 8 * 3);
	assert_int_equal(console_screendump(&c, path, "jpeg", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "jpeg"));
	unlink(path);
	teardown(&c, &f);
}

static void test_bad_keymap(void **state)
{
	struct dm_clock clock;
	struct console c;
	struct fake f = { 0 };
	char err[200];

	(void)state;
	clock_init(&clock, NULL, NULL);
	assert_int_equal(console_init(&c, &(struct console_card){ fake_render, fake_surface, &f },
				      &(struct console_input){ .key = fake_key, .mouse = fake_mouse, .leds = fake_leds, .opaque = &f }, &clock,
				      NULL, NULL, "../etc/passwd", err, sizeof(err)),
			 -1);
	assert_int_equal(console_init(&c, &(struct console_card){ fake_render, fake_surface, &f },
				      &(struct console_input){ .key = fake_key, .mouse = fake_mouse, .leds = fake_leds, .opaque = &f }, &clock,
				      NULL, NULL, "xx-nonexistent", err, sizeof(err)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_en_us),
		cmocka_unit_test(test_keys_de),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_refresh_and_screendump),
		cmocka_unit_test(test_bad_keymap),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
