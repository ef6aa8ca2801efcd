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
#include "ide.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.2.0-dev"
#endif

/* ATA commands. */
#define CMD_NOP 0x00
#define CMD_DEVICE_RESET 0x08
#define CMD_RECALIBRATE 0x10 /* 0x10-0x1f */
#define CMD_READ 0x20
#define CMD_READ_ONCE 0x21
#define CMD_READ_EXT 0x24
#define CMD_READ_DMA_EXT 0x25
#define CMD_READ_NATIVE_MAX_EXT 0x27
#define CMD_READ_MULTIPLE_EXT 0x29
#define CMD_WRITE 0x30
#define CMD_WRITE_ONCE 0x31
#define CMD_WRITE_EXT 0x34
#define CMD_WRITE_DMA_EXT 0x35
#define CMD_WRITE_MULTIPLE_EXT 0x39
#define CMD_VERIFY 0x40
#define CMD_VERIFY_ONCE 0x41
#define CMD_VERIFY_EXT 0x42
#define CMD_SEEK 0x70
#define CMD_DIAGNOSE 0x90
#define CMD_SPECIFY 0x91
#define CMD_PACKET 0xa0
#define CMD_IDENTIFY_PACKET 0xa1
#define CMD_READ_MULTIPLE 0xc4
#define CMD_WRITE_MULTIPLE 0xc5
#define CMD_SET_MULTIPLE 0xc6
#define CMD_READ_DMA 0xc8
#define CMD_READ_DMA_ONCE 0xc9
#define CMD_WRITE_DMA 0xca
#define CMD_WRITE_DMA_ONCE 0xcb
#define CMD_STANDBY_NOW 0xe0
#define CMD_IDLE_NOW 0xe1
#define CMD_STANDBY 0xe2
#define CMD_IDLE 0xe3
#define CMD_CHECK_POWER 0xe5
#define CMD_SLEEP 0xe6
#define CMD_FLUSH 0xe7
#define CMD_IDENTIFY 0xec
#define CMD_FLUSH_EXT 0xea
#define CMD_SET_FEATURES 0xef
#define CMD_READ_NATIVE_MAX 0xf8

/* ATAPI interrupt reason (the sector count register). */
#define ATAPI_INT_CD 0x01
#define ATAPI_INT_IO 0x02

/* SCSI sense keys and additional sense codes. */
#define SENSE_NONE 0x0
#define SENSE_NOT_READY 0x2
#define SENSE_ILLEGAL_REQUEST 0x5
#define SENSE_UNIT_ATTENTION 0x6
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_MEDIUM_MAY_HAVE_CHANGED 0x28
#define ASC_SAVING_UNSUPPORTED 0x39
#define ASC_MEDIUM_NOT_PRESENT 0x3a
#define ASC_REMOVAL_PREVENTED 0x53

#define CD_UNIT 2048
#define PRD_MAX_ENTRIES 512

static const uint16_t cmd_base[IDE_CHANNELS] = { 0x1f0, 0x170 };
static const uint16_t ctl_base[IDE_CHANNELS] = { 0x3f6, 0x376 };
static const unsigned int channel_irq[IDE_CHANNELS] = { 14, 15 };

static void ide_log(const struct ide_channel *ch, const char *what)
{
	log_guest("ide", "%s channel: %s", ch == &ch->ide->ch[0] ? "primary" : "secondary", what);
}

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

static void raise_irq(struct ide_channel *ch)
{
	ch->irq_pending = true;
	update_irq(ch);
}

static void lower_irq(struct ide_channel *ch)
{
	ch->irq_pending = false;
	update_irq(ch);
}

/* ------------------------------------------------------------ task file */

static bool medium_ready(const struct ide_drive *d)
{
	return block_present(&d->blk) && !d->r.tray_open;
}

static void set_signature(struct ide_drive *d)
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

static void end_transfer(struct ide_drive *d)
{
	d->r.xfer = IDE_XFER_NONE;
	d->r.source = IDE_SRC_BUFFER;
	d->r.data_pos = d->r.data_end = d->r.drq_end = 0;
	d->r.remaining = 0;
	d->r.atapi_dma = false;
}

