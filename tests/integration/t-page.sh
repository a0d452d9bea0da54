#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The review page served by the real printgated: a link from printgatectl
# opens the page of a print tag (its files, the changed cell, its rules,
# the headers of every page), the history and the downloads; tampered,
# expired and other people's links refused with their page and status;
# posts without the form's token, with another link's token or from
# another origin refused with nothing written; a personal link decides
# ("via":"web:link"), a single sign-on header decides from the trusted
# proxy ("via":"web:sso") and from any other address does not.  A
# "Request changes" without a comment from Slack (click or command) and a
# Mattermost command records nothing and answers the person alone with
# their own link; a Mattermost click gets the command, no link; a Teams
# reply, seen by the channel, only the command and a read-only link.
. "$(dirname "$0")/lib.sh"

start_receiver
# the SSO proxy is 127.0.0.2: curl from there is trusted, from 127.0.0.1
# it is not
NOTIFY_CONF=$(notify_config | sed 's|^  api_secret_file = "api.secret";|&\
  identity_header = "X-Forwarded-Email";\
  trusted_proxies = [ "127.0.0.2" ];|')
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
lines() { ledger "$P1" | wc -l; }

# --- a first print, released, then a candidate with a changed price
mkdir -p "$WORK/brochures/emea"
printf 'Plan,Price\nBasic,50\nPro,100\n' >"$WORK/brochures/emea/prices.csv"
printf 'Our brochure\n' >"$WORK/brochures/emea/intro.txt"
git -C "$WORK" add brochures
git -C "$WORK" commit -q -m "first prices"
release print/p0

printf 'Plan,Price\nBasic,50\nPro,110\n' >"$WORK/brochures/emea/prices.csv"
git -C "$WORK" commit -q -am "Pro costs more"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/p1 "Print-By: 2099-01-15"
push_as rruiz print/p1
P1=$(rev HEAD)

# --- links from printgatectl
run ctl link print/p1
assert_rc "printgatectl link prints a link" 0
CHANNEL=$(cat "$OUT")
case "$CHANNEL" in "$PUB/r/"*) pass "the link is under public_url/r/" ;;
*) fail "the link is under public_url/r/" "got $CHANNEL" ;; esac
run ctl link print/p1 --for nobody
assert_rc "a link for nobody known is refused" 2
assert_out "... saying who is unknown" "no person 'nobody'"
ALICE=$(ctl link print/p1 --for alice)
CAROL=$(ctl link print/p1 --for carol)
ch=$(path_of "$CHANNEL")
al=$(path_of "$ALICE")
ca=$(path_of "$CAROL")

# --- the channel's page: what a salesperson sees, read-only
get "$ch"
status_is "the channel link opens the page" 200
cp "$OUT" "$T/page"
sed 's/<[^>]*>//g' "$T/page" >"$OUT"
assert_out "the page names the tag, the file, the changed cell and the rule" \
    "Review of print/p1" "brochures/emea/prices.csv" "100 → 110" \
    "emea 0 of 2" "print/p0" "Print by2099-01-15" "left"
cp "$T/page" "$OUT"
assert_out "a channel's page is read-only and says where to decide" \
    "To decide, use the chat message about this review" \
    "(its buttons or the printgate command it shows)"
assert_no_out "a channel's page has no form" 'name="csrf"'
grep -i '^content-security-policy:' "$T/h" >"$OUT"
assert_out "the page's CSP is default-src 'self'" "default-src 'self'"
tr -d '\r' <"$T/h" >"$OUT"
assert_out "no-referrer, no-store, nosniff, HTML" \
    "Referrer-Policy: no-referrer" "Cache-Control: no-store" \
    "X-Content-Type-Options: nosniff" "Content-Type: text/html"
get "$ch/history"
status_is "the history page opens" 200
assert_out "the history lists the candidate" "Versions of print/p1" \
    "Version $(printf '%.7s' "$P1")"
get "$ch" >/dev/null
n=$(grep -o '/file/[0-9]*/old' "$OUT" | head -n 1 | sed 's|/file/||; s|/old||')
get "$ch/file/$n/old"
status_is "the old version downloads" 200
assert_out "... with the old price" "Pro,100"
tr -d '\r' <"$T/h" >"$OUT"
assert_out "... as an attachment, not sniffed" \
    "Content-Disposition: attachment" "X-Content-Type-Options: nosniff"
