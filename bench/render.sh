#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# render.sh BUILD full|quick - the renderer of previews (printgate-render)
# against pdftoppm (poppler-utils) on the same files, in one run, and
# prints ROW lines for run.sh's table:
#   - render time per page: printgate-render drawing every page of a
#     20-page PDF to PNG (through render_run(), as printgated runs it:
#     spawn, sandbox, job, answer) against `pdftoppm -png` at the same
#     resolution on the same file; the ratio's target is 1.3x;
#   - a 20-page PDF with 2 pages changed: the time to both comparisons
#     (old, new and difference of each changed page, the words), cold: a
#     new renderer, nothing cached;
#   - the renderer's peak resident memory on that comparison.
# The medians of 10 runs (5 quick), after one warm-up run of each.
set -u

BUILD=$1
MODE=$2
runs=10
[ "$MODE" = quick ] && runs=5
dpi=96
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v pdftoppm >/dev/null 2>&1 || {
	echo "render.sh: pdftoppm is missing: apt-get install poppler-utils" >&2
	exit 1
}
"$BUILD/tests/mkfixtures" "$work" || exit 1
old="$work/pages20-old.pdf"
new="$work/pages20-new.pdf"
rj() { "$BUILD/tests/render-job" -r "$BUILD/printgate-render" -d "$dpi" "$@"; }

# ms CMD...: the wall time of one run in milliseconds (a float); the
# command's output is thrown away, a failure ends the benchmark
ms() {
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || { echo "render.sh: failed: $*" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$t0 $t1" | awk '{ printf "%.1f\n", ($2 - $1) / 1e6 }'
}

# median CMD...: the median of $runs runs, after one warm-up
median() {
	"$@" >/dev/null 2>&1
	i=0
	while [ $i -lt "$runs" ]; do
		ms "$@" || exit 1
		i=$((i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END {
	    print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# the same pages, the same resolution, both to PNG; taken in turns so
# that the machine's load falls on both alike
pg=$(median rj -n "$new" -p all -D "$work") || exit 1
pp=$(median pdftoppm -r "$dpi" -png "$new" "$work/pp") || exit 1
pg2=$(median rj -n "$new" -p all -D "$work") || exit 1
pp2=$(median pdftoppm -r "$dpi" -png "$new" "$work/pp") || exit 1
ours=$(echo "$pg $pg2" | awk '{ print ($1 < $2 ? $1 : $2) / 20 }')
base=$(echo "$pp $pp2" | awk '{ print ($1 < $2 ? $1 : $2) / 20 }')
ratio=$(echo "$ours $base" | awk '{ printf "%.2f", $1 / $2 }')
verdict=$(echo "$ratio" | awk '{ print $1 <= 1.3 ? "met" : "missed" }')
printf 'ROW\trender\tper page, 20-page PDF to PNG at %d dpi, median\t%.1f ms\tpdftoppm %.1f ms\t%sx\t≤1.3x pdftoppm\t%s\n' \
    "$dpi" "$ours" "$base" "$ratio" "$verdict"

# both comparisons of a 20-page PDF with pages 5 and 14 changed, cold
rj -o "$old" -n "$new" >"$work/answer" || exit 1
grep -qF '"summary":"pages 5 and 14 changed"' "$work/answer" || {
	echo "render.sh: the comparison did not find pages 5 and 14" >&2
	exit 1
}
cmp=$(median rj -o "$old" -n "$new") || exit 1
verdict=$(echo "$cmp" | awk '{ print $1 < 1000 ? "met" : "missed" }')
printf 'ROW\trender\t20 pages, 2 changed: both comparisons, cold, median\t%.0f ms\t-\t-\t<1000 ms\t%s\n' \
    "$cmp" "$verdict"

rss=$(rj -o "$old" -n "$new" -M 2>&1 >/dev/null | sed -n 's/^maxrss //p')
printf 'ROW\tmemory\tthe renderer'"'"'s peak RSS on that comparison\t%s KiB\t-\t-\t-\t-\n' \
    "$rss"
