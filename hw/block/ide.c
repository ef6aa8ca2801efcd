// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIIX3 IDE: ATA disks and ATAPI CD-ROMs behind the legacy channels, with
 * bus-master DMA. Register semantics follow the ATA/ATAPI-6 and MMC specs
 * and the PIIX3 datasheet (bus master at BAR4: command +0, status +2, PRD
 * table pointer +4, per channel every 8 bytes), and where those leave a
 * choice, what QEMU's hw/ide/core.c, atapi.c and pci.c do, since SeaBIOS,
 * hvmloader and Linux are tested against it:
 *   - task-file writes go to both drives of a channel; the one whose DEV bit
 *     matches executes the command; registers of an absent drive read 0;
 *   - an interrupt is pending per channel, cleared by reading Status (not
 *     Alternate Status), masked by nIEN; the bus-master INT bit latches when
 *     the line rises;
 *   - a PRD table ends at its EOT entry or after 512 entries (QEMU stops at
 *     4 KiB of table); a table too short for the command clears ACTIVE
 *     without an interrupt, one too long leaves ACTIVE set after it;
 *   - a PRD byte count of 0 means 64 KiB, bit 0 of address and count is 0.
 * The legacy ports always decode, as in QEMU (the IDETIM decode-enable bits
 * hvmloader sets at 0x40/0x42 are kept but not acted on).
 */
#include "ide_int.h"

#include <stdio.h>
#include <string.h>

static const uint16_t cmd_base[IDE_CHANNELS] = { 0x1f0, 0x170 };
static const uint16_t ctl_base[IDE_CHANNELS] = { 0x3f6, 0x376 };
static const unsigned int channel_irq[IDE_CHANNELS] = { 14, 15 };

/* ------------------------------------------------------------ interrupts */

/*
 * INTRQ is driven while an interrupt is pending and nIEN is clear; the bus
 * master's INT bit latches each time the line rises (PIIX3 BMISX bit 2), so
 * with nIEN set a command completes without it, as on hardware and in QEMU.
 */
static void update_irq(struct ide_channel *ch)
{
	bool level = ch->irq_pending && !(ch->devctl & IDE_CTL_NIEN);

	if (level != ch->irq_line) {
		ch->irq_line = level;
		if (level)
			ch->bm_status |= BM_STATUS_INT;
		accel_set_isa_irq_level(ch->ide->accel, ch->isa_irq, level);
	}
}

void ide_raise_irq(struct ide_channel *ch)
{
	ch->irq_pending = true;
	update_irq(ch);
}

void ide_lower_irq(struct ide_channel *ch)
{
	ch->irq_pending = false;
	update_irq(ch);
}

/* ------------------------------------------------------------ task file */

bool ide_medium_ready(const struct ide_drive *d)
{
	return block_present(&d->blk) && !d->r.tray_open;
}

void ide_set_signature(struct ide_drive *d)
{
	d->r.select &= 0xf0; /* head 0 */
	d->r.nsector = 1;
	d->r.sector = 1;
	if (d->kind == IDE_KIND_CD) {
		d->r.lcyl = 0x14;
		d->r.hcyl = 0xeb;
	} else {
		d->r.lcyl = 0;
		d->r.hcyl = 0;
	}
}

void ide_end_transfer(struct ide_drive *d)
{
	d->r.xfer = IDE_XFER_NONE;
	d->r.source = IDE_SRC_BUFFER;
	d->r.data_pos = d->r.data_end = d->r.drq_end = 0;
	d->r.remaining = 0;
	d->r.atapi_dma = false;
}

/* Power-on, hardware or software reset of one drive. */
void ide_drive_reset(struct ide_drive *d, bool power_on)
{
	struct ide_drive_regs *r = &d->r;
	bool tray_open = r->tray_open, locked = r->locked;
	uint8_t event = r->media_event;
	bool ua = r->unit_attention;

	memset(r, 0, sizeof(*r));
	r->mult_sectors = IDE_MAX_MULT;
	r->write_cache = true;
	r->select = 0xa0;
	r->error = 0x01; /* diagnostics passed */
	r->unit = 512;
	if (!power_on) {
		r->tray_open = tray_open;
		r->locked = locked;
		r->media_event = event;
		r->unit_attention = ua;
	}
	ide_set_signature(d);
	/* ATAPI devices come out of reset with status 0 (ATA-6 9.12), disks ready. */
	r->status = d->kind == IDE_KIND_CD ? 0 : IDE_STAT_READY | IDE_STAT_SEEK;
}

