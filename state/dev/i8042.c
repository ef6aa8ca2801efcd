// SPDX-License-Identifier: GPL-2.0-only
/*
 * The i8042 and its PS/2 devices: "pckbd", "ps2kbd", "ps2mouse"
 * (qemu-xen-traditional hw/pckbd.c and hw/ps2.c, upstream QEMU's).
 * hvmdm's own layouts are little-endian and spelled out in
 * docs/stream-format.md; foreign ones follow their producers (reference/01,
 * 02 and 09 give them byte by byte). A decoder reads exactly its layout.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

static void enc_pckbd(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct i8042_state *k = &st->kbd;

	(void)slot;
	put_u8(w, k->status);
	put_u8(w, k->ctr);
	put_u8(w, k->outport);
	put_u8(w, k->pending_cmd);
	put_u8(w, k->obdata);
	put_u8(w, k->obsrc);
	put_queue(w, &k->ctrl_queue);
	put_queue(w, &k->aux_inject);
}

static int dec_pckbd_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct i8042_state *k = &c->st->kbd;

	k->status = get_u8(r);
	k->ctr = get_u8(r);
	k->outport = get_u8(r);
	k->pending_cmd = get_u8(r);
	k->obdata = get_u8(r);
	k->obsrc = get_u8(r);
	if (get_queue(r, c, &k->ctrl_queue) || get_queue(r, c, &k->aux_inject))
		return -1;
	return dec_finish(r, c);
}

static int get_pckbd_outport(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->kbd.outport = get_u8(r);
	return 0;
}

/*
 * Upstream pckbd/extended_state (hw/input/pckbd.c): be32 migration_flags,
 * be32 obsrc (1 keyboard, 2 mouse, 4 controller), u8 obdata, u8 cbdata. The
 * output buffer byte is then explicit, not the head of a device queue.
 */
static int get_pckbd_extended(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	struct i8042_state *k = &c->st->kbd;
	size_t at;
	uint32_t src;

	(void)version;
	get_be32(r);
	at = r->pos;
	src = get_be32(r);
	k->obdata = get_u8(r);
	get_u8(r);
	if (r->short_read)
		return 0;
	switch (src) {
	case 0:
		k->obsrc = I8042_SRC_NONE;
		break;
	case 1:
		k->obsrc = I8042_SRC_KBD;
		break;
	case 2:
		k->obsrc = I8042_SRC_AUX;
		break;
	case 4:
		k->obsrc = I8042_SRC_CTRL;
		break;
	default:
		return dec_fail(c, at, "output buffer source is not keyboard, mouse or controller", NULL);
	}
	c->rep->i8042_explicit_ob = true;
	return 0;
}

static const struct up_sub pckbd_subs[] = {
	{ "pckbd_outport", 1, 1, get_pckbd_outport },
	{ "pckbd/extended_state", 0, 0, get_pckbd_extended },
};

/*
 * Traditional pckbd v3: write_cmd, status, mode, pending. Its output buffer is
 * the head of the keyboard or mouse queue; that byte moves into obdata once
 * the ps2 records are in (see fixup_trad_i8042 below).
 */
static int dec_pckbd_v3(struct rbuf *r, struct decode_ctx *c)
{
	struct i8042_state *k = &c->st->kbd;
	uint8_t pending;

	k->pending_cmd = get_u8(r);
	k->status = get_u8(r);
	k->ctr = get_u8(r);
	pending = get_u8(r);
	k->obsrc = I8042_SRC_NONE;
	/* qemu-trad kbd_update_irq: the keyboard's data goes first; the mouse's only when alone. */
	if (k->status & I8042_STR_OBF)
		k->obsrc = (k->status & I8042_STR_AUX_OBF) || pending == 2 ? I8042_SRC_AUX : I8042_SRC_KBD;
	ps2_queue_reset(&k->ctrl_queue);
	ps2_queue_reset(&k->aux_inject);
	if (get_up_subsections(r, c, pckbd_subs, sizeof(pckbd_subs) / sizeof(pckbd_subs[0])))
		return -1;
	return dec_finish(r, c);
}

