// SPDX-License-Identifier: GPL-2.0-only
/* i8042 with PS/2 keyboard and mouse: the sequences SeaBIOS and Linux use. */
#include "testlib.h"

static int a20_state = -1;

static void a20_cb(void *o, bool on)
{
	(void)o;
	a20_state = on;
}

static uint8_t status(struct tm_ctx *t)
{
	return (uint8_t)inp(t, 0x64, 1);
}

static uint8_t data(struct tm_ctx *t)
{
	return (uint8_t)inp(t, 0x60, 1);
}

static void test_controller_commands(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	assert_int_equal(status(t), I8042_STR_CMD | I8042_STR_UNLOCKED);
	/* Self-test; sets SYS. */
	outp(t, 0x64, 1, 0xaa);
	assert_int_equal(status(t) & (I8042_STR_OBF | I8042_STR_SYS), I8042_STR_OBF | I8042_STR_SYS);
	assert_true(t->acc.isa_irq[1]);
	assert_int_equal(data(t), 0x55);
	assert_int_equal(status(t) & I8042_STR_OBF, 0);
	assert_false(t->acc.isa_irq[1]);
	/* Command byte round trip (interrupts off: no IRQ for the reply). */
	outp(t, 0x64, 1, 0x60);
	outp(t, 0x60, 1, 0x64);
	assert_int_equal(status(t) & I8042_STR_CMD, 0);
	outp(t, 0x64, 1, 0x20);
	assert_false(t->acc.isa_irq[1]);
	assert_int_equal(data(t), 0x64);
	/* Port tests, input port, test inputs. */
	outp(t, 0x64, 1, 0xab);
	assert_int_equal(data(t), 0x00);
	outp(t, 0x64, 1, 0xa9);
	assert_int_equal(data(t), 0x00);
	outp(t, 0x64, 1, 0xc0);
	assert_int_equal(data(t), 0x80);
	outp(t, 0x64, 1, 0xe0);
	assert_int_equal(data(t), 0x00);
	/* Unknown commands are ignored. */
	tm_quiet();
	outp(t, 0x64, 1, 0x12);
	assert_int_equal(status(t) & I8042_STR_OBF, 0);
	/* Reading an empty buffer returns the last byte again. */
	assert_int_equal(data(t), 0x00);
	tm_free(t);
}

static void test_a20_and_reset(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	t->m.kbd.a20_changed = a20_cb;
	outp(t, 0x64, 1, 0xd0);
	assert_int_equal(data(t) & (I8042_OUT_A20 | I8042_OUT_RESET), I8042_OUT_A20 | I8042_OUT_RESET);
	outp(t, 0x64, 1, 0xdd);
	assert_int_equal(a20_state, 0);
	assert_false(i8042_a20_enabled(&t->m.kbd));
	outp(t, 0x64, 1, 0xdf);
	assert_int_equal(a20_state, 1);
	outp(t, 0x64, 1, 0xd1);
	outp(t, 0x60, 1, I8042_OUT_RESET); /* A20 off through the output port */
	assert_int_equal(a20_state, 0);
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 0);
	outp(t, 0x64, 1, 0xd1);
	outp(t, 0x60, 1, I8042_OUT_A20); /* reset bit low: reset */
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 1);
	outp(t, 0x64, 1, 0xfe); /* pulse reset */
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 2);
	outp(t, 0x64, 1, 0xff); /* pulse nothing */
	assert_int_equal(t->acc.requests[ACCEL_REQ_REBOOT], 2);
	tm_free(t);
}

static void test_keyboard(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	/* Reset: ACK then BAT OK, on IRQ 1. */
	outp(t, 0x60, 1, 0xff);
	assert_true(t->acc.isa_irq[1]);
	assert_int_equal(status(t) & I8042_STR_AUX_OBF, 0);
	assert_int_equal(data(t), PS2_ACK);
	assert_true(t->acc.isa_irq[1]);
	assert_int_equal(data(t), PS2_BAT_OK);
	assert_false(t->acc.isa_irq[1]);
	/* Identify, untranslated then translated. */
	outp(t, 0x60, 1, 0xf2);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(data(t), 0xab);
	assert_int_equal(data(t), 0x83);
	outp(t, 0x64, 1, 0x60);
	outp(t, 0x60, 1, I8042_CTR_KBD_INT | I8042_CTR_XLATE);
	outp(t, 0x60, 1, 0xf2);
	data(t);
	data(t);
	assert_int_equal(data(t), 0x41);
	/* Scan set query and set. */
	outp(t, 0x60, 1, 0xf0);
	assert_int_equal(data(t), PS2_ACK);
	outp(t, 0x60, 1, 0x00);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(data(t), 0x41);
	outp(t, 0x60, 1, 0xf0);
	data(t);
	outp(t, 0x60, 1, 0x01);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(t->m.kbd.kbd.scancode_set, 1);
	outp(t, 0x60, 1, 0xf0);
	data(t);
	outp(t, 0x60, 1, 0x07);
	assert_int_equal(data(t), PS2_RESEND);
	/* LEDs, typematic, echo, enable/disable, unknown. */
	outp(t, 0x60, 1, 0xed);
	data(t);
	outp(t, 0x60, 1, 0x07);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(t->m.kbd.kbd.leds, 7);
	outp(t, 0x60, 1, 0xf3);
	data(t);
	outp(t, 0x60, 1, 0x20);
	data(t);
	assert_int_equal(t->m.kbd.kbd.typematic, 0x20);
	outp(t, 0x60, 1, 0xee);
	assert_int_equal(data(t), 0xee);
	outp(t, 0x60, 1, 0xf5);
	data(t);
	assert_false(t->m.kbd.kbd.scanning);
	outp(t, 0x60, 1, 0xf4);
	data(t);
	assert_true(t->m.kbd.kbd.scanning);
	outp(t, 0x60, 1, 0x99);
	assert_int_equal(data(t), PS2_RESEND);
	/* A disabled keyboard interface holds its bytes until re-enabled. */
	outp(t, 0x64, 1, 0xad);
	ps2_kbd_write(&t->m.kbd.kbd, 0xee, false);
	assert_int_equal(status(t) & I8042_STR_OBF, 0);
	outp(t, 0x64, 1, 0xae);
	assert_int_equal(data(t), 0xee);
	tm_free(t);
}

