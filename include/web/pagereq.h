/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pagereq.h - what a request to the review page says, read from outside
 * input before anything else looks at it: the path under /r/ (the token,
 * the page, its decision, history, a file's version, a preview's
 * picture) and the fields of the decision form.  Plain functions of
 * their input, for pages.c and previews.c and for the fuzz targets.
 */
#ifndef PRINTGATE_WEB_PAGEREQ_H
#define PRINTGATE_WEB_PAGEREQ_H

#include <stdbool.h>
#include <stddef.h>

#include "web/token.h"

/* The most rules a form may name, and the longest name taken. */
#define PAGEREQ_MAX_RULES 64
#define PAGEREQ_MAX_RULE 64

/* What a request under /r/ is for. */
enum pagereq_what {
	PAGEREQ_PAGE,		/* /r/TOKEN */
	PAGEREQ_DECIDE,		/* /r/TOKEN/decide */
	PAGEREQ_HISTORY,	/* /r/TOKEN/history */
	PAGEREQ_FILE,		/* /r/TOKEN/file/N/old|new */
};

struct pagereq_target {
	char token[TOKEN_MAX_CHARS + 1];	/* 1 to TOKEN_MAX_CHARS, no '/' */
	enum pagereq_what what;
	size_t file;		/* PAGEREQ_FILE: 1 to 999999 */
	bool new_side;		/* PAGEREQ_FILE: the new version */
};

/*
 * Splits path ("/r/" then the rest, as the listener matched it) into *t:
 * the token, then nothing, "/decide", "/history" or "/file/N/old|new"
 * (N without leading zeros, at most six digits).  -EINVAL for anything
 * else, *t then undefined.
 */
int pagereq_target(const char *path, struct pagereq_target *t);

/*
 * Splits "/r/TOKEN/preview/PAIR/NAME" into token (TOKEN_MAX_CHARS + 1
 * bytes), pair (npair bytes) and name (nname bytes), each non-empty
 * except name, and each shorter than its buffer.  -EINVAL otherwise.
 */
int pagereq_preview(const char *path, char *token, char *pair,
    size_t npair, char *name, size_t nname);

/* The decision form's fields, decoded; pagereq_form_clear() frees them. */
struct pagereq_form {
	char *csrf;		/* or NULL */
	char *decision;		/* "approve", "approve-with-changes",
				 * "changes-required" once read */
	char *comment;		/* trimmed, non-empty, or NULL */
	char *rules[PAGEREQ_MAX_RULES];	/* each at most PAGEREQ_MAX_RULE */
	size_t nrules;
};

/*
 * Reads and checks the fields of a form body (len bytes, any bytes) into
 * *p, which starts zeroed: a decision of the three, a comment within
 * comment_chars characters and comment_bytes bytes once trimmed of
 * spaces and line ends (required for changes-required), the rules
 * ticked.  Returns NULL, or a sentence for the person saying what to
 * fix (static); either way the caller clears *p.
 */
const char *pagereq_form(const char *body, size_t len, size_t comment_chars,
    size_t comment_bytes, struct pagereq_form *p);
void pagereq_form_clear(struct pagereq_form *p);

#endif
