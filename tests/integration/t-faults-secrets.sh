#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Faults, part 6: a signing secret that cannot be read when a delivery is
# sent.  The webhook channel's secret_file is removed after printgated
# started; the next delivery to it is refused with a message that names
# the file, and printgated goes on: it stays up, answers /healthz and
# delivers to the other channels (it used to free the delivery's URL
# twice there, and died).
. "$(dirname "$0")/lib.sh"

logged() { grep -qE -- "$1" "$DLOG"; }
alive() { kill -0 "$daemon_pid" 2>/dev/null; }
healthy() { curl -s -m 1 "http://127.0.0.1:$HPORT/healthz" | grep -q ok; }
arrived() { bodies "$1" | grep -q "print/$2\b"; }

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
commit "q1" "brochures/emea/q1.txt=q1"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main

rm "$T/hook.secret"
tag print/q1
push_as rruiz print/q1
assert_rc "print/q1 waits for approval" 1
wait_for 10 logged "cannot read the signing secret of 'audit'"
assert "the refused delivery names the channel and its secret" \
    logged "deliver '[0-9a-f]+' to 'audit': cannot read the signing secret of 'audit': .*hook.secret"
wait_for 5 arrived /slack q1
assert "the Slack channel still gets the request" arrived /slack q1
sleep 1
assert "printgated is still running" alive
assert "printgated still answers /healthz" healthy

commit "q2" "brochures/emea/q2.txt=q2"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/q2
push_as rruiz print/q2
wait_for 10 arrived /slack q2
assert "the next request is delivered too" arrived /slack q2
assert "printgated is running after the next delivery" alive

stop_daemon
finish
