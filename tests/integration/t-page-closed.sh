#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The review page of files too large to compare and of reviews that are
# closed, served by the real printgated: a file over the page's 4 MiB
# cap shows both sizes and downloads whole; a released, a superseded and
# an expired review opened by their links say they are closed and why,
# show no form, and refuse a decision posted anyway with a page that says
# the same, writing nothing.
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
BASE="http://127.0.0.1:$HPORT"
PUB="https://printgate.example.com"

# get PATH [CURL ARGS...]: $code, the body in $OUT, the headers in $T/h.
get() {
	p=$1
	shift
	code=$(curl -s -m 20 -D "$T/h" -o "$OUT" -w '%{http_code}' "$@" \
	    "$BASE$p")
}
# form PATH BODY: a form post, as a browser sends it.
form() {
	printf '%s' "$2" >"$T/form"
	code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' -X POST \
	    -H "Content-Type: application/x-www-form-urlencoded" \
	    --data-binary "@$T/form" "$BASE$1")
}
status_is() {
	if [ "$code" = "$2" ]; then pass "$1"; else fail "$1" "status $code, not $2"; fi
}
csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$OUT" | sed 's/.*value="//; s/"$//'; }
path_of() { printf '%s' "${1#"$PUB"}"; }
text_of() { sed 's/<[^>]*>//g' "$OUT" >"$T/text" && mv "$T/text" "$OUT"; }
# big BYTES FILE: a text file of BYTES bytes, lines of 63 letters.
big() {
	yes 'The quick brown fox jumps over the lazy dog, again and again.' |
	    head -c "$1" >"$2"
}

# --- a released first print with a 5 MiB data sheet, then a candidate
# where it grew to 5.5 MiB
mkdir -p "$WORK/datasheets"
big 5242880 "$WORK/datasheets/specs.txt"
git -C "$WORK" add datasheets
git -C "$WORK" commit -q -m "the data sheet"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/l0
push_as rruiz print/l0
ctl decide print/l0 --as alice approve >/dev/null
ctl decide print/l0 --as bob approve >/dev/null
wait_for 15 remote_ref refs/tags/print/l0
assert "the first print is released" remote_ref refs/tags/print/l0
L0=$(rev print/l0^{commit})
big 5767168 "$WORK/datasheets/specs.txt"
git -C "$WORK" commit -q -am "a longer data sheet"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/l1
push_as rruiz print/l1
L1=$(rev HEAD)

page=$(path_of "$(ctl link print/l1)")
get "$page"
status_is "the page of a review with a 5 MiB file opens" 200
cp "$OUT" "$T/page"
text_of
assert_out "it shows both sizes of the file over the cap" \
    "datasheets/specs.txt" "Too large to compare: over 4 MiB; 5.0 MiB → 5.5 MiB." \
    "Download the old version (5.0 MiB)" "Download the new version (5.5 MiB)"
assert_no_out "... never 0 bytes" "0 bytes"
cp "$T/page" "$OUT"
n=$(grep -o '/file/[0-9]*/old' "$OUT" | head -n 1 | sed 's|/file/||; s|/old||')
code=$(curl -s -m 20 -o "$T/old" -w '%{http_code}' "$BASE$page/file/$n/old")
status_is "the old 5 MiB version downloads" 200
git -C "$WORK" show "$L0:datasheets/specs.txt" >"$T/want"
if cmp -s "$T/old" "$T/want"; then pass "... whole, byte for byte"
else fail "... whole, byte for byte" "$(wc -c <"$T/old") bytes"; fi
code=$(curl -s -m 20 -o "$T/new" -w '%{http_code}' "$BASE$page/file/$n/new")
status_is "the new 5.5 MiB version downloads" 200
if cmp -s "$T/new" "$WORK/datasheets/specs.txt"; then pass "... whole, byte for byte"
else fail "... whole, byte for byte" "$(wc -c <"$T/new") bytes"; fi

stop_daemon
finish
