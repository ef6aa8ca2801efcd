// SPDX-License-Identifier: GPL-2.0-only
/*
 * USB: the PIIX3 UHCI ("uhci", one record) and the devices on it -- the
 * tablet and mouse ("usb-ptr"), the keyboard ("usb-kbd"), QEMU's automatic
 * hub ("usb-hub") -- one record per device, its instance where it is
 * plugged: root port << 4 | hub port (the tablet on port 1 is 0x10, a
 * keyboard behind the hub on port 2 is 0x21).
 *
 * Layouts (/work/helpers/usb-spec.md §6 from QEMU 7.2 hw/usb/hcd-uhci.c
 * vmstate_uhci, hw/usb/bus.c vmstate_usb_device, hw/usb/dev-hid.c
 * vmstate_usb_ptr / vmstate_usb_kbd, hw/input/hid.c, hw/usb/dev-hub.c
 * vmstate_usb_hub; olafhering/qemu-xen-traditional hw/usb-uhci.c
 * uhci_save), big-endian:
 *   uhci 1: PCI part, u8 num_ports (2), be16 port ctrl[2], be16 cmd status
 *     intr frnum, be32 fl_base_addr, u8 sof_timing status2, be64 frame
 *     timer (303 bytes; qemu-xen-traditional's only version, the same bytes);
 *   uhci 2: + be64 expire_time; uhci 3: + be32 pending_int_mask (315);
 *   usb-ptr 1, usb-kbd 1, usb-hub 1: the USBDevice part (29 bytes), then
 *     the HID queue or the hub's ports.
 * qemu-xen-traditional saves no USB device at all: a stream of its has the
 * devices plugged in again, so the guest enumerates them anew.
 * hvmdm's own layouts (uhci 4, the devices' 2) are little-endian and keep
 * what QEMU drops: the configuration, a control transfer's data stage, the
 * idle deadline (docs/stream-format.md).
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- instances */

static uint32_t port_code(const struct machine_usb *u)
{
	return u->port << 4 | u->hub_port;
}

static unsigned int uhci_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = 0;
	return m->has_uhci ? 1 : 0;
}

static unsigned int hid_instances(const struct machine *m, uint32_t *inst, bool keyboard)
{
	unsigned int n = 0;

	if (!m->has_uhci)
		return 0;
	for (unsigned int i = 0; i < m->cfg.nr_usb && i < MACHINE_MAX_USB; i++)
		if ((m->cfg.usb_dev[i].kind == USB_HID_KEYBOARD) == keyboard)
			inst[n++] = port_code(&m->cfg.usb_dev[i]);
	return n;
}

static unsigned int ptr_instances(const struct machine *m, uint32_t *inst)
{
	return hid_instances(m, inst, false);
}

static unsigned int kbd_instances(const struct machine *m, uint32_t *inst)
{
	return hid_instances(m, inst, true);
}

static unsigned int hub_instances(const struct machine *m, uint32_t *inst)
{
	inst[0] = m->cfg.usb_hub_port << 4;
	return m->has_usb_hub ? 1 : 0;
}

/* Upstream names a device by its controller and port: "0000:00:01.2/1", "0000:00:01.2/2.1". */
static bool usb_port_path(const char *path, uint32_t *inst, const char **why)
{
	static const char ctl[] = "0000:00:01.2/";
	unsigned int root, hub = 0;
	char tail;

	*why = "a USB device on the UHCI at 0000:00:01.2, root port 1 or 2 (and hub port 1-8)";
	if (!path || strncmp(path, ctl, sizeof(ctl) - 1))
		return false;
	path += sizeof(ctl) - 1;
	if (path[0] < '1' || path[0] > '2')
		return false;
	root = (unsigned int)(path[0] - '0');
	if (path[1] == '.') {
		if (path[2] < '1' || path[2] > '8')
			return false;
		hub = (unsigned int)(path[2] - '0');
		tail = path[3];
	} else {
		tail = path[1];
	}
	if (tail)
		return false;
	*inst = root << 4 | hub;
	return true;
}

/* ---------------------------------------------------------------- the USB device part */

#define D_REMOTE_WAKEUP 0x01

/* hvmdm: u8 state addr configuration flags setup_state, setup_buf[8], le32 setup_len setup_index, le16 n, data[n]. */
static void put_usb_device(struct wbuf *w, const struct usb_device_state *d)
{
	uint32_t n = d->setup_state == USB_SETUP_DATA && d->setup_len <= USB_CTRL_BUF ? d->setup_len : 0;

	put_u8(w, d->state);
	put_u8(w, d->addr);
	put_u8(w, d->configuration);
	put_u8(w, d->remote_wakeup ? D_REMOTE_WAKEUP : 0);
	put_u8(w, d->setup_state);
	put_bytes(w, d->setup_buf, 8);
	put_le32(w, d->setup_len);
	put_le32(w, d->setup_index);
	put_le16(w, (uint16_t)n);
	put_bytes(w, d->data_buf, n);
}

