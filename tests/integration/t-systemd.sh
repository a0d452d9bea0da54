#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The systemd units, installed into a scratch root as a package would put
# them: systemd-analyze verify finds nothing wrong in printgated.service,
# an instance of printgated@.service and the sockets (and does catch a
# broken unit); systemd-analyze security --offline rates both services 2.0
# or lower; the sysusers snippet makes the user printgate; every secret
# file of the example config is passed as a credential, and a credential
# systemd falls back to when its file is missing is refused by printgated,
# never used as a key.  Without systemd-analyze those checks are skipped.
. "$(dirname "$0")/lib.sh"

sd="$top/systemd"
example="$top/conf/printgate.conf"
root="$T/root"
units="$root/usr/lib/systemd/system"

skip() {
	ntest=$((ntest + 1))
	echo "ok $ntest - # SKIP $1"
}

# --- what the units say, against the example config

# The secret file names of the example config: every *_file = "NAME".
secrets=$(sed -n 's/.*_file *= *"\([^"]*\)".*/\1/p' "$example")
assert "the example config names secret files" test -n "$secrets"
# has UNIT LINE: the unit has that exact line.
has() { grep -qxF -- "$2" "$sd/$1"; }
nocred="" nocred_i="" nofallback=""
for s in $secrets; do
	has printgated.service "LoadCredential=$s:/etc/printgate/credentials/$s" ||
	    nocred="$nocred $s"
	has printgated@.service "LoadCredential=$s:/etc/printgate/credentials/%i/$s" ||
	    nocred_i="$nocred_i $s"
	{ has printgated.service "SetCredential=$s:\\n" &&
	    has printgated@.service "SetCredential=$s:\\n"; } ||
	    nofallback="$nofallback $s"
done
if [ -z "$nocred" ]; then
	pass "printgated.service loads each secret file of the example as a credential ($(echo $secrets))"
else
	fail "printgated.service loads each secret file as a credential" "missing:$nocred"
fi
if [ -z "$nocred_i" ]; then
	pass "printgated@.service loads each from /etc/printgate/credentials/%i/"
else
	fail "printgated@.service loads each secret file as a credential" "missing:$nocred_i"
fi
if [ -z "$nofallback" ]; then
	pass "both fall back to a blank line for each, when its file is missing"
else
	fail "both fall back to a blank line when a file is missing" "missing:$nofallback"
fi

