#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The update hook, through real pushes: who may push print tags, what a
# refused push says and records, approval with printgatectl decide, and
# changes-required blocking until the reviewer approves.
# gate: both ways
. "$(dirname "$0")/lib.sh"

setup
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1" \
    datasheets/widget.txt="Widget v1" readme.txt="About"
c1=$(rev HEAD)
tag print/2027-q1-brochure "Print-By: 2027-01-10"
tagobj=$(rev print/2027-q1-brochure)

# A release manager's unapproved tag is refused, the branch in the same
# push lands.
push_as rruiz main print/2027-q1-brochure
assert_rc "unapproved print tag: push exits non-zero" 1
assert_out "refusal names the tag, the commit and that it waits" \
    "remote: printgate: print/2027-q1-brochure (${c1%"${c1#???????}"}) waits for approval"
assert_out "refusal lists each unmet rule with its count and who can approve" \
    "emea  0 of 2   sales-emea: alice, bob, carol"
assert_out "refusal says the review was requested and where" \
    "review requested from alice, bob, carol on slack:sales"
assert_out "refusal says how to see the status" \
    "status: printgatectl status print/2027-q1-brochure"
assert_out "git reports the tag rejected by the hook" \
    "! [remote rejected] print/2027-q1-brochure -> print/2027-q1-brochure (hook declined)"
assert_out "the branch of the same push lands" "* [new branch]      main -> main"
assert "the branch is on the server" test "$(remote_ref refs/heads/main)" = "$c1"
assert_not "the print tag is not on the server" remote_ref refs/tags/print/2027-q1-brochure
assert "the tag object is kept under refs/printgate/pending/" \
    test "$(remote_ref refs/printgate/pending/2027-q1-brochure)" = "$tagobj"
ledger "$c1" >"$OUT"
assert_out "a request line is in the ledger" '"type":"request"' \
    '"by":"rita"' '"via":"hook"' '"tag":"print/2027-q1-brochure"' \
    "\"tag_object\":\"$tagobj\"" '"rules":["emea"]' '"fingerprints":{"emea":"'

# Pushing the same tag again does not ask twice.
push_as rruiz print/2027-q1-brochure
assert_rc "second push of the unapproved tag: refused again" 1
assert "the request is recorded once per tag object" \
    test "$(ledger "$c1" | grep -c '"type":"request"')" -eq 1

# Somebody who is not a release manager.
push_as bob print/2027-q1-brochure
assert_rc "non-release-manager's print tag: refused" 1
assert_out "refusal says only release managers may create print tags" \
    "only release managers may create print tags, and REMOTE_USER 'bob' is not one of them" \
    "release managers: release (rita)"
push_as rita print/2027-q1-brochure
assert_rc "a person's id does not stand for their login: refused" 1
assert_out "pushing as 'rita' is not Rita, who pushes as 'rruiz'" \
    "REMOTE_USER 'rita' is not one of them"
push_as rruiz "HEAD:refs/tags/print"
assert_rc "a tag named exactly 'print': refused" 1
assert_out "it would block every print tag" "it would stand in the way of every print tag"
run env -u REMOTE_USER git -C "$WORK" push origin print/2027-q1-brochure
assert_rc "push with no pusher identity: refused" 1
assert_out "refusal says the pusher is unknown" "cannot tell who is pushing"

# A lightweight print tag.
git -C "$WORK" tag print/light
push_as rruiz print/light
assert_rc "lightweight print tag: refused" 1
assert_out "refusal asks for an annotated tag" "a print tag must be an annotated tag"

# Non-print tags and branches pass untouched.
git -C "$WORK" tag -a v1.0 -m "not a print"
push_as bob v1.0
assert_rc "a non-print tag by anybody passes" 0
assert_no_out "a non-print push prints nothing from printgate" "remote: printgate"

# Status, then decisions.
run ctl status print/2027-q1-brochure
assert_rc "status of a waiting tag exits 1" 1
assert_out "status lists scope and rules" "waits for approval" \
    "first print: all 3 files" "A datasheets/widget.txt" \
    "emea      0 of 2" "apac      not in scope: no changed file under brochures/apac/**" \
    "big-deal  does not apply: no Opportunity trailer" "requested "

run ctl decide print/2027-q1-brochure --as alice approve
assert_rc "decide: alice approves" 0
assert_out "decide says what it recorded" \
    "recorded: alice approve print/2027-q1-brochure" "emea 1 of 2"
run ctl decide 2027-q1-brochure --as bob changes-required --comment "price is wrong"
assert_rc "decide: bob requires changes (short tag name)" 0
run ctl decide print/2027-q1-brochure --as carol approve
assert_rc "decide: carol approves" 0

# Quorum met but bob's changes-required blocks.
push_as rruiz print/2027-q1-brochure
assert_rc "quorum met, changes required: still refused" 1
assert_out "refusal names who requires changes and why" \
    "waits for changes" "bob (changes required)" \
    "changes required by bob: price is wrong"

run ctl decide print/2027-q1-brochure --as dave approve
assert_rc "decide: dave is in no group of an applicable rule" 2
assert_out "refusal says why dave may not decide" \
    "dave is not in the group of any rule that applies to this review"
run ctl decide print/2027-q1-brochure --as nobody approve
assert_rc "decide: unknown person" 2
assert_out "unknown person named" "no person 'nobody'"
run ctl decide print/2027-q1-brochure --as bob ok
assert_rc "decide: unknown decision" 2
assert_out "the valid decisions are named" "approve, approve-with-changes or changes-required"

run ctl decide print/2027-q1-brochure --as bob approve --comment "fixed"
assert_rc "decide: bob approves after all" 0
assert_out "bob's latest decision counts" "approved"

push_as rruiz print/2027-q1-brochure
assert_rc "approved print tag: push succeeds" 0
assert_out "the hook says it is released" \
    "printgate: print/2027-q1-brochure (${c1%"${c1#???????}"}) is approved: released"
assert "the tag on the server is the pushed tag object" \
    test "$(remote_ref refs/tags/print/2027-q1-brochure)" = "$tagobj"
assert_not "the pending copy is gone" remote_ref refs/printgate/pending/2027-q1-brochure
ledger "$c1" | tail -n 1 >"$OUT"
assert_out "a released line is the last in the ledger" '"type":"released"' \
    '"by":"rita"' '"via":"hook"' "\"tag_object\":\"$tagobj\""
assert "the ledger has every decision, none lost" \
    test "$(ledger "$c1" | grep -c '"type":"approve"')" -eq 3

run ctl status print/2027-q1-brochure
assert_rc "status of a released tag exits 0" 0
assert_out "status says released" "print/2027-q1-brochure" ": released" "released  "
run ctl decide print/2027-q1-brochure --as alice approve
assert_rc "decide on a released tag: refused" 2
assert_out "the refusal says it was released" "already released"
run ctl pending
assert_rc "pending: nothing waits, exit 1" 1
assert_out "pending says nothing waits" "no print tag waits for approval"

finish
