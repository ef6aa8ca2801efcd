// SPDX-License-Identifier: GPL-2.0-only
#include "stream.h"

#include <stdio.h>
#include <string.h>

static size_t pad8(size_t n)
{
	return (8 - (n & 7)) & 7;
}

void stream_write_header(struct wbuf *w, uint8_t profile, const char *producer,
			 const char *producer_version)
{
	size_t plen = strlen(producer), vlen = strlen(producer_version);
	size_t len_at, body_at;
	uint32_t body_len;

	if (plen > 63)
		plen = 63;
	if (vlen > 63)
		vlen = 63;
	put_bytes(w, STREAM_MAGIC, STREAM_MAGIC_LEN);
	put_le32(w, STREAM_FORMAT_VERSION);
	len_at = w->len;
	put_le32(w, 0); /* header_len, patched below */
	body_at = w->len;
	put_le32(w, STREAM_READER_LEVEL); /* min_reader */
	put_le32(w, STREAM_WRITER_LEVEL);
	put_le64(w, 0); /* flags: none defined yet */
	put_u8(w, profile);
	put_zeros(w, 7);
	put_le16(w, (uint16_t)plen);
	put_bytes(w, producer, plen);
	put_le16(w, (uint16_t)vlen);
	put_bytes(w, producer_version, vlen);
	if (w->failed)
		return;
	body_len = (uint32_t)(w->len - body_at);
	for (int i = 0; i < 4; i++)
		w->data[len_at + i] = (uint8_t)(body_len >> (8 * i));
	put_le32(w, crc32c(0, w->data, w->len));
	put_zeros(w, pad8(w->len));
}

void stream_write_record(struct wbuf *w, const char *idstr, uint32_t instance, uint32_t version,
			 uint8_t flags, const void *payload, uint32_t payload_len)
{
	size_t idlen = strlen(idstr), start = w->len;
	uint32_t crc;

	if (idlen > RECORD_IDSTR_MAX || payload_len > RECORD_MAX_PAYLOAD) {
		w->failed = true;
		return;
	}
	put_le32(w, RECORD_MARKER);
	put_u8(w, (uint8_t)idlen);
	put_u8(w, flags);
	put_le16(w, 0);
	put_le32(w, instance);
	put_le32(w, version);
	put_le32(w, payload_len);
	if (w->failed)
		return;
	crc = crc32c(0, w->data + start, 20);
	crc = crc32c(crc, idstr, idlen);
	crc = crc32c(crc, payload, payload_len);
	put_le32(w, crc);
	put_bytes(w, idstr, idlen);
	put_bytes(w, payload, payload_len);
	put_zeros(w, pad8(w->len));
}

