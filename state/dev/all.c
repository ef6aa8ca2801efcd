// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device record kinds and device state views, from the one-line
 * registrations in devices.def. Each device lives in its own file in this
 * folder, all formats of one device together.
 */
#include "../codec.h"

#define KIND(x) extern const struct record_kind x##_kind;
#define VIEW(x) extern const struct state_view x##_view;
#include "devices.def"
#undef KIND
#undef VIEW

#define KIND(x) &x##_kind,
#define VIEW(x)
const struct record_kind *const record_kinds[] = {
#include "devices.def"
};
#undef KIND
#undef VIEW

const size_t nr_record_kinds = sizeof(record_kinds) / sizeof(record_kinds[0]);

#define KIND(x)
#define VIEW(x) &x##_view,
const struct state_view *const state_views[] = {
#include "devices.def"
};
#undef KIND
#undef VIEW

const size_t nr_state_views = sizeof(state_views) / sizeof(state_views[0]);
