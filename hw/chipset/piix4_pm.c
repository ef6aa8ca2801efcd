// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX4 ACPI power management. Behaviour follows what guests saw from each
 * device model: QEMU hw/acpi/piix4.c, core.c, pcihp.c and hw/isa/apm.c for
 * xenfv and pc; qemu-xen-traditional hw/piix4acpi.c for xenfv-trad.
 */
#include "piix4_pm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

#define PMBA 0x40
#define PMREGMISC 0x80 /* bit 0: PM I/O space enable */
#define PMBA_MASK 0xffc0

static bool is_pc(const struct piix4_pm *s)
{
	return s->cfg.pm_timer;
}

/* ---- PM timer and PM1 events (pc only: Xen emulates them otherwise) ---- */

static uint64_t timer_ticks(const struct piix4_pm *s)
{
	return (uint64_t)((unsigned __int128)clock_now(s->clock) * PM_TIMER_HZ / NSEC_PER_SEC);
}

static uint64_t timer_period(const struct piix4_pm *s)
{
	/* TMR_STS sets whenever the timer's top bit toggles. */
	return s->timer_32bit ? 1ull << 31 : 1ull << 23;
}

static void timer_calc_overflow(struct piix4_pm *s)
{
	uint64_t period = timer_period(s);

	s->tmr_overflow = (timer_ticks(s) + period) & ~(period - 1);
}

uint32_t piix4_pm_timer_read(struct piix4_pm *s)
{
	uint64_t t = timer_ticks(s);

	return (uint32_t)(s->timer_32bit ? t : t & 0xffffff);
}

static uint16_t pm1_sts(struct piix4_pm *s)
{
	if (is_pc(s) && timer_ticks(s) >= s->tmr_overflow)
		s->pm1_sts |= PM1_TMR;
	return s->pm1_sts;
}

static void tmr_expired(void *opaque)
{
	piix4_pm_update_sci(opaque);
}

void piix4_pm_update_sci(struct piix4_pm *s)
{
	bool level = false;

	for (unsigned int i = 0; i < s->gpe_half; i++)
		level |= (s->gpe_sts[i] & s->gpe_en[i]) != 0;
	if (is_pc(s)) {
		uint16_t sts = pm1_sts(s);

		level |= (sts & s->pm1_en & PM1_SCI_EVENTS) != 0;
		/* Wake up at the next overflow only while it would raise the SCI. */
		if ((s->pm1_en & PM1_TMR) && !(sts & PM1_TMR)) {
			uint64_t ns = (uint64_t)(((unsigned __int128)s->tmr_overflow * NSEC_PER_SEC +
						  PM_TIMER_HZ - 1) / PM_TIMER_HZ);

			timer_arm(&s->tmr_timer, ns);
		} else {
			timer_cancel(&s->tmr_timer);
		}
	}
	if (level != s->sci_level) {
		s->sci_level = level;
		accel_set_isa_irq_level(s->accel, PIIX4_PM_SCI_IRQ, level);
	}
}

static uint64_t evt_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;
	uint32_t image = pm1_sts(s) | (uint32_t)s->pm1_en << 16;

	return (image >> (8 * off)) & size_mask(size);
}

static void evt_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix4_pm *s = opaque;

	for (unsigned int i = 0; i < size; i++) {
		unsigned int byte = (unsigned int)off + i;
		uint16_t v = (uint16_t)(((val >> (8 * i)) & 0xff) << (8 * (byte & 1)));

		if (byte < 2) {
			uint16_t sts = pm1_sts(s);

			/* Clearing TMR_STS starts the wait for the next overflow. */
			if (sts & v & PM1_TMR)
				timer_calc_overflow(s);
			s->pm1_sts = sts & (uint16_t)~v;
		} else {
			uint16_t keep = byte == 2 ? 0xff00 : 0x00ff;

			s->pm1_en = (uint16_t)((s->pm1_en & keep) | v);
		}
	}
	piix4_pm_update_sci(s);
}

