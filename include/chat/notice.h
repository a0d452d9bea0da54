/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notice.h - what printgated tells the chat channels about, as plain data
 * (the view-model every platform's format takes: chat/platform.h), and
 * the text helpers and sentences the formats share (notice.c).
 *
 * The formats are pure: a notice in, a body out.  Strings in a notice are
 * borrowed from the caller.
 */
#ifndef PRINTGATE_NOTICE_H
#define PRINTGATE_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps that keep every message within its platform's limits. */
#define NOTICE_MAX_FILES 20		/* files listed; then "and N more" */
#define NOTICE_MAX_PEOPLE 50		/* people mentioned a list */
#define NOTICE_MAX_TEXT 2000		/* a comment, a reason */
#define NOTICE_TEAMS_MAX_BYTES 28000	/* a Teams card, whole */
#define NOTICE_SUMMARY_FILES 3		/* files in a summary of changes */
#define NOTICE_MAX_SUMMARY 900		/* bytes of that summary */
#define NOTICE_MAX_PICTURE_ALT 300	/* characters of a picture's text */

enum notice_kind {
	NOTICE_REQUEST,		/* review requested (also after a change) */
	NOTICE_DECISION,	/* a reviewer decided */
	NOTICE_APPROVED,	/* every rule is met; not released (yet) */
	NOTICE_RELEASED,	/* the print tag exists now */
	NOTICE_CHANGES,		/* changes required: to the authors */
	NOTICE_REMIND,		/* still waiting after remind_after */
	NOTICE_ESCALATE,	/* still waiting after escalate_after */
	NOTICE_VIOLATION,	/* a print tag appeared around the gate */
};

/* The most platform ids a person carries in a notice. */
#define NOTICE_MAX_HANDLES 8

/* A person's id on one platform: ("slack", "U04ALICE"). */
struct notice_handle {
	const char *platform;	/* the platform's name; NULL ends the list */
	const char *id;
};

/*
 * A person, with the ids the platforms mention them by: Slack's member id
 * ("U04ALICE": <@U04ALICE>), Mattermost's user name (@name), a Teams
 * display name or UPN (shown as text); see notice_person_handle().
 */
struct notice_person {
	const char *id;
	const char *name;
	struct notice_handle handles[NOTICE_MAX_HANDLES];
};

struct notice_file {
	const char *path;
	char status;		/* 'A', 'M', 'D' */
	const char *url;	/* browse_url filled in, or NULL */
};

struct notice_rule {
	const char *name;
	const char *group;
	unsigned approvals;
	unsigned required;
	bool met;
	bool blocked;		/* someone requires changes */
	const char *again;	/* "x.pdf changed since alice approved", or NULL */
};

struct notice {
	enum notice_kind kind;
	const char *event_id;	/* the ledger event this notice is about */
	const char *review;	/* the review key: "print/q1@<commit>" */
	const char *tag;	/* "print/q1", or NULL */
	const char *commit;	/* 40 hex digits */
	const char *base_tag;	/* the previous print, or NULL: first print */
	const struct notice_file *files;	/* at most NOTICE_MAX_FILES */
	size_t nfiles;
	size_t nfiles_total;	/* files in scope, listed or not */
	const struct notice_rule *rules;	/* the rules that apply */
	size_t nrules;
	const struct notice_person *asked;	/* who is asked to decide */
	size_t nasked;
	const char *deadline;	/* the Print-By trailer, or NULL */
	const struct notice_person *by;	/* who decided / released, or NULL */
	const char *decision;	/* "approve", … for NOTICE_DECISION */
	const char *comment;	/* the decision's comment, or NULL */
	const char *reason;	/* for NOTICE_VIOLATION: what happened */
	bool auto_release;	/* for NOTICE_APPROVED: released by itself? */
	int64_t at;		/* when the event happened */
	const char *status_command;	/* "printgatectl status print/q1" */
	/*
	 * For a platform whose buttons call printgated back (its row's
	 * buttons): where they post, and each button's token; else NULL.
	 */
	const char *actions_url;	/* public_url + "/mattermost/actions" */
	const char *action_token[3];	/* approve, with changes, changes */
	/* for a platform that delivers to each person: the one it is for */
	const struct notice_person *to;
	/*
	 * The review page: {public_url}/r/{token}, a personal link (naming
	 * to) for a platform that delivers to each person, else a channel
	 * link; NULL without a public URL.
	 */
	const char *link;
	const char *from;	/* for a mail platform: the sender's address */
	/*
	 * For a notice that asks for decisions: what changed, a line a file
	 * (at most NOTICE_SUMMARY_FILES, NOTICE_MAX_SUMMARY bytes), valid
	 * UTF-8 from the diff code ("prices.csv: row \"Pro\", Price: 100 →
	 * 110"); NULL when there is nothing to say.
	 */
	const char *summary;
	/*
	 * With that summary, when a PDF's or an image's preview is ready
	 * and there is a public URL: the picture of its first changed page
	 * (the changes marked in red over the new version), an absolute URL
	 * that is a capability for that picture alone, and its text for who
	 * cannot see it; else NULL.
	 */
	const char *picture_url;
	const char *picture_alt;
	/* for a release or an approval: whose approvals count, in rule order */
	const struct notice_person *approvers;
	size_t napprovers;
};

/* "review requested", … */
const char *notice_kind_name(enum notice_kind kind);
/* One line for people: "Review requested: print/q1 (a1b2c3d)". */
char *notice_headline(const struct notice *n);

/*
 * Text helpers the four formats share (notice.c).  Paths, names, tags and
 * comments may be any bytes; these make them fit a message.
 */
struct buf;

/*
 * s as valid UTF-8 (each bad byte becomes U+FFFD) with control characters
 * as spaces ('\n' kept when multiline), at most max characters: longer
 * text is cut and ends with "…".  NULL for NULL; the caller frees.
 */
char *notice_text(const char *s, size_t max, bool multiline);
/*
 * s (valid UTF-8) with every mention in it made inert for Slack,
 * Mattermost and Teams alike: "@here", "@all", "@channel", "@everyone"
 * or "@name" at the start of a word, and "<!here>", "<!channel>",
 * "<!everyone>", "<@U…>", "<#C…>", "<at>", get a word joiner (U+2060)
 * after their '@' or '<', which shows nothing.  NULL for NULL; the
 * caller frees.
 */
#define NOTICE_WORD_JOINER "\xe2\x81\xa0"
char *notice_defuse(const char *s);
/* notice_text() and then notice_defuse(): text from people for chat. */
char *notice_chat_text(const char *s, size_t max, bool multiline);
/*
 * url if it is an http(s) URL, with every byte outside RFC 3986's set and
 * "()<>|" percent-encoded, and at most max bytes; else NULL.  Caller frees.
 */
char *notice_url(const char *url, size_t max);
/* The first seven digits of a commit into out[8] ("" for NULL). */
void notice_short(const char *commit, char out[8]);
/* "added", "modified", "deleted", or "changed" for another status. */
const char *notice_status_name(char status);
/* "approved", "approved with changes", "requested changes", or NULL. */
const char *notice_decision_name(const char *decision);
/* The name to show for a person: name, else id, else "someone". */
const char *notice_person_name(const struct notice_person *p);
/* p's id on the platform named platform, or NULL. */
const char *notice_person_handle(const struct notice_person *p,
    const char *platform);
/* Whether the notice asks for decisions: request, reminder, escalation. */
bool notice_wants_decision(const struct notice *n);
/*
 * The "Open review" link a chat message shows: n->link for a notice that
 * asks for decisions, else NULL (the page says where the review stands,
 * so a message with the link names no status command).
 */
const char *notice_review_link(const struct notice *n);
/*
 * The files to list (at most NOTICE_MAX_FILES of nfiles), and into *more
 * how many files in scope are left out of the list.
 */
size_t notice_files_listed(const struct notice *n, size_t *more);
/* What the people in asked are to the notice: "Asked to decide", … */
const char *notice_asked_label(enum notice_kind kind);
/* The comment to show: NULL when empty, or when it repeats the reason. */
const char *notice_comment(const struct notice *n);
/* What a decision command names: the tag, else the commit, else review. */
const char *notice_subject(const struct notice *n);
/*
 * The words every format says to people, once, so that all say the same
 * (notice.c).  A sentence that names something people wrote is cut in
 * parts around it, for each format to escape it its own way.
 */
#define NOTICE_FIRST_PRINT "first print"	/* no previous print tag */
/* What a rule's state adds after its approvals: "" when still open. */
const char *notice_rule_state(const struct notice_rule *r);
/* "Released by" for a release, else "By": who did what a notice tells. */
const char *notice_by_label(const struct notice *n);
/* "1 of 2 approvals from " a rule's group, into out[64]. */
const char *notice_approvals(const struct notice_rule *r, char out[64]);
/* What happens after an approval, around the thing to push again. */
struct notice_words {
	const char *before;	/* always set */
	const char *subject;	/* NULL, or text from people to escape */
	const char *after;	/* "" when subject is NULL */
};
/* For NOTICE_APPROVED: released by itself, or pushed again by whom. */
void notice_release_step(const struct notice *n, struct notice_words *out);
/* Appends text (valid UTF-8) with CommonMark punctuation escaped. */
void notice_md_escape(struct buf *b, const char *text);
/* Appends text (valid UTF-8) as a CommonMark code span. */
void notice_md_code(struct buf *b, const char *text);

#endif
