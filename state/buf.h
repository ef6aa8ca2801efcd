/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded byte writers and readers for the save records. A reader never reads
 * past its end: the first short read latches an error with its offset and
 * every later read returns 0, so a decoder checks once, at the end.
 */
#ifndef HVMDM_STATE_BUF_H
#define HVMDM_STATE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	bool failed; /* out of memory or over the cap */
	size_t limit;
};

void wbuf_init(struct wbuf *w, size_t limit);
void wbuf_free(struct wbuf *w);
void put_bytes(struct wbuf *w, const void *p, size_t n);
void put_zeros(struct wbuf *w, size_t n);
void put_u8(struct wbuf *w, uint8_t v);
void put_le16(struct wbuf *w, uint16_t v);
void put_le32(struct wbuf *w, uint32_t v);
void put_le64(struct wbuf *w, uint64_t v);
void put_be16(struct wbuf *w, uint16_t v);
void put_be32(struct wbuf *w, uint32_t v);
void put_be64(struct wbuf *w, uint64_t v);

struct rbuf {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool short_read;
};

static inline void rbuf_init(struct rbuf *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->short_read = false;
}

static inline size_t rbuf_left(const struct rbuf *r)
{
	return r->short_read ? 0 : r->len - r->pos;
}

void get_bytes(struct rbuf *r, void *out, size_t n);
uint8_t get_u8(struct rbuf *r);
uint16_t get_le16(struct rbuf *r);
uint32_t get_le32(struct rbuf *r);
uint64_t get_le64(struct rbuf *r);
uint16_t get_be16(struct rbuf *r);
uint32_t get_be32(struct rbuf *r);
uint64_t get_be64(struct rbuf *r);

/* CRC-32C (Castagnoli); SSE4.2's instruction where the CPU has it. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);
/* The same with the byte-wise table, whatever the CPU (tests compare the two). */
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len);

#endif
