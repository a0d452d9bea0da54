#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The "Open review" link of each delivered chat message, as a person
# clicks it: taken out of the Slack, Mattermost and Teams messages the
# real printgated sent to the test receiver (tests/tools/review-link.py
# reads it where the button or link is), opened with curl against the
# daemon.  Each is a channel's link: its token names nobody, the page
# shows the tag and its files and is read-only, saying where to decide,
# and a post to its /decide is refused with nothing written.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
BASE="http://127.0.0.1:$HPORT"
PUB="https://printgate.example.com"

# get PATH: $code, the body in $OUT.
get() { code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' "$BASE$1"); }
status_is() {
	if [ "$code" = "$2" ]; then pass "$1"; else fail "$1" "status $code, not $2"; fi
}
lines() { ledger "$C1" | wc -l; }

# --- a print tag whose request goes to every channel
commit "spring prices" brochures/emea/prices.csv="Plan,Price
Basic,50
Pro,110" brochures/emea/intro.txt="Spring brochure"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/c1
push_as rruiz print/c1
C1=$(rev HEAD)
for p in /slack /mm /teams; do
	wait_for 15 has_requests "$p" 1
	assert "a review request is delivered to $p" has_requests "$p" 1
done
before=$(lines)
tokens=""

# check TYPE PATH NAME: the link in the message delivered to PATH.
check() {
	type=$1 path=$2 name=$3
	last_body "$path" >"$T/$type.json"
	link=$($PY "$top/tests/tools/review-link.py" "$type" "$T/$type.json")
	tokens="$tokens ${link##*/r/}"
	case "$link" in "$PUB/r/"?*) pass "$name: the message has an Open review link" ;;
	*) fail "$name: the message has an Open review link" "got '$link'"; return ;;
	esac
	run $PY "$top/tests/tools/token-check.py" "$T/state/links.secret" \
	    "${link#"$PUB/r/"}"
	assert_rc "$name: its token verifies with the links secret" 0
	assert_out "$name: ... and names print/c1 and nobody" "print/c1 $C1 - "
	get "${link#"$PUB"}"
	status_is "$name: the link opens the page" 200
	cp "$OUT" "$T/$type.html"
	sed 's/<[^>]*>//g' "$T/$type.html" >"$OUT"
	assert_out "$name: the page shows the tag and its files" \
	    "Review of print/c1" "brochures/emea/prices.csv" \
	    "brochures/emea/intro.txt" "Waiting for approval"
	assert_out "$name: the page is read-only and says where to decide" \
	    "This page is for reading. To decide"
	cp "$T/$type.html" "$OUT"
	assert_no_out "$name: the page has no decision form" '<form'
	printf 'csrf=x&decision=approve' >"$T/form"
	code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' -X POST \
	    -H "Content-Type: application/x-www-form-urlencoded" \
	    -H "Origin: $PUB" --data-binary "@$T/form" \
	    "$BASE${link#"$PUB"}/decide")
	status_is "$name: an approval posted to its /decide is refused" 403
	assert_out "$name: ... with a page saying why" \
	    "The form does not belong to this link"
	if [ "$(lines)" = "$before" ]; then pass "$name: ... and nothing is written"
	else fail "$name: ... and nothing is written" "$before -> $(lines) lines"; fi
}
check slack /slack Slack
check mattermost /mm Mattermost
check teams /teams Teams

logged=""
for t in $tokens; do grep -qF "$t" "$DLOG" && logged="$logged $t"; done
if [ -z "$logged" ]; then pass "no link token is in printgated's log"
else fail "no link token is in printgated's log" "found$logged"; fi

stop_daemon
finish