void ide_abort_command(struct ide_channel *ch, struct ide_drive *d)
{
	ide_end_transfer(d);
	d->r.status = IDE_STAT_READY | IDE_STAT_ERR;
	d->r.error = IDE_ERR_ABRT;
	ide_raise_irq(ch);
}

void ide_command_error(struct ide_channel *ch, struct ide_drive *d, uint8_t error)
{
	ide_end_transfer(d);
	d->r.status = IDE_STAT_READY | IDE_STAT_ERR;
	d->r.error = error;
	ide_raise_irq(ch);
}

void ide_command_ok(struct ide_channel *ch, struct ide_drive *d)
{
	ide_end_transfer(d);
	d->r.status = IDE_STAT_READY | IDE_STAT_SEEK;
	d->r.error = 0;
	ide_raise_irq(ch);
}

/* The sector count of a read/write command: 0 means 256 (65536 with LBA48). */
uint32_t ide_sector_count(const struct ide_drive *d)
{
	if (d->r.lba48) {
		uint32_t n = (uint32_t)d->r.hob_nsector << 8 | d->r.nsector;

		return n ? n : 65536;
	}
	return d->r.nsector ? d->r.nsector : 256;
}

/* The starting sector, or UINT64_MAX for a CHS address outside the geometry. */
uint64_t ide_start_sector(const struct ide_drive *d)
{
	const struct ide_drive_regs *r = &d->r;

	if (!(r->select & 0x40)) {
		unsigned int cyl = (unsigned int)r->hcyl << 8 | r->lcyl, head = r->select & 0xf;

		if (r->sector == 0 || r->sector > d->secs || head >= d->heads || cyl >= d->cyls)
			return UINT64_MAX;
		return ((uint64_t)cyl * d->heads + head) * d->secs + r->sector - 1;
	}
	if (r->lba48)
		return (uint64_t)r->hob_hcyl << 40 | (uint64_t)r->hob_lcyl << 32 |
		       (uint64_t)r->hob_sector << 24 | (uint64_t)r->hcyl << 16 |
		       (uint64_t)r->lcyl << 8 | r->sector;
	return (uint64_t)(r->select & 0xf) << 24 | (uint64_t)r->hcyl << 16 |
	       (uint64_t)r->lcyl << 8 | r->sector;
}

/* Report `lba` in the task file the way the command addressed it. */
void ide_set_sector(struct ide_drive *d, uint64_t lba)
{
	struct ide_drive_regs *r = &d->r;

	if (!(r->select & 0x40)) {
		uint64_t per_cyl = (uint64_t)d->heads * d->secs;
		uint64_t cyl = lba / per_cyl, rest = lba % per_cyl;

		r->hcyl = (uint8_t)(cyl >> 8);
		r->lcyl = (uint8_t)cyl;
		r->select = (uint8_t)((r->select & 0xf0) | (rest / d->secs));
		r->sector = (uint8_t)(rest % d->secs + 1);
	} else if (r->lba48) {
		r->sector = (uint8_t)lba, r->lcyl = (uint8_t)(lba >> 8), r->hcyl = (uint8_t)(lba >> 16);
		r->hob_sector = (uint8_t)(lba >> 24), r->hob_lcyl = (uint8_t)(lba >> 32);
		r->hob_hcyl = (uint8_t)(lba >> 40);
	} else {
		r->sector = (uint8_t)lba, r->lcyl = (uint8_t)(lba >> 8), r->hcyl = (uint8_t)(lba >> 16);
		r->select = (uint8_t)((r->select & 0xf0) | ((lba >> 24) & 0xf));
	}
}

/* ------------------------------------------------------------ buffer moves */

/* Next buffer load of a read: min(remaining, chunk) units. -1 on a host error. */
int ide_fill_buffer(struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t n = r->remaining < r->chunk ? r->remaining : r->chunk;

	if (block_read(&d->blk, r->lba * r->unit, d->buf, (size_t)n * r->unit))
		return -1;
	r->lba += n;
	r->remaining -= n;
	r->data_pos = 0;
	r->data_end = n * r->unit;
	r->drq_end = r->data_end;
	return 0;
}

/* Write the full buffer of a write command. -1 on a host error. */
int ide_flush_buffer(struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t n = r->data_end / r->unit;

	if (block_write(&d->blk, r->lba * r->unit, d->buf, r->data_end))
		return -1;
	r->lba += n;
	r->remaining -= n;
	return 0;
}

void ide_next_write_block(struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t n = r->remaining < r->chunk ? r->remaining : r->chunk;

	r->data_pos = 0;
	r->data_end = r->drq_end = n * r->unit;
	r->drq_len = r->data_end;
}

