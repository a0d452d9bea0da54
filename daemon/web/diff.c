/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * diff.c - what changed in a file, for people: text as lines with the
 * changed words marked, CSV and TSV as tables, binaries by size (diff.h).
 * Pure: no I/O.  The edit scripts come from Myers' O(ND) difference
 * algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986),
 * greedy forward search with the trace kept for the way back, stopped at
 * a cap on D so that no input makes it quadratic.
 */
#include "web/diff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Interning: equal byte strings get equal ids                          */

struct intern {
	struct islot {
		const char *s;
		size_t len;
		uint32_t hash;
		uint32_t id;
	} *slots;
	size_t cap;	/* a power of two */
	size_t n;
};

static uint32_t
hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void intern_put(struct intern *in, struct islot slot);

static void
intern_grow(struct intern *in)
{
	struct islot *old = in->slots;
	size_t oldcap = in->cap;

	in->cap = oldcap ? oldcap * 2 : 256;
	in->slots = xcalloc(in->cap, sizeof(*in->slots));
	in->n = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].s != NULL)
			intern_put(in, old[i]);
	free(old);
}

static void
intern_put(struct intern *in, struct islot slot)
{
	size_t i = slot.hash & (in->cap - 1);

	while (in->slots[i].s != NULL)
		i = (i + 1) & (in->cap - 1);
	in->slots[i] = slot;
	in->n++;
}

/* The id of the len bytes at s (borrowed: they must outlive in). */
static uint32_t
intern_id(struct intern *in, const char *s, size_t len)
{
	uint32_t h = hash_bytes(s, len);
	size_t i;

	if (in->n * 2 >= in->cap)
		intern_grow(in);
	for (i = h & (in->cap - 1); in->slots[i].s != NULL;
	    i = (i + 1) & (in->cap - 1)) {
		struct islot *sl = &in->slots[i];

		if (sl->hash == h && sl->len == len &&
		    memcmp(sl->s, s, len) == 0)
			return sl->id;
	}
	intern_put(in, (struct islot){ s, len, h, (uint32_t)in->n });
	return (uint32_t)in->n - 1;
}

/* The id of the len bytes at s, or UINT32_MAX when they have none. */
static uint32_t
intern_find(const struct intern *in, const char *s, size_t len)
{
	uint32_t h = hash_bytes(s, len);

	if (in->cap == 0)
		return UINT32_MAX;
	for (size_t i = h & (in->cap - 1); in->slots[i].s != NULL;
	    i = (i + 1) & (in->cap - 1)) {
		const struct islot *sl = &in->slots[i];

		if (sl->hash == h && sl->len == len &&
		    memcmp(sl->s, s, len) == 0)
			return sl->id;
	}
	return UINT32_MAX;
}

static void
intern_free(struct intern *in)
{
	free(in->slots);
	memset(in, 0, sizeof(*in));
}

/* ------------------------------------------------------------------ */
/* Edit scripts                                                        */

/* An edit script: one of 'S' (same), 'D' (delete a), 'A' (add b) a step. */
struct script {
	char *op;
	size_t n;
	bool approx;
};

static void
script_push(struct script *s, char op, size_t count)
{
	s->op = xreallocarray(s->op, s->n + count + 1, 1);
	memset(s->op + s->n, op, count);
	s->n += count;
}

/*
 * Myers' greedy search for the shortest script from a[0, n) to b[0, m),
 * at most maxd edits.  Appends the script to *s and returns 0, or returns
 * -E2BIG with *s unchanged when more edits are needed.  The trace keeps
 * V[-d..d] of every step d for the way back: O(maxd^2) integers.
 */
