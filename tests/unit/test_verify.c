/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_verify.c - signatures and tokens, checked against values that did
 * not come from printgate:
 *
 *   - Slack's documented example, from "Verifying requests from Slack"
 *     (api.slack.com/authentication/verifying-requests-from-slack): the
 *     /webhook-collect slash command and its X-Slack-Signature;
 *   - RFC 4231, HMAC-SHA-256 test cases 1 and 2;
 *   - the Standard Webhooks example, from the reference libraries' tests
 *     (github.com/standard-webhooks/standard-webhooks, test_sign_function
 *     in libraries/python/tests/test_webhooks.py);
 *   - a Microsoft Teams outgoing-webhook request and a Mattermost button
 *     token whose HMACs were computed with the openssl command line, e.g.
 *       printf '%s' "$body" | openssl dgst -sha256 -mac HMAC \
 *           -macopt hexkey:<hex of the decoded secret> -binary | base64
 *
 * Each check is a table of cases, one cmocka test a row, so that adding a
 * case is adding a row and a failure names the case.  A refusal is
 * checked for what a caller would see: the error code and a one-line
 * reason that says what is wrong and holds neither the secret nor the
 * signature expected.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "chat/mattermost.h"
#include "chat/slack.h"
#include "chat/teams.h"
#include "core/util.h"
#include "core/verify.h"
#include "unit.h"


/*
 * Checks the outcome of one verify_*() call: error as expected; on a
 * refusal, a reason containing want_why, on one line, without any of the
 * strings in secret[] (NULL-terminated); on success, *why left alone.
 */
static void
check_outcome(int error, char *why, int want, const char *want_why,
    const char *const *secret)
{
	assert_int_equal(error, want);
	if (want == 0) {
		assert_null(why);
		return;
	}
	assert_non_null(why);
	assert_non_null(strstr(why, want_why));
	assert_null(strchr(why, '\n'));
	for (; *secret != NULL; secret++)
		assert_null(strstr(why, *secret));
	free(why);
}

/* ------------------------------------------------------------------ */
/* RFC 4231: HMAC-SHA-256                                              */

static const unsigned char rfc4231_key1[20] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
};

static const struct hmac_case {
	const char *name;
	const void *key;
	size_t keylen;
	const char *data;
	const char *hex;
} hmac_cases[] = {
	{ "hmac: RFC 4231 test case 1", rfc4231_key1, sizeof(rfc4231_key1),
	  "Hi There",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "hmac: RFC 4231 test case 2", "Jefe", 4,
	  "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
};

static void
test_hmac(void **state)
{
	const struct hmac_case *c = *state;
	unsigned char mac[32];
	char hex[65];

	verify_hmac_sha256(c->key, c->keylen, c->data, strlen(c->data), mac);
	verify_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, c->hex);
}

/* ------------------------------------------------------------------ */
/* Slack                                                               */

#define SLACK_SECRET "8f742231b10e8888abcd99yyyzzz85a5"
#define SLACK_TS "1531420618"
#define SLACK_AT 1531420618
#define SLACK_HEX \
	"a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
#define SLACK_SIG "v0=" SLACK_HEX

/* The documented request's raw body: 362 bytes, form-encoded. */
static const char slack_body[] =
	"token=xyzz0WbapA4vBCDEFasx0q6G&"
	"team_id=T1DC2JH3J&"
	"team_domain=testteamnow&"
	"channel_id=G8PSS9T3V&"
	"channel_name=foobar&"
	"user_id=U2CERLKJA&"
	"user_name=roadrunner&"
	"command=%2Fwebhook-collect&"
	"text=&"
	"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
	"%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
	"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

static const char *const slack_secrets[] = {
	SLACK_SECRET, SLACK_HEX, NULL,
};

/*
 * A request: NULL secret and signature fields mean the documented ones
 * (none_* to pass NULL itself), change >= 0 flips a bit of that body byte.
 */