/* Power-on, hardware or software reset of one drive. */
static void drive_reset(struct ide_drive *d, bool power_on)
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
	set_signature(d);
	/* ATAPI devices come out of reset with status 0 (ATA-6 9.12), disks ready. */
	r->status = d->kind == IDE_KIND_CD ? 0 : IDE_STAT_READY | IDE_STAT_SEEK;
}

static void abort_command(struct ide_channel *ch, struct ide_drive *d)
{
	end_transfer(d);
	d->r.status = IDE_STAT_READY | IDE_STAT_ERR;
	d->r.error = IDE_ERR_ABRT;
	raise_irq(ch);
}

static void command_error(struct ide_channel *ch, struct ide_drive *d, uint8_t error)
{
	end_transfer(d);
	d->r.status = IDE_STAT_READY | IDE_STAT_ERR;
	d->r.error = error;
	raise_irq(ch);
}

static void command_ok(struct ide_channel *ch, struct ide_drive *d)
{
	end_transfer(d);
	d->r.status = IDE_STAT_READY | IDE_STAT_SEEK;
	d->r.error = 0;
	raise_irq(ch);
}

/* The sector count of a read/write command: 0 means 256 (65536 with LBA48). */
static uint32_t sector_count(const struct ide_drive *d)
{
	if (d->r.lba48) {
		uint32_t n = (uint32_t)d->r.hob_nsector << 8 | d->r.nsector;

		return n ? n : 65536;
	}
	return d->r.nsector ? d->r.nsector : 256;
}

/* The starting sector, or UINT64_MAX for a CHS address outside the geometry. */
static uint64_t start_sector(const struct ide_drive *d)
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
static void set_sector(struct ide_drive *d, uint64_t lba)
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
static int fill_buffer(struct ide_drive *d)
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
static int flush_buffer(struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t n = r->data_end / r->unit;

	if (block_write(&d->blk, r->lba * r->unit, d->buf, r->data_end))
		return -1;
	r->lba += n;
	r->remaining -= n;
	return 0;
}

static void next_write_block(struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	uint32_t n = r->remaining < r->chunk ? r->remaining : r->chunk;

	r->data_pos = 0;
	r->data_end = r->drq_end = n * r->unit;
	r->drq_len = r->data_end;
}

/* ------------------------------------------------------------ ATAPI replies */

static void atapi_ok(struct ide_channel *ch, struct ide_drive *d)
{
	end_transfer(d);
	d->r.error = 0;
	d->r.status = IDE_STAT_READY | IDE_STAT_SEEK;
	d->r.nsector = (uint8_t)((d->r.nsector & ~7) | ATAPI_INT_IO | ATAPI_INT_CD);
	raise_irq(ch);
}

static void atapi_error(struct ide_channel *ch, struct ide_drive *d, uint8_t key, uint8_t asc)
{
	end_transfer(d);
	d->r.sense_key = key;
	d->r.asc = asc;
	d->r.error = (uint8_t)(key << 4);
	d->r.status = IDE_STAT_READY | IDE_STAT_ERR;
	d->r.nsector = (uint8_t)((d->r.nsector & ~7) | ATAPI_INT_IO | ATAPI_INT_CD);
	raise_irq(ch);
}

/* Start the next PIO DRQ block of an ATAPI data-in phase at data_pos. */
static void atapi_drq_block(struct ide_channel *ch, struct ide_drive *d)
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
	raise_irq(ch);
}

static void bm_run(struct ide_channel *ch);

/* Data-in phase of a packet command: by DMA if the host asked, else PIO. */
static void atapi_data_in(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->r.atapi_dma) {
		d->r.xfer = IDE_XFER_DMA_IN;
		d->r.status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		bm_run(ch);
		return;
	}
	d->r.xfer = IDE_XFER_PIO_IN;
	if (d->r.source == IDE_SRC_SECTORS && fill_buffer(d)) {
		atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	atapi_drq_block(ch, d);
}

/* A reply built in the buffer, cut to the allocation length. */
static void atapi_reply(struct ide_channel *ch, struct ide_drive *d, uint32_t len, uint32_t alloc)
{
	if (len > alloc)
		len = alloc;
	if (!len) {
		atapi_ok(ch, d);
		return;
	}
	d->r.source = IDE_SRC_BUFFER;
	d->r.remaining = 0;
	d->r.data_pos = 0;
	d->r.data_end = len;
	atapi_data_in(ch, d);
}

/* ------------------------------------------------------------ bus master */

