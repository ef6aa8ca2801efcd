// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the stream readers (native, qemu-xen-traditional and
 * upstream QEMU, picked as a restore picks them): framing, every decoder,
 * validation and commit. The machine is shaped by the stream's own header (its
 * profile) and serial records, so inputs reach the decoders, not just the
 * profile check. Seeds: the golden corpus (tests/streams).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/core/log.h"
#include "../../state/qevm.h"
#include "../../state/registry.h"
#include "../../state/snapshot.h"
#include "../../state/upstream.h"
#include "../../state/vm_records.h"
#include "../../vm/accel_none.h"

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };

struct shape {
	unsigned int serial;
	bool platform;
};

static void count_serial(const struct stream_record *rec, void *opaque)
{
	struct shape *s = opaque;

	s->serial += !strcmp(rec->idstr, "serial");
	s->platform |= !strcmp(rec->idstr, "platform");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VM_RAM (2u << 20)

/*
 * Inputs starting 0xff go straight to a whole-VM record decoder (byte 1 picks
 * the kind, byte 2 the instance, the rest is the payload): the stream CRCs
 * would otherwise keep mutations from ever reaching them.
 */
static void fuzz_vm_record(const uint8_t *data, size_t size)
{
	static struct vm_staged st;
	static struct vm_state vm;
	struct stream_record rec = { .version = 1 };
	struct load_report rep = { 0 };
	const struct record_kind *k;
	struct decode_ctx ctx;
	struct rbuf r;
	char err[512];

	if (size < 3)
		return;
	k = &vm_record_kinds[data[1] % nr_vm_record_kinds];
	memset(&st, 0, sizeof(st));
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = VM_RAM;
	vm.ram_below_4g = VM_RAM;
	vm.nr_vcpus = 2;
	st.vm = &vm;
	snprintf(rec.idstr, sizeof(rec.idstr), "%s", k->idstr);
	rec.instance = data[2];
	rec.payload = data + 3;
	rec.payload_len = (uint32_t)(size - 3);
	ctx = (struct decode_ctx){ .rec = &rec, .rep = &rep, .err = err, .errlen = sizeof(err), .vm = &st };
	rbuf_init(&r, rec.payload, rec.payload_len);
	if (k->versions[0].decode(&r, &ctx) == 0 && st.nr_chunks) {
		static uint8_t ram[VM_RAM];

		vm_staged_apply_ram(&st, ram, false);
	}
	free(st.chunks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_config cfg = { .vcpus = 2, .ram_mib = 64, .serial = { "null", "null" } };
	struct accel_none accel;
	int profile;
	struct shape shape = { 0, false };
	struct machine m;
	struct load_report rep;
	char err[512];

	log_set_sink(&sink);
	if (size && data[0] == 0xff) {
		fuzz_vm_record(data, size);
		return 0;
	}
	profile = stream_profile(data, size, err, sizeof(err));
	cfg.profile = profile < 0 ? PROFILE_XENFV : (enum machine_profile)profile;
	stream_scan(data, size, count_serial, &shape, &rep, err, sizeof(err));
	cfg.nr_serial = shape.serial < MACHINE_MAX_SERIAL ? shape.serial : MACHINE_MAX_SERIAL;
	/* Upstream QEMU state without the platform device: libxl's pc,accel=xen. */
	cfg.no_platform_pci = qevm_is_upstream(data, size) && !shape.platform;
	accel_none_init(&accel);
	if (machine_create(&m, &cfg, &accel.accel, NULL, NULL, err, sizeof(err)))
		return 0;
	if (snapshot_load(&m, data, size, &rep, err, sizeof(err)) == 0 && upstream_writable(&m, err, sizeof(err)) == 0) {
		/* Whatever loaded, written for upstream QEMU, must read back: the writer never writes a stream its own reader refuses. */
		static struct machine_state st;
		struct wbuf w;

		machine_save_state(&m, &st);
		wbuf_init(&w, STREAM_MAX_SIZE);
		if (upstream_write(&m, &st, &w, &rep, err, sizeof(err)) == 0 &&
		    snapshot_decode(&m, w.data, w.len, &st, &rep, err, sizeof(err))) {
			fprintf(stderr, "the upstream stream hvmdm wrote does not read back: %s\n", err);
			abort();
		}
		wbuf_free(&w);
	}
	{
		/* The same bytes as a whole-VM stream for a 2 MiB, 2-vCPU VM. */
		struct vm_staged st;

		if (vm_stream_decode(&m, data, size, VM_RAM, VM_RAM, 2, &st, &rep, err, sizeof(err)) == 0) {
			static uint8_t ram[VM_RAM];

			vm_staged_apply_ram(&st, ram, false);
			vm_staged_free(&st);
		}
	}
	machine_destroy(&m);
	return 0;
}
