/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * usb-tablet, usb-mouse and usb-kbd. What a guest reads is QEMU 7.2's: the
 * descriptor bytes (hw/usb/dev-hid.c), the report descriptors and report
 * formats, the event queues with their coalescing and the idle timer, and
 * the scan code to usage map (hw/input/hid.c). Every request is answered at
 * once; nothing is ever held (no asynchronous packets).
 */
#include "hid.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

/* HID class requests (bmRequestType << 8 | bRequest). */
#define HID_GET_REPORT USB_REQ(0xa1, 0x01)
#define HID_GET_IDLE USB_REQ(0xa1, 0x02)
#define HID_GET_PROTOCOL USB_REQ(0xa1, 0x03)
#define HID_SET_REPORT USB_REQ(0x21, 0x09)
#define HID_SET_IDLE USB_REQ(0x21, 0x0a)
#define HID_SET_PROTOCOL USB_REQ(0x21, 0x0b)
#define HID_GET_DESCRIPTOR USB_REQ(0x81, 0x06) /* standard, to the interface */
#define HID_DT_REPORT 0x22

#define QUEUE_MASK (USB_HID_QUEUE_LEN - 1)
#define IDLE_UNIT_NS 4000000ull /* SET_IDLE counts 4 ms */
#define USAGE_ERROR_ROLLOVER 0x01
#define KBD_REPORT_LEN 8
#define REPORT_MAX 8

/* ------------------------------------------------------------ descriptors */

/*
 * Device descriptors: QEMU 7.2 hw/usb/dev-hid.c desc_device_{tablet,mouse,
 * keyboard} (full-speed sets). bcdUSB is 1.00 here; the core reports 2.00
 * because the devices have Microsoft OS descriptors.
 */
static const uint8_t tablet_device[18] = {
	0x12, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00,
	0x00, 0x00, 0x01, 0x03, 0x0a, 0x01,
};

static const uint8_t mouse_device[18] = {
	0x12, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00,
	0x00, 0x00, 0x01, 0x02, 0x09, 0x01,
};

static const uint8_t keyboard_device[18] = {
	0x12, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00,
	0x00, 0x00, 0x01, 0x04, 0x0b, 0x01,
};

/*
 * Configurations: configuration, interface, HID class and endpoint
 * descriptors (QEMU 7.2 dev-hid.c desc_iface_*). The high-speed sets
 * (usb_version 2) differ only in the endpoint's bInterval; a full-speed
 * device shows them as its other-speed configuration.
 */
#define CONFIG_LEN 34

static const uint8_t tablet_config[CONFIG_LEN] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x07, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00,
	0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x4a, 0x00, /* bcdHID 0x0001 (sic) */
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
};

static const uint8_t tablet_config_hs[CONFIG_LEN] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x07, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00,
	0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x4a, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x04,
};

static const uint8_t mouse_config[CONFIG_LEN] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x06, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x02, 0x00,
	0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x34, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x04, 0x00, 0x0a,
};

static const uint8_t mouse_config_hs[CONFIG_LEN] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x06, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x02, 0x00,
	0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x34, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x04, 0x00, 0x07,
};

static const uint8_t keyboard_config[CONFIG_LEN] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
	0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
};

static const uint8_t keyboard_config_hs[CONFIG_LEN] = {
	0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
	0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
	0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x07,
};

/* The high-speed set's device qualifier (QEMU 7.2 desc.c usb_desc_device_qualifier). */
static const uint8_t hid_qualifier[10] = {
	0x0a, 0x06, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00,
};

/* BOS with the USB 2.0 extension (LPM), present because a high-speed set exists. */
static const uint8_t hid_bos[12] = {
	0x05, 0x0f, 0x0c, 0x00, 0x01,
	0x07, 0x10, 0x02, 0x02, 0x00, 0x00, 0x00,
};

/* QEMU 7.2 hw/usb/dev-hid.c desc_strings. */
static const char *const hid_strings[] = {
	[1] = "QEMU",
	[2] = "QEMU USB Mouse",
	[3] = "QEMU USB Tablet",
	[4] = "QEMU USB Keyboard",
	[5] = "42",
	[6] = "HID Mouse",
	[7] = "HID Tablet",
	[8] = "HID Keyboard",
	[9] = "89126",
	[10] = "28754",
	[11] = "68284",
};

