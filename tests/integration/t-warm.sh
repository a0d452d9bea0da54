#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The gate's two paths: printgated answering the hook on the gate socket,
# and each reason the hook decides itself instead (no socket, a refused
# one, printgated stopped, a peer that answers nonsense or nothing),
# printgated killed while a hook waits on it, a push's quarantine,
# requests to the socket that are not the hook's, and the socket passed
# by systemd (blocking, as the socket units pass it).
. "$(dirname "$0")/lib.sh"

setup
SOCK="$T/state/gate.sock"
PEER="$BUILD/tests/gate-peer"
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
push_as rruiz main
assert_rc "the branch lands with no printgated (fallback)" 0

# the thin hook alone, its fallback not beside it
mkdir -p "$T/lone"
cp "$BUILD/printgatectl" "$BUILD/printgate-update" "$T/lone/"
run "$T/lone/printgatectl" -c "$CONF" install-hook
assert_out "install-hook warns when the fallback is not beside the hook" \
    "$T/lone/printgate-update-local is not there: when printgated does not answer, every push is refused"
commit "lone" brochures/emea/lone.txt="lone"
push_as rruiz main
assert_rc "no printgated and no fallback program: the push is refused" 1
assert_out "the pusher is told what cannot run" \
    "printgate: refusing refs/heads/main: cannot run $T/lone/printgate-update-local"
run ctl install-hook
assert_out "install-hook says where the hook asks first" \
    "asks printgated on $SOCK first (the warm path), else decides itself"
push_as rruiz main
assert_rc "the branch lands with its fallback back (no printgated)" 0
c1=$(rev HEAD)
short=${c1%"${c1#???????}"}
assert "the hook's settings name the gate socket" \
    grep -qxF "socket $SOCK" "$REPO/hooks/update.printgate"
assert "the hook is a copy of printgate-update: git runs no shell for it" \
    cmp -s "$BUILD/printgate-update" "$REPO/hooks/update"
run ctl check
assert_out "check says nobody answers on the gate socket" \
    "gate socket $SOCK: nobody answers: the hook decides itself"
# (a sanitizer build adds the sanitizers' runtimes and what they need)
libs_ok='libc\.so\|vdso\|ld-linux'
if ldd "$BUILD/printgate-update" | grep -q 'libasan\|libubsan'; then
	libs_ok="$libs_ok\\|libasan\\|libubsan\\|libm\\.so\\|libgcc_s\\|libstdc++"
fi
assert "the hook on the warm path links no library but libc" \
    sh -c "! ldd '$BUILD/printgate-update' | grep -v '$libs_ok'"
assert "the fallback links libgit2 (so the check above can see one)" \
    sh -c "ldd '$BUILD/printgate-update-local' | grep -q libgit2"

# requests: waits N: print/wN is refused, asked once, by whichever path.
waits() {
	tag "print/w$1"
	push_as rruiz "print/w$1"
	assert_rc "$2: an unapproved tag is refused" 1
	assert_out "$2: the refusal is the gate's" \
	    "remote: printgate: print/w$1 ($short) waits for approval" \
	    "review requested from alice, bob, carol on slack:sales"
	assert_not "$2: the tag is not on the server" remote_ref "refs/tags/print/w$1"
	assert "$2: one request is in the ledger for it" \
	    test "$(ledger "$c1" | grep -c "\"type\":\"request\",.*\"tag\":\"print/w$1\"")" -eq 1
}

# --- the fallback: no socket at all
waits 1 "no socket"

# --- the warm path
start_gate
run ctl check
assert_out "check says printgated answers" \
    "gate socket $SOCK: printgated answers (the warm path)"
stat -c %a "$SOCK" >"$OUT"
assert_out "the socket is mode 0660" 660
n=$(gate_served)
waits 2 "warm path"
assert "printgated answered the hook" test "$(gate_served)" -gt "$n"
assert "printgated logged the peer's uid and pid" \
    grep -q "gate 'refs/tags/print/w2' from uid $(id -u) pid [0-9]* (REMOTE_USER 'rruiz'): refused" "$GLOG"
push_as rruiz print/w2
assert "warm path: the same tag again is not asked twice" \
    test "$(ledger "$c1" | grep -c '"tag":"print/w2"')" -eq 1

# --- a socket nobody accepts on: refused
kill -9 "$gate_pid"
wait "$gate_pid" 2>/dev/null
gate_pid=""
assert "a killed printgated leaves its socket behind" test -S "$SOCK"
waits 3 "refused socket"

# --- printgated stopped: the hook waits 2 s, then decides itself
start_gate
kill -STOP "$gate_pid"
waits 4 "printgated stopped"
kill -CONT "$gate_pid"

