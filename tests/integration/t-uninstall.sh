#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Taking printgate off a repository: install-hook --force keeps the hook
# it replaces; once printgate is uninstalled the hook refuses pushes
# saying what to do (not "exec: ...: not found"); make uninstall names
# the repositories that still have the hook; uninstall-hook puts the old
# hook back, after which a branch push passes.
. "$(dirname "$0")/lib.sh"

# printed_undo: the git command uninstall-hook printed to undo
# core.useReplaceRefs, from the last run's output
printed_undo() {
	sed -n 's/^    \(git --git-dir=.* config --unset core.useReplaceRefs\)$/\1/p' "$OUT"
}

git -c init.defaultBranch=main init -q --bare "$REPO"
printf '#!/bin/sh\necho "remote: the old hook ran for $1"\nexit 0\n' \
    >"$REPO/hooks/update"
chmod 755 "$REPO/hooks/update"
cp "$REPO/hooks/update" "$T/old-hook"

dest="$T/dest"
run make -C "$top" --no-print-directory install DESTDIR="$dest" PREFIX=/usr \
    BUILD="$BUILD" SYSCONFDIR=/etc
assert_rc "make install DESTDIR=..." 0
mkdir -p "$dest/etc/printgate"
CONF="$dest/etc/printgate/printgate.conf"
write_config
# The installed printgatectl, built with make's default PREFIX but
# installed with PREFIX=/usr, points the hook at the printgate-update
# installed beside it (PREFIX/libexec/printgate), not at /usr/local's
git -c init.defaultBranch=main init -q --bare "$T/other.git"
sed "s|^repository = .*|repository = \"$T/other.git\";|" "$CONF" \
    >"$dest/etc/printgate/other.conf"
run "$dest/usr/bin/printgatectl" -c "$dest/etc/printgate/other.conf" install-hook
assert_rc "the installed printgatectl installs the hook" 0
assert_out "it names the installed hook program" \
    "a copy of $dest/usr/libexec/printgate/printgate-update, with"
assert_no_out "it does not point at a program that is not there" \
    "is not there yet"
assert "the hook is a copy of the printgate-update of that installation" \
    cmp -s "$dest/usr/libexec/printgate/printgate-update" \
    "$T/other.git/hooks/update"
assert "its settings name that program" \
    grep -qxF "program $dest/usr/libexec/printgate/printgate-update" \
    "$T/other.git/hooks/update.printgate"
# The programs as an installation holds them, side by side: install-hook
# points the hook at the printgate-update next to printgatectl.
mkdir -p "$T/bin"
cp "$BUILD/printgatectl" "$BUILD/printgate-update" \
    "$BUILD/printgate-update-local" "$T/bin/"
ctl() { "$T/bin/printgatectl" -c "$CONF" "$@"; }

run ctl install-hook --force
assert_rc "install-hook --force over another hook" 0
assert_out "install-hook says it kept the old hook" \
    "kept the previous hook as $REPO/hooks/update.before-printgate"
assert "the old hook is kept, unchanged" \
    cmp -s "$T/old-hook" "$REPO/hooks/update.before-printgate"
assert "the new hook's settings name the installed program" \
    grep -qxF "program $T/bin/printgate-update" "$REPO/hooks/update.printgate"

git -c init.defaultBranch=main init -q "$WORK"
git -C "$WORK" remote add origin "$REPO"
commit "first" brochures/emea/a.txt=one
push_as rruiz main
assert_rc "a branch push through the installed hook" 0

# make uninstall, with the config still in DESTDIR's /etc/printgate
run make -C "$top" --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr \
    BUILD="$BUILD" SYSCONFDIR=/etc
assert_rc "make uninstall" 0
assert_out "make uninstall names the repository that still has the hook" \
    "printgate's update hook is still in $REPO" \
    "uninstall-hook"
assert_out "it says to put back the hook printgate replaced, as a command" \
    "put back the hook it replaced: mv '$REPO/hooks/update.before-printgate' '$REPO/hooks/update'"
