/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.c - what printgated does, apart from waiting: it reads the ledger
 * as an event log and queues a chat message per event and channel; it
 * walks the reviews that wait under refs/printgate/pending/ to release the
 * approved ones from their kept tag objects and to remind and escalate the
 * others; and it checks that every print tag passed the gate.
 *
 * Everything it decides is written to the ledger first and acted on from
 * there, so a restart (or kill -9) repeats nothing and loses nothing: the
 * event log resumes after the last notes commit handled, and delivery ids
 * are derived from the event, the channel and the kind of message.
 */
#include "printgated/engine.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/ledger.h"
#include "core/record.h"
#include "core/log.h"
#include "chat/notice.h"
#include "chat/platform.h"
#include "printgated/notify.h"
#include "core/repo.h"
#include "core/review.h"
#include "core/util.h"
#include "core/verify.h"

#define QUARANTINE_PREFIX "refs/printgate/quarantine/"

struct tag_seen {
	char *name;
	char id[OID_HEX];
};

/*
 * A released event whose tag does not exist (yet): the hook writes it
 * before git creates the tag, and git may then not create it (an --atomic
 * push aborted by another ref).  Its message waits until the tag is there.
 */
struct held {
	struct ledger_event ev;	/* a copy: tag, tag_object, id, ... */
	int64_t until;		/* ms; dropped after, unannounced */
};

/* How long a released message waits for its tag. */
#define ENGINE_HOLD_MS (10 * 60 * 1000)
#define REPLACE_PREFIX "refs/replace/"

/*
 * Reviews loaded lately: a decision, the event it writes and the scan
 * after it each need the same review, and every scan needs each waiting
 * one (bench/: each was read five times per decision).
 */
#define ENGINE_MEMO 16
/* print tags read in one scan after which libgit2's caches are let go */
#define ENGINE_REFRESH_AFTER 100

struct memo {
	struct review *rv;	/* one holder of it; NULL when unused */
	char *tag;
	char *tag_object;
	char *message;
	uint64_t used;		/* a counter: the least recent goes */
};

struct engine {
	struct memo memo[ENGINE_MEMO];
	uint64_t memo_clock;
	const struct config *cf;
	struct repo *r;
	struct outbox *ob;
	int statefd;		/* cf->state_dir, checked */
	char *state_file;
	char last[OID_HEX];	/* the last notes commit handled, or "" */
	bool have_state;
	struct tag_seen *seen;	/* print tags known to have passed */
	size_t nseen;
	struct tag_seen *replaces;	/* replace refs recorded */
	size_t nreplaces;
	struct held *held;	/* released messages waiting for the tag */
	size_t nheld;
	/* the secrets of the platforms whose buttons carry a token made
	 * with it (their row's buttons), by index in cf->platforms */
	char *keys[CONFIG_MAX_PLATFORMS];
	int64_t now;		/* of the scan under way, ms */
	struct engine_stats st;
};

static void
engine_forget_keys(struct engine *e)
{
	for (size_t i = 0; i < CONFIG_MAX_PLATFORMS; i++) {
		if (e->keys[i])
			memset(e->keys[i], 0, strlen(e->keys[i]));
		free(e->keys[i]);
		e->keys[i] = NULL;
	}
}

/* Reads the secrets the platforms' buttons are made with. */
static int
engine_load_keys(struct engine *e, char **why)
{
	const struct config_platforms *pl = e->cf->platforms;
	int error;

	engine_forget_keys(e);
	for (size_t i = 0; pl && i < pl->n; i++) {
		const struct platform *p = platform_of(pl->v[i]);
		const char *file = config_secret_file(e->cf, i);

		if (p == NULL || p->buttons == NULL || file == NULL)
			continue;
		if ((error = config_read_secret(file, &e->keys[i])) < 0) {
			*why = xasprintf("cannot read '%s': %s", file,
			    strerror(-error));
			engine_forget_keys(e);
			return error;
		}
	}
	return 0;
}

static void
memo_clear(struct memo *m)
{
	review_free(m->rv);
	free(m->tag);
	free(m->tag_object);
	free(m->message);
	memset(m, 0, sizeof(*m));
}