/* Report descriptors: QEMU 7.2 hw/usb/dev-hid.c qemu_tablet_hid_report_descriptor. */
static const uint8_t tablet_report_desc[74] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09,
	0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01,
	0x81, 0x02, 0x95, 0x01, 0x75, 0x05, 0x81, 0x01, 0x05, 0x01, 0x09, 0x30,
	0x09, 0x31, 0x15, 0x00, 0x26, 0xff, 0x7f, 0x35, 0x00, 0x46, 0xff, 0x7f,
	0x75, 0x10, 0x95, 0x02, 0x81, 0x02, 0x05, 0x01, 0x09, 0x38, 0x15, 0x81,
	0x25, 0x7f, 0x35, 0x00, 0x45, 0x00, 0x75, 0x08, 0x95, 0x01, 0x81, 0x06,
	0xc0, 0xc0,
};

/* QEMU 7.2 hw/usb/dev-hid.c qemu_mouse_hid_report_descriptor. */
static const uint8_t mouse_report_desc[52] = {
	0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09,
	0x19, 0x01, 0x29, 0x05, 0x15, 0x00, 0x25, 0x01, 0x95, 0x05, 0x75, 0x01,
	0x81, 0x02, 0x95, 0x01, 0x75, 0x03, 0x81, 0x01, 0x05, 0x01, 0x09, 0x30,
	0x09, 0x31, 0x09, 0x38, 0x15, 0x81, 0x25, 0x7f, 0x75, 0x08, 0x95, 0x03,
	0x81, 0x06, 0xc0, 0xc0,
};

/* QEMU 7.2 hw/usb/dev-hid.c qemu_keyboard_hid_report_descriptor ("25 ff" kept). */
static const uint8_t keyboard_report_desc[63] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x75, 0x01, 0x95, 0x08, 0x05, 0x07,
	0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01, 0x81, 0x02, 0x95, 0x01,
	0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01,
	0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
	0x75, 0x08, 0x15, 0x00, 0x25, 0xff, 0x05, 0x07, 0x19, 0x00, 0x29, 0xff,
	0x81, 0x00, 0xc0,
};

struct hid_kind_desc {
	const char *name;
	const uint8_t *device;
	const uint8_t *config;
	const uint8_t *config_hs;
	const uint8_t *report_desc;
	size_t report_desc_len;
};

static const struct hid_kind_desc kind_desc[] = {
	[USB_HID_TABLET] = { "usb-tablet", tablet_device, tablet_config, tablet_config_hs,
			     tablet_report_desc, sizeof(tablet_report_desc) },
	[USB_HID_MOUSE] = { "usb-mouse", mouse_device, mouse_config, mouse_config_hs,
			    mouse_report_desc, sizeof(mouse_report_desc) },
	[USB_HID_KEYBOARD] = { "usb-kbd", keyboard_device, keyboard_config, keyboard_config_hs,
			       keyboard_report_desc, sizeof(keyboard_report_desc) },
};

/*
 * PS/2 set-1 scan code to HID usage: QEMU 7.2 hw/input/hid.c hid_usage_keys.
 * Index = code & 0x7f, | 0x80 after an 0xe0 prefix. 0xe8 and 0xe9 stand for
 * the 0xe0 and 0xe1 prefixes themselves; 0 is ignored.
 */
