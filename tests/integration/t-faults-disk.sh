#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults, part 3: the state directory is full.  state_dir lives on a
# 200 KiB tmpfs (skipped where mount is not allowed); once it is filled,
# a refused print tag cannot be queued: printgated says so, naming the
# error, leaves no half-written delivery, keeps running and answering, and
# still records decisions (they go to the repository).  Once there is room
# again and printgated is told (SIGHUP), the queued work is done: the
# review request and the decision arrive.
. "$(dirname "$0")/lib.sh"

FULL="$T/full"
mounted=""
skip() { pass "# SKIP $1"; }
# unmount before lib.sh's cleanup removes $T (printgated first: it must
# not hold anything on the tmpfs)
cleanup_mount() {
	[ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null &&
	    wait "$daemon_pid" 2>/dev/null
	daemon_pid=""
	[ -n "$mounted" ] && { umount "$FULL" 2>/dev/null || umount -l "$FULL"; }
	mounted=""
	cleanup_processes
}
trap cleanup_mount EXIT INT TERM

mkdir -p "$FULL"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=200k,mode=0700 tmpfs "$FULL" 2>"$OUT"; then
	why="cannot mount a tmpfs here (uid $(id -u): $(head -n 1 "$OUT"))"
	for w in "a full state directory: printgated says it cannot queue" \
	    "a full state directory: printgated keeps running and answering" \
	    "a full state directory: decisions are still recorded" \
	    "a full state directory: queued work is done once there is room"; do
		skip "$w: $why"
	done
	finish
fi
mounted=1
mkdir "$FULL/state"
ln -s "$FULL/state" "$T/state"	# state_dir = "$T/state" in lib.sh's config

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
# newtag NAME FILE=CONTENT: a commit and its refused print tag.
newtag() {
	commit "for $1" "$2"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$1"
	push_as rruiz "$1"
}
healthy() { curl -s -m 1 "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
arrived() { bodies "$1" | grep -q "$2"; }
settled() { [ -z "$(ls -A "$T/state/outbox")" ]; }

newtag print/d0 brochures/emea/d0.txt=D0
wait_for 10 arrived /hook '"tag":"print/d0"'
assert "with room in the state directory, the request arrives" arrived /hook '"tag":"print/d0"'
wait_for 10 settled

# Fill it.
dd if=/dev/zero of="$FULL/fill" bs=4k count=100 2>/dev/null
df -k "$FULL" | sed 's/^/# /'
assert_not "the state directory is full" sh -c "echo x >'$FULL/probe'"
rm -f "$FULL/probe"
nl=$(wc -l <"$DLOG")
newtag print/d1 brochures/emea/d1.txt=D1
assert_rc "a print tag is still refused with the state directory full" 1
assert_out "the refusal is the usual one (the hook writes to the repository)" "waits for approval"
since() { tail -n +"$((nl + 1))" "$DLOG"; }
wait_for 10 sh -c "tail -n +$((nl + 1)) '$DLOG' | grep -q 'queue .*print/d1'"
since >"$OUT"
assert_out "printgated says it cannot queue the request, and why" \
    "queue review requested for 'print/d1@" "No space left on device"
assert_out "printgated says it will retry the events" "will retry"
assert "printgated keeps running" kill -0 "$daemon_pid"
assert "printgated answers /healthz" healthy
left=$(ls -A "$T/state/outbox")
if [ -z "$left" ]; then pass "no half-written delivery is left in the outbox"
else fail "no half-written delivery is left in the outbox" "$left"; fi
printf '{"tag":"print/d1","person":"bob","decision":"approve","comment":"while full"}' >"$T/api-full"
api "$T/api-full"; echo >>"$OUT"
if [ "$code" = 200 ]; then pass "a decision is recorded with the state directory full"
else fail "a decision is recorded with the state directory full" "got $code"; fi
ledger "$(rev 'print/d1^{commit}')" >"$OUT"
assert_out "the decision is in the ledger" '"by":"bob"' '"comment":"while full"'
sleep 1
assert_not "nothing about print/d1 arrived while the state directory was full" \
    arrived /hook '"tag":"print/d1"'

# Room again; SIGHUP makes printgated look again.
rm -f "$FULL/fill"
kill -HUP "$daemon_pid"
wait_for 15 arrived /hook 'while full'
assert "once there is room, the review request arrives" arrived /hook '"type":"printgate.review-requested".*"tag":"print/d1"'
assert "and the decision made while it was full arrives" arrived /hook 'while full'
for p in /slack /mm /teams; do
	wait_for 10 arrived "$p" 'print/d1'
	assert "$p: the request for print/d1 arrives" arrived "$p" 'print/d1'
done
wait_for 10 settled
assert "the outbox empties" settled
stop_daemon
if [ "$daemon_rc" -eq 0 ]; then pass "printgated stops cleanly"
else fail "printgated stops cleanly" "exit $daemon_rc"; fi
umount "$FULL" && mounted=""
assert "the tmpfs is unmounted" test -z "$mounted"
finish
