#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults, part 5: 500 connections to printgated's listener that say
# nothing (250) or send their headers a line every 2 s (250).  While they
# are open, valid signed decisions (the API and a Slack command) are
# answered 200 and land in the ledger, and /healthz answers; printgated
# closes the silent ones itself after its idle timeout; once they are all
# gone, printgated is healthy and back to the descriptors it had before.
# The connections are held by one bash process (dash has no /dev/tcp).
. "$(dirname "$0")/lib.sh"

NCONN=500
ms() { date +%s%3N; }
healthy() { curl -s -m 1 "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
nfds() { ls "/proc/$daemon_pid/fd" 2>/dev/null | wc -l; }
fds_at_least() { [ "$(nfds)" -ge "$1" ]; }
fds_at_most() { [ "$(nfds)" -le "$1" ]; }
newtag() {
	commit "for $1" "brochures/emea/$1.txt=$1"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "print/$1"
	push_as rruiz "print/$1"
}
ledger_of() { ledger "$(rev "print/$1^{commit}")"; }

if ! command -v bash >/dev/null 2>&1; then
	pass "# SKIP 500 idle and slow connections: no bash for /dev/tcp"
	finish
fi

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
newtag n1
newtag n2
assert_rc "print/n2 waits for approval" 1
healthy
base=$(nfds)
echo "# printgated has $base descriptors open before"

# The holder: opens NCONN connections, writes the start of a request on
# every other one and a header line on those every 2 s, for at most 24 s.
cat >"$T/hold.bash" <<'BASH'
trap '' PIPE
port=$1 n=$2 ready=$3
fds=()
for ((i = 0; i < n; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$port" || break
	fds+=("$fd")
done
for ((i = 0; i < ${#fds[@]}; i += 2)); do
	printf 'POST /api/v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\n' >&"${fds[$i]}"
done
echo "${#fds[@]}" >"$ready"
for ((k = 1; k <= 12; k++)); do
	sleep 2
	for ((i = 0; i < ${#fds[@]}; i += 2)); do
		printf 'X-Slow-%d: %d\r\n' "$k" "$k" >&"${fds[$i]}" 2>/dev/null
	done
done
BASH
bash "$T/hold.bash" "$HPORT" "$NCONN" "$T/held" 2>"$T/hold.err" &
holder=$!
wait_for 20 test -s "$T/held"
held=$(cat "$T/held" 2>/dev/null)
if [ "${held:-0}" -eq "$NCONN" ]; then pass "$NCONN connections opened to the listener"
else fail "$NCONN connections opened to the listener" "${held:-0} opened: $(cat "$T/hold.err")"; fi
wait_for 10 fds_at_least $((base + NCONN - 20))
during=$(nfds)
echo "# printgated has $during descriptors open with the connections"
if [ "$during" -ge $((base + NCONN - 20)) ]; then pass "printgated accepted them ($during descriptors)"
else fail "printgated accepted them" "$during descriptors, $base before"; fi

# Decisions while they are open.
t0=$(ms)
printf '{"tag":"print/n1","person":"alice","decision":"approve","comment":"busy 1"}' >"$T/api-1"
api "$T/api-1"; echo >>"$OUT"
t1=$(ms)
if [ "$code" = 200 ]; then pass "an API decision with $NCONN connections open: 200 ($((t1 - t0)) ms)"
else fail "an API decision with $NCONN connections open: 200" "got $code after $((t1 - t0)) ms"; fi
printf '{"tag":"print/n1","person":"carol","decision":"approve","comment":"busy 2"}' >"$T/api-2"
api "$T/api-2"; echo >>"$OUT"
if [ "$code" = 200 ]; then pass "a second API decision: 200"
else fail "a second API decision: 200" "got $code"; fi
slack_command U04BOB "approve print/n2 busy 3" "trig-busy-3"
slack /slack/commands "$T/command"; echo >>"$OUT"
if [ "$code" = 200 ]; then pass "a Slack slash command with $NCONN connections open: 200"
else fail "a Slack slash command with $NCONN connections open: 200" "got $code"; fi
ledger_of n1 >"$OUT"
assert_out "the API decisions are in the ledger" '"comment":"busy 1"' '"comment":"busy 2"'
ledger_of n2 >"$OUT"
assert_out "the Slack decision is in the ledger" '"via":"slack:U04BOB"' '"comment":"busy 3"'
assert "/healthz answers within 1 s with the connections open" healthy
wait_for 15 remote_ref refs/tags/print/n1
assert "the approved print/n1 is released meanwhile" remote_ref refs/tags/print/n1
assert "the connections are still open at the end of the decisions" kill -0 "$holder"

# The silent half is closed by printgated itself after its idle timeout
# (10 s), while the holder keeps them open.
wait_for 15 fds_at_most $((base + NCONN / 2 + 10))
idle=$(nfds)
if [ "$idle" -le $((base + NCONN / 2 + 10)) ] && kill -0 "$holder"; then
	pass "printgated closes the silent connections itself after its timeout ($idle descriptors)"
else fail "printgated closes the silent connections itself after its timeout" "$idle descriptors"; fi
assert "/healthz answers within 1 s with the slow connections still open" healthy

# They go away: printgated is healthy and back to its descriptors.
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
# (up to 8 more: libcurl keeps idle outbound connections for reuse)
wait_for 15 fds_at_most $((base + 10))
after=$(nfds)
echo "# printgated has $after descriptors open after"
if [ "$after" -le $((base + 10)) ]; then pass "the descriptor count returns to normal ($base before, $after after)"
else fail "the descriptor count returns to normal" "$base before, $after after"; fi
assert "printgated is healthy afterwards" healthy
printf '{"tag":"print/n2","person":"carol","decision":"approve","comment":"after"}' >"$T/api-3"
api "$T/api-3"; echo >>"$OUT"
if [ "$code" = 200 ]; then pass "a decision afterwards: 200"
else fail "a decision afterwards: 200" "got $code"; fi
assert "printgated keeps running" kill -0 "$daemon_pid"
stop_daemon
if [ "$daemon_rc" -eq 0 ]; then pass "printgated stops cleanly"
else fail "printgated stops cleanly" "exit $daemon_rc"; fi
finish
