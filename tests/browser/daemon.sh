#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# daemon.sh BUILD - the browser tests against the real printgated: a real
# bare repository with a released first print and a candidate that
# changes a price, the daemon on 127.0.0.1 with a public_url under a path
# (https://printgate.example.com/printgate, as behind a proxy that passes
# the path on), personal links from printgatectl link and the "Open
# review" links of the Slack, Mattermost and Teams messages it delivered
# to the receiver, then daemon.test.mjs in Debian's chromium (TAP).
# Run by run.sh after the fixture pages' tests.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
case $build in /*) ;; *) build=$top/$build ;; esac
export PRINTGATE_BUILD=$build
# lib.sh's harness: a repository, a config, the daemon, cleanup on exit
. "$top/tests/integration/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config | sed 's|public_url = "https://printgate.example.com";|public_url = "https://printgate.example.com/printgate";|')
setup
start_daemon
listener || { echo "not ok - browser (daemon): no listener"; exit 1; }

mkdir -p "$WORK/brochures/emea"
printf 'Plan,Price\nBasic,50\nPro,100\n' >"$WORK/brochures/emea/prices.csv"
git -C "$WORK" add brochures
git -C "$WORK" commit -q -m "first prices"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/p0
push_as rruiz print/p0
ctl decide print/p0 --as alice approve >/dev/null
ctl decide print/p0 --as bob approve >/dev/null
wait_for 15 remote_ref refs/tags/print/p0 ||
	{ echo "not ok - browser (daemon): the first print was not released"; exit 1; }
printf 'Plan,Price\nBasic,50\nPro,110\n' >"$WORK/brochures/emea/prices.csv"
printf 'New in spring\n' >"$WORK/brochures/emea/intro.txt"
git -C "$WORK" add brochures
git -C "$WORK" commit -q -m "Pro costs more"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/p1 "Print-By: 2099-01-15"
push_as rruiz print/p1

pub=https://printgate.example.com
link() { l=$(ctl link print/p1 ${1:+--for "$1"}) && printf '%s' "${l#"$pub"}"; }
# request PATH: the first body delivered to PATH about print/p1 (its
# review request: nothing else about it has happened yet)
request() {
	grep " $1 " "$RCV/log" | cut -d' ' -f1 | while read -r n; do
		f=$RCV/$(printf 'req-%06d.body' "$n")
		grep -q 'print/p1' "$f" && { printf '%s\n' "$f"; break; }
	done
}
has_request() { [ -n "$(request "$1")" ]; }
# delivered TYPE PATH: the "Open review" link of that message, where a
# person clicks it (tests/tools/review-link.py), less public_url
delivered() {
	l=$(/usr/bin/python3 "$top/tests/tools/review-link.py" "$1" \
	    "$(request "$2")") && printf '%s' "${l#"$pub"}"
}
for p in /slack /mm /teams; do
	wait_for 15 has_request "$p" ||
		{ echo "not ok - browser (daemon): no request of print/p1 to $p"; exit 1; }
done
PAGE_URL="http://127.0.0.1:$HPORT" \
LINK_CHANNEL=$(link) LINK_CAROL=$(link carol) LINK_BOB=$(link bob) \
LINK_SLACK=$(delivered slack /slack) LINK_MATTERMOST=$(delivered mattermost /mm) \
LINK_TEAMS=$(delivered teams /teams) \
REPO="$REPO" COMMIT=$(rev HEAD) \
ARTIFACTS="$top/build/artifacts" \
    node --test --test-reporter=tap "$top/tests/browser/daemon.test.mjs"
