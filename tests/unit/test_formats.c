/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_formats.c - the chat message formats: notices built here in C go
 * through slack_format(), mattermost_format(), teams_format() and
 * webhook_format(), and the JSON that comes out is parsed back with
 * jansson to check what each platform would show and do.
 *
 * Data where it is natural: a table of kinds (headline, webhook type,
 * whether buttons are offered), tables for the text helpers, and the files
 * in fixtures/formats, the exact bodies for a few notices (compared as
 * JSON, so the files are pretty-printed for people to read).  Every row of
 * the kinds, headlines and exact bodies is its own cmocka test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "chat/mattermost.h"
#include "chat/notice.h"
#include "chat/slack.h"
#include "chat/teams.h"
#include "chat/webhook.h"
#include "core/util.h"
#include "unit.h"


/* ------------------------------------------------------------------ */
/* Notices                                                             */

#define AT_2027_01_03 1798970400	/* 2027-01-03T10:00:00Z */
#define COMMIT "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
#define REVIEW "print/q1@" COMMIT
#define MM_URL "https://printgate.example.com/mattermost/actions"
#define LINK "https://printgate.example.com/r/AQAAAABp_link-token_for-tests"

static const struct notice_person alice = {
	.id = "alice", .name = "Alice Ng",
	.handles = { { "slack", "U04ALICE" }, { "mattermost", "alice" },
	    { "teams", "alice@example.com" } },
};
static const struct notice_person rita = {
	.id = "rita", .name = "Rita Ruiz",
	.handles = { { "slack", "U04RITA" } },
};
static const struct notice_person asked[] = {
	{ .id = "alice", .name = "Alice Ng",
	  .handles = { { "slack", "U04ALICE" }, { "mattermost", "alice" },
	      { "teams", "alice@example.com" } } },
	{ .id = "bob", .name = "Bob Stone" },
	{ .id = "dave", .name = "Dave Kim",
	  .handles = { { "slack", "U04DAVE" }, { "mattermost", "dave" } } },
};
static const struct notice_file files[] = {
	{ "brochures/emea/q1.pdf", 'M',
	  "https://git.example.com/collateral/tree/brochures/emea/q1.pdf"
	  "?id=" COMMIT },
	{ "datasheets/x.pdf", 'A', NULL },
	{ "datasheets/old.pdf", 'D', NULL },
};
static const struct notice_rule rules[] = {
	{ "emea", "sales-emea", 1, 2, false, false,
	  "datasheets/x.pdf changed since alice approved" },
	{ "big-deal", "brand", 0, 1, false, false, NULL },
};

/* A review request with every field; other kinds start from it. */
static struct notice
notice_request(void)
{
	return (struct notice){
		.kind = NOTICE_REQUEST,
		.event_id = "0123456789abcdef0123456789abcdef",
		.review = REVIEW,
		.tag = "print/q1",
		.commit = COMMIT,
		.base_tag = "print/q4",
		.files = files,
		.nfiles = ARRAY_SIZE(files),
		.nfiles_total = 5,
		.rules = rules,
		.nrules = ARRAY_SIZE(rules),
		.asked = asked,
		.nasked = ARRAY_SIZE(asked),
		.deadline = "2027-01-10",
		.at = AT_2027_01_03,
		.status_command = "printgatectl status print/q1",
		.link = LINK,
		.actions_url = MM_URL,
		.action_token = { "tok-approve", "tok-with",
		    "tok-changes" },
	};
}

/* What each kind of notice carries besides the request's fields. */
static struct notice
notice_of(enum notice_kind kind)
{
	struct notice n = notice_request();

	n.kind = kind;
	switch (kind) {
	case NOTICE_DECISION:
		n.by = &alice;
		n.decision = "approve";
		break;
	case NOTICE_APPROVED:
		n.auto_release = true;
		break;
	case NOTICE_RELEASED:
		n.by = &rita;
		break;
	case NOTICE_CHANGES:
		n.by = &alice;
		n.decision = "changes-required";
		n.comment = "The logo is the old one.";
		break;
	case NOTICE_VIOLATION:
		n.reason = "print/q1 appeared without a request";
		break;
	default:
		break;
	}
	return n;
}

/* A decision with a comment that needs escaping everywhere. */
static struct notice
notice_decision(void)
{
	struct notice n = notice_of(NOTICE_DECISION);

	n.decision = "approve-with-changes";
	n.comment = "Fix <b>prices</b> & the \"EMEA\" logo\nthen print.";
	return n;
}

/* Strings made for one test, freed at its end. */
struct pool {
	char **v;
	size_t n;
};

static char *
pool_keep(struct pool *p, char *s)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = s;
	return s;
}

static char *
pool_repeat(struct pool *p, char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return pool_keep(p, s);
}

static void
pool_free(struct pool *p)
{
	strv_free(p->v, p->n);
}

/* Everything as long and as many as it can be. */
struct huge {
	struct notice n;
	struct notice_file files[NOTICE_MAX_FILES];
	struct notice_rule rules[200];
	struct notice_person people[NOTICE_MAX_PEOPLE + 10];
	struct pool pool;
};

static void
huge_init(struct huge *h, enum notice_kind kind, bool awkward)
{
	memset(h, 0, sizeof(*h));
	h->n = notice_of(kind);
	for (size_t i = 0; i < ARRAY_SIZE(h->files); i++) {
		char *dir = pool_repeat(&h->pool, awkward ? '&' : 'd', 990);
		char *path = pool_keep(&h->pool,
		    xasprintf("%s/f%02zu.pdf", dir, i));

		h->files[i].path = path;
		h->files[i].status = 'M';
		h->files[i].url = pool_keep(&h->pool,
		    xasprintf("https://git.example.com/tree/%s", path));
	}
	h->n.files = h->files;
	h->n.nfiles = ARRAY_SIZE(h->files);
	h->n.nfiles_total = 25000;
	for (size_t i = 0; i < ARRAY_SIZE(h->rules); i++) {
		h->rules[i].name = pool_repeat(&h->pool, '<', 300);
		h->rules[i].group = pool_repeat(&h->pool, 'g', 300);
		h->rules[i].approvals = 1;
		h->rules[i].required = 3;
		h->rules[i].again = pool_repeat(&h->pool, '>', 3000);
	}
	h->n.rules = h->rules;
	h->n.nrules = ARRAY_SIZE(h->rules);
	for (size_t i = 0; i < ARRAY_SIZE(h->people); i++) {
		h->people[i].id = pool_keep(&h->pool,
		    xasprintf("person%zu", i));
		/* lengths that vary, to fill sections up to their limit */
		h->people[i].name = pool_repeat(&h->pool, '&',
		    i * 37 % 300 + 1);
	}
	h->n.asked = h->people;
	h->n.nasked = ARRAY_SIZE(h->people);
	h->n.comment = pool_repeat(&h->pool, '<', 5000);
	h->n.reason = pool_repeat(&h->pool, '&', 5000);
	h->n.tag = pool_keep(&h->pool, xasprintf("print/%s",
	    pool_repeat(&h->pool, '&', 600)));
	h->n.base_tag = h->n.tag;
	h->n.review = pool_keep(&h->pool, xasprintf("%s@%s", h->n.tag,
	    COMMIT));
	h->n.deadline = pool_repeat(&h->pool, '9', 600);
	h->n.status_command = pool_repeat(&h->pool, '>', 3000);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

/* Parses a format's output (and frees it); fails the test if not JSON. */
static json_t *
parse(char *s)
{
	json_error_t err;
	json_t *j;

	assert_non_null(s);
	j = json_loads(s, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		fail_msg("not JSON: %s at %d: %.200s", err.text, err.position,
		    s);
	free(s);
	return j;
}

/* The value at a path like "blocks.0.text.text", or NULL. */
static json_t *
jget(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k && j;
	    k = strtok_r(NULL, ".", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(k, NULL, 10));
		else
			j = json_object_get(j, k);
	}
	free(copy);
	return j;
}

static const char *
jstr(json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	if (!json_is_string(v))
		fail_msg("%s: not a string", path);
	return json_string_value(v);
}

/* Slack's length: UTF-16 units. */
static size_t
units(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += ((*p & 0xc0) != 0x80) + (*p >= 0xf0);
	return n;
}

/* The first block of a type, or NULL. */
static json_t *
block_of(json_t *msg, const char *type)
{
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(msg, "blocks"), i, b)
		if (strcmp(jstr(b, "type"), type) == 0)
			return b;
	return NULL;
}

