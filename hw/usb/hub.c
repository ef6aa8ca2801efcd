/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * usb-hub: QEMU 7.2's hub (hw/usb/dev-hub.c) with 8 ports and port-power
 * off, as the guest sees it: the descriptors (spec §4.5), strings (§4.6),
 * the port status and change bits with QEMU's set/clear rules, the class
 * requests and the status-change bitmap on endpoint 1 (§4.8). Like QEMU,
 * it never resets the devices below it itself: a guest's SetPortFeature
 * (PORT_RESET) does.
 */
#include "hub.h"

#include <stdio.h>
#include <string.h>

/* Class requests (bmRequestType << 8 | bRequest), QEMU 7.2 dev-hub.c names. */
#define HUB_CLEAR_ENDPOINT_FEATURE USB_REQ(0x02, 0x01)
#define HUB_GET_HUB_STATUS USB_REQ(0xa0, 0x00)
#define HUB_GET_HUB_DESCRIPTOR USB_REQ(0xa0, 0x06)
#define HUB_GET_PORT_STATUS USB_REQ(0xa3, 0x00)
#define HUB_SET_HUB_FEATURE USB_REQ(0x20, 0x03)
#define HUB_CLEAR_HUB_FEATURE USB_REQ(0x20, 0x01)
#define HUB_SET_PORT_FEATURE USB_REQ(0x23, 0x03)
#define HUB_CLEAR_PORT_FEATURE USB_REQ(0x23, 0x01)

/* Port feature selectors (USB 1.1 table 11-13). */
#define FEAT_PORT_ENABLE 1
#define FEAT_PORT_SUSPEND 2
#define FEAT_PORT_RESET 4
#define FEAT_PORT_POWER 8
#define FEAT_C_PORT_CONNECTION 16
#define FEAT_C_PORT_ENABLE 17
#define FEAT_C_PORT_SUSPEND 18
#define FEAT_C_PORT_OVERCURRENT 19
#define FEAT_C_PORT_RESET 20

/* Status bits below this mask have a change bit of the same value (QEMU's set/clear). */
#define CHANGE_TRACKED 0x1f

#define STATUS_EP 1
/* The bitmap: bit 0 for the hub, then one bit per port (QEMU: (nports + 1 + 7) / 8). */
#define BITMAP_LEN ((USB_HUB_PORTS + 1 + 7) / 8)
#define MAX_HUB_CHAIN 5 /* QEMU refuses a hub whose port already has 5 hubs above it */

/* ------------------------------------------------------------ descriptors */

/* QEMU 7.2 hw/usb/dev-hub.c desc_device_hub: bcdUSB 1.10, class 9, 0409:55aa, bcdDevice 1.01. */
static const uint8_t hub_device[18] = {
	0x12, 0x01, 0x10, 0x01, 0x09, 0x00, 0x00, 0x08, 0x09, 0x04, 0xaa, 0x55,
	0x01, 0x01, 0x01, 0x02, 0x03, 0x01,
};

/*
 * QEMU 7.2 dev-hub.c desc_iface_hub: self-powered with remote wake-up, one
 * interface of class 9 and the status-change endpoint: EP1 IN interrupt,
 * wMaxPacketSize = the bitmap's 2 bytes, bInterval 255.
 */
static const uint8_t hub_config[25] = {
	0x09, 0x02, 0x19, 0x00, 0x01, 0x01, 0x00, 0xe0, 0x00,
	0x09, 0x04, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00,
	0x07, 0x05, 0x81, 0x03, BITMAP_LEN, 0x00, 0xff,
};

/* No high-speed set, so QEMU's BOS is the bare 5-byte header (spec §4.4). */
static const uint8_t hub_bos[5] = { 0x05, 0x0f, 0x05, 0x00, 0x00 };

#define HUB_SERIAL_INDEX 3

/* QEMU 7.2 dev-hub.c desc_strings; the serial entry is overridden by the generated one. */
static const char *const hub_strings[] = {
	[1] = "QEMU",
	[2] = "QEMU USB Hub",
	[HUB_SERIAL_INDEX] = "314159",
};

/* ------------------------------------------------------------ port bits */

static struct usb_hub *hub_of(struct usb_device *dev)
{
	return usb_hub_from_dev(dev);
}

