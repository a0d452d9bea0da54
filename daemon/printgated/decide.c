/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decide.c - the HTTP listener's routes: every route of every platform in
 * the table (chat/platform.h), served by one driver without knowing which
 * platform it serves; the decisions and the commands that read (status,
 * pending, who, help) those routes ask for; plus /healthz and /metrics.
 *
 * The order never changes: refuse 404 for a platform with no secret,
 * verify the request over its raw body with the route's step (or refuse
 * 401), parse it (400), map the platform user to a person by the
 * platform's people key (403),
 * find the review (404; 409 when it is closed), check that the person may
 * decide on it (403), write the decision to the ledger with
 * compare-and-swap (503 when the ledger stays locked), then answer.  A
 * refusal changes nothing.  Repeated clicks and replays are idempotent:
 * an event id derived from the platform's action id is written once (it
 * is looked up in the whole review's ledger, so a restart forgets
 * nothing), and a person's decision identical to their latest one is not
 * written again.  Requests name reviews by print tag or hex commit id
 * only, never by a revision expression.  What a route answers, in its
 * platform's format, is the platform file's (a Mattermost button click,
 * for one, records nothing: mattermost.c).
 */
#include "printgated/decide.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat/inbound.h"
#include "chat/notice.h"
#include "chat/platform.h"
#include "core/ledger.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/record.h"
#include "core/repo.h"
#include "core/review.h"
#include "core/util.h"
#include "core/verify.h"
#include "printgated/engine.h"
#include "printgated/refusal.h"

/* Action ids seen lately, across reviews: a replay against a newer
 * version of a review must not count either. */
#define DECIDE_SEEN 4096

/*
 * The event ids of the decisions in the whole ledger, as 16 bytes, in an
 * open-addressing table: a replay is known whatever review or version it
 * was recorded on (a tag moved to a rewritten commit has another scope),
 * and after a restart.  Ids that are not 32 hex digits are left out: the
 * ids derived from requests all are.
 */
struct idset {
	unsigned char (*v)[16];
	size_t n, cap;		/* cap: 0 or a power of two */
};

/* What a decision came to, for the platform's answer. */
struct outcome {
	int status;
	char *text;		/* for people: what happened, or why not */
	bool recorded;		/* a new ledger line */
	bool repeat;		/* a replay of a request handled before */
	bool approved;		/* the review is approved now */
	char *review;		/* "print/q1@<commit>" */
	struct review_target t;	/* what the request named */
	struct review *rv;	/* the review now, or NULL */
};

struct decide {
	char seen[DECIDE_SEEN][33];
	size_t nseen;
	struct idset ids;
	char ids_head[OID_HEX];	/* the notes commit ids is current with */
	const struct config *cf;
	struct engine *engine;
	struct decide_metrics *m;
	/* the platforms' secrets, by index in cf->platforms */
	char *secrets[CONFIG_MAX_PLATFORMS];
	int64_t (*now)(void);
	/* the request being answered: its platform (an index in
	 * cf->platforms) and what its last decision came to */
	size_t platform;
	struct outcome *last;
	struct platform_listener listener;
	/* the platform user of the request being answered, for the log of
	 * refusals (decide_answered()); "" until a request names one */
	char caller[128];
};


/* What the platforms' routes get from the listener (further down). */
static void listener_decide(void *ctx, const struct inbound *in,
    const char *idem, struct platform_outcome *out);
static char *listener_command(void *ctx, const struct inbound *in,
    int *status);
static void listener_post_back(void *ctx, const char *url, const char *body,
    const char *review, const char *what);
static char *listener_render(void *ctx);

/* id's 16 bytes, or -EINVAL when it is not 32 hex digits. */
static int
idset_key(const char *id, unsigned char key[16])
{
	static const char hex[] = "0123456789abcdef";

	if (id == NULL || strlen(id) != 32)
		return -EINVAL;
	for (size_t i = 0; i < 16; i++) {
		const char *hi = strchr(hex, id[2 * i]);
		const char *lo = strchr(hex, id[2 * i + 1]);

		if (id[2 * i] == '\0' || id[2 * i + 1] == '\0' || hi == NULL ||
		    lo == NULL)
			return -EINVAL;
		key[i] = (unsigned char)((hi - hex) << 4 | (lo - hex));
	}
	return 0;
}

