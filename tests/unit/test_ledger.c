/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_ledger.c - ledger events as JSON lines: encoding, decoding and the
 * reading of a whole note, without a repository (test_repo.c covers
 * appends through git).
 *
 * The lines are data: fixtures/ledger/bad-lines.tsv holds lines decode must
 * refuse, each with the reason it must give; fixtures/ledger/good-lines.tsv
 * holds lines it must accept, each with what encode gives back.  Every row
 * of those files and of the tables below is its own cmocka test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "core/ledger.h"
#include "core/util.h"
#include "unit.h"

static char **names;	/* test names made at run time, to free */
static size_t nnames;

static const char *
keep_name(char *name)
{
	names = xreallocarray(names, nnames + 1, sizeof(*names));
	names[nnames++] = name;
	return name;
}

#define AT_2027_01_03 1798970400	/* 2027-01-03T10:00:00Z */
#define TAG_OBJECT "5f1d2a0c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49"
#define COMMIT "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/* Every field, and a comment that needs escaping. */
static void
test_round_trip(void **state)
{
	char *rules[] = { "emea", "big-deal" };
	struct ledger_fp fps[] = {
		{ "emea", "9f86d081884c7d659a2feaa0c55ad015"
		    "a3bf4f1b2b0b822cd15d6c15b0f00a08" },
		{ "big-deal", "60303ae22b998861bce3b28f33eec1be"
		    "758a213c86c93c076dbe9f558c11c752" },
	};
	const char *comment = "Logo \"too small\" on p. 2\n\tsee: caf\xc3\xa9 "
	    "\xe2\x9c\x93 \xf0\x9f\x93\x84 \\ </script> \xe2\x80\xa8 end";
	struct ledger_event ev = {
		.type = LEDGER_APPROVE_WITH_CHANGES,
		.at = AT_2027_01_03,
		.by = "alice",
		.via = "slack:U04ALICE",
		.tag = "print/2027-q1-brochure",
		.tag_object = TAG_OBJECT,
		.rules = rules,
		.nrules = 2,
		.fps = fps,
		.nfps = 2,
		.comment = (char *)comment,
		.id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
	};
	struct ledger_event out;
	char *line, *why = NULL;

	line = ledger_encode(&ev);
	assert_non_null(line);
	assert_null(strchr(line, '\n'));
	assert_int_equal(ledger_decode(line, strlen(line), &out, &why), 0);
	assert_null(why);
	assert_int_equal(out.type, ev.type);
	assert_int_equal(out.at, ev.at);
	assert_string_equal(out.by, ev.by);
	assert_string_equal(out.via, ev.via);
	assert_string_equal(out.tag, ev.tag);
	assert_string_equal(out.tag_object, ev.tag_object);
	assert_int_equal(out.nrules, 2);
	assert_string_equal(out.rules[0], "emea");
	assert_string_equal(out.rules[1], "big-deal");
	assert_int_equal(out.nfps, 2);
	assert_string_equal(ledger_fp_get(&out, "emea"), fps[0].value);
	assert_string_equal(ledger_fp_get(&out, "big-deal"), fps[1].value);
	assert_null(ledger_fp_get(&out, "apac"));
	assert_string_equal(out.comment, comment);
	assert_string_equal(out.id, ev.id);
	/* where it was read from is not part of the line */
	assert_string_equal(out.commit, "");
	assert_int_equal(out.line, 0);
	ledger_event_clear(&out);
	free(line);
}

