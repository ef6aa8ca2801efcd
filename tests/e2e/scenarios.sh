#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The e2e scenarios, run by dom0's init from the 9p share. One line per check
# to the console and to /share/out/results; logs in /share/out. Checks of what
# hvmdm cannot do yet are marked "# TODO <issue>" and not counted as failures.
R=/share/out/results
OUT=/share/out
n=0
: >"$R"
say() { echo "$1" | tee -a "$R"; }
ok() { # rc text [todo-reason]
	n=$((n + 1))
	if [ "$1" = 0 ]; then say "ok $n - $2"
	elif [ -n "${3:-}" ]; then say "not ok $n - $2 # TODO $3"
	else say "not ok $n - $2"; fi
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# wait_dmesg DOMNAME TEXT SECONDS: until xl dmesg shows TEXT from that domain's firmware
wait_dmesg() {
	d=$(xl domid "$1" 2>/dev/null) || return 1
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		xl dmesg 2>/dev/null | grep "(d$d)" | grep -q "$2" && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
# hvmloader's PCI routing and BAR lines of a domain, without the domain prefix
pci_lines() {
	grep "(d$1)" "$2" | sed 's/.*(d[0-9]*) //' | grep -E "PCI-ISA link|pci dev .*INT|pci dev .*bar" | sort
}

# ---- 1. the stock device model (QEMU 7.2, qemu-xen): the baseline ----
t0=$(now)
xl create /share/stock.cfg >"$OUT/stock-create.log" 2>&1
rc=$?
t1=$(now)
ok $rc "stock qemu-xen: xl create ($(secs "$t0" "$t1") s)"
wait_dmesg stock "No bootable device" 90
ok $? "stock qemu-xen: hvmloader and SeaBIOS ran to 'No bootable device'"
xl dmesg >"$OUT/stock-dmesg.log" 2>&1
grep -q "Found 1 serial ports" "$OUT/stock-dmesg.log"
ok $? "stock qemu-xen: SeaBIOS found 1 serial port"
t0=$(now)
xl save stock /tmp/stock.save >"$OUT/stock-save.log" 2>&1
rc=$?
t1=$(now)
ok $rc "stock qemu-xen: xl save ($(secs "$t0" "$t1") s)"
# Keep the stock device model's own device state (the EMULATOR_CONTEXT of the
# save file) for the upstream-QEMU reader: a real qemu-xen stream from a real Xen.
[ "${E2E_KEEP_SAVE:-0}" = 1 ] && cp /tmp/stock.save "$OUT/stock.save"
t0=$(now)
xl restore /tmp/stock.save >"$OUT/stock-restore.log" 2>&1
rc=$?
t1=$(now)
ok $rc "stock qemu-xen: xl restore ($(secs "$t0" "$t1") s)"
t0=$(now)
xl destroy stock >"$OUT/stock-destroy.log" 2>&1
rc=$?
t1=$(now)
ok $rc "stock qemu-xen: xl destroy ($(secs "$t0" "$t1") s)"
cp /var/log/xen/qemu-dm-stock.log "$OUT/" 2>/dev/null
rm -f /tmp/stock.save

# ---- 2. hvmdm as the device model ----
t0=$(now)
timeout 120 xl create /share/hvmdm.cfg >"$OUT/hvmdm-create.log" 2>&1
rc=$?
t1=$(now)
ok $rc "hvmdm: xl create with device_model_override ($(secs "$t0" "$t1") s)"
if [ $rc = 0 ]; then
	hd=$(xl domid hvmdm)
	wait_dmesg hvmdm "No bootable device" 90
	ok $? "hvmdm: hvmloader and SeaBIOS ran to 'No bootable device'"
	xl dmesg >"$OUT/hvmdm-dmesg.log" 2>&1
	grep "(d$hd)" "$OUT/hvmdm-dmesg.log" | grep -q "Found 1 serial ports"
	ok $? "hvmdm: SeaBIOS found 1 serial port (our UART answered)"
	sd=$(grep -o "(d[0-9]*) HVM Loader" "$OUT/stock-dmesg.log" | head -1 | grep -o "[0-9]*")
	pci_lines "$sd" "$OUT/stock-dmesg.log" | grep -v "01:1\|bar 20 " >"$OUT/pci-stock"
	pci_lines "$hd" "$OUT/hvmdm-dmesg.log" >"$OUT/pci-hvmdm"
	[ -s "$OUT/pci-hvmdm" ] && cmp -s "$OUT/pci-stock" "$OUT/pci-hvmdm"
	ok $? "hvmdm: hvmloader's PCI routing and BAR lines match the stock device model's (IDE aside)"
	xl pause hvmdm && xl unpause hvmdm >"$OUT/hvmdm-unpause.log" 2>&1
	ok $? "hvmdm: xl pause / xl unpause (QMP cont answered)"
	t0=$(now)
	timeout 120 xl save hvmdm /tmp/hvmdm.save >"$OUT/hvmdm-save.log" 2>&1
	rc=$?
	t1=$(now)
	ok $rc "hvmdm: xl save ($(secs "$t0" "$t1") s)"
	cp /var/log/xen/qemu-dm-hvmdm.log "$OUT/qemu-dm-hvmdm-1.log" 2>/dev/null
	t0=$(now)
	timeout 120 xl restore /tmp/hvmdm.save >"$OUT/hvmdm-restore.log" 2>&1
	rc=$?
	t1=$(now)
	ok $rc "hvmdm: xl restore, hvmdm started with -incoming ($(secs "$t0" "$t1") s)"
	grep -q "restored the device state" /var/log/xen/qemu-dm-hvmdm.log 2>/dev/null
	ok $? "hvmdm: the restored hvmdm loaded the saved device state"
	pid=$(xenstore-read "/local/domain/$(xl domid hvmdm 2>/dev/null)/image/device-model-pid" 2>/dev/null)
	t0=$(now)
	xl destroy hvmdm >"$OUT/hvmdm-destroy.log" 2>&1
	rc=$?
	t1=$(now)
	ok $rc "hvmdm: xl destroy ($(secs "$t0" "$t1") s)"
	sleep 1
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
	ok $? "hvmdm: the device model process is gone after destroy (SIGHUP)"
	! xenstore-ls /local/domain/0/device-model 2>/dev/null | grep -q .
	ok $? "hvmdm: no device-model keys left in xenstore"
else
	xl destroy hvmdm >/dev/null 2>&1
fi
cp /var/log/xen/qemu-dm-hvmdm*.log "$OUT/" 2>/dev/null
rm -f /tmp/hvmdm.save
# ---- 3. a guest that prints through our UART, saved mid-count, powering off through ACPI ----
# wait_file FILE TEXT SECONDS
wait_file() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 1
}
S=/var/log/xen/count-serial.log
timeout 120 xl create /share/count.cfg >"$OUT/count-create.log" 2>&1
rc=$?
ok $rc "count guest: xl create, option ROM passed with device_model_args_hvm"
if [ $rc = 0 ]; then
	wait_file "$S" "count 12" 90
	ok $? "count guest: SeaBIOS ran the ROM from hvmdm's fw_cfg; it counts through our UART into the serial file"
	timeout 120 xl save count /tmp/count.save >"$OUT/count-save.log" 2>&1
	rc=$?
	cp "$S" "$OUT/count-serial-1.log"
	ok $rc "count guest: xl save mid-count"
	timeout 120 xl restore /tmp/count.save >"$OUT/count-restore.log" 2>&1
	ok $? "count guest: xl restore"
	i=0
	while xl domid count >/dev/null 2>&1 && [ $i -lt 900 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	cp "$S" "$OUT/count-serial-2.log"
	cp /var/log/xen/qemu-dm-count.log "$OUT/" 2>/dev/null
	! xl domid count >/dev/null 2>&1
	ok $? "count guest: its ACPI S5 (PM1a_CNT) ended the domain, as on_poweroff says"
	nums=$(cat "$OUT/count-serial-1.log" "$OUT/count-serial-2.log" | grep -o "count [0-9][0-9]*" | grep -o "[0-9]*" | tr '\n' ' ')
	[ "$nums" = "$(seq 1 30 | tr '\n' ' ')" ] && grep -q "count done" "$OUT/count-serial-2.log"
	ok $? "count guest: 1-30 across the save and restore, none twice or missing, then 'count done'"
fi
xl destroy count >/dev/null 2>&1
rm -f /tmp/count.save

# ---- 4. a reset through 0xcf9 is a domain reboot ----
S=/var/log/xen/reboot-serial.log
timeout 120 xl create /share/reboot.cfg >"$OUT/reboot-create.log" 2>&1
rc=$?
if [ $rc = 0 ]; then
	d1=$(xl domid reboot)
	wait_file "$S" "reset through 0xcf9" 90
	rc=$?
	cp "$S" "$OUT/reboot-serial-1.log" 2>/dev/null
	d2=$d1
	i=0
	while [ $rc = 0 ] && [ "$d2" = "$d1" -o -z "$d2" ] && [ $i -lt 900 ]; do
		i=$((i + 1))
		sleep 0.1
		d2=$(xl domid reboot 2>/dev/null)
	done
	[ $rc = 0 ] && [ -n "$d2" ] && [ "$d2" != "$d1" ]
	rc=$?
	[ $rc = 0 ] && wait_file "$S" "reset through 0xcf9" 90
	rc=$?
	cp "$S" "$OUT/reboot-serial-2.log" 2>/dev/null
	cp /var/log/xen/qemu-dm-reboot.log "$OUT/" 2>/dev/null
fi
ok $rc "reboot guest: its reset through 0xcf9 rebooted the domain (domain $d1, then $d2 with a new hvmdm, whose guest ran again)"
xl destroy reboot >/dev/null 2>&1

# ---- 5. direct kernel boot (kernel=, ramdisk=, cmdline=) through hvmdm's fw_cfg ----
# wait_gone DOMNAME SECONDS: until the domain no longer exists
wait_gone() {
	i=0
	while xl domid "$1" >/dev/null 2>&1 && [ $i -lt $(($2 * 10)) ]; do
		i=$((i + 1))
		sleep 0.1
	done
	! xl domid "$1" >/dev/null 2>&1
}
S=/var/log/xen/linux-serial.log
timeout 120 xl create /share/linux.cfg >"$OUT/linux-create.log" 2>&1
rc=$?
[ $rc = 0 ] && wait_gone linux 90
rc=$?
cp "$S" "$OUT/linux-serial.log" 2>/dev/null
cp /var/log/xen/qemu-dm-linux.log "$OUT/" 2>/dev/null
[ $rc = 0 ] && grep -q "hvmdm linux: cmdline: console=ttyS0 hvmdm=xen" "$S" &&
	grep -q "header patched by the loader" "$S" && grep -q "protected-mode kernel at 1 MiB" "$S" &&
	grep -q "initrd at ramdisk_image, 4096 bytes" "$S"
ok $? "direct kernel boot: libxl's -kernel/-initrd/-append reached the guest through hvmdm's fw_cfg (header, command line, kernel, initrd checked by the stand-in kernel, which then powered off)"
xl destroy linux >/dev/null 2>&1

# ---- 6. a real Linux HVM guest: dom0's Debian kernel with a busybox initramfs ----
# The initramfs is dom0's busybox and the libraries it needs; its init lists the
# PCI functions and ACPI tables, counts on the serial console and powers off (ACPI S5).
mk_initramfs() {
	r=/tmp/linux-root
	rm -rf "$r" && mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" || return 1
	cp /bin/busybox "$r/bin/busybox" || return 1
	for l in $(ldd /bin/busybox | grep -o "/[^ ]*"); do
		mkdir -p "$r$(dirname "$l")" && cp -L "$l" "$r$l" || return 1
	done
	cat >"$r/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "linux guest: up"
for d in /sys/bus/pci/devices/*; do
	echo "linux pci ${d##*/} $(/bin/busybox cat $d/vendor):$(/bin/busybox cat $d/device) $(/bin/busybox cat $d/class)"
done
echo "linux acpi tables: $(/bin/busybox ls /sys/firmware/acpi/tables | /bin/busybox tr '\n' ' ')"
i=1
while [ $i -le 12 ]; do
	echo "linux count $i"
	/bin/busybox sleep 1
	i=$((i + 1))
done
echo "linux guest: powering off"
/bin/busybox poweroff -f
INIT
	chmod +x "$r/init"
	(cd "$r" && find . | { cpio -o -H newc 2>/dev/null || /bin/busybox cpio -o -H newc; } | gzip -1) >/tmp/linux-initrd.gz
	[ -s /tmp/linux-initrd.gz ]
}
K=$(ls /boot/vmlinuz-* 2>/dev/null | head -1)
# linux_guest LABEL WHAT: boot the guest with the stock DM (LABEL stock) or hvmdm, save and
# restore it mid-count, let it power off. Sets lg_boot, lg_saved, lg_gone; logs in $OUT/LABEL-*.
linux_guest() {
	S=/var/log/xen/$1-serial.log
	sed -e "s/^name = .*/name = \"$1\"/" -e 's/^memory = .*/memory = 192/' \
		-e "s|^kernel = .*|kernel = \"$K\"|" -e 's|^ramdisk = .*|ramdisk = "/tmp/linux-initrd.gz"|' \
		-e 's|^cmdline = .*|cmdline = "console=ttyS0 quiet panic=-1"|' \
		-e "s|^serial = .*|serial = \"file:$S\"|" /share/linux.cfg >"/tmp/$1.cfg"
	[ "$1" = stock-linux ] && sed -i '/^device_model_override/d' "/tmp/$1.cfg"
	t0=$(now)
	timeout 120 xl create "/tmp/$1.cfg" >"$OUT/$1-create.log" 2>&1 && wait_file "$S" "linux count 3" 240
	lg_boot=$?
	lg_secs=$(secs "$t0" "$(now)")
	lg_saved=1
	lg_gone=1
	if [ $lg_boot = 0 ]; then
		timeout 120 xl save "$1" "/tmp/$1.save" >"$OUT/$1-save.log" 2>&1 &&
			cp "$S" "$OUT/$1-serial-1.log" &&
			timeout 120 xl restore "/tmp/$1.save" >"$OUT/$1-restore.log" 2>&1
		lg_saved=$?
		wait_gone "$1" 180
		lg_gone=$?
		cp "$S" "$OUT/$1-serial-2.log" 2>/dev/null
	fi
	cp "$S" "$OUT/$1-serial-last.log" 2>/dev/null
	cp "/var/log/xen/qemu-dm-$1.log" "$OUT/" 2>/dev/null
	xl destroy "$1" >/dev/null 2>&1
	rm -f "/tmp/$1.save"
}
if [ "${E2E_LINUX:-1}" = 0 ]; then
	echo "# the Linux guest scenarios are skipped (E2E_LINUX=0)"
	rc=skip
else
	mk_initramfs >"$OUT/linux-initramfs.log" 2>&1
	rc=$?
fi
if [ "$rc" = skip ]; then
	:
elif [ $rc = 0 ] && [ -n "$K" ]; then
	linux_guest stock-linux
	ok $lg_boot "stock qemu-xen: the Linux guest booted ($lg_secs s)"
	stock_pci=$(grep -h "linux pci" "$OUT/stock-linux-serial-1.log" 2>/dev/null | grep -v " 0000:00:01.1 " | sort)
	stock_acpi=$(grep -h "linux acpi tables" "$OUT/stock-linux-serial-1.log" 2>/dev/null)
	stock_err=$(grep -h "failed to restore" "$OUT/stock-linux-serial-2.log" 2>/dev/null | sed 's/^\[[ 0-9.]*\] //' | sort -u)
	linux_guest linuxreal
	ok $lg_boot "Linux guest: Debian's kernel booted directly on hvmdm to its busybox init, counting on our UART ($lg_secs s)"
	if [ $lg_boot = 0 ]; then
		grep "linux pci" "$OUT/linuxreal-serial-1.log" | sort >"$OUT/linuxreal-pci.txt"
		[ -n "$stock_pci" ] && [ "$(cat "$OUT/linuxreal-pci.txt")" = "$stock_pci" ] &&
			[ "$(grep -h "linux acpi tables" "$OUT/linuxreal-serial-1.log")" = "$stock_acpi" ] &&
			grep -q "linux acpi tables:.*FACP" "$OUT/linuxreal-serial-1.log"
		ok $? "Linux guest: the same PCI functions (vendor:device, class) and ACPI tables as under the stock device model (IDE aside)"
		ok $lg_saved "Linux guest: xl save and xl restore mid-count"
		nums=$(cat "$OUT/linuxreal-serial-1.log" "$OUT/linuxreal-serial-2.log" | grep -o "linux count [0-9]*" | grep -o "[0-9]*$" | tr '\n' ' ')
		[ $lg_gone = 0 ] && [ "$nums" = "$(seq 1 12 | tr '\n' ' ')" ]
		ok $? "Linux guest: counted 1-12 across the save and restore, then powered off through ACPI S5 and the domain went away"
		hvm_err=$(grep -h "failed to restore" "$OUT/linuxreal-serial-2.log" 2>/dev/null | sed 's/^\[[ 0-9.]*\] //' | sort -u)
		[ "$hvm_err" = "$stock_err" ]
		ok $? "Linux guest: its resume after xl restore reports the same device errors as with the stock DM (${hvm_err:-none})"
	fi
else
	ok 1 "Linux guest: could not build the initramfs from dom0's busybox (see linux-initramfs.log)"
fi

xl list >"$OUT/xl-list-end.log" 2>&1
[ "$(xl list 2>/dev/null | wc -l)" = 2 ]
ok $? "no domain left but dom0"
