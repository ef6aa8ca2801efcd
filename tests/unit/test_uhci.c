// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX3 UHCI through the guest's ports, with a USB tablet on root port
 * 1: PCI identity, every register and QEMU's access-size rules, PORTSC
 * semantics, and schedules built in guest memory -- control transfers that
 * enumerate the tablet, its interrupt endpoint (NAK, then a report), short
 * packets, stalls, a missing device, a bad PID, and hostile schedules (QH
 * and TD loops, pointers outside RAM) that must end each frame.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include "../../hw/usb/hid.h"
#include "../../state/buf.h"
#include "../../state/qevm.h"
#include "../../state/registry.h"

#define UHCI PCI_DEVFN(1, 2)
#define IOB 0xc000
#define FL 0x10000   /* frame list */
#define QH0 0x11000
#define TD0 0x11100  /* TDs at TD0 + 16 * i */
#define BUF 0x12000  /* data buffers at BUF + 0x100 * i */

#define TD_ACTIVE (1u << 23)
#define TD_STALL (1u << 22)
#define TD_NAK (1u << 19)
#define TD_TIMEOUT (1u << 18)
#define TD_IOC (1u << 24)
#define TD_SPD (1u << 29)
#define TD_CERR3 (3u << 27)

struct u_ctx {
	struct tm_ctx *t;
};

static struct tm_ctx *uhci_new(enum machine_profile p, unsigned int nr, const enum usb_hid_kind *kinds)
{
	struct machine_config cfg = { .profile = p, .vcpus = 1, .ram_mib = 128, .usb = true };
	struct tm_ctx *t;

	for (unsigned int i = 0; i < nr; i++) {
		cfg.usb_dev[i].kind = kinds[i];
		cfg.usb_dev[i].port = i + 1;
	}
	cfg.nr_usb = nr;
	t = tm_new_cfg(&cfg);
	cfg_wr(t, UHCI, 0x20, 4, IOB | 1);
	cfg_wr(t, UHCI, 0x04, 2, 0x0005); /* I/O decode and bus mastering */
	return t;
}

static struct tm_ctx *tablet_new(void)
{
	static const enum usb_hid_kind tablet = USB_HID_TABLET;

	return uhci_new(PROFILE_XENFV, 1, &tablet);
}

static void wr32(struct tm_ctx *t, uint32_t a, uint32_t v)
{
	memcpy(&t->acc.guest_ram[a], &v, 4);
}

static uint32_t rd32(struct tm_ctx *t, uint32_t a)
{
	uint32_t v;

	memcpy(&v, &t->acc.guest_ram[a], 4);
	return v;
}

static uint32_t token(uint8_t pid, uint8_t addr, uint8_t ep, unsigned int max_len)
{
	return pid | (uint32_t)addr << 8 | (uint32_t)ep << 15 | (uint32_t)((max_len - 1) & 0x7ff) << 21;
}

/* TD i: link, ctrl, token, buffer. */
static void put_td(struct tm_ctx *t, unsigned int i, uint32_t link, uint32_t ctrl, uint32_t tok, uint32_t buf)
{
	uint32_t a = TD0 + 16 * i;

	wr32(t, a, link);
	wr32(t, a + 4, ctrl);
	wr32(t, a + 8, tok);
	wr32(t, a + 12, buf);
}

static uint32_t td_ctrl(struct tm_ctx *t, unsigned int i)
{
	return rd32(t, TD0 + 16 * i + 4);
}

static uint32_t td_addr(unsigned int i)
{
	return TD0 + 16 * i;
}

/* Every frame-list entry points at the queue head, whose element is `element`. */
static void schedule(struct tm_ctx *t, uint32_t element)
{
	for (unsigned int i = 0; i < 1024; i++)
		wr32(t, FL + 4 * i, QH0 | 2);
	wr32(t, QH0, 1);
	wr32(t, QH0 + 4, element);
}

static void run(struct tm_ctx *t)
{
	outp(t, IOB + 0x08, 4, FL);
	outp(t, IOB + 0x00, 2, 0x0001);
}

static void frames(struct tm_ctx *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		tm_advance(t, 1000000);
}

static bool irq(struct tm_ctx *t)
{
	return t->acc.intx[1][3]; /* slot 1, INTD */
}

/*
 * One control transfer to addr as a depth-first chain: SETUP, IN data
 * stages of up to 8 bytes (or one OUT stage), status. Returns the number of
 * TDs; data lands at BUF + 0x100 * (1 + k).
 */
static unsigned int control(struct tm_ctx *t, uint8_t addr, const uint8_t setup[8], unsigned int in_len,
			    unsigned int ctrl_extra)
{
	unsigned int n = 0;
	bool in = setup[0] & 0x80;

	memcpy(&t->acc.guest_ram[BUF], setup, 8);
	put_td(t, n, td_addr(n + 1) | 4, TD_ACTIVE | TD_CERR3, token(0x2d, addr, 0, 8), BUF);
	n++;
	for (unsigned int done = 0; in && done < in_len; done += 8, n++)
		put_td(t, n, td_addr(n + 1) | 4, TD_ACTIVE | TD_CERR3 | ctrl_extra,
		       token(0x69, addr, 0, in_len - done < 8 ? in_len - done : 8), BUF + 0x100 * n);
	put_td(t, n, 1, TD_ACTIVE | TD_CERR3 | TD_IOC, token(in ? 0xe1 : 0x69, addr, 0, 0), 0);
	return n + 1;
}

