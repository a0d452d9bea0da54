/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_html.c - the HTML escaper (html.c) on any bytes, in both contexts:
 * what it writes must be valid UTF-8 holding no markup ('<', '>', quotes,
 * backticks only as character references; '&' only starting one of the
 * references it writes; no control but tab and line feed in text, none
 * in attributes).  Then html_url_ok() on the input as a string: an URL it
 * lets be an href has no quote, space, angle bracket or scheme other
 * than http(s).
 */
#include "fuzz.h"

#include "core/util.h"
#include "web/html.h"

static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;",
	"&#39;", "&#96;", "&#10;", "&#9;" };

static void
check_escaped(const char *s, size_t n, bool attr)
{
	FUZZ_CHECK(fuzz_utf8_ok(s, n));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool known = false;

		FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'' &&
		    c != '`');
		FUZZ_CHECK(c >= 0x20 || (!attr && (c == '\n' || c == '\t')));
		FUZZ_CHECK(c != 0x7f);
		if (c != '&')
			continue;
		for (size_t k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
			if (strncmp(s + i, refs[k], strlen(refs[k])) == 0)
				known = true;
		FUZZ_CHECK(known);
		FUZZ_CHECK(attr || (strncmp(s + i, "&#10;", 5) != 0 &&
		    strncmp(s + i, "&#9;", 4) != 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf t = { 0 }, a = { 0 };
	char *s;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	html_text(&t, (const char *)data, size);
	html_attr(&a, (const char *)data, size);
	check_escaped(t.s, t.len, false);
	check_escaped(a.s, a.len, true);
	/* nothing is lost: at least one byte out for a byte in */
	FUZZ_CHECK(t.len >= size || size == 0 || t.len > 0);
	buf_free(&t);
	buf_free(&a);

	s = fuzz_cstr(data, size);
	if (html_url_ok(s)) {
		FUZZ_CHECK(strncmp(s, "https://", 8) == 0 ||
		    strncmp(s, "http://", 7) == 0 ||
		    (s[0] == '/' && s[1] != '/'));
		for (const char *p = s; *p; p++)
			FUZZ_CHECK((unsigned char)*p > 0x20 &&
			    (unsigned char)*p < 0x7f && *p != '"' &&
			    *p != '\'' && *p != '<' && *p != '>');
	}
	free(s);
	return 0;
}