static const struct io_ops evt_ops = {
	.read = evt_read, .write = evt_write, .impl_min = 1, .impl_max = 2,
};

static uint64_t tmr_read(void *opaque, uint64_t off, unsigned int size)
{
	return ((uint64_t)piix4_pm_timer_read(opaque) >> (8 * off)) & size_mask(size);
}

static void tmr_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	(void)opaque, (void)off, (void)size, (void)val; /* read-only register */
}

static const struct io_ops tmr_ops = {
	.read = tmr_read, .write = tmr_write, .impl_min = 1, .impl_max = 4,
};

/* ---- PM1a_CNT ---- */

static void sleep_request(struct piix4_pm *s, uint16_t val)
{
	unsigned int typ = (val & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT;
	int req = -1;

	if (s->cfg.trad_layout) {
		/* \_S3 = 1 (5 in the old "V0" DSDT); \_S5 = 0 (7); old \_S4 = 6 */
		if (typ == 1 || typ == 5)
			req = ACCEL_REQ_SUSPEND;
		else if (typ == 0 || typ == 6 || typ == 7)
			req = ACCEL_REQ_POWEROFF;
	} else {
		/* QEMU: 0 = S5, 1 = S3, s4_val (2) = S4, which powers off */
		if (typ == 0 || typ == 2)
			req = ACCEL_REQ_POWEROFF;
		else if (typ == 1)
			req = ACCEL_REQ_SUSPEND;
	}
	if (req < 0) {
		log_guest("piix4-pm", "SLP_EN with unknown SLP_TYP %u ignored", typ);
		return;
	}
	log_info("piix4-pm", "guest entered sleep type %u: %s", typ,
		 accel_request_name((enum accel_request)req));
	accel_request(s->accel, (enum accel_request)req);
}

static uint64_t cnt_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;
	uint16_t v = s->pm1_cnt;

	/* Traditional masks the write-only GBL_RLS; SLP_EN is never stored. */
	if (s->cfg.trad_layout)
		v &= (uint16_t)~PM1_CNT_GBL_RLS;
	return (v >> (8 * off)) & size_mask(size);
}

static void cnt_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix4_pm *s = opaque;
	uint16_t mask = (uint16_t)(size_mask(size) << (8 * off));
	uint16_t v = (uint16_t)((s->pm1_cnt & ~mask) | ((val << (8 * off)) & mask));

	s->pm1_cnt = v & (uint16_t)~PM1_CNT_SLP_EN;
	/* SLP_EN lives in the high byte: only a write reaching it can sleep. */
	if ((mask & 0xff00) && (v & PM1_CNT_SLP_EN))
		sleep_request(s, v);
}

static const struct io_ops cnt_ops = {
	.read = cnt_read, .write = cnt_write, .impl_min = 1, .impl_max = 2,
};

/* ---- APM (0xb2/0xb3) ---- */

static uint64_t apm_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;

	(void)size;
	return off == 0 ? s->apm_cnt : s->apm_sts;
}

static void apm_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix4_pm *s = opaque;

	(void)size;
	if (off == 1) {
		s->apm_sts = (uint8_t)val;
		return;
	}
	s->apm_cnt = (uint8_t)val;
	if (val == APM_ACPI_ENABLE)
		s->pm1_cnt |= PM1_CNT_SCI_EN;
	else if (val == APM_ACPI_DISABLE)
		s->pm1_cnt &= (uint16_t)~PM1_CNT_SCI_EN;
	else
		log_debug("piix4-pm", "APM command %#x: no SMM to deliver it to", (unsigned int)val);
}

static const struct io_ops apm_ops = {
	.read = apm_read, .write = apm_write, .impl_min = 1, .impl_max = 1,
};

/* ---- GPE0 ---- */

