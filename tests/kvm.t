#!/usr/bin/env bash
# Real SeaBIOS (Debian's bios-256k.bin) on hvmdm's pc chipset under KVM: its
# debug-port log must show our devices. Without /dev/kvm it runs inside the
# nested KVM runner (tests/kvm/lib.sh says how).
set -u
bin=${HVMDM:-build/asan/hvmdm}
. "$(dirname "$0")/kvm/lib.sh"
kvm_here "$0" "$@"
# hvmdm's ACPI tables (hw/firmware/acpi.c) through the table loader: SeaBIOS moves the
# PM block to where they say, finds the FADT through the RSDT, parses our DSDT
# and finds the PS/2 keyboard there (SeaBIOS skips it when a parsed DSDT lacks
# PNP0303).
checks=(
	"Running on QEMU (i440fx)"
	"Running on KVM"
	"qemu/e820: addr 0x0000000000000000 len 0x0000000004000000 [RAM]"
	"Found QEMU fw_cfg"
	"QEMU fw_cfg DMA interface supported"
	"Found 5 PCI devices"
	"PCI: init bdf=00:00.0 id=8086:1237"
	"PCI: init bdf=00:01.0 id=8086:7000"
	"PCI: init bdf=00:01.1 id=8086:7010"
	"ATA controller 1 at 1f0/3f4/0 (irq 14 dev 9)"
	"ATA controller 2 at 170/374/0 (irq 15 dev 9)"
	"PCI: init bdf=00:01.2 id=8086:7020"
	"UHCI init on dev 00:01.2 (io="
	"USB keyboard initialized"
	"USB mouse initialized"
	"PCI: init bdf=00:01.3 id=8086:7113"
	"PIIX3/PIIX4 init: elcr=00 0c"
	"Found 2 cpu(s) max supported 2 cpu(s)"
	"Found 1 serial ports"
	"PS2 keyboard initialized"
	"Moving pm_base to 0x600"
	"table(50434146)="
	"e820 map has"
	"No bootable device"
)
# ... and the DSDT it parsed is ours, by length.
checks+=("ACPI: parse DSDT at 0x" "(len $(stat -c %s build/gen/dsdt.aml 2>/dev/null || echo "?: build/gen/dsdt.aml missing"))")
# Test guests: ROM, then the lines each must print on COM1 before powering off.
guests=(
	"realmode|hvmdm test guest: real mode|count 5|pci 0000 8086:1237|pci 0008 8086:7000|pci 000b 8086:7113|powering off through PM1a_CNT"
	"modes -smp 4|hvmdm test guest: real mode|hvmdm test guest: 32-bit protected mode|hvmdm test guest: 64-bit long mode with paging|long mode count 3|powering off through PM1a_CNT from long mode"
	"irq|hvmdm test guest: interrupts|100 RTC periodic interrupts on IRQ 8|SCI on IRQ 9 from the PM timer overflow"
	"pam -smp 2|hvmdm test guest: PAM|PAM segment 0 ok|PAM segment 11 ok|PAM segment 12 ok|PAM all 13 segments ok"
	"pmmove -smp 2|hvmdm test guest: PM block moving under another vCPU|bad 00000000|PM move: ok"
	"reboot -smp 3|hvmdm test guest: reset through 0xcf9|hvmdm test guest: back; reset by triple fault|hvmdm test guest: back after two resets"
	"s3|s3 guest: suspending to RAM|s3 guest: resumed from S3|s3 guest: WAK_STS set|s3 guest: woken by the RTC alarm"
	"disk|hvmdm disk guest: booted from the IDE disk|hvmdm disk guest: PIO read of LBA 100 ok|hvmdm disk guest: DMA write of LBA 200 read back by PIO ok|hvmdm disk guest: PIO write of LBA 201 read back by DMA ok|hvmdm disk guest: LBA48 read ok"
	"cd|hvmdm CD guest: booted from the CD-ROM (El Torito)|hvmdm CD guest: READ CAPACITY says 40 blocks|hvmdm CD guest: READ(10) of block 30 ok|hvmdm CD guest: locked tray held, eject then NOT READY"
	"linux|hvmdm linux: setup code entered|hvmdm linux: header patched by the loader (0xb0, heap)|hvmdm linux: cmdline: console=ttyS0 hvmdm=direct|hvmdm linux: protected-mode kernel at 1 MiB|hvmdm linux: initrd at ramdisk_image, 4096 bytes"
)
total=$(( ${#checks[@]} + 17 ))
for g in "${guests[@]}"; do
	IFS='|' read -r -a parts <<<"$g"
	total=$(( total + ${#parts[@]} ))
done
echo "1..$total"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# With a USB keyboard and mouse on the UHCI: SeaBIOS enumerates both (boot protocol).
"$bin" -accel kvm -m 64 -smp 2 -usb -device usb-kbd,port=1 -device usb-mouse,port=2 \
	-debugcon "file:$work/bios.log" -serial "file:$work/serial.log" 2>"$work/err" &
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

# Each test guest: SeaBIOS runs it from fw_cfg (genroms/); it powers off through ACPI S5.
for g in "${guests[@]}"; do
	IFS='|' read -r -a parts <<<"$g"
	read -r name extra <<<"${parts[0]}"
	# "linux": direct boot (-kernel/-initrd/-append through fw_cfg and Debian's linuxboot_dma.bin)
	# "disk", "cd": SeaBIOS boots them from hvmdm's IDE drives (a copy of the disk: the guest writes)
	if [ "$name" = linux ]; then
		boot=(-kernel build/guests/linux.bzimage -initrd build/guests/linux-initrd.img -append "console=ttyS0 hvmdm=direct")
	elif [ "$name" = disk ]; then
		cp build/guests/disk.img "$work/disk.img"
		boot=(-drive "file=$work/disk.img,if=ide,index=0,media=disk,format=raw")
	elif [ "$name" = cd ]; then
		boot=(-drive "if=none,readonly=on,id=cd0,file=build/guests/cd.iso,format=raw" -device "ide-cd,id=cd0,drive=cd0,bus=ide.1,unit=0")
	else
		boot=(-option-rom "build/guests/$name.rom")
	fi
	# shellcheck disable=SC2086 # $extra holds extra options, e.g. -smp 4
	timeout -k 10 60 "$bin" -accel kvm -m 64 $extra "${boot[@]}" \
		-serial "file:$work/$name.log" 2>"$work/$name.err"
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ]; then echo "ok $n - guest $name powered off through PM1a_CNT and hvmdm exited 0"
	else echo "not ok $n - guest $name: hvmdm exited $rc (124 = still running after 60 s)"; sed 's/^/# /' "$work/$name.err"; fails=$((fails + 1)); fi
	for c in "${parts[@]:1}"; do
		n=$((n + 1))
		if grep -qF "$c" "$work/$name.log"; then echo "ok $n - guest $name: $c"
		else echo "not ok $n - guest $name never printed: $c"; fails=$((fails + 1)); fi
	done
done
# What the disk guest wrote by DMA and by PIO is in the image file.
n=$((n + 1))
if perl -e 'open(F, "<", $ARGV[0]) or exit 1; binmode F; seek(F, 200 * 512, 0); read(F, $d, 1024) == 1024 or exit 1;
	for $i (0 .. 511) { exit 1 if ord(substr($d, $i, 1)) != (($i ^ 0x5a) & 255) || ord(substr($d, 512 + $i, 1)) != (($i * 7) & 255) } exit 0' "$work/disk.img"; then
	echo "ok $n - disk: sectors 200 (DMA write) and 201 (PIO write) reached the image file"
else echo "not ok $n - disk: the image file does not hold what the guest wrote"; fails=$((fails + 1)); fi
# The IDE guests hold QEMU to the same lines: they test the device's semantics, not hvmdm's reading of them.
n=$((n + 1))
if command -v qemu-system-x86_64 >/dev/null; then
	cp build/guests/disk.img "$work/qdisk.img"
	timeout 60 qemu-system-x86_64 -accel kvm -m 64 -display none -no-reboot -drive "file=$work/qdisk.img,format=raw,if=ide" \
		-serial "file:$work/qdisk.log" >/dev/null 2>&1
	timeout 60 qemu-system-x86_64 -accel kvm -m 64 -display none -no-reboot -boot d -cdrom build/guests/cd.iso \
		-serial "file:$work/qcd.log" >/dev/null 2>&1
	if grep -q "LBA48 read ok" "$work/qdisk.log" && grep -q "eject then NOT READY" "$work/qcd.log"; then
		echo "ok $n - the disk and CD guests pass on QEMU's IDE too"
	else echo "not ok $n - the disk or CD guest fails on QEMU"; sed 's/^/# qemu: /' "$work/qdisk.log" "$work/qcd.log"; fails=$((fails + 1)); fi
else echo "ok $n # SKIP qemu-system-x86_64 is not installed"; fi
# After each reset SeaBIOS ran its POST again and woke every AP: all vCPUs were reset.
n=$((n + 1))
timeout -k 10 60 "$bin" -accel kvm -m 64 -smp 3 -option-rom build/guests/reboot.rom -serial null \
	-debugcon "file:$work/reboot-bios.log" 2>/dev/null
posts=$(grep -c "Found 3 cpu(s) max supported 3 cpu(s)" "$work/reboot-bios.log")
if [ "$posts" = 3 ]; then echo "ok $n - reboot: SeaBIOS found all 3 vCPUs in each of the 3 boots"
else echo "not ok $n - reboot: SeaBIOS found all 3 vCPUs in $posts boots, expected 3"; fails=$((fails + 1)); fi
# A hostile guest (random port accesses from a fixed seed, see garbage.asm) for
# 6 s: whatever it does to itself, hvmdm ends cleanly.
n=$((n + 1))
ASAN_OPTIONS=exitcode=86 UBSAN_OPTIONS=exitcode=86 "$bin" -accel kvm -m 64 -smp 2 \
	-option-rom build/guests/garbage.rom -serial "file:$work/garbage.log" 2>"$work/garbage.err" &
pid=$!
for _ in $(seq 1 60); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q "^hvmdm: vCPU" "$work/garbage.err"; }; then
	echo "ok $n - garbage guest: hvmdm ended cleanly (exit $rc)"
else
	echo "not ok $n - garbage guest: hvmdm exited $rc"; tail -20 "$work/garbage.err" | sed 's/^/# /'
	fails=$((fails + 1))
fi
n=$((n + 1))
if grep -q "Sanitizer\|runtime error" "$work/garbage.err"; then
	echo "not ok $n - garbage guest: sanitizer report"; grep -A20 "Sanitizer\|runtime error" "$work/garbage.err" | head -30 | sed 's/^/# /'
	fails=$((fails + 1))
else echo "ok $n - garbage guest: no sanitizer report"; fi
n=$((n + 1))
if grep -qa "garbage: start" "$work/garbage.log"; then echo "ok $n - garbage guest ran"
else echo "not ok $n - garbage guest never started"; fails=$((fails + 1)); fi
# S3: the vCPU that writes SLP_EN stops there; QMP sees "suspended" and system_wakeup wakes it early.
n=$((n + 1))
if grep -q "still running after SLP_EN" "$work/s3.log"; then
	echo "not ok $n - s3: the guest ran on after SLP_EN"; fails=$((fails + 1))
else echo "ok $n - s3: the guest stopped at SLP_EN"; fi
"$bin" -accel kvm -m 64 -option-rom build/guests/s3.rom -serial "file:$work/s3q.log" \
	-qmp "unix:$work/s3q,server=on,wait=off" 2>"$work/s3q.err" &
pid=$!
tests/tools/qmp-client "$work/s3q" wait-status '{"status":"suspended"}' system_wakeup >"$work/s3q.out" 2>&1
qrc=$?
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
rc=$?
n=$((n + 1))
if [ $qrc -eq 0 ] && grep -q '"status":"suspended"' "$work/s3q.out"; then echo "ok $n - s3: QMP query-status says suspended"
else echo "not ok $n - s3: QMP never said suspended"; sed 's/^/# /' "$work/s3q.out"; fails=$((fails + 1)); fi
n=$((n + 1))
if [ $rc -eq 0 ] && grep -q "resumed from S3" "$work/s3q.log" && ! grep -q "woken by the RTC" "$work/s3q.log"; then
	echo "ok $n - s3: QMP system_wakeup resumed the guest before its alarm, and it powered off"
else echo "not ok $n - s3: system_wakeup (exit $rc)"; sed 's/^/# /' "$work/s3q.log" "$work/s3q.err"; fails=$((fails + 1)); fi
# The same guest as the disk the real-Xen tier boots (s3disk.img), woken by QMP.
cp build/guests/s3disk.img "$work/s3disk.img"
"$bin" -accel kvm -m 64 -drive "file=$work/s3disk.img,if=ide,index=0,media=disk,format=raw" \
	-serial "file:$work/s3d.log" -qmp "unix:$work/s3d,server=on,wait=off" 2>"$work/s3d.err" &
pid=$!
# libxl's live-migration command too: a no-op on KVM, but its argument is checked.
tests/tools/qmp-client "$work/s3d" xen-set-global-dirty-log '{}' >"$work/s3d.bad" 2>&1
brc=$?
tests/tools/qmp-client "$work/s3d" xen-set-global-dirty-log '{"enable":true}' \
	wait-status '{"status":"suspended"}' system_wakeup >"$work/s3d.out" 2>&1
qrc=$?
[ $brc -eq 1 ] && grep -q "parameter 'enable'" "$work/s3d.bad" || qrc=9
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
rc=$?
n=$((n + 1))
if [ $qrc -eq 0 ] && [ $rc -eq 0 ] && grep -q "s3 guest: start" "$work/s3d.log" && grep -q "resumed from S3" "$work/s3d.log" &&
	grep -q "WAK_STS set" "$work/s3d.log"; then
	echo "ok $n - s3 disk (the real-Xen tier's image): booted from IDE, suspended, woken by QMP, resumed, powered off"
else echo "not ok $n - s3 disk (exit $rc, QMP $qrc)"; sed 's/^/# /' "$work/s3d.log" "$work/s3d.err" "$work/s3d.out"; fails=$((fails + 1)); fi
# The display cards: SeaBIOS runs each card's VGA BIOS from its ROM BAR (Debian's
# vgabios-stdvga.bin, vgabios-cirrus.bin); the guest sets a linear mode (the DISPI
# ports on the standard VGA, the VGA BIOS's VBE calls on the Cirrus) and draws in
# the framebuffer, which KVM maps as a memory slot whose dirty log drives the redraw;
# QMP screendump must show exactly the pattern.
for card in "VGA vbe vbe-pattern" "cirrus-vga cirrus cirrus-pattern"; do
	read -r dev rom pat <<<"$card"
	"$bin" -accel kvm -m 64 -S -device "$dev" -option-rom "build/guests/$rom.rom" \
		-serial "file:$work/$rom-d.log" -qmp "unix:$work/$rom-q,server=on,wait=off" 2>"$work/$rom-d.err" &
	pid=$!
	tests/tools/qmp-client "$work/$rom-q" cont wait-output "{\"file\":\"$work/$rom-d.log\",\"text\":\"$rom: drawn\"}" \
		screendump "{\"filename\":\"$work/$rom.ppm\"}" >"$work/$rom-q.out" 2>&1
	qrc=$?
	kill $pid 2>/dev/null
	wait $pid
	n=$((n + 1))
	if [ $qrc -eq 0 ] && grep -q "$rom: text shown" "$work/$rom-d.log"; then
		echo "ok $n - -device $dev: SeaBIOS ran the card's VGA BIOS, the guest wrote on the text screen and drew in a linear mode"
	else echo "not ok $n - -device $dev: the $rom guest never drew (QMP $qrc)"; sed 's/^/# /' "$work/$rom-d.log" "$work/$rom-d.err" "$work/$rom-q.out"; fails=$((fails + 1)); fi
	n=$((n + 1))
	if [ $qrc -eq 0 ] && tests/tools/ppm-check "$pat" "$work/$rom.ppm" >"$work/$rom.check" 2>&1; then
		echo "ok $n - -device $dev: QMP screendump shows exactly the picture the guest drew ($pat)"
	else echo "not ok $n - -device $dev: the screendump is not the $pat"; sed 's/^/# /' "$work/$rom.check"; fails=$((fails + 1)); fi
done
# USB saved and restored with the VM: after SeaBIOS gave up booting it keeps its
# USB keyboard and mouse addressed and the UHCI walking their interrupt queues.
# Saved there, restored into a fresh hvmdm, run on and saved again: the
# controller still runs (its frame number moved on) and both devices keep
# their addresses and configuration.
usbdev=(-usb -device usb-kbd,port=1 -device usb-mouse,port=2)
"$bin" -accel kvm -m 64 "${usbdev[@]}" -debugcon "file:$work/usb1.log" -serial null \
	-qmp "unix:$work/usbq1,server=on,wait=off" 2>"$work/usb1.err" &
pid=$!
tests/tools/qmp-client "$work/usbq1" wait-output "{\"file\":\"$work/usb1.log\",\"text\":\"No bootable device\"}" \
	stop migrate "{\"uri\":\"file:$work/usb1.vm\"}" quit >"$work/usbq1.out" 2>&1
q1=$?
wait $pid
"$bin" -accel kvm -m 64 "${usbdev[@]}" -serial null -S -incoming "file:$work/usb1.vm" \
	-qmp "unix:$work/usbq2,server=on,wait=off" 2>"$work/usb2.err" &
pid=$!
tests/tools/qmp-client "$work/usbq2" cont >"$work/usbq2.out" 2>&1
q2=$?
# Two looks about a second apart, by the next frame's deadline on the device
# clock (the 11-bit frame number wraps every 2.048 s, about as long as a look
# takes under a loaded nested VM): it moves only while the controller runs frames.
sleep 1
tests/tools/qmp-client "$work/usbq2" stop migrate "{\"uri\":\"file:$work/usb2a.vm\"}" cont >>"$work/usbq2.out" 2>&1 || q2=$?
sleep 1
tests/tools/qmp-client "$work/usbq2" stop migrate "{\"uri\":\"file:$work/usb2.vm\"}" quit >>"$work/usbq2.out" 2>&1 || q2=$?
wait $pid
rc=$?
usb_state() { # FILE: "RS frame-deadline kbd-addr kbd-config mouse-addr mouse-config" from the saved stream
	"${HVMDM_STREAM:-build/asan/hvmdm-stream}" inspect --json "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
u = (d.get("state") or d)["usb"]
devs = {x["kind"]: x["device"] for x in u["devices"]}
print(u["cmd"] & 1, u["expire_ns"], devs["usb-kbd"]["addr"], devs["usb-kbd"]["configuration"], devs["usb-ptr"]["addr"], devs["usb-ptr"]["configuration"])' 2>/dev/null
}
read -r rs1 fr1 ka1 kc1 ma1 mc1 <<<"$(usb_state "$work/usb1.vm")"
read -r rs2a fr2a _ _ _ _ <<<"$(usb_state "$work/usb2a.vm")"
read -r rs2 fr2 ka2 kc2 ma2 mc2 <<<"$(usb_state "$work/usb2.vm")"
n=$((n + 1))
if [ $q1 -eq 0 ] && [ "${rs1:-}" = 1 ] && [ "${ka1:-0}" != 0 ] && [ "${kc1:-0}" = 1 ] && [ "${ma1:-0}" != 0 ] && [ "${mc1:-0}" = 1 ]; then
	echo "ok $n - USB saved with the VM: the UHCI running, keyboard at address $ka1, mouse at $ma1, both configured"
else echo "not ok $n - USB save (QMP $q1): ${rs1:-?} ${fr1:-?} ${ka1:-?} ${kc1:-?} ${ma1:-?} ${mc1:-?}"; sed 's/^/# /' "$work/usbq1.out" "$work/usb1.err"; fails=$((fails + 1)); fi
n=$((n + 1))
if [ $q2 -eq 0 ] && [ $rc -eq 0 ] && [ "${rs2a:-}" = 1 ] && [ "${rs2:-}" = 1 ] &&
	[ "${fr2a:-0}" -gt "${fr1:-0}" ] && [ "${fr2:-0}" -gt "${fr2a:-0}" ] && [ "${ka2:-}" = "${ka1:-}" ] && [ "${kc2:-}" = 1 ] &&
	[ "${ma2:-}" = "${ma1:-}" ] && [ "${mc2:-}" = 1 ]; then
	echo "ok $n - USB restored: the UHCI ran on (next frame due at $fr1 -> $fr2a -> $fr2 ns of device time), keyboard and mouse kept their addresses and configuration"
else echo "not ok $n - USB restore (QMP $q2, exit $rc): running ${rs2a:-?} ${rs2:-?}, next frame due ${fr1:-?} -> ${fr2a:-?} -> ${fr2:-?} ns, keyboard ${ka2:-?} (${kc2:-?}), mouse ${ma2:-?} (${mc2:-?})"; sed 's/^/# /' "$work/usbq2.out" "$work/usb2.err"; fails=$((fails + 1)); fi
exit $((fails > 0))
