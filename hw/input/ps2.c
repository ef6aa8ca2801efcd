// SPDX-License-Identifier: GPL-2.0-only
/* PS/2 devices; command semantics per the IBM PS/2 references and QEMU hw/input/ps2.c. */
#include "ps2.h"

#include <string.h>

#include "hw/core/log.h"

bool ps2_queue_empty(const struct ps2_queue *q)
{
	return q->count == 0;
}

uint8_t ps2_queue_pop(struct ps2_queue *q)
{
	uint8_t byte;

	if (!q->count)
		return 0;
	byte = q->data[q->head];
	q->head = (uint16_t)((q->head + 1) % PS2_QUEUE_SIZE);
	q->count--;
	return byte;
}

bool ps2_queue_push(struct ps2_queue *q, uint8_t byte)
{
	if (q->count >= PS2_QUEUE_SIZE)
		return false;
	q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = byte;
	q->count++;
	return true;
}

void ps2_queue_reset(struct ps2_queue *q)
{
	q->head = 0;
	q->count = 0;
}

/*
 * A PS/2 device buffers 16 bytes and drops what does not fit (QEMU 7.2
 * hw/input/ps2.c PS2_QUEUE_SIZE, "required by PS/2 protocol"). QEMU counts
 * the byte in the controller's output buffer as the head of that queue;
 * hvmdm's controller holds it apart, so a device queues at most 15 more.
 * A guest that stops reading must not pile up more than it can drain: Linux
 * reads at most 16 bytes before it declares the controller missing (i8042
 * flush), which a Linux guest restored after polling a mouse it has no
 * driver for ran into.
 */
#define PS2_DEVICE_BUFFER 15

static void reply(struct ps2_queue *q, uint8_t byte)
{
	if (q->count >= PS2_DEVICE_BUFFER || !ps2_queue_push(q, byte))
		log_guest("ps2", "device buffer full: %#x dropped", byte);
}

/* ---- keyboard ---- */

void ps2_kbd_reset(struct ps2_kbd *k)
{
	memset(k, 0, sizeof(*k));
	k->scanning = true;
	k->scancode_set = 2;
	k->typematic = 0x2b; /* 10.9 cps, 500 ms */
}

static void kbd_defaults(struct ps2_kbd *k)
{
	k->scancode_set = 2;
	k->typematic = 0x2b;
}

/* What 0xf0 0x00 reports for sets 1-3 when the controller translates. */
static const uint8_t translated_set_id[4] = { 0, 0x43, 0x41, 0x3f };

/*
 * Command replies go ahead of the scan codes not read yet, each behind the
 * earlier bytes of the same reply (QEMU 7.2 ps2_cqueue_1/2/3), so the guest
 * reads a reply first and keystrokes still come after it.
 */
static void kbd_reply(struct ps2_kbd *k, uint8_t byte)
{
	struct ps2_queue *q = &k->queue;

	if (q->count >= PS2_QUEUE_SIZE || k->nreply > q->count) {
		log_guest("ps2", "keyboard queue full: reply %#x dropped", byte);
		return;
	}
	for (unsigned int i = q->count; i > k->nreply; i--)
		q->data[(q->head + i) % PS2_QUEUE_SIZE] = q->data[(q->head + i - 1) % PS2_QUEUE_SIZE];
	q->data[(q->head + k->nreply) % PS2_QUEUE_SIZE] = byte;
	q->count++;
	k->nreply++;
}

/* QEMU ps2_reset_keyboard empties the whole queue, keystrokes included. */
static void kbd_flush(struct ps2_kbd *k)
{
	ps2_queue_reset(&k->queue);
	k->nreply = 0;
}

