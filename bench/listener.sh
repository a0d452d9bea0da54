#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# listener.sh - printgated's HTTP listener under load, against the Slack
# Bolt for JS app a team would write instead (bench/peers/bolt), on the
# requests Slack sends to POST /slack/actions:
#
#   a. forged requests (a bad signature, a current timestamp) refused;
#   b. a repeated click on a decision already recorded, acknowledged;
#   c. new decisions, each written to the ledger before the answer: the
#      latency at 50 per second, and the highest sustained rate;
#   d. (c)'s latency at 50 per second and sustained rate on one review
#      again while 500 slow connections are open;
#
# and printgated's RssAnon at the end of that load.  Every answer's status
# is counted and checked, and the ledger is counted before and after each
# run: a new decision answered 200 must be one new ledger line, a repeat
# or a refusal none.
#
#   sh bench/listener.sh BUILD REPO WORKDIR full|quick
#
# BUILD has the programs (make bench-tools).  REPO is a bare repository;
# it is only read: the benchmark works on a shared mirror of it in
# WORKDIR, scratch space this script owns.  It makes commits of its own
# on top of HEAD (one file in each region's folder and a price sheet, so
# that every region group of bench/bench.conf.in reviews them) and pushes
# each as a print tag, through the hook, so that each is an open review:
# print/bench-listener for (a) to (c)(i), bench-listener-max for (c)(ii)
# and bench-listener-slow for (d), each starting with an empty ledger
# note (the cost of a decision grows with the lines of its commit's
# note), so that (c)(ii) and (d) compare.  quick runs everything shorter.
#
# Results go to stdout as lines of 8 tab-separated fields:
#   ROW  SECTION  WHAT  PRINTGATE  BASELINE|-  RATIO|-  TARGET  met|missed|-
# progress and diagnostics to stderr, the programs' logs and wrk's full
# output to WORKDIR/log.  Exits non-zero when anything is wrong: a program
# that does not start or dies, an answer with an unexpected status, a
# ledger line lost or written by a repeat.  A missed target is a result,
# not an error.
set -eu

usage() {
	echo "usage: sh bench/listener.sh BUILD REPO WORKDIR full|quick" >&2
	exit 2
}
[ $# -eq 4 ] || usage
case $4 in full | quick) ;; *) usage ;; esac
BUILD=$(cd "$1" && pwd)
REPO=$(cd "$2" && pwd)
mkdir -p "$3"
W=$(cd "$3" && pwd)
MODE=$4
cd "$(dirname "$0")/.."

# Durations in seconds: each rate run, and the run at 50 per second
# (long enough for its p99 to rest on 1,000 answers in full).
if [ "$MODE" = full ]; then
	SECS=10
	SECS_P99=20
else
	SECS=3
	SECS_P99=4
fi
CONNS_FORGED=32		# wrk -c for (a) and (b), printgated and Bolt alike
CONNS_STORE=8		# wrk -c for (c)(ii) and (d)
SPREAD=100		# reviews the decisions of (c)(iii) are spread over
SLOW=500		# slow connections for (d)
RATE_CAP=2000		# decisions per second the request files allow for
ZERO=0000000000000000000000000000000000000000

say() { echo "listener: $*" >&2; }
die() {
	echo "listener: error: $*" >&2
	exit 1
}

# --- processes: every one started is stopped on the way out

