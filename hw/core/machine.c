// SPDX-License-Identifier: GPL-2.0-only
#include "machine.h"
#include "hw/firmware/acpi.h"
#include "hw/firmware/linux_boot.h"
#include "hw/core/log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint16_t serial_base[MACHINE_MAX_SERIAL] = { 0x3f8, 0x2f8 };
static const unsigned int serial_irq[MACHINE_MAX_SERIAL] = { 4, 3 };
static const char *const serial_name[MACHINE_MAX_SERIAL] = { "serial0", "serial1" };

/* As QEMU's pc machine: RAM up to 3 GiB stays below 4 GiB, beyond that 2 GiB do. */
uint64_t machine_ram_below_4g(const struct machine_config *cfg)
{
	uint64_t ram = cfg->ram_mib << 20;
	uint64_t limit = ram > (3ull << 30) ? (2ull << 30) : (3ull << 30);

	return ram < limit ? ram : limit;
}

uint64_t machine_device_memory_base(const struct machine_config *cfg)
{
	uint64_t ram = cfg->ram_mib << 20, lowmem_end = 0xf0000000ull;

	return ram <= lowmem_end ? ram : (4ull << 30) + (ram - lowmem_end);
}

#define OPTION_ROM_MAX (256u << 10) /* SeaBIOS's option-ROM space is 0xc0000-0xeffff */
#define VGA_BIOS_MAX (1u << 20)

/*
 * A ROM image from a file (an option ROM, the VGA BIOS): at least 512
 * bytes, at most max, starting 55 AA. The buffer is the caller's to free;
 * NULL with err naming the option and the file when it is none of that.
 */
static uint8_t *read_rom_file(const char *option, const char *path, size_t max, size_t *len,
			      char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *rom = malloc(max + 1);

	*len = 0;
	if (fp && rom)
		*len = fread(rom, 1, max + 1, fp); /* one byte more: a file over max is refused, not cut */
	if (fp)
		fclose(fp);
	if (!fp || !rom) {
		snprintf(err, errlen, "%s %s: %s", option, path, !fp ? "cannot open it" : "out of memory");
		free(rom);
		return NULL;
	}
	if (*len < 512 || *len > max || rom[0] != 0x55 || rom[1] != 0xaa) {
		snprintf(err, errlen, "%s %s: not a ROM image (%zu%s bytes: it needs the 55 AA signature and 512 bytes to %zu KiB)",
			 option, path, *len, *len > max ? " or more" : "", max >> 10);
		free(rom);
		return NULL;
	}
	return rom;
}

static int add_le(struct fw_cfg *f, uint16_t key, uint64_t v, unsigned int n)
{
	uint8_t b[8];

	le_write(b, n, v);
	return fw_cfg_add_item(f, key, b, n);
}

/*
 * What SeaBIOS reads: CPUs, option ROMs, the RAM size (pc) and etc/e820.
 * Under Xen, SeaBIOS takes the whole memory map from hvmloader and fw_cfg is
 * there for option ROMs and -kernel (as qemu-xen's is); it still reads
 * etc/e820, and without one falls back to the CMOS bytes for RAM above 4 GiB,
 * which Xen's RTC does not hold (a real run gave a 1 TiB RAM entry). So xenfv
 * gets only the low RAM entry, which SeaBIOS ignores because hvmloader's map
 * already covers it (paravirt.c qemu_cfg_e820: entries below RamSize).
 */
static int fill_fw_cfg(struct machine *m, char *err, size_t errlen)
{
	const struct machine_config *cfg = &m->cfg;
	struct fw_cfg *f = &m->fw_cfg;
	uint64_t ram = cfg->ram_mib << 20, low = machine_ram_below_4g(cfg);
	uint8_t e820[2 * 20] = { 0 };
	unsigned int n = 0;

	if (add_le(f, FW_CFG_NB_CPUS, cfg->vcpus, 2) || add_le(f, FW_CFG_MAX_CPUS, cfg->vcpus, 2) ||
	    add_le(f, FW_CFG_BOOT_MENU, 0, 2))
		goto nomem;
	if (cfg->profile == PROFILE_PC && add_le(f, FW_CFG_RAM_SIZE, ram, 8))
		goto nomem;
	/* etc/e820: le64 address, le64 length, le32 type (1 = RAM), as QEMU lays it out. */
	le_write(e820, 8, 0);
	le_write(e820 + 8, 8, low);
	le_write(e820 + 16, 4, 1);
	n++;
	if (ram > low && cfg->profile == PROFILE_PC) {
		le_write(e820 + 20, 8, 1ull << 32);
		le_write(e820 + 28, 8, ram - low);
		le_write(e820 + 36, 4, 1);
		n++;
	}
	if (fw_cfg_add_file(f, "etc/e820", e820, 20 * n))
		goto nomem;
	for (unsigned int i = 0; i < cfg->nr_option_roms; i++) {
		const char *path = cfg->option_roms[i], *base = strrchr(path, '/');
		char name[56];
		size_t len;
		uint8_t *rom = read_rom_file("-option-rom", path, OPTION_ROM_MAX, &len, err, errlen);
		int rc;

		if (!rom)
			return -1;
		snprintf(name, sizeof(name), "genroms/%.40s", base ? base + 1 : path);
		rc = fw_cfg_add_file(f, name, rom, (uint32_t)len);
		free(rom);
		if (rc)
			goto nomem;
	}
	if (cfg->kernel) {
		struct linux_boot lb = { .kernel = cfg->kernel, .initrd = cfg->initrd,
					 .cmdline = cfg->append };

		if (linux_boot_setup(f, &lb, low, err, errlen))
			return -1;
	}
	/*
	 * pc: hvmdm's own ACPI tables (xenfv: hvmloader builds them). Added last
	 * so the files above keep the selectors earlier releases gave them (a
	 * saved fw_cfg position names one).
	 */
	if (cfg->profile == PROFILE_PC) {
		struct acpi_pc_config ac = { .vcpus = cfg->vcpus, .ram_below_4g = low };

		for (unsigned int i = 0; i < m->nr_uarts; i++)
			ac.serial_mask |= 1u << i;
		if (acpi_add_to_fw_cfg(f, &ac, err, errlen))
			return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "fw_cfg: out of memory or too many files");
	return -1;
}

