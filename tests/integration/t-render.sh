#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# t-render.sh - printgate-render as printgated runs it (render_run(),
# through tests/tools/render-job): files drawn by tests/tools/mkfixtures,
# and what a reviewer would be shown: which pages changed, the boxes, the
# words, "no visual change", the page inserted; each hostile file answered
# "no preview: <reason>" with exit status 0 from the renderer itself; the
# seccomp filter killing the renderer when it tries what it may not.
. "$(dirname "$0")/lib.sh"

R="$BUILD/printgate-render"
FX="$T/fx"
IMG="$T/img"
mkdir -p "$FX" "$IMG"
"$BUILD/tests/mkfixtures" "$FX" || { echo "not ok 1 - mkfixtures"; exit 1; }

# rj ARGS...: one job through render_run(); images into $IMG
rj() {
	rm -f "$IMG"/*.png
	run "$BUILD/tests/render-job" -r "$R" -D "$IMG" "$@"
}

# rend OPTIONS...: the renderer alone on $T/job, its answer through a
# pipe (it may not write files) into $OUT, its exit status in $rc
rend() {
	{ "$R" "$@" <"$T/job" 2>&1; echo $? >"$T/rc"; } | cat >"$OUT"
	rc=$(cat "$T/rc")
}

# job FILE: a job with FILE as the new version, for the renderer itself
job() {
	printf 'printgate-render 1\nnew %s\n' "$(wc -c <"$1")"
	cat "$1"
	printf '\nend\n'
}

# is_png FILE: the file starts with PNG's signature
is_png() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = "211PNG" ]
}

# png_width FILE: the width in its IHDR
png_width() {
	od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'
}

# --- a price changed on page 2 of 3 -----------------------------------------
rj -o "$FX/price-old.pdf" -n "$FX/price-new.pdf"
assert_rc "price change: a preview" 0
assert_out "price change: page 2 changed, 1 and 3 not" \
    '"summary":"page 2 changed"' '"changed":[2],"added":[],"removed":[]' \
    '{"old":1,"new":1,"status":"same"' '{"old":3,"new":3,"status":"same"'
assert_out "price change: the words" '"words":[{"old":"2,499","new":"2,999"}]'
# the price line: 28 pt at (40, 500) on the page, at 96 dpi
box=$(sed -n 's/.*"status":"changed",[^]]*"boxes":\[\[\([0-9,]*\)\]\].*/\1/p' "$OUT")
if echo "$box" | awk -F, '{ exit !(NF == 4 && $1 >= 53 && $1 + $3 <= 450 &&
    $2 >= 620 && $2 + $4 <= 690 && $3 < 60) }'; then
	pass "price change: one box, around the changed digit ($box)"
else
	fail "price change: one box, around the changed digit" "boxes: $box"
fi
if is_png "$IMG/old-2.png" && is_png "$IMG/new-2.png" &&
    is_png "$IMG/diff-2.png" && [ ! -e "$IMG/new-1.png" ]; then
	pass "price change: old, new and difference of page 2, nothing of page 1"
else
	fail "price change: images" "$(ls "$IMG")"
fi

# --- a re-export: other bytes, the same pixels -------------------------------
assert_not "re-export: the bytes differ" cmp -s "$FX/price-old.pdf" \
    "$FX/price-reexport.pdf"
rj -o "$FX/price-old.pdf" -n "$FX/price-reexport.pdf"
assert_out "re-export: no visual change" '"summary":"no visual change"' \
    '"changed":[],"added":[],"removed":[]' '"images":[]'

# --- a page inserted, and removed ----------------------------------------------
rj -o "$FX/price-old.pdf" -n "$FX/price-inserted.pdf"
assert_out "inserted: page 2 added, the pages after it the same" \
    '"summary":"page 2 added"' '"changed":[],"added":[2],"removed":[]' \
    '{"old":2,"new":3,"status":"same"' '{"old":3,"new":4,"status":"same"'
assert "inserted: the added page's image" is_png "$IMG/new-2.png"
rj -o "$FX/price-inserted.pdf" -n "$FX/price-old.pdf"
assert_out "removed: old page 2 removed" '"summary":"old page 2 removed"' \
    '{"old":2,"new":null,"status":"removed"'
assert "removed: the removed page's image" is_png "$IMG/old-2.png"

# --- added and removed files -----------------------------------------------------
rj -n "$FX/price-new.pdf" -T 120
assert_out "added file: its pages" '"summary":"new PDF: 3 pages"' \
    '"added":[1,2,3]'
if is_png "$IMG/thumb-new-3.png" && [ "$(png_width "$IMG/thumb-new-3.png")" = 120 ]; then
	pass "added file: thumbnails 120 pixels wide"
else
	fail "added file: thumbnails 120 pixels wide" "$(ls "$IMG")"
fi
rj -o "$FX/price-old.pdf"
assert_out "removed file: its pages" '"summary":"removed PDF: 3 pages"' \
    '"removed":[1,2,3]'