/*
 * QEMU 7.2 dev-hub.c usb_hub_port_set: a status bit going 0 -> 1 raises the
 * change bit of the same value if it has one, even ENABLE (which a real hub
 * never reports as changed). True if the bit changed.
 */
static bool port_set(struct usb_hub_port_state *ps, uint16_t bit)
{
	if (ps->status & bit)
		return false;
	ps->status |= bit;
	if (bit & CHANGE_TRACKED)
		ps->change |= bit;
	return true;
}

/* QEMU 7.2 dev-hub.c usb_hub_port_clear: the same for a 1 -> 0 change. */
static bool port_clear(struct usb_hub_port_state *ps, uint16_t bit)
{
	if (!(ps->status & bit))
		return false;
	ps->status &= (uint16_t)~bit;
	if (bit & CHANGE_TRACKED)
		ps->change |= bit;
	return true;
}

/* QEMU 7.2 dev-hub.c usb_hub_port_update: show an attached device and its speed. */
static void port_update(struct usb_hub *hub, unsigned int port)
{
	struct usb_hub_port_state *ps = &hub->st.ports[port];
	struct usb_device *child = hub->child[port];

	if (!child || !child->attached)
		return;
	port_set(ps, USB_HUB_PORT_CONNECTION);
	if (child->speed == USB_SPEED_LOW)
		port_set(ps, USB_HUB_PORT_LOW_SPEED);
	else
		port_clear(ps, USB_HUB_PORT_LOW_SPEED);
}

/* A status change to report: QEMU's usb_wakeup on EP1, which needs remote wake-up on. */
static void signal_change(struct usb_hub *hub)
{
	usb_device_wakeup(&hub->dev);
}

/* ------------------------------------------------------- downstream ports */

/* A device below us has input while remote wake-up is on (QEMU 7.2 dev-hub.c usb_hub_wakeup). */
static void downstream_wakeup(void *owner, unsigned int port)
{
	struct usb_hub *hub = owner;

	if (!hub || port >= USB_HUB_PORTS)
		return;
	if (port_clear(&hub->st.ports[port], USB_HUB_PORT_SUSPEND))
		signal_change(hub);
}

/* The device below lost its state in the restore: unplugged and plugged again (QEMU's detach, attach). */
static void downstream_replug(void *owner, unsigned int port)
{
	struct usb_hub *hub = owner;
	struct usb_hub_port_state *ps;

	if (!hub || port >= USB_HUB_PORTS || !hub->child[port])
		return;
	ps = &hub->st.ports[port];
	port_clear(ps, USB_HUB_PORT_CONNECTION);
	port_clear(ps, USB_HUB_PORT_ENABLE);
	port_clear(ps, USB_HUB_PORT_SUSPEND);
	usb_device_attach(hub->child[port]);
	port_update(hub, port);
	signal_change(hub);
}

static const struct usb_port_ops hub_port_ops = { .wakeup = downstream_wakeup, .replug = downstream_replug };

/* The hub this device hangs from, if its port is a hub's. */
static struct usb_hub *parent_hub(const struct usb_device *dev)
{
	if (dev->port_ops != &hub_port_ops)
		return NULL;
	return dev->port_owner;
}

/* Hubs from the root port down to this one, itself included (QEMU's port hubcount). */
static unsigned int hub_depth(const struct usb_hub *hub)
{
	unsigned int depth = 1;

	while ((hub = parent_hub(&hub->dev)) && depth <= MAX_HUB_CHAIN)
		depth++;
	return depth;
}

static bool is_ancestor_or_self(const struct usb_hub *hub, const struct usb_device *dev)
{
	unsigned int steps;

	for (steps = 0; hub && steps <= MAX_HUB_CHAIN; steps++, hub = parent_hub(&hub->dev))
		if (&hub->dev == dev)
			return true;
	return false;
}

static const struct usb_device_ops hub_ops;

