#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every request printgated's listener refuses leaves one log line (route,
# status, the reason it answered, the platform user when the request
# named one, never a secret) and counts in /metrics by route and status.
# gate: both ways
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
commit "EMEA" brochures/emea/a.txt=one
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/r1
push_as rruiz print/r1
review="print/r1@$(rev HEAD)"

refusals() { grep -c "refuse $1 $2: " "$DLOG"; }

# a forged Slack click: the signature is not the signing secret's
slack_click U04ALICE approve "$review" "trig-forged"
ts=$(date +%s)
post /slack/actions application/x-www-form-urlencoded "$T/click" \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=$(printf "%064d" 0)"
if [ "$code" = 401 ]; then pass "a bad Slack signature: 401"
else fail "a bad Slack signature: 401" "got $code"; fi
wait_for 5 grep -q "refuse slack_actions 401: " "$DLOG"
if [ "$(refusals slack_actions 401)" = 1 ]; then
	pass "the 401 is logged once, with its route and status"
else fail "the 401 is logged once, with its route and status" \
    "$(grep refuse "$DLOG")"; fi
grep "refuse slack_actions 401" "$DLOG" >"$OUT"
assert_out "the log says why" "X-Slack-Signature does not match the body"
assert_no_out "the log names no user for an unverified request" "(user "
assert_no_out "the log has no secret" "$(cat "$T/slack.secret")"

# a signed click by a Slack user printgate does not know
slack_click U09NOBODY approve "$review" "trig-nobody"
slack /slack/actions "$T/click"
if [ "$code" = 403 ]; then pass "an unknown Slack user: 403"
else fail "an unknown Slack user: 403" "got $code"; fi
wait_for 5 grep -q "refuse slack_actions 403: " "$DLOG"
grep "refuse slack_actions 403" "$DLOG" >"$OUT"
assert_out "the 403 is logged with the reason and the platform user" \
    "not a reviewer printgate knows" "(user slack:U09NOBODY)"
if [ "$(refusals slack_actions 403)" = 1 ]; then
	pass "the 403 is logged once"
else fail "the 403 is logged once" "$(grep refuse "$DLOG")"; fi

# a signed API request with a bad signature: JSON answer, reason logged
printf '{"tag":"print/r1","person":"alice","decision":"approve"}' >"$T/api.json"
post /api/v1/decisions application/json "$T/api.json" \
    -H "webhook-id: msg_1" -H "webhook-timestamp: $(date +%s)" \
    -H "webhook-signature: v1,AAAA"
wait_for 5 grep -q "refuse api_decisions 401: " "$DLOG"
grep "refuse api_decisions 401" "$DLOG" >"$OUT"
assert_out "a JSON refusal is logged with its reason" "signature"

# refused before any handler: unknown path, wrong method
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/nowhere")
wait_for 5 grep -q "refuse none 404: no such path" "$DLOG"
assert "an unknown path is logged" grep -q "refuse none 404: no such path" "$DLOG"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HPORT/slack/actions")
wait_for 5 grep -q "refuse none 405: method not allowed" "$DLOG"
assert "a wrong method is logged" \
    grep -q "refuse none 405: method not allowed" "$DLOG"

# accepted requests are not logged as refusals
run curl -s "http://127.0.0.1:$HPORT/healthz"
run curl -s "http://127.0.0.1:$HPORT/metrics"
assert_no_out "/metrics is not a refusal" "refuse healthz"
assert_out "/metrics counts the refusals by route and status" \
    'printgate_http_requests_total{endpoint="slack_actions",status="401"} 1' \
    'printgate_http_requests_total{endpoint="slack_actions",status="403"} 1' \
    'printgate_http_requests_total{endpoint="api_decisions",status="401"} 1' \
    'printgate_http_requests_total{endpoint="none",status="404"} 1'
if grep -q "refuse healthz\|refuse metrics" "$DLOG"; then
	fail "answers that are not refusals are not logged as refusals"
else pass "answers that are not refusals are not logged as refusals"; fi
ledger "$(rev HEAD)" >"$OUT"
assert_no_out "nothing refused reached the ledger" '"type":"approve"'
stop_daemon
finish
