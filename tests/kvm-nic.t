#!/usr/bin/env bash
# hvmdm's emulated NICs under real Linux drivers, on KVM: the RTL8139C+
# (-device rtl8139, Linux's 8139cp) or, with HVMDM_KVM_NIC_MODEL=e1000, the
# 82540EM (-device e1000, Linux's e1000). Debian's kernel booted directly
# (-kernel/-initrd/-append through fw_cfg) with a busybox initramfs built
# here that loads Debian's driver module (8139cp with mii, or e1000). The
# NIC's backend is a tap hvmdm creates (-netdev tap), given
# 10.0.2.1/24 here, in a network namespace of the test's own (unshare -n),
# so nothing reaches this machine's networking. The guest must bind 8139cp
# to the NIC with the MAC given in -device (read from the EEPROM), see the
# link come up, get all 20 replies to ping, receive 2 MiB from this side and
# send 2 MiB back over TCP intact (sha256; 8139cp turns on scatter-gather,
# TX checksum offload and TSO by default, so this goes through the C+
# descriptor rings and their offloads; e1000 does so through context and
# data descriptors with TSO), see no transmit timeouts or error
# counts, have its large sends reach this side as more frames than it sent
# packets (the NIC segmented them), and power off with `poweroff -f`, once
# (no reset on the way); hvmdm must exit 0 with no sanitizer report.
#
# Where and when it runs is as for kvm-linux.t (same probe, same
# HVMDM_KVM_LINUX=0/1 and HVMDM_KVM_LINUX_TIMEOUT, same kernel choice:
# HVMDM_LINUX_KERNEL, ...), except that in the nested runner (no /dev/kvm:
# CI's machine) it takes some four minutes a model under TCG and meets that
# runner's occasional triple faults, so there it runs only when asked:
# HVMDM_KVM_NIC=1, which `make kvm-nic` sets for both models. The kernel:
# HVMDM_LINUX_KERNEL, else the nested runner's Debian kernel, else the
# newest /boot/vmlinuz-*). Without /dev/kvm (HVMDM_KVM=nested forces it) it
# runs inside the nested KVM runner (tests/kvm/lib.sh); that kernel's
# modules are not in the runner's VM, so this side first fetches the same
# Debian package (linux-image-amd64's candidate, as tests/kvm/nested.sh
# picks it), once, and keeps 8139cp.ko, mii.ko and tun.ko in
# $HVMDM_NESTED_CACHE/nic-modules-VERSION (default cache
# /var/cache/hvmdm-nested-kvm); inside, tun is loaded from there.
# The modules: HVMDM_LINUX_MODULES (a directory with 8139cp.ko and mii.ko
# somewhere below it, .ko.xz/.zst/.gz too), else /lib/modules/KERNEL-RELEASE;
# their vermagic must name the booted kernel's release.
# HVMDM_KVM_NIC_VMM=qemu runs the same guest on QEMU (qemu-system-x86_64,
# the same -device and -netdev) instead, for make bench's comparison; both
# print the transfers' MiB/s as "# figures kvm-nic MODEL VMM ..." lines.
# HVMDM_KVM_NIC_KEEP=DIR writes the guest's serial log and hvmdm's stderr
# there (serial.log, hvmdm.err; with the nested runner, a DIR its --out
# makes writable).
set -u
bin=${HVMDM:-build/asan/hvmdm}
B=${B:-build}
probe_limit_us=20000
wait_s=${HVMDM_KVM_LINUX_TIMEOUT:-300}
mac=52:54:00:12:34:56
tap=hvmdmnic0
model=${HVMDM_KVM_NIC_MODEL:-rtl8139}
vmm=${HVMDM_KVM_NIC_VMM:-hvmdm}
case $vmm in
hvmdm | qemu) ;;
*) echo "1..0 # SKIP HVMDM_KVM_NIC_VMM=$vmm: hvmdm or qemu"; exit 0 ;;
esac
case $model in
rtl8139) drv=8139cp mods_needed="mii 8139cp" pciid=0x10ec:0x8139 what="RTL8139C+ (10ec:8139)" ;;
e1000) drv=e1000 mods_needed="e1000" pciid=0x8086:0x100e what="82540EM (8086:100e)" ;;
*) echo "1..0 # SKIP HVMDM_KVM_NIC_MODEL=$model: rtl8139 or e1000"; exit 0 ;;
esac
bulk_kib=2048
skip() { echo "1..0 # SKIP $*"; exit 0; }