/* The exact line: keys in the ledger's order, one line, nothing more. */
static void
test_encode_exact(void **state)
{
	char *rules[] = { "emea" };
	struct ledger_fp fps[] = { { "emea", "abc" } };
	struct ledger_event full = {
		.type = LEDGER_CHANGES_REQUIRED,
		.at = AT_2027_01_03,
		.by = "bob",
		.via = "mattermost:abc",
		.tag = "print/q1",
		.tag_object = TAG_OBJECT,
		.rules = rules,
		.nrules = 1,
		.fps = fps,
		.nfps = 1,
		.comment = "two\nlines",
		.id = "e1",
	};
	struct ledger_event small = {
		.type = LEDGER_REQUEST,
		.at = AT_2027_01_03 + 59,
		.by = "printgate",
		.via = "hook",
	};
	char *line;

	line = ledger_encode(&full);
	assert_non_null(line);
	assert_string_equal(line,
	    "{\"v\":1,\"type\":\"changes-required\","
	    "\"at\":\"2027-01-03T10:00:00Z\",\"by\":\"bob\","
	    "\"via\":\"mattermost:abc\",\"tag\":\"print/q1\","
	    "\"tag_object\":\"" TAG_OBJECT "\",\"rules\":[\"emea\"],"
	    "\"fingerprints\":{\"emea\":\"abc\"},"
	    "\"comment\":\"two\\nlines\",\"id\":\"e1\"}");
	free(line);

	line = ledger_encode(&small);
	assert_non_null(line);
	assert_string_equal(line,
	    "{\"v\":1,\"type\":\"request\",\"at\":\"2027-01-03T10:00:59Z\","
	    "\"by\":\"printgate\",\"via\":\"hook\"}");
	free(line);
}

/*
 * A comment that is not UTF-8 (printgatectl decide -m with a Latin-1
 * shell) cannot go into JSON.  Encoding must then fail, as ledger.c says,
 * rather than give a line without the comment: the decision would be
 * acknowledged with the reviewer's words silently lost.
 */
static void
test_encode_not_utf8(void **state)
{
	struct ledger_event ev = {
		.type = LEDGER_CHANGES_REQUIRED,
		.at = AT_2027_01_03,
		.by = "bob",
		.via = "cli:root",
		.comment = "caf\xe9: the price is wrong",
	};
	struct ledger_event out;
	char *line, *why = NULL;

	line = ledger_encode(&ev);
	if (line == NULL)
		return;
	assert_int_equal(ledger_decode(line, strlen(line), &out, &why), 0);
	if (out.comment == NULL)
		fail_msg("the comment was dropped: %s", line);
	ledger_event_clear(&out);
	free(line);
}

/* ------------------------------------------------------------------ */
/* Decoding, from the fixture files                                    */

struct line_case {
	char *name;
	char *line;
	char *expect;	/* bad: the why substring; good: the re-encoding */
};

static struct line_case *line_cases;
static size_t nline_cases;

static const char *
fixtures_dir(void)
{
	const char *d = getenv("PRINTGATE_FIXTURES");

	return d && *d ? d : "tests/unit/fixtures";
}

static char *
read_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "cannot open fixture '%s': %s\n", path,
		    strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

/*
 * Reads the rows of a fixture, "first<TAB>second", into line_cases,
 * skipping empty lines and comments ("#").  For bad lines first is the why
 * and second the line; for good lines first is the line and second its
 * re-encoding (or nothing: the line itself).  Returns the number of rows,
 * 0 when the file cannot be read (which then fails the run).
 */
static size_t
load_rows(const char *file, bool bad)
{
	char *path = xasprintf("%s/ledger/%s", fixtures_dir(), file);
	char *text = read_file(path), *next, *p;
	size_t lineno = 0, rows = 0;

	free(path);
	if (text == NULL)
		return 0;
	for (next = text; (p = strsep(&next, "\n")) != NULL;) {
		struct line_case *c;
		char *first = p, *second = p;

		lineno++;
		if (*p == '\0' || *p == '#')
			continue;
		strsep(&second, "\t");
		if (second == NULL)
			second = "";
		line_cases = xreallocarray(line_cases, nline_cases + 1,
		    sizeof(*line_cases));
		c = &line_cases[nline_cases++];
		if (bad) {
			c->line = xstrdup(second);
			c->expect = xstrdup(first);
			c->name = xasprintf("decode refuses: %s (%s:%zu)",
			    first, file, lineno);
		} else {
			c->line = xstrdup(first);
			c->expect = xstrdup(*second ? second : first);
			c->name = xasprintf("decode accepts %s:%zu", file,
			    lineno);
		}
		rows++;
	}
	free(text);
	return rows;
}

