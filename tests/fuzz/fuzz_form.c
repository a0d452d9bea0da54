/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_form.c - what inbound.c parses of outside input, for every chat
 * platform: the application/x-www-form-urlencoded decoder (against a
 * reference decoder written here from inbound.h's words), the form fields
 * as the parsers read them, the command text ("approve print/q1 ok"), the
 * checks each string goes through before it is copied, and the UTF-8
 * validator (against fuzz.h's).
 *
 * The input is used whole as a form body (not NUL-terminated), and as
 * text up to its first NUL byte.
 */
#include "fuzz.h"

#include "chat/inbound.h"

/* The keys looked up: the parsers' own, a short one, and "". */
static const char *const keys[] = {
	"payload", "text", "command", "user_id", "token", "a", "",
};

static int
ref_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* -1 for a malformed escape or a NUL byte, else the byte; moves *i on. */
static int
ref_byte(const char *s, size_t n, size_t *i)
{
	int c = (unsigned char)s[(*i)++], hi, lo;

	if (c == '+')
		return ' ';
	if (c == '%') {
		if (n - *i < 2 || (hi = ref_hex(s[*i])) < 0 ||
		    (lo = ref_hex(s[*i + 1])) < 0)
			return -1;
		c = hi << 4 | lo;
		*i += 2;
	}
	return c == 0 ? -1 : c;
}

/* Decodes n bytes at s into a new string; -1 when malformed. */
static int
ref_decode(const char *s, size_t n, char **out)
{
	char *v = malloc(n + 1);
	size_t i = 0, o = 0;

	if (v == NULL)
		abort();
	while (i < n) {
		int c = ref_byte(s, n, &i);

		if (c < 0) {
			free(v);
			return -1;
		}
		v[o++] = (char)c;
	}
	v[o] = '\0';
	*out = v;
	return 0;
}

/* inbound_form_get() as inbound.h describes it, the slow way. */
static int
ref_form_get(const char *body, size_t len, const char *key, char **out)
{
	size_t p = 0;

	while (p < len) {
		size_t end = p, eq;
		char *name;
		int same;

		while (end < len && body[end] != '&')
			end++;
		for (eq = p; eq < end && body[eq] != '='; eq++)
			continue;
		if (end > p) {
			if (ref_decode(body + p, eq - p, &name) < 0)
				return -EINVAL;
			same = strcmp(name, key) == 0;
			free(name);
			if (same) {
				size_t v = eq < end ? eq + 1 : end;

				return ref_decode(body + v, end - v, out) < 0 ?
				    -EINVAL : 0;
			}
		}
		p = end + 1;
	}
	return -ENOENT;
}

static void
fuzz_form_get(const char *body, size_t len)
{
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char *got = (char *)"untouched", *want = NULL;
		int error = inbound_form_get(body, len, keys[k], &got);
		int ref = ref_form_get(body, len, keys[k], &want);

		FUZZ_CHECK(error == ref);
		if (error == 0) {
			FUZZ_CHECK(strcmp(got, want) == 0);
			free(got);
			free(want);
		} else {
			FUZZ_CHECK(strcmp(got, "untouched") == 0);
		}
	}
}

/* Each field's check on s, by itself: the copy obeys the field's rules. */
static void
fuzz_field_copy(const char *s)
{
	static const enum inbound_field fields[] = {
		INBOUND_FIELD_ID, INBOUND_FIELD_TARGET, INBOUND_FIELD_PATH,
		INBOUND_FIELD_REVIEW, INBOUND_FIELD_URL,
		INBOUND_FIELD_COMMENT,
	};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		char *out = (char *)"untouched", *why = NULL;
		int error = inbound_field_copy(fields[f], "'x'", s, &out,
		    &why);

		if (error < 0) {
			FUZZ_CHECK(error == -EINVAL);
			fuzz_check_reason(why);
			FUZZ_CHECK(strcmp(out, "untouched") == 0);
			free(why);
			continue;
		}
		FUZZ_CHECK(why == NULL);
		switch (fields[f]) {
		case INBOUND_FIELD_ID:
			fuzz_check_word(out, INBOUND_MAX_ID, false);
			break;
		case INBOUND_FIELD_TARGET:
			fuzz_check_word(out, INBOUND_MAX_NAME, false);
			break;
		case INBOUND_FIELD_PATH:
			fuzz_check_word(out, INBOUND_MAX_NAME, true);
			break;
		case INBOUND_FIELD_REVIEW:
			fuzz_check_review(out);
			break;
		case INBOUND_FIELD_URL:
			fuzz_check_url(out);
			break;
		case INBOUND_FIELD_COMMENT:
			/* NULL: nothing was left after trimming */
			if (out != NULL)
				fuzz_check_comment(out);
			break;
		}
		/* a field other than the comment is copied as it is */
		if (fields[f] != INBOUND_FIELD_COMMENT)
			FUZZ_CHECK(strcmp(out, s) == 0);
		free(out);
	}
}

