/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * deliver.c - from a ledger event to the outbox (see deliver.h).  The
 * notice is the one view of a review every format is given: who is
 * asked, which rules wait, which files changed (with browse_url's links),
 * who decided.  Formatting, buttons and signing are the platform row's;
 * this file names no platform.
 */
#include "printgated/deliver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chat/platform.h"
#include "core/log.h"
#include "core/review.h"
#include "core/util.h"
#include "core/verify.h"
#include "printgated/engine.h"
#include "printgated/previews.h"
#include "core/repo.h"
#include "web/diff.h"
#include "web/difftext.h"
#include "web/link.h"
#include "web/token.h"

/* The largest file the summary of changes reads (the page reads more). */
#define DELIVER_SUMMARY_MAX_FILE (1024 * 1024)

/* How long a link in a message lasts (DESIGN: review.link_ttl's default). */

struct deliver {
	const struct config *cf;
	struct outbox *ob;
	/* the secrets of the platforms whose buttons carry a token made
	 * with it (their row's buttons), by index in cf->platforms */
	char *keys[CONFIG_MAX_PLATFORMS];
	/* the review page's link keys (the links secret), or none */
	struct token_keys links;
	bool has_links;
	int64_t now_ms;		/* of the deliver_queue() under way */
	int64_t due_ms;		/* when what it queues is first sent */
	bool update;		/* deliver_update(): replace, never add */
	struct repo *r;		/* borrowed: for the summaries of changes */
	struct previews *pv;	/* borrowed: the previews, or NULL */
};

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
	char *link;			/* n.link */
	struct notice_person *approvers;	/* n.approvers */
	char *summary;				/* n.summary */
	char *picture_url, *picture_alt;	/* n.picture_* */
	const struct review *rv;
};

/* Whether a platform's buttons carry a token made with its secret. */
static bool
has_buttons(const struct config_platform *conf)
{
	const struct platform *p = platform_of(conf);

	return p != NULL && p->buttons != NULL;
}

/* Reads into keys[] the secrets cf's platforms' buttons are made with. */
static int
keys_load(const struct config *cf, char **keys, char **why)
{
	const char *file = NULL;
	int error;

	if ((error = config_secrets_load(cf, has_buttons, keys, &file)) < 0)
		*why = xasprintf("cannot read '%s': %s", file,
		    strerror(-error));
	return error;
}

/*
 * The links secret's keys into dl->links, when a public URL makes links
 * worth minting; without the secret, messages go out without links (and
 * a warning says why).
 */
static void
links_load(struct deliver *dl, const struct config *cf)
{
	char *why = NULL;

	token_keys_clear(&dl->links);
	dl->has_links = false;
	if (cf->http.public_url == NULL)
		return;
	if (link_keys_load(&dl->links, cf, false, &why) < 0) {
		log_warnx("load the links secret: %s; messages go out "
		    "without links to the review page", why);
		free(why);
		return;
	}
	dl->has_links = true;
}

int
deliver_new(struct deliver **out, const struct config *cf,
    struct outbox *ob, char **why)
{
	struct deliver *dl = xcalloc(1, sizeof(*dl));
	int error;

	dl->cf = cf;
	dl->ob = ob;
	if ((error = keys_load(cf, dl->keys, why)) < 0) {
		free(dl);
		return error;
	}
	links_load(dl, cf);
	*out = dl;
	return 0;
}

void
deliver_free(struct deliver *dl)
{
	if (dl == NULL)
		return;
	config_secrets_free(dl->keys);
	token_keys_clear(&dl->links);
	free(dl);
}

int
deliver_set_config(struct deliver *dl, const struct config *cf, char **why)
{
	char *keys[CONFIG_MAX_PLATFORMS] = { NULL };
	int error;

	if ((error = keys_load(cf, keys, why)) < 0)
		return error;
	config_secrets_free(dl->keys);
	memcpy(dl->keys, keys, sizeof(keys));
	dl->cf = cf;
	links_load(dl, cf);
	return 0;
}

/* --- the notice ---------------------------------------------------- */

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
	free(nd->link);
	free(nd->approvers);
	free(nd->summary);
	free(nd->picture_url);
	free(nd->picture_alt);
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

