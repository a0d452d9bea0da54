#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults, part 1: kill -9 of printgated at 50 points while deliveries and
# decisions pile up.  Three refused print tags queue review requests to
# four channels while the receiver fails the first requests and then
# answers slowly; decisions keep coming (printgatectl decide and the
# signed API), a fourth tag is pushed and a third one is approved and
# released by printgated, all while a loop kills printgated with SIGKILL
# after 50-400 ms and starts it again, 50 times.  Once it has settled:
# every acknowledged decision is in the ledger exactly once, every event
# that calls for a message reached each channel under its one stable
# delivery id, nothing was given up, and printgatectl verify is happy.
# The other fault tests are in t-faults-*.sh.
. "$(dirname "$0")/lib.sh"

# set_mode LINE...: what the receiver answers, replaced atomically.
set_mode() {
	printf '%s\n' "$@" >"$RCV/mode.tmp" && mv "$RCV/mode.tmp" "$RCV/mode"
}
# rnd_ms LO HI: a random number of milliseconds in [LO, HI].
rnd_ms() {
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $(($1 + r % ($2 - $1 + 1)))
}
# msleep MS
msleep() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }
readies() { grep -c "ready: watching" "$DLOG" 2>/dev/null || echo 0; }
# start_daemon_again: start_daemon, waiting for a new "ready" line (the
# log keeps the old ones).
start_daemon_again() {
	nr=$(readies)
	rm -f "$T/state/http-port"
	"$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
	daemon_pid=$!
	wait_for 20 sh -c "[ \$(grep -c 'ready: watching' '$DLOG') -gt $nr ]" ||
	    { echo "Bail out! printgated did not start again"; tail -n 30 "$DLOG"; exit 1; }
	listener
}
settled() { [ -z "$(ls -A "$T/state/outbox")" ]; }
# ids_of PATH STATUS: the delivery ids the receiver answered STATUS for.
ids_of() {
	grep " $1 $2\$" "$RCV/log" | cut -d' ' -f1 | while read -r k; do
		grep -i '^x-printgate-delivery: ' "$RCV/$(printf 'req-%06d.headers' "$k")" |
		    cut -d' ' -f2 | tr -d '\r'
	done | sort
}
# delivery_id EVENT-ID CHANNEL KIND: the id printgated gives a message
# (deliver.c: the first 32 hex digits of SHA-256 of "event\nchannel\nkind").
delivery_id() { printf '%s\n%s\n%s' "$1" "$2" "$3" | sha256sum | cut -c1-32; }

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main

# The first six deliveries fail (each is retried once, 5 s later).
set_mode "fail 6"
for k in 1 2 3; do
	commit "kill $k" "brochures/emea/k$k.txt=content $k"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "print/k$k"
	push_as rruiz "print/k$k"
done
assert_rc "the print tags waiting for approval are refused" 1
c1=$(rev 'print/k1^{commit}') c2=$(rev 'print/k2^{commit}') c3=$(rev 'print/k3^{commit}')
# bob blocks k1 and k2, so that the decisions below never release them
ctl decide print/k1 --as bob changes-required --comment "block k1" >/dev/null
ctl decide print/k2 --as bob changes-required --comment "block k2" >/dev/null
# a fourth tag, pushed while printgated is being killed
commit "kill 4" "brochures/emea/k4.txt=content 4"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/k4
c4=$(rev 'print/k4^{commit}')
k4obj=$(rev print/k4)
k3obj=$(rev print/k3)
wait_for 10 sh -c "[ \$(grep -c ' 500\$' '$RCV/log') -ge 6 ]"
set_mode "delay 50"