static const uint8_t usage_of_scancode[256] = {
	[0x01] = 0x29, [0x02] = 0x1e, [0x03] = 0x1f, [0x04] = 0x20, [0x05] = 0x21,
	[0x06] = 0x22, [0x07] = 0x23, [0x08] = 0x24, [0x09] = 0x25, [0x0a] = 0x26,
	[0x0b] = 0x27, [0x0c] = 0x2d, [0x0d] = 0x2e, [0x0e] = 0x2a, [0x0f] = 0x2b,
	[0x10] = 0x14, [0x11] = 0x1a, [0x12] = 0x08, [0x13] = 0x15, [0x14] = 0x17,
	[0x15] = 0x1c, [0x16] = 0x18, [0x17] = 0x0c, [0x18] = 0x12, [0x19] = 0x13,
	[0x1a] = 0x2f, [0x1b] = 0x30, [0x1c] = 0x28, [0x1d] = 0xe0, [0x1e] = 0x04,
	[0x1f] = 0x16, [0x20] = 0x07, [0x21] = 0x09, [0x22] = 0x0a, [0x23] = 0x0b,
	[0x24] = 0x0d, [0x25] = 0x0e, [0x26] = 0x0f, [0x27] = 0x33, [0x28] = 0x34,
	[0x29] = 0x35, [0x2a] = 0xe1, [0x2b] = 0x31, [0x2c] = 0x1d, [0x2d] = 0x1b,
	[0x2e] = 0x06, [0x2f] = 0x19, [0x30] = 0x05, [0x31] = 0x11, [0x32] = 0x10,
	[0x33] = 0x36, [0x34] = 0x37, [0x35] = 0x38, [0x36] = 0xe5, [0x37] = 0x55,
	[0x38] = 0xe2, [0x39] = 0x2c, [0x3a] = 0x39, [0x3b] = 0x3a, [0x3c] = 0x3b,
	[0x3d] = 0x3c, [0x3e] = 0x3d, [0x3f] = 0x3e, [0x40] = 0x3f, [0x41] = 0x40,
	[0x42] = 0x41, [0x43] = 0x42, [0x44] = 0x43, [0x45] = 0x53, [0x46] = 0x47,
	[0x47] = 0x5f, [0x48] = 0x60, [0x49] = 0x61, [0x4a] = 0x56, [0x4b] = 0x5c,
	[0x4c] = 0x5d, [0x4d] = 0x5e, [0x4e] = 0x57, [0x4f] = 0x59, [0x50] = 0x5a,
	[0x51] = 0x5b, [0x52] = 0x62, [0x53] = 0x63, [0x54] = 0x46, [0x56] = 0x64,
	[0x57] = 0x44, [0x58] = 0x45, [0x59] = 0x68, [0x5a] = 0x69, [0x5b] = 0x6a,
	[0x5c] = 0x6b, [0x5d] = 0x6c, [0x5e] = 0x6d, [0x5f] = 0x6e, [0x60] = 0xe8,
	[0x61] = 0xe9, [0x62] = 0x71, [0x63] = 0x72, [0x64] = 0x73, [0x6b] = 0x85,
	[0x70] = 0x88, [0x73] = 0x87, [0x79] = 0x8a, [0x7b] = 0x8b, [0x7d] = 0x89,
	[0x7e] = 0xe7, [0x7f] = 0x65,
	/* After 0xe0. */
	[0x9c] = 0x58, [0x9d] = 0xe4, [0xa0] = 0x7f, [0xae] = 0x81, [0xb0] = 0x80,
	[0xb5] = 0x54, [0xb7] = 0x46, [0xb8] = 0xe6, [0xc5] = 0x48, [0xc6] = 0x48,
	[0xc7] = 0x4a, [0xc8] = 0x52, [0xc9] = 0x4b, [0xcb] = 0x50, [0xcd] = 0x4f,
	[0xcf] = 0x4d, [0xd0] = 0x51, [0xd1] = 0x4e, [0xd2] = 0x49, [0xd3] = 0x4c,
	[0xdb] = 0xe3, [0xdc] = 0xe7, [0xdd] = 0x65, [0xde] = 0x66,
};

/* ------------------------------------------------------------- idle timer */

static struct usb_hid *hid_of(struct usb_device *dev)
{
	return usb_hid_from_dev(dev);
}

/* Something to report: remote wake-up through the port, if the guest enabled it. */
static void notify(struct usb_hid *h)
{
	usb_device_wakeup(&h->dev);
}

static void idle_cancel(struct usb_hid *h)
{
	timer_cancel(&h->idle_timer);
	h->st.idle_armed = false;
	h->st.next_idle_ns = 0;
}

/* QEMU 7.2 hw/input/hid.c hid_set_next_idle: from now, or off when idle is 0. */
static void idle_rearm(struct usb_hid *h)
{
	if (!h->st.idle) {
		idle_cancel(h);
		return;
	}
	h->st.next_idle_ns = clock_now(h->clock) + h->st.idle * IDLE_UNIT_NS;
	h->st.idle_armed = true;
	timer_arm(&h->idle_timer, h->st.next_idle_ns);
}

