#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# idle.sh BUILD DIR MODE: printgated idle, watching the generated
# repository in DIR with its listener open and nothing to do: CPU time and
# wakeups (context switches) over 60 s (quick: 10 s), and RssAnon.  The
# reminders of the repository's reviews are hours away, so no timer is due:
# the target is no wakeup at all.  ROW lines on stdout.
set -eu

BUILD=$(cd "$1" && pwd)
DIR=$(cd "$2" && pwd)
MODE=$3
case $MODE in
full) secs=60 ;;
*) secs=10 ;;
esac
W=$(mktemp -d)
pg_pid=""
cleanup() {
	[ -n "$pg_pid" ] && kill "$pg_pid" 2>/dev/null && wait "$pg_pid"
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/slack.secret"
printf 'https://hooks.slack.invalid/T0/B0/idle\n' >"$W/slack.url"
chmod 600 "$W/slack.secret" "$W/slack.url"
sed "s|^state_dir = .*|state_dir = \"$W/state\";|" "$DIR/bench.conf" \
    >"$W/printgate.conf"
cat >>"$W/printgate.conf" <<CONF
notify = ( { name = "sales"; type = "slack"; url_file = "slack.url"; } );
http = {
  listen = "127.0.0.1:0";
  public_url = "https://printgate.example.com";
  slack_signing_secret_file = "slack.secret";
};
CONF
"$BUILD/printgated" -c "$W/printgate.conf" >"$W/daemon.log" 2>&1 &
pg_pid=$!
for _ in $(seq 200); do
	grep -q 'ready: watching' "$W/daemon.log" && break
	sleep 0.05
done
grep -q 'ready: watching' "$W/daemon.log" || {
	echo "idle: printgated did not start" >&2
	cat "$W/daemon.log" >&2
	exit 1
}
sleep 2

# cpu: utime + stime in clock ticks; wakeups: context switches
cpu() { awk '{ print $14 + $15 }' "/proc/$pg_pid/stat"; }
switches() {
	awk '/ctxt_switches/ { n += $2 } END { print n }' \
	    "/proc/$pg_pid/status"
}
c0=$(cpu) s0=$(switches)
echo "idle: watching printgated for $secs s" >&2
sleep "$secs"
c1=$(cpu) s1=$(switches)
rss=$(awk '/^RssAnon/ { print $2 }' "/proc/$pg_pid/status")
hz=$(getconf CLK_TCK)
wakeups=$((s1 - s0))
cpu_ms=$(((c1 - c0) * 1000 / hz))
verdict=missed
[ "$wakeups" -eq 0 ] && verdict=met
printf 'ROW\tidle\twakeups over %s s idle\t%s\t-\t-\tnone (no timer due)\t%s\n' \
    "$secs" "$wakeups" "$verdict"
printf 'ROW\tidle\tCPU time over %s s idle\t%s ms\t-\t-\t-\t-\n' "$secs" \
    "$cpu_ms"
verdict=missed
[ "$rss" -lt 16384 ] && verdict=met
printf 'ROW\tmemory\tRssAnon idle\t%s KiB\t-\t-\t<16384 KiB\t%s\n' "$rss" \
    "$verdict"
