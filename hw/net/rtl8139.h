/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RTL8139C+ (10ec:8139 rev 0x20), libxl's default emulated NIC: the
 * register file in BAR0 (I/O, 256 bytes) and BAR1 (MMIO, the same file),
 * the 93C46 EEPROM bit-banged through Cfg9346, C mode (four transmit slots,
 * the receive ring buffer) and C+ mode (16-byte descriptor rings, checksum
 * offload and large send), the multicast filter, the PCI timer and INTA.
 * Register semantics as QEMU's hw/net/rtl8139.c answers them (the stock
 * device model), which Linux's 8139cp (rev 0x20 makes 8139too refuse it),
 * iPXE and Windows drivers use.
 *
 * Guest-controlled values are bounded: every descriptor and buffer access
 * goes through the accelerator's guest-memory copy (which fails outside
 * guest RAM), a transmit walk stops at one pass over the ring, a frame at
 * NET_MAX_FRAME.
 */
#ifndef HVMDM_RTL8139_H
#define HVMDM_RTL8139_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/net.h"
#include "hw/core/accel.h"
#include "hw/core/clock.h"
#include "hw/core/devreg.h"
#include "hw/core/pci.h"

#define RTL8139_REGS_SIZE 0x100
#define RTL8139_EEPROM_WORDS 64

struct rtl8139_config {
	uint8_t devfn;
	uint8_t mac[6];
	uint16_t subsys_vendor, subsys_id;
	struct netdev *netdev; /* may be NULL: frames go nowhere, none arrive */
	struct dm_clock *clock;
	const uint8_t *rom;    /* the option ROM for BAR 6 (iPXE's efi-rtl8139.rom); NULL: none */
	size_t rom_size;
};

/* The 93C46 serial EEPROM's shift state (Cfg9346 programming mode). */
struct rtl8139_eeprom {
	uint16_t contents[RTL8139_EEPROM_WORDS];
	uint8_t mode;    /* enum in rtl8139.c */
	uint8_t tick;    /* bits shifted in this mode */
	uint8_t address;
	uint16_t input;
	uint16_t output;
	bool eecs, eesk, eedi, eedo;
	bool write_enabled;
};

struct rtl8139_regs {
	uint8_t phys[6];     /* IDR0-5 */
	uint8_t mult[8];     /* MAR0-7 */
	uint32_t tx_status[4]; /* TSD0-3 (C+: 0x10 is the tally dump address) */
	uint32_t tx_addr[4];   /* TSAD0-3 (C+: 0x20/0x24 the normal ring, 0x28/0x2c high) */
	uint32_t rx_buf;       /* RBSTART */
	uint32_t rx_buf_size;  /* from RxConfig: 8, 16, 32 or 64 KiB */
	uint32_t rx_buf_ptr;   /* CAPR + 16 */
	uint32_t rx_buf_addr;  /* CBR: where the next frame goes */
	uint16_t intr_status, intr_mask;
	uint32_t tx_config, rx_config;
	uint32_t rx_missed;
	uint16_t cscr;
	uint8_t cfg9346, config0, config1, config3, config4, config5;
	uint8_t chip_cmd;      /* RxEnb | TxEnb as written */
	uint16_t multi_intr;
	uint16_t bmcr, bmsr, anar, anlpar, aner;
	uint16_t cp_cmd;
	uint8_t tx_thresh;
	bool clock_enabled;    /* HltClk: 'R' runs, 'H' halts */
	uint32_t cur_tx;       /* C mode: the next slot */
	uint32_t cur_cp_rx, cur_cp_tx; /* C+ ring positions */
	uint32_t rx_ring_lo, rx_ring_hi;
	uint32_t timer_int;
	uint64_t tctr_base;    /* virtual-clock ns at which TCTR was 0 */
	bool cplus;            /* a CpCmd write switched to C+ until reset */
	/* A C+ frame being gathered (FS seen, LS not yet): its bytes are in rtl8139.frame. */
	uint32_t tx_gathered;
	uint32_t tx_first_dw0, tx_first_dw1;
	/* Tally counters (C+ dump). */
	uint64_t tally_tx_ok, tally_rx_ok, tally_tx_err;
	uint32_t tally_rx_err;
	uint16_t tally_miss, tally_fae;
	uint32_t tally_tx_1col, tally_tx_mcol;
	uint64_t tally_rx_ok_phy, tally_rx_ok_brd;
	uint32_t tally_rx_ok_mul;
	uint16_t tally_tx_abt, tally_tx_undrn;
};

struct rtl8139 {
	struct pci_device pci;
	struct accel *accel;
	struct dm_clock *clock;
	struct netdev *netdev;
	uint8_t mac[6];          /* the configured address: EEPROM and reset */
	bool unplugged;          /* the PV drivers removed it (Xen platform unplug) */
	struct rtl8139_regs r;
	struct rtl8139_eeprom eeprom;
	struct dm_timer timer;   /* TimerInt */
	uint8_t *rom;            /* the padded ROM BAR image, or NULL */
	uint8_t *frame;          /* NET_MAX_FRAME: the frame being gathered or segmented */
	uint8_t *seg;            /* NET_MAX_FRAME: one large-send segment */
};

/*
 * What a save carries: config space, every register, counter and EEPROM
 * bit, the ring positions, and whether the PV drivers unplugged it. The
 * bytes of a C+ frame whose first descriptors were taken but not its last
 * are not kept: the frame is dropped when its last descriptor comes (TCP
 * sends it again), never sent cut short.
 */
struct rtl8139_state {
	struct pci_state pci;
	struct rtl8139_regs r;
	struct rtl8139_eeprom eeprom;
	bool unplugged;
	bool tx_partial;
};

void rtl8139_save_state(const struct rtl8139 *s, struct rtl8139_state *st);
int rtl8139_check_state(const struct rtl8139 *s, const struct rtl8139_state *st, char *err,
			size_t errlen);
void rtl8139_load_state(struct rtl8139 *s, const struct rtl8139_state *st);

int rtl8139_init(struct rtl8139 *s, struct pci_bus *bus, struct accel *accel,
		 const struct rtl8139_config *cfg, char *err, size_t errlen);
void rtl8139_destroy(struct rtl8139 *s);
void rtl8139_reset(struct rtl8139 *s);
/* Serve its backend from the event loop. 0 or -errno. */
int rtl8139_attach_loop(struct rtl8139 *s, struct loop *loop);
/*
 * Remove it from the bus (Xen platform unplug, QEMU's pci_unplug_nics):
 * its BARs and config cycles released, INTA low, the timer stopped and its
 * backend closed (a tap interface disappears).
 */
void rtl8139_unplug(struct rtl8139 *s);

/* A frame from the wire (the backend calls it; tests too). */
bool rtl8139_can_receive(const struct rtl8139 *s);
void rtl8139_receive(struct rtl8139 *s, const uint8_t *frame, size_t len);

extern const struct dev_ops rtl8139_ops;

#endif