static void idle_expired(void *opaque)
{
	struct usb_hid *h = opaque;

	h->st.idle_armed = false;
	h->st.idle_pending = true;
	notify(h);
}

static void pointer_activate(struct usb_hid *h)
{
	if (h->active)
		return;
	h->active = true;
	if (h->activated)
		h->activated(h->opaque);
}

static bool has_events(const struct usb_hid *h)
{
	return h->st.n > 0 || h->st.idle_pending;
}

/* ---------------------------------------------------------------- pointer */

static int32_t clamp127(int32_t v)
{
	return v < -127 ? -127 : v > 127 ? 127 : v;
}

/* The slot the next host events build (QEMU: head + n). */
static struct usb_hid_pointer_event *building_slot(struct usb_hid *h)
{
	return &h->st.queue[(h->st.head + h->st.n) & QUEUE_MASK];
}

/* Saturating add: a host cannot wrap an accumulated motion. */
static int32_t add_sat(int32_t a, int b)
{
	int64_t sum = (int64_t)a + b;

	return sum > INT32_MAX ? INT32_MAX : sum < INT32_MIN ? INT32_MIN : (int32_t)sum;
}

/*
 * The end of a host event batch (QEMU 7.2 hid.c hid_pointer_sync): merge into
 * the last committed event when the buttons did not change, else commit.
 */
static void pointer_sync(struct usb_hid *h)
{
	struct usb_hid_state *st = &h->st;
	struct usb_hid_pointer_event *prev, *curr, *next;

	/* Full: the building slot keeps the newest buttons and position. */
	if (st->n >= USB_HID_QUEUE_LEN - 1)
		return;
	prev = &st->queue[(st->head + st->n - 1) & QUEUE_MASK];
	curr = &st->queue[(st->head + st->n) & QUEUE_MASK];
	next = &st->queue[(st->head + st->n + 1) & QUEUE_MASK];

	if (st->n > 0 && curr->buttons == prev->buttons) {
		if (h->kind == USB_HID_MOUSE) {
			prev->xdx = add_sat(prev->xdx, curr->xdx);
			prev->ydy = add_sat(prev->ydy, curr->ydy);
			curr->xdx = 0;
			curr->ydy = 0;
		} else {
			prev->xdx = curr->xdx;
			prev->ydy = curr->ydy;
		}
		prev->dz = add_sat(prev->dz, curr->dz);
		curr->dz = 0;
		return;
	}
	if (h->kind == USB_HID_MOUSE) {
		next->xdx = 0;
		next->ydy = 0;
	} else {
		next->xdx = curr->xdx;
		next->ydy = curr->ydy;
	}
	next->dz = 0;
	next->buttons = curr->buttons;
	st->n++;
	notify(h);
}

void usb_hid_pointer_abs_wheel(struct usb_hid *h, int x, int y, int dz, unsigned int buttons)
{
	struct usb_hid_pointer_event *e;

	if (h->kind != USB_HID_TABLET)
		return;
	e = building_slot(h);
	e->xdx = x;
	e->ydy = y;
	e->dz = add_sat(e->dz, dz);
	e->buttons = (int32_t)(buttons & 0x1f);
	pointer_sync(h);
}

void usb_hid_pointer_abs(struct usb_hid *h, int x, int y, unsigned int buttons)
{
	usb_hid_pointer_abs_wheel(h, x, y, 0, buttons);
}

void usb_hid_pointer_rel(struct usb_hid *h, int dx, int dy, int dz, unsigned int buttons)
{
	struct usb_hid_pointer_event *e;

	if (h->kind != USB_HID_MOUSE)
		return;
	e = building_slot(h);
	e->xdx = add_sat(e->xdx, dx);
	e->ydy = add_sat(e->ydy, dy);
	e->dz = add_sat(e->dz, dz);
	e->buttons = (int32_t)(buttons & 0x1f);
	pointer_sync(h);
}

/*
 * One report (QEMU 7.2 hid.c hid_pointer_poll): the oldest event, or the
 * last one again with no relative motion when none is queued. An event
 * leaves the queue once its motion is all sent (±127 per report).
 */