/* All the mrkdwn text of a Slack message (not the header), joined. */
static char *
slack_all_text(json_t *msg)
{
	struct buf all = { 0 };
	size_t i, j;
	json_t *b, *v;

	json_array_foreach(json_object_get(msg, "blocks"), i, b) {
		if (strcmp(jstr(b, "type"), "header") == 0)
			continue;
		if ((v = jget(b, "text.text")) != NULL)
			buf_addf(&all, "%s\n", json_string_value(v));
		json_array_foreach(json_object_get(b, "fields"), j, v)
			buf_addf(&all, "%s\n", jstr(v, "text"));
	}
	return buf_steal(&all);
}

/* Every TextBlock's text of a Teams card, joined. */
static char *
teams_all_text(json_t *msg)
{
	struct buf all = { 0 };
	size_t i;
	json_t *b;

	json_array_foreach(jget(msg, "attachments.0.content.body"), i, b)
		if (strcmp(jstr(b, "type"), "TextBlock") == 0)
			buf_addf(&all, "%s\n", jstr(b, "text"));
	return buf_steal(&all);
}

static void
assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%.300s\" not in \"%.2000s\"", needle, haystack);
}

static void
assert_lacks(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) != NULL)
		fail_msg("\"%.300s\" in \"%.2000s\"", needle, haystack);
}

/* ------------------------------------------------------------------ */
/* Every kind: the table                                               */

static const struct kind_case {
	enum notice_kind kind;
	const char *name;
	const char *headline;
	const char *webhook_type;
	bool buttons;		/* offers decision buttons */
	const char *asked;	/* what the people asked are called */
} kind_cases[] = {
	{ NOTICE_REQUEST, "review requested",
	  "Review requested: print/q1 (a1b2c3d)",
	  "printgate.review-requested", true, "Asked to decide" },
	{ NOTICE_DECISION, "decision",
	  "Alice Ng approved print/q1 (a1b2c3d)", "printgate.decision",
	  false, "Asked to decide" },
	{ NOTICE_APPROVED, "approved", "print/q1 (a1b2c3d) is approved",
	  "printgate.approved", false, "Release managers" },
	{ NOTICE_RELEASED, "released", "print/q1 (a1b2c3d) was released",
	  "printgate.released", false, "Notified" },
	{ NOTICE_CHANGES, "changes required",
	  "Changes required on print/q1 (a1b2c3d)",
	  "printgate.changes-required", false, "Changes are for" },
	{ NOTICE_REMIND, "reminder",
	  "Reminder: print/q1 (a1b2c3d) still waits for approval",
	  "printgate.reminder", true, "Asked to decide" },
	{ NOTICE_ESCALATE, "escalation",
	  "Escalated: print/q1 (a1b2c3d) still waits for approval",
	  "printgate.escalation", true, "Escalated to" },
	{ NOTICE_VIOLATION, "violation",
	  "Gate violation: print/q1 (a1b2c3d) was created without approval",
	  "printgate.violation", false, "Release managers" },
};

/* One kind through all four formats. */
static void
test_kind(void **state)
{
	const struct kind_case *c = *state;
	struct notice n = notice_of(c->kind);
	char *headline = notice_headline(&n);
	json_t *slack = parse(slack_format(&n));
	json_t *mm = parse(mattermost_format(&n));
	json_t *teams = parse(teams_format(&n));
	json_t *hook = parse(webhook_format(&n));
	char *cardtext = teams_all_text(teams);
	char *slacktext = slack_all_text(slack);
	char *label;

	assert_string_equal(notice_kind_name(c->kind), c->name);
	assert_string_equal(notice_asked_label(c->kind), c->asked);
	label = xasprintf("*%s*\n<@U04ALICE>, Bob Stone, <@U04DAVE>",
	    c->asked);
	assert_contains(slacktext, label);
	free(label);
	label = xasprintf("**%s:** @alice, Bob Stone, @dave\n", c->asked);
	assert_contains(jstr(mm, "attachments.0.text"), label);
	free(label);
	label = xasprintf("**%s:** Alice Ng, Bob Stone, Dave Kim\n",
	    c->asked);
	assert_contains(cardtext, label);
	free(label);
	assert_string_equal(headline, c->headline);

	assert_string_equal(jstr(slack, "text"), c->headline);
	assert_string_equal(jstr(slack, "blocks.0.type"), "header");
	assert_string_equal(jstr(slack, "blocks.0.text.text"), c->headline);
	assert_int_equal(block_of(slack, "actions") != NULL, c->buttons);

	assert_string_equal(jstr(mm, "text"), c->headline);
	assert_string_equal(jstr(mm, "attachments.0.fallback"), c->headline);
	assert_string_equal(jstr(mm, "attachments.0.title"), c->headline);
	assert_int_equal(strlen(jstr(mm, "attachments.0.color")), 7);
	assert_int_equal(jget(mm, "attachments.0.actions") != NULL,
	    c->buttons);

	assert_string_equal(jstr(teams,
	    "attachments.0.content.body.0.text"), c->headline);
	assert_int_equal(strstr(cardtext, "@printgate approve print/q1") !=
	    NULL, c->buttons);

	assert_string_equal(jstr(hook, "type"), c->webhook_type);
	assert_string_equal(jstr(hook, "data.review"), REVIEW);

	free(cardtext);
	free(slacktext);
	free(headline);
	json_decref(slack);
	json_decref(mm);
	json_decref(teams);
	json_decref(hook);
}

/* Each kind has its own colour in Mattermost. */
static void
test_mattermost_colors(void **state)
{
	const char *seen[ARRAY_SIZE(kind_cases)];

	for (size_t i = 0; i < ARRAY_SIZE(kind_cases); i++) {
		struct notice n = notice_of(kind_cases[i].kind);
		json_t *mm = parse(mattermost_format(&n));

		seen[i] = xstrdup(jstr(mm, "attachments.0.color"));
		assert_int_equal(seen[i][0], '#');
		json_decref(mm);
	}
	/* request, changes, reminder, escalation, violation: all differ */
	for (size_t i = 0; i < ARRAY_SIZE(seen); i++)
		for (size_t j = i + 1; j < ARRAY_SIZE(seen); j++)
			if (kind_cases[i].buttons || kind_cases[j].buttons ||
			    kind_cases[i].kind == NOTICE_VIOLATION ||
			    kind_cases[j].kind == NOTICE_VIOLATION)
				assert_string_not_equal(seen[i], seen[j]);
	for (size_t i = 0; i < ARRAY_SIZE(seen); i++)
		free((char *)seen[i]);
}

/* ------------------------------------------------------------------ */
/* Headlines: the table                                                */

static const struct notice_person noname = { .id = "alice" };
static const struct notice_person unnamed = { .id = NULL };

