/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_policy.c - the decision, as data: each table below is a list of
 * cases (a condition and the trailers it is checked against; a review's
 * ledger events and what printgate must decide from them), so that adding
 * a case is adding a row.  Every row is its own cmocka test, named by the
 * row, so a failure says which case broke.
 *
 * The configuration is built by hand rather than loaded, so that these
 * tests depend on policy.c alone.  It is the example of
 * conf/printgate.conf and good.conf:
 *
 *   groups: sales-emea = alice, bob, carol; brand = dave; sales-leads = erin
 *   rules:  emea      sales-emea, 2 required, paths under brochures/emea/
 *                     and datasheets/
 *           big-deal  brand, 1 required, every path,
 *                     when Opportunity >= 2000000
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "core/config.h"
#include "core/ledger.h"
#include "core/policy.h"
#include "core/repo.h"
#include "core/util.h"
#include "unit.h"


/* ------------------------------------------------------------------ */
/* The configuration                                                   */

enum { ALICE, BOB, CAROL, DAVE, ERIN, NPEOPLE };
enum { G_EMEA, G_BRAND, G_LEADS };
enum { R_EMEA, R_BIG, NRULES };

static struct config_person people[NPEOPLE] = {
	[ALICE] = { .id = "alice", .name = "Alice Ng",
	    .email = "alice@example.com" },
	[BOB] = { .id = "bob", .name = "Bob Li", .email = "bob@example.com" },
	[CAROL] = { .id = "carol", .name = "Carol Diaz",
	    .email = "carol@example.com" },
	[DAVE] = { .id = "dave", .name = "Dave Okafor",
	    .email = "dave@example.com" },
	[ERIN] = { .id = "erin", .name = "Erin Wu",
	    .email = "erin@example.com" },
};
static size_t emea_members[] = { ALICE, BOB, CAROL };
static size_t brand_members[] = { DAVE };
static size_t lead_members[] = { ERIN };
static struct config_group groups[] = {
	[G_EMEA] = { "sales-emea", emea_members, 3 },
	[G_BRAND] = { "brand", brand_members, 1 },
	[G_LEADS] = { "sales-leads", lead_members, 1 },
};
static char *emea_paths[] = { "brochures/emea/**", "datasheets/**" };
static char *all_paths[] = { "**" };
static struct config_rule rules[NRULES] = {
	[R_EMEA] = { .name = "emea", .paths = emea_paths, .npaths = 2,
	    .group = G_EMEA, .required = 2 },
	[R_BIG] = { .name = "big-deal", .paths = all_paths, .npaths = 1,
	    .group = G_BRAND, .required = 1, .has_when = true,
	    .when = { "Opportunity >= 2000000", "Opportunity",
		CONFIG_OP_GE, "2000000" } },
};

static void
config_init(struct config *cf, bool self_approval, bool awc_counts)
{
	memset(cf, 0, sizeof(*cf));
	cf->people = people;
	cf->npeople = NPEOPLE;
	cf->groups = groups;
	cf->ngroups = ARRAY_SIZE(groups);
	cf->rules = rules;
	cf->nrules = NRULES;
	cf->review.self_approval = self_approval;
	cf->review.approve_with_changes_counts = awc_counts;
	cf->review.escalate_to = G_LEADS;
}

/* ------------------------------------------------------------------ */
/* Building a review                                                   */

#define CAND	"c0ffee0000000000000000000000000000000001"	/* rv->commit */
#define OLDER	"c0ffee0000000000000000000000000000000002"	/* in scope */
#define FP_EMEA	"emea-fingerprint-now"	/* the emea rule's, now */
#define FP_BIG	"big-deal-fingerprint-now"
#define FP_OLD	"emea-fingerprint-before"	/* other content */

#define MAX_EVENTS 8
#define MAX_TRAILERS 3

/* A ledger event as a row: the fields policy.c looks at. */
struct ev_spec {
	enum ledger_type type;
	const char *by;		/* NULL ends the list */
	int64_t at;
	const char *commit;	/* NULL: the candidate, CAND */
	const char *fp;		/* its fingerprint for emea, or NULL */
	const char *tag;	/* or NULL */
};

/* A review built from rows, with the storage its pointers point into. */
struct fixture {
	struct config cf;
	struct review rv;
	struct review_rule rr[NRULES];
	struct ledger_event ev[MAX_EVENTS];
	struct ledger_fp fp[MAX_EVENTS];
	struct trailer tr[MAX_TRAILERS];
	size_t authors[NPEOPLE];
};

/*
 * Fills fx with a review of CAND for tag print/q1: events from the list
 * (which ends at a row without by), trailers from the list (ending at a
 * NULL key), authors from a bit mask of people, and each rule matched as
 * told, with its fingerprint now.
 */
