/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device model's virtual clock and its timers.
 *
 * Device time (PM timer, UART character timeouts) runs on a virtual clock:
 * host monotonic time plus an offset, frozen while the VM is stopped so a
 * save/restore does not make guest-visible timers jump. The offset is what the
 * `timer` save record carries (64-bit, DESIGN.md §3.7).
 *
 * Timers are a sorted list; the event loop (loop.h) asks for the next
 * deadline and calls clock_run_timers(). Tests drive a fake host clock.
 */
#ifndef HVMDM_CLOCK_H
#define HVMDM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC 1000000000ull

struct dm_timer;

struct dm_clock {
	uint64_t (*host_now_ns)(void *opaque); /* monotonic host time */
	void *host_opaque;
	int64_t offset_ns;   /* virtual = host + offset while running */
	bool stopped;
	uint64_t stopped_at; /* virtual time at which it froze */
	struct dm_timer *timers; /* armed timers, earliest first */
	/* Called when an arm makes a timer the earliest (the loop's wake-up). */
	void (*earliest_changed)(void *opaque);
	void *earliest_opaque;
};

typedef void (*dm_timer_cb)(void *opaque);

struct dm_timer {
	struct dm_clock *clock;
	dm_timer_cb cb;
	void *opaque;
	uint64_t expire_ns;
	bool armed;
	struct dm_timer *next;
};

/* A clock on CLOCK_MONOTONIC when host_now is NULL. Starts running at 0. */
void clock_init(struct dm_clock *clock, uint64_t (*host_now)(void *), void *opaque);
uint64_t clock_now(const struct dm_clock *clock);
void clock_stop(struct dm_clock *clock);
void clock_start(struct dm_clock *clock);
/* Make the virtual clock read `virtual_now` (used by restore). */
void clock_set(struct dm_clock *clock, uint64_t virtual_now);

void timer_init(struct dm_timer *timer, struct dm_clock *clock, dm_timer_cb cb, void *opaque);
void timer_arm(struct dm_timer *timer, uint64_t expire_ns);
void timer_cancel(struct dm_timer *timer);
/* Earliest armed deadline, or UINT64_MAX. */
uint64_t clock_next_deadline(const struct dm_clock *clock);
/* Fire every timer due at the current virtual time; returns how many fired. */
unsigned int clock_run_timers(struct dm_clock *clock);

#endif
