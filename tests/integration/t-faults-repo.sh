#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults, part 6: a repository that is missing or corrupt, and a notes ref
# (the ledger) that holds garbage, points at a blob or vanishes.  printgatectl
# status, verify and decide exit 2 naming what is wrong; a push of a print
# tag is refused with the reason (the gate fails closed), also when the
# hook is run the way git runs it; printgated logs the error, keeps
# running and answers, without taking released print tags for violations
# (quarantine is on); nothing rewrites what is broken; and once it is
# repaired everything works again.
. "$(dirname "$0")/lib.sh"

REF="$REPO/refs/notes/printgate"
ZERO=0000000000000000000000000000000000000000
# what printgated's log says when it cannot read the ledger
LEDGER_ERROR="refs/notes/printgate'?:|read 'refs/notes/printgate' in|cannot read the ledger|read the ledger of|handle ledger events up to"
healthy() { curl -s -m 1 "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
loglines() { wc -l <"$DLOG"; }
# logged_since N TEXT: a line of the daemon's log after line N has TEXT.
logged_since() { tail -n +"$(($1 + 1))" "$DLOG" | grep -qE -- "$2"; }
# the update hook, run the way git runs it, for print/r2
run_hook() {
	run env GIT_DIR=. REMOTE_USER=rruiz sh -c \
	    'cd "$1" && ./hooks/update refs/tags/print/r2 "$2" "$3"' - "$REPO" "$ZERO" "$r2obj"
}
# assert_out_re DESC ERE: the last run's output matches ERE.
assert_out_re() {
	if grep -qE -- "$2" "$OUT"; then pass "$1"; else fail "$1" "no match: $2"; fi
}
api_bob() {
	printf '{"tag":"print/r1","person":"bob","decision":"approve","comment":"%s"}' "$1" >"$T/api-bob"
	api "$T/api-bob"
	echo >>"$OUT"
}

# broken WHAT ERE-CTL ERE-PUSH FILE: the checks every kind of breakage
# must pass.  ERE-CTL is what printgatectl's errors and the hook's
# refusal must name, ERE-PUSH what a real push's refusal must name; FILE
# is what is broken, which must keep its bytes.
broken() {
	what=$1 want=$2 wantpush=$3 bfile=$4
	cp "$bfile" "$T/broken.copy"
	head0=$(cat "$REF")
	for c in "status print/r1" "verify" "decide print/r1 --as bob approve --comment $what"; do
		run ctl $c
		assert_rc "$what: printgatectl ${c%% *} exits 2" 2
		assert_out_re "$what: printgatectl ${c%% *} says what is wrong" "$want"
	done
	push_as rruiz print/r2
	assert_rc "$what: a push of a print tag is refused" 1
	assert_out_re "$what: the refusal of the push gives the reason" "$wantpush"
	assert_not "$what: the refused tag does not exist" remote_ref refs/tags/print/r2
	run_hook
	assert_rc "$what: the update hook refuses the print tag" 1
	assert_out_re "$what: the hook's refusal gives the reason" "refusing print/r2: .*($want)"
	# SIGHUP: a scan, and a new look at every print tag
	nl=$(loglines)
	kill -HUP "$daemon_pid"
	wait_for 10 logged_since "$nl" "$LEDGER_ERROR"
	sleep 0.5
	if logged_since "$nl" "$LEDGER_ERROR"; then pass "$what: printgated logs the error"
	else
		tail -n +"$((nl + 1))" "$DLOG" >"$OUT"
		fail "$what: printgated logs the error" "nothing about the ledger in its log since the SIGHUP"
	fi
	if logged_since "$nl" "violation 'print/r0'"; then
		tail -n +"$((nl + 1))" "$DLOG" | grep "violation 'print/r0'" >"$OUT"
		fail "$what: printgated does not take the released print/r0 for a violation"
	else pass "$what: printgated does not take the released print/r0 for a violation"; fi
	assert "$what: print/r0 stays where it is" test "$(remote_ref refs/tags/print/r0)" = "$r0obj"
	api_bob "$what"
	case $code in
	5??) pass "$what: an API decision is refused 5xx ($code)" ;;
	*) fail "$what: an API decision is refused 5xx" "got $code" ;;
	esac
	assert "$what: printgated keeps running" kill -0 "$daemon_pid"
	assert "$what: printgated answers /healthz" healthy
	if cmp -s "$bfile" "$T/broken.copy" && [ "$(cat "$REF")" = "$head0" ]; then
		pass "$what: nothing rewrote what is broken"
	else fail "$what: nothing rewrote what is broken" "$(cat "$REF")"; fi
}

