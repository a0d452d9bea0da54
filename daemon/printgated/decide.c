/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decide.c - the decision from an inbound request and the commands that
 * read (see decide.h).  The order never changes: map the platform user
 * to a person by the platform's people key (403), check the decision's
 * type (400), find the review (404; 409 when it is closed), check that
 * the person may decide on it (403), write the decision to the ledger
 * with compare-and-swap (503 when the ledger stays locked), then answer.
 * A refusal changes nothing.  The listener's decisions are written
 * together, one notes commit for all of those of a pass of the loop
 * (decide_flush()), each answered from its ticket once that is on disk.
 *
 * Repeated clicks and replays are idempotent: an event id derived from
 * the platform's action id is written once (it is looked up in the
 * replay-id table and in the whole review's ledger, so a restart forgets
 * nothing), and a person's decision identical to their latest one is not
 * written again.  Requests name reviews by print tag or hex commit id
 * only, never by a revision expression.
 */
#include "printgated/decide.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat/platform.h"
#include "core/ledger.h"
#include "core/log.h"
#include "core/record.h"
#include "core/util.h"
#include "core/verify.h"

/* The most waiting reviews the pending command lists. */
#define DECIDE_MAX_PENDING 50

/*
 * A decision staged for the next group commit (decide_flush()), held by
 * the request that waits for it (its slot, decide_set_slot()) and, until
 * it is written or has failed, by dc->staged.
 */
struct decide_ticket {
	enum { TICKET_STAGED, TICKET_WRITTEN, TICKET_FAILED } state;
	int error;		/* TICKET_FAILED's */
	bool orphan;		/* its request is gone: nobody to answer */
	bool idem;		/* id is the request's (a replay id) */
	char id[33];
	char commit[OID_HEX];
	size_t person;		/* in cf->people */
	/* what its answer needs once it is written */
	enum ledger_type type;
	char *by, *via;
	struct decide_outcome held;	/* its t, rv and review only */
};

struct decide {
	const struct config *cf;
	struct decide_env env;
	/* the platform of the request being answered (in cf->platforms) */
	size_t platform;
	/* a held lock will be waited for (decide_set_wait()): not logged */
	bool may_wait;
	/* the request's slot for a ticket, or NULL: written at once */
	void **slot;
	/* the group commit to come: batch.v[i] is staged[i]'s event */
	struct ledger_batch batch;
	struct decide_ticket **staged;
	int64_t staged_ms;	/* when the first of them was staged */
	bool flush_locked;	/* the last flush found the ledger locked */
};

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

void
decide_new(struct decide **out, const struct config *cf,
    const struct decide_env *env)
{
	struct decide *dc = xcalloc(1, sizeof(*dc));

	dc->cf = cf;
	dc->env = *env;
	if (dc->env.now == NULL)
		dc->env.now = wall_clock;
	*out = dc;
}

/*
 * Tickets made and not yet freed, of every decide: each holds a review
 * loaded with the configuration in use, which a reload must not free
 * under it (decide_tickets()).
 */
static size_t tickets_live;

static void
ticket_free(struct decide_ticket *tk)
{
	tickets_live--;
	free(tk->by);
	free(tk->via);
	decide_outcome_clear(&tk->held);
	free(tk);
}

/* Forgets what was staged: its requests are never answered. */
static void
staged_clear(struct decide *dc)
{
	for (size_t i = 0; i < dc->batch.n; i++) {
		if (dc->staged[i]->orphan)
			ticket_free(dc->staged[i]);
		else {
			dc->staged[i]->state = TICKET_FAILED;
			dc->staged[i]->error = -ECANCELED;
		}
	}
	free(dc->staged);
	dc->staged = NULL;
	ledger_batch_clear(&dc->batch);
}

void
decide_free(struct decide *dc)
{
	if (dc == NULL)
		return;
	staged_clear(dc);
	free(dc);
}

void
decide_set_config(struct decide *dc, const struct config *cf)
{
	dc->cf = cf;
}

void
decide_outcome_clear(struct decide_outcome *o)
{
	free(o->text);
	free(o->review);
	free(o->link);
	review_target_clear(&o->t);
	review_free(o->rv);
	memset(o, 0, sizeof(*o));
}

static void
fail(struct decide_outcome *o, int status, char *text)
{
	o->status = status;
	o->text = text;
}

/* The review of t, through the lender's memo when there is one. */
static int
load(struct decide *dc, const struct review_target *t, struct review **out,
    char **why)
{
	if (dc->env.load)
		return dc->env.load(dc->env.ctx, t->commit, t->tag,
		    t->tag_object, t->message, out, why);
	return review_load(out, dc->cf, dc->env.r, t->commit, t->tag,
	    t->tag_object[0] ? t->tag_object : NULL, t->message, why);
}

