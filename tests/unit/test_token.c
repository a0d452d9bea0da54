/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_token.c - the review page's link and CSRF tokens (token.c) against
 * the vectors in fixtures/token/ (keys, vectors), which make.sh there
 * computed with the openssl command line from the layout token.h
 * documents, not with this code; then every way a token can be wrong,
 * and the links secret file.
 *
 * A vectors line: name expires tag commit person viewer token csrf
 * ("-" for no person, no viewer).  Each vector is its own cmocka test.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "web/token.h"
#include "unit.h"

struct vector {
	char name[32];
	int64_t expires;
	char tag[256], commit[41], person[65], viewer[65];
	char token[TOKEN_MAX_CHARS + 1], csrf[64];
};

static char *fixtures;		/* .../fixtures/token */
static char secret[128];
static struct token_keys keys;
static struct vector vectors[8];
static size_t nvectors;

static void
load(void)
{
	char *path = xasprintf("%s/keys", fixtures), line[1024];
	FILE *fp = fopen(path, "r");

	if (fp == NULL || fgets(line, sizeof(line), fp) == NULL ||
	    sscanf(line, "secret %127s", secret) != 1) {
		fprintf(stderr, "test_token: cannot read %s\n", path);
		exit(1);
	}
	fclose(fp);
	free(path);
	token_keys_derive(&keys, secret, strlen(secret));
	path = xasprintf("%s/vectors", fixtures);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "test_token: cannot read %s\n", path);
		exit(1);
	}
	while (nvectors < ARRAY_SIZE(vectors) &&
	    fgets(line, sizeof(line), fp) != NULL) {
		struct vector *v = &vectors[nvectors];
		long long e;

		if (sscanf(line, "%31s %lld %255s %40s %64s %64s %512s %63s",
		    v->name, &e, v->tag, v->commit, v->person, v->viewer,
		    v->token, v->csrf) != 8)
			continue;
		v->expires = e;
		if (strcmp(v->person, "-") == 0)
			v->person[0] = '\0';
		if (strcmp(v->viewer, "-") == 0)
			v->viewer[0] = '\0';
		nvectors++;
	}
	fclose(fp);
	free(path);
}

/* The derived keys are those openssl computed. */
static void
test_keys(void **state)
{
	char *path = xasprintf("%s/keys", fixtures), line[256], hex[65];
	FILE *fp = fopen(path, "r");
	bool link = false, csrf = false;

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		const unsigned char *k = NULL;

		if (sscanf(line, "link %64s", hex) == 1)
			k = keys.link, link = true;
		else if (sscanf(line, "csrf %64s", hex) == 1)
			k = keys.csrf, csrf = true;
		else
			continue;
		for (size_t i = 0; i < 32; i++) {
			unsigned byte;

			assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
			assert_int_equal(byte, k[i]);
		}
	}
	assert_true(link && csrf);
	fclose(fp);
	free(path);
}

static void
test_vector(void **state)
{
	const struct vector *v = *state;
	struct token_link l = { 0 }, got;
	char *token = NULL, csrf[TOKEN_CSRF_CHARS + 1];

	snprintf(l.tag, sizeof(l.tag), "%s", v->tag);
	snprintf(l.commit, sizeof(l.commit), "%s", v->commit);
	snprintf(l.person, sizeof(l.person), "%s", v->person);
	l.expires = v->expires;
	assert_int_equal(token_link_make(&token, &keys, &l), 0);
	assert_string_equal(token, v->token);
	assert_int_equal(token_link_parse(&got, &keys, v->token,
	    v->expires - 1), 0);
	assert_string_equal(got.tag, v->tag);
	assert_string_equal(got.commit, v->commit);
	assert_string_equal(got.person, v->person);
	assert_int_equal(got.expires, v->expires);
	token_csrf(csrf, &keys, v->token, v->viewer);
	assert_string_equal(csrf, v->csrf);
	assert_int_equal(token_csrf_check(&keys, v->token, v->viewer, v->csrf),
	    0);
	/* bound to the link and to the viewer */
	assert_int_equal(token_csrf_check(&keys, v->token, "mallory",
	    v->csrf), -EACCES);
	assert_int_equal(token_csrf_check(&keys, vectors[0].token ==
	    v->token ? vectors[1].token : vectors[0].token, v->viewer,
	    v->csrf), -EACCES);
	assert_int_equal(token_csrf_check(&keys, v->token, v->viewer, NULL),
	    -EACCES);
	assert_int_equal(token_csrf_check(&keys, v->token, v->viewer, ""),
	    -EACCES);
	free(token);
}

