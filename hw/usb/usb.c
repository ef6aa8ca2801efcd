/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The USB device core: device state (attach, reset, address), the control
 * pipe on endpoint 0 and the standard requests every device shares, as QEMU
 * 7.2's hw/usb/core.c, bus.c, desc.c and desc-msos.c answer them. The quirks
 * guests have seen are kept on purpose: an IN request is run at SETUP time
 * (a refusal stalls the SETUP TD), an OUT request at the status stage, an
 * unknown string index is a 0-byte reply, SET_CONFIGURATION never fails, a
 * status OUT before the IN data is all read stalls.
 */
#include "usb.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

/* bmRequestType values the standard requests use. */
#define RT_DEVICE_OUT 0x00
#define RT_DEVICE_IN 0x80
#define RT_INTERFACE_OUT 0x01
#define RT_INTERFACE_IN 0x81
#define RT_VENDOR_DEVICE_IN 0xc0
#define RT_VENDOR_INTERFACE_IN 0xc1

#define REQ_GET_STATUS 0x00
#define REQ_CLEAR_FEATURE 0x01
#define REQ_SET_FEATURE 0x03
#define REQ_SET_ADDRESS 0x05
#define REQ_GET_DESCRIPTOR 0x06
#define REQ_GET_CONFIGURATION 0x08
#define REQ_SET_CONFIGURATION 0x09
#define REQ_GET_INTERFACE 0x0a
#define REQ_SET_INTERFACE 0x0b
#define REQ_MSOS 0x51 /* 'Q', the vendor code behind string 0xee */

#define DT_DEVICE 1
#define DT_CONFIG 2
#define DT_STRING 3
#define DT_INTERFACE 4
#define DT_DEVICE_QUALIFIER 6
#define DT_OTHER_SPEED_CONFIG 7
#define DT_BOS 15

#define FEATURE_DEVICE_REMOTE_WAKEUP 1
#define CONFIG_ATTR_SELF_POWERED 0x40
#define MSOS_STRING_INDEX 0xee

/* A standard request the core does not take: the device's class handler may. */
#define NOT_MINE (-100)

/* QEMU 7.2 hw/usb/desc-msos.c: the compat-ID descriptor, one function, IDs all zero. */
static const uint8_t msos_compat_id[40] = {
	0x28, 0x00, 0x00, 0x00, /* dwLength 40 */
	0x00, 0x01,             /* bcdVersion 1.00 */
	0x04, 0x00,             /* wIndex 4 */
	0x01,                   /* bCount */
	0, 0, 0, 0, 0, 0, 0,    /* reserved */
	0x00,                   /* bFirstInterfaceNumber */
	0x01,                   /* reserved, 1 */
	0, 0, 0, 0, 0, 0, 0, 0, /* compatibleID */
	0, 0, 0, 0, 0, 0, 0, 0, /* subCompatibleID */
	0, 0, 0, 0, 0, 0,       /* reserved */
};

/* Offsets of the extended-properties descriptor (QEMU 7.2 desc-msos.c layout). */
#define MSOS_PROP_HEADER 10
#define MSOS_PROP_LEN 82
/*
 * QEMU sizes the property with the wrong struct: dwSize says 72 and 6 zero
 * bytes follow the 66 real ones. Reproduced so the reply is byte-identical.
 */
#define MSOS_PROP_DWSIZE 72

static size_t msos_ext_props(uint8_t *out)
{
	static const char name[] = "SelectiveSuspendEnabled";
	uint8_t *p = out;
	size_t i;

	memset(out, 0, MSOS_PROP_LEN);
	/* Header: dwLength, bcdVersion 1.00, wIndex 5, wCount 1. */
	p[0] = MSOS_PROP_LEN;
	p[5] = 0x01;
	p[6] = 0x05;
	p[8] = 0x01;
	p += MSOS_PROP_HEADER;
	p[0] = MSOS_PROP_DWSIZE;
	p[4] = 4;                     /* REG_DWORD_LE */
	p[8] = sizeof(name) * 2;      /* name length in bytes, NUL included */
	p += 10;
	for (i = 0; i < sizeof(name); i++) {
		p[2 * i] = (uint8_t)name[i];
		p[2 * i + 1] = 0;
	}
	p += sizeof(name) * 2;
	p[0] = 4;                     /* data length */
	p[4] = 1;                     /* enabled */
	return MSOS_PROP_LEN;
}

