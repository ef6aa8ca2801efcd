// SPDX-License-Identifier: GPL-2.0-only
/* PIIX3 IDE: the bus-master DMA engine (BAR4) walking the guest's PRD table. */
#include "ide_int.h"

#include <stdio.h>
#include <string.h>

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
			if (ide_fill_buffer(d))
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

		ide_next_write_block(d);
		e = prd_copy(ch, c, d->buf, r->data_end, false);
		if (e != DMA_DONE)
			return e;
		if (ide_flush_buffer(d))
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
void ide_bm_run(struct ide_channel *ch)
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
		ide_set_sector(d, d->r.lba);
	switch (e) {
	case DMA_DONE:
		/* A table longer than the data leaves the engine active (ATA/ATAPI-6, PIIX3 2.7.3). */
		if (c.last && !c.left)
			ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		if (atapi) {
			ide_atapi_ok(ch, d);
		} else {
			d->r.nsector = 0;
			ide_command_ok(ch, d);
		}
		break;
	case DMA_SHORT:
		/* QEMU ide_dma_cb: PRDs too short -- ACTIVE cleared, no interrupt. */
		ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		ide_end_transfer(d);
		d->r.status = IDE_STAT_READY | IDE_STAT_SEEK;
		ide_log(ch, "PRD table shorter than the transfer");
		break;
	case DMA_MEM_FAULT:
		ch->bm_status = (uint8_t)((ch->bm_status | BM_STATUS_ERROR) & ~BM_STATUS_ACTIVE);
		ide_log(ch, "DMA outside guest memory or bus mastering disabled");
		if (atapi)
			ide_atapi_error(ch, d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
		else
			ide_abort_command(ch, d);
		break;
	case DMA_IO_ERROR:
		ch->bm_status &= (uint8_t)~BM_STATUS_ACTIVE;
		if (atapi)
			ide_atapi_error(ch, d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
		else
			ide_command_error(ch, d, in ? IDE_ERR_UNC | IDE_ERR_ABRT : IDE_ERR_ABRT);
		break;
	}
}