static size_t pointer_poll(struct usb_hid *h, uint8_t *buf, size_t len)
{
	struct usb_hid_state *st = &h->st;
	struct usb_hid_pointer_event *e;
	uint8_t report[6];
	int32_t dx, dy, dz;
	size_t n;

	st->idle_pending = false;
	pointer_activate(h);
	e = &st->queue[(st->n ? st->head : st->head - 1) & QUEUE_MASK];

	if (h->kind == USB_HID_MOUSE) {
		dx = clamp127(e->xdx);
		dy = clamp127(e->ydy);
		e->xdx -= dx;
		e->ydy -= dy;
	} else {
		dx = e->xdx;
		dy = e->ydy;
	}
	dz = clamp127(e->dz);
	e->dz -= dz;
	if (st->n && !e->dz && (h->kind == USB_HID_TABLET || (!e->xdx && !e->ydy))) {
		st->head = (st->head + 1) & QUEUE_MASK;
		st->n--;
	}
	dz = -dz; /* QEMU inverts the wheel: up is positive */

	report[0] = (uint8_t)e->buttons;
	if (h->kind == USB_HID_MOUSE) {
		report[1] = (uint8_t)dx;
		report[2] = (uint8_t)dy;
		report[3] = (uint8_t)dz;
		n = 4;
	} else {
		report[1] = (uint8_t)dx;
		report[2] = (uint8_t)((uint32_t)dx >> 8);
		report[3] = (uint8_t)dy;
		report[4] = (uint8_t)((uint32_t)dy >> 8);
		report[5] = (uint8_t)dz;
		n = 6;
	}
	if (n > len)
		n = len;
	memcpy(buf, report, n);
	return n;
}

/* --------------------------------------------------------------- keyboard */

#define PS2_RELEASE 0x80
#define KEY_PAUSE 0xe046 /* QEMU's qnum 0xc6 is the Pause qcode */

void usb_hid_key(struct usb_hid *h, uint16_t code, bool down)
{
	struct usb_hid_state *st = &h->st;
	uint8_t release = down ? 0 : PS2_RELEASE;
	uint8_t scancodes[3];
	unsigned int count = 0, i;

	if (h->kind != USB_HID_KEYBOARD)
		return;
	/* QEMU 7.2 ui/input-keymap.c qemu_input_key_value_to_scancode. */
	if (code == KEY_PAUSE) {
		scancodes[count++] = 0xe1;
		scancodes[count++] = 0x1d | release;
		scancodes[count++] = 0x45 | release;
	} else if (((code & 0xff00) == 0xe000 || (code & 0xff00) == 0) && !(code & 0x80)) {
		if (code & 0xff00)
			scancodes[count++] = 0xe0;
		scancodes[count++] = (uint8_t)(code | release);
	} else {
		return;
	}
	/* All or nothing: a key event that does not fit is dropped whole. */
	if (st->n > USB_HID_QUEUE_LEN || st->n + count > USB_HID_QUEUE_LEN)
		return;
	for (i = 0; i < count; i++) {
		st->keycodes[(st->head + st->n) & QUEUE_MASK] = scancodes[i];
		st->n++;
	}
	notify(h);
}

static unsigned int keys_held(const struct usb_hid_state *st)
{
	if (st->keys < 0)
		return 0;
	return st->keys > USB_HID_MAX_KEYS ? USB_HID_MAX_KEYS : (unsigned int)st->keys;
}

