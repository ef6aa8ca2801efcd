/* SPDX-License-Identifier: GPL-2.0-only */
/* Decoded device state as JSON (jansson), for hvmdm-stream and the golden corpus. */
#ifndef HVMDM_STATE_INSPECT_H
#define HVMDM_STATE_INSPECT_H

#include <jansson.h>

#include "snapshot.h"

/* Every field of st for the devices machine m has; caller owns the result. */
json_t *machine_state_to_json(const struct machine *m, const struct machine_state *st);

#endif
