#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The nested KVM runner: runs a command where /dev/kvm works, on a machine
# that has none. Debian 12's kernel boots under QEMU's software emulation
# with nested SVM (-cpu qemu64,+svm,+npt,+nrip-save, as the real-Xen tier
# runs Xen), loads kvm and kvm-amd from the same package, mounts this
# machine's root read-only over 9p and runs the command there in a chroot,
# in the same directory, with tmpfs on /tmp, /run and /var/tmp. So the
# command sees the same build tree, the same bash, perl and QEMU, and a
# working /dev/kvm; what it writes outside those tmpfs mounts fails
# (read-only), which keeps a test from changing the tree it tests.
#
#   tests/kvm/nested.sh [--timeout SECONDS] [--tap] [--out DIR] -- COMMAND [ARG]...
#
# --out DIR (a directory here) is writable inside, at the same path: where a
# command leaves files for this side (make bench's figures).
# The command's stdout and stderr are streamed back as it writes them, and
# its exit status becomes ours. Its environment is this one's HVMDM*, B,
# CMOCKA*, *SAN_OPTIONS and FUZZ_DIR, plus HVMDM_KVM_WHERE saying where it
# runs and HVMDM_NESTED_KERNEL (Debian's vmlinuz, for tests that boot Linux).
# The kernel comes from Debian's archive (linux-image-amd64) and is cached in
# HVMDM_NESTED_CACHE (default /var/cache/hvmdm-nested-kvm) by package
# version. A run that does not finish in time (default 1800 s) is killed.
# When the VM cannot run the command at all (no QEMU, no kernel, no SVM, a
# hang), the failure says what is missing; with --tap it is a TAP "Bail out!"
# line too, so prove reports it as a failure and never as a pass or skip.
set -uo pipefail
timeout_s=1800
tap=0
out_dir=
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s=$2; shift 2 ;;
	--tap) tap=1; shift ;;
	--out) out_dir=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--timeout S] [--tap] -- COMMAND [ARG]..." >&2; exit 2; }
cache_root=${HVMDM_NESTED_CACHE:-/var/cache/hvmdm-nested-kvm}
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

fail() {
	echo "nested-kvm: $*" >&2
	[ $tap = 1 ] && echo "Bail out! nested KVM: $*"
	exit 3
}

for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio; do
	command -v "${t%%:*}" >/dev/null 2>&1 || fail "${t%%:*} is missing (apt-get install ${t#*:}; tools/setup-debian.sh installs it)"
done
ldd "$(command -v busybox)" >/dev/null 2>&1 && fail "busybox is dynamically linked; the initramfs needs busybox-static"

