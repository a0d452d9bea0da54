/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics.h - printgated's counters for /metrics: HTTP answers by route
 * and status, decisions by type, deliveries by result, ledger retries;
 * and their Prometheus text.
 */
#ifndef PRINTGATE_METRICS_H
#define PRINTGATE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ledger.h"

/* Route and status pairs counted; more are left out. */
#define METRICS_MAX_REQUESTS 128

struct metrics {
	struct {
		const char *route;	/* static: a route's name */
		int status;
		uint64_t n;
	} requests[METRICS_MAX_REQUESTS];
	size_t nrequests;
	uint64_t decisions[3];	/* approve, with changes, changes */
	uint64_t delivered, retried, given_up;
	uint64_t ledger_retries;	/* the listener's */
};

/* Counts one answer of route with status. */
void metrics_count(struct metrics *m, const char *route, int status);
/* Counts one decision of type (a ledger_is_decision() type). */
void metrics_decision(struct metrics *m, enum ledger_type type);

/* What /metrics shows beyond m: the engine's side. */
struct metrics_gauges {
	unsigned open_reviews;
	size_t outbox_depth;
	uint64_t ledger_retries;	/* the engine's */
	size_t staged;		/* decisions waiting for a group commit */
};

/* The Prometheus text exposition of m and g; the caller frees it. */
char *metrics_text(const struct metrics *m, const struct metrics_gauges *g);

#endif
