/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_pageform.c - the review page's decision form (pagereq.c): the
 * input whole as an application/x-www-form-urlencoded body, in a buffer
 * of exactly its length, read with the page's caps and with small caps
 * the input picks.  What it accepts is a decision of the three; a
 * comment that is NULL or non-empty, trimmed, within both caps
 * (characters and bytes), present for changes-required; at most
 * PAGEREQ_MAX_RULES rules of at most PAGEREQ_MAX_RULE bytes.  What it
 * refuses it refuses with a sentence.  Read twice, a body gives the same.
 */
#include "fuzz.h"

#include "core/ledger.h"
#include "web/page.h"
#include "web/pagereq.h"

static bool
blank(char c)
{
	return c == ' ' || c == '\r' || c == '\n' || c == '\t';
}

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
check_form(const char *body, size_t len, size_t chars, size_t bytes)
{
	struct pagereq_form p, q;
	const char *why, *again;
	size_t n;

	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	why = pagereq_form(body, len, chars, bytes, &p);
	again = pagereq_form(body, len, chars, bytes, &q);
	FUZZ_CHECK(why == again);
	if (why != NULL) {
		FUZZ_CHECK(*why != '\0');
		pagereq_form_clear(&p);
		pagereq_form_clear(&q);
		return;
	}
	FUZZ_CHECK(p.decision != NULL && fuzz_is_decision(p.decision));
	FUZZ_CHECK(strcmp(p.decision, "changes-required") != 0 ||
	    p.comment != NULL);
	if (p.comment != NULL) {
		n = strlen(p.comment);
		FUZZ_CHECK(n > 0 && n <= bytes);
		FUZZ_CHECK(!blank(p.comment[0]) && !blank(p.comment[n - 1]));
		FUZZ_CHECK(utf8_chars(p.comment) <= chars);
		FUZZ_CHECK(q.comment != NULL && strcmp(p.comment,
		    q.comment) == 0);
	}
	FUZZ_CHECK(p.nrules <= PAGEREQ_MAX_RULES && p.nrules == q.nrules);
	for (size_t i = 0; i < p.nrules; i++) {
		FUZZ_CHECK(strlen(p.rules[i]) <= PAGEREQ_MAX_RULE);
		FUZZ_CHECK(strcmp(p.rules[i], q.rules[i]) == 0);
	}
	pagereq_form_clear(&p);
	pagereq_form_clear(&q);
	FUZZ_CHECK(p.decision == NULL && p.nrules == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	body = fuzz_exact(data, size);
	check_form(body, size, PAGE_MAX_COMMENT, LEDGER_MAX_COMMENT);
	if (size > 0)
		check_form(body, size, data[0] % 8, data[size - 1] % 16);
	free(body);
	return 0;
}
