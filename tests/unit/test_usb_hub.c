// SPDX-License-Identifier: GPL-2.0-only
/*
 * usb-hub driven packet by packet as a controller would: its descriptors
 * and strings (QEMU 7.2 run dumps, the USB behaviour spec §4.5, §4.6), the
 * port status and change bits, the class requests and the status-change
 * bitmap (§4.8), addressing of HID devices through it, wake-up from below
 * and the checks of a loaded state (§6.6).
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
#include "hw/usb/hub.h"
#include "hw/usb/usb.h"

/* Class requests and port features by their numbers (USB 1.1 §11.16). */
#define RT_HUB_OUT 0x20
#define RT_PORT_OUT 0x23
#define RT_HUB_IN 0xa0
#define RT_PORT_IN 0xa3
#define REQ_GET_STATUS 0x00
#define REQ_CLEAR_FEATURE 0x01
#define REQ_SET_FEATURE 0x03
#define REQ_SET_ADDRESS 0x05
#define REQ_GET_DESCRIPTOR 0x06

#define F_PORT_CONNECTION 0
#define F_PORT_ENABLE 1
#define F_PORT_SUSPEND 2
#define F_PORT_OVERCURRENT 3
#define F_PORT_RESET 4
#define F_PORT_POWER 8
#define F_PORT_LOW_SPEED 9
#define F_C_PORT_CONNECTION 16
#define F_C_PORT_ENABLE 17
#define F_C_PORT_SUSPEND 18
#define F_C_PORT_OVERCURRENT 19
#define F_C_PORT_RESET 20

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

/* A hub on root port 2 of a pretend controller, with HID devices to plug into it. */
struct fixture {
	struct dm_clock clock;
	struct usb_hub hub;
	struct usb_hid tablet, kbd;
	unsigned int wakeups;     /* the hub's signals that reached its upstream port */
	unsigned int wakeup_port;
};

static void on_root_wakeup(void *owner, unsigned int port)
{
	struct fixture *f = owner;

	f->wakeups++;
	f->wakeup_port = port;
}

static const struct usb_port_ops root_port_ops = { .wakeup = on_root_wakeup };

static void make_hid(struct fixture *f, struct usb_hid *h, enum usb_hid_kind kind,
		     const char *path)
{
	struct usb_hid_config cfg = { .kind = kind, .path = path, .clock = &f->clock };
	char err[128];

	if (usb_hid_init(h, &cfg, err, sizeof(err)))
		fail_msg("usb_hid_init: %s", err);
}

/* The hub attached and reset on its root port (state DEFAULT, address 0), no devices below. */
static struct fixture *make(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct usb_hub_config cfg = { .path = "0000:00:01.2-2" };
	char err[128];

	assert_non_null(f);
	log_set_sink(&quiet_sink);
	fake_now = 1000000000ull;
	clock_init(&f->clock, fake_clock, NULL);
	if (usb_hub_init(&f->hub, &cfg, err, sizeof(err)))
		fail_msg("usb_hub_init: %s", err);
	f->hub.dev.port_ops = &root_port_ops;
	f->hub.dev.port_owner = f;
	f->hub.dev.port = 1;
	usb_device_attach(&f->hub.dev);
	usb_device_reset(&f->hub.dev);
	assert_int_equal(f->hub.dev.state, USB_STATE_DEFAULT);
	make_hid(f, &f->tablet, USB_HID_TABLET, "0000:00:01.2-2.1");
	make_hid(f, &f->kbd, USB_HID_KEYBOARD, "0000:00:01.2-2.2");
	return f;
}

static void destroy(struct fixture *f)
{
	usb_hub_destroy(&f->hub);
	usb_hid_destroy(&f->tablet);
	usb_hid_destroy(&f->kbd);
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

/* An OUT control transfer without data: 0 on success, else the failing stage's status. */
static int control_write(struct usb_device *dev, uint8_t type, uint8_t req, uint16_t value,
			 uint16_t index)
{
	uint8_t buf[8];
	size_t actual;
	int st;

	st = setup(dev, type, req, value, index, 0);
	if (st != USB_OK)
		return st;
	st = packet(dev, USB_TOKEN_IN, 0, buf, 8, &actual);
	if (st != USB_OK)
		return st;
	assert_int_equal(actual, 0);
	return 0;
}

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

/* ------------------------------------------------------------ hub helpers */

static struct usb_device *hub_dev(struct fixture *f)
{
	return &f->hub.dev;
}

static void expect_port(struct fixture *f, uint16_t port, uint16_t status, uint16_t change)
{
	uint8_t buf[4];
	const uint8_t want[4] = { status & 0xff, status >> 8, change & 0xff, change >> 8 };

	assert_int_equal(control_read(hub_dev(f), RT_PORT_IN, REQ_GET_STATUS, 0, port, 4, buf), 4);
	assert_memory_equal(buf, want, 4);
	/* The state a save record carries says the same. */
	assert_int_equal(f->hub.st.ports[port - 1].status, status);
	assert_int_equal(f->hub.st.ports[port - 1].change, change);
}

static int set_port_feature(struct fixture *f, uint16_t port, uint16_t feature)
{
	return control_write(hub_dev(f), RT_PORT_OUT, REQ_SET_FEATURE, feature, port);
}

static int clear_port_feature(struct fixture *f, uint16_t port, uint16_t feature)
{
	return control_write(hub_dev(f), RT_PORT_OUT, REQ_CLEAR_FEATURE, feature, port);
}

/* Endpoint 1 IN with room for `room` bytes: the status, the bytes in out. */
static int status_in(struct fixture *f, size_t room, uint8_t *out, size_t *actual)
{
	uint8_t buf[8];
	int st;

	memset(buf, 0xcc, sizeof(buf));
	assert_true(room <= sizeof(buf));
	st = packet(hub_dev(f), USB_TOKEN_IN, 1, buf, room, actual);
	memcpy(out, buf, sizeof(buf));
	return st;
}

static void expect_bitmap(struct fixture *f, size_t room, const uint8_t *want, size_t len)
{
	uint8_t got[8];
	size_t actual = 99;

	assert_int_equal(status_in(f, room, got, &actual), USB_OK);
	assert_int_equal(actual, len);
	assert_memory_equal(got, want, len);
}

static void expect_bitmap_status(struct fixture *f, size_t room, int status)
{
	uint8_t got[8];
	size_t actual = 99;

	assert_int_equal(status_in(f, room, got, &actual), status);
	assert_int_equal(actual, 0);
}

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

/* A function, not cmocka's macro, so BYTES() can stand for its last two arguments. */
static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t len)
{
	assert_memory_equal(got, want, len);
}