/* Every member of group g is asked. */
static void
ask_group(struct notice_data *nd, const struct config *cf, size_t g)
{
	const struct config_group *grp = &cf->groups[g];

	for (size_t i = 0; i < grp->nmembers; i++)
		add_asked(nd, cf, grp->members[i]);
}

/* The members of the rules still open who have not decided are asked. */
static void
ask_undecided(struct notice_data *nd, const struct config *cf,
    const struct review *rv)
{
	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];

		if (!rr->applies || (!rr->blocked && rr->approvals >=
		    cf->rules[i].required))
			continue;
		for (size_t m = 0; m < rr->nmembers; m++)
			if (rr->members[m].state == MEMBER_PENDING)
				add_asked(nd, cf, rr->members[m].person);
	}
}

/* Who a notice of kind asks, or tells. */
static void
notice_asked(struct notice_data *nd, const struct config *cf,
    enum notice_kind kind, const struct review *rv)
{
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
			ask_group(nd, cf, cf->review.escalate_to);
			break;
		}
		/* FALLTHROUGH */
	case NOTICE_REQUEST:
	case NOTICE_REMIND:
	case NOTICE_DECISION:
		ask_undecided(nd, cf, rv);
		break;
	case NOTICE_APPROVED:
	case NOTICE_VIOLATION:
		for (size_t g = 0; g < cf->nrelease_managers; g++)
			ask_group(nd, cf, cf->release_managers[g]);
		break;
	case NOTICE_RELEASED:
		break;
	}
}

/* The files in scope, with their links, at most NOTICE_MAX_FILES. */
static void
notice_files(struct notice_data *nd, const struct config *cf,
    const struct review *rv)
{
	nd->n.nfiles_total = rv->nfiles;
	for (size_t i = 0; i < rv->nfiles && i < NOTICE_MAX_FILES; i++) {
		nd->files[i].path = rv->files[i].path;
		nd->files[i].status = rv->files[i].status;
		nd->files[i].url = browse_link(cf, rv->commit,
		    rv->files[i].path);
		nd->n.nfiles++;
	}
	nd->n.files = nd->files;
}

/* The rules that apply, and the Print-By deadline. */
static void
notice_rules(struct notice_data *nd, const struct config *cf,
    const struct review *rv)
{
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
}

void
deliver_set_repo(struct deliver *dl, struct repo *r)
{
	dl->r = r;
}

void
deliver_set_previews(struct deliver *dl, struct previews *pv)
{
	dl->pv = pv;
}

/* The content of path's blob id into *out, unless over the cap: 0 or < 0. */
static int
summary_read(struct repo *r, const char *id, char **out, size_t *len)
{
	if (id == NULL || *id == '\0')
		return -ENOENT;
	return repo_blob_read_max(r, id, DELIVER_SUMMARY_MAX_FILE, out, len);
}

/*
 * The line of a PDF or an image, from its preview when it is ready
 * ("price.pdf: page 2 changed"); the first such file with a picture
 * gives the notice its picture, with a public URL to serve it under.
 * False when there is no preview to say (yet): the diff code says what
 * it can.
 */
static bool
summary_preview(struct notice_data *nd, struct deliver *dl, struct buf *b,
    const struct scope_file *f, const char *oldid)
{
	const char *base = dl->cf->http.public_url;
	struct preview_chat c;
	char *alt;
	size_t blen;

	if (dl->pv == NULL || !previews_file_ok(f) ||
	    previews_chat(dl->pv, f->path, oldid, f->blob, &c) < 0)
		return false;
	if (b->len > 0)
		buf_adds(b, "\n");
	buf_addf(b, "%s: %s", f->path, c.summary);
	if (c.picture != NULL && nd->picture_url == NULL && base != NULL) {
		/* public_url may end in '/': never "//p/" */
		for (blen = strlen(base); blen > 0 && base[blen - 1] == '/';)
			blen--;
		nd->picture_url = xasprintf("%.*s%s", (int)blen, base,
		    c.picture);
		alt = xasprintf(c.added ? "%s, page %d, added" : "%s, page "
		    "%d: the changes marked in red over the new version",
		    f->path, c.page);
		nd->picture_alt = notice_text(alt, NOTICE_MAX_PICTURE_ALT,
		    false);
		free(alt);
	}
	preview_chat_clear(&c);
	return true;
}

