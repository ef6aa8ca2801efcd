/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging. Messages a guest can provoke go through log_guest(), which is
 * rate-limited so a guest hammering a port cannot flood the host's logs.
 */
#ifndef HVMDM_LOG_H
#define HVMDM_LOG_H

#include <stdarg.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Redirect (NULL = stderr); used by tests that check a message was logged. */
struct log_sink {
	void (*write)(void *opaque, enum log_level level, const char *who, const char *msg);
	void *opaque;
};
void log_set_sink(const struct log_sink *sink);

void log_msg(enum log_level level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Guest-triggered warnings: at most a burst per second, then a count. */
void log_guest(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Guest-provided information (PV driver logs, ACPI debug port), same limit. */
void log_guest_info(const char *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(who, ...) log_msg(LOG_ERROR, who, __VA_ARGS__)
#define log_warn(who, ...)  log_msg(LOG_WARN, who, __VA_ARGS__)
#define log_info(who, ...)  log_msg(LOG_INFO, who, __VA_ARGS__)
#define log_debug(who, ...) log_msg(LOG_DEBUG, who, __VA_ARGS__)

#endif