static void enc_ps2kbd(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct ps2_kbd *k = &st->kbd.kbd;

	(void)slot;
	put_u8(w, k->pending_cmd);
	put_u8(w, k->scanning);
	put_u8(w, k->scancode_set);
	put_u8(w, k->leds);
	put_u8(w, k->typematic);
	put_queue(w, &k->queue);
}

static int dec_ps2kbd_v4(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_kbd *k = &c->st->kbd.kbd;

	k->pending_cmd = get_u8(r);
	GET_FLAG(r, c, k->scanning);
	k->scancode_set = get_u8(r);
	k->leds = get_u8(r);
	k->typematic = get_u8(r);
	if (get_queue(r, c, &k->queue))
		return -1;
	return dec_finish(r, c);
}

/* Traditional PS/2 common part: s32 write_cmd, s32 rptr, s32 wptr, s32 count, data[256]. */
static int get_trad_ps2_common(struct rbuf *r, struct decode_ctx *c, struct ps2_queue *q,
			       uint8_t *pending_cmd)
{
	size_t at = r->pos;
	int32_t cmd = (int32_t)get_be32(r);
	int32_t rptr = (int32_t)get_be32(r);
	int32_t wptr = (int32_t)get_be32(r);
	int32_t count = (int32_t)get_be32(r);
	uint8_t data[256];

	get_bytes(r, data, sizeof(data));
	if (r->short_read)
		return 0;
	if (cmd < -1 || cmd > 0xff)
		return dec_fail(c, at, "pending device command out of range", NULL);
	if (rptr < 0 || rptr > 255 || wptr < 0 || wptr > 255 || count < 0 || count > 256 ||
	    (rptr + count) % 256 != wptr)
		return dec_fail(c, at + 4, "queue pointers are inconsistent", NULL);
	*pending_cmd = cmd < 0 ? 0 : (uint8_t)cmd;
	ps2_queue_reset(q);
	for (int32_t i = 0; i < count; i++)
		ps2_queue_push(q, data[(rptr + i) % 256]);
	return 0;
}

/* Upstream ps2kbd subsections (hw/input/ps2.c); the traditional record has none. */
static int get_ps2kbd_ledstate(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)version;
	c->st->kbd.kbd.leds = (uint8_t)(get_be32(r) & 7);
	return 0;
}

/* need_high_bit (set-1 translation detail) and the command-reply split of the queue. */
static int get_ps2_ignored_u8(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_u8(r);
	return 0;
}

static int get_ps2_ignored_be32(struct rbuf *r, struct decode_ctx *c, uint32_t version)
{
	(void)c;
	(void)version;
	get_be32(r);
	return 0;
}

static const struct up_sub ps2kbd_subs[] = {
	{ "ps2kbd/ledstate", 2, 3, get_ps2kbd_ledstate },
	{ "ps2kbd/need_high_bit", 1, 1, get_ps2_ignored_u8 },
	{ "ps2kbd/command_reply_queue", 0, 0, get_ps2_ignored_be32 },
};

static const struct up_sub ps2mouse_subs[] = {
	{ "ps2mouse/command_reply_queue", 0, 0, get_ps2_ignored_be32 },
};

static int dec_ps2kbd_trad(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_kbd *k = &c->st->kbd.kbd;
	size_t at;
	uint32_t set = 2;

	if (get_trad_ps2_common(r, c, &k->queue, &k->pending_cmd))
		return -1;
	k->scanning = get_be32(r) != 0;
	get_be32(r); /* translate: the controller's command byte says it */
	if (c->rec->version >= 3) {
		at = r->pos;
		set = get_be32(r);
		if (!r->short_read && (set < 1 || set > 3))
			return dec_fail(c, at, "scan code set is not 1-3", NULL);
	}
	k->scancode_set = (uint8_t)set;
	if (get_up_subsections(r, c, ps2kbd_subs, sizeof(ps2kbd_subs) / sizeof(ps2kbd_subs[0])))
		return -1;
	return dec_finish(r, c);
}

