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

#endif