# The decider: decisions through printgatectl and the API, each with a
# comment of its own, and what it was answered, until told to stop.
decider() {
	OUT="$T/out-decider"
	i=0
	while [ ! -f "$T/stop-decider" ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		case $((i % 4)) in
		0) who=alice d=approve t=print/k1 ;;
		1) who=carol d=approve-with-changes t=print/k2 ;;
		2) who=carol d=approve t=print/k1 ;;
		3) who=alice d=approve-with-changes t=print/k2 ;;
		esac
		if [ $((i % 2)) -eq 0 ]; then
			"$BUILD/printgatectl" -c "$CONF" decide "$t" --as "$who" "$d" \
			    --comment "fault-$i" >/dev/null 2>&1
			echo "fault-$i cli $?" >>"$T/decisions"
		else
			HPORT=$(cat "$T/state/http-port" 2>/dev/null)
			if [ -n "$HPORT" ]; then
				printf '{"tag":"%s","person":"%s","decision":"%s","comment":"fault-%s"}' \
				    "$t" "$who" "$d" "$i" >"$T/api-dec"
				code=000
				api "$T/api-dec"
				echo "fault-$i api $code" >>"$T/decisions"
			fi
		fi
		# k3 is approved by two reviewers: printgated releases it; k4 is
		# pushed.  Early, so that a slow machine gets to them too.
		[ $i -eq 3 ] && "$BUILD/printgatectl" -c "$CONF" decide print/k3 --as alice approve >/dev/null 2>&1
		[ $i -eq 5 ] && "$BUILD/printgatectl" -c "$CONF" decide print/k3 --as carol approve >/dev/null 2>&1
		[ $i -eq 7 ] && env REMOTE_USER=rruiz git -C "$WORK" push -q origin print/k4 >/dev/null 2>&1
		msleep "$(rnd_ms 20 120)"
	done
}
: >"$T/decisions"
decider &
decider_pid=$!

# The killer: 50 times, kill -9 after 50-400 ms, and start again.
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=""
kills=0 died=""
r0=$(readies)
t0=$(date +%s)
while [ $kills -lt 50 ] && [ $((kills + 10)) -gt "$(echo "$died" | wc -w)" ]; do
	"$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
	daemon_pid=$!
	msleep "$(rnd_ms 50 400)"
	if kill -9 "$daemon_pid" 2>/dev/null; then
		kills=$((kills + 1))
		wait "$daemon_pid" 2>/dev/null
	else
		wait "$daemon_pid" 2>/dev/null
		died="$died $?"
	fi
	daemon_pid=""
done
touch "$T/stop-decider"
wait "$decider_pid"
t1=$(date +%s)
echo "# $kills kills in $((t1 - t0)) s ($(($(readies) - r0)) runs got as far as ready), $(grep -c . "$T/decisions") decisions tried"
if [ -z "$died" ]; then pass "printgated never exited by itself between the kills"
else fail "printgated never exited by itself between the kills" "exit codes:$died"; fi
if [ "$kills" -eq 50 ]; then pass "printgated was killed with SIGKILL 50 times"
else fail "printgated was killed with SIGKILL 50 times" "$kills"; fi

set_mode ok
start_daemon_again
wait_for 45 settled
assert "after the kills the outbox empties" settled
# pushed while printgated was down or dying: still refused and waiting
assert "the tag pushed during the kills waits for approval" remote_ref refs/printgate/pending/k4
wait_for 15 remote_ref refs/tags/print/k3
assert "the tag approved during the kills is released" \
    test "$(remote_ref refs/tags/print/k3)" = "$k3obj"
n=$(ledger "$c3" | grep -c '"type":"released"')
if [ "$n" -eq 1 ]; then pass "print/k3: one released event"
else fail "print/k3: one released event" "$n"; fi

# Every acknowledged decision is in the ledger exactly once; none twice.
for c in "$c1" "$c2"; do ledger "$c"; done >"$T/lines"
acked=0 bad=""
while read -r cm via res; do
	n=$(grep -c "\"comment\":\"$cm\"" "$T/lines")
	if { [ "$via" = cli ] && [ "$res" = 0 ]; } || { [ "$via" = api ] && [ "$res" = 200 ]; }; then
		acked=$((acked + 1))
		[ "$n" -eq 1 ] || bad="$bad $cm($via $res: $n lines)"
	else
		[ "$n" -le 1 ] || bad="$bad $cm($via $res: $n lines)"
	fi
done <"$T/decisions"
napi=$(grep -c ' api 200$' "$T/decisions")
ncli=$(grep -c ' cli 0$' "$T/decisions")
echo "# $acked decisions acknowledged: $ncli by printgatectl, $napi by the API"
if [ "$napi" -ge 5 ] && [ "$ncli" -ge 5 ]; then pass "decisions were acknowledged through both printgatectl and the API"
else fail "decisions were acknowledged through both printgatectl and the API" "cli $ncli, api $napi"; fi
if [ -z "$bad" ]; then pass "every acknowledged decision is in the ledger exactly once, none twice"
else fail "every acknowledged decision is in the ledger exactly once, none twice" "$bad"; fi

