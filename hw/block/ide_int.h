/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the PIIX3 IDE files share and nothing else includes: command and
 * sense codes, and the functions one part calls in another. ide.c holds the
 * function, its ports, interrupts, task file, buffers and saved state;
 * ide_ata.c the ATA commands; ide_atapi.c the ATAPI (MMC) commands;
 * ide_bmdma.c the bus-master engine.
 */
#ifndef HVMDM_IDE_INT_H
#define HVMDM_IDE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ide.h"
#include "hw/core/log.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.3.0-dev"
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


static inline void ide_log(const struct ide_channel *ch, const char *what)
{
	log_guest("ide", "%s channel: %s", ch == &ch->ide->ch[0] ? "primary" : "secondary", what);
}

/* ide.c: interrupts, task file, buffers, reset */
void ide_raise_irq(struct ide_channel *ch);
void ide_lower_irq(struct ide_channel *ch);
bool ide_medium_ready(const struct ide_drive *d);
void ide_set_signature(struct ide_drive *d);
void ide_end_transfer(struct ide_drive *d);
void ide_drive_reset(struct ide_drive *d, bool power_on);
void ide_abort_command(struct ide_channel *ch, struct ide_drive *d);
void ide_command_error(struct ide_channel *ch, struct ide_drive *d, uint8_t error);
void ide_command_ok(struct ide_channel *ch, struct ide_drive *d);
uint32_t ide_sector_count(const struct ide_drive *d);
uint64_t ide_start_sector(const struct ide_drive *d);
void ide_set_sector(struct ide_drive *d, uint64_t lba);
int ide_fill_buffer(struct ide_drive *d);
int ide_flush_buffer(struct ide_drive *d);
void ide_next_write_block(struct ide_drive *d);

/* ide_ata.c: ATA commands */
void ide_exec(struct ide_channel *ch, struct ide_drive *d, uint8_t cmd);

/* ide_atapi.c: ATAPI (MMC) commands */
void ide_atapi_ok(struct ide_channel *ch, struct ide_drive *d);
void ide_atapi_error(struct ide_channel *ch, struct ide_drive *d, uint8_t key, uint8_t asc);
void ide_atapi_drq_block(struct ide_channel *ch, struct ide_drive *d);
void ide_atapi_exec(struct ide_channel *ch, struct ide_drive *d);

/* ide_bmdma.c: the bus master */
void ide_bm_run(struct ide_channel *ch);

#endif