/* ------------------------------------------------------------ data register */

/* A PIO block has been read to its end. */
static void pio_in_block_done(struct ide_channel *ch, struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	bool atapi = d->kind == IDE_KIND_CD;

	if (atapi && r->data_pos < r->data_end) {
		ide_atapi_drq_block(ch, d);
		return;
	}
	if (r->source == IDE_SRC_SECTORS && r->remaining) {
		if (ide_fill_buffer(d)) {
			if (atapi)
				ide_atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
			else
				ide_command_error(ch, d, IDE_ERR_UNC | IDE_ERR_ABRT);
			return;
		}
		if (atapi) {
			ide_atapi_drq_block(ch, d);
		} else {
			ide_set_sector(d, r->lba - r->data_end / 512);
			r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
			ide_raise_irq(ch);
		}
		return;
	}
	if (atapi) {
		ide_atapi_ok(ch, d);
		return;
	}
	/* The last block of a PIO read ends without an interrupt. */
	if (r->source == IDE_SRC_SECTORS) {
		ide_set_sector(d, r->lba);
		r->nsector = 0;
	}
	ide_end_transfer(d);
	r->status = IDE_STAT_READY | IDE_STAT_SEEK;
}

static void pio_out_block_done(struct ide_channel *ch, struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;

	if (r->xfer == IDE_XFER_PACKET) {
		ide_atapi_exec(ch, d);
		return;
	}
	if (ide_flush_buffer(d)) {
		ide_command_error(ch, d, IDE_ERR_ABRT);
		return;
	}
	ide_set_sector(d, r->lba);
	if (r->remaining) {
		ide_next_write_block(d);
		r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		ide_raise_irq(ch);
		return;
	}
	r->nsector = 0;
	ide_command_ok(ch, d);
}

static uint32_t data_read(struct ide_channel *ch, unsigned int size)
{
	struct ide_drive *d = &ch->drive[ch->cur];
	struct ide_drive_regs *r = &d->r;
	uint32_t v = 0;

	if (r->xfer != IDE_XFER_PIO_IN || !(r->status & IDE_STAT_DRQ))
		return 0;
	for (unsigned int i = 0; i < size && r->data_pos < r->drq_end; i++)
		v |= (uint32_t)d->buf[r->data_pos++] << (8 * i);
	if (r->data_pos >= r->drq_end)
		pio_in_block_done(ch, d);
	return v;
}

static void data_write(struct ide_channel *ch, unsigned int size, uint32_t v)
{
	struct ide_drive *d = &ch->drive[ch->cur];
	struct ide_drive_regs *r = &d->r;

	if ((r->xfer != IDE_XFER_PIO_OUT && r->xfer != IDE_XFER_PACKET) ||
	    !(r->status & IDE_STAT_DRQ))
		return;
	for (unsigned int i = 0; i < size && r->data_pos < r->drq_end; i++)
		d->buf[r->data_pos++] = (uint8_t)(v >> (8 * i));
	if (r->data_pos >= r->drq_end)
		pio_out_block_done(ch, d);
}

/* ------------------------------------------------------------ port handlers */

static bool channel_empty(const struct ide_channel *ch)
{
	return ch->drive[0].kind == IDE_KIND_NONE && ch->drive[1].kind == IDE_KIND_NONE;
}

/* Registers of an absent drive (or an empty channel) read 0, as in QEMU. */
static bool reads_zero(const struct ide_channel *ch)
{
	return ch->drive[ch->cur].kind == IDE_KIND_NONE;
}

static uint8_t reg_read(struct ide_channel *ch, unsigned int reg)
{
	const struct ide_drive_regs *r = &ch->drive[ch->cur].r;
	bool hob = ch->devctl & IDE_CTL_HOB;

	switch (reg) {
	case 1: return reads_zero(ch) ? 0 : hob ? r->hob_feature : r->error;
	case 2: return reads_zero(ch) ? 0 : hob ? r->hob_nsector : r->nsector;
	case 3: return reads_zero(ch) ? 0 : hob ? r->hob_sector : r->sector;
	case 4: return reads_zero(ch) ? 0 : hob ? r->hob_lcyl : r->lcyl;
	case 5: return reads_zero(ch) ? 0 : hob ? r->hob_hcyl : r->hcyl;
	case 6: return channel_empty(ch) ? 0 : r->select;
	}
	/* 7: Status; reading it acknowledges the interrupt. */
	ide_lower_irq(ch);
	return reads_zero(ch) ? 0 : r->status;
}

