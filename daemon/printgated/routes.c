/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routes.c - the listener's routes (see routes.h).  For a platform's
 * route the order never changes: refuse 404 for a platform with no
 * secret configured, verify the request over its raw body with the
 * route's step (or refuse 401), parse it (400), then answer with the
 * route's step, which asks the listener to decide or to run a command.
 * What a route answers, in its platform's format, is the platform file's
 * (a Mattermost button click, for one, records nothing: mattermost.c).
 *
 * This file is where the engine meets the decision: it lends decide.c
 * the repository, the replay-id table and the memo of reviews.
 */
#include "printgated/routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat/inbound.h"
#include "chat/notice.h"
#include "chat/platform.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/util.h"
#include "printgated/decide.h"
#include "printgated/pages.h"
#include "printgated/previews.h"
#include "printgated/refusal.h"
#include "printgated/replay.h"
#include "web/link.h"
#include "web/page.h"
#include "web/previewhtml.h"

/* The routes of every platform, then the pages', /healthz and /metrics. */
#define ROUTES_MAX 64
#define ROUTES_OWN 9
/* A decision that found the ledger locked is tried again this often. */
#define ROUTES_LOCK_RETRY_MS DECIDE_LEDGER_RETRY_MS
/*
 * A decision staged for the group commit at the end of the loop's pass
 * (routes_flush()) is called again this soon: after that commit.
 */
#define ROUTES_STAGED_RETRY_MS 1

struct routes {
	const struct config *cf;
	struct engine *engine;
	struct metrics *m;
	struct replay *replay;
	struct decide *dc;
	struct pages *pages;	/* the review page's routes */
	struct previews *pv;	/* NULL: no previews served */
	/* the platforms' secrets, by index in cf->platforms */
	char *secrets[CONFIG_MAX_PLATFORMS];
	int64_t (*now)(void);
	/* the request being answered: its platform (an index in
	 * cf->platforms) and what its last decision came to */
	size_t platform;
	struct decide_outcome *last;
	/* whether the request may still wait for the ledger's lock, and
	 * whether its decision found the lock held and waits (its answer
	 * is not sent, nothing is posted back: it is tried again) */
	bool may_wait, wait;
	int retry_ms;		/* when it waits, how long */
	struct platform_listener listener;
	/* the platform user of the request being answered, for the log of
	 * refusals (routes_answered()); "" until a request names one */
	char caller[128];
};

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

/*
 * Reads the secret of every platform of cf that has one configured into
 * out[] (by index in cf->platforms); on failure none, and *why.
 */
static int
secrets_load(const struct config *cf, char **out, char **why)
{
	const char *path = NULL;
	int error;

	if ((error = config_secrets_load(cf, NULL, out, &path)) < 0)
		*why = xasprintf("cannot read the secret '%s': %s", path,
		    strerror(-error));
	return error;
}

/* --- what the platforms' routes get from the listener -------------- */

static void
listener_decide(void *ctx, const struct inbound *in, const char *idem,
    struct platform_outcome *out)
{
	struct routes *rt = ctx;
	struct decide_outcome *o = rt->last;

	snprintf(rt->caller, sizeof(rt->caller), "%s:%s",
	    platform_of(rt->cf->platforms->v[rt->platform])->via,
	    in->user ? in->user : "?");
	decide_outcome_clear(o);
	decide_record(rt->dc, rt->platform, in, idem, o);
	/* a staged decision waits for its group commit, whatever the bound */
	rt->wait = (o->locked && rt->may_wait) || o->staged;
	rt->retry_ms = o->staged && !o->locked ? ROUTES_STAGED_RETRY_MS :
	    ROUTES_LOCK_RETRY_MS;
	out->status = o->status;
	out->text = o->text;
	out->recorded = o->recorded;
	out->repeat = o->repeat;
	out->approved = o->approved;
	out->review = o->review;
	out->link = o->link;
}

