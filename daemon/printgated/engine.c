/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.c - what printgated does, apart from waiting: one scan ties the
 * parts together.  It reads the ledger as an event log (eventlog.c) and
 * turns each new event into chat messages (deliver.c); it goes through
 * the reviews that wait (pending.c) and the print tags and replace refs
 * that came around the gate (bypass.c); and it tells at once what that
 * wrote.
 *
 * Everything it decides is written to the ledger first and acted on from
 * there, so a restart (or kill -9) repeats nothing and loses nothing: the
 * event log resumes after the last notes commit handled, and delivery ids
 * are derived from the event, the channel and the kind of message.
 */
#include "printgated/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/notice.h"
#include "core/ledger.h"
#include "core/log.h"
#include "core/repo.h"
#include "core/review.h"
#include "core/util.h"
#include "printgated/bypass.h"
#include "printgated/deliver.h"
#include "printgated/eventlog.h"
#include "printgated/memo.h"
#include "printgated/pending.h"
#include "printgated/previews.h"
#include "printgated/scan.h"

/*
 * A released event whose tag does not exist (yet): the hook writes it
 * before git creates the tag, and git may then not create it (an --atomic
 * push aborted by another ref).  Its message waits until the tag is there.
 */
struct held {
	struct ledger_event ev;	/* a copy: tag, tag_object, id, ... */
	int64_t until;		/* ms; dropped after, unannounced */
};

/* How long a released message waits for its tag. */
#define ENGINE_HOLD_MS (10 * 60 * 1000)
/* How long a request's message waits for its previews, at most. */
#define ENGINE_PREVIEWS_WAIT_MS (15 * 1000)

struct engine {
	struct scan s;		/* cf, repository, memo, now, counters */
	struct outbox *ob;
	struct eventlog *log;
	struct deliver *dl;
	struct bypass *bypass;
	struct previews *pv;	/* queued on request events, or NULL */
	struct held *held;	/* released messages waiting for the tag */
	size_t nheld;
	struct held *waiting;	/* requests waiting for their previews */
	size_t nwaiting;
	uint64_t stored;	/* the previews' count when last looked at */
	int64_t lock_retry_ms;	/* while the ledger stays locked, or 0 */
	struct engine_stats st;
};

static void
held_clear(struct held *h)
{
	free(h->ev.by);
	free(h->ev.via);
	free(h->ev.tag);
	free(h->ev.tag_object);
	free(h->ev.comment);
	free(h->ev.id);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Keeps a copy of ev in (*v)[*n] until until (ms). */
static void
hold_add(struct held **v, size_t *n, const struct ledger_event *ev,
    int64_t until)
{
	struct held *h;

	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	h = &(*v)[(*n)++];
	memset(h, 0, sizeof(*h));
	h->ev.type = ev->type;
	h->ev.at = ev->at;
	h->ev.by = dup_or_null(ev->by);
	h->ev.via = dup_or_null(ev->via);
	h->ev.tag = dup_or_null(ev->tag);
	h->ev.tag_object = dup_or_null(ev->tag_object);
	h->ev.comment = dup_or_null(ev->comment);
	h->ev.id = dup_or_null(ev->id);
	memcpy(h->ev.commit, ev->commit, OID_HEX);
	h->ev.line = ev->line;
	h->until = until;
}

/* Keeps a copy of a released event until its tag exists. */
static void
engine_hold(struct engine *e, const struct ledger_event *ev)
{
	hold_add(&e->held, &e->nheld, ev, e->s.now + ENGINE_HOLD_MS);
}

void
engine_set_previews(struct engine *e, struct previews *pv)
{
	e->pv = pv;
	deliver_set_previews(e->dl, pv);
}

void
engine_set_watch(struct engine *e, struct watch *w)
{
	memo_set_watch(e->s.memo, w);
}

int
engine_new(struct engine **out, const struct config *cf, char **why)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	int error;

	e->s.cf = cf;
	e->s.st = &e->st;
	e->s.memo = memo_new();
	e->bypass = bypass_new();
	if ((error = repo_open(&e->s.r, cf->repository, why)) < 0 ||
	    (error = eventlog_open(&e->log, cf->state_dir, why)) < 0 ||
	    (error = outbox_open(&e->ob, cf->state_dir, why)) < 0 ||
	    (error = deliver_new(&e->dl, cf, e->ob, why)) < 0 ||
	    (error = eventlog_load(e->log, why)) < 0) {
		engine_free(e);
		return error;
	}
	*out = e;
	return 0;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	memo_free(e->s.memo);
	repo_free(e->s.r);
	outbox_free(e->ob);
	eventlog_free(e->log);
	deliver_free(e->dl);
	bypass_free(e->bypass);
	for (size_t i = 0; i < e->nheld; i++)
		held_clear(&e->held[i]);
	free(e->held);
	for (size_t i = 0; i < e->nwaiting; i++)
		held_clear(&e->waiting[i]);
	free(e->waiting);
	free(e);
}

