/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outbox.h - the durable queue of outbound deliveries: one file per
 * delivery in state_dir/outbox, written with fsync and rename before any
 * attempt, so that a delivery survives restarts and kill -9.  Given-up
 * deliveries move to state_dir/dead.
 *
 * A delivery file is a few "key: value" header lines, a blank line, and
 * the request body as it will be sent.
 */
#ifndef PRINTGATE_OUTBOX_H
#define PRINTGATE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seconds to wait after the Nth failed attempt; then it is given up. */
#define OUTBOX_SCHEDULE { 5, 300, 1800, 7200, 18000, 36000 }
#define OUTBOX_ATTEMPTS 7	/* the first, immediately, and six retries */
#define OUTBOX_MAX_BODY (1024 * 1024)
#define OUTBOX_ID_SIZE 33	/* 32 hex digits at most, and the NUL */

struct delivery {
	/* stable: the receiver may deduplicate on it */
	char id[OUTBOX_ID_SIZE];
	char *target;		/* the notify target's name */
	char *url;		/* or, for a response_url, the URL itself */
	char *event;		/* what it is about, for logs: "request" */
	char *review;		/* for logs: "print/q1@a1b2c3d…" */
	char *body;
	size_t len;
	unsigned attempts;	/* failed attempts so far */
	int64_t next_at;	/* unix time in ms of the next attempt */
	int64_t created;	/* unix time in ms */
	char *last_error;	/* or NULL */
	bool inflight;		/* being sent now (not saved) */
};

struct outbox;

/*
 * Opens (creating, mode 0700) state_dir, state_dir/outbox and
 * state_dir/dead, checked by util_state_dir_open() (others cannot write
 * them, the caller owns them; outbox and dead are no links), and loads the
 * deliveries that wait there.  A file that is not a delivery (a link
 * included) is moved to dead and logged.  0, or -errno with *why (when why
 * is not NULL) saying what is wrong and how to fix it.
 */
int outbox_open(struct outbox **out, const char *state_dir, char **why);
void outbox_free(struct outbox *ob);

/*
 * Queues a delivery durably.  Returns 0 once its file is on disk, 1 when a
 * delivery with this id is already queued (nothing is written), or -errno.
 * Takes copies of what it keeps.
 */
int outbox_put(struct outbox *ob, const char *id, const char *target,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms);

/* The same, first attempted at due_ms (now_ms when earlier). */
int outbox_put_at(struct outbox *ob, const char *id, const char *target,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms, int64_t due_ms);
/*
 * Replaces the body of delivery id, due at due_ms, while it waits
 * untried: 0 once its new file is on disk (its folder fsynced), 1 when
 * there is no such delivery or it is in flight or was tried (nothing is
 * written: what was sent stays what is retried), or -errno (the old file
 * is kept).
 */
int outbox_update(struct outbox *ob, const char *id, const char *body,
    size_t len, int64_t due_ms);

/*
 * Between these two, deliveries queued are written and fsynced file by
 * file, and their folder is fsynced once, by outbox_batch_end(): one
 * folder fsync for the deliveries of one event.  They are on disk once
 * outbox_batch_end() returns 0 (-errno: the folder's fsync failed, and
 * the next outbox_batch_end() tries it again).
 */
void outbox_batch_begin(struct outbox *ob);
int outbox_batch_end(struct outbox *ob);

/*
 * The same for a delivery to a URL a platform gave with a request (Slack's
 * response_url): target is "response_url".
 */
int outbox_put_url(struct outbox *ob, const char *id, const char *url,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms);

/* The delivery with this id, or NULL; borrowed. */
struct delivery *outbox_get(struct outbox *ob, const char *id);
/*
 * The ids of the deliveries due at now_ms that are not in flight, up to
 * max, into ids: copies, not the deliveries, since sending one may
 * take another out of the outbox (outbox_done(), outbox_failed()) and
 * move the rest; each is looked up again (outbox_get()) when its turn
 * comes.
 */
size_t outbox_due(const struct outbox *ob, int64_t now_ms,
    char (*ids)[OUTBOX_ID_SIZE], size_t max);
/* The earliest next_at of those not in flight, or -1 when there is none. */
int64_t outbox_next(const struct outbox *ob);
size_t outbox_depth(const struct outbox *ob);

/*
 * Loads deliveries that appeared in the outbox folder since it was opened
 * (printgatectl outbox retry); returns how many.
 */
int outbox_refresh(struct outbox *ob);

/* Delivered: removes its file. */
int outbox_done(struct outbox *ob, const char *id);
/*
 * Failed: counts the attempt and schedules the next one (no sooner than
 * not_before_ms, for Retry-After), or, after the last, moves the file to
 * dead.  Returns 1 when it was given up, 0 when it will be retried.
 */
int outbox_failed(struct outbox *ob, const char *id, const char *error,
    int64_t now_ms, int64_t not_before_ms, bool permanent);

/*
 * For printgatectl: lists "outbox" or "dead" under state_dir, its folders
 * checked as by outbox_open() (never made).  0, or -errno with *why.
 */
int outbox_list(const char *state_dir, const char *which,
    struct delivery **out, size_t *n, char **why);
void outbox_deliveries_free(struct delivery *d, size_t n);
/*
 * Moves a dead delivery back into the outbox, due now, its folders checked
 * as by outbox_list().  Neither file is opened through a link; the new
 * file is written by util_write_atomic() and, when root runs this, given
 * to the state folder's owner.  0; -ENOENT when dead has no such id;
 * -EINVAL for a bad id or a file that is not a delivery; or -errno, with
 * *why for a folder refused.
 */
int outbox_requeue(const char *state_dir, const char *id, int64_t now_ms,
    char **why);

#endif
