/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz.h - what the fuzz targets share: the input cap, a NUL-terminated
 * copy of an input and one of exactly its size, a contract check that aborts (libFuzzer then saves the
 * input), a UTF-8 validator of its own to check the parsers against, the
 * checks of a struct inbound and of a reason, and a private temporary
 * folder for the targets that must hand the parser a file.
 *
 * Everything is static inline so that each target is one translation
 * unit, built alone from its .c file and the daemon sources it needs.
 */
#ifndef PRINTGATE_FUZZ_H
#define PRINTGATE_FUZZ_H

/* strndup, mkdtemp, nftw: each target includes this first */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chat/inbound.h"

/* Inputs over this are skipped: every parser caps its input at 64 KiB. */
#define FUZZ_MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A broken contract: says which and where, then aborts, which libFuzzer
 * reports as a crash and saves the input for.
 */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: contract broken: %s\n",	\
			    __FILE__, __LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

/* The input as a C string (what precedes a NUL byte is what is parsed). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input in a buffer of exactly its size: a read past it is seen. */
static inline char *
fuzz_exact(const uint8_t *data, size_t size)
{
	char *s = malloc(size > 0 ? size : 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	return s;
}

/*
 * Whether the n bytes at s are valid UTF-8 (RFC 3629, table in section 4),
 * written apart from inbound_utf8_ok() so that each checks the other.
 */
static inline bool
fuzz_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned char c = *p;
		size_t len;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4;
		else
			return false;
		if ((size_t)(end - p) < len)
			return false;
		/* the second byte's range depends on the first */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (p[1] < lo || p[1] > hi)
			return false;
		for (size_t i = 2; i < len; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return false;
		p += len;
	}
	return true;
}

/* A reason for a 400 answer: a non-empty line of printable ASCII. */
static inline void
fuzz_check_reason(const char *why)
{
	FUZZ_CHECK(why != NULL);
	FUZZ_CHECK(why[0] != '\0');
	for (const char *p = why; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 &&
		    (unsigned char)*p < 0x7f);
}

static inline bool
fuzz_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static inline bool
fuzz_is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* A word field: 1..max bytes of UTF-8, no control, no space unless spaces. */
static inline void
fuzz_check_word(const char *s, size_t max, bool spaces)
{
	size_t n = strlen(s);

	FUZZ_CHECK(n >= 1 && n <= max);
	FUZZ_CHECK(fuzz_utf8_ok(s, n));
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(!fuzz_is_control(s[i]));
		FUZZ_CHECK(spaces || s[i] != ' ');
	}
}

/* A review key: "<target>@<40 lowercase hex>" or the 40 hex alone. */
static inline void
fuzz_check_review(const char *s)
{
	size_t n = strlen(s);

	FUZZ_CHECK(n >= 40);
	FUZZ_CHECK(strspn(s + n - 40, "0123456789abcdef") == 40);
	if (n > 40) {
		char *target = strndup(s, n - 41);

		FUZZ_CHECK(s[n - 41] == '@');
		FUZZ_CHECK(target != NULL);
		fuzz_check_word(target, INBOUND_MAX_NAME, false);
		free(target);
	}
}

static inline void
fuzz_check_url(const char *s)
{
	size_t n = strlen(s);

	FUZZ_CHECK(n <= INBOUND_MAX_URL);
	FUZZ_CHECK(strncasecmp(s, "https://", 8) == 0 ||
	    strncasecmp(s, "http://", 7) == 0);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] > 0x20 &&
		    (unsigned char)s[i] < 0x7f);
}

/* A comment: trimmed, not empty, no '\r', no control but tab and '\n'. */
static inline void
fuzz_check_comment(const char *s)
{
	size_t n = strlen(s);

	FUZZ_CHECK(n >= 1 && n <= INBOUND_MAX_COMMENT);
	FUZZ_CHECK(fuzz_utf8_ok(s, n));
	FUZZ_CHECK(!fuzz_is_space(s[0]) && !fuzz_is_space(s[n - 1]));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(!fuzz_is_control(s[i]) || s[i] == '\n' ||
		    s[i] == '\t');
}

static inline bool
fuzz_is_decision(const char *d)
{
	return d != NULL && (strcmp(d, "approve") == 0 ||
	    strcmp(d, "approve-with-changes") == 0 ||
	    strcmp(d, "changes-required") == 0);
}

/*
 * What every struct inbound a parser gives must be (inbound.h): each
 * string within its field's rules, and the fields its kind needs there.
 */