/* The form fields as the platform parsers read them. */
static void
fuzz_form_field(const char *body, size_t len)
{
	static const struct {
		const char *key;
		bool required;
		enum inbound_field field;
	} cases[] = {
		{ "user_id", true, INBOUND_FIELD_ID },
		{ "text", false, INBOUND_FIELD_COMMENT },
		{ "response_url", false, INBOUND_FIELD_URL },
		{ "a", true, INBOUND_FIELD_REVIEW },
		{ "", false, INBOUND_FIELD_PATH },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *out = NULL, *why = NULL, *raw = NULL;
		int error = inbound_form_field(body, len, cases[c].key,
		    cases[c].required, cases[c].field, &out, &why);
		int found = ref_form_get(body, len, cases[c].key, &raw);

		if (error < 0) {
			FUZZ_CHECK(error == -EINVAL);
			fuzz_check_reason(why);
			FUZZ_CHECK(out == NULL);
		} else {
			FUZZ_CHECK(why == NULL);
			/* absent or empty is fine only when not required */
			if (found == -ENOENT || (found == 0 && *raw == '\0'))
				FUZZ_CHECK(!cases[c].required && out == NULL);
			if (cases[c].required)
				FUZZ_CHECK(out != NULL);
		}
		free(out);
		free(why);
		free(raw);
	}
}

/* The command text: the contract of inbound_parse_text(). */
static void
fuzz_text(const char *text)
{
	struct inbound in, before;
	char *why = NULL;
	int error;

	memset(&in, 0xa5, sizeof(in));
	before = in;
	error = inbound_parse_text(text, &in, &why);
	if (error < 0) {
		FUZZ_CHECK(error == -EINVAL);
		fuzz_check_reason(why);
		FUZZ_CHECK(memcmp(&in, &before, sizeof(in)) == 0);
		free(why);
		FUZZ_CHECK(inbound_parse_text(text, &in, NULL) == -EINVAL);
		FUZZ_CHECK(memcmp(&in, &before, sizeof(in)) == 0);
		return;
	}
	FUZZ_CHECK(why == NULL);
	fuzz_check_inbound(&in);
	/* a command sets the command's fields, and no others */
	FUZZ_CHECK(in.user == NULL && in.user_alt == NULL &&
	    in.review == NULL && in.action_id == NULL &&
	    in.response_url == NULL && in.token == NULL);
	if (in.kind == INBOUND_DECIDE)
		FUZZ_CHECK(in.target != NULL);
	if (in.kind == INBOUND_PENDING || in.kind == INBOUND_HELP)
		FUZZ_CHECK(in.target == NULL);
	/* only a valid command in UTF-8 gets here */
	FUZZ_CHECK(fuzz_utf8_ok(text, strlen(text)));
	inbound_clear(&in);
}

/* inbound_quote(): printable ASCII, cut to fit, always terminated. */
static void
fuzz_quote(const char *s)
{
	static const size_t sizes[] = { 1, 2, 4, 48 };
	char q[48];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *r = inbound_quote(s, q, sizes[i]);

		FUZZ_CHECK(r == q);
		FUZZ_CHECK(strlen(q) < sizes[i]);
		for (const char *p = q; *p != '\0'; p++)
			FUZZ_CHECK((unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x7f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body, *text;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	body = fuzz_exact(data, size);
	text = fuzz_cstr(data, size);

	FUZZ_CHECK(inbound_utf8_ok(body, size) == fuzz_utf8_ok(body, size));
	fuzz_form_get(body, size);
	fuzz_form_field(body, size);
	fuzz_text(text);
	fuzz_field_copy(text);
	fuzz_quote(text);

	free(text);
	free(body);
	return 0;
}
