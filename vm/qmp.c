// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include "qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hw/core/log.h"
#include "hw/core/loop.h"
#include "hw/core/machine.h"
#include "../state/output.h"
#include "../state/snapshot.h"
#include "../state/upstream.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.3.0-dev"
#endif

void qmp_init(struct qmp_server *q, const struct qmp_target *ops, void *target)
{
	memset(q, 0, sizeof(*q));
	q->ops = ops;
	q->target = target;
	q->migrate_status = "none";
	for (unsigned int i = 0; i < QMP_MAX_FDS; i++)
		q->fds[i].fd = -1;
}

int qmp_add_monitor(struct qmp_server *q, const char *path, const char *label, char *err,
		    size_t errlen)
{
	struct qmp_monitor *mon;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat sb;

	if (q->nr_mon >= QMP_MAX_MONITORS) {
		snprintf(err, errlen, "at most %u QMP monitors", QMP_MAX_MONITORS);
		return -1;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	mon = &q->mon[q->nr_mon];
	memset(mon, 0, sizeof(*mon));
	mon->client_fd = -1;
	snprintf(mon->path, sizeof(mon->path), "%s", path);
	snprintf(mon->label, sizeof(mon->label), "%s", label ? label : "compat_monitor");
	if (!strncmp(path, "fd=", 3)) {
		/* A listening socket the launcher passed down (libxl's probe: fd=N). */
		int fd = atoi(path + 3);
		int type = 0, acc = 0;
		socklen_t tl = sizeof(type), al = sizeof(acc);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) || type != SOCK_STREAM ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) || !acc) {
			snprintf(err, errlen, "QMP -chardev fd=%d: not a listening stream socket", fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		mon->listen_fd = fd;
		mon->inherited = true;
		mon->in = malloc(QMP_MAX_INPUT);
		if (!mon->in) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		q->nr_mon++;
		return 0;
	}
	strcpy(sa.sun_path, path);
	/* QEMU replaces a stale socket; it never removes anything else. */
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(path);
	mon->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (mon->listen_fd < 0 || bind(mon->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(mon->listen_fd, 1)) {
		snprintf(err, errlen, "QMP socket %s: %s", path, strerror(errno));
		if (mon->listen_fd >= 0)
			close(mon->listen_fd);
		return -1;
	}
	mon->in = malloc(QMP_MAX_INPUT);
	if (!mon->in) {
		close(mon->listen_fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	q->nr_mon++;
	return 0;
}

static void drop_pending(struct qmp_monitor *mon)
{
	for (unsigned int i = 0; i < mon->nr_pending; i++)
		close(mon->pending_fds[i]);
	mon->nr_pending = 0;
}

static void disconnect(struct qmp_monitor *mon)
{
	if (mon->client_fd >= 0)
		close(mon->client_fd);
	mon->client_fd = -1;
	mon->negotiated = false;
	mon->in_len = 0;
	drop_pending(mon);
}

static void send_json(struct qmp_monitor *mon, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	char e[128];

	json_decref(msg);
	if (!text || mon->client_fd < 0) {
		free(text);
		return;
	}
	/* A client that does not read its replies is dropped, never waited for forever. */
	if (stream_write_fd(mon->client_fd, (const uint8_t *)text, strlen(text), e, sizeof(e)) ||
	    stream_write_fd(mon->client_fd, (const uint8_t *)"\r\n", 2, e, sizeof(e))) {
		log_warn("qmp", "%s: dropping the client: %s", mon->path, e);
		disconnect(mon);
	}
	free(text);
}

static void reply_ok(struct qmp_monitor *mon, json_t *id, json_t *ret)
{
	json_t *msg = json_pack("{s:o}", "return", ret ? ret : json_object());

	if (id)
		json_object_set(msg, "id", id);
	send_json(mon, msg);
}

static void reply_error(struct qmp_monitor *mon, json_t *id, const char *cls, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reply_error(struct qmp_monitor *mon, json_t *id, const char *cls, const char *fmt, ...)
{
	char desc[600];
	va_list ap;
	json_t *msg;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	msg = json_pack("{s:{s:s,s:s}}", "error", "class", cls, "desc", desc);
	if (id)
		json_object_set(msg, "id", id);
	send_json(mon, msg);
}

void qmp_event(struct qmp_server *q, const char *name, const char *data_json)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned int i = 0; i < q->nr_mon; i++) {
		struct qmp_monitor *mon = &q->mon[i];
		json_t *msg;

		if (mon->client_fd < 0 || !mon->negotiated)
			continue;
		msg = json_pack("{s:s,s:{s:I,s:I}}", "event", name, "timestamp", "seconds",
				(json_int_t)ts.tv_sec, "microseconds", (json_int_t)(ts.tv_nsec / 1000));
		if (data_json)
			json_object_set_new(msg, "data", json_loads(data_json, 0, NULL));
		send_json(mon, msg);
	}
}

static void greet(struct qmp_monitor *mon)
{
	/*
	 * libxl reads the QEMU version from the greeting to decide which
	 * commands to use; hvmdm answers the QEMU 7.2 subset it implements.
	 */
	send_json(mon, json_pack("{s:{s:{s:{s:i,s:i,s:i},s:s},s:[]}}", "QMP", "version", "qemu",
				 "major", 7, "minor", 2, "micro", 0, "package",
				 "hvmdm " HVMDM_VERSION, "capabilities"));
}

/* ---- descriptors ---- */

static int take_pending(struct qmp_monitor *mon)
{
	int fd;

	if (!mon->nr_pending)
		return -1;
	fd = mon->pending_fds[0];
	memmove(mon->pending_fds, mon->pending_fds + 1, --mon->nr_pending * sizeof(int));
	return fd;
}

static int store_fd(struct qmp_server *q, const char *name, int fdset, int fd)
{
	for (unsigned int i = 0; i < QMP_MAX_FDS; i++) {
		if (q->fds[i].fd >= 0 && name[0] && !strcmp(q->fds[i].name, name)) {
			close(q->fds[i].fd); /* getfd replaces a name */
			q->fds[i].fd = fd;
			return 0;
		}
	}
	for (unsigned int i = 0; i < QMP_MAX_FDS; i++) {
		if (q->fds[i].fd < 0) {
			snprintf(q->fds[i].name, sizeof(q->fds[i].name), "%s", name);
			q->fds[i].fdset = fdset;
			q->fds[i].fd = fd;
			return 0;
		}
	}
	return -1;
}

/* "fd:NAME" (getfd) or "/dev/fdset/N" (add-fd): the descriptor, or -1. */
static int lookup_fd(struct qmp_server *q, const char *name, int fdset)
{
	for (unsigned int i = 0; i < QMP_MAX_FDS; i++)
		if (q->fds[i].fd >= 0 &&
		    (name ? !strcmp(q->fds[i].name, name) : q->fds[i].fdset == fdset && !q->fds[i].name[0]))
			return q->fds[i].fd;
	return -1;
}

static int parse_fdset(const char *path)
{
	char *end;
	long n;

	if (strncmp(path, "/dev/fdset/", 11))
		return -1;
	n = strtol(path + 11, &end, 10);
	return (*end || end == path + 11 || n < 0 || n > 1000000) ? -1 : (int)n;
}

/* ---- commands ---- */

static const char *run_status(const struct qmp_server *q)
{
	if (q->ops->suspended && q->ops->suspended(q->target))
		return "suspended";
	if (!q->ops->paused(q->target))
		return "running";
	if (!q->started)
		return "prelaunch";
	if (!strcmp(q->migrate_status, "completed"))
		return "postmigrate";
	return "paused";
}

static void cmd_stop(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	char err[256];
	bool was_running = !q->ops->paused(q->target);

	(void)args;
	if (q->ops->pause(q->target, err, sizeof(err))) {
		reply_error(mon, id, "GenericError", "%s", err);
		return;
	}
	/* QEMU's order (vm_stop emits it inside the command): the event, then the answer. */
	if (was_running)
		qmp_event(q, "STOP", NULL);
	reply_ok(mon, id, NULL);
}

static void cmd_cont(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	char err[256];
	bool was_paused = q->ops->paused(q->target);

	(void)args;
	if (q->ops->resume(q->target, err, sizeof(err))) {
		reply_error(mon, id, "GenericError", "%s", err);
		return;
	}
	q->started = true;
	q->migrate_status = "none";
	/* As vm_prepare_start: RESUME before the answer; none if it was running already. */
	if (was_paused)
		qmp_event(q, "RESUME", NULL);
	reply_ok(mon, id, NULL);
}

/* Save the whole VM (pausing it first; it stays paused, as QEMU's source does). */
static void cmd_migrate(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	const char *uri = json_string_value(json_object_get(args, "uri"));
	char err[512];
	int rc, fd = -1;

	if (!uri) {
		reply_error(mon, id, "GenericError", "migrate: parameter 'uri' is missing");
		return;
	}
	if (!q->ops->save_vm_fd) {
		reply_error(mon, id, "GenericError",
			    "migrate: the hypervisor saves this guest's RAM and vCPUs; use xen-save-devices-state");
		return;
	}
	if (strncmp(uri, "file:", 5) && strncmp(uri, "fd:", 3)) {
		reply_error(mon, id, "GenericError",
			    "migrate: hvmdm saves to file:PATH or fd:NAME, not '%s'", uri);
		return;
	}
	if (!strncmp(uri, "fd:", 3)) {
		fd = lookup_fd(q, uri + 3, -1);
		if (fd < 0) {
			reply_error(mon, id, "GenericError", "migrate: no descriptor named '%s' (getfd first)",
				    uri + 3);
			return;
		}
	} else if (parse_fdset(uri + 5) >= 0) {
		fd = lookup_fd(q, NULL, parse_fdset(uri + 5));
		if (fd < 0) {
			reply_error(mon, id, "GenericError", "migrate: no fdset %s", uri + 5);
			return;
		}
	}
	if (!q->ops->paused(q->target)) {
		q->ops->pause(q->target, err, sizeof(err));
		qmp_event(q, "STOP", NULL);
	}
	qmp_event(q, "MIGRATION", "{\"status\":\"active\"}");
	rc = fd >= 0 ? q->ops->save_vm_fd(q->target, fd, &q->migrate_stats, err, sizeof(err))
		     : q->ops->save_vm_file(q->target, uri + 5, &q->migrate_stats, err, sizeof(err));
	if (rc) {
		q->migrate_status = "failed";
		snprintf(q->migrate_error, sizeof(q->migrate_error), "%s", err);
		log_error("qmp", "migrate to %s failed: %s", uri, err);
		qmp_event(q, "MIGRATION", "{\"status\":\"failed\"}");
		reply_error(mon, id, "GenericError", "migrate: %s", err);
		return;
	}
	q->migrate_status = "completed";
	q->migrate_error[0] = '\0';
	log_info("qmp", "saved the VM to %s: %llu bytes in %.3f s", uri,
		 (unsigned long long)q->migrate_stats.bytes, q->migrate_stats.seconds);
	qmp_event(q, "MIGRATION", "{\"status\":\"completed\"}");
	reply_ok(mon, id, NULL);
}

static void cmd_query_migrate(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			      json_t *args)
{
	json_t *ret = json_pack("{s:s}", "status", q->migrate_status);

	(void)args;
	if (!strcmp(q->migrate_status, "completed"))
		json_object_set_new(ret, "ram",
				    json_pack("{s:I,s:I}", "total", (json_int_t)q->migrate_stats.ram_bytes,
					      "transferred", (json_int_t)q->migrate_stats.bytes));
	if (!strcmp(q->migrate_status, "completed"))
		json_object_set_new(ret, "total-time",
				    json_integer((json_int_t)(q->migrate_stats.seconds * 1000)));
	if (!strcmp(q->migrate_status, "failed"))
		json_object_set_new(ret, "error-desc", json_string(q->migrate_error));
	reply_ok(mon, id, ret);
}

/* Device state only, as libxl asks qemu-xen on Xen (the VM must be stopped). */
/* The machine's state as upstream QEMU's stream (-save-format qemu); what QEMU does not keep goes to the log. */
static int save_upstream(const struct machine *m, struct wbuf *w, char *err, size_t errlen)
{
	struct machine_state *st = malloc(sizeof(*st)); /* tens of KiB: not on the stack */
	struct load_report rep;
	int rc;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	machine_save_state(m, st);
	rc = upstream_write(m, st, w, &rep, err, errlen) ? -1 : 0;
	for (unsigned int i = 0; !rc && i < rep.nr_notes; i++)
		log_info("qmp", "saved for upstream QEMU; not kept by its layout: %s", rep.notes[i]);
	if (!rc)
		log_info("qmp", "xen-save-devices-state: upstream QEMU's stream (-save-format qemu), %zu bytes", w->len);
	free(st);
	return rc;
}

/*
 * hvmdm-set-save-format {"format": "qemu"|"hvmdm"}: -save-format for a
 * running guest, so one started without it can still go live to the stock
 * device model; refused for a machine QEMU's stream cannot hold.
 */
static void cmd_set_save_format(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	const char *format = json_string_value(json_object_get(args, "format"));
	char err[512];

	if (!format || (strcmp(format, "qemu") && strcmp(format, "hvmdm"))) {
		reply_error(mon, id, "GenericError", "hvmdm-set-save-format: 'format' is qemu or hvmdm");
		return;
	}
	if (!strcmp(format, "qemu") && q->ops->machine(q->target) &&
	    upstream_writable(q->ops->machine(q->target), err, sizeof(err))) {
		reply_error(mon, id, "GenericError", "hvmdm-set-save-format: %s", err);
		return;
	}
	q->save_upstream = !strcmp(format, "qemu");
	log_info("qmp", "xen-save-devices-state will write %s", q->save_upstream ? "upstream QEMU's stream" : "hvmdm's stream");
	reply_ok(mon, id, NULL);
}

static void cmd_xen_save_devices_state(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
				       json_t *args)
{
	const char *file = json_string_value(json_object_get(args, "filename"));
	struct wbuf w;
	char err[512];
	int rc, fdset;

	if (!file) {
		reply_error(mon, id, "GenericError", "xen-save-devices-state: parameter 'filename' is missing");
		return;
	}
	if (!q->ops->paused(q->target)) {
		reply_error(mon, id, "GenericError", "xen-save-devices-state: the VM is running; stop it first");
		return;
	}
	if (!q->ops->machine(q->target)) {
		reply_error(mon, id, "GenericError", "xen-save-devices-state: there is no machine (-machine none)");
		return;
	}
	wbuf_init(&w, STREAM_MAX_SIZE);
	/* What the guest wrote to its disks is durable before the state that says so. */
	rc = piix_ide_flush(&q->ops->machine(q->target)->ide);
	if (rc)
		snprintf(err, sizeof(err), "a disk image could not be flushed");
	if (!rc && !q->save_upstream)
		rc = snapshot_save(q->ops->machine(q->target), &w, err, sizeof(err));
	if (!rc && q->save_upstream)
		rc = save_upstream(q->ops->machine(q->target), &w, err, sizeof(err));
	fdset = parse_fdset(file);
	if (!rc && fdset >= 0) {
		int fd = lookup_fd(q, NULL, fdset);

		if (fd < 0) {
			snprintf(err, sizeof(err), "no fdset %d", fdset);
			rc = -1;
		} else {
			rc = stream_write_fd(fd, w.data, w.len, err, sizeof(err));
		}
	} else if (!rc) {
		rc = stream_write_file(file, w.data, w.len, err, sizeof(err));
	}
	wbuf_free(&w);
	if (rc) {
		/* libxl shows the reply only in xl's output: keep it in the device model's log too. */
		log_error("qmp", "xen-save-devices-state: %s", err);
		reply_error(mon, id, "GenericError", "xen-save-devices-state: %s", err);
	} else {
		reply_ok(mon, id, NULL);
	}
}

/* All of fd, at most STREAM_MAX_SIZE bytes: the buffer (free it), or NULL with err. */
static uint8_t *read_stream_fd(int fd, size_t *len, char *err, size_t errlen)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (n == cap) {
			uint8_t *bigger;

			if (cap > STREAM_MAX_SIZE) {
				snprintf(err, errlen, "more than %u bytes: not a device state stream", STREAM_MAX_SIZE);
				free(buf);
				return NULL;
			}
			bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/*
 * xen-load-devices-state (libxl's COLO path; QEMU's qmp_xen_load_devices_state):
 * device state into a stopped machine, from a file or /dev/fdset/N. The
 * load is transactional: a stream with a bad record changes nothing.
 */
static void cmd_xen_load_devices_state(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
				       json_t *args)
{
	const char *file = json_string_value(json_object_get(args, "filename"));
	struct machine *m = q->ops->machine(q->target);
	struct load_report rep;
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[512];
	int fd, fdset, rc;

	if (!file) {
		reply_error(mon, id, "GenericError", "xen-load-devices-state: parameter 'filename' is missing");
		return;
	}
	if (!m) {
		reply_error(mon, id, "GenericError", "xen-load-devices-state: there is no machine (-machine none)");
		return;
	}
	if (!q->ops->paused(q->target)) {
		reply_error(mon, id, "GenericError", "xen-load-devices-state: Cannot update device state while vm is running");
		return;
	}
	fdset = parse_fdset(file);
	if (fdset >= 0) {
		fd = lookup_fd(q, NULL, fdset);
		if (fd < 0) {
			reply_error(mon, id, "GenericError", "xen-load-devices-state: no fdset %d", fdset);
			return;
		}
		buf = read_stream_fd(fd, &len, err, sizeof(err));
	} else {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			reply_error(mon, id, "GenericError", "xen-load-devices-state: %s: %s", file, strerror(errno));
			return;
		}
		buf = read_stream_fd(fd, &len, err, sizeof(err));
		close(fd);
	}
	if (!buf) {
		reply_error(mon, id, "GenericError", "xen-load-devices-state: %s: %s", file, err);
		return;
	}
	if (q->ops->lock_devices)
		q->ops->lock_devices(q->target, true);
	rc = snapshot_load(m, buf, len, &rep, err, sizeof(err));
	if (q->ops->lock_devices)
		q->ops->lock_devices(q->target, false);
	free(buf);
	if (rc) {
		reply_error(mon, id, "GenericError", "xen-load-devices-state: %s: %s", file, err);
		return;
	}
	for (unsigned int i = 0; i < rep.nr_notes; i++)
		log_warn("state", "%s", rep.notes[i]);
	log_info("qmp", "xen-load-devices-state: %zu bytes, %u records from %s", len, rep.records, file);
	reply_ok(mon, id, NULL);
}

/*
 * query-pci, in QEMU's shape (qapi/pci.json PciInfo): bus 0 and its
 * functions with identity, class, interrupt and BARs (address -1 while
 * unmapped, as QEMU reports PCI_BAR_UNMAPPED).
 */
static json_t *query_pci(const struct machine *m)
{
	json_t *devices = json_array();

	for (unsigned int devfn = 0; devfn < 256; devfn++) {
		struct pci_function_info f;
		json_t *regions, *dev;

		if (!pci_function_info(&m->pci, devfn, &f))
			continue;
		regions = json_array();
		for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
			json_int_t addr = f.bar[i].addr == PCI_BAR_UNMAPPED ? -1 : (json_int_t)f.bar[i].addr;

			if (!f.bar[i].size)
				continue;
			json_array_append_new(regions, json_pack("{s:i, s:s, s:I, s:I, s:b}", "bar", i,
								 "type", f.bar[i].type == PCI_BAR_IO ? "io" : "memory",
								 "address", addr, "size", (json_int_t)f.bar[i].size,
								 "prefetch", f.bar[i].prefetch));
		}
		dev = json_pack("{s:i, s:i, s:i, s:{s:i}, s:{s:i, s:i, s:i, s:i}, s:s, s:o}",
				"bus", 0, "slot", devfn >> 3, "function", devfn & 7,
				"class_info", "class", f.device_class,
				"id", "vendor", f.vendor, "device", f.device,
				"subsystem-vendor", f.subsys_vendor, "subsystem", f.subsys,
				"qdev_id", "", "regions", regions);
		if (f.irq_pin) {
			json_object_set_new(dev, "irq", json_integer(f.irq_line));
			json_object_set_new(dev, "irq_pin", json_integer(f.irq_pin));
		}
		json_array_append_new(devices, dev);
	}
	return json_pack("[{s:i, s:o}]", "bus", 0, "devices", devices);
}

/* QEMU's name for IDE position i: ide<bus>-hd<unit> or ide<bus>-cd<unit>. */
static void ide_legacy_name(unsigned int i, enum ide_kind kind, char *buf, size_t len)
{
	snprintf(buf, len, "ide%u-%s%u", i / 2, kind == IDE_KIND_CD ? "cd" : "hd", i % 2);
}

/* A drive by QMP name: its -device/-drive id, or QEMU's legacy name. */
static int qmp_ide_drive(const struct machine *m, json_t *args, const char **name)
{
	const char *id = json_string_value(json_object_get(args, "id"));

	if (!id)
		id = json_string_value(json_object_get(args, "device"));
	*name = id ? id : "";
	if (!id)
		return -1;
	for (unsigned int i = 0; i < IDE_DRIVES; i++) {
		struct ide_drive_info d;
		char legacy[16];

		piix_ide_drive_info(&m->ide, i, &d);
		if (d.kind == IDE_KIND_NONE)
			continue;
		ide_legacy_name(i, d.kind, legacy, sizeof(legacy));
		if (!strcmp(id, legacy) || (m->cfg.ide[i].id && !strcmp(id, m->cfg.ide[i].id)))
			return (int)i;
	}
	return -1;
}

/* eject {id|device, force}, blockdev-change-medium {id|device, filename, format}. */
static void cmd_medium(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args,
		       bool insert)
{
	const char *what = insert ? "blockdev-change-medium" : "eject";
	struct machine *m = q->ops->machine(q->target);
	const char *name, *file = NULL, *format;
	int drive, fd = -1, rc;
	bool force = json_is_true(json_object_get(args, "force"));
	char err[512];

	if (!m) {
		reply_error(mon, id, "GenericError", "%s: there is no machine (-machine none)", what);
		return;
	}
	drive = qmp_ide_drive(m, args, &name);
	if (drive < 0) {
		reply_error(mon, id, "DeviceNotFound", "%s: no drive named '%s'", what, name);
		return;
	}
	if (insert) {
		file = json_string_value(json_object_get(args, "filename"));
		format = json_string_value(json_object_get(args, "format"));
		if (!file) {
			reply_error(mon, id, "GenericError", "%s: parameter 'filename' is missing", what);
			return;
		}
		if (format && strcmp(format, "raw")) {
			reply_error(mon, id, "GenericError", "%s: only format raw", what);
			return;
		}
		if (parse_fdset(file) >= 0) {
			fd = lookup_fd(q, NULL, parse_fdset(file));
			if (fd < 0) {
				reply_error(mon, id, "GenericError", "%s: no fdset %d", what, parse_fdset(file));
				return;
			}
		}
		force = true; /* QEMU's change-medium opens a locked tray too */
	}
	if (q->ops->lock_devices)
		q->ops->lock_devices(q->target, true);
	rc = piix_ide_change_medium(&m->ide, (unsigned int)drive, file, fd, force, err, sizeof(err));
	if (q->ops->lock_devices)
		q->ops->lock_devices(q->target, false);
	if (rc)
		reply_error(mon, id, "GenericError", "%s: %s", what, err);
	else
		reply_ok(mon, id, NULL);
}

static json_t *query_block(struct qmp_server *q)
{
	const struct machine *m = q->ops->machine(q->target);
	json_t *list = json_array();

	for (unsigned int i = 0; m && i < IDE_DRIVES; i++) {
		struct ide_drive_info d;
		char legacy[16];
		json_t *e;

		piix_ide_drive_info(&m->ide, i, &d);
		if (d.kind == IDE_KIND_NONE)
			continue;
		ide_legacy_name(i, d.kind, legacy, sizeof(legacy));
		e = json_pack("{s:s, s:s, s:b, s:b}", "device", legacy, "qdev",
			      m->cfg.ide[i].id ? m->cfg.ide[i].id : legacy, "removable",
			      d.kind == IDE_KIND_CD, "locked", d.locked);
		if (d.kind == IDE_KIND_CD)
			json_object_set_new(e, "tray_open", json_boolean(d.tray_open));
		if (d.medium)
			json_object_set_new(e, "inserted", json_pack("{s:s, s:b, s:s}", "file", d.medium,
								     "ro", d.read_only, "drv", "raw"));
		json_array_append_new(list, e);
	}
	return list;
}

/* The monitors and the serial ports; libxl looks for serialN with "pty:PATH". */
static json_t *query_chardev(struct qmp_server *q)
{
	const struct machine *m = q->ops->machine(q->target);
	json_t *list = json_array();
	char buf[160];

	for (unsigned int i = 0; i < q->nr_mon; i++) {
		/* As QEMU's socket chardev: "disconnected:" while no client is attached. */
		snprintf(buf, sizeof(buf), "%sunix:%s,server=on", q->mon[i].client_fd < 0 ? "disconnected:" : "",
			 q->mon[i].path);
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "label", q->mon[i].label,
						      "filename", buf, "frontend-open", 1));
	}
	for (unsigned int i = 0; m && i < m->nr_uarts; i++) {
		char label[24];

		snprintf(label, sizeof(label), "serial%u", i);
		chardev_filename(&m->serial_backend[i], buf, sizeof(buf));
		json_array_append_new(list, json_pack("{s:s,s:s,s:b}", "label", label, "filename", buf,
						      "frontend-open", 1));
	}
	return list;
}

