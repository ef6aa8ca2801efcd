// SPDX-License-Identifier: GPL-2.0-only
/* PIIX3 IDE: the ATA commands of a disk (and the ones every drive answers). */
#include "ide_int.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ ATA commands */

static void put_string(uint16_t *w, unsigned int words, const char *s)
{
	size_t len = strlen(s);

	/* ATA strings: space padded, two characters per word, first in the high byte. */
	for (unsigned int i = 0; i < words * 2; i++) {
		uint8_t c = i < len ? (uint8_t)s[i] : ' ';

		if (i & 1)
			w[i / 2] |= c;
		else
			w[i / 2] = (uint16_t)(c << 8);
	}
}

static void identify_common(const struct ide_drive *d, uint16_t *w)
{
	uint8_t mode = d->r.xfer_mode;

	static const char *const firmware[] = { [IDE_IDENTITY_QEMU] = "2.5+", [IDE_IDENTITY_TRAD] = "0.10.2",
						[IDE_IDENTITY_HVMDM] = HVMDM_VERSION };
	bool hvmdm = d->identity == IDE_IDENTITY_HVMDM;

	put_string(w + 10, 10, d->serial);
	put_string(w + 23, 4, firmware[d->identity <= IDE_IDENTITY_LAST ? d->identity : IDE_IDENTITY_QEMU]);
	if (d->kind == IDE_KIND_CD)
		put_string(w + 27, 20, hvmdm ? "HVMDM DVD-ROM" : "QEMU DVD-ROM");
	else
		put_string(w + 27, 20, hvmdm ? "HVMDM HARDDISK" : "QEMU HARDDISK");
	w[49] = 1 << 9 | 1 << 8;   /* LBA, DMA */
	w[53] = 1 << 1 | 1 << 2;   /* words 64-70 and 88 valid */
	w[62] = 0x07;              /* single-word DMA 0-2 (ATAPI) */
	w[63] = 0x07;              /* multiword DMA 0-2 */
	w[64] = 0x03;              /* PIO 3-4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0xf0;              /* ATA-4 to ATA-7 */
	w[88] = 0x3f;              /* UDMA 0-5 */
	/* The mode SET FEATURES chose: 0x20|n multiword n, 0x40|n UDMA n. */
	if ((mode & 0xf8) == 0x20)
		w[63] |= (uint16_t)(1 << (8 + (mode & 7)));
	else if ((mode & 0xf8) == 0x40)
		w[88] |= (uint16_t)(1 << (8 + (mode & 7)));
	w[93] = 1 | 1 << 14 | 1 << 13; /* 80-wire cable detected (as QEMU) */
}

