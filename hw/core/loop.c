// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event loop (see loop.h). Entries are never moved or reused while the
 * loop runs: a callback may add (appended, polled next time) or delete
 * (marked dead, skipped) registrations, and dispatch reaches entries by index
 * because an add may reallocate the array.
 */
#include "loop.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define POLL_EVENTS (LOOP_IN | LOOP_OUT)

static int grow(struct loop *l);

/* The clock says a new earliest timer was armed: re-poll with its deadline. */
static void earliest_changed(void *opaque)
{
	struct loop *l = opaque;

	if (l->sleeping)
		loop_wake(l);
}

void loop_init(struct loop *l, struct dm_clock *clock)
{
	memset(l, 0, sizeof(*l));
	l->clock = clock;
	/* Without it (or without room to poll it) the caller's max_wait_ms bounds any lateness. */
	l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_fd >= 0 && grow(l)) {
		close(l->wake_fd);
		l->wake_fd = -1;
	}
	if (clock && l->wake_fd >= 0) {
		clock->earliest_changed = earliest_changed;
		clock->earliest_opaque = l;
	}
}

void loop_wake(struct loop *l)
{
	uint64_t one = 1;
	ssize_t rc;

	if (l->wake_fd < 0)
		return;
	/* EAGAIN: the counter is full, so a wake-up is pending anyway. */
	rc = write(l->wake_fd, &one, sizeof(one));
	(void)rc;
}

static void drain_wake(struct loop *l)
{
	uint64_t count;
	ssize_t rc = read(l->wake_fd, &count, sizeof(count));

	(void)rc;
}

void loop_destroy(struct loop *l)
{
	if (l->clock && l->clock->earliest_opaque == l) {
		l->clock->earliest_changed = NULL;
		l->clock->earliest_opaque = NULL;
	}
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	l->wake_fd = -1;
	free(l->ent);
	free(l->pfd);
	free(l->pfd_ent);
	l->ent = NULL;
	l->pfd = NULL;
	l->pfd_ent = NULL;
	l->nr = l->cap = 0;
}

void loop_set_device_hooks(struct loop *l, bool (*enter)(void *opaque),
			   void (*leave)(void *opaque), void *opaque)
{
	l->dev_enter = enter;
	l->dev_leave = leave;
	l->dev_opaque = opaque;
}

static struct loop_entry *find(const struct loop *l, int id)
{
	if (id <= 0)
		return NULL;
	for (unsigned int i = 0; i < l->nr; i++)
		if (l->ent[i].id == id && !l->ent[i].dead)
			return &l->ent[i];
	return NULL;
}

/*
 * The pollfd arrays grow with the entries, so building them never fails;
 * pfd has one slot more, for the wake-up eventfd.
 */
static int grow(struct loop *l)
{
	unsigned int cap = l->cap ? l->cap * 2 : 8;
	struct loop_entry *ent;
	struct pollfd *pfd;
	unsigned int *pfd_ent;

	if (l->nr < l->cap)
		return 0;
	if (l->cap > UINT_MAX / 2 / sizeof(*ent))
		return -ENOMEM;
	ent = realloc(l->ent, cap * sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	l->ent = ent;
	pfd = realloc(l->pfd, (cap + 1) * sizeof(*pfd));
	if (!pfd)
		return -ENOMEM;
	l->pfd = pfd;
	pfd_ent = realloc(l->pfd_ent, cap * sizeof(*pfd_ent));
	if (!pfd_ent)
		return -ENOMEM;
	l->pfd_ent = pfd_ent;
	l->cap = cap;
	return 0;
}

static int add_entry(struct loop *l, int fd, unsigned int events, loop_fd_cb cb,
		     loop_prepare_cb prepare, void *opaque)
{
	int rc = grow(l), id;

	if (rc)
		return rc;
	/* Ids name registrations for their owners: never two live ones alike. */
	do {
		if (l->next_id <= 0 || l->next_id == INT_MAX)
			l->next_id = 1;
		id = l->next_id++;
	} while (find(l, id));
	l->ent[l->nr++] = (struct loop_entry){ .id = id, .fd = fd, .events = events, .cb = cb,
					       .prepare = prepare, .opaque = opaque };
	return id;
}

static void compact(struct loop *l)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < l->nr; i++)
		if (!l->ent[i].dead)
			l->ent[n++] = l->ent[i];
	l->nr = n;
	l->has_dead = false;
}

int loop_add_fd(struct loop *l, int fd, unsigned int events, loop_fd_cb cb, void *opaque)
{
	if (fd < 0 || !cb || (events & ~(POLL_EVENTS | LOOP_DEVICE)))
		return -EINVAL;
	return add_entry(l, fd, events, cb, NULL, opaque);
}

int loop_mod_fd(struct loop *l, int id, unsigned int events)
{
	struct loop_entry *e = find(l, id);

	if (!e || e->fd < 0)
		return -ENOENT;
	e->events = (e->events & LOOP_DEVICE) | (events & POLL_EVENTS);
	return 0;
}

void loop_del_fd(struct loop *l, int id)
{
	struct loop_entry *e = find(l, id);

	if (!e)
		return;
	e->dead = true;
	l->has_dead = true;
	if (!l->running)
		compact(l);
}

