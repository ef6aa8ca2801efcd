// SPDX-License-Identifier: GPL-2.0-only
/*
 * i8042. Commands and output-buffer handling as firmware and Linux use them
 * (QEMU hw/input/pckbd.c, the IBM PC/AT technical reference): replies from
 * the controller come first, then keyboard, then mouse bytes; the output
 * buffer holds one byte and raises IRQ 1 or 12 while full.
 */
#include "i8042.h"

#include <stdio.h>
#include <string.h>

#include "hw/core/log.h"

bool i8042_a20_enabled(const struct i8042 *s)
{
	return s->outport & I8042_OUT_A20;
}

static void update_irq(struct i8042 *s)
{
	bool kbd = false, aux = false;

	s->status &= (uint8_t)~(I8042_STR_OBF | I8042_STR_AUX_OBF);
	s->outport &= (uint8_t)~(I8042_OUT_OBF | I8042_OUT_AUX_OBF);
	if (s->obsrc != I8042_SRC_NONE) {
		s->status |= I8042_STR_OBF;
		s->outport |= I8042_OUT_OBF;
		if (s->obsrc == I8042_SRC_AUX) {
			s->status |= I8042_STR_AUX_OBF;
			s->outport |= I8042_OUT_AUX_OBF;
			aux = s->ctr & I8042_CTR_AUX_INT;
		} else {
			kbd = s->ctr & I8042_CTR_KBD_INT;
		}
	}
	if (kbd != s->kbd_irq) {
		s->kbd_irq = kbd;
		accel_set_isa_irq_level(s->accel, I8042_KBD_IRQ, kbd);
	}
	if (aux != s->aux_irq) {
		s->aux_irq = aux;
		accel_set_isa_irq_level(s->accel, I8042_MOUSE_IRQ, aux);
	}
}

/* Fill an empty output buffer from the highest-priority source with data. */
static void refill(struct i8042 *s)
{
	if (s->obsrc == I8042_SRC_NONE) {
		if (!ps2_queue_empty(&s->ctrl_queue)) {
			s->obdata = ps2_queue_pop(&s->ctrl_queue);
			s->obsrc = I8042_SRC_CTRL;
		} else if (!(s->ctr & I8042_CTR_KBD_DISABLE) && !ps2_queue_empty(&s->kbd.queue)) {
			s->obdata = ps2_kbd_pop(&s->kbd);
			s->obsrc = I8042_SRC_KBD;
		} else if (!ps2_queue_empty(&s->aux_inject)) {
			s->obdata = ps2_queue_pop(&s->aux_inject);
			s->obsrc = I8042_SRC_AUX;
		} else if (!(s->ctr & I8042_CTR_AUX_DISABLE) && !ps2_queue_empty(&s->mouse.queue)) {
			s->obdata = ps2_queue_pop(&s->mouse.queue);
			s->obsrc = I8042_SRC_AUX;
		}
	}
	update_irq(s);
}

static void ctrl_reply(struct i8042 *s, uint8_t byte)
{
	if (!ps2_queue_push(&s->ctrl_queue, byte))
		log_guest("i8042", "reply queue full");
	refill(s);
}

static void set_outport(struct i8042 *s, uint8_t val)
{
	bool a20_before = i8042_a20_enabled(s);

	s->outport = (uint8_t)((s->outport & (I8042_OUT_OBF | I8042_OUT_AUX_OBF)) |
			       (val & ~(I8042_OUT_OBF | I8042_OUT_AUX_OBF)));
	if (i8042_a20_enabled(s) != a20_before && s->a20_changed)
		s->a20_changed(s->a20_opaque, i8042_a20_enabled(s));
	if (!(val & I8042_OUT_RESET)) {
		log_info("i8042", "guest pulsed the reset line");
		accel_request(s->accel, ACCEL_REQ_REBOOT);
	}
}