/* ---- the command table ---- */

/* A handler answers the command itself: reply_ok or reply_error. */
typedef void qmp_command_fn(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			    json_t *args);

static void cmd_qmp_capabilities(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
				 json_t *args)
{
	(void)q;
	(void)args;
	if (mon->negotiated)
		reply_error(mon, id, "CommandNotFound", "Capabilities negotiation is already complete, command ignored");
	else
		reply_ok(mon, id, NULL);
	mon->negotiated = true;
}

static void cmd_query_version(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			      json_t *args)
{
	(void)q;
	(void)args;
	reply_ok(mon, id, json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "major", 7, "minor", 2,
				    "micro", 0, "package", "hvmdm " HVMDM_VERSION));
}

static void cmd_query_status(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			     json_t *args)
{
	(void)args;
	reply_ok(mon, id, json_pack("{s:b,s:b,s:s}", "running", !q->ops->paused(q->target), "singlestep", 0,
				    "status", run_status(q)));
}

/* The vCPUs online now: the ACPI CPU map the PIIX4 function keeps (libxl reads cpu-index). */
static void cmd_query_cpus_fast(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
				json_t *args)
{
	const struct machine *m = q->ops->machine(q->target);
	json_t *list = json_array();

	(void)args;
	for (unsigned int i = 0; m && i < CPU_MAP_LEN * 8; i++) {
		char qom[48];

		if (!piix4_pm_cpu_online(&m->pm, i))
			continue;
		/* QEMU's members; the QOM path in its form (a vCPU has no thread of ours under Xen). */
		snprintf(qom, sizeof(qom), "/machine/unattached/device[%u]", i);
		json_array_append_new(list, json_pack("{s:i,s:s,s:s,s:i,s:{s:i,s:i,s:i}}",
						      "cpu-index", (int)i, "qom-path", qom, "target", "x86_64",
						      "thread-id", 0, "props", "socket-id", (int)i, "core-id", 0,
						      "thread-id", 0));
	}
	reply_ok(mon, id, list);
}

