# SPDX-License-Identifier: GPL-3.0-or-later
# bad-requests.sh - the listener's refusals, as a table: each row sends one
# bad request and names the status it must get.  Sourced by t-listener.sh
# after its reviews exist; checks that none of them changes the ledger and
# that printgated stays healthy.

# A review that waits, authored by alice (who may not approve it).
GIT_AUTHOR_NAME="Alice Ng" GIT_AUTHOR_EMAIL="alice@example.com" \
    commit "by alice" brochures/emea/bad.txt=bad
old_commit=$(rev HEAD~1)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/bad
push_as rruiz print/bad
bad_review="print/bad@$(rev HEAD)"
released_review="print/s1@$(rev 'print/s1^{commit}')"
now=$(date +%s)
before=$(notes_head)

# raw METHOD PATH TYPE FILE [CURL-ARGS...]: an unsigned request.
raw() {
	m=$1 p=$2 ty=$3 f=$4
	shift 4
	code=$(curl -s -m 20 --path-as-is -o "$OUT" -w '%{http_code}' -X "$m" \
	    ${ty:+-H "Content-Type: $ty"} "$@" ${f:+--data-binary "@$f"} \
	    "http://127.0.0.1:$HPORT$p")
}
# slack_as SECRET SKEW PATH FILE: signed with another secret, or with the
# clock SKEW seconds off (taken when the request is sent, not before).
slack_as() {
	ts=$(($(date +%s) + $2))
	sig=v0=$(hmac_hex "$1" "v0:$ts:$(cat "$4")")
	post "$3" application/x-www-form-urlencoded "$4" \
	    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig"
}
# slack_tampered PATH SIGNED-FILE SENT-FILE
slack_tampered() {
	ts=$(date +%s)
	sig=v0=$(hmac_hex "$(cat "$T/slack.secret")" "v0:$ts:$(cat "$2")")
	post "$1" application/x-www-form-urlencoded "$3" \
	    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig"
}
put() { printf '%s' "$2" >"$T/$1"; }
click() { slack_click "$1" "$2" "$3" "trig-bad-$(od -An -N4 -tx1 /dev/urandom | tr -d ' ')"; cp "$T/click" "$T/$4"; }
form() { put "$1" "payload=$(urlencode "$2")"; }
teams_as() {
	key=$(b64_to_hex "$1")
	sig=$(hmac_b64_hexkey "$key" "$2")
	post /teams/messages application/json "$2" -H "Authorization: HMAC $sig"
}

# bad CODE DESCRIPTION CMD...: the command's request must get CODE.
nbad=0
bad() {
	want=$1 desc=$2
	shift 2
	"$@"
	nbad=$((nbad + 1))
	if [ "$code" = "$want" ]; then pass "refused $want: $desc"
	else fail "refused $want: $desc" "got $code"; fi
}

click U04CAROL approve "$bad_review" good.click
click U04CAROL approve "0123456789abcdef0123456789abcdef01234567" nocommit.click
click U04CAROL approve "print/bad@0123456789abcdef0123456789abcdef01234567" othercommit.click
click U04NOBODY approve "$bad_review" stranger.click
click U04DAVE approve "$bad_review" dave.click
click U04ALICE approve "$bad_review" author.click
click U04CAROL approve "$released_review" released.click
click U04CAROL approve "print/bad@$old_commit" old.click
click U04CAROL approve "not-a-review" malformed.click
form notjson.form '{"type":"block_actions",'
form array.form '[1,2]'
form unknown-action.form '{"type":"block_actions","user":{"id":"U04CAROL"},"trigger_id":"t","actions":[{"action_id":"delete","value":"'"$bad_review"'"}]}'
form no-user.form '{"type":"block_actions","trigger_id":"t","actions":[{"action_id":"approve","value":"'"$bad_review"'"}]}'
put nopayload.form 'foo=bar'
put badescape.form 'payload=%ZZ'
slack_command U04CAROL "approve print/nosuch" trig-404; cp "$T/command" "$T/unknown-tag.cmd"
slack_command U04CAROL "approve print/s1" trig-409; cp "$T/command" "$T/released.cmd"
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/huge"

bad 401 "Slack: no signature headers" raw POST /slack/actions application/x-www-form-urlencoded "$T/good.click"
bad 401 "Slack: a forged signature" raw POST /slack/actions application/x-www-form-urlencoded "$T/good.click" \
    -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: v0=0000000000000000000000000000000000000000000000000000000000000000"
