#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Side doors around the gate, tried as a user would with real pushes: an
# --atomic push that aborts after the hook wrote "released", replace refs
# (pushed, and made on the server around the hook), symlinks and submodules
# under a rule, export and filter attributes, and a huge tag message.
# gate: both ways
. "$(dirname "$0")/lib.sh"

# An extra rule whose symlinks may print: links/** for erin.
EXTRA_RULES=', { name = "links"; paths = [ "links/**" ]; group = "sales-apac";
    allow_symlinks = true; }'
start_receiver
NOTIFY_CONF=$(notify_config)
setup 'review = { auto_release = false; };'
start_daemon

# A replace ref made on the server before the ledger exists.
assert_not "a new repository has no ledger yet" notes_head
early=$(printf 'early\n' | git --git-dir="$REPO" hash-object -w --stdin)
stand=$(printf 'stand-in\n' | git --git-dir="$REPO" hash-object -w --stdin)
git --git-dir="$REPO" replace "$early" "$stand"
early_flagged() { ledger "$early" | grep -q '"type":"violation"'; }
wait_for 15 early_flagged
assert "a replace ref made before there is a ledger is a violation" \
    early_flagged
git --git-dir="$REPO" update-ref -d "refs/replace/$early"

# --- item 1: an --atomic push aborted after the hook said yes -------------

commit "Q1" brochures/emea/q1.txt="EMEA Q1"
c1=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/a
obj=$(rev print/a)
push_as rruiz print/a
assert_rc "atomic: the first push of print/a waits" 1
ctl decide print/a --as alice approve >/dev/null
ctl decide print/a --as bob approve >/dev/null
push_as rruiz --atomic print/a HEAD:refs/printgate/own
assert_rc "atomic: the push with a refused ref fails as a whole" 1
assert_out "atomic: git says the transaction failed" "atomic"
assert_not "atomic: the approved tag was not created" remote_ref refs/tags/print/a
ledger "$c1" >"$OUT"
assert_out "atomic: the hook had written a released event" '"type":"released"' \
    "\"tag_object\":\"$obj\""
wait_for 10 grep -q "ledger released 'print/a'" "$DLOG"
sleep 2
assert_not "auto_release off: printgated does not create the tag from the stale released event" \
    remote_ref refs/tags/print/a
assert_not "the print shop is not told of a release that did not happen" \
    has_requests /released 1
run ctl decide "$c1" --as bob changes-required --comment "the price is wrong"
assert_rc "atomic: bob requires changes afterwards" 0
push_as rruiz print/a
assert_rc "atomic: the second push is refused" 1
assert_out "atomic: the refusal waits for changes" "waits for changes" \
    "changes required by bob: the price is wrong"
sleep 2
assert_not "auto_release off: still no tag after the refused push" \
    remote_ref refs/tags/print/a
run ctl status print/a
assert_rc "status of the stale release exits 1" 1
assert_out "status says it waits for changes" "print/a" ": waits for changes"
assert_no_out "status does not say released for a tag that does not exist" \
    ": released"
assert_no_out "status shows no release line" "released  "

# The same with auto_release on: a restart reads the stale event again.
stop_daemon
write_config 'review = { auto_release = true; };'
start_daemon
sleep 2
assert_not "auto_release on: printgated does not create the tag while changes are required" \
    remote_ref refs/tags/print/a
ctl decide print/a --as bob approve --comment fixed >/dev/null
wait_for 10 test "$(remote_ref refs/tags/print/a)" = "$obj"
assert "auto_release on: approved now, printgated releases the kept tag" \
    test "$(remote_ref refs/tags/print/a)" = "$obj"
wait_for 10 has_requests /released 1
assert "the print shop is told once the tag exists" has_requests /released 1
ledger "$c1" | tail -n 1 >"$OUT"
assert_out "the release is printgated's own released event" \
    '"type":"released"' '"via":"daemon"' "\"tag_object\":\"$obj\""
