#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# gate.sh BUILD DIR MODE: the gate's latency on the generated repository in
# DIR (bench/repo.sh), the whole hook process as git runs it, against
# `git rev-parse --verify` and bench/shell-hook.sh on the same repository
# in the same run: first on the fallback (no printgated: the hook decides
# itself), then on the warm path (printgated -g answers on the gate
# socket); and a branch's update through the hook both ways, which is all
# a branch push pays over a push with no hook.  MODE full runs each
# command 200 times, quick 50.
#
# The candidates are approved, so the hook writes a released event each
# time; hyperfine's --prepare puts the ledger back before every run, out of
# the timing, and removes the pack the run wrote (restore.sh).  Results: ROW lines on stdout (bench/run.sh), the rest on
# stderr.
set -eu

BUILD=$(cd "$1" && pwd)
DIR=$(cd "$2" && pwd)
MODE=$3
BENCH=$(cd "$(dirname "$0")" && pwd)
case $MODE in
full) runs=200 ;;
*) runs=50 ;;
esac
zero=0000000000000000000000000000000000000000
export GIT_DIR="$DIR/repo.git" REMOTE_USER=rita
cd "$GIT_DIR"

"$BUILD/printgatectl" -c "$DIR/bench.conf" install-hook --force >/dev/null
head=$(git rev-parse refs/notes/printgate)
last=$(git for-each-ref --sort=-creatordate --count=1 \
    --format='%(refname)' refs/tags/print)
json=$(mktemp)
keep=$(mktemp)
sh "$BENCH/restore.sh" --list "$keep"
restore="sh $BENCH/restore.sh $head $keep"
gated=""
trap '[ -n "$gated" ] && kill "$gated"; $restore; rm -f "$json" "$keep"' EXIT

