/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * viewmodel.h - the review pages' fixture view-models, read from JSON
 * files (tests/unit/fixtures/page/NAME.json), for the unit tests and the
 * page server that the browser tests open.  A test helper: it may be
 * strict and simple where the daemon could not be.
 *
 * A file is one object whose "page" is "review", "history" or "error";
 * its other members are page.h's fields by name (times as RFC 3339
 * strings), and each file of a review has "old" and "new" (its two
 * versions as text, null when absent) or "binary": [old size, new size],
 * from which the diff view is made with diff_files().
 */
#ifndef PRINTGATE_TESTS_VIEWMODEL_H
#define PRINTGATE_TESTS_VIEWMODEL_H

#include "core/util.h"

struct viewmodel;

/* Reads path; 0, or -EINVAL with *why a sentence the caller frees. */
int viewmodel_load(struct viewmodel **out, const char *path, char **why);
/* The page as HTML appended to b; its HTTP status (200, or the error's). */
int viewmodel_render(const struct viewmodel *vm, struct buf *b);
void viewmodel_free(struct viewmodel *vm);

#endif
