// SPDX-License-Identifier: GPL-2.0-only
/* A guest's console: refresh, screendump, keys and pointer (see console.h). */
#include "console.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"
#include "hw/input/ps2.h"
#include "screendump.h"

#define QNUM_NUMLOCK 0x45
#define PS2_LED_NUMLOCK 0x02

static uint64_t now_ms(const struct console *c)
{
	return clock_now(c->clock) / 1000000;
}

void console_refresh(struct console *c)
{
	struct display_surface *s;

	if (!c->card.render)
		return;
	c->card.render(c->card.card, now_ms(c));
	s = c->card.surface(c->card.card);
	if (c->vnc && (s->resized || surface_any_dirty(s)))
		vnc_publish(c->vnc, s);
	surface_clear_dirty(s);
}

static void on_refresh(void *opaque)
{
	struct console *c = opaque;

	/* Nobody watching: nothing to draw for (a screendump renders itself). */
	if (c->vnc && vnc_clients(c->vnc))
		console_refresh(c);
	timer_arm(&c->refresh, clock_now(c->clock) + CONSOLE_REFRESH_MS * 1000000ull);
}

int console_screendump(struct console *c, const char *path, const char *format, char *err,
		       size_t errlen)
{
	enum screendump_format f;

	if (screendump_format_parse(format, &f)) {
		snprintf(err, errlen, "screendump: format '%s' is not ppm or png", format);
		return -1;
	}
	console_refresh(c);
	return screendump_write(c->card.surface(c->card.card), f, path, err, errlen);
}

/*
 * QEMU 7.2's VNC NumLock sync (ui/vnc.c do_key_event): a keypad key whose
 * keysym needs NumLock the other way from the guest's LED first toggles it.
 */
static void sync_numlock(struct console *c, uint16_t qnum, uint32_t keysym)
{
	bool want, have;

	if (!c->input.leds || !keymap_qnum_is_keypad(qnum))
		return;
	want = keymap_keysym_is_numlock(keysym);
	have = c->input.leds(c->input.opaque) & PS2_LED_NUMLOCK;
	if (want == have)
		return;
	c->input.key(c->input.opaque, QNUM_NUMLOCK, true);
	c->input.key(c->input.opaque, QNUM_NUMLOCK, false);
}

void console_key_event(struct console *c, uint32_t keysym, bool down)
{
	uint16_t qnum = keymap_lookup(&c->keymap, keysym, keymap_held_mods(&c->held), down, &c->held);

	if (!qnum) {
		if (c->unknown_keys++ < 10)
			log_warn("console", "keysym %#x: no key in this layout (-k / keymap=)", keysym);
		return;
	}
	if (down)
		sync_numlock(c, qnum, keysym);
	keymap_held_set(&c->held, qnum, down);
	c->input.key(c->input.opaque, qnum, down);
}

/* RFB button mask: 1 left, 2 middle, 4 right, 8 wheel up, 16 wheel down. */
void console_pointer_event(struct console *c, int x, int y, unsigned int buttons)
{
	int dx = c->have_position ? x - c->last_x : 0;
	int dy = c->have_position ? y - c->last_y : 0;
	int dz = 0;
	unsigned int pressed = buttons & ~c->last_buttons;
	uint8_t ps2 = (uint8_t)(((buttons & 1) ? PS2_MOUSE_LEFT : 0) | ((buttons & 2) ? PS2_MOUSE_MIDDLE : 0) |
				((buttons & 4) ? PS2_MOUSE_RIGHT : 0));

	if (pressed & 8)
		dz--;
	if (pressed & 16)
		dz++;
	if (c->input.pointer_abs) {
		const struct display_surface *surf = c->card.surface(c->card.card);

		if (surf && c->input.pointer_abs(c->input.opaque, x, y, (int)surf->width,
						  (int)surf->height, dz, ps2))
			goto moved;
	}
	if (dx || dy || dz || (buttons & 7) != (c->last_buttons & 7))
		c->input.mouse(c->input.opaque, dx, dy, dz, ps2);
moved:
	c->last_x = x;
	c->last_y = y;
	c->have_position = true;
	c->last_buttons = buttons;
}

static void vnc_key(void *opaque, uint32_t keysym, bool down)
{
	console_key_event(opaque, keysym, down);
}

static void vnc_pointer(void *opaque, int x, int y, unsigned int buttons)
{
	console_pointer_event(opaque, x, y, buttons);
}

static const struct vnc_input_ops console_vnc_ops = { .key = vnc_key, .pointer = vnc_pointer };

int console_init(struct console *c, const struct console_card *card,
		 const struct console_input *input, struct dm_clock *clock, struct loop *loop,
		 const struct vnc_config *vnc, const char *keymap, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->card = *card;
	c->input = *input;
	c->clock = clock;
	if (keymap_load(&c->keymap, keymap ? keymap : "en-us", err, errlen))
		return -1;
	if (vnc && vnc_start(&c->vnc, vnc, loop, &console_vnc_ops, c, err, errlen)) {
		keymap_free(&c->keymap);
		return -1;
	}
	timer_init(&c->refresh, clock, on_refresh, c);
	if (c->vnc)
		timer_arm(&c->refresh, clock_now(clock) + CONSOLE_REFRESH_MS * 1000000ull);
	return 0;
}

void console_destroy(struct console *c)
{
	timer_cancel(&c->refresh);
	vnc_stop(c->vnc);
	c->vnc = NULL;
	keymap_free(&c->keymap);
}