pids=""
started() { pids="$pids $1"; }
forget() { pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' '); }
stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget "$1"
}
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	pids=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# alive PID NAME LOG: dies, showing the end of LOG, if PID has exited.
alive() {
	kill -0 "$1" 2>/dev/null && return 0
	tail -n 20 "$3" >&2 || true
	die "$2 is not running any more (log above: $3)"
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s; fails after SECONDS.
wait_for() {
	wf_limit=$(($1 * 10))
	shift
	wf_n=0
	while ! "$@" >/dev/null 2>&1; do
		wf_n=$((wf_n + 1))
		[ $wf_n -ge $wf_limit ] && return 1
		sleep 0.1
	done
	return 0
}

# --- what is needed

for p in printgated printgate-update tests/receiver bench/slowconn; do
	[ -x "$BUILD/$p" ] || die "no $BUILD/$p: run make bench-tools"
done
for c in git wrk openssl curl od awk; do
	command -v "$c" >/dev/null 2>&1 || die "$c is missing (make bench installs it)"
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	say "installing nodejs and npm for the Bolt app"
	sh scripts/deps.sh nodejs npm >&2
fi
if [ ! -d bench/peers/bolt/node_modules/@slack/bolt ]; then
	say "installing the Bolt app's packages (npm)"
	if [ -f bench/peers/bolt/package-lock.json ]; then
		(cd bench/peers/bolt && npm ci --no-audit --no-fund) >&2
	else
		(cd bench/peers/bolt && npm install --no-audit --no-fund) >&2
	fi
fi

# --- the scratch space: only what this script makes is removed

rm -rf "${W:?}/repo.git" "${W:?}/etc" "${W:?}/state" "${W:?}/rcv" "${W:?}/req" \
    "${W:?}/log" "${W:?}/reviews" "${W:?}/index"
mkdir -p "$W/etc" "$W/rcv" "$W/req" "$W/log"
CONF=$W/etc/printgate.conf
LOG=$W/log
REQ=$W/req
export GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE REMOTE_USER GL_USERNAME

# A mirror shares REPO's objects and copies all its refs, the ledger's
# notes and pending reviews too; what the benchmark writes stays in it.
say "mirroring $REPO"
git clone -q --mirror --shared "$REPO" "$W/repo.git"
G="git --git-dir=$W/repo.git"

# --- the config: bench.conf.in, a Slack channel to the local receiver,
# and the listener on a free port

"$BUILD/tests/receiver" -d "$W/rcv" 2>>"$LOG/receiver.log" &
rcv_pid=$!
started $rcv_pid
wait_for 10 test -s "$W/rcv/port" || die "the receiver did not start"
RPORT=$(cat "$W/rcv/port")

sed -e "s|@REPO@|$W/repo.git|" -e "s|@STATE@|$W/state|" bench/bench.conf.in >"$CONF"
(
	umask 077
	printf 'http://127.0.0.1:%s/slack\n' "$RPORT" >"$W/etc/slack.url"
	od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$W/etc/slack.secret"
	echo >>"$W/etc/slack.secret"
)
SECRET=$(cat "$W/etc/slack.secret")
cat >>"$CONF" <<CONF
notify = (
  { name = "sales"; type = "slack"; url_file = "slack.url"; }
);
http = {
  listen = "127.0.0.1:0";
  public_url = "https://printgate.example.com";
  slack_signing_secret_file = "slack.secret";
};
CONF

# --- the reviews: commits on top of HEAD (or of the first branch, when
# HEAD names none), each pushed as a print tag

base=$($G rev-parse -q --verify 'HEAD^{commit}' ||
    $G for-each-ref --count=1 --format='%(objectname)' refs/heads/)
[ -n "$base" ] || die "$REPO has no branch to build on"
mkdir -p "$W/reviews"

# open_review NAME: a commit on top of base with one new file in each
# region's folder and in the price sheets, by an author who is nobody's
# reviewer, pushed by the release manager as print/NAME the way git runs
# the hook: refused, a request event written, the tag kept as a pending
# review.  Notes it in $W/reviews/NAME as "TAG COMMIT".
open_review() {
	GIT_INDEX_FILE=$W/index $G read-tree "$base"
	for path in brochures/emea brochures/amer brochures/apac \
	    brochures/latam price-sheets; do
		blob=$(printf '%s %s\n' "$1" "$path" | $G hash-object -w --stdin)
		GIT_INDEX_FILE=$W/index $G update-index --add \
		    --cacheinfo "100644,$blob,$path/$1.txt"
	done
	tree=$(GIT_INDEX_FILE=$W/index $G write-tree)
	rm -f "$W/index"
	commit=$(GIT_AUTHOR_NAME="Bench Marketer" GIT_AUTHOR_EMAIL=bench@example.com \
	    GIT_COMMITTER_NAME="Bench Marketer" GIT_COMMITTER_EMAIL=bench@example.com \
	    $G commit-tree -p "$base" -m "$1: collateral to review" "$tree")
	tagobj=$(printf 'object %s\ntype commit\ntag print/%s\ntagger Rita Ruiz <rita@example.com> %s +0000\n\nprint/%s\n' \
	    "$commit" "$1" "$(date +%s)" "$1" | $G mktag)
	if GIT_DIR=$W/repo.git REMOTE_USER=rita "$BUILD/printgate-update" -c "$CONF" \
	    "refs/tags/print/$1" "$ZERO" "$tagobj" >"$LOG/hook-$1.log" 2>&1; then
		cat "$LOG/hook-$1.log" >&2
		die "the hook let print/$1 through: no rule applies to the commit"
	fi
	pending=$($G rev-parse -q --verify "refs/printgate/pending/$1") ||
		{ cat "$LOG/hook-$1.log" >&2; die "the hook kept no pending review for print/$1"; }
	[ "$pending" = "$tagobj" ] || die "the pending review is not the pushed print/$1"
	echo "print/$1 $commit" >"$W/reviews/$1"
}
for name in bench-listener bench-listener-max bench-listener-slow; do
	open_review $name
done
say "3 reviews open (print/bench-listener...) on commits over $(echo "$base" | cut -c1-12)"
# and SPREAD more, for decisions spread over many reviews (c)(iii)
i=0
while [ $i -lt "$SPREAD" ]; do
	open_review "$(printf 'bench-spread-%03d' $i)"
	i=$((i + 1))
done
say "$SPREAD reviews open (print/bench-spread-NNN)"

# ledger_lines: the ledger lines of the commit under review, from git.
ledger_lines() { $G notes --ref=printgate show "$COMMIT" 2>/dev/null | wc -l; }

"$BUILD/printgated" -c "$CONF" >>"$LOG/printgated.log" 2>&1 &
pg_pid=$!
started $pg_pid
wait_for 30 grep -q "ready: watching" "$LOG/printgated.log" ||
	{ tail -n 20 "$LOG/printgated.log" >&2; die "printgated did not start"; }
wait_for 10 test -s "$W/state/http-port" || die "printgated has no listener"
PG_URL=http://127.0.0.1:$(cat "$W/state/http-port")

BOLT_PORT=0 SLACK_SIGNING_SECRET=$SECRET node bench/peers/bolt/app.js \
    >"$LOG/bolt.out" 2>"$LOG/bolt.log" &
bolt_pid=$!
started $bolt_pid
wait_for 30 grep -q "^listening " "$LOG/bolt.out" ||
	{ cat "$LOG/bolt.log" >&2; die "the Bolt app did not start"; }
BOLT_URL=http://127.0.0.1:$(awk '/^listening /{ print $2 }' "$LOG/bolt.out")
say "printgated at $PG_URL (pid $pg_pid), Bolt at $BOLT_URL (pid $bolt_pid)"

# --- requests, signed as Slack signs them

# urlencode TEXT: every byte as %XX (valid form encoding).
urlencode() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'; }

# sign CLICKS OUT [KEY]: a request file (see bench/lua/slack.lua) from
# CLICKS, lines "USER DECISION TRIGGER [REVIEW]": every request
# timestamped now and signed with KEY (default the signing secret), by one
# openssl run over one file per request.  The body is the button click
# CLICK, or the template TMPL when it is set (a slash command's: command).
sign() {
	ts=$(date +%s)
	rm -rf "$REQ/sign"
	mkdir "$REQ/sign"
	awk -v dir="$REQ/sign" -v ts="$ts" -v tmpl="${TMPL:-payload=$CLICK}" '{
		b = tmpl
		gsub(/%40%55%40/, $1, b)
		gsub(/%40%44%40/, $2, b)
		gsub(/%40%54%40/, $3, b)
		if (NF >= 4)
			gsub(/%40%52%40/, $4, b)
		f = sprintf("%s/%08d", dir, NR)
		printf "v0:%s:%s", ts, b > f
		close(f)
		print b
	}' "$1" >"$REQ/bodies"
	(cd "$REQ/sign" && printf '%s\n' ./* | xargs openssl dgst -sha256 -hmac "${3:-$SECRET}" -r) |
	    awk -v ts="$ts" 'NR == FNR { sig[FNR] = $1; next }
		{ print ts, "v0=" sig[FNR], $0 }' - "$REQ/bodies" >"$2"
	rm -rf "$REQ/sign" "$REQ/bodies"
	[ "$(wc -l <"$2")" -eq "$(wc -l <"$1")" ] || die "signing $1 failed"
}

# post URL TIMESTAMP SIGNATURE BODY [PATH]: one request of a request
# file, with curl, to PATH (default /slack/actions); prints the status.
post() {
	printf '%s' "$4" >"$REQ/body"
	curl -s -m 20 -o /dev/null -w '%{http_code}' -X POST \
	    -H "Content-Type: application/x-www-form-urlencoded" \
	    -H "X-Slack-Request-Timestamp: $2" -H "X-Slack-Signature: $3" \
	    --data-binary "@$REQ/body" "$1${5:-/slack/actions}"
}

# command CLICKS OUT: sign's request file of slash commands, one a line
# of CLICKS ("USER DECISION TRIGGER REVIEW"): "/printgate DECISION TAG
# why", REVIEW the tag.  A "Request changes" button records nothing (it
# asks for a comment, which a click cannot carry): what must change is
# said with the command.
command() {
	TMPL="command=$(urlencode /printgate)&user_id=$(urlencode @U@)&user_name=bench&trigger_id=$(urlencode @T@)&response_url=$(urlencode "http://127.0.0.1:$RPORT/slack-response")&text=$(urlencode "@D@ @R@ the bench keeps this review open")" \
	    sign "$1" "$2"
}

# --- wrk runs and their results

# result FILE KEY: the value of "result KEY VALUE" in a wrk output.
result() { awk -v k="$2" '$1 == "result" && $2 == k { print $3 }' "$1"; }

# statuses FILE: "CODE:N ..." of the answers in a wrk output.
statuses() {
	awk '$1 == "result" && $2 == "status" { printf "%s%s:%s", s, $3, $4; s = " " }' "$1"
}

# only_status FILE CODE NAME: dies unless every answer of the run had CODE,
# with no socket errors or timeouts.
only_status() {
	n=$(result "$1" requests)
	got=$(awk -v c="$2" '$1 == "result" && $2 == "status" && $3 == c { print $4 }' "$1")
	[ "${n:-0}" -gt 0 ] || die "$3: no answers at all (see $1)"
	[ "${got:-0}" -eq "$n" ] ||
		die "$3: $n answers, ${got:-0} of them $2 (statuses $(statuses "$1"); see $1)"
	[ "$(result "$1" errors)" -eq 0 ] ||
		die "$3: $(result "$1" errors) socket errors or timeouts (see $1)"
}

# repeat NAME URL FILE SECONDS: wrk sending FILE's requests over and over.
# (wrk runs in the background, here and in walk, so that a signal to this
# script ends the run at once.)
repeat() {
	wrk -t1 -c"$CONNS_FORGED" -d"$4s" --timeout 10s -s bench/lua/repeat.lua \
	    "$2" -- "$3" >"$LOG/$1.wrk" 2>&1 &
	wrk_pid=$!
	started $wrk_pid
	wait $wrk_pid || { cat "$LOG/$1.wrk" >&2; die "wrk failed ($1)"; }
	forget $wrk_pid
}

# walk NAME FILE SECONDS CONNS INTERVAL_MS: wrk sending each request of
# FILE once, in order, to printgated, for SECONDS; it ends when the last
# answer is in (wrk is then told to stop with SIGINT).
walk() {
	rm -f "$LOG/$1.done"
	wrk -t1 -c"$4" -d"$(($3 + 60))s" --timeout 10s -s bench/lua/walk.lua \
	    "$PG_URL" -- "$2" "$3" "$5" "$LOG/$1.done" >"$LOG/$1.wrk" 2>&1 &
	wrk_pid=$!
	started $wrk_pid
	while kill -0 $wrk_pid 2>/dev/null && [ ! -e "$LOG/$1.done" ]; do
		alive $pg_pid printgated "$LOG/printgated.log"
		sleep 0.1
	done
	kill -INT $wrk_pid 2>/dev/null || true
	wait $wrk_pid || { cat "$LOG/$1.wrk" >&2; die "wrk failed ($1)"; }
	forget $wrk_pid
	grep -q '^result ' "$LOG/$1.wrk" || { cat "$LOG/$1.wrk" >&2; die "wrk gave no results ($1)"; }
}

# outbox_depth: deliveries printgated has queued, from /metrics.
outbox_depth() {
	curl -s -m 5 "$PG_URL/metrics" | awk '$1 == "printgate_outbox_depth" { print $2 }'
}
outbox_empty() { [ "$(outbox_depth)" = 0 ]; }

# settle: waits until printgated has delivered what it queued (updates of
# the Slack message, decision messages), so that one run's deliveries do
# not load the next run, printgated's or Bolt's.
settle() {
	t0=$(date +%s)
	wait_for 600 outbox_empty || die "printgated's outbox did not drain in 600 s"
	t=$(($(date +%s) - t0))
	[ $t -lt 2 ] || say "  (printgated took $t s to deliver what the run queued)"
}

# cpu_ms: printgated's user and system time so far, in ms; per_decision
# CPU_BEFORE N: the ms of it each of N decisions took since CPU_BEFORE,
# their deliveries included (read once the outbox has settled).  A rate
# on a machine others load moves with them; this moves much less.
HZ=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$HZ" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$pg_pid/stat"; }
per_decision() {
	awk -v a="$1" -v b="$(cpu_ms)" -v n="$2" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) / n : 0) }'
}

# commas NUMBER: rounded, with thousands separators.
commas() {
	awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""
		while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print s o }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
verdict() { if at_least "$1" "$2"; then echo met; else echo missed; fi; }
below() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; then echo met; else echo missed; fi; }
row() { printf 'ROW\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }

# --- the review a run is about, and who may decide on it

# use_review NAME: makes print/NAME the review of the next runs: TAG,
# COMMIT, REVIEW and CLICK, a button click on it as a form body with @U@
# (the Slack user), @D@ (the decision) and @T@ (the trigger id) to fill
# in; its response_url points at the receiver, so no update leaves the
# machine.  Then finds who may decide: every person with a Slack id
# requests changes once, with the slash command (a button's "Request
# changes" asks for a comment and records nothing); 200 (and one ledger
# line) means a reviewer, 403 means not.  The first reviewer's "changes
# required" keeps the review open; the second is REPEATER; the others but
# the first are the walkers, who take turns in (c) and (d).
use_review() {
	read -r TAG COMMIT <"$W/reviews/$1"
	REVIEW=$TAG@$COMMIT
	CLICK=$(urlencode '{"type":"block_actions","user":{"id":"@U@","username":"bench"},"trigger_id":"@T@","response_url":"http://127.0.0.1:'"$RPORT"'/slack-response","actions":[{"type":"button","action_id":"@D@","block_id":"printgate","value":"'"$REVIEW"'","action_ts":"1"}]}')
	sed -n 's/.*id = "\([^"]*\)".*slack = "\([^"]*\)".*/\2/p' "$CONF" |
	    awk -v r="$1" -v t="$(urlencode "$TAG")" \
		'{ print $1, "changes-required", "probe." r "." $1, t }' \
	    >"$REQ/probe.clicks"
	command "$REQ/probe.clicks" "$REQ/probe.req"
	: >"$REQ/eligible"
	paste -d' ' "$REQ/probe.clicks" "$REQ/probe.req" >"$REQ/probe"
	while read -r user _ _ _ ts sig body; do
		before=$(ledger_lines)
		code=$(post "$PG_URL" "$ts" "$sig" "$body" /slack/commands)
		case $code in
		200)
			[ "$(ledger_lines)" -eq $((before + 1)) ] ||
				die "a first decision answered 200 is not one new ledger line"
			echo "$user" >>"$REQ/eligible" ;;
		403) ;;
		*) die "a command to find the reviewers of $TAG was answered $code" ;;
		esac
	done <"$REQ/probe"
	n_eligible=$(wc -l <"$REQ/eligible")
	[ "$n_eligible" -ge 3 ] || die "only $n_eligible people may decide on $REVIEW; 3 are needed"
	BLOCKER=$(sed -n 1p "$REQ/eligible")
	REPEATER=$(sed -n 2p "$REQ/eligible")
	sed 1d "$REQ/eligible" | awk '{ print $1, "changes-required" }' >"$REQ/walkers"
	# never two clicks of one person in flight at once (see decisions)
	[ "$CONNS_STORE" -lt "$n_eligible" ] || CONNS_STORE=$((n_eligible - 2))
	say "$TAG: $n_eligible reviewers; $BLOCKER's \"changes required\" keeps it open"
}

