/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_inbound.c - the parsers of inbound chat requests: Slack actions and
 * commands, Mattermost actions and commands, Teams outgoing webhook
 * messages, API decisions, and what they share (forms, command text).
 *
 * Tests are data, in fixtures/inbound:
 *   NAME.want         a real-shaped request body (the file it names) and
 *                     every field of the struct the parser must make of it
 *   bad.tsv           bodies each parser must refuse, with the reason
 *   text.tsv          command texts and what they mean
 *   form.tsv          form bodies, a key, and the value found (or not)
 * Every row and file is its own cmocka test.  Bodies are handed to the
 * parsers in buffers of exactly their length, not NUL-terminated, and are
 * wiped before the result is checked: AddressSanitizer sees a read past a
 * body, and a string that was not copied shows as wrong.  Then the caps,
 * at and over each limit, and a bounded fuzz of every fixture (each
 * prefix, and seeded random changes) checked against the contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "chat/inbound.h"
#include "chat/mattermost.h"
#include "chat/slack.h"
#include "chat/teams.h"
#include "chat/webhook.h"
#include "core/util.h"
#include "unit.h"

static char **names;	/* made at run time, to free */
static size_t nnames;

static const char *
keep_name(char *name)
{
	names = xreallocarray(names, nnames + 1, sizeof(*names));
	names[nnames++] = name;
	return name;
}

#define COMMIT "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

/* ------------------------------------------------------------------ */
/* The parsers, by the names the fixtures use                          */

typedef int (*parse_fn)(const char *, size_t, struct inbound *, char **);

/* inbound_parse_text() on a body: the text up to its first NUL. */
static int
parse_text_body(const char *body, size_t len, struct inbound *out,
    char **why)
{
	char *text = xstrndup(body, len);
	int error = inbound_parse_text(text, out, why);

	free(text);
	return error;
}

static const struct parser {
	const char *name;
	parse_fn fn;
} parsers[] = {
	{ "slack-action", slack_parse_action },
	{ "slack-command", slack_parse_command },
	{ "mattermost-action", mattermost_parse_action },
	{ "mattermost-command", mattermost_parse_command },
	{ "teams", teams_parse_message },
	{ "webhook", webhook_parse_decision },
	{ "text", parse_text_body },
};

static const struct parser *
parser_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(parsers); i++)
		if (strcmp(parsers[i].name, name) == 0)
			return &parsers[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Files and rows                                                      */

static const char *
fixtures_dir(void)
{
	const char *d = getenv("PRINTGATE_FIXTURES");

	return d && *d ? d : "tests/unit/fixtures";
}

/* The whole file at fixtures/inbound/name into *len bytes (NUL after). */
static char *
read_fixture(const char *name, size_t *len)
{
	char *path = xasprintf("%s/inbound/%s", fixtures_dir(), name);
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "cannot open fixture '%s': %s\n", path,
		    strerror(errno));
		free(path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	buf_add(&b, "", 0);
	*len = b.len;
	return buf_steal(&b);
}

static int
hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * s with \t \n \r \\ and \xHH as those bytes (any other backslash is
 * itself), into *len bytes, NUL after.
 */
static char *
unescape(const char *s, size_t *len)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 't') {
			*o++ = '\t';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'r') {
			*o++ = '\r';
			s += 2;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*o++ = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && hexdigit(s[2]) >= 0 &&
		    hexdigit(s[3]) >= 0) {
			*o++ = (char)(hexdigit(s[2]) << 4 | hexdigit(s[3]));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}

/*
 * The rows of a table in fixtures/inbound: each line that is neither
 * empty nor a comment, split at tabs into at most max columns (missing
 * ones are "").  Returns the number of rows; the columns are the caller's.
 */
struct row {
	char *col[6];
	size_t lineno;
};