static void
fixture_init(struct fixture *fx, const struct ev_spec *ev,
    const struct trailer *tr, unsigned authors, bool emea_matched,
    bool big_matched)
{
	struct review *rv = &fx->rv;

	memset(&fx->rv, 0, sizeof(fx->rv));
	memset(fx->rr, 0, sizeof(fx->rr));
	memset(fx->ev, 0, sizeof(fx->ev));
	snprintf(rv->commit, sizeof(rv->commit), "%s", CAND);
	rv->tag = "print/q1";
	for (size_t i = 0; ev && ev[i].by; i++) {
		struct ledger_event *e = &fx->ev[i];

		assert_true(i < MAX_EVENTS);
		e->type = ev[i].type;
		e->by = (char *)ev[i].by;
		e->via = "cli:root";
		e->at = ev[i].at;
		e->tag = (char *)ev[i].tag;
		snprintf(e->commit, sizeof(e->commit), "%s",
		    ev[i].commit ? ev[i].commit : CAND);
		e->line = i + 1;
		if (ev[i].fp) {
			fx->fp[i].rule = "emea";
			fx->fp[i].value = (char *)ev[i].fp;
			e->fps = &fx->fp[i];
			e->nfps = 1;
		}
		rv->events.n = i + 1;
	}
	rv->events.v = fx->ev;
	for (size_t i = 0; tr && tr[i].key; i++) {
		assert_true(i < MAX_TRAILERS);
		fx->tr[i] = tr[i];
		rv->ntrailers = i + 1;
	}
	rv->trailers = fx->tr;
	for (size_t p = 0; p < NPEOPLE; p++)
		if (authors & (1u << p))
			fx->authors[rv->nauthors++] = p;
	rv->authors = fx->authors;
	for (size_t r = 0; r < NRULES; r++)
		fx->rr[r].rule = r;
	fx->rr[R_EMEA].matched = emea_matched;
	snprintf(fx->rr[R_EMEA].fingerprint, sizeof(fx->rr[R_EMEA].fingerprint),
	    "%s", FP_EMEA);
	fx->rr[R_BIG].matched = big_matched;
	snprintf(fx->rr[R_BIG].fingerprint, sizeof(fx->rr[R_BIG].fingerprint),
	    "%s", FP_BIG);
	rv->rules = fx->rr;
	rv->nrules = NRULES;
}

/* Frees what policy_evaluate allocated. */
static void
fixture_clear(struct fixture *fx)
{
	for (size_t r = 0; r < NRULES; r++) {
		for (size_t m = 0; m < fx->rr[r].nmembers; m++)
			free(fx->rr[r].members[m].changed);
		free(fx->rr[r].members);
		free(fx->rr[r].cond_why);
	}
}

/* ------------------------------------------------------------------ */
/* policy_when: a rule's condition on the tag's trailers               */

struct when_case {
	const char *name;
	const char *trailer;	/* the condition: trailer op value */
	enum config_op op;
	const char *value;
	struct trailer tr[MAX_TRAILERS];	/* the tag's, to a NULL key */
	bool holds;
	const char *why;	/* a substring of the explanation */
};

