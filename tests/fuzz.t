#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target from its seed corpus (the long
# runs are `make fuzz`). Prints TAP for prove.
set -u
dir=${FUZZ_DIR:-build/fuzz}
secs=${FUZZ_CHECK_SECONDS:-15}
echo "1..1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ! -x "$dir/fuzz_io" ]; then
	echo "not ok 1 - $dir/fuzz_io is not built"
	exit 1
fi
if "$dir/fuzz_io" -max_total_time="$secs" -print_final_stats=1 "$work" tests/fuzz/corpus-io \
	>"$work/log" 2>&1; then
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
	echo "ok 1 - fuzz_io ran clean for ${secs}s (${runs:-?} inputs)"
else
	echo "not ok 1 - fuzz_io found a crash"
	tail -n 40 "$work/log" | sed 's/^/# /'
	exit 1
fi