/* --- who asks ------------------------------------------------------ */

/* The row of the platform of the request being answered. */
static const struct platform *
current(const struct decide *dc)
{
	return platform_of(dc->cf->platforms->v[dc->platform]);
}

/*
 * The person the user of the request being answered is on its platform
 * (their id there, the platform's people key), or -1.
 */
static ssize_t
person_of_user(const struct decide *dc, const struct inbound *in)
{
	const struct config *cf = dc->cf;
	const struct platform *p = current(dc);

	for (size_t i = 0; i < cf->npeople; i++) {
		const char *id = config_person_handle(cf, i, dc->platform);

		if (id == NULL || in->user == NULL)
			continue;
		/*
		 * Only ids that do not change: Slack and Mattermost user
		 * names can be renamed to someone else's; Teams' second id
		 * is the Azure AD object id, which cannot.
		 */
		if (strcmp(id, in->user) == 0 || (p->user_alt_stable &&
		    in->user_alt && strcmp(id, in->user_alt) == 0))
			return (ssize_t)i;
	}
	return -1;
}

/* The refusal of a platform user who is no person printgate knows. */
static char *
unknown_user(const struct decide *dc, const struct inbound *in)
{
	const char *via = current(dc)->via;
	char q[64];

	return xasprintf("you (%s user %s) are not a reviewer printgate "
	    "knows; ask an administrator to add your %s id to a person in "
	    "printgate.conf", via, in->user ? inbound_quote(in->user, q,
	    sizeof(q)) : "?", via);
}

/* --- which review -------------------------------------------------- */

static bool
is_hex40(const char *s)
{
	return strlen(s) == OID_HEX - 1 &&
	    strspn(s, "0123456789abcdef") == OID_HEX - 1;
}

/* A commit's id as chat may give it: 4 to 40 hex digits. */
static bool
is_hex_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 4 && n <= OID_HEX - 1 &&
	    strspn(s, "0123456789abcdefABCDEF") == n;
}

/*
 * Whether s can be a tag's name and is no revision expression: none of
 * git's revision syntax (":/text", "HEAD~3", "main^", "main@{1}", "a..b",
 * "@", globs, backslashes), no space or control character.  What is left
 * is looked up as a ref, never evaluated.
 */
static bool
is_plain_name(const char *s)
{
	if (*s == '\0' || *s == '-' || strcmp(s, "@") == 0 ||
	    strstr(s, "@{") != NULL || strstr(s, "..") != NULL)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("~^:?*[\\", *p))
			return false;
	return true;
}

/*
 * A commit by its hex id, looked up among the commits only, never as a
 * ref of that name: a branch named "b1993e0" is not that commit.
 */
static int
target_by_id(struct decide *dc, const char *arg, struct review_target *t,
    char **why)
{
	char q[64], id[OID_HEX];
	int error;

	if ((error = repo_commit_by_id(dc->env.r, arg, id)) == 0)
		return review_resolve(t, dc->cf, dc->env.r, id, why);
	*why = error == -EINVAL ? xasprintf("'%s' is the start of more than "
	    "one object's id: give more of the commit's id", inbound_quote(arg,
	    q, sizeof(q))) : error == -ENOENT ? xasprintf("'%s' is no "
	    "commit's id", inbound_quote(arg, q, sizeof(q))) :
	    xasprintf("cannot look up the commit '%s': %s", inbound_quote(arg,
	    q, sizeof(q)), repo_strerror());
	return error == -EIO ? -EIO : -ENOENT;
}

/*
 * Resolves what a person typed in chat or sent to the API (arg) into *t:
 * only a print tag ("print/q1", "q1", "refs/tags/print/q1"), released or
 * waiting under refs/printgate/pending/, or a commit's hex id.  A
 * revision expression is refused (-EINVAL) before git sees it: libgit2
 * would evaluate ":/regex" by searching every commit's message, with the
 * whole daemon blocked meanwhile.  A name that is neither gives -ENOENT.
 * Sets *why for people either way.
 */
