// SPDX-License-Identifier: GPL-2.0-only
/*
 * The USB device core and the HID devices, driven packet by packet as a
 * controller would: enumeration and the control pipe's stages, descriptor
 * bytes as QEMU 7.2 returns them (docs: the USB behaviour spec §4, §5),
 * reports, queues, the idle timer and remote wake-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hw/core/clock.h"
#include "hw/core/log.h"
#include "hw/usb/hid.h"
#include "hw/usb/usb.h"

#define MS 1000000ull

static uint64_t fake_now;

static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return fake_now;
}

static void quiet_write(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink quiet_sink = { .write = quiet_write };

struct fixture {
	struct dm_clock clock;
	struct usb_hid h;
	unsigned int wakeups;
	unsigned int wakeup_port;
	unsigned int activations;
	unsigned int leds, led_calls;
};

static void on_wakeup(void *owner, unsigned int port)
{
	struct fixture *f = owner;

	f->wakeups++;
	f->wakeup_port = port;
}

static const struct usb_port_ops port_ops = { .wakeup = on_wakeup };

static void on_activated(void *opaque)
{
	((struct fixture *)opaque)->activations++;
}

static void on_leds(void *opaque, unsigned int leds)
{
	struct fixture *f = opaque;

	f->leds = leds;
	f->led_calls++;
}

/* A device on port 1 of a controller, attached and reset: state DEFAULT, address 0. */
static struct fixture *make(enum usb_hid_kind kind, const char *serial, const char *path)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct usb_hid_config cfg = {
		.kind = kind, .serial = serial, .path = path, .opaque = NULL,
		.activated = on_activated, .set_leds = on_leds,
	};
	char err[128];

	assert_non_null(f);
	log_set_sink(&quiet_sink);
	fake_now = 5000 * MS;
	clock_init(&f->clock, fake_clock, NULL);
	cfg.clock = &f->clock;
	cfg.opaque = f;
	if (usb_hid_init(&f->h, &cfg, err, sizeof(err)))
		fail_msg("usb_hid_init: %s", err);
	f->h.dev.port_ops = &port_ops;
	f->h.dev.port_owner = f;
	f->h.dev.port = 1;
	usb_device_attach(&f->h.dev);
	usb_device_reset(&f->h.dev);
	assert_int_equal(f->h.dev.state, USB_STATE_DEFAULT);
	return f;
}

static void destroy(struct fixture *f)
{
	usb_hid_destroy(&f->h);
	free(f);
	log_set_sink(NULL);
}

/* ------------------------------------------------------------- packets */

static int packet(struct usb_device *dev, uint8_t pid, uint8_t ep, uint8_t *data, size_t len,
		  size_t *actual)
{
	struct usb_packet p = { .pid = pid, .ep = ep, .data = data, .len = len };

	usb_handle_packet(dev, &p);
	if (actual)
		*actual = p.actual;
	return p.status;
}

static int setup(struct usb_device *dev, uint8_t type, uint8_t req, uint16_t value,
		 uint16_t index, uint16_t length)
{
	uint8_t s[8] = { type, req, value & 0xff, value >> 8, index & 0xff, index >> 8,
			 length & 0xff, length >> 8 };
	size_t actual = 0;
	int st = packet(dev, USB_TOKEN_SETUP, 0, s, 8, &actual);

	if (st == USB_OK)
		assert_int_equal(actual, 8);
	return st;
}

/*
 * An IN control transfer with 8-byte data packets and the status OUT:
 * the byte count, or the failing stage's status as a negative number.
 */
static int control_read(struct usb_device *dev, uint8_t type, uint8_t req, uint16_t value,
			uint16_t index, uint16_t length, uint8_t *out)
{
	size_t got = 0, actual;
	int st;

	st = setup(dev, type, req, value, index, length);
	if (st != USB_OK)
		return st;
	for (;;) {
		uint8_t pkt[8];

		st = packet(dev, USB_TOKEN_IN, 0, pkt, sizeof(pkt), &actual);
		if (st != USB_OK)
			return st;
		assert_true(got + actual <= length);
		memcpy(out + got, pkt, actual);
		got += actual;
		if (actual < sizeof(pkt) || got == length)
			break;
	}
	st = packet(dev, USB_TOKEN_OUT, 0, NULL, 0, NULL);
	if (st != USB_OK)
		return st;
	return (int)got;
}

/* An OUT control transfer: 0 on success, else the failing stage's status. */
static int control_write(struct usb_device *dev, uint8_t type, uint8_t req, uint16_t value,
			 uint16_t index, const uint8_t *data, uint16_t length)
{
	size_t off = 0, actual;
	uint8_t buf[8];
	int st;

	st = setup(dev, type, req, value, index, length);
	if (st != USB_OK)
		return st;
	while (off < length) {
		size_t n = length - off < 8 ? length - off : 8;

		memcpy(buf, data + off, n);
		st = packet(dev, USB_TOKEN_OUT, 0, buf, n, &actual);
		if (st != USB_OK)
			return st;
		assert_int_equal(actual, n);
		off += n;
	}
	st = packet(dev, USB_TOKEN_IN, 0, buf, 8, &actual);
	if (st != USB_OK)
		return st;
	assert_int_equal(actual, 0);
	return 0;
}

static int interrupt_in(struct usb_hid *h, uint8_t *buf, size_t len, size_t *actual)
{
	return packet(&h->dev, USB_TOKEN_IN, 1, buf, len, actual);
}

/* The next interrupt report; fails unless there is one of exactly `len` bytes. */
static void expect_report(struct usb_hid *h, const uint8_t *want, size_t len)
{
	uint8_t buf[8];
	size_t actual = 0;

	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(interrupt_in(h, buf, sizeof(buf), &actual), USB_OK);
	assert_int_equal(actual, len);
	assert_memory_equal(buf, want, len);
}

static void expect_nak(struct usb_hid *h)
{
	uint8_t buf[8];
	size_t actual = 99;

	assert_int_equal(interrupt_in(h, buf, sizeof(buf), &actual), USB_NAK);
	assert_int_equal(actual, 0);
}

