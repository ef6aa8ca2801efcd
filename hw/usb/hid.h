/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * USB HID devices as QEMU 7.2 presents them to guests: usb-tablet (absolute
 * pointer), usb-mouse (relative, boot protocol) and usb-kbd (boot keyboard),
 * with QEMU's descriptors, report descriptors, report formats, event queues
 * (16 slots, coalescing, the idle timer) and its PS/2 set-1 to HID usage map
 * (hw/usb/dev-hid.c and hw/input/hid.c are the references).
 *
 * Host input comes in through usb_hid_pointer_*() and usb_hid_key(); which
 * device gets which event is the machine's routing (QEMU: the first handler
 * registered for the event's kind; a pointer device moves itself to the head
 * once the guest polls it, see usb_hid_active()).
 */
#ifndef HVMDM_USB_HID_H
#define HVMDM_USB_HID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/clock.h"
#include "hw/core/devreg.h"
#include "hw/usb/usb.h"

enum usb_hid_kind { USB_HID_TABLET, USB_HID_MOUSE, USB_HID_KEYBOARD };

#define USB_HID_QUEUE_LEN 16 /* QEMU's QUEUE_LENGTH, for both queues */
#define USB_HID_MAX_KEYS 16  /* keys held at once (more than 6 reports rollover) */

/* Pointer buttons, as QEMU's hid.c maps its input buttons to report bits. */
#define USB_HID_BUTTON_LEFT 0x01
#define USB_HID_BUTTON_RIGHT 0x02
#define USB_HID_BUTTON_MIDDLE 0x04
#define USB_HID_BUTTON_SIDE 0x08
#define USB_HID_BUTTON_EXTRA 0x10

/* Keyboard modifiers word: bits 0-7 the report's modifier byte, then the prefix flags. */
#define USB_HID_MOD_E0 0x100 /* an 0xe0 prefix was the last scan code */
#define USB_HID_MOD_E1 0x200 /* inside an 0xe1 (Pause) sequence */

/* Keyboard LED bits of SET_REPORT's byte (1-3 go to the host, 4-5 are stored). */
#define USB_HID_LED_NUM 0x01
#define USB_HID_LED_CAPS 0x02
#define USB_HID_LED_SCROLL 0x04

/* One pointer queue slot: QEMU's HIDPointerEvent. */
struct usb_hid_pointer_event {
	int32_t xdx, ydy; /* tablet: absolute 0..0x7fff; mouse: accumulated motion */
	int32_t dz;       /* wheel: > 0 toward the user (down); reported negated */
	int32_t buttons;  /* USB_HID_BUTTON_* */
};

/*
 * Everything QEMU's usb-ptr and usb-kbd records carry besides the USB device
 * part (spec §6.4, §6.5), plus the idle state QEMU does not save. A save
 * record copies these fields as they are; after a load, call
 * usb_hid_post_load(). Indexes are masked wherever they are used.
 */
struct usb_hid_state {
	/* Pointer kinds: slot (head + n) & 15 is the event being built. */
	struct usb_hid_pointer_event queue[USB_HID_QUEUE_LEN];
	/* Keyboard: queued PS/2 set-1 scan codes (one byte each, prefixes included). */
	uint32_t keycodes[USB_HID_QUEUE_LEN];
	uint16_t modifiers; /* USB_HID_MOD_*; low byte is the report's byte 0 */
	uint8_t leds;       /* last SET_REPORT byte */
	uint8_t key[USB_HID_MAX_KEYS]; /* usages held, in press order */
	int32_t keys;       /* entries used in key[] */
	/* Both. */
	uint32_t head;      /* oldest committed slot (used & 15) */
	uint32_t n;         /* committed events (pointer) or scan codes (keyboard) */
	int32_t protocol;   /* 1 report, 0 boot: stored only, reports do not change */
	uint8_t idle;       /* SET_IDLE rate in 4 ms units; 0 = only on change */
	/* Not in QEMU's records (a load re-arms the timer from now). */
	bool idle_pending;  /* the idle timer fired: the next IN repeats the state */
	bool idle_armed;
	uint64_t next_idle_ns; /* virtual-clock deadline while idle_armed */
};

struct usb_hid_config {
	enum usb_hid_kind kind;
	const char *serial;       /* NULL: generated "<prefix>-<path>" from .path */
	const char *path;         /* controller PCI path and port, e.g. "0000:00:01.2-1" */
	struct dm_clock *clock;   /* runs the SET_IDLE timer */
	/* Optional host hooks (NULL: none), called with opaque. */
	void *opaque;
	/* A pointer device was polled for the first time: route pointer events to it. */
	void (*activated)(void *opaque);
	/* The keyboard's LEDs changed (USB_HID_LED_NUM | _CAPS | _SCROLL). */
	void (*set_leds)(void *opaque, unsigned int leds);
};

