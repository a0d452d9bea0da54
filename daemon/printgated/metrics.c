/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metrics.c - printgated's counters and their Prometheus text (see
 * metrics.h).  The names and help texts are the interface a monitoring
 * system scrapes: they do not change.
 */
#include "printgated/metrics.h"

#include <string.h>

#include "core/util.h"

void
metrics_count(struct metrics *m, const char *route, int status)
{
	for (size_t i = 0; i < m->nrequests; i++) {
		if (m->requests[i].status == status &&
		    strcmp(m->requests[i].route, route) == 0) {
			m->requests[i].n++;
			return;
		}
	}
	if (m->nrequests == METRICS_MAX_REQUESTS)
		return;
	m->requests[m->nrequests].route = route;
	m->requests[m->nrequests].status = status;
	m->requests[m->nrequests++].n = 1;
}

void
metrics_decision(struct metrics *m, enum ledger_type type)
{
	m->decisions[type == LEDGER_APPROVE ? 0 :
	    type == LEDGER_APPROVE_WITH_CHANGES ? 1 : 2]++;
}

static void
text_requests(struct buf *b, const struct metrics *m)
{
	buf_adds(b, "# HELP printgate_http_requests_total HTTP requests "
	    "answered, by endpoint and status.\n"
	    "# TYPE printgate_http_requests_total counter\n");
	for (size_t i = 0; i < m->nrequests; i++)
		buf_addf(b, "printgate_http_requests_total{endpoint=\"%s\","
		    "status=\"%d\"} %llu\n", m->requests[i].route,
		    m->requests[i].status,
		    (unsigned long long)m->requests[i].n);
}

static void
text_decisions(struct buf *b, const struct metrics *m)
{
	buf_addf(b, "# HELP printgate_decisions_total Decisions recorded "
	    "from chat and the API, by type.\n"
	    "# TYPE printgate_decisions_total counter\n"
	    "printgate_decisions_total{type=\"approve\"} %llu\n"
	    "printgate_decisions_total{type=\"approve-with-changes\"} %llu\n"
	    "printgate_decisions_total{type=\"changes-required\"} %llu\n",
	    (unsigned long long)m->decisions[0],
	    (unsigned long long)m->decisions[1],
	    (unsigned long long)m->decisions[2]);
}

static void
text_gauges(struct buf *b, const struct metrics_gauges *g)
{
	buf_addf(b, "# HELP printgate_open_reviews Print tags waiting for "
	    "approval.\n# TYPE printgate_open_reviews gauge\n"
	    "printgate_open_reviews %u\n", g->open_reviews);
	buf_addf(b, "# HELP printgate_outbox_depth Deliveries queued.\n"
	    "# TYPE printgate_outbox_depth gauge\nprintgate_outbox_depth "
	    "%zu\n", g->outbox_depth);
	buf_addf(b, "# HELP printgate_decisions_waiting Decisions staged for "
	    "the next ledger commit, not answered yet.\n"
	    "# TYPE printgate_decisions_waiting gauge\n"
	    "printgate_decisions_waiting %zu\n", g->staged);
}

static void
text_deliveries(struct buf *b, const struct metrics *m)
{
	buf_addf(b, "# HELP printgate_deliveries_total Delivery attempts, by "
	    "result.\n# TYPE printgate_deliveries_total counter\n"
	    "printgate_deliveries_total{result=\"delivered\"} %llu\n"
	    "printgate_deliveries_total{result=\"retried\"} %llu\n"
	    "printgate_deliveries_total{result=\"given_up\"} %llu\n",
	    (unsigned long long)m->delivered, (unsigned long long)m->retried,
	    (unsigned long long)m->given_up);
}

char *
metrics_text(const struct metrics *m, const struct metrics_gauges *g)
{
	struct buf b = { 0 };

	text_requests(&b, m);
	text_decisions(&b, m);
	text_gauges(&b, g);
	text_deliveries(&b, m);
	buf_addf(&b, "# HELP printgate_ledger_write_retries_total Ledger "
	    "appends that lost a race and were retried.\n"
	    "# TYPE printgate_ledger_write_retries_total counter\n"
	    "printgate_ledger_write_retries_total %llu\n",
	    (unsigned long long)(m->ledger_retries + g->ledger_retries));
	return buf_steal(&b);
}
