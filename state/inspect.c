// SPDX-License-Identifier: GPL-2.0-only
#include "inspect.h"

#include <stdio.h>

static json_t *hex(const uint8_t *p, size_t n)
{
	char buf[2 * 512 + 1];

	if (n > 512)
		n = 512;
	for (size_t i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * n] = '\0';
	return json_string(buf);
}

static json_t *queue_json(const struct ps2_queue *q)
{
	uint8_t bytes[PS2_QUEUE_SIZE];

	for (unsigned int i = 0; i < q->count; i++)
		bytes[i] = q->data[(q->head + i) % PS2_QUEUE_SIZE];
	return hex(bytes, q->count);
}

static json_t *pci_json(const struct pci_state *p)
{
	return json_pack("{s:o, s:i}", "config", hex(p->config, PCI_CONFIG_SIZE), "intx_levels",
			 p->irq_levels);
}

static json_t *u64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#llx", (unsigned long long)v); /* exact beyond 2^53 */
	return json_string(buf);
}

json_t *machine_state_to_json(const struct machine *m, const struct machine_state *st)
{
	const struct piix4_pm_state *pm = &st->pm;
	json_t *root = json_object(), *serial = json_array();

	json_object_set_new(root, "profile", json_string(profile_name((enum machine_profile)st->profile)));
	json_object_set_new(root, "clock_ns", u64(st->clock_ns));
	json_object_set_new(root, "i440fx", pci_json(&st->i440fx));
	json_object_set_new(root, "piix3", json_pack("{s:o, s:i, s:[iiii]}", "pci", pci_json(&st->piix3.pci),
						     "rcr", st->piix3.rcr, "pirq_routes",
						     st->piix3.pci.config[0x60], st->piix3.pci.config[0x61],
						     st->piix3.pci.config[0x62], st->piix3.pci.config[0x63]));
	json_object_set_new(root, "piix4_pm", json_pack(
		"{s:o, s:i, s:i, s:i, s:i, s:b, s:o, s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:i, s:i}",
		"pci", pci_json(&pm->pci), "pm1_sts", pm->pm1_sts, "pm1_en", pm->pm1_en,
		"pm1_cnt", pm->pm1_cnt, "pm_base", pm->pm_base, "timer_32bit", pm->timer_32bit,
		"tmr_overflow", u64(pm->tmr_overflow), "apm_cnt", pm->apm_cnt, "apm_sts", pm->apm_sts,
		"gpe_base", pm->gpe_base, "gpe_half", pm->gpe_half,
		"gpe_sts", hex(pm->gpe_sts, sizeof(pm->gpe_sts)), "gpe_en", hex(pm->gpe_en, sizeof(pm->gpe_en)),
		"cpu_map", hex(pm->cpu_map, sizeof(pm->cpu_map)), "pcihp_up", (json_int_t)pm->pcihp_up,
		"pcihp_down", (json_int_t)pm->pcihp_down, "pcihp_removable", (json_int_t)pm->pcihp_removable,
		"pcihp_sel", (json_int_t)pm->pcihp_sel, "php_status", hex(pm->php_status, sizeof(pm->php_status)),
		"php_evt", pm->php_evt, "php_devfn", pm->php_devfn));
	if (m->has_platform) {
		const struct xen_platform_state *p = &st->platform;

		json_object_set_new(root, "xen_platform", json_pack(
			"{s:o, s:i, s:i, s:i, s:I, s:b}", "pci", pci_json(&p->pci), "flags", p->flags,
			"unplugged", p->unplugged, "driver_product_version", p->driver_product_version,
			"driver_build", (json_int_t)p->driver_build, "drivers_blacklisted",
			p->drivers_blacklisted));
	}
	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		const struct uart_state *u = &st->uart[i];

		json_array_append_new(serial, json_pack(
			"{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:b, s:b, s:o}",
			"base", m->uart[i].base, "divider", u->divider, "ier", u->ier, "fcr", u->fcr,
			"lcr", u->lcr, "mcr", u->mcr, "lsr", u->lsr, "msr", u->msr, "scr", u->scr,
			"rx", hex(u->rx, u->rx_count), "tx", hex(u->tx, u->tx_count),
			"thr_ipending", u->thr_ipending, "timeout_ipending", u->timeout_ipending,
			"timeout_expire", u64(u->timeout_expire)));
	}
	json_object_set_new(root, "serial", serial);
	if (m->has_rtc)
		json_object_set_new(root, "mc146818", json_pack("{s:o, s:i, s:I, s:o, s:o}",
			"cmos", hex(st->rtc.cmos, CMOS_SIZE), "index", st->rtc.index,
			"offset_s", (json_int_t)st->rtc.offset_s, "periodic_expire", u64(st->rtc.periodic_expire),
			"second_expire", u64(st->rtc.second_expire)));
	if (m->has_fw_cfg)
		json_object_set_new(root, "fw_cfg", json_pack("{s:i, s:I, s:o}", "cur_entry",
			st->fw_cfg.cur_entry, "cur_offset", (json_int_t)st->fw_cfg.cur_offset, "dma_addr",
			u64(st->fw_cfg.dma_addr)));
	if (m->has_ide) {
		static const char *const kinds[] = { "none", "disk", "cd" };
		static const char *const xfers[] = { "none", "pio-in", "pio-out", "packet", "dma-in", "dma-out" };
		json_t *ide = json_pack("{s:o, s:i}", "pci", pci_json(&st->ide.pci), "unplugged",
					st->ide.unplugged);
		json_t *chans = json_array(), *drives = json_array();

		for (unsigned int c = 0; c < IDE_CHANNELS; c++)
			json_array_append_new(chans, json_pack("{s:i, s:i, s:i, s:i, s:b, s:I}",
				"selected", st->ide.ch[c].cur, "devctl", st->ide.ch[c].devctl,
				"bm_cmd", st->ide.ch[c].bm_cmd, "bm_status", st->ide.ch[c].bm_status,
				"irq_pending", st->ide.ch[c].irq_pending, "bm_prd", (json_int_t)st->ide.ch[c].bm_prd));
		for (unsigned int i = 0; i < IDE_DRIVES; i++) {
			const struct ide_drive_state *d = &st->ide.drive[i];
			const struct ide_drive_regs *r = &d->r;
			const uint8_t tf[] = { r->feature, r->error, r->nsector, r->sector, r->lcyl, r->hcyl,
					       r->select, r->status };

			json_array_append_new(drives, json_pack(
				"{s:s, s:o, s:i, s:i, s:s, s:o, s:i, s:i, s:i, s:b, s:b, s:i}",
				"kind", d->kind <= IDE_KIND_CD ? kinds[d->kind] : "?",
				"task_file", hex(tf, sizeof(tf)), "mult_sectors", r->mult_sectors,
				"cmd", r->cmd, "transfer", r->xfer <= IDE_XFER_DMA_OUT ? xfers[r->xfer] : "?",
				"lba", u64(r->lba), "remaining", (int)r->remaining, "sense_key", r->sense_key,
				"asc", r->asc, "tray_open", r->tray_open, "locked", r->locked,
				"buffered", (int)d->buf_len));
		}
		json_object_set_new(ide, "channels", chans);
		json_object_set_new(ide, "drives", drives);
		json_object_set_new(root, "ide", ide);
	}
	json_object_set_new(root, "i8042", json_pack(
		"{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:{s:i, s:b, s:i, s:i, s:i, s:o}, s:{s:i, s:b, s:b, s:b, s:b, s:i, s:i, s:i, s:o, s:i, s:o}}",
		"status", st->kbd.status, "ctr", st->kbd.ctr, "outport", st->kbd.outport,
		"pending_cmd", st->kbd.pending_cmd, "obdata", st->kbd.obdata, "obsrc", st->kbd.obsrc,
		"ctrl_queue", queue_json(&st->kbd.ctrl_queue), "aux_inject", queue_json(&st->kbd.aux_inject),
		"keyboard", "pending_cmd", st->kbd.kbd.pending_cmd, "scanning", st->kbd.kbd.scanning,
		"scancode_set", st->kbd.kbd.scancode_set, "leds", st->kbd.kbd.leds,
		"typematic", st->kbd.kbd.typematic, "queue", queue_json(&st->kbd.kbd.queue),
		"mouse", "pending_cmd", st->kbd.mouse.pending_cmd, "reporting", st->kbd.mouse.reporting,
		"remote", st->kbd.mouse.remote, "wrap", st->kbd.mouse.wrap,
		"scaling_2to1", st->kbd.mouse.scaling_2to1, "resolution", st->kbd.mouse.resolution,
		"sample_rate", st->kbd.mouse.sample_rate, "type", st->kbd.mouse.type,
		"knock", hex(st->kbd.mouse.knock, 3), "buttons", st->kbd.mouse.buttons,
		"queue", queue_json(&st->kbd.mouse.queue)));
	return root;
}