static size_t
load_rows(const char *file, size_t max, struct row **out)
{
	size_t len, n = 0, lineno = 0;
	char *text = read_fixture(file, &len), *next, *line;
	struct row *rows = NULL;

	*out = NULL;
	if (text == NULL)
		return 0;
	for (next = text; (line = strsep(&next, "\n")) != NULL;) {
		struct row *r;
		char *col;

		lineno++;
		if (*line == '#' || *line == '\0')
			continue;
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		r->lineno = lineno;
		for (size_t i = 0; i < max; i++) {
			col = strsep(&line, i + 1 < max ? "\t" : "");
			r->col[i] = xstrdup(col ? col : "");
		}
	}
	free(text);
	*out = rows;
	return n;
}

/* ------------------------------------------------------------------ */
/* Checking a struct inbound                                           */

static const char *const field_names[] = {
	"user", "user_alt", "review", "target", "decision", "comment",
	"path", "action_id", "response_url", "token",
};

/* The most bytes each field may have, in the order of field_names. */
static const size_t field_caps[] = {
	INBOUND_MAX_ID, INBOUND_MAX_ID, INBOUND_MAX_NAME + 1 + 40,
	INBOUND_MAX_NAME, 20, INBOUND_MAX_COMMENT, INBOUND_MAX_NAME,
	INBOUND_MAX_ID, INBOUND_MAX_URL, INBOUND_MAX_ID,
};

static char *const *
field_of(const struct inbound *in, size_t i)
{
	char *const *fields[] = {
		&in->user, &in->user_alt, &in->review, &in->target,
		&in->decision, &in->comment, &in->path, &in->action_id,
		&in->response_url, &in->token,
	};

	return fields[i];
}

static size_t
field_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++)
		if (strcmp(field_names[i], name) == 0)
			return i;
	return SIZE_MAX;
}

/*
 * What every successful parse gives, whatever the input: a kind, strings
 * that are UTF-8 and within their caps, a decision for a decision, the
 * fields of the command and only those.
 */
static void
check_contract(const struct inbound *in)
{
	size_t len;

	assert_non_null(inbound_kind_name(in->kind));
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
		const char *s = *field_of(in, i);

		if (s == NULL)
			continue;
		len = strlen(s);
		if (!inbound_utf8_ok(s, len))
			fail_msg("%s is not UTF-8", field_names[i]);
		if (len == 0 || len > field_caps[i])
			fail_msg("%s is %zu bytes", field_names[i], len);
	}
	if (in->kind == INBOUND_DECIDE) {
		assert_non_null(in->decision);
		assert_ptr_equal(inbound_decision(in->decision, false) != NULL,
		    true);
		assert_true(in->review != NULL || in->target != NULL);
	} else {
		assert_null(in->decision);
		assert_null(in->review);
		assert_null(in->comment);
	}
	if (in->kind == INBOUND_WHO)
		assert_non_null(in->path);
	else
		assert_null(in->path);
	if (in->comment != NULL)
		assert_true(*in->comment != '\0');
}

