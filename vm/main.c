// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvmdm: a device model for x86 HVM guests.
 *
 * Today the chipset runs under the self-check (-selfcheck); the KVM and Xen
 * accelerators that run guests are the next steps (docs/ARCHITECTURE.md).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xentoolcore.h>

#include "hw/core/log.h"
#include "hw/core/machine.h"
#include "../state/snapshot.h"
#include "../state/upstream.h"
#include "../kvm/kvm.h"
#include "../xen/xen.h"
#include "../xen/sandbox.h"
#include "accel_none.h"
#include "hvmloader_replay.h"
#include "migration.h"
#include "qmp.h"
#include "options.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.3.0-dev"
#endif

static int checks_failed;

static void check(bool ok, const char *what)
{
	printf("  %s  %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		checks_failed++;
}

/* Save the chipset, restore it into a fresh machine, save again: same bytes. */
static bool save_restore_identity(const struct machine *m, const struct machine_config *cfg)
{
	struct accel_none accel;
	struct machine copy;
	struct load_report rep;
	struct wbuf a, b;
	char err[512];
	bool same = false;

	wbuf_init(&a, STREAM_MAX_SIZE);
	wbuf_init(&b, STREAM_MAX_SIZE);
	accel_none_init(&accel);
	if (snapshot_save(m, &a, err, sizeof(err)) == 0 &&
	    machine_create(&copy, cfg, &accel.accel, NULL, NULL, err, sizeof(err)) == 0) {
		clock_stop(&copy.clock);
		if (snapshot_load(&copy, a.data, a.len, &rep, err, sizeof(err)) == 0 &&
		    snapshot_save(&copy, &b, err, sizeof(err)) == 0)
			same = a.len == b.len && !memcmp(a.data, b.data, a.len);
		machine_destroy(&copy);
	}
	if (!same)
		printf("        %s\n", err);
	else
		printf("        %zu bytes of device state\n", a.len);
	wbuf_free(&a);
	wbuf_free(&b);
	return same;
}

/*
 * Assemble the machine with no hypervisor, replay hvmloader against it, and
 * check what a Xen guest's firmware relies on.
 */
static int selfcheck(const struct options *o)
{
	struct accel_none accel;
	struct machine m;
	struct replay_result r;
	char err[256];
	enum machine_profile p = o->machine.profile;

	accel_none_init(&accel);
	if (machine_create(&m, &o->machine, &accel.accel, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: %s\n", err);
		return 1;
	}
	printf("hvmdm %s self-check, machine %s, %u vCPU(s)\n", HVMDM_VERSION, profile_name(p),
	       o->machine.vcpus);
	printf("hvmloader replay:\n");
	if (hvmloader_replay(&m.io, &r, stdout, err, sizeof(err))) {
		printf("  FAIL  hvmloader would stop: %s\n", err);
		machine_destroy(&m);
		return 1;
	}
	printf("PCI functions:\n");
	for (unsigned int i = 0; i < r.nr_funcs; i++)
		printf("  00:%02x.%x %04x:%04x class %04x  %s\n", r.funcs[i].devfn >> 3,
		       r.funcs[i].devfn & 7, r.funcs[i].vendor, r.funcs[i].device, r.funcs[i].class,
		       m.pci.devices[r.funcs[i].devfn]->name);
	printf("checks:\n");
	check(accel.link_route[0] == 5 && accel.link_route[1] == 10 &&
	      accel.link_route[2] == 11 && accel.link_route[3] == 5,
	      "PIRQ routes 5/10/11/5 reached the accelerator");
	check(r.pm1a_cnt & PM1_CNT_SCI_EN, "SCI_EN reads 1 at PM1a_CNT 0xb004");
	if (m.has_platform) {
		uint8_t slot = PCI_SLOT(m.platform.pci.devfn);

		check(io_space_read(&m.io, XEN_PLATFORM_PORT, 2) == XEN_PLATFORM_MAGIC,
		      "Xen platform magic 0x49d2 at port 0x10");
		check(slot == (profile_is_trad(p) ? 3 : 2), "Xen platform device in its slot");
		check(m.platform.pci.bars[0].addr != PCI_BAR_UNMAPPED &&
		      io_space_read(&m.io, m.platform.pci.bars[0].addr, 1) == 0,
		      "platform BAR0 decodes where hvmloader put it");
	}
	io_space_write(&m.io, 0xafe2, 1, 0x04);
	piix4_pm_set_cpu_online(&m.pm, o->machine.vcpus, true);
	check(accel.isa_irq[PIIX4_PM_SCI_IRQ], "CPU hot-plug raises SCI on ISA IRQ 9");
	io_space_write(&m.io, 0xafe0, 1, 0x04);
	check(!accel.isa_irq[PIIX4_PM_SCI_IRQ], "clearing GPE0 status lowers SCI");
	io_space_write(&m.io, PM_BASE_V1 + 4, 2, PM1_CNT_SCI_EN | PM1_CNT_SLP_EN);
	check(accel.requests == 1 && accel.last_request == ACCEL_REQ_POWEROFF,
	      "S5 through PM1a_CNT asks to power off");
	clock_stop(&m.clock);
	check(save_restore_identity(&m, &o->machine), "device state saves, restores and saves again byte for byte");
	machine_destroy(&m);
	printf("%s\n", checks_failed ? "self-check FAILED" : "self-check passed");
	return checks_failed ? 1 : 0;
}

static void on_quit_signal(int sig)
{
	(void)sig;
	kvm_request_quit();
	xen_dm_request_quit();
}

static void install_quit_signals(void)
{
	struct sigaction sa = { .sa_handler = on_quit_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* xl destroy */
	/* A QMP client that goes away mid-reply must not kill us. */
	signal(SIGPIPE, SIG_IGN);
}

static bool kvm_paused(void *t)
{
	return ((struct kvm_vm *)t)->paused;
}

static int kvm_pause(void *t, char *err, size_t errlen)
{
	return kvm_vm_pause(t, err, errlen);
}

static int kvm_resume(void *t, char *err, size_t errlen)
{
	return kvm_vm_resume(t, err, errlen);
}

static int kvm_save_fd(void *t, int fd, struct migration_stats *st, char *err, size_t errlen)
{
	return migration_save_fd(t, fd, st, err, errlen);
}

static int kvm_save_file(void *t, const char *path, struct migration_stats *st, char *err,
			 size_t errlen)
{
	return migration_save_file(t, path, st, err, errlen);
}

static struct machine *kvm_machine(void *t)
{
	return ((struct kvm_vm *)t)->m;
}

static int kvm_wakeup(void *t, char *err, size_t errlen);
static bool kvm_suspended(void *t);

static void kvm_quit(void *t)
{
	(void)t;
	kvm_request_quit();
}

static void kvm_lock_devices(void *t, bool lock)
{
	struct kvm_vm *vm = t;

	if (lock)
		pthread_mutex_lock(&vm->lock);
	else
		pthread_mutex_unlock(&vm->lock);
}

static const struct qmp_target kvm_target = {
	.lock_devices = kvm_lock_devices,
	.paused = kvm_paused,
	.pause = kvm_pause,
	.resume = kvm_resume,
	.save_vm_fd = kvm_save_fd,
	.save_vm_file = kvm_save_file,
	.machine = kvm_machine,
	.wakeup = kvm_wakeup,
	.suspended = kvm_suspended,
	.quit = kvm_quit,
};

/* S3 wake source: an RTC alarm while PM1_EN.RTC_EN is set. */
static bool rtc_wakes(void *opaque)
{
	struct machine *m = opaque;

	return m->has_rtc && piix4_pm_rtc_wake_enabled(&m->pm) && mc146818_alarm_fired(&m->rtc);
}

static int kvm_wakeup(void *t, char *err, size_t errlen)
{
	struct kvm_vm *vm = t;

	if (!vm->suspended) {
		snprintf(err, errlen, "the guest is not suspended");
		return -1;
	}
	vm->wakeup_requested = true;
	return 0;
}

static bool kvm_suspended(void *t)
{
	return ((struct kvm_vm *)t)->suspended;
}

/* Boot the machine on KVM (or restore it) until the guest powers off or QMP quits. */
static int run_kvm(const struct options *o)
{
	struct kvm_vm vm;
	struct machine m;
	struct qmp_server qmp;
	char err[1024];
	int rc;

	if (kvm_vm_create(&vm, o->machine.ram_mib << 20, o->machine.vcpus, o->bios, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: %s\n", err);
		return 1;
	}
	if (machine_create(&m, &o->machine, &vm.accel, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: %s\n", err);
		kvm_vm_destroy(&vm);
		return 2;
	}
	qmp_init(&qmp, &kvm_target, &vm);
	rc = kvm_vm_attach(&vm, &m, err, sizeof(err));
	for (unsigned int i = 0; !rc && i < o->nr_qmp; i++)
		rc = qmp_add_monitor(&qmp, o->qmp_path[i], o->qmp_label[i], err, sizeof(err));
	if (!rc && o->incoming) {
		struct migration_stats st;

		rc = migration_incoming(&vm, o->incoming, &st, err, sizeof(err));
		if (!rc) {
			log_info("main", "restored the VM from %s: %llu bytes in %.3f s", o->incoming,
				 (unsigned long long)st.bytes, st.seconds);
			qmp.started = true; /* a restored guest has run: paused, not prelaunch */
		}
	}
	if (rc) {
		fprintf(stderr, "hvmdm: %s\n", err);
		qmp_close(&qmp);
		machine_destroy(&m);
		kvm_vm_destroy(&vm);
		return 2;
	}
	/* Served by the control thread's loop, outside the device lock (hw/core/loop.h). */
	if (qmp.nr_mon && qmp_attach_loop(&qmp, &m.loop)) {
		fprintf(stderr, "hvmdm: QMP: out of memory\n");
		qmp_close(&qmp);
		machine_destroy(&m);
		kvm_vm_destroy(&vm);
		return 2;
	}
	vm.start_paused = o->start_paused;
	if (!o->start_paused)
		qmp.started = true;
	install_quit_signals();
	for (;;) {
		rc = kvm_vm_run(&vm, 0, err, sizeof(err));
		if (rc == ACCEL_REQ_SUSPEND) {
			bool by_rtc;

			/* S3: RAM stays; the firmware learns it is a resume from CMOS 0x0f. */
			mc146818_notify_suspend(&m.rtc);
			log_info("main", "the guest is suspended to RAM; an RTC alarm (with PM1_EN.RTC_EN) or QMP system_wakeup wakes it");
			qmp_event(&qmp, "SUSPEND", NULL);
			rc = kvm_vm_wait_wakeup(&vm, rtc_wakes, &m, err, sizeof(err));
			if (rc)
				break;
			by_rtc = rtc_wakes(&m);
			if (kvm_vm_wake_reset(&vm, err, sizeof(err))) {
				rc = -1;
				break;
			}
			piix4_pm_wakeup(&m.pm, by_rtc);
			log_info("main", "woken up%s: the firmware resumes the guest", by_rtc ? " by the RTC alarm" : "");
			qmp_event(&qmp, "WAKEUP", NULL);
			continue;
		}
		if (rc != ACCEL_REQ_REBOOT)
			break;
		log_info("main", "the guest asked for a reset: resetting the vCPUs and devices");
		if (kvm_vm_reset(&vm, err, sizeof(err))) {
			rc = -1;
			break;
		}
	}
	if (rc == ACCEL_REQ_POWEROFF)
		qmp_event(&qmp, "SHUTDOWN", "{\"guest\":true,\"reason\":\"guest-shutdown\"}");
	qmp_close(&qmp);
	machine_destroy(&m);
	kvm_vm_destroy(&vm);
	switch (rc) {
	case ACCEL_REQ_POWEROFF:
		log_info("main", "the guest powered off");
		return 0;
	case -3:
		log_info("main", "stopped (signal or QMP quit)");
		return 0;
	default:
		fprintf(stderr, "hvmdm: %s\n", err);
		return 1;
	}
}

/* ---- Xen ---- */

static bool xen_paused(void *t)
{
	return !((struct xen_dm *)t)->enabled;
}

/* As QEMU on Xen: stopping turns the ioreq server off; the domain itself is libxl's to pause. */
static int xen_pause(void *t, char *err, size_t errlen)
{
	struct xen_dm *x = t;

	if (!x->enabled)
		return 0;
	clock_stop(&x->m->clock);
	return xen_dm_set_enabled(x, false, err, errlen);
}

/*
 * "running" in xenstore, as QEMU writes it when the VM first runs. Started
 * with -S (libxl does that with dm_restrict, then waits on QMP query-status
 * instead), that is at the first `cont`; after -xen-domid-restrict xenstore
 * is out of reach, which only costs the key.
 */
static void xen_announce(struct xen_dm *x)
{
	char err[256];

	if (x->announced)
		return;
	x->announced = true;
	if (xen_dm_xs_write(x, "state", "running", err, sizeof(err)))
		log_info("main", "%s (no xenstore: libxl follows this device model over QMP)", err);
}

static int xen_resume(void *t, char *err, size_t errlen)
{
	struct xen_dm *x = t;

	if (x->enabled)
		return 0;
	clock_start(&x->m->clock);
	if (xen_dm_set_enabled(x, true, err, errlen))
		return -1;
	xen_announce(x);
	return 0;
}

static struct machine *xen_machine(void *t)
{
	return ((struct xen_dm *)t)->m;
}

static void xen_quit(void *t)
{
	(void)t;
	xen_dm_request_quit();
}

static int xen_wakeup(void *t, char *err, size_t errlen)
{
	return xen_dm_wakeup(t, err, errlen);
}

static bool xen_suspended(void *t)
{
	return ((struct xen_dm *)t)->suspended;
}

static void xen_qmp_event(void *opaque, const char *name)
{
	qmp_event(opaque, name, NULL);
}

static void xen_set_dirty_log(void *t, bool on)
{
	struct xen_dm *x = t;

	if (x->dirty_log != on)
		log_info("main", "live migration: %s reporting the guest pages hvmdm writes", on ? "start" : "stop");
	x->dirty_log = on;
}

static const struct qmp_target xen_target = {
	.set_dirty_log = xen_set_dirty_log,
	.wakeup = xen_wakeup,
	.suspended = xen_suspended,
	.paused = xen_paused,
	.pause = xen_pause,
	.resume = xen_resume,
	.machine = xen_machine,
	.quit = xen_quit,
};

/* ---- -machine none: a monitor and nothing else (libxl 4.20's probe) ---- */

static volatile sig_atomic_t monitor_quit;

static bool none_paused(void *t)
{
	(void)t;
	return true;
}

static int none_refuse(void *t, char *err, size_t errlen)
{
	(void)t;
	snprintf(err, errlen, "there is no machine (-machine none)");
	return -1;
}

static struct machine *none_machine(void *t)
{
	(void)t;
	return NULL;
}

static void none_quit(void *t)
{
	(void)t;
	monitor_quit = 1;
}

static const struct qmp_target none_target = {
	.paused = none_paused,
	.pause = none_refuse,
	.resume = none_refuse,
	.machine = none_machine,
	.quit = none_quit,
};

static int run_monitor_only(const struct options *o)
{
	struct qmp_server qmp;
	struct loop loop;
	char err[512];

	qmp_init(&qmp, &none_target, NULL);
	for (unsigned int i = 0; i < o->nr_qmp; i++) {
		if (qmp_add_monitor(&qmp, o->qmp_path[i], o->qmp_label[i], err, sizeof(err))) {
			fprintf(stderr, "hvmdm: %s\n", err);
			qmp_close(&qmp);
			return 2;
		}
	}
	if (!qmp.nr_mon) {
		fprintf(stderr, "hvmdm: -machine none without a monitor has nothing to do\n");
		return 2;
	}
	loop_init(&loop, NULL); /* no machine: no devices, no timers */
	if (qmp_attach_loop(&qmp, &loop)) {
		fprintf(stderr, "hvmdm: QMP: out of memory\n");
		qmp_close(&qmp);
		return 2;
	}
	install_quit_signals();
	while (!monitor_quit && !kvm_quit_requested())
		loop_run_once(&loop, 100);
	qmp_close(&qmp);
	loop_destroy(&loop);
	return 0;
}

/* The device state libxl hands over on restore (-incoming fd:N). */
/* All of the device state libxl hands over (-incoming fd:N), at most STREAM_MAX_SIZE. */
static uint8_t *read_incoming(const char *uri, size_t *lenp, char *err, size_t errlen)
{
	char why[256];
	uint8_t *buf;
	char *end;
	long fd;

	if (strncmp(uri, "fd:", 3)) {
		snprintf(err, errlen, "-incoming %s: under Xen libxl passes fd:N", uri);
		return NULL;
	}
	fd = strtol(uri + 3, &end, 10);
	if (*end || end == uri + 3 || fd < 0 || fd > 65535) {
		snprintf(err, errlen, "-incoming %s: not a descriptor number", uri);
		return NULL;
	}
	buf = migration_read_fd((int)fd, STREAM_MAX_SIZE, lenp, why, sizeof(why));
	if (!buf)
		snprintf(err, errlen, "-incoming %s: %s", uri, why);
	close((int)fd);
	return buf;
}

static int load_incoming(struct machine *m, const char *uri, const uint8_t *buf, size_t len,
			 char *err, size_t errlen)
{
	struct load_report rep;

	if (snapshot_load(m, buf, len, &rep, err, errlen))
		return -1;
	for (unsigned int i = 0; i < rep.nr_notes; i++)
		log_warn("state", "%s", rep.notes[i]);
	log_info("main", "restored the device state from %s (%zu bytes, %u records)", uri, len, rep.records);
	return 0;
}

/*
 * -runas USER or UID:GID (libxl passes xen-qemuuser-shared by name, or a
 * number from xen-qemuuser-range-base + domid with that user's group:
 * libxl_dm.c libxl__domain_get_device_model_uid). 0, or -1 for neither.
 */
static int runas_ids(const char *spec, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	char *end;
	struct passwd *pw;

	if (spec[0] >= '0' && spec[0] <= '9') {
		u = strtoul(spec, &end, 10);
		if (*end != ':' || end[1] < '0' || end[1] > '9')
			return -1;
		g = strtoul(end + 1, &end, 10);
		if (*end || u > 0x7fffffff || g > 0x7fffffff)
			return -1;
		*uid = (uid_t)u;
		*gid = (gid_t)g;
		return 0;
	}
	pw = getpwnam(spec);
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* chroot and drop privileges once every handle is open (-chroot, -runas). */
static int deprivilege(const struct options *o, char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;

	if (o->runas && runas_ids(o->runas, &uid, &gid)) {
		snprintf(err, errlen, "-runas %s: no such user, and not UID:GID", o->runas);
		return -1;
	}
	if (o->chroot_dir && (chroot(o->chroot_dir) || chdir("/"))) {
		snprintf(err, errlen, "-chroot %s: %s", o->chroot_dir, strerror(errno));
		return -1;
	}
	if (o->runas && (setgroups(0, NULL) || setgid(gid) || setuid(uid))) {
		snprintf(err, errlen, "-runas %s: %s", o->runas, strerror(errno));
		return -1;
	}
	if (o->runas && uid != 0 && setuid(0) == 0) { /* must be gone for good */
		snprintf(err, errlen, "-runas %s: root could be regained", o->runas);
		return -1;
	}
	return 0;
}

/* Serve a Xen HVM guest as its device model, launched by libxl (qemu-xen contract). */
static int run_xen(const struct options *o)
{
	struct xen_dm x;
	struct machine m;
	struct machine_config cfg;
	struct qmp_server qmp;
	char err[1024];
	int rc;
	unsigned int vcpus = o->max_vcpus ? o->max_vcpus : o->machine.vcpus;
	uint8_t *incoming = NULL;
	size_t incoming_len = 0;

	if (xen_dm_open(&x, o->xen_domid, vcpus, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: %s\n", err);
		xen_dm_close(&x);
		return 1;
	}
	cfg = o->machine;
	cfg.incoming = o->incoming != NULL;
	if (o->incoming) {
		incoming = read_incoming(o->incoming, &incoming_len, err, sizeof(err));
		if (!incoming) {
			fprintf(stderr, "hvmdm: %s\n", err);
			xen_dm_close(&x);
			return 2;
		}
		cfg.profile = snapshot_restore_profile(cfg.profile, incoming, incoming_len);
		if (cfg.profile != o->machine.profile)
			log_info("main", "the incoming state is qemu-xen-traditional's: building machine %s for it",
				 profile_name(cfg.profile));
	}
	/*
	 * The devices claim their ports, MMIO and PCI functions from the server
	 * as they appear; a display card's VRAM becomes guest frames above RAM
	 * (unless a restore brings the guest's own).
	 */
	x.device_memory_base = machine_device_memory_base(&cfg);
	if (machine_create(&m, &cfg, &x.accel, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: %s\n", err);
		free(incoming);
		xen_dm_close(&x);
		return 2;
	}
	/* -save-format qemu is a promise about every save to come: refuse it now, not at the move. */
	if (o->save_upstream && upstream_writable(&m, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: -save-format qemu: %s (drop it from device_model_args_hvm)\n", err);
		free(incoming);
		machine_destroy(&m);
		xen_dm_close(&x);
		return 2;
	}
	/*
	 * dm_restrict: every handle confined to the domain now -- after the
	 * machine, because populating VRAM frames is a hypercall the
	 * restriction forbids (the domain stays paused until libxl unpauses it).
	 */
	if (o->xen_restrict && xentoolcore_restrict_all(o->xen_domid)) {
		fprintf(stderr, "hvmdm: -xen-domid-restrict: %s\n", strerror(errno));
		free(incoming);
		machine_destroy(&m);
		xen_dm_close(&x);
		return 1;
	}
	xen_dm_attach(&x, &m);
	qmp_init(&qmp, &xen_target, &x);
	qmp.save_upstream = o->save_upstream;
	x.event = xen_qmp_event;
	x.event_opaque = &qmp;
	rc = 0;
	for (unsigned int i = 0; !rc && i < o->nr_qmp; i++)
		rc = qmp_add_monitor(&qmp, o->qmp_path[i], o->qmp_label[i], err, sizeof(err));
	/* Served by the ioreq loop itself, with the event channels (hw/core/loop.h). */
	if (!rc && qmp.nr_mon && qmp_attach_loop(&qmp, &m.loop)) {
		snprintf(err, sizeof(err), "QMP: out of memory");
		rc = -1;
	}
	if (!rc && incoming)
		rc = load_incoming(&m, o->incoming, incoming, incoming_len, err, sizeof(err));
	free(incoming);
	incoming = NULL;
	if (!rc)
		rc = deprivilege(o, err, sizeof(err));
	qmp.chrooted = o->chroot_dir != NULL; /* libxl removes the socket files */
	/* dm_restrict: resource limits and the system-call filter, last. */
	if (!rc && o->xen_restrict) {
		const char *log_only = getenv("HVMDM_SANDBOX_LOG");

		rc = sandbox_enter(log_only && !strcmp(log_only, "1"), err, sizeof(err));
	}
	if (!rc && o->start_paused) { /* -S: no ioreqs until QMP cont */
		clock_stop(&m.clock);
		rc = xen_dm_set_enabled(&x, false, err, sizeof(err));
	}
	/*
	 * libxl waits for exactly this (60 s) before it talks QMP; under -S it
	 * asks QMP query-status instead (prelaunch, or paused after -incoming),
	 * and the key follows at `cont`.
	 */
	if (!rc && !o->start_paused) {
		rc = xen_dm_xs_write(&x, "state", "running", err, sizeof(err));
		x.announced = true;
	}
	if (rc) {
		fprintf(stderr, "hvmdm: %s\n", err);
		qmp_close(&qmp);
		machine_destroy(&m);
		xen_dm_close(&x);
		return 2;
	}
	qmp.started = !o->start_paused || o->incoming; /* -S alone: prelaunch */
	log_info("main", "serving Xen domain %u (%s)", o->xen_domid, o->name ? o->name : "unnamed");
	install_quit_signals();
	rc = xen_dm_run(&x, err, sizeof(err));
	log_info("main", "%s after %llu ioreqs (%llu refused)", rc == -3 ? "stopping" : "failed",
		 (unsigned long long)x.io.served, (unsigned long long)x.io.refused);
	qmp_close(&qmp);
	machine_destroy(&m);
	xen_dm_close(&x);
	if (rc != -3) {
		fprintf(stderr, "hvmdm: %s\n", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[512];

	if (options_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "hvmdm: %s\n", err);
		return 2;
	}
	if (o.verbose)
		log_set_level(LOG_DEBUG);
	switch (o.mode) {
	case MODE_HELP:
		options_usage(stdout);
		return 0;
	case MODE_VERSION:
		printf("hvmdm %s\n", HVMDM_VERSION);
		return 0;
	case MODE_SELFCHECK:
		return selfcheck(&o);
	case MODE_RUN:
		break;
	}
	if (o.machine_none)
		return run_monitor_only(&o);
	if (o.accel == ACCEL_XEN)
		return run_xen(&o);
	if (o.accel != ACCEL_KVM && (o.incoming || o.nr_qmp)) {
		fprintf(stderr, "hvmdm: -incoming and QMP need an accelerator: give -accel kvm (machine pc); "
				"the Xen accelerator is not built yet\n");
		return 2;
	}
	if (o.accel != ACCEL_KVM) {
		fprintf(stderr, "hvmdm: no accelerator: give -accel kvm (machine pc), or -selfcheck; "
				"the Xen accelerator is not built yet\n");
		return 2;
	}
	return run_kvm(&o);
}
