#!/usr/bin/env bash
# A real Linux guest on hvmdm's pc machine under KVM: Debian's kernel booted
# directly (-kernel/-initrd/-append through fw_cfg) with a busybox initramfs
# built here. It must reach user space, list our PCI functions and ACPI
# tables, see no ACPI errors, count on the serial console across a whole-VM
# save and restore with its uptime going on, and power off with `poweroff -f`
# (ACPI S5).
#
# Without /dev/kvm it runs inside the nested KVM runner (tests/kvm/lib.sh),
# where Debian's kernel reaches user space in about 6 s of guest time.
# Where /dev/kvm is native, only if KVM there runs guests at hardware
# speed: a probe guest (firmware/guests/kvmprobe.asm) times 100,000 loop
# iterations on the PM timer first. With hardware virtualization that takes
# well under 1 ms; a paravirtual KVM we met needed hundreds of milliseconds,
# and a 64-bit kernel there many minutes to reach user space, so the test
# says it skipped and why. HVMDM_KVM_LINUX=1 runs it anyway (with
# HVMDM_KVM_LINUX_TIMEOUT seconds per wait, default 300); =0 skips it.
# The kernel: HVMDM_LINUX_KERNEL, else (nested) the runner's Debian kernel,
# else the newest /boot/vmlinuz-*.
set -u
bin=${HVMDM:-build/asan/hvmdm}
B=${B:-build}
probe_limit_us=20000
wait_s=${HVMDM_KVM_LINUX_TIMEOUT:-300}
skip() { echo "1..0 # SKIP $*"; exit 0; }

[ "${HVMDM_KVM_LINUX:-}" = 0 ] && skip "HVMDM_KVM_LINUX=0"
. "$(dirname "$0")/kvm/lib.sh"
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
	skip "KVM here ran the probe's 100,000 loop iterations in $((probe_us / 1000)) ms (with hardware virtualization: well under a millisecond; limit $((probe_limit_us / 1000)) ms), so a 64-bit Linux kernel would take many minutes to boot; HVMDM_KVM_LINUX=1 runs it anyway"
fi

kernel=${HVMDM_LINUX_KERNEL:-${HVMDM_NESTED_KERNEL:-$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)}}
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no Linux kernel to boot (install linux-image-amd64, or set HVMDM_LINUX_KERNEL)"
bb=$(command -v busybox)
[ -n "$bb" ] && ! ldd "$bb" >/dev/null 2>&1 || skip "no statically linked busybox for the initramfs (install busybox-static)"

# The initramfs: busybox and an init that reports, counts and powers off.
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$bb" "$root/bin/busybox"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
b=/bin/busybox
$b mount -t proc proc /proc
$b mount -t sysfs sys /sys
echo "linux guest: up"
for d in /sys/bus/pci/devices/*; do
	echo "linux pci ${d##*/} $($b cat $d/vendor):$($b cat $d/device) $($b cat $d/class)"
done
echo "linux acpi tables: $($b ls /sys/firmware/acpi/tables | $b tr '\n' ' ')"
echo "linux acpi errors: $($b dmesg | $b grep -ciE 'ACPI (BIOS )?(Error|Exception)')"
i=1
while [ $i -le 12 ]; do
	echo "count $i uptime $($b cut -d' ' -f1 /proc/uptime)"
	i=$((i + 1))
	$b sleep 1
done
echo "linux guest: powering off"
$b poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && "$bb" find . | "$bb" cpio -o -H newc >"$work/initrd.cpio" 2>/dev/null)

echo "1..9"
n=0
fails=0
ok() { # status, text
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
wait_for() { # file text seconds
	for _ in $(seq 1 $(($3 * 10))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "$2" "$1" 2>/dev/null
}
qmp=tests/tools/qmp-client
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

# start_linux N OPTIONS...: hvmdm with the kernel, serialN.log, errN; sets pid.
start_linux() {
	local i=$1
	shift
	"$bin" -accel kvm -m 256 -smp 2 -kernel "$kernel" -initrd "$work/initrd.cpio" \
		-append "console=ttyS0 panic=-1" -serial "file:$work/serial$i.log" "$@" 2>"$work/err$i" &
	pid=$!
}

echo "# probe: $probe_us us for 100,000 iterations; kernel $kernel"
start_linux 1 -qmp "unix:$work/qmp1.sock,server=on,wait=off"
wait_for "$work/serial1.log" "linux guest: up" "$wait_s"
ok $? "Linux booted to its busybox init on hvmdm under KVM"
wait_for "$work/serial1.log" "count 4 " "$wait_s"
pci=$(grep -o "linux pci .*" "$work/serial1.log" | awk '{ print $4 }' | sed "s/0x//g" | sort | tr '\n' ' ')
[ "$pci" = "8086:1237 8086:7000 8086:7010 8086:7113 " ]
ok $? "it sees the i440FX, PIIX3, PIIX3 IDE and PIIX4 PM functions (saw: $pci)"
tables=$(grep -o "linux acpi tables: .*" "$work/serial1.log")
case "$tables" in *APIC*DSDT*FACP*FACS*) r=0 ;; *) r=1 ;; esac
ok $r "it found hvmdm's ACPI tables ($tables)"
grep -q "linux acpi errors: 0" "$work/serial1.log"
ok $? "no ACPI errors in its kernel log"
"$qmp" "$work/qmp1.sock" stop migrate "{\"uri\":\"file:$work/vm.hvmdm\"}" quit >"$work/qmp1.log"
stop_hvmdm
[ -s "$work/vm.hvmdm" ] && grep -q "count 4 " "$work/serial1.log"
ok $? "saved mid-count over QMP (migrate to a file), then quit"
before=$(grep -o "count [0-9]* uptime [0-9.]*" "$work/serial1.log" | tail -1)
start_linux 2 -incoming "file:$work/vm.hvmdm"
wait_for "$work/serial2.log" "linux guest: powering off" "$wait_s"
ok $? "restored into a new hvmdm, it counted on and powered off"
stop_hvmdm
ok $rc "hvmdm exited 0 after the guest's poweroff -f (ACPI S5)"
nums=$(cat "$work/serial1.log" "$work/serial2.log" | grep -o "^count [0-9]*" | awk '{ print $2 }' | tr '\n' ' ')
[ "$nums" = "$(seq 1 12 | tr '\n' ' ')" ]
ok $? "it counted 1-12 across the save and restore, none twice or missing ($nums)"
# Uptime: after the restore it goes on from where it was, never backwards.
ups=$(cat "$work/serial1.log" "$work/serial2.log" | grep -o "uptime [0-9.]*" | awk '{ print $2 }')
echo "$ups" | awk 'NR > 1 && $1 < last { bad = 1 } { last = $1 } END { exit bad || NR < 12 }'
ok $? "its uptime went on across the restore, never backwards (last before: ${before:-none})"
# On a failure, what the guest and hvmdm said, on stderr too (prove shows it without -v).
[ $fails -eq 0 ] || { sed 's/^/# serial1: /' "$work/serial1.log" | tail -20; sed 's/^/# serial2: /' "$work/serial2.log" | tail -10; cat "$work/err1" "$work/err2" | sed 's/^/# /' | tail -10; } | tee /dev/stderr
exit $((fails > 0))