static void cmd_system_wakeup(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			      json_t *args)
{
	char e[128];

	(void)args;
	if (!q->ops->wakeup)
		reply_error(mon, id, "GenericError", "system_wakeup: not supported on this accelerator");
	else if (q->ops->wakeup(q->target, e, sizeof(e)))
		reply_error(mon, id, "GenericError", "system_wakeup: %s", e);
	else
		reply_ok(mon, id, NULL);
}

static void cmd_query_block(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			    json_t *args)
{
	(void)args;
	reply_ok(mon, id, query_block(q));
}

static void cmd_eject(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	cmd_medium(q, mon, id, args, false);
}

static void cmd_change_medium(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			      json_t *args)
{
	cmd_medium(q, mon, id, args, true);
}

static void cmd_query_chardev(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			      json_t *args)
{
	(void)args;
	reply_ok(mon, id, query_chardev(q));
}

static void cmd_query_pci(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	const struct machine *m = q->ops->machine(q->target);

	(void)args;
	reply_ok(mon, id, m ? query_pci(m) : json_array());
}

/* The machine's console, if it has a display. */
static struct console *qmp_console(struct qmp_server *q)
{
	struct machine *m = q->ops->machine(q->target);

	return m && m->has_console ? &m->console : NULL;
}

/*
 * As QEMU 7.2 answers (VncInfo): libxl writes console/vnc-listen and
 * console/vnc-port from "host" and "service", both strings. Without a VNC
 * server (-vnc none, no display): enabled false, nothing else.
 */