struct prd_cursor {
	uint32_t table;
	unsigned int index;
	uint32_t addr, left;
	bool last;
};

/* 1 = an entry is loaded, 0 = the table ended, -1 = the table is not in guest RAM. */
static int prd_next(struct ide_channel *ch, struct prd_cursor *c)
{
	uint8_t e[8];
	uint32_t count;

	if (c->last || c->index >= PRD_MAX_ENTRIES)
		return 0;
	if (ch->ide->accel->ops->guest_memory_rw(ch->ide->accel, (uint64_t)c->table + 8 * c->index,
						 e, sizeof(e), false))
		return -1;
	c->index++;
	c->addr = (uint32_t)le_read(e, 4) & ~1u;
	count = (uint32_t)le_read(e + 4, 2) & 0xfffe;
	c->left = count ? count : 0x10000;
	c->last = e[7] & 0x80;
	return 1;
}

enum dma_end {
	DMA_DONE,     /* all data moved */
	DMA_SHORT,    /* the PRD table ended first */
	DMA_MEM_FAULT,/* a PRD or buffer outside guest RAM, or bus mastering off */
	DMA_IO_ERROR, /* the image failed */
};

/* Move `len` bytes between the buffer and the PRD-described memory. */
static enum dma_end prd_copy(struct ide_channel *ch, struct prd_cursor *c, uint8_t *buf,
			     uint32_t len, bool to_memory)
{
	struct accel *a = ch->ide->accel;

	while (len) {
		uint32_t n;

		if (!c->left) {
			int rc = prd_next(ch, c);

			if (rc < 0)
				return DMA_MEM_FAULT;
			if (rc == 0)
				return DMA_SHORT;
		}
		n = len < c->left ? len : c->left;
		if (a->ops->guest_memory_rw(a, c->addr, buf, n, to_memory))
			return DMA_MEM_FAULT;
		c->addr += n, c->left -= n, buf += n, len -= n;
	}
	return DMA_DONE;
}

static enum dma_end dma_in(struct ide_channel *ch, struct ide_drive *d, struct prd_cursor *c)
{
	struct ide_drive_regs *r = &d->r;

	for (;;) {
		enum dma_end e;

		if (r->data_pos == r->data_end) {
			if (r->source != IDE_SRC_SECTORS || !r->remaining)
				return DMA_DONE;
			if (fill_buffer(d))
				return DMA_IO_ERROR;
		}
		e = prd_copy(ch, c, d->buf + r->data_pos, r->data_end - r->data_pos, true);
		if (e != DMA_DONE)
			return e;
		r->data_pos = r->data_end;
	}
}

static enum dma_end dma_out(struct ide_channel *ch, struct ide_drive *d, struct prd_cursor *c)
{
	struct ide_drive_regs *r = &d->r;

	while (r->remaining) {
		enum dma_end e;

		next_write_block(d);
		e = prd_copy(ch, c, d->buf, r->data_end, false);
		if (e != DMA_DONE)
			return e;
		if (flush_buffer(d))
			return DMA_IO_ERROR;
	}
	return DMA_DONE;
}

/* The drive of this channel waiting for the bus master, if any. */
static struct ide_drive *dma_drive(struct ide_channel *ch)
{
	for (unsigned int i = 0; i < 2; i++) {
		struct ide_drive *d = &ch->drive[(ch->cur + i) & 1];

		if (d->r.xfer == IDE_XFER_DMA_IN || d->r.xfer == IDE_XFER_DMA_OUT)
			return d;
	}
	return NULL;
}