static int
myers(struct script *s, const uint32_t *a, size_t n, const uint32_t *b,
    size_t m, size_t maxd)
{
	size_t dmax = n + m < maxd ? n + m : maxd, off = dmax + 1, d, found;
	long *v = xcalloc(2 * dmax + 3, sizeof(*v));
	long **trace = xcalloc(dmax + 1, sizeof(*trace));
	long x = 0, y = 0;
	char *rev;
	size_t nrev = 0;

	for (d = 0, found = SIZE_MAX; d <= dmax && found == SIZE_MAX; d++) {
		for (long k = -(long)d; k <= (long)d; k += 2) {
			if (k == -(long)d || (k != (long)d &&
			    v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			y = x - k;
			while ((size_t)x < n && (size_t)y < m && a[x] == b[y])
				x++, y++;
			v[off + k] = x;
			if ((size_t)x >= n && (size_t)y >= m) {
				found = d;
				break;
			}
		}
		trace[d] = xmalloc((2 * d + 1) * sizeof(long));
		memcpy(trace[d], v + off - d, (2 * d + 1) * sizeof(long));
	}
	if (found == SIZE_MAX) {
		for (d = 0; d <= dmax; d++)
			free(trace[d]);
		free(trace);
		free(v);
		return -E2BIG;
	}

	/* the way back, from (n, m) to (0, 0), in reverse */
	rev = xmalloc(n + m + 1);
	x = (long)n;
	y = (long)m;
	for (d = found; d > 0; d--) {
		const long *pv = trace[d - 1];	/* V[-(d-1)..d-1] */
		long k = x - y, pk, px, py;

#define PV(kk) pv[(kk) + (long)(d - 1)]
		if (k == -(long)d || (k != (long)d && PV(k - 1) < PV(k + 1)))
			pk = k + 1;
		else
			pk = k - 1;
		px = PV(pk);
#undef PV
		py = px - pk;
		while (x > px && y > py) {
			rev[nrev++] = 'S';
			x--, y--;
		}
		if (x == px) {
			rev[nrev++] = 'A';
			y--;
		} else {
			rev[nrev++] = 'D';
			x--;
		}
	}
	while (x > 0 && y > 0) {
		rev[nrev++] = 'S';
		x--, y--;
	}
	s->op = xreallocarray(s->op, s->n + nrev + 1, 1);
	for (size_t i = 0; i < nrev; i++)
		s->op[s->n + i] = rev[nrev - 1 - i];
	s->n += nrev;
	free(rev);
	for (d = 0; d <= found; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return 0;
}

/*
 * The script from a to b: the common prefix and suffix, and Myers between
 * them; past maxd edits the middle is all removed, then all added, and
 * s->approx is set.
 */
static void
script_make(struct script *s, const uint32_t *a, size_t n, const uint32_t *b,
    size_t m, size_t maxd)
{
	size_t pre = 0, suf = 0;

	while (pre < n && pre < m && a[pre] == b[pre])
		pre++;
	while (suf < n - pre && suf < m - pre &&
	    a[n - 1 - suf] == b[m - 1 - suf])
		suf++;
	script_push(s, 'S', pre);
	if (myers(s, a + pre, n - pre - suf, b + pre, m - pre - suf,
	    maxd) < 0) {
		script_push(s, 'D', n - pre - suf);
		script_push(s, 'A', m - pre - suf);
		s->approx = true;
	}
	script_push(s, 'S', suf);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* A line or a word: bytes of a copy the view owns. */
struct piece {
	const char *s;
	uint32_t len;
};

/*
 * Splits text into lines (at "\n"; a "\r" before it goes too) into *out,
 * turning each end into a NUL so that lines are C strings.  A last line
 * without its end counts.  Returns the count, or SIZE_MAX past max.
 */
static size_t
lines_split(char *text, size_t len, struct piece **out, size_t max)
{
	size_t n = 0, cap = 0;
	struct piece *v = NULL;

	for (size_t i = 0; i < len;) {
		char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - i;

		if (n == max) {
			free(v);
			return SIZE_MAX;
		}
		if (l > 0 && text[i + l - 1] == '\r')
			l--;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		text[i + l] = '\0';
		v[n++] = (struct piece){ text + i, (uint32_t)l };
		i = end + 1;
	}
	*out = v;
	return n;
}

static bool
word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_';
}

/*
 * The words of a line: runs of letters and digits (any non-ASCII byte
 * counts as a letter), runs of blanks, and each other byte alone.
 * Returns the count, or SIZE_MAX past DIFF_MAX_TOKENS.
 */
static size_t
words_split(const char *s, uint32_t len, struct piece *out)
{
	size_t n = 0;

	for (uint32_t i = 0; i < len;) {
		uint32_t j = i + 1;
		unsigned char c = (unsigned char)s[i];

		if (n == DIFF_MAX_TOKENS)
			return SIZE_MAX;
		if (word_byte(c))
			while (j < len && word_byte((unsigned char)s[j]))
				j++;
		else if (c == ' ' || c == '\t')
			while (j < len && (s[j] == ' ' || s[j] == '\t'))
				j++;
		out[n++] = (struct piece){ s + i, j - i };
		i = j;
	}
	return n;
}

/* Adds [off, off + len) to a line's spans, merged with the last when they
 * touch or only blanks lie between. */
static void
span_add(struct diff_line *l, uint32_t off, uint32_t len)
{
	if (l->nspans > 0) {
		struct diff_span *last = &l->spans[l->nspans - 1];
		uint32_t end = last->off + last->len, i = end;

		while (i < off && (l->text[i] == ' ' || l->text[i] == '\t'))
			i++;
		if (i == off) {
			last->len = off + len - last->off;
			return;
		}
	}
	l->spans = xreallocarray(l->spans, l->nspans + 1, sizeof(*l->spans));
	l->spans[l->nspans++] = (struct diff_span){ off, len };
}

/*
 * Marks the changed words of a removed line and the added line paired
 * with it.  Lines with too many words, or too different, keep no spans:
 * the whole line is the change.
 */
static void
words_mark(struct diff_line *del, struct diff_line *add)
{
	struct piece *a = xmalloc(DIFF_MAX_TOKENS * sizeof(*a));
	struct piece *b = xmalloc(DIFF_MAX_TOKENS * sizeof(*b));
	size_t na = words_split(del->text, del->len, a);
	size_t nb = words_split(add->text, add->len, b);
	struct intern in = { 0 };
	struct script s = { 0 };
	uint32_t *ia = NULL, *ib = NULL;
	size_t i = 0, j = 0;

	if (na == SIZE_MAX || nb == SIZE_MAX)
		goto done;
	ia = xcalloc(na + 1, sizeof(*ia));
	ib = xcalloc(nb + 1, sizeof(*ib));
	for (size_t k = 0; k < na; k++)
		ia[k] = intern_id(&in, a[k].s, a[k].len);
	for (size_t k = 0; k < nb; k++)
		ib[k] = intern_id(&in, b[k].s, b[k].len);
	script_make(&s, ia, na, ib, nb, DIFF_MAX_WORD_EDITS);
	if (s.approx)
		goto done;
	for (size_t k = 0; k < s.n; k++) {
		if (s.op[k] == 'S') {
			i++, j++;
		} else if (s.op[k] == 'D') {
			span_add(del, (uint32_t)(a[i].s - del->text), a[i].len);
			i++;
		} else {
			span_add(add, (uint32_t)(b[j].s - add->text), b[j].len);
			j++;
		}
	}
done:
	free(s.op);
	intern_free(&in);
	free(ia);
	free(ib);
	free(a);
	free(b);
}

/* Pairs each run of removed lines with the added lines right after it,
 * one for one, and marks their changed words. */
static void
lines_pair(struct diff_line *l, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t d = i, a;

		while (d < n && l[d].op == DIFF_DEL)
			d++;
		a = d;
		while (a < n && l[a].op == DIFF_ADD)
			a++;
		for (size_t k = 0; k < d - i && k < a - d; k++)
			words_mark(&l[i + k], &l[d + k]);
		i = a > i ? a : i + 1;
	}
}

/*
 * What folding does to n lines or rows whose ops are op(i): run[i] is the
 * length of the unchanged run folded from i (two or more, further than
 * ctx from any change), UINT32_MAX inside such a run after its first, 0
 * for what is shown.
 */
static uint32_t *
fold_plan(const enum diff_op *ops, size_t stride, size_t n, size_t ctx)
{
	uint32_t *run = xcalloc(n + 1, sizeof(*run));
	bool *keep = xcalloc(n + 1, 1);

#define OP(i) (*(const enum diff_op *)((const char *)ops + (i) * stride))
	for (size_t i = 0; i < n; i++)
		if (OP(i) != DIFF_SAME)
			for (size_t k = i > ctx ? i - ctx : 0;
			    k <= i + ctx && k < n; k++)
				keep[k] = true;
#undef OP
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && !keep[j])
			j++;
		if (j - i >= 2) {
			run[i] = (uint32_t)(j - i);
			for (size_t k = i + 1; k < j; k++)
				run[k] = UINT32_MAX;
		}
		i = j > i ? j : i + 1;
	}
	free(keep);
	return run;
}