static void cmd_query_vnc(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	struct console *c = qmp_console(q);
	char host[64], service[16];
	unsigned int port;

	(void)args;
	if (!c || !c->vnc) {
		reply_ok(mon, id, json_pack("{s:b}", "enabled", 0));
		return;
	}
	vnc_address(c->vnc, host, sizeof(host), &port);
	snprintf(service, sizeof(service), "%u", port);
	reply_ok(mon, id, json_pack("{s:b, s:s, s:s, s:s, s:s}", "enabled", 1, "host", host, "service",
				    service, "family", "ipv4", "auth",
				    q->ops->machine(q->target)->cfg.vnc_cfg.password ? "vnc" : "none"));
}

/* libxl sends it after start-up when the xl config has vncpasswd= (-vnc ...,password=on). */
static void cmd_change_vnc_password(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
				    json_t *args)
{
	struct console *c = qmp_console(q);
	const char *pw = json_string_value(json_object_get(args, "password"));

	if (!pw) {
		reply_error(mon, id, "GenericError", "Parameter 'password' is missing");
		return;
	}
	if (!c || !c->vnc || vnc_set_password(c->vnc, pw)) {
		reply_error(mon, id, "GenericError", "Could not set password");
		return;
	}
	reply_ok(mon, id, NULL);
}