static uint64_t gpe_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;

	(void)size;
	if (off < s->gpe_half)
		return s->gpe_sts[off];
	if (off < 2u * s->gpe_half)
		return s->gpe_en[off - s->gpe_half];
	return 0xff;
}

static void gpe_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix4_pm *s = opaque;

	(void)size;
	if (off < s->gpe_half)
		s->gpe_sts[off] &= (uint8_t)~val; /* write 1 to clear */
	else if (off < 2u * s->gpe_half)
		s->gpe_en[off - s->gpe_half] = (uint8_t)val;
	piix4_pm_update_sci(s);
}

static const struct io_ops gpe_ops = {
	.read = gpe_read, .write = gpe_write, .impl_min = 1, .impl_max = 1,
};

static void gpe_raise(struct piix4_pm *s, unsigned int bit)
{
	s->gpe_sts[bit / 8] |= (uint8_t)(1u << (bit % 8));
	piix4_pm_update_sci(s);
}

/* ---- CPU hot-plug bitmap (0xaf00) ---- */

static uint64_t cpu_map_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;

	(void)size;
	return off < CPU_MAP_LEN ? s->cpu_map[off] : 0xff;
}

static void cpu_map_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	(void)opaque, (void)size;
	/* The guest may not change which CPUs exist. */
	log_debug("piix4-pm", "ignored write %#llx to CPU map +%llu", (unsigned long long)val,
		  (unsigned long long)off);
}

static const struct io_ops cpu_map_ops = {
	.read = cpu_map_read, .write = cpu_map_write, .impl_min = 1, .impl_max = 1,
};

bool piix4_pm_cpu_online(const struct piix4_pm *s, unsigned int cpu)
{
	return cpu < CPU_MAP_LEN * 8 && (s->cpu_map[cpu / 8] & (1u << (cpu % 8)));
}

int piix4_pm_set_cpu_online(struct piix4_pm *s, unsigned int cpu, bool online)
{
	uint8_t bit;

	if (cpu >= CPU_MAP_LEN * 8)
		return -EINVAL;
	bit = (uint8_t)(1u << (cpu % 8));
	if (!!(s->cpu_map[cpu / 8] & bit) == online)
		return 0;
	if (online)
		s->cpu_map[cpu / 8] |= bit;
	else
		s->cpu_map[cpu / 8] &= (uint8_t)~bit;
	gpe_raise(s, GPE_CPU_HOTPLUG_BIT);
	return 1;
}

/* ---- PCI hot-plug, QEMU layout (0xae00): 32-bit registers only ---- */

static void eject_slots(struct piix4_pm *s, uint32_t slots)
{
	for (unsigned int slot = 0; slot < 32; slot++) {
		uint32_t bit = 1u << slot;

		if (!(slots & bit))
			continue;
		if (!(s->pcihp_removable & bit)) {
			log_guest("piix4-pm", "eject of slot %u refused: not removable", slot);
			continue;
		}
		s->pcihp_down &= ~bit;
		s->pcihp_up &= ~bit;
		s->pcihp_removable &= ~bit;
		if (s->eject_slot)
			s->eject_slot(s->eject_opaque, slot);
	}
}

static uint64_t pcihp_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;
	uint32_t v = 0;

	(void)size;
	if (s->pcihp_sel != 0 && off < 0x10)
		return 0; /* only bus 0 exists */
	switch (off) {
	case 0x00:
		v = s->pcihp_up;
		if (is_pc(s)) /* xenfv keeps QEMU's legacy PIIX behaviour */
			s->pcihp_up = 0;
		break;
	case 0x04:
		v = s->pcihp_down;
		break;
	case 0x0c:
		v = s->pcihp_removable;
		break;
	case 0x10:
		v = s->pcihp_sel;
		break;
	default: /* 0x08 eject reads 0; 0x14 ACPI index: no device has one */
		break;
	}
	return v;
}