static void enable_port1(struct tm_ctx *t)
{
	outp(t, IOB + 0x10, 2, 0x0200); /* reset */
	outp(t, IOB + 0x10, 2, 0x0000);
	outp(t, IOB + 0x10, 2, 0x0004 | 0x0002); /* enable, clear the connect change */
}

static void test_identity(void **state)
{
	struct tm_ctx *t;

	(void)state;
	t = tablet_new();
	assert_int_equal(cfg_rd(t, UHCI, 0x00, 4), 0x70208086);
	assert_int_equal(cfg_rd(t, UHCI, 0x08, 4), 0x0c030001);
	assert_int_equal(cfg_rd(t, UHCI, 0x2c, 4), 0x11001af4);
	assert_int_equal(cfg_rd(t, UHCI, 0x3d, 1), 4); /* INTD */
	assert_int_equal(cfg_rd(t, UHCI, 0x60, 1), 0x10);
	assert_int_equal(cfg_rd(t, UHCI, 0x68, 4), 0x00010000);
	cfg_wr(t, UHCI, 0x20, 4, 0xffffffff);
	assert_int_equal(cfg_rd(t, UHCI, 0x20, 4), 0xffffffe1);
	assert_int_equal(cfg_rd(t, UHCI, 0x10, 4), 0); /* BAR0-3 absent */
	/* USBLEGSUP is plain storage, as QEMU's. */
	cfg_wr(t, UHCI, 0xc0, 2, 0x8f00);
	assert_int_equal(cfg_rd(t, UHCI, 0xc0, 2), 0x8f00);
	/* xenfv carries QEMU's hw_compat_3_1: the HID serial string is "42". */
	assert_string_equal(t->m.usb_hid[0].dev.serial, "42");
	tm_free(t);
}

static void test_registers(void **state)
{
	struct tm_ctx *t;

	(void)state;
	t = tablet_new();
	assert_int_equal(inp(t, IOB + 0x00, 2), 0);
	assert_int_equal(inp(t, IOB + 0x02, 2), 0x0020);
	assert_int_equal(inp(t, IOB + 0x0c, 2), 0x40);
	assert_int_equal(inp(t, IOB + 0x10, 2), 0x0083); /* the tablet is connected */
	assert_int_equal(inp(t, IOB + 0x12, 2), 0x0080);
	assert_int_equal(inp(t, IOB + 0x0e, 2), 0xff7f);
	assert_int_equal(inp(t, IOB + 0x14, 2), 0xff7f);
	/* QEMU's 16-bit-only handlers: odd bytes hit no register, 0x11 aliases PORTSC1. */
	assert_int_equal(inp(t, IOB + 0x01, 1), 0x7f);
	assert_int_equal(inp(t, IOB + 0x11, 1), 0x83);
	assert_int_equal(inp(t, IOB + 0x10, 4), 0x00800083);
	/* All of USBCMD is stored; HCRESET reads back 0 and keeps FRNUM. */
	outp(t, IOB + 0x00, 2, 0xffc0);
	assert_int_equal(inp(t, IOB + 0x00, 2), 0xffc0);
	outp(t, IOB + 0x00, 2, 0);
	outp(t, IOB + 0x06, 2, 0x1123);
	assert_int_equal(inp(t, IOB + 0x06, 2), 0x123);
	outp(t, IOB + 0x00, 2, 0x0002);
	assert_int_equal(inp(t, IOB + 0x00, 2), 0);
	assert_int_equal(inp(t, IOB + 0x06, 2), 0x123);
	/* USBSTS: every bit W1C, HCHalted too; then FRNUM is no longer writable. */
	outp(t, IOB + 0x02, 2, 0xffff);
	assert_int_equal(inp(t, IOB + 0x02, 2), 0);
	outp(t, IOB + 0x06, 2, 0x7);
	assert_int_equal(inp(t, IOB + 0x06, 2), 0x123);
	/* USBINTR keeps 16 bits; FLBASEADD forces the low 12 bits to 0; SOFMOD is a byte. */
	outp(t, IOB + 0x04, 2, 0xffff);
	assert_int_equal(inp(t, IOB + 0x04, 2), 0xffff);
	outp(t, IOB + 0x04, 2, 0);
	outp(t, IOB + 0x08, 4, 0x12345678);
	assert_int_equal(inp(t, IOB + 0x08, 4), 0x12345000);
	outp(t, IOB + 0x0c, 1, 0x3f);
	assert_int_equal(inp(t, IOB + 0x0c, 2), 0x3f);
	/* A byte write to 0x00 is a 16-bit USBCMD write. */
	outp(t, IOB + 0x00, 1, 0x40);
	assert_int_equal(inp(t, IOB + 0x00, 2), 0x40);
	tm_free(t);
}

