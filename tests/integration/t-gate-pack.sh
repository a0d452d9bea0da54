#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The gate's one event per print-tag push (a request, a release) is
# written as one pack in the repository's objects folder, not as loose
# objects: git reads it (fsck, verify-pack), `git gc` folds it in, and
# the gate writes on after a gc.
# gate: both ways
. "$(dirname "$0")/lib.sh"

setup
# the push's own objects arrive as a pack too, so that any loose object
# counted below is one the gate wrote
git --git-dir="$REPO" config receive.unpackLimit 1
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1"
c1=$(rev HEAD)
push_as rruiz main

loose() { git --git-dir="$REPO" count-objects -v | sed -n 's/^count: //p'; }
packs() { ls "$REPO"/objects/pack/*.pack 2>/dev/null | wc -l; }
# pack_of OBJECT: the index of the pack that holds OBJECT, or nothing.
pack_of() {
	for idx in "$REPO"/objects/pack/*.idx; do
		git verify-pack -v "$idx" | grep -q "^$1 " && { echo "$idx"; return; }
	done
}
# packed WHAT OLD: the objects of the notes commits since OLD ("": all)
# are in one pack of the objects folder, none of them loose, and the
# pack and the repository check out.
packed() {
	head=$(notes_head)
	git --git-dir="$REPO" rev-list --objects "$head" ${2:+"^$2"} |
	    cut -d' ' -f1 >"$T/new"
	idx=$(pack_of "$head")
	assert "$1: the notes commit is in a pack of the objects folder" test -n "$idx"
	n=0
	k=0
	nloose=0
	[ -n "$idx" ] && git verify-pack -v "$idx" >"$T/inpack"
	while read -r o; do
		n=$((n + 1))
		[ -n "$idx" ] && grep -q "^$o " "$T/inpack" && k=$((k + 1))
		[ -e "$REPO/objects/$(echo "$o" | cut -c1-2)/$(echo "$o" | cut -c3-)" ] &&
		    nloose=$((nloose + 1))
	done <"$T/new"
	assert "$1: its $n objects are all in that one pack ($k)" test "$n" -ge 2 -a "$k" -eq "$n"
	assert "$1: and the pack holds them alone, not the rest of the ledger" \
	    test "$(grep -c '^[0-9a-f]* \(commit\|tree\|blob\|tag\) ' "$T/inpack")" -eq "$n"
	assert "$1: and none of them is loose ($nloose)" test "$nloose" -eq 0
	run git verify-pack "$idx"
	assert_rc "$1: git verify-pack accepts the pack" 0
	run git --git-dir="$REPO" fsck --strict --no-dangling
	assert_rc "$1: git fsck finds nothing wrong" 0
	assert_no_out "$1: and says nothing is missing" "missing"
	assert_no_out "$1: or broken" "broken"
}

# refused WHAT TAG COMMIT: pushes the unapproved print tag TAG of COMMIT:
# refused, its request in the ledger, no loose object added, and the
# request's objects packed.
refused() {
	old=$(notes_head)
	l=$(loose)
	push_as rruiz "$2"
	assert_rc "$1: the unapproved tag is refused" 1
	assert "$1: its request is in the ledger" \
	    test "$(ledger "$3" | grep -c "\"type\":\"request\".*\"tag\":\"$2\"")" -eq 1
	assert "$1: no loose object was added ($(loose) against $l)" test "$(loose)" -eq "$l"
	packed "$1" "$old"
}

# A refused print tag: the request event.
tag print/p1
p=$(packs)
refused "request" print/p1 "$c1"
assert "a pack for the tag and one for the request ($(packs) against $p)" \
    test "$(packs)" -eq $((p + 2))

# Approved: the released event.
run ctl decide print/p1 --as alice approve
assert_rc "alice approves" 0
run ctl decide print/p1 --as bob approve
assert_rc "bob approves" 0
old=$(notes_head)
l=$(loose)
push_as rruiz print/p1
assert_rc "approved tag: the push succeeds" 0
assert "the released line is in the ledger" \
    test "$(ledger "$c1" | tail -n 1 | grep -c '"type":"released".*"tag":"print/p1"')" -eq 1
assert "no loose object was added by the release" test "$(loose)" -eq "$l"
packed "released" "$old"

# git gc folds the packs together; the gate writes on.
run git --git-dir="$REPO" gc -q
assert_rc "git gc succeeds" 0
assert "git gc left one pack" test "$(packs)" -eq 1
commit "Q2 brochure" brochures/emea/q2.txt="EMEA Q2"
c2=$(rev HEAD)
push_as rruiz main
tag print/p2
refused "after gc" print/p2 "$c2"
run ctl status print/p1
assert_rc "after gc: the released tag's status reads" 0
assert_out "after gc: it says released" "released"
# libgit2 keeps a pack open after git gc removed it, and its disk space
# with it: printgated opens the repository again when packs went away.
if [ "${PRINTGATE_GATE:-}" = warm ]; then
	removed_open() { ls -l "/proc/$gate_pid/fd" | grep -c '\.pack (deleted)$'; }
	assert "printgated holds no pack that git gc removed ($(removed_open) open)" \
	    test "$(removed_open)" -eq 0
fi

finish
