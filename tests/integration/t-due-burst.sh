#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Many deliveries due at once, the first of them out of date: every
# receiver fails everything (429, Retry-After 8) while print/a is
# requested, print/b is requested and print/a is approved and released;
# printgated is then stopped past every retry's time and continued, so
# that one round finds them all due.  The requests for print/a are
# dropped (released since), and every other delivery arrives exactly
# once.  Without ids kept across the round, a dropped delivery moved the
# rest under the round's feet: one was skipped, another sent twice.
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
mode "retry-after 8"
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/a
push_as rruiz print/a
assert_rc "print/a waits" 1
commit "Q2 brochure" brochures/emea/q2.txt="EMEA Q2"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/b
push_as rruiz print/b
assert_rc "print/b waits" 1
for who in alice bob; do
	printf '{"tag":"print/a","person":"%s","decision":"approve"}' "$who" >"$T/api"
	api "$T/api"
	assert "$who approves print/a: 200" test "$code" = 200
done
wait_for 20 remote_ref refs/tags/print/a
assert "print/a is released" remote_ref refs/tags/print/a
# released_tried: the Released messages went to the receiver (and got 429)
released_tried() { bodies /slack | grep -q 'was released'; }
wait_for 20 released_tried
assert "Released was tried, and answered 429" released_tried
wait_for 10 grep -q "deliver released for 'print/a@.*' to 'teams'.*will retry" "$DLOG"
assert_not "nothing was dropped yet" grep -q "drop delivery" "$DLOG"
kill -STOP "$daemon_pid"
mode ok
tried=$(wc -l <"$RCV/log")
sleep 9		# past every Retry-After: all due when it continues
kill -CONT "$daemon_pid"

all_released() {
	for p in /slack /mm /teams /released; do
		ok_bodies "$p" | grep -q 'released' || return 1
	done
}
wait_for 30 all_released
assert "Released reached every channel" all_released
dropped() {
	grep -c "drop delivery '[0-9a-f]*' of request for 'print/a@[0-9a-f]*' to '$1': 'print/a' was released since" "$DLOG"
}
wait_for 10 test "$(grep -c "drop delivery" "$DLOG")" -eq 4
for to in sales mm teams audit; do
	assert "the request for print/a to '$to' is dropped as out of date" \
	    test "$(dropped "$to")" -eq 1
done
sleep 1
for p in /slack /mm /teams; do
	assert "$p: the request for print/b arrived once" test \
	    "$(ok_bodies "$p" | grep -c 'Review requested: print/b')" -eq 1
	assert "$p: no request for print/a arrived" test \
	    "$(ok_bodies "$p" | grep -c 'Review requested: print/a')" -eq 0
done
# nothing taken twice: no channel answered 200 to the same body twice
sed -n "$((tried + 1)),\$p" "$RCV/log" | grep ' 200$' |
    while read -r n _ path _; do
	    printf '%s %s\n' "$path" "$(sha256sum <"$RCV/$(printf 'req-%06d.body' "$n")")"
    done | sort | uniq -d >"$T/twice"
assert "no delivery was sent twice" test ! -s "$T/twice"
assert "every delivery left the outbox" test -z "$(ls "$T/state/outbox")"
finish
