#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The review page of files too large to compare and of reviews that are
# closed, served by the real printgated: a file over the page's 4 MiB
# cap shows both sizes and downloads whole; a 65 MiB PDF, over what
# printgate reads for a preview, shows its size, "no preview" and why,
# and still downloads whole (its 256 MiB cap); a released, a superseded and
# an expired review opened by their links say they are closed and why,
# show no form, and refuse a decision posted anyway with a page that says
# the same, writing nothing.
. "$(dirname "$0")/lib.sh"

export PRINTGATE_RENDER="$BUILD/printgate-render"
start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
BASE="http://127.0.0.1:$HPORT"
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
candidate print/l0
L0=$(rev HEAD)
released=$(path_of "$(ctl link print/l0 --for carol)")
get "$released"
RELEASED_CSRF=$(csrf_of)
[ -n "$RELEASED_CSRF" ] || fail "Carol's page of print/l0 has a form" "none"
ctl decide print/l0 --as alice approve >/dev/null
ctl decide print/l0 --as bob approve >/dev/null
wait_for 15 remote_ref refs/tags/print/l0
assert "the first print is released" remote_ref refs/tags/print/l0
big 5767168 "$WORK/datasheets/specs.txt"
big 68157440 "$WORK/datasheets/scan.pdf"
git -C "$WORK" add datasheets
git -C "$WORK" commit -q -am "a longer data sheet, and its 65 MiB scan"
candidate print/l1
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

# the 65 MiB PDF: refused by the previews before it is read, not by the page
refused() { get "$page" && grep -q 'no preview: the file is larger than 64 MiB' "$OUT"; }
if wait_for 60 refused; then pass "the 65 MiB PDF has no preview, saying why"
else fail "the 65 MiB PDF has no preview, saying why" "not on the page"; fi
text_of
assert_out "... and shows its size" "datasheets/scan.pdf" \
    "Too large to compare: over 4 MiB; new, 65.0 MiB." "Download the new version (65.0 MiB)"
get "$page"
s=$(grep -o '/file/[0-9]*/new' "$OUT" | sed -n 1p | sed 's|/file/||; s|/new||')
code=$(curl -s -m 60 -o "$T/scan" -w '%{http_code}' "$BASE$page/file/$s/new")
status_is "the 65 MiB PDF downloads (under the 256 MiB cap)" 200
if cmp -s "$T/scan" "$WORK/datasheets/scan.pdf"; then pass "... whole, byte for byte"
else fail "... whole, byte for byte" "$(wc -c <"$T/scan") bytes"; fi

# --- a released review: closed, why, no form; a decision refused
lines() { ledger "$1" | wc -l; }
get "$released"
status_is "the page of a released review opens" 200
assert_no_out "... without a decision form" 'name="csrf"' '<form'
text_of
assert_out "... saying it is closed, on whose approvals and when" \
    "This review is closed: print/l0 was released on the approvals of Alice Ng and Bob Brandt on " \
    "UTC."
n=$(lines "$L0")
form "$released/decide" "csrf=$RELEASED_CSRF&decision=approve"
status_is "a decision posted on the released review: 409" 409
text_of
assert_out "... on a page that says it is closed and why" \
    "This review is closed" "print/l0 was released on the approvals of Alice Ng and Bob Brandt"
if [ "$(lines "$L0")" = "$n" ]; then pass "... and nothing was written"
else fail "... and nothing was written" "$n -> $(lines "$L0") lines"; fi

# --- a candidate superseded by a newer one of the same tag
old=$(path_of "$(ctl link print/l1 --for carol)")
get "$old"
OLD_CSRF=$(csrf_of)
commit "a note on the data sheet" datasheets/readme.txt="Read me first"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
git -C "$WORK" tag -f -a print/l1 -m "print/l1" >/dev/null
push_as rruiz print/l1
L2=$(rev HEAD)
get "$old"
status_is "the page of a superseded candidate opens" 200
assert_no_out "... without a decision form" 'name="csrf"' '<form'
cur=$(grep -o 'href="/r/[^"]*">Open the current version' "$OUT" | head -n 1 |
    sed 's/^href="//; s/".*//')
text_of
assert_out "... saying it was superseded, by which commit" \
    "This review is closed: it was superseded by print/l1 at commit $(printf '%.7s' "$L2")."
get "$cur"
assert_out "... and linking to the current version's page" \
    "$(printf '%.7s' "$L2")" "Waiting for approval"
n1=$(lines "$L1") n2=$(lines "$L2")
form "$old/decide" "csrf=$OLD_CSRF&decision=approve"
status_is "a decision posted on the superseded candidate: 409" 409
text_of
assert_out "... on a page that says it was superseded" \
    "This review is closed" "superseded by print/l1 at commit $(printf '%.7s' "$L2")"
if [ "$(lines "$L1")" = "$n1" ] && [ "$(lines "$L2")" = "$n2" ]; then
	pass "... and nothing was written on either candidate"
else fail "... and nothing was written on either candidate" "$n1/$n2 -> $(lines "$L1")/$(lines "$L2")"; fi

# --- an expired link, with its form's valid token
printf 'review = { link_ttl = "5s"; };\n' | cat "$CONF" - >"$T/short.conf"
short=$(path_of "$("$BUILD/printgatectl" -c "$T/short.conf" link print/l1 --for carol)")
get "$short"
SHORT_CSRF=$(csrf_of)
[ -n "$SHORT_CSRF" ] || fail "the short link's page has a form" "none"
sleep 6
get "$short"
status_is "the page of an expired link: 410" 410
assert_out "... says the link expired" "This review link has expired"
form "$short/decide" "csrf=$SHORT_CSRF&decision=approve"
status_is "a decision posted on an expired link: 410" 410
assert_out "... on a page that says it expired" "This review link has expired"
if [ "$(lines "$L2")" = "$n2" ]; then pass "... and nothing was written"
else fail "... and nothing was written" "$n2 -> $(lines "$L2") lines"; fi

stop_daemon
finish
