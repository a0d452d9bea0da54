#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# t-previews.sh - previews in printgated: a real push of a 3-page PDF with
# its price changed on page 2 queues its preview when the request is
# handled (the first view is warm), rendered in the background into
# state_dir/previews; its pictures served under the review link with
# their MAC, refused with a bad MAC, another pair, an expired or forged
# token; a hostile file is "no preview" and the rest is served; the
# cache stays under previews_max, least recently used out, and survives
# a restart.  A symlink named x.pdf, in scope under a rule that allows
# them, shows on the page as a symlink and is never previewed.
. "$(dirname "$0")/lib.sh"

preview_fixtures

# links/** may hold symlinks: the page's previews must skip them
EXTRA_RULES=', { name = "links"; paths = [ "links/**" ]; group = "sales-apac";
    allow_symlinks = true; }'

start_receiver
NOTIFY_CONF=$(notify_config)
setup 'previews_max = "1MiB";'
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }
PV="$T/state/previews"

# a first print, approved and released: the base of the next
put_file "$FX/price-old.pdf" brochures/emea/price.pdf
put_file "$FX/corrupt.pdf" brochures/emea/broken.pdf
push_print "Q1 brochure" print/q1
ctl decide print/q1 --as alice approve >/dev/null
ctl decide print/q1 --as bob approve >/dev/null
wait_for 20 remote_ref refs/tags/print/q1 &&
    pass "the first print is released (by printgated)" ||
    fail "the first print was not released"

# the price changed on page 2; the corrupt PDF changed too
put_file "$FX/price-new.pdf" brochures/emea/price.pdf
cp "$FX/encrypted.pdf" "$WORK/brochures/emea/broken.pdf"
git -C "$WORK" add brochures/emea/broken.pdf
push_print "Q2 price" print/q2
assert_rc "the second print waits for approval" 1
commit=$(rev "print/q2^{commit}")
old=$(git --git-dir="$REPO" rev-parse "print/q1:brochures/emea/price.pdf")
new=$(git --git-dir="$REPO" rev-parse "$commit:brochures/emea/price.pdf")
bold=$(git --git-dir="$REPO" rev-parse "print/q1:brochures/emea/broken.pdf")
bnew=$(git --git-dir="$REPO" rev-parse "$commit:brochures/emea/broken.pdf")

# --- warm before anyone looks: queued on the request event ----------------
ready() { test -s "$PV/$old.$new.96/answer.json"; }
if wait_for 30 ready; then
	pass "the request queued the preview; rendered in the background"
else
	fail "no preview rendered after the request"; ls -R "$PV" >&2
fi
assert_out_file() { OUT=$1; shift; assert_out "$@"; }
cp "$PV/$old.$new.96/answer.json" "$T/answer"
assert_out_file "$T/answer" "the cached answer: page 2 changed, 1 and 3 not" \
    '"summary":"page 2 changed"' '"changed":[2]'
assert_out_file "$T/answer" "the cached answer: the text change" \
    '"words":[{"old":"2,499","new":"2,999"}]'
for f in old-2 new-2 diff-2 thumb-new-1 thumb-new-3; do
	if [ -s "$PV/$old.$new.96/$f.png" ]; then
		pass "cached: $f.png"
	else
		fail "not cached: $f.png"
	fi
done
grep -q "previews: 2 files of 'print/q2' queued" "$DLOG" &&
    pass "the log says which previews were queued" ||
    fail "no log line for the queued previews"

# --- the pictures under the review link -------------------------------------
u() { "$BUILD/tests/preview-url" "$@"; }
base="http://127.0.0.1:$HPORT"
url=$(u "$T/state" print/q2 "$commit" "$old" "$new" new-2)
code=$(curl -s -o "$T/new-2.png" -w '%{http_code} %{content_type}' "$base$url")
[ "$code" = "200 image/png" ] && cmp -s "$T/new-2.png" "$PV/$old.$new.96/new-2.png" &&
    pass "GET new-2.png: 200 image/png, the cached picture" ||
    fail "GET new-2.png: $code"
