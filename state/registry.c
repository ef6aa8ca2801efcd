// SPDX-License-Identifier: GPL-2.0-only
/*
 * The record registry's lookups, the errata list, and the probe state whose
 * encoding fingerprints each written layout (state/schema.txt). The kinds
 * themselves live one device per file in state/dev/ (list: state/dev/all.c).
 */
#include "registry.h"
#include "vm_records.h"

#include <stdio.h>
#include <string.h>

const struct erratum errata[] = {
	{ "xs-6.0-6.2-piix4acpi", "piix4acpi", 2, 1,
	  "XenServer 6.0 (Boston) - 6.2 (Clearwater) qemu-trad: a partial revert kept the version-2 number but wrote version-1 content (xenserver/qemu-trad.pg fix-migrate-from-Boston-thru-Clearwater.patch)",
	  "framed: payload of 278 bytes (PCI common part + be16) instead of 282; unframed traditional streams: the 4 bytes after pm1_control are not 0x1f40/0xb000 followed by a section header or EOF" },
};

const size_t nr_errata = sizeof(errata) / sizeof(errata[0]);

const struct record_kind *record_kind_find_in(const struct record_kind *table, size_t n,
					      const char *idstr)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].idstr, idstr))
			return &table[i];
	return NULL;
}

const struct record_kind *record_kind_find(const char *idstr)
{
	for (size_t i = 0; i < nr_record_kinds; i++)
		if (!strcmp(record_kinds[i]->idstr, idstr))
			return record_kinds[i];
	return NULL;
}

size_t record_kind_index(const struct record_kind *k)
{
	size_t i = 0;

	while (i < nr_record_kinds && record_kinds[i] != k)
		i++;
	return i;
}

size_t registry_nr_kinds(void)
{
	return nr_record_kinds + nr_vm_record_kinds;
}

const struct record_kind *registry_kind(size_t i)
{
	return i < nr_record_kinds ? record_kinds[i] : &vm_record_kinds[i - nr_record_kinds];
}

const struct record_kind *registry_find(const char *idstr)
{
	const struct record_kind *k = record_kind_find(idstr);

	return k ? k : vm_record_kind_find(idstr);
}

const struct record_version *record_version_find(const struct record_kind *k, uint32_t version)
{
	for (size_t i = 0; i < k->nr_versions; i++)
		if (k->versions[i].version == version)
			return &k->versions[i];
	return NULL;
}

uint32_t record_written_version(const struct record_kind *k)
{
	for (size_t i = 0; i < k->nr_versions; i++)
		if (k->versions[i].status == RV_WRITTEN)
			return k->versions[i].version;
	return 0;
}

const char *rv_status_name(enum rv_status s)
{
	switch (s) {
	case RV_WRITTEN:
		return "written";
	case RV_ACCEPTED:
		return "accepted";
	case RV_RESERVED:
		return "reserved";
	}
	return "?";
}

