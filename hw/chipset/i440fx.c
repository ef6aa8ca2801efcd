// SPDX-License-Identifier: GPL-2.0-only
/*
 * i440FX host bridge. Under Xen the memory controller registers have no
 * effect (Xen owns guest memory); under KVM the PAM registers decide whether
 * 0xc0000-0xfffff reads ROM or RAM, so changes are reported to the machine.
 * Reset values: QEMU 7.2 (reference/samples) for xenfv and pc,
 * qemu-xen-traditional hw/piix_pci.c i440fx_init for xenfv-trad.
 */
#include "i440fx.h"

#include <stdio.h>
#include <string.h>

static void i440fx_config_write(struct pci_device *dev, unsigned int addr, uint32_t val,
				unsigned int len)
{
	struct i440fx *s = dev->opaque;
	uint8_t smram_before = dev->config[I440FX_SMRAM];

	pci_default_config_write(dev, addr, val, len);

	if (ranges_overlap(addr, len, I440FX_SMRAM, 1)) {
		uint8_t smram = dev->config[I440FX_SMRAM];

		/* D_LCK: D_OPEN reads 0 and cannot be set again; D_LCK and G_SMRAME stick. */
		if (smram_before & SMRAM_D_LCK)
			smram = (uint8_t)((smram & ~(SMRAM_D_LCK | SMRAM_G_SMRAME | SMRAM_D_OPEN)) |
					  (smram_before & (SMRAM_D_LCK | SMRAM_G_SMRAME)));
		if (smram & SMRAM_D_LCK)
			smram &= (uint8_t)~SMRAM_D_OPEN;
		dev->config[I440FX_SMRAM] = smram;
	}
	if ((ranges_overlap(addr, len, I440FX_PAM, I440FX_PAM_COUNT) ||
	     ranges_overlap(addr, len, I440FX_SMRAM, 1)) && s->memory_map_changed)
		s->memory_map_changed(s->memory_map_opaque, s);
}

void i440fx_reset(struct i440fx *s)
{
	struct pci_device *d = &s->pci;

	memset(d->config + PCI_COMMAND, 0, 4);
	memset(d->config + 0x40, 0, PCI_CONFIG_SIZE - 0x40);
	d->config[I440FX_SMRAM] = s->cfg.smram;
	d->config[0x57] = s->cfg.dram_57;
}

/*
 * An S3 wake-up keeps PAM and SMRAM: QEMU's i440FX reset never touches them,
 * and SeaBIOS's resume path reads its ACPI pointers from the shadow RAM they
 * keep mapped. The memory map does not change, so nobody is told.
 */
void i440fx_wake_reset(struct i440fx *s)
{
	uint8_t *config = s->pci.config;
	uint8_t pam[I440FX_PAM_COUNT], smram = config[I440FX_SMRAM];

	memcpy(pam, config + I440FX_PAM, sizeof(pam));
	i440fx_reset(s);
	memcpy(config + I440FX_PAM, pam, sizeof(pam));
	config[I440FX_SMRAM] = smram;
}

int i440fx_init(struct i440fx *s, struct pci_bus *bus, const struct i440fx_config *cfg)
{
	struct pci_device *d = &s->pci;

	pci_device_init(d, "i440fx", 0x8086, 0x1237, 0x02, 0x060000);
	d->opaque = s;
	d->config_write = i440fx_config_write;
	s->cfg = *cfg;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, QEMU_SUBSYS_VENDOR);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, QEMU_SUBSYS_ID);
	/* PAM0 has only the high BIOS nibble; PAM1-6 two nibbles of RE/WE bits. */
	d->wmask[I440FX_PAM] = 0x30;
	memset(d->wmask + I440FX_PAM + 1, 0x33, I440FX_PAM_COUNT - 1);
	d->wmask[I440FX_SMRAM] = SMRAM_G_SMRAME | SMRAM_D_LCK | SMRAM_D_CLS | SMRAM_D_OPEN;
	i440fx_reset(s);
	return pci_register_device(bus, d, PCI_DEVFN(0, 0));
}

int i440fx_check_state(const struct i440fx *s, const struct pci_state *st, char *err,
		       size_t errlen)
{
	uint8_t smram = st->config[I440FX_SMRAM];

	if (pci_check_state(&s->pci, st, err, errlen))
		return -1;
	if ((smram & SMRAM_D_LCK) && (smram & SMRAM_D_OPEN)) {
		snprintf(err, errlen, "i440fx: SMRAM %#04x is open and locked at once", smram);
		return -1;
	}
	return 0;
}

void i440fx_load_state(struct i440fx *s, const struct pci_state *st)
{
	pci_load_state(&s->pci, st);
	if (s->memory_map_changed)
		s->memory_map_changed(s->memory_map_opaque, s);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(i440fx_reset, struct i440fx)
DEV_OPS_WAKE_RESET(i440fx_wake_reset, struct i440fx)

static void ops_save(const void *dev, void *st)
{
	pci_save_state(&((const struct i440fx *)dev)->pci, st);
}

DEV_OPS_CHECK(i440fx_check_state, struct i440fx, struct pci_state)

DEV_OPS_LOAD(i440fx_load_state, struct i440fx, struct pci_state)

const struct dev_ops i440fx_ops = {
	.name = "i440fx", .record = "I440FX", .reset = ops_reset, .wake_reset = ops_wake_reset,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
