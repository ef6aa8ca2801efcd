#!/usr/bin/env bash
# Whole `xl save` files in hvmdm-stream: the four files a real
# qemu-xen-traditional wrote under real Xen 4.17 (tests/streams/xl-save-trad),
# inspected and turned into rescue configs; files made from them with other
# device models' state; and truncated, flipped and reordered files, each
# refused naming the byte. Prints TAP for prove.
set -u
tool=${HVMDM_STREAM:-build/asan/hvmdm-stream}
xt=tests/tools/xlsave-tool
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
show() { sed 's/^/# /' "$@" | head -n 40; }

echo "1..18"
for g in tradnovga tradcirrus traddisk tradnic; do
	xz -dc "tests/streams/xl-save-trad/$g.xlsave.xz" >"$work/$g.xlsave"
done

# inspect: xl header and config, both streams summarised, the blob decoded, the verdict.
all=0
for g in tradnovga tradcirrus traddisk tradnic; do
	"$tool" inspect --json "$work/$g.xlsave" >"$work/$g.json" 2>"$work/err" || { all=1; show "$work/err"; }
	G=$g perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> });
		my ($x, $e, $r) = ($d->{xl}, $d->{emulator}, $d->{restore});
		exit !($d->{config}{c_info}{name} eq $ENV{G} && $x->{libxl}{version} == 2
		       && $x->{libxc}{xen_major} == 4 && $x->{libxc}{xen_minor} == 17 && $x->{libxc}{pages} > 16000
		       && $x->{libxc}{hvm_params}{ACPI_IOPORTS_LOCATION} == 1
		       && join(",", map { $_->{type} } @{$x->{libxl}{records}}) eq "LIBXC_CONTEXT,EMULATOR_CONTEXT,END"
		       && $e->{id} == 1 && $e->{id_name} eq "qemu-xen-traditional" && $e->{profile} eq "xenfv-trad"
		       && !@{$e->{not_emulated}} && $r->{on_hvmdm}
		       && grep { /qemu-xen-traditional/ } @{$r->{config_needs_replacing}})' <"$work/$g.json" ||
		{ all=1; echo "# $g: inspect --json did not show what the file holds"; }
done
ok $all "inspect reads each real file whole: config, libxl v2 records, libxc v3 from Xen 4.17 (pages, HVM params), the qemu-xen-traditional state (xenfv-trad, nothing unemulated): restores on hvmdm with a new config"

"$tool" inspect "$work/traddisk.xlsave" >"$work/o" 2>&1
grep -q "restores on this hvmdm: yes, with a new config" "$work/o" && grep -q "Xen 4.17" "$work/o" &&
	grep -q "emulator id 1 (qemu-xen-traditional)" "$work/o" && grep -q "ide .*version 3 .*accepted" "$work/o"
r=$?
[ $r = 0 ] || show "$work/o"
ok $r "inspect's text names the producer, the Xen version, each section and the way back (hvmdm-stream xl-config)"

# xl-config: what xl restore needs to start hvmdm, every changed line saying why.
all=0
for g in tradnovga tradcirrus traddisk tradnic; do
	"$tool" xl-config "$work/$g.xlsave" --dm /usr/libexec/hvmdm/hvmdm >"$work/$g.cfg" 2>"$work/err" || { all=1; show "$work/err"; continue; }
	grep -q "^name = \"$g\"$" "$work/$g.cfg" &&
		grep -q '^device_model_version = "qemu-xen"  # was qemu-xen-traditional' "$work/$g.cfg" &&
		grep -q '^device_model_override = "/usr/libexec/hvmdm/hvmdm"  # was /share/trad/qemu-dm$' "$work/$g.cfg" &&
		! grep -q '^bios' "$work/$g.cfg" && ! grep -q '^firmware' "$work/$g.cfg" &&
		grep -q '^memory = 64$' "$work/$g.cfg" && grep -q '^on_reboot = "destroy"' "$work/$g.cfg" &&
		grep -q "^serial = \"file:/var/log/xen/$g-serial.log\"$" "$work/$g.cfg" || { all=1; echo "# $g:"; show "$work/$g.cfg"; }
	# every line is a comment, key = value, or an item of a disk/vif list
	perl -ne 'exit 1 unless /^(#.*|[a-z_]+ = ("[^"]*"|[0-9]+|\[ .* \]|\[)(  # .*)?|\t\x27[^\x27]*\x27,|\])$/' "$work/$g.cfg" ||
		{ all=1; echo "# $g: a line xl would not parse"; show "$work/$g.cfg"; }
	case $g in
	tradnovga) grep -q '^vga = "none"$' "$work/$g.cfg" || all=1 ;;
	*) grep -q '^videoram = 8  # was 4: .* keeps the saved 4 MiB of VRAM' "$work/$g.cfg" || { all=1; echo "# $g: videoram"; } ;;
	esac
	case $g in
	traddisk | tradnic) grep -qx "	'format=raw, vdev=hda, access=rw, target=/share/disk.img'," "$work/$g.cfg" || { all=1; echo "# $g: disk"; } ;;
	esac
	case $g in
	tradnic) grep -qx "	'type=ioemu, mac=00:16:3e:00:00:02, bridge=xenbr0, model=rtl8139'," "$work/$g.cfg" || { all=1; echo "# $g: vif"; } ;;
	esac