static void test_portsc(void **state)
{
	struct tm_ctx *t;

	(void)state;
	t = tablet_new();
	/* PE only with a device; CSC/PEC write-1-to-clear; PR, RD, SUSP and 10-15 stored. */
	outp(t, IOB + 0x12, 2, 0x0004);
	assert_int_equal(inp(t, IOB + 0x12, 2), 0x0080);
	outp(t, IOB + 0x10, 2, 0xffff);
	assert_int_equal(inp(t, IOB + 0x10, 2), 0xfec5);
	outp(t, IOB + 0x10, 2, 0x0004);
	assert_int_equal(inp(t, IOB + 0x10, 2), 0x0085);
	/* The controller reset puts the device back as newly connected. */
	outp(t, IOB + 0x00, 2, 0x0002);
	assert_int_equal(inp(t, IOB + 0x10, 2), 0x0083);
	/* A global reset too. */
	outp(t, IOB + 0x00, 2, 0x0004);
	assert_int_equal(inp(t, IOB + 0x10, 2), 0x0083);
	assert_int_equal(inp(t, IOB + 0x00, 2), 0);
	tm_free(t);
}

static const uint8_t tablet_device_desc[18] = {
	0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x03, 0x0a, 0x01,
};

static void test_enumerate(void **state)
{
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 18, 0 };
	static const uint8_t get_dev8[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 8, 0 };
	static const uint8_t set_addr[8] = { 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0, 0 };
	uint8_t got[18];
	unsigned int n;
	struct tm_ctx *t;

	(void)state;
	t = tablet_new();
	enable_port1(t);
	outp(t, IOB + 0x04, 2, 0x0004); /* IOC interrupts */
	n = control(t, 0, get_dev, 18, 0);
	schedule(t, td_addr(0));
	run(t);
	frames(t, 2);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(td_ctrl(t, i) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	/* ActLen: 8 for the SETUP, 8, 8 and 2 for the data, 0 (0x7ff) for the status. */
	assert_int_equal(td_ctrl(t, 0) & 0x7ff, 7);
	assert_int_equal(td_ctrl(t, 3) & 0x7ff, 1);
	assert_int_equal(td_ctrl(t, 4) & 0x7ff, 0x7ff);
	for (unsigned int k = 0; k < 3; k++)
		memcpy(got + 8 * k, &t->acc.guest_ram[BUF + 0x100 * (1 + k)], k < 2 ? 8 : 2);
	assert_memory_equal(got, tablet_device_desc, 18);
	/* The whole chain ran: the QH element moved to the status TD's terminating link. */
	assert_int_equal(rd32(t, QH0 + 4), 1);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0001);
	assert_true(irq(t));
	outp(t, IOB + 0x02, 2, 0x0001);
	assert_false(irq(t));

	/* SET_ADDRESS 5: the status stage still goes to address 0. */
	n = control(t, 0, set_addr, 0, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 2);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	/* Now address 0 has nobody: a timeout, C_ERR cleared, USBERRINT. */
	n = control(t, 0, get_dev, 8, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 0) & (TD_ACTIVE | TD_TIMEOUT | TD_CERR3), TD_TIMEOUT);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0002);
	outp(t, IOB + 0x02, 2, 0x0002);
	/* ... and address 5 answers. */
	n = control(t, 5, get_dev8, 8, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 2);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	assert_memory_equal(&t->acc.guest_ram[BUF + 0x100], tablet_device_desc, 8);
	/* A status stage before all the IN data was read stalls (QEMU). */
	n = control(t, 5, get_dev, 8, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL), TD_STALL);
	/* Clearing PE hides the device. */
	outp(t, IOB + 0x10, 2, 0x0000);
	n = control(t, 5, get_dev8, 8, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_true(td_ctrl(t, 0) & TD_TIMEOUT);
	(void)n;
	tm_free(t);
}

static void test_stall_and_short(void **state)
{
	/* GET_DESCRIPTOR type 10 (debug): refused, so the SETUP itself stalls. */
	static const uint8_t get_debug[8] = { 0x80, 0x06, 0x00, 0x0a, 0x00, 0x00, 8, 0 };
	static const uint8_t get_dev[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 18, 0 };
	struct tm_ctx *t;

	(void)state;
	t = tablet_new();
	enable_port1(t);
	outp(t, IOB + 0x04, 2, 0x0009); /* errors and short packets */
	control(t, 0, get_debug, 8, 0);
	schedule(t, td_addr(0));
	run(t);
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 0) & (TD_ACTIVE | TD_STALL), TD_STALL);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0002);
	assert_true(irq(t));
	/* The QH stays on the stalled TD. */
	assert_int_equal(rd32(t, QH0 + 4), td_addr(0));
	outp(t, IOB + 0x02, 2, 0x0002);
	assert_false(irq(t));

	/* A 64-byte IN for the 18-byte descriptor with SPD: a short packet. */
	memcpy(&t->acc.guest_ram[BUF], get_dev, 8);
	put_td(t, 0, td_addr(1) | 4, TD_ACTIVE | TD_CERR3, token(0x2d, 0, 0, 8), BUF);
	put_td(t, 1, td_addr(2) | 4, TD_ACTIVE | TD_CERR3 | TD_SPD, token(0x69, 0, 0, 64), BUF + 0x100);
	put_td(t, 2, 1, TD_ACTIVE | TD_CERR3, token(0xe1, 0, 0, 0), 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 1) & (TD_ACTIVE | 0x7ff), 17);
	assert_memory_equal(&t->acc.guest_ram[BUF + 0x100], tablet_device_desc, 18);
	/* Retired, but the queue stays on it (the driver moves it on); the status TD waits. */
	assert_int_equal(rd32(t, QH0 + 4), td_addr(1) | 4);
	assert_true(td_ctrl(t, 2) & TD_ACTIVE);
	assert_true(irq(t));
	tm_free(t);
}