static char *
listener_command(void *ctx, const struct inbound *in, int *status)
{
	struct routes *rt = ctx;

	return decide_command(rt->dc, rt->platform, in, status);
}

/* Queues a POST of body to a response_url the platform gave us. */
static void
listener_post_back(void *ctx, const char *url, const char *body,
    const char *review, const char *what)
{
	struct routes *rt = ctx;
	char id[33];
	int error;

	if (rt->wait || (!str_startswith(url, "https://") &&
	    !str_startswith(url, "http://")))
		return;
	if (util_random_id(id) < 0)
		return;
	error = outbox_put_url(engine_outbox(rt->engine), id, url, what,
	    review ? review : "-", body, strlen(body), rt->now() * 1000);
	if (error < 0)
		log_warnx("queue %s for '%s' to its response_url: %s", what,
		    review ? review : "-", strerror(-error));
}

/* The review of the last decision as the current platform shows it. */
static char *
listener_render(void *ctx)
{
	struct routes *rt = ctx;
	const struct review *rv = rt->last->rv;

	if (rv == NULL || rt->wait)
		return NULL;
	return engine_render(rt->engine, rv->approved ? NOTICE_APPROVED :
	    NOTICE_REQUEST, rv, rt->platform, rt->now() * 1000);
}

/*
 * decide.c's links: pages.c's; a personal one (person set) with
 * "?changes=1", which opens its form on changes-required.
 */
static int
personal_link(void *ctx, const char *tag, const char *commit,
    const char *person, char **out)
{
	struct routes *rt = ctx;
	char *url;
	int error;

	if (rt->pages == NULL || (error = pages_personal_link(rt->pages, &url,
	    tag, commit, person)) < 0)
		return -ENOENT;
	if (person == NULL) {
		*out = url;
		return 0;
	}
	*out = xasprintf("%s?changes=1", url);
	free(url);
	return 0;
}

/* --- the listener's life ------------------------------------------- */

int
routes_set_config(struct routes *rt, const struct config *cf, char **why)
{
	char *secrets[CONFIG_MAX_PLATFORMS] = { NULL };

	if (secrets_load(cf, secrets, why) < 0)
		return -EINVAL;
	if (rt->pages && pages_set_config(rt->pages, cf, why) < 0) {
		config_secrets_free(secrets);
		return -EINVAL;
	}
	config_secrets_free(rt->secrets);
	memcpy(rt->secrets, secrets, sizeof(secrets));
	rt->cf = cf;
	if (rt->dc)
		decide_set_config(rt->dc, cf);
	return 0;
}

int
routes_new(struct routes **out, const struct config *cf,
    struct engine *engine, struct metrics *m, char **why)
{
	struct routes *rt = xcalloc(1, sizeof(*rt));
	struct decide_env env = { 0 };

	rt->engine = engine;
	rt->m = m;
	rt->now = wall_clock;
	rt->listener = (struct platform_listener){ rt, listener_decide,
		listener_command, listener_post_back, listener_render };
	if (routes_set_config(rt, cf, why) < 0) {
		free(rt);
		return -EINVAL;
	}
	rt->replay = replay_new();
	env.r = engine_repo(engine);
	env.replay = rt->replay;
	env.m = m;
	env.load = engine_review_loader;	/* the engine's memo */
	env.ctx = engine;
	env.now = rt->now;
	env.link = personal_link;
	env.link_ctx = rt;
	decide_new(&rt->dc, cf, &env);
	if (pages_new(&rt->pages, cf, engine, rt->dc, rt->now, why) < 0) {
		routes_free(rt);
		return -EINVAL;
	}
	/* the ledger's ids now rather than at the first decision */
	if (replay_update(rt->replay, env.r) < 0)
		log_warnx("read the event ids of '%s': %s, will retry at the "
		    "next decision", LEDGER_REF, repo_strerror());
	*out = rt;
	return 0;
}

