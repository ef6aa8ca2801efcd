/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PIIX4 ACPI power management function (8086:7113, class 0x0680) at 00:01.3.
 *
 * Port map by profile (reference/05-hvmloader-acpi.md §5.4):
 *
 *   block            xenfv                 xenfv-trad               pc
 *   PM1 EVT (+0)     Xen                   Xen                      PMBA+0, 4 bytes
 *   PM1 CNT (+4)     PMBA+4 (config 0x40,  0xb004 fixed (0x1f44      PMBA+4
 *                    enabled by 0x80)      after a v1 restore)
 *   PM timer (+8)    Xen                   Xen                      PMBA+8, 24/32-bit
 *   APM 0xb2/0xb3    yes                   no                       yes
 *   GPE0             0xafe0 (2+2)          0xafe0 (2+2); 0x1f68      0xafe0 (2+2)
 *                                          (4+4) after a v1 restore
 *   CPU map          0xaf00, 32 bytes      same                     same
 *   PCI hot-plug     0xae00 (QEMU pcihp)   0x10c0 (PSTA/PSTB/PHxx)   0xae00
 *   ACPI debug       0xb044, logged        same                     same
 *
 * SCI is ISA IRQ 9, a level: any GPE0 status bit whose enable is set (and in
 * `pc` any enabled PM1 event).
 */
#ifndef HVMDM_PIIX4_PM_H
#define HVMDM_PIIX4_PM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/bus.h"
#include "hw/core/clock.h"
#include "hw/core/pci.h"
#include "hw/core/profile.h"

#define PIIX4_PM_SCI_IRQ 9

/* PM1a_CNT bits (ACPI spec). */
#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_GBL_RLS 0x0004
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP 0x1c00
#define PM1_CNT_SLP_EN 0x2000

/* PM1 status/enable bits. */
#define PM1_TMR 0x0001
#define PM1_GBL 0x0020
#define PM1_PWRBTN 0x0100
#define PM1_RTC 0x0400
#define PM1_WAK_STS 0x8000
#define PM1_SCI_EVENTS (PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_RTC)

#define APM_CNT_PORT 0xb2
#define APM_ACPI_ENABLE 0xf1
#define APM_ACPI_DISABLE 0xf0

#define PM_TIMER_HZ 3579545ull

/* Fixed locations (xen/include/public/hvm/ioreq.h ACPI_* constants). */
#define PM_BASE_V1 0xb000  /* ACPI_PM1A_EVT_BLK_ADDRESS_V1 */
#define PM_BASE_V0 0x1f40  /* ACPI_PM1A_EVT_BLK_ADDRESS_V0 */
#define GPE0_BASE_V1 0xafe0
#define GPE0_HALF_V1 2
#define GPE0_BASE_V0 0x1f68
#define GPE0_HALF_V0 4
#define CPU_MAP_BASE 0xaf00
#define CPU_MAP_LEN 32
#define PCIHP_BASE 0xae00
#define PCIHP_LEN 0x18
#define TRAD_PHP_BASE 0x10c0
#define TRAD_PHP_SLOTS 128 /* one nibble per function, two per byte */
#define TRAD_PHP_LEN (2 + TRAD_PHP_SLOTS)
#define ACPI_DEBUG_BASE 0xb044
#define ACPI_DEBUG_LEN 4

/* GPE0 bits used for hot-plug. */
#define GPE_CPU_HOTPLUG_BIT 2
#define GPE_PCI_HOTPLUG_BIT_XENFV 1
#define GPE_PCI_HOTPLUG_BIT_TRAD 3

/* Traditional PSTA values. */
#define TRAD_PHP_EVT_ADD 0x0
#define TRAD_PHP_EVT_REMOVE 0x3

/* What the machine asks of its PM function (computed once in machine.c). */
struct piix4_pm_config {
	/*
	 * qemu-xen-traditional's function: revision 1, the PM block fixed at
	 * 0xb000 with SCI_EN set, GPE0 at 0xafe0 (or the old 0x1f68), PCI
	 * hot-plug at 0x10c0 by slot; else QEMU's (PMBA from config space, APM
	 * at 0xb2, hot-plug at 0xae00).
	 */
	bool trad_layout;
	/* The device model, not Xen, serves PM1 events and the PM timer (KVM). */
	bool pm_timer;
	unsigned int vcpus; /* the CPU map */
	const char *machine; /* for messages */
};

struct piix4_pm {
	struct pci_device pci;
	struct piix4_pm_config cfg;
	struct accel *accel;
	struct io_space *io;
	struct dm_clock *clock;

