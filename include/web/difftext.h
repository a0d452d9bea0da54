/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * difftext.h - a diff view (diff.h) in words: the plain text of a whole
 * view (the email's text part and the unit tests' fixtures) and the short
 * summary that chat messages carry.  Pure.
 */
#ifndef PRINTGATE_WEB_DIFFTEXT_H
#define PRINTGATE_WEB_DIFFTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "web/diff.h"

#define DIFFTEXT_EXCERPT 60	/* bytes of a line a summary quotes */

/*
 * The view as plain text, appended to b: the email's text part, and what
 * the unit tests' fixtures hold.  A first line says what the view is
 * ("text: 2 added, 1 removed", "table: comma-separated, rows by key
 * \"Plan\"" or "by position", "binary: 1024 → 2048 bytes", "large: over
 * 4 MiB, 10 → 20 bytes"), then one line each:
 *
 *   "  OLD  NEW  text"    an unchanged line (numbers right-aligned, 4)
 *   "- OLD       text"    removed; changed words as [-word-]
 *   "+      NEW  text"    added; changed words as {+word+}
 *   "@ N unchanged lines" / "@ N more lines not shown"
 *
 * and for a table: "header: a | b", "header was: …" when it changed, and a
 * row a line: "  row \"Pro\": …" unchanged, "~ row \"Pro\": Price: 100 →
 * 110; Seats: 5 → 6" changed, "+ row …" added, "- row …" removed.  A
 * binary or large file is one line with the sizes.  Control characters
 * are shown as U+FFFD, invalid UTF-8 too.
 */
void difftext_format(struct buf *b, const struct diff_view *v);

/*
 * The inline summary for chat messages, appended to b: path, ": ", then
 * the first max_items changes, "; " between them, each at most about 60
 * characters a side, and "(and N more)" when there were more:
 *
 *   prices.csv: row "Pro", Price: 100 → 110; row "Team" added
 *   brochure.txt: line 3: "Save 10% now" → "Save 15% now"
 *
 * Valid UTF-8 without control characters, whatever the file held.
 */
void difftext_summary(struct buf *b, const struct diff_view *v,
    const char *path, size_t max_items);

/*
 * Appends the n bytes at s to b as valid UTF-8: an invalid sequence, a
 * control character, a line or paragraph separator and a bidi override
 * or isolate become U+FFFD, except a tab, which stays (or becomes
 * a space when oneline).
 */
void difftext_clean(struct buf *b, const char *s, size_t n, bool oneline);

#endif
