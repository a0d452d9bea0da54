/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.c - the HTML escaper and builder (html.h).  Pure.
 */
#include "web/html.h"

#include <stdarg.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

/*
 * The one escaper: attr picks the attribute context.  Printable ASCII
 * that needs nothing is copied a run at a time.
 */
static void
escape(struct buf *b, const char *s, size_t n, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t run = i, len;
		uint32_t cp = 0;
		unsigned char c;

		while (run < n && p[run] >= 0x20 && p[run] < 0x7f &&
		    p[run] != '&' && p[run] != '<' && p[run] != '>' &&
		    p[run] != '"' && p[run] != '\'' && p[run] != '`')
			run++;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		c = p[i];
		switch (c) {
		case '&': buf_adds(b, "&amp;"); i++; continue;
		case '<': buf_adds(b, "&lt;"); i++; continue;
		case '>': buf_adds(b, "&gt;"); i++; continue;
		case '"': buf_adds(b, "&quot;"); i++; continue;
		case '\'': buf_adds(b, "&#39;"); i++; continue;
		case '`': buf_adds(b, "&#96;"); i++; continue;
		case '\n': buf_adds(b, attr ? "&#10;" : "\n"); i++; continue;
		case '\t': buf_adds(b, attr ? "&#9;" : "\t"); i++; continue;
		default: break;
		}
		len = c >= 0x80 ? util_utf8_char(p + i, n - i, &cp) : 0;
		/* controls, C1 controls, non-characters and the bidi
		 * overrides and isolates that make "q1\u202efdp.exe" read
		 * as another name: U+FFFD */
		if (len == 0 || (cp >= 0x80 && cp < 0xa0) ||
		    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069)) {
			buf_adds(b, REPLACEMENT);
			i += len > 0 ? len : 1;
			continue;
		}
		buf_add(b, s + i, len);
		i += len;
	}
	if (b->s == NULL)
		buf_add(b, "", 0);
}

void
html_text(struct buf *b, const char *s, size_t n)
{
	escape(b, s, n, false);
}

void
html_texts(struct buf *b, const char *s)
{
	if (s != NULL)
		escape(b, s, strlen(s), false);
}

void
html_textf(struct buf *b, const char *fmt, ...)
{
	struct buf t = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&t, fmt, ap);
	va_end(ap);
	escape(b, t.s ? t.s : "", t.len, false);
	buf_free(&t);
}

void
html_attr(struct buf *b, const char *s, size_t n)
{
	escape(b, s, n, true);
}

bool
html_url_ok(const char *url)
{
	const char *rest;

	if (url == NULL)
		return false;
	if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (url[0] == '/' && url[1] != '/' && url[1] != '\\')
		rest = url;
	else
		return false;
	if (*rest == '\0')
		return false;
	for (const unsigned char *p = (const unsigned char *)rest; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\'' ||
		    *p == '<' || *p == '>' || *p == '`' || *p == '\\')
			return false;
	return true;
}

void
html_attr_pair(struct buf *b, const char *name, const char *value)
{
	buf_addf(b, " %s=\"", name);
	if (value != NULL)
		escape(b, value, strlen(value), true);
	buf_adds(b, "\"");
}

void
html_open(struct buf *b, const char *tag, const char *cls)
{
	buf_addf(b, "<%s", tag);
	if (cls != NULL)
		html_attr_pair(b, "class", cls);
	buf_adds(b, ">");
}

void
html_close(struct buf *b, const char *tag)
{
	buf_addf(b, "</%s>", tag);
}

void
html_elem(struct buf *b, const char *tag, const char *cls, const char *text)
{
	html_open(b, tag, cls);
	html_texts(b, text);
	html_close(b, tag);
}

void
html_link(struct buf *b, const char *url, const char *cls, const char *text)
{
	if (!html_url_ok(url)) {
		html_elem(b, "span", cls, text);
		return;
	}
	buf_adds(b, "<a");
	html_attr_pair(b, "href", url);
	if (cls != NULL)
		html_attr_pair(b, "class", cls);
	buf_adds(b, ">");
	html_texts(b, text);
	buf_adds(b, "</a>");
}

void
html_doc_begin(struct buf *b, const char *title, const char *css)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	html_texts(b, title);
	buf_adds(b, "</title>\n");
	if (html_url_ok(css)) {
		buf_adds(b, "<link rel=\"stylesheet\"");
		html_attr_pair(b, "href", css);
		buf_adds(b, ">\n");
	}
	buf_adds(b, "</head>\n<body>\n");
}

void
html_doc_end(struct buf *b)
{
	buf_adds(b, "</body>\n</html>\n");
}
