// SPDX-License-Identifier: GPL-2.0-only
/* The command line: what it accepts, and that refusals name the option. */
#include "testlib.h"

#include "../../vm/options.h"

static int parse(struct options *o, char *err, const char *a0, ...)
{
	char *argv[32] = { "hvmdm" };
	int argc = 1;
	va_list ap;

	va_start(ap, a0);
	for (const char *a = a0; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	return options_parse(o, argc, argv, err, 256);
}

static void test_accepts(void **state)
{
	struct options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, NULL), 0);
	assert_int_equal(o.mode, MODE_RUN);
	assert_int_equal(o.machine.profile, PROFILE_XENFV);
	assert_int_equal(o.machine.vcpus, 1);
	assert_int_equal(parse(&o, err, "-machine", "xenfv,suppress-vmdesc=on", "-m", "56", "-smp",
			       "4", "-serial", "pty", "--serial", "file:/tmp/x", "-selfcheck", NULL), 0);
	assert_int_equal(o.mode, MODE_SELFCHECK);
	assert_int_equal(o.machine.ram_mib, 56);
	assert_int_equal(o.machine.vcpus, 4);
	assert_int_equal(o.machine.nr_serial, 2);
	assert_string_equal(o.machine.serial[1], "file:/tmp/x");
	assert_int_equal(parse(&o, err, "-M", "xenfv-trad", "-m", "2G", NULL), 0);
	assert_int_equal(o.machine.profile, PROFILE_XENFV_TRAD);
	assert_int_equal(o.machine.ram_mib, 2048);
	assert_int_equal(parse(&o, err, "-machine", "pc", "-help", NULL), 0);
	assert_int_equal(o.mode, MODE_HELP);
	/* KVM: machine pc by default, the BIOS and debug port options. */
	assert_int_equal(parse(&o, err, "-accel", "kvm", "-bios", "/x.bin", "-debugcon", "stdio", NULL), 0);
	assert_int_equal(o.accel, ACCEL_KVM);
	assert_int_equal(o.machine.profile, PROFILE_PC);
	assert_string_equal(o.bios, "/x.bin");
	assert_string_equal(o.machine.debugcon, "stdio");
	assert_int_equal(parse(&o, err, "-enable-kvm", "-M", "pc", NULL), 0);
	assert_string_equal(o.bios, DEFAULT_BIOS);
	/* Xen: the argv libxl 4.17 builds (reference/xen-captures/argv-qemu-xen-min.txt, vga="none"). */
	assert_int_equal(parse(&o, err, "-xen-domid", "7", "-no-shutdown", "-chardev",
			       "socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-7,server=on,wait=off",
			       "-mon", "chardev=libxl-cmd,mode=control", "-chardev",
			       "socket,id=libxenstat-cmd,path=/var/run/xen/qmp-libxenstat-7,server=on,wait=off",
			       "-mon", "chardev=libxenstat-cmd,mode=control", "-nodefaults",
			       "-no-user-config", "-name", "g", "-vnc", "none", "-display", "none",
			       "-serial", "pty", "-nographic", "-boot", "order=c", "-smp", "2,maxcpus=4",
			       "-net", "none", "-incoming", "fd:15", "-machine",
			       "xenfv,suppress-vmdesc=on,max-ram-below-4g=3758096384", "-m", "56", NULL), 0);
	assert_int_equal(o.accel, ACCEL_XEN);
	assert_int_equal(o.xen_domid, 7);
	assert_int_equal(o.nr_qmp, 2);
	assert_string_equal(o.qmp_path[1], "/var/run/xen/qmp-libxenstat-7");
	assert_string_equal(o.qmp_label[0], "libxl-cmd");
	assert_int_equal(o.machine.vcpus, 2);
	assert_int_equal(o.max_vcpus, 4);
	assert_string_equal(o.incoming, "fd:15");
	assert_int_equal(o.machine.profile, PROFILE_XENFV);
	assert_int_equal(parse(&o, err, "-xen-domid", "7", "-xen-domid-restrict", "-chroot",
			       "/var/run/xen/qemu-root-7", "-runas", "xen-qemuuser-range-base", NULL), 0);
	assert_true(o.xen_restrict);
	assert_string_equal(o.chroot_dir, "/var/run/xen/qemu-root-7");
	/* libxl's emulated vifs (libxl_dm.c): -device before its -netdev, MACs in lower case. */
	assert_int_equal(parse(&o, err, "-xen-domid", "5", "-device", "rtl8139,id=nic0,netdev=net0,mac=00:16:3e:12:34:56",
			       "-netdev", "type=tap,id=net0,ifname=vif5.0-emu,br=xenbr0,script=no,downscript=no",
			       "-device", "rtl8139,id=nic1,netdev=net1,mac=00:16:3e:ab:cd:ef",
			       "-netdev", "type=tap,id=net1,ifname=vif5.1-emu,br=xenbr1,script=no,downscript=no", NULL), 0);
	assert_int_equal(o.machine.nr_nics, 2);
	assert_string_equal(o.machine.nic[0].netdev.ifname, "vif5.0-emu");
	assert_int_equal(o.machine.nic[0].netdev.kind, NETDEV_TAP);
	assert_int_equal(o.machine.nic[1].mac[3], 0xab);
	assert_int_equal(o.machine.nic[1].mac[5], 0xef);
	assert_string_equal(o.machine.nic[1].netdev.id, "net1");
	/* QEMU's spellings: tap first, a socket by descriptor, the default MAC. */
	assert_int_equal(parse(&o, err, "-netdev", "socket,id=s,fd=7", "-device", "rtl8139,netdev=s", NULL), 0);
	assert_int_equal(o.machine.nic[0].netdev.kind, NETDEV_SOCKET);
	assert_int_equal(o.machine.nic[0].netdev.fd, 7);
	assert_int_equal(o.machine.nic[0].mac[0], 0x52);
	assert_int_equal(o.machine.nic[0].mac[5], 0x56);
	assert_null(o.machine.nic[0].romfile); /* iPXE's, as QEMU's */
	assert_int_equal(parse(&o, err, "-netdev", "socket,id=s,fd=7", "-device", "rtl8139,netdev=s,romfile=,bootindex=1", NULL), 0);
	assert_string_equal(o.machine.nic[0].romfile, "");
	assert_int_equal(o.machine.nic[0].model, NIC_RTL8139);
	assert_int_equal(parse(&o, err, "-boot", "order=dn", NULL), 0);
	assert_string_equal(o.machine.boot_order, "dn");
	/* model=e1000: the 82540EM, beside an rtl8139 in argv order. */
	assert_int_equal(parse(&o, err, "-device", "rtl8139,id=nic0,netdev=net0", "-netdev", "socket,id=net0,fd=7",
			       "-device", "e1000,id=nic1,netdev=net1,mac=00:16:3e:00:00:02", "-netdev",
			       "socket,id=net1,fd=8", NULL), 0);
	assert_int_equal(o.machine.nr_nics, 2);
	assert_int_equal(o.machine.nic[0].model, NIC_RTL8139);
	assert_int_equal(o.machine.nic[1].model, NIC_E1000);
	assert_int_equal(o.machine.nic[1].mac[5], 2);
	assert_int_equal(parse(&o, err, "-device", "e1000-82540em,netdev=n", "-netdev", "socket,id=n,fd=7", NULL), 0);
	assert_int_equal(o.machine.nic[0].model, NIC_E1000);
	/* libxl 4.20's probe instance */
	assert_int_equal(parse(&o, err, "-S", "-machine", "none,accel=xen", "-chardev",
			       "socket,id=libxl-cmd,fd=9,server=on,wait=off", "-mon",
			       "chardev=libxl-cmd,mode=control", NULL), 0);
	assert_true(o.machine_none);
	assert_string_equal(o.qmp_path[0], "fd=9");
}