# Every event that calls for a message reached each channel, under the
# id printgated derives from it; and no channel got a message under any
# other id (a repeat carries the id of the first).
: >"$T/expected"
for c in "$c1" "$c2" "$c3" "$c4"; do
	ledger "$c" | while read -r line; do
		id=$(printf '%s' "$line" | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
		type=$(printf '%s' "$line" | sed -n 's/.*"type":"\([a-z-]*\)".*/\1/p')
		case $type in
		request) kinds="review requested" ;;
		approve | approve-with-changes) kinds="decision" ;;
		changes-required) kinds="decision
changes required" ;;
		released) kinds="released" ;;
		remind) kinds="reminder" ;;
		escalate) kinds="escalation" ;;
		violation) kinds="violation" ;;
		*) kinds="" ;;
		esac
		[ -n "$id" ] || { echo "noid $type" >>"$T/expected"; continue; }
		printf '%s\n' "$kinds" | while read -r kind; do
			[ -n "$kind" ] || continue
			for ch in sales:/slack mm:/mm teams:/teams audit:/hook; do
				echo "${ch#*:} $(delivery_id "$id" "${ch%%:*}" "$kind") $type $kind"
			done
			[ "$type" != released ] ||
			    echo "/released $(delivery_id "$id" print-shop "$kind") $type $kind"
		done >>"$T/expected"
	done
done
nexp=$(grep -vc '^noid' "$T/expected")
if grep -q '^noid' "$T/expected"; then fail "every ledger event has an id" "$(grep '^noid' "$T/expected")"
else pass "every ledger event has an id ($nexp messages expected)"; fi
missing="" unexpected=""
for p in /slack /mm /teams /hook /released; do
	ids_of "$p" 200 | sort -u >"$T/got"
	grep "^$p " "$T/expected" | cut -d' ' -f2 | sort -u >"$T/want"
	m=$(comm -13 "$T/got" "$T/want")
	u=$(comm -23 "$T/got" "$T/want")
	[ -n "$m" ] && missing="$missing $p:$(echo "$m" | grep -c .)"
	[ -n "$u" ] && unexpected="$unexpected $p:$(echo "$u" | grep -c .)"
	for id in $m; do echo "# missing at $p: $(grep " $id " "$T/expected" | cut -d' ' -f3-)"; done
done
if [ -z "$missing" ]; then pass "every event's message reached every channel that wants it"
else fail "every event's message reached every channel that wants it" "missing:$missing"; fi
if [ -z "$unexpected" ]; then pass "no message came under an id other than its event's (repeats keep their id)"
else fail "no message came under an id other than its event's (repeats keep their id)" "unexpected:$unexpected"; fi
rep=$(for p in /slack /mm /teams /hook /released; do ids_of "$p" 200; done | uniq -d | grep -c .)
echo "# $(grep -c ' 200$' "$RCV/log") requests answered 200, $rep delivered more than once (same id)"
# a webhook's webhook-id is its delivery id, on every request
odd=$(grep -E ' /(hook|released) ' "$RCV/log" | cut -d' ' -f1 | while read -r k; do
	h="$RCV/$(printf 'req-%06d.headers' "$k")"
	a=$(grep -i '^x-printgate-delivery: ' "$h" | cut -d' ' -f2 | tr -d '\r')
	b=$(grep -i '^webhook-id: ' "$h" | cut -d' ' -f2 | tr -d '\r')
	[ -n "$a" ] && [ "$a" = "$b" ] || echo "$k"
done)
if [ -z "$odd" ]; then pass "every webhook request carries its delivery id as webhook-id"
else fail "every webhook request carries its delivery id as webhook-id" "requests: $odd"; fi
if [ -z "$(ls -A "$T/state/dead")" ]; then pass "nothing was given up"
else fail "nothing was given up" "$(ls "$T/state/dead")"; fi

run ctl verify
assert_rc "printgatectl verify: the ledger is sound after 50 kills" 0
run curl -s -m 2 "http://127.0.0.1:$HPORT/healthz"
assert_out "printgated is healthy after the kills" ok
stop_daemon
if [ "$daemon_rc" -eq 0 ]; then pass "printgated stops cleanly after the kills"
else fail "printgated stops cleanly after the kills" "exit $daemon_rc"; fi
finish