/* Expired at its second: -ETIMEDOUT, and which review it was. */
static void
test_expired(void **state)
{
	const struct vector *v = &vectors[1];
	struct token_link got = { 0 };

	(void)state;
	assert_int_equal(token_link_parse(&got, &keys, v->token, v->expires),
	    -ETIMEDOUT);
	assert_string_equal(got.tag, v->tag);
	assert_string_equal(got.person, v->person);
	assert_int_equal(token_link_parse(&got, &keys, v->token,
	    v->expires + 86400), -ETIMEDOUT);
}

/* Any one character changed, anywhere: bad, and *out untouched. */
static void
test_tampered(void **state)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789-_";
	const struct vector *v = &vectors[1];
	size_t n = strlen(v->token);
	char *t = xstrdup(v->token);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(alphabet) - 1; k++) {
			struct token_link got, before;
			int error;

			if (alphabet[k] == v->token[i])
				continue;
			t[i] = alphabet[k];
			memset(&got, 0x5a, sizeof(got));
			before = got;
			error = token_link_parse(&got, &keys, t, 0);
			if (error != -EBADMSG)
				fail_msg("position %zu as '%c': %d", i,
				    alphabet[k], error);
			assert_memory_equal(&got, &before, sizeof(got));
		}
		t[i] = v->token[i];
	}
	free(t);
}

/* Not a token at all, or not one of these keys. */
static void
test_bad(void **state)
{
	struct token_keys other;
	struct token_link got;
	char *s, *padded, *std;
	struct buf long_one = { 0 };

	(void)state;
	assert_int_equal(token_link_parse(&got, &keys, NULL, 0), -EBADMSG);
	assert_int_equal(token_link_parse(&got, &keys, "", 0), -EBADMSG);
	assert_int_equal(token_link_parse(&got, &keys, "AQ", 0), -EBADMSG);
	for (size_t i = 0; i <= TOKEN_MAX_CHARS; i++)
		buf_adds(&long_one, "A");
	assert_int_equal(token_link_parse(&got, &keys, long_one.s, 0),
	    -EBADMSG);
	buf_free(&long_one);
	/* the one spelling: no padding, no standard alphabet, no cut */
	padded = xasprintf("%s=", vectors[0].token);
	assert_int_equal(token_link_parse(&got, &keys, padded, 0), -EBADMSG);
	free(padded);
	std = xstrdup(vectors[1].token);
	for (char *p = std; *p; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	assert_int_equal(token_link_parse(&got, &keys, std, 0), -EBADMSG);
	free(std);
	s = xstrndup(vectors[0].token, strlen(vectors[0].token) - 1);
	assert_int_equal(token_link_parse(&got, &keys, s, 0), -EBADMSG);
	free(s);
	token_keys_derive(&other, "another secret of enough characters!!",
	    37);
	assert_int_equal(token_link_parse(&got, &other, vectors[0].token, 0),
	    -EBADMSG);
	token_keys_clear(&other);
}

/* What cannot go in a token is refused, *out untouched. */
static void
test_make_refuses(void **state)
{
	static const struct {
		const char *tag, *commit, *person;
	} bad[] = {
		{ "", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "" },
		{ "print/q 1", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "" },
		{ "print/q\n", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "" },
		{ "print/q1", "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678", "" },
		{ "print/q1", "a1b2c3d", "" },
		{ "print/q1", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		  "al ice" },
	};
	char *out = (char *)"untouched";

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct token_link l = { .expires = 1 };

		snprintf(l.tag, sizeof(l.tag), "%s", bad[i].tag);
		snprintf(l.commit, sizeof(l.commit), "%s", bad[i].commit);
		snprintf(l.person, sizeof(l.person), "%s", bad[i].person);
		assert_int_equal(token_link_make(&out, &keys, &l), -EINVAL);
		assert_string_equal(out, "untouched");
	}
}