/*
 * What changed, for a notice that asks for decisions: for a PDF or an
 * image, what its preview shows when it is ready; else the diff code's
 * summary; of the first NOTICE_SUMMARY_FILES files it can read (each no
 * larger than DELIVER_SUMMARY_MAX_FILE), a line each, capped.  Nothing
 * when a file cannot be read: the page shows it.
 */
static void
notice_summary(struct notice_data *nd, struct deliver *dl,
    enum notice_kind kind, const struct review *rv)
{
	struct repo *r = dl->r;
	struct buf b = { 0 };
	size_t done = 0;

	if (r == NULL || (kind != NOTICE_REQUEST && kind != NOTICE_REMIND &&
	    kind != NOTICE_ESCALATE))
		return;
	for (size_t i = 0; i < rv->nfiles && done < NOTICE_SUMMARY_FILES &&
	    b.len < NOTICE_MAX_SUMMARY; i++) {
		const struct scope_file *f = &rv->files[i];
		char oldid[OID_HEX] = "", *o = NULL, *n = NULL;
		size_t olen = 0, nlen = 0, at = b.len;
		struct diff_view *v;

		if (f->status != 'A' && rv->base_commit[0] != '\0')
			(void)repo_blob_at(r, rv->base_commit, f->path, oldid);
		if (summary_preview(nd, dl, &b, f, oldid)) {
			done++;
			continue;
		}
		if ((f->status != 'A' &&
		    summary_read(r, oldid, &o, &olen) < 0) ||
		    (f->status != 'D' &&
		    summary_read(r, f->blob, &n, &nlen) < 0)) {
			free(o);
			continue;
		}
		v = diff_files(f->path, o, olen, n, nlen);
		if (diff_changed(v)) {
			if (b.len > 0)
				buf_adds(&b, "\n");
			difftext_summary(&b, v, f->path, 3);
			done += b.len > at;
		}
		diff_free(v);
		free(o);
		free(n);
	}
	if (b.len > 0)
		nd->summary = notice_text(b.s, NOTICE_MAX_SUMMARY, true);
	nd->n.summary = nd->summary;
	nd->n.picture_url = nd->picture_url;
	nd->n.picture_alt = nd->picture_alt;
	buf_free(&b);
}

/* For a release or an approval: whose approvals count, each once. */
static void
notice_approvers(struct notice_data *nd, const struct config *cf,
    enum notice_kind kind, const struct review *rv)
{
	size_t who[NOTICE_MAX_PEOPLE], n;

	if (kind != NOTICE_RELEASED && kind != NOTICE_APPROVED)
		return;
	nd->approvers = xcalloc(NOTICE_MAX_PEOPLE, sizeof(*nd->approvers));
	n = review_approvers(cf, rv, who, NOTICE_MAX_PEOPLE);
	for (size_t i = 0; i < n; i++)
		nd->approvers[i] = notice_person_of(cf, who[i]);
	nd->n.approvers = nd->approvers;
	nd->n.napprovers = n;
}

/* Who did what ev tells, and the decision, comment or reason. */
static void
notice_by(struct notice_data *nd, const struct config *cf,
    enum notice_kind kind, const struct ledger_event *ev)
{
	ssize_t by = config_person_find(cf, ev->by);

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
}

/* The notice of kind about ev and rv, into nd (notice_data_free()). */
static void
notice_build(struct notice_data *nd, struct deliver *dl,
    enum notice_kind kind, const struct ledger_event *ev,
    const struct review *rv)
{
	const struct config *cf = dl->cf;

	memset(nd, 0, sizeof(*nd));
	nd->rv = rv;
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
	notice_files(nd, cf, rv);
	notice_rules(nd, cf, rv);
	notice_asked(nd, cf, kind, rv);
	notice_by(nd, cf, kind, ev);
	notice_approvers(nd, cf, kind, rv);
	notice_summary(nd, dl, kind, rv);
	nd->n.auto_release = cf->review.auto_release;
}