uint8_t ps2_kbd_pop(struct ps2_kbd *k)
{
	if (k->nreply)
		k->nreply--;
	return ps2_queue_pop(&k->queue);
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t byte, bool translated)
{
	uint8_t cmd = k->pending_cmd;

	/*
	 * A keyboard drops the unread replies to earlier commands when it gets a
	 * new byte; scan codes stay (QEMU ps2_write_keyboard: ps2_cqueue_reset).
	 */
	while (k->nreply) {
		ps2_queue_pop(&k->queue);
		k->nreply--;
	}
	if (cmd) {
		k->pending_cmd = 0;
		switch (cmd) {
		case 0xed: /* set LEDs */
			k->leds = byte & 7;
			kbd_reply(k, PS2_ACK);
			return;
		case 0xf3: /* typematic rate/delay */
			k->typematic = byte & 0x7f;
			kbd_reply(k, PS2_ACK);
			return;
		case 0xf0: /* get/set scan code set */
			if (byte == 0) {
				kbd_reply(k, PS2_ACK);
				/* Under translation the controller reports set 2 as 0x41. */
				kbd_reply(k, translated ? translated_set_id[k->scancode_set & 3]
						 : k->scancode_set);
			} else if (byte <= 3) {
				k->scancode_set = byte;
				kbd_reply(k, PS2_ACK);
			} else {
				kbd_reply(k, PS2_RESEND);
			}
			return;
		}
	}
	switch (byte) {
	case 0xed:
	case 0xf3:
	case 0xf0:
		k->pending_cmd = byte;
		kbd_reply(k, PS2_ACK);
		break;
	case 0xee: /* echo */
		kbd_reply(k, 0xee);
		break;
	case 0xf2: /* identify: MF2 keyboard */
		kbd_reply(k, PS2_ACK);
		kbd_reply(k, 0xab);
		kbd_reply(k, translated ? 0x41 : 0x83);
		break;
	case 0xf4:
		k->scanning = true;
		kbd_reply(k, PS2_ACK);
		break;
	case 0xf5: /* disable and restore defaults */
		k->scanning = false;
		kbd_defaults(k);
		kbd_flush(k);
		kbd_reply(k, PS2_ACK);
		break;
	case 0xf6: /* restore defaults and scan (QEMU KBD_CMD_RESET_ENABLE) */
		k->scanning = true;
		kbd_defaults(k);
		kbd_flush(k);
		kbd_reply(k, PS2_ACK);
		break;
	case 0xff: { /* reset and self-test */
		/* The host's keys stay held across the guest's reset (QEMU keeps modifiers). */
		uint8_t modifiers = k->modifiers;

		ps2_kbd_reset(k);
		k->modifiers = modifiers;
		kbd_reply(k, PS2_ACK);
		kbd_reply(k, PS2_BAT_OK);
		break;
	}
	case 0xfe: /* resend: nothing is outstanding */
		kbd_reply(k, PS2_ACK);
		break;
	default:
		kbd_reply(k, PS2_RESEND);
		break;
	}
}

/* ---- keyboard: host input ---- */

/*
 * Scan codes by qnum in sets 1, 2 and 3, 0 where the set has none (QEMU
 * logs and drops such a key). Set 1 is the qnum with E0 for bit 7. This is
 * QEMU 7.2's qemu_input_map_qnum_to_qcode followed by its
 * qemu_input_map_qcode_to_atset1/2/3, both generated from keycodemapdb's
 * data/keymaps.csv (commit d21009b, the same tables as 0c3623c). One
 * difference: keycodemapdb maps qnum 0xb7 to sysrq, as 0x54, so QEMU never
 * reaches its PrintScreen sequences from a qnum; here 0xb7 is PrintScreen
 * (what E0 37 is) and 0x54, which QEMU's keymaps give Print and Sys_Req,
 * stays SysRq.
 */