/*
 * Where to cut n shown entries (folds not counted against the cap):
 * the index of the first past DIFF_MAX_SHOWN, or n.
 */
static size_t
cut_at(const enum diff_op *ops, size_t stride, size_t n)
{
	size_t shown = 0;

	for (size_t i = 0; i < n; i++) {
		enum diff_op op = *(const enum diff_op *)((const char *)ops +
		    i * stride);

		if (op != DIFF_FOLD && shown++ == DIFF_MAX_SHOWN)
			return i;
	}
	return n;
}

static void
lines_release(struct diff_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].spans);
}

/*
 * Folds the unchanged runs of l[0, n) (fold_plan), then replaces what is
 * past DIFF_MAX_SHOWN by one DIFF_CUT.  Rewrites l in place (it never
 * grows) and returns the new count.
 */
static size_t
lines_fold(struct diff_line *l, size_t n, size_t ctx)
{
	uint32_t *run = fold_plan(&l[0].op, sizeof(*l), n, ctx);
	size_t w = 0, cut, rest = 0;

	for (size_t i = 0; i < n; i++) {
		if (run[i] == UINT32_MAX)
			continue;
		if (run[i] > 0)
			l[w++] = (struct diff_line){ .op = DIFF_FOLD,
			    .old_no = l[i].old_no, .new_no = l[i].new_no,
			    .count = run[i] };
		else
			l[w++] = l[i];
	}
	free(run);
	cut = cut_at(&l[0].op, sizeof(*l), w);
	if (cut == w)
		return w;
	for (size_t k = cut; k < w; k++)
		rest += l[k].op == DIFF_FOLD ? l[k].count : 1;
	lines_release(l + cut, w - cut);
	l[cut] = (struct diff_line){ .op = DIFF_CUT, .count = (uint32_t)rest };
	return cut + 1;
}

