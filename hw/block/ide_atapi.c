// SPDX-License-Identifier: GPL-2.0-only
/* PIIX3 IDE: ATAPI CD-ROMs, the PACKET command and its MMC commands. */
#include "ide_int.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ ATAPI replies */

void ide_atapi_ok(struct ide_channel *ch, struct ide_drive *d)
{
	ide_end_transfer(d);
	d->r.error = 0;
	d->r.status = IDE_STAT_READY | IDE_STAT_SEEK;
	d->r.nsector = (uint8_t)((d->r.nsector & ~7) | ATAPI_INT_IO | ATAPI_INT_CD);
	ide_raise_irq(ch);
}

void ide_atapi_error(struct ide_channel *ch, struct ide_drive *d, uint8_t key, uint8_t asc)
{
	ide_end_transfer(d);
	d->r.sense_key = key;
	d->r.asc = asc;
	d->r.error = (uint8_t)(key << 4);
	d->r.status = IDE_STAT_READY | IDE_STAT_ERR;
	d->r.nsector = (uint8_t)((d->r.nsector & ~7) | ATAPI_INT_IO | ATAPI_INT_CD);
	ide_raise_irq(ch);
}

/* Start the next PIO DRQ block of an ATAPI data-in phase at data_pos. */
void ide_atapi_drq_block(struct ide_channel *ch, struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t n = r->data_end - r->data_pos;

	if (n > r->drq_len)
		n = r->drq_len;
	r->drq_end = r->data_pos + n;
	r->nsector = (uint8_t)((r->nsector & ~7) | ATAPI_INT_IO);
	r->lcyl = (uint8_t)n;
	r->hcyl = (uint8_t)(n >> 8);
	r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
	ide_raise_irq(ch);
}


/* Data-in phase of a packet command: by DMA if the host asked, else PIO. */
static void atapi_data_in(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->r.atapi_dma) {
		d->r.xfer = IDE_XFER_DMA_IN;
		d->r.status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		ide_bm_run(ch);
		return;
	}
	d->r.xfer = IDE_XFER_PIO_IN;
	if (d->r.source == IDE_SRC_SECTORS && ide_fill_buffer(d)) {
		ide_atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	ide_atapi_drq_block(ch, d);
}

/* A reply built in the buffer, cut to the allocation length. */
static void atapi_reply(struct ide_channel *ch, struct ide_drive *d, uint32_t len, uint32_t alloc)
{
	if (len > alloc)
		len = alloc;
	if (!len) {
		ide_atapi_ok(ch, d);
		return;
	}
	d->r.source = IDE_SRC_BUFFER;
	d->r.remaining = 0;
	d->r.data_pos = 0;
	d->r.data_end = len;
	atapi_data_in(ch, d);
}

/* ------------------------------------------------------------ ATAPI commands */

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16), put_be16(p + 2, v);
}

static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
	if (msf) {
		uint32_t f = lba + 150; /* the 2-second pre-gap */

		p[0] = 0;
		p[1] = (uint8_t)(f / (75 * 60));
		p[2] = (uint8_t)(f / 75 % 60);
		p[3] = (uint8_t)(f % 75);
	} else {
		put_be32(p, lba);
	}
}

/* Bigger than a CD: the medium is a DVD (as QEMU decides). */
static bool is_dvd(const struct ide_drive *d)
{
	return d->nb_units > 359999;
}

static uint32_t read_toc(struct ide_drive *d, const uint8_t *cdb, bool *bad)
{
	bool msf = cdb[1] & 2;
	unsigned int format = cdb[2] & 0xf, start = cdb[6];
	uint8_t *b = d->buf;
	uint32_t len = 4;

	if (!format)
		format = cdb[9] >> 6; /* the old SFF-8020 place */
	memset(b, 0, 32);
	switch (format) {
	case 0:
		if (start > 1 && start != 0xaa) {
			*bad = true;
			return 0;
		}
		b[2] = 1, b[3] = 1; /* first and last track */
		if (start <= 1) {
			b[len + 1] = 0x14; /* ADR 1, data track */
			b[len + 2] = 1;
			put_addr(b + len + 4, 0, msf);
			len += 8;
		}
		b[len + 1] = 0x16;
		b[len + 2] = 0xaa; /* lead-out */
		put_addr(b + len + 4, (uint32_t)d->nb_units, msf);
		len += 8;
		break;
	case 1: /* session information: one session */
		b[2] = 1, b[3] = 1;
		b[5] = 0x14, b[6] = 1;
		put_addr(b + 8, 0, msf);
		len = 12;
		break;
	default:
		*bad = true;
		return 0;
	}
	put_be16(b, len - 2);
	return len;
}