struct usb_hid {
	struct usb_device dev; /* first: the core and controllers see only this */
	enum usb_hid_kind kind;
	struct usb_hid_state st;
	/* Runtime, not saved. */
	struct dm_clock *clock;
	struct dm_timer idle_timer;
	bool active; /* QEMU's mouse_grabbed: the guest has polled this pointer */
	void *opaque;
	void (*activated)(void *opaque);
	void (*set_leds)(void *opaque, unsigned int leds);
};

/*
 * A device, not attached to any port (state NOTATTACHED): the port owner
 * sets dev.port_ops/port_owner/port and calls usb_device_attach() and, on
 * the port reset, usb_device_reset(). Returns 0, or -1 with err filled.
 */
int usb_hid_init(struct usb_hid *h, const struct usb_hid_config *cfg, char *err, size_t errlen);
void usb_hid_destroy(struct usb_hid *h);

static inline struct usb_hid *usb_hid_from_dev(struct usb_device *dev)
{
	return (struct usb_hid *)dev;
}

/*
 * Host pointer input, one call per host event batch (QEMU's "sync"). The
 * buttons are the whole state held, USB_HID_BUTTON_* (QEMU: left 0x01,
 * right 0x02, middle 0x04, side 0x08, extra 0x10). dz is the wheel, > 0
 * toward the user (QEMU's WHEEL_DOWN), as ps2_mouse_move() takes it.
 * Absolute events are for the tablet (x, y already scaled to 0..0x7fff),
 * relative ones for the mouse; a device of the other kind ignores them.
 */
void usb_hid_pointer_abs(struct usb_hid *h, int x, int y, unsigned int buttons);
void usb_hid_pointer_abs_wheel(struct usb_hid *h, int x, int y, int dz, unsigned int buttons);
void usb_hid_pointer_rel(struct usb_hid *h, int dx, int dy, int dz, unsigned int buttons);

/*
 * A host key for the keyboard, as its PS/2 set-1 make code: 0x1e is A, and a
 * key sent with the 0xe0 prefix is 0xe000 | code (0xe048 Up, 0xe01d Right
 * Ctrl, 0xe035 keypad /). 0xe046 is Pause (QEMU's qnum 0xc6), queued as
 * QEMU queues it: e1 1d 45, released e1 9d c5. A qnum (0x80 | code for an
 * 0xe0 key) converts as (qnum & 0x80 ? 0xe000 : 0) | (qnum & 0x7f). Other
 * forms are ignored, as is every key on a pointer device.
 */
void usb_hid_key(struct usb_hid *h, uint16_t ps2_set1_code, bool down);

static inline bool usb_hid_is_pointer(const struct usb_hid *h)
{
	return h->kind != USB_HID_KEYBOARD;
}

static inline bool usb_hid_is_tablet(const struct usb_hid *h)
{
	return h->kind == USB_HID_TABLET;
}

/*
 * Whether host events of its kind should go to this device first: a pointer
 * once the guest has polled it (QEMU's activation), a keyboard always (QEMU
 * activates usb-kbd at creation, so it takes all keys from PS/2).
 */
static inline bool usb_hid_active(const struct usb_hid *h)
{
	return h->kind == USB_HID_KEYBOARD || h->active;
}

/* A HID device's whole saved state: the core part, then the class part. */
struct usb_hid_saved {
	struct usb_device_state dev;
	struct usb_hid_state hid;
	bool idle_from_now; /* set by a foreign decoder: QEMU keeps no idle deadline */
};

void usb_hid_save_state(const struct usb_hid *h, struct usb_hid_saved *st);
int usb_hid_check_state(const struct usb_hid *h, const struct usb_hid_saved *st, char *err,
			size_t errlen);
void usb_hid_load_state(struct usb_hid *h, const struct usb_hid_saved *st);

/*
 * The machine's view of a tablet or mouse (record usb-ptr) and of a
 * keyboard (usb-kbd): save, check, load, destroy. The UHCI or the hub
 * resets them (a port reset, a controller reset), not the machine.
 */
extern const struct dev_ops usb_ptr_ops;
extern const struct dev_ops usb_kbd_ops;

/*
 * After usb_hid_state (and the USB device part) were loaded: checks the
 * counts (-1 if a stream holds values QEMU could never have saved), applies
 * QEMU's fix-up of an old full pointer queue, re-arms the idle timer from
 * now and, for a pointer with remote wake-up enabled, activates it.
 */
int usb_hid_post_load(struct usb_hid *h);

#endif