static void test_interrupt_endpoint(void **state)
{
	static const uint8_t set_config[8] = { 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0, 0 };
	struct tm_ctx *t;
	struct usb_hid *tablet;
	const uint8_t *r;

	(void)state;
	t = tablet_new();
	tablet = &t->m.usb_hid[0];
	enable_port1(t);
	control(t, 0, set_config, 0, 0);
	schedule(t, td_addr(0));
	run(t);
	frames(t, 1);
	outp(t, IOB + 0x02, 2, 0x0003);
	/* The interrupt IN: nothing queued, so NAK and still active. */
	put_td(t, 8, 1, TD_ACTIVE | TD_CERR3 | TD_IOC, token(0x69, 0, 1, 8), BUF + 0x800);
	wr32(t, QH0 + 4, td_addr(8));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 8) & (TD_ACTIVE | TD_NAK), TD_ACTIVE | TD_NAK);
	assert_false(inp(t, IOB + 0x02, 2) & 0x0003);
	/* The poll activated the tablet: the machine now routes absolute events to it. */
	assert_true(usb_hid_active(tablet));
	usb_hid_pointer_abs(tablet, 0x4000, 0x2000, USB_HID_BUTTON_LEFT);
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 8) & (TD_ACTIVE | TD_NAK | 0x7ff), 5);
	r = &t->acc.guest_ram[BUF + 0x800];
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1] | r[2] << 8, 0x4000);
	assert_int_equal(r[3] | r[4] << 8, 0x2000);
	assert_int_equal(r[5], 0);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0001);
	tm_free(t);
}

static void test_bad_pid(void **state)
{
	struct tm_ctx *t;

	(void)state;
	tm_quiet();
	t = tablet_new();
	enable_port1(t);
	put_td(t, 0, 1, TD_ACTIVE, 0x42, BUF);
	schedule(t, td_addr(0));
	run(t);
	frames(t, 1);
	/* Process error: RS cleared, the line up whatever USBINTR says, the TD untouched. */
	assert_int_equal(inp(t, IOB + 0x00, 2) & 1, 0);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0010);
	assert_true(irq(t));
	assert_int_equal(td_ctrl(t, 0), TD_ACTIVE);
	frames(t, 2);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0020); /* halted at the next tick */
	tm_free(t);
}

static void test_hostile_schedules(void **state)
{
	struct tm_ctx *t;
	uint16_t fr;

	(void)state;
	tm_quiet();
	t = tablet_new();
	enable_port1(t);
	/* A queue head whose horizontal link is itself, its element a NAKing TD. */
	put_td(t, 0, 1, TD_ACTIVE | TD_CERR3, token(0x69, 0, 1, 8), BUF);
	schedule(t, td_addr(0));
	wr32(t, QH0, QH0 | 2);
	run(t);
	fr = (uint16_t)inp(t, IOB + 0x06, 2);
	frames(t, 4);
	assert_int_equal((uint16_t)inp(t, IOB + 0x06, 2), (fr + 4) & 0x7ff);
	/* A TD whose link is itself and that is inactive: 256 links, then the frame ends. */
	put_td(t, 1, td_addr(1), TD_IOC, token(0x69, 0, 1, 8), BUF);
	for (unsigned int i = 0; i < 1024; i++)
		wr32(t, FL + 4 * i, td_addr(1));
	frames(t, 2);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0001); /* IOC on an inactive TD still interrupts */
	/* Depth-first TDs chained in a ring (each stalls once, then is inactive): 256 links at most. */
	for (unsigned int i = 0; i < 4; i++)
		put_td(t, 2 + i, td_addr(2 + (i + 1) % 4) | 4, TD_ACTIVE, token(0xe1, 0, 0, 0), 0);
	for (unsigned int i = 0; i < 1024; i++)
		wr32(t, FL + 4 * i, td_addr(2));
	frames(t, 2);
	/* Pointers outside guest RAM: the frame list, a QH, a TD, a buffer. */
	outp(t, IOB + 0x0a, 2, 0x8000); /* frame list at 2 GiB */
	frames(t, 2);
	outp(t, IOB + 0x0a, 2, FL >> 16);
	for (unsigned int i = 0; i < 1024; i++)
		wr32(t, FL + 4 * i, 0x7ff00000 | 2);
	frames(t, 2);
	for (unsigned int i = 0; i < 1024; i++)
		wr32(t, FL + 4 * i, 0x7ff00000);
	frames(t, 2);
	put_td(t, 6, 1, TD_ACTIVE | TD_CERR3, token(0x2d, 0, 0, 8), 0x7ff00000);
	for (unsigned int i = 0; i < 1024; i++)
		wr32(t, FL + 4 * i, td_addr(6));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 6) & (TD_ACTIVE | TD_TIMEOUT), TD_TIMEOUT);
	/* Still running and counting frames. */
	assert_int_equal(inp(t, IOB + 0x00, 2) & 1, 1);
	tm_free(t);
}

