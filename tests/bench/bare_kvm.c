// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor for `make bench`: the smallest KVM program that runs the same
 * instruction loop as firmware/guests/bench_pio.asm (N `in al, dx` from port
 * 0x3fd) with an empty exit handler, so the difference to hvmdm is what the
 * device model adds per exit.
 *
 *   bare_kvm N           -> prints the seconds the N exits took
 *   bare_kvm N irqchip   -> the same, with the in-kernel interrupt controllers
 *                           (TSS, KVM_CREATE_IRQCHIP, PIT) created first, as a
 *                           device model does: the start-up floor for `make bench`
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, vcpu, sz;
	uint8_t *mem;
	struct kvm_run *run;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rflags = 2, .rip = 0 };
	struct kvm_userspace_memory_region r = { .slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000 };
	struct timespec t0, t1;
	unsigned long exits = 0;
	/* mov ecx, N; mov dx, 0x3fd; 1: in al, dx; dec ecx; jnz 1b; out 0x501... ; hlt */
	uint8_t code[] = { 0x66, 0xb9, 0, 0, 0, 0, 0xba, 0xfd, 0x03, 0xec, 0x66, 0x49, 0x75, 0xfb,
			   0xba, 0x01, 0x05, 0xee, 0xf4 };

	if (kvm < 0 || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0) {
		perror("/dev/kvm");
		return 1;
	}
	if (argc > 2 && !strcmp(argv[2], "irqchip")) {
		struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

		if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000) || ioctl(vm, KVM_CREATE_IRQCHIP, 0) ||
		    ioctl(vm, KVM_CREATE_PIT2, &pit)) {
			perror("bare_kvm: irqchip");
			return 1;
		}
	}
	memcpy(code + 2, &n, 4);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(mem, code, sizeof(code));
	r.userspace_addr = (uint64_t)(uintptr_t)mem;
	ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	ioctl(vcpu, KVM_SET_REGS, &regs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			perror("KVM_RUN");
			return 1;
		}
		if (run->exit_reason == KVM_EXIT_IO) {
			if (run->io.port == 0x501)
				break;
			((uint8_t *)run)[run->io.data_offset] = 0x60; /* THRE|TEMT */
			exits++;
			continue;
		}
		fprintf(stderr, "bare_kvm: exit reason %u\n", run->exit_reason);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (exits != n) {
		fprintf(stderr, "bare_kvm: %lu exits, expected %lu\n", exits, n);
		return 1;
	}
	printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
