/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_decide.c - the decision from an inbound request (decide.c), without
 * the engine, the listener or a platform's parser: each test builds a real
 * bare repository with the real git command (a released print tag, a
 * print tag kept waiting under refs/printgate/pending/), lends decide.c
 * what it needs, drives a decision as the API's route would, and checks
 * the outcome a person is answered with and, with git again, the ledger
 * an auditor reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chat/inbound.h"
#include "chat/platform.h"
#include "core/config.h"
#include "core/ledger.h"
#include "core/repo.h"
#include "core/util.h"
#include "printgated/decide.h"
#include "printgated/metrics.h"
#include "printgated/replay.h"
#include "unit.h"

static char *tmp;	/* the temporary folder of this run */

/* The clock of the decisions: a fixed time, for a stable ledger. */
static int64_t
test_clock(void)
{
	return 1798970400;	/* 2027-01-03T10:00:00Z */
}

/*
 * A bare repository with two commits under brochures/: the first released
 * as print/q0 (a tag that exists: its review is closed), the second asked
 * for as print/q1 (its tag object kept under refs/printgate/pending/),
 * and a configuration in which alice may approve brochures and bob, who
 * is a person printgate knows, may not.
 */
struct fixture {
	char *bare;
	char *conf;
	char q1[OID_HEX];	/* the commit print/q1 asks for */
	struct config *cf;
	struct repo *r;
	struct replay *replay;
	struct metrics m;
	struct decide *dc;
	size_t api;		/* the API's index in cf->platforms */
	size_t slack, teams;	/* Slack's and Teams' */
};

/*
 * The links to the page decide.c is lent: one that says whom it is for,
 * "https://printgate.test/r/for-PERSON", or ".../r/channel".
 */
static int
fake_link(void *ctx, const char *tag, const char *commit, const char *person,
    char **out)
{
	*out = person ? xasprintf("https://printgate.test/r/for-%s", person) :
	    xstrdup("https://printgate.test/r/channel");
	return 0;
}

static void
fixture_decide(struct fixture *fx)
{
	struct decide_env env = { 0 };

	env.r = fx->r;
	env.replay = fx->replay;
	env.m = &fx->m;
	env.now = test_clock;
	env.link = fake_link;
	decide_new(&fx->dc, fx->cf, &env);
}

static int
fixture_setup(void **state)
{
	static unsigned n;
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	char *work = xasprintf("%s/work-%u", tmp, n), *errors = NULL, *why;
	char *id;
	FILE *f;

	fx->bare = xasprintf("%s/repo-%u.git", tmp, n);
	fx->conf = xasprintf("%s/printgate-%u.conf", tmp, n++);
	free(sh_ok("git init -q -b main '%s' && cd '%s' && "
	    "mkdir -p brochures && echo q0 >brochures/q0.pdf && "
	    "git add -A && git commit -q -m q0 && "
	    "git tag -a -m 'first print' print/q0 && "
	    "echo q1 >brochures/q1.pdf && git add -A && git commit -q -m q1 && "
	    "git tag -a -m 'second print' print/q1 && "
	    "git clone -q --bare . '%s' && cd '%s' && "
	    "git update-ref refs/printgate/pending/q1 "
	    "refs/tags/print/q1 && git update-ref -d refs/tags/print/q1",
	    work, work, fx->bare, fx->bare));
	id = sh_ok("git -C '%s' rev-parse main", fx->bare);
	assert_int_equal(strlen(id), OID_HEX - 1);
	memcpy(fx->q1, id, OID_HEX);
	free(id);
	assert_non_null(f = fopen(fx->conf, "w"));
	fprintf(f, "repository = \"%s\";\nstate_dir = \"%s.state\";\n"
	    "people = ( { id = \"alice\"; name = \"Alice\"; email = "
	    "\"alice@example.com\"; slack = \"U04ALICE\"; teams = "
	    "\"29:alice\"; }, { id = \"bob\"; name = \"Bob\"; "
	    "email = \"bob@example.com\"; }, { id = \"rita\"; name = "
	    "\"Rita\"; email = \"rita@example.com\"; } );\n"
	    "groups = { sales = [ \"alice\" ]; release = [ \"rita\" ]; };\n"
	    "release_managers = \"release\";\n"
	    "rules = ( { name = \"brochures\"; paths = [ \"brochures/**\" ]; "
	    "group = \"sales\"; } );\n", fx->bare, fx->bare);
	fclose(f);
	if (config_load(&fx->cf, fx->conf, 0, &platform_configs,
	    &errors) < 0)
		fail_msg("config: %s", errors);
	for (size_t i = 0; i < fx->cf->platforms->n; i++) {
		const char *name = fx->cf->platforms->v[i]->name;

		if (strcmp(name, "webhook") == 0)
			fx->api = i;
		else if (strcmp(name, "slack") == 0)
			fx->slack = i;
		else if (strcmp(name, "teams") == 0)
			fx->teams = i;
	}
	why = NULL;
	if (repo_open(&fx->r, fx->bare, &why) < 0)
		fail_msg("open: %s", why);
	fx->replay = replay_new();
	fixture_decide(fx);
	free(work);
	*state = fx;
	return 0;
}

