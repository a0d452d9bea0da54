#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The attack on a public_url with a path behind a single sign-on proxy
# that strips the path (ProxyPass /printgate/ http://127.0.0.1:8787/) and
# signs people in on /printgate/r/ and /printgate/static/ alone, as the
# README has it: the client asks for /printgate/printgate/r/TOKEN, which
# no sign-in covers, with its own X-Forwarded-Email; the proxy passes it
# on as /printgate/r/TOKEN, header and all.  A listener that answered
# under the path as well as at the root took that for alice's sign-in
# on a channel link, and let the client decide as her.  Here the proxy
# is 127.0.0.2 (curl --interface), and each request is the one it would
# send; proxy_path says which of the two the listener answers.
. "$(dirname "$0")/lib.sh"

page_daemon 'public_url = "https://printgate.example.com/printgate";'\
' identity_header = "X-Forwarded-Email";'\
' trusted_proxies = [ "127.0.0.2" ]; proxy_path = "strip";'
HOST="https://printgate.example.com"
lines() { ledger "$P1" | wc -l; }

commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
release print/p0
commit "Q2 brochure" brochures/emea/q1.txt="EMEA Q1, new price"
candidate print/p1
P1=$(rev HEAD)
ch=$(ctl link print/p1)
case "$ch" in "$HOST/printgate/r/"*) pass "the channel's link is under public_url's path" ;;
*) fail "the channel's link is under public_url's path" "got $ch" ;; esac
tok=${ch#"$HOST/printgate/r/"}

# --- the attack: the doubled path the proxy passes on unsigned
n=$(lines)
get "/printgate/r/$tok" --interface 127.0.0.2 \
    -H "X-Forwarded-Email: alice@example.com"
status_is "strip: the path the proxy passes on for /printgate/printgate/r/: 404" 404
assert_no_out "... no page, no form in alice's name" 'name="csrf"' "Alice"
# the form's token as alice's own page has it (one she opened herself)
get "/r/$tok" --interface 127.0.0.2 -H "X-Forwarded-Email: alice@example.com"
status_is "strip: alice signed in, at the root where the proxy sends her: 200" 200
csrf=$(csrf_of)
[ -n "$csrf" ] && pass "... her page has the decision form" ||
    fail "... her page has the decision form" "no csrf in the page"
assert_out "... with its action under public_url's path" \
    "action=\"/printgate/r/$tok/decide\""
form "/printgate/r/$tok/decide" "csrf=$csrf&decision=approve" \
    --interface 127.0.0.2 -H "X-Forwarded-Email: alice@example.com" \
    -H "Origin: $HOST"
status_is "strip: a decision posted to the doubled path: 404" 404
if [ "$(lines)" = "$n" ]; then pass "... writes nothing"
else fail "... writes nothing" "$n -> $(lines)"; fi
get "/printgate/static/printgate.css"
status_is "strip: nothing else is answered under the path either" 404

# --- alice herself, through the proxy as it strips the path
form "/r/$tok/decide" "csrf=$csrf&decision=approve" --interface 127.0.0.2 \
    -H "X-Forwarded-Email: alice@example.com" -H "Origin: $HOST"
status_is "strip: alice's decision at the root: 200" 200
ledger "$P1" >"$OUT"
assert_out "... recorded as hers, by the sign-in" '"by":"alice"' \
    '"via":"web:sso"'

# --- a proxy that keeps the path: the root is not answered
stop_daemon
sed -i 's|proxy_path = "strip";|proxy_path = "keep";|' "$CONF"
: >"$DLOG"
rm -f "$T/state/http-port"
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
get "/r/$tok" --interface 127.0.0.2 -H "X-Forwarded-Email: bob@example.com"
status_is "keep: the root, which this proxy never sends: 404" 404
get "/printgate/r/$tok" --interface 127.0.0.2 \
    -H "X-Forwarded-Email: bob@example.com"
status_is "keep: the page under the path: 200" 200
assert_out "... bob's form" 'name="csrf"'

# --- a sign-in under a path must say which proxy it is behind
sed 's| proxy_path = "keep";||' "$CONF" >"$T/unsaid.conf"
run "$BUILD/printgatectl" -c "$T/unsaid.conf" check
assert_rc "check: identity_header under a path without proxy_path exits 2" 2
assert_out "... saying what to set, and why" "proxy_path" '"keep"' '"strip"' \
    "/printgate/printgate/r/"
sed 's|proxy_path = "keep";|proxy_path = "both";|' "$CONF" >"$T/both.conf"
run "$BUILD/printgatectl" -c "$T/both.conf" check
assert_rc "check: proxy_path \"both\" exits 2" 2
assert_out "... naming the two it may be" "'both'" '"keep"' '"strip"'

stop_daemon
finish
