#!/usr/bin/env bash
# Real SeaBIOS (Debian's bios-256k.bin) on hvmdm's pc chipset under KVM: its
# debug-port log must show our devices. Skips, saying why, without /dev/kvm.
set -u
bin=${HVMDM:-build/asan/hvmdm}
bios=/usr/share/seabios/bios-256k.bin
checks=(
	"Running on QEMU (i440fx)"
	"Running on KVM"
	"qemu/e820: addr 0x0000000000000000 len 0x0000000004000000 [RAM]"
	"Found QEMU fw_cfg"
	"QEMU fw_cfg DMA interface supported"
	"Found 3 PCI devices"
	"PCI: init bdf=00:00.0 id=8086:1237"
	"PCI: init bdf=00:01.0 id=8086:7000"
	"PCI: init bdf=00:01.3 id=8086:7113"
	"PIIX3/PIIX4 init: elcr=00 0c"
	"Found 1 serial ports"
	"PS2 keyboard initialized"
	"e820 map has"
	"No bootable device"
)
guest_checks=(
	"hvmdm test guest: real mode"
	"count 5"
	"pci 0000 8086:1237"
	"pci 0008 8086:7000"
	"pci 000b 8086:7113"
	"powering off through PM1a_CNT"
)
modes_checks=(
	"hvmdm test guest: real mode"
	"hvmdm test guest: 32-bit protected mode"
	"hvmdm test guest: 64-bit long mode with paging"
	"long mode count 3"
	"powering off through PM1a_CNT from long mode"
)
rom=${GUEST_ROM:-build/guests/realmode.rom}
modes_rom=build/guests/modes.rom
total=$(( ${#checks[@]} + 1 + ${#guest_checks[@]} + 1 + ${#modes_checks[@]} + 1 ))
echo "1..$total"
if [ ! -e /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	for i in $(seq 1 $total); do echo "ok $i # skip no usable /dev/kvm"; done
	exit 0
fi
if [ ! -r "$bios" ]; then
	for i in $(seq 1 $total); do echo "ok $i # skip $bios missing (tools/setup-debian.sh installs seabios)"; done
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" -accel kvm -m 64 -debugcon "file:$work/bios.log" -serial "file:$work/serial.log" 2>"$work/err" &
pid=$!
# SeaBIOS reaches its end (no disk) in a second or two; wait at most 60 s.
for _ in $(seq 1 600); do
	grep -q "No bootable device" "$work/bios.log" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
n=1
fails=0
if [ $rc -eq 0 ]; then echo "ok $n - hvmdm ran SeaBIOS and stopped cleanly on SIGTERM"
else echo "not ok $n - hvmdm exited $rc"; sed 's/^/# /' "$work/err"; fails=$((fails + 1)); fi
for c in "${checks[@]}"; do
	n=$((n + 1))
	if grep -qF "$c" "$work/bios.log"; then echo "ok $n - SeaBIOS: $c"
	else echo "not ok $n - SeaBIOS never said: $c"; fails=$((fails + 1)); fi
done
[ $fails -eq 0 ] || sed 's/^/# /' "$work/bios.log" | tail -40

# The real-mode test guest: SeaBIOS runs it from fw_cfg; it powers off through ACPI S5.
timeout 60 "$bin" -accel kvm -m 64 -option-rom "$rom" -serial "file:$work/guest.log" \
	-debugcon "file:$work/bios2.log" 2>"$work/err2"
rc=$?
n=$((n + 1))
if [ $rc -eq 0 ]; then echo "ok $n - the test guest powered off through PM1a_CNT and hvmdm exited 0"
else echo "not ok $n - hvmdm exited $rc (124 = still running after 60 s)"; sed 's/^/# /' "$work/err2"; fails=$((fails + 1)); fi
for c in "${guest_checks[@]}"; do
	n=$((n + 1))
	if grep -qF "$c" "$work/guest.log"; then echo "ok $n - guest serial: $c"
	else echo "not ok $n - the guest never printed: $c"; fails=$((fails + 1)); fi
done

# Real, 32-bit protected and 64-bit long mode with paging, then S5 from long mode.
timeout 60 "$bin" -accel kvm -m 64 -option-rom "$modes_rom" -serial "file:$work/modes.log" 2>"$work/err3"
rc=$?
n=$((n + 1))
if [ $rc -eq 0 ]; then echo "ok $n - the three-mode guest powered off and hvmdm exited 0"
else echo "not ok $n - hvmdm exited $rc"; sed 's/^/# /' "$work/err3"; fails=$((fails + 1)); fi
for c in "${modes_checks[@]}"; do
	n=$((n + 1))
	if grep -qF "$c" "$work/modes.log"; then echo "ok $n - guest serial: $c"
	else echo "not ok $n - the guest never printed: $c"; fails=$((fails + 1)); fi
done
exit $((fails > 0))
