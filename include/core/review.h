/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review.h - a candidate for print, gathered from the repository: finds the
 * base print tag, the scope, the authors, the ledger events and the rules,
 * runs the policy, and says the result in words for people.
 */
#ifndef PRINTGATE_REVIEW_H
#define PRINTGATE_REVIEW_H

#include "core/config.h"
#include "core/policy.h"
#include "core/repo.h"

#define PENDING_PREFIX "refs/printgate/pending/"
#define PRINTGATE_REFS "refs/printgate/"
/* The longest tag message the gate reads (git's own is unbounded). */
#define REVIEW_MAX_MESSAGE (64 * 1024)
/* Files listed in a message before "and N more". */
#define REVIEW_MAX_LISTED 50

/* What a TAG|REV argument names. */
struct review_target {
	char commit[OID_HEX];
	char *tag;			/* "print/q1", or NULL */
	char tag_object[OID_HEX];	/* "" when none */
	char *message;			/* the tag's message, or NULL */
	bool released;			/* the print tag exists */
	bool pending;			/* kept under refs/printgate/pending/ */
};

/*
 * Gathers and evaluates the review of commit, asked for by tag (NULL for a
 * bare commit) whose tag object and message are given when there is one.
 * On failure sets *why for people.
 */
int review_load(struct review **out, const struct config *cf,
    struct repo *r, const char *commit, const char *tag,
    const char *tag_object, const char *tag_message, char **why);
/*
 * A review of commit (and tag, or NULL) with nothing gathered: no files,
 * no rules, no events; for telling of an object that is no commit.
 */
struct review *review_stub(const char *commit, const char *tag);
/* Drops a holder of rv (review_load's caller is one); frees it at none. */
void review_free(struct review *rv);
/* Adds a holder of rv, and returns it. */
struct review *review_ref(struct review *rv);
/*
 * Whether rv is still what review_load would give: the print tags and
 * every note it read are unchanged (a write to another commit's note
 * leaves it fresh).  False when that cannot be told.
 */
bool review_fresh(const struct config *cf, struct repo *r,
    const struct review *rv);
/*
 * rv as review_load would give it now, without gathering it again when
 * that can be told to be the same: rv itself (another holder) while it
 * is fresh; when the only change is lines this process appended to rv's
 * own commit's note, from the version rv read (ledger_note_appended), a
 * new review sharing rv's scope with that note read again and decided
 * again.  -ESTALE when anything else changed (a print tag, another note,
 * another writer's line): load it.  tags is the print tags' stamp as
 * review_tags_stamp() gives it now, when the caller can tell it without
 * listing them again; NULL: they are listed.  Other errors set *why.
 */
int review_refresh(struct review **out, const struct config *cf,
    struct repo *r, const struct review *rv, const char *tags, char **why);
/*
 * Into out, a digest of the print tags' names and ids: what a review
 * compares to tell whether they changed since it was gathered.
 */
int review_tags_stamp(const struct config *cf, struct repo *r,
    char out[65]);

/*
 * Resolves a TAG|REV argument: a print tag ("print/q1" or its ref), one
 * kept under refs/printgate/pending/, or any revision (then a pending tag
 * on that commit, if any, is taken as its tag).
 */
int review_resolve(struct review_target *out, const struct config *cf,
    struct repo *r, const char *arg, char **why);
void review_target_clear(struct review_target *t);

/* The pending ref of print tag refname ("refs/tags/print/q1"). */
char *review_pending_ref(const struct config *cf, const char *refname);
/* The tag name ("print/q1") of a pending ref. */
char *review_pending_tag(const struct config *cf, const char *pending_ref);

/*
 * The rules of rv that person may decide on: those that apply, whose group
 * has the person, who is not an author (unless self_approval).  Sets *why
 * when there are none.
 */
int review_eligible(const struct config *cf, const struct review *rv,
    size_t person, size_t **rules, size_t *n, char **why);

/* The people to ask: eligible, undecided, in unmet rules ("bob, carol"). */
char *review_asked(const struct config *cf, const struct review *rv);
/*
 * The people whose approvals count in rv's rules that apply, each once,
 * in the order of the rules, into out[] (at most max); returns how many.
 */
size_t review_approvers(const struct config *cf, const struct review *rv,
    size_t *out, size_t max);
/* "slack:sales, teams:sales-teams", or NULL when nothing is configured. */
char *review_channels(const struct config *cf);
/*
 * The hook's refusal of a tag with symlinks or submodules under a rule
 * that does not allow them (rv->nlinks > 0): each "path -> target".
 */
char *review_format_links(const struct config *cf, const struct review *rv);
/* The hook's refusal: what waits, for whom, and how to see the status. */
char *review_format_wait(const struct config *cf, const struct review *rv);
/* printgatectl status: scope, each rule, who decided, what is missing. */
char *review_format_status(const struct config *cf, const struct review *rv);
/* One line for printgatectl pending. */
char *review_format_line(const struct config *cf, const struct review *rv);

struct buf;

/*
 * Who must review path: appends to b, for each rule whose paths cover it,
 * one line starting with indent, "NAME: N of GROUP (members)" and " when
 * CONDITION" for a conditional rule; each member with their email when
 * emails.  A rule whose paths do not compile is left out (config_load
 * refuses those).  Returns how many rules cover path.
 */
size_t review_format_who(const struct config *cf, const char *path,
    const char *indent, bool emails, struct buf *b);

/*
 * Loads the review of the print tag named tag for review_format_pending;
 * 0, or negative to leave it out.
 */
typedef int (*review_loader)(void *ctx, const char *tag, struct review **out);

/*
 * What waits for approval: appends to b one line (review_format_line) per
 * tag kept under refs/printgate/pending/, at most max of them, each loaded
 * by load; or "no print tag waits for approval" when none waits.  Returns
 * how many wait, or repo's negative code when they cannot be listed (b
 * is then unchanged).
 */
ssize_t review_format_pending(const struct config *cf, struct repo *r,
    size_t max, review_loader load, void *ctx, struct buf *b);
/* "print/q1 (a1b2c3d)" or "a1b2c3d" */
char *review_name(const struct review *rv);

#endif