static void expect_refused(const char *needle, ...)
{
	struct options o;
	char err[256] = "";
	char *argv[16] = { "hvmdm" };
	int argc = 1;
	va_list ap;

	va_start(ap, needle);
	for (const char *a = va_arg(ap, const char *); a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	assert_int_not_equal(options_parse(&o, argc, argv, err, sizeof(err)), 0);
	if (!strstr(err, needle))
		fail_msg("message \"%s\" does not name \"%s\"", err, needle);
}

/* libxl's disk forms (reference/xen-captures/argv-qemu-xen-disk-nic-env-fds.txt) and QEMU's short ones. */
static void test_drives(void **state)
{
	struct options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, "-drive",
			       "file=/var/lib/xen/images/d,,1.img,if=ide,index=0,media=disk,format=raw,cache=writeback",
			       "-drive", "if=none,readonly=on,id=ide-5632", "-device",
			       "ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0", NULL), 0);
	assert_int_equal(o.machine.ide[0].kind, IDE_KIND_DISK);
	assert_string_equal(o.machine.ide[0].path, "/var/lib/xen/images/d,1.img"); /* ",," is a comma */
	assert_false(o.machine.ide[0].read_only);
	assert_int_equal(o.machine.ide[1].kind, IDE_KIND_NONE);
	assert_int_equal(o.machine.ide[2].kind, IDE_KIND_CD);
	assert_null(o.machine.ide[2].path); /* an empty drive */
	assert_true(o.machine.ide[2].read_only);
	assert_int_equal(parse(&o, err, "-drive", "if=none,readonly=on,id=cd,file=/x.iso,format=raw",
			       "-device", "ide-cd,drive=cd,bus=ide.0,unit=1", "-drive",
			       "file=/y.img,if=ide,media=disk,readonly=on", NULL), 0);
	assert_int_equal(o.machine.ide[1].kind, IDE_KIND_CD);
	assert_string_equal(o.machine.ide[1].path, "/x.iso");
	assert_int_equal(o.machine.ide[0].kind, IDE_KIND_DISK); /* the first free position */
	assert_true(o.machine.ide[0].read_only);
	assert_int_equal(parse(&o, err, "-hdb", "/b.img", "-cdrom", "/c.iso", "-drive",
			       "file=/d.img,if=ide,index=3,media=cdrom", NULL), 0);
	assert_int_equal(o.machine.ide[1].kind, IDE_KIND_DISK);
	assert_int_equal(o.machine.ide[2].kind, IDE_KIND_CD);
	assert_string_equal(o.machine.ide[2].path, "/c.iso");
	assert_int_equal(o.machine.ide[3].kind, IDE_KIND_CD);
	assert_true(o.machine.ide[3].read_only);
}

