#!/usr/bin/env bash
# The USB tablet under a real Linux guest on KVM: Debian's kernel booted
# directly with a busybox initramfs holding the USB and input modules
# (usb-common, usbcore, uhci-hcd, hid, usbhid, hid-generic, evdev) on
# hvmdm's pc machine with -device VGA, -vnc and -usb -usbdevice tablet.
# Linux's uhci_hcd must enumerate QEMU's tablet (0627:0001), usbhid must
# bind it, and pointer events a VNC client sends (tests/tools/vnc-tool.c)
# must reach the guest's event device as the absolute coordinates QEMU's
# VNC server gives (x * 0x7fff / width), the left button as BTN_LEFT; then
# across a whole-VM save and restore (QMP migrate to a file, -incoming) the
# tablet goes on following the pointer.
#
# Where it runs is as for kvm-linux.t: where /dev/kvm runs guests at
# hardware speed (the same probe), else in the nested runner (no /dev/kvm:
# CI's machine; some 80 s there); HVMDM_KVM_USB=0 skips it. In the nested
# runner the modules come from the same Debian package as the runner's
# kernel, fetched once into
# $HVMDM_NESTED_CACHE/usb-modules-VERSION (default /var/cache/hvmdm-nested-kvm);
# elsewhere from HVMDM_LINUX_MODULES or /lib/modules/KERNEL-RELEASE. A
# module that is not there is taken as built in.
set -u
bin=${HVMDM:-build/asan/hvmdm}
B=${B:-build}
probe_limit_us=20000
wait_s=${HVMDM_KVM_LINUX_TIMEOUT:-300}
mods_wanted="usb-common usbcore uhci-hcd hid usbhid hid-generic evdev"
skip() { echo "1..0 # SKIP $*"; exit 0; }

# Debian's USB and input modules for the nested runner's kernel, fetched once; prints the directory.
nested_modules() {
	local cache=${HVMDM_NESTED_CACHE:-/var/cache/hvmdm-nested-kvm} sudo= ver dir
	[ "$(id -u)" = 0 ] || sudo=sudo
	ver=$(apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		$sudo apt-get update -qq >&2 || return 1
		ver=$(apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
	fi
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	dir=$cache/usb-modules-$ver
	[ -s "$dir/uhci-hcd.ko" ] && { echo "$dir"; return 0; }
	$sudo mkdir -p "$cache" || return 1
	(
		flock 9
		[ -s "$dir/uhci-hcd.ko" ] && exit 0
		echo "# fetching Debian's kernel package (linux-image-amd64 $ver) for its USB and input modules, once" >&2
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		cd "$tmp" || exit 1
		apt-get download "linux-image-amd64=$ver" >/dev/null 2>&1 || exit 1
		kpkg=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/[ ,].*//')
		[ -n "$kpkg" ] && apt-get download "$kpkg" >/dev/null 2>&1 || exit 1
		dpkg-deb --fsys-tarfile "$kpkg"_*.deb | tar -x --wildcards '*/drivers/usb/common/*.ko*' \
			'*/drivers/usb/core/*.ko*' '*/drivers/usb/host/uhci-hcd.ko*' '*/drivers/hid/hid.ko*' \
			'*/drivers/hid/hid-generic.ko*' '*/drivers/hid/usbhid/usbhid.ko*' '*/drivers/input/evdev.ko*' 2>/dev/null
		mkdir -p out
		for m in $mods_wanted; do
			f=$(module_file lib "$m")
			[ -n "$f" ] && module_plain "$f" "out/$m.ko"
		done
		[ -s out/uhci-hcd.ko ] || exit 1
		$sudo rm -rf "$dir.tmp" && $sudo cp -r out "$dir.tmp" && $sudo rm -rf "$dir" && $sudo mv "$dir.tmp" "$dir"
	) 9>"$cache/.lock" || return 1
	echo "$dir"
}

[ "${HVMDM_KVM_LINUX:-}" = 0 ] && skip "HVMDM_KVM_LINUX=0"
. "$(dirname "$0")/kvm/lib.sh"
nest=0
if [ -z "${HVMDM_KVM_WHERE:-}" ]; then
	case "${HVMDM_KVM:-auto}" in
	nested) nest=1 ;;
	auto) [ -r /dev/kvm ] && [ -w /dev/kvm ] || nest=1 ;;
	esac
fi
[ "${HVMDM_KVM_USB:-}" = 0 ] && skip "HVMDM_KVM_USB=0"
if [ $nest = 1 ] && [ -z "${HVMDM_LINUX_MODULES:-}" ] && [ -z "${HVMDM_LINUX_KERNEL:-}" ]; then
	mods=$(nested_modules) ||
		skip "could not fetch Debian's kernel package (linux-image-amd64) for its USB modules (apt-get download; is the archive reachable?), or set HVMDM_LINUX_MODULES"
	export HVMDM_LINUX_MODULES=$mods