static void test_stopped_and_catch_up(void **state)
{
	struct tm_ctx *t;

	(void)state;
	t = tablet_new();
	schedule(t, 1);
	run(t);
	frames(t, 3);
	assert_int_equal(inp(t, IOB + 0x06, 2), 3);
	/* A long stall: at most 128 frames are owed, 16 walked per tick. */
	tm_advance(t, 1000 * 1000000ull);
	assert_int_equal(inp(t, IOB + 0x06, 2), (3 + 1000 - 128 + 16) & 0x7ff);
	outp(t, IOB + 0x00, 2, 0);
	assert_true(inp(t, IOB + 0x02, 2) & 0x0020);
	frames(t, 3);
	assert_int_equal(inp(t, IOB + 0x06, 2), (3 + 1000 - 128 + 16) & 0x7ff); /* frozen */
	tm_free(t);
}

/* -usbdevice tablet on the pc machine (KVM): the same controller, QEMU's generated serial. */
static void test_pc_machine(void **state)
{
	static const enum usb_hid_kind kinds[2] = { USB_HID_TABLET, USB_HID_KEYBOARD };
	struct tm_ctx *t;

	(void)state;
	t = uhci_new(PROFILE_PC, 2, kinds);
	assert_int_equal(cfg_rd(t, UHCI, 0x00, 4), 0x70208086);
	assert_int_equal(inp(t, IOB + 0x10, 4), 0x00830083);
	assert_string_equal(t->m.usb_hid[0].dev.serial, "28754-0000:00:01.2-1");
	assert_null(machine_unsaveable(&t->m));
	tm_free(t);
}

/*
 * VNC pointer events through the console: the i8042's until the guest polls
 * the tablet, then the tablet's, scaled from the screen as QEMU's VNC server does.
 */
static void test_pointer_routing(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128, .usb = true,
				      .display = DISPLAY_STDVGA, .nr_usb = 1 };
	const struct display_surface *surf;
	struct usb_hid *tablet;
	struct tm_ctx *t;
	const uint8_t *r;

	(void)state;
	cfg.usb_dev[0].kind = USB_HID_TABLET;
	cfg.usb_dev[0].port = 1;
	t = tm_new_cfg(&cfg);
	tablet = &t->m.usb_hid[0];
	cfg_wr(t, UHCI, 0x20, 4, IOB | 1);
	cfg_wr(t, UHCI, 0x04, 2, 0x0005);
	console_refresh(&t->m.console);
	surf = t->m.console.card.surface(t->m.console.card.card);
	assert_true(surf->width > 1 && surf->height > 1);
	console_pointer_event(&t->m.console, 10, 10, 1);
	assert_int_equal(tablet->st.n, 0); /* not polled yet: PS/2 had it */
	enable_port1(t);
	put_td(t, 8, 1, TD_ACTIVE | TD_CERR3, token(0x69, 0, 1, 8), BUF + 0x800);
	schedule(t, td_addr(8));
	run(t);
	frames(t, 1);
	assert_true(td_ctrl(t, 8) & TD_NAK);
	console_pointer_event(&t->m.console, (int)surf->width - 1, (int)(surf->height - 1) / 2, 4);
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 8) & (TD_ACTIVE | 0x7ff), 5);
	r = &t->acc.guest_ram[BUF + 0x800];
	assert_int_equal(r[0], USB_HID_BUTTON_RIGHT); /* RFB button 4 is the right one */
	/* QEMU's scaling divides by the width, not width - 1 (the stock qemu-xen gives 32721 for 719 of 720). */
	assert_int_equal(r[1] | r[2] << 8, (int)((int64_t)(surf->width - 1) * 0x7fff / surf->width));
	assert_int_equal(r[3] | r[4] << 8, (int)((int64_t)((surf->height - 1) / 2) * 0x7fff / surf->height));
	tm_free(t);
}

/*
 * xl usbdevice=["tablet","keyboard"]: the tablet on root port 1, QEMU's
 * automatic hub on port 2 and the keyboard on the hub's port 1, reached
 * through the hub once the guest has reset that port.
 */