/* A reason is one line of printable ASCII. */
static void
check_why(const char *why)
{
	assert_non_null(why);
	assert_true(*why != '\0');
	for (const char *p = why; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			fail_msg("the reason has byte 0x%02x: '%s'",
			    (unsigned char)*p, why);
}

/* The body in a buffer of exactly len bytes: no NUL after it. */
static char *
exact_copy(const char *body, size_t len)
{
	char *b = xmalloc(len);

	if (len > 0)
		memcpy(b, body, len);
	return b;
}

/* ------------------------------------------------------------------ */
/* Fixtures: NAME.want                                                 */

struct want {
	char *file;		/* the .want file */
	char *name;
	const struct parser *parser;
	char *body;
	size_t len;
	enum inbound_kind kind;
	char *fields[ARRAY_SIZE(field_names)];
	bool set[ARRAY_SIZE(field_names)];
};

static struct want *wants;
static size_t nwants;

static enum inbound_kind
kind_named(const char *name)
{
	for (int k = INBOUND_DECIDE; k <= INBOUND_OPEN; k++)
		if (strcmp(inbound_kind_name((enum inbound_kind)k), name) == 0)
			return (enum inbound_kind)k;
	return (enum inbound_kind)-1;
}

/* Reads the .want file; false (and says why) when it is not well formed. */
static bool
load_want(struct want *w, const char *file)
{
	struct row *rows;
	size_t n = 0, len;
	bool ok = true, have_kind = false;

	memset(w, 0, sizeof(*w));
	w->file = xstrdup(file);
	n = load_rows(file, 2, &rows);
	for (size_t i = 0; i < n; i++) {
		const char *key = rows[i].col[0], *value = rows[i].col[1];
		size_t f = field_index(key);

		if (strcmp(key, "parser") == 0) {
			w->parser = parser_named(value);
		} else if (strcmp(key, "body") == 0) {
			free(w->body);
			free(w->name);
			w->body = read_fixture(value, &w->len);
			w->name = xasprintf("fixture %s (%s)", value, file);
		} else if (strcmp(key, "kind") == 0) {
			w->kind = kind_named(value);
			have_kind = true;
		} else if (f != SIZE_MAX) {
			free(w->fields[f]);
			w->fields[f] = unescape(value, &len);
			w->set[f] = true;
		} else {
			fprintf(stderr, "%s:%zu: unknown key '%s'\n", file,
			    rows[i].lineno, key);
			ok = false;
		}
		free(rows[i].col[0]);
		free(rows[i].col[1]);
	}
	free(rows);
	if (w->parser == NULL || w->body == NULL || !have_kind) {
		fprintf(stderr, "%s: needs a parser, a body and a kind\n",
		    file);
		ok = false;
	}
	return ok;
}

static void
free_want(struct want *w)
{
	free(w->file);
	free(w->name);
	free(w->body);
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++)
		free(w->fields[i]);
	memset(w, 0, sizeof(*w));
}

static void
test_fixture(void **state)
{
	const struct want *w = *state;
	struct inbound in = { 0 };
	char *body = exact_copy(w->body, w->len), *why = NULL;
	int error;

	error = w->parser->fn(body, w->len, &in, &why);
	if (error != 0)
		fail_msg("%s refused it: %s", w->parser->name, why);
	assert_null(why);
	/* every string is the struct's own */
	memset(body, 'Z', w->len);
	free(body);
	assert_string_equal(inbound_kind_name(in.kind),
	    inbound_kind_name(w->kind));
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
		const char *have = *field_of(&in, i);

		if (w->set[i] && have == NULL)
			fail_msg("%s is NULL, not '%s'", field_names[i],
			    w->fields[i]);
		if (!w->set[i] && have != NULL)
			fail_msg("%s is '%s', not NULL", field_names[i], have);
		if (w->set[i] && strcmp(have, w->fields[i]) != 0)
			fail_msg("%s is '%s', not '%s'", field_names[i], have,
			    w->fields[i]);
	}
	check_contract(&in);
	inbound_clear(&in);
	/* and once more with a buffer that has a NUL after it */
	assert_int_equal(w->parser->fn(w->body, w->len, &in, NULL), 0);
	inbound_clear(&in);
}

/* ------------------------------------------------------------------ */
/* bad.tsv                                                             */

struct bad {
	const struct parser *parser;
	char *why;
	char *body;
	size_t len;
};

static struct bad *bads;
static size_t nbads;

static void
test_bad(void **state)
{
	const struct bad *b = *state;
	struct inbound in, before;
	char *body = exact_copy(b->body, b->len), *why = NULL;
	int error;

	memset(&in, 0xa5, sizeof(in));
	before = in;
	error = b->parser->fn(body, b->len, &in, &why);
	if (error == 0)
		fail_msg("accepted it as %s", inbound_kind_name(in.kind));
	assert_int_equal(error, -EINVAL);
	check_why(why);
	if (strstr(why, b->why) == NULL)
		fail_msg("the reason is '%s', not one with '%s'", why, b->why);
	/* *out is untouched on failure */
	assert_memory_equal(&in, &before, sizeof(in));
	free(why);
	/* why may be NULL */
	assert_int_equal(b->parser->fn(body, b->len, &in, NULL), -EINVAL);
	assert_memory_equal(&in, &before, sizeof(in));
	free(body);
}