static void pcihp_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix4_pm *s = opaque;

	(void)size;
	if (off == 0x08 && s->pcihp_sel == 0)
		eject_slots(s, (uint32_t)val);
	else if (off == 0x10)
		s->pcihp_sel = (uint32_t)val;
}

static const struct io_ops pcihp_ops = {
	.read = pcihp_read, .write = pcihp_write, .impl_min = 4, .impl_max = 4,
};

/* ---- PCI hot-plug, traditional layout (0x10c0) ---- */

static void php_set(struct piix4_pm *s, unsigned int devfn, uint8_t nibble)
{
	uint8_t *reg = &s->php_status[devfn >> 1];

	nibble &= 0xf;
	if (devfn & 1)
		*reg = (uint8_t)((*reg & 0x0f) | nibble << 4);
	else
		*reg = (uint8_t)((*reg & 0xf0) | nibble);
}

static uint64_t php_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix4_pm *s = opaque;

	(void)size;
	if (off == 0)
		return s->php_evt;
	if (off == 1)
		return s->php_devfn;
	return s->php_status[off - 2];
}

static void php_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix4_pm *s = opaque;
	unsigned int devfn;

	(void)size;
	if (off < 2 || (val != 0x01 && val != 0x10))
		return; /* PSTA/PSTB are read-only; only _EJ0's values mean anything */
	devfn = (unsigned int)((off - 2) << 1) | (val == 0x10);
	if (s->php_evt != TRAD_PHP_EVT_REMOVE || s->php_devfn != devfn) {
		log_guest("piix4-pm", "eject of devfn %#x not expected (event %#x for %#x)", devfn,
			  s->php_evt, s->php_devfn);
		return;
	}
	s->php_evt = 0;
	for (unsigned int fn = 0; fn < 8; fn++)
		php_set(s, PCI_DEVFN(PCI_SLOT(devfn), fn), 0);
	if (s->eject_slot)
		s->eject_slot(s->eject_opaque, PCI_SLOT(devfn));
}

static const struct io_ops php_ops = {
	.read = php_read, .write = php_write, .impl_min = 1, .impl_max = 1,
};

int piix4_pm_pci_hotplug(struct piix4_pm *s, unsigned int devfn, bool added, bool removable)
{
	unsigned int slot = PCI_SLOT(devfn);

	if (devfn > 255)
		return -EINVAL;
	if (s->cfg.trad_layout) {
		if (!added && PCI_FUNC(devfn))
			return -EINVAL; /* the traditional DSDT removes whole slots */
		if (added)
			php_set(s, devfn, 0xf);
		if (PCI_FUNC(devfn) == 0) {
			s->php_evt = added ? TRAD_PHP_EVT_ADD : TRAD_PHP_EVT_REMOVE;
			s->php_devfn = (uint8_t)devfn;
			gpe_raise(s, GPE_PCI_HOTPLUG_BIT_TRAD);
		}
		return 0;
	}
	if (slot >= 32)
		return -EINVAL;
	if (added) {
		s->pcihp_up |= 1u << slot;
		if (removable)
			s->pcihp_removable |= 1u << slot;
	} else {
		s->pcihp_down |= 1u << slot;
	}
	gpe_raise(s, GPE_PCI_HOTPLUG_BIT_XENFV);
	return 0;
}

/* ---- ACPI debug port (0xb044) ---- */

static uint64_t debug_read(void *opaque, uint64_t off, unsigned int size)
{
	(void)opaque, (void)off;
	return size_mask(size); /* write-only */
}

static void debug_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	(void)opaque;
	log_guest_info("acpi-debug", "+%llu (%u bytes): %#llx", (unsigned long long)off, size,
		       (unsigned long long)val);
}

static const struct io_ops debug_ops = {
	.read = debug_read, .write = debug_write, .impl_min = 1, .impl_max = 4,
};

/* ---- PM block placement ---- */

