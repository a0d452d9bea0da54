#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# repo.sh BUILD SIZE: makes the benchmark repository once and prints its
# folder.  SIZE is "full" (100,000 commits, 20,000 files, 1,000 print tags,
# 10,000 notes: the size the targets are set for) or "quick" (a tenth of each).  The
# result is cached under bench/cache/SIZE-KEY, KEY a hash of the generator
# and this script, so a changed generator makes a new repository.
#
# The folder holds repo.git (packed, with packed refs and a commit-graph, as
# `git gc` leaves a served repository), bench.conf, and two candidate tag
# objects the benchmarks push: refs/bench/typical (the tip of main, a few
# hundred files since the last print tag, approved by every reviewer) and
# refs/bench/first (a commit before the first print tag: the whole tree in
# scope, approved too).
set -eu

BUILD=$1
SIZE=$2
cd "$(dirname "$0")/.."
case $SIZE in
full)	set -- 100000 50 1000 10000 ;;
quick)	set -- 10000 5 100 1000 ;;
*)	echo "repo.sh: SIZE is full or quick, not '$SIZE'" >&2; exit 2 ;;
esac
key=$(cat bench/tools/gen.c bench/repo.sh bench/bench.conf.in |
    git hash-object --stdin | cut -c1-12)
dir=$PWD/bench/cache/$SIZE-$key
if [ -f "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
git="git --git-dir=$dir/repo.git"
git -c init.defaultBranch=main init -q --bare "$dir/repo.git"
echo "repo.sh: generating $1 commits, $(($2 * 400)) files, $3 print tags," \
    "$4 notes in $dir" >&2
"$BUILD/bench/gen" history "$1" "$2" "$3" "$dir/plan" |
    $git fast-import --quiet --export-marks="$dir/marks"
$git for-each-ref --format='%(refname:short) %(objectname)' \
    refs/tags/print >"$dir/tagids"
"$BUILD/bench/gen" notes "$4" "$dir/plan" "$dir/marks" "$dir/tagids" |
    $git fast-import --quiet --import-marks="$dir/marks"

# the candidates: annotated tags as a release manager would make them
for which in typical first; do
	mark=$(awk -v w="$which" '$1 == w { print $2 }' "$dir/plan")
	commit=$(awk -v m=":$mark" '$1 == m { print $2 }' "$dir/marks")
	tag=$(printf 'object %s\ntype commit\ntag print/bench-%s\ntagger Rita Ruiz <rita@example.com> 1735689600 +0000\n\nBenchmark candidate\n\nPrint-By: 2027-01-10\n' \
	    "$commit" "$which" | $git mktag)
	$git update-ref "refs/bench/$which" "$tag"
done
$git branch -D side >/dev/null
$git gc --quiet
sed -e "s|@REPO@|$dir/repo.git|" -e "s|@STATE@|$dir/state|" \
    bench/bench.conf.in >"$dir/bench.conf"
touch "$dir/ready"
echo "$dir"
