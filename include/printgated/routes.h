/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routes.h - the HTTP listener's routes: every route of every platform in
 * the table (chat/platform.h), served by one driver that does not know
 * which platform it serves, then /healthz and /metrics.  The driver lends
 * each route's answer the listener (struct platform_listener): decisions
 * and commands (decide.c), posts back to a platform, the review's
 * message as it stands.
 */
#ifndef PRINTGATE_ROUTES_H
#define PRINTGATE_ROUTES_H

#include <stddef.h>

#include "core/config.h"
#include "printgated/engine.h"
#include "printgated/http.h"
#include "printgated/metrics.h"

struct routes;

/*
 * Reads the platforms' secrets from cf's http section.  The engine lends
 * its repository, its memo of reviews, its outbox (for posts back) and
 * its statistics; m is counted in.  On failure sets *why.
 */
int routes_new(struct routes **out, const struct config *cf,
    struct engine *engine, struct metrics *m, char **why);
/* routes_free(NULL) does nothing; the secrets are wiped. */
void routes_free(struct routes *rt);
/* Takes a new configuration; on failure keeps the old one and sets *why. */
int routes_set_config(struct routes *rt, const struct config *cf,
    char **why);

struct pages;
/* The review page's part, for a personal link (pages_personal_link()). */
struct pages *routes_pages(struct routes *rt);

struct previews;
/* The previews whose pictures the listener serves (NULL: none). */
void routes_set_previews(struct routes *rt, struct previews *pv);
/* The route table for http_new(), the same for every configuration. */
const struct http_route *routes_table(size_t *n);
/*
 * Writes the decisions the loop's pass staged as one notes commit (group
 * commit, decide_flush()); their requests are answered when they are
 * called again.  Called at the end of every pass of the loop; true when
 * answers are due (http_wake()).
 */
bool routes_flush(struct routes *rt);
/* Decisions staged or not yet answered: a reload waits (decide_tickets()). */
size_t routes_waiting(const struct routes *rt);
/* http_set_state_free()'s function: a waiting decision's ticket. */
void routes_drop_state(void *ctx, void *state);
/* http_new()'s on_answer: counts answers by route and status. */
void routes_count(void *ctx, const char *route, int status);
/*
 * http_set_answer_body()'s function: logs each refusal once, with the
 * platform user when the request named one (refusal_log()).
 */
void routes_answered(void *ctx, const char *route, int status,
    const char *type, const char *body);

#endif
