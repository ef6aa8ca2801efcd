// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 16550A UARTs: "serial" (qemu-xen-traditional hw/serial.c, upstream
 * QEMU's serial with its subsections).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_serial(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct uart_state *u = &st->uart[slot];

	put_le16(w, u->divider);
	put_u8(w, u->ier);
	put_u8(w, u->fcr);
	put_u8(w, u->lcr);
	put_u8(w, u->mcr);
	put_u8(w, u->lsr);
	put_u8(w, u->msr);
	put_u8(w, u->scr);
	put_u8(w, u->rx_count);
	put_bytes(w, u->rx, sizeof(u->rx));
	put_u8(w, u->tx_count);
	put_bytes(w, u->tx, sizeof(u->tx));
	put_u8(w, u->thr_ipending);
	put_u8(w, u->timeout_ipending);
	put_le64(w, u->timeout_expire);
}

static int dec_serial_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct uart_state *u = &c->st->uart[c->slot];
	size_t at;

	u->divider = get_le16(r);
	u->ier = get_u8(r);
	u->fcr = get_u8(r);
	u->lcr = get_u8(r);
	u->mcr = get_u8(r);
	u->lsr = get_u8(r);
	u->msr = get_u8(r);
	u->scr = get_u8(r);
	at = r->pos;
	u->rx_count = get_u8(r);
	if (u->rx_count > UART_FIFO_SIZE)
		return dec_fail(c, at, "receive FIFO count over 16", NULL);
	get_bytes(r, u->rx, sizeof(u->rx));
	at = r->pos;
	u->tx_count = get_u8(r);
	if (u->tx_count > UART_FIFO_SIZE)
		return dec_fail(c, at, "transmit FIFO count over 16", NULL);
	get_bytes(r, u->tx, sizeof(u->tx));
	GET_FLAG(r, c, u->thr_ipending);
	GET_FLAG(r, c, u->timeout_ipending);
	u->timeout_expire = get_le64(r);
	return dec_finish(r, c);
}

/*
 * Serial registers as qemu-xen-traditional (v1: u8 divider; v2: be16
 * divider, fcr) and upstream QEMU (v3: v2's bytes, then subsections) save
 * them: no FIFO contents in the registers. RBR holds the last byte received:
 * pending if DR.
 */
static void get_serial_regs(struct rbuf *r, struct decode_ctx *c, struct uart_state *u)
{
	uint8_t rbr, iir;

	memset(u, 0, sizeof(*u));
	u->divider = c->rec->version == 1 ? get_u8(r) : get_be16(r);
	rbr = get_u8(r);
	u->ier = get_u8(r) & 0x0f;
	iir = get_u8(r);
	u->lcr = get_u8(r);
	u->mcr = get_u8(r) & 0x1f;
	u->lsr = get_u8(r);
	u->msr = get_u8(r);
	u->scr = get_u8(r);
	if (c->rec->version >= 2)
		u->fcr = get_u8(r) & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
	if (u->lsr & UART_LSR_DR) {
		u->rx[0] = rbr;
		u->rx_count = 1;
	}
	u->thr_ipending = (iir & 0x0f) == UART_IIR_THRI;
}

static int dec_serial_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct uart_state *u = &c->st->uart[c->slot];

	get_serial_regs(r, c, u);
	u->lsr |= UART_LSR_THRE | UART_LSR_TEMT; /* nothing was in flight */
	return dec_finish(r, c);
}

static int get_serial_thr_ipending(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->uart[c->slot].thr_ipending = get_be32(r) != 0;
	return 0;
}

/* A byte the source was still retrying to send: it goes out first here. */
static int get_serial_tsr(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct uart_state *u = &c->st->uart[c->slot];
	uint32_t retry = get_be32(r);
	uint8_t tsr;

	(void)version;
	get_u8(r); /* thr: a copy of the byte already in the FIFO or sent */
	tsr = get_u8(r);
	if (retry && u->tx_count < UART_FIFO_SIZE)
		u->tx[u->tx_count++] = tsr;
	return 0;
}

/* util/fifo8.c vmstate_fifo8: data[16], be32 head, be32 num. */
static int get_fifo8(struct rbuf *r, struct decode_ctx *c, uint8_t *out, uint8_t *count)
{
	uint8_t data[UART_FIFO_SIZE];
	size_t at;
	uint32_t head, num;

	get_bytes(r, data, sizeof(data));
	at = r->pos;
	head = get_be32(r);
	num = get_be32(r);
	if (r->short_read)
		return 0;
	if (head >= UART_FIFO_SIZE || num > UART_FIFO_SIZE)
		return dec_fail(c, at, "FIFO head or count beyond its 16 bytes", NULL);
	for (uint32_t i = 0; i < num; i++)
		out[i] = data[(head + i) % UART_FIFO_SIZE];
	*count = (uint8_t)num;
	return 0;
}