#define REPORT(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static size_t utf16(const char *s, uint8_t *out)
{
	size_t i, n = strlen(s);

	out[0] = (uint8_t)(2 + 2 * n);
	out[1] = 3;
	for (i = 0; i < n; i++) {
		out[2 + 2 * i] = (uint8_t)s[i];
		out[3 + 2 * i] = 0;
	}
	return 2 + 2 * n;
}

static void check_string(struct usb_device *dev, uint8_t index, const char *s)
{
	uint8_t want[256], got[256];
	size_t n = utf16(s, want);

	assert_int_equal(control_read(dev, 0x80, 6, 0x0300 | index, 0x0409, 255, got), (int)n);
	assert_memory_equal(got, want, n);
}

/* ----------------------------------------------------------- enumeration */

/* What each kind reads back (spec §4.5, §5.1: QEMU 7.2 run dumps; bcdUSB 2.00 on the wire). */
struct expected {
	enum usb_hid_kind kind;
	uint8_t device[18];
	uint8_t config[34];
	uint8_t hs_endpoint_interval;
	uint8_t product_index;
	const char *product;
	uint8_t serial_index;
	const char *report_hex;
	size_t report_len;
};

static const struct expected tablet_exp = {
	USB_HID_TABLET,
	{ 0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00, 0x00, 0x00,
	  0x01, 0x03, 0x0a, 0x01 },
	{ 0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x07, 0xa0, 0x32,
	  0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00,
	  0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x4a, 0x00,
	  0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a },
	0x04, 3, "QEMU USB Tablet", 10,
	"05010902a1010901a10005091901290315002501950375018102950175058101050109300931150026ff7f"
	"350046ff7f751095028102050109381581257f35004500750895018106c0c0", 74,
};

static const struct expected mouse_exp = {
	USB_HID_MOUSE,
	{ 0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00, 0x00, 0x00,
	  0x01, 0x02, 0x09, 0x01 },
	{ 0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x06, 0xa0, 0x32,
	  0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x02, 0x00,
	  0x09, 0x21, 0x01, 0x00, 0x00, 0x01, 0x22, 0x34, 0x00,
	  0x07, 0x05, 0x81, 0x03, 0x04, 0x00, 0x0a },
	0x07, 2, "QEMU USB Mouse", 9,
	"05010902a1010901a1000509190129051500250195057501810295017503810105010930093109381581"
	"257f750895038106c0c0", 52,
};

static const struct expected keyboard_exp = {
	USB_HID_KEYBOARD,
	{ 0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00, 0x00, 0x00,
	  0x01, 0x04, 0x0b, 0x01 },
	{ 0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x08, 0xa0, 0x32,
	  0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
	  0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
	  0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a },
	0x07, 4, "QEMU USB Keyboard", 11,
	"05010906a10175019508050719e029e7150025018102950175088101950575010508190129059102950175"
	"03910195067508150025ff0507190029ff8100c0", 63,
};

static size_t from_hex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &byte) == 1) {
		out[n++] = (uint8_t)byte;
		hex += 2;
	}
	return n;
}

