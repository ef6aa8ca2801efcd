/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PIIX3 IDE (8086:7010) at 00:01.1: two legacy channels (0x1f0-0x1f7/0x3f6,
 * IRQ 14; 0x170-0x177/0x376, IRQ 15), bus-master DMA in BAR4, up to two
 * drives per channel: ATA disks and ATAPI CD-ROMs on raw images.
 *
 * Every command runs to completion inside the guest access that starts it
 * (a command-register write, the last data word of a block, the bus-master
 * start bit), so there is never I/O in flight outside the device lock and a
 * save always sees a command either not started, waiting for the guest
 * (a PIO block half read, a DMA waiting for its start bit), or finished.
 */
#ifndef HVMDM_IDE_H
#define HVMDM_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/accel.h"
#include "backends/block.h"
#include "hw/core/bus.h"
#include "hw/core/pci.h"
#include "hw/core/profile.h"

#define IDE_CHANNELS 2
#define IDE_DRIVES 4 /* channel * 2 + unit */
#define IDE_BUF_SIZE 65536
#define IDE_MAX_MULT 16

/* Status register. */
#define IDE_STAT_ERR 0x01
#define IDE_STAT_DRQ 0x08
#define IDE_STAT_SEEK 0x10 /* DSC */
#define IDE_STAT_DF 0x20
#define IDE_STAT_READY 0x40
#define IDE_STAT_BUSY 0x80
/* Error register. */
#define IDE_ERR_ABRT 0x04
#define IDE_ERR_IDNF 0x10
#define IDE_ERR_UNC 0x40
/* Device control register. */
#define IDE_CTL_NIEN 0x02
#define IDE_CTL_SRST 0x04
#define IDE_CTL_HOB 0x80
/* Bus-master registers. */
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEMORY 0x08 /* the device reads: data goes to memory */
#define BM_STATUS_ACTIVE 0x01
#define BM_STATUS_ERROR 0x02
#define BM_STATUS_INT 0x04
#define BM_STATUS_DRIVE_DMA 0x60 /* "drive 0/1 DMA capable", software bits */

enum ide_kind {
	IDE_KIND_NONE,
	IDE_KIND_DISK,
	IDE_KIND_CD,
};

/* What the drive is doing between guest accesses. */
enum ide_xfer {
	IDE_XFER_NONE,
	IDE_XFER_PIO_IN,  /* guest reads the data register */
	IDE_XFER_PIO_OUT, /* guest writes the data register */
	IDE_XFER_PACKET,  /* ATAPI: guest writes the 12-byte command */
	IDE_XFER_DMA_IN,  /* waiting for the bus master: device to memory */
	IDE_XFER_DMA_OUT, /* waiting for the bus master: memory to device */
};

/* What a data transfer refills its buffer from (or flushes it to). */
enum ide_source {
	IDE_SRC_BUFFER,  /* the buffer is everything (IDENTIFY, ATAPI replies) */
	IDE_SRC_SECTORS, /* `remaining` more units at `lba` of the image */
};

/* Everything a drive saves: registers, settings and the command state. */
struct ide_drive_regs {
	/* Task file; hob_* are the previous writes (LBA48 "high order bytes"). */
	uint8_t feature, error, nsector, sector, lcyl, hcyl, select, status;
	uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
	/* Settings the guest chose. */
	uint8_t mult_sectors; /* READ/WRITE MULTIPLE block, 0 = disabled */
	uint8_t xfer_mode;    /* SET FEATURES 03h value (for IDENTIFY words 63/88) */
	bool write_cache;
	/* Command in progress. */
	uint8_t cmd;
	uint8_t xfer;   /* enum ide_xfer */
	uint8_t source; /* enum ide_source */
	bool lba48;
	uint64_t lba;       /* next unit to read or write */
	uint32_t remaining; /* units after the buffer still to move */
	uint32_t unit;      /* bytes per unit: 512, or 2048 for CD data */
	uint32_t chunk;     /* units per buffer fill */
	uint32_t drq_len;   /* PIO bytes per DRQ block (ATAPI byte count limit) */
	uint32_t data_pos, data_end, drq_end;
	/* ATAPI. */
	uint8_t sense_key, asc;
	bool unit_attention; /* a medium was inserted since the last check */
	bool locked;         /* PREVENT MEDIUM REMOVAL */
	bool tray_open;
	uint8_t media_event; /* GET EVENT STATUS: 0 none, 2 new media, 3 removal */
	bool atapi_dma;      /* this PACKET moves its data by DMA */
};

/*
 * Who the drives say they are (IDENTIFY's model, serial and firmware, the
 * ATAPI INQUIRY): a guest that moves between device models must see the
 * same disks, or Linux's libata drops them when it revalidates after the
 * resume (ata_dev_same_device compares model and serial). QEMU 7.2's (also
 * what hvmdm presents from 0.3 on a cold boot): "QEMU HARDDISK" /
 * "QEMU DVD-ROM", serial "QM0000n" for drive n = 1-4, firmware "2.5+"
 * (hw/ide/core.c, qemu_hw_version); qemu-xen-traditional's: the same with
 * firmware "0.10.2" (olafhering/qemu-xen-traditional hw/ide.c); hvmdm 0.1
 * and 0.2's: "HVMDM HARDDISK" / "HVMDM DVD-ROM", serial "HVMDM0000n".
 */
