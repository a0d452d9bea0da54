#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# t-chat-previews.sh - previews in chat: a real push of a 3-page PDF with
# its price changed on page 2; the request's messages to Slack, Mattermost
# and Teams wait for its preview and then say "page 2 changed" and show
# the comparison of page 2 by a capability URL, which printgated serves
# as image/png (a PNG a real decoder reads) and nothing else: a MAC
# changed, the MAC of another picture or another pair, answer 404.  A
# page inserted says which ("page 2 added").  Where no target is told of
# requests, or there is no notify at all, a request queues no render.  A
# request whose preview does not come (a renderer that hangs), with
# printgated killed (-9) while it waits, still goes out after the
# restart, without the preview.  A request tried once (Slack answers 429)
# before its preview came is retried as it was first sent, not formatted
# again.  Without public_url a message says what changed and shows no
# picture; a preview in the cache is said at once.
. "$(dirname "$0")/lib.sh"

preview_fixtures

start_receiver
NOTIFY_CONF=$(notify_config)
HTTP_CONF=$(printf '%s\n' "$NOTIFY_CONF" | sed -n '/^http = {/,$p')
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
PV="$T/state/previews"
base="http://127.0.0.1:$HPORT"
PUBLIC=https://printgate.example.com

# request_body PATH TAG: the request for TAG the receiver got on PATH.
request_body() {
	bodies "$1" | grep "Review requested: $2 " | tail -n 1
}
has_request() { [ -n "$(request_body "$1" "$2")" ]; }
# request_of FIXTURE TAG: price.pdf as FIXTURE, committed and pushed with
# the print tag TAG; OUT the request Slack got for it.
request_of() {
	put_file "$FX/$1" brochures/emea/price.pdf
	push_print "$2" "$2"
	wait_for 60 has_request /slack "$2" || fail "no request for $2"
	OUT=$T/$(basename "$2")
	request_body /slack "$2" >"$OUT"
}

# a first print, approved and released: the base of the next
put_file "$FX/price-old.pdf" brochures/emea/price.pdf
push_print "Q1 brochure" print/q1
wait_for 60 has_request /slack print/q1 ||
    fail "no request for the first print"
OUT=$T/q1
request_body /slack print/q1 >"$OUT"
assert_out "a first print's request says what its PDF is, with page 1" \
    'brochures/emea/price.pdf: new PDF: 3 pages' '/new-1.png"' \
    '"alt_text":"brochures/emea/price.pdf, page 1, added"'
ctl decide print/q1 --as alice approve >/dev/null
ctl decide print/q1 --as bob approve >/dev/null
wait_for 20 remote_ref refs/tags/print/q1 ||
    fail "the first print was not released"

# --- the price changed on page 2 ------------------------------------------
put_file "$FX/price-new.pdf" brochures/emea/price.pdf
push_print "Q2 price" print/q2
assert_rc "the second print waits for approval" 1
commit=$(rev "print/q2^{commit}")
old=$(git --git-dir="$REPO" rev-parse "print/q1:brochures/emea/price.pdf")
new=$(git --git-dir="$REPO" rev-parse "$commit:brochures/emea/price.pdf")

for ch in /slack /mm /teams; do
	wait_for 60 has_request $ch print/q2 ||
	    fail "$ch: no request for print/q2"
done
grep -q "update review requested for 'print/q2@$commit' to slack:sales with its previews" "$DLOG" &&
    pass "the request waited for its preview, then was formatted with it" ||
    { fail "the request was not formatted again with its preview"; grep "print/q2" "$DLOG" | sed 's/^/#   /'; }
for ch in /slack /mm /teams; do
	n=$(bodies $ch | grep -c "Review requested: print/q2 ")
	[ "$n" = 1 ] && pass "$ch: one request for print/q2" ||
	    fail "$ch: $n requests for print/q2"
done

