/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command line. Same spelling as QEMU's, because libxl builds it
 * (reference/xen-captures/argv-*.txt); every option either does what QEMU's
 * does or is refused with a message that names it.
 */
#ifndef HVMDM_OPTIONS_H
#define HVMDM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hw/core/machine.h"

enum run_mode {
	MODE_RUN,       /* run a guest (needs an accelerator) */
	MODE_SELFCHECK, /* replay hvmloader against the chipset and report */
	MODE_HELP,
	MODE_VERSION,
};

enum accel_kind {
	ACCEL_NONE,
	ACCEL_KVM,
	ACCEL_XEN,
};

#define DEFAULT_BIOS "/usr/share/seabios/bios-256k.bin"

struct options {
	enum run_mode mode;
	enum accel_kind accel;
	struct machine_config machine;
	bool machine_given;
	bool machine_none;      /* -machine none: a monitor only (libxl's probe) */
	bool machine_accel_xen; /* -machine ...,accel=xen */
	const char *bios;
	bool verbose;
	/* QMP monitors: unix socket paths from -qmp or -chardev socket + -mon mode=control */
	char qmp_path[4][108];
	char qmp_label[4][64];
	unsigned int nr_qmp;
	struct {
		char id[64];
		char path[108];
	} chardev[8];
	unsigned int nr_chardev;
	const char *incoming;   /* -incoming file:PATH | fd:N: a whole-VM stream (KVM), device state (Xen) */
	bool start_paused;      /* -S */
	bool save_upstream;     /* -save-format qemu: xen-save-devices-state writes upstream QEMU's stream */
	/* Xen (the qemu-xen launch contract, reference/03) */
	uint32_t xen_domid;
	unsigned int max_vcpus; /* -smp N,maxcpus=M */
	bool xen_restrict;      /* -xen-domid-restrict */
	const char *chroot_dir; /* -chroot */
	const char *runas;      /* -runas USER[:GROUP] */
	const char *name;       /* -name */
	/* IDE drives: paths of -drive/-hda/-cdrom (unescaped), and if=none drives awaiting -device. */
	char drive_path[IDE_DRIVES][1024];
	char drive_id[IDE_DRIVES][64];
	struct {
		char id[64];
		char path[1024]; /* "" = no medium */
		bool read_only;
		bool used;
	} pending_drive[IDE_DRIVES];
	unsigned int nr_pending_drive;
	/* -netdev backends, and the -netdev id each NIC's netdev= names (resolved after argv). */
	struct netdev_config netdev[MACHINE_MAX_NICS];
	bool netdev_used[MACHINE_MAX_NICS];
	unsigned int nr_netdev;
	char nic_netdev[MACHINE_MAX_NICS][64];
	char nic_romfile[MACHINE_MAX_NICS][256]; /* -device ...,romfile= (the machine points at it) */
	/* USB devices: -usbdevice ones are placed before -device ones, as QEMU creates them. */
	struct machine_usb usb_legacy[MACHINE_MAX_USB], usb_device[MACHINE_MAX_USB];
	unsigned int nr_usb_legacy, nr_usb_device;
};

/* 0 on success; otherwise a message naming the offending option in err. */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_usage(FILE *out);

#endif
