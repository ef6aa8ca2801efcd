#!/usr/bin/env bash
# make bench: port-I/O exit cost on KVM three ways in one run -- a bare KVM
# loop (the floor), hvmdm, and QEMU on the same guest -- plus device-state
# save/load cost, and under real Xen (the e2e tier, when its image is built)
# xl create/save/restore times, the display's latency over VNC (a key in
# the client to the guest's new pixels in it, full screen and one row), a
# Linux guest's disk and network (each NIC model) throughput, the
# stock qemu-xen and hvmdm in the same run, and each NIC model's TCP throughput
# on KVM, hvmdm and QEMU (tests/kvm-nic.t). Each figure is the median of RUNS runs (min and max shown);
# comparisons are ratios within this run. Never a pass/fail on timing.
#
# Without /dev/kvm the KVM figures come from a nested run
# (tests/kvm/nested.sh: Linux's KVM inside QEMU TCG with nested SVM): the
# bare KVM loop, hvmdm and QEMU are all measured in that one VM, so their
# ratios hold; the absolute figures are the nested VM's. BENCH_KVM=0 leaves
# the KVM figures out.
#
#   RUNS=5 SMALL=20000 LARGE=200000 tests/bench/bench.sh
set -u
B=${B:-build}
RUNS=${RUNS:-3}
SMALL=${SMALL:-20000}
LARGE=${LARGE:-200000}
OUT=${OUT:-$B/bench.json}
hvmdm=$B/hvmdm
qemu=$(command -v qemu-system-x86_64 || true)

# The variables the KVM part fills, handed back from a nested run.
kvm_vars=(results pci mmio insn_per_exit startup memory to_run vmsr r_bare r_qemu r_pci r_mmio r_vmsave r_vmload)
results=()
pci=()
mmio=()
insn_per_exit=null
startup=()
memory=()
to_run=()
vmsr=()
kvm_where=native
if [ "${BENCH_KVM:-1}" = 0 ]; then
	echo "bench: BENCH_KVM=0: no KVM figures"
	kvm=no
elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kvm=yes
	kvm_where=${HVMDM_KVM_WHERE:-native}
else
	kvm=no
	echo "bench: no usable /dev/kvm here: the KVM figures come from a nested KVM run (tests/kvm/nested.sh)"
	nest_out=$(mktemp -d "$(cd "$B" && pwd)/bench-nested.XXXXXX")
	if tests/kvm/nested.sh --timeout "${BENCH_NESTED_TIMEOUT:-1800}" --out "$nest_out" -- env BENCH_KVM_ONLY="$nest_out/kvm.vars" BENCH_XEN=0 BENCH_CMD_TIMEOUT="${BENCH_CMD_TIMEOUT:-300}" \
		RUNS="$RUNS" SMALL="$SMALL" LARGE="$LARGE" FILL_MIB="${FILL_MIB:-32}" B="$B" tests/bench/bench.sh &&
		[ -s "$nest_out/kvm.vars" ]; then
		# shellcheck disable=SC1091 # written by the nested run: declare -p of kvm_vars
		. "$nest_out/kvm.vars"
		kvm_where=$(cat "$nest_out/where")
		echo "bench: the KVM figures above are from the nested run: $kvm_where"
	else
		echo "bench: the nested KVM run failed: no KVM figures"
	fi
	rm -rf "$nest_out"
fi

# seconds a command takes, wall clock
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	timeout -k 5 "${BENCH_CMD_TIMEOUT:-300}" "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; echo "nan"; return; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

