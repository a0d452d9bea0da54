/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review.c - the review of a candidate for print, gathered from the
 * repository and the ledger: the newest earlier print tag it descends from,
 * the files changed since (the scope), who authored them, what reviewers
 * decided, and which rules apply; then policy.c decides, and the format
 * functions say it in words for the pusher and the administrator.
 */
#include "core/review.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger.h"
#include "core/verify.h"

/* A note a review read: the commit, and its note's blob ("": none). */
struct review_dep {
	char commit[OID_HEX];
	char blob[OID_HEX];
};

/*
 * A review as this file hands it out: the pure review of policy.h, and
 * beside it what review_fresh() and the holders need, which are no part
 * of the decision.
 */
struct review_held {
	struct review rv;	/* what callers point at */
	/* what it was read from, to tell whether it still holds */
	char notes_head[OID_HEX];	/* "" when there was no ledger */
	char tags_stamp[65];	/* of the print tags: names and ids */
	struct review_dep *deps;	/* every note read */
	size_t ndeps;
	unsigned refs;		/* holders; review_free drops one */
	/*
	 * The review whose scope, trailers, authors and base tag this one
	 * shares (review_refresh), held; NULL when they are its own.
	 */
	struct review *gathered;
};

/*
 * The holder of rv, which review_alloc() made: a const review still has
 * holders to count (review_ref() on a review shared read-only).
 */
static struct review_held *
held_of(const struct review *rv)
{
	return (struct review_held *)(uintptr_t)((const char *)rv -
	    offsetof(struct review_held, rv));
}

/* A new review with one holder. */
static struct review *
review_alloc(void)
{
	struct review_held *h = xcalloc(1, sizeof(*h));

	h->refs = 1;
	return &h->rv;
}

static char *
short_id(const char *id)
{
	return xstrndup(id, 7);
}

char *
review_pending_ref(const struct config *cf, const char *refname)
{
	return xasprintf("%s%s", PENDING_PREFIX,
	    refname + strlen(cf->print_prefix));
}

char *
review_pending_tag(const struct config *cf, const char *pending_ref)
{
	return xasprintf("%s%s", cf->print_prefix + strlen("refs/tags/"),
	    pending_ref + strlen(PENDING_PREFIX));
}

/* The commit a ref's target peels to: a tag object or a commit. */
static int
peel_ref_target(struct repo *r, const char *id, char out[OID_HEX])
{
	struct repo_tag *t = NULL;
	int error;

	error = repo_tag_read(r, id, &t);
	if (error == 0) {
		memcpy(out, t->commit, OID_HEX);
		repo_tag_free(t);
		return 0;
	}
	return repo_resolve_commit(r, id, out);
}

/* Notes that rv read commit's note at blob (see review_fresh). */
static void
add_dep(struct review *rv, const char *commit, const char *blob)
{
	struct review_held *h = held_of(rv);

	h->deps = xreallocarray(h->deps, h->ndeps + 1, sizeof(*h->deps));
	memcpy(h->deps[h->ndeps].commit, commit, OID_HEX);
	memcpy(h->deps[h->ndeps++].blob, blob, OID_HEX);
}

/* Reads commit's ledger into evs as of rv's notes head, noting it. */
static int
read_ledger(struct repo *r, struct review *rv, const char *commit,
    struct ledger_events *evs)
{
	char blob[OID_HEX];
	int error;

	const char *head = held_of(rv)->notes_head;

	if (head[0] == '\0')
		return 0;
	if ((error = ledger_read_note(r, head, commit, evs,
	    blob)) == 0)
		add_dep(rv, commit, blob);
	return error;
}

/* Whether the ledger of commit has a released event for tag at object id. */
static bool
released(struct repo *r, struct review *rv, const char *tag, const char *id,
    const char *commit)
{
	struct ledger_events evs = { 0 };
	bool found = false;

	if (read_ledger(r, rv, commit, &evs) < 0) {
		ledger_events_free(&evs);
		return false;
	}
	for (size_t i = 0; i < evs.n && !found; i++)
		found = evs.v[i].type == LEDGER_RELEASED && evs.v[i].tag &&
		    evs.v[i].tag_object && strcmp(evs.v[i].tag, tag) == 0 &&
		    strcmp(evs.v[i].tag_object, id) == 0;
	ledger_events_free(&evs);
	return found;
}

/*
 * Of the print tags' names and ids, in the order listed (sorted).  Made
 * at every review_fresh(), of every print tag (1,000 in bench/): no
 * printf.
 */
static void
tags_stamp(const struct repo_ref *refs, size_t n, char out[65])
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		buf_adds(&b, refs[i].name);
		buf_add(&b, " ", 1);
		buf_add(&b, refs[i].id, OID_HEX - 1);
		buf_add(&b, "\n", 1);
	}
	verify_sha256_hex(b.s ? b.s : "", b.len, out);
	buf_free(&b);
}

/* A print tag and the commit it peels to, sorted by commit for lookups. */
struct base_tag {
	const char *name;	/* "print/q1" */
	const char *id;		/* tag object */
	char commit[OID_HEX];
};

struct base_walk {
	struct repo *r;
	struct review *rv;
	struct base_tag *tags;
	size_t ntags;
	size_t *found;		/* indexes in tags */
	size_t nfound;
};

static int
base_tag_cmp(const void *a, const void *b)
{
	return strcmp(((const struct base_tag *)a)->commit,
	    ((const struct base_tag *)b)->commit);
}

/* Marks a commit with a released print tag as found, and a boundary. */
static int
base_visit(void *ctx, const char *id, const char *email)
{
	struct base_walk *w = ctx;
	struct base_tag key, *t;
	size_t i;

	memcpy(key.commit, id, OID_HEX);
	t = bsearch(&key, w->tags, w->ntags, sizeof(key), base_tag_cmp);
	if (t == NULL)
		return 0;
	/* several tags may name one commit: look at each */
	for (i = (size_t)(t - w->tags); i > 0 &&
	    strcmp(w->tags[i - 1].commit, id) == 0; i--)
		;
	for (; i < w->ntags && strcmp(w->tags[i].commit, id) == 0; i++) {
		/*
		 * Only a print that passed the gate is a base: a tag made
		 * around it must not shrink the next review's scope.
		 */
		if (w->rv->tag && strcmp(w->tags[i].name, w->rv->tag) == 0)
			continue;
		if (released(w->r, w->rv, w->tags[i].name, w->tags[i].id,
		    id)) {
			w->found = xreallocarray(w->found, w->nfound + 1,
			    sizeof(*w->found));
			w->found[w->nfound++] = i;
			return 1;
		}
	}
	return 0;
}

