// SPDX-License-Identifier: GPL-2.0-only
/* 16550A UART: every register, FIFOs, interrupts, loopback and the backends. */
#define _GNU_SOURCE
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define COM1 0x3f8

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hvmdm-uart-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Read exactly n bytes, waiting at most 5 s (ptys hand over what they have). */
static ssize_t read_exact(int fd, char *buf, size_t n)
{
	size_t got = 0;

	for (int tries = 0; got < n && tries < 5000; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 1) <= 0)
			continue;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Let the backend deliver input: run the machine's event loop for up to 5 s. */
static void wait_for_rx(struct tm_ctx *t)
{
	for (int i = 0; i < 5000 && !(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR); i++)
		loop_run_once(&t->m.loop, 1);
}

static void test_reset_values(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");

	(void)state;
	assert_int_equal(inp(t, COM1 + UART_IER, 1), 0);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_NO_INT);
	assert_int_equal(inp(t, COM1 + UART_LCR, 1), 0);
	assert_int_equal(inp(t, COM1 + UART_MCR, 1), UART_MCR_OUT2);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(inp(t, COM1 + UART_MSR, 1), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(inp(t, COM1 + UART_SCR, 1), 0);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 0);
	/* Divisor latch: 12 = 9600 baud. */
	outp(t, COM1 + UART_LCR, 1, UART_LCR_DLAB | 3);
	assert_int_equal(inp(t, COM1 + UART_DLL, 1), 12);
	assert_int_equal(inp(t, COM1 + UART_DLM, 1), 0);
	outp(t, COM1 + UART_DLL, 1, 1);
	outp(t, COM1 + UART_DLM, 1, 0x02);
	assert_int_equal(t->m.uart[0].divider, 0x0201);
	outp(t, COM1 + UART_LCR, 1, 3);
	assert_int_equal(inp(t, COM1 + UART_IER, 1), 0);
	/* Scratch, IER bits, read-only LSR/MSR. */
	outp(t, COM1 + UART_SCR, 1, 0xa5);
	assert_int_equal(inp(t, COM1 + UART_SCR, 1), 0xa5);
	outp(t, COM1 + UART_IER, 1, 0xff);
	assert_int_equal(inp(t, COM1 + UART_IER, 1), 0x0f);
	outp(t, COM1 + UART_IER, 1, 0);
	outp(t, COM1 + UART_LSR, 1, 0);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1), UART_LSR_THRE | UART_LSR_TEMT);
	outp(t, COM1 + UART_MSR, 1, 0);
	assert_int_equal(inp(t, COM1 + UART_MSR, 1), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	/* Ports past the eight registers are not the UART's. */
	assert_int_equal(inp(t, COM1 + 8, 1), 0xff);
	/* A word access is two byte accesses. */
	assert_int_equal(inp(t, COM1 + UART_LCR, 2), (UART_MCR_OUT2 << 8) | 3);
	tm_free(t);
}

static void test_transmit_to_file(void **state)
{
	char path[128], spec[140], buf[64] = { 0 };
	struct tm_ctx *t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/serial.log", tmpdir);
	snprintf(spec, sizeof(spec), "file:%s", path);
	t = tm_new(PROFILE_XENFV, 1, spec);
	for (const char *c = "hvmdm\n"; *c; c++)
		outp(t, COM1 + UART_THR, 1, (uint8_t)*c);
	/* THRE interrupt: raised when enabled with the holder empty, cleared by IIR read. */
	outp(t, COM1 + UART_IER, 1, UART_IER_THRI);
	assert_true(t->acc.isa_irq[4]);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_THRI);
	assert_false(t->acc.isa_irq[4]);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_NO_INT);
	/* Each write re-raises it once sent. */
	outp(t, COM1 + UART_THR, 1, '!');
	assert_true(t->acc.isa_irq[4]);
	tm_free(t);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 7);
	close(fd);
	assert_string_equal(buf, "hvmdm\n!");
}

