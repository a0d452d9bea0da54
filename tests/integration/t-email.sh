#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Email (type = "email"): a local SMTP receiver (tests/tools/
# smtp-receiver.py, Debian's python3-aiosmtpd) gets one message per
# person asked, each with that person's own link to the review page (the
# token checked with the links secret by tests/tools/token-check.py, apart
# from printgate's code; the link opens the page on printgated and decides
# as that person, via web:link); none is lost, and none doubled, over a kill -9
# of printgated while the server refuses; names cannot add headers; and
# plain SMTP to another machine is refused by the config check.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
$PY -c 'import aiosmtpd' 2>/dev/null ||
	{ echo "Bail out! python3-aiosmtpd is missing (scripts/deps.sh)"; exit 1; }
MAIL="$T/mail"
mkdir -p "$MAIL"
$PY "$top/tests/tools/smtp-receiver.py" "$MAIL" 2>>"$T/smtp.log" &
smtp_pid=$!
wait_for 20 test -s "$MAIL/port" || { echo "Bail out! no SMTP receiver"; exit 1; }
SPORT=$(cat "$MAIL/port")
trap 'kill "$smtp_pid" 2>/dev/null; cleanup_processes' EXIT INT TERM

EXTRA_PEOPLE='  { id = "eve"; name = "Eve\r\nBcc: mallory@evil.example"; email = "eve@example.com"; },'
EXTRA_GROUPS='  web = [ "eve", "bob" ];'
EXTRA_RULES=', { name = "web"; paths = [ "web/**" ]; group = "web"; }'
NOTIFY_CONF='notify = (
  { name = "mail"; type = "email"; smtp_url = "smtp://127.0.0.1:'$SPORT'";
    from = "printgate@example.com"; }
);
http = { listen = "127.0.0.1:0"; public_url = "https://printgate.example.com/"; };'
setup
start_daemon
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main 2>/dev/null

# msgs: how many messages the receiver kept; msg N: the path of the Nth.
msgs() { n=$(wc -l <"$MAIL/log" 2>/dev/null); echo "${n:-0}"; }
has_msgs() { [ "$(msgs)" -ge "$1" ]; }
msg() { printf '%s/msg-%06d.eml' "$MAIL" "$1"; }
read_mail() { $PY "$top/tests/tools/mail-read.py" "$@"; }

# --- a request: one message per person asked
commit "Q1 brochure" brochures/emea/q1.txt="EMEA Q1 price 110"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/m1 "Print-By: 2026-12-24"
push_as rruiz print/m1
assert_rc "the unapproved tag is refused" 1
wait_for 20 has_msgs 3
assert "three messages, one per person of sales-emea" test "$(msgs)" -eq 3
sleep 1
assert "and no more" test "$(msgs)" -eq 3
: >"$T/to"
for i in 1 2 3; do read_mail "$(msg $i)" to >>"$T/to"; done
assert "to alice, bob and carol, each once" test "$(sort "$T/to" | tr '\n' ' ')" = \
    "alice@example.com bob@example.com carol@example.com "
assert "the envelope recipient is the To: address" \
    grep -qx "000001 $(sed -n 1p "$T/to")" "$MAIL/log"
m=$(msg 1)
assert "multipart/alternative" test "$(read_mail "$m" type)" = multipart/alternative
assert "with a text part" sh -c "$PY '$top/tests/tools/mail-read.py' '$m' text | grep -q 'Print-By: 2026-12-24'"
assert "and an HTML part with an Open review link" sh -c "$PY '$top/tests/tools/mail-read.py' '$m' html | grep -q '>Open review</a>'"
read_mail "$m" subject >"$OUT"
assert_out "the subject says what is asked, decoded" "Review requested: print/m1"
read_mail "$m" headers >"$OUT"
for h in From To Subject Date Message-ID MIME-Version Content-Type; do
	assert "header $h" grep -qx "$h" "$OUT"
done
assert "the text names the file" sh -c "$PY '$top/tests/tools/mail-read.py' '$m' text | grep -q 'brochures/emea/q1.txt (added)'"
assert_not "no server commands in the words" sh -c "$PY '$top/tests/tools/mail-read.py' '$m' text | grep -q printgatectl"

# each link is that person's: the token verifies with the links secret
c1=$(rev HEAD)
for i in 1 2 3; do
	to=$(read_mail "$(msg $i)" to)
	link=$(read_mail "$(msg $i)" link)
	assert "message $i: its link is on the public URL" \
	    sh -c "printf '%s' '$link' | grep -q '^https://printgate.example.com/r/'"
	run $PY "$top/tests/tools/token-check.py" "$T/state/links.secret" "${link##*/r/}"
	assert_rc "message $i: the link's token verifies with the links secret" 0
	assert "message $i: for print/m1 at its commit, naming ${to%@*}" \
	    grep -q "^print/m1 $c1 ${to%@*} " "$OUT"
done
m1_link=$link m1_to=$to
printf 'x%s' "$(cat "$T/state/links.secret")" >"$T/other.secret"
run $PY "$top/tests/tools/token-check.py" "$T/other.secret" "${link##*/r/}"
assert_rc "a token does not verify with another secret" 1