/* Give the hub an address, so address 0 names only a device below it. */
static void address_hub(struct fixture *f, uint8_t addr)
{
	assert_int_equal(control_write(hub_dev(f), 0x00, REQ_SET_ADDRESS, addr, 0), 0);
	assert_int_equal(f->hub.dev.addr, addr);
}

/* Plug both HID devices in (tablet port 1, keyboard port 2) and acknowledge the changes. */
static void plug_both(struct fixture *f)
{
	assert_int_equal(usb_hub_attach(&f->hub, 0, &f->tablet.dev), 0);
	assert_int_equal(usb_hub_attach(&f->hub, 1, &f->kbd.dev), 0);
}

/* Reset a port and acknowledge all its change bits: the device below answers at 0. */
static void reset_and_ack(struct fixture *f, uint16_t port)
{
	assert_int_equal(set_port_feature(f, port, F_PORT_RESET), 0);
	assert_int_equal(clear_port_feature(f, port, F_C_PORT_CONNECTION), 0);
	assert_int_equal(clear_port_feature(f, port, F_C_PORT_RESET), 0);
	assert_int_equal(clear_port_feature(f, port, F_C_PORT_ENABLE), 0);
}

/* ------------------------------------------------------------ enumeration */

static void test_enumerate(void **state)
{
	static const uint8_t device[18] = {
		0x12, 0x01, 0x10, 0x01, 0x09, 0x00, 0x00, 0x08, 0x09, 0x04, 0xaa, 0x55,
		0x01, 0x01, 0x01, 0x02, 0x03, 0x01,
	};
	static const uint8_t config[25] = {
		0x09, 0x02, 0x19, 0x00, 0x01, 0x01, 0x00, 0xe0, 0x00,
		0x09, 0x04, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00,
		0x07, 0x05, 0x81, 0x03, 0x02, 0x00, 0xff,
	};
	static const uint8_t hub_desc[10] = {
		0x0a, 0x29, 0x08, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff,
	};
	struct fixture *f = make();
	struct usb_device *d = hub_dev(f);
	uint8_t buf[256];

	(void)state;
	/* Device: bcdUSB 1.10 as it is (no MSOS on the hub). */
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0100, 0, 18, buf), 18);
	assert_memory_equal(buf, device, 18);
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0100, 0, 8, buf), 8);
	assert_memory_equal(buf, device, 8);
	/* Configuration: 9 bytes first, then the whole 25. */
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0200, 0, 9, buf), 9);
	assert_memory_equal(buf, config, 9);
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0200, 0, 255, buf), 25);
	assert_memory_equal(buf, config, 25);
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0201, 0, 255, buf), USB_STALL);
	/* BOS: the bare header; no qualifier, no other-speed configuration. */
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0f00, 0, 255, buf), 5);
	expect_bytes(buf, BYTES(0x05, 0x0f, 0x05, 0x00, 0x00));
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0600, 0, 10, buf), USB_STALL);
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0700, 0, 255, buf), USB_STALL);

	/* Strings, the serial generated from the port path. */
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0300, 0, 255, buf), 4);
	expect_bytes(buf, BYTES(0x04, 0x03, 0x09, 0x04));
	check_string(d, 1, "QEMU");
	check_string(d, 2, "QEMU USB Hub");
	check_string(d, 3, "314159-0000:00:01.2-2");
	/* Unknown indexes, and MSOS's 0xee, read as 0 bytes; no vendor 'Q' request. */
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x0304, 0, 255, buf), 0);
	assert_int_equal(control_read(d, 0x80, REQ_GET_DESCRIPTOR, 0x03ee, 0, 255, buf), 0);
	assert_int_equal(control_read(d, 0xc0, 0x51, 0, 4, 40, buf), USB_STALL);

	/* Device status: self-powered; then remote wake-up. */
	assert_int_equal(control_read(d, 0x80, REQ_GET_STATUS, 0, 0, 2, buf), 2);
	expect_bytes(buf, BYTES(0x01, 0x00));
	assert_int_equal(control_write(d, 0x00, REQ_SET_FEATURE, 1, 0), 0);
	assert_int_equal(control_read(d, 0x80, REQ_GET_STATUS, 0, 0, 2, buf), 2);
	expect_bytes(buf, BYTES(0x03, 0x00));
	assert_int_equal(control_write(d, 0x00, 0x09, 1, 0), 0);
	assert_int_equal(control_read(d, 0x80, 0x08, 0, 0, 1, buf), 1);
	assert_int_equal(buf[0], 1);

	/* The hub descriptor, whatever wValue says, cut to wLength. */
	assert_int_equal(control_read(d, RT_HUB_IN, REQ_GET_DESCRIPTOR, 0x2900, 0, 255, buf), 10);
	assert_memory_equal(buf, hub_desc, 10);
	assert_int_equal(control_read(d, RT_HUB_IN, REQ_GET_DESCRIPTOR, 0x1234, 0, 10, buf), 10);
	assert_memory_equal(buf, hub_desc, 10);
	assert_int_equal(control_read(d, RT_HUB_IN, REQ_GET_DESCRIPTOR, 0, 0, 2, buf), 2);
	assert_memory_equal(buf, hub_desc, 2);
	/* Hub status: all zero. */
	memset(buf, 0xcc, 4);
	assert_int_equal(control_read(d, RT_HUB_IN, REQ_GET_STATUS, 0, 0, 4, buf), 4);
	expect_bytes(buf, BYTES(0, 0, 0, 0));
	/* Set/ClearHubFeature: C_HUB_LOCAL_POWER (0) and C_HUB_OVER_CURRENT (1) only. */
	assert_int_equal(control_write(d, RT_HUB_OUT, REQ_SET_FEATURE, 0, 0), 0);
	assert_int_equal(control_write(d, RT_HUB_OUT, REQ_CLEAR_FEATURE, 1, 0), 0);
	assert_int_equal(control_write(d, RT_HUB_OUT, REQ_SET_FEATURE, 2, 0), USB_STALL);
	assert_int_equal(control_write(d, RT_HUB_OUT, REQ_CLEAR_FEATURE, 0xffff, 0), USB_STALL);
	/* CLEAR_FEATURE(ENDPOINT_HALT): only on 0x81; other selectors pass anywhere. */
	assert_int_equal(control_write(d, 0x02, REQ_CLEAR_FEATURE, 0, 0x81), 0);
	assert_int_equal(control_write(d, 0x02, REQ_CLEAR_FEATURE, 0, 0x01), USB_STALL);
	assert_int_equal(control_write(d, 0x02, REQ_CLEAR_FEATURE, 0, 0x00), USB_STALL);
	assert_int_equal(control_write(d, 0x02, REQ_CLEAR_FEATURE, 5, 0x02), 0);
	/* Anything else stalls: an IN at SETUP, an OUT at the status stage. */
	assert_int_equal(control_read(d, 0x82, REQ_GET_STATUS, 0, 0x81, 2, buf), USB_STALL);
	assert_int_equal(control_read(d, 0xa3, 0x02, 0, 1, 4, buf), USB_STALL);
	assert_int_equal(control_write(d, 0x02, REQ_SET_FEATURE, 0, 0x81), USB_STALL);
	assert_int_equal(control_write(d, 0x23, 0x07, 0, 1), USB_STALL);
	destroy(f);
}

