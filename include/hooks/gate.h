/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate.h - the update hook's decision on one ref of a push.
 */
#ifndef PRINTGATE_GATE_H
#define PRINTGATE_GATE_H

#include <stdbool.h>

/* Room for a tag object's header lines beyond its message. */
#define GATE_TAG_HEADER_MAX 8192

/* How long the hook waits for its turn to write the ledger. */
#define GATE_LEDGER_TIMEOUT_MS 10000

/* gate_decide's answers */
#define GATE_PASS 0
#define GATE_REFUSE 1
#define GATE_BUSY 2	/* the ledger stayed locked: decide again */

struct config;
struct repo;
struct review;

/*
 * review_load()'s arguments, for a caller that memoizes reviews
 * (printgated: the engine's memo, whose reviews are given again only
 * while review_fresh() says they still hold).
 */
typedef int (*gate_loader)(void *ctx, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why);

/* One ref of a push, and who pushes it. */
struct gate_push {
	const char *refname, *oldrev, *newrev;
	const char *pusher_var;	/* the pusher_env variable set, or NULL */
	const char *pusher;	/* its value, or NULL: none of them is set */
	int ledger_timeout_ms;	/* how long to wait for the ledger */
	bool busy;		/* a ledger wait that times out is GATE_BUSY */
	/* loads a review, through the caller's memo; NULL: review_load() */
	gate_loader load;
	void *load_ctx;		/* load's */
	/*
	 * The id of the event the push writes (32 lowercase hex digits),
	 * made by the hook and used by both paths, so that one push writes
	 * one released or request line however many decide it; or NULL for
	 * a new random one.
	 */
	const char *event_id;
};

/*
 * Decides whether refname may move from oldrev to newrev in the repository
 * at gitdir, by the rules of the config at config_path.  Returns 0 to let
 * the ref update through, 1 to refuse it; *msg (the caller frees it, may
 * be NULL) is what the pusher should read.  Any error refuses a print tag
 * (fails closed); refs outside the config's allow_refs are refused (their
 * deletion passes), and other refs that are neither print tags nor
 * printgate's own pass without the repository being opened.  event_id
 * as in struct gate_push.
 */
int gate_update(const char *config_path, const char *gitdir,
    const char *refname, const char *oldrev, const char *newrev,
    const char *event_id, char **msg);

/*
 * gate_update's decision on p by the loaded config cf, for a caller that
 * holds both: printgated on the warm path.  r is the open repository, or
 * NULL to open gitdir only when a print tag needs it.  Returns GATE_PASS
 * or GATE_REFUSE with *msg as gate_update sets it, or, only when p->busy,
 * GATE_BUSY (nothing decided, *msg NULL) when the ledger stayed locked for
 * p->ledger_timeout_ms; the caller then lets the hook decide with its
 * longer wait.
 */
int gate_decide(const struct config *cf, struct repo *r, const char *gitdir,
    const struct gate_push *p, char **msg);

#endif