/* The text view of old and new (copies the view owns, NUL-terminated). */
static void
text_diff(struct diff_view *v)
{
	struct piece *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	struct intern in = { 0 };
	struct script s = { 0 };
	uint32_t *ia, *ib;

	if (v->old_copy)
		na = lines_split(v->old_copy, v->old_size, &a, DIFF_MAX_LINES);
	if (na != SIZE_MAX && v->new_copy)
		nb = lines_split(v->new_copy, v->new_size, &b, DIFF_MAX_LINES);
	if (na == SIZE_MAX || nb == SIZE_MAX) {
		free(a);
		v->kind = DIFF_LARGE;
		v->why = "over 50000 lines";
		return;
	}
	ia = xcalloc(na + 1, sizeof(*ia));
	ib = xcalloc(nb + 1, sizeof(*ib));
	for (size_t k = 0; k < na; k++)
		ia[k] = intern_id(&in, a[k].s, a[k].len);
	for (size_t k = 0; k < nb; k++)
		ib[k] = intern_id(&in, b[k].s, b[k].len);
	script_make(&s, ia, na, ib, nb, DIFF_MAX_EDITS);
	v->approx = s.approx;
	v->lines = xcalloc(s.n + 1, sizeof(*v->lines));
	for (size_t k = 0; k < s.n; k++) {
		struct diff_line *l = &v->lines[k];

		if (s.op[k] == 'S' || s.op[k] == 'D') {
			*l = (struct diff_line){ .op = s.op[k] == 'S' ?
			    DIFF_SAME : DIFF_DEL, .old_no = (uint32_t)i + 1,
			    .new_no = s.op[k] == 'S' ? (uint32_t)j + 1 : 0,
			    .text = a[i].s, .len = a[i].len };
			v->removed += s.op[k] == 'D';
			j += s.op[k] == 'S';
			i++;
		} else {
			*l = (struct diff_line){ .op = DIFF_ADD,
			    .new_no = (uint32_t)j + 1, .text = b[j].s,
			    .len = b[j].len };
			v->added++;
			j++;
		}
	}
	lines_pair(v->lines, s.n);
	v->nlines = lines_fold(v->lines, s.n, DIFF_CONTEXT);
	free(s.op);
	intern_free(&in);
	free(ia);
	free(ib);
	free(a);
	free(b);
}

/* ------------------------------------------------------------------ */
/* Tables: RFC 4180 records                                            */

static void
record_add_cell(struct diff_record *r, struct buf *cell)
{
	r->cells = xreallocarray(r->cells, r->n + 1, sizeof(*r->cells));
	r->cells[r->n++] = buf_steal(cell);
}

