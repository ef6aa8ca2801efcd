/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keyboard layouts for keysym input (a VNC client sends X keysyms): QEMU's
 * keymap files, as Debian's qemu-system-data ships them in
 * /usr/share/qemu/keymaps, map each keysym to a QEMU "qnum" (PC set-1 make
 * code, 0x80 for an E0 prefix) and the Shift/AltGr/Ctrl state it is typed
 * with. Loading and lookup follow QEMU 7.2 ui/keymaps.c; keysym names
 * resolve through libxkbcommon (link -lxkbcommon).
 */
#ifndef HVMDM_KEYMAP_H
#define HVMDM_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYMAP_DIR "/usr/share/qemu/keymaps"
#define KEYMAP_MAX_CODES 4     /* qnums kept per keysym, as QEMU */
#define KEYMAP_LINE_MAX 1023   /* QEMU reads lines into 1024 bytes */
#define KEYMAP_NAME_MAX 63     /* QEMU's keysym name buffer */
#define KEYMAP_MAX_LINES 65536
#define KEYMAP_MAX_MAPPINGS 65536

/* Modifier state for keymap_lookup(), and what a keymap line asks for. */
#define KEYMAP_MOD_SHIFT 0x1
#define KEYMAP_MOD_ALTGR 0x2
#define KEYMAP_MOD_CTRL 0x4

struct keymap_entry;

struct keymap {
	struct keymap_entry *entries; /* sorted by keysym */
	size_t nr_entries;
	unsigned int lines;
	/* Lines skipped: a keysym name libxkbcommon does not know (QEMU skips them too). */
	unsigned int unknown_names;
	/* Mappings past KEYMAP_MAX_CODES for one keysym, dropped (QEMU warns). */
	unsigned int dropped;
};

/* Which qnums the guest has been sent as held (for key-up lookups and modifiers). */
struct keymap_held {
	uint8_t bits[256 / 8];
};

/*
 * Load a layout: a name (en-us, de, ...) from KEYMAP_DIR, or a path if it
 * has a '/'; a name or path with ".." is refused. Returns 0, or -1 with err
 * naming the file (and line) and km left empty. A file QEMU 7.2 loads loads
 * here unless it has an "include" (QEMU 7.2 refuses those too), a modifier
 * word QEMU does not know, or a line that is not "keysym number words..."
 * (QEMU skips or misreads those silently).
 */
int keymap_load(struct keymap *km, const char *name, char *err, size_t errlen);
void keymap_free(struct keymap *km);

/*
 * The qnum for a key event of `keysym`, 0 if the layout has none. As QEMU
 * 7.2's VNC server finds it (ui/vnc.c key_event, ui/keymaps.c
 * keysym2scancode): A-Z look up as a-z (the client sends Shift itself),
 * ISO_Left_Tab as Tab, a Unicode keysym the layout lacks as its low 16 bits.
 * A keysym typed on one key returns it; with several, a press takes the
 * first whose Shift/AltGr/Ctrl is exactly `mods` (KEYMAP_MOD_*, what the
 * guest has been sent as held: keymap_held_mods()), a release the first
 * whose qnum is in `held` (may be NULL), and failing that the file's first.
 * NumLock plays no part here; see keymap_qnum_is_keypad().
 */
uint16_t keymap_lookup(const struct keymap *km, uint32_t keysym, unsigned int mods, bool down,
		       const struct keymap_held *held);

void keymap_held_set(struct keymap_held *h, uint16_t qnum, bool down);
bool keymap_held_test(const struct keymap_held *h, uint16_t qnum);
/* QEMU's QKbdState modifiers: Shift (either), AltGr (right Alt), Ctrl (either). */
unsigned int keymap_held_mods(const struct keymap_held *h);

/*
 * QEMU 7.2 ignores the "numlock" word of keymap lines and hard-codes these
 * for the VNC server's NumLock sync (ui/vnc.c do_key_event): a keypad key
 * pressed with a keysym that needs NumLock on (or one that needs it off)
 * first toggles the guest's NumLock if it is the other way.
 */
bool keymap_qnum_is_keypad(uint16_t qnum);      /* 0x47..0x53 */
bool keymap_keysym_is_numlock(uint32_t keysym); /* KP_0..KP_9, KP_Separator, KP_Decimal */

#endif