static const struct slack_case {
	const char *name;
	const char *secret;
	const char *timestamp;
	const char *signature;
	int64_t now;
	int change;
	int error;
	const char *why;
} slack_cases[] = {
	{ "slack: the documented example", SLACK_SECRET, SLACK_TS, SLACK_SIG,
	  SLACK_AT, -1, 0, NULL },
	{ "slack: accepted 300 s after it was sent", SLACK_SECRET, SLACK_TS,
	  SLACK_SIG, SLACK_AT + 300, -1, 0, NULL },
	{ "slack: accepted 300 s before (a clock behind)", SLACK_SECRET,
	  SLACK_TS, SLACK_SIG, SLACK_AT - 300, -1, 0, NULL },
	{ "slack: uppercase hex is the same signature", SLACK_SECRET,
	  SLACK_TS,
	  "v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503",
	  SLACK_AT, -1, 0, NULL },
	{ "slack: refused 301 s after it was sent", SLACK_SECRET, SLACK_TS,
	  SLACK_SIG, SLACK_AT + 301, -1, -ETIMEDOUT,
	  "stale timestamp: 301 s behind" },
	{ "slack: refused 301 s before (a clock behind)", SLACK_SECRET,
	  SLACK_TS, SLACK_SIG, SLACK_AT - 301, -1, -ETIMEDOUT,
	  "stale timestamp: 301 s ahead" },
	{ "slack: refused a year later", SLACK_SECRET, SLACK_TS, SLACK_SIG,
	  SLACK_AT + 365 * 86400, -1, -ETIMEDOUT, "stale timestamp" },
	{ "slack: one body byte changed", SLACK_SECRET, SLACK_TS, SLACK_SIG,
	  SLACK_AT, 200, -EACCES, "does not match" },
	{ "slack: the first body byte changed", SLACK_SECRET, SLACK_TS,
	  SLACK_SIG, SLACK_AT, 0, -EACCES, "does not match" },
	{ "slack: the signature's last hex digit changed", SLACK_SECRET,
	  SLACK_TS,
	  "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b502",
	  SLACK_AT, -1, -EACCES, "does not match" },
	{ "slack: a wrong secret", "8f742231b10e8888abcd99yyyzzz85a6",
	  SLACK_TS, SLACK_SIG, SLACK_AT, -1, -EACCES, "does not match" },
	{ "slack: the timestamp is signed too", SLACK_SECRET, "1531420619",
	  SLACK_SIG, SLACK_AT, -1, -EACCES, "does not match" },
	{ "slack: missing timestamp", SLACK_SECRET, NULL, SLACK_SIG,
	  SLACK_AT, -1, -EBADMSG, "missing X-Slack-Request-Timestamp" },
	{ "slack: empty timestamp", SLACK_SECRET, "", SLACK_SIG, SLACK_AT,
	  -1, -EBADMSG, "missing X-Slack-Request-Timestamp" },
	{ "slack: non-numeric timestamp", SLACK_SECRET, "yesterday",
	  SLACK_SIG, SLACK_AT, -1, -EBADMSG, "not a unix time" },
	{ "slack: timestamp with trailing junk", SLACK_SECRET,
	  "1531420618x", SLACK_SIG, SLACK_AT, -1, -EBADMSG,
	  "not a unix time" },
	{ "slack: negative timestamp", SLACK_SECRET, "-1531420618",
	  SLACK_SIG, SLACK_AT, -1, -EBADMSG, "not a unix time" },
	{ "slack: timestamp too long to be one", SLACK_SECRET,
	  "99999999999999999999", SLACK_SIG, SLACK_AT, -1, -EBADMSG,
	  "not a unix time" },
	{ "slack: missing signature", SLACK_SECRET, SLACK_TS, NULL,
	  SLACK_AT, -1, -EBADMSG, "missing X-Slack-Signature" },
	{ "slack: signature without v0=", SLACK_SECRET, SLACK_TS, SLACK_HEX,
	  SLACK_AT, -1, -EBADMSG, "not \"v0=\" and 64 hex digits" },
	{ "slack: signature with v1=", SLACK_SECRET, SLACK_TS,
	  "v1=" SLACK_HEX, SLACK_AT, -1, -EBADMSG, "not \"v0=\"" },
	{ "slack: signature one digit short", SLACK_SECRET, SLACK_TS,
	  "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
	  SLACK_AT, -1, -EBADMSG, "64 hex digits" },
	{ "slack: signature one digit long", SLACK_SECRET, SLACK_TS,
	  SLACK_SIG "3", SLACK_AT, -1, -EBADMSG, "64 hex digits" },
	{ "slack: signature not hex", SLACK_SECRET, SLACK_TS,
	  "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5g3",
	  SLACK_AT, -1, -EBADMSG, "64 hex digits" },
	{ "slack: no signing secret configured", "", SLACK_TS, SLACK_SIG,
	  SLACK_AT, -1, -EINVAL, "no Slack signing secret" },
};

