#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Durability: printgated answers a hook on the warm path, and a decision
# with 200, only after the ledger's objects, its ref and the ref's folder
# are fsynced (the gate's objects as one pack, a decision's loose); two
# decisions written together (one notes commit) are each answered only
# after that commit's fsyncs; the hook deciding itself exits only after
# its pack and ref are fsynced.  The programs run under strace, and the
# order of their system calls is read from the trace.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null 2>&1 || { echo "Bail out! strace is missing (scripts/deps.sh)"; exit 1; }
start_receiver
NOTIFY_CONF=$(notify_config)
setup
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
c1=$(rev HEAD)
push_as rruiz main

TRACE="$T/trace"
# traced CMD...: runs CMD in the background under strace; $daemon_pid is
# CMD's (so that the end of the script stops it too).
traced() {
	strace -f -y -qq -e trace=fsync,fdatasync,sendto,sendmsg,write,writev \
	    -o "$TRACE" "$@" >>"$DLOG" 2>&1 &
	traced_pid=$!
	wait_for 10 pgrep -P "$traced_pid" printgated
	daemon_pid=$(pgrep -P "$traced_pid" printgated)
}
# untraced: stops the traced daemon, and strace with it.
untraced() {
	stop_daemon
	wait "$traced_pid" 2>/dev/null
}

# line PATTERN: the number of the first trace line matching PATTERN
# (fixed string), or 0.
line() { n=$(grep -nF -- "$1" "$TRACE" | head -n 1 | cut -d: -f1); echo "${n:-0}"; }
# last PATTERN BEFORE: the number of the last line matching PATTERN
# before line BEFORE, or 0.
last() { n=$(head -n "$2" "$TRACE" | grep -nF -- "$1" | tail -n 1 | cut -d: -f1); echo "${n:-0}"; }

# ref_synced_before ANSWER WHAT: the notes ref written before the
# answer's line was fsynced before it, and so was the ref's folder.
ref_synced_before() {
	a=$1
	lock=$(last "refs/notes/printgate.lock>, " "$a")
	assert "$2: the notes ref is written before the answer" test "$lock" -gt 0
	assert "$2: the notes ref is fsynced before the answer" \
	    test "$(last "fsync(" "$a")" -gt "$lock" -a \
	    "$(head -n "$a" "$TRACE" | grep -c "fsync([0-9]*<$REPO/refs/notes/printgate.lock>)")" -ge 1
	assert "$2: the refs/notes folder is fsynced after it, before the answer" \
	    test "$(last "fsync([0-9]*<$REPO/refs/notes>)" "$a")" -gt "$lock" -o \
	    "$(head -n "$a" "$TRACE" | sed -n "$lock,\$p" | grep -c "<$REPO/refs/notes>)")" -ge 1
}

# synced_before ANSWER WHAT: ref_synced_before, and every loose object
# written before the answer's line was fsynced before it, and so was
# its folder.
synced_before() {
	a=$1
	ref_synced_before "$@"
	w=$(head -n "$a" "$TRACE" | grep -c "write([0-9]*<$REPO/objects/tmp_object_git2_")
	s=$(head -n "$a" "$TRACE" | grep -c "fsync([0-9]*<$REPO/objects/tmp_object_git2_")
	assert "$2: each of the $w objects written is fsynced before the answer" \
	    test "$w" -ge 1 -a "$s" -eq "$w"
	d=$(head -n "$a" "$TRACE" | grep -c "fsync([0-9]*<$REPO/objects/[0-9a-f][0-9a-f]>)")
	assert "$2: and so is each object's folder ($d)" test "$d" -ge "$w"
}