/*
 * nd's link to the review page into nd->n.link: naming person to (a
 * personal link) or nobody (a channel link); none without a public URL,
 * the links secret or a tag.
 */
static void
notice_link(struct deliver *dl, struct notice_data *nd,
    const struct notice_person *to)
{
	const struct review *rv = nd->rv;

	free(nd->link);
	nd->link = NULL;
	nd->n.link = NULL;
	if (!dl->has_links || rv == NULL || rv->tag == NULL)
		return;
	if (link_make(&nd->link, dl->cf, &dl->links, rv->tag, rv->commit,
	    to != NULL ? to->id : NULL,
	    nd->n.at > 0 ? nd->n.at : (int64_t)time(NULL)) < 0)
		return;
	nd->n.link = nd->link;
}

/*
 * The body of nd's notice for a target of platform (an index in
 * cf->platforms): with the buttons of that platform, when it has some
 * and its secret and the public URL are configured; the caller frees it.
 */
static char *
notice_format(struct deliver *dl, struct notice_data *nd, size_t platform)
{
	const struct config *cf = dl->cf;
	const struct platform *p = platform_of(cf->platforms->v[platform]);

	free(nd->buttons.url);
	memset(&nd->buttons, 0, sizeof(nd->buttons));
	nd->n.actions_url = NULL;
	memset(nd->n.action_token, 0, sizeof(nd->n.action_token));
	if (p == NULL)
		return NULL;
	notice_link(dl, nd, nd->n.to);
	if (p->buttons && cf->http.public_url && dl->keys[platform]) {
		p->buttons(cf->http.public_url, dl->keys[platform],
		    nd->review, &nd->buttons);
		nd->n.actions_url = nd->buttons.url;
		for (int i = 0; i < 3; i++)
			nd->n.action_token[i] = nd->buttons.token[i];
	}
	return p->format(&nd->n);
}

char *
deliver_render(struct deliver *dl, enum notice_kind kind,
    const struct review *rv, size_t platform, int64_t now_ms)
{
	struct ledger_event ev = { 0 };
	struct notice_data nd;
	char *body;

	ev.type = LEDGER_REQUEST;
	ev.at = now_ms / 1000;
	ev.by = (char *)"printgate";
	ev.via = (char *)ENGINE_VIA;
	notice_build(&nd, dl, kind, &ev, rv);
	body = notice_format(dl, &nd, platform);
	notice_data_free(&nd);
	return body;
}

/* --- the outbox ---------------------------------------------------- */

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

/*
 * The delivery id of a notice of kind about ev to target (and person to,
 * for a platform that delivers to each person): stable across restarts,
 * from the event, the channel and the kind of message, into id.
 */
static void
delivery_id(const struct ledger_event *ev, const struct config_notify *t,
    enum notice_kind kind, const struct notice_person *to,
    char id[OUTBOX_ID_SIZE])
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
queue_one(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct config_notify *t,
    struct notice_data *nd, int64_t now_ms)
{
	char *body, id[OUTBOX_ID_SIZE];
	int error;

	if ((body = notice_format(dl, nd, t->platform)) == NULL) {
		log_warnx("format %s message for '%s'%s%s: failed (for "
		    "email, an address that is not plain), skipped",
		    notice_kind_name(kind), t->name, nd->n.to ? " to " : "",
		    nd->n.to ? nd->n.to->id : "");
		return 0;
	}
	delivery_id(ev, t, kind, nd->n.to, id);
	if (dl->update) {
		/* 1: sent, being sent or tried since; left as it is */
		if ((error = outbox_update(dl->ob, id, body, strlen(body),
		    now_ms)) == 0)
			log_info("update %s for '%s' to %s:%s with its "
			    "previews: delivery %s", notice_kind_name(kind),
			    nd->review, t->type->name, t->name, id);
	} else if ((error = outbox_put_at(dl->ob, id, t->name,
	    ledger_type_name(ev->type), nd->review, body, strlen(body),
	    now_ms, dl->due_ms)) == 0)
		log_info("queue %s for '%s' to %s:%s: delivery %s",
		    notice_kind_name(kind), nd->review, t->type->name, t->name,
		    id);
	if (error < 0)
		log_warnx("%s %s for '%s' to %s: %s, will retry",
		    dl->update ? "update" : "queue", notice_kind_name(kind),
		    nd->review, t->name, strerror(-error));
	free(body);
	return error > 0 ? 0 : error;	/* > 0: queued before a restart */
}

