#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Attacks on printgated's listener, performed as an attacker would with
# ordinary HTTP clients: correctly signed approvals captured and replayed
# after a restart, Mattermost buttons clicked in someone else's name,
# revision expressions and strangers in chat commands, mentions in file
# and tag names, requests framed two ways, and more idle connections than
# the process has descriptors.  Each asserts what the attacker gets and
# that nothing was recorded or released.
. "$(dirname "$0")/lib.sh"

start_receiver
NOTIFY_CONF=$(notify_config)
setup
start_daemon
listener || { echo "Bail out! no listener"; exit 1; }

# newtag NAME FILE=CONTENT...: a commit and its refused print tag.
newtag() {
	name=$1
	shift
	commit "for $name" "$@"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	tag "$name"
	push_as rruiz "$name"
	review="$name@$(rev HEAD)"
}
# retag NAME: a commit outside every rule, and NAME moved onto it; the
# decisions on the earlier version carry over to it.
retag() {
	commit "beside $1" "misc/$(echo "$1" | tr / -).txt=$(date +%N)"
	run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
	git -C "$WORK" tag -f -a "$1" -m "$1" >/dev/null
	push_as rruiz "$1"
}
ledger_of() { ledger "$(rev "$1^{commit}")"; }
# restart: printgated stopped and started again, its memory gone.
restart() {
	stop_daemon
	: >"$DLOG"
	rm -f "$T/state/http-port"
	start_daemon
	listener || { echo "Bail out! no listener after restart"; exit 1; }
}
# api_as PERSON DECISION TAG: a fresh, correctly signed API decision.
api_as() {
	printf '{"tag":"%s","person":"%s","decision":"%s"}' "$3" "$1" "$2" \
	    >"$T/api-fresh"
	api "$T/api-fresh"
}
# not_released TAG: the tag does not appear on the server within 2 s.
not_released() { ! wait_for 2 remote_ref "refs/tags/$1"; }
# alice_approvals TAG: alice's approve lines in every note of the repo.
alice_approvals() {
	git --git-dir="$REPO" notes --ref=printgate list | while read -r _ c; do
		git --git-dir="$REPO" notes --ref=printgate show "$c"
	done | grep '"type":"approve"' | grep '"by":"alice"' | grep -c "\"tag\":\"$1\""
}

# --- item 4: a captured approval replayed after a restart
#
# replay_attack NAME HOW: alice approves print/NAME through HOW (the
# request is kept), the tag moves to a commit beside it so her approval
# carries over, printgated restarts, alice requires changes, bob
# approves, and the captured request is sent again, byte for byte,
# within its window.
replay_attack() {
	name=print/$1 how=$2
	newtag "$name" "brochures/emea/$1.txt=$1"
	case $how in
	api)
		printf '{"tag":"%s","person":"alice","decision":"approve"}' \
		    "$name" >"$T/cap-$1"
		cts=$(date +%s) cid="msg_cap_$1"
		api "$T/cap-$1" "$cts" "$cid" ;;
	slack-command)
		slack_command U04ALICE "approve $name" "trig-cap-$1"
		cp "$T/command" "$T/cap-$1"
		cts=$(date +%s)
		slack /slack/commands "$T/cap-$1" "$cts" ;;
	teams)
		printf '{"type":"message","id":"cap-%s","from":{"id":"29:alice"},"text":"<at>printgate</at> approve %s"}' \
		    "$1" "$name" >"$T/cap-$1"
		teams "$T/cap-$1" ;;
	esac
	if [ "$code" = 200 ]; then pass "$how: alice's approval of $name is recorded"
	else fail "$how: alice's approval of $name is recorded" "got $code"; fi
	retag "$name"
	restart
	api_as alice changes-required "$name"
	if [ "$code" = 200 ]; then pass "$how: after the restart alice requires changes"
	else fail "$how: after the restart alice requires changes" "got $code"; fi
	api_as bob approve "$name"
	case $how in
	api) api "$T/cap-$1" "$cts" "$cid" ;;
	slack-command) slack /slack/commands "$T/cap-$1" "$cts" ;;
	teams) teams "$T/cap-$1" ;;
	esac
	assert_out "$how: the replayed approval is answered as handled before" \
	    "already recorded: this request was handled before"
	n=$(alice_approvals "$name")
	if [ "$n" -eq 1 ]; then pass "$how: the ledger has no second approval by alice"
	else fail "$how: the ledger has no second approval by alice" "$n approvals"; fi
	ledger_of "$name" | grep '"by":"alice"' | tail -n 1 >"$OUT"
	assert_out "$how: alice's last decision on the new version is still changes-required" \
	    '"type":"changes-required"'
	if not_released "$name"; then pass "$how: the replay does not release $name"
	else fail "$how: the replay does not release $name" "the tag was created"; fi
	run ctl status "$name"
	assert_out "$how: status still says changes are required" "changes"
}
replay_attack rp-api api
replay_attack rp-slack slack-command
replay_attack rp-teams teams