/* Pop one scan code into the modifier and key state (QEMU 7.2 hid.c, same steps). */
static void keyboard_process_scancode(struct usb_hid *h)
{
	struct usb_hid_state *st = &h->st;
	unsigned int held = keys_held(st), i;
	uint32_t scancode;
	uint8_t index, usage;
	bool release;

	if (!st->n)
		return;
	scancode = st->keycodes[st->head & QUEUE_MASK];
	st->head = (st->head + 1) & QUEUE_MASK;
	st->n--;

	release = scancode & PS2_RELEASE;
	index = (uint8_t)((scancode & 0x7f) | (st->modifiers & USB_HID_MOD_E0 ? 0x80 : 0));
	usage = usage_of_scancode[index];
	st->modifiers &= (uint16_t)~USB_HID_MOD_E0;

	if (usage == 0)
		return;
	if (usage == 0xe8 || usage == 0xe9) {
		/* A prefix: bit 8 (0xe0) or 9 (0xe1) marks it for the next code. */
		st->modifiers |= (uint16_t)(1u << (usage & 0x0f));
		return;
	}
	if (usage == 0xe0 && (st->modifiers & USB_HID_MOD_E1)) {
		/* e1 1d: the Pause sequence; its next code reads the 0xe0 half. */
		st->modifiers ^= USB_HID_MOD_E0 | USB_HID_MOD_E1;
		return;
	}
	if (usage >= 0xe0 && usage <= 0xe7) {
		if (release)
			st->modifiers &= (uint16_t)~(1u << (usage & 0x07));
		else
			st->modifiers |= (uint16_t)(1u << (usage & 0x07));
		return;
	}

	for (i = held; i-- > 0;)
		if (st->key[i] == usage)
			break;
	if (release) {
		/* The last entry takes the released key's place: the order changes. */
		if (i == (unsigned int)-1)
			return;
		held--;
		st->key[i] = st->key[held];
		st->key[held] = 0;
		st->keys = (int32_t)held;
	} else if (i == (unsigned int)-1 && held < USB_HID_MAX_KEYS) {
		st->key[held++] = usage;
		st->keys = (int32_t)held;
	}
}

/* A boot-format report after at most one scan code (QEMU 7.2 hid.c hid_keyboard_poll). */
static size_t keyboard_poll(struct usb_hid *h, uint8_t *buf, size_t len)
{
	struct usb_hid_state *st = &h->st;
	uint8_t report[KBD_REPORT_LEN];

	st->idle_pending = false;
	if (len < 2)
		return 0;
	keyboard_process_scancode(h);
	report[0] = (uint8_t)st->modifiers;
	report[1] = 0;
	if (keys_held(st) > 6)
		memset(report + 2, USAGE_ERROR_ROLLOVER, 6);
	else
		memcpy(report + 2, st->key, 6);
	if (len > KBD_REPORT_LEN)
		len = KBD_REPORT_LEN;
	memcpy(buf, report, len);
	return len;
}

static size_t poll_report(struct usb_hid *h, uint8_t *buf, size_t len)
{
	if (h->kind == USB_HID_KEYBOARD)
		return keyboard_poll(h, buf, len);
	return pointer_poll(h, buf, len);
}

/* ------------------------------------------------------------- USB hooks */

/* QEMU 7.2 hw/input/hid.c hid_reset: the LEDs and the activation stay. */
static void hid_reset(struct usb_device *dev)
{
	struct usb_hid *h = hid_of(dev);
	struct usb_hid_state *st = &h->st;

	memset(st->queue, 0, sizeof(st->queue));
	memset(st->keycodes, 0, sizeof(st->keycodes));
	memset(st->key, 0, sizeof(st->key));
	st->keys = 0;
	st->modifiers = 0;
	st->head = 0;
	st->n = 0;
	st->protocol = 1;
	st->idle = 0;
	st->idle_pending = false;
	idle_cancel(h);
}

static void set_leds(struct usb_hid *h, uint8_t leds)
{
	h->st.leds = leds;
	if (h->set_leds)
		h->set_leds(h->opaque, leds & (USB_HID_LED_NUM | USB_HID_LED_CAPS |
					       USB_HID_LED_SCROLL));
}

/* Class requests (QEMU 7.2 hw/usb/dev-hid.c usb_hid_handle_control). */
static int hid_control(struct usb_device *dev, unsigned int request, uint16_t value,
		       uint16_t index, uint8_t *data, size_t len)
{
	struct usb_hid *h = hid_of(dev);
	const struct hid_kind_desc *kd = &kind_desc[h->kind];
	bool pointer = usb_hid_is_pointer(h);
	size_t n;

	(void)index; /* the interface and report ID are not checked */
	switch (request) {
	case HID_GET_DESCRIPTOR:
		if (value >> 8 != HID_DT_REPORT)
			return USB_STALL;
		n = kd->report_desc_len < len ? kd->report_desc_len : len;
		memcpy(data, kd->report_desc, n);
		return (int)n;
	case HID_GET_REPORT:
		/* A poll like the interrupt endpoint's: it consumes an event. */
		return (int)poll_report(h, data, len);
	case HID_SET_REPORT:
		if (h->kind != USB_HID_KEYBOARD)
			return USB_STALL;
		if (len > 0)
			set_leds(h, data[0]);
		return 0;
	case HID_GET_PROTOCOL:
		if (h->kind == USB_HID_TABLET)
			return USB_STALL;
		if (len < 1)
			return 0;
		data[0] = (uint8_t)h->st.protocol;
		return 1;
	case HID_SET_PROTOCOL:
		if (h->kind == USB_HID_TABLET)
			return USB_STALL;
		h->st.protocol = value;
		return 0;
	case HID_GET_IDLE:
		if (len < 1)
			return 0;
		data[0] = h->st.idle;
		return 1;
	case HID_SET_IDLE:
		h->st.idle = (uint8_t)(value >> 8);
		idle_rearm(h);
		if (pointer)
			pointer_activate(h);
		return 0;
	default:
		return USB_STALL;
	}
}

