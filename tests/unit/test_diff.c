/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_diff.c - the diff of a file for people (diff.c, difftext.c) from
 * the cases in fixtures/diff/CASE/: path, old, new (either may be
 * missing), and the expected text view and chat summary (see the README
 * there).  One cmocka test a case, then a few properties no fixture
 * shows well: what a hostile input costs, that the views account for
 * every line, and the summary's caps.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "web/diff.h"
#include "web/difftext.h"
#include "unit.h"

static char *fixtures;	/* .../fixtures/diff */

/* The file at path into *out (NULL when it does not exist). */
static size_t
slurp(const char *path, char **out)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	*out = NULL;
	if (fp == NULL)
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	n = b.len;
	if (b.s == NULL)
		buf_add(&b, "", 0);
	*out = buf_steal(&b);
	return n;
}

static char *
case_file(const char *name, const char *file, size_t *len)
{
	char *path = xasprintf("%s/%s/%s", fixtures, name, file), *s;
	size_t n = slurp(path, &s);

	free(path);
	if (len)
		*len = n;
	return s;
}

/* Fails with the first line where got and want part. */
static void
same_text(const char *what, const char *got, const char *want)
{
	size_t line = 1;
	const char *g = got, *w = want;

	if (strcmp(got, want) == 0)
		return;
	while (*g && *g == *w) {
		line += *g == '\n';
		g++, w++;
	}
	fail_msg("%s differs at line %zu:\n  got:  %.80s\n  want: %.80s",
	    what, line, g, w);
}

static void
test_case(void **state)
{
	const char *name = *state;
	size_t ol, nl;
	char *path = case_file(name, "path", NULL);
	char *old = case_file(name, "old", &ol), *new = case_file(name, "new",
	    &nl);
	char *want = case_file(name, "expected", NULL);
	char *want_sum = case_file(name, "summary", NULL);
	struct buf got = { 0 }, sum = { 0 };
	struct diff_view *v;

	assert_non_null(path);
	assert_non_null(want);
	assert_non_null(want_sum);
	path[strcspn(path, "\n")] = '\0';
	v = diff_files(path, old, ol, new, nl);
	difftext_format(&got, v);
	same_text("the view", got.s, want);
	difftext_summary(&sum, v, path, 3);
	buf_adds(&sum, "\n");
	same_text("the summary", sum.s, want_sum);
	buf_free(&got);
	buf_free(&sum);
	diff_free(v);
	free(path);
	free(old);
	free(new);
	free(want);
	free(want_sum);
}

/* Lines numbered 0..n-1 with every step-th one changed. */
static char *
numbered(size_t n, size_t step, const char *word)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "line %zu %s\n", i, step && i % step == 0 ?
		    word : "same");
	return buf_steal(&b);
}

/*
 * The lines a view accounts for: shown, folded or cut, each side counted
 * as the file's line count.
 */
static void
check_accounts(const struct diff_view *v, size_t oldn, size_t newn)
{
	size_t o = 0, n = 0;

	for (size_t i = 0; i < v->nlines; i++) {
		const struct diff_line *l = &v->lines[i];

		if (l->op == DIFF_CUT)
			return;	/* the rest is not shown */
		o += l->op == DIFF_FOLD ? l->count : l->op != DIFF_ADD;
		n += l->op == DIFF_FOLD ? l->count : l->op != DIFF_DEL;
	}
	assert_int_equal(o, oldn);
	assert_int_equal(n, newn);
}

/* A change every tenth line of 5,000: exact, folded, every line
 * accounted for. */
static void
test_accounts(void **state)
{
	char *a = numbered(5000, 10, "old"), *b = numbered(5000, 10, "new");
	struct diff_view *v;

	(void)state;
	v = diff_files("x.txt", a, strlen(a), b, strlen(b));
	assert_int_equal(v->kind, DIFF_TEXT);
	assert_false(v->approx);
	assert_int_equal(v->added, 500);
	assert_int_equal(v->removed, 500);
	check_accounts(v, 5000, 5000);
	diff_free(v);
	free(a);
	free(b);
}

/* Everything different on 50,000 lines: the edit cap stops the search
 * (the whole is shown as removed, then added, and cut for the page). */
static void
test_hostile_text(void **state)
{
	struct buf a = { 0 }, b = { 0 };
	struct diff_view *v;

	(void)state;
	for (size_t i = 0; i < DIFF_MAX_LINES; i++) {
		buf_addf(&a, "%zu\n", i);
		buf_addf(&b, "%zu\n", i * 7 + 1);
	}
	v = diff_files("x.txt", a.s, a.len, b.s, b.len);
	assert_int_equal(v->kind, DIFF_TEXT);
	assert_true(v->approx);
	assert_true(v->nlines <= DIFF_MAX_SHOWN + 1);
	assert_int_equal(v->lines[v->nlines - 1].op, DIFF_CUT);
	diff_free(v);
	buf_adds(&a, "one more\n");
	v = diff_files("x.txt", a.s, a.len, b.s, b.len);
	assert_int_equal(v->kind, DIFF_LARGE);
	assert_true(diff_changed(v));
	diff_free(v);
	buf_free(&a);
	buf_free(&b);
}

/* A line of a megabyte of words against another: not marked word by
 * word (over DIFF_MAX_TOKENS), the lines still paired. */