static void
test_slack(void **state)
{
	const struct slack_case *c = *state;
	char body[sizeof(slack_body)], *why = NULL;
	int error;

	memcpy(body, slack_body, sizeof(body));
	if (c->change >= 0)
		body[c->change] ^= 0x01;
	error = slack_verify(c->secret, c->timestamp, c->signature, body,
	    strlen(body), c->now, &why);
	check_outcome(error, why, c->error, c->why, slack_secrets);
}

static void
test_slack_body_length(void **state)
{
	(void)state;
	assert_int_equal(strlen(slack_body), 362);
}

/* Without a place for the reason, only the code comes back. */
static void
test_slack_no_why(void **state)
{
	(void)state;
	assert_int_equal(slack_verify(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, strlen(slack_body), SLACK_AT, NULL), 0);
	assert_int_equal(slack_verify(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, strlen(slack_body) - 1, SLACK_AT, NULL), -EACCES);
}

/* ------------------------------------------------------------------ */
/* Standard Webhooks                                                   */

#define WH_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define WH_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define WH_TS "1614265330"
#define WH_AT 1614265330
#define WH_BODY "{\"test\": 2432232314}"
#define WH_B64 "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define WH_SIG "v1," WH_B64
/* a well-formed v1 signature of something else */
#define WH_OTHER "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="

static const char *const wh_secrets[] = {
	WH_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", WH_B64, NULL,
};

static void
test_webhook_sign(void **state)
{
	char *sig;

	(void)state;
	sig = verify_webhook_sign(WH_SECRET, WH_ID, WH_AT, WH_BODY,
	    strlen(WH_BODY));
	assert_string_equal(sig, WH_SIG);
	free(sig);
}