static const struct when_case when_cases[] = {
	/* each operator, on numbers */
	{ "when: 2500000 >= 2000000 holds", "Opportunity", CONFIG_OP_GE,
	    "2000000", { { "Opportunity", "2500000" } }, true,
	    "Opportunity: 2500000 is >= 2000000" },
	{ "when: 2000000 >= 2000000 holds", "Opportunity", CONFIG_OP_GE,
	    "2000000", { { "Opportunity", "2000000" } }, true, "is >=" },
	{ "when: 1999999 >= 2000000 does not hold", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "Opportunity", "1999999" } }, false,
	    "Opportunity: 1999999 is not >= 2000000" },
	{ "when: 2000001 > 2000000 holds", "Opportunity", CONFIG_OP_GT,
	    "2000000", { { "Opportunity", "2000001" } }, true, "is >" },
	{ "when: 2000000 > 2000000 does not hold", "Opportunity",
	    CONFIG_OP_GT, "2000000", { { "Opportunity", "2000000" } }, false,
	    "is not >" },
	{ "when: 10 > 9 holds (numbers, not strings)", "Opportunity",
	    CONFIG_OP_GT, "9", { { "Opportunity", "10" } }, true, "is >" },
	{ "when: 10 < 9 does not hold (numbers, not strings)", "Opportunity",
	    CONFIG_OP_LT, "9", { { "Opportunity", "10" } }, false,
	    "is not <" },
	{ "when: 9 < 10 holds", "Opportunity", CONFIG_OP_LT, "10",
	    { { "Opportunity", "9" } }, true, "is <" },
	{ "when: 10 <= 10 holds", "Opportunity", CONFIG_OP_LE, "10",
	    { { "Opportunity", "10" } }, true, "is <=" },
	{ "when: 11 <= 10 does not hold", "Opportunity", CONFIG_OP_LE, "10",
	    { { "Opportunity", "11" } }, false, "is not <=" },
	{ "when: -5 < 0 holds", "Opportunity", CONFIG_OP_LT, "0",
	    { { "Opportunity", "-5" } }, true, "is <" },
	{ "when: 2500000 = 2500000 holds", "Opportunity", CONFIG_OP_EQ,
	    "2500000", { { "Opportunity", "2500000" } }, true, "is =" },
	{ "when: 2500000.0 = 2500000 holds (numbers)", "Opportunity",
	    CONFIG_OP_EQ, "2500000", { { "Opportunity", "2500000.0" } }, true,
	    "is =" },
	{ "when: 2500000 != 2500000 does not hold", "Opportunity",
	    CONFIG_OP_NE, "2500000", { { "Opportunity", "2500000" } }, false,
	    "is not !=" },
	{ "when: 2500000 != 1 holds", "Opportunity", CONFIG_OP_NE, "1",
	    { { "Opportunity", "2500000" } }, true, "is !=" },
	/* separators between digits */
	{ "when: 2,500,000 parses as a number", "Opportunity", CONFIG_OP_EQ,
	    "2500000", { { "Opportunity", "2,500,000" } }, true, "is =" },
	{ "when: 2_500_000 parses as a number", "Opportunity", CONFIG_OP_GE,
	    "2000000", { { "Opportunity", "2_500_000" } }, true, "is >=" },
	{ "when: 1,999,999 >= 2000000 does not hold", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "Opportunity", "1,999,999" } }, false,
	    "is not >=" },
	{ "when: a separator in the condition's value", "Opportunity",
	    CONFIG_OP_GE, "2,000,000", { { "Opportunity", "2500000" } }, true,
	    "is >=" },
	/* which trailer counts */
	{ "when: no trailer does not hold", "Opportunity", CONFIG_OP_GE,
	    "2000000", { { "Print-By", "2027-01-10" } }, false,
	    "no Opportunity trailer" },
	{ "when: no trailers at all does not hold", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { NULL, NULL } }, false,
	    "no Opportunity trailer" },
	{ "when: trailer key is case-insensitive", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "opportunity", "2500000" } }, true,
	    "is >=" },
	{ "when: trailer key in capitals", "Opportunity", CONFIG_OP_GE,
	    "2000000", { { "OPPORTUNITY", "100" } }, false, "is not >=" },
	{ "when: the last repeated trailer counts (holds)", "Opportunity",
	    CONFIG_OP_GE, "2000000",
	    { { "Opportunity", "100" }, { "Print-By", "2027-01-10" },
		{ "Opportunity", "2500000" } }, true, "2500000 is >=" },
	{ "when: the last repeated trailer counts (does not hold)",
	    "Opportunity", CONFIG_OP_GE, "2000000",
	    { { "Opportunity", "2500000" }, { "opportunity", "100" } }, false,
	    "100 is not >=" },
	/* an order on what is not a number: fail closed */
	{ "when: >= on a word holds (fail closed)", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "Opportunity", "big" } }, true,
	    "big is not a number, so the rule applies" },
	{ "when: < on a word holds (fail closed)", "Opportunity",
	    CONFIG_OP_LT, "2000000", { { "Opportunity", "small" } }, true,
	    "not a number" },
	{ "when: >= on $2,500,000 holds (fail closed)", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "Opportunity", "$2,500,000" } }, true,
	    "not a number" },
	{ "when: >= on 2.5M holds (fail closed)", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "Opportunity", "2.5M" } }, true,
	    "not a number" },
	{ "when: <= on 1e9 holds (fail closed)", "Opportunity",
	    CONFIG_OP_LE, "2000000", { { "Opportunity", "1e9" } }, true,
	    "not a number" },
	{ "when: >= on an empty value holds (fail closed)", "Opportunity",
	    CONFIG_OP_GE, "2000000", { { "Opportunity", "" } }, true,
	    "not a number" },
	/* = and != on strings */
	{ "when: = on equal strings holds", "Region", CONFIG_OP_EQ, "emea",
	    { { "Region", "emea" } }, true, "Region: emea is = emea" },
	{ "when: = on other strings does not hold", "Region", CONFIG_OP_EQ,
	    "emea", { { "Region", "apac" } }, false, "is not =" },
	{ "when: = on strings is case-sensitive", "Region", CONFIG_OP_EQ,
	    "emea", { { "Region", "EMEA" } }, false, "is not =" },
	{ "when: != on other strings holds", "Region", CONFIG_OP_NE, "emea",
	    { { "Region", "apac" } }, true, "is !=" },
	{ "when: = of a word and a number does not hold", "Opportunity",
	    CONFIG_OP_EQ, "2000000", { { "Opportunity", "big" } }, false,
	    "is not =" },
};