static void
test_bad_line(void **state)
{
	const struct line_case *c = *state;
	struct ledger_event out, before;
	char *why = NULL;
	int error;

	memset(&out, 0xa5, sizeof(out));
	before = out;
	error = ledger_decode(c->line, strlen(c->line), &out, &why);
	if (error == 0) {
		char *again = ledger_encode(&out);

		fail_msg("accepted '%s' as %s", c->line,
		    again ? again : "(unencodable)");
	}
	assert_int_equal(error, -EINVAL);
	assert_non_null(why);
	if (strstr(why, c->expect) == NULL)
		fail_msg("why is '%s', expected it to contain '%s'", why,
		    c->expect);
	/* *out is untouched on failure */
	assert_memory_equal(&out, &before, sizeof(out));
	free(why);
}

static void
test_good_line(void **state)
{
	const struct line_case *c = *state;
	struct ledger_event out;
	char *why = NULL, *line;

	if (ledger_decode(c->line, strlen(c->line), &out, &why) != 0)
		fail_msg("refused '%s': %s", c->line, why);
	line = ledger_encode(&out);
	assert_non_null(line);
	assert_string_equal(line, c->expect);
	free(line);
	ledger_event_clear(&out);
}

/* A line past the cap is refused before it is parsed. */
static void
test_decode_too_long(void **state)
{
	struct buf b = { 0 };
	struct ledger_event out;
	char *why = NULL;
	size_t pad;

	buf_adds(&b, "{\"v\":1,\"type\":\"approve\",\"at\":"
	    "\"2027-01-03T10:00:00Z\",\"by\":\"alice\",\"via\":\"api\","
	    "\"comment\":\"");
	pad = LEDGER_MAX_LINE + 1 - b.len - 2;
	for (size_t i = 0; i < pad; i++)
		buf_add(&b, "x", 1);
	buf_adds(&b, "\"}");
	assert_int_equal(b.len, LEDGER_MAX_LINE + 1);
	assert_int_equal(ledger_decode(b.s, b.len, &out, &why), -EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, "longer than"));
	free(why);

	/* one byte less is a line like any other */
	b.s[b.len - 3] = '"';
	b.s[b.len - 2] = '}';
	b.len--;
	b.s[b.len] = '\0';
	why = NULL;
	if (ledger_decode(b.s, b.len, &out, &why) != 0)
		fail_msg("refused a line of %zu bytes: %s", b.len, why);
	assert_int_equal(strlen(out.comment), pad - 1);
	ledger_event_clear(&out);
	buf_free(&b);
}

/* decode reads len bytes, not up to a NUL: a note is not split first. */
static void
test_decode_len(void **state)
{
	const char *two = "{\"v\":1,\"type\":\"approve\",\"at\":"
	    "\"2027-01-03T10:00:00Z\",\"by\":\"alice\",\"via\":\"api\"}\n"
	    "garbage";
	struct ledger_event out;
	char *why = NULL;

	assert_int_equal(ledger_decode(two, strchr(two, '\n') - two, &out,
	    &why), 0);
	assert_string_equal(out.by, "alice");
	ledger_event_clear(&out);
}

/* ------------------------------------------------------------------ */
/* Types                                                               */

static void
test_types(void **state)
{
	static const struct {
		enum ledger_type type;
		const char *name;
		bool decision;
	} types[] = {
		{ LEDGER_REQUEST, "request", false },
		{ LEDGER_APPROVE, "approve", true },
		{ LEDGER_APPROVE_WITH_CHANGES, "approve-with-changes", true },
		{ LEDGER_CHANGES_REQUIRED, "changes-required", true },
		{ LEDGER_REMIND, "remind", false },
		{ LEDGER_ESCALATE, "escalate", false },
		{ LEDGER_RELEASED, "released", false },
		{ LEDGER_VIOLATION, "violation", false },
		{ LEDGER_CARRIED_OVER, "carried-over", false },
	};
	enum ledger_type t = LEDGER_REQUEST;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		assert_string_equal(ledger_type_name(types[i].type),
		    types[i].name);
		assert_int_equal(ledger_type_parse(types[i].name, &t), 0);
		assert_int_equal(t, types[i].type);
		assert_int_equal(ledger_is_decision(types[i].type),
		    types[i].decision);
	}
	t = LEDGER_APPROVE;
	assert_int_equal(ledger_type_parse("approved", &t), -EINVAL);
	assert_int_equal(ledger_type_parse("", &t), -EINVAL);
	assert_int_equal(ledger_type_parse("Approve", &t), -EINVAL);
	assert_int_equal(t, LEDGER_APPROVE);
	assert_null(ledger_type_name((enum ledger_type)ARRAY_SIZE(types)));
}

