/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_diff.c - the diff of a file (diff.c) and its words and HTML
 * (difftext.c, diffhtml.c) on two versions from the input.
 *
 * The input: one byte that picks the file's kind (its value modulo 3:
 * text, CSV, TSV), two bytes that say how much of the rest is the old
 * version (big-endian, modulo what is left), then the old version and
 * the new one.  Checked: the view accounts for every line of both
 * versions (text, unless cut or large); a version compared with itself
 * shows no change; the text, the summary and the HTML are valid UTF-8,
 * and the summary is one line.
 */
#include "fuzz.h"

#include "core/util.h"
#include "web/diff.h"
#include "web/diffhtml.h"
#include "web/difftext.h"

/* Lines as diff.c counts them: at each "\n", and a last one unended. */
static size_t
lines_in(const uint8_t *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n')
			count++;
	return count + (n > 0 && s[n - 1] != '\n');
}

static void
check_accounts(const struct diff_view *v, size_t oldn, size_t newn)
{
	size_t o = 0, n = 0;

	if (v->kind != DIFF_TEXT)
		return;
	for (size_t i = 0; i < v->nlines; i++) {
		const struct diff_line *l = &v->lines[i];

		if (l->op == DIFF_CUT)
			return;
		o += l->op == DIFF_FOLD ? l->count : l->op != DIFF_ADD;
		n += l->op == DIFF_FOLD ? l->count : l->op != DIFF_DEL;
		for (uint32_t k = 0; k < l->nspans; k++)
			FUZZ_CHECK(l->spans[k].off + l->spans[k].len <= l->len);
	}
	FUZZ_CHECK(o == oldn);
	FUZZ_CHECK(n == newn);
}

static void
check_outputs(const struct diff_view *v, const char *path)
{
	struct buf b = { 0 };

	difftext_format(&b, v);
	FUZZ_CHECK(fuzz_utf8_ok(b.s, b.len));
	buf_free(&b);
	difftext_summary(&b, v, path, 3);
	FUZZ_CHECK(fuzz_utf8_ok(b.s, b.len));
	FUZZ_CHECK(memchr(b.s, '\n', b.len) == NULL);
	buf_free(&b);
	diffhtml_render(&b, v);
	FUZZ_CHECK(b.s == NULL || fuzz_utf8_ok(b.s, b.len));
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "a/file.txt", "prices.csv",
	    "prices.tsv" };
	const char *path;
	const uint8_t *old, *new;
	size_t rest, oldlen, newlen;
	struct diff_view *v;

	if (size < 3 || size > FUZZ_MAX_INPUT)
		return 0;
	path = paths[data[0] % 3];
	rest = size - 3;
	oldlen = rest ? ((size_t)data[1] << 8 | data[2]) % (rest + 1) : 0;
	old = data + 3;
	new = old + oldlen;
	newlen = rest - oldlen;

	v = diff_files(path, old, oldlen, new, newlen);
	if (v->kind == DIFF_TEXT && !memchr(old, '\0', oldlen))
		check_accounts(v, lines_in(old, oldlen), lines_in(new,
		    newlen));
	check_outputs(v, path);
	diff_free(v);

	/* the same bytes on both sides: no change */
	v = diff_files(path, old, oldlen, old, oldlen);
	FUZZ_CHECK(!diff_changed(v));
	check_outputs(v, path);
	diff_free(v);

	/* added and removed files */
	v = diff_files(path, NULL, 0, new, newlen);
	FUZZ_CHECK(diff_changed(v));
	check_outputs(v, path);
	diff_free(v);
	return 0;
}