/*
 * Who a platform that delivers to each person writes to about a notice
 * of kind: those asked (to decide; for changes required, the authors;
 * for an approval or a violation, the release managers), and for a
 * release the authors, whose print it is.  A decision alone writes to
 * nobody: the next request or release says it.  Into out[], at most
 * NOTICE_MAX_PEOPLE; returns how many.
 */
static size_t
per_person_of(const struct notice_data *nd, const struct config *cf,
    enum notice_kind kind, const struct review *rv,
    struct notice_person *out)
{
	size_t n = 0;

	if (kind == NOTICE_DECISION)
		return 0;
	if (kind != NOTICE_RELEASED) {
		memcpy(out, nd->asked, nd->n.nasked * sizeof(*out));
		return nd->n.nasked;
	}
	for (size_t i = 0; i < rv->nauthors && n < NOTICE_MAX_PEOPLE; i++) {
		bool dup = false;

		for (size_t k = 0; k < n; k++)
			dup = dup || strcmp(out[k].id,
			    cf->people[rv->authors[i]].id) == 0;
		if (!dup)
			out[n++] = notice_person_of(cf, rv->authors[i]);
	}
	return n;
}

/* Queues nd's notice for target t, one a person for per_person. */
static int
queue_target(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct config_notify *t,
    struct notice_data *nd, const struct review *rv)
{
	const struct platform *p = platform_of(t->type);
	struct notice_person *to;
	size_t n;
	int error = 0;

	if (!p->per_person)
		return queue_one(dl, ev, kind, t, nd, dl->now_ms);
	to = xcalloc(NOTICE_MAX_PEOPLE, sizeof(*to));
	n = per_person_of(nd, dl->cf, kind, rv, to);
	nd->n.from = t->from;
	for (size_t k = 0; k < n && error == 0; k++) {
		nd->n.to = &to[k];
		error = queue_one(dl, ev, kind, t, nd, dl->now_ms);
	}
	nd->n.to = NULL;
	nd->n.from = NULL;
	free(to);
	return error;
}

/* Queues, or with dl->update replaces, the deliveries of a notice. */
static int
deliver_all(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv, int64_t now_ms)
{
	const struct config *cf = dl->cf;
	struct notice_data nd;
	int error = 0;

	notice_build(&nd, dl, kind, ev, rv);
	dl->now_ms = now_ms;
	for (size_t i = 0; i < cf->nnotify && error == 0; i++) {
		const struct config_notify *t = &cf->notify[i];

		if (!target_wants(t, ev->type) || platform_of(t->type) == NULL)
			continue;
		error = queue_target(dl, ev, kind, t, &nd, rv);
	}
	notice_data_free(&nd);
	return error;
}

int
deliver_queue(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv, int64_t now_ms,
    int64_t due_ms)
{
	dl->due_ms = due_ms > now_ms ? due_ms : now_ms;
	return deliver_all(dl, ev, kind, rv, now_ms);
}

int
deliver_update(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv, int64_t now_ms)
{
	int error;

	dl->update = true;
	error = deliver_all(dl, ev, kind, rv, now_ms);
	dl->update = false;
	return error;
}

bool
deliver_wants(const struct deliver *dl, enum ledger_type type)
{
	for (size_t i = 0; i < dl->cf->nnotify; i++)
		if (target_wants(&dl->cf->notify[i], type) &&
		    platform_of(dl->cf->notify[i].type) != NULL)
			return true;
	return false;
}

/* --- at send time -------------------------------------------------- */

/* The target named name, or NULL when it is no longer configured. */
static const struct config_notify *
target_named(const struct config *cf, const char *name)
{
	const struct config_notify *t = NULL;

	for (size_t i = 0; i < cf->nnotify; i++)
		if (strcmp(cf->notify[i].name, name) == 0)
			t = &cf->notify[i];
	return t;
}

