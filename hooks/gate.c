/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate.c - the update hook's logic: who may push print tags, that they are
 * immutable, that printgate's own refs are not pushed, and whether the
 * tagged content has its approvals.  A refused print tag is kept under
 * refs/printgate/pending/ and a request is written to the ledger; an
 * approved one gets a released event.  Every error refuses: the gate fails
 * closed.
 */
#include "hooks/gate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat/platform.h"
#include "core/config.h"
#include "core/ledger.h"
#include "core/record.h"
#include "core/repo.h"
#include "core/review.h"
#include "core/util.h"

static bool
is_zero(const char *id)
{
	return strspn(id, "0") == strlen(id);
}

/* The pusher's name from the first set variable of pusher_env. */
static const char *
gate_pusher_env(const struct config *cf, const char **var)
{
	for (size_t i = 0; i < cf->npusher_env; i++) {
		const char *v = getenv(cf->pusher_env[i]);

		if (v && *v) {
			*var = cf->pusher_env[i];
			return v;
		}
	}
	return NULL;
}

static char *
group_list(const struct config *cf, const size_t *groups, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct config_group *g = &cf->groups[groups[i]];

		buf_addf(&b, "%s%s (", i ? "; " : "", g->name);
		for (size_t m = 0; m < g->nmembers; m++)
			buf_addf(&b, "%s%s", m ? ", " : "",
			    cf->people[g->members[m]].id);
		buf_adds(&b, ")");
	}
	return buf_steal(&b);
}

/*
 * Writes an event about tag on commit, under the push's event id when it
 * came with one (the hook's: printgated and the hook's fallback may both
 * decide one push, and the second finds the first's line), waiting up to
 * p->ledger_timeout_ms; on failure says why in *msg.
 */
static int
gate_record(struct repo *r, const char *commit, enum ledger_type type,
    const char *by, const char *tag, const char *tag_object,
    const struct review *rv, const struct config *cf,
    const struct gate_push *p, char **msg)
{
	struct record rec;
	size_t *rules = NULL;
	int error;

	if ((error = record_init(&rec, type, (int64_t)time(NULL))) < 0) {
		*msg = xasprintf("printgate: refusing %s: cannot make an "
		    "event id: %s\n", tag, strerror(-error));
		return error;
	}
	if (p->event_id) {
		snprintf(rec.id, sizeof(rec.id), "%s", p->event_id);
		rec.once = true;
	}
	rec.by = by;
	rec.via = "hook";
	rec.tag = tag;
	rec.tag_object = tag_object;
	/* one event per print-tag push: three fsyncs for its objects, not 8 */
	rec.pack = true;
	if (type == LEDGER_REQUEST) {
		record_applying(rv, &rules, &rec.nrules);
		rec.rules = rules;
		rec.fingerprints = true;
	}
	error = record_append(r, cf, rv, commit, &rec, p->ledger_timeout_ms,
	    NULL);
	free(rules);
	if (error < 0)
		*msg = xasprintf("printgate: refusing %s: cannot write the "
		    "ledger (%s): %s\n  nothing was recorded; push again, and "
		    "if it persists ask an administrator\n", tag, LEDGER_REF,
		    record_why(error));
	return error;
}

/*
 * Keeps the refused tag object under refs/printgate/pending/ so that it
 * can be released later exactly as it was signed, and records the request
 * once per tag object.
 */
static int
gate_wait(const struct config *cf, struct repo *r, const struct gate_push *p,
    const char *by, struct review *rv, char **msg)
{
	char *pending = review_pending_ref(cf, p->refname);
	char old[OID_HEX];
	bool asked;
	int error;

	error = repo_ref_get(r, pending, old);
	if (error < 0 && error != -ENOENT)
		goto fail;
	asked = rv->requested && rv->requested->tag_object &&
	    strcmp(rv->requested->tag_object, rv->tag_object) == 0;
	if (error == -ENOENT || strcmp(old, rv->tag_object) != 0) {
		error = repo_ref_set(r, pending, rv->tag_object,
		    error == -ENOENT ? NULL : old,
		    "printgate: print tag waits for approval");
		if (error < 0)
			goto fail;
	}
	if (!asked && (error = gate_record(r, rv->commit, LEDGER_REQUEST, by,
	    rv->tag, rv->tag_object, rv, cf, p, msg)) < 0) {
		free(pending);
		return error;
	}
	*msg = review_format_wait(cf, rv);
	free(pending);
	return 0;
fail:
	*msg = xasprintf("printgate: refusing %s: cannot keep it under %s: "
	    "%s\n", rv->tag, pending, repo_strerror());
	free(pending);
	return error;
}

