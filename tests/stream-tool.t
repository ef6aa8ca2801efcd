#!/usr/bin/env bash
# hvmdm-stream as a user runs it: verify/inspect the corpus, refuse a corrupt
# stream, and the schema check — which must pass on the committed history and
# fail on every kind of tampering with it. Prints TAP for prove.
set -u
tool=${HVMDM_STREAM:-build/asan/hvmdm-stream}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }

echo "1..22"
all=0
for f in tests/streams/*/*.hvmdm; do
	"$tool" verify "$f" >/dev/null 2>"$work/err" || { all=1; sed 's/^/# /' "$work/err"; }
done
ok $all "verify accepts every corpus file"

# Files a real qemu-xen-traditional saved under real Xen: each verifies, the
# devices hvmdm lacks named as such, and inspect says which machine and drives.
all=0
for f in tests/streams/qemu-trad-real/*.qevm; do
	"$tool" verify "$f" >"$work/out" 2>"$work/err" || { all=1; sed 's/^/# /' "$work/err"; }
	! grep -q "not emulated" "$work/out" || all=1
	case "$f" in
	*tradnic*) "$tool" inspect --json "$f" | perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> });
		my $n = $d->{state}{rtl8139}[0]; exit !($n && $n->{devfn} == 0x20 && $n->{phys} eq "00163e000002")' || all=1 ;;
	esac
done
ok $all "verify accepts every real qemu-xen-traditional file with nothing left unemulated (the Cirrus and the rtl8139 decode: the NIC at 00:04.0 with the vif's MAC)"
"$tool" inspect --json tests/streams/qemu-trad-real/traddisk.qevm >"$work/j"
perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> });
	exit !($d->{profile} eq "xenfv-trad" && $d->{state}{ide}{drives}[0]{kind} eq "disk"
	       && $d->{state}{ide}{drives}[1]{kind} eq "none" && $d->{state}{i440fx}{config} =~ /^.{88}f41a0011/)' <"$work/j"
ok $? "inspect shows the traditional guest's IDE disk (from its IDENTIFY data) and the producer's subsystem IDs"
"$tool" inspect --json tests/streams/qemu-trad-real/tradcirrus.qevm >"$work/j"
perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> }); my $c = $d->{state}{cirrus_vga};
	exit !($c && substr($c->{sr}, 12, 2) eq "12" && substr($c->{cr}, 0x27 * 2, 2) eq "b8"
	       && $c->{vram_gpa} eq "0xf0000000" && $c->{vram_size} == 4194304 && $c->{mode} eq "text")' <"$work/j"
ok $? "inspect shows the traditional guest's Cirrus: extensions unlocked (SR06 0x12), part ID 0xb8, its 4 MiB of VRAM frames at the LFB"

"$tool" verify tests/streams/0.1.0/xenserver-6.0-6.2-piix4acpi-v2-with-v1-content.hvmdm | grep -q "erratum xs-6.0-6.2-piix4acpi"
ok $? "verify reports the XenServer erratum shim"

"$tool" inspect --json tests/streams/0.1.0/xenfv.hvmdm >"$work/j"
grep -q '"pirq_routes"' "$work/j" && grep -q '"idstr": "piix4acpi"' "$work/j" && grep -q '"offset"' "$work/j"
ok $? "inspect --json lists records with offsets and the decoded state"

"$tool" inspect tests/streams/0.1.0/xenfv-trad.hvmdm | grep -q "pci_devfn"
ok $? "inspect prints a record table"

cp tests/streams/0.1.0/xenfv.hvmdm "$work/bad.hvmdm"
printf '\x42' | dd of="$work/bad.hvmdm" bs=1 seek=700 conv=notrunc status=none
"$tool" verify "$work/bad.hvmdm" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 1 ] && grep -q "byte" "$work/err"
ok $? "verify refuses a corrupted stream with exit 1 and the byte offset"

"$tool" verify /nonexistent >/dev/null 2>&1; [ $? -eq 2 ]
ok $? "a missing file is exit 2"

"$tool" convert tests/streams/0.1.0/trad-serial-v2.hvmdm "$work/conv.hvmdm" >/dev/null &&
	"$tool" verify "$work/conv.hvmdm" >/dev/null &&
	"$tool" convert --to upstream-qemu a b >/dev/null 2>&1; [ $? -eq 2 ]
ok $? "convert writes a native stream that verifies; --to a format that does not exist is a usage error (exit 2)"

# Back to qemu-xen-traditional: the decoded state survives the trip; what the layout cannot hold is refused.
t=tests/streams/qemu-trad/trad-f3-piix4acpi-v2.qevm
"$tool" convert --to qemu-trad "$t" "$work/back.qevm" >/dev/null &&
	"$tool" inspect --json "$t" | perl -MJSON::PP -e 'print JSON::PP->new->canonical->encode(decode_json(do { local $/; <STDIN> })->{state})' >"$work/s-orig" &&
	"$tool" inspect --json "$work/back.qevm" | perl -MJSON::PP -e 'print JSON::PP->new->canonical->encode(decode_json(do { local $/; <STDIN> })->{state})' >"$work/s-back" &&
	cmp -s "$work/s-orig" "$work/s-back" &&
	! "$tool" convert --to qemu-trad tests/streams/0.1.0/xenfv.hvmdm "$work/x.qevm" 2>"$work/err" &&
	grep -q "whose machine is xenfv-trad" "$work/err" &&
	! "$tool" convert --to qemu-trad tests/streams/0.1.0/xenfv-trad.hvmdm "$work/x.qevm" 2>"$work/err" &&
	grep -q "one received byte" "$work/err" && [ ! -e "$work/x.qevm" ]
ok $? "convert --to qemu-trad round-trips a traditional file and refuses state the traditional layouts cannot hold"

"$tool" schema --check state/schema.txt >/dev/null
ok $? "the registry matches the committed schema history"

"$tool" schema | diff -q - state/schema.txt >/dev/null
ok $? "state/schema.txt is the registry as this build prints it"

# Tampering: each must be caught.
sed 's/^\(I440FX\t4\t.*\)config\[256\], u8 intx_levels$/\1config[256], le32 intx_levels/' state/schema.txt >"$work/s1"
! cmp -s "$work/s1" state/schema.txt && ! "$tool" schema --check "$work/s1" >"$work/o" && grep -q "layout changed" "$work/o"
ok $? "a changed layout under an existing number fails the check"

awk -F'\t' 'BEGIN{OFS="\t"} $1=="serial" && $2==4 {$5="deadbeef"} {print}' state/schema.txt >"$work/s2"
! "$tool" schema --check "$work/s2" >"$work/o" && grep -q "encoding changed" "$work/o"
ok $? "a changed encoding (fingerprint) fails the check"

printf 'gpe\t7\taccepted\t0\t00000000\tfuture\tsomething\n' | cat state/schema.txt - >"$work/s3"
! "$tool" schema --check "$work/s3" >"$work/o" && grep -q "disappeared" "$work/o"
ok $? "a committed number missing from the registry fails the check"

awk -F'\t' 'BEGIN{OFS="\t"} $1=="fw_cfg" && $2==2 {$3="accepted"} {print}' state/schema.txt >"$work/s4"
! "$tool" schema --check "$work/s4" >"$work/o" && grep -q "no decoder" "$work/o"
ok $? "a committed decoder that went away fails the check"

printf 'timer\t9\treserved\t0\t00000000\tsomeone\tx\n' | cat state/schema.txt - >"$work/s5"
! "$tool" schema --check "$work/s5" >"$work/o" && grep -q "below the highest committed number" "$work/o"
ok $? "writing a number below a committed one fails the check"

# The real qemu-xen stream from a real Xen (tests/streams/qemu-xen): read, shown, converted.
cap=tests/streams/qemu-xen/xen-4.17-qemu-7.2-xenfv.bin
"$tool" verify "$cap" >"$work/o" 2>&1 && grep -q "ok (11 records)" "$work/o" &&
	! grep -q "not emulated" "$work/o"
ok $? "verify reads the upstream QEMU (qemu-xen) capture, IDE included: nothing a restore would refuse"

"$tool" inspect --json "$cap" >"$work/o" &&
	perl -MJSON::PP -e '
		my $d = decode_json(do { local $/; <STDIN> });
		my $s = $d->{state};
		exit !($d->{profile} eq "xenfv"
			&& join(",", @{$s->{piix3}{pirq_routes}}) eq "5,10,11,5"
			&& $s->{piix4_pm}{pm1_cnt} == 1 && $s->{piix4_pm}{pm_base} == 0xb000
			&& $s->{i440fx}{config} =~ /^86803712/
			&& $s->{xen_platform}{pci}{config} =~ /^53580100/
			&& $s->{clock_ns} eq "0x16bc9e27e"
			&& !@{$d->{not_emulated} // []}
			&& $s->{ide}{pci}{config} =~ /^868010700500800200800101000000000000000000000000000000000000000001c1/
			&& $s->{ide}{drives}[0]{kind} eq "none"
			&& $s->{mc146818}{index} == 0x0f
			&& join(",", map { $_->{idstr} } @{$d->{records}}) eq
				"timer,I440FX,PIIX3,mc146818rtc,serial,ps2kbd,ps2mouse,pckbd,ide,piix4_pm,platform");
	' <"$work/o"
ok $? "inspect shows the capture's PCI config spaces (IDE: I/O and bus master on, BMIBA 0xc100), PIRQ routes, PM registers, timer offset and CMOS NVRAM (index 0x0f, as Xen forwarded SeaBIOS's write)"

"$tool" convert "$cap" "$work/cap.hvmdm" >"$work/o" 2>&1 && "$tool" verify "$work/cap.hvmdm" >"$work/o2" 2>&1
ok $? "convert turns the capture into a native stream that verifies"

all=0
for f in tests/streams/qemu-7.2-tcg/*.bin; do
	"$tool" inspect "$f" >"$work/o" 2>&1 && grep -q "machine xenfv" "$work/o" &&
		grep -q "cirrus_vga .*version 2 .*accepted" "$work/o" && grep -q "piix4_pm" "$work/o" || { echo "# $f"; all=1; }
done
ok $all "both QEMU 7.2 TCG samples (with and without section footers) are read and inspected, their Cirrus (00:02.0 on pc,accel=xen) decoded"
exit $((fails > 0))
