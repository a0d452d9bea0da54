#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh BUILD - the browser tests: starts BUILD/tests/pageserve on
# 127.0.0.1 with the page fixtures, runs tests/browser/*.test.mjs with
# node's test runner (TAP, one "ok" line a test) in Debian's chromium
# through playwright-core, and stops the server.  Screenshots go to
# build/artifacts/.  Nothing is downloaded: chromium is Debian's
# (/usr/bin/chromium) and playwright-core was installed by
# scripts/deps.sh (npm ci in tests/browser).
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
here=$top/tests/browser

missing=""
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing chromium"
[ -f "$here/node_modules/playwright-core/package.json" ] ||
	missing="$missing playwright-core"
[ -x "$build/tests/pageserve" ] || missing="$missing $build/tests/pageserve"
if [ -n "$missing" ]; then
	echo "not ok - browser tests: missing$missing (run scripts/deps.sh" \
	    "and make)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
"$build/tests/pageserve" -f "$top/tests/unit/fixtures/page" \
    -w "$tmp/port" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -s "$tmp/port" ]; then
	echo "not ok - browser tests: pageserve did not start"
	exit 1
fi
PAGE_URL="http://127.0.0.1:$(cat "$tmp/port")" \
ARTIFACTS="$top/build/artifacts" \
HOME="$tmp" \
    node --test --test-reporter=tap "$here"/review.test.mjs
rc=$?
# the same pages served by the real printgated
sh "$here/daemon.sh" "$build" || rc=1
exit $rc