# --- printgated killed while a hook waits on it, then started again
kill -STOP "$gate_pid"
tag print/w5
(push_as rruiz print/w5; echo "$rc" >"$T/w5.rc"; cp "$OUT" "$T/w5.out") &
bg=$!
sleep 0.5
kill -9 "$gate_pid"
wait "$gate_pid" 2>/dev/null
wait "$bg"
rc=$(cat "$T/w5.rc")
cp "$T/w5.out" "$OUT"
assert_rc "killed mid-push: the tag is refused" 1
assert_out "killed mid-push: the hook decided itself" \
    "remote: printgate: print/w5 ($short) waits for approval"
assert_not "killed mid-push: the tag is not on the server" remote_ref refs/tags/print/w5
start_gate
n=$(gate_served)
push_as rruiz print/w5
assert_rc "printgated started again: still refused" 1
assert "printgated started again answers" test "$(gate_served)" -gt "$n"
assert "killed mid-push: one request, whatever the restarts" \
    test "$(ledger "$c1" | grep -c '"tag":"print/w5"')" -eq 1

# --- a peer that answers nonsense, and one that answers nothing
stop_gate
"$PEER" serve "$SOCK" garbage &
peer=$!
wait_for 5 test -S "$SOCK"
waits 6 "nonsense answer"
kill "$peer"
wait "$peer" 2>/dev/null
"$PEER" serve "$SOCK" silent &
peer=$!
wait_for 5 test -S "$SOCK"
waits 7 "silent peer"
kill "$peer"
wait "$peer" 2>/dev/null

# --- approved: both paths release it, and say so alike
start_gate
run ctl decide print/w1 --as alice approve
run ctl decide print/w1 --as bob approve
push_as rruiz print/w1
assert_rc "warm path: an approved tag passes" 0
assert_out "warm path: it says released" \
    "printgate: print/w1 ($short) is approved: released"
assert "warm path: the tag is on the server" remote_ref refs/tags/print/w1
ledger "$c1" | tail -n 1 >"$OUT"
assert_out "warm path: a released line, by the hook" '"type":"released"' \
    '"by":"rita"' '"via":"hook"' '"tag":"print/w1"'

# --- a push's quarantine: objects not yet moved in (a pre-receive hook)
commit "Q2 brochure" brochures/emea/q2.txt="EMEA Q2"
c2=$(rev HEAD)
push_as rruiz main
tag print/q1
tagobj=$(rev print/q1)
short=${c2%"${c2#???????}"}
Q="$REPO/objects/tmp_objdir-incoming-test"
mkdir -p "$Q"
git -C "$WORK" cat-file tag "$tagobj" | GIT_OBJECT_DIRECTORY="$Q" \
    git --git-dir="$REPO" hash-object -t tag -w --stdin >/dev/null
assert_not "the tag object is only in the quarantine" \
    git --git-dir="$REPO" cat-file -e "$tagobj"
# hookq QUARANTINE: the hook as git runs it inside its quarantine
hookq() {
	run env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz \
	    GIT_QUARANTINE_PATH="$1" GIT_OBJECT_DIRECTORY="$1" \
	    GIT_ALTERNATE_OBJECT_DIRECTORIES="$REPO/objects" \
	    hooks/update refs/tags/print/q1 \
	    0000000000000000000000000000000000000000 "$tagobj"
}
n=$(gate_served)
hookq "$Q"
assert_rc "quarantine: the tag is read from it and refused" 1
assert_out "quarantine: the warm path read the tag" "print/q1 ($short) waits for approval"
assert "quarantine: printgated answered" test "$(gate_served)" -gt "$n"
stop_gate
hookq "$Q"
assert_rc "quarantine: the fallback reads it too" 1
assert_out "quarantine: the fallback's message is the same" "print/q1 ($short) waits for approval"
# the request went into the objects folder as one pack, never into the
# quarantine, which git throws away with a refused push
head=$(git --git-dir="$REPO" rev-parse refs/notes/printgate)
assert "quarantine: the request's notes commit is in a pack of the objects folder" \
    sh -c "git verify-pack -v '$REPO'/objects/pack/*.idx | grep -q '^$head commit '"
assert "quarantine: and nothing was written into the quarantine" \
    test "$(find "$Q" -type f | wc -l)" -eq 1