static void test_loopback_and_modem_status(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");

	(void)state;
	outp(t, COM1 + UART_MCR, 1, UART_MCR_LOOP);
	/* In loopback MSR mirrors MCR: nothing driven -> all lines low, deltas set. */
	assert_int_equal(inp(t, COM1 + UART_MSR, 1),
			 UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(inp(t, COM1 + UART_MSR, 1), 0); /* deltas clear on read */
	outp(t, COM1 + UART_MCR, 1, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT1 | UART_MCR_OUT2);
	assert_int_equal(inp(t, COM1 + UART_MSR, 1),
			 UART_MSR_CTS | UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCD |
			 UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	outp(t, COM1 + UART_MCR, 1, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(inp(t, COM1 + UART_MSR, 1) & UART_MSR_TERI, UART_MSR_TERI);
	/* Modem status interrupt. */
	outp(t, COM1 + UART_IER, 1, UART_IER_MSI);
	outp(t, COM1 + UART_MCR, 1, UART_MCR_LOOP);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_MSI);
	assert_true(t->acc.isa_irq[4]);
	inp(t, COM1 + UART_MSR, 1);
	assert_false(t->acc.isa_irq[4]);
	/* Transmit comes back as receive; outside input is not heard. */
	outp(t, COM1 + UART_IER, 1, UART_IER_RDI);
	outp(t, COM1 + UART_THR, 1, 0x42);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_RDI);
	assert_int_equal(uart_can_receive(&t->m.uart[0]), 0);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 0x42);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR, 0);
	assert_false(t->acc.isa_irq[4]);
	/* Overrun in non-FIFO mode: the second byte is lost, OE raises RLS. */
	outp(t, COM1 + UART_IER, 1, UART_IER_RDI | UART_IER_RLSI);
	outp(t, COM1 + UART_THR, 1, 1);
	outp(t, COM1 + UART_THR, 1, 2);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_RLSI);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_OE, 0);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_RDI);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 1);
	tm_free(t);
}

static void test_fifo_trigger_and_timeout(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "null");
	uint8_t bytes[20];

	(void)state;
	for (int i = 0; i < 20; i++)
		bytes[i] = (uint8_t)('a' + i);
	outp(t, COM1 + UART_LCR, 1, 3); /* 8N1: 10 bits a character */
	/* FIFO on, trigger at 4 bytes. */
	outp(t, COM1 + UART_FCR, 1, UART_FCR_ENABLE | 0x40);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_FIFO | UART_IIR_NO_INT);
	outp(t, COM1 + UART_IER, 1, UART_IER_RDI);
	assert_int_equal(uart_can_receive(&t->m.uart[0]), 16);
	uart_receive(&t->m.uart[0], bytes, 3);
	assert_false(t->acc.isa_irq[4]);
	/* Below the trigger: the character timeout (4 chars at 9600 8N1 ~ 4.2 ms). */
	tm_advance(t, 3000000);
	assert_false(t->acc.isa_irq[4]);
	tm_advance(t, 2000000);
	assert_true(t->acc.isa_irq[4]);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_FIFO | UART_IIR_CTI);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 'a');
	assert_false(t->acc.isa_irq[4]); /* reading restarts the timeout */
	/* Reaching the trigger raises RDI at once. */
	uart_receive(&t->m.uart[0], bytes + 3, 2);
	assert_true(t->acc.isa_irq[4]);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1), UART_IIR_FIFO | UART_IIR_RDI);
	/* Fill past 16: overrun. */
	uart_receive(&t->m.uart[0], bytes, 20);
	assert_int_equal(uart_can_receive(&t->m.uart[0]), 0);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_OE, UART_LSR_OE);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 'b');
	/* FCR clears the receive FIFO. */
	outp(t, COM1 + UART_FCR, 1, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR, 0);
	assert_int_equal(uart_can_receive(&t->m.uart[0]), 16);
	/* A break arrives as a 0 byte with BI. */
	outp(t, COM1 + UART_IER, 1, UART_IER_RLSI);
	uart_receive_break(&t->m.uart[0]);
	assert_int_equal(inp(t, COM1 + UART_IIR, 1) & 0x0f, UART_IIR_RLSI);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_BI, UART_LSR_BI);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 0);
	/* Turning the FIFO off empties it. */
	uart_receive(&t->m.uart[0], bytes, 4);
	outp(t, COM1 + UART_FCR, 1, 0);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR, 0);
	assert_int_equal(uart_can_receive(&t->m.uart[0]), 1);
	tm_free(t);
}

