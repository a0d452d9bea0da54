#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# printgate deployed for real, in README's order, as root: a group for
# the pushers, a bare repository shared with it (git init --shared=group)
# and owned by a git user; Debian's apache2 (its own config file, a free
# port on 127.0.0.1, started and stopped here) serving it with
# git-http-backend behind basic auth, running as its own user in the
# group; printgated as its own system user in the group, its secrets in a
# credentials folder, its gate socket made as printgated-gate.socket
# makes it (systemd-socket-activate, then the unit's SocketUser=,
# SocketGroup= and SocketMode=); safe.directory as README gives it.
# Then: pushes over HTTP as the marketer and the release manager, decided
# by printgated on the warm path (its log names the web server's uid),
# two signed Slack approvals in the ledger, the tag released;
# printgatectl as a user outside the group told what it cannot read; a
# forged request in the log; printgated stopped, and the hook deciding
# itself; uninstall-hook and a branch push that passes.  Every user,
# process and file it makes is removed at the end.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	pass "# SKIP t-deploy needs root: it creates users, a group and a web server, and edits /etc/gitconfig"
	finish
fi
for tool in useradd userdel groupadd groupdel setpriv ss \
    systemd-socket-activate; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		pass "# SKIP t-deploy needs $tool"
		finish
	fi
done
if ! sh "$top/scripts/deps.sh" apache2 apache2-utils >"$T/deps.log" 2>&1; then
	pass "# SKIP t-deploy: apache2 could not be installed ($(tail -n 1 "$T/deps.log"))"
	finish
fi

# --- cleanup: every user, group, process and file made here
id=$$
g_push="pgd${id}push"		# the pushers' group
u_git="pgd${id}git"		# owns the repository
u_web="pgd${id}web"		# the web server (www-data on a real server)
u_gate="pgd${id}gate"		# printgated
u_out="pgd${id}out"		# a user outside the group
made_users=""
made_group=""
apache_pid=""
gitconfig_saved=""
deploy_cleanup() {
	if [ -n "$apache_pid" ]; then
		kill "$apache_pid" 2>/dev/null
		i=0
		while kill -0 "$apache_pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$apache_pid" 2>/dev/null
	fi
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && wait "$daemon_pid" 2>/dev/null
	daemon_pid=""
	case "$gitconfig_saved" in
	absent) rm -f /etc/gitconfig ;;
	saved) cp -p "$T/gitconfig.saved" /etc/gitconfig ;;
	esac
	for u in $made_users; do
		userdel "$u" 2>/dev/null
	done
	[ -n "$made_group" ] && groupdel "$made_group" 2>/dev/null
	cleanup_processes
}
trap deploy_cleanup EXIT INT TERM

# as USER CMD...: runs CMD as USER with its groups and a clean HOME
as() {
	u=$1
	shift
	run env -u GIT_CONFIG_NOSYSTEM HOME="$T/home-$u" \
	    setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}

# --- 1. the group model: a group for the pushers, printgate in it
chmod 755 "$T"
groupadd "$g_push" && made_group=$g_push
useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$u_git" &&
    made_users="$made_users $u_git"
useradd -M -d /nonexistent -s /usr/sbin/nologin -G "$g_push" -U "$u_web" &&
    made_users="$made_users $u_web"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin -G "$g_push" -U "$u_gate" &&
    made_users="$made_users $u_gate"
useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$u_out" &&
    made_users="$made_users $u_out"
for u in $u_git $u_web $u_gate $u_out; do
	mkdir -p "$T/home-$u"
	chown "$u" "$T/home-$u"
done

# --- 2. the repository: bare, shared with the group, others kept out
SRV="$T/srv"
REPO="$SRV/collateral.git"
mkdir -p "$SRV"
chmod 755 "$SRV"
git -c init.defaultBranch=main init -q --bare --shared=group "$REPO"
chown -R "$u_git:$g_push" "$REPO"
chmod o-rwx "$REPO"

# safe.directory, as README says: the system git config names the
# repository (libgit2, the hook, printgated, ssh) ...
if [ -e /etc/gitconfig ]; then
	cp -p /etc/gitconfig "$T/gitconfig.saved" && gitconfig_saved=saved
else
	gitconfig_saved=absent
fi
env -u GIT_CONFIG_NOSYSTEM git config --system --add safe.directory "$REPO"

