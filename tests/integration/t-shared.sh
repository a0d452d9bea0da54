#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A group-shared repository (git init --shared=group) stays writable by
# the group whatever printgate creates in it, with the 022 umask of a web
# server or an ssh login: the pending refs, the ledger's notes and their
# objects, written by printgated on the warm path (its gate socket mode
# 0660 and the repository's group) and by the hook itself once
# printgated is stopped.  printgatectl check reports the folders that
# would break that, with the commands that fix it, and a repository path
# that is not a repository.  (t-deploy.sh does the same across real
# users, as root.)
. "$(dirname "$0")/lib.sh"

umask 022
git -c init.defaultBranch=main init -q --bare --shared=group "$REPO"
# as root, a group of its own, so that the socket's group means something
if [ "$(id -u)" -eq 0 ] && getent group users >/dev/null; then
	chgrp -R users "$REPO"
fi
write_config
run ctl install-hook
assert_rc "install-hook on a shared repository" 0
start_gate
SOCK="$T/state/gate.sock"
assert "the gate socket is mode 0660, in the repository's group" \
    test "$(stat -c %a:%g "$SOCK")" = "660:$(stat -c %g "$REPO")"
git -c init.defaultBranch=main init -q "$WORK"
git -C "$WORK" remote add origin "$REPO"
commit "EMEA brochure" brochures/emea/a.txt=one
push_as rruiz main
tag print/q1
push_as rruiz print/q1
assert_rc "the unapproved print tag is refused" 1
assert "printgated decided it on the warm path" \
    grep -q "gate 'refs/tags/print/q1' from uid $(id -u) pid [0-9]* (REMOTE_USER 'rruiz'): refused" "$GLOG"

# group_writable PATH: a folder the group may write, setgid; a file the
# group may write.
group_writable() {
	[ -e "$1" ] || return 1
	m=$(stat -c %A "$1")
	case "$m" in
	d????w[sS]*) return 0 ;;
	-????w*) return 0 ;;
	esac
	return 1
}
assert "the hook's refs/printgate folder is group-writable and setgid" \
    group_writable "$REPO/refs/printgate"
assert "refs/printgate/pending is group-writable and setgid" \
    group_writable "$REPO/refs/printgate/pending"
assert "the pending ref is group-writable" \
    group_writable "$REPO/refs/printgate/pending/q1"
assert "refs/notes, written by the hook, is group-writable and setgid" \
    group_writable "$REPO/refs/notes"
bad=$(find "$REPO/objects" -type d ! -perm -2070 | head -n 1)
if [ -z "$bad" ]; then pass "every object folder is group-writable and setgid"
else fail "every object folder is group-writable and setgid" "$bad"; fi

# printgated stopped: the hook decides itself, and what it writes is as
# shared
stop_gate
n=$(gate_served)
commit "APAC brochure" brochures/apac/b.txt=two
push_as rruiz main
tag print/q2
push_as rruiz print/q2
assert_rc "printgated stopped: the print tag is refused by the hook" 1
assert_out "printgated stopped: the same refusal" "print/q2" "waits for approval"
assert "printgated stopped: it decided nothing" test "$(gate_served)" -eq "$n"
assert "the hook's pending ref is group-writable" \
    group_writable "$REPO/refs/printgate/pending/q2"
bad=$(find "$REPO/refs" "$REPO/objects" -type d ! -perm -2070 | head -n 1)
if [ -z "$bad" ]; then pass "every folder, after both paths, is group-writable and setgid"
else fail "every folder, after both paths, is group-writable and setgid" "$bad"; fi

# the pushers, who run the hook, pass the test's folder to the config
chmod 755 "$T"
run ctl check
assert_rc "check: a shared repository whose folders the group can write" 0
assert_out "check says how the repository is shared" \
    "sharing     group" "core.sharedRepository = 0660"

chmod g-ws "$REPO/refs/notes"
run ctl check
assert_rc "check: a folder the group cannot write exits 2" 2
assert_out "check names the folder and gives the fix" \
    "is shared with group" "$REPO/refs/notes" "chmod -R g+rwX" \
    "find '$REPO' -type d -exec chmod g+s {} +"
chmod g+ws "$REPO/refs/notes"