static void
test_hostile_words(void **state)
{
	struct buf a = { 0 }, b = { 0 };
	struct diff_view *v;

	(void)state;
	for (size_t i = 0; i < 100000; i++) {
		buf_adds(&a, "a ");
		buf_adds(&b, "b ");
	}
	v = diff_files("x.txt", a.s, a.len, b.s, b.len);
	assert_int_equal(v->nlines, 2);
	assert_int_equal(v->lines[0].nspans, 0);
	diff_free(v);
	buf_free(&a);
	buf_free(&b);
}

/* Over 4 MiB, or over the rows or columns of a table: large. */
static void
test_large(void **state)
{
	size_t n = DIFF_MAX_BYTES + 1;
	char *big = xmalloc(n);
	struct buf cols = { 0 };
	struct diff_view *v;

	(void)state;
	memset(big, 'x', n);
	v = diff_files("x.txt", "x", 1, big, n);
	assert_int_equal(v->kind, DIFF_LARGE);
	diff_free(v);
	free(big);
	for (size_t i = 0; i <= DIFF_MAX_COLS; i++)
		buf_addf(&cols, "c%zu,", i);
	v = diff_files("x.csv", "a\n", 2, cols.s, cols.len);
	assert_int_equal(v->kind, DIFF_LARGE);
	diff_free(v);
	buf_free(&cols);
	/* from the sizes alone, as the page makes it for a large file */
	v = diff_large(false, 5u << 20, false, 6u << 20, false);
	assert_int_equal(v->kind, DIFF_LARGE);
	assert_int_equal(v->old_size, 5u << 20);
	assert_int_equal(v->new_size, 6u << 20);
	assert_true(diff_changed(v));
	diff_free(v);
	v = diff_large(true, 99, false, 7u << 20, true);
	assert_true(v->old_absent && v->old_size == 0);
	assert_true(diff_changed(v));
	diff_free(v);
	v = diff_large(false, 7u << 20, false, 7u << 20, true);
	assert_false(diff_changed(v));
	diff_free(v);
}

/* The summary holds at most max items and says how many more. */
static void
test_summary_cap(void **state)
{
	char *a = numbered(100, 2, "old"), *b = numbered(100, 2, "new");
	struct diff_view *v = diff_files("x.txt", a, strlen(a), b, strlen(b));
	struct buf s = { 0 };

	(void)state;
	difftext_summary(&s, v, "x.txt", 2);
	assert_string_equal(s.s, "x.txt: line 1: \"line 0 old\" \xe2\x86\x92 "
	    "\"line 0 new\"; line 3: \"line 2 old\" \xe2\x86\x92 "
	    "\"line 2 new\" (and 48 more)");
	buf_free(&s);
	diff_free(v);
	free(a);
	free(b);
}

/* A long line is quoted around its change, cut on a character. */
static void
test_summary_excerpt(void **state)
{
	const char *a = "\xc3\xa9\xc3\xa9\xc3\xa9 Lorem ipsum dolor sit amet, "
	    "consectetur adipiscing elit, price 100 per seat, sed do eiusmod "
	    "tempor incididunt ut labore\n";
	char *b = xstrdup(a);
	struct diff_view *v;
	struct buf s = { 0 };

	(void)state;
	memcpy(strstr(b, "100"), "110", 3);
	v = diff_files("x.txt", a, strlen(a), b, strlen(b));
	difftext_summary(&s, v, "x.txt", 3);
	assert_non_null(strstr(s.s, "line 1: \"\xe2\x80\xa6" "piscing elit, "
	    "price 100 per seat, sed do eiusmod tempor inci\xe2\x80\xa6\""));
	assert_non_null(strstr(s.s, "price 110 per seat"));
	assert_null(strchr(s.s, '\n'));
	buf_free(&s);
	diff_free(v);
	free(b);
}

static void
fixtures_find(void)
{
	const char *env = getenv("PRINTGATE_FIXTURES");
	const char *slash = strrchr(__FILE__, '/');

	if (env != NULL && *env != '\0')
		fixtures = xasprintf("%s/diff", env);
	else if (slash != NULL)
		fixtures = xasprintf("%.*s/fixtures/diff",
		    (int)(slash - __FILE__), __FILE__);
	else
		fixtures = xstrdup("tests/unit/fixtures/diff");
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;
	int failed;

	fixtures_find();
	if ((d = opendir(fixtures)) == NULL) {
		fprintf(stderr, "test_diff: cannot open %s\n", fixtures);
		return 1;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && e->d_type == DT_DIR) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++)
		add_test(names[i], test_case, names[i]);
	add_test("every line accounted for", test_accounts, NULL);
	add_test("hostile text: the edit cap", test_hostile_text, NULL);
	add_test("hostile words: the token cap", test_hostile_words, NULL);
	add_test("large files and tables", test_large, NULL);
	add_test("summary: at most max items", test_summary_cap, NULL);
	add_test("summary: a long line quoted around its change",
	    test_summary_excerpt, NULL);
	failed = _cmocka_run_group_tests("diff", tests, ntests, NULL, NULL);
	strv_free(names, n);
	free(tests);
	free(fixtures);
	return failed ? 1 : 0;
}
