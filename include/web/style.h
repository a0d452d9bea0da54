/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * style.h - the review pages' one stylesheet, served from printgated's
 * own origin at PAGE_CSS_PATH (page.h) as text/css with the pages'
 * headers.  Phone first: one column from 320 px wide, wider margins from
 * 720 px; wide tables scroll inside their box, never the page.
 */
#ifndef PRINTGATE_WEB_STYLE_H
#define PRINTGATE_WEB_STYLE_H

#include <stddef.h>

/* The stylesheet, a static string; *len its length when len is set. */
const char *style_css(size_t *len);

#endif
