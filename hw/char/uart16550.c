// SPDX-License-Identifier: GPL-2.0-only
/*
 * 16550A UART. Register behaviour as the 8250/16550A datasheets and QEMU's
 * hw/char/serial.c present it; reset values as QEMU (9600 8N1, OUT2 set).
 */
#include "uart16550.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "hw/core/log.h"

static void fifo_reset(struct uart_fifo *f)
{
	f->head = 0;
	f->count = 0;
}

static void fifo_push(struct uart_fifo *f, uint8_t byte)
{
	f->data[(f->head + f->count) % UART_FIFO_SIZE] = byte;
	f->count++;
}

static uint8_t fifo_pop(struct uart_fifo *f)
{
	uint8_t byte = f->data[f->head];

	f->head = (uint8_t)((f->head + 1) % UART_FIFO_SIZE);
	f->count--;
	return byte;
}

static bool fifo_mode(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static unsigned int rx_capacity(const struct uart16550 *u)
{
	return fifo_mode(u) ? UART_FIFO_SIZE : 1;
}

/* The IIR of a 16550A in this state: the highest-priority pending source. */
static uint8_t iir_of(uint8_t ier, uint8_t lsr, uint8_t msr, uint8_t fcr, unsigned int rx_count,
		      bool timeout_ipending, bool thr_ipending)
{
	static const unsigned int trigger[4] = { 1, 4, 8, 14 };
	bool fifo = fcr & UART_FCR_ENABLE;
	uint8_t iir = UART_IIR_NO_INT;

	if ((ier & UART_IER_RLSI) && (lsr & UART_LSR_ERRORS))
		iir = UART_IIR_RLSI;
	else if ((ier & UART_IER_RDI) && rx_count && (!fifo || rx_count >= trigger[fcr >> 6]))
		iir = UART_IIR_RDI;
	else if ((ier & UART_IER_RDI) && timeout_ipending)
		iir = UART_IIR_CTI;
	else if ((ier & UART_IER_THRI) && thr_ipending)
		iir = UART_IIR_THRI;
	else if ((ier & UART_IER_MSI) && (msr & UART_MSR_DELTAS))
		iir = UART_IIR_MSI;
	return fifo ? iir | UART_IIR_FIFO : iir;
}

uint8_t uart_iir(const struct uart16550 *u)
{
	return iir_of(u->ier, u->lsr, u->msr, u->fcr, u->rx.count, u->timeout_ipending, u->thr_ipending);
}

uint8_t uart_state_iir(const struct uart_state *st)
{
	return iir_of(st->ier, st->lsr, st->msr, st->fcr, st->rx_count, st->timeout_ipending,
		      st->thr_ipending);
}

static void update_irq(struct uart16550 *u)
{
	bool level = !(uart_iir(u) & UART_IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		accel_set_isa_irq_level(u->accel, u->irq, level);
	}
}

/* Four character times at the programmed rate and frame. */
static uint64_t char_timeout_ns(const struct uart16550 *u)
{
	unsigned int bits = 1 + 5 + (u->lcr & 3) + ((u->lcr & 4) ? 2 : 1) + ((u->lcr & 8) ? 1 : 0);
	uint64_t divider = u->divider ? u->divider : 1;

	return 4 * divider * 16 * bits * NSEC_PER_SEC / UART_CLOCK_HZ;
}

static void rearm_timeout(struct uart16550 *u)
{
	u->timeout_ipending = false;
	if (fifo_mode(u) && u->rx.count && u->clock)
		timer_arm(&u->timeout_timer, clock_now(u->clock) + char_timeout_ns(u));
	else if (u->clock)
		timer_cancel(&u->timeout_timer);
}

static void timeout_expired(void *opaque)
{
	struct uart16550 *u = opaque;

	if (u->rx.count) {
		u->timeout_ipending = true;
		update_irq(u);
	}
}

static void rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->rx.count >= rx_capacity(u)) {
		u->lsr |= UART_LSR_OE; /* the byte in the shift register is lost */
	} else {
		fifo_push(&u->rx, byte);
		u->lsr |= UART_LSR_DR;
	}
	rearm_timeout(u);
}