static int get_usb_device(struct rbuf *r, struct decode_ctx *c, struct usb_device_state *d)
{
	size_t at;
	uint8_t flags;
	uint16_t n;

	memset(d, 0, sizeof(*d));
	d->state = get_u8(r);
	d->addr = get_u8(r);
	d->configuration = get_u8(r);
	at = r->pos;
	flags = get_u8(r);
	if (!r->short_read && (flags & ~D_REMOTE_WAKEUP))
		return dec_fail(c, at, "unknown device flag bits %s", "");
	d->remote_wakeup = flags & D_REMOTE_WAKEUP;
	d->setup_state = get_u8(r);
	get_bytes(r, d->setup_buf, 8);
	d->setup_len = get_le32(r);
	d->setup_index = get_le32(r);
	at = r->pos;
	n = get_le16(r);
	if (r->short_read)
		return 0;
	if (n != (d->setup_state == USB_SETUP_DATA && d->setup_len <= USB_CTRL_BUF ? d->setup_len : 0))
		return dec_fail(c, at, "data stage length %s is not the control transfer's", "");
	get_bytes(r, d->data_buf, n);
	return 0;
}

/* QEMU's USBDevice (bus.c vmstate_usb_device): u8 addr, be32 state remote_wakeup setup_state setup_len setup_index, setup_buf[8]. */
static int get_qemu_usb_device(struct rbuf *r, struct decode_ctx *c, struct usb_device_state *d)
{
	size_t at;
	uint32_t state, wakeup, stage, len, index;

	memset(d, 0, sizeof(*d));
	at = r->pos;
	d->addr = get_u8(r);
	if (!r->short_read && d->addr > 127)
		return dec_fail(c, at, "USB address %s beyond 127", "");
	at = r->pos;
	state = get_be32(r);
	if (!r->short_read && state != USB_STATE_NOTATTACHED && state != USB_STATE_ATTACHED &&
	    state != USB_STATE_DEFAULT)
		return dec_fail(c, at, "device state %s is none of QEMU's (0, 1, 3)", "");
	at = r->pos;
	wakeup = get_be32(r);
	if (!r->short_read && wakeup > 1)
		return dec_fail(c, at, "remote_wakeup %s is neither 0 nor 1", "");
	at = r->pos;
	stage = get_be32(r);
	if (!r->short_read && stage != USB_SETUP_IDLE && stage != USB_SETUP_DATA && stage != USB_SETUP_ACK)
		return dec_fail(c, at, "control stage %s is not one a HID device or hub is ever in", "");
	at = r->pos;
	len = get_be32(r);
	if (!r->short_read && len > USB_CTRL_BUF)
		return dec_fail(c, at, "control transfer length %s beyond QEMU's 4096-byte buffer", "");
	at = r->pos;
	index = get_be32(r);
	if (!r->short_read && index > len)
		return dec_fail(c, at, "control transfer position %s past its length", "");
	get_bytes(r, d->setup_buf, 8);
	d->state = (uint8_t)state;
	d->remote_wakeup = wakeup;
	d->setup_state = (uint8_t)stage;
	d->setup_len = len;
	d->setup_index = index;
	/*
	 * Not in QEMU's record: the configuration (an addressed device has
	 * been configured by every driver; QEMU's own restore leaves it 0,
	 * which nothing there checks) and the data stage's bytes.
	 */
	d->configuration = d->state == USB_STATE_DEFAULT && d->addr ? 1 : 0;
	d->data_lost = true;
	return 0;
}

/*
 * QEMU's USBDevice part. What it does not keep -- the configuration (QEMU's
 * devices never check it) and a control transfer's data stage -- is noted:
 * QEMU's own migration loses the same bytes.
 */
static void put_qemu_usb_device(struct wbuf *w, const struct usb_device_state *d, const char *what,
				struct load_report *rep)
{
	put_u8(w, d->addr);
	put_be32(w, d->state);
	put_be32(w, d->remote_wakeup);
	put_be32(w, d->setup_state);
	put_be32(w, d->setup_len);
	put_be32(w, d->setup_index);
	put_bytes(w, d->setup_buf, 8);
	if (d->setup_state == USB_SETUP_DATA)
		load_note(rep, "%s: the data stage of a control transfer in progress is not in QEMU's layout (as in QEMU's own migration): the guest's driver retries it",
			  what);
}

/* Where QEMU names a device: the UHCI's function, then root port and hub port. */
static void usb_qemu_path(char *buf, size_t len, uint32_t inst)
{
	if (inst & 0xf)
		snprintf(buf, len, "0000:00:01.2/%u.%u", inst >> 4, inst & 0xf);
	else
		snprintf(buf, len, "0000:00:01.2/%u", inst >> 4);
}

/* ---------------------------------------------------------------- uhci */

static void enc_uhci(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct uhci_regs *g = &st->uhci.r;

	(void)slot;
	put_pci(w, &st->uhci.pci);
	put_le16(w, g->cmd);
	put_le16(w, g->status);
	put_le16(w, g->intr);
	put_le16(w, g->frnum);
	put_le32(w, g->fl_base);
	put_u8(w, g->sof_timing);
	put_u8(w, g->status2);
	put_le32(w, g->pending_int_mask);
	put_le64(w, g->expire_ns);
	for (unsigned int n = 0; n < UHCI_PORTS; n++)
		put_le16(w, g->portsc[n]);
}

static int dec_uhci_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct uhci_state *u = &c->st->uhci;
	struct uhci_regs *g = &u->r;

	memset(u, 0, sizeof(*u));
	get_pci(r, &u->pci);
	g->cmd = get_le16(r);
	g->status = get_le16(r);
	g->intr = get_le16(r);
	g->frnum = get_le16(r);
	g->fl_base = get_le32(r);
	g->sof_timing = get_u8(r);
	g->status2 = get_u8(r);
	g->pending_int_mask = get_le32(r);
	g->expire_ns = get_le64(r);
	for (unsigned int n = 0; n < UHCI_PORTS; n++)
		g->portsc[n] = get_le16(r);
	return dec_finish(r, c);
}

