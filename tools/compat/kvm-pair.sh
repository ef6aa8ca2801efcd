#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/compat/kvm-pair.sh OLD NEW [BUILD_DIR]: the counting guest
# (build/guests/count.rom) runs on hvmdm OLD until it prints "count 14"
# (protected mode), OLD saves the whole VM over QMP and exits; NEW restores
# it with -incoming and the guest must count on to "count done", every
# number 1..30 exactly once. Needs /dev/kvm (tools/compat/run.sh nests it
# where there is none). The last line says what happened.
set -u
old=$1
new=$2
B=${3:-build}
qmp=tests/tools/qmp-client
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$old" -accel kvm -m 64 -smp 2 -option-rom "$B/guests/count.rom" -serial "file:$work/old.log" -S \
	-qmp "unix:$work/q,server=on,wait=off" 2>"$work/old.err" &
pid=$!
"$qmp" "$work/q" cont wait-output "{\"file\":\"$work/old.log\",\"text\":\"count 14\"}" \
	stop migrate "{\"uri\":\"file:$work/vm\"}" quit >"$work/qmp.out" 2>&1
qrc=$?
wait $pid
orc=$?
if [ $qrc != 0 ] || [ $orc != 0 ] || [ ! -s "$work/vm" ]; then
	cat "$work/qmp.out" "$work/old.err"
	echo "the old hvmdm did not save the guest (QMP $qrc, exit $orc)"
	exit 1
fi
timeout 60 "$new" -accel kvm -m 64 -smp 2 -option-rom "$B/guests/count.rom" -serial "file:$work/new.log" \
	-incoming "file:$work/vm" 2>"$work/new.err"
nrc=$?
cat "$work/old.log" "$work/new.log" | tr -d '\r' | grep '^count [0-9]' | sed 's/count //' >"$work/numbers"
if [ $nrc = 0 ] && seq 1 30 | cmp -s - "$work/numbers" && grep -q "count done" "$work/new.log"; then
	echo "saved at count $(grep -c . <(tr -d '\r' <"$work/old.log" | grep '^count [0-9]')), the new hvmdm counted on from $(tr -d '\r' <"$work/new.log" | grep -m1 '^count [0-9]')"
	exit 0
fi
cat "$work/new.err"
echo "the restore on the new hvmdm failed (exit $nrc; counts: $(tr '\n' ' ' <"$work/numbers"))"
exit 1