static int msos_descriptor(uint16_t index, uint8_t *data, size_t len)
{
	uint8_t buf[MSOS_PROP_LEN];
	size_t n = 0;

	if (index == 4) {
		memcpy(buf, msos_compat_id, sizeof(msos_compat_id));
		n = sizeof(msos_compat_id);
	} else if (index == 5) {
		n = msos_ext_props(buf);
	}
	/* Any other wIndex: a 0-byte reply, as QEMU gives. */
	if (n > len)
		n = len;
	memcpy(data, buf, n);
	return (int)n;
}

/* Copy a descriptor, cut to what the request asked for. */
static int reply(uint8_t *data, size_t len, const uint8_t *desc, size_t desc_len)
{
	if (desc_len > len)
		desc_len = len;
	memcpy(data, desc, desc_len);
	return (int)desc_len;
}

/* An 8-bit string as a string descriptor in UTF-16LE; 0 bytes if it is absent. */
static int string_descriptor(const char *s, uint8_t *data, size_t len)
{
	uint8_t buf[256];
	size_t chars, i;

	if (!s)
		return 0;
	chars = strlen(s);
	if (chars > (sizeof(buf) - 2) / 2)
		chars = (sizeof(buf) - 2) / 2;
	buf[0] = (uint8_t)(2 + 2 * chars);
	buf[1] = DT_STRING;
	for (i = 0; i < chars; i++) {
		buf[2 + 2 * i] = (uint8_t)s[i];
		buf[3 + 2 * i] = 0;
	}
	return reply(data, len, buf, 2 + 2 * chars);
}

static const char *device_string(const struct usb_device *dev, uint8_t index)
{
	if (dev->serial_index && index == dev->serial_index)
		return dev->serial;
	if (dev->msos && index == MSOS_STRING_INDEX)
		return "MSFT100Q";
	if (dev->strings && index < dev->nr_strings)
		return dev->strings[index];
	return NULL;
}

/* QEMU 7.2 hw/usb/desc.c usb_desc_get_descriptor: wIndex (the language) is ignored. */
static int get_descriptor(struct usb_device *dev, uint16_t value, uint8_t *data, size_t len)
{
	static const uint8_t languages[4] = { 0x04, DT_STRING, 0x09, 0x04 }; /* US English */
	uint8_t type = value >> 8, index = value & 0xff;
	uint8_t buf[256];

	switch (type) {
	case DT_DEVICE:
		memcpy(buf, dev->dev_desc, 18);
		/* Microsoft OS descriptors need USB 2.0: QEMU raises bcdUSB with them. */
		if (dev->msos && (buf[2] | buf[3] << 8) < 0x0200) {
			buf[2] = 0x00;
			buf[3] = 0x02;
		}
		return reply(data, len, buf, 18);
	case DT_CONFIG:
		if (index >= dev->dev_desc[17])
			return USB_STALL;
		return reply(data, len, dev->config_desc, dev->config_len);
	case DT_STRING:
		if (index == 0)
			return reply(data, len, languages, sizeof(languages));
		return string_descriptor(device_string(dev, index), data, len);
	case DT_DEVICE_QUALIFIER:
		if (!dev->qualifier)
			return USB_STALL;
		return reply(data, len, dev->qualifier, 10);
	case DT_OTHER_SPEED_CONFIG:
		if (!dev->qualifier || !dev->other_speed || index >= dev->qualifier[8] ||
		    dev->other_speed_len < 2 || dev->other_speed_len > sizeof(buf))
			return USB_STALL;
		memcpy(buf, dev->other_speed, dev->other_speed_len);
		buf[1] = DT_OTHER_SPEED_CONFIG;
		return reply(data, len, buf, dev->other_speed_len);
	case DT_BOS:
		if (!dev->bos)
			return USB_STALL;
		return reply(data, len, dev->bos, dev->bos_len);
	default:
		/* DEBUG (10) and unknown types fall through to the class, which stalls. */
		return NOT_MINE;
	}
}

/* Interfaces of the current configuration: none while unconfigured (QEMU's ninterfaces). */
static unsigned int nr_interfaces(const struct usb_device *dev)
{
	if (!dev->configuration || dev->config_len < 9)
		return 0;
	return dev->config_desc[4];
}

/* Whether the configuration has interface `number` with alternate setting `alt`. */
static bool has_interface(const struct usb_device *dev, uint16_t number, uint16_t alt)
{
	size_t off = 0;

	if (!dev->configuration)
		return false;
	while (off + 4 <= dev->config_len && dev->config_desc[off] >= 2) {
		const uint8_t *d = dev->config_desc + off;

		if (d[1] == DT_INTERFACE && d[2] == number && d[3] == alt)
			return true;
		off += d[0];
	}
	return false;
}