static void tx_flush(struct uart16550 *u)
{
	bool was_full = u->tx.count != 0;

	while (u->tx.count) {
		uint8_t chunk[UART_FIFO_SIZE];
		unsigned int n = u->tx.count;
		size_t taken;

		for (unsigned int i = 0; i < n; i++)
			chunk[i] = u->tx.data[(u->tx.head + i) % UART_FIFO_SIZE];
		taken = u->backend ? chardev_write(u->backend, chunk, n) : n;
		if (taken == 0)
			break; /* retried when the backend becomes writable */
		u->tx.head = (uint8_t)((u->tx.head + taken) % UART_FIFO_SIZE);
		u->tx.count = (uint8_t)(u->tx.count - taken);
	}
	if (u->tx.count == 0) {
		u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
		if (was_full)
			u->thr_ipending = true;
	} else {
		u->lsr &= (uint8_t)~(UART_LSR_THRE | UART_LSR_TEMT);
	}
}

static void transmit(struct uart16550 *u, uint8_t byte)
{
	u->thr_ipending = false;
	if (u->mcr & UART_MCR_LOOP) {
		rx_push(u, byte); /* instantly "sent": THR stays empty */
		u->thr_ipending = true;
		return;
	}
	if (u->tx.count >= (fifo_mode(u) ? UART_FIFO_SIZE : 1)) {
		log_guest(u->name, "transmit overrun: byte dropped");
		return;
	}
	fifo_push(&u->tx, byte);
	tx_flush(u);
}

static uint8_t modem_inputs(const struct uart16550 *u)
{
	uint8_t m = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS; /* backends are always "up" */
	if (u->mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

static void update_msr(struct uart16550 *u)
{
	uint8_t now = modem_inputs(u), before = u->msr & 0xf0, deltas = 0;

	if ((now ^ before) & UART_MSR_CTS)
		deltas |= UART_MSR_DCTS;
	if ((now ^ before) & UART_MSR_DSR)
		deltas |= UART_MSR_DDSR;
	if ((before & UART_MSR_RI) && !(now & UART_MSR_RI))
		deltas |= UART_MSR_TERI; /* trailing edge only */
	if ((now ^ before) & UART_MSR_DCD)
		deltas |= UART_MSR_DDCD;
	u->msr = (uint8_t)(now | (u->msr & UART_MSR_DELTAS) | deltas);
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned int size)
{
	struct uart16550 *u = opaque;
	uint8_t v = 0xff;

	(void)size;
	switch (off) {
	case UART_RBR:
		if (u->lcr & UART_LCR_DLAB) {
			v = (uint8_t)u->divider;
			break;
		}
		v = u->rx.count ? fifo_pop(&u->rx) : 0;
		if (!u->rx.count)
			u->lsr &= (uint8_t)~(UART_LSR_DR | UART_LSR_BI);
		rearm_timeout(u);
		break;
	case UART_IER:
		v = (u->lcr & UART_LCR_DLAB) ? (uint8_t)(u->divider >> 8) : u->ier;
		break;
	case UART_IIR:
		v = uart_iir(u);
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thr_ipending = false; /* reading the THRE identification clears it */
		break;
	case UART_LCR:
		v = u->lcr;
		break;
	case UART_MCR:
		v = u->mcr;
		break;
	case UART_LSR:
		v = u->lsr;
		u->lsr &= (uint8_t)~(UART_LSR_ERRORS | UART_LSR_FIFOE);
		if (u->rx.count)
			u->lsr |= UART_LSR_DR;
		break;
	case UART_MSR:
		v = u->msr;
		u->msr &= (uint8_t)~UART_MSR_DELTAS;
		break;
	case UART_SCR:
		v = u->scr;
		break;
	}
	update_irq(u);
	return v;
}

static void write_fcr(struct uart16550 *u, uint8_t val)
{
	/* Turning the FIFOs on or off empties them. */
	if ((val ^ u->fcr) & UART_FCR_ENABLE)
		val |= UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX;
	if (val & UART_FCR_CLEAR_RX) {
		fifo_reset(&u->rx);
		u->lsr &= (uint8_t)~(UART_LSR_DR | UART_LSR_BI);
		u->timeout_ipending = false;
		if (u->clock)
			timer_cancel(&u->timeout_timer);
	}
	if (val & UART_FCR_CLEAR_TX) {
		fifo_reset(&u->tx);
		u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
		u->thr_ipending = true;
	}
	u->fcr = val & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
}

static void uart_write(void *opaque, uint64_t off, unsigned int size, uint64_t val64)
{
	struct uart16550 *u = opaque;
	uint8_t val = (uint8_t)val64;

	(void)size;
	switch (off) {
	case UART_THR:
		if (u->lcr & UART_LCR_DLAB)
			u->divider = (uint16_t)((u->divider & 0xff00) | val);
		else
			transmit(u, val);
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->divider = (uint16_t)((u->divider & 0x00ff) | val << 8);
			break;
		}
		/* Enabling THRI with the holding register empty raises it at once. */
		if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI) && (u->lsr & UART_LSR_THRE))
			u->thr_ipending = true;
		else if (!(val & UART_IER_THRI))
			u->thr_ipending = false;
		u->ier = val & 0x0f;
		break;
	case UART_FCR:
		write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;
		update_msr(u);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
	update_irq(u);
}

