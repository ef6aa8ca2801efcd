#!/usr/bin/env bash
# The pc machine's DSDT run in ACPICA's AML interpreter (acpiexec, from
# acpica-tools): every method an OS calls evaluates without an AML error and
# returns what the registers behind it say. acpiexec backs operation regions
# with memory, so a link's _SRS is read back through its _CRS.
set -u
aml=${B:-build}/gen/dsdt.aml
if ! command -v acpiexec >/dev/null; then
	echo "1..0 # SKIP acpiexec is not installed (acpica-tools; tools/setup-debian.sh installs it)"
	exit 0
fi
[ -s "$aml" ] || { echo "1..1"; echo "not ok 1 - $aml is not built"; exit 1; }
out=$(mktemp)
patched=$(mktemp)
trap 'rm -f "$out" "$patched"' EXIT
# As hw/firmware/acpi.c patches it for 64 MiB and COM1 only: PHLO = 0x04000000, DEVP = 1, checksum fixed.
perl -e 'local $/; my $a = <STDIN>;
	($a =~ s/\x08PHLO\x0c\x78\x56\x34\x12/\x08PHLO\x0c\x00\x00\x00\x04/) == 1 or exit 1;
	($a =~ s/\x08DEVP\x0c\x78\x56\x34\x12/\x08DEVP\x0c\x01\x00\x00\x00/) == 1 or exit 1;
	substr($a, 9, 1) = "\0"; my $s = 0; $s += $_ for unpack("C*", $a);
	substr($a, 9, 1) = chr((256 - $s % 256) % 256); print $a' <"$aml" >"$patched" ||
	{ echo "1..1"; echo "not ok 1 - $aml has no PHLO/DEVP constants to patch"; exit 1; }
# Evaluate "cmd; cmd; ..." on the patched DSDT and keep the output.
run() { timeout 60 acpiexec -b "$1" "$patched" >"$out" 2>&1; }
n=0
fails=0
check() { # description, then a command whose status decides
	n=$((n + 1))
	local what=$1
	shift
	if "$@"; then echo "ok $n - $what"
	else echo "not ok $n - $what"; sed 's/^/# /' "$out" | tail -25; fails=$((fails + 1)); fi
}
has() { grep -qF -- "$1" "$out"; }
# The returned buffers' bytes as one line ("88 0D 00 ..."), whatever acpiexec's line breaks.
bytes() { sed -n 's/.*[0-9A-F]\{4\}: \(\([0-9A-F][0-9A-F] \)*\).*/\1/p' "$out" | tr -d '\n'; }
has_bytes() { bytes | grep -qF -- "$1"; }
# "NAME returned VALUE" for integers: the line after the evaluation of NAME.
int_is() { grep -A1 -F "Evaluation of $1 returned" "$out" | grep -qF "[Integer] = $2"; }
no_errors() { ! grep -qiE "AE_[A-Z_]+|Exception|ACPI Error|checksum" "$out"; }
echo "1..9"

run "evaluate \_SB.PCI0._CRS"
# The PCI window: 64 MiB (PHLO) to 0xfebfffff.
pci_crs() {
	has_bytes "88 0D 00 02 0C 00 00 00 00 00 FF 00 00 00 00 01 " && # bus numbers 0-255
		has_bytes "47 01 F8 0C F8 0C 01 08 " &&                   # 0xcf8-0xcff
		has_bytes "00 00 00 04 FF FF BF FE 00 00 00 00 00 00 C0 FA " # PHLO-0xfebfffff
}
check "PCI0._CRS: bus 0-255, I/O around 0xcf8, the PCI window from PHLO to 0xfebfffff" pci_crs
check "PCI0._CRS ran without AML errors or checksum warnings" no_errors

# LNKB: _SRS IRQ 10 (mask 0x0400), read back; _DIS, then _STA says disabled and _CRS has no IRQ.
run "evaluate \_SB.LNKB._SRS (23 00 04 18 79 00); evaluate \_SB.LNKB._STA; evaluate \_SB.LNKB._CRS; evaluate \_SB.LNKB._DIS; evaluate \_SB.LNKB._STA; evaluate \_SB.LNKB._CRS; evaluate \_SB.LNKB._PRS"
link_set() { int_is '\_SB.LNKB._STA' 000000000000000B && has_bytes "23 00 04 10 79 00 "; }
link_dis() { int_is '\_SB.LNKB._STA' 0000000000000009 && has_bytes "23 00 00 10 79 00 "; }
check "LNKB: _SRS of IRQ 10 reads back through _STA (enabled) and _CRS" link_set
check "LNKB: after _DIS, _STA says disabled (9) and _CRS has an empty mask" link_dis
check "LNKB: _PRS offers IRQs 5, 10 and 11, level, shared" has_bytes "23 20 0C 10 79 00 "
check "links ran without AML errors" no_errors

# The serial ports: absent unless DEVP (patched at start-up) says so.
run "evaluate \_SB.PCI0.ISA.COM1._STA; evaluate \_SB.PCI0.ISA.COM2._STA; evaluate \_S5; evaluate \_S3"
sleep_types() {
	int_is '\_SB.PCI0.ISA.COM1._STA' 000000000000000F && int_is '\_SB.PCI0.ISA.COM2._STA' 0000000000000000 &&
		grep -A2 -F 'Evaluation of \_S3 returned' "$out" | grep -qF '[Integer] = 0000000000000001' &&
		grep -A2 -F 'Evaluation of \_S5 returned' "$out" | grep -qF '[Integer] = 0000000000000000'
}
check "COM1/COM2 _STA follow DEVP's bits; _S3 is SLP_TYP 1 and _S5 SLP_TYP 0" sleep_types

# PCI hot-plug: the GPE handler and the notifications it sends.
run "evaluate \_SB.PCI0.PCNF 0x00000024 3; evaluate \_GPE._E01; evaluate \_SB.PCI0.S05._EJ0 0"
notifies() {
	[ "$(grep -c 'Received a System Notify' "$out")" = 2 ] &&
		grep -q 'Notify on \[S02_\].*Value 0x03' "$out" && grep -q 'Notify on \[S05_\].*Value 0x03' "$out"
}
check "PCNF(slots 2 and 5, Eject Request) notifies exactly S02 and S05" notifies
check "_GPE._E01 and a slot's _EJ0 ran without AML errors" no_errors
exit $((fails > 0))