fi
kvm_here "$0" "$@"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

# The probe, always (it is also what decides).
timeout -k 10 60 "$bin" -accel kvm -m 64 -option-rom "$B/guests/kvmprobe.rom" -serial "file:$work/probe.log" 2>"$work/probe.err"
ticks=$(grep -o "in 0x[0-9a-f]* PM ticks" "$work/probe.log" | grep -o "0x[0-9a-f]*")
if [ -z "$ticks" ]; then
	echo "1..1"
	echo "not ok 1 - the KVM speed probe printed no result"
	sed 's/^/# /' "$work/probe.log" "$work/probe.err"
	exit 1
fi
probe_us=$(( ticks * 1000000 / 3579545 ))
if [ "$probe_us" -gt $probe_limit_us ] && [ "${HVMDM_KVM_LINUX:-}" != 1 ] && [ -z "${HVMDM_NESTED_KERNEL:-}" ]; then
	skip "KVM here ran the probe's 100,000 loop iterations in $((probe_us / 1000)) ms (limit $((probe_limit_us / 1000)) ms), so a 64-bit Linux kernel would take many minutes to boot; HVMDM_KVM_LINUX=1 runs it anyway"
fi
kernel=${HVMDM_LINUX_KERNEL:-${HVMDM_NESTED_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}}
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no Linux kernel to boot (install linux-image-amd64, or set HVMDM_LINUX_KERNEL)"
kver=$(kernel_release "$kernel")
[ -n "$kver" ] || skip "cannot read the kernel release from $kernel (not a bzImage?)"
bb=$(command -v busybox)
[ -n "$bb" ] && ! ldd "$bb" >/dev/null 2>&1 || skip "no statically linked busybox for the initramfs (install busybox-static)"
[ -x "$B/vnc-tool" ] || skip "$B/vnc-tool is not built (make $B/vnc-tool)"
# The VNC server listens on the loopback, which the nested runner's VM leaves down.
if ! ip -o link show lo 2>/dev/null | grep -q "UP"; then
	{ ip link set lo up || "$bb" ip link set lo up; } >/dev/null 2>&1
fi
moddir=${HVMDM_LINUX_MODULES:-/lib/modules/$kver}
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/m"
cp "$bb" "$root/bin/busybox"
order=
for m in $mods_wanted; do
	f=$(module_file "$moddir" "$m")
	[ -n "$f" ] || continue # built in
	module_plain "$f" "$root/m/$m.ko" || skip "cannot decompress $f"
	v=$(vermagic "$root/m/$m.ko")
	[ "$v" = "$kver" ] || skip "$f is for kernel ${v:-unknown}, not $kver (set HVMDM_LINUX_MODULES to that kernel's modules)"
	order="$order $m"
done
[ -s "$root/m/uhci-hcd.ko" ] || skip "no uhci-hcd module for kernel $kver in $moddir (install that kernel's modules or set HVMDM_LINUX_MODULES)"