/*
 * The standard requests (QEMU 7.2 hw/usb/desc.c usb_desc_handle_control): a
 * byte count (IN) or 0 (OUT), USB_STALL, or NOT_MINE for the class handler.
 */
static int standard_request(struct usb_device *dev, unsigned int request, uint16_t value,
			    uint16_t index, uint8_t *data, size_t len)
{
	switch (request) {
	case USB_REQ(RT_DEVICE_OUT, REQ_SET_ADDRESS):
		/* Not range-checked: QEMU stores the low byte. */
		dev->addr = value & 0xff;
		return 0;
	case USB_REQ(RT_DEVICE_IN, REQ_GET_DESCRIPTOR):
		return get_descriptor(dev, value, data, len);
	case USB_REQ(RT_DEVICE_IN, REQ_GET_CONFIGURATION): {
		uint8_t config = dev->configuration;

		return reply(data, len, &config, 1);
	}
	case USB_REQ(RT_DEVICE_OUT, REQ_SET_CONFIGURATION):
		/* A value naming no configuration succeeds and changes nothing (QEMU). */
		if (value == 0)
			dev->configuration = 0;
		else if (dev->config_len >= 9 && value == dev->config_desc[5])
			dev->configuration = (uint8_t)value;
		return 0;
	case USB_REQ(RT_DEVICE_IN, REQ_GET_STATUS): {
		/* Unconfigured: answered as the first configuration would be. */
		uint8_t status[2] = { 0, 0 };

		if (dev->config_len >= 9 && (dev->config_desc[7] & CONFIG_ATTR_SELF_POWERED))
			status[0] |= 0x01;
		if (dev->remote_wakeup)
			status[0] |= 0x02;
		return reply(data, len, status, 2);
	}
	case USB_REQ(RT_DEVICE_OUT, REQ_CLEAR_FEATURE):
		if (value != FEATURE_DEVICE_REMOTE_WAKEUP)
			return NOT_MINE;
		dev->remote_wakeup = false;
		return 0;
	case USB_REQ(RT_DEVICE_OUT, REQ_SET_FEATURE):
		if (value != FEATURE_DEVICE_REMOTE_WAKEUP)
			return NOT_MINE;
		dev->remote_wakeup = true;
		return 0;
	case USB_REQ(RT_INTERFACE_IN, REQ_GET_INTERFACE): {
		uint8_t alt = 0; /* only alternate setting 0 exists */

		if (index >= nr_interfaces(dev))
			return NOT_MINE;
		return reply(data, len, &alt, 1);
	}
	case USB_REQ(RT_INTERFACE_OUT, REQ_SET_INTERFACE):
		return has_interface(dev, index, value) ? 0 : NOT_MINE;
	case USB_REQ(RT_VENDOR_DEVICE_IN, REQ_MSOS):
	case USB_REQ(RT_VENDOR_INTERFACE_IN, REQ_MSOS):
		if (!dev->msos)
			return NOT_MINE;
		return msos_descriptor(index, data, len);
	default:
		/* SET_SEL and SET_ISOCH_DELAY are superspeed only: not here either. */
		return NOT_MINE;
	}
}

/* One control request with its data stage in data_buf[0..len). */
static int run_request(struct usb_device *dev, size_t len)
{
	const uint8_t *s = dev->setup_buf;
	unsigned int request = USB_REQ(s[0], s[1]);
	uint16_t value = (uint16_t)(s[2] | s[3] << 8);
	uint16_t index = (uint16_t)(s[4] | s[5] << 8);
	int ret;

	if (len > USB_CTRL_BUF)
		len = USB_CTRL_BUF;
	ret = standard_request(dev, request, value, index, dev->data_buf, len);
	if (ret != NOT_MINE)
		return ret;
	if (!dev->ops || !dev->ops->control)
		return USB_STALL;
	ret = dev->ops->control(dev, request, value, index, dev->data_buf, len);
	if (ret > (int)len)
		ret = (int)len; /* a device's mistake must not read beyond the buffer */
	return ret;
}

