/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * webhook.h - the generic webhook and the signed API (webhook.c): its row
 * of the platform table, its Standard Webhooks event, and the API's
 * parser and answer.
 */
#ifndef PRINTGATE_WEBHOOK_H
#define PRINTGATE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "chat/platform.h"

extern const struct platform webhook_platform;

/* The body of a webhook delivery of n: a Standard Webhooks event. */
char *webhook_format(const struct notice *n);

/*
 * webhook_parse_decision: {"tag": TAG} or {"commit": REV} (exactly one),
 * "person", "decision" (or "changes"), "comment"; other fields ignored
 * (inbound.h says what a parser promises).
 */
int webhook_parse_decision(const char *body, size_t len,
    struct inbound *out, char **why);

/* The API's answer: {"recorded":…,"review":…,"approved":…,"text":…}, or
 * {"error":…} when review is NULL. */
char *webhook_answer(bool recorded, const char *review, bool approved,
    const char *text);

#endif