void stream_write_end(struct wbuf *w)
{
	stream_write_record(w, "", 0, 0, RECORD_MANDATORY | RECORD_END, NULL, 0);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int stream_read_header(const uint8_t *buf, size_t len, struct stream_header *h, char *err,
		       size_t errlen)
{
	return stream_read_header_within(buf, len, STREAM_MAX_SIZE, h, err, errlen);
}

int stream_read_header_within(const uint8_t *buf, size_t len, size_t max_len,
			      struct stream_header *h, char *err, size_t errlen)
{
	struct rbuf r;
	uint32_t body_len, crc, plen, vlen;
	size_t body_at, end;

	memset(h, 0, sizeof(*h));
	if (len < 12 || memcmp(buf, STREAM_MAGIC, STREAM_MAGIC_LEN)) {
		snprintf(err, errlen, "byte 0: not an hvmdm stream (no magic)");
		return -1;
	}
	if (len > max_len) {
		snprintf(err, errlen, "stream is %zu bytes, over the %zu-byte cap", len, max_len);
		return -1;
	}
	h->format_version = rd32(buf + 8);
	if (h->format_version != STREAM_FORMAT_VERSION) {
		snprintf(err, errlen, "byte 8: stream format %u; this build reads format %u",
			 h->format_version, STREAM_FORMAT_VERSION);
		return -1;
	}
	if (len < 16) {
		snprintf(err, errlen, "byte %zu: truncated in the header", len);
		return -1;
	}
	body_len = rd32(buf + 12);
	body_at = 16;
	if (body_len < 28 || body_len > 4096 || body_len > len - body_at || len - body_at - body_len < 4) {
		snprintf(err, errlen, "byte 12: header length %u does not fit the stream", body_len);
		return -1;
	}
	end = body_at + body_len;
	crc = rd32(buf + end);
	if (crc != crc32c(0, buf, end)) {
		snprintf(err, errlen, "byte %zu: header checksum mismatch", end);
		return -1;
	}
	rbuf_init(&r, buf + body_at, body_len);
	h->min_reader = get_le32(&r);
	h->writer_level = get_le32(&r);
	h->flags = get_le64(&r);
	h->profile = get_u8(&r);
	r.pos += 7 <= rbuf_left(&r) ? 7 : rbuf_left(&r);
	plen = get_le16(&r);
	if (plen > 63 || plen > rbuf_left(&r)) {
		snprintf(err, errlen, "byte %zu: producer name length %u", body_at + r.pos, plen);
		return -1;
	}
	get_bytes(&r, h->producer, plen);
	vlen = get_le16(&r);
	if (vlen > 63 || vlen > rbuf_left(&r) || r.short_read) {
		snprintf(err, errlen, "byte %zu: producer version length %u", body_at + r.pos, vlen);
		return -1;
	}
	get_bytes(&r, h->producer_version, vlen);
	/* Fields a later writer appended are covered by the CRC and skipped here. */
	if (h->min_reader > STREAM_READER_LEVEL) {
		snprintf(err, errlen,
			 "byte 16: the stream needs reader level %u; this build reads level %u (%s %s wrote it)",
			 h->min_reader, STREAM_READER_LEVEL, h->producer, h->producer_version);
		return -1;
	}
	end += 4;
	if (pad8(end) > len - end || !all_zero(buf + end, pad8(end))) {
		snprintf(err, errlen, "byte %zu: header padding is missing or not zero", end);
		return -1;
	}
	h->records_offset = end + pad8(end);
	return 0;
}

int stream_read_record(const uint8_t *buf, size_t len, size_t *pos, struct stream_record *rec,
		       char *err, size_t errlen)
{
	size_t at = *pos, body, next;
	uint8_t idlen;
	uint32_t crc;

	memset(rec, 0, sizeof(*rec));
	rec->offset = at;
	if (at >= len) {
		snprintf(err, errlen, "byte %zu: stream ends without an end record", at);
		return -1;
	}
	if (len - at < RECORD_HEADER_LEN) {
		snprintf(err, errlen, "byte %zu: truncated record header", at);
		return -1;
	}
	if (rd32(buf + at) != RECORD_MARKER) {
		snprintf(err, errlen, "byte %zu: no record marker", at);
		return -1;
	}
	idlen = buf[at + 4];
	rec->flags = buf[at + 5];
	rec->instance = rd32(buf + at + 8);
	rec->version = rd32(buf + at + 12);
	rec->payload_len = rd32(buf + at + 16);
	crc = rd32(buf + at + 20);
	if (idlen > RECORD_IDSTR_MAX || buf[at + 6] || buf[at + 7] || (rec->flags & ~0x03)) {
		snprintf(err, errlen, "byte %zu: malformed record header", at);
		return -1;
	}
	if (rec->payload_len > RECORD_MAX_PAYLOAD) {
		snprintf(err, errlen, "byte %zu: record payload of %u bytes is over the %u-byte cap",
			 at + 16, rec->payload_len, RECORD_MAX_PAYLOAD);
		return -1;
	}
	body = at + RECORD_HEADER_LEN;
	if ((size_t)idlen + rec->payload_len > len - body) {
		snprintf(err, errlen, "byte %zu: record of %u bytes runs past the end of the stream",
			 at, (unsigned int)(idlen + rec->payload_len));
		return -1;
	}
	if (crc != crc32c(crc32c(0, buf + at, 20), buf + body, idlen + (size_t)rec->payload_len)) {
		snprintf(err, errlen, "byte %zu: record checksum mismatch", at);
		return -1;
	}
	memcpy(rec->idstr, buf + body, idlen);
	rec->idstr[idlen] = '\0';
	if (memchr(rec->idstr, '\0', idlen)) {
		snprintf(err, errlen, "byte %zu: record name contains a NUL", body);
		return -1;
	}
	rec->payload_offset = body + idlen;
	rec->payload = buf + rec->payload_offset;
	next = rec->payload_offset + rec->payload_len;
	if (pad8(next) > len - next || !all_zero(buf + next, pad8(next))) {
		snprintf(err, errlen, "byte %zu: record padding is missing or not zero", next);
		return -1;
	}
	*pos = next + pad8(next);
	if (rec->flags & RECORD_END) {
		if (idlen || rec->payload_len || rec->version || rec->instance) {
			snprintf(err, errlen, "byte %zu: end record carries data", at);
			return -1;
		}
		if (*pos != len) {
			snprintf(err, errlen, "byte %zu: %zu bytes after the end record", *pos, len - *pos);
			return -1;
		}
		return 0;
	}
	if (idlen == 0) {
		snprintf(err, errlen, "byte %zu: record without a name", at);
		return -1;
	}
	return 1;
}