/* QEMU 7.2 hw/usb/core.c do_token_setup. */
static void control_setup(struct usb_device *dev, struct usb_packet *p)
{
	uint32_t wlength;
	int ret;

	if (p->len != sizeof(dev->setup_buf)) {
		p->status = USB_STALL;
		return;
	}
	memcpy(dev->setup_buf, p->data, sizeof(dev->setup_buf));
	dev->setup_index = 0;
	wlength = dev->setup_buf[6] | (uint32_t)dev->setup_buf[7] << 8;
	if (wlength > USB_CTRL_BUF) {
		log_guest(dev->name, "control request wLength %u exceeds %u: stalled",
			  wlength, USB_CTRL_BUF);
		p->status = USB_STALL;
		return;
	}
	dev->setup_len = wlength;

	if (dev->setup_buf[0] & 0x80) {
		/* IN: run now; a refusal stalls this SETUP and leaves the stage alone. */
		ret = run_request(dev, dev->setup_len);
		if (ret < 0) {
			p->status = USB_STALL;
			return;
		}
		if ((uint32_t)ret < dev->setup_len)
			dev->setup_len = (uint32_t)ret;
		dev->setup_state = USB_SETUP_DATA;
	} else {
		dev->setup_state = dev->setup_len ? USB_SETUP_DATA : USB_SETUP_ACK;
	}
	p->actual = sizeof(dev->setup_buf);
}

/* Bytes of the data stage still to move, bounded by the buffer (restored state). */
static size_t stage_remaining(const struct usb_device *dev, size_t room)
{
	uint32_t len = dev->setup_len > USB_CTRL_BUF ? USB_CTRL_BUF : dev->setup_len;
	size_t n;

	if (dev->setup_index >= len)
		return 0;
	n = len - dev->setup_index;
	return n < room ? n : room;
}

/* QEMU 7.2 hw/usb/core.c do_token_in on endpoint 0. */
static void control_in(struct usb_device *dev, struct usb_packet *p)
{
	bool dir_in = dev->setup_buf[0] & 0x80;
	size_t n;

	switch (dev->setup_state) {
	case USB_SETUP_ACK:
		if (!dir_in) {
			/* The status stage of an OUT request: it runs now. */
			dev->setup_state = USB_SETUP_IDLE;
			if (run_request(dev, dev->setup_len) < 0)
				p->status = USB_STALL;
		}
		/* An IN request's extra IN after its data: 0 bytes, no change. */
		break;
	case USB_SETUP_DATA:
		if (!dir_in) {
			dev->setup_state = USB_SETUP_IDLE;
			p->status = USB_STALL;
			break;
		}
		n = stage_remaining(dev, p->len);
		memcpy(p->data, dev->data_buf + dev->setup_index, n);
		p->actual = n;
		dev->setup_index += (uint32_t)n;
		if (dev->setup_index >= dev->setup_len)
			dev->setup_state = USB_SETUP_ACK;
		break;
	default:
		p->status = USB_STALL;
		break;
	}
}

/* QEMU 7.2 hw/usb/core.c do_token_out on endpoint 0. */
static void control_out(struct usb_device *dev, struct usb_packet *p)
{
	bool dir_in = dev->setup_buf[0] & 0x80;
	size_t n;

	switch (dev->setup_state) {
	case USB_SETUP_ACK:
		/* An IN request's status stage ends it; extra OUT data is ignored. */
		if (dir_in)
			dev->setup_state = USB_SETUP_IDLE;
		break;
	case USB_SETUP_DATA:
		if (dir_in) {
			/* A status OUT before all the IN data was read: QEMU stalls it. */
			dev->setup_state = USB_SETUP_IDLE;
			p->status = USB_STALL;
			break;
		}
		n = stage_remaining(dev, p->len);
		memcpy(dev->data_buf + dev->setup_index, p->data, n);
		p->actual = n;
		dev->setup_index += (uint32_t)n;
		if (dev->setup_index >= dev->setup_len)
			dev->setup_state = USB_SETUP_ACK;
		break;
	default:
		p->status = USB_STALL;
		break;
	}
}

void usb_handle_packet(struct usb_device *dev, struct usb_packet *p)
{
	p->status = USB_OK;
	p->actual = 0;
	if (!dev || dev->state != USB_STATE_DEFAULT) {
		p->status = USB_NODEV;
		return;
	}
	if (p->ep != 0) {
		if (dev->ops && dev->ops->data)
			dev->ops->data(dev, p);
		else
			p->status = USB_STALL;
		return;
	}
	switch (p->pid) {
	case USB_TOKEN_SETUP:
		control_setup(dev, p);
		break;
	case USB_TOKEN_IN:
		control_in(dev, p);
		break;
	case USB_TOKEN_OUT:
		control_out(dev, p);
		break;
	default:
		p->status = USB_STALL;
		break;
	}
}

void usb_device_reset(struct usb_device *dev)
{
	if (!dev || !dev->attached)
		return;
	if (dev->ops && dev->ops->reset)
		dev->ops->reset(dev);
	/* Neither the configuration nor the control stage: only attach resets those. */
	dev->remote_wakeup = false;
	dev->addr = 0;
	dev->state = USB_STATE_DEFAULT;
}

