// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PIIX3 IDE function: "ide" in hvmdm's layout, qemu-xen-traditional's
 * (hw/ide.c pci_ide_save) and upstream QEMU's (hw/ide/pci.c, hw/ide/core.c).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

/* Bytes of put_ide_regs: task file 13, settings 3, command 4, le64, 7 x le32, 7 flags. */
#define IDE_V4_REGS_LEN 63

static void put_ide_regs(struct wbuf *w, const struct ide_drive_regs *r)
{
	const uint8_t tf[] = { r->feature, r->error, r->nsector, r->sector, r->lcyl, r->hcyl,
			       r->select, r->status, r->hob_feature, r->hob_nsector,
			       r->hob_sector, r->hob_lcyl, r->hob_hcyl };

	put_bytes(w, tf, sizeof(tf));
	put_u8(w, r->mult_sectors);
	put_u8(w, r->xfer_mode);
	put_u8(w, r->write_cache);
	put_u8(w, r->cmd);
	put_u8(w, r->xfer);
	put_u8(w, r->source);
	put_u8(w, r->lba48);
	put_le64(w, r->lba);
	put_le32(w, r->remaining);
	put_le32(w, r->unit);
	put_le32(w, r->chunk);
	put_le32(w, r->drq_len);
	put_le32(w, r->data_pos);
	put_le32(w, r->data_end);
	put_le32(w, r->drq_end);
	put_u8(w, r->sense_key);
	put_u8(w, r->asc);
	put_u8(w, r->unit_attention);
	put_u8(w, r->locked);
	put_u8(w, r->tray_open);
	put_u8(w, r->media_event);
	put_u8(w, r->atapi_dma);
}

static void enc_ide(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct ide_state *s = &st->ide;

	(void)slot;
	put_pci(w, &s->pci);
	put_le16(w, s->unplugged);
	for (unsigned int c = 0; c < IDE_CHANNELS; c++) {
		put_u8(w, s->ch[c].cur);
		put_u8(w, s->ch[c].devctl);
		put_u8(w, s->ch[c].bm_cmd);
		put_u8(w, s->ch[c].bm_status);
		put_u8(w, s->ch[c].irq_pending);
		put_le32(w, s->ch[c].bm_prd);
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		const struct ide_drive_state *d = &s->drive[i];

		put_u8(w, d->kind);
		put_ide_regs(w, &d->r);
		put_le32(w, d->buf_len);
		put_bytes(w, d->buf, d->buf_len);
	}
	put_u8(w, s->identity);
}

static int get_ide_regs(struct rbuf *r, struct decode_ctx *c, struct ide_drive_regs *g)
{
	uint8_t tf[13];

	get_bytes(r, tf, sizeof(tf));
	g->feature = tf[0], g->error = tf[1], g->nsector = tf[2], g->sector = tf[3];
	g->lcyl = tf[4], g->hcyl = tf[5], g->select = tf[6], g->status = tf[7];
	g->hob_feature = tf[8], g->hob_nsector = tf[9], g->hob_sector = tf[10];
	g->hob_lcyl = tf[11], g->hob_hcyl = tf[12];
	g->mult_sectors = get_u8(r);
	g->xfer_mode = get_u8(r);
	GET_FLAG(r, c, g->write_cache);
	g->cmd = get_u8(r);
	g->xfer = get_u8(r);
	g->source = get_u8(r);
	GET_FLAG(r, c, g->lba48);
	g->lba = get_le64(r);
	g->remaining = get_le32(r);
	g->unit = get_le32(r);
	g->chunk = get_le32(r);
	g->drq_len = get_le32(r);
	g->data_pos = get_le32(r);
	g->data_end = get_le32(r);
	g->drq_end = get_le32(r);
	g->sense_key = get_u8(r);
	g->asc = get_u8(r);
	GET_FLAG(r, c, g->unit_attention);
	GET_FLAG(r, c, g->locked);
	GET_FLAG(r, c, g->tray_open);
	g->media_event = get_u8(r);
	GET_FLAG(r, c, g->atapi_dma);
	return 0;
}

/* Versions 4 and 5: 5 adds the drives' identity, which 4's producers (hvmdm 0.1-0.2) had as hvmdm's own. */
static int dec_ide_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct ide_state *s = &c->st->ide;

	memset(s, 0, sizeof(*s));
	get_pci(r, &s->pci);
	s->unplugged = get_le16(r);
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		s->ch[ch].cur = get_u8(r);
		s->ch[ch].devctl = get_u8(r);
		s->ch[ch].bm_cmd = get_u8(r);
		s->ch[ch].bm_status = get_u8(r);
		GET_FLAG(r, c, s->ch[ch].irq_pending);
		s->ch[ch].bm_prd = get_le32(r);
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_state *d = &s->drive[i];
		size_t at;

		d->kind = get_u8(r);
		if (get_ide_regs(r, c, &d->r))
			return -1;
		at = r->pos;
		d->buf_len = get_le32(r);
		if (r->short_read)
			break;
		if (d->buf_len > IDE_SAVE_BUF)
			return dec_fail(c, at, "IDE buffer longer than any waiting transfer (16 KiB)", NULL);
		get_bytes(r, d->buf, d->buf_len);
	}
	s->identity = IDE_IDENTITY_HVMDM;
	if (c->rec->version >= 5) {
		size_t id_at = r->pos;

		s->identity = get_u8(r);
		if (!r->short_read && s->identity > IDE_IDENTITY_LAST)
			return dec_fail(c, id_at, "drive identity %s is none hvmdm knows (0 QEMU, 1 qemu-xen-traditional, 2 hvmdm 0.2)", "");
	}
	return dec_finish(r, c);
}

