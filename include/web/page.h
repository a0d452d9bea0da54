/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * page.h - the review page, the history of a print tag, and the error
 * pages, each a pure function from a plain view-model to HTML; the
 * headers every page goes out with (the stylesheet they link is style.h).
 *
 * The pages work without JavaScript and carry none, nor any inline
 * style: everything comes from the stylesheet at PAGE_CSS_PATH, on the
 * same origin, so that "Content-Security-Policy: default-src 'self'"
 * holds them.  Strings in a view-model are borrowed and untrusted: each
 * goes through the escaper (html.h); URLs that are not http(s) or a
 * path on this site are shown as text.
 */
#ifndef PRINTGATE_WEB_PAGE_H
#define PRINTGATE_WEB_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "web/diff.h"

#define PAGE_CSS_PATH "/static/printgate.css"
#define PAGE_MAX_COMMENT 2000	/* the form's textarea, in characters */
#define PAGE_JS_PATH "/static/printgate.js"	/* the previews' script */

/* The headers of every page and of the stylesheet, name and value. */
struct page_header {
	const char *name;
	const char *value;
};
extern const struct page_header page_headers[];
extern const size_t page_nheaders;

/* One person's decision under a rule. */
struct page_decision {
	const char *who;	/* the person's name */
	const char *decision;	/* "approve", "approve-with-changes",
				 * "changes-required" */
	int64_t at;
	const char *comment;	/* or NULL */
	const char *carried;	/* carried over from this earlier candidate
				 * ("print/q4", "a1b2c3d"), or NULL */
	const char *via;	/* "slack", "web", ... or NULL */
};

struct page_rule {
	const char *name;
	const char *group;
	unsigned have;		/* approvals that count */
	unsigned need;
	bool met;
	bool blocked;		/* someone requires changes */
	const char *reset;	/* why the review of the rule started again
				 * ("x.pdf changed since Alice approved") */
	const struct page_decision *decisions;
	size_t ndecisions;
	const char *const *waiting;	/* names of who may still decide */
	size_t nwaiting;
};

/* A word that changed on a page: old "2,499", new "2,999". */
struct page_preview_word {
	const char *old;	/* "" or NULL: added */
	const char *new;	/* "" or NULL: removed */
};

/* One page of a preview: its pictures (URLs on this site, or NULL). */
struct page_preview_page {
	int old, new;		/* page numbers in each version; 0: none */
	const char *status;	/* "same", "changed", "added", "removed" */
	int width, height;	/* the pictures' pixels */
	const char *old_url, *new_url, *diff_url, *thumb_url;
	const struct page_preview_word *words;
	size_t nwords;
};

enum page_preview_state {
	PAGE_PREVIEW_NONE,	/* "no preview: <reason>" */
	PAGE_PREVIEW_COMING,	/* being made: the script fills it in */
	PAGE_PREVIEW_READY,
};

/* The preview of a PDF or an image (the daemon's previews fill it). */
struct page_preview {
	enum page_preview_state state;
	const char *reason;	/* PAGE_PREVIEW_NONE */
	const char *summary;	/* "page 2 changed" */
	const char *state_url;	/* PAGE_PREVIEW_COMING: polled for "ready" */
	const struct page_preview_page *pages;	/* in page order */
	size_t npages;
};

struct page_file {
	const char *path;
	char status;		/* 'A' added, 'M' changed, 'D' removed */
	const char *const *rules;	/* the rules that cover it */
	size_t nrules;
	const char *note;	/* "symlink -> target", "export-subst", ... */
	const struct diff_view *diff;	/* NULL: no view */
	const struct page_preview *preview;	/* NULL: none */
	const char *old_url;	/* downloads of each version, or NULL */
	const char *new_url;
	const char *browse_url;	/* browse_url filled in, or NULL */
};

/* The decision form, for a viewer who may decide. */
struct page_form {
	const char *action;	/* "/r/TOKEN/decide" */
	const char *csrf;
	const char *person;	/* the viewer's name */
	const char *const *rules;	/* the rules they may decide under */
	size_t nrules;
	const char *current;	/* their latest decision, or NULL */
	bool comment_needed;	/* came from chat to say what must change */
	/* the form filled in again (a post not recorded), or NULL */
	const char *decision;
	const char *comment;
};

enum page_state {
	PAGE_WAITING,		/* approvals missing */
	PAGE_BLOCKED,		/* changes required */
	PAGE_APPROVED,		/* every rule met, not yet printed */
	PAGE_RELEASED,
	PAGE_REPLACED,		/* a newer candidate of the tag */
};

struct page_review {
	const char *tag;
	const char *commit;	/* 40 hex */
	const char *tagger;	/* name and email as in the tag */
	int64_t tagged_at;
	const char *message;	/* the tag message */
	const char *previous;	/* the previous print, or NULL: first */
	const char *previous_url;	/* its review page, or NULL */
	const char *print_by;	/* the Print-By trailer, or NULL */
	int64_t deadline;	/* its end in unix seconds; 0: none */
	int64_t now;		/* for the time left */
	enum page_state state;
	const char *flash;	/* one line at the top ("Your approval was
				 * recorded."), or NULL */
	const struct page_rule *rules;
	size_t nrules;
	const struct page_file *files;
	size_t nfiles;
	const struct page_form *form;	/* NULL: read-only */
	const char *where;	/* read-only: where to decide (a sentence) */
	const char *history_url;	/* earlier candidates, or NULL */
	const char *css;	/* NULL: PAGE_CSS_PATH */
	const char *script;	/* the previews' script; NULL: PAGE_JS_PATH */
	/* a closed review: why (page_closed_text()), and the page of the
	 * tag's current version, or NULL */
	const char *closed;
	const char *current_url;
};

/* Why a review is closed, for page_closed_text(). */
struct page_closed {
	enum page_state state;	/* PAGE_RELEASED or PAGE_REPLACED */
	const char *tag;
	const char *const *approvers;	/* released: whose approvals */
	size_t napprovers;
	int64_t at;		/* released: when; 0 when not known */
	const char *commit;	/* replaced: the tag's candidate now, or NULL */
};

/*
 * "This review is closed: print/q1 was released on the approvals of Alice
 * and Bob on 3 Jan 2027, 10:00 UTC." or "...: it was superseded by
 * print/q1 at commit a1b2c3d."; the caller frees it.
 */
char *page_closed_text(const struct page_closed *c);

void page_review(struct buf *b, const struct page_review *r);

/* One candidate of a print tag, for its history. */
struct page_candidate {
	const char *commit;
	int64_t at;		/* when it was requested */
	enum page_state state;
	unsigned have;		/* approvals counted, all rules */
	unsigned need;
	const char *url;	/* its review page, or NULL */
};

struct page_history {
	const char *tag;
	const struct page_candidate *candidates;	/* newest first */
	size_t ncandidates;
	const char *css;
};

void page_history(struct buf *b, const struct page_history *h);

/*
 * An error page for status 400, 403, 404, 409 or 410 (others read as a
 * generic failure): what happened and what to do, in words for people
 * without git, and detail (a sentence, or NULL) under it.
 */
void page_error(struct buf *b, int status, const char *detail,
    const char *css);

#endif