/* The longest fields fit under TOKEN_MAX_CHARS and come back. */
static void
test_longest(void **state)
{
	struct token_link l = { .expires = INT64_MAX }, got;
	char *t;

	(void)state;
	memset(l.tag, 'p', TOKEN_MAX_TAG);
	memset(l.person, 'x', TOKEN_MAX_PERSON);
	memcpy(l.commit, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", 41);
	assert_int_equal(token_link_make(&t, &keys, &l), 0);
	assert_true(strlen(t) <= TOKEN_MAX_CHARS);
	assert_int_equal(token_link_parse(&got, &keys, t, 0), 0);
	assert_memory_equal(&got, &l, sizeof(l));
	free(t);
}

static char tmp[] = "/tmp/printgate-test-token.XXXXXX";

/* The links secret: made once in state_dir, 0600, then read again. */
static void
test_secret_file(void **state)
{
	char *a = NULL, *b = NULL, *why = NULL, *path;
	struct stat st;

	(void)state;
	assert_int_equal(token_secret_load(&a, NULL, tmp, &why), 0);
	path = xasprintf("%s/%s", tmp, TOKEN_SECRET_FILE);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_int_equal(token_secret_load(&b, NULL, tmp, &why), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(path);
}

/* A configured secret that is short, or readable by others, is refused
 * with the file and what to do. */
static void
test_secret_refused(void **state)
{
	char *path = xasprintf("%s/short.secret", tmp), *out = NULL;
	char *why = NULL;
	int fd;

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "tooshort\n", 9), 9);
	close(fd);
	assert_int_equal(token_secret_load(&out, path, NULL, &why), -EINVAL);
	assert_null(out);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "openssl rand -hex 32"));
	assert_null(strstr(why, "tooshort"));
	free(why);
	why = NULL;
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(token_secret_load(&out, path, NULL, &why), -EPERM);
	assert_null(out);
	assert_non_null(strstr(why, "chmod"));
	free(why);
	why = NULL;
	unlink(path);
	free(path);
	/* a state folder others may write is refused */
	path = xasprintf("%s/open", tmp);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_true(token_secret_load(&out, NULL, path, &why) < 0);
	assert_null(out);
	assert_non_null(why);
	free(why);
	rmdir(path);
	free(path);
}

static void
fixtures_find(void)
{
	const char *env = getenv("PRINTGATE_FIXTURES");
	const char *slash = strrchr(__FILE__, '/');

	if (env != NULL && *env != '\0')
		fixtures = xasprintf("%s/token", env);
	else if (slash != NULL)
		fixtures = xasprintf("%.*s/fixtures/token",
		    (int)(slash - __FILE__), __FILE__);
	else
		fixtures = xstrdup("tests/unit/fixtures/token");
}

int
main(void)
{
	int failed;
	char *path;

	fixtures_find();
	load();
	if (nvectors < 2 || mkdtemp(tmp) == NULL) {
		fprintf(stderr, "test_token: no vectors or no folder\n");
		return 1;
	}
	add_test("keys: derived as openssl did", test_keys, NULL);
	for (size_t i = 0; i < nvectors; i++)
		add_test(vectors[i].name, test_vector, &vectors[i]);
	add_test("expired", test_expired, NULL);
	add_test("tampered: any character", test_tampered, NULL);
	add_test("bad: not a token, or not of these keys", test_bad, NULL);
	add_test("make: refuses what does not fit", test_make_refuses, NULL);
	add_test("make: the longest fields", test_longest, NULL);
	add_test("secret: made once, 0600", test_secret_file, NULL);
	add_test("secret: refused with what to do", test_secret_refused,
	    NULL);
	failed = _cmocka_run_group_tests("token", tests, ntests, NULL, NULL);
	path = xasprintf("%s/%s", tmp, TOKEN_SECRET_FILE);
	unlink(path);
	free(path);
	rmdir(tmp);
	token_keys_clear(&keys);
	free(tests);
	free(fixtures);
	return failed ? 1 : 0;
}