static void reg_write(struct ide_channel *ch, unsigned int reg, uint8_t v)
{
	/* Task-file writes reach both drives; the previous value becomes the HOB byte. */
	for (unsigned int i = 0; i < 2; i++) {
		struct ide_drive_regs *r = &ch->drive[i].r;

		switch (reg) {
		case 1: r->hob_feature = r->feature, r->feature = v; break;
		case 2: r->hob_nsector = r->nsector, r->nsector = v; break;
		case 3: r->hob_sector = r->sector, r->sector = v; break;
		case 4: r->hob_lcyl = r->lcyl, r->lcyl = v; break;
		case 5: r->hob_hcyl = r->hcyl, r->hcyl = v; break;
		case 6: r->select = v | 0xa0; break;
		}
	}
	if (reg == 6)
		ch->cur = (v >> 4) & 1;
	if (reg == 7) {
		struct ide_drive *d = &ch->drive[ch->cur];

		if (d->kind == IDE_KIND_NONE)
			return; /* commands to an absent drive are ignored */
		ide_exec(ch, d, v);
	}
}

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned int size)
{
	struct ide_channel *ch = opaque;
	uint64_t v = 0;

	if (off == 0)
		return size == 1 ? 0xff : data_read(ch, size);
	for (unsigned int i = 0; i < size && off + i < 8; i++)
		v |= (uint64_t)reg_read(ch, (unsigned int)off + i) << (8 * i);
	return v;
}

static void cmd_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct ide_channel *ch = opaque;

	if (off == 0) {
		if (size > 1)
			data_write(ch, size, (uint32_t)val);
		return;
	}
	for (unsigned int i = 0; i < size && off + i < 8; i++)
		reg_write(ch, (unsigned int)off + i, (uint8_t)(val >> (8 * i)));
}

static const struct io_ops cmd_ops = {
	.read = cmd_read, .write = cmd_write, .impl_min = 1, .impl_max = 4, .unaligned = true,
};

static void software_reset(struct ide_channel *ch, uint8_t old, uint8_t now)
{
	if (!(old & IDE_CTL_SRST) && (now & IDE_CTL_SRST)) {
		for (unsigned int i = 0; i < 2; i++) {
			struct ide_drive *d = &ch->drive[i];

			if (d->kind == IDE_KIND_NONE)
				continue;
			ide_end_transfer(d);
			d->r.status = IDE_STAT_BUSY | IDE_STAT_SEEK;
			d->r.error = 0x01;
		}
	} else if ((old & IDE_CTL_SRST) && !(now & IDE_CTL_SRST)) {
		for (unsigned int i = 0; i < 2; i++)
			if (ch->drive[i].kind != IDE_KIND_NONE)
				ide_drive_reset(&ch->drive[i], false);
		ch->cur = 0;
	}
}

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned int size)
{
	struct ide_channel *ch = opaque;

	(void)size;
	if (off != 0)
		return 0xff; /* the drive address register is not emulated (floppy shares it) */
	return reads_zero(ch) ? 0 : ch->drive[ch->cur].r.status; /* Alternate Status */
}

static void ctl_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct ide_channel *ch = opaque;
	uint8_t old = ch->devctl;

	(void)size;
	if (off != 0)
		return;
	ch->devctl = (uint8_t)val;
	software_reset(ch, old, ch->devctl);
	update_irq(ch);
}

static const struct io_ops ctl_ops = {
	.read = ctl_read, .write = ctl_write, .impl_min = 1, .impl_max = 1,
};

static uint64_t bm_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix_ide *s = opaque;
	struct ide_channel *ch = &s->ch[off >> 3 & 1];
	unsigned int reg = off & 7;

	if (reg >= 4) {
		uint64_t v = ch->bm_prd >> (8 * (reg - 4));

		return v & size_mask(size);
	}
	if (size != 1)
		return size_mask(size);
	switch (reg) {
	case 0: return ch->bm_cmd;
	case 2: return ch->bm_status;
	}
	return 0xff;
}

