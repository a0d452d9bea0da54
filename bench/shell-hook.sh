#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# shell-hook.sh - the update hook an administrator would write instead of
# printgate, for bench/gate.sh to measure against: the same rules as
# bench.conf.in, with git commands and grep.  It takes the same decision as
# printgate-update on the benchmark's candidates, and no more: no ledger
# write, no pending copy of a refused tag, no carry-over of approvals, no
# check that the previous print passed the gate.
#
#   update REFNAME OLDREV NEWREV, with GIT_DIR and REMOTE_USER set
refname=$1 old=$2 new=$3
zero=0000000000000000000000000000000000000000

case $refname in
refs/tags/print/*) ;;
*) exit 0 ;;
esac
if [ "$old" != "$zero" ]; then
	echo "print tags are immutable" >&2
	exit 1
fi
case $REMOTE_USER in
rita) ;;
*) echo "only release managers may push print tags" >&2; exit 1 ;;
esac

commit=$(git rev-parse --verify -q "$new^{commit}") || {
	echo "$refname: not a tag of a commit" >&2
	exit 1
}
# the files since the previous print, or all of them on the first print
if base=$(git describe --tags --abbrev=0 --match 'print/*' "$commit" \
    2>/dev/null); then
	files=$(git diff --name-only "$base" "$commit")
else
	files=$(git ls-tree -r --name-only "$commit")
fi
approvers=$(git notes --ref=printgate show "$commit" 2>/dev/null |
    grep -E '"type":"approve(-with-changes)?"' |
    sed -n 's/.*"by":"\([^"]*\)".*/\1/p' | sort -u)
opportunity=$(git cat-file tag "$new" | sed -n 's/^Opportunity: *//p')

ok=true
# rule NAME REGEX REQUIRED MEMBER...: needs REQUIRED approvals from MEMBERs
# when a changed file matches REGEX
rule() {
	name=$1 regex=$2 required=$3
	shift 3
	printf '%s\n' "$files" | grep -Eq "$regex" || return 0
	have=0
	for m in "$@"; do
		printf '%s\n' "$approvers" | grep -qxF "$m" && have=$((have + 1))
	done
	if [ "$have" -lt "$required" ]; then
		echo "$name: $have of $required ($*)" >&2
		ok=false
	fi
}
rule emea '^[^/]*/emea/' 2 anna ben chloe dario
rule amer '^[^/]*/amer/' 2 amy bill cora drew
rule apac '^[^/]*/apac/' 2 aiko bao chen dev
rule latam '^[^/]*/latam/' 2 ana bruno carla diego
rule pricing '^price-sheets/|-pricing\.' 1 pia paul
if [ "${opportunity:-0}" -ge 2000000 ] 2>/dev/null; then
	rule big-deal '.' 1 dana
fi
if ! $ok; then
	echo "$refname waits for approval" >&2
	exit 1
fi
echo "$refname is approved" >&2