static const struct {
	uint16_t set1, set2; /* high byte: prefix (E0), sent first */
	uint8_t set3;
} qnum_codes[256] = {
	[0x01] = { 0x0001, 0x0076, 0x08 }, /* esc */
	[0x02] = { 0x0002, 0x0016, 0x16 }, /* 1 */
	[0x03] = { 0x0003, 0x001e, 0x1e }, /* 2 */
	[0x04] = { 0x0004, 0x0026, 0x26 }, /* 3 */
	[0x05] = { 0x0005, 0x0025, 0x25 }, /* 4 */
	[0x06] = { 0x0006, 0x002e, 0x2e }, /* 5 */
	[0x07] = { 0x0007, 0x0036, 0x36 }, /* 6 */
	[0x08] = { 0x0008, 0x003d, 0x3d }, /* 7 */
	[0x09] = { 0x0009, 0x003e, 0x3e }, /* 8 */
	[0x0a] = { 0x000a, 0x0046, 0x46 }, /* 9 */
	[0x0b] = { 0x000b, 0x0045, 0x45 }, /* 0 */
	[0x0c] = { 0x000c, 0x004e, 0x4e }, /* minus */
	[0x0d] = { 0x000d, 0x0055, 0x55 }, /* equal */
	[0x0e] = { 0x000e, 0x0066, 0x66 }, /* backspace */
	[0x0f] = { 0x000f, 0x000d, 0x0d }, /* tab */
	[0x10] = { 0x0010, 0x0015, 0x15 }, /* q */
	[0x11] = { 0x0011, 0x001d, 0x1d }, /* w */
	[0x12] = { 0x0012, 0x0024, 0x24 }, /* e */
	[0x13] = { 0x0013, 0x002d, 0x2d }, /* r */
	[0x14] = { 0x0014, 0x002c, 0x2c }, /* t */
	[0x15] = { 0x0015, 0x0035, 0x35 }, /* y */
	[0x16] = { 0x0016, 0x003c, 0x3c }, /* u */
	[0x17] = { 0x0017, 0x0043, 0x43 }, /* i */
	[0x18] = { 0x0018, 0x0044, 0x44 }, /* o */
	[0x19] = { 0x0019, 0x004d, 0x4d }, /* p */
	[0x1a] = { 0x001a, 0x0054, 0x54 }, /* bracket_left */
	[0x1b] = { 0x001b, 0x005b, 0x5b }, /* bracket_right */
	[0x1c] = { 0x001c, 0x005a, 0x5a }, /* ret */
	[0x1d] = { 0x001d, 0x0014, 0x11 }, /* ctrl */
	[0x1e] = { 0x001e, 0x001c, 0x1c }, /* a */
	[0x1f] = { 0x001f, 0x001b, 0x1b }, /* s */
	[0x20] = { 0x0020, 0x0023, 0x23 }, /* d */
	[0x21] = { 0x0021, 0x002b, 0x2b }, /* f */
	[0x22] = { 0x0022, 0x0034, 0x34 }, /* g */
	[0x23] = { 0x0023, 0x0033, 0x33 }, /* h */
	[0x24] = { 0x0024, 0x003b, 0x3b }, /* j */
	[0x25] = { 0x0025, 0x0042, 0x42 }, /* k */
	[0x26] = { 0x0026, 0x004b, 0x4b }, /* l */
	[0x27] = { 0x0027, 0x004c, 0x4c }, /* semicolon */
	[0x28] = { 0x0028, 0x0052, 0x52 }, /* apostrophe */
	[0x29] = { 0x0029, 0x000e, 0x0e }, /* grave_accent */
	[0x2a] = { 0x002a, 0x0012, 0x12 }, /* shift */
	[0x2b] = { 0x002b, 0x005d, 0x5c }, /* backslash */
	[0x2c] = { 0x002c, 0x001a, 0x1a }, /* z */
	[0x2d] = { 0x002d, 0x0022, 0x22 }, /* x */
	[0x2e] = { 0x002e, 0x0021, 0x21 }, /* c */
	[0x2f] = { 0x002f, 0x002a, 0x2a }, /* v */
	[0x30] = { 0x0030, 0x0032, 0x32 }, /* b */
	[0x31] = { 0x0031, 0x0031, 0x31 }, /* n */
	[0x32] = { 0x0032, 0x003a, 0x3a }, /* m */
	[0x33] = { 0x0033, 0x0041, 0x41 }, /* comma */
	[0x34] = { 0x0034, 0x0049, 0x49 }, /* dot */
	[0x35] = { 0x0035, 0x004a, 0x4a }, /* slash */
	[0x36] = { 0x0036, 0x0059, 0x59 }, /* shift_r */
	[0x37] = { 0x0037, 0x007c, 0x7e }, /* kp_multiply */
	[0x38] = { 0x0038, 0x0011, 0x19 }, /* alt */
	[0x39] = { 0x0039, 0x0029, 0x29 }, /* spc */
	[0x3a] = { 0x003a, 0x0058, 0x14 }, /* caps_lock */
	[0x3b] = { 0x003b, 0x0005, 0x07 }, /* f1 */
	[0x3c] = { 0x003c, 0x0006, 0x0f }, /* f2 */
	[0x3d] = { 0x003d, 0x0004, 0x17 }, /* f3 */
	[0x3e] = { 0x003e, 0x000c, 0x1f }, /* f4 */
	[0x3f] = { 0x003f, 0x0003, 0x27 }, /* f5 */
	[0x40] = { 0x0040, 0x000b, 0x2f }, /* f6 */
	[0x41] = { 0x0041, 0x0083, 0x37 }, /* f7 */
	[0x42] = { 0x0042, 0x000a, 0x3f }, /* f8 */
	[0x43] = { 0x0043, 0x0001, 0x47 }, /* f9 */
	[0x44] = { 0x0044, 0x0009, 0x4f }, /* f10 */
	[0x45] = { 0x0045, 0x0077, 0x76 }, /* num_lock */
	[0x46] = { 0x0046, 0x007e, 0x5f }, /* scroll_lock */
	[0x47] = { 0x0047, 0x006c, 0x6c }, /* kp_7 */
	[0x48] = { 0x0048, 0x0075, 0x75 }, /* kp_8 */
	[0x49] = { 0x0049, 0x007d, 0x7d }, /* kp_9 */
	[0x4a] = { 0x004a, 0x007b, 0x4e }, /* kp_subtract */
	[0x4b] = { 0x004b, 0x006b, 0x6b }, /* kp_4 */
	[0x4c] = { 0x004c, 0x0073, 0x73 }, /* kp_5 */
	[0x4d] = { 0x004d, 0x0074, 0x74 }, /* kp_6 */
	[0x4e] = { 0x004e, 0x0079, 0x7c }, /* kp_add */
	[0x4f] = { 0x004f, 0x0069, 0x69 }, /* kp_1 */
	[0x50] = { 0x0050, 0x0072, 0x72 }, /* kp_2 */
	[0x51] = { 0x0051, 0x007a, 0x7a }, /* kp_3 */
	[0x52] = { 0x0052, 0x0070, 0x70 }, /* kp_0 */
	[0x53] = { 0x0053, 0x0071, 0x71 }, /* kp_decimal */
	[0x54] = { 0x0054, 0x007f, 0x57 }, /* sysrq */
	[0x56] = { 0x0056, 0x0061, 0x13 }, /* less */
	[0x57] = { 0x0057, 0x0078, 0x56 }, /* f11 */
	[0x58] = { 0x0058, 0x0007, 0x5e }, /* f12 */
	[0x59] = { 0x0059, 0x000f, 0x00 }, /* kp_equals */
	[0x5b] = { 0x005b, 0x0000, 0x00 }, /* lf */
	[0x64] = { 0x0064, 0x0000, 0x20 }, /* open */
	[0x65] = { 0x0065, 0x0000, 0x28 }, /* paste */
	[0x70] = { 0x0070, 0x0013, 0x87 }, /* katakanahiragana */
	[0x71] = { 0x0071, 0x0000, 0x00 }, /* lang2 */
	[0x72] = { 0x0072, 0x0000, 0x00 }, /* lang1 */
	[0x73] = { 0x0073, 0x0051, 0x00 }, /* ro */
	[0x77] = { 0x0077, 0x0062, 0x87 }, /* hiragana */
	[0x79] = { 0x0079, 0x0064, 0x86 }, /* henkan */
	[0x7b] = { 0x007b, 0x0067, 0x85 }, /* muhenkan */
	[0x7d] = { 0x007d, 0x006a, 0x5d }, /* yen */
	[0x7e] = { 0x007e, 0x006d, 0x00 }, /* kp_comma */
	[0x85] = { 0xe005, 0x0000, 0x0b }, /* again */
	[0x86] = { 0xe006, 0x0000, 0x0c }, /* props */
	[0x87] = { 0xe007, 0x0000, 0x10 }, /* undo */
	[0x8c] = { 0xe00c, 0x0000, 0x00 }, /* front */
	[0x90] = { 0xe010, 0xe015, 0x94 }, /* audioprev */
	[0x99] = { 0xe019, 0xe04d, 0x93 }, /* audionext */
	[0x9c] = { 0xe01c, 0xe05a, 0x79 }, /* kp_enter */
	[0x9d] = { 0xe01d, 0xe014, 0x58 }, /* ctrl_r */
	[0x9e] = { 0xe01e, 0x0000, 0x91 }, /* menu */
	[0xa0] = { 0xe020, 0xe023, 0x9c }, /* audiomute */
	[0xa1] = { 0xe021, 0xe02b, 0xa3 }, /* calculator */
	[0xa2] = { 0xe022, 0xe034, 0x00 }, /* audioplay */
	[0xa4] = { 0xe024, 0xe03b, 0x98 }, /* audiostop */
	[0xae] = { 0xe02e, 0xe021, 0x9d }, /* volumedown */
	[0xb0] = { 0xe030, 0xe032, 0x95 }, /* volumeup */
	[0xb2] = { 0xe032, 0xe03a, 0x97 }, /* ac_home */
	[0xb5] = { 0xe035, 0xe04a, 0x4a }, /* kp_divide */
	[0xb7] = { 0xe037, 0xe07c, 0x57 }, /* print: sets 1 and 2 in print_key() */
	[0xb8] = { 0xe038, 0xe011, 0x39 }, /* alt_r */
	[0xbc] = { 0xe03c, 0x0000, 0x38 }, /* cut */
	[0xc1] = { 0xe041, 0x0000, 0x30 }, /* find */
	[0xc6] = { 0xe046, 0xe077, 0x62 }, /* pause: sets 1 and 2 in pause_key() */
	[0xc7] = { 0xe047, 0xe06c, 0x6e }, /* home */
	[0xc8] = { 0xe048, 0xe075, 0x63 }, /* up */
	[0xc9] = { 0xe049, 0xe07d, 0x6f }, /* pgup */
	[0xcb] = { 0xe04b, 0xe06b, 0x61 }, /* left */
	[0xcd] = { 0xe04d, 0xe074, 0x6a }, /* right */
	[0xcf] = { 0xe04f, 0xe069, 0x65 }, /* end */
	[0xd0] = { 0xe050, 0xe072, 0x60 }, /* down */
	[0xd1] = { 0xe051, 0xe07a, 0x6d }, /* pgdn */
	[0xd2] = { 0xe052, 0xe070, 0x67 }, /* insert */
	[0xd3] = { 0xe053, 0xe071, 0x64 }, /* delete */
	[0xdb] = { 0xe05b, 0xe01f, 0x8b }, /* meta_l */
	[0xdc] = { 0xe05c, 0xe027, 0x8c }, /* meta_r */
	[0xdd] = { 0xe05d, 0xe02f, 0x8d }, /* compose */
	[0xde] = { 0xe05e, 0xe037, 0x00 }, /* power */
	[0xdf] = { 0xe05f, 0xe03f, 0x00 }, /* sleep */
	[0xe3] = { 0xe063, 0xe05e, 0x00 }, /* wake */
	[0xe6] = { 0xe066, 0xe018, 0x00 }, /* ac_bookmarks */
	[0xe7] = { 0xe067, 0xe020, 0x00 }, /* ac_refresh */
	[0xe8] = { 0xe068, 0xe028, 0x0a }, /* stop */
	[0xe9] = { 0xe069, 0xe030, 0x00 }, /* ac_forward */
	[0xea] = { 0xe06a, 0xe038, 0x00 }, /* ac_back */
	[0xeb] = { 0xe06b, 0xe040, 0x00 }, /* computer */
	[0xec] = { 0xe06c, 0xe048, 0x00 }, /* mail */
	[0xed] = { 0xe06d, 0xe050, 0x00 }, /* mediaselect */
	[0xf5] = { 0xe075, 0x0000, 0x09 }, /* help */
	[0xf8] = { 0xe078, 0x0000, 0x18 }, /* copy */
};