/* Both producers' body: version 1 is qemu-xen-traditional's and upstream's alike. */
static int dec_uhci_qemu(struct rbuf *r, struct decode_ctx *c)
{
	struct uhci_state *u = &c->st->uhci;
	struct uhci_regs *g = &u->r;
	uint32_t v = c->rec->version;
	bool upstream = c->rec->flags & RECORD_UPSTREAM;
	size_t at;
	uint8_t ports;

	memset(u, 0, sizeof(*u));
	if (upstream ? get_upstream_pci(r, c, &u->pci) : get_trad_pci(r, c, &u->pci))
		return -1;
	at = r->pos;
	ports = get_u8(r);
	if (!r->short_read && ports != UHCI_PORTS)
		return dec_fail(c, at, "num_ports %s is not the PIIX3's 2", "");
	for (unsigned int n = 0; n < UHCI_PORTS; n++)
		g->portsc[n] = get_be16(r);
	g->cmd = get_be16(r);
	g->status = get_be16(r);
	g->intr = get_be16(r);
	g->frnum = get_be16(r);
	g->fl_base = get_be32(r);
	g->sof_timing = get_u8(r);
	g->status2 = get_u8(r);
	get_be64(r); /* the frame timer, on the producer's clock: it runs while RS is set */
	if (v >= 2)
		get_be64(r); /* expire_time, the producer's clock too */
	if (v >= 3)
		g->pending_int_mask = get_be32(r);
	u->expire_unknown = true;
	if (!upstream) {
		c->st->usb_devices_unsaved = true;
		load_note(c->rep, "uhci: qemu-xen-traditional saves no USB device; each is plugged in again and the guest enumerates it anew");
	}
	return dec_finish(r, c);
}

static const struct record_version uhci_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU",
	  "PCI part, u8 num_ports (2), be16 port ctrl[2], be16 cmd status intr frnum, be32 fl_base_addr, u8 sof_timing status2, be64 frame timer (303 bytes)",
	  dec_uhci_qemu },
	{ 2, RV_ACCEPTED, "upstream QEMU", "v1, be64 expire_time", dec_uhci_qemu },
	{ 3, RV_ACCEPTED, "upstream QEMU", "v2, be32 pending_int_mask (315 bytes)", dec_uhci_qemu },
	{ 4, RV_WRITTEN, "hvmdm 0.3",
	  "config[256], u8 intx, le16 cmd status intr frnum, le32 fl_base, u8 sof_timing status2, le32 pending_int_mask, le64 next frame (virtual ns), le16 portsc[2]",
	  dec_uhci_v4 },
};

/* hw/usb-uhci.c uhci_save: the PCI part, then 27 bytes. */
static long trad_uhci_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	long pci;

	(void)erratum, (void)why;
	if (v != 1)
		return -1;
	pci = trad_pci_size(pk->p, pk->left);
	return pci < 0 ? -1 : pci + 27;
}

/* Both producers' registers after the PCI part, up to the frame timer: num_ports, the ports, cmd .. status2. */
static void put_qemu_uhci_regs(struct wbuf *p, const struct uhci_regs *g)
{
	put_u8(p, UHCI_PORTS);
	for (unsigned int n = 0; n < UHCI_PORTS; n++)
		put_be16(p, g->portsc[n]);
	put_be16(p, g->cmd);
	put_be16(p, g->status);
	put_be16(p, g->intr);
	put_be16(p, g->frnum);
	put_be32(p, g->fl_base);
	put_u8(p, g->sof_timing);
	put_u8(p, g->status2);
}

static int trad_uhci_write(struct trad_writer *t, const struct machine *m,
			   const struct machine_state *st, struct load_report *rep, char *err,
			   size_t errlen)
{
	const struct uhci_regs *g = &st->uhci.r;
	struct wbuf *p;

	(void)err, (void)errlen;
	if (!m->has_uhci)
		return 0;
	p = trad_payload(t);
	put_trad_pci(p, &st->uhci.pci);
	put_qemu_uhci_regs(p, g);
	/* Due at once on the loader's clock (its timer re-arms from then); -1: stopped. */
	put_be64(p, g->cmd & 0x0001 ? 0 : UINT64_MAX);
	trad_section(t, "uhci", 0, 1);
	if (m->nr_usb_hid || m->has_usb_hub)
		load_note(rep, "usb: qemu-xen-traditional keeps no USB device state; its own devices answer there unaddressed until the guest resets the port");
	return 0;
}

/* hw/usb/hcd-uhci.c vmstate_uhci (QEMU 7.2): version 3, read back to 1. */
static const struct vmf uhci_port_f[] = { VM_F(2, 1) };
VM_DESC(uhci_port_vm, "uhci port", 1, 1, uhci_port_f);
static const struct vmf uhci_f[] = {
	VM_STRUCT(vmd_pci_device, 1, 0),
	VM_F(1, 1), VM_STRUCT(uhci_port_vm, 2, 1),      /* num_ports (2), ports */
	VM_F(2, 4), VM_F(4, 1), VM_F(1, 2),             /* cmd status intr frnum, fl_base_addr, sof_timing status2 */
	VM_F(8, 1), VM_FV(8, 1, 2), VM_FV(4, 1, 3),     /* frame_timer, expire_time, pending_int_mask */
};
VM_DESC(uhci_vm, "uhci", 3, 1, uhci_f);
static const struct vm_layout uhci_up[] = { UPSTREAM_LAYOUT("uhci", uhci_vm) };