static const uint8_t msos_compat[40] = {
	0x28, 0, 0, 0, 0x00, 0x01, 0x04, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0,
	0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static void build_msos_props(uint8_t *p)
{
	static const char name[] = "SelectiveSuspendEnabled";
	static const uint8_t head[] = { 0x52, 0, 0, 0, 0x00, 0x01, 0x05, 0x00, 0x01, 0x00,
					0x48, 0, 0, 0, 0x04, 0, 0, 0, 0x30, 0x00 };
	size_t i;

	memset(p, 0, 82);
	memcpy(p, head, sizeof(head));
	for (i = 0; i < sizeof(name); i++)
		p[20 + 2 * i] = (uint8_t)name[i];
	p[68] = 4;
	p[72] = 1;
	/* 76..81: the six zero bytes QEMU's size mistake leaves. */
}

static void enumerate(const struct expected *e)
{
	struct fixture *f = make(e->kind, "42", "0000:00:01.2-1");
	struct usb_device *dev = &f->h.dev;
	uint8_t buf[512], want[512];
	size_t n;

	/* Device descriptor: the first 8 bytes (bMaxPacketSize0), then all 18. */
	assert_int_equal(control_read(dev, 0x80, 6, 0x0100, 0, 8, buf), 8);
	assert_memory_equal(buf, e->device, 8);
	assert_int_equal(control_read(dev, 0x80, 6, 0x0100, 0, 64, buf), 18);
	assert_memory_equal(buf, e->device, 18);

	/* SET_ADDRESS applies after the status stage, which still goes to address 0. */
	assert_int_equal(setup(dev, 0x00, 5, 5, 0, 0), USB_OK);
	assert_int_equal(dev->addr, 0);
	assert_ptr_equal(usb_find_device(dev, 0), dev);
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 8, &n), USB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(dev->addr, 5);
	assert_ptr_equal(usb_find_device(dev, 5), dev);
	assert_null(usb_find_device(dev, 0));

	/* Configuration: 9 bytes for wTotalLength, then the whole set. */
	assert_int_equal(control_read(dev, 0x80, 6, 0x0200, 0, 9, buf), 9);
	assert_memory_equal(buf, e->config, 9);
	assert_int_equal(buf[2], 34);
	assert_int_equal(control_read(dev, 0x80, 6, 0x0200, 0, 255, buf), 34);
	assert_memory_equal(buf, e->config, 34);
	/* Only one configuration. */
	assert_int_equal(setup(dev, 0x80, 6, 0x0201, 0, 255), USB_STALL);

	/* Strings. */
	assert_int_equal(control_read(dev, 0x80, 6, 0x0300, 0, 255, buf), 4);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x04, 0x03, 0x09, 0x04 }), 4);
	check_string(dev, 1, "QEMU");
	check_string(dev, e->product_index, e->product);
	check_string(dev, e->serial_index, "42");
	assert_int_equal(control_read(dev, 0x80, 6, 0x0300 | e->serial_index, 0x409, 255, buf), 6);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x06, 0x03, 0x34, 0x00, 0x32, 0x00 }), 6);
	check_string(dev, 0xee, "MSFT100Q");
	/* A string that does not exist: a 0-byte data stage, not a stall. */
	assert_int_equal(control_read(dev, 0x80, 6, 0x0320, 0x409, 255, buf), 0);
	assert_int_equal(control_read(dev, 0x80, 6, 0x03ff, 0x409, 255, buf), 0);
	/* wLength cuts a string. */
	assert_int_equal(control_read(dev, 0x80, 6, 0x0301, 0x409, 2, buf), 2);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x0a, 0x03 }), 2);

	/* The high-speed set seen from full speed: qualifier and other-speed config; BOS. */
	assert_int_equal(control_read(dev, 0x80, 6, 0x0600, 0, 255, buf), 10);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x0a, 0x06, 0x00, 0x02, 0x00, 0x00, 0x00,
						      0x40, 0x01, 0x00 }), 10);
	memcpy(want, e->config, 34);
	want[1] = 0x07;
	want[33] = e->hs_endpoint_interval;
	assert_int_equal(control_read(dev, 0x80, 6, 0x0700, 0, 255, buf), 34);
	assert_memory_equal(buf, want, 34);
	assert_int_equal(control_read(dev, 0x80, 6, 0x0f00, 0, 255, buf), 12);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x05, 0x0f, 0x0c, 0x00, 0x01, 0x07, 0x10,
						      0x02, 0x02, 0x00, 0x00, 0x00 }), 12);
	/* DEBUG descriptor: stalls. */
	assert_int_equal(setup(dev, 0x80, 6, 0x0a00, 0, 255), USB_STALL);

	/* Microsoft OS descriptors: compat ID, extended properties, to device or interface. */
	assert_int_equal(control_read(dev, 0xc0, 0x51, 0, 4, 255, buf), 40);
	assert_memory_equal(buf, msos_compat, 40);
	build_msos_props(want);
	assert_int_equal(control_read(dev, 0xc1, 0x51, 0, 5, 255, buf), 82);
	assert_memory_equal(buf, want, 82);
	assert_int_equal(control_read(dev, 0xc0, 0x51, 0, 5, 10, buf), 10);
	assert_memory_equal(buf, want, 10);
	assert_int_equal(control_read(dev, 0xc0, 0x51, 0, 6, 255, buf), 0);

	/* Interface state needs a configuration. */
	assert_int_equal(setup(dev, 0x81, 0x0a, 0, 0, 1), USB_STALL);
	assert_int_equal(control_write(dev, 0x01, 0x0b, 0, 0, NULL, 0), USB_STALL);

	/* Configuration; any other value also succeeds and changes nothing. */
	assert_int_equal(control_read(dev, 0x80, 8, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(control_write(dev, 0x00, 9, 1, 0, NULL, 0), 0);
	assert_int_equal(control_read(dev, 0x80, 8, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 1);
	assert_int_equal(control_write(dev, 0x00, 9, 7, 0, NULL, 0), 0);
	assert_int_equal(control_read(dev, 0x80, 8, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 1);

	/* GET_INTERFACE: alternate 0 of interface 0, nothing else. SET_INTERFACE(0, 0). */
	assert_int_equal(control_read(dev, 0x81, 0x0a, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(setup(dev, 0x81, 0x0a, 0, 1, 1), USB_STALL);
	assert_int_equal(control_write(dev, 0x01, 0x0b, 0, 0, NULL, 0), 0);
	assert_int_equal(control_write(dev, 0x01, 0x0b, 1, 0, NULL, 0), USB_STALL);

	/* GET_STATUS: bus-powered; remote wake-up follows SET/CLEAR_FEATURE. */
	assert_int_equal(control_read(dev, 0x80, 0, 0, 0, 2, buf), 2);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x00, 0x00 }), 2);
	assert_int_equal(control_write(dev, 0x00, 3, 1, 0, NULL, 0), 0);
	assert_int_equal(control_read(dev, 0x80, 0, 0, 0, 2, buf), 2);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x02, 0x00 }), 2);
	assert_true(dev->remote_wakeup);
	assert_int_equal(control_write(dev, 0x00, 1, 1, 0, NULL, 0), 0);
	assert_int_equal(control_read(dev, 0x80, 0, 0, 0, 2, buf), 2);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x00, 0x00 }), 2);
	/* Other device features are refused at the status stage. */
	assert_int_equal(control_write(dev, 0x00, 3, 2, 0, NULL, 0), USB_STALL);

	/* The HID report descriptor, to the interface. */
	n = from_hex(e->report_hex, want);
	assert_int_equal(n, e->report_len);
	assert_int_equal(control_read(dev, 0x81, 6, 0x2200, 0, 255, buf), (int)n);
	assert_memory_equal(buf, want, n);
	/* Its length is what the HID class descriptor announced. */
	assert_int_equal(e->config[25], n);
	/* The HID class descriptor itself (0x21) and type 0x23 stall. */
	assert_int_equal(setup(dev, 0x81, 6, 0x2100, 0, 255), USB_STALL);
	assert_int_equal(setup(dev, 0x81, 6, 0x2300, 0, 255), USB_STALL);
	/* Report descriptor asked of the device, not the interface: stalls. */
	assert_int_equal(setup(dev, 0x80, 6, 0x2200, 0, 255), USB_STALL);

	destroy(f);
}

static void test_enumerate_tablet(void **state)
{
	(void)state;
	enumerate(&tablet_exp);
}

static void test_enumerate_mouse(void **state)
{
	(void)state;
	enumerate(&mouse_exp);
}

static void test_enumerate_keyboard(void **state)
{
	(void)state;
	enumerate(&keyboard_exp);
}

static void test_generated_serial(void **state)
{
	struct fixture *f = make(USB_HID_TABLET, NULL, "0000:00:01.2-1");
	struct usb_hid_config cfg = { .kind = USB_HID_KEYBOARD, .path = "0000:00:01.2-2.1" };
	struct usb_hid kbd;
	char err[128];

	(void)state;
	check_string(&f->h.dev, 10, "28754-0000:00:01.2-1");
	/* The other kinds' prefixes stay readable. */
	check_string(&f->h.dev, 9, "89126");
	check_string(&f->h.dev, 11, "68284");
	check_string(&f->h.dev, 5, "42");

	cfg.clock = &f->clock;
	assert_int_equal(usb_hid_init(&kbd, &cfg, err, sizeof(err)), 0);
	assert_string_equal(kbd.dev.serial, "68284-0000:00:01.2-2.1");
	assert_int_equal(kbd.dev.serial_index, 11);
	usb_hid_destroy(&kbd);

	/* A serial that does not fit, and no clock: refused. */
	cfg.serial = "0123456789012345678901234567890123456789012345678901234567890123456789";
	assert_int_equal(usb_hid_init(&kbd, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "serial"));
	cfg.serial = NULL;
	cfg.clock = NULL;
	assert_int_equal(usb_hid_init(&kbd, &cfg, err, sizeof(err)), -1);
	destroy(f);
}

