#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make install into a DESTDIR puts the programs, the hook, the example
# config, the man pages and the systemd units where Debian expects them;
# make uninstall leaves nothing behind.  Every man page renders without
# warnings.
. "$(dirname "$0")/lib.sh"

dest="$T/dest"
run make -C "$top" --no-print-directory install DESTDIR="$dest" PREFIX=/usr \
    BUILD="$BUILD" SYSCONFDIR=/etc
assert_rc "make install DESTDIR=... PREFIX=/usr" 0
for f in usr/sbin/printgated usr/bin/printgatectl \
    usr/libexec/printgate/printgate-update \
    usr/share/doc/printgate/printgate.conf.example \
    usr/share/man/man8/printgated.8 usr/share/man/man1/printgatectl.1 \
    usr/share/man/man5/printgate.conf.5 \
    usr/lib/systemd/system/printgated.service \
    usr/lib/systemd/system/printgated@.service \
    usr/lib/sysusers.d/printgate.conf; do
	assert "installed: /$f" test -f "$dest/$f"
done
assert "the programs are executable" test -x "$dest/usr/sbin/printgated"
assert "the unit runs the installed daemon" \
    grep -q "ExecStart=/usr/sbin/printgated" "$dest/usr/lib/systemd/system/printgated.service"
run "$dest/usr/bin/printgatectl" -c "$top/conf/printgate.conf" who brochures/emea/x.pdf
assert_rc "the installed printgatectl runs" 0

run make -C "$top" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr \
    BUILD="$BUILD" SYSCONFDIR=/etc
assert_rc "make uninstall" 0
left=$(find "$dest" -type f -o -type l)
if [ -z "$left" ]; then pass "make uninstall leaves no file behind"
else fail "make uninstall leaves no file behind" "$left"; fi
left=$(find "$dest" -name '*printgate*')
if [ -z "$left" ]; then pass "make uninstall leaves no printgate folder behind"
else fail "make uninstall leaves no printgate folder behind" "$left"; fi

if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	for page in "$top"/man/*.[158]; do
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 "$page" 2>&1 >/dev/null)
		if [ -z "$w" ]; then pass "man -l $(basename "$page"): no warnings"
		else fail "man -l $(basename "$page"): no warnings" "$w"; fi
		n=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l -Tutf8 "$page" 2>/dev/null | wc -l)
		if [ "$n" -gt 40 ]; then pass "man -l $(basename "$page") renders ($n lines)"
		else fail "man -l $(basename "$page") renders" "$n lines"; fi
	done
else
	echo "ok - # SKIP man or groff not installed"
fi
finish
