/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * policy.h - the review and the decision, as pure code: given a candidate's
 * scope, trailers, authors and ledger events, which rules apply and whether
 * they are met.  No I/O: review.c gathers the inputs from the repository,
 * and most unit tests live here.
 */
#ifndef PRINTGATE_POLICY_H
#define PRINTGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/ledger.h"
#include "core/repo.h"

enum member_state {
	MEMBER_PENDING,		/* no decision on this content yet */
	MEMBER_APPROVED,	/* approve */
	MEMBER_APPROVED_WITH_CHANGES,	/* counted as an approval */
	MEMBER_NOT_COUNTED,	/* approve-with-changes, and it does not count */
	MEMBER_CHANGES,		/* changes-required: blocks */
	MEMBER_AUTHOR,		/* authored a commit in scope: cannot approve */
};

struct review_member {
	size_t person;				/* index into cf->people */
	enum member_state state;
	const struct ledger_event *decision;	/* the one that counts */
	bool carried;		/* recorded on another commit, same content */
	const struct ledger_event *stale;	/* a later one on other content */
	char *changed;		/* for stale: files changed since, or NULL */
};

struct review_rule {
	size_t rule;			/* index into cf->rules */
	size_t *files;			/* indices into review.files */
	size_t nfiles;
	bool matched;			/* some file in scope is under paths */
	bool cond;			/* its when holds, or it has none */
	char *cond_why;			/* for status: how when was decided */
	bool applies;			/* matched and cond */
	char fingerprint[65];		/* of the files: paths and blob ids */
	unsigned approvals;
	unsigned eligible;		/* members who may approve */
	bool blocked;			/* someone requires changes */
	struct review_member *members;	/* one per group member */
	size_t nmembers;
};

/* A candidate for print: a commit, usually with the tag that asks for it. */
struct review {
	char commit[OID_HEX];
	char *tag;			/* "print/q1", or NULL */
	char tag_object[OID_HEX];	/* "" when there is none */
	char base_commit[OID_HEX];	/* "" for a first print */
	char *base_tag;			/* "print/q0", or NULL */
	struct scope_file *files;	/* the review scope, by path */
	size_t nfiles;
	struct trailer *trailers;
	size_t ntrailers;
	size_t *authors;		/* people who authored commits in scope */
	size_t nauthors;
	char **strangers;		/* author emails of no known person */
	size_t nstrangers;
	struct ledger_events events;	/* on the commit and those in scope */
	struct review_rule *rules;	/* one per config rule */
	size_t nrules;
	bool approved;
	bool blocked;
	const struct ledger_event *requested;	/* latest request for tag */
	const struct ledger_event *released;	/* released event for tag;
						   review_load keeps it
						   only when the tag exists
						   with its tag object */
	char tag_target[OID_HEX];	/* what the print tag points at, ""
					   when it does not exist */
	struct review_link *links;	/* symlinks, submodules refusing it */
	size_t nlinks;
};

/* A symlink or submodule in scope under a rule that does not allow it. */
struct review_link {
	size_t file;		/* index into review.files */
	size_t rule;		/* index into cf->rules */
	char *target;		/* the symlink's target, or "submodule commit
				   <id>" */
};

/*
 * The grammar of numbers in conditions, for the policy and for config's
 * validation alike: parses the whole of s as a decimal number, allowing
 * blanks around it, a sign, a fraction and "_" or "," between digits
 * ("2_500_000", "2,500,000").  False when s is not one.
 */
bool policy_number(const char *s, long double *out);

/*
 * Evaluates a rule's condition against the trailers.  Returns true when it
 * holds.  A missing trailer makes it false.  Numbers compare as numbers
 * when both sides are numbers; = and != compare other values as strings;
 * an order (<, >, …) on a value that is not a number cannot be decided,
 * and then the condition holds, so that the rule applies (fail closed).
 * *why, when not NULL, is set to an explanation the caller frees.
 */
bool policy_when(const struct config_when *w, const struct trailer *t,
    size_t n, char **why);

/*
 * Fills in the decision of rv: each rule's cond, applies, members,
 * approvals, eligible and blocked, then rv->approved, blocked, requested
 * and released.  Expects rv's commit, tag, trailers, authors, events and
 * each rule's rule, files, matched and fingerprint to be set.
 *
 * A person's latest decision counts (by time, then ledger order).  A
 * decision counts for a rule when it was recorded on rv's commit, or on
 * another commit with the same fingerprint for that rule (carry-over).
 */
void policy_evaluate(const struct config *cf, struct review *rv);

/* "approved", "approved with changes", …: a member's state for people. */
const char *policy_state_name(enum member_state state);

#endif
