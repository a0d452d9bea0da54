/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * policy.c - the decision: which rules apply to a candidate, and whether
 * they are met by the reviewers' latest decisions.  Pure: no I/O, no
 * library; everything it needs is in struct review.
 */
#include "core/policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const op_names[] = {
	[CONFIG_OP_EQ] = "=", [CONFIG_OP_NE] = "!=", [CONFIG_OP_LT] = "<",
	[CONFIG_OP_LE] = "<=", [CONFIG_OP_GT] = ">", [CONFIG_OP_GE] = ">=",
};

bool
policy_number(const char *s, long double *out)
{
	char clean[64];
	size_t n = 0;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s && n + 1 < sizeof(clean); s++) {
		if (*s == '_' || *s == ',')
			continue;
		if (*s == ' ' || *s == '\t')
			break;
		clean[n++] = *s;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	clean[n] = '\0';
	if (*s != '\0' || n == 0 || n + 1 >= sizeof(clean))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789+-.", clean[i]))
			return false;
	errno = 0;
	*out = strtold(clean, &end);
	return errno == 0 && *end == '\0';
}

static bool
compare(int cmp, enum config_op op)
{
	switch (op) {
	case CONFIG_OP_EQ:
		return cmp == 0;
	case CONFIG_OP_NE:
		return cmp != 0;
	case CONFIG_OP_LT:
		return cmp < 0;
	case CONFIG_OP_LE:
		return cmp <= 0;
	case CONFIG_OP_GT:
		return cmp > 0;
	case CONFIG_OP_GE:
		return cmp >= 0;
	}
	return false;
}

bool
policy_when(const struct config_when *w, const struct trailer *t, size_t n,
    char **why)
{
	const char *value = NULL;
	long double a, b;
	bool holds;

	/* git trailer keys are case-insensitive; the last one counts. */
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].key, w->trailer) == 0)
			value = t[i].value;
	if (value == NULL) {
		if (why)
			*why = xasprintf("no %s trailer", w->trailer);
		return false;
	}
	if (policy_number(value, &a) && policy_number(w->value, &b)) {
		holds = compare(a < b ? -1 : a > b ? 1 : 0, w->op);
	} else if (w->op == CONFIG_OP_EQ || w->op == CONFIG_OP_NE) {
		holds = compare(strcmp(value, w->value), w->op);
	} else {
		if (why)
			*why = xasprintf("%s: %s is not a number, so the rule "
			    "applies", w->trailer, value);
		return true;
	}
	if (why)
		*why = xasprintf("%s: %s %s %s %s", w->trailer, value,
		    holds ? "is" : "is not", op_names[w->op], w->value);
	return holds;
}

const char *
policy_state_name(enum member_state state)
{
	switch (state) {
	case MEMBER_PENDING:
		return "pending";
	case MEMBER_APPROVED:
		return "approved";
	case MEMBER_APPROVED_WITH_CHANGES:
		return "approved with changes";
	case MEMBER_NOT_COUNTED:
		return "approved with changes, not counted";
	case MEMBER_CHANGES:
		return "changes required";
	case MEMBER_AUTHOR:
		return "author, cannot approve";
	}
	return "?";
}

static bool
is_author(const struct review *rv, size_t person)
{
	for (size_t i = 0; i < rv->nauthors; i++)
		if (rv->authors[i] == person)
			return true;
	return false;
}

/* Whether event a comes after b: by time, then by ledger order. */
static bool
later(const struct review *rv, const struct ledger_event *a,
    const struct ledger_event *b)
{
	if (b == NULL)
		return true;
	if (a->at != b->at)
		return a->at > b->at;
	return a - rv->events.v > b - rv->events.v;
}

static void
evaluate_member(const struct config *cf, struct review *rv,
    struct review_rule *rr, struct review_member *m)
{
	const char *id = cf->people[m->person].id;
	const char *rule = cf->rules[rr->rule].name;
	const struct ledger_event *best = NULL, *stale = NULL;

	if (is_author(rv, m->person) && !cf->review.self_approval) {
		m->state = MEMBER_AUTHOR;
		return;
	}
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];
		const char *fp;

		if (!ledger_is_decision(ev->type) || strcmp(ev->by, id) != 0)
			continue;
		if (strcmp(ev->commit, rv->commit) == 0) {
			if (later(rv, ev, best))
				best = ev;
			continue;
		}
		fp = ledger_fp_get(ev, rule);
		if (fp && strcmp(fp, rr->fingerprint) == 0) {
			if (later(rv, ev, best))
				best = ev;
		} else if (fp && later(rv, ev, stale))
			stale = ev;
	}
	m->decision = best;
	m->carried = best && strcmp(best->commit, rv->commit) != 0;
	m->stale = stale && later(rv, stale, best) ? stale : NULL;
	if (best == NULL) {
		m->state = MEMBER_PENDING;
		return;
	}
	switch (best->type) {
	case LEDGER_APPROVE:
		m->state = MEMBER_APPROVED;
		break;
	case LEDGER_APPROVE_WITH_CHANGES:
		m->state = cf->review.approve_with_changes_counts ?
		    MEMBER_APPROVED_WITH_CHANGES : MEMBER_NOT_COUNTED;
		break;
	default:
		m->state = MEMBER_CHANGES;
		break;
	}
}

void
policy_evaluate(const struct config *cf, struct review *rv)
{
	rv->approved = true;
	rv->blocked = false;
	rv->requested = rv->released = NULL;
	for (size_t i = 0; i < rv->events.n; i++) {
		const struct ledger_event *ev = &rv->events.v[i];

		if (rv->tag == NULL || ev->tag == NULL ||
		    strcmp(ev->commit, rv->commit) != 0 ||
		    strcmp(ev->tag, rv->tag) != 0)
			continue;
		if (ev->type == LEDGER_REQUEST && later(rv, ev, rv->requested))
			rv->requested = ev;
		if (ev->type == LEDGER_RELEASED && later(rv, ev, rv->released))
			rv->released = ev;
	}
	for (size_t r = 0; r < rv->nrules; r++) {
		struct review_rule *rr = &rv->rules[r];
		const struct config_rule *rule = &cf->rules[rr->rule];
		const struct config_group *g = &cf->groups[rule->group];

		free(rr->cond_why);
		rr->cond_why = NULL;
		rr->cond = !rule->has_when || policy_when(&rule->when,
		    rv->trailers, rv->ntrailers, &rr->cond_why);
		rr->applies = rr->matched && rr->cond;
		rr->approvals = rr->eligible = 0;
		rr->blocked = false;
		if (rr->members == NULL) {
			rr->members = xcalloc(g->nmembers, sizeof(*rr->members));
			rr->nmembers = g->nmembers;
			for (size_t m = 0; m < g->nmembers; m++)
				rr->members[m].person = g->members[m];
		}
		for (size_t m = 0; m < rr->nmembers; m++) {
			struct review_member *mb = &rr->members[m];

			evaluate_member(cf, rv, rr, mb);
			if (mb->state != MEMBER_AUTHOR)
				rr->eligible++;
			if (mb->state == MEMBER_APPROVED ||
			    mb->state == MEMBER_APPROVED_WITH_CHANGES)
				rr->approvals++;
			if (mb->state == MEMBER_CHANGES)
				rr->blocked = true;
		}
		if (!rr->applies)
			continue;
		if (rr->blocked)
			rv->blocked = true;
		if (rr->blocked || rr->approvals < rule->required)
			rv->approved = false;
	}
}
