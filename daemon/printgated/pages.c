/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages.c - the review page in printgated (see pages.h): the link read,
 * the viewer found, the review loaded through the engine's memo, its
 * view-model built (the facts, the rules with their decisions, the files
 * by rule with their diffs from the two blobs) and rendered by
 * daemon/web/page.c.  A decision posted from the page goes through
 * decide.c's decide_record_person(), as chat's go through
 * decide_record(): the same eligibility, repeats and ledger path.
 *
 * The token is part of the path and of nothing else: it is not logged
 * (the listener logs a route's name and an error page's title), and no
 * error page repeats it.
 */
#include "printgated/pages.h"
#include "printgated/previews.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chat/inbound.h"
#include "core/ledger.h"
#include "core/log.h"
#include "core/review.h"
#include "core/util.h"
#include "web/diff.h"
#include "web/link.h"
#include "web/page.h"
#include "web/pagereq.h"
#include "web/style.h"
#include "web/token.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define HTML_TYPE "text/html; charset=utf-8"

struct pages {
	const struct config *cf;
	struct engine *engine;
	struct decide *dc;
	struct previews *pv;	/* the previews of PDFs and images, or NULL */
	struct token_keys keys;
	int64_t (*now)(void);
	/* the stylesheet's and the script's paths under link_base() */
	char *css, *script;
};