/* The display as it is now into file (format NULL: PPM); 0, or -1 with err. */
static int take_screendump(struct qmp_server *q, struct console *c, const char *file, const char *format,
			   char *err, size_t errlen)
{
	int rc;

	/* Rendering reads the card's registers and VRAM: hold the devices still. */
	if (q->ops->lock_devices)
		q->ops->lock_devices(q->target, true);
	rc = console_screendump(c, file, format, err, errlen);
	if (q->ops->lock_devices)
		q->ops->lock_devices(q->target, false);
	return rc;
}

/*
 * human-monitor-command (xl qemu-monitor-command): the few monitor commands
 * an administrator types at a device model -- screendump FILE [-f png],
 * info status, info version, info vnc -- answered as QEMU's monitor words
 * them; anything else says it is not there.
 */
static void cmd_human_monitor(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	const char *line = json_string_value(json_object_get(args, "command-line"));
	struct console *c = qmp_console(q);
	char buf[512], out[512], err[256], *save = NULL, *word, *arg;

	if (!line) {
		reply_error(mon, id, "GenericError", "Parameter 'command-line' is missing");
		return;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	word = strtok_r(buf, " \t", &save);
	arg = word ? strtok_r(NULL, " \t", &save) : NULL;
	out[0] = '\0';
	if (word && !strcmp(word, "screendump") && arg) {
		const char *format = NULL, *more = strtok_r(NULL, " \t", &save);

		if (more && !strcmp(more, "-f"))
			format = strtok_r(NULL, " \t", &save);
		if (!c)
			snprintf(out, sizeof(out), "There is no console to take a screendump from.\r\n");
		else if (take_screendump(q, c, arg, format, err, sizeof(err)))
			snprintf(out, sizeof(out), "%s\r\n", err);
	} else if (word && !strcmp(word, "info") && arg && !strcmp(arg, "status")) {
		snprintf(out, sizeof(out), "VM status: %s\r\n", run_status(q));
	} else if (word && !strcmp(word, "info") && arg && !strcmp(arg, "version")) {
		snprintf(out, sizeof(out), "7.2.0 (hvmdm %s)\r\n", HVMDM_VERSION);
	} else if (word && !strcmp(word, "info") && arg && !strcmp(arg, "vnc")) {
		if (c && c->vnc) {
			char host[64];
			unsigned int port;

			vnc_address(c->vnc, host, sizeof(host), &port);
			snprintf(out, sizeof(out), "Server: %s:%u (ipv4)\r\n  Auth: %s\r\n  Clients: %u\r\n", host, port,
				 q->ops->machine(q->target)->cfg.vnc_cfg.password ? "vnc" : "none",
				 vnc_clients(c->vnc));
		} else {
			snprintf(out, sizeof(out), "Server: none\r\n");
		}
	} else {
		snprintf(out, sizeof(out), "unknown command: '%s' (hvmdm's monitor has screendump, info status, info version, info vnc)\r\n",
			 word ? word : "");
	}
	reply_ok(mon, id, json_string(out));
}

/* screendump {"filename", "format": "ppm"|"png"}: the display as it is now. */
static void cmd_screendump(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	struct console *c = qmp_console(q);
	const char *file = json_string_value(json_object_get(args, "filename"));
	const char *format = json_string_value(json_object_get(args, "format"));
	char err[256];
	int rc;

	if (!file) {
		reply_error(mon, id, "GenericError", "Parameter 'filename' is missing");
		return;
	}
	if (!c) {
		reply_error(mon, id, "GenericError", "There is no console to take a screendump from.");
		return;
	}
	rc = take_screendump(q, c, file, format, err, sizeof(err));
	if (rc)
		reply_error(mon, id, "GenericError", "%s", err);
	else
		reply_ok(mon, id, NULL);
}

static void cmd_xen_set_global_dirty_log(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
					 json_t *args)
{
	json_t *enable = json_object_get(args, "enable");

	if (!json_is_boolean(enable)) {
		reply_error(mon, id, "GenericError", "xen-set-global-dirty-log: parameter 'enable' is missing or not a boolean");
		return;
	}
	if (q->ops->set_dirty_log)
		q->ops->set_dirty_log(q->target, json_is_true(enable));
	reply_ok(mon, id, NULL);
}

static void cmd_query_command_line_options(struct qmp_server *q, struct qmp_monitor *mon,
					   json_t *id, json_t *args)
{
	(void)q;
	(void)args;
	reply_ok(mon, id, json_array());
}

static void cmd_quit(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	(void)args;
	reply_ok(mon, id, NULL);
	qmp_event(q, "SHUTDOWN", "{\"guest\":false,\"reason\":\"host-qmp-quit\"}");
	q->ops->quit(q->target);
}

static void cmd_getfd(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	const char *name = json_string_value(json_object_get(args, "fdname"));
	int fd = take_pending(mon);

	if (!name || !name[0] || strlen(name) >= 64) {
		reply_error(mon, id, "GenericError", "getfd: parameter 'fdname' is missing or too long");
	} else if (fd < 0) {
		reply_error(mon, id, "GenericError", "getfd: no file descriptor supplied via SCM_RIGHTS");
	} else if (store_fd(q, name, -1, fd)) {
		reply_error(mon, id, "GenericError", "getfd: too many descriptors held");
	} else {
		fd = -1; /* kept under its name */
		reply_ok(mon, id, NULL);
	}
	if (fd >= 0)
		close(fd);
}

static void cmd_add_fd(struct qmp_server *q, struct qmp_monitor *mon, json_t *id, json_t *args)
{
	int fd = take_pending(mon), fdset = q->next_fdset;
	json_t *want = json_object_get(args, "fdset-id");

	if (json_is_integer(want) && json_integer_value(want) >= 0 &&
	    json_integer_value(want) < 1000000)
		fdset = (int)json_integer_value(want);
	if (fd < 0) {
		reply_error(mon, id, "GenericError", "add-fd: no file descriptor supplied via SCM_RIGHTS");
	} else if (store_fd(q, "", fdset, fd)) {
		close(fd);
		reply_error(mon, id, "GenericError", "add-fd: too many descriptors held");
	} else {
		if (fdset >= q->next_fdset)
			q->next_fdset = fdset + 1;
		reply_ok(mon, id, json_pack("{s:i,s:i}", "fdset-id", fdset, "fd", fd));
	}
}

static qmp_command_fn cmd_query_commands;

/* Every command hvmdm answers, in the order query-commands lists them. */
static const struct qmp_command {
	const char *name;
	qmp_command_fn *run;
	bool before_negotiation; /* allowed before qmp_capabilities */
} commands[] = {
	{ "qmp_capabilities", cmd_qmp_capabilities, true },
	{ "query-version", cmd_query_version, false },
	{ "query-commands", cmd_query_commands, false },
	{ "query-status", cmd_query_status, false },
	{ "query-command-line-options", cmd_query_command_line_options, false },
	{ "stop", cmd_stop, false },
	{ "cont", cmd_cont, false },
	{ "quit", cmd_quit, false },
	{ "getfd", cmd_getfd, false },
	{ "add-fd", cmd_add_fd, false },
	{ "migrate", cmd_migrate, false },
	{ "query-migrate", cmd_query_migrate, false },
	{ "xen-save-devices-state", cmd_xen_save_devices_state, false },
	{ "hvmdm-set-save-format", cmd_set_save_format, false },
	{ "query-chardev", cmd_query_chardev, false },
	{ "query-cpus-fast", cmd_query_cpus_fast, false },
	{ "xen-set-global-dirty-log", cmd_xen_set_global_dirty_log, false },
	{ "system_wakeup", cmd_system_wakeup, false },
	{ "query-block", cmd_query_block, false },
	{ "eject", cmd_eject, false },
	{ "blockdev-change-medium", cmd_change_medium, false },
	{ "xen-load-devices-state", cmd_xen_load_devices_state, false },
	{ "query-pci", cmd_query_pci, false },
	{ "query-vnc", cmd_query_vnc, false },
	{ "change-vnc-password", cmd_change_vnc_password, false },
	{ "screendump", cmd_screendump, false },
	{ "human-monitor-command", cmd_human_monitor, false },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_query_commands(struct qmp_server *q, struct qmp_monitor *mon, json_t *id,
			       json_t *args)
{
	json_t *list = json_array();

	(void)q;
	(void)args;
	for (size_t i = 0; i < NR_COMMANDS; i++)
		json_array_append_new(list, json_pack("{s:s}", "name", commands[i].name));
	reply_ok(mon, id, list);
}

static const struct qmp_command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void dispatch(struct qmp_server *q, struct qmp_monitor *mon, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	const char *cmd = json_string_value(json_object_get(msg, "execute"));
	json_t *args = json_object_get(msg, "arguments");
	const struct qmp_command *c;

	if (!json_is_object(msg) || !cmd) {
		reply_error(mon, id, "GenericError", "QMP input must be an object with \"execute\"");
		goto out;
	}
	if (args && !json_is_object(args)) {
		reply_error(mon, id, "GenericError", "\"arguments\" must be an object");
		goto out;
	}
	c = find_command(cmd);
	if (!mon->negotiated && !(c && c->before_negotiation))
		reply_error(mon, id, "CommandNotFound",
			    "Expecting capabilities negotiation with 'qmp_capabilities'");
	else if (!c)
		reply_error(mon, id, "CommandNotFound", "The command %s has not been found", cmd);
	else
		c->run(q, mon, id, args);
out:
	drop_pending(mon); /* descriptors not taken by this command are not kept */
}

/* Parse every complete JSON value in the input buffer. */
static void process_input(struct qmp_server *q, struct qmp_monitor *mon)
{
	size_t pos = 0;

	while (mon->client_fd >= 0) {
		json_error_t jerr;
		json_t *msg;

		while (pos < mon->in_len && strchr(" \t\r\n", mon->in[pos]))
			pos++;
		if (pos == mon->in_len)
			break;
		msg = json_loadb((const char *)mon->in + pos, mon->in_len - pos,
				 JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
		if (!msg) {
			const uint8_t *nl;

			if (json_error_code(&jerr) == json_error_premature_end_of_input)
				break; /* wait for the rest */
			/* Garbage: answer once and resynchronise at the next line. */
			reply_error(mon, NULL, "GenericError", "JSON parse error: %s", jerr.text);
			nl = memchr(mon->in + pos, '\n', mon->in_len - pos);
			pos = nl ? (size_t)(nl - mon->in) + 1 : mon->in_len;
			continue;
		}
		pos += jerr.position;
		dispatch(q, mon, msg);
		json_decref(msg);
	}
	if (mon->client_fd >= 0) {
		memmove(mon->in, mon->in + pos, mon->in_len - pos);
		mon->in_len -= pos;
	}
}

static void read_client(struct qmp_server *q, struct qmp_monitor *mon)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n;

	if (mon->in_len == QMP_MAX_INPUT) {
		log_warn("qmp", "%s: a message larger than %u bytes: dropping the client", mon->path,
			 QMP_MAX_INPUT);
		disconnect(mon);
		return;
	}
	iov.iov_base = mon->in + mon->in_len;
	iov.iov_len = QMP_MAX_INPUT - mon->in_len;
	n = recvmsg(mon->client_fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c)) {
		size_t nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (mon->nr_pending < 4)
				mon->pending_fds[mon->nr_pending++] = fd;
			else
				close(fd);
		}
	}
	if (n <= 0) {
		disconnect(mon);
		return;
	}
	mon->in_len += (size_t)n;
	process_input(q, mon);
}

