/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pending.c - the waiting reviews (see pending.h).  A release is written
 * to the ledger before the tag is created, so that a crash in between
 * leaves a released event that the next scan reuses rather than a print
 * tag without one; reminders and escalations are events too, written
 * once for each request.
 */
#include "printgated/pending.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/util.h"

/* Midnight UTC at the start of a "YYYY-MM-DD" Print-By day, ms; or -1. */
static int64_t
print_by(const struct review *rv)
{
	int64_t t;
	char *s;

	for (size_t i = 0; i < rv->ntrailers; i++) {
		if (strcasecmp(rv->trailers[i].key, "Print-By") != 0)
			continue;
		s = xasprintf("%.10sT00:00:00Z", rv->trailers[i].value);
		if (util_parse_rfc3339(s, &t) < 0)
			t = -1;
		free(s);
		return t < 0 ? -1 : t * 1000;
	}
	return -1;
}

/* Whether an event of type for this tag object exists at or after since. */
static bool
has_event(const struct review *rv, enum ledger_type type,
    const char *tag_object, int64_t since)
{
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (ev->type == type && ev->tag && rv->tag &&
		    strcmp(ev->tag, rv->tag) == 0 &&
		    strcmp(ev->commit, rv->commit) == 0 && ev->at >= since &&
		    (!tag_object || !ev->tag_object ||
		    strcmp(ev->tag_object, tag_object) == 0))
			return true;
	}
	return false;
}

/* Whether the daemon wrote a released event for this tag object. */
static bool
has_daemon_release(const struct review *rv, const char *tag_object)
{
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (ev->type == LEDGER_RELEASED && ev->tag && rv->tag &&
		    ev->tag_object && ev->via &&
		    strcmp(ev->via, ENGINE_VIA) == 0 &&
		    strcmp(ev->tag, rv->tag) == 0 &&
		    strcmp(ev->commit, rv->commit) == 0 &&
		    strcmp(ev->tag_object, tag_object) == 0)
			return true;
	}
	return false;
}

/* Creates the print tag from the kept tag object, drops the pending ref. */
static void
release(struct scan *s, const struct repo_ref *pending, const char *tag,
    const struct review *rv, bool recorded)
{
	char *full = xasprintf("refs/tags/%s", tag), have[OID_HEX];
	int error;

	if (!recorded && scan_record(s, rv->commit, LEDGER_RELEASED, tag,
	    pending->id, rv, NULL) < 0)
		goto done;
	error = repo_ref_set(s->r, full, pending->id, NULL,
	    "printgate: released after approval");
	if (error == -EAGAIN && repo_ref_get(s->r, full, have) == 0 &&
	    strcmp(have, pending->id) != 0) {
		log_warnx("release '%s': the tag exists with another object "
		    "%s; left it alone, the review stays pending", tag, have);
		goto done;
	}
	if (error < 0 && error != -EAGAIN) {
		log_warnx("release '%s': cannot create %s: %s, will retry", tag,
		    full, repo_strerror());
		goto done;
	}
	if (repo_ref_delete(s->r, pending->name, pending->id) < 0)
		log_warnx("release '%s': cannot drop %s: %s", tag,
		    pending->name, repo_strerror());
	s->st->released++;
	log_info("release '%s' (%.7s): created from the kept tag object %s",
	    tag, rv->commit, pending->id);
done:
	free(full);
}

/*
 * When to remind and to escalate a review requested at req (ms): after
 * remind_after and escalate_after, or sooner for a Print-By date, which
 * brings the reminder forward to a third of the time left and the
 * escalation to two thirds, so that there is time to act before it.
 */
static void
chase_times(const struct config_review *cr, const struct review *rv,
    int64_t req, int64_t *remind_at, int64_t *escalate_at)
{
	int64_t deadline;

	*remind_at = req + cr->remind_after * 1000;
	*escalate_at = req + cr->escalate_after * 1000;
	if ((deadline = print_by(rv)) >= 0) {
		int64_t lead = deadline > req ? deadline - req : 0;

		if (req + lead / 3 < *remind_at)
			*remind_at = req + lead / 3;
		if (req + 2 * lead / 3 < *escalate_at)
			*escalate_at = req + 2 * lead / 3;
	}
}

/* Reminds and escalates one waiting review; returns its next deadline. */
static int64_t
chase(struct scan *s, const struct repo_ref *pending, const char *tag,
    const struct review *rv)
{
	const struct config_review *cr = &s->cf->review;
	int64_t remind_at, escalate_at, next = -1;

	if (rv->requested == NULL)
		return -1;
	chase_times(cr, rv, rv->requested->at * 1000, &remind_at,
	    &escalate_at);
	if (!has_event(rv, LEDGER_REMIND, pending->id, rv->requested->at)) {
		if (s->now >= remind_at)
			scan_record(s, rv->commit, LEDGER_REMIND, tag,
			    pending->id, rv, NULL);
		else
			next = remind_at;
	}
	/* without an escalate_to group there is no one to escalate to */
	if (cr->escalate_to != SIZE_MAX &&
	    !has_event(rv, LEDGER_ESCALATE, pending->id, rv->requested->at)) {
		if (s->now >= escalate_at)
			scan_record(s, rv->commit, LEDGER_ESCALATE, tag,
			    pending->id, rv, NULL);
		else if (next < 0 || escalate_at < next)
			next = escalate_at;
	}
	return next;
}

/*
 * One waiting review, kept under ref: released, chased, or let be.
 * Returns its next deadline, or -1.
 */
static int64_t
pending_one(struct scan *s, const struct repo_ref *ref)
{
	char *tag = review_pending_tag(s->cf, ref->name);
	struct repo_tag *t = NULL;
	struct review *rv = NULL;
	int64_t next = -1;

	if (repo_tag_read(s->r, ref->id, &t) < 0) {
		log_warnx("review '%s': %s is not a tag of a commit, skipped",
		    tag, ref->name);
		goto done;
	}
	if (scan_review_of(s, t->commit, tag, t->id, &rv) < 0)
		goto done;
	if (strcmp(rv->tag_target, ref->id) == 0) {
		/* released already: the pending copy is not needed */
		if (repo_ref_delete(s->r, ref->name, ref->id) < 0)
			log_warnx("release '%s': cannot drop %s: %s", tag,
			    ref->name, repo_strerror());
		goto done;
	}
	/*
	 * Released only when approved now, and only with auto_release: a
	 * released event alone is no reason (the hook writes one before git
	 * creates the tag, and git may not).  One written here before a
	 * crash is reused.
	 */
	if (rv->approved && s->cf->review.auto_release) {
		release(s, ref, tag, rv, has_daemon_release(rv, t->id));
		goto done;
	}
	s->st->open_reviews++;
	/* approved: the release manager pushes again */
	if (!rv->approved)
		next = chase(s, ref, tag, rv);
done:
	review_free(rv);
	repo_tag_free(t);
	free(tag);
	return next;
}

int64_t
pending_scan(struct scan *s)
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	int64_t next = -1, at;

	s->st->open_reviews = 0;
	if (repo_ref_list(s->r, PENDING_PREFIX "*", &refs, &n) < 0) {
		log_warnx("list '%s': %s, will retry", PENDING_PREFIX,
		    repo_strerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		at = pending_one(s, &refs[i]);
		if (at >= 0 && (next < 0 || at < next))
			next = at;
	}
	repo_ref_list_free(refs, n);
	return next;
}
