# SPDX-License-Identifier: GPL-3.0-or-later
# lib.sh - what the integration tests share: a real bare repository with
# printgate's update hook installed, a clone to push from, a config, and
# TAP assertions on what a user sees (exit codes, messages, ledger lines).
# Sourced by tests/integration/t-*.sh.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${PRINTGATE_BUILD:-$top/build}
T=$(mktemp -d "${TMPDIR:-/tmp}/printgate-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# A git of its own: no user or system config leaks in.
export HOME="$T/home"
export GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Mark Marketer" GIT_AUTHOR_EMAIL="mark@example.com"
export GIT_COMMITTER_NAME="Mark Marketer" GIT_COMMITTER_EMAIL="mark@example.com"
unset GIT_DIR GIT_WORK_TREE REMOTE_USER GL_USERNAME
mkdir -p "$HOME"

REPO="$T/repo.git"
WORK="$T/work"
CONF="$T/pg.conf"
OUT="$T/out"
ntest=0
nfail=0

ctl() { "$BUILD/printgatectl" -c "$CONF" "$@"; }

# run CMD...: runs a command, keeping its exit code in $rc and its
# stdout and stderr in $OUT.
run() {
	LAST_RUN=$*
	"$@" >"$OUT" 2>&1
	rc=$?
}

pass() { ntest=$((ntest + 1)); echo "ok $ntest - $1"; }
fail() {
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "not ok $ntest - $1"
	[ -n "${2:-}" ] && echo "#   $2"
	# named: the last run may be a step before the one that failed
	if [ -f "$OUT" ]; then
		echo "#   the output of the last run (${LAST_RUN:-?}):"
		sed 's/^/#   | /' "$OUT"
	fi
}

# assert_rc DESC WANT: the last run's exit code.
assert_rc() {
	if [ "$rc" -eq "$2" ]; then pass "$1"; else fail "$1" "exit $rc, want $2"; fi
}

# assert_out DESC TEXT...: the last run's output has each TEXT (fixed strings).
assert_out() {
	desc=$1
	shift
	for want in "$@"; do
		if ! grep -qF -- "$want" "$OUT"; then
			fail "$desc" "missing: $want"
			return
		fi
	done
	pass "$desc"
}

# assert_no_out DESC TEXT: the last run's output does not have TEXT.
assert_no_out() {
	if grep -qF -- "$2" "$OUT"; then fail "$1" "unexpected: $2"; else pass "$1"; fi
}

# assert DESC CMD...: the command succeeds.
assert() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$desc"; else fail "$desc" "failed: $*"; fi
}

# assert_not DESC CMD...: the command fails.
assert_not() {
	desc=$1
	shift
	if "$@" >/dev/null 2>&1; then fail "$desc" "succeeded: $*"; else pass "$desc"; fi
}