int loop_watch(struct loop *l, int *id, int fd, unsigned int events, loop_fd_cb cb, void *opaque)
{
	struct loop_entry *e = find(l, *id);
	int rc;

	if (e && fd >= 0 && e->fd == fd && e->cb == cb && e->opaque == opaque &&
	    (e->events & LOOP_DEVICE) == (events & LOOP_DEVICE)) {
		e->events = events & (POLL_EVENTS | LOOP_DEVICE);
		return 0;
	}
	loop_del_fd(l, *id);
	*id = 0;
	if (fd < 0 || !(events & POLL_EVENTS))
		return 0;
	rc = loop_add_fd(l, fd, events, cb, opaque);
	if (rc < 0)
		return rc;
	*id = rc;
	return 0;
}

int loop_add_prepare(struct loop *l, unsigned int flags, loop_prepare_cb cb, void *opaque)
{
	if (!cb || (flags & ~LOOP_DEVICE))
		return -EINVAL;
	return add_entry(l, -1, flags, NULL, cb, opaque);
}

void loop_del_prepare(struct loop *l, int id)
{
	loop_del_fd(l, id);
}

int loop_timeout_ms(const struct loop *l, int max_wait_ms)
{
	uint64_t deadline, now, ms;

	if (!l->clock)
		return max_wait_ms;
	deadline = clock_next_deadline(l->clock);
	if (deadline == UINT64_MAX)
		return max_wait_ms;
	now = clock_now(l->clock);
	if (deadline <= now)
		return 0;
	if (l->clock->stopped)
		return max_wait_ms; /* a frozen clock reaches no new deadline */
	/* Rounded up: waking before the deadline would only poll again. */
	ms = (deadline - now + 999999) / 1000000;
	if (max_wait_ms >= 0 && ms > (uint64_t)max_wait_ms)
		return max_wait_ms;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static bool devices_enter(struct loop *l)
{
	return !l->dev_enter || l->dev_enter(l->dev_opaque);
}

static void devices_leave(struct loop *l)
{
	if (l->dev_leave)
		l->dev_leave(l->dev_opaque);
}

static bool is_device(const struct loop_entry *e)
{
	return e->events & LOOP_DEVICE;
}

static void run_prepares(struct loop *l, bool device)
{
	unsigned int nr = l->nr; /* hooks added now run next time */

	for (unsigned int i = 0; i < nr; i++) {
		struct loop_entry *e = &l->ent[i];

		if (!e->dead && e->fd < 0 && is_device(e) == device)
			e->prepare(e->opaque);
	}
}

static nfds_t fill_pollfds(struct loop *l, bool devices)
{
	nfds_t n = 0;

	for (unsigned int i = 0; i < l->nr; i++) {
		const struct loop_entry *e = &l->ent[i];

		if (e->dead || e->fd < 0 || !(e->events & POLL_EVENTS) || (is_device(e) && !devices))
			continue;
		l->pfd[n] = (struct pollfd){ .fd = e->fd, .events = (short)(e->events & POLL_EVENTS) };
		l->pfd_ent[n++] = i;
	}
	return n;
}

static void dispatch(struct loop *l, nfds_t nfds, bool device)
{
	for (nfds_t i = 0; i < nfds; i++) {
		unsigned int revents = (unsigned short)l->pfd[i].revents;
		struct loop_entry *e;

		if (!revents)
			continue;
		e = &l->ent[l->pfd_ent[i]];
		/* Deleted, or told to wait for nothing, by an earlier callback. */
		if (e->dead || is_device(e) != device || !(e->events & POLL_EVENTS))
			continue;
		e->cb(e->opaque, e->fd, revents);
	}
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	int timeout = max_wait_ms, n, err = 0;
	bool devices;
	nfds_t nfds, polled;

	if (l->running)
		return -EBUSY;
	l->running = true;
	run_prepares(l, false);
	devices = devices_enter(l);
	if (devices) {
		run_prepares(l, true);
		timeout = loop_timeout_ms(l, max_wait_ms);
	}
	nfds = fill_pollfds(l, devices);
	polled = nfds;
	if (l->wake_fd >= 0)
		l->pfd[polled++] = (struct pollfd){ .fd = l->wake_fd, .events = POLLIN };
	if (devices) {
		l->sleeping = true; /* from here a new earliest timer wakes the poll */
		devices_leave(l);
	}
	n = poll(l->pfd, polled, timeout);
	if (n < 0) {
		err = errno;
		n = 0;
	}
	if (n > 0 && polled > nfds && l->pfd[nfds].revents) {
		drain_wake(l);
		n--;
	}
	if (n > 0)
		dispatch(l, nfds, false);
	/* Asked again: a control callback (QMP stop) may have paused the machine. */
	if (devices_enter(l)) {
		l->sleeping = false;
		if (n > 0)
			dispatch(l, nfds, true);
		if (l->clock)
			clock_run_timers(l->clock);
		devices_leave(l);
	}
	l->running = false;
	if (l->has_dead)
		compact(l);
	return err && err != EINTR ? -err : n;
}
