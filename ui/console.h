/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's console as people use it: the card's picture refreshed into the
 * VNC server (and taken by screendump), and the VNC clients' keys and
 * pointer turned into what the guest's input devices take -- keysyms
 * through the keymap (-k, libxl's keymap=) into PC scan codes, absolute
 * pointer positions into relative PS/2 motion. It knows the card and the
 * input devices only through the operations below.
 *
 * Refresh: every CONSOLE_REFRESH_MS of device time while a client is
 * connected (QEMU's GUI refresh is 30 ms), on the loop's clock, under the
 * device lock like every device timer.
 */
#ifndef HVMDM_CONSOLE_H
#define HVMDM_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/clock.h"
#include "hw/core/loop.h"
#include "hw/display/surface.h"
#include "keymap.h"
#include "vnc.h"

#define CONSOLE_REFRESH_MS 30

struct console_card {
	/* Redraw what changed at time now_ms; the rows changed are flagged in the surface. */
	unsigned int (*render)(void *card, uint64_t now_ms);
	struct display_surface *(*surface)(void *card);
	void *card;
};

struct console_input {
	/* A key by QEMU qnum (PC set-1 make code, 0x80 for E0), pressed or released. */
	void (*key)(void *opaque, uint16_t qnum, bool down);
	/* Relative motion (dx right, dy down), wheel (dz > 0 toward the user), PS/2 buttons. */
	void (*mouse)(void *opaque, int dx, int dy, int dz, uint8_t buttons);
	/*
	 * The client's pointer at (x, y) on a width x height screen, offered
	 * first: true when an absolute device (the USB tablet) took it. NULL:
	 * relative motion only.
	 */
	bool (*pointer_abs)(void *opaque, int x, int y, int width, int height, int dz, uint8_t buttons);
	/* The keyboard LEDs the guest set (PS/2 order: bit 1 NumLock); NULL: unknown. */
	uint8_t (*leds)(void *opaque);
	void *opaque;
};

struct console {
	struct console_card card;
	struct console_input input;
	struct dm_clock *clock;
	struct dm_timer refresh;
	struct vnc_server *vnc;     /* NULL: -vnc none */
	struct keymap keymap;
	struct keymap_held held;    /* what the guest was sent as pressed */
	/* The last pointer position and buttons a client sent. */
	int last_x, last_y;
	bool have_position;
	unsigned int last_buttons;
	unsigned int unknown_keys;  /* keysyms the layout has no key for */
};

/*
 * Set up and start serving: the keymap (NULL: en-us, as QEMU without -k),
 * then the VNC server when vnc is not NULL. 0, or -1 with err (nothing left
 * running).
 */
int console_init(struct console *c, const struct console_card *card,
		 const struct console_input *input, struct dm_clock *clock, struct loop *loop,
		 const struct vnc_config *vnc, const char *keymap, char *err, size_t errlen);
void console_destroy(struct console *c);

/* Render now and hand the changes to the VNC server (the refresh timer does this too). */
void console_refresh(struct console *c);

/* QMP screendump: render now, then write the picture. 0, or -1 with err. */
int console_screendump(struct console *c, const char *path, const char *format, char *err,
		       size_t errlen);

/* The VNC client events, as the VNC server delivers them (loop thread). */
void console_key_event(struct console *c, uint32_t keysym, bool down);
void console_pointer_event(struct console *c, int x, int y, unsigned int buttons);

#endif
