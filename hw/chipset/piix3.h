/* SPDX-License-Identifier: GPL-2.0-only */
/* PIIX3 PCI-ISA bridge (8086:7000) at 00:01.0: PIRQ routing and 0xcf9 reset control. */
#ifndef HVMDM_PIIX3_H
#define HVMDM_PIIX3_H

#include <stddef.h>

#include "hw/core/devreg.h"
#include "hw/core/pci.h"
#include "hw/core/profile.h"

#define PIIX3_PIRQC 0x60 /* PIRQA..PIRQD route registers 0x60-0x63 */
#define PIIX3_RCR_SYS_RST 0x02
#define PIIX3_RCR_RESET_CPU 0x04

struct piix3 {
	struct pci_device pci;
	struct accel *accel;
	uint8_t rcr; /* reset control register at port 0xcf9 */
	uint16_t reset_command; /* qemu-xen-traditional: master, memory and I/O (7); QEMU 0 */
};

struct piix3_state {
	struct pci_state pci;
	uint8_t rcr;
};

void piix3_save_state(const struct piix3 *s, struct piix3_state *st);
int piix3_check_state(const struct piix3 *s, const struct piix3_state *st, char *err,
		      size_t errlen);
/* Commit, and tell the accelerator the restored link routes. */
void piix3_load_state(struct piix3 *s, const struct piix3_state *st);

int piix3_init(struct piix3 *s, struct pci_bus *bus, struct accel *accel,
	       uint16_t reset_command);
void piix3_reset(struct piix3 *s);
/* ISA IRQ a route register value selects; 0 = disabled. */
unsigned int piix3_route_irq(uint8_t route);
/* Report every link route to the accelerator (after a restore). */
void piix3_sync_routes(struct piix3 *s);

extern const struct dev_ops piix3_ops;

#endif
