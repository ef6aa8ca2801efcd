// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing device state back as a qemu-xen-traditional save file, so a guest
 * restored on hvmdm can still go back to a host running the traditional
 * device model. The sections and their order are the ones a traditional HVM
 * guest's file has (reference/01 §1.3; olafhering/qemu-xen-traditional
 * stable-4.17 vl.c qemu_savevm_state and the per-device save functions in
 * hw/piix_pci.c, hw/piix4acpi.c, hw/xen_platform.c, hw/serial.c, hw/pckbd.c,
 * hw/ps2.c, hw/ide.c), each in the layout its state/dev/ file decodes.
 *
 * The traditional layouts hold less than hvmdm keeps. What a guest would
 * lose is refused (bytes in a UART's FIFOs beyond the one RBR byte, an i8042
 * controller queue); what only changes a setting the guest can see but
 * rarely relies on (keyboard LEDs and typematic rate, the mouse's knock
 * progress) is written as the traditional model would have it and named in a
 * note. Sections of state Xen holds (RTC) or devices hvmdm does not have
 * (DMA, floppy) are left out: the traditional loader keeps its own for them.
 */
#include "qevm.h"

#include <stdio.h>
#include <string.h>

#include "stream.h"

struct tw {
	struct wbuf *w;
	struct wbuf p; /* the payload being built */
	uint32_t next_id;
};

static void section(struct tw *t, const char *id, uint32_t instance, uint32_t version)
{
	uint8_t n = (uint8_t)strlen(id);

	put_u8(t->w, 0x04); /* FULL */
	put_be32(t->w, t->next_id++);
	put_u8(t->w, n);
	put_bytes(t->w, id, n);
	put_be32(t->w, instance);
	put_be32(t->w, version);
	put_bytes(t->w, t->p.data, t->p.len);
	t->p.len = 0;
}

/* hw/pci.c pci_device_save: be32 2, config[256], be32 INTx levels[4]. */
static void put_trad_pci(struct wbuf *w, const struct pci_state *p)
{
	put_be32(w, 2);
	put_bytes(w, p->config, PCI_CONFIG_SIZE);
	for (unsigned int i = 0; i < 4; i++)
		put_be32(w, (p->irq_levels >> i) & 1);
}

/* hw/ps2.c ps2_common_save: be32 write_cmd (-1 none), rptr, wptr, count, data[256]. */
static int put_trad_ps2(struct wbuf *w, uint8_t pending_cmd, const struct ps2_queue *q,
			const uint8_t *first, char *err, size_t errlen, const char *who)
{
	uint8_t ring[PS2_QUEUE_SIZE] = { 0 };
	unsigned int n = 0;

	if (q->count + (first ? 1u : 0u) > PS2_QUEUE_SIZE) {
		snprintf(err, errlen, "%s: the output byte and a full queue do not fit the traditional 256-byte queue", who);
		return -1;
	}
	if (first)
		ring[n++] = *first;
	for (unsigned int i = 0; i < q->count; i++)
		ring[n++] = q->data[(q->head + i) % PS2_QUEUE_SIZE];
	put_be32(w, pending_cmd ? pending_cmd : UINT32_MAX);
	put_be32(w, 0);
	put_be32(w, n % PS2_QUEUE_SIZE);
	put_be32(w, n);
	put_bytes(w, ring, sizeof(ring));
	return 0;
}

/*
 * hw/ide.c pci_ide_save/ide_save: PCI common part; per bus master u8 cmd,
 * u8 status, be32 PRD address, be64 sector, be32 count, u8 drive index; per
 * channel u8 device control, u8 drive 1 selected; per drive be32
 * mult_sectors, be32 identify_set (0: the traditional model builds IDENTIFY
 * from its own image, as on a fresh boot), the task file, status, lba48 and
 * the ATAPI sense. A transfer in flight has no place there (the traditional
 * model discards its own at save time): refused, so nothing is lost.
 */