void usb_device_attach(struct usb_device *dev)
{
	if (!dev)
		return;
	dev->attached = true;
	dev->state = USB_STATE_ATTACHED;
	/* QEMU's usb_desc_attach: back to unconfigured. */
	dev->configuration = 0;
	if (dev->ops && dev->ops->attach)
		dev->ops->attach(dev);
}

void usb_device_detach(struct usb_device *dev)
{
	if (!dev)
		return;
	dev->attached = false;
	dev->state = USB_STATE_NOTATTACHED;
}

struct usb_device *usb_find_device(struct usb_device *dev, uint8_t addr)
{
	if (!dev || !dev->attached || dev->state != USB_STATE_DEFAULT)
		return NULL;
	if (dev->addr == addr)
		return dev;
	if (dev->ops && dev->ops->find)
		return dev->ops->find(dev, addr);
	return NULL;
}

void usb_device_wakeup(struct usb_device *dev)
{
	if (dev && dev->remote_wakeup && dev->port_ops && dev->port_ops->wakeup)
		dev->port_ops->wakeup(dev->port_owner, dev->port);
}

/* ------------------------------------------------------------ saved state */

void usb_device_save_state(const struct usb_device *dev, struct usb_device_state *st)
{
	memset(st, 0, sizeof(*st));
	st->state = dev->state;
	st->addr = dev->addr;
	st->configuration = dev->configuration;
	st->remote_wakeup = dev->remote_wakeup;
	st->setup_state = dev->setup_state;
	memcpy(st->setup_buf, dev->setup_buf, sizeof(st->setup_buf));
	st->setup_len = dev->setup_len;
	st->setup_index = dev->setup_index;
	memcpy(st->data_buf, dev->data_buf, sizeof(st->data_buf));
}

int usb_device_check_state(const struct usb_device *dev, const struct usb_device_state *st,
			   char *err, size_t errlen)
{
	if (st->replug)
		return 0;
	if (st->state != USB_STATE_NOTATTACHED && st->state != USB_STATE_ATTACHED &&
	    st->state != USB_STATE_DEFAULT) {
		snprintf(err, errlen, "%s: device state %u is none of USB's (0, 1, 3)", dev->name, st->state);
		return -1;
	}
	if (st->addr > 127) {
		snprintf(err, errlen, "%s: address %u beyond 127", dev->name, st->addr);
		return -1;
	}
	/* QEMU's SETUP (1) and PARAM (4) stages belong to asynchronous devices, never a HID or hub. */
	if (st->setup_state != USB_SETUP_IDLE && st->setup_state != USB_SETUP_DATA &&
	    st->setup_state != USB_SETUP_ACK) {
		snprintf(err, errlen, "%s: control stage %u is not one this device can be in", dev->name,
			 st->setup_state);
		return -1;
	}
	if (st->setup_len > USB_CTRL_BUF || st->setup_index > st->setup_len) {
		snprintf(err, errlen, "%s: control transfer at byte %u of %u (at most %u)", dev->name,
			 st->setup_index, st->setup_len, USB_CTRL_BUF);
		return -1;
	}
	return 0;
}

void usb_device_load_state(struct usb_device *dev, const struct usb_device_state *st)
{
	const uint8_t *s = st->setup_buf;

	if (st->replug) {
		/* The class state is the new device's; the port shows the plug. */
		if (dev->port_ops && dev->port_ops->replug)
			dev->port_ops->replug(dev->port_owner, dev->port);
		return;
	}
	dev->state = st->state;
	dev->attached = st->state != USB_STATE_NOTATTACHED; /* QEMU's usb_device_post_load */
	dev->addr = st->addr;
	dev->configuration = st->configuration;
	dev->remote_wakeup = st->remote_wakeup;
	dev->setup_state = st->setup_state;
	memcpy(dev->setup_buf, st->setup_buf, sizeof(dev->setup_buf));
	dev->setup_len = st->setup_len;
	dev->setup_index = st->setup_index;
	memcpy(dev->data_buf, st->data_buf, sizeof(dev->data_buf));
	/*
	 * A record without the data stage's bytes (QEMU's): a standard IN
	 * request (a descriptor) is answered again, the same bytes; others
	 * read as zeros, as they do on QEMU.
	 */
	if (st->data_lost && st->setup_state == USB_SETUP_DATA && (s[0] & 0x80) && !(s[0] & 0x60) &&
	    run_request(dev, st->setup_len) < 0)
		memset(dev->data_buf, 0, sizeof(dev->data_buf));
}