static void pm_block_release(struct piix4_pm *s)
{
	if (!s->pm_mapped)
		return;
	io_space_release(s->io, s->pm_base + 4, s);
	if (is_pc(s)) {
		io_space_release(s->io, s->pm_base, s);
		io_space_release(s->io, s->pm_base + 8, s);
	}
	s->pm_mapped = false;
}

static int pm_block_claim(struct piix4_pm *s, uint16_t base)
{
	int rc = io_space_claim(s->io, base + 4u, 2, &cnt_ops, s, "piix4-pm1a-cnt");

	if (rc == 0 && is_pc(s)) {
		rc = io_space_claim(s->io, base, 4, &evt_ops, s, "piix4-pm1a-evt");
		if (rc == 0) {
			rc = io_space_claim(s->io, base + 8u, 4, &tmr_ops, s, "piix4-pm-tmr");
			if (rc)
				io_space_release(s->io, base, s);
		}
		if (rc)
			io_space_release(s->io, base + 4u, s);
	}
	if (rc == 0) {
		s->pm_base = base;
		s->pm_mapped = true;
	}
	return rc;
}

uint16_t piix4_pm_config_base(const uint8_t *config)
{
	return (config[PMREGMISC] & 1) ? (uint16_t)(pci_get_long(config + PMBA) & PMBA_MASK) : 0;
}

void piix4_pm_update_io(struct piix4_pm *s)
{
	uint16_t base = (uint16_t)(pci_get_long(s->pci.config + PMBA) & PMBA_MASK);
	bool enable = s->pci.config[PMREGMISC] & 1;

	if (s->cfg.trad_layout)
		return; /* fixed at init; PMBA writes have no effect there */
	if (enable == s->pm_mapped && (!enable || base == s->pm_base))
		return;
	pm_block_release(s);
	if (enable && pm_block_claim(s, base))
		log_guest("piix4-pm", "PM block at %#x conflicts; left unmapped", base);
}

int piix4_pm_set_trad_pm_base(struct piix4_pm *s, uint16_t base)
{
	uint16_t old = s->pm_base;
	int rc;

	if (!s->cfg.trad_layout)
		return -EINVAL;
	if (s->pm_mapped && base == old)
		return 0;
	pm_block_release(s);
	rc = pm_block_claim(s, base);
	if (rc)
		pm_block_claim(s, old); /* keep answering where it was */
	return rc;
}

int piix4_pm_set_gpe_block(struct piix4_pm *s, uint16_t base, uint8_t half)
{
	uint16_t old_base = s->gpe_base;
	uint8_t old_half = s->gpe_half;
	int rc;

	if (half != GPE0_HALF_V1 && half != GPE0_HALF_V0)
		return -EINVAL;
	if (base == old_base && half == old_half)
		return 0;
	if (old_half)
		io_space_release(s->io, old_base, s);
	rc = io_space_claim(s->io, base, 2u * half, &gpe_ops, s, "piix4-gpe0");
	if (rc) {
		if (old_half)
			io_space_claim(s->io, old_base, 2u * old_half, &gpe_ops, s, "piix4-gpe0");
		return rc;
	}
	s->gpe_base = base;
	s->gpe_half = half;
	piix4_pm_update_sci(s);
	return 0;
}

static void piix4_config_write(struct pci_device *dev, unsigned int addr, uint32_t val,
			       unsigned int len)
{
	struct piix4_pm *s = dev->opaque;

	pci_default_config_write(dev, addr, val, len);
	if (ranges_overlap(addr, len, PMBA, 4) || ranges_overlap(addr, len, PMREGMISC, 1))
		piix4_pm_update_io(s);
}

void piix4_pm_power_button(struct piix4_pm *s)
{
	s->pm1_sts |= PM1_PWRBTN;
	piix4_pm_update_sci(s);
}