static int
target_resolve(struct decide *dc, const char *arg, struct review_target *t,
    char **why)
{
	const struct config *cf = dc->cf;
	const char *shortp = cf->print_prefix + strlen("refs/tags/");
	char *full, *pending, id[OID_HEX], q[64];
	int error;

	if (is_hex_id(arg))
		return target_by_id(dc, arg, t, why);
	if (!is_plain_name(arg)) {
		*why = xasprintf("'%s' is not a print tag or a commit id: name "
		    "a print tag (%sNAME), one waiting for approval, or a "
		    "commit by its hex id; revision expressions such as "
		    "HEAD~3, main@{1} or :/text are not accepted",
		    inbound_quote(arg, q, sizeof(q)), shortp);
		return -EINVAL;
	}
	full = str_startswith(arg, "refs/") ? xstrdup(arg) :
	    str_startswith(arg, shortp) ? xasprintf("refs/tags/%s", arg) :
	    xasprintf("%s%s", cf->print_prefix, arg);
	pending = str_startswith(full, cf->print_prefix) &&
	    strlen(full) > strlen(cf->print_prefix) ?
	    review_pending_ref(cf, full) : NULL;
	if (pending == NULL || (repo_ref_get(dc->env.r, full, id) < 0 &&
	    repo_ref_get(dc->env.r, pending, id) < 0)) {
		*why = xasprintf("'%s' is neither a print tag nor one waiting "
		    "for approval under %s", inbound_quote(arg, q, sizeof(q)),
		    PENDING_PREFIX);
		error = -ENOENT;
	} else
		error = review_resolve(t, cf, dc->env.r, full, why);
	free(full);
	free(pending);
	return error;
}

/*
 * The target of a button's "tag@commit": the tag's, which must still be
 * a candidate for that commit (409 for an earlier version), or the bare
 * commit when the tag is neither released nor waiting.
 */
static int
target_of_button(struct decide *dc, const char *review,
    struct decide_outcome *o)
{
	struct review_target *t = &o->t;
	const char *at = strrchr(review, '@');
	char *why = NULL, *tag = NULL, commit[OID_HEX];
	int error = 0;

	snprintf(commit, sizeof(commit), "%s", at ? at + 1 : review);
	if (!is_hex40(commit)) {
		fail(o, 400, xasprintf("malformed review '%s'", review));
		return -EINVAL;
	}
	if (at)
		tag = xstrndup(review, (size_t)(at - review));
	if (tag && target_resolve(dc, tag, t, &why) == 0 &&
	    (t->released || t->pending)) {
		if (strcmp(t->commit, commit) != 0) {
			fail(o, 409, xasprintf("this message is about an "
			    "earlier version of %s (%.7s); it now asks for "
			    "%.7s: decide on the newest message", tag, commit,
			    t->commit));
			error = -EALREADY;
		}
	} else {
		free(why);
		review_target_clear(t);
		if (repo_resolve_commit(dc->env.r, commit, t->commit) < 0) {
			fail(o, 404, xasprintf("no commit %.7s in the "
			    "repository", commit));
			error = -ENOENT;
		} else
			t->tag = tag ? xstrdup(tag) : NULL;
	}
	free(tag);
	return error;
}

/* The target a command names (TAG|REV); 503 when the repository is gone. */
static int
target_of_name(struct decide *dc, const char *name,
    struct decide_outcome *o)
{
	char *why = NULL;
	int error;

	if ((error = target_resolve(dc, name, &o->t, &why)) == 0)
		return 0;
	if (error == -EINVAL) {
		fail(o, 400, why);
		return error;
	}
	/* nothing found because the repository is gone: 503 */
	if (access(repo_path(dc->env.r), F_OK) != 0) {
		free(why);
		fail(o, 503, xasprintf("the repository '%s' is not there; "
		    "nothing was recorded", dc->cf->repository));
		log_warnx("record: repository '%s': %s", dc->cf->repository,
		    strerror(errno));
		return -EIO;
	}
	fail(o, 404, why);
	return -ENOENT;
}

/*
 * The review a request is about, into o->rv: a button's "tag@commit"
 * (which must still be the candidate of that tag), or a command's
 * TAG|REV; a released one is closed (409).
 */
static int
find_review(struct decide *dc, const struct inbound *in,
    struct decide_outcome *o)
{
	struct review_target *t = &o->t;
	char *why = NULL;
	int error;

	if (in->review)
		error = target_of_button(dc, in->review, o);
	else if (in->target)
		error = target_of_name(dc, in->target, o);
	else {
		fail(o, 400, xstrdup("which review? name a print tag"));
		error = -EINVAL;
	}
	if (error < 0)
		return error;	/* o->t is cleared with the outcome */
	if (t->released) {
		fail(o, 409, xasprintf("%s was already released; the review "
		    "is closed", t->tag));
		return -EALREADY;
	}
	if (load(dc, t, &o->rv, &why) < 0) {
		fail(o, 500, xasprintf("cannot read the review: %s", why));
		free(why);
		return -EIO;
	}
	o->review = t->tag ? xasprintf("%s@%s", t->tag, t->commit) :
	    xstrdup(t->commit);
	return 0;
}

