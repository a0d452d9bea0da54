#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Reminders and escalation after a few seconds, not repeated after a
# restart; a Print-By date bringing them forward; auto_release off; a print
# tag created around the gate raising a violation and being quarantined.
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup 'review = { remind_after = "2s"; escalate_after = "4s"; escalate_to = "brand";
  auto_release = false; quarantine = true; };'
# A print tag from before printgate: install-hook records it as the baseline.
commit "old" brochures/emea/old.txt="old"
c0=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
git --git-dir="$REPO" update-ref refs/tags/print/2019 "$c0"
run ctl install-hook
assert_rc "install-hook over an existing repository" 0
assert_out "install-hook records existing print tags as the baseline" \
    "recorded 1 existing print tag as the baseline"
ledger "$c0" >"$OUT"
assert_out "the baseline is a released event" '"type":"released"' \
    '"tag":"print/2019"' 'baseline'
start_daemon
commit "Q3" brochures/emea/q3.txt="EMEA Q3"
c1=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/q3
push_as rruiz print/q3
assert_rc "the print tag is refused" 1

reminded() { ledger "$c1" | grep -q '"type":"remind"'; }
escalated() { ledger "$c1" | grep -q '"type":"escalate"'; }
wait_for 15 reminded
assert "after remind_after a remind event is in the ledger" reminded
wait_for 15 escalated
assert "after escalate_after an escalate event is in the ledger" escalated
wait_for 10 sh -c "grep -q 'printgate.escalation' '$RCV'/req-*.body"
bodies /hook >"$OUT"
assert_out "the reminder and the escalation are sent" \
    '"type":"printgate.reminder"' '"type":"printgate.escalation"'
bodies /slack >"$OUT"
assert_out "the reminder asks those who have not decided, with the buttons" \
    'Reminder: print/q3' '"action_id":"approve"'
bodies /hook | grep '"type":"printgate.escalation"' >"$OUT"
assert_out "the escalation goes to the escalate_to group" '"asked":["dave"]'

# After a restart, nothing is repeated.
stop_daemon
start_daemon
sleep 5
n=$(ledger "$c1" | grep -c '"type":"remind"')
if [ "$n" -eq 1 ]; then pass "one remind event, also after a restart"
else fail "one remind event, also after a restart" "$n"; fi
n=$(ledger "$c1" | grep -c '"type":"escalate"')
if [ "$n" -eq 1 ]; then pass "one escalate event, also after a restart"
else fail "one escalate event, also after a restart" "$n"; fi
n=$(bodies /hook | grep -c '"type":"printgate.reminder"')
if [ "$n" -eq 1 ]; then pass "one reminder sent, also after a restart"
else fail "one reminder sent, also after a restart" "$n"; fi

# A Print-By date already close brings the reminder forward.
commit "Q4" brochures/emea/q4.txt="EMEA Q4"
c2=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/q4 "Print-By: $(date -u +%Y-%m-%d)"
push_as rruiz print/q4
wait_for 5 sh -c "git --git-dir='$REPO' notes --ref=printgate show $c2 | grep -q '\"type\":\"remind\"'"
assert "Print-By today: the reminder goes out at once" \
    sh -c "git --git-dir='$REPO' notes --ref=printgate show $c2 | grep -q '\"type\":\"remind\"'"

# With auto_release off, an approved review tells the release manager.
ctl decide print/q3 --as alice approve >/dev/null
ctl decide print/q3 --as bob approve >/dev/null
wait_for 10 sh -c "grep -q 'printgate.approved' '$RCV'/req-*.body"
bodies /hook | grep '"type":"printgate.approved"' >"$OUT"
assert_out "approved, not released: the release manager is told" \
    '"type":"printgate.approved"' '"asked":["rita"]'
assert_not "auto_release off: the tag is not created" remote_ref refs/tags/print/q3
push_as rruiz print/q3
assert_rc "the release manager pushes again: accepted" 0

# A print tag made on the server around the hook.
git --git-dir="$REPO" update-ref refs/tags/print/sneaky "$c2"
wait_for 10 sh -c "git --git-dir='$REPO' notes --ref=printgate show $c2 | grep -q '\"type\":\"violation\"'"
ledger "$c2" >"$OUT"
assert_out "a print tag made around the gate is a violation in the ledger" \
    '"type":"violation"' '"tag":"print/sneaky"' '"by":"printgate"'
wait_for 10 sh -c "grep -q 'printgate.violation' '$RCV'/req-*.body"
bodies /hook >"$OUT"
assert_out "the violation is alerted" '"type":"printgate.violation"' 'print/sneaky'
wait_for 10 remote_ref refs/printgate/quarantine/sneaky
assert "quarantine = true: the tag is moved under refs/printgate/quarantine/" \
    remote_ref refs/printgate/quarantine/sneaky
assert_not "quarantine = true: the print tag is gone" remote_ref refs/tags/print/sneaky
assert "the released print/q3 is not a violation" remote_ref refs/tags/print/q3
assert "the daemon logs the violation" grep -q "violation 'print/sneaky'" "$DLOG"
assert "the baseline print tag is left alone" remote_ref refs/tags/print/2019
# A second tag of the same name around the gate: both kept in quarantine.
git --git-dir="$REPO" update-ref refs/tags/print/sneaky "$c1"
wait_for 10 sh -c "git --git-dir='$REPO' for-each-ref refs/printgate/quarantine/ | grep -q 'sneaky-'"
assert "a second bypassing tag of the same name is kept too" \
    sh -c "git --git-dir='$REPO' for-each-ref refs/printgate/quarantine/ | grep -q 'sneaky-'"
assert "and the first one is still there" remote_ref refs/printgate/quarantine/sneaky
# Installing the hook again does not whitewash the violation.
git --git-dir="$REPO" update-ref refs/tags/print/late "$c2"
wait_for 10 sh -c "git --git-dir='$REPO' notes --ref=printgate show $c2 | grep -q '\"tag\":\"print/late\"'"
stop_daemon
git --git-dir="$REPO" update-ref refs/tags/print/late "$c2"
run ctl install-hook
assert_no_out "install-hook again: a tag caught bypassing is no baseline" "recorded 1 existing"
ledger "$c2" | grep '"tag":"print/late"' >"$OUT"
assert_no_out "no released event for the bypassing tag" '"type":"released"'
start_daemon
assert_not "the baseline print tag is no violation" grep -q "violation 'print/2019'" "$DLOG"

stop_daemon
finish