/* Where key is in the table, or the empty slot where it would go. */
static size_t
idset_slot(const struct idset *set, const unsigned char key[16])
{
	static const unsigned char empty[16];
	size_t i;

	/* the ids are hashes already: their first bytes spread well */
	memcpy(&i, key, sizeof(i));
	for (i &= set->cap - 1;; i = (i + 1) & (set->cap - 1))
		if (memcmp(set->v[i], key, 16) == 0 ||
		    memcmp(set->v[i], empty, 16) == 0)
			return i;
}

static bool
idset_has(const struct idset *set, const char *id)
{
	unsigned char key[16];

	if (set->cap == 0 || idset_key(id, key) < 0)
		return false;
	return memcmp(set->v[idset_slot(set, key)], key, 16) == 0;
}

/* Adds id; the table stays at most half full.  The all-zero id is left
 * out (it marks an empty slot): no sha256 gives it. */
static void
idset_add(struct idset *set, const char *id)
{
	static const unsigned char empty[16];
	unsigned char key[16];

	if (idset_key(id, key) < 0 || memcmp(key, empty, 16) == 0 ||
	    idset_has(set, id))
		return;
	if (2 * (set->n + 1) > set->cap) {
		struct idset bigger = { xcalloc(set->cap ? 2 * set->cap : 1024,
		    16), 0, set->cap ? 2 * set->cap : 1024 };

		for (size_t i = 0; i < set->cap; i++)
			if (memcmp(set->v[i], empty, 16) != 0)
				memcpy(bigger.v[idset_slot(&bigger,
				    set->v[i])], set->v[i], 16);
		bigger.n = set->n;
		free(set->v);
		*set = bigger;
	}
	memcpy(set->v[idset_slot(set, key)], key, 16);
	set->n++;
}

static int
ids_add_event(void *ctx, const struct ledger_event *ev)
{
	struct decide *dc = ctx;

	if (ledger_is_decision(ev->type) && ev->id)
		idset_add(&dc->ids, ev->id);
	return 0;
}

/*
 * Brings dc->ids up to the ledger's head: the notes commits since the
 * last call (all of them the first time, once per start).  0, or a
 * negative code when the ledger cannot be read: then no decision may be
 * recorded, as a replay could not be told.
 */
static int
ids_update(struct decide *dc)
{
	struct repo *r = engine_repo(dc->engine);
	char head[OID_HEX] = "";
	bool rewritten = false;
	int error;

	error = repo_notes_head(r, LEDGER_REF, head);
	if (error == -ENOENT)
		return 0;
	if (error < 0 || strcmp(head, dc->ids_head) == 0)
		return error;
	if ((error = ledger_since(r, dc->ids_head[0] ? dc->ids_head : NULL,
	    head, ids_add_event, dc, &rewritten)) < 0)
		return error;
	memcpy(dc->ids_head, head, OID_HEX);
	return 0;
}

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

static void
outcome_clear(struct outcome *o)
{
	free(o->text);
	free(o->review);
	review_target_clear(&o->t);
	review_free(o->rv);
	memset(o, 0, sizeof(*o));
}

static void
fail(struct outcome *o, int status, char *text)
{
	o->status = status;
	o->text = text;
}

static void
secrets_free(char **s)
{
	for (size_t i = 0; i < CONFIG_MAX_PLATFORMS; i++) {
		if (s[i])
			memset(s[i], 0, strlen(s[i]));
		free(s[i]);
		s[i] = NULL;
	}
}

/*
 * Reads the secret of every platform of cf that has one configured into
 * out[] (by index in cf->platforms); on failure none, and *why.
 */
static int
secrets_load(const struct config *cf, char **out, char **why)
{
	size_t n = cf->platforms ? cf->platforms->n : 0;
	int error;

	for (size_t i = 0; i < n; i++) {
		const char *path = config_secret_file(cf, i);

		if (path == NULL)
			continue;
		if ((error = config_read_secret(path, &out[i])) < 0) {
			*why = xasprintf("cannot read the secret '%s': %s",
			    path, strerror(-error));
			secrets_free(out);
			return error;
		}
	}
	return 0;
}

