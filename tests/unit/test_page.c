/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_page.c - the review, history and error pages, rendered from the
 * fixture view-models in fixtures/page/NAME.json (read by
 * tests/tools/viewmodel.c) and checked against fixtures/page/NAME.expect:
 * "status: N", then one "has: TEXT" or "lacks: TEXT" a line, TEXT as it
 * must (or must not) appear in the HTML.  Adding a case is adding the two
 * files; each is its own cmocka test.
 *
 * Every page is also held to what the web hygiene asks whatever the
 * fixture: valid UTF-8; no script, no inline style or event handler; a
 * label for every input that a person fills in; the stylesheet linked from
 * this site; and the headers the pages go out with.
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
#include <strings.h>

#include "core/util.h"
#include "viewmodel.h"
#include "web/page.h"
#include "web/style.h"
#include "unit.h"

static char *fixtures;	/* .../fixtures/page */

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (b.s == NULL)
		buf_add(&b, "", 0);
	return buf_steal(&b);
}

static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t len = util_utf8_char(p + i, n - i, NULL);

		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

/* Each <input> that is not hidden, and each <textarea>, has an id that a
 * <label for=...> names. */
static void
check_labels(const char *html)
{
	for (const char *p = html; (p = strstr(p, "<")) != NULL; p++) {
		const char *end = strchr(p, '>'), *id;
		char want[128];
		size_t n;

		if (strncmp(p, "<input", 6) != 0 &&
		    strncmp(p, "<textarea", 9) != 0)
			continue;
		assert_non_null(end);
		if (strstr(p, "type=\"hidden\"") != NULL &&
		    strstr(p, "type=\"hidden\"") < end)
			continue;
		id = strstr(p, " id=\"");
		assert_true(id != NULL && id < end);
		id += 5;
		n = strcspn(id, "\"");
		snprintf(want, sizeof(want), "<label for=\"%.*s\">", (int)n,
		    id);
		if (strstr(html, want) == NULL)
			fail_msg("no %s", want);
	}
}

/*
 * Every tag in the page (text has no '<' left: the escaper turned them
 * into references, so each '<' opens a real tag) is one printgate writes,
 * with no event handler and no style attribute.
 */
static void
check_tags(const char *html)
{
	static const char allowed[] = " !DOCTYPE html head meta title link "
	    "body header main footer section article div span p h1 h2 h3 h4 "
	    "dl dt dd code pre a ul ol li blockquote strong table thead tbody "
	    "tr th td del ins form input fieldset legend label textarea "
	    "button ";

	for (const char *p = html; (p = strchr(p, '<')) != NULL; p++) {
		const char *end = strchr(p, '>'), *name = p + 1;
		char word[32];
		size_t n;

		assert_non_null(end);
		if (*name == '/')
			name++;
		n = strcspn(name, " >");
		if (n == 0 || n >= sizeof(word) - 2)
			fail_msg("a tag with no name: %.40s", p);
		snprintf(word, sizeof(word), " %.*s ", (int)n, name);
		if (strstr(allowed, word) == NULL)
			fail_msg("a tag printgate does not write: %.60s", p);
		for (const char *a = p; a < end; a++)
			if (a[0] == ' ' && ((a[1] == 'o' && a[2] == 'n') ||
			    strncmp(a + 1, "style=", 6) == 0 ||
			    strncmp(a + 1, "src=", 4) == 0))
				fail_msg("a handler, style or source: %.*s",
				    (int)(end - p + 1), p);
	}
}

static void
check_hygiene(const char *html)
{
	assert_true(utf8_valid(html));
	assert_null(strcasestr(html, "javascript:"));
	check_tags(html);
	assert_non_null(strstr(html, "<link rel=\"stylesheet\" href=\""
	    PAGE_CSS_PATH "\">"));
	assert_non_null(strstr(html, "<meta name=\"viewport\""));
	assert_non_null(strstr(html, "<html lang=\"en\">"));
	check_labels(html);
}

