/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Machine assembly: the chipset of one profile, wired to one accelerator.
 *
 *   devfn    xenfv            xenfv-trad        pc
 *   00:00.0  i440FX           i440FX            i440FX
 *   00:01.0  PIIX3            PIIX3             PIIX3
 *   00:01.1  PIIX3 IDE         PIIX3 IDE         PIIX3 IDE
 *   00:01.3  PIIX4 PM         PIIX4 PM          PIIX4 PM
 *   00:02.0  Xen platform     (VGA slot)        VGA (-device VGA)
 *   00:03.0  (VGA slot)       Xen platform      -
 * then each NIC (RTL8139 or e1000) on the lowest free slot, in -device order (as QEMU
 * places a -device without addr=), plus up to two 16550A UARTs (0x3f8/IRQ 4,
 * 0x2f8/IRQ 3) and the i8042.
 */
#ifndef HVMDM_MACHINE_H
#define HVMDM_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "accel.h"
#include "bus.h"
#include "backends/chardev.h"
#include "backends/net.h"
#include "hw/char/debugcon.h"
#include "devreg.h"
#include "hw/firmware/fw_cfg.h"
#include "hw/chipset/mc146818.h"
#include "clock.h"
#include "hw/chipset/i440fx.h"
#include "hw/input/i8042.h"
#include "hw/block/ide.h"
#include "loop.h"
#include "pci.h"
#include "hw/chipset/piix3.h"
#include "hw/chipset/piix4_pm.h"
#include "profile.h"
#include "hw/char/uart16550.h"
#include "hw/chipset/xen_platform.h"
#include "hw/display/cirrus.h"
#include "hw/display/stdvga.h"
#include "hw/net/e1000.h"
#include "hw/net/rtl8139.h"
#include "hw/usb/hid.h"
#include "hw/usb/hub.h"
#include "hw/usb/uhci.h"
#include "ui/console.h"

#define MACHINE_MAX_SERIAL 2
#define MACHINE_MAX_VCPUS 128 /* HVM_MAX_VCPUS */
#define MACHINE_MAX_NICS 8

/*
 * A USB HID device on the UHCI: its kind, root port (1 or 2) and, behind
 * QEMU's automatic hub on that root port, the hub's port (1-8; 0: the root
 * port itself). Options place them.
 */
#define MACHINE_MAX_USB 8
struct machine_usb {
	enum usb_hid_kind kind;
	unsigned int port;
	unsigned int hub_port;
};

/* An emulated NIC (-device MODEL,id=,netdev=,mac=) and the -netdev it sends through. */
struct machine_nic {
	enum nic_model { NIC_RTL8139, NIC_E1000 } model;
	uint8_t devfn; /* 0: the lowest free slot after the display (QEMU's -device without addr=) */
	char id[64];
	uint8_t mac[6];
	/* Its option ROM (-device ...,romfile=): NULL = iPXE's, as QEMU's; "" = none. */
	const char *romfile;
	struct netdev_config netdev;
};

