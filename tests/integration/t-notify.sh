#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# printgated talks to systemd: with NOTIFY_SOCKET pointed at a datagram
# socket this test reads, and WATCHDOG_USEC set, it sends READY=1, STATUS,
# WATCHDOG=1 while its loop runs, and STOPPING=1 when told to stop.
. "$(dirname "$0")/lib.sh"

setup
"$BUILD/tests/notify-socket" "$T/notify.sock" >"$T/notify.log" &
listener_pid=$!
wait_for 10 test -S "$T/notify.sock"
NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=400000 \
    "$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
daemon_pid=$!
wait_for 20 grep -qx "READY=1" "$T/notify.log"
assert "READY=1 once printgated has scanned" grep -qx "READY=1" "$T/notify.log"
assert "STATUS= says what it does" grep -q "^STATUS=0 open reviews, 0 deliveries queued" "$T/notify.log"
wait_for 10 grep -qx "WATCHDOG=1" "$T/notify.log"
assert "WATCHDOG=1 pings with WATCHDOG_USEC set" grep -qx "WATCHDOG=1" "$T/notify.log"
kill -HUP "$daemon_pid"
wait_for 10 grep -qx "RELOADING=1" "$T/notify.log"
assert "RELOADING=1 on SIGHUP" grep -qx "RELOADING=1" "$T/notify.log"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=""
assert_rc "SIGTERM: exit 0" 0
wait_for 10 grep -qx "STOPPING=1" "$T/notify.log"
assert "STOPPING=1 on SIGTERM" grep -qx "STOPPING=1" "$T/notify.log"
kill "$listener_pid" 2>/dev/null
wait "$listener_pid" 2>/dev/null
finish
