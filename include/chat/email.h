/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * email.h - email as a platform (email.c): one message per person asked,
 * text and HTML, with their personal link; outgoing only.
 */
#ifndef PRINTGATE_EMAIL_H
#define PRINTGATE_EMAIL_H

#include <stddef.h>

#include "chat/notice.h"
#include "chat/platform.h"

extern const struct platform email_platform;

/*
 * The message for n->to (a person with an "email" handle) from n->from:
 * RFC 5322, CRLF line ends, multipart/alternative of text and HTML, the
 * subject and names as RFC 2047 encoded words.  NULL when n->to is NULL
 * or either address is not a plain one (no space, control, "<>", quote,
 * at most 254 bytes).  The caller frees it.
 */
char *email_format(const struct notice *n);
/*
 * The address of a message's To: field (the header's first one, its
 * folded lines included), into *out (the caller frees): 0, or -EINVAL
 * for a message without one or with an address that is not plain.
 */
int email_recipient(const char *body, size_t len, char **out);

#endif