/*
 * Parses text as records separated by sep: a field in double quotes may
 * hold sep, line ends and "" (a quote); a quote elsewhere is taken as it
 * is; a record ends at "\n" or "\r\n"; a UTF-8 byte order mark at the
 * start and empty lines are skipped; an unterminated quote runs to the
 * end.  Returns 0 with *out and *n set, or -E2BIG past the caps.
 */
static int
csv_parse(const char *s, size_t len, char sep, struct diff_record **out,
    size_t *n)
{
	struct diff_record *recs = NULL, cur = { 0 };
	struct buf cell = { 0 };
	size_t nrec = 0, i = 0;
	bool quoted = false, any = false;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i <= len; i++) {
		char c = i < len ? s[i] : '\n';

		if (quoted) {
			if (i == len) {
				quoted = false;
			} else if (c == '"' && i + 1 < len && s[i + 1] == '"') {
				buf_add(&cell, "\"", 1);
				i++;
				continue;
			} else if (c == '"') {
				quoted = false;
				continue;
			} else {
				buf_add(&cell, &c, 1);
				continue;
			}
		}
		if (c == '"' && cell.len == 0 && !quoted) {
			quoted = any = true;
			continue;
		}
		if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
			continue;
		if (c == sep || c == '\n') {
			if (c == '\n' && !any && cur.n == 0)
				continue;	/* an empty line */
			record_add_cell(&cur, &cell);
			any = true;
			if (cur.n > DIFF_MAX_COLS)
				goto toobig;
			if (c == sep)
				continue;
			if (nrec == DIFF_MAX_ROWS)
				goto toobig;
			recs = xreallocarray(recs, nrec + 1, sizeof(*recs));
			recs[nrec++] = cur;
			memset(&cur, 0, sizeof(cur));
			any = false;
			continue;
		}
		buf_add(&cell, &c, 1);
		any = true;
	}
	buf_free(&cell);
	*out = recs;
	*n = nrec;
	return 0;
toobig:
	buf_free(&cell);
	strv_free(cur.cells, cur.n);
	for (size_t k = 0; k < nrec; k++)
		strv_free(recs[k].cells, recs[k].n);
	free(recs);
	return -E2BIG;
}

/* The cell at col, or "" past the record's end. */
static const char *
cell_at(const struct diff_record *r, size_t col)
{
	return r != NULL && col < r->n ? r->cells[col] : "";
}

static bool
records_equal(const struct diff_record *a, const struct diff_record *b)
{
	size_t n = a->n > b->n ? a->n : b->n;

	for (size_t i = 0; i < n; i++)
		if (strcmp(cell_at(a, i), cell_at(b, i)) != 0)
			return false;
	return true;
}

/* Whether each record's first cell is non-empty and unique among them. */
static bool
keys_unique(const struct diff_record *r, size_t n)
{
	struct intern in = { 0 };
	bool ok = true;

	for (size_t i = 0; i < n && ok; i++) {
		const char *k = cell_at(&r[i], 0);
		size_t before = in.n;

		(void)intern_id(&in, k, strlen(k));
		if (*k == '\0' || in.n == before)
			ok = false;
	}
	intern_free(&in);
	return ok;
}

/* Whether the names in a header are unique (empty ones included). */
static bool
names_unique(const struct diff_record *h)
{
	struct intern in = { 0 };
	bool ok = true;

	for (size_t i = 0; i < h->n && ok; i++) {
		size_t before = in.n;

		(void)intern_id(&in, h->cells[i], strlen(h->cells[i]));
		ok = in.n > before;
	}
	intern_free(&in);
	return ok;
}

/* Which old column each new column is (by name when the names are
 * unique on both sides, else by position), -1 for a new one. */