/*
 * Finds the newest released print tag whose commit rv->commit descends
 * from, leaving out rv->tag itself.  One walk back from the candidate
 * stops at released prints: the prints it finds are those no other found
 * print descends from, one on a linear history.  Of several (branches
 * printed apart and merged), one that descends from another is newer, and
 * unrelated ones are ordered by commit time.  git_graph_descendant_of() per
 * print tag took seconds on 1,000 tags (bench/).
 */
static int
find_base(const struct config *cf, struct repo *r, struct review *rv)
{
	struct repo_ref *refs = NULL;
	struct base_walk w = { r, rv, NULL, 0, NULL, 0 };
	size_t n = 0, best = 0;
	int error;

	if ((error = repo_ref_list(r, cf->print_tags, &refs, &n)) < 0)
		return error;
	tags_stamp(refs, n, held_of(rv)->tags_stamp);
	w.tags = xcalloc(n ? n : 1, sizeof(*w.tags));
	for (size_t i = 0; i < n; i++) {
		struct base_tag *t = &w.tags[w.ntags];

		if (rv->tag && strcmp(refs[i].name + strlen("refs/tags/"),
		    rv->tag) == 0)
			memcpy(rv->tag_target, refs[i].id, OID_HEX);

		if (refs[i].peeled[0])
			memcpy(t->commit, refs[i].peeled, OID_HEX);
		else if (peel_ref_target(r, refs[i].id, t->commit) < 0)
			continue;	/* a print tag of a tree or blob */
		t->name = refs[i].name + strlen("refs/tags/");
		t->id = refs[i].id;
		w.ntags++;
	}
	qsort(w.tags, w.ntags, sizeof(*w.tags), base_tag_cmp);
	if (w.ntags > 0 && (error = repo_walk(r, rv->commit, NULL, 0,
	    base_visit, &w)) < 0)
		goto done;
	for (size_t i = 1; i < w.nfound; i++) {
		const char *c = w.tags[w.found[i]].commit;
		const char *b = w.tags[w.found[best]].commit;
		bool newer, older;

		if (strcmp(c, b) == 0)
			continue;
		if ((error = repo_descends(r, c, b, &newer)) < 0)
			goto done;
		if (!newer) {
			int64_t tc = 0, tb = 0;

			if ((error = repo_descends(r, b, c, &older)) < 0)
				goto done;
			if (!older) {
				repo_commit_time(r, c, &tc);
				repo_commit_time(r, b, &tb);
				newer = tc > tb;
			}
		}
		if (newer)
			best = i;
	}
	if (w.nfound) {
		memcpy(rv->base_commit, w.tags[w.found[best]].commit, OID_HEX);
		rv->base_tag = xstrdup(w.tags[w.found[best]].name);
	}
done:
	free(w.found);
	free(w.tags);
	repo_ref_list_free(refs, n);
	return error;
}

struct walk_ctx {
	const struct config *cf;
	struct review *rv;
	char **commits;
	size_t ncommits;
};

static int
walk_commit(void *ctx, const char *id, const char *email)
{
	struct walk_ctx *w = ctx;
	struct review *rv = w->rv;
	ssize_t p = config_person_by_email(w->cf, email);
	size_t i;

	w->commits = xreallocarray(w->commits, w->ncommits + 1,
	    sizeof(char *));
	w->commits[w->ncommits++] = xstrdup(id);
	if (p >= 0) {
		for (i = 0; i < rv->nauthors; i++)
			if (rv->authors[i] == (size_t)p)
				return 0;
		rv->authors = xreallocarray(rv->authors, rv->nauthors + 1,
		    sizeof(size_t));
		rv->authors[rv->nauthors++] = (size_t)p;
		return 0;
	}
	for (i = 0; i < rv->nstrangers; i++)
		if (strcmp(rv->strangers[i], email) == 0)
			return 0;
	rv->strangers = xreallocarray(rv->strangers, rv->nstrangers + 1,
	    sizeof(char *));
	rv->strangers[rv->nstrangers++] = xstrdup(email);
	return 0;
}

/* The rule's files and their fingerprint: sha256 of "path NUL blob LF". */
static int
match_rule(const struct config *cf, struct review *rv, size_t r)
{
	struct review_rule *rr = &rv->rules[r];
	const struct config_rule *rule = &cf->rules[r];
	struct repo_pathspec *ps = NULL;
	struct buf b = { 0 };
	int error;

	rr->rule = r;
	if ((error = repo_pathspec_new(&ps, rule->paths, rule->npaths)) < 0)
		return error;
	rr->files = xcalloc(rv->nfiles, sizeof(size_t));
	for (size_t i = 0; i < rv->nfiles; i++) {
		if (!repo_pathspec_match(ps, rv->files[i].path))
			continue;
		rr->files[rr->nfiles++] = i;
		buf_adds(&b, rv->files[i].path);
		buf_add(&b, "", 1);
		buf_adds(&b, rv->files[i].blob);
		buf_adds(&b, "\n");
	}
	rr->matched = rr->nfiles > 0;
	verify_sha256_hex(b.s ? b.s : "", b.len, rr->fingerprint);
	buf_free(&b);
	repo_pathspec_free(ps);
	return 0;
}

/*
 * A released event is true only of a tag that exists with that tag
 * object: the hook writes it before git creates the tag, and git may then
 * not (an --atomic push aborted by another ref, a failed ref update).
 * Keeps rv->released only for such an event, the latest.
 */
static void
check_released(struct review *rv)
{
	rv->released = NULL;
	if (rv->tag == NULL || rv->tag_target[0] == '\0')
		return;
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (ev->type == LEDGER_RELEASED && ev->tag && ev->tag_object &&
		    strcmp(ev->commit, rv->commit) == 0 &&
		    strcmp(ev->tag, rv->tag) == 0 &&
		    strcmp(ev->tag_object, rv->tag_target) == 0 &&
		    (rv->released == NULL || ev->at >= rv->released->at))
			rv->released = ev;
	}
}