static void
engine_forget_reviews(struct engine *e)
{
	for (size_t i = 0; i < ENGINE_MEMO; i++)
		memo_clear(&e->memo[i]);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
engine_review_load(struct engine *e, const char *commit, const char *tag,
    const char *tag_object, const char *message, struct review **out,
    char **why)
{
	struct memo *m = NULL;
	int error;

	if (tag_object && tag_object[0] == '\0')
		tag_object = NULL;
	for (size_t i = 0; i < ENGINE_MEMO && m == NULL; i++) {
		struct memo *c = &e->memo[i];

		if (c->rv && strcmp(c->rv->commit, commit) == 0 &&
		    same_str(c->tag, tag) && same_str(c->tag_object,
		    tag_object) && same_str(c->message, message))
			m = c;
	}
	if (m && review_fresh(e->cf, e->r, m->rv)) {
		m->used = ++e->memo_clock;
		*out = review_ref(m->rv);
		return 0;
	}
	if ((error = review_load(out, e->cf, e->r, commit, tag, tag_object,
	    message, why)) < 0)
		return error;
	if (m == NULL) {
		m = &e->memo[0];
		for (size_t i = 1; i < ENGINE_MEMO; i++)
			if (e->memo[i].used < m->used)
				m = &e->memo[i];
	}
	memo_clear(m);
	m->rv = review_ref(*out);
	m->tag = tag ? xstrdup(tag) : NULL;
	m->tag_object = tag_object ? xstrdup(tag_object) : NULL;
	m->message = message ? xstrdup(message) : NULL;
	m->used = ++e->memo_clock;
	return 0;
}

static void
engine_forget_seen(struct engine *e)
{
	for (size_t i = 0; i < e->nseen; i++)
		free(e->seen[i].name);
	free(e->seen);
	e->seen = NULL;
	e->nseen = 0;
	for (size_t i = 0; i < e->nreplaces; i++)
		free(e->replaces[i].name);
	free(e->replaces);
	e->replaces = NULL;
	e->nreplaces = 0;
}

static void
held_clear(struct held *h)
{
	free(h->ev.by);
	free(h->ev.via);
	free(h->ev.tag);
	free(h->ev.tag_object);
	free(h->ev.comment);
	free(h->ev.id);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Keeps a copy of a released event until its tag exists. */
static void
engine_hold(struct engine *e, const struct ledger_event *ev)
{
	struct held *h;

	e->held = xreallocarray(e->held, e->nheld + 1, sizeof(*e->held));
	h = &e->held[e->nheld++];
	memset(h, 0, sizeof(*h));
	h->ev.type = ev->type;
	h->ev.at = ev->at;
	h->ev.by = dup_or_null(ev->by);
	h->ev.via = dup_or_null(ev->via);
	h->ev.tag = dup_or_null(ev->tag);
	h->ev.tag_object = dup_or_null(ev->tag_object);
	h->ev.comment = dup_or_null(ev->comment);
	h->ev.id = dup_or_null(ev->id);
	memcpy(h->ev.commit, ev->commit, OID_HEX);
	h->ev.line = ev->line;
	h->until = e->now + ENGINE_HOLD_MS;
}

/* 1 when ev's tag exists with ev's tag object, 0 when not, or -1. */
static int
engine_tag_is(struct engine *e, const struct ledger_event *ev)
{
	char *full = xasprintf("refs/tags/%s", ev->tag), id[OID_HEX];
	int error = repo_ref_get(e->r, full, id);

	free(full);
	if (error == -ENOENT)
		return 0;
	if (error < 0)
		return -1;
	return strcmp(id, ev->tag_object) == 0;
}

int
engine_new(struct engine **out, const struct config *cf, char **why)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	struct stat st = { 0 };
	FILE *f = NULL;
	int fd, error;

	e->cf = cf;
	e->statefd = -1;
	if ((error = repo_open(&e->r, cf->repository, why)) < 0)
		goto fail;
	if ((error = util_state_dir_open(&e->statefd, cf->state_dir,
	    UTIL_DIR_CREATE, NULL, why)) < 0 ||
	    (error = outbox_open(&e->ob, cf->state_dir, why)) < 0)
		goto fail;
	if ((error = engine_load_keys(e, why)) < 0)
		goto fail;
	e->state_file = xasprintf("%s/%s", cf->state_dir, ENGINE_STATE_FILE);
	/* never through a link; missing is a first start, other errors are
	 * errors */
	fd = openat(e->statefd, ENGINE_STATE_FILE, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 && errno != ENOENT) {
		error = -errno;
		*why = xasprintf("cannot read '%s': %s", e->state_file,
		    error == -ELOOP ? "it is a symbolic link, which printgate "
		    "does not follow: remove it" : strerror(-error));
		goto fail;
	}
	/* a folder or a FIFO there is no first start: refuse it */
	if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))) {
		error = st.st_mode == 0 ? -errno : -EINVAL;
		*why = xasprintf("cannot read '%s': %s", e->state_file,
		    error == -EINVAL ? "it is not a regular file: remove it "
		    "(printgated then starts the event log afresh)" :
		    strerror(-error));
		close(fd);
		goto fail;
	}
	if (fd != -1 && (f = fdopen(fd, "r")) == NULL)
		close(fd);
	if (f != NULL) {
		char line[128];

		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (strlen(line) == OID_HEX - 1) {
				memcpy(e->last, line, OID_HEX);
				e->have_state = true;
			} else if (strcmp(line, "none") == 0)
				e->have_state = true;
		}
		if (ferror(f)) {
			error = -EIO;
			*why = xasprintf("cannot read '%s': %s", e->state_file,
			    strerror(errno));
			fclose(f);
			goto fail;
		}
		fclose(f);
	}
	*out = e;
	return 0;
fail:
	engine_free(e);
	return error;
}

void
engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	engine_forget_reviews(e);
	repo_free(e->r);
	outbox_free(e->ob);
	if (e->statefd != -1)
		close(e->statefd);
	free(e->state_file);
	engine_forget_seen(e);
	for (size_t i = 0; i < e->nheld; i++)
		held_clear(&e->held[i]);
	free(e->held);
	engine_forget_keys(e);
	free(e);
}

int
engine_set_config(struct engine *e, const struct config *cf, char **why)
{
	const struct config *old = e->cf;

	e->cf = cf;
	if (engine_load_keys(e, why) < 0) {
		e->cf = old;
		engine_load_keys(e, why);
		return -EINVAL;
	}
	engine_forget_seen(e);
	engine_forget_reviews(e);
	return 0;
}

struct outbox *
engine_outbox(struct engine *e)
{
	return e->ob;
}

const struct engine_stats *
engine_stats(const struct engine *e)
{
	return &e->st;
}

/* Writes the last handled notes commit (util_write_atomic()). */
static int
engine_save_state(struct engine *e)
{
	char *text = xasprintf("%s\n", e->last[0] ? e->last : "none");
	int error;

	error = util_write_atomic(e->statefd, ENGINE_STATE_FILE, text,
	    strlen(text), 0600, (uid_t)-1, (gid_t)-1);
	if (error < 0)
		log_warnx("save state '%s': %s, will handle the same events "
		    "again after a restart", e->state_file, strerror(-error));
	free(text);
	return error;
}

/*
 * Writes an event of the daemon's own to the ledger, naming rv's rules
 * that apply and (but for a release) are not met yet.
 */
static int
engine_record(struct engine *e, const char *commit, enum ledger_type type,
    const char *tag, const char *tag_object, const struct review *rv,
    const char *comment)
{
	struct record rec;
	size_t *rules = NULL;
	unsigned retries = 0;
	int error;

	if ((error = record_init(&rec, type, e->now / 1000)) < 0)
		return error;
	rec.by = "printgate";
	rec.via = ENGINE_VIA;
	rec.tag = tag;
	rec.tag_object = tag_object;
	rec.comment = comment;
	if (rv) {
		rules = xcalloc(rv->nrules ? rv->nrules : 1, sizeof(size_t));
		for (size_t i = 0; i < rv->nrules; i++)
			if (rv->rules[i].applies && (type == LEDGER_RELEASED ||
			    rv->rules[i].approvals <
			    e->cf->rules[i].required || rv->rules[i].blocked))
				rules[rec.nrules++] = i;
		rec.rules = rules;
	}
	error = record_append(e->r, e->cf, rv, commit, &rec,
	    ENGINE_LEDGER_TIMEOUT_MS, &retries);
	e->st.ledger_retries += retries;
	free(rules);
	if (error < 0)
		log_warnx("write %s event of '%s': %s, will retry at the next "
		    "scan", ledger_type_name(type), tag ? tag : commit,
		    error == -ETIMEDOUT ? "the ledger stayed locked" :
		    repo_strerror());
	return error;
}