static const struct io_ops uart_ops = {
	.read = uart_read, .write = uart_write, .impl_min = 1, .impl_max = 1,
};

unsigned int uart_can_receive(const struct uart16550 *u)
{
	if (u->mcr & UART_MCR_LOOP)
		return 0; /* the receiver listens to the transmitter only */
	return rx_capacity(u) - u->rx.count;
}

void uart_receive(struct uart16550 *u, const uint8_t *buf, unsigned int len)
{
	if (u->mcr & UART_MCR_LOOP)
		return;
	for (unsigned int i = 0; i < len; i++)
		rx_push(u, buf[i]);
	update_irq(u);
}

void uart_receive_break(struct uart16550 *u)
{
	if (u->mcr & UART_MCR_LOOP)
		return;
	rx_push(u, 0);
	u->lsr |= UART_LSR_BI | (fifo_mode(u) ? UART_LSR_FIFOE : 0);
	update_irq(u);
}

/* The backend's side, called from the event loop (hw/chardev.c). */
static unsigned int fe_can_read(void *opaque)
{
	return uart_can_receive(opaque);
}

static void fe_read(void *opaque, const uint8_t *buf, size_t len)
{
	uart_receive(opaque, buf, (unsigned int)len);
}

static bool fe_has_output(void *opaque)
{
	return ((struct uart16550 *)opaque)->tx.count != 0;
}

static void fe_write_ready(void *opaque)
{
	struct uart16550 *u = opaque;

	tx_flush(u);
	update_irq(u);
}

static const struct chardev_frontend uart_frontend = {
	.can_read = fe_can_read,
	.read = fe_read,
	.has_output = fe_has_output,
	.write_ready = fe_write_ready,
};

int uart_attach_loop(struct uart16550 *u, struct loop *loop)
{
	return u->backend ? chardev_attach(u->backend, loop, &uart_frontend, u) : 0;
}

void uart_reset(struct uart16550 *u)
{
	u->divider = 0x0c; /* 9600 baud */
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = UART_MCR_OUT2;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	u->scr = 0;
	fifo_reset(&u->rx);
	fifo_reset(&u->tx);
	u->thr_ipending = false;
	u->timeout_ipending = false;
	if (u->clock)
		timer_cancel(&u->timeout_timer);
	update_irq(u);
}

int uart_init(struct uart16550 *u, const char *name, struct io_space *io, uint16_t base,
	      unsigned int irq, struct accel *accel, struct dm_clock *clock,
	      struct chardev *backend)
{
	memset(u, 0, sizeof(*u));
	u->name = name;
	u->base = base;
	u->irq = irq;
	u->accel = accel;
	u->clock = clock;
	u->backend = backend;
	if (clock)
		timer_init(&u->timeout_timer, clock, timeout_expired, u);
	uart_reset(u);
	return io_space_claim(io, base, 8, &uart_ops, u, name);
}

