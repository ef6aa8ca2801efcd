// SPDX-License-Identifier: GPL-2.0-only
#include "migration.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "../state/output.h"
#include "../state/snapshot.h"
#include "../state/vm_records.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Which pages of guest RAM the host ever populated, from /proc/self/pagemap
 * (bit 63 present, bit 62 swapped; readable without privileges): an
 * anonymous private page that is neither was never written and is zero.
 * NULL if pagemap cannot be read -- then every page is looked at.
 */
static uint8_t *populated_pages(const struct kvm_vm *vm)
{
	uint64_t pages = vm->ram_size / GUEST_PAGE, done = 0;
	uint8_t *bits = calloc(1, (size_t)(pages + 7) / 8);
	uint64_t ent[4096];
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (!bits || fd < 0)
		goto fail;
	while (done < pages) {
		size_t want = pages - done < 4096 ? (size_t)(pages - done) : 4096;
		off_t at = (off_t)(((uintptr_t)vm->ram / GUEST_PAGE + done) * 8);
		ssize_t n = pread(fd, ent, want * 8, at);

		if (n != (ssize_t)(want * 8))
			goto fail;
		for (size_t i = 0; i < want; i++)
			if (ent[i] >> 62)
				bits[(done + i) / 8] |= (uint8_t)(1u << ((done + i) % 8));
		done += want;
	}
	close(fd);
	return bits;
fail:
	if (fd >= 0)
		close(fd);
	free(bits);
	return NULL;
}

int migration_save_fd(struct kvm_vm *vm, int fd, struct migration_stats *stats, char *err,
		      size_t errlen)
{
	struct vm_state *vs = calloc(1, sizeof(*vs));
	struct machine_state *dev = malloc(sizeof(*dev)); /* tens of KiB: not on the stack */
	const char *unsaveable = machine_unsaveable(vm->m);
	struct out_sink out;
	double t0 = now_s();
	int rc = -1;

	if (unsaveable) {
		snprintf(err, errlen, "device %s has no saved state yet: saving would lose it, so the VM cannot be saved with it",
			 unsaveable);
		free(vs);
		free(dev);
		return -1;
	}
	if (!vs || !dev) {
		snprintf(err, errlen, "out of memory");
		free(vs);
		free(dev);
		return -1;
	}
	/* The disks first: a restored guest must find every sector it saw written. */
	if (piix_ide_flush(&vm->m->ide)) {
		snprintf(err, errlen, "a disk image could not be flushed");
		free(vs);
		free(dev);
		return -1;
	}
	if (kvm_vm_get_state(vm, vs, err, errlen) == 0) {
		uint8_t *populated = populated_pages(vm);
		struct vm_save_source src = { .vm = vs, .ram = vm->ram, .populated = populated };

		machine_save_state(vm->m, dev);
		out_sink_init(&out, fd);
		rc = vm_stream_write(vm->m, dev, &src, &out, err, errlen);
		free(populated);
		if (stats) {
			stats->bytes = out.written;
			stats->ram_bytes = vm->ram_size;
			stats->seconds = now_s() - t0;
		}
		out_sink_free(&out);
	}
	free(vs);
	free(dev);
	return rc;
}

int migration_save_file(struct kvm_vm *vm, const char *path, struct migration_stats *stats,
			char *err, size_t errlen)
{
	struct out_file f;

	if (out_file_begin(&f, path, err, errlen))
		return -1;
	if (migration_save_fd(vm, f.fd, stats, err, errlen)) {
		out_file_abort(&f);
		return -1;
	}
	return out_file_commit(&f, err, errlen);
}

static uint64_t stream_cap(const struct kvm_vm *vm)
{
	return vm_stream_max_size(vm->ram_size);
}

uint8_t *migration_read_fd(int fd, uint64_t cap, size_t *len, char *err, size_t errlen)
{
	size_t size = 1 << 20, have = 0;
	uint8_t *buf = malloc(size);

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (have == size) {
			uint8_t *nb;

			if (size >= cap) {
				snprintf(err, errlen, "the incoming stream is larger than the %llu bytes it can need",
					 (unsigned long long)cap);
				free(buf);
				return NULL;
			}
			size = size * 2 > cap ? (size_t)cap : size * 2;
			nb = realloc(buf, size);
			if (!nb) {
				snprintf(err, errlen, "out of memory");
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		n = read(fd, buf + have, size - have);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "reading the incoming stream after %zu bytes: %s", have,
				 strerror(errno));
			free(buf);
			return NULL;
		}
		have += (size_t)n;
	}
	*len = have;
	return buf;
}

int migration_incoming(struct kvm_vm *vm, const char *uri, struct migration_stats *stats,
		       char *err, size_t errlen)
{
	struct load_report rep;
	struct vm_staged *st = malloc(sizeof(*st)); /* the devices' staged state: tens of KiB */
	const char *unsaveable = machine_unsaveable(vm->m);
	uint8_t *buf = NULL;
	void *map = NULL;
	size_t len = 0;
	double t0 = now_s();
	int fd = -1, rc = -1;
	char why[512];

	if (!st) {
		snprintf(err, errlen, "-incoming %s: out of memory", uri);
		return -1;
	}
	if (unsaveable) {
		snprintf(err, errlen, "-incoming %s: device %s has no saved state yet: nothing can be restored into a machine with it",
			 uri, unsaveable);
		free(st);
		return -1;
	}
	if (!strncmp(uri, "file:", 5)) {
		struct stat sb;

		fd = open(uri + 5, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb)) {
			snprintf(err, errlen, "-incoming %s: %s", uri, strerror(errno));
			goto out;
		}
		if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > stream_cap(vm) || sb.st_size == 0) {
			snprintf(err, errlen, "-incoming %s: not a regular file of a plausible size (%lld bytes)",
				 uri, (long long)sb.st_size);
			goto out;
		}
		len = (size_t)sb.st_size;
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			snprintf(err, errlen, "-incoming %s: mmap: %s", uri, strerror(errno));
			goto out;
		}
		buf = map;
	} else if (!strncmp(uri, "fd:", 3)) {
		char *end;
		long n = strtol(uri + 3, &end, 10);

		if (*end || end == uri + 3 || n < 0 || n > 65535) {
			snprintf(err, errlen, "-incoming %s: fd: needs a descriptor number", uri);
			goto out;
		}
		buf = migration_read_fd((int)n, stream_cap(vm), &len, why, sizeof(why));
		if (!buf) {
			snprintf(err, errlen, "-incoming %s: %s", uri, why);
			goto out;
		}
	} else {
		snprintf(err, errlen, "-incoming %s: only file:PATH and fd:N are supported", uri);
		goto out;
	}
	if (vm_stream_decode(vm->m, buf, len, vm->ram_size, vm->ram_below_4g, vm->nr_vcpus, st, &rep,
			     why, sizeof(why))) {
		snprintf(err, errlen, "-incoming %s: refused, nothing was loaded: %s", uri, why);
		goto out;
	}
	for (unsigned int i = 0; i < rep.nr_notes; i++)
		log_warn("state", "%s", rep.notes[i]);
	rc = kvm_vm_put_state(vm, st, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "-incoming %s: %s", uri, why);
	vm_staged_free(st);
	if (stats) {
		stats->bytes = len;
		stats->ram_bytes = vm->ram_size;
		stats->seconds = now_s() - t0;
	}
out:
	if (map)
		munmap(map, len);
	else
		free(buf);
	if (fd >= 0)
		close(fd);
	free(st);
	return rc;
}