static void identify_disk(struct ide_drive *d)
{
	uint16_t w[256] = { 0 };
	uint64_t n = d->nb_units, lba28 = n < 0x0fffffff ? n : 0x0fffffff;
	uint32_t chs = (uint32_t)d->cyls * d->heads * d->secs;

	w[0] = 0x0040; /* fixed device */
	w[1] = d->cyls, w[3] = d->heads, w[6] = d->secs;
	identify_common(d, w);
	w[47] = 0x8000 | IDE_MAX_MULT;
	w[51] = 0x200;
	w[53] |= 1; /* words 54-58 valid */
	w[54] = d->cyls, w[55] = d->heads, w[56] = d->secs;
	w[57] = (uint16_t)chs, w[58] = (uint16_t)(chs >> 16);
	if (d->r.mult_sectors)
		w[59] = 0x100 | d->r.mult_sectors;
	w[60] = (uint16_t)lba28, w[61] = (uint16_t)(lba28 >> 16);
	w[81] = 0x16;
	w[82] = 1 << 14 | 1 << 5;           /* NOP... write cache supported */
	w[83] = 1 << 14 | 1 << 13 | 1 << 12 | 1 << 10; /* FLUSH EXT, FLUSH, LBA48 */
	w[84] = 1 << 14;
	w[85] = (uint16_t)(1 << 14 | (d->r.write_cache ? 1 << 5 : 0));
	w[86] = 1 << 13 | 1 << 12 | 1 << 10;
	w[87] = 1 << 14;
	for (unsigned int i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(n >> (16 * i));
	for (unsigned int i = 0; i < 256; i++)
		le_write(d->buf + 2 * i, 2, w[i]);
}

static void identify_cd(struct ide_drive *d)
{
	uint16_t w[256] = { 0 };

	/* ATAPI, CD-ROM type 5, removable, DRQ within 50 us, 12-byte packets. */
	w[0] = 2 << 14 | 5 << 8 | 1 << 7 | 2 << 5;
	identify_common(d, w);
	w[71] = 30, w[72] = 30;
	w[80] = 0x1e; /* ATA-1 to ATA-4 */
	for (unsigned int i = 0; i < 256; i++)
		le_write(d->buf + 2 * i, 2, w[i]);
}

static void pio_in_start_buffer(struct ide_channel *ch, struct ide_drive *d, uint32_t len)
{
	d->r.xfer = IDE_XFER_PIO_IN;
	d->r.source = IDE_SRC_BUFFER;
	d->r.remaining = 0;
	d->r.data_pos = 0;
	d->r.data_end = d->r.drq_end = len;
	d->r.drq_len = len;
	d->r.status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
	ide_raise_irq(ch);
}

enum rw_kind { RW_PIO, RW_MULTIPLE, RW_DMA, RW_VERIFY };

static void ata_rw(struct ide_channel *ch, struct ide_drive *d, bool write, enum rw_kind kind)
{
	struct ide_drive_regs *r = &d->r;
	uint64_t lba = ide_start_sector(d);
	uint32_t n = ide_sector_count(d);

	if (kind == RW_MULTIPLE && !r->mult_sectors) {
		ide_abort_command(ch, d);
		return;
	}
	if (lba == UINT64_MAX || lba > d->nb_units || n > d->nb_units - lba) {
		ide_command_error(ch, d, IDE_ERR_IDNF | IDE_ERR_ABRT);
		return;
	}
	if (write && d->blk.read_only) {
		ide_abort_command(ch, d);
		return;
	}
	r->source = IDE_SRC_SECTORS;
	r->unit = 512;
	r->lba = lba;
	r->remaining = n;
	if (kind == RW_VERIFY) {
		r->lba += n;
		ide_set_sector(d, r->lba);
		r->nsector = 0;
		ide_command_ok(ch, d);
		return;
	}
	if (kind == RW_DMA) {
		r->chunk = IDE_BUF_SIZE / 512;
		r->xfer = write ? IDE_XFER_DMA_OUT : IDE_XFER_DMA_IN;
		r->data_pos = r->data_end = r->drq_end = 0;
		r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		ide_bm_run(ch);
		return;
	}
	r->chunk = kind == RW_MULTIPLE ? r->mult_sectors : 1;
	if (write) {
		/* The first block of a PIO write is asked for without an interrupt. */
		r->xfer = IDE_XFER_PIO_OUT;
		ide_next_write_block(d);
		r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		return;
	}
	r->xfer = IDE_XFER_PIO_IN;
	if (ide_fill_buffer(d)) {
		ide_command_error(ch, d, IDE_ERR_UNC | IDE_ERR_ABRT);
		return;
	}
	r->drq_len = r->data_end;
	r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
	ide_raise_irq(ch);
}

static void set_features(struct ide_channel *ch, struct ide_drive *d)
{
	switch (d->r.feature) {
	case 0x02: /* enable write cache */
	case 0x82: /* disable write cache */
		if (d->kind != IDE_KIND_DISK)
			break;
		d->r.write_cache = d->r.feature == 0x02;
		if (!d->r.write_cache)
			block_flush(&d->blk);
		ide_command_ok(ch, d);
		return;
	case 0x03: { /* transfer mode in the sector count */
		uint8_t mode = d->r.nsector, kind = mode & 0xf8, n = mode & 7;

		if ((kind == 0x00 || kind == 0x08) && n <= 4) /* PIO default / PIO n */
			d->r.xfer_mode = 0;
		else if ((kind == 0x20 && n <= 2) || (kind == 0x40 && n <= 5))
			d->r.xfer_mode = mode;
		else
			break;
		ide_command_ok(ch, d);
		return;
	}
	case 0x05: case 0x85: case 0x55: case 0xaa: case 0x66: case 0xcc:
	case 0x31: case 0x95: case 0x42: case 0xc2:
		/* Power management, look-ahead, reverting to defaults, AAM: accepted, no effect. */
		ide_command_ok(ch, d);
		return;
	}
	ide_abort_command(ch, d);
}

static void execute_diagnostic(struct ide_channel *ch)
{
	for (unsigned int i = 0; i < 2; i++) {
		struct ide_drive *d = &ch->drive[i];

		if (d->kind == IDE_KIND_NONE)
			continue;
		ide_end_transfer(d);
		ide_set_signature(d);
		d->r.error = 0x01;
		d->r.status = d->kind == IDE_KIND_CD ? 0 : IDE_STAT_READY | IDE_STAT_SEEK;
	}
	ide_raise_irq(ch);
}

static void atapi_start_packet(struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t limit = (uint32_t)r->hcyl << 8 | r->lcyl;

	/* Byte count limit: even, 0 and 0xffff taken as 0xfffe. */
	if (limit == 0 || limit == 0xffff)
		limit = 0xfffe;
	limit &= ~1u;
	if (!limit)
		limit = 2;
	r->drq_len = limit;
	r->atapi_dma = r->feature & 1;
	r->xfer = IDE_XFER_PACKET;
	r->source = IDE_SRC_BUFFER;
	r->data_pos = 0;
	r->data_end = r->drq_end = 12;
	r->nsector = (uint8_t)((r->nsector & ~7) | ATAPI_INT_CD);
	r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
}

void ide_exec(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
	bool cd = d->kind == IDE_KIND_CD;

	/* Only DEVICE RESET may interrupt a command (ATA-6 9.8). */
	if ((d->r.status & (IDE_STAT_BUSY | IDE_STAT_DRQ)) && !(cd && cmd == CMD_DEVICE_RESET)) {
		ide_log(ch, "command while BSY or DRQ ignored");
		return;
	}
	d->r.cmd = cmd;
	d->r.lba48 = false;
	ide_lower_irq(ch);
	switch (cmd) {
	case CMD_IDENTIFY:
		if (cd) {
			/* An ATAPI device answers with its signature (ATA-6 8.15). */
			ide_set_signature(d);
			ide_abort_command(ch, d);
			return;
		}
		identify_disk(d);
		pio_in_start_buffer(ch, d, 512);
		return;
	case CMD_IDENTIFY_PACKET:
		if (!cd)
			break;
		identify_cd(d);
		pio_in_start_buffer(ch, d, 512);
		return;
	case CMD_DEVICE_RESET:
		if (!cd)
			break;
		ide_drive_reset(d, false);
		return;
	case CMD_PACKET:
		if (!cd)
			break;
		atapi_start_packet(d);
		return;
	case CMD_DIAGNOSE:
		execute_diagnostic(ch);
		return;
	case CMD_SET_FEATURES:
		set_features(ch, d);
		return;
	case CMD_CHECK_POWER:
		d->r.nsector = 0xff; /* active or idle */
		ide_command_ok(ch, d);
		return;
	case CMD_STANDBY_NOW: case CMD_IDLE_NOW: case CMD_STANDBY: case CMD_IDLE: case CMD_SLEEP:
		ide_command_ok(ch, d);
		return;
	}
	if (cd) {
		/* ATA commands to a packet device: aborted with the signature (Linux probes this way). */
		ide_set_signature(d);
		ide_abort_command(ch, d);
		return;
	}
	switch (cmd) {
	case CMD_READ_EXT: case CMD_READ_MULTIPLE_EXT: case CMD_READ_DMA_EXT:
	case CMD_WRITE_EXT: case CMD_WRITE_MULTIPLE_EXT: case CMD_WRITE_DMA_EXT:
	case CMD_VERIFY_EXT: case CMD_READ_NATIVE_MAX_EXT: case CMD_FLUSH_EXT:
		d->r.lba48 = true;
		break;
	}
	switch (cmd) {
	case CMD_READ: case CMD_READ_ONCE: case CMD_READ_EXT:
		ata_rw(ch, d, false, RW_PIO);
		return;
	case CMD_WRITE: case CMD_WRITE_ONCE: case CMD_WRITE_EXT:
		ata_rw(ch, d, true, RW_PIO);
		return;
	case CMD_READ_MULTIPLE: case CMD_READ_MULTIPLE_EXT:
		ata_rw(ch, d, false, RW_MULTIPLE);
		return;
	case CMD_WRITE_MULTIPLE: case CMD_WRITE_MULTIPLE_EXT:
		ata_rw(ch, d, true, RW_MULTIPLE);
		return;
	case CMD_READ_DMA: case CMD_READ_DMA_ONCE: case CMD_READ_DMA_EXT:
		ata_rw(ch, d, false, RW_DMA);
		return;
	case CMD_WRITE_DMA: case CMD_WRITE_DMA_ONCE: case CMD_WRITE_DMA_EXT:
		ata_rw(ch, d, true, RW_DMA);
		return;
	case CMD_VERIFY: case CMD_VERIFY_ONCE: case CMD_VERIFY_EXT:
		ata_rw(ch, d, false, RW_VERIFY);
		return;
	case CMD_FLUSH: case CMD_FLUSH_EXT:
		if (block_flush(&d->blk))
			ide_command_error(ch, d, IDE_ERR_ABRT);
		else
			ide_command_ok(ch, d);
		return;
	case CMD_SET_MULTIPLE: {
		uint8_t n = d->r.nsector;

		if (n > IDE_MAX_MULT || (n & (n - 1))) {
			ide_abort_command(ch, d);
			return;
		}
		d->r.mult_sectors = n;
		ide_command_ok(ch, d);
		return;
	}
	case CMD_READ_NATIVE_MAX: case CMD_READ_NATIVE_MAX_EXT: {
		uint64_t max = d->nb_units ? d->nb_units - 1 : 0;

		if (!d->r.lba48 && max > 0x0fffffff)
			max = 0x0fffffff;
		d->r.select |= 0x40;
		ide_set_sector(d, max);
		ide_command_ok(ch, d);
		return;
	}
	case CMD_SPECIFY: case CMD_SEEK:
		ide_command_ok(ch, d);
		return;
	case CMD_IDENTIFY_PACKET: case CMD_PACKET: case CMD_DEVICE_RESET:
		/* Packet-device commands: a disk aborts them (how firmware tells the kinds apart). */
		ide_abort_command(ch, d);
		return;
	}
	if ((cmd & 0xf0) == CMD_RECALIBRATE) {
		d->r.lcyl = d->r.hcyl = 0;
		ide_command_ok(ch, d);
		return;
	}
	log_guest("ide", "%s channel: ATA command %#04x not supported: aborted",
		  ch == &ch->ide->ch[0] ? "primary" : "secondary", cmd);
	ide_abort_command(ch, d);
}
