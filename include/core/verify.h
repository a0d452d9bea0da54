/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.h - digests, signatures and tokens (OpenSSL libcrypto): the
 * fingerprints that bind approvals to content, and the checks that a
 * request came from the chat platform it claims.
 */
#ifndef PRINTGATE_VERIFY_H
#define PRINTGATE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-256 of data as 64 lowercase hex digits into out[65]. */
void verify_sha256_hex(const void *data, size_t len, char out[65]);
/* Constant-time comparison of two byte strings of possibly unequal length. */
bool verify_equal(const void *a, size_t alen, const void *b, size_t blen);

/* HMAC-SHA256 of data under key into out[32]. */
void verify_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32]);
/* Lowercase hex of n bytes into out[2n+1]. */
void verify_hex(const unsigned char *in, size_t n, char *out);
/* Base64 (standard, padded) of n bytes; the caller frees. */
char *verify_base64(const unsigned char *in, size_t n);
/* Decodes standard base64; 0, or -EINVAL. *out is the caller's. */
int verify_unbase64(const char *in, unsigned char **out, size_t *len);

/*
 * The Standard Webhooks signature header value ("v1,<base64>") of body
 * for message id and unix timestamp ts, under secret: "whsec_" and the
 * base64 key, or any other string used as the key itself.  The caller
 * frees it.
 */
char *verify_webhook_sign(const char *secret, const char *id, long long ts,
    const char *body, size_t len);

/*
 * Checking inbound requests.  Each check (verify_webhook() here, and each
 * platform's own: slack_verify(), teams_verify()) takes the headers
 * as received (NULL when absent) and the raw body, before any parsing, and
 * returns 0 when the request is genuine, or:
 *
 *   -EBADMSG    a header is missing or malformed       (answer 400)
 *   -ETIMEDOUT  the timestamp is more than VERIFY_MAX_SKEW seconds from
 *               now, in either direction: a replay     (answer 401)
 *   -EACCES     the signature does not match           (answer 401)
 *   -EINVAL     no secret is configured (NULL or ""): refused rather than
 *               checked against an empty key           (a configuration bug)
 *
 * On failure *why (when why is not NULL) is set to one line saying why,
 * fit to show the caller; it never holds the secret or the signature
 * expected, and the caller frees it.  On success *why is left alone.
 * The checks run in the order above, after the secret's: a malformed
 * request is reported as such even when it is also stale.  Signatures
 * are compared in constant time.
 */
#define VERIFY_MAX_SKEW 300

/*
 * The primitives of those checks, for the platforms' own (slack.c,
 * teams.c, mattermost.c).
 */
/* Sets *why (when why is not NULL) to the formatted reason; returns error. */
int verify_fail(char **why, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether s is NULL or "". */
bool verify_empty(const char *s);
/* A timestamp header: decimal digits only, no sign or spaces, at most 18;
 * 0 or -EBADMSG, *out untouched on failure. */
int verify_unix_time(const char *s, int64_t *out);
/* 0 when ts is within VERIFY_MAX_SKEW seconds of now, either way, else
 * -ETIMEDOUT with *why. */
int verify_fresh(int64_t ts, int64_t now, char **why);
/* Exactly 64 hex digits (either case) into out[32]; 0 or -EBADMSG. */
int verify_unhex32(const char *s, unsigned char out[32]);
/* Standard base64 of exactly 32 bytes into out[32]; 0 or -EBADMSG. */
int verify_unbase64_32(const char *s, unsigned char out[32]);
/* Wipes n bytes at p in a way the compiler keeps. */
void verify_cleanse(void *p, size_t n);

/*
 * Standard Webhooks: id, timestamp and signatures are the webhook-id,
 * webhook-timestamp (decimal unix seconds) and webhook-signature headers;
 * the last is a space-separated list of at most 16 "<version>,<base64>"
 * entries, and the request is genuine when any "v1" entry is the
 * HMAC-SHA256 of id "." timestamp "." body under the key of secret, taken
 * as verify_webhook_sign() takes it.  Other versions are ignored; a list
 * with no v1 entry that matches gives -EACCES.
 */
int verify_webhook(const char *secret, const char *id, const char *timestamp,
    const char *signatures, const void *body, size_t len, int64_t now,
    char **why);

/*
 * Constant-time equality of two NUL-terminated tokens of possibly unequal
 * length: 0 when equal, else -EACCES; also -EACCES when either is NULL or
 * expected is "" (an unset token must not let an empty one in).
 */
int verify_token(const char *expected, const char *got);

#endif