static void test_hub(void **state)
{
	static const uint8_t set_addr7[8] = { 0x00, 0x05, 0x07, 0x00, 0x00, 0x00, 0, 0 };
	static const uint8_t port1_status[8] = { 0xa3, 0x00, 0x00, 0x00, 0x01, 0x00, 4, 0 };
	static const uint8_t port1_reset[8] = { 0x23, 0x03, 0x04, 0x00, 0x01, 0x00, 0, 0 };
	static const uint8_t get_dev8[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 8, 0 };
	static const uint8_t hub_dev8[8] = { 0x12, 0x01, 0x10, 0x01, 0x09, 0x00, 0x00, 0x08 };
	static const uint8_t kbd_dev8[8] = { 0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08 };
	struct machine_config cfg = { .profile = PROFILE_XENFV, .vcpus = 1, .ram_mib = 128, .usb = true, .nr_usb = 2,
				      .usb_hub_port = 2, .usb_hub_before = 1 };
	struct tm_ctx *t;
	unsigned int n;
	const uint8_t *r;

	(void)state;
	cfg.usb_dev[0] = (struct machine_usb){ .kind = USB_HID_TABLET, .port = 1 };
	cfg.usb_dev[1] = (struct machine_usb){ .kind = USB_HID_KEYBOARD, .port = 2, .hub_port = 1 };
	t = tm_new_cfg(&cfg);
	cfg_wr(t, UHCI, 0x20, 4, IOB | 1);
	cfg_wr(t, UHCI, 0x04, 2, 0x0005);
	assert_int_equal(inp(t, IOB + 0x10, 4), 0x00830083);
	assert_string_equal(t->m.usb_hid[1].dev.serial, "42");
	outp(t, IOB + 0x12, 2, 0x0200);
	outp(t, IOB + 0x12, 2, 0x0000);
	outp(t, IOB + 0x12, 2, 0x0006);
	/* The hub answers address 0 (the tablet's port is not enabled). */
	n = control(t, 0, get_dev8, 8, 0);
	schedule(t, td_addr(0));
	run(t);
	frames(t, 1);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	assert_memory_equal(&t->acc.guest_ram[BUF + 0x100], hub_dev8, 8);
	n = control(t, 0, set_addr7, 0, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	/* Port 1 of the hub: powered and connected, a connect change. */
	n = control(t, 7, port1_status, 4, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	r = &t->acc.guest_ram[BUF + 0x100];
	assert_int_equal(r[0] | r[1] << 8, 0x0101);
	assert_int_equal(r[2] | r[3] << 8, 0x0001);
	/* Nobody at address 0 until the hub's port is reset and enabled. */
	n = control(t, 0, get_dev8, 8, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_true(td_ctrl(t, 0) & TD_TIMEOUT);
	n = control(t, 7, port1_reset, 0, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	n = control(t, 0, get_dev8, 8, 0);
	wr32(t, QH0 + 4, td_addr(0));
	frames(t, 1);
	assert_int_equal(td_ctrl(t, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	assert_memory_equal(&t->acc.guest_ram[BUF + 0x100], kbd_dev8, 8);
	/* A key through the hub: the boot report with usage 0x04 (A). */
	put_td(t, 8, 1, TD_ACTIVE | TD_CERR3, token(0x69, 0, 1, 8), BUF + 0x800);
	wr32(t, QH0 + 4, td_addr(8));
	frames(t, 1);
	assert_true(td_ctrl(t, 8) & TD_NAK);
	usb_hid_key(&t->m.usb_hid[1], 0x1e, true);
	frames(t, 1);
	assert_int_equal(td_ctrl(t, 8) & (TD_ACTIVE | 0x7ff), 7);
	assert_memory_equal(&t->acc.guest_ram[BUF + 0x800], ((const uint8_t[]){ 0, 0, 0x04, 0, 0, 0, 0, 0 }), 8);
	assert_null(machine_unsaveable(&t->m));
	tm_free(t);
}

/* ---------------------------------------------------------------- saved state */

/* A tablet on root port 1, the automatic hub on 2, a keyboard on its port 1 (usbdevice=["tablet","keyboard"]). */
static struct tm_ctx *hub_machine(enum machine_profile p)
{
	struct machine_config cfg = { .profile = p, .vcpus = 1, .ram_mib = 128, .usb = true, .nr_usb = 2,
				      .usb_hub_port = 2, .usb_hub_before = 1 };
	struct tm_ctx *t;

	cfg.usb_dev[0] = (struct machine_usb){ .kind = USB_HID_TABLET, .port = 1 };
	cfg.usb_dev[1] = (struct machine_usb){ .kind = USB_HID_KEYBOARD, .port = 2, .hub_port = 1 };
	t = tm_new_cfg(&cfg);
	cfg_wr(t, UHCI, 0x20, 4, IOB | 1);
	cfg_wr(t, UHCI, 0x04, 2, 0x0005);
	return t;
}

static void save_stream(struct tm_ctx *t, struct wbuf *w)
{
	char err[256];

	wbuf_init(w, STREAM_MAX_SIZE);
	if (snapshot_save(&t->m, w, err, sizeof(err)))
		fail_msg("save: %s", err);
}

static const uint8_t get_dev18[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 18, 0 };

/*
 * Mid-enumeration (the device descriptor read 8 of 18 bytes), a tablet
 * event and a key queued, the controller running: saved, loaded into a
 * fresh machine, saved again -- the same bytes -- and the transfer goes on
 * where it stopped.
 */
static void test_state_roundtrip(void **state)
{
	struct tm_ctx *a, *b;
	struct load_report rep;
	struct wbuf wa, wb;
	char err[256];

	(void)state;
	a = hub_machine(PROFILE_XENFV);
	b = hub_machine(PROFILE_XENFV);
	enable_port1(a);
	memcpy(&a->acc.guest_ram[BUF], get_dev18, 8);
	put_td(a, 0, td_addr(1) | 4, TD_ACTIVE | TD_CERR3, token(0x2d, 0, 0, 8), BUF);
	put_td(a, 1, 1, TD_ACTIVE | TD_CERR3, token(0x69, 0, 0, 8), BUF + 0x100);
	schedule(a, td_addr(0));
	run(a);
	frames(a, 2);
	assert_int_equal(td_ctrl(a, 1) & (TD_ACTIVE | 0x7ff), 7);
	assert_memory_equal(&a->acc.guest_ram[BUF + 0x100], tablet_device_desc, 8);
	usb_hid_pointer_abs(&a->m.usb_hid[0], 0x1234, 0x2345, 1);
	usb_hid_key(&a->m.usb_hid[1], 0x1e, true);
	save_stream(a, &wa);
	memcpy(b->acc.guest_ram, a->acc.guest_ram, sizeof(a->acc.guest_ram));
	if (snapshot_load(&b->m, wa.data, wa.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	save_stream(b, &wb);
	assert_int_equal(wa.len, wb.len);
	assert_memory_equal(wa.data, wb.data, wa.len);
	assert_int_equal(inp(b, IOB + 0x06, 2), inp(a, IOB + 0x06, 2));
	assert_int_equal(inp(b, IOB + 0x10, 4), inp(a, IOB + 0x10, 4));
	/* The restored tablet hands out the rest of its descriptor. */
	put_td(b, 2, 1, TD_ACTIVE | TD_CERR3, token(0x69, 0, 0, 8), BUF + 0x200);
	wr32(b, QH0 + 4, td_addr(2));
	frames(b, 1);
	assert_int_equal(td_ctrl(b, 2) & (TD_ACTIVE | 0x7ff), 7);
	assert_memory_equal(&b->acc.guest_ram[BUF + 0x200], tablet_device_desc + 8, 8);
	/* Its queue came along: the event is the next report. */
	assert_int_equal(b->m.usb_hid[0].st.n, a->m.usb_hid[0].st.n);
	assert_memory_equal(&b->m.usb_hid[1].st, &a->m.usb_hid[1].st, sizeof(a->m.usb_hid[1].st));
	wbuf_free(&wa);
	wbuf_free(&wb);
	tm_free(a);
	tm_free(b);
}

/* Decode one record's payload with a USB kind's decoder. */
static int decode_usb(struct tm_ctx *t, struct machine_state *st, const char *kind, uint32_t version,
		      uint32_t flags, const uint8_t *p, size_t len, char *err, size_t errlen)
{
	const struct record_kind *k = record_kind_find(kind);
	struct stream_record rec = { .version = version, .flags = flags };
	struct decode_ctx ctx = { .st = st, .m = &t->m, .rec = &rec, .slot = 0, .err = err, .errlen = errlen };
	struct load_report rep;
	struct rbuf r;

	memset(&rep, 0, sizeof(rep));
	ctx.rep = &rep;
	snprintf(rec.idstr, sizeof(rec.idstr), "%s", kind);
	rbuf_init(&r, p, len);
	return record_version_find(k, version)->decode(&r, &ctx);
}

/*
 * QEMU 7.2's uhci v3 and usb-ptr v1 from a guest that ran SeaBIOS with a
 * tablet (tests/streams/qemu-7.2-tcg/): decoded, checked by this machine,
 * and one byte short refused naming the byte.
 */
static void test_state_upstream_sample(void **state)
{
	struct tm_ctx *t = tablet_new();
	struct machine_state *st = calloc(1, sizeof(*st));
	size_t len;
	uint8_t *b = tm_read_file("tests/streams/qemu-7.2-tcg/qemu-7.2-wave2-cirrus-rtl8139-e1000-tablet.bin", &len);
	const uint8_t *u = memmem(b, len, "0000:00:01.2/uhci", 17);
	const uint8_t *p = memmem(b, len, "0000:00:01.2/1/usb-ptr", 22);
	const char *rec;
	unsigned int slot;
	char err[256];

	(void)state;
	assert_non_null(u);
	assert_non_null(p);
	u += 17 + 8;
	p += 22 + 8;
	assert_int_equal(u[-1], 3);
	assert_int_equal(p[-1], 1);
	machine_save_state(&t->m, st);
	if (decode_usb(t, st, "uhci", 3, RECORD_UPSTREAM, u, 315, err, sizeof(err)))
		fail_msg("uhci: %s", err);
	if (decode_usb(t, st, "usb-ptr", 1, RECORD_UPSTREAM, p, 298, err, sizeof(err)))
		fail_msg("usb-ptr: %s", err);
	assert_int_equal(pci_get_long(st->uhci.pci.config), 0x70208086);
	assert_true(st->uhci.expire_unknown);
	assert_int_equal(st->uhci.r.portsc[0] & 0x0081, 0x0081); /* the tablet, connected */
	assert_int_equal(st->uhci.r.portsc[1], 0x0080);          /* nothing on port 2 */
	assert_int_equal(st->uhci.r.sof_timing, 64);
	/* SeaBIOS addressed it (1) and read its configuration. */
	assert_int_equal(st->usb_ptr[0].dev.addr, 1);
	assert_int_equal(st->usb_ptr[0].dev.state, 3);
	assert_true(st->usb_ptr[0].dev.data_lost);
	assert_true(st->usb_ptr[0].idle_from_now);
	if (machine_check_state(&t->m, st, &rec, &slot, err, sizeof(err)))
		fail_msg("check: %s", err);
	machine_load_state(&t->m, st);
	/* The registers where the sample's BIOS put BAR4. */
	assert_int_equal(inp(t, (cfg_rd(t, UHCI, 0x20, 4) & ~3u) + 0x10, 2), st->uhci.r.portsc[0]);
	assert_int_equal(t->m.usb_hid[0].dev.addr, 1);
	/* Exact lengths: a byte short or a byte over is refused, naming the byte. */
	assert_int_not_equal(decode_usb(t, st, "uhci", 3, RECORD_UPSTREAM, u, 314, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "byte"));
	assert_int_not_equal(decode_usb(t, st, "usb-ptr", 1, RECORD_UPSTREAM, p, 299, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "byte"));
	/* Version 2 has no pending_int_mask: the same bytes are four too many. */
	assert_int_not_equal(decode_usb(t, st, "uhci", 2, RECORD_UPSTREAM, u, 315, err, sizeof(err)), 0);
	free(b);
	free(st);
	tm_free(t);
}

/*
 * qemu-xen-traditional's file has the UHCI alone (uhci v1) and no device:
 * written by convert --to qemu-trad and restored into a traditional
 * machine, the tablet shows as plugged in again -- a connect change, the
 * port disabled -- and answers at address 0 once the guest resets the port.
 */
static void test_state_trad_replug(void **state)
{
	static const uint8_t set_addr5[8] = { 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0, 0 };
	static const uint8_t get_dev8[8] = { 0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 8, 0 };
	static const enum usb_hid_kind tablet = USB_HID_TABLET;
	struct tm_ctx *a = uhci_new(PROFILE_XENFV_TRAD, 1, &tablet), *b = uhci_new(PROFILE_XENFV_TRAD, 1, &tablet);
	struct machine_state *st = calloc(1, sizeof(*st));
	struct load_report rep;
	struct wbuf w;
	unsigned int n;
	bool noted = false;
	char err[256];

	(void)state;
	enable_port1(a);
	n = control(a, 0, set_addr5, 0, 0);
	schedule(a, td_addr(0));
	run(a);
	frames(a, 1);
	assert_int_equal(td_ctrl(a, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	assert_int_equal(a->m.usb_hid[0].dev.addr, 5);
	machine_save_state(&a->m, st);
	wbuf_init(&w, STREAM_MAX_SIZE);
	if (qevm_write_trad(&a->m, st, &w, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	for (unsigned int i = 0; i < rep.nr_notes; i++)
		noted |= strstr(rep.notes[i], "USB device") != NULL;
	assert_true(noted);
	assert_non_null(memmem(w.data, w.len, "\x04uhci", 5));
	memcpy(b->acc.guest_ram, a->acc.guest_ram, sizeof(a->acc.guest_ram));
	if (snapshot_load(&b->m, w.data, w.len, &rep, err, sizeof(err)))
		fail_msg("load: %s", err);
	/* Connected with a connect change, no longer enabled (an enable change): a new device. */
	assert_int_equal(inp(b, IOB + 0x10, 2) & 0x000f, 0x000b);
	assert_int_equal(b->m.usb_hid[0].dev.addr, 0);
	/* The controller kept running with the guest's schedule. */
	assert_int_equal(inp(b, IOB + 0x00, 2) & 1, 1);
	/* The guest's driver resets the port and finds the tablet at address 0. */
	outp(b, IOB + 0x10, 2, 0x000a); /* acknowledge both changes */
	enable_port1(b);
	n = control(b, 0, get_dev8, 8, 0);
	wr32(b, QH0 + 4, td_addr(0));
	frames(b, 1);
	assert_int_equal(td_ctrl(b, n - 1) & (TD_ACTIVE | TD_STALL | TD_TIMEOUT), 0);
	assert_memory_equal(&b->acc.guest_ram[BUF + 0x100], tablet_device_desc, 8);
	wbuf_free(&w);
	free(st);
	tm_free(a);
	tm_free(b);
}

/* What the checks refuse, naming the device and field, with nothing changed. */
static void test_state_refusals(void **state)
{
	struct tm_ctx *t = hub_machine(PROFILE_XENFV);
	struct machine_state *st = malloc(sizeof(*st));
	const char *rec;
	unsigned int slot;
	char err[256];
	struct {
		const char *record, *words;
		void (*spoil)(struct machine_state *st);
	} cases[] = {
		{ "uhci", "root port 1", NULL },
		{ "uhci", "frame number", NULL },
		{ "usb-ptr", "queued events", NULL },
		{ "usb-kbd", "keys held", NULL },
		{ "usb-ptr", "control transfer", NULL },
		{ "usb-hub", "port 3", NULL },
		{ "usb-ptr", "device state", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		machine_save_state(&t->m, st);
		switch (i) {
		case 0: st->uhci.r.portsc[0] &= (uint16_t)~0x0080; break;
		case 1: st->uhci.r.frnum = 0x800; break;
		case 2: st->usb_ptr[0].hid.n = 17; break;
		case 3: st->usb_kbd[0].hid.keys = 17; break;
		case 4: st->usb_ptr[0].dev.setup_len = 5000; break;
		case 5: st->usb_hub.hub.ports[2].status = 0x0002; break; /* enabled, unpowered, nothing there */
		case 6: st->usb_ptr[0].dev.state = 2; break;
		}
		assert_int_not_equal(machine_check_state(&t->m, st, &rec, &slot, err, sizeof(err)), 0);
		assert_string_equal(rec, cases[i].record);
		if (!strstr(err, cases[i].words))
			fail_msg("case %zu: %s", i, err);
	}
	free(st);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_portsc),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_stall_and_short),
		cmocka_unit_test(test_interrupt_endpoint),
		cmocka_unit_test(test_bad_pid),
		cmocka_unit_test(test_hostile_schedules),
		cmocka_unit_test(test_stopped_and_catch_up),
		cmocka_unit_test(test_pc_machine),
		cmocka_unit_test(test_pointer_routing),
		cmocka_unit_test(test_hub),
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_upstream_sample),
		cmocka_unit_test(test_state_trad_replug),
		cmocka_unit_test(test_state_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