int
decide_set_config(struct decide *dc, const struct config *cf, char **why)
{
	char *secrets[CONFIG_MAX_PLATFORMS] = { NULL };

	if (secrets_load(cf, secrets, why) < 0)
		return -EINVAL;
	secrets_free(dc->secrets);
	memcpy(dc->secrets, secrets, sizeof(secrets));
	dc->cf = cf;
	return 0;
}

int
decide_new(struct decide **out, const struct config *cf,
    struct engine *engine, struct decide_metrics *m, char **why)
{
	struct decide *dc = xcalloc(1, sizeof(*dc));

	dc->engine = engine;
	dc->m = m;
	dc->now = wall_clock;
	dc->listener = (struct platform_listener){ dc, listener_decide,
		listener_command, listener_post_back, listener_render };
	if (decide_set_config(dc, cf, why) < 0) {
		free(dc);
		return -EINVAL;
	}
	/* the ledger's ids now rather than at the first decision */
	if (ids_update(dc) < 0)
		log_warnx("read the event ids of '%s': %s, will retry at the "
		    "next decision", LEDGER_REF, repo_strerror());
	*out = dc;
	return 0;
}

void
decide_free(struct decide *dc)
{
	if (dc == NULL)
		return;
	secrets_free(dc->secrets);
	free(dc->ids.v);
	free(dc);
}

void
decide_set_clock(struct decide *dc, int64_t (*now)(void))
{
	dc->now = now;
}

void
decide_count(void *ctx, const char *route, int status)
{
	struct decide *dc = ctx;
	struct decide_metrics *m = dc->m;

	for (size_t i = 0; i < m->nrequests; i++) {
		if (m->requests[i].status == status &&
		    strcmp(m->requests[i].route, route) == 0) {
			m->requests[i].n++;
			return;
		}
	}
	if (m->nrequests == DECIDE_MAX_METRICS)
		return;
	m->requests[m->nrequests].route = route;
	m->requests[m->nrequests].status = status;
	m->requests[m->nrequests++].n = 1;
}

/* --- the decision ------------------------------------------------- */

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
 * Resolves what a person typed in chat or sent to the API (arg) into *t:
 * only a print tag ("print/q1", "q1", "refs/tags/print/q1"), released or
 * waiting under refs/printgate/pending/, or a commit's hex id.  A
 * revision expression is refused (-EINVAL) before git sees it: libgit2
 * would evaluate ":/regex" by searching every commit's message, with the
 * whole daemon blocked meanwhile.  A hex id is looked up among the
 * commits only, never as a ref of that name.  A name that is neither
 * gives -ENOENT.  Sets *why for people either way.
 */
