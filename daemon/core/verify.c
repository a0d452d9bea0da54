/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.c - digests, HMACs, base64, constant-time comparison, and the
 * primitives of the checks that an inbound request is genuine (timestamps
 * and their freshness, hex and base64 signatures), through OpenSSL's
 * libcrypto; the only file that includes it.  The Standard Webhooks
 * signature is here in full; each chat platform's own protocol is in the
 * platform's file, built from these.
 */
#include "core/verify.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

void
verify_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort();	/* only when libcrypto itself is broken */
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool
verify_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return false;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

void
verify_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32])
{
	unsigned int outlen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, out,
	    &outlen) == NULL || outlen != 32)
		abort();	/* only when libcrypto itself is broken */
}

void
verify_hex(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
}

char *
verify_base64(const unsigned char *in, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

int
verify_unbase64(const char *in, unsigned char **out, size_t *len)
{
	size_t n = strlen(in), pad = 0;
	unsigned char *buf;
	int got;

	if (n == 0 || n % 4 != 0)
		return -EINVAL;
	if (in[n - 1] == '=')
		pad++;
	if (n > 1 && in[n - 2] == '=')
		pad++;
	buf = xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(buf);
		return -EINVAL;
	}
	*len = (size_t)got - pad;
	*out = buf;
	return 0;
}

/*
 * The Standard Webhooks key of secret into *key (the caller's, to cleanse
 * and free): the decoded base64 after "whsec_"; any other string, or one
 * whose base64 does not decode, is used as the key itself.
 */
static void
webhook_key(const char *secret, unsigned char **key, size_t *keylen)
{
	/* the key is the decoded part, per Standard Webhooks */
	if (str_startswith(secret, "whsec_") &&
	    verify_unbase64(secret + 6, key, keylen) == 0)
		return;
	*key = (unsigned char *)xstrdup(secret);
	*keylen = strlen(secret);
}

/* The HMAC-SHA256 under key of id "." ts "." body: what is signed. */
static void
webhook_mac(const unsigned char *key, size_t keylen, const char *id,
    const char *ts, const void *body, size_t len, unsigned char out[32])
{
	struct buf msg = { 0 };

	buf_addf(&msg, "%s.%s.", id, ts);
	if (len > 0)
		buf_add(&msg, body, len);
	verify_hmac_sha256(key, keylen, msg.s, msg.len, out);
	buf_free(&msg);
}

char *
verify_webhook_sign(const char *secret, const char *id, long long ts,
    const char *body, size_t len)
{
	unsigned char mac[32], *key;
	size_t keylen;
	char tsbuf[24], *b64, *sig;

	webhook_key(secret, &key, &keylen);
	snprintf(tsbuf, sizeof(tsbuf), "%lld", ts);
	webhook_mac(key, keylen, id, tsbuf, body, len, mac);
	b64 = verify_base64(mac, sizeof(mac));
	sig = xasprintf("v1,%s", b64);
	OPENSSL_cleanse(key, keylen);
	free(key);
	free(b64);
	return sig;
}

/*
 * Inbound checks
 */

/* At most this many entries in a webhook-signature header. */
#define MAX_SIGNATURES 16

int
verify_fail(char **why, int error, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (why == NULL)
		return error;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	*why = buf_steal(&b);
	return error;
}

bool
verify_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* See verify.h: at most 18 digits, so that it cannot overflow. */
int
verify_unix_time(const char *s, int64_t *out)
{
	int64_t t = 0;
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n == 18)
			return -EBADMSG;
		t = t * 10 + (s[n] - '0');
	}
	if (n == 0)
		return -EBADMSG;
	*out = t;
	return 0;
}

/*
 * 0 when ts is within VERIFY_MAX_SKEW seconds of now, either way, else
 * -ETIMEDOUT.  The distance is taken in unsigned arithmetic, where it
 * cannot overflow whatever the two values.
 */
int
verify_fresh(int64_t ts, int64_t now, char **why)
{
	uint64_t skew = ts >= now ? (uint64_t)ts - (uint64_t)now :
	    (uint64_t)now - (uint64_t)ts;

	if (skew <= VERIFY_MAX_SKEW)
		return 0;
	return verify_fail(why, -ETIMEDOUT,
	    "stale timestamp: %llu s %s this server's clock, more than %d s",
	    (unsigned long long)skew, ts < now ? "behind" : "ahead of",
	    VERIFY_MAX_SKEW);
}