/*
 * The i8042's set-2-to-set-1 translation (command byte bit 6), as the IBM
 * 8042 and QEMU's translate_table do it. A set-2 break (F0 xx) becomes one
 * byte with bit 7 set.
 */
static const uint8_t xlate[256] = {
	0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
	0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
	0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
	0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
	0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
	0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
	0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
	0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
	/* 0x80-0xff pass through but for the F7 and SysRq codes. */
	0x80, 0x81, 0x82, 0x41, 0x54, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
	0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
};

#define QNUM_CTRL 0x1d
#define QNUM_SHIFT 0x2a
#define QNUM_SHIFT_R 0x36
#define QNUM_ALT 0x38
#define QNUM_CTRL_R 0x9d
#define QNUM_PRINT 0xb7
#define QNUM_ALT_R 0xb8
#define QNUM_PAUSE 0xc6

/* QEMU's MOD_* bits of PS2KbdState.modifiers. */
#define MOD_CTRL_L 0x01
#define MOD_SHIFT_L 0x02
#define MOD_ALT_L 0x04
#define MOD_CTRL_R 0x08
#define MOD_SHIFT_R 0x10
#define MOD_ALT_R 0x20

static uint8_t modifier_bit(uint16_t qnum)
{
	switch (qnum) {
	case QNUM_CTRL:
		return MOD_CTRL_L;
	case QNUM_CTRL_R:
		return MOD_CTRL_R;
	case QNUM_SHIFT:
		return MOD_SHIFT_L;
	case QNUM_SHIFT_R:
		return MOD_SHIFT_R;
	case QNUM_ALT:
		return MOD_ALT_L;
	case QNUM_ALT_R:
		return MOD_ALT_R;
	default:
		return 0;
	}
}