# pack_synced_before ANSWER WHAT: ref_synced_before, and the gate's
# event came as one pack, no loose object: the pack and its index were
# fsynced before the answer, and their folder after each was renamed in
# (libgit2's indexer), which makes 4 fsyncs in the objects folder and 2
# for the ref, 6 in all, where the 4 loose objects took 8 and 10.
pack_synced_before() {
	a=$1
	ref_synced_before "$@"
	head -n "$a" "$TRACE" | grep "fsync([0-9]*<$REPO/" >"$T/fsyncs"
	assert "$2: no loose object is written" \
	    test "$(grep -c "<$REPO/objects/tmp_object_git2_\|<$REPO/objects/[0-9a-f][0-9a-f]>" "$T/fsyncs")" -eq 0
	idx=$(grep -n "<$REPO/objects/pack/pack_git2_[^>]*idx.lock>" "$T/fsyncs" | tail -n 1 | cut -d: -f1)
	pack=$(grep -n "<$REPO/objects/pack/pack_git2_[0-9a-f]*>" "$T/fsyncs" | tail -n 1 | cut -d: -f1)
	assert "$2: the pack's index is fsynced before the answer" test -n "$idx"
	assert "$2: and so is the pack" test -n "$pack"
	assert "$2: and their folder after each of them" \
	    test "$(sed -n "${idx:-1},\$p" "$T/fsyncs" | grep -c "<$REPO/objects/pack>)")" -ge 2 -a \
	    "$(sed -n "${pack:-1},\$p" "$T/fsyncs" | grep -c "<$REPO/objects/pack>)")" -ge 1
	assert "$2: 4 fsyncs in the objects folder ($(grep -c "<$REPO/objects" "$T/fsyncs"))" \
	    test "$(grep -c "<$REPO/objects" "$T/fsyncs")" -eq 4
	assert "$2: 6 for the ledger's event in all ($(grep -c "<$REPO/objects\|<$REPO/refs/notes" "$T/fsyncs"))" \
	    test "$(grep -c "<$REPO/objects\|<$REPO/refs/notes" "$T/fsyncs")" -eq 6
}

# --- the warm path: the gate's answer to a hook
traced "$BUILD/printgated" -g -c "$CONF"
wait_for 20 grep -q "ready: serving the gate" "$DLOG" ||
	{ echo "Bail out! printgated -g did not start"; exit 1; }
tag print/d1
push_as rruiz print/d1
assert_rc "warm path: the unapproved tag is refused" 1
assert "warm path: printgated answered" grep -q "gate 'refs/tags/print/d1' from uid" "$DLOG"
answer=$(line 'printgate-gate 1\nexit 1\n')
assert "warm path: the answer is in the trace" test "$answer" -gt 0
pack_synced_before "$answer" "warm path"
untraced

# --- a decision answered 200 by the listener
: >"$TRACE"
traced "$BUILD/printgated" -c "$CONF"
wait_for 20 grep -q "ready: watching" "$DLOG" ||
	{ echo "Bail out! printgated did not start"; exit 1; }
listener || { echo "Bail out! no listener"; exit 1; }
printf '{"tag":"print/d1","person":"alice","decision":"approve"}' >"$T/api"
api "$T/api"
assert "the decision is answered 200" test "$code" = 200
assert "the decision is in the ledger" \
    test "$(ledger "$c1" | grep -c '"type":"approve","at":.*"by":"alice"')" -eq 1
answer=$(line '"HTTP/1.1 200')
assert "decision: the 200 is in the trace" test "$answer" -gt 0
synced_before "$answer" "decision"
# The scan after it queues the decision's deliveries: each file fsynced,
# then their folder once, and only then does the event log move on.
# (a scan that queued nothing may write ledger-head before it: the
# window ends at the first ledger-head written after a delivery file)
queued() {
	sed -n "$answer,\$p" "$TRACE" >"$T/after"
	file_at=$(grep -n "fsync([0-9]*<$T/state/outbox/.tmp-" "$T/after" | head -n 1 | cut -d: -f1)
	[ -n "$file_at" ] || return 1
	head_at=$(sed -n "$file_at,\$p" "$T/after" | grep -nF -- "<$T/state/.tmp-ledger-head" | head -n 1 | cut -d: -f1)
	[ -n "$head_at" ] || return 1
	head -n "$((file_at + head_at - 1))" "$T/after" >"$T/queued"
}
wait_for 10 queued
files=$(grep -c "fsync([0-9]*<$T/state/outbox/.tmp-" "$T/queued")
dirs=$(grep -c "fsync([0-9]*<$T/state/outbox>)" "$T/queued")
assert "decision: its deliveries ($files) are written and fsynced before the event log moves on" \
    test "$files" -ge 2
