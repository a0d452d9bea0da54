/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_verify.c - the checks that a request is genuine (verify.c), which
 * run on headers and bodies before anything else looks at them:
 * slack_verify, teams_verify, verify_webhook, verify_unbase64 and
 * verify_token, on headers and bodies from the input, and signed by the
 * target itself to see that what is genuine is accepted and that a body
 * changed after signing is not.
 *
 * The input: one byte that picks the check (its value modulo 6), then
 * the check's strings one a line (a line that starts with a NUL byte is a
 * header that is absent, NULL), then the body: every byte left.
 *
 *   0 slack      secret, X-Slack-Request-Timestamp, X-Slack-Signature
 *   1 teams      secret (base64), Authorization
 *   2 webhook    secret, webhook-id, webhook-timestamp, webhook-signature
 *   3 base64     (no lines) the body decoded, and encoded then decoded
 *   4 token      expected, got
 *   5 signed     secret, webhook-id, more webhook-signature entries; the
 *                body is signed for Slack, Teams and Standard Webhooks
 */
#include "fuzz.h"

#include "chat/slack.h"
#include "chat/teams.h"
#include "core/util.h"
#include "core/verify.h"

/* The verifying server's clock: the fixtures' time, 2027-01-03. */
#define NOW 1798970733

struct input {
	char *field[4];		/* NULL when absent or not given */
	const uint8_t *body;	/* into a copy of exactly len bytes */
	size_t len;
	uint8_t *copy;
};

/* Splits data into n fields and the body. */
static void
input_split(const uint8_t *data, size_t size, size_t n, struct input *in)
{
	const uint8_t *p = data, *end = data + size;

	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < n && p < end; i++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (len == 0 || p[0] != '\0')
			in->field[i] = strndup((const char *)p, len);
		p += len + (nl != NULL);
	}
	in->len = (size_t)(end - p);
	in->copy = malloc(in->len > 0 ? in->len : 1);
	if (in->copy == NULL)
		abort();
	if (in->len > 0)
		memcpy(in->copy, p, in->len);
	in->body = in->copy;
}

static void
input_free(struct input *in)
{
	for (size_t i = 0; i < 4; i++)
		free(in->field[i]);
	free(in->copy);
}

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/*
 * The contract of every verify_<platform>(): one of its codes, -EINVAL
 * exactly when there is no secret, a one-line reason on failure and none
 * on success; the same result when no reason is asked for.
 */
static void
check_result(int error, int again, char *why, const char *secret)
{
	FUZZ_CHECK(error == again);
	FUZZ_CHECK(error == 0 || error == -EBADMSG || error == -ETIMEDOUT ||
	    error == -EACCES || error == -EINVAL);
	FUZZ_CHECK((error == -EINVAL) == empty(secret));
	if (error == 0) {
		FUZZ_CHECK(why == NULL);
		return;
	}
	fuzz_check_reason(why);
	free(why);
}

static void
fuzz_slack(const struct input *in)
{
	char *why = NULL;
	int error = slack_verify(in->field[0], in->field[1], in->field[2],
	    in->body, in->len, NOW, &why);

	check_result(error, slack_verify(in->field[0], in->field[1],
	    in->field[2], in->body, in->len, NOW, NULL), why, in->field[0]);
}

static void
fuzz_teams(const struct input *in)
{
	char *why = NULL;
	int error = teams_verify(in->field[0], in->field[1], in->body,
	    in->len, &why);

	check_result(error, teams_verify(in->field[0], in->field[1],
	    in->body, in->len, NULL), why, in->field[0]);
}

static void
fuzz_webhook(const struct input *in)
{
	char *why = NULL;
	int error = verify_webhook(in->field[0], in->field[1], in->field[2],
	    in->field[3], in->body, in->len, NOW, &why);

	check_result(error, verify_webhook(in->field[0], in->field[1],
	    in->field[2], in->field[3], in->body, in->len, NOW, NULL), why,
	    in->field[0]);
}

/* Decodes s; when it decodes, so does its encoding, to the same bytes. */
static void
fuzz_base64(const struct input *in)
{
	char *s = fuzz_cstr(in->body, in->len), *again;
	unsigned char *out = NULL, *back = NULL;
	size_t len = 0, blen = 0;

	if (verify_unbase64(s, &out, &len) == 0) {
		FUZZ_CHECK(out != NULL);
		FUZZ_CHECK(len <= strlen(s) / 4 * 3);
		again = verify_base64(out, len);
		FUZZ_CHECK(strlen(again) == (len + 2) / 3 * 4);
		if (len > 0) {
			FUZZ_CHECK(verify_unbase64(again, &back, &blen) == 0);
			FUZZ_CHECK(blen == len && memcmp(back, out, len) == 0);
			free(back);
		}
		free(again);
		free(out);
	}
	free(s);

	/* any bytes: encoded, then decoded, they come back */
	if (in->len > 0) {
		again = verify_base64(in->body, in->len);
		FUZZ_CHECK(verify_unbase64(again, &back, &blen) == 0);
		FUZZ_CHECK(blen == in->len &&
		    memcmp(back, in->body, blen) == 0);
		free(back);
		free(again);
	}
}