static void
test_when(void **state)
{
	const struct when_case *c = *state;
	struct config_when w = {
		.text = "(test)",
		.trailer = (char *)c->trailer,
		.op = c->op,
		.value = (char *)c->value,
	};
	size_t n = 0;
	char *why = NULL;
	bool holds;

	while (n < MAX_TRAILERS && c->tr[n].key)
		n++;
	holds = policy_when(&w, c->tr, n, &why);
	if (holds != c->holds)
		fail_msg("%s: holds is %d, expected %d (why: %s)", c->name,
		    holds, c->holds, why ? why : "(none)");
	assert_non_null(why);
	if (strstr(why, c->why) == NULL)
		fail_msg("%s: why is '%s', expected it to contain '%s'",
		    c->name, why, c->why);
	free(why);
	/* why is optional: the same answer without it */
	assert_int_equal(policy_when(&w, c->tr, n, NULL), c->holds);
}

/* ------------------------------------------------------------------ */
/* Quorum, latest decisions, authors and carry-over, on the emea rule  */

/* Shorter names for the member states, for the table. */
#define PEND	MEMBER_PENDING
#define APPR	MEMBER_APPROVED
#define AWC	MEMBER_APPROVED_WITH_CHANGES
#define NOTC	MEMBER_NOT_COUNTED
#define CHGS	MEMBER_CHANGES
#define AUTH	MEMBER_AUTHOR

#define APPROVE		LEDGER_APPROVE
#define WITH_CHANGES	LEDGER_APPROVE_WITH_CHANGES
#define CHANGES		LEDGER_CHANGES_REQUIRED

#define P(x)	(1u << (x))

/*
 * A case of the emea rule (sales-emea: alice, bob, carol; 2 required),
 * the only rule in scope.  Expected per member, in group order (alice,
 * bob, carol): the state, which event counts (1-based row, 0 for none),
 * and the carried and stale bits.
 */
struct quorum_case {
	const char *name;
	bool self_approval;
	bool awc_counts;
	unsigned authors;	/* P(ALICE) | ... */
	struct ev_spec ev[MAX_EVENTS];
	unsigned approvals;
	unsigned eligible;
	bool blocked;
	bool approved;
	enum member_state state[3];
	unsigned decision[3];
	unsigned carried;	/* P(ALICE) | ... */
	unsigned stale;
};

