#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The KVM part of the main job (`make run`): SeaBIOS boots the counting test
# guest on hvmdm's pc chipset; while it counts in 32-bit protected mode the
# VM is stopped and saved over QMP, hvmdm exits, a new hvmdm restores it with
# -incoming and the guest counts on through long mode to an ACPI power-off.
# Every wait is bounded.
set -u
B=${1:-build}
hvmdm=$B/hvmdm
qmp=tests/tools/qmp-client
rom=$B/guests/count.rom
work=$(mktemp -d)
trap 'kill $tailpid $pid 2>/dev/null; rm -rf "$work"' EXIT
tailpid=
pid=

show() { # follow a console log on our stdout
	touch "$1"
	tail -n +1 -f "$1" &
	tailpid=$!
}
stop_show() {
	sleep 0.2
	kill "$tailpid" 2>/dev/null
	wait "$tailpid" 2>/dev/null
	tailpid=
}

echo "=== Booting on KVM: SeaBIOS on hvmdm's pc chipset runs the counting guest; its console follows ==="
show "$work/console1"
"$hvmdm" -accel kvm -m 64 -smp 2 -debugcon "file:$B/seabios.log" -serial "file:$work/console1" \
	-option-rom "$rom" -qmp "unix:$work/qmp,server=on,wait=off" -S 2>"$work/err1" &
pid=$!
# Started paused (-S): the QMP client lets it run and saves it as soon as it
# prints "count 12" (protected mode), however long the client takes to start.
"$qmp" "$work/qmp" cont wait-output "{\"file\":\"$work/console1\",\"text\":\"count 12\"}" \
	stop migrate "{\"uri\":\"file:$B/demo-vm.hvmdm\"}" quit >"$work/qmp.out" || {
	stop_show
	echo "the guest never reached count 12, or the save failed:" >&2
	cat "$work/qmp.out" "$work/err1" >&2
	kill $pid 2>/dev/null
	exit 1
}
wait $pid
rc=$?
stop_show
pid=
[ $rc -eq 0 ] || { cat "$work/err1" >&2; exit 1; }
echo "=== QMP stop + migrate: the whole VM (RAM, vCPUs, irqchip, devices) is in $B/demo-vm.hvmdm ($(stat -c %s "$B/demo-vm.hvmdm") bytes); that hvmdm has exited ==="
echo "=== A new hvmdm restores it with -incoming; the guest counts on ==="
show "$work/console2"
timeout 60 "$hvmdm" -accel kvm -m 64 -smp 2 -serial "file:$work/console2" -option-rom "$rom" \
	-incoming "file:$B/demo-vm.hvmdm" 2>"$work/err2"
rc=$?
stop_show
if [ $rc -ne 0 ] || ! grep -q "count done" "$work/console2"; then
	echo "the restored guest did not finish (exit $rc):" >&2
	cat "$work/err2" >&2
	exit 1
fi
first=$(grep -m1 -o 'count [0-9]*' "$work/console2")
echo "=== restored: the guest went on with \"$first\" and powered off through ACPI S5 ==="
echo "=== inspect the saved VM with: $B/hvmdm-stream inspect $B/demo-vm.hvmdm ==="