static int
unhex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
verify_unhex32(const char *s, unsigned char out[32])
{
	if (strlen(s) != 64)
		return -EBADMSG;
	for (size_t i = 0; i < 32; i++) {
		int hi = unhex_digit(s[2 * i]), lo = unhex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
verify_unbase64_32(const char *s, unsigned char out[32])
{
	unsigned char *buf = NULL;
	size_t len = 0;

	if (verify_unbase64(s, &buf, &len) < 0)
		return -EBADMSG;
	if (len != 32) {
		free(buf);
		return -EBADMSG;
	}
	memcpy(out, buf, 32);
	free(buf);
	return 0;
}

/*
 * Whether the base64 of one "v1," entry, n bytes at s (not terminated),
 * is mac.  A signature is 44 characters of base64; anything else cannot
 * match and is not decoded.
 */
static bool
v1_matches(const char *s, size_t n, const unsigned char mac[32])
{
	char b64[45];
	unsigned char got[32];

	if (n != 44)
		return false;
	memcpy(b64, s, n);
	b64[n] = '\0';
	if (verify_unbase64_32(b64, got) < 0)
		return false;
	return CRYPTO_memcmp(got, mac, 32) == 0;
}

int
verify_webhook(const char *secret, const char *id, const char *timestamp,
    const char *signatures, const void *body, size_t len, int64_t now,
    char **why)
{
	unsigned char mac[32], *key;
	size_t keylen, entries = 0, v1 = 0;
	bool ok = false;
	int64_t ts;
	int error;

	if (verify_empty(secret))
		return verify_fail(why, -EINVAL, "no webhook secret configured");
	if (verify_empty(id))
		return verify_fail(why, -EBADMSG, "missing webhook-id header");
	if (verify_empty(timestamp))
		return verify_fail(why, -EBADMSG, "missing webhook-timestamp header");
	if (verify_unix_time(timestamp, &ts) < 0)
		return verify_fail(why, -EBADMSG,
		    "webhook-timestamp is not a unix time in seconds");
	for (const char *p = signatures; p != NULL && *p != '\0';) {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		entries++;
		p += strcspn(p, " ");
	}
	if (entries == 0)
		return verify_fail(why, -EBADMSG, "missing webhook-signature header");
	if (entries > MAX_SIGNATURES)
		return verify_fail(why, -EBADMSG,
		    "webhook-signature has more than %d entries",
		    MAX_SIGNATURES);
	if ((error = verify_fresh(ts, now, why)) < 0)
		return error;

	webhook_key(secret, &key, &keylen);
	webhook_mac(key, keylen, id, timestamp, body, len, mac);
	OPENSSL_cleanse(key, keylen);
	free(key);
	/* every entry is looked at: which one matched does not show */
	for (const char *p = signatures; *p != '\0';) {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 3 && memcmp(p, "v1,", 3) == 0) {
			v1++;
			ok |= v1_matches(p + 3, n - 3, mac);
		}
		p += n;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	if (ok)
		return 0;
	if (v1 == 0)
		return verify_fail(why, -EACCES, "webhook-signature has no v1 entry");
	return verify_fail(why, -EACCES,
	    "no v1 entry of webhook-signature matches the body");
}

/* SHA-256 of s into out[32]. */
static void
sha256(const char *s, size_t len, unsigned char out[32])
{
	unsigned int mdlen = 0;

	if (EVP_Digest(s, len, out, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		abort();	/* only when libcrypto itself is broken */
}

/*
 * Compares digests rather than the strings so that the time taken shows
 * neither where they first differ nor, through an early exit on unequal
 * lengths, anything of expected's length beyond what hashing it costs.
 */
int
verify_token(const char *expected, const char *got)
{
	unsigned char a[32], b[32];
	size_t alen, blen;
	int diff;

	if (expected == NULL || got == NULL || *expected == '\0')
		return -EACCES;
	alen = strlen(expected);
	blen = strlen(got);
	sha256(expected, alen, a);
	sha256(got, blen, b);
	diff = CRYPTO_memcmp(a, b, sizeof(a)) | (alen != blen);
	return diff == 0 ? 0 : -EACCES;
}

void
verify_cleanse(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}
