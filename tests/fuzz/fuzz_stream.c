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
#include "../../state/qevm.h"
#include "../../state/snapshot.h"
#include "../../vm/accel_none.h"

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

static void count_serial(const struct stream_record *rec, void *opaque)
{
	*(unsigned int *)opaque += !strcmp(rec->idstr, "serial");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_config cfg = { .vcpus = 2, .ram_mib = 64, .serial = { "null", "null" } };
	struct accel_none accel;
	int profile;
	unsigned int serial = 0;
	struct machine m;
	struct load_report rep;
	char err[512];

	log_set_sink(&sink);
	profile = stream_profile(data, size, err, sizeof(err));
	cfg.profile = profile < 0 ? PROFILE_XENFV : (enum machine_profile)profile;
	stream_scan(data, size, count_serial, &serial, &rep, err, sizeof(err));
	cfg.nr_serial = serial < MACHINE_MAX_SERIAL ? serial : MACHINE_MAX_SERIAL;
	accel_none_init(&accel);
	if (machine_create(&m, &cfg, &accel.accel, NULL, NULL, err, sizeof(err)))
		return 0;
	snapshot_load(&m, data, size, &rep, err, sizeof(err));
	machine_destroy(&m);
	return 0;
}