/*
 * Version 3. The frame timer and expire_time are on QEMU's virtual clock,
 * which the timer section sets to this state's clock: the next frame is
 * due when it is here, and a stopped controller's timer is not pending.
 */
static int up_uhci_write(struct up_writer *t, const struct machine *m,
			 const struct machine_state *st, struct load_report *rep, char *err,
			 size_t errlen)
{
	const struct uhci_regs *g = &st->uhci.r;
	struct wbuf *p = up_payload(t);
	bool running = g->cmd & 0x0001;
	/* A state read from another producer has no next frame of ours: one frame (1 ms) from now. */
	uint64_t next = st->uhci.expire_unknown ? st->clock_ns + 1000000 : g->expire_ns;

	(void)rep, (void)err, (void)errlen;
	if (!m->has_uhci)
		return 0;
	put_upstream_pci(p, &st->uhci.pci);
	put_qemu_uhci_regs(p, g);
	put_be64(p, running ? next : UINT64_MAX);
	put_be64(p, running ? next : 0); /* a stopped controller's is set anew when RS is */
	put_be32(p, g->pending_int_mask);
	up_section(t, "0000:00:01.2", "uhci", 0, 3);
	return 0;
}

const struct record_kind uhci_kind = {
	.idstr = "uhci",
	.instances = uhci_instances,
	.encode = enc_uhci,
	.required = true,
	KIND_VERSIONS(uhci_versions),
	.trad = { .size = trad_uhci_size, .write = trad_uhci_write, .order = 11,
		  .instance_ok = trad_instance_zero },
	.upstream = { UPSTREAM_LAYOUTS(uhci_up), .pci_path = "0000:00:01.2", .write = up_uhci_write,
		      .order = 10 },
};

/* ---------------------------------------------------------------- the HID devices */

#define H_IDLE_PENDING 0x01
#define H_IDLE_ARMED 0x02

static struct usb_hid_saved *hid_slot(struct decode_ctx *c, bool keyboard)
{
	return keyboard ? &c->st->usb_kbd[c->slot] : &c->st->usb_ptr[c->slot];
}

static void put_idle(struct wbuf *w, const struct usb_hid_state *h)
{
	put_le32(w, h->head);
	put_le32(w, h->n);
	put_le32(w, (uint32_t)h->protocol);
	put_u8(w, h->idle);
	put_u8(w, (uint8_t)((h->idle_pending ? H_IDLE_PENDING : 0) | (h->idle_armed ? H_IDLE_ARMED : 0)));
	put_le64(w, h->next_idle_ns);
}

static int get_idle(struct rbuf *r, struct decode_ctx *c, struct usb_hid_state *h)
{
	size_t at;
	uint8_t flags;

	h->head = get_le32(r);
	h->n = get_le32(r);
	h->protocol = (int32_t)get_le32(r);
	h->idle = get_u8(r);
	at = r->pos;
	flags = get_u8(r);
	if (!r->short_read && (flags & ~(H_IDLE_PENDING | H_IDLE_ARMED)))
		return dec_fail(c, at, "unknown HID flag bits %s", "");
	h->idle_pending = flags & H_IDLE_PENDING;
	h->idle_armed = flags & H_IDLE_ARMED;
	h->next_idle_ns = get_le64(r);
	return 0;
}

/* hvmdm usb-ptr 2: the device part, queue[16] of le32 x y wheel buttons, le32 head n protocol, u8 idle flags, le64 next idle. */
static void enc_usb_ptr(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct usb_hid_saved *s = &st->usb_ptr[slot];

	put_usb_device(w, &s->dev);
	for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++) {
		put_le32(w, (uint32_t)s->hid.queue[i].xdx);
		put_le32(w, (uint32_t)s->hid.queue[i].ydy);
		put_le32(w, (uint32_t)s->hid.queue[i].dz);
		put_le32(w, (uint32_t)s->hid.queue[i].buttons);
	}
	put_idle(w, &s->hid);
}

static int dec_usb_ptr_v2(struct rbuf *r, struct decode_ctx *c)
{
	struct usb_hid_saved *s = hid_slot(c, false);

	memset(s, 0, sizeof(*s));
	if (get_usb_device(r, c, &s->dev))
		return -1;
	for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++) {
		s->hid.queue[i].xdx = (int32_t)get_le32(r);
		s->hid.queue[i].ydy = (int32_t)get_le32(r);
		s->hid.queue[i].dz = (int32_t)get_le32(r);
		s->hid.queue[i].buttons = (int32_t)get_le32(r);
	}
	if (get_idle(r, c, &s->hid))
		return -1;
	return dec_finish(r, c);
}

/* QEMU's tail of both HID records: be32 head n, [keyboard part], be32 protocol, u8 idle. */
static int get_qemu_counts(struct rbuf *r, struct decode_ctx *c, struct usb_hid_state *h)
{
	size_t at = r->pos;

	h->head = get_be32(r);
	h->n = get_be32(r);
	if (!r->short_read && h->n > USB_HID_QUEUE_LEN)
		return dec_fail(c, at + 4, "%s queued events, more than QEMU's 16", "");
	return 0;
}

