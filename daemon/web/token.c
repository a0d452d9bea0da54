/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * token.c - the review page's link and CSRF tokens (token.h), on verify.c's
 * HMAC and constant-time comparison, and the links secret file.  Pure but
 * for token_secret_load().
 */
#include "web/token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/verify.h"

#define LINK_LABEL "printgate link token v1"
#define CSRF_LABEL "printgate csrf token v1"
#define MAC_LEN 32
/* version, expires, commit, tag length, tag >= 1, person length */
#define MIN_PAYLOAD (1 + 8 + 20 + 1 + 1 + 1)
#define MAX_PAYLOAD (1 + 8 + 20 + 1 + TOKEN_MAX_TAG + 1 + TOKEN_MAX_PERSON)

void
token_keys_derive(struct token_keys *out, const void *secret, size_t len)
{
	verify_hmac_sha256(secret, len, LINK_LABEL, strlen(LINK_LABEL),
	    out->link);
	verify_hmac_sha256(secret, len, CSRF_LABEL, strlen(CSRF_LABEL),
	    out->csrf);
}

void
token_keys_clear(struct token_keys *k)
{
	explicit_bzero(k, sizeof(*k));
}

/* base64url without padding of n bytes; the caller frees. */
static char *
b64url(const unsigned char *in, size_t n)
{
	char *s = verify_base64(in, n), *p;

	for (p = s; *p != '\0' && *p != '='; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	*p = '\0';
	return s;
}

/*
 * Decodes base64url without padding into out (at most max bytes): the
 * count, or -EBADMSG for another alphabet, a length no encoding has, or a
 * spelling that is not the one b64url() gives for the bytes it decodes to.
 */
static int
unb64url(const char *s, size_t len, unsigned char *out, size_t max)
{
	char *std;
	unsigned char *bytes = NULL;
	size_t n = 0;
	int error = -EBADMSG;

	if (len == 0 || len % 4 == 1 ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") != len)
		return -EBADMSG;
	std = xmalloc(len + 4);
	for (size_t i = 0; i < len; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	memcpy(std + len, "===", (4 - len % 4) % 4);
	std[len + (4 - len % 4) % 4] = '\0';
	if (verify_unbase64(std, &bytes, &n) == 0 && n <= max) {
		char *again = b64url(bytes, n);

		if (strlen(again) == len && memcmp(again, s, len) == 0) {
			memcpy(out, bytes, n);
			error = (int)n;
		}
		free(again);
	}
	free(bytes);
	free(std);
	return error;
}

/* Whether s (n bytes) is fit for a token field: no space, no control. */
static bool
field_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

static bool
commit_ok(const char *c)
{
	return strlen(c) == 40 && strspn(c, "0123456789abcdef") == 40;
}

static int
hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

int
token_link_make(char **out, const struct token_keys *k,
    const struct token_link *l)
{
	unsigned char p[MAX_PAYLOAD + MAC_LEN];
	size_t tl = strnlen(l->tag, sizeof(l->tag));
	size_t pl = strnlen(l->person, sizeof(l->person));
	size_t n = 0;
	uint64_t e = (uint64_t)l->expires;

	if (tl == 0 || tl > TOKEN_MAX_TAG || !field_ok(l->tag, tl) ||
	    pl > TOKEN_MAX_PERSON || !field_ok(l->person, pl) ||
	    !commit_ok(l->commit))
		return -EINVAL;
	p[n++] = TOKEN_VERSION;
	for (int i = 7; i >= 0; i--)
		p[n++] = (unsigned char)(e >> (8 * i));
	for (size_t i = 0; i < 20; i++)
		p[n++] = (unsigned char)(hexval(l->commit[2 * i]) << 4 |
		    hexval(l->commit[2 * i + 1]));
	p[n++] = (unsigned char)tl;
	memcpy(p + n, l->tag, tl);
	n += tl;
	p[n++] = (unsigned char)pl;
	memcpy(p + n, l->person, pl);
	n += pl;
	verify_hmac_sha256(k->link, sizeof(k->link), p, n, p + n);
	*out = b64url(p, n + MAC_LEN);
	return 0;
}

/* The fields of a payload whose MAC matched; -EBADMSG when they do not
 * fit it exactly. */
static int
payload_read(struct token_link *out, const unsigned char *p, size_t n)
{
	struct token_link l = { 0 };
	uint64_t e = 0;
	size_t at = 1, tl, pl;

	for (int i = 0; i < 8; i++)
		e = e << 8 | p[at++];
	l.expires = (int64_t)e;
	for (size_t i = 0; i < 20; i++)
		snprintf(l.commit + 2 * i, 3, "%02x", p[at++]);
	tl = p[at++];
	if (tl == 0 || at + tl + 1 > n || !field_ok((const char *)p + at, tl))
		return -EBADMSG;
	memcpy(l.tag, p + at, tl);
	at += tl;
	pl = p[at++];
	if (pl > TOKEN_MAX_PERSON || at + pl != n ||
	    !field_ok((const char *)p + at, pl))
		return -EBADMSG;
	memcpy(l.person, p + at, pl);
	*out = l;
	return 0;
}

int
token_link_parse(struct token_link *out, const struct token_keys *k,
    const char *token, int64_t now)
{
	unsigned char p[MAX_PAYLOAD + MAC_LEN], mac[MAC_LEN];
	size_t len = token ? strnlen(token, TOKEN_MAX_CHARS + 1) : 0;
	struct token_link l;
	int n;

	if (len == 0 || len > TOKEN_MAX_CHARS)
		return -EBADMSG;
	n = unb64url(token, len, p, sizeof(p));
	if (n < MIN_PAYLOAD + MAC_LEN || p[0] != TOKEN_VERSION)
		return -EBADMSG;
	n -= MAC_LEN;
	verify_hmac_sha256(k->link, sizeof(k->link), p, (size_t)n, mac);
	if (!verify_equal(mac, sizeof(mac), p + n, MAC_LEN))
		return -EBADMSG;
	if (payload_read(&l, p, (size_t)n) < 0)
		return -EBADMSG;
	*out = l;
	return l.expires <= now ? -ETIMEDOUT : 0;
}

void
token_csrf(char out[TOKEN_CSRF_CHARS + 1], const struct token_keys *k,
    const char *link_token, const char *viewer)
{
	unsigned char mac[MAC_LEN];
	struct buf msg = { 0 };
	char *s;

	buf_addf(&msg, "csrf v1\n%s\n%s", link_token ? link_token : "",
	    viewer ? viewer : "");
	verify_hmac_sha256(k->csrf, sizeof(k->csrf), msg.s, msg.len, mac);
	buf_free(&msg);
	s = b64url(mac, sizeof(mac));
	memcpy(out, s, TOKEN_CSRF_CHARS + 1);
	free(s);
}

int
token_csrf_check(const struct token_keys *k, const char *link_token,
    const char *viewer, const char *got)
{
	char want[TOKEN_CSRF_CHARS + 1];

	if (got == NULL)
		return -EACCES;
	token_csrf(want, k, link_token, viewer);
	return verify_token(want, got);
}

/* ------------------------------------------------------------------ */
/* The links secret                                                    */

static int
fail(char **why, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char **why, int error, const char *fmt, ...)
{
	va_list ap;
	struct buf b = { 0 };

	if (why != NULL) {
		va_start(ap, fmt);
		buf_vaddf(&b, fmt, ap);
		va_end(ap);
		*why = buf_steal(&b);
	}
	return error;
}

/*
 * Creates dirfd's links.secret when it is missing: 32 random bytes as hex
 * written by util_write_atomic() under a name of its own, then linked to
 * links.secret (which fails, harmlessly, when another process made it
 * first) and the own name removed.  0 or -errno.
 */
static int
secret_create(int dirfd, const struct stat *dst)
{
	unsigned char raw[32];
	char hex[66], tmp[64], rnd[33];
	bool root = geteuid() == 0;
	int error;

	if ((error = util_random(raw, sizeof(raw))) < 0 ||
	    (error = util_random_id(rnd)) < 0)
		return error;
	verify_hex(raw, sizeof(raw), hex);
	explicit_bzero(raw, sizeof(raw));
	hex[64] = '\n';
	hex[65] = '\0';
	snprintf(tmp, sizeof(tmp), ".new-links-secret-%s", rnd);
	error = util_write_atomic(dirfd, tmp, hex, 65, 0600,
	    root ? dst->st_uid : (uid_t)-1, root ? dst->st_gid : (gid_t)-1);
	explicit_bzero(hex, sizeof(hex));
	if (error < 0)
		return error;
	if (linkat(dirfd, tmp, dirfd, TOKEN_SECRET_FILE, 0) < 0 &&
	    errno != EEXIST)
		error = -errno;
	(void)unlinkat(dirfd, tmp, 0);
	if (error == 0 && fsync(dirfd) < 0)
		error = -errno;
	return error;
}

int
token_secret_load(char **out, const char *configured, const char *state_dir,
    char **why)
{
	char *path, *secret = NULL, *reason = NULL;
	struct stat st;
	int dirfd, error;

	if (configured != NULL) {
		path = xstrdup(configured);
	} else {
		if ((error = util_state_dir_open(&dirfd, state_dir, 0, &st,
		    why)) < 0)
			return error;
		if (faccessat(dirfd, TOKEN_SECRET_FILE, F_OK,
		    AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
		    (error = secret_create(dirfd, &st)) < 0) {
			close(dirfd);
			return fail(why, error, "cannot create the links "
			    "secret '%s/%s': %s; check that the folder is "
			    "printgated's and has room", state_dir,
			    TOKEN_SECRET_FILE, strerror(-error));
		}
		close(dirfd);
		path = xasprintf("%s/%s", state_dir, TOKEN_SECRET_FILE);
	}
	error = config_secret_read(path, CONFIG_SECRET_KEY, &secret, &reason);
	if (error == 0 && strlen(secret) < TOKEN_MIN_SECRET) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
		error = fail(why, -EINVAL, "links secret '%s' is shorter than "
		    "%d characters: write a longer one, e.g. with 'openssl "
		    "rand -hex 32 > %s'", path, TOKEN_MIN_SECRET, path);
	} else if (error < 0) {
		error = fail(why, error, "%s", reason ? reason :
		    strerror(-error));
	} else {
		*out = secret;
	}
	free(reason);
	free(path);
	return error;
}
