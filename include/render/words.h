/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * words.h - the text layer of two versions of a page compared word by
 * word (pure), so that a price that moved reads "2,499 → 2,999".
 */
#ifndef PRINTGATE_RENDER_WORDS_H
#define PRINTGATE_RENDER_WORDS_H

#include <stddef.h>

/* Words a page's text is cut into at most; the rest is not compared. */
#define WORDS_MAX 20000
/* Changes listed for a page at most. */
#define WORDS_CHANGES_MAX 50
/* Bytes of one side of a change at most (cut at a UTF-8 boundary). */
#define WORDS_SIDE_MAX 200

/* One run of changed words: "" on a side for words added or removed. */
struct word_change {
	char *old;
	char *new;
};

struct word_diff {
	struct word_change *v;
	size_t n;
	int more;	/* 1 when changes were left off past the caps */
};

/*
 * Compares the words (runs of non-space bytes) of text a (old) and b
 * (new), NUL-terminated: the runs of words that differ, in order, each
 * side's words joined by one space.  The common start and end are cut
 * off first; a middle of more than 4,000,000 word pairs is given as one
 * change.  Fills *out (free with words_diff_free); never fails.
 */
void words_diff(struct word_diff *out, const char *a, const char *b);
void words_diff_free(struct word_diff *d);

#endif