static const struct headline_case {
	const char *name;
	enum notice_kind kind;
	const char *tag;
	const char *commit;
	const struct notice_person *by;
	const char *decision;
	const char *expect;
} headline_cases[] = {
	{ "headline: a person without a name is their id", NOTICE_DECISION,
	  "print/q1", COMMIT, &noname, "approve",
	  "alice approved print/q1 (a1b2c3d)" },
	{ "headline: approve with changes", NOTICE_DECISION, "print/q1",
	  COMMIT, &alice, "approve-with-changes",
	  "Alice Ng approved print/q1 (a1b2c3d) with changes" },
	{ "headline: changes required by a person", NOTICE_DECISION,
	  "print/q1", COMMIT, &alice, "changes-required",
	  "Alice Ng requested changes on print/q1 (a1b2c3d)" },
	{ "headline: an unknown decision", NOTICE_DECISION, "print/q1",
	  COMMIT, &alice, "shrug", "Alice Ng decided on print/q1 (a1b2c3d)" },
	{ "headline: nobody decided", NOTICE_DECISION, "print/q1", COMMIT,
	  NULL, "approve", "someone approved print/q1 (a1b2c3d)" },
	{ "headline: a person with neither", NOTICE_DECISION, "print/q1",
	  COMMIT, &unnamed, "approve", "someone approved print/q1 (a1b2c3d)" },
	{ "headline: no tag", NOTICE_REQUEST, NULL, COMMIT, NULL, NULL,
	  "Review requested: commit a1b2c3d" },
	{ "headline: no commit", NOTICE_RELEASED, "print/q1", NULL, NULL,
	  NULL, "print/q1 was released" },
	{ "headline: a short commit", NOTICE_APPROVED, "print/q1", "abc",
	  NULL, NULL, "print/q1 (abc) is approved" },
	{ "headline: neither tag nor commit", NOTICE_REMIND, NULL, NULL,
	  NULL, NULL, "Reminder: " REVIEW " still waits for approval" },
	{ "headline: a tag that is not UTF-8, with a newline", NOTICE_REQUEST,
	  "print/q\xff\n1", COMMIT, NULL, NULL,
	  "Review requested: print/q\xef\xbf\xbd 1 (a1b2c3d)" },
};

static void
test_headline(void **state)
{
	const struct headline_case *c = *state;
	struct notice n = notice_request();
	char *h;

	n.kind = c->kind;
	n.tag = c->tag;
	n.commit = c->commit;
	n.by = c->by;
	n.decision = c->decision;
	h = notice_headline(&n);
	assert_string_equal(h, c->expect);
	free(h);
}

static void
test_kind_name_unknown(void **state)
{
	assert_null(notice_kind_name((enum notice_kind)99));
	assert_null(notice_kind_name((enum notice_kind)-1));
}

/* ------------------------------------------------------------------ */
/* Text helpers: the tables                                            */

static const struct text_case {
	const char *in;
	size_t max;
	bool multiline;
	const char *expect;
} text_cases[] = {
	{ "abc", 10, false, "abc" },
	{ "abcd", 4, false, "abcd" },
	{ "abcdef", 4, false, "abc…" },
	{ "abc", 1, false, "…" },
	{ "abc", 0, false, "" },
	{ "", 5, false, "" },
	{ "h\xc3\xa9llo w\xc3\xb6rld", 5, false, "h\xc3\xa9ll…" },
	{ "a\xff" "b", 10, false, "a\xef\xbf\xbd" "b" },
	{ "\xc0\xaf", 10, false, "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong */
	{ "\xed\xa0\x80", 10, false,		/* a surrogate */
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf4\x90\x80\x80", 2, false, "\xef\xbf\xbd…" },	/* > U+10FFFF */
	{ "x\xe2\x82", 10, false,			/* a cut sequence */
	  "x\xef\xbf\xbd\xef\xbf\xbd" },
	{ "\xf0\x9f\x93\x84 doc", 10, false, "\xf0\x9f\x93\x84 doc" },
	{ "a\nb\tc\x7f" "d", 10, false, "a b c d" },
	{ "a\r\nb\nc\rd", 10, true, "a\nb\nc d" },
	{ "a\xc2\x85" "b", 10, false, "a b" },	/* C1 control */
};

static void
test_text(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(text_cases); i++) {
		const struct text_case *c = &text_cases[i];
		char *got = notice_text(c->in, c->max, c->multiline);

		if (strcmp(got, c->expect) != 0)
			fail_msg("notice_text(\"%s\", %zu): \"%s\", not \"%s\"",
			    c->in, c->max, got, c->expect);
		free(got);
	}
	assert_null(notice_text(NULL, 10, false));
}

static const struct url_case {
	const char *in;
	size_t max;
	const char *expect;	/* NULL: refused */
} url_cases[] = {
	{ "https://git.example.com/a?b=1&c=2#d", 100,
	  "https://git.example.com/a?b=1&c=2#d" },
	{ "http://x/a b(c)|<d>\"", 100, "http://x/a%20b%28c%29%7C%3Cd%3E%22" },
	{ "https://x/d%C3%A9j\xc3\xa0", 100, "https://x/d%C3%A9j%C3%A0" },
	{ "https://x/\n", 100, "https://x/%0A" },
	{ "https://x/abcdef", 16, "https://x/abcdef" },
	{ "https://x/abcdefg", 16, NULL },
	{ "javascript:alert(1)", 100, NULL },
	{ "ftp://x/y", 100, NULL },
	{ "", 100, NULL },
};

static void
test_url(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(url_cases); i++) {
		const struct url_case *c = &url_cases[i];
		char *got = notice_url(c->in, c->max);

		if (c->expect == NULL && got != NULL)
			fail_msg("notice_url(\"%s\"): \"%s\", not refused",
			    c->in, got);
		if (c->expect != NULL && (got == NULL ||
		    strcmp(got, c->expect) != 0))
			fail_msg("notice_url(\"%s\"): \"%s\", not \"%s\"",
			    c->in, got ? got : "(refused)", c->expect);
		free(got);
	}
	assert_null(notice_url(NULL, 100));
}