/* Text safe to show on one line: control bytes become '?'. */
static char *
one_line(const char *s, size_t len)
{
	char *t = xstrndup(s, len);

	for (char *p = t; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
	return t;
}

/*
 * Whether a symlink or submodule at path stands where files under rule's
 * paths would be without matching them: a folder of a pattern's fixed
 * part ("brochures" or "brochures/emea" for "brochures/emea/..."), or a
 * path below it where a glob may match what lies under the link.
 */
static bool
link_over_rule(const struct config_rule *rule, const char *path)
{
	size_t plen = strlen(path);

	for (size_t i = 0; i < rule->npaths; i++) {
		const char *p = rule->paths[i];
		size_t fixed = strcspn(p, "*?[\\");

		if (p[fixed] == '\0') {
			/* a plain folder: the link is it or above it */
			if (strncmp(p, path, plen) == 0 &&
			    (p[plen] == '/' || p[plen] == '\0'))
				return true;
			continue;
		}
		while (fixed > 0 && p[fixed - 1] != '/')
			fixed--;
		/* above the fixed folders, or in the globbed part */
		if (plen < fixed ? strncmp(p, path, plen) == 0 &&
		    p[plen] == '/' : strncmp(p, path, fixed) == 0)
			return true;
	}
	return false;
}

/* The first rule that refuses a symlink or submodule at file, or -1. */
static ssize_t
link_rule(const struct config *cf, const struct review *rv, size_t file)
{
	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];

		if (!rr->cond || cf->rules[i].allow_symlinks)
			continue;
		for (size_t k = 0; k < rr->nfiles; k++)
			if (rr->files[k] == file)
				return (ssize_t)i;
		if (link_over_rule(&cf->rules[i], rv->files[file].path))
			return (ssize_t)i;
	}
	return -1;
}

/*
 * Symlinks and submodules print something other than the blob reviewed:
 * each one in scope under a rule that holds and does not allow them, or
 * standing for one of the rule's folders (a folder replaced by a
 * symlink), refuses the tag.  Their targets are read for the message.
 */
static int
find_links(const struct config *cf, struct repo *r, struct review *rv)
{
	for (size_t k = 0; k < rv->nfiles; k++) {
		const struct scope_file *f = &rv->files[k];
		struct review_link *l;
		char *text = NULL;
		size_t len;
		ssize_t rule;
		int error;

		if (f->mode != SCOPE_MODE_LINK && f->mode != SCOPE_MODE_GITLINK)
			continue;
		if ((rule = link_rule(cf, rv, k)) < 0)
			continue;
		rv->links = xreallocarray(rv->links, rv->nlinks + 1,
		    sizeof(*rv->links));
		l = &rv->links[rv->nlinks++];
		l->file = k;
		l->rule = (size_t)rule;
		if (f->mode == SCOPE_MODE_GITLINK) {
			l->target = xasprintf("submodule commit %s", f->blob);
			continue;
		}
		if ((error = repo_blob_read(r, f->blob, &text, &len)) < 0) {
			l->target = NULL;
			return error;
		}
		l->target = one_line(text, len < 1024 ? len : 1024);
		free(text);
	}
	return 0;
}

/* For a stale decision: which of the rule's files changed since. */
static void
describe_changes(const struct config *cf, struct repo *r, struct review *rv,
    struct review_rule *rr, struct review_member *m)
{
	struct buf b = { 0 };
	size_t listed = 0, more = 0;
	char blob[OID_HEX];

	for (size_t i = 0; i < rr->nfiles; i++) {
		const struct scope_file *f = &rv->files[rr->files[i]];

		if (repo_blob_at(r, m->stale->commit, f->path, blob) < 0)
			blob[0] = '\0';
		if (strcmp(blob, f->blob) == 0)
			continue;
		if (listed == 5) {
			more++;
			continue;
		}
		buf_addf(&b, "%s%s", listed ? ", " : "", f->path);
		listed++;
	}
	if (listed == 0)
		buf_adds(&b, "the files under this rule");
	else if (more)
		buf_addf(&b, " and %zu more", more);
	buf_addf(&b, " changed since %s %s", cf->people[m->person].id,
	    m->stale->type == LEDGER_CHANGES_REQUIRED ? "required changes" :
	    "approved");
	m->changed = buf_steal(&b);
}

/* The tag message's trailers, capped at REVIEW_MAX_MESSAGE. */
static int
load_message(struct review *rv, const char *tag_message, char **why)
{
	int error;

	if (tag_message == NULL)
		return 0;
	if (strlen(tag_message) > REVIEW_MAX_MESSAGE) {
		*why = xasprintf("the tag message is over %d KiB: cut it down "
		    "(printgate reads at most that much)",
		    REVIEW_MAX_MESSAGE / 1024);
		return -E2BIG;
	}
	if ((error = repo_trailers(tag_message, &rv->trailers,
	    &rv->ntrailers)) < 0)
		*why = xstrdup("cannot parse the tag message's trailers");
	return error;
}

/*
 * The ledger's head as it is now (for all that is read of it), the base
 * print tag, and the scope: the files changed since, with attributes.
 */
static int
load_scope(const struct config *cf, struct repo *r, struct review *rv,
    char **why)
{
	char *notes_head = held_of(rv)->notes_head;
	int error;

	error = repo_notes_head(r, LEDGER_REF, notes_head);
	if (error < 0 && error != -ENOENT) {
		*why = xasprintf("cannot read %s: %s", LEDGER_REF,
		    repo_strerror());
		return error;
	}
	if (error == -ENOENT)
		notes_head[0] = '\0';
	if ((error = find_base(cf, r, rv)) < 0) {
		*why = xasprintf("cannot find the previous print tag: %s",
		    repo_strerror());
		return error;
	}
	if ((error = repo_diff(r, rv->base_commit[0] ? rv->base_commit : NULL,
	    rv->commit, &rv->files, &rv->nfiles)) < 0) {
		*why = xasprintf("cannot compare %s with %s: %s", rv->commit,
		    rv->base_tag ? rv->base_tag : "the empty tree",
		    repo_strerror());
		return error;
	}
	if ((error = repo_scope_attrs(r, rv->commit, rv->files,
	    rv->nfiles)) < 0)
		*why = xasprintf("cannot read the attributes (.gitattributes) "
		    "of %s: %s", rv->commit, error == -EIO ?
		    repo_strerror() : strerror(-error));
	return error;
}

