#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# previews.sh BUILD full|quick - printgated's previews as a reviewer's
# browser meets them, and prints ROW lines for run.sh's table: a 20-page
# PDF with pages 5 and 14 changed, from the first request for its preview
# (what opening the page on a cold cache does: the state asked, the
# renderer started in the background, the state polled every 20 ms) until
# both changed pages' comparisons (old, new and difference pictures) are
# loaded; then the same pictures again from the warm cache.  The real
# daemon on 127.0.0.1, the real renderer, curl.  Medians of 5 runs (3
# quick), each cold run on a new pair of blobs.
set -u

BUILD=$1
MODE=$2
runs=5
[ "$MODE" = quick ] && runs=3
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/fx"
"$BUILD/tests/mkfixtures" "$work/fx" >/dev/null || exit 1
git init -q --bare "$work/repo.git"
mkdir -p "$work/state"
chmod 700 "$work/state"
cat >"$work/pg.conf" <<CONF
repository = "$work/repo.git";
state_dir = "$work/state";
people = ( { id = "alice"; name = "Alice"; email = "alice@example.com"; } );
groups = { sales = [ "alice" ]; };
release_managers = "sales";
http = { listen = "127.0.0.1:0"; };
CONF
PRINTGATE_RENDER="$BUILD/printgate-render" "$BUILD/printgated" \
    -c "$work/pg.conf" >"$work/log" 2>&1 &
pid=$!
i=0
while [ ! -s "$work/state/http-port" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "previews.sh: printgated did not start" >&2; exit 1; }
	sleep 0.1
done
base="http://127.0.0.1:$(cat "$work/state/http-port")"
commit=0123456789abcdef0123456789abcdef01234567
old=$(git --git-dir="$work/repo.git" hash-object -w "$work/fx/pages20-old.pdf")

now() { date +%s%N; }

# load OLD NEW: the state until ready, then the six pictures
load() {
	st=$("$BUILD/tests/preview-url" "$work/state" print/b "$commit" "$1" "$2" state)
	while ! curl -sf "$base$st" | grep -q '"state":"ready"'; do
		sleep 0.02
	done
	for p in 5 14; do
		for k in old new diff; do
			u=$("$BUILD/tests/preview-url" "$work/state" print/b "$commit" \
			    "$1" "$2" "$k-$p")
			curl -sf -o /dev/null "$base$u" || {
				echo "previews.sh: $k-$p not served" >&2; exit 1; }
		done
	done
}

median() { sort -n | awk '{ v[NR] = $1 } END {
    print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

i=0
while [ $i -lt "$runs" ]; do
	cp "$work/fx/pages20-new.pdf" "$work/new.pdf"
	printf '%% run %s\n' "$i" >>"$work/new.pdf"
	new=$(git --git-dir="$work/repo.git" hash-object -w "$work/new.pdf")
	t0=$(now); load "$old" "$new" || exit 1; t1=$(now)
	t2=$(now); load "$old" "$new" || exit 1; t3=$(now)
	echo "$t0 $t1 $t2 $t3" | awk '{ printf "%.1f %.1f\n", ($2 - $1) / 1e6, ($4 - $3) / 1e6 }'
	i=$((i + 1))
done >"$work/times"
cold=$(cut -d' ' -f1 "$work/times" | median)
warm=$(cut -d' ' -f2 "$work/times" | median)
verdict=$(echo "$cold" | awk '{ print $1 < 1000 ? "met" : "missed" }')
printf 'ROW\tpreviews\t20 pages, 2 changed: page opened on a cold cache until both comparisons load, median\t%.0f ms\t-\t-\t<1000 ms\t%s\n' \
    "$cold" "$verdict"
printf 'ROW\tpreviews\tthe same on a warm cache (the pictures from state_dir/previews), median\t%.0f ms\t-\t-\t-\t-\n' \
    "$warm"
