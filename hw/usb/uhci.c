// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 UHCI. Registers and the frame engine behave as QEMU 7.2's
 * hw/usb/hcd-uhci.c does (uhci_port_write/read, uhci_frame_timer,
 * uhci_process_frame, uhci_handle_td, uhci_complete_td,
 * uhci_handle_td_error), quirks included, because guests saved on qemu-xen
 * expect exactly that. Every device here completes packets at once, so
 * QEMU's asynchronous queues are not needed; the device is looked up for
 * each TD.
 *
 * The guest builds the schedule: frame list, queue heads and transfer
 * descriptors are all read from guest memory. A frame walks at most 256
 * links and remembers at most 128 queue heads to see loops, a batch runs at
 * most 16 frames, and every access goes through pci_dma_rw (guest RAM
 * only, bus mastering on).
 */
#include "hw/usb/uhci.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/core/devreg.h"
#include "hw/core/log.h"

#define CMD_RS 0x0001
#define CMD_HCRESET 0x0002
#define CMD_GRESET 0x0004
#define CMD_EGSM 0x0008
#define CMD_FGR 0x0010

#define STS_USBINT 0x0001
#define STS_USBERRINT 0x0002
#define STS_RD 0x0004
#define STS_HSE 0x0008
#define STS_HCPERR 0x0010
#define STS_HCHALTED 0x0020

#define INTR_TIMEOUT_CRC 0x0001
#define INTR_RESUME 0x0002
#define INTR_IOC 0x0004
#define INTR_SPD 0x0008

#define PORT_CCS 0x0001
#define PORT_CSC 0x0002
#define PORT_PE 0x0004
#define PORT_PEC 0x0008
#define PORT_RD 0x0040
#define PORT_RESERVED1 0x0080 /* reads 1 */
#define PORT_LSDA 0x0100
#define PORT_PR 0x0200
#define PORT_SUSP 0x1000
#define PORT_READ_ONLY 0x01bb
#define PORT_WRITE_CLEAR (PORT_CSC | PORT_PEC)

#define LINK_TERMINATE 0x1
#define LINK_QH 0x2
#define LINK_DEPTH 0x4

#define TD_ACTLEN 0x000007ffu
#define TD_TIMEOUT (1u << 18)
#define TD_NAK (1u << 19)
#define TD_BABBLE (1u << 20)
#define TD_STALL (1u << 22)
#define TD_ACTIVE (1u << 23)
#define TD_IOC (1u << 24)
#define TD_IOS (1u << 25)
#define TD_CERR (3u << 27)
#define TD_SPD (1u << 29)

#define FRAME_NS 1000000ull   /* 1 ms */
#define MAX_FRAMES_OWED 128   /* QEMU's maxframes */
#define MAX_FRAMES_PER_TICK 16
#define FRAME_BANDWIDTH 1280  /* bytes per frame (QEMU's bandwidth property) */
#define FRAME_MAX_LINKS 256   /* QEMU's FRAME_MAX_LOOPS */
#define MAX_QUEUE_HEADS 128   /* QEMU's UHCI_MAX_QUEUES: the loop detector's memory */

enum td_result { TD_COMPLETE, TD_NEXT_QH, TD_STOP_FRAME };

struct td {
	uint32_t link, ctrl, token, buffer;
};

struct qh {
	uint32_t link, element;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool dma_read32(struct uhci *s, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];

	if (!pci_dma_rw(&s->pci, s->accel, addr, b, 4, false))
		return false;
	*v = le32(b);
	return true;
}

static bool dma_write32(struct uhci *s, uint32_t addr, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return pci_dma_rw(&s->pci, s->accel, addr, b, 4, true);
}

static void update_irq(struct uhci *s)
{
	const struct uhci_regs *r = &s->r;
	bool level = ((r->status2 & 1) && (r->intr & INTR_IOC)) ||
		     ((r->status2 & 2) && (r->intr & INTR_SPD)) ||
		     ((r->status & STS_USBERRINT) && (r->intr & INTR_TIMEOUT_CRC)) ||
		     ((r->status & STS_RD) && (r->intr & INTR_RESUME)) ||
		     (r->status & (STS_HSE | STS_HCPERR));

	pci_set_irq(&s->pci, 3, level); /* INTD */
}

/* Resume signalling: only while the controller is in global suspend. */
static void signal_resume(struct uhci *s)
{
	if (!(s->r.cmd & CMD_EGSM))
		return;
	s->r.cmd |= CMD_FGR;
	s->r.status |= STS_RD;
	update_irq(s);
}