static uint32_t get_configuration(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->buf;
	unsigned int rt = cdb[1] & 3, from = be16(cdb + 2);
	uint32_t len = 8;
	bool medium = ide_medium_ready(d);
	uint16_t profile = !medium ? 0 : is_dvd(d) ? 0x0010 : 0x0008;

	memset(b, 0, 64);
	put_be16(b + 6, profile);
	/* Features 0 (profile list), 1 (core: ATAPI), 3 (removable medium). */
	if (from == 0 || (rt != 2 && from < 1)) {
		b[len + 2] = 0x03, b[len + 3] = 8;
		put_be16(b + len + 4, 0x0010);
		b[len + 6] = profile == 0x0010;
		put_be16(b + len + 8, 0x0008);
		b[len + 10] = profile == 0x0008;
		len += 12;
	}
	if (from == 1 || (rt != 2 && from < 1)) {
		put_be16(b + len, 0x0001);
		b[len + 2] = 0x0b, b[len + 3] = 8;
		put_be32(b + len + 4, 2); /* ATAPI */
		len += 12;
	}
	if (from == 3 || (rt != 2 && from < 3)) {
		put_be16(b + len, 0x0003);
		b[len + 2] = 0x03, b[len + 3] = 4;
		b[len + 4] = 1 << 5 | 1 << 3 | 1; /* tray, eject, lock */
		if (d->r.locked)
			b[len + 4] |= 1 << 2;
		len += 8;
	}
	put_be32(b, len - 4);
	return len;
}

static uint32_t mode_sense(struct ide_drive *d, const uint8_t *cdb, bool *bad, bool *saved)
{
	unsigned int page = cdb[2] & 0x3f, pc = cdb[2] >> 6;
	uint8_t *b = d->buf;
	uint32_t len = 8;

	if (pc == 3) {
		*saved = true;
		return 0;
	}
	memset(b, 0, 64);
	if (page == 0x01 || page == 0x3f) { /* read error recovery */
		b[len] = 0x01, b[len + 1] = 6, b[len + 3] = 5;
		len += 8;
	}
	if (page == 0x2a || page == 0x3f) { /* capabilities and mechanical status */
		uint8_t *p = b + len;

		p[0] = 0x2a, p[1] = 0x14;
		p[2] = 0x3b; /* reads CD-R, CD-RW, method 2, DVD-ROM */
		p[4] = 0x71; /* audio play, composite, digital ports, multisession */
		p[5] = 0x60;
		p[6] = 1 << 5 | 1 << 3 | 1 | (d->r.locked ? 1 << 1 : 0); /* tray, eject, lock */
		put_be16(p + 8, 706);  /* max speed, KB/s (4x) */
		put_be16(p + 10, 2);   /* volume levels */
		put_be16(p + 12, 512); /* buffer KB */
		put_be16(p + 14, 706); /* current speed */
		len += 22;
	}
	if (len == 8) {
		*bad = true;
		return 0;
	}
	put_be16(b, len - 2);
	return len;
}

