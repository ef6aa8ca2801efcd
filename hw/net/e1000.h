/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel 82540EM (8086:100e rev 3), the e1000 an xl vif line gets with
 * model=e1000: the 128 KiB register file in BAR0 (MMIO), the I/O BAR (as
 * QEMU's, answering nothing), the EEPROM by EECD bit-bang and by EERD, the
 * M88E1011 PHY on MDIO address 1, ICR/IMS with ITR/RADV/TADV interrupt
 * mitigation, legacy, context and data transmit descriptors with checksum
 * offload and TCP segmentation, receive descriptors, link autonegotiation.
 * Register semantics as QEMU's hw/net/e1000.c and e1000x_common.c answer
 * them (the stock device model), which Linux's e1000, iPXE and Windows'
 * drivers use -- including the one second without receive after an RCTL
 * write that Windows 10 32-bit needs.
 *
 * Guest-controlled values are bounded: descriptors and buffers go through
 * the accelerator's guest-memory copy (which fails outside guest RAM), a
 * ring walk stops after one pass, offload offsets are checked against the
 * frame, a frame stops at NET_MAX_FRAME.
 */
#ifndef HVMDM_E1000_H
#define HVMDM_E1000_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/net.h"
#include "hw/core/accel.h"
#include "hw/core/clock.h"
#include "hw/core/devreg.h"
#include "hw/core/pci.h"

#define E1000_MMIO_SIZE 0x20000
#define E1000_IO_SIZE 0x40
#define E1000_EEPROM_WORDS 64
#define E1000_PHY_REGS 32
/* The registers it keeps (e1000.c's table; each a 32-bit word). */
#define E1000_NR_REGS 955

struct e1000_config {
	uint8_t devfn;
	uint8_t mac[6];
	uint16_t subsys_vendor, subsys_id;
	struct netdev *netdev; /* may be NULL: frames go nowhere, none arrive */
	struct dm_clock *clock;
	const uint8_t *rom;    /* the option ROM for BAR 6 (iPXE's efi-e1000.rom); NULL: none */
	size_t rom_size;
};

/* A transmit context descriptor's offload setup. */
struct e1000_tx_props {
	uint8_t ipcss, ipcso, tucss, tucso, hdr_len;
	uint16_t ipcse, tucse, mss;
	uint32_t paylen;
	bool ip, tcp, tse;
};

struct e1000_regs {
	uint32_t mac[E1000_NR_REGS];   /* by the table's order, not by offset */
	uint16_t phy[E1000_PHY_REGS];
	uint16_t eeprom[E1000_EEPROM_WORDS];
	/* The EECD microwire shift state. */
	uint32_t ee_val_in;
	uint16_t ee_bitnum_in, ee_bitnum_out;
	bool ee_reading;
	uint32_t ee_old;
	/* The last context descriptors (plain and TCP segmentation). */
	struct e1000_tx_props props, tso_props;
	bool tso_last;                 /* the last context was the segmentation one */
	/* The packet being gathered from data descriptors. */
	uint32_t tx_size;
	uint16_t tso_frames;
	uint8_t sum_needed;            /* POPTS of its first data descriptor */
	bool cptse, vlan_needed;
	uint16_t vlan_tci;
	/* Interrupt mitigation. */
	bool mit_timer_on, mit_irq_level, mit_ide;
	/* Virtual-clock deadlines, 0 = none. */
	uint64_t mit_deadline, autoneg_deadline, rx_hold_until;
};

struct e1000 {
	struct pci_device pci;
	struct accel *accel;
	struct dm_clock *clock;
	struct netdev *netdev;
	uint8_t mac[6];          /* the configured address: EEPROM and reset */
	bool unplugged;          /* the PV drivers removed it (Xen platform unplug) */
	bool tx_drop;            /* the packet in flight lost its bytes (restored mid-packet): drop to EOP */
	struct e1000_regs r;
	struct dm_timer mit_timer, autoneg_timer, rx_hold_timer;
	uint8_t *rom;            /* the padded ROM BAR image, or NULL */
	uint8_t *txbuf;          /* 4 + 64 KiB: room for a VLAN tag before the packet */
	uint8_t tx_header[256];  /* the TSO header, repeated on every segment */
};

/*
 * What a save carries: config space, every register it keeps, the PHY,
 * EEPROM and its shift state, both transmit contexts, interrupt mitigation
 * and the three timers' deadlines. The bytes of a packet whose first data
 * descriptors were taken but not its last (a driver that writes TDT in the
 * middle of a packet) are not kept: the rest of that packet is dropped,
 * never sent cut short.
 */
struct e1000_state {
	struct pci_state pci;
	struct e1000_regs r;
	bool unplugged;
	bool tx_partial;
	/*
	 * Decoded from another device model's stream, which keeps no timer
	 * deadlines: the load does what QEMU's post_load does -- the mitigation
	 * window reopened for a moment, autonegotiation in progress restarted.
	 * Never encoded.
	 */
	bool foreign;
};

void e1000_save_state(const struct e1000 *s, struct e1000_state *st);
int e1000_check_state(const struct e1000 *s, const struct e1000_state *st, char *err, size_t errlen);
void e1000_load_state(struct e1000 *s, const struct e1000_state *st);

int e1000_init(struct e1000 *s, struct pci_bus *bus, struct accel *accel,
	       const struct e1000_config *cfg, char *err, size_t errlen);
void e1000_destroy(struct e1000 *s);
void e1000_reset(struct e1000 *s);
int e1000_attach_loop(struct e1000 *s, struct loop *loop);
/* Remove it from the bus (Xen platform unplug): as rtl8139_unplug. */
void e1000_unplug(struct e1000 *s);

bool e1000_can_receive(const struct e1000 *s);
void e1000_receive(struct e1000 *s, const uint8_t *frame, size_t len);

/*
 * The register table, for the save codecs: the offset of the word kept at
 * index i, and the index of a register offset (-1: not kept).
 */
uint32_t e1000_reg_offset(unsigned int index);
int e1000_reg_index(uint32_t offset);
/* The EEPROM QEMU gives an 82540EM with this MAC (checksum 0xBABA). */
void e1000_eeprom_image(uint16_t *words, const uint8_t *mac);

extern const struct dev_ops e1000_ops;

#endif