/* Run a waiting DMA command if the bus master is started: all of it, now. */
static void bm_run(struct ide_channel *ch)
{
	struct ide_drive *d = dma_drive(ch);
	struct prd_cursor c = { .table = ch->bm_prd & ~3u };
	bool in, atapi;
	enum dma_end e;

	if (!d || !(ch->bm_cmd & BM_CMD_START) || !(ch->bm_status & BM_STATUS_ACTIVE))
		return;
	in = d->r.xfer == IDE_XFER_DMA_IN;
	atapi = d->kind == IDE_KIND_CD;
	if (!(pci_get_word(ch->ide->pci.config + PCI_COMMAND) & PCI_COMMAND_MASTER))
		e = DMA_MEM_FAULT; /* bus mastering off: the cycles never reach memory */
	else
		e = in ? dma_in(ch, d, &c) : dma_out(ch, d, &c);
	if (!atapi)
		set_sector(d, d->r.lba);
	switch (e) {
	case DMA_DONE:
		/* A table longer than the data leaves the engine active (ATA/ATAPI-6, PIIX3 2.7.3). */
		if (c.last && !c.left)
			ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		if (atapi) {
			atapi_ok(ch, d);
		} else {
			d->r.nsector = 0;
			command_ok(ch, d);
		}
		break;
	case DMA_SHORT:
		/* QEMU ide_dma_cb: PRDs too short -- ACTIVE cleared, no interrupt. */
		ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		end_transfer(d);
		d->r.status = IDE_STAT_READY | IDE_STAT_SEEK;
		ide_log(ch, "PRD table shorter than the transfer");
		break;
	case DMA_MEM_FAULT:
		ch->bm_status = (uint8_t)((ch->bm_status | BM_STATUS_ERROR) & ~BM_STATUS_ACTIVE);
		ide_log(ch, "DMA outside guest memory or bus mastering disabled");
		if (atapi)
			atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
		else
			abort_command(ch, d);
		break;
	case DMA_IO_ERROR:
		ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		if (atapi)
			atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		else
			command_error(ch, d, in ? IDE_ERR_UNC | IDE_ERR_ABRT : IDE_ERR_ABRT);
		break;
	}
}

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

	put_string(w + 10, 10, d->serial);
	put_string(w + 23, 4, HVMDM_VERSION);
	put_string(w + 27, 20, d->kind == IDE_KIND_CD ? "HVMDM DVD-ROM" : "HVMDM HARDDISK");
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
	raise_irq(ch);
}

enum rw_kind { RW_PIO, RW_MULTIPLE, RW_DMA, RW_VERIFY };

static void ata_rw(struct ide_channel *ch, struct ide_drive *d, bool write, enum rw_kind kind)
{
	struct ide_drive_regs *r = &d->r;
	uint64_t lba = start_sector(d);
	uint32_t n = sector_count(d);

	if (kind == RW_MULTIPLE && !r->mult_sectors) {
		abort_command(ch, d);
		return;
	}
	if (lba == UINT64_MAX || lba > d->nb_units || n > d->nb_units - lba) {
		command_error(ch, d, IDE_ERR_IDNF | IDE_ERR_ABRT);
		return;
	}
	if (write && d->blk.read_only) {
		abort_command(ch, d);
		return;
	}
	r->source = IDE_SRC_SECTORS;
	r->unit = 512;
	r->lba = lba;
	r->remaining = n;
	if (kind == RW_VERIFY) {
		r->lba += n;
		set_sector(d, r->lba);
		r->nsector = 0;
		command_ok(ch, d);
		return;
	}
	if (kind == RW_DMA) {
		r->chunk = IDE_BUF_SIZE / 512;
		r->xfer = write ? IDE_XFER_DMA_OUT : IDE_XFER_DMA_IN;
		r->data_pos = r->data_end = r->drq_end = 0;
		r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		bm_run(ch);
		return;
	}
	r->chunk = kind == RW_MULTIPLE ? r->mult_sectors : 1;
	if (write) {
		/* The first block of a PIO write is asked for without an interrupt. */
		r->xfer = IDE_XFER_PIO_OUT;
		next_write_block(d);
		r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		return;
	}
	r->xfer = IDE_XFER_PIO_IN;
	if (fill_buffer(d)) {
		command_error(ch, d, IDE_ERR_UNC | IDE_ERR_ABRT);
		return;
	}
	r->drq_len = r->data_end;
	r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
	raise_irq(ch);
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
		command_ok(ch, d);
		return;
	case 0x03: { /* transfer mode in the sector count */
		uint8_t mode = d->r.nsector, kind = mode & 0xf8, n = mode & 7;

		if ((kind == 0x00 || kind == 0x08) && n <= 4) /* PIO default / PIO n */
			d->r.xfer_mode = 0;
		else if ((kind == 0x20 && n <= 2) || (kind == 0x40 && n <= 5))
			d->r.xfer_mode = mode;
		else
			break;
		command_ok(ch, d);
		return;
	}
	case 0x05: case 0x85: case 0x55: case 0xaa: case 0x66: case 0xcc:
	case 0x31: case 0x95: case 0x42: case 0xc2:
		/* Power management, look-ahead, reverting to defaults, AAM: accepted, no effect. */
		command_ok(ch, d);
		return;
	}
	abort_command(ch, d);
}

