/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * words.c - word-by-word comparison of a page's text layer (words.h): a
 * longest common subsequence over the words left once the common start
 * and end are cut off.  Pure.
 */
#include "render/words.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct word {
	const char *s;
	size_t n;
};

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* The words of s, at most WORDS_MAX, into a new array; *n its length. */
static struct word *
split(const char *s, size_t *n)
{
	struct word *v = NULL;
	size_t k = 0, cap = 0;

	while (*s != '\0' && k < WORDS_MAX) {
		const char *start;

		while (is_space((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		start = s;
		while (*s != '\0' && !is_space((unsigned char)*s))
			s++;
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[k++] = (struct word){ start, (size_t)(s - start) };
	}
	*n = k;
	return v;
}

static int
word_eq(const struct word *a, const struct word *b)
{
	return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/*
 * Words v[0..n) joined by spaces, cut to WORDS_SIDE_MAX bytes at the
 * start of a UTF-8 character, with "…" when anything was left off.
 */
static char *
join(const struct word *v, size_t n)
{
	struct buf b = { 0 };
	size_t i;
	int short_of = 0;

	for (i = 0; i < n && b.len < WORDS_SIDE_MAX; i++) {
		if (i > 0)
			buf_adds(&b, " ");
		buf_add(&b, v[i].s, v[i].n);
	}
	short_of = i < n;
	if (b.len > WORDS_SIDE_MAX) {
		size_t cut = WORDS_SIDE_MAX;

		while (cut > 0 && ((unsigned char)b.s[cut] & 0xc0) == 0x80)
			cut--;
		b.s[cut] = '\0';
		b.len = cut;
		short_of = 1;
	}
	if (short_of)
		buf_adds(&b, "…");
	return buf_steal(&b);
}

static void
add_change(struct word_diff *d, const struct word *a, size_t na,
    const struct word *b, size_t nb)
{
	if (na == 0 && nb == 0)
		return;
	if (d->n == WORDS_CHANGES_MAX) {
		d->more = 1;
		return;
	}
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	d->v[d->n].old = join(a, na);
	d->v[d->n].new = join(b, nb);
	d->n++;
}

/*
 * The changes between a[0..na) and b[0..nb) by their longest common
 * subsequence (a table of na x nb lengths, walked from the start).
 */
static void
lcs_changes(struct word_diff *d, const struct word *a, size_t na,
    const struct word *b, size_t nb)
{
	size_t w = nb + 1, i = 0, j = 0, ai = 0, bj = 0;
	uint32_t *t = xcalloc((na + 1) * w, sizeof(*t));

	for (size_t x = na; x-- > 0;)
		for (size_t y = nb; y-- > 0;)
			t[x * w + y] = word_eq(&a[x], &b[y]) ?
			    t[(x + 1) * w + y + 1] + 1 :
			    t[(x + 1) * w + y] > t[x * w + y + 1] ?
			    t[(x + 1) * w + y] : t[x * w + y + 1];
	while (i < na || j < nb) {
		if (i < na && j < nb && word_eq(&a[i], &b[j])) {
			add_change(d, a + ai, i - ai, b + bj, j - bj);
			ai = ++i;
			bj = ++j;
		} else if (j < nb && (i == na ||
		    t[i * w + j + 1] >= t[(i + 1) * w + j])) {
			j++;
		} else {
			i++;
		}
	}
	add_change(d, a + ai, i - ai, b + bj, j - bj);
	free(t);
}

void
words_diff(struct word_diff *out, const char *a, const char *b)
{
	size_t na, nb, pre = 0, suf = 0;
	struct word *va = split(a, &na), *vb = split(b, &nb);

	memset(out, 0, sizeof(*out));
	while (pre < na && pre < nb && word_eq(&va[pre], &vb[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    word_eq(&va[na - 1 - suf], &vb[nb - 1 - suf]))
		suf++;
	na -= pre + suf;
	nb -= pre + suf;
	if (na > 0 && nb > 0 && na * nb > 4000000)
		add_change(out, va + pre, na, vb + pre, nb);
	else
		lcs_changes(out, va + pre, na, vb + pre, nb);
	free(va);
	free(vb);
}

void
words_diff_free(struct word_diff *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].old);
		free(d->v[i].new);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}
