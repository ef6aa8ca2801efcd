/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i8042 keyboard controller at 0x60/0x64 with a PS/2 keyboard (IRQ 1) and
 * mouse (IRQ 12), the A20 gate and the CPU reset line.
 */
#ifndef HVMDM_I8042_H
#define HVMDM_I8042_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/accel.h"
#include "hw/core/bus.h"
#include "ps2.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_KBD_IRQ 1
#define I8042_MOUSE_IRQ 12

/* Status register. */
#define I8042_STR_OBF 0x01
#define I8042_STR_IBF 0x02
#define I8042_STR_SYS 0x04
#define I8042_STR_CMD 0x08 /* last write went to 0x64 */
#define I8042_STR_UNLOCKED 0x10
#define I8042_STR_AUX_OBF 0x20

/* Command byte ("mode"). */
#define I8042_CTR_KBD_INT 0x01
#define I8042_CTR_AUX_INT 0x02
#define I8042_CTR_SYS 0x04
#define I8042_CTR_KBD_DISABLE 0x10
#define I8042_CTR_AUX_DISABLE 0x20
#define I8042_CTR_XLATE 0x40

/* Output port. */
#define I8042_OUT_RESET 0x01 /* 0 = CPU held in reset */
#define I8042_OUT_A20 0x02
#define I8042_OUT_OBF 0x10
#define I8042_OUT_AUX_OBF 0x20

enum i8042_source { I8042_SRC_NONE, I8042_SRC_CTRL, I8042_SRC_KBD, I8042_SRC_AUX };

struct i8042 {
	struct accel *accel;
	uint8_t status;
	uint8_t ctr;         /* command byte */
	uint8_t outport;
	uint8_t pending_cmd; /* controller command waiting for its data byte */
	uint8_t obdata;      /* byte in the output buffer */
	uint8_t obsrc;       /* enum i8042_source of obdata */
	struct ps2_queue ctrl_queue; /* controller replies */
	struct ps2_queue aux_inject; /* bytes written with 0xd3 */
	struct ps2_kbd kbd;
	struct ps2_mouse mouse;
	bool kbd_irq;
	bool aux_irq;
	/* Told when the guest moves the A20 gate (KVM masks address bit 20). */
	void (*a20_changed)(void *opaque, bool enabled);
	void *a20_opaque;
};

struct i8042_state {
	uint8_t status, ctr, outport, pending_cmd, obdata, obsrc;
	struct ps2_queue ctrl_queue;
	struct ps2_queue aux_inject;
	struct ps2_kbd kbd;
	struct ps2_mouse mouse;
};

void i8042_save_state(const struct i8042 *s, struct i8042_state *st);
int i8042_check_state(const struct i8042_state *st, char *err, size_t errlen);
void i8042_load_state(struct i8042 *s, const struct i8042_state *st);

int i8042_init(struct i8042 *s, struct io_space *io, struct accel *accel);
void i8042_reset(struct i8042 *s);
bool i8042_a20_enabled(const struct i8042 *s);

/*
 * Host input (a VNC client's keys and pointer), queued by the PS/2 devices
 * and signalled on IRQ 1 / 12 as the controller does for any device byte.
 * Call with the devices locked against the vCPUs' port accesses.
 * qnum, dx/dy/dz and buttons as ps2_kbd_key() and ps2_mouse_move() take them.
 */
void i8042_host_key(struct i8042 *s, uint16_t qnum, bool down);
void i8042_host_mouse(struct i8042 *s, int dx, int dy, int dz, uint8_t buttons);

extern const struct dev_ops i8042_ops;

#endif
