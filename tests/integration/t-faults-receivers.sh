#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults, part 4: receivers that misbehave.  Besides the four chat
# channels that answer normally, six webhook channels on the same receiver
# misbehave: one accepts and never answers (stall), one drips its answer a
# byte a second, one redirects, one answers 410 Gone, one 429 with
# Retry-After, one 500.  printgated keeps answering /healthz within 1 s,
# the well-behaved channels get their messages at once, and the log says
# what happened to each: delivered late, will retry in N s, given up.
. "$(dirname "$0")/lib.sh"

ms() { date +%s%3N; }
set_mode() {
	printf '%s\n' "$@" >"$RCV/mode.tmp" && mv "$RCV/mode.tmp" "$RCV/mode"
}
healthy() { curl -s -m 1 "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
# arrived PATH NAME: a request about print/NAME reached PATH.
arrived() { bodies "$1" | grep -q "print/$2\b"; }
# req_time PATH N: when the receiver got the Nth request for PATH (s.ms).
req_time() {
	k=$(grep " $1 " "$RCV/log" | sed -n "${2}p" | cut -d' ' -f1)
	[ -n "$k" ] && sed -n 's/.*"time": *\([0-9.]*\).*/\1/p' "$RCV/$(printf 'req-%06d.json' "$k")"
}
# gap_ms PATH: milliseconds between the first and the second request.
gap_ms() {
	a=$(req_time "$1" 1) b=$(req_time "$1" 2)
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%d", (b - a) * 1000 }'
}
# logged ERE: the daemon's log has a line matching ERE.
logged() { grep -qE -- "$1" "$DLOG"; }
newtag() {
	commit "for $1" "brochures/emea/$1.txt=$1"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "print/$1"
	push_as rruiz "print/$1"
}
good="/slack /mm /teams /hook"
# all_good TAG: each well-behaved channel has the request for TAG.
all_good() {
	for p in $good; do arrived "$p" "$1" || return 1; done
}

start_receiver
# six more webhook channels, each on a path the receiver misbehaves on
for c in stall drip redirect gone busy broken; do
	printf '  { name = "%s"; type = "webhook"; url = "http://127.0.0.1:%s/%s"; secret_file = "hook.secret"; },\n' \
	    "$c" "$PORT" "$c"
done >"$T/extra-channels"
NOTIFY_CONF=$(notify_config | sed "/^notify = (/r $T/extra-channels")
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
set_mode "/stall stall" "/drip drip" "/redirect redirect" "/gone status 410" \
    "/busy retry-after 7" "/broken status 500" ok

t0=$(ms)
newtag m1
assert_rc "print/m1 waits for approval" 1
wait_for 5 all_good m1
t1=$(ms)
if all_good m1 && [ $((t1 - t0)) -le 3000 ]; then
	pass "the well-behaved channels get the request at once ($((t1 - t0)) ms after the push)"
else fail "the well-behaved channels get the request at once" "$((t1 - t0)) ms"; fi
assert "the stalled channel was asked" has_requests /stall 1
assert "the dripping channel was asked" has_requests /drip 1

# /healthz, once a second, while the stalled and dripping transfers hang.
slow=0 i=0
while [ $i -lt 11 ]; do
	a=$(ms)
	healthy || slow=$((slow + 1))
	b=$(ms)
	[ $((b - a)) -gt 1000 ] && slow=$((slow + 1))
	sleep 1
	i=$((i + 1))
done
if [ "$slow" -eq 0 ]; then pass "/healthz answered within 1 s, 11 times over 11 s of misbehaving receivers"
else fail "/healthz answered within 1 s, 11 times over 11 s of misbehaving receivers" "$slow slow or missing answers"; fi

# What the log says about each.
wait_for 5 logged "deliver request for 'print/m1@[^ ]* to 'drip' .*: HTTP 200"
assert "drip: delivered, late, and the log says so" \
    logged "deliver request for 'print/m1@[^ ]* to 'drip' .*: HTTP 200"
assert "redirect: not followed, the log says HTTP 302 and when it retries" \
    logged "deliver request for 'print/m1@[^ ]* to 'redirect' .*HTTP 302.*will retry in [0-9]+ s"
assert "410: given up at once, and the log says so" \
    logged "deliver request for 'print/m1@[^ ]* to 'gone' .*HTTP 410.*given up and moved to dead"
n=$(requests /gone)
if [ "$n" -eq 1 ]; then pass "410: asked once only"; else fail "410: asked once only" "$n requests"; fi
assert "429: the log says it retries after Retry-After (7 s)" \
    logged "deliver request for 'print/m1@[^ ]* to 'busy' .*HTTP 429.*will retry in (7|8) s"
assert "500: the log says it retries in about 5 s" \
    logged "deliver request for 'print/m1@[^ ]* to 'broken' .*HTTP 500.*will retry in [4-6] s"
g=$(gap_ms /busy)
if [ -n "$g" ] && [ "$g" -ge 6900 ] && [ "$g" -le 9000 ]; then pass "429: asked again after the Retry-After ($g ms)"
else fail "429: asked again after the Retry-After" "gap ${g:-none} ms"; fi
g=$(gap_ms /broken)
if [ -n "$g" ] && [ "$g" -ge 4400 ] && [ "$g" -le 7000 ]; then pass "500: asked again about 5 s later ($g ms)"
else fail "500: asked again about 5 s later" "gap ${g:-none} ms"; fi
g=$(gap_ms /redirect)
if [ -n "$g" ] && [ "$g" -ge 4400 ]; then pass "redirect: asked again, no sooner than 5 s later ($g ms)"
else fail "redirect: asked again, no sooner than 5 s later" "gap ${g:-none} ms"; fi
assert "nothing went to the redirect's Location" \
    sh -c "! grep -q ' /elsewhere ' '$RCV/log'"

# More reviews while the stalled and dripping endpoints hold their
# connections: the other endpoints (same host) must not wait for them.
t0=$(ms)
newtag m2
newtag m3
newtag m4
wait_for 5 all_good m4
t1=$(ms)
if all_good m2 && all_good m3 && all_good m4 && [ $((t1 - t0)) -le 4000 ]; then
	pass "three more reviews while stalled and dripping transfers hold connections: the other endpoints get theirs at once ($((t1 - t0)) ms)"
else
	: >"$OUT"
	for p in $good; do for m in m2 m3 m4; do arrived "$p" "$m" || echo "$p $m" >>"$OUT"; done; done
	fail "three more reviews while stalled and dripping transfers hold connections: the other endpoints get theirs at once" \
	    "after $((t1 - t0)) ms still missing (CURLMOPT_MAX_HOST_CONNECTIONS 4 is shared by every channel on the host):"
fi
assert "printgated answers /healthz with transfers hanging" healthy

# The stalled transfer ends at the 30 s transfer timeout, and is retried.
wait_for 30 logged "deliver request for 'print/m1@[^ ]* to 'stall' .*will retry in [0-9]+ s"
assert "stall: the log says the transfer timed out and when it retries" \
    logged "deliver request for 'print/m1@[^ ]* to 'stall' .*(timed out|Timeout).*will retry in [0-9]+ s"
assert "printgated keeps running" kill -0 "$daemon_pid"
run ctl outbox
assert_out "printgatectl outbox lists the given up and the waiting deliveries" \
    "dead " "gone" "HTTP 410" "outbox " "stall"
stop_daemon
if [ "$daemon_rc" -eq 0 ]; then pass "printgated stops cleanly with transfers hanging"
else fail "printgated stops cleanly with transfers hanging" "exit $daemon_rc"; fi
finish