/*
 * qemu-xen-traditional v3 (hw/ide.c pci_ide_save/ide_save): PCI common part;
 * per bus master u8 cmd, u8 status, be32 addr, be64 sector_num, be32
 * nsector, u8 ifidx; per channel u8 cmd (device control), u8 drive 1
 * selected; per drive be32 mult_sectors, be32 identify_set, [identify
 * data[512]], u8 write_cache, feature, error, be32 nsector, u8 sector, lcyl,
 * hcyl, hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl, select,
 * status, lba48, sense_key, asc. Which drives exist is not in the stream: the
 * drives stay this machine's (the toolstack passes the same disks). A
 * transfer in flight was never saved ("XXX: if a transfer is pending, we do
 * not save it yet"): such a drive comes back idle, and the report says so.
 */
/*
 * One drive as both foreign producers save it (qemu-xen-traditional hw/ide.c
 * ide_save, upstream hw/ide/core.c vmstate_ide_drive): be32 mult_sectors,
 * be32 identify_set, [identify data], traditional only u8 write_cache, u8
 * feature, error, be32 nsector, u8 sector, lcyl, hcyl, the five HOB bytes
 * (upstream swaps hob_sector and hob_nsector), select, status, lba48,
 * sense_key, asc, upstream only u8 cdrom_changed.
 */
static int get_foreign_drive(struct rbuf *r, struct decode_ctx *c, struct ide_drive_regs *g,
			     bool upstream, uint32_t *nsector)
{
	size_t at = r->pos;
	uint32_t mult = get_be32(r), identify_set;

	if (!r->short_read && (mult > IDE_MAX_MULT || (mult & (mult - 1))))
		return dec_fail(c, at, "IDE multiple-sector count not 0 or a power of two up to 16", NULL);
	memset(g, 0, sizeof(*g));
	g->mult_sectors = (uint8_t)mult;
	g->write_cache = true;
	at = r->pos;
	identify_set = get_be32(r);
	if (!r->short_read && identify_set > 1)
		return dec_fail(c, at, "identify_set is neither 0 nor 1", NULL);
	if (identify_set) {
		uint8_t identify[512]; /* regenerated from the drive, as QEMU does on reset */

		get_bytes(r, identify, sizeof(identify));
		g->write_cache = identify[85 * 2] & 0x20; /* word 85 bit 5: write cache on */
	}
	if (!upstream)
		GET_FLAG(r, c, g->write_cache);
	g->feature = get_u8(r);
	g->error = get_u8(r);
	*nsector = get_be32(r); /* a command's whole count: 256 or 65536 where the register says 0 */
	g->nsector = (uint8_t)*nsector;
	g->sector = get_u8(r);
	g->lcyl = get_u8(r);
	g->hcyl = get_u8(r);
	g->hob_feature = get_u8(r);
	if (upstream) {
		g->hob_sector = get_u8(r);
		g->hob_nsector = get_u8(r);
	} else {
		g->hob_nsector = get_u8(r);
		g->hob_sector = get_u8(r);
	}
	g->hob_lcyl = get_u8(r);
	g->hob_hcyl = get_u8(r);
	g->select = get_u8(r);
	g->status = get_u8(r);
	GET_FLAG(r, c, g->lba48);
	g->sense_key = get_u8(r);
	g->asc = get_u8(r);
	if (upstream)
		g->unit_attention = get_u8(r) != 0; /* cdrom_changed */
	g->unit = 512;
	return 0;
}

/*
 * Neither foreign producer's transfer state can be resumed: a drive that was
 * busy or asking for data comes back idle. Returns whether it was. The drive
 * kinds stay this machine's (neither producer says which drives exist).
 */
static bool settle_foreign_drive(struct ide_drive_state *d, uint8_t kind)
{
	struct ide_drive_regs *g = &d->r;
	bool busy = false;

	if (g->status & (IDE_STAT_BUSY | IDE_STAT_DRQ)) {
		busy = kind != IDE_KIND_NONE;
		g->status = (uint8_t)((g->status & ~(IDE_STAT_BUSY | IDE_STAT_DRQ)) |
				      IDE_STAT_READY | IDE_STAT_SEEK);
	}
	d->kind = kind;
	d->buf_len = 0;
	if (kind == IDE_KIND_NONE)
		memset(g, 0, sizeof(*g));
	return busy;
}

static int dec_ide_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct ide_state *s = &c->st->ide;
	bool busy = false;

	if (get_trad_pci(r, c, &s->pci))
		return -1;
	s->identity = IDE_IDENTITY_TRAD; /* the guest knows the drives as qemu-dm's */
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		s->ch[ch].bm_cmd = get_u8(r) & (BM_CMD_START | BM_CMD_TO_MEMORY);
		s->ch[ch].bm_status = get_u8(r) & (BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT |
						   BM_STATUS_DRIVE_DMA);
		s->ch[ch].bm_prd = get_be32(r) & ~3u;
		get_be64(r); /* sector_num, nsector, ifidx: the DMA in flight, never resumed */
		get_be32(r);
		get_u8(r);
	}
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		s->ch[ch].devctl = get_u8(r);
		s->ch[ch].cur = get_u8(r) ? 1 : 0;
		s->ch[ch].irq_pending = false; /* the ISA line level lives in Xen's PIC */
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		uint8_t kind = s->drive[i].kind; /* this machine's drive */
		uint32_t nsector;

		if (get_foreign_drive(r, c, &s->drive[i].r, false, &nsector))
			return -1;
		busy |= settle_foreign_drive(&s->drive[i], kind);
	}
	if (dec_finish(r, c))
		return -1;
	if (busy)
		load_note(c->rep, "ide: a transfer was in flight; qemu-xen-traditional does not save one, so the drive resumes idle");
	return 0;
}