static inline void
fuzz_check_inbound(const struct inbound *in)
{
	FUZZ_CHECK(inbound_kind_name(in->kind) != NULL);
	if (in->user)
		fuzz_check_word(in->user, INBOUND_MAX_ID, false);
	if (in->user_alt)
		fuzz_check_word(in->user_alt, INBOUND_MAX_ID, false);
	if (in->review)
		fuzz_check_review(in->review);
	if (in->target)
		fuzz_check_word(in->target, INBOUND_MAX_NAME, false);
	if (in->path)
		fuzz_check_word(in->path, INBOUND_MAX_NAME, true);
	if (in->comment)
		fuzz_check_comment(in->comment);
	if (in->action_id)
		fuzz_check_word(in->action_id, INBOUND_MAX_ID, false);
	if (in->response_url)
		fuzz_check_url(in->response_url);
	if (in->token)
		fuzz_check_word(in->token, INBOUND_MAX_ID, false);
	switch (in->kind) {
	case INBOUND_DECIDE:
		FUZZ_CHECK(fuzz_is_decision(in->decision));
		FUZZ_CHECK(in->review != NULL || in->target != NULL);
		break;
	case INBOUND_WHO:
		FUZZ_CHECK(in->path != NULL);
		FUZZ_CHECK(in->decision == NULL);
		break;
	case INBOUND_STATUS:
	case INBOUND_PENDING:
	case INBOUND_HELP:
	case INBOUND_OPEN:
		FUZZ_CHECK(in->decision == NULL && in->path == NULL &&
		    in->comment == NULL);
		break;
	}
}

typedef int (*fuzz_parser)(const char *body, size_t len,
    struct inbound *out, char **why);

/*
 * Runs a platform parser on the body in a buffer of exactly its length
 * (AddressSanitizer sees a read past it) and checks the contract of
 * inbound.h: 0 and a valid struct, or -EINVAL, a reason, and *out
 * untouched, the same with why NULL.  Returns the parser's result; on 0
 * *out is filled and the caller checks what is particular to the parser,
 * then clears it.
 */
static inline int
fuzz_parse(fuzz_parser parse, const uint8_t *data, size_t size,
    struct inbound *out)
{
	struct inbound before;
	char *body = malloc(size > 0 ? size : 1), *why = NULL;
	int error;

	if (body == NULL)
		abort();
	if (size > 0)
		memcpy(body, data, size);
	/* garbage that must survive a failure as it was */
	memset(out, 0xa5, sizeof(*out));
	before = *out;
	error = parse(body, size, out, &why);
	if (error == 0) {
		FUZZ_CHECK(why == NULL);
		fuzz_check_inbound(out);
	} else {
		FUZZ_CHECK(error == -EINVAL);
		fuzz_check_reason(why);
		FUZZ_CHECK(memcmp(out, &before, sizeof(*out)) == 0);
		free(why);
		/* why may be NULL */
		FUZZ_CHECK(parse(body, size, out, NULL) == -EINVAL);
		FUZZ_CHECK(memcmp(out, &before, sizeof(*out)) == 0);
	}
	free(body);
	return error;
}

/*
 * A private folder for this process, made once under $TMPDIR (or /tmp)
 * and removed at a normal exit; tests/fuzz/run.sh points TMPDIR at a folder of
 * its own, which it removes even after a crash.
 */
static char fuzz_tmp[4096];

static inline int
fuzz_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* Removes the tree at path, children first, never following a link. */
static inline void
fuzz_rm_tree(const char *path)
{
	if (path[0] != '\0' &&
	    nftw(path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "fuzz: cannot remove '%s'\n", path);
}

static inline void
fuzz_tmp_cleanup(void)
{
	fuzz_rm_tree(fuzz_tmp);
}

static inline const char *
fuzz_tmpdir(void)
{
	const char *base;

	if (fuzz_tmp[0] != '\0')
		return fuzz_tmp;
	base = getenv("TMPDIR");
	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(fuzz_tmp, sizeof(fuzz_tmp), "%s/printgate-fuzz.XXXXXX",
	    base);
	if (mkdtemp(fuzz_tmp) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_tmp_cleanup);
	return fuzz_tmp;
}

/* Writes n bytes to path (created or truncated); aborts on failure. */
static inline void
fuzz_write_file(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || (n > 0 && fwrite(data, 1, n, fp) != n) ||
	    fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

#endif