static size_t
load_bad(void)
{
	struct row *rows;
	size_t n = load_rows("bad.tsv", 3, &rows);

	bads = xcalloc(n, sizeof(*bads));
	for (size_t i = 0; i < n; i++) {
		struct bad *b = &bads[nbads];
		const char *body = rows[i].col[2];

		b->parser = parser_named(rows[i].col[0]);
		b->why = xstrdup(rows[i].col[1]);
		if (body[0] == '@') {
			char *file = xasprintf("bad/%s", body + 1);

			b->body = read_fixture(file, &b->len);
			free(file);
		} else {
			b->body = unescape(body, &b->len);
		}
		if (b->parser == NULL || b->body == NULL || *b->why == '\0') {
			fprintf(stderr, "bad.tsv:%zu: not a case\n",
			    rows[i].lineno);
			free(b->why);
			free(b->body);
		} else {
			add_test(keep_name(xasprintf("%s refuses: %s "
			    "(bad.tsv:%zu)", rows[i].col[0], b->why,
			    rows[i].lineno)), test_bad, b);
			nbads++;
		}
		for (size_t c = 0; c < 3; c++)
			free(rows[i].col[c]);
	}
	free(rows);
	return nbads;
}

/* ------------------------------------------------------------------ */
/* text.tsv                                                            */

struct text_case {
	char *text;
	char *col[5];		/* kind, target, decision, comment, path */
};

static struct text_case *texts;
static size_t ntexts;

static void
expect_field(const char *name, const char *have, const char *want)
{
	if (strcmp(want, "-") == 0) {
		if (have != NULL)
			fail_msg("%s is '%s', not NULL", name, have);
		return;
	}
	if (have == NULL)
		fail_msg("%s is NULL, not '%s'", name, want);
	if (strcmp(have, want) != 0)
		fail_msg("%s is '%s', not '%s'", name, have, want);
}

static void
test_text(void **state)
{
	const struct text_case *t = *state;
	struct inbound in;
	char *why = NULL;

	memset(&in, 0xa5, sizeof(in));
	if (inbound_parse_text(t->text, &in, &why) != 0)
		fail_msg("refused: %s", why);
	assert_null(why);
	assert_string_equal(inbound_kind_name(in.kind), t->col[0]);
	expect_field("target", in.target, t->col[1]);
	expect_field("decision", in.decision, t->col[2]);
	expect_field("comment", in.comment, t->col[3]);
	expect_field("path", in.path, t->col[4]);
	/* only the command's fields */
	assert_null(in.user);
	assert_null(in.user_alt);
	assert_null(in.review);
	assert_null(in.action_id);
	assert_null(in.response_url);
	assert_null(in.token);
	check_contract(&in);
	inbound_clear(&in);
}

static size_t
load_text(void)
{
	struct row *rows;
	size_t n = load_rows("text.tsv", 6, &rows), len;

	texts = xcalloc(n, sizeof(*texts));
	for (size_t i = 0; i < n; i++) {
		struct text_case *t = &texts[ntexts++];

		t->text = unescape(rows[i].col[0], &len);
		for (size_t c = 0; c < 5; c++)
			t->col[c] = unescape(rows[i].col[c + 1], &len);
		add_test(keep_name(xasprintf("text: '%s' (text.tsv:%zu)",
		    rows[i].col[0], rows[i].lineno)), test_text, t);
		for (size_t c = 0; c < 6; c++)
			free(rows[i].col[c]);
	}
	free(rows);
	return n;
}

/* ------------------------------------------------------------------ */
/* form.tsv                                                            */

struct form_case {
	char *body;
	size_t len;
	char *key;
	char *want;		/* "=value", "ENOENT", "EINVAL" */
	size_t wantlen;
};

static struct form_case *forms;
static size_t nforms;

static void
test_form(void **state)
{
	const struct form_case *f = *state;
	char *body = exact_copy(f->body, f->len), *v = (char *)0x1;
	int error = inbound_form_get(body, f->len, f->key, &v);

	if (f->want[0] == '=') {
		if (error != 0)
			fail_msg("gave %d, not the value", error);
		assert_int_equal(strlen(v), f->wantlen - 1);
		assert_memory_equal(v, f->want + 1, f->wantlen - 1);
		free(v);
	} else {
		assert_int_equal(error, strcmp(f->want, "ENOENT") == 0 ?
		    -ENOENT : -EINVAL);
		assert_ptr_equal(v, (char *)0x1);	/* untouched */
	}
	free(body);
}

