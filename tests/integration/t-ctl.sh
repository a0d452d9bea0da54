#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# printgatectl against a real repository: check, install-hook, who,
# request, log, verify, self-approval, and 20 concurrent decisions.
. "$(dirname "$0")/lib.sh"

setup
# Alice authors EMEA collateral herself.
GIT_AUTHOR_NAME="Alice Ng" GIT_AUTHOR_EMAIL="ALICE@example.com" \
    commit "by alice" brochures/emea/a.txt="A"
c1=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/self
push_as rruiz print/self
assert_rc "print tag of alice's work: refused" 1
assert_out "alice is shown as an author who cannot approve" \
    "alice (author, cannot approve)"
run ctl decide print/self --as alice approve
assert_rc "an author may not approve her own collateral" 2
assert_out "the refusal says why" "alice authored a commit under review"
ledger "$c1" >"$OUT"
assert_no_out "nothing was recorded for alice" '"by":"alice"'

# --- 20 decisions at once on one commit: none lost
i=0
while [ $i -lt 20 ]; do
	ctl decide print/self --as bob approve --comment "n$i" >"$T/d$i" 2>&1 &
	i=$((i + 1))
done
wait
assert "all 20 decide processes succeeded" \
    sh -c "! grep -L '^recorded: bob approve' $T/d* | grep -q ."
n=$(ledger "$c1" | grep -c '"by":"bob"')
if [ "$n" -eq 20 ]; then pass "20 concurrent decisions leave 20 ledger lines"
else fail "20 concurrent decisions leave 20 ledger lines" "found $n"; fi
n=$(ledger "$c1" | grep -o '"comment":"n[0-9]*"' | sort -u | wc -l)
if [ "$n" -eq 20 ]; then pass "each of the 20 decisions is there once"
else fail "each of the 20 decisions is there once" "found $n distinct"; fi

# --- verify and log
run ctl verify
assert_rc "verify: a well-formed ledger exits 0" 0
assert_out "verify counts notes and events" "1 note, 21 events, 0 malformed lines"
git --git-dir="$REPO" notes --ref=printgate append -m 'not json' "$c1"
run ctl verify
assert_rc "verify: a malformed line exits 1" 1
assert_out "verify names the commit and line of the malformed one" \
    "$c1:" ": not JSON" "1 malformed line"
run ctl log print/self
assert_rc "log of a tag exits 0" 0
assert_out "log shows the request and decisions" "request" "approve" \
    "bob" "via cli:" "\"n7\"" "1 malformed line skipped"
run ctl log
assert_rc "log of everything exits 0" 0
assert_out "log of everything shows commits" "$(echo "$c1" | cut -c1-7)"

# --- who
run ctl who brochures/emea/new.pdf datasheets/x.pdf readme.txt
assert_rc "who: some path has reviewers" 0
assert_out "who lists rule, quorum and people with email" \
    "brochures/emea/new.pdf" \
    "emea: 2 of sales-emea (Alice Ng <alice@example.com>, Bob Brandt <bob@example.com>, Carol Diaz <carol@example.com>)" \
    "big-deal: 1 of brand (Dave Okafor <dave@example.com>) when Opportunity >= 2000000"
run ctl who readme.txt
assert_no_out "who: readme.txt is not under the EMEA rule" "emea:"
sed 's|paths = \[ "\*\*" \]|paths = [ "brochures/**" ]|' "$CONF" >"$T/narrow.conf"
run "$BUILD/printgatectl" -c "$T/narrow.conf" who readme.txt
assert_rc "who: no rule covers the path, exit 1" 1
assert_out "who says it prints without review" "no rule: prints without review"
run ctl who nothing/here.txt
assert_rc "who: a path only the conditional rule covers is still found" 0

# --- request before tagging
commit "apac" brochures/apac/x.txt="X"
c2=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
run ctl request "$c2" --tag print/apac-x
assert_rc "request: exits 0" 0
assert_out "request says what was requested" "review of print/apac-x requested" \
    "apac      0 of 1   sales-apac: erin"
ledger "$c2" >"$OUT"
assert_out "request is in the ledger" '"type":"request"' '"tag":"print/apac-x"' \
    '"via":"cli:'
run ctl request "$c2" --tag v1
assert_rc "request with a non-print tag name: error" 2
run ctl status "$c2"
assert_rc "status of a bare commit exits 1" 1
run ctl status no-such-thing
assert_rc "status of nothing exits 1" 1
assert_out "status says what it could not find" "'no-such-thing' is neither a print tag"

# --- pending
run ctl pending
assert_rc "pending: something waits, exit 0" 0
assert_out "pending lists the waiting tag and what it needs" \
    "print/self (" "waits for approval: emea 1 of 2"

# --- check
run ctl check
assert_rc "check: a good config exits 0" 0
assert_out "check summarises" "configuration OK" "rules" \
    "emea: 2 of sales-emea on brochures/emea/** datasheets/**"
chmod 644 "$T/slack.url"
run ctl check
assert_rc "check: a secret readable by others exits 2" 2
assert_out "check names the file, line and secret" "pg.conf:" "slack.url" "readable by others"
chmod 600 "$T/slack.url"
cat >"$T/bad.conf" <<'CONF'
repository = "/nowhere";
people = ( { id = "alice"; name = "A"; email = "a@example.com"; } );
groups = { g = [ "alice", "zed" ]; };
release_managers = "g";
rules = ( { name = "r"; paths = [ "**" ]; group = "nogroup"; required = 2; } );
CONF
run "$BUILD/printgatectl" -c "$T/bad.conf" check
assert_rc "check: a bad config exits 2" 2
assert_out "check reports every error in one pass, with file and line" \
    "bad.conf:3:" "zed" "bad.conf:5:" "nogroup"
run "$BUILD/printgated" -t -c "$T/bad.conf"
assert_rc "printgated -t: a bad config exits 2" 2
run "$BUILD/printgated" -t -c "$CONF"
assert_rc "printgated -t: a good config exits 0" 0

# --- install-hook
printf '#!/bin/sh\nexit 0\n' >"$REPO/hooks/update"
run ctl install-hook
assert_rc "install-hook: refuses to replace a foreign hook" 2
assert_out "install-hook says what to do" "is not printgate's" "--force"
run ctl install-hook --force
assert_rc "install-hook --force replaces it" 0
run ctl install-hook
assert_rc "install-hook again over its own hook" 0
assert "the hook is executable" test -x "$REPO/hooks/update"
git --git-dir="$REPO" config core.hooksPath custom-hooks
run ctl install-hook
assert_rc "install-hook with core.hooksPath" 0
assert "the hook goes where git will run it" test -x "$REPO/custom-hooks/update"

finish
