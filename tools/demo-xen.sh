#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make run: a guest with hvmdm as its device model under real Xen -- created,
# its console shown as it prints, its screen captured as a PNG, saved,
# restored, going on, destroyed (tools/demo-xen-guest.sh does the steps).
# On a Xen dom0 (xl works here) it uses this machine's Xen; anywhere else it
# runs inside the real-Xen sandbox of the e2e tier (Xen 4.17 and a Debian
# dom0 under QEMU TCG; the first run builds the dom0 image, a few minutes,
# then it is cached). Logs, the save file's steps and screen.png land in
# BUILD_DIR/demo-xen.
#
#   tools/demo-xen.sh [BUILD_DIR]
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$B" && cd "$B" && pwd)/demo-xen
rm -rf "$out"
mkdir -p "$out"
t0=$(date +%s)
if [ -r /proc/xen/capabilities ] && grep -q control_d /proc/xen/capabilities && command -v xl >/dev/null &&
	xl info >/dev/null 2>&1; then
	echo "run: this machine is a Xen dom0 ($(xl info | awk -F': ' '/^xen_version/ { print $2 }')): the demo uses its xl"
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	cp "$B/guests/migrate.img" "$B/vnc-tool" "$dir/"
	DEMO_DM=$(cd "$B" && pwd)/hvmdm DEMO_DIR=$dir DEMO_OUT=$out sh "$here/demo-xen-guest.sh"
	rc=$?
else
	echo "run: no Xen here: the demo runs in the real-Xen sandbox (Xen 4.17 + Debian dom0 under QEMU TCG, as make e2e)"
	tests/e2e/image.sh --cached >/dev/null 2>&1 ||
		echo "run: building the sandbox's dom0 image first (once; a few minutes, progress below)"
	E2E_LINUX=0 E2E_SCRIPT=$here/demo-xen-guest.sh E2E_FOLLOW=demo.log E2E_COPY_OUT=$out E2E_TIMEOUT=${DEMO_TIMEOUT:-1200} \
		"$here/../tests/e2e/run.sh" "$B" | grep -v '^ok \|^not ok \|^[0-9]* passed'
	rc=${PIPESTATUS[0]}
fi
if [ -s "$out/screen.ppm" ] && "$here/ppm-to-png" "$out/screen.ppm" "$out/screen.png"; then
	echo "run: the guest's screen, as the VNC client saw it: $out/screen.png"
fi
echo "run: $([ "$rc" = 0 ] && echo "the Xen demo passed" || echo "the Xen demo FAILED (exit $rc)") in $(( $(date +%s) - t0 )) s; logs in $out"
exit "$rc"