void uart_destroy(struct uart16550 *u)
{
	if (u->clock)
		timer_cancel(&u->timeout_timer);
}

static void fifo_copy_out(const struct uart_fifo *f, uint8_t *out)
{
	for (unsigned int i = 0; i < f->count; i++)
		out[i] = f->data[(f->head + i) % UART_FIFO_SIZE];
}

void uart_save_state(const struct uart16550 *u, struct uart_state *st)
{
	memset(st, 0, sizeof(*st));
	st->divider = u->divider;
	st->ier = u->ier;
	st->fcr = u->fcr;
	st->lcr = u->lcr;
	st->mcr = u->mcr;
	st->lsr = u->lsr;
	st->msr = u->msr;
	st->scr = u->scr;
	st->rx_count = u->rx.count;
	fifo_copy_out(&u->rx, st->rx);
	st->tx_count = u->tx.count;
	fifo_copy_out(&u->tx, st->tx);
	st->thr_ipending = u->thr_ipending;
	st->timeout_ipending = u->timeout_ipending;
	st->timeout_expire = u->clock && u->timeout_timer.armed ? u->timeout_timer.expire_ns : 0;
}

int uart_check_state(const struct uart16550 *u, const struct uart_state *st, char *err,
		     size_t errlen)
{
	unsigned int cap = (st->fcr & UART_FCR_ENABLE) ? UART_FIFO_SIZE : 1;

	if (st->rx_count > cap || st->tx_count > cap) {
		snprintf(err, errlen, "%s: %u received / %u queued bytes exceed the %s FIFO of %u",
			 u->name, st->rx_count, st->tx_count,
			 cap > 1 ? "enabled" : "disabled", cap);
		return -1;
	}
	if ((st->ier & 0xf0) || (st->mcr & 0xe0) ||
	    (st->fcr & ~(UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER))) {
		snprintf(err, errlen, "%s: IER %#x, MCR %#x or FCR %#x have bits no 16550A has",
			 u->name, st->ier, st->mcr, st->fcr);
		return -1;
	}
	if (!!(st->lsr & UART_LSR_DR) != (st->rx_count != 0)) {
		snprintf(err, errlen, "%s: LSR data-ready %s but %u bytes are buffered", u->name,
			 (st->lsr & UART_LSR_DR) ? "set" : "clear", st->rx_count);
		return -1;
	}
	return 0;
}

void uart_load_state(struct uart16550 *u, const struct uart_state *st)
{
	u->divider = st->divider;
	u->ier = st->ier;
	u->fcr = st->fcr;
	u->lcr = st->lcr;
	u->mcr = st->mcr;
	u->lsr = st->lsr;
	u->msr = st->msr;
	u->scr = st->scr;
	fifo_reset(&u->rx);
	for (unsigned int i = 0; i < st->rx_count; i++)
		fifo_push(&u->rx, st->rx[i]);
	fifo_reset(&u->tx);
	for (unsigned int i = 0; i < st->tx_count; i++)
		fifo_push(&u->tx, st->tx[i]);
	u->thr_ipending = st->thr_ipending;
	u->timeout_ipending = st->timeout_ipending;
	if (u->clock) {
		if (st->timeout_expire)
			timer_arm(&u->timeout_timer, st->timeout_expire);
		else
			timer_cancel(&u->timeout_timer);
	}
	update_irq(u);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(uart_reset, struct uart16550)
DEV_OPS_DESTROY(uart_destroy, struct uart16550)
DEV_OPS_SAVE(uart_save_state, struct uart16550, struct uart_state)
DEV_OPS_CHECK(uart_check_state, struct uart16550, struct uart_state)
DEV_OPS_LOAD(uart_load_state, struct uart16550, struct uart_state)

const struct dev_ops uart_dev_ops = {
	.name = "uart16550", .record = "serial", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