static void
test_markdown(void **state)
{
	static const struct {
		const char *in, *escaped, *code;
	} cases[] = {
		{ "abc", "abc", "`abc`" },
		{ "a_b*c[d](e)", "a\\_b\\*c\\[d\\](e)", "`a_b*c[d](e)`" },
		{ "<x> ~y~ #1 | \\", "\\<x\\> \\~y\\~ \\#1 \\| \\\\",
		  "`<x> ~y~ #1 | \\`" },
		{ "a`b", "a\\`b", "``a`b``" },
		{ "`x``", "\\`x\\`\\`", "``` `x`` ```" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf e = { 0 }, c = { 0 };

		notice_md_escape(&e, cases[i].in);
		notice_md_code(&c, cases[i].in);
		assert_string_equal(e.s, cases[i].escaped);
		assert_string_equal(c.s, cases[i].code);
		buf_free(&e);
		buf_free(&c);
	}
}

static void
test_small_helpers(void **state)
{
	char out[8];
	struct notice n = notice_request();
	size_t more;

	notice_short(COMMIT, out);
	assert_string_equal(out, "a1b2c3d");
	notice_short("ab", out);
	assert_string_equal(out, "ab");
	notice_short(NULL, out);
	assert_string_equal(out, "");
	assert_string_equal(notice_status_name('A'), "added");
	assert_string_equal(notice_status_name('M'), "modified");
	assert_string_equal(notice_status_name('D'), "deleted");
	assert_string_equal(notice_status_name('T'), "changed");
	assert_string_equal(notice_decision_name("approve"), "approved");
	assert_string_equal(notice_decision_name("approve-with-changes"),
	    "approved with changes");
	assert_string_equal(notice_decision_name("changes-required"),
	    "requested changes");
	assert_null(notice_decision_name("maybe"));
	assert_null(notice_decision_name(NULL));
	assert_string_equal(notice_subject(&n), "print/q1");
	n.tag = NULL;
	assert_string_equal(notice_subject(&n), COMMIT);
	assert_int_equal(notice_files_listed(&n, &more), 3);
	assert_int_equal(more, 2);
	n.nfiles_total = 0;	/* fewer than listed: a caller's slip */
	assert_int_equal(notice_files_listed(&n, &more), 3);
	assert_int_equal(more, 0);
}

/* ------------------------------------------------------------------ */
/* The exact bodies: the files in fixtures/formats                  */

static const char *
fixtures_dir(void)
{
	const char *d = getenv("PRINTGATE_FIXTURES");

	return d && *d ? d : "tests/unit/fixtures";
}

static const struct exact_case {
	const char *name;
	const char *file;
	char *(*format)(const struct notice *);
	struct notice (*notice)(void);
} exact_cases[] = {
	{ "exact: slack, request", "slack-request.json", slack_format,
	  notice_request },
	{ "exact: slack, decision", "slack-decision.json", slack_format,
	  notice_decision },
	{ "exact: mattermost, request", "mattermost-request.json",
	  mattermost_format, notice_request },
	{ "exact: mattermost, decision", "mattermost-decision.json",
	  mattermost_format, notice_decision },
	{ "exact: teams, request", "teams-request.json", teams_format,
	  notice_request },
	{ "exact: teams, decision", "teams-decision.json", teams_format,
	  notice_decision },
	{ "exact: webhook, request", "webhook-request.json", webhook_format,
	  notice_request },
	{ "exact: webhook, decision", "webhook-decision.json",
	  webhook_format, notice_decision },
};

static void
test_exact(void **state)
{
	const struct exact_case *c = *state;
	struct notice n = c->notice();
	char *path = xasprintf("%s/formats/%s", fixtures_dir(), c->file);
	char *got = c->format(&n);
	json_error_t err;
	json_t *want = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	json_t *have = parse(xstrdup(got));

	if (want == NULL)
		fail_msg("%s: %s", path, err.text);
	if (!json_equal(want, have))
		fail_msg("%s differs; the body made now is:\n%s", path, got);
	json_decref(want);
	json_decref(have);
	free(got);
	free(path);
}

/* ------------------------------------------------------------------ */
/* Slack                                                               */

static void
test_slack_buttons(void **state)
{
	static const char *const ids[] = {
		"approve", "approve-with-changes", "changes-required",
	};
	static const char *const labels[] = {
		"Approve", "Approve with changes", "Request changes",
	};
	static const char *const styles[] = { "primary", NULL, "danger" };
	struct notice n = notice_request();
	json_t *msg = parse(slack_format(&n));
	json_t *actions = block_of(msg, "actions");
	json_t *elements = json_object_get(actions, "elements");

	assert_non_null(actions);
	assert_string_equal(jstr(actions, "block_id"), "printgate:" REVIEW);
	/* the three buttons, then the link to the review page */
	assert_int_equal(json_array_size(elements), 4);
	assert_string_equal(jstr(json_array_get(elements, 3), "action_id"),
	    "open-review");
	assert_string_equal(jstr(json_array_get(elements, 3), "url"), LINK);
	assert_string_equal(jstr(json_array_get(elements, 3), "text.text"),
	    "Open review");
	assert_null(json_object_get(json_array_get(elements, 3), "value"));
	for (size_t i = 0; i < 3; i++) {
		json_t *b = json_array_get(elements, i);
		json_t *style = json_object_get(b, "style");

		assert_string_equal(jstr(b, "type"), "button");
		assert_string_equal(jstr(b, "action_id"), ids[i]);
		assert_string_equal(jstr(b, "text.text"), labels[i]);
		assert_string_equal(jstr(b, "text.type"), "plain_text");
		assert_string_equal(jstr(b, "value"), REVIEW);
		if (styles[i] == NULL)
			assert_null(style);
		else
			assert_string_equal(json_string_value(style),
			    styles[i]);
	}
	json_decref(msg);
}

static void
test_slack_facts(void **state)
{
	struct notice n = notice_request();
	json_t *msg = parse(slack_format(&n));
	char *all = slack_all_text(msg);

	assert_contains(all, "*Tag*\nprint/q1");
	assert_contains(all, "*Commit*\n`a1b2c3d`");
	assert_contains(all, "*Previous print*\nprint/q4");
	assert_contains(all, "*Print-By*\n2027-01-10");
	assert_contains(all, "• *emea*: 1 of 2 approvals from sales-emea");
	assert_contains(all, "_datasheets/x.pdf changed since alice "
	    "approved_");
	assert_contains(all, "• *big-deal*: 0 of 1 approvals from brand");
	json_decref(msg);
	free(all);

	n.base_tag = NULL;
	n.deadline = NULL;
	msg = parse(slack_format(&n));
	all = slack_all_text(msg);
	assert_contains(all, "*Previous print*\nfirst print");
	assert_lacks(all, "Print-By");
	json_decref(msg);
	free(all);
}

static void
test_slack_files(void **state)
{
	struct notice n = notice_request();
	json_t *msg = parse(slack_format(&n));
	char *all = slack_all_text(msg);

	assert_contains(all, "*Changed files* (5)\n"
	    "• <https://git.example.com/collateral/tree/brochures/emea/q1.pdf"
	    "?id=" COMMIT "|brochures/emea/q1.pdf> (modified)\n"
	    "• datasheets/x.pdf (added)\n"
	    "• datasheets/old.pdf (deleted)\n"
	    "and 2 more");
	json_decref(msg);
	free(all);
}

/* More files than a message lists: 20, then "and N more". */
static void
test_slack_files_capped(void **state)
{
	struct notice_file many[NOTICE_MAX_FILES + 5];
	struct pool pool = { 0 };
	struct notice n = notice_request();
	json_t *msg;
	char *all;

	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct notice_file){
			pool_keep(&pool, xasprintf("f%02zu.pdf", i)), 'A', NULL
		};
	n.files = many;
	n.nfiles = ARRAY_SIZE(many);
	n.nfiles_total = ARRAY_SIZE(many);
	msg = parse(slack_format(&n));
	all = slack_all_text(msg);
	assert_contains(all, "• f19.pdf (added)\nand 5 more");
	assert_lacks(all, "f20.pdf");
	json_decref(msg);
	free(all);
	pool_free(&pool);
}

static void
test_slack_mentions(void **state)
{
	static const struct notice_person people[] = {
		{ .id = "alice", .name = "Alice Ng",
		  .handles = { { "slack", "U04ALICE" } } },
		{ .id = "bob", .name = "Bob Stone" },
		{ .id = "eve", .name = "Eve",
		  .handles = { { "slack", "U1>|<!channel" } } },
		{ .id = "zed" },
	};
	struct notice n = notice_of(NOTICE_DECISION);
	json_t *msg;
	char *all;

	n.asked = people;
	n.nasked = ARRAY_SIZE(people);
	msg = parse(slack_format(&n));
	all = slack_all_text(msg);
	assert_contains(all, "*Asked to decide*\n<@U04ALICE>, Bob Stone, "
	    "Eve, zed");
	/* who decided is named, not mentioned: they know already */
	assert_contains(all, "*Decision:* Alice Ng approved");
	assert_lacks(all, "<!channel");
	json_decref(msg);
	free(all);
}

#define WJ NOTICE_WORD_JOINER

