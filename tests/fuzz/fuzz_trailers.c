/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_trailers.c - a print tag's message, which whoever pushes the tag
 * writes: its trailers as repo_trailers() reads them (repo.c, through
 * libgit2, signatures dropped), then rules' conditions on them as
 * policy_when() decides (policy.c).
 *
 * The input is the message, up to its first NUL byte.  Each condition is
 * tried with all six operators, on the first and the last trailer's key
 * and on a key that is not there, against fixed values and the first
 * trailers' own values; the answers must agree with each other as
 * policy.h says: = and != are opposites; on two numbers < and >=, > and
 * <= are opposites; an order on a value that is not a number holds (the
 * rule applies, fail closed); a missing trailer never holds.
 */
#include "fuzz.h"

#include "core/config.h"
#include "core/policy.h"
#include "core/repo.h"

static void
check_trailers(const struct trailer *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;

		/* a key may be "": libgit2 reads ":\r-\nT:" so */
		FUZZ_CHECK(t[i].key != NULL && t[i].value != NULL);
		/* a value continued on indented lines is one line */
		FUZZ_CHECK(strchr(t[i].value, '\n') == NULL);
		len = strlen(t[i].value);
		FUZZ_CHECK(len == 0 || (t[i].value[len - 1] != ' ' &&
		    t[i].value[len - 1] != '\t'));
	}
}

/* policy_when() with op on trailer against value; checks why. */
static bool
when(const struct trailer *t, size_t n, const char *trailer,
    enum config_op op, const char *value)
{
	struct config_when w = {
		.text = (char *)"fuzz",
		.trailer = (char *)trailer,
		.op = op,
		.value = (char *)value,
	};
	char *why = NULL;
	bool holds = policy_when(&w, t, n, &why);

	FUZZ_CHECK(why != NULL && why[0] != '\0');
	free(why);
	/* without a why, the same answer */
	FUZZ_CHECK(policy_when(&w, t, n, NULL) == holds);
	return holds;
}

static void
check_when(const struct trailer *t, size_t n, const char *trailer,
    const char *value)
{
	bool found = false, eq, ne, lt, le, gt, ge;

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].key, trailer) == 0)
			found = true;
	eq = when(t, n, trailer, CONFIG_OP_EQ, value);
	ne = when(t, n, trailer, CONFIG_OP_NE, value);
	lt = when(t, n, trailer, CONFIG_OP_LT, value);
	le = when(t, n, trailer, CONFIG_OP_LE, value);
	gt = when(t, n, trailer, CONFIG_OP_GT, value);
	ge = when(t, n, trailer, CONFIG_OP_GE, value);
	if (!found) {
		FUZZ_CHECK(!eq && !ne && !lt && !le && !gt && !ge);
		return;
	}
	FUZZ_CHECK(eq != ne);
	if (lt && ge) {
		/* not numbers: every order holds */
		FUZZ_CHECK(le && gt);
	} else {
		FUZZ_CHECK(lt != ge && gt != le);
		/* numbers: = and <= >= agree */
		FUZZ_CHECK(eq == (le && ge));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "2000000", "-1.5", "q1" };
	struct trailer *t, *const before = (struct trailer *)&fixed;
	const char *keys[3], *values[6];
	size_t n = 12345, nkeys = 0, nvalues = 0;
	char *message;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	message = fuzz_cstr(data, size);
	t = before;
	if (repo_trailers(message, &t, &n) < 0) {
		FUZZ_CHECK(t == before && n == 12345);
		free(message);
		return 0;
	}
	FUZZ_CHECK(n == 0 || t != NULL);
	check_trailers(t, n);

	if (n > 0) {
		keys[nkeys++] = t[0].key;
		keys[nkeys++] = t[n - 1].key;
	}
	keys[nkeys++] = "No-Such-Trailer";
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		values[nvalues++] = fixed[i];
	for (size_t i = 0; i < n && nvalues < 6; i++)
		values[nvalues++] = t[i].value;
	for (size_t k = 0; k < nkeys; k++)
		for (size_t v = 0; v < nvalues; v++)
			check_when(t, n, keys[k], values[v]);

	repo_trailers_free(t, n);
	free(message);
	return 0;
}
