#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Group commit: decisions that reach printgated together are written to
# the ledger as one notes commit, and each is answered only once that
# commit is on disk.
#
# Part 1: six API decisions arrive while another writer holds the notes
# ref's lock: none is answered, none is in the ledger, /metrics says six
# wait; the lock gone, all six are answered 200, each line is in its
# commit's note once, and they are one notes commit on top of the one
# before, its message listing the six.
# Part 2: the same six again (replays) are answered as handled before and
# write nothing; a lock that stays past the listener's 1.2 s fails every
# decision of the batch with 503 and writes none of them.
# Part 3: many decisions at once, and printgated killed with SIGKILL in
# the middle of them: every decision answered 200 is in the ledger.
. "$(dirname "$0")/lib.sh"

LOCK="$REPO/refs/notes/printgate.lock"
ledger_of() { ledger "$(rev "$1^{commit}")"; }
# newtag NAME FILE=CONTENT: a commit and its refused print tag.
newtag() {
	commit "for $1" "$2"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$1"
	push_as rruiz "$1"
}
# decide_bg NAME TAG PERSON DECISION COMMENT [ID]: a signed API decision
# in the background; its status goes to $T/code-NAME when it is answered.
decide_bg() {
	printf '{"tag":"%s","person":"%s","decision":"%s","comment":"%s"}' \
	    "$2" "$3" "$4" "$5" >"$T/api-$1"
	( OUT="$T/out-$1"; api "$T/api-$1" "" "${6:-}"; echo "$code" >"$T/code-$1" ) &
	bg="$bg $!"
}
# answers: waits for the decisions sent in the background (not for
# printgated, also a child of this shell).
bg=""
answers() {
	for p in $bg; do wait "$p"; done
	bg=""
}
waiting() {
	curl -s -m 2 "http://127.0.0.1:$HPORT/metrics" |
	    awk '$1 == "printgate_decisions_waiting" { print $2 }'
}
waiting_is() { [ "$(waiting)" = "$1" ]; }
# connected N: N connections to the listener, accepted or not.
connected() {
	[ "$(ss -Htn state established "( sport = :$HPORT )" | wc -l)" -ge "$1" ]
}
codes() { cat "$T"/code-"$1"* 2>/dev/null | sort | uniq -c | tr -s ' \n' ' '; }

command -v ss >/dev/null 2>&1 || { echo "Bail out! ss is missing (iproute2: scripts/deps.sh)"; exit 1; }
start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
for i in 1 2 3 4 5 6; do
	newtag print/g$i brochures/emea/g$i.txt=G$i
done

# ===== Part 1: six at once, the ledger locked
# printgated is stopped while the six connect, so that it reads all of
# them at once; they then wait together for the lock.
before=$(notes_head)
kill -STOP "$daemon_pid"
for i in 1 2 3 4 5 6; do
	decide_bg b$i print/g$i alice approve "batch $i" "msg_batch_$i"
done
wait_for 10 connected 6 || echo "# only $(ss -Htn state established "( sport = :$HPORT )" | wc -l) connected"
: >"$LOCK"
kill -CONT "$daemon_pid"
assert "six decisions wait for the locked ledger together" wait_for 10 waiting_is 6
assert "none of them is answered while the lock is held" test -z "$(codes b)"
assert "none of them is in the ledger yet" \
    test "$(for i in 1 2 3 4 5 6; do ledger_of print/g$i; done | grep -c '"comment":"batch ')" -eq 0
rm -f "$LOCK"
answers
assert "all six are answered 200 once the lock is gone ($(codes b))" \
    test "$(codes b)" = " 6 200 "
n=0
for i in 1 2 3 4 5 6; do
	[ "$(ledger_of print/g$i | grep -c "\"by\":\"alice\".*\"comment\":\"batch $i\"")" -eq 1 ] && n=$((n + 1))
done
assert "each of the six is in its commit's note, once ($n of 6)" test "$n" -eq 6
assert "the six are one notes commit" \
    test "$(git --git-dir="$REPO" rev-list --count "$before..refs/notes/printgate")" -eq 1
assert "on top of the notes commit before them" \
    test "$(git --git-dir="$REPO" rev-parse refs/notes/printgate^)" = "$before"
git --git-dir="$REPO" log -1 --format=%B refs/notes/printgate >"$T/message"
assert "its message says six events" test "$(head -n 1 "$T/message")" = "6 events"
assert "and lists each of them" \
    test "$(grep -c "^approve print/g[1-6] (.*) by alice via api" "$T/message")" -eq 6
assert "nothing is waiting any more" waiting_is 0

# ===== Part 2: replays, and a lock that stays
before=$(notes_head)
for i in 1 2 3 4 5 6; do
	decide_bg r$i print/g$i alice approve "batch $i" "msg_batch_$i"
done
answers
assert "the six replayed are answered 200 ($(codes r))" test "$(codes r)" = " 6 200 "
assert "as handled before" \
    test "$(grep -l "already recorded" "$T"/out-r* | wc -l)" -eq 6
