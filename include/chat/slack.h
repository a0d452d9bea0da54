/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * slack.h - Slack (slack.c): its row of the platform table, its message
 * format, its request signature and its parsers.
 */
#ifndef PRINTGATE_SLACK_H
#define PRINTGATE_SLACK_H

#include <stddef.h>
#include <stdint.h>

#include "chat/platform.h"

extern const struct platform slack_platform;

/* The body of Slack's incoming webhook for n (Block Kit); caller frees. */
char *slack_format(const struct notice *n);

/*
 * Slack's request signature (v0), checked as verify.h says of every
 * check: timestamp is X-Slack-Request-Timestamp, decimal unix seconds;
 * signature is X-Slack-Signature, "v0=" and 64 hex digits, the
 * HMAC-SHA256 under the signing secret of "v0:" timestamp ":" body.
 */
int slack_verify(const char *secret, const char *timestamp,
    const char *signature, const void *body, size_t len, int64_t now,
    char **why);

/*
 * The parsers (inbound.h says what every parser promises).
 *
 * slack_parse_action: form field payload=<JSON> of type block_actions:
 *   user.id, actions[0].action_id (the decision), actions[0].value (the
 *   review), trigger_id, response_url.
 * slack_parse_command: form fields command, text, user_id, user_name,
 *   response_url, trigger_id (inbound_parse_slash()).
 */
int slack_parse_action(const char *body, size_t len, struct inbound *out,
    char **why);
int slack_parse_command(const char *body, size_t len, struct inbound *out,
    char **why);

/* {"response_type":"ephemeral","replace_original":false,"text":…} */
char *slack_answer_text(const char *text, bool code);
/* A rendered Slack message (slack_format) turned into an update of the
 * message the button was on: "replace_original": true. */
char *slack_answer_update(const char *message);

#endif