/* --- messages ------------------------------------------------------ */

/* browse_url with {commit} and {path} filled in, or NULL. */
static char *
browse_link(const struct config *cf, const char *commit, const char *path)
{
	struct buf b = { 0 };
	const char *p;

	if (cf->browse_url == NULL)
		return NULL;
	for (p = cf->browse_url; *p;) {
		if (str_startswith(p, "{commit}")) {
			buf_adds(&b, commit);
			p += strlen("{commit}");
		} else if (str_startswith(p, "{path}")) {
			for (const char *q = path; *q; q++) {
				unsigned char c = (unsigned char)*q;

				if ((c >= 'a' && c <= 'z') || (c >= 'A' &&
				    c <= 'Z') || (c >= '0' && c <= '9') ||
				    strchr("-._~/", c))
					buf_add(&b, q, 1);
				else
					buf_addf(&b, "%%%02X", c);
			}
			p += strlen("{path}");
		} else
			buf_add(&b, p++, 1);
	}
	return buf_steal(&b);
}

/* A person of the config as a notice shows them, with their platform ids. */
static struct notice_person
notice_person_of(const struct config *cf, size_t i)
{
	const struct config_person *p = &cf->people[i];
	const struct config_platforms *pl = cf->platforms;
	struct notice_person np = { p->id, p->name, { { NULL, NULL } } };
	size_t k = 0;

	for (size_t j = 0; pl && j < pl->n && k < NOTICE_MAX_HANDLES; j++) {
		const char *h = config_person_handle(cf, i, j);

		if (h != NULL)
			np.handles[k++] = (struct notice_handle){
				pl->v[j]->name, h };
	}
	return np;
}

/* Everything a notice points at, freed together. */
struct notice_data {
	struct notice n;
	struct notice_file files[NOTICE_MAX_FILES];
	struct notice_rule *rules;
	struct notice_person *asked;
	struct notice_person by;
	char *review;
	char *status_command;
	struct platform_buttons buttons;	/* of the target's platform */
};

static void
notice_data_free(struct notice_data *nd)
{
	for (size_t i = 0; i < nd->n.nfiles; i++)
		free((char *)nd->files[i].url);
	free(nd->rules);
	free(nd->asked);
	free(nd->review);
	free(nd->status_command);
	free(nd->buttons.url);
}

static void
add_asked(struct notice_data *nd, const struct config *cf, size_t person)
{
	for (size_t i = 0; i < nd->n.nasked; i++)
		if (strcmp(nd->asked[i].id, cf->people[person].id) == 0)
			return;
	if (nd->n.nasked >= NOTICE_MAX_PEOPLE)
		return;
	nd->asked[nd->n.nasked++] = notice_person_of(cf, person);
}

static void
notice_build(struct engine *e, struct notice_data *nd, enum notice_kind kind,
    const struct ledger_event *ev, const struct review *rv)
{
	const struct config *cf = e->cf;
	ssize_t by;

	memset(nd, 0, sizeof(*nd));
	nd->n.kind = kind;
	nd->n.event_id = ev->id;
	nd->n.tag = rv->tag;
	nd->n.commit = rv->commit;
	nd->n.base_tag = rv->base_tag;
	nd->n.at = ev->at;
	nd->review = rv->tag ? xasprintf("%s@%s", rv->tag, rv->commit) :
	    xstrdup(rv->commit);
	nd->n.review = nd->review;
	nd->status_command = xasprintf("printgatectl status %s",
	    rv->tag ? rv->tag : rv->commit);
	nd->n.status_command = nd->status_command;
	nd->n.nfiles_total = rv->nfiles;
	for (size_t i = 0; i < rv->nfiles && i < NOTICE_MAX_FILES; i++) {
		nd->files[i].path = rv->files[i].path;
		nd->files[i].status = rv->files[i].status;
		nd->files[i].url = browse_link(cf, rv->commit,
		    rv->files[i].path);
		nd->n.nfiles++;
	}
	nd->n.files = nd->files;
	nd->rules = xcalloc(rv->nrules, sizeof(*nd->rules));
	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];
		struct notice_rule *nr = &nd->rules[nd->n.nrules];

		if (!rr->applies)
			continue;
		nr->name = cf->rules[i].name;
		nr->group = cf->groups[cf->rules[i].group].name;
		nr->approvals = rr->approvals;
		nr->required = cf->rules[i].required;
		nr->blocked = rr->blocked;
		nr->met = !rr->blocked && rr->approvals >= nr->required;
		for (size_t m = 0; m < rr->nmembers && !nr->again; m++)
			nr->again = rr->members[m].changed;
		nd->n.nrules++;
	}
	nd->n.rules = nd->rules;
	for (size_t i = 0; i < rv->ntrailers; i++)
		if (strcasecmp(rv->trailers[i].key, "Print-By") == 0)
			nd->n.deadline = rv->trailers[i].value;
	nd->asked = xcalloc(NOTICE_MAX_PEOPLE, sizeof(*nd->asked));
	nd->n.asked = nd->asked;
	switch (kind) {
	case NOTICE_CHANGES:
		for (size_t i = 0; i < rv->nauthors; i++)
			add_asked(nd, cf, rv->authors[i]);
		break;
	case NOTICE_ESCALATE:
		/* an escalation event written while escalate_to was set */
		if (cf->review.escalate_to != SIZE_MAX) {
			const struct config_group *g =
			    &cf->groups[cf->review.escalate_to];

			for (size_t i = 0; i < g->nmembers; i++)
				add_asked(nd, cf, g->members[i]);
			break;
		}
		/* FALLTHROUGH */
	case NOTICE_REQUEST:
	case NOTICE_REMIND:
	case NOTICE_DECISION:
		for (size_t i = 0; i < rv->nrules; i++) {
			const struct review_rule *rr = &rv->rules[i];

			if (!rr->applies || (!rr->blocked && rr->approvals >=
			    cf->rules[i].required))
				continue;
			for (size_t m = 0; m < rr->nmembers; m++)
				if (rr->members[m].state == MEMBER_PENDING)
					add_asked(nd, cf, rr->members[m].person);
		}
		break;
	case NOTICE_APPROVED:
	case NOTICE_VIOLATION:
		for (size_t g = 0; g < cf->nrelease_managers; g++) {
			const struct config_group *grp =
			    &cf->groups[cf->release_managers[g]];

			for (size_t i = 0; i < grp->nmembers; i++)
				add_asked(nd, cf, grp->members[i]);
		}
		break;
	case NOTICE_RELEASED:
		break;
	}
	by = config_person_find(cf, ev->by);
	if (by >= 0) {
		nd->by = notice_person_of(cf, (size_t)by);
		nd->n.by = &nd->by;
	} else if (kind == NOTICE_DECISION || kind == NOTICE_RELEASED) {
		nd->by.id = nd->by.name = ev->by;
		nd->n.by = &nd->by;
	}
	if (ledger_is_decision(ev->type))
		nd->n.decision = ledger_type_name(ev->type);
	nd->n.comment = ev->comment;
	if (kind == NOTICE_VIOLATION)
		nd->n.reason = ev->comment;
	nd->n.auto_release = cf->review.auto_release;
}