# time NAME PREPARE COMMAND...: sets $median and $p99 in milliseconds;
# $preload, when set, is put in LD_PRELOAD of the runs
time_it() {
	name=$1 prepare=$2
	shift 2
	echo "gate: $name: $runs runs" >&2
	env ${preload:+LD_PRELOAD="$preload"} hyperfine -N --style none --warmup 5 --runs "$runs" \
	    ${prepare:+--prepare "$prepare"} --export-json "$json" \
	    "$*" >/dev/null
	median=$(jq '.results[0].times | sort | .[length / 2 | floor] * 1000' \
	    "$json")
	p99=$(jq '.results[0].times | sort |
	    .[(length * 0.99 | ceil) - 1] * 1000' "$json")
}

ms() { printf '%.1f ms' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
verdict() { if below "$1" "$2"; then echo met; else echo missed; fi; }

time_it "git rev-parse --verify" "" git rev-parse --verify "$last"
rp_median=$median

# The fallback's baselines, the typical tag: the hook as it was before the
# warm path (bench/before.sh), and today's fallback with fsync made a
# no-op (libeatmydata), which tells what the ledger's durability costs.
before=$(sh "$BENCH/before.sh")
eatmydata=$(for d in /usr/lib/*-linux-gnu /usr/lib64 /usr/lib; do
	[ -e "$d/libeatmydata.so" ] && echo "$d/libeatmydata.so" && break
done) || true
[ -n "$eatmydata" ] || { echo "gate: libeatmydata.so is missing" >&2; exit 1; }
tag=$(git rev-parse refs/bench/typical)
ref=refs/tags/print/bench-typical
# released COMMAND...: the decision of a hook, checked before it is timed
released() {
	out=$("$@" "$ref" "$zero" "$tag" 2>&1) || {
		echo "gate: $1 refused $ref: $out" >&2
		exit 1
	}
	case $out in
	*"is approved: released"*) ;;
	*) echo "gate: unexpected answer of $1 for $ref: $out" >&2; exit 1 ;;
	esac
	$restore
}
released "$before" -c "$DIR/bench.conf"
released hooks/update
time_it "before the warm path (f41f8e6), typical" "$restore" "$before" \
    -c "$DIR/bench.conf" "$ref" "$zero" "$tag"
bf_median=$median
preload=$eatmydata
time_it "printgate (fallback, fsync a no-op), typical" "$restore" \
    hooks/update "$ref" "$zero" "$tag"
preload=""
nf_median=$median

# gate_path LABEL: the typical tag and the first print, on one path.
gate_path() {
	label=$1
	for which in typical first; do
		tag=$(git rev-parse "refs/bench/$which")
		ref=refs/tags/print/bench-$which
		# the decision is checked before it is timed
		out=$(hooks/update "$ref" "$zero" "$tag" 2>&1) || {
			echo "gate: the hook refused $ref: $out" >&2
			exit 1
		}
		case $out in
		*"is approved: released"*) ;;
		*) echo "gate: unexpected answer for $ref: $out" >&2; exit 1 ;;
		esac
		$restore
		scope=$("$BUILD/printgatectl" -c "$DIR/bench.conf" status "$tag" |
		    sed -n -e 's/^  scope *\([0-9]*\) files changed.*/\1/p' \
		    -e 's/^  scope *first print: all \([0-9]*\) files.*/\1/p')
		time_it "printgate ($label), $which" "$restore" hooks/update \
		    "$ref" "$zero" "$tag"
		pg_median=$median pg_p99=$p99
		eval "sh_median=\$sh_median_$which sh_p99=\$sh_p99_$which"
		gate_rows
	done
}

# gate_rows: the rows of $which on path $label, with the targets of each
gate_rows() {
	if [ "$which" = typical ] && [ "$label" = "warm path" ]; then
		printf 'ROW\tgate\twarm path: typical tag (%s files), median\t%s\trev-parse %s; shell hook %s\t%s; %s\t<3x rev-parse, ≥5x faster than the shell hook\t%s\n' \
		    "$scope" "$(ms "$pg_median")" "$(ms "$rp_median")" \
		    "$(ms "$sh_median")" "$(ratio "$pg_median" "$rp_median")" \
		    "$(ratio "$pg_median" "$sh_median")" \
		    "$(both "$pg_median" "$(awk -v r="$rp_median" \
		    'BEGIN { print 3 * r }')" "$(awk -v r="$sh_median" \
		    'BEGIN { print r / 5 }')")"
		limit=10 what="warm path: typical tag, p99"
	elif [ "$which" = typical ]; then
		printf 'ROW\tgate\tfallback: typical tag (%s files), median\t%s\tbefore the warm path %s; fsync a no-op %s; rev-parse %s\t%s of before\tno slower than before\t%s\n' \
		    "$scope" "$(ms "$pg_median")" "$(ms "$bf_median")" \
		    "$(ms "$nf_median")" "$(ms "$rp_median")" \
		    "$(ratio "$pg_median" "$bf_median")" \
		    "$(verdict "$pg_median" "$bf_median")"
		limit=35 what="fallback: typical tag, p99"
	else
		limit=150 what="$label: first print ($scope files), p99"
	fi
	printf 'ROW\tgate\t%s\t%s\tshell hook %s\t%s\t<%s ms\t%s\n' "$what" \
	    "$(ms "$pg_p99")" "$(ms "$sh_p99")" \
	    "$(ratio "$pg_p99" "$sh_p99")" "$limit" \
	    "$(verdict "$pg_p99" "$limit")"
}
both() { if below "$1" "$2" && below "$1" "$3"; then echo met; else echo missed; fi; }

# branch LABEL: a branch's update through the hook, all a branch push pays
branch() {
	c=$(git rev-parse refs/heads/main)
	time_it "branch ($1)" "" hooks/update refs/heads/bench-branch "$zero" "$c"
	printf 'ROW\tgate\t%s: a branch through the hook, median (p99)\t%s (%s)\tno hook: 0 ms; rev-parse %s\t%s\t-\t-\n' \
	    "$1" "$(ms "$median")" "$(ms "$p99")" "$(ms "$rp_median")" \
	    "$(ratio "$median" "$rp_median")"
}

# the shell hook, once for both paths
for which in typical first; do
	tag=$(git rev-parse "refs/bench/$which")
	ref=refs/tags/print/bench-$which
	sh "$BENCH/shell-hook.sh" "$ref" "$zero" "$tag" 2>/dev/null || {
		echo "gate: shell-hook.sh refused $ref" >&2
		exit 1
	}
	time_it "shell hook, $which" "" sh "$BENCH/shell-hook.sh" "$ref" \
	    "$zero" "$tag"
	eval "sh_median_$which=$median sh_p99_$which=$p99"
done

gate_path fallback
branch fallback
sock=$(sed -n 's/^state_dir = "\(.*\)";/\1/p' "$DIR/bench.conf")/gate.sock
"$BUILD/printgated" -g -c "$DIR/bench.conf" 2>"$DIR/gated.log" &
gated=$!
i=0
while ! grep -q "ready: serving the gate" "$DIR/gated.log"; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "gate: printgated -g did not start" >&2; exit 1; }
	sleep 0.1
done
[ -S "$sock" ] || { echo "gate: no gate socket at $sock" >&2; exit 1; }
gate_path "warm path"
branch "warm path"
grep -q "the hook decides" "$DIR/gated.log" && {
	echo "gate: a hook fell back during the warm path's runs" >&2
	exit 1
}
exit 0