void
routes_free(struct routes *rt)
{
	if (rt == NULL)
		return;
	config_secrets_free(rt->secrets);
	pages_free(rt->pages);
	decide_free(rt->dc);
	replay_free(rt->replay);
	free(rt);
}

/* --- the routes ---------------------------------------------------- */

static void
set_text(struct http_response *rs, int status, const char *text)
{
	rs->status = status;
	rs->body = xasprintf("%s\n", text);
}

static const char *
request_header(const void *conn, const char *name)
{
	return http_header(conn, name);
}

/* The platform (an index in cf->platforms) and route rq is for. */
static const struct platform_route *
route_find(const struct routes *rt, const struct http_request *rq,
    size_t *platform)
{
	const struct config_platforms *pl = rt->cf->platforms;

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
 * The steps of route r of platform pi for rq, into *a: 404 without the
 * platform's secret, then verify (401), parse (400) and answer.
 */
static void
route_run(struct routes *rt, const struct platform_route *r, size_t pi,
    const struct http_request *rq, struct platform_answer *a)
{
	const struct platform *p = platform_of(rt->cf->platforms->v[pi]);
	struct platform_request prq = { rq->body, rq->len, request_header, rq,
		rt->secrets[pi], rt->now(), &rt->listener };
	struct decide_outcome last = { 0 };
	struct inbound in = { 0 };
	char *why = NULL;

	if (p->conf.secret_setting && rt->secrets[pi] == NULL) {
		why = xasprintf("%s is not configured here", p->title);
		r->refuse(404, why, a);
	} else if (r->verify && r->verify(&prq, &why) < 0)
		r->refuse(401, why, a);
	else if (r->parse(rq->body, rq->len, &in, &why) < 0)
		r->refuse(400, why, a);
	else {
		rt->platform = pi;
		rt->last = &last;
		r->answer(&prq, &in, a);
		decide_outcome_clear(&last);
		rt->last = NULL;
	}
	free(why);
	inbound_clear(&in);
}

/* Every platform's route, in the platform's own format. */
static void
route_platform(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct routes *rt = ctx;
	struct platform_answer a = { 0 };
	const struct platform_route *r;
	size_t pi = 0;

	if ((r = route_find(rt, rq, &pi)) == NULL) {
		set_text(rs, 404, "404 not found");
		return;
	}
	/* the ledger's lock is waited for from the loop, up to the bound */
	rt->may_wait = decide_may_wait(rq->waited_ms);
	rt->wait = false;
	decide_set_wait(rt->dc, rt->may_wait);
	decide_set_slot(rt->dc, rq->state);
	route_run(rt, r, pi, rq, &a);
	decide_set_slot(rt->dc, NULL);
	if (rt->wait) {
		rt->wait = false;
		free(a.body);
		rs->retry_ms = rt->retry_ms;
		return;
	}
	rs->status = a.status;
	rs->content_type = a.content_type;
	rs->body = a.body;
}

/* The review page's routes (pages.c), on the routes' own pages. */
static void
route_page_get(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	pages_get(((struct routes *)ctx)->pages, rq, rs);
}

static void
route_page_post(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	pages_post(((struct routes *)ctx)->pages, rq, rs);
}

static void
route_page_css(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	pages_css(((struct routes *)ctx)->pages, rq, rs);
}

static void
route_page_favicon(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	pages_favicon(((struct routes *)ctx)->pages, rq, rs);
}

struct pages *
routes_pages(struct routes *rt)
{
	return rt->pages;
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
	struct routes *rt = ctx;
	const struct engine_stats *st = engine_stats(rt->engine);
	struct metrics_gauges g = { st->open_reviews,
		outbox_depth(engine_outbox(rt->engine)), st->ledger_retries,
		decide_staged(rt->dc) };

	(void)rq;
	rs->status = 200;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	rs->body = metrics_text(rt->m, &g);
}

/*
 * The previews' pictures (previews.c): under a review link, or by the
 * capability URL of a chat message.
 */
static void
route_preview(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	struct routes *rt = ctx;

	if (rt->pv == NULL)
		set_text(rs, 404, "404 no previews here");
	else if (str_startswith(rq->path, PREVIEWS_CHAT_PREFIX))
		previews_chat_route(rt->pv, rq, rs);
	else
		previews_route(rt->pv, rq, rs);
}

/* The previews' script, from this origin (the pages' CSP allows no other). */
static void
route_script(void *ctx, const struct http_request *rq,
    struct http_response *rs)
{
	size_t len;
	const char *js = previewhtml_script(&len);

	(void)ctx;
	(void)rq;
	rs->status = 200;
	rs->content_type = "text/javascript; charset=utf-8";
	rs->body = xstrndup(js, len);
	rs->len = len;
	rs->cache = "public, max-age=3600";
}

void
routes_set_previews(struct routes *rt, struct previews *pv)
{
	rt->pv = pv;
	pages_set_previews(rt->pages, pv);
}

const struct http_route *
routes_table(size_t *n)
{
	static struct http_route routes[ROUTES_MAX];
	static size_t nroutes;

	if (nroutes == 0) {
		for (size_t i = 0; i < platform_count; i++) {
			const struct platform *p = platform_table[i];

			for (size_t k = 0; k < p->nroutes &&
			    nroutes < ROUTES_MAX - ROUTES_OWN; k++)
				routes[nroutes++] = (struct http_route){
					p->routes[k].method, p->routes[k].path,
					p->routes[k].content_type,
					route_platform, p->routes[k].name,
					false };
		}
		/* before the page's prefix, which would take it */
		routes[nroutes++] = (struct http_route){ "GET", PREVIEWS_ROUTE,
			NULL, route_preview, "preview", false };
		routes[nroutes++] = (struct http_route){ "GET",
			PREVIEWS_CHAT_ROUTE, NULL, route_preview,
			"chat_picture", false };
		routes[nroutes++] = (struct http_route){ "GET",
			LINK_PATH_PREFIX, NULL, route_page_get, "page", true };
		routes[nroutes++] = (struct http_route){ "POST",
			LINK_PATH_PREFIX, "application/x-www-form-urlencoded",
			route_page_post, "page_decide", true };
		routes[nroutes++] = (struct http_route){ "GET", PAGE_CSS_PATH,
			NULL, route_page_css, "page_css", false };
		routes[nroutes++] = (struct http_route){ "GET", "/favicon.ico",
			NULL, route_page_favicon, "favicon", false };
		routes[nroutes++] = (struct http_route){ "GET", "/healthz",
			NULL, route_healthz, "healthz", false };
		routes[nroutes++] = (struct http_route){ "GET", "/metrics",
			NULL, route_metrics, "metrics", false };
		routes[nroutes++] = (struct http_route){ "GET", PAGE_JS_PATH,
			NULL, route_script, "script", false };
	}
	*n = nroutes;
	return routes;
}

bool
routes_flush(struct routes *rt)
{
	if (!decide_staged(rt->dc))
		return false;
	/* answers are due unless it is all still waiting for the lock */
	return decide_flush(rt->dc) != -EBUSY || !decide_staged(rt->dc);
}

size_t
routes_waiting(const struct routes *rt)
{
	return decide_tickets(rt->dc);
}

void
routes_drop_state(void *ctx, void *state)
{
	(void)ctx;
	decide_ticket_drop(state);
}

void
routes_count(void *ctx, const char *route, int status)
{
	struct routes *rt = ctx;

	metrics_count(rt->m, route, status);
}

void
routes_answered(void *ctx, const char *route, int status, const char *type,
    const char *body)
{
	struct routes *rt = ctx;

	refusal_log(route, status, type, body, rt->caller);
	rt->caller[0] = '\0';
}