/* Upstream subsections of the IDE record, kept while one struct is read. */
struct up_ide {
	struct ide_state *s;
	unsigned int idx; /* bus master, bus or drive being read */
	bool bm_status_seen[IDE_CHANNELS];
	bool in_flight;   /* a PIO transfer or a retry QEMU would resume */
	uint8_t tray[IDE_DRIVES][2];
	bool tray_seen[IDE_DRIVES];
	bool retry[IDE_CHANNELS]; /* ide_bus/error: QEMU would run the command again */
	/* ide_drive/pio_state; io_buffer's first IDE_SAVE_BUF bytes went to the drive's buf */
	struct {
		bool seen;
		uint32_t req_nb_sectors, offset, len;
		uint8_t end_fn;
	} pio[IDE_DRIVES];
};

static struct up_ide *up_ide_cur; /* decoders run one at a time, under the caller's lock */

static int get_bmdma_current(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c, (void)v;
	for (unsigned int i = 0; i < 4; i++)
		get_be32(r); /* QEMU's PRD cursor: a transfer in flight is not resumed */
	return 0;
}

static int get_bmdma_status(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c, (void)v;
	up_ide_cur->s->ch[up_ide_cur->idx].bm_status = get_u8(r);
	up_ide_cur->bm_status_seen[up_ide_cur->idx] = true;
	return 0;
}

static int get_ide_bus_error(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c;
	if (get_be32(r)) {
		up_ide_cur->in_flight = true; /* a DMA or PIO request QEMU would retry */
		up_ide_cur->retry[up_ide_cur->idx] = true;
	}
	if (v >= 2) {
		get_be64(r);
		get_be32(r);
		get_u8(r);
	}
	return 0;
}

/*
 * QEMU hw/ide/core.c vmstate_ide_drive_pio_state: be32 req_nb_sectors,
 * io_buffer[io_buffer_total_len = 256 * 512 + 4], be32 cur_io_buffer_offset
 * (data_ptr - io_buffer), be32 cur_io_buffer_len (data_end - data_ptr), u8
 * end_transfer_fn_idx, be32 elementary_transfer_size, be32
 * packet_transfer_size. A PIO block never starts past io_buffer's head, so
 * the head is all a transfer hvmdm can take over needs.
 */
static int get_ide_pio_state(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	struct up_ide *u = up_ide_cur;
	struct ide_drive_state *d = &u->s->drive[u->idx];
	uint8_t skip[4096];
	size_t left = 256 * 512 + 4 - IDE_SAVE_BUF;

	(void)c, (void)v;
	u->pio[u->idx].req_nb_sectors = get_be32(r);
	get_bytes(r, d->buf, IDE_SAVE_BUF);
	while (left && !r->short_read) {
		size_t n = left < sizeof(skip) ? left : sizeof(skip);

		get_bytes(r, skip, n);
		left -= n;
	}
	u->pio[u->idx].offset = get_be32(r);
	u->pio[u->idx].len = get_be32(r);
	u->pio[u->idx].end_fn = get_u8(r);
	get_be32(r), get_be32(r); /* ATAPI reply progress: such a reply is not taken over */
	u->pio[u->idx].seen = true;
	return 0;
}

/* QEMU hw/ide/core.c transfer_end_table: what ends a PIO block (end_transfer_fn_idx). */
enum { QEMU_END_SECTOR_READ, QEMU_END_SECTOR_WRITE, QEMU_END_TRANSFER_STOP,
       QEMU_END_ATAPI_REPLY, QEMU_END_ATAPI_CMD };

/*
 * A PIO block QEMU saved while the guest was moving it, taken over as hvmdm's
 * own: a sector read or write in LBA addressing (QEMU's task file then holds
 * the next sector to read, or the first of the block being written, and its
 * nsector what is left after, or including, that block), a buffer read
 * (IDENTIFY) or an ATAPI packet being written. Anything else (a CHS transfer
 * whose geometry may differ here, an ATAPI reply, a retry) returns false and
 * the drive is settled idle. Every value is checked against the layout
 * QEMU's own code gives it; the image bounds are checked at load.
 */