url=$(u "$T/state" print/q2 "$commit" "$old" "$new" state)
curl -s "$base$url" >"$OUT"
assert_out "GET state: ready, with the summary" '"state":"ready"' \
    '"summary":"page 2 changed"'
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(u "$T/state" print/q2 "$commit" "$old" "$new" new-9)")
[ "$code" = 404 ] && pass "a page the preview has not: 404" || fail "new-9: $code"

# a MAC for another pair, a MAC changed, a token expired, a token forged
good=$(u "$T/state" print/q2 "$commit" "$old" "$new" new-2)
other=$(u "$T/state" print/q2 "$commit" "$bold" "$bnew" new-2)
swapped=$(printf '%s' "$other" | sed "s/$bold\.$bnew/$old.$new/")
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$swapped")
[ "$code" = 404 ] && pass "another pair's MAC opens no preview: 404" ||
    fail "swapped MAC: $code"
bad=$(printf '%s' "$good" | sed 's/\.\([0-9a-f]\)\([0-9a-f]*\)\/new-2/.0\2\/new-2/')
[ "$bad" = "$good" ] && bad=$(printf '%s' "$good" | sed 's/\.0\([0-9a-f]*\)\/new-2/.1\1\/new-2/')
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$bad")
[ "$code" = 404 ] && pass "a MAC changed: 404" || fail "changed MAC: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(u -x "$T/state" print/q2 "$commit" "$old" "$new" new-2)")
[ "$code" = 403 ] && pass "an expired link: 403" || fail "expired: $code"
c=$(printf '%s' "$good" | cut -c14)
[ "$c" = A ] && r=B || r=A
forged=$(printf '%s' "$good" | sed "s|^\(/r/..........\).|\1$r|")
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$forged")
[ "$code" = 403 ] && pass "a forged token: 403" || fail "forged: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$(printf '%s' "$good" | sed 's|new-2.png|..%2Fanswer.json|')")
[ "$code" = 404 ] && pass "a name that is not a picture's: 404" || fail "traversal: $code"

# --- the hostile file: no preview, and nothing else affected ---------------
bready() { test -s "$PV/$bold.$bnew.96/answer.json"; }
wait_for 30 bready
curl -s "$base$(u "$T/state" print/q2 "$commit" "$bold" "$bnew" state)" >"$OUT"
assert_out "a damaged PDF: no preview, and why" '"state":"none"' \
    'no preview: the old version: the PDF cannot be read'
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$good")
[ "$code" = 200 ] && pass "the other file's pictures are still served" ||
    fail "after the hostile file: $code"
assert "printgated still runs" kill -0 "$daemon_pid"

# --- the review page's part: changed pages first, thumbnails, words ---------
"$BUILD/tests/preview-url" -p "$T/state" "$REPO" print/q2 "$commit" \
    brochures/emea/price.pdf "$old" "$new" >"$T/page.html"
OUT="$T/page.html"
assert_out "the page: the summary and page 2 shown as changed" \
    '<p class="pv-summary">page 2 changed</p>' \
    '<figure class="pv-page pv-changed" id="pv-1-p2"' 'Page 2: changed'
assert_no_out "the page: pages 1 and 3 are not shown as changed" \
    'id="pv-1-p1"' 'id="pv-1-p3"'
assert_out "the page: thumbnails of all pages, page 2 marked" \
    '<li class="pv-thumb same">' '<li class="pv-thumb marked"><a href="#pv-1-p2">' \
    'alt="Page 1 (same)"' 'alt="Page 2 (changed)"' 'alt="Page 3 (same)"'
assert_out "the page: the words, as words" '<del>2,499</del> → <ins>2,999</ins>'
assert_out "the page: pictures with alt text, and the script" \
    'alt="Page 2, old version"' 'alt="Page 2, new version"' \
    'alt="Page 2, the changes marked in red over the new version"' \
    '<script src="/static/printgate.js" defer></script>'
n=0
for src in $(grep -o 'src="/r/[^"]*"' "$T/page.html" | sed 's/^src="//; s/"$//'); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$base$src")
	[ "$code" = 200 ] || { fail "the page's picture $src: $code"; n=-100; }
	n=$((n + 1))
done
[ "$n" -ge 6 ] && pass "each of the page's $n pictures is served" ||
    fail "the page's pictures: $n"