int usb_hub_attach(struct usb_hub *hub, unsigned int port, struct usb_device *child)
{
	if (port >= USB_HUB_PORTS || !child || hub->child[port] || child->attached)
		return -1;
	if (child->ops == &hub_ops) {
		/* find() recurses through hubs: no loops, and QEMU's depth limit. */
		if (is_ancestor_or_self(hub, child) || hub_depth(hub) >= MAX_HUB_CHAIN)
			return -1;
	}
	hub->child[port] = child;
	child->port_ops = &hub_port_ops;
	child->port_owner = hub;
	child->port = port;
	usb_device_attach(child);
	/* QEMU 7.2 dev-hub.c usb_hub_attach. */
	port_update(hub, port);
	signal_change(hub);
	return 0;
}

void usb_hub_detach(struct usb_hub *hub, unsigned int port)
{
	struct usb_hub_port_state *ps;
	struct usb_device *child;

	if (port >= USB_HUB_PORTS || !hub->child[port])
		return;
	ps = &hub->st.ports[port];
	child = hub->child[port];
	/*
	 * QEMU 7.2 dev-hub.c usb_hub_detach. Its first step, telling the
	 * controller to drop the device's queued packets, has nothing to do
	 * here: transfers complete at once.
	 */
	port_clear(ps, USB_HUB_PORT_CONNECTION);
	port_clear(ps, USB_HUB_PORT_ENABLE);
	port_clear(ps, USB_HUB_PORT_SUSPEND);
	signal_change(hub);
	usb_device_detach(child);
	child->port_ops = NULL;
	child->port_owner = NULL;
	hub->child[port] = NULL;
}

/* ------------------------------------------------------------- USB hooks */

/*
 * QEMU 7.2 dev-hub.c usb_hub_handle_reset (also run at realize): every port
 * powered, with only the connections of the devices plugged in. The
 * devices themselves are not reset.
 */
static void hub_reset(struct usb_device *dev)
{
	struct usb_hub *hub = hub_of(dev);

	for (unsigned int port = 0; port < USB_HUB_PORTS; port++) {
		struct usb_hub_port_state *ps = &hub->st.ports[port];

		ps->status = 0;
		ps->change = 0;
		port_set(ps, USB_HUB_PORT_POWER); /* above the tracked bits: no change bit */
		port_update(hub, port);
	}
}

/* A copy of a reply cut to the request's wLength, as the core expects. */
static int reply(uint8_t *data, size_t len, const uint8_t *bytes, size_t n)
{
	if (n > len)
		n = len;
	memcpy(data, bytes, n);
	return (int)n;
}

/* QEMU 7.2 dev-hub.c: the hub class descriptor built for the port count. */
static int hub_descriptor(uint8_t *data, size_t len)
{
	uint8_t desc[7 + 2 * BITMAP_LEN];
	size_t n = 0, i;

	desc[n++] = 0;            /* bLength, filled in below */
	desc[n++] = 0x29;         /* bDescriptorType: hub */
	desc[n++] = USB_HUB_PORTS;
	desc[n++] = 0x0a;         /* wHubCharacteristics: no power switching, */
	desc[n++] = 0x00;         /* per-port overcurrent, not compound */
	desc[n++] = 0x01;         /* bPwrOn2PwrGood: 2 ms */
	desc[n++] = 0x00;         /* bHubContrCurrent */
	/* DeviceRemovable: one bit per port after the reserved bit 0, all removable. */
	for (i = 0; i < (USB_HUB_PORTS + 1 + 7) / 8; i++)
		desc[n++] = 0x00;
	/* PortPwrCtrlMask: USB 1.1 keeps it, all ones. */
	for (i = 0; i < (USB_HUB_PORTS + 7) / 8; i++)
		desc[n++] = 0xff;
	desc[0] = (uint8_t)n;
	return reply(data, len, desc, n);
}

/* The 0-based port a wIndex names (1..8), or -1: wIndex is the guest's. */
static int port_index(uint16_t index)
{
	if (index < 1 || index > USB_HUB_PORTS)
		return -1;
	return index - 1;
}

