#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# page.sh - the review page's HTML served by printgated, on the benchmark
# repository's typical tag (refs/bench/typical: the tip of main, a few
# hundred files changed since the last print, every one with its diff
# from the two blobs):
#
#   a. one client asking for the page again and again: the p99 of the
#      whole answer (wrk --latency over one connection);
#   b. the same while 32 connections send the listener forged Slack
#      requests (bad signature), as fast as it refuses them.
#
# Every answer's status is checked: 200 for the page, 401 for the forged.
#
#   sh bench/page.sh BUILD DIR WORKDIR full|quick
#
# DIR is bench/repo.sh's folder (only read: the benchmark works on a
# shared mirror of its repo.git in WORKDIR, which this script owns).
# Results go to stdout as ROW lines (see bench/run.sh); the daemon's log
# and wrk's output to WORKDIR/log.
set -eu

[ $# -eq 4 ] || { echo "usage: sh bench/page.sh BUILD DIR WORKDIR full|quick" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
DIR=$(cd "$2" && pwd)
mkdir -p "$3"
W=$(cd "$3" && pwd)
MODE=$4
cd "$(dirname "$0")/.."
[ "$MODE" = full ] && SECS=10 || SECS=3
TARGET_MS=20

say() { echo "page: $*" >&2; }
die() {
	echo "page: error: $*" >&2
	exit 1
}
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
wait_for() {
	n=0
	limit=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -ge $limit ] && return 1
		sleep 0.1
	done
}
for c in git wrk curl; do
	command -v "$c" >/dev/null 2>&1 || die "$c is missing (make bench installs it)"
done

rm -rf "${W:?}/repo.git" "${W:?}/etc" "${W:?}/state" "${W:?}/log"
mkdir -p "$W/etc" "$W/log"
export GIT_CONFIG_NOSYSTEM=1
git clone -q --mirror --shared "$DIR/repo.git" "$W/repo.git"
G="git --git-dir=$W/repo.git"
# the typical candidate as a print tag of its own, so that its link reads
tagobj=$($G rev-parse refs/bench/typical)
name=$($G cat-file tag "$tagobj" | sed -n 's/^tag //p')
$G update-ref "refs/tags/$name" "$tagobj"

CONF=$W/etc/printgate.conf
sed -e "s|@REPO@|$W/repo.git|" -e "s|@STATE@|$W/state|" bench/bench.conf.in >"$CONF"
(umask 077; printf 'bench-page-slack-secret-0123456789\n' >"$W/etc/slack.secret")
cat >>"$CONF" <<CONF
http = {
  listen = "127.0.0.1:0";
  public_url = "https://printgate.example.com";
  slack_signing_secret_file = "slack.secret";
};
CONF
"$BUILD/printgated" -c "$CONF" >>"$W/log/printgated.log" 2>&1 &
pids="$pids $!"
wait_for 60 grep -q "ready: watching" "$W/log/printgated.log" ||
	{ tail -n 20 "$W/log/printgated.log" >&2; die "printgated did not start"; }
wait_for 10 test -s "$W/state/http-port" || die "printgated has no listener"
URL=http://127.0.0.1:$(cat "$W/state/http-port")
link=$("$BUILD/printgatectl" -c "$CONF" link "$name") || die "printgatectl link failed"
PAGE=$URL${link#https://printgate.example.com}
code=$(curl -s -o "$W/log/page.html" -w '%{http_code}' "$PAGE")
[ "$code" = 200 ] || die "the page answered $code"
bytes=$(wc -c <"$W/log/page.html")
files=$(sed -n 's|.*<h2>Files <span class="count">\([0-9]*\)<.*|\1|p' "$W/log/page.html")
say "$name: $files files, a page of $bytes bytes"

# p99 FILE: wrk --latency's 99% line, in ms.
p99() {
	awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000
		printf "%.1f", v }' "$1"
}
# statuses_ok FILE: wrk saw no non-2xx answers and no socket errors.
statuses_ok() { ! grep -q -e 'Non-2xx' -e 'Socket errors' "$1"; }
verdict() { awk -v v="$1" -v t="$TARGET_MS" 'BEGIN { print v < t ? "met" : "missed" }'; }

wrk -t1 -c1 -d"${SECS}s" --latency "$PAGE" >"$W/log/wrk-page.txt"
statuses_ok "$W/log/wrk-page.txt" || die "the page did not answer 200 throughout (see $W/log/wrk-page.txt)"
alone=$(p99 "$W/log/wrk-page.txt")

cat >"$W/forged.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Slack-Signature"] = "v0=" .. string.rep("0", 64)
wrk.body = "payload=%7B%7D"
request = function()
	wrk.headers["X-Slack-Request-Timestamp"] = tostring(os.time())
	return wrk.format()
end
LUA
wrk -t1 -c32 -d"$((SECS + 2))s" -s "$W/forged.lua" "$URL/slack/actions" \
    >"$W/log/wrk-forged.txt" &
forged=$!
pids="$pids $forged"
sleep 1
wrk -t1 -c1 -d"${SECS}s" --latency "$PAGE" >"$W/log/wrk-page-load.txt"
wait "$forged" || true
statuses_ok "$W/log/wrk-page-load.txt" || die "the page did not answer 200 under load"
grep -q 'Non-2xx' "$W/log/wrk-forged.txt" || die "the forged requests were not refused"
loaded=$(p99 "$W/log/wrk-page-load.txt")
rate=$(awk '$1 == "Requests/sec:" { printf "%d", $2 }' "$W/log/wrk-forged.txt")

printf 'ROW\tpage\treview page HTML, typical tag (%s files), p99\t%s ms\t-\t-\t<%s ms\t%s\n' \
    "$files" "$alone" "$TARGET_MS" "$(verdict "$alone")"
printf 'ROW\tpage\tthe same, while the listener refuses %s forged requests/s\t%s ms\t-\t-\t<%s ms\t%s\n' \
    "$rate" "$loaded" "$TARGET_MS" "$(verdict "$loaded")"
