/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * token.h - the review page's links and form tokens, and the secret they
 * are made with.
 *
 * A link token is base64url (no padding) of
 *
 *   payload = version (1 byte, 1)
 *           | expires (8 bytes, big-endian unix seconds)
 *           | commit (20 bytes, the commit id)
 *           | tag length (1 byte, 1..255) | tag
 *           | person length (1 byte, 0..64) | person (0: a channel link)
 *
 * followed by HMAC-SHA256(link key, payload) (32 bytes).  The keys are
 * derived from the links secret: link key = HMAC-SHA256(secret, "printgate
 * link token v1"), CSRF key = HMAC-SHA256(secret, "printgate csrf token
 * v1"), so that neither token can stand for the other.
 *
 * The CSRF token of a page is base64url of HMAC-SHA256(CSRF key, "csrf
 * v1\n" link token "\n" viewer), where viewer is the person a single
 * sign-on proxy named ("" for a personal link): bound to the link, and
 * to the viewer when the link names nobody.
 */
#ifndef PRINTGATE_WEB_TOKEN_H
#define PRINTGATE_WEB_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define TOKEN_VERSION 1
#define TOKEN_MAX_TAG 255
#define TOKEN_MAX_PERSON 64
#define TOKEN_MAX_CHARS 512	/* a link token longer is refused unread */
#define TOKEN_CSRF_CHARS 43	/* base64url of 32 bytes */
#define TOKEN_MIN_SECRET 32	/* characters in a links secret */
#define TOKEN_SECRET_FILE "links.secret"

struct token_keys {
	unsigned char link[32];
	unsigned char csrf[32];
};

struct token_link {
	char tag[TOKEN_MAX_TAG + 1];		/* "print/q1" */
	char commit[OID_HEX];			/* 40 lowercase hex */
	char person[TOKEN_MAX_PERSON + 1];	/* "": a channel link */
	int64_t expires;			/* unix seconds */
};

/* The two keys of a links secret (len bytes at secret) into *out. */
void token_keys_derive(struct token_keys *out, const void *secret,
    size_t len);
/* Overwrites the keys, for when they are no longer needed. */
void token_keys_clear(struct token_keys *k);

/*
 * The link token of l into *out (the caller frees).  Returns 0, or
 * -EINVAL with *out untouched when a field cannot go in a token: a tag
 * empty, over TOKEN_MAX_TAG bytes or with a byte that is a space or a
 * control; a commit not 40 lowercase hex digits; a person over
 * TOKEN_MAX_PERSON bytes or with such a byte.
 */
int token_link_make(char **out, const struct token_keys *k,
    const struct token_link *l);

/*
 * Reads a link token as it came in a URL.  Returns
 *
 *   0           a token made with these keys, not expired at now: *out
 *               is filled;
 *   -ETIMEDOUT  a token made with these keys that expired (expires <=
 *               now): *out is filled too, so that the page can say which
 *               review it was;
 *   -EBADMSG    anything else: over TOKEN_MAX_CHARS, not base64url in its
 *               one canonical spelling, another version, too short, a
 *               MAC that does not match (compared in constant time,
 *               before any field is read), fields that do not fit.
 *
 * On -EBADMSG *out is untouched.  The token is never logged by callers.
 */
int token_link_parse(struct token_link *out, const struct token_keys *k,
    const char *token, int64_t now);

/* The CSRF token of the page of link_token seen by viewer ("" or NULL:
 * the link's own person, or nobody), into out[TOKEN_CSRF_CHARS + 1]. */
void token_csrf(char out[TOKEN_CSRF_CHARS + 1], const struct token_keys *k,
    const char *link_token, const char *viewer);
/* Whether got (NULL when the form had none) is that token: 0, or -EACCES.
 * Compared in constant time. */
int token_csrf_check(const struct token_keys *k, const char *link_token,
    const char *viewer, const char *got);

/*
 * The links secret into *out (the caller frees): from configured (a
 * resolved http.links_secret_file path) when it is not NULL, read as
 * config_secret_read() reads secrets; else from state_dir/links.secret,
 * created on first use with 32 random bytes as 64 hex digits, mode 0600,
 * through util_write_atomic() and a link, so that two daemons starting
 * at once agree on one secret.  A secret under TOKEN_MIN_SECRET
 * characters is refused (-EINVAL).  Returns 0, or a negative errno with
 * *out untouched and *why (when not NULL) a sentence the caller frees:
 * the file, what is wrong, what to do.
 */
int token_secret_load(char **out, const char *configured,
    const char *state_dir, char **why);

#endif