static void enc_ps2mouse(struct wbuf *w, const struct machine_state *st, unsigned int slot)
{
	const struct ps2_mouse *m = &st->kbd.mouse;

	(void)slot;
	put_u8(w, m->pending_cmd);
	put_u8(w, m->reporting);
	put_u8(w, m->remote);
	put_u8(w, m->wrap);
	put_u8(w, m->scaling_2to1);
	put_u8(w, m->resolution);
	put_u8(w, m->sample_rate);
	put_u8(w, m->type);
	put_bytes(w, m->knock, sizeof(m->knock));
	put_u8(w, m->buttons);
	put_queue(w, &m->queue);
}

static int dec_ps2mouse_v3(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_mouse *m = &c->st->kbd.mouse;

	m->pending_cmd = get_u8(r);
	GET_FLAG(r, c, m->reporting);
	GET_FLAG(r, c, m->remote);
	GET_FLAG(r, c, m->wrap);
	GET_FLAG(r, c, m->scaling_2to1);
	m->resolution = get_u8(r);
	m->sample_rate = get_u8(r);
	m->type = get_u8(r);
	get_bytes(r, m->knock, sizeof(m->knock));
	m->buttons = get_u8(r);
	if (get_queue(r, c, &m->queue))
		return -1;
	return dec_finish(r, c);
}

/*
 * Traditional ps2mouse v2: common part, u8 status (0x40 remote, 0x20
 * reporting, 0x10 scaling 2:1), resolution, sample rate, wrap, type,
 * detect state, s32 dx, dy, dz (pending motion, dropped: no input source
 * yet), u8 buttons.
 */
static int dec_ps2mouse_v2(struct rbuf *r, struct decode_ctx *c)
{
	struct ps2_mouse *m = &c->st->kbd.mouse;
	uint8_t status;

	if (get_trad_ps2_common(r, c, &m->queue, &m->pending_cmd))
		return -1;
	status = get_u8(r);
	m->remote = status & 0x40;
	m->reporting = status & 0x20;
	m->scaling_2to1 = status & 0x10;
	m->resolution = get_u8(r);
	m->sample_rate = get_u8(r);
	m->wrap = get_u8(r) != 0;
	m->type = get_u8(r);
	get_u8(r);
	get_be32(r);
	get_be32(r);
	get_be32(r);
	m->buttons = get_u8(r) & 7;
	memset(m->knock, 0, sizeof(m->knock));
	if (get_up_subsections(r, c, ps2mouse_subs, sizeof(ps2mouse_subs) / sizeof(ps2mouse_subs[0])))
		return -1;
	return dec_finish(r, c);
}

static const struct record_version pckbd_versions[] = {
	{ 3, RV_ACCEPTED, "qemu-xen-traditional; upstream QEMU (same 4 bytes)", "u8 write_cmd, u8 status, u8 mode, u8 pending", dec_pckbd_v3 },
	{ 4, RV_WRITTEN, "hvmdm 0.1",
	  "u8 status, ctr, outport, pending_cmd, obdata, obsrc, queue ctrl, queue aux_inject (queue = le16 n, n bytes)",
	  dec_pckbd_v4 },
};

static const struct record_version ps2kbd_versions[] = {
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PS/2 common, be32 scan_enabled, be32 translate", dec_ps2kbd_trad },
	{ 3, RV_ACCEPTED, "qemu-xen-traditional", "PS/2 common, be32 scan_enabled, be32 translate, be32 scancode_set", dec_ps2kbd_trad },
	{ 4, RV_WRITTEN, "hvmdm 0.1", "u8 pending_cmd, scanning, scancode_set, leds, typematic, queue", dec_ps2kbd_v4 },
};

static const struct record_version ps2mouse_versions[] = {
	{ 2, RV_ACCEPTED, "qemu-xen-traditional", "PS/2 common, u8 status, resolution, rate, wrap, type, detect, s32 dx, dy, dz, u8 buttons", dec_ps2mouse_v2 },
	{ 3, RV_WRITTEN, "hvmdm 0.1",
	  "u8 pending_cmd, reporting, remote, wrap, scaling, resolution, sample_rate, type, knock[3], buttons, queue",
	  dec_ps2mouse_v3 },
};

