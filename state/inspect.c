// SPDX-License-Identifier: GPL-2.0-only
/* Decoded state as JSON: the machine's own part, then each device's view (state/dev/). */
#include "inspect.h"

#include "codec.h"

json_t *machine_state_to_json(const struct machine *m, const struct machine_state *st)
{
	json_t *root = json_object();

	json_object_set_new(root, "profile", json_string(profile_name((enum machine_profile)st->profile)));
	json_object_set_new(root, "clock_ns", json_u64(st->clock_ns));
	for (size_t i = 0; i < nr_state_views; i++) {
		json_t *v = state_views[i]->view(m, st);

		if (v)
			json_object_set_new(root, state_views[i]->member, v);
	}
	return root;
}
