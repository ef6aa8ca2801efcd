/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whole `xl save` files (reference/12 §1): xl's header with the guest's JSON
 * config, libxl's stream (v2) and inside it libxc's (v2/v3), then the device
 * model's blob in an EMULATOR_CONTEXT record. Read streaming from a FILE
 * (a file of any size, or a pipe): guest memory is skipped a chunk at a time
 * and counted, never held; what is kept -- the config, the xenstore data,
 * the emulator blob -- is bounded. Every refusal names the byte offset.
 *
 * Layouts: xen-project/xen tools/xl/xl.h and xl_saverestore.c (xl header),
 * docs/specs/libxl-migration-stream.pandoc and
 * tools/libs/light/libxl_sr_stream_format.h (libxl stream),
 * docs/specs/libxc-migration-stream.pandoc and
 * tools/libs/guest/xg_sr_stream_format.h (libxc stream).
 */
#ifndef HVMDM_STATE_XLSAVE_H
#define HVMDM_STATE_XLSAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define XLSAVE_MAGIC "Xen saved domain, xl format\n \0 \r"
#define XLSAVE_MAGIC_LEN 32

/* xl's mandatory flags (tools/xl/xl.h). */
#define XLSAVE_FLAG_JSON 0x1u
#define XLSAVE_FLAG_STREAMV2 0x2u

/* libxl record types (libxl_sr_stream_format.h). */
enum {
	LIBXL_REC_END = 0,
	LIBXL_REC_LIBXC_CONTEXT = 1,
	LIBXL_REC_EMULATOR_XENSTORE_DATA = 2,
	LIBXL_REC_EMULATOR_CONTEXT = 3,
	LIBXL_REC_CHECKPOINT_END = 4,
	LIBXL_REC_CHECKPOINT_STATE = 5,
};

/* libxl's emulator ids: 0 from convert-legacy-stream, then by device model. */
enum {
	LIBXL_EMULATOR_UNKNOWN = 0,
	LIBXL_EMULATOR_QEMU_TRADITIONAL = 1,
	LIBXL_EMULATOR_QEMU_UPSTREAM = 2,
};

/* What hvmdm keeps of a file; bounds on what it reads. */
#define XLSAVE_MAX_CONFIG (1u << 20)      /* the JSON config */
#define XLSAVE_MAX_XENSTORE (1u << 20)    /* EMULATOR_XENSTORE_DATA */
#define XLSAVE_MAX_LIBXL_RECORDS 64       /* a plain save has 4 or 5 */
#define XLSAVE_MAX_PARAMS 64              /* HVM_PARAMS entries kept */
#define XLSAVE_MAX_PAGE_BATCH 1024        /* libxc's MAX_BATCH_SIZE */

struct xlsave_record {
	uint64_t offset; /* of the record header in the file */
	uint32_t type;
	uint32_t length; /* body, without padding */
};

struct xlsave_info {
	uint64_t file_size; /* bytes read through END */
	/* xl header */
	uint32_t mandatory_flags;
	uint32_t optional_flags;
	uint32_t optional_data_len;
	char *config;        /* the JSON text, NUL-terminated; NULL when the file has none */
	size_t config_len;
	bool legacy_v1;      /* no STREAMv2 flag: a Xen <= 4.5 stream; nothing further is read */
	/* libxl stream */
	uint64_t libxl_offset;
	uint32_t libxl_version;
	uint32_t libxl_options; /* bit 0 big-endian, bit 1 converted from a legacy stream */
	struct xlsave_record records[XLSAVE_MAX_LIBXL_RECORDS];
	unsigned int nr_records;
	/* libxc stream */
	bool have_libxc;
	uint64_t libxc_offset;
	uint32_t libxc_version;
	uint16_t libxc_options;
	uint32_t domain_type; /* 2 = x86 HVM */
	uint16_t page_shift;
	uint32_t xen_major, xen_minor; /* 0 and the converter's version if converted */
	uint64_t pages;          /* pages whose contents the stream carries */
	uint64_t page_entries;   /* PAGE_DATA entries, data or not */
	uint64_t max_pfn_seen;
	uint32_t nr_libxc_records;
	uint32_t hvm_context_len;
	bool have_tsc_info, have_hvm_context, have_hvm_params;
	struct {
		uint64_t index, value;
	} params[XLSAVE_MAX_PARAMS];
	unsigned int nr_params;
	/* device model */
	uint8_t *xenstore;      /* packed key\0value\0 pairs after the 8-byte sub-header */
	size_t xenstore_len;
	uint32_t xenstore_emulator_id;
	bool have_emulator;
	uint32_t emulator_id, emulator_index;
	uint64_t emulator_offset; /* of the blob itself in the file */
	uint8_t *emulator;        /* the blob the device model is handed */
	size_t emulator_len;
	unsigned int nr_emulators;
};

/*
 * Read a whole xl save file from f (at its start). 0 with *info filled, or
 * -1 with err naming the byte offset and what was wrong there; *info then
 * holds what was read before it (free it either way).
 */
int xlsave_read(FILE *f, struct xlsave_info *info, char *err, size_t errlen);
void xlsave_free(struct xlsave_info *info);

/* True if the first bytes of a file are xl's magic. */
bool xlsave_is_xl(const uint8_t *head, size_t len);

const char *xlsave_record_name(uint32_t type);
const char *xlsave_emulator_name(uint32_t id);
/* HVM_PARAM_* names (xen/include/public/hvm/params.h); NULL if unknown. */
const char *xlsave_param_name(uint64_t index);

#endif
