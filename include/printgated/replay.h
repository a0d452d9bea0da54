/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay.h - the replay-id table: the event ids of the decisions in the
 * whole ledger, and of those recorded since start, so that a request
 * handled before is known whatever review or version it was recorded on
 * (a tag moved to a rewritten commit has another scope), and after a
 * restart.
 */
#ifndef PRINTGATE_REPLAY_H
#define PRINTGATE_REPLAY_H

#include <stdbool.h>

#include "core/repo.h"

struct replay;

struct replay *replay_new(void);
/* replay_free(NULL) does nothing. */
void replay_free(struct replay *rp);

/*
 * Brings the table up to the ledger's head in r: the notes commits since
 * the last call (all of them the first time, once per start).  0, or a
 * negative code when the ledger cannot be read: then no decision may be
 * recorded, as a replay could not be told.
 */
int replay_update(struct replay *rp, struct repo *r);
/*
 * Whether a decision with event id id was recorded: since start
 * (replay_add()), or in the ledger as of the last replay_update().
 */
bool replay_has(const struct replay *rp, const char *id);
/* Notes that a decision with event id id was recorded now. */
void replay_add(struct replay *rp, const char *id);

#endif