/*
 * A ledger write that timed out or found the lock held (with no wait),
 * when the caller would rather decide again with a longer wait (the warm
 * path): the message is dropped.
 */
static int
gate_failed(const struct gate_push *p, int error, char **msg)
{
	if ((error == -ETIMEDOUT || error == -EBUSY) && p->busy) {
		free(*msg);
		*msg = NULL;
		return GATE_BUSY;
	}
	return GATE_REFUSE;
}

/*
 * Who may push print tag tag: a new tag (print tags never move), by a
 * pusher printgate can name, who is a release manager.  0 with *person,
 * or 1 with *msg saying why not.
 */
static int
gate_pusher(const struct config *cf, const struct gate_push *p,
    const char *tag, ssize_t *person, char **msg)
{
	const char *pusher = p->pusher;
	char *who;

	if (!is_zero(p->oldrev)) {
		*msg = xasprintf("printgate: refusing to %s %s: print tags "
		    "are immutable; tag the new version under a new name\n",
		    is_zero(p->newrev) ? "delete" : "move", tag);
		return 1;
	}
	if (pusher == NULL || *pusher == '\0') {
		*msg = xasprintf("printgate: refusing %s: cannot tell who is "
		    "pushing: none of the pusher_env variables is set\n", tag);
		return 1;
	}
	*person = config_person_by_login(cf, pusher);
	if (*person < 0 || !config_is_release_manager(cf, (size_t)*person)) {
		who = group_list(cf, cf->release_managers,
		    cf->nrelease_managers);
		*msg = xasprintf("printgate: refusing %s: only release "
		    "managers may create print tags, and %s '%s' is not one "
		    "of them\n  release managers: %s\n", tag, p->pusher_var,
		    pusher, who);
		free(who);
		return 1;
	}
	return 0;
}

/*
 * The repository to decide on: shared when given (printgated's), else
 * gitdir opened, with the push's quarantine when git runs the hook in
 * one.  0 with *out, or 1 with *msg.
 */
static int
gate_repo(struct repo *shared, const char *gitdir, const char *tag,
    struct repo **out, char **msg)
{
	struct repo *r = shared;
	char *why = NULL;
	const char *q;

	if (r == NULL && repo_open(&r, gitdir, &why) < 0) {
		*msg = xasprintf("printgate: refusing %s: %s\n", tag, why);
		free(why);
		return 1;
	}
	/*
	 * Run inside git's quarantine (a pre-receive hook; git 2.39 moves
	 * the objects in before the update hook), the new objects are only
	 * in the quarantine folder, which libgit2 does not read by itself.
	 */
	if (r != shared && getenv("GIT_QUARANTINE_PATH") &&
	    (q = getenv("GIT_OBJECT_DIRECTORY")) && *q &&
	    repo_add_objects(r, q) < 0) {
		*msg = xasprintf("printgate: refusing %s: cannot read the "
		    "push's quarantine %s: %s\n", tag, q, repo_strerror());
		repo_free(r);
		return 1;
	}
	*out = r;
	return 0;
}

/*
 * The pushed tag object newrev: an annotated tag of a commit whose
 * message is within REVIEW_MAX_MESSAGE.  0 with *out, or 1 with *msg.
 */
static int
gate_tag(struct repo *r, const char *newrev, const char *tag,
    struct repo_tag **out, char **msg)
{
	struct repo_tag *t = NULL;
	size_t size;
	int error;

