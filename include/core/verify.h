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
 * Checking inbound requests.  Each verify_<platform>() takes the headers
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
 * Slack (v0): timestamp is X-Slack-Request-Timestamp, decimal unix seconds;
 * signature is X-Slack-Signature, "v0=" and 64 hex digits, the HMAC-SHA256
 * under the signing secret of "v0:" timestamp ":" body.
 */
int verify_slack(const char *secret, const char *timestamp,
    const char *signature, const void *body, size_t len, int64_t now,
    char **why);

/*
 * Microsoft Teams outgoing webhook: authorization is the Authorization
 * header, "HMAC <base64>", the HMAC-SHA256 of body under the base64-decoded
 * secret_b64.  A secret_b64 that does not decode gives -EBADMSG.  Teams
 * signs no timestamp, so a replay is not detected here.
 */
int verify_teams(const char *secret_b64, const char *authorization,
    const void *body, size_t len, char **why);

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

/*
 * The token that proves a Mattermost button came from a message printgated
 * sent: lowercase hex of the HMAC-SHA256 under key of review "\n" decision,
 * into out[65].  The listener checks what comes back with verify_token().
 */
void verify_action_token(const void *key, size_t keylen, const char *review,
    const char *decision, char out[65]);

#endif
