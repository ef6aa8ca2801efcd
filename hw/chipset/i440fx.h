/* SPDX-License-Identifier: GPL-2.0-only */
/* i440FX PCI host bridge (8086:1237) at 00:00.0. */
#ifndef HVMDM_I440FX_H
#define HVMDM_I440FX_H

#include <stddef.h>

#include "hw/core/devreg.h"
#include "hw/core/pci.h"
#include "hw/core/profile.h"

#define I440FX_PAM 0x59 /* PAM0..PAM6: 0x59-0x5f */
#define I440FX_PAM_COUNT 7
#define I440FX_SMRAM 0x72

#define SMRAM_C_BASE_SEG 0x02 /* bits 2:0, hard-wired 010 (A0000) */
#define SMRAM_G_SMRAME 0x08
#define SMRAM_D_LCK 0x10
#define SMRAM_D_CLS 0x20
#define SMRAM_D_OPEN 0x40

/* Reset values that differ between the device models whose guests hvmdm takes over. */
struct i440fx_config {
	uint8_t smram;   /* QEMU: C_BASE_SEG; qemu-xen-traditional's DM build: 0 */
	uint8_t dram_57; /* QEMU 7.2 presents 0x08 at 0x57; traditional 0 */
};

struct i440fx {
	struct pci_device pci;
	/* Told when PAM or SMRAM change (the KVM accelerator remaps shadow RAM). */
	void (*memory_map_changed)(void *opaque, const struct i440fx *s);
	void *memory_map_opaque;
	struct i440fx_config cfg;
};

int i440fx_check_state(const struct i440fx *s, const struct pci_state *st, char *err,
		       size_t errlen);
void i440fx_load_state(struct i440fx *s, const struct pci_state *st);

int i440fx_init(struct i440fx *s, struct pci_bus *bus, const struct i440fx_config *cfg);
void i440fx_reset(struct i440fx *s);
/* The reset of an S3 wake-up: PAM and SMRAM keep their values. */
void i440fx_wake_reset(struct i440fx *s);

extern const struct dev_ops i440fx_ops;

#endif