/* The authors of the commits in scope, and the ledger of each commit. */
static int
load_events(const struct config *cf, struct repo *r, struct review *rv,
    char **why)
{
	struct walk_ctx w = { cf, rv, NULL, 0 };
	int error;

	if ((error = repo_walk(r, rv->commit, rv->base_commit[0] ?
	    &rv->base_commit : NULL, rv->base_commit[0] ? 1 : 0, walk_commit,
	    &w)) < 0) {
		*why = xasprintf("cannot list the commits since %s: %s",
		    rv->base_tag ? rv->base_tag : "the first commit",
		    repo_strerror());
		goto done;
	}
	/*
	 * Decisions on earlier commits in scope may carry over; the
	 * candidate's own note is read last so that it wins ties in time.
	 */
	for (size_t i = 0; i < w.ncommits; i++) {
		if (strcmp(w.commits[i], rv->commit) == 0)
			continue;
		if ((error = read_ledger(r, rv, w.commits[i],
		    &rv->events)) < 0)
			break;
	}
	if (error >= 0)
		error = read_ledger(r, rv, rv->commit, &rv->events);
	if (error < 0)
		*why = xasprintf("cannot read the ledger: %s", repo_strerror());
done:
	strv_free(w.commits, w.ncommits);
	return error;
}

/*
 * The rules' files and fingerprints of old, which has rv's scope, into
 * rv: matching every path again against every rule would give the same.
 */
static void
copy_matches(struct review *rv, const struct review *old)
{
	rv->nrules = old->nrules;
	rv->rules = xcalloc(old->nrules ? old->nrules : 1, sizeof(*rv->rules));
	for (size_t i = 0; i < old->nrules; i++) {
		struct review_rule *rr = &rv->rules[i];
		const struct review_rule *o = &old->rules[i];

		rr->rule = o->rule;
		rr->nfiles = o->nfiles;
		rr->files = xcalloc(o->nfiles ? o->nfiles : 1,
		    sizeof(*rr->files));
		memcpy(rr->files, o->files, o->nfiles * sizeof(*rr->files));
		rr->matched = o->matched;
		memcpy(rr->fingerprint, o->fingerprint, sizeof(rr->fingerprint));
	}
}

/*
 * With the rules matched: decided (policy.c), the links that refuse it,
 * and what changed since each stale decision.
 */
static int
decide(const struct config *cf, struct repo *r, struct review *rv,
    char **why)
{
	int error;

	policy_evaluate(cf, rv);
	check_released(rv);
	if ((error = find_links(cf, r, rv)) < 0) {
		*why = xasprintf("cannot read a symlink's target: %s",
		    repo_strerror());
		return error;
	}
	if (rv->nlinks)
		rv->approved = false;
	for (size_t i = 0; i < rv->nrules; i++)
		for (size_t m = 0; m < rv->rules[i].nmembers; m++)
			if (rv->rules[i].members[m].stale)
				describe_changes(cf, r, rv, &rv->rules[i],
				    &rv->rules[i].members[m]);
	return 0;
}

/* The rules matched, then decided. */
static int
load_decision(const struct config *cf, struct repo *r, struct review *rv,
    char **why)
{
	int error;

	rv->nrules = cf->nrules;
	rv->rules = xcalloc(cf->nrules, sizeof(*rv->rules));
	for (size_t i = 0; i < cf->nrules; i++) {
		if ((error = match_rule(cf, rv, i)) < 0) {
			*why = xasprintf("rule '%s': invalid paths",
			    cf->rules[i].name);
			return error;
		}
	}
	return decide(cf, r, rv, why);
}

int
review_load(struct review **out, const struct config *cf, struct repo *r,
    const char *commit, const char *tag, const char *tag_object,
    const char *tag_message, char **why)
{
	struct review *rv = review_alloc();
	int error;

	snprintf(rv->commit, sizeof(rv->commit), "%s", commit);
	rv->tag = tag ? xstrdup(tag) : NULL;
	snprintf(rv->tag_object, sizeof(rv->tag_object), "%s",
	    tag_object ? tag_object : "");
	if ((error = load_message(rv, tag_message, why)) < 0 ||
	    (error = load_scope(cf, r, rv, why)) < 0 ||
	    (error = load_events(cf, r, rv, why)) < 0 ||
	    (error = load_decision(cf, r, rv, why)) < 0) {
		review_free(rv);
		return error;
	}
	*out = rv;
	return 0;
}

struct review *
review_stub(const char *commit, const char *tag)
{
	struct review *rv = review_alloc();

	snprintf(rv->commit, sizeof(rv->commit), "%s", commit);
	rv->tag = tag ? xstrdup(tag) : NULL;
	return rv;
}

struct review *
review_ref(struct review *rv)
{
	held_of(rv)->refs++;
	return rv;
}

/* commit's note's blob in notes tree t, "" when none. */
static int
note_blob(struct repo_notes_tree *t, const char *commit, char blob[OID_HEX])
{
	int error = repo_notes_tree_id(t, commit, blob);

	if (error == -ENOENT) {
		blob[0] = '\0';
		return 0;
	}
	return error;
}

/* What has changed under a review since it was read. */
enum held_state {
	HELD_FRESH,	/* nothing it read */
	HELD_OWN,	/* its own commit's note alone, read last */
	HELD_STALE,	/* something else, or it cannot be told */
};

/*
 * Compares what h read with the ledger at head, the notes commit now:
 * the notes of other commits unchanged, and its own commit's note, which
 * review_load reads last, into blob.
 */
static enum held_state
held_notes(struct repo *r, const struct review_held *h, const char *head,
    char blob[OID_HEX])
{
	const char *own = h->rv.commit;
	struct repo_notes_tree *t = NULL;
	enum held_state st = HELD_FRESH;

	/* the notes commit's tree read once for all of its notes */
	if (repo_notes_tree_open(r, head, &t) < 0)
		return HELD_STALE;
	for (size_t i = 0; i < h->ndeps && st != HELD_STALE; i++) {
		const struct review_dep *d = &h->deps[i];
		bool last = i + 1 == h->ndeps;

		if (note_blob(t, d->commit, blob) < 0)
			st = HELD_STALE;
		else if (strcmp(blob, d->blob) == 0)
			continue;
		else if (!last || strcmp(d->commit, own) != 0)
			st = HELD_STALE;
		else
			st = HELD_OWN;
	}
	repo_notes_tree_free(t);
	return st;
}