static const struct quorum_case quorum_cases[] = {
	{ .name = "quorum: no decision yet",
	    .awc_counts = true,
	    .eligible = 3,
	    .state = { PEND, PEND, PEND } },
	{ .name = "quorum: 1 approval of 2 is not approved",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 } },
	    .approvals = 1, .eligible = 3,
	    .state = { APPR, PEND, PEND }, .decision = { 1, 0, 0 } },
	{ .name = "quorum: 2 approvals of 2 are approved",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 110 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 1, 2, 0 } },
	{ .name = "quorum: the same person twice counts once",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "alice", 110 } },
	    .approvals = 1, .eligible = 3,
	    .state = { APPR, PEND, PEND }, .decision = { 2, 0, 0 } },
	{ .name = "latest: approve then changes-required blocks",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 },
		{ CHANGES, "alice", 200 } },
	    .approvals = 1, .eligible = 3, .blocked = true,
	    .state = { CHGS, APPR, PEND }, .decision = { 3, 2, 0 } },
	{ .name = "latest: changes-required then approve does not block",
	    .awc_counts = true,
	    .ev = { { CHANGES, "alice", 100 }, { APPROVE, "bob", 100 },
		{ APPROVE, "alice", 200 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 3, 2, 0 } },
	{ .name = "latest: by time, not by ledger order",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 300 }, { CHANGES, "alice", 200 },
		{ APPROVE, "bob", 100 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 1, 3, 0 } },
	{ .name = "latest: same time, the later line wins (changes)",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 },
		{ CHANGES, "alice", 100 } },
	    .approvals = 1, .eligible = 3, .blocked = true,
	    .state = { CHGS, APPR, PEND }, .decision = { 3, 2, 0 } },
	{ .name = "latest: same time, the later line wins (approve)",
	    .awc_counts = true,
	    .ev = { { CHANGES, "alice", 100 }, { APPROVE, "bob", 100 },
		{ APPROVE, "alice", 100 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 3, 2, 0 } },
	{ .name = "changes-required blocks even with the quorum met",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 110 },
		{ CHANGES, "carol", 120 } },
	    .approvals = 2, .eligible = 3, .blocked = true,
	    .state = { APPR, APPR, CHGS }, .decision = { 1, 2, 3 } },
	{ .name = "approve-with-changes counts when configured so",
	    .awc_counts = true,
	    .ev = { { WITH_CHANGES, "alice", 100 }, { APPROVE, "bob", 110 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { AWC, APPR, PEND }, .decision = { 1, 2, 0 } },
	{ .name = "approve-with-changes does not count when configured so",
	    .awc_counts = false,
	    .ev = { { WITH_CHANGES, "alice", 100 }, { APPROVE, "bob", 110 } },
	    .approvals = 1, .eligible = 3,
	    .state = { NOTC, APPR, PEND }, .decision = { 1, 2, 0 } },
	{ .name = "approve-with-changes not counted does not block",
	    .awc_counts = false,
	    .ev = { { WITH_CHANGES, "alice", 100 }, { APPROVE, "bob", 110 },
		{ APPROVE, "carol", 120 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { NOTC, APPR, APPR }, .decision = { 1, 2, 3 } },
	{ .name = "authors: an author's approval does not count",
	    .awc_counts = true, .authors = P(ALICE),
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 110 } },
	    .approvals = 1, .eligible = 2,
	    .state = { AUTH, APPR, PEND }, .decision = { 0, 2, 0 } },
	{ .name = "authors: two authors leave fewer eligible than required",
	    .awc_counts = true, .authors = P(ALICE) | P(BOB),
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 110 },
		{ APPROVE, "carol", 120 } },
	    .approvals = 1, .eligible = 1,
	    .state = { AUTH, AUTH, APPR }, .decision = { 0, 0, 3 } },
	{ .name = "authors: an author may approve with self_approval",
	    .self_approval = true, .awc_counts = true, .authors = P(ALICE),
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 110 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 1, 2, 0 } },
	{ .name = "authors: an author's changes-required does not block",
	    .awc_counts = true, .authors = P(CAROL),
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 110 },
		{ CHANGES, "carol", 120 } },
	    .approvals = 2, .eligible = 2, .approved = true,
	    .state = { APPR, APPR, AUTH }, .decision = { 1, 2, 0 } },
	{ .name = "outsiders: decisions from outside the group are ignored",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "dave", 110 },
		{ APPROVE, "erin", 120 }, { APPROVE, "mallory", 130 },
		{ CHANGES, "erin", 140 } },
	    .approvals = 1, .eligible = 3,
	    .state = { APPR, PEND, PEND }, .decision = { 1, 0, 0 } },
	{ .name = "outsiders: events that are not decisions do not count",
	    .awc_counts = true,
	    .ev = { { LEDGER_REQUEST, "alice", 100, .tag = "print/q1" },
		{ LEDGER_REMIND, "bob", 110 },
		{ LEDGER_ESCALATE, "carol", 120 },
		{ LEDGER_RELEASED, "bob", 130, .tag = "print/q1" },
		{ LEDGER_CARRIED_OVER, "carol", 140 } },
	    .approvals = 0, .eligible = 3,
	    .state = { PEND, PEND, PEND } },
	/* carry-over: decisions recorded on another commit */
	{ .name = "carry-over: same fingerprint counts",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100, OLDER, FP_EMEA },
		{ APPROVE, "bob", 200 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 1, 2, 0 },
	    .carried = P(ALICE) },
	{ .name = "carry-over: another fingerprint does not count (stale)",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100, OLDER, FP_OLD },
		{ APPROVE, "bob", 200 } },
	    .approvals = 1, .eligible = 3,
	    .state = { PEND, APPR, PEND }, .decision = { 0, 2, 0 },
	    .stale = P(ALICE) },
	{ .name = "carry-over: no fingerprint for the rule does not count",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100, OLDER, NULL },
		{ APPROVE, "bob", 200 } },
	    .approvals = 1, .eligible = 3,
	    .state = { PEND, APPR, PEND }, .decision = { 0, 2, 0 } },
	{ .name = "carry-over: the candidate's own decision counts "
	    "whatever its fingerprint",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100, CAND, FP_OLD },
		{ APPROVE, "bob", 200, CAND, NULL } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 1, 2, 0 } },
	{ .name = "carry-over: changes-required on the same content blocks",
	    .awc_counts = true,
	    .ev = { { CHANGES, "alice", 100, OLDER, FP_EMEA },
		{ APPROVE, "bob", 200 }, { APPROVE, "carol", 200 } },
	    .approvals = 2, .eligible = 3, .blocked = true,
	    .state = { CHGS, APPR, APPR }, .decision = { 1, 2, 3 },
	    .carried = P(ALICE) },
	{ .name = "carry-over: changes-required on other content is stale",
	    .awc_counts = true,
	    .ev = { { CHANGES, "alice", 100, OLDER, FP_OLD },
		{ APPROVE, "bob", 200 }, { APPROVE, "carol", 200 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { PEND, APPR, APPR }, .decision = { 0, 2, 3 },
	    .stale = P(ALICE) },
	{ .name = "carry-over: a later decision on the candidate wins",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100, OLDER, FP_EMEA },
		{ CHANGES, "alice", 200 }, { APPROVE, "bob", 200 } },
	    .approvals = 1, .eligible = 3, .blocked = true,
	    .state = { CHGS, APPR, PEND }, .decision = { 2, 3, 0 } },
	{ .name = "carry-over: a stale decision older than the one that "
	    "counts is not reported",
	    .awc_counts = true,
	    .ev = { { APPROVE, "alice", 100, OLDER, FP_OLD },
		{ APPROVE, "alice", 200 }, { APPROVE, "bob", 200 } },
	    .approvals = 2, .eligible = 3, .approved = true,
	    .state = { APPR, APPR, PEND }, .decision = { 2, 3, 0 } },
};

