#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Outbound delivery under faults: a receiver that is down, one that stalls,
# kill -9 with deliveries pending, 429 with Retry-After, 410 Gone, and
# printgatectl outbox.
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main 2>/dev/null
n=0
# newtag NAME: a new commit and a refused print tag, so a request goes out.
newtag() {
	n=$((n + 1))
	commit "change $n" "brochures/emea/f$n.txt=content $n"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$1"
	push_as rruiz "$1"
}
# settled: every queued delivery went out.
settled() { [ -z "$(ls "$T/state/outbox")" ]; }
# ids_of PATH STATUS: the delivery ids the receiver answered STATUS for.
ids_of() {
	grep " $1 $2\$" "$RCV/log" | cut -d' ' -f1 | while read -r k; do
		grep -i '^x-printgate-delivery: ' "$RCV/$(printf 'req-%06d.headers' "$k")" |
		    cut -d' ' -f2 | tr -d '\r'
	done | sort
}

# --- a stalled endpoint does not hold up the others
mode "/slack stall"
newtag print/stall
wait_for 10 has_requests /hook 1
assert "with Slack stalled, the webhook still gets its request" has_requests /hook 1
assert "with Slack stalled, Teams still gets its request" has_requests /teams 1
assert "with Slack stalled, Mattermost still gets its request" has_requests /mm 1
assert "the stalled Slack request was made" has_requests /slack 1
# (the stalled transfer ends when the receiver goes away below; it is
# retried and delivered then)

# --- the receiver is down: retried, delivered once it is back
stop_receiver
before=$(requests /hook)
newtag print/down
wait_for 10 grep -q "deliver request for 'print/down@.*will retry in" "$DLOG"
assert "a refused connection is retried later, and the log says when" \
    grep -q "deliver request for 'print/down@.*will retry in [0-9]* s" "$DLOG"
start_receiver "$PORT"
mode ok
wait_for 20 sh -c "grep -h '\"tag\":\"print/down\"' '$RCV'/req-*.body"
assert "once the receiver is back, the request arrives" \
    sh -c "grep -qh '\"tag\":\"print/down\"' '$RCV'/req-*.body"
wait_for 20 settled
assert "every delivery waiting for the receiver went out" settled

# --- kill -9 with deliveries pending; all arrive after a restart
mode "status 500"
newtag print/crash
wait_for 10 sh -c "[ \$(grep -c ' 500\$' '$RCV/log') -ge 4 ]"
queued=$(ls "$T/state/outbox" | sort)
nq=$(echo "$queued" | grep -c .)
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=""
if [ "$nq" -ge 4 ]; then pass "deliveries wait in the outbox when printgated is killed"
else fail "deliveries wait in the outbox when printgated is killed" "$nq queued"; fi
mode ok
start_daemon
wait_for 20 sh -c "[ -z \"\$(ls '$T/state/outbox')\" ]"
assert "after the restart the outbox empties" sh -c "[ -z \"\$(ls '$T/state/outbox')\" ]"
delivered=$(for p in /slack /mm /teams /hook; do ids_of "$p" 200; done | sort -u)
missing=$(echo "$queued" | while read -r id; do
	echo "$delivered" | grep -qx "$id" || echo "$id"
done)
if [ -z "$missing" ]; then pass "every delivery queued before kill -9 arrived, with its stable id"
else fail "every delivery queued before kill -9 arrived, with its stable id" "missing: $missing"; fi
# At least once: a repeat carries the id of the first, so each channel saw
# the review request of print/crash under exactly one id.
for p in /slack /mm /teams /hook; do
	ids=$(grep " $p 200\$" "$RCV/log" | cut -d' ' -f1 | while read -r k; do
		b="$RCV/$(printf 'req-%06d' "$k")"
		grep -q 'print/crash' "$b.body" &&
		    grep -i '^x-printgate-delivery: ' "$b.headers" | cut -d' ' -f2
	done | sort -u | grep -c .)
	if [ "$ids" -eq 1 ]; then pass "$p: the request for print/crash came under one delivery id"
	else fail "$p: the request for print/crash came under one delivery id" "$ids ids"; fi
done

# --- 429 with Retry-After is honoured
mode "/hook retry-after 30"
newtag print/busy
wait_for 10 grep -q "deliver request for 'print/busy@.*HTTP 429" "$DLOG"
assert "a 429 is retried no sooner than its Retry-After" \
    grep -Eq "deliver request for 'print/busy@[^ ]* to 'audit' .*HTTP 429.*will retry in (30|31) s" "$DLOG"

# --- 410 Gone is given up at once, listed, and can be requeued
mode "/teams status 410"
newtag print/gone
wait_for 10 grep -q "deliver request for 'print/gone@.*given up" "$DLOG"
assert "a 410 is given up at once, and the log says how to retry" \
    grep -q "deliver request for 'print/gone@[^ ]* to 'teams' .*HTTP 410.*given up and moved to dead (printgatectl outbox retry" "$DLOG"
run ctl outbox
assert_rc "outbox: something is listed" 0
assert_out "outbox lists the dead delivery with its last error" "dead " "teams" "HTTP 410"
assert_out "outbox lists the delivery waiting for Retry-After" "outbox " "audit" "HTTP 429"
dead=$(ls "$T/state/dead" | head -n 1)
run ctl outbox retry "$dead"
assert_rc "outbox retry requeues a dead delivery" 0
assert "the requeued delivery is in the outbox again" test -f "$T/state/outbox/$dead"
run ctl outbox retry 0123456789abcdef0123456789abcdef
assert_rc "outbox retry of an unknown id: nothing found" 1

stop_daemon
finish