static void config_reset(struct piix4_pm *s)
{
	uint8_t *c = s->pci.config;

	pci_set_word(c + PCI_COMMAND, 0);
	memset(c + 0x40, 0, PCI_CONFIG_SIZE - 0x40);
	if (s->cfg.trad_layout) {
		pci_set_word(c + PCI_STATUS, 0);
		pci_set_long(c + PMBA, PM_BASE_V0 | 1); /* qemu-xen-traditional's value */
		return;
	}
	/* QEMU 7.2 values (reference/samples); SMBus at 0xb100, not emulated. */
	pci_set_word(c + PCI_STATUS, 0x0280);
	c[PMBA] = 0x01;
	c[0x5b] = 0x02; /* "SMM already initialised": there is no SMM */
	c[0x5f] = 0x10 | (io_space_find(s->io, 0x378) ? 0x80 : 0);
	c[0x63] = 0x60;
	c[0x67] = (io_space_find(s->io, 0x3f8) ? 0x08 : 0) | (io_space_find(s->io, 0x2f8) ? 0x90 : 0);
	pci_set_word(c + 0x90, 0xb101);
	c[0xd2] = 0x09;
}

void piix4_pm_reset(struct piix4_pm *s)
{
	config_reset(s);
	s->pm1_sts = 0;
	s->pm1_en = 0;
	s->pm1_cnt = s->cfg.trad_layout ? PM1_CNT_SCI_EN : 0;
	s->apm_cnt = 0;
	s->apm_sts = 0;
	memset(s->gpe_sts, 0, sizeof(s->gpe_sts));
	memset(s->gpe_en, 0, sizeof(s->gpe_en));
	s->pcihp_up = 0;
	s->pcihp_down = 0;
	s->pcihp_sel = 0;
	s->php_evt = 0;
	s->php_devfn = 0;
	if (is_pc(s))
		timer_calc_overflow(s);
	piix4_pm_update_io(s);
	piix4_pm_update_sci(s);
}

int piix4_pm_init(struct piix4_pm *s, struct pci_bus *bus, struct io_space *io,
		  struct accel *accel, struct dm_clock *clock, const struct piix4_pm_config *cfg)
{
	struct pci_device *d = &s->pci;
	bool trad = cfg->trad_layout;
	unsigned int vcpus = cfg->vcpus;
	int rc;

	if (vcpus == 0 || vcpus > CPU_MAP_LEN * 8) {
		log_error("piix4-pm", "%u vCPUs do not fit the CPU map (1-%u)", vcpus,
			  CPU_MAP_LEN * 8);
		return -EINVAL;
	}
	pci_device_init(d, "piix4-pm", 0x8086, 0x7113, trad ? 0x01 : 0x03, 0x068000);
	d->opaque = s;
	d->config_write = piix4_config_write;
	d->config[PCI_INTERRUPT_PIN] = 1;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, QEMU_SUBSYS_VENDOR);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, QEMU_SUBSYS_ID);
	/* PMBA: bit 0 reads 1 (I/O), 64-byte block, 16-bit address. */
	d->wmask[PMBA] = 0xc0;
	d->wmask[PMBA + 1] = 0xff;
	d->wmask[PMBA + 2] = 0;
	d->wmask[PMBA + 3] = 0;

	s->cfg = *cfg;
	s->accel = accel;
	s->io = io;
	s->clock = clock;
	timer_init(&s->tmr_timer, clock, tmr_expired, s);
	config_reset(s);
	s->pm1_cnt = trad ? PM1_CNT_SCI_EN : 0;
	if (cfg->pm_timer)
		timer_calc_overflow(s);
	for (unsigned int cpu = 0; cpu < vcpus; cpu++)
		s->cpu_map[cpu / 8] |= (uint8_t)(1u << (cpu % 8));

	rc = pci_register_device(bus, d, PCI_DEVFN(1, 3));
	if (rc)
		return rc;
	if (trad && (rc = pm_block_claim(s, PM_BASE_V1)))
		return rc;
	if ((rc = piix4_pm_set_gpe_block(s, GPE0_BASE_V1, GPE0_HALF_V1)))
		return rc;
	if ((rc = io_space_claim(io, CPU_MAP_BASE, CPU_MAP_LEN, &cpu_map_ops, s, "piix4-cpu-map")))
		return rc;
	if (trad)
		rc = io_space_claim(io, TRAD_PHP_BASE, TRAD_PHP_LEN, &php_ops, s, "piix4-php");
	else
		rc = io_space_claim(io, PCIHP_BASE, PCIHP_LEN, &pcihp_ops, s, "piix4-pcihp");
	if (rc)
		return rc;
	if (!trad && (rc = io_space_claim(io, APM_CNT_PORT, 2, &apm_ops, s, "apm")))
		return rc;
	return io_space_claim(io, ACPI_DEBUG_BASE, ACPI_DEBUG_LEN, &debug_ops, s, "acpi-debug");
}