static const struct webhook_case {
	const char *name;
	const char *secret;
	const char *id;
	const char *timestamp;
	const char *signatures;
	const char *body;
	int64_t now;
	int error;
	const char *why;
} webhook_cases[] = {
	{ "webhook: the specification's example", WH_SECRET, WH_ID, WH_TS,
	  WH_SIG, WH_BODY, WH_AT, 0, NULL },
	{ "webhook: accepted after another v1 and a v2 entry", WH_SECRET,
	  WH_ID, WH_TS, WH_OTHER " v2," WH_B64 " " WH_SIG, WH_BODY, WH_AT,
	  0, NULL },
	{ "webhook: accepted before another v1 entry", WH_SECRET, WH_ID,
	  WH_TS, WH_SIG " " WH_OTHER, WH_BODY, WH_AT, 0, NULL },
	{ "webhook: extra spaces between entries", WH_SECRET, WH_ID, WH_TS,
	  "  " WH_OTHER "   " WH_SIG "  ", WH_BODY, WH_AT, 0, NULL },
	{ "webhook: a v1 entry that is not base64 is passed over", WH_SECRET,
	  WH_ID, WH_TS, "v1,!!! v1, v1," WH_B64 "x " WH_SIG, WH_BODY, WH_AT,
	  0, NULL },
	{ "webhook: accepted 300 s later", WH_SECRET, WH_ID, WH_TS, WH_SIG,
	  WH_BODY, WH_AT + 300, 0, NULL },
	{ "webhook: 16 entries", WH_SECRET, WH_ID, WH_TS,
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " "
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " "
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " "
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_SIG,
	  WH_BODY, WH_AT, 0, NULL },
	{ "webhook: stale, 301 s later", WH_SECRET, WH_ID, WH_TS, WH_SIG,
	  WH_BODY, WH_AT + 301, -ETIMEDOUT, "stale timestamp" },
	{ "webhook: stale, 301 s early", WH_SECRET, WH_ID, WH_TS, WH_SIG,
	  WH_BODY, WH_AT - 301, -ETIMEDOUT, "stale timestamp" },
	{ "webhook: tampered body", WH_SECRET, WH_ID, WH_TS, WH_SIG,
	  "{\"test\": 2432232315}", WH_AT, -EACCES, "matches the body" },
	{ "webhook: another id", WH_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJeK",
	  WH_TS, WH_SIG, WH_BODY, WH_AT, -EACCES, "matches the body" },
	{ "webhook: another timestamp", WH_SECRET, WH_ID, "1614265331",
	  WH_SIG, WH_BODY, WH_AT, -EACCES, "matches the body" },
	{ "webhook: the signature's last byte changed", WH_SECRET, WH_ID,
	  WH_TS, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", WH_BODY,
	  WH_AT, -EACCES, "matches the body" },
	{ "webhook: another secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx",
	  WH_ID, WH_TS, WH_SIG, WH_BODY, WH_AT, -EACCES, "matches the body" },
	{ "webhook: only a v2 entry, even a right one", WH_SECRET, WH_ID,
	  WH_TS, "v2," WH_B64, WH_BODY, WH_AT, -EACCES, "has no v1 entry" },
	{ "webhook: missing id", WH_SECRET, NULL, WH_TS, WH_SIG, WH_BODY,
	  WH_AT, -EBADMSG, "missing webhook-id" },
	{ "webhook: empty id", WH_SECRET, "", WH_TS, WH_SIG, WH_BODY, WH_AT,
	  -EBADMSG, "missing webhook-id" },
	{ "webhook: missing timestamp", WH_SECRET, WH_ID, NULL, WH_SIG,
	  WH_BODY, WH_AT, -EBADMSG, "missing webhook-timestamp" },
	{ "webhook: timestamp not a number", WH_SECRET, WH_ID, "hello",
	  WH_SIG, WH_BODY, WH_AT, -EBADMSG, "not a unix time" },
	{ "webhook: missing signature", WH_SECRET, WH_ID, WH_TS, NULL,
	  WH_BODY, WH_AT, -EBADMSG, "missing webhook-signature" },
	{ "webhook: signature of spaces only", WH_SECRET, WH_ID, WH_TS,
	  "   ", WH_BODY, WH_AT, -EBADMSG, "missing webhook-signature" },
	{ "webhook: 17 entries", WH_SECRET, WH_ID, WH_TS,
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " "
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " "
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " "
	  WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_OTHER " " WH_SIG,
	  WH_BODY, WH_AT, -EBADMSG, "more than 16 entries" },
	{ "webhook: no secret configured", NULL, WH_ID, WH_TS, WH_SIG,
	  WH_BODY, WH_AT, -EINVAL, "no webhook secret" },
};

static void
test_webhook(void **state)
{
	const struct webhook_case *c = *state;
	char *why = NULL;
	int error;

	error = verify_webhook(c->secret, c->id, c->timestamp, c->signatures,
	    c->body, strlen(c->body), c->now, &why);
	check_outcome(error, why, c->error, c->why, wh_secrets);
}

/*
 * A secret without "whsec_" is its own bytes, for signing and checking
 * alike: what one signs the other accepts, and it is not the signature
 * under the decoded key.
 */