run ctl status print/a
assert_rc "status of the released tag exits 0" 0
assert_out "status says released" "print/a" ": released"

# --- item 2: replace refs --------------------------------------------------

run git --git-dir="$REPO" config core.useReplaceRefs
assert_out "install-hook set core.useReplaceRefs = false" "false"
blob=$(git -C "$WORK" rev-parse HEAD:brochures/emea/q1.txt)
other=$(printf 'EMEA Q1 at half price\n' | git -C "$WORK" hash-object -w --stdin)
git -C "$WORK" replace "$blob" "$other"
push_as rruiz "refs/replace/$blob"
assert_rc "a pushed replace ref is refused" 1
assert_out "the refusal names allow_refs and why" \
    "refusing refs/replace/$blob: only these refs may be pushed here (allow_refs): refs/heads/* refs/tags/*" \
    "a replace ref makes git show other content"
assert_not "the replace ref is not on the server" remote_ref "refs/replace/$blob"
push_as rruiz "HEAD:refs/notes/commits"
assert_rc "another ref outside allow_refs is refused" 1
assert_out "the refusal names the ref" "refusing refs/notes/commits"
push_as rruiz "HEAD:refs/printgate/x"
assert_rc "printgate's own refs stay refused" 1
assert_out "printgate's own refs: the refusal" "printgate's own refs are written only by printgate"

# Made on the server, around the hook.
git --git-dir="$REPO" replace "$blob" "$other"
flagged() { ledger "$blob" | grep -q '"type":"violation"'; }
wait_for 15 flagged
assert "a replace ref made around the hook is a violation in the ledger" flagged
ledger "$blob" >"$OUT"
assert_out "the violation names the replace ref" "replace ref refs/replace/$blob" \
    "\"tag_object\":\"$other\""
wait_for 10 sh -c "grep -l 'printgate.violation' '$RCV'/req-*.body | xargs grep -l 'replace ref' >/dev/null"
bodies /hook | grep 'printgate.violation' >"$OUT"
assert_out "the violation is alerted" "replace ref refs/replace/$blob"
run git --git-dir="$REPO" cat-file -p "$blob"
assert_no_out "git on the server ignores the replace ref" "half price"
stop_daemon
start_daemon
sleep 2
assert "the replace ref's violation is recorded once, also after a restart" \
    test "$(ledger "$blob" | grep -c '"type":"violation"')" -eq 1
git --git-dir="$REPO" update-ref -d "refs/replace/$blob"

# --- item 3: symlinks, submodules, attributes ------------------------------

ln -s ../../secret.txt "$WORK/brochures/emea/link.txt"
commit "secret" secret.txt="not reviewed"
git -C "$WORK" add brochures/emea/link.txt
git -C "$WORK" commit -q -m "a link"
cl=$(rev HEAD)
tag print/link
push_as rruiz main print/link
assert_rc "a symlink under a rule refuses the tag" 1
assert_out "the refusal shows path -> target and the rule" \
    "brochures/emea/link.txt -> ../../secret.txt (rule emea)" \
    "allow_symlinks = true"
assert_not "the refused tag does not wait: reviewers cannot approve it" \
    remote_ref refs/printgate/pending/link
assert "nothing was recorded for the symlink's tag" test -z "$(ledger "$cl")"
run ctl status "$cl"
assert_out "status lists the symlink" "brochures/emea/link.txt -> ../../secret.txt"
git -C "$WORK" rm -q brochures/emea/link.txt
git -C "$WORK" update-index --add --cacheinfo "160000,$c1,datasheets/sub"
git -C "$WORK" commit -q -m "a submodule"
tag print/sub
push_as rruiz main print/sub
assert_rc "a submodule under a rule refuses the tag" 1
assert_out "the refusal shows the submodule's commit" \
    "datasheets/sub -> submodule commit $c1 (rule emea)"
git -C "$WORK" rm -q --cached datasheets/sub
git -C "$WORK" commit -q -m "no submodule"