static size_t
load_form(void)
{
	struct row *rows;
	size_t n = load_rows("form.tsv", 3, &rows), len;

	forms = xcalloc(n, sizeof(*forms));
	for (size_t i = 0; i < n; i++) {
		struct form_case *f = &forms[nforms++];

		f->body = unescape(rows[i].col[0], &f->len);
		f->key = unescape(rows[i].col[1], &len);
		f->want = unescape(rows[i].col[2], &f->wantlen);
		add_test(keep_name(xasprintf("form: '%s' in '%s' gives %s "
		    "(form.tsv:%zu)", rows[i].col[1], rows[i].col[0],
		    rows[i].col[2], rows[i].lineno)), test_form, f);
		for (size_t c = 0; c < 3; c++)
			free(rows[i].col[c]);
	}
	free(rows);
	return n;
}

/* ------------------------------------------------------------------ */
/* Caps                                                                */

/* A string of n copies of unit. */
static char *
repeat(const char *unit, size_t n)
{
	struct buf b = { 0 };

	buf_adds(&b, "");
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, unit);
	return buf_steal(&b);
}

/* inbound_parse_text(): 0, or -EINVAL with a reason holding want. */
static void
expect_text(const char *text, const char *want)
{
	struct inbound in = { 0 };
	char *why = NULL;
	int error = inbound_parse_text(text, &in, &why);

	if (want == NULL) {
		if (error != 0)
			fail_msg("refused: %s", why);
		check_contract(&in);
		inbound_clear(&in);
		return;
	}
	assert_int_equal(error, -EINVAL);
	check_why(why);
	if (strstr(why, want) == NULL)
		fail_msg("the reason is '%s', not one with '%s'", why, want);
	free(why);
}

static void
test_caps_text(void **state)
{
	char *x2000 = repeat("x", 2000), *e1000 = repeat("\xc3\xa9", 1000);
	char *tag1020 = repeat("q", 1020), *p1024 = repeat("p", 1024);
	char *t;

	/* a comment of 2000 bytes, and of 2001 (bytes, not characters) */
	t = xasprintf("approve print/q1 %s", x2000);
	expect_text(t, NULL);
	free(t);
	t = xasprintf("approve print/q1 %sx", x2000);
	expect_text(t, "the comment is longer than 2000 bytes");
	free(t);
	t = xasprintf("approve print/q1   %s  \n", e1000);
	expect_text(t, NULL);
	free(t);
	t = xasprintf("approve print/q1 %s!", e1000);
	expect_text(t, "the comment is longer than 2000 bytes");
	free(t);
	/* a tag of 1024 bytes, and of 1025 */
	t = xasprintf("approve pri/%s", tag1020);
	expect_text(t, NULL);
	free(t);
	t = xasprintf("status prin/%s", tag1020);
	expect_text(t, "the tag is longer than 1024 bytes");
	free(t);
	/* a path of 1024 bytes, and of 1025 */
	t = xasprintf("who %s", p1024);
	expect_text(t, NULL);
	free(t);
	t = xasprintf("who %s/", p1024);
	expect_text(t, "the path is longer than 1024 bytes");
	free(t);
	free(x2000);
	free(e1000);
	free(tag1020);
	free(p1024);
}

static void
test_caps_webhook(void **state)
{
	char *e1000 = repeat("\xc3\xa9", 1000), *a256 = repeat("a", 256);
	char *body, *why = NULL;
	struct inbound in = { 0 };

	body = xasprintf("{\"tag\":\"print/q1\",\"person\":\"%s\","
	    "\"decision\":\"approve\",\"comment\":\" %s \"}", a256, e1000);
	assert_int_equal(webhook_parse_decision(body, strlen(body), &in,
	    &why), 0);
	assert_int_equal(strlen(in.comment), 2000);
	assert_int_equal(strlen(in.user), 256);
	inbound_clear(&in);
	free(body);
	/* an empty comment is none */
	body = xstrdup("{\"tag\":\"print/q1\",\"person\":\"alice\","
	    "\"decision\":\"approve-with-changes\",\"comment\":\" \\n \"}");
	assert_int_equal(webhook_parse_decision(body, strlen(body), &in,
	    &why), 0);
	assert_null(in.comment);
	assert_string_equal(in.decision, "approve-with-changes");
	inbound_clear(&in);
	free(body);
	free(e1000);
	free(a256);
}

