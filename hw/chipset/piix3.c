// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 PCI-ISA bridge.
 *
 * The four PIRQ route registers are forwarded to the accelerator on every
 * write, as both Xen device models do (qemu-xen-traditional hw/piix_pci.c
 * piix3_write_config, QEMU hw/i386/xen/xen-hvm.c
 * xen_piix_pci_write_config_client): bit 7 disables the link, otherwise the
 * low four bits are the ISA IRQ.
 *
 * 0xcf9 is the reset control register (QEMU hw/isa/piix3.c rcr_write): bit 2
 * asks for a reset, bit 1 (hard/soft reset type) is kept.
 */
#include "piix3.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

unsigned int piix3_route_irq(uint8_t route)
{
	return (route & 0x80) ? 0 : route & 0x0f;
}

static void piix3_config_write(struct pci_device *dev, unsigned int addr, uint32_t val,
			       unsigned int len)
{
	struct piix3 *s = dev->opaque;

	pci_default_config_write(dev, addr, val, len);
	for (unsigned int i = 0; i < len; i++) {
		unsigned int reg = addr + i;

		if (reg >= PIIX3_PIRQC && reg < PIIX3_PIRQC + 4)
			accel_set_pci_link_route(s->accel, reg - PIIX3_PIRQC,
						 piix3_route_irq(dev->config[reg]));
	}
}

void piix3_sync_routes(struct piix3 *s)
{
	for (unsigned int link = 0; link < 4; link++)
		accel_set_pci_link_route(s->accel, link,
					 piix3_route_irq(s->pci.config[PIIX3_PIRQC + link]));
}

static void rcr_write(void *opaque, uint8_t val)
{
	struct piix3 *s = opaque;

	if (val & PIIX3_RCR_RESET_CPU) {
		log_info("piix3", "guest requested reset through 0xcf9");
		accel_request(s->accel, ACCEL_REQ_REBOOT);
		return;
	}
	s->rcr = val & PIIX3_RCR_SYS_RST;
}

static uint8_t rcr_read(void *opaque)
{
	struct piix3 *s = opaque;

	return s->rcr;
}

/* Register values after reset: the same in QEMU 7.2 and qemu-xen-traditional. */
void piix3_reset(struct piix3 *s)
{
	uint8_t *c = s->pci.config;

	pci_set_word(c + PCI_COMMAND, s->reset_command);
	pci_set_word(c + PCI_STATUS, 0x0200); /* DEVSEL medium */
	memset(c + 0x40, 0, PCI_CONFIG_SIZE - 0x40);
	c[0x4c] = 0x4d;
	c[0x4e] = 0x03;
	memset(c + PIIX3_PIRQC, 0x80, 4);
	c[0x69] = 0x02;
	c[0x70] = 0x80;
	c[0x76] = 0x0c;
	c[0x77] = 0x0c;
	c[0x78] = 0x02;
	c[0xa0] = 0x08;
	c[0xa8] = 0x0f;
	s->rcr = 0;
}

int piix3_init(struct piix3 *s, struct pci_bus *bus, struct accel *accel,
	       uint16_t reset_command)
{
	struct pci_device *d = &s->pci;

	pci_device_init(d, "piix3", 0x8086, 0x7000, 0x00, 0x060100);
	d->opaque = s;
	d->config_write = piix3_config_write;
	d->config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_MULTI;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, QEMU_SUBSYS_VENDOR);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, QEMU_SUBSYS_ID);
	s->accel = accel;
	/* qemu-xen-traditional sets master, memory and I/O at reset; QEMU 7.2 leaves 0. */
	s->reset_command = reset_command;
	piix3_reset(s);
	bus->cf9_write = rcr_write;
	bus->cf9_read = rcr_read;
	bus->cf9_opaque = s;
	return pci_register_device(bus, d, PCI_DEVFN(1, 0));
}

void piix3_save_state(const struct piix3 *s, struct piix3_state *st)
{
	pci_save_state(&s->pci, &st->pci);
	st->rcr = s->rcr;
}

int piix3_check_state(const struct piix3 *s, const struct piix3_state *st, char *err,
		      size_t errlen)
{
	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (st->rcr & ~PIIX3_RCR_SYS_RST) {
		snprintf(err, errlen, "piix3: reset control %#04x has bits beyond SYS_RST", st->rcr);
		return -1;
	}
	return 0;
}

void piix3_load_state(struct piix3 *s, const struct piix3_state *st)
{
	pci_load_state(&s->pci, &st->pci);
	s->rcr = st->rcr;
	piix3_sync_routes(s);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(piix3_reset, struct piix3)

DEV_OPS_SAVE(piix3_save_state, struct piix3, struct piix3_state)

DEV_OPS_CHECK(piix3_check_state, struct piix3, struct piix3_state)

DEV_OPS_LOAD(piix3_load_state, struct piix3, struct piix3_state)

const struct dev_ops piix3_ops = {
	.name = "piix3", .record = "PIIX3", .reset = ops_reset,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
