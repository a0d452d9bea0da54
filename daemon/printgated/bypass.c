/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bypass.c - print tags and replace refs that came around the gate (see
 * bypass.h).  The ledger is the record: a violation is written before
 * anything is moved, and one already written is not written again, so a
 * restart repeats nothing.
 */
#include "printgated/bypass.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

#define QUARANTINE_PREFIX "refs/printgate/quarantine/"
#define REPLACE_PREFIX "refs/replace/"
/* print tags read in one scan after which libgit2's caches are let go */
#define BYPASS_REFRESH_AFTER 100

struct ref_seen {
	char *name;
	char id[OID_HEX];
};

struct bypass {
	struct ref_seen *seen;	/* print tags known to have passed */
	size_t nseen;
	struct ref_seen *replaces;	/* replace refs recorded */
	size_t nreplaces;
};

struct bypass *
bypass_new(void)
{
	return xcalloc(1, sizeof(struct bypass));
}

void
bypass_forget(struct bypass *b)
{
	for (size_t i = 0; i < b->nseen; i++)
		free(b->seen[i].name);
	free(b->seen);
	b->seen = NULL;
	b->nseen = 0;
	for (size_t i = 0; i < b->nreplaces; i++)
		free(b->replaces[i].name);
	free(b->replaces);
	b->replaces = NULL;
	b->nreplaces = 0;
}

void
bypass_free(struct bypass *b)
{
	if (b == NULL)
		return;
	bypass_forget(b);
	free(b);
}

/* Whether ref is in v with the same id. */
static bool
ref_known(const struct ref_seen *v, size_t n, const struct repo_ref *ref)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, ref->name) == 0)
			return strcmp(v[i].id, ref->id) == 0;
	return false;
}

/* Remembers ref (its new id, when its name is there already). */
static void
ref_remember(struct ref_seen **v, size_t *n, const struct repo_ref *ref)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i].name, ref->name) == 0) {
			memcpy((*v)[i].id, ref->id, OID_HEX);
			return;
		}
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].name = xstrdup(ref->name);
	memcpy((*v)[(*n)++].id, ref->id, OID_HEX);
}

/* --- print tags ---------------------------------------------------- */

/* The object a print tag's note goes on: its commit, else itself. */
static void
tag_commit(struct scan *s, const struct repo_ref *ref, char commit[OID_HEX])
{
	struct repo_tag *t = NULL;

	if (repo_tag_read(s->r, ref->id, &t) == 0)
		memcpy(commit, t->commit, OID_HEX);
	else if (repo_resolve_commit(s->r, ref->id, commit) < 0)
		/* a print tag of a tree or a blob: its note goes on the
		 * object itself */
		memcpy(commit, ref->id, OID_HEX);
	repo_tag_free(t);
}

/*
 * Whether evs have a released event, and a violation, for print tag tag
 * at exactly the object id.
 */
static void
tag_events(const struct ledger_events *evs, const char *tag, const char *id,
    bool *released, bool *flagged)
{
	*released = *flagged = false;
	for (size_t k = 0; k < evs->n; k++) {
		const struct ledger_event *ev = &evs->v[k];

		if (!ev->tag || strcmp(ev->tag, tag) != 0 || !ev->tag_object ||
		    strcmp(ev->tag_object, id) != 0)
			continue;
		if (ev->type == LEDGER_RELEASED)
			*released = true;
		if (ev->type == LEDGER_VIOLATION)
			*flagged = true;
	}
}

/* Sets the quarantine ref q to ref's object; 0, -EAGAIN (there), or < 0. */
static int
quarantine_set(struct scan *s, const char *q, const struct repo_ref *ref)
{
	return repo_ref_set(s->r, q, ref->id, NULL, "printgate: quarantined "
	    "a print tag that bypassed the gate");
}

/* Moves print tag ref under QUARANTINE_PREFIX, keeping any earlier one. */
static void
quarantine(struct scan *s, const struct repo_ref *ref, const char *tag)
{
	char *q = xasprintf("%s%s", QUARANTINE_PREFIX,
	    ref->name + strlen(s->cf->print_prefix));
	char have[OID_HEX];
	int error = quarantine_set(s, q, ref);

	/* the name is taken by an earlier one: keep both */
	if (error == -EAGAIN && repo_ref_get(s->r, q, have) == 0 &&
	    strcmp(have, ref->id) != 0) {
		char *q2 = xasprintf("%s-%.12s", q, ref->id);

		free(q);
		q = q2;
		error = quarantine_set(s, q, ref);
	}
	if ((error == 0 || error == -EAGAIN) &&
	    repo_ref_delete(s->r, ref->name, ref->id) == 0)
		log_warnx("quarantine '%s': moved to %s", tag, q);
	else
		log_warnx("quarantine '%s': cannot move it to %s: %s, will "
		    "retry", tag, q, repo_strerror());
	free(q);
}

