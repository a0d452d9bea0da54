#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The warm path takes a candidate's review from printgated's memo of
# reviews while it holds: what makes it no longer hold is tried here with
# the review of an approved tag in the memo (the hook said yes to it, and
# an --atomic push then dropped the tag): a new decision, a policy change
# (in the config, and in a file it @includes, without a reload), the
# ledger rewritten on the server, and a print tag gone from the
# repository.  Each time the tag is refused, by printgated itself (but
# for the included file, which it leaves to the hook), with the words
# the hook prints when it decides alone (printgate-update-local, run on
# the same request).
. "$(dirname "$0")/lib.sh"

setup
[ -n "$gate_pid" ] || start_gate
zero=0000000000000000000000000000000000000000

# hook REF OBJ: the installed hook on the server, as git runs it
hook() {
	run env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz hooks/update "$1" \
	    "$zero" "$2"
}

# same_as_fallback DESC REF OBJ: the last hook's output is what the
# fallback prints on the same request (a refusal: it writes nothing new)
same_as_fallback() {
	cp "$OUT" "$T/warm"
	run env -C "$REPO" GIT_DIR=. REMOTE_USER=rruiz \
	    "$BUILD/printgate-update-local" -c "$CONF" "$2" "$zero" "$3"
	if cmp -s "$OUT" "$T/warm"; then
		pass "$1"
	else
		fail "$1" "the warm path said: $(cat "$T/warm")"
	fi
}

# atomic_yes DESC: print/b through the hook in a push that fails as a
# whole, so that the approved review is in the memo and the tag is not made
atomic_yes() {
	n=$(gate_served)
	push_as rruiz --atomic print/b HEAD:refs/printgate/own
	assert_out "$1: the hook let print/b through" \
	    "print/b ($(rev --short print/b^{commit})) is approved: released"
	assert "$1: printgated answered it" test "$(gate_served)" -gt "$n"
	assert_not "$1: the atomic push made no tag" \
	    remote_ref refs/tags/print/b
}

# memo_refuses CASE VERB WAITS WORDS...: after CASE, print/b through the
# hook is refused by printgated itself ("the memo's approval VERB"),
# saying WAITS (its WORDS in the output), in the fallback's words
memo_refuses() {
	c=$1 v=$2 w=$3
	shift 3
	n=$(gate_served)
	hook refs/tags/print/b "$obj"
	assert_rc "$c: the memo's approval $v" 1
	assert_out "$c: $w" "$@"
	assert "$c: printgated answered" test "$(gate_served)" -gt "$n"
	same_as_fallback "$c: the words are the fallback's" \
	    refs/tags/print/b "$obj"
}

commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
push_as rruiz main
tag print/a
push_as rruiz print/a
ctl decide print/a --as alice approve >/dev/null
ctl decide print/a --as bob approve >/dev/null
push_as rruiz print/a
assert_rc "print/a, approved, is pushed" 0
# print/b: Q2, approved on its own commit, then a file no rule covers
# on top, so that the approvals of Q2 carry over to print/b
commit "Q2 brochure" brochures/emea/q2.txt="EMEA Q2"
c2=$(rev HEAD)
commit "readme" README="collateral"
c3=$(rev HEAD)
push_as rruiz main
ctl decide "$c2" --as alice approve >/dev/null
ctl decide "$c2" --as bob approve >/dev/null
tag print/b
obj=$(rev print/b)
atomic_yes "approved"

# a new decision
ctl decide "$c3" --as bob changes-required --comment "wrong price" \
    >/dev/null
memo_refuses "after a new decision" "does not let it through" \
    "it waits for changes" "changes required by bob: wrong price"

# a policy change: brand must approve emea brochures too
ctl decide "$c3" --as bob approve >/dev/null
atomic_yes "approved again"
EXTRA_RULES=', { name = "brand-emea"; paths = [ "brochures/emea/**" ];
    group = "brand"; }'
write_config
memo_refuses "after a policy change" "does not let it through" \
    "it waits for brand" "brand-emea" "dave"
EXTRA_RULES=""
write_config
atomic_yes "the policy back"

# a policy change in a file the config @includes, without a reload: the
# config printgated holds is not the one the hook reads any more
: >"$T/extra-rules.conf"
EXTRA_RULES='
@include "extra-rules.conf"
'
write_config
atomic_yes "rules in an included file"
printf '%s\n' ', { name = "brand-emea"; paths = [ "brochures/emea/**" ];' \
    '    group = "brand"; }' >"$T/extra-rules.conf"
hook refs/tags/print/b "$obj"
assert_rc "after an included file changed: the held config does not let it through" 1
assert_out "after an included file changed: it waits for brand" "brand-emea" \
    "dave"
assert "after an included file changed: printgated leaves it to the hook" \
    grep -q "gate 'refs/tags/print/b' .*the config changed since printgated loaded it" "$GLOG"
WARM_FALLBACK_OK="the config changed since printgated loaded it"
EXTRA_RULES=""
write_config
atomic_yes "the included file gone"

# the ledger rewritten on the server (the notes of the commits in scope
# without bob's decisions, as a restore or a forced notes push leaves it)
head=$(git --git-dir="$REPO" rev-parse refs/notes/printgate)
for c in "$c2" "$c3"; do
	ledger "$c" | grep -v '"by":"bob"' >"$T/note"
	git --git-dir="$REPO" notes --ref=printgate add -f -F "$T/note" "$c" \
	    2>/dev/null
done
memo_refuses "after the ledger was rewritten" "does not pass it" \
    "it waits for a second approval" "emea  1 of 2"
git --git-dir="$REPO" update-ref refs/notes/printgate "$head"
atomic_yes "the ledger put back"

# the previous print gone: print/b's scope is Q1 and Q2 now, which
# alice's approval of Q2 alone does not cover (bob's is print/b's own)
git --git-dir="$REPO" update-ref -d refs/tags/print/a
memo_refuses "after the previous print went" "does not pass it" \
    "alice's approval is stale" "emea  1 of 2" \
    "changed since alice approved"

finish
