#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh BUILD full|quick [NAME...]: every benchmark (bench/README.md), or
# only those NAMEd (gate listener page outbox idle render previews), then
# one table.  The generated repository is made once and cached
# (bench/repo.sh); the renderer's and the previews' benchmarks do without it.
# Each benchmark prints ROW lines; a benchmark that fails is reported in
# the table and makes run.sh exit non-zero, after the others have run.
set -u

BUILD=$1
MODE=$2
shift 2
only=" ${*:-gate listener page outbox idle render previews} "
cd "$(dirname "$0")/.."
rows=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$rows" "$work"' EXIT
status=0

DIR=""
case "$only" in
*" gate "* | *" listener "* | *" page "* | *" outbox "* | *" idle "*)
	DIR=$(sh bench/repo.sh "$BUILD" "$MODE") || {
		echo "run.sh: cannot make the benchmark repository" >&2
		exit 1
	}
	# a cache copied from another checkout (cp -al) names that one's
	# repository: written again for this one, as a file of its own
	grep -qF "\"$DIR/repo.git\"" "$DIR/bench.conf" || {
		sed -e "s|@REPO@|$DIR/repo.git|" -e "s|@STATE@|$DIR/state|" \
		    bench/bench.conf.in >"$DIR/bench.conf.new" &&
		    mv "$DIR/bench.conf.new" "$DIR/bench.conf"
	}
	;;
esac

# bench NAME COMMAND...: runs one benchmark, keeps its rows; a benchmark
# not asked for is skipped
bench() {
	name=$1
	shift
	case "$only" in *" $name "*) ;; *) return 0 ;; esac
	echo "== $name" >&2
	if ! "$@" >"$work/out"; then
		status=1
		printf 'ROW\t%s\tthe benchmark failed: see its output above\t-\t-\t-\t-\tfailed\n' \
		    "$name" >>"$work/out"
	fi
	grep '^ROW' "$work/out" >>"$rows" || true
}

bench gate sh bench/gate.sh "$BUILD" "$DIR" "$MODE"
bench listener sh bench/listener.sh "$BUILD" "$DIR/repo.git" \
    "$work/listener" "$MODE"
bench page sh bench/page.sh "$BUILD" "$DIR" "$work/page" "$MODE"
bench outbox sh bench/outbox.sh "$BUILD" "$DIR" "$MODE"
bench idle sh bench/idle.sh "$BUILD" "$DIR" "$MODE"
bench render sh bench/render.sh "$BUILD" "$MODE"
bench previews sh bench/previews.sh "$BUILD" "$MODE"

exposure=$(systemd-analyze security --offline=true \
    systemd/printgated.service 2>/dev/null |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$exposure" ] && [ -n "$DIR" ]; then
	verdict=$(awk -v e="$exposure" 'BEGIN { print e <= 2.0 ? "met" : "missed" }')
	printf 'ROW\tservice\tsystemd-analyze security --offline=true\t%s\t-\t-\t≤2.0\t%s\n' \
	    "$exposure" "$verdict" >>"$rows"
fi

echo
echo "printgate benchmarks ($MODE): $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1),"\
    "$(awk '/MemTotal/ { printf "%d GiB", $2 / 1048576 }' /proc/meminfo),"\
    "$(uname -sr), git $(git --version | cut -d' ' -f3)"
if [ -n "$DIR" ]; then
	size=$(git --git-dir="$DIR/repo.git" rev-list --count --all)
	echo "repository: $size commits, $(git --git-dir="$DIR/repo.git" \
	    ls-tree -r refs/heads/main | wc -l) files at main," \
	    "$(git --git-dir="$DIR/repo.git" for-each-ref refs/tags/print |
	    wc -l) print tags, $(git --git-dir="$DIR/repo.git" notes \
	    --ref=printgate list | wc -l) notes"
fi
echo
echo "| area | what | printgate | baseline | ratio | target | |"
echo "|---|---|---|---|---|---|---|"
awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n",
    $2, $3, $4, $5, $6, $7, $8 }' "$rows"
exit $status