# --- images: one region recoloured, in each format ------------------------------------
for ext in png jpeg gif webp; do
	rj -o "$FX/image-old.$ext" -n "$FX/image-new.$ext"
	assert_out "$ext: the recoloured box, and nothing else" \
	    "\"kind\":\"$ext\"" '"summary":"the image changed"' \
	    '"boxes":[[250,60,80,60]]'
	rj -o "$FX/image-old.$ext" -n "$FX/image-old.$ext"
	assert_out "$ext: the same image, no visual change" \
	    '"summary":"no visual change"'
done
rj -o "$FX/price-old.pdf" -n "$FX/price-new.pdf" -p all
assert_out "pages all: every page's image" '"images":["new-1","old-2","new-2","diff-2","new-3"]'

# --- hostile files: "no preview: <reason>", the renderer exits 0 -----------------
# hostile DESC FILE REASON [RENDERER OPTIONS]: through render_run, and the
# renderer alone on the same job
hostile() {
	desc=$1 file=$2 reason=$3
	shift 3
	rj -n "$file" "$@"
	assert_rc "$desc: no preview" 1
	assert_out "$desc: the reason" "no preview: $reason"
	job "$file" >"$T/job"
	opts=""
	[ "${1:-}" = "-t" ] && opts="-t $2"
	# shellcheck disable=SC2086 # opts are words
	rend $opts
	assert_rc "$desc: the renderer exits 0" 0
	assert_out "$desc: the renderer's answer" '"preview":false' "$reason"
}

hostile "corrupt PDF" "$FX/corrupt.pdf" \
    "the new version: the PDF cannot be read (PDF document is damaged)"
hostile "encrypted PDF" "$FX/encrypted.pdf" \
    "the new version: the PDF is encrypted: it opens only with a password"
hostile "10,000 pages" "$FX/pages10000.pdf" \
    "the new version: the PDF has 10000 pages, over the limit of 1000"
hostile "JPEG of 60,000 x 60,000" "$FX/huge.jpeg" \
    "the new version: the image is 60000 x 60000 pixels, over the limit of 64 megapixels"
hostile "PNG of 60,000 x 60,000" "$FX/huge.png" \
    "the new version: the image is 60000 x 60000 pixels, over the limit of 64 megapixels"
printf 'not a document\n' >"$T/text.txt"
hostile "not a document" "$T/text.txt" \
    "the new version: not a PDF, PNG, JPEG, GIF or WebP file"
hostile "decompression bomb" "$FX/bomb.pdf" \
    "rendering took more than 2 s of CPU time" -t 2

# the caller's timeout, before the CPU limit
rj -n "$FX/bomb.pdf" -w 1000
assert_out "decompression bomb: killed at the caller's timeout" \
    "no preview: rendering took longer than 1 s"

# --- the sandbox ----------------------------------------------------------------------
# each forbidden thing, tried once the filter is in: the kernel kills it
for what in open write socket exec; do
	rj -n "$FX/price-new.pdf" -X "$what"
	assert_out "sandbox: $what is killed" \
	    "no preview: the renderer was stopped by its sandbox"
done
job "$FX/price-new.pdf" >"$T/job"
(cd "$T" && rend -X open)
rc=$(cat "$T/rc")
assert_rc "sandbox: killed by SIGSYS (exit status 128 + 31)" 159
assert_not "sandbox: the new file was not created" \
    test -e "$T/printgate-render-was-here"

# limits and no new privileges, as the kernel shows them, while it works
# on the bomb
job "$FX/bomb.pdf" >"$T/job"
mkfifo "$T/fifo"
cat "$T/fifo" >/dev/null &
"$R" -t 7 -m 1000 <"$T/job" >"$T/fifo" &
pid=$!
sleep 0.5
cat "/proc/$pid/limits" "/proc/$pid/status" >"$OUT" 2>&1
kill "$pid" 2>/dev/null
wait
if grep -q '^NoNewPrivs:[[:space:]]*1' "$OUT" && grep -q '^Seccomp:[[:space:]]*2' "$OUT"; then
	pass "sandbox: no new privileges, a seccomp filter"
else
	fail "sandbox: no new privileges, a seccomp filter"
fi
assert_out "sandbox: the limits" \
    "Max cpu time              7                    9" \
    "Max file size             0                    0" \
    "Max core file size        0                    0"
# not in the AddressSanitizer build, whose shadow memory needs terabytes
if grep -qa '__asan_init' "$R"; then
	pass "sandbox: the address space (not limited under AddressSanitizer)"
else
	assert_out "sandbox: the address space" \
	    "Max address space         1048576000           1048576000"
fi

# an answer to a file would die half written: refused, with what to do
run "$R" <"$T/job"
assert_rc "stdout a file: exit 2" 2
assert_out "stdout a file: what to do" "give it a pipe"

# --- a malformed job: a caller's bug, exit 2 with the reason -------------------------------
printf 'printgate-render 2\n' >"$T/job"
rend
assert_rc "bad job: exit 2" 2
assert_out "bad job: the reason" 'bad job: line 1: not "printgate-render 1"'

finish
