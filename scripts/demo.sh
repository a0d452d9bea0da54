#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# demo.sh BUILD - walks through printgate's whole workflow on a demo
# collateral repository, with the real daemon and a local stand-in for
# Slack that prints every message it gets: a print tag refused with its
# message, the review request as the salespeople see it, two approvals
# signed and sent the way Slack sends them, the tag released by printgated,
# and the audit trail.  Non-interactive.  It starts over on every run and
# cleans up after itself (KEEP=1 keeps the demo's files in BUILD/demo).
set -eu
build=$(cd "${1:-build}" && pwd)
demo="$build/demo"
ctl="$build/printgatectl"
conf="$demo/printgate.conf"
daemon_pid=""
receiver_pid=""

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$@"; }
show() { printf '$ %s\n' "$*"; "$@" 2>&1 | sed 's/^/  /' || true; }
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
	[ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	if [ -z "${KEEP:-}" ]; then
		rm -rf "$demo"
	fi
}
trap cleanup EXIT INT TERM
# wait_for SECONDS CMD...: polls until CMD succeeds, at most SECONDS.
wait_for() {
	n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

rm -rf "$demo"
mkdir -p "$demo/home" "$demo/slack"
export HOME="$demo/home" GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR REMOTE_USER GL_USERNAME || true

say "A stand-in for Slack on 127.0.0.1: it prints every message it gets"
"$build/tests/receiver" -s -d "$demo/slack" &
receiver_pid=$!
wait_for 10 test -s "$demo/slack/port"
slack_port=$(cat "$demo/slack/port")
note "listening on port $slack_port; its messages appear below, framed"

say "A collateral repository on the git server, with printgate's config"
git -c init.defaultBranch=main init -q --bare "$demo/collateral.git"
printf 'http://127.0.0.1:%s/services/T0DEMO/B0DEMO/demo\n' "$slack_port" \
    >"$demo/slack-sales.url"
printf 'demo-signing-secret-0123456789abcdef\n' >"$demo/slack.secret"
chmod 600 "$demo/slack-sales.url" "$demo/slack.secret"
cat >"$conf" <<CONF
# The demo's configuration: conf/printgate.conf documents every setting.
repository = "$demo/collateral.git";
state_dir  = "$demo/state";
pusher_env = [ "REMOTE_USER" ];
people = (
  { id = "alice"; name = "Alice Ng";    email = "alice@example.com"; slack = "U04ALICE"; },
  { id = "bob";   name = "Bob Brandt";  email = "bob@example.com";   slack = "U04BOB"; },
  { id = "carol"; name = "Carol Diaz";  email = "carol@example.com"; slack = "U04CAROL"; },
  { id = "erin";  name = "Erin Tan";    email = "erin@example.com";  slack = "U04ERIN"; },
  { id = "rita";  name = "Rita Ruiz";   email = "rita@example.com"; },
  { id = "mark";  name = "Mark Meyer";  email = "mark@example.com"; }
);
groups = {
  sales-emea = [ "alice", "bob", "carol" ];
  sales-apac = [ "erin" ];
  release    = [ "rita" ];
};
release_managers = "release";
rules = (
  { name = "emea"; paths = [ "brochures/emea/**", "datasheets/**", "price-sheets/**" ];
    group = "sales-emea"; required = 2; },
  { name = "apac"; paths = [ "brochures/apac/**" ]; group = "sales-apac"; required = 1; }
);
review = { auto_release = true; remind_after = "24h"; escalate_after = "72h"; };
notify = ( { name = "sales"; type = "slack"; url_file = "slack-sales.url"; } );
http = { listen = "127.0.0.1:0"; slack_signing_secret_file = "slack.secret"; };
CONF
show "$ctl" -c "$conf" check
show "$ctl" -c "$conf" install-hook

say "printgated starts: it watches the repository and listens for Slack"
"$build/printgated" -c "$conf" >"$demo/printgated.log" 2>&1 &
daemon_pid=$!
wait_for 20 test -s "$demo/state/http-port"
http_port=$(cat "$demo/state/http-port")
note "its log: $demo/printgated.log; Slack's buttons post to port $http_port"

say "Mark, a marketer, commits the Q1 collateral"
git -c init.defaultBranch=main init -q "$demo/work"
cd "$demo/work"
git remote add origin "$demo/collateral.git"
git config user.name "Mark Meyer"
git config user.email mark@example.com
mkdir -p brochures/emea brochures/apac datasheets price-sheets
printf 'Widget Pro: built for EMEA field teams.\n' >brochures/emea/widget-pro.md
printf 'Widget Pro: now in APAC.\n' >brochures/apac/widget-pro.md
printf 'Widget Pro\nWeight: 1.2 kg\nWarranty: 3 years\n' >datasheets/widget-pro.txt
printf 'Widget Pro, list price: EUR 2,090\n' >price-sheets/2027-q1.txt
git add . && git commit -q -m "Q1 collateral: Widget Pro"
show git push -q origin main

say "Who reviews what? (the 'who to call' list)"
show "$ctl" -c "$conf" who price-sheets/2027-q1.txt brochures/apac/widget-pro.md

say "Rita, the release manager, tags it for print: refused, and told why"
git config user.name "Rita Ruiz"
git config user.email rita@example.com
git tag -a print/2027-q1-widget-pro -m "Q1 Widget Pro

Print-By: 2027-01-10"
printf '$ REMOTE_USER=rita git push origin print/2027-q1-widget-pro\n'
REMOTE_USER=rita git push origin print/2027-q1-widget-pro 2>&1 |
    sed 's/^/  /' || true

say "printgated asks for the review in Slack (as the salespeople see it)"
wait_for 15 grep -q " /services/" "$demo/slack/log"
sleep 0.5
commit=$(git rev-parse HEAD)

# approve USER: a click on Approve, signed the way Slack signs it.
approve() {
	payload='{"type":"block_actions","user":{"id":"'$1'"},"trigger_id":"demo-'$1'","actions":[{"type":"button","action_id":"approve","value":"print/2027-q1-widget-pro@'$commit'"}]}'
	body="payload=$(printf '%s' "$payload" | od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g')"
	ts=$(date +%s)
	sig=$(printf 'v0:%s:%s' "$ts" "$body" |
	    openssl dgst -sha256 -hmac "$(cat "$demo/slack.secret")" | sed 's/^.*= //')
	printf '$ curl -X POST http://127.0.0.1:%s/slack/actions  (%s clicks Approve; signed v0=%.12s...)\n' \
	    "$http_port" "$1" "$sig"
	code=$(curl -s -o "$demo/answer" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: v0=$sig" \
	    --data-binary "$body" "http://127.0.0.1:$http_port/slack/actions")
	note "printgated answered HTTP $code, after writing the decision to the ledger"
}

say "Erin and Alice click Approve in Slack"
approve U04ERIN
approve U04ALICE
sleep 1
show "$ctl" -c "$conf" status print/2027-q1-widget-pro

say "Bob clicks Approve too: the EMEA rule has its two approvals"
approve U04BOB
wait_for 15 git --git-dir="$demo/collateral.git" rev-parse -q --verify \
    refs/tags/print/2027-q1-widget-pro
note "printgated released the tag from the very tag object Rita pushed:"
show git --git-dir="$demo/collateral.git" for-each-ref refs/tags
sleep 1

say "The audit trail lives in the repository"
show "$ctl" -c "$conf" log
show git --git-dir="$demo/collateral.git" log --format='%h %s' refs/notes/printgate
show "$ctl" -c "$conf" verify
note "each decision: git --git-dir=$demo/collateral.git notes --ref=printgate show $commit"

say "What printgated logged"
sed 's/^/  /' "$demo/printgated.log"

say "Point printgate at a real repository"
cat <<TXT
  1. make && sudo make install
  2. Write /etc/printgate/printgate.conf (start from the installed example,
     /usr/local/share/doc/printgate/printgate.conf.example): the
     repository, people, groups, release_managers, rules, the Slack,
     Mattermost or Teams webhooks, and the http section.
  3. printgatectl check; then printgatectl install-hook.
  4. Make sure the git server passes the pusher's name (GL_USERNAME,
     REMOTE_USER or USER) to hooks.
  5. systemctl enable --now printgated (see man printgated).
  This demo cleans up after itself; KEEP=1 make demo keeps its files.
TXT
