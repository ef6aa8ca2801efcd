#!/usr/bin/env bash
# The hvmdm binary as a user runs it: self-check per profile, and refusals that
# name the option. Prints TAP for prove. $HVMDM is the (sanitizer) build.
set -u
bin=${HVMDM:-build/asan/hvmdm}
n=0
fails=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }

echo "1..13"
for p in xenfv xenfv-trad pc; do
	out=$("$bin" -machine "$p" -smp 2 -serial null -selfcheck 2>&1)
	rc=$?
	ok $rc "selfcheck $p exits 0"
	echo "$out" | grep -q "self-check passed" && ! echo "$out" | grep -q FAIL
	ok $? "selfcheck $p reports every check passed"
done
out=$("$bin" -machine xenfv -selfcheck 2>&1)
echo "$out" | grep -q "pci dev 02:0 bar 14 size 001000000: 0f0000008"
ok $? "selfcheck prints hvmloader's lines"

"$bin" -machine q35 -selfcheck >/dev/null 2>/tmp/hvmdm-cli.$$; rc=$?
[ $rc -eq 2 ] && grep -q -- "-machine q35" /tmp/hvmdm-cli.$$
ok $? "unknown machine refused with exit 2, naming -machine"

"$bin" -xen-domid 1 >/dev/null 2>/tmp/hvmdm-cli.$$; rc=$?
[ $rc -eq 1 ] && grep -q -- "is this dom0 of a Xen host" /tmp/hvmdm-cli.$$
ok $? "-xen-domid outside a Xen dom0 fails at once, saying why (the real-Xen tier runs it in dom0)"

"$bin" -serial tcp:1:2 -selfcheck >/dev/null 2>/tmp/hvmdm-cli.$$; rc=$?
[ $rc -ne 0 ] && grep -q -- "-serial tcp:1:2" /tmp/hvmdm-cli.$$
ok $? "bad serial backend refused, naming -serial"

"$bin" -help | grep -q -- "-selfcheck"
ok $? "-help lists the options"
# libxl 4.20's probe: -machine none with a QMP monitor on an inherited listening socket.
perl -MIO::Socket::UNIX -MSocket -e '
	$^F = 1000; # keep the listening socket open across exec
	my ($bin, $path) = @ARGV;
	unlink $path;
	my $l = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $path, Listen => 1) or exit 2;
	my $pid = fork();
	if (!$pid) {
		exec($bin, "-S", "-no-user-config", "-nodefaults", "-nographic", "-machine", "none,accel=xen",
		     "-chardev", "socket,id=libxl-cmd,fd=" . fileno($l) . ",server=on,wait=off",
		     "-mon", "chardev=libxl-cmd,mode=control") or exit 3;
	}
	my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or exit 4;
	my $g = <$c>;
	my $out = "";
	for my $cmd ("qmp_capabilities", "query-command-line-options", "quit") {
		print $c "{\"execute\":\"$cmd\"}\n";
		$out .= <$c>;
	}
	waitpid($pid, 0);
	unlink $path;
	exit(($g =~ /"QMP"/ && $out =~ /"return":\[\]/ && $? == 0) ? 0 : 1);
' "$bin" "/tmp/hvmdm-probe.$$"
ok $? "-machine none: the monitor on an inherited socket answers query-command-line-options and quit (libxl 4.20's probe)"

"$bin" -machine none >/dev/null 2>/tmp/hvmdm-cli.$$; rc=$?
[ $rc -eq 2 ] && grep -q "nothing to do" /tmp/hvmdm-cli.$$
ok $? "-machine none without a monitor is refused"
rm -f /tmp/hvmdm-cli.$$
exit $((fails > 0))