static void test_serial(void **state)
{
	struct usb_hub hub;
	char err[128], path[80];

	(void)state;
	assert_int_equal(usb_hub_init(&hub, &(struct usb_hub_config){ .path = NULL }, err,
				      sizeof(err)), 0);
	assert_string_equal(hub.dev.serial, "314159");
	assert_int_equal(hub.dev.state, USB_STATE_NOTATTACHED);
	/* Powered and empty from the start. */
	for (unsigned int i = 0; i < USB_HUB_PORTS; i++) {
		assert_int_equal(hub.st.ports[i].status, 0x0100);
		assert_int_equal(hub.st.ports[i].change, 0);
	}
	usb_hub_destroy(&hub);
	assert_int_equal(usb_hub_init(&hub, &(struct usb_hub_config){ .path = "0000:00:01.2-2.8" },
				      err, sizeof(err)), 0);
	assert_string_equal(hub.dev.serial, "314159-0000:00:01.2-2.8");
	usb_hub_destroy(&hub);
	/* 63 characters fit, 64 do not. */
	memset(path, 'x', sizeof(path));
	path[63 - 7] = '\0';
	assert_int_equal(usb_hub_init(&hub, &(struct usb_hub_config){ .path = path }, err,
				      sizeof(err)), 0);
	assert_int_equal(strlen(hub.dev.serial), 63);
	usb_hub_destroy(&hub);
	path[63 - 7] = 'x';
	path[64 - 7] = '\0';
	err[0] = '\0';
	assert_int_equal(usb_hub_init(&hub, &(struct usb_hub_config){ .path = path }, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "serial"));
}