/* Each parser: a body of INBOUND_MAX_BODY bytes is read, one more is not. */
static void
test_caps_body(void **state)
{
	size_t max = INBOUND_MAX_BODY;
	char *body = xmalloc(max + 1), *why = NULL;
	struct inbound in = { 0 };
	const char *head = "{\"tag\":\"print/q1\",\"person\":\"alice\","
	    "\"decision\":\"approve\"}";

	/* JSON padded with spaces to the cap */
	memset(body, ' ', max + 1);
	memcpy(body, head, strlen(head));
	assert_int_equal(webhook_parse_decision(body, max, &in, &why), 0);
	inbound_clear(&in);
	for (size_t i = 0; i + 1 < ARRAY_SIZE(parsers); i++) {
		memset(&in, 0xa5, sizeof(in));
		assert_int_equal(parsers[i].fn(body, max + 1, &in, &why),
		    -EINVAL);
		check_why(why);
		assert_non_null(strstr(why, "longer than 65536 bytes"));
		free(why);
		why = NULL;
	}
	free(body);
}

/* JSON nested far deeper than any request: refused, never a crash. */
static void
test_deep_json(void **state)
{
	size_t depth = 20000;
	char *body = xmalloc(2 * depth + 9), *why = NULL;
	parse_fn json_parsers[] = {
		mattermost_parse_action, teams_parse_message,
		webhook_parse_decision,
	};
	struct inbound in;

	memset(body, '[', depth);
	memset(body + depth, ']', depth);
	for (size_t i = 0; i < ARRAY_SIZE(json_parsers); i++) {
		assert_int_equal(json_parsers[i](body, 2 * depth, &in, &why),
		    -EINVAL);
		check_why(why);
		free(why);
	}
	/* and in a Slack payload */
	memcpy(body, "payload=", 8);
	assert_int_equal(slack_parse_action(body, 2 * depth, &in, &why),
	    -EINVAL);
	check_why(why);
	free(why);
	free(body);
}

