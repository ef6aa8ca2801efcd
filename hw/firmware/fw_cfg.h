/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fw_cfg: the firmware configuration device SeaBIOS reads (QEMU's
 * docs/specs/fw_cfg.txt interface): selector at 0x510, data at 0x511, and the
 * DMA interface at 0x514 (address written big-endian, high half then low;
 * the low write starts the transfer). Numbered items (signature, RAM size,
 * CPU count, ...) and named files ("etc/e820", "genroms/...") listed in the
 * file directory (item 0x19).
 */
#ifndef HVMDM_FW_CFG_H
#define HVMDM_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/accel.h"
#include "hw/core/bus.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514

#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_KERNEL_ADDR 0x07
#define FW_CFG_KERNEL_SIZE 0x08
#define FW_CFG_INITRD_ADDR 0x0a
#define FW_CFG_INITRD_SIZE 0x0b
#define FW_CFG_BOOT_MENU 0x0e
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_KERNEL_DATA 0x11
#define FW_CFG_INITRD_DATA 0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR 0x16
#define FW_CFG_SETUP_SIZE 0x17
#define FW_CFG_SETUP_DATA 0x18
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_MAX_FILES 32
#define FW_CFG_MAX_ENTRY (FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)
#define FW_CFG_INVALID 0xffff

#define FW_CFG_DMA_ERROR 0x01
#define FW_CFG_DMA_READ 0x02
#define FW_CFG_DMA_SKIP 0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE 0x10

struct fw_cfg_entry {
	uint8_t *data;
	uint32_t len;
};

struct fw_cfg {
	struct accel *accel;
	struct fw_cfg_entry entries[FW_CFG_MAX_ENTRY];
	char names[FW_CFG_MAX_FILES][56];
	unsigned int nr_files;
	uint16_t cur_entry;
	uint32_t cur_offset;
	uint64_t dma_addr; /* high half as last written */
};

/* What the guest can see of the device: its position in the selected item. */
struct fw_cfg_state {
	uint16_t cur_entry;
	uint32_t cur_offset;
	uint64_t dma_addr;
};

void fw_cfg_save_state(const struct fw_cfg *s, struct fw_cfg_state *st);
void fw_cfg_load_state(struct fw_cfg *s, const struct fw_cfg_state *st);

int fw_cfg_init(struct fw_cfg *s, struct io_space *io, struct accel *accel);
void fw_cfg_destroy(struct fw_cfg *s);
void fw_cfg_reset(struct fw_cfg *s);
/* Copies data. 0, or -1 (bad key, no memory, too many files, name too long). */
int fw_cfg_add_item(struct fw_cfg *s, uint16_t key, const void *data, uint32_t len);
int fw_cfg_add_file(struct fw_cfg *s, const char *name, const void *data, uint32_t len);

extern const struct dev_ops fw_cfg_ops;

#endif