mkdir -p "$WORK/links"
ln -s ../brochures/emea/q1.txt "$WORK/links/q1.txt"
git -C "$WORK" add links/q1.txt
git -C "$WORK" commit -q -m "a link where links are allowed"
tag print/allowed
push_as rruiz main print/allowed
assert_rc "allow_symlinks: the symlink waits for its review like a file" 1
assert_out "allow_symlinks: an ordinary wait" "waits for approval" "links  0 of 1"
assert_no_out "allow_symlinks: no symlink refusal" "symlinks and submodules"
ctl decide print/allowed --as erin approve >/dev/null
wait_for 10 remote_ref refs/tags/print/allowed
assert "allow_symlinks: approved, it is released" remote_ref refs/tags/print/allowed

printf 'brochures/apac/*.txt export-subst\ndatasheets/*.bin filter=lfs\nbrochures/apac/hidden.txt export-ignore\n' \
    >"$WORK/.gitattributes"
commit "attributes" brochures/apac/a.txt='$Format:%H$' \
    brochures/apac/hidden.txt="hidden" datasheets/big.bin="pointer"
git -C "$WORK" add .gitattributes
git -C "$WORK" commit -q -m "attributes file"
tag print/attrs
push_as rruiz main print/attrs
assert_rc "attributes: the tag waits" 1
assert_out "attributes: the refusal names each file and attribute" \
    "attribute  brochures/apac/a.txt: export-subst" \
    "attribute  brochures/apac/hidden.txt: export-subst export-ignore" \
    "attribute  datasheets/big.bin: filter=lfs"
run ctl status print/attrs
assert_out "attributes: status shows them too" \
    "attribute  datasheets/big.bin: filter=lfs"

# --- item 7: a huge tag message --------------------------------------------

before=$(notes_head)
awk 'BEGIN { print "huge"; print ""; for (i = 0; i < 5000; i++) print "Opportunity: " i }' \
    >"$T/huge.msg"
git -C "$WORK" tag -a print/huge -F "$T/huge.msg"
push_as rruiz print/huge
assert_rc "a tag message over 64 KiB is refused" 1
assert_out "the refusal says the limit" "its message may be at most 64 KiB"
assert_not "the huge tag is not on the server" remote_ref refs/tags/print/huge
assert_not "the huge tag does not wait" remote_ref refs/printgate/pending/huge
assert "nothing was written to the ledger for the huge tag" \
    test "$(notes_head)" = "$before"
awk 'BEGIN { print "big"; print ""; for (i = 0; i < 3500; i++) print "Opportunity: " i }' \
    >"$T/big.msg"
git -C "$WORK" tag -a print/big -F "$T/big.msg"
push_as rruiz print/big
assert_rc "a message under 64 KiB is read as usual" 1
assert_out "under 64 KiB: an ordinary wait" "print/big" "waits for approval"

# --- the gate's edges, tried again ------------------------------------------

# A folder under a rule replaced by a symlink to files no rule covers: the
# rule's paths do not match the symlink itself ("brochures/emea" is not
# under "brochures/emea/**"), yet git archive prints the target's files
# as brochures/emea/...
before=$(notes_head)
pre=$(rev HEAD)
commit "drafts" drafts/emea/q1.txt="EMEA Q1 at half price"
git -C "$WORK" rm -rq brochures/emea
ln -s ../drafts/emea "$WORK/brochures/emea"
git -C "$WORK" add brochures/emea
git -C "$WORK" commit -q -m "emea brochures from the drafts"
cd_=$(rev HEAD)
tag print/dirlink
push_as rruiz print/dirlink
assert_rc "a folder replaced by a symlink refuses the tag" 1
assert_out "the refusal shows the folder's symlink and the rule it stands in" \
    "brochures/emea -> ../drafts/emea (rule emea)"
assert_not "the folder symlink's tag does not wait" \
    remote_ref refs/printgate/pending/dirlink
assert "nothing was recorded for the folder symlink's tag" \
    test -z "$(ledger "$cd_")"