/*
 * The body of nd's notice for a target of platform (an index in
 * cf->platforms): with the buttons of that platform, when it has some
 * and its secret and the public URL are configured; the caller frees it.
 */
static char *
notice_format(struct engine *e, struct notice_data *nd, size_t platform)
{
	const struct platform *p = platform_of(e->cf->platforms->v[platform]);

	free(nd->buttons.url);
	memset(&nd->buttons, 0, sizeof(nd->buttons));
	nd->n.actions_url = NULL;
	memset(nd->n.action_token, 0, sizeof(nd->n.action_token));
	if (p == NULL)
		return NULL;
	if (p->buttons && e->cf->http.public_url && e->keys[platform]) {
		p->buttons(e->cf->http.public_url, e->keys[platform],
		    nd->review, &nd->buttons);
		nd->n.actions_url = nd->buttons.url;
		for (int i = 0; i < 3; i++)
			nd->n.action_token[i] = nd->buttons.token[i];
	}
	return p->format(&nd->n);
}

static bool
target_wants(const struct config_notify *t, enum ledger_type type)
{
	if (t->nevents == 0)
		return true;
	for (size_t i = 0; i < t->nevents; i++)
		if (strcmp(t->events[i], ledger_type_name(type)) == 0)
			return true;
	return false;
}

char *
engine_render(struct engine *e, int kind, const struct review *rv,
    size_t platform, int64_t now_ms)
{
	struct ledger_event ev = { 0 };
	struct notice_data nd;
	char *body;

	ev.type = LEDGER_REQUEST;
	ev.at = now_ms / 1000;
	ev.by = (char *)"printgate";
	ev.via = (char *)ENGINE_VIA;
	notice_build(e, &nd, (enum notice_kind)kind, &ev, rv);
	body = notice_format(e, &nd, platform);
	notice_data_free(&nd);
	return body;
}

struct repo *
engine_repo(struct engine *e)
{
	return e->r;
}

/*
 * The delivery id of a notice of kind about ev to target (and person to,
 * for a platform that delivers to each person): stable across restarts,
 * from the event, the channel and the kind of message, into id[33].
 */
static void
delivery_id(const struct ledger_event *ev, const struct config_notify *t,
    enum notice_kind kind, const struct notice_person *to, char id[33])
{
	char *key, fp[65];

	if (ev->id)
		key = xasprintf("%s\n%s\n%s", ev->id, t->name,
		    notice_kind_name(kind));
	else
		key = xasprintf("%s:%zu:%lld\n%s\n%s", ev->commit, ev->line,
		    (long long)ev->at, t->name, notice_kind_name(kind));
	if (to != NULL) {
		char *k2 = xasprintf("%s\n%s", key, to->id);

		free(key);
		key = k2;
	}
	verify_sha256_hex(key, strlen(key), fp);
	snprintf(id, 33, "%.32s", fp);
	free(key);
}

/* Formats nd's notice for target t and puts it in the outbox. */
static int
engine_queue_one(struct engine *e, const struct ledger_event *ev,
    enum notice_kind kind, const struct config_notify *t,
    struct notice_data *nd)
{
	char *body, id[33];
	int error;

	if ((body = notice_format(e, nd, t->platform)) == NULL) {
		log_warnx("format %s message for '%s': failed, skipped",
		    notice_kind_name(kind), t->name);
		return 0;
	}
	delivery_id(ev, t, kind, nd->n.to, id);
	error = outbox_put(e->ob, id, t->name, ledger_type_name(ev->type),
	    nd->review, body, strlen(body), e->now);
	if (error == 0)
		log_info("queue %s for '%s' to %s:%s: delivery %s",
		    notice_kind_name(kind), nd->review, t->type->name, t->name,
		    id);
	else if (error < 0)
		log_warnx("queue %s for '%s' to %s: %s, will retry",
		    notice_kind_name(kind), nd->review, t->name,
		    strerror(-error));
	free(body);
	return error > 0 ? 0 : error;	/* > 0: queued before a restart */
}

/*
 * Queues one notice to every channel that wants its event: one delivery a
 * channel, or, for a platform that delivers to each person, one to each
 * person asked.
 */
static int
engine_queue(struct engine *e, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv)
{
	const struct config *cf = e->cf;
	struct notice_data nd;
	int error = 0;

	notice_build(e, &nd, kind, ev, rv);
	for (size_t i = 0; i < cf->nnotify && error == 0; i++) {
		const struct config_notify *t = &cf->notify[i];
		const struct platform *p = platform_of(t->type);

		if (!target_wants(t, ev->type) || p == NULL)
			continue;
		if (!p->per_person) {
			error = engine_queue_one(e, ev, kind, t, &nd);
			continue;
		}
		for (size_t k = 0; k < nd.n.nasked && error == 0; k++) {
			nd.n.to = &nd.asked[k];
			error = engine_queue_one(e, ev, kind, t, &nd);
		}
		nd.n.to = NULL;
	}
	notice_data_free(&nd);
	return error;
}