/* --------------------------------------------------------- control pipe */

static void test_control_pipe(void **state)
{
	struct fixture *f = make(USB_HID_MOUSE, "42", NULL);
	struct usb_device *dev = &f->h.dev;
	uint8_t buf[4200];
	size_t n;

	(void)state;
	/* A refused IN request stalls the SETUP itself. */
	assert_int_equal(setup(dev, 0x82, 0, 0, 0x81, 2), USB_STALL);   /* GET_STATUS endpoint */
	assert_int_equal(setup(dev, 0x81, 0, 0, 0, 2), USB_STALL);      /* GET_STATUS interface */
	/* The stage was left as it was: an IN now still stalls (IDLE). */
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 8, &n), USB_STALL);

	/* A refused OUT request: SETUP fine, the status stage stalls. */
	assert_int_equal(setup(dev, 0x02, 1, 0, 0x81, 0), USB_OK);     /* CLEAR_FEATURE(HALT) */
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 8, &n), USB_STALL);
	assert_int_equal(dev->setup_state, USB_SETUP_IDLE);
	/* SET_DESCRIPTOR, with a data stage. */
	assert_int_equal(control_write(dev, 0x00, 7, 0x0100, 0, buf, 18), USB_STALL);

	/* A status OUT before all the IN data was read stalls (Windows' first read). */
	assert_int_equal(setup(dev, 0x80, 6, 0x0100, 0, 64), USB_OK);
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 8, &n), USB_OK);
	assert_int_equal(n, 8);
	assert_int_equal(packet(dev, USB_TOKEN_OUT, 0, NULL, 0, NULL), USB_STALL);
	assert_int_equal(dev->setup_state, USB_SETUP_IDLE);

	/* After the data, an extra IN is a 0-byte success; the OUT then ends it. */
	assert_int_equal(setup(dev, 0x80, 6, 0x0100, 0, 18), USB_OK);
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 64, &n), USB_OK);
	assert_int_equal(n, 18);
	assert_int_equal(dev->setup_state, USB_SETUP_ACK);
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 64, &n), USB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(packet(dev, USB_TOKEN_OUT, 0, NULL, 0, NULL), USB_OK);
	assert_int_equal(dev->setup_state, USB_SETUP_IDLE);
	assert_int_equal(packet(dev, USB_TOKEN_OUT, 0, NULL, 0, NULL), USB_STALL);

	/* An OUT data stage: an IN before its data is complete stalls. */
	assert_int_equal(setup(dev, 0x21, 0x09, 0x0200, 0, 4), USB_OK);
	assert_int_equal(packet(dev, USB_TOKEN_OUT, 0, buf, 2, &n), USB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 8, &n), USB_STALL);

	/* wLength beyond 4096 stalls; 4096 itself is fine. The SETUP must be 8 bytes. */
	assert_int_equal(setup(dev, 0x80, 6, 0x0100, 0, 4097), USB_STALL);
	assert_int_equal(setup(dev, 0x80, 6, 0x0100, 0, 0xffff), USB_STALL);
	assert_int_equal(control_read(dev, 0x80, 6, 0x0100, 0, 4096, buf), 18);
	assert_int_equal(packet(dev, USB_TOKEN_SETUP, 0, buf, 7, &n), USB_STALL);
	assert_int_equal(packet(dev, USB_TOKEN_SETUP, 0, buf, 9, &n), USB_STALL);
	/* An OUT request with a 4096-byte data stage, in big packets, is bounded. */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(setup(dev, 0x21, 0x09, 0x0200, 0, 4096), USB_OK);
	assert_int_equal(packet(dev, USB_TOKEN_OUT, 0, buf, 4200, &n), USB_OK);
	assert_int_equal(n, 4096);
	/* The mouse has no SET_REPORT: refused at the status stage. */
	assert_int_equal(packet(dev, USB_TOKEN_IN, 0, buf, 8, &n), USB_STALL);

	/* Endpoints other than 0 and 1, and OUT to 1, stall; SETUP to 1 too. */
	assert_int_equal(packet(dev, USB_TOKEN_IN, 2, buf, 8, &n), USB_STALL);
	assert_int_equal(packet(dev, USB_TOKEN_OUT, 1, buf, 8, &n), USB_STALL);
	assert_int_equal(packet(dev, USB_TOKEN_SETUP, 1, buf, 8, &n), USB_STALL);

	/* Port reset: address 0 and remote wake-up off, the configuration stays. */
	assert_int_equal(control_write(dev, 0x00, 9, 1, 0, NULL, 0), 0);
	assert_int_equal(control_write(dev, 0x00, 3, 1, 0, NULL, 0), 0);
	assert_int_equal(control_write(dev, 0x00, 5, 9, 0, NULL, 0), 0);
	assert_int_equal(dev->addr, 9);
	usb_device_reset(dev);
	assert_int_equal(dev->addr, 0);
	assert_false(dev->remote_wakeup);
	assert_int_equal(dev->configuration, 1);
	/* Attach (controller reset): unconfigured, and silent until reset. */
	usb_device_attach(dev);
	assert_int_equal(dev->state, USB_STATE_ATTACHED);
	assert_int_equal(dev->configuration, 0);
	assert_null(usb_find_device(dev, 0));
	assert_int_equal(setup(dev, 0x80, 6, 0x0100, 0, 18), USB_NODEV);
	assert_int_equal(packet(dev, USB_TOKEN_IN, 1, buf, 8, &n), USB_NODEV);
	usb_device_reset(dev);
	assert_ptr_equal(usb_find_device(dev, 0), dev);
	/* Detached: a reset does nothing. */
	usb_device_detach(dev);
	assert_int_equal(dev->state, USB_STATE_NOTATTACHED);
	usb_device_reset(dev);
	assert_int_equal(dev->state, USB_STATE_NOTATTACHED);
	assert_null(usb_find_device(dev, 0));
	destroy(f);
}

