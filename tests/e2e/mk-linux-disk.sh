#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
#   tests/e2e/mk-linux-disk.sh IMAGE_DIR OUT [cirrus|usb|full]
#
# A bootable raw disk for the real-Xen tier's Linux-from-IDE guest, built
# without root and without loop mounts: an MBR (syslinux's mbr.bin) and one
# bootable FAT16 partition at 1 MiB holding SYSLINUX, the dom0 image's Debian
# kernel and an initramfs of busybox-static with the modules the kernel needs
# for the PIIX IDE controller (ata_piix and what modules.dep says it needs),
# taken out of IMAGE_DIR/dom0.img with debugfs. Its init loads them, reads
# the emulated disk through ata_piix, times three uncached sequential reads
# of the partition (32 MiB, after drop_caches) and three 16 MiB writes with
# fsync to the scratch area after it (the disk figures of make e2e and make
# bench), writes a marker to the last sector and powers off through ACPI
# (poweroff -f). The FAT is made with mkfs.fat
# and mtools, syslinux --install writes its boot sector, sfdisk the table.
#
# With `cirrus`, the disk of the Linux-on-the-Cirrus guest instead: the same
# plus Linux's cirrus DRM driver (drivers/gpu/drm/tiny/cirrus.ko, bound to PCI
# subsystem 1af4:1100) and what modules.dep says it needs, and `hvmdm=cirrus
# vt.global_cursor_default=0 consoleblank=0` on the kernel's command line. On
# that marker its init loads the modules, waits for /sys/class/drm/card0 and
# /dev/fb0, prints the bound driver, the card's PCI IDs and fb0's mode on
# ttyS0, writes a pattern made here (4 MiB, the driver's largest framebuffer)
# over the whole of fb0 with dd, says "linux cirrus guest: drawn" and idles
# until the domain is destroyed.
#
# With `usb`, the disk of the USB tablet guest: the same plus uhci-hcd,
# usbhid, hid-generic and evdev (and what they need), and `hvmdm=usb` on the
# command line: its init lists the USB devices, names the tablet (0627:0001)
# and its event device, then prints every input event it reads as 24 hex
# bytes a line (busybox od on the serial console) until the domain ends.
#
# With `full`, the disk of the ordinary guest libxl's default config makes
# (Cirrus, an IDE disk, an emulated RTL8139, a USB tablet): the modules of
# all of the above plus mii and 8139cp, and `hvmdm=full`: its init draws the
# cirrus guest's pattern, names the tablet, brings eth0 up as 10.0.3.2 and
# pings dom0 (10.0.3.1), writes its /proc/kallsyms gzipped at MiB 34 of the
# disk (for the host to name a crash's addresses), then every two seconds prints
# "full round N disk ok|bad net ok|lost": 4 MiB of the partition read
# uncached and compared with the first read, and one ping of dom0. It runs
# until the domain is destroyed.
set -euo pipefail
img_dir=$1
out=$2
variant=${3:-}
case $variant in
'' | cirrus | usb | full) ;;
*) echo "mk-linux-disk: unknown variant '$variant' (cirrus, usb, full, or none)" >&2; exit 2 ;;
esac
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
need() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' ||
	{ $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "$1" >&2; }; }
for p in syslinux syslinux-common mtools dosfstools fdisk busybox-static cpio e2fsprogs; do need "$p"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dump() { debugfs -R "dump -p $1 $2" "$img_dir/dom0.img" >/dev/null 2>&1 && [ -s "$2" ]; }
kver=$(debugfs -R "ls -p /lib/modules" "$img_dir/dom0.img" 2>/dev/null | awk -F/ '$6 ~ /^[0-9]/ { print $6 }' | tail -1)
[ -n "$kver" ] || { echo "mk-linux-disk: no /lib/modules in $img_dir/dom0.img" >&2; exit 1; }
mods=/lib/modules/$kver
dump "$mods/modules.dep" "$work/modules.dep"