# the hook runs as each pusher and reads the config: one that only its
# owner can read (or a folder above it the pushers cannot pass) refuses
# every print tag, and check, run as root, must say so
chmod 600 "$CONF"
run ctl check
assert_rc "check: a config the pushers cannot read exits 2" 2
assert_out "check names the config, who cannot read it and the fix" \
    "$CONF: the update hook runs as each pusher (group" \
    "who cannot read it, so every print tag would be refused: chmod o+r $CONF"
chmod 644 "$CONF"
chmod 700 "$T"
run ctl check
assert_rc "check: a folder above the config the pushers cannot pass exits 2" 2
assert_out "check names the folder and the fix" \
    "$T: the update hook runs as each pusher" "chmod o+x $T"
chmod 755 "$T"

git config --file "$REPO/config" core.sharedRepository nonsense
push_as rruiz print/q1
assert_rc "a core.sharedRepository git refuses: the tag is refused" 1
assert_out "the pusher is told what is wrong" \
    "core.sharedRepository = 'nonsense' is not a value git accepts"
git config --file "$REPO/config" core.sharedRepository group

# --- a user who cannot read the repository or the state folder is told
# so (exit 2), never "nothing found".  Needs root to be another user.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	pass "# SKIP reading as another user needs root and setpriv"
	finish
fi
chmod 755 "$T"
chmod 644 "$CONF"
mkdir -p "$T/nobody" "$T/state/outbox" "$T/state/dead"
chmod 700 "$T/state" "$T/state/outbox" "$T/state/dead"
printf '[safe]\n\tdirectory = %s\n' "$REPO" >"$T/nobody/.gitconfig"
chmod -R a+rX "$T/nobody"
as_nobody() {
	run env HOME="$T/nobody" setpriv --reuid=nobody --regid=nogroup \
	    --clear-groups "$BUILD/printgatectl" -c "$CONF" "$@"
}
chmod 750 "$REPO/refs/printgate/pending"
as_nobody pending
assert_rc "pending, as a user who cannot read the pending refs: exit 2" 2
assert_out "pending says what it could not read and why" \
    "cannot read the repository" "refs/printgate/pending: Permission denied" \
    "you are nobody"
assert_no_out "pending does not say that nothing waits" "no print tag waits"
chmod 2775 "$REPO/refs/printgate/pending"
chmod 750 "$REPO/refs/tags"
git --git-dir="$REPO" tag -a print/old -m old main
as_nobody status print/old
assert_rc "status of an existing tag the user cannot read: exit 2" 2
assert_no_out "status does not say the tag is not there" "is neither a print tag"
chmod 2775 "$REPO/refs/tags"
as_nobody outbox
assert_rc "outbox, as a user who cannot read the state folder: exit 2" 2
assert_out "outbox says what it could not read" \
    "cannot read state folder '$T/state': Permission denied (as nobody): run this as printgated's user or root"
assert_no_out "outbox does not say that nothing waits" "no delivery waits"

# --- a repository of another user: libgit2 refuses it; the hint names the
# absolute path (the hook opens ".") and the command that allows it.
if grep -qsF "$REPO" /etc/gitconfig; then
	fail "the system git config does not name the test repository"
fi
mkdir -p "$T/empty"
chmod 755 "$T/empty"
run env HOME="$T/empty" setpriv --reuid=nobody --regid=nogroup \
    --clear-groups "$BUILD/printgatectl" -c "$CONF" pending
assert_rc "printgatectl on a repository of another user: exit 2" 2
assert_out "it says who owns it, who runs, and the command that allows it" \
    "it belongs to root, this runs as nobody" \
    "as root run 'git config --system --add safe.directory $REPO'"
assert_no_out "not libgit2's own words" "config value 'safe.directory' was not found"
chmod -R a+rwX "$REPO"
git -C "$WORK" tag -a print/q9 -m q9
chmod -R a+rwX "$WORK"
# git's own check passes through a config file libgit2 1.5.1 does not read
printf '[safe]\n\tdirectory = %s\n\tdirectory = %s\n' "$REPO" "$WORK" \
    >"$T/git-only.config"
chmod 644 "$T/git-only.config"
run env HOME="$T/empty" REMOTE_USER=rruiz GIT_CONFIG_GLOBAL="$T/git-only.config" \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    git -C "$WORK" push origin print/q9
assert_rc "a push by another user: git lets it in, the hook refuses" 1
assert_out "the hook's hint names the repository's absolute path, not '.'" \
    "cannot open repository '$REPO': it belongs to root, this runs as nobody" \
    "safe.directory $REPO'"

finish
