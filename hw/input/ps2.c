// SPDX-License-Identifier: GPL-2.0-only
/* PS/2 devices; command semantics per the IBM PS/2 references and QEMU hw/input/ps2.c. */
#include "ps2.h"

#include <string.h>

#include "hw/core/log.h"

bool ps2_queue_empty(const struct ps2_queue *q)
{
	return q->count == 0;
}

uint8_t ps2_queue_pop(struct ps2_queue *q)
{
	uint8_t byte;

	if (!q->count)
		return 0;
	byte = q->data[q->head];
	q->head = (uint16_t)((q->head + 1) % PS2_QUEUE_SIZE);
	q->count--;
	return byte;
}

bool ps2_queue_push(struct ps2_queue *q, uint8_t byte)
{
	if (q->count >= PS2_QUEUE_SIZE)
		return false;
	q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = byte;
	q->count++;
	return true;
}

void ps2_queue_reset(struct ps2_queue *q)
{
	q->head = 0;
	q->count = 0;
}

/*
 * A PS/2 device buffers 16 bytes and drops what does not fit (QEMU 7.2
 * hw/input/ps2.c PS2_QUEUE_SIZE, "required by PS/2 protocol"). QEMU counts
 * the byte in the controller's output buffer as the head of that queue;
 * hvmdm's controller holds it apart, so a device queues at most 15 more.
 * A guest that stops reading must not pile up more than it can drain: Linux
 * reads at most 16 bytes before it declares the controller missing (i8042
 * flush), which a Linux guest restored after polling a mouse it has no
 * driver for ran into.
 */
#define PS2_DEVICE_BUFFER 15

static void reply(struct ps2_queue *q, uint8_t byte)
{
	if (q->count >= PS2_DEVICE_BUFFER || !ps2_queue_push(q, byte))
		log_guest("ps2", "device buffer full: %#x dropped", byte);
}

/* ---- keyboard ---- */

void ps2_kbd_reset(struct ps2_kbd *k)
{
	memset(k, 0, sizeof(*k));
	k->scanning = true;
	k->scancode_set = 2;
	k->typematic = 0x2b; /* 10.9 cps, 500 ms */
}

static void kbd_defaults(struct ps2_kbd *k)
{
	k->scancode_set = 2;
	k->typematic = 0x2b;
}

/* What 0xf0 0x00 reports for sets 1-3 when the controller translates. */
static const uint8_t translated_set_id[4] = { 0, 0x43, 0x41, 0x3f };

void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte, bool translated)
{
	uint8_t cmd = k->pending_cmd;

	/*
	 * A keyboard drops the unread replies to earlier commands when it gets a
	 * new byte (QEMU ps2_write_keyboard: ps2_cqueue_reset). hvmdm has no key
	 * input source yet, so everything queued is a reply.
	 */
	ps2_queue_reset(&k->queue);
	if (cmd) {
		k->pending_cmd = 0;
		switch (cmd) {
		case 0xed: /* set LEDs */
			k->leds = byte & 7;
			reply(&k->queue, PS2_ACK);
			return;
		case 0xf3: /* typematic rate/delay */
			k->typematic = byte & 0x7f;
			reply(&k->queue, PS2_ACK);
			return;
		case 0xf0: /* get/set scan code set */
			if (byte == 0) {
				reply(&k->queue, PS2_ACK);
				/* Under translation the controller reports set 2 as 0x41. */
				reply(&k->queue, translated ? translated_set_id[k->scancode_set & 3]
							   : k->scancode_set);
			} else if (byte <= 3) {
				k->scancode_set = byte;
				reply(&k->queue, PS2_ACK);
			} else {
				reply(&k->queue, PS2_RESEND);
			}
			return;
		}
	}
	switch (byte) {
	case 0xed:
	case 0xf3:
	case 0xf0:
		k->pending_cmd = byte;
		reply(&k->queue, PS2_ACK);
		break;
	case 0xee: /* echo */
		reply(&k->queue, 0xee);
		break;
	case 0xf2: /* identify: MF2 keyboard */
		reply(&k->queue, PS2_ACK);
		reply(&k->queue, 0xab);
		reply(&k->queue, translated ? 0x41 : 0x83);
		break;
	case 0xf4:
		k->scanning = true;
		reply(&k->queue, PS2_ACK);
		break;
	case 0xf5: /* disable and restore defaults */
		k->scanning = false;
		kbd_defaults(k);
		reply(&k->queue, PS2_ACK);
		break;
	case 0xf6: /* restore defaults */
		kbd_defaults(k);
		reply(&k->queue, PS2_ACK);
		break;
	case 0xff: /* reset and self-test */
		ps2_kbd_reset(k);
		reply(&k->queue, PS2_ACK);
		reply(&k->queue, PS2_BAT_OK);
		break;
	case 0xfe: /* resend: nothing is outstanding */
		reply(&k->queue, PS2_ACK);
		break;
	default:
		reply(&k->queue, PS2_RESEND);
		break;
	}
}