bad 401 "Slack: signed with another secret" slack_as not-the-secret 0 /slack/actions "$T/good.click"
bad 401 "Slack: stale, 301 s old" slack_as "$(cat "$T/slack.secret")" -301 /slack/actions "$T/good.click"
bad 401 "Slack: 302 s in the future" slack_as "$(cat "$T/slack.secret")" 302 /slack/actions "$T/good.click"
bad 401 "Slack: body changed after signing" slack_tampered /slack/actions "$T/good.click" "$T/dave.click"
bad 401 "Slack: signature without v0=" raw POST /slack/actions application/x-www-form-urlencoded "$T/good.click" \
    -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: $(hmac_hex "$(cat "$T/slack.secret")" "v0:$now:$(cat "$T/good.click")")"
bad 401 "Slack command: no timestamp" raw POST /slack/commands application/x-www-form-urlencoded "$T/unknown-tag.cmd" \
    -H "X-Slack-Signature: v0=00"
bad 400 "Slack: payload is not JSON" slack /slack/actions "$T/notjson.form"
bad 400 "Slack: payload is a JSON array" slack /slack/actions "$T/array.form"
bad 400 "Slack: no payload field" slack /slack/actions "$T/nopayload.form"
bad 400 "Slack: a malformed %-escape" slack /slack/actions "$T/badescape.form"
bad 400 "Slack: an unknown action" slack /slack/actions "$T/unknown-action.form"
bad 400 "Slack: no user" slack /slack/actions "$T/no-user.form"
bad 400 "Slack: a malformed review" slack /slack/actions "$T/malformed.click"
bad 403 "Slack: a user printgate does not know" slack /slack/actions "$T/stranger.click"
bad 403 "Slack: a person outside the rule's group" slack /slack/actions "$T/dave.click"
bad 403 "Slack: an author approving her own collateral" slack /slack/actions "$T/author.click"
bad 404 "Slack: a commit that does not exist" slack /slack/actions "$T/nocommit.click"
bad 404 "Slack command: an unknown tag" slack /slack/commands "$T/unknown-tag.cmd"
bad 409 "Slack: a review already released" slack /slack/actions "$T/released.click"
bad 409 "Slack command: a review already released" slack /slack/commands "$T/released.cmd"
bad 409 "Slack: a button of an earlier version" slack /slack/actions "$T/old.click"
bad 409 "Slack: a button for another commit of a waiting tag" slack /slack/actions "$T/othercommit.click"
bad 413 "Slack: a 70 KB body" raw POST /slack/actions application/x-www-form-urlencoded "$T/huge"
bad 413 "Slack: a 70 KB chunked body, no Content-Length" raw POST /slack/actions application/x-www-form-urlencoded "$T/huge" \
    -H "Transfer-Encoding: chunked"
bad 415 "Slack: JSON instead of a form" raw POST /slack/actions application/json "$T/good.click"
bad 415 "Slack: no content type" raw POST /slack/actions "" "$T/good.click" -H "Content-Type:"
bad 405 "Slack: GET on a POST endpoint" raw GET /slack/actions "" ""
bad 404 "an unknown path" raw POST /nope application/json "$T/good.click"
bad 404 "a path trick: /slack/../slack/actions" raw POST /slack/../slack/actions application/x-www-form-urlencoded "$T/good.click"
bad 404 "a path trick: //slack/actions" raw POST //slack/actions application/x-www-form-urlencoded "$T/good.click"
bad 404 "a path trick: an encoded NUL" raw POST "/slack/actions%00" application/x-www-form-urlencoded "$T/good.click"
bad 404 "a path trick: a trailing slash" raw POST /slack/actions/ application/x-www-form-urlencoded "$T/good.click"

put mm-wrongtoken.json '{"user_id":"mmcarol","context":{"review":"'"$bad_review"'","decision":"approve","token":"0000"}}'
put mm-notoken.json '{"user_id":"mmcarol","context":{"review":"'"$bad_review"'","decision":"approve"}}'
put mm-bad.json '{"user_id":"mmcarol","context":'
put mmc-wrongtoken.form "token=wrong&user_id=mmcarol&command=%2Fprintgate&text=$(urlencode "approve print/bad")"
put mmc-stranger.form "token=mattermost-token-for-tests&user_id=mmnobody&command=%2Fprintgate&text=$(urlencode "approve print/bad")"
put mmc-badverb.form "token=mattermost-token-for-tests&user_id=mmcarol&command=%2Fprintgate&text=$(urlencode "dance print/bad")"
bad 401 "Mattermost button: a wrong token" post /mattermost/actions application/json "$T/mm-wrongtoken.json"
bad 401 "Mattermost button: no token" post /mattermost/actions application/json "$T/mm-notoken.json"
bad 400 "Mattermost button: truncated JSON" post /mattermost/actions application/json "$T/mm-bad.json"
bad 415 "Mattermost button: a form instead of JSON" post /mattermost/actions application/x-www-form-urlencoded "$T/mm-notoken.json"
put mmc-notoken.form "user_id=mmcarol&command=%2Fprintgate&text=$(urlencode "approve print/bad")"
bad 401 "Mattermost command: no token" post /mattermost/commands application/x-www-form-urlencoded "$T/mmc-notoken.form"
bad 401 "Mattermost command: a wrong token" post /mattermost/commands application/x-www-form-urlencoded "$T/mmc-wrongtoken.form"
bad 403 "Mattermost command: an unknown user" post /mattermost/commands application/x-www-form-urlencoded "$T/mmc-stranger.form"
bad 400 "Mattermost command: an unknown verb" post /mattermost/commands application/x-www-form-urlencoded "$T/mmc-badverb.form"