int
review_tags_stamp(const struct config *cf, struct repo *r, char out[65])
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	int error;

	if ((error = repo_ref_list(r, cf->print_tags, &refs, &n)) < 0)
		return error;
	tags_stamp(refs, n, out);
	repo_ref_list_free(refs, n);
	return 0;
}

/*
 * Whether h is still what review_load would give, tags the print tags'
 * stamp now (NULL: listed here); the notes head into head.
 */
static enum held_state
held_state(const struct config *cf, struct repo *r,
    const struct review_held *h, const char *tags, char head[OID_HEX],
    char blob[OID_HEX])
{
	char stamp[65];
	int error;

	if (tags == NULL) {
		if (review_tags_stamp(cf, r, stamp) < 0)
			return HELD_STALE;
		tags = stamp;
	}
	if (strcmp(tags, h->tags_stamp) != 0)
		return HELD_STALE;
	error = repo_notes_head(r, LEDGER_REF, head);
	if (error == -ENOENT)
		return h->notes_head[0] == '\0' ? HELD_FRESH : HELD_STALE;
	if (error < 0 || h->notes_head[0] == '\0')
		return HELD_STALE;	/* a ledger where there was none */
	if (strcmp(head, h->notes_head) == 0)
		return HELD_FRESH;
	return held_notes(r, h, head, blob);
}

bool
review_fresh(const struct config *cf, struct repo *r,
    const struct review *rv)
{
	char head[OID_HEX], blob[OID_HEX];

	return held_state(cf, r, held_of(rv), NULL, head, blob) == HELD_FRESH;
}

/*
 * A new review of what h gathered (the scope, the trailers, the authors:
 * shared with the review that read them, held), with the events of the
 * notes it read but its own commit's, as of notes commit head.
 */
static struct review *
review_share(const struct review_held *h, const char *head)
{
	const struct review *old = &h->rv;
	struct review *root = h->gathered ? h->gathered :
	    (struct review *)(uintptr_t)old;
	struct review *rv = review_alloc();
	struct review_held *nh = held_of(rv);
	size_t keep = old->events.n;

	nh->gathered = review_ref(root);
	memcpy(rv->commit, old->commit, OID_HEX);
	rv->tag = old->tag ? xstrdup(old->tag) : NULL;
	memcpy(rv->tag_object, old->tag_object, OID_HEX);
	memcpy(rv->base_commit, old->base_commit, OID_HEX);
	memcpy(rv->tag_target, old->tag_target, OID_HEX);
	rv->base_tag = root->base_tag;
	rv->files = root->files;
	rv->nfiles = root->nfiles;
	rv->trailers = root->trailers;
	rv->ntrailers = root->ntrailers;
	rv->authors = root->authors;
	rv->nauthors = root->nauthors;
	rv->strangers = root->strangers;
	rv->nstrangers = root->nstrangers;
	memcpy(nh->notes_head, head, OID_HEX);
	memcpy(nh->tags_stamp, h->tags_stamp, sizeof(nh->tags_stamp));
	/* its own commit's events come last, from the note read last */
	while (keep > 0 && strcmp(old->events.v[keep - 1].commit,
	    old->commit) == 0)
		keep--;
	ledger_events_append(&rv->events, old->events.v, keep);
	nh->deps = xreallocarray(NULL, h->ndeps, sizeof(*nh->deps));
	memcpy(nh->deps, h->deps, (h->ndeps - 1) * sizeof(*nh->deps));
	nh->ndeps = h->ndeps - 1;
	return rv;
}

int
review_refresh(struct review **out, const struct config *cf,
    struct repo *r, const struct review *rv, const char *tags, char **why)
{
	const struct review_held *h = held_of(rv);
	struct review *nrv;
	char head[OID_HEX], blob[OID_HEX];
	enum held_state st = held_state(cf, r, h, tags, head, blob);
	int error;

	if (st == HELD_FRESH) {
		*out = review_ref((struct review *)(uintptr_t)rv);
		return 0;
	}
	/*
	 * Lines of another writer, or on another note, may change what it
	 * read in any way: only what this process appended itself to the
	 * very version it read is taken as all that changed.
	 */
	if (st != HELD_OWN || rv->events.malformed > 0 ||
	    rv->nrules != cf->nrules ||
	    !ledger_note_appended(rv->commit, h->deps[h->ndeps - 1].blob,
	    blob))
		return -ESTALE;
	nrv = review_share(h, head);
	if ((error = read_ledger(r, nrv, nrv->commit, &nrv->events)) < 0) {
		*why = xasprintf("cannot read the ledger: %s",
		    repo_strerror());
		review_free(nrv);
		return error;
	}
	copy_matches(nrv, rv);
	if ((error = decide(cf, r, nrv, why)) < 0) {
		review_free(nrv);
		return error;
	}
	*out = nrv;
	return 0;
}

void
review_free(struct review *rv)
{
	struct review_held *h;

	if (rv == NULL)
		return;
	h = held_of(rv);
	if (--h->refs > 0)
		return;
	free(h->deps);
	for (size_t i = 0; i < rv->nlinks; i++)
		free(rv->links[i].target);
	free(rv->links);
	free(rv->tag);
	if (h->gathered)
		review_free(h->gathered);
	else {
		free(rv->base_tag);
		repo_scope_free(rv->files, rv->nfiles);
		repo_trailers_free(rv->trailers, rv->ntrailers);
		free(rv->authors);
		strv_free(rv->strangers, rv->nstrangers);
	}
	ledger_events_free(&rv->events);
	for (size_t i = 0; i < rv->nrules; i++) {
		struct review_rule *rr = &rv->rules[i];

		free(rr->files);
		free(rr->cond_why);
		for (size_t m = 0; m < rr->nmembers; m++)
			free(rr->members[m].changed);
		free(rr->members);
	}
	free(rv->rules);
	free(h);
}

void
review_target_clear(struct review_target *t)
{
	free(t->tag);
	free(t->message);
	memset(t, 0, sizeof(*t));
}

