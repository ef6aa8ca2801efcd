// SPDX-License-Identifier: GPL-2.0-only
/* fw_cfg, as QEMU's hw/nvram/fw_cfg.c presents it to x86 firmware (docs/specs/fw_cfg.txt). */
#include "fw_cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"

static const struct fw_cfg_entry *current(const struct fw_cfg *s)
{
	uint16_t key = s->cur_entry & 0x3fff; /* bit 14 (write) and 15 (arch) are flags */

	if (s->cur_entry == FW_CFG_INVALID || (s->cur_entry & 0x8000) || key >= FW_CFG_MAX_ENTRY)
		return NULL;
	return &s->entries[key];
}

static void rebuild_dir(struct fw_cfg *s)
{
	uint32_t len = 4 + 64 * s->nr_files;
	uint8_t *d = calloc(1, len);

	if (!d)
		return;
	d[0] = (uint8_t)(s->nr_files >> 24);
	d[1] = (uint8_t)(s->nr_files >> 16);
	d[2] = (uint8_t)(s->nr_files >> 8);
	d[3] = (uint8_t)s->nr_files;
	for (unsigned int i = 0; i < s->nr_files; i++) {
		uint8_t *e = d + 4 + 64 * i;
		uint32_t size = s->entries[FW_CFG_FILE_FIRST + i].len;
		uint16_t sel = (uint16_t)(FW_CFG_FILE_FIRST + i);

		/* struct FWCfgFile: be32 size, be16 select, be16 reserved, name[56] */
		e[0] = (uint8_t)(size >> 24);
		e[1] = (uint8_t)(size >> 16);
		e[2] = (uint8_t)(size >> 8);
		e[3] = (uint8_t)size;
		e[4] = (uint8_t)(sel >> 8);
		e[5] = (uint8_t)sel;
		memcpy(e + 8, s->names[i], sizeof(s->names[i]));
	}
	free(s->entries[FW_CFG_FILE_DIR].data);
	s->entries[FW_CFG_FILE_DIR].data = d;
	s->entries[FW_CFG_FILE_DIR].len = len;
}

int fw_cfg_add_item(struct fw_cfg *s, uint16_t key, const void *data, uint32_t len)
{
	uint8_t *copy;

	if (key >= FW_CFG_MAX_ENTRY)
		return -EINVAL;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	free(s->entries[key].data);
	s->entries[key].data = copy;
	s->entries[key].len = len;
	return 0;
}

int fw_cfg_add_file(struct fw_cfg *s, const char *name, const void *data, uint32_t len)
{
	int rc;

	if (s->nr_files >= FW_CFG_MAX_FILES || strlen(name) >= sizeof(s->names[0]))
		return -EINVAL;
	rc = fw_cfg_add_item(s, (uint16_t)(FW_CFG_FILE_FIRST + s->nr_files), data, len);
	if (rc)
		return rc;
	memset(s->names[s->nr_files], 0, sizeof(s->names[0]));
	strcpy(s->names[s->nr_files], name);
	s->nr_files++;
	rebuild_dir(s);
	return 0;
}

static uint8_t read_byte(struct fw_cfg *s)
{
	const struct fw_cfg_entry *e = current(s);

	if (!e || s->cur_offset >= e->len)
		return 0;
	return e->data[s->cur_offset++];
}

/*
 * 0x510-0x511 is one region, as in QEMU's fw_cfg_comb_*: a 16-bit write
 * selects an item, byte reads return its next byte, byte writes are ignored.
 */
static uint64_t comb_read(void *opaque, uint64_t off, unsigned int size)
{
	(void)off;
	return size == 1 ? read_byte(opaque) : size_mask(size);
}

static void comb_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct fw_cfg *s = opaque;

	if (size == 2 && off == 0) {
		s->cur_entry = (uint16_t)val;
		s->cur_offset = 0;
	}
}

