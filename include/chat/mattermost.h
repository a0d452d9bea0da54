/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mattermost.h - Mattermost (mattermost.c): its row of the platform
 * table, its message format, the token of its buttons and its parsers.
 */
#ifndef PRINTGATE_MATTERMOST_H
#define PRINTGATE_MATTERMOST_H

#include <stddef.h>

#include "chat/platform.h"

extern const struct platform mattermost_platform;

/* The body of Mattermost's incoming webhook for n; caller frees. */
char *mattermost_format(const struct notice *n);

/*
 * The token that proves a Mattermost button came from a message printgated
 * sent: lowercase hex of the HMAC-SHA256 under key of review "\n" decision,
 * into out[65].  The listener checks what comes back with verify_token().
 */
void mattermost_action_token(const void *key, size_t keylen,
    const char *review, const char *decision, char out[65]);

/*
 * The parsers (inbound.h says what every parser promises).
 *
 * mattermost_parse_action: JSON (an integration action request): user_id,
 *   user_name, context.review, context.decision, context.token,
 *   trigger_id.
 * mattermost_parse_command: form fields command, token, user_id,
 *   user_name, text, response_url, trigger_id (inbound_parse_slash()).
 */
int mattermost_parse_action(const char *body, size_t len,
    struct inbound *out, char **why);
int mattermost_parse_command(const char *body, size_t len,
    struct inbound *out, char **why);

/* {"update":{"message":…,"props":{"attachments":…}},"ephemeral_text":…}
 * from a rendered Mattermost message (mattermost_format), or only the
 * ephemeral text when message is NULL. */
char *mattermost_answer_action(const char *ephemeral, const char *message);
/* {"response_type":"ephemeral","text":…} */
char *mattermost_answer_text(const char *text, bool code);

#endif