/* Fills t from a ref whose target is a print tag's tag object. */
static int
target_from_tag(struct review_target *t, struct repo *r, const char *id,
    char **why)
{
	struct repo_tag *tag = NULL;
	int error;

	error = repo_tag_read(r, id, &tag);
	if (error == -EINVAL) {
		/* a lightweight tag, from before printgate */
		return repo_resolve_commit(r, id, t->commit);
	}
	if (error < 0) {
		*why = xasprintf("cannot read tag object %s: %s", id,
		    repo_strerror());
		return error;
	}
	memcpy(t->commit, tag->commit, OID_HEX);
	memcpy(t->tag_object, tag->id, OID_HEX);
	t->message = xstrdup(tag->message);
	repo_tag_free(tag);
	return 0;
}

int
review_resolve(struct review_target *out, const struct config *cf,
    struct repo *r, const char *arg, char **why)
{
	struct review_target t = { 0 };
	struct repo_ref *refs = NULL;
	size_t nrefs = 0;
	char *full, *pending = NULL;
	char id[OID_HEX];
	int error;

	full = str_startswith(arg, "refs/") ? xstrdup(arg) :
	    xasprintf("refs/tags/%s", arg);
	if (str_startswith(full, cf->print_prefix) &&
	    strlen(full) > strlen(cf->print_prefix)) {
		t.tag = xstrdup(full + strlen("refs/tags/"));
		pending = review_pending_ref(cf, full);
		if (repo_ref_get(r, full, id) == 0) {
			t.released = true;
			error = target_from_tag(&t, r, id, why);
			goto done;
		}
		if (repo_ref_get(r, pending, id) == 0) {
			t.pending = true;
			error = target_from_tag(&t, r, id, why);
			goto done;
		}
		free(t.tag);
		t.tag = NULL;
	}
	if ((error = repo_resolve_commit(r, arg, t.commit)) < 0) {
		/* "q1" for "print/q1" */
		if (!str_startswith(arg, "refs/") &&
		    !str_startswith(full, cf->print_prefix)) {
			char *tag = xasprintf("%s%s", cf->print_prefix +
			    strlen("refs/tags/"), arg);

			error = review_resolve(out, cf, r, tag, why);
			free(tag);
			if (error != -ENOENT) {
				review_target_clear(&t);
				free(full);
				free(pending);
				return error;
			}
			free(*why);
		}
		*why = xasprintf("'%s' is neither a print tag, nor one waiting "
		    "under %s, nor a commit", arg, PENDING_PREFIX);
		error = -ENOENT;
		goto done;
	}
	/* A commit: take the print tag that waits for it, if there is one. */
	if (repo_ref_list(r, PENDING_PREFIX "*", &refs, &nrefs) == 0) {
		for (size_t i = 0; i < nrefs; i++) {
			struct repo_tag *tag = NULL;

			if (repo_tag_read(r, refs[i].id, &tag) < 0)
				continue;
			if (strcmp(tag->commit, t.commit) == 0) {
				t.tag = review_pending_tag(cf, refs[i].name);
				t.pending = true;
				memcpy(t.tag_object, tag->id, OID_HEX);
				t.message = xstrdup(tag->message);
				repo_tag_free(tag);
				break;
			}
			repo_tag_free(tag);
		}
		repo_ref_list_free(refs, nrefs);
	}
	error = 0;
done:
	free(full);
	free(pending);
	if (error < 0) {
		review_target_clear(&t);
		return error;
	}
	*out = t;
	return 0;
}

int
review_eligible(const struct config *cf, const struct review *rv,
    size_t person, size_t **rules, size_t *n, char **why)
{
	size_t *v = xcalloc(rv->nrules, sizeof(size_t));
	size_t count = 0;
	bool member = false, author = false;

	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];

		if (!rr->applies)
			continue;
		for (size_t m = 0; m < rr->nmembers; m++) {
			if (rr->members[m].person != person)
				continue;
			member = true;
			if (rr->members[m].state == MEMBER_AUTHOR)
				author = true;
			else
				v[count++] = i;
		}
	}
	if (count == 0) {
		const char *id = cf->people[person].id;

		free(v);
		if (author)
			*why = xasprintf("%s authored a commit under review "
			    "and may not approve it (self_approval is off)",
			    id);
		else if (!member)
			*why = xasprintf("%s is not in the group of any rule "
			    "that applies to this review", id);
		else
			*why = xasprintf("%s may not decide on this review",
			    id);
		return -EPERM;
	}
	*rules = v;
	*n = count;
	return 0;
}

char *
review_name(const struct review *rv)
{
	char *s = short_id(rv->commit), *name;

	if (rv->tag == NULL)
		return s;
	name = xasprintf("%s (%s)", rv->tag, s);
	free(s);
	return name;
}

/* Whether rule rr still needs someone: applies and is not met. */
static bool
unmet(const struct config *cf, const struct review_rule *rr)
{
	return rr->applies && (rr->blocked ||
	    rr->approvals < cf->rules[rr->rule].required);
}

char *
review_asked(const struct config *cf, const struct review *rv)
{
	struct buf b = { 0 };
	bool *seen = xcalloc(cf->npeople, sizeof(bool));

	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];

		if (!unmet(cf, rr))
			continue;
		for (size_t m = 0; m < rr->nmembers; m++) {
			size_t p = rr->members[m].person;

			if (rr->members[m].state != MEMBER_PENDING || seen[p])
				continue;
			seen[p] = true;
			buf_addf(&b, "%s%s", b.len ? ", " : "",
			    cf->people[p].id);
		}
	}
	free(seen);
	return buf_steal(&b);
}

size_t
review_approvers(const struct config *cf, const struct review *rv,
    size_t *out, size_t max)
{
	bool *seen = xcalloc(cf->npeople, sizeof(bool));
	size_t n = 0;

	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];

		for (size_t m = 0; rr->applies && m < rr->nmembers; m++) {
			const struct review_member *rm = &rr->members[m];

			if ((rm->state != MEMBER_APPROVED &&
			    rm->state != MEMBER_APPROVED_WITH_CHANGES) ||
			    seen[rm->person] || n >= max)
				continue;
			seen[rm->person] = true;
			out[n++] = rm->person;
		}
	}
	free(seen);
	return n;
}