/* Anything a guest can put in SETUP/IN/OUT packets: no crash, no out-of-range access. */
static void test_control_pipe_random(void **state)
{
	static const enum usb_hid_kind kinds[] = {
		USB_HID_TABLET, USB_HID_MOUSE, USB_HID_KEYBOARD,
	};
	uint32_t seed = 12345;
	unsigned int k, i;

	(void)state;
	for (k = 0; k < 3; k++) {
		struct fixture *f = make(kinds[k], NULL, "0000:00:01.2-1");
		uint8_t buf[64];

		for (i = 0; i < 20000; i++) {
			unsigned int j;
			size_t len;
			uint8_t pid;

			for (j = 0; j < sizeof(buf); j++) {
				seed = seed * 1103515245u + 12345u;
				buf[j] = (uint8_t)(seed >> 16);
			}
			/* Keep bRequest mostly on the known ones. */
			if (buf[40] & 1)
				buf[1] &= 0x0f;
			if (buf[41] & 1)
				buf[0] = (uint8_t)((buf[0] & 0xe3));
			len = buf[42] % 66;
			pid = (buf[43] % 3 == 0) ? USB_TOKEN_SETUP
				: (buf[43] % 3 == 1) ? USB_TOKEN_IN : USB_TOKEN_OUT;
			if (pid == USB_TOKEN_SETUP && (buf[44] & 3))
				len = 8;
			packet(&f->h.dev, pid, buf[45] & 1 ? 0 : buf[46] & 0x0f, buf,
			       len > sizeof(buf) ? sizeof(buf) : len, NULL);
			if ((i & 255) == 0)
				usb_hid_pointer_rel(&f->h, buf[47] - 128, buf[48] - 128, 0,
						    buf[49]);
			if ((i & 127) == 0)
				usb_hid_key(&f->h, buf[50] & 1 ? 0xe000 | (buf[51] & 0x7f)
							    : buf[51] & 0x7f, buf[52] & 1);
			if ((i & 1023) == 0) {
				fake_now += 50 * MS;
				clock_run_timers(&f->clock);
			}
			assert_true(f->h.st.n <= USB_HID_QUEUE_LEN);
			assert_true(f->h.st.keys >= 0 && f->h.st.keys <= USB_HID_MAX_KEYS);
			assert_true(f->h.dev.setup_len <= USB_CTRL_BUF);
		}
		destroy(f);
	}
}

/* ----------------------------------------------------------------- HID */

static void test_tablet_reports(void **state)
{
	struct fixture *f = make(USB_HID_TABLET, "42", NULL);
	struct usb_hid *h = &f->h;
	uint8_t buf[8];
	size_t n;

	(void)state;
	assert_false(usb_hid_active(h));
	expect_nak(h);
	/* The first poll activates the pointer, once. */
	assert_true(usb_hid_active(h));
	assert_int_equal(f->activations, 1);

	usb_hid_pointer_abs(h, 16384, 8192, 0);
	expect_report(h, REPORT(0x00, 0x00, 0x40, 0x00, 0x20, 0x00));
	expect_nak(h);

	/* Same buttons: the second move replaces the first (one report). */
	usb_hid_pointer_abs(h, 100, 200, 0);
	usb_hid_pointer_abs(h, 0x7fff, 0x1234, 0);
	expect_report(h, REPORT(0x00, 0xff, 0x7f, 0x34, 0x12, 0x00));
	expect_nak(h);

	/* A button change commits a new event: press and release are both seen. */
	usb_hid_pointer_abs(h, 10, 20, USB_HID_BUTTON_LEFT);
	usb_hid_pointer_abs(h, 10, 20, 0);
	usb_hid_pointer_abs(h, 30, 40, 0);
	expect_report(h, REPORT(0x01, 10, 0, 20, 0, 0));
	expect_report(h, REPORT(0x00, 30, 0, 40, 0, 0));
	expect_nak(h);

	/* QEMU's run: button down, wheel up, then nothing: one report, wheel +1. */
	usb_hid_pointer_abs(h, 16384, 8192, USB_HID_BUTTON_LEFT);
	usb_hid_pointer_abs_wheel(h, 16384, 8192, -1, USB_HID_BUTTON_LEFT);
	usb_hid_pointer_abs(h, 16384, 8192, USB_HID_BUTTON_LEFT);
	expect_report(h, REPORT(0x01, 0x00, 0x40, 0x00, 0x20, 0x01));
	expect_nak(h);
	/* A big wheel turn is split at 127 (down is negative in the report). */
	usb_hid_pointer_abs_wheel(h, 16384, 8192, 200, 0);
	expect_report(h, REPORT(0x00, 0x00, 0x40, 0x00, 0x20, 0x81));
	expect_report(h, REPORT(0x00, 0x00, 0x40, 0x00, 0x20, (uint8_t)-73));
	expect_nak(h);

	/* A short packet cuts the report. */
	usb_hid_pointer_abs(h, 1, 2, USB_HID_BUTTON_RIGHT);
	assert_int_equal(interrupt_in(h, buf, 3, &n), USB_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x02, 0x01, 0x00 }), 3);

	/* Relative events and keys are not the tablet's. */
	usb_hid_pointer_rel(h, 5, 5, 0, 1);
	usb_hid_key(h, 0x1e, true);
	expect_nak(h);

	/* The tablet stalls GET/SET_PROTOCOL and SET_REPORT. */
	assert_int_equal(setup(&h->dev, 0xa1, 0x03, 0, 0, 1), USB_STALL);
	assert_int_equal(control_write(&h->dev, 0x21, 0x0b, 0, 0, NULL, 0), USB_STALL);
	assert_int_equal(control_write(&h->dev, 0x21, 0x09, 0x0200, 0, buf, 1), USB_STALL);

	/* GET_REPORT is a poll: it consumes the event. With nothing queued, the last state. */
	usb_hid_pointer_abs(h, 0x100, 0x200, USB_HID_BUTTON_MIDDLE);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x01, 0x0100, 0, 64, buf), 6);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x04, 0x00, 0x01, 0x00, 0x02, 0x00 }), 6);
	expect_nak(h);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x01, 0x0100, 0, 64, buf), 6);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x04, 0x00, 0x01, 0x00, 0x02, 0x00 }), 6);
	destroy(f);
}

