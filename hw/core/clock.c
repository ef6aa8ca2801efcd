// SPDX-License-Identifier: GPL-2.0-only
#include "clock.h"

#include <stddef.h>
#include <time.h>

static uint64_t monotonic_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void clock_init(struct dm_clock *clock, uint64_t (*host_now)(void *), void *opaque)
{
	clock->host_now_ns = host_now ? host_now : monotonic_ns;
	clock->host_opaque = opaque;
	clock->stopped = false;
	clock->stopped_at = 0;
	clock->timers = NULL;
	clock->earliest_changed = NULL;
	clock->earliest_opaque = NULL;
	clock->offset_ns = -(int64_t)clock->host_now_ns(opaque);
}

uint64_t clock_now(const struct dm_clock *clock)
{
	if (clock->stopped)
		return clock->stopped_at;
	return clock->host_now_ns(clock->host_opaque) + (uint64_t)clock->offset_ns;
}

void clock_stop(struct dm_clock *clock)
{
	if (clock->stopped)
		return;
	clock->stopped_at = clock_now(clock);
	clock->stopped = true;
}

void clock_start(struct dm_clock *clock)
{
	if (!clock->stopped)
		return;
	clock->offset_ns = (int64_t)(clock->stopped_at - clock->host_now_ns(clock->host_opaque));
	clock->stopped = false;
}

void clock_set(struct dm_clock *clock, uint64_t virtual_now)
{
	if (clock->stopped)
		clock->stopped_at = virtual_now;
	else
		clock->offset_ns = (int64_t)(virtual_now - clock->host_now_ns(clock->host_opaque));
}

void timer_init(struct dm_timer *timer, struct dm_clock *clock, dm_timer_cb cb, void *opaque)
{
	timer->clock = clock;
	timer->cb = cb;
	timer->opaque = opaque;
	timer->expire_ns = 0;
	timer->armed = false;
	timer->next = NULL;
}

void timer_cancel(struct dm_timer *timer)
{
	struct dm_timer **link;

	if (!timer->armed)
		return;
	for (link = &timer->clock->timers; *link; link = &(*link)->next) {
		if (*link == timer) {
			*link = timer->next;
			break;
		}
	}
	timer->armed = false;
	timer->next = NULL;
}

static bool clock_is_earliest(const struct dm_timer *timer)
{
	return timer->clock->timers == timer;
}

void timer_arm(struct dm_timer *timer, uint64_t expire_ns)
{
	struct dm_timer **link;

	timer_cancel(timer);
	timer->expire_ns = expire_ns;
	for (link = &timer->clock->timers; *link; link = &(*link)->next)
		if ((*link)->expire_ns > expire_ns)
			break;
	timer->next = *link;
	*link = timer;
	timer->armed = true;
	if (clock_is_earliest(timer) && timer->clock->earliest_changed)
		timer->clock->earliest_changed(timer->clock->earliest_opaque);
}

uint64_t clock_next_deadline(const struct dm_clock *clock)
{
	return clock->timers ? clock->timers->expire_ns : UINT64_MAX;
}

unsigned int clock_run_timers(struct dm_clock *clock)
{
	uint64_t now = clock_now(clock);
	unsigned int fired = 0;

	/*
	 * A callback may re-arm its own timer; re-read the head each time. The
	 * cap keeps a timer re-armed in the past from spinning the event loop.
	 */
	while (clock->timers && clock->timers->expire_ns <= now && fired < 1024) {
		struct dm_timer *t = clock->timers;

		clock->timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->cb(t->opaque);
		fired++;
	}
	return fired;
}