/* Mentions in text from people are made inert; other '@' are kept. */
static void
test_defuse(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "@here", "@" WJ "here" },
		{ "print/@all", "print/@" WJ "all" },
		{ "x.@channel (@everyone)", "x.@" WJ "channel (@" WJ
		  "everyone)" },
		{ "<!here> <!channel|c> <@U1> <#C1> <at>x</at> <AT>",
		  "<" WJ "!here> <" WJ "!channel|c> <" WJ "@" WJ "U1> <" WJ
		  "#C1> <" WJ "at>x</at> <" WJ "AT>" },
		{ "mark@example.com a_@b @ @-", "mark@example.com a_@b @ @-" },
		{ "_@here_ *__@all__* x__@y", "_@" WJ "here_ *__@" WJ "all__* "
		  "x__@y" },
		{ "@" WJ "here <" WJ "!here>", "@" WJ "here <" WJ "!here>" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *out = notice_defuse(rows[i].in);

		assert_string_equal(out, rows[i].out);
		free(out);
	}
	assert_null(notice_defuse(NULL));
}

/* No mention in a tag or file name reaches a post, on any platform. */
static void
test_mentions_defused(void **state)
{
	static const struct notice_file paths[] = {
		{ "brochures/@here @all @channel @everyone.pdf", 'M', NULL },
		{ "brochures/<!here> <!channel> <!everyone> <at>x</at>.pdf",
		  'A', NULL },
		{ "brochures/_@here_ __@all__.pdf", 'A', NULL },
	};
	static const struct notice_person who = { .id = "x", .name = "@all" };
	static const char *const live[] = { "@here", "@all", "@channel",
		"@everyone", "<!here", "<!channel", "<!everyone", "<at>" };
	struct notice n = notice_decision();
	char *out[3];

	(void)state;
	n.files = paths;
	n.nfiles = n.nfiles_total = ARRAY_SIZE(paths);
	n.tag = "print/@here";
	n.by = &who;
	out[0] = slack_format(&n);
	out[1] = mattermost_format(&n);
	out[2] = teams_format(&n);
	for (size_t f = 0; f < ARRAY_SIZE(out); f++) {
		assert_non_null(out[f]);
		assert_contains(out[f], "@" WJ "here");
		assert_contains(out[f], "@" WJ "channel");
		for (size_t i = 0; i < ARRAY_SIZE(live); i++)
			assert_lacks(out[f], live[i]);
		free(out[f]);
	}
}

/* & < > from people are escaped; Slack's own markup is not. */
static void
test_slack_escape(void **state)
{
	static const struct notice_file awkward[] = {
		{ "brochures/a&b <draft>.pdf", 'M',
		  "https://git.example.com/t/a&b?x=<1>|y" },
		{ "brochures/c>d.pdf", 'A', NULL },
	};
	static const struct notice_person who = {
		.id = "tom", .name = "Tom & <Jerry>",
	};
	struct notice n = notice_decision();
	json_t *msg;
	char *all;

	n.files = awkward;
	n.nfiles = ARRAY_SIZE(awkward);
	n.nfiles_total = 2;
	n.by = &who;
	n.tag = "print/r&d";
	msg = parse(slack_format(&n));
	all = slack_all_text(msg);
	assert_contains(all, "• <https://git.example.com/t/a&amp;b?x=%3C1%3E"
	    "%7Cy|brochures/a&amp;b &lt;draft&gt;.pdf> (modified)");
	assert_contains(all, "• brochures/c&gt;d.pdf (added)");
	assert_contains(all, "*Comment*\nFix &lt;b&gt;prices&lt;/b&gt; "
	    "&amp; the \"EMEA\" logo\nthen print.");
	assert_contains(all, "*Decision:* Tom &amp; &lt;Jerry&gt; approved "
	    "with changes");
	assert_contains(all, "*Tag*\nprint/r&amp;d");
	assert_lacks(all, "<b>");
	assert_lacks(all, "<draft>");
	assert_lacks(all, "Tom & ");
	/* the fallback is mrkdwn too; the header is plain text */
	assert_string_equal(jstr(msg, "text"),
	    "Tom &amp; &lt;Jerry&gt; approved print/r&amp;d (a1b2c3d) with "
	    "changes");
	assert_string_equal(jstr(msg, "blocks.0.text.text"),
	    "Tom & <Jerry> approved print/r&d (a1b2c3d) with changes");
	json_decref(msg);
	free(all);
}

static void
check_slack_limits(json_t *msg)
{
	json_t *blocks = json_object_get(msg, "blocks"), *b, *v;
	size_t i, j;

	assert_true(json_array_size(blocks) <= 50);
	assert_true(units(jstr(msg, "text")) <= 3000);
	json_array_foreach(blocks, i, b) {
		const char *type = jstr(b, "type");
		json_t *bid = json_object_get(b, "block_id");

		if (bid != NULL)
			assert_true(strlen(json_string_value(bid)) <= 255);
		if (strcmp(type, "header") == 0) {
			assert_true(units(jstr(b, "text.text")) <= 150);
		} else if (strcmp(type, "section") == 0) {
			if ((v = jget(b, "text.text")) != NULL) {
				const char *t = json_string_value(v);

				assert_true(units(t) >= 1 && units(t) <= 3000);
			}
			assert_true(json_array_size(json_object_get(b,
			    "fields")) <= 10);
			json_array_foreach(json_object_get(b, "fields"), j, v)
				assert_true(units(jstr(v, "text")) <= 2000);
		} else if (strcmp(type, "context") == 0) {
			assert_true(json_array_size(json_object_get(b,
			    "elements")) <= 10);
			json_array_foreach(json_object_get(b, "elements"), j,
			    v)
				assert_true(units(jstr(v, "text")) <= 3000);
		} else if (strcmp(type, "actions") == 0) {
			json_array_foreach(json_object_get(b, "elements"), j,
			    v) {
				/* a link button has a url and no value */
				if (json_object_get(v, "url") != NULL)
					assert_true(strlen(jstr(v, "url")) <=
					    3000);
				else
					assert_true(strlen(jstr(v, "value")) <=
					    2000);
			}
		} else {
			fail_msg("unexpected block type %s", type);
		}
	}
}

/* Everything at its longest: within every Block Kit limit, buttons kept. */
static void
test_slack_huge(void **state)
{
	struct huge *h = xmalloc(sizeof(*h));

	for (int awkward = 0; awkward < 2; awkward++) {
		json_t *msg;
		char *all;

		huge_init(h, NOTICE_ESCALATE, awkward);
		msg = parse(slack_format(&h->n));
		check_slack_limits(msg);
		assert_non_null(block_of(msg, "actions"));
		all = slack_all_text(msg);
		assert_contains(all, "…");
		assert_contains(all, "*Escalated to*");
		assert_contains(all, ", and 10 more");
		json_decref(msg);
		free(all);

		h->n.kind = NOTICE_DECISION;	/* comment, reason, by */
		h->n.by = &h->people[0];
		msg = parse(slack_format(&h->n));
		check_slack_limits(msg);
		json_decref(msg);
		pool_free(&h->pool);
	}
	free(h);
}

/* A release names whose approvals released it, in plain words. */
static void
test_released_approvers(void **state)
{
	static const struct notice_person who[] = {
		{ "alice", "Alice Ng", { { NULL, NULL } } },
		{ "bob", "Bob Brandt", { { NULL, NULL } } },
		{ "carol", "Carol Diaz", { { NULL, NULL } } },
	};
	struct notice n = notice_of(NOTICE_RELEASED);
	json_t *msg;
	char *h;

	n.approvers = who;
	n.napprovers = 2;
	h = notice_headline(&n);
	assert_string_equal(h, "print/q1 (a1b2c3d) was released on the "
	    "approvals of Alice Ng and Bob Brandt");
	free(h);
	n.napprovers = 3;
	h = notice_headline(&n);
	assert_string_equal(h, "print/q1 (a1b2c3d) was released on the "
	    "approvals of Alice Ng, Bob Brandt and Carol Diaz");
	free(h);
	n.napprovers = 1;
	msg = parse(slack_format(&n));
	assert_string_equal(jstr(msg, "text"), "print/q1 (a1b2c3d) was "
	    "released on the approval of Alice Ng");
	/* a release asks nothing: no link, no buttons, no command */
	assert_null(block_of(msg, "actions"));
	json_decref(msg);
}