OUT=$T/slack
request_body /slack print/q2 >"$OUT"
assert_out "Slack: page 2 changed, and an image block of its comparison" \
    'brochures/emea/price.pdf: page 2 changed' \
    "{\"type\":\"image\",\"image_url\":\"$PUBLIC/p/$old.$new." \
    '/diff-2.png"' \
    '"alt_text":"brochures/emea/price.pdf, page 2: the changes marked in red over the new version"'
slack_url=$(grep -o '"image_url":"[^"]*"' "$OUT" | sed 's/^"image_url":"//; s/"$//')
OUT=$T/mm
request_body /mm print/q2 >"$OUT"
assert_out "Mattermost: page 2 changed, and the attachment's image_url" \
    'brochures/emea/price.pdf: page 2 changed' "\"image_url\":\"$slack_url\""
OUT=$T/teams
request_body /teams print/q2 >"$OUT"
assert_out "Teams: page 2 changed, and an Image element of the card" \
    'brochures/emea/price.pdf: page 2 changed' \
    "\"type\":\"Image\",\"url\":\"$slack_url\""

# --- the picture by its capability URL ---------------------------------------
path=${slack_url#"$PUBLIC"}
case $path in
/p/*) pass "the picture is under public_url: $path" ;;
*) fail "the picture URL is not under public_url: $slack_url" ;;
esac
code=$(curl -s -D "$T/headers" -o "$T/pic.png" -w '%{http_code} %{content_type}' "$base$path")
[ "$code" = "200 image/png" ] && pass "GET the picture: 200 image/png" ||
    fail "GET the picture: $code"
grep -qi '^x-content-type-options: nosniff' "$T/headers" &&
    pass "the picture: nosniff" || fail "the picture without nosniff"
cmp -s "$T/pic.png" "$PV/$old.$new.96/diff-2.png" &&
    pass "the picture is page 2's comparison" ||
    fail "the picture is not the cached diff-2.png"
sig=$(od -An -tx1 -N8 "$T/pic.png" | tr -d ' \n')
width=$(od -An -tu1 -j16 -N4 "$T/pic.png" |
    awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
height=$(od -An -tu1 -j20 -N4 "$T/pic.png" |
    awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
[ "$sig" = 89504e470d0a1a0a ] && [ "${width:-0}" -gt 0 ] &&
    [ "${height:-0}" -gt 0 ] &&
    pass "a PNG of ${width}x$height" || fail "not a PNG: $sig ${width}x$height"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$T/pic.png" <<'PY' && pass "zlib inflates the PNG's image data" ||
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read()
i, idat = 8, b''
while i < len(d):
	n, = struct.unpack('>I', d[i:i + 4])
	if d[i + 4:i + 8] == b'IDAT':
		idat += d[i + 8:i + 8 + n]
	i += 12 + n
w, h = struct.unpack('>II', d[16:24])
raw = zlib.decompress(idat)
sys.exit(0 if w > 0 and len(raw) >= h * (w + 1) else 1)
PY
	fail "the PNG's image data does not inflate"
fi

mac=$(printf '%s' "$path" | sed 's|^/p/[0-9a-f]*\.[0-9a-f]*\.\([0-9a-f]*\)/.*|\1|')
c=$(printf '%s' "$mac" | cut -c1)
[ "$c" = 0 ] && r=1 || r=0
bad=$(printf '%s' "$path" | sed "s|\.$mac/|.$r$(printf '%s' "$mac" | cut -c2-)/|")
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$bad")
[ "$code" = 404 ] && pass "a MAC changed: 404" || fail "a MAC changed: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(printf '%s' "$path" | sed 's|diff-2.png$|new-2.png|')")
[ "$code" = 404 ] && pass "the MAC of diff-2 opens no other picture: 404" ||
    fail "another picture with diff-2's MAC: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(printf '%s' "$path" | sed "s|/p/$old\.|/p/0.|")")
[ "$code" = 404 ] && pass "the MAC of a pair opens no other pair: 404" ||
    fail "another pair with this MAC: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/p/$old.$new/diff-2.png")
[ "$code" = 404 ] && pass "no MAC: 404" || fail "no MAC: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(printf '%s' "$path" | sed 's|diff-2.png$|..%2Fanswer.json|')")
[ "$code" = 404 ] && pass "a name that is not a picture's: 404" ||
    fail "traversal: $code"
url=$("$BUILD/tests/preview-url" "$T/state" print/q2 "$commit" "$old" "$new" diff-2)
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(printf '%s' "$url" |
    sed "s|^/r/[^/]*/preview/[^/]*/|/p/$old.$new.$mac/|")")