# --- names cannot add headers: a name with CR LF is an encoded word
commit "web page" web/index.txt="hello"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/w1
push_as rruiz print/w1
# (the scope since no print yet holds the brochure too: alice, bob, carol
# and eve are asked, bob once)
wait_for 20 has_msgs 7
assert "four more messages: alice, bob, carol and eve, once each" test "$(msgs)" -eq 7
eve=""
for i in 4 5 6 7; do
	[ "$(read_mail "$(msg $i)" to)" = eve@example.com ] && eve=$(msg $i)
done
assert "eve has a message" test -n "$eve"
read_mail "$eve" to-name >"$OUT"
assert_out "her whole name, CR LF and all, is the To: name" "Eve" "Bcc: mallory@evil.example"
assert_not "no Bcc: header came from eve's name" grep -qi '^Bcc:' "$eve"
assert_not "nobody but eve is a recipient" grep -q 'mallory' "$MAIL/log"
tr -d '\r' <"$eve" | sed -n '1,/^$/p' | grep -v '^[ 	]' |
    grep -vE '^(From|To|Subject|Date|Message-ID|MIME-Version|Auto-Submitted|Content-Type): |^$' >"$OUT"
assert "each header line of the message is one the format writes" test ! -s "$OUT"

# --- none lost over kill -9 while the server refuses
printf 'fail\n' >"$MAIL/mode"
commit "Q2 brochure" brochures/emea/q2.txt="EMEA Q2"
run env REMOTE_USER=rruiz git -C "$WORK" push -q origin main
tag print/m2
push_as rruiz print/m2
wait_for 20 grep -q "to 'mail' (delivery [0-9a-f]*): RCPT failed: 451, will retry in [0-9] s" "$DLOG"
assert "the refusal is logged, to be retried" grep -q "to 'mail' (delivery [0-9a-f]*): RCPT failed: 451, will retry in [0-9] s" "$DLOG"
assert "four deliveries wait in the outbox" test "$(ls "$T/state/outbox" | wc -l)" -eq 4
kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=""
: >"$MAIL/mode"
start_daemon
# the retry after the first failure is 5 s away
wait_for 30 has_msgs 11
assert "after the restart the four arrive" test "$(msgs)" -eq 11
sleep 1
assert "once each" test "$(msgs)" -eq 11
: >"$T/ids"
for i in 8 9 10 11; do read_mail "$(msg $i)" subject; read_mail "$(msg $i)" message-id >>"$T/ids"; done >"$OUT"
assert "all four about print/m2" test "$(grep -c 'print/m2' "$OUT")" -eq 4
assert "with four Message-IDs" test "$(sort -u "$T/ids" | wc -l)" -eq 4

# --- the config check: plain SMTP only to this machine
for u in "smtp://mail.example.com" "smtp://mail.example.com:25" "smtp://10.0.0.7:2525"; do
	cat >"$T/bad.conf" <<CONF
$(sed '/^notify = (/,$d' "$CONF")
notify = ( { name = "mail"; type = "email"; smtp_url = "$u"; from = "printgate@example.com"; } );
CONF
	run "$BUILD/printgatectl" -c "$T/bad.conf" check
	assert_rc "$u: refused by the config check" 2
	assert "$u: says why and what to use" grep -q "smtp_url.*'$u' is plain SMTP to a host that is not this machine.*smtps://host:465, or smtp://host:587" "$OUT"
done
for u in "smtps://mail.example.com:465" "smtp://mail.example.com:587"; do
	cat >"$T/good.conf" <<CONF
$(sed '/^notify = (/,$d' "$CONF")
notify = ( { name = "mail"; type = "email"; smtp_url = "$u"; from = "printgate@example.com"; } );
CONF
	run "$BUILD/printgatectl" -c "$T/good.conf" check
	assert_no_out "$u: accepted" "smtp_url"
done
cat >"$T/bad.conf" <<CONF
$(sed '/^notify = (/,$d' "$CONF")
notify = ( { name = "mail"; type = "email"; smtp_url = "smtps://mail.example.com"; from = "Printgate <p@example.com>"; url_file = "x"; } );
CONF
run "$BUILD/printgatectl" -c "$T/bad.conf" check
assert_out "a from that is not a plain address is refused" "'Printgate <p@example.com>' is not a plain email address"
assert_out "an email target has no url_file" "a target of type email has no url_file"
# --- print/m1's last message's personal link opens the review page on printgated
# and decides as its person (via web:link)
listener || { echo "Bail out! no listener"; exit 1; }
path=${m1_link#https://printgate.example.com}
who=${m1_to%@*}
code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' "http://127.0.0.1:$HPORT$path")
assert "the emailed link opens the review page" test "$code" = 200
assert "the page lets its person decide" grep -q 'Deciding as' "$OUT"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$OUT" | sed 's/.*value="//; s/"$//')
code=$(curl -s -m 20 -o "$OUT" -w '%{http_code}' -X POST \
    -H "Content-Type: application/x-www-form-urlencoded" \
    -H "Origin: https://printgate.example.com" \
    --data-binary "csrf=$csrf&decision=approve" \
    "http://127.0.0.1:$HPORT$path/decide")
assert "a decision through the emailed link is recorded (200)" test "$code" = 200
ledger "$c1" >"$T/ledger"
assert "the ledger has $who's approval, via web:link" \
    sh -c "grep '\"type\":\"approve\"' '$T/ledger' | grep '\"via\":\"web:link\"' | grep -q '\"by\":\"$who\"'"
kill "$smtp_pid" 2>/dev/null
finish
