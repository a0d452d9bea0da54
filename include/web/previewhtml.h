/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * previewhtml.h - the preview of a PDF or an image on the review page,
 * from its view-model (struct page_preview, page.h), and the one small
 * script that makes it move (served from this origin at PAGE_JS_PATH).
 *
 * Without the script the page is whole: each changed, added or removed
 * page first, its old, new and difference pictures as plain <img> with
 * alt text, the words that changed, then thumbnails of every page with
 * the changed ones marked; a preview still coming says so, and a reload
 * shows it.  The script adds the views (side by side, swipe, onion skin,
 * difference), the arrow keys between pages, and fills in a preview
 * still coming once it is ready, by reading the page again.
 */
#ifndef PRINTGATE_WEB_PREVIEWHTML_H
#define PRINTGATE_WEB_PREVIEWHTML_H

#include <stddef.h>

#include "core/util.h"
#include "web/page.h"

/* The preview p of the page's file number file (from 1) into b. */
void previewhtml_render(struct buf *b, const struct page_preview *p,
    size_t file);

/* <script src="SRC" defer></script>; src PAGE_JS_PATH under link_base() */
void previewhtml_script_tag(struct buf *b, const char *src);

/* The script, a static string; *len its length when len is set. */
const char *previewhtml_script(size_t *len);

#endif
