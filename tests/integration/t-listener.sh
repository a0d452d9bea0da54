#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Decisions from chat through printgated's HTTP listener, signed the way
# each platform signs them: a Slack button and slash command, Mattermost
# buttons and commands, a Teams outgoing webhook and the signed API; more
# than 40 bad requests each refused with its code and the ledger
# unchanged; 20 replays leaving one line; 30 reviewers at once.
. "$(dirname "$0")/lib.sh"

i=1
EXTRA_PEOPLE=""
crowd=""
while [ $i -le 30 ]; do
	p=$(printf 'r%02d' $i)
	EXTRA_PEOPLE="$EXTRA_PEOPLE{ id = \"$p\"; name = \"Reviewer $i\"; email = \"$p@example.com\"; },
"
	crowd="$crowd${crowd:+, }\"$p\""
	i=$((i + 1))
done
EXTRA_GROUPS="  crowd = [ $crowd ];"
EXTRA_RULES=", { name = \"crowd\"; paths = [ \"crowd/**\" ]; group = \"crowd\"; required = 30; }"
export EXTRA_PEOPLE EXTRA_GROUPS EXTRA_RULES

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }

# newtag NAME FILE=CONTENT...: a commit and its refused print tag.
newtag() {
	name=$1
	shift
	commit "for $name" "$@"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$name"
	push_as rruiz "$name"
	review="$name@$(rev HEAD)"
}
ledger_of() { ledger "$(rev "$1^{commit}")"; }

run curl -s "http://127.0.0.1:$HPORT/healthz"
assert_out "GET /healthz answers ok" "ok"

# --- a Slack button from a designated reviewer
newtag print/s1 brochures/emea/s1.txt=S1
slack_click U04ALICE approve "$review" "trig-s1-alice"
slack /slack/actions "$T/click"
if [ "$code" = 200 ]; then pass "Slack button click: 200"; else fail "Slack button click: 200" "got $code"; fi
ledger_of print/s1 >"$OUT"
assert_out "the click is in the ledger, by alice via Slack" \
    '"type":"approve"' '"by":"alice"' '"via":"slack:U04ALICE"'
wait_for 10 has_requests /slack-response 1
last_body /slack-response >"$OUT"
assert_out "the original message is updated through response_url" \
    '"replace_original":true' 'print/s1' '1 of 2'

# --- a Slack slash command completes the quorum; the tag is released
slack_command U04BOB "approve print/s1 reads well" "trig-s1-bob"
slack /slack/commands "$T/command"
if [ "$code" = 200 ]; then pass "Slack slash command: 200"; else fail "Slack slash command: 200" "got $code"; fi
assert_out "the slash command answers what it recorded" '"response_type":"ephemeral"' \
    'recorded: bob approve print/s1'
wait_for 15 remote_ref refs/tags/print/s1
assert "after the chat approvals the tag is released" remote_ref refs/tags/print/s1
slack_command U04BOB "status print/s1" "trig-status"
slack /slack/commands "$T/command"
assert_out "/printgate status answers in chat" "print/s1" "released"
slack_command U04BOB "who brochures/emea/x.pdf" "trig-who"
slack /slack/commands "$T/command"
assert_out "/printgate who answers in chat" "emea: 2 of sales-emea"

# --- Mattermost: a button (its token from the posted message) and a command
newtag print/m1 brochures/emea/m1.txt=M1
token=$(mm_token print/m1 approve)
printf '{"user_id":"mmcarol","user_name":"carol","channel_id":"c1","trigger_id":"mm-trig-1","context":{"review":"%s","decision":"approve","token":"%s"}}' \
    "$review" "$token" >"$T/mm"
post /mattermost/actions application/json "$T/mm"
if [ "$code" = 200 ]; then pass "Mattermost button: 200"; else fail "Mattermost button: 200" "got $code"; fi
assert_out "Mattermost: a click tells the person the slash command to use" \
    '"ephemeral_text":"A button cannot decide for you' '`/printgate approve print/m1`' 'nothing was recorded'
assert_no_out "Mattermost: a click updates no message" '"update":'
ledger_of print/m1 >"$OUT"
assert_no_out "Mattermost: a click records nothing" '"by":"carol"'
printf 'token=mattermost-token-for-tests&user_id=mmcarol&user_name=carol&command=%%2Fprintgate&text=%s' \
    "$(urlencode 'approve print/m1')" >"$T/mmc"
post /mattermost/commands application/x-www-form-urlencoded "$T/mmc"
if [ "$code" = 200 ]; then pass "Mattermost: carol approves with the slash command"
else fail "Mattermost: carol approves with the slash command" "got $code"; fi
printf '{"user_id":"mmcarol","context":{"review":"%s","decision":"approve-with-changes","token":"%s"}}' \
    "$review" "$token" >"$T/mm"
post /mattermost/actions application/json "$T/mm"
if [ "$code" = 401 ]; then pass "Mattermost: a token for another decision is refused 401"
else fail "Mattermost: a token for another decision is refused 401" "got $code"; fi
printf 'token=mattermost-token-for-tests&user_id=mmalice&user_name=alice&command=%%2Fprintgate&text=%s' \
    "$(urlencode 'approve print/m1')" >"$T/mmc"
post /mattermost/commands application/x-www-form-urlencoded "$T/mmc"
if [ "$code" = 200 ]; then pass "Mattermost slash command: 200"; else fail "Mattermost slash command: 200" "got $code"; fi
ledger_of print/m1 >"$OUT"
assert_out "Mattermost decisions are in the ledger" '"via":"mattermost:mmcarol"' '"via":"mattermost:mmalice"'
wait_for 15 remote_ref refs/tags/print/m1
assert "approved from Mattermost: released" remote_ref refs/tags/print/m1