static void test_mouse_reports(void **state)
{
	struct fixture *f = make(USB_HID_MOUSE, "42", NULL);
	struct usb_hid *h = &f->h;
	uint8_t buf[8];
	size_t n;

	(void)state;
	expect_nak(h);
	/* QEMU's run: x+300 / y-5 goes out as three reports. */
	usb_hid_pointer_rel(h, 300, -5, 0, 0);
	expect_report(h, REPORT(0x00, 0x7f, 0xfb, 0x00));
	expect_report(h, REPORT(0x00, 0x7f, 0x00, 0x00));
	expect_report(h, REPORT(0x00, 0x2e, 0x00, 0x00));
	expect_nak(h);

	/* Same buttons: motions add up into one report. */
	usb_hid_pointer_rel(h, 1, 2, 0, 0);
	usb_hid_pointer_rel(h, 3, -4, 0, 0);
	expect_report(h, REPORT(0x00, 4, (uint8_t)-2, 0));
	expect_nak(h);

	/* Wheel down 200 (toward the user): -127 then -73; wheel up +1. */
	usb_hid_pointer_rel(h, 0, 0, 200, 0);
	expect_report(h, REPORT(0x00, 0, 0, 0x81));
	expect_report(h, REPORT(0x00, 0, 0, (uint8_t)-73));
	usb_hid_pointer_rel(h, 0, 0, -1, 0);
	expect_report(h, REPORT(0x00, 0, 0, 0x01));

	/* Button changes commit; the release keeps its own event. All five buttons. */
	usb_hid_pointer_rel(h, -200, 0, 0, 0x1f);
	usb_hid_pointer_rel(h, 0, 0, 0, 0);
	expect_report(h, REPORT(0x1f, 0x81, 0, 0));
	expect_report(h, REPORT(0x1f, (uint8_t)-73, 0, 0));
	expect_report(h, REPORT(0x00, 0, 0, 0));
	expect_nak(h);

	/* Absolute events are not the mouse's. */
	usb_hid_pointer_abs(h, 10, 10, 1);
	expect_nak(h);

	/* Truncated to the packet: 2 bytes. */
	usb_hid_pointer_rel(h, 5, 6, 0, 2);
	assert_int_equal(interrupt_in(h, buf, 2, &n), USB_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, ((const uint8_t[]){ 0x02, 0x05 }), 2);
	expect_nak(h);

	/* Boot protocol is stored, starts as 1 (report). */
	assert_int_equal(control_read(&h->dev, 0xa1, 0x03, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 1);
	assert_int_equal(control_write(&h->dev, 0x21, 0x0b, 0, 0, NULL, 0), 0);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x03, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 0);
	/* ... and changes nothing in the reports. */
	usb_hid_pointer_rel(h, 1, 1, 0, 0);
	expect_report(h, REPORT(0x00, 1, 1, 0));
	/* A huge motion saturates instead of wrapping. */
	usb_hid_pointer_rel(h, INT32_MAX, 0, 0, 0);
	usb_hid_pointer_rel(h, INT32_MAX, 0, 0, 0);
	assert_int_equal(h->st.queue[h->st.head & 15].xdx, INT32_MAX);
	destroy(f);
}

static void press(struct usb_hid *h, uint16_t code)
{
	usb_hid_key(h, code, true);
}

static void release(struct usb_hid *h, uint16_t code)
{
	usb_hid_key(h, code, false);
}

#define KBD(mod, ...) REPORT(mod, 0x00, __VA_ARGS__)