/* t's URL, from its url_file when it has one, into *url. */
static int
target_url(const struct config_notify *t, char **url, char **why)
{
	char *reason = NULL;
	int error;

	if (t->url_file == NULL) {
		*url = xstrdup(t->url);
		return 0;
	}
	/* reason names the file and the fault, never the content */
	if ((error = config_secret_read(t->url_file, CONFIG_SECRET_URL, url,
	    &reason)) < 0) {
		*why = xasprintf("cannot read the URL of '%s': %s", t->name,
		    reason);
		free(reason);
	}
	return error;
}

/* Adds to headers[] the signature of d by t's platform, when it signs. */
static int
target_sign(const struct config_notify *t, const struct delivery *d,
    int64_t now_ms, char **headers, size_t *nheaders, char **why)
{
	const struct platform *p = platform_of(t->type);
	char *secret = NULL, *reason = NULL;
	int error;

	if (p == NULL || p->sign == NULL || t->secret_file == NULL)
		return 0;
	if ((error = config_secret_read(t->secret_file, CONFIG_SECRET_KEY,
	    &secret, &reason)) < 0) {
		*why = xasprintf("cannot read the signing secret of '%s': %s",
		    t->name, reason);
		free(reason);
		return error;
	}
	*nheaders += p->sign(secret, d->id, now_ms / 1000, d->body, d->len,
	    headers + *nheaders);
	memset(secret, 0, strlen(secret));
	free(secret);
	return 0;
}

/* A mail target's login file into *out, or none: 0 or -errno. */
static int
mail_secret(const struct config_notify *t, const char *file,
    const char *what, char **out, char **why)
{
	char *reason = NULL;
	int error;

	if (file == NULL)
		return 0;
	if ((error = config_secret_read(file, CONFIG_SECRET_KEY, out,
	    &reason)) < 0) {
		*why = xasprintf("cannot read the SMTP %s of '%s': %s", what,
		    t->name, reason);
		free(reason);
	}
	return error;
}

/* The envelope and login of a delivery d to mail target t, into *m. */
static int
mail_request(const struct config_notify *t, const struct delivery *d,
    char **url, struct notify_mail *m, char **why)
{
	const struct platform *p = platform_of(t->type);
	struct notify_mail mm = { 0 };
	int error;

	if (p == NULL || p->recipient == NULL ||
	    p->recipient(d->body, d->len, &mm.rcpt) < 0) {
		*why = xasprintf("the message to '%s' names no recipient",
		    t->name);
		return -ENOENT;		/* permanent: asking again won't help */
	}
	mm.from = xstrdup(t->from);
	mm.tls_optional = t->smtp_plain_ok;
	if ((error = mail_secret(t, t->username_file, "user name",
	    &mm.username, why)) < 0 || (error = mail_secret(t,
	    t->password_file, "password", &mm.password, why)) < 0) {
		notify_mail_clear(&mm);
		return error;
	}
	*url = xstrdup(t->smtp_url);
	*m = mm;
	return 0;
}

int
deliver_request(const struct config *cf, const struct delivery *d,
    int64_t now_ms, char **url, char **headers, size_t *nheaders,
    struct notify_mail *mail, char **why)
{
	const struct config_notify *t;
	char *u = NULL;
	size_t n = 0;
	int error;

	memset(mail, 0, sizeof(*mail));

	if (d->url) {
		/* a response_url from a verified request: no secrets */
		*url = xstrdup(d->url);
		*nheaders = 0;
		return 0;
	}
	if ((t = target_named(cf, d->target)) == NULL) {
		*why = xasprintf("channel '%s' is no longer configured",
		    d->target);
		return -ENOENT;
	}
	if (t->smtp_url != NULL) {
		*nheaders = 0;
		return mail_request(t, d, url, mail, why);
	}
	if ((error = target_url(t, &u, why)) < 0)
		return error;
	headers[n++] = xasprintf("X-Printgate-Delivery: %s", d->id);
	if ((error = target_sign(t, d, now_ms, headers, &n, why)) < 0) {
		free(u);
		for (size_t i = 0; i < n; i++)
			free(headers[i]);
		return error;
	}
	*url = u;
	*nheaders = n;
	return 0;
}
