#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults in the ledger and the repository.
#
# Part 2, the notes ref locked by another writer (a stale or slow
# refs/notes/printgate.lock): printgatectl decide waits for the lock and
# records once it is gone; a decision over the API is answered 503
# "nothing was recorded" after the listener's 1.2 s deadline and leaves no
# line; two of them at once are both answered within Slack's 3 s; a push
# of an approved print tag is refused with the ledger error (the gate
# fails closed) and goes through once the lock is gone; a decision on
# the review page waits for the lock like chat's, and after the retries
# gets a page saying the ledger is busy with its form still filled in;
# printgated starting with a release due and the ledger locked keeps
# answering.
#
# Part 6, a repository that is missing, corrupt, or whose notes ref is
# garbage or points at a blob: printgatectl status, verify and decide exit
# 2 naming what is wrong; a push of a print tag is refused with the
# reason; printgated logs the error and keeps running; nothing rewrites
# the broken ref.
. "$(dirname "$0")/lib.sh"

LOCK="$REPO/refs/notes/printgate.lock"
# ms: a clock in milliseconds.
ms() { date +%s%3N; }
readies() { grep -c "ready: watching" "$DLOG" 2>/dev/null || echo 0; }
healthy() { curl -s -m 1 "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
# A decision that finds the ledger locked waits with its connection
# suspended, tried again from the loop's timer: the loop never waits on
# the lock (nor for printgated's own events: t-faults-engine-lock.sh).
healthy_within() { curl -s -m "$1" "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
# newtag NAME FILE=CONTENT: a commit and its refused print tag.
newtag() {
	commit "for $1" "$2"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$1"
	push_as rruiz "$1"
}
ledger_of() { ledger "$(rev "$1^{commit}")"; }
# api_decide TAG PERSON DECISION COMMENT: a signed API decision; $code, $OUT.
api_decide() {
	printf '{"tag":"%s","person":"%s","decision":"%s","comment":"%s"}' \
	    "$1" "$2" "$3" "$4" >"$T/api-$2"
	api "$T/api-$2"; echo >>"$OUT"
}

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main

# ===== Part 2: the notes ref locked by another writer
newtag print/l1 brochures/emea/l1.txt=L1
assert_rc "print/l1 waits for approval" 1
assert "the notes ref is a loose ref the lock applies to" test -f "$REPO/refs/notes/printgate"

# printgatectl decide waits for the lock, and records once it is gone.
: >"$LOCK"
( sleep 1; rm -f "$LOCK" ) &
unlocker=$!
t0=$(ms)
run ctl decide print/l1 --as alice approve --comment "after the lock"
t1=$(ms)
assert_rc "printgatectl decide with the ledger locked for 1 s: exit 0" 0
assert_out "printgatectl decide says what it recorded" "recorded: alice approve"
if [ $((t1 - t0)) -ge 900 ]; then pass "printgatectl decide waited for the lock ($((t1 - t0)) ms)"
else fail "printgatectl decide waited for the lock" "$((t1 - t0)) ms"; fi
n=$(ledger_of print/l1 | grep -c '"comment":"after the lock"')
if [ "$n" -eq 1 ]; then pass "the decision made while locked is in the ledger once"
else fail "the decision made while locked is in the ledger once" "$n lines"; fi
wait "$unlocker"

# A decision while another writer holds the lock for a while: it waits,
# /healthz is answered meanwhile, and once the lock is gone the decision
# is stored and answered 200.
: >"$LOCK"
( OUT="$T/out-w"; api_decide print/l1 alice approve "waited"
  echo "$code" >"$T/waited" ) &
pw=$!
sleep 0.3
t0=$(ms)
healthy_within 1
hrc=$?
t1=$(ms)
assert "GET /healthz is answered while a decision waits for the lock ($((t1 - t0)) ms)" \
    test "$hrc" -eq 0
assert "the decision is not answered while the lock is held" test ! -s "$T/waited"
assert "the waiting decision wrote nothing yet" \
    test "$(ledger_of print/l1 | grep -c '"comment":"waited"')" -eq 0
rm -f "$LOCK"
wait $pw
assert "the decision is answered 200 once the lock is gone" test "$(cat "$T/waited")" = 200
assert "the decision that waited is in the ledger once" \
    test "$(ledger_of print/l1 | grep -c '"by":"alice".*"comment":"waited"')" -eq 1
assert_not "the decision that waited is not logged as refused" \
    grep -q "record approve of .print/l1.*by alice: " "$DLOG"

# An API decision while the lock stays: 503 after the 1.2 s deadline.
: >"$LOCK"
before=$(notes_head)
t0=$(ms)
api_decide print/l1 bob approve "while locked"
t1=$(ms)
if [ "$code" = 503 ]; then pass "API decision with the ledger locked: 503"
else fail "API decision with the ledger locked: 503" "got $code"; fi
assert_out "the 503 says nothing was recorded" "nothing was recorded"
if [ $((t1 - t0)) -ge 1100 ] && [ $((t1 - t0)) -le 4000 ]; then
	pass "the 503 comes after the listener's 1.2 s deadline ($((t1 - t0)) ms)"
else fail "the 503 comes after the listener's 1.2 s deadline" "$((t1 - t0)) ms"; fi
n=$(ledger_of print/l1 | grep -c '"by":"bob"')
if [ "$n" -eq 0 ] && [ "$(notes_head)" = "$before" ]; then pass "the refused decision left no line"
else fail "the refused decision left no line" "$n lines by bob"; fi
assert "printgated logs the decision it could not record" \
    grep -q "record approve of 'print/l1.*by bob: timed out" "$DLOG"

# Two at once, while locked: each must be answered within Slack's 3 s.
( t0=$(ms); OUT="$T/out-a"; api_decide print/l1 bob approve "locked a"
  echo "$code $(($(ms) - t0))" >"$T/two-a" ) &
pa=$!
( t0=$(ms); OUT="$T/out-c"; api_decide print/l1 carol approve "locked c"
  echo "$code $(($(ms) - t0))" >"$T/two-c" ) &
pc=$!
sleep 0.5
t0=$(ms)
healthy_within 3
hrc=$?
t1=$(ms)
wait $pa $pc
echo "# answers while locked: bob $(cat "$T/two-a"), carol $(cat "$T/two-c") (code, ms)"
if [ "$(cut -d' ' -f1 "$T/two-a")" = 503 ] && [ "$(cut -d' ' -f1 "$T/two-c")" = 503 ]; then
	pass "two API decisions at once while locked: both 503"
else fail "two API decisions at once while locked: both 503" "$(cat "$T/two-a" "$T/two-c")"; fi
slow=$(cat "$T/two-a" "$T/two-c" | awk '$2 > 3000')
if [ -z "$slow" ]; then pass "two API decisions at once while locked: both answered within 3 s"
else : >"$OUT"; fail "two API decisions at once while locked: both answered within 3 s" \
    "answered after: $(cat "$T/two-a" "$T/two-c" | cut -d' ' -f2 | tr '\n' ' ')ms (the ledger waits block the event loop)"; fi
if [ "$hrc" -eq 0 ]; then pass "GET /healthz answers within 3 s while two decisions wait for the lock"
else : >"$OUT"; fail "GET /healthz answers within 3 s while two decisions wait for the lock" "no answer in $((t1 - t0)) ms"; fi
rm -f "$LOCK"

# A decision on the review page while the lock is held: it waits as chat's
# do and is answered once the lock is gone; a lock that stays gets the
# page that says the ledger is busy, the form still filled in, and
# nothing written.
newtag print/l3 brochures/emea/l3.txt=L3
L3=$(rev HEAD)
page=$(ctl link print/l3 --for bob)
page=${page#https://printgate.example.com}
curl -s -m 20 -o "$T/page3" "http://127.0.0.1:$HPORT$page"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$T/page3" | sed 's/.*value="//; s/"$//')
# page_decide DECISION COMMENT OUTFILE: the form posted; prints the status.
page_decide() {
	printf 'csrf=%s&decision=%s&comment=%s' "$csrf" "$1" "$(urlencode "$2")" >"$T/pform"
	curl -s -m 20 -o "$3" -w '%{http_code}' -X POST \
	    -H "Content-Type: application/x-www-form-urlencoded" \
	    --data-binary "@$T/pform" "http://127.0.0.1:$HPORT$page/decide"
}
bob_says() { ledger "$L3" | grep '"by":"bob"' | grep -c "$1"; }
: >"$LOCK"
( page_decide approve "through the lock" "$T/pw-out" >"$T/pw-code" ) &
pw=$!
sleep 0.3
assert "the page's decision is not answered while the lock is held" test ! -s "$T/pw-code"
assert "... and has written nothing yet" test "$(bob_says 'through the lock')" -eq 0
rm -f "$LOCK"
wait $pw
assert "the page's decision is answered 200 once the lock is gone" test "$(cat "$T/pw-code")" = 200
assert "... with the page saying it was recorded" grep -q "Your approval was recorded" "$T/pw-out"
assert "... and it is in the ledger once, via web:link" \
    test "$(ledger "$L3" | grep '"via":"web:link"' | grep -c 'through the lock')" -eq 1
: >"$LOCK"
before=$(notes_head)
code=$(page_decide changes-required "Pro must stay at 100" "$T/pb-out")
if [ "$code" = 503 ]; then pass "a page decision while the lock stays: 503 after the retries"
else fail "a page decision while the lock stays: 503 after the retries" "got $code"; fi
cp "$T/pb-out" "$OUT"
assert_out "... on the review page saying the ledger is busy, to send again" \
    "The ledger is busy just now" "not recorded yet" "Send it again"
assert_out "... with the choice and the comment still in the form" \
    'value="changes-required" required checked' '>Pro must stay at 100</textarea>' \
    'name="csrf"'
if [ "$(notes_head)" = "$before" ] && [ "$(bob_says 'Pro must stay')" -eq 0 ]; then
	pass "... and nothing was written"
else fail "... and nothing was written" "the ledger moved"; fi
assert "printgated logs the page decision it could not record" \
    grep -q "record changes-required of 'print/l3.*by bob: timed out" "$DLOG"
rm -f "$LOCK"
code=$(page_decide changes-required "Pro must stay at 100" "$T/pb-out")
if [ "$code" = 200 ] && grep -q "request for changes was recorded" "$T/pb-out"; then
	pass "sent again once the lock is gone: recorded"
else fail "sent again once the lock is gone: recorded" "got $code"; fi
assert "... once" test "$(bob_says 'Pro must stay at 100')" -eq 1

# A push of an approved print tag while locked: refused, then accepted.
commit "for l2" "brochures/emea/l2.txt=L2"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
c2=$(rev HEAD)
run ctl decide "$c2" --as alice approve
assert_rc "a commit is approved before it is tagged (alice)" 0
run ctl decide "$c2" --as carol approve
assert_rc "a commit is approved before it is tagged (carol)" 0
tag print/l2
l2obj=$(rev print/l2)
: >"$LOCK"
before=$(notes_head)
t0=$(ms)
push_as rruiz print/l2
t1=$(ms)
assert_rc "the approved tag pushed while the ledger is locked is refused" 1
assert_out "the refusal names the ledger and says nothing was recorded" \
    "refusing print/l2: cannot write the ledger (refs/notes/printgate)" \
    "nothing was recorded"
echo "# the locked push took $((t1 - t0)) ms"
assert_not "the refused tag does not exist" remote_ref refs/tags/print/l2
if [ "$(notes_head)" = "$before" ]; then pass "the refused push wrote nothing"
else fail "the refused push wrote nothing" "refs/notes/printgate moved"; fi
rm -f "$LOCK"
push_as rruiz print/l2
assert_rc "once the lock is gone the same push goes through" 0
assert_out "and says it is released" "print/l2" "approved: released"
assert "the tag is the one pushed" test "$(remote_ref refs/tags/print/l2)" = "$l2obj"
n=$(ledger "$c2" | grep -c '"type":"released"')
if [ "$n" -eq 1 ]; then pass "one released event for print/l2"
else fail "one released event for print/l2" "$n"; fi

# printgated starts with a release due while the ledger is locked: it
# cannot write the released event, says so, and keeps answering.
stop_daemon
run ctl decide print/l1 --as carol approve
assert_rc "print/l1 approved while printgated is down" 0
: >"$LOCK"
nr=$(readies)
rm -f "$T/state/http-port"
"$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
daemon_pid=$!
listener
sleep 0.5
t0=$(ms)
healthy
hrc=$?
t1=$(ms)
if [ "$hrc" -eq 0 ]; then pass "with a release due and the ledger locked, /healthz answers within 1 s"
else : >"$OUT"; fail "with a release due and the ledger locked, /healthz answers within 1 s" \
    "no answer in $((t1 - t0)) ms (printgated waits for the lock inside its event loop)"; fi
wait_for 15 grep -q "write released event of 'print/l1': the ledger stayed locked" "$DLOG"
assert "printgated logs that it could not write the released event" \
    grep -q "write released event of 'print/l1': the ledger stayed locked, will retry" "$DLOG"
assert "printgated keeps running" kill -0 "$daemon_pid"
assert_not "print/l1 is not released while the ledger is locked" remote_ref refs/tags/print/l1
rm -f "$LOCK"
wait_for 15 remote_ref refs/tags/print/l1
assert "once the lock is gone print/l1 is released (retried from the timer)" \
    remote_ref refs/tags/print/l1
n=$(ledger_of print/l1 | grep -c '"type":"released"')
if [ "$n" -eq 1 ]; then pass "one released event for print/l1"
else fail "one released event for print/l1" "$n"; fi
wait_for 10 healthy
assert "printgated is healthy after the lock" healthy

finish
