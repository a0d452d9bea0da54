/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * diffhtml.h - a diff view (diff.h) as HTML for the review page: text as
 * numbered lines with removed and added words in <del> and <ins>, tables
 * as a grid with "old → new" cells and a status column, binaries and
 * large files as their sizes.  Pure; every string from the file goes
 * through the escaper (html.h).  The classes are the stylesheet's
 * (page.c).
 */
#ifndef PRINTGATE_WEB_DIFFHTML_H
#define PRINTGATE_WEB_DIFFHTML_H

#include <stddef.h>

#include "core/util.h"
#include "web/diff.h"

void diffhtml_render(struct buf *b, const struct diff_view *v);

/* A size for people: "812 bytes", "12.4 KiB", "3.1 MiB", into out. */
void diffhtml_size(size_t n, char *out, size_t len);

#endif