static void port_attach(struct uhci *s, unsigned int n)
{
	struct usb_device *dev = s->port_dev[n];

	s->r.portsc[n] |= PORT_CCS | PORT_CSC;
	if (dev->speed == USB_SPEED_LOW)
		s->r.portsc[n] |= PORT_LSDA;
	else
		s->r.portsc[n] &= (uint16_t)~PORT_LSDA;
	signal_resume(s);
}

/* A device with remote wake-up on has input: resume a suspended port. */
static void port_wakeup(void *owner, unsigned int n)
{
	struct uhci *s = owner;

	if (n >= UHCI_PORTS)
		return;
	if ((s->r.portsc[n] & PORT_SUSP) && !(s->r.portsc[n] & PORT_RD)) {
		s->r.portsc[n] |= PORT_RD;
		signal_resume(s);
	}
}

/* QEMU 7.2 hcd-uhci.c uhci_detach then uhci_attach: the guest sees a new device. */
static void port_replug(void *owner, unsigned int n)
{
	struct uhci *s = owner;

	if (n >= UHCI_PORTS || !s->port_dev[n])
		return;
	s->r.portsc[n] &= (uint16_t)~(PORT_CCS | PORT_SUSP | PORT_RD);
	s->r.portsc[n] |= PORT_CSC;
	if (s->r.portsc[n] & PORT_PE) {
		s->r.portsc[n] &= (uint16_t)~PORT_PE;
		s->r.portsc[n] |= PORT_PEC;
	}
	usb_device_attach(s->port_dev[n]);
	port_attach(s, n);
}

static const struct usb_port_ops root_port_ops = { .wakeup = port_wakeup, .replug = port_replug };

void uhci_reset(struct uhci *s)
{
	struct uhci_regs *r = &s->r;

	/* Config space is the bus's to reset (a system reset); HCRESET leaves it. */
	s->pci.config[0x6a] = 0x01; /* QEMU's "usb clock" bytes */
	s->pci.config[0x6b] = 0x00;
	/* FRNUM, the next frame's deadline and pending interrupts survive (QEMU). */
	r->cmd = 0;
	r->status = STS_HCHALTED;
	r->status2 = 0;
	r->intr = 0;
	r->fl_base = 0;
	r->sof_timing = 64;
	for (unsigned int n = 0; n < UHCI_PORTS; n++) {
		r->portsc[n] = PORT_RESERVED1;
		if (s->port_dev[n]) {
			port_attach(s, n);
			usb_device_attach(s->port_dev[n]);
			usb_device_reset(s->port_dev[n]);
		}
	}
	update_irq(s);
	/* The frame timer stops itself at its next run: RS is 0. */
}

/* ------------------------------------------------------------ frame engine */

/* The addressed device behind an enabled root port, if it answers. */
static struct usb_device *find_device(struct uhci *s, uint8_t addr)
{
	for (unsigned int n = 0; n < UHCI_PORTS; n++) {
		struct usb_device *dev;

		if (!(s->r.portsc[n] & PORT_PE) || !s->port_dev[n])
			continue;
		dev = usb_find_device(s->port_dev[n], addr);
		if (dev)
			return dev;
	}
	return NULL;
}

static enum td_result td_error(struct uhci *s, struct td *td, int status, uint32_t *int_mask)
{
	enum td_result ret = TD_NEXT_QH;

	switch (status) {
	case USB_NAK:
		td->ctrl |= TD_NAK;
		return TD_NEXT_QH;
	case USB_STALL:
		td->ctrl |= TD_STALL;
		break;
	case USB_BABBLE:
		td->ctrl |= TD_BABBLE | TD_STALL;
		ret = TD_STOP_FRAME;
		break;
	default: /* no device, I/O error */
		td->ctrl |= TD_TIMEOUT;
		td->ctrl &= ~TD_CERR;
		break;
	}
	td->ctrl &= ~TD_ACTIVE;
	s->r.status |= STS_USBERRINT;
	if (td->ctrl & TD_IOC)
		*int_mask |= 1;
	update_irq(s);
	return ret;
}