static void test_refuses(void **state)
{
	(void)state;
	expect_refused("-machine q35", "-machine", "q35", NULL);
	expect_refused("suppress-vmdesc=off", "-machine", "xenfv,suppress-vmdesc=off", NULL);
	/* libxl's qemu-xen-traditional argv (reference/xen-captures/argv-override-qemu-xen-traditional.txt). */
	expect_refused("device_model_version=\"qemu-xen\"", "-d", "3", "-domain-name", "hvmtrad", "-nographic",
		       "-serial", "pty", "-nographic", "-videoram", "4", "-boot", "c", "-acpi", "-vcpu_avail",
		       NULL);
	expect_refused("-m 0", "-m", "0", NULL);
	expect_refused("-m 12X", "-m", "12X", NULL);
	expect_refused("-m 99999999999999999999", "-m", "99999999999999999999", NULL);
	expect_refused("-smp 0", "-smp", "0", NULL);
	expect_refused("-smp 129", "-smp", "129", NULL);
	expect_refused("-smp 2x", "-smp", "2x", NULL);
	expect_refused("-serial", "-serial", NULL, NULL);
	expect_refused("-accel tcg", "-accel", "tcg", NULL);
	{
		struct options o;
		char err[256];

		assert_int_not_equal(parse(&o, err, "-accel", "kvm", "-machine", "xenfv", NULL), 0);
		assert_non_null(strstr(err, "needs Xen"));
		assert_int_equal(parse(&o, err, "-accel", "kvm", "-smp", "4", NULL), 0);
		assert_int_equal(o.machine.vcpus, 4);
	}
	expect_refused("-xen-domid 0", "-xen-domid", "0", NULL);
	expect_refused("-xen-domid 3x", "-xen-domid", "3x", NULL);
	/* What libxl asks for that hvmdm does not build names the xl setting to change. */
	expect_refused("vga=\"cirrus\"", "-device", "qxl-vga,vram_size_mb=8,ram_size_mb=8", NULL);
	/* libxl's emulated NIC and USB arguments (reference/11-nic-usb.md) name the xl settings. */
	/* Emulated NICs: what libxl may paste into -device that is not built, and broken pairs. */
	expect_refused("model=rtl8139", "-device", "e1000e,id=nic0,netdev=net0,mac=00:16:3e:00:00:01", NULL);
	/* xl's boot=: at most three of a, b, c, d, n, as order= */
	expect_refused("at most three", "-boot", "order=cdna", NULL);
	expect_refused("n (network)", "-boot", "order=cx", NULL);
	expect_refused("only order=", "-boot", "once=d", NULL);
	expect_refused("only order=", "-boot", "order=n,menu=on", NULL);
	expect_refused("model=rtl8139", "-device", "virtio-net-pci,id=nic0,netdev=net0", NULL);
	expect_refused("no -device NIC uses it", "-netdev", "type=tap,id=net0,ifname=vif1.0-emu,script=no,downscript=no", NULL);
	expect_refused("names no -netdev", "-device", "rtl8139,id=nic0,netdev=net0,mac=00:16:3e:00:00:01", NULL);
	expect_refused("already has a NIC", "-device", "rtl8139,netdev=n", "-device", "rtl8139,netdev=n",
		       "-netdev", "tap,id=n,ifname=t0", NULL);
	expect_refused("runs no scripts", "-netdev", "type=tap,id=n,ifname=t0,script=/etc/qemu-ifup", NULL);
	expect_refused("only type=tap", "-netdev", "type=user,id=n", NULL);
	expect_refused("needs fd=N", "-netdev", "socket,id=n", NULL);
	expect_refused("needs id=", "-netdev", "tap,ifname=t0", NULL);
	expect_refused("1 to 15 characters", "-netdev", "tap,id=n,ifname=a-very-long-interface-name", NULL);
	expect_refused("six hex bytes", "-device", "rtl8139,netdev=n,mac=00:16:3e:00:00", NULL);
	expect_refused("six hex bytes", "-device", "rtl8139,netdev=n,mac=00:16:3e:00:00:0g", NULL);
	expect_refused("multicast", "-device", "rtl8139,netdev=n,mac=01:16:3e:00:00:01", NULL);
	expect_refused("needs netdev=", "-device", "rtl8139,id=nic0", NULL);
	expect_refused("unknown NIC option", "-device", "rtl8139,netdev=n,addr=0x5", NULL);
	expect_refused("a -netdev with that id", "-netdev", "tap,id=n,ifname=a", "-netdev", "tap,id=n,ifname=b", NULL);
	/* USB: what is not built names the xl setting; the UHCI path is parsed. */
	expect_refused("usbdevice=", "-usbdevice", "host:1234:5678", NULL);
	expect_refused("usbdevice=", "-usbdevice", "wacom-tablet", NULL);
	expect_refused("usbversion=", "-device", "nec-usb-xhci,id=usb", NULL);
	expect_refused("usbversion=", "-device", "ich9-usb-ehci1,id=usb,addr=0x1d.0x7,multifunction=on", NULL);
	expect_refused("usbversion=", "-device", "piix3-usb-uhci,id=usb", NULL);
	expect_refused("in use", "-device", "usb-tablet,port=1", "-device", "usb-kbd,port=1", NULL);
	/* -usbdevice devices are created first: the mouse takes port 1. */
	expect_refused("in use", "-device", "usb-kbd,port=1", "-usbdevice", "mouse", NULL);
	expect_refused("port=1|2|R.N", "-device", "usb-tablet,port=3", NULL);
	/* A hub port before there is a hub. */
	expect_refused("in use", "-device", "usb-tablet,port=2.1", NULL);

	{
		struct options o;
		char err[256];

		assert_int_equal(parse(&o, err, "-usb", NULL), 0);
		assert_true(o.machine.usb);
		assert_int_equal(o.machine.nr_usb, 0);
		/* xl usb=1, usbdevice="tablet" */
		assert_int_equal(parse(&o, err, "-usb", "-usbdevice", "tablet", NULL), 0);
		assert_int_equal(o.machine.nr_usb, 1);
		assert_int_equal(o.machine.usb_dev[0].kind, USB_HID_TABLET);
		assert_int_equal(o.machine.usb_dev[0].port, 1);
		/* -usbdevice ones first, then -device ones on what is left (QEMU's creation order). */
		assert_int_equal(parse(&o, err, "-device", "usb-kbd,id=k,bus=usb-bus.0,port=2", "-usbdevice", "mouse", NULL), 0);
		assert_int_equal(o.machine.nr_usb, 2);
		assert_int_equal(o.machine.usb_dev[0].kind, USB_HID_MOUSE);
		assert_int_equal(o.machine.usb_dev[0].port, 1);
		assert_int_equal(o.machine.usb_dev[1].kind, USB_HID_KEYBOARD);
		assert_int_equal(o.machine.usb_dev[1].port, 2);
		assert_true(o.machine.usb);
		assert_int_equal(o.machine.usb_hub_port, 0);
		/* xl usbdevice=["tablet","keyboard"]: QEMU's hub takes root port 2, the keyboard its port 1. */
		assert_int_equal(parse(&o, err, "-usb", "-usbdevice", "tablet", "-usbdevice", "keyboard", NULL), 0);
		assert_int_equal(o.machine.nr_usb, 2);
		assert_int_equal(o.machine.usb_dev[0].port, 1);
		assert_int_equal(o.machine.usb_dev[0].hub_port, 0);
		assert_int_equal(o.machine.usb_hub_port, 2);
		assert_int_equal(o.machine.usb_hub_before, 1);
		assert_int_equal(o.machine.usb_dev[1].port, 2);
		assert_int_equal(o.machine.usb_dev[1].hub_port, 1);
		/* QEMU's run: tablet "1", hub "2", keyboard "2.1", mouse "2.2". */
		assert_int_equal(parse(&o, err, "-device", "usb-tablet", "-device", "usb-kbd", "-device", "usb-mouse", NULL), 0);
		assert_int_equal(o.machine.nr_usb, 3);
		assert_int_equal(o.machine.usb_hub_port, 2);
		assert_int_equal(o.machine.usb_dev[2].kind, USB_HID_MOUSE);
		assert_int_equal(o.machine.usb_dev[2].port, 2);
		assert_int_equal(o.machine.usb_dev[2].hub_port, 2);
		/* An explicit hub port once the hub exists. */
		assert_int_equal(parse(&o, err, "-device", "usb-tablet", "-device", "usb-kbd", "-device", "usb-mouse,port=2.5", NULL), 0);
		assert_int_equal(o.machine.usb_dev[2].hub_port, 5);
	}
	expect_refused("videoram=", "-device", "cirrus-vga,vgamem_mb=32", NULL);
	expect_refused("videoram=", "-device", "cirrus-vga,vgamem_mb=2", NULL);
	expect_refused("only vgamem_mb=", "-device", "cirrus-vga,blitter=off", NULL);
	expect_refused("one display card", "-device", "cirrus-vga", "-device", "VGA", NULL);
	expect_refused("videoram=", "-device", "VGA,vgamem_mb=0", NULL);
	expect_refused("videoram=", "-device", "VGA,vgamem_mb=1024", NULL);
	expect_refused("only vgamem_mb=", "-device", "VGA,edid=on", NULL);
	expect_refused("one display card", "-device", "VGA", "-device", "VGA", NULL);
	expect_refused("sdl=0", "-display", "sdl", NULL);
	expect_refused("vnclisten=", "-vnc", "127.0.0.1", NULL);
	{
		/* libxl's vga="stdvga" with VNC on, as 4.17 passes them. */
		struct options o;
		char err[256];

		assert_int_equal(parse(&o, err, "-device", "VGA,vgamem_mb=16", "-vnc", "127.0.0.1:0,to=99",
				       "-display", "none", "-k", "de", NULL),
				 0);
		assert_int_equal(o.machine.display, DISPLAY_STDVGA);
		assert_int_equal(o.machine.vgamem_mb, 16);
		assert_true(o.machine.vnc);
		assert_string_equal(o.machine.vnc_cfg.host, "127.0.0.1");
		assert_int_equal(o.machine.vnc_cfg.to, 99);
		assert_string_equal(o.machine.keymap, "de");
		assert_int_equal(parse(&o, err, "-vnc", "none", NULL), 0);
		assert_false(o.machine.vnc);
		/* libxl's default card: no vga= line gives the Cirrus with 8 MiB. */
		assert_int_equal(parse(&o, err, "-device", "cirrus-vga,vgamem_mb=8", "-vnc", "127.0.0.1:0,to=99",
				       "-display", "none", NULL),
				 0);
		assert_int_equal(o.machine.display, DISPLAY_CIRRUS);
		assert_int_equal(o.machine.vgamem_mb, 8);
		assert_int_equal(parse(&o, err, "-device", "cirrus-vga", NULL), 0);
		assert_int_equal(o.machine.display, DISPLAY_CIRRUS);
		assert_int_equal(o.machine.vgamem_mb, 0);
	}
	expect_refused("no -drive if=none", "-device", "ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0", NULL);
	expect_refused("remove it from the xl config", "-device", "virtio-balloon", NULL);
	expect_refused("only -net none", "-net", "nic", NULL);
	expect_refused("only format=raw", "-drive", "file=/x.img,if=ide,index=0,media=disk,format=qcow2", NULL);
	expect_refused("index must be 0-3", "-drive", "file=/x.img,if=ide,index=4,media=disk,format=raw", NULL);
	expect_refused("only if=ide", "-drive", "file=/x.img,if=scsi,format=raw", NULL);
	expect_refused("a disk needs file=", "-drive", "if=ide,index=0,media=disk", NULL);
	expect_refused("unknown drive property", "-drive", "file=/x.img,if=ide,snapshot=on", NULL);
	expect_refused("expected key=value", "-drive", "file=/x.img,if", NULL);
	expect_refused("never attached", "-drive", "if=none,id=cd0", NULL);
	expect_refused("already taken", "-hda", "/a.img", "-drive", "file=/b.img,if=ide,index=0", NULL);
	expect_refused("bus must be ide.0 or ide.1", "-drive", "if=none,id=cd0", "-device",
		       "ide-cd,drive=cd0,bus=ide.2,unit=0", NULL);
	expect_refused("maxcpus", "-smp", "4,maxcpus=2", NULL);
	expect_refused("fd=", "-chardev", "socket,id=m,fd=x,server=on,wait=off", NULL);
	expect_refused("machine none", "-machine", "none,accel=kvm", NULL);
	{
		struct options o;
		char err[256];

		assert_int_not_equal(parse(&o, err, "-xen-domid", "3", "-M", "pc", NULL), 0);
		assert_non_null(strstr(err, "under Xen use xenfv"));
		/* libxl with xen_platform_pci=0: the xenfv chipset without the platform device. */
		assert_int_equal(parse(&o, err, "-xen-domid", "3", "-machine", "pc,accel=xen,suppress-vmdesc=on", NULL), 0);
		assert_int_equal(o.machine.profile, PROFILE_XENFV);
		assert_true(o.machine.no_platform_pci);
		assert_int_equal(parse(&o, err, "-xen-domid", "3", "-machine", "xenfv", NULL), 0);
		assert_false(o.machine.no_platform_pci);
		assert_int_not_equal(parse(&o, err, "-machine", "pc,accel=xen", NULL), 0);
		assert_non_null(strstr(err, "needs -xen-domid"));
	}
	expect_refused("-frobnicate", "-frobnicate", NULL, NULL);
	{
		struct options o;
		char err[256];

		assert_int_not_equal(parse(&o, err, "-serial", "null", "-serial", "null", "-serial", "x", NULL), 0);
		assert_non_null(strstr(err, "at most two"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_drives),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