[ "$code" = 200 ] && pass "the same picture's capability is all it takes" ||
    fail "the capability URL rebuilt: $code"

# the picture gone from the cache: made again, then served again
rm -rf "$PV/$old.$new.96"
code=$(curl -s -o "$T/coming" -w '%{http_code}' "$base$path")
[ "$code" = 503 ] && grep -q "being made again" "$T/coming" &&
    pass "the picture gone from the cache: 503, being made again" ||
    fail "the picture gone from the cache: $code"
again() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$path")" = 200 ]; }
wait_for 60 again && pass "... and then served again" ||
    fail "the picture was not made again"

# --- a page inserted ----------------------------------------------------------
ctl decide print/q2 --as alice approve >/dev/null
ctl decide print/q2 --as bob approve >/dev/null
wait_for 20 remote_ref refs/tags/print/q2 || fail "print/q2 was not released"
request_of price-inserted.pdf print/q3
assert_out "a page inserted: the request says which, with its picture" \
    'brochures/emea/price.pdf: page 3 changed; page 2 added' '/diff-3.png"'

# --- nobody told of requests: no render --------------------------------------
# reload: reviews waiting now to one target told of releases only
norender() {
	push=$1
	before=$(ls "$PV" | wc -l)
	put_file "$FX/$2" brochures/emea/price.pdf
	push_print "$push" "$push"
	handled() { grep -q "ledger request '$push'" "$DLOG"; }
	wait_for 20 handled || fail "$push: the request was not handled"
	# the next event is handled after the request's handler returned
	ctl decide "$push" --as alice approve >/dev/null
	approved() { grep -q "ledger approve '$push'" "$DLOG"; }
	wait_for 20 approved || fail "$push: the approval was not handled"
	if grep -q "previews: .* of '$push' queued" "$DLOG" ||
	    [ "$(ls "$PV" | wc -l)" != "$before" ]; then
		fail "$3: the request queued a render"
	else
		pass "$3: the request queued no render"
	fi
}
reload_to() {
	NOTIFY_CONF=$1
	write_config
	reloads=$(grep -c "reload '.*': done" "$DLOG")
	kill -HUP "$daemon_pid"
	reloaded() { [ "$(grep -c "reload '.*': done" "$DLOG")" -gt "$reloads" ]; }
	wait_for 10 reloaded || fail "no reload"
}
reload_to "notify = ( { name = \"print-shop\"; type = \"webhook\";
    url = \"http://127.0.0.1:$PORT/released\"; secret_file = \"hook.secret\";
    events = [ \"released\" ]; } );
$HTTP_CONF"
norender print/q4 price-reexport.pdf "no target told of requests"
reload_to "$HTTP_CONF"
norender print/q5 price-old.pdf "no notify at all"

# --- the preview never comes, and printgated is killed while it waits ------
stop_daemon
printf '#!/bin/sh\nexec sleep 30\n' >"$T/hang"
chmod +x "$T/hang"
export PRINTGATE_RENDER="$T/hang"
NOTIFY_CONF=$(notify_config)
write_config
: >"$DLOG"
start_daemon
put_file "$FX/price-reexport.pdf" brochures/emea/price.pdf
push_print "Q6 again" print/q6
queued() { grep -q "queue review requested for 'print/q6@.* to slack:sales" "$DLOG"; }
wait_for 20 queued || fail "the request for print/q6 was not queued"
has_request /slack print/q6 && fail "print/q6 went out before its wait"
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
: >"$DLOG"
start_daemon
if wait_for 60 has_request /slack print/q6; then
	pass "killed while it waited: the request goes out after the restart"
else
	fail "the request for print/q6 was lost"
fi
OUT=$T/q6
request_body /slack print/q6 >"$OUT"
assert_out "... as it was queued: what the diff code says of the file" \
    'Review requested: print/q6' 'brochures/emea/price.pdf: '
assert_no_out "... without the preview it never got" 'visual change' \
    '"type":"image"' '/p/'

# --- tried before its preview came: the retry is the message first sent ----
# The renderer waits for $T/go; Slack answers the first attempt 429 with
# Retry-After 12 s, the preview comes in between, then Slack answers.
stop_daemon
printf '#!/bin/sh\nwhile [ ! -e "%s/go" ]; do sleep 0.1; done\nexec "%s"\n' \
    "$T" "$BUILD/printgate-render" >"$T/late"
chmod +x "$T/late"
export PRINTGATE_RENDER="$T/late"
: >"$DLOG"
start_daemon
printf '/slack retry-after 12\n' >"$RCV/mode.tmp" && mv "$RCV/mode.tmp" "$RCV/mode"
# the old price again, a new blob: a preview that would say page 2
cp "$FX/price-old.pdf" "$T/late.pdf"
printf '%% tried before its preview\n' >>"$T/late.pdf"
put_file "$T/late.pdf" brochures/emea/price.pdf
push_print "Q8 late" print/q8
new8=$(rev "print/q8^{commit}:brochures/emea/price.pdf")
q8_tries() { bodies /slack | grep -c "Review requested: print/q8 "; }
wait_for 40 has_request /slack print/q8 ||
    fail "print/q8: no first attempt once its wait was over"
touch "$T/go"
# its pair's folder in the cache, whatever the print it is compared with
ready8() {
	for f in "$PV"/*."$new8".96/answer.json; do
		test -s "$f" && return 0
	done
	return 1
}
if wait_for 10 ready8 && [ "$(q8_tries)" = 1 ]; then
	pass "print/q8: its preview came after the first attempt, before the retry"
else
	fail "print/q8: the preview did not come between the attempts" \
	    "ready: $(ready8 && echo yes || echo no), attempts: $(q8_tries)"
fi
printf 'ok\n' >"$RCV/mode.tmp" && mv "$RCV/mode.tmp" "$RCV/mode"
retried() { [ "$(q8_tries)" -ge 2 ]; }
wait_for 30 retried || fail "print/q8: no retry"
bodies /slack | grep "Review requested: print/q8 " >"$T/q8-tries"
if [ "$(q8_tries)" = 2 ] && [ "$(sed -n 1p "$T/q8-tries")" = "$(sed -n 2p "$T/q8-tries")" ]; then
	pass "print/q8: the retried body is the first body, byte for byte"
else
	fail "print/q8: the retry is not the first body" "$(q8_tries) attempts"
fi
OUT=$T/q8-tries
assert_out "... what the diff code says of the file" 'brochures/emea/price.pdf: '
assert_no_out "... without the preview that came after it was tried" \
    'page 2 changed' 'visual change' '"type":"image"' '/p/'
grep -q "update review requested for 'print/q8" "$DLOG" &&
    fail "print/q8: a delivery already tried was formatted again" ||
    pass "print/q8: a delivery already tried was not formatted again"

# --- without public_url: what changed, and no picture; ready at once --------
stop_daemon
export PRINTGATE_RENDER="$BUILD/printgate-render"
NOTIFY_CONF=$(notify_config | grep -v public_url)
write_config
: >"$DLOG"
start_daemon
request_of price-inserted.pdf print/q7
assert_out "no public_url: the pages that changed still said" \
    'brochures/emea/price.pdf: page 3 changed; page 2 added'
assert_no_out "... and no picture without a URL to serve it under" \
    '"type":"image"' '/p/'
grep -q "update review requested for 'print/q7" "$DLOG" &&
    fail "a preview in the cache: the request waited for it" ||
    pass "a preview in the cache: the request did not wait"
finish
