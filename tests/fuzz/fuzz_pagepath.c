/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_pagepath.c - the review page's paths as the listener hands them
 * on (pagereq.c): pagereq_target() on the input as a path under /r/ (a
 * path it takes names a token of 1 to TOKEN_MAX_CHARS bytes without '/',
 * a file from 1 to 999999, and is exactly the path written back from
 * what it found: one path per page), and pagereq_preview() with buffers
 * of sizes picked by the input, allocated to the byte so that a write
 * past one is seen (what it takes fits, and is the path written back).
 *
 * The input is used as a string up to its first NUL byte; its first byte
 * also picks the preview's buffer sizes.
 */
#include "fuzz.h"

#include "core/util.h"
#include "web/pagereq.h"

static const char *const sides[] = { "/old", "/new" };

/* The path pagereq_target() read t from, written back. */
static char *
target_path(const struct pagereq_target *t)
{
	switch (t->what) {
	case PAGEREQ_PAGE:
		return xasprintf("/r/%s", t->token);
	case PAGEREQ_DECIDE:
		return xasprintf("/r/%s/decide", t->token);
	case PAGEREQ_HISTORY:
		return xasprintf("/r/%s/history", t->token);
	case PAGEREQ_FILE:
		return xasprintf("/r/%s/file/%zu%s", t->token, t->file,
		    sides[t->new_side]);
	}
	abort();
}

static void
check_target(const char *path)
{
	struct pagereq_target t;
	char *back;

	memset(&t, 0, sizeof(t));
	if (pagereq_target(path, &t) != 0)
		return;
	FUZZ_CHECK(t.token[0] != '\0');
	FUZZ_CHECK(strlen(t.token) <= TOKEN_MAX_CHARS);
	FUZZ_CHECK(strchr(t.token, '/') == NULL);
	FUZZ_CHECK(t.what != PAGEREQ_FILE || (t.file >= 1 &&
	    t.file <= 999999));
	back = target_path(&t);
	FUZZ_CHECK(strcmp(back, path) == 0);
	free(back);
}

static void
check_preview(const char *path, size_t npair, size_t nname)
{
	char token[TOKEN_MAX_CHARS + 1], *pair = malloc(npair),
	    *name = malloc(nname), *back;

	if (pair == NULL || name == NULL)
		abort();
	if (pagereq_preview(path, token, pair, npair, name, nname) == 0) {
		FUZZ_CHECK(token[0] != '\0' && strchr(token, '/') == NULL);
		FUZZ_CHECK(pair[0] != '\0' && strchr(pair, '/') == NULL);
		FUZZ_CHECK(strlen(pair) < npair && strlen(name) < nname);
		back = xasprintf("/r/%s/preview/%s/%s", token, pair, name);
		FUZZ_CHECK(strcmp(back, path) == 0);
		free(back);
	}
	free(pair);
	free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path;
	size_t npair, nname;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	path = fuzz_cstr(data, size);
	check_target(path);
	/* the daemon's own sizes, then small ones the input picks */
	check_preview(path, 2 * 96, 32 + 5);
	npair = size > 0 ? 1 + data[0] % 16 : 1;
	nname = size > 0 ? 1 + data[0] / 16 : 1;
	check_preview(path, npair, nname);
	free(path);
	return 0;
}
