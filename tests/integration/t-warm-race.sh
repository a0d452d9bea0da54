#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The gate's two paths racing on one push: printgated takes the request
# and is slow to decide (strace holds its open of the pushed tag object
# for 4 s, as a stalled disk would), the hook gives up after its 2 s and
# decides itself, and printgated decides and writes when it wakes.  The
# approved tag goes through once, with one released line (the hook and
# printgated write the same event id, and the second writer finds it);
# the same for a refused tag and its request line.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 ||
    { echo "Bail out! strace is missing (scripts/deps.sh)"; exit 1; }

setup
SOCK="$T/state/gate.sock"
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
push_as rruiz main
c1=$(rev HEAD)
short=${c1%"${c1#???????}"}
tag print/r0
push_as rruiz print/r0
assert_rc "a first tag waits for approval (no printgated)" 1

# slow_gate TAG: printgated -g whose first open of TAG's object (loose,
# as git stores a small push) sleeps 4 s
slow_gate() {
	n=$(gate_starts)
	obj=$(rev "$1")
	obj="$REPO/objects/${obj%"${obj#??}"}/${obj#??}"
	strace -qq -f -o "$T/strace.${1#print/}" -P "$obj" -e trace=open,openat \
	    -e inject=open,openat:delay_enter=4000000:when=1 \
	    "$BUILD/printgated" -g -c "$CONF" >>"$GLOG" 2>&1 &
	traced_pid=$!
	wait_for 20 gate_started "$n" ||
	    { echo "Bail out! printgated -g did not start"; cat "$GLOG"; exit 1; }
	# $gate_pid is printgated's, so that the end of the script stops it
	gate_pid=$(pgrep -P "$traced_pid" printgated)
}
# fast_gate: printgated stopped, and strace with it
fast_gate() {
	stop_gate
	wait "$traced_pid" 2>/dev/null
}
# lines TYPE TAG: how many TYPE lines the ledger has for TAG
lines() {
	ledger "$c1" | grep -c "\"type\":\"$1\",.*\"tag\":\"$2\""
}
# answered TAG: printgated logged its own decision on TAG
answered() {
	grep -q "gate 'refs/tags/$1' from uid $(id -u) pid [0-9]* (REMOTE_USER 'rruiz'): $2" "$GLOG"
}

# --- approved: released once
run ctl decide print/r0 --as alice approve
run ctl decide print/r0 --as bob approve
tag print/r1
slow_gate print/r1
push_as rruiz print/r1
assert_rc "slow printgated: the approved tag passes (the hook decided)" 0
assert_out "slow printgated: the pusher reads that it is released" \
    "printgate: print/r1 ($short) is approved: released"
assert "the tag is on the server" remote_ref refs/tags/print/r1
wait_for 10 answered print/r1 passed
assert "printgated decided it too, after the hook had given up" \
    answered print/r1 passed
assert "printgated's answer found the hook gone, and said so" \
    grep -q "gate answer to uid $(id -u) pid [0-9]*: the hook did not wait for it, and decided itself" "$GLOG"
n=$(lines released print/r1)
if [ "$n" -eq 1 ]; then pass "one released line for the push, not two"
else fail "one released line for the push, not two" "$n lines"; ledger "$c1" | sed 's/^/#   /'; fi
assert "no write failed" sh -c "! grep -q 'cannot write' '$GLOG'"
fast_gate

# --- unapproved: asked once
commit "Q2 brochure" brochures/emea/q2.txt="EMEA Q2"
push_as rruiz main
c1=$(rev HEAD)
short=${c1%"${c1#???????}"}
tag print/r2
slow_gate print/r2
push_as rruiz print/r2
assert_rc "slow printgated: an unapproved tag is refused" 1
assert_out "slow printgated: the refusal is the gate's" \
    "remote: printgate: print/r2 ($short) waits for approval"
wait_for 10 answered print/r2 refused
assert "printgated decided it too" answered print/r2 refused
n=$(lines request print/r2)
if [ "$n" -eq 1 ]; then pass "one request line for the push, not two"
else fail "one request line for the push, not two" "$n lines"; ledger "$c1" | sed 's/^/#   /'; fi
fast_gate

# --- the event id is the pusher's to choose: one of another event there
# (an approval's) must not stand in for the released line
c1=$(rev print/r1^{commit})
approval=$(ledger "$c1" | grep '"type":"approve"' | head -n 1 |
    sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
git -C "$WORK" tag -a print/r3 -m print/r3 "$c1"
tagobj=$(rev print/r3)
git -C "$WORK" cat-file tag "$tagobj" |
    git --git-dir="$REPO" hash-object -t tag -w --stdin >/dev/null
start_gate
printf 'printgate-gate 1\nconfig %s\ngitdir %s\nref refs/tags/print/r3\nold %s\nnew %s\npusher_var REMOTE_USER\npusher rruiz\nevent %s\n' \
    "$CONF" "$REPO" 0000000000000000000000000000000000000000 "$tagobj" \
    "$approval" >"$T/req"
run "$BUILD/tests/gate-peer" send "$T/state/gate.sock" "$T/req"
assert_out "warm path: a push whose event id is an approval's is refused" \
    "exit 1" "refusing print/r3: cannot write the ledger" \
    "another event of the same id is there"
sed 's/^event .*/event NOTHEX/' "$T/req" >"$T/req2"
run "$BUILD/tests/gate-peer" send "$T/state/gate.sock" "$T/req2"
assert_out "warm path: an event id that is not 32 hex digits is a bad request" \
    "fallback bad request"
stop_gate
run env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz \
    "$BUILD/printgate-update-local" -c "$CONF" -e "$approval" \
    refs/tags/print/r3 0000000000000000000000000000000000000000 "$tagobj"
assert_rc "fallback: a push whose event id is an approval's is refused" 1
assert_out "fallback: it says why" "another event of the same id is there"
run env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz \
    "$BUILD/printgate-update-local" -c "$CONF" -e 1234 \
    refs/tags/print/r3 0000000000000000000000000000000000000000 "$tagobj"
assert_rc "fallback: an event id that is not one refuses (exit 2)" 2
assert_out "fallback: it says what an event id is" \
    "-e '1234': an event id is 32 lowercase hex digits"
assert "no released line for print/r3 in any of it" \
    test "$(lines released print/r3)" -eq 0
assert_not "print/r3 is not on the server" remote_ref refs/tags/print/r3

finish