# median, min, max of the numbers on stdin
stats() { sort -g | awk '{ v[NR] = $1 } END { printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

# µs per exit for one runner: $1 = name, rest = command with @ROM@ / @N@
per_exit() {
	local name=$1; shift
	local small=() large=() i
	for i in $(seq "$RUNS"); do
		small+=("$(secs "${@//@N@/$SMALL}")")
		large+=("$(secs "${@//@N@/$LARGE}")")
	done
	local ms ml
	ms=$(printf '%s\n' "${small[@]}" | stats)
	ml=$(printf '%s\n' "${large[@]}" | stats)
	# per-exit from the medians; min/max pair the fastest and slowest runs
	read -r s_med s_min s_max <<<"$ms"
	read -r l_med l_min l_max <<<"$ml"
	us=$(echo "($l_med - $s_med) * 1000000 / ($LARGE - $SMALL)" | bc -l)
	us_min=$(echo "($l_min - $s_max) * 1000000 / ($LARGE - $SMALL)" | bc -l)
	us_max=$(echo "($l_max - $s_min) * 1000000 / ($LARGE - $SMALL)" | bc -l)
	printf '%s %.3f %.3f %.3f\n' "$name" "$us" "$us_min" "$us_max"
}

if [ $kvm = yes ]; then
	echo "bench: KVM: $kvm_where"
	rom() { echo "$B/guests/bench_pio_$1.rom"; }
	results+=("$(per_exit bare "$B/bench/bare_kvm" @N@)")
	results+=("$(per_exit hvmdm "$hvmdm" -accel kvm -m 64 -serial null -option-rom "$B/guests/bench_pio_@N@.rom")")
	if [ -n "$qemu" ]; then
		results+=("$(per_exit qemu "$qemu" -machine pc,accel=kvm -m 64 -nodefaults -display none \
			-serial null -option-rom "$B/guests/bench_pio_@N@.rom")")
	else
		echo "bench: qemu-system-x86_64 not installed: no QEMU column (apt-get install qemu-system-x86)"
	fi
	# PCI config reads through 0xcfc (a config cycle per exit) and MMIO reads
	# of unbacked memory: hvmdm against QEMU on the same guest.
	vs_qemu() {
		per_exit hvmdm "$hvmdm" -accel kvm -m 64 -serial null -option-rom "$B/guests/bench_$1_@N@.rom"
		[ -n "$qemu" ] && per_exit qemu "$qemu" -machine pc,accel=kvm -m 64 -nodefaults -display none \
			-serial null -option-rom "$B/guests/bench_$1_@N@.rom"
		true
	}
	mapfile -t pci < <(vs_qemu pcicfg)
	mapfile -t mmio < <(vs_qemu mmio)
fi

echo
echo "Port-I/O exit (in from the UART LSR), µs per exit, median of $RUNS runs [min-max], N=$SMALL vs $LARGE:"
declare -A med
for r in "${results[@]}"; do
	read -r name us lo hi <<<"$r"
	med[$name]=$us
	printf '  %-6s %8.3f  [%.3f-%.3f]\n' "$name" "$us" "$lo" "$hi"
done
ratio() { [ -n "${med[$1]:-}" ] && [ -n "${med[$2]:-}" ] && printf '%.4f' "$(echo "${med[$1]} / ${med[$2]}" | bc -l)"; }
r_bare=$(ratio hvmdm bare)
r_qemu=$(ratio hvmdm qemu)
[ -n "$r_bare" ] && printf '  hvmdm / bare KVM = %.3f\n' "$r_bare"
[ -n "$r_qemu" ] && printf '  hvmdm / QEMU     = %.3f\n' "$r_qemu"
# $1 = title, then "name us min max" lines; sets vs_ratio to hvmdm/QEMU (or empty).
show_vs_qemu() {
	local title=$1 r name us lo hi h='' q=''
	shift
	vs_ratio=
	[ $# -gt 0 ] || return 0
	echo "$title, µs per exit:"
	for r in "$@"; do
		read -r name us lo hi <<<"$r"
		[ "$name" = hvmdm ] && h=$us
		[ "$name" = qemu ] && q=$us
		printf '  %-6s %8.3f  [%.3f-%.3f]\n' "$name" "$us" "$lo" "$hi"
	done
	if [ -n "$h" ] && [ -n "$q" ]; then
		vs_ratio=$(printf '%.4f' "$(echo "$h / $q" | bc -l)")
		printf '  hvmdm / QEMU     = %.3f\n' "$vs_ratio"
	fi
}
show_vs_qemu "PCI config read through 0xcfc" "${pci[@]}"
r_pci=$vs_ratio
show_vs_qemu "MMIO read of unbacked memory (0xfe000000, PCI hole)" "${mmio[@]}"
r_mmio=$vs_ratio

# hvmdm's own work per exit, in instructions (callgrind counts, so this does
# not move with the host's noise): the difference between two guest sizes.
if [ $kvm = yes ] && command -v valgrind >/dev/null; then
	ir() {
		timeout -k 5 "${BENCH_CMD_TIMEOUT:-300}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$hvmdm" -accel kvm -m 64 -serial null \
			-option-rom "$B/guests/bench_pio_$1.rom" 2>&1 | awk '/Collected/ { gsub(",", "", $4); print $4 }'
	}
	lo=$(ir "$SMALL")
	hi=$(ir "$LARGE")
	if [ -n "$lo" ] && [ -n "$hi" ]; then
		insn_per_exit=$(printf '%.1f' "$(echo "($hi - $lo) / ($LARGE - $SMALL)" | bc -l)")
		echo
		echo "hvmdm user-space instructions per port-I/O exit (callgrind): $insn_per_exit"
	fi
fi

# Start-up: exec to the guest's first UART byte (both print over -serial stdio;
# `head -c1` returns at the first byte, then the device model is stopped).
first_byte() {
	local t0 t1
	t0=$(date +%s.%N)
	timeout 30 "$@" -serial stdio </dev/null 2>/dev/null | head -c1 >/dev/null
	t1=$(date +%s.%N)
	echo "($t1 - $t0) * 1000" | bc -l
}

# Resident memory without guest RAM: sample smaps while the guest loops, and
# leave out the mapping(s) the size of guest RAM (64 MiB here).
rss_without_ram() {
	"$@" -serial null </dev/null >/dev/null 2>&1 &
	local pid=$! kb
	sleep 1
	kb=$(awk '/^Size:/ { size = $2 } /^Rss:/ { if (size != 65536) rss += $2; n++ } END { if (n) print rss; else print "null" }' "/proc/$pid/smaps" 2>/dev/null)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "${kb:-null}"
}

# exec to the first KVM_RUN (the device model's own start-up, before any guest
# code runs): strace timestamps of the execve and of the first KVM_RUN entry.
# strace slows system calls a little, equally for both; optional.
first_kvm_run() {
	local trace
	trace=$(mktemp)
	timeout 30 strace -f --seccomp-bpf -ttt -e trace=execve,ioctl -o "$trace" "$@" -serial null \
		</dev/null >/dev/null 2>&1
	awk '/execve\(/ && !t0 { t0 = $2 } /KVM_RUN/ && t0 { printf "%.3f", ($2 - t0) * 1000; exit }' "$trace"
	rm -f "$trace"
}

if [ $kvm = yes ]; then
	echo
	echo "Start-up, exec to the guest's first UART byte, ms (median of $RUNS) [min-max]; memory without guest RAM, KiB:"
	for who in hvmdm qemu; do
		if [ $who = hvmdm ]; then
			cmd=("$hvmdm" -accel kvm -m 64 -option-rom "$B/guests/realmode.rom")
			loop=("$hvmdm" -accel kvm -m 64 -option-rom "$B/guests/bench_pio_2000000.rom")
		else
			[ -n "$qemu" ] || continue
			cmd=("$qemu" -machine pc,accel=kvm -m 64 -nodefaults -display none -option-rom "$B/guests/realmode.rom")
			loop=("$qemu" -machine pc,accel=kvm -m 64 -nodefaults -display none -option-rom "$B/guests/bench_pio_2000000.rom")
		fi
		times=()
		for i in $(seq "$RUNS"); do times+=("$(first_byte "${cmd[@]}")"); done
		read -r med lo hi <<<"$(printf '%s\n' "${times[@]}" | stats)"
		kb=$(rss_without_ram "${loop[@]}")
		printf '  %-6s %8.1f ms [%.1f-%.1f]   %6s KiB\n' "$who" "$med" "$lo" "$hi" "$kb"
		startup+=("$who $med")
		memory+=("$who $kb")
	done
	if command -v strace >/dev/null; then
		# The floor: a bare KVM program, then the same with the in-kernel interrupt
		# controllers a device model creates (on some hosts the first memory-slot
		# change after KVM_CREATE_IRQCHIP costs milliseconds, for every VMM).
		echo "Start-up, exec to the first KVM_RUN (strace), ms (median of $RUNS) [min-max]:"
		for who in bare bare+irqchip hvmdm qemu; do
			if [ $who = bare ]; then
				cmd=("$B/bench/bare_kvm" 10)
			elif [ $who = bare+irqchip ]; then
				cmd=("$B/bench/bare_kvm" 10 irqchip)
			elif [ $who = hvmdm ]; then
				cmd=("$hvmdm" -accel kvm -m 64 -option-rom "$B/guests/bench_pio_10.rom")
			else
				[ -n "$qemu" ] || continue
				cmd=("$qemu" -machine pc,accel=kvm -m 64 -nodefaults -display none \
					-option-rom "$B/guests/bench_pio_10.rom")
			fi
			times=()
			for i in $(seq "$RUNS"); do times+=("$(first_kvm_run "${cmd[@]}")"); done
			read -r med lo hi <<<"$(printf '%s\n' "${times[@]}" | stats)"
			[ -n "$med" ] || continue
			printf '  %-12s %8.1f ms [%.1f-%.1f]\n' "$who" "$med" "$lo" "$hi"
			to_run+=("$who $med")
		done
		floor=; mine=
		for r in "${to_run[@]}"; do
			read -r who v <<<"$r"
			[ "$who" = bare+irqchip ] && floor=$v
			[ "$who" = hvmdm ] && mine=$v
		done
		[ -n "$floor" ] && [ -n "$mine" ] &&
			awk -v a="$mine" -v b="$floor" 'BEGIN { printf "  hvmdm above the bare+irqchip floor: %.1f ms (hvmdm / floor = %.2f)\n", a - b, a / b }'
	fi
fi

# Whole-VM save and restore of a 256 MiB guest whose RAM from 1 MiB to
# FILL_MIB MiB is non-zero (bench_fill.asm). Filling is slow on a KVM without
# hardware paging (every first touch of a page is a host fault), so each
# device model fills once, saves that as its base, and every run then
# restores the base in a new process with -S -incoming -- timed from exec
# until QMP says "paused", QMP client start-up included for both -- and saves
# it again with QMP stop + migrate, timed by the migration's own total-time
# (QEMU: exec:cat, with its bandwidth cap lifted).
FILL_MIB=${FILL_MIB:-32}
vm_cmd() { # the device model's command line for the fill guest
	if [ "$1" = hvmdm ]; then
		echo "$hvmdm -accel kvm -m 256 -option-rom $B/guests/bench_fill_$FILL_MIB.rom"
	else
		echo "$qemu -machine pc,accel=kvm -m 256 -nodefaults -display none -option-rom $B/guests/bench_fill_$FILL_MIB.rom"
	fi
}
vm_uri_out() { if [ "$1" = hvmdm ]; then echo "file:$2"; else echo "exec:cat > $2"; fi; }
vm_uri_in() { if [ "$1" = hvmdm ]; then echo "file:$2"; else echo "exec:cat $2"; fi; }
vm_migrate() { # who socket file: prints the save's total-time in ms
	local out
	if [ "$1" = qemu ]; then
		tests/tools/qmp-client "$2" migrate-set-parameters '{"max-bandwidth": 1099511627776}' >/dev/null
	fi
	out=$(tests/tools/qmp-client "$2" stop migrate "{\"uri\":\"$(vm_uri_out "$1" "$3")\"}" wait-migration quit)
	echo "$out" | grep -o '"total-time":[0-9]*' | tail -1 | grep -o '[0-9]*$'
}
vm_base() { # who dir: boot, fill, save to dir/base
	local pid
	# shellcheck disable=SC2046 # the command line is words
	$(vm_cmd "$1") -serial "file:$2/log" -qmp "unix:$2/q0,server=on,wait=off" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 3000); do
		grep -q filled "$2/log" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q filled "$2/log" 2>/dev/null; then kill $pid 2>/dev/null; wait $pid; return 1; fi
	vm_migrate "$1" "$2/q0" "$2/base" >/dev/null
	wait $pid
	[ -s "$2/base" ]
}
vm_cycle() { # who dir run: restore the base, save again; prints "save_ms restore_ms bytes"
	local pid t0 t1 save_ms
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	$(vm_cmd "$1") -serial null -S -qmp "unix:$2/q$3,server=on,wait=off" \
		-incoming "$(vm_uri_in "$1" "$2/base")" >/dev/null 2>&1 &
	pid=$!
	tests/tools/qmp-client "$2/q$3" wait-status '{"status":"paused"}' >"$2/r$3" 2>&1
	t1=$(date +%s.%N)
	grep -q '"status":"paused"' "$2/r$3" || { kill $pid 2>/dev/null; wait $pid; return 1; }
	save_ms=$(vm_migrate "$1" "$2/q$3" "$2/save$3")
	wait $pid
	[ -n "$save_ms" ] && [ -s "$2/save$3" ] || return 1
	echo "$save_ms $(echo "($t1 - $t0) * 1000" | bc -l) $(stat -c %s "$2/save$3")"
	rm -f "$2/save$3"
}
if [ $kvm = yes ]; then
	echo
	echo "Whole-VM save and restore, 256 MiB guest with $((FILL_MIB - 1)) MiB non-zero, median of $RUNS [min-max]:"
	for who in hvmdm qemu; do
		[ $who = qemu ] && [ -z "$qemu" ] && continue
		saves=()
		loads=()
		size=
		vmdir=$(mktemp -d)
		vm_base $who "$vmdir" || { echo "  $who: the guest did not fill its RAM"; rm -rf "$vmdir"; continue; }
		for run in $(seq "$RUNS"); do
			r=$(vm_cycle $who "$vmdir" "$run") || continue
			read -r s l size <<<"$r"
			saves+=("$s")
			loads+=("$l")
		done
		rm -rf "$vmdir"
		[ ${#saves[@]} -gt 0 ] || { echo "  $who: the save/restore run failed"; continue; }
		read -r smed slo shi <<<"$(printf '%s\n' "${saves[@]}" | stats)"
		read -r lmed llo lhi <<<"$(printf '%s\n' "${loads[@]}" | stats)"
		mbs=$(echo "$size / 1048576 / ($smed / 1000)" | bc -l 2>/dev/null)
		printf '  %-6s save %7.1f ms [%.1f-%.1f] (%.0f MB/s, %.1f MiB stream); exec to restored %7.1f ms [%.1f-%.1f]\n' \
			"$who" "$smed" "$slo" "$shi" "${mbs:-0}" "$(echo "$size / 1048576" | bc -l)" "$lmed" "$llo" "$lhi"
		vmsr+=("$who $smed $lmed $size")
	done
	if [ ${#vmsr[@]} = 2 ]; then
		read -r _ hs hl _ <<<"${vmsr[0]}"
		read -r _ qs ql _ <<<"${vmsr[1]}"
		r_vmsave=$(printf '%.4f' "$(echo "$hs / $qs" | bc -l)")
		r_vmload=$(printf '%.4f' "$(echo "$hl / $ql" | bc -l)")
		echo "  hvmdm/QEMU: save $r_vmsave, restore $r_vmload"
	fi
fi

# Inside the nested run: hand the figures back and stop here.
if [ -n "${BENCH_KVM_ONLY:-}" ]; then
	declare -p "${kvm_vars[@]}" >"$BENCH_KVM_ONLY" 2>/dev/null
	echo "$kvm_where" >"$(dirname "$BENCH_KVM_ONLY")/where"
	exit 0
fi

# Xen: xl create/save/restore with the stock qemu-xen and with hvmdm, from
# one run of the real-Xen tier (only when its dom0 image is already built;
# BENCH_XEN=0 skips). Under TCG these are dominated by Xen and libxl, so the
# ratios say more about the device model's start-up and state handling than
# about absolute speed.
xen_times=()
ioreq_figs=()
density_figs=()
display_times=()
disk_figs=()
nic_figs=()
if [ "${BENCH_XEN:-1}" = 1 ] && tests/e2e/image.sh --cached >/dev/null 2>&1; then
	echo
	echo "Xen 4.17 under QEMU TCG (one e2e run), seconds:"
	# create/save/restore, the display, and the Linux guest's disk throughput
	# (BENCH_DISK_RUNS runs with each device model, alternating; 3 read and 3 write rounds each)
	e2e_out=$(E2E_LINUX=1 E2E_DISK_RUNS="${BENCH_DISK_RUNS:-2}" E2E_ONLY="base display linuxdisk nic ioreq density" tests/e2e/run.sh "$B" 2>&1)
	for op in create save restore; do
		s=$(echo "$e2e_out" | grep "^ok .* stock qemu-xen: xl $op (" | grep -o '([0-9.]* s)' | grep -o '[0-9.]*')
		h=$(echo "$e2e_out" | grep "^ok .* hvmdm: xl $op" | grep -o '([0-9.]* s)' | grep -o '[0-9.]*')
		if [ -n "$s" ] && [ -n "$h" ]; then
			r=$(printf '%.3f' "$(echo "$h / $s" | bc -l)")
			printf '  xl %-8s qemu-xen %5.1f   hvmdm %5.1f   hvmdm/qemu-xen %s\n' "$op" "$s" "$h" "$r"
			xen_times+=("$op $s $h $r")
		else
			echo "  xl $op: no figure (the e2e run failed; see tests/e2e/run.sh)"
		fi
	done
	# The display: a key in the VNC client to the guest's new pixels in it (vnc-tool bench).
	echo "  display over VNC, key to pixels, ms (median of 10):"
	for kind in "full screen" "one row"; do
		s=$(echo "$e2e_out" | grep "^ok .* stock qemu-xen, display guest: VNC latency" | grep -o "$kind [0-9]* ms" | grep -o '[0-9]*')
		h=$(echo "$e2e_out" | grep "^ok .* hvmdm, display guest: VNC latency" | grep -o "$kind [0-9]* ms" | grep -o '[0-9]*')
		if [ -n "$s" ] && [ -n "$h" ] && [ "$s" -gt 0 ]; then
			r=$(printf '%.3f' "$(echo "$h / $s" | bc -l)")
			printf '    %-12s qemu-xen %5d   hvmdm %5d   hvmdm/qemu-xen %s\n' "$kind" "$s" "$h" "$r"
			display_times+=("${kind// /_} $s $h $r")
		else
			echo "    $kind: no figure (the e2e display scenario failed; see tests/e2e/run.sh)"
		fi
	done
	# The disk: a Linux guest's sequential read and write through ata_piix bus-master DMA.
	echo "  disk through ata_piix DMA (a Linux guest, median [min-max] of every round), MB/s:"
	disk_line=$(echo "$e2e_out" | grep "^# figures disk")
	for op in read write; do
		# "read 32 MiB: hvmdm H MB/s [a-b] / stock S MB/s [c-d] (R, n/m rounds)" -> H a b S c d R n m
		f=$(echo "$disk_line" | grep -o "$op [0-9]* MiB: hvmdm [0-9.]* MB/s \[[0-9.]*-[0-9.]*\] / stock [0-9.]* MB/s \[[0-9.]*-[0-9.]*\] ([0-9.]*, [0-9]*/[0-9]* rounds)" |
			sed -E 's|.* MiB: hvmdm ([0-9.]*) MB/s \[([0-9.]*)-([0-9.]*)\] / stock ([0-9.]*) MB/s \[([0-9.]*)-([0-9.]*)\] \(([0-9.]*), ([0-9]*)/([0-9]*) rounds\)|\1 \2 \3 \4 \5 \6 \7 \8 \9|')
		if [ -n "$f" ]; then
			read -r hv hmin hmax sv smin smax rv hn sn <<<"$f"
			printf '    %-6s qemu-xen %6.2f [%s-%s]   hvmdm %6.2f [%s-%s]   hvmdm/qemu-xen %s (%s+%s rounds)\n' \
				"$op" "$sv" "$smin" "$smax" "$hv" "$hmin" "$hmax" "$rv" "$sn" "$hn"
			disk_figs+=("$op $sv $smin $smax $hv $hmin $hmax $rv")
		else
			echo "    $op: no figure (the e2e linuxdisk scenario failed; see tests/e2e/run.sh)"
		fi
	done
	# The NICs: a Linux guest's 3 MiB over HTTP to dom0 through its emulated NIC (one transfer each).
	echo "  network, guest to dom0 over the emulated NIC (a Linux guest's 3 MiB over HTTP), MiB/s:"
	for model in rtl8139 e1000; do
		s=$(echo "$e2e_out" | grep "^# figures nic $model stock " | grep -o '[0-9.]* MiB/s' | grep -o '^[0-9.]*')
		h=$(echo "$e2e_out" | grep "^# figures nic $model hvmdm " | grep -o '[0-9.]* MiB/s' | grep -o '^[0-9.]*')
		if [ -n "$s" ] && [ -n "$h" ]; then
			r=$(awk -v a="$h" -v b="$s" 'BEGIN { printf "%.2f", a / b }')
			printf '    %-8s qemu-xen %6.2f   hvmdm %6.2f   hvmdm/qemu-xen %s\n' "$model" "$s" "$h" "$r"
			nic_figs+=("$model $s $h $r")
		else
			echo "    $model: no figure (the e2e nic scenario failed; see tests/e2e/run.sh)"
		fi
	done
	# The ioreq round trip: the ioreqdisk guest's port and MMIO reads, three boots per device model, alternating.
	echo "  ioreq round trip (a guest's reads of the UART's LSR and of VGA text memory), us per exit, median [min-max] of 3 boots:"
	for kind in pio mmio; do
		f=""
		for dm in stock hvmdm; do
			v=$(echo "$e2e_out" | grep "^# figures ioreq $dm " | grep -o "$kind [0-9.]*" | grep -o '[0-9.]*$' | sort -n)
			[ "$(echo "$v" | grep -c .)" -ge 1 ] || { f=""; break; }
			f="$f $(echo "$v" | awk '{ a[NR] = $1 } END { printf "%s %s %s", a[int((NR + 1) / 2)], a[1], a[NR] }')"
		done
		if [ -n "$f" ]; then
			read -r sv smin smax hv hmin hmax <<<"$f"
			r=$(awk -v a="$hv" -v b="$sv" 'BEGIN { printf "%.2f", a / b }')
			printf '    %-5s qemu-xen %7.2f [%s-%s]   hvmdm %7.2f [%s-%s]   hvmdm/qemu-xen %s\n' "$kind" "$sv" "$smin" "$smax" "$hv" "$hmin" "$hmax" "$r"
			ioreq_figs+=("$kind $sv $smin $smax $hv $hmin $hmax $r")
		else
			echo "    $kind: no figure (the e2e ioreq part failed; see tests/e2e/run.sh)"
		fi
	done
	# Density: N guests created at once, time to all running, device model memory per guest.
	echo "  density (N tradlab guests created at once): seconds to all running; device model RSS and PSS per guest, KiB:"
	for n in 1 4 8; do
		s=$(echo "$e2e_out" | grep "^# figures density stock $n running ")
		h=$(echo "$e2e_out" | grep "^# figures density hvmdm $n running ")
		if [ -n "$s" ] && [ -n "$h" ]; then
			read -r _ _ _ _ _ _ st _ _ srss _ spss _ <<<"$s"
			read -r _ _ _ _ _ _ ht _ _ hrss _ hpss _ <<<"$h"
			rt=$(awk -v a="$ht" -v b="$st" 'BEGIN { printf "%.2f", a / b }')
			rp=$(awk -v a="$hpss" -v b="$spss" 'BEGIN { printf "%.3f", a / b }')
			printf '    N=%-2s qemu-xen %6.1f s, RSS %6d, PSS %6d   hvmdm %6.1f s, RSS %6d, PSS %6d   hvmdm/qemu-xen time %s, PSS %s\n' \
				"$n" "$st" "$srss" "$spss" "$ht" "$hrss" "$hpss" "$rt" "$rp"
			density_figs+=("$n $st $srss $spss $ht $hrss $hpss $rt $rp")
		else
			echo "    N=$n: no figure (the e2e density part failed; see tests/e2e/run.sh)"
		fi
	done
elif [ "${BENCH_XEN:-1}" = 1 ]; then
	echo
	echo "Xen: no dom0 image cached (make e2e builds it): no Xen figures"
fi

# The NICs on KVM: a Linux guest's TCP transfers through each model, on hvmdm
# and on QEMU (tests/kvm-nic.t, which nests itself without a fast /dev/kvm:
# some four minutes a run there). BENCH_KVM_NIC=0 leaves them out.
kvm_nic_figs=()
if [ "${BENCH_KVM:-1}" != 0 ] && [ "${BENCH_KVM_NIC:-1}" != 0 ] && [ -z "${BENCH_KVM_ONLY:-}" ]; then
	echo
	echo "NICs on KVM, a Linux guest's 2 MiB over TCP each way through a tap, MiB/s:"
	for model in rtl8139 e1000; do
		line_h= line_q=
		for vmm in hvmdm qemu; do
			out=$(HVMDM=$B/asan/hvmdm HVMDM_KVM_NIC=1 HVMDM_KVM_NIC_MODEL=$model HVMDM_KVM_NIC_VMM=$vmm \
				HVMDM_KVM=${HVMDM_KVM:-auto} bash tests/kvm-nic.t 2>&1)
			f=$(echo "$out" | grep "^# figures kvm-nic $model $vmm ")
			[ -n "$f" ] || echo "  $model on $vmm: no figure ($(echo "$out" | grep -m1 -E '^not ok|SKIP' || echo 'the run failed'))"
			[ $vmm = hvmdm ] && line_h=$f || line_q=$f
		done
		if [ -n "$line_h" ] && [ -n "$line_q" ]; then
			# "... guest-to-host G MiB/s host-to-guest H MiB/s"
			read -r hg hh <<<"$(echo "$line_h" | sed -E 's/.*guest-to-host ([0-9.?]*) MiB\/s host-to-guest ([0-9.?]*) MiB\/s.*/\1 \2/')"
			read -r qg qh <<<"$(echo "$line_q" | sed -E 's/.*guest-to-host ([0-9.?]*) MiB\/s host-to-guest ([0-9.?]*) MiB\/s.*/\1 \2/')"
			rg=$(awk -v a="$hg" -v b="$qg" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "null" }')
			rh=$(awk -v a="$hh" -v b="$qh" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "null" }')
			printf '  %-8s guest-to-host qemu %6s hvmdm %6s hvmdm/qemu %s   host-to-guest qemu %6s hvmdm %6s hvmdm/qemu %s\n' \
				"$model" "$qg" "$hg" "$rg" "$qh" "$hh" "$rh"
			r="$model $qg $hg $rg $qh $hh $rh"
			kvm_nic_figs+=("${r//\?/null}")
		fi
	done
fi

# The Xen ioreq path inside hvmdm: a replay of the ioreq guest's requests
# through xen/ioreq.c (no Xen: validation, dispatch, the device), wall time
# and, under callgrind, instructions per request.
echo
echo "Xen ioreq path inside hvmdm (replayed COM1 LSR reads and VGA text reads, no Xen):"
ioreq_ns=$("$B/bench/bench_ioreq" "${IOREQ_ITER:-1000000}")
echo "  ns per request: $ioreq_ns"
ioreq_insn=null
if command -v valgrind >/dev/null 2>&1; then
	lo=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B/bench/bench_ioreq" 10000 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	hi=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$B/bench/bench_ioreq" 20000 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
	if [ -n "$lo" ] && [ -n "$hi" ]; then
		ioreq_insn=$(printf '%.1f' "$(echo "($hi - $lo) / 20000" | bc -l)")
		echo "  instructions per request (callgrind, start-up excluded): $ioreq_insn"
	fi
fi

echo
echo "Device-state save and load (mean of ${STATE_ITER:-2000} each):"
state=$("$B/bench/bench_state" "${STATE_ITER:-2000}")
echo "$state" | sed 's/^/  /'

{
	echo "{"
	echo "  \"runs\": $RUNS, \"small\": $SMALL, \"large\": $LARGE,"
	printf '  "kvm": "%s",\n' "$( [ -n "${results[*]}" ] && echo "$kvm_where" || echo none)"
	echo "  \"pio_exit_us\": {"
	first=1
	for r in "${results[@]}"; do
		read -r name us lo hi <<<"$r"
		[ $first = 1 ] || echo ","
		printf '    "%s": {"median": %s, "min": %s, "max": %s}' "$name" "$us" "$lo" "$hi"
		first=0
	done
	echo
	echo "  },"
	printf '  "ratio_hvmdm_bare": %s, "ratio_hvmdm_qemu": %s,\n' "${r_bare:-null}" "${r_qemu:-null}"
	printf '  "hvmdm_instructions_per_exit": %s,\n' "$insn_per_exit"
	read -r _ ipio _ immio <<<"$ioreq_ns"
	printf '  "xen_ioreq_path_ns": {"pio": %s, "mmio": %s}, "xen_ioreq_path_instructions": %s,\n' "${ipio:-null}" "${immio:-null}" "$ioreq_insn"
	printf '  "pci_config_read_us": {'
	first=1
	for r in "${pci[@]}"; do read -r name us lo hi <<<"$r"; [ $first = 1 ] || printf ', '; printf '"%s": %s' "$name" "$us"; first=0; done
	printf '}, "ratio_pci_hvmdm_qemu": %s,\n' "${r_pci:-null}"
	printf '  "mmio_read_us": {'
	first=1
	for r in "${mmio[@]}"; do read -r name us lo hi <<<"$r"; [ $first = 1 ] || printf ', '; printf '"%s": %s' "$name" "$us"; first=0; done
	printf '}, "ratio_mmio_hvmdm_qemu": %s,\n' "${r_mmio:-null}"
	printf '  "startup_first_uart_byte_ms": {'
	first=1
	for r in "${startup[@]}"; do read -r who v <<<"$r"; [ $first = 1 ] || printf ', '; printf '"%s": %.1f' "$who" "$v" 2>/dev/null || printf '"%s": null' "$who"; first=0; done
	printf '},\n  "exec_to_first_kvm_run_ms": {'
	first=1
	for r in "${to_run[@]}"; do read -r who v <<<"$r"; [ $first = 1 ] || printf ', '; printf '"%s": %s' "$who" "$v"; first=0; done
	printf '},\n  "rss_without_guest_ram_kib": {'
	first=1
	for r in "${memory[@]}"; do read -r who v <<<"$r"; [ $first = 1 ] || printf ', '; printf '"%s": %s' "$who" "$v"; first=0; done
	printf '},\n  "whole_vm_256mib": {'
	first=1
	for r in "${vmsr[@]}"; do
		read -r who sv ld sz <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"save_ms": %s, "restore_ms": %s, "stream_bytes": %s}' "$who" "$sv" "$ld" "$sz"
		first=0
	done
	printf '}, "ratio_vm_save_hvmdm_qemu": %s, "ratio_vm_restore_hvmdm_qemu": %s,\n' "${r_vmsave:-null}" "${r_vmload:-null}"
	printf '  "xen_xl_seconds": {'
	first=1
	for r in "${xen_times[@]}"; do
		read -r op sv hv rv <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"qemu_xen": %s, "hvmdm": %s, "ratio": %s}' "$op" "$sv" "$hv" "$rv"
		first=0
	done
	printf '},\n  "xen_ioreq_us_per_exit": {'
	first=1
	for r in "${ioreq_figs[@]}"; do
		read -r op sv smin smax hv hmin hmax rv <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"qemu_xen": {"median": %s, "min": %s, "max": %s}, "hvmdm": {"median": %s, "min": %s, "max": %s}, "ratio": %s}' \
			"$op" "$sv" "$smin" "$smax" "$hv" "$hmin" "$hmax" "$rv"
		first=0
	done
	printf '},\n  "xen_density": {'
	first=1
	for r in "${density_figs[@]}"; do
		read -r n st srss spss ht hrss hpss rt rp <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"qemu_xen": {"running_s": %s, "rss_kib": %s, "pss_kib": %s}, "hvmdm": {"running_s": %s, "rss_kib": %s, "pss_kib": %s}, "ratio_time": %s, "ratio_pss": %s}' \
			"$n" "$st" "$srss" "$spss" "$ht" "$hrss" "$hpss" "$rt" "$rp"
		first=0
	done
	printf '},\n  "xen_vnc_key_to_pixels_ms": {'
	first=1
	for r in "${display_times[@]}"; do
		read -r op sv hv rv <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"qemu_xen": %s, "hvmdm": %s, "ratio": %s}' "$op" "$sv" "$hv" "$rv"
		first=0
	done
	printf '},\n  "xen_disk_mb_s": {'
	first=1
	for r in "${disk_figs[@]}"; do
		read -r op sv smin smax hv hmin hmax rv <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"qemu_xen": {"median": %s, "min": %s, "max": %s}, "hvmdm": {"median": %s, "min": %s, "max": %s}, "ratio": %s}' \
			"$op" "$sv" "$smin" "$smax" "$hv" "$hmin" "$hmax" "$rv"
		first=0
	done
	printf '},\n  "kvm_nic_mib_s": {'
	first=1
	for r in "${kvm_nic_figs[@]}"; do
		read -r m qg hg rg qh hh rh <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"guest_to_host": {"qemu": %s, "hvmdm": %s, "ratio": %s}, "host_to_guest": {"qemu": %s, "hvmdm": %s, "ratio": %s}}' \
			"$m" "$qg" "$hg" "$rg" "$qh" "$hh" "$rh"
		first=0
	done
	printf '},\n  "xen_nic_guest_to_dom0_mib_s": {'
	first=1
	for r in "${nic_figs[@]}"; do
		read -r op sv hv rv <<<"$r"
		[ $first = 1 ] || printf ', '
		printf '"%s": {"qemu_xen": %s, "hvmdm": %s, "ratio": %s}' "$op" "$sv" "$hv" "$rv"
		first=0
	done
	printf '},\n'
	echo "  \"state\": ["
	echo "$state" | paste -sd, | sed 's/^/    /'
	echo "  ]"
	echo "}"
} >"$OUT"
echo
echo "bench: results in $OUT"