static void bm_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct piix_ide *s = opaque;
	struct ide_channel *ch = &s->ch[off >> 3 & 1];
	unsigned int reg = off & 7;

	if (reg >= 4) {
		uint32_t shift = 8 * (reg - 4);
		uint32_t mask = (uint32_t)size_mask(size) << shift;

		/* Dword-aligned table pointer: bits 1:0 are read-only zero. */
		ch->bm_prd = ((ch->bm_prd & ~mask) | ((uint32_t)val << shift & mask)) & ~3u;
		return;
	}
	if (size != 1)
		return;
	if (reg == 0) {
		uint8_t old = ch->bm_cmd;

		ch->bm_cmd = (uint8_t)(val & (BM_CMD_START | BM_CMD_TO_MEMORY));
		if (!(old & BM_CMD_START) && (ch->bm_cmd & BM_CMD_START)) {
			ch->bm_status |= BM_STATUS_ACTIVE;
			ide_bm_run(ch);
		} else if ((old & BM_CMD_START) && !(ch->bm_cmd & BM_CMD_START)) {
			ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		}
	} else if (reg == 2) {
		/* Bits 6:5 software-owned, ERROR and INT write-1-to-clear, ACTIVE read-only. */
		ch->bm_status = (uint8_t)((ch->bm_status & BM_STATUS_ACTIVE) |
					  (val & BM_STATUS_DRIVE_DMA) |
					  (ch->bm_status & ~val & (BM_STATUS_ERROR | BM_STATUS_INT)));
	}
}

static const struct io_ops bm_ops = {
	.read = bm_read, .write = bm_write, .impl_min = 1, .impl_max = 4,
};

/* ------------------------------------------------------------ life cycle */

static void drive_set_geometry(struct ide_drive *d)
{
	uint64_t cyls = d->nb_units / (16 * 63);

	d->heads = 16;
	d->secs = 63;
	d->cyls = (uint16_t)(cyls > 16383 ? 16383 : cyls < 1 ? 1 : cyls);
}

static void drive_close(struct ide_drive *d)
{
	block_close(&d->blk);
	d->nb_units = 0;
}

static int drive_open_medium(struct ide_drive *d, const char *path, int fd, bool read_only,
			     char *err, size_t errlen)
{
	uint64_t unit = d->kind == IDE_KIND_CD ? CD_UNIT : 512;
	bool ro = read_only || d->kind == IDE_KIND_CD;

	if (fd >= 0 ? block_open_fd(&d->blk, fd, path, ro, err, errlen)
		    : block_open(&d->blk, path, ro, err, errlen))
		return -1;
	d->nb_units = d->blk.size / unit;
	if (d->kind == IDE_KIND_DISK && (d->nb_units == 0 || d->nb_units >> 48)) {
		snprintf(err, errlen, "%s: a disk image must hold between 1 and 2^48 sectors", path);
		drive_close(d);
		return -1;
	}
	if (d->kind == IDE_KIND_CD && d->nb_units >> 32) {
		snprintf(err, errlen, "%s: too large for a CD/DVD (2^32 blocks)", path);
		drive_close(d);
		return -1;
	}
	drive_set_geometry(d);
	return 0;
}

struct ide_drive *piix_ide_drive(struct piix_ide *s, unsigned int drive)
{
	return drive < IDE_DRIVES ? &s->ch[drive / 2].drive[drive % 2] : NULL;
}

void piix_ide_drive_info(const struct piix_ide *s, unsigned int drive, struct ide_drive_info *info)
{
	const struct ide_drive *d = drive < IDE_DRIVES ? &s->ch[drive / 2].drive[drive % 2] : NULL;

	memset(info, 0, sizeof(*info));
	if (!d || d->kind == IDE_KIND_NONE)
		return;
	info->kind = d->kind;
	info->locked = d->r.locked;
	info->tray_open = d->r.tray_open;
	if (block_present(&d->blk)) {
		info->medium = d->blk.path;
		info->read_only = d->blk.read_only;
	}
}

void piix_ide_reset(struct piix_ide *s)
{
	/* QEMU piix3_reset: command 0, BMIBA 1 (pci_device_reset did the BAR). */
	pci_set_word(s->pci.config + PCI_STATUS, 0x0280);
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		struct ide_channel *ch = &s->ch[c];

		for (unsigned int i = 0; i < 2; i++)
			if (ch->drive[i].kind != IDE_KIND_NONE)
				ide_drive_reset(&ch->drive[i], true);
			else
				memset(&ch->drive[i].r, 0, sizeof(ch->drive[i].r));
		ch->cur = 0;
		ch->devctl = 0;
		ch->bm_cmd = 0;
		ch->bm_status = 0;
		ch->bm_prd = 0;
		ide_lower_irq(ch);
	}
}

void piix_ide_set_identity(struct piix_ide *s, enum ide_identity id)
{
	s->identity = id;
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive *d = piix_ide_drive(s, i);

		d->identity = id;
		snprintf(d->serial, sizeof(d->serial), id == IDE_IDENTITY_HVMDM ? "HVMDM%05u" : "QM%05u", i + 1);
	}
}