static const struct io_ops comb_ops = {
	.read = comb_read, .write = comb_write, .impl_min = 1, .impl_max = 2,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One FWCfgDmaAccess: be32 control, be32 length, be64 address, in guest memory. */
static void dma_transfer(struct fw_cfg *s, uint64_t desc_addr)
{
	uint8_t desc[16], chunk[4096];
	uint32_t control, length, status = 0;
	uint64_t addr;

	if (s->accel->ops->guest_memory_rw(s->accel, desc_addr, desc, sizeof(desc), false)) {
		log_guest("fw_cfg", "DMA descriptor at %#llx is not guest RAM",
			  (unsigned long long)desc_addr);
		return;
	}
	control = be32(desc);
	length = be32(desc + 4);
	addr = (uint64_t)be32(desc + 8) << 32 | be32(desc + 12);
	if (control & FW_CFG_DMA_SELECT) {
		s->cur_entry = (uint16_t)(control >> 16);
		s->cur_offset = 0;
	}
	if (control & FW_CFG_DMA_WRITE) {
		status = FW_CFG_DMA_ERROR; /* no writable items */
	} else if (control & (FW_CFG_DMA_READ | FW_CFG_DMA_SKIP)) {
		while (length) {
			uint32_t n = length < sizeof(chunk) ? length : (uint32_t)sizeof(chunk);
			const struct fw_cfg_entry *e = current(s);

			uint32_t avail = e && s->cur_offset < e->len ? e->len - s->cur_offset : 0;
			uint32_t take = n < avail ? n : avail;

			/* Past the end of the item reads zeros, as in QEMU. */
			if (take)
				memcpy(chunk, e->data + s->cur_offset, take);
			memset(chunk + take, 0, n - take);
			if ((control & FW_CFG_DMA_READ) &&
			    s->accel->ops->guest_memory_rw(s->accel, addr, chunk, n, true)) {
				status = FW_CFG_DMA_ERROR;
				break;
			}
			s->cur_offset += take;
			addr += n;
			length -= n;
		}
	}
	put_be32(desc, status); /* done: control cleared, or the error bit */
	s->accel->ops->guest_memory_rw(s->accel, desc_addr, desc, 4, true);
}

static uint64_t dma_read(void *opaque, uint64_t off, unsigned int size)
{
	static const uint8_t sig[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };
	uint64_t v = 0;

	(void)opaque;
	/* The DMA signature, read big-endian: "QEMU CFG". */
	for (unsigned int i = 0; i < size && off + i < 8; i++)
		v |= (uint64_t)sig[off + i] << (8 * i);
	return v;
}

static uint32_t bswap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static void dma_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct fw_cfg *s = opaque;

	if (size == 4 && off == 0) {
		s->dma_addr = (uint64_t)bswap32((uint32_t)val) << 32;
	} else if (size == 4 && off == 4) {
		dma_transfer(s, s->dma_addr | bswap32((uint32_t)val));
		s->dma_addr = 0;
	} else if (size == 8 && off == 0) {
		dma_transfer(s, (uint64_t)bswap32((uint32_t)val) << 32 | bswap32((uint32_t)(val >> 32)));
		s->dma_addr = 0;
	}
}

static const struct io_ops dma_ops = {
	.read = dma_read, .write = dma_write, .impl_min = 1, .impl_max = 8,
};

void fw_cfg_reset(struct fw_cfg *s)
{
	s->cur_entry = FW_CFG_INVALID;
	s->cur_offset = 0;
	s->dma_addr = 0;
}

int fw_cfg_init(struct fw_cfg *s, struct io_space *io, struct accel *accel)
{
	static const uint32_t id = 3; /* traditional interface and DMA */
	int rc;

	memset(s, 0, sizeof(*s));
	s->accel = accel;
	fw_cfg_reset(s);
	if (fw_cfg_add_item(s, FW_CFG_SIGNATURE, "QEMU", 4) ||
	    fw_cfg_add_item(s, FW_CFG_ID, (const uint8_t[]){ id, 0, 0, 0 }, 4))
		return -ENOMEM;
	rebuild_dir(s);
	rc = io_space_claim(io, FW_CFG_PORT_SEL, 2, &comb_ops, s, "fw_cfg");
	if (!rc)
		rc = io_space_claim(io, FW_CFG_PORT_DMA, 8, &dma_ops, s, "fw_cfg-dma");
	return rc;
}

void fw_cfg_destroy(struct fw_cfg *s)
{
	for (unsigned int i = 0; i < FW_CFG_MAX_ENTRY; i++) {
		free(s->entries[i].data);
		s->entries[i].data = NULL;
	}
}

void fw_cfg_save_state(const struct fw_cfg *s, struct fw_cfg_state *st)
{
	st->cur_entry = s->cur_entry;
	st->cur_offset = s->cur_offset;
	st->dma_addr = s->dma_addr;
}

/* Any selector and offset are safe: reads past an item's end return zeros. */
void fw_cfg_load_state(struct fw_cfg *s, const struct fw_cfg_state *st)
{
	s->cur_entry = st->cur_entry;
	s->cur_offset = st->cur_offset;
	s->dma_addr = st->dma_addr;
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(fw_cfg_reset, struct fw_cfg)
DEV_OPS_DESTROY(fw_cfg_destroy, struct fw_cfg)
DEV_OPS_SAVE(fw_cfg_save_state, struct fw_cfg, struct fw_cfg_state)
DEV_OPS_LOAD(fw_cfg_load_state, struct fw_cfg, struct fw_cfg_state)

const struct dev_ops fw_cfg_ops = {
	.name = "fw_cfg", .record = "fw_cfg", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .load = ops_load,
};
