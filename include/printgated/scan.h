/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scan.h - what the parts of a scan share (engine.c hands it to the
 * waiting reviews, pending.c, and the bypass checks, bypass.c): the
 * configuration, the repository, the memo of reviews, the time of the
 * scan and the counters; and the two things each of them does, writing
 * an event of the daemon's own and loading the review an event is about.
 */
#ifndef PRINTGATE_SCAN_H
#define PRINTGATE_SCAN_H

#include <stdint.h>

#include "core/config.h"
#include "core/ledger.h"
#include "core/repo.h"
#include "core/review.h"
#include "printgated/engine.h"
#include "printgated/memo.h"

struct scan {
	const struct config *cf;	/* the caller's */
	struct repo *r;
	struct memo *memo;
	int64_t now;			/* of the scan under way, ms */
	struct engine_stats *st;
	bool locked;		/* a write of this scan found the lock held */
	bool was_locked;	/* so did the scan before (already logged) */
};

/*
 * Writes an event of the daemon's own (by "printgate", via ENGINE_VIA) to
 * the ledger, naming rv's rules that apply and (but for a release) are
 * not met yet; rv may be NULL.  A failure is logged, to be retried at the
 * next scan; a held lock sets s->locked (the engine scans again soon) and
 * is logged once while it stays.
 */
int scan_record(struct scan *s, const char *commit, enum ledger_type type,
    const char *tag, const char *tag_object, const struct review *rv,
    const char *comment);

/*
 * The review an event is about, as it stands now, through the memo: the
 * tag object is looked up (kept or released) when the event names none.
 * A failure is logged.
 */
int scan_review_of(struct scan *s, const char *commit, const char *tag,
    const char *tag_object, struct review **out);

/* 1 when ev's tag exists with ev's tag object, 0 when not, or -1. */
int scan_tag_is(struct scan *s, const struct ledger_event *ev);

#endif