int piix_ide_init(struct piix_ide *s, struct pci_bus *bus, struct io_space *io,
		  struct accel *accel, const struct piix_ide_config *config, char *err,
		  size_t errlen)
{
	const struct ide_drive_config *cfg = config->drives;
	static const char *const cmd_names[] = { "ide0-cmd", "ide1-cmd" };
	static const char *const ctl_names[] = { "ide0-ctl", "ide1-ctl" };
	struct pci_device *d = &s->pci;
	int rc;

	memset(s, 0, sizeof(*s));
	s->accel = accel;
	piix_ide_set_identity(s, config->identity);
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive *dr = piix_ide_drive(s, i);

		dr->blk.fd = -1;
		dr->kind = cfg ? cfg[i].kind : IDE_KIND_NONE;
		dr->placeholder = dr->kind != IDE_KIND_NONE && cfg[i].placeholder;
		if (dr->placeholder)
			continue; /* an inspection tool's drive: no image */
		if (dr->kind != IDE_KIND_NONE && cfg[i].path &&
		    drive_open_medium(dr, cfg[i].path, -1, cfg[i].read_only, err, errlen)) {
			piix_ide_destroy(s);
			return -1;
		}
		if (dr->kind == IDE_KIND_DISK && !block_present(&dr->blk)) {
			snprintf(err, errlen, "IDE disk %u: no image given", i);
			piix_ide_destroy(s);
			return -1;
		}
	}
	/* 8086:7010, class 0101 with programming interface 0x80: legacy mode, bus master. */
	pci_device_init(d, "piix3-ide", 0x8086, 0x7010, 0x00, 0x010180);
	d->opaque = s;
	pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, config->subsys_vendor);
	pci_set_word(d->config + PCI_SUBSYSTEM_ID, config->subsys_id);
	rc = pci_register_bar(d, 4, PCI_BAR_IO, false, 16, &bm_ops, s, "piix3-ide-bmdma");
	if (!rc)
		rc = pci_register_device(bus, d, PCI_DEVFN(1, 1));
	for (unsigned int c = 0; c < IDE_CHANNELS && !rc; c++) {
		struct ide_channel *ch = &s->ch[c];

		ch->ide = s;
		ch->isa_irq = channel_irq[c];
		rc = io_space_claim(io, cmd_base[c], 8, &cmd_ops, ch, cmd_names[c]);
		if (!rc)
			rc = io_space_claim(io, ctl_base[c], 1, &ctl_ops, ch, ctl_names[c]);
	}
	if (rc) {
		snprintf(err, errlen, "PIIX3 IDE: cannot claim its ports or PCI function (error %d)", rc);
		piix_ide_destroy(s);
		return -1;
	}
	piix_ide_reset(s);
	return 0;
}

void piix_ide_destroy(struct piix_ide *s)
{
	for (unsigned int i = 0; i < IDE_DRIVES; i++)
		drive_close(piix_ide_drive(s, i));
}

void piix_ide_unplug_disks(struct piix_ide *s, bool keep_primary_master)
{
	for (unsigned int i = keep_primary_master ? 1 : 0; i < IDE_DRIVES; i++) {
		struct ide_drive *d = piix_ide_drive(s, i);

		if (d->kind != IDE_KIND_DISK)
			continue;
		block_flush(&d->blk);
		drive_close(d);
		d->kind = IDE_KIND_NONE;
		memset(&d->r, 0, sizeof(d->r));
		s->unplugged |= (uint16_t)(1u << i);
		log_info("ide", "disk %u unplugged by the guest's PV drivers", i);
	}
}

int piix_ide_flush(struct piix_ide *s)
{
	int rc = 0;

	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive *d = piix_ide_drive(s, i);

		if (d->kind == IDE_KIND_DISK && block_flush(&d->blk))
			rc = -1;
	}
	return rc;
}

int piix_ide_change_medium(struct piix_ide *s, unsigned int drive, const char *path, int fd,
			   bool force, char *err, size_t errlen)
{
	struct ide_drive *d = piix_ide_drive(s, drive);
	struct block old;

	if (!d || d->kind != IDE_KIND_CD) {
		snprintf(err, errlen, "IDE drive %u is not a CD-ROM drive", drive);
		return -1;
	}
	if (d->r.locked && !force) {
		snprintf(err, errlen, "IDE drive %u: the guest has locked the tray", drive);
		return -1;
	}
	old = d->blk;
	d->blk.fd = -1;
	if (path && drive_open_medium(d, path, fd, true, err, errlen)) {
		d->blk = old;
		return -1;
	}
	block_close(&old);
	if (path) {
		d->r.tray_open = false;
		d->r.unit_attention = true;
		d->r.media_event = 2;
	} else {
		d->nb_units = 0;
		d->r.tray_open = true;
		d->r.locked = false;
		d->r.media_event = 3;
	}
	return 0;
}