# --- 3. the config, its secrets where the unit takes them from
start_receiver
NOTIFY_CONF=$(notify_config)
mkdir -p "$T/etc/credentials"
CONF="$T/etc/printgate.conf"
# the gate socket where the socket unit puts it (/run/printgate), not in
# the state folder, which only printgated may enter
RUN="$T/run/printgate"
SOCK="$RUN/gate.sock"
mkdir -p "$RUN"
chmod 755 "$T/run" "$RUN"
write_config "gate_socket = \"$SOCK\";"
chmod 644 "$CONF"
chmod 755 "$T/etc"
for s in slack.url mm.url teams.url hook.secret mm.token slack.secret \
    teams.secret api.secret; do
	cp "$T/$s" "$T/etc/credentials/$s"
done
# root's, as systemd reads them (LoadCredential=) before it starts the
# service; what it hands printgated is a copy of the service user's
chown -R root:root "$T/etc/credentials"
chmod 700 "$T/etc/credentials"
chmod 600 "$T/etc/credentials"/*
cp -a "$T/etc/credentials" "$T/run-credentials"
chown -R "$u_gate" "$T/run-credentials"
mkdir -p "$T/state"
chown "$u_gate" "$T/state"
chmod 700 "$T/state"

run "$BUILD/printgatectl" -c "$CONF" check
assert_rc "check: the config, its credentials and the shared repository" 0
assert_out "check finds the secrets where the unit takes them from" \
    "read from $T/etc/credentials, as printgated's LoadCredential= copies them at service start" \
    "sharing     group $g_push"

# --- 4. Apache with git-http-backend behind basic auth
W="$T/apache"
mkdir -p "$W"
htpasswd -bc "$W/htpasswd" mark mark-pw >/dev/null 2>&1
htpasswd -b "$W/htpasswd" rruiz rruiz-pw >/dev/null 2>&1
chgrp "$g_push" "$W/htpasswd"
chmod 640 "$W/htpasswd"
mods=/usr/lib/apache2/modules
port=$((20000 + id % 20000))
tries=0
while ss -ltn "sport = :$port" | grep -q LISTEN; do
	port=$((port + 1))
	tries=$((tries + 1))
	[ $tries -gt 200 ] && { echo "Bail out! no free port"; exit 1; }
done
cat >"$W/httpd.conf" <<CONF
ServerRoot $W
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $W/httpd.pid
DefaultRuntimeDir $W
ErrorLog $W/error.log
LogLevel warn
LoadModule mpm_prefork_module $mods/mod_mpm_prefork.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_user_module $mods/mod_authz_user.so
LoadModule authn_core_module $mods/mod_authn_core.so
LoadModule authn_file_module $mods/mod_authn_file.so
LoadModule auth_basic_module $mods/mod_auth_basic.so
LoadModule alias_module $mods/mod_alias.so
LoadModule env_module $mods/mod_env.so
LoadModule cgi_module $mods/mod_cgi.so
User $u_web
Group $g_push
SetEnv GIT_PROJECT_ROOT $SRV
SetEnv GIT_HTTP_EXPORT_ALL 1
# ... and git-http-backend, which also checks ".", gets it for itself
SetEnv GIT_CONFIG_COUNT 1
SetEnv GIT_CONFIG_KEY_0 safe.directory
SetEnv GIT_CONFIG_VALUE_0 .
ScriptAlias /git/ /usr/lib/git-core/git-http-backend/
<Location /git/>
	AuthType Basic
	AuthName "collateral"
	AuthUserFile $W/htpasswd
	Require valid-user
</Location>
CONF
env -u GIT_CONFIG_NOSYSTEM /usr/sbin/apache2 -f "$W/httpd.conf" -k start \
    >"$W/start.log" 2>&1
wait_for 10 test -s "$W/httpd.pid" &&
    apache_pid=$(cat "$W/httpd.pid")
if [ -z "$apache_pid" ]; then
	cat "$W/start.log" "$W/error.log" 2>/dev/null | sed 's/^/# /'
	echo "Bail out! apache2 did not start"
	exit 1
fi
pass "apache2 serves the repository on 127.0.0.1:$port"
URL="http://127.0.0.1:$port/git/collateral.git"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/info/refs?service=git-upload-pack")
if [ "$code" = 401 ]; then pass "without a password apache answers 401"
else fail "without a password apache answers 401" "got $code"; fi

# --- 5. install-hook, which says what the pushers' side needs
run "$BUILD/printgatectl" -c "$CONF" install-hook
assert_rc "install-hook on the shared repository" 0
assert_out "install-hook says the system git config allows it, and what git-http-backend needs" \
    "safe.directory: the system git config allows $REPO" \
    "SetEnv GIT_CONFIG_VALUE_0 ."
assert_out "install-hook says the hook asks printgated on the gate socket first" \
    "asks printgated on $SOCK first (the warm path)"

# --- 6. printgated as its own user, with its credentials and the gate
# socket from "systemd": systemd-socket-activate binds it, as root, and
# starts printgated (the same process, through setpriv) at the first
# connection; the unit's SocketUser=printgate, SocketGroup=git and
# SocketMode=0660 are given to the socket here
printf '' >"$DLOG"
uid_web=$(id -u "$u_web")
systemd-socket-activate -l "$SOCK" --fdname=gate \
    -E HOME="$T/home-$u_gate" -E CREDENTIALS_DIRECTORY="$T/run-credentials" \
    "$(command -v setpriv)" --reuid="$u_gate" --regid="$(id -g "$u_gate")" \
    --init-groups "$BUILD/printgated" -c "$CONF" >>"$DLOG" 2>&1 &
daemon_pid=$!
wait_for 10 test -S "$SOCK" ||
    { echo "Bail out! no gate socket"; sed 's/^/# /' "$DLOG"; exit 1; }
chown "$u_gate:$g_push" "$SOCK"
chmod 660 "$SOCK"
# the first connection starts it, as socket activation does
run "$BUILD/printgatectl" -c "$CONF" check
wait_for 20 grep -q "ready: watching" "$DLOG" ||
    { echo "Bail out! printgated did not start"; sed 's/^/# /' "$DLOG"; exit 1; }
listener || { echo "Bail out! no listener"; exit 1; }
pass "printgated runs as $u_gate"
assert "printgated serves the gate socket systemd passed" \
    grep -q "gate: listening on the socket from systemd" "$DLOG"
assert_not "printgated does not warn that it is not gate_socket" \
    grep -q "is not gate_socket" "$DLOG"
run "$BUILD/printgatectl" -c "$CONF" check
assert_out "check says printgated answers on the gate socket" \
    "gate socket $SOCK: printgated answers (the warm path)"
# warm REF PUSHER VERDICT: printgated logged its decision on REF, asked
# by a hook of the web server's user
warm() {
	grep -q "gate '$1' from uid $uid_web pid [0-9]* (REMOTE_USER '$2'): $3" "$DLOG"
}

# --- 7. the marketer pushes a brochure, the release manager its print tag
git -c init.defaultBranch=main init -q "$WORK"
git -C "$WORK" config user.name "Mark Marketer"
git -C "$WORK" config user.email "mark@example.com"
git -C "$WORK" remote add mark "http://mark:mark-pw@127.0.0.1:$port/git/collateral.git"
git -C "$WORK" remote add rita "http://rruiz:rruiz-pw@127.0.0.1:$port/git/collateral.git"
commit "EMEA brochure" brochures/emea/spring.txt=spring
run git -C "$WORK" push mark main
assert_rc "the marketer pushes a branch over HTTP" 0
assert "warm path: printgated passed the branch, asked by the web server's hook" \
    warm refs/heads/main mark passed
tag print/spring
run git -C "$WORK" push rita print/spring
assert_rc "the release manager's print tag waits for approval" 1
assert_out "the refusal names the rule and the reviewers" \
    "print/spring" "waits for approval" "emea  0 of 2"
assert "warm path: printgated refused the print tag, asked by the web server's hook" \
    warm refs/tags/print/spring rruiz refused
review="print/spring@$(rev HEAD)"
wait_for 10 has_requests /slack 1
if has_requests /slack 1; then pass "the review request reached Slack"
else fail "the review request reached Slack"; fi

# what the hook made, as the web server's user, the group can write
bad=$(find "$REPO/refs" "$REPO/objects" -type d ! -perm -2070 2>&1 | head -n 3)
if [ -z "$bad" ]; then
	pass "every folder the hook made is group-writable and setgid"
else fail "every folder the hook made is group-writable and setgid" "$bad"; fi
owner=$(stat -c %U "$REPO/refs/printgate/pending")
if [ "$owner" = "$u_gate" ]; then pass "the pending ref folder was made by printgated's user (the warm path)"
else fail "the pending ref folder was made by printgated's user (the warm path)" "owner $owner"; fi

# --- 8. two signed Slack approvals, both in the ledger; the tag released
slack_click U04ALICE approve "$review" "trig-deploy-alice"
slack /slack/actions "$T/click"
if [ "$code" = 200 ]; then pass "alice approves from Slack: 200"
else fail "alice approves from Slack: 200" "got $code: $(cat "$OUT")"; fi
slack_click U04BOB approve "$review" "trig-deploy-bob"
slack /slack/actions "$T/click"
if [ "$code" = 200 ]; then pass "bob approves from Slack: 200"
else fail "bob approves from Slack: 200" "got $code: $(cat "$OUT")"; fi
gitr() { git -c safe.directory="$REPO" --git-dir="$REPO" "$@"; }
gitr notes --ref=printgate show "$(rev HEAD)" >"$OUT" 2>&1
assert_out "both approvals are in the ledger, via Slack" \
    '"type":"approve","at"' '"by":"alice"' '"via":"slack:U04ALICE"' \
    '"by":"bob"' '"via":"slack:U04BOB"'
wait_for 20 sh -c "git -c safe.directory='$REPO' --git-dir='$REPO' rev-parse -q --verify refs/tags/print/spring >/dev/null"
run git -C "$WORK" ls-remote mark refs/tags/print/spring
assert_out "printgated released the tag: the marketer sees it over HTTP" \
    "refs/tags/print/spring"
gitr notes --ref=printgate show "$(rev HEAD)" >"$OUT" 2>&1
assert_out "the release is in the ledger" '"type":"released"'
assert_no_out "no write failed" "cannot be written"
if grep -q "cannot be written\|Permission denied" "$DLOG"; then
	fail "printgated wrote the repository without a permission error" \
	    "$(grep "cannot be written\|Permission denied" "$DLOG")"
else pass "printgated wrote the repository without a permission error"; fi

# --- 9. a user outside the group is told what it cannot read
as "$u_out" "$BUILD/printgatectl" -c "$CONF" pending
assert_rc "printgatectl as a user outside the group: exit 2" 2
assert_out "it says what it cannot read and why" \
    "cannot read the repository '$REPO'" "Permission denied" "you are $u_out"
assert_no_out "it does not say that nothing waits" "no print tag waits"
as "$u_out" "$BUILD/printgatectl" -c "$CONF" outbox
assert_rc "outbox as that user: exit 2" 2
assert_no_out "outbox does not say that nothing waits" "no delivery waits"

# --- 10. a forged request leaves a trace in the log
post /slack/actions application/x-www-form-urlencoded "$T/click" \
    -H "X-Slack-Request-Timestamp: $(date +%s)" \
    -H "X-Slack-Signature: v0=$(printf '%064d' 0)"
if [ "$code" = 401 ]; then pass "a forged Slack request: 401"
else fail "a forged Slack request: 401" "got $code"; fi
wait_for 5 grep -q "refuse slack_actions 401" "$DLOG"
assert "the refusal is in printgated's log" \
    grep -q "refuse slack_actions 401: X-Slack-Signature does not match the body" "$DLOG"

# --- 11. printgated stopped: the socket stays (systemd keeps it), nobody
# answers, and the hook, as the web server's user, decides itself
stop_daemon
assert "the gate socket stays when printgated stops" test -S "$SOCK"
commit "EMEA brochure, autumn" brochures/emea/autumn.txt=autumn
run git -C "$WORK" push mark main
assert_rc "printgated stopped: the branch push passes (the hook decided)" 0
tag print/autumn
run git -C "$WORK" push rita print/autumn
assert_rc "printgated stopped: the print tag waits for approval" 1
assert_out "printgated stopped: the hook's refusal is the same" \
    "print/autumn" "waits for approval" "emea  0 of 2"
gitr notes --ref=printgate show "$(rev HEAD)" >"$OUT" 2>&1
assert_out "printgated stopped: the hook wrote the request, as the web server's user" \
    '"type":"request"' '"tag":"print/autumn"' '"via":"hook"'
assert_not "printgated did not decide it" grep -q "print/autumn" "$DLOG"
bad=$(find "$REPO/refs" "$REPO/objects" -type d ! -perm -2070 2>&1 | head -n 3)
if [ -z "$bad" ]; then
	pass "every folder either path made is group-writable and setgid"
else fail "every folder either path made is group-writable and setgid" "$bad"; fi

# --- 12. uninstall-hook, and a branch push passes
run "$BUILD/printgatectl" -c "$CONF" uninstall-hook
assert_rc "uninstall-hook" 0
commit "EMEA brochure, summer" brochures/emea/summer.txt=summer
run git -C "$WORK" push mark main
assert_rc "after uninstall-hook a branch push over HTTP passes" 0
assert_no_out "nothing from printgate" "printgate"

stop_daemon
finish