static void write_command(struct i8042 *s, uint8_t cmd)
{
	/* 0xf0-0xff pulse output port bits 0-3 low; bit 0 low resets the CPU. */
	if ((cmd & 0xf0) == 0xf0) {
		if (!(cmd & 1)) {
			log_info("i8042", "guest pulsed the reset line");
			accel_request(s->accel, ACCEL_REQ_REBOOT);
		}
		return;
	}
	switch (cmd) {
	case 0x20: /* read command byte */
		ctrl_reply(s, s->ctr);
		break;
	case 0x60: /* write command byte */
	case 0xd1: /* write output port */
	case 0xd2: /* write keyboard output buffer */
	case 0xd3: /* write mouse output buffer */
	case 0xd4: /* write to mouse */
		s->pending_cmd = cmd;
		break;
	case 0xa7:
		s->ctr |= I8042_CTR_AUX_DISABLE;
		break;
	case 0xa8:
		s->ctr &= (uint8_t)~I8042_CTR_AUX_DISABLE;
		refill(s);
		break;
	case 0xa9: /* test mouse port: OK */
	case 0xab: /* test keyboard port: OK */
		ctrl_reply(s, 0x00);
		break;
	case 0xaa: /* controller self-test */
		s->status |= I8042_STR_SYS;
		ctrl_reply(s, 0x55);
		break;
	case 0xad:
		s->ctr |= I8042_CTR_KBD_DISABLE;
		break;
	case 0xae:
		s->ctr &= (uint8_t)~I8042_CTR_KBD_DISABLE;
		refill(s);
		break;
	case 0xc0: /* read input port: keyboard not inhibited */
		ctrl_reply(s, 0x80);
		break;
	case 0xd0: /* read output port */
		ctrl_reply(s, s->outport);
		break;
	case 0xdd:
		set_outport(s, s->outport & (uint8_t)~I8042_OUT_A20);
		break;
	case 0xdf:
		set_outport(s, s->outport | I8042_OUT_A20);
		break;
	case 0xe0: /* read test inputs */
		ctrl_reply(s, 0x00);
		break;
	default:
		log_guest("i8042", "unknown controller command %#x", cmd);
		break;
	}
}

static void write_data(struct i8042 *s, uint8_t val)
{
	uint8_t cmd = s->pending_cmd;

	s->pending_cmd = 0;
	switch (cmd) {
	case 0x60:
		s->ctr = val;
		s->status = (uint8_t)((s->status & ~I8042_STR_SYS) | (val & I8042_CTR_SYS));
		refill(s);
		break;
	case 0xd1:
		set_outport(s, val);
		break;
	case 0xd2:
		ps2_queue_push(&s->kbd.queue, val);
		refill(s);
		break;
	case 0xd3:
		ps2_queue_push(&s->aux_inject, val);
		refill(s);
		break;
	case 0xd4:
		ps2_mouse_write(&s->mouse, val);
		refill(s);
		break;
	default:
		/* Writing to the keyboard enables its interface, as on real controllers. */
		s->ctr &= (uint8_t)~I8042_CTR_KBD_DISABLE;
		ps2_kbd_write(&s->kbd, val, s->ctr & I8042_CTR_XLATE);
		refill(s);
		break;
	}
}

/*
 * Host input. The device queues its bytes and the controller moves the next
 * one into an empty output buffer and raises IRQ 1 or 12, as after any byte
 * a device queues. Key events use the translation the guest's command byte
 * selects, as ps2_kbd_write gets it (QEMU pckbd: ps2_keyboard_set_translation
 * on every command byte write).
 */
void i8042_host_key(struct i8042 *s, uint16_t qnum, bool down)
{
	ps2_kbd_key(&s->kbd, qnum, down, s->ctr & I8042_CTR_XLATE);
	refill(s);
}

void i8042_host_mouse(struct i8042 *s, int dx, int dy, int dz, uint8_t buttons)
{
	ps2_mouse_move(&s->mouse, dx, dy, dz, buttons);
	refill(s);
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned int size)
{
	struct i8042 *s = opaque;
	uint8_t v = s->obdata; /* an empty buffer reads the last byte again */

	(void)off, (void)size;
	if (s->obsrc != I8042_SRC_NONE) {
		/*
		 * Reading deasserts the line, and the next byte asserts it again:
		 * the interrupt controllers (Xen's vPIC, KVM's) are edge-triggered
		 * for IRQ 1 and 12, so without the low phase a byte that follows
		 * at once (a key's release after its press) would raise no
		 * interrupt and sit in the buffer for good (QEMU's ps2_read_data
		 * does the same).
		 */
		s->obsrc = I8042_SRC_NONE;
		update_irq(s);
		refill(s);
	}
	return v;
}

static void data_port_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct i8042 *s = opaque;

	(void)off, (void)size;
	s->status &= (uint8_t)~I8042_STR_CMD;
	write_data(s, (uint8_t)val);
}

static const struct io_ops data_ops = {
	.read = data_read, .write = data_port_write, .impl_min = 1, .impl_max = 1,
};

static uint64_t status_read(void *opaque, uint64_t off, unsigned int size)
{
	struct i8042 *s = opaque;

	(void)off, (void)size;
	return s->status;
}

static void cmd_port_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct i8042 *s = opaque;

	(void)off, (void)size;
	s->status |= I8042_STR_CMD;
	write_command(s, (uint8_t)val);
}

static const struct io_ops cmd_ops = {
	.read = status_read, .write = cmd_port_write, .impl_min = 1, .impl_max = 1,
};