	/*
	 * A huge message would cost memory and time at every read of the
	 * review: refuse it from the object's header, before anything is
	 * parsed (the header lines take a few hundred bytes).
	 */
	if (repo_object_size(r, newrev, &size) < 0) {
		*msg = xasprintf("printgate: refusing %s: cannot read %s: "
		    "%s\n", tag, newrev, repo_strerror());
		return 1;
	}
	if (size > REVIEW_MAX_MESSAGE + GATE_TAG_HEADER_MAX) {
		*msg = xasprintf("printgate: refusing %s: the tag is %zu "
		    "bytes, and its message may be at most %d KiB\n  tag it "
		    "again with a shorter message (git tag -f -a %s)\n", tag,
		    size, REVIEW_MAX_MESSAGE / 1024, tag);
		return 1;
	}
	error = repo_tag_read(r, newrev, &t);
	if (error == -EINVAL) {
		*msg = xasprintf("printgate: refusing %s: a print tag must be "
		    "an annotated tag of a commit (git tag -a %s -m ...)\n",
		    tag, tag);
		return 1;
	}
	if (error < 0) {
		*msg = xasprintf("printgate: refusing %s: cannot read %s: "
		    "%s\n", tag, newrev, repo_strerror());
		return 1;
	}
	if (strlen(t->message) > REVIEW_MAX_MESSAGE) {
		*msg = xasprintf("printgate: refusing %s: its message is %zu "
		    "bytes, and may be at most %d KiB\n  tag it again with a "
		    "shorter message (git tag -f -a %s)\n", tag,
		    strlen(t->message), REVIEW_MAX_MESSAGE / 1024, tag);
		repo_tag_free(t);
		return 1;
	}
	*out = t;
	return 0;
}

/*
 * An approved review's tag goes through: the released event, then its
 * pending copy dropped.  0 with *msg saying so, or what gate_failed()
 * makes of the ledger's error.
 */
static int
gate_release(const struct config *cf, struct repo *r,
    const struct gate_push *p, const char *by, const struct repo_tag *t,
    const struct review *rv, char **msg)
{
	const char *tag = p->refname + strlen("refs/tags/");
	char *pending = review_pending_ref(cf, p->refname), *who;
	char old[OID_HEX];
	int error;

	if ((error = gate_record(r, rv->commit, LEDGER_RELEASED, by, tag,
	    t->id, rv, cf, p, msg)) < 0) {
		free(pending);
		return gate_failed(p, error, msg);
	}
	/* The review is closed; its pending copy is no longer needed. */
	if (repo_ref_get(r, pending, old) == 0)
		(void)repo_ref_delete(r, pending, old);
	free(pending);
	who = review_name(rv);
	*msg = xasprintf("printgate: %s is approved: released\n", who);
	free(who);
	return 0;
}

/*
 * The review of tag t: through p's loader (printgated's memo) when there
 * is one, else read now.  The loader is p's caller's, on its repository:
 * none without p (the push's own repository, its quarantine).
 */
static int
gate_review(const struct config *cf, struct repo *r, const struct gate_push *p,
    const struct repo_tag *t, const char *tag, struct review **out,
    char **why)
{
	if (p && p->load)
		return p->load(p->load_ctx, t->commit, tag, t->id, t->message,
		    out, why);
	return review_load(out, cf, r, t->commit, tag, t->id, t->message,
	    why);
}

/*
 * A print tag pushed: the pusher checked, the tag read, the review
 * loaded; released when approved, else kept as a pending review with a
 * request event, and refused.  0 (through), 1 (refused), GATE_BUSY.
 */
static int
gate_print_tag(const struct config *cf, struct repo *shared,
    const char *gitdir, const struct gate_push *p, char **msg)
{
	const char *tag = p->refname + strlen("refs/tags/");
	struct repo *r = NULL;
	struct repo_tag *t = NULL;
	struct review *rv = NULL;
	char *why = NULL;
	ssize_t person = -1;
	int error;

	if (gate_pusher(cf, p, tag, &person, msg) != 0 ||
	    gate_repo(shared, gitdir, tag, &r, msg) != 0)
		return 1;
	if (gate_tag(r, p->newrev, tag, &t, msg) != 0) {
		error = 1;
		goto done;
	}
	if (gate_review(cf, r, r == shared ? p : NULL, t, tag, &rv,
	    &why) < 0) {
		*msg = xasprintf("printgate: refusing %s: %s\n", tag, why);
		free(why);
		error = 1;
		goto done;
	}
	if (rv->nlinks) {
		/* no reviewer can approve these: refused, nothing waits */
		*msg = review_format_links(cf, rv);
		error = 1;
	} else if (rv->approved) {
		error = gate_release(cf, r, p, cf->people[person].id, t, rv,
		    msg);
	} else {
		error = gate_wait(cf, r, p, cf->people[person].id, rv, msg);
		error = error < 0 ? gate_failed(p, error, msg) : 1;
	}
done:
	review_free(rv);
	repo_tag_free(t);
	if (r != shared)
		repo_free(r);
	return error;
}