/* The PV drivers' unplug request (QEMU xen_platform.c pci_unplug_disks). */
static void platform_unplug(void *opaque, uint16_t mask)
{
	struct machine *m = opaque;

	/* The auxiliary bit wins: the primary master stays (QEMU does the same). */
	if (mask & (UNPLUG_ALL_IDE_DISKS | UNPLUG_AUX_IDE_DISKS))
		piix_ide_unplug_disks(&m->ide, mask & UNPLUG_AUX_IDE_DISKS);
	/* Every emulated NIC, its tap closed (QEMU's pci_unplug_nics and del_nic_peer). */
	if (mask & UNPLUG_ALL_NICS)
		for (unsigned int i = 0; i < m->nr_rtl8139; i++)
			rtl8139_unplug(&m->rtl8139[i]);
	if (mask & UNPLUG_ALL_NICS)
		for (unsigned int i = 0; i < m->nr_e1000; i++)
			e1000_unplug(&m->e1000[i]);
}

int machine_add(struct machine *m, const struct dev_ops *ops, void *dev, size_t state_off,
		unsigned int slot)
{
	if (m->nr_devs == m->cap_devs) {
		unsigned int cap = m->cap_devs ? m->cap_devs * 2 : 16;
		struct dm_device *d = realloc(m->devs, cap * sizeof(*d));

		if (!d)
			return -ENOMEM;
		m->devs = d;
		m->cap_devs = cap;
	}
	m->devs[m->nr_devs++] = (struct dm_device){ ops, dev, state_off, slot };
	return 0;
}

void machine_destroy(struct machine *m)
{
	/* The console first: its timer and VNC thread look at the card and the i8042. */
	if (m->has_console)
		console_destroy(&m->console);
	m->has_console = false;
	/* Devices before the backends they write to, in reverse order of creation. */
	for (unsigned int i = m->nr_devs; i-- > 0;)
		if (m->devs[i].ops->destroy)
			m->devs[i].ops->destroy(m->devs[i].dev);
	free(m->devs);
	m->devs = NULL;
	m->nr_devs = m->cap_devs = 0;
	for (unsigned int i = 0; i < m->nr_uarts; i++)
		chardev_close(&m->serial_backend[i]);
	m->nr_uarts = 0;
	if (m->has_debugcon)
		chardev_close(&m->debugcon_backend);
	m->has_debugcon = false;
	m->has_fw_cfg = m->has_rtc = m->has_ide = m->has_display = false;
	for (unsigned int i = 0; i < m->nr_nics; i++)
		netdev_close(&m->netdev[i]);
	m->nr_nics = m->nr_rtl8139 = m->nr_e1000 = 0;
	io_space_destroy(&m->io);
	io_space_destroy(&m->mmio);
	loop_destroy(&m->loop);
}

static void reset_devices(struct machine *m, bool wake)
{
	for (unsigned int devfn = 0; devfn < 256; devfn++)
		if (m->pci.devices[devfn])
			pci_device_reset(m->pci.devices[devfn]);
	for (unsigned int i = 0; i < m->nr_devs; i++) {
		const struct dev_ops *ops = m->devs[i].ops;

		if (wake && ops->wake_reset)
			ops->wake_reset(m->devs[i].dev);
		else if (ops->reset)
			ops->reset(m->devs[i].dev);
	}
}

void machine_reset(struct machine *m)
{
	reset_devices(m, false);
}

void machine_save_state(const struct machine *m, struct machine_state *st)
{
	memset(st, 0, sizeof(*st));
	st->profile = (uint8_t)m->cfg.profile;
	st->clock_ns = clock_now(&m->clock);
	st->pci_config_address = m->pci.config_address;
	for (unsigned int i = 0; i < m->nr_devs; i++)
		if (m->devs[i].ops->save)
			m->devs[i].ops->save(m->devs[i].dev, (uint8_t *)st + m->devs[i].state_off);
}