/* ---------------------------------------------------------- port status */

static void test_initial_status_and_bitmap(void **state)
{
	struct fixture *f = make();

	(void)state;
	/* Nothing changed: NAK, whatever the room; no bit for the hub itself. */
	expect_bitmap_status(f, 2, USB_NAK);
	expect_bitmap_status(f, 1, USB_NAK);
	for (uint16_t port = 1; port <= 8; port++)
		expect_port(f, port, 0x0100, 0);

	plug_both(f);
	expect_port(f, 1, 0x0101, 0x0001);
	expect_port(f, 2, 0x0101, 0x0001);
	for (uint16_t port = 3; port <= 8; port++)
		expect_port(f, port, 0x0100, 0);
	/* Plugged in: ATTACHED, answering nothing until a port reset. */
	assert_int_equal(f->tablet.dev.state, USB_STATE_ATTACHED);
	assert_true(f->tablet.dev.attached);

	/* Ports 1 and 2 changed: 06 00, or 06 in a 1-byte TD. */
	expect_bitmap(f, 8, BYTES(0x06, 0x00));
	expect_bitmap(f, 2, BYTES(0x06, 0x00));
	expect_bitmap(f, 1, BYTES(0x06));
	/* Room for none: babble, not a short packet. */
	expect_bitmap_status(f, 0, USB_BABBLE);
	/* Reading the bitmap clears nothing; acknowledging port 1 leaves port 2 (04). */
	assert_int_equal(clear_port_feature(f, 1, F_C_PORT_CONNECTION), 0);
	expect_port(f, 1, 0x0101, 0);
	expect_bitmap(f, 1, BYTES(0x04));
	expect_bitmap(f, 2, BYTES(0x04, 0x00));
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_CONNECTION), 0);
	expect_bitmap_status(f, 2, USB_NAK);

	/* Port 8 shows in the second byte only; a 1-byte TD reads 00 (QEMU's FreeBSD case). */
	usb_hub_detach(&f->hub, 1);
	assert_int_equal(usb_hub_attach(&f->hub, 7, &f->kbd.dev), 0);
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_CONNECTION), 0);
	expect_port(f, 8, 0x0101, 0x0001);
	expect_bitmap(f, 2, BYTES(0x00, 0x01));
	expect_bitmap(f, 1, BYTES(0x00));

	/* Other endpoints and OUT on EP1 stall. */
	{
		uint8_t buf[2] = { 0 };

		assert_int_equal(packet(hub_dev(f), USB_TOKEN_OUT, 1, buf, 2, NULL), USB_STALL);
		assert_int_equal(packet(hub_dev(f), USB_TOKEN_IN, 2, buf, 2, NULL), USB_STALL);
	}

	/* A hub reset: powered ports with the connections, all else gone. */
	assert_int_equal(set_port_feature(f, 1, F_PORT_SUSPEND), 0);
	assert_int_equal(set_port_feature(f, 8, F_PORT_RESET), 0);
	expect_port(f, 8, 0x0103, 0x0013);
	usb_device_reset(hub_dev(f));
	expect_port(f, 1, 0x0101, 0x0001);
	expect_port(f, 8, 0x0101, 0x0001);
	for (uint16_t port = 2; port <= 7; port++)
		expect_port(f, port, 0x0100, 0);
	expect_bitmap(f, 2, BYTES(0x02, 0x01));
	destroy(f);
}