/* SetPortFeature (QEMU 7.2 dev-hub.c usb_hub_handle_control). */
static int set_port_feature(struct usb_hub *hub, unsigned int port, uint16_t feature)
{
	struct usb_hub_port_state *ps = &hub->st.ports[port];
	struct usb_device *child = hub->child[port];

	switch (feature) {
	case FEAT_PORT_SUSPEND:
		/* Set directly: suspending raises no C_SUSPEND, only resuming does. */
		ps->status |= USB_HUB_PORT_SUSPEND;
		return 0;
	case FEAT_PORT_RESET:
		/* A reset that completes at once: C_RESET, and C_ENABLE if it enables. */
		port_set(ps, USB_HUB_PORT_RESET);
		port_clear(ps, USB_HUB_PORT_RESET);
		if (child && child->attached) {
			usb_device_reset(child);
			port_set(ps, USB_HUB_PORT_ENABLE);
		}
		signal_change(hub);
		return 0;
	case FEAT_PORT_POWER:
		/* Ports are always powered (port-power off): accepted, nothing to do. */
		return 0;
	default:
		return USB_STALL;
	}
}

/* ClearPortFeature (QEMU 7.2 dev-hub.c usb_hub_handle_control). */
static int clear_port_feature(struct usb_hub *hub, unsigned int port, uint16_t feature)
{
	struct usb_hub_port_state *ps = &hub->st.ports[port];

	switch (feature) {
	case FEAT_PORT_ENABLE:
		/* Disabled by the host: no change bit (it is not a change the hub saw). */
		ps->status &= (uint16_t)~USB_HUB_PORT_ENABLE;
		return 0;
	case FEAT_PORT_SUSPEND:
		port_clear(ps, USB_HUB_PORT_SUSPEND);
		return 0;
	case FEAT_PORT_POWER:
		/* Port-power off: the ports stay powered. */
		return 0;
	case FEAT_C_PORT_CONNECTION:
		ps->change &= (uint16_t)~USB_HUB_PORT_C_CONNECTION;
		return 0;
	case FEAT_C_PORT_ENABLE:
		ps->change &= (uint16_t)~USB_HUB_PORT_C_ENABLE;
		return 0;
	case FEAT_C_PORT_SUSPEND:
		ps->change &= (uint16_t)~USB_HUB_PORT_C_SUSPEND;
		return 0;
	case FEAT_C_PORT_OVERCURRENT:
		ps->change &= (uint16_t)~USB_HUB_PORT_C_OVERCURRENT;
		return 0;
	case FEAT_C_PORT_RESET:
		ps->change &= (uint16_t)~USB_HUB_PORT_C_RESET;
		return 0;
	default:
		return USB_STALL;
	}
}

/* Class requests (QEMU 7.2 dev-hub.c usb_hub_handle_control, after the standard ones). */
static int hub_control(struct usb_device *dev, unsigned int request, uint16_t value,
		       uint16_t index, uint8_t *data, size_t len)
{
	static const uint8_t hub_status[4]; /* no local power or overcurrent, no changes */
	struct usb_hub *hub = hub_of(dev);
	int port;

	switch (request) {
	case HUB_CLEAR_ENDPOINT_FEATURE:
		/* ENDPOINT_HALT only on the status endpoint; other selectors pass. */
		if (value == 0 && index != (0x80 | STATUS_EP))
			return USB_STALL;
		return 0;
	case HUB_GET_HUB_STATUS:
		return reply(data, len, hub_status, sizeof(hub_status));
	case HUB_GET_HUB_DESCRIPTOR:
		/* wValue (type and index) is not checked. */
		return hub_descriptor(data, len);
	case HUB_GET_PORT_STATUS: {
		const struct usb_hub_port_state *ps;
		uint8_t buf[4];

		port = port_index(index);
		if (port < 0)
			return USB_STALL;
		ps = &hub->st.ports[port];
		buf[0] = (uint8_t)ps->status;
		buf[1] = (uint8_t)(ps->status >> 8);
		buf[2] = (uint8_t)ps->change;
		buf[3] = (uint8_t)(ps->change >> 8);
		return reply(data, len, buf, sizeof(buf));
	}
	case HUB_SET_HUB_FEATURE:
	case HUB_CLEAR_HUB_FEATURE:
		/* C_HUB_LOCAL_POWER and C_HUB_OVER_CURRENT: nothing to change. */
		return value <= 1 ? 0 : USB_STALL;
	case HUB_SET_PORT_FEATURE:
		port = port_index(index);
		if (port < 0)
			return USB_STALL;
		return set_port_feature(hub, (unsigned int)port, value);
	case HUB_CLEAR_PORT_FEATURE:
		port = port_index(index);
		if (port < 0)
			return USB_STALL;
		return clear_port_feature(hub, (unsigned int)port, value);
	default:
		return USB_STALL;
	}
}