# A Slack button on the same version: captured, restart, changes, replay.
newtag print/rp-click brochures/emea/rp-click.txt=click
slack_click U04ALICE approve "$review" "trig-cap-click"
cp "$T/click" "$T/cap-click"
cts=$(date +%s)
slack /slack/actions "$T/cap-click" "$cts"
restart
api_as alice changes-required print/rp-click
api_as bob approve print/rp-click
before=$(requests /slack-response)
slack /slack/actions "$T/cap-click" "$cts"
n=$(alice_approvals print/rp-click)
if [ "$n" -eq 1 ]; then pass "slack button: the replay after a restart is not recorded again"
else fail "slack button: the replay after a restart is not recorded again" "$n approvals"; fi
if not_released print/rp-click; then pass "slack button: the replay does not release the tag"
else fail "slack button: the replay does not release the tag" "the tag was created"; fi
n=$(($(requests /slack-response) - before))
if [ "$n" -eq 0 ]; then pass "slack button: the replay posts nothing back"
else fail "slack button: the replay posts nothing back" "$n posts"; fi

# A Teams approval replayed after a restart onto a rewritten version of
# the tag (a commit beside the approved one, so the approved commit is
# not in the new version's scope and its ledger is not read for it).
newtag print/rp-beside brochures/emea/rp-beside.txt=v1
v1=$(rev HEAD)
printf '{"type":"message","id":"cap-beside","from":{"id":"29:alice"},"text":"<at>printgate</at> approve print/rp-beside"}' >"$T/cap-beside"
teams "$T/cap-beside"
if [ "$code" = 200 ]; then pass "rewritten version: alice's Teams approval of v1 is recorded"
else fail "rewritten version: alice's Teams approval of v1 is recorded" "got $code"; fi
git -C "$WORK" checkout -q -b beside "$v1~1"
commit "v2, rewritten" brochures/emea/rp-beside.txt=v2-unseen
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin beside
git -C "$WORK" tag -f -a print/rp-beside -m print/rp-beside >/dev/null
push_as rruiz print/rp-beside
restart
teams "$T/cap-beside"
assert_out "rewritten version: the replayed Teams approval is answered as handled before" \
    "already recorded: this request was handled before"
ledger_of print/rp-beside >"$OUT"
assert_no_out "rewritten version: no approval by alice is recorded on v2" '"by":"alice"'
if not_released print/rp-beside; then pass "rewritten version: the replay does not release the tag"
else fail "rewritten version: the replay does not release the tag" "the tag was created"; fi
git -C "$WORK" checkout -q main

# --- item 5: Mattermost buttons clicked in another user's name
newtag print/mm-forge brochures/emea/mm-forge.txt=forge
token=$(mm_token print/mm-forge approve)
for who in mmalice mmcarol; do
	# bob, a channel member, read the token from the post's props
	printf '{"user_id":"%s","user_name":"x","channel_id":"c1","trigger_id":"forge-%s","context":{"review":"%s","decision":"approve","token":"%s"}}' \
	    "$who" "$who" "$review" "$token" >"$T/forge"
	post /mattermost/actions application/json "$T/forge"
	assert_out "Mattermost: a click as $who is answered with the slash command to use" \
	    '"ephemeral_text":"A button cannot decide for you' '`/printgate approve print/mm-forge`'
done
ledger_of print/mm-forge >"$OUT"
assert_no_out "Mattermost: clicks naming alice record nothing for alice" '"by":"alice"'
assert_no_out "Mattermost: clicks naming carol record nothing for carol" '"by":"carol"'
if not_released print/mm-forge; then pass "Mattermost: forged clicks release nothing"
else fail "Mattermost: forged clicks release nothing" "the tag was created"; fi