/* The review an event is about, as it stands now. */
static int
engine_review_of(struct engine *e, const char *commit, const char *tag,
    const char *tag_object, struct review **out)
{
	struct repo_tag *t = NULL;
	char *why = NULL, *pending, id[OID_HEX];
	int error;

	if (tag_object == NULL && tag) {
		char *full = xasprintf("refs/tags/%s", tag);

		if (str_startswith(full, e->cf->print_prefix)) {
			pending = review_pending_ref(e->cf, full);
			if (repo_ref_get(e->r, pending, id) == 0 ||
			    repo_ref_get(e->r, full, id) == 0)
				tag_object = id;
			free(pending);
		}
		free(full);
	}
	if (tag_object && repo_tag_read(e->r, tag_object, &t) < 0)
		t = NULL;
	error = engine_review_load(e, commit, tag, t ? t->id : NULL,
	    t ? t->message : NULL, out, &why);
	if (error < 0) {
		log_warnx("review '%s': %s", tag ? tag : commit, why);
		free(why);
	}
	repo_tag_free(t);
	return error;
}

static int
engine_handle(void *ctx, const struct ledger_event *ev)
{
	struct engine *e = ctx;
	struct review *rv = NULL;
	int error = 0;

	e->st.handled++;
	log_info("ledger %s '%s' (%.7s) by %s via %s",
	    ledger_type_name(ev->type), ev->tag ? ev->tag : "-", ev->commit,
	    ev->by, ev->via);
	if (ev->type == LEDGER_CARRIED_OVER || e->cf->nnotify == 0)
		return 0;
	if (ev->type == LEDGER_RELEASED && ev->tag && ev->tag_object) {
		/* announced only once the tag is there */
		int is = engine_tag_is(e, ev);

		if (is < 0)
			return -EIO;
		if (is == 0) {
			engine_hold(e, ev);
			return 0;
		}
	}
	if (engine_review_of(e, ev->commit, ev->tag, ev->tag_object,
	    &rv) < 0) {
		if (ev->type != LEDGER_VIOLATION)
			return 0;	/* logged; a message without it is no
					   use */
		/* a violation on an object that is no commit: alert anyway */
		rv = xcalloc(1, sizeof(*rv));
		rv->refs = 1;
		memcpy(rv->commit, ev->commit, OID_HEX);
		rv->tag = dup_or_null(ev->tag);
	}
	switch (ev->type) {
	case LEDGER_REQUEST:
		error = engine_queue(e, ev, NOTICE_REQUEST, rv);
		break;
	case LEDGER_APPROVE:
	case LEDGER_APPROVE_WITH_CHANGES:
	case LEDGER_CHANGES_REQUIRED:
		error = engine_queue(e, ev, NOTICE_DECISION, rv);
		if (error == 0 && ev->type == LEDGER_CHANGES_REQUIRED)
			error = engine_queue(e, ev, NOTICE_CHANGES, rv);
		if (error == 0 && rv->approved && !rv->released &&
		    !e->cf->review.auto_release && rv->tag)
			error = engine_queue(e, ev, NOTICE_APPROVED, rv);
		break;
	case LEDGER_REMIND:
		error = engine_queue(e, ev, NOTICE_REMIND, rv);
		break;
	case LEDGER_ESCALATE:
		error = engine_queue(e, ev, NOTICE_ESCALATE, rv);
		break;
	case LEDGER_RELEASED:
		error = engine_queue(e, ev, NOTICE_RELEASED, rv);
		break;
	case LEDGER_VIOLATION:
		error = engine_queue(e, ev, NOTICE_VIOLATION, rv);
		break;
	case LEDGER_CARRIED_OVER:
		break;
	}
	review_free(rv);
	return error;
}

/* Handles the ledger events appended since the last scan. */
static void
engine_events(struct engine *e)
{
	char head[OID_HEX] = "";
	bool rewritten = false;
	int error;

	error = repo_notes_head(e->r, LEDGER_REF, head);
	if (error < 0 && error != -ENOENT) {
		log_warnx("read '%s': %s, will retry", LEDGER_REF,
		    repo_strerror());
		return;
	}
	if (!e->have_state) {
		/* First start: what is in the ledger already is history. */
		memcpy(e->last, head, OID_HEX);
		e->have_state = true;
		log_info("start the event log at '%s' %s", LEDGER_REF,
		    head[0] ? head : "(empty)");
		engine_save_state(e);
		return;
	}
	if (strcmp(head, e->last) == 0 || head[0] == '\0')
		return;
	error = ledger_since(e->r, e->last[0] ? e->last : NULL, head,
	    engine_handle, e, &rewritten);
	if (rewritten)
		log_warnx("read '%s': %s is not in its history any more (the "
		    "ref was rewritten); handled its whole history again",
		    LEDGER_REF, e->last);
	if (error < 0) {
		log_warnx("handle ledger events up to %s: %s, will retry",
		    head, strerror(-error));
		return;
	}
	memcpy(e->last, head, OID_HEX);
	engine_save_state(e);
}

/* --- waiting reviews ---------------------------------------------- */

/* Midnight UTC at the start of a "YYYY-MM-DD" Print-By day, ms; or -1. */
static int64_t
print_by(const struct review *rv)
{
	int64_t t;
	char *s;

	for (size_t i = 0; i < rv->ntrailers; i++) {
		if (strcasecmp(rv->trailers[i].key, "Print-By") != 0)
			continue;
		s = xasprintf("%.10sT00:00:00Z", rv->trailers[i].value);
		if (util_parse_rfc3339(s, &t) < 0)
			t = -1;
		free(s);
		return t < 0 ? -1 : t * 1000;
	}
	return -1;
}

/* Whether an event of type for this tag object exists at or after since. */
static bool
has_event(const struct review *rv, enum ledger_type type,
    const char *tag_object, int64_t since)
{
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (ev->type == type && ev->tag && rv->tag &&
		    strcmp(ev->tag, rv->tag) == 0 &&
		    strcmp(ev->commit, rv->commit) == 0 && ev->at >= since &&
		    (!tag_object || !ev->tag_object ||
		    strcmp(ev->tag_object, tag_object) == 0))
			return true;
	}
	return false;
}