/* Endpoint 1 IN, the interrupt pipe (QEMU 7.2 dev-hid.c usb_hid_handle_data). */
static void hid_data(struct usb_device *dev, struct usb_packet *p)
{
	struct usb_hid *h = hid_of(dev);
	uint8_t report[REPORT_MAX];
	size_t room = p->len < sizeof(report) ? p->len : sizeof(report);

	if (p->pid != USB_TOKEN_IN || p->ep != 1) {
		p->status = USB_STALL;
		return;
	}
	if (usb_hid_is_pointer(h))
		pointer_activate(h);
	if (!has_events(h)) {
		p->status = USB_NAK;
		return;
	}
	idle_rearm(h);
	p->actual = poll_report(h, report, room);
	memcpy(p->data, report, p->actual);
	p->status = USB_OK;
}

static const struct usb_device_ops hid_ops = {
	.reset = hid_reset,
	.control = hid_control,
	.data = hid_data,
};

int usb_hid_init(struct usb_hid *h, const struct usb_hid_config *cfg, char *err, size_t errlen)
{
	const struct hid_kind_desc *kd;
	struct usb_device *dev = &h->dev;
	const char *prefix;
	int len;

	memset(h, 0, sizeof(*h));
	if ((unsigned int)cfg->kind > USB_HID_KEYBOARD) {
		snprintf(err, errlen, "usb-hid: unknown kind %d", (int)cfg->kind);
		return -1;
	}
	kd = &kind_desc[cfg->kind];
	if (!cfg->clock) {
		snprintf(err, errlen, "%s: no clock for the idle timer", kd->name);
		return -1;
	}
	h->kind = cfg->kind;
	h->clock = cfg->clock;
	h->opaque = cfg->opaque;
	h->activated = cfg->activated;
	h->set_leds = cfg->set_leds;
	timer_init(&h->idle_timer, cfg->clock, idle_expired, h);

	dev->ops = &hid_ops;
	dev->name = kd->name;
	dev->speed = USB_SPEED_FULL;
	dev->dev_desc = kd->device;
	dev->config_desc = kd->config;
	dev->config_len = CONFIG_LEN;
	dev->qualifier = hid_qualifier;
	dev->other_speed = kd->config_hs;
	dev->other_speed_len = CONFIG_LEN;
	dev->bos = hid_bos;
	dev->bos_len = sizeof(hid_bos);
	dev->strings = hid_strings;
	dev->nr_strings = sizeof(hid_strings) / sizeof(hid_strings[0]);
	dev->msos = true;
	dev->serial_index = kd->device[16];
	dev->state = USB_STATE_NOTATTACHED;

	/* QEMU 7.2 hw/usb/desc.c usb_desc_create_serial: the property, else prefix-path. */
	prefix = hid_strings[dev->serial_index];
	if (cfg->serial)
		len = snprintf(dev->serial, sizeof(dev->serial), "%s", cfg->serial);
	else if (cfg->path)
		len = snprintf(dev->serial, sizeof(dev->serial), "%s-%s", prefix, cfg->path);
	else
		len = snprintf(dev->serial, sizeof(dev->serial), "%s", prefix);
	if (len < 0 || (size_t)len >= sizeof(dev->serial)) {
		snprintf(err, errlen, "%s: serial number longer than %zu characters", kd->name,
			 sizeof(dev->serial) - 1);
		return -1;
	}

	h->st.protocol = 1;
	return 0;
}

void usb_hid_destroy(struct usb_hid *h)
{
	if (h->clock)
		timer_cancel(&h->idle_timer);
}

