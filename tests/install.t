#!/usr/bin/env bash
# `make install`/`uninstall` into a DESTDIR, and the Debian package `make deb`
# builds: what they hold, that lintian passes them, and (as root, where hvmdm
# is not installed already) that the package installs, runs and purges clean.
# Prints TAP for prove.
set -u
B=${B:-build}
n=0
fails=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }
echo "1..10"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expected="usr/bin/hvmdm-stream
usr/libexec/hvmdm/hvmdm
usr/share/doc/hvmdm/ARCHITECTURE.md
usr/share/doc/hvmdm/README.md
usr/share/doc/hvmdm/RELEASES
usr/share/doc/hvmdm/compatibility.md
usr/share/doc/hvmdm/examples/desktop.cfg
usr/share/doc/hvmdm/examples/from-stock.cfg
usr/share/doc/hvmdm/examples/libvirt-guest.xml
usr/share/doc/hvmdm/examples/minimal.cfg
usr/share/doc/hvmdm/stream-format.md
usr/share/man/man1/hvmdm-stream.1
usr/share/man/man1/hvmdm.1"

make -s install B="$B" DESTDIR="$work/root" PREFIX=/usr >"$work/install.log" 2>&1 &&
	[ "$(cd "$work/root" && find . -type f | sed 's|^\./||' | sort)" = "$expected" ] &&
	"$work/root/usr/libexec/hvmdm/hvmdm" -version | grep -q "^hvmdm " &&
	"$work/root/usr/bin/hvmdm-stream" verify tests/streams/qemu-trad-real/tradcirrus.qevm >/dev/null 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$work/install.log"
ok $rc "make install DESTDIR=... PREFIX=/usr: hvmdm in /usr/libexec/hvmdm, hvmdm-stream on PATH, both man pages, the documentation and the example xl configs, and nothing else; both run from there"

# Every file the install touched is under DESTDIR: the commands it runs name no other place.
make -n install B="$B" DESTDIR=/hvmdm-destdir-probe PREFIX=/usr 2>/dev/null |
	awk '$1 ~ /install$/ { print $NF }' | grep -v '^/hvmdm-destdir-probe/' >"$work/outside"
[ ! -s "$work/outside" ]
ok $? "make install writes only below DESTDIR$( [ -s "$work/outside" ] && echo ": $(tr '\n' ' ' <"$work/outside")")"

make -s install B="$B" DESTDIR=relative/root PREFIX=/usr >"$work/rel.log" 2>&1
r1=$?
make -s install B="$B" DESTDIR="$work/r2" PREFIX=usr >>"$work/rel.log" 2>&1
r2=$?
[ $r1 != 0 ] && [ $r2 != 0 ] && grep -q "DESTDIR must be an absolute path" "$work/rel.log" &&
	grep -q "PREFIX must be an absolute path" "$work/rel.log" && [ ! -e relative ] && [ ! -e "$work/r2" ]
ok $? "a relative DESTDIR or PREFIX is refused before anything is written"

make -s uninstall B="$B" DESTDIR="$work/root" PREFIX=/usr >"$work/uninstall.log" 2>&1 &&
	[ -z "$(find "$work/root" -type f)" ] && [ ! -e "$work/root/usr/libexec/hvmdm" ] && [ ! -e "$work/root/usr/share/doc/hvmdm" ]
ok $? "make uninstall removes every file and hvmdm's own directories"

LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/hvmdm.1 >"$work/man1" 2>"$work/manwarn" &&
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/hvmdm-stream.1 >/dev/null 2>>"$work/manwarn" &&
	[ ! -s "$work/manwarn" ] && grep -q "device_model_override" "$work/man1" && grep -q "EXIT STATUS" "$work/man1"
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$work/manwarn"
ok $rc "the man pages format without a warning (hvmdm(1): options, xl settings, QMP commands, signals, exit status)"

make -s deb B="$B" >"$work/deb.log" 2>&1
rc=$?
deb=$(ls "$B"/deb/hvmdm_*_amd64.deb 2>/dev/null | head -1)
[ $rc = 0 ] && [ -n "$deb" ]
ok $? "make deb builds the Debian package (${deb:-none})"
[ -n "$deb" ] || { sed 's/^/# /' "$work/deb.log" | tail -20; exit 1; }

dpkg-deb -f "$deb" Version | grep -qx "$(sed -n 's/^VERSION := //p' Makefile | tr - '~')" &&
	[ "$(dpkg-deb -c "$deb" | awk '$1 ~ /^-/ { print $6 }' | sed 's|^\./||' | grep -v '^usr/share/doc/hvmdm/\(changelog\|copyright\)\|^usr/share/lintian/overrides/hvmdm$' | sed 's/\.gz$//' | sort)" = "$expected" ]
ok $? "the package's version is the Makefile's VERSION and it holds what make install lays out (plus changelog, copyright and the lintian override)"

dpkg-deb -f "$deb" Depends >"$work/depends"
grep -q "libxendevicemodel1" "$work/depends" && grep -q "libjansson4" "$work/depends" && grep -q "libseccomp2" "$work/depends" &&
	grep -q "libvncserver1" "$work/depends" && grep -q "seabios" "$work/depends" && grep -q "qemu-system-data" "$work/depends" &&
	grep -q "ipxe-qemu" "$work/depends"
ok $? "its dependencies: the libraries dh_shlibdeps found (Xen 4.17, jansson, seccomp, libvncserver, ...) and the firmware and data packages read at run time ($(tr -d '\n' <"$work/depends" | cut -c1-120)...)"

lintian --allow-root --fail-on error,warning --suppress-tags-from-file /dev/null "$deb" >"$work/lintian" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$work/lintian"
ok $rc "lintian passes the package (no error or warning; the one info tag, the man page of a program outside PATH, is overridden with its reason)"

# Installed for real, then purged: only as root, and only where it would not replace an installed hvmdm.
if [ "$(id -u)" != 0 ] || dpkg-query -W hvmdm >/dev/null 2>&1; then
	n=$((n + 1))
	echo "ok $n # SKIP dpkg -i/-P: needs root and a system without hvmdm installed"
else
	dpkg -i "$deb" >"$work/dpkg.log" 2>&1 &&
		/usr/libexec/hvmdm/hvmdm -version | grep -q "^hvmdm " && hvmdm-stream schema >/dev/null &&
		man -w hvmdm >/dev/null 2>&1 && dpkg -P hvmdm >>"$work/dpkg.log" 2>&1 &&
		! dpkg-query -W hvmdm >/dev/null 2>&1 && [ ! -e /usr/libexec/hvmdm ] && [ ! -e /usr/bin/hvmdm-stream ] &&
		[ ! -e /usr/share/doc/hvmdm ]
	rc=$?
	[ $rc = 0 ] || { sed 's/^/# /' "$work/dpkg.log"; dpkg -P hvmdm >/dev/null 2>&1; }
	ok $rc "dpkg -i installs it (hvmdm at /usr/libexec/hvmdm/hvmdm runs, man hvmdm finds its page), dpkg -P purges it leaving nothing"
fi
exit $((fails > 0))