static int get_serial_recv_fifo(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct uart_state *u = &c->st->uart[c->slot];

	(void)version;
	return get_fifo8(r, c, u->rx, &u->rx_count);
}

static int get_serial_xmit_fifo(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct uart_state *u = &c->st->uart[c->slot];
	uint8_t bytes[UART_FIFO_SIZE], n = 0;

	(void)version;
	if (get_fifo8(r, c, bytes, &n))
		return -1;
	for (unsigned int i = 0; i < n && u->tx_count < UART_FIFO_SIZE; i++)
		u->tx[u->tx_count++] = bytes[i];
	return 0;
}

static int get_serial_fifo_timeout(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	uint64_t expire = get_be64(r);

	(void)version;
	c->st->uart[c->slot].timeout_expire = expire == UINT64_MAX ? 0 : expire;
	return 0;
}

static int get_serial_timeout_ipending(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->uart[c->slot].timeout_ipending = get_be32(r) != 0;
	return 0;
}

static int get_serial_poll(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be32(r); /* modem-status polling of a host tty: hvmdm's backends have no lines to poll */
	get_be64(r);
	return 0;
}

/* Upstream serial v3 (hw/char/serial.c vmstate_serial): the v2 registers, then subsections. */
static int dec_serial_v3(struct rbuf *r, struct decode_ctx *c)
{
	static const struct up_sub subs[] = {
		{ "serial/thr_ipending", 1, 1, get_serial_thr_ipending },
		{ "serial/tsr", 1, 1, get_serial_tsr },
		{ "serial/recv_fifo", 1, 1, get_serial_recv_fifo },
		{ "serial/xmit_fifo", 1, 1, get_serial_xmit_fifo },
		{ "serial/fifo_timeout_timer", 1, 1, get_serial_fifo_timeout },
		{ "serial/timeout_ipending", 1, 1, get_serial_timeout_ipending },
		{ "serial/poll", 1, 1, get_serial_poll },
	};
	struct uart_state *u = &c->st->uart[c->slot];

	get_serial_regs(r, c, u);
	if (get_up_subsections(r, c, subs, sizeof(subs) / sizeof(subs[0])))
		return -1;
	if (u->tx_count == 0)
		u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	return dec_finish(r, c);
}

static const struct record_version serial_versions[] = {
	{ 1, RV_ACCEPTED, "qemu-xen-traditional", "u8 divider, rbr, ier, iir, lcr, mcr, lsr, msr, scr", dec_serial_trad },
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "be16 divider, rbr, ier, iir, lcr, mcr, lsr, msr, scr, fcr", dec_serial_trad },
	{ 3, RV_ACCEPTED, "upstream QEMU", "VMState serial v3 with subsections", dec_serial_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1",
	  "le16 divider, ier, fcr, lcr, mcr, lsr, msr, scr, u8 rx_count, rx[16], u8 tx_count, tx[16], u8 thr_ipending, u8 timeout_ipending, le64 timeout_expire",
	  dec_serial_v4 },
};

/* hw/serial.c serial_save: v1 u8 divider, v2 be16 divider and fcr; 8 registers between. */
static long trad_serial_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 1 ? 9 : v == 2 ? 11 : -1;
}

/*
 * v2: be16 divider, rbr, ier, iir, lcr, mcr, lsr, msr, scr, fcr. The
 * traditional model holds one received byte and no transmit queue: more is
 * refused, so nothing a guest sent or was sent is lost.
 */
static int trad_serial_write(struct trad_writer *t, const struct machine *m,
			     const struct machine_state *st, struct load_report *rep, char *err,
			     size_t errlen)
{
	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		const struct uart_state *u = &st->uart[i];
		struct wbuf *p = trad_payload(t);

		if (u->rx_count > 1 || u->tx_count) {
			snprintf(err, errlen, "serial %#x: %u received and %u unsent bytes; the traditional layout holds one received byte and no transmit queue",
				 m->uart[i].base, u->rx_count, u->tx_count);
			return -1;
		}
		put_be16(p, u->divider);
		put_u8(p, u->rx_count ? u->rx[0] : 0);
		put_u8(p, u->ier);
		put_u8(p, uart_state_iir(u));
		put_u8(p, u->lcr);
		put_u8(p, u->mcr);
		put_u8(p, u->lsr);
		put_u8(p, u->msr);
		put_u8(p, u->scr);
		put_u8(p, u->fcr);
		trad_section(t, "serial", m->uart[i].base, 2);
		/* The traditional model keeps only IIR: a THR interrupt another one hides is lost. */
		if (u->thr_ipending && (uart_state_iir(u) & 0x0f) != UART_IIR_THRI)
			load_note(rep, "serial %#x: a transmitter-empty interrupt behind IIR %#x is not in the traditional layout",
				  m->uart[i].base, uart_state_iir(u));
		if (u->timeout_expire || u->timeout_ipending)
			load_note(rep, "serial %#x: the receive FIFO's character timeout is not in the traditional layout",
				  m->uart[i].base);
	}
	return 0;
}