static void
columns_map(struct diff_table *t)
{
	const struct diff_record *o = &t->old_header, *nh = &t->new_header;
	bool by_name = o->n > 0 && names_unique(o) && names_unique(nh);

	t->ncol_map = nh->n;
	t->col_map = xcalloc(nh->n + 1, sizeof(*t->col_map));
	bool *used = xcalloc(o->n + 1, 1);

	for (size_t j = 0; j < nh->n; j++) {
		t->col_map[j] = -1;
		if (!by_name) {
			if (j < o->n || o->n == 0)
				t->col_map[j] = (long)j;
			continue;
		}
		for (size_t i = 0; i < o->n; i++)
			if (strcmp(o->cells[i], nh->cells[j]) == 0) {
				t->col_map[j] = (long)i;
				used[i] = true;
			}
	}
	/* a column renamed in place is still that column */
	for (size_t j = 0; by_name && j < nh->n; j++)
		if (t->col_map[j] < 0 && j < o->n && !used[j]) {
			t->col_map[j] = (long)j;
			used[j] = true;
		}
	free(used);
}

bool
diff_cell(const struct diff_table *t, const struct diff_row *r, size_t col,
    const char **old, const char **new)
{
	const char *o = NULL, *n = NULL;

	if (r->new != NULL) {
		long oc = col < t->ncol_map ? t->col_map[col] : (long)col;

		n = cell_at(r->new, col);
		if (r->old != NULL && oc >= 0)
			o = cell_at(r->old, (size_t)oc);
	} else if (r->old != NULL) {
		o = cell_at(r->old, col);
	}
	*old = o;
	*new = n;
	if (r->op == DIFF_ADD || r->op == DIFF_DEL)
		return true;
	return o == NULL ? n != NULL && *n != '\0' :
	    n == NULL || strcmp(o, n) != 0;
}

size_t
diff_ncols(const struct diff_table *t, const struct diff_row *r)
{
	size_t n = r->new ? t->new_header.n : t->old_header.n;
	const struct diff_record *rec = r->new ? r->new : r->old;

	return rec != NULL && rec->n > n ? rec->n : n;
}

/* Whether a row shown as unchanged by its key has a changed cell. */
static bool
row_changed(const struct diff_table *t, const struct diff_row *r)
{
	const char *o, *n;
	size_t cols = diff_ncols(t, r);

	for (size_t c = 0; c < cols; c++)
		if (diff_cell(t, r, c, &o, &n))
			return true;
	return false;
}

/* lines_fold() for rows. */
static size_t
rows_fold(struct diff_row *l, size_t n, size_t ctx)
{
	uint32_t *run = fold_plan(&l[0].op, sizeof(*l), n, ctx);
	size_t w = 0, cut, rest = 0;

	for (size_t i = 0; i < n; i++) {
		if (run[i] == UINT32_MAX)
			continue;
		if (run[i] > 0)
			l[w++] = (struct diff_row){ .op = DIFF_FOLD,
			    .old_no = l[i].old_no, .new_no = l[i].new_no,
			    .count = run[i] };
		else
			l[w++] = l[i];
	}
	free(run);
	cut = cut_at(&l[0].op, sizeof(*l), w);
	if (cut == w)
		return w;
	for (size_t k = cut; k < w; k++)
		rest += l[k].op == DIFF_FOLD ? l[k].count : 1;
	l[cut] = (struct diff_row){ .op = DIFF_CUT, .count = (uint32_t)rest };
	return cut + 1;
}

/*
 * By position: pairs each run of removed rows with the added rows right
 * after it, one for one, as changed rows shown where the added row is.
 * Rewrites rows in place and returns the new count.
 */
static size_t
rows_pair(struct diff_row *rows, size_t n)
{
	bool *drop = xcalloc(n + 1, 1);
	size_t w = 0;

	for (size_t x = 0; x < n;) {
		size_t d = x, e, pairs;

		while (d < n && rows[d].op == DIFF_DEL)
			d++;
		e = d;
		while (e < n && rows[e].op == DIFF_ADD)
			e++;
		pairs = d - x < e - d ? d - x : e - d;
		for (size_t p = 0; p < pairs; p++) {
			rows[d + p].op = DIFF_CHANGE;
			rows[d + p].old = rows[x + p].old;
			rows[d + p].old_no = rows[x + p].old_no;
			drop[x + p] = true;
		}
		x = e > x ? e : x + 1;
	}
	for (size_t x = 0; x < n; x++)
		if (!drop[x])
			rows[w++] = rows[x];
	free(drop);
	return w;
}

/*
 * The rows of a table: the script over the data records' ids (their key,
 * or their whole content), then, keyed, a removed row whose key is still
 * there dropped and an added one shown as the old row changed (a row that
 * moved); by position, runs of removed rows paired with the added rows
 * after them as changed rows.
 */