enum ide_identity { IDE_IDENTITY_QEMU, IDE_IDENTITY_TRAD, IDE_IDENTITY_HVMDM };
#define IDE_IDENTITY_LAST IDE_IDENTITY_HVMDM

struct ide_drive {
	enum ide_kind kind;
	bool placeholder; /* an inspection tool's drive: no image, so no size to check against */
	struct block blk; /* disk image, or the CD's medium (fd -1 = empty) */
	uint64_t nb_units; /* 512-byte sectors (disk) or 2048-byte blocks (CD) */
	uint16_t cyls, heads, secs;
	enum ide_identity identity;
	char serial[21];
	struct ide_drive_regs r;
	uint8_t buf[IDE_BUF_SIZE];
};

struct ide_channel {
	struct ide_drive drive[2];
	unsigned int cur; /* selected unit */
	uint8_t devctl;
	bool irq_pending;
	bool irq_line; /* last level given to the accelerator */
	unsigned int isa_irq;
	/* Bus master. */
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
	struct piix_ide *ide;
};


struct piix_ide {
	struct pci_device pci;
	struct accel *accel;
	enum ide_identity identity;
	struct ide_channel ch[IDE_CHANNELS];
	uint16_t unplugged; /* drives removed by the Xen platform device (bit per drive) */
};

/* Drive configuration from the command line. */
struct ide_drive_config {
	enum ide_kind kind;
	const char *path; /* NULL: an empty CD drive */
	bool read_only;
	bool placeholder; /* no image at all (hvmdm-stream's scratch machine) */
	const char *id;   /* -device/-drive id QMP names it by (libxl: ide-<devid>), or NULL */
};

/* The largest buffer a PIO transfer or an ATAPI reply leaves waiting for the guest. */
#define IDE_SAVE_BUF 16384

struct ide_drive_state {
	uint8_t kind; /* enum ide_kind */
	struct ide_drive_regs r;
	uint32_t buf_len; /* saved bytes of the buffer: [0, data_end) while a transfer waits */
	uint8_t buf[IDE_SAVE_BUF];
};

struct ide_state {
	struct pci_state pci;
	struct {
		uint8_t cur, devctl, bm_cmd, bm_status;
		bool irq_pending;
		uint32_t bm_prd;
	} ch[IDE_CHANNELS];
	uint16_t unplugged;
	uint8_t identity; /* enum ide_identity */
	struct ide_drive_state drive[IDE_DRIVES];
};

/* The function's subsystem IDs: QEMU's 1af4:1100, XenSource's 5853:0001 under qemu-xen-traditional. */
struct piix_ide_config {
	uint16_t subsys_vendor, subsys_id;
	enum ide_identity identity; /* a cold boot's; a restore takes the saved one */
	const struct ide_drive_config *drives; /* IDE_DRIVES of them */
};

int piix_ide_init(struct piix_ide *s, struct pci_bus *bus, struct io_space *io,
		  struct accel *accel, const struct piix_ide_config *config, char *err,
		  size_t errlen);
void piix_ide_destroy(struct piix_ide *s);
/* The drives' identity (serials included): a cold boot's, or the restored guest's. */
void piix_ide_set_identity(struct piix_ide *s, enum ide_identity id);
void piix_ide_reset(struct piix_ide *s);
/* Xen platform device unplug: all disks, or all but the primary master. */
void piix_ide_unplug_disks(struct piix_ide *s, bool keep_primary_master);
/* Make every written sector durable (before a save completes). */
int piix_ide_flush(struct piix_ide *s);
/*
 * CD: insert (path, or fd >= 0 named path) or eject (path NULL, fd -1) a
 * medium; an eject is refused while the guest has locked the tray unless forced.
 */
int piix_ide_change_medium(struct piix_ide *s, unsigned int drive, const char *path, int fd,
			   bool force, char *err, size_t errlen);
struct ide_drive *piix_ide_drive(struct piix_ide *s, unsigned int drive);

/* What the control plane (QMP query-block, eject) sees of a drive. */
struct ide_drive_info {
	enum ide_kind kind;  /* IDE_KIND_NONE: no drive at that position */
	bool locked;         /* the guest's PREVENT MEDIUM REMOVAL */
	bool tray_open;
	const char *medium;  /* the image's path, NULL with no medium */
	bool read_only;
};

/* Drive 0-3 (channel * 2 + unit); past the end, a drive of kind IDE_KIND_NONE. */
void piix_ide_drive_info(const struct piix_ide *s, unsigned int drive, struct ide_drive_info *info);

void piix_ide_save_state(const struct piix_ide *s, struct ide_state *st);
int piix_ide_check_state(const struct piix_ide *s, const struct ide_state *st, char *err,
			 size_t errlen);
void piix_ide_load_state(struct piix_ide *s, const struct ide_state *st);

extern const struct dev_ops piix_ide_ops;

#endif