static void
test_quorum(void **state)
{
	const struct quorum_case *c = *state;
	struct fixture fx;
	const struct review_rule *rr;

	config_init(&fx.cf, c->self_approval, c->awc_counts);
	fixture_init(&fx, c->ev, NULL, c->authors, true, false);
	policy_evaluate(&fx.cf, &fx.rv);
	rr = &fx.rr[R_EMEA];

	assert_true(rr->matched);
	assert_true(rr->cond);
	assert_true(rr->applies);
	assert_int_equal(rr->nmembers, 3);
	assert_int_equal(rr->approvals, c->approvals);
	assert_int_equal(rr->eligible, c->eligible);
	assert_int_equal(rr->blocked, c->blocked);
	for (size_t m = 0; m < 3; m++) {
		const struct review_member *mb = &rr->members[m];
		const struct ledger_event *want = c->decision[m] ?
		    &fx.ev[c->decision[m] - 1] : NULL;

		assert_int_equal(mb->person, emea_members[m]);
		if (mb->state != c->state[m])
			fail_msg("%s: %s is '%s', expected '%s'", c->name,
			    people[mb->person].id,
			    policy_state_name(mb->state),
			    policy_state_name(c->state[m]));
		if (mb->decision != want)
			fail_msg("%s: %s's decision is event %td, expected "
			    "%u", c->name, people[mb->person].id,
			    mb->decision ? mb->decision - fx.ev + 1 : 0,
			    c->decision[m]);
		assert_int_equal(mb->carried,
		    (c->carried & P(mb->person)) != 0);
		assert_int_equal(mb->stale != NULL,
		    (c->stale & P(mb->person)) != 0);
	}
	/* big-deal is not in scope, so emea alone decides */
	assert_false(fx.rr[R_BIG].applies);
	assert_int_equal(fx.rv.blocked, c->blocked);
	assert_int_equal(fx.rv.approved, c->approved);
	fixture_clear(&fx);
}

/* ------------------------------------------------------------------ */
/* Which rules apply                                                   */

struct apply_case {
	const char *name;
	struct trailer tr[MAX_TRAILERS];
	bool emea_matched;
	bool big_matched;
	struct ev_spec ev[MAX_EVENTS];
	bool emea_applies;
	bool big_applies;
	bool big_cond;
	const char *big_why;	/* a substring of big-deal's cond_why */
	bool approved;
	bool blocked;
};

