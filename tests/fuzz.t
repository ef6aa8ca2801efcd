#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target from its seeds (the long runs are
# `make fuzz`). Prints TAP for prove.
set -u
dir=${FUZZ_DIR:-build/fuzz}
secs=${FUZZ_CHECK_SECONDS:-10}
targets=("fuzz_io:tests/fuzz/corpus-io" "fuzz_stream:tests/streams/0.1.0" "fuzz_stream:tests/streams/0.2.0" "fuzz_stream:tests/streams/qemu-trad" "fuzz_stream:tests/streams/qemu-trad-real" "fuzz_stream:tests/streams/qemu-xen" "fuzz_stream:tests/streams/qemu-7.2-tcg" "fuzz_stream:tests/fuzz/corpus-vm" "fuzz_ioreq:tests/fuzz/corpus-ioreq" "fuzz_ide:tests/fuzz/corpus-ide" "fuzz_vga:tests/fuzz/corpus-vga" "fuzz_vnc:tests/fuzz/corpus-vnc" "fuzz_cirrus_blt:tests/fuzz/corpus-cirrus-blt" "fuzz_cirrus:tests/fuzz/corpus-cirrus" "fuzz_mapcache:tests/fuzz/corpus-mapcache" "fuzz_rtl8139:tests/fuzz/corpus-rtl8139" "fuzz_e1000:tests/fuzz/corpus-e1000" "fuzz_uhci:tests/fuzz/corpus-uhci" "fuzz_xlsave:tests/fuzz/corpus-xlsave")
echo "1..$(( ${#targets[@]} + 2 ))"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=0
fails=0
for t in "${targets[@]}"; do
	i=$((i + 1))
	name=${t%%:*}
	seeds=${t#*:}
	mkdir -p "$work/$name"
	if [ ! -x "$dir/$name" ]; then
		echo "not ok $i - $dir/$name is not built"
		fails=$((fails + 1))
	elif "$dir/$name" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$work/$name" "$seeds" \
		>"$work/$name.log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
		echo "ok $i - $name ran clean for ${secs}s (${runs:-?} inputs)"
	else
		echo "not ok $i - $name found a crash"
		tail -n 40 "$work/$name.log" | sed 's/^/# /'
		fails=$((fails + 1))
	fi
done
# Inputs that once crashed a reader stay fixed.
i=$((i + 1))
if "$dir/fuzz_stream" -artifact_prefix="$work/" tests/fuzz/regressions/* >"$work/regress.log" 2>&1; then
	echo "ok $i - $(ls tests/fuzz/regressions | wc -l) past crash inputs run clean"
else
	echo "not ok $i - a past crash input crashes again"
	tail -n 30 "$work/regress.log" | sed 's/^/# /'
	fails=$((fails + 1))
fi
i=$((i + 1))
if "$dir/fuzz_ioreq" -artifact_prefix="$work/" tests/fuzz/regressions-ioreq/* >"$work/regress-ioreq.log" 2>&1; then
	echo "ok $i - $(ls tests/fuzz/regressions-ioreq | wc -l) past ioreq crash input(s) run clean"
else
	echo "not ok $i - a past ioreq crash input crashes again"
	tail -n 30 "$work/regress-ioreq.log" | sed 's/^/# /'
	fails=$((fails + 1))
fi
exit $((fails > 0))