static int get_qemu_protocol(struct rbuf *r, struct decode_ctx *c, struct usb_hid_saved *s)
{
	size_t at = r->pos;
	uint32_t protocol = get_be32(r);

	if (!r->short_read && protocol > 1)
		return dec_fail(c, at, "HID protocol %s is neither boot (0) nor report (1)", "");
	s->hid.protocol = (int32_t)protocol;
	s->hid.idle = get_u8(r);
	s->idle_from_now = true;
	return 0;
}

static int dec_usb_ptr_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct usb_hid_saved *s = hid_slot(c, false);

	memset(s, 0, sizeof(*s));
	if (get_qemu_usb_device(r, c, &s->dev))
		return -1;
	for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++) {
		s->hid.queue[i].xdx = (int32_t)get_be32(r);
		s->hid.queue[i].ydy = (int32_t)get_be32(r);
		s->hid.queue[i].dz = (int32_t)get_be32(r);
		s->hid.queue[i].buttons = (int32_t)get_be32(r);
	}
	if (get_qemu_counts(r, c, &s->hid) || get_qemu_protocol(r, c, s))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version usb_ptr_versions[] = {
	{ 1, RV_ACCEPTED, "upstream QEMU (usb-tablet and usb-mouse)",
	  "USBDevice (u8 addr, be32 state remote_wakeup setup_state setup_len setup_index, setup_buf[8]), queue[16] of be32 xdx ydy dz buttons_state, be32 head n protocol, u8 idle (298 bytes)",
	  dec_usb_ptr_v1 },
	{ 2, RV_WRITTEN, "hvmdm 0.3",
	  "u8 state addr configuration flags setup_state, setup_buf[8], le32 setup_len setup_index, le16 n, data[n], queue[16] of le32 x y wheel buttons, le32 head n protocol, u8 idle flags, le64 next idle (virtual ns)",
	  dec_usb_ptr_v2 },
};

/* hvmdm usb-kbd 2: the device part, le32 keycodes[16], le16 modifiers, u8 leds, key[16], le32 keys, then as usb-ptr. */
static void enc_usb_kbd(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct usb_hid_saved *s = &st->usb_kbd[slot];

	put_usb_device(w, &s->dev);
	for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++)
		put_le32(w, s->hid.keycodes[i]);
	put_le16(w, s->hid.modifiers);
	put_u8(w, s->hid.leds);
	put_bytes(w, s->hid.key, USB_HID_MAX_KEYS);
	put_le32(w, (uint32_t)s->hid.keys);
	put_idle(w, &s->hid);
}

static int dec_usb_kbd_v2(struct rbuf *r, struct decode_ctx *c)
{
	struct usb_hid_saved *s = hid_slot(c, true);

	memset(s, 0, sizeof(*s));
	if (get_usb_device(r, c, &s->dev))
		return -1;
	for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++)
		s->hid.keycodes[i] = get_le32(r);
	s->hid.modifiers = get_le16(r);
	s->hid.leds = get_u8(r);
	get_bytes(r, s->hid.key, USB_HID_MAX_KEYS);
	s->hid.keys = (int32_t)get_le32(r);
	if (get_idle(r, c, &s->hid))
		return -1;
	return dec_finish(r, c);
}

static int dec_usb_kbd_v1(struct rbuf *r, struct decode_ctx *c)
{
	struct usb_hid_saved *s = hid_slot(c, true);
	size_t at;
	uint32_t keys;

	memset(s, 0, sizeof(*s));
	if (get_qemu_usb_device(r, c, &s->dev))
		return -1;
	for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++)
		s->hid.keycodes[i] = get_be32(r);
	if (get_qemu_counts(r, c, &s->hid))
		return -1;
	s->hid.modifiers = get_be16(r);
	s->hid.leds = get_u8(r);
	get_bytes(r, s->hid.key, USB_HID_MAX_KEYS);
	at = r->pos;
	keys = get_be32(r);
	if (!r->short_read && keys > USB_HID_MAX_KEYS)
		return dec_fail(c, at, "%s keys held, more than QEMU's 16", "");
	s->hid.keys = (int32_t)keys;
	if (get_qemu_protocol(r, c, s))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version usb_kbd_versions[] = {
	{ 1, RV_ACCEPTED, "upstream QEMU (usb-kbd)",
	  "USBDevice, be32 keycodes[16], be32 head n, be16 modifiers, u8 leds, key[16], be32 keys protocol, u8 idle (129 bytes)",
	  dec_usb_kbd_v1 },
	{ 2, RV_WRITTEN, "hvmdm 0.3",
	  "the hvmdm device part (as usb-ptr 2), le32 keycodes[16], le16 modifiers, u8 leds, key[16], le32 keys, le32 head n protocol, u8 idle flags, le64 next idle",
	  dec_usb_kbd_v2 },
};

/* hw/usb/dev-hid.c vmstate_usb_ptr and vmstate_usb_kbd (QEMU 7.2): version 1. */
static const struct vmf usb_device_f[] = { VM_F(1, 1), VM_F(4, 5), VM_F(1, 8) };
VM_DESC(usb_device_vm, "USBDevice", 1, 1, usb_device_f);
static const struct vmf usb_ptr_f[] = {
	VM_STRUCT(usb_device_vm, 1, 0),
	VM_F(4, 4 * 16), VM_F(4, 3), VM_F(1, 1),        /* queue[16], head n protocol, idle */
};
VM_DESC(usb_ptr_vm, "usb-ptr", 1, 1, usb_ptr_f);
static const struct vmf usb_kbd_f[] = {
	VM_STRUCT(usb_device_vm, 1, 0),
	VM_F(4, 16), VM_F(4, 2), VM_F(2, 1), VM_F(1, 1), /* keycodes[16], head n, modifiers, leds */
	VM_F(1, 16), VM_F(4, 2), VM_F(1, 1),             /* key[16], keys protocol, idle */
};
VM_DESC(usb_kbd_vm, "usb-kbd", 1, 1, usb_kbd_f);
static const struct vm_layout usb_ptr_up[] = { UPSTREAM_LAYOUT("usb-ptr", usb_ptr_vm) };
static const struct vm_layout usb_kbd_up[] = { UPSTREAM_LAYOUT("usb-kbd", usb_kbd_vm) };

