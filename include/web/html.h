/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * html.h - HTML out of untrusted strings: the escaper, for text and for
 * double-quoted attribute values, and a small builder on struct buf that
 * the review page is written with.  Pure.
 *
 * Whatever the bytes, what the escaper writes is valid UTF-8 holding no
 * markup: '&', '<' and '>' (and in attributes '"', '\'', '`', tabs and
 * line ends) become character references; an invalid UTF-8 sequence, a
 * control character (but tab and line feed in text), a NUL, a
 * non-character and a bidirectional override or isolate (U+202A-U+202E,
 * U+2066-U+2069, which can make a file name read as another) become
 * U+FFFD.  Tags and class names come from printgate's own code only.
 */
#ifndef PRINTGATE_WEB_HTML_H
#define PRINTGATE_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

/* n bytes at s, escaped for text between tags. */
void html_text(struct buf *b, const char *s, size_t n);
/* The same for a C string; NULL writes nothing. */
void html_texts(struct buf *b, const char *s);
/* printf, then html_texts() of the result. */
void html_textf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* n bytes at s, escaped for a value in double quotes. */
void html_attr(struct buf *b, const char *s, size_t n);

/*
 * Whether url may be an href: "https://" or "http://" followed by no
 * space, control, quote or angle bracket, or a path on this site ("/",
 * not "//").  Anything else ("javascript:", "data:") is shown as text.
 */
bool html_url_ok(const char *url);

/* <tag> or <tag class="cls"> (cls NULL: none). */
void html_open(struct buf *b, const char *tag, const char *cls);
/* </tag> */
void html_close(struct buf *b, const char *tag);
/* <tag class="cls">text</tag>, text escaped; NULL text: empty. */
void html_elem(struct buf *b, const char *tag, const char *cls,
    const char *text);
/* <a href="url" class="cls">text</a>, or text alone in a <span> when
 * url is NULL or not html_url_ok(). */
void html_link(struct buf *b, const char *url, const char *cls,
    const char *text);
/* name="value", with a space before it, value escaped. */
void html_attr_pair(struct buf *b, const char *name, const char *value);

/*
 * The start of a page: doctype, <html lang="en">, the head (charset,
 * viewport for phones, the title escaped, the stylesheet at css, a
 * same-origin path, left out when css is not html_url_ok()), and
 * <body>.  html_doc_end() closes it.
 */
void html_doc_begin(struct buf *b, const char *title, const char *css);
void html_doc_end(struct buf *b);

#endif
