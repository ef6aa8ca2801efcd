#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/compat/build.sh VERSION: builds release VERSION of hvmdm (RELEASES)
# from this repository's own history -- a worktree at its commit, built with
# its own Makefile -- once per commit, cached in HVMDM_COMPAT_CACHE (default
# /var/cache/hvmdm-compat/COMMIT: hvmdm, hvmdm-stream, build.log). Prints
# that directory. A release that cannot be built (not in this clone's history,
# a build failure) exits 1 with one line saying why, for `not run` lines.
set -uo pipefail
ver=${1:?usage: tools/compat/build.sh VERSION}
top=$(cd "$(dirname "$0")/../.." && pwd)
line=$(awk -v v="$ver" '$1 == v' "$top/RELEASES")
[ -n "$line" ] || { echo "release $ver is not in RELEASES"; exit 1; }
read -r _ commit _ <<<"$line"
cache=${HVMDM_COMPAT_CACHE:-/var/cache/hvmdm-compat}/$commit
if [ -x "$cache/hvmdm" ] && [ -x "$cache/hvmdm-stream" ]; then
	echo "$cache"
	exit 0
fi
# A shallow clone lacks the history: fetch it once, if there is a remote to ask.
if ! git -C "$top" cat-file -e "$commit^{commit}" 2>/dev/null &&
	[ "$(git -C "$top" rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
	echo "compat: this clone is shallow: fetching its history for release $ver" >&2
	git -C "$top" fetch -q --unshallow >/dev/null 2>&1
fi
git -C "$top" cat-file -e "$commit^{commit}" 2>/dev/null ||
	{ echo "release $ver: commit $commit is not in this clone's history (a shallow clone? git fetch --unshallow)"; exit 1; }
mkdir -p "$cache" || { echo "release $ver: cannot create $cache"; exit 1; }
wt=$(mktemp -d)
rmdir "$wt"
git -C "$top" worktree add -q --detach "$wt" "$commit" >"$cache/build.log" 2>&1 ||
	{ echo "release $ver: git worktree add failed (see $cache/build.log)"; exit 1; }
echo "compat: building hvmdm $ver ($commit) with its own Makefile, once" >&2
if (cd "$wt" && make -j2 build/hvmdm build/hvmdm-stream) >>"$cache/build.log" 2>&1; then
	cp "$wt/build/hvmdm" "$wt/build/hvmdm-stream" "$cache/"
	rc=0
else
	rc=1
fi
git -C "$top" worktree remove --force "$wt" >/dev/null 2>&1
if [ $rc != 0 ]; then
	echo "release $ver: its build failed (the last lines of $cache/build.log):"
	tail -n 5 "$cache/build.log" | sed 's/^/  /'
	exit 1
fi
echo "$cache"
