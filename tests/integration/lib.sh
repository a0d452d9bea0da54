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
	"$@" >"$OUT" 2>&1
	rc=$?
}

pass() { ntest=$((ntest + 1)); echo "ok $ntest - $1"; }
fail() {
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "not ok $ntest - $1"
	[ -n "${2:-}" ] && echo "#   $2"
	[ -f "$OUT" ] && sed 's/^/#   | /' "$OUT"
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

finish() {
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
  { id = "alice"; name = "Alice Ng";    email = "alice@example.com"; },
  { id = "bob";   name = "Bob Brandt";  email = "bob@example.com"; },
  { id = "carol"; name = "Carol Diaz";  email = "carol@example.com"; },
  { id = "dave";  name = "Dave Okafor"; email = "dave@example.com"; },
  { id = "erin";  name = "Erin Tan";    email = "erin@example.com"; },
  { id = "rita";  name = "Rita Ruiz";   email = "rita@example.com"; login = "rruiz"; },
  { id = "mark";  name = "Mark Marketer"; email = "mark@example.com"; }
);
groups = {
  sales-emea = [ "alice", "bob", "carol" ];
  sales-apac = [ "erin" ];
  brand      = [ "dave" ];
  release    = [ "rita" ];
};
release_managers = "release";
rules = (
  { name = "emea"; paths = [ "brochures/emea/**", "datasheets/**" ];
    group = "sales-emea"; required = 2; },
  { name = "apac"; paths = [ "brochures/apac/**" ]; group = "sales-apac"; },
  { name = "big-deal"; paths = [ "**" ]; group = "brand"; required = 1;
    when = "Opportunity >= 2000000"; }
);
$NOTIFY_CONF
${1:-}
CONF
}

# setup: a bare repository with the hook, and a clone with one commit.
setup() {
	git -c init.defaultBranch=main init -q --bare "$REPO"
	write_config "${1:-}"
	"$BUILD/printgatectl" -c "$CONF" install-hook >/dev/null ||
		{ echo "Bail out! install-hook failed"; exit 1; }
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

# notify_config: channels of every kind, all to the receiver.
notify_config() {
	printf 'http://127.0.0.1:%s/slack\n' "$PORT" >"$T/slack.url"
	printf 'http://127.0.0.1:%s/mm\n' "$PORT" >"$T/mm.url"
	printf 'http://127.0.0.1:%s/teams\n' "$PORT" >"$T/teams.url"
	printf 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n' >"$T/hook.secret"
	printf 'mattermost-token-for-tests\n' >"$T/mm.token"
	chmod 600 "$T/slack.url" "$T/mm.url" "$T/teams.url" "$T/hook.secret" \
	    "$T/mm.token"
	cat <<CONF
notify = (
  { name = "sales"; type = "slack"; url_file = "slack.url"; },
  { name = "mm"; type = "mattermost"; url_file = "mm.url"; },
  { name = "teams"; type = "teams"; url_file = "teams.url"; },
  { name = "audit"; type = "webhook"; url = "http://127.0.0.1:$PORT/hook";
    secret_file = "hook.secret"; }
);
http = {
  listen = "127.0.0.1:8787";
  public_url = "https://printgate.example.com";
  mattermost_token_file = "mm.token";
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
	stop_receiver
	# PRINTGATE_KEEP=1 keeps the test's files, to look at a failure
	[ -n "${PRINTGATE_KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup_processes EXIT INT TERM