/* ---------------------------------------------------------------- upstream QEMU */


/* Fifo8: data (the destination's capacity, 16 for a 16550A), head, num. */
static const struct vmf fifo8_f[] = { VM_F(1, 16), VM_F(4, 2) };
VM_DESC(fifo8, "Fifo8", 1, 1, fifo8_f);
VM_SUB(serial_thr_ipending, "serial/thr_ipending", 1, VM_F(4, 1));
VM_SUB(serial_tsr, "serial/tsr", 1, VM_F(4, 1), VM_F(1, 2));
VM_SUB(serial_recv_fifo, "serial/recv_fifo", 1, VM_STRUCT(fifo8, 1, 0));
VM_SUB(serial_xmit_fifo, "serial/xmit_fifo", 1, VM_STRUCT(fifo8, 1, 0));
VM_SUB(serial_fifo_timeout, "serial/fifo_timeout_timer", 1, VM_F(8, 1));
VM_SUB(serial_timeout_ipending, "serial/timeout_ipending", 1, VM_F(4, 1));
VM_SUB(serial_poll, "serial/poll", 1, VM_F(4, 1), VM_F(8, 1));
static const struct vmd *const serial_subs[] = {
	&serial_thr_ipending, &serial_tsr, &serial_recv_fifo, &serial_xmit_fifo,
	&serial_fifo_timeout, &serial_timeout_ipending, &serial_poll,
};
static const struct vmf serial_f[] = { VM_FV(2, 1, 2), VM_F(1, 8), VM_FV(1, 1, 3) };
/* QEMU reads from 2, whose 10 bytes collide with the traditional 11-byte version 2 hvmdm decodes. */
VM_DESC_SUBS(serial_vm, "serial", 3, 3, serial_f, serial_subs);

static const struct vm_layout serial_up[] = { UPSTREAM_LAYOUT("serial", serial_vm) };

/* QEMU's ISA UARTs 0-3 (hw/char/serial-isa.c isa_serial_io): its instance numbers, hvmdm's ports. */
static const uint16_t qemu_isa_serial_base[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };

/* util/fifo8.c vmstate_fifo8 for a 16-byte FIFO: data[16], be32 head, be32 num. */
static void put_fifo8(struct wbuf *p, const uint8_t *bytes, unsigned int n)
{
	uint8_t data[UART_FIFO_SIZE] = { 0 };

	memcpy(data, bytes, n);
	put_bytes(p, data, sizeof(data));
	put_be32(p, 0);
	put_be32(p, n);
}

/*
 * hw/char/serial.c vmstate_serial v3: the registers, then the subsections
 * QEMU would find needed. A byte still to send goes as QEMU's own retried
 * one (serial/tsr: its post_load demands LSR.TEMT clear exactly when a
 * retry is pending and starts sending it), the rest of the transmit FIFO
 * after it; received bytes go in the receive FIFO (FIFO mode) or RBR.
 */