code=$(curl -s -o "$T/js" -w '%{http_code} %{content_type}' "$base/static/printgate.js")
[ "$code" = "200 text/javascript; charset=utf-8" ] && grep -q "'Swipe'" "$T/js" &&
    pass "the script is served from this origin" || fail "the script: $code"

# --- in a real browser (tests/browser/previews.browser.mjs) -----------------
bdir="$top/tests/browser"
if command -v node >/dev/null 2>&1 && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] &&
    [ -f "$bdir/node_modules/playwright-core/package.json" ]; then
	"$BUILD/tests/preview-url" -c >"$T/style.css"
	io=$(git --git-dir="$REPO" hash-object -w "$FX/price-old.pdf")
	ii=$(git --git-dir="$REPO" hash-object -w "$FX/price-inserted.pdf")
	args() { printf '["-p","%s","%s","print/q2","%s","%s","%s","%s"]' \
	    "$T/state" "$REPO" "$commit" "$1" "$2" "$3"; }
	DAEMON_URL="$base" PREVIEW_TOOL="$BUILD/tests/preview-url" \
	    PAGE_ARGS=$(args brochures/emea/price.pdf "$old" "$new") \
	    COMING_ARGS=$(args brochures/emea/inserted.pdf "$io" "$ii") \
	    CSS_FILE="$T/style.css" PAGE_PATH=/r/the-page-under-test \
	    ARTIFACTS="$top/build/artifacts" HOME="$T/home" \
	    node --test --test-reporter=tap "$bdir/previews.browser.mjs" \
	    >"$T/browser.out" 2>&1
	brc=$?
	OUT="$T/browser.out"
	if [ $brc -eq 0 ] && grep -q '^# pass 2' "$OUT"; then
		pass "in chromium: page 2 marked, page 1 not; the pictures load; swipe, onion skin and difference move; the words; a preview still coming filled in"
	else
		fail "the browser test (exit $brc)"; sed 's/^/#   /' "$OUT" | tail -40
	fi
else
	fail "the browser test: node, chromium or playwright-core missing (scripts/deps.sh)"
fi

# --- asked cold: coming, then ready -----------------------------------------
o2=$(git -C "$WORK" hash-object -w "$FX/image-old.png")
n2=$(git -C "$WORK" hash-object -w "$FX/image-new.png")
git -C "$WORK" push -q origin main 2>/dev/null
cp "$FX/image-old.png" "$T/io.png"
git --git-dir="$REPO" hash-object -w "$FX/image-old.png" >/dev/null
git --git-dir="$REPO" hash-object -w "$FX/image-new.png" >/dev/null
surl=$(u "$T/state" print/q2 "$commit" "$o2" "$n2" state)
curl -s "$base$surl" >"$OUT"
assert_out "a pair never asked for: still coming" '"state":"coming"'
iready() { curl -s "$base$surl" | grep -q '"state":"ready"'; }
wait_for 30 iready && pass "then ready, without a reload of the daemon" ||
    fail "the cold preview never came"

# --- bounded: under previews_max, least recently used out -------------------
i=0
while [ $i -lt 8 ]; do
	cp "$FX/pages20-old.pdf" "$T/p.pdf"
	printf '%% filler %s\n' "$i" >>"$T/p.pdf"
	po=$(git --git-dir="$REPO" hash-object -w "$FX/pages20-old.pdf")
	pn=$(git --git-dir="$REPO" hash-object -w "$T/p.pdf")
	curl -s "$base$(u "$T/state" print/q2 "$commit" "$po" "$pn" state)" >/dev/null
	i=$((i + 1))
done
last=$(u "$T/state" print/q2 "$commit" "$po" "$pn" state)
lready() { curl -s "$base$last" | grep -q '"state":"ready"'; }
wait_for 60 lready || fail "the last pair never came"
files=$(find "$PV" -type f | xargs cat | wc -c)
[ "$files" -le $((1024 * 1024)) ] &&
    pass "the cache holds $files bytes, under previews_max (1 MiB)" ||
    fail "the cache holds $files bytes, over 1 MiB"
n=$(find "$PV" -name answer.json | wc -l)
[ "$n" -lt 11 ] && pass "previews went out to stay under it ($n of 11 kept)" ||
    fail "nothing went out: $n of 11 kept"