# Debian's kernel and the modules the VM loads, extracted once per package version.
kernel_dir() {
	local ver kpkg dir tmp
	ver=$(apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		$sudo apt-get update -qq >&2 || return 1
		ver=$(apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
	fi
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	dir=$cache_root/kernel-$ver
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/modules.order" ]; then
		echo "$dir"
		return 0
	fi
	echo "nested-kvm: fetching Debian's kernel (linux-image-amd64 $ver) into $dir, once" >&2
	tmp=$(mktemp -d)
	(
		set -e
		cd "$tmp"
		apt-get download "linux-image-amd64=$ver" >/dev/null 2>&1
		kpkg=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/ .*//')
		apt-get download "$kpkg" >/dev/null 2>&1
		dpkg-deb -x "$kpkg"_*.deb k
	) || { rm -rf "$tmp"; return 1; }
	local kver=$(ls "$tmp/k/lib/modules")
	local mods=$tmp/k/lib/modules/$kver/kernel
	$sudo mkdir -p "$dir.tmp"
	$sudo cp "$tmp/k/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz"
	# What the VM needs and in which order: each module after what its
	# .modinfo "depends=" names (read from the file: no depmod here).
	local order=() seen=" "
	want() {
		local m=$1 f d
		case "$seen" in *" $m "*) return ;; esac
		f=$(find "$mods" -name "$m.ko" | head -1)
		[ -n "$f" ] || { echo "nested-kvm: module $m is not in $kpkg" >&2; return 1; }
		for d in $(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p' | tr ',' ' '); do want "$d" || return 1; done
		seen="$seen$m "
		order+=("$m")
		$sudo cp "$f" "$dir.tmp/"
	}
	for m in virtio_pci 9pnet_virtio 9p kvm-amd; do want "$m" || { rm -rf "$tmp"; return 1; }; done
	printf '%s\n' "${order[@]}" | $sudo tee "$dir.tmp/modules.order" >/dev/null
	echo "$kver" | $sudo tee "$dir.tmp/release" >/dev/null
	rm -rf "$tmp"
	$sudo rm -rf "$dir"
	$sudo mv "$dir.tmp" "$dir"
	echo "$dir"
}
$sudo mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
kdir=$(kernel_dir) || fail "could not fetch Debian's kernel package linux-image-amd64 (apt-get download; is the archive reachable?)"
flock -u 9

work=$(mktemp -d /tmp/hvmdm-nested.XXXXXX)
qpid=
tpid=
cleanup() {
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${NESTED_KEEP:-}" ] && trap "echo kept \"$work\" >&2" EXIT
trap 'exit 130' INT TERM

# The initramfs: busybox, the modules, and an init that mounts the host and runs the command.
root=$work/initramfs
mkdir -p "$root"/{bin,dev,proc,sys,host,m}
cp "$(command -v busybox)" "$root/bin/busybox"
cp "$kdir"/*.ko "$root/m/"
cp "$kdir/modules.order" "$root/m/"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
b=/bin/busybox
$b mount -t proc proc /proc
$b mount -t sysfs sys /sys
$b mount -t devtmpfs dev /dev
for m in $($b cat /m/modules.order); do
	$b insmod /m/$m.ko || echo "nested-kvm: insmod $m failed"
done
opts=trans=virtio,version=9p2000.L,msize=524288
if $b mount -t 9p -o ro,$opts,cache=loose host /host && $b mount -t 9p -o $opts job /host/run; then
	j=/host/run
	# Fresh /tmp and /var/tmp -- but a working directory under one of them
	# (a clone in /tmp) stays the host's, bound back in at its path.
	cwd=$($b cat $j/cwd)
	for t in /tmp /var/tmp; do
		case "$cwd/" in
		"$t"/*)
			$b mkdir -p /keep
			$b mount -o bind "/host$cwd" /keep
			$b mount -t tmpfs -o mode=1777 tmp "/host$t"
			$b mkdir -p "/host$cwd"
			$b mount -o bind /keep "/host$cwd"
			;;
		*) $b mount -t tmpfs -o mode=1777 tmp "/host$t" ;;
		esac
	done
	$b mount -t proc proc /host/proc
	$b mount -t sysfs sys /host/sys
	$b mount -t devtmpfs dev /host/dev
	$b mkdir -p /host/dev/pts /host/dev/shm
	$b mount -t devpts pts /host/dev/pts
	$b mount -t tmpfs shm /host/dev/shm
	$b ln -s /proc/self/fd /host/dev/fd
	for i in 0 1 2; do $b ln -s /proc/self/fd/$i /host/dev/$(echo stdin stdout stderr | $b cut -d' ' -f$((i + 1))); done
	[ -s $j/out_dir ] && $b mount -t 9p -o $opts out "/host$($b cat $j/out_dir)"
	if [ -c /dev/kvm ]; then
		$b chroot /host /bin/bash /run/job.sh >$j/stdout 2>$j/stderr
		echo $? >$j/rc
	else
		echo "no /dev/kvm after loading kvm-amd: $($b dmesg | $b grep -i -E 'kvm|svm' | $b tail -3)" >$j/error
	fi
else
	echo "cannot mount the host's root over 9p" >/dev/console
fi
$b sync
$b poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initrd.gz") || fail "cannot build the initramfs"

# The job: this directory, the whitelisted environment, the command.
job=$work/job
mkdir -p "$job"
kver=$(cat "$kdir/release")
where="nested (Debian $kver with kvm-amd, under QEMU TCG with nested SVM)"
{
	echo "cd $(printf '%q' "$PWD") || exit 2"
	env | sed -n -E 's/^((HVMDM[A-Z0-9_]*|B|CMOCKA[A-Z_]*|[A-Z]*SAN_OPTIONS|FUZZ_DIR|PATH|LANG)=).*/\2/p' | while read -r v; do
		printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'export HVMDM_KVM_WHERE=%q HVMDM_NESTED_KERNEL=%q HOME=/tmp TMPDIR=/tmp\n' "$where" "$kdir/vmlinuz"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$job/job.sh"
: >"$job/stdout"
: >"$job/stderr"
pwd >"$job/cwd"
out_share=()
if [ -n "$out_dir" ]; then
	echo "$out_dir" >"$job/out_dir"
	out_share=(-virtfs "local,path=$out_dir,mount_tag=out,security_model=none,multidevs=remap")
fi

# The VM: 2 vCPUs (the tests run -smp 2 guests and hvmdm's own threads), 3 GiB.
timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -machine pc \
	-cpu qemu64,+svm,+npt,+nrip-save -m 3072 -smp 2 -display none -no-reboot -monitor none \
	-serial "file:$work/console.log" -net none \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" \
	-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$job,mount_tag=job,security_model=none,multidevs=remap" "${out_share[@]}" \
	</dev/null >"$work/qemu.log" 2>&1 &
qpid=$!
tail -n +1 -s 0.2 -f --pid=$qpid "$job/stderr" >&2 &
tpid=$!
tail -n +1 -s 0.2 -f --pid=$qpid "$job/stdout"
wait $qpid
qrc=$?
qpid=
wait $tpid 2>/dev/null
tpid=
if [ -s "$job/rc" ]; then
	exit "$(cat "$job/rc")"
fi
# The whole console of a VM that failed, kept for a look afterwards.
keep=$( { [ -d build ] && [ -w build ] && echo "$PWD/build"; } || echo /tmp)/nested-kvm-failed-$(date +%Y%m%d-%H%M%S).log
cp "$work/console.log" "$keep" 2>/dev/null && echo "nested-kvm: the VM's console is in $keep" >&2
if [ -s "$job/error" ]; then
	fail "$(cat "$job/error")"
elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "nested-kvm: the last console lines:" >&2
	tail -n 15 "$work/console.log" | sed 's/^/# /' >&2
	fail "the run did not finish within ${timeout_s}s and was killed"
else
	tail -n 40 "$work/console.log" "$work/qemu.log" 2>/dev/null | sed 's/^/# /' >&2
	fail "the VM stopped before the command finished (QEMU exit $qrc; its console is above)"
fi