char *
review_channels(const struct config *cf)
{
	struct buf b = { 0 };

	if (cf->nnotify == 0)
		return NULL;
	for (size_t i = 0; i < cf->nnotify; i++)
		buf_addf(&b, "%s%s:%s", i ? ", " : "",
		    cf->notify[i].type->name,
		    cf->notify[i].name);
	return buf_steal(&b);
}

/* "sales-emea: alice (approved), bob, carol (author, cannot approve)" */
static void
format_members(const struct config *cf, const struct review_rule *rr,
    struct buf *b)
{
	const struct config_rule *rule = &cf->rules[rr->rule];

	buf_addf(b, "%s:", cf->groups[rule->group].name);
	for (size_t m = 0; m < rr->nmembers; m++) {
		const struct review_member *mb = &rr->members[m];

		buf_addf(b, "%s %s", m ? "," : "", cf->people[mb->person].id);
		if (mb->state != MEMBER_PENDING)
			buf_addf(b, " (%s%s)", policy_state_name(mb->state),
			    mb->carried ? ", carried over" : "");
	}
}

static size_t
rule_width(const struct config *cf, const struct review *rv, bool all)
{
	size_t w = 0;

	for (size_t i = 0; i < rv->nrules; i++) {
		size_t l = strlen(cf->rules[i].name);

		if ((all || unmet(cf, &rv->rules[i])) && l > w)
			w = l;
	}
	return w;
}

/* The lines of one rule, indented, with what blocks it. */
static void
format_rule(const struct config *cf, const struct review_rule *rr,
    size_t width, struct buf *b)
{
	const struct config_rule *rule = &cf->rules[rr->rule];

	buf_addf(b, "  %-*s  %u of %u   ", (int)width, rule->name,
	    rr->approvals, rule->required);
	format_members(cf, rr, b);
	buf_adds(b, "\n");
	for (size_t m = 0; m < rr->nmembers; m++) {
		const struct review_member *mb = &rr->members[m];

		if (mb->state == MEMBER_CHANGES)
			buf_addf(b, "  %-*s  changes required by %s%s%s\n",
			    (int)width, "", cf->people[mb->person].id,
			    mb->decision->comment ? ": " : "",
			    mb->decision->comment ? mb->decision->comment :
			    "");
		if (mb->changed)
			buf_addf(b, "  %-*s  %s\n", (int)width, "", mb->changed);
	}
	if (rr->eligible < rule->required)
		buf_addf(b, "  %-*s  only %u of %s may approve: ask an "
		    "administrator to change the rule or the group\n",
		    (int)width, "", rr->eligible,
		    cf->groups[rule->group].name);
}

/* "  brochures/emea/x.pdf -> ../../y.pdf (rule emea)", one a line */
static void
format_links(const struct config *cf, const struct review *rv,
    struct buf *b)
{
	for (size_t i = 0; i < rv->nlinks; i++)
		buf_addf(b, "  %s -> %s (rule %s)\n",
		    rv->files[rv->links[i].file].path, rv->links[i].target,
		    cf->rules[rv->links[i].rule].name);
}

/*
 * "  attribute  brochures/x.pdf: export-subst" for each file in scope
 * whose attributes change what git archive or a checkout produces.
 */
static void
format_attrs(const struct review *rv, struct buf *b)
{
	size_t listed = 0, more = 0;

	for (size_t i = 0; i < rv->nfiles; i++) {
		const struct scope_file *f = &rv->files[i];
		char *filter;

		if (f->attrs == 0 && f->filter == NULL)
			continue;
		if (listed == REVIEW_MAX_LISTED) {
			more++;
			continue;
		}
		listed++;
		buf_addf(b, "  attribute  %s:", f->path);
		if (f->attrs & SCOPE_EXPORT_SUBST)
			buf_adds(b, " export-subst");
		if (f->attrs & SCOPE_EXPORT_IGNORE)
			buf_adds(b, " export-ignore");
		if (f->filter) {
			filter = one_line(f->filter, strlen(f->filter));
			buf_addf(b, " filter=%s", filter);
			free(filter);
		}
		buf_adds(b, "\n");
	}
	if (more)
		buf_addf(b, "  attribute  … and %zu more files\n", more);
}

char *
review_format_links(const struct config *cf, const struct review *rv)
{
	struct buf b = { 0 };
	char *name = review_name(rv);

	buf_addf(&b, "printgate: refusing %s: symlinks and submodules under "
	    "a rule print something other than what is reviewed:\n", name);
	format_links(cf, rv, &b);
	buf_adds(&b, "  commit the files themselves instead, or ask an "
	    "administrator to set allow_symlinks = true on the rule\n");
	free(name);
	return buf_steal(&b);
}

char *
review_format_wait(const struct config *cf, const struct review *rv)
{
	struct buf b = { 0 };
	char *name = review_name(rv), *asked = review_asked(cf, rv);
	char *channels = review_channels(cf);
	size_t width = rule_width(cf, rv, false);

	buf_addf(&b, "printgate: %s waits for %s\n", name,
	    rv->blocked ? "changes" : "approval");
	for (size_t i = 0; i < rv->nrules; i++)
		if (unmet(cf, &rv->rules[i]))
			format_rule(cf, &rv->rules[i], width, &b);
	if (asked[0] && channels)
		buf_addf(&b, "  review requested from %s on %s\n", asked,
		    channels);
	else if (asked[0])
		buf_addf(&b, "  review requested from %s (no chat channel "
		    "is configured: ask them directly)\n", asked);
	format_attrs(rv, &b);
	buf_addf(&b, "  status: printgatectl status %s\n",
	    rv->tag ? rv->tag : rv->commit);
	free(name);
	free(asked);
	free(channels);
	return buf_steal(&b);
}

/* status's first lines: the state, the commit, the tag, the trailers. */
static void
status_head(const struct review *rv, const char *name, struct buf *b)
{
	if (rv->released)
		buf_addf(b, "%s: released\n", name);
	else if (rv->nlinks)
		buf_addf(b, "%s: refused: symlinks or submodules under a "
		    "rule\n", name);
	else if (rv->approved)
		buf_addf(b, "%s: approved\n", name);
	else
		buf_addf(b, "%s: waits for %s\n", name,
		    rv->blocked ? "changes" : "approval");
	buf_addf(b, "  commit   %s\n", rv->commit);
	if (rv->tag_object[0])
		buf_addf(b, "  tag      %s\n", rv->tag_object);
	for (size_t i = 0; i < rv->ntrailers; i++)
		buf_addf(b, "  trailer  %s: %s\n", rv->trailers[i].key,
		    rv->trailers[i].value);
}