/* hw/pckbd.c kbd_save (v3: 4 bytes); hw/ps2.c: ps2kbd v2 280, v3 284; ps2mouse v2 291. */
static long trad_pckbd_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 3 ? 4 : -1;
}

static long trad_ps2kbd_size(const struct trad_peek *pk, uint32_t v, bool *erratum, const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 2 ? 280 : v == 3 ? 284 : -1;
}

static long trad_ps2mouse_size(const struct trad_peek *pk, uint32_t v, bool *erratum,
			       const char **why)
{
	(void)pk, (void)erratum, (void)why;
	return v == 2 ? 291 : -1;
}

/*
 * Both producers' PS/2 queue: a 256-byte ring read from 0, holding `first`
 * (if any) then the queue's bytes; how many. The caller checks they fit.
 */
static unsigned int ps2_ring(uint8_t ring[PS2_QUEUE_SIZE], const struct ps2_queue *q, const uint8_t *first)
{
	unsigned int n = 0;

	memset(ring, 0, PS2_QUEUE_SIZE);
	if (first)
		ring[n++] = *first;
	for (unsigned int i = 0; i < q->count && n < PS2_QUEUE_SIZE; i++)
		ring[n++] = q->data[(q->head + i) % PS2_QUEUE_SIZE];
	return n;
}

/* hw/ps2.c ps2_common_save: be32 write_cmd (-1 none), rptr, wptr, count, data[256]. */
static int put_trad_ps2(struct wbuf *w, uint8_t pending_cmd, const struct ps2_queue *q,
			const uint8_t *first, char *err, size_t errlen, const char *who)
{
	uint8_t ring[PS2_QUEUE_SIZE];
	unsigned int n;

	if (q->count + (first ? 1u : 0u) > PS2_QUEUE_SIZE) {
		snprintf(err, errlen, "%s: the output byte and a full queue do not fit the traditional 256-byte queue", who);
		return -1;
	}
	n = ps2_ring(ring, q, first);
	put_be32(w, pending_cmd ? pending_cmd : UINT32_MAX);
	put_be32(w, 0);
	put_be32(w, n % PS2_QUEUE_SIZE);
	put_be32(w, n);
	put_bytes(w, ring, sizeof(ring));
	return 0;
}

/*
 * hw/pckbd.c kbd_save: write_cmd, status, mode, pending (1 keyboard, 2 mouse
 * has data) -- the output byte is the head of its device's queue there; then
 * hw/ps2.c ps2kbd (common part, scanning, translate, scancode set) and
 * ps2mouse (common part, status, resolution, rate, wrap, type, detect state,
 * dx, dy, dz, buttons).
 */
