/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pages.h - the review page served by printgated: the routes under
 * /r/{token} (the review, its decision form's POST, the history of the
 * print tag, downloads of both versions of each file), the stylesheet and
 * /favicon.ico.  The view-model is built here from the review (review.c)
 * and its ledger events and rendered by daemon/web/; who is looking is
 * the link's person, or the person a trusted single sign-on proxy names,
 * or nobody (read-only).
 *
 *   GET  /r/TOKEN                 the review page
 *   POST /r/TOKEN/decide          a decision (form: csrf, decision,
 *                                 comment, rule...)
 *   GET  /r/TOKEN/history         the reviews of the tag's candidates
 *   GET  /r/TOKEN/file/N/old|new  a file's version, as an attachment
 *
 * A token that does not read is answered 404, an expired one 410, a
 * personal link opened by someone else 403, each with a page that says
 * what to do.  Tokens are never logged.
 */
#ifndef PRINTGATE_PAGES_H
#define PRINTGATE_PAGES_H

#include <stdint.h>

#include "core/config.h"
#include "printgated/decide.h"
#include "printgated/engine.h"
#include "printgated/http.h"

/* Files whose diff a page shows; the others are listed with downloads. */
#define PAGES_MAX_DIFFS 200
/* Candidates on a history page. */
#define PAGES_MAX_HISTORY 50
/* Largest file version downloaded from a page, in bytes. */
#define PAGES_MAX_DOWNLOAD (256u << 20)
/* Longest identity header value read, in bytes. */
#define PAGES_MAX_IDENTITY 320

struct pages;

/*
 * Loads the links secret of cf (made under state_dir on first start).
 * engine lends the repository and the memo of reviews, dc the decision;
 * both stay the caller's.  On failure sets *why.
 */
int pages_new(struct pages **out, const struct config *cf,
    struct engine *engine, struct decide *dc, int64_t (*now)(void),
    char **why);
/* pages_free(NULL) does nothing; the keys are wiped. */
void pages_free(struct pages *pg);
/* A new configuration (and its links secret); on failure keeps the old. */
int pages_set_config(struct pages *pg, const struct config *cf, char **why);

/* The routes' handlers; ctx is the struct pages. */
void pages_get(void *ctx, const struct http_request *rq,
    struct http_response *rs);
void pages_post(void *ctx, const struct http_request *rq,
    struct http_response *rs);
void pages_css(void *ctx, const struct http_request *rq,
    struct http_response *rs);
void pages_favicon(void *ctx, const struct http_request *rq,
    struct http_response *rs);

/*
 * A personal link to the review of commit asked for by tag, for person
 * (a person id), with the daemon's keys: what a chat answer gives the one
 * person who clicked ("write what must change there").  See link_make().
 */
int pages_personal_link(struct pages *pg, char **out, const char *tag,
    const char *commit, const char *person);

/*
 * The previews (printgated/previews.h) whose view of each PDF and image
 * the review page shows; NULL: none.  Borrowed.
 */
struct previews;
void pages_set_previews(struct pages *pg, struct previews *pv);

#endif
