/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every emulated NIC needs of a frame or a descriptor in its own byte
 * order: little-endian descriptor fields, big-endian header fields, and the
 * Internet checksum (RFC 1071) its offloads insert.
 */
#ifndef HVMDM_NET_FRAME_H
#define HVMDM_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t rd_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd_le64(const uint8_t *p)
{
	return rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32;
}

static inline void wr_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void wr_le32(uint8_t *p, uint32_t v)
{
	wr_le16(p, (uint16_t)v);
	wr_le16(p + 2, (uint16_t)(v >> 16));
}

static inline uint16_t rd_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)rd_be16(p) << 16 | rd_be16(p + 2);
}

static inline void wr_be32(uint8_t *p, uint32_t v)
{
	wr_be16(p, (uint16_t)(v >> 16));
	wr_be16(p + 2, (uint16_t)v);
}

/* The ones'-complement sum of [p, p+len) added to sum (16-bit big-endian words). */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += rd_be16(p + i);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