/*
 * Endpoint 1 IN, the status-change bitmap (QEMU 7.2 dev-hub.c
 * usb_hub_handle_data): bit n for port n with any change bit, bit 0 (the
 * hub's own changes) never; NAK while nothing changed. A 1-byte TD gets
 * one byte, as QEMU lets FreeBSD have it, so port 8 is then not shown (and
 * a change on port 8 alone reads as 00). Otherwise a TD shorter than the
 * bitmap is babble.
 */
static void hub_data(struct usb_device *dev, struct usb_packet *p)
{
	struct usb_hub *hub = hub_of(dev);
	uint32_t bitmap = 0;
	size_t n = BITMAP_LEN;

	if (p->pid != USB_TOKEN_IN || p->ep != STATUS_EP) {
		p->status = USB_STALL;
		return;
	}
	if (p->len == 1) {
		n = 1;
	} else if (p->len < n) {
		p->status = USB_BABBLE;
		return;
	}
	for (unsigned int port = 0; port < USB_HUB_PORTS; port++)
		if (hub->st.ports[port].change)
			bitmap |= 1u << (port + 1);
	if (!bitmap) {
		p->status = USB_NAK;
		return;
	}
	for (size_t i = 0; i < n; i++)
		p->data[i] = (uint8_t)(bitmap >> (8 * i));
	p->actual = n;
	p->status = USB_OK;
}

/*
 * QEMU 7.2 dev-hub.c usb_hub_find_device: the devices on enabled ports,
 * each answering for itself or (a hub) for those below it.
 */
static struct usb_device *hub_find(struct usb_device *dev, uint8_t addr)
{
	struct usb_hub *hub = hub_of(dev);

	for (unsigned int port = 0; port < USB_HUB_PORTS; port++) {
		struct usb_device *found;

		if (!(hub->st.ports[port].status & USB_HUB_PORT_ENABLE) || !hub->child[port])
			continue;
		found = usb_find_device(hub->child[port], addr);
		if (found)
			return found;
	}
	return NULL;
}

static const struct usb_device_ops hub_ops = {
	.reset = hub_reset,
	.control = hub_control,
	.data = hub_data,
	.find = hub_find,
};

/* ------------------------------------------------------------ lifecycle */

int usb_hub_init(struct usb_hub *hub, const struct usb_hub_config *cfg, char *err, size_t errlen)
{
	struct usb_device *dev = &hub->dev;
	const char *prefix = hub_strings[HUB_SERIAL_INDEX];
	int len;

	memset(hub, 0, sizeof(*hub));
	dev->ops = &hub_ops;
	dev->name = "usb-hub";
	dev->speed = USB_SPEED_FULL;
	dev->dev_desc = hub_device;
	dev->config_desc = hub_config;
	dev->config_len = sizeof(hub_config);
	dev->bos = hub_bos;
	dev->bos_len = sizeof(hub_bos);
	dev->strings = hub_strings;
	dev->nr_strings = sizeof(hub_strings) / sizeof(hub_strings[0]);
	dev->serial_index = HUB_SERIAL_INDEX;
	dev->msos = false;
	dev->state = USB_STATE_NOTATTACHED;

	/* QEMU 7.2 hw/usb/desc.c usb_desc_create_serial; the hub has no serial property. */
	if (cfg && cfg->path)
		len = snprintf(dev->serial, sizeof(dev->serial), "%s-%s", prefix, cfg->path);
	else
		len = snprintf(dev->serial, sizeof(dev->serial), "%s", prefix);
	if (len < 0 || (size_t)len >= sizeof(dev->serial)) {
		snprintf(err, errlen, "usb-hub: serial number longer than %zu characters",
			 sizeof(dev->serial) - 1);
		return -1;
	}
	/* QEMU's realize runs the hub reset: ports powered from the start. */
	hub_reset(dev);
	return 0;
}

void usb_hub_destroy(struct usb_hub *hub)
{
	for (unsigned int port = 0; port < USB_HUB_PORTS; port++) {
		struct usb_device *child = hub->child[port];

		if (!child)
			continue;
		usb_device_detach(child);
		child->port_ops = NULL;
		child->port_owner = NULL;
		hub->child[port] = NULL;
	}
}