# --- item 6: chat names only print tags, pending tags and hex commit ids
newtag print/names brochures/emea/names.txt=names
before=$(notes_head)
for expr in ':/for' 'HEAD~1' 'main@{1}' 'main^' 'print/names~0' 'main..HEAD'; do
	slack_command U04ALICE "status $expr" "trig-expr"
	slack /slack/commands "$T/command"
	assert_out "Slack status '$expr': refused as a revision expression" \
	    "is not a print tag or a commit id" "revision expressions such as"
	slack_command U04ALICE "approve $expr" "trig-expr-$(od -An -N4 -tx1 /dev/urandom | tr -d ' ')"
	slack /slack/commands "$T/command"
	if [ "$code" = 400 ]; then pass "Slack approve '$expr': refused 400"
	else fail "Slack approve '$expr': refused 400" "got $code"; fi
done
slack_command U04ALICE "status main" "trig-branch"
slack /slack/commands "$T/command"
assert_out "Slack status of a branch: not a print tag" "'main' is neither a print tag nor one waiting"
printf '{"commit":"HEAD~1","person":"alice","decision":"approve"}' >"$T/api-expr"
api "$T/api-expr"
if [ "$code" = 400 ]; then pass "API: a revision expression is refused 400"
else fail "API: a revision expression is refused 400" "got $code"; fi
printf '{"type":"message","id":"expr-1","from":{"id":"29:bob"},"text":"<at>printgate</at> status :/names"}' >"$T/teams-expr"
teams "$T/teams-expr"
assert_out "Teams status ':/names': refused as a revision expression" "is not a print tag or a commit id"
if [ "$(notes_head)" = "$before" ]; then pass "revision expressions record nothing"
else fail "revision expressions record nothing" "refs/notes/printgate moved"; fi
# what may be named still works: the tag, its short name, a commit id
for name in print/names names "$(rev HEAD | cut -c1-10)" "$(rev HEAD)"; do
	slack_command U04ALICE "status $name" "trig-name"
	slack /slack/commands "$T/command"
	assert_out "Slack status '$name' answers the review" "print/names" "waits"
done
# a branch named like a short commit id does not stand for that commit:
# alice approves the commit she was shown (by its short id), and the
# branch that an attacker named after it, pointing at his own commit
# with a print tag waiting, gets nothing
newtag print/hex-good brochures/emea/hex-good.txt=good
short=$(rev --short=7 HEAD)
newtag print/hex-evil brochures/emea/hex-evil.txt=evil
evil=$(rev HEAD)
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin "HEAD:refs/heads/$short"
slack_command U04ALICE "approve $short" "trig-hex-branch"
slack /slack/commands "$T/command"
assert_out "Slack approve by short id: recorded on the commit of that id, not on the branch of that name" \
    "recorded: alice approve print/hex-good"
ledger "$evil" >"$OUT"
assert_no_out "Slack approve by short id: nothing recorded on the branch's commit" '"by":"alice"'
printf '{"commit":"%s","person":"bob","decision":"approve"}' "$short" >"$T/api-hex"
api "$T/api-hex"
assert_out "API approve by short id: recorded on the commit of that id" '"review":"print/hex-good@'
ledger "$evil" >"$OUT"
assert_no_out "API approve by short id: nothing recorded on the branch's commit" '"by":"bob"'
# strangers read nothing
slack_command U04NOBODY "status print/names" "trig-stranger"
slack /slack/commands "$T/command"
if [ "$code" = 403 ]; then pass "Slack: an unknown user's status is refused 403"
else fail "Slack: an unknown user's status is refused 403" "got $code"; fi
assert_out "Slack: the unknown user is told why" "you (slack user U04NOBODY) are not a reviewer printgate knows"
assert_no_out "Slack: the unknown user learns nothing of the review" "brochures"
slack_command U04NOBODY "status :/for" "trig-stranger2"
slack /slack/commands "$T/command"
if [ "$code" = 403 ]; then pass "Slack: an unknown user's revision search is refused 403"
else fail "Slack: an unknown user's revision search is refused 403" "got $code"; fi
printf 'token=mattermost-token-for-tests&user_id=mmnobody&user_name=nobody&command=%%2Fprintgate&text=pending' >"$T/mm-stranger"
post /mattermost/commands application/x-www-form-urlencoded "$T/mm-stranger"
if [ "$code" = 403 ]; then pass "Mattermost: an unknown user's pending is refused 403"
else fail "Mattermost: an unknown user's pending is refused 403" "got $code"; fi
assert_out "Mattermost: the unknown user is told why" "not a reviewer printgate knows"
printf '{"type":"message","id":"stranger-1","from":{"id":"29:nobody"},"text":"<at>printgate</at> who brochures/emea/x"}' >"$T/teams-stranger"
teams "$T/teams-stranger"
if [ "$code" = 403 ]; then pass "Teams: an unknown user's who is refused 403"
else fail "Teams: an unknown user's who is refused 403" "got $code"; fi