static int
fixture_teardown(void **state)
{
	struct fixture *fx = *state;

	decide_free(fx->dc);
	replay_free(fx->replay);
	repo_free(fx->r);
	config_free(fx->cf);
	free(fx->bare);
	free(fx->conf);
	free(fx);
	return 0;
}

/* A decision of type on target by user, as the API's route hands it. */
static void
decide(struct fixture *fx, const char *user, const char *type,
    const char *target, const char *idem, struct decide_outcome *o)
{
	struct inbound in = { 0 };

	in.kind = INBOUND_DECIDE;
	in.user = xstrdup(user);
	in.decision = xstrdup(type);
	in.target = xstrdup(target);
	decide_record(fx->dc, fx->api, &in, idem, o);
	inbound_clear(&in);
}

/*
 * A decision refused with status, its text saying why (text is in it),
 * and nothing recorded.
 */
static void
refused(struct fixture *fx, const char *user, const char *type,
    const char *target, const char *idem, int status, const char *text)
{
	struct decide_outcome o = { 0 };

	decide(fx, user, type, target, idem, &o);
	assert_int_equal(o.status, status);
	assert_false(o.recorded);
	assert_false(o.repeat);
	assert_non_null(o.text);
	if (strstr(o.text, text) == NULL)
		fail_msg("'%s' does not say '%s'", o.text, text);
	decide_outcome_clear(&o);
}

/* The ledger of commit as git shows it ("" when it has none). */
static char *
ledger_of(const struct fixture *fx, const char *commit)
{
	return sh_ok("git -C '%s' notes --ref=printgate show %s 2>/dev/null "
	    "|| true", fx->bare, commit);
}

/* How many times needle is in haystack. */
static size_t
count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * The ledger of print/q1 has n lines of type, and each of the strings
 * after n (up to a NULL) somewhere.
 */
static void
ledger_says(const struct fixture *fx, const char *type, size_t n, ...)
{
	char *ledger = ledger_of(fx, fx->q1), *want = xasprintf("\"type\":"
	    "\"%s\"", type);
	const char *s;
	va_list ap;

	assert_int_equal(count(ledger, want), n);
	va_start(ap, n);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (strstr(ledger, s) == NULL)
			fail_msg("the ledger does not say '%s': %s", s, ledger);
	va_end(ap);
	free(want);
	free(ledger);
}

/* Nothing is in the ledger of the review: a refusal changes nothing. */
static void
assert_ledger_empty(const struct fixture *fx)
{
	char *notes = sh_ok("git -C '%s' for-each-ref refs/notes/", fx->bare);

	assert_string_equal(notes, "");
	free(notes);
}

/* alice approves print/q1: recorded, approved, one ledger line. */
static void
test_approve(void **state)
{
	struct fixture *fx = *state;
	struct decide_outcome o = { 0 };
	char *ledger;

	decide(fx, "alice", "approve", "print/q1", "req-1", &o);
	assert_int_equal(o.status, 200);
	assert_true(o.recorded);
	assert_false(o.repeat);
	assert_true(o.approved);
	assert_non_null(strstr(o.text, "recorded: alice approve print/q1"));
	assert_non_null(o.review);
	assert_true(str_startswith(o.review, "print/q1@"));
	assert_non_null(o.rv);
	assert_string_equal(o.rv->commit, fx->q1);
	ledger = ledger_of(fx, fx->q1);
	assert_int_equal(count(ledger, "\n") + 1, 1);
	assert_non_null(strstr(ledger, "\"type\":\"approve\""));
	assert_non_null(strstr(ledger, "\"by\":\"alice\""));
	assert_non_null(strstr(ledger, "\"via\":\"api\""));
	assert_non_null(strstr(ledger, "\"tag\":\"print/q1\""));
	assert_non_null(strstr(ledger, "\"at\":\"2027-01-03T10:00:00Z\""));
	assert_int_equal(fx->m.decisions[0], 1);
	free(ledger);
	decide_outcome_clear(&o);
}