static void
test_webhook_raw_secret(void **state)
{
	const char *raw = "a-shared-api-secret";
	char *sig;

	(void)state;
	sig = verify_webhook_sign(raw, WH_ID, WH_AT, WH_BODY,
	    strlen(WH_BODY));
	assert_string_not_equal(sig, WH_SIG);
	assert_int_equal(verify_webhook(raw, WH_ID, WH_TS, sig, WH_BODY,
	    strlen(WH_BODY), WH_AT, NULL), 0);
	assert_int_equal(verify_webhook(WH_SECRET, WH_ID, WH_TS, sig, WH_BODY,
	    strlen(WH_BODY), WH_AT, NULL), -EACCES);
	free(sig);
}

/* An empty body is signed and checked like any other. */
static void
test_webhook_empty_body(void **state)
{
	char *sig;

	(void)state;
	sig = verify_webhook_sign(WH_SECRET, WH_ID, WH_AT, NULL, 0);
	assert_int_equal(verify_webhook(WH_SECRET, WH_ID, WH_TS, sig, NULL, 0,
	    WH_AT, NULL), 0);
	assert_int_equal(verify_webhook(WH_SECRET, WH_ID, WH_TS, sig, "x", 1,
	    WH_AT, NULL), -EACCES);
	free(sig);
}

/* ------------------------------------------------------------------ */
/* Microsoft Teams                                                     */

/* A base64 secret as Teams shows it, and the outgoing-webhook request. */
#define TEAMS_SECRET "0I9Z1idJmji468/2EFrTA5zFjfN+yhmiWRpQ2E7I0mQ="
#define TEAMS_B64 "qFscM6y11c75bssaFyY8i4I49wRPN6g91gJIAHyDfIQ="
#define TEAMS_AUTH "HMAC " TEAMS_B64

/* 1396 bytes, as Teams sends it: one line. */
static const char teams_body[] =
	"{\"type\":\"message\",\"id\":\"1704879000123\","
	"\"timestamp\":\"2027-01-10T09:30:00.123Z\","
	"\"localTimestamp\":\"2027-01-10T10:30:00.123+01:00\","
	"\"serviceUrl\":\"https://smba.trafficmanager.net/emea/\","
	"\"channelId\":\"msteams\","
	"\"from\":{\"id\":\"29:1aBcDeFgHiJkLmNoPqRsTuVwXyZ\","
	"\"name\":\"Alice Ng\","
	"\"aadObjectId\":\"3f1c2a4e-9b7d-4e21-8c55-0a6f1d2b7e90\"},"
	"\"conversation\":{\"isGroup\":true,"
	"\"id\":\"19:b2c3d4e5f6a7@thread.tacv2;messageid=1704879000123\","
	"\"name\":null,\"conversationType\":\"channel\","
	"\"tenantId\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\"},"
	"\"recipient\":null,\"textFormat\":\"plain\","
	"\"attachmentLayout\":null,\"membersAdded\":[],"
	"\"membersRemoved\":[],\"topicName\":null,"
	"\"historyDisclosed\":null,\"locale\":\"en-US\","
	"\"text\":\"<at>printgate</at> approve print/q1 fine for the "
	"EMEA run\","
	"\"summary\":null,\"attachments\":[{\"contentType\":\"text/html\","
	"\"content\":\"<div><div><span itemscope=\\\"\\\" "
	"itemtype=\\\"http://schema.skype.com/Mention\\\" "
	"itemid=\\\"0\\\">printgate</span> approve print/q1 fine for the "
	"EMEA run</div></div>\"}],"
	"\"entities\":[{\"type\":\"clientInfo\",\"locale\":\"en-US\","
	"\"country\":\"US\",\"platform\":\"Web\","
	"\"timezone\":\"Europe/Paris\"}],"
	"\"channelData\":{"
	"\"teamsChannelId\":\"19:b2c3d4e5f6a7@thread.tacv2\","
	"\"teamsTeamId\":\"19:9f8e7d6c5b4a@thread.tacv2\","
	"\"channel\":{\"id\":\"19:b2c3d4e5f6a7@thread.tacv2\"},"
	"\"team\":{\"id\":\"19:9f8e7d6c5b4a@thread.tacv2\"},"
	"\"tenant\":{\"id\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\"}},"
	"\"replyToId\":null,\"value\":null,\"name\":null,"
	"\"relatesTo\":null,\"action\":null}";