get "$ch/file/$n/new"
assert_out "the new version has the new price" "Pro,110"
get "$ch/file/999/new"
status_is "a file the review does not have: 404" 404
get /static/printgate.css
status_is "the stylesheet is served" 200
get /favicon.ico
status_is "the favicon is answered without a body" 204

# --- bad links
tok=${ch#/r/}
bad=$(printf '%s' "$tok" | sed 's/^\(.\{20\}\)./\1A/')
[ "$bad" = "$tok" ] && bad=$(printf '%s' "$tok" | sed 's/^\(.\{20\}\)./\1B/')
get "/r/$bad"
status_is "a tampered link: 404" 404
assert_out "... with the page that says what to do" \
    "This review link does not work" "Open the review again"
get "/r/not-a-token"
status_is "a link that is no token: 404" 404
printf 'review = { link_ttl = "1s"; };\n' | cat "$CONF" - >"$T/short.conf"
SHORT=$("$BUILD/printgatectl" -c "$T/short.conf" link print/p1 --for alice)
sleep 2
get "$(path_of "$SHORT")"
status_is "an expired link: 410" 410
assert_out "... with the page that says how to get a new one" \
    "This review link has expired" "new link"
get "$al" --interface 127.0.0.2 -H "X-Forwarded-Email: bob@example.com"
status_is "Alice's link opened by Bob (signed in): 403" 403
assert_out "... saying it was made for someone else" "made for someone else"

# --- the form: CSRF, origin, eligibility; nothing written when refused
get "$al"
assert_out "Alice's own link shows her the form" "Deciding as <strong>Alice Ng"
ALICE_CSRF=$(csrf_of)
get "$ca"
CAROL_CSRF=$(csrf_of)
before=$(lines)
form "$ca/decide" "decision=approve"
status_is "a post without the form's token: 403" 403
form "$ca/decide" "csrf=$ALICE_CSRF&decision=approve"
status_is "a post with another link's token: 403" 403
form "$ca/decide" "csrf=$CAROL_CSRF&decision=approve" \
    -H "Origin: https://evil.example.com"
status_is "a post from another origin: 403" 403
assert_out "... saying it came from another site" "another site"
form "$ca/decide" "csrf=$CAROL_CSRF&decision=changes-required&comment=+"
status_is "changes without a comment: 400" 400
assert_out "... asking what must change" "Say what must change"
long=$(head -c 2001 /dev/zero | tr '\0' 'x')
form "$ca/decide" "csrf=$CAROL_CSRF&decision=changes-required&comment=$long"
status_is "a comment over 2000 characters: 400" 400
assert_out "... saying it is too long" "The comment is too long"
form "$ch/decide" "csrf=$CAROL_CSRF&decision=approve"
status_is "a post on the channel's link: 403" 403
form "$ca/decide" "csrf=$CAROL_CSRF&decision=approve&rule=apac"
status_is "a rule the person is not asked under: 403" 403
if [ "$(lines)" = "$before" ]; then pass "nothing refused was written to the ledger"
else fail "nothing refused was written to the ledger" "$before -> $(lines) lines"; fi

# --- a Slack "Request changes" click without a comment: nothing is
# recorded; the clicking person alone gets their link to write it
slack_click U04CAROL changes-required "print/p1@$P1" "trig-changes"
slack /slack/actions "$T/click"
status_is "a Slack Request changes click without a comment: 200" 200
if [ "$(lines)" = "$before" ]; then pass "... records nothing"
else fail "... records nothing" "$before -> $(lines) lines"; fi
wait_for 10 has_requests /slack-response 1
last_body /slack-response >"$OUT"
assert_out "... and posts Carol, ephemerally, her own link to the page" \
    '"response_type":"ephemeral"' "Say what must change in print/p1" "$PUB/r/"
link=$(grep -o "$PUB/r/[A-Za-z0-9_-]*?changes=1" "$OUT" | head -n 1)
get "$(path_of "$link")"
assert_out "that link opens the page as Carol, asking for the comment" \
    "Deciding as <strong>Carol Diaz" 'value="changes-required" required checked' \
    'required autofocus'

# --- a Slack "changes" command without a comment: the same, in its answer
slack_command U04CAROL "changes print/p1" "trig-changes-cmd"
slack /slack/commands "$T/command"
status_is "a Slack changes command without a comment: 200" 200
assert_out "... answers Carol, ephemerally, with her own link" \
    '"response_type":"ephemeral"' "Say what must change in print/p1" \
    "$PUB/r/" "Nothing was recorded"
if [ "$(lines)" = "$before" ]; then pass "... and records nothing"
else fail "... and records nothing" "$before -> $(lines) lines"; fi

# --- Mattermost: a click cannot say who clicked, so "Request changes"
# gets no link (whoever sent it would get the link of the user it names);
# it tells the slash command, whose answer has Carol's own link
mmtok=$(mm_token print/p1 changes-required)
for who in mmcarol mmalice; do
	printf '{"user_id":"%s","user_name":"x","trigger_id":"mm-ch-%s","context":{"review":"print/p1@%s","decision":"changes-required","token":"%s"}}' \
	    "$who" "$who" "$P1" "$mmtok" >"$T/mm"
	post /mattermost/actions application/json "$T/mm"
	status_is "Mattermost Request changes clicked as $who: 200" 200
	assert_out "... tells the slash command, with and without a comment" \
	    '"ephemeral_text":"A button cannot decide for you' \
	    '`/printgate changes print/p1 what must change`' \
	    '`/printgate changes print/p1` alone'
	assert_no_out "... and carries no link to the page" "/r/"
	assert_no_out "... nor updates the message" '"update":'
done
if [ "$(lines)" = "$before" ]; then pass "Mattermost clicks record nothing"
else fail "Mattermost clicks record nothing" "$before -> $(lines) lines"; fi
printf 'token=mattermost-token-for-tests&user_id=mmcarol&user_name=carol&command=%%2Fprintgate&text=%s' \
    "$(urlencode 'changes print/p1')" >"$T/mmc"
post /mattermost/commands application/x-www-form-urlencoded "$T/mmc"
status_is "a Mattermost changes command without a comment: 200" 200
assert_out "... answers Carol alone with her own link to the page" \
    '"response_type":"ephemeral"' "Say what must change in print/p1" \
    "(this link is for you alone)" \
    '`/printgate changes print/p1 what must change`' "Nothing was recorded"
if [ "$(lines)" = "$before" ]; then pass "... and records nothing"
else fail "... and records nothing" "$before -> $(lines) lines"; fi
link=$(grep -o "$PUB/r/[A-Za-z0-9_-]*?changes=1" "$OUT" | head -n 1)
get "$(path_of "$link")"
status_is "Carol's link from Mattermost opens: 200" 200
assert_out "... as Carol, with the form asking for the comment" \
    "Deciding as <strong>Carol Diaz" 'name="csrf"' \
    'value="changes-required" required checked' 'required autofocus'

# --- Teams: the reply is seen by the whole channel, so a "changes"
# without a comment is answered with the command and the channel's link
printf '{"type":"message","id":"teams-ch-1","from":{"id":"29:carol","name":"Carol Diaz"},"text":"<at>printgate</at> changes print/p1"}' >"$T/teams"
teams "$T/teams"
status_is "a Teams changes without a comment: 200" 200
assert_out "... asks for the comment, with the command" '"type":"message"' \
    "Say what must change in print/p1" \
    "changes print/p1 followed by what must change" \
    "through your own link" "Nothing was recorded"
assert_no_out "... with no personal link" "?changes=1"
if [ "$(lines)" = "$before" ]; then pass "... and records nothing"
else fail "... and records nothing" "$before -> $(lines) lines"; fi
cp "$OUT" "$T/teams-reply"
links=$(grep -o "$PUB/r/[A-Za-z0-9_-]*" "$T/teams-reply")
if [ -n "$links" ]; then pass "... with the review's link"
else fail "... with the review's link" "none in $(cat "$T/teams-reply")"; fi
for l in $links; do
	get "$(path_of "$l")"
	status_is "the link in the Teams reply opens: 200" 200
	assert_no_out "... read-only: no form, for anyone" 'name="csrf"'
	assert_out "... saying where to decide" "This page is for reading"
done

# --- deciding through personal links
form "$ca/decide" "csrf=$CAROL_CSRF&decision=changes-required&comment=$(urlencode 'Pro must stay at 100')" \
    -H "Origin: $PUB"
status_is "Carol requests changes with a comment: 200" 200
assert_out "the page says what was recorded and shows the comment" \
    "request for changes was recorded" "Pro must stay at 100"
ledger "$P1" >"$OUT"
assert_out "the ledger line is Carol's, via web:link, with the comment" \
    '"type":"changes-required"' '"by":"carol"' '"via":"web:link"' \
    '"comment":"Pro must stay at 100"'
n=$(lines)
form "$ca/decide" "csrf=$CAROL_CSRF&decision=changes-required&comment=$(urlencode 'Pro must stay at 100')" \
    -H "Origin: null"
status_is "the same post again (Origin: null, valid token): 200" 200
assert_out "... recording nothing again" "already sent this decision"
if [ "$(lines)" = "$n" ]; then pass "a repeated post writes no second line"
else fail "a repeated post writes no second line" "$n -> $(lines)"; fi
form "$ca/decide" "csrf=$CAROL_CSRF&decision=approve"
assert_out "Carol approves after all" "Your approval was recorded"

# --- single sign-on: the header from the proxy, and from anyone else
get "$ch" -H "X-Forwarded-Email: bob@example.com"
assert_no_out "the identity header from an untrusted address is ignored" 'name="csrf"'
get "$ch" --interface 127.0.0.2 -H "X-Forwarded-Email: BOB@example.com"
assert_out "from the trusted proxy it names Bob, by email" "Deciding as <strong>Bob Brandt"
BOB_CSRF=$(csrf_of)
n=$(lines)
form "$ch/decide" "csrf=$BOB_CSRF&decision=approve" \
    -H "X-Forwarded-Email: bob@example.com"
status_is "Bob's form posted from another address: 403" 403
if [ "$(lines)" = "$n" ]; then pass "... and nothing was written"
else fail "... and nothing was written" "$n -> $(lines)"; fi
form "$ch/decide" "csrf=$BOB_CSRF&decision=approve" --interface 127.0.0.2 \
    -H "X-Forwarded-Email: bob@example.com"
status_is "Bob approves through the proxy: 200" 200
ledger "$P1" >"$OUT"
assert_out "the ledger line is Bob's, via web:sso" '"by":"bob"' '"via":"web:sso"'
wait_for 15 remote_ref refs/tags/print/p1
assert "Carol's and Bob's approvals on the page release the tag" remote_ref refs/tags/print/p1
get "$al"
assert_out "after the release the page says so, without a form" "closed"
form "$al/decide" "csrf=$ALICE_CSRF&decision=approve"
status_is "a decision on a released review: 409" 409

# --- printgatectl check: the page's settings, each error with its line
sed 's|trusted_proxies = \[ "127.0.0.2" \];|trusted_proxies = [ "127.0.0.2", "proxy.example.com" ];\
  links_secret_file = "nowhere.secret";|; s|identity_header = "X-Forwarded-Email";|identity_header = "X-Forwarded Email";|' \
    "$CONF" >"$T/bad.conf"
printf 'review = { link_ttl = "soon"; };\n' >>"$T/bad.conf"
run "$BUILD/printgatectl" -c "$T/bad.conf" check
assert_rc "check: bad page settings exit 2" 2
assert_out "check names each bad page setting" \
    "'X-Forwarded Email' is not a header name" \
    "'proxy.example.com' is not an IP address" \
    "nowhere.secret" "'soon' is not a duration"
run ctl check
assert_rc "check: the page's settings as this test has them pass" 0

# --- tokens are never logged
if grep -qF "$tok" "$DLOG" || grep -qF "${al#/r/}" "$DLOG"; then
	fail "no link token is in printgated's log" "found one"
else pass "no link token is in printgated's log"; fi
grep 'refuse page' "$DLOG" >"$OUT"
assert_out "refusals are logged with the error page's title" \
    "refuse page 404: This review link does not work"

stop_daemon
finish
