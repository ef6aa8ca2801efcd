#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The main job's Xen part, run in a dom0 with xl: a guest with hvmdm as its
# device model is created, runs, is saved, restored and goes on, and is
# destroyed -- one line per step with its time, the guest's console as it
# prints, and a screenshot of its screen. tools/demo-xen.sh runs it on this
# machine's dom0 or inside the real-Xen sandbox (Xen 4.17 under QEMU TCG).
#
# The guest is the richest hvmdm runs today: SeaBIOS boots it from an IDE
# disk (firmware/guests/migrate.asm) on the stdvga card with VNC; in 32-bit
# protected mode it reads a sector by DMA and one by PIO every 100 ms of
# PM-timer time, prints "migrate round N" every tenth round on COM1, checks
# every page at the end and powers off through ACPI S5.
#
# Environment: DEMO_DM (hvmdm), DEMO_DIR (migrate.img, vnc-tool; default
# /share), DEMO_OUT (logs, screen.ppm, results; default /share/out).
DM=${DEMO_DM:-/share/hvmdm}
DIR=${DEMO_DIR:-/share}
OUT=${DEMO_OUT:-/share/out}
G=hvmdm-demo
S=/var/log/xen/$G-serial.log
R=$OUT/results
LOG=$OUT/demo.log
mkdir -p "$OUT" /var/log/xen
: >"$R"
: >"$LOG"
t_start=$(date +%s.%N)
n=0
fails=0
say() { echo "$*" | tee -a "$LOG"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() { # rc seconds text
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $3 ($2 s)" >>"$R"; say "[$(since "$t_start") s] ok: $3 ($2 s)"
	else echo "not ok $n - $3" >>"$R"; say "[$(since "$t_start") s] FAILED: $3"; fails=$((fails + 1)); fi
}
wait_serial() { # text seconds
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -q "$1" "$S" 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
finish() {
	[ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null
	xl destroy "$G" >/dev/null 2>&1
	cp "/var/log/xen/qemu-dm-$G.log" "/var/log/xen/qemu-dm-$G--incoming.log" "$OUT/" 2>/dev/null
	say ""
	say "demo: $n steps, $((n - fails)) ok, $fails failed, in $(since "$t_start") s (logs in $OUT)"
	exit $((fails > 0))
}

# The VNC server listens on 127.0.0.1 (the sandbox's dom0 init leaves lo down).
ip link set lo up 2>/dev/null
# The disk goes through the block script on a loop device, as for any file-backed disk.
modprobe loop 2>/dev/null
cp "$DIR/migrate.img" /tmp/$G.img
cat >/tmp/$G.cfg <<EOF
type = "hvm"
name = "$G"
memory = 64
vcpus = 1
vga = "stdvga"
vnc = 1
vnclisten = "127.0.0.1"
vncdisplay = 1
serial = "file:$S"
boot = "c"
on_poweroff = "destroy"
on_reboot = "destroy"
device_model_version = "qemu-xen"
device_model_override = "$DM"
disk = [ "format=raw, vdev=hda, access=rw, target=/tmp/$G.img" ]
EOF
say "demo: the guest's xl config (/tmp/$G.cfg):"
sed 's/^/    /' /tmp/$G.cfg | tee -a "$LOG"
xl destroy "$G" >/dev/null 2>&1
rm -f "$S"

t=$(date +%s.%N)
xl create /tmp/$G.cfg >"$OUT/create.log" 2>&1
step $? "$(since "$t")" "xl create: domain $(xl domid $G 2>/dev/null) with hvmdm ($DM) as its device model"
[ $fails = 0 ] || { sed 's/^/    /' "$OUT/create.log" | tee -a "$LOG"; finish; }
# The guest's console (COM1, hvmdm's UART, logged by hvmdm to $S), as it prints;
# -F follows the file across the restore, whose device model starts it anew.
touch "$S"
tail -n +1 -F "$S" 2>/dev/null | sed -u 's/^/    guest console| /' | tee -a "$LOG" &
tail_pid=$!
t=$(date +%s.%N)
wait_serial "migrate round 30" 300
step $? "$(since "$t")" "SeaBIOS booted the guest from hvmdm's IDE disk; it reads its disk by DMA and PIO"

# The screen, through hvmdm's VNC server where libxl says it is (what xl vncviewer reads).
d=$(xl domid $G)
addr="$(xenstore-read "/local/domain/$d/console/vnc-listen" 2>/dev/null):$(xenstore-read "/local/domain/$d/console/vnc-port" 2>/dev/null)"
t=$(date +%s.%N)
"$DIR/vnc-tool" "$addr" capture "$OUT/screen.ppm" >"$OUT/vnc.log" 2>&1
step $? "$(since "$t")" "screenshot of the guest's screen over VNC ($addr): $OUT/screen.ppm"

t=$(date +%s.%N)
xl save $G /tmp/$G.save >"$OUT/save.log" 2>&1
rc=$?
step $rc "$(since "$t")" "xl save: the guest and hvmdm's device state to /tmp/$G.save ($(stat -c %s /tmp/$G.save 2>/dev/null) bytes); the domain is gone"
[ $rc = 0 ] || { sed 's/^/    /' "$OUT/save.log" | tee -a "$LOG"; finish; }
last=$(grep -o "migrate round [0-9]*" "$S" | tail -n 1)
say "    (the last line before the save: $last)"

t=$(date +%s.%N)
xl restore /tmp/$G.save >"$OUT/restore.log" 2>&1
rc=$?
step $rc "$(since "$t")" "xl restore: domain $(xl domid $G 2>/dev/null), a new hvmdm loaded the device state"
[ $rc = 0 ] || { sed 's/^/    /' "$OUT/restore.log" | tee -a "$LOG"; finish; }
t=$(date +%s.%N)
wait_serial "all DMA and PIO pages intact" 300
step $? "$(since "$t")" "the guest went on from where it was and checked every page hvmdm wrote, before and after the restore"
i=0
while xl domid $G >/dev/null 2>&1 && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
xl domid $G >/dev/null 2>&1
[ $? != 0 ]
step $? "$(since "$t")" "the guest powered off through ACPI S5 and the domain is gone"
t=$(date +%s.%N)
xl destroy "$G" >/dev/null 2>&1
xl list | tee "$OUT/xl-list.log" | grep -q "^$G "
[ $? != 0 ]
step $? "$(since "$t")" "xl destroy: nothing left behind (xl list shows only dom0)"
rm -f /tmp/$G.save /tmp/$G.img
finish