static const struct apply_case apply_cases[] = {
	{ .name = "applies: no rule in scope is approved",
	    .tr = { { "Opportunity", "2500000" } },
	    .big_cond = true, .big_why = "is >=", .approved = true },
	{ .name = "applies: changes-required on a rule out of scope does "
	    "not block",
	    .tr = { { "Opportunity", "100" } }, .big_matched = true,
	    .ev = { { CHANGES, "alice", 100 }, { CHANGES, "dave", 100 } },
	    .big_why = "is not >=", .approved = true },
	{ .name = "applies: a when that does not hold does not apply",
	    .tr = { { "Opportunity", "1000" } },
	    .emea_matched = true, .big_matched = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 } },
	    .emea_applies = true, .big_why = "1000 is not >= 2000000",
	    .approved = true },
	{ .name = "applies: a missing trailer means the when does not hold",
	    .tr = { { "Print-By", "2027-01-10" } },
	    .emea_matched = true, .big_matched = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 },
		{ CHANGES, "dave", 100 } },
	    .emea_applies = true, .big_why = "no Opportunity trailer",
	    .approved = true },
	{ .name = "applies: a when that holds brings the rule in",
	    .tr = { { "Opportunity", "2,500,000" } },
	    .emea_matched = true, .big_matched = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 } },
	    .emea_applies = true, .big_applies = true, .big_cond = true,
	    .big_why = "is >=" },
	{ .name = "applies: every rule met is approved",
	    .tr = { { "Opportunity", "2500000" } },
	    .emea_matched = true, .big_matched = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 },
		{ APPROVE, "dave", 100 } },
	    .emea_applies = true, .big_applies = true, .big_cond = true,
	    .big_why = "is >=", .approved = true },
	{ .name = "applies: a non-number makes the rule apply (fail closed)",
	    .tr = { { "Opportunity", "huge" } },
	    .emea_matched = true, .big_matched = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 } },
	    .emea_applies = true, .big_applies = true, .big_cond = true,
	    .big_why = "not a number" },
	{ .name = "applies: changes-required on an applying rule blocks",
	    .tr = { { "Opportunity", "2500000" } },
	    .emea_matched = true, .big_matched = true,
	    .ev = { { APPROVE, "alice", 100 }, { APPROVE, "bob", 100 },
		{ CHANGES, "dave", 100 } },
	    .emea_applies = true, .big_applies = true, .big_cond = true,
	    .big_why = "is >=", .blocked = true },
};

static void
test_applies(void **state)
{
	const struct apply_case *c = *state;
	struct fixture fx;

	config_init(&fx.cf, false, true);
	fixture_init(&fx, c->ev, c->tr, 0, c->emea_matched, c->big_matched);
	policy_evaluate(&fx.cf, &fx.rv);

	/* emea has no when: its cond holds and says nothing */
	assert_true(fx.rr[R_EMEA].cond);
	assert_null(fx.rr[R_EMEA].cond_why);
	assert_int_equal(fx.rr[R_EMEA].applies, c->emea_applies);
	assert_int_equal(fx.rr[R_BIG].cond, c->big_cond);
	assert_int_equal(fx.rr[R_BIG].applies, c->big_applies);
	assert_non_null(fx.rr[R_BIG].cond_why);
	if (strstr(fx.rr[R_BIG].cond_why, c->big_why) == NULL)
		fail_msg("%s: big-deal's cond_why is '%s', expected '%s'",
		    c->name, fx.rr[R_BIG].cond_why, c->big_why);
	if (fx.rv.approved != c->approved || fx.rv.blocked != c->blocked)
		fail_msg("%s: approved %d blocked %d, expected %d %d",
		    c->name, fx.rv.approved, fx.rv.blocked, c->approved,
		    c->blocked);
	fixture_clear(&fx);
}

/* A configuration without rules approves everything. */
static void
test_no_rules(void **state)
{
	struct fixture fx;
	static const struct ev_spec ev[] = {
		{ .type = CHANGES, .by = "alice", .at = 100 }, { 0 },
	};

	config_init(&fx.cf, false, true);
	fx.cf.nrules = 0;
	fixture_init(&fx, ev, NULL, 0, true, true);
	fx.rv.nrules = 0;
	policy_evaluate(&fx.cf, &fx.rv);
	assert_true(fx.rv.approved);
	assert_false(fx.rv.blocked);
}

/*
 * Evaluating again after more events (the daemon's case, when a decision
 * arrives) counts them, and an earlier blocked or approved does not stick.
 */
static void
test_evaluate_again(void **state)
{
	struct fixture fx;
	static const struct ev_spec ev[] = {
		{ .type = APPROVE, .by = "alice", .at = 100 },
		{ .type = CHANGES, .by = "carol", .at = 100 },
		{ .type = APPROVE, .by = "bob", .at = 200 },
		{ .type = APPROVE, .by = "carol", .at = 300 },
		{ 0 },
	};

	config_init(&fx.cf, false, true);
	fixture_init(&fx, ev, NULL, 0, true, false);
	fx.rv.events.n = 2;
	policy_evaluate(&fx.cf, &fx.rv);
	assert_false(fx.rv.approved);
	assert_true(fx.rv.blocked);
	assert_int_equal(fx.rr[R_EMEA].approvals, 1);

	fx.rv.events.n = 4;
	policy_evaluate(&fx.cf, &fx.rv);
	assert_true(fx.rv.approved);
	assert_false(fx.rv.blocked);
	assert_int_equal(fx.rr[R_EMEA].approvals, 3);
	assert_ptr_equal(fx.rr[R_EMEA].members[2].decision, &fx.ev[3]);
	fixture_clear(&fx);
}