static int
target_resolve(struct decide *dc, const char *arg, struct review_target *t,
    char **why)
{
	const struct config *cf = dc->cf;
	struct repo *r = engine_repo(dc->engine);
	const char *shortp = cf->print_prefix + strlen("refs/tags/");
	char *full, *pending, id[OID_HEX];
	int error;

	if (is_hex_id(arg)) {
		char q[64];

		/* by id only: a branch named "b1993e0" is not that commit */
		if ((error = repo_commit_by_id(r, arg, id)) == 0)
			return review_resolve(t, cf, r, id, why);
		*why = error == -EINVAL ? xasprintf("'%s' is the start of more "
		    "than one object's id: give more of the commit's id",
		    inbound_quote(arg, q, sizeof(q))) : error == -ENOENT ?
		    xasprintf("'%s' is no commit's id", inbound_quote(arg, q,
		    sizeof(q))) : xasprintf("cannot look up the commit '%s': "
		    "%s", inbound_quote(arg, q, sizeof(q)), repo_strerror());
		return error == -EIO ? -EIO : -ENOENT;
	}
	if (!is_plain_name(arg)) {
		char q[64];

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
	if (pending == NULL || (repo_ref_get(r, full, id) < 0 &&
	    repo_ref_get(r, pending, id) < 0)) {
		char q[64];

		*why = xasprintf("'%s' is neither a print tag nor one waiting "
		    "for approval under %s", inbound_quote(arg, q, sizeof(q)),
		    PENDING_PREFIX);
		error = -ENOENT;
	} else
		error = review_resolve(t, cf, r, full, why);
	free(full);
	free(pending);
	return error;
}

/*
 * The review a request is about: a button's "tag@commit" (which must
 * still be the candidate of that tag), or a command's TAG|REV.
 */
static int
find_review(struct decide *dc, const struct inbound *in, struct outcome *o)
{
	const struct config *cf = dc->cf;
	struct repo *r = engine_repo(dc->engine);
	struct review_target *t = &o->t;
	char *why = NULL, *tag = NULL, commit[OID_HEX];
	const char *at;
	int error;

	if (in->review) {
		at = strrchr(in->review, '@');
		snprintf(commit, sizeof(commit), "%s", at ? at + 1 :
		    in->review);
		if (!is_hex40(commit)) {
			fail(o, 400, xasprintf("malformed review '%s'",
			    in->review));
			return -EINVAL;
		}
		if (at)
			tag = xstrndup(in->review, (size_t)(at - in->review));
		if (tag && target_resolve(dc, tag, t, &why) == 0 &&
		    (t->released || t->pending)) {
			if (strcmp(t->commit, commit) != 0) {
				fail(o, 409, xasprintf("this message is about an "
				    "earlier version of %s (%.7s); it now asks "
				    "for %.7s: decide on the newest message",
				    tag, commit, t->commit));
				error = -EALREADY;
				goto done;
			}
		} else {
			free(why);
			why = NULL;
			review_target_clear(t);
			if (repo_resolve_commit(r, commit, t->commit) < 0) {
				fail(o, 404, xasprintf("no commit %.7s in the "
				    "repository", commit));
				error = -ENOENT;
				goto done;
			}
			t->tag = tag ? xstrdup(tag) : NULL;
		}
	} else if (in->target) {
		if ((error = target_resolve(dc, in->target, t, &why)) < 0) {
			if (error == -EINVAL) {
				fail(o, 400, why);
				return error;
			}
			/* nothing found because the repository is gone: 503 */
			if (access(repo_path(r), F_OK) != 0) {
				free(why);
				fail(o, 503, xasprintf("the repository '%s' is "
				    "not there; nothing was recorded",
				    cf->repository));
				log_warnx("record: repository '%s': %s",
				    cf->repository, strerror(errno));
				return -EIO;
			}
			fail(o, 404, why);
			return -ENOENT;
		}
	} else {
		fail(o, 400, xstrdup("which review? name a print tag"));
		return -EINVAL;
	}
	if (t->released) {
		fail(o, 409, xasprintf("%s was already released; the review "
		    "is closed", t->tag));
		error = -EALREADY;
		goto done;
	}
	if (engine_review_load(dc->engine, t->commit, t->tag,
	    t->tag_object, t->message, &o->rv, &why) < 0) {
		fail(o, 500, xasprintf("cannot read the review: %s", why));
		free(why);
		error = -EIO;
		goto done;
	}
	o->review = t->tag ? xasprintf("%s@%s", t->tag, t->commit) :
	    xstrdup(t->commit);
	error = 0;
done:
	free(tag);
	return error;	/* o->t is cleared with the outcome */
}

/* Whether an action with this event id was recorded since start. */
static bool
seen(const struct decide *dc, const char *id)
{
	size_t n = dc->nseen < DECIDE_SEEN ? dc->nseen : DECIDE_SEEN;

	for (size_t i = 0; i < n; i++)
		if (strcmp(dc->seen[i], id) == 0)
			return true;
	return false;
}

/*
 * Whether this decision is already in the ledger: a replay, or a repeat.
 * The event id is looked for in the whole review's ledger, the notes of
 * every commit in its scope and not only the candidate's: a request
 * recorded on an earlier version, whose decision carried over, replayed
 * after a restart (which empties seen()) must not be recorded on the new
 * version and so override the same person's later decision.  The ledger
 * is in git, so this holds across restarts and for requests that carry
 * no timestamp (Teams), for as long as the ledger lasts.
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
 * Records in's decision by the user of the current platform.  idem is
 * what makes the request unique on its platform (an action id, a
 * webhook-id), or NULL.
 */
static void
record(struct decide *dc, const struct inbound *in, const char *idem,
    struct outcome *o)
{
	const struct config *cf = dc->cf;
	struct repo *r = engine_repo(dc->engine);
	struct record rec = { 0 };
	enum ledger_type type;
	size_t *rules = NULL, nrules = 0;
	char *id = rec.id, fp[65], *via = NULL, *why = NULL, *name, *line;
	struct review *after = NULL;
	unsigned retries = 0;
	ssize_t person;
	int error;

	const struct platform *p = current(dc);

	snprintf(dc->caller, sizeof(dc->caller), "%s:%s", p->via,
	    in->user ? in->user : "?");
	if ((person = person_of_user(dc, in)) < 0) {
		fail(o, 403, unknown_user(dc, in));
		return;
	}
	if (ledger_type_parse(in->decision ? in->decision : "",
	    &type) < 0 || !ledger_is_decision(type)) {
		fail(o, 400, xstrdup("the decision must be approve, "
		    "approve-with-changes or changes-required"));
		return;
	}
	if (idem) {
		char *key = xasprintf("%s\n%s", p->via, idem);

		verify_sha256_hex(key, strlen(key), fp);
		free(key);
		snprintf(id, sizeof(rec.id), "%.32s", fp);
	} else if (util_random_id(id) < 0) {
		fail(o, 500, xstrdup("cannot make an event id"));
		return;
	}
	/*
	 * A replay of a request handled before (since start, or by any
	 * review's ledger) is answered before the review is loaded, and
	 * posts nothing back: a repeated
	 * click costs little, and a captured one replayed cannot make
	 * printgated post to the platform again and again.
	 */
	if (idem && ids_update(dc) < 0) {
		fail(o, 503, xstrdup("nothing was recorded: the ledger cannot "
		    "be read; try again"));
		log_warnx("record: read the event ids of '%s': %s", LEDGER_REF,
		    repo_strerror());
		return;
	}
	if (idem && (seen(dc, id) || idset_has(&dc->ids, id))) {
		o->status = 200;
		o->repeat = true;
		o->text = xstrdup("already recorded: this request was handled "
		    "before");
		return;
	}
	if (find_review(dc, in, o) < 0)
		return;
	if (review_eligible(cf, o->rv, (size_t)person, &rules, &nrules,
	    &why) < 0) {
		name = review_name(o->rv);
		fail(o, 403, xasprintf("you may not decide on %s: %s", name,
		    why));
		free(name);
		free(why);
		return;
	}
	name = review_name(o->rv);
	switch (already(o->rv, idem ? id : NULL, cf->people[person].id,
	    type, in->comment)) {
	case NEW:
		break;
	case REPLAY:
		o->status = 200;
		o->repeat = true;
		o->text = xasprintf("already recorded: this request was "
		    "handled before (it is in the ledger of %s); nothing was "
		    "recorded again", name);
		o->approved = o->rv->approved;
		free(rules);
		free(name);
		return;
	case SAME:
		o->status = 200;
		o->text = xasprintf("already recorded: %s %s %s", cf->people[
		    person].id, ledger_type_name(type), name);
		o->approved = o->rv->approved;
		free(rules);
		free(name);
		return;
	}
	rec.type = type;
	rec.at = dc->now();
	rec.by = cf->people[person].id;
	via = p->via_user ? xasprintf("%s:%s", p->via, in->user) :
	    xstrdup(p->via);
	rec.via = via;
	rec.tag = o->rv->tag;
	rec.comment = in->comment;
	rec.rules = rules;
	rec.nrules = nrules;
	rec.fingerprints = true;
	error = record_append(r, cf, o->rv, o->rv->commit, &rec,
	    DECIDE_LEDGER_TIMEOUT_MS, &retries);
	dc->m->ledger_retries += retries;
	if (error < 0) {
		fail(o, error == -ETIMEDOUT ? 503 : 500, xasprintf("nothing "
		    "was recorded: %s; try again", error == -ETIMEDOUT ?
		    "the ledger stayed locked by other writers" :
		    "the ledger cannot be written"));
		log_warnx("record %s of '%s' by %s: %s", ledger_type_name(
		    type), name, rec.by, error == -ETIMEDOUT ? "timed out" :
		    repo_strerror());
		goto done;
	}
	dc->m->decisions[type == LEDGER_APPROVE ? 0 :
	    type == LEDGER_APPROVE_WITH_CHANGES ? 1 : 2]++;
	log_info("record %s of '%s' by %s via %s", ledger_type_name(type),
	    name, rec.by, rec.via);
	o->recorded = true;
	o->status = 200;
	if (idem) {
		snprintf(dc->seen[dc->nseen % DECIDE_SEEN], 33, "%s", id);
		dc->nseen++;
	}
	/* the review as it stands now, for the answer and the update */
	if (engine_review_load(dc->engine, o->t.commit, o->t.tag,
	    o->t.tag_object, o->t.message, &after, &why) == 0) {
		review_free(o->rv);
		o->rv = after;
	}
	free(why);
	o->approved = o->rv->approved;
	line = review_format_line(cf, o->rv);
	o->text = xasprintf("recorded: %s %s %s\n%s%s", rec.by,
	    ledger_type_name(type), name, line, o->approved &&
	    cf->review.auto_release ? "; it is released now" : "");
	free(line);
done:
	free(via);
	free(rules);
	free(name);
}

/* --- the read-only commands -------------------------------------- */

/* The most waiting reviews the pending command lists. */
#define DECIDE_MAX_PENDING 50

/* Loads a waiting review through the engine's memo (review_loader). */
static int
pending_load(void *ctx, const char *tag, struct review **out)
{
	struct decide *dc = ctx;
	struct review_target t = { 0 };
	char *why = NULL;
	int error;

	if ((error = review_resolve(&t, dc->cf, engine_repo(dc->engine), tag,
	    &why)) == 0)
		error = engine_review_load(dc->engine, t.commit, t.tag,
		    t.tag_object, t.message, out, &why);
	free(why);
	review_target_clear(&t);
	return error;
}

/*
 * The answer to a command that reads (status, pending, who, help) from
 * the user of platform p, with *status 200; or, from a user who is no
 * person printgate knows, a refusal with *status 403, before anything is
 * looked up: reading the reviews is for the people in the config.
 */
static char *
command_text(struct decide *dc, const struct inbound *in, int *status)
{
	const struct config *cf = dc->cf;
	struct repo *r = engine_repo(dc->engine);
	struct buf b = { 0 };

	*status = 200;
	if (person_of_user(dc, in) < 0) {
		*status = 403;
		return unknown_user(dc, in);
	}
	switch (in->kind) {
	case INBOUND_STATUS: {
		struct review_target t = { 0 };
		struct review *rv = NULL;
		char *why = NULL;

		if (in->target == NULL)
			goto pending;
		if (target_resolve(dc, in->target, &t, &why) < 0) {
			*status = 404;
			return why;
		}
		if (engine_review_load(dc->engine, t.commit, t.tag,
		    t.tag_object, t.message, &rv, &why) < 0) {
			review_target_clear(&t);
			*status = 500;
			return why;
		}
		{
			char *text = review_format_status(cf, rv);

			buf_adds(&b, text);
			free(text);
		}
		review_free(rv);
		review_target_clear(&t);
		return buf_steal(&b);
	}
	case INBOUND_PENDING:
	pending:
		if (review_format_pending(cf, r, DECIDE_MAX_PENDING,
		    pending_load, dc, &b) < 0) {
			*status = 500;
			return xstrdup("cannot list the waiting reviews");
		}
		return buf_steal(&b);
	case INBOUND_WHO:
		if (in->path)
			review_format_who(cf, in->path, "", false, &b);
		if (b.len == 0)
			buf_addf(&b, "%s: no rule; prints without review\n",
			    in->path ? in->path : "?");
		return buf_steal(&b);
	case INBOUND_HELP:
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

/* --- the routes --------------------------------------------------- */

/* Queues a POST of body to a response_url the platform gave us. */
static void
post_back(struct decide *dc, const char *url, const char *body,
    const char *review, const char *what)
{
	char id[33];
	int error;

	if (!str_startswith(url, "https://") && !str_startswith(url, "http://"))
		return;
	if (util_random_id(id) < 0)
		return;
	error = outbox_put_url(engine_outbox(dc->engine), id, url, what,
	    review ? review : "-", body, strlen(body), dc->now() * 1000);
	if (error < 0)
		log_warnx("queue %s for '%s' to its response_url: %s", what,
		    review ? review : "-", strerror(-error));
}

static void
set_text(struct http_response *rs, int status, const char *text)
{
	rs->status = status;
	rs->body = xasprintf("%s\n", text);
}

/* --- what the platforms' routes get from the listener ------------ */

static void
listener_decide(void *ctx, const struct inbound *in, const char *idem,
    struct platform_outcome *out)
{
	struct decide *dc = ctx;
	struct outcome *o = dc->last;

	outcome_clear(o);
	record(dc, in, idem, o);
	out->status = o->status;
	out->text = o->text;
	out->recorded = o->recorded;
	out->repeat = o->repeat;
	out->approved = o->approved;
	out->review = o->review;
}

static char *
listener_command(void *ctx, const struct inbound *in, int *status)
{
	return command_text(ctx, in, status);
}

static void
listener_post_back(void *ctx, const char *url, const char *body,
    const char *review, const char *what)
{
	post_back(ctx, url, body, review, what);
}

/* The review of the last decision as the current platform shows it. */
static char *
listener_render(void *ctx)
{
	struct decide *dc = ctx;
	const struct review *rv = dc->last->rv;

	if (rv == NULL)
		return NULL;
	return engine_render(dc->engine, rv->approved ? NOTICE_APPROVED :
	    NOTICE_REQUEST, rv, dc->platform, dc->now() * 1000);
}

static const char *
request_header(const void *conn, const char *name)
{
	return http_header(conn, name);
}

/* The platform (an index in cf->platforms) and route rq is for. */
static const struct platform_route *
route_find(const struct decide *dc, const struct http_request *rq,
    size_t *platform)
{
	const struct config_platforms *pl = dc->cf->platforms;

	for (size_t i = 0; pl && i < pl->n; i++) {
		const struct platform *p = platform_of(pl->v[i]);

		for (size_t k = 0; p && k < p->nroutes; k++)
			if (strcmp(p->routes[k].path, rq->path) == 0 &&
			    strcmp(p->routes[k].method, rq->method) == 0) {
				*platform = i;
				return &p->routes[k];
			}
	}
	return NULL;
}

/*
 * Every platform's route: the platform without its secret refuses 404,
 * then the route verifies (401), parses (400) and answers, in the
 * platform's own format (chat/platform.h).
 */
static void
route_platform(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct decide *dc = ctx;
	struct platform_answer a = { 0 };
	struct inbound in = { 0 };
	struct outcome last = { 0 };
	const struct platform_route *r;
	const struct platform *p;
	size_t pi = 0;
	char *why = NULL;

	if ((r = route_find(dc, rq, &pi)) == NULL) {
		set_text(rs, 404, "404 not found");
		return;
	}
	p = platform_of(dc->cf->platforms->v[pi]);
	struct platform_request prq = { rq->body, rq->len, request_header, rq,
		dc->secrets[pi], dc->now(), &dc->listener };

	if (p->conf.secret_setting && dc->secrets[pi] == NULL) {
		why = xasprintf("%s is not configured here", p->title);
		r->refuse(404, why, &a);
	} else if (r->verify && r->verify(&prq, &why) < 0)
		r->refuse(401, why, &a);
	else if (r->parse(rq->body, rq->len, &in, &why) < 0)
		r->refuse(400, why, &a);
	else {
		dc->platform = pi;
		dc->last = &last;
		r->answer(&prq, &in, &a);
		outcome_clear(&last);
		dc->last = NULL;
	}
	free(why);
	inbound_clear(&in);
	rs->status = a.status;
	rs->content_type = a.content_type;
	rs->body = a.body;
}

static void
route_healthz(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	(void)ctx;
	(void)rq;
	set_text(rs, 200, "ok");
}

static void
route_metrics(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct decide *dc = ctx;
	const struct decide_metrics *m = dc->m;
	const struct engine_stats *st = engine_stats(dc->engine);
	struct buf b = { 0 };

	(void)rq;
	buf_adds(&b, "# HELP printgate_http_requests_total HTTP requests "
	    "answered, by endpoint and status.\n"
	    "# TYPE printgate_http_requests_total counter\n");
	for (size_t i = 0; i < m->nrequests; i++)
		buf_addf(&b, "printgate_http_requests_total{endpoint=\"%s\","
		    "status=\"%d\"} %llu\n", m->requests[i].route,
		    m->requests[i].status,
		    (unsigned long long)m->requests[i].n);
	buf_addf(&b, "# HELP printgate_decisions_total Decisions recorded "
	    "from chat and the API, by type.\n"
	    "# TYPE printgate_decisions_total counter\n"
	    "printgate_decisions_total{type=\"approve\"} %llu\n"
	    "printgate_decisions_total{type=\"approve-with-changes\"} %llu\n"
	    "printgate_decisions_total{type=\"changes-required\"} %llu\n",
	    (unsigned long long)m->decisions[0],
	    (unsigned long long)m->decisions[1],
	    (unsigned long long)m->decisions[2]);
	buf_addf(&b, "# HELP printgate_open_reviews Print tags waiting for "
	    "approval.\n# TYPE printgate_open_reviews gauge\n"
	    "printgate_open_reviews %u\n", st->open_reviews);
	buf_addf(&b, "# HELP printgate_outbox_depth Deliveries queued.\n"
	    "# TYPE printgate_outbox_depth gauge\nprintgate_outbox_depth "
	    "%zu\n", outbox_depth(engine_outbox(dc->engine)));
	buf_addf(&b, "# HELP printgate_deliveries_total Delivery attempts, by "
	    "result.\n# TYPE printgate_deliveries_total counter\n"
	    "printgate_deliveries_total{result=\"delivered\"} %llu\n"
	    "printgate_deliveries_total{result=\"retried\"} %llu\n"
	    "printgate_deliveries_total{result=\"given_up\"} %llu\n",
	    (unsigned long long)m->delivered, (unsigned long long)m->retried,
	    (unsigned long long)m->given_up);
	buf_addf(&b, "# HELP printgate_ledger_write_retries_total Ledger "
	    "appends that lost a race and were retried.\n"
	    "# TYPE printgate_ledger_write_retries_total counter\n"
	    "printgate_ledger_write_retries_total %llu\n",
	    (unsigned long long)(m->ledger_retries + st->ledger_retries));
	rs->status = 200;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	rs->body = buf_steal(&b);
}

/* The routes of every platform, then /healthz and /metrics. */
#define DECIDE_MAX_ROUTES 64

const struct http_route *
decide_routes(size_t *n)
{
	static struct http_route routes[DECIDE_MAX_ROUTES];
	static size_t nroutes;

	if (nroutes == 0) {
		for (size_t i = 0; i < platform_count; i++) {
			const struct platform *p = platform_table[i];

			for (size_t k = 0; k < p->nroutes &&
			    nroutes < DECIDE_MAX_ROUTES - 2; k++)
				routes[nroutes++] = (struct http_route){
					p->routes[k].method, p->routes[k].path,
					p->routes[k].content_type,
					route_platform, p->routes[k].name };
		}
		routes[nroutes++] = (struct http_route){ "GET", "/healthz",
			NULL, route_healthz, "healthz" };
		routes[nroutes++] = (struct http_route){ "GET", "/metrics",
			NULL, route_metrics, "metrics" };
	}
	*n = nroutes;
	return routes;
}

void
decide_answered(void *ctx, const char *route, int status, const char *type,
    const char *body)
{
	struct decide *dc = ctx;

	refusal_log(route, status, type, body, dc->caller);
	dc->caller[0] = '\0';
}