# Debian's modules for the nested runner's kernel, fetched once (see above); prints the directory.
nested_modules() {
	local cache=${HVMDM_NESTED_CACHE:-/var/cache/hvmdm-nested-kvm} sudo= ver dir tmp
	[ "$(id -u)" = 0 ] || sudo=sudo
	ver=$(apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		$sudo apt-get update -qq >&2 || return 1
		ver=$(apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
	fi
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	dir=$cache/nic-modules-$ver
	[ -s "$dir/8139cp.ko" ] && [ -s "$dir/mii.ko" ] && [ -s "$dir/e1000.ko" ] && { echo "$dir"; return 0; }
	$sudo mkdir -p "$cache" || return 1
	(
		flock 9
		[ -s "$dir/8139cp.ko" ] && [ -s "$dir/mii.ko" ] && [ -s "$dir/e1000.ko" ] && exit 0
		echo "# fetching Debian's kernel package (linux-image-amd64 $ver) for its 8139cp, mii, e1000 and tun modules, once" >&2
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		cd "$tmp" || exit 1
		apt-get download "linux-image-amd64=$ver" >/dev/null 2>&1 || exit 1
		kpkg=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/[ ,].*//')
		[ -n "$kpkg" ] && apt-get download "$kpkg" >/dev/null 2>&1 || exit 1
		dpkg-deb --fsys-tarfile "$kpkg"_*.deb | tar -x --wildcards '*/drivers/net/mii.ko*' \
			'*/realtek/8139cp.ko*' '*/intel/e1000/e1000.ko*' '*/drivers/net/tun.ko*' 2>/dev/null
		mkdir -p out
		for m in mii 8139cp e1000 tun; do
			f=$(module_file lib "$m")
			[ -n "$f" ] && module_plain "$f" "out/$m.ko"
		done
		[ -s out/8139cp.ko ] && [ -s out/mii.ko ] && [ -s out/e1000.ko ] || exit 1
		$sudo rm -rf "$dir.tmp" && $sudo cp -r out "$dir.tmp" && $sudo rm -rf "$dir" && $sudo mv "$dir.tmp" "$dir"
	) 9>"$cache/.lock" || return 1
	echo "$dir"
}

if [ "${_KVM_NIC_STAGE:-}" != netns ]; then
	[ "${HVMDM_KVM_LINUX:-}" = 0 ] && skip "HVMDM_KVM_LINUX=0"
	. "$(dirname "$0")/kvm/lib.sh"
	# Going into the nested runner (as kvm_here decides): its kernel's modules first, from here.
	nest=0
	if [ -z "${HVMDM_KVM_WHERE:-}" ]; then
		case "${HVMDM_KVM:-auto}" in
		nested) nest=1 ;;
		auto) [ -r /dev/kvm ] && [ -w /dev/kvm ] || nest=1 ;;
		esac
	fi
	[ $nest = 1 ] && [ "${HVMDM_KVM_NIC:-}" != 1 ] &&
		skip "no /dev/kvm here: in the nested KVM runner the $model guest takes some four minutes under TCG; make kvm-nic (HVMDM_KVM_NIC=1) runs it"
	if [ $nest = 1 ] && [ -z "${HVMDM_LINUX_MODULES:-}" ] && [ -z "${HVMDM_LINUX_KERNEL:-}" ]; then
		mods=$(nested_modules) ||
			skip "could not fetch Debian's kernel package (linux-image-amd64) for its 8139cp module (apt-get download; is the archive reachable?), or set HVMDM_LINUX_MODULES"
		export HVMDM_LINUX_MODULES=$mods
	fi
	kvm_here "$0" "$@"
	probe=$(mktemp -d)
	trap 'rm -rf "$probe"' EXIT
	trap 'exit 130' INT TERM

	# The probe, always (it is also what decides).
	timeout -k 10 60 "$bin" -accel kvm -m 64 -option-rom "$B/guests/kvmprobe.rom" -serial "file:$probe/probe.log" 2>"$probe/probe.err"
	ticks=$(grep -o "in 0x[0-9a-f]* PM ticks" "$probe/probe.log" | grep -o "0x[0-9a-f]*")
	if [ -z "$ticks" ]; then
		echo "1..1"
		echo "not ok 1 - the KVM speed probe printed no result"
		sed 's/^/# /' "$probe/probe.log" "$probe/probe.err"
		exit 1
	fi
	probe_us=$(( ticks * 1000000 / 3579545 ))
	if [ "$probe_us" -gt $probe_limit_us ] && [ "${HVMDM_KVM_LINUX:-}" != 1 ] && [ -z "${HVMDM_NESTED_KERNEL:-}" ]; then
		skip "KVM here ran the probe's 100,000 loop iterations in $((probe_us / 1000)) ms (with hardware virtualization: well under a millisecond; limit $((probe_limit_us / 1000)) ms), so a 64-bit Linux kernel would take many minutes to boot; HVMDM_KVM_LINUX=1 runs it anyway"
	fi

	kernel=${HVMDM_LINUX_KERNEL:-${HVMDM_NESTED_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}}
	[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no Linux kernel to boot (install linux-image-amd64, or set HVMDM_LINUX_KERNEL)"
	kver=$(kernel_release "$kernel")
	[ -n "$kver" ] || skip "cannot read the kernel release from $kernel (not a bzImage?)"
	bb=$(command -v busybox)
	[ -n "$bb" ] && ! ldd "$bb" >/dev/null 2>&1 || skip "no statically linked busybox for the initramfs (install busybox-static)"
	moddir=${HVMDM_LINUX_MODULES:-/lib/modules/$kver}
	for m in $mods_needed; do
		f=$(module_file "$moddir" $m)
		[ -n "$f" ] || skip "no $m module for kernel $kver in $moddir (the guest's driver is $drv; install that kernel's modules or set HVMDM_LINUX_MODULES)"
		module_plain "$f" "$probe/$m.ko" || skip "cannot decompress $f"
		v=$(vermagic "$probe/$m.ko")
		[ "$v" = "$kver" ] || skip "$f is for kernel ${v:-unknown}, not $kver (set HVMDM_LINUX_MODULES to that kernel's modules)"
	done

	# This side's end: a tap, so /dev/net/tun. Inside the nested runner's
	# throwaway VM, tun is loaded from the fetched modules.
	if [ ! -c /dev/net/tun ] && [ -n "${HVMDM_KVM_WHERE:-}" ] && [ "$(id -u)" = 0 ]; then
		f=$(module_file "$moddir" tun)
		[ -n "$f" ] && module_plain "$f" "$probe/tun.ko" && [ "$(vermagic "$probe/tun.ko")" = "$(uname -r)" ] &&
			"$bb" insmod "$probe/tun.ko"
	fi
	[ -c /dev/net/tun ] || skip "no /dev/net/tun here for the NIC's tap (modprobe tun)"
	# A network namespace of the test's own, where the tap appears (root, or an unprivileged user namespace).
	if unshare -n true 2>/dev/null; then
		ns=(unshare -n)
	elif unshare -rn true 2>/dev/null; then
		ns=(unshare -rn)
	else
		skip "cannot make a network namespace here (unshare -n needs root or unprivileged user namespaces)"
	fi
	mods=$(mktemp -d)
	for m in $mods_needed; do cp "$probe/$m.ko" "$mods/"; done
	rm -rf "$probe"
	trap - EXIT
	exec "${ns[@]}" env _KVM_NIC_STAGE=netns _KVM_NIC_KERNEL="$kernel" _KVM_NIC_KVER="$kver" \
		_KVM_NIC_MODS="$mods" _KVM_NIC_PROBE_US="$probe_us" _KVM_NIC_BB="$bb" "$BASH" "$0" "$@"
fi

# ---- from here on in the test's own network namespace ----
kernel=$_KVM_NIC_KERNEL
bb=$_KVM_NIC_BB
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work" "$_KVM_NIC_MODS"' EXIT
trap 'exit 130' INT TERM
ip=(ip)
command -v ip >/dev/null 2>&1 || ip=("$bb" ip)
"${ip[@]}" link set lo up

# The initramfs: busybox, the two modules, and an init that brings up eth0,
# pings, receives and sends, reports on the serial console and powers off.
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/m"
cp "$bb" "$root/bin/busybox"
cp "$_KVM_NIC_MODS"/*.ko "$root/m/"
cat >"$root/init" <<INIT
#!/bin/busybox sh
b=/bin/busybox
\$b mount -t proc proc /proc
\$b mount -t sysfs sys /sys
\$b mount -t devtmpfs dev /dev
echo "nic guest: up"
for m in $mods_needed; do \$b insmod /m/\$m.ko || echo "nic guest: insmod \$m failed"; done
i=0
while [ ! -e /sys/class/net/eth0 ] && [ \$i -lt 100 ]; do \$b sleep 0.1; i=\$((i + 1)); done
drv=\$(\$b readlink /sys/class/net/eth0/device/driver)
echo "nic eth0: driver \${drv##*/} mac \$(\$b cat /sys/class/net/eth0/address) pci \$(\$b cat /sys/class/net/eth0/device/vendor):\$(\$b cat /sys/class/net/eth0/device/device)"
\$b ip link set lo up
\$b ip link set eth0 up
\$b ip addr add 10.0.2.15/24 dev eth0
i=0
while [ "\$(\$b cat /sys/class/net/eth0/carrier 2>/dev/null)" != 1 ] && [ \$i -lt 100 ]; do \$b sleep 0.1; i=\$((i + 1)); done
echo "nic eth0: carrier \$(\$b cat /sys/class/net/eth0/carrier 2>/dev/null) operstate \$(\$b cat /sys/class/net/eth0/operstate)"
echo "nic ping: \$(\$b ping -c 20 -i 0.2 -W 5 10.0.2.1 2>&1 | \$b grep 'packets transmitted')"
echo "nic rx: listening"
\$b timeout $((wait_s)) \$b nc -l -p 5001 </dev/null >/rx
echo "nic rx: got \$(\$b wc -c </rx) bytes sha256 \$(\$b sha256sum </rx | \$b cut -d' ' -f1)"
\$b dd if=/dev/urandom of=/tx bs=1024 count=$bulk_kib 2>/dev/null
echo "nic tx: sending \$(\$b wc -c </tx) bytes sha256 \$(\$b sha256sum </tx | \$b cut -d' ' -f1)"
\$b timeout $((wait_s)) \$b nc -l -p 5002 </tx
echo "nic tx: done"
s=/sys/class/net/eth0/statistics
echo "nic stats: rx_packets \$(\$b cat \$s/rx_packets) tx_packets \$(\$b cat \$s/tx_packets) tx_bytes \$(\$b cat \$s/tx_bytes) rx_errors \$(\$b cat \$s/rx_errors) tx_errors \$(\$b cat \$s/tx_errors) rx_dropped \$(\$b cat \$s/rx_dropped) tx_dropped \$(\$b cat \$s/tx_dropped)"
\$b dmesg | \$b grep -E '8139|e1000|eth0|NETDEV WATCHDOG|WARNING:|BUG:|Oops' | \$b sed 's/^/nic dmesg: /'
echo "nic kernel complaints: \$(\$b dmesg | \$b grep -cE 'NETDEV WATCHDOG|[Tt]ransmit timed out|[Tt]x timeout|[Tt]x [Uu]nit [Hh]ang|WARNING:|BUG:|Oops|(8139cp|e1000).*([Ee]rror|[Ff]ail)')"
echo "nic guest: powering off"
\$b poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && "$bb" find . | "$bb" cpio -o -H newc >"$work/initrd.cpio" 2>/dev/null)
head -c $((bulk_kib * 1024)) /dev/urandom >"$work/to-guest"
to_sum=$(sha256sum <"$work/to-guest" | cut -d' ' -f1)

