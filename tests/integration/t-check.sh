#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# printgatectl check tells the truth both ways: secrets that printgated
# will take from its unit's credentials folder at service start are found
# there (not reported missing), and a repository path that is not there,
# or is not a repository, fails the check.
. "$(dirname "$0")/lib.sh"

git -c init.defaultBranch=main init -q --bare "$REPO"
mkdir -p "$T/etc/credentials"
write_config
# the config where the unit expects it, its secrets where the unit's
# LoadCredential= lines take them from, none next to the config
mv "$CONF" "$T/etc/printgate.conf"
CONF="$T/etc/printgate.conf"
mv "$T/slack.url" "$T/etc/credentials/slack.url"
unset CREDENTIALS_DIRECTORY

run ctl check
assert_rc "check: secrets in the unit's credentials folder, unset CREDENTIALS_DIRECTORY" 0
assert_out "check says where the secrets are read from, and when" \
    "sales: $T/etc/credentials/slack.url" \
    "read from $T/etc/credentials, as printgated's LoadCredential= copies them at service start"
assert_no_out "check does not call them missing" "No such file"

# printgated@NAME: NAME.conf and credentials/NAME
cp "$CONF" "$T/etc/sales.conf"
mkdir -p "$T/etc/credentials/sales"
cp "$T/etc/credentials/slack.url" "$T/etc/credentials/sales/"
run "$BUILD/printgatectl" -c "$T/etc/sales.conf" check
assert_rc "check of an instance's config: its credentials/NAME folder" 0
assert_out "check names the instance's folder" \
    "sales: $T/etc/credentials/sales/slack.url"

run env CREDENTIALS_DIRECTORY="$T/nowhere" "$BUILD/printgatectl" -c "$CONF" check
assert_rc "check with CREDENTIALS_DIRECTORY set elsewhere: the secret is missing" 2
assert_out "check says which secret is missing where" \
    "secret file '$T/nowhere/slack.url'"

rm -rf "$T/etc/credentials"
run ctl check
assert_rc "check without a credentials folder: the secret next to the config is missing" 2
assert_out "check names the missing file" "secret file '$T/etc/slack.url'"

# the repository: mistyped, or not a repository
mkdir -p "$T/etc/credentials"
printf 'https://hooks.slack.invalid/T/B/X\n' >"$T/etc/credentials/slack.url"
chmod 600 "$T/etc/credentials/slack.url"
sed "s|^repository = .*|repository = \"$T/repo.gti\";|" "$CONF" >"$T/etc/typo.conf"
mkdir -p "$T/etc/credentials/typo"
cp "$T/etc/credentials/slack.url" "$T/etc/credentials/typo/"
run "$BUILD/printgatectl" -c "$T/etc/typo.conf" check
assert_rc "check: a repository path that is not there exits 2" 2
assert_out "check says the repository is not there and what to set" \
    "repository '$T/repo.gti': No such file or directory" "set 'repository'"
mkdir -p "$T/plain"
sed "s|^repository = .*|repository = \"$T/plain\";|" "$CONF" >"$T/etc/typo.conf"
run "$BUILD/printgatectl" -c "$T/etc/typo.conf" check
assert_rc "check: a folder that is not a repository exits 2" 2
assert_out "check says it is not a git repository" \
    "repository '$T/plain' is not a git repository"
run ctl check
assert_rc "check: the real repository passes" 0
assert_out "check says how it is shared" "sharing     none"
finish