static bool take_over_pio(struct up_ide *u, unsigned int i, uint8_t kind, uint32_t nsector)
{
	struct ide_drive_state *d = &u->s->drive[i];
	struct ide_drive_regs *g = &d->r;
	uint32_t off = u->pio[i].offset, len = u->pio[i].len, end = off + len;
	uint32_t req = u->pio[i].req_nb_sectors;

	if (!u->pio[i].seen || u->retry[i / 2] || (g->status & (IDE_STAT_BUSY | IDE_STAT_DRQ)) != IDE_STAT_DRQ)
		return false;
	if (off > IDE_SAVE_BUF || len == 0 || len > IDE_SAVE_BUF || end > IDE_SAVE_BUF)
		return false;
	switch (u->pio[i].end_fn) {
	case QEMU_END_SECTOR_READ:
	case QEMU_END_SECTOR_WRITE: {
		bool write = u->pio[i].end_fn == QEMU_END_SECTOR_WRITE;

		if (kind != IDE_KIND_DISK || !(g->select & 0x40) || req == 0 || req > IDE_MAX_MULT ||
		    end % 512 || end / 512 > req || (write && end / 512 > nsector))
			return false;
		g->xfer = write ? IDE_XFER_PIO_OUT : IDE_XFER_PIO_IN;
		g->source = IDE_SRC_SECTORS;
		g->unit = 512;
		g->chunk = req;
		g->remaining = nsector;
		if (g->lba48)
			g->lba = (uint64_t)g->hob_hcyl << 40 | (uint64_t)g->hob_lcyl << 32 |
				 (uint64_t)g->hob_sector << 24 | (uint64_t)g->hcyl << 16 |
				 (uint64_t)g->lcyl << 8 | g->sector;
		else
			g->lba = (uint64_t)(g->select & 0xf) << 24 | (uint64_t)g->hcyl << 16 |
				 (uint64_t)g->lcyl << 8 | g->sector;
		g->drq_len = end;
		break;
	}
	case QEMU_END_TRANSFER_STOP:
		if (kind == IDE_KIND_NONE)
			return false;
		g->xfer = IDE_XFER_PIO_IN;
		g->source = IDE_SRC_BUFFER;
		g->remaining = 0;
		g->drq_len = end;
		break;
	case QEMU_END_ATAPI_CMD: {
		uint32_t limit = (uint32_t)g->hcyl << 8 | g->lcyl;

		if (kind != IDE_KIND_CD || end != 12)
			return false;
		/* as hvmdm's PACKET command sets it: the byte count limit, even, 0 and 0xffff as 0xfffe */
		if (limit == 0 || limit == 0xffff)
			limit = 0xfffe;
		limit &= ~1u;
		g->drq_len = limit ? limit : 2;
		g->atapi_dma = g->feature & 1;
		g->xfer = IDE_XFER_PACKET;
		g->source = IDE_SRC_BUFFER;
		break;
	}
	default:
		return false;
	}
	g->data_pos = off;
	g->data_end = g->drq_end = end;
	d->buf_len = end;
	d->kind = kind;
	return true;
}

static int get_ide_tray_state(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	(void)c, (void)v;
	up_ide_cur->tray[up_ide_cur->idx][0] = get_u8(r);
	up_ide_cur->tray[up_ide_cur->idx][1] = get_u8(r);
	up_ide_cur->tray_seen[up_ide_cur->idx] = true;
	return 0;
}

static int get_ide_gesn_state(struct rbuf *r, struct decode_ctx *c, uint32_t v)
{
	struct ide_drive_regs *g = &up_ide_cur->s->drive[up_ide_cur->idx].r;

	(void)c, (void)v;
	if (get_u8(r))
		g->media_event = 2; /* new_media */
	get_u8(r);              /* eject_request: QEMU's host-side request */
	return 0;
}

/*
 * Upstream QEMU ide v3 (hw/ide/pci.c vmstate_ide_pci, hw/ide/core.c
 * vmstate_ide_drive; layout in state/vmstate.c): PCIDevice; 2 x bmdma (u8
 * cmd, u8 compat status, be32 addr, be64/be32/u8 retry, subsections
 * current and status); 2 x bus (u8 cmd = device control, u8 unit,
 * subsection error); 4 x drive (be32 mult_sectors, be32 identify_set,
 * [512], u8 feature, error, be32 nsector, u8 sector, lcyl, hcyl,
 * hob_feature, hob_sector, hob_nsector, hob_lcyl, hob_hcyl, select, status,
 * lba48, sense_key, asc, cdrom_changed, subsections pio_state, tray_state,
 * atapi/gesn_state). As for the traditional layout, which drives exist is
 * this machine's. A PIO block the guest was moving (pio_state) is taken
 * over where take_over_pio can; another transfer in flight (a retry, an
 * ATAPI reply) is not resumed: the drive comes back idle and the report
 * says so.
 */
static int dec_ide_upstream(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub bm_subs[] = { { "ide bmdma_current", 1, 1, get_bmdma_current },
						 { "ide bmdma/status", 1, 1, get_bmdma_status } };
	static const struct up_sub bus_subs[] = { { "ide_bus/error", 1, 2, get_ide_bus_error } };
	static const struct up_sub drive_subs[] = { { "ide_drive/pio_state", 1, 1, get_ide_pio_state },
						    { "ide_drive/tray_state", 1, 1, get_ide_tray_state },
						    { "ide_drive/atapi/gesn_state", 1, 1, get_ide_gesn_state } };
	struct ide_state *s = &c->st->ide;
	struct up_ide u = { .s = s };
	uint8_t compat[IDE_CHANNELS];
	unsigned int taken = 0;
	int rc = -1;

	up_ide_cur = &u;
	if (get_upstream_pci(r, c, &s->pci))
		goto out;
	s->identity = IDE_IDENTITY_QEMU; /* the guest knows the drives as QEMU's */
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		u.idx = ch;
		s->ch[ch].bm_cmd = get_u8(r) & (BM_CMD_START | BM_CMD_TO_MEMORY);
		compat[ch] = get_u8(r);
		s->ch[ch].bm_prd = get_be32(r) & ~3u;
		get_be64(r), get_be32(r), get_u8(r);
		if (get_up_subsections(r, c, bm_subs, 2))
			goto out;
	}
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		size_t at = r->pos;

		u.idx = ch;
		s->ch[ch].devctl = get_u8(r);
		s->ch[ch].cur = get_u8(r);
		if (!r->short_read && s->ch[ch].cur > 1) {
			rc = dec_fail(c, at + 1, "an IDE bus selects a unit other than 0 or 1", NULL);
			goto out;
		}
		s->ch[ch].irq_pending = false; /* the ISA line level lives in Xen's PIC */
		if (get_up_subsections(r, c, bus_subs, 1))
			goto out;
		/* QEMU ide_bmdma_post_load: the compat byte carries retry flags in bits 3-6. */
		if (!u.bm_status_seen[ch]) {
			s->ch[ch].bm_status = compat[ch] & (uint8_t)~0x78;
			if (compat[ch] & 0x78)
				u.in_flight = u.retry[ch] = true;
		}
		s->ch[ch].bm_status &= BM_STATUS_ACTIVE | BM_STATUS_ERROR | BM_STATUS_INT |
				       BM_STATUS_DRIVE_DMA;
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_regs *g = &s->drive[i].r;
		uint8_t kind = s->drive[i].kind;
		uint32_t nsector;

		u.idx = i;
		if (get_foreign_drive(r, c, g, true, &nsector) ||
		    get_up_subsections(r, c, drive_subs, 3))
			goto out;
		if (u.tray_seen[i]) {
			g->tray_open = u.tray[i][0] != 0;
			g->locked = u.tray[i][1] != 0;
		}
		if (!r->short_read && take_over_pio(&u, i, kind, nsector))
			taken++;
		else
			u.in_flight |= settle_foreign_drive(&s->drive[i], kind);
	}
	rc = dec_finish(r, c);
	if (!rc && taken)
		load_note(c->rep, "ide: QEMU's PIO transfer in flight is taken over: the guest goes on moving its data");
	if (!rc && u.in_flight)
		load_note(c->rep, "ide: QEMU had a transfer in flight hvmdm cannot take over (a CHS or ATAPI reply transfer, or a retry); the drive resumes idle");