static int up_serial_write(struct up_writer *t, const struct machine *m,
			   const struct machine_state *st, struct load_report *rep, char *err,
			   size_t errlen)
{
	(void)rep;
	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		const struct uart_state *u = &st->uart[i];
		struct wbuf *p = up_payload(t);
		bool fifo = u->fcr & UART_FCR_ENABLE;
		uint8_t iir = uart_state_iir(u), lsr = u->lsr;
		unsigned int q = 0;

		while (q < 4 && qemu_isa_serial_base[q] != m->uart[i].base)
			q++;
		if (q == 4) {
			snprintf(err, errlen, "serial %#x: QEMU's ISA UARTs are at 0x3f8, 0x2f8, 0x3e8 and 0x2e8",
				 m->uart[i].base);
			return -1;
		}
		if (!fifo && (u->rx_count > 1 || u->tx_count > 2)) {
			snprintf(err, errlen, "serial %#x: %u received and %u unsent bytes with the FIFOs off, more than QEMU's RBR, THR and TSR hold",
				 m->uart[i].base, u->rx_count, u->tx_count);
			return -1;
		}
		/* TEMT clear exactly while a byte is being sent; THRE while nothing waits behind it. */
		if (!u->tx_count)
			lsr |= UART_LSR_TEMT | UART_LSR_THRE;
		else if (u->tx_count == 1)
			lsr = (uint8_t)((lsr & ~UART_LSR_TEMT) | UART_LSR_THRE);
		else
			lsr &= (uint8_t)~(UART_LSR_TEMT | UART_LSR_THRE);
		put_be16(p, u->divider);
		put_u8(p, u->rx_count ? u->rx[u->rx_count - 1] : 0);
		put_u8(p, u->ier);
		put_u8(p, iir);
		put_u8(p, u->lcr);
		put_u8(p, u->mcr);
		put_u8(p, lsr);
		put_u8(p, u->msr);
		put_u8(p, u->scr);
		put_u8(p, u->fcr);
		/* QEMU's serial_thr_ipending_needed: only where IIR does not already say it. */
		if ((u->ier & UART_IER_THRI) && u->thr_ipending != ((iir & 0x0f) == UART_IIR_THRI)) {
			put_up_subsection(p, "serial/thr_ipending", 1);
			put_be32(p, u->thr_ipending);
		}
		if (u->tx_count) {
			put_up_subsection(p, "serial/tsr", 1);
			put_be32(p, 1); /* tsr_retry */
			put_u8(p, !fifo && u->tx_count == 2 ? u->tx[1] : u->tx[0]);
			put_u8(p, u->tx[0]);
		}
		if (fifo && u->rx_count) {
			put_up_subsection(p, "serial/recv_fifo", 1);
			put_fifo8(p, u->rx, u->rx_count);
		}
		if (fifo && u->tx_count > 1) {
			put_up_subsection(p, "serial/xmit_fifo", 1);
			put_fifo8(p, u->tx + 1, u->tx_count - 1u);
		}
		if (u->timeout_expire) {
			put_up_subsection(p, "serial/fifo_timeout_timer", 1);
			put_be64(p, u->timeout_expire);
		}
		if (u->timeout_ipending) {
			put_up_subsection(p, "serial/timeout_ipending", 1);
			put_be32(p, 1);
		}
		up_section(t, NULL, "serial", q, 3);
	}
	return 0;
}

/* QEMU numbers ISA UARTs 0, 1, ...; their ports (isa_serial_io[]) are hvmdm's record instances. */
static bool serial_upstream_instance(uint32_t qemu_instance, uint32_t *inst, const char **why)
{
	*why = "QEMU has 4 ISA UARTs";
	if (qemu_instance >= 4)
		return false;
	*inst = qemu_isa_serial_base[qemu_instance];
	return true;
}

const struct record_kind serial_kind = {
	.idstr = "serial",
	.instances = serial_instances,
	.max_instances = MACHINE_MAX_SERIAL,
	.encode = enc_serial,
	.required = true,
	KIND_VERSIONS(serial_versions),
	.trad = { .size = trad_serial_size, .write = trad_serial_write, .order = 7 },
	.upstream = { UPSTREAM_LAYOUTS(serial_up), .instance = serial_upstream_instance,
		      .write = up_serial_write, .order = 5 },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_serial(const struct machine *m, const struct machine_state *st)
{
	json_t *serial = json_array();

	for (unsigned int i = 0; i < m->nr_uarts; i++) {
		const struct uart_state *u = &st->uart[i];

		json_array_append_new(serial, json_pack(
			"{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:b, s:b, s:o}",
			"base", m->uart[i].base, "divider", u->divider, "ier", u->ier, "fcr", u->fcr,
			"lcr", u->lcr, "mcr", u->mcr, "lsr", u->lsr, "msr", u->msr, "scr", u->scr,
			"rx", json_hex(u->rx, u->rx_count), "tx", json_hex(u->tx, u->tx_count),
			"thr_ipending", u->thr_ipending, "timeout_ipending", u->timeout_ipending,
			"timeout_expire", json_u64(u->timeout_expire)));
	}
	return serial;
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_serial(struct machine_state *st)
{
	for (unsigned int u = 0; u < MACHINE_MAX_SERIAL; u++) {
		struct uart_state *s = &st->uart[u];

		s->divider = (uint16_t)(0x0102 + u);
		s->ier = 0x0f;
		s->fcr = 0xc9;
		s->lcr = 0x1b;
		s->mcr = 0x1f;
		s->lsr = 0x61;
		s->msr = 0xbb;
		s->scr = 0x77;
		s->rx_count = 3;
		s->tx_count = 16;
		for (unsigned int i = 0; i < UART_FIFO_SIZE; i++) {
			s->rx[i] = i < 3 ? (uint8_t)(0xa0 + i) : 0;
			s->tx[i] = (uint8_t)(0xb0 + i);
		}
		s->thr_ipending = true;
		s->timeout_ipending = true;
		s->timeout_expire = 0x0a0b0c0d0e0f1011ull;
	}
}

const struct state_view serial_view = { "serial", view_serial, probe_serial };
