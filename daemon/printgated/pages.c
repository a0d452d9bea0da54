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
};

/* The page headers the listener does not add itself. */
static const struct http_header page_extra[] = {
	{ "Content-Security-Policy", "default-src 'self'; "
	    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
};

/* What a request under /r/ is for. */
enum what { W_PAGE, W_DECIDE, W_HISTORY, W_FILE };

struct target {
	char token[TOKEN_MAX_CHARS + 1];
	enum what what;
	size_t file;		/* W_FILE: 1-based */
	bool new_side;		/* W_FILE: the new version */
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
answer_error(struct http_response *rs, int status, const char *detail)
{
	struct buf b = { 0 };

	page_error(&b, status, detail, NULL);
	answer_html(rs, status, &b);
}

/* --- the request --------------------------------------------------- */

/*
 * Splits the path after "/r/" into *t: the token, then nothing,
 * "/decide", "/history" or "/file/N/old|new".  -EINVAL for anything else.
 */
static int
target_parse(const char *path, struct target *t)
{
	const char *s = path + strlen(LINK_PATH_PREFIX), *end;
	size_t n = strcspn(s, "/");
	char *e;

	if (n == 0 || n > TOKEN_MAX_CHARS)
		return -EINVAL;
	memcpy(t->token, s, n);
	t->token[n] = '\0';
	s += n;
	t->what = W_PAGE;
	if (*s == '\0')
		return 0;
	if (strcmp(s, "/decide") == 0)
		t->what = W_DECIDE;
	else if (strcmp(s, "/history") == 0)
		t->what = W_HISTORY;
	else if (str_startswith(s, "/file/")) {
		s += strlen("/file/");
		if (*s < '1' || *s > '9')
			return -EINVAL;
		errno = 0;
		t->file = (size_t)strtoul(s, &e, 10);
		if (errno || e - s > 6)
			return -EINVAL;
		end = e;
		if (strcmp(end, "/old") == 0)
			t->new_side = false;
		else if (strcmp(end, "/new") == 0)
			t->new_side = true;
		else
			return -EINVAL;
		t->what = W_FILE;
	} else
		return -EINVAL;
	return 0;
}

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
link_read(const struct pages *pg, const struct target *t,
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
	char *url = NULL, *path;
	const char *at;

	if (tag == NULL || link_make(&url, pg->cf, &pg->keys, tag, commit,
	    NULL, pg->now()) < 0)
		return NULL;
	at = strstr(url, LINK_PATH_PREFIX);
	path = xstrdup(at ? at : url);
	free(url);
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

/* A blob's bytes when it is small enough to compare; else NULL. */
static char *
blob_small(struct repo *r, const char *id, size_t *len, bool *large)
{
	size_t size = 0;
	char *s = NULL;

	*len = 0;
	if (id == NULL || id[0] == '\0')
		return NULL;
	if (repo_object_size(r, id, &size) < 0 || size > DIFF_MAX_BYTES) {
		*large = true;
		return NULL;
	}
	if (repo_blob_read(r, id, &s, len) < 0) {
		*large = true;
		return NULL;
	}
	return s;
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
	bool plain = f->mode != 0120000 && f->mode != 0160000, large = false;
	char old[OID_HEX], *a, *b;
	size_t alen, blen;

	pf->path = f->path;
	pf->status = f->status;
	pf->rules = own(v, xcalloc(rv->nrules + 1, sizeof(char *)));
	pf->nrules = file_rules(pg->cf, rv, i, (const char **)pf->rules);
	pf->note = own(v, file_note(r, f));
	old_blob(r, rv, f, old);
	if (!plain)
		return;
	if (old[0])
		pf->old_url = own(v, xasprintf("%s%s/file/%zu/old",
		    LINK_PATH_PREFIX, token, i + 1));
	if (f->status != 'D')
		pf->new_url = own(v, xasprintf("%s%s/file/%zu/new",
		    LINK_PATH_PREFIX, token, i + 1));
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
	a = blob_small(r, old, &alen, &large);
	b = blob_small(r, f->status == 'D' ? "" : f->blob, &blen, &large);
	if (!large) {
		struct diff_view *d = diff_files(f->path, old[0] ? a : NULL,
		    alen, f->status == 'D' ? NULL : b, blen);

		v->diffs = xreallocarray(v->diffs, v->ndiffs + 1,
		    sizeof(*v->diffs));
		v->diffs[v->ndiffs++] = d;
		pf->diff = d;
	}
	free(a);
	free(b);
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
    const struct viewer *vw, bool comment_needed, struct view *v)
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
		.action = own(v, xasprintf("%s%s/decide", LINK_PATH_PREFIX,
		    token)),
		.csrf = csrf,
		.person = cf->people[vw->person].name,
		.rules = names,
		.nrules = n,
		.current = decision_of(ld->rv, (size_t)vw->person),
		.comment_needed = comment_needed,
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
	v->pr.history_url = own(v, xasprintf("%s%s/history",
	    LINK_PATH_PREFIX, token));
}

/* The review page of ld for viewer into b. */
static void
render_review(struct pages *pg, const struct loaded *ld, const char *token,
    const struct viewer *vw, bool comment_needed, const char *flash,
    struct buf *b)
{
	struct view v = { 0 };

	view_facts(pg, ld, token, &v);
	view_rules(pg->cf, ld->rv, &v);
	view_files(pg, ld->rv, token, &v);
	view_form(pg, ld, token, vw, comment_needed, &v);
	v.pr.flash = flash;
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
	page_history(b, &(struct page_history){ rv->tag, c, n, NULL });
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
    const struct target *t, struct http_response *rs)
{
	struct repo *r = engine_repo(pg->engine);
	const struct scope_file *f;
	char old[OID_HEX], *name, *data = NULL;
	const char *id;
	size_t size = 0, len = 0;

	if (t->file > ld->rv->nfiles) {
		answer_error(rs, 404, "This review has no such file.");
		return;
	}
	f = &ld->rv->files[t->file - 1];
	old_blob(r, ld->rv, f, old);
	id = t->new_side ? (f->status == 'D' ? "" : f->blob) : old;
	if (id[0] == '\0' || f->mode == 0120000 || f->mode == 0160000) {
		answer_error(rs, 404, "This version of the file does not "
		    "exist: the file was added or removed here.");
		return;
	}
	if (repo_object_size(r, id, &size) < 0 || size > PAGES_MAX_DOWNLOAD ||
	    repo_blob_read(r, id, &data, &len) < 0) {
		answer_error(rs, 500, "The file cannot be read here; ask the "
		    "release manager for it.");
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
    struct target *t, struct token_link *l, struct loaded *ld,
    struct viewer *vw, struct http_response *rs)
{
	const char *detail = NULL;
	int status;

	if (target_parse(rq->path, t) < 0) {
		answer_error(rs, 404, NULL);
		return false;
	}
	if ((status = link_read(pg, t, l, &detail)) != 0 ||
	    (status = viewer_of(pg, rq, l, vw, &detail)) != 0 ||
	    (status = review_of_link(pg, l, ld, &detail)) != 0) {
		answer_error(rs, status, detail);
		return false;
	}
	return true;
}

void
pages_get(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct pages *pg = ctx;
	struct target t = { 0 };
	struct token_link l;
	struct loaded ld = { 0 };
	struct viewer vw;
	struct buf b = { 0 };
	const char *changes = http_query(rq, "changes");

	if (!open_link(pg, rq, &t, &l, &ld, &vw, rs))
		return;
	switch (t.what) {
	case W_PAGE:
		render_review(pg, &ld, t.token, &vw, changes &&
		    strcmp(changes, "1") == 0, NULL, &b);
		answer_html(rs, 200, &b);
		break;
	case W_HISTORY:
		render_history(pg, &ld, &b);
		answer_html(rs, 200, &b);
		break;
	case W_FILE:
		answer_file(pg, &ld, &t, rs);
		break;
	case W_DECIDE:
		answer_error(rs, 400, "Decisions are sent with the form on "
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

/* Each "rule" of the form into rules[] (the caller frees), at most max. */
static size_t
form_rules(const char *body, size_t len, char **rules, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n < max;) {
		size_t k = i;
		char *v = NULL;

		while (k < len && body[k] != '&')
			k++;
		if (inbound_form_get(body + i, k - i, "rule", &v) == 0) {
			if (strlen(v) <= 64)
				rules[n++] = v;
			else
				free(v);
		}
		i = k + 1;
	}
	return n;
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

/* A form post's fields. */
struct post {
	char *csrf;
	char *decision;
	char *comment;
	char *rules[PAGES_MAX_RULES];
	size_t nrules;
};

static void
post_clear(struct post *p)
{
	free(p->csrf);
	free(p->decision);
	free(p->comment);
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i]);
}

/*
 * Reads and checks the fields of rq's form into *p: a decision of the
 * three, a comment within PAGE_MAX_COMMENT characters and
 * LEDGER_MAX_COMMENT bytes (required for changes-required).  Returns NULL, or the error page's detail (static).
 */
static const char *
post_read(const struct http_request *rq, struct post *p)
{
	size_t chars = 0;

	inbound_form_get(rq->body, rq->len, "csrf", &p->csrf);
	if (inbound_form_get(rq->body, rq->len, "decision", &p->decision) < 0
	    || (strcmp(p->decision, "approve") != 0 &&
	    strcmp(p->decision, "approve-with-changes") != 0 &&
	    strcmp(p->decision, "changes-required") != 0))
		return "Choose a decision: approve, approve with changes, or "
		    "request changes.";
	if (inbound_form_get(rq->body, rq->len, "comment", &p->comment) == 0) {
		char *s = p->comment, *e = s + strlen(s);

		while (*s == ' ' || *s == '\r' || *s == '\n' || *s == '\t')
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\r' ||
		    e[-1] == '\n' || e[-1] == '\t'))
			e--;
		memmove(p->comment, s, (size_t)(e - s));
		p->comment[e - s] = '\0';
		for (s = p->comment; *s; s++)
			chars += ((unsigned char)*s & 0xc0) != 0x80;
		if (chars > PAGE_MAX_COMMENT ||
		    strlen(p->comment) > LEDGER_MAX_COMMENT)
			return "The comment is too long: keep it under 2000 "
			    "characters.";
		if (*p->comment == '\0') {
			free(p->comment);
			p->comment = NULL;
		}
	}
	if (strcmp(p->decision, "changes-required") == 0 && !p->comment)
		return "Say what must change: a request for changes needs a "
		    "comment.";
	p->nrules = form_rules(rq->body, rq->len, p->rules,
	    PAGES_MAX_RULES);
	return NULL;
}

/*
 * Records p's decision by viewer on ld's review (decide.c), and answers
 * with the review page as it stands then, or the refusal's error page.
 */
static void
post_decide(struct pages *pg, const struct token_link *l,
    const struct target *t, const struct viewer *vw, struct post *p,
    struct http_response *rs)
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
	decide_record_person(pg->dc, (size_t)vw->person, vw->sso ? "web:sso" :
	    "web:link", &in, p->rules, p->nrules, &o);
	free(in.review);
	if (o.status != 200) {
		first = xstrndup(o.text ? o.text : "", strcspn(o.text ?
		    o.text : "", "\n"));
		answer_error(rs, o.status, first);
		free(first);
	} else if ((status = review_of_link(pg, l, &ld, &detail)) != 0)
		answer_error(rs, status, detail);
	else {
		render_review(pg, &ld, t->token, vw, false, flash_of(
		    p->decision, o.recorded), &b);
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
	struct target t = { 0 };
	struct token_link l;
	struct viewer vw;
	struct post p = { 0 };
	const char *detail = NULL;
	int status;

	if (target_parse(rq->path, &t) < 0 || t.what != W_DECIDE) {
		answer_error(rs, 404, NULL);
		return;
	}
	if ((status = link_read(pg, &t, &l, &detail)) != 0 ||
	    (status = viewer_of(pg, rq, &l, &vw, &detail)) != 0) {
		answer_error(rs, status, detail);
		return;
	}
	detail = post_read(rq, &p);
	if (!origin_ok(pg, rq))
		answer_error(rs, 403, "This form was sent from another site. "
		    "Open the review page and decide there.");
	else if (token_csrf_check(&pg->keys, t.token, vw.sso && vw.person >= 0
	    ? pg->cf->people[vw.person].id : "", p.csrf) < 0)
		answer_error(rs, 403, "The form does not belong to this link "
		    "or this person. Reload the review page and send your "
		    "decision again.");
	else if (vw.person < 0)
		answer_error(rs, 403, WHERE_CHANNEL);
	else if (detail != NULL)
		answer_error(rs, 400, detail);
	else
		post_decide(pg, &l, &t, &vw, &p, rs);
	post_clear(&p);
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
