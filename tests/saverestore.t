#!/usr/bin/env bash
# Whole-VM save and restore on KVM, driven over QMP as a user would: the
# counting guest (firmware/guests/count.asm) is saved in real mode, in 32-bit
# protected mode and in 64-bit long mode, each time restored into a fresh
# hvmdm with -incoming, and must go on counting with no number missing or
# repeated. Corrupt, truncated and mismatched streams are refused before
# anything runs. Without /dev/kvm it runs inside the nested KVM runner
# (tests/kvm/lib.sh says how).
set -u
. "$(dirname "$0")/kvm/lib.sh"
kvm_here "$0" "$@"
bin=${HVMDM:-build/asan/hvmdm}
tool=${HVMDM_STREAM:-build/asan/hvmdm-stream}
qmp=tests/tools/qmp-client
rom=build/guests/count.rom
echo "1..40"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"
	else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
# wait_for FILE TEXT PID: until FILE has TEXT (at most 60 s, or until PID ends)
wait_for() {
	for _ in $(seq 1 600); do
		grep -qF "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# One leg: start hvmdm paused (-S; restoring $1 if given), let it run over
# QMP, and as soon as it prints "count $2" save to $3 and quit: the QMP client
# watches the serial file itself, so the save lands within one count of
# $2 however slowly processes start here (nested KVM). Serial output to
# $work/leg$4.log.
leg() {
	local from=$1 until=$2 to=$3 i=$4 incoming=()
	[ -n "$from" ] && incoming=(-incoming "file:$from")
	"$bin" -accel kvm -m 64 -smp 2 -option-rom "$rom" -serial "file:$work/leg$i.log" -S \
		-qmp "unix:$work/qmp$i,server=on,wait=off" "${incoming[@]}" 2>"$work/leg$i.err" &
	local pid=$!
	pids+=("$pid")
	"$qmp" "$work/qmp$i" cont wait-output "{\"file\":\"$work/leg$i.log\",\"text\":\"count $until\"}" \
		stop migrate "{\"uri\":\"file:$to\"}" query-status quit >"$work/qmp$i.out"
	local qrc=$?
	[ $qrc -eq 0 ] || kill "$pid" 2>/dev/null
	wait "$pid"
	local rc=$?
	[ $qrc -eq 0 ] || sed 's/^/# qmp: /' "$work/qmp$i.out"
	[ $rc -eq 0 ] || sed 's/^/# /' "$work/leg$i.err"
	[ $qrc -eq 0 ] && [ $rc -eq 0 ] && grep -q '"status":"postmigrate"' "$work/qmp$i.out"
}

leg "" 4 "$work/real.vm" 1
ok $? "boot, count to 4 in real mode, stop and migrate to a file over QMP, quit"
[ -s "$work/real.vm" ] && ! ls "$work"/real.vm.tmp.* >/dev/null 2>&1
ok $? "the save file is complete and no temporary file is left"
"$tool" inspect "$work/real.vm" >"$work/inspect" 2>&1 &&
	grep -q "kvm-vcpu *instance 0x1 " "$work/inspect" && grep -q "guest-ram" "$work/inspect"
ok $? "hvmdm-stream inspect lists the whole-VM records (two vCPUs, RAM)"
"$tool" verify "$work/real.vm" >"$work/verify" 2>&1
[ $? -eq 1 ] && grep -q "whole-VM stream" "$work/verify"
ok $? "a device-state restore of a whole-VM stream is refused, naming why"

leg "$work/real.vm" 14 "$work/pm32.vm" 2
ok $? "restored from real mode, counted on into protected mode (14), saved again"
leg "$work/pm32.vm" 24 "$work/long.vm" 3
ok $? "restored in protected mode, counted on into long mode (24), saved again"

# The last leg restores through a descriptor, as libxl hands one over.
timeout -k 10 60 "$bin" -accel kvm -m 64 -smp 2 -option-rom "$rom" -serial "file:$work/leg4.log" \
	-incoming fd:7 7<"$work/long.vm" 2>"$work/leg4.err"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$work/leg4.err"
ok $rc "restored in long mode from -incoming fd:7 and ran to ACPI power-off"
grep -q "restored the VM" "$work/leg4.err"
ok $? "hvmdm reported the restore"

# The four legs' serial output together: 1..30, each once, in order, then done.
cat "$work"/leg1.log "$work"/leg2.log "$work"/leg3.log "$work"/leg4.log | tr -d '\r' >"$work/all"
grep '^count [0-9]' "$work/all" | sed 's/count //' >"$work/numbers"
seq 1 30 | cmp -s - "$work/numbers"
rc=$?
[ $rc -eq 0 ] || { echo "# counts were:"; tr '\n' ' ' <"$work/numbers" | sed 's/^/# /'; echo; }
ok $rc "the count went 1..30 across three saves and restores, none missing or repeated"
grep -q "count done" "$work/all"
ok $? "the guest finished its count"
for i in 1 2 3; do
	[ "$(grep -c 'count guest: real mode' "$work/leg$i.log")" -le 1 ] &&
		! grep -q "count guest: real mode" "$work/leg$((i + 1)).log"
	ok $? "restore $i did not reboot the guest"
done
grep -q "count guest: 32-bit" "$work/leg2.log" && grep -q "count guest: 64-bit" "$work/leg3.log"
ok $? "each restore continued into the next CPU mode"

# save -> restore (paused) -> save: the same VM, record for record (but the
# clocks that run on the host: kvmclock, the PIT's load times, the TSC).
"$bin" -accel kvm -m 64 -smp 2 -option-rom "$rom" -serial null -S -incoming "file:$work/pm32.vm" \
	-qmp "unix:$work/qmp-again,server=on,wait=off" 2>"$work/again.err" &
pid=$!
pids+=("$pid")
"$qmp" "$work/qmp-again" migrate "{\"uri\":\"file:$work/again.vm\"}" quit >/dev/null
wait "$pid"
tests/tools/stream-records "$work/pm32.vm" >"$work/r1"
tests/tools/stream-records "$work/again.vm" >"$work/r2"
[ -s "$work/r1" ] && cmp -s "$work/r1" "$work/r2"
rc=$?
[ $rc -eq 0 ] || diff "$work/r1" "$work/r2" | head -10 | sed 's/^/# /'
ok $rc "save, restore paused, save again: every record the same ($(wc -l <"$work/r1") records)"

# Refusals: nothing runs, the message says which record and why.
refuse() {
	local what=$1 want=$2
	shift 2
	timeout -k 5 20 "$bin" -accel kvm -smp 2 -option-rom "$rom" -serial "file:$work/refused.log" "$@" \
		2>"$work/refused.err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -q "$want" "$work/refused.err" && [ ! -s "$work/refused.log" ]; then
		ok 0 "$what"
	else
		ok 1 "$what (exit $rc)"; sed 's/^/# /' "$work/refused.err"
	fi
}
refuse "a restore into a VM with other RAM is refused and names -m" "restore with -m 64" \
	-m 128 -incoming "file:$work/real.vm"
refuse "a restore into a VM with other vCPUs is refused and names -smp" "restore with -smp 2" \
	-m 64 -smp 1 -incoming "file:$work/real.vm"
size=$(stat -c %s "$work/real.vm")
cp "$work/real.vm" "$work/flip.vm"
printf '\x5a' | dd of="$work/flip.vm" bs=1 seek=$((size / 2)) conv=notrunc status=none
refuse "a stream with one flipped byte in guest RAM is refused (record checksum)" "record checksum mismatch" \
	-m 64 -incoming "file:$work/flip.vm"
head -c $((size - 100)) "$work/real.vm" >"$work/short.vm"
refuse "a truncated stream is refused" "refused, nothing was loaded" -m 64 -incoming "file:$work/short.vm"
head -c 0 /dev/null >"$work/empty.vm"
refuse "an empty stream is refused" "plausible size" -m 64 -incoming "file:$work/empty.vm"
refuse "a missing file is refused" "No such file" -m 64 -incoming "file:$work/nope.vm"
refuse "an unknown -incoming URI is refused" "only file:PATH and fd:N" -m 64 -incoming "tcp:1.2.3.4:5"

# QMP on a guest started paused (-S): state, errors, cont.
"$bin" -accel kvm -m 64 -option-rom "$rom" -serial "file:$work/s.log" -S \
	-chardev "socket,id=m0,path=$work/qmp-s,server=on,wait=off" -mon chardev=m0,mode=control \
	2>"$work/s.err" &
pid=$!
pids+=("$pid")
"$qmp" "$work/qmp-s" query-status >"$work/q1"
grep -q '"status":"prelaunch"' "$work/q1" && [ ! -s "$work/s.log" ]
ok $? "-S: QMP query-status says prelaunch and the guest has not run"
"$qmp" "$work/qmp-s" no-such-command >"$work/q2"
[ $? -eq 1 ] && grep -q '"class":"CommandNotFound"' "$work/q2"
ok $? "an unknown command gets CommandNotFound"
perl -MIO::Socket::UNIX -e '
	my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 2;
	my $g = <$s>; print $s "{\"execute\":\"stop\"}\n"; my $r = <$s>;
	exit($r =~ /Expecting capabilities negotiation/ ? 0 : 1);' "$work/qmp-s"
ok $? "a command before qmp_capabilities is refused"
perl -MIO::Socket::UNIX -e '
	my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 2;
	my $g = <$s>; print $s "{\"execute\":\"qmp_capabilities\"}\n"; <$s>;
	print $s "{garbage\n{\"execute\":\"query-status\",\"id\":7}\n";
	my $e = <$s>; my $r = <$s>;
	exit($e =~ /JSON parse error/ && $r =~ /"id":7/ ? 0 : 1);' "$work/qmp-s"
ok $? "garbage JSON gets an error and the monitor keeps working"
"$qmp" "$work/qmp-s" cont >/dev/null && wait_for "$work/s.log" "count 2" "$pid"
ok $? "cont starts the guest"
"$qmp" "$work/qmp-s" quit >/dev/null
wait "$pid"
ok $? "QMP quit ends hvmdm with exit 0"

# The disk guest (firmware/guests/disk.asm) saved in the middle of its DMA write rounds and
# restored with the same image: nothing it wrote before the save is lost, it goes on.
cp build/guests/disk.img "$work/disk.img"
"$bin" -accel kvm -m 64 -drive "file=$work/disk.img,if=ide,index=0,media=disk,format=raw" -S \
	-serial "file:$work/d1.log" -qmp "unix:$work/qmp-d1,server=on,wait=off" 2>"$work/d1.err" &
pid=$!
pids+=("$pid")
"$qmp" "$work/qmp-d1" cont wait-output "{\"file\":\"$work/d1.log\",\"text\":\"disk count 10\"}" \
	stop migrate "{\"uri\":\"file:$work/disk.vm\"}" quit >"$work/qmp-d1.out"
rc=$?
wait "$pid"
ok $((rc | $?)) "disk guest: saved over QMP in the middle of its write rounds"
"$bin" -accel kvm -m 64 -drive "file=$work/disk.img,if=ide,index=0,media=disk,format=raw" \
	-serial "file:$work/d2.log" -incoming "file:$work/disk.vm" 2>"$work/d2.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill "$pid" 2>/dev/null
wait "$pid"
ok $? "disk guest: restored with -incoming, it ran to its ACPI power-off"
first=$(grep -o "disk count [0-9]*" "$work/d2.log" | head -1 | grep -o "[0-9]*$")
last=$(grep -o "disk count [0-9]*" "$work/d1.log" | tail -1 | grep -o "[0-9]*$")
[ -n "$first" ] && [ -n "$last" ] && [ "$first" = $((last + 1)) ] && grep -q "disk count 40" "$work/d2.log"
ok $? "disk guest: the rounds go on after the restore with the next one (${last:-?} then ${first:-?}), to 40"
grep -q "all 40 sectors read back after the rounds" "$work/d2.log"
ok $? "disk guest: every sector written before and after the save reads back"
perl -e 'open(F, "<", $ARGV[0]) or exit 1; binmode F; seek(F, 300 * 512, 0); read(F, $d, 40 * 512) == 40 * 512 or exit 1;
	for $i (0 .. 40 * 512 - 1) { exit 1 if ord(substr($d, $i, 1)) != 1 + int($i / 512) } exit 0' "$work/disk.img"
ok $? "disk guest: the image file holds all 40 sectors"

# QMP medium changes on an empty CD-ROM drive (libxl's form: -drive if=none + -device ide-cd, by id).
"$bin" -accel kvm -m 64 -S -drive if=none,readonly=on,id=ide-5632 \
	-device ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0 \
	-qmp "unix:$work/qmp-cd,server=on,wait=off" 2>"$work/cd.err" &
pid=$!
pids+=("$pid")
iso=$PWD/build/guests/cd.iso
"$qmp" "$work/qmp-cd" query-block >"$work/cd1" &&
	grep -q '"device":"ide1-cd0"' "$work/cd1" && grep -q '"qdev":"ide-5632"' "$work/cd1" && ! grep -q inserted "$work/cd1"
ok $? "QMP query-block: the empty CD-ROM drive, by QEMU's name and libxl's id"
"$qmp" "$work/qmp-cd" blockdev-change-medium "{\"id\":\"ide-5632\",\"filename\":\"$iso\",\"format\":\"raw\"}" query-block >"$work/cd2" &&
	grep -q "\"file\":\"$iso\"" "$work/cd2" && grep -q '"tray_open":false' "$work/cd2"
ok $? "QMP blockdev-change-medium inserts an ISO, tray closed"
"$qmp" "$work/qmp-cd" eject '{"id":"ide-5632"}' query-block >"$work/cd3" &&
	! grep -q inserted "$work/cd3" && grep -q '"tray_open":true' "$work/cd3"
ok $? "QMP eject removes it and leaves the tray open"
"$qmp" "$work/qmp-cd" eject '{"device":"ide0-cd0"}' >"$work/cd4"
r1=$?
"$qmp" "$work/qmp-cd" blockdev-change-medium '{"id":"ide-5632","filename":"/nonexistent.iso"}' >"$work/cd5"
r2=$?
[ $r1 -eq 1 ] && grep -q DeviceNotFound "$work/cd4" && [ $r2 -eq 1 ] && grep -q "nonexistent" "$work/cd5"
ok $? "QMP eject of a drive that is not there, and a medium that cannot be opened, are errors"
# The rest of libxl's QMP on the same (prelaunch, so stopped) machine.
"$qmp" "$work/qmp-cd" query-pci query-vnc >"$work/pci" &&
	perl -MJSON::PP -ne '
		my $r = decode_json($_)->{return};
		if (ref $r eq "HASH") { $vnc = !$r->{enabled}; next }
		for my $d (@{$r->[0]{devices}}) {
			$host = 1 if $d->{slot} == 0 && $d->{id}{vendor} == 0x8086 && $d->{id}{device} == 0x1237 && $d->{class_info}{class} == 0x0600;
			$ide = 1 if $d->{slot} == 1 && $d->{function} == 1 && $d->{id}{device} == 0x7010
				&& grep { $_->{bar} == 4 && $_->{type} eq "io" && $_->{size} == 16 } @{$d->{regions}};
			$pm = 1 if $d->{slot} == 1 && $d->{function} == 3 && $d->{id}{device} == 0x7113 && $d->{irq_pin} == 1;
		}
		END { exit !($host && $ide && $pm && $vnc) }' "$work/pci"
ok $? "QMP query-pci lists the functions in QEMU's shape (host bridge, IDE with its bus-master BAR, PM with INTA); query-vnc says disabled"
"$qmp" "$work/qmp-cd" xen-save-devices-state "{\"filename\":\"$work/dev1\"}" \
	xen-load-devices-state "{\"filename\":\"$work/dev1\"}" \
	xen-save-devices-state "{\"filename\":\"$work/dev2\"}" >"$work/xl1" && cmp -s "$work/dev1" "$work/dev2"
ok $? "QMP xen-load-devices-state loads what xen-save-devices-state wrote into the stopped machine, which then saves the same bytes"
# The last record's last payload byte flipped: its CRC fails, and nothing changes.
perl -e 'open(F, "+<", $ARGV[0]) or exit 1; binmode F; seek(F, -9, 2); read(F, $b, 1); seek(F, -9, 2); print F chr(ord($b) ^ 0xff)' "$work/dev2"
"$qmp" "$work/qmp-cd" xen-load-devices-state "{\"filename\":\"$work/dev2\"}" >"$work/xl2"
r1=$?
"$qmp" "$work/qmp-cd" xen-save-devices-state "{\"filename\":\"$work/dev3\"}" >/dev/null &&
	[ $r1 -eq 1 ] && grep -q "byte" "$work/xl2" && cmp -s "$work/dev1" "$work/dev3"
ok $? "QMP xen-load-devices-state of a damaged stream is an error naming where, and the machine is unchanged"
sed 's/^/# /' "$work/xl2"
"$qmp" "$work/qmp-cd" quit >/dev/null
wait "$pid"
exit $((fails > 0))