const char *machine_unsaveable(const struct machine *m)
{
	for (unsigned int i = 0; i < m->nr_devs; i++)
		if (!m->devs[i].ops->save)
			return m->devs[i].ops->name;
	return NULL;
}

int machine_check_state(const struct machine *m, const struct machine_state *st,
			const char **record, unsigned int *slot, char *err, size_t errlen)
{
	if (record)
		*record = NULL;
	if (slot)
		*slot = 0;
	if (st->profile != m->cfg.profile) {
		snprintf(err, errlen, "the state is for machine %s; this machine is %s",
			 profile_name((enum machine_profile)st->profile), profile_name(m->cfg.profile));
		return -1;
	}
	for (unsigned int i = 0; i < m->nr_devs; i++) {
		const struct dm_device *d = &m->devs[i];

		if (d->ops->check &&
		    d->ops->check(d->dev, (const uint8_t *)st + d->state_off, err, errlen)) {
			if (record)
				*record = d->ops->record;
			if (slot)
				*slot = d->slot;
			return -1;
		}
	}
	return 0;
}

void machine_load_state(struct machine *m, const struct machine_state *st)
{
	clock_set(&m->clock, st->clock_ns);
	m->pci.config_address = st->pci_config_address & PCI_CONFIG_ADDRESS_MASK;
	for (unsigned int i = 0; i < m->nr_devs; i++)
		if (m->devs[i].ops->load)
			m->devs[i].ops->load(m->devs[i].dev, (const uint8_t *)st + m->devs[i].state_off);
}

void machine_wake_reset(struct machine *m)
{
	reset_devices(m, true);
}

/* ---------------------------------------------------------------- the display */

#define VGA_BIOS_STDVGA "/usr/share/seabios/vgabios-stdvga.bin"
#define VGA_BIOS_CIRRUS "/usr/share/seabios/vgabios-cirrus.bin"

struct vga *machine_vga(struct machine *m)
{
	if (!m->has_display)
		return NULL;
	return m->cfg.display == DISPLAY_CIRRUS ? &m->cirrus.vga : &m->display.vga;
}

uint8_t *machine_vram(const struct machine *m, uint32_t *size)
{
	*size = 0;
	if (!m->has_display)
		return NULL;
	if (m->cfg.display == DISPLAY_CIRRUS) {
		*size = m->cirrus.vram_size;
		return m->cirrus.vram;
	}
	*size = m->display.vram_size;
	return m->display.vram;
}

static unsigned int stdvga_render(void *card, uint64_t now_ms)
{
	struct stdvga *s = card;

	stdvga_sync_dirty(s);
	return vga_render(&s->vga, &s->render, now_ms);
}

static struct display_surface *stdvga_surface(void *card)
{
	return &((struct stdvga *)card)->render.surface;
}

static unsigned int cirrus_render(void *card, uint64_t now_ms)
{
	struct cirrus *s = card;

	cirrus_sync_dirty(s);
	return vga_render(&s->vga, &s->render, now_ms);
}

static struct display_surface *cirrus_surface(void *card)
{
	return &((struct cirrus *)card)->render.surface;
}

/*
 * Host input goes where QEMU sends it: to the USB device of its kind that
 * is active (a keyboard from the start, a pointer once the guest polled
 * it), else to the i8042.
 */
static struct usb_hid *active_usb(struct machine *m, bool pointer)
{
	for (unsigned int i = 0; i < m->nr_usb_hid; i++)
		if (usb_hid_is_pointer(&m->usb_hid[i]) == pointer && usb_hid_active(&m->usb_hid[i]))
			return &m->usb_hid[i];
	return NULL;
}

static void display_key(void *opaque, uint16_t qnum, bool down)
{
	struct machine *m = opaque;
	struct usb_hid *kbd = active_usb(m, false);

	if (kbd)
		usb_hid_key(kbd, (uint16_t)((qnum & 0x80 ? 0xe000 : 0) | (qnum & 0x7f)), down);
	else
		i8042_host_key(&m->kbd, qnum, down);
}

/* PS/2 button bits (left 1, right 2, middle 4) as the USB ones. */
static unsigned int usb_buttons(uint8_t ps2)
{
	return ((ps2 & PS2_MOUSE_LEFT) ? USB_HID_BUTTON_LEFT : 0) |
	       ((ps2 & PS2_MOUSE_RIGHT) ? USB_HID_BUTTON_RIGHT : 0) |
	       ((ps2 & PS2_MOUSE_MIDDLE) ? USB_HID_BUTTON_MIDDLE : 0);
}

static void display_mouse(void *opaque, int dx, int dy, int dz, uint8_t buttons)
{
	struct machine *m = opaque;
	struct usb_hid *ptr = active_usb(m, true);

	if (ptr && !usb_hid_is_tablet(ptr))
		usb_hid_pointer_rel(ptr, dx, dy, dz, usb_buttons(buttons));
	else if (!ptr)
		i8042_host_mouse(&m->kbd, dx, dy, dz, buttons);
}

