/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decide.h - the decision from an inbound request, and the commands that
 * read (status, pending, who, help): the platform user is mapped to a
 * person by the platform's people key, the review found and the person's
 * eligibility checked, the decision written to the ledger, and only then
 * is there an outcome to answer with.  The request has been verified
 * and parsed by its platform's route before (routes.c).
 *
 * What the decision needs of the daemon it is lent (struct decide_env),
 * so that it runs, and is tested, without the engine.
 */
#ifndef PRINTGATE_DECIDE_H
#define PRINTGATE_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/inbound.h"
#include "core/config.h"
#include "core/repo.h"
#include "core/review.h"
#include "printgated/metrics.h"
#include "printgated/replay.h"

/*
 * How long a decision may wait for the ledger: Slack wants 3 s.  The
 * wait is the listener's (routes.c): decide_record() never sleeps, a
 * held lock is o->locked, and the request is tried again from the loop.
 */
#define DECIDE_LEDGER_TIMEOUT_MS 1200
/* A decision that found the ledger locked is tried again this often. */
#define DECIDE_LEDGER_RETRY_MS 20
/*
 * Whether a request whose decision was first tried waited_ms ago may
 * still be tried again within DECIDE_LEDGER_TIMEOUT_MS.
 */
bool decide_may_wait(int64_t waited_ms);

/* review_load()'s arguments, for a loader that memoizes. */
typedef int (*decide_loader)(void *ctx, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why);

/* What a decision needs of the daemon; all of it stays the lender's. */
struct decide_env {
	struct repo *r;		/* the repository, the loop thread's */
	struct replay *replay;	/* the replay-id table */
	struct metrics *m;	/* decisions and ledger retries counted */
	/* loads a review, through a memo; NULL: review_load() */
	decide_loader load;
	void *ctx;		/* load's */
	int64_t (*now)(void);	/* unix seconds; NULL: the wall clock */
	/* a link to the review page of tag and commit for person (a
	 * person id: a personal link; NULL: the channel's) into *out, or
	 * NULL: none to give */
	int (*link)(void *link_ctx, const char *tag, const char *commit,
	    const char *person, char **out);
	void *link_ctx;
};

/* What a decision came to, for the platform's answer. */
struct decide_outcome {
	int status;		/* 200, or the refusal's */
	char *text;		/* for people: what happened, or why not */
	bool recorded;		/* a new ledger line */
	bool repeat;		/* a replay of a request handled before */
	bool approved;		/* the review is approved now */
	bool locked;		/* 503: another writer held the ledger's lock */
	/* not answered yet: staged for the next group commit, or waiting
	 * for one that holds a decision it depends on (decide_set_slot()) */
	bool staged;
	char *review;		/* "print/q1@<commit>", or NULL */
	struct review_target t;	/* what the request named */
	struct review *rv;	/* the review now, or NULL */
	/* a changes-required from chat without a comment: nothing is
	 * recorded, and this is the person's own link to write it on the
	 * page (for their eyes only), or NULL (always NULL for a platform
	 * whose answers the whole channel sees: Teams) */
	char *link;
};

struct decide;

/* cf stays the caller's (decide_set_config() replaces it); env is copied. */
void decide_new(struct decide **out, const struct config *cf,
    const struct decide_env *env);
/* decide_free(NULL) does nothing. */
void decide_free(struct decide *dc);
void decide_set_config(struct decide *dc, const struct config *cf);

/*
 * Records in's decision (in->decision, on in->review or in->target) by
 * the user of platform (an index in cf->platforms) into *o, which the
 * caller clears with decide_outcome_clear().  idem is what makes the
 * request unique on its platform (an action id, a webhook-id), or NULL:
 * a request with the same idem is recorded once.  A refusal
 * (o->status 400, 403, 404, 409, 500, 503) changes nothing.  It never
 * waits for the ledger's lock: while another writer holds it, o->locked
 * is set (with 503), and the caller may try again later.
 * A changes-required without a comment from chat (a button, in->review,
 * or a command of a platform with one) from an eligible person records
 * nothing either: o->status is 200, o->text asks for what must change
 * and o->link, when env.link gives one and the answer is for the person
 * alone, is their personal link to the page, where the comment is
 * required.  A Teams answer, which the channel sees, names the command
 * and the channel's read-only link instead.
 */
void decide_record(struct decide *dc, size_t platform,
    const struct inbound *in, const char *idem, struct decide_outcome *o);
void decide_outcome_clear(struct decide_outcome *o);
/*
 * Whether the caller will try a decision that found the lock held again
 * (then it is not logged; the last try, with may_wait false, is).
 */
void decide_set_wait(struct decide *dc, bool may_wait);

/*
 * Group commit.  With a slot set (a place the request keeps from one
 * call to the next, initially NULL), decide_record() does not write a
 * new decision: it stages it and leaves a ticket in *slot, o->staged set
 * and nothing to answer yet.  decide_flush() writes everything staged as
 * one notes commit (one set of fsyncs); the request, decided again with
 * the same slot, is then answered from its ticket: recorded (200), or,
 * when the commit failed, refused as decide_record() refuses a decision
 * it could not write (500, 503 for a lock held past the bound), so that
 * nothing is acknowledged that is not on disk.  o->staged with
 * o->locked: the last flush found the ledger locked.  A request whose
 * slot goes away while it waits hands its ticket to
 * decide_ticket_drop().  NULL slot: decisions are written at once
 * (after whatever is staged).
 */
struct decide_ticket;
void decide_set_slot(struct decide *dc, void **slot);
/* How many decisions are staged: decide_flush()'s work. */
size_t decide_staged(const struct decide *dc);
/*
 * The decisions staged or written and not yet answered: a configuration
 * is not changed under them (printgated's reload waits for none).
 */
size_t decide_tickets(const struct decide *dc);
/*
 * Writes what is staged; 0 or the error every staged decision is then
 * answered with.  -EBUSY, nothing answered yet, while another writer
 * holds the ledger's lock and the first staged decision has waited less
 * than DECIDE_LEDGER_TIMEOUT_MS: it is tried again at the next call.
 */
int decide_flush(struct decide *dc);
/* decide_ticket_drop(NULL) does nothing. */
void decide_ticket_drop(struct decide_ticket *tk);

/*
 * The same for a person known without a platform (the review page: a
 * personal link, a single sign-on proxy): person is an index in
 * cf->people, via what the ledger says ("web:link"), in->review the
 * "tag@commit" of the page.  rules (nrules > 0) narrows the decision to
 * those of the person's eligible rules; a name that is none of them is
 * refused (403).  Without an idem: a repeat is told by the ledger
 * (the same decision and comment again records nothing).
 */
void decide_record_person(struct decide *dc, size_t person, const char *via,
    const struct inbound *in, char *const *rules, size_t nrules,
    struct decide_outcome *o);

/*
 * The answer to a command that reads (status, pending, who, help) from
 * the user of platform, with *status 200; or, from a user who is no
 * person printgate knows, a refusal with *status 403, before anything is
 * looked up.  The caller frees it.
 */
char *decide_command(struct decide *dc, size_t platform,
    const struct inbound *in, int *status);

#endif