static enum td_result handle_td(struct uhci *s, struct td *td, uint32_t *int_mask)
{
	uint8_t pid = (uint8_t)td->token;
	uint8_t addr = (td->token >> 8) & 0x7f;
	uint8_t ep = (td->token >> 15) & 0xf;
	size_t max_len = ((td->token >> 21) + 1) & 0x7ff;
	struct usb_packet p = { .pid = pid, .ep = ep, .data = s->buf, .len = max_len };
	struct usb_device *dev;

	if (!(td->ctrl & TD_ACTIVE)) {
		if (td->ctrl & TD_IOC)
			*int_mask |= 1; /* every time the walk meets it, as QEMU */
		return TD_NEXT_QH;
	}
	if (pid != USB_TOKEN_IN && pid != USB_TOKEN_OUT && !(pid == USB_TOKEN_SETUP && ep == 0)) {
		/* A bad PID halts the schedule: Host Controller Process Error. */
		log_guest("uhci", "TD token %#x has PID %#x: controller process error", td->token, pid);
		s->r.status |= STS_HCPERR;
		s->r.cmd &= (uint16_t)~CMD_RS;
		update_irq(s);
		return TD_STOP_FRAME;
	}
	dev = find_device(s, addr);
	if (td->ctrl & TD_IOS)
		td->ctrl &= ~TD_ACTIVE;
	if (!dev)
		return td_error(s, td, USB_NODEV, int_mask);
	if (pid != USB_TOKEN_IN && !pci_dma_rw(&s->pci, s->accel, td->buffer, s->buf, max_len, false)) {
		log_guest("uhci", "TD buffer %#x+%zu is not guest RAM", td->buffer, max_len);
		return td_error(s, td, USB_IOERROR, int_mask);
	}
	usb_handle_packet(dev, &p);
	if (p.status == USB_OK && p.actual > max_len)
		p.status = USB_BABBLE;
	if (p.status != USB_OK)
		return td_error(s, td, p.status, int_mask);
	if (pid != USB_TOKEN_IN)
		p.actual = max_len; /* QEMU reports the whole OUT buffer taken */
	td->ctrl = (td->ctrl & ~TD_ACTLEN) | (uint32_t)((p.actual - 1) & TD_ACTLEN);
	td->ctrl &= ~(TD_ACTIVE | TD_NAK);
	if (td->ctrl & TD_IOC)
		*int_mask |= 1;
	if (pid == USB_TOKEN_IN) {
		if (!pci_dma_rw(&s->pci, s->accel, td->buffer, s->buf, p.actual, true)) {
			log_guest("uhci", "TD buffer %#x+%zu is not guest RAM", td->buffer, p.actual);
			/* The data is lost; the guest sees a timeout rather than wrong bytes. */
			return td_error(s, td, USB_IOERROR, int_mask);
		}
		if ((td->ctrl & TD_SPD) && p.actual < max_len) {
			*int_mask |= 2;
			return TD_NEXT_QH; /* short packet: the queue stays on this TD */
		}
	}
	return TD_COMPLETE;
}

/* The loop detector: queue heads seen since the last completed TD. */
struct qh_seen {
	uint32_t link[MAX_QUEUE_HEADS];
	unsigned int count;
};

/* True when link was already seen, or there is no room to remember it. */
static bool qh_seen_insert(struct qh_seen *seen, uint32_t link)
{
	for (unsigned int i = 0; i < seen->count; i++)
		if (seen->link[i] == link)
			return true;
	if (seen->count == MAX_QUEUE_HEADS)
		return true;
	seen->link[seen->count++] = link;
	return false;
}

