/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * refusal.h - one log line for each request the listener refuses: the
 * route, the status, the reason the answer gave and the platform user
 * when the request got far enough to name one.  Never a secret: reasons
 * are the answers' texts, which name headers and skews, not signatures.
 */
#ifndef PRINTGATE_REFUSAL_H
#define PRINTGATE_REFUSAL_H

#include <stddef.h>

/* Longest reason logged, in bytes; longer ones end in "...". */
#define REFUSAL_MAX_REASON 200

/*
 * The reason an answer body gives for a refusal: a text body without its
 * leading status ("401 "), or the "text", "error" or "ephemeral_text"
 * member of a JSON one, the title of an HTML page (never the page,
 * which may hold a link's token); control characters become spaces, and it is cut
 * at REFUSAL_MAX_REASON.  "-" when there is none.  out has size n.
 */
void refusal_reason(const char *type, const char *body, char *out,
    size_t n);
/*
 * Logs "refuse ROUTE STATUS: REASON" and, when user is not NULL or "",
 * " (user PLATFORM:ID)".  Nothing for a status below 400.
 */
void refusal_log(const char *route, int status, const char *type,
    const char *body, const char *user);

#endif
