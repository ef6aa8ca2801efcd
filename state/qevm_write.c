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
 * Each record kind writes its own sections (`.trad.write` in its state/dev/
 * file); this file is the frame and the order.
 *
 * The traditional layouts hold less than hvmdm keeps. What a guest would
 * lose is refused (bytes in a UART's FIFOs beyond the one RBR byte, an i8042
 * controller queue); what only changes a setting the guest can see but
 * rarely relies on (keyboard LEDs and typematic rate, the mouse's knock
 * progress) is written as the traditional model would have it and named in a
 * note. Sections of devices hvmdm does not have (DMA, floppy) are left out:
 * the traditional loader keeps its own for them.
 */
#include "qevm.h"

#include <stdio.h>
#include <string.h>

#include "stream.h"

struct trad_writer {
	struct wbuf *w;
	struct wbuf p; /* the payload being built */
	uint32_t next_id;
};

struct wbuf *trad_payload(struct trad_writer *t)
{
	return &t->p;
}

void trad_section(struct trad_writer *t, const char *id, uint32_t instance, uint32_t version)
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

/* What trad_write_kind needs besides the kind. */
struct trad_walk {
	struct trad_writer *t;
	const struct machine *m;
	const struct machine_state *st;
	struct load_report *rep;
	char *err;
	size_t errlen;
};

static unsigned int trad_place(const struct record_kind *k)
{
	return k->trad.write ? k->trad.order : 0;
}

static int trad_write_kind(const struct record_kind *k, void *opaque)
{
	struct trad_walk *c = opaque;

	return k->trad.write(c->t, c->m, c->st, c->rep, c->err, c->errlen);
}

int qevm_write_trad(const struct machine *m, const struct machine_state *st, struct wbuf *w,
		    struct load_report *rep, char *err, size_t errlen)
{
	struct trad_writer t = { .w = w };
	struct trad_walk walk = { &t, m, st, rep, err, errlen };
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (m->cfg.profile != PROFILE_XENFV_TRAD || !m->has_platform) {
		snprintf(err, errlen, "state of machine %s cannot go to qemu-xen-traditional, whose machine is xenfv-trad (Xen platform device at 00:03.0, fixed ACPI blocks)",
			 profile_name(m->cfg.profile));
		return -1;
	}
	wbuf_init(&t.p, RECORD_MAX_PAYLOAD);
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
	/*
	 * The kinds in the producer's order; each writes what this machine has
	 * of it. Kinds that share a place are alternatives (the display cards:
	 * a machine has one) and each is asked in turn.
	 */
	rc = record_kinds_by_place(trad_place, trad_write_kind, &walk);
	put_u8(w, 0x00); /* EOF */
	if (!rc && (w->failed || t.p.failed)) {
		snprintf(err, errlen, "out of memory writing the traditional file");
		rc = -1;
	}
	wbuf_free(&t.p);
	return rc;
}