/* ------------------------------------------------------------------ */
/* The request and released events of the tag                          */

struct pointer_case {
	const char *name;
	const char *tag;	/* rv->tag */
	struct ev_spec ev[MAX_EVENTS];
	unsigned requested;	/* 1-based row, or 0 for none */
	unsigned released;
};

static const struct pointer_case pointer_cases[] = {
	{ .name = "requested: none without events", .tag = "print/q1" },
	{ .name = "requested: the latest request for the tag and commit",
	    .tag = "print/q1",
	    .ev = { { LEDGER_REQUEST, "printgate", 100, .tag = "print/q1" },
		{ LEDGER_REQUEST, "printgate", 300, .tag = "print/q1" },
		{ LEDGER_REQUEST, "printgate", 200, .tag = "print/q1" },
		{ LEDGER_REQUEST, "printgate", 400, .tag = "print/q2" },
		{ LEDGER_REQUEST, "printgate", 500, OLDER,
		    .tag = "print/q1" },
		{ LEDGER_REQUEST, "printgate", 600 } },
	    .requested = 2 },
	{ .name = "requested: same time, the later line",
	    .tag = "print/q1",
	    .ev = { { LEDGER_REQUEST, "printgate", 100, .tag = "print/q1" },
		{ LEDGER_REQUEST, "printgate", 100, .tag = "print/q1" } },
	    .requested = 2 },
	{ .name = "released: the released event for the tag and commit",
	    .tag = "print/q1",
	    .ev = { { LEDGER_REQUEST, "printgate", 100, .tag = "print/q1" },
		{ LEDGER_RELEASED, "printgate", 200, .tag = "print/q1" },
		{ LEDGER_RELEASED, "printgate", 300, .tag = "print/q2" },
		{ LEDGER_RELEASED, "printgate", 400, OLDER,
		    .tag = "print/q1" },
		{ APPROVE, "alice", 500, .tag = "print/q1" } },
	    .requested = 1, .released = 2 },
	{ .name = "requested: none for a bare commit (no tag)",
	    .tag = NULL,
	    .ev = { { LEDGER_REQUEST, "printgate", 100, .tag = "print/q1" },
		{ LEDGER_RELEASED, "printgate", 200, .tag = "print/q1" } } },
};

static void
test_pointers(void **state)
{
	const struct pointer_case *c = *state;
	struct fixture fx;

	config_init(&fx.cf, false, true);
	fixture_init(&fx, c->ev, NULL, 0, false, false);
	fx.rv.tag = (char *)c->tag;
	policy_evaluate(&fx.cf, &fx.rv);
	assert_ptr_equal(fx.rv.requested,
	    c->requested ? &fx.ev[c->requested - 1] : NULL);
	assert_ptr_equal(fx.rv.released,
	    c->released ? &fx.ev[c->released - 1] : NULL);
	fixture_clear(&fx);
}

/* policy_state_name: what status shows for each state. */
static void
test_state_names(void **state)
{
	static const struct {
		enum member_state state;
		const char *name;
	} names[] = {
		{ MEMBER_PENDING, "pending" },
		{ MEMBER_APPROVED, "approved" },
		{ MEMBER_APPROVED_WITH_CHANGES, "approved with changes" },
		{ MEMBER_NOT_COUNTED, "approved with changes, not counted" },
		{ MEMBER_CHANGES, "changes required" },
		{ MEMBER_AUTHOR, "author, cannot approve" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_string_equal(policy_state_name(names[i].state),
		    names[i].name);
}

int
main(void)
{
	int failed;

	for (size_t i = 0; i < ARRAY_SIZE(when_cases); i++)
		add_test(when_cases[i].name, test_when, &when_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(quorum_cases); i++)
		add_test(quorum_cases[i].name, test_quorum, &quorum_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(apply_cases); i++)
		add_test(apply_cases[i].name, test_applies, &apply_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(pointer_cases); i++)
		add_test(pointer_cases[i].name, test_pointers,
		    &pointer_cases[i]);
	add_test("applies: no rules configured is approved", test_no_rules,
	    NULL);
	add_test("evaluate: again after new decisions", test_evaluate_again,
	    NULL);
	add_test("state names", test_state_names, NULL);
	failed = _cmocka_run_group_tests("policy", tests, ntests, NULL, NULL);
	free(tests);
	return failed ? 1 : 0;
}
