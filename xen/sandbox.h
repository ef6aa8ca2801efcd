/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HVMDM_SANDBOX_H
#define HVMDM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Resource limits and the seccomp allowlist of a deprivileged Xen device
 * model. Call last, once everything is open and privileges are dropped.
 * log_only: calls outside the list are allowed and logged by the kernel
 * (for finding what the list lacks) instead of killing the process.
 */
int sandbox_enter(bool log_only, char *err, size_t errlen);

#endif