static void test_port_reset_and_addressing(void **state)
{
	struct fixture *f = make();
	struct usb_device *tablet = &f->tablet.dev, *kbd = &f->kbd.dev;
	uint8_t buf[18];

	(void)state;
	address_hub(f, 1);
	plug_both(f);
	tablet->addr = 9; /* whatever it had: the port reset gives it 0 */
	/* Not enabled: nobody below answers. */
	assert_null(usb_find_device(hub_dev(f), 0));
	assert_null(usb_find_device(hub_dev(f), 9));
	assert_ptr_equal(usb_find_device(hub_dev(f), 1), hub_dev(f));

	/* SetPortFeature(PORT_RESET): QEMU's 0x0103 / 0x0013, the child reset. */
	assert_int_equal(set_port_feature(f, 1, F_PORT_RESET), 0);
	expect_port(f, 1, 0x0103, 0x0013);
	assert_int_equal(tablet->state, USB_STATE_DEFAULT);
	assert_int_equal(tablet->addr, 0);
	assert_ptr_equal(usb_find_device(hub_dev(f), 0), tablet);
	/* The keyboard's port is still disabled. */
	assert_int_equal(kbd->state, USB_STATE_ATTACHED);
	expect_port(f, 2, 0x0101, 0x0001);
	/* Acknowledging the three change bits clears them all. */
	assert_int_equal(clear_port_feature(f, 1, F_C_PORT_CONNECTION), 0);
	expect_port(f, 1, 0x0103, 0x0012);
	assert_int_equal(clear_port_feature(f, 1, F_C_PORT_RESET), 0);
	expect_port(f, 1, 0x0103, 0x0002);
	assert_int_equal(clear_port_feature(f, 1, F_C_PORT_ENABLE), 0);
	expect_port(f, 1, 0x0103, 0x0000);

	/* Enumerate the tablet through the hub: its own descriptor and SET_ADDRESS. */
	assert_int_equal(control_read(usb_find_device(hub_dev(f), 0), 0x80, REQ_GET_DESCRIPTOR,
				      0x0100, 0, 18, buf), 18);
	expect_bytes(buf, BYTES(0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27,
				       0x06, 0x01, 0x00, 0x00, 0x00, 0x01, 0x03, 0x0a, 0x01));
	assert_int_equal(control_write(usb_find_device(hub_dev(f), 0), 0x00, REQ_SET_ADDRESS, 2, 0),
			 0);
	assert_int_equal(tablet->addr, 2);
	assert_null(usb_find_device(hub_dev(f), 0));
	assert_ptr_equal(usb_find_device(hub_dev(f), 2), tablet);

	/* The keyboard next: two devices below, each at its own address. */
	reset_and_ack(f, 2);
	expect_port(f, 2, 0x0103, 0);
	assert_ptr_equal(usb_find_device(hub_dev(f), 0), kbd);
	assert_int_equal(control_write(kbd, 0x00, REQ_SET_ADDRESS, 3, 0), 0);
	assert_ptr_equal(usb_find_device(hub_dev(f), 2), tablet);
	assert_ptr_equal(usb_find_device(hub_dev(f), 3), kbd);
	assert_null(usb_find_device(hub_dev(f), 4));

	/* ClearPortFeature(ENABLE): no change bit, and the device is cut off. */
	assert_int_equal(clear_port_feature(f, 1, F_PORT_ENABLE), 0);
	expect_port(f, 1, 0x0101, 0);
	assert_null(usb_find_device(hub_dev(f), 2));
	assert_ptr_equal(usb_find_device(hub_dev(f), 3), kbd);
	assert_int_equal(tablet->addr, 2);

	/* A reset on an empty port: C_RESET, no ENABLE. */
	assert_int_equal(set_port_feature(f, 5, F_PORT_RESET), 0);
	expect_port(f, 5, 0x0100, 0x0010);

	/* The hub itself must answer: not in DEFAULT (re-attached), nothing below either. */
	usb_device_attach(hub_dev(f));
	assert_int_equal(f->hub.dev.state, USB_STATE_ATTACHED);
	assert_null(usb_find_device(hub_dev(f), 3));
	/* Its reset disables every port but leaves the devices below alone. */
	usb_device_reset(hub_dev(f));
	assert_null(usb_find_device(hub_dev(f), 3));
	assert_int_equal(kbd->addr, 3);
	assert_int_equal(kbd->state, USB_STATE_DEFAULT);
	expect_port(f, 2, 0x0101, 0x0001);
	expect_port(f, 5, 0x0100, 0);
	/* Hub at address 0 now: 0 is the hub, the keyboard is back once its port is reset. */
	assert_ptr_equal(usb_find_device(hub_dev(f), 0), hub_dev(f));
	assert_int_equal(set_port_feature(f, 2, F_PORT_RESET), 0);
	assert_int_equal(kbd->addr, 0);
	address_hub(f, 1);
	assert_ptr_equal(usb_find_device(hub_dev(f), 0), kbd);
	destroy(f);
}

static void test_detach(void **state)
{
	struct fixture *f = make();
	struct usb_device *kbd = &f->kbd.dev;

	(void)state;
	address_hub(f, 1);
	plug_both(f);
	reset_and_ack(f, 2);
	assert_int_equal(control_write(kbd, 0x00, REQ_SET_ADDRESS, 3, 0), 0);
	assert_int_equal(set_port_feature(f, 2, F_PORT_SUSPEND), 0);
	expect_port(f, 2, 0x0107, 0);

	/* Unplugged: CONNECTION, ENABLE and SUSPEND go, each with its change bit. */
	usb_hub_detach(&f->hub, 1);
	expect_port(f, 2, 0x0100, 0x0007);
	assert_false(kbd->attached);
	assert_int_equal(kbd->state, USB_STATE_NOTATTACHED);
	assert_null(kbd->port_ops);
	assert_null(f->hub.child[1]);
	assert_null(usb_find_device(hub_dev(f), 3));
	expect_bitmap(f, 2, BYTES(0x06, 0x00));
	/* Nothing more to unplug there, nor on a port that does not exist. */
	usb_hub_detach(&f->hub, 1);
	usb_hub_detach(&f->hub, 8);
	usb_hub_detach(&f->hub, 0xffffffffu);
	expect_port(f, 2, 0x0100, 0x0007);
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_CONNECTION), 0);
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_ENABLE), 0);
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_SUSPEND), 0);
	expect_port(f, 2, 0x0100, 0);

	/* Plugged back in: a new connection. */
	assert_int_equal(usb_hub_attach(&f->hub, 1, kbd), 0);
	expect_port(f, 2, 0x0101, 0x0001);
	assert_int_equal(kbd->state, USB_STATE_ATTACHED);
	assert_ptr_equal(kbd->port_owner, &f->hub);
	assert_int_equal(kbd->port, 1);

	/* Refused: a port out of range or taken, no device, a device already plugged. */
	usb_hub_detach(&f->hub, 0);
	assert_false(f->tablet.dev.attached);
	assert_int_equal(usb_hub_attach(&f->hub, 8, &f->tablet.dev), -1);
	assert_int_equal(usb_hub_attach(&f->hub, 0xffffffffu, &f->tablet.dev), -1);
	assert_int_equal(usb_hub_attach(&f->hub, 1, &f->tablet.dev), -1);
	assert_int_equal(usb_hub_attach(&f->hub, 3, NULL), -1);
	assert_int_equal(usb_hub_attach(&f->hub, 3, kbd), -1);
	assert_int_equal(usb_hub_attach(&f->hub, 3, hub_dev(f)), -1);
	expect_port(f, 4, 0x0100, 0);
	assert_false(f->tablet.dev.attached);
	assert_null(f->hub.child[0]);
	destroy(f);
}