/*
 * The same request again (same idem) is a replay: answered, nothing
 * written; and after a restart (a new table, a new decide) too, from the
 * ledger's ids.  Another request with the same decision is a repeat.
 */
static void
test_replay(void **state)
{
	struct fixture *fx = *state;
	struct decide_outcome o = { 0 };
	char *ledger;

	decide(fx, "alice", "approve", "print/q1", "req-1", &o);
	assert_true(o.recorded);
	decide_outcome_clear(&o);

	decide(fx, "alice", "approve", "print/q1", "req-1", &o);
	assert_int_equal(o.status, 200);
	assert_false(o.recorded);
	assert_true(o.repeat);
	assert_string_equal(o.text, "already recorded: this request was "
	    "handled before");
	decide_outcome_clear(&o);

	decide_free(fx->dc);
	replay_free(fx->replay);
	fx->replay = replay_new();
	fixture_decide(fx);
	decide(fx, "alice", "approve", "print/q1", "req-1", &o);
	assert_int_equal(o.status, 200);
	assert_false(o.recorded);
	assert_true(o.repeat);
	decide_outcome_clear(&o);

	decide(fx, "alice", "approve", "print/q1", "req-2", &o);
	assert_int_equal(o.status, 200);
	assert_false(o.recorded);
	assert_false(o.repeat);
	assert_non_null(strstr(o.text, "already recorded: alice approve "
	    "print/q1"));
	decide_outcome_clear(&o);

	ledger = ledger_of(fx, fx->q1);
	assert_int_equal(count(ledger, "\"type\":\"approve\""), 1);
	assert_int_equal(fx->m.decisions[0], 1);
	free(ledger);
}

/*
 * Who may not decide is told why, and nothing is written: bob is in no
 * group of the rule, mallory is no person printgate knows.
 */
static void
test_not_eligible(void **state)
{
	struct fixture *fx = *state;

	refused(fx, "bob", "approve", "print/q1", "req-3", 403,
	    "you may not decide on print/q1");
	refused(fx, "mallory", "approve", "print/q1", NULL, 403,
	    "are not a reviewer printgate knows");
	refused(fx, "alice", "approve-twice", "print/q1", NULL, 400,
	    "the decision must be approve");
	assert_ledger_empty(fx);
	assert_int_equal(fx->m.decisions[0], 0);
}

/* A released print tag's review is closed: 409, nothing written. */
static void
test_closed(void **state)
{
	struct fixture *fx = *state;

	refused(fx, "alice", "approve", "print/q0", "req-4", 409,
	    "print/q0 was already released; the review is closed");
	assert_ledger_empty(fx);
}

/*
 * What is no print tag is refused before git evaluates it: a revision
 * expression (400), a name that is neither released nor waiting (404).
 */
static void
test_unknown_review(void **state)
{
	struct fixture *fx = *state;

	refused(fx, "alice", "approve", "main~1", NULL, 400,
	    "revision expressions such as");
	refused(fx, "alice", "approve", "print/q9", NULL, 404,
	    "is neither a print tag nor one waiting for approval");
	assert_ledger_empty(fx);
}

/* A command's decision from a chat platform's user, comment or not. */
static void
decide_chat(struct fixture *fx, size_t platform, const char *user,
    const char *comment, struct decide_outcome *o)
{
	struct inbound in = { 0 };

	in.kind = INBOUND_DECIDE;
	in.user = xstrdup(user);
	in.decision = xstrdup("changes-required");
	in.target = xstrdup("print/q1");
	in.comment = comment ? xstrdup(comment) : NULL;
	decide_record(fx->dc, platform, &in, NULL, o);
	inbound_clear(&in);
}

/* A changes-required without a comment, asked for and not recorded. */
static void
asked(struct decide_outcome *o)
{
	assert_int_equal(o->status, 200);
	assert_false(o->recorded);
	assert_false(o->repeat);
	assert_non_null(strstr(o->text, "Say what must change in print/q1"));
	assert_non_null(strstr(o->text, "Nothing was recorded"));
}

/*
 * "changes print/q1" without a comment from chat records nothing and
 * asks for it: on Slack with alice's own link (the answer is hers
 * alone), on Teams, whose reply the channel sees, with the command and
 * the channel's link only.  With a comment it is recorded, and the API
 * records a decision as it is sent.
 */