assert "and write nothing" test "$(notes_head)" = "$before"

: >"$LOCK"
kill -STOP "$daemon_pid"
for i in 1 2 3; do
	decide_bg l$i print/g$i bob changes-required "locked $i"
done
wait_for 10 connected 3
kill -CONT "$daemon_pid"
answers
assert "a lock held past 1.2 s: every decision of the batch is answered 503 ($(codes l))" \
    test "$(codes l)" = " 3 503 "
assert "saying nothing was recorded" \
    test "$(grep -l "nothing was recorded" "$T"/out-l* | wc -l)" -eq 3
assert "none of them is in the ledger" test "$(notes_head)" = "$before"
assert "each is logged as not recorded" \
    test "$(grep -c "record changes-required of 'print/g[1-3].*by bob: timed out" "$DLOG")" -eq 3
rm -f "$LOCK"

# ===== Part 2b: a reload while decisions wait for the lock
# Each waiting decision holds a review of the configuration in use: the
# reload (SIGHUP) waits until they are answered (here 503, the lock
# held past 1.2 s), rather than freeing that configuration under them.
reloads() { grep -c "reload '.*': done" "$DLOG"; }
r0=$(reloads)
: >"$LOCK"
kill -STOP "$daemon_pid"
for i in 1 2; do
	decide_bg h$i print/g$i carol changes-required "reload $i"
done
wait_for 10 connected 2
kill -CONT "$daemon_pid"
wait_for 10 waiting_is 2
printf '\n# edited while decisions wait\n' >>"$CONF"
kill -HUP "$daemon_pid"
answers
assert "the decisions waiting during a reload are answered ($(codes h))" \
    test "$(codes h)" = " 2 503 "
assert "the reload says it waits for them" \
    grep -q "reload: after the 2 decisions waiting for the ledger" "$DLOG"
assert "and is done once they are answered" wait_for 10 sh -c "[ \$(grep -c \"reload '.*': done\" '$DLOG') -gt $r0 ]"
first_done=$(grep -n "reload '.*': done" "$DLOG" | tail -n 1 | cut -d: -f1)
last_fail=$(grep -n "record changes-required of 'print/g[12].*by carol: timed out" "$DLOG" | tail -n 1 | cut -d: -f1)
assert "not before: the reload comes after both were answered (log lines $last_fail, $first_done)" \
    test "${last_fail:-0}" -gt 0 -a "${first_done:-0}" -gt "${last_fail:-0}"
rm -f "$LOCK"
decide_bg h3 print/g3 carol changes-required "after the reload"
answers
assert "a decision after the reload is recorded ($(codes h3))" test "$(codes h3)" = " 1 200 "

# A clean stop after all of that: exit 0 (under the sanitizers, also no
# leak of a ticket, a batch or a review held for an answer).
stop_daemon
assert "printgated stops cleanly after the batches (exit $daemon_rc)" test "$daemon_rc" -eq 0
rm -f "$T/state/http-port"
start_daemon
listener || { echo "Bail out! no listener after the restart"; exit 1; }

# ===== Part 3: SIGKILL in the middle of many decisions
# Two people's streams of decisions, one after the other in each (a
# request for changes with a new comment is a new decision each time),
# printgated killed once a few are answered.
stream() {
	for r in 1 2 3; do
		for i in 1 2 3 4 5 6; do
			printf '{"tag":"print/g%s","person":"%s","decision":"changes-required","comment":"killed %s %s %s"}' \
			    "$i" "$1" "$1" "$i" "$r" >"$T/api-k$1$i$r"
			OUT="$T/out-k$1$i$r"
			api "$T/api-k$1$i$r"
			echo "$code" >"$T/code-k$1$i$r"
		done
	done
}
stream bob &
bg="$bg $!"
stream carol &
bg="$bg $!"
answered() { [ "$(cat "$T"/code-k* 2>/dev/null | grep -c 200)" -ge 4 ]; }
wait_for 30 answered
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=""
answers
ok=0 lost=""
for f in "$T"/code-k*; do
	[ "$(cat "$f")" = 200 ] || continue
	k=${f#"$T"/code-k}
	p=${k%??} i=${k#"$p"} r=${i#?} i=${i%?}
	if [ "$(ledger_of print/g$i | grep -c "\"comment\":\"killed $p $i $r\"")" -eq 1 ]; then
		ok=$((ok + 1))
	else
		lost="$lost $p$i.$r"
	fi
done
echo "# answered before SIGKILL: $(codes k)"
assert "decisions were answered before SIGKILL ($ok)" test "$ok" -ge 4
assert "every decision answered 200 is in the ledger after SIGKILL (lost:${lost:- none})" \
    test -z "$lost"
rm -f "$T/state/http-port"
start_daemon
listener || { echo "Bail out! no listener after SIGKILL"; exit 1; }
assert "printgated starts again on that ledger" \
    sh -c "curl -s -m 5 http://127.0.0.1:$HPORT/healthz | grep -q ok"

finish