/*
 * A monitor's socket is ready. Found by descriptor, not by registration:
 * a client that left (disconnect() from anywhere) keeps its registration
 * until the next qmp_prepare, and its number may be a new client's by then.
 */
static void qmp_fd_ready(void *opaque, int fd, unsigned int revents)
{
	struct qmp_server *q = opaque;

	for (unsigned int i = 0; i < q->nr_mon; i++) {
		struct qmp_monitor *mon = &q->mon[i];
		int cfd;

		if (mon->client_fd == fd) {
			read_client(q, mon);
			return;
		}
		if (mon->listen_fd != fd || !(revents & POLLIN))
			continue;
		/*
		 * The current client first, as one poll used to order them: libxl's
		 * next connection often arrives with the hang-up of its last one.
		 */
		if (mon->client_fd >= 0)
			read_client(q, mon);
		cfd = accept4(mon->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd < 0)
			return;
		if (mon->client_fd >= 0) {
			close(cfd); /* one client per monitor, as QEMU */
			return;
		}
		mon->client_fd = cfd;
		greet(mon);
		return;
	}
}

/* Before each poll: a listening socket per monitor, and its client if one is connected. */
static void qmp_prepare(void *opaque)
{
	struct qmp_server *q = opaque;

	for (unsigned int i = 0; i < q->nr_mon; i++) {
		loop_watch(q->loop, &q->loop_listen[i], q->mon[i].listen_fd, LOOP_IN, qmp_fd_ready, q);
		loop_watch(q->loop, &q->loop_client[i], q->mon[i].client_fd, LOOP_IN, qmp_fd_ready, q);
	}
}