int usb_hid_post_load(struct usb_hid *h)
{
	struct usb_hid_state *st = &h->st;

	if (st->n > USB_HID_QUEUE_LEN || st->keys < 0 || st->keys > USB_HID_MAX_KEYS)
		return -1;
	st->head &= QUEUE_MASK;
	/* Neither is in the record: a loaded device has no repeat owed. */
	st->idle_pending = false;
	idle_rearm(h);
	if (usb_hid_is_pointer(h) && st->n == USB_HID_QUEUE_LEN) {
		/* An old stream's full queue: keep only the newest state (QEMU hid_post_load). */
		struct usb_hid_pointer_event last = st->queue[(st->head + st->n) & QUEUE_MASK];

		if (h->kind == USB_HID_MOUSE) {
			last.xdx = 0;
			last.ydy = 0;
		}
		st->queue[0] = last;
		st->head = 0;
		st->n = 1;
	}
	if (usb_hid_is_pointer(h) && h->dev.remote_wakeup)
		pointer_activate(h);
	return 0;
}

/* ------------------------------------------------------------ saved state */

void usb_hid_save_state(const struct usb_hid *h, struct usb_hid_saved *st)
{
	memset(st, 0, sizeof(*st));
	usb_device_save_state(&h->dev, &st->dev);
	st->hid = h->st;
}

int usb_hid_check_state(const struct usb_hid *h, const struct usb_hid_saved *st, char *err,
			size_t errlen)
{
	const struct usb_hid_state *hs = &st->hid;

	if (usb_device_check_state(&h->dev, &st->dev, err, errlen))
		return -1;
	if (st->dev.replug)
		return 0;
	if (hs->n > USB_HID_QUEUE_LEN) {
		snprintf(err, errlen, "%s: %u queued events of at most %u", h->dev.name, hs->n,
			 USB_HID_QUEUE_LEN);
		return -1;
	}
	if (hs->keys < 0 || hs->keys > USB_HID_MAX_KEYS) {
		snprintf(err, errlen, "%s: %d keys held of at most %u", h->dev.name, hs->keys,
			 USB_HID_MAX_KEYS);
		return -1;
	}
	if (hs->protocol != 0 && hs->protocol != 1) {
		snprintf(err, errlen, "%s: protocol %d is neither boot (0) nor report (1)", h->dev.name,
			 hs->protocol);
		return -1;
	}
	return 0;
}

void usb_hid_load_state(struct usb_hid *h, const struct usb_hid_saved *st)
{
	if (st->dev.replug) {
		/* A new device: empty queues, nothing held, and the port shows the plug. */
		hid_reset(&h->dev);
		usb_device_load_state(&h->dev, &st->dev);
		return;
	}
	usb_device_load_state(&h->dev, &st->dev);
	h->st = st->hid;
	if (st->idle_from_now) {
		usb_hid_post_load(h);
		return;
	}
	/* hvmdm's own record: the idle deadline on the restored clock, as it was. */
	h->st.head &= QUEUE_MASK;
	idle_cancel(h);
	if (st->hid.idle_armed && st->hid.idle) {
		h->st.idle_armed = true;
		h->st.next_idle_ns = st->hid.next_idle_ns;
		timer_arm(&h->idle_timer, h->st.next_idle_ns);
	}
	if (usb_hid_is_pointer(h) && h->dev.remote_wakeup)
		pointer_activate(h);
}

DEV_OPS_DESTROY(usb_hid_destroy, struct usb_hid)
DEV_OPS_SAVE(usb_hid_save_state, struct usb_hid, struct usb_hid_saved)
DEV_OPS_CHECK(usb_hid_check_state, struct usb_hid, struct usb_hid_saved)
DEV_OPS_LOAD(usb_hid_load_state, struct usb_hid, struct usb_hid_saved)

const struct dev_ops usb_ptr_ops = {
	.name = "usb-ptr",
	.record = "usb-ptr",
	.destroy = ops_destroy,
	.save = ops_save,
	.check = ops_check,
	.load = ops_load,
};

const struct dev_ops usb_kbd_ops = {
	.name = "usb-kbd",
	.record = "usb-kbd",
	.destroy = ops_destroy,
	.save = ops_save,
	.check = ops_check,
	.load = ops_load,
};