git -C "$WORK" rm -rq brochures
rm -rf "$WORK/brochures"
ln -s drafts "$WORK/brochures"
git -C "$WORK" add brochures
git -C "$WORK" commit -q -m "all brochures from the drafts"
tag print/toplink
push_as rruiz print/toplink
assert_rc "a symlink above every rule's folder refuses the tag" 1
assert_out "the refusal shows the top symlink" "brochures -> drafts (rule"
git -C "$WORK" rm -q brochures
git -C "$WORK" rm -rq datasheets
git -C "$WORK" update-index --add --cacheinfo "160000,$c1,datasheets"
git -C "$WORK" commit -q -m "datasheets from a submodule"
tag print/dirsub
push_as rruiz print/dirsub
assert_rc "a folder replaced by a submodule refuses the tag" 1
assert_out "the refusal shows the folder's submodule" \
    "datasheets -> submodule commit $c1 (rule emea)"
assert "nothing was written to the ledger for the folder links" \
    test "$(notes_head)" = "$before"
git -C "$WORK" reset -q --hard "$pre"

# An allow_refs glob that lets a replace ref through: printgate refuses
# replace refs whatever allow_refs says.
write_config 'review = { auto_release = true; };
allow_refs = [ "refs/heads/*", "refs/tags/*", "refs/replace/*[a-f]*" ];'
run ctl check
assert_rc "the config with a sly allow_refs glob loads" 0
git -C "$WORK" replace -f "$blob" "$other"
push_as rruiz "refs/replace/$blob"
assert_rc "a replace ref matching an allow_refs glob is still refused" 1
assert_out "the refusal says replace refs are never allowed" \
    "refusing refs/replace/$blob: replace refs are never accepted"
assert_not "the glob-matched replace ref is not on the server" \
    remote_ref "refs/replace/$blob"
git -C "$WORK" replace -d "$blob" >/dev/null
write_config 'review = { auto_release = true; };'

# A tag whose header, not its message, is huge: a 100 KB tagger line.
before=$(notes_head)
{
	printf 'object %s\ntype commit\ntag print/hdr\ntagger ' "$(rev HEAD)"
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "x" }'
	printf ' <rita@example.com> 1700000000 +0000\n\nhdr\n'
} >"$T/hdr.tag"
hdr=$(git -C "$WORK" hash-object --literally -t tag -w "$T/hdr.tag")
git -C "$WORK" update-ref refs/tags/print/hdr "$hdr"
push_as rruiz print/hdr
assert_rc "a tag with a 100 KB header is refused" 1
assert_out "the huge header's refusal says the size" "the tag is 100123 bytes"
assert_not "the huge header's tag is not on the server" \
    remote_ref refs/tags/print/hdr
assert "nothing was written to the ledger for the huge header" \
    test "$(notes_head)" = "$before"

# A message of exactly 64 KiB passes; one byte more is refused.
awk 'BEGIN { print "edge"; print ""; for (i = 0; i < 4095; i++) printf "Note: %09d\n", i; printf "Note: 123\n" }' \
    >"$T/edge.msg"
assert "the edge message is 65536 bytes" test "$(wc -c <"$T/edge.msg")" -eq 65536
git -C "$WORK" tag -a --cleanup=verbatim print/edge -F "$T/edge.msg"
push_as rruiz print/edge
assert_rc "a message of exactly 64 KiB is read as usual" 1
assert_out "64 KiB: an ordinary wait" "print/edge" "waits for approval"
printf 'x\n' >>"$T/edge.msg"
git -C "$WORK" tag -a --cleanup=verbatim print/edge1 -F "$T/edge.msg"
push_as rruiz print/edge1
assert_rc "a message of 64 KiB and 2 bytes is refused" 1
assert_out "64 KiB and more: the refusal" "its message is 65538 bytes"
assert_not "the over-long message's tag does not wait" \
    remote_ref refs/printgate/pending/edge1

stop_daemon
finish