done
ok $all "xl-config gives each a config xl restore takes for hvmdm: qemu-xen with device_model_override, rombios and the traditional hvmloader dropped with a reason, videoram raised to libxl's minimum, the disk and the emulated rtl8139 carried over"

# A stock qemu-xen guest's config (stdvga, VNC, USB tablet, e1000, a CD): carried
# over as written, and a setting this tool does not know listed, not dropped.
"$tool" xl-config tests/fuzz/corpus-xlsave/stock --dm /opt/hvmdm >"$work/stock.cfg" 2>"$work/err"
r=$?
[ $r = 0 ] && grep -qx 'device_model_override = "/opt/hvmdm"  # was not set (the stock device model)' "$work/stock.cfg" &&
	grep -qx 'vga = "stdvga"' "$work/stock.cfg" && grep -qx 'videoram = 16' "$work/stock.cfg" &&
	grep -qx 'usbdevice = \[ "tablet" \]' "$work/stock.cfg" && grep -qx 'vnclisten = "127.0.0.1"' "$work/stock.cfg" &&
	grep -qx 'on_crash = "rename-restart"' "$work/stock.cfg" &&
	grep -qx "	'format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/srv/cd.iso'," "$work/stock.cfg" &&
	grep -qx "	'type=ioemu, mac=00:16:3e:00:00:09, bridge=xenbr0, model=e1000'," "$work/stock.cfg" &&
	grep -qx '# not carried over (set it by hand if the guest needs it): b_info.type.hvm.unknown_future_knob = 7' "$work/stock.cfg"
r=$?
[ $r = 0 ] || show "$work/stock.cfg" "$work/err"
ok $r "xl-config of a stock qemu-xen guest's config: stdvga with its 16 MiB, VNC, the USB tablet, the e1000 and the CD carried over, only device_model_override added; an unknown setting listed as not carried over"

# Made from the real files: another device model's state in the emulator record.
$xt replace-blob "$work/traddisk.xlsave" "$work/stock-in-trad.xlsave" tests/streams/qemu-xen/xen-4.17-qemu-7.2-xenfv.bin --id 2
"$tool" inspect --json "$work/stock-in-trad.xlsave" | perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> });
	exit !($d->{emulator}{id_name} eq "qemu-xen" && $d->{emulator}{profile} eq "xenfv" && $d->{restore}{on_hvmdm})'
ok $? "the stock qemu-xen's real state (a Xen 4.17 capture) in a real file's emulator record: decoded as upstream QEMU on xenfv, restorable"