static void atapi_read(struct ide_channel *ch, struct ide_drive *d, uint32_t lba, uint32_t n)
{
	struct ide_drive_regs *r = &d->r;

	if ((uint64_t)lba + n > d->nb_units) {
		ide_atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (!n) {
		ide_atapi_ok(ch, d);
		return;
	}
	r->source = IDE_SRC_SECTORS;
	r->unit = CD_UNIT;
	r->lba = lba;
	r->remaining = n;
	r->data_pos = r->data_end = r->drq_end = 0;
	if (r->atapi_dma) {
		r->chunk = IDE_BUF_SIZE / CD_UNIT;
	} else {
		uint32_t per_drq = r->drq_len / CD_UNIT;

		r->chunk = per_drq < 1 ? 1 : per_drq > IDE_SAVE_BUF / CD_UNIT ? IDE_SAVE_BUF / CD_UNIT : per_drq;
	}
	atapi_data_in(ch, d);
}

static bool needs_medium(uint8_t op)
{
	switch (op) {
	case 0x00: case 0x25: case 0x28: case 0xa8: case 0x43: case 0x2b: case 0x51:
		return true;
	}
	return false;
}

void ide_atapi_exec(struct ide_channel *ch, struct ide_drive *d)
{
	uint8_t cdb[12];
	uint8_t *b = d->buf;
	uint8_t op;
	bool bad = false, saved = false;
	uint32_t len;

	memcpy(cdb, d->buf, sizeof(cdb));
	op = cdb[0];
	ide_end_transfer(d);
	d->r.atapi_dma = d->r.feature & 1;
	if (op != 0x03) /* sense data describe the last command */
		d->r.sense_key = SENSE_NONE, d->r.asc = 0;
	/* A new medium is reported once, to the first command that may not ignore it. */
	if (d->r.unit_attention && op != 0x12 && op != 0x03 && op != 0x46 && op != 0x4a) {
		d->r.unit_attention = false;
		ide_atapi_error(ch, d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED);
		return;
	}
	if (needs_medium(op) && !ide_medium_ready(d)) {
		ide_atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	switch (op) {
	case 0x00: /* TEST UNIT READY */
	case 0x2b: /* SEEK */
	case 0xbb: /* SET CD SPEED */
		ide_atapi_ok(ch, d);
		return;
	case 0x03: /* REQUEST SENSE */
		memset(b, 0, 18);
		b[0] = 0x70, b[2] = d->r.sense_key, b[7] = 10, b[12] = d->r.asc;
		d->r.sense_key = SENSE_NONE, d->r.asc = 0;
		atapi_reply(ch, d, 18, cdb[4]);
		return;
	case 0x12: /* INQUIRY */
		if (cdb[1] & 1) /* vital product data pages: none */
			break;
		memset(b, 0, 36);
		b[0] = 0x05, b[1] = 0x80, b[3] = 0x21, b[4] = 31;
		/* As the drive's identity says (ide.h): QEMU's hw/ide/atapi.c cmd_inquiry, or hvmdm 0.2's. */
		if (d->identity == IDE_IDENTITY_HVMDM) {
			memcpy(b + 8, "HVMDM   ", 8);
			memcpy(b + 16, "DVD-ROM         ", 16);
			memcpy(b + 32, "0.2 ", 4);
		} else {
			memcpy(b + 8, "QEMU    ", 8);
			memcpy(b + 16, "QEMU DVD-ROM    ", 16);
			memcpy(b + 32, d->identity == IDE_IDENTITY_TRAD ? "0.10" : "2.5+", 4);
		}
		atapi_reply(ch, d, 36, be16(cdb + 3));
		return;
	case 0x1b: { /* START STOP UNIT */
		bool loej = cdb[4] & 2, start = cdb[4] & 1;

		if (loej && !start) {
			if (d->r.locked) {
				ide_atapi_error(ch, d, SENSE_NOT_READY, ASC_REMOVAL_PREVENTED);
				return;
			}
			if (!d->r.tray_open && block_present(&d->blk))
				d->r.media_event = 3;
			d->r.tray_open = true;
		} else if (loej) {
			if (d->r.tray_open && block_present(&d->blk))
				d->r.media_event = 2;
			d->r.tray_open = false;
		}
		ide_atapi_ok(ch, d);
		return;
	}
	case 0x1e: /* PREVENT ALLOW MEDIUM REMOVAL */
		d->r.locked = cdb[4] & 1;
		ide_atapi_ok(ch, d);
		return;
	case 0x25: /* READ CAPACITY */
		put_be32(b, (uint32_t)d->nb_units - 1);
		put_be32(b + 4, CD_UNIT);
		atapi_reply(ch, d, 8, 8);
		return;
	case 0x28: /* READ(10) */
		atapi_read(ch, d, be32(cdb + 2), be16(cdb + 7));
		return;
	case 0xa8: /* READ(12) */
		atapi_read(ch, d, be32(cdb + 2), be32(cdb + 6));
		return;
	case 0x43: /* READ TOC/PMA/ATIP */
		len = read_toc(d, cdb, &bad);
		if (bad)
			break;
		atapi_reply(ch, d, len, be16(cdb + 7));
		return;
	case 0x46: /* GET CONFIGURATION */
		len = get_configuration(d, cdb);
		atapi_reply(ch, d, len, be16(cdb + 7));
		return;
	case 0x4a: /* GET EVENT STATUS NOTIFICATION, polled only */
		if (!(cdb[1] & 1))
			break;
		memset(b, 0, 8);
		b[3] = 0x10; /* supported: media class */
		if (cdb[4] & 0x10) {
			put_be16(b, 6);
			b[2] = 4;
			b[4] = d->r.media_event;
			b[5] = (uint8_t)((ide_medium_ready(d) ? 2 : 0) | (d->r.tray_open ? 1 : 0));
			d->r.media_event = 0;
			len = 8;
		} else {
			put_be16(b, 2);
			b[2] = 0x80; /* no event available */
			len = 4;
		}
		atapi_reply(ch, d, len, be16(cdb + 7));
		return;
	case 0x51: /* READ DISC INFORMATION */
		memset(b, 0, 34);
		put_be16(b, 32);
		b[2] = 0x0e; /* complete disc, complete session */
		b[3] = b[4] = b[5] = b[6] = 1;
		b[7] = 0x20;
		atapi_reply(ch, d, 34, be16(cdb + 7));
		return;
	case 0x5a: /* MODE SENSE(10) */
		len = mode_sense(d, cdb, &bad, &saved);
		if (saved) {
			ide_atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_SAVING_UNSUPPORTED);
			return;
		}
		if (bad)
			break;
		atapi_reply(ch, d, len, be16(cdb + 7));
		return;
	case 0xbd: /* MECHANISM STATUS */
		memset(b, 0, 8);
		atapi_reply(ch, d, 8, be16(cdb + 8));
		return;
	default:
		ide_atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return;
	}
	ide_atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
}