int qmp_attach_loop(struct qmp_server *q, struct loop *loop)
{
	int id;

	qmp_detach_loop(q);
	id = loop_add_prepare(loop, 0, qmp_prepare, q);
	if (id < 0)
		return id;
	q->loop = loop;
	q->loop_prepare = id;
	return 0;
}

void qmp_detach_loop(struct qmp_server *q)
{
	if (!q->loop)
		return;
	loop_del_prepare(q->loop, q->loop_prepare);
	for (unsigned int i = 0; i < QMP_MAX_MONITORS; i++) {
		loop_del_fd(q->loop, q->loop_listen[i]);
		loop_del_fd(q->loop, q->loop_client[i]);
		q->loop_listen[i] = q->loop_client[i] = 0;
	}
	q->loop_prepare = 0;
	q->loop = NULL;
}

void qmp_close(struct qmp_server *q)
{
	qmp_detach_loop(q);
	for (unsigned int i = 0; i < q->nr_mon; i++) {
		disconnect(&q->mon[i]);
		close(q->mon[i].listen_fd);
		if (!q->mon[i].inherited && !q->chrooted)
			unlink(q->mon[i].path);
		free(q->mon[i].in);
	}
	for (unsigned int i = 0; i < QMP_MAX_FDS; i++)
		if (q->fds[i].fd >= 0)
			close(q->fds[i].fd);
	q->nr_mon = 0;
}