/* A violation's comment is its reason: said once, in every format. */
static void
test_violation_reason_once(void **state)
{
	struct notice n = notice_of(NOTICE_VIOLATION);
	json_t *msg;
	char *all;

	n.comment = n.reason;
	msg = parse(slack_format(&n));
	all = slack_all_text(msg);
	assert_contains(all, "*What happened*\nprint/q1 appeared without a "
	    "request");
	assert_lacks(all, "*Comment*");
	free(all);
	json_decref(msg);
	msg = parse(mattermost_format(&n));
	assert_contains(jstr(msg, "attachments.0.text"), "**What happened:**"
	    "\n> print/q1 appeared without a request\n");
	assert_lacks(jstr(msg, "attachments.0.text"), "**Comment:**");
	json_decref(msg);
	msg = parse(teams_format(&n));
	all = teams_all_text(msg);
	assert_contains(all, "**What happened:** print/q1 appeared without a "
	    "request\n");
	assert_lacks(all, "**Comment:**");
	free(all);
	json_decref(msg);
	msg = parse(webhook_format(&n));	/* data: both, as they are */
	assert_string_equal(jstr(msg, "data.comment"), n.reason);
	assert_string_equal(jstr(msg, "data.reason"), n.reason);
	json_decref(msg);
}

/* A review key Slack cannot carry: no buttons, the command instead. */
static void
test_slack_review_too_long(void **state)
{
	struct pool pool = { 0 };
	struct notice n = notice_request();
	json_t *msg;
	char *all;

	n.review = pool_keep(&pool, xasprintf("print/%s@%s",
	    pool_repeat(&pool, 'x', 2000), COMMIT));
	msg = parse(slack_format(&n));
	/* no buttons: the link to the review page alone */
	assert_int_equal(json_array_size(json_object_get(block_of(msg,
	    "actions"), "elements")), 1);
	assert_string_equal(jstr(block_of(msg, "actions"), "elements.0.url"),
	    LINK);
	all = json_dumps(msg, 0);
	assert_contains(all, "Decide with `/printgate approve print/q1 "
	    "[comment]` or `/printgate changes print/q1 comment`");
	free(all);
	json_decref(msg);
	pool_free(&pool);
}

static void
test_slack_not_utf8(void **state)
{
	static const struct notice_file bad[] = {
		{ "brochures/caf\xe9.pdf", 'A', NULL },
	};
	struct notice n = notice_request();
	json_t *msg;
	char *all;

	n.files = bad;
	n.nfiles = 1;
	n.nfiles_total = 1;
	msg = parse(slack_format(&n));
	all = slack_all_text(msg);
	assert_contains(all, "• brochures/caf\xef\xbf\xbd.pdf (added)");
	json_decref(msg);
	free(all);
}

/* ------------------------------------------------------------------ */
/* Mattermost                                                          */

static bool
alnum(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static void
test_mattermost_actions(void **state)
{
	static const char *const decisions[] = {
		"approve", "approve-with-changes", "changes-required",
	};
	static const char *const tokens[] = {
		"tok-approve", "tok-with", "tok-changes",
	};
	static const char *const labels[] = {
		"Approve", "Approve with changes", "Request changes",
	};
	struct notice n = notice_request();
	json_t *msg = parse(mattermost_format(&n));
	json_t *actions = jget(msg, "attachments.0.actions");
	const char *ids[3];

	assert_int_equal(json_array_size(actions), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *a = json_array_get(actions, i);

		ids[i] = jstr(a, "id");
		assert_true(*ids[i] != '\0' && alnum(ids[i]));
		assert_string_equal(jstr(a, "name"), labels[i]);
		assert_string_equal(jstr(a, "type"), "button");
		assert_string_equal(jstr(a, "integration.url"), MM_URL);
		assert_string_equal(jstr(a, "integration.context.review"),
		    REVIEW);
		assert_string_equal(jstr(a, "integration.context.decision"),
		    decisions[i]);
		assert_string_equal(jstr(a, "integration.context.token"),
		    tokens[i]);
	}
	assert_string_equal(ids[0], "approve");
	assert_string_equal(ids[1], "approvewithchanges");
	assert_string_equal(ids[2], "changesrequired");
	/* a click does not decide: the text says what does */
	assert_contains(jstr(msg, "attachments.0.text"),
	    "`/printgate approve print/q1 [comment]`");
	json_decref(msg);
}

static void
test_mattermost_no_url(void **state)
{
	struct notice n = notice_request();
	json_t *msg;
	const char *text;

	n.actions_url = NULL;
	msg = parse(mattermost_format(&n));
	assert_null(jget(msg, "attachments.0.actions"));
	text = jstr(msg, "attachments.0.text");
	assert_contains(text, "Decide with `/printgate approve print/q1 "
	    "[comment]` or `/printgate changes print/q1 comment`");
	json_decref(msg);

	/* a token missing: the button is still there, without a token */
	n = notice_request();
	n.action_token[1] = NULL;
	msg = parse(mattermost_format(&n));
	assert_null(jget(msg,
	    "attachments.0.actions.1.integration.context.token"));
	assert_string_equal(jstr(msg,
	    "attachments.0.actions.2.integration.context.token"),
	    "tok-changes");
	json_decref(msg);
}

static void
test_mattermost_text(void **state)
{
	static const struct notice_person people[] = {
		{ .id = "alice", .name = "Alice Ng",
		  .handles = { { "mattermost", "alice" } } },
		{ .id = "bob", .name = "Bob_Stone" },
		{ .id = "carl", .name = "Carl",
		  .handles = { { "mattermost", "@carl.k" } } },
		{ .id = "eve", .name = "Eve",
		  .handles = { { "mattermost", "eve **x**" } } },
	};
	static const struct notice_file awkward[] = {
		{ "brochures/q1_[draft]*.pdf", 'M',
		  "https://git.example.com/t/q1_(draft).pdf" },
	};
	struct notice n = notice_decision();
	json_t *msg;
	const char *text;

	n.asked = people;
	n.nasked = ARRAY_SIZE(people);
	n.files = awkward;
	n.nfiles = 1;
	n.nfiles_total = 1;
	msg = parse(mattermost_format(&n));
	text = jstr(msg, "attachments.0.text");
	assert_contains(text, "**Tag:** print/q1\n**Commit:** `a1b2c3d`\n"
	    "**Previous print:** print/q4\n**Print-By:** 2027-01-10\n");
	assert_contains(text, "**Decision:** Alice Ng approved with changes\n");
	assert_contains(text, "**Comment:**\n> Fix \\<b\\>prices\\</b\\> & "
	    "the \"EMEA\" logo\n> then print.\n");
	assert_contains(text, "- [brochures/q1\\_\\[draft\\]\\*.pdf]"
	    "(https://git.example.com/t/q1_%28draft%29.pdf) (modified)\n");
	assert_contains(text, "**Asked to decide:** @alice, Bob\\_Stone, "
	    "@carl.k, Eve\n");
	assert_contains(text, "- **emea**: 1 of 2 approvals from sales-emea\n"
	    "  _datasheets/x.pdf changed since alice approved_\n");
	assert_contains(text, "Status: `printgatectl status print/q1`");
	json_decref(msg);
}

/* Characters of valid UTF-8. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

/* Everything at its longest: a post's worth of text, buttons kept. */
static void
test_mattermost_huge(void **state)
{
	struct huge *h = xmalloc(sizeof(*h));

	for (int awkward = 0; awkward < 2; awkward++) {
		json_t *msg;
		const char *text;

		huge_init(h, NOTICE_REMIND, awkward);
		msg = parse(mattermost_format(&h->n));
		text = jstr(msg, "attachments.0.text");
		assert_true(chars(text) <= 16383);
		assert_contains(text, "\n- …\n");
		assert_contains(text, "**Asked to decide:** ");
		assert_contains(text, " more\n");
		assert_contains(text, "[Open review](" LINK ")");
		assert_int_equal(json_array_size(jget(msg,
		    "attachments.0.actions")), 3);
		json_decref(msg);
		pool_free(&h->pool);
	}
	free(h);
}

/* ------------------------------------------------------------------ */
/* Teams                                                               */

static void
test_teams_card(void **state)
{
	struct notice n = notice_request();
	json_t *msg = parse(teams_format(&n));
	json_t *card = jget(msg, "attachments.0.content");
	json_t *facts = jget(card, "body.1.facts");
	char *all = teams_all_text(msg);

	assert_string_equal(jstr(msg, "type"), "message");
	assert_int_equal(json_array_size(json_object_get(msg,
	    "attachments")), 1);
	assert_string_equal(jstr(msg, "attachments.0.contentType"),
	    "application/vnd.microsoft.card.adaptive");
	assert_true(json_is_null(jget(msg, "attachments.0.contentUrl")));
	assert_string_equal(jstr(card, "type"), "AdaptiveCard");
	assert_string_equal(jstr(card, "version"), "1.4");
	assert_string_equal(jstr(card, "$schema"),
	    "http://adaptivecards.io/schemas/adaptive-card.json");
	assert_string_equal(jstr(card, "body.0.type"), "TextBlock");
	assert_string_equal(jstr(card, "body.0.weight"), "bolder");
	assert_string_equal(jstr(card, "body.0.size"), "medium");
	assert_true(json_is_true(jget(card, "body.0.wrap")));
	assert_string_equal(jstr(card, "body.1.type"), "FactSet");
	assert_int_equal(json_array_size(facts), 4);
	assert_string_equal(jstr(facts, "0.title"), "Tag");
	assert_string_equal(jstr(facts, "0.value"), "print/q1");
	assert_string_equal(jstr(facts, "1.value"), "a1b2c3d");
	assert_string_equal(jstr(facts, "2.value"), "print/q4");
	assert_string_equal(jstr(facts, "3.title"), "Print-By");
	assert_string_equal(jstr(facts, "3.value"), "2027-01-10");
	assert_contains(all, "- [brochures/emea/q1.pdf](https://git.example"
	    ".com/collateral/tree/brochures/emea/q1.pdf?id=" COMMIT
	    ") (modified)\n- datasheets/x.pdf (added)\n"
	    "- datasheets/old.pdf (deleted)\n- and 2 more\n");
	assert_contains(all, "**Asked to decide:** Alice Ng, Bob Stone, "
	    "Dave Kim\n");
	assert_contains(all, "reply in this channel "
	    "**@printgate approve print/q1**");
	assert_string_equal(jstr(card, "actions.0.type"), "Action.OpenUrl");
	assert_string_equal(jstr(card, "actions.0.title"), "Open review");
	assert_string_equal(jstr(card, "actions.0.url"), LINK);
	assert_string_equal(jstr(card, "actions.1.type"), "Action.OpenUrl");
	assert_string_equal(jstr(card, "actions.1.url"), files[0].url);
	assert_lacks(all, "printgatectl");
	free(all);
	json_decref(msg);

	n.files = files + 1;	/* no file with a URL, no link: no action */
	n.nfiles = 2;
	n.link = NULL;
	msg = parse(teams_format(&n));
	assert_null(jget(msg, "attachments.0.content.actions"));
	json_decref(msg);
}

/* The element of array a whose key is value, or NULL. */
static json_t *
find_with(json_t *a, const char *key, const char *value)
{
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *v = json_string_value(json_object_get(
		    json_array_get(a, i), key));

		if (v != NULL && strcmp(v, value) == 0)
			return json_array_get(a, i);
	}
	return NULL;
}