out:
	up_ide_cur = NULL;
	return rc;
}

/* Version 3 is both producers' number for two different layouts: the reader says whose. */
static int dec_ide_v3(struct rbuf *r, struct decode_ctx *c)
{
	return c->rec->flags & RECORD_UPSTREAM ? dec_ide_upstream(r, c) : dec_ide_trad(r, c);
}

/* qemu-xen-traditional hw/ide.c ide_save: which drives have IDENTIFY data, and of which kind. */
static int trad_ide_drive_kinds(const struct stream_record *rec, uint8_t kinds[IDE_DRIVES])
{
	struct rbuf r;

	rbuf_init(&r, rec->payload, rec->payload_len);
	/* PCI common part: be32 inner version, config[256], inner version 2 adds 4 be32 INTx levels. */
	switch (get_be32(&r)) {
	case 1:
		r.pos = 4 + PCI_CONFIG_SIZE;
		break;
	case 2:
		r.pos = 4 + PCI_CONFIG_SIZE + 16;
		break;
	default:
		return -1;
	}
	r.pos += IDE_CHANNELS * 19 + IDE_CHANNELS * 2; /* bus masters, channels */
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		uint32_t identify_set;

		get_be32(&r); /* mult_sectors */
		identify_set = get_be32(&r);
		kinds[i] = IDE_KIND_NONE;
		if (identify_set) {
			/* Word 0, general configuration: 10b in bits 15-14 is an ATAPI device. */
			uint16_t word0 = get_le16(&r);

			kinds[i] = (word0 & 0xc000) == 0x8000 ? IDE_KIND_CD : IDE_KIND_DISK;
			r.pos += 510;
		}
		r.pos += 20;
		if (r.short_read || r.pos > r.len)
			return -1;
	}
	return 0;
}

int ide_record_drive_kinds(const struct stream_record *rec, uint8_t kinds[IDE_DRIVES])
{
	struct rbuf r;

	if (strcmp(rec->idstr, "ide"))
		return -1;
	if (rec->version == 3 && !(rec->flags & RECORD_UPSTREAM))
		return trad_ide_drive_kinds(rec, kinds);
	if (rec->version != 4 && rec->version != 5) /* 5: 4's drives, then the identity byte */
		return -1;
	rbuf_init(&r, rec->payload, rec->payload_len);
	r.pos = PCI_CONFIG_SIZE + 1 + 2 + IDE_CHANNELS * 9;
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		if (r.pos + 1 + IDE_V4_REGS_LEN + 4 > r.len)
			return -1;
		kinds[i] = get_u8(&r);
		r.pos += IDE_V4_REGS_LEN;
		r.pos += get_le32(&r);
		if (r.short_read || r.pos > r.len || kinds[i] > IDE_KIND_CD)
			return -1;
	}
	return 0;
}

static const struct record_version ide_versions[] = {
	{ 1, RV_RESERVED, "older QEMU (ISA/PCI IDE before version 3)", "unknown", NULL },
	{ 2, RV_RESERVED, "older QEMU (ISA/PCI IDE before version 3)", "unknown", NULL },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional hw/ide.c pci_ide_save; upstream QEMU 0000:00:01.1/ide (VMState, a different layout)",
	  "trad: PCI common part, 2 x bmdma (u8 cmd, u8 status, be32 addr, be64 sector, be32 nsector, u8 if), 2 x (u8 devctl, u8 drive1), 4 x drive | upstream: VMState PCIDevice, bmdma, ide_bus, ide_drive", dec_ide_v3 },
	{ 4, RV_ACCEPTED, "hvmdm 0.2",
	  "config[256], u8 intx, le16 unplugged, 2 x (u8 cur, devctl, bm_cmd, bm_status, irq_pending, le32 prd), 4 x (u8 kind, task file[13], u8 mult, xfer_mode, write_cache, cmd, xfer, source, lba48, le64 lba, le32 remaining unit chunk drq_len data_pos data_end drq_end, u8 sense_key asc unit_attention locked tray_open media_event atapi_dma, le32 buf_len, buf)",
	  dec_ide_v4 },
	{ 5, RV_WRITTEN, "hvmdm 0.3",
	  "version 4, then u8 identity: who the drives present themselves as (0 QEMU 7.2, 1 qemu-xen-traditional, 2 hvmdm 0.2)",
	  dec_ide_v4 },
};