static const char *const teams_secrets[] = {
	TEAMS_SECRET, TEAMS_B64, NULL,
};

static const struct teams_case {
	const char *name;
	const char *secret;
	const char *authorization;
	int change;
	int error;
	const char *why;
} teams_cases[] = {
	{ "teams: an outgoing webhook request", TEAMS_SECRET, TEAMS_AUTH, -1,
	  0, NULL },
	{ "teams: the scheme in lower case", TEAMS_SECRET, "hmac " TEAMS_B64,
	  -1, 0, NULL },
	{ "teams: tampered body", TEAMS_SECRET, TEAMS_AUTH, 700, -EACCES,
	  "does not match" },
	{ "teams: another secret",
	  "fqCcXfDqEEy/8lr6jYN+ZFwBJ9GUNk3MpT7salZc4yY=", TEAMS_AUTH, -1,
	  -EACCES, "does not match" },
	{ "teams: the HMAC's last byte changed", TEAMS_SECRET,
	  "HMAC qFscM6y11c75bssaFyY8i4I49wRPN6g91gJIAHyDfIA=", -1, -EACCES,
	  "does not match" },
	{ "teams: \"HMAC\" with nothing", TEAMS_SECRET, "HMAC", -1, -EBADMSG,
	  "not \"HMAC <base64>\"" },
	{ "teams: \"HMAC \" with nothing", TEAMS_SECRET, "HMAC ", -1,
	  -EBADMSG, "base64 of a 32-byte" },
	{ "teams: \"Bearer x\"", TEAMS_SECRET, "Bearer x", -1, -EBADMSG,
	  "not \"HMAC <base64>\"" },
	{ "teams: the HMAC is not base64", TEAMS_SECRET,
	  "HMAC qFscM6y11c75bssaFyY8i4I49wRPN6g91gJIAHyDf!Q=", -1, -EBADMSG,
	  "base64 of a 32-byte" },
	{ "teams: the HMAC is 31 bytes", TEAMS_SECRET,
	  "HMAC AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", -1, -EBADMSG,
	  "base64 of a 32-byte" },
	{ "teams: missing Authorization", TEAMS_SECRET, NULL, -1, -EBADMSG,
	  "missing Authorization" },
	{ "teams: empty Authorization", TEAMS_SECRET, "", -1, -EBADMSG,
	  "missing Authorization" },
	{ "teams: the secret is not base64", "not base64!", TEAMS_AUTH, -1,
	  -EBADMSG, "Teams secret is not base64" },
	{ "teams: no secret configured", NULL, TEAMS_AUTH, -1, -EINVAL,
	  "no Teams secret" },
};

static void
test_teams(void **state)
{
	const struct teams_case *c = *state;
	char body[sizeof(teams_body)], *why = NULL;
	int error;

	memcpy(body, teams_body, sizeof(body));
	if (c->change >= 0)
		body[c->change] ^= 0x01;
	error = teams_verify(c->secret, c->authorization, body, strlen(body),
	    &why);
	check_outcome(error, why, c->error, c->why, teams_secrets);
}