int
engine_set_config(struct engine *e, const struct config *cf, char **why)
{
	if (deliver_set_config(e->dl, cf, why) < 0)
		return -EINVAL;
	e->s.cf = cf;
	bypass_forget(e->bypass);
	memo_forget(e->s.memo);
	return 0;
}

struct outbox *
engine_outbox(struct engine *e)
{
	return e->ob;
}

const struct engine_stats *
engine_stats(const struct engine *e)
{
	return &e->st;
}

struct repo *
engine_repo(struct engine *e)
{
	return e->s.r;
}

char *
engine_render(struct engine *e, int kind, const struct review *rv,
    size_t platform, int64_t now_ms)
{
	return deliver_render(e->dl, (enum notice_kind)kind, rv, platform,
	    now_ms);
}

int
engine_review_load(struct engine *e, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why)
{
	return memo_load(e->s.memo, e->s.cf, e->s.r, commit, tag, tag_object,
	    message, out, why);
}

int
engine_review_loader(void *ctx, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why)
{
	return engine_review_load(ctx, commit, tag, tag_object, message, out,
	    why);
}

/*
 * Whether queued delivery d no longer matches its review: a request, a
 * reminder or an escalation (asking for decisions, with live buttons) for
 * a review released since it was queued.  -ECANCELED with *why then,
 * else 0 (a review that cannot be read now is sent: the message is
 * better late than lost).
 */
static int
engine_stale(struct engine *e, const struct delivery *d, char **why)
{
	const char *at;
	struct review *rv;
	char *tag;
	int error = 0;

	if (d->url != NULL || d->review == NULL || d->event == NULL ||
	    (strcmp(d->event, "request") != 0 && strcmp(d->event,
	    "remind") != 0 && strcmp(d->event, "escalate") != 0))
		return 0;
	if ((at = strrchr(d->review, '@')) == NULL || at == d->review ||
	    strlen(at + 1) != OID_HEX - 1)
		return 0;
	tag = xstrndup(d->review, (size_t)(at - d->review));
	if (scan_review_of(&e->s, at + 1, tag, NULL, &rv) == 0) {
		if (rv->released) {
			*why = xasprintf("'%s' was released since, so its "
			    "%s is out of date", tag, d->event);
			error = -ECANCELED;
		}
		review_free(rv);
	}
	free(tag);
	return error;
}

int
engine_delivery_request(struct engine *e, const struct delivery *d,
    int64_t now_ms, char **url, char **headers, size_t *nheaders,
    struct notify_mail *mail, char **why)
{
	int error;

	memset(mail, 0, sizeof(*mail));
	*nheaders = 0;
	if ((error = engine_stale(e, d, why)) < 0)
		return error;
	return deliver_request(e->s.cf, d, now_ms, url, headers, nheaders,
	    mail, why);
}

/* --- the event log's events into messages -------------------------- */

static int
engine_queue(struct engine *e, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv)
{
	deliver_set_repo(e->dl, e->s.r);
	return deliver_queue(e->dl, ev, kind, rv, e->s.now, e->s.now);
}

/*
 * A request's messages, which say what the previews of its PDFs and
 * images show (chat: "pages 2 and 7 changed", and a picture).  The
 * renderers run in the background and the loop never waits for them,
 * so a request whose previews are still coming is queued at once, as
 * it is, to be sent ENGINE_PREVIEWS_WAIT_MS later, and kept here: once
 * they are ready, engine_previews() formats it again in place of what
 * waits, due now.  What is queued is on disk before the event log moves
 * on, so a restart (which forgets what is kept here) still sends it,
 * without the previews, when it is due.  Nobody told: no render either.
 */
