/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PS/2 keyboard and mouse behind the i8042: the command sets firmware and
 * Linux use (reset, identify, scan set, LEDs, typematic, enable/disable; mouse
 * reset, status, sample rate with the IntelliMouse/Explorer knock, resolution,
 * scaling, stream/remote/wrap modes) with their replies queued for the
 * controller to hand over; and host input (key presses as scan codes of the
 * keyboard's set, mouse motion as stream-mode packets) as QEMU 7.2 sends it.
 */
#ifndef HVMDM_PS2_H
#define HVMDM_PS2_H

#include <stdbool.h>
#include <stdint.h>

#define PS2_QUEUE_SIZE 256 /* as qemu-xen-traditional and QEMU 7.2 */

#define PS2_ACK 0xfa
#define PS2_RESEND 0xfe
#define PS2_BAT_OK 0xaa

struct ps2_queue {
	uint8_t data[PS2_QUEUE_SIZE];
	uint16_t head;
	uint16_t count;
};

struct ps2_kbd {
	struct ps2_queue queue;
	uint8_t pending_cmd; /* command awaiting its parameter byte, 0 if none */
	bool scanning;
	uint8_t scancode_set; /* 1..3 */
	uint8_t leds;
	uint8_t typematic;
	/* Unread command replies at the head of the queue (QEMU's cwptr). */
	uint8_t nreply;
	/* Host Ctrl/Shift/Alt held, for Pause and PrintScreen (QEMU's modifiers). */
	uint8_t modifiers;
};

struct ps2_mouse {
	struct ps2_queue queue;
	uint8_t pending_cmd;
	bool reporting;  /* data reporting enabled (0xf4) */
	bool remote;     /* remote mode (0xf0) */
	bool wrap;       /* wrap (echo) mode (0xee) */
	bool scaling_2to1;
	uint8_t resolution;
	uint8_t sample_rate;
	uint8_t type;    /* device ID: 0 standard, 3 IntelliMouse, 4 Explorer */
	uint8_t knock[3]; /* last three sample rates, for the ID knock */
	uint8_t buttons; /* PS2_MOUSE_* */
	/* Motion not sent yet, PS/2 directions: x right, y up, z wheel down. */
	int32_t dx, dy, dz;
};

/* Mouse buttons as packets carry them (QEMU's PS2_MOUSE_BUTTON_*). */
#define PS2_MOUSE_LEFT 0x01
#define PS2_MOUSE_RIGHT 0x02
#define PS2_MOUSE_MIDDLE 0x04
#define PS2_MOUSE_SIDE 0x08  /* 4th button, Explorer (type 4) only */
#define PS2_MOUSE_EXTRA 0x10 /* 5th button, Explorer only */

bool ps2_queue_empty(const struct ps2_queue *q);
uint8_t ps2_queue_pop(struct ps2_queue *q);
/* Returns false (and drops the byte) when full. */
bool ps2_queue_push(struct ps2_queue *q, uint8_t byte);
void ps2_queue_reset(struct ps2_queue *q);

void ps2_kbd_reset(struct ps2_kbd *k);
void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte, bool translated);
/* The next byte for the controller (0 if none); keeps the reply count right. */
uint8_t ps2_kbd_pop(struct ps2_kbd *k);
/*
 * Host input: a key, by QEMU "qnum" (PC set-1 make code, 0x80 for an E0
 * prefix: 0x1e is A, 0xc8 Up, 0x9d Right Ctrl, 0xc6 Pause, 0xb7 PrintScreen),
 * pressed or released. Queues what the keyboard sends in its current scan
 * code set, through the controller's set-2-to-set-1 translation when
 * `translated` (command byte bit 6). Nothing while scanning is disabled;
 * bytes beyond a full buffer are dropped, as QEMU drops them.
 */
void ps2_kbd_key(struct ps2_kbd *k, uint16_t qnum, bool down, bool translated);

void ps2_mouse_reset(struct ps2_mouse *m);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte);
/*
 * Host input: relative motion as a screen sees it (dx right, dy down), the
 * wheel (dz > 0 turns it toward the user, QEMU's WHEEL_DOWN) and the buttons
 * held (PS2_MOUSE_*). Ignored unless reporting is enabled; in stream mode
 * queues packets (several for a large move), in remote mode keeps the motion
 * for READ DATA.
 */
void ps2_mouse_move(struct ps2_mouse *m, int dx, int dy, int dz, uint8_t buttons);

#endif