test -s "$PV/$po.$pn.96/answer.json" && pass "the newest preview is kept" ||
    fail "the newest preview went out"
bused() { test -s "$PV/$bold.$bnew.96/answer.json"; }
if ! ready || bused; then
	! ready && bused && fail "a preview used later went out before one used earlier" ||
	    pass "least recently used out first"
else
	fail "the damaged PDF's preview (used last long ago) was kept over a later one"
fi

# --- Git LFS: a pointer is "in LFS" without lfs_dir, the file with it ----
sha=$(sha256sum "$FX/price-old.pdf" | cut -d' ' -f1)
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %s\n' \
    "$sha" "$(wc -c <"$FX/price-old.pdf")" >"$T/pointer"
lo=$(git --git-dir="$REPO" hash-object -w "$T/pointer")
lurl=$(u "$T/state" print/q2 "$commit" "$lo" "$new" state)
lnone() { curl -s "$base$lurl" | grep -q '"state":"none"'; }
wait_for 30 lnone
curl -s "$base$lurl" >"$OUT"
assert_out "an LFS pointer without lfs_dir: no preview, the file is in LFS" \
    '"state":"none"' 'the file is in Git LFS'
mkdir -p "$T/lfs/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-4)"
cp "$FX/price-old.pdf" "$T/lfs/$(echo "$sha" | cut -c1-2)/$(echo "$sha" | cut -c3-4)/$sha"
write_config "previews_max = \"1MiB\"; lfs_dir = \"$T/lfs\";"
reloads=$(grep -c "reload '.*': done" "$DLOG")
kill -HUP "$daemon_pid"
reloaded() { [ "$(grep -c "reload '.*': done" "$DLOG")" -gt "$reloads" ]; }
wait_for 10 reloaded
lready() { curl -s "$base$lurl" | grep -q '"state":"ready"'; }
wait_for 30 lready
curl -s "$base$lurl" >"$OUT"
assert_out "with lfs_dir: the pointer previewed as the file it points to" \
    '"state":"ready"' '"summary":"page 2 changed"'

# --- a symlink named x.pdf: shown as a symlink, never previewed -------------
mkdir -p "$WORK/links"
ln -s ../brochures/emea/price.pdf "$WORK/links/x.pdf"
git -C "$WORK" add links/x.pdf
OUT="$T/out"
push_print "a link named like a PDF" print/q3
assert_out "print/q3 waits for approval" "print/q3" "waits for approval"
sblob=$(git -C "$WORK" rev-parse "print/q3:links/x.pdf")
scommit=$(rev "print/q3^{commit}")
curl -s -m 20 -o "$T/q3.html" "$base$(ctl link print/q3 | sed 's|^https://[^/]*||')"
sed 's/<[^>]*>//g' "$T/q3.html" >"$OUT"
assert_out "the page of print/q3 shows x.pdf as a symlink" \
    "links/x.pdf" "symlink to ../brochures/emea/price.pdf"
OUT="$T/q3.html"
assert_no_out "the page links no preview of the symlink" "$sblob"
OUT="$T/cached"
ls "$PV" >"$OUT"
assert_no_out "nothing of the symlink is queued or cached" "$sblob"
surl=$(u "$T/state" print/q3 "$scommit" 0 "$sblob" new-1)
sdone() { ! curl -s "$base$(u "$T/state" print/q3 "$scommit" 0 "$sblob" state)" |
    grep -q '"state":"coming"'; }
wait_for 30 sdone
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$surl")
[ "$code" = 404 ] && pass "GET of the symlink's preview picture: 404" ||
    fail "GET of the symlink's preview picture: $code"

# --- a restart: the cache is indexed again ----------------------------------
stop_daemon
mkdir "$PV/half" "$PV/writing"
printf x >"$PV/half/new-1.png"
printf x >"$PV/writing/new-1.png"
touch -d '1 hour ago' "$PV/half"
mv "$DLOG" "$T/daemon-before-restart.log"	# kept; the new one waits for its own "ready"
start_daemon
test -d "$PV/half" && fail "a half-written folder survived the restart" ||
    pass "a half-written folder is removed at start"
test -d "$PV/writing" && pass "a folder being written now is left to its writer" ||
    fail "a folder being written now was removed"
finish