/* --- the decision -------------------------------------------------- */

/*
 * Whether this decision is already in the ledger: a replay, or a repeat.
 * The event id is looked for in the whole review's ledger, the notes of
 * every commit in its scope and not only the candidate's: a request
 * recorded on an earlier version, whose decision carried over, replayed
 * after a restart must not be recorded on the new version and so
 * override the same person's later decision.  The ledger is in git, so
 * this holds across restarts and for requests that carry no timestamp
 * (Teams), for as long as the ledger lasts.
 */
enum repeat { NEW, REPLAY, SAME };

static enum repeat
already(const struct review *rv, const char *id, const char *person,
    enum ledger_type type, const char *comment)
{
	const struct ledger_event *latest = NULL;

	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (id && ev->id && strcmp(ev->id, id) == 0)
			return REPLAY;
		if (strcmp(ev->commit, rv->commit) != 0)
			continue;
		if (ledger_is_decision(ev->type) && strcmp(ev->by, person) == 0)
			latest = ev;
	}
	return latest && latest->type == type &&
	    ((latest->comment == NULL && comment == NULL) ||
	    (latest->comment && comment &&
	    strcmp(latest->comment, comment) == 0)) ? SAME : NEW;
}

/*
 * The event id of the decision into id[33]: derived from the platform
 * and idem, so that the same request gives the same id, or random.
 */
static int
event_id(const struct platform *p, const char *idem, char id[33])
{
	char *key, fp[65];

	if (idem == NULL)
		return util_random_id(id);
	key = xasprintf("%s\n%s", p->via, idem);
	verify_sha256_hex(key, strlen(key), fp);
	free(key);
	snprintf(id, 33, "%.32s", fp);
	return 0;
}

/*
 * Whether the request with event id was handled before (since start, or
 * by any review's ledger): answered before the review is loaded, posting
 * nothing back, so that a repeated click costs little and a captured one
 * replayed cannot make printgated post to the platform again and again.
 * 1 when it was (*o says so), 0 when not, or -1 when that cannot be told
 * (*o refuses).
 */
static int
replayed(struct decide *dc, const char *id, struct decide_outcome *o)
{
	if (replay_update(dc->env.replay, dc->env.r) < 0) {
		fail(o, 503, xstrdup("nothing was recorded: the ledger cannot "
		    "be read; try again"));
		log_warnx("record: read the event ids of '%s': %s", LEDGER_REF,
		    repo_strerror());
		return -1;
	}
	if (!replay_has(dc->env.replay, id))
		return 0;
	o->status = 200;
	o->repeat = true;
	o->text = xstrdup("already recorded: this request was handled before");
	return 1;
}

/*
 * Answers a decision the review's ledger has already (already()): a
 * replay or the same decision again.  False for a new one.
 */
static bool
answered_before(struct decide *dc, const char *id, size_t person,
    enum ledger_type type, const struct inbound *in,
    struct decide_outcome *o)
{
	const char *by = dc->cf->people[person].id;
	char *name = NULL;

	switch (already(o->rv, id, by, type, in->comment)) {
	case NEW:
		return false;
	case REPLAY:
		name = review_name(o->rv);
		o->repeat = true;
		o->text = xasprintf("already recorded: this request was "
		    "handled before (it is in the ledger of %s); nothing was "
		    "recorded again", name);
		break;
	case SAME:
		name = review_name(o->rv);
		o->text = xasprintf("already recorded: %s %s %s", by,
		    ledger_type_name(type), name);
		break;
	}
	o->status = 200;
	o->approved = o->rv->approved;
	free(name);
	return true;
}

/* Moves the review from's decision is about (t, rv, review) to to. */
static void
review_move(struct decide_outcome *to, struct decide_outcome *from)
{
	to->t = from->t;
	memset(&from->t, 0, sizeof(from->t));
	to->rv = from->rv;
	from->rv = NULL;
	to->review = from->review;
	from->review = NULL;
}

/*
 * Stages rec for the next group commit, with a ticket in the request's
 * slot that holds what its answer needs (o's review moves there): the
 * request waits (o->staged) and is answered once decide_flush() has
 * written it, or has failed.  Nothing is recorded yet either way.
 */
