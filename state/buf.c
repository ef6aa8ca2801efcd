// SPDX-License-Identifier: GPL-2.0-only
#include "buf.h"

#include <pthread.h>

#include <stdlib.h>
#include <string.h>

void wbuf_init(struct wbuf *w, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
}

void wbuf_free(struct wbuf *w)
{
	free(w->data);
	memset(w, 0, sizeof(*w));
}

static uint8_t *wbuf_grow(struct wbuf *w, size_t n)
{
	if (w->failed || n > w->limit - w->len) {
		w->failed = true;
		return NULL;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 4096;
		uint8_t *p;

		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->data, cap);
		if (!p) {
			w->failed = true;
			return NULL;
		}
		w->data = p;
		w->cap = cap;
	}
	w->len += n;
	return w->data + w->len - n;
}

void put_bytes(struct wbuf *w, const void *p, size_t n)
{
	uint8_t *d = wbuf_grow(w, n);

	if (d && n)
		memcpy(d, p, n);
}

void put_zeros(struct wbuf *w, size_t n)
{
	uint8_t *d = wbuf_grow(w, n);

	if (d && n)
		memset(d, 0, n);
}

static void put_le(struct wbuf *w, uint64_t v, unsigned int n)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put_bytes(w, b, n);
}

static void put_be(struct wbuf *w, uint64_t v, unsigned int n)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put_bytes(w, b, n);
}

void put_u8(struct wbuf *w, uint8_t v) { put_bytes(w, &v, 1); }
void put_le16(struct wbuf *w, uint16_t v) { put_le(w, v, 2); }
void put_le32(struct wbuf *w, uint32_t v) { put_le(w, v, 4); }
void put_le64(struct wbuf *w, uint64_t v) { put_le(w, v, 8); }
void put_be16(struct wbuf *w, uint16_t v) { put_be(w, v, 2); }
void put_be32(struct wbuf *w, uint32_t v) { put_be(w, v, 4); }
void put_be64(struct wbuf *w, uint64_t v) { put_be(w, v, 8); }

void get_bytes(struct rbuf *r, void *out, size_t n)
{
	if (r->short_read || n > r->len - r->pos) {
		r->short_read = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->data + r->pos, n);
	r->pos += n;
}

static uint64_t get_le(struct rbuf *r, unsigned int n)
{
	uint8_t b[8];
	uint64_t v = 0;

	get_bytes(r, b, n);
	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static uint64_t get_be(struct rbuf *r, unsigned int n)
{
	uint8_t b[8];
	uint64_t v = 0;

	get_bytes(r, b, n);
	for (unsigned int i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

uint8_t get_u8(struct rbuf *r) { return (uint8_t)get_le(r, 1); }
uint16_t get_le16(struct rbuf *r) { return (uint16_t)get_le(r, 2); }
uint32_t get_le32(struct rbuf *r) { return (uint32_t)get_le(r, 4); }
uint64_t get_le64(struct rbuf *r) { return get_le(r, 8); }
uint16_t get_be16(struct rbuf *r) { return (uint16_t)get_be(r, 2); }
uint32_t get_be32(struct rbuf *r) { return (uint32_t)get_be(r, 4); }
uint64_t get_be64(struct rbuf *r) { return get_be(r, 8); }

/* CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as iSCSI and ext4 use. */
static uint32_t crc_table[256];

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
		crc_table[i] = c;
	}
}

static uint32_t crc32c_table(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
/* SSE4.2's crc32 instruction computes CRC-32C: whole RAM images checksum at memory speed. */
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p,
								size_t len)
{
	uint64_t c = crc;

	while (len && ((uintptr_t)p & 7)) {
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
		len--;
	}
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

static bool crc_use_sse42;

static void crc_init(void)
{
	crc_table_init();
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_use_sse42 = __builtin_cpu_supports("sse4.2");
#endif
}

uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, crc_init);
	return ~crc32c_table(~crc, data, len);
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, crc_init);
#if defined(__x86_64__)
	if (crc_use_sse42)
		return ~crc32c_sse42(~crc, data, len);
#endif
	return ~crc32c_table(~crc, data, len);
}
