/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * teams.h - Microsoft Teams (teams.c): its row of the platform table, its
 * card, its outgoing webhook's signature and its parser.
 */
#ifndef PRINTGATE_TEAMS_H
#define PRINTGATE_TEAMS_H

#include <stddef.h>

#include "chat/platform.h"

extern const struct platform teams_platform;

/* The body of a Teams Workflows webhook for n (an Adaptive Card). */
char *teams_format(const struct notice *n);

/*
 * A Teams outgoing webhook's signature, checked as verify.h says of every
 * check: authorization is the Authorization header, "HMAC <base64>", the
 * HMAC-SHA256 of body under the base64-decoded secret_b64.  A secret_b64
 * that does not decode gives -EBADMSG.  Teams signs no timestamp, so a
 * replay is not detected here.
 */
int teams_verify(const char *secret_b64, const char *authorization,
    const void *body, size_t len, char **why);

/*
 * teams_parse_message: an outgoing webhook's activity of type message:
 * id, from.id, from.aadObjectId, and text, which must start with the
 * mention of the webhook (<at>NAME</at>); HTML tags and entities are taken
 * out before the text is parsed (inbound.h says what a parser promises).
 */
int teams_parse_message(const char *body, size_t len, struct inbound *out,
    char **why);

/* {"type":"message","text":…}, with every mention in text made inert. */
char *teams_answer_text(const char *text, bool code);

#endif