struct machine_config {
	enum machine_profile profile;
	unsigned int vcpus;
	uint64_t ram_mib;
	const char *serial[MACHINE_MAX_SERIAL]; /* chardev specs */
	unsigned int nr_serial;
	const char *debugcon; /* chardev spec for port 0x402, or NULL */
	const char *option_roms[4]; /* files offered to the firmware as genroms/ */
	unsigned int nr_option_roms;
	/* xenfv: fw_cfg even with no ROM or kernel to offer (a tool reading a stream that has one). */
	bool fw_cfg;
	/* -boot order=: up to three of a/b (floppy), c (disk), d (CD-ROM), n (network); "" = none. */
	char boot_order[4];
	/* Direct Linux boot through fw_cfg (-kernel, -initrd, -append); kernel NULL = none. */
	const char *kernel, *initrd, *append;
	/* xenfv without the Xen platform device: libxl's "pc,accel=xen" (xen_platform_pci=0). */
	bool no_platform_pci;
	/* IDE drives: index = channel * 2 + unit (hda, hdb, hdc, hdd). */
	struct ide_drive_config ide[IDE_DRIVES];
	/* The display card (libxl's vga=), its VRAM and VGA BIOS, and how people see it. */
	enum machine_display { DISPLAY_NONE, DISPLAY_STDVGA, DISPLAY_CIRRUS } display;
	unsigned int vgamem_mb;    /* 0: the card's default */
	const char *vga_bios;      /* NULL: Debian's seabios vgabios-stdvga.bin or vgabios-cirrus.bin */
	bool vnc;                  /* -vnc HOST:N (vnc_cfg), not none */
	struct vnc_config vnc_cfg;
	const char *keymap;        /* -k; NULL: en-us */
	/* Emulated NICs in argv order: each takes the lowest free PCI slot after the display. */
	struct machine_nic nic[MACHINE_MAX_NICS];
	unsigned int nr_nics;
	/* USB: the PIIX3 UHCI at 00:01.2 (-usb or any USB device) and the devices on its root ports. */
	bool usb;
	struct machine_usb usb_dev[MACHINE_MAX_USB];
	unsigned int nr_usb;
	/* QEMU's automatic 8-port hub: its root port (0: none), created before usb_dev[usb_hub_before]. */
	unsigned int usb_hub_port;
	unsigned int usb_hub_before;
	/* The state comes from -incoming: a device whose memory is the guest's (Xen VRAM) waits for it. */
	bool incoming;
};

struct machine {
	struct machine_config cfg;
	struct accel *accel;
	struct dm_clock clock;
	struct loop loop; /* the accelerator runs it: backends and timers (hw/core/loop.h) */
	struct io_space io;
	struct io_space mmio;
	struct pci_bus pci;
	struct i440fx i440fx;
	struct piix3 piix3;
	struct piix4_pm pm;
	struct piix_ide ide;
	bool has_ide;
	struct xen_platform platform; /* xenfv and xenfv-trad */
	bool has_platform;
	struct uart16550 uart[MACHINE_MAX_SERIAL];
	struct chardev serial_backend[MACHINE_MAX_SERIAL];
	unsigned int nr_uarts;
	struct i8042 kbd;
	struct mc146818 rtc; /* pc only: Xen emulates the RTC */
	bool has_rtc;
	struct fw_cfg fw_cfg; /* pc only, so far */
	bool has_fw_cfg;
	struct debugcon debugcon;
	struct chardev debugcon_backend;
	bool has_debugcon;
	struct stdvga display;    /* DISPLAY_STDVGA */
	struct cirrus cirrus;     /* DISPLAY_CIRRUS */
	bool has_display;         /* either card */
	struct console console; /* with the display: refresh, VNC, screendump */
	bool has_console;
	/* Each model's NICs in -device order; the backends in the order of all NICs. */
	struct rtl8139 rtl8139[MACHINE_MAX_NICS];
	unsigned int nr_rtl8139;
	struct e1000 e1000[MACHINE_MAX_NICS];
	unsigned int nr_e1000;
	struct netdev netdev[MACHINE_MAX_NICS];
	unsigned int nr_nics; /* created (their netdevs open until unplugged) */
	/* USB: the UHCI and the HID devices on its root ports (usb_hid[i] is cfg.usb_dev[i]). */
	struct uhci uhci;
	bool has_uhci;
	struct usb_hid usb_hid[MACHINE_MAX_USB];
	unsigned int nr_usb_hid;
	struct usb_hub usb_hub; /* cfg.usb_hub_port */
	bool has_usb_hub;
	/* Its devices in reset, save and load order (machine_add). */
	struct dm_device *devs;
	unsigned int nr_devs, cap_devs;
};