# --- item 13: mentions in file and tag names reach no one
before=$(cat "$RCV/log" 2>/dev/null | wc -l)
wj=$(printf '\342\201\240')
# its tag as every platform's message shows it, the mention defused
here_tag="print/@${wj}here"
# of_review PATH: the bodies for PATH since $before that show here_tag,
# not a late notice of an earlier item's review.
of_review() {
	tail -n +$((before + 1)) "$RCV/log" | grep " $1 " | cut -d' ' -f1 |
	    while read -r n; do
		f="$RCV/$(printf 'req-%06d.body' "$n")"
		if grep -qF "$here_tag" "$f"; then printf '%s ' "$f"; fi
	    done
}
has_review() { [ -n "$(of_review "$1")" ]; }
newtag print/@here "brochures/emea/@channel @all @everyone <!here> <!channel> <!everyone> <at>sales</at>.txt=x"
for path in /slack /mm /teams; do
	wait_for 10 has_review "$path"
done
# shown FILE...: the text of the delivered JSON that people see, one
# string a line: every string but a button's value, a Mattermost
# action's integration (its context and URL) and code spans, where no
# platform reads a mention.
shown() {
	python3 - "$@" <<'PY'
import json, re, sys
def walk(v, key=None, parent=None):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("integration", "url", "block_id") or (k == "value" and
                    v.get("type") == "button"):
                continue
            walk(x, k, v)
    elif isinstance(v, list):
        for x in v:
            walk(x, key, parent)
    elif isinstance(v, str):
        print(re.sub(r"(`+)(?:(?!\1).)*\1", "", v, flags=re.S).replace("\n", " "))
for path in sys.argv[1:]:
    walk(json.load(open(path)))
PY
}
for path in /slack /mm /teams; do
	files=$(of_review "$path")
	if [ -n "$files" ]; then shown $files >"$OUT"; else : >"$OUT"; fi
	assert_out "$path: the notice of print/@here was delivered, its names defused" \
	    "@${wj}here" "@${wj}channel" "@${wj}everyone"
	for m in '@here' '@all' '@channel' '@everyone' '<!here' '<!channel' '<!everyone' '<at>'; do
		assert_no_out "$path: no live '$m' in what the post shows" "$m"
	done
done

# --- item 14: conflicting framing, sent over a raw socket
# rawpost HEADERS...: a correctly signed API approval by carol of
# print/names, sent with HEADERS (\r\n-separated) in place of the length.
rawpost() {
	printf '{"tag":"print/names","person":"carol","decision":"approve"}' >"$T/frame"
	python3 - "$HPORT" "$T/frame" "$(sed 's/^whsec_//' "$T/api.secret")" "$1" >"$OUT" 2>&1 <<'PY'
import base64, hashlib, hmac, os, socket, sys, time
port, path, secret, framing = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(path, "rb").read()
mid, ts = "msg_frame_" + os.urandom(6).hex(), str(int(time.time()))
sig = base64.b64encode(hmac.new(base64.b64decode(secret),
    (mid + "." + ts + ".").encode() + body, hashlib.sha256).digest()).decode()
framing = framing.replace("LEN", str(len(body))).replace("\\r\\n", "\r\n")
if "chunked" in framing:
    body = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
req = ("POST /api/v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: application/json\r\nwebhook-id: %s\r\n"
    "webhook-timestamp: %s\r\nwebhook-signature: v1,%s\r\n%s\r\n"
    "Connection: close\r\n\r\n" % (mid, ts, sig, framing)).encode() + body
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(req)
out = b""
while True:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    if not d:
        break
    out += d
sys.stdout.write(out.decode("utf-8", "replace"))
PY
}
before=$(notes_head)
rawpost 'Content-Length: LEN\r\nContent-Length: 5'
assert_out "two different Content-Length headers: refused 400" "HTTP/1.1 400" \
    "two different Content-Length headers"