static void test_bad_requests(void **state)
{
	static const uint16_t bad_ports[] = { 0, 9, 0x0101, 0xffff };
	struct fixture *f = make();
	uint8_t buf[8];

	(void)state;
	plug_both(f);
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		uint16_t port = bad_ports[i];

		/* An IN request stalls its SETUP; the OUT ones their status stage. */
		assert_int_equal(control_read(hub_dev(f), RT_PORT_IN, REQ_GET_STATUS, 0, port, 4,
					      buf), USB_STALL);
		assert_int_equal(set_port_feature(f, port, F_PORT_RESET), USB_STALL);
		assert_int_equal(set_port_feature(f, port, F_PORT_SUSPEND), USB_STALL);
		assert_int_equal(clear_port_feature(f, port, F_C_PORT_CONNECTION), USB_STALL);
		assert_int_equal(clear_port_feature(f, port, F_PORT_ENABLE), USB_STALL);
	}
	/* Features a port cannot be told to set or clear. */
	assert_int_equal(set_port_feature(f, 1, F_PORT_CONNECTION), USB_STALL);
	assert_int_equal(set_port_feature(f, 1, F_PORT_ENABLE), USB_STALL);
	assert_int_equal(set_port_feature(f, 1, F_PORT_OVERCURRENT), USB_STALL);
	assert_int_equal(set_port_feature(f, 1, F_PORT_LOW_SPEED), USB_STALL);
	assert_int_equal(set_port_feature(f, 1, F_C_PORT_CONNECTION), USB_STALL);
	assert_int_equal(set_port_feature(f, 1, 0xffff), USB_STALL);
	assert_int_equal(clear_port_feature(f, 1, F_PORT_CONNECTION), USB_STALL);
	assert_int_equal(clear_port_feature(f, 1, F_PORT_RESET), USB_STALL);
	assert_int_equal(clear_port_feature(f, 1, F_PORT_LOW_SPEED), USB_STALL);
	assert_int_equal(clear_port_feature(f, 1, 21), USB_STALL);
	assert_int_equal(clear_port_feature(f, 1, 0xffff), USB_STALL);
	/* Port power is not switched: accepted, nothing changes. */
	assert_int_equal(set_port_feature(f, 1, F_PORT_POWER), 0);
	assert_int_equal(clear_port_feature(f, 1, F_PORT_POWER), 0);
	assert_int_equal(clear_port_feature(f, 3, F_PORT_POWER), 0);
	assert_int_equal(clear_port_feature(f, 1, F_C_PORT_OVERCURRENT), 0);
	expect_port(f, 1, 0x0101, 0x0001);
	expect_port(f, 3, 0x0100, 0);
	/* GetPortStatus cut to wLength; port 8 is valid. */
	assert_int_equal(control_read(hub_dev(f), RT_PORT_IN, REQ_GET_STATUS, 0, 2, 2, buf), 2);
	expect_bytes(buf, BYTES(0x01, 0x01));
	assert_int_equal(control_read(hub_dev(f), RT_PORT_IN, REQ_GET_STATUS, 0, 8, 64, buf), 4);
	expect_bytes(buf, BYTES(0x00, 0x01, 0x00, 0x00));
	/* The hub answers only in DEFAULT, like any device. */
	usb_device_detach(hub_dev(f));
	assert_int_equal(control_read(hub_dev(f), RT_PORT_IN, REQ_GET_STATUS, 0, 1, 4, buf),
			 USB_NODEV);
	destroy(f);
}

/* ------------------------------------------------------ suspend, wake-up */

static void test_suspend_resume(void **state)
{
	struct fixture *f = make();

	(void)state;
	plug_both(f);
	reset_and_ack(f, 1);
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_CONNECTION), 0);
	/* Suspending raises no change bit. */
	assert_int_equal(set_port_feature(f, 1, F_PORT_SUSPEND), 0);
	expect_port(f, 1, 0x0107, 0);
	expect_bitmap_status(f, 2, USB_NAK);
	assert_int_equal(set_port_feature(f, 1, F_PORT_SUSPEND), 0);
	expect_port(f, 1, 0x0107, 0);
	/* Resuming does: C_SUSPEND. */
	assert_int_equal(clear_port_feature(f, 1, F_PORT_SUSPEND), 0);
	expect_port(f, 1, 0x0103, 0x0004);
	expect_bitmap(f, 2, BYTES(0x02, 0x00));
	assert_int_equal(clear_port_feature(f, 1, F_C_PORT_SUSPEND), 0);
	expect_port(f, 1, 0x0103, 0);
	/* Resuming a port that is not suspended changes nothing. */
	assert_int_equal(clear_port_feature(f, 1, F_PORT_SUSPEND), 0);
	expect_port(f, 1, 0x0103, 0);
	/* An empty port can be suspended too (QEMU does not check). */
	assert_int_equal(set_port_feature(f, 6, F_PORT_SUSPEND), 0);
	expect_port(f, 6, 0x0104, 0);
	destroy(f);
}