/* ---- mouse ---- */

void ps2_mouse_reset(struct ps2_mouse *m)
{
	memset(m, 0, sizeof(*m));
	m->resolution = 2; /* 4 counts/mm */
	m->sample_rate = 100;
}

static void mouse_defaults(struct ps2_mouse *m)
{
	m->reporting = false;
	m->scaling_2to1 = false;
	m->resolution = 2;
	m->sample_rate = 100;
}

/* A movement packet with no motion (for READ DATA in remote mode). */
static void mouse_packet(struct ps2_mouse *m)
{
	reply(&m->queue, (uint8_t)(0x08 | (m->buttons & 7)));
	reply(&m->queue, 0);
	reply(&m->queue, 0);
	if (m->type == 3 || m->type == 4)
		reply(&m->queue, 0);
}

static void mouse_sample_rate(struct ps2_mouse *m, uint8_t rate)
{
	m->sample_rate = rate;
	m->knock[0] = m->knock[1];
	m->knock[1] = m->knock[2];
	m->knock[2] = rate;
	/* 200,100,80 turns on the wheel; then 200,200,80 the fourth/fifth buttons. */
	if (m->knock[0] == 200 && m->knock[1] == 100 && m->knock[2] == 80)
		m->type = 3;
	else if (m->type == 3 && m->knock[0] == 200 && m->knock[1] == 200 && m->knock[2] == 80)
		m->type = 4;
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte)
{
	uint8_t cmd = m->pending_cmd;

	if (cmd) {
		m->pending_cmd = 0;
		if (cmd == 0xf3)
			mouse_sample_rate(m, byte);
		else /* 0xe8 */
			m->resolution = byte & 3;
		reply(&m->queue, PS2_ACK);
		return;
	}
	if (m->wrap && byte != 0xec && byte != 0xff) {
		reply(&m->queue, byte); /* wrap mode echoes everything else */
		return;
	}
	switch (byte) {
	case 0xe6:
		m->scaling_2to1 = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xe7:
		m->scaling_2to1 = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xe8:
	case 0xf3:
		m->pending_cmd = byte;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xe9: /* status request */
		reply(&m->queue, PS2_ACK);
		reply(&m->queue, (uint8_t)((m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
					   (m->scaling_2to1 ? 0x10 : 0) | (m->buttons & 7)));
		reply(&m->queue, m->resolution);
		reply(&m->queue, m->sample_rate);
		break;
	case 0xea:
		m->remote = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xeb:
		reply(&m->queue, PS2_ACK);
		mouse_packet(m);
		break;
	case 0xec:
		m->wrap = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xee:
		m->wrap = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf0:
		m->remote = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf2:
		reply(&m->queue, PS2_ACK);
		reply(&m->queue, m->type);
		break;
	case 0xf4:
		m->reporting = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf5:
		m->reporting = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf6:
		mouse_defaults(m);
		reply(&m->queue, PS2_ACK);
		break;
	case 0xff:
		ps2_mouse_reset(m);
		reply(&m->queue, PS2_ACK);
		reply(&m->queue, PS2_BAT_OK);
		reply(&m->queue, 0x00);
		break;
	default:
		reply(&m->queue, PS2_RESEND);
		break;
	}
}
