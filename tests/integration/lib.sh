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
write_config() {
	printf 'https://hooks.slack.invalid/T000/B000/XXXX\n' >"$T/slack.url"
	chmod 600 "$T/slack.url"
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
notify = ( { name = "sales"; type = "slack"; url_file = "slack.url"; } );
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