/* Checks one print tag not known yet against the ledger at head. */
static void
tag_check(struct bypass *b, struct scan *s, const struct repo_ref *ref,
    const char *head)
{
	const char *tag = ref->name + strlen("refs/tags/");
	struct ledger_events evs = { 0 };
	bool released, flagged;
	char commit[OID_HEX];

	tag_commit(s, ref, commit);
	if (head[0] && ledger_read(s->r, head, commit, &evs) < 0) {
		log_warnx("read the ledger of '%s': %s, will retry", tag,
		    repo_strerror());
		return;
	}
	tag_events(&evs, tag, ref->id, &released, &flagged);
	ledger_events_free(&evs);
	if (released) {
		ref_remember(&b->seen, &b->nseen, ref);
		return;
	}
	if (!flagged) {
		log_warnx("violation '%s': print tag %s exists without having "
		    "passed the gate", tag, ref->id);
		if (scan_record(s, commit, LEDGER_VIOLATION, tag, ref->id, NULL,
		    "the print tag was created without passing the gate") < 0)
			return;
		s->st->violations++;
	}
	if (s->cf->review.quarantine) {
		quarantine(s, ref, tag);
		return;
	}
	ref_remember(&b->seen, &b->nseen, ref);
}

void
bypass_tags(struct bypass *b, struct scan *s)
{
	struct repo_ref *refs = NULL;
	size_t n = 0, read = 0;
	char head[OID_HEX] = "";

	if (repo_ref_list(s->r, s->cf->print_tags, &refs, &n) < 0) {
		log_warnx("list '%s': %s, will retry", s->cf->print_tags,
		    repo_strerror());
		return;
	}
	if (repo_notes_head(s->r, LEDGER_REF, head) < 0) {
		/* no readable ledger: nothing can be told apart, do nothing */
		repo_ref_list_free(refs, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (ref_known(b->seen, b->nseen, &refs[i]))
			continue;
		read++;
		tag_check(b, s, &refs[i], head);
	}
	repo_ref_list_free(refs, n);
	/*
	 * The first scan reads every print tag and its note: libgit2 then
	 * keeps up to 16 MiB of their packed objects, which an idle daemon
	 * does not need (22 MiB idle with 1,000 print tags, bench/); and
	 * it keeps the packs git gc removed open, with their disk space.
	 */
	if ((read > BYPASS_REFRESH_AFTER || repo_packs_removed(s->r)) &&
	    repo_refresh(s->r) == 0)
		malloc_trim(0);
}

/* --- replace refs -------------------------------------------------- */

/* Whether evs have the violation of the replace ref whose object is id. */
static bool
replace_flagged(const struct ledger_events *evs, const char *id)
{
	for (size_t k = 0; k < evs->n; k++)
		if (evs->v[k].type == LEDGER_VIOLATION &&
		    evs->v[k].tag == NULL && evs->v[k].tag_object &&
		    strcmp(evs->v[k].tag_object, id) == 0)
			return true;
	return false;
}

/*
 * Checks one replace ref not known yet against the ledger at head ("" for
 * none); remembers it once its violation is in the ledger.
 */
static void
replace_check(struct bypass *b, struct scan *s, const struct repo_ref *ref,
    const char *head)
{
	const char *name = ref->name + strlen(REPLACE_PREFIX), *on;
	struct ledger_events evs = { 0 };
	bool flagged;
	char *why;
	int error;

	/* the note goes on the replaced object, else its stand-in */
	on = strlen(name) == OID_HEX - 1 && strspn(name, "0123456789abcdef") ==
	    OID_HEX - 1 ? name : ref->id;
	if (head[0] && ledger_read(s->r, head, on, &evs) < 0) {
		log_warnx("read the ledger of '%s': %s, will retry", ref->name,
		    repo_strerror());
		return;
	}
	flagged = replace_flagged(&evs, ref->id);
	ledger_events_free(&evs);
	if (!flagged) {
		log_warnx("violation '%s': a replace ref makes git show %s in "
		    "place of %s", ref->name, ref->id, name);
		why = xasprintf("replace ref %s: git shows %s in place of %s "
		    "(git show, git archive, mirror clones); delete it: git "
		    "update-ref -d %s", ref->name, ref->id, name, ref->name);
		error = scan_record(s, on, LEDGER_VIOLATION, NULL, ref->id,
		    NULL, why);
		free(why);
		if (error < 0)
			return;
		s->st->violations++;
	}
	ref_remember(&b->replaces, &b->nreplaces, ref);
}

/*
 * libgit2 ignores replace refs, git (show, archive, mirror clones) does
 * not, so that a released print would not be what was reviewed.  The
 * hook refuses them: one here came around it, and is alerted.
 */
void
bypass_replace_refs(struct bypass *b, struct scan *s)
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	char head[OID_HEX] = "";
	int error;

	if (repo_ref_list(s->r, REPLACE_PREFIX "*", &refs, &n) < 0) {
		log_warnx("list '%s': %s, will retry", REPLACE_PREFIX "*",
		    repo_strerror());
		return;
	}
	/* no ledger yet: nothing is flagged, and the first note makes it */
	if (n && (error = repo_notes_head(s->r, LEDGER_REF, head)) < 0 &&
	    error != -ENOENT) {
		log_warnx("read '%s': %s, will retry", LEDGER_REF,
		    repo_strerror());
		repo_ref_list_free(refs, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!ref_known(b->replaces, b->nreplaces, &refs[i]))
			replace_check(b, s, &refs[i], head);
	repo_ref_list_free(refs, n);
}
