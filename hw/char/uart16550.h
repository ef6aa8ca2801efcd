/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 16550A UART: 16-byte FIFOs, interrupt identification with the 8250
 * priorities, line and modem status, scratch, loopback, and a character
 * timeout on the receive FIFO. Bytes go out as soon as the guest writes them
 * (as in QEMU); the baud divisor only sets the receive timeout.
 */
#ifndef HVMDM_UART16550_H
#define HVMDM_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/accel.h"
#include "hw/core/bus.h"
#include "backends/chardev.h"
#include "hw/core/clock.h"
#include "hw/core/loop.h"

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200

/* Registers (offset from base). */
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI 0x08

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c
#define UART_IIR_FIFO 0xc0

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_DMA 0x08
#define UART_FCR_TRIGGER 0xc0

#define UART_LCR_DLAB 0x80
#define UART_LCR_BREAK 0x40

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_PE 0x04
#define UART_LSR_FE 0x08
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_FIFOE 0x80
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_DELTAS 0x0f

struct uart_fifo {
	uint8_t data[UART_FIFO_SIZE];
	uint8_t head;
	uint8_t count;
};

struct uart16550 {
	const char *name;
	uint16_t base;
	unsigned int irq;
	struct accel *accel;
	struct dm_clock *clock;
	struct chardev *backend; /* may be NULL: output discarded, no input */

	/* Guest-visible registers. */
	uint16_t divider;
	uint8_t ier;
	uint8_t fcr;   /* as last written (bits 0, 3, 6-7) */
	uint8_t lcr;
	uint8_t mcr;
	uint8_t lsr;
	uint8_t msr;
	uint8_t scr;
	struct uart_fifo rx;
	struct uart_fifo tx; /* bytes the backend has not taken yet */
	bool thr_ipending;     /* THRE interrupt pending until IIR read / THR write */
	bool timeout_ipending; /* character timeout */
	bool irq_level;
	struct dm_timer timeout_timer;
};

struct uart_state {
	uint16_t divider;
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr;
	uint8_t rx_count;
	uint8_t rx[UART_FIFO_SIZE]; /* oldest first */
	uint8_t tx_count;
	uint8_t tx[UART_FIFO_SIZE];
	bool thr_ipending;
	bool timeout_ipending;
	uint64_t timeout_expire; /* virtual-clock ns; 0 = not armed */
};

void uart_save_state(const struct uart16550 *u, struct uart_state *st);
int uart_check_state(const struct uart16550 *u, const struct uart_state *st, char *err,
		     size_t errlen);
void uart_load_state(struct uart16550 *u, const struct uart_state *st);

int uart_init(struct uart16550 *u, const char *name, struct io_space *io, uint16_t base,
	      unsigned int irq, struct accel *accel, struct dm_clock *clock,
	      struct chardev *backend);
void uart_destroy(struct uart16550 *u);
void uart_reset(struct uart16550 *u);

/* Room in the receive path (0 when a byte would overrun). */
unsigned int uart_can_receive(const struct uart16550 *u);
/* Deliver bytes from the outside; bytes beyond the room overrun (OE). */
void uart_receive(struct uart16550 *u, const uint8_t *buf, unsigned int len);
void uart_receive_break(struct uart16550 *u);
/*
 * Serve the backend from the event loop: input when it is readable and the
 * receiver has room, queued output when the backend can take it. 0 or -ENOMEM.
 */
int uart_attach_loop(struct uart16550 *u, struct loop *loop);

uint8_t uart_iir(const struct uart16550 *u);
/* The IIR a UART in saved state `st` reads (for writers of foreign layouts). */
uint8_t uart_state_iir(const struct uart_state *st);

extern const struct dev_ops uart_dev_ops;

#endif