	/* PM1 registers (EVT and timer are ours only in `pc`). */
	uint16_t pm1_sts;
	uint16_t pm1_en;
	uint16_t pm1_cnt;
	uint16_t pm_base;     /* where the PM block decodes now */
	bool pm_mapped;
	bool timer_32bit;     /* TMR_VAL_EXT; PIIX4 hardware is 24-bit */
	uint64_t tmr_overflow; /* PM timer tick at which TMR_STS sets next */
	struct dm_timer tmr_timer;

	/* APM control/status (0xb2/0xb3). */
	uint8_t apm_cnt;
	uint8_t apm_sts;

	/* GPE0 block: status bytes then enable bytes. */
	uint16_t gpe_base;
	uint8_t gpe_half;     /* 2 (V1 layout) or 4 (V0) */
	uint8_t gpe_sts[GPE0_HALF_V0];
	uint8_t gpe_en[GPE0_HALF_V0];
	bool sci_level;       /* last level driven on ISA IRQ 9 */

	uint8_t cpu_map[CPU_MAP_LEN];

	/* QEMU-style PCI hot-plug (xenfv, pc). */
	uint32_t pcihp_up;
	uint32_t pcihp_down;
	uint32_t pcihp_removable;
	uint32_t pcihp_sel;
	/* Traditional PCI hot-plug (xenfv-trad). */
	uint8_t php_status[TRAD_PHP_SLOTS];
	uint8_t php_evt;
	uint8_t php_devfn;

	/* Machine callback: eject the device in `slot`. */
	void (*eject_slot)(void *opaque, unsigned int slot);
	void *eject_opaque;
};

/* Everything the guest can see of the function, for the save records. */
struct piix4_pm_state {
	struct pci_state pci;
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint16_t pm_base;     /* traditional: where the block is; else informational */
	bool timer_32bit;
	uint64_t tmr_overflow;
	uint8_t apm_cnt, apm_sts;
	uint16_t gpe_base;
	uint8_t gpe_half;
	uint8_t gpe_sts[GPE0_HALF_V0], gpe_en[GPE0_HALF_V0];
	uint8_t cpu_map[CPU_MAP_LEN];
	uint32_t pcihp_up, pcihp_down, pcihp_removable, pcihp_sel;
	uint8_t php_status[TRAD_PHP_SLOTS];
	uint8_t php_evt, php_devfn;
};

void piix4_pm_save_state(const struct piix4_pm *s, struct piix4_pm_state *st);
/* Validates every field, and that relocated blocks can be claimed. */
int piix4_pm_check_state(const struct piix4_pm *s, const struct piix4_pm_state *st, char *err,
			 size_t errlen);
void piix4_pm_load_state(struct piix4_pm *s, const struct piix4_pm_state *st);

/* Builds the function, claims its fixed ports; `vcpus` sets the CPU map. */
int piix4_pm_init(struct piix4_pm *s, struct pci_bus *bus, struct io_space *io,
		  struct accel *accel, struct dm_clock *clock, const struct piix4_pm_config *cfg);
void piix4_pm_destroy(struct piix4_pm *s);
void piix4_pm_reset(struct piix4_pm *s);
/* S3: may an RTC alarm wake the machine (PM1_EN.RTC_EN, pc only)? */
bool piix4_pm_rtc_wake_enabled(const struct piix4_pm *s);
/* After the wake-up reset: WAK_STS, and RTC_STS when the RTC woke it. */
void piix4_pm_wakeup(struct piix4_pm *s, bool by_rtc);

/* Re-evaluate and drive the SCI level. */
void piix4_pm_update_sci(struct piix4_pm *s);
/* Re-decode the PM block from config 0x40/0x80 (xenfv, pc). */
/* The PM I/O base a config space selects (PMBA with PMREGMISC enable); 0 if disabled. */
uint16_t piix4_pm_config_base(const uint8_t *config);
void piix4_pm_update_io(struct piix4_pm *s);
/* Move the traditional PM block / GPE0 block (restore of an older layout). */
int piix4_pm_set_trad_pm_base(struct piix4_pm *s, uint16_t base);
int piix4_pm_set_gpe_block(struct piix4_pm *s, uint16_t base, uint8_t half);

/* PM timer value now (pc). */
uint32_t piix4_pm_timer_read(struct piix4_pm *s);

/* Control-plane events. */
void piix4_pm_power_button(struct piix4_pm *s);
int piix4_pm_set_cpu_online(struct piix4_pm *s, unsigned int cpu, bool online);
/* Is vCPU `cpu` online in the ACPI CPU map (false past its end)? */
bool piix4_pm_cpu_online(const struct piix4_pm *s, unsigned int cpu);
/* Announce a device plugged into / about to leave `slot` (devfn for trad). */
int piix4_pm_pci_hotplug(struct piix4_pm *s, unsigned int devfn, bool added,
			 bool removable);

extern const struct dev_ops piix4_pm_ops;

#endif
