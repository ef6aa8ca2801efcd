/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * QMP, the QEMU Machine Protocol, on unix-socket monitors (-qmp, or -chardev
 * socket + -mon mode=control as libxl spells it), with jansson for JSON.
 *
 * One client per monitor at a time, as in QEMU. The protocol: a greeting,
 * `qmp_capabilities`, then commands each answered with `return` or `error`
 * (carrying the client's `id`); events (STOP, RESUME, MIGRATION, SHUTDOWN)
 * go to every negotiated client. Descriptors arrive with SCM_RIGHTS and
 * belong to the next `getfd` or `add-fd`.
 *
 * Commands: qmp_capabilities, query-version, query-commands, query-status,
 * query-command-line-options, query-chardev, stop, cont, quit, getfd,
 * add-fd, migrate (uri "file:PATH", "fd:NAME" or "file:/dev/fdset/N"; a
 * whole-VM save of the stopped VM, KVM only), query-migrate,
 * xen-save-devices-state and xen-load-devices-state (device state only,
 * the machine stopped; the load is transactional), xen-set-global-dirty-log
 * (Xen: report the pages hvmdm writes during a live migration),
 * system_wakeup, query-cpus-fast, query-pci (QEMU's PciInfo shape),
 * query-vnc (disabled: no display), query-block, eject and
 * blockdev-change-medium (IDE CD-ROM drives, named ide0-cd0 ... ide1-cd1 as
 * in QEMU, or by their -drive id).
 * Anything else is answered with CommandNotFound.
 */
#ifndef HVMDM_VM_QMP_H
#define HVMDM_VM_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/machine.h"
#include "migration.h"

#define QMP_MAX_MONITORS 4
#define QMP_MAX_INPUT (1u << 20)
#define QMP_MAX_FDS 16

struct qmp_monitor {
	int listen_fd;
	int client_fd;
	char path[108];
	char label[64];        /* the -chardev id, for query-chardev */
	bool inherited;        /* listen_fd came from the launcher (fd=N) */
	bool negotiated;
	uint8_t *in;
	size_t in_len;
	int pending_fds[4];    /* arrived with SCM_RIGHTS, for the next command */
	unsigned int nr_pending;
};

/* What the monitor drives: the KVM VM, or the Xen device model. */
struct qmp_target {
	bool (*paused)(void *target);
	int (*pause)(void *target, char *err, size_t errlen);
	int (*resume)(void *target, char *err, size_t errlen);
	/* Whole-VM save; NULL where the hypervisor owns RAM and vCPUs (Xen). */
	int (*save_vm_fd)(void *target, int fd, struct migration_stats *st, char *err,
			  size_t errlen);
	int (*save_vm_file)(void *target, const char *path, struct migration_stats *st,
			    char *err, size_t errlen);
	struct machine *(*machine)(void *target);
	/* QMP quit: end the process's main loop. */
	void (*quit)(void *target);
	/* S3 (optional): wake a suspended guest; is it suspended? */
	int (*wakeup)(void *target, char *err, size_t errlen);
	bool (*suspended)(void *target);
	/* xen-set-global-dirty-log (optional; without it the command is a no-op, as QEMU's stub) */
	void (*set_dirty_log)(void *target, bool on);
	/* Take (true) or drop the device lock around a change to a running machine; NULL: one thread. */
	void (*lock_devices)(void *target, bool lock);
};

struct qmp_server {
	struct qmp_monitor mon[QMP_MAX_MONITORS];
	unsigned int nr_mon;
	const struct qmp_target *ops;
	void *target;
	/* getfd names and add-fd sets: descriptors the client handed us */
	struct {
		char name[64];   /* getfd; "" for an fdset member */
		int fdset;       /* add-fd; -1 for a named one */
		int fd;
	} fds[QMP_MAX_FDS];
	int next_fdset;
	/* the last migrate */
	const char *migrate_status; /* "none", "completed", "failed" */
	char migrate_error[512];
	struct migration_stats migrate_stats;
	bool started;               /* the guest has run (prelaunch vs paused) */
	bool save_upstream;         /* xen-save-devices-state writes upstream QEMU's stream */
	bool chrooted;              /* socket paths are out of reach: leave them to libxl */
	/* qmp_attach_loop: the loop and the registrations (0 = none) */
	struct loop *loop;
	int loop_prepare;
	int loop_listen[QMP_MAX_MONITORS];
	int loop_client[QMP_MAX_MONITORS];
};

void qmp_init(struct qmp_server *q, const struct qmp_target *ops, void *target);
/* Listen on a unix socket at path (an old socket file there is replaced). */
int qmp_add_monitor(struct qmp_server *q, const char *path, const char *label, char *err,
		    size_t errlen);
struct loop;
/*
 * Serve the monitors from an event loop (hw/core/loop.h): listening sockets and
 * clients are registered without LOOP_DEVICE, so commands run outside the
 * device lock and take it through lock_devices where they need it. Monitors
 * added later are picked up too. 0 or -ENOMEM.
 */
int qmp_attach_loop(struct qmp_server *q, struct loop *loop);
/* Leave the loop (qmp_close does it too). */
void qmp_detach_loop(struct qmp_server *q);
/* Send an event to every negotiated client. */
void qmp_event(struct qmp_server *q, const char *name, const char *data_json);
void qmp_close(struct qmp_server *q);

#endif
