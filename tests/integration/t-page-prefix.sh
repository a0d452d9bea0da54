#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The review page under a public_url with a path
# ("https://printgate.example.com/printgate/"), as a proxy that passes the
# path on sends it: the links printgatectl makes, every link, form action,
# stylesheet, script and preview picture of the page carry the path and
# are served under it; the same routes answer at the root, for a proxy
# that strips it; a decision posted from public_url's origin is recorded,
# one from another origin refused; a public_url whose path is not plain
# is refused by printgatectl check.
. "$(dirname "$0")/lib.sh"

FX="$T/fx"
mkdir -p "$FX"
"$BUILD/tests/mkfixtures" "$FX" || { echo "Bail out! mkfixtures"; exit 1; }
export PRINTGATE_RENDER="$BUILD/printgate-render"

page_daemon 'public_url = "https://printgate.example.com/printgate/";'
BASE="http://127.0.0.1:$HPORT"
HOST="https://printgate.example.com"

# the first value of attribute $1 in the page in $T/page, as it is there
attr() {
	grep -o "$1=\"[^\"]*\"" "$T/page" | grep "$2" | head -n 1 |
	    sed "s/^$1=\"//; s/\"\$//; s/&amp;/\\&/g"
}
put() {
	mkdir -p "$WORK/$(dirname "$2")"
	cp "$1" "$WORK/$2"
	git -C "$WORK" add "$2"
}

# --- a released first print, then a candidate with a new price
put "$FX/price-old.pdf" brochures/emea/price.pdf
printf 'Plan,Price\nPro,100\n' >"$WORK/brochures/emea/prices.csv"
git -C "$WORK" add brochures
git -C "$WORK" commit -q -m "first prices"
release print/p0
put "$FX/price-new.pdf" brochures/emea/price.pdf
printf 'Plan,Price\nPro,110\n' >"$WORK/brochures/emea/prices.csv"
git -C "$WORK" commit -q -am "Pro costs more"
candidate print/p1
P1=$(rev HEAD)

ALICE=$(ctl link print/p1 --for alice)
case "$ALICE" in "$HOST/printgate/r/"*) pass "printgatectl's link is under public_url's path" ;;
*) fail "printgatectl's link is under public_url's path" "got $ALICE" ;; esac
al=${ALICE#"$HOST"}
tok=${al#/printgate/r/}

get "$al"
status_is "the page opens under the path" 200
cp "$OUT" "$T/page"
sed 's/<[^>]*>//g' "$T/page" >"$OUT"
assert_out "the page shows the change" "Review of print/p1" "100 → 110"
cp "$T/page" "$OUT"
assert_no_out "no link, form or asset of the page leaves the path" \
    'href="/r/' 'src="/r/' 'action="/r/' '"/static/' 'data-pv-state="/r/'
css=$(attr href '\.css')
action=$(attr action decide)
download=$(attr href '/file/.*/old')
history=$(attr href '/history')
script=$(attr src '\.js')
preview=$(attr data-pv-state /preview/)
[ -n "$preview" ] || preview=$(attr src /preview/)
for u in "$css" "$action" "$download" "$history" "$script" "$preview"; do
	shown=$(printf '%s' "$u" | sed "s|$tok|TOKEN|; s|/preview/.*/|/preview/PAIR/|")
	case "$u" in /printgate/*) pass "under the path: $shown" ;;
	*) fail "a page's URL under the path" "got '$shown'" ;; esac
done
get "$css"
status_is "the stylesheet is served under the path" 200
get "$script"
status_is "the previews' script is served under the path" 200
code=$(curl -s -m 20 -o "$T/old" -w '%{http_code}' "$BASE$download")
status_is "the old version downloads under the path" 200
git -C "$WORK" show "print/p0:brochures/emea/price.pdf" >"$T/want"
if cmp -s "$T/old" "$T/want"; then pass "... the old PDF, byte for byte"
else fail "... the old PDF, byte for byte" "$(wc -c <"$T/old") bytes"; fi
get "$history"
status_is "the history opens under the path" 200
assert_out "... and lists the candidate" "Version $(printf '%.7s' "$P1")"
code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$BASE$preview")
status_is "the preview's picture or state is served under the path" 200
get "/r/$tok"
status_is "the same page at the root, for a proxy that strips the path" 200
get "/printgate"
status_is "the path alone is no page: 404" 404
get "/printgatex/r/$tok"
status_is "a path that only begins like it: 404" 404

# --- the form under the path, and the origin check
cp "$T/page" "$OUT"
csrf=$(csrf_of)
n=$(ledger "$P1" | wc -l)
form "$action" "csrf=$csrf&decision=approve" -H "Origin: https://evil.example.com"
status_is "a post from another origin: 403" 403
if [ "$(ledger "$P1" | wc -l)" = "$n" ]; then pass "... writes nothing"
else fail "... writes nothing" "$n -> $(ledger "$P1" | wc -l)"; fi
form "$action" "csrf=$csrf&decision=approve" -H "Origin: $HOST"
status_is "Alice approves from public_url's origin, under the path: 200" 200
assert_out "... the page says so" "Your approval was recorded"
ledger "$P1" >"$OUT"
assert_out "... and the ledger has it" '"by":"alice"' '"via":"web:link"'

# --- a public_url whose path would not go into a page as it is
sed 's|public_url = "https://printgate.example.com/printgate/";|public_url = "https://printgate.example.com/print?gate=1";|' \
    "$CONF" >"$T/bad.conf"
run "$BUILD/printgatectl" -c "$T/bad.conf" check
assert_rc "check: a public_url with a query exits 2" 2
assert_out "... saying what its path may hold" \
    "'https://printgate.example.com/print?gate=1': its path may hold only"

stop_daemon
finish