static int
engine_request(struct engine *e, const struct ledger_event *ev,
    const struct review *rv)
{
	int64_t until = e->s.now + ENGINE_PREVIEWS_WAIT_MS;
	int error;

	if (!deliver_wants(e->dl, ev->type))
		return 0;
	previews_review(e->pv, rv);
	if (previews_pending(e->pv, rv) == 0)
		return engine_queue(e, ev, NOTICE_REQUEST, rv);
	deliver_set_repo(e->dl, e->s.r);
	error = deliver_queue(e->dl, ev, NOTICE_REQUEST, rv, e->s.now, until);
	for (size_t i = 0; error == 0 && i < e->nwaiting; i++)
		if (e->waiting[i].ev.line == ev->line &&
		    strcmp(e->waiting[i].ev.commit, ev->commit) == 0)
			return 0;	/* handled again after an error */
	if (error == 0)
		hold_add(&e->waiting, &e->nwaiting, ev, until);
	return error;
}

void
engine_previews(struct engine *e, int64_t now_ms)
{
	struct previews_stats st;
	size_t k = 0;

	if (e->pv == NULL || e->nwaiting == 0)
		return;
	previews_stats(e->pv, &st);
	if (st.stored == e->stored && now_ms < e->waiting[0].until)
		return;		/* nothing new is ready, none is due */
	e->stored = st.stored;
	e->s.now = now_ms;
	for (size_t i = 0; i < e->nwaiting; i++) {
		struct held *h = &e->waiting[i];
		struct review *rv = NULL;

		/* past until, or unreadable: what waits is sent as it is */
		if (now_ms < h->until && scan_review_of(&e->s, h->ev.commit,
		    h->ev.tag, h->ev.tag_object, &rv) == 0) {
			if (previews_pending(e->pv, rv) > 0) {
				review_free(rv);
				e->waiting[k++] = *h;
				continue;
			}
			deliver_set_repo(e->dl, e->s.r);
			if (deliver_update(e->dl, &h->ev, NOTICE_REQUEST,
			    rv, now_ms) < 0)
				log_warnx("request '%s' (%.7s): sent without "
				    "its previews", h->ev.tag ? h->ev.tag :
				    "-", h->ev.commit);
		}
		review_free(rv);
		held_clear(h);
	}
	e->nwaiting = k;
}

/* The messages a decision event makes: to all, to authors, approved. */
static int
engine_decided(struct engine *e, const struct ledger_event *ev,
    const struct review *rv)
{
	int error = engine_queue(e, ev, NOTICE_DECISION, rv);

	if (error == 0 && ev->type == LEDGER_CHANGES_REQUIRED)
		error = engine_queue(e, ev, NOTICE_CHANGES, rv);
	if (error == 0 && rv->approved && !rv->released &&
	    !e->s.cf->review.auto_release && rv->tag)
		error = engine_queue(e, ev, NOTICE_APPROVED, rv);
	return error;
}

/* The messages ev makes about rv. */
static int
engine_tell(struct engine *e, const struct ledger_event *ev,
    const struct review *rv)
{
	switch (ev->type) {
	case LEDGER_REQUEST:
		return engine_request(e, ev, rv);
	case LEDGER_APPROVE:
	case LEDGER_APPROVE_WITH_CHANGES:
	case LEDGER_CHANGES_REQUIRED:
		return engine_decided(e, ev, rv);
	case LEDGER_REMIND:
		return engine_queue(e, ev, NOTICE_REMIND, rv);
	case LEDGER_ESCALATE:
		return engine_queue(e, ev, NOTICE_ESCALATE, rv);
	case LEDGER_RELEASED:
		return engine_queue(e, ev, NOTICE_RELEASED, rv);
	case LEDGER_VIOLATION:
		return engine_queue(e, ev, NOTICE_VIOLATION, rv);
	case LEDGER_CARRIED_OVER:
		break;
	}
	return 0;
}