static void process_frame(struct uhci *s)
{
	uint32_t entry = s->r.fl_base + ((uint32_t)(s->r.frnum & 0x3ff) << 2);
	uint32_t link, curr_qh = 0, int_mask = 0;
	unsigned int td_count = 0;
	struct qh_seen seen = { .count = 0 };
	struct qh qh = { 0, 0 };

	if (!dma_read32(s, entry, &link)) {
		log_guest("uhci", "frame list entry at %#x is not guest RAM", entry);
		return;
	}
	for (unsigned int loops = 0; loops < FRAME_MAX_LINKS && !(link & LINK_TERMINATE); loops++) {
		uint32_t addr = link & ~0xfu;
		uint8_t b[16];
		struct td td;
		uint32_t old_ctrl;

		if (s->frame_bytes >= FRAME_BANDWIDTH)
			break;
		if (link & LINK_QH) {
			if (qh_seen_insert(&seen, link)) {
				if (td_count == 0)
					break; /* a loop with nothing done: the frame is over */
				/* Linux loops its async schedule on purpose (FSBR): go round again. */
				seen.count = 0;
				qh_seen_insert(&seen, link);
				td_count = 0;
			}
			if (!pci_dma_rw(&s->pci, s->accel, addr, b, 8, false)) {
				log_guest("uhci", "queue head at %#x is not guest RAM", addr);
				break;
			}
			qh.link = le32(b);
			qh.element = le32(b + 4);
			if (qh.element & LINK_TERMINATE) {
				curr_qh = 0;
				link = qh.link;
			} else {
				curr_qh = link;
				link = qh.element;
			}
			continue;
		}
		if (!pci_dma_rw(&s->pci, s->accel, addr, b, 16, false)) {
			log_guest("uhci", "transfer descriptor at %#x is not guest RAM", addr);
			break;
		}
		td.link = le32(b);
		td.ctrl = le32(b + 4);
		td.token = le32(b + 8);
		td.buffer = le32(b + 12);
		old_ctrl = td.ctrl;
		enum td_result ret = handle_td(s, &td, &int_mask);

		if (td.ctrl != old_ctrl)
			dma_write32(s, addr + 4, td.ctrl);
		if (ret == TD_STOP_FRAME)
			break;
		if (ret == TD_NEXT_QH) {
			link = curr_qh ? qh.link : td.link;
			continue;
		}
		/* Completed: on along the TD's link. */
		link = td.link;
		td_count++;
		s->frame_bytes += (td.ctrl & TD_ACTLEN) + 1; /* 0 bytes counts 2048, as QEMU */
		if (curr_qh) {
			qh.element = link;
			dma_write32(s, (curr_qh & ~0xfu) + 4, qh.element);
			/*
			 * Breadth first: leave the queue. Depth first goes on at the
			 * TD's link even when that terminates, which ends the frame
			 * (QEMU's behaviour, kept).
			 */
			if (!(link & LINK_DEPTH)) {
				curr_qh = 0;
				link = qh.link;
			}
		}
	}
	s->r.pending_int_mask |= int_mask;
}

static void frame_timer(void *opaque)
{
	struct uhci *s = opaque;
	struct uhci_regs *r = &s->r;
	uint64_t now = clock_now(s->clock);
	uint64_t frames;

	if (!(r->cmd & CMD_RS)) {
		r->status |= STS_HCHALTED;
		return; /* stopped: not re-armed */
	}
	frames = now + FRAME_NS > r->expire_ns ? (now + FRAME_NS - r->expire_ns) / FRAME_NS : 0;
	if (frames > MAX_FRAMES_OWED) {
		uint64_t skipped = frames - MAX_FRAMES_OWED;

		r->expire_ns += skipped * FRAME_NS;
		r->frnum = (uint16_t)((r->frnum + skipped) & 0x7ff);
		frames = MAX_FRAMES_OWED;
	}
	if (frames > MAX_FRAMES_PER_TICK)
		frames = MAX_FRAMES_PER_TICK;
	for (uint64_t i = 0; i < frames; i++) {
		s->frame_bytes = 0;
		process_frame(s);
		r->frnum = (r->frnum + 1) & 0x7ff;
		r->expire_ns += FRAME_NS;
	}
	if (r->pending_int_mask) {
		r->status2 |= (uint8_t)r->pending_int_mask;
		r->status |= STS_USBINT;
		update_irq(s);
	}
	r->pending_int_mask = 0;
	timer_arm(&s->frame_timer, now + FRAME_NS);
}

/* ------------------------------------------------------------ registers */

static uint16_t reg_read(struct uhci *s, unsigned int off)
{
	const struct uhci_regs *r = &s->r;

	switch (off) {
	case 0x00:
		return r->cmd;
	case 0x02:
		return r->status;
	case 0x04:
		return r->intr;
	case 0x06:
		return r->frnum;
	case 0x08:
		return (uint16_t)r->fl_base;
	case 0x0a:
		return (uint16_t)(r->fl_base >> 16);
	case 0x0c:
		return r->sof_timing;
	}
	if (off >= 0x10 && off < 0x20 && ((off >> 1) & 7) < UHCI_PORTS)
		return r->portsc[(off >> 1) & 7];
	return 0xff7f; /* what QEMU answers for no register: Linux counts ports by it */
}

