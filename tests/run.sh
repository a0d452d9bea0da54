#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh BUILD - runs every test: the cmocka unit tests in BUILD/tests and
# the integration tests in tests/integration/t-*.sh (the gate's twice,
# once each way), the browser tests (tests/browser/run.sh), all speaking
# TAP, and ends with one line over all of them: "N passed, N failed".
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export PRINTGATE_BUILD="$top/$build"
export PRINTGATE_FIXTURES="$top/tests/unit/fixtures"
export CMOCKA_MESSAGE_OUTPUT=TAP
out=$(mktemp)
passed=0
failed=0

# run NAME CMD...: runs one suite, shows its output, counts its TAP lines.
run() {
	name=$1
	shift
	printf '# %s\n' "$name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name ran no test"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

for t in "$PRINTGATE_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue ;; esac
	run "unit: $(basename "$t")" "$t"
done
# A gate test ("# gate: both ways" in it) runs twice: the hook deciding
# itself (the fallback), then printgated deciding on the warm path.
for t in "$top"/tests/integration/t-*.sh; do
	[ -f "$t" ] || continue
	run "integration: $(basename "$t" .sh)" sh "$t"
	if grep -q '^# gate: both ways' "$t"; then
		run "integration: $(basename "$t" .sh) (warm path)" \
		    env PRINTGATE_GATE=warm sh "$t"
	fi
done
run "browser: review pages" sh "$top/tests/browser/run.sh" "$build"
rm -f "$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