/* QEMU's HID tail: be32 head n, [the keyboard's part], be32 protocol, u8 idle (hid_post_load re-arms it from now). */
static void put_qemu_hid_counts(struct wbuf *w, const struct usb_hid_state *h)
{
	put_be32(w, h->head);
	put_be32(w, h->n);
}

static void put_qemu_hid_protocol(struct wbuf *w, const struct usb_hid_state *h)
{
	put_be32(w, (uint32_t)h->protocol);
	put_u8(w, h->idle);
}

/* usb-ptr and usb-kbd version 1, one section per device, named by its port. */
static int up_hid_write(struct up_writer *t, const struct machine *m, const struct machine_state *st,
			struct load_report *rep, bool keyboard)
{
	uint32_t inst[MACHINE_MAX_USB];
	unsigned int n = hid_instances(m, inst, keyboard);

	for (unsigned int i = 0; i < n; i++) {
		const struct usb_hid_saved *s = keyboard ? &st->usb_kbd[i] : &st->usb_ptr[i];
		const struct usb_hid_state *h = &s->hid;
		struct wbuf *p = up_payload(t);
		char path[32];

		usb_qemu_path(path, sizeof(path), inst[i]);
		put_qemu_usb_device(p, &s->dev, keyboard ? "usb-kbd" : "usb-ptr", rep);
		if (keyboard) {
			for (unsigned int j = 0; j < USB_HID_QUEUE_LEN; j++)
				put_be32(p, h->keycodes[j]);
			put_qemu_hid_counts(p, h);
			put_be16(p, h->modifiers);
			put_u8(p, h->leds);
			put_bytes(p, h->key, USB_HID_MAX_KEYS);
			put_be32(p, (uint32_t)h->keys);
		} else {
			for (unsigned int j = 0; j < USB_HID_QUEUE_LEN; j++) {
				put_be32(p, (uint32_t)h->queue[j].xdx);
				put_be32(p, (uint32_t)h->queue[j].ydy);
				put_be32(p, (uint32_t)h->queue[j].dz);
				put_be32(p, (uint32_t)h->queue[j].buttons);
			}
			put_qemu_hid_counts(p, h);
		}
		put_qemu_hid_protocol(p, h);
		up_section(t, path, keyboard ? "usb-kbd" : "usb-ptr", 0, 1);
	}
	return 0;
}

static int up_usb_ptr_write(struct up_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	(void)err, (void)errlen;
	return up_hid_write(t, m, st, rep, false);
}

static int up_usb_kbd_write(struct up_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	(void)err, (void)errlen;
	return up_hid_write(t, m, st, rep, true);
}

/* A stream whose UHCI record is qemu-xen-traditional's: the device is plugged in again. */
static bool replug(struct usb_device_state *d, const struct machine_state *st)
{
	if (!st->usb_devices_unsaved)
		return false;
	d->replug = true;
	return true;
}

static bool usb_ptr_absent_ok(struct machine_state *st, unsigned int slot)
{
	return replug(&st->usb_ptr[slot].dev, st);
}

static bool usb_kbd_absent_ok(struct machine_state *st, unsigned int slot)
{
	return replug(&st->usb_kbd[slot].dev, st);
}

const struct record_kind usb_ptr_kind = {
	.idstr = "usb-ptr",
	.instances = ptr_instances,
	.max_instances = MACHINE_MAX_USB,
	.encode = enc_usb_ptr,
	.required = true,
	KIND_VERSIONS(usb_ptr_versions),
	.trad = { .none = "qemu-xen-traditional saves no USB device (its uhci record alone)" },
	.upstream = { UPSTREAM_LAYOUTS(usb_ptr_up), .pci_instance = usb_port_path,
		      .write = up_usb_ptr_write, .order = 13 },
	.absent_ok = usb_ptr_absent_ok,
};

const struct record_kind usb_kbd_kind = {
	.idstr = "usb-kbd",
	.instances = kbd_instances,
	.max_instances = MACHINE_MAX_USB,
	.encode = enc_usb_kbd,
	.required = true,
	KIND_VERSIONS(usb_kbd_versions),
	.trad = { .none = "qemu-xen-traditional saves no USB device (its uhci record alone)" },
	.upstream = { UPSTREAM_LAYOUTS(usb_kbd_up), .pci_instance = usb_port_path,
		      .write = up_usb_kbd_write, .order = 15 },
	.absent_ok = usb_kbd_absent_ok,
};

/* ---------------------------------------------------------------- the hub */

/* hvmdm usb-hub 2: the device part, then le16 wPortStatus wPortChange for ports 1-8. */
static void enc_usb_hub(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	(void)slot;
	put_usb_device(w, &st->usb_hub.dev);
	for (unsigned int i = 0; i < USB_HUB_PORTS; i++) {
		put_le16(w, st->usb_hub.hub.ports[i].status);
		put_le16(w, st->usb_hub.hub.ports[i].change);
	}
}

