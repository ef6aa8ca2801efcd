#!/usr/bin/env bash
# The nested KVM runner itself (tests/kvm/nested.sh): what the KVM tests'
# results rest on on machines without /dev/kvm. A command's output and exit
# status come back; the host's tree is there read-only and /dev/kvm works;
# --out is writable; a VM that dies, a run that hangs, and a machine without
# QEMU are failures naming the cause ("Bail out!" for prove), never a pass.
set -u
runner=tests/kvm/nested.sh
echo "1..8"
n=0
fails=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
work=$(mktemp -d)
outdir=$(mktemp -d "$PWD/build/nested-t.XXXXXX")
trap 'rm -rf "$work" "$outdir"' EXIT

"$runner" --out "$outdir" -- bash -c 'echo "out $(uname -r)"; echo "err line" >&2; test -c /dev/kvm && echo kvm-ok;
	touch README.md 2>/dev/null || echo read-only; echo written >"$0/f"; exit 7' "$outdir" >"$work/o" 2>"$work/e"
rc=$?
[ $rc = 7 ]
ok $? "the command's exit status comes back (7: got $rc)"
grep -q "^out .*-amd64$" "$work/o" && grep -q "err line" "$work/e"
ok $? "its stdout and stderr come back apart, from Debian's kernel ($(head -1 "$work/o"))"
grep -q kvm-ok "$work/o"
ok $? "/dev/kvm works inside"
grep -q read-only "$work/o"
ok $? "the host's tree is read-only inside"
[ "$(cat "$outdir/f" 2>/dev/null)" = written ]
ok $? "--out DIR is writable inside, at the same path"

"$runner" --tap -- bash -c 'echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger' >"$work/o" 2>"$work/e"
rc=$?
[ $rc != 0 ] && grep -q "^Bail out! nested KVM: the VM stopped before the command finished" "$work/o" &&
	grep -q "Kernel panic\|sysrq" "$work/e"
ok $? "a VM that dies under the command is a failure with its console's last lines (exit $rc)"

"$runner" --tap --timeout 25 -- sleep 600 >"$work/o" 2>"$work/e"
rc=$?
[ $rc != 0 ] && grep -q "^Bail out! nested KVM: the run did not finish within 25s and was killed" "$work/o"
ok $? "a run that hangs is killed at the time given and reported (exit $rc)"

mkdir -p "$work/bin"
for t in busybox cpio; do ln -s "$(command -v $t)" "$work/bin/$t"; done
PATH=$work/bin:/usr/bin/nonexistent "$(command -v bash)" "$runner" --tap -- true >"$work/o" 2>"$work/e"
rc=$?
[ $rc != 0 ] && grep -q "^Bail out! nested KVM: qemu-system-x86_64 is missing (apt-get install qemu-system-x86" "$work/o"
ok $? "without QEMU it fails naming the package (exit $rc)"
[ $fails = 0 ] || sed 's/^/# /' "$work/o" "$work/e" | tail -20
exit $((fails > 0))
