/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop both accelerators run: host descriptors (character
 * backends, QMP monitors, Xen's event channels) and the device clock's
 * timers, on one thread.
 *
 * loop_run_once() runs the prepare hooks (a backend decides there what it
 * waits for: input only while its device has room), poll()s every
 * registered descriptor with a timeout of min(time to the next armed device
 * timer, max_wait_ms), calls the callbacks of the ready ones, then runs the
 * timers that are due. Registrations are kept in a growable array and are
 * changed only on the loop's thread, callbacks included: an entry deleted
 * during a dispatch is not called again, one added waits for the next poll.
 * A descriptor may be registered more than once (ids, not descriptors, name
 * registrations): a stale entry on a number reused elsewhere costs at most
 * a spurious callback, which its owner checks for.
 *
 * Lock rule. A registration or prepare hook flagged LOOP_DEVICE touches
 * device state: it and the device timers run between the loop's device
 * hooks (loop_set_device_hooks), never outside them. On KVM those hooks take
 * the device lock every vCPU exit holds, and refuse while the VM is paused
 * (S3 excepted: time goes on), so a paused machine stays exactly as a save
 * sees it -- no timer fires, no backend delivers input, none of their
 * descriptors is even polled. Entries without LOOP_DEVICE (QMP monitors) run
 * outside the device lock and take it themselves where they touch devices
 * (qmp_target.lock_devices), since pausing joins vCPU threads that wait for
 * that lock. Xen is one thread and sets no hooks.
 *
 * Wake-ups. A timer armed while the loop sleeps in poll() -- by a vCPU
 * thread on KVM, under the device lock -- that is now the earliest wakes
 * the loop (an eventfd the loop polls besides the registrations), which
 * waits again with the new deadline; so does loop_wake(), which any thread
 * may call (KVM: a vCPU that stopped the machine). Timers armed on the
 * loop's own thread (a callback; on Xen, an ioreq) cost no wake-up: the
 * next poll's timeout already sees them.
 */
#ifndef HVMDM_LOOP_H
#define HVMDM_LOOP_H

#include <poll.h>
#include <stdbool.h>

#include "clock.h"

#define LOOP_IN POLLIN
#define LOOP_OUT POLLOUT
#define LOOP_DEVICE 0x10000u /* touches devices: under the device hooks (see above) */

/* revents as poll() set them (POLLHUP, POLLERR, POLLNVAL included). */
typedef void (*loop_fd_cb)(void *opaque, int fd, unsigned int revents);
typedef void (*loop_prepare_cb)(void *opaque);

struct loop_entry {
	int id;
	int fd;              /* -1: a prepare hook */
	unsigned int events; /* LOOP_IN | LOOP_OUT, LOOP_DEVICE */
	loop_fd_cb cb;
	loop_prepare_cb prepare;
	void *opaque;
	bool dead;           /* deleted while the loop ran; dropped after it */
};

struct loop {
	struct dm_clock *clock; /* device timers; NULL: none */
	struct loop_entry *ent;
	unsigned int nr, cap;
	struct pollfd *pfd;     /* cap entries, rebuilt for every poll */
	unsigned int *pfd_ent;  /* the entry each pollfd stands for */
	int next_id;
	bool running;
	bool has_dead;
	int wake_fd;            /* eventfd; -1: none (max_wait_ms bounds the wait) */
	bool sleeping;          /* in poll() with a timeout from the clock (under the device hooks) */
	bool (*dev_enter)(void *opaque); /* false: devices stopped, run none */
	void (*dev_leave)(void *opaque);
	void *dev_opaque;
};

void loop_init(struct loop *l, struct dm_clock *clock);
/* Make a sleeping loop_run_once() return now; safe from any thread. */
void loop_wake(struct loop *l);
void loop_destroy(struct loop *l);
/* Bracket every LOOP_DEVICE callback, device prepare hook and timer run. */
void loop_set_device_hooks(struct loop *l, bool (*enter)(void *opaque),
			   void (*leave)(void *opaque), void *opaque);

/*
 * Watch fd for events (LOOP_IN, LOOP_OUT; none = registered but idle; plus
 * LOOP_DEVICE). Returns the registration's id (> 0) or -EINVAL/-ENOMEM.
 */
int loop_add_fd(struct loop *l, int fd, unsigned int events, loop_fd_cb cb, void *opaque);
/* New LOOP_IN/LOOP_OUT bits for id (its LOOP_DEVICE flag stays); 0 or -ENOENT. */
int loop_mod_fd(struct loop *l, int id, unsigned int events);
/* Unknown ids (0, already deleted) are ignored. */
void loop_del_fd(struct loop *l, int id);
/*
 * Keep the one registration *id (0 = none) watching fd for events: changed
 * in place, moved to another descriptor, or deleted when fd < 0 (*id = 0).
 * 0 or -ENOMEM (then *id = 0 and nothing is watched).
 */
int loop_watch(struct loop *l, int *id, int fd, unsigned int events, loop_fd_cb cb, void *opaque);

/* Called before every poll (flags: LOOP_DEVICE or 0). Returns an id or -errno. */
int loop_add_prepare(struct loop *l, unsigned int flags, loop_prepare_cb cb, void *opaque);
void loop_del_prepare(struct loop *l, int id);

/*
 * The poll timeout: max_wait_ms (< 0: no bound) or less, so the next armed
 * timer of a running clock is not missed (rounded up to whole ms).
 */
int loop_timeout_ms(const struct loop *l, int max_wait_ms);
/*
 * One iteration: prepare, poll, dispatch (control entries, then device
 * entries), run due timers. Returns the number of ready descriptors, or
 * -errno if poll failed (EINTR is not a failure: 0), -EBUSY if called from
 * one of its own callbacks.
 */
int loop_run_once(struct loop *l, int max_wait_ms);

#endif