static int trad_i8042_write(struct trad_writer *t, const struct machine *m,
			    const struct machine_state *st, struct load_report *rep, char *err,
			    size_t errlen)
{
	const struct i8042_state *k = &st->kbd;
	struct wbuf *p = trad_payload(t);
	uint8_t pending = 0;

	(void)m;
	if (!ps2_queue_empty(&k->ctrl_queue) || !ps2_queue_empty(&k->aux_inject) ||
	    k->obsrc == I8042_SRC_CTRL) {
		snprintf(err, errlen, "i8042: controller output is pending, which the traditional model has no place for");
		return -1;
	}
	if (k->obsrc == I8042_SRC_AUX && !ps2_queue_empty(&k->kbd.queue)) {
		snprintf(err, errlen, "i8042: a mouse byte is in the output buffer while keyboard bytes wait; the traditional model always hands out the keyboard's first");
		return -1;
	}
	if (!ps2_queue_empty(&k->kbd.queue) || k->obsrc == I8042_SRC_KBD)
		pending |= 1;
	if (!ps2_queue_empty(&k->mouse.queue) || k->obsrc == I8042_SRC_AUX)
		pending |= 2;
	put_u8(p, k->pending_cmd);
	put_u8(p, k->status);
	put_u8(p, k->ctr);
	put_u8(p, pending);
	trad_section(t, "pckbd", 0, 3);
	/* The output port's buffer-full bits follow the status; reset and A20 are the guest's. */
	if ((k->outport & (I8042_OUT_RESET | I8042_OUT_A20)) != (I8042_OUT_RESET | I8042_OUT_A20))
		load_note(rep, "i8042 output port %#x (reset or A20 low) is not in the traditional layout",
			  k->outport);
	if (put_trad_ps2(p, k->kbd.pending_cmd, &k->kbd.queue,
			 k->obsrc == I8042_SRC_KBD ? &k->obdata : NULL, err, errlen, "ps2kbd"))
		return -1;
	put_be32(p, k->kbd.scanning);
	put_be32(p, (k->ctr & I8042_CTR_XLATE) ? 1 : 0);
	put_be32(p, k->kbd.scancode_set);
	trad_section(t, "ps2kbd", 0, 3);
	if (k->kbd.leds || k->kbd.typematic != 0x2b)
		load_note(rep, "keyboard LEDs %#x and typematic rate %#x are not in the traditional layout",
			  k->kbd.leds, k->kbd.typematic);
	if (put_trad_ps2(p, k->mouse.pending_cmd, &k->mouse.queue,
			 k->obsrc == I8042_SRC_AUX ? &k->obdata : NULL, err, errlen, "ps2mouse"))
		return -1;
	put_u8(p, (uint8_t)((k->mouse.remote ? 0x40 : 0) | (k->mouse.reporting ? 0x20 : 0) |
			    (k->mouse.scaling_2to1 ? 0x10 : 0)));
	put_u8(p, k->mouse.resolution);
	put_u8(p, k->mouse.sample_rate);
	put_u8(p, k->mouse.wrap);
	put_u8(p, k->mouse.type);
	put_u8(p, 0);   /* detect state: a fresh knock */
	put_be32(p, 0); /* dx, dy, dz: no motion pending */
	put_be32(p, 0);
	put_be32(p, 0);
	put_u8(p, k->mouse.buttons);
	trad_section(t, "ps2mouse", 0, 2);
	if (k->mouse.knock[0] | k->mouse.knock[1] | k->mouse.knock[2])
		load_note(rep, "the mouse's IntelliMouse knock in progress is not in the traditional layout");
	return 0;
}

/*
 * A traditional i8042's output buffer is the head of the device queue it
 * came from; hvmdm keeps that byte apart, so move it out of the queue.
 */
static void fixup_trad_i8042(struct machine_state *st, uint32_t version,
			     const struct load_report *rep)
{
	struct i8042_state *k = &st->kbd;
	struct ps2_queue *q = k->obsrc == I8042_SRC_AUX ? &k->mouse.queue : &k->kbd.queue;

	/* pckbd 3 is the traditional layout; hvmdm's own says where the byte came from. */
	if (version != 3 || rep->i8042_explicit_ob || k->obsrc == I8042_SRC_NONE)
		return;
	if (ps2_queue_empty(q)) {
		k->obsrc = I8042_SRC_NONE; /* nothing was really pending */
		k->status &= (uint8_t)~(I8042_STR_OBF | I8042_STR_AUX_OBF);
		return;
	}
	k->obdata = ps2_queue_pop(q);
}

/* ---------------------------------------------------------------- upstream QEMU */