/* status's scope: the base, the files (at most REVIEW_MAX_LISTED). */
static void
status_scope(const struct config *cf, const struct review *rv,
    struct buf *b)
{
	size_t listed;

	if (rv->base_tag)
		buf_addf(b, "  scope    %zu file%s changed since %s (%.7s)\n",
		    rv->nfiles, rv->nfiles == 1 ? "" : "s", rv->base_tag,
		    rv->base_commit);
	else
		buf_addf(b, "  scope    first print: all %zu file%s\n",
		    rv->nfiles, rv->nfiles == 1 ? "" : "s");
	listed = rv->nfiles < REVIEW_MAX_LISTED ? rv->nfiles :
	    REVIEW_MAX_LISTED;
	for (size_t i = 0; i < listed; i++)
		buf_addf(b, "    %c %s\n", rv->files[i].status,
		    rv->files[i].path);
	if (listed < rv->nfiles)
		buf_addf(b, "    … and %zu more\n", rv->nfiles - listed);
	format_attrs(rv, b);
	if (rv->nlinks) {
		buf_adds(b, "  symlinks and submodules (not allowed by their "
		    "rule: allow_symlinks)\n");
		format_links(cf, rv, b);
	}
}

/* status's rules: each one's state, or why it does not apply. */
static void
status_rules(const struct config *cf, const struct review *rv,
    struct buf *b)
{
	size_t width = rule_width(cf, rv, true);
	bool any = false;

	buf_adds(b, "  rules\n");
	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];
		const struct config_rule *rule = &cf->rules[i];

		if (rr->applies) {
			any = true;
			buf_adds(b, "  ");
			format_rule(cf, rr, width, b);
			if (rr->cond_why)
				buf_addf(b, "    %-*s  applies: %s\n",
				    (int)width, "", rr->cond_why);
		} else if (!rr->matched)
			buf_addf(b, "    %-*s  not in scope: no changed file "
			    "under %s%s\n", (int)width, rule->name,
			    rule->paths[0], rule->npaths > 1 ? ", …" : "");
		else
			buf_addf(b, "    %-*s  does not apply: %s\n",
			    (int)width, rule->name, rr->cond_why);
	}
	if (!any)
		buf_adds(b, "    no rule applies: nothing to review\n");
}

/* status's last lines: the authors, the request, the release. */
static void
status_history(const struct config *cf, const struct review *rv,
    struct buf *b)
{
	char at[21];

	if (rv->nauthors) {
		buf_adds(b, "  authors ");
		for (size_t i = 0; i < rv->nauthors; i++)
			buf_addf(b, " %s", cf->people[rv->authors[i]].id);
		buf_adds(b, "\n");
	}
	if (rv->requested) {
		util_rfc3339(rv->requested->at, at);
		buf_addf(b, "  requested %s by %s\n", at, rv->requested->by);
	}
	if (rv->released) {
		util_rfc3339(rv->released->at, at);
		buf_addf(b, "  released  %s by %s via %s\n", at,
		    rv->released->by, rv->released->via);
	}
}

char *
review_format_status(const struct config *cf, const struct review *rv)
{
	struct buf b = { 0 };
	char *name = review_name(rv);

	status_head(rv, name, &b);
	status_scope(cf, rv, &b);
	status_rules(cf, rv, &b);
	status_history(cf, rv, &b);
	free(name);
	return buf_steal(&b);
}

char *
review_format_line(const struct config *cf, const struct review *rv)
{
	struct buf b = { 0 };
	char *name = review_name(rv);
	bool first = true;

	buf_addf(&b, "%s  ", name);
	if (rv->approved) {
		buf_adds(&b, "approved");
	} else {
		buf_addf(&b, "waits for %s:", rv->blocked ? "changes" :
		    "approval");
		for (size_t i = 0; i < rv->nrules; i++) {
			const struct review_rule *rr = &rv->rules[i];

			if (!unmet(cf, rr))
				continue;
			buf_addf(&b, "%s %s %u of %u%s", first ? "" : ",",
			    cf->rules[i].name, rr->approvals,
			    cf->rules[i].required,
			    rr->blocked ? " (changes required)" : "");
			first = false;
		}
	}
	free(name);
	return buf_steal(&b);
}

size_t
review_format_who(const struct config *cf, const char *path,
    const char *indent, bool emails, struct buf *b)
{
	size_t found = 0;

	for (size_t i = 0; i < cf->nrules; i++) {
		const struct config_rule *rule = &cf->rules[i];
		const struct config_group *g = &cf->groups[rule->group];
		struct repo_pathspec *ps = NULL;
		bool hit;

		if (repo_pathspec_new(&ps, rule->paths, rule->npaths) < 0)
			continue;
		hit = repo_pathspec_match(ps, path);
		repo_pathspec_free(ps);
		if (!hit)
			continue;
		found++;
		buf_addf(b, "%s%s: %u of %s (", indent, rule->name,
		    rule->required, g->name);
		for (size_t m = 0; m < g->nmembers; m++) {
			const struct config_person *p =
			    &cf->people[g->members[m]];

			buf_addf(b, "%s%s", m ? ", " : "", p->name);
			if (emails)
				buf_addf(b, " <%s>", p->email);
		}
		buf_addf(b, ")%s%s\n", rule->has_when ? " when " : "",
		    rule->has_when ? rule->when.text : "");
	}
	return found;
}

ssize_t
review_format_pending(const struct config *cf, struct repo *r,
    size_t max, review_loader load, void *ctx, struct buf *b)
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	int error;

	if ((error = repo_ref_list(r, PENDING_PREFIX "*", &refs, &n)) < 0)
		return error;
	for (size_t i = 0; i < n && i < max; i++) {
		char *tag = review_pending_tag(cf, refs[i].name), *line;
		struct review *rv = NULL;

		if (load(ctx, tag, &rv) == 0) {
			line = review_format_line(cf, rv);
			buf_addf(b, "%s\n", line);
			free(line);
		}
		review_free(rv);
		free(tag);
	}
	if (n == 0)
		buf_adds(b, "no print tag waits for approval\n");
	repo_ref_list_free(refs, n);
	return (ssize_t)n;
}
