#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make compat: the cross-release matrix. Every release in RELEASES is built
# from this repository's history (tools/compat/build.sh, cached per commit)
# and paired with HEAD's build:
#   - under real Xen (the e2e sandbox: Xen 4.17 under QEMU TCG), for each
#     release that runs there: R -> HEAD by xl save/restore and by live
#     xl migrate -C, and HEAD -> R by live migration (R reads HEAD's stream,
#     or refuses it with a message while the source guest runs on) --
#     tests/e2e/compat.sh;
#   - on KVM (natively or in the nested runner), for each release that saves
#     whole VMs: the counting guest saved by R mid-count, restored by HEAD,
#     counting on to its end with no number lost or repeated.
# Releases without either are covered by their golden corpus
# (tests/streams/VERSION/), which make check loads. Output is TAP, one line
# per pair with its time; a release that cannot be built is "not ok ... not
# run" with the reason, never a pass.
#
#   tools/compat/run.sh [BUILD_DIR]   COMPAT_RELEASES="0.2.0" picks releases (default: all)
set -uo pipefail
B=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
n=0
fails=0
# A failure is also said on stderr, which prove shows (CI keeps no TAP comments).
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; echo "compat: not ok $n - $2" >&2; fails=$((fails + 1)); fi; }
[ -x "$B/hvmdm" ] || { echo "1..1"; echo "not ok 1 - $B/hvmdm is not built (make)"; exit 1; }
releases=${COMPAT_RELEASES:-$(awk '!/^#/ && NF { print $1 }' RELEASES)}
xen_vers=()
declare -A dir
for ver in $releases; do
	read -r _ commit _ level xen kvm_vm <<<"$(awk -v v="$ver" '$1 == v' RELEASES)"
	if [ -z "${commit:-}" ]; then ok 1 "$ver: not run: not in RELEASES"; continue; fi
	if [ "$xen" != yes ] && [ "$kvm_vm" != yes ]; then
		echo "# $ver: neither a Xen device model nor whole-VM saves; its streams are the golden corpus tests/streams/$ver, which make check loads"
		continue
	fi
	t0=$(date +%s)
	if ! out=$(tools/compat/build.sh "$ver" 2>/dev/null); then
		ok 1 "$ver: not run: $(echo "$out" | head -1)"
		continue
	fi
	dir[$ver]=$out
	echo "# $ver: built from ${commit:0:12} in $out ($(( $(date +%s) - t0 )) s; reader level $level)"
	[ "$xen" = yes ] && xen_vers+=("$ver")
	if [ "$kvm_vm" = yes ]; then
		t0=$(date +%s)
		if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then where=native; kvm=(); else where=nested; kvm=(tests/kvm/nested.sh --timeout 600 --); fi
		"${kvm[@]}" tools/compat/kvm-pair.sh "$out/hvmdm" "$B/hvmdm" >"$B/compat-kvm-$ver.log" 2>&1
		rc=$?
		ok $rc "$ver -> HEAD on KVM ($where): the counting guest saved whole by hvmdm $ver mid-count, restored by HEAD's, counted on to its end ($(tail -n 1 "$B/compat-kvm-$ver.log"); $(( $(date +%s) - t0 )) s)"
		[ $rc = 0 ] || sed 's/^/# /' "$B/compat-kvm-$ver.log" | tail -15
	fi
done

if [ ${#xen_vers[@]} -gt 0 ]; then
	if [ "${HVMDM_E2E:-1}" = 0 ]; then
		ok 1 "under Xen: not run: HVMDM_E2E=0"
	else
		extra=()
		for ver in "${xen_vers[@]}"; do extra+=("${dir[$ver]}/hvmdm:hvmdm-$ver"); done
		t0=$(date +%s)
		log=$B/compat-xen.log
		E2E_LINUX=0 E2E_SCRIPT=tests/e2e/compat.sh E2E_EXTRA="${extra[*]}" E2E_COMPAT="${xen_vers[*]}" \
			E2E_TIMEOUT=$((600 + 600 * ${#xen_vers[@]})) tests/e2e/run.sh "$B" >"$log" 2>&1
		rc=$?
		got=0
		while IFS= read -r line; do
			case "$line" in
			"ok "*) ok 0 "${line#ok * - }"; got=$((got + 1)) ;;
			"not ok "*) ok 1 "${line#not ok * - }"; got=$((got + 1)) ;;
			esac
		done < <(grep -E '^(not )?ok [0-9]+ - ' "$log")
		grep '^# retrying' "$log" | sort -u
		grep '^# retrying' "$log" | sort -u >&2
		[ $got = $((3 * ${#xen_vers[@]})) ] || ok 1 "under Xen: $got of $((3 * ${#xen_vers[@]})) pairs reported (e2e exit $rc; $log)"
		echo "# under Xen: one sandbox run, $(( $(date +%s) - t0 )) s; logs: $(grep -o '# logs: [^ ]*' "$log" | cut -d' ' -f3)"
		[ $rc = 0 ] || grep -v '^ok ' "$log" | tail -20 | sed 's/^/# /' >&2
	fi
fi
echo "1..$n"
exit $((fails > 0))
