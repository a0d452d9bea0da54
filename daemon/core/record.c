/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * record.c - an event about a review, built and appended to the ledger
 * the same way by every program (see record.h).
 */
#include "core/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/repo.h"
#include "core/util.h"

int
record_init(struct record *rec, enum ledger_type type, int64_t at)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	rec->at = at;
	return util_random_id(rec->id);
}

void
record_applying(const struct review *rv, size_t **out, size_t *n)
{
	*out = xcalloc(rv->nrules ? rv->nrules : 1, sizeof(size_t));
	*n = 0;
	for (size_t i = 0; i < rv->nrules; i++)
		if (rv->rules[i].applies)
			(*out)[(*n)++] = i;
}

/*
 * The event of rec (its rules named as in cf, with rv's fingerprints)
 * into *ev, pointing into rec, cf and rv; record_event_clear() frees
 * only the arrays it made.
 */
static void
record_event(const struct config *cf, const struct review *rv,
    const struct record *rec, struct ledger_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = rec->type;
	ev->at = rec->at;
	ev->by = (char *)rec->by;
	ev->via = (char *)rec->via;
	ev->tag = (char *)rec->tag;
	ev->tag_object = (char *)rec->tag_object;
	ev->comment = (char *)rec->comment;
	ev->id = (char *)rec->id;
	ev->once = rec->once;
	ev->rules = xcalloc(rec->nrules ? rec->nrules : 1, sizeof(char *));
	ev->fps = xcalloc(rec->nrules ? rec->nrules : 1, sizeof(*ev->fps));
	for (size_t i = 0; i < rec->nrules; i++) {
		const char *name = cf->rules[rec->rules[i]].name;

		ev->rules[ev->nrules++] = (char *)name;
		if (!rec->fingerprints)
			continue;
		ev->fps[ev->nfps].rule = (char *)name;
		ev->fps[ev->nfps++].value =
		    (char *)rv->rules[rec->rules[i]].fingerprint;
	}
}

static void
record_event_clear(struct ledger_event *ev)
{
	free(ev->rules);
	free(ev->fps);
}

int
record_append(struct repo *r, const struct config *cf,
    const struct review *rv, const char *commit, const struct record *rec,
    int timeout_ms, unsigned *retries)
{
	struct ledger_event ev;
	int error;

	record_event(cf, rv, rec, &ev);
	error = (rec->pack ? ledger_append_pack : ledger_append)(r, commit,
	    &ev, timeout_ms, retries);
	record_event_clear(&ev);
	return error;
}

int
record_stage(struct ledger_batch *b, const struct config *cf,
    const struct review *rv, const char *commit, const struct record *rec)
{
	struct ledger_event ev;
	int error;

	record_event(cf, rv, rec, &ev);
	error = ledger_batch_add(b, commit, &ev);
	record_event_clear(&ev);
	return error;
}

const char *
record_why(int error)
{
	if (error == -EEXIST)
		return "another event of the same id is there";
	return error == -ETIMEDOUT ? "it stayed locked by other writers" :
	    repo_strerror();
}