/* Distinct, non-default values everywhere, so any layout change shows. */
void probe_state(struct machine_state *st, uint8_t profile)
{
	uint8_t n = 1;

	memset(st, 0, sizeof(*st));
	st->profile = profile;
	st->clock_ns = 0x0102030405060708ull;
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++) {
		st->i440fx.config[i] = n++;
		st->piix3.pci.config[i] = (uint8_t)(n * 3);
		st->pm.pci.config[i] = (uint8_t)(n * 5);
		st->platform.pci.config[i] = (uint8_t)(n * 7);
	}
	st->i440fx.irq_levels = 1;
	st->pci_config_address = 0x8000b840;
	st->piix3.pci.irq_levels = 2;
	st->piix3.rcr = 2;
	st->pm.pci.irq_levels = 4;
	st->pm.pm1_sts = 0x1111;
	st->pm.pm1_en = 0x2222;
	st->pm.pm1_cnt = 0x0c01;
	st->pm.pm_base = 0xb000;
	st->pm.timer_32bit = true;
	st->pm.tmr_overflow = 0x1122334455667788ull;
	st->pm.apm_cnt = 0xf1;
	st->pm.apm_sts = 0x5a;
	st->pm.gpe_base = 0xafe0;
	st->pm.gpe_half = 2;
	for (unsigned int i = 0; i < GPE0_HALF_V0; i++) {
		st->pm.gpe_sts[i] = (uint8_t)(0x10 + i);
		st->pm.gpe_en[i] = (uint8_t)(0x20 + i);
	}
	for (unsigned int i = 0; i < CPU_MAP_LEN; i++)
		st->pm.cpu_map[i] = (uint8_t)(0x40 + i);
	st->pm.pcihp_up = 0x01020304;
	st->pm.pcihp_down = 0x05060708;
	st->pm.pcihp_removable = 0x090a0b0c;
	st->pm.pcihp_sel = 0x0d0e0f10;
	for (unsigned int i = 0; i < TRAD_PHP_SLOTS; i++)
		st->pm.php_status[i] = (uint8_t)(0x80 + i);
	st->pm.php_evt = 3;
	st->pm.php_devfn = 0x20;
	st->platform.pci.irq_levels = 8;
	st->platform.flags = 1;
	st->platform.unplugged = 3;
	st->platform.driver_product_version = 0x1234;
	st->platform.driver_build = 0x56789abc;
	st->platform.drivers_blacklisted = true;
	for (unsigned int u = 0; u < MACHINE_MAX_SERIAL; u++) {
		struct uart_state *s = &st->uart[u];

		s->divider = (uint16_t)(0x0102 + u);
		s->ier = 0x0f;
		s->fcr = 0xc9;
		s->lcr = 0x1b;
		s->mcr = 0x1f;
		s->lsr = 0x61;
		s->msr = 0xbb;
		s->scr = 0x77;
		s->rx_count = 3;
		s->tx_count = 16;
		for (unsigned int i = 0; i < UART_FIFO_SIZE; i++) {
			s->rx[i] = i < 3 ? (uint8_t)(0xa0 + i) : 0;
			s->tx[i] = (uint8_t)(0xb0 + i);
		}
		s->thr_ipending = true;
		s->timeout_ipending = true;
		s->timeout_expire = 0x0a0b0c0d0e0f1011ull;
	}
	st->kbd.status = 0x1d;
	st->kbd.ctr = 0x47;
	st->kbd.outport = 0xcf;
	st->kbd.pending_cmd = 0xd4;
	st->kbd.obdata = 0xfa;
	st->kbd.obsrc = I8042_SRC_AUX;
	ps2_queue_push(&st->kbd.ctrl_queue, 0x55);
	ps2_queue_push(&st->kbd.aux_inject, 0x66);
	st->kbd.kbd.pending_cmd = 0xed;
	st->kbd.kbd.scanning = true;
	st->kbd.kbd.scancode_set = 3;
	st->kbd.kbd.leds = 5;
	st->kbd.kbd.typematic = 0x2b;
	ps2_queue_push(&st->kbd.kbd.queue, 0xaa);
	ps2_queue_push(&st->kbd.kbd.queue, 0xbb);
	st->kbd.mouse.pending_cmd = 0xf3;
	st->kbd.mouse.reporting = true;
	st->kbd.mouse.remote = true;
	st->kbd.mouse.wrap = true;
	st->kbd.mouse.scaling_2to1 = true;
	st->kbd.mouse.resolution = 3;
	st->kbd.mouse.sample_rate = 200;
	st->kbd.mouse.type = 4;
	st->kbd.mouse.knock[0] = 200;
	st->kbd.mouse.knock[1] = 100;
	st->kbd.mouse.knock[2] = 80;
	st->kbd.mouse.buttons = 5;
	ps2_queue_push(&st->kbd.mouse.queue, 0x08);
	for (unsigned int i = 0; i < CMOS_SIZE; i++)
		st->rtc.cmos[i] = (uint8_t)(0x33 + i);
	st->rtc.index = 0x8e;
	st->rtc.offset_s = -123456789;
	st->rtc.periodic_expire = 0x1234567890ull;
	st->rtc.second_expire = 0x2345678901ull;
	st->fw_cfg.cur_entry = 0x21;
	st->fw_cfg.cur_offset = 0x1234;
	st->fw_cfg.dma_addr = 0x0000000100000000ull;
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->ide.pci.config[i] = (uint8_t)(n * 11 + i);
	st->ide.pci.irq_levels = 1;
	st->ide.unplugged = 2;
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		st->ide.ch[c].cur = (uint8_t)c;
		st->ide.ch[c].devctl = (uint8_t)(0x02 + c);
		st->ide.ch[c].bm_cmd = 0x09;
		st->ide.ch[c].bm_status = (uint8_t)(0x65 + c);
		st->ide.ch[c].irq_pending = true;
		st->ide.ch[c].bm_prd = 0x12345678u + c;
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_state *d = &st->ide.drive[i];
		uint8_t *tf = &d->r.feature;

		d->kind = (uint8_t)(i % 3);
		for (unsigned int b = 0; b < 8; b++)
			tf[b] = (uint8_t)(0x10 * i + b + 1);
		d->r.hob_feature = 0x91, d->r.hob_nsector = 0x92, d->r.hob_sector = 0x93;
		d->r.hob_lcyl = 0x94, d->r.hob_hcyl = 0x95;
		d->r.mult_sectors = 8, d->r.xfer_mode = 0x42, d->r.write_cache = true;
		d->r.cmd = 0xc4, d->r.xfer = IDE_XFER_PIO_IN, d->r.source = IDE_SRC_SECTORS;
		d->r.lba48 = true, d->r.lba = 0x0102030405ull + i, d->r.remaining = 77;
		d->r.unit = 512, d->r.chunk = 8, d->r.drq_len = 4096, d->r.data_pos = 100;
		d->r.data_end = 4096, d->r.drq_end = 4096;
		d->r.sense_key = 6, d->r.asc = 0x28, d->r.unit_attention = true, d->r.locked = true;
		d->r.tray_open = true, d->r.media_event = 2, d->r.atapi_dma = true;
		d->buf_len = 4 + i;
		for (unsigned int b = 0; b < d->buf_len; b++)
			d->buf[b] = (uint8_t)(0xc0 + b + i);
	}
}

uint32_t record_fingerprint(const struct record_kind *k, uint32_t *len)
{
	struct machine_state st;
	struct wbuf w;
	uint32_t crc;

	*len = 0;
	if (k->fingerprint)
		return k->fingerprint(len);
	if (!k->encode)
		return 0;
	probe_state(&st, PROFILE_XENFV);
	wbuf_init(&w, RECORD_MAX_PAYLOAD);
	k->encode(&w, &st, 0);
	crc = w.failed ? 0 : crc32c(0, w.data, w.len);
	*len = (uint32_t)w.len;
	wbuf_free(&w);
	return crc;
}