static void cmd_write(struct uhci *s, uint16_t val)
{
	struct uhci_regs *r = &s->r;

	if ((val & CMD_RS) && !(r->cmd & CMD_RS)) {
		r->expire_ns = clock_now(s->clock) + FRAME_NS;
		timer_arm(&s->frame_timer, r->expire_ns);
		r->status &= (uint16_t)~STS_HCHALTED;
	} else if (!(val & CMD_RS)) {
		r->status |= STS_HCHALTED;
	}
	if (val & CMD_GRESET) {
		for (unsigned int n = 0; n < UHCI_PORTS; n++)
			if (s->port_dev[n])
				usb_device_reset(s->port_dev[n]);
		uhci_reset(s);
		return;
	}
	if (val & CMD_HCRESET) {
		uhci_reset(s);
		return;
	}
	r->cmd = val;
	if ((val & CMD_EGSM) && ((r->portsc[0] & PORT_RD) || (r->portsc[1] & PORT_RD)))
		signal_resume(s);
}

static void port_write(struct uhci *s, unsigned int n, uint16_t val)
{
	uint16_t *ctrl = &s->r.portsc[n];
	struct usb_device *dev = s->port_dev[n];

	/* The PR rising edge resets the device; PE is left as it was (QEMU). */
	if (dev && dev->attached && (val & PORT_PR) && !(*ctrl & PORT_PR))
		usb_device_reset(dev);
	*ctrl &= PORT_READ_ONLY;
	if (!(*ctrl & PORT_CCS))
		val &= (uint16_t)~PORT_PE;
	*ctrl |= val & (uint16_t)~PORT_READ_ONLY;
	*ctrl &= (uint16_t)~(val & PORT_WRITE_CLEAR);
}

static void reg_write(struct uhci *s, unsigned int off, uint16_t val)
{
	struct uhci_regs *r = &s->r;

	switch (off) {
	case 0x00:
		cmd_write(s, val);
		return;
	case 0x02:
		r->status &= (uint16_t)~val; /* every bit write-1-to-clear, HCHalted too */
		if (val & STS_USBINT)
			r->status2 = 0;
		update_irq(s);
		return;
	case 0x04:
		r->intr = val;
		update_irq(s);
		return;
	case 0x06:
		if (r->status & STS_HCHALTED)
			r->frnum = val & 0x7ff;
		return;
	case 0x08:
		r->fl_base = (r->fl_base & 0xffff0000u) | (val & 0xf000u);
		return;
	case 0x0a:
		r->fl_base = (r->fl_base & 0xffffu) | (uint32_t)val << 16;
		return;
	case 0x0c:
		r->sof_timing = (uint8_t)val;
		return;
	}
	if (off >= 0x10 && off < 0x20 && ((off >> 1) & 7) < UHCI_PORTS)
		port_write(s, (off >> 1) & 7, val);
}

/*
 * QEMU's UHCI implements only 16-bit accesses at the guest's own address:
 * a byte read is the low byte of the 16 bits there (so inb 0x11 reads
 * PORTSC1's low byte), a byte write is a 16-bit write of that byte, and a
 * dword is two 16-bit accesses.
 */
static uint64_t bar_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct uhci *s = opaque;
	unsigned int off = (unsigned int)offset;

	if (size == 4)
		return reg_read(s, off) | (uint32_t)reg_read(s, off + 2) << 16;
	if (size == 2)
		return reg_read(s, off);
	return reg_read(s, off) & 0xff;
}

static void bar_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	struct uhci *s = opaque;
	unsigned int off = (unsigned int)offset;

	if (size == 4) {
		reg_write(s, off, (uint16_t)val);
		reg_write(s, off + 2, (uint16_t)(val >> 16));
		return;
	}
	reg_write(s, off, (uint16_t)(size == 2 ? val : (val & 0xff)));
}

static const struct io_ops bar_ops = {
	.read = bar_read,
	.write = bar_write,
	.impl_min = 1,
	.impl_max = 4,
	.unaligned = true,
};

/* ------------------------------------------------------------ the device */

int uhci_attach(struct uhci *s, unsigned int port, struct usb_device *dev)
{
	if (port >= UHCI_PORTS || s->port_dev[port])
		return -1;
	s->port_dev[port] = dev;
	dev->port_ops = &root_port_ops;
	dev->port_owner = s;
	dev->port = port;
	return 0;
}

