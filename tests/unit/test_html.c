/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_html.c - the HTML escaper and builder (html.c): a table of inputs
 * and what each context must make of them, and which URLs may be links.
 * One cmocka test a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "web/html.h"
#include "unit.h"

struct esc_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *text;	/* html_text() */
	const char *attr;	/* html_attr() */
};

#define FFFD "\xef\xbf\xbd"

static const struct esc_case esc_cases[] = {
	{ "plain", "Q1 brochure", 0, "Q1 brochure", "Q1 brochure" },
	{ "markup", "<script>alert(1)</script>", 0,
	  "&lt;script&gt;alert(1)&lt;/script&gt;",
	  "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "ampersand", "R&D &amp;", 0, "R&amp;D &amp;amp;",
	  "R&amp;D &amp;amp;" },
	{ "quotes", "a\"b'c`d", 0, "a&quot;b&#39;c&#96;d",
	  "a&quot;b&#39;c&#96;d" },
	{ "line ends and tabs", "a\nb\tc", 0, "a\nb\tc", "a&#10;b&#9;c" },
	{ "NUL", "a\0b", 3, "a" FFFD "b", "a" FFFD "b" },
	{ "controls", "\x01\x1b[31m\x7f", 0, FFFD FFFD "[31m" FFFD,
	  FFFD FFFD "[31m" FFFD },
	{ "carriage return", "a\rb", 0, "a" FFFD "b", "a" FFFD "b" },
	{ "UTF-8 kept", "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x93\x84", 0,
	  "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x93\x84",
	  "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x93\x84" },
	{ "latin-1 byte", "caf\xe9", 0, "caf" FFFD, "caf" FFFD },
	{ "overlong <", "\xc0\xbc", 0, FFFD FFFD, FFFD FFFD },
	{ "surrogate", "\xed\xa0\x80", 0, FFFD FFFD FFFD, FFFD FFFD FFFD },
	{ "cut sequence", "\xe2\x86", 0, FFFD FFFD, FFFD FFFD },
	{ "C1 control", "\xc2\x85", 0, FFFD, FFFD },
	{ "non-character", "\xef\xbf\xbe", 0, FFFD, FFFD },
	{ "right-to-left override", "q1\xe2\x80\xae" "fdp.exe", 0,
	  "q1" FFFD "fdp.exe", "q1" FFFD "fdp.exe" },
	{ "bidi isolate", "a\xe2\x81\xa6" "b\xe2\x81\xa9", 0,
	  "a" FFFD "b" FFFD, "a" FFFD "b" FFFD },
	{ "empty", "", 0, "", "" },
};

static void
test_escape(void **state)
{
	const struct esc_case *c = *state;
	size_t n = c->len ? c->len : strlen(c->in);
	struct buf t = { 0 }, a = { 0 };

	html_text(&t, c->in, n);
	html_attr(&a, c->in, n);
	assert_string_equal(t.s, c->text);
	assert_string_equal(a.s, c->attr);
	buf_free(&t);
	buf_free(&a);
}

struct url_case {
	const char *url;
	bool ok;
};

static const struct url_case url_cases[] = {
	{ "https://git.example.com/x?id=1&path=a", true },
	{ "http://cgit.example/tree/a.pdf", true },
	{ "/r/token/history", true },
	{ "javascript:alert(1)", false },
	{ "JAVASCRIPT:alert(1)", false },
	{ "data:text/html,x", false },
	{ "//evil.example/x", false },
	{ "/\\evil.example", false },
	{ "https://", false },
	{ "https://a.example/\"onmouseover=x", false },
	{ "https://a.example/ x", false },
	{ "https://a.example/<x>", false },
	{ "relative/path", false },
	{ "", false },
};

static void
test_url(void **state)
{
	const struct url_case *c = *state;

	assert_int_equal(html_url_ok(c->url), c->ok);
}

/* The builder: a link that may not be one is text; values escaped. */
static void
test_builder(void **state)
{
	struct buf b = { 0 };

	(void)state;
	html_link(&b, "javascript:alert(1)", "x", "<click>");
	assert_string_equal(b.s, "<span class=\"x\">&lt;click&gt;</span>");
	buf_free(&b);
	html_link(&b, "https://a.example/?a=1&b=2", NULL, "a & b");
	assert_string_equal(b.s,
	    "<a href=\"https://a.example/?a=1&amp;b=2\">a &amp; b</a>");
	buf_free(&b);
	html_elem(&b, "p", "c\"d", NULL);
	assert_string_equal(b.s, "<p class=\"c&quot;d\"></p>");
	buf_free(&b);
	html_textf(&b, "%s and %d", "<b>", 5);
	assert_string_equal(b.s, "&lt;b&gt; and 5");
	buf_free(&b);
	html_doc_begin(&b, "A <title>", "https://evil.example/x.css\"");
	assert_non_null(strstr(b.s, "<title>A &lt;title&gt;</title>"));
	assert_null(strstr(b.s, "evil.example"));
	assert_null(strstr(b.s, "<link"));
	html_doc_end(&b);
	buf_free(&b);
}

int
main(void)
{
	int failed;

	for (size_t i = 0; i < ARRAY_SIZE(esc_cases); i++)
		add_test(esc_cases[i].name, test_escape, &esc_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(url_cases); i++)
		add_test(url_cases[i].url[0] ? url_cases[i].url : "(empty url)",
		    test_url, &url_cases[i]);
	add_test("builder", test_builder, NULL);
	failed = _cmocka_run_group_tests("html", tests, ntests, NULL, NULL);
	free(tests);
	return failed ? 1 : 0;
}
