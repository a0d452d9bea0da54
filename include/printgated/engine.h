/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.h - printgated's work, apart from its event loop: turn new ledger
 * events into chat deliveries, remind and escalate waiting reviews,
 * release approved print tags, and catch print tags that bypassed the
 * gate.  The loop calls engine_scan() when refs change and when the
 * engine's next deadline comes.
 */
#ifndef PRINTGATE_ENGINE_H
#define PRINTGATE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/outbox.h"
#include "printgated/notify.h"

/* The ledger's "via" for what the daemon writes itself. */
#define ENGINE_VIA "daemon"
/*
 * The daemon's own ledger writes (releases, reminders, escalations,
 * violations) never wait for the lock inside the event loop: one that
 * finds it held is written by a scan again from the loop's timer, after
 * ENGINE_LOCK_RETRY_MS, doubled while the lock stays, up to
 * ENGINE_LOCK_RETRY_MAX_MS.
 */
#define ENGINE_LEDGER_TIMEOUT_MS 0
#define ENGINE_LOCK_RETRY_MS 50
#define ENGINE_LOCK_RETRY_MAX_MS 2000
/* The file in state_dir with the last notes commit handled. */
#define ENGINE_STATE_FILE "ledger-head"

struct engine;

struct engine_stats {
	unsigned open_reviews;
	unsigned handled;	/* ledger events handled since start */
	unsigned released;
	unsigned violations;
	unsigned ledger_retries;
};

/*
 * Opens the repository of cf and the outbox in its state_dir.  cf stays
 * the caller's and must outlive the engine or be replaced with
 * engine_set_config().  On failure sets *why.
 */
int engine_new(struct engine **out, const struct config *cf, char **why);
void engine_free(struct engine *e);
/* Takes a new configuration (after SIGHUP). */
int engine_set_config(struct engine *e, const struct config *cf, char **why);
struct outbox *engine_outbox(struct engine *e);
struct previews;
/* The previews a request event queues (NULL: none). */
void engine_set_previews(struct engine *e, struct previews *pv);
struct watch;
/* The repository's watch, for the memo of reviews (memo_set_watch()). */
void engine_set_watch(struct engine *e, struct watch *w);
/*
 * After the previews moved on: the requests whose messages waited for
 * their previews and have them now are formatted again with them, due
 * at once; those that waited long enough go as they are.
 */
void engine_previews(struct engine *e, int64_t now_ms);
const struct engine_stats *engine_stats(const struct engine *e);

/*
 * Does everything that is due at now (unix ms): handles ledger events
 * appended since the last handled one, then goes through the reviews that
 * wait and the print tags that exist.  Errors are logged; the next scan
 * tries again.  Returns the unix time in ms of the next deadline, or -1.
 */
int64_t engine_scan(struct engine *e, int64_t now_ms);

/*
 * The message of kind about review rv as it stands, in the format of the
 * platform (an index in the config's platforms), for updating a message
 * posted earlier; the caller frees it.
 */
struct review;
char *engine_render(struct engine *e, int kind, const struct review *rv,
    size_t platform, int64_t now_ms);
/*
 * review_load through the engine's memo of the reviews it loaded last: one
 * that is still fresh (review_fresh) is given again, not read again.  The
 * caller frees *out with review_free.
 */
int engine_review_load(struct engine *e, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why);
/*
 * engine_review_load() as the loaders of decide.h and gate.h take it: ctx
 * is the engine.
 */
int engine_review_loader(void *ctx, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why);
/* The repository handle of the engine (the loop's one thread uses it). */
struct repo *engine_repo(struct engine *e);
/*
 * What to send for queued delivery d at now_ms (deliver_request()), or
 * -ECANCELED with *why for a delivery its review has moved past: a
 * request, reminder or escalation for a review released since.
 */
int engine_delivery_request(struct engine *e, const struct delivery *d,
    int64_t now_ms, char **url, char **headers, size_t *nheaders,
    struct notify_mail *mail, char **why);

#endif
