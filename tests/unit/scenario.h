/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A deterministic guest session that leaves state in every device: the
 * firmware's PCI set-up, PIRQ routes, ACPI enabled, GPE enables, a CPU and a
 * PCI hot-plug event, the ROM lock and unplug, UART FIFOs holding bytes, a
 * keyboard and a mouse reply waiting. Saved streams of it form the corpus.
 */
#ifndef HVMDM_SCENARIO_H
#define HVMDM_SCENARIO_H

#include "hw/core/machine.h"
#include "../../vm/hvmloader_replay.h"

static inline int scenario_run(struct machine *m)
{
	struct io_space *io = &m->io;
	struct replay_result r;
	char err[256];

	if (hvmloader_replay(io, &r, NULL, err, sizeof(err)))
		return -1;
	io_space_write(io, 0xb2, 1, 0xf1); /* no-op where SCI_EN is already set */
	io_space_write(io, 0xafe2, 1, 0x06);
	piix4_pm_set_cpu_online(&m->pm, 3, true);
	piix4_pm_pci_hotplug(&m->pm, PCI_DEVFN(5, 0), true, true);
	if (m->has_platform) {
		io_space_write(io, 0x10, 1, 1);       /* ROM lock */
		io_space_write(io, 0x12, 2, 3);       /* PV product */
		io_space_write(io, 0x10, 4, 0x1234);  /* driver build */
		io_space_write(io, 0x10, 2, 2);       /* unplug NICs */
	}
	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		uint16_t b = m->uart[i].base;
		const uint8_t in[] = { 'h', 'i' };

		io_space_write(io, b + 3, 1, 0x83);
		io_space_write(io, b + 0, 1, 1);
		io_space_write(io, b + 1, 1, 0);
		io_space_write(io, b + 3, 1, 0x03);
		io_space_write(io, b + 2, 1, 0x41);   /* FIFO, trigger 4 */
		io_space_write(io, b + 1, 1, 0x03);
		io_space_write(io, b + 7, 1, 0x5a + i);
		uart_receive(&m->uart[i], in, 2);
	}
	io_space_write(io, 0x60, 1, 0xff);            /* keyboard reset: fa, aa */
	io_space_write(io, 0x64, 1, 0xd4);
	io_space_write(io, 0x60, 1, 0xf2);            /* mouse identify: fa, 00 */
	if (m->cfg.profile == PROFILE_PC) {
		io_space_write(io, 0xb002, 2, 0x0001);  /* TMR_EN */
	}
	return 0;
}

#endif