/* The refusal of a ref outside allow_refs. */
static char *
gate_not_allowed(const struct config *cf, const char *refname)
{
	struct buf b = { 0 };

	buf_addf(&b, "printgate: refusing %s: only these refs may be pushed "
	    "here (allow_refs):", refname);
	for (size_t i = 0; i < cf->nallow_refs; i++)
		buf_addf(&b, " %s", cf->allow_refs[i]);
	buf_adds(&b, "\n");
	if (str_startswith(refname, "refs/replace/"))
		buf_adds(&b, "  a replace ref makes git show other content "
		    "for what was reviewed and printed\n");
	return buf_steal(&b);
}

int
gate_decide(const struct config *cf, struct repo *r, const char *gitdir,
    const struct gate_push *p, char **msg)
{
	const char *refname = p->refname, *newrev = p->newrev;

	*msg = NULL;
	if (strcmp(refname, LEDGER_REF) == 0 ||
	    str_startswith(refname, LEDGER_REF "/") ||
	    str_startswith(refname, PRINTGATE_REFS)) {
		*msg = xasprintf("printgate: refusing %s: printgate's own "
		    "refs are written only by printgate\n", refname);
		return 1;
	}
	if (str_startswith(refname, cf->print_prefix) &&
	    strlen(refname) > strlen(cf->print_prefix))
		return gate_print_tag(cf, r, gitdir, p, msg);
	if (strncmp(refname, cf->print_prefix,
	    strlen(cf->print_prefix) - 1) == 0 &&
	    refname[strlen(cf->print_prefix) - 1] == '\0') {
		/* a tag named "print" would block every print/... tag */
		*msg = xasprintf("printgate: refusing %s: it would stand in "
		    "the way of every print tag (%s)\n", refname,
		    cf->print_tags);
		return 1;
	}
	if (!is_zero(newrev) && !config_ref_allowed(cf, refname)) {
		/* deleting such a ref is always allowed: it undoes it */
		*msg = gate_not_allowed(cf, refname);
		return 1;
	}
	if (!is_zero(newrev) && str_startswith(refname, "refs/replace/")) {
		/* an allow_refs glob may be wider than meant */
		*msg = xasprintf("printgate: refusing %s: replace refs are "
		    "never accepted (whatever allow_refs says): they make git "
		    "show other content for what was reviewed and printed\n",
		    refname);
		return 1;
	}
	return 0;
}

int
gate_update(const char *config_path, const char *gitdir, const char *refname,
    const char *oldrev, const char *newrev, const char *event_id, char **msg)
{
	struct gate_push p = { refname, oldrev, newrev, NULL, NULL,
	    GATE_LEDGER_TIMEOUT_MS, false, NULL, NULL, event_id };
	struct config *cf = NULL;
	char *errors = NULL;
	int error;

	*msg = NULL;
	if (strcmp(refname, LEDGER_REF) == 0 ||
	    str_startswith(refname, LEDGER_REF "/") ||
	    str_startswith(refname, PRINTGATE_REFS)) {
		*msg = xasprintf("printgate: refusing %s: printgate's own "
		    "refs are written only by printgate\n", refname);
		return 1;
	}
	if ((error = config_load(&cf, config_path, 0, &platform_configs,
	    &errors)) < 0) {
		/*
		 * Without a config the print tag pattern and allow_refs are
		 * unknown: let branches through, refuse everything else.
		 */
		if (str_startswith(refname, "refs/heads/")) {
			free(errors);
			return 0;
		}
		if (!str_startswith(refname, "refs/tags/")) {
			*msg = xasprintf("printgate: refusing %s: the printgate "
			    "configuration is broken, so only branches can "
			    "pass:\n%s  ask an administrator to run: "
			    "printgatectl -c %s check\n", refname,
			    errors ? errors : "", config_path);
			free(errors);
			return 1;
		}
		*msg = xasprintf("printgate: refusing %s: the printgate "
		    "configuration is broken, so no tag can pass:\n%s"
		    "  ask an administrator to run: printgatectl -c %s check\n",
		    refname + strlen("refs/tags/"), errors ? errors : "",
		    config_path);
		free(errors);
		return 1;
	}
	free(errors);
	p.pusher = gate_pusher_env(cf, &p.pusher_var);
	error = gate_decide(cf, NULL, gitdir, &p, msg);
	config_free(cf);
	return error;
}