#define PICTURE "https://printgate.example.com/p/" OLD_NEW_MAC "/diff-2.png"
#define OLD_NEW_MAC "0.1234567890123456789012345678901234567890." \
	"0123456789abcdef0123456789abcdef"

/* No format shows a picture for n. */
static void
assert_no_picture(const struct notice *n)
{
	json_t *msg = parse(slack_format(n));

	assert_null(find_with(json_object_get(msg, "blocks"), "type",
	    "image"));
	json_decref(msg);
	msg = parse(mattermost_format(n));
	assert_null(jget(msg, "attachments.0.image_url"));
	json_decref(msg);
	msg = parse(teams_format(n));
	assert_null(find_with(jget(msg, "attachments.0.content.body"),
	    "type", "Image"));
	json_decref(msg);
}

/*
 * A preview's picture: Slack's image block, Mattermost's image_url,
 * Teams' Image, each with the URL; a mention in the text is inert; a
 * URL that is no http(s) URL, or no summary to show it under: none.
 */
static void
test_pictures(void **state)
{
	struct notice n = notice_request();
	json_t *msg, *img;

	n.summary = "price.pdf: page 2 changed";
	n.picture_url = PICTURE;
	n.picture_alt = "<@U04EVE> price.pdf, page 2";
	msg = parse(slack_format(&n));
	img = find_with(json_object_get(msg, "blocks"), "type", "image");
	assert_non_null(img);
	assert_string_equal(jstr(img, "image_url"), PICTURE);
	assert_contains(jstr(img, "alt_text"), "U04EVE> price.pdf, page 2");
	assert_lacks(jstr(img, "alt_text"), "<@U04EVE>");
	json_decref(msg);
	msg = parse(mattermost_format(&n));
	assert_string_equal(jstr(msg, "attachments.0.image_url"), PICTURE);
	json_decref(msg);
	msg = parse(teams_format(&n));
	img = find_with(jget(msg, "attachments.0.content.body"), "type",
	    "Image");
	assert_non_null(img);
	assert_string_equal(jstr(img, "url"), PICTURE);
	assert_string_equal(jstr(img, "size"), "medium");
	json_decref(msg);

	n.picture_url = "javascript:alert(1)";
	assert_no_picture(&n);
	n.picture_url = PICTURE;
	n.summary = NULL;
	assert_no_picture(&n);
	(void)state;
}

/* 20 files with 1,000-character paths: file lines give way to "more". */
static void
test_teams_cap(void **state)
{
	struct huge *h = xmalloc(sizeof(*h));
	struct notice n;
	json_t *msg;
	char *body, *all, *more;
	size_t shown = 0, i;
	json_t *b;

	huge_init(h, NOTICE_REQUEST, false);
	n = notice_request();
	n.files = h->files;
	n.nfiles = NOTICE_MAX_FILES;
	n.nfiles_total = NOTICE_MAX_FILES;
	body = teams_format(&n);
	assert_true(strlen(body) < NOTICE_TEAMS_MAX_BYTES);
	assert_contains(body, "more");
	msg = parse(body);
	json_array_foreach(jget(msg, "attachments.0.content.body"), i, b)
		if (json_is_string(json_object_get(b, "text")) &&
		    str_startswith(jstr(b, "text"), "- [ddd"))
			shown++;
	assert_true(shown >= 1 && shown < NOTICE_MAX_FILES);
	all = teams_all_text(msg);
	more = xasprintf("- and %zu more\n", NOTICE_MAX_FILES - shown);
	assert_contains(all, more);
	assert_contains(all, "@printgate approve print/q1");
	free(more);
	free(all);
	json_decref(msg);

	/* and everything else at its longest too */
	body = teams_format(&h->n);
	assert_true(strlen(body) < NOTICE_TEAMS_MAX_BYTES);
	msg = parse(body);
	all = teams_all_text(msg);
	assert_contains(all, "@printgate approve print/");
	free(all);
	json_decref(msg);
	h->n.kind = NOTICE_DECISION;
	msg = parse(teams_format(&h->n));
	json_decref(msg);
	pool_free(&h->pool);
	free(h);
}