int uhci_init(struct uhci *s, struct pci_bus *bus, struct accel *accel, const struct uhci_config *cfg,
	      char *err, size_t errlen)
{
	struct pci_device *d = &s->pci;
	int rc;

	memset(s, 0, sizeof(*s));
	s->accel = accel;
	s->clock = cfg->clock;
	timer_init(&s->frame_timer, s->clock, frame_timer, s);
	/* QEMU's piix3-usb-uhci: 8086:7020 rev 1, class 0c0300, subsystem 1af4:1100, INTD. */
	pci_device_init(d, "piix3-usb-uhci", 0x8086, 0x7020, 0x01, 0x0c0300);
	d->opaque = s;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, 0x1100);
	d->config[PCI_INTERRUPT_PIN] = 4;
	d->config[0x60] = 0x10; /* SBRN: USB 1.0 */
	rc = pci_register_bar(d, 4, PCI_BAR_IO, false, UHCI_IO_SIZE, &bar_ops, s, "uhci");
	if (!rc)
		rc = pci_register_device(bus, d, cfg->devfn);
	if (rc) {
		snprintf(err, errlen, "uhci: cannot claim PCI function %02x.%u (error %d)",
			 PCI_SLOT(cfg->devfn), PCI_FUNC(cfg->devfn), rc);
		return -1;
	}
	return 0;
}

void uhci_destroy(struct uhci *s)
{
	timer_cancel(&s->frame_timer);
	for (unsigned int n = 0; n < UHCI_PORTS; n++)
		if (s->port_dev[n])
			usb_device_detach(s->port_dev[n]);
}

void uhci_save_state(const struct uhci *s, struct uhci_state *st)
{
	memset(st, 0, sizeof(*st));
	pci_save_state(&s->pci, &st->pci);
	st->r = s->r;
}

int uhci_check_state(const struct uhci *s, const struct uhci_state *st, char *err, size_t errlen)
{
	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (st->r.frnum > 0x7ff) {
		snprintf(err, errlen, "uhci: frame number %#x beyond 11 bits", st->r.frnum);
		return -1;
	}
	if (st->r.fl_base & 0xfff) {
		snprintf(err, errlen, "uhci: frame list base %#x is not 4 KiB aligned", st->r.fl_base);
		return -1;
	}
	if (st->r.status2 & ~3u || st->r.pending_int_mask & ~3u) {
		snprintf(err, errlen, "uhci: interrupt causes %#x/%#x beyond IOC and short packet",
			 st->r.status2, st->r.pending_int_mask);
		return -1;
	}
	for (unsigned int n = 0; n < UHCI_PORTS; n++) {
		bool connected = st->r.portsc[n] & PORT_CCS;

		/* The guest's own bits are stored as written (QEMU's); bit 7 always reads 1. */
		if (!(st->r.portsc[n] & PORT_RESERVED1)) {
			snprintf(err, errlen, "uhci: root port %u status %#x lacks bit 7, which always reads 1",
				 n + 1, st->r.portsc[n]);
			return -1;
		}
		if (connected && !s->port_dev[n]) {
			snprintf(err, errlen,
				 "uhci: root port %u has a device connected in the saved state but none here",
				 n + 1);
			return -1;
		}
	}
	return 0;
}

void uhci_load_state(struct uhci *s, const struct uhci_state *st)
{
	pci_load_state(&s->pci, &st->pci);
	s->r = st->r;
	s->r.frnum &= 0x7ff;
	s->r.fl_base &= ~0xfffu;
	/* A producer's deadline on its own clock: the next frame is 1 ms from now (QEMU's v1 rule). */
	if (st->expire_unknown)
		s->r.expire_ns = clock_now(s->clock) + FRAME_NS;
	timer_cancel(&s->frame_timer);
	if (s->r.cmd & CMD_RS)
		timer_arm(&s->frame_timer, s->r.expire_ns);
	update_irq(s);
}

static void reset_op(struct uhci *s)
{
	uhci_reset(s);
}

DEV_OPS_RESET(reset_op, struct uhci)
DEV_OPS_DESTROY(uhci_destroy, struct uhci)
DEV_OPS_SAVE(uhci_save_state, struct uhci, struct uhci_state)
DEV_OPS_CHECK(uhci_check_state, struct uhci, struct uhci_state)
DEV_OPS_LOAD(uhci_load_state, struct uhci, struct uhci_state)

const struct dev_ops uhci_ops = {
	.name = "uhci",
	.record = "uhci",
	.reset = ops_reset,
	.destroy = ops_destroy,
	.save = ops_save,
	.check = ops_check,
	.load = ops_load,
};