echo "1..9"
n=0
fails=0
ok() { # status, text
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
log=$work/serial.log
err=$work/err
if [ -n "${HVMDM_KVM_NIC_KEEP:-}" ]; then
	if mkdir -p "$HVMDM_KVM_NIC_KEEP" 2>/dev/null && : 2>/dev/null >"$HVMDM_KVM_NIC_KEEP/serial.log"; then
		log=$HVMDM_KVM_NIC_KEEP/serial.log
		err=$HVMDM_KVM_NIC_KEEP/hvmdm.err
	else
		echo "# HVMDM_KVM_NIC_KEEP=$HVMDM_KVM_NIC_KEEP is not writable here: the logs stay in $work"
	fi
fi
# The guest's whole lines so far (the serial port writes a byte at a time;
# its tty ends them with \r\n).
serial() { head -n "$(wc -l <"$log")" "$log" | tr -d '\r'; }
# The first line starting with TEXT: a guest that reset and ran its init
# again must not count twice.
line() { serial | grep -ao "$1.*" | head -1; }
wait_for() { # text seconds
	for _ in $(seq 1 $(($2 * 10))); do
		serial | grep -aq "$1" && return 0
		guest_gone && break
		sleep 0.1
	done
	serial | grep -aq "$1"
}
# The run is over when hvmdm has exited or the guest started over (a reset runs its init again).
guest_gone() {
	! kill -0 "$pid" 2>/dev/null || [ "$(serial | grep -ac "^nic guest: up")" -gt 1 ]
}
# tcp_retry SECONDS COMMAND: COMMAND (a /dev/tcp redirection) again while the
# guest refuses it, for up to SECONDS; each try for up to $wait_s, cut short
# when the guest is gone. 0 when it ran through.
tcp_retry() {
	local end=$((SECONDS + $1)) rc tp
	while :; do
		timeout "$wait_s" bash -c "$2" 2>"$work/tcp.err" &
		tp=$!
		while kill -0 $tp 2>/dev/null; do
			guest_gone && { kill $tp; echo "the guest is gone" >>"$work/tcp.err"; break; }
			sleep 0.2
		done
		wait $tp
		rc=$?
		[ $rc = 0 ] && return 0
		grep -q "Connection refused\|No route to host" "$work/tcp.err" || break
		[ $SECONDS -lt $end ] || break
		sleep 0.2
	done
	sed 's/^/# /' "$work/tcp.err"
	return $rc
}
# Wait up to 30 s for hvmdm to exit by itself; then kill it (rc 124). Sets rc.
stop_hvmdm() {
	for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		rc=124
	else
		wait "$pid"
		rc=$?
	fi
	pid=
}

echo "# probe: $_KVM_NIC_PROBE_US us for 100,000 iterations; kernel $kernel ($_KVM_NIC_KVER); on $vmm"
start=$SECONDS
if [ "$vmm" = qemu ]; then
	run=(qemu-system-x86_64 -machine pc,accel=kvm -nodefaults -display none -no-reboot)
	command -v qemu-system-x86_64 >/dev/null 2>&1 || { echo "not ok 1 - no qemu-system-x86_64 here"; exit 1; }
else
	run=("$bin" -accel kvm)
fi
"${run[@]}" -m 256 -smp 2 -kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 panic=-1" -serial "file:$log" \
	-device $model,id=nic0,netdev=net0,mac=$mac \
	-netdev type=tap,id=net0,ifname=$tap,script=no,downscript=no 2>"$err" &
pid=$!
# The tap is there once hvmdm runs (it does not bring it up): address it here.
for _ in $(seq 1 100); do
	"${ip[@]}" link show dev $tap >/dev/null 2>&1 && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
"${ip[@]}" addr add 10.0.2.1/24 dev $tap 2>"$work/ip.err" && "${ip[@]}" link set $tap up 2>>"$work/ip.err"
tap_rc=$?

wait_for "nic eth0: carrier" "$wait_s"
eth=$(line "nic eth0: driver ")
[ $tap_rc = 0 ] && [ "$eth" = "nic eth0: driver $drv mac $mac pci $pciid" ]
ok $? "Linux bound $drv to hvmdm's $what with the -device MAC as eth0 (saw: ${eth:-nothing}; tap $tap here: $([ $tap_rc = 0 ] && echo up || cat "$work/ip.err"))"
carrier=$(line "nic eth0: carrier")
[ "$carrier" = "nic eth0: carrier 1 operstate up" ]
ok $? "eth0's link came up (${carrier:-no result})"
wait_for "nic rx: listening" "$wait_s"
pings=$(line "nic ping: ")
case "$pings" in *"20 packets transmitted, 20 packets received"*) r=0 ;; *) r=1 ;; esac
ok $r "the guest got all 20 replies to ping 10.0.2.1 through the tap (${pings:-no result})"