static void
stage(struct decide *dc, const struct record *rec, size_t person,
    bool idem, struct decide_outcome *o)
{
	struct decide_ticket *tk;

	if (record_stage(&dc->batch, dc->cf, o->rv, o->rv->commit, rec) < 0) {
		fail(o, 500, xstrdup("nothing was recorded: the ledger "
		    "cannot be written; try again"));
		log_warnx("record %s by %s: the event cannot be encoded",
		    ledger_type_name(rec->type), rec->by);
		return;
	}
	tk = xcalloc(1, sizeof(*tk));
	tickets_live++;
	tk->idem = idem;
	memcpy(tk->id, rec->id, sizeof(tk->id));
	snprintf(tk->commit, sizeof(tk->commit), "%s", o->rv->commit);
	tk->person = person;
	tk->type = rec->type;
	tk->by = xstrdup(rec->by);
	tk->via = xstrdup(rec->via);
	review_move(&tk->held, o);
	dc->staged = xreallocarray(dc->staged, dc->batch.n,
	    sizeof(*dc->staged));
	dc->staged[dc->batch.n - 1] = tk;
	if (dc->batch.n == 1)
		dc->staged_ms = util_mono_ms();
	*dc->slot = tk;
	o->staged = true;
}

/*
 * Whether a decision of person on commit, or one with event id, is
 * staged: a request that would be decided against a ledger without it
 * waits until it is written (then it is a replay, or the same again).
 */
static bool
staged_conflict(const struct decide *dc, const char *id, const char *commit,
    size_t person)
{
	for (size_t i = 0; i < dc->batch.n; i++) {
		const struct decide_ticket *tk = dc->staged[i];

		if (strcmp(tk->id, id) == 0 || (tk->person == person &&
		    strcmp(tk->commit, commit) == 0))
			return true;
	}
	return false;
}

/* Appends rec to o's review's ledger; on failure *o refuses. */
static int
write_decision(struct decide *dc, const struct record *rec,
    struct decide_outcome *o)
{
	unsigned retries = 0;
	char *name;
	int error;

	/* what is staged came first: it goes first */
	if (dc->batch.n > 0)
		decide_flush(dc);
	/* no wait here: a held lock is the listener's to wait for */
	error = record_append(dc->env.r, dc->cf, o->rv, o->rv->commit, rec, 0,
	    &retries);
	dc->env.m->ledger_retries += retries;
	if (error == 0)
		return 0;
	o->locked = error == -EBUSY;
	fail(o, o->locked ? 503 : 500, xasprintf("nothing was recorded: %s; "
	    "try again", o->locked ? "the ledger stayed locked by another "
	    "writer" : "the ledger cannot be written"));
	if (o->locked && dc->may_wait)
		return error;	/* tried again: logged when given up */
	name = review_name(o->rv);
	log_warnx("record %s of '%s' by %s: %s", ledger_type_name(rec->type),
	    name, rec->by, o->locked ? "timed out (the ledger stayed locked "
	    "by another writer)" : repo_strerror());
	free(name);
	return error;
}

/* After a decision was written: the review as it stands now, in words. */
static void
recorded(struct decide *dc, const struct record *rec,
    struct decide_outcome *o)
{
	struct review *after = NULL;
	char *why = NULL, *line, *name = review_name(o->rv);

	metrics_decision(dc->env.m, rec->type);
	log_info("record %s of '%s' by %s via %s", ledger_type_name(rec->type),
	    name, rec->by, rec->via);
	o->recorded = true;
	o->status = 200;
	/* the review as it stands now, for the answer and the update */
	if (load(dc, &o->t, &after, &why) == 0) {
		review_free(o->rv);
		o->rv = after;
	}
	free(why);
	o->approved = o->rv->approved;
	line = review_format_line(dc->cf, o->rv);
	o->text = xasprintf("recorded: %s %s %s\n%s%s", rec->by,
	    ledger_type_name(rec->type), name, line, o->approved &&
	    dc->cf->review.auto_release ? "; it is released now" : "");
	free(line);
	free(name);
}

/* The decision's type from in, or -1 with *o refusing it. */
static int
decision_type(const struct inbound *in, enum ledger_type *type,
    struct decide_outcome *o)
{
	if (ledger_type_parse(in->decision ? in->decision : "", type) < 0 ||
	    !ledger_is_decision(*type)) {
		fail(o, 400, xstrdup("the decision must be approve, "
		    "approve-with-changes or changes-required"));
		return -1;
	}
	return 0;
}

/* The rules person may decide on in o's review, or -1 with *o refusing. */
static int
eligible(struct decide *dc, size_t person, size_t **rules, size_t *nrules,
    struct decide_outcome *o)
{
	char *why = NULL, *name;