void piix4_pm_destroy(struct piix4_pm *s)
{
	timer_cancel(&s->tmr_timer);
}

void piix4_pm_save_state(const struct piix4_pm *s, struct piix4_pm_state *st)
{
	memset(st, 0, sizeof(*st));
	pci_save_state(&s->pci, &st->pci);
	/* TMR_STS as the guest would read it now (it is set lazily on reads). */
	st->pm1_sts = s->pm1_sts;
	if (is_pc(s) && timer_ticks(s) >= s->tmr_overflow)
		st->pm1_sts |= PM1_TMR;
	st->pm1_en = s->pm1_en;
	st->pm1_cnt = s->pm1_cnt;
	st->pm_base = s->pm_base;
	st->timer_32bit = s->timer_32bit;
	st->tmr_overflow = s->tmr_overflow;
	st->apm_cnt = s->apm_cnt;
	st->apm_sts = s->apm_sts;
	st->gpe_base = s->gpe_base;
	st->gpe_half = s->gpe_half;
	memcpy(st->gpe_sts, s->gpe_sts, sizeof(st->gpe_sts));
	memcpy(st->gpe_en, s->gpe_en, sizeof(st->gpe_en));
	memcpy(st->cpu_map, s->cpu_map, sizeof(st->cpu_map));
	st->pcihp_up = s->pcihp_up;
	st->pcihp_down = s->pcihp_down;
	st->pcihp_removable = s->pcihp_removable;
	st->pcihp_sel = s->pcihp_sel;
	memcpy(st->php_status, s->php_status, sizeof(st->php_status));
	st->php_evt = s->php_evt;
	st->php_devfn = s->php_devfn;
}

/* Every port of [base, base+len) is free or already this device's. */
static bool ports_available(const struct piix4_pm *s, uint32_t base, uint32_t len)
{
	if (base + len > 0x10000)
		return false;
	for (uint32_t p = base; p < base + len; p++) {
		const struct io_range *r = io_space_find(s->io, p);

		if (r && r->opaque != s)
			return false;
	}
	return true;
}

