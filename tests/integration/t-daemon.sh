#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# printgated with a real repository and a local receiver standing in for
# Slack, Mattermost, Teams and a webhook: a refused push becomes a review
# request on every channel; decisions are told; the approved tag is
# released from the kept tag object; SIGHUP with a broken config keeps the
# old one; SIGTERM stops cleanly.
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon

commit "Q1" brochures/emea/q1.txt="EMEA Q1" "datasheets/widget <pro>.txt=W"
c1=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/q1 "Print-By: 2027-01-10"
tagobj=$(rev print/q1)
push_as rruiz print/q1
assert_rc "the unapproved print tag is refused" 1

wait_for 10 has_requests /slack 1
assert "a review request reaches Slack" has_requests /slack 1
last_body /slack >"$OUT"
assert_out "Slack: Block Kit with the tag, the changed files and the rule" \
    '"blocks":[' 'print/q1' 'brochures/emea/q1.txt' 'datasheets/widget &lt;pro&gt;.txt' 'emea' '0 of 2'
assert_out "Slack: the three decision buttons carry the review" \
    '"action_id":"approve"' '"action_id":"approve-with-changes"' \
    '"action_id":"changes-required"' "\"value\":\"print/q1@$c1\""
assert_out "Slack: the deadline from Print-By" "2027-01-10"

wait_for 10 has_requests /mm 1
last_body /mm >"$OUT"
assert_out "Mattermost: attachment actions posting back to printgated" \
    '"attachments":[' '"integration":{"url":"https://printgate.example.com/mattermost/actions"' \
    "\"review\":\"print/q1@$c1\"" '"decision":"approve"' '"token":"'
wait_for 10 has_requests /teams 1
last_body /teams >"$OUT"
assert_out "Teams: an Adaptive Card through a Workflows webhook" \
    '"type":"message"' '"contentType":"application/vnd.microsoft.card.adaptive"' \
    '"type":"AdaptiveCard"' 'print/q1' '@printgate approve print/q1'
wait_for 10 has_requests /hook 1
last_body /hook >"$OUT"
assert_out "webhook: a JSON event" '"type":"printgate.review-requested"' \
    "\"commit\":\"$c1\"" '"tag":"print/q1"'

# The Standard Webhooks signature, checked with openssl, not printgate.
n=$(grep " /hook " "$RCV/log" | tail -n 1 | cut -d' ' -f1)
hdr() { grep -i "^$1: " "$RCV/$(printf 'req-%06d.headers' "$n")" | cut -d' ' -f2- | tr -d '\r'; }
wid=$(hdr webhook-id)
wts=$(hdr webhook-timestamp)
wsig=$(hdr webhook-signature)
key=$(printf '%s' MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | od -An -tx1 | tr -d ' \n')
want=$( { printf '%s.%s.' "$wid" "$wts"; cat "$RCV/$(printf 'req-%06d.body' "$n")"; } |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64)
if [ -n "$wid" ] && [ "$wsig" = "v1,$want" ]; then
	pass "webhook: the signature verifies independently"
else
	fail "webhook: the signature verifies independently" "got '$wsig', want 'v1,$want' (id '$wid', ts '$wts')"
fi
assert "webhook: the delivery id is stable and announced" test -n "$wid"

# Changes required go to the authors of the collateral.
ctl decide print/q1 --as bob changes-required --comment "wrong price" >/dev/null
wait_for 10 sh -c "grep -q 'printgate.changes-required' '$RCV'/req-*.body"
bodies /hook | grep '"type":"printgate.changes-required"' >"$OUT"
assert_out "changes required: told to the author (mark), with the comment" \
    '"asked":["mark"]' '"comment":"wrong price"'
ctl decide print/q1 --as bob approve >/dev/null

# Decisions are told; the quorum releases the tag from the kept object.
ctl decide print/q1 --as alice approve --comment "reads well" >/dev/null
# the webhook's copy may come first: wait for Slack's
slack_told() { bodies /slack | grep -q "Alice Ng approved print/q1"; }
wait_for 10 slack_told
bodies /slack >"$OUT"
assert_out "a decision is told in Slack" "Alice Ng approved print/q1" "reads well"
wait_for 15 remote_ref refs/tags/print/q1
assert "the approved tag is released by printgated" remote_ref refs/tags/print/q1
assert "the released tag is the tag object the release manager pushed" \
    test "$(remote_ref refs/tags/print/q1)" = "$tagobj"
assert_not "the pending copy is dropped" remote_ref refs/printgate/pending/q1
ledger "$c1" | tail -n 1 >"$OUT"
assert_out "a released event is written by the daemon" '"type":"released"' \
    '"by":"printgate"' '"via":"daemon"' "\"tag_object\":\"$tagobj\""
wait_for 10 sh -c "grep -q 'printgate.released' '$RCV'/req-*.body"
bodies /hook >"$OUT"
assert_out "the release is told" '"type":"printgate.released"'
bodies /slack >"$OUT"
assert_out "Slack is told of the release" "was released"
wait_for 10 has_requests /released 1
n=$(requests /released)
bodies /released >"$OUT"
if [ "$n" -eq 1 ] && grep -q '"type":"printgate.released"' "$OUT"; then
	pass "a channel with events = [ \"released\" ] gets the release and nothing else"
else
	fail "a channel with events = [ \"released\" ] gets the release and nothing else" "$n requests"
fi
grep "print/q1" "$DLOG" >"$OUT"
assert_out "the log names what happened" "release 'print/q1'" "deliver "

# SIGHUP with a broken config keeps the daemon on the old one.
cp "$CONF" "$T/good.conf"
echo 'review = { remind_after = "soon"; };' >>"$CONF"
kill -HUP "$daemon_pid"
wait_for 10 grep -q "reload '$CONF': invalid" "$DLOG"
assert "SIGHUP with a broken config: the daemon says why" grep -q "remind_after" "$DLOG"
assert "SIGHUP with a broken config: the daemon keeps running" kill -0 "$daemon_pid"
cp "$T/good.conf" "$CONF"
kill -HUP "$daemon_pid"
wait_for 10 grep -q "reload '$CONF': done" "$DLOG"
assert "SIGHUP with a good config: reloaded" grep -q "reload '$CONF': done" "$DLOG"

# It still works after the reload.
commit "Q2" brochures/emea/q2.txt="EMEA Q2"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/q2
before=$(requests /hook)
push_as rruiz print/q2
wait_for 10 has_requests /hook $((before + 1))
last_body /hook >"$OUT"
assert_out "after the reload, a new request is sent" '"tag":"print/q2"'

kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=""
assert_rc "SIGTERM: printgated exits 0" 0
assert "SIGTERM: it says it stops" grep -q "stop:" "$DLOG"

finish
