/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The USB core shared by host controllers and devices: a device is a state
 * (attached, reset, address), a control pipe on endpoint 0 run by the core
 * (usb.c: SETUP/IN/OUT stages and the standard requests) and a device's own
 * hooks for class requests and its other endpoints. Every transfer completes
 * synchronously: HID devices and hubs never hold a packet (QEMU's USB_RET_ASYNC
 * is not needed). Behaviour follows QEMU 7.2's hw/usb/core.c and desc.c, the
 * guests' reference (reference/11-nic-usb.md §7-10 has the facts and sources).
 */
#ifndef HVMDM_USB_H
#define HVMDM_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_TOKEN_SETUP 0x2d
#define USB_TOKEN_IN 0x69
#define USB_TOKEN_OUT 0xe1

/* Packet results (QEMU's USB_RET_* values, which saved queues never carry). */
enum usb_status {
	USB_OK = 0,
	USB_NODEV = -1,
	USB_NAK = -2,
	USB_STALL = -3,
	USB_BABBLE = -4,
	USB_IOERROR = -5,
};

enum usb_speed { USB_SPEED_LOW = 0, USB_SPEED_FULL = 1 };

/* Device state (QEMU's numbers: they are in the saved USBDevice part). */
#define USB_STATE_NOTATTACHED 0
#define USB_STATE_ATTACHED 1
#define USB_STATE_DEFAULT 3

/* Control pipe stages (QEMU's SETUP_STATE_* numbers, saved as such). */
#define USB_SETUP_IDLE 0
#define USB_SETUP_DATA 2
#define USB_SETUP_ACK 3

#define USB_CTRL_BUF 4096 /* the longest control data stage QEMU accepts */

/* bmRequestType << 8 | bRequest, as QEMU composes them. */
#define USB_REQ(type, req) (((unsigned int)(type) << 8) | (req))

struct usb_packet {
	uint8_t pid;      /* USB_TOKEN_* */
	uint8_t ep;       /* endpoint number 0..15 */
	uint8_t *data;    /* SETUP/OUT: the bytes sent; IN: room for len bytes */
	size_t len;       /* bytes sent, or the room an IN has */
	size_t actual;    /* bytes moved */
	int status;       /* enum usb_status */
};

struct usb_device;

struct usb_device_ops {
	/* Device reset (port reset, controller reset, GRESET): the class state. */
	void (*reset)(struct usb_device *dev);
	/* Attach to a port (power-on, controller reset): back to unconfigured. */
	void (*attach)(struct usb_device *dev);
	/*
	 * A control request the standard ones did not take. An IN request
	 * fills data (at most len bytes, len <= USB_CTRL_BUF) and returns the
	 * byte count; an OUT request gets its data stage in data/len and
	 * returns 0. USB_STALL refuses.
	 */
	int (*control)(struct usb_device *dev, unsigned int request, uint16_t value,
		       uint16_t index, uint8_t *data, size_t len);
	/* A packet for an endpoint other than 0: sets p->status and p->actual. */
	void (*data)(struct usb_device *dev, struct usb_packet *p);
	/* A hub: the device with this address below it, or NULL (hubs only). */
	struct usb_device *(*find)(struct usb_device *dev, uint8_t addr);
};

/* What a port owner (the UHCI, a hub) is told by the devices on it. */
struct usb_port_ops {
	/* A device with remote wake-up enabled has something to report. */
	void (*wakeup)(void *owner, unsigned int port);
	/*
	 * The device's state was not in the stream restored (qemu-xen-traditional
	 * saves none): show it unplugged and plugged in again, so the guest's
	 * driver enumerates it anew; the device is attached, unaddressed.
	 */
	void (*replug)(void *owner, unsigned int port);
};

struct usb_device {
	const struct usb_device_ops *ops;
	const char *name;            /* "usb-tablet", ... for logs */
	enum usb_speed speed;
	/* Descriptors and strings (hid.c builds them); read by the core. */
	const uint8_t *dev_desc;     /* 18 bytes */
	const uint8_t *config_desc;  /* whole configuration, wTotalLength bytes */
	size_t config_len;
	const uint8_t *qualifier;    /* 10 bytes, or NULL: no other-speed set */
	const uint8_t *other_speed;  /* other-speed configuration, or NULL */
	size_t other_speed_len;
	const uint8_t *bos;
	size_t bos_len;
	const char *const *strings;  /* index 1..nr_strings-1; NULL entries: none */
	unsigned int nr_strings;
	uint8_t serial_index;        /* iSerialNumber, answered from serial[] */
	char serial[64];
	bool msos;                   /* Microsoft OS descriptors (HID devices) */
	/* State (saved). */
	uint8_t state;               /* USB_STATE_* */
	uint8_t addr;
	uint8_t configuration;       /* bConfigurationValue, 0 unconfigured */
	bool remote_wakeup;
	uint8_t setup_state;         /* USB_SETUP_* */
	uint8_t setup_buf[8];
	uint32_t setup_len, setup_index;
	uint8_t data_buf[USB_CTRL_BUF];
	/* Where it is plugged. */
	const struct usb_port_ops *port_ops;
	void *port_owner;
	unsigned int port;
	bool attached;
};

/*
 * A device's saved core part: QEMU's USBDevice record (addr, state,
 * remote_wakeup, the control pipe's stage; spec §6.3) plus what QEMU
 * leaves out and hvmdm's own record keeps -- the configuration and the
 * data stage's bytes -- so a restore mid-transfer carries on.
 */
struct usb_device_state {
	uint8_t state;             /* USB_STATE_* */
	uint8_t addr;
	uint8_t configuration;
	bool remote_wakeup;
	uint8_t setup_state;       /* USB_SETUP_* */
	uint8_t setup_buf[8];
	uint32_t setup_len, setup_index;
	uint8_t data_buf[USB_CTRL_BUF];
	/* Set by a decoder, never saved: */
	bool data_lost;            /* the record had no data stage bytes: an IN stage is run again */
	bool replug;               /* the stream had no record for the device at all */
};

void usb_device_save_state(const struct usb_device *dev, struct usb_device_state *st);
/* Values this core could never have held: -1 with err naming the device and field. */
int usb_device_check_state(const struct usb_device *dev, const struct usb_device_state *st,
			   char *err, size_t errlen);
/* Commit a checked state (after the class part: a replug resets the class state). */
void usb_device_load_state(struct usb_device *dev, const struct usb_device_state *st);

/* Deliver one packet; p->status and p->actual say how it went. */
void usb_handle_packet(struct usb_device *dev, struct usb_packet *p);
/* A reset signalled on its port: state DEFAULT, address 0, class reset. */
void usb_device_reset(struct usb_device *dev);
/* Plugged into (or re-attached to) a port: attach hook, state ATTACHED. */
void usb_device_attach(struct usb_device *dev);
void usb_device_detach(struct usb_device *dev);
/* The device at addr on this device or below it (a hub), if answering. */
struct usb_device *usb_find_device(struct usb_device *dev, uint8_t addr);
/* A device's input event: remote wake-up through its port when enabled. */
void usb_device_wakeup(struct usb_device *dev);

#endif