/* One new ledger event (eventlog_read()'s callback). */
static int
engine_handle(void *ctx, const struct ledger_event *ev)
{
	struct engine *e = ctx;
	struct review *rv = NULL;
	int error;

	e->st.handled++;
	log_info("ledger %s '%s' (%.7s) by %s via %s",
	    ledger_type_name(ev->type), ev->tag ? ev->tag : "-", ev->commit,
	    ev->by, ev->via);
	if (ev->type == LEDGER_CARRIED_OVER || e->s.cf->nnotify == 0)
		return 0;
	if (ev->type == LEDGER_RELEASED && ev->tag && ev->tag_object) {
		/* announced only once the tag is there */
		int is = scan_tag_is(&e->s, ev);

		if (is < 0)
			return -EIO;
		if (is == 0) {
			engine_hold(e, ev);
			return 0;
		}
	}
	if (scan_review_of(&e->s, ev->commit, ev->tag, ev->tag_object,
	    &rv) < 0) {
		if (ev->type != LEDGER_VIOLATION)
			return 0;	/* logged; a message without it is no
					   use */
		/* a violation on an object that is no commit: alert anyway */
		rv = review_stub(ev->commit, ev->tag);
	}
	/* the event's deliveries on disk before the event log moves on */
	outbox_batch_begin(e->ob);
	error = engine_tell(e, ev, rv);
	if (outbox_batch_end(e->ob) < 0 && error == 0) {
		log_warn("fsync the outbox folder");
		error = -EIO;
	}
	review_free(rv);
	return error;
}

/*
 * Announces the held released events whose tag now exists with their
 * object; drops, with a warning, those whose tag did not come in time.
 */
static void
engine_held(struct engine *e)
{
	size_t k = 0;

	for (size_t i = 0; i < e->nheld; i++) {
		struct held *h = &e->held[i];
		struct review *rv = NULL;
		int is = scan_tag_is(&e->s, &h->ev);

		if (is == 1 && scan_review_of(&e->s, h->ev.commit, h->ev.tag,
		    h->ev.tag_object, &rv) == 0 &&
		    engine_queue(e, &h->ev, NOTICE_RELEASED, rv) == 0) {
			review_free(rv);
			held_clear(h);
			continue;
		}
		review_free(rv);
		if (is == 0 && e->s.now >= h->until) {
			log_warnx("released '%s' (%.7s): the tag was not "
			    "created with %s (an --atomic push aborted, or git "
			    "failed to write it); not announced, and the "
			    "release does not count", h->ev.tag, h->ev.commit,
			    h->ev.tag_object);
			held_clear(h);
			continue;
		}
		e->held[k++] = *h;
	}
	e->nheld = k;
}

/*
 * The next deadline, brought forward while a write found the ledger
 * locked: the scan is repeated from the loop's timer, which never waits
 * on the lock, backing off while it stays.
 */
static int64_t
engine_retry(struct engine *e, int64_t next)
{
	int64_t at;

	if (!e->s.locked) {
		if (e->s.was_locked)
			log_info("ledger: no longer locked, the daemon's own "
			    "events are written");
		e->lock_retry_ms = 0;
		return next;
	}
	e->lock_retry_ms = e->lock_retry_ms == 0 ? ENGINE_LOCK_RETRY_MS :
	    e->lock_retry_ms * 2;
	if (e->lock_retry_ms > ENGINE_LOCK_RETRY_MAX_MS)
		e->lock_retry_ms = ENGINE_LOCK_RETRY_MAX_MS;
	at = e->s.now + e->lock_retry_ms;
	return next < 0 || at < next ? at : next;
}

int64_t
engine_scan(struct engine *e, int64_t now_ms)
{
	char before[OID_HEX] = "", after[OID_HEX] = "";
	int64_t next;

	e->s.now = now_ms;
	e->s.was_locked = e->s.locked;
	e->s.locked = false;
	if (eventlog_check(e->log, e->s.r, e->s.cf->repository) < 0)
		return -1;
	eventlog_read(e->log, e->s.r, engine_handle, e);
	repo_notes_head(e->s.r, LEDGER_REF, before);
	next = pending_scan(&e->s);
	bypass_tags(e->bypass, &e->s);
	bypass_replace_refs(e->bypass, &e->s);
	/* What this scan wrote (released, remind, …) is told at once. */
	repo_notes_head(e->s.r, LEDGER_REF, after);
	if (strcmp(before, after) != 0)
		eventlog_read(e->log, e->s.r, engine_handle, e);
	engine_held(e);
	log_debug("scan: %u open review%s, %zu deliver%s queued, next "
	    "deadline %s", e->st.open_reviews, e->st.open_reviews == 1 ? "" :
	    "s", outbox_depth(e->ob), outbox_depth(e->ob) == 1 ? "y" : "ies",
	    next < 0 ? "none" : "set");
	return engine_retry(e, next);
}