/* hw/ide.c pci_ide_save: PCI part, 42 bytes of bus masters and channels, 4 drives of 28 bytes (+512 with IDENTIFY data). */
static long trad_ide_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	long pci = trad_pci_size(pk->p, pk->left), at;

	(void)erratum, (void)why;
	if (v != 3 || pci < 0)
		return -1;
	at = pci + 42;
	for (int d = 0; d < 4; d++) {
		const uint8_t *identify_set;

		if ((size_t)at + 8 > pk->left)
			return -1;
		identify_set = pk->p + at + 4;
		at += 8 + ((identify_set[0] | identify_set[1] | identify_set[2] | identify_set[3]) ? 512 : 0) + 20;
	}
	return at;
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
/*
 * The stock device models present their own drive identity (QEMU's model
 * and QM0000n serials); a guest that knew its disks as hvmdm 0.2's would
 * see other disks there, and Linux's libata drops a disk whose model or
 * serial changed. Refused, naming the way out: a guest rebooted on this
 * hvmdm knows its disks as QEMU's.
 */
static int ide_identity_refused(const struct ide_state *s, const char *to, char *err, size_t errlen)
{
	if (s->identity != IDE_IDENTITY_HVMDM)
		return 0;
	snprintf(err, errlen, "ide: the guest knows its drives as \"HVMDM HARDDISK\" (serial HVMDM0000n, from hvmdm 0.2 or earlier); %s presents them as \"QEMU HARDDISK\" (QM0000n) and the guest would drop them: reboot the guest on this hvmdm once, which presents QEMU's identity, then move it",
		 to);
	return -1;
}

