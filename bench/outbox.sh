#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# outbox.sh BUILD DIR MODE: printgated's outbound deliveries to the local
# receiver (build/tests/receiver), watching the generated repository in
# DIR.  Deliveries are queued with bench/tools/enqueue.c, the daemon's own
# outbox code, while printgated is stopped; then:
#   1. 1,000 queued deliveries: from printgated's start to the last one
#      received (target: under 2 s);
#   2. deliveries per second to a receiver that answers in 200 ms;
#   3. 1,000 deliveries while printgated is killed with SIGKILL three times
#      and restarted: every id must arrive (at least once).
# Also printgated's RssAnon while it delivers.  ROW lines on stdout.
set -eu

BUILD=$(cd "$1" && pwd)
DIR=$(cd "$2" && pwd)
MODE=$3
case $MODE in
full) slow=400 ;;
*) slow=100 ;;
esac
W=$(mktemp -d)
rcv_pid="" pg_pid=""
cleanup() {
	[ -n "$pg_pid" ] && kill -9 "$pg_pid" 2>/dev/null
	[ -n "$rcv_pid" ] && kill "$rcv_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
fail() { echo "outbox: $*" >&2; exit 1; }

"$BUILD/tests/receiver" -d "$W/rcv" 2>>"$W/receiver.log" &
rcv_pid=$!
for _ in $(seq 100); do [ -s "$W/rcv/port" ] && break; sleep 0.05; done
[ -s "$W/rcv/port" ] || fail "the receiver did not start"
port=$(cat "$W/rcv/port")
printf 'http://127.0.0.1:%s/services/T0/B0/bench\n' "$port" >"$W/slack.url"
chmod 600 "$W/slack.url"
sed "s|^state_dir = .*|state_dir = \"$W/state\";|" "$DIR/bench.conf" \
    >"$W/printgate.conf"
cat >>"$W/printgate.conf" <<EOF
notify = ( { name = "sales"; type = "slack"; url_file = "slack.url"; } );
EOF
mkdir -p "$W/state"

start() {
	"$BUILD/printgated" -c "$W/printgate.conf" >>"$W/daemon.log" 2>&1 &
	pg_pid=$!
}
received() { wc -l <"$W/rcv/log" 2>/dev/null || echo 0; }
queued() { find "$W/state/outbox" -type f | wc -l; }
rss_anon() { awk '/^RssAnon/ { print $2 }' "/proc/$1/status" 2>/dev/null ||
    echo 0; }
# wait_received N SECONDS: until the receiver has N requests; samples
# printgated's RssAnon (KiB) into $rss meanwhile
wait_received() {
	end=$(($(now_ms) + $2 * 1000))
	while [ "$(received)" -lt "$1" ]; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		r=$(rss_anon "$pg_pid")
		[ "${r:-0}" -gt "$rss" ] && rss=$r
		sleep 0.01
	done
}
stop() { kill "$pg_pid"; wait "$pg_pid" || true; pg_pid=""; }
# delivered RUN: the ids of run RUN received, once per arrival
delivered() {
	find "$W/rcv" -name 'req-*.json' -exec cat {} + |
	    jq -r '.headers["x-printgate-delivery"] // empty' |
	    grep "^$(printf '%08x' "0x$1")" || true
}
ids() { delivered "$1" | sort -u | wc -l; }

# 1. 1,000 queued, printgated started
rss=0
"$BUILD/bench/enqueue" "$W/state" sales 1000 a1
t0=$(now_ms)
start
wait_received 1000 60 || fail "only $(received) of 1000 arrived in 60 s"
t1=$(now_ms)
stop
[ "$(queued)" -eq 0 ] || fail "$(queued) deliveries still queued"
[ "$(ids a1)" -eq 1000 ] || fail "$(ids a1) distinct ids of 1000 arrived"
ms=$((t1 - t0))
verdict=missed
[ "$ms" -lt 2000 ] && verdict=met
printf 'ROW\toutbox\t1,000 queued deliveries, start to last received\t%s ms\t-\t-\t<2000 ms\t%s\n' \
    "$ms" "$verdict"

# 2. a receiver that answers in 200 ms
printf 'delay 200\n' >"$W/rcv/mode.tmp" && mv "$W/rcv/mode.tmp" "$W/rcv/mode"
base=$(received)
"$BUILD/bench/enqueue" "$W/state" sales "$slow" b2
t0=$(now_ms)
start
wait_received $((base + slow)) 120 ||
    fail "only $(($(received) - base)) of $slow arrived in 120 s"
t1=$(now_ms)
stop
rate=$(awk -v n="$slow" -v ms=$((t1 - t0)) 'BEGIN { printf "%d", n * 1000 / ms }')
printf 'ROW\toutbox\tdeliveries to a receiver answering in 200 ms\t%s/s\t-\t-\t-\t-\n' \
    "$rate"
rm -f "$W/rcv/mode"

# 3. kill -9 three times while 1,000 are delivered
"$BUILD/bench/enqueue" "$W/state" sales 1000 c3
for _ in 1 2 3; do
	start
	sleep 0.15
	kill -9 "$pg_pid"
	wait "$pg_pid" 2>/dev/null || true
	pg_pid=""
done
start
end=$(($(now_ms) + 60000))
while [ "$(queued)" -gt 0 ]; do
	[ "$(now_ms)" -lt "$end" ] || fail "$(queued) still queued after 60 s"
	sleep 0.05
done
sleep 0.2
stop
got=$(ids c3)
dups=$(($(delivered c3 | wc -l) - got))
verdict=missed
[ "$got" -eq 1000 ] && verdict=met
printf 'ROW\toutbox\tkill -9 three times during 1,000 deliveries\t%s of 1000 arrived (%s twice)\t-\t-\tnone lost\t%s\n' \
    "$got" "$dups" "$verdict"
printf 'ROW\tmemory\tRssAnon while delivering 1,000\t%s KiB\t-\t-\t-\t-\n' "$rss"
[ "$got" -eq 1000 ] || fail "deliveries were lost"