# decisions NAME N: N clicks of the walkers, in turn, from their latest
# decisions on (walkers: "USER LATEST"): NAME.clicks, signed as NAME.req.
# A person's decision is written only when it differs from their latest
# (decide.c), so each one alternates between approve and
# approve-with-changes (buttons that record: a "Request changes" click
# asks for a comment); with more walkers than connections, no two clicks of
# one person are in flight at once, so they are handled in file order.
decisions() {
	awk -v n="$2" -v run="$1" '{ user[NR - 1] = $1; last[NR - 1] = $2 }
	END {
		for (k = 0; k < n; k++) {
			p = k % NR
			last[p] = last[p] == "approve" ? "approve-with-changes" : "approve"
			printf "%s %s %s.%06d\n", user[p], last[p], run, k
		}
	}' "$REQ/walkers" >"$REQ/$1.clicks"
	sign "$REQ/$1.clicks" "$REQ/$1.req"
}

# advance NAME SENT: the walkers' latest decisions after the first SENT
# clicks of NAME.
advance() {
	head -n "$2" "$REQ/$1.clicks" |
	    awk 'NR == FNR { last[$1] = $2; order[++n] = $1; next } { last[$1] = $2 }
		END { for (i = 1; i <= n; i++) print order[i], last[order[i]] }' \
	    "$REQ/walkers" - >"$REQ/walkers.new"
	mv "$REQ/walkers.new" "$REQ/walkers"
}

