#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The update hook as install-hook writes it: a copy of printgate-update
# that git runs with no shell, and its settings in hooks/update.printgate.
# Settings missing, cut short, planted as a FIFO or naming other paths
# refuse the push saying what to do; a copy older than the program it
# came from, or the shell script of an earlier install, is found by
# check and replaced by install-hook.
. "$(dirname "$0")/lib.sh"

setup
HOOK="$REPO/hooks/update"
SIDE="$HOOK.printgate"
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"

assert "install-hook copies printgate-update" cmp -s "$BUILD/printgate-update" "$HOOK"
assert "the hook is no script: git runs no shell for it" \
    sh -c "head -c 4 '$HOOK' | od -c | grep -q 'E   L   F'"
assert "its settings name the program, the config and the gate socket" \
    sh -c "grep -qxF 'program $BUILD/printgate-update' '$SIDE' &&
	grep -qxF 'config $(realpath "$CONF")' '$SIDE' &&
	grep -qxF 'socket $T/state/gate.sock' '$SIDE'"
push_as rruiz main
assert_rc "a branch push through the copy" 0

# --- the settings, missing or broken: refused, saying what to do
cp "$SIDE" "$T/settings"
rm "$SIDE"
commit "two" brochures/emea/q1.txt="two"
push_as rruiz main
assert_rc "settings missing: the push is refused" 1
assert_out "the pusher is told which file and what to do" \
    "printgate: refusing refs/heads/main: cannot read the hook's settings $SIDE: No such file or directory" \
    "printgatectl install-hook"
head -c 40 "$T/settings" >"$SIDE"
push_as rruiz main
assert_rc "settings cut short: refused" 1
assert_out "the line that is wrong is named" "the hook's settings $SIDE: line 1 is not"
sed 's/^config /cnofig /' "$T/settings" >"$SIDE"
push_as rruiz main
assert_rc "an unknown setting: refused" 1
assert_out "the unknown line is named" "line 6 is not"
sed 's/^config \(.*\)$/config relative.conf/' "$T/settings" >"$SIDE"
push_as rruiz main
assert_rc "a relative path in the settings: refused" 1
grep -v '^config ' "$T/settings" >"$SIDE"
push_as rruiz main
assert_rc "no config in the settings: refused" 1
assert_out "it says what is missing" "name no program or no config"
rm "$SIDE"
mkfifo "$SIDE"
run timeout 20 env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz "$HOOK" \
    refs/heads/main "$(git -C "$REPO" rev-parse main)" "$(rev HEAD)"
assert_rc "a FIFO planted as the settings: refused, no hang" 1
assert_out "it says it is no regular file" "not a regular file"
rm "$SIDE"
cp "$T/settings" "$SIDE"
push_as rruiz main
assert_rc "the settings back: the push passes" 0

# --- printgate-update run by hand with no options reads no settings
run env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz "$BUILD/printgate-update" \
    refs/heads/other 0000000000000000000000000000000000000000 "$(rev HEAD)"
assert_rc "printgate-update itself, no options: decides (no settings needed)" 0

# --- a copy older than its program, and an earlier install's script
printf 'an older build' >>"$HOOK"
run ctl check
assert_out "check says the copy is not the program it names" \
    "the hook $HOOK is a copy of an earlier $BUILD/printgate-update: run printgatectl -c $CONF install-hook"
run ctl install-hook
assert_rc "install-hook over its own older copy" 0
assert "the copy is current again" cmp -s "$BUILD/printgate-update" "$HOOK"
run ctl check
assert_no_out "check is content" "is a copy of an earlier"
rm "$SIDE"
printf '#!/bin/sh\n# printgate update hook: installed by printgatectl install-hook.\nexec %s -c %s "$@"\n' \
    "$BUILD/printgate-update" "$CONF" >"$HOOK"
run ctl check
assert_out "check finds an earlier install's script" \
    "the hook $HOOK is the script of an earlier install"
commit "three" brochures/emea/q1.txt="three"
push_as rruiz main
assert_rc "an earlier install's script still gates" 0
run ctl install-hook
assert_rc "install-hook replaces an earlier install's script as its own" 0
assert "the script is now the copy" cmp -s "$BUILD/printgate-update" "$HOOK"
assert "and its settings are written" test -s "$SIDE"

# --- printgate uninstalled: the copy refuses, naming what to do
mkdir -p "$T/bin"
cp "$BUILD/printgatectl" "$BUILD/printgate-update" \
    "$BUILD/printgate-update-local" "$T/bin/"
run "$T/bin/printgatectl" -c "$CONF" install-hook
rm -rf "$T/bin"
commit "four" brochures/emea/q1.txt="four"
push_as rruiz main
assert_rc "printgate gone: the copy refuses the push" 1
assert_out "it says what is not installed and how to remove the hook" \
    "this repository's update hook runs \"$T/bin/printgate-update\", which is not installed" \
    "printgatectl uninstall-hook, or delete \"$HOOK\" and \"$SIDE\""
run ctl uninstall-hook
assert_rc "uninstall-hook" 0
assert_not "the copy is gone" test -e "$HOOK"
assert_not "and its settings" test -e "$SIDE"
finish