/* One key event's bytes on their way into the queue. */
struct kbd_out {
	struct ps2_kbd *k;
	bool translated;
	bool high_bit; /* translating a set-2 break: F0 seen, next byte gets bit 7 */
};

/*
 * QEMU ps2_put_keycode: byte by byte, each dropped alone when the buffer is
 * full (QEMU's 16 bytes count the one in the controller's output buffer,
 * hence PS2_DEVICE_BUFFER).
 */
static void put(struct kbd_out *o, uint8_t code)
{
	struct ps2_queue *q = &o->k->queue;

	if (o->translated) {
		if (code == 0xf0) {
			o->high_bit = true;
			return;
		}
		code = (uint8_t)(xlate[code] | (o->high_bit ? 0x80 : 0));
		o->high_bit = false;
	}
	if (q->count < PS2_DEVICE_BUFFER)
		ps2_queue_push(q, code);
}

static void put_seq(struct kbd_out *o, const uint8_t *seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(o, seq[i]);
}

#define PUT(o, ...) \
	do { \
		static const uint8_t seq_[] = { __VA_ARGS__ }; \
		put_seq(o, seq_, sizeof(seq_)); \
	} while (0)

/* Pause has no break code; with Ctrl held it is Break (QEMU ps2_keyboard_event). */
static void pause_key(struct kbd_out *o, bool down, unsigned int set)
{
	bool ctrl = o->k->modifiers & (MOD_CTRL_L | MOD_CTRL_R);

	if (!down)
		return;
	if (set == 1) {
		if (ctrl)
			PUT(o, 0xe0, 0x46, 0xe0, 0xc6);
		else
			PUT(o, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	} else {
		if (ctrl)
			PUT(o, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e);
		else
			PUT(o, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
	}
}

/*
 * PrintScreen: with Alt it is SysRq, with Shift or Ctrl a plain E0 37;
 * alone the keyboard wraps it in a fake Shift (QEMU ps2_keyboard_event).
 */
static void print_key(struct kbd_out *o, bool down, unsigned int set)
{
	uint8_t mods = o->k->modifiers;

	if (set == 1) {
		if (mods & MOD_ALT_L) {
			if (down)
				PUT(o, 0xb8, 0x38, 0x54);
			else
				PUT(o, 0xd4, 0xb8, 0x38);
		} else if (mods & MOD_ALT_R) {
			if (down)
				PUT(o, 0xe0, 0xb8, 0xe0, 0x38, 0x54);
			else
				PUT(o, 0xd4, 0xe0, 0xb8, 0xe0, 0x38);
		} else if (mods & (MOD_SHIFT_L | MOD_CTRL_L | MOD_SHIFT_R | MOD_CTRL_R)) {
			if (down)
				PUT(o, 0xe0, 0x37);
			else
				PUT(o, 0xe0, 0xb7);
		} else {
			if (down)
				PUT(o, 0xe0, 0x2a, 0xe0, 0x37);
			else
				PUT(o, 0xe0, 0xb7, 0xe0, 0xaa);
		}
		return;
	}
	if (mods & MOD_ALT_L) {
		if (down)
			PUT(o, 0xf0, 0x11, 0x11, 0x84);
		else
			PUT(o, 0xf0, 0x84, 0xf0, 0x11, 0x11);
	} else if (mods & MOD_ALT_R) {
		if (down)
			PUT(o, 0xe0, 0xf0, 0x11, 0xe0, 0x11, 0x84);
		else
			PUT(o, 0xf0, 0x84, 0xe0, 0xf0, 0x11, 0xe0, 0x11);
	} else if (mods & (MOD_SHIFT_L | MOD_CTRL_L | MOD_SHIFT_R | MOD_CTRL_R)) {
		if (down)
			PUT(o, 0xe0, 0x7c);
		else
			PUT(o, 0xe0, 0xf0, 0x7c);
	} else {
		if (down)
			PUT(o, 0xe0, 0x12, 0xe0, 0x7c);
		else
			PUT(o, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
	}
}

void ps2_kbd_key(struct ps2_kbd *k, uint16_t qnum, bool down, bool translated)
{
	struct kbd_out o = { .k = k, .translated = translated };
	uint8_t mod;
	uint16_t code;

	/* A disabled keyboard sends nothing, and its modifiers do not move (QEMU). */
	if (!k->scanning || qnum >= 256)
		return;
	mod = modifier_bit(qnum);
	if (down)
		k->modifiers |= mod;
	else
		k->modifiers &= (uint8_t)~mod;

	switch (k->scancode_set) {
	case 1:
		if (qnum == QNUM_PAUSE) {
			pause_key(&o, down, 1);
		} else if (qnum == QNUM_PRINT) {
			print_key(&o, down, 1);
		} else if ((code = qnum_codes[qnum].set1)) {
			if (code >> 8)
				put(&o, (uint8_t)(code >> 8));
			put(&o, (uint8_t)((code & 0xff) | (down ? 0 : 0x80)));
		}
		break;
	case 2:
		if (qnum == QNUM_PAUSE) {
			pause_key(&o, down, 2);
		} else if (qnum == QNUM_PRINT) {
			print_key(&o, down, 2);
		} else if ((code = qnum_codes[qnum].set2)) {
			if (code >> 8)
				put(&o, (uint8_t)(code >> 8));
			if (!down)
				put(&o, 0xf0);
			put(&o, (uint8_t)code);
		}
		break;
	case 3:
		/* Every key makes and breaks: QEMU ignores the per-key modes of set 3. */
		if ((code = qnum_codes[qnum].set3)) {
			if (!down)
				put(&o, 0xf0);
			put(&o, (uint8_t)code);
		}
		break;
	}
}


/* ---- mouse ---- */

void ps2_mouse_reset(struct ps2_mouse *m)
{
	memset(m, 0, sizeof(*m));
	m->resolution = 2; /* 4 counts/mm */
	m->sample_rate = 100;
}

static void mouse_defaults(struct ps2_mouse *m)
{
	m->reporting = false;
	m->scaling_2to1 = false;
	m->resolution = 2;
	m->sample_rate = 100;
}

static int32_t clamp(int32_t v, int32_t lim)
{
	return v > lim ? lim : v < -lim ? -lim : v;
}

/*
 * One movement packet from the motion not sent yet, whole or not at all
 * (QEMU 7.2 ps2_mouse_send_packet): byte 0 buttons, sign bits and bit 3,
 * then x and y each clamped to +-127 (the overflow bits stay clear, the rest
 * goes in the next packet); the IntelliMouse adds the wheel clamped to +-127,
 * the Explorer the wheel clamped to +-7 in bits 0-3 and buttons 4 and 5 in
 * bits 4-5. A standard mouse forgets the wheel.
 */
static bool mouse_send_packet(struct ps2_mouse *m)
{
	unsigned int need = m->type ? 4 : 3;
	int32_t dx = clamp(m->dx, 127), dy = clamp(m->dy, 127), dz;

	if (m->queue.count + need > PS2_DEVICE_BUFFER)
		return false;
	ps2_queue_push(&m->queue, (uint8_t)(0x08 | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0) |
					    (m->buttons & 7)));
	ps2_queue_push(&m->queue, (uint8_t)dx);
	ps2_queue_push(&m->queue, (uint8_t)dy);
	switch (m->type) {
	case 3:
		dz = clamp(m->dz, 127);
		ps2_queue_push(&m->queue, (uint8_t)dz);
		m->dz -= dz;
		break;
	case 4:
		dz = clamp(m->dz, 7);
		ps2_queue_push(&m->queue, (uint8_t)((dz & 0x0f) | ((m->buttons & 0x18) << 1)));
		m->dz -= dz;
		break;
	default:
		m->dz = 0;
		break;
	}
	m->dx -= dx;
	m->dy -= dy;
	return true;
}

/* Pending motion is kept within this, so adding to it cannot overflow. */
#define MOUSE_PENDING_MAX (1 << 24)

static int32_t add_motion(int32_t pending, int64_t delta)
{
	int64_t v = pending + delta;

	return (int32_t)(v > MOUSE_PENDING_MAX ? MOUSE_PENDING_MAX :
			 v < -MOUSE_PENDING_MAX ? -MOUSE_PENDING_MAX : v);
}

void ps2_mouse_move(struct ps2_mouse *m, int dx, int dy, int dz, uint8_t buttons)
{
	/* A disabled mouse records nothing, buttons included (QEMU ps2_mouse_event). */
	if (!m->reporting)
		return;
	m->buttons = buttons & 0x1f;
	m->dx = add_motion(m->dx, dx);
	m->dy = add_motion(m->dy, -(int64_t)dy); /* PS/2 y grows upward */
	m->dz = add_motion(m->dz, dz);
	if (m->remote)
		return;
	/*
	 * Stream mode (QEMU ps2_mouse_sync): at least one packet, then more while
	 * motion is left and they fit; what does not fit waits for the next event.
	 */
	while (mouse_send_packet(m)) {
		if (!m->dx && !m->dy && !m->dz)
			break;
	}
}

static void mouse_sample_rate(struct ps2_mouse *m, uint8_t rate)
{
	m->sample_rate = rate;
	m->knock[0] = m->knock[1];
	m->knock[1] = m->knock[2];
	m->knock[2] = rate;
	/* 200,100,80 turns on the wheel; then 200,200,80 the fourth/fifth buttons. */
	if (m->knock[0] == 200 && m->knock[1] == 100 && m->knock[2] == 80)
		m->type = 3;
	else if (m->type == 3 && m->knock[0] == 200 && m->knock[1] == 200 && m->knock[2] == 80)
		m->type = 4;
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t byte)
{
	uint8_t cmd = m->pending_cmd;

	if (cmd) {
		m->pending_cmd = 0;
		if (cmd == 0xf3)
			mouse_sample_rate(m, byte);
		else /* 0xe8 */
			m->resolution = byte & 3;
		reply(&m->queue, PS2_ACK);
		return;
	}
	if (m->wrap && byte != 0xec && byte != 0xff) {
		reply(&m->queue, byte); /* wrap mode echoes everything else */
		return;
	}
	switch (byte) {
	case 0xe6:
		m->scaling_2to1 = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xe7:
		m->scaling_2to1 = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xe8:
	case 0xf3:
		m->pending_cmd = byte;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xe9: /* status request */
		reply(&m->queue, PS2_ACK);
		reply(&m->queue, (uint8_t)((m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
					   (m->scaling_2to1 ? 0x10 : 0) | (m->buttons & 7)));
		reply(&m->queue, m->resolution);
		reply(&m->queue, m->sample_rate);
		break;
	case 0xea:
		m->remote = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xeb: /* read data: the motion gathered since the last one */
		reply(&m->queue, PS2_ACK);
		mouse_send_packet(m);
		break;
	case 0xec:
		m->wrap = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xee:
		m->wrap = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf0:
		m->remote = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf2:
		reply(&m->queue, PS2_ACK);
		reply(&m->queue, m->type);
		break;
	case 0xf4:
		m->reporting = true;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf5:
		m->reporting = false;
		reply(&m->queue, PS2_ACK);
		break;
	case 0xf6:
		mouse_defaults(m);
		reply(&m->queue, PS2_ACK);
		break;
	case 0xff:
		ps2_mouse_reset(m);
		reply(&m->queue, PS2_ACK);
		reply(&m->queue, PS2_BAT_OK);
		reply(&m->queue, 0x00);
		break;
	default:
		reply(&m->queue, PS2_RESEND);
		break;
	}
}