assert_out "where printgate replaced none, it says to delete the hook" \
    "printgate's update hook is still in $T/other.git" \
    "delete it: rm '$T/other.git/hooks/update'"
assert_no_out "it never names a hook to put back that is not there" \
    "$T/other.git/hooks/update.before-printgate"
rm "$T/other.git/hooks/update" "$T/other.git/hooks/update.printgate" \
    "$dest/etc/printgate/other.conf"
rm -rf "$T/bin"

commit "second" brochures/emea/a.txt=two
push_as rruiz main
assert_rc "with printgate gone, the hook refuses the push" 1
assert_out "the pusher is told why and what to do" \
    "which is not installed: every push is refused until an administrator" \
    "printgatectl uninstall-hook, or delete"
assert_no_out "not sh's own words" "not found"

# uninstall-hook from the build (the installed one is gone with it)
ctl() { "$BUILD/printgatectl" -c "$CONF" "$@"; }
run ctl uninstall-hook
assert_rc "uninstall-hook" 0
assert_out "uninstall-hook says it put the old hook back" \
    "put back the one it replaced: $REPO/hooks/update"
assert "the old hook is back, unchanged" cmp -s "$T/old-hook" "$REPO/hooks/update"
assert_out "it says core.useReplaceRefs stays false, and how to undo it" \
    "core.useReplaceRefs stays false, as install-hook set it" \
    "git --git-dir='$REPO/' config --unset core.useReplaceRefs"
undo=$(printed_undo)
run sh -c "$undo"
assert_rc "the command it gives undoes it" 0
run git --git-dir="$REPO" config core.useReplaceRefs
assert_rc "core.useReplaceRefs is unset after it" 1
assert_not "nothing is kept aside any more" \
    test -e "$REPO/hooks/update.before-printgate"
push_as rruiz main
assert_rc "a branch push passes after uninstall-hook" 0
assert_out "the old hook ran again" "the old hook ran for refs/heads/main"
run sh "$top/scripts/hooks-left.sh" "$dest/etc/printgate"
if [ -s "$OUT" ]; then fail "no repository is named once the hook is gone"
else pass "no repository is named once the hook is gone"; fi

run ctl uninstall-hook
assert_rc "uninstall-hook over a hook that is not printgate's: exit 2" 2
assert_out "it leaves it alone, and says so" "is not printgate's hook; left as it is"
rm "$REPO/hooks/update"
run ctl uninstall-hook
assert_rc "uninstall-hook with no hook: exit 1" 1

# without a hook to keep, uninstall-hook just removes printgate's
run ctl install-hook
run ctl uninstall-hook
assert_rc "uninstall-hook of a hook that replaced nothing" 0
assert_not "no hook is left" test -e "$REPO/hooks/update"
assert_not "nor its settings" test -e "$REPO/hooks/update.printgate"

# a repository whose path has a quote: the command it prints still works
Q="$T/it's.git"
git -c init.defaultBranch=main init -q --bare "$Q"
sed "s|^repository = .*|repository = \"$Q\";|" "$CONF" >"$T/quote.conf"
run "$BUILD/printgatectl" -c "$T/quote.conf" install-hook
assert_rc "install-hook in a repository whose path has a quote" 0
run "$BUILD/printgatectl" -c "$T/quote.conf" uninstall-hook
assert_rc "uninstall-hook there" 0
undo=$(printed_undo)
run sh -c "$undo"
assert_rc "the command it prints for that path undoes it" 0
run git --git-dir="$Q" config --local core.useReplaceRefs
assert_rc "core.useReplaceRefs is unset there after it" 1

# set in ~/.gitconfig only: not install-hook's doing, and not named
git config --global core.useReplaceRefs false
run ctl install-hook
git --git-dir="$REPO" config --unset core.useReplaceRefs
run ctl uninstall-hook
assert_rc "uninstall-hook with core.useReplaceRefs set only in ~/.gitconfig" 0
assert_no_out "it names no setting of the repository's that is not there" \
    "core.useReplaceRefs stays false"
git config --global --unset core.useReplaceRefs
rm -rf "$dest"
finish