static void
fuzz_token(const struct input *in)
{
	const char *a = in->field[0], *b = in->field[1];
	bool same = a != NULL && b != NULL && *a != '\0' && strcmp(a, b) == 0;

	FUZZ_CHECK(verify_token(a, b) == (same ? 0 : -EACCES));
	if (a != NULL && b != NULL)
		FUZZ_CHECK(verify_equal(a, strlen(a), b, strlen(b)) ==
		    (strcmp(a, b) == 0));
}

/* Entries in a webhook-signature value: space-separated, not empty. */
static size_t
entries(const char *s)
{
	size_t n = 0;

	for (const char *p = s; p != NULL && *p != '\0';) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		n++;
		p += strcspn(p, " ");
	}
	return n;
}

/*
 * Signs the body as each platform would and checks that it is accepted,
 * and that it is refused once a byte of the body changed.
 */
static void
fuzz_signed(const struct input *in)
{
	const char *secret = in->field[0], *id = in->field[1];
	const char *more = in->field[2] ? in->field[2] : "";
	unsigned char mac[32];
	uint8_t *changed = NULL;
	char ts[24], hex[65], *sig, *sigs, *b64, *auth, *msg;
	size_t more_n = entries(more);
	int want;

	if (empty(secret) || empty(id))
		return;
	if (in->len > 0) {
		changed = malloc(in->len);
		if (changed == NULL)
			abort();
		memcpy(changed, in->body, in->len);
		changed[in->len / 2] ^= 0x01;
	}
	snprintf(ts, sizeof(ts), "%d", NOW - 120);

	/* Standard Webhooks, among what else the header lists */
	sig = verify_webhook_sign(secret, id, NOW - 120, (const char *)in->body,
	    in->len);
	FUZZ_CHECK(strncmp(sig, "v1,", 3) == 0 && strlen(sig) == 3 + 44);
	sigs = xasprintf("%s %s", more, sig);
	want = more_n + 1 > 16 ? -EBADMSG : 0;
	FUZZ_CHECK(verify_webhook(secret, id, ts, sigs, in->body, in->len,
	    NOW, NULL) == want);
	if (changed != NULL && want == 0)
		FUZZ_CHECK(verify_webhook(secret, id, ts, sigs, changed,
		    in->len, NOW, NULL) == -EACCES);
	free(sigs);
	free(sig);

	/* Slack: v0= and the hex of the HMAC of "v0:" ts ":" body */
	msg = malloc(strlen(ts) + 4 + in->len + 1);
	if (msg == NULL)
		abort();
	sprintf(msg, "v0:%s:", ts);
	if (in->len > 0)
		memcpy(msg + strlen(ts) + 4, in->body, in->len);
	verify_hmac_sha256(secret, strlen(secret), msg, strlen(ts) + 4 +
	    in->len, mac);
	free(msg);
	verify_hex(mac, sizeof(mac), hex);
	sig = xasprintf("v0=%s", hex);
	FUZZ_CHECK(slack_verify(secret, ts, sig, in->body, in->len, NOW,
	    NULL) == 0);
	if (changed != NULL)
		FUZZ_CHECK(slack_verify(secret, ts, sig, changed, in->len,
		    NOW, NULL) == -EACCES);
	free(sig);

	/* Teams: the secret is base64; HMAC <base64 of the HMAC> */
	b64 = verify_base64((const unsigned char *)secret, strlen(secret));
	verify_hmac_sha256(secret, strlen(secret), in->body, in->len, mac);
	sig = verify_base64(mac, sizeof(mac));
	auth = xasprintf("HMAC %s", sig);
	FUZZ_CHECK(teams_verify(b64, auth, in->body, in->len, NULL) == 0);
	if (changed != NULL)
		FUZZ_CHECK(teams_verify(b64, auth, changed, in->len, NULL) ==
		    -EACCES);
	free(auth);
	free(sig);
	free(b64);
	free(changed);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t nfields[] = { 3, 2, 4, 0, 2, 3 };
	struct input in;
	unsigned mode;

	if (size == 0 || size > FUZZ_MAX_INPUT)
		return 0;
	mode = data[0] % 6;
	input_split(data + 1, size - 1, nfields[mode], &in);
	switch (mode) {
	case 0:
		fuzz_slack(&in);
		break;
	case 1:
		fuzz_teams(&in);
		break;
	case 2:
		fuzz_webhook(&in);
		break;
	case 3:
		fuzz_base64(&in);
		break;
	case 4:
		fuzz_token(&in);
		break;
	default:
		fuzz_signed(&in);
		break;
	}
	input_free(&in);
	return 0;
}