start_gate
mkdir -p "$T/elsewhere"
cp -r "$Q"/* "$T/elsewhere/"
hookq "$T/elsewhere"
assert_rc "a quarantine outside the repository: still decided (by the hook)" 1
assert "printgated reads no quarantine outside its repository" \
    grep -q "gate 'refs/tags/print/q1' .*the quarantine is not one of printgated's repository, the hook decides" "$GLOG"
# what git does once the hooks said yes: the objects move in
cp -r "$Q"/* "$REPO/objects/"
rm -rf "$Q" "$T/elsewhere"

# --- requests that are not the hook's
req() {
	printf 'printgate-gate 1\nconfig %s\ngitdir %s\nref %s\nold %s\nnew %s\n%s' \
	    "$CONF" "$REPO" "$1" 0000000000000000000000000000000000000000 \
	    "${2:-$c1}" "${3:-}" >"$T/req"
}
req refs/tags/print/../x
run "$PEER" send "$SOCK" "$T/req"
assert_out "a ref name git would refuse: told to decide itself" "fallback bad request"
assert "it is logged with the peer's uid" \
    grep -q "gate request from uid $(id -u) pid [0-9]*: ref is not a valid ref name, refused" "$GLOG"
req refs/heads/x "$c1" 'pusher_var PATH
pusher rruiz
'
run "$PEER" send "$SOCK" "$T/req"
assert_out "a pusher variable outside pusher_env: refused" "fallback bad request"
req refs/heads/x NOTHEX
run "$PEER" send "$SOCK" "$T/req"
assert_out "an id that is not 40 hex digits: refused" "fallback bad request"
printf 'printgate-gate 1\nconfig /etc/passwd\ngitdir %s\nref refs/heads/x\nold %s\nnew %s\n' \
    "$REPO" 0000000000000000000000000000000000000000 "$c1" >"$T/req"
run "$PEER" send "$SOCK" "$T/req"
assert_out "another config: the hook is told to read its own" \
    "fallback the hook's config is not printgated's"
printf '\377\377\377\377' >"$T/req"
run "$PEER" raw "$SOCK" "$T/req"
assert_rc "a frame over the cap: printgated hangs up" 1
assert "it is logged" grep -q "over 65536 bytes, refused" "$GLOG"
"$PEER" hold "$SOCK" 4 &
slow=$!
sleep 0.2
n=$(gate_served)
commit "Q3 brochure" brochures/emea/q3.txt="EMEA Q3"
push_as rruiz main
assert_rc "a silent client open: a push still passes" 0
assert "a silent client open: printgated still answers others" \
    test "$(gate_served)" -gt "$n"
wait "$slow"
assert "the silent client is closed after 2 s, and logged" \
    grep -q "none within 2000 ms, closed" "$GLOG"
assert "printgated still runs" kill -0 "$gate_pid"

# a push that git keeps as a pack (over receive.unpackLimit): printgated
# has not seen that pack yet, and reads the tag in it
git --git-dir="$REPO" config receive.unpackLimit 1
packs() { ls "$REPO"/objects/pack/*.pack 2>/dev/null | wc -l; }
before=$(packs)
commit "Q4 brochure" brochures/emea/q4.txt="EMEA Q4"
tag print/packed
n=$(gate_served)
push_as rruiz main print/packed
assert "a push kept as a pack: git kept one" test "$(packs)" -gt "$before"
assert_out "a push kept as a pack: printgated reads the tag in it" \
    "print/packed ($(rev --short HEAD)) waits for approval"
assert "a push kept as a pack: printgated answered" \
    test "$(gate_served)" -gt "$n"

# --- the socket systemd passes (printgated-gate.socket), which comes
# blocking: printgated must not then sit in accept() with its whole loop
if command -v systemd-socket-activate >/dev/null 2>&1; then
	stop_gate
	rm -f "$SOCK"
	n=$(gate_starts)
	systemd-socket-activate -l "$SOCK" --fdname=gate \
	    "$BUILD/printgated" -g -c "$CONF" >>"$GLOG" 2>&1 &
	gate_pid=$!
	wait_for 10 test -S "$SOCK"
	# the first connection starts it, as socket activation does
	run ctl check
	wait_for 20 gate_started "$n"
	assert "printgated takes the gate socket systemd passed" \
	    grep -q "gate: listening on the socket from systemd" "$GLOG"
	n=$(gate_served)
	commit "Q6 brochure" brochures/emea/q6.txt="EMEA Q6"
	push_as rruiz main
	commit "Q7 brochure" brochures/emea/q7.txt="EMEA Q7"
	push_as rruiz main
	assert_rc "pushes through the socket from systemd pass" 0
	assert "printgated answered both, not the hook itself" \
	    test "$(gate_served)" -eq $((n + 2))
	stops() { grep -c "stop: " "$GLOG"; }
	n=$(stops)
	kill "$gate_pid"
	wait_for 10 sh -c "[ \$(grep -c 'stop: ' '$GLOG') -gt $n ]"
	assert "printgated stops on SIGTERM, its loop not held" \
	    test "$(stops)" -gt "$n"
	kill -9 "$gate_pid" 2>/dev/null
	wait "$gate_pid" 2>/dev/null
	gate_pid=""
else
	pass "# SKIP the socket from systemd needs systemd-socket-activate"
fi

finish