# ata_piix, sd_mod and their dependencies, dependencies first (modules.dep lists a module's
# dependencies after it, deepest last).
order() {
	local m=$1 line dep
	line=$(grep "^kernel/[^:]*/$m.ko[^:]*:" "$work/modules.dep" | head -1)
	[ -n "$line" ] || { echo "mk-linux-disk: $m is not in modules.dep" >&2; exit 1; }
	for dep in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
		grep -qx "$dep" "$work/order" 2>/dev/null || echo "$dep" >>"$work/order"
	done
	grep -qx "${line%%:*}" "$work/order" 2>/dev/null || echo "${line%%:*}" >>"$work/order"
}
: >"$work/order"
order ata_piix
order sd_mod
case $variant in cirrus | full) order cirrus ;; esac
case $variant in usb | full) for m in uhci-hcd usbhid hid-generic evdev; do order "$m"; done ;; esac
if [ "$variant" = full ]; then
	for m in mii 8139cp; do order "$m"; done
fi
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib/modules"
cp /bin/busybox "$root/bin/busybox"
i=0
while read -r ko; do
	i=$((i + 1))
	name=$(printf '%02d-%s' "$i" "$(basename "$ko")")
	dump "$mods/$ko" "$root/lib/modules/$name" || { echo "mk-linux-disk: cannot extract $ko" >&2; exit 1; }
	case $name in
	*.xz) xz -d "$root/lib/modules/$name" ;;
	*.zst) zstd -q -d --rm "$root/lib/modules/$name" ;;
	esac
done <"$work/order"
if [ "$variant" = cirrus ] || [ "$variant" = full ]; then
	# What the guest writes over fb0: 4 MiB (the cirrus driver takes no mode
	# whose framebuffer is larger: CIRRUS_VRAM_SIZE), byte i of it a function
	# of i alone (tests/e2e/scenarios.sh's lc_pattern computes the same to
	# check the picture), so it fits whatever mode, depth and stride the
	# driver picks, and it compresses well.
	perl -e 'for my $k (0 .. 4095) { print pack("C*", map { my $i = $k * 1024 + $_; (($i >> 3) ^ ($i >> 11) ^ ($i >> 16) * 37 ^ ($i & 1 ? 0x5a : 0)) & 255 } 0 .. 1023) }' >"$root/fb-pattern"
	[ "$(stat -c %s "$root/fb-pattern")" = 4194304 ] || { echo "mk-linux-disk: could not write the pattern" >&2; exit 1; }
