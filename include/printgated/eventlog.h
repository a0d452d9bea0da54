/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * eventlog.h - the ledger read as an event log: which notes commit was
 * handled last (kept in ENGINE_STATE_FILE in state_dir, so that a restart
 * repeats nothing and loses nothing), and the events appended since.
 */
#ifndef PRINTGATE_EVENTLOG_H
#define PRINTGATE_EVENTLOG_H

#include "core/ledger.h"
#include "core/repo.h"

struct eventlog;

/*
 * Opens state_dir (created when missing, never through a link) for the
 * state file; eventlog_load() then reads it.  On failure sets *why.
 */
int eventlog_open(struct eventlog **out, const char *state_dir, char **why);
/*
 * Reads the state file: missing is a first start; a link, a folder, a
 * FIFO or a read error is an error with *why saying what to do.
 */
int eventlog_load(struct eventlog *el, char **why);
/* eventlog_free(NULL) does nothing. */
void eventlog_free(struct eventlog *el);

/*
 * 0 when the ledger of r can be acted on; -1, logged, when it is broken,
 * or gone while the state says it was there (a ledger that was there and
 * is gone is no new, empty one: acting on it would take released tags
 * for violations).  repository names r in the log.
 */
int eventlog_check(const struct eventlog *el, struct repo *r,
    const char *repository);

/*
 * Calls cb for each event appended since the last one handled, then
 * saves the new last one; on a first start only notes where the ledger
 * is.  Errors are logged: the next call tries the same events again.
 */
void eventlog_read(struct eventlog *el, struct repo *r, ledger_event_cb cb,
    void *ctx);

#endif
