// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvmdm: a device model for x86 HVM guests.
 *
 * Today the chipset runs under the self-check (-selfcheck); the KVM and Xen
 * accelerators that run guests are the next steps (docs/ARCHITECTURE.md).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../hw/log.h"
#include "../hw/machine.h"
#include "../state/snapshot.h"
#include "../kvm/kvm.h"
#include "accel_none.h"
#include "hvmloader_replay.h"
#include "migration.h"
#include "qmp.h"
#include "options.h"

#ifndef HVMDM_VERSION
#define HVMDM_VERSION "0.2.0-dev"
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
	qmp_init(&qmp, &vm);
	rc = kvm_vm_attach(&vm, &m, err, sizeof(err));
	for (unsigned int i = 0; !rc && i < o->nr_qmp; i++)
		rc = qmp_add_monitor(&qmp, o->qmp_path[i], err, sizeof(err));
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
	if (qmp.nr_mon) {
		vm.control_poll = qmp_poll;
		vm.control_opaque = &qmp;
	}
	vm.start_paused = o->start_paused;
	if (!o->start_paused)
		qmp.started = true;
	{
		struct sigaction sa = { .sa_handler = on_quit_signal };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		/* A QMP client that goes away mid-reply must not kill us. */
		signal(SIGPIPE, SIG_IGN);
	}
	for (;;) {
		rc = kvm_vm_run(&vm, 0, err, sizeof(err));
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
	case ACCEL_REQ_SUSPEND:
		log_info("main", "the guest suspended to RAM; resuming on KVM is not built yet, so hvmdm exits");
		return 0;
	case -3:
		log_info("main", "stopped (signal or QMP quit)");
		return 0;
	default:
		fprintf(stderr, "hvmdm: %s\n", err);
		return 1;
	}
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
