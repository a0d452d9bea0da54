/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_picpath.c - the URL of a picture chat shows (web/picpath.c),
 * which anyone who can reach the listener sends: the input as a path
 * for picpath_chat_split(), and as a pair and a file name alone.
 *
 * Contracts: each function takes exactly what a grammar written here
 * apart from it takes ("/p/" PAIR "." MAC "/" NAME ".png"; PAIR two ids
 * of 40 lowercase hex or "0", not both "0"; MAC 32 lowercase hex; NAME 1
 * to 31 of [a-z0-9-]); the buffers are allocated to the byte, so a write
 * past one is seen; what a split took writes back to its input.
 */
#include "fuzz.h"

#include "web/picpath.h"

#define LHEX "0123456789abcdef"

/* Whether s (n bytes) is n lowercase hex digits and n is want. */
static bool
ref_hex(const char *s, size_t n, size_t want)
{
	return n == want && strspn(s, LHEX) >= n;
}

static bool
ref_id(const char *s, size_t n)
{
	return (n == 1 && s[0] == '0') || ref_hex(s, n, 40);
}

/* The pair's grammar, on n bytes at s. */
static bool
ref_pair(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);

	if (dot == NULL || memchr(s, '\0', n) != NULL)
		return false;
	if (!ref_id(s, (size_t)(dot - s)) ||
	    !ref_id(dot + 1, n - (size_t)(dot - s) - 1))
		return false;
	return n != 3;	/* "0.0" */
}

static bool
ref_name(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 5 || n > 31 + 4 || strcmp(s + n - 4, ".png") != 0)
		return false;
	for (i = 0; i < n - 4; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

/* The chat path's grammar: the MAC is the last 32 bytes of the segment. */
static bool
ref_chat(const char *s)
{
	const char *seg = s + 3, *slash;
	size_t n;

	if (strncmp(s, "/p/", 3) != 0 || (slash = strchr(seg, '/')) == NULL)
		return false;
	n = (size_t)(slash - seg);
	if (n < 33 + 3 || seg[n - 33] != '.' ||
	    !ref_hex(seg + n - 32, 32, 32))
		return false;
	return ref_pair(seg, n - 33) && ref_name(slash + 1);
}

static void *
exact(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		abort();
	return p;
}

static void
fuzz_chat(const char *s)
{
	char *pair = exact(PICPATH_PAIR_MAX), *mac = exact(PICPATH_MAC_MAX);
	char *file = exact(PICPATH_FILE_MAX), *back;
	char old[OID_HEX], new[OID_HEX];
	int r = picpath_chat_split(s, pair, mac, file);

	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == ref_chat(s));
	if (r == 0) {
		FUZZ_CHECK(picpath_pair_split(pair, old, new) == 0);
		FUZZ_CHECK(picpath_name_ok(file));
		FUZZ_CHECK(ref_hex(mac, strlen(mac), 32));
		if (asprintf(&back, "/p/%s.%s/%s", pair, mac, file) < 0)
			abort();
		FUZZ_CHECK(strcmp(back, s) == 0);
		free(back);
	}
	free(pair);
	free(mac);
	free(file);
}

static void
fuzz_pair(const char *s)
{
	char *old = exact(OID_HEX), *new = exact(OID_HEX), *back;
	int r = picpath_pair_split(s, old, new);

	FUZZ_CHECK(r == 0 || r == -EINVAL);
	FUZZ_CHECK((r == 0) == ref_pair(s, strlen(s)));
	if (r == 0) {
		FUZZ_CHECK(*old != '\0' || *new != '\0');
		FUZZ_CHECK(*old == '\0' || ref_hex(old, strlen(old), 40));
		FUZZ_CHECK(*new == '\0' || ref_hex(new, strlen(new), 40));
		if (asprintf(&back, "%s.%s", *old ? old : "0",
		    *new ? new : "0") < 0)
			abort();
		FUZZ_CHECK(strcmp(back, s) == 0);
		free(back);
	}
	free(old);
	free(new);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	s = fuzz_cstr(data, size);
	fuzz_chat(s);
	fuzz_pair(s);
	FUZZ_CHECK(picpath_name_ok(s) == ref_name(s));
	free(s);
	return 0;
}