/* An absolute position: true when an active tablet took it (else relative motion follows). */
static bool display_pointer_abs(void *opaque, int x, int y, int width, int height, int dz,
				uint8_t buttons)
{
	struct machine *m = opaque;
	struct usb_hid *ptr = active_usb(m, true);

	if (!ptr || !usb_hid_is_tablet(ptr))
		return false;
	/*
	 * QEMU's VNC server scales x * 0x7fff / width, truncating (ui/vnc.c
	 * passes the range 0..width to qemu_input_queue_abs): the right-most
	 * pixel is short of 0x7fff. Measured on the stock qemu-xen 7.2 (e2e part
	 * usb: 719 of 720 arrives as 32721).
	 */
	x = width > 0 ? (int)((int64_t)x * 0x7fff / width) : 0;
	y = height > 0 ? (int)((int64_t)y * 0x7fff / height) : 0;
	usb_hid_pointer_abs_wheel(ptr, x, y, dz, usb_buttons(buttons));
	return true;
}

static uint8_t display_leds(void *opaque)
{
	return ((struct machine *)opaque)->kbd.kbd.leds;
}

/* The standard VGA (-device VGA), and the console's view of it. */
static int add_stdvga(struct machine *m, const uint8_t *rom, size_t len, uint8_t devfn,
		      struct console_card *card, char *err, size_t errlen)
{
	const struct machine_config *cfg = &m->cfg;

	if (stdvga_init(&m->display, &m->pci, &m->io, &m->mmio,
			&(struct stdvga_config){
				.vram_mb = cfg->vgamem_mb,
				.rom = rom,
				.rom_size = len,
				.subsys_vendor = QEMU_SUBSYS_VENDOR,
				.subsys_id = QEMU_SUBSYS_ID,
				.devfn = devfn,
				.vram_from_incoming = cfg->incoming,
			},
			err, errlen))
		return -1;
	m->has_display = true;
	if (machine_add(m, &stdvga_ops, &m->display, offsetof(struct machine_state, vga), 0)) {
		stdvga_destroy(&m->display);
		m->has_display = false;
		snprintf(err, errlen, "-device VGA: out of memory");
		return -1;
	}
	*card = (struct console_card){ stdvga_render, stdvga_surface, &m->display };
	return 0;
}

/*
 * The Cirrus (-device cirrus-vga): QEMU's subsystem IDs, or on the
 * traditional machine the XenSource ones qemu-xen-traditional's card had
 * (hw/cirrus_vga.c pci_cirrus_vga_init).
 */
static int add_cirrus(struct machine *m, const uint8_t *rom, size_t len, uint8_t devfn,
		      struct console_card *card, char *err, size_t errlen)
{
	const struct machine_config *cfg = &m->cfg;
	bool trad = cfg->profile == PROFILE_XENFV_TRAD;

	if (cirrus_init(&m->cirrus, &m->pci, &m->io, &m->mmio,
			&(struct cirrus_config){
				.vram_mb = cfg->vgamem_mb,
				.rom = rom,
				.rom_size = len,
				.subsys_vendor = trad ? XEN_SUBSYS_VENDOR : QEMU_SUBSYS_VENDOR,
				.subsys_id = trad ? XEN_SUBSYS_ID : QEMU_SUBSYS_ID,
				.devfn = devfn,
				.vram_from_incoming = cfg->incoming,
			},
			err, errlen))
		return -1;
	m->has_display = true;
	if (machine_add(m, &cirrus_ops, &m->cirrus, offsetof(struct machine_state, cirrus), 0)) {
		cirrus_destroy(&m->cirrus);
		m->has_display = false;
		snprintf(err, errlen, "-device cirrus-vga: out of memory");
		return -1;
	}
	*card = (struct console_card){ cirrus_render, cirrus_surface, &m->cirrus };
	return 0;
}

/*
 * The card in the slot the stock device model gives it (xenfv: after the
 * platform device, as qemu-xen's -device lands; xenfv-trad and pc: slot 2),
 * then the console that shows it and takes the keyboard and mouse.
 */
static int add_display(struct machine *m, char *err, size_t errlen)
{
	const struct machine_config *cfg = &m->cfg;
	bool cirrus = cfg->display == DISPLAY_CIRRUS;
	const char *what = cirrus ? "-device cirrus-vga: the VGA BIOS" : "-device VGA: the VGA BIOS";
	const char *bios = cfg->vga_bios ? cfg->vga_bios : cirrus ? VGA_BIOS_CIRRUS : VGA_BIOS_STDVGA;
	/* pc,accel=xen (xen_platform_pci=0) has no platform device: the card takes slot 2, as in QEMU. */
	uint8_t devfn = cfg->profile == PROFILE_XENFV && !cfg->no_platform_pci ? PCI_DEVFN(3, 0) : PCI_DEVFN(2, 0);
	struct console_card card;
	size_t len;
	uint8_t *rom = read_rom_file(what, bios, VGA_BIOS_MAX, &len, err, errlen);
	int rc;

	/* Debian's seabios package has both. */
	if (!rom)
		return -1;
	rc = cirrus ? add_cirrus(m, rom, len, devfn, &card, err, errlen)
		    : add_stdvga(m, rom, len, devfn, &card, err, errlen);
	free(rom);
	if (rc)
		return -1;
	if (console_init(&m->console, &card,
			 &(struct console_input){ .key = display_key, .mouse = display_mouse,
						  .pointer_abs = display_pointer_abs, .leds = display_leds,
						  .opaque = m },
			 &m->clock, &m->loop, cfg->vnc ? &cfg->vnc_cfg : NULL, cfg->keymap, err, errlen))
		return -1;
	m->has_console = true;
	return 0;
}