	if (review_eligible(dc->cf, o->rv, person, rules, nrules, &why) == 0)
		return 0;
	name = review_name(o->rv);
	fail(o, 403, xasprintf("you may not decide on %s: %s", name, why));
	free(name);
	free(why);
	return -1;
}

bool
decide_may_wait(int64_t waited_ms)
{
	return waited_ms + DECIDE_LEDGER_RETRY_MS < DECIDE_LEDGER_TIMEOUT_MS;
}

void
decide_set_wait(struct decide *dc, bool may_wait)
{
	dc->may_wait = may_wait;
}

/*
 * Keeps of rules[] (the person's eligible ones) those named in only[]
 * (none: all of them); -1 with *o refusing when a name is none of them.
 */
static int
rules_chosen(struct decide *dc, size_t *rules, size_t *nrules,
    char *const *only, size_t nonly, struct decide_outcome *o)
{
	size_t kept = 0;

	for (size_t i = 0; i < nonly; i++) {
		bool found = false;

		for (size_t k = 0; k < *nrules && !found; k++)
			found = strcmp(dc->cf->rules[rules[k]].name,
			    only[i]) == 0;
		if (!found) {
			fail(o, 403, xasprintf("you may not decide under the "
			    "rule '%.64s' of this review", only[i]));
			return -1;
		}
	}
	for (size_t k = 0; nonly > 0 && k < *nrules; k++) {
		bool named = false;

		for (size_t i = 0; i < nonly && !named; i++)
			named = strcmp(dc->cf->rules[rules[k]].name,
			    only[i]) == 0;
		if (named)
			rules[kept++] = rules[k];
	}
	if (nonly > 0)
		*nrules = kept;
	return 0;
}

/*
 * The link to rv's page for person (an index in cf->people, or -1 for
 * the channel's link, which lets nobody decide) into *out, or NULL.
 */
static void
page_link(struct decide *dc, const struct review *rv, ssize_t person,
    char **out)
{
	*out = NULL;
	if (rv->tag == NULL || dc->env.link == NULL ||
	    dc->env.link(dc->env.link_ctx, rv->tag, rv->commit, person < 0 ?
	    NULL : dc->cf->people[person].id, out) < 0)
		*out = NULL;
}

/*
 * A Teams person's answer: the whole channel sees it, so it names the
 * command and, at most, the channel's link (read-only), never the
 * person's own, which would let anyone there decide in their name.
 */
static char *
ask_in_public(struct decide *dc, const char *name, const char *command,
    const struct review *rv)
{
	const char *arg = rv->tag ? rv->tag : rv->commit;
	char *link, *text;

	page_link(dc, rv, -1, &link);
	text = xasprintf("Say what must change in %s: write %s changes %s "
	    "followed by what must change, or write it on the review page "
	    "through your own link (printgate's email to you has it; this "
	    "reply is seen by the whole channel, so it has none). Nothing "
	    "was recorded.%s%s", name, command, arg, link ? " The review, "
	    "to read: " : "", link ? link : "");
	free(link);
	return text;
}

/*
 * A changes-required without a comment from chat (a button, which
 * cannot carry one, or a command without one): nothing recorded; the
 * person is asked what must change, on the page through their own link
 * when their answer is for them alone and there is one (o->link), else
 * with the command.
 */
static void
comment_needed(struct decide *dc, size_t person, struct decide_outcome *o)
{
	const struct platform *p = current(dc);
	const char *command = p->command ? p->command : "/printgate";
	/* what the command takes: the tag, or the commit's id */
	const char *arg = o->rv->tag ? o->rv->tag : o->rv->commit;
	char *name = review_name(o->rv);

	o->status = 200;
	o->approved = o->rv->approved;
	if (p->answers_public) {
		o->text = ask_in_public(dc, name, command, o->rv);
		free(name);
		return;
	}
	page_link(dc, o->rv, (ssize_t)person, &o->link);
	if (o->link)
		o->text = xasprintf("Say what must change in %s: write it on "
		    "your review page, %s (this link is for you alone), or "
		    "type `%s changes %s what must change`. Nothing was "
		    "recorded.", name, o->link, command, arg);
	else
		o->text = xasprintf("Say what must change in %s: type `%s "
		    "changes %s what must change`. Nothing was recorded.",
		    name, command, arg);
	free(name);
}

/*
 * The decision of person (an index in cf->people) with the ledger's via
 * (owned by the caller), shared by the platforms and the page: the
 * replay check, the review, eligibility (narrowed to only[] when
 * nonly > 0), a decision already there, the ledger, the outcome.
 */