/* The page headers the listener does not add itself. */
static const struct http_header page_extra[] = {
	{ "Content-Security-Policy", "default-src 'self'; "
	    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
};

/* Who is looking at a page. */
struct viewer {
	ssize_t person;		/* -1: nobody known, read-only */
	bool sso;		/* named by the proxy, not by the link */
};

/* --- life ---------------------------------------------------------- */

int
pages_set_config(struct pages *pg, const struct config *cf, char **why)
{
	struct token_keys k;

	if (link_keys_load(&k, cf, false, why) < 0)
		return -EINVAL;
	token_keys_clear(&pg->keys);
	pg->keys = k;
	token_keys_clear(&k);
	pg->cf = cf;
	free(pg->css);
	free(pg->script);
	pg->css = xasprintf("%s%s", link_base(cf), PAGE_CSS_PATH);
	pg->script = xasprintf("%s%s", link_base(cf), PAGE_JS_PATH);
	return 0;
}

int
pages_new(struct pages **out, const struct config *cf,
    struct engine *engine, struct decide *dc, int64_t (*now)(void),
    char **why)
{
	struct pages *pg = xcalloc(1, sizeof(*pg));

	pg->engine = engine;
	pg->dc = dc;
	pg->now = now;
	if (pages_set_config(pg, cf, why) < 0) {
		free(pg);
		return -EINVAL;
	}
	*out = pg;
	return 0;
}

void
pages_free(struct pages *pg)
{
	if (pg == NULL)
		return;
	token_keys_clear(&pg->keys);
	free(pg->css);
	free(pg->script);
	free(pg);
}

int
pages_personal_link(struct pages *pg, char **out, const char *tag,
    const char *commit, const char *person)
{
	return link_make(out, pg->cf, &pg->keys, tag, commit, person,
	    pg->now());
}

/* --- answers ------------------------------------------------------- */

static void
answer_html(struct http_response *rs, int status, struct buf *b)
{
	rs->status = status;
	rs->content_type = HTML_TYPE;
	rs->body = b->s ? b->s : xstrdup("");
	rs->headers = page_extra;
	rs->nheaders = ARRAY_SIZE(page_extra);
	b->s = NULL;
	b->len = 0;
}

static void
answer_error(const struct pages *pg, struct http_response *rs, int status,
    const char *detail)
{
	struct buf b = { 0 };

	page_error(&b, status, detail, pg->css);
	answer_html(rs, status, &b);
}

/* --- the request --------------------------------------------------- */

/* An address as 16 bytes (IPv4 as IPv4-mapped IPv6), or false. */
static bool
addr_of(const char *s, unsigned char out[16])
{
	unsigned char v4[4];

	if (inet_pton(AF_INET6, s, out) == 1)
		return true;
	if (inet_pton(AF_INET, s, v4) != 1)
		return false;
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
	return true;
}

/* Whether peer is one of http.trusted_proxies. */
static bool
peer_trusted(const struct config *cf, const char *peer)
{
	unsigned char a[16], b[16];

	if (peer == NULL || !addr_of(peer, a))
		return false;
	for (size_t i = 0; i < cf->http.ntrusted_proxies; i++)
		if (cf->http.trusted_proxies[i] &&
		    addr_of(cf->http.trusted_proxies[i], b) &&
		    memcmp(a, b, 16) == 0)
			return true;
	return false;
}

/*
 * The person a trusted single sign-on proxy names in the identity header
 * (matched by email, any case), or -1: no header set up, the request not
 * from a trusted proxy, no such header, or an email of nobody known.
 * From any other address the header is ignored: anyone can send it.
 */
static ssize_t
sso_person(const struct pages *pg, const struct http_request *rq)
{
	const struct config *cf = pg->cf;
	const char *v;

	if (cf->http.identity_header == NULL || !peer_trusted(cf, rq->peer))
		return -1;
	v = http_header(rq, cf->http.identity_header);
	if (v == NULL || *v == '\0' || strlen(v) > PAGES_MAX_IDENTITY)
		return -1;
	for (size_t i = 0; i < cf->npeople; i++)
		if (strcasecmp(cf->people[i].email, v) == 0)
			return (ssize_t)i;
	return -1;
}

/*
 * Who looks at the page of link l: its person for a personal link (403
 * when the proxy names someone else), else the proxy's person, else
 * nobody.  Returns 0, or an HTTP status with *detail set (static).
 */
static int
viewer_of(const struct pages *pg, const struct http_request *rq,
    const struct token_link *l, struct viewer *v, const char **detail)
{
	ssize_t sso = sso_person(pg, rq), p;

	v->person = -1;
	v->sso = false;
	if (l->person[0] == '\0') {
		v->person = sso;
		v->sso = sso >= 0;
		return 0;
	}
	if ((p = config_person_find(pg->cf, l->person)) < 0) {
		*detail = "This link was made for someone printgate no longer "
		    "knows. Ask the release manager for a new link.";
		return 403;
	}
	if (sso >= 0 && sso != p) {
		*detail = "This link was made for someone else: it lets only "
		    "them decide. Open the link that was sent to you, or the "
		    "review from your chat.";
		return 403;
	}
	v->person = p;
	return 0;
}

/*
 * Reads the token of t into *l: 0, or the status of its error page
 * (404 not a token of ours, 410 expired) with *detail.
 */
static int
link_read(const struct pages *pg, const struct pagereq_target *t,
    struct token_link *l, const char **detail)
{
	switch (token_link_parse(l, &pg->keys, t->token, pg->now())) {
	case 0:
		return 0;
	case -ETIMEDOUT:
		*detail = "Open the review again from the latest message "
		    "about it, or ask the release manager for a new link "
		    "(printgatectl link).";
		return 410;
	default:
		*detail = NULL;
		return 404;
	}
}

/* --- the review behind a link -------------------------------------- */

/* A review loaded for a page, and what it was loaded as. */
struct loaded {
	struct review *rv;
	struct review_target t;	/* the tag as it stands now */
	bool current;		/* the link's commit is the tag's candidate */
};

static void
loaded_clear(struct loaded *ld)
{
	review_free(ld->rv);
	review_target_clear(&ld->t);
	memset(ld, 0, sizeof(*ld));
}

/*
 * The review of l's commit asked for by l's tag, into *ld: with the tag's
 * object and message when the tag still asks for that commit, else as an
 * earlier candidate.  Returns 0, or a status (404, 500) with *detail.
 */
static int
review_of_link(struct pages *pg, const struct token_link *l,
    struct loaded *ld, const char **detail)
{
	struct repo *r = engine_repo(pg->engine);
	char *why = NULL, commit[OID_HEX];
	int error;

	memset(ld, 0, sizeof(*ld));
	if (review_resolve(&ld->t, pg->cf, r, l->tag, &why) == 0 &&
	    strcmp(ld->t.commit, l->commit) == 0)
		ld->current = true;
	free(why);
	why = NULL;
	if (!ld->current && repo_commit_by_id(r, l->commit, commit) < 0) {
		*detail = "The version this link shows is no longer in the "
		    "repository.";
		return 404;
	}
	error = engine_review_load(pg->engine, l->commit, l->tag,
	    ld->current && ld->t.tag_object[0] ? ld->t.tag_object : NULL,
	    ld->current ? ld->t.message : NULL, &ld->rv, &why);
	if (error < 0) {
		log_warnx("read the review of '%s' for its page: %s", l->tag,
		    why ? why : "unknown error");
		free(why);
		*detail = "The review cannot be read just now; try again in a "
		    "minute.";
		return 500;
	}
	return 0;
}

static enum page_state
state_of(const struct loaded *ld)
{
	if (ld->current && ld->t.released)
		return PAGE_RELEASED;
	if (!ld->current)
		return ld->rv->released ? PAGE_RELEASED : PAGE_REPLACED;
	if (ld->rv->blocked)
		return PAGE_BLOCKED;
	return ld->rv->approved ? PAGE_APPROVED : PAGE_WAITING;
}

/* --- the view-model ------------------------------------------------ */

/* What a page's view-model owns, freed after it is rendered. */
struct view {
	struct page_review pr;
	struct page_form form;
	void **owned;
	size_t nowned;
	struct diff_view **diffs;
	size_t ndiffs;
	struct previews_view **previews;
	size_t npreviews;
};

static void *
own(struct view *v, void *p)
{
	v->owned = xreallocarray(v->owned, v->nowned + 1, sizeof(void *));
	v->owned[v->nowned++] = p;
	return p;
}

static void
view_free(struct view *v)
{
	for (size_t i = 0; i < v->nowned; i++)
		free(v->owned[i]);
	free(v->owned);
	for (size_t i = 0; i < v->ndiffs; i++)
		diff_free(v->diffs[i]);
	free(v->diffs);
	for (size_t i = 0; i < v->npreviews; i++)
		previews_view_free(v->previews[i]);
	free(v->previews);
}

/* The end of a Print-By date ("2027-01-15") in unix seconds, or 0. */
static int64_t
deadline_of(const char *s)
{
	struct tm tm = { 0 };
	const char *end;

	if (s == NULL || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return 0;
	while (*end == ' ')
		end++;
	if (*end != '\0')
		return 0;
	return (int64_t)timegm(&tm) + 24 * 3600 - 1;
}

/* The trailer key of rv, or NULL. */
static const char *
trailer_of(const struct review *rv, const char *key)
{
	for (size_t i = 0; i < rv->ntrailers; i++)
		if (strcasecmp(rv->trailers[i].key, key) == 0)
			return rv->trailers[i].value;
	return NULL;
}

/* A channel's link to another review, as a path, or NULL. */
static char *
path_of(struct pages *pg, struct view *v, const char *tag,
    const char *commit)
{
	char *path = NULL;

	if (tag == NULL || link_path(&path, pg->cf, &pg->keys, tag, commit,
	    NULL, pg->now()) < 0)
		return NULL;
	return own(v, path);
}

/* The page's decisions of one rule from its members. */
static void
rule_decisions(const struct config *cf, const struct review_rule *rr,
    struct view *v, struct page_rule *out)
{
	struct page_decision *d = own(v, xcalloc(rr->nmembers + 1,
	    sizeof(*d)));
	const char **waiting = own(v, xcalloc(rr->nmembers + 1,
	    sizeof(char *)));
	struct buf reset = { 0 };

	for (size_t m = 0; m < rr->nmembers; m++) {
		const struct review_member *mb = &rr->members[m];
		const struct ledger_event *ev = mb->decision;
		const char *name = cf->people[mb->person].name;

		if (ev) {
			struct page_decision *pd = &d[out->ndecisions++];

			pd->who = name;
			pd->decision = ledger_type_name(ev->type);
			pd->at = ev->at;
			pd->comment = ev->comment;
			pd->via = ev->via;
			pd->carried = mb->carried ? own(v, xasprintf("%.7s",
			    ev->commit)) : NULL;
		} else if (mb->state == MEMBER_PENDING)
			waiting[out->nwaiting++] = name;
		if (mb->stale)
			buf_addf(&reset, "%s%s decided on other content%s%s",
			    reset.len ? "; " : "", name, mb->changed ?
			    ": changed since: " : "", mb->changed ?
			    mb->changed : "");
	}
	out->decisions = d;
	out->waiting = waiting;
	out->reset = reset.s ? own(v, reset.s) : NULL;
}

/* The rules that apply, into v->pr. */
static void
view_rules(const struct config *cf, const struct review *rv,
    struct view *v)
{
	struct page_rule *rules = own(v, xcalloc(rv->nrules + 1,
	    sizeof(*rules)));
	size_t n = 0;

	for (size_t i = 0; i < rv->nrules; i++) {
		const struct review_rule *rr = &rv->rules[i];
		const struct config_rule *cr = &cf->rules[rr->rule];
		struct page_rule *pr = &rules[n];

		if (!rr->applies)
			continue;
		pr->name = cr->name;
		pr->group = cf->groups[cr->group].name;
		pr->have = rr->approvals;
		pr->need = cr->required;
		pr->blocked = rr->blocked;
		pr->met = !rr->blocked && rr->approvals >= cr->required;
		rule_decisions(cf, rr, v, pr);
		n++;
	}
	v->pr.rules = rules;
	v->pr.nrules = n;
}

/* The rules (that apply) whose files include file i, into out[]. */
static size_t
file_rules(const struct config *cf, const struct review *rv, size_t i,
    const char **out)
{
	size_t n = 0;

	for (size_t k = 0; k < rv->nrules; k++) {
		const struct review_rule *rr = &rv->rules[k];

		for (size_t j = 0; rr->applies && j < rr->nfiles; j++)
			if (rr->files[j] == i) {
				out[n++] = cf->rules[rr->rule].name;
				break;
			}
	}
	return n;
}

/*
 * The view of a file's versions old and new (blob ids, "" for none):
 * from their bytes when both are within DIFF_MAX_BYTES, else from the
 * sizes in the objects' headers alone, so that a large file is never
 * read whole for its page.  NULL when a version cannot be read.
 */
static struct diff_view *
file_diff(struct repo *r, const char *path, const char *old,
    const char *new)
{
	size_t osize = 0, nsize = 0, olen = 0, nlen = 0;
	char *a = NULL, *b = NULL;
	struct diff_view *d = NULL;

	if ((old[0] && repo_object_size(r, old, &osize) < 0) ||
	    (new[0] && repo_object_size(r, new, &nsize) < 0))
		return NULL;
	if (osize > DIFF_MAX_BYTES || nsize > DIFF_MAX_BYTES)
		return diff_large(old[0] == '\0', osize, new[0] == '\0',
		    nsize, strcmp(old, new) == 0);
	if ((old[0] == '\0' || repo_blob_read(r, old, &a, &olen) == 0) &&
	    (new[0] == '\0' || repo_blob_read(r, new, &b, &nlen) == 0))
		d = diff_files(path, a, olen, b, nlen);
	free(a);
	free(b);
	return d;
}

/*
 * What a file is when it is not a plain file (a symlink and its target,
 * a submodule and its commit) and the attributes that change what an
 * archive of it holds; NULL for a plain file without them.
 */
static char *
file_note(struct repo *r, const struct scope_file *f)
{
	struct buf b = { 0 };
	char *target = NULL;
	size_t len = 0;

	if (f->mode == 0120000) {
		if (repo_blob_read(r, f->blob, &target, &len) == 0 &&
		    len <= 1024)
			buf_addf(&b, "symlink to %s", target);
		else
			buf_adds(&b, "symlink");
		free(target);
	} else if (f->mode == 0160000)
		buf_addf(&b, "submodule at commit %.12s", f->blob);
	if (f->attrs & SCOPE_EXPORT_SUBST)
		buf_addf(&b, "%sexport-subst: git archive rewrites it",
		    b.len ? "; " : "");
	if (f->attrs & SCOPE_EXPORT_IGNORE)
		buf_addf(&b, "%sexport-ignore: left out of git archive",
		    b.len ? "; " : "");
	if (f->filter)
		buf_addf(&b, "%sfilter %s: stored through a filter",
		    b.len ? "; " : "", f->filter);
	return b.s;
}

/* The old blob of a scope file: the base's, or "" when there is none. */
static void
old_blob(struct repo *r, const struct review *rv, const struct scope_file *f,
    char out[OID_HEX])
{
	out[0] = '\0';
	if (rv->base_commit[0] && f->status != 'A' &&
	    repo_blob_at(r, rv->base_commit, f->path, out) < 0)
		out[0] = '\0';
}

/* One file's view: its diff from the two blobs, its downloads. */
static void
view_file(struct pages *pg, const struct review *rv, size_t i,
    const char *token, struct view *v, struct page_file *pf)
{
	struct repo *r = engine_repo(pg->engine);
	const struct scope_file *f = &rv->files[i];
	bool plain = f->mode != 0120000 && f->mode != 0160000;
	struct diff_view *d;
	char old[OID_HEX];

	pf->path = f->path;
	pf->status = f->status;
	pf->rules = own(v, xcalloc(rv->nrules + 1, sizeof(char *)));
	pf->nrules = file_rules(pg->cf, rv, i, (const char **)pf->rules);
	pf->note = own(v, file_note(r, f));
	old_blob(r, rv, f, old);
	if (!plain)
		return;
	if (old[0])
		pf->old_url = own(v, xasprintf("%s%s%s/file/%zu/old",
		    link_base(pg->cf), LINK_PATH_PREFIX, token, i + 1));
	if (f->status != 'D')
		pf->new_url = own(v, xasprintf("%s%s%s/file/%zu/new",
		    link_base(pg->cf), LINK_PATH_PREFIX, token, i + 1));
	/* the summary's rule: a real file, not a link named x.pdf */
	if (pg->pv != NULL && previews_file_ok(f)) {
		struct previews_view *pvv = previews_view(pg->pv, token,
		    f->path, old[0] ? old : NULL,
		    f->status == 'D' ? NULL : f->blob);

		v->previews = xreallocarray(v->previews, v->npreviews + 1,
		    sizeof(*v->previews));
		v->previews[v->npreviews++] = pvv;
		pf->preview = previews_view_page(pvv);
	}
	if (v->ndiffs >= PAGES_MAX_DIFFS)
		return;
	if ((d = file_diff(r, f->path, old, f->status == 'D' ? "" :
	    f->blob)) == NULL) {
		log_warnx("read '%s' of '%s' for its page: %s", f->path,
		    rv->tag, repo_strerror());
		pf->note = own(v, xasprintf("%s%sits content cannot be read "
		    "just now; reload the page in a minute", pf->note ?
		    pf->note : "", pf->note ? "; " : ""));
		return;
	}
	v->diffs = xreallocarray(v->diffs, v->ndiffs + 1, sizeof(*v->diffs));
	v->diffs[v->ndiffs++] = d;
	pf->diff = d;
}

static void
view_files(struct pages *pg, const struct review *rv, const char *token,
    struct view *v)
{
	struct page_file *files = own(v, xcalloc(rv->nfiles + 1,
	    sizeof(*files)));

	for (size_t i = 0; i < rv->nfiles; i++)
		view_file(pg, rv, i, token, v, &files[i]);
	v->pr.files = files;
	v->pr.nfiles = rv->nfiles;
}

/* The latest decision of person in rv, as its type's name, or NULL. */
static const char *
decision_of(const struct review *rv, size_t person)
{
	const struct ledger_event *latest = NULL;

	for (size_t i = 0; i < rv->nrules; i++)
		for (size_t m = 0; m < rv->rules[i].nmembers; m++) {
			const struct review_member *mb =
			    &rv->rules[i].members[m];

			if (mb->person == person && mb->decision &&
			    (latest == NULL || mb->decision->at > latest->at))
				latest = mb->decision;
		}
	return latest ? ledger_type_name(latest->type) : NULL;
}

/* What a review page says to its viewer besides the review. */
struct say {
	bool comment_needed;	/* came from chat to write the comment */
	const char *flash;	/* one line at the top, or NULL */
	const char *decision;	/* the form filled in again, or NULL */
	const char *comment;
};

/* Teams messages have no buttons, Mattermost's buttons only name the
 * command: the sentence fits every platform's message. */
#define WHERE_CHANNEL "This page is for reading. To decide, use the " \
	"chat message about this review (its buttons or the printgate " \
	"command it shows), or the personal link printgate sent you."

/*
 * The decision form for viewer, or the sentence that says why there is
 * none (v->pr.where).
 */
static void
view_form(struct pages *pg, const struct loaded *ld, const char *token,
    const struct viewer *vw, const struct say *say, struct view *v)
{
	const struct config *cf = pg->cf;
	size_t *rules = NULL, n = 0;
	const char **names;
	char *why = NULL, *csrf;

	if (vw->person < 0) {
		v->pr.where = WHERE_CHANNEL;
		return;
	}
	if (v->pr.state == PAGE_RELEASED || v->pr.state == PAGE_REPLACED) {
		v->pr.where = "This review is closed: there is nothing to "
		    "decide here any more.";
		return;
	}
	if (review_eligible(cf, ld->rv, (size_t)vw->person, &rules, &n,
	    &why) < 0) {
		v->pr.where = own(v, xasprintf("You are not asked to decide "
		    "on this review: %s.", why));
		free(why);
		return;
	}
	names = own(v, xcalloc(n + 1, sizeof(char *)));
	for (size_t i = 0; i < n; i++)
		names[i] = cf->rules[rules[i]].name;
	free(rules);
	csrf = own(v, xmalloc(TOKEN_CSRF_CHARS + 1));
	token_csrf(csrf, &pg->keys, token, vw->sso ?
	    cf->people[vw->person].id : "");
	v->form = (struct page_form){
		.action = own(v, xasprintf("%s%s%s/decide", link_base(cf),
		    LINK_PATH_PREFIX, token)),
		.csrf = csrf,
		.person = cf->people[vw->person].name,
		.rules = names,
		.nrules = n,
		.current = decision_of(ld->rv, (size_t)vw->person),
		.comment_needed = say->comment_needed,
		.decision = say->decision,
		.comment = say->comment,
	};
	v->pr.form = &v->form;
}

/* The facts of the review: tag, commit, tagger, message, deadline. */
static void
view_facts(struct pages *pg, const struct loaded *ld, const char *token,
    struct view *v)
{
	const struct review *rv = ld->rv;
	struct repo_tag *tg = NULL;

	v->pr.tag = rv->tag;
	v->pr.commit = rv->commit;
	if (ld->current && ld->t.tag_object[0] &&
	    repo_tag_read(engine_repo(pg->engine), ld->t.tag_object,
	    &tg) == 0) {
		v->pr.tagger = own(v, xstrdup(tg->tagger));
		v->pr.tagged_at = tg->time;
		v->pr.message = own(v, xstrdup(tg->message));
		repo_tag_free(tg);
	}
	v->pr.previous = rv->base_tag;
	v->pr.previous_url = path_of(pg, v, rv->base_tag, rv->base_commit);
	v->pr.print_by = trailer_of(rv, "Print-By");
	v->pr.deadline = deadline_of(v->pr.print_by);
	v->pr.now = pg->now();
	v->pr.state = state_of(ld);
	v->pr.history_url = own(v, xasprintf("%s%s%s/history",
	    link_base(pg->cf), LINK_PATH_PREFIX, token));
	v->pr.css = pg->css;
	v->pr.script = pg->script;
}

/* The most approvers a closed review's sentence names. */
#define CLOSED_MAX_NAMED 20

/* Why ld's review is closed (page_closed_text()), or NULL: it is open. */
static char *
closed_text(const struct config *cf, const struct loaded *ld)
{
	const struct review *rv = ld->rv;
	struct page_closed c = { state_of(ld), rv->tag, NULL, 0, 0, NULL };
	const char *names[CLOSED_MAX_NAMED];
	size_t who[CLOSED_MAX_NAMED];

	if (c.state == PAGE_REPLACED)
		c.commit = ld->t.commit[0] ? ld->t.commit : NULL;
	else if (c.state == PAGE_RELEASED) {
		c.napprovers = review_approvers(cf, rv, who, CLOSED_MAX_NAMED);
		for (size_t i = 0; i < c.napprovers; i++)
			names[i] = cf->people[who[i]].name;
		c.approvers = names;
		c.at = rv->released ? rv->released->at : 0;
	} else
		return NULL;
	return page_closed_text(&c);
}

/* Why the review is closed, with the link to the tag's current version. */
static void
view_closed(struct pages *pg, const struct loaded *ld, struct view *v)
{
	char *text = closed_text(pg->cf, ld);

	if (text == NULL)
		return;
	v->pr.closed = own(v, text);
	if (!ld->current && ld->t.commit[0])
		v->pr.current_url = path_of(pg, v, ld->rv->tag, ld->t.commit);
}

/* The review page of ld for viewer into b. */
static void
render_review(struct pages *pg, const struct loaded *ld, const char *token,
    const struct viewer *vw, const struct say *say,
    struct buf *b)
{
	struct view v = { 0 };

	view_facts(pg, ld, token, &v);
	view_rules(pg->cf, ld->rv, &v);
	view_files(pg, ld->rv, token, &v);
	view_form(pg, ld, token, vw, say, &v);
	view_closed(pg, ld, &v);
	v.pr.flash = say->flash;
	page_review(b, &v.pr);
	view_free(&v);
}

/* --- history and downloads ----------------------------------------- */

static int
candidate_cmp(const void *a, const void *b)
{
	const struct page_candidate *x = a, *y = b;

	return x->at < y->at ? 1 : x->at > y->at ? -1 : 0;
}

/* The approvals counted and needed of rv's rules that apply. */
static void
counts_of(const struct config *cf, const struct review *rv, unsigned *have,
    unsigned *need)
{
	*have = *need = 0;
	for (size_t i = 0; i < rv->nrules; i++)
		if (rv->rules[i].applies) {
			*have += rv->rules[i].approvals;
			*need += cf->rules[rv->rules[i].rule].required;
		}
}

/*
 * The history page of ld's tag: each candidate the ledger has a request
 * of (those this review read), newest first, each linked to its page.
 */
static void
render_history(struct pages *pg, const struct loaded *ld, struct buf *b)
{
	const struct review *rv = ld->rv;
	struct page_candidate *c = xcalloc(PAGES_MAX_HISTORY,
	    sizeof(*c));
	struct view v = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < rv->events.n && n < PAGES_MAX_HISTORY; i++) {
		const struct ledger_event *ev = &rv->events.v[i];
		struct review *other = NULL;
		bool seen = false;
		char *why = NULL;

		if (ev->type != LEDGER_REQUEST || ev->tag == NULL ||
		    strcmp(ev->tag, rv->tag) != 0)
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(c[k].commit, ev->commit) == 0;
		if (seen)
			continue;
		c[n].commit = ev->commit;
		c[n].at = ev->at;
		c[n].url = path_of(pg, &v, rv->tag, ev->commit);
		c[n].state = ld->current && strcmp(ev->commit,
		    ld->t.commit) == 0 ? state_of(ld) : PAGE_REPLACED;
		if (engine_review_load(pg->engine, ev->commit, rv->tag, NULL,
		    NULL, &other, &why) == 0) {
			counts_of(pg->cf, other, &c[n].have, &c[n].need);
			review_free(other);
		}
		free(why);
		n++;
	}
	qsort(c, n, sizeof(*c), candidate_cmp);
	page_history(b, &(struct page_history){ rv->tag, c, n, pg->css });
	free(c);
	view_free(&v);
}

/* A file's name for a download: its last part, plain characters only. */
static char *
download_name(const char *path, bool new_side)
{
	const char *base = strrchr(path, '/');
	char *name = xasprintf("%s%.100s", new_side ? "" : "old-",
	    base ? base + 1 : path);

	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'))
			*p = '_';
	return name;
}

/* A file's version as an attachment; 404 for no such file or side. */
static void
answer_file(struct pages *pg, const struct loaded *ld,
    const struct pagereq_target *t, struct http_response *rs)
{
	struct repo *r = engine_repo(pg->engine);
	const struct scope_file *f;
	char old[OID_HEX], *name, *data = NULL;
	const char *id;
	size_t len = 0;
	int error;

	if (t->file > ld->rv->nfiles) {
		answer_error(pg, rs, 404, "This review has no such file.");
		return;
	}
	f = &ld->rv->files[t->file - 1];
	old_blob(r, ld->rv, f, old);
	id = t->new_side ? (f->status == 'D' ? "" : f->blob) : old;
	if (id[0] == '\0' || f->mode == 0120000 || f->mode == 0160000) {
		answer_error(pg, rs, 404, "This version of the file does not "
		    "exist: the file was added or removed here.");
		return;
	}
	if ((error = repo_blob_read_max(r, id, PAGES_MAX_DOWNLOAD, &data,
	    &len)) < 0) {
		if (error != -EFBIG)
			log_warnx("read '%s' of '%s' for a download: %s",
			    f->path, ld->rv->tag, repo_strerror());
		answer_error(pg, rs, 500, error == -EFBIG ? "The file is over "
		    "256 MiB, too large to download here; ask the release "
		    "manager for it." : "The file cannot be read here; ask "
		    "the release manager for it.");
		return;
	}
	name = download_name(f->path, t->new_side);
	rs->status = 200;
	rs->content_type = "application/octet-stream";
	rs->body = data;
	rs->len = len;
	rs->headers = page_extra;
	rs->nheaders = ARRAY_SIZE(page_extra);
	rs->disposition = xasprintf("attachment; filename=\"%s\"", name);
	free(name);
}

/* --- the routes ---------------------------------------------------- */

/*
 * The link of rq, its review and its viewer into *t, *l, *ld and *vw; or
 * false with rs answered by the error page.
 */
static bool
open_link(struct pages *pg, const struct http_request *rq,
    struct pagereq_target *t, struct token_link *l, struct loaded *ld,
    struct viewer *vw, struct http_response *rs)
{
	const char *detail = NULL;
	int status;

	if (pagereq_target(rq->path, t) < 0) {
		answer_error(pg, rs, 404, NULL);
		return false;
	}
	if ((status = link_read(pg, t, l, &detail)) != 0 ||
	    (status = viewer_of(pg, rq, l, vw, &detail)) != 0 ||
	    (status = review_of_link(pg, l, ld, &detail)) != 0) {
		answer_error(pg, rs, status, detail);
		return false;
	}
	return true;
}

void
pages_get(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct pages *pg = ctx;
	struct pagereq_target t = { 0 };
	struct token_link l;
	struct loaded ld = { 0 };
	struct viewer vw;
	struct buf b = { 0 };
	const char *changes = http_query(rq, "changes");

	if (!open_link(pg, rq, &t, &l, &ld, &vw, rs))
		return;
	switch (t.what) {
	case PAGEREQ_PAGE:
		render_review(pg, &ld, t.token, &vw, &(struct say){ changes &&
		    strcmp(changes, "1") == 0, NULL, NULL, NULL }, &b);
		answer_html(rs, 200, &b);
		break;
	case PAGEREQ_HISTORY:
		render_history(pg, &ld, &b);
		answer_html(rs, 200, &b);
		break;
	case PAGEREQ_FILE:
		answer_file(pg, &ld, &t, rs);
		break;
	case PAGEREQ_DECIDE:
		answer_error(pg, rs, 400, "Decisions are sent with the form on "
		    "the review page.");
		break;
	}
	loaded_clear(&ld);
}

/* The origin ("https://host:port") of public_url into out, or "". */
static void
origin_of(const char *url, char *out, size_t n)
{
	const char *host = url ? strstr(url, "://") : NULL;
	size_t len;

	out[0] = '\0';
	if (host == NULL)
		return;
	len = (size_t)(host - url) + 3 + strcspn(host + 3, "/?#");
	if (len < n)
		snprintf(out, n, "%.*s", (int)len, url);
}

/*
 * The request's Origin: none (curl, old browsers), "null" (Chromium's
 * own same-origin posts from a no-referrer page; only ever taken with a
 * valid CSRF token, checked next) or public_url's.  Anything else is a
 * post from another site: false.
 */
static bool
origin_ok(const struct pages *pg, const struct http_request *rq)
{
	const char *o = http_header(rq, "Origin");
	char want[512];

	if (o == NULL || strcmp(o, "null") == 0)
		return true;
	origin_of(pg->cf->http.public_url, want, sizeof(want));
	return want[0] && strcasecmp(o, want) == 0;
}

/* The flash of a decision recorded, for the person who made it. */
static const char *
flash_of(const char *decision, bool recorded)
{
	if (!recorded)
		return "You had already sent this decision: nothing changed.";
	if (strcmp(decision, "approve") == 0)
		return "Your approval was recorded.";
	if (strcmp(decision, "approve-with-changes") == 0)
		return "Your approval with changes was recorded.";
	return "Your request for changes was recorded; the marketers see "
	    "your comment.";
}

/*
 * Whether l's review is closed, or cannot be read: then rs is answered
 * with the page that says so (409 and why it closed), and nothing is
 * recorded.
 */
static bool
post_closed(struct pages *pg, const struct token_link *l,
    struct http_response *rs)
{
	struct loaded ld = { 0 };
	const char *detail = NULL;
	char *text = NULL;
	int status;

	if ((status = review_of_link(pg, l, &ld, &detail)) != 0)
		answer_error(pg, rs, status, detail);
	else if ((text = closed_text(pg->cf, &ld)) != NULL)
		answer_error(pg, rs, 409, text);
	free(text);
	loaded_clear(&ld);
	return status != 0 || text != NULL;
}

#define BUSY_FLASH "The ledger is busy just now, so your decision was not " \
	"recorded yet. Nothing is lost: your choice and comment are still in " \
	"the form below. Send it again in a moment."

/*
 * The ledger stayed locked by another writer through the retries: the
 * review page (503) with p's decision and comment in the form again.
 */
static void
answer_busy(struct pages *pg, const struct token_link *l,
    const struct pagereq_target *t, const struct viewer *vw, const struct pagereq_form *p,
    struct http_response *rs)
{
	struct loaded ld = { 0 };
	const char *detail = NULL;
	struct buf b = { 0 };

	if (review_of_link(pg, l, &ld, &detail) != 0)
		answer_error(pg, rs, 503, BUSY_FLASH);
	else {
		render_review(pg, &ld, t->token, vw, &(struct say){ false,
		    BUSY_FLASH, p->decision, p->comment }, &b);
		answer_html(rs, 503, &b);
	}
	loaded_clear(&ld);
}

/*
 * Records p's decision by viewer on ld's review (decide.c), and answers
 * with the review page as it stands then, or the refusal's error page.
 * While another writer holds the ledger's lock, and may_wait, the request
 * is tried again from the listener's loop (rs->retry_ms): nothing is
 * answered yet.
 */
static void
post_decide(struct pages *pg, const struct token_link *l,
    const struct pagereq_target *t, const struct viewer *vw, struct pagereq_form *p,
    bool may_wait, struct http_response *rs)
{
	struct decide_outcome o = { 0 };
	struct inbound in = { 0 };
	struct loaded ld = { 0 };
	const char *detail = NULL;
	struct buf b = { 0 };
	char *first;
	int status;

	in.review = xasprintf("%s@%s", l->tag, l->commit);
	in.decision = p->decision;
	in.comment = p->comment;
	decide_set_wait(pg->dc, may_wait);
	decide_record_person(pg->dc, (size_t)vw->person, vw->sso ? "web:sso" :
	    "web:link", &in, p->rules, p->nrules, &o);
	decide_set_wait(pg->dc, false);
	free(in.review);
	if (o.locked && may_wait)
		rs->retry_ms = DECIDE_LEDGER_RETRY_MS;
	else if (o.locked)
		answer_busy(pg, l, t, vw, p, rs);
	else if (o.status != 200) {
		first = xstrndup(o.text ? o.text : "", strcspn(o.text ?
		    o.text : "", "\n"));
		answer_error(pg, rs, o.status, first);
		free(first);
	} else if ((status = review_of_link(pg, l, &ld, &detail)) != 0)
		answer_error(pg, rs, status, detail);
	else {
		render_review(pg, &ld, t->token, vw, &(struct say){ false,
		    flash_of(p->decision, o.recorded), NULL, NULL }, &b);
		answer_html(rs, 200, &b);
	}
	loaded_clear(&ld);
	decide_outcome_clear(&o);
}

void
pages_post(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct pages *pg = ctx;
	struct pagereq_target t = { 0 };
	struct token_link l;
	struct viewer vw;
	struct pagereq_form p = { 0 };
	const char *detail = NULL;
	int status;

	if (pagereq_target(rq->path, &t) < 0 || t.what != PAGEREQ_DECIDE) {
		answer_error(pg, rs, 404, NULL);
		return;
	}
	if ((status = link_read(pg, &t, &l, &detail)) != 0 ||
	    (status = viewer_of(pg, rq, &l, &vw, &detail)) != 0) {
		answer_error(pg, rs, status, detail);
		return;
	}
	detail = pagereq_form(rq->body, rq->len, PAGE_MAX_COMMENT,
	    LEDGER_MAX_COMMENT, &p);
	if (!origin_ok(pg, rq))
		answer_error(pg, rs, 403, "This form was sent from another site. "
		    "Open the review page and decide there.");
	else if (token_csrf_check(&pg->keys, t.token, vw.sso && vw.person >= 0
	    ? pg->cf->people[vw.person].id : "", p.csrf) < 0)
		answer_error(pg, rs, 403, "The form does not belong to this link "
		    "or this person. Reload the review page and send your "
		    "decision again.");
	else if (vw.person < 0)
		answer_error(pg, rs, 403, WHERE_CHANNEL);
	else if (post_closed(pg, &l, rs))
		;
	else if (detail != NULL)
		answer_error(pg, rs, 400, detail);
	else
		post_decide(pg, &l, &t, &vw, &p,
		    decide_may_wait(rq->waited_ms), rs);
	pagereq_form_clear(&p);
}

void
pages_css(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	size_t len;
	const char *css = style_css(&len);

	(void)ctx;
	(void)rq;
	rs->status = 200;
	rs->content_type = "text/css; charset=utf-8";
	rs->body = xstrndup(css, len);
	rs->len = len;
	rs->headers = page_extra;
	rs->nheaders = ARRAY_SIZE(page_extra);
}

void
pages_favicon(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	(void)ctx;
	(void)rq;
	rs->status = 204;
	rs->body = xstrdup("");
}

void
pages_set_previews(struct pages *pg, struct previews *pv)
{
	if (pg != NULL)
		pg->pv = pv;
}