rawpost 'Content-Length: 5\r\nContent-Length: LEN'
assert_out "two different Content-Length headers, the real one last: refused 400" "HTTP/1.1 400"
rawpost 'Content-Length: LEN\r\nContent-Length: LEN'
assert_out "the same Content-Length twice: refused 400" "HTTP/1.1 400"
rawpost 'Transfer-Encoding: chunked\r\nContent-Length: LEN'
assert_out "Content-Length with Transfer-Encoding: refused 400" "HTTP/1.1 400" \
    "Content-Length and Transfer-Encoding together"
rawpost 'Content-Length: LEN\r\nTransfer-Encoding: chunked'
assert_out "Transfer-Encoding after Content-Length: refused 400" "HTTP/1.1 400"
rawpost 'Content-Length : LEN'
assert_out "a space before the colon of Content-Length: refused 400" "HTTP/1.1 400" \
    "a header name has a space or tab in it"
rawpost 'Content-Length: LEN\r\nTransfer-Encoding : chunked'
assert_out "a space before the colon of Transfer-Encoding: refused 400" "HTTP/1.1 400" \
    "a header name has a space or tab in it"
rawpost 'X-Note: a\r\n Transfer-Encoding: chunked\r\nContent-Length: LEN'
assert_out "Transfer-Encoding on a folded line: refused 400" "HTTP/1.1 400" \
    "a header name has a space or tab in it"
for te in 'chunked, identity' 'identity, chunked' 'identity'; do
	rawpost "Transfer-Encoding: $te"
	assert_out "Transfer-Encoding '$te': refused 400 at once" "HTTP/1.1 400" \
	    "the only Transfer-Encoding accepted is chunked"
done
ledger_of print/names >"$OUT"
assert_no_out "no request framed two ways is recorded" '"by":"carol"'
rawpost 'Content-Length: LEN'
assert_out "the same request framed once is recorded" "HTTP/1.1 200" '"recorded":true'

# --- item 10: more idle connections than descriptors
# idle N SECONDS: N connections opened to the listener, held, closed.
idle() {
	python3 - "$HPORT" "$1" "$2" <<'PY'
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        pass
    socks.append(s)
time.sleep(hold)
for s in socks:
    s.close()
PY
}
stop_daemon
: >"$DLOG"
rm -f "$T/state/http-port"
(ulimit -n 256 && exec "$BUILD/printgated" -c "$CONF") >>"$DLOG" 2>&1 &
daemon_pid=$!
wait_for 20 grep -q "ready: watching" "$DLOG" || { echo "Bail out! no start at 256 files"; exit 1; }
listener
run cat "$DLOG"
assert_out "with 256 descriptors the listener takes at most 128 connections" "at most 128 connections"
round=1
while [ $round -le 6 ]; do
	idle 300 2
	run curl -s -m 5 "http://127.0.0.1:$HPORT/healthz"
	assert_out "round $round: after 300 idle connections closed, the listener answers" "ok"
	round=$((round + 1))
done
assert "printgated still runs after the idle connections" kill -0 "$daemon_pid"
stop_daemon
# a soft limit below the hard one is raised at start
: >"$DLOG"
rm -f "$T/state/http-port"
hard=$(ulimit -Hn)
(ulimit -Sn 256 && exec "$BUILD/printgated" -c "$CONF") >>"$DLOG" 2>&1 &
daemon_pid=$!
wait_for 20 grep -q "ready: watching" "$DLOG" || { echo "Bail out! no start"; exit 1; }
run grep "Max open files" "/proc/$daemon_pid/limits"
soft=$(awk '{print $4}' "$OUT")
if [ "$soft" = "$hard" ] || [ "$hard" = unlimited ]; then
	pass "the soft limit of open files is raised to the hard one ($soft)"
else
	fail "the soft limit of open files is raised to the hard one" "soft $soft, hard $hard"
fi
stop_daemon
finish