static void test_keyboard_reports(void **state)
{
	struct fixture *f = make(USB_HID_KEYBOARD, "42", NULL);
	struct usb_hid *h = &f->h;
	uint8_t buf[8];
	size_t n;
	unsigned int i;

	(void)state;
	assert_true(usb_hid_active(h)); /* a keyboard takes keys from the start */
	expect_nak(h);

	/* A: usage 0x04, press then release. */
	press(h, 0x1e);
	release(h, 0x1e);
	expect_report(h, KBD(0x00, 0x04, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_nak(h);

	/* Left Shift + 1: modifier bit 1, usage 0x1e. */
	press(h, 0x2a);
	press(h, 0x02);
	release(h, 0x02);
	release(h, 0x2a);
	expect_report(h, KBD(0x02, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x02, 0x1e, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x02, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_nak(h);

	/* An 0xe0 key costs two reports per edge: keypad / (0x54), Right Ctrl (bit 4). */
	press(h, 0xe035);
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0x54, 0, 0, 0, 0, 0));
	release(h, 0xe035);
	expect_report(h, KBD(0x00, 0x54, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	press(h, 0xe01d);
	press(h, 0xe048); /* Up: 0x52 */
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x10, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x10, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x10, 0x52, 0, 0, 0, 0, 0));
	release(h, 0xe01d);
	release(h, 0xe048);
	for (i = 0; i < 4; i++)
		assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }), 8);
	expect_nak(h);

	/* Pause: e1 1d 45 -> 0x48 through the E1/E0 swap; no Ctrl on the way. */
	press(h, 0xe046);
	assert_int_equal(h->st.n, 3);
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0x48, 0, 0, 0, 0, 0));
	release(h, 0xe046);
	expect_report(h, KBD(0x00, 0x48, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0x48, 0, 0, 0, 0, 0));
	expect_report(h, KBD(0x00, 0, 0, 0, 0, 0, 0));
	expect_nak(h);

	/* Releasing a middle key moves the last one into its place. */
	press(h, 0x10); /* q 0x14 */
	press(h, 0x11); /* w 0x1a */
	press(h, 0x12); /* e 0x08 */
	release(h, 0x10);
	for (i = 0; i < 4; i++)
		assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 0x08, 0x1a, 0, 0, 0, 0 }), 8);
	release(h, 0x11);
	release(h, 0x12);
	for (i = 0; i < 2; i++)
		assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);

	/* More than six keys down: ErrorRollOver in all six places. */
	for (i = 0; i < 7; i++)
		press(h, (uint16_t)(0x1e + i));
	for (i = 0; i < 7; i++)
		assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 1, 1, 1, 1, 1, 1 }), 8);
	release(h, 0x1e);
	assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 0x0d, 0x16, 0x07, 0x09, 0x0a, 0x0b }),
			    8);
	for (i = 1; i < 7; i++)
		release(h, (uint16_t)(0x1e + i));
	while (interrupt_in(h, buf, 8, &n) == USB_OK)
		;

	/* A packet shorter than 2 bytes gets 0 bytes and consumes nothing. */
	press(h, 0x1e);
	assert_int_equal(interrupt_in(h, buf, 1, &n), USB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(h->st.n, 1);
	assert_int_equal(interrupt_in(h, buf, 4, &n), USB_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 0x04, 0 }), 4);

	/* GET_REPORT processes one scan code too. */
	release(h, 0x1e);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x01, 0x0100, 0, 8, buf), 8);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }), 8);
	expect_nak(h);

	/* Pointer input and unknown key forms are ignored. */
	usb_hid_pointer_rel(h, 1, 1, 0, 1);
	usb_hid_pointer_abs(h, 1, 1, 1);
	usb_hid_key(h, 0x9e, true);
	usb_hid_key(h, 0xe19e, true);
	expect_nak(h);

	/* SET_REPORT: the LED byte, the host told of Num/Caps/Scroll. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x09, 0x0200, 0,
				       (const uint8_t[]){ 0x1b }, 1), 0);
	assert_int_equal(h->st.leds, 0x1b);
	assert_int_equal(f->led_calls, 1);
	assert_int_equal(f->leds, USB_HID_LED_NUM | USB_HID_LED_CAPS);
	/* No data: nothing changes. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x09, 0x0200, 0, NULL, 0), 0);
	assert_int_equal(f->led_calls, 1);
	/* GET/SET_PROTOCOL. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x0b, 0, 0, NULL, 0), 0);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x03, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 0);
	/* Unknown class requests stall. */
	assert_int_equal(setup(&h->dev, 0xa1, 0x04, 0, 0, 1), USB_STALL);
	assert_int_equal(control_write(&h->dev, 0x21, 0x0c, 0, 0, NULL, 0), USB_STALL);

	/* HID reset: queue, keys and modifiers go, the LEDs stay. */
	press(h, 0x2a);
	press(h, 0x1e);
	assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
	assert_int_equal(h->st.modifiers, 0x02);
	usb_device_reset(&h->dev);
	assert_int_equal(h->st.n, 0);
	assert_int_equal(h->st.head, 0);
	assert_int_equal(h->st.modifiers, 0);
	assert_int_equal(h->st.keys, 0);
	assert_int_equal(h->st.protocol, 1);
	assert_int_equal(h->st.leds, 0x1b);
	expect_nak(h);
	destroy(f);
}

static void test_queue_overflow(void **state)
{
	struct fixture *f = make(USB_HID_TABLET, "42", NULL);
	struct usb_hid *h = &f->h;
	uint8_t buf[8];
	size_t n;
	unsigned int i;

	(void)state;
	/* Each event changes the buttons, so none merge: at most 15 are kept. */
	for (i = 0; i < 40; i++)
		usb_hid_pointer_abs(h, (int)i, (int)i, i & 1);
	assert_int_equal(h->st.n, 15);
	for (i = 0; i < 15; i++) {
		assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
		assert_int_equal(buf[0], i & 1);
		assert_int_equal(buf[1], i);
	}
	expect_nak(h);
	/* The building slot kept the newest state: the next event carries on from it. */
	usb_hid_pointer_abs(h, 77, 78, 1);
	expect_report(h, REPORT(0x01, 77, 0, 78, 0, 0));
	destroy(f);

	/* Keyboard: 16 scan codes; a key event that does not fit is dropped whole. */
	f = make(USB_HID_KEYBOARD, "42", NULL);
	h = &f->h;
	for (i = 0; i < 7; i++)
		press(h, 0xe048);
	assert_int_equal(h->st.n, 14);
	press(h, 0xe050); /* 2 codes: fits exactly */
	assert_int_equal(h->st.n, 16);
	press(h, 0x1e);
	press(h, 0xe046);
	assert_int_equal(h->st.n, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(interrupt_in(h, buf, 8, &n), USB_OK);
	assert_memory_equal(buf, ((const uint8_t[]){ 0, 0, 0x52, 0x51, 0, 0, 0, 0 }), 8);
	expect_nak(h);
	destroy(f);
}

static void test_idle_timer(void **state)
{
	struct fixture *f = make(USB_HID_TABLET, "42", NULL);
	struct usb_hid *h = &f->h;
	uint8_t buf[8];
	size_t n;

	(void)state;
	usb_hid_pointer_abs(h, 16384, 8192, USB_HID_BUTTON_LEFT);
	expect_report(h, REPORT(0x01, 0x00, 0x40, 0x00, 0x20, 0x00));
	expect_nak(h);

	/* SET_IDLE(2): 8 ms; it also activates the pointer. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x0a, 0x0200, 0, NULL, 0), 0);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x02, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 2);
	assert_true(h->st.idle_armed);
	assert_int_equal(h->st.next_idle_ns, clock_now(&f->clock) + 8 * MS);

	fake_now += 7 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 0);
	expect_nak(h);
	fake_now += 1 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 1);
	assert_true(h->st.idle_pending);
	/* The repeat: the last state. It re-arms the timer from now. */
	expect_report(h, REPORT(0x01, 0x00, 0x40, 0x00, 0x20, 0x00));
	expect_nak(h);
	assert_true(h->st.idle_armed);
	fake_now += 8 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 1);
	expect_report(h, REPORT(0x01, 0x00, 0x40, 0x00, 0x20, 0x00));

	/* GET_REPORT clears the pending repeat without re-arming. */
	fake_now += 8 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 1);
	assert_int_equal(control_read(&h->dev, 0xa1, 0x01, 0x0100, 0, 6, buf), 6);
	assert_false(h->st.idle_pending);
	assert_false(h->st.idle_armed);
	expect_nak(h);
	fake_now += 100 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 0);

	/* SET_IDLE(0): only on change; the timer is off. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x0a, 0x0200, 0, NULL, 0), 0);
	assert_true(h->st.idle_armed);
	assert_int_equal(control_write(&h->dev, 0x21, 0x0a, 0x0000, 0, NULL, 0), 0);
	assert_false(h->st.idle_armed);
	fake_now += 100 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 0);
	expect_nak(h);

	/* Reset clears idle and its timer. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x0a, 0xff00, 0, NULL, 0), 0);
	assert_int_equal(h->st.idle, 0xff);
	usb_device_reset(&h->dev);
	assert_int_equal(h->st.idle, 0);
	assert_false(h->st.idle_armed);
	assert_int_equal(clock_next_deadline(&f->clock), UINT64_MAX);
	destroy(f);

	/* The keyboard repeats its state too (SeaBIOS: 32 ms for key repeat). */
	f = make(USB_HID_KEYBOARD, "42", NULL);
	h = &f->h;
	assert_int_equal(control_write(&h->dev, 0x21, 0x0a, 0x0800, 0, NULL, 0), 0);
	press(h, 0x1e);
	expect_report(h, KBD(0x00, 0x04, 0, 0, 0, 0, 0));
	expect_nak(h);
	fake_now += 32 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 1);
	expect_report(h, KBD(0x00, 0x04, 0, 0, 0, 0, 0));
	assert_int_equal(interrupt_in(h, buf, 8, &n), USB_NAK);
	destroy(f);
}