/* ------------------------------------------------------------------ */
/* Webhook                                                             */

static void
test_webhook_request(void **state)
{
	struct notice n = notice_request();
	json_t *msg = parse(webhook_format(&n));
	json_t *data = json_object_get(msg, "data");

	assert_string_equal(jstr(msg, "timestamp"), "2027-01-03T10:00:00Z");
	assert_string_equal(jstr(data, "event_id"),
	    "0123456789abcdef0123456789abcdef");
	assert_string_equal(jstr(data, "tag"), "print/q1");
	assert_string_equal(jstr(data, "commit"), COMMIT);
	assert_string_equal(jstr(data, "base_tag"), "print/q4");
	assert_string_equal(jstr(data, "deadline"), "2027-01-10");
	assert_int_equal(json_array_size(json_object_get(data, "files")), 3);
	assert_string_equal(jstr(data, "files.0.path"),
	    "brochures/emea/q1.pdf");
	assert_string_equal(jstr(data, "files.0.status"), "M");
	assert_string_equal(jstr(data, "files.0.url"), files[0].url);
	assert_null(jget(data, "files.1.url"));
	assert_int_equal(json_integer_value(jget(data, "files_total")), 5);
	assert_string_equal(jstr(data, "rules.0.name"), "emea");
	assert_string_equal(jstr(data, "rules.0.group"), "sales-emea");
	assert_int_equal(json_integer_value(jget(data, "rules.0.approvals")),
	    1);
	assert_int_equal(json_integer_value(jget(data, "rules.0.required")),
	    2);
	assert_true(json_is_false(jget(data, "rules.0.met")));
	assert_true(json_is_false(jget(data, "rules.0.blocked")));
	assert_string_equal(jstr(data, "rules.0.again"),
	    "datasheets/x.pdf changed since alice approved");
	assert_null(jget(data, "rules.1.again"));
	assert_int_equal(json_array_size(json_object_get(data, "asked")), 3);
	assert_string_equal(jstr(data, "asked.2"), "dave");
	assert_null(json_object_get(data, "by"));
	assert_null(json_object_get(data, "decision"));
	assert_null(json_object_get(data, "comment"));
	assert_null(json_object_get(data, "reason"));
	assert_null(json_object_get(data, "auto_release"));
	json_decref(msg);
}

static void
test_webhook_others(void **state)
{
	struct notice n = notice_decision();
	json_t *msg = parse(webhook_format(&n));

	assert_string_equal(jstr(msg, "data.by"), "alice");
	assert_string_equal(jstr(msg, "data.decision"),
	    "approve-with-changes");
	assert_string_equal(jstr(msg, "data.comment"), n.comment);
	json_decref(msg);

	n = notice_of(NOTICE_VIOLATION);
	n.base_tag = NULL;
	n.deadline = NULL;
	n.files = NULL;
	n.nfiles = n.nfiles_total = 0;
	n.rules = NULL;
	n.nrules = 0;
	n.asked = NULL;
	n.nasked = 0;
	n.at = 0;
	msg = parse(webhook_format(&n));
	assert_string_equal(jstr(msg, "timestamp"), "1970-01-01T00:00:00Z");
	assert_string_equal(jstr(msg, "data.reason"),
	    "print/q1 appeared without a request");
	assert_null(jget(msg, "data.base_tag"));
	assert_null(jget(msg, "data.deadline"));
	assert_null(jget(msg, "data.files"));
	assert_null(jget(msg, "data.files_total"));
	assert_null(jget(msg, "data.rules"));
	assert_null(jget(msg, "data.asked"));
	json_decref(msg);

	n = notice_of(NOTICE_APPROVED);
	n.auto_release = false;
	msg = parse(webhook_format(&n));
	assert_true(json_is_false(jget(msg, "data.auto_release")));
	json_decref(msg);
}

/* ------------------------------------------------------------------ */
/* Every format, every kind, with nothing but the kind                 */

static void
test_empty_notices(void **state)
{
	char *(*const formats[])(const struct notice *) = {
		slack_format, mattermost_format, teams_format, webhook_format,
	};

	for (size_t k = 0; k < ARRAY_SIZE(kind_cases); k++) {
		struct notice n = { .kind = kind_cases[k].kind };

		for (size_t f = 0; f < ARRAY_SIZE(formats); f++) {
			json_t *msg = parse(formats[f](&n));

			assert_true(json_is_object(msg));
			json_decref(msg);
		}
	}
}

int
main(void)
{
	int failed;

	for (size_t i = 0; i < ARRAY_SIZE(kind_cases); i++)
		add_test(kind_cases[i].name, test_kind, &kind_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(headline_cases); i++)
		add_test(headline_cases[i].name, test_headline,
		    &headline_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(exact_cases); i++)
		add_test(exact_cases[i].name, test_exact, &exact_cases[i]);
	add_test("kind names: unknown kinds have none",
	    test_kind_name_unknown, NULL);
	add_test("text: valid UTF-8, one line, cut with …", test_text, NULL);
	add_test("url: http(s) only, percent-encoded, capped", test_url,
	    NULL);
	add_test("markdown: escapes and code spans", test_markdown, NULL);
	add_test("helpers: short ids, names, files listed",
	    test_small_helpers, NULL);
	add_test("slack: buttons carry the review", test_slack_buttons, NULL);
	add_test("slack: facts and rules", test_slack_facts, NULL);
	add_test("slack: files linked, with status and the rest counted",
	    test_slack_files, NULL);
	add_test("slack: at most 20 files listed", test_slack_files_capped,
	    NULL);
	add_test("slack: mentions only from Slack ids", test_slack_mentions,
	    NULL);
	add_test("slack: & < > from people escaped", test_slack_escape, NULL);
	add_test("slack: a huge notice within Block Kit's limits",
	    test_slack_huge, NULL);
	add_test("slack: a review key too long for a button",
	    test_slack_review_too_long, NULL);
	add_test("slack: a path that is not UTF-8", test_slack_not_utf8,
	    NULL);
	add_test("violation: a comment that repeats the reason, once",
	    test_violation_reason_once, NULL);
	add_test("mattermost: colours by kind", test_mattermost_colors, NULL);
	add_test("mattermost: buttons post review, decision and token",
	    test_mattermost_actions, NULL);
	add_test("mattermost: no URL, no buttons: the slash command",
	    test_mattermost_no_url, NULL);
	add_test("mattermost: Markdown text, escaped, with mentions",
	    test_mattermost_text, NULL);
	add_test("mattermost: a huge notice within a post's size",
	    test_mattermost_huge, NULL);
	add_test("teams: an Adaptive Card in a message", test_teams_card,
	    NULL);
	add_test("teams: under 28,000 bytes with huge paths", test_teams_cap,
	    NULL);
	add_test("a preview's picture: Slack, Mattermost and Teams show it",
	    test_pictures, NULL);
	add_test("mentions: made inert, '@' in words kept", test_defuse, NULL);
	add_test("mentions: none in Slack, Mattermost or Teams posts",
	    test_mentions_defused, NULL);
	add_test("webhook: a request's data", test_webhook_request, NULL);
	add_test("webhook: decision, violation, approval", test_webhook_others,
	    NULL);
	add_test("released on the approvals of Alice and Bob",
	    test_released_approvers, NULL);
	add_test("every format, every kind: a notice with nothing in it",
	    test_empty_notices, NULL);
	failed = _cmocka_run_group_tests("formats", tests, ntests, NULL, NULL);
	free(tests);
	return failed ? 1 : 0;
}