static void
record_as(struct decide *dc, size_t person, const char *via,
    const struct inbound *in, const char *idem, char *const *only,
    size_t nonly, bool ask_comment, struct decide_outcome *o)
{
	struct record rec = { 0 };
	size_t *rules = NULL, nrules = 0;

	if (decision_type(in, &rec.type, o) < 0)
		return;
	if (event_id(idem ? current(dc) : NULL, idem, rec.id) < 0) {
		fail(o, 500, xstrdup("cannot make an event id"));
		return;
	}
	if ((idem && replayed(dc, rec.id, o) != 0) ||
	    find_review(dc, in, o) < 0 ||
	    eligible(dc, person, &rules, &nrules, o) < 0 ||
	    rules_chosen(dc, rules, &nrules, only, nonly, o) < 0 ||
	    answered_before(dc, idem ? rec.id : NULL, person, rec.type, in,
	    o))
		goto done;
	if (ask_comment && rec.type == LEDGER_CHANGES_REQUIRED &&
	    in->comment == NULL) {
		comment_needed(dc, person, o);
		goto done;
	}
	if (dc->slot && staged_conflict(dc, rec.id, o->rv->commit, person)) {
		o->staged = true;
		o->locked = dc->flush_locked;	/* tried again less often */
		goto done;
	}
	rec.at = dc->env.now();
	rec.by = dc->cf->people[person].id;
	rec.via = via;
	rec.tag = o->rv->tag;
	rec.comment = in->comment;
	rec.rules = rules;
	rec.nrules = nrules;
	rec.fingerprints = true;
	if (dc->slot) {
		stage(dc, &rec, person, idem != NULL, o);
		goto done;
	}
	if (write_decision(dc, &rec, o) < 0)
		goto done;
	if (idem)
		replay_add(dc->env.replay, rec.id);
	recorded(dc, &rec, o);
done:
	free(rules);
}

/*
 * The answer of a request whose decision was staged (its ticket tk):
 * still waiting, recorded, or refused as a decision that could not be
 * written would be; the ticket is let go of once it has its answer.
 */
static void
finish(struct decide *dc, struct decide_ticket *tk, struct decide_outcome *o)
{
	struct record rec = { 0 };

	switch (tk->state) {
	case TICKET_STAGED:
		o->staged = true;
		o->locked = dc->flush_locked;
		return;
	case TICKET_WRITTEN:
		review_move(o, &tk->held);
		rec.type = tk->type;
		rec.by = tk->by;
		rec.via = tk->via;
		recorded(dc, &rec, o);
		break;
	case TICKET_FAILED:
		review_move(o, &tk->held);
		fail(o, tk->error == -EBUSY || tk->error == -ETIMEDOUT ? 503 :
		    500, xasprintf("nothing was recorded: %s; try again",
		    tk->error == -EBUSY || tk->error == -ETIMEDOUT ? "the "
		    "ledger stayed locked by another writer" : "the ledger "
		    "cannot be written"));
		break;
	}
	*dc->slot = NULL;
	ticket_free(tk);
}

void
decide_set_slot(struct decide *dc, void **slot)
{
	dc->slot = slot;
}

void
decide_ticket_drop(struct decide_ticket *tk)
{
	if (tk == NULL)
		return;
	if (tk->state == TICKET_STAGED)
		tk->orphan = true;	/* still written: decide_flush frees it */
	else
		ticket_free(tk);
}

size_t
decide_staged(const struct decide *dc)
{
	return dc->batch.n;
}

size_t
decide_tickets(const struct decide *dc)
{
	return tickets_live;
}

/* Logs a staged decision that a group commit failed to write. */
static void
staged_failed(const struct decide_ticket *tk, int error)
{
	char *name = review_name(tk->held.rv);

	log_warnx("record %s of '%s' by %s: %s", ledger_type_name(tk->type),
	    name, tk->by, error == -EBUSY ? "timed out (the ledger stayed "
	    "locked by another writer)" : repo_strerror());
	free(name);
}

int
decide_flush(struct decide *dc)
{
	unsigned retries = 0;
	int error;

	if (dc->batch.n == 0)
		return 0;
	error = ledger_batch_write(dc->env.r, &dc->batch, 0, &retries);
	dc->env.m->ledger_retries += retries;
	dc->flush_locked = error == -EBUSY;
	/* a held lock: tried again at the next pass, up to the bound */
	if (error == -EBUSY && util_mono_ms() - dc->staged_ms <
	    DECIDE_LEDGER_TIMEOUT_MS)
		return error;
	for (size_t i = 0; i < dc->batch.n; i++) {
		struct decide_ticket *tk = dc->staged[i];

		if (error < 0)
			staged_failed(tk, error);
		if (error == 0 && tk->idem)
			replay_add(dc->env.replay, tk->id);
		tk->state = error == 0 ? TICKET_WRITTEN : TICKET_FAILED;
		tk->error = error;
		if (tk->orphan)
			ticket_free(tk);
	}
	free(dc->staged);
	dc->staged = NULL;
	ledger_batch_clear(&dc->batch);
	dc->flush_locked = false;
	return error;
}

