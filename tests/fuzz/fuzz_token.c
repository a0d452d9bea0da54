/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_token.c - the link token parser (token.c) on any string, and
 * tokens made from fields the input gives.
 *
 * The input is the token as it would come in a URL (up to a NUL byte).
 * Checked: the parser answers 0, -ETIMEDOUT or -EBADMSG, leaves *out
 * untouched on -EBADMSG, and what it accepts is exactly what
 * token_link_make() writes for the fields it read (one spelling a
 * token); the input as a CSRF token is refused unless it is the one.
 * Then the input split at its first two '\n' into tag, person and the
 * rest: a token made of them, when they fit, parses back to them.
 */
#include "fuzz.h"

#include "core/util.h"
#include "web/token.h"

#define NOW 1798970733

static void
parse_one(const struct token_keys *k, const char *s)
{
	struct token_link got, before;
	char *again = NULL, csrf[TOKEN_CSRF_CHARS + 1];
	int error;

	memset(&got, 0xa5, sizeof(got));
	before = got;
	error = token_link_parse(&got, k, s, NOW);
	FUZZ_CHECK(error == 0 || error == -ETIMEDOUT || error == -EBADMSG);
	if (error == -EBADMSG) {
		FUZZ_CHECK(memcmp(&got, &before, sizeof(got)) == 0);
	} else {
		FUZZ_CHECK(token_link_make(&again, k, &got) == 0);
		FUZZ_CHECK(strcmp(again, s) == 0);
		free(again);
	}
	token_csrf(csrf, k, "link", "");
	FUZZ_CHECK((token_csrf_check(k, "link", "", s) == 0) ==
	    (strcmp(csrf, s) == 0));
}

static void
make_one(const struct token_keys *k, const char *s)
{
	struct token_link l = { .expires = NOW + 60 }, got;
	const char *nl = strchr(s, '\n'), *nl2;
	char *t;

	memcpy(l.commit, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", 41);
	if (nl == NULL || (size_t)(nl - s) > TOKEN_MAX_TAG)
		return;
	memcpy(l.tag, s, (size_t)(nl - s));
	nl2 = strchr(nl + 1, '\n');
	if (nl2 == NULL || (size_t)(nl2 - nl - 1) > TOKEN_MAX_PERSON)
		return;
	memcpy(l.person, nl + 1, (size_t)(nl2 - nl - 1));
	if (token_link_make(&t, k, &l) != 0)
		return;
	FUZZ_CHECK(strlen(t) <= TOKEN_MAX_CHARS);
	FUZZ_CHECK(token_link_parse(&got, k, t, NOW) == 0);
	FUZZ_CHECK(memcmp(&got, &l, sizeof(l)) == 0);
	FUZZ_CHECK(token_link_parse(&got, k, t, NOW + 60) == -ETIMEDOUT);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct token_keys k;
	static bool ready;
	char *s;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (!ready) {
		token_keys_derive(&k, "printgate-fuzz-links-secret-0123456789",
		    38);
		ready = true;
	}
	s = fuzz_cstr(data, size);
	parse_one(&k, s);
	make_one(&k, s);
	free(s);
	return 0;
}