static int put_trad_ide(struct wbuf *w, const struct ide_state *s, struct load_report *rep,
			char *err, size_t errlen)
{
	put_trad_pci(w, &s->pci);
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		put_u8(w, s->ch[ch].bm_cmd);
		put_u8(w, s->ch[ch].bm_status);
		put_be32(w, s->ch[ch].bm_prd);
		put_be64(w, 0);
		put_be32(w, 0);
		put_u8(w, (uint8_t)(ch * 2)); /* the channel's own drives; only a DMA in flight reads it */
	}
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		put_u8(w, s->ch[ch].devctl);
		put_u8(w, s->ch[ch].cur ? 1 : 0);
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		const struct ide_drive_state *d = &s->drive[i];
		const struct ide_drive_regs *g = &d->r;

		if (g->xfer != IDE_XFER_NONE || d->buf_len || (g->status & (IDE_STAT_BUSY | IDE_STAT_DRQ))) {
			snprintf(err, errlen, "ide drive %u: command %#x is moving data (the traditional layout has no transfer state)",
				 i, g->cmd);
			return -1;
		}
		if (g->xfer_mode || g->locked || g->tray_open || g->media_event || g->unit_attention)
			load_note(rep, "ide drive %u: transfer mode %#x, tray %s%s%s are not in the traditional layout",
				  i, g->xfer_mode, g->tray_open ? "open" : "closed", g->locked ? ", locked" : "",
				  g->media_event || g->unit_attention ? ", a media change to report" : "");
		put_be32(w, g->mult_sectors);
		put_be32(w, 0); /* identify_set */
		put_u8(w, g->write_cache);
		put_u8(w, g->feature);
		put_u8(w, g->error);
		put_be32(w, g->nsector);
		put_u8(w, g->sector);
		put_u8(w, g->lcyl);
		put_u8(w, g->hcyl);
		put_u8(w, g->hob_feature);
		put_u8(w, g->hob_nsector);
		put_u8(w, g->hob_sector);
		put_u8(w, g->hob_lcyl);
		put_u8(w, g->hob_hcyl);
		put_u8(w, g->select);
		put_u8(w, g->status);
		put_u8(w, g->lba48);
		put_u8(w, g->sense_key);
		put_u8(w, g->asc);
	}
	if (s->unplugged)
		load_note(rep, "ide: drives %#x unplugged by the guest's PV drivers; the traditional model keeps that outside the save file",
			  s->unplugged);
	return 0;
}

