// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the native stream reader: framing, every decoder,
 * validation and commit. The machine is shaped by the stream's own header (its
 * profile) and serial records, so inputs reach the decoders, not just the
 * profile check. Seeds: the golden corpus (tests/streams).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../hw/log.h"
#include "../../state/snapshot.h"
#include "../../vm/accel_none.h"

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_config cfg = { .vcpus = 2, .ram_mib = 64, .serial = { "null", "null" } };
	struct stream_header h;
	struct stream_record rec;
	struct accel_none accel;
	struct machine m;
	struct load_report rep;
	char err[512];
	size_t pos;

	log_set_sink(&sink);
	if (stream_read_header(data, size, &h, err, sizeof(err)) == 0) {
		cfg.profile = h.profile <= PROFILE_PC ? (enum machine_profile)h.profile : PROFILE_XENFV;
		pos = h.records_offset;
		while (cfg.nr_serial < MACHINE_MAX_SERIAL &&
		       stream_read_record(data, size, &pos, &rec, err, sizeof(err)) == 1)
			cfg.nr_serial += !strcmp(rec.idstr, "serial");
	}
	accel_none_init(&accel);
	if (machine_create(&m, &cfg, &accel.accel, NULL, NULL, err, sizeof(err)))
		return 0;
	snapshot_load(&m, data, size, &rep, err, sizeof(err));
	machine_destroy(&m);
	return 0;
}