static void test_remote_wakeup(void **state)
{
	struct fixture *f = make(USB_HID_MOUSE, "42", NULL);
	struct usb_hid *h = &f->h;

	(void)state;
	f->h.dev.port = 2;
	/* Not enabled: events do not wake the port. */
	usb_hid_pointer_rel(h, 1, 0, 0, 0);
	assert_int_equal(f->wakeups, 0);
	assert_int_equal(control_write(&h->dev, 0x00, 3, 1, 0, NULL, 0), 0);
	/* Merged into the queued event: no notification. */
	usb_hid_pointer_rel(h, 1, 0, 0, 0);
	assert_int_equal(f->wakeups, 0);
	/* A committed event does. */
	usb_hid_pointer_rel(h, 1, 0, 0, 1);
	assert_int_equal(f->wakeups, 1);
	assert_int_equal(f->wakeup_port, 2);
	/* So does the idle timer. */
	assert_int_equal(control_write(&h->dev, 0x21, 0x0a, 0x0100, 0, NULL, 0), 0);
	fake_now += 4 * MS;
	assert_int_equal(clock_run_timers(&f->clock), 1);
	assert_int_equal(f->wakeups, 2);
	/* Disabled again: silence. No port ops: no call either. */
	assert_int_equal(control_write(&h->dev, 0x00, 1, 1, 0, NULL, 0), 0);
	usb_hid_pointer_rel(h, 1, 0, 0, 0);
	assert_int_equal(f->wakeups, 2);
	assert_int_equal(control_write(&h->dev, 0x00, 3, 1, 0, NULL, 0), 0);
	h->dev.port_ops = NULL;
	usb_hid_pointer_rel(h, 1, 0, 0, 2);
	assert_int_equal(f->wakeups, 2);
	h->dev.port_ops = &port_ops;
	/* A port reset turns remote wake-up off. */
	usb_device_reset(&h->dev);
	usb_hid_pointer_rel(h, 1, 0, 0, 4);
	assert_int_equal(f->wakeups, 2);
	destroy(f);

	/* The keyboard notifies per key event. */
	f = make(USB_HID_KEYBOARD, "42", NULL);
	h = &f->h;
	press(h, 0x1e);
	assert_int_equal(f->wakeups, 0);
	assert_int_equal(control_write(&h->dev, 0x00, 3, 1, 0, NULL, 0), 0);
	press(h, 0x1f);
	assert_int_equal(f->wakeups, 1);
	destroy(f);
}

static void test_post_load(void **state)
{
	struct fixture *f = make(USB_HID_MOUSE, "42", NULL);
	struct usb_hid *h = &f->h;
	unsigned int i;

	(void)state;
	/* An old stream with a full queue: only the newest buttons survive, no motion. */
	for (i = 0; i < USB_HID_QUEUE_LEN; i++) {
		h->st.queue[i].xdx = (int32_t)i + 1;
		h->st.queue[i].buttons = (int32_t)(i & 7);
	}
	h->st.head = 3;
	h->st.n = 16;
	h->st.idle = 5;
	h->dev.remote_wakeup = true;
	assert_false(usb_hid_active(h));
	assert_int_equal(usb_hid_post_load(h), 0);
	assert_int_equal(h->st.n, 1);
	assert_int_equal(h->st.head, 0);
	assert_int_equal(h->st.queue[0].buttons, 3);
	assert_int_equal(h->st.queue[0].xdx, 0);
	assert_true(h->st.idle_armed);
	assert_int_equal(h->st.next_idle_ns, clock_now(&f->clock) + 20 * MS);
	assert_true(usb_hid_active(h));
	expect_report(h, REPORT(0x03, 0, 0, 0));

	/* Counts no QEMU could have saved are refused. */
	h->st.n = 17;
	assert_int_equal(usb_hid_post_load(h), -1);
	h->st.n = 0;
	h->st.keys = 17;
	assert_int_equal(usb_hid_post_load(h), -1);
	h->st.keys = -1;
	assert_int_equal(usb_hid_post_load(h), -1);
	h->st.keys = 0;
	/* A huge head is only ever used masked. */
	h->st.head = 0xfffffff0u;
	assert_int_equal(usb_hid_post_load(h), 0);
	assert_int_equal(h->st.head, 0);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumerate_tablet),
		cmocka_unit_test(test_enumerate_mouse),
		cmocka_unit_test(test_enumerate_keyboard),
		cmocka_unit_test(test_generated_serial),
		cmocka_unit_test(test_control_pipe),
		cmocka_unit_test(test_control_pipe_random),
		cmocka_unit_test(test_tablet_reports),
		cmocka_unit_test(test_mouse_reports),
		cmocka_unit_test(test_keyboard_reports),
		cmocka_unit_test(test_queue_overflow),
		cmocka_unit_test(test_idle_timer),
		cmocka_unit_test(test_remote_wakeup),
		cmocka_unit_test(test_post_load),
	};

	return cmocka_run_group_tests_name("usb_hid", tests, NULL, NULL);
}