int piix4_pm_check_state(const struct piix4_pm *s, const struct piix4_pm_state *st, char *err,
			 size_t errlen)
{
	bool trad = s->cfg.trad_layout;

	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (st->timer_32bit != s->timer_32bit) {
		snprintf(err, errlen, "piix4-pm: the stream has a %s PM timer, this machine %s",
			 st->timer_32bit ? "32-bit" : "24-bit", s->timer_32bit ? "32-bit" : "24-bit");
		return -1;
	}
	if (!((st->gpe_base == GPE0_BASE_V1 && st->gpe_half == GPE0_HALF_V1) ||
	      (trad && st->gpe_base == GPE0_BASE_V0 && st->gpe_half == GPE0_HALF_V0))) {
		snprintf(err, errlen, "piix4-pm: GPE0 block %#x+2x%u is not a layout %s uses",
			 st->gpe_base, st->gpe_half, s->cfg.machine);
		return -1;
	}
	if (st->gpe_half == GPE0_HALF_V1 &&
	    (st->gpe_sts[2] | st->gpe_sts[3] | st->gpe_en[2] | st->gpe_en[3])) {
		snprintf(err, errlen, "piix4-pm: GPE0 bytes beyond the 2-byte block are set");
		return -1;
	}
	if (!ports_available(s, st->gpe_base, 2u * st->gpe_half)) {
		snprintf(err, errlen, "piix4-pm: GPE0 block %#x is taken by another device",
			 st->gpe_base);
		return -1;
	}
	if (trad) {
		if (st->pm_base != PM_BASE_V1 && st->pm_base != PM_BASE_V0) {
			snprintf(err, errlen, "piix4-pm: PM block %#x is neither 0xb000 nor 0x1f40",
				 st->pm_base);
			return -1;
		}
		if (!ports_available(s, st->pm_base + 4u, 2)) {
			snprintf(err, errlen, "piix4-pm: PM1a_CNT at %#x is taken by another device",
				 st->pm_base + 4u);
			return -1;
		}
		if (st->php_evt != 0 && st->php_evt != TRAD_PHP_EVT_REMOVE) {
			snprintf(err, errlen, "piix4-pm: hot-plug event %#x is not add (0) or remove (3)",
				 st->php_evt);
			return -1;
		}
	}
	if (st->pm1_cnt & PM1_CNT_SLP_EN) {
		snprintf(err, errlen, "piix4-pm: PM1a_CNT %#x has SLP_EN, which is never stored",
			 st->pm1_cnt);
		return -1;
	}
	return 0;
}

void piix4_pm_load_state(struct piix4_pm *s, const struct piix4_pm_state *st)
{
	pci_load_state(&s->pci, &st->pci);
	s->pm1_sts = st->pm1_sts;
	s->pm1_en = st->pm1_en;
	s->pm1_cnt = st->pm1_cnt;
	s->tmr_overflow = st->tmr_overflow;
	s->apm_cnt = st->apm_cnt;
	s->apm_sts = st->apm_sts;
	memcpy(s->gpe_sts, st->gpe_sts, sizeof(s->gpe_sts));
	memcpy(s->gpe_en, st->gpe_en, sizeof(s->gpe_en));
	memcpy(s->cpu_map, st->cpu_map, sizeof(s->cpu_map));
	s->pcihp_up = st->pcihp_up;
	s->pcihp_down = st->pcihp_down;
	s->pcihp_removable = st->pcihp_removable;
	s->pcihp_sel = st->pcihp_sel;
	memcpy(s->php_status, st->php_status, sizeof(s->php_status));
	s->php_evt = st->php_evt;
	s->php_devfn = st->php_devfn;
	/* Checked claimable before the commit started. */
	if (s->cfg.trad_layout)
		piix4_pm_set_trad_pm_base(s, st->pm_base);
	piix4_pm_set_gpe_block(s, st->gpe_base, st->gpe_half);
	piix4_pm_update_io(s);
	piix4_pm_update_sci(s);
}

bool piix4_pm_rtc_wake_enabled(const struct piix4_pm *s)
{
	return is_pc(s) && (s->pm1_en & PM1_RTC);
}

void piix4_pm_wakeup(struct piix4_pm *s, bool by_rtc)
{
	s->pm1_sts |= PM1_WAK_STS | (by_rtc ? PM1_RTC : 0);
	piix4_pm_update_sci(s);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(piix4_pm_reset, struct piix4_pm)
DEV_OPS_DESTROY(piix4_pm_destroy, struct piix4_pm)
DEV_OPS_SAVE(piix4_pm_save_state, struct piix4_pm, struct piix4_pm_state)
DEV_OPS_CHECK(piix4_pm_check_state, struct piix4_pm, struct piix4_pm_state)
DEV_OPS_LOAD(piix4_pm_load_state, struct piix4_pm, struct piix4_pm_state)

const struct dev_ops piix4_pm_ops = {
	.name = "piix4-pm", .record = "piix4acpi", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