static const struct vmf ps2_common_f[] = { VM_F(4, 4), VM_F(1, 256) }; /* write_cmd, rptr, wptr, count, data */
VM_DESC(ps2_common, "PS2 Common State", 3, 2, ps2_common_f);
VM_SUB_MIN(ps2kbd_ledstate, "ps2kbd/ledstate", 3, 2, VM_F(4, 1));
VM_SUB(ps2kbd_high_bit, "ps2kbd/need_high_bit", 1, VM_F(1, 1));
VM_SUB(ps2kbd_cqueue, "ps2kbd/command_reply_queue", 0, VM_F(4, 1));
static const struct vmd *const ps2kbd_vm_subs[] = { &ps2kbd_ledstate, &ps2kbd_high_bit, &ps2kbd_cqueue };
static const struct vmf ps2kbd_f[] = { VM_STRUCT(ps2_common, 1, 0), VM_F(4, 2), VM_FV(4, 1, 3) };
VM_DESC_SUBS(ps2kbd, "ps2kbd", 3, 2, ps2kbd_f, ps2kbd_vm_subs);
VM_SUB(ps2mouse_cqueue, "ps2mouse/command_reply_queue", 0, VM_F(4, 1));
static const struct vmd *const ps2mouse_vm_subs[] = { &ps2mouse_cqueue };
static const struct vmf ps2mouse_f[] = { VM_STRUCT(ps2_common, 1, 0), VM_F(1, 6), VM_F(4, 3), VM_F(1, 1) };
VM_DESC_SUBS(ps2mouse, "ps2mouse", 2, 2, ps2mouse_f, ps2mouse_vm_subs);
VM_SUB(pckbd_outport, "pckbd_outport", 1, VM_F(1, 1));
VM_SUB(pckbd_extended, "pckbd/extended_state", 0, VM_F(4, 2), VM_F(1, 2));
static const struct vmd *const pckbd_vm_subs[] = { &pckbd_outport, &pckbd_extended };
static const struct vmf pckbd_f[] = { VM_F(1, 4) };
VM_DESC_SUBS(pckbd, "pckbd", 3, 3, pckbd_f, pckbd_vm_subs);

/*
 * hw/input/ps2.c vmstate_ps2_common: be32 write_cmd (-1 none), rptr, wptr,
 * count, data[256]. QEMU 7.2's post_load keeps at most 16 scan codes (its
 * PS2_QUEUE_SIZE) when no command replies are marked: a longer queue keeps
 * its oldest 16, and the report says how many went.
 */
static void put_up_ps2(struct wbuf *p, uint8_t pending_cmd, const struct ps2_queue *q,
		       struct load_report *rep, const char *who)
{
	uint8_t ring[PS2_QUEUE_SIZE];
	unsigned int n = ps2_ring(ring, q, NULL);

	if (n > 16) {
		load_note(rep, "%s: %u bytes queued; QEMU keeps the oldest 16", who, n);
		n = 16;
	}
	put_be32(p, pending_cmd ? pending_cmd : UINT32_MAX);
	put_be32(p, 0);
	put_be32(p, n);
	put_be32(p, n);
	put_bytes(p, ring, sizeof(ring));
}

/*
 * QEMU's i8042 as three sections (hw/input/ps2.c, hw/input/pckbd.c):
 * ps2kbd v3 (common part, scan_enabled, translate, scancode_set; LEDs in
 * ps2kbd/ledstate), ps2mouse v2 (common part, status, resolution, rate,
 * wrap, type, detect state, dx, dy, dz, buttons), pckbd v3 (write_cmd,
 * status, mode, pending) with the output port when the guest moved reset or
 * A20, and the output buffer explicitly (pckbd/extended_state) when full.
 */
