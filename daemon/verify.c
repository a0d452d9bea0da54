/*
 * verify.c - digests and constant-time comparison through OpenSSL's
 * libcrypto.  The only file that includes it.
 */
#include "verify.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

char *
verify_webhook_sign(const char *secret, const char *id, long long ts,
    const char *body, size_t len)
{
	unsigned char mac[32], *key = NULL;
	size_t keylen;
	struct buf msg = { 0 };
	char *b64, *sig;

	if (str_startswith(secret, "whsec_") &&
	    verify_unbase64(secret + 6, &key, &keylen) == 0) {
		/* the key is the decoded part, per Standard Webhooks */
	} else {
		key = (unsigned char *)xstrdup(secret);
		keylen = strlen(secret);
	}
	buf_addf(&msg, "%s.%lld.", id, ts);
	buf_add(&msg, body, len);
	verify_hmac_sha256(key, keylen, msg.s, msg.len, mac);
	b64 = verify_base64(mac, sizeof(mac));
	sig = xasprintf("v1,%s", b64);
	OPENSSL_cleanse(key, keylen);
	free(key);
	free(b64);
	buf_free(&msg);
	return sig;
}
