/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PS/2 keyboard and mouse behind the i8042: the command sets firmware and
 * Linux use (reset, identify, scan set, LEDs, typematic, enable/disable; mouse
 * reset, status, sample rate with the IntelliMouse/Explorer knock, resolution,
 * scaling, stream/remote/wrap modes) with their replies queued for the
 * controller to hand over.
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
	uint8_t buttons;
};

bool ps2_queue_empty(const struct ps2_queue *q);
uint8_t ps2_queue_pop(struct ps2_queue *q);
/* Returns false (and drops the byte) when full. */
bool ps2_queue_push(struct ps2_queue *q, uint8_t byte);
void ps2_queue_reset(struct ps2_queue *q);

void ps2_kbd_reset(struct ps2_kbd *k);
void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte, bool translated);
void ps2_mouse_reset(struct ps2_mouse *m);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte);

#endif