/* Everything a machine saves: the machine's own part, then each device's state struct. */
struct machine_state {
	uint8_t profile;
	uint64_t clock_ns;
	struct pci_state i440fx;
	/*
	 * The 0xcf8 latch: a save between a guest's OUT to 0xcf8 and its access
	 * to 0xcfc must not leave the restored guest reading all-ones (Xen does
	 * not keep its own copy across a restore either).
	 */
	uint32_t pci_config_address;
	struct piix3_state piix3;
	struct piix4_pm_state pm;
	struct xen_platform_state platform;
	struct uart_state uart[MACHINE_MAX_SERIAL];
	struct i8042_state kbd;
	struct mc146818_state rtc;      /* pc */
	struct fw_cfg_state fw_cfg;     /* pc */
	struct ide_state ide;
	struct stdvga_state vga;        /* with the standard VGA */
	struct cirrus_state cirrus;     /* with the Cirrus */
	struct rtl8139_state nic[MACHINE_MAX_NICS]; /* the RTL8139s, by -device order */
	struct e1000_state e1000[MACHINE_MAX_NICS];  /* the e1000s, by -device order */
	struct uhci_state uhci;                      /* with USB */
	struct usb_hid_saved usb_ptr[MACHINE_MAX_USB]; /* tablets and mice, in -device order */
	struct usb_hid_saved usb_kbd[MACHINE_MAX_USB]; /* keyboards, in -device order */
	struct usb_hub_saved usb_hub;                /* QEMU's automatic hub */
	/* Decoding only: the UHCI's record was qemu-xen-traditional's, which has no device records. */
	bool usb_devices_unsaved;
};

/* The display card's VGA core and VRAM (NULL and 0 without a card). */
struct vga *machine_vga(struct machine *m);
uint8_t *machine_vram(const struct machine *m, uint32_t *size);

/*
 * Where device memory the guest does not see yet lives under Xen (VRAM
 * before its BAR is set): right above guest RAM, where QEMU's xen_ram_alloc
 * puts it (hw/i386/xen/xen-hvm.c: the RAM block ends at -m below the
 * 0xf0000000 hole, or at 4 GiB plus what lies above it).
 */
uint64_t machine_device_memory_base(const struct machine_config *cfg);

/* Guest RAM below 4 GiB for this configuration (the rest lives above 4 GiB). */
uint64_t machine_ram_below_4g(const struct machine_config *cfg);

/*
 * Build the machine. `clock_source` may be NULL (CLOCK_MONOTONIC). On error
 * returns non-zero with a message in err and nothing left allocated.
 */
int machine_create(struct machine *m, const struct machine_config *cfg, struct accel *accel,
		   uint64_t (*clock_source)(void *), void *clock_opaque, char *err,
		   size_t errlen);
void machine_destroy(struct machine *m);
/* Put every device into its power-on state (reboot). */
void machine_reset(struct machine *m);
/*
 * The reset of an S3 wake-up: as machine_reset, but the i440FX's PAM and
 * SMRAM registers keep their values, as they do in QEMU (whose i440FX reset
 * never touches them) -- SeaBIOS's resume path finds its ACPI pointers in the
 * shadow RAM those registers keep mapped.
 */
void machine_wake_reset(struct machine *m);
/*
 * The first device on the machine with no saved state yet (its dev_ops has
 * no save), or NULL: a save or restore with it present is refused by name,
 * rather than losing its state.
 */
const char *machine_unsaveable(const struct machine *m);

/*
 * Put a created device on the machine's list: its operations, the device,
 * where its state lives in struct machine_state, and which instance of its
 * record kind it is. 0, or -ENOMEM.
 */
int machine_add(struct machine *m, const struct dev_ops *ops, void *dev, size_t state_off,
		unsigned int slot);

/* The machine's whole state, copied out of every device on the list. */
void machine_save_state(const struct machine *m, struct machine_state *st);
/*
 * Every device's post-load checks. On failure, *record and *slot (when not
 * NULL) name the record kind and instance slot that describe the device.
 */
int machine_check_state(const struct machine *m, const struct machine_state *st,
			const char **record, unsigned int *slot, char *err, size_t errlen);
/* Commit a checked state to every device. */
void machine_load_state(struct machine *m, const struct machine_state *st);

#endif