static void
test_changes_asked(void **state)
{
	struct fixture *fx = *state;
	struct decide_outcome o = { 0 };

	decide_chat(fx, fx->slack, "U04ALICE", NULL, &o);
	asked(&o);
	assert_string_equal(o.link, "https://printgate.test/r/for-alice");
	assert_non_null(strstr(o.text, "your review page, "
	    "https://printgate.test/r/for-alice (this link is for you "
	    "alone)"));
	assert_non_null(strstr(o.text, "`/printgate changes print/q1 what "
	    "must change`"));
	decide_outcome_clear(&o);

	decide_chat(fx, fx->teams, "29:alice", NULL, &o);
	asked(&o);
	assert_null(o.link);
	assert_null(strstr(o.text, "for-alice"));
	assert_non_null(strstr(o.text, "@printgate changes print/q1 followed "
	    "by what must change"));
	assert_non_null(strstr(o.text, "The review, to read: "
	    "https://printgate.test/r/channel"));
	decide_outcome_clear(&o);
	assert_ledger_empty(fx);

	decide_chat(fx, fx->teams, "29:alice", "the price on p.3", &o);
	assert_true(o.recorded);
	decide_outcome_clear(&o);
	decide(fx, "alice", "changes-required", "print/q1", NULL, &o);
	assert_true(o.recorded);
	decide_outcome_clear(&o);
	ledger_says(fx, "changes-required", 2, "\"via\":\"teams:29:alice\"",
	    "\"comment\":\"the price on p.3\"", "\"via\":\"api\"",
	    (char *)NULL);
}

/* Everything in one temporary folder, which is also HOME. */
static int
group_setup(void **state)
{
	if ((tmp = unit_git_home("printgate-test-decide")) == NULL)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	if (tmp && strstr(tmp, "/printgate-test-decide.") != NULL)
		free(sh_ok("rm -rf '%s'", tmp));
	free(tmp);
	ledger_cache_free();
	return 0;
}

/* A decision from the review page, as pages.c hands it. */
static void
decide_web(struct fixture *fx, const char *person, const char *type,
    char *const *rules, size_t nrules, struct decide_outcome *o)
{
	struct inbound in = { 0 };
	ssize_t p = config_person_find(fx->cf, person);

	assert_true(p >= 0);
	in.review = xasprintf("print/q1@%s", fx->q1);
	in.decision = xstrdup(type);
	in.comment = xstrdup("Looks right");
	decide_record_person(fx->dc, (size_t)p, "web:link", &in, rules,
	    nrules, o);
	inbound_clear(&in);
}

/*
 * The page's decision: a rule the person is not asked under is refused
 * with nothing written; then the decision is recorded with the via the
 * page gave, and the same again records nothing.  bob is asked nowhere.
 */
static void
test_web(void **state)
{
	struct fixture *fx = *state;
	struct decide_outcome o = { 0 };
	char *other[] = { "pricing" }, *ours[] = { "brochures" };

	decide_web(fx, "alice", "approve", other, 1, &o);
	assert_int_equal(o.status, 403);
	assert_non_null(strstr(o.text, "under the rule 'pricing'"));
	decide_outcome_clear(&o);
	decide_web(fx, "bob", "approve", NULL, 0, &o);
	assert_int_equal(o.status, 403);
	decide_outcome_clear(&o);
	assert_ledger_empty(fx);

	decide_web(fx, "alice", "approve", ours, 1, &o);
	assert_int_equal(o.status, 200);
	assert_true(o.recorded);
	assert_true(o.approved);
	decide_outcome_clear(&o);
	decide_web(fx, "alice", "approve", ours, 1, &o);
	assert_int_equal(o.status, 200);
	assert_false(o.recorded);
	decide_outcome_clear(&o);
	ledger_says(fx, "approve", 1, "\"via\":\"web:link\"",
	    "\"rules\":[\"brochures\"]", "\"comment\":\"Looks right\"",
	    (char *)NULL);
}

/* alice's decision of type on print/q1 with slot: staged, not recorded. */
static void
staged(struct fixture *fx, void **slot, const char *type, const char *idem)
{
	struct decide_outcome o = { 0 };

	decide_set_slot(fx->dc, slot);
	decide(fx, "alice", type, "print/q1", idem, &o);
	assert_true(o.staged);
	assert_false(o.recorded);
	decide_outcome_clear(&o);
}