/* ------------------------------------------------------------------ */
/* A whole note                                                        */

#define L_ALICE "{\"v\":1,\"type\":\"approve\",\"at\":" \
	"\"2027-01-03T10:00:00Z\",\"by\":\"alice\",\"via\":\"api\"}"
#define L_BOB "{\"v\":1,\"type\":\"changes-required\",\"at\":" \
	"\"2027-01-03T11:00:00Z\",\"by\":\"bob\",\"via\":\"api\"}"
#define L_CAROL "{\"v\":1,\"type\":\"approve\",\"at\":" \
	"\"2027-01-03T09:00:00Z\",\"by\":\"carol\",\"via\":\"api\"}"
#define L_V2 "{\"v\":2,\"type\":\"approve\",\"at\":" \
	"\"2027-01-03T10:00:00Z\",\"by\":\"dave\",\"via\":\"api\"}"

#define MAX_ROWS 6

/*
 * A note's text; the events expected, in order, as "by@line"; the
 * malformed lines, as "line:why substring".
 */
struct note_case {
	const char *name;
	const char *text;
	const char *events[MAX_ROWS];
	const char *malformed[MAX_ROWS];
};

static const struct note_case note_cases[] = {
	{ "note: empty", "", { NULL }, { NULL } },
	{ "note: one line", L_ALICE "\n", { "alice@1" }, { NULL } },
	{ "note: no final newline", L_ALICE "\n" L_BOB,
	    { "alice@1", "bob@2" }, { NULL } },
	{ "note: lines keep their order, not their times",
	    L_BOB "\n" L_ALICE "\n" L_CAROL "\n",
	    { "bob@1", "alice@2", "carol@3" }, { NULL } },
	{ "note: blank lines are skipped and still numbered",
	    "\n" L_ALICE "\n\n\n" L_BOB "\n\n",
	    { "alice@2", "bob@5" }, { NULL } },
	{ "note: lines ending in CRLF are read",
	    L_ALICE "\r\n" L_BOB "\r\n", { "alice@1", "bob@2" }, { NULL } },
	{ "note: malformed lines are skipped, counted and reported",
	    L_ALICE "\nnot json at all\n" L_V2 "\n\n" L_BOB "\n{\"v\":1}",
	    { "alice@1", "bob@5" },
	    { "2:not JSON", "3:'v' is not 1", "6:'type' is missing" } },
	{ "note: only malformed lines", "x\n[]\n",
	    { NULL }, { "1:not JSON", "2:not a JSON object" } },
	{ "note: a line cut short by a crash",
	    L_ALICE "\n{\"v\":1,\"type\":\"appr", { "alice@1" },
	    { "2:not JSON" } },
};

struct reported {
	char lines[MAX_ROWS][200];
	size_t n;
	const char *commit;
};

static void
report(void *ctx, const char *commit, size_t line, const char *why)
{
	struct reported *r = ctx;

	assert_string_equal(commit, r->commit);
	assert_true(r->n < MAX_ROWS);
	snprintf(r->lines[r->n++], sizeof(r->lines[0]), "%zu:%s", line, why);
}

