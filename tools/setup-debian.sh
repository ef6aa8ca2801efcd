#!/usr/bin/env bash
# Installs the Debian 12 packages hvmdm builds and tests with. Idempotent: it
# asks dpkg first and only calls apt-get for what is missing, so `make run` and
# `make check` can call it on every run at no cost.
set -euo pipefail

# Build: compiler, pkg-config, the Xen 4.17 libraries (libxen-dev), JSON for QMP
# (jansson), seccomp for the deprivileged Xen process, cmocka as the unit-test
# runner. Tests: perl's prove reads the TAP that cmocka prints; clang with its
# runtime (libclang-rt-14-dev) builds the libFuzzer targets. KVM guests boot
# Debian's SeaBIOS; direct kernel boot uses QEMU's loader ROM (linuxboot_dma.bin,
# in qemu-system-data, a small architecture-independent package); the test
# guests are assembled with nasm; the pc machine's DSDT is compiled with iasl
# (acpica-tools). The display's VNC server is LibVNCServer (libvncserver-dev,
# whose libvncclient the tests use as a client); keymap files name keysyms
# that libxkbcommon resolves. Without /dev/kvm the KVM tests and figures run
# in a nested VM (tests/kvm/nested.sh): QEMU (qemu-system-x86) boots Debian's
# kernel there with a busybox-static initramfs packed by cpio. `make deb`
# builds the Debian package with debhelper and dpkg-dev and checks it with
# lintian; man-db checks the man pages.
packages=(
	build-essential pkg-config
	libxen-dev libjansson-dev libseccomp-dev libvncserver-dev libxkbcommon-dev libpng-dev
	libcmocka-dev perl
	clang libclang-rt-14-dev
	seabios qemu-system-data ipxe-qemu nasm bc acpica-tools
	qemu-system-x86 busybox-static cpio
	debhelper dpkg-dev lintian man-db
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
