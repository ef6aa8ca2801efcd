# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the KVM tests (kvm.t, saverestore.t, kvm-linux.t, kvm-nic.t, kvm-usb.t):
#
#   . tests/kvm/lib.sh; kvm_here "$0" "$@"
#
# returns where /dev/kvm works here, printing "# KVM: native" (or, inside the
# nested runner, where that is); otherwise it runs the whole test again
# inside the nested KVM runner (tests/kvm/nested.sh) and exits with its
# status. HVMDM_KVM=native never nests (no /dev/kvm is then a failure),
# HVMDM_KVM=nested always does, HVMDM_KVM=0 skips the test saying so.
#
# A nested run that fails runs once more, saying so, with the first run's
# failures as comments (and on stderr): QEMU's software emulation of nested
# SVM now and then wedges or faults the L1 kernel (as the e2e tier's Xen
# under TCG does); a failure hvmdm causes fails both runs.
# HVMDM_NESTED_RETRY=0 turns that off.
kvm_here() {
	local kvm_ok=0
	[ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm_ok=1
	case "${HVMDM_KVM:-auto}" in
	0)
		echo "1..0 # SKIP HVMDM_KVM=0"
		exit 0
		;;
	native)
		if [ $kvm_ok = 0 ]; then
			echo "1..1"
			echo "not ok 1 - HVMDM_KVM=native but /dev/kvm is missing (or not readable and writable by $(id -un))"
			exit 1
		fi
		;;
	nested)
		[ -n "${HVMDM_KVM_WHERE:-}" ] || kvm_ok=0
		;;
	esac
	if [ $kvm_ok = 1 ]; then
		echo "# KVM: ${HVMDM_KVM_WHERE:-native (/dev/kvm on this machine)}"
		return 0
	fi
	echo "# KVM: no usable /dev/kvm here, so the test runs inside the nested KVM runner (tests/kvm/nested.sh)"
	local runner first rc
	# 480 s: the KVM tests take 45-105 s nested here (prove --timer); a nested VM that
	# hangs (once in kvm-linux.t's restore, the whole VM silent) costs that much before
	# the retry, not 15 minutes of CI's 90. HVMDM_NESTED_TIMEOUT raises it.
	runner=("$(dirname "${BASH_SOURCE[0]}")/nested.sh" --tap --timeout "${HVMDM_NESTED_TIMEOUT:-480}" --)
	[ "${HVMDM_NESTED_RETRY:-1}" = 1 ] || exec "${runner[@]}" "$@"
	first=$(mktemp)
	"${runner[@]}" "$@" >"$first"
	rc=$?
	if [ $rc = 0 ]; then
		cat "$first"
		rm -f "$first"
		exit 0
	fi
	{
		echo "# the nested run failed (exit $rc): running it once more (HVMDM_NESTED_RETRY=0 does not); the first run's failures:"
		grep -E "^(not ok|Bail out)" "$first" | sed 's/^/#   /'
	} | tee /dev/stderr
	rm -f "$first"
	exec "${runner[@]}" "$@"
}

# Helpers for the tests that boot Debian's kernel with modules of their own
# (kvm-nic.t, kvm-usb.t).
# kernel_release BZIMAGE: the release string in its setup header (kernel_version).
kernel_release() {
	local off
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$1" 2>/dev/null | tr -d ' ')
	[ -n "$off" ] && [ "$off" != 0 ] || return 1
	dd if="$1" bs=1 skip=$((off + 0x200)) count=256 2>/dev/null | tr '\0' '\n' | head -1 | awk '{ print $1 }'
}
# module_file DIR NAME: the first NAME.ko[.xz|.zst|.gz] below DIR.
module_file() {
	find "$1" \( -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" -o -name "$2.ko.gz" \) 2>/dev/null | sort | head -1
}
# module_plain FILE OUT: FILE decompressed (if it is) into OUT.
module_plain() {
	case "$1" in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}
# vermagic FILE: the kernel release a (decompressed) module was built for.
vermagic() { tr '\0' '\n' <"$1" | sed -n 's/^vermagic=//p' | awk '{ print $1; exit }'; }