void
decide_record(struct decide *dc, size_t platform, const struct inbound *in,
    const char *idem, struct decide_outcome *o)
{
	const struct platform *p;
	char *via;
	ssize_t person;

	dc->platform = platform;
	if (dc->slot && *dc->slot) {
		finish(dc, *dc->slot, o);
		return;
	}
	p = current(dc);
	if ((person = person_of_user(dc, in)) < 0) {
		fail(o, 403, unknown_user(dc, in));
		return;
	}
	via = p->via_user ? xasprintf("%s:%s", p->via, in->user) :
	    xstrdup(p->via);
	/*
	 * A button cannot carry a comment, a person may forget one: ask
	 * for it (comment_needed()); a program through the API is not asked.
	 */
	record_as(dc, (size_t)person, via, in, idem, NULL, 0,
	    in->review != NULL || p->command != NULL, o);
	free(via);
}

void
decide_record_person(struct decide *dc, size_t person, const char *via,
    const struct inbound *in, char *const *rules, size_t nrules,
    struct decide_outcome *o)
{
	if (person >= dc->cf->npeople) {
		fail(o, 403, xstrdup("this link names no person printgate "
		    "knows"));
		return;
	}
	record_as(dc, person, via, in, NULL, rules, nrules, false, o);
}

/* --- the commands that read ---------------------------------------- */

/* Loads a waiting review through the lender's memo (review_loader). */
static int
pending_load(void *ctx, const char *tag, struct review **out)
{
	struct decide *dc = ctx;
	struct review_target t = { 0 };
	char *why = NULL;
	int error;

	if ((error = review_resolve(&t, dc->cf, dc->env.r, tag, &why)) == 0)
		error = load(dc, &t, out, &why);
	free(why);
	review_target_clear(&t);
	return error;
}

/* status TAG: the review's status, or why not (*status 404, 500). */
static char *
command_status(struct decide *dc, const char *target, int *status)
{
	struct review_target t = { 0 };
	struct review *rv = NULL;
	char *why = NULL, *text;

	if (target_resolve(dc, target, &t, &why) < 0) {
		*status = 404;
		return why;
	}
	if (load(dc, &t, &rv, &why) < 0) {
		review_target_clear(&t);
		*status = 500;
		return why;
	}
	text = review_format_status(dc->cf, rv);
	review_free(rv);
	review_target_clear(&t);
	return text;
}

/* pending: what waits for approval (*status 500 when it cannot tell). */
static char *
command_pending(struct decide *dc, int *status)
{
	struct buf b = { 0 };

	if (review_format_pending(dc->cf, dc->env.r, DECIDE_MAX_PENDING,
	    pending_load, dc, &b) < 0) {
		*status = 500;
		return xstrdup("cannot list the waiting reviews");
	}
	return buf_steal(&b);
}

/* who PATH: the rules that cover path, and who is in them. */
static char *
command_who(const struct config *cf, const char *path)
{
	struct buf b = { 0 };

	if (path)
		review_format_who(cf, path, "", false, &b);
	if (b.len == 0)
		buf_addf(&b, "%s: no rule; prints without review\n",
		    path ? path : "?");
	return buf_steal(&b);
}

char *
decide_command(struct decide *dc, size_t platform, const struct inbound *in,
    int *status)
{
	dc->platform = platform;
	*status = 200;
	if (person_of_user(dc, in) < 0) {
		*status = 403;
		return unknown_user(dc, in);
	}
	switch (in->kind) {
	case INBOUND_STATUS:
		if (in->target)
			return command_status(dc, in->target, status);
		/* FALLTHROUGH */
	case INBOUND_PENDING:
		return command_pending(dc, status);
	case INBOUND_WHO:
		return command_who(dc->cf, in->path);
	case INBOUND_HELP:
	case INBOUND_OPEN:
	case INBOUND_DECIDE:
		break;
	}
	return xstrdup("printgate commands:\n"
	    "  approve TAG [comment]\n"
	    "  approve-with-changes TAG [comment]\n"
	    "  changes TAG [what must change]\n"
	    "  status [TAG]\n"
	    "  pending\n"
	    "  who PATH\n");
}