static int up_i8042_write(struct up_writer *t, const struct machine *m,
			  const struct machine_state *st, struct load_report *rep, char *err,
			  size_t errlen)
{
	static const uint32_t obsrc[] = { [I8042_SRC_NONE] = 0, [I8042_SRC_KBD] = 1,
					  [I8042_SRC_AUX] = 2, [I8042_SRC_CTRL] = 4 };
	const struct i8042_state *k = &st->kbd;
	struct wbuf *p = up_payload(t);
	uint8_t pending = 0;

	(void)m;
	if (!ps2_queue_empty(&k->ctrl_queue) || !ps2_queue_empty(&k->aux_inject)) {
		snprintf(err, errlen, "i8042: controller bytes are queued behind the output buffer, which QEMU's controller has no place for");
		return -1;
	}
	put_up_ps2(p, k->kbd.pending_cmd, &k->kbd.queue, rep, "ps2kbd");
	put_be32(p, k->kbd.scanning);
	put_be32(p, (k->ctr & I8042_CTR_XLATE) ? 1 : 0);
	put_be32(p, k->kbd.scancode_set);
	if (k->kbd.leds) {
		put_up_subsection(p, "ps2kbd/ledstate", 3);
		put_be32(p, k->kbd.leds);
	}
	up_section(t, NULL, "ps2kbd", 0, 3);
	if (k->kbd.typematic != 0x2b)
		load_note(rep, "keyboard typematic rate %#x: QEMU keeps none", k->kbd.typematic);
	put_up_ps2(p, k->mouse.pending_cmd, &k->mouse.queue, rep, "ps2mouse");
	put_u8(p, (uint8_t)((k->mouse.remote ? 0x40 : 0) | (k->mouse.reporting ? 0x20 : 0) |
			    (k->mouse.scaling_2to1 ? 0x10 : 0)));
	put_u8(p, k->mouse.resolution);
	put_u8(p, k->mouse.sample_rate);
	put_u8(p, k->mouse.wrap);
	put_u8(p, k->mouse.type);
	put_u8(p, 0);   /* detect state: a fresh knock */
	put_be32(p, 0); /* dx, dy, dz: motion is reported as it comes, none waits */
	put_be32(p, 0);
	put_be32(p, 0);
	put_u8(p, k->mouse.buttons);
	up_section(t, NULL, "ps2mouse", 0, 2);
	if (k->mouse.knock[0] | k->mouse.knock[1] | k->mouse.knock[2])
		load_note(rep, "the mouse's IntelliMouse knock in progress starts again on QEMU");
	if (!ps2_queue_empty(&k->kbd.queue))
		pending |= 1;
	if (!ps2_queue_empty(&k->mouse.queue))
		pending |= 2;
	put_u8(p, k->pending_cmd);
	put_u8(p, k->status);
	put_u8(p, k->ctr);
	put_u8(p, pending);
	if ((k->outport & (I8042_OUT_RESET | I8042_OUT_A20)) != (I8042_OUT_RESET | I8042_OUT_A20)) {
		put_up_subsection(p, "pckbd_outport", 1);
		put_u8(p, (uint8_t)((k->outport & (I8042_OUT_RESET | I8042_OUT_A20)) |
				    ((k->status & I8042_STR_OBF) ? I8042_OUT_OBF : 0) |
				    ((k->status & I8042_STR_AUX_OBF) ? I8042_OUT_AUX_OBF : 0)));
	}
	if (k->obsrc != I8042_SRC_NONE) {
		put_up_subsection(p, "pckbd/extended_state", 0);
		put_be32(p, 0); /* migration_flags: no throttle timer pending */
		put_be32(p, obsrc[k->obsrc]);
		put_u8(p, k->obdata);
		put_u8(p, k->obsrc == I8042_SRC_CTRL ? k->obdata : 0);
	}
	up_section(t, NULL, "pckbd", 0, 3);
	return 0;
}

static const struct vm_layout pckbd_up[] = { UPSTREAM_LAYOUT("pckbd", pckbd) };
static const struct vm_layout ps2kbd_up[] = { UPSTREAM_LAYOUT("ps2kbd", ps2kbd) };
static const struct vm_layout ps2mouse_up[] = { UPSTREAM_LAYOUT("ps2mouse", ps2mouse) };

const struct record_kind pckbd_kind = {
	.idstr = "pckbd",
	.instances = one_instance,
	.encode = enc_pckbd,
	.required = true,
	KIND_VERSIONS(pckbd_versions),
	.trad = { .size = trad_pckbd_size, .write = trad_i8042_write, .order = 10 },
	.fixup = fixup_trad_i8042,
	.upstream = { UPSTREAM_LAYOUTS(pckbd_up), .write = up_i8042_write, .order = 6 },
};
const struct record_kind ps2kbd_kind = {
	.idstr = "ps2kbd",
	.instances = one_instance,
	.encode = enc_ps2kbd,
	.required = true,
	KIND_VERSIONS(ps2kbd_versions),
	.trad = { .size = trad_ps2kbd_size, .none = "written with pckbd" },
	.upstream = { UPSTREAM_LAYOUTS(ps2kbd_up), .none = "written with pckbd" },
};
const struct record_kind ps2mouse_kind = {
	.idstr = "ps2mouse",
	.instances = one_instance,
	.encode = enc_ps2mouse,
	.required = true,
	KIND_VERSIONS(ps2mouse_versions),
	.trad = { .size = trad_ps2mouse_size, .none = "written with pckbd" },
	.upstream = { UPSTREAM_LAYOUTS(ps2mouse_up), .none = "written with pckbd" },
};