static void test_mouse(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);
	const uint8_t knock[] = { 200, 100, 80 }, knock2[] = { 200, 200, 80 };

	(void)state;
	outp(t, 0x64, 1, 0xa8);
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0xff);
	assert_int_equal(status(t) & (I8042_STR_OBF | I8042_STR_AUX_OBF), I8042_STR_OBF | I8042_STR_AUX_OBF);
	assert_true(t->acc.isa_irq[12]);
	assert_false(t->acc.isa_irq[1]);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(data(t), PS2_BAT_OK);
	assert_int_equal(data(t), 0x00);
	assert_false(t->acc.isa_irq[12]);
	/* Identify: standard mouse, then the IntelliMouse and Explorer knocks. */
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0xf2);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(data(t), 0);
	for (int i = 0; i < 3; i++) {
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, 0xf3);
		data(t);
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, knock[i]);
		data(t);
	}
	assert_int_equal(t->m.kbd.mouse.type, 3);
	for (int i = 0; i < 3; i++) {
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, 0xf3);
		data(t);
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, knock2[i]);
		data(t);
	}
	assert_int_equal(t->m.kbd.mouse.type, 4);
	/* Status request: remote off, reporting off, scaling 1:1, resolution, rate 80. */
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0xe9);
	assert_int_equal(data(t), PS2_ACK);
	assert_int_equal(data(t), 0x00);
	assert_int_equal(data(t), 2);
	assert_int_equal(data(t), 80);
	/* Wrap mode echoes. */
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0xee);
	data(t);
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0x55);
	assert_int_equal(data(t), 0x55);
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0xec);
	assert_int_equal(data(t), PS2_ACK);
	/* 0xd3 injects a byte as if from the mouse; disabled aux port is bypassed for it. */
	outp(t, 0x64, 1, 0xd3);
	outp(t, 0x60, 1, 0x77);
	assert_int_equal(status(t) & I8042_STR_AUX_OBF, I8042_STR_AUX_OBF);
	assert_int_equal(data(t), 0x77);
	/* 0xd2 injects a keyboard byte. */
	outp(t, 0x64, 1, 0xd2);
	outp(t, 0x60, 1, 0x66);
	assert_int_equal(status(t) & (I8042_STR_OBF | I8042_STR_AUX_OBF), I8042_STR_OBF);
	assert_int_equal(data(t), 0x66);
	/* With AUX interrupts masked in the command byte, no IRQ 12. */
	outp(t, 0x64, 1, 0x60);
	outp(t, 0x60, 1, 0);
	outp(t, 0x64, 1, 0xd4);
	outp(t, 0x60, 1, 0xf4);
	assert_false(t->acc.isa_irq[12]);
	assert_int_equal(data(t), PS2_ACK);
	tm_free(t);
}

static void test_queue_overflow(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_PC, 1, NULL);

	(void)state;
	tm_quiet();
	/* A guest that never reads cannot grow any queue without bound. */
	for (int i = 0; i < 1000; i++)
		outp(t, 0x60, 1, 0xee);
	for (int i = 0; i < 1000; i++) {
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, 0xe9);
	}
	assert_true(t->m.kbd.kbd.queue.count <= PS2_QUEUE_SIZE);
	assert_true(t->m.kbd.mouse.queue.count <= PS2_QUEUE_SIZE);
	tm_free(t);
}

/* Count the bytes a guest can read before OBF clears (Linux's i8042 flush gives up after 16). */
static unsigned int drain(struct tm_ctx *t)
{
	unsigned int n = 0;

	while ((status(t) & 1) && n < 1000) {
		data(t);
		n++;
	}
	return n;
}

/*
 * The loop a Linux guest without a mouse driver ran: GET ID and SET LEDs to
 * the keyboard and to the mouse, reading only some replies. As on QEMU, the
 * keyboard drops unread replies at each new byte and the mouse keeps 16 bytes,
 * so what is pending never exceeds what Linux's flush reads.
 */
static void test_unread_replies_bounded(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, NULL);

	(void)state;
	tm_quiet();
	for (int i = 0; i < 50; i++) {
		outp(t, 0x60, 1, 0xf2);
		outp(t, 0x60, 1, 0xed);
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, 0xf2);
		outp(t, 0x64, 1, 0xd4);
		outp(t, 0x60, 1, 0xed);
		data(t);
	}
	assert_true(drain(t) <= 16);
	/*
	 * A new keyboard command drops the unread rest of the previous reply;
	 * the byte already in the controller's output buffer stays.
	 */
	outp(t, 0x60, 1, 0xf2); /* GET ID: fa ab 41 (translated), left unread */
	outp(t, 0x60, 1, 0xee); /* ECHO: ee */
	assert_int_equal(data(t), 0xfa);
	assert_int_equal(data(t), 0xee);
	assert_int_equal(drain(t), 0);
	tm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controller_commands),
		cmocka_unit_test(test_a20_and_reset),
		cmocka_unit_test(test_keyboard),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_queue_overflow),
		cmocka_unit_test(test_unread_replies_bounded),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("i8042", tests, NULL, NULL);
}