static void
rows_build(struct diff_view *v, const struct diff_record *a, size_t na,
    const struct diff_record *b, size_t nb)
{
	struct diff_table *t = &v->table;
	struct intern in = { 0 }, ka = { 0 }, kb = { 0 };
	struct script s = { 0 };
	struct buf *joined = xcalloc(na + nb + 1, sizeof(*joined));
	uint32_t *ia = xcalloc(na + 1, sizeof(*ia));
	uint32_t *ib = xcalloc(nb + 1, sizeof(*ib));
	size_t i = 0, j = 0, w = 0;

	for (size_t k = 0; k < na + nb; k++) {
		const struct diff_record *r = k < na ? &a[k] : &b[k - na];
		const char *key = cell_at(r, 0);

		if (t->keyed) {
			buf_add(&joined[k], key, strlen(key));
		} else {
			for (size_t c = 0; c < r->n; c++)
				buf_add(&joined[k], r->cells[c],
				    strlen(r->cells[c]) + 1);
		}
		if (joined[k].s == NULL)
			buf_add(&joined[k], "", 0);
		if (k < na)
			ia[k] = intern_id(&in, joined[k].s, joined[k].len);
		else
			ib[k - na] = intern_id(&in, joined[k].s,
			    joined[k].len);
		if (t->keyed)
			(void)intern_id(k < na ? &ka : &kb, key, strlen(key));
	}
	script_make(&s, ia, na, ib, nb, DIFF_MAX_EDITS);
	v->approx = s.approx;
	t->rows = xcalloc(s.n + 1, sizeof(*t->rows));
	for (size_t k = 0; k < s.n; k++) {
		struct diff_row r = { 0 };

		if (s.op[k] == 'S') {
			r = (struct diff_row){ DIFF_SAME, (uint32_t)i + 2,
			    (uint32_t)j + 2, 0, &a[i], &b[j] };
			i++, j++;
		} else if (s.op[k] == 'D') {
			const char *key = cell_at(&a[i], 0);

			r = (struct diff_row){ DIFF_DEL, (uint32_t)i + 2, 0, 0,
			    &a[i], NULL };
			i++;
			if (t->keyed && intern_find(&kb, key, strlen(key)) !=
			    UINT32_MAX)
				continue;	/* moved: shown where it is */
		} else {
			const char *key = cell_at(&b[j], 0);
			uint32_t at;

			r = (struct diff_row){ DIFF_ADD, 0, (uint32_t)j + 2, 0,
			    NULL, &b[j] };
			if (t->keyed && (at = intern_find(&ka, key,
			    strlen(key))) != UINT32_MAX) {
				r.op = DIFF_SAME;
				r.old = &a[at];
				r.old_no = at + 2;
			}
			j++;
		}
		if (r.op == DIFF_SAME && row_changed(t, &r))
			r.op = DIFF_CHANGE;
		t->rows[w++] = r;
	}
	if (!t->keyed)
		w = rows_pair(t->rows, w);
	for (size_t x = 0; x < w; x++) {
		v->added += t->rows[x].op == DIFF_ADD;
		v->removed += t->rows[x].op == DIFF_DEL;
		v->changed += t->rows[x].op == DIFF_CHANGE;
	}
	t->nrows = rows_fold(t->rows, w, DIFF_ROW_CONTEXT);
	for (size_t k = 0; k < na + nb; k++)
		buf_free(&joined[k]);
	free(joined);
	free(s.op);
	intern_free(&in);
	intern_free(&ka);
	intern_free(&kb);
	free(ia);
	free(ib);
}