/* ---------------------------------------------------------------- JSON view */

static json_t *view_i8042(const struct machine *m, const struct machine_state *st)
{
	(void)m;
	return json_pack(
		"{s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:{s:i, s:b, s:i, s:i, s:i, s:o}, s:{s:i, s:b, s:b, s:b, s:b, s:i, s:i, s:i, s:o, s:i, s:o}}",
		"status", st->kbd.status, "ctr", st->kbd.ctr, "outport", st->kbd.outport,
		"pending_cmd", st->kbd.pending_cmd, "obdata", st->kbd.obdata, "obsrc", st->kbd.obsrc,
		"ctrl_queue", json_queue(&st->kbd.ctrl_queue), "aux_inject", json_queue(&st->kbd.aux_inject),
		"keyboard", "pending_cmd", st->kbd.kbd.pending_cmd, "scanning", st->kbd.kbd.scanning,
		"scancode_set", st->kbd.kbd.scancode_set, "leds", st->kbd.kbd.leds,
		"typematic", st->kbd.kbd.typematic, "queue", json_queue(&st->kbd.kbd.queue),
		"mouse", "pending_cmd", st->kbd.mouse.pending_cmd, "reporting", st->kbd.mouse.reporting,
		"remote", st->kbd.mouse.remote, "wrap", st->kbd.mouse.wrap,
		"scaling_2to1", st->kbd.mouse.scaling_2to1, "resolution", st->kbd.mouse.resolution,
		"sample_rate", st->kbd.mouse.sample_rate, "type", st->kbd.mouse.type,
		"knock", json_hex(st->kbd.mouse.knock, 3), "buttons", st->kbd.mouse.buttons,
		"queue", json_queue(&st->kbd.mouse.queue));
}

/* A distinct value in every field, for the schema's fingerprints (never change one). */
static void probe_i8042(struct machine_state *st)
{
	st->kbd.status = 0x1d;
	st->kbd.ctr = 0x47;
	st->kbd.outport = 0xcf;
	st->kbd.pending_cmd = 0xd4;
	st->kbd.obdata = 0xfa;
	st->kbd.obsrc = I8042_SRC_AUX;
	ps2_queue_push(&st->kbd.ctrl_queue, 0x55);
	ps2_queue_push(&st->kbd.aux_inject, 0x66);
	st->kbd.kbd.pending_cmd = 0xed;
	st->kbd.kbd.scanning = true;
	st->kbd.kbd.scancode_set = 3;
	st->kbd.kbd.leds = 5;
	st->kbd.kbd.typematic = 0x2b;
	ps2_queue_push(&st->kbd.kbd.queue, 0xaa);
	ps2_queue_push(&st->kbd.kbd.queue, 0xbb);
	st->kbd.mouse.pending_cmd = 0xf3;
	st->kbd.mouse.reporting = true;
	st->kbd.mouse.remote = true;
	st->kbd.mouse.wrap = true;
	st->kbd.mouse.scaling_2to1 = true;
	st->kbd.mouse.resolution = 3;
	st->kbd.mouse.sample_rate = 200;
	st->kbd.mouse.type = 4;
	st->kbd.mouse.knock[0] = 200;
	st->kbd.mouse.knock[1] = 100;
	st->kbd.mouse.knock[2] = 80;
	st->kbd.mouse.buttons = 5;
	ps2_queue_push(&st->kbd.mouse.queue, 0x08);
}

const struct state_view i8042_view = { "i8042", view_i8042, probe_i8042 };
