/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * unit.h - what every cmocka test program here shares: the list of tests
 * it runs, one per row of its tables and then the others, the sanitizer
 * setting that turns undefined behaviour into a failed test, and, for the
 * tests that run the real git, the shell and a HOME of their own.
 * Included once, by the test program's only source file.
 */
#ifndef PRINTGATE_TESTS_UNIT_H
#define PRINTGATE_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/util.h"

/*
 * In the sanitizer build (make SAN=address,undefined) undefined behaviour
 * stops the process instead of printing a line that nobody reads, so
 * that it fails a test.  Only the sanitizer's runtime calls this.
 */
const char *__ubsan_default_options(void);

const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* The tests to run, handed to _cmocka_run_group_tests() by main. */
static struct CMUnitTest *tests;
static size_t ntests;

/* Adds a test; row is its initial state (a table row, or NULL). */
static void
add_test(const char *name, CMUnitTestFunction fn, const void *row)
{
	tests = xreallocarray(tests, ntests + 1, sizeof(*tests));
	tests[ntests++] = (struct CMUnitTest){
		.name = name,
		.test_func = fn,
		.initial_state = (void *)(uintptr_t)row,
	};
}

/*
 * Runs a shell command built from fmt; when out is not NULL, *out is its
 * standard output (the caller frees it).  Returns the exit status, or -1
 * when it did not exit.
 */
static inline int __attribute__((format(printf, 2, 3)))
sh(char **out, const char *fmt, ...)
{
	struct buf cmd = { 0 }, b = { 0 };
	char chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;
	int status;

	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	fflush(NULL);
	p = popen(cmd.s, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(&b, chunk, n);
	status = pclose(p);
	if (out)
		*out = buf_steal(&b);
	else
		buf_free(&b);
	buf_free(&cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs a command that must succeed; its output without the last '\n'. */
static inline char * __attribute__((format(printf, 1, 2)))
sh_ok(const char *fmt, ...)
{
	struct buf cmd = { 0 };
	char *out = NULL;
	size_t len;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	rc = sh(&out, "%s", cmd.s);
	if (rc != 0)
		fail_msg("'%s' exited with %d", cmd.s, rc);
	buf_free(&cmd);
	len = strlen(out);
	if (len > 0 && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return out;
}

/*
 * A new temporary folder named prefix.XXXXXX under TMPDIR (or /tmp), made
 * HOME for the run, with every variable that would let the user's or the
 * system's git configuration change what git or libgit2 do unset, and a
 * fixed author and committer: for the tests that run the real git.
 * NULL, said on stderr, when the folder cannot be made.  Inline, so that
 * a test that runs no git is not warned about it.
 */
static inline char *
unit_git_home(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	static const char *const unset[] = {
		"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
		"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
		"GIT_NOTES_REF", "GIT_CEILING_DIRECTORIES",
		"GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE", "GIT_CONFIG",
		"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
	};
	char *tmp = xasprintf("%s/%s.XXXXXX", base && *base ? base : "/tmp",
	    prefix);

	if (mkdtemp(tmp) == NULL) {
		fprintf(stderr, "mkdtemp '%s': %s\n", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(unset); i++)
		unsetenv(unset[i]);
	setenv("HOME", tmp, 1);
	setenv("XDG_CONFIG_HOME", tmp, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Mara Marketer", 1);
	setenv("GIT_AUTHOR_EMAIL", "mara@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Mara Marketer", 1);
	setenv("GIT_COMMITTER_EMAIL", "mara@example.com", 1);
	setenv("LC_ALL", "C", 1);
	return tmp;
}

#endif
