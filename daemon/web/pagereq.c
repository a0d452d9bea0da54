/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pagereq.c - the review page's requests read (see pagereq.h).  Nothing
 * here trusts its input: a path is matched as the listener got it (no
 * %-decoding), a form's fields are decoded by inbound.c and then capped.
 */
#include "web/pagereq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chat/inbound.h"
#include "core/util.h"

#define R_PREFIX "/r/"

/* Copies the token at the start of s (up to '/' or the end) into t. */
static const char *
token_take(const char *s, char token[TOKEN_MAX_CHARS + 1])
{
	size_t n = strcspn(s, "/");

	if (n == 0 || n > TOKEN_MAX_CHARS)
		return NULL;
	memcpy(token, s, n);
	token[n] = '\0';
	return s + n;
}

int
pagereq_target(const char *path, struct pagereq_target *t)
{
	const char *s;
	char *e;

	if (!str_startswith(path, R_PREFIX) ||
	    (s = token_take(path + strlen(R_PREFIX), t->token)) == NULL)
		return -EINVAL;
	t->what = PAGEREQ_PAGE;
	if (*s == '\0')
		return 0;
	if (strcmp(s, "/decide") == 0)
		t->what = PAGEREQ_DECIDE;
	else if (strcmp(s, "/history") == 0)
		t->what = PAGEREQ_HISTORY;
	else if (str_startswith(s, "/file/")) {
		s += strlen("/file/");
		/* digits only, the first not 0: one path per file */
		if (*s < '1' || *s > '9' || strspn(s, "0123456789") > 6)
			return -EINVAL;
		t->file = (size_t)strtoul(s, &e, 10);
		if (strcmp(e, "/old") == 0)
			t->new_side = false;
		else if (strcmp(e, "/new") == 0)
			t->new_side = true;
		else
			return -EINVAL;
		t->what = PAGEREQ_FILE;
	} else
		return -EINVAL;
	return 0;
}

int
pagereq_preview(const char *path, char *token, char *pair, size_t npair,
    char *name, size_t nname)
{
	const char *p, *q;
	size_t n;

	if (!str_startswith(path, R_PREFIX) ||
	    (q = token_take(path + strlen(R_PREFIX), token)) == NULL ||
	    !str_startswith(q, "/preview/"))
		return -EINVAL;
	p = q + strlen("/preview/");
	if ((q = strchr(p, '/')) == NULL || (n = (size_t)(q - p)) >= npair ||
	    n == 0 || strlen(q + 1) >= nname)
		return -EINVAL;
	memcpy(pair, p, n);
	pair[n] = '\0';
	strcpy(name, q + 1);
	return 0;
}

/* Each "rule" of the form into rules[] (the caller frees), at most max. */
static size_t
form_rules(const char *body, size_t len, char **rules, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n < max;) {
		size_t k = i;
		char *v = NULL;

		while (k < len && body[k] != '&')
			k++;
		if (inbound_form_get(body + i, k - i, "rule", &v) == 0) {
			if (strlen(v) <= PAGEREQ_MAX_RULE)
				rules[n++] = v;
			else
				free(v);
		}
		i = k + 1;
	}
	return n;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\r' || c == '\n' || c == '\t';
}

/* Trims s in place; the number of characters (UTF-8) left. */
static size_t
trim(char *s)
{
	char *b = s, *e = s + strlen(s);
	size_t chars = 0;

	while (blank(*b))
		b++;
	while (e > b && blank(e[-1]))
		e--;
	memmove(s, b, (size_t)(e - b));
	s[e - b] = '\0';
	for (; *s; s++)
		chars += ((unsigned char)*s & 0xc0) != 0x80;
	return chars;
}

const char *
pagereq_form(const char *body, size_t len, size_t comment_chars,
    size_t comment_bytes, struct pagereq_form *p)
{
	inbound_form_get(body, len, "csrf", &p->csrf);
	if (inbound_form_get(body, len, "decision", &p->decision) < 0 ||
	    (strcmp(p->decision, "approve") != 0 &&
	    strcmp(p->decision, "approve-with-changes") != 0 &&
	    strcmp(p->decision, "changes-required") != 0))
		return "Choose a decision: approve, approve with changes, or "
		    "request changes.";
	if (inbound_form_get(body, len, "comment", &p->comment) == 0) {
		if (trim(p->comment) > comment_chars ||
		    strlen(p->comment) > comment_bytes)
			return "The comment is too long: keep it under 2000 "
			    "characters.";
		if (*p->comment == '\0') {
			free(p->comment);
			p->comment = NULL;
		}
	}
	if (strcmp(p->decision, "changes-required") == 0 && !p->comment)
		return "Say what must change: a request for changes needs a "
		    "comment.";
	p->nrules = form_rules(body, len, p->rules, PAGEREQ_MAX_RULES);
	return NULL;
}

void
pagereq_form_clear(struct pagereq_form *p)
{
	free(p->csrf);
	free(p->decision);
	free(p->comment);
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i]);
	memset(p, 0, sizeof(*p));
}