# stored NAME LINES_BEFORE: checks a walk run: every answer 200, every
# request answered, and exactly one new ledger line per answer.
stored() {
	out=$LOG/$1.wrk
	only_status "$out" 200 "$1"
	[ "$(result "$out" unanswered)" -eq 0 ] ||
		die "$1: $(result "$out" unanswered) requests unanswered when wrk stopped"
	n=$(result "$out" requests)
	lines=$(($(ledger_lines) - $2))
	[ "$lines" -eq "$n" ] ||
		die "$1: $n decisions answered 200 but $lines new ledger lines"
	[ "$(result "$out" exhausted)" -eq 0 ] ||
		say "  ($1 used up its $(wc -l <"$REQ/$1.req") requests in $(result "$out" seconds) s)"
	advance "$1" "$(result "$out" sent)"
	say "  $1: $n decisions answered 200 and stored, $(result "$out" rate)/s, p50 $(result "$out" p50_ms) ms, p99 $(result "$out" p99_ms) ms; the commit's ledger note grew from $2 to $(($2 + lines)) lines"
}

# --- a. forged requests

settle	# what printgated queued at start (reminders of older reviews...)
use_review bench-listener
say "warming up (1 s of forged requests each)"
echo "$BLOCKER approve forged.1" >"$REQ/forged.clicks"
sign "$REQ/forged.clicks" "$REQ/forged.req" "not-the-signing-secret"
repeat warmup-pg "$PG_URL" "$REQ/forged.req" 1
repeat warmup-bolt "$BOLT_URL" "$REQ/forged.req" 1

