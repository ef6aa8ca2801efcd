/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The native stream's framing (docs/stream-format.md is the byte-level spec):
 * an immutable 12-byte preamble (magic, format version), a version-1 header
 * with its own CRC, then 8-byte aligned records each with idstr, instance,
 * version, flags, length and CRC32C, closed by an end record. Parsing is
 * bounded everywhere and names the byte offset of the first problem.
 */
#ifndef HVMDM_STATE_STREAM_H
#define HVMDM_STATE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define STREAM_MAGIC "\x89HVMDM\r\n"
#define STREAM_MAGIC_LEN 8
#define STREAM_FORMAT_VERSION 1
/* Feature level this build reads and writes; a stream's min_reader must not exceed it. */
#define STREAM_READER_LEVEL 1
#define STREAM_WRITER_LEVEL 1

#define STREAM_MAX_SIZE (64u << 20)   /* device state stream */
#define RECORD_MAX_PAYLOAD (1u << 20)
#define RECORD_MAX_COUNT 4096
#define RECORD_IDSTR_MAX 64
#define RECORD_MARKER 0x43455248u /* "HREC" */
#define RECORD_HEADER_LEN 24

#define RECORD_MANDATORY 0x01
#define RECORD_END 0x02
/* Set by foreign readers only (never on the wire): the second of two layouts a name has. */
#define RECORD_LAYOUT_ALT 0x80
/* Set by the upstream QEMU reader only: the record's number is upstream's (it may share it). */
#define RECORD_UPSTREAM 0x40

struct stream_header {
	uint32_t format_version;
	uint32_t min_reader;
	uint32_t writer_level;
	uint64_t flags;
	uint8_t profile;
	char producer[64];
	char producer_version[64];
	size_t records_offset; /* where the first record starts */
};

struct stream_record {
	char idstr[RECORD_IDSTR_MAX + 1];
	uint32_t instance;
	uint32_t version;
	uint8_t flags;
	const uint8_t *payload;
	uint32_t payload_len;
	size_t offset;         /* of the record's first byte */
	size_t payload_offset; /* of the payload's first byte */
};

/* Writer: header, records, end. The wbuf latches failure (over cap, no memory). */
void stream_write_header(struct wbuf *w, uint8_t profile, const char *producer,
			 const char *producer_version);
void stream_write_record(struct wbuf *w, const char *idstr, uint32_t instance, uint32_t version,
			 uint8_t flags, const void *payload, uint32_t payload_len);
void stream_write_end(struct wbuf *w);

/* 0, or -1 with a message naming the byte offset. */
int stream_read_header(const uint8_t *buf, size_t len, struct stream_header *h, char *err,
		       size_t errlen);
/* The same for a stream that may be up to max_len bytes long (a whole VM with its RAM). */
int stream_read_header_within(const uint8_t *buf, size_t len, size_t max_len,
			      struct stream_header *h, char *err, size_t errlen);
/*
 * Read the record at *pos: 1 = a record, 0 = the end record (and nothing
 * after it), -1 = error. Advances *pos past the record.
 */
int stream_read_record(const uint8_t *buf, size_t len, size_t *pos, struct stream_record *rec,
		       char *err, size_t errlen);

#endif
