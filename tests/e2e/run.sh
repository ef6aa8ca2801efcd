#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make e2e: the real-Xen tier. Boots Xen 4.17 with a Debian dom0 under QEMU
# TCG (-cpu qemu64,+svm,+npt,+nrip-save; reference/07), hands the freshly
# built hvmdm and the scenarios in through a 9p share, runs them in dom0 with
# xl, copies the logs out and prints one line per check and a closing
# "N passed, N failed". Every wait is bounded; a boot failure, panic or
# timeout is reported with the console lines that show it.
#
#   tests/e2e/run.sh [BUILD_DIR]     E2E_TIMEOUT=seconds (default 2100; 3000 with the Linux guests)
#   E2E_ONLY="base count reboot ide direct restrict linux nic pxe usb linuxdisk linuxcirrus display cirrus trad move back ordinary libvirt" runs only those parts;
#   "ioreq" and "density" (make bench's figures) run only when named.
#   E2E_DISK_RUNS=N runs the Linux-from-IDE guest N times with each device model, alternating (make bench).
#   E2E_LINUX=0 leaves out the real Linux guests (booted directly, from the IDE disk and on the Cirrus, with the
#   stock DM and with hvmdm)
#   E2E_SCRIPT=FILE runs FILE in dom0 instead of the scenarios (make run: tools/demo-xen-guest.sh);
#   E2E_FOLLOW=NAME prints share/out/NAME as it grows; E2E_COPY_OUT=DIR copies share/out there at the end;
#   E2E_EXTRA="SRC:NAME ..." copies more files into the share (make compat: the releases' hvmdm), and
#   E2E_COMPAT="VERSION ..." lists them for tests/e2e/compat.sh.
set -u
B=${1:-build}
timeout_s=${E2E_TIMEOUT:-$([ "${E2E_LINUX:-1}" = 0 ] && echo 2100 || echo 3000)}
here=$(cd "$(dirname "$0")" && pwd)
command -v qemu-system-x86_64 >/dev/null 2>&1 || {
	$( [ "$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq qemu-system-x86 >&2 || { echo "e2e: cannot install qemu-system-x86"; exit 2; }
}
img=$("$here/image.sh") || { echo "e2e: could not build the dom0 image"; exit 2; }
[ -x "$B/hvmdm" ] || { echo "e2e: $B/hvmdm is not built"; exit 2; }
share=$(mktemp -d /tmp/hvmdm-e2e.XXXXXX)
mkdir -p "$share/out"
# hvmdm goes in as its Debian package (make deb, rebuilt when the binary is
# newer): dom0 installs it and the scenarios' configs name the packaged
# binary. The build tree's binary goes in too: make run's and make compat's
# scripts run that one.
if [ -z "${E2E_SCRIPT:-}" ]; then
	deb=$(ls "$B"/deb/hvmdm_*_amd64.deb 2>/dev/null | head -1)
	if [ -z "$deb" ] || [ "$B/hvmdm" -nt "$deb" ] || [ "$B/hvmdm-stream" -nt "$deb" ]; then
		make -s deb B="$B" >"$share/out/deb-build.log" 2>&1 ||
			{ echo "e2e: make deb failed"; tail -20 "$share/out/deb-build.log"; exit 2; }
		deb=$(ls "$B"/deb/hvmdm_*_amd64.deb | head -1)
	fi
	cp "$deb" "$share/hvmdm.deb"
fi
cp "$B/hvmdm" "$share/hvmdm"
for f in ioreqdisk.img vbedisk.img cirrusdisk.img count.rom linux.bzimage linux-initrd.img disk.img cd.iso rebootdisk.img s3disk.img migrate.img; do
	cp "$B/guests/$f" "$share/$f" || { echo "e2e: $B/guests/$f is not built"; exit 2; }
done
{ echo "#!/bin/sh"; echo "E2E_KEEP_SAVE=${E2E_KEEP_SAVE:-0} E2E_LINUX=${E2E_LINUX:-1} E2E_DISK_RUNS=${E2E_DISK_RUNS:-1} E2E_ONLY=\"${E2E_ONLY:-}\" E2E_NIC_DMS=\"${E2E_NIC_DMS:-}\" E2E_NIC_MODELS=\"${E2E_NIC_MODELS:-}\" E2E_USB_DMS=\"${E2E_USB_DMS:-}\""; echo "export E2E_KEEP_SAVE E2E_LINUX E2E_DISK_RUNS E2E_ONLY E2E_NIC_DMS E2E_NIC_MODELS E2E_USB_DMS"; tail -n +2 "${E2E_SCRIPT:-$here/scenarios.sh}"; } >"$share/run.sh"
for c in "$here"/*.cfg; do
	sed 's|^device_model_override = "/share/hvmdm"$|device_model_override = "/usr/libexec/hvmdm/hvmdm"|' "$c" >"$share/$(basename "$c")"
done
cp "$here/../../docs/examples/libvirt-guest.xml" "$share/"
for x in ${E2E_EXTRA:-}; do
	cp "${x%%:*}" "$share/${x##*:}" || { echo "e2e: cannot copy ${x%%:*}"; exit 2; }
done
echo "${E2E_COMPAT:-}" >"$share/compat-releases"
# The disks of the Linux-from-IDE guest (linux-disk.img), of the Linux-on-the-Cirrus guest
# (linux-cirrus.img, mk-linux-disk.sh's cirrus variant), of the USB tablet guest
# (linux-usb.img, its usb variant) and of the ordinary guest (linux-full.img),
# built from the dom0 image's kernel
# (cached per image and script).
if [ "${E2E_LINUX:-1}" != 0 ]; then
	stamp="$(basename "$img") $(sha1sum "$here/mk-linux-disk.sh" | cut -c1-16)"
	mkdir -p "$B/e2e"
	for v in disk cirrus usb full; do
		if [ ! -s "$B/e2e/linux-$v.img" ] || [ "$(cat "$B/e2e/linux-$v.stamp" 2>/dev/null)" != "$stamp" ]; then
			"$here/mk-linux-disk.sh" "$img" "$B/e2e/linux-$v.img" $([ $v != disk ] && echo $v) ||
				{ echo "e2e: could not build the Linux disk (linux-$v.img)"; exit 2; }
			echo "$stamp" >"$B/e2e/linux-$v.stamp"
		fi
		cp "$B/e2e/linux-$v.img" "$share/linux$v.img"
	done
fi
# The whole xl save files of a real qemu-xen-traditional (the trad part), and the
# disk two of them were saved with (their configs name /share/disk.img, which
# is the disk guest's here: the trad part points them at tradlab.img).
for x in "$here"/../streams/xl-save-trad/*.xlsave.xz; do
	xz -dc "$x" >"$share/$(basename "$x" .xz)" || { echo "e2e: cannot unpack $x"; exit 2; }
done
cp "$B/guests/tradlab.img" "$share/tradlab.img" || { echo "e2e: $B/guests/tradlab.img is not built"; exit 2; }
# What the disk guest writes at sectors 200 (DMA) and 201 (PIO): the check's reference.
perl -e 'print pack("C*", map { ($_ ^ 0x5a) & 255 } 0 .. 511), pack("C*", map { ($_ * 7) & 255 } 0 .. 511)' >"$share/disk-expect.bin"
cp "$here/../tools/libxl-emulator-context" "$here/../tools/ppm-check" "$share/"
cp "$B/vnc-tool" "$share/vnc-tool" || { echo "e2e: $B/vnc-tool is not built"; exit 2; }
chmod +x "$share/run.sh" "$share/hvmdm"
echo "e2e: booting Xen under QEMU TCG (image $img, share $share, at most ${timeout_s}s)"
start=$(date +%s)
follow_pid=
if [ -n "${E2E_FOLLOW:-}" ]; then
	touch "$share/out/$E2E_FOLLOW"
	tail -n +1 -s 0.5 -F "$share/out/$E2E_FOLLOW" 2>/dev/null &
	follow_pid=$!
fi
timeout "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -machine pc \
	-cpu qemu64,+svm,+npt,+nrip-save -m 3072 -smp 2 -nographic -no-reboot -monitor none \
	-serial "file:$share/out/console.log" \
	-kernel "$img/xen" \
	-append "console=com1 com1=115200,8n1 dom0_mem=1536M,max:1536M dom0_max_vcpus=2 loglvl=all guest_loglvl=all conring_size=4m" \
	-initrd "$img/vmlinuz root=/dev/vda rw console=hvc0 earlyprintk=xen init=/sbin/e2e-init,$img/initrd.img" \
	-drive "file=$img/dom0.img,if=none,id=d0,format=raw,cache=unsafe,snapshot=on" \
	-device virtio-blk-pci,drive=d0 \
	-virtfs "local,path=$share,mount_tag=share,security_model=none,id=share" -net none \
	</dev/null >"$share/out/qemu.log" 2>&1
rc=$?
if [ -n "$follow_pid" ]; then
	sleep 1
	kill "$follow_pid" 2>/dev/null
	wait "$follow_pid" 2>/dev/null
fi
[ -n "${E2E_COPY_OUT:-}" ] && mkdir -p "$E2E_COPY_OUT" && cp -r "$share/out/." "$E2E_COPY_OUT/"
elapsed=$(( $(date +%s) - start ))
console=$share/out/console.log
pass=0
fail=0
todo=0
if [ -f "$share/out/results" ]; then
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"ok "*) pass=$((pass + 1)) ;;
		"not ok "*"# TODO"*) todo=$((todo + 1)) ;;
		"not ok "*) fail=$((fail + 1)) ;;
		esac
	done <"$share/out/results"
fi
if ! grep -q E2E-DONE "$console" 2>/dev/null; then
	fail=$((fail + 1))
	if [ $rc -eq 124 ]; then echo "not ok - the run did not finish within ${timeout_s}s"
	else echo "not ok - QEMU/Xen stopped before the scenarios finished (exit $rc)"; fi
	grep -E "Panic|panic|BUG|E2E-ERROR|Kernel panic|\(XEN\) \*\*\*" "$console" 2>/dev/null | head -20 | sed 's/^/# /'
	tail -30 "$console" 2>/dev/null | sed 's/^/# /'
	sed 's/^/# qemu: /' "$share/out/qemu.log" | tail -5
fi
grep -q E2E-DOM0-READY "$console" 2>/dev/null && echo "# dom0 ready after $(grep -n E2E-DOM0-READY "$console" | head -1 | cut -d: -f1) console lines"
echo "# logs: $share/out (console.log: Xen and dom0; results; per-scenario logs)"
echo "$pass passed, $fail failed$([ $todo -gt 0 ] && echo ", $todo not built yet (TODO)") in ${elapsed}s"
[ $fail -eq 0 ]