static void test_wakeup(void **state)
{
	struct fixture *f = make();
	struct usb_device *kbd = &f->kbd.dev;
	struct usb_hid *k = &f->kbd;

	(void)state;
	address_hub(f, 1);
	/* Without remote wake-up on the hub, plugging and resets signal nothing upstream. */
	plug_both(f);
	reset_and_ack(f, 2);
	assert_int_equal(f->wakeups, 0);

	/* With it: every change the hub signals reaches its upstream port. */
	assert_int_equal(control_write(hub_dev(f), 0x00, REQ_SET_FEATURE, 1, 0), 0);
	assert_int_equal(set_port_feature(f, 1, F_PORT_RESET), 0);
	assert_int_equal(f->wakeups, 1);
	assert_int_equal(f->wakeup_port, 1);
	usb_hub_detach(&f->hub, 0);
	assert_int_equal(f->wakeups, 2);
	assert_int_equal(usb_hub_attach(&f->hub, 0, &f->tablet.dev), 0);
	assert_int_equal(f->wakeups, 3);

	/* The keyboard with remote wake-up, its port suspended: a key resumes it. */
	assert_int_equal(control_write(kbd, 0x00, REQ_SET_FEATURE, 1, 0), 0);
	assert_int_equal(set_port_feature(f, 2, F_PORT_SUSPEND), 0);
	expect_port(f, 2, 0x0107, 0);
	usb_hid_key(k, 0x1e, true);
	expect_port(f, 2, 0x0103, 0x0004);
	assert_int_equal(f->wakeups, 4);
	/* Not suspended: the hub has nothing to signal. */
	usb_hid_key(k, 0x1e, false);
	assert_int_equal(f->wakeups, 4);
	expect_port(f, 2, 0x0103, 0x0004);

	/* The keyboard without remote wake-up: its port stays suspended. */
	assert_int_equal(clear_port_feature(f, 2, F_C_PORT_SUSPEND), 0);
	assert_int_equal(control_write(kbd, 0x00, REQ_CLEAR_FEATURE, 1, 0), 0);
	assert_int_equal(set_port_feature(f, 2, F_PORT_SUSPEND), 0);
	usb_hid_key(k, 0x1f, true);
	expect_port(f, 2, 0x0107, 0);
	assert_int_equal(f->wakeups, 4);

	/* The hub without it: the port resumes, the upstream port hears nothing. */
	assert_int_equal(control_write(kbd, 0x00, REQ_SET_FEATURE, 1, 0), 0);
	assert_int_equal(control_write(hub_dev(f), 0x00, REQ_CLEAR_FEATURE, 1, 0), 0);
	usb_hid_key(k, 0x1f, false);
	expect_port(f, 2, 0x0103, 0x0004);
	assert_int_equal(f->wakeups, 4);

	/* A port number the hub does not have is ignored. */
	kbd->port_ops->wakeup(kbd->port_owner, USB_HUB_PORTS);
	kbd->port_ops->wakeup(kbd->port_owner, 0xffffffffu);
	assert_int_equal(f->wakeups, 4);
	destroy(f);
}

/* ------------------------------------------------------------ hub chains */