# MiB/s of bulk_kib KiB between two date +%s.%N stamps.
rate() { awk -v a="$1" -v b="$2" -v k=$bulk_kib 'BEGIN { if (b > a) printf "%.2f", k / 1024 / (b - a); else print "?" }'; }
# This side to the guest: bulk_kib KiB of random bytes into the guest's nc.
t0=$(date +%s.%N)
tcp_retry 60 "cat '$work/to-guest' >/dev/tcp/10.0.2.15/5001"
wait_for "nic rx: got" "$wait_s"
t1=$(date +%s.%N)
got=$(line "nic rx: got ")
h2g=$(rate "$t0" "$t1")
[ "$got" = "nic rx: got $((bulk_kib * 1024)) bytes sha256 $to_sum" ]
ok $? "$bulk_kib KiB from this side reached the guest over TCP intact ($h2g MiB/s; ${got:-nothing})"

# The guest to this side: as much from the guest's nc.
wait_for "nic tx: sending" "$wait_s"
want=$(line "nic tx: sending ")
: >"$work/from-guest"
t0=$(date +%s.%N)
tcp_retry 60 "cat </dev/tcp/10.0.2.15/5002 >'$work/from-guest'"
t1=$(date +%s.%N)
g2h=$(rate "$t0" "$t1")
from_sum=$(sha256sum <"$work/from-guest" | cut -d' ' -f1)
from_len=$(stat -c %s "$work/from-guest")
[ "$want" = "nic tx: sending $((bulk_kib * 1024)) bytes sha256 $from_sum" ]
ok $? "$bulk_kib KiB from the guest reached this side over TCP intact ($g2h MiB/s; guest: ${want:-nothing}; here $from_len bytes $from_sum)"
echo "# figures kvm-nic $model $vmm guest-to-host $g2h MiB/s host-to-guest $h2g MiB/s"
# Frames that reached this side through the tap, now; the guest's tx_packets (it counts a
# large send once) only grow from here. More frames than packets, by far:
# the driver's large sends (TSO) were cut into segments by the NIC.
tap_rx=$(awk -v t="$tap:" '$1 == t { print $3 }' /proc/net/dev)

