/*
 * verify.h - digests, signatures and tokens (OpenSSL libcrypto): the
 * fingerprints that bind approvals to content, and later the checks that
 * a request came from the chat platform it claims.
 */
#ifndef PRINTGATE_VERIFY_H
#define PRINTGATE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