static int trad_ide_write(struct trad_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	const struct ide_state *s = &st->ide;
	struct wbuf *w = trad_payload(t);

	/* Every traditional machine has the PIIX3 IDE function (hw/pc.c pc_init1). */
	if (!m->has_ide)
		return 0;
	if (ide_identity_refused(s, "qemu-xen-traditional", err, errlen))
		return -1;
	if (s->identity == IDE_IDENTITY_QEMU)
		load_note(rep, "ide: the drives' firmware revision reads 0.10.2 there, 2.5+ here (model and serial are the same)");
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
	trad_section(t, "ide", 0, 3);
	if (s->unplugged)
		load_note(rep, "ide: drives %#x unplugged by the guest's PV drivers; the traditional model keeps that outside the save file",
			  s->unplugged);
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */

VM_SUB(bmdma_current, "ide bmdma_current", 1, VM_F(4, 4));
VM_SUB(bmdma_status, "ide bmdma/status", 1, VM_F(1, 1));
static const struct vmd *const bmdma_subs[] = { &bmdma_current, &bmdma_status };
static const struct vmf bmdma_f[] = { VM_F(1, 2), VM_F(4, 1), VM_F(8, 1), VM_F(4, 1), VM_F(1, 1) };
VM_DESC_SUBS(bmdma, "ide bmdma", 3, 0, bmdma_f, bmdma_subs);
static const struct vmf ide_bus_error_f[] = { VM_F(4, 1), VM_FV(8, 1, 2), VM_FV(4, 1, 2), VM_FV(1, 1, 2) };
static const struct vmd ide_bus_error = { "ide_bus/error", 2, 1, ide_bus_error_f,
					  VM_NELEMS(ide_bus_error_f), NULL, 0, NULL };
static const struct vmd *const ide_bus_subs[] = { &ide_bus_error };
static const struct vmf ide_bus_f[] = { VM_F(1, 2) };
VM_DESC_SUBS(ide_bus, "ide_bus", 1, 1, ide_bus_f, ide_bus_subs);
/* io_buffer: the destination's io_buffer_total_len, IDE_DMA_BUF_SECTORS * 512 + 4. */
VM_SUB(ide_pio_state, "ide_drive/pio_state", 1, VM_F(4, 1), VM_F(1, 256 * 512 + 4), VM_F(4, 2), VM_F(1, 1), VM_F(4, 2));
VM_SUB(ide_tray_state, "ide_drive/tray_state", 1, VM_F(1, 2));
VM_SUB(ide_gesn_state, "ide_drive/atapi/gesn_state", 1, VM_F(1, 2));
static const struct vmd *const ide_drive_subs[] = { &ide_pio_state, &ide_tray_state, &ide_gesn_state };
static const struct vmf ide_drive_f[] = {
	VM_F(4, 1), VM_F(4, 1), VM_IF_SET(1, 512),        /* mult_sectors, identify_set, identify_data */
	VM_F(1, 2), VM_F(4, 1), VM_F(1, 3), VM_F(1, 5), VM_F(1, 5), /* feature .. asc */
	VM_FV(1, 1, 3),                              /* cdrom_changed */
};
VM_DESC_SUBS(ide_drive, "ide_drive", 3, 0, ide_drive_f, ide_drive_subs);
static const struct vmf ide_f[] = { VM_STRUCT(vmd_pci_device, 1, 0), VM_STRUCT(bmdma, 2, 0),
				    VM_STRUCT(ide_bus, 2, 1), VM_STRUCT(ide_drive, 4, 3) };
VM_DESC(ide_vm, "ide", 3, 0, ide_f);

/*
 * A drive's transfer as QEMU holds it. A PIO block the guest is moving goes
 * in ide_drive/pio_state as take_over_pio reads it (the inverse: the task
 * file's sector is the next to read, or the first of the block being
 * written, nsector what is left after, or including, it). A DMA command
 * waiting for the bus master becomes the retry QEMU's own ide_bmdma_pre_save
 * makes of one (IDE_RETRY_DMA, with IDE_RETRY_READ for a read), which QEMU
 * issues again at load. An ATAPI reply or CD read half taken, or a CHS
 * transfer, QEMU cannot resume: refused, so the save can be tried again.
 */
enum { QEMU_RETRY_DMA = 0x08, QEMU_RETRY_READ = 0x20 };

struct up_drive_xfer {
	uint8_t end_fn;
	bool pio;
	uint32_t retry; /* the bus's error_status */
};

static int up_drive_xfer(const struct ide_drive_state *d, unsigned int i, struct up_drive_xfer *x,
			 char *err, size_t errlen)
{
	const struct ide_drive_regs *g = &d->r;

	memset(x, 0, sizeof(*x));
	switch (g->xfer) {
	case IDE_XFER_NONE:
		return 0;
	case IDE_XFER_DMA_IN:
	case IDE_XFER_DMA_OUT:
		x->retry = QEMU_RETRY_DMA | (g->xfer == IDE_XFER_DMA_IN ? QEMU_RETRY_READ : 0);
		if (d->kind != IDE_KIND_DISK)
			break;
		return 0;
	case IDE_XFER_PACKET:
		x->pio = true;
		x->end_fn = QEMU_END_ATAPI_CMD;
		return 0;
	case IDE_XFER_PIO_IN:
	case IDE_XFER_PIO_OUT:
		x->pio = true;
		if (g->source == IDE_SRC_BUFFER && d->kind == IDE_KIND_DISK) {
			x->end_fn = QEMU_END_TRANSFER_STOP;
			return 0;
		}
		if (g->source == IDE_SRC_SECTORS && d->kind == IDE_KIND_DISK && (g->select & 0x40) &&
		    g->chunk >= 1 && g->chunk <= IDE_MAX_MULT) {
			x->end_fn = g->xfer == IDE_XFER_PIO_IN ? QEMU_END_SECTOR_READ : QEMU_END_SECTOR_WRITE;
			return 0;
		}
		break;
	}
	snprintf(err, errlen, "ide drive %u: a %s transfer is in flight that QEMU cannot resume (an ATAPI reply or CD read, or CHS addressing): save again once it is done",
		 i, g->xfer == IDE_XFER_DMA_IN || g->xfer == IDE_XFER_DMA_OUT ? "DMA" : "PIO");
	return -1;
}

/*
 * hw/ide/pci.c vmstate_ide_pci v3 as QEMU 7.2 writes it: PCIDevice; per
 * bus master u8 cmd, u8 status (the compat byte, with a retry's bits),
 * be32 PRD address, be64/be32/u8 the retry's sector, count and unit; per
 * bus u8 device control, u8 unit, ide_bus/error for a retry; per drive
 * the task file and settings (no IDENTIFY data: QEMU builds it again at the
 * next IDENTIFY), then pio_state, tray_state and atapi/gesn_state where
 * QEMU would write them.
 */
static int up_ide_write(struct up_writer *t, const struct machine *m,
			const struct machine_state *st, struct load_report *rep, char *err,
			size_t errlen)
{
	const struct ide_state *s = &st->ide;
	struct up_drive_xfer x[IDE_DRIVES];
	struct wbuf *p = up_payload(t);

	if (!m->has_ide)
		return 0;
	if (ide_identity_refused(s, "the stock qemu-xen", err, errlen))
		return -1;
	if (s->identity == IDE_IDENTITY_TRAD)
		load_note(rep, "ide: the drives' firmware revision reads 2.5+ there, 0.10.2 here (model and serial are the same)");
	for (unsigned int i = 0; i < IDE_DRIVES; i++)
		if (up_drive_xfer(&s->drive[i], i, &x[i], err, errlen))
			return -1;
	put_upstream_pci(p, &s->pci);
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		unsigned int i = ch * 2 + s->ch[ch].cur;
		const struct ide_drive_regs *g = &s->drive[i].r;

		/* a retry is the selected drive's (QEMU keeps one per bus) */
		if (x[ch * 2 + (1 - s->ch[ch].cur)].retry) {
			snprintf(err, errlen, "ide channel %u: a DMA command waits on the unselected drive, which QEMU's one retry per bus cannot name",
				 ch);
			return -1;
		}
		put_u8(p, s->ch[ch].bm_cmd);
		put_u8(p, (uint8_t)(s->ch[ch].bm_status | (x[i].retry & 0x78)));
		put_be32(p, s->ch[ch].bm_prd);
		put_be64(p, x[i].retry ? g->lba : 0);
		put_be32(p, x[i].retry ? g->remaining : 0);
		put_u8(p, x[i].retry ? (uint8_t)s->ch[ch].cur : 0);
	}
	for (unsigned int ch = 0; ch < IDE_CHANNELS; ch++) {
		unsigned int i = ch * 2 + s->ch[ch].cur;
		const struct ide_drive_regs *g = &s->drive[i].r;

		put_u8(p, s->ch[ch].devctl);
		put_u8(p, (uint8_t)s->ch[ch].cur);
		if (x[i].retry) {
			put_up_subsection(p, "ide_bus/error", 2);
			put_be32(p, x[i].retry);
			put_be64(p, g->lba);
			put_be32(p, g->remaining);
			put_u8(p, (uint8_t)s->ch[ch].cur);
		}
	}
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		const struct ide_drive_state *d = &s->drive[i];
		const struct ide_drive_regs *g = &d->r;
		uint8_t sector = g->sector, lcyl = g->lcyl, hcyl = g->hcyl, select = g->select;
		uint8_t hob_sector = g->hob_sector, hob_lcyl = g->hob_lcyl, hob_hcyl = g->hob_hcyl;
		uint32_t nsector = g->nsector;

		if (x[i].end_fn == QEMU_END_SECTOR_READ || x[i].end_fn == QEMU_END_SECTOR_WRITE ||
		    x[i].retry) {
			/* QEMU's task file names the sector its next step starts at. */
			sector = (uint8_t)g->lba, lcyl = (uint8_t)(g->lba >> 8), hcyl = (uint8_t)(g->lba >> 16);
			if (g->lba48) {
				hob_sector = (uint8_t)(g->lba >> 24), hob_lcyl = (uint8_t)(g->lba >> 32);
				hob_hcyl = (uint8_t)(g->lba >> 40);
			} else {
				select = (uint8_t)((select & 0xf0) | ((g->lba >> 24) & 0x0f));
			}
			nsector = g->remaining;
		}
		put_be32(p, g->mult_sectors);
		put_be32(p, 0); /* identify_set */
		put_u8(p, g->feature);
		put_u8(p, g->error);
		put_be32(p, nsector);
		put_u8(p, sector);
		put_u8(p, lcyl);
		put_u8(p, hcyl);
		put_u8(p, g->hob_feature);
		put_u8(p, hob_sector);
		put_u8(p, g->hob_nsector);
		put_u8(p, hob_lcyl);
		put_u8(p, hob_hcyl);
		put_u8(p, select);
		put_u8(p, g->status);
		put_u8(p, g->lba48);
		put_u8(p, g->sense_key);
		put_u8(p, g->asc);
		put_u8(p, g->unit_attention);
		if (x[i].pio) {
			put_up_subsection(p, "ide_drive/pio_state", 1);
			put_be32(p, x[i].end_fn <= QEMU_END_SECTOR_WRITE ? g->chunk : 1);
			put_bytes(p, d->buf, d->buf_len);
			put_zeros(p, 256 * 512 + 4 - d->buf_len); /* the rest of io_buffer */
			put_be32(p, g->data_pos);
			put_be32(p, g->data_end - g->data_pos);
			put_u8(p, x[i].end_fn);
			put_be32(p, 0); /* elementary_transfer_size */
			put_be32(p, 0); /* packet_transfer_size */
		}
		if (d->kind == IDE_KIND_CD && (g->tray_open || g->locked)) {
			put_up_subsection(p, "ide_drive/tray_state", 1);
			put_u8(p, g->tray_open);
			put_u8(p, g->locked);
		}
		if (d->kind == IDE_KIND_CD && g->media_event == 2) {
			put_up_subsection(p, "ide_drive/atapi/gesn_state", 1);
			put_u8(p, 1); /* new_media */
			put_u8(p, 0); /* eject_request */
		}
		if (d->kind == IDE_KIND_DISK && !g->write_cache)
			load_note(rep, "ide drive %u: the guest turned its write cache off; QEMU starts with it on until the guest's next SET FEATURES", i);
	}
	if (s->unplugged)
		load_note(rep, "ide: the PV drivers unplugged drives %#x; QEMU's stream has no place for that, and QEMU keeps the drives it is started with",
			  s->unplugged);
	up_section(t, "0000:00:01.1", "ide", 0, 3);
	return 0;
}