static void
test_teams_body_length(void **state)
{
	(void)state;
	assert_int_equal(strlen(teams_body), 1396);
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */

static const struct token_case {
	const char *name;
	const char *expected;
	const char *got;
	int error;
} token_cases[] = {
	{ "token: equal", "xq9kTz7wR2pLs8vN", "xq9kTz7wR2pLs8vN", 0 },
	{ "token: one byte different", "xq9kTz7wR2pLs8vN", "xq9kTz7wR2pLs8vM",
	  -EACCES },
	{ "token: the first byte different", "xq9kTz7wR2pLs8vN",
	  "Xq9kTz7wR2pLs8vN", -EACCES },
	{ "token: a prefix of it", "xq9kTz7wR2pLs8vN", "xq9kTz7wR2pL",
	  -EACCES },
	{ "token: longer than it", "xq9kTz7wR2pLs8vN", "xq9kTz7wR2pLs8vNd",
	  -EACCES },
	{ "token: empty", "xq9kTz7wR2pLs8vN", "", -EACCES },
	{ "token: got NULL", "xq9kTz7wR2pLs8vN", NULL, -EACCES },
	{ "token: expected NULL", NULL, "xq9kTz7wR2pLs8vN", -EACCES },
	{ "token: both NULL", NULL, NULL, -EACCES },
	{ "token: both empty (an unset token lets nothing in)", "", "",
	  -EACCES },
};

static void
test_token(void **state)
{
	const struct token_case *c = *state;

	assert_int_equal(verify_token(c->expected, c->got), c->error);
}

/*
 * A Mattermost key and review; the tokens below were computed with
 *   printf '%s\n%s' MM_REVIEW DECISION |
 *       openssl dgst -sha256 -mac HMAC -macopt key:MM_KEY
 */
#define MM_KEY "mm-3xq9kTz7wR2pLs8vNd4hBc"
#define MM_REVIEW "print/q1@a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

static const struct action_case {
	const char *name;
	const char *decision;
	const char *hex;
} action_cases[] = {
	{ "action token: approve", "approve",
	  "da51c1e02b25946795d055376d308af6f8cc09cbbec75fd258d753dd00e7d268" },
	{ "action token: approve-with-changes", "approve-with-changes",
	  "13dc9a66c7c6255ca9c9537d289309e30e040ce54ffb520a5b77db2604e2af74" },
};

static void
test_action_token(void **state)
{
	const struct action_case *c = *state;
	char out[65];

	memset(out, 'z', sizeof(out));
	mattermost_action_token(MM_KEY, strlen(MM_KEY), MM_REVIEW, c->decision,
	    out);
	assert_string_equal(out, c->hex);
	/* what the listener does with what comes back */
	assert_int_equal(verify_token(out, c->hex), 0);
}

/* A token is bound to its review: another commit gives another token. */
static void
test_action_token_review(void **state)
{
	char a[65], b[65];

	(void)state;
	mattermost_action_token(MM_KEY, strlen(MM_KEY), MM_REVIEW, "approve", a);
	mattermost_action_token(MM_KEY, strlen(MM_KEY),
	    "print/q1@a1b2c3d4e5f60718293a4b5c6d7e8f9012345679", "approve", b);
	assert_int_equal(verify_token(a, b), -EACCES);
}

int
main(void)
{
	int failed;

	for (size_t i = 0; i < ARRAY_SIZE(hmac_cases); i++)
		add_test(hmac_cases[i].name, test_hmac, &hmac_cases[i]);
	add_test("slack: the documented body is 362 bytes",
	    test_slack_body_length, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(slack_cases); i++)
		add_test(slack_cases[i].name, test_slack, &slack_cases[i]);
	add_test("slack: no place for the reason", test_slack_no_why, NULL);
	add_test("webhook: signs the specification's example",
	    test_webhook_sign, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(webhook_cases); i++)
		add_test(webhook_cases[i].name, test_webhook,
		    &webhook_cases[i]);
	add_test("webhook: a secret without whsec_ is its own bytes",
	    test_webhook_raw_secret, NULL);
	add_test("webhook: an empty body", test_webhook_empty_body, NULL);
	add_test("teams: the request body is 1396 bytes",
	    test_teams_body_length, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(teams_cases); i++)
		add_test(teams_cases[i].name, test_teams, &teams_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(token_cases); i++)
		add_test(token_cases[i].name, test_token, &token_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(action_cases); i++)
		add_test(action_cases[i].name, test_action_token,
		    &action_cases[i]);
	add_test("action token: bound to the review",
	    test_action_token_review, NULL);
	failed = _cmocka_run_group_tests("verify", tests, ntests, NULL, NULL);
	free(tests);
	return failed ? 1 : 0;
}