void i8042_reset(struct i8042 *s)
{
	s->ctr = I8042_CTR_KBD_INT | I8042_CTR_AUX_INT;
	s->status = I8042_STR_CMD | I8042_STR_UNLOCKED;
	s->outport = I8042_OUT_RESET | I8042_OUT_A20 | 0xcc;
	s->pending_cmd = 0;
	s->obdata = 0;
	s->obsrc = I8042_SRC_NONE;
	ps2_queue_reset(&s->ctrl_queue);
	ps2_queue_reset(&s->aux_inject);
	ps2_kbd_reset(&s->kbd);
	ps2_mouse_reset(&s->mouse);
	update_irq(s);
}

int i8042_init(struct i8042 *s, struct io_space *io, struct accel *accel)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->accel = accel;
	i8042_reset(s);
	rc = io_space_claim(io, I8042_DATA_PORT, 1, &data_ops, s, "i8042-data");
	if (!rc)
		rc = io_space_claim(io, I8042_CMD_PORT, 1, &cmd_ops, s, "i8042-cmd");
	return rc;
}

void i8042_save_state(const struct i8042 *s, struct i8042_state *st)
{
	memset(st, 0, sizeof(*st));
	st->status = s->status;
	st->ctr = s->ctr;
	st->outport = s->outport;
	st->pending_cmd = s->pending_cmd;
	st->obdata = s->obdata;
	st->obsrc = s->obsrc;
	st->ctrl_queue = s->ctrl_queue;
	st->aux_inject = s->aux_inject;
	st->kbd = s->kbd;
	st->mouse = s->mouse;
}

static bool queue_ok(const struct ps2_queue *q)
{
	return q->count <= PS2_QUEUE_SIZE && q->head < PS2_QUEUE_SIZE;
}

int i8042_check_state(const struct i8042_state *st, char *err, size_t errlen)
{
	if (!queue_ok(&st->ctrl_queue) || !queue_ok(&st->aux_inject) || !queue_ok(&st->kbd.queue) ||
	    !queue_ok(&st->mouse.queue)) {
		snprintf(err, errlen, "i8042: a byte queue's index or count is beyond %u",
			 PS2_QUEUE_SIZE);
		return -1;
	}
	if (st->obsrc > I8042_SRC_AUX) {
		snprintf(err, errlen, "i8042: output buffer source %u is not none/controller/keyboard/mouse",
			 st->obsrc);
		return -1;
	}
	if (st->kbd.scancode_set < 1 || st->kbd.scancode_set > 3) {
		snprintf(err, errlen, "ps2kbd: scan code set %u is not 1-3", st->kbd.scancode_set);
		return -1;
	}
	if (st->mouse.type != 0 && st->mouse.type != 3 && st->mouse.type != 4) {
		snprintf(err, errlen, "ps2mouse: device type %u is not 0, 3 or 4", st->mouse.type);
		return -1;
	}
	return 0;
}

void i8042_load_state(struct i8042 *s, const struct i8042_state *st)
{
	bool a20 = i8042_a20_enabled(s);
	uint8_t modifiers = s->kbd.modifiers;

	s->status = st->status;
	s->ctr = st->ctr;
	s->outport = st->outport;
	s->pending_cmd = st->pending_cmd;
	s->obdata = st->obdata;
	s->obsrc = st->obsrc;
	s->ctrl_queue = st->ctrl_queue;
	s->aux_inject = st->aux_inject;
	s->kbd = st->kbd;
	s->mouse = st->mouse;
	/*
	 * No record carries these (state/dev/i8042.c), so a staged state holds
	 * the live machine's: every queued byte now counts as a scan code, no
	 * motion is pending, and the host's held keys stay held.
	 */
	s->kbd.nreply = 0;
	s->kbd.modifiers = modifiers;
	s->mouse.dx = s->mouse.dy = s->mouse.dz = 0;
	if (a20 != i8042_a20_enabled(s) && s->a20_changed)
		s->a20_changed(s->a20_opaque, i8042_a20_enabled(s));
	update_irq(s);
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(i8042_reset, struct i8042)
DEV_OPS_SAVE(i8042_save_state, struct i8042, struct i8042_state)
DEV_OPS_LOAD(i8042_load_state, struct i8042, struct i8042_state)

/* The i8042's checks need its state only. */
static int ops_check(const void *d, const void *st, char *err, size_t errlen)
{
	(void)d;
	return i8042_check_state(st, err, errlen);
}

const struct dev_ops i8042_ops = {
	.name = "i8042", .record = "pckbd", .reset = ops_reset,
	.save = ops_save, .check = ops_check, .load = ops_load,
};