fi
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
echo "linux disk guest: up, booted from the IDE disk by SYSLINUX"
for m in /lib/modules/*.ko; do /bin/busybox insmod "$m" 2>/dev/null; done
if /bin/busybox grep -q "hvmdm=usb" /proc/cmdline; then
	# The USB tablet guest (mk-linux-disk.sh ... usb).
	b=/bin/busybox
	dev=""
	i=0
	while [ -z "$dev" ] && [ $i -lt 150 ]; do
		for d in /sys/bus/usb/devices/*; do
			[ "$($b cat "$d/idVendor" 2>/dev/null):$($b cat "$d/idProduct" 2>/dev/null)" = "0627:0001" ] && dev=$d
		done
		[ -n "$dev" ] || $b sleep 0.2
		i=$((i + 1))
	done
	echo "usb guest: devices $(cd /sys/bus/usb/devices && $b ls | $b tr '\n' ' ')"
	if [ -z "$dev" ]; then
		echo "usb guest: no 0627:0001"
		while :; do $b sleep 3600; done
	fi
	echo "usb guest: 0627:0001 '$($b cat "$dev/manufacturer") $($b cat "$dev/product")' serial '$($b cat "$dev/serial" 2>/dev/null)' at ${dev##*/}"
	ev=""
	i=0
	while [ -z "$ev" ] && [ $i -lt 100 ]; do
		for e in /sys/class/input/event*; do
			case "$($b cat "$e/device/name" 2>/dev/null)" in *"USB Tablet"*) ev=/dev/input/${e##*/} ;; esac
		done
		[ -n "$ev" ] || $b sleep 0.2
		i=$((i + 1))
	done
	echo "usb guest: tablet input ${ev:-none}"
	echo "usb guest: events follow"
	exec $b od -An -v -tx1 -w24 "$ev"
fi
# draw C: the cirrus guest's picture: the DRM driver, fb0, the pattern over it; its lines start with C.
draw() {
	c=$1
	i=0
	while { [ ! -e /sys/class/drm/card0 ] || [ ! -c /dev/fb0 ]; } && [ $i -lt 600 ]; do /bin/busybox sleep 0.1; i=$((i + 1)); done
	if [ -e /sys/class/drm/card0 ] && [ -c /dev/fb0 ]; then
		d=/sys/class/drm/card0/device
		h() { v=$(/bin/busybox cat "$1"); echo "${v#0x}"; }
		echo "$c: card0 bound to $(/bin/busybox basename "$(/bin/busybox readlink $d/driver)"), PCI $(h $d/vendor):$(h $d/device) subsystem $(h $d/subsystem_vendor):$(h $d/subsystem_device)"
		f=/sys/class/graphics/fb0
		size=$(/bin/busybox cat $f/virtual_size)
		bpp=$(/bin/busybox cat $f/bits_per_pixel)
		stride=$(/bin/busybox cat $f/stride)
		xres=${size%,*}
		yres=${size#*,}
		echo "$c: fb0 ${xres}x$yres, $bpp bits per pixel, stride $stride ($(/bin/busybox cat $f/name))"
		# One write of the whole framebuffer: 6.1's fbdev emulation turns a write
		# of exactly one whole line into an empty damage rectangle
		# (drm_fb_helper_memory_range_to_clip), so dd bs=STRIDE would change
		# nothing on the screen.
		if [ $((stride * yres)) -gt "$(/bin/busybox stat -c %s /fb-pattern)" ]; then
			echo "$c: FAILED: fb0 is larger than the pattern"
		elif /bin/busybox dd if=/fb-pattern of=/dev/fb0 bs=$((stride * yres)) count=1 2>/dev/null; then
			/bin/busybox sleep 1
			echo "$c: drawn"
		else
			echo "$c: FAILED: dd to /dev/fb0"
		fi
	else
		echo "$c: FAILED: no /sys/class/drm/card0 or /dev/fb0 after 60 s: $(/bin/busybox ls /sys/class/drm /sys/class/graphics 2>&1 | /bin/busybox tr '\n' ' ')"
	fi
}
if /bin/busybox grep -q "hvmdm=cirrus" /proc/cmdline; then
	# The Linux-on-the-Cirrus guest (mk-linux-disk.sh ... cirrus): the DRM driver, fb0, a pattern.
	draw "linux cirrus guest"
	while :; do /bin/busybox sleep 3600; done
fi
if /bin/busybox grep -q "hvmdm=full" /proc/cmdline; then
	# The ordinary guest (mk-linux-disk.sh ... full): picture, tablet, NIC, then rounds of disk and network.
	b=/bin/busybox
	draw "full guest"
	t=""
	i=0
	while [ -z "$t" ] && [ $i -lt 150 ]; do
		for d in /sys/bus/usb/devices/*; do
			[ "$($b cat "$d/idVendor" 2>/dev/null):$($b cat "$d/idProduct" 2>/dev/null)" = "0627:0001" ] && t=${d##*/}
		done
		[ -n "$t" ] || $b sleep 0.2
		i=$((i + 1))
	done
	echo "full guest: tablet ${t:-missing}"
	i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do $b sleep 0.1; i=$((i + 1)); done
	echo "full guest: eth0 $($b cat /sys/class/net/eth0/address 2>/dev/null) driver $($b basename "$($b readlink /sys/class/net/eth0/device/driver 2>/dev/null)")"
	$b ip link set lo up
	$b ip link set eth0 up
	$b ip addr add 10.0.3.2/24 dev eth0
	i=0
	until $b ping -c 1 -W 2 10.0.3.1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge 60 ] && break
	done
	[ $i -lt 60 ] && echo "full guest: ping ok"
	# The kernel's symbols (KASLR moves them each boot) into the scratch area
	# at MiB 34, for the host to read out of the image if the guest dies.
	echo 0 >/proc/sys/kernel/kptr_restrict
	$b gzip -1 </proc/kallsyms | $b dd of=/dev/sda bs=1048576 seek=34 conv=fsync 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	ref=$($b dd if=/dev/sda bs=1048576 skip=1 count=4 2>/dev/null | $b md5sum | $b cut -d' ' -f1)
	echo "full guest: disk reference $ref"
	n=1
	while :; do
		echo 3 >/proc/sys/vm/drop_caches
		d=bad
		[ "$($b dd if=/dev/sda bs=1048576 skip=1 count=4 2>/dev/null | $b md5sum | $b cut -d' ' -f1)" = "$ref" ] && d=ok
		p=lost
		$b ping -c 1 -W 3 10.0.3.1 >/dev/null 2>&1 && p=ok
		echo "full round $n disk $d net $p"
		n=$((n + 1))
		$b sleep 2
	done
