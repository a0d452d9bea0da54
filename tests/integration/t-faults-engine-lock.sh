#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# printgated's own ledger writes while another writer holds the ledger's
# lock (refs/notes/printgate.lock): six reminders fall due, each finds the
# lock held and is tried again from the loop's timer instead of waiting
# inside the loop, so /healthz is answered while the lock is still there;
# the failure is logged once per reminder, not at every retry; once the
# lock is gone every reminder is written, once, with no signal or push to
# wake printgated.
. "$(dirname "$0")/lib.sh"

LOCK="$REPO/refs/notes/printgate.lock"
tags="print/k1 print/k2 print/k3 print/k4 print/k5 print/k6"
# reminded: how many of the tags have their remind line
reminded() {
	ledger "$c1" | grep '"type":"remind"' | sed 's/.*"tag":"\([^"]*\)".*/\1/' |
	    sort -u | wc -l
}
all_reminded() { [ "$(reminded)" -eq 6 ]; }
tried() { grep -c "write remind event of 'print/k[1-6]': the ledger stayed locked" "$DLOG"; }
tried_one() { [ "$(tried)" -ge 1 ]; }

start_receiver
NOTIFY_CONF=$(notify_config)
setup 'review = { remind_after = "5s"; escalate_after = "1h"; };'
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
commit "Q4" brochures/emea/q4.txt="EMEA Q4"
c1=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
for t in $tags; do tag "$t"; done
# shellcheck disable=SC2086
push_as rruiz $tags
assert_rc "six print tags wait for approval" 1
: >"$LOCK"
assert "the six requests are in the ledger" \
    test "$(ledger "$c1" | grep -c '"type":"request"')" -eq 6
before=$(notes_head)

wait_for 20 tried_one
assert "a reminder falls due and finds the ledger locked (logged)" tried_one
code=$(curl -s -m 2 -o "$OUT" -w '%{http_code}' "http://127.0.0.1:$HPORT/healthz")
if [ "$code" = 200 ] && grep -q ok "$OUT"; then
	pass "GET /healthz is answered while the reminders wait for the lock"
else fail "GET /healthz is answered while the reminders wait for the lock" "got '$code'"; fi
assert "the lock was still held when it answered" test -e "$LOCK"
assert "nothing was written while locked" test "$(notes_head)" = "$before"
wait_for 20 sh -c "[ \$(grep -c \"write remind event of 'print/k[1-6]': the ledger stayed locked\" '$DLOG') -ge 6 ]"
sleep 1	# retry scans while the lock stays
n=$(tried)
if [ "$n" -eq 6 ]; then pass "each reminder's wait is logged once, not at every retry"
else fail "each reminder's wait is logged once, not at every retry" "$n lines"; fi

rm -f "$LOCK"
wait_for 15 all_reminded
assert "once the lock is gone every reminder is written, by the timer" all_reminded
n=$(ledger "$c1" | grep -c '"type":"remind"')
if [ "$n" -eq 6 ]; then pass "six remind lines, one per tag"
else fail "six remind lines, one per tag" "$n"; fi
# said at the end of the scan that wrote them, after their deliveries
# are queued: the ledger can show the lines before the log does
free_again() {
	grep -q "ledger: no longer locked, the daemon's own events are written" \
	    "$DLOG"
}
wait_for 10 free_again
assert "printgated says the ledger is free again" free_again
wait_for 10 sh -c "[ \$(grep -c ' /slack ' '$RCV/log') -ge 12 ]"
bodies /slack >"$OUT"
assert_out "the reminders are sent" "Reminder: print/k1" "Reminder: print/k6"

stop_daemon
finish