int qevm_write_trad(const struct machine *m, const struct machine_state *st, struct wbuf *w,
		    struct load_report *rep, char *err, size_t errlen)
{
	const struct piix4_pm_state *pm = &st->pm;
	const struct i8042_state *k = &st->kbd;
	struct tw t = { .w = w };
	uint8_t pending = 0, sci = 0;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if (m->cfg.profile != PROFILE_XENFV_TRAD || !m->has_platform) {
		snprintf(err, errlen, "state of machine %s cannot go to qemu-xen-traditional, whose machine is xenfv-trad (Xen platform device at 00:03.0, fixed ACPI blocks)",
			 profile_name(m->cfg.profile));
		return -1;
	}
	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		if (st->uart[i].rx_count > 1 || st->uart[i].tx_count) {
			snprintf(err, errlen, "serial %#x: %u received and %u unsent bytes; the traditional layout holds one received byte and no transmit queue",
				 m->uart[i].base, st->uart[i].rx_count, st->uart[i].tx_count);
			return -1;
		}
	}
	if (!ps2_queue_empty(&k->ctrl_queue) || !ps2_queue_empty(&k->aux_inject) ||
	    k->obsrc == I8042_SRC_CTRL) {
		snprintf(err, errlen, "i8042: controller output is pending, which the traditional model has no place for");
		return -1;
	}
	if (k->obsrc == I8042_SRC_AUX && !ps2_queue_empty(&k->kbd.queue)) {
		snprintf(err, errlen, "i8042: a mouse byte is in the output buffer while keyboard bytes wait; the traditional model always hands out the keyboard's first");
		return -1;
	}
	wbuf_init(&t.p, 8192);

	put_bytes(w, QEVM_MAGIC, 4);
	put_be32(w, 3);
	/* The live "ram" section, empty on the device-model build: START, PART, END. */
	put_u8(w, 0x01);
	put_be32(w, t.next_id);
	put_u8(w, 3);
	put_bytes(w, "ram", 3);
	put_be32(w, 0);
	put_be32(w, 3);
	put_u8(w, 0x02);
	put_be32(w, t.next_id);
	put_u8(w, 0x03);
	put_be32(w, t.next_id++);

	put_be64(&t.p, st->clock_ns);
	section(&t, "timer", 0, 2);
	put_trad_pci(&t.p, &st->i440fx);
	section(&t, "I440FX", 0, 2);
	put_trad_pci(&t.p, &st->piix3.pci);
	section(&t, "PIIX3", 0, 2);
	if (st->piix3.rcr)
		load_note(rep, "PIIX3 reset control register %#x: the traditional model has none", st->piix3.rcr);

	/*
	 * hw/mc146818rtc.c rtc_save on the DM build: cmos[128], u8 index, the
	 * 7 s32 tm fields (the clock is Xen's: zeros), then five be64 -- the
	 * three absent timers' expiries all-ones, the two raw times 0.
	 */
	if (m->has_rtc) {
		put_bytes(&t.p, st->rtc.cmos, sizeof(st->rtc.cmos));
		put_u8(&t.p, st->rtc.index);
		for (unsigned int i = 0; i < 7; i++)
			put_be32(&t.p, 0);
		put_be64(&t.p, UINT64_MAX);
		put_be64(&t.p, 0);
		put_be64(&t.p, 0);
		put_be64(&t.p, UINT64_MAX);
		put_be64(&t.p, UINT64_MAX);
		section(&t, "mc146818rtc", 0x70, 1);
	}

	put_trad_pci(&t.p, &st->platform.pci);
	put_be64(&t.p, 0);
	section(&t, "platform", 0, 3);
	put_u8(&t.p, st->platform.flags);
	section(&t, "platform_fixed_ioport", 0, 1);
	/* hw/xen_platform.c xen_pci_save writes a zero be64: the PV-driver handshake is not kept. */
	if (st->platform.unplugged || st->platform.driver_build || st->platform.driver_product_version ||
	    st->platform.drivers_blacklisted)
		load_note(rep, "platform: the PV drivers' unplug (%#x) and version report (product %u, build %u%s) are not in the traditional layout",
			  st->platform.unplugged, st->platform.driver_product_version,
			  st->platform.driver_build, st->platform.drivers_blacklisted ? ", refused" : "");

	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		const struct uart_state *u = &st->uart[i];

		put_be16(&t.p, u->divider);
		put_u8(&t.p, u->rx_count ? u->rx[0] : 0);
		put_u8(&t.p, u->ier);
		put_u8(&t.p, uart_state_iir(u));
		put_u8(&t.p, u->lcr);
		put_u8(&t.p, u->mcr);
		put_u8(&t.p, u->lsr);
		put_u8(&t.p, u->msr);
		put_u8(&t.p, u->scr);
		put_u8(&t.p, u->fcr);
		section(&t, "serial", m->uart[i].base, 2);
		/* The traditional model keeps only IIR: a THR interrupt another one hides is lost. */
		if (u->thr_ipending && (uart_state_iir(u) & 0x0f) != UART_IIR_THRI)
			load_note(rep, "serial %#x: a transmitter-empty interrupt behind IIR %#x is not in the traditional layout",
				  m->uart[i].base, uart_state_iir(u));
		if (u->timeout_expire || u->timeout_ipending)
			load_note(rep, "serial %#x: the receive FIFO's character timeout is not in the traditional layout",
				  m->uart[i].base);
	}

	/* Every traditional machine has the PIIX3 IDE function (hw/pc.c pc_init1). */
	if (m->has_ide) {
		if (put_trad_ide(&t.p, &st->ide, rep, err, errlen))
			goto out;
		section(&t, "ide", 0, 3);
	}

	/*
	 * hw/pckbd.c kbd_save: write_cmd, status, mode, pending (1 keyboard, 2
	 * mouse has data). The output byte is the head of its device's queue there.
	 */
	if (!ps2_queue_empty(&k->kbd.queue) || k->obsrc == I8042_SRC_KBD)
		pending |= 1;
	if (!ps2_queue_empty(&k->mouse.queue) || k->obsrc == I8042_SRC_AUX)
		pending |= 2;
	put_u8(&t.p, k->pending_cmd);
	put_u8(&t.p, k->status);
	put_u8(&t.p, k->ctr);
	put_u8(&t.p, pending);
	section(&t, "pckbd", 0, 3);
	/* The output port's buffer-full bits follow the status; reset and A20 are the guest's. */
	if ((k->outport & (I8042_OUT_RESET | I8042_OUT_A20)) != (I8042_OUT_RESET | I8042_OUT_A20))
		load_note(rep, "i8042 output port %#x (reset or A20 low) is not in the traditional layout",
			  k->outport);
	if (put_trad_ps2(&t.p, k->kbd.pending_cmd, &k->kbd.queue,
			 k->obsrc == I8042_SRC_KBD ? &k->obdata : NULL, err, errlen, "ps2kbd"))
		goto out;
	put_be32(&t.p, k->kbd.scanning);
	put_be32(&t.p, (k->ctr & I8042_CTR_XLATE) ? 1 : 0);
	put_be32(&t.p, k->kbd.scancode_set);
	section(&t, "ps2kbd", 0, 3);
	if (k->kbd.leds || k->kbd.typematic != 0x2b)
		load_note(rep, "keyboard LEDs %#x and typematic rate %#x are not in the traditional layout",
			  k->kbd.leds, k->kbd.typematic);
	if (put_trad_ps2(&t.p, k->mouse.pending_cmd, &k->mouse.queue,
			 k->obsrc == I8042_SRC_AUX ? &k->obdata : NULL, err, errlen, "ps2mouse"))
		goto out;
	put_u8(&t.p, (uint8_t)((k->mouse.remote ? 0x40 : 0) | (k->mouse.reporting ? 0x20 : 0) |
			       (k->mouse.scaling_2to1 ? 0x10 : 0)));
	put_u8(&t.p, k->mouse.resolution);
	put_u8(&t.p, k->mouse.sample_rate);
	put_u8(&t.p, k->mouse.wrap);
	put_u8(&t.p, k->mouse.type);
	put_u8(&t.p, 0);     /* detect state: a fresh knock */
	put_be32(&t.p, 0);   /* dx, dy, dz: no motion pending */
	put_be32(&t.p, 0);
	put_be32(&t.p, 0);
	put_u8(&t.p, k->mouse.buttons);
	section(&t, "ps2mouse", 0, 2);
	if (k->mouse.knock[0] | k->mouse.knock[1] | k->mouse.knock[2])
		load_note(rep, "the mouse's IntelliMouse knock in progress is not in the traditional layout");

	/* hw/piix4acpi.c: gpe v2, pci_devfn v1, then piix4acpi v2 last, as qemu-trad writes them. */
	for (unsigned int i = 0; i < 4; i++) {
		put_u8(&t.p, pm->gpe_sts[i]);
		put_u8(&t.p, pm->gpe_en[i]);
		sci |= pm->gpe_sts[i] & pm->gpe_en[i];
	}
	put_u8(&t.p, sci ? 1 : 0);
	put_be32(&t.p, pm->gpe_base);
	put_be32(&t.p, pm->gpe_half);
	section(&t, "gpe", 0, 2);
	put_bytes(&t.p, pm->php_status, sizeof(pm->php_status));
	put_u8(&t.p, pm->php_evt);
	put_u8(&t.p, pm->php_devfn);
	section(&t, "pci_devfn", 0, 1);
	put_trad_pci(&t.p, &pm->pci);
	put_be16(&t.p, pm->pm1_cnt);
	put_be32(&t.p, pm->pm_base);
	section(&t, "piix4acpi", 0, 2);
	put_u8(w, 0x00); /* EOF */
	if (w->failed || t.p.failed) {
		snprintf(err, errlen, "out of memory writing the traditional file");
		goto out;
	}
	rc = 0;
out:
	wbuf_free(&t.p);
	return rc;
}
