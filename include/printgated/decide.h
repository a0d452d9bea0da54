/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decide.h - decisions from chat and the API: the HTTP listener's routes.
 * Each request is verified (the platform's signature or token, over the
 * raw body) before anything is parsed; then the platform user is mapped
 * to a person, the person's eligibility checked, the decision written to
 * the ledger, and only then answered.
 */
#ifndef PRINTGATE_DECIDE_H
#define PRINTGATE_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "printgated/http.h"

/* How long a decision may wait for the ledger: Slack wants 3 s. */
#define DECIDE_LEDGER_TIMEOUT_MS 1200
#define DECIDE_MAX_METRICS 128

struct engine;

/* Counters for /metrics; printgated adds the deliveries. */
struct decide_metrics {
	struct {
		const char *route;
		int status;
		uint64_t n;
	} requests[DECIDE_MAX_METRICS];
	size_t nrequests;
	uint64_t decisions[3];		/* approve, with changes, changes */
	uint64_t delivered, retried, given_up;
	uint64_t ledger_retries;
};

struct decide;

/*
 * Reads the secrets of cf's http section.  The engine lends its
 * repository, its outbox (for Slack's response_url) and its statistics.
 */
int decide_new(struct decide **out, const struct config *cf,
    struct engine *engine, struct decide_metrics *m, char **why);
void decide_free(struct decide *dc);
int decide_set_config(struct decide *dc, const struct config *cf,
    char **why);
/* The route table for http_new(). */
const struct http_route *decide_routes(size_t *n);
/* For tests: the clock used to check timestamps (unix seconds). */
void decide_set_clock(struct decide *dc, int64_t (*now)(void));
/* http_new()'s on_answer: counts answers by route and status. */
void decide_count(void *ctx, const char *route, int status);
/*
 * http_set_answer_body()'s function: logs each refusal once, with the
 * platform user when the request named one (refusal_log()).
 */
void decide_answered(void *ctx, const char *route, int status,
    const char *type, const char *body);

#endif