put teams-good.json '{"type":"message","id":"99","from":{"id":"29:carol"},"text":"<at>printgate</at> approve print/bad"}'
put teams-tampered.json '{"type":"message","id":"99","from":{"id":"29:carol"},"text":"<at>printgate</at> approve print/bud"}'
put teams-notjson.json '{"type":"message",'
put teams-ineligible.json '{"type":"message","id":"98","from":{"id":"29:alice"},"text":"<at>printgate</at> approve print/bad"}'
bad 401 "Teams: no Authorization header" post /teams/messages application/json "$T/teams-good.json"
bad 401 "Teams: signed with another secret" teams_as "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0zMmJ5dGVzIQ==" "$T/teams-good.json"
bad 401 "Teams: a Bearer token instead of HMAC" post /teams/messages application/json "$T/teams-good.json" -H "Authorization: Bearer abc"
bad 400 "Teams: signed, not JSON" teams "$T/teams-notjson.json"
bad 403 "Teams: the author approving" teams "$T/teams-ineligible.json"

put api-both.json '{"tag":"print/bad","commit":"HEAD","person":"carol","decision":"approve"}'
put api-decision.json '{"tag":"print/bad","person":"carol","decision":"maybe"}'
put api-person.json '{"tag":"print/bad","person":"mallory","decision":"approve"}'
put api-dave.json '{"tag":"print/bad","person":"dave","decision":"approve"}'
put api-tag.json '{"tag":"print/none","person":"carol","decision":"approve"}'
put api-released.json '{"tag":"print/s1","person":"carol","decision":"approve"}'
put api-truncated.json '{"tag":"print/bad","person":"car'
put api-good.json '{"tag":"print/bad","person":"carol","decision":"approve"}'
put api-types.json '{"tag":["print/bad"],"person":"carol","decision":"approve"}'
bad 401 "API: no signature" post /api/v1/decisions application/json "$T/api-good.json"
bad 401 "API: stale" api "$T/api-good.json" $(($(date +%s) - 400))
bad 401 "API: a forged signature" post /api/v1/decisions application/json "$T/api-good.json" \
    -H "webhook-id: msg_x" -H "webhook-timestamp: $now" -H "webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
bad 400 "API: truncated JSON" api "$T/api-truncated.json"
bad 400 "API: both tag and commit" api "$T/api-both.json"
bad 400 "API: an unknown decision" api "$T/api-decision.json"
bad 400 "API: a tag that is not a string" api "$T/api-types.json"
bad 403 "API: an unknown person" api "$T/api-person.json"
bad 403 "API: a person outside the rule's group" api "$T/api-dave.json"
bad 404 "API: an unknown tag" api "$T/api-tag.json"
bad 409 "API: a released review" api "$T/api-released.json"
bad 415 "API: text/plain" post /api/v1/decisions text/plain "$T/api-good.json"

# Huge headers: more than the 32 KiB printgated reads of them.
hdr=$(head -c 40000 /dev/zero | tr '\0' 'h')
raw POST /healthz "" "" -H "X-Big: $hdr"
nbad=$((nbad + 1))
case "$code" in
4[0-9][0-9]) pass "refused 4xx: 40 KB of headers ($code)" ;;
*) fail "refused 4xx: 40 KB of headers" "got $code" ;;
esac

if [ "$nbad" -ge 40 ]; then pass "at least 40 bad requests tried ($nbad)"
else fail "at least 40 bad requests tried" "$nbad"; fi
if [ "$(notes_head)" = "$before" ]; then pass "no bad request changed the ledger"
else fail "no bad request changed the ledger" "refs/notes/printgate moved"; fi
run curl -s "http://127.0.0.1:$HPORT/healthz"
assert_out "printgated is healthy after the bad requests" "ok"
assert "printgated is still running" kill -0 "$daemon_pid"