say "a. forged requests refused, ${SECS} s each, $CONNS_FORGED connections"
before=$(ledger_lines)
sign "$REQ/forged.clicks" "$REQ/forged.req" "not-the-signing-secret"
repeat forged-pg "$PG_URL" "$REQ/forged.req" "$SECS"
only_status "$LOG/forged-pg.wrk" 401 "forged requests to printgated"
[ "$(ledger_lines)" -eq "$before" ] || die "forged requests changed the ledger"
repeat forged-bolt "$BOLT_URL" "$REQ/forged.req" "$SECS"
only_status "$LOG/forged-bolt.wrk" 401 "forged requests to Bolt"
alive $pg_pid printgated "$LOG/printgated.log"
alive $bolt_pid "the Bolt app" "$LOG/bolt.log"
pg=$(result "$LOG/forged-pg.wrk" rate)
bolt=$(result "$LOG/forged-bolt.wrk" rate)
say "  printgated $(commas "$pg")/s, Bolt $(commas "$bolt")/s"
row listener "forged requests refused" "$(commas "$pg")/s" "Bolt $(commas "$bolt")/s" \
    "$(ratio "$pg" "$bolt")x" "≥1.5x Bolt" "$(verdict "$(ratio "$pg" "$bolt")" 1.5)"

# --- b. a repeated click

