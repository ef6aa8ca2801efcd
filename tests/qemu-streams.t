#!/usr/bin/env bash
# Upstream QEMU device state made here, from known register values: QEMU 7.2
# (Debian's qemu-system-x86_64, under TCG, as in reference/samples) runs the
# setregs guest (firmware/guests/setregs.asm), which programs PIRQ routes, the
# reset control register, PM1 enable/control, APM status, GPE0 enables and the
# UART; QMP xen-save-devices-state saves it, with Xen's framing and with
# section footers; hvmdm-stream must decode exactly what the guest wrote.
# Prints TAP for prove.
set -u
tool=${HVMDM_STREAM:-build/asan/hvmdm-stream}
rom=build/guests/setregs.rom
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	$( [ "$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq qemu-system-x86 >/dev/null 2>&1
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed and could not be"
	exit 0
fi
if [ ! -f "$rom" ]; then
	echo "Bail out! $rom is not built (make guests)"
	exit 1
fi
echo "1..17"
work=$(mktemp -d)
trap 'pkill -f "$work/qmp" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
n=0
# qemu_args MACHINE_OPTS FOOTERS: QEMU 7.2 under TCG with the migration settings
# of Xen's machine, and the setregs guest, into the array qa.
qemu_args() {
	qa=(-machine "pc-i440fx-3.1,accel=tcg,suppress-vmdesc=on$1" -nodefaults -m 64 -display none
		-global migration.store-global-state=off -global migration.send-configuration=off
		-global migration.send-section-footer="$2" -global PIIX4_PM.acpi-pci-hotplug-with-bridge-support=off
		-option-rom "$rom")
}
# qemu_save DIR OUT MACHINE_OPTS FOOTERS [ARG...]: run the setregs guest until it
# says it is done, then save its devices with xen-save-devices-state into OUT
# (QEMU's stderr and the QMP log stay in DIR).
qemu_save() {
	local d=$1 out=$2 pid
	qemu_args "$3" "$4"
	shift 4
	timeout 120 qemu-system-x86_64 "${qa[@]}" "$@" -serial "file:$d/serial.log" \
		-qmp "unix:$d/qmp.sock,server=on,wait=off" 2>"$d/qemu.err" &
	pid=$!
	for _ in $(seq 1 300); do
		grep -q "setregs: done" "$d/serial.log" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	perl tests/tools/qmp-client "$d/qmp.sock" stop xen-save-devices-state \
		"{\"filename\":\"$out\",\"live\":false}" quit >"$d/qmp.log" 2>&1
	wait $pid
}
for footers in off on; do
	d="$work/$footers"
	mkdir -p "$d"
	qemu_save "$d" "$d/state.bin" "" "$footers"
	n=$((n + 1))
	if [ -s "$d/state.bin" ]; then echo "ok $n - QEMU 7.2 saved the setregs guest's device state (footers $footers)"
	else echo "not ok $n - QEMU did not save (footers $footers)"; sed 's/^/# /' "$d/qemu.err" "$d/qmp.log"; fi
	"$tool" inspect --json "$d/state.bin" >"$d/inspect.json" 2>&1
	perl -MJSON::PP -e '
		my $d = decode_json(do { local $/; <STDIN> });
		die "refused: $d->{error}\n" if $d->{error};
		my $s = $d->{state};
		my %want = (
			"PIRQ routes" => [join(",", @{$s->{piix3}{pirq_routes}}), "11,10,5,15"],
			"RCR" => [$s->{piix3}{rcr}, 2],
			"PM1a_EN" => [$s->{piix4_pm}{pm1_en}, 0x100],
			"PM1a_CNT" => [$s->{piix4_pm}{pm1_cnt}, 1],
			"APM status" => [$s->{piix4_pm}{apm_sts}, 0x42],
			"GPE0 enables" => [$s->{piix4_pm}{gpe_en}, "02800000"],
			"PM base (SeaBIOS)" => [$s->{piix4_pm}{pm_base}, 0x600],
			"UART LCR" => [$s->{serial}[0]{lcr}, 3],
			"UART SCR" => [$s->{serial}[0]{scr}, 0x5a],
			"profile" => [$d->{profile}, "xenfv"],
		);
		my @bad = grep { $want{$_}[0] ne $want{$_}[1] } sort keys %want;
		die join("", map { "$_: decoded $want{$_}[0], the guest wrote $want{$_}[1]\n" } @bad) if @bad;
	' <"$d/inspect.json" >"$d/check.log" 2>&1
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ]; then echo "ok $n - hvmdm decodes the values the guest wrote (routes, RCR subsection, PM1, APM, GPE0, UART; footers $footers)"
	else echo "not ok $n - decoded values differ (footers $footers)"; sed 's/^/# /' "$d/check.log"; fi
done

# The standard VGA (qemu-xen's vga="stdvga", at 00:03.0 where the xenfv
# machine has it): the same guest sets a DAC colour and a VBE mode, QEMU 7.2
# saves its 0000:00:03.0/vga section, and hvmdm must decode exactly that --
# and, since the card's VRAM is the guest's under Xen, place it at BAR0.
d="$work/vga"
mkdir -p "$d"
qemu_save "$d" "$d/state.bin" ",vmport=off" off -device VGA,addr=03.0,vgamem_mb=16
n=$((n + 1))
if [ -s "$d/state.bin" ]; then echo "ok $n - QEMU 7.2 saved the guest's device state with a standard VGA"
else echo "not ok $n - QEMU did not save (VGA)"; sed 's/^/# /' "$d/qemu.err" "$d/qmp.log"; fi
"$tool" inspect --json "$d/state.bin" >"$d/inspect.json" 2>&1
perl -MJSON::PP -e '
	my $d = decode_json(do { local $/; <STDIN> });
	die "refused: $d->{error}\n" if $d->{error};
	my $v = $d->{state}{vga} or die "no vga in the decoded state\n";
	my $pci = $v->{pci}{config};
	my $bar0 = hex(join("", reverse(substr($pci, 0x10 * 2, 8) =~ /(..)/g))) & ~0xf;
	my %want = (
		"DAC colour 7" => [substr($v->{palette}, 7 * 6, 6), "3f2001"],
		"VBE xres" => [$v->{vbe}{xres}, 800], "VBE yres" => [$v->{vbe}{yres}, 600],
		"VBE bpp" => [$v->{vbe}{bpp}, 32], "VBE enable" => [$v->{vbe}{enable}, 0x41],
		"VBE bank" => [$v->{vbe}{bank}, 3], "bank offset" => [$v->{bank_offset}, 0x30000],
		"VBE line length" => [$v->{vbe}{line_offset}, 3200],
		"mode" => [$v->{mode}, "vbe"], "VRAM size" => [$v->{vram_size}, 16 << 20],
		"VRAM at BAR0" => [hex($v->{vram_gpa}), $bar0],
	);
	my @bad = grep { $want{$_}[0] ne $want{$_}[1] } sort keys %want;
	die join("", map { "$_: decoded $want{$_}[0], the guest wrote $want{$_}[1]\n" } @bad) if @bad;
	die "BAR0 was never placed\n" unless $bar0;
' <"$d/inspect.json" >"$d/check.log" 2>&1
rc=$?
n=$((n + 1))
if [ $rc -eq 0 ]; then echo "ok $n - hvmdm decodes QEMU 7.2's vga section: the DAC colour, the VBE mode and bank, VRAM at BAR0"
else echo "not ok $n - decoded VGA state differs"; sed 's/^/# /' "$d/check.log" "$d/inspect.json" | head -40; fi
# hvmdm writes it back as its own and reads its own again to the same state.
"$tool" convert "$d/state.bin" "$d/native.hvmdm" >"$d/convert.log" 2>&1 &&
	"$tool" inspect --json "$d/native.hvmdm" >"$d/native.json" 2>&1 &&
	perl -MJSON::PP -e '
		my ($a, $b) = map { local $/; open(my $f, "<", $_) or die; decode_json(<$f>) } @ARGV;
		my $j = JSON::PP->new->canonical;
		die "vga differs after conversion\n" if $j->encode($a->{state}{vga}) ne $j->encode($b->{state}{vga});
	' "$d/inspect.json" "$d/native.json" >"$d/roundtrip.log" 2>&1
rc=$?
n=$((n + 1))
if [ $rc -eq 0 ]; then echo "ok $n - converted to hvmdm's own record, the VGA state reads back the same"
else echo "not ok $n - conversion changed the VGA state"; cat "$d/convert.log" "$d/roundtrip.log" 2>/dev/null | sed 's/^/# /'; fi

# And back: hvmdm writes upstream QEMU's stream (hvmdm-stream convert --to
# qemu) and QEMU 7.2 itself loads it (-incoming, as xl restore starts the
# stock device model), then saves it again with xen-save-devices-state: the
# state hvmdm decodes from QEMU's save is the state it wrote. The CMOS time
# bytes are left out (QEMU's own RTC runs under TCG; under Xen it is Xen's).
# through_qemu DIR SAVED WHAT MACHINE_OPTS [ARG...]: three TAP lines.
through_qemu() {
	local d=$1 saved=$2 what=$3 opts=$4 pid rc
	shift 4
	"$tool" convert --to qemu "$saved" "$d/hvmdm-wrote.bin" >"$d/convert.log" 2>&1
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ]; then echo "ok $n - hvmdm-stream convert --to qemu writes QEMU's stream ($what)"
	else echo "not ok $n - convert --to qemu failed (exit $rc, $what)"; sed 's/^/# /' "$d/convert.log"; fi
	qemu_args "$opts" off
	timeout 120 qemu-system-x86_64 "${qa[@]}" "$@" -S -incoming "exec:cat $d/hvmdm-wrote.bin" \
		-serial "file:$d/serial2.log" -qmp "unix:$d/qmp2.sock,server=on,wait=off" 2>"$d/qemu2.err" &
	pid=$!
	for _ in $(seq 1 100); do
		[ -S "$d/qmp2.sock" ] && break
		sleep 0.1
	done
	perl tests/tools/qmp-client "$d/qmp2.sock" query-migrate xen-save-devices-state \
		"{\"filename\":\"$d/resaved.bin\",\"live\":false}" quit >"$d/qmp2.log" 2>&1
	wait $pid
	n=$((n + 1))
	if grep -q '"status":"completed"' "$d/qmp2.log" && [ -s "$d/resaved.bin" ]; then
		echo "ok $n - QEMU 7.2 loads the stream hvmdm wrote (-incoming) and saves its devices again ($what)"
	else
		echo "not ok $n - QEMU did not load hvmdm's stream ($what)"; sed 's/^/# /' "$d/qmp2.log" "$d/qemu2.err"
	fi
	"$tool" inspect --json "$saved" >"$d/saved.json" 2>&1
	"$tool" inspect --json "$d/resaved.bin" >"$d/resaved.json" 2>&1
	perl -MJSON::PP -e '
		my ($a, $b) = map { local $/; open(my $f, "<", $_) or die "$_: $!\n"; decode_json(<$f>) } @ARGV;
		die "refused: $b->{error}\n" if $b->{error};
		my $j = JSON::PP->new->canonical;
		my @bad;
		for my $s ($a->{state}, $b->{state}) { substr($s->{mc146818}{cmos}, 0, 20) = "" if $s->{mc146818} }
		for my $k (sort keys %{$a->{state}}) {
			push @bad, $k if $j->encode($a->{state}{$k}) ne $j->encode($b->{state}{$k} // {});
		}
		die "differs after the trip through QEMU: @bad\n" if @bad;
		die "no state compared\n" unless keys %{$a->{state}} > 5;
	' "$d/saved.json" "$d/resaved.json" >"$d/compare.log" 2>&1
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ]; then echo "ok $n - what QEMU saves after loading hvmdm's stream decodes to the state hvmdm wrote ($what)"
	else echo "not ok $n - the state changed on its way through QEMU ($what)"; sed 's/^/# /' "$d/compare.log"; fi
}
d="$work/back"
mkdir -p "$d"
qemu_save "$d" "$d/saved.bin" ",vmport=off" off
through_qemu "$d" "$d/saved.bin" "chipset, PM, UART, i8042, IDE, CMOS but its time bytes" ",vmport=off"
# The VGA machine without a platform device is libxl's pc,accel=xen, whose
# card QEMU places at 00:02.0 (the saving QEMU had it at 03.0 by addr=).
d="$work/vga-back"
mkdir -p "$d"
through_qemu "$d" "$work/vga/state.bin" "the standard VGA in a VBE mode" ",vmport=off" \
	-device VGA,vgamem_mb=16
# An ordinary guest's devices: Cirrus, both NIC models, the UHCI with a
# tablet, a keyboard and a mouse (the third makes QEMU plug its hub).
d="$work/wave2"
mkdir -p "$d"
wave2=(-device cirrus-vga,vgamem_mb=8 -device rtl8139,romfile= -device e1000,romfile=
	-usb -device usb-tablet -device usb-kbd -device usb-mouse)
qemu_save "$d" "$d/saved.bin" ",vmport=off" off "${wave2[@]}"
n=$((n + 1))
if [ -s "$d/saved.bin" ]; then echo "ok $n - QEMU 7.2 saved a guest with Cirrus, RTL8139, e1000 and three USB devices"
else echo "not ok $n - QEMU did not save (Cirrus, NICs, USB)"; sed 's/^/# /' "$d/qemu.err" "$d/qmp.log"; fi
through_qemu "$d" "$d/saved.bin" "Cirrus, RTL8139, e1000, UHCI, tablet, keyboard, mouse, hub" ",vmport=off" "${wave2[@]}"