/* Whether the daemon wrote a released event for this tag object. */
static bool
has_daemon_release(const struct review *rv, const char *tag_object)
{
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (ev->type == LEDGER_RELEASED && ev->tag && rv->tag &&
		    ev->tag_object && ev->via &&
		    strcmp(ev->via, ENGINE_VIA) == 0 &&
		    strcmp(ev->tag, rv->tag) == 0 &&
		    strcmp(ev->commit, rv->commit) == 0 &&
		    strcmp(ev->tag_object, tag_object) == 0)
			return true;
	}
	return false;
}

/* Creates the print tag from the kept tag object, drops the pending ref. */
static void
engine_release(struct engine *e, const struct repo_ref *pending,
    const char *tag, const struct review *rv, bool recorded)
{
	char *full = xasprintf("refs/tags/%s", tag), have[OID_HEX];
	int error;

	if (!recorded && engine_record(e, rv->commit, LEDGER_RELEASED, tag,
	    pending->id, rv, NULL) < 0)
		goto done;
	error = repo_ref_set(e->r, full, pending->id, NULL,
	    "printgate: released after approval");
	if (error == -EAGAIN && repo_ref_get(e->r, full, have) == 0 &&
	    strcmp(have, pending->id) != 0) {
		log_warnx("release '%s': the tag exists with another object "
		    "%s; left it alone, the review stays pending", tag, have);
		goto done;
	}
	if (error < 0 && error != -EAGAIN) {
		log_warnx("release '%s': cannot create %s: %s, will retry", tag,
		    full, repo_strerror());
		goto done;
	}
	if (repo_ref_delete(e->r, pending->name, pending->id) < 0)
		log_warnx("release '%s': cannot drop %s: %s", tag,
		    pending->name, repo_strerror());
	e->st.released++;
	log_info("release '%s' (%.7s): created from the kept tag object %s",
	    tag, rv->commit, pending->id);
done:
	free(full);
}

/* Reminds and escalates one waiting review; returns its next deadline. */
static int64_t
engine_chase(struct engine *e, const struct repo_ref *pending,
    const char *tag, const struct review *rv)
{
	const struct config_review *cr = &e->cf->review;
	int64_t req, remind_at, escalate_at, deadline, next = -1;

	if (rv->requested == NULL)
		return -1;
	req = rv->requested->at * 1000;
	remind_at = req + cr->remind_after * 1000;
	escalate_at = req + cr->escalate_after * 1000;
	/*
	 * A Print-By date brings both forward: the reminder by a third of
	 * the time left, the escalation by two thirds, so that there is
	 * time to act before the deadline.
	 */
	if ((deadline = print_by(rv)) >= 0) {
		int64_t lead = deadline > req ? deadline - req : 0;

		if (req + lead / 3 < remind_at)
			remind_at = req + lead / 3;
		if (req + 2 * lead / 3 < escalate_at)
			escalate_at = req + 2 * lead / 3;
	}
	if (!has_event(rv, LEDGER_REMIND, pending->id, rv->requested->at)) {
		if (e->now >= remind_at)
			engine_record(e, rv->commit, LEDGER_REMIND, tag,
			    pending->id, rv, NULL);
		else
			next = remind_at;
	}
	/* without an escalate_to group there is no one to escalate to */
	if (cr->escalate_to != SIZE_MAX &&
	    !has_event(rv, LEDGER_ESCALATE, pending->id, rv->requested->at)) {
		if (e->now >= escalate_at)
			engine_record(e, rv->commit, LEDGER_ESCALATE, tag,
			    pending->id, rv, NULL);
		else if (next < 0 || escalate_at < next)
			next = escalate_at;
	}
	return next;
}

static int64_t
engine_pending(struct engine *e)
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	int64_t next = -1;

	e->st.open_reviews = 0;
	if (repo_ref_list(e->r, PENDING_PREFIX "*", &refs, &n) < 0) {
		log_warnx("list '%s': %s, will retry", PENDING_PREFIX,
		    repo_strerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char *tag = review_pending_tag(e->cf, refs[i].name);
		struct repo_tag *t = NULL;
		struct review *rv = NULL;
		bool recorded;
		int64_t at;

		if (repo_tag_read(e->r, refs[i].id, &t) < 0) {
			log_warnx("review '%s': %s is not a tag of a commit, "
			    "skipped", tag, refs[i].name);
			goto next;
		}
		if (engine_review_of(e, t->commit, tag, t->id, &rv) < 0)
			goto next;
		if (strcmp(rv->tag_target, refs[i].id) == 0) {
			/* released already: the pending copy is not needed */
			if (repo_ref_delete(e->r, refs[i].name, refs[i].id) < 0)
				log_warnx("release '%s': cannot drop %s: %s",
				    tag, refs[i].name, repo_strerror());
			goto next;
		}
		/*
		 * Released only when approved now, and only with
		 * auto_release: a released event alone is no reason (the
		 * hook writes one before git creates the tag, and git may
		 * not).  One written here before a crash is reused.
		 */
		if (rv->approved && e->cf->review.auto_release) {
			recorded = has_daemon_release(rv, t->id);
			engine_release(e, &refs[i], tag, rv, recorded);
			goto next;
		}
		e->st.open_reviews++;
		if (rv->approved)
			goto next;	/* the release manager pushes again */
		at = engine_chase(e, &refs[i], tag, rv);
		if (at >= 0 && (next < 0 || at < next))
			next = at;
next:
		review_free(rv);
		repo_tag_free(t);
		free(tag);
	}
	repo_ref_list_free(refs, n);
	return next;
}

/* --- print tags that bypassed the gate ---------------------------- */

static bool
engine_seen(struct engine *e, const struct repo_ref *ref)
{
	for (size_t i = 0; i < e->nseen; i++)
		if (strcmp(e->seen[i].name, ref->name) == 0)
			return strcmp(e->seen[i].id, ref->id) == 0;
	return false;
}

