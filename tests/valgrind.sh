#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# valgrind.sh BUILD - runs every cmocka unit test under valgrind memcheck;
# an invalid access, a use of uninitialised memory or a definite leak
# fails it.  Ends with the same "N passed, N failed" line as run.sh.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export PRINTGATE_FIXTURES="$top/tests/unit/fixtures"
passed=0
failed=0
n=0
for t in "$top/$build"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue ;; esac
	n=$((n + 1))
	log=$(mktemp)
	if valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    "$t" >"$log" 2>&1; then
		echo "ok $n - valgrind $(basename "$t")"
		passed=$((passed + 1))
	else
		echo "not ok $n - valgrind $(basename "$t")"
		grep -E '^==[0-9]+==' "$log" | head -40 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
	rm -f "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