all=0
for f in tests/streams/qemu-trad/*.qevm; do
	$xt replace-blob "$work/tradcirrus.xlsave" "$work/x.xlsave" "$f" --id 0
	"$tool" inspect --json "$work/x.xlsave" >"$work/x.json" 2>&1 || { all=1; echo "# $f: refused inside an xl file"; continue; }
	perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> });
		exit !($d->{emulator}{id} == 0 && $d->{emulator}{profile} =~ /^xenfv/)' <"$work/x.json" || { all=1; echo "# $f"; }
done
ok $all "traditional blobs of known content (tests/streams/qemu-trad, each piix4acpi variant and the XenServer liar among them) inside a real file with emulator id 0, as convert-legacy-stream writes: recognised by content"

# convert on a whole file: the emulator record rewritten, every other byte as it was.
same_outside() { # A B: the two files agree outside their emulator records
	local ra rb
	ra=$($xt records "$1" | awk '$2 == 3 { print $1 }')
	rb=$($xt records "$2" | awk '$2 == 3 { print $1 }')
	[ -n "$ra" ] && [ "$ra" = "$rb" ] && cmp -s <(head -c "$ra" "$1") <(head -c "$rb" "$2") &&
		cmp -s <(tail -c 8 "$1") <(tail -c 8 "$2")
}
"$tool" convert "$work/traddisk.xlsave" "$work/td-hvmdm.xlsave" >"$work/o" 2>&1 &&
	"$tool" inspect --json "$work/td-hvmdm.xlsave" >"$work/j" 2>&1 &&
	perl -MJSON::PP -e 'my $d = decode_json(do { local $/; <STDIN> });
		exit !($d->{emulator}{format} eq "hvmdm" && $d->{emulator}{profile} eq "xenfv-trad" && $d->{emulator}{id} == 2)' <"$work/j" &&
	same_outside "$work/traddisk.xlsave" "$work/td-hvmdm.xlsave" &&
	cmp -s <(perl -MJSON::PP -e 'print JSON::PP->new->canonical->encode(decode_json(do { local $/; <STDIN> })->{emulator}{state})' <"$work/j") \
		<(perl -MJSON::PP -e 'print JSON::PP->new->canonical->encode(decode_json(do { local $/; <STDIN> })->{emulator}{state})' <"$work/traddisk.json")
r=$?
[ $r = 0 ] || show "$work/o"
ok $r "convert of a whole xl save file writes hvmdm's stream into its emulator record (id 2), decoding to the same state; the xl header, config, libxc stream and END byte for byte as they were"
"$tool" convert --to qemu-trad "$work/td-hvmdm.xlsave" "$work/td-back.xlsave" >"$work/o" 2>&1 &&
	"$tool" inspect "$work/td-back.xlsave" >"$work/o2" 2>&1 && grep -q "emulator id 1 (qemu-xen-traditional): QEVM" "$work/o2" &&
	same_outside "$work/traddisk.xlsave" "$work/td-back.xlsave"
r=$?
[ $r = 0 ] || show "$work/o" "$work/o2"
ok $r "convert --to qemu-trad turns it back into a file for a host with qemu-xen-traditional (emulator id 1, QEVM 3), the rest untouched"
cp "$work/traddisk.xlsave" "$work/keep.xlsave"
head -c 50000000 "$work/traddisk.xlsave" >"$work/cut.xlsave"
cp "$work/td-hvmdm.xlsave" "$work/out.xlsave"
"$tool" convert "$work/cut.xlsave" "$work/out.xlsave" >"$work/o" 2>&1
r=$?
[ $r = 1 ] && cmp -s "$work/td-hvmdm.xlsave" "$work/out.xlsave" && ! ls "$work"/out.xlsave.tmp.* >/dev/null 2>&1
ok $? "convert of a cut file is refused (exit $r) before anything is written: the existing output stays as it was, no temporary file left"

# xl-config refuses what it cannot bring back.
cp "$work/traddisk.xlsave" "$work/bad-blob.xlsave"
off=$($xt records "$work/bad-blob.xlsave" | awk '$2 == 3 { print $1 + 16 }')
printf 'XXXX' | dd of="$work/bad-blob.xlsave" bs=1 seek="$off" conv=notrunc status=none
"$tool" xl-config "$work/bad-blob.xlsave" >"$work/o" 2>"$work/err"
r=$?
[ $r = 1 ] && [ ! -s "$work/o" ] && grep -q "hvmdm cannot restore its device model state" "$work/err"
ok $? "xl-config on a file whose device model state is not readable: refused (exit $r), no config written"

# Hostile files: every refusal names the byte, and nothing is written.
refuse() { # NAME FILE PATTERN
	"$tool" inspect "$2" >"$work/o" 2>&1
	local r=$?
	if [ $r = 1 ] && grep -q "refused: byte [0-9]*: .*$3" "$work/o" && grep -q "restores on this hvmdm: no" "$work/o"; then
		ok 0 "$1 is refused: $(grep -m1 -o 'refused: byte .*' "$work/o")"
	else
		ok 1 "$1 is refused naming the byte (exit $r)"
		show "$work/o"
	fi
}
f=$work/traddisk.xlsave
head -c 1000 "$f" >"$work/t1"
refuse "a file cut inside its JSON config" "$work/t1" "xl optional data: the file ends here"
head -c 40000000 "$f" >"$work/t2"
refuse "a file cut inside the guest's memory" "$work/t2" "the file ends here"
head -c $(($(stat -c %s "$f") - 20)) "$f" >"$work/t3"
refuse "a file cut inside the device model's record" "$work/t3" "EMULATOR_CONTEXT: the file ends here"
cp "$f" "$work/t4"
printf '\x04' | dd of="$work/t4" bs=1 seek=36 conv=notrunc status=none
refuse "a mandatory flag xl does not know" "$work/t4" "mandatory flags 0x4"
cp "$f" "$work/t5"
printf '\xff\xff\x00\x00' | dd of="$work/t5" bs=1 seek=$((1538 + 8 + 40 + 8 + 1224 + 8 + 32 + 8 + 8)) conv=notrunc status=none
refuse "a page batch count past libxc's 1024" "$work/t5" "PAGE_DATA count 65535"
cp "$f" "$work/t6"
off=$($xt records "$f" | awk '$2 == 3 { print $1 + 4 }')
printf '\xff\xff\xff\x7f' | dd of="$work/t6" bs=1 seek="$off" conv=notrunc status=none
refuse "an emulator record claiming 2 GiB" "$work/t6" "over the .*-byte bound"
cp "$f" "$work/t7"
off=$($xt records "$f" | awk '$2 == 3 { print $1 }')
printf '\x04' | dd of="$work/t7" bs=1 seek="$off" conv=notrunc status=none
refuse "a CHECKPOINT_END where the device model's record was (reordered records)" "$work/t7" "checkpointed"

# A file that is not an xl save file at all still goes to the stream readers.
"$tool" inspect tests/streams/qemu-trad-real/traddisk.qevm >"$work/o" 2>&1 && grep -q "machine xenfv-trad" "$work/o"
ok $? "a bare device-state file is still inspected as before"
exit $((fails > 0))