static void
test_note(void **state)
{
	const struct note_case *c = *state;
	struct ledger_events evs = { 0 };
	struct reported rep = { .commit = COMMIT };
	size_t nev = 0, nbad = 0;

	ledger_parse_note(&evs, COMMIT, c->text, report, &rep);
	while (nev < MAX_ROWS && c->events[nev])
		nev++;
	while (nbad < MAX_ROWS && c->malformed[nbad])
		nbad++;
	if (evs.n != nev)
		fail_msg("%s: %zu events, expected %zu", c->name, evs.n, nev);
	for (size_t i = 0; i < nev; i++) {
		char got[100];

		snprintf(got, sizeof(got), "%s@%zu", evs.v[i].by,
		    evs.v[i].line);
		if (strcmp(got, c->events[i]) != 0)
			fail_msg("%s: event %zu is %s, expected %s", c->name,
			    i + 1, got, c->events[i]);
		assert_string_equal(evs.v[i].commit, COMMIT);
	}
	assert_int_equal(evs.malformed, nbad);
	assert_int_equal(rep.n, nbad);
	for (size_t i = 0; i < nbad; i++) {
		const char *colon = strchr(c->malformed[i], ':');
		size_t nlen = (size_t)(colon - c->malformed[i]) + 1;

		/* the same line number, and why contains the substring */
		if (strncmp(rep.lines[i], c->malformed[i], nlen) != 0 ||
		    strstr(rep.lines[i] + nlen, colon + 1) == NULL)
			fail_msg("%s: reported '%s', expected '%s'", c->name,
			    rep.lines[i], c->malformed[i]);
	}
	ledger_events_free(&evs);
	assert_null(evs.v);
	assert_int_equal(evs.n, 0);
}

/* Notes of several commits gather in one list; no report is fine too. */
static void
test_note_append(void **state)
{
	struct ledger_events evs = { 0 };
	const char *other = "0000000000000000000000000000000000000001";

	ledger_parse_note(&evs, COMMIT, L_ALICE "\nbad\n", NULL, NULL);
	ledger_parse_note(&evs, other, "bad\n" L_BOB "\n" L_CAROL, NULL,
	    NULL);
	assert_int_equal(evs.n, 3);
	assert_int_equal(evs.malformed, 2);
	assert_string_equal(evs.v[0].by, "alice");
	assert_string_equal(evs.v[0].commit, COMMIT);
	assert_int_equal(evs.v[0].line, 1);
	assert_string_equal(evs.v[1].by, "bob");
	assert_string_equal(evs.v[1].commit, other);
	assert_int_equal(evs.v[1].line, 2);
	assert_string_equal(evs.v[2].by, "carol");
	assert_int_equal(evs.v[2].line, 3);
	ledger_events_free(&evs);
	ledger_events_free(NULL);
	ledger_event_clear(NULL);
}

int
main(void)
{
	size_t bad, good;
	int failed;

	add_test("encode, decode: every field round-trips", test_round_trip,
	    NULL);
	add_test("encode: the exact line, keys in order", test_encode_exact,
	    NULL);
	add_test("encode: a comment that is not UTF-8 is not dropped",
	    test_encode_not_utf8, NULL);
	add_test("decode: a line longer than the cap", test_decode_too_long,
	    NULL);
	add_test("decode: reads len bytes", test_decode_len, NULL);
	add_test("types: names, parsing, decisions", test_types, NULL);
	/* both files first: line_cases moves while it grows */
	bad = load_rows("bad-lines.tsv", true);
	good = load_rows("good-lines.tsv", false);
	for (size_t i = 0; i < nline_cases; i++)
		add_test(keep_name(line_cases[i].name),
		    i < bad ? test_bad_line : test_good_line, &line_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(note_cases); i++)
		add_test(note_cases[i].name, test_note, &note_cases[i]);
	add_test("note: several notes gather in one list", test_note_append,
	    NULL);
	if (bad == 0 || good == 0) {
		fprintf(stderr, "no cases read from %s/ledger\n",
		    fixtures_dir());
		return 1;
	}
	failed = _cmocka_run_group_tests("ledger", tests, ntests, NULL, NULL);
	for (size_t i = 0; i < nline_cases; i++) {
		free(line_cases[i].line);
		free(line_cases[i].expect);
	}
	free(line_cases);
	strv_free(names, nnames);
	free(tests);
	return failed ? 1 : 0;
}
