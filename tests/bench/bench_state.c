// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-state save and load cost per profile (make bench): the scenario's
 * machine saved and loaded (decode, validate, commit) ITER times each.
 * Prints one JSON object per profile: bytes, mean microseconds per save/load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hw/core/log.h"
#include "../../state/snapshot.h"
#include "../../vm/accel_none.h"
#include "../unit/scenario.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int iter = argc > 1 ? atoi(argv[1]) : 2000;

	log_set_level(LOG_ERROR);
	for (int p = PROFILE_XENFV; p <= PROFILE_PC; p++) {
		struct machine_config cfg = { .profile = (enum machine_profile)p, .vcpus = 2, .ram_mib = 64,
					      .nr_serial = 1, .serial = { "null" } };
		struct accel_none a;
		struct machine m;
		struct load_report rep;
		struct wbuf w;
		char err[512];
		double t0, t_save, t_load;

		accel_none_init(&a);
		if (machine_create(&m, &cfg, &a.accel, NULL, NULL, err, sizeof(err)) || scenario_run(&m)) {
			fprintf(stderr, "bench_state: %s\n", err);
			return 1;
		}
		clock_stop(&m.clock);
		wbuf_init(&w, STREAM_MAX_SIZE);
		t0 = now_s();
		for (int i = 0; i < iter; i++) {
			w.len = 0;
			if (snapshot_save(&m, &w, err, sizeof(err)))
				return 1;
		}
		t_save = (now_s() - t0) / iter;
		t0 = now_s();
		for (int i = 0; i < iter; i++)
			if (snapshot_load(&m, w.data, w.len, &rep, err, sizeof(err))) {
				fprintf(stderr, "bench_state: %s\n", err);
				return 1;
			}
		t_load = (now_s() - t0) / iter;
		printf("{\"profile\": \"%s\", \"bytes\": %zu, \"save_us\": %.2f, \"load_us\": %.2f}\n",
		       profile_name(m.cfg.profile), w.len, t_save * 1e6, t_load * 1e6);
		wbuf_free(&w);
		machine_destroy(&m);
	}
	return 0;
}