start_receiver
NOTIFY_CONF=$(notify_config)
# quarantine: a print tag taken for a violation is moved away
setup 'review = { quarantine = true; };'
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
# print/r0: approved and released before anything breaks
commit "r0" brochures/emea/r0.txt=R0
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/r0
push_as rruiz print/r0
ctl decide print/r0 --as alice approve >/dev/null
ctl decide print/r0 --as carol approve >/dev/null
wait_for 15 remote_ref refs/tags/print/r0
assert "print/r0 is released before the breakages" remote_ref refs/tags/print/r0
r0obj=$(rev print/r0)
commit "r1" brochures/emea/r1.txt=R1
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/r1
push_as rruiz print/r1
c1=$(rev 'print/r1^{commit}')
ctl decide print/r1 --as alice approve >/dev/null
commit "r2" brochures/emea/r2.txt=R2
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/r2
r2obj=$(rev print/r2)
# the tag object in the repository, so that the hook can be run by hand
git -C "$WORK" cat-file tag print/r2 | git --git-dir="$REPO" hash-object -t tag -w --stdin >/dev/null
run ctl status print/r1
assert_out "sound: status shows alice's approval" "1 of 2"
good=$(cat "$REF")
cp "$REF" "$T/ref.good"

# --- garbage in the notes ref
printf 'this is not a ref\n' >"$REF"
broken garbage "corrupted loose reference file: refs/notes/printgate" \
    "refs/notes/printgate" "$REF"
cp "$T/ref.good" "$REF"

# --- the notes ref points at a blob
blob=$(echo "not a notes commit" | git --git-dir="$REPO" hash-object -w --stdin)
echo "$blob" >"$REF"
broken blob "refs/notes/printgate.*(not a commit|type)|(ledger|refs/notes/printgate).*(not a commit|type)" \
    "refs/notes/printgate" "$REF"
run ctl pending
assert_rc "blob: printgatectl pending exits 2" 2
cp "$T/ref.good" "$REF"

# --- a corrupt object: the notes commit itself.  printgated is restarted
# first, so that it has no copy of the object in its cache.
stop_daemon
obj="$REPO/objects/$(echo "$good" | cut -c1-2)/$(echo "$good" | cut -c3-)"
cp "$obj" "$T/obj.good"
chmod u+w "$obj"
printf 'not a zlib stream' >"$obj"
nr=$(grep -c "ready: watching" "$DLOG")
"$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
daemon_pid=$!
wait_for 20 sh -c "[ \$(grep -c 'ready: watching' '$DLOG') -gt $nr ]"
assert "object: printgated starts with a corrupt ledger" kill -0 "$daemon_pid"
listener
broken object "(ledger|refs/notes/printgate).*(inflate|corrupt)" \
    "corrupt|refs/notes/printgate|ledger" "$obj"
cp "$T/obj.good" "$obj"

# --- the notes ref vanishes (a mistaken git update-ref -d, a botched
# mirror): printgated knows the ledger it had, and must not start another
# one, nor flag and quarantine the print tags the lost one released.
nl=$(loglines)
git --git-dir="$REPO" update-ref -d refs/notes/printgate
kill -HUP "$daemon_pid"
wait_for 10 logged_since "$nl" "reload '.*': done"
sleep 1
if remote_ref refs/notes/printgate >/dev/null; then
	git --git-dir="$REPO" log --format='%h %s' refs/notes/printgate >"$OUT"
	fail "vanished: printgated does not start a new ledger" "refs/notes/printgate was created again"
else pass "vanished: printgated does not start a new ledger"; fi
if logged_since "$nl" "violation 'print/r0'"; then
	tail -n +"$((nl + 1))" "$DLOG" | grep "violation 'print/r0'" >"$OUT"
	fail "vanished: printgated does not take the released print/r0 for a violation"
