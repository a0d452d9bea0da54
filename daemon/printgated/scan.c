/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scan.c - what the parts of a scan share (see scan.h): the daemon's own
 * ledger events, through record.c like every other writer, and the
 * review an event is about, through the memo.
 */
#include "printgated/scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/record.h"
#include "core/util.h"

/* rv's rules that apply and, but for a release, are not met yet. */
static size_t *
open_rules(const struct config *cf, enum ledger_type type,
    const struct review *rv, size_t *n)
{
	size_t *rules = xcalloc(rv->nrules ? rv->nrules : 1, sizeof(size_t));

	*n = 0;
	for (size_t i = 0; i < rv->nrules; i++)
		if (rv->rules[i].applies && (type == LEDGER_RELEASED ||
		    rv->rules[i].approvals < cf->rules[i].required ||
		    rv->rules[i].blocked))
			rules[(*n)++] = i;
	return rules;
}

int
scan_record(struct scan *s, const char *commit, enum ledger_type type,
    const char *tag, const char *tag_object, const struct review *rv,
    const char *comment)
{
	struct record rec;
	size_t *rules = NULL;
	unsigned retries = 0;
	int error;

	if ((error = record_init(&rec, type, s->now / 1000)) < 0)
		return error;
	rec.by = "printgate";
	rec.via = ENGINE_VIA;
	rec.tag = tag;
	rec.tag_object = tag_object;
	rec.comment = comment;
	if (rv)
		rec.rules = rules = open_rules(s->cf, type, rv, &rec.nrules);
	error = record_append(s->r, s->cf, rv, commit, &rec,
	    ENGINE_LEDGER_TIMEOUT_MS, &retries);
	s->st->ledger_retries += retries;
	free(rules);
	if (error == -EBUSY) {
		if (!s->was_locked)
			log_warnx("write %s event of '%s': the ledger stayed "
			    "locked, will retry from the timer until it is "
			    "free", ledger_type_name(type), tag ? tag : commit);
		s->locked = true;
	} else if (error < 0)
		log_warnx("write %s event of '%s': %s, will retry at the next "
		    "scan", ledger_type_name(type), tag ? tag : commit,
		    repo_strerror());
	return error;
}

/* The kept or released tag object of print tag tag, into id; or NULL. */
static const char *
tag_object_of(struct scan *s, const char *tag, char id[OID_HEX])
{
	char *full = xasprintf("refs/tags/%s", tag), *pending;
	const char *found = NULL;

	if (str_startswith(full, s->cf->print_prefix)) {
		pending = review_pending_ref(s->cf, full);
		if (repo_ref_get(s->r, pending, id) == 0 ||
		    repo_ref_get(s->r, full, id) == 0)
			found = id;
		free(pending);
	}
	free(full);
	return found;
}

int
scan_review_of(struct scan *s, const char *commit, const char *tag,
    const char *tag_object, struct review **out)
{
	struct repo_tag *t = NULL;
	char *why = NULL, id[OID_HEX];
	int error;

	if (tag_object == NULL && tag)
		tag_object = tag_object_of(s, tag, id);
	if (tag_object && repo_tag_read(s->r, tag_object, &t) < 0)
		t = NULL;
	error = memo_load(s->memo, s->cf, s->r, commit, tag, t ? t->id : NULL,
	    t ? t->message : NULL, out, &why);
	if (error < 0) {
		log_warnx("review '%s': %s", tag ? tag : commit, why);
		free(why);
	}
	repo_tag_free(t);
	return error;
}

int
scan_tag_is(struct scan *s, const struct ledger_event *ev)
{
	char *full = xasprintf("refs/tags/%s", ev->tag), id[OID_HEX];
	int error = repo_ref_get(s->r, full, id);

	free(full);
	if (error == -ENOENT)
		return 0;
	if (error < 0)
		return -1;
	return strcmp(id, ev->tag_object) == 0;
}