/* The table view of old and new, or a large one past the caps. */
static void
table_diff(struct diff_view *v, char sep)
{
	struct diff_table *t = &v->table;
	struct diff_record *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;

	if ((v->old_copy && csv_parse(v->old_copy, v->old_size, sep, &a,
	    &na) < 0) || (v->new_copy && csv_parse(v->new_copy, v->new_size,
	    sep, &b, &nb) < 0)) {
		for (size_t k = 0; k < na; k++)
			strv_free(a[k].cells, a[k].n);
		free(a);
		v->kind = DIFF_LARGE;
		v->why = "over 20000 rows or 256 columns";
		return;
	}
	v->kind = DIFF_TABLE;
	v->old_recs = a;
	v->nold_recs = na;
	v->new_recs = b;
	v->nnew_recs = nb;
	t->sep = sep;
	if (na > 0)
		t->old_header = a[0];
	if (nb > 0)
		t->new_header = b[0];
	t->header_changed = (na > 0) != (nb > 0) || (na > 0 && nb > 0 &&
	    (a[0].n != b[0].n || !records_equal(&a[0], &b[0])));
	t->keyed = (na == 0 || nb == 0 || strcmp(cell_at(&a[0], 0),
	    cell_at(&b[0], 0)) == 0) && (na > 1 || nb > 1) &&
	    (na < 2 || keys_unique(a + 1, na - 1)) &&
	    (nb < 2 || keys_unique(b + 1, nb - 1));
	columns_map(t);
	rows_build(v, na > 0 ? a + 1 : NULL, na > 0 ? na - 1 : 0,
	    nb > 0 ? b + 1 : NULL, nb > 0 ? nb - 1 : 0);
}

/* ------------------------------------------------------------------ */
/* The view                                                            */

/* The table separator for path's name, or 0 for none. */
static char
table_sep(const char *path)
{
	size_t n = strlen(path);

	if (n >= 4 && strcasecmp(path + n - 4, ".csv") == 0)
		return ',';
	if (n >= 4 && strcasecmp(path + n - 4, ".tsv") == 0)
		return '\t';
	return 0;
}

static char *
copy_of(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);

	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

struct diff_view *
diff_files(const char *path, const void *old, size_t oldlen, const void *new,
    size_t newlen)
{
	struct diff_view *v = xcalloc(1, sizeof(*v));
	char sep = table_sep(path);

	v->old_absent = old == NULL;
	v->new_absent = new == NULL;
	v->old_size = old ? oldlen : 0;
	v->new_size = new ? newlen : 0;
	if (v->old_size > DIFF_MAX_BYTES || v->new_size > DIFF_MAX_BYTES) {
		v->kind = DIFF_LARGE;
		v->why = "over 4 MiB";
		return v;
	}
	if ((old && memchr(old, '\0', oldlen)) ||
	    (new && memchr(new, '\0', newlen))) {
		v->kind = DIFF_BINARY;
		if (old && new && (oldlen != newlen ||
		    memcmp(old, new, oldlen) != 0))
			v->changed = 1;
		return v;
	}
	v->old_copy = old ? copy_of(old, oldlen) : NULL;
	v->new_copy = new ? copy_of(new, newlen) : NULL;
	v->kind = DIFF_TEXT;
	if (sep != 0)
		table_diff(v, sep);
	else
		text_diff(v);
	if ((v->kind == DIFF_LARGE || (v->kind == DIFF_TEXT &&
	    v->added + v->removed == 0)) && old && new &&
	    (oldlen != newlen || memcmp(old, new, oldlen) != 0)) {
		v->changed = 1;	/* e.g. only the last line's end */
		if (v->kind == DIFF_TEXT)
			v->why = "only line ends changed";
	}
	return v;
}

struct diff_view *
diff_large(bool old_absent, size_t old_size, bool new_absent,
    size_t new_size, bool same)
{
	struct diff_view *v = xcalloc(1, sizeof(*v));

	v->kind = DIFF_LARGE;
	v->why = "over 4 MiB";
	v->old_absent = old_absent;
	v->new_absent = new_absent;
	v->old_size = old_absent ? 0 : old_size;
	v->new_size = new_absent ? 0 : new_size;
	v->changed = !same;
	return v;
}

void
diff_free(struct diff_view *v)
{
	if (v == NULL)
		return;
	if (v->lines)
		lines_release(v->lines, v->nlines);
	free(v->lines);
	free(v->table.rows);
	free(v->table.col_map);
	for (size_t k = 0; k < v->nold_recs; k++)
		strv_free(v->old_recs[k].cells, v->old_recs[k].n);
	for (size_t k = 0; k < v->nnew_recs; k++)
		strv_free(v->new_recs[k].cells, v->new_recs[k].n);
	free(v->old_recs);
	free(v->new_recs);
	free(v->old_copy);
	free(v->new_copy);
	free(v);
}

bool
diff_changed(const struct diff_view *v)
{
	return v->old_absent != v->new_absent || v->added > 0 ||
	    v->removed > 0 || v->changed > 0 ||
	    (v->kind == DIFF_TABLE && v->table.header_changed);
}
