/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * record.h - the one way an event about a review reaches the ledger, for
 * the hook, printgated, its listener and printgatectl alike: an id, the
 * time, who and how, the rules named (with their current fingerprints
 * when the event binds content), then a compare-and-swap append.
 */
#ifndef PRINTGATE_RECORD_H
#define PRINTGATE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ledger.h"
#include "core/policy.h"

struct config;
struct repo;

/* What an event says beyond the review it is about. */
struct record {
	enum ledger_type type;
	int64_t at;		/* seconds since the epoch */
	const char *by;		/* a person's id, or "printgate" */
	const char *via;	/* "hook", "daemon", "cli:root", "slack:U1" */
	const char *tag;	/* or NULL */
	const char *tag_object;	/* or NULL */
	const char *comment;	/* or NULL */
	char id[33];		/* record_init makes a random one */
	const size_t *rules;	/* indices into cf->rules and rv->rules */
	size_t nrules;
	bool fingerprints;	/* bind each rule's current fingerprint */
	bool once;		/* id given by the caller: see ledger_event */
	bool pack;		/* its objects as one pack: ledger_append_pack */
};

/*
 * Clears rec and sets its type, time and a new random id.  Returns 0, or
 * util_random_id's negative code (rec is then unusable).
 */
int record_init(struct record *rec, enum ledger_type type, int64_t at);

/*
 * The indices of rv's rules that apply, in *out (the caller frees it;
 * set even when none applies) and their count in *n.
 */
void record_applying(const struct review *rv, size_t **out, size_t *n);

/*
 * Appends rec to the note of commit, naming the rules rec->rules of cf
 * (and, when rec->fingerprints, rv's current fingerprint of each), for
 * up to timeout_ms.  rv may be NULL when rec names no rule.  Returns
 * ledger_append's result; *retries as ledger_append sets it.
 */
int record_append(struct repo *r, const struct config *cf,
    const struct review *rv, const char *commit, const struct record *rec,
    int timeout_ms, unsigned *retries);

/*
 * The same event added to batch b instead (ledger_batch_add()), to be
 * written with the others of b: -EINVAL, b unchanged, when it cannot be
 * encoded.
 */
int record_stage(struct ledger_batch *b, const struct config *cf,
    const struct review *rv, const char *commit, const struct record *rec);

/*
 * Why record_append failed with error, for people: "it stayed locked by
 * other writers" after a timeout, else the repository's message.
 */
const char *record_why(int error);

#endif