static const struct vm_layout ide_up[] = { UPSTREAM_LAYOUT("ide", ide_vm) };

const struct record_kind ide_kind = {
	.idstr = "ide",
	.instances = one_instance,
	.encode = enc_ide,
	KIND_VERSIONS(ide_versions),
	.trad = { .size = trad_ide_size, .write = trad_ide_write, .order = 9 },
	.upstream = { UPSTREAM_LAYOUTS(ide_up), .pci_path = "0000:00:01.1", .write = up_ide_write,
		      .order = 9 },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_ide(const struct machine *m, const struct machine_state *st)
{
	static const char *const kinds[] = { "none", "disk", "cd" };
	static const char *const xfers[] = { "none", "pio-in", "pio-out", "packet", "dma-in", "dma-out" };

	if (!m->has_ide)
		return NULL;
	json_t *ide = json_pack("{s:o, s:i}", "pci", json_pci(&st->ide.pci), "unplugged",
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
			"task_file", json_hex(tf, sizeof(tf)), "mult_sectors", r->mult_sectors,
			"cmd", r->cmd, "transfer", r->xfer <= IDE_XFER_DMA_OUT ? xfers[r->xfer] : "?",
			"lba", json_u64(r->lba), "remaining", (int)r->remaining, "sense_key", r->sense_key,
			"asc", r->asc, "tray_open", r->tray_open, "locked", r->locked,
			"buffered", (int)d->buf_len));
	}
	json_object_set_new(ide, "channels", chans);
	json_object_set_new(ide, "drives", drives);
	return ide;
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_ide(struct machine_state *st)
{
	for (unsigned int i = 0; i < PCI_CONFIG_SIZE; i++)
		st->ide.pci.config[i] = (uint8_t)(11 + i);
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

const struct state_view ide_view = { "ide", view_ide, probe_ide };
