// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device record kinds, in write order: the order is part of the native
 * format (a native stream's records follow it), so a new kind is appended.
 * Each kind lives in its own file in this folder, all formats of one device
 * together.
 */
#include "../codec.h"

extern const struct record_kind timer_kind;
extern const struct record_kind i440fx_kind;
extern const struct record_kind piix3_kind;
extern const struct record_kind piix4acpi_kind;
extern const struct record_kind gpe_kind;
extern const struct record_kind pci_devfn_kind;
extern const struct record_kind acpi_pcihp_kind;
extern const struct record_kind platform_kind;
extern const struct record_kind platform_fixed_kind;
extern const struct record_kind serial_kind;
extern const struct record_kind pckbd_kind;
extern const struct record_kind ps2kbd_kind;
extern const struct record_kind ps2mouse_kind;
extern const struct record_kind rtc_kind;
extern const struct record_kind fw_cfg_kind;
extern const struct record_kind ide_kind;
extern const struct record_kind pcihost_kind;
extern const struct record_kind piix4_pm_kind;

const struct record_kind *const record_kinds[] = {
	&timer_kind,
	&i440fx_kind,
	&piix3_kind,
	&piix4acpi_kind,
	&gpe_kind,
	&pci_devfn_kind,
	&acpi_pcihp_kind,
	&platform_kind,
	&platform_fixed_kind,
	&serial_kind,
	&pckbd_kind,
	&ps2kbd_kind,
	&ps2mouse_kind,
	/* Added in 0.2: not required, so 0.1 streams (which lack them) still load. */
	&rtc_kind,
	&fw_cfg_kind,
	&ide_kind,
	&pcihost_kind,
	/* Read-only: upstream QEMU's PM function, whose one record holds piix4acpi, gpe and acpi_pcihp. */
	&piix4_pm_kind,
};

const size_t nr_record_kinds = sizeof(record_kinds) / sizeof(record_kinds[0]);

/* The JSON views of the devices' state (hvmdm-stream inspect, corpus expectations). */
extern const struct state_view i440fx_view;
extern const struct state_view piix3_view;
extern const struct state_view piix4_pm_view;
extern const struct state_view platform_view;
extern const struct state_view serial_view;
extern const struct state_view rtc_view;
extern const struct state_view fw_cfg_view;
extern const struct state_view ide_view;
extern const struct state_view i8042_view;

const struct state_view *const state_views[] = {
	&i440fx_view,
	&piix3_view,
	&piix4_pm_view,
	&platform_view,
	&serial_view,
	&rtc_view,
	&fw_cfg_view,
	&ide_view,
	&i8042_view,
};

const size_t nr_state_views = sizeof(state_views) / sizeof(state_views[0]);
