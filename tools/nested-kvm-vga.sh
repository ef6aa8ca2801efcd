#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A manual check of the display on KVM for machines without /dev/kvm (until
# the nested KVM tier lands): Debian's kernel boots under QEMU TCG with
# nested SVM, loads kvm-amd from the same package, and runs build/hvmdm with
# -device VGA inside (SeaBIOS and its VGA BIOS on hvmdm's stdvga, VRAM as a
# KVM slot); after WAIT seconds QMP screendump takes the screen. The same
# firmware then runs under QEMU 7.2 (TCG) with -device VGA and its screendump
# is taken too. Both pictures land in OUT (PPM and PNG) with a line saying
# how many pixel rows differ: the rows of text both show the same match
# exactly; the boot-order lines differ because the machines offer SeaBIOS
# different boot devices.
#
#   tools/nested-kvm-vga.sh [OUT]     (default build/nested-vga)
#
# With SAVE=1 it checks the display's whole-VM save and restore on KVM
# instead: the VBE guest (build/guests/vbe.rom) draws its pattern through
# hvmdm's stdvga, QMP screendump takes it, QMP stop + migrate saves the VM
# to a file (VRAM in device-ram records), a new hvmdm restores it with
# -incoming, and its screendump must show the same pattern
# (tests/tools/ppm-check vbe-pattern on both).
set -euo pipefail
out=${1:-build/nested-vga}
wait_s=${WAIT:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
[ -x build/hvmdm ] || { echo "nested-kvm-vga: build/hvmdm is not built (make)" >&2; exit 1; }
for t in qemu-system-x86_64 busybox cpio python3; do
	command -v "$t" >/dev/null || { echo "nested-kvm-vga: $t is missing (apt-get install qemu-system-x86 busybox-static cpio python3)" >&2; exit 1; }
done

# Debian's kernel and its KVM modules, from the archive (cached beside OUT).
cd "$work"
apt-get download linux-image-amd64 >/dev/null
kpkg=$(dpkg-deb -f linux-image-amd64_*.deb Depends | sed 's/ .*//')
apt-get download "$kpkg" >/dev/null
dpkg-deb -x "$kpkg"_*.deb k
kver=$(ls k/lib/modules)
K=k/lib/modules/$kver/kernel
cd - >/dev/null

# An initramfs: busybox, the modules, hvmdm with its libraries, the firmware, a QMP client.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,m,usr/share/seabios,usr/share/qemu}
cp "$(command -v busybox)" "$root/bin/"
for a in sh mount insmod ls sleep cat gzip base64 poweroff; do ln -sf busybox "$root/bin/$a"; done
cp "$work/$K/virt/lib/irqbypass.ko" "$work/$K/arch/x86/kvm/kvm.ko" "$work/$K/arch/x86/kvm/kvm-amd.ko" \
	"$work/$K/drivers/crypto/ccp/ccp.ko" "$root/m/"
cp build/hvmdm "$root/bin/hvmdm"
for l in $(ldd build/hvmdm | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
	mkdir -p "$root$(dirname "$l")"
	cp -L "$l" "$root$l"
done
cp /usr/share/seabios/bios-256k.bin /usr/share/seabios/vgabios-stdvga.bin "$root/usr/share/seabios/"
cp -r /usr/share/qemu/keymaps "$root/usr/share/qemu/"
cat >"$work/qmpc.c" <<'EOF'
/* QMP: qmpc SOCKET FILE (a screendump), or qmpc SOCKET -c JSON... (each command in turn) */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
static void rd(int fd) { char b[4096]; ssize_t n = read(fd, b, sizeof(b) - 1); if (n > 0) { b[n] = 0; fputs(b, stdout); } }
int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char cmd[512];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (argc < 3) return 2;
	strncpy(a.sun_path, argv[1], sizeof(a.sun_path) - 1);
	for (int i = 0; i < 600 && connect(fd, (struct sockaddr *)&a, sizeof(a)); i++) usleep(100000);
	rd(fd);
	if (write(fd, "{\"execute\":\"qmp_capabilities\"}\n", 31) < 0) return 1;
	rd(fd);
	if (!strcmp(argv[2], "-c")) {
		for (int i = 3; i < argc; i++) {
			snprintf(cmd, sizeof(cmd), "%s\n", argv[i]);
			if (write(fd, cmd, strlen(cmd)) < 0) return 1;
			rd(fd);
		}
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}\n", argv[2]);
	if (write(fd, cmd, strlen(cmd)) < 0) return 1;
	rd(fd);
	return 0;
}
EOF
cc -static -O2 "$work/qmpc.c" -o "$root/bin/qmpc"
if [ "${SAVE:-0}" = 1 ]; then
	[ -f build/guests/vbe.rom ] || { echo "nested-kvm-vga: build/guests/vbe.rom is not built (make guests)" >&2; exit 1; }
	cp build/guests/vbe.rom "$root/vbe.rom"
	ln -sf busybox "$root/bin/grep"
	cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc p /proc; mount -t sysfs s /sys; mount -t devtmpfs d /dev
insmod /m/irqbypass.ko; insmod /m/kvm.ko; insmod /m/ccp.ko; insmod /m/kvm-amd.ko
run() { /bin/hvmdm -accel kvm -m 64 -device VGA -option-rom /vbe.rom -serial file:/tmp/serial$1 -qmp unix:/tmp/q$1,server=on,wait=off $2 >/tmp/hvmdm$1.out 2>&1 & }
run 1 ""
i=0
while ! grep -q "vbe: drawn" /tmp/serial1 2>/dev/null && [ $i -lt 300 ]; do sleep 1; i=$((i + 1)); done
shot() { for _ in 1 2 3 4 5; do /bin/qmpc /tmp/q$1 $2 >/dev/null; sleep 1; [ -s $2 ] && return; done; }
shot 1 /tmp/before.ppm
/bin/qmpc /tmp/q1 -c '{"execute":"stop"}' '{"execute":"migrate","arguments":{"uri":"file:/tmp/vm"}}' >/tmp/qmp1.out
i=0
while ! /bin/qmpc /tmp/q1 -c '{"execute":"query-migrate"}' | grep -q completed && [ $i -lt 120 ]; do sleep 1; i=$((i + 1)); done
/bin/qmpc /tmp/q1 -c '{"execute":"quit"}' >>/tmp/qmp1.out
sleep 3
run 2 "-incoming file:/tmp/vm"
sleep 10
shot 2 /tmp/after.ppm
echo "=== hvmdm"; cat /tmp/serial1 /tmp/hvmdm1.out /tmp/qmp1.out /tmp/hvmdm2.out; ls -l /tmp/vm
echo "=== BEFORE"; gzip -c /tmp/before.ppm | base64; echo "=== END"
echo "=== AFTER"; gzip -c /tmp/after.ppm | base64; echo "=== END"
poweroff -f
INIT
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initrd.gz")
	echo "nested-kvm-vga: the display saved and restored under nested KVM (QEMU TCG with nested SVM)..." >&2
	timeout 900 qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt,+nrip-save -m 1024 -smp 1 -nographic -no-reboot \
		-kernel "$work/k/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
		>"$work/nested.log" 2>&1 || true
	cp "$work/nested.log" "$out/nested-save.log"
	sed -n '/=== hvmdm/,/=== BEFORE/p' "$work/nested.log" | grep -v '===' >&2 || true
	for p in BEFORE AFTER; do
		awk -v s="=== $p" 'index($0, s) == 1 { f = 1; next } /=== END/ { f = 0 } f' "$work/nested.log" | tr -d '\r' |
			grep -v '^\[' | base64 -d | gunzip >"$out/$p.ppm" || true
	done
	rc=0
	for p in BEFORE AFTER; do
		if tests/tools/ppm-check vbe-pattern "$out/$p.ppm"; then echo "nested-kvm-vga: $p the save: the guest's VBE pattern"
		else echo "nested-kvm-vga: $p the save: not the pattern"; rc=1; fi
	done
	exit $rc
fi
cat >"$root/init" <<EOF
#!/bin/sh
mount -t proc p /proc; mount -t sysfs s /sys; mount -t devtmpfs d /dev
insmod /m/irqbypass.ko; insmod /m/kvm.ko; insmod /m/ccp.ko; insmod /m/kvm-amd.ko
/bin/hvmdm -accel kvm -m 64 -device VGA -vnc 127.0.0.1:0 -qmp unix:/tmp/q,server=on,wait=off >/tmp/hvmdm.out 2>&1 &
sleep $wait_s
/bin/qmpc /tmp/q /tmp/screen.ppm >/dev/null
[ -s /tmp/screen.ppm ] || echo "no screendump: hvmdm did not answer QMP in time (WAIT=)"
echo "=== hvmdm"; cat /tmp/hvmdm.out
echo "=== PPM"; gzip -c /tmp/screen.ppm | base64; echo "=== END"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$work/initrd.gz")

echo "nested-kvm-vga: hvmdm under nested KVM (QEMU TCG with nested SVM)..." >&2
timeout 600 qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt,+nrip-save -m 1024 -smp 1 -nographic -no-reboot \
	-kernel "$work/k/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
	>"$work/nested.log" 2>&1 || true
cp "$work/nested.log" "$out/nested.log"
sed -n '/=== hvmdm/,/=== PPM/p' "$work/nested.log" | grep -v '===' >&2 || true
awk '/=== PPM/ { f = 1; next } /=== END/ { f = 0 } f' "$work/nested.log" | tr -d '\r' | grep -v '^\[' |
	base64 -d | gunzip >"$out/hvmdm.ppm"

echo "nested-kvm-vga: QEMU 7.2 (TCG) with -device VGA..." >&2
qemu-system-x86_64 -accel tcg -machine pc -m 64 -nodefaults -no-user-config -device VGA -display none \
	-qmp "unix:$work/qq,server=on,wait=off" >"$work/qemu.log" 2>&1 &
qpid=$!
sleep "$wait_s"
tests/tools/qmp-client "$work/qq" screendump "{\"filename\":\"$(realpath "$out")/qemu.ppm\"}" quit >/dev/null || kill "$qpid"
wait "$qpid" 2>/dev/null || true

python3 - "$out" <<'EOF'
import struct, sys, zlib
out = sys.argv[1]
def load(p):
    d = open(p, 'rb').read(); parts = d.split(b'\n', 3); w, h = map(int, parts[1].split()); return w, h, parts[3]
def png(p, w, h, px):
    raw = b''.join(b'\0' + px[y * w * 3:(y + 1) * w * 3] for y in range(h))
    c = lambda t, b: struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b) & 0xffffffff)
    open(p, 'wb').write(b'\x89PNG\r\n\x1a\n' + c(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + c(b'IDAT', zlib.compress(raw)) + c(b'IEND', b''))
w1, h1, a = load(out + '/hvmdm.ppm'); w2, h2, b = load(out + '/qemu.ppm')
png(out + '/hvmdm.png', w1, h1, a); png(out + '/qemu.png', w2, h2, b)
if (w1, h1) != (w2, h2):
    print(f"nested-kvm-vga: sizes differ: hvmdm {w1}x{h1}, QEMU {w2}x{h2}"); sys.exit(1)
rows = [y for y in range(h1) if a[y * w1 * 3:(y + 1) * w1 * 3] != b[y * w1 * 3:(y + 1) * w1 * 3]]
print(f"nested-kvm-vga: {w1}x{h1}; {len(rows)} of {h1} pixel rows differ; pictures in {out}")
EOF