static int dec_usb_hub_v2(struct rbuf *r, struct decode_ctx *c)
{
	struct usb_hub_saved *s = &c->st->usb_hub;

	memset(s, 0, sizeof(*s));
	if (get_usb_device(r, c, &s->dev))
		return -1;
	for (unsigned int i = 0; i < USB_HUB_PORTS; i++) {
		s->hub.ports[i].status = get_le16(r);
		s->hub.ports[i].change = get_le16(r);
	}
	return dec_finish(r, c);
}

static int get_port_timer(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c, (void)version;
	get_be64(r); /* port-power=on's timer: the automatic hub never powers ports off */
	return 0;
}

static int dec_usb_hub_v1(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = { { "usb-hub/port-timer", 1, 1, get_port_timer } };
	struct usb_hub_saved *s = &c->st->usb_hub;

	memset(s, 0, sizeof(*s));
	if (get_qemu_usb_device(r, c, &s->dev))
		return -1;
	for (unsigned int i = 0; i < USB_HUB_PORTS; i++) {
		s->hub.ports[i].status = get_be16(r);
		s->hub.ports[i].change = get_be16(r);
	}
	if (get_up_subsections(r, c, subs, 1))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version usb_hub_versions[] = {
	{ 1, RV_ACCEPTED, "upstream QEMU (the automatic hub)",
	  "USBDevice, 8 x be16 wPortStatus wPortChange (61 bytes); subsection usb-hub/port-timer (be64)",
	  dec_usb_hub_v1 },
	{ 2, RV_WRITTEN, "hvmdm 0.3", "the hvmdm device part (as usb-ptr 2), 8 x le16 wPortStatus wPortChange",
	  dec_usb_hub_v2 },
};

/* hw/usb/dev-hub.c vmstate_usb_hub (QEMU 7.2): version 1. */
VM_SUB(usb_hub_port_timer, "usb-hub/port-timer", 1, VM_F(8, 1));
static const struct vmd *const usb_hub_subs[] = { &usb_hub_port_timer };
static const struct vmf usb_hub_f[] = { VM_STRUCT(usb_device_vm, 1, 0), VM_F(2, 2 * 8) };
VM_DESC_SUBS(usb_hub_vm, "usb-hub", 1, 1, usb_hub_f, usb_hub_subs);
static const struct vm_layout usb_hub_up[] = { UPSTREAM_LAYOUT("usb-hub", usb_hub_vm) };

/* Version 1; the port-timer subsection only with port-power=on, which the automatic hub never has. */
static int up_usb_hub_write(struct up_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	struct wbuf *p = up_payload(t);
	char path[32];

	(void)err, (void)errlen;
	if (!m->has_usb_hub)
		return 0;
	usb_qemu_path(path, sizeof(path), (uint32_t)m->cfg.usb_hub_port << 4);
	put_qemu_usb_device(p, &st->usb_hub.dev, "usb-hub", rep);
	for (unsigned int i = 0; i < USB_HUB_PORTS; i++) {
		put_be16(p, st->usb_hub.hub.ports[i].status);
		put_be16(p, st->usb_hub.hub.ports[i].change);
	}
	up_section(t, path, "usb-hub", 0, 1);
	return 0;
}

static bool usb_hub_absent_ok(struct machine_state *st, unsigned int slot)
{
	(void)slot;
	return replug(&st->usb_hub.dev, st);
}

const struct record_kind usb_hub_kind = {
	.idstr = "usb-hub",
	.instances = hub_instances,
	.encode = enc_usb_hub,
	.required = true,
	KIND_VERSIONS(usb_hub_versions),
	.trad = { .none = "qemu-xen-traditional saves no USB device (its uhci record alone)" },
	.upstream = { UPSTREAM_LAYOUTS(usb_hub_up), .pci_instance = usb_port_path,
		      .write = up_usb_hub_write, .order = 14 },
	.absent_ok = usb_hub_absent_ok,
};

/* ---------------------------------------------------------------- JSON view */

static json_t *json_usb_device(const struct usb_device_state *d)
{
	return json_pack("{s:i, s:i, s:i, s:b, s:i, s:o, s:I, s:I}", "state", d->state, "addr", d->addr,
			 "configuration", d->configuration, "remote_wakeup", d->remote_wakeup,
			 "setup_state", d->setup_state, "setup_buf", json_hex(d->setup_buf, 8),
			 "setup_len", (json_int_t)d->setup_len, "setup_index", (json_int_t)d->setup_index);
}

static json_t *json_hid(const char *kind, uint32_t port, const struct usb_hid_saved *s)
{
	json_t *o = json_pack("{s:s, s:i, s:o, s:I, s:I, s:i, s:i}", "kind", kind, "port", port,
			      "device", json_usb_device(&s->dev), "head", (json_int_t)s->hid.head,
			      "queued", (json_int_t)s->hid.n, "protocol", s->hid.protocol, "idle", s->hid.idle);

	if (!strcmp(kind, "usb-kbd")) {
		json_object_set_new(o, "modifiers", json_integer(s->hid.modifiers));
		json_object_set_new(o, "leds", json_integer(s->hid.leds));
		json_object_set_new(o, "keys_held", json_integer(s->hid.keys));
	} else {
		const struct usb_hid_pointer_event *e =
			&s->hid.queue[(s->hid.head + s->hid.n) % USB_HID_QUEUE_LEN];

		json_object_set_new(o, "current", json_pack("{s:i, s:i, s:i, s:i}", "x", e->xdx, "y", e->ydy,
								 "wheel", e->dz, "buttons", e->buttons));
	}
	return o;
}

static json_t *view_usb(const struct machine *m, const struct machine_state *st)
{
	const struct uhci_regs *g = &st->uhci.r;
	json_t *devs, *o;
	unsigned int ptr = 0, kbd = 0;

	if (!m->has_uhci)
		return NULL;
	devs = json_array();
	if (m->has_usb_hub) {
		json_t *ports = json_array();

		for (unsigned int i = 0; i < USB_HUB_PORTS; i++)
			json_array_append_new(ports, json_pack("{s:i, s:i}", "status", st->usb_hub.hub.ports[i].status,
							       "change", st->usb_hub.hub.ports[i].change));
		json_array_append_new(devs, json_pack("{s:s, s:i, s:o, s:o}", "kind", "usb-hub", "port",
						      m->cfg.usb_hub_port << 4, "device",
						      json_usb_device(&st->usb_hub.dev), "ports", ports));
	}
	for (unsigned int i = 0; i < m->cfg.nr_usb && i < MACHINE_MAX_USB; i++) {
		const struct machine_usb *u = &m->cfg.usb_dev[i];

		if (u->kind == USB_HID_KEYBOARD)
			json_array_append_new(devs, json_hid("usb-kbd", port_code(u), &st->usb_kbd[kbd++]));
		else
			json_array_append_new(devs, json_hid("usb-ptr", port_code(u), &st->usb_ptr[ptr++]));
	}
	/* expire_ns, the next frame's deadline on the device clock, only grows while frames run. */
	o = json_pack("{s:o, s:i, s:i, s:i, s:i, s:I, s:i, s:i, s:[i, i], s:I, s:o}", "pci", json_pci(&st->uhci.pci),
		      "cmd", g->cmd, "status", g->status, "intr", g->intr, "frnum", g->frnum, "fl_base",
		      (json_int_t)g->fl_base, "sof_timing", g->sof_timing, "status2", g->status2, "portsc",
		      g->portsc[0], g->portsc[1], "expire_ns", (json_int_t)g->expire_ns, "devices", devs);
	return o;
}

static void probe_device(struct usb_device_state *d, unsigned int k)
{
	d->state = USB_STATE_DEFAULT;
	d->addr = (uint8_t)(5 + k);
	d->configuration = 1;
	d->remote_wakeup = true;
	d->setup_state = USB_SETUP_DATA;
	for (unsigned int j = 0; j < 8; j++)
		d->setup_buf[j] = (uint8_t)(0x80 + j + k);
	d->setup_len = 18 + k;
	d->setup_index = 8;
	for (unsigned int j = 0; j < d->setup_len; j++)
		d->data_buf[j] = (uint8_t)(0x30 + j * 7 + k);
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_usb(struct machine_state *st)
{
	struct uhci_regs *g = &st->uhci.r;

	for (unsigned int j = 0; j < PCI_CONFIG_SIZE; j++)
		st->uhci.pci.config[j] = (uint8_t)((j + 9) * 13);
	st->uhci.pci.irq_levels = 8;
	g->cmd = 0x00c1;
	g->status = 0x0021;
	g->intr = 0x000f;
	g->frnum = 0x0123;
	g->fl_base = 0x03fde000;
	g->sof_timing = 64;
	g->status2 = 1;
	g->pending_int_mask = 2;
	g->expire_ns = 0x0102030405060708ull;
	g->portsc[0] = 0x0085;
	g->portsc[1] = 0x0183;
	for (unsigned int k = 0; k < MACHINE_MAX_USB; k++) {
		struct usb_hid_saved *p = &st->usb_ptr[k], *kb = &st->usb_kbd[k];

		probe_device(&p->dev, k);
		probe_device(&kb->dev, k + 40);
		for (unsigned int i = 0; i < USB_HID_QUEUE_LEN; i++) {
			p->hid.queue[i] = (struct usb_hid_pointer_event){ (int32_t)(100 * i + k), (int32_t)(200 * i + k),
									  (int32_t)i - 8, (int32_t)(i & 7) };
			kb->hid.keycodes[i] = 0x10 + i + k;
		}
		kb->hid.modifiers = 0x0105;
		kb->hid.leds = 3;
		for (unsigned int i = 0; i < USB_HID_MAX_KEYS; i++)
			kb->hid.key[i] = (uint8_t)(4 + i + k);
		kb->hid.keys = 6;
		p->hid.head = kb->hid.head = 3 + k;
		p->hid.n = kb->hid.n = 2;
		p->hid.protocol = kb->hid.protocol = 1;
		p->hid.idle = kb->hid.idle = 25;
		p->hid.idle_pending = kb->hid.idle_armed = true;
		p->hid.next_idle_ns = kb->hid.next_idle_ns = 0x1111222233334444ull + k;
	}
	probe_device(&st->usb_hub.dev, 90);
	for (unsigned int i = 0; i < USB_HUB_PORTS; i++)
		st->usb_hub.hub.ports[i] = (struct usb_hub_port_state){ (uint16_t)(0x0100 | i), (uint16_t)(i & 1) };
}

const struct state_view usb_view = { "usb", view_usb, probe_usb };