# --- Teams and the API
newtag print/t1 brochures/emea/t1.txt=T1
printf '{"type":"message","id":"1485983408511","timestamp":"2027-01-02T10:00:00Z","from":{"id":"29:alice","name":"Alice Ng","aadObjectId":"aad-alice"},"text":"<at>printgate</at> approve print/t1 fine by me"}' >"$T/teams"
teams "$T/teams"
if [ "$code" = 200 ]; then pass "Teams outgoing webhook: 200"; else fail "Teams outgoing webhook: 200" "got $code"; fi
assert_out "Teams: the reply says what was recorded" '"type":"message"' 'recorded: alice approve print/t1'
printf '{"tag":"print/t1","person":"bob","decision":"approve","comment":"ok"}' >"$T/api"
api "$T/api"
if [ "$code" = 200 ]; then pass "API decision: 200"; else fail "API decision: 200" "got $code"; fi
assert_out "API: JSON answer" '"recorded":true' '"approved":true'
ledger_of print/t1 >"$OUT"
assert_out "Teams and API decisions are in the ledger" '"via":"teams:29:alice"' '"by":"bob"' '"via":"api"'
wait_for 15 remote_ref refs/tags/print/t1
assert "approved from Teams and the API: released" remote_ref refs/tags/print/t1

# --- a captured Teams approval replayed against a newer version of a tag
newtag print/t3 brochures/emea/t3.txt=T3
printf '{"type":"message","id":"replay-t3","from":{"id":"29:alice"},"text":"<at>printgate</at> approve print/t3"}' >"$T/teams3"
teams "$T/teams3"
if [ "$code" = 200 ]; then pass "Teams: alice approves print/t3"; else fail "Teams: alice approves print/t3" "got $code"; fi
# the release manager re-tags print/t3 on changed content before release
commit "t3 again" brochures/emea/t3.txt="T3, changed"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
git -C "$WORK" tag -f -a print/t3 -m "print/t3" >/dev/null
push_as rruiz print/t3
teams "$T/teams3"
assert_out "the replayed Teams request is not recorded again" "already recorded"
n=$(ledger "$(rev HEAD)" | grep -c '"by":"alice"')
if [ "$n" -eq 0 ]; then pass "the replay does not approve the new content"
else fail "the replay does not approve the new content" "$n lines by alice"; fi

# --- 20 identical replays leave one line
newtag print/r1 brochures/emea/r1.txt=R1
slack_click U04CAROL approve "$review" "trig-replay"
ts=$(date +%s)
before=$(requests /slack-response)
n=0
while [ $n -lt 20 ]; do
	slack /slack/actions "$T/click" "$ts"
	[ "$code" = 200 ] || fail "replay $n answered 200" "got $code"
	n=$((n + 1))
done
n=$(ledger_of print/r1 | grep -c '"by":"carol"')
if [ "$n" -eq 1 ]; then pass "20 identical replays leave one ledger line"
else fail "20 identical replays leave one ledger line" "$n lines"; fi
# only the first updates the Slack message: a replayed capture cannot make
# printgated post again and again
wait_for 10 has_requests /slack-response $((before + 1))
sleep 1
n=$(($(requests /slack-response) - before))
if [ "$n" -eq 1 ]; then pass "20 identical replays post one message update"
else fail "20 identical replays post one message update" "$n posts"; fi

# --- 30 reviewers at once
newtag print/crowd crowd/deck.txt=crowd
i=1
while [ $i -le 30 ]; do
	p=$(printf 'r%02d' $i)
	printf '{"tag":"print/crowd","person":"%s","decision":"approve"}' "$p" >"$T/api-$p"
	( api "$T/api-$p"; echo "$code" >"$T/code-$p" ) &
	pids="${pids:-} $!"
	i=$((i + 1))
done
# (only these: a bare wait would wait for printgated and the receiver too)
wait $pids
# the EMEA file of print/r1 is in this scope too: a second EMEA approval
printf '{"tag":"print/crowd","person":"bob","decision":"approve"}' >"$T/api-bob"
api "$T/api-bob"
n=$(cat "$T"/code-r* | grep -c '^200$')
if [ "$n" -eq 30 ]; then pass "30 reviewers approving at once: 30 answers 200"
else fail "30 reviewers approving at once: 30 answers 200" "$n"; fi
n=$(ledger_of print/crowd | grep -c '"by":"r[0-9][0-9]"')
if [ "$n" -eq 30 ]; then pass "30 reviewers approving at once: all 30 land"
else fail "30 reviewers approving at once: all 30 land" "$n lines"; fi
wait_for 15 remote_ref refs/tags/print/crowd
assert "the 30 approvals release the tag" remote_ref refs/tags/print/crowd

. "$(dirname "$0")/bad-requests.sh"

run curl -s "http://127.0.0.1:$HPORT/metrics"
assert_out "metrics count requests by endpoint and status, decisions, deliveries" \
    'printgate_http_requests_total{endpoint="slack_actions",status="200"}' \
    'printgate_http_requests_total{endpoint="slack_actions",status="401"}' \
    'printgate_decisions_total{type="approve"}' 'printgate_outbox_depth' \
    'printgate_deliveries_total{result="delivered"}' 'printgate_open_reviews'
stop_daemon
finish
