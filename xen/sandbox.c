// SPDX-License-Identifier: GPL-2.0-only
/*
 * The last step of deprivileging (libxl dm_restrict=1, i.e. hvmdm started
 * with -xen-domid-restrict): after every Xen handle is restricted to the
 * domain, the chroot and the drop to the unprivileged user, cap the
 * resources and install a seccomp filter (libseccomp) that allows only the
 * system calls the Xen event loop and the VNC server's thread make, in
 * every thread of the process. Anything else kills the process:
 * a device model that tries an unexpected call has been subverted, and
 * libxl then sees its domain's device model gone.
 *
 * What stays trusted is listed in docs/ARCHITECTURE.md ("Deprivileged").
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "hw/core/log.h"

/*
 * Allowed without argument checks. From reading the loop (poll on the event
 * channel and QMP sockets, ioctls on privcmd/evtchn/devicemodel handles,
 * foreign mappings, pread/pwrite/fdatasync on disk images, QMP
 * accept/recvmsg/sendmsg with descriptors, the save stream written to a
 * handed-over descriptor) and from running the real-Xen tier with the
 * filter in log mode (HVMDM_SANDBOX_LOG=1) until it logged nothing.
 */
static const int allowed[] = {
	/* I/O on descriptors hvmdm already holds */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(preadv), SCMP_SYS(pwritev),
	SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(ftruncate),
	SCMP_SYS(ioctl), SCMP_SYS(dup),
	/* waiting */
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(futex), SCMP_SYS(sched_yield),
	SCMP_SYS(restart_syscall),
	/* QMP: connections on the listening sockets libxl handed over or we bound */
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(shutdown), SCMP_SYS(getsockopt),
	/*
	 * VNC: LibVNCServer's thread (ui/vnc.c) waits in select, sets
	 * TCP_NODELAY on a new client and asks for its address; its DES
	 * challenge seeds from time()
	 */
	SCMP_SYS(select), SCMP_SYS(pselect6), SCMP_SYS(setsockopt), SCMP_SYS(getpeername),
	SCMP_SYS(getsockname), SCMP_SYS(time),
	/* memory: malloc and foreign mappings (privcmd mmap) */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* signals (SIGHUP ends us) and leaving */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(sigaltstack), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* abort() on a bug: raise SIGABRT at ourselves */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(tgkill),
	SCMP_SYS(getrandom),
};

/*
 * Path calls fail the way the empty, root-owned chroot would make them fail
 * (glibc may still look for a message catalogue or a time zone file), so
 * the caller sees an ordinary error rather than a killed process.
 */
static const int path_calls[] = {
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access), SCMP_SYS(readlink),
};

static int add_rules(scmp_filter_ctx ctx)
{
	int rc;

	for (size_t i = 0; i < sizeof(path_calls) / sizeof(path_calls[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), path_calls[i], 0);
		if (rc)
			return rc;
	}

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
		if (rc)
			return rc;
	}
	/* fcntl: flags and descriptor duplication only (no locks, no owner changes) */
	static const int fcntl_cmds[] = { F_GETFL, F_SETFL, F_GETFD, F_SETFD, F_DUPFD_CLOEXEC };
	for (size_t i = 0; i < sizeof(fcntl_cmds) / sizeof(fcntl_cmds[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
				      SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)fcntl_cmds[i]));
		if (rc)
			return rc;
	}
	/* prlimit64 and getrlimit, reading only (LibVNCServer sizes its client table from RLIMIT_NOFILE) */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_EQ, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getrlimit), 0);
	if (rc)
		return rc;
	/* mprotect: never make memory executable */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				SCMP_A2(SCMP_CMP_MASKED_EQ, (scmp_datum_t)PROT_EXEC, 0));
}

/* Nothing to dump, nothing to spawn, a bounded number of descriptors. */
static int set_rlimits(char *err, size_t errlen)
{
	static const struct {
		int resource;
		rlim_t max;
		const char *name;
	} limits[] = {
		{ RLIMIT_CORE, 0, "RLIMIT_CORE" },     /* a core file would hold guest memory */
		{ RLIMIT_NPROC, 0, "RLIMIT_NPROC" },   /* threads exist already (the loop, VNC's): no fork, no clone */
		{ RLIMIT_NOFILE, 256, "RLIMIT_NOFILE" }, /* images, QMP connections, handed-over fds */
	};

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct rlimit r;

		if (getrlimit(limits[i].resource, &r))
			goto fail;
		if (r.rlim_max != RLIM_INFINITY && r.rlim_max < limits[i].max)
			continue; /* already tighter */
		r.rlim_cur = r.rlim_max = limits[i].max;
		if (setrlimit(limits[i].resource, &r))
			goto fail;
		continue;
fail:
		snprintf(err, errlen, "sandbox: %s: %s", limits[i].name, strerror(errno));
		return -1;
	}
	return 0;
}

int sandbox_enter(bool log_only, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc;

	if (set_rlimits(err, errlen))
		return -1;
	ctx = seccomp_init(log_only ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return -1;
	}
	rc = add_rules(ctx);
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1); /* no_new_privs */
	/* Every thread, not only this one: the VNC server's was started with the machine. */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		snprintf(err, errlen, "sandbox: seccomp filter: %s", strerror(-rc));
		return -1;
	}
	log_info("sandbox", "system-call filter installed: %zu calls, fcntl and mprotect by argument, "
		 "path calls fail with EACCES%s", sizeof(allowed) / sizeof(allowed[0]),
		 log_only ? "; others logged, not refused" : "");
	return 0;
}
