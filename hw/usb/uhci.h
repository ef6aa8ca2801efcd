/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PIIX3 USB controller (UHCI, 8086:7020) at 00:01.2 with its two root
 * ports: the register file in BAR4 and the 1 ms frame schedule walked from
 * guest memory, as QEMU 7.2's hw/usb/hcd-uhci.c behaves (the reference for
 * every guest that ran on qemu-xen), with every walk bounded.
 */
#ifndef HVMDM_UHCI_H
#define HVMDM_UHCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/accel.h"
#include "hw/core/clock.h"
#include "hw/core/devreg.h"
#include "hw/core/pci.h"
#include "hw/usb/usb.h"

#define UHCI_PORTS 2
#define UHCI_IO_SIZE 0x20

struct uhci_config {
	uint8_t devfn;
	struct dm_clock *clock;
};

/* Everything the guest can see or that a restore must bring back. */
struct uhci_regs {
	uint16_t cmd, status, intr, frnum;
	uint32_t fl_base;
	uint8_t sof_timing;
	uint8_t status2;         /* the interrupt causes behind USBINT: bit 0 IOC, bit 1 short packet */
	uint32_t pending_int_mask;
	uint64_t expire_ns;      /* the virtual time the next frame is due */
	uint16_t portsc[UHCI_PORTS];
};

struct uhci {
	struct pci_device pci;
	struct accel *accel;
	struct dm_clock *clock;
	struct dm_timer frame_timer;
	struct uhci_regs r;
	struct usb_device *port_dev[UHCI_PORTS]; /* what is plugged in, or NULL */
	uint32_t frame_bytes;    /* bytes moved in the frame being walked */
	uint8_t buf[2048];       /* one TD's data (MaxLen is at most 2047... 0x7ff + 1) */
};

struct uhci_state {
	struct pci_state pci;
	struct uhci_regs r;
	bool expire_unknown; /* set by a foreign decoder: the deadline was on the producer's clock */
};

int uhci_init(struct uhci *s, struct pci_bus *bus, struct accel *accel, const struct uhci_config *cfg,
	      char *err, size_t errlen);
void uhci_destroy(struct uhci *s);
/* Controller reset (also power-on and system reset): ports re-attach their devices. */
void uhci_reset(struct uhci *s);
/* Plug a device into root port 0 or 1 (before the first reset). -1 if taken. */
int uhci_attach(struct uhci *s, unsigned int port, struct usb_device *dev);

extern const struct dev_ops uhci_ops;

void uhci_save_state(const struct uhci *s, struct uhci_state *st);
int uhci_check_state(const struct uhci *s, const struct uhci_state *st, char *err, size_t errlen);
void uhci_load_state(struct uhci *s, const struct uhci_state *st);

#endif