static void execute_diagnostic(struct ide_channel *ch)
{
	for (unsigned int i = 0; i < 2; i++) {
		struct ide_drive *d = &ch->drive[i];

		if (d->kind == IDE_KIND_NONE)
			continue;
		end_transfer(d);
		set_signature(d);
		d->r.error = 0x01;
		d->r.status = d->kind == IDE_KIND_CD ? 0 : IDE_STAT_READY | IDE_STAT_SEEK;
	}
	raise_irq(ch);
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

static void ide_exec(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd)
{
	bool cd = d->kind == IDE_KIND_CD;

	/* Only DEVICE RESET may interrupt a command (ATA-6 9.8). */
	if ((d->r.status & (IDE_STAT_BUSY | IDE_STAT_DRQ)) && !(cd && cmd == CMD_DEVICE_RESET)) {
		ide_log(ch, "command while BSY or DRQ ignored");
		return;
	}
	d->r.cmd = cmd;
	d->r.lba48 = false;
	lower_irq(ch);
	switch (cmd) {
	case CMD_IDENTIFY:
		if (cd) {
			/* An ATAPI device answers with its signature (ATA-6 8.15). */
			set_signature(d);
			abort_command(ch, d);
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
		drive_reset(d, false);
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
		command_ok(ch, d);
		return;
	case CMD_STANDBY_NOW: case CMD_IDLE_NOW: case CMD_STANDBY: case CMD_IDLE: case CMD_SLEEP:
		command_ok(ch, d);
		return;
	}
	if (cd) {
		/* ATA commands to a packet device: aborted with the signature (Linux probes this way). */
		set_signature(d);
		abort_command(ch, d);
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
			command_error(ch, d, IDE_ERR_ABRT);
		else
			command_ok(ch, d);
		return;
	case CMD_SET_MULTIPLE: {
		uint8_t n = d->r.nsector;

		if (n > IDE_MAX_MULT || (n & (n - 1))) {
			abort_command(ch, d);
			return;
		}
		d->r.mult_sectors = n;
		command_ok(ch, d);
		return;
	}
	case CMD_READ_NATIVE_MAX: case CMD_READ_NATIVE_MAX_EXT: {
		uint64_t max = d->nb_units ? d->nb_units - 1 : 0;

		if (!d->r.lba48 && max > 0x0fffffff)
			max = 0x0fffffff;
		d->r.select |= 0x40;
		set_sector(d, max);
		command_ok(ch, d);
		return;
	}
	case CMD_SPECIFY: case CMD_SEEK:
		command_ok(ch, d);
		return;
	case CMD_IDENTIFY_PACKET: case CMD_PACKET: case CMD_DEVICE_RESET:
		/* Packet-device commands: a disk aborts them (how firmware tells the kinds apart). */
		abort_command(ch, d);
		return;
	}
	if ((cmd & 0xf0) == CMD_RECALIBRATE) {
		d->r.lcyl = d->r.hcyl = 0;
		command_ok(ch, d);
		return;
	}
	log_guest("ide", "%s channel: ATA command %#04x not supported: aborted",
		  ch == &ch->ide->ch[0] ? "primary" : "secondary", cmd);
	abort_command(ch, d);
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
	bool medium = medium_ready(d);
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
		atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
		return;
	}
	if (!n) {
		atapi_ok(ch, d);
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

static void atapi_exec(struct ide_channel *ch, struct ide_drive *d)
{
	uint8_t cdb[12];
	uint8_t *b = d->buf;
	uint8_t op;
	bool bad = false, saved = false;
	uint32_t len;

	memcpy(cdb, d->buf, sizeof(cdb));
	op = cdb[0];
	end_transfer(d);
	d->r.atapi_dma = d->r.feature & 1;
	if (op != 0x03) /* sense data describe the last command */
		d->r.sense_key = SENSE_NONE, d->r.asc = 0;
	/* A new medium is reported once, to the first command that may not ignore it. */
	if (d->r.unit_attention && op != 0x12 && op != 0x03 && op != 0x46 && op != 0x4a) {
		d->r.unit_attention = false;
		atapi_error(ch, d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED);
		return;
	}
	if (needs_medium(op) && !medium_ready(d)) {
		atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		return;
	}
	switch (op) {
	case 0x00: /* TEST UNIT READY */
	case 0x2b: /* SEEK */
	case 0xbb: /* SET CD SPEED */
		atapi_ok(ch, d);
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
		memcpy(b + 8, "HVMDM   ", 8);
		memcpy(b + 16, "DVD-ROM         ", 16);
		memcpy(b + 32, "0.2 ", 4);
		atapi_reply(ch, d, 36, be16(cdb + 3));
		return;
	case 0x1b: { /* START STOP UNIT */
		bool loej = cdb[4] & 2, start = cdb[4] & 1;

		if (loej && !start) {
			if (d->r.locked) {
				atapi_error(ch, d, SENSE_NOT_READY, ASC_REMOVAL_PREVENTED);
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
		atapi_ok(ch, d);
		return;
	}
	case 0x1e: /* PREVENT ALLOW MEDIUM REMOVAL */
		d->r.locked = cdb[4] & 1;
		atapi_ok(ch, d);
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
			b[5] = (uint8_t)((medium_ready(d) ? 2 : 0) | (d->r.tray_open ? 1 : 0));
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
			atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_SAVING_UNSUPPORTED);
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
		atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return;
	}
	atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
}

/* ------------------------------------------------------------ data register */

/* A PIO block has been read to its end. */
static void pio_in_block_done(struct ide_channel *ch, struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;
	bool atapi = d->kind == IDE_KIND_CD;

	if (atapi && r->data_pos < r->data_end) {
		atapi_drq_block(ch, d);
		return;
	}
	if (r->source == IDE_SRC_SECTORS && r->remaining) {
		if (fill_buffer(d)) {
			if (atapi)
				atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
			else
				command_error(ch, d, IDE_ERR_UNC | IDE_ERR_ABRT);
			return;
		}
		if (atapi) {
			atapi_drq_block(ch, d);
		} else {
			set_sector(d, r->lba - r->data_end / 512);
			r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
			raise_irq(ch);
		}
		return;
	}
	if (atapi) {
		atapi_ok(ch, d);
		return;
	}
	/* The last block of a PIO read ends without an interrupt. */
	if (r->source == IDE_SRC_SECTORS) {
		set_sector(d, r->lba);
		r->nsector = 0;
	}
	end_transfer(d);
	r->status = IDE_STAT_READY | IDE_STAT_SEEK;
}

static void pio_out_block_done(struct ide_channel *ch, struct ide_drive *d)
{
	struct ide_drive_regs *r = &d->r;

	if (r->xfer == IDE_XFER_PACKET) {
		atapi_exec(ch, d);
		return;
	}
	if (flush_buffer(d)) {
		command_error(ch, d, IDE_ERR_ABRT);
		return;
	}
	set_sector(d, r->lba);
	if (r->remaining) {
		next_write_block(d);
		r->status = IDE_STAT_READY | IDE_STAT_SEEK | IDE_STAT_DRQ;
		raise_irq(ch);
		return;
	}
	r->nsector = 0;
	command_ok(ch, d);
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
	lower_irq(ch);
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
			end_transfer(d);
			d->r.status = IDE_STAT_BUSY | IDE_STAT_SEEK;
			d->r.error = 0x01;
		}
	} else if ((old & IDE_CTL_SRST) && !(now & IDE_CTL_SRST)) {
		for (unsigned int i = 0; i < 2; i++)
			if (ch->drive[i].kind != IDE_KIND_NONE)
				drive_reset(&ch->drive[i], false);
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
			bm_run(ch);
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
				drive_reset(&ch->drive[i], true);
			else
				memset(&ch->drive[i].r, 0, sizeof(ch->drive[i].r));
		ch->cur = 0;
		ch->devctl = 0;
		ch->bm_cmd = 0;
		ch->bm_status = 0;
		ch->bm_prd = 0;
		lower_irq(ch);
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
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive *dr = piix_ide_drive(s, i);

		dr->blk.fd = -1;
		dr->kind = cfg ? cfg[i].kind : IDE_KIND_NONE;
		snprintf(dr->serial, sizeof(dr->serial), "HVMDM%05u", i + 1);
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