static void test_pty_backend(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "pty");
	struct chardev *c = &t->m.serial_backend[0];
	char buf[16] = { 0 };
	int slave;

	(void)state;
	assert_true(strncmp(c->path, "/dev/pts/", 9) == 0);
	/* Nobody has the slave open: output is discarded, the guest is not stalled. */
	outp(t, COM1 + UART_THR, 1, 'x');
	assert_int_equal(c->dropped, 1);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_TEMT, UART_LSR_TEMT);
	slave = open(c->path, O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	outp(t, COM1 + UART_THR, 1, 'O');
	outp(t, COM1 + UART_THR, 1, 'K');
	assert_int_equal(read_exact(slave, buf, 2), 2);
	assert_string_equal(buf, "OK");
	/* Input from the slave reaches RBR. */
	assert_int_equal(write(slave, "in", 2), 2);
	wait_for_rx(t);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 'i');
	wait_for_rx(t);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 'n');
	close(slave);
	tm_free(t);
}

static void test_unix_socket_backend(void **state)
{
	char path[96], spec[160], buf[8] = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct tm_ctx *t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/console.sock", tmpdir);
	snprintf(spec, sizeof(spec), "unix:%s,server,nowait", path);
	t = tm_new(PROFILE_XENFV, 1, spec);
	outp(t, COM1 + UART_THR, 1, 'z'); /* no client yet: dropped */
	assert_int_equal(t->m.serial_backend[0].dropped, 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	outp(t, COM1 + UART_THR, 1, 'h');
	outp(t, COM1 + UART_THR, 1, 'i');
	assert_int_equal(read_exact(fd, buf, 2), 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(write(fd, "k", 1), 1);
	wait_for_rx(t);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 'k');
	/* The client leaves: output is discarded again, no SIGPIPE. */
	close(fd);
	for (int i = 0; i < 3; i++)
		outp(t, COM1 + UART_THR, 1, 'q');
	loop_run_once(&t->m.loop, 0);
	tm_free(t);
}

static void test_bad_backend_specs(void **state)
{
	struct chardev c;
	char err[256];

	(void)state;
	assert_int_equal(chardev_open(&c, "tcp:1.2.3.4:5", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-serial tcp:1.2.3.4:5"));
	assert_int_equal(chardev_open(&c, "file:", err, sizeof(err)), -1);
	assert_int_equal(chardev_open(&c, "file:/nonexistent-dir/x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(chardev_open(&c, "unix:/tmp/x,bogus", err, sizeof(err)), -1);
	assert_int_equal(chardev_open(&c, "unix:", err, sizeof(err)), -1);
	assert_int_equal(chardev_open(&c, "null", err, sizeof(err)), 0);
	assert_int_equal(chardev_write(&c, "abc", 3), 3);
	assert_int_equal(chardev_read(&c, err, 4), 0);
	chardev_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_transmit_to_file),
		cmocka_unit_test(test_loopback_and_modem_status),
		cmocka_unit_test(test_fifo_trigger_and_timeout),
		cmocka_unit_test(test_pty_backend),
		cmocka_unit_test(test_unix_socket_backend),
		cmocka_unit_test(test_bad_backend_specs),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("uart", tests, make_tmpdir, remove_tmpdir);
}