else pass "vanished: printgated does not take the released print/r0 for a violation"; fi
if [ "$(remote_ref refs/tags/print/r0)" = "$r0obj" ]; then pass "vanished: print/r0 stays where it is"
else
	git --git-dir="$REPO" for-each-ref refs/tags refs/printgate >"$OUT"
	fail "vanished: print/r0 stays where it is" "it was moved (quarantine = true)"
fi
assert "vanished: printgated keeps running" kill -0 "$daemon_pid"
# put things back as they were
mkdir -p "$REPO/refs/notes"
cp "$T/ref.good" "$REF"
if ! remote_ref refs/tags/print/r0 >/dev/null; then
	git --git-dir="$REPO" update-ref refs/tags/print/r0 "$r0obj"
	git --git-dir="$REPO" update-ref -d refs/printgate/quarantine/r0
fi
kill -HUP "$daemon_pid"

# --- the repository is missing
sed "s|^repository = .*|repository = \"$T/missing.git\";|; s|^state_dir = .*|state_dir = \"$T/state2\";|" \
    "$CONF" >"$T/missing.conf"
for c in "status print/r1" "verify" "decide print/r1 --as bob approve"; do
	run "$BUILD/printgatectl" -c "$T/missing.conf" $c
	assert_rc "missing: printgatectl ${c%% *} exits 2" 2
	assert_out "missing: printgatectl ${c%% *} names the repository" "cannot open repository '$T/missing.git'"
done
"$BUILD/printgated" -c "$T/missing.conf" >"$OUT" 2>&1 &
p=$!
wait_for 10 sh -c "! kill -0 $p"
if kill -0 "$p" 2>/dev/null; then
	kill -9 "$p"
	fail "missing: printgated refuses to start" "still running"
else
	wait "$p"
	rc=$?
	assert_rc "missing: printgated refuses to start, exit 2" 2
	assert_out "missing: printgated says which repository" "cannot open repository '$T/missing.git'"
fi
# the repository goes away under a running printgated
mv "$REPO" "$REPO.away"
nl=$(loglines)
kill -HUP "$daemon_pid"
wait_for 5 logged_since "$nl" "$REPO"
if logged_since "$nl" "$REPO|repository"; then pass "gone: printgated logs that the repository is gone"
else
	tail -n +"$((nl + 1))" "$DLOG" >"$OUT"
	fail "gone: printgated logs that the repository is gone" "its log since the move does not name the repository"
fi
api_bob gone
case $code in
5??) pass "gone: an API decision is refused 5xx ($code)" ;;
*) fail "gone: an API decision is refused 5xx" "got $code" ;;
esac
assert "gone: printgated keeps running" kill -0 "$daemon_pid"
assert "gone: printgated answers /healthz" healthy
assert_not "gone: nothing recreated the repository" test -e "$REPO"
mv "$REPO.away" "$REPO"

# --- repaired: everything works again
run ctl verify
assert_rc "repaired: printgatectl verify exits 0" 0
run ctl status print/r1
assert_out "repaired: alice's approval is there again" "1 of 2"
n=$(ledger "$c1" | grep -c '"by":"bob"')
if [ "$n" -eq 0 ]; then pass "no decision was recorded while the ledger was broken"
else fail "no decision was recorded while the ledger was broken" "$n lines by bob"; fi
kill -HUP "$daemon_pid"
api_bob repaired
if [ "$code" = 200 ]; then pass "repaired: an API decision is recorded"
else fail "repaired: an API decision is recorded" "got $code"; fi
wait_for 15 remote_ref refs/tags/print/r1
assert "repaired: the approved print/r1 is released" remote_ref refs/tags/print/r1
before=$(requests /hook)
push_as rruiz print/r2
assert_rc "repaired: print/r2 waits for approval" 1
assert_out "repaired: the push says what is missing" "print/r2" "waits for approval"
wait_for 10 has_requests /hook $((before + 2))
bodies /hook | grep '"type":"printgate.review-requested"' | grep -q '"tag":"print/r2"'
rc=$?
assert_rc "repaired: the review of print/r2 is requested" 0
stop_daemon
finish
