// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#define GUEST_BURST 20 /* messages per second before suppression */

static enum log_level current_level = LOG_INFO;
static const struct log_sink *current_sink;

static struct {
	time_t second;
	unsigned int in_second;
	unsigned long suppressed;
} guest_limit;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_set_sink(const struct log_sink *sink)
{
	current_sink = sink;
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };

__attribute__((format(printf, 3, 0)))
static void emit(enum log_level level, const char *who, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (current_sink) {
		current_sink->write(current_sink->opaque, level, who, msg);
		return;
	}
	fprintf(stderr, "hvmdm: %s: %s: %s\n", level_names[level], who, msg);
}

void log_msg(enum log_level level, const char *who, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	emit(level, who, fmt, ap);
	va_end(ap);
}

static bool guest_allowed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (now.tv_sec != guest_limit.second) {
		unsigned long dropped = guest_limit.suppressed;

		guest_limit.second = now.tv_sec;
		guest_limit.in_second = 0;
		guest_limit.suppressed = 0;
		if (dropped)
			log_msg(LOG_WARN, "log", "%lu guest-triggered messages suppressed", dropped);
	}
	if (guest_limit.in_second >= GUEST_BURST) {
		guest_limit.suppressed++;
		return false;
	}
	guest_limit.in_second++;
	return true;
}

void log_guest(const char *who, const char *fmt, ...)
{
	va_list ap;

	if (LOG_WARN > current_level || !guest_allowed())
		return;
	va_start(ap, fmt);
	emit(LOG_WARN, who, fmt, ap);
	va_end(ap);
}

void log_guest_info(const char *who, const char *fmt, ...)
{
	va_list ap;

	if (LOG_INFO > current_level || !guest_allowed())
		return;
	va_start(ap, fmt);
	emit(LOG_INFO, who, fmt, ap);
	va_end(ap);
}