/* ------------------------------------------------------------ saved state */

void piix_ide_save_state(const struct piix_ide *s, struct ide_state *st)
{
	memset(st, 0, sizeof(*st));
	pci_save_state(&s->pci, &st->pci);
	st->unplugged = s->unplugged;
	st->identity = (uint8_t)s->identity;
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		const struct ide_channel *ch = &s->ch[c];

		st->ch[c].cur = (uint8_t)ch->cur;
		st->ch[c].devctl = ch->devctl;
		st->ch[c].bm_cmd = ch->bm_cmd;
		st->ch[c].bm_status = ch->bm_status;
		st->ch[c].irq_pending = ch->irq_pending;
		st->ch[c].bm_prd = ch->bm_prd;
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		const struct ide_drive *d = &s->ch[i / 2].drive[i % 2];
		struct ide_drive_state *ds = &st->drive[i];

		ds->kind = (uint8_t)d->kind;
		ds->r = d->r;
		/* A transfer waiting for the guest keeps its buffer; nothing else does. */
		ds->buf_len = d->r.xfer != IDE_XFER_NONE ? d->r.data_end : 0;
		if (ds->buf_len > IDE_SAVE_BUF)
			ds->buf_len = 0; /* a DMA fill, which never waits half done */
		memcpy(ds->buf, d->buf, ds->buf_len);
	}
}

static int check_drive(const struct ide_drive *d, const struct ide_drive_state *ds,
		       unsigned int i, char *err, size_t errlen)
{
	const struct ide_drive_regs *r = &ds->r;
	uint64_t units = d->nb_units;

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)
	if (ds->kind != d->kind)
		BAD("ide: drive %u was %s when saved but is %s here", i,
		    ds->kind == IDE_KIND_DISK ? "a disk" : ds->kind == IDE_KIND_CD ? "a CD-ROM" : "absent",
		    d->kind == IDE_KIND_DISK ? "a disk" : d->kind == IDE_KIND_CD ? "a CD-ROM" : "absent");
	if (r->xfer > IDE_XFER_DMA_OUT || r->source > IDE_SRC_SECTORS)
		BAD("ide: drive %u: transfer kind %u/%u unknown", i, r->xfer, r->source);
	if (r->mult_sectors > IDE_MAX_MULT || (r->mult_sectors & (r->mult_sectors - 1)))
		BAD("ide: drive %u: multiple count %u invalid", i, r->mult_sectors);
	if (r->media_event > 3)
		BAD("ide: drive %u: media event %u unknown", i, r->media_event);
	if (r->xfer == IDE_XFER_NONE)
		return 0;
	if (d->kind == IDE_KIND_NONE)
		BAD("ide: drive %u: a transfer on an absent drive", i);
	if (r->unit != 512 && r->unit != CD_UNIT)
		BAD("ide: drive %u: unit size %u invalid", i, r->unit);
	if (ds->buf_len > IDE_SAVE_BUF || r->data_end != ds->buf_len || r->data_pos > r->drq_end ||
	    r->drq_end > r->data_end)
		BAD("ide: drive %u: buffer positions %u/%u/%u of %u saved bytes inconsistent", i,
		    r->data_pos, r->drq_end, r->data_end, ds->buf_len);
	if ((r->xfer == IDE_XFER_PIO_IN || r->xfer == IDE_XFER_PIO_OUT || r->xfer == IDE_XFER_PACKET) &&
	    (r->drq_len == 0 || r->drq_len > 0xfffe))
		BAD("ide: drive %u: DRQ block length %u invalid", i, r->drq_len);
	if (r->xfer == IDE_XFER_PACKET && r->data_end != 12)
		BAD("ide: drive %u: a packet of %u bytes", i, r->data_end);
	/* Writes only ever go to sectors (their chunk and count are what bound the buffer). */
	if ((r->xfer == IDE_XFER_PIO_OUT || r->xfer == IDE_XFER_DMA_OUT) && r->source != IDE_SRC_SECTORS)
		BAD("ide: drive %u: a write transfer that is not to sectors", i);
	if (r->source == IDE_SRC_SECTORS) {
		uint32_t limit = r->xfer == IDE_XFER_DMA_IN || r->xfer == IDE_XFER_DMA_OUT
					 ? IDE_BUF_SIZE : IDE_SAVE_BUF;

		if (r->chunk == 0 || (uint64_t)r->chunk * r->unit > limit)
			BAD("ide: drive %u: %u units per buffer too many", i, r->chunk);
		if (r->unit != (d->kind == IDE_KIND_CD ? CD_UNIT : 512u))
			BAD("ide: drive %u: unit size %u wrong for the drive", i, r->unit);
		if (!d->placeholder && (r->lba > units || r->remaining > units - r->lba))
			BAD("ide: drive %u: sectors %llu+%u outside the image (%llu)", i,
			    (unsigned long long)r->lba, r->remaining, (unsigned long long)units);
		if (r->xfer == IDE_XFER_PIO_OUT && (r->data_end % r->unit ||
						   r->data_end / r->unit > r->remaining))
			BAD("ide: drive %u: a write block of %u bytes with %u sectors left", i,
			    r->data_end, r->remaining);
	}
	return 0;