wait_for "nic guest: powering off" "$wait_s"
stats=$(line "nic stats: ")
complaints=$(line "nic kernel complaints: ")
case "$stats" in *" rx_errors 0 tx_errors 0 "*) r=0 ;; *) r=1 ;; esac
[ "$complaints" = "nic kernel complaints: 0" ] || r=1
ok $r "no transmit timeouts, warnings or error counts in the guest ($stats; ${complaints:-no result})"
# (The guest's own count is whole: it counted at least the bytes it sent.)
guest_tx=$(echo "$stats" | grep -o "tx_packets [0-9]*" | awk '{ print $2 }')
guest_bytes=$(echo "$stats" | grep -o "tx_bytes [0-9]*" | awk '{ print $2 }')
[ -n "$tap_rx" ] && [ -n "$guest_tx" ] && [ -n "$guest_bytes" ] && [ "$guest_bytes" -ge $((bulk_kib * 1024)) ] &&
	[ "$tap_rx" -ge $((guest_tx + 256)) ]
ok $? "the guest's large sends (TSO) left the NIC as MSS-sized segments: ${tap_rx:-?} frames reached the tap for its ${guest_tx:-?} packets of ${guest_bytes:-?} bytes"
stop_hvmdm
# Once: a guest that reset on its way (a triple fault is a reboot to hvmdm) ran its init again.
boots=$(serial | grep -ac "^nic guest: up")
[ -n "$(line "nic guest: powering off")" ] && [ $rc = 0 ] && [ "$boots" = 1 ]
ok $? "the guest powered off and $vmm exited 0, the guest booted once (exit $rc, $boots boots, $((SECONDS - start)) s after hvmdm started)"
! grep -qE "ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|SUMMARY: .*Sanitizer" "$err"
ok $? "no sanitizer reports on $vmm's stderr"
closed=$(grep -ao "tap $tap closed (.*)" "$err")
echo "# hvmdm: ${closed:-no tap statistics}"
# On a failure, what the guest and hvmdm said, on stderr too (prove shows it without -v).
[ $fails -eq 0 ] || { tr -d '\r' <"$log" | grep -a "^nic " | sed 's/^/# serial: /'; echo "# serial, the end:"
	tr -d '\r' <"$log" | tail -30 | sed 's/^/# serial: /'; sed 's/^/# /' "$err" | tail -20; } | tee /dev/stderr
exit $((fails > 0))