say "b. a repeated click, ${SECS} s each, $CONNS_FORGED connections"
echo "$REPEATER approve repeat.1" >"$REQ/repeat.clicks"
sign "$REQ/repeat.clicks" "$REQ/repeat.req"
before=$(ledger_lines)
read -r ts sig body <"$REQ/repeat.req"
code=$(post "$PG_URL" "$ts" "$sig" "$body")
[ "$code" = 200 ] || die "the click to repeat was answered $code"
[ "$(ledger_lines)" -eq $((before + 1)) ] || die "the click to repeat is not one new ledger line"
awk '{ print $1, $2 }' "$REQ/walkers" | sed "s/^$REPEATER .*/$REPEATER approve/" >"$REQ/walkers.new"
mv "$REQ/walkers.new" "$REQ/walkers"
settle
before=$(ledger_lines)
repeat repeat-pg "$PG_URL" "$REQ/repeat.req" "$SECS"
only_status "$LOG/repeat-pg.wrk" 200 "the repeated click to printgated"
after=$(ledger_lines)
[ "$after" -eq "$before" ] ||
	die "the repeated click wrote $((after - before)) ledger lines"
settle
repeat repeat-bolt "$BOLT_URL" "$REQ/repeat.req" "$SECS"
only_status "$LOG/repeat-bolt.wrk" 200 "the repeated click to Bolt"
alive $pg_pid printgated "$LOG/printgated.log"
alive $bolt_pid "the Bolt app" "$LOG/bolt.log"
pg=$(result "$LOG/repeat-pg.wrk" rate)
bolt=$(result "$LOG/repeat-bolt.wrk" rate)
say "  printgated $(commas "$pg")/s, Bolt $(commas "$bolt")/s; the ledger unchanged"
row listener "repeated click acknowledged" "$(commas "$pg")/s" "Bolt $(commas "$bolt")/s" \
    "$(ratio "$pg" "$bolt")x" "≥1.5x Bolt acks" "$(verdict "$(ratio "$pg" "$bolt")" 1.5)"