# check_sanitizers: under SAN=, a report in any log of the test's
# processes fails it, with the report, even where the process's death
# showed in no other assertion.
check_sanitizers() {
	for log in "$T"/*.log; do
		[ -f "$log" ] || continue
		grep -A 40 -m 1 "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" \
		    "$log" >"$OUT" || continue
		LAST_RUN="the report's first lines in $(basename "$log")"
		fail "no sanitizer report in $(basename "$log")"
	done
}

finish() {
	check_warm
	check_sanitizers
	echo "1..$ntest"
	[ "$nfail" -eq 0 ]
	exit $?
}

# write_config [EXTRA]: the config of the tests; EXTRA is appended.
# NOTIFY_CONF, when set, replaces the default notify section.
write_config() {
	if [ -z "${NOTIFY_CONF:-}" ]; then
		printf 'https://hooks.slack.invalid/T000/B000/XXXX\n' >"$T/slack.url"
		chmod 600 "$T/slack.url"
		NOTIFY_CONF='notify = ( { name = "sales"; type = "slack"; url_file = "slack.url"; } );'
	fi
	cat >"$CONF" <<CONF
repository = "$REPO";
state_dir = "$T/state";
pusher_env = [ "REMOTE_USER" ];
people = (
  { id = "alice"; name = "Alice Ng";    email = "alice@example.com";
    slack = "U04ALICE"; mattermost = "mmalice"; teams = "29:alice"; },
  { id = "bob";   name = "Bob Brandt";  email = "bob@example.com";
    slack = "U04BOB"; mattermost = "mmbob"; teams = "29:bob"; },
  { id = "carol"; name = "Carol Diaz";  email = "carol@example.com";
    slack = "U04CAROL"; mattermost = "mmcarol"; teams = "29:carol"; },
  { id = "dave";  name = "Dave Okafor"; email = "dave@example.com";
    slack = "U04DAVE"; },
  { id = "erin";  name = "Erin Tan";    email = "erin@example.com"; },
${EXTRA_PEOPLE:-}
  { id = "rita";  name = "Rita Ruiz";   email = "rita@example.com"; login = "rruiz"; },
  { id = "mark";  name = "Mark Marketer"; email = "mark@example.com"; }
);
groups = {
  sales-emea = [ "alice", "bob", "carol" ];
  sales-apac = [ "erin" ];
  brand      = [ "dave" ];
  release    = [ "rita" ];
${EXTRA_GROUPS:-}
};
release_managers = "release";
rules = (
  { name = "emea"; paths = [ "brochures/emea/**", "datasheets/**" ];
    group = "sales-emea"; required = 2; },
  { name = "apac"; paths = [ "brochures/apac/**" ]; group = "sales-apac"; },
  { name = "big-deal"; paths = [ "**" ]; group = "brand"; required = 1;
    when = "Opportunity >= 2000000"; }
${EXTRA_RULES:-}
);
$NOTIFY_CONF
${1:-}
CONF
	reload_gate
}

# --- the gate's two paths
#
# A script marked "# gate: both ways" runs twice in tests/run.sh: once as
# it is (no printgated on the gate socket: every hook decides itself, the
# fallback) and once with PRINTGATE_GATE=warm, where setup starts
# "printgated -g" (the gate socket and nothing else, so that it sends and
# releases nothing the script does not expect) and every push is decided
# by printgated on the warm path.  finish then checks that it was: the
# gate daemon still runs, answered at least once, and never told a hook
# to decide itself (but where WARM_FALLBACK_OK, a pattern, says that a
# script makes it do so on purpose).
GLOG="$T/gated.log"
gate_pid=""

start_gate() {
	n=$(gate_starts)
	"$BUILD/printgated" -g -c "$CONF" >>"$GLOG" 2>&1 &
	gate_pid=$!
	wait_for 20 gate_started "$n" ||
		{ echo "Bail out! printgated -g did not start"; cat "$GLOG"; exit 1; }
}
gate_starts() { n=$(grep -c "ready: serving the gate" "$GLOG" 2>/dev/null); echo "${n:-0}"; }
gate_started() { [ "$(gate_starts)" -gt "$1" ]; }

stop_gate() {
	[ -n "$gate_pid" ] && kill "$gate_pid" 2>/dev/null
	[ -n "$gate_pid" ] && wait "$gate_pid" 2>/dev/null
	gate_pid=""
}

# reload_gate: the gate daemon takes the config as it is now (after
# write_config), as an administrator's reload does.
reload_gate() {
	[ -n "$gate_pid" ] || return 0
	n=$(gate_reloads)
	kill -HUP "$gate_pid"
	wait_for 10 gate_reloaded "$n" || echo "# printgated -g did not reload"
}
gate_reloads() { grep -c "reload '.*': done" "$GLOG"; }
gate_reloaded() { [ "$(gate_reloads)" -gt "$1" ]; }

# gate_served: how many decisions the gate daemon answered.
gate_served() {
	n=$(grep -c "^printgated: gate '.*' from uid" "$GLOG" 2>/dev/null)
	echo "${n:-0}"
}

check_warm() {
	[ "${PRINTGATE_GATE:-}" = warm ] || return 0
	if [ -z "$gate_pid" ] || ! kill -0 "$gate_pid" 2>/dev/null; then
		fail "warm path: printgated -g ran to the end" "it is gone"
	elif [ "$(gate_served)" -eq 0 ]; then
		fail "warm path: printgated answered the hooks" "no gate answer in its log"
	elif grep "the hook decides\|, refused$\|none within\|not decided$\|did not wait" "$GLOG" |
	    grep -v "${WARM_FALLBACK_OK:-^$}" >"$OUT"; then
		fail "warm path: no hook fell back"
	else
		pass "warm path: printgated answered $(gate_served) hooks, none fell back"
	fi
}

# setup: a bare repository with the hook, and a clone with one commit.
setup() {
	git -c init.defaultBranch=main init -q --bare "$REPO"
	write_config "${1:-}"
	"$BUILD/printgatectl" -c "$CONF" install-hook >/dev/null ||
		{ echo "Bail out! install-hook failed"; exit 1; }
	[ "${PRINTGATE_GATE:-}" = warm ] && start_gate
	git -c init.defaultBranch=main init -q "$WORK"
	git -C "$WORK" remote add origin "$REPO"
	git -C "$WORK" config user.name "Rita Ruiz"
	git -C "$WORK" config user.email "rita@example.com"
}

# commit MESSAGE PATH=CONTENT...: writes the files and commits them.
commit() {
	msg=$1
	shift
	for pc in "$@"; do
		p=${pc%%=*}
		mkdir -p "$WORK/$(dirname "$p")"
		printf '%s\n' "${pc#*=}" >"$WORK/$p"
		git -C "$WORK" add "$p"
	done
	git -C "$WORK" commit -q -m "$msg"
}

# tag NAME [TRAILER...]: an annotated print tag of HEAD.
tag() {
	name=$1
	shift
	body="$name"
	if [ $# -gt 0 ]; then
		body="$body
"
		for tr in "$@"; do body="$body
$tr"; done
	fi
	git -C "$WORK" tag -a "$name" -m "$body"
}

# push_as USER REFSPEC...: a real git push, as USER (REMOTE_USER).
push_as() {
	u=$1
	shift
	run env REMOTE_USER="$u" git -C "$WORK" push origin "$@"
}

# ledger COMMIT: the ledger lines of a commit, from git itself.
ledger() {
	git --git-dir="$REPO" notes --ref=printgate show "$1" 2>/dev/null
}

rev() { git -C "$WORK" rev-parse "$@"; }
remote_ref() { git --git-dir="$REPO" rev-parse -q --verify "$1"; }

# preview_fixtures: the PDFs and images of tests/tools/mkfixtures in $FX,
# and the renderer printgated runs.
preview_fixtures() {
	FX="$T/fx"
	mkdir -p "$FX"
	"$BUILD/tests/mkfixtures" "$FX" || { echo "Bail out! mkfixtures"; exit 1; }
	export PRINTGATE_RENDER="$BUILD/printgate-render"
}

# put_file SRC DEST: copies a file into the work tree and adds it.
put_file() {
	mkdir -p "$WORK/$(dirname "$2")"
	cp "$1" "$WORK/$2"
	git -C "$WORK" add "$2"
}

# push_print MESSAGE TAG: commits what is added, pushes it, then the print
# tag TAG of it, as rruiz (rc: the tag's push).
push_print() {
	git -C "$WORK" commit -q -m "$1"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$2"
	push_as rruiz "$2"
}

# --- the daemon and a local receiver standing in for the chat platforms

RCV="$T/rcv"
DLOG="$T/daemon.log"
daemon_pid=""
receiver_pid=""

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds; fails
# after SECONDS.  Bounded, so a broken daemon fails the test, not CI.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

# start_receiver [PORT]: the recording receiver on 127.0.0.1.
start_receiver() {
	mkdir -p "$RCV"
	rm -f "$RCV/port"
	"$BUILD/tests/receiver" -d "$RCV" ${1:+-p "$1"} 2>>"$T/receiver.log" &
	receiver_pid=$!
	wait_for 10 test -s "$RCV/port" || { echo "Bail out! no receiver"; exit 1; }
	PORT=$(cat "$RCV/port")
}

stop_receiver() {
	[ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null
	[ -n "$receiver_pid" ] && wait "$receiver_pid" 2>/dev/null
	receiver_pid=""
}

# mode TEXT: what the receiver answers from now on (see tests/tools).
mode() { printf '%s\n' "$@" >"$RCV/mode"; }

# requests PATH: how many requests the receiver recorded for PATH.
requests() { grep -c " $1 " "$RCV/log" 2>/dev/null || echo 0; }
# has_requests PATH N: at least N requests for PATH.
has_requests() { [ "$(requests "$1")" -ge "$2" ]; }
# last_body PATH: the body of the newest request recorded for PATH.
last_body() {
	n=$(grep " $1 " "$RCV/log" | tail -n 1 | cut -d' ' -f1)
	[ -n "$n" ] && cat "$RCV/$(printf 'req-%06d.body' "$n")"
}
# bodies PATH: every body recorded for PATH, one after another.
bodies() {
	grep " $1 " "$RCV/log" | cut -d' ' -f1 | while read -r n; do
		cat "$RCV/$(printf 'req-%06d.body' "$n")"
		echo
	done
}

# ok_bodies PATH: the bodies the receiver took (answered 200) for PATH,
# one after another, each ending in a newline.
ok_bodies() {
	grep " $1 200\$" "$RCV/log" | cut -d' ' -f1 | while read -r n; do
		cat "$RCV/$(printf 'req-%06d.body' "$n")"
		echo
	done
}

# notify_config: channels of every kind, all to the receiver.
notify_config() {
	printf 'http://127.0.0.1:%s/slack\n' "$PORT" >"$T/slack.url"
	printf 'http://127.0.0.1:%s/mm\n' "$PORT" >"$T/mm.url"
	printf 'http://127.0.0.1:%s/teams\n' "$PORT" >"$T/teams.url"
	printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$T/hook.secret"
	printf 'mattermost-token-for-tests\n' >"$T/mm.token"
	printf '8f742231b10e8888abcd99yyyzzz85a5\n' >"$T/slack.secret"
	printf 'dGVhbXMtc2VjcmV0LWZvci10ZXN0cy0zMi1ieXRlcyE=\n' >"$T/teams.secret"
	printf 'whsec_cHJpbnRnYXRlLWFwaS1zZWNyZXQtZm9yLXRlc3Rz\n' >"$T/api.secret"
	chmod 600 "$T/slack.url" "$T/mm.url" "$T/teams.url" "$T/hook.secret" \
	    "$T/mm.token" "$T/slack.secret" "$T/teams.secret" "$T/api.secret"
	cat <<CONF
notify = (
  { name = "sales"; type = "slack"; url_file = "slack.url"; },
  { name = "mm"; type = "mattermost"; url_file = "mm.url"; },
  { name = "teams"; type = "teams"; url_file = "teams.url"; },
  { name = "audit"; type = "webhook"; url = "http://127.0.0.1:$PORT/hook";
    secret_file = "hook.secret"; },
  { name = "print-shop"; type = "webhook"; url = "http://127.0.0.1:$PORT/released";
    secret_file = "hook.secret"; events = [ "released" ]; }
);
http = {
  listen = "127.0.0.1:0";
  public_url = "https://printgate.example.com";
  mattermost_token_file = "mm.token";
  slack_signing_secret_file = "slack.secret";
  teams_secret_file = "teams.secret";
  api_secret_file = "api.secret";
};
CONF
}

start_daemon() {
	"$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
	daemon_pid=$!
	wait_for 20 grep -q "ready: watching" "$DLOG" ||
		{ echo "Bail out! printgated did not start"; cat "$DLOG"; exit 1; }
}

stop_daemon() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && wait "$daemon_pid" 2>/dev/null
	daemon_rc=$?
	daemon_pid=""
}

cleanup_processes() {
	[ -n "$daemon_pid" ] && kill -9 "$daemon_pid" 2>/dev/null
	[ -n "$gate_pid" ] && kill -9 "$gate_pid" 2>/dev/null
	stop_receiver
	# PRINTGATE_KEEP=1 keeps the test's files, to look at a failure
	[ -n "${PRINTGATE_KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup_processes EXIT INT TERM

# --- signed requests to printgated's listener, as the platforms send them

HPORT=""
# listener: the port printgated listens on (after start_daemon).
listener() {
	wait_for 10 test -s "$T/state/http-port" || return 1
	HPORT=$(cat "$T/state/http-port")
}

# page_daemon HTTP: the receiver, then printgated serving pages, with
# public_url (and what follows it in http) set to HTTP.
page_daemon() {
	start_receiver
	NOTIFY_CONF=$(notify_config | sed "s|public_url = \"https://printgate.example.com\";|$1|")
	setup
	start_daemon
	listener || { echo "Bail out! no listener"; exit 1; }
}

# urlencode TEXT: every byte as %XX (valid form encoding).
urlencode() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'; }

# hmac_hex KEY TEXT / hmac_b64_hexkey HEXKEY FILE: HMAC-SHA256 with openssl.
hmac_hex() { printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'; }
hmac_b64_hexkey() { openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" -binary <"$2" | base64 -w0; }
b64_to_hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }

# post PATH CONTENT-TYPE BODY-FILE [HEADER...]: $code and $OUT (the answer).
post() {
	path=$1 type=$2 file=$3
	shift 3
	code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' -X POST \
	    -H "Content-Type: $type" "$@" --data-binary "@$file" \
	    "http://127.0.0.1:$HPORT$path")
}

# slack PATH BODY-FILE [TS]: a request signed as Slack signs it.
slack() {
	ts=${3:-$(date +%s)}
	sig=v0=$(hmac_hex "$(cat "$T/slack.secret")" "v0:$ts:$(cat "$2")")
	post "$1" application/x-www-form-urlencoded "$2" \
	    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig"
}

# slack_click USER DECISION REVIEW TRIGGER: a block_actions payload file.
slack_click() {
	json='{"type":"block_actions","user":{"id":"'$1'","username":"x"},"trigger_id":"'$4'","response_url":"http://127.0.0.1:'$PORT'/slack-response","actions":[{"type":"button","action_id":"'$2'","block_id":"b","value":"'$3'","action_ts":"1"}]}'
	printf 'payload=%s' "$(urlencode "$json")" >"$T/click"
}

# slack_command USER TEXT TRIGGER: a slash command form body file.
slack_command() {
	printf 'token=x&team_id=T1&user_id=%s&user_name=u&command=%%2Fprintgate&text=%s&response_url=%s&trigger_id=%s' \
	    "$1" "$(urlencode "$2")" "$(urlencode "http://127.0.0.1:$PORT/slack-response")" "$3" >"$T/command"
}

# api FILE [TS] [ID]: signed per Standard Webhooks with the API secret.
api() {
	ts=${2:-$(date +%s)}
	id=${3:-msg_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
	key=$(b64_to_hex "$(sed 's/^whsec_//' "$T/api.secret")")
	{ printf '%s.%s.' "$id" "$ts"; cat "$1"; } >"$1.signed"
	sig=$(hmac_b64_hexkey "$key" "$1.signed")
	post /api/v1/decisions application/json "$1" -H "webhook-id: $id" \
	    -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig"
}

# teams FILE: signed as a Teams outgoing webhook.
teams() {
	key=$(b64_to_hex "$(cat "$T/teams.secret")")
	sig=$(hmac_b64_hexkey "$key" "$1")
	post /teams/messages application/json "$1" -H "Authorization: HMAC $sig"
}

# mm_token TAG DECISION: the token of the DECISION button (approve,
# approve-with-changes, changes-required) of the Mattermost message about
# TAG (the one with integration actions), as any channel member reads it
# from the post's props; waits for the message, empty without one.
mm_message() {
	grep -l "\"review\":\"$1@" "$RCV"/req-*.body 2>/dev/null |
	    xargs -r grep -l '"integration"' | head -n 1
}
mm_has_message() { [ -n "$(mm_message "$1")" ]; }
mm_token() {
	wait_for 10 mm_has_message "$1" || return 0
	grep -o "\"decision\":\"$2\",\"token\":\"[0-9a-f]*\"" \
	    "$(mm_message "$1")" | head -n 1 | sed 's/.*"token":"//; s/"$//'
}

notes_head() { git --git-dir="$REPO" rev-parse -q --verify refs/notes/printgate; }

# --- the review page, as a browser asks for it (after listener)

PUB="https://printgate.example.com"	# notify_config's public_url
# get PATH [CURL ARGS...]: $code, the body in $OUT, the headers in $T/h.
get() {
	p=$1
	shift
	code=$(curl -s -m 20 -D "$T/h" -o "$OUT" -w '%{http_code}' "$@" \
	    "http://127.0.0.1:$HPORT$p")
}
# form PATH BODY [CURL ARGS...]: a form post, as a browser sends it.
form() {
	p=$1 b=$2
	shift 2
	printf '%s' "$b" >"$T/form"
	code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' -X POST \
	    -H "Content-Type: application/x-www-form-urlencoded" "$@" \
	    --data-binary "@$T/form" "http://127.0.0.1:$HPORT$p")
}
status_is() {
	if [ "$code" = "$2" ]; then pass "$1"; else fail "$1" "status $code, not $2"; fi
}
# csrf_of: the form's token in the page in $OUT.
csrf_of() { grep -o 'name="csrf" value="[^"]*"' "$OUT" | sed 's/.*value="//; s/"$//'; }
# path_of LINK: the path of a link under public_url.
path_of() { printf '%s' "${1#"$PUB"}"; }
# candidate TAG [TRAILER...]: pushes main, then TAG on HEAD, as the
# release manager: a review waiting for approval.
candidate() {
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$@"
	push_as rruiz "$1"
}
# release TAG: candidate TAG, approved by alice and bob until printgated
# has released it.
release() {
	candidate "$1"
	ctl decide "$1" --as alice approve >/dev/null
	ctl decide "$1" --as bob approve >/dev/null
	wait_for 15 remote_ref "refs/tags/$1"
	assert "the first print ($1) is released" remote_ref "refs/tags/$1"
}
