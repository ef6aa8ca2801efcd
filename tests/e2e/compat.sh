#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The cross-release pairs under real Xen, run in the e2e sandbox's dom0 by
# tools/compat/run.sh (through tests/e2e/run.sh's E2E_SCRIPT): for each
# release R in /share/compat-releases, whose hvmdm is /share/hvmdm-R, with
# HEAD's as /share/hvmdm, on the live-migration guest (migrate.img: SeaBIOS
# boots it from the IDE disk; it reads a sector by DMA and one by PIO every
# 100 ms and finally checks every page the device model wrote):
#   R -> HEAD  xl save with R, xl restore with a config naming HEAD's hvmdm;
#   R -> HEAD  xl migrate -C head.cfg (live, to this host);
#   HEAD -> R  xl migrate -C R.cfg: R reads HEAD's stream and the guest goes
#              on, or R refuses with a message and the source guest keeps
#              running to its end -- never a silent misload.
# One result line per pair in /share/out/results, with its time.
R=/share/out/results
OUT=/share/out
HEAD=/share/hvmdm
n=0
: >"$R"
ok() { # rc text
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2" | tee -a "$R"; else echo "not ok $n - $2" | tee -a "$R"; fi
}
ip link set lo up 2>/dev/null
modprobe loop 2>/dev/null
wait_serial() { # file text seconds
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
wait_gone() { # domain seconds
	end=$(($(date +%s) + $2))
	while xl domid "$1" >/dev/null 2>&1 && [ "$(date +%s)" -lt $end ]; do sleep 0.2; done
	! xl domid "$1" >/dev/null 2>&1
}
# The device model binary a domain runs now.
dm_of() {
	d=$(xl domid "$1" 2>/dev/null) || return 1
	readlink "/proc/$(xenstore-read "/local/domain/$d/image/device-model-pid" 2>/dev/null)/exe"
}
mkcfg() { # domain dm file
	cat >"$3" <<EOF
type = "hvm"
name = "$1"
memory = 64
vcpus = 1
vga = "none"
vnc = 0
serial = "file:/var/log/xen/$1-serial.log"
boot = "c"
on_poweroff = "destroy"
on_reboot = "destroy"
device_model_version = "qemu-xen"
device_model_override = "$2"
disk = [ "format=raw, vdev=hda, access=rw, target=/tmp/$1.img" ]
EOF
}
# start DOMAIN DM: a fresh guest on DM, running its rounds; sets S (its serial log)
start() {
	S=/var/log/xen/$1-serial.log
	rm -f "$S"
	cp /share/migrate.img "/tmp/$1.img"
	mkcfg "$1" "$2" "/tmp/$1-start.cfg"
	timeout 120 xl create "/tmp/$1-start.cfg" >"$OUT/$1-create.log" 2>&1 && wait_serial "$S" "migrate round 30" 120
}
# finished DOMAIN: the guest checked every page and powered off
finished() {
	wait_serial "$S" "all DMA and PIO pages intact" 300 && wait_gone "$1" 60
}
keep_logs() {
	cp "/var/log/xen/qemu-dm-$1.log" "/var/log/xen/qemu-dm-$1--incoming.log" "$OUT/" 2>/dev/null
	cp "$S" "$OUT/$1-serial.log" 2>/dev/null
	xl destroy "$1" >/dev/null 2>&1
	rm -f "/tmp/$1.img" "/tmp/$1.save"
}

# tcg_retry PAIR ARGS...: as scenarios.sh's: a pair whose check failed while
# Xen logged a guest vCPU triple fault (Xen-on-TCG now and then resumes a vCPU
# into garbage, with either device model) runs once more, and says so; a
# failure the device model causes every time fails the second run too.
tcg_retry() {
	lines0=$(wc -l <"$R")
	n0=$n
	tf0=$(xl dmesg | grep -c "Triple fault")
	"$@"
	tf1=$(xl dmesg | grep -c "Triple fault")
	if [ "$tf1" -gt "$tf0" ] && tail -n +$((lines0 + 1)) "$R" | grep -q "^not ok"; then
		head -n "$lines0" "$R" >"$R.tmp" && cat "$R.tmp" >"$R" && rm -f "$R.tmp"
		n=$n0
		echo "# retrying '$*': a guest vCPU triple-faulted under Xen-on-TCG (console.log has the dump)" | tee -a "$R"
		"$@"
	fi
}

# R -> HEAD by xl save + xl restore with a config naming HEAD's hvmdm.
pair_save_restore() {
	ver=$1
	OLD=/share/hvmdm-$ver
	G=sr-$ver
	t0=$(date +%s)
	mkcfg "$G" "$HEAD" "/tmp/$G-head.cfg"
	start "$G" "$OLD" && [ "$(dm_of "$G")" = "$OLD" ] &&
		xl save "$G" "/tmp/$G.save" >"$OUT/$G-save.log" 2>&1 &&
		xl restore "/tmp/$G-head.cfg" "/tmp/$G.save" >"$OUT/$G-restore.log" 2>&1 &&
		[ "$(dm_of "$G")" = "$HEAD" ] && finished "$G"
	ok $? "$ver -> HEAD: xl save with hvmdm $ver, xl restore with a config naming HEAD's; the guest went on and every page checks ($(($(date +%s) - t0)) s)"
	keep_logs "$G"
}

# R -> HEAD live.
pair_live() {
	ver=$1
	OLD=/share/hvmdm-$ver
	G=live-$ver
	t0=$(date +%s)
	mkcfg "$G" "$HEAD" "/tmp/$G-head.cfg"
	start "$G" "$OLD" && [ "$(dm_of "$G")" = "$OLD" ] &&
		timeout 300 xl migrate -C "/tmp/$G-head.cfg" -s "" "$G" "xl migrate-receive" >"$OUT/$G-migrate.log" 2>&1 &&
		[ "$(dm_of "$G")" = "$HEAD" ] && finished "$G"
	ok $? "$ver -> HEAD: xl migrate -C head.cfg (live) from hvmdm $ver to HEAD's while the guest reads its disk; it went on and every page checks ($(($(date +%s) - t0)) s)"
	keep_logs "$G"
}

# HEAD -> R live: R reads HEAD's stream, or refuses it by name and the source runs on.
pair_back() {
	ver=$1
	OLD=/share/hvmdm-$ver
	G=back-$ver
	t0=$(date +%s)
	mkcfg "$G" "$OLD" "/tmp/$G-old.cfg"
	if start "$G" "$HEAD" && [ "$(dm_of "$G")" = "$HEAD" ]; then
		timeout 300 xl migrate -C "/tmp/$G-old.cfg" -s "" "$G" "xl migrate-receive" >"$OUT/$G-migrate.log" 2>&1
		mrc=$?
		if [ $mrc = 0 ]; then
			[ "$(dm_of "$G")" = "$OLD" ] && finished "$G"
			ok $? "HEAD -> $ver: xl migrate -C $ver.cfg (live): hvmdm $ver read HEAD's stream; the guest went on and every page checks ($(($(date +%s) - t0)) s)"
		else
			# Refused: the message from the receiving side, and the source guest runs on with HEAD.
			why=$(grep -h "hvmdm" "/var/log/xen/qemu-dm-$G--incoming.log" 2>/dev/null | grep -i "refused\|cannot\|unknown\|not" | head -1)
			[ -n "$why" ] && [ "$(dm_of "$G")" = "$HEAD" ] && finished "$G"
			ok $? "HEAD -> $ver: hvmdm $ver refused HEAD's stream (${why:-no message: a silent failure}); the source guest kept running on HEAD and every page checks ($(($(date +%s) - t0)) s)"
		fi
	else
		ok 1 "HEAD -> $ver: the guest did not start on HEAD's hvmdm"
	fi
	keep_logs "$G"
}

for ver in $(cat /share/compat-releases); do
	tcg_retry pair_save_restore "$ver"
	tcg_retry pair_live "$ver"
	tcg_retry pair_back "$ver"
done