# The Bolt app has done its part.
stop $bolt_pid

# --- c. new decisions, each stored before its answer

say "c. new decisions: (i) 50 per second for ${SECS_P99} s, one connection"
decisions store-50 $((SECS_P99 * 50 + 50))
before=$(ledger_lines)
walk store-50 "$REQ/store-50.req" "$SECS_P99" 1 20
stored store-50 "$before"
p99=$(result "$LOG/store-50.wrk" p99_ms)
row listener "new decisions stored, p99 at 50/s" \
    "$(awk -v p99="$p99" -v p50="$(result "$LOG/store-50.wrk" p50_ms)" \
	-v r="$(result "$LOG/store-50.wrk" rate)" \
	'BEGIN { printf "p99 %.1f ms (p50 %.1f ms, %.1f/s)", p99, p50, r }')" \
    - - "<50 ms" "$(below "$p99" 50)"

settle
use_review bench-listener-max
say "c. new decisions: (ii) as fast as they go for ${SECS} s, $CONNS_STORE connections"
decisions store-max $((SECS * RATE_CAP))
before=$(ledger_lines)
cpu=$(cpu_ms)
walk store-max "$REQ/store-max.req" "$SECS" "$CONNS_STORE" 0
stored store-max "$before"
settle
cpu=$(per_decision "$cpu" "$(result "$LOG/store-max.wrk" requests)")
rate=$(result "$LOG/store-max.wrk" rate)
row listener "new decisions stored, sustained, one review" \
    "$(commas "$rate")/s (p99 $(result "$LOG/store-max.wrk" p99_ms) ms; $cpu ms CPU each)" - - \
    "≥100/s on one review" "$(verdict "$rate" 100)"

# --- c(iii). new decisions spread over SPREAD reviews

# spread_lines: the ledger lines of the SPREAD reviews' commits, together.
spread_lines() {
	for f in "$W"/reviews/bench-spread-*; do
		read -r _ c <"$f"
		$G notes --ref=printgate show "$c" 2>/dev/null
	done | wc -l
}

settle
say "c. new decisions: (iii) as fast as they go for ${SECS} s over $SPREAD reviews, $CONNS_STORE connections"
# The click template of (c) with @R@ for the review; every spread review
# has the same files, so the same reviewers ($REQ/eligible from (ii)).
CLICK=$(urlencode '{"type":"block_actions","user":{"id":"@U@","username":"bench"},"trigger_id":"@T@","response_url":"http://127.0.0.1:'"$RPORT"'/slack-response","actions":[{"type":"button","action_id":"@D@","block_id":"printgate","value":"@R@","action_ts":"1"}]}')
for f in "$W"/reviews/bench-spread-*; do
	read -r t c <"$f"
	echo "$(urlencode "$t@$c") $(urlencode "$t")"
done >"$REQ/spread.reviews"
# the first reviewer's "changes required" (the command) keeps each open
awk -v u="$BLOCKER" '{ printf "%s changes-required spread-block.%03d %s\n", u, NR, $2 }' \
    "$REQ/spread.reviews" >"$REQ/spread-block.clicks"
command "$REQ/spread-block.clicks" "$REQ/spread-block.req"
before=$(spread_lines)
while read -r ts sig body; do
	code=$(post "$PG_URL" "$ts" "$sig" "$body" /slack/commands)
	[ "$code" = 200 ] || die "the blocking command on a spread review was answered $code"
done <"$REQ/spread-block.req"
[ "$(spread_lines)" -eq $((before + SPREAD)) ] ||
	die "the $SPREAD blocking commands are not $SPREAD new ledger lines"