static void
test_fixture(void **state)
{
	const char *name = *state;
	char *json = xasprintf("%s/%s.json", fixtures, name);
	char *expect_path = xasprintf("%s/%s.expect", fixtures, name);
	char *expect = slurp(expect_path), *why = NULL, *line, *save = NULL;
	struct viewmodel *vm = NULL;
	struct buf html = { 0 };
	int status;

	if (viewmodel_load(&vm, json, &why) < 0)
		fail_msg("%s", why);
	status = viewmodel_render(vm, &html);
	check_hygiene(html.s);
	for (line = strtok_r(expect, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (str_startswith(line, "status: ")) {
			assert_int_equal(status, atoi(line + 8));
		} else if (str_startswith(line, "has: ")) {
			if (strstr(html.s, line + 5) == NULL)
				fail_msg("%s: the page lacks: %s", name,
				    line + 5);
		} else if (str_startswith(line, "lacks: ")) {
			if (strstr(html.s, line + 7) != NULL)
				fail_msg("%s: the page has: %s", name,
				    line + 7);
		} else {
			fail_msg("%s: a line that is not a check: %s",
			    expect_path, line);
		}
	}
	buf_free(&html);
	viewmodel_free(vm);
	free(expect);
	free(expect_path);
	free(json);
}

/* The headers the daemon and the page server send with every page. */
static void
test_headers(void **state)
{
	bool csp = false, ref = false, store = false, sniff = false;

	(void)state;
	for (size_t i = 0; i < page_nheaders; i++) {
		const struct page_header *h = &page_headers[i];

		csp |= strcmp(h->name, "Content-Security-Policy") == 0 &&
		    str_startswith(h->value, "default-src 'self'") &&
		    strstr(h->value, "unsafe-inline") == NULL;
		ref |= strcmp(h->name, "Referrer-Policy") == 0 &&
		    strcmp(h->value, "no-referrer") == 0;
		store |= strcmp(h->name, "Cache-Control") == 0 &&
		    strcmp(h->value, "no-store") == 0;
		sniff |= strcmp(h->name, "X-Content-Type-Options") == 0 &&
		    strcmp(h->value, "nosniff") == 0;
	}
	assert_true(csp && ref && store && sniff);
}

/* The stylesheet imports nothing and loads nothing from elsewhere. */
static void
test_stylesheet(void **state)
{
	size_t len;
	const char *css = style_css(&len);

	(void)state;
	assert_int_equal(strlen(css), len);
	assert_null(strstr(css, "@import"));
	assert_null(strstr(css, "url("));
	assert_non_null(strstr(css, ".grid td.changed"));
	assert_non_null(strstr(css, "@media (min-width:720px)"));
}

/* An unknown status still gets a page that says what to do. */
/* page_closed_text(): whose approvals and when, or which version. */
static void
test_closed_text(void **state)
{
	static const char *const two[] = { "Alice Ng", "Bob Brandt" };
	static const char *const three[] = { "A", "B", "C" };
	static const struct {
		struct page_closed c;
		const char *want;
	} cases[] = {
		{ { PAGE_RELEASED, "print/q1", two, 2, 1798970400, NULL },
		  "This review is closed: print/q1 was released on the "
		  "approvals of Alice Ng and Bob Brandt on 3 Jan 2027, 10:00 "
		  "UTC." },
		{ { PAGE_RELEASED, "print/q1", three, 1, 0, NULL },
		  "This review is closed: print/q1 was released on the "
		  "approval of A." },
		{ { PAGE_RELEASED, "print/q1", three, 3, 0, NULL },
		  "This review is closed: print/q1 was released on the "
		  "approvals of A, B and C." },
		{ { PAGE_RELEASED, "print/q1", NULL, 0, 0, NULL },
		  "This review is closed: print/q1 was released." },
		{ { PAGE_REPLACED, "print/q1", NULL, 0, 0,
		    "b2c3d4e5f60718293a4b5c6d7e8f901234567890" },
		  "This review is closed: it was superseded by print/q1 at "
		  "commit b2c3d4e." },
		{ { PAGE_REPLACED, "print/q1", NULL, 0, 0, NULL },
		  "This review is closed: it was superseded by print/q1, "
		  "which no longer asks for this version." },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = page_closed_text(&cases[i].c);

		assert_string_equal(s, cases[i].want);
		free(s);
	}
}

static void
test_error_other(void **state)
{
	struct buf b = { 0 };

	(void)state;
	page_error(&b, 500, NULL, NULL);
	check_hygiene(b.s);
	assert_non_null(strstr(b.s, "<h1>Something went wrong</h1>"));
	assert_non_null(strstr(b.s, "Try again in a minute"));
	buf_free(&b);
}

static void
fixtures_find(void)
{
	const char *env = getenv("PRINTGATE_FIXTURES");
	const char *slash = strrchr(__FILE__, '/');

	if (env != NULL && *env != '\0')
		fixtures = xasprintf("%s/page", env);
	else if (slash != NULL)
		fixtures = xasprintf("%.*s/fixtures/page",
		    (int)(slash - __FILE__), __FILE__);
	else
		fixtures = xstrdup("tests/unit/fixtures/page");
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
		fprintf(stderr, "test_page: cannot open %s\n", fixtures);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrndup(e->d_name, len - 5);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++)
		add_test(names[i], test_fixture, names[i]);
	add_test("headers: CSP, no-referrer, no-store, nosniff", test_headers,
	    NULL);
	add_test("stylesheet: nothing from elsewhere", test_stylesheet, NULL);
	add_test("error: another status", test_error_other, NULL);
	add_test("closed: why, in words", test_closed_text, NULL);
	failed = _cmocka_run_group_tests("page", tests, ntests, NULL, NULL);
	strv_free(names, n);
	free(tests);
	free(fixtures);
	return failed ? 1 : 0;
}