static void test_hub_chain(void **state)
{
	struct fixture *f = make();
	struct usb_hub *hubs = calloc(6, sizeof(*hubs));
	char err[128];

	(void)state;
	assert_non_null(hubs);
	address_hub(f, 1);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(usb_hub_init(&hubs[i], &(struct usb_hub_config){ .path = NULL },
					      err, sizeof(err)), 0);
	/* A second hub on port 3, the tablet below it: found through both. */
	assert_int_equal(usb_hub_attach(&f->hub, 2, &hubs[0].dev), 0);
	assert_int_equal(usb_hub_attach(&hubs[0], 0, &f->tablet.dev), 0);
	reset_and_ack(f, 3);
	assert_ptr_equal(usb_find_device(hub_dev(f), 0), &hubs[0].dev);
	assert_int_equal(control_write(&hubs[0].dev, 0x00, REQ_SET_ADDRESS, 4, 0), 0);
	assert_null(usb_find_device(hub_dev(f), 0));
	assert_int_equal(control_write(&hubs[0].dev, RT_PORT_OUT, REQ_SET_FEATURE, F_PORT_RESET, 1),
			 0);
	assert_ptr_equal(usb_find_device(hub_dev(f), 0), &f->tablet.dev);
	assert_ptr_equal(usb_find_device(hub_dev(f), 4), &hubs[0].dev);
	/* Disabling the outer port hides everything below it. */
	assert_int_equal(clear_port_feature(f, 3, F_PORT_ENABLE), 0);
	assert_null(usb_find_device(hub_dev(f), 0));
	assert_null(usb_find_device(hub_dev(f), 4));

	/* No loops: a hub cannot go below itself or below its own child. */
	usb_hub_detach(&hubs[0], 0);
	usb_device_detach(hub_dev(f));
	assert_int_equal(usb_hub_attach(&hubs[0], 1, hub_dev(f)), -1);
	assert_ptr_equal(f->hub.dev.port_ops, &root_port_ops);
	usb_device_attach(hub_dev(f));
	assert_int_equal(usb_hub_attach(&hubs[5], 0, &hubs[5].dev), -1);
	assert_false(hubs[5].dev.attached);
	/* QEMU's limit: five hubs in a chain (f's hub and hubs[0..3]), not six. */
	for (unsigned int i = 1; i < 4; i++)
		assert_int_equal(usb_hub_attach(&hubs[i - 1], 0, &hubs[i].dev), 0);
	assert_int_equal(usb_hub_attach(&hubs[3], 0, &hubs[4].dev), -1);
	/* A device still goes below the fifth. */
	assert_int_equal(usb_hub_attach(&hubs[3], 0, &f->tablet.dev), 0);
	/* Destroying a hub unplugs what is below it. */
	usb_hub_destroy(&hubs[3]);
	assert_false(f->tablet.dev.attached);
	assert_null(f->tablet.dev.port_ops);
	usb_hub_detach(&f->hub, 2);
	for (unsigned int i = 0; i < 6; i++)
		usb_hub_destroy(&hubs[i]);
	assert_false(hubs[1].dev.attached);
	free(hubs);
	destroy(f);
}

/* ----------------------------------------------------------- save records */

static void test_post_load(void **state)
{
	static const struct {
		uint16_t status, change;
		int result;
	} cases[] = {
		{ 0x0100, 0x0000, 0 },  /* empty */
		{ 0x0101, 0x0001, 0 },  /* S72's port 1 */
		{ 0x0103, 0x0013, 0 },  /* after a port reset */
		{ 0x0107, 0x0000, 0 },  /* suspended */
		{ 0x0104, 0x0000, 0 },  /* an empty port suspended */
		{ 0x0100, 0x0007, 0 },  /* after a detach */
		{ 0x0301, 0x0000, 0 },  /* low speed */
		{ 0x0200, 0x0000, -1 }, /* not powered */
		{ 0x0000, 0x0000, -1 },
		{ 0x0111, 0x0000, -1 }, /* RESET is never left set */
		{ 0x0109, 0x0000, -1 }, /* overcurrent is not emulated */
		{ 0x0100, 0x0008, -1 },
		{ 0x0102, 0x0000, -1 }, /* enabled without a connection */
		{ 0x0500, 0x0000, -1 }, /* unknown bits */
		{ 0x8100, 0x0000, -1 },
		{ 0x0100, 0x0020, -1 },
		{ 0x0100, 0x8000, -1 },
	};
	struct fixture *f = make();

	(void)state;
	plug_both(f);
	reset_and_ack(f, 1);
	assert_int_equal(usb_hub_post_load(&f->hub), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (unsigned int port = 0; port < USB_HUB_PORTS; port++) {
			/* Any port may carry the value. */
			f->hub.st.ports[port].status = cases[i].status;
			f->hub.st.ports[port].change = cases[i].change;
			if (usb_hub_post_load(&f->hub) != cases[i].result)
				fail_msg("%04x/%04x on port %u: expected %d", cases[i].status,
					 cases[i].change, port + 1, cases[i].result);
			/* Put the valid baseline back. */
			f->hub.st.ports[port].status = port < 2 ? 0x0101 : 0x0100;
			f->hub.st.ports[port].change = 0;
		}
	}
	/* A loaded state is what the guest sees and what addressing follows. */
	f->hub.st.ports[0].status = 0x0101;
	f->hub.st.ports[1].status = 0x0103;
	f->hub.st.ports[1].change = 0x0002;
	assert_int_equal(usb_hub_post_load(&f->hub), 0);
	expect_port(f, 2, 0x0103, 0x0002);
	expect_bitmap(f, 2, BYTES(0x04, 0x00));
	f->kbd.dev.state = USB_STATE_DEFAULT;
	f->kbd.dev.addr = 6;
	f->tablet.dev.state = USB_STATE_DEFAULT;
	f->tablet.dev.addr = 5;
	assert_ptr_equal(usb_find_device(hub_dev(f), 6), &f->kbd.dev);
	assert_null(usb_find_device(hub_dev(f), 5));
	/* ENABLE on a port with no device (another command line): nothing found, no crash. */
	usb_hub_detach(&f->hub, 1);
	f->hub.st.ports[1].status = 0x0103;
	assert_int_equal(usb_hub_post_load(&f->hub), 0);
	assert_null(usb_find_device(hub_dev(f), 6));
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_initial_status_and_bitmap),
		cmocka_unit_test(test_port_reset_and_addressing),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_suspend_resume),
		cmocka_unit_test(test_wakeup),
		cmocka_unit_test(test_hub_chain),
		cmocka_unit_test(test_post_load),
	};

	return cmocka_run_group_tests_name("usb_hub", tests, NULL, NULL);
}