#undef BAD
}

int piix_ide_check_state(const struct piix_ide *s, const struct ide_state *st, char *err,
			 size_t errlen)
{
	if (pci_check_state(&s->pci, &st->pci, err, errlen))
		return -1;
	if (st->unplugged & ~0xfu) {
		snprintf(err, errlen, "ide: unplug mask %#x names drives that cannot exist",
			 st->unplugged);
		return -1;
	}
	if (st->identity > IDE_IDENTITY_LAST) {
		snprintf(err, errlen, "ide: drive identity %u is none hvmdm knows", st->identity);
		return -1;
	}
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		if (st->ch[c].cur > 1) {
			snprintf(err, errlen, "ide: channel %u selects drive %u", c, st->ch[c].cur);
			return -1;
		}
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		const struct ide_drive *d = &s->ch[i / 2].drive[i % 2];
		const struct ide_drive_state *ds = &st->drive[i];

		/* A disk the guest's PV drivers unplugged stays unplugged: its state is not used. */
		if ((st->unplugged >> i) & 1) {
			if (ds->kind != IDE_KIND_NONE || ds->r.xfer != IDE_XFER_NONE) {
				snprintf(err, errlen, "ide: drive %u is unplugged but has state", i);
				return -1;
			}
			continue;
		}
		if (check_drive(d, ds, i, err, errlen))
			return -1;
	}
	return 0;
}

void piix_ide_load_state(struct piix_ide *s, const struct ide_state *st)
{
	pci_load_state(&s->pci, &st->pci);
	piix_ide_set_identity(s, (enum ide_identity)st->identity);
	if (st->unplugged & ~s->unplugged) {
		bool aux_only = !(st->unplugged & 1);

		piix_ide_unplug_disks(s, aux_only);
	}
	s->unplugged = st->unplugged;
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive *d = &s->ch[i / 2].drive[i % 2];
		const struct ide_drive_state *ds = &st->drive[i];
		bool tray_open = d->r.tray_open;

		/* An absent drive keeps the task-file bytes written to its channel, for identity. */
		d->r = ds->r;
		/* The tray follows the medium this host has (the toolstack may have changed it). */
		if (d->kind == IDE_KIND_CD && !block_present(&d->blk))
			d->r.tray_open = tray_open || d->r.tray_open;
		memcpy(d->buf, ds->buf, ds->buf_len);
	}
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		struct ide_channel *ch = &s->ch[c];

		ch->cur = st->ch[c].cur;
		ch->devctl = st->ch[c].devctl;
		ch->bm_cmd = st->ch[c].bm_cmd;
		ch->bm_status = st->ch[c].bm_status;
		ch->bm_prd = st->ch[c].bm_prd;
		ch->irq_pending = st->ch[c].irq_pending;
		/* Re-drive the line as it was (the saved INT bit already records its edges). */
		ch->irq_line = ch->irq_pending && !(ch->devctl & IDE_CTL_NIEN);
		accel_set_isa_irq_level(s->accel, ch->isa_irq, ch->irq_line);
	}
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(piix_ide_reset, struct piix_ide)
DEV_OPS_DESTROY(piix_ide_destroy, struct piix_ide)
DEV_OPS_SAVE(piix_ide_save_state, struct piix_ide, struct ide_state)
DEV_OPS_CHECK(piix_ide_check_state, struct piix_ide, struct ide_state)
DEV_OPS_LOAD(piix_ide_load_state, struct piix_ide, struct ide_state)

const struct dev_ops piix_ide_ops = {
	.name = "piix3-ide", .record = "ide", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