/* Status bits this hub can ever leave set (RESET is set and cleared in one request). */
#define STATUS_POSSIBLE (USB_HUB_PORT_CONNECTION | USB_HUB_PORT_ENABLE | \
			 USB_HUB_PORT_SUSPEND | USB_HUB_PORT_POWER | USB_HUB_PORT_LOW_SPEED)
/* Overcurrent is never emulated, so neither is its change bit. */
#define CHANGE_POSSIBLE (USB_HUB_PORT_C_CONNECTION | USB_HUB_PORT_C_ENABLE | \
			 USB_HUB_PORT_C_SUSPEND | USB_HUB_PORT_C_RESET)

/* The port whose saved bits the hub could never have held, or -1 if none. */
static int impossible_port(const struct usb_hub_state *hs)
{
	for (unsigned int port = 0; port < USB_HUB_PORTS; port++) {
		const struct usb_hub_port_state *ps = &hs->ports[port];

		if ((ps->status & (uint16_t)~STATUS_POSSIBLE) ||
		    (ps->change & (uint16_t)~CHANGE_POSSIBLE))
			return (int)port;
		/* Port-power off: powered since realize, and nothing removes it. */
		if (!(ps->status & USB_HUB_PORT_POWER))
			return (int)port;
		/* Only a reset with a device connected enables; a disconnect disables. */
		if ((ps->status & USB_HUB_PORT_ENABLE) && !(ps->status & USB_HUB_PORT_CONNECTION))
			return (int)port;
	}
	return -1;
}

int usb_hub_post_load(struct usb_hub *hub)
{
	return impossible_port(&hub->st) < 0 ? 0 : -1;
}

/* ------------------------------------------------------------ saved state */

void usb_hub_save_state(const struct usb_hub *hub, struct usb_hub_saved *st)
{
	memset(st, 0, sizeof(*st));
	usb_device_save_state(&hub->dev, &st->dev);
	st->hub = hub->st;
}

int usb_hub_check_state(const struct usb_hub *hub, const struct usb_hub_saved *st, char *err,
			size_t errlen)
{
	int port;

	if (usb_device_check_state(&hub->dev, &st->dev, err, errlen))
		return -1;
	if (st->dev.replug)
		return 0;
	port = impossible_port(&st->hub);
	if (port >= 0) {
		snprintf(err, errlen, "usb-hub: port %d status %#x change %#x hold bits this hub never sets",
			 port + 1, st->hub.ports[port].status, st->hub.ports[port].change);
		return -1;
	}
	for (port = 0; port < USB_HUB_PORTS; port++)
		if ((st->hub.ports[port].status & USB_HUB_PORT_CONNECTION) && !hub->child[port]) {
			snprintf(err, errlen, "usb-hub: port %d has a device in the saved state but none here",
				 port + 1);
			return -1;
		}
	return 0;
}

void usb_hub_load_state(struct usb_hub *hub, const struct usb_hub_saved *st)
{
	if (st->dev.replug) {
		/* A new hub: its ports as realize leaves them, each device shown plugged in. */
		for (unsigned int port = 0; port < USB_HUB_PORTS; port++) {
			hub->st.ports[port] = (struct usb_hub_port_state){ .status = USB_HUB_PORT_POWER };
			port_update(hub, port);
		}
		usb_device_load_state(&hub->dev, &st->dev);
		return;
	}
	usb_device_load_state(&hub->dev, &st->dev);
	hub->st = st->hub;
}

DEV_OPS_DESTROY(usb_hub_destroy, struct usb_hub)
DEV_OPS_SAVE(usb_hub_save_state, struct usb_hub, struct usb_hub_saved)
DEV_OPS_CHECK(usb_hub_check_state, struct usb_hub, struct usb_hub_saved)
DEV_OPS_LOAD(usb_hub_load_state, struct usb_hub, struct usb_hub_saved)

const struct dev_ops usb_hub_ops = {
	.name = "usb-hub",
	.record = "usb-hub",
	.destroy = ops_destroy,
	.save = ops_save,
	.check = ops_check,
	.load = ops_load,
};
