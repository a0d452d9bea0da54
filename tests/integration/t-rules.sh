#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Rules through real pushes: the Opportunity condition, carry-over of
# approvals to unchanged content, immutable print tags, printgate's own
# refs, and a broken config failing closed.
# gate: both ways
. "$(dirname "$0")/lib.sh"

setup
commit "first" brochures/emea/a.txt="EMEA A" brochures/apac/b.txt="APAC B"
c1=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main

# --- the Opportunity >= 2000000 rule
tag print/big "Opportunity: 2500000"
push_as rruiz print/big
assert_rc "tag above the threshold: refused" 1
assert_out "the big-deal rule applies above the threshold" \
    "big-deal  0 of 1   brand: dave" "review requested from alice, bob, carol, erin, dave"
tag print/small "Opportunity: 1,500,000"
push_as rruiz print/small
assert_rc "tag below the threshold: refused for the other rules" 1
assert_no_out "the big-deal rule does not apply below the threshold" "big-deal"
run ctl status print/small
assert_out "status says why big-deal does not apply" \
    "big-deal  does not apply: Opportunity: 1,500,000 is not >= 2000000"
run ctl status print/big
assert_out "status says why big-deal applies" \
    "applies: Opportunity: 2500000 is >= 2000000"

# --- carry-over: approvals of print/small's content
ctl decide print/small --as alice approve >/dev/null
ctl decide print/small --as bob approve >/dev/null
ctl decide print/small --as erin approve >/dev/null
run ctl status print/small
assert_rc "print/small is approved" 0

# The marketer changes the APAC brochure before it is printed; the EMEA
# files are unchanged.
commit "fix apac" brochures/apac/b.txt="APAC B, fixed"
c2=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/small-v2 "Opportunity: 1500000"
push_as rruiz print/small-v2
assert_rc "changed APAC file: refused" 1
assert_no_out "the unchanged EMEA rule needs no new approval" "emea "
assert_out "the changed APAC rule needs a new approval" "apac  0 of 1   sales-apac: erin"
assert_out "the refusal says which file changed since whom" \
    "brochures/apac/b.txt changed since erin approved"
run ctl status print/small-v2
assert_rc "status of the new candidate exits 1" 1
assert_out "status shows the EMEA approvals carried over" \
    "emea      2 of 2   sales-emea: alice (approved, carried over), bob (approved, carried over), carol"
assert_out "status says which file changed" \
    "brochures/apac/b.txt changed since erin approved"
ctl decide print/small-v2 --as erin approve >/dev/null
push_as rruiz print/small-v2
assert_rc "after the new APAC approval: released" 0
assert_out "released" "is approved: released"
ledger "$c2" >"$OUT"
assert_out "the released event is recorded on the new commit" '"type":"released"' '"tag":"print/small-v2"'

# A later print after a release: only files changed since are in scope.
commit "datasheet" datasheets/w.txt="W"
tag print/next
push_as rruiz print/next
assert_rc "later print: refused" 1
assert_out "only the rule of the changed file" "emea  0 of 2"
assert_no_out "the APAC rule is out of scope" "apac"
run ctl status print/next
assert_out "the scope is relative to the last print" \
    "scope    1 file changed since print/small-v2" "A datasheets/w.txt"

# A print tag made on the server around the hook is no base for the next
# review: its content was never reviewed.
git --git-dir="$REPO" update-ref refs/tags/print/bypass "$(rev HEAD)"
commit "another" datasheets/v.txt="V"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/after
push_as rruiz print/after
run ctl status print/after
assert_out "a bypassing tag is not the base: scope since the last released print" \
    "scope    2 files changed since print/small-v2" "A datasheets/v.txt" "A datasheets/w.txt"

# --- print tags are immutable
git -C "$WORK" tag -f -a print/small-v2 -m moved "$c1" >/dev/null
push_as rruiz -f print/small-v2
assert_rc "moving a print tag: refused" 1
assert_out "refusal says print tags are immutable" \
    "refusing to move print/small-v2: print tags are immutable"
push_as rruiz :refs/tags/print/small-v2
assert_rc "deleting a print tag: refused" 1
assert_out "refusal says so" "refusing to delete print/small-v2"
assert "the print tag is still on the server" remote_ref refs/tags/print/small-v2

# --- printgate's own refs
push_as rruiz "HEAD:refs/printgate/pending/forged"
assert_rc "pushing refs/printgate/*: refused" 1
assert_out "refusal says they are printgate's" \
    "refusing refs/printgate/pending/forged: printgate's own refs are written only by printgate"
forged=$(rev HEAD)
git -C "$WORK" notes --ref=printgate add -m '{"v":1,"type":"approve","at":"2026-01-01T00:00:00Z","by":"alice","via":"cli:x"}' HEAD
push_as rruiz -f refs/notes/printgate
assert_rc "force-pushing refs/notes/printgate: refused" 1
assert_out "refusal names the ledger ref" \
    "refusing refs/notes/printgate: printgate's own refs are written only by printgate"
ledger "$forged" >"$OUT"
assert_no_out "the forged note is not in the ledger" '{"v":1,"type":"approve","at":"2026-01-01T00:00:00Z","by":"alice","via":"cli:x"}'

# --- a broken config fails closed for tags, lets branches through
cp "$CONF" "$T/good.conf"
cat >>"$CONF" <<'CONF'
review = { self_aproval = true; };
CONF
commit "more" brochures/emea/c.txt="C"
tag print/broken
push_as rruiz print/broken
assert_rc "broken config: print tag refused" 1
assert_out "the refusal carries the config error with file and line" \
    "the printgate configuration is broken" "pg.conf:" "self_aproval" \
    "printgatectl -c $CONF check"
git -C "$WORK" tag -a v9 -m "not a print"
push_as rruiz v9
assert_rc "broken config: every tag refused" 1
push_as rruiz main
assert_rc "broken config: a branch push passes" 0
assert "the branch landed" test "$(remote_ref refs/heads/main)" = "$(rev HEAD)"
printf 'garbage {{{\n' >"$CONF"
push_as rruiz print/broken
assert_rc "unparsable config: print tag refused" 1
assert_out "the syntax error is named" "pg.conf:1"
rm -f "$CONF"
push_as rruiz print/broken
assert_rc "missing config: print tag refused" 1
assert_out "the missing file is named" "pg.conf"
if [ "${PRINTGATE_GATE:-}" = warm ]; then
	# printgated keeps the config it loaded, and so must not decide by
	# it once the file changed: the hooks above decided themselves
	assert "warm path: a config changed since printgated loaded it is the hook's to read" \
	    grep -q "gate 'refs/tags/print/broken' .*the config changed since printgated loaded it" "$GLOG"
	WARM_FALLBACK_OK="the config changed since printgated loaded it"
fi
cp "$T/good.conf" "$CONF"
reload_gate

finish