assert "decision: the outbox folder is fsynced once for them all, not once a file ($dirs)" \
    test "$dirs" -eq 1
assert "decision: after the last of its files" \
    test "$(grep -n "fsync([0-9]*<$T/state/outbox>)" "$T/queued" | cut -d: -f1)" -gt \
    "$(grep -n "fsync([0-9]*<$T/state/outbox/.tmp-" "$T/queued" | tail -n 1 | cut -d: -f1)"

# --- two decisions written together (group commit): they wait together
# while another writer holds the notes ref's lock, then are one notes
# commit, and each 200 comes after that commit's fsyncs.
LOCK="$REPO/refs/notes/printgate.lock"
waiting() {
	[ "$(curl -s -m 2 "http://127.0.0.1:$HPORT/metrics" |
	    awk '$1 == "printgate_decisions_waiting" { print $2 }')" = 2 ]
}
before=$(git --git-dir="$REPO" rev-parse refs/notes/printgate)
mark=$(wc -l <"$TRACE")
: >"$LOCK"
for p in bob carol; do
	printf '{"tag":"print/d1","person":"%s","decision":"changes-required","comment":"together %s"}' \
	    "$p" "$p" >"$T/api-$p"
	( OUT="$T/out-$p"; api "$T/api-$p"; echo "$code" >"$T/code-$p" ) &
	eval "pid_$p=\$!"
done
wait_for 10 waiting
rm -f "$LOCK"
wait "$pid_bob"
wait "$pid_carol"
assert "together: both answered 200" test "$(cat "$T/code-bob" "$T/code-carol")" = "200
200"
assert "together: one notes commit for both" \
    test "$(git --git-dir="$REPO" rev-list --count "$before..refs/notes/printgate")" -eq 1
assert "together: both lines are in the ledger" \
    test "$(ledger "$c1" | grep -c '"comment":"together ')" -eq 2
sed -n "$((mark + 1)),\$p" "$TRACE" >"$T/together"
mv "$T/together" "$TRACE"
# (the answers to /metrics are 200s too: a decision's says "recorded")
first=$(grep -n '"HTTP/1.1 200.*recorded' "$TRACE" | head -n 1 | cut -d: -f1)
assert "together: both 200s are in the trace" \
    test "${first:-0}" -gt 0 -a "$(grep -c '"HTTP/1.1 200.*recorded' "$TRACE")" -eq 2
assert "together: the notes ref was written once before the first 200" \
    test "$(head -n "$first" "$TRACE" | grep -c "fsync([0-9]*<$REPO/refs/notes/printgate.lock>)")" -eq 1
synced_before "$first" "together"
untraced

# --- the fallback: no printgated on the gate socket, the hook decides
# itself and exits only after its event's pack and the ref are fsynced.
tag print/d3
run env REMOTE_USER=rruiz strace -f -y -qq -e trace=fsync,write,execve,exit_group \
    -o "$TRACE" git -C "$WORK" push origin print/d3
assert_rc "fallback: the unapproved tag is refused" 1
assert_out "fallback: the hook says it waits" "print/d3 ("
pid=$(grep 'execve("[^"]*/printgate-update-local"' "$TRACE" | head -n 1 | cut -d' ' -f1)
assert "fallback: the hook ran printgate-update-local" test -n "$pid"
grep "^${pid:-none} " "$TRACE" >"$T/hook"
mv "$T/hook" "$TRACE"
answer=$(line "exit_group(1")
assert "fallback: its exit is in the trace" test "$answer" -gt 0
pack_synced_before "$answer" "fallback"

finish
