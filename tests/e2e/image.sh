#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Builds (once) the Xen 4.17 dom0 image the end-to-end tier boots under QEMU
# TCG (reference/07-real-xen-under-qemu-tcg.md): a Debian 12 minbase root with
# the Xen hypervisor and tools, Debian's kernel and initramfs,
# qemu-system-xen as the stock device model to compare with, and the shared
# libraries hvmdm links against beyond Xen's (jansson, seccomp, and the
# display's LibVNCServer, libxkbcommon and libpng; libvncclient for the
# display scenario's VNC client), and Debian's libvirt with its libxl driver
# (the libvirt scenario). hvmdm itself comes in as its Debian package. The result is
# cached outside the repository, keyed by the package versions and the
# dom0 init script (and an explicit image-format number), so a rebuild
# happens only when one of them changes.
#
#   tests/e2e/image.sh        prints the cache directory holding
#                             xen, vmlinuz, initrd.img, dom0.img
#   tests/e2e/image.sh --cached   the same, but fails instead of building
set -euo pipefail
cache_root=${HVMDM_E2E_CACHE:-/var/cache/hvmdm-e2e}
mirror=${HVMDM_E2E_MIRROR:-http://deb.debian.org/debian}
pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64 qemu-system-xen
      seabios kmod procps iproute2 busybox udev initramfs-tools
      libjansson4 libseccomp2 libvncserver1 libxkbcommon0 libpng16-16 libvncclient1
      libvirt-daemon libvirt-daemon-driver-xen libvirt-clients)
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo

need() { command -v "$1" >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" >&2; }; }
versions=$(apt-cache policy "${pkgs[@]}" 2>/dev/null | awk '/^[a-z0-9]/ { p = $1 } /Candidate:/ { print p, $2 }')
# Bump when the way the image is made changes (not for edits that do not touch it).
image_format=2
key=$( { echo "$image_format ${pkgs[*]}"; echo "$versions"; cat "$(dirname "$0")/dom0-init"; } | sha1sum | cut -c1-16)
dir=$cache_root/$key
if [ -s "$dir/dom0.img" ] && [ -s "$dir/xen" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ]; then
	echo "$dir"
	exit 0
fi
[ "${1:-}" = --cached ] && { echo "e2e: no cached dom0 image for these package versions" >&2; exit 1; }
need debootstrap debootstrap
need mkfs.ext4 e2fsprogs
echo "e2e: building the dom0 image in $dir (once per package versions; a few minutes)" >&2
$sudo mkdir -p "$dir"
root=$dir/root
$sudo rm -rf "$root"
$sudo debootstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" bookworm "$root" "$mirror" >&2
# Then the point-release and security updates, as on any maintained Debian 12
# dom0: the versions the key was computed from (this host's candidates), and
# the ones hvmdm's package, built against this host's libraries, depends on.
security=${HVMDM_E2E_SECURITY_MIRROR:-${mirror%/debian}/debian-security}
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
	"$mirror" "$mirror" "$security" | $sudo tee "$root/etc/apt/sources.list" >/dev/null
$sudo cp /etc/resolv.conf "$root/etc/resolv.conf"
$sudo mount -t proc proc "$root/proc"
rc=0
$sudo chroot "$root" apt-get update -qq >&2 &&
	$sudo chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade >&2 || rc=1
# One kernel: the one linux-image-amd64 now names (what dom0 boots, and whose
# modules mk-linux-disk.sh takes).
keep=$($sudo chroot "$root" dpkg-query -W -f '${Depends}' linux-image-amd64 | grep -o 'linux-image-[^ ,]*' | head -1)
old=$($sudo chroot "$root" dpkg-query -W -f '${Package} ${Status}\n' 'linux-image-[0-9]*' |
	awk '/install ok installed/ { print $1 }' | grep -vx "$keep" || true)
[ $rc = 0 ] && [ -n "$old" ] && { $sudo chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq purge $old >&2 || rc=1; }
$sudo chroot "$root" apt-get clean
$sudo umount "$root/proc"
[ $rc = 0 ] || { echo "e2e: could not update the dom0 image's packages" >&2; exit 1; }
# The kernel, its initramfs and the hypervisor, which QEMU loads itself
# (multiboot: Xen must be the uncompressed ELF).
$sudo sh -c "zcat '$root'/boot/xen-4.17-amd64.gz > '$dir/xen'"
$sudo cp "$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)" "$dir/vmlinuz"
$sudo cp "$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)" "$dir/initrd.img"
$sudo install -m 755 "$(dirname "$0")/dom0-init" "$root/sbin/e2e-init"
$sudo mkdir -p "$root/share"
echo dom0 | $sudo tee "$root/etc/hostname" >/dev/null
$sudo mkfs.ext4 -q -F -L dom0 -d "$root" "$dir/dom0.img.tmp" 3G >&2
$sudo mv "$dir/dom0.img.tmp" "$dir/dom0.img"
$sudo rm -rf "$root"
echo "$versions" | $sudo tee "$dir/versions" >/dev/null
echo "$dir"
