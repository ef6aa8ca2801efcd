/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * usb-hub as QEMU 7.2 presents it (hw/usb/dev-hub.c): a full-speed hub with
 * 8 downstream ports, the one QEMU inserts by itself when a device would
 * take a UHCI's last free root port. The guest sees QEMU's descriptors, its
 * port status/change rules (quirks included: a reset that enables a port
 * also raises C_ENABLE) and its status-change bitmap on endpoint 1. The
 * behaviour spec §4.5, §4.6, §4.8 and §6.6 has the facts.
 *
 * The hub is a device to its upstream port (dev, first member) and a port
 * owner to the devices below it: usb_hub_attach() plugs a device in, and a
 * packet reaches it through usb_find_device(&hub->dev, addr) only while its
 * hub port is enabled (a SetPortFeature(PORT_RESET) by the guest).
 */
#ifndef HVMDM_USB_HUB_H
#define HVMDM_USB_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/usb/usb.h"

#define USB_HUB_PORTS 8 /* QEMU's "ports" property default */

/* wPortStatus bits (USB 1.1 §11.16.2.6, QEMU's PORT_STAT_*). */
#define USB_HUB_PORT_CONNECTION 0x0001
#define USB_HUB_PORT_ENABLE 0x0002
#define USB_HUB_PORT_SUSPEND 0x0004
#define USB_HUB_PORT_OVERCURRENT 0x0008
#define USB_HUB_PORT_RESET 0x0010
#define USB_HUB_PORT_POWER 0x0100
#define USB_HUB_PORT_LOW_SPEED 0x0200

/* wPortChange bits: the low five status bits, each raised by its own change. */
#define USB_HUB_PORT_C_CONNECTION 0x0001
#define USB_HUB_PORT_C_ENABLE 0x0002
#define USB_HUB_PORT_C_SUSPEND 0x0004
#define USB_HUB_PORT_C_OVERCURRENT 0x0008
#define USB_HUB_PORT_C_RESET 0x0010

struct usb_hub_port_state {
	uint16_t status; /* wPortStatus, USB_HUB_PORT_* */
	uint16_t change; /* wPortChange, USB_HUB_PORT_C_* */
};

/*
 * What QEMU's usb-hub record carries besides the USB device part (spec
 * §6.6: 8 x {wPortStatus, wPortChange}, big-endian on the wire). A save
 * record copies it as it is; after a load, call usb_hub_post_load().
 */
struct usb_hub_state {
	struct usb_hub_port_state ports[USB_HUB_PORTS];
};

struct usb_hub_config {
	/* Controller PCI path and port for the serial, e.g. "0000:00:01.2-2"; NULL: none. */
	const char *path;
};

struct usb_hub {
	struct usb_device dev; /* first: the core and controllers see only this */
	struct usb_hub_state st;
	/* The devices plugged into the downstream ports (index = port number - 1). */
	struct usb_device *child[USB_HUB_PORTS];
};

/*
 * A hub, not attached to any port (state NOTATTACHED), its ports powered
 * and empty: the upstream port owner sets dev.port_ops/port_owner/port and
 * calls usb_device_attach() and usb_device_reset(). Returns 0, or -1 with
 * err filled (a path too long for the serial string).
 */
int usb_hub_init(struct usb_hub *hub, const struct usb_hub_config *cfg, char *err, size_t errlen);
/* Unplugs the devices below it (they must not call back into a freed hub). */
void usb_hub_destroy(struct usb_hub *hub);

static inline struct usb_hub *usb_hub_from_dev(struct usb_device *dev)
{
	return (struct usb_hub *)dev;
}

/*
 * Plug child into downstream port `port` (0..7, shown to the guest as
 * 1..8): the child is attached (state ATTACHED, it answers only after the
 * guest's port reset), the port shows a connection and the hub signals a
 * status change. -1 if the port is out of range or taken, or the child is
 * a hub that would close a loop or chain more than 5 hubs (QEMU's limit).
 */
int usb_hub_attach(struct usb_hub *hub, unsigned int port, struct usb_device *child);
/* Unplug the device on port `port` (0..7), if any: the port shows the disconnect. */
void usb_hub_detach(struct usb_hub *hub, unsigned int port);

/*
 * After usb_hub_state (and the USB device part) were loaded: -1 if a port
 * holds bits QEMU's hub could never have saved (unknown or never emulated
 * bits, RESET which is never left set, POWER missing, ENABLE without
 * CONNECTION); else 0. Nothing needs rebuilding: the state is only read.
 */
int usb_hub_post_load(struct usb_hub *hub);

/* A hub's whole saved state: the core part, then its ports. */
struct usb_hub_saved {
	struct usb_device_state dev;
	struct usb_hub_state hub;
};

void usb_hub_save_state(const struct usb_hub *hub, struct usb_hub_saved *st);
int usb_hub_check_state(const struct usb_hub *hub, const struct usb_hub_saved *st, char *err,
			size_t errlen);
void usb_hub_load_state(struct usb_hub *hub, const struct usb_hub_saved *st);

/* The machine's view of the hub (record usb-hub); its port resets it. */
extern const struct dev_ops usb_hub_ops;

#endif