/*
 * Group commit: with a slot, a decision is staged, not written, and its
 * request waits; the same request again waits too, without a ticket.
 * decide_flush() writes it; decided again with its slot it is answered
 * as recorded, and the other request then as a replay.
 */
static void
test_staged(void **state)
{
	struct fixture *fx = *state;
	struct decide_outcome o = { 0 };
	void *slot1 = NULL, *slot2 = NULL;
	char *ledger;

	staged(fx, &slot1, "approve", "req-1");
	assert_non_null(slot1);
	assert_ledger_empty(fx);
	assert_int_equal(decide_staged(fx->dc), 1);

	staged(fx, &slot2, "approve", "req-1");
	assert_null(slot2);
	assert_int_equal(decide_staged(fx->dc), 1);

	assert_int_equal(decide_flush(fx->dc), 0);
	assert_int_equal(decide_staged(fx->dc), 0);
	ledger = ledger_of(fx, fx->q1);
	assert_int_equal(count(ledger, "\"type\":\"approve\""), 1);
	free(ledger);

	decide_set_slot(fx->dc, &slot1);
	decide(fx, "alice", "approve", "print/q1", "req-1", &o);
	assert_int_equal(o.status, 200);
	assert_true(o.recorded);
	assert_false(o.staged);
	assert_null(slot1);
	assert_non_null(strstr(o.text, "recorded: alice approve print/q1"));
	decide_outcome_clear(&o);

	decide_set_slot(fx->dc, &slot2);
	decide(fx, "alice", "approve", "print/q1", "req-1", &o);
	assert_int_equal(o.status, 200);
	assert_true(o.repeat);
	assert_false(o.recorded);
	decide_outcome_clear(&o);
	decide_set_slot(fx->dc, NULL);
	assert_int_equal(fx->m.decisions[0], 1);
}

/*
 * A request that went away while its decision waited
 * (decide_ticket_drop()): the decision is still written, nobody is
 * answered.  A group commit that fails (the notes ref at a blob: a
 * broken ledger) answers its decision 500, nothing recorded.
 */
static void
test_staged_failed(void **state)
{
	struct fixture *fx = *state;
	struct decide_outcome o = { 0 };
	void *slot = NULL, *gone = NULL;
	char *ledger;

	staged(fx, &gone, "approve", "req-1");
	decide_ticket_drop(gone);
	assert_int_equal(decide_flush(fx->dc), 0);
	ledger = ledger_of(fx, fx->q1);
	assert_int_equal(count(ledger, "\"type\":\"approve\""), 1);
	free(ledger);

	staged(fx, &slot, "approve-with-changes", "req-2");
	free(sh_ok("cd '%s' && git update-ref refs/notes/printgate "
	    "$(echo broken | git hash-object -w --stdin)", fx->bare));
	assert_true(decide_flush(fx->dc) < 0);
	decide(fx, "alice", "approve-with-changes", "print/q1", "req-2", &o);
	assert_int_equal(o.status, 500);
	assert_false(o.recorded);
	assert_null(slot);
	assert_non_null(strstr(o.text, "nothing was recorded"));
	decide_outcome_clear(&o);
	decide_set_slot(fx->dc, NULL);
	assert_int_equal(fx->m.decisions[0], 0);
	assert_int_equal(fx->m.decisions[1], 0);
}

int
main(void)
{
	int failed;

	add_test("decide: approve is recorded, with its ledger line",
	    test_approve, NULL);
	add_test("decide: a replay is answered and written once, also after "
	    "a restart", test_replay, NULL);
	add_test("decide: who may not decide is refused, nothing written",
	    test_not_eligible, NULL);
	add_test("decide: a released review is closed", test_closed, NULL);
	add_test("decide: no revision expression, no unknown tag",
	    test_unknown_review, NULL);
	add_test("decide: from the review page, by person, narrowed to rules",
	    test_web, NULL);
	add_test("decide: changes without a comment from chat is asked for, "
	    "never with a personal link where the channel sees it",
	    test_changes_asked, NULL);
	add_test("decide: staged, written as a group, answered from its "
	    "ticket", test_staged, NULL);
	add_test("decide: a request gone is not answered; a group commit "
	    "that fails answers 500",
	    test_staged_failed, NULL);
	for (size_t i = 0; i < ntests; i++) {
		tests[i].setup_func = fixture_setup;
		tests[i].teardown_func = fixture_teardown;
	}
	failed = _cmocka_run_group_tests("decide", tests, ntests, group_setup,
	    group_teardown);
	free(tests);
	return failed ? 1 : 0;
}