# The init: the modules, the tablet found by its IDs, then every input event as 24 hex bytes a line.
cat >"$root/init" <<INIT
#!/bin/busybox sh
b=/bin/busybox
\$b mount -t proc proc /proc
\$b mount -t sysfs sys /sys
\$b mount -t devtmpfs dev /dev
echo "usb guest: up"
for m in$order; do \$b insmod /m/\$m.ko || echo "usb guest: insmod \$m failed"; done
dev=""
i=0
while [ -z "\$dev" ] && [ \$i -lt 300 ]; do
	for d in /sys/bus/usb/devices/*; do
		[ "\$(\$b cat \$d/idVendor 2>/dev/null):\$(\$b cat \$d/idProduct 2>/dev/null)" = "0627:0001" ] && dev=\$d
	done
	[ -n "\$dev" ] || \$b sleep 0.1
	i=\$((i + 1))
done
[ -n "\$dev" ] || { echo "usb guest: no 0627:0001 (devices: \$(\$b ls /sys/bus/usb/devices | \$b tr '\n' ' '))"; \$b sleep 3600; }
echo "usb guest: 0627:0001 '\$(\$b cat \$dev/manufacturer) \$(\$b cat \$dev/product)' serial '\$(\$b cat \$dev/serial 2>/dev/null)' at \${dev##*/}"
ev=""
i=0
while [ -z "\$ev" ] && [ \$i -lt 300 ]; do
	for e in /sys/class/input/event*; do
		case "\$(\$b cat \$e/device/name 2>/dev/null)" in *"USB Tablet"*) ev=/dev/input/\${e##*/} ;; esac
	done
	[ -n "\$ev" ] || \$b sleep 0.1
	i=\$((i + 1))
done
echo "usb guest: tablet input \${ev:-none}"
echo "usb guest: events follow"
exec \$b od -An -v -tx1 -w24 \$ev
INIT
chmod +x "$root/init"
(cd "$root" && "$bb" find . | "$bb" cpio -o -H newc >"$work/initrd.cpio" 2>/dev/null)

echo "1..8"
n=0
fails=0
ok() { # status, text
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
wait_for() { # file text seconds
	for _ in $(seq 1 $(($3 * 10))); do
		grep -aq "$2" "$1" 2>/dev/null && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	grep -aq "$2" "$1" 2>/dev/null
}
# events FILE: the input events in it, "TYPE CODE VALUE" in decimal (struct input_event, 24 bytes).
events() {
	tr -d '\r' <"$1" | awk '
		function h(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
		NF == 24 { ok = 1; for (i = 1; i <= 24; i++) if ($i !~ /^[0-9a-f][0-9a-f]$/) ok = 0
			if (ok) print h($18 $17), h($20 $19), h($24 $23 $22 $21) }'
}
vnc=127.0.0.1:5957
# point FILE X Y: the VNC pointer there with the left button down and up, until the guest saw the position (three tries).
point() {
	local ex=$(($2 * 32767 / w)) ey=$(($3 * 32767 / h))
	for _ in 1 2 3; do
		"$B/vnc-tool" "$vnc" pointer "$2" "$3" 1 >>"$work/vnc.log" 2>&1
		sleep 1
		events "$1" | grep -q "^3 0 $ex\$" && events "$1" | grep -q "^3 1 $ey\$" && return 0
	done
	return 1
}
qmp=tests/tools/qmp-client
start() { # N OPTIONS...
	local i=$1
	shift
	"$bin" -accel kvm -m 256 -kernel "$kernel" -initrd "$work/initrd.cpio" -append "console=ttyS0 panic=-1" \
		-device VGA -vnc 127.0.0.1:57 -usb -usbdevice tablet -serial "file:$work/serial$i.log" \
		-qmp "unix:$work/qmp$i.sock,server=on,wait=off" "$@" 2>"$work/err$i" &
	pid=$!
}

echo "# probe: $probe_us us for 100,000 iterations; kernel $kernel; modules:$order"
start 1
wait_for "$work/serial1.log" "usb guest: 0627:0001" "$wait_s" &&
	grep -aq "usb guest: 0627:0001 'QEMU QEMU USB Tablet' serial '28754-0000:00:01.2-1'" "$work/serial1.log"
ok $? "Linux's uhci_hcd enumerated the tablet: $(grep -ao "0627:0001 .*" "$work/serial1.log" | head -1 | tr -d '\r')"
wait_for "$work/serial1.log" "usb guest: events follow" 60 && ! grep -aq "tablet input none" "$work/serial1.log"
ok $? "usbhid bound it: $(grep -ao "tablet input .*" "$work/serial1.log" | head -1 | tr -d '\r')"
"$B/vnc-tool" "$vnc" capture "$work/screen.ppm" >>"$work/vnc.log" 2>&1
read -r w h <<<"$(head -c 20 "$work/screen.ppm" 2>/dev/null | sed -n 2p)"
w=${w:-0}
h=${h:-0}
[ "$w" -gt 0 ] && [ "$h" -gt 0 ]
ok $? "a VNC client reads the screen's size: ${w}x$h"
[ "$w" -gt 0 ] && [ "$h" -gt 0 ] || { w=720; h=400; }
point "$work/serial1.log" 100 50 && point "$work/serial1.log" $((w - 1)) $((h - 1))
ok $? "the VNC pointer at (100, 50) and ($((w - 1)), $((h - 1))) reached the guest as ABS_X/ABS_Y $((100 * 32767 / w))/$((50 * 32767 / h)) and $(((w - 1) * 32767 / w))/$(((h - 1) * 32767 / h))"
events "$work/serial1.log" | grep -q "^1 272 1$"
ok $? "the left button reached the guest as BTN_LEFT"
"$qmp" "$work/qmp1.sock" stop migrate "{\"uri\":\"file:$work/vm.hvmdm\"}" quit >"$work/qmp1.log" 2>&1
q=$?
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
[ $q = 0 ] && [ -s "$work/vm.hvmdm" ]
ok $? "saved over QMP (migrate to a file) with the tablet in use"
start 2 -incoming "file:$work/vm.hvmdm"
wait_for "$work/err2" "restored the VM" 60
ok $? "restored into a new hvmdm"
point "$work/serial2.log" 200 100
ok $? "after the restore the tablet still follows the pointer: ABS_X $((200 * 32767 / w)), ABS_Y $((100 * 32767 / h))"
"$qmp" "$work/qmp2.sock" quit >/dev/null 2>&1
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
[ $fails -eq 0 ] || { tail -30 "$work/serial1.log" | sed 's/^/# serial1: /'; tail -10 "$work/serial2.log" 2>/dev/null | sed 's/^/# serial2: /'; cat "$work/err1" "$work/err2" "$work/vnc.log" 2>/dev/null | sed 's/^/# /' | tail -20; } | tee /dev/stderr
exit $((fails > 0))