/* Teams text that would be slow to strip if stripping were not linear. */
static void
test_teams_many_tags(void **state)
{
	char *lts = repeat("<a", 20000), *body, *why = NULL;
	struct inbound in = { 0 };

	body = xasprintf("{\"type\":\"message\",\"id\":\"1\",\"from\":"
	    "{\"id\":\"29:1\"},\"text\":\"<at>printgate</at> approve "
	    "print/q1 %s\"}", lts);
	/* no '>': every "<a" is text, and the comment is too long */
	assert_int_equal(teams_parse_message(body, strlen(body), &in, &why),
	    -EINVAL);
	assert_non_null(strstr(why, "comment is longer"));
	free(why);
	free(body);
	body = xasprintf("{\"type\":\"message\",\"id\":\"1\",\"from\":"
	    "{\"id\":\"29:1\"},\"text\":\"<at>printgate</at> approve "
	    "print/q1 ok%s>\"}", lts);
	/* one '>' at the end: it is all one tag, gone */
	assert_int_equal(teams_parse_message(body, strlen(body), &in, &why),
	    0);
	assert_string_equal(in.comment, "ok");
	inbound_clear(&in);
	free(body);
	free(lts);
}

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static void
test_helpers(void **state)
{
	struct inbound in = { 0 };
	char q[8], *why = NULL, *out = NULL;

	/* clear: NULL and twice */
	inbound_clear(NULL);
	in.user = xstrdup("U04ALICE");
	in.comment = xstrdup("ok");
	inbound_clear(&in);
	inbound_clear(&in);
	assert_null(in.user);
	/* kinds */
	assert_string_equal(inbound_kind_name(INBOUND_DECIDE), "decide");
	assert_string_equal(inbound_kind_name(INBOUND_HELP), "help");
	assert_string_equal(inbound_kind_name(INBOUND_OPEN), "open");
	assert_null(inbound_kind_name((enum inbound_kind)99));
	/* decisions: the canonical constant, "changes" only as an alias */
	assert_string_equal(inbound_decision("approve", false), "approve");
	assert_string_equal(inbound_decision("changes", true),
	    "changes-required");
	assert_null(inbound_decision("changes", false));
	assert_null(inbound_decision("Approve", true));
	assert_null(inbound_decision(NULL, true));
	/* quotes: printable and cut */
	assert_string_equal(inbound_quote("a\nb", q, sizeof(q)), "a?b");
	assert_string_equal(inbound_quote("abcdefghij", q, sizeof(q)),
	    "abcd...");
	assert_string_equal(inbound_quote(NULL, q, sizeof(q)), "");
	/* reasons are one line */
	assert_int_equal(inbound_fail(&why, "x%sy", "\r\n\xc3\xa9"), -EINVAL);
	assert_string_equal(why, "x????y");
	free(why);
	assert_int_equal(inbound_fail(NULL, "%s", "nothing"), -EINVAL);
	/* UTF-8 */
	assert_true(inbound_utf8_ok("caf\xc3\xa9", 5));
	assert_false(inbound_utf8_ok("caf\xc3", 4));
	assert_false(inbound_utf8_ok("\xc0\xaf", 2));		/* overlong */
	assert_false(inbound_utf8_ok("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(inbound_utf8_ok("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	/* fields: what each refuses, and *out left alone then */
	assert_int_equal(inbound_field_copy(INBOUND_FIELD_URL, "u",
	    "HTTPS://Example.com/x", &out, NULL), 0);
	free(out);
	out = NULL;
	assert_int_equal(inbound_field_copy(INBOUND_FIELD_URL, "u",
	    "https://", &out, NULL), -EINVAL);
	assert_int_equal(inbound_field_copy(INBOUND_FIELD_REVIEW, "r",
	    "print/q1@" COMMIT "@", &out, NULL), -EINVAL);
	assert_int_equal(inbound_field_copy(INBOUND_FIELD_ID, "i", NULL,
	    &out, NULL), -EINVAL);
	assert_null(out);
	/* a review's tag may have '@' in it: the commit is after the last */
	assert_int_equal(inbound_field_copy(INBOUND_FIELD_REVIEW, "r",
	    "print/q1@x@" COMMIT, &out, NULL), 0);
	assert_string_equal(out, "print/q1@x@" COMMIT);
	free(out);
	/* a comment of spaces is none */
	out = (char *)0x1;
	assert_int_equal(inbound_field_copy(INBOUND_FIELD_COMMENT, "c",
	    " \t\r\n ", &out, NULL), 0);
	assert_null(out);
}

/* ------------------------------------------------------------------ */
/* Fuzz: every prefix and seeded random changes of every fixture       */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One parse of body through fn, checked against the contract. */
static void
fuzz_one(parse_fn fn, const char *body, size_t len)
{
	char *copy = exact_copy(body, len), *why = NULL;
	struct inbound in, before;
	int error;

	memset(&in, 0x5a, sizeof(in));
	before = in;
	error = fn(copy, len, &in, &why);
	free(copy);
	if (error == 0) {
		assert_null(why);
		check_contract(&in);
		inbound_clear(&in);
		return;
	}
	assert_int_equal(error, -EINVAL);
	check_why(why);
	assert_memory_equal(&in, &before, sizeof(in));
	free(why);
}

static void
test_fuzz(void **state)
{
	static const char bytes[] = "%&=+{}[]\":,<>@/\\ \t\n\x00\x80\xc3\xff"
	    "approve0";

	for (size_t w = 0; w < nwants; w++) {
		const struct want *f = &wants[w];
		char *m = xmalloc(f->len + 1);

		for (size_t n = 0; n <= f->len; n++)
			fuzz_one(f->parser->fn, f->body, n);
		for (int round = 0; round < 200; round++) {
			size_t len = f->len;

			memcpy(m, f->body, f->len);
			for (int k = 1 + (int)(next_random() % 4); k > 0;
			    k--) {
				size_t at = (size_t)(next_random() % (len + 1));

				switch (next_random() % 3) {
				case 0:	/* change a byte */
					if (at < len)
						m[at] = bytes[next_random() %
						    (sizeof(bytes) - 1)];
					break;
				case 1:	/* drop a byte */
					if (at < len) {
						memmove(m + at, m + at + 1,
						    len - at - 1);
						len--;
					}
					break;
				default: /* cut */
					len = at;
					break;
				}
			}
			for (size_t p = 0; p < ARRAY_SIZE(parsers); p++)
				fuzz_one(parsers[p].fn, m, len);
		}
		free(m);
	}
}

/* ------------------------------------------------------------------ */

static int
strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The *.want files in fixtures/inbound, sorted: each well formed one is a
 * test.  Returns how many are not well formed, or 1 when there are none.
 */
static size_t
load_wants(void)
{
	char *dir = xasprintf("%s/inbound", fixtures_dir());
	char **files = NULL;
	size_t nfiles = 0, broken = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL) {
		fprintf(stderr, "test_inbound: %s: %s\n", dir,
		    strerror(errno));
		free(dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 5 && strcmp(de->d_name + n - 5, ".want") == 0) {
			files = xreallocarray(files, nfiles + 1,
			    sizeof(*files));
			files[nfiles++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	free(dir);
	qsort(files, nfiles, sizeof(*files), strcmp_ptr);
	wants = xcalloc(nfiles ? nfiles : 1, sizeof(*wants));
	for (size_t i = 0; i < nfiles; i++) {
		if (load_want(&wants[nwants], files[i])) {
			add_test(wants[nwants].name, test_fixture,
			    &wants[nwants]);
			nwants++;
		} else {
			broken++;
			free_want(&wants[nwants]);
		}
	}
	strv_free(files, nfiles);
	return nfiles == 0 ? 1 : broken;
}

int
main(void)
{
	size_t broken;
	int failed;

	broken = load_wants();
	if (load_bad() < 30 || load_text() == 0 || load_form() == 0) {
		fprintf(stderr, "test_inbound: too few cases read from "
		    "%s/inbound\n", fixtures_dir());
		broken++;
	}
	add_test("caps: comment 2000 bytes, tag and path 1024, in text",
	    test_caps_text, NULL);
	add_test("caps: API comment of 2000 bytes in 1000 characters",
	    test_caps_webhook, NULL);
	add_test("caps: a body of 64 KiB, and one byte more",
	    test_caps_body, NULL);
	add_test("JSON nested 20,000 deep is refused", test_deep_json, NULL);
	add_test("teams: 20,000 '<' in a message", test_teams_many_tags,
	    NULL);
	add_test("helpers: clear, kinds, decisions, reasons, fields",
	    test_helpers, NULL);
	add_test("fuzz: every prefix and 200 changes of each fixture, every "
	    "parser", test_fuzz, NULL);
	if (broken > 0) {
		fprintf(stderr, "test_inbound: %zu fixture(s) not well formed"
		    "\n", broken);
		return 1;
	}
	failed = _cmocka_run_group_tests("inbound", tests, ntests, NULL,
	    NULL);
	for (size_t i = 0; i < nwants; i++)
		free_want(&wants[i]);
	free(wants);
	for (size_t i = 0; i < nbads; i++) {
		free(bads[i].why);
		free(bads[i].body);
	}
	free(bads);
	for (size_t i = 0; i < ntexts; i++) {
		free(texts[i].text);
		for (size_t c = 0; c < 5; c++)
			free(texts[i].col[c]);
	}
	free(texts);
	for (size_t i = 0; i < nforms; i++) {
		free(forms[i].body);
		free(forms[i].key);
		free(forms[i].want);
	}
	free(forms);
	strv_free(names, nnames);
	free(tests);
	return failed ? 1 : 0;
}
