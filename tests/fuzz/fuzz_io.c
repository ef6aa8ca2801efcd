// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for guest I/O dispatch: the input is a guest's program of
 * port, MMIO and config-space accesses against a freshly assembled machine.
 *
 *   byte 0: profile (mod 3), then records of 8 bytes:
 *     kind (mod 5) | size code | address (4 bytes LE) | value (2 bytes LE, spread)
 *
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "../../vm/accel_none.h"

static void quiet(void *o, enum log_level l, const char *who, const char *msg)
{
	(void)o, (void)l, (void)who, (void)msg;
}

static const struct log_sink sink = { .write = quiet };
static uint64_t fake_now;

static uint64_t fake_clock(void *o)
{
	(void)o;
	return fake_now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int sizes[8] = { 1, 2, 4, 8, 0, 3, 16, 1 };
	struct machine_config cfg = { .vcpus = 2, .ram_mib = 64, .nr_serial = 1,
				      .serial = { "null" } };
	struct accel_none accel;
	struct machine m;
	char err[256];

	if (size < 1)
		return 0;
	log_set_sink(&sink);
	cfg.profile = (enum machine_profile)(data[0] % 3);
	accel_none_init(&accel);
	fake_now = 0;
	if (machine_create(&m, &cfg, &accel.accel, fake_clock, NULL, err, sizeof(err)))
		return 0;
	for (size_t i = 1; i + 8 <= size; i += 8) {
		const uint8_t *r = data + i;
		unsigned int sz = sizes[r[1] & 7];
		uint32_t addr = (uint32_t)r[2] | (uint32_t)r[3] << 8 | (uint32_t)r[4] << 16 |
				(uint32_t)r[5] << 24;
		uint64_t val = (uint64_t)(r[6] | r[7] << 8) * 0x0001000100010001ull;

		switch (r[0] % 5) {
		case 0:
			io_space_write(&m.io, addr & 0xffff, sz, val);
			break;
		case 1:
			io_space_read(&m.io, addr & 0xffff, sz);
			break;
		case 2:
			io_space_write(&m.mmio, 0xf0000000u | (addr & 0x0fffffff), sz, val);
			io_space_read(&m.mmio, 0xf0000000u | (addr & 0x0fffffff), sz);
			break;
		case 3:
			pci_config_write(&m.pci, (addr >> 8) & 0x1ff, addr & 0x1ff, sz, (uint32_t)val);
			pci_config_read(&m.pci, (addr >> 8) & 0x1ff, addr & 0x1ff, sz);
			break;
		default:
			fake_now += addr;
			clock_run_timers(&m.clock);
			break;
		}
	}
	machine_destroy(&m);
	return 0;
}
