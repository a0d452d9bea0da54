/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * memo.h - the reviews printgated loaded lately, given again while they
 * still hold: a decision, the event it writes and the scan after it each
 * need the same review, and every scan needs each waiting one.
 */
#ifndef PRINTGATE_MEMO_H
#define PRINTGATE_MEMO_H

#include <stdint.h>

#include "core/config.h"
#include "core/repo.h"
#include "core/review.h"
#include "printgated/watch.h"

struct memo;

struct memo *memo_new(void);
/* memo_free(NULL) does nothing. */
void memo_free(struct memo *m);
/* Drops every review (a new configuration changes them all). */
void memo_forget(struct memo *m);
/*
 * The repository's watch, which tells when the print tags need listing
 * again to tell a review holds (watch_generation()); without one (NULL)
 * they are listed at every memo_load().
 */
void memo_set_watch(struct memo *m, struct watch *w);
/* How often memo_load() listed the print tags itself (tests). */
uint64_t memo_tag_listings(const struct memo *m);

/*
 * review_load() through the memo: a review loaded earlier with the same
 * commit, tag, tag object and message that is still fresh is given
 * again, not read again, and one whose only change is lines the daemon
 * appended to its commit's note is brought up to them (review_refresh()).
 * The caller frees *out
 * with review_free(); on failure *out is untouched and *why set.
 */
int memo_load(struct memo *m, const struct config *cf, struct repo *r,
    const char *commit, const char *tag, const char *tag_object,
    const char *message, struct review **out, char **why);

#endif