/* ---------------------------------------------------------------- USB */

/* QEMU's automatic 8-port hub on the UHCI's root port cfg.usb_hub_port. */
static int add_usb_hub(struct machine *m, char *err, size_t errlen)
{
	char path[32];

	snprintf(path, sizeof(path), "0000:00:01.2-%u", m->cfg.usb_hub_port);
	if (usb_hub_init(&m->usb_hub, &(struct usb_hub_config){ .path = path }, err, errlen))
		return -1;
	m->has_usb_hub = true;
	if (machine_add(m, &usb_hub_ops, &m->usb_hub, offsetof(struct machine_state, usb_hub), 0)) {
		usb_hub_destroy(&m->usb_hub);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (uhci_attach(&m->uhci, m->cfg.usb_hub_port - 1, &m->usb_hub.dev)) {
		snprintf(err, errlen, "-usbdevice: root port %u is taken", m->cfg.usb_hub_port);
		return -1;
	}
	return 0;
}

/*
 * The PIIX3 UHCI at 00:01.2, as QEMU's pc_init1 creates it for -usb, and the
 * HID devices on its root ports. Under xenfv their serial string is "42"
 * (QEMU's hw_compat_3_1, which the xenfv machine carries); elsewhere QEMU's
 * generated "<prefix>-<controller>-<port>".
 */
static int add_usb(struct machine *m, char *err, size_t errlen)
{
	const struct machine_config *cfg = &m->cfg;
	bool xen = cfg->profile != PROFILE_PC;
	unsigned int nr_ptr = 0, nr_kbd = 0;

	if (uhci_init(&m->uhci, &m->pci, m->accel, &(struct uhci_config){ .devfn = PCI_DEVFN(1, 2), .clock = &m->clock },
		      err, errlen))
		return -1;
	m->has_uhci = true;
	if (machine_add(m, &uhci_ops, &m->uhci, offsetof(struct machine_state, uhci), 0)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned int i = 0; i < cfg->nr_usb; i++) {
		const struct machine_usb *u = &cfg->usb_dev[i];
		struct usb_hid *h = &m->usb_hid[i];
		char path[32];
		int rc;

		if (cfg->usb_hub_port && cfg->usb_hub_before == i && add_usb_hub(m, err, errlen))
			return -1;
		if (u->hub_port)
			snprintf(path, sizeof(path), "0000:00:01.2-%u.%u", u->port, u->hub_port);
		else
			snprintf(path, sizeof(path), "0000:00:01.2-%u", u->port);
		if (usb_hid_init(h, &(struct usb_hid_config){ .kind = u->kind, .serial = xen ? "42" : NULL,
							     .path = path, .clock = &m->clock },
				 err, errlen))
			return -1;
		m->nr_usb_hid = i + 1;
		/* Each kind's slot: its place among the devices of its record (usb-ptr, usb-kbd). */
		if (u->kind == USB_HID_KEYBOARD)
			rc = machine_add(m, &usb_kbd_ops, h,
					 offsetof(struct machine_state, usb_kbd) + nr_kbd * sizeof(struct usb_hid_saved), nr_kbd);
		else
			rc = machine_add(m, &usb_ptr_ops, h,
					 offsetof(struct machine_state, usb_ptr) + nr_ptr * sizeof(struct usb_hid_saved), nr_ptr);
		if (u->kind == USB_HID_KEYBOARD)
			nr_kbd++;
		else
			nr_ptr++;
		if (rc) {
			usb_hid_destroy(h);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (u->hub_port)
			rc = m->has_usb_hub && u->port == cfg->usb_hub_port ?
				     usb_hub_attach(&m->usb_hub, u->hub_port - 1, &h->dev) : -1;
		else
			rc = uhci_attach(&m->uhci, u->port - 1, &h->dev);
		if (rc) {
			snprintf(err, errlen, "-device: USB port %s is taken or does not exist", path + 13);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- the NICs */

/* QEMU's romfiles for its NICs, from Debian's ipxe-qemu (qemu-system-xen depends on it too). */
#define NIC_ROM_RTL8139 "/usr/lib/ipxe/qemu/efi-rtl8139.rom"
#define NIC_ROM_E1000 "/usr/lib/ipxe/qemu/efi-e1000.rom"

/* One NIC of its model at devfn, its backend open in m->netdev[i]. */
static int create_nic(struct machine *m, unsigned int i, uint8_t devfn, const uint8_t *rom,
		      size_t rom_len, char *err, size_t errlen)
{
	const struct machine_nic *nic = &m->cfg.nic[i];
	bool trad = m->cfg.profile == PROFILE_XENFV_TRAD;
	uint16_t sub_vendor = trad ? XEN_SUBSYS_VENDOR : QEMU_SUBSYS_VENDOR;
	uint16_t sub_id = trad ? XEN_SUBSYS_ID : QEMU_SUBSYS_ID;
	struct netdev *nd = nic->netdev.kind == NETDEV_NONE ? NULL : &m->netdev[i];
	const char *model = nic->model == NIC_E1000 ? "e1000" : "rtl8139";
	int rc;

	if (nic->model == NIC_E1000) {
		struct e1000 *s = &m->e1000[m->nr_e1000];
		unsigned int k = m->nr_e1000;

		rc = e1000_init(s, &m->pci, m->accel,
				&(struct e1000_config){ .devfn = devfn, .subsys_vendor = sub_vendor,
							.subsys_id = sub_id, .netdev = nd, .clock = &m->clock,
							.mac = { nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3],
								 nic->mac[4], nic->mac[5] },
							.rom = rom, .rom_size = rom_len },
				err, errlen);
		if (rc)
			return -1;
		if (machine_add(m, &e1000_ops, s, offsetof(struct machine_state, e1000) + k * sizeof(struct e1000_state), k)) {
			e1000_destroy(s);
			goto nomem;
		}
		m->nr_e1000++;
		if (e1000_attach_loop(s, &m->loop))
			goto nomem;
	} else {
		struct rtl8139 *s = &m->rtl8139[m->nr_rtl8139];
		unsigned int k = m->nr_rtl8139;

		rc = rtl8139_init(s, &m->pci, m->accel,
				  &(struct rtl8139_config){ .devfn = devfn, .subsys_vendor = sub_vendor,
							    .subsys_id = sub_id, .netdev = nd, .clock = &m->clock,
							    .mac = { nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3],
								     nic->mac[4], nic->mac[5] },
							    .rom = rom, .rom_size = rom_len },
				  err, errlen);
		if (rc)
			return -1;
		if (machine_add(m, &rtl8139_ops, s, offsetof(struct machine_state, nic) + k * sizeof(struct rtl8139_state), k)) {
			rtl8139_destroy(s);
			goto nomem;
		}
		m->nr_rtl8139++;
		if (rtl8139_attach_loop(s, &m->loop))
			goto nomem;
	}
	if (m->netdev[i].ifname[0])
		log_info(model, "%s: %02x:%02x:%02x:%02x:%02x:%02x at 00:%02x.0 on tap %s", nic->id,
			 nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5],
			 PCI_SLOT(devfn), m->netdev[i].ifname);
	return 0;
nomem:
	snprintf(err, errlen, "-device %s,id=%s: out of memory", model, nic->id);
	return -1;
}

/*
 * Each NIC in argv order on the lowest free slot, as QEMU places -devices
 * without addr= (libxl gives none): under xenfv the first after the platform
 * device and the display. Its backend is opened here -- a tap exists before
 * hvmdm reports ready, for libxl's vif-bridge to attach.
 */
static int add_nics(struct machine *m, char *err, size_t errlen)
{
	const struct machine_config *cfg = &m->cfg;

	for (unsigned int i = 0; i < cfg->nr_nics; i++) {
		const struct machine_nic *nic = &cfg->nic[i];
		const char *model = nic->model == NIC_E1000 ? "e1000" : "rtl8139";
		unsigned int slot = 2;

		if (nic->devfn) {
			slot = PCI_SLOT(nic->devfn);
			if (PCI_FUNC(nic->devfn) || m->pci.devices[nic->devfn]) {
				snprintf(err, errlen, "-device %s,id=%s: PCI function %02x.%u is taken", model,
					 nic->id, slot, PCI_FUNC(nic->devfn));
				return -1;
			}
		}
		while (!nic->devfn && slot < 32 && m->pci.devices[PCI_DEVFN(slot, 0)])
			slot++;
		if (slot == 32) {
			snprintf(err, errlen, "-device %s,id=%s: no free PCI slot", model, nic->id);
			return -1;
		}
		const char *romfile = nic->romfile ? nic->romfile
					: nic->model == NIC_E1000 ? NIC_ROM_E1000 : NIC_ROM_RTL8139;
		uint8_t *rom = NULL;
		size_t rom_len = 0;
		char what[128];
		int rc;

		snprintf(what, sizeof(what),
			 "-device %s: its option ROM (package ipxe-qemu; romfile= to name another, romfile= empty for none)",
			 model);
		if (*romfile && !(rom = read_rom_file(what, romfile, OPTION_ROM_MAX, &rom_len, err, errlen)))
			return -1;
		if (netdev_open(&m->netdev[i], &nic->netdev, err, errlen)) {
			free(rom);
			return -1;
		}
		m->nr_nics = i + 1; /* from here on destroy closes its backend */
		rc = create_nic(m, i, PCI_DEVFN(slot, 0), rom, rom_len, err, errlen);
		free(rom);
		if (rc)
			return -1;
	}
	return 0;
}

/*
 * -boot order= in CMOS 0x3d and 0x38, a nibble per device (1 floppy, 2 disk,
 * 3 CD-ROM, 4 network), as QEMU's pc board writes them (hw/i386/pc.c
 * set_boot_dev) and SeaBIOS reads them (src/boot.c boot_init). Under Xen
 * these indexes are the device model's: Xen forwards CMOS from 0x0e on.
 * Bit 0 of 0x38 stays 0: the floppy's boot signature is checked.
 */
static void set_boot_order(struct machine *m)
{
	uint8_t nib[3] = { 0, 0, 0 };

	for (unsigned int i = 0; i < 3 && m->cfg.boot_order[i]; i++) {
		switch (m->cfg.boot_order[i]) {
		case 'a': case 'b': nib[i] = 1; break;
		case 'c': nib[i] = 2; break;
		case 'd': nib[i] = 3; break;
		case 'n': nib[i] = 4; break;
		}
	}
	mc146818_set_nvram(&m->rtc, 0x3d, (uint8_t)(nib[1] << 4 | nib[0]));
	mc146818_set_nvram(&m->rtc, 0x38, (uint8_t)(nib[2] << 4));
}

int machine_create(struct machine *m, const struct machine_config *cfg, struct accel *accel,
		   uint64_t (*clock_source)(void *), void *clock_opaque, char *err,
		   size_t errlen)
{
	bool trad;
	int rc;

	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->accel = accel;
	if (cfg->vcpus == 0 || cfg->vcpus > MACHINE_MAX_VCPUS) {
		snprintf(err, errlen, "-smp %u: between 1 and %u vCPUs", cfg->vcpus,
			 MACHINE_MAX_VCPUS);
		return -1;
	}
	if (cfg->nr_serial > MACHINE_MAX_SERIAL) {
		snprintf(err, errlen, "-serial: at most %u serial ports", MACHINE_MAX_SERIAL);
		return -1;
	}
	clock_init(&m->clock, clock_source, clock_opaque);
	loop_init(&m->loop, &m->clock);
	io_space_init(&m->io, IO_SPACE_PORT, accel);
	io_space_init(&m->mmio, IO_SPACE_MMIO, accel);
	pci_bus_init(&m->pci, &m->io, &m->mmio, accel);

	/*
	 * Devices in the order they are reset, saved and loaded (machine_add
	 * right after each is created, so a failure destroys exactly what exists).
	 */
	/*
	 * Devices take a configuration, never the profile: what differs between
	 * the device models whose guests hvmdm takes over is decided here.
	 */
	trad = profile_is_trad(cfg->profile);
	rc = pci_host_claim_ports(&m->pci);
	if (!rc)
		rc = i440fx_init(&m->i440fx, &m->pci,
				 trad ? &(struct i440fx_config){ 0, 0 }
				      : &(struct i440fx_config){ SMRAM_C_BASE_SEG, 0x08 });
	if (!rc)
		rc = machine_add(m, &i440fx_ops, &m->i440fx, offsetof(struct machine_state, i440fx), 0);
	if (!rc)
		rc = piix3_init(&m->piix3, &m->pci, accel, trad ? 0x0007 : 0x0000);
	if (!rc)
		rc = machine_add(m, &piix3_ops, &m->piix3, offsetof(struct machine_state, piix3), 0);
	if (!rc)
		rc = piix4_pm_init(&m->pm, &m->pci, &m->io, accel, &m->clock,
				   &(struct piix4_pm_config){
					   .trad_layout = profile_is_trad(cfg->profile),
					   .pm_timer = cfg->profile == PROFILE_PC,
					   .vcpus = cfg->vcpus,
					   .machine = profile_name(cfg->profile),
				   });
	if (!rc)
		rc = machine_add(m, &piix4_pm_ops, &m->pm, offsetof(struct machine_state, pm), 0);
	/* qemu-xen-traditional's PIIX3 IDE says XenSource (hw/ide.c pci_piix3_ide_init: 0x2c-0x2f). */
	if (!rc && piix_ide_init(&m->ide, &m->pci, &m->io, accel,
				 &(struct piix_ide_config){
					 .subsys_vendor = trad ? XEN_SUBSYS_VENDOR : QEMU_SUBSYS_VENDOR,
					 .subsys_id = trad ? XEN_SUBSYS_ID : QEMU_SUBSYS_ID,
					 /* a cold boot's drives are QEMU's, so the guest can move to qemu-xen and back */
					 .identity = IDE_IDENTITY_QEMU,
					 .drives = cfg->ide,
				 },
				 err, errlen))
		goto fail;
	if (!rc) {
		m->has_ide = true;
		rc = machine_add(m, &piix_ide_ops, &m->ide, offsetof(struct machine_state, ide), 0);
	}
	if (!rc && cfg->profile != PROFILE_PC && !cfg->no_platform_pci) {
		rc = xen_platform_init(&m->platform, &m->pci, &m->io, accel,
				       trad ? PCI_DEVFN(3, 0) : PCI_DEVFN(2, 0));
		m->has_platform = rc == 0;
		m->platform.unplug = platform_unplug;
		m->platform.unplug_opaque = m;
		if (!rc)
			rc = machine_add(m, &xen_platform_ops, &m->platform,
					 offsetof(struct machine_state, platform), 0);
	}
	for (unsigned int i = 0; !rc && i < cfg->nr_serial; i++) {
		if (chardev_open(&m->serial_backend[i], cfg->serial[i], err, errlen))
			goto fail;
		m->nr_uarts = i + 1; /* from here on destroy closes it */
		if (uart_init(&m->uart[i], serial_name[i], &m->io, serial_base[i], serial_irq[i],
			      accel, &m->clock, &m->serial_backend[i])) {
			snprintf(err, errlen, "-serial %s: cannot claim port %#x", cfg->serial[i],
				 serial_base[i]);
			goto fail;
		}
		if (uart_attach_loop(&m->uart[i], &m->loop)) {
			snprintf(err, errlen, "-serial %s: out of memory", cfg->serial[i]);
			goto fail;
		}
		rc = machine_add(m, &uart_dev_ops, &m->uart[i],
				 offsetof(struct machine_state, uart) + i * sizeof(struct uart_state), i);
	}
	if (!rc && cfg->debugcon) {
		if (chardev_open(&m->debugcon_backend, cfg->debugcon, err, errlen))
			goto fail;
		m->has_debugcon = true;
		if (debugcon_init(&m->debugcon, &m->io, &m->debugcon_backend)) {
			snprintf(err, errlen, "-debugcon %s: cannot claim port 0x402", cfg->debugcon);
			goto fail;
		}
	}
	if (!rc)
		rc = i8042_init(&m->kbd, &m->io, accel);
	if (!rc)
		rc = machine_add(m, &i8042_ops, &m->kbd, offsetof(struct machine_state, kbd), 0);
	if ((cfg->nr_option_roms || cfg->kernel) && profile_is_trad(cfg->profile)) {
		snprintf(err, errlen, "%s: machine %s has no fw_cfg to hand it to the firmware (xenfv and pc have)",
			 cfg->kernel ? "-kernel" : "-option-rom", profile_name(cfg->profile));
		goto fail;
	}
	if (!cfg->kernel && (cfg->initrd || cfg->append)) {
		snprintf(err, errlen, "%s needs -kernel", cfg->initrd ? "-initrd" : "-append");
		goto fail;
	}
	/*
	 * CMOS: the whole chip for pc; under Xen only its NVRAM, which both Xen
	 * device models also have (S3 resume is flagged there, index 0x0f).
	 */
	if (!rc && cfg->profile != PROFILE_PC)
		rc = mc146818_init_nvram(&m->rtc, &m->io, accel);
	if (!rc && cfg->profile == PROFILE_PC) {
		uint64_t ram = cfg->ram_mib << 20, low = machine_ram_below_4g(cfg);

		rc = mc146818_init(&m->rtc, &m->io, accel, &m->clock);
		if (!rc)
			mc146818_set_memory(&m->rtc, low, ram - low, cfg->vcpus);
	}
	if (!rc) {
		m->has_rtc = true;
		set_boot_order(m);
		rc = machine_add(m, &mc146818_ops, &m->rtc, offsetof(struct machine_state, rtc), 0);
	}
	/*
	 * fw_cfg: pc always; xenfv with option ROMs (libxl: device_model_args_hvm)
	 * or a kernel (libxl: kernel=, ramdisk=, cmdline=) to hand to SeaBIOS.
	 */
	if (!rc && (cfg->profile == PROFILE_PC ||
		    (cfg->profile == PROFILE_XENFV && (cfg->nr_option_roms || cfg->kernel || cfg->fw_cfg)))) {
		rc = fw_cfg_init(&m->fw_cfg, &m->io, accel);
		m->has_fw_cfg = true; /* items to free even if the claim failed */
		if (machine_add(m, &fw_cfg_ops, &m->fw_cfg, offsetof(struct machine_state, fw_cfg), 0)) {
			fw_cfg_destroy(&m->fw_cfg);
			rc = -ENOMEM;
		}
		if (!rc && fill_fw_cfg(m, err, errlen)) {
			machine_destroy(m);
			return -1;
		}
	}
	if (rc) {
		snprintf(err, errlen, "-machine %s: cannot assemble the chipset (error %d)",
			 profile_name(cfg->profile), rc);
		goto fail;
	}
	if (cfg->display != DISPLAY_NONE && add_display(m, err, errlen))
		goto fail;
	if (cfg->nr_nics && add_nics(m, err, errlen))
		goto fail;
	if (cfg->usb && add_usb(m, err, errlen))
		goto fail;
	if (cfg->vnc && cfg->display == DISPLAY_NONE) {
		snprintf(err, errlen, "-vnc: there is no display to show (add -device cirrus-vga or VGA; xl: no vga= line, or vga=\"stdvga\"; or vnc=0)");
		goto fail;
	}
	/* Power-on is a reset, as in QEMU: devices start in their reset state. */
	machine_reset(m);
	return 0;
fail:
	machine_destroy(m);
	return -1;
}