fi
i=0
while [ ! -b /dev/sda ] && [ $i -lt 100 ]; do /bin/busybox sleep 0.1; i=$((i + 1)); done
if [ -b /dev/sda ]; then
	echo "linux disk guest: sda $(/bin/busybox cat /sys/block/sda/size) sectors, model $(/bin/busybox cat /sys/block/sda/device/model)"
	/bin/busybox dd if=/dev/sda of=/dev/null bs=65536 count=128 2>/dev/null && echo "linux disk guest: read 8 MiB of sda"
	# Throughput through ata_piix's bus-master DMA, timed by the guest's own
	# clock (/proc/uptime, 10 ms): the partition read uncached, the scratch
	# area after it (MiB 33-48) written with fsync.
	up() { /bin/busybox cut -d' ' -f1 /proc/uptime; }
	took() { /bin/busybox awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
	for r in 1 2 3; do
		/bin/busybox sync
		echo 3 >/proc/sys/vm/drop_caches
		t0=$(up)
		/bin/busybox dd if=/dev/sda of=/dev/null bs=1048576 skip=1 count=32 2>/dev/null &&
			echo "linux disk guest: disk read 32 MiB round $r: $(took "$t0" "$(up)") s"
	done
	for r in 1 2 3; do
		t0=$(up)
		/bin/busybox dd if=/dev/zero of=/dev/sda bs=1048576 seek=33 count=16 conv=fsync 2>/dev/null &&
			echo "linux disk guest: disk write 16 MiB round $r: $(took "$t0" "$(up)") s"
	done
	# A marker in the last sector (after the partition), read back uncached; the host checks the file.
	n=$(( $(/bin/busybox cat /sys/block/sda/size) - 1 ))
	echo "hvmdm linux disk marker" | /bin/busybox dd of=/dev/sda bs=512 seek=$n conv=sync,fsync 2>/dev/null
	/bin/busybox sync
	echo 3 >/proc/sys/vm/drop_caches
	/bin/busybox dd if=/dev/sda bs=512 skip=$n count=1 2>/dev/null | /bin/busybox grep -q "hvmdm linux disk marker" &&
		echo "linux disk guest: wrote and read back the last sector"
	echo "linux disk guest: irq $(/bin/busybox grep -c ata_piix /proc/interrupts) ata_piix lines: $(/bin/busybox grep ata_piix /proc/interrupts | /bin/busybox tr -s ' ' | /bin/busybox cut -d' ' -f2,3 | /bin/busybox tr '\n' ' ')"
else
	echo "linux disk guest: no sda"
fi
echo "linux disk guest: powering off"
/bin/busybox poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"

append="console=ttyS0 xen_emul_unplug=never panic=-1 quiet"
[ "$variant" = cirrus ] && append="$append hvmdm=cirrus vt.global_cursor_default=0 consoleblank=0"
[ "$variant" = usb ] && append="$append hvmdm=usb"
[ "$variant" = full ] && append="$append hvmdm=full vt.global_cursor_default=0 consoleblank=0"
cat >"$work/syslinux.cfg" <<CFG
SERIAL 0 115200
CONSOLE 0
PROMPT 0
TIMEOUT 0
DEFAULT linux
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND $append
CFG
part_mib=32
rm -f "$work/part.img"
mkfs.fat -F 16 -n HVMDMBOOT -C "$work/part.img" $((part_mib * 1024)) >/dev/null
mcopy -i "$work/part.img" "$img_dir/vmlinuz" ::vmlinuz
mcopy -i "$work/part.img" "$work/initrd.gz" ::initrd.gz
mcopy -i "$work/part.img" "$work/syslinux.cfg" ::syslinux.cfg
syslinux --install "$work/part.img"
# 1 MiB of MBR and gap, the partition, 16 MiB of scratch the guest writes
# to time its writes, 1 MiB for the guest's marker.
truncate -s $(( (part_mib + 18) * 1024 * 1024 )) "$work/disk.img"
echo "2048,$((part_mib * 2048)),6,*" | sfdisk -q "$work/disk.img" >/dev/null
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$work/disk.img" bs=440 count=1 conv=notrunc 2>/dev/null
dd if="$work/part.img" of="$work/disk.img" bs=1M seek=1 conv=notrunc 2>/dev/null
mv "$work/disk.img" "$out"
