#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A delivery that no longer matches its review is not sent: Slack fails
# the "Review requested" message once, the review is approved and
# released before its retry, and the retry is dropped with a log line,
# while "Released" arrives.  Without the check, the request (with live
# buttons) arrived after the release.  And the request's "Open review"
# link in each chat format: a channel link (naming nobody) whose token
# verifies with the links secret; a click on Slack's link button is
# answered 200 and records nothing.  The next request says what changed
# since that print, inline: "Price: 100 → 110".
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
printf '/slack fail 1\n' >"$RCV/mode.tmp" && mv "$RCV/mode.tmp" "$RCV/mode"
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main 2>/dev/null
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1" \
    datasheets/prices.csv="Plan,Price
Pro,100
Team,50"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/s1
push_as rruiz print/s1
assert_rc "the unapproved tag is refused" 1
wait_for 10 grep -q " /slack 500\$" "$RCV/log"
assert "Slack failed the request once" grep -q " /slack 500\$" "$RCV/log"
assert "and printgated will retry it" grep -q "deliver request for 'print/s1@.*' to 'sales' .*will retry" "$DLOG"
for who in alice bob; do
	printf '{"tag":"print/s1","person":"%s","decision":"approve"}' "$who" >"$T/api"
	api "$T/api"
	assert "$who approves: 200" test "$code" = 200
done
wait_for 20 remote_ref refs/tags/print/s1
assert "the print tag is released" remote_ref refs/tags/print/s1
# slack_said TEXT: a body Slack took (200) has TEXT
slack_said() { ok_bodies /slack | grep -q "$1"; }
wait_for 20 slack_said "Released"
assert "Released reached Slack" slack_said "Released"
wait_for 20 grep -q "drop delivery '[0-9a-f]*' of request for 'print/s1@" "$DLOG"
assert "the retried request is dropped, with the reason" grep -q \
    "drop delivery '[0-9a-f]*' of request for 'print/s1@[0-9a-f]*' to 'sales': 'print/s1' was released since, so its request is out of date" "$DLOG"
sleep 1
assert_not "no Review requested reached Slack" slack_said "Review requested"
assert "the request reached the other channels" sh -c "grep ' /mm 200\$' '$RCV/log' >/dev/null"
assert "nothing is left in the outbox" test -z "$(ls "$T/state/outbox")"

# --- the request's link in Mattermost and Teams: a channel link
c1=$(rev HEAD)
bodies /mm | grep 'Review requested' >"$T/mm.body"
link=$(grep -o '\[Open review\](https://printgate.example.com/r/[A-Za-z0-9_-]*)' "$T/mm.body" | head -n 1 | sed 's/^.*(//; s/)$//')
assert "Mattermost: the request has an Open review link" test -n "$link"
run /usr/bin/python3 "$top/tests/tools/token-check.py" "$T/state/links.secret" "${link##*/r/}"
assert_rc "Mattermost: its token verifies with the links secret" 0
assert "Mattermost: for print/s1 at its commit, naming nobody" grep -q "^print/s1 $c1 - " "$OUT"
assert_not "Mattermost: the request names no server command" grep -q printgatectl "$T/mm.body"
bodies /teams | grep 'Review requested' >"$T/teams.body"
assert "Teams: the request has an Action.OpenUrl Open review" grep -q \
    '"type":"Action.OpenUrl","title":"Open review","url":"https://printgate.example.com/r/' "$T/teams.body"
bodies /slack | grep '"Released by' >/dev/null
rel=$(ok_bodies /slack | grep 'was released')
assert "Slack: released on the approvals of Alice and Bob" sh -c \
    "printf '%s' '$(printf '%s' "$rel" | head -c 200)' | grep -q 'was released on the approvals of Alice Ng and Bob Brandt'"

# --- a click on Slack's link button: 200, nothing recorded
before=$(notes_head)
slack_click U04ALICE open-review "print/s1@$c1" 1.2.3
slack /slack/actions "$T/click"
assert "the link button's click is answered 200" test "$code" = 200
assert "and records nothing" test "$(notes_head)" = "$before"

# --- the next print's request says what changed, in each format
commit "Pro up" datasheets/prices.csv="Plan,Price
Pro,110
Team,50"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/s2
push_as rruiz print/s2
assert_rc "print/s2 waits" 1
said_on() { bodies "$1" | grep 'Review requested: print/s2' | grep -q "$2"; }
wait_for 20 said_on /teams "What changed"
assert "Slack: What changed, the cell" said_on /slack '\*What changed\*\\ndatasheets/prices.csv: row \\"Pro\\", Price: 100 → 110'
assert "Mattermost: What changed, the cell" said_on /mm 'What changed:\*\*\\n> datasheets/prices.csv: row \\"Pro\\", Price: 100 → 110'
assert "Teams: What changed, the cell" said_on /teams 'What changed:\*\* datasheets/prices.csv: row \\"Pro\\", Price: 100 → 110'
finish