# The example's repository and state_dir are where the sandbox lets
# printgated write.
repo=$(sed -n 's/^repository *= *"\([^"]*\)".*/\1/p' "$example")
rw=$(sed -n 's/^ReadWritePaths=-\{0,1\}//p' "$sd/printgated.service")
case "$repo/" in
"$rw"/*) pass "the example's repository ($repo) is under ReadWritePaths= ($rw)" ;;
*) fail "the example's repository ($repo) is under ReadWritePaths=" "ReadWritePaths=$rw" ;;
esac
assert "the example's state_dir is the StateDirectory= (/var/lib/printgate)" \
    grep -q '^state_dir *= *"/var/lib/printgate";' "$example"
assert "printgated.service: StateDirectory=printgate" \
    grep -qx "StateDirectory=printgate" "$sd/printgated.service"
assert "printgated@.service: one state directory and config per instance" sh -c \
    "grep -qx 'StateDirectory=printgate/%i' '$sd/printgated@.service' &&
     grep -qx 'ExecStart=/usr/sbin/printgated -c /etc/printgate/%i.conf' '$sd/printgated@.service'"

# --- the credential fallback, with printgated itself

# systemd puts each credential in $CREDENTIALS_DIRECTORY, mode 0400; a
# missing file becomes the SetCredential= fallback, a blank line.
start_receiver
NOTIFY_CONF=$(notify_config)
setup
creds="$T/credentials"
mkdir -p "$creds"
for s in slack.url mm.url teams.url hook.secret mm.token teams.secret api.secret; do
	cp "$T/$s" "$creds/$s"
done
printf '\n' >"$creds/slack.secret"
chmod 400 "$creds"/*
run env CREDENTIALS_DIRECTORY="$creds" timeout 20 "$BUILD/printgated" -c "$CONF"
assert_rc "a secret missing behind the blank fallback: printgated does not start" 2
assert_out "and says which secret, from the credentials directory" \
    "secret file '$creds/slack.secret' is empty"
chmod 600 "$creds/slack.secret"
cp "$T/slack.secret" "$creds/slack.secret"
chmod 400 "$creds/slack.secret"
mv "$T/slack.secret" "$T/slack.secret.away"
CREDENTIALS_DIRECTORY="$creds" "$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
daemon_pid=$!
if wait_for 20 grep -q "ready: watching" "$DLOG"; then
	pass "with the credential there (and none next to the config) it starts"
else
	fail "with the credential there (and none next to the config) it starts" "$(cat "$DLOG")"
fi
stop_daemon
stop_receiver

# --- systemd-analyze on the units, installed into a scratch root

if ! command -v systemd-analyze >/dev/null 2>&1; then
	for what in "verify printgated.service and printgated.socket" \
	    "verify an instance of printgated@.service and printgated@.socket" \
	    "verify catches a broken unit" \
	    "security: printgated.service 2.0 or lower" \
	    "security: printgated@demo.service 2.0 or lower"; do
		skip "systemd-analyze not installed: $what"
	done
	finish
fi

# The distribution's units (the targets and slices ours depend on), then
# ours, the programs they run and the usual merged-/usr links, so that
# verify checks ExecStart= and ExecReload= inside the root.
mkdir -p "$units" "$root/usr/sbin" "$root/usr/bin" "$root/etc"
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -d "$d" ] && cp -a "$d/." "$units/" 2>/dev/null
done
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
cp "$sd"/*.service "$sd"/*.socket "$units/"
for p in printgated printgatectl; do
	if [ -x "$BUILD/$p" ]; then
		cp "$BUILD/$p" "$root/usr/sbin/$p"
	else
		echo "# no $BUILD/$p: a stand-in in the root"
		printf '#!/bin/sh\n' >"$root/usr/sbin/$p"
		chmod 755 "$root/usr/sbin/$p"
	fi
done
if [ -x /usr/bin/kill ]; then
	cp /usr/bin/kill "$root/usr/bin/kill"
elif [ -x /bin/kill ]; then
	cp /bin/kill "$root/usr/bin/kill"
else
	printf '#!/bin/sh\n' >"$root/usr/bin/kill"
	chmod 755 "$root/usr/bin/kill"
fi

# verify UNIT...: $rc and $OUT.  --recursive-errors=no: the exit code is
# about the units named, not the distribution's; --man=no: the man pages
# of Documentation= are not in the root.  Any line naming one of ours is
# a finding, even a warning that leaves the exit code 0 (an unknown or
# misspelt setting is only a warning to systemd).
verify() {
	run systemd-analyze verify --root="$root" --man=no \
	    --recursive-errors=no "$@"
}
check_verify() {
	desc=$1
	shift
	verify "$@"
	if [ "$rc" -eq 0 ] && ! grep -q printgate "$OUT"; then
		pass "$desc"
		[ -s "$OUT" ] && sed 's/^/#   not ours: /' "$OUT"
	else
		fail "$desc" "systemd-analyze verify exit $rc"
	fi
}
check_verify "verify printgated.service and printgated.socket" \
    printgated.service printgated.socket
check_verify "verify an instance of printgated@.service and printgated@.socket" \
    printgated@demo.service printgated@demo.socket
check_verify "verify the gate sockets, printgated-gate.socket and an instance of printgated-gate@.socket" \
    printgated-gate.socket printgated-gate@demo.socket

# The same check on a broken copy must fail: the root is the one used.
sed -e 's|^ExecStart=/usr/sbin/printgated |ExecStart=/usr/sbin/printgated-gone |' \
    -e 's|^ProtectHome=yes|ProtectHome=bogus|' \
    "$sd/printgated.service" >"$units/printgate-canary.service"
verify printgate-canary.service
if [ "$rc" -ne 0 ] && grep -q "printgated-gone" "$OUT" &&
    grep -q "printgate-canary.service:.*bogus" "$OUT"; then
	pass "verify catches a broken unit (a missing program, a bad value)"
else
	fail "verify catches a broken unit (a missing program, a bad value)" "exit $rc"
fi
rm -f "$units/printgate-canary.service"

# exposure UNIT: the overall exposure level systemd-analyze gives it.
exposure() {
	LC_ALL=C systemd-analyze security --offline=true --root="$root" \
	    --no-pager "$1" >"$OUT" 2>&1
	sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p' "$OUT"
}
for u in printgated.service printgated@demo.service; do
	e=$(exposure "$u")
	if [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 2.0) }'; then
		pass "security: $u exposure $e, 2.0 or lower"
	else
		fail "security: $u exposure ${e:-unknown}, 2.0 or lower"
	fi
done

# The user the units run as.
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$root/usr/lib/sysusers.d"
	cp "$sd/printgate.conf" "$root/usr/lib/sysusers.d/printgate.conf"
	run systemd-sysusers --root="$root"
	assert_rc "systemd-sysusers takes the snippet" 0
	assert "it makes the system user printgate, home /var/lib/printgate, no login" \
	    grep -Eq '^printgate:x:[0-9]+:[0-9]+:[^:]*:/var/lib/printgate:/usr/sbin/nologin$' \
	    "$root/etc/passwd"
	assert "and its group printgate" grep -q '^printgate:x:' "$root/etc/group"
else
	skip "systemd-sysusers not installed"
fi
finish
