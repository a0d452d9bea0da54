#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Attacks through files, done for real: secret files that others can read
# or change, links planted at secret files and at the names printgated and
# printgatectl write (even to /etc/shadow), files and folders of another
# user, state folders that others can write, and a url_file that holds a
# secret instead of a URL.  Each must be refused with a message that says
# how to fix it, and the file a link points at must stay as it was.
# Making another user's files needs root (as in CI); without root those
# steps are reported as skipped.
# gate: both ways
. "$(dirname "$0")/lib.sh"

# skip DESC WHY: a TAP line the runner counts as passed, saying why.
skip() { ntest=$((ntest + 1)); echo "ok $ntest - $1 # SKIP $2"; }
is_root() { [ "$(id -u)" -eq 0 ]; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

start_receiver
NOTIFY_CONF=$(notify_config)
setup
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main

# A file outside that planted links point at; it must never change.
printf 'precious: not to be overwritten\n' >"$T/outside"
chmod 644 "$T/outside"
outside_sum=$(sum "$T/outside")
outside_unchanged() { [ "$(sum "$T/outside")" = "$outside_sum" ]; }

# --- item 12: secret files --------------------------------------------

run ctl check
assert_rc "check: the good secrets pass" 0

for m in 602 660 620 604 601; do
	chmod "$m" "$T/hook.secret"
	run ctl check
	assert_rc "secret mode 0$m: check exits 2" 2
	assert_out "secret mode 0$m: check names the file and the fix" \
	    "pg.conf:" "$T/hook.secret" "(mode 0$m): chmod 600 '$T/hook.secret'"
done
chmod 640 "$T/hook.secret"
run ctl check
assert_rc "secret mode 0640 (group read) is accepted" 0
chmod 600 "$T/hook.secret"

# a link at a secret file, to another good secret and to /etc/shadow
mv "$T/api.secret" "$T/api.secret.real"
ln -s "$T/api.secret.real" "$T/api.secret"
run ctl check
assert_rc "a secret file that is a link: check exits 2" 2
assert_out "the link is named, with the fix" "$T/api.secret' is a symbolic link, which printgate does not follow" "cp --remove-destination"
if [ -r /etc/shadow ]; then
	shadow_sum=$(sum /etc/shadow)
	rm "$T/api.secret"
	ln -s /etc/shadow "$T/api.secret"
	run ctl check
	assert_rc "a secret file linked to /etc/shadow: check exits 2" 2
	assert_out "the link to /etc/shadow is refused" "is a symbolic link"
	assert_no_out "nothing of /etc/shadow is shown" "root:"
	assert "/etc/shadow is unchanged" test "$(sum /etc/shadow)" = "$shadow_sum"
	run timeout 20 "$BUILD/printgated" -c "$CONF"
	assert_rc "printgated refuses to start on a secret linked to /etc/shadow" 2
	assert_out "printgated names the linked secret" "$T/api.secret' is a symbolic link"
else
	skip "a secret file linked to /etc/shadow" "/etc/shadow is not readable here"
fi
rm "$T/api.secret"
mv "$T/api.secret.real" "$T/api.secret"

if is_root; then
	chown 65534:65534 "$T/mm.token"
	run ctl check
	assert_rc "a secret file of another user: check exits 2" 2
	assert_out "the other owner is named, with the fix" \
	    "$T/mm.token' belongs to nobody, not to root who reads it or to root: chown root '$T/mm.token'"
	run timeout 20 "$BUILD/printgated" -c "$CONF"
	assert_rc "printgated refuses to start on another user's secret" 2
	chown 0:0 "$T/mm.token"
else
	skip "a secret file of another user" "making a file another user's needs root"
	skip "printgated refuses to start on another user's secret" "needs root"
fi

# a secret in a folder that anyone can write (sticky or not)
mkdir "$T/sec"
mv "$T/teams.secret" "$T/sec/teams.secret"
sed -i 's|teams_secret_file = "teams.secret"|teams_secret_file = "sec/teams.secret"|' "$CONF"
reload_gate
run ctl check
assert_rc "a secret in a private subfolder passes" 0
for m in 777 1777 770; do
	chmod "$m" "$T/sec"
	run ctl check
	assert_rc "a secret in a folder of mode $m: check exits 2" 2
	assert_out "the folder of mode $m is named, with the fix" \
	    "$T/sec/teams.secret' is in a folder that" "(mode $(printf %04d "$m"))" "chmod go-w '$T/sec'"
done
chmod 700 "$T/sec"

# --- item 11: a url_file that holds a secret ---------------------------

cp "$T/slack.url" "$T/slack.url.good"
printf '8f742231b10e8888abcd99yyyzzz85a5\n' >"$T/slack.url"
run ctl check
assert_rc "a url_file with a secret in it: check exits 2" 2
assert_out "check names the url_file and says what it must hold" \
    "pg.conf:" "url_file '$T/slack.url' does not hold an https:// or http:// URL (its content is not shown)"
assert_no_out "check does not show the url_file's content" "8f742231b10e"
run timeout 20 "$BUILD/printgated" -c "$CONF"
assert_rc "printgated refuses to start on a url_file without a URL" 2
assert_out "printgated names the url_file" "url_file '$T/slack.url' does not hold"
assert_no_out "printgated does not show the url_file's content" "8f742231b10e"
cp "$T/slack.url.good" "$T/slack.url"

# changed to a secret while printgated runs: the delivery fails, and
# neither the log nor the outbox shows the content
start_daemon
listener
commit "emea" "brochures/emea/a.txt=a"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
printf 'xoxb-0000-secret-token-in-url-file\n' >"$T/slack.url"
tag print/u1
push_as rruiz print/u1
wait_for 20 grep -q "does not hold an https:// or http:// URL" "$DLOG"
run ctl outbox
assert_out "the delivery waits with a last error naming the url_file" \
    "outbox " "sales" "url_file '$T/slack.url' does not hold an https:// or http:// URL"
assert_no_out "printgatectl outbox does not show the url_file's content" "secret-token"
if grep -rqF "secret-token" "$DLOG" "$T/state"; then
	fail "neither the log nor the outbox holds the url_file's content" \
	    "$(grep -rlF secret-token "$DLOG" "$T/state")"
else
	pass "neither the log nor the outbox holds the url_file's content"
fi
assert "the other channels still got the request" has_requests /mm 1
stop_daemon
cp "$T/slack.url.good" "$T/slack.url"

# --- item 9: the state folder and the names printgated writes ------------

# links planted at http-port, ledger-head's old temporary name, and the
# outbox's temporary names: none is followed
rm -f "$T/state/http-port"
ln -s "$T/outside" "$T/state/http-port"
ln -s "$T/outside" "$T/state/ledger-head.tmp"
ln -s "$T/outside" "$T/state/outbox/.tmp-0123456789abcdef0123456789abcdef"
start_daemon
listener
commit "emea 2" "brochures/emea/b.txt=b"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/u2
push_as rruiz print/u2
wait_for 20 has_requests /mm 2
stop_daemon
assert "the file behind the planted links is unchanged" outside_unchanged
assert "http-port was replaced by a file, not written through the link" \
    sh -c "[ -f '$T/state/http-port' ] && [ ! -L '$T/state/http-port' ]"
assert "ledger-head is a file of its own" \
    sh -c "[ -f '$T/state/ledger-head' ] && [ ! -L '$T/state/ledger-head' ]"

# a link at ledger-head itself: printgated refuses to start
mv "$T/state/ledger-head" "$T/ledger-head.saved"
ln -s "$T/outside" "$T/state/ledger-head"
run timeout 20 "$BUILD/printgated" -c "$CONF"
assert_rc "printgated refuses a link at ledger-head" 2
assert_out "the link at ledger-head is named" "$T/state/ledger-head': it is a symbolic link"
assert "the file behind ledger-head is unchanged" outside_unchanged
rm "$T/state/ledger-head"
mv "$T/ledger-head.saved" "$T/state/ledger-head"

# a folder or a FIFO at ledger-head is no first start: printgated refuses
# it rather than skip what the ledger gained while it was down
mv "$T/state/ledger-head" "$T/ledger-head.saved"
mkdir "$T/state/ledger-head"
run timeout 20 "$BUILD/printgated" -c "$CONF"
assert_rc "printgated refuses a folder at ledger-head" 2
assert_out "the folder at ledger-head is named, with the fix" \
    "$T/state/ledger-head': it is not a regular file: remove it"
rmdir "$T/state/ledger-head"
mkfifo "$T/state/ledger-head"
run timeout 20 "$BUILD/printgated" -c "$CONF"
assert_rc "printgated refuses a FIFO at ledger-head, without hanging" 2
rm "$T/state/ledger-head"
mv "$T/ledger-head.saved" "$T/state/ledger-head"

# a state folder others can write
for m in 777 1777 770; do
	chmod "$m" "$T/state"
	run timeout 20 "$BUILD/printgated" -c "$CONF"
	assert_rc "printgated refuses a state folder of mode $m" 2
	assert_out "printgated names the state folder of mode $m and the fix" \
	    "state folder '$T/state' can be written by" "(mode $(printf %04d "$m"))" "chmod 700 '$T/state'"
	run ctl outbox
	assert_rc "printgatectl outbox refuses a state folder of mode $m" 2
	assert_out "printgatectl names the state folder of mode $m" "state folder '$T/state' can be written by"
done
chmod 700 "$T/state"
chmod 777 "$T/state/outbox"
run timeout 20 "$BUILD/printgated" -c "$CONF"
assert_rc "printgated refuses an outbox folder others can write" 2
assert_out "the outbox folder is named" "state folder '$T/state/outbox' can be written by anyone"
chmod 700 "$T/state/outbox"

# --- item 8: printgatectl run as root in the service user's folder ------

# a given-up delivery, as printgated leaves it in dead
id=00112233445566778899aabbccddeeff
dead_file() {
	printf 'printgate-delivery 1\nid: %s\ntarget: mm\nevent: request\nreview: print/u2@0000000\nattempts: 7\nnext: 0\ncreated: 0\nlast-error: HTTP 410\n\n{"text":"x"}' "$id"
}
if is_root; then
	chown -R 65534:65534 "$T/state"
	dead_file >"$T/state/dead/$id"
	chown 65534:65534 "$T/state/dead/$id"
	# the service user plants a link at the name retry writes
	ln -s "$T/outside" "$T/state/outbox/$id"
	chown -h 65534:65534 "$T/state/outbox/$id"
	run ctl outbox retry "$id"
	assert_rc "root: outbox retry in the service user's folder works" 0
	assert "root: the file behind the planted link is unchanged" outside_unchanged
	assert "root: the requeued delivery is a file, not the link" \
	    sh -c "[ -f '$T/state/outbox/$id' ] && [ ! -L '$T/state/outbox/$id' ]"
	assert "root: the requeued delivery belongs to the folder's owner" \
	    test "$(stat -c %u:%g "$T/state/outbox/$id")" = 65534:65534
	assert "root: the requeued delivery is mode 0600" \
	    test "$(stat -c %a "$T/state/outbox/$id")" = 600
	assert "root: retry left no temporary file" \
	    sh -c "[ -z \"\$(ls -A '$T/state/outbox' | grep '^\.tmp-')\" ]"

	# a link at the dead delivery (to /etc/shadow or the outside file)
	rm "$T/state/outbox/$id"
	ln -s "$T/outside" "$T/state/dead/$id"
	run ctl outbox retry "$id"
	assert_rc "root: a link in dead is no delivery: nothing found" 1
	assert_out "root: retry says the dead file is not a delivery" "not a delivery"
	assert "root: nothing was requeued from the link" test ! -e "$T/state/outbox/$id"
	rm "$T/state/dead/$id"

	# the outbox folder replaced by a link to a folder of root's
	mkdir "$T/rootdir"
	dead_file >"$T/state/dead/$id"
	mv "$T/state/outbox" "$T/state/outbox.real"
	ln -s "$T/rootdir" "$T/state/outbox"
	run ctl outbox retry "$id"
	assert_rc "root: retry refuses an outbox folder that is a link" 2
	assert_out "root: the linked outbox folder is named" \
	    "state folder '$T/state/outbox' is a symbolic link, which printgate does not follow"
	assert "root: nothing was written where the link points" \
	    sh -c "[ -z \"\$(ls -A '$T/rootdir')\" ]"
	assert "root: the dead delivery is still there" test -f "$T/state/dead/$id"
	rm "$T/state/outbox"
	mv "$T/state/outbox.real" "$T/state/outbox"

	# another user may not use root's (or anyone else's) state folder
	chown -R 0:0 "$T/state"
	chmod 755 "$T" "$T/state"
	chmod 644 "$CONF"
	run setpriv --reuid 65534 --regid 65534 --clear-groups \
	    "$BUILD/printgatectl" -c "$CONF" outbox
	assert_rc "another user: printgatectl outbox refuses root's state folder" 2
	assert_out "another user: the owner and the fix are named" \
	    "state folder '$T/state' belongs to root, not to nobody who runs this: run it as root, or chown -R nobody '$T/state'"
	chmod 700 "$T" "$T/state"
	chmod 600 "$CONF"
else
	for d in "root: outbox retry in the service user's folder" \
	    "root: a link in dead" "root: an outbox folder that is a link" \
	    "another user: root's state folder"; do
		skip "$d" "needs root to make files of another user"
	done
fi

# install-hook, run again (as root in CI) with links planted in hooks/
hook="$REPO/hooks/update"
rm -f "$hook"
ln -s "$T/outside" "$hook"
ln -s "$T/outside" "$hook.printgate-tmp"
run ctl install-hook --force
assert_rc "install-hook over a planted link succeeds" 0
assert "install-hook: the file behind the planted links is unchanged" outside_unchanged
assert "install-hook: the hook is a file of its own, mode 0755" \
    sh -c "[ -f '$hook' ] && [ ! -L '$hook' ] && [ \"\$(stat -c %a '$hook')\" = 755 ]"
assert "install-hook: no temporary file is left" \
    sh -c "[ -z \"\$(ls -A '$REPO/hooks' | grep '^\.tmp-')\" ]"
# the hooks folder replaced by a link to a folder of root's (think
# /etc/cron.hourly): install-hook writes nothing there
mkdir "$T/hookdir"
mv "$REPO/hooks" "$REPO/hooks.real"
ln -s "$T/hookdir" "$REPO/hooks"
run timeout 20 "$BUILD/printgatectl" -c "$CONF" install-hook --force
assert_rc "install-hook refuses a hooks folder that is a link" 2
assert_out "install-hook names the linked hooks folder and the fix" \
    "$REPO/hooks is a symbolic link, which install-hook does not follow" \
    "core.hooksPath"
assert "install-hook wrote nothing where the hooks link points" \
    sh -c "[ -z \"\$(ls -A '$T/hookdir')\" ]"
rm "$REPO/hooks"
mv "$REPO/hooks.real" "$REPO/hooks"

# a FIFO, or a link to /dev/zero, planted at hooks/update: install-hook
# must not block or read forever; it is not printgate's hook
for what in fifo zero; do
	rm -f "$hook"
	if [ "$what" = fifo ]; then mkfifo "$hook"; else ln -s /dev/zero "$hook"; fi
	run timeout 20 "$BUILD/printgatectl" -c "$CONF" install-hook
	assert_rc "install-hook over a planted $what at update: refused, no hang" 2
	assert_out "install-hook over a planted $what says what to do" \
	    "is not printgate's" "--force"
done
rm -f "$hook"
run ctl install-hook
assert_rc "install-hook into the hooks folder again" 0
commit "emea 3" "brochures/emea/c.txt=c"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/u3
push_as rruiz print/u3
assert_rc "the rewritten hook still refuses an unapproved print tag" 1

finish