static void
engine_see(struct engine *e, const struct repo_ref *ref)
{
	for (size_t i = 0; i < e->nseen; i++) {
		if (strcmp(e->seen[i].name, ref->name) == 0) {
			memcpy(e->seen[i].id, ref->id, OID_HEX);
			return;
		}
	}
	e->seen = xreallocarray(e->seen, e->nseen + 1, sizeof(*e->seen));
	e->seen[e->nseen].name = xstrdup(ref->name);
	memcpy(e->seen[e->nseen++].id, ref->id, OID_HEX);
}

/*
 * Every print tag must have a released event for exactly its object: the
 * hook and the daemon write it before the tag exists.  One without is a
 * violation: recorded once, and quarantined when so configured.
 */
static void
engine_tags(struct engine *e)
{
	struct repo_ref *refs = NULL;
	size_t n = 0, read = 0;
	char head[OID_HEX] = "";

	if (repo_ref_list(e->r, e->cf->print_tags, &refs, &n) < 0) {
		log_warnx("list '%s': %s, will retry", e->cf->print_tags,
		    repo_strerror());
		return;
	}
	if (repo_notes_head(e->r, LEDGER_REF, head) < 0) {
		/* no readable ledger: nothing can be told apart, do nothing */
		repo_ref_list_free(refs, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *tag = refs[i].name + strlen("refs/tags/");
		struct ledger_events evs = { 0 };
		char commit[OID_HEX];
		bool released = false, flagged = false;
		struct repo_tag *t = NULL;

		if (engine_seen(e, &refs[i]))
			continue;
		read++;
		if (repo_tag_read(e->r, refs[i].id, &t) == 0)
			memcpy(commit, t->commit, OID_HEX);
		else if (repo_resolve_commit(e->r, refs[i].id, commit) < 0)
			/* a print tag of a tree or a blob: its note goes on
			 * the object itself */
			memcpy(commit, refs[i].id, OID_HEX);
		repo_tag_free(t);
		if (head[0] && ledger_read(e->r, head, commit, &evs) < 0) {
			log_warnx("read the ledger of '%s': %s, will retry",
			    tag, repo_strerror());
			continue;
		}
		for (size_t k = 0; k < evs.n; k++) {
			const struct ledger_event *ev = &evs.v[k];

			if (!ev->tag || strcmp(ev->tag, tag) != 0 ||
			    !ev->tag_object ||
			    strcmp(ev->tag_object, refs[i].id) != 0)
				continue;
			if (ev->type == LEDGER_RELEASED)
				released = true;
			if (ev->type == LEDGER_VIOLATION)
				flagged = true;
		}
		ledger_events_free(&evs);
		if (released) {
			engine_see(e, &refs[i]);
			continue;
		}
		if (!flagged) {
			log_warnx("violation '%s': print tag %s exists without "
			    "having passed the gate", tag, refs[i].id);
			if (engine_record(e, commit, LEDGER_VIOLATION, tag,
			    refs[i].id, NULL, "the print tag was created "
			    "without passing the gate") < 0)
				continue;
			e->st.violations++;
		}
		if (e->cf->review.quarantine) {
			char *q = xasprintf("%s%s", QUARANTINE_PREFIX,
			    refs[i].name + strlen(e->cf->print_prefix));
			char have[OID_HEX];
			int error = repo_ref_set(e->r, q, refs[i].id, NULL,
			    "printgate: quarantined a print tag that "
			    "bypassed the gate");

			/* the name is taken by an earlier one: keep both */
			if (error == -EAGAIN && repo_ref_get(e->r, q, have) == 0 &&
			    strcmp(have, refs[i].id) != 0) {
				char *q2 = xasprintf("%s-%.12s", q, refs[i].id);

				free(q);
				q = q2;
				error = repo_ref_set(e->r, q, refs[i].id, NULL,
				    "printgate: quarantined a print tag that "
				    "bypassed the gate");
			}
			if ((error == 0 || error == -EAGAIN) &&
			    repo_ref_delete(e->r, refs[i].name, refs[i].id) == 0)
				log_warnx("quarantine '%s': moved to %s", tag, q);
			else
				log_warnx("quarantine '%s': cannot move it to "
				    "%s: %s, will retry", tag, q,
				    repo_strerror());
			free(q);
			continue;
		}
		engine_see(e, &refs[i]);
	}
	repo_ref_list_free(refs, n);
	/*
	 * The first scan reads every print tag and its note: libgit2 then
	 * keeps up to 16 MiB of their packed objects, which an idle daemon
	 * does not need (22 MiB idle with 1,000 print tags, bench/).
	 */
	if (read > ENGINE_REFRESH_AFTER && repo_refresh(e->r) == 0)
		malloc_trim(0);
}

/*
 * Announces the held released events whose tag now exists with their
 * object; drops, with a warning, those whose tag did not come in time.
 */
static void
engine_held(struct engine *e)
{
	size_t k = 0;

	for (size_t i = 0; i < e->nheld; i++) {
		struct held *h = &e->held[i];
		struct review *rv = NULL;
		int is = engine_tag_is(e, &h->ev);

		if (is == 1 && engine_review_of(e, h->ev.commit, h->ev.tag,
		    h->ev.tag_object, &rv) == 0 &&
		    engine_queue(e, &h->ev, NOTICE_RELEASED, rv) == 0) {
			review_free(rv);
			held_clear(h);
			continue;
		}
		review_free(rv);
		if (is == 0 && e->now >= h->until) {
			log_warnx("released '%s' (%.7s): the tag was not "
			    "created with %s (an --atomic push aborted, or git "
			    "failed to write it); not announced, and the "
			    "release does not count", h->ev.tag, h->ev.commit,
			    h->ev.tag_object);
			held_clear(h);
			continue;
		}
		e->held[k++] = *h;
	}
	e->nheld = k;
}

/*
 * A replace ref makes git (show, archive, mirror clones) serve other
 * content for an object, so that a released print is not what was
 * reviewed; libgit2 ignores them.  The hook refuses them: one here came
 * around it.  Each is recorded as a violation on the replaced object,
 * once, and alerted.
 */
static void
engine_replace_refs(struct engine *e)
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	char head[OID_HEX] = "";
	int error;

	if (repo_ref_list(e->r, REPLACE_PREFIX "*", &refs, &n) < 0) {
		log_warnx("list '%s': %s, will retry", REPLACE_PREFIX "*",
		    repo_strerror());
		return;
	}
	/* no ledger yet: nothing is flagged, and the first note makes it */
	if (n && (error = repo_notes_head(e->r, LEDGER_REF, head)) < 0 &&
	    error != -ENOENT) {
		log_warnx("read '%s': %s, will retry", LEDGER_REF,
		    repo_strerror());
		repo_ref_list_free(refs, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = refs[i].name + strlen(REPLACE_PREFIX);
		struct ledger_events evs = { 0 };
		bool flagged = false, known = false;
		const char *on;
		char *why;

		for (size_t k = 0; k < e->nreplaces && !known; k++)
			known = strcmp(e->replaces[k].name, refs[i].name) ==
			    0 && strcmp(e->replaces[k].id, refs[i].id) == 0;
		if (known)
			continue;
		/* the note goes on the replaced object, else its stand-in */
		on = strlen(name) == OID_HEX - 1 && strspn(name,
		    "0123456789abcdef") == OID_HEX - 1 ? name : refs[i].id;
		if (head[0] && ledger_read(e->r, head, on, &evs) < 0) {
			log_warnx("read the ledger of '%s': %s, will retry",
			    refs[i].name, repo_strerror());
			continue;
		}
		for (size_t k = 0; k < evs.n; k++)
			if (evs.v[k].type == LEDGER_VIOLATION &&
			    evs.v[k].tag == NULL && evs.v[k].tag_object &&
			    strcmp(evs.v[k].tag_object, refs[i].id) == 0)
				flagged = true;
		ledger_events_free(&evs);
		if (!flagged) {
			log_warnx("violation '%s': a replace ref makes git "
			    "show %s in place of %s", refs[i].name, refs[i].id,
			    name);
			why = xasprintf("replace ref %s: git shows %s in place "
			    "of %s (git show, git archive, mirror clones); "
			    "delete it: git update-ref -d %s", refs[i].name,
			    refs[i].id, name, refs[i].name);
			if (engine_record(e, on, LEDGER_VIOLATION, NULL,
			    refs[i].id, NULL, why) < 0) {
				free(why);
				continue;
			}
			free(why);
			e->st.violations++;
		}
		e->replaces = xreallocarray(e->replaces, e->nreplaces + 1,
		    sizeof(*e->replaces));
		e->replaces[e->nreplaces].name = xstrdup(refs[i].name);
		memcpy(e->replaces[e->nreplaces++].id, refs[i].id, OID_HEX);
	}
	repo_ref_list_free(refs, n);
}

int64_t
engine_scan(struct engine *e, int64_t now_ms)
{
	char before[OID_HEX] = "", after[OID_HEX] = "";
	int64_t next;

	e->now = now_ms;
	/*
	 * A ledger that was there and is gone (or is broken) is not a new,
	 * empty one: acting on it would take released tags for violations.
	 */
	{
		char head[OID_HEX];
		int error = repo_notes_head(e->r, LEDGER_REF, head);

		if ((error == -ENOENT && e->have_state && e->last[0]) ||
		    (error < 0 && error != -ENOENT)) {
			log_warnx("read '%s' in '%s': %s; doing nothing until "
			    "it is repaired (the last one handled was %s)",
			    LEDGER_REF, e->cf->repository, error == -ENOENT ?
			    "it has vanished (or the repository has)" :
			    repo_strerror(), e->last[0] ? e->last : "none");
			return -1;
		}
	}
	engine_events(e);
	repo_notes_head(e->r, LEDGER_REF, before);
	next = engine_pending(e);
	engine_tags(e);
	engine_replace_refs(e);
	/* What this scan wrote (released, remind, …) is told at once. */
	repo_notes_head(e->r, LEDGER_REF, after);
	if (strcmp(before, after) != 0)
		engine_events(e);
	engine_held(e);
	log_debug("scan: %u open review%s, %zu deliver%s queued, next "
	    "deadline %s", e->st.open_reviews, e->st.open_reviews == 1 ? "" :
	    "s", outbox_depth(e->ob), outbox_depth(e->ob) == 1 ? "y" : "ies",
	    next < 0 ? "none" : "set");
	return next;
}

int
engine_delivery_request(struct engine *e, const struct delivery *d,
    int64_t now_ms, char **url, char **headers, size_t *nheaders,
    char **why)
{
	const struct config_notify *t = NULL;
	char *secret = NULL;
	int error;

	if (d->url) {
		/* a response_url from a verified request: no secrets */
		*url = xstrdup(d->url);
		*nheaders = 0;
		return 0;
	}
	for (size_t i = 0; i < e->cf->nnotify; i++)
		if (strcmp(e->cf->notify[i].name, d->target) == 0)
			t = &e->cf->notify[i];
	if (t == NULL) {
		*why = xasprintf("channel '%s' is no longer configured",
		    d->target);
		return -ENOENT;
	}
	if (t->url_file) {
		char *reason = NULL;

		/* reason names the file and the fault, never the content */
		if ((error = config_secret_read(t->url_file, CONFIG_SECRET_URL,
		    url, &reason)) < 0) {
			*why = xasprintf("cannot read the URL of '%s': %s",
			    t->name, reason);
			free(reason);
			return error;
		}
	} else
		*url = xstrdup(t->url);
	*nheaders = 0;
	headers[(*nheaders)++] = xasprintf("X-Printgate-Delivery: %s", d->id);
	if (platform_of(t->type) && platform_of(t->type)->sign &&
	    t->secret_file) {
		char *reason = NULL;

		if ((error = config_secret_read(t->secret_file,
		    CONFIG_SECRET_KEY, &secret, &reason)) < 0) {
			*why = xasprintf("cannot read the signing secret of "
			    "'%s': %s", t->name, reason);
			free(reason);
			free(*url);
			for (size_t i = 0; i < *nheaders; i++)
				free(headers[i]);
			*nheaders = 0;
			return error;
		}
		*nheaders += platform_of(t->type)->sign(secret, d->id,
		    now_ms / 1000, d->body, d->len, headers + *nheaders);
		memset(secret, 0, strlen(secret));
		free(secret);
	}
	return 0;
}
