/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What hvmloader does to the device model's chipset before the guest's BIOS
 * runs (Xen 4.17 tools/firmware/hvmloader/pci.c pci_setup and hvmloader.c
 * acpi_enable_sci), replayed through port I/O exactly as the guest issues it:
 * PIRQ routes, the PIIX4 PM and IDE special registers, BAR sizing and
 * assignment from 0xf0000000 / 0xc000, INTx line programming, decode enable,
 * and SCI enable through 0xb2. Used by `hvmdm -selfcheck` and the tests.
 * (Not covered: RMRRs, memory relocation, 64-bit BAR relocation.)
 */
#ifndef HVMDM_HVMLOADER_REPLAY_H
#define HVMDM_HVMLOADER_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/core/bus.h"

#define REPLAY_MAX_BARS 64
#define REPLAY_MAX_FUNCS 32

struct replay_bar {
	uint8_t devfn;
	uint8_t reg;
	uint64_t size;
	uint64_t value; /* what was written: base | type bits */
};

struct replay_func {
	uint8_t devfn;
	uint16_t vendor, device, class;
};

struct replay_intx {
	uint8_t devfn;
	uint8_t pin; /* 1 = INTA */
	uint8_t irq;
};

struct replay_result {
	unsigned int link_irq[4];
	unsigned int nr_funcs;
	struct replay_func funcs[REPLAY_MAX_FUNCS];
	unsigned int nr_intx;
	struct replay_intx intx[REPLAY_MAX_FUNCS];
	unsigned int nr_bars;
	struct replay_bar bars[REPLAY_MAX_BARS];
	uint16_t pm1a_cnt; /* as read back after acpi_enable_sci */
};

/*
 * Returns 0, or -1 with the reason in err where hvmloader would ASSERT/BUG.
 * `log` (may be NULL) gets hvmloader's own lines ("PCI-ISA link 0 routed to
 * IRQ5", "pci dev 02:0 bar 14 size ...") for comparison with a real boot.
 */
int hvmloader_replay(struct io_space *io, struct replay_result *r, FILE *log, char *err,
		     size_t errlen);

#endif