# click k: review k mod SPREAD, the reviewers in turn within each review,
# each alternating from approve; a review's clicks are SPREAD
# apart, so no two of one person on one review are in flight at once.
sed 1d "$REQ/eligible" >"$REQ/spread.people"
awk -v n="$((SECS * RATE_CAP))" 'NR == FNR { rv[nr++] = $1; next } { u[np++] = $1 }
END {
	for (k = 0; k < n; k++) {
		r = k % nr; p = int(k / nr) % np
		d = (int(k / (nr * np)) % 2) ? "approve-with-changes" : "approve"
		printf "%s %s spread.%06d %s\n", u[p], d, k, rv[r]
	}
}' "$REQ/spread.reviews" "$REQ/spread.people" >"$REQ/store-spread.clicks"
sign "$REQ/store-spread.clicks" "$REQ/store-spread.req"
before=$(spread_lines)
cpu=$(cpu_ms)
walk store-spread "$REQ/store-spread.req" "$SECS" "$CONNS_STORE" 0
out=$LOG/store-spread.wrk
only_status "$out" 200 store-spread
[ "$(result "$out" unanswered)" -eq 0 ] ||
	die "store-spread: $(result "$out" unanswered) requests unanswered when wrk stopped"
n=$(result "$out" requests)
lines=$(($(spread_lines) - before))
[ "$lines" -eq "$n" ] ||
	die "store-spread: $n decisions answered 200 but $lines new ledger lines"
rate=$(result "$out" rate)
settle
cpu=$(per_decision "$cpu" "$n")
say "  store-spread: $n decisions answered 200 and stored over $SPREAD reviews, $rate/s, p50 $(result "$out" p50_ms) ms, p99 $(result "$out" p99_ms) ms, $cpu ms CPU each"
row listener "new decisions stored, sustained over $SPREAD reviews" \
    "$(commas "$rate")/s (p99 $(result "$out" p99_ms) ms; $cpu ms CPU each)" - - "≥200/s" \
    "$(verdict "$rate" 200)"

# --- d. the same with slow connections open

settle
use_review bench-listener-slow
say "d. (c)(i) and (c)(ii) again with $SLOW slow connections open"
"$BUILD/bench/slowconn" -n "$SLOW" -i 3 -s "$LOG/slowconn.status" 127.0.0.1 \
    "${PG_URL##*:}" 2>>"$LOG/slowconn.log" &
slow_pid=$!
started $slow_pid
held() { awk '$1 == "open" { print $2 }' "$LOG/slowconn.status" 2>/dev/null; }
held_all() { [ "$(held)" = "$SLOW" ]; }
wait_for 30 held_all || die "slowconn holds $(held) of $SLOW connections open"
held_before=$(held)
# (c)(i) with them: the latency at 50 per second
decisions store-slow-50 $((SECS_P99 * 50 + 50))
before=$(ledger_lines)
walk store-slow-50 "$REQ/store-slow-50.req" "$SECS_P99" 1 20
stored store-slow-50 "$before"
p99=$(result "$LOG/store-slow-50.wrk" p99_ms)
row listener "new decisions stored, p99 at 50/s, $SLOW slow connections open" \
    "$(awk -v p99="$p99" -v p50="$(result "$LOG/store-slow-50.wrk" p50_ms)" \
	-v r="$(result "$LOG/store-slow-50.wrk" rate)" \
	'BEGIN { printf "p99 %.1f ms (p50 %.1f ms, %.1f/s)", p99, p50, r }')" \
    - - "<50 ms" "$(below "$p99" 50)"
# and (c)(ii) with them
decisions store-slow $((SECS * RATE_CAP))
before=$(ledger_lines)
walk store-slow "$REQ/store-slow.req" "$SECS" "$CONNS_STORE" 0
stored store-slow "$before"
held_after=$(held)
rss=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$pg_pid/status")
alive $slow_pid slowconn "$LOG/slowconn.log"
alive $pg_pid printgated "$LOG/printgated.log"
stop $slow_pid
rate=$(result "$LOG/store-slow.wrk" rate)
held_min=$((held_before < held_after ? held_before : held_after))
say "  slowconn held $held_before connections before the run, $held_after after"
ok=$(verdict "$rate" 100)
[ "$held_min" -ge "$SLOW" ] || ok=missed
row listener "new decisions stored, sustained, one review, $SLOW slow connections open ($held_min held)" \
    "$(commas "$rate")/s (p99 $(result "$LOG/store-slow.wrk" p99_ms) ms)" - - \
    "≥100/s on one review" "$ok"

row memory "RssAnon under load" \
    "$(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }')" - - - -
say "done; logs and wrk outputs in $LOG"
