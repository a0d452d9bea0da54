/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * difftext.c - a diff view in words (difftext.h): the whole view as plain
 * text, and the few changes a chat message quotes.  Pure.
 */
#include "web/difftext.h"

#include <stdio.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */

void
difftext_clean(struct buf *b, const char *s, size_t n, bool oneline)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t run = i;

		/* the common case, printable ASCII, a run at a time */
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f)
			run++;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		if (p[i] == '\t' || (oneline && (p[i] == '\n' ||
		    p[i] == '\r'))) {
			buf_add(b, oneline ? " " : "\t", 1);
			i++;
			continue;
		}
		size_t len = p[i] >= 0x80 ? util_utf8_char(p + i, n - i, NULL) :
		    0;
		uint32_t cp = 0;

		if (len > 0)
			(void)util_utf8_char(p + i, n - i, &cp);
		/* C1 controls, the line and paragraph separators, and the
		 * bidi overrides and isolates too */
		if (len == 0 || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 ||
		    cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069)) {
			buf_adds(b, REPLACEMENT);
			i += len > 0 ? len : 1;
			continue;
		}
		buf_add(b, s + i, len);
		i += len;
	}
}

/* "  row \"Pro\"" or "row 4": how a row is named. */
static void
row_name(struct buf *b, const struct diff_table *t, const struct diff_row *r)
{
	const struct diff_record *rec = r->new ? r->new : r->old;

	if (t->keyed && rec != NULL && rec->n > 0) {
		buf_adds(b, "row \"");
		difftext_clean(b, rec->cells[0], strlen(rec->cells[0]), true);
		buf_adds(b, "\"");
	} else {
		buf_addf(b, "row %u", r->new ? r->new_no : r->old_no);
	}
}

/* The name of new column col ("Price"), or "column 3". */
static void
col_name(struct buf *b, const struct diff_table *t, const struct diff_row *r,
    size_t col)
{
	const struct diff_record *h = r->new ? &t->new_header : &t->old_header;

	if (col < h->n && h->cells[col][0] != '\0')
		difftext_clean(b, h->cells[col], strlen(h->cells[col]), true);
	else
		buf_addf(b, "column %zu", col + 1);
}

static void
record_join(struct buf *b, const struct diff_record *r)
{
	for (size_t i = 0; r != NULL && i < r->n; i++) {
		if (i > 0)
			buf_adds(b, " | ");
		difftext_clean(b, r->cells[i], strlen(r->cells[i]), true);
	}
}

/* A cell's value, "(empty)" for none. */
static void
value(struct buf *b, const char *v)
{
	if (v == NULL || *v == '\0')
		buf_adds(b, "(empty)");
	else
		difftext_clean(b, v, strlen(v), true);
}

/* "Price: 100 → 110; Seats: 5 → 6": the changed cells of a row, at most
 * max of them (0: all), and how many there were. */
static size_t
cells_changed(struct buf *b, const struct diff_table *t,
    const struct diff_row *r, size_t max)
{
	size_t n = 0, cols = diff_ncols(t, r);
	const char *o, *nv;

	for (size_t c = 0; c < cols; c++) {
		if (!diff_cell(t, r, c, &o, &nv))
			continue;
		if (max == 0 || n < max) {
			if (n > 0)
				buf_adds(b, "; ");
			col_name(b, t, r, c);
			buf_adds(b, ": ");
			value(b, o);
			buf_adds(b, " \xe2\x86\x92 ");	/* → */
			value(b, nv);
		}
		n++;
	}
	return n;
}

static void
format_table(struct buf *b, const struct diff_view *v)
{
	const struct diff_table *t = &v->table;

	buf_addf(b, "table: %s-separated, rows by ",
	    t->sep == ',' ? "comma" : "tab");
	if (t->keyed) {
		const struct diff_record *h = t->new_header.n ?
		    &t->new_header : &t->old_header;

		buf_adds(b, "key \"");
		if (h->n > 0)
			difftext_clean(b, h->cells[0], strlen(h->cells[0]),
			    true);
		buf_adds(b, "\"");
	} else {
		buf_adds(b, "position");
	}
	buf_addf(b, "; %zu added, %zu removed, %zu changed%s\n", v->added,
	    v->removed, v->changed, v->approx ? " (approximate)" : "");
	buf_adds(b, "header: ");
	record_join(b, t->new_header.n ? &t->new_header : &t->old_header);
	buf_adds(b, "\n");
	if (t->header_changed && t->old_header.n > 0) {
		buf_adds(b, "header was: ");
		record_join(b, &t->old_header);
		buf_adds(b, "\n");
	}
	for (size_t i = 0; i < t->nrows; i++) {
		const struct diff_row *r = &t->rows[i];
		static const char mark[] = { ' ', '-', '+', '~' };

		if (r->op == DIFF_FOLD || r->op == DIFF_CUT) {
			buf_addf(b, "@ %u %s rows\n", r->count,
			    r->op == DIFF_FOLD ? "unchanged" :
			    "more rows not shown:");
			continue;
		}
		buf_addf(b, "%c ", mark[r->op]);
		row_name(b, t, r);
		buf_adds(b, ": ");
		if (r->op == DIFF_CHANGE)
			(void)cells_changed(b, t, r, 0);
		else
			record_join(b, r->new ? r->new : r->old);
		buf_adds(b, "\n");
	}
}

/* A line's text with its changed words between open and close. */
static void
line_marked(struct buf *b, const struct diff_line *l, const char *open,
    const char *close)
{
	uint32_t at = 0;

	for (uint32_t k = 0; k < l->nspans; k++) {
		const struct diff_span *sp = &l->spans[k];

		difftext_clean(b, l->text + at, sp->off - at, false);
		buf_adds(b, open);
		difftext_clean(b, l->text + sp->off, sp->len, false);
		buf_adds(b, close);
		at = sp->off + sp->len;
	}
	difftext_clean(b, l->text + at, l->len - at, false);
}

static void
format_lines(struct buf *b, const struct diff_view *v)
{
	buf_addf(b, "text: %zu added, %zu removed%s%s%s\n", v->added,
	    v->removed, v->approx ? " (approximate)" : "",
	    v->why ? "; " : "", v->why ? v->why : "");
	for (size_t i = 0; i < v->nlines; i++) {
		const struct diff_line *l = &v->lines[i];

		switch (l->op) {
		case DIFF_SAME:
			buf_addf(b, "  %4u %4u  ", l->old_no, l->new_no);
			difftext_clean(b, l->text, l->len, false);
			break;
		case DIFF_DEL:
			buf_addf(b, "- %4u       ", l->old_no);
			line_marked(b, l, "[-", "-]");
			break;
		case DIFF_ADD:
			buf_addf(b, "+      %4u  ", l->new_no);
			line_marked(b, l, "{+", "+}");
			break;
		case DIFF_FOLD:
			buf_addf(b, "@ %u unchanged lines", l->count);
			break;
		default:
			buf_addf(b, "@ %u more lines not shown", l->count);
			break;
		}
		buf_adds(b, "\n");
	}
}

void
difftext_format(struct buf *b, const struct diff_view *v)
{
	switch (v->kind) {
	case DIFF_TEXT:
		format_lines(b, v);
		break;
	case DIFF_TABLE:
		format_table(b, v);
		break;
	case DIFF_BINARY:
		buf_addf(b, "binary: %zu \xe2\x86\x92 %zu bytes\n", v->old_size,
		    v->new_size);
		break;
	case DIFF_LARGE:
		buf_addf(b, "large: %s, %zu \xe2\x86\x92 %zu bytes\n", v->why,
		    v->old_size, v->new_size);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The summary                                                         */

/* How far back from off a character starts (never past s). */
static size_t
char_start(const char *s, size_t off)
{
	while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80)
		off--;
	return off;
}

/*
 * A quote of line l: the whole line when it is short, else
 * DIFFTEXT_EXCERPT bytes around its first changed word, with "…" where
 * it was cut.  Cuts fall on character boundaries.
 */
static void
quote_line(struct buf *b, const struct diff_line *l)
{
	size_t from = 0, to = l->len;

	if (l->len > DIFFTEXT_EXCERPT) {
		size_t at = l->nspans > 0 ? l->spans[0].off : 0;

		from = char_start(l->text, at > 20 ? at - 20 : 0);
		to = from + DIFFTEXT_EXCERPT < l->len ?
		    char_start(l->text, from + DIFFTEXT_EXCERPT) : l->len;
	}
	buf_adds(b, from > 0 ? "\"\xe2\x80\xa6" : "\"");
	difftext_clean(b, l->text + from, to - from, true);
	buf_adds(b, to < l->len ? "\xe2\x80\xa6\"" : "\"");
}

/* Counts and appends (the first max) items; struct of the walk. */
struct items {
	struct buf *b;
	size_t n;
	size_t max;
};

/* Starts an item when there is room for it: returns whether to write. */
static bool
item_begin(struct items *it)
{
	if (it->n++ >= it->max)
		return false;
	if (it->n > 1)
		buf_adds(it->b, "; ");
	return true;
}

static void
summary_lines(struct items *it, const struct diff_view *v)
{
	for (size_t i = 0; i < v->nlines;) {
		size_t d = i, a;

		while (d < v->nlines && v->lines[d].op == DIFF_DEL)
			d++;
		a = d;
		while (a < v->nlines && v->lines[a].op == DIFF_ADD)
			a++;
		if (a == i) {
			i++;
			continue;
		}
		for (size_t k = 0; k < d - i || k < a - d; k++) {
			const struct diff_line *o = k < d - i ?
			    &v->lines[i + k] : NULL;
			const struct diff_line *n = k < a - d ?
			    &v->lines[d + k] : NULL;

			if (!item_begin(it))
				continue;
			if (o && n) {
				buf_addf(it->b, "line %u: ", n->new_no);
				quote_line(it->b, o);
				buf_adds(it->b, " \xe2\x86\x92 ");
				quote_line(it->b, n);
			} else {
				buf_addf(it->b, "line %u %s: ",
				    n ? n->new_no : o->old_no,
				    n ? "added" : "removed");
				quote_line(it->b, n ? n : o);
			}
		}
		i = a;
	}
}

static void
summary_table(struct items *it, const struct diff_view *v)
{
	const struct diff_table *t = &v->table;

	if (t->header_changed && t->old_header.n > 0 && item_begin(it)) {
		buf_adds(it->b, "header: ");
		record_join(it->b, &t->new_header);
	}
	for (size_t i = 0; i < t->nrows; i++) {
		const struct diff_row *r = &t->rows[i];

		if (r->op != DIFF_ADD && r->op != DIFF_DEL &&
		    r->op != DIFF_CHANGE)
			continue;
		if (!item_begin(it))
			continue;
		row_name(it->b, t, r);
		if (r->op == DIFF_CHANGE) {
			buf_adds(it->b, ", ");
			/* one cell each: the summary stays short */
			size_t more = cells_changed(it->b, t, r, 1);

			if (more > 1)
				buf_addf(it->b, " (and %zu more cell%s)",
				    more - 1, more > 2 ? "s" : "");
		} else {
			buf_adds(it->b, r->op == DIFF_ADD ? " added" :
			    " removed");
		}
	}
}

void
difftext_summary(struct buf *b, const struct diff_view *v, const char *path,
    size_t max_items)
{
	struct items it = { b, 0, max_items };

	difftext_clean(b, path, strlen(path), true);
	buf_adds(b, ": ");
	if (v->new_absent) {
		buf_adds(b, "removed");
		return;
	}
	if (v->old_absent && v->kind == DIFF_TEXT) {
		buf_addf(b, "new, %zu line%s", v->added,
		    v->added == 1 ? "" : "s");
		return;
	}
	if (v->old_absent) {
		if (v->kind == DIFF_TABLE)
			buf_addf(b, "new, %zu row%s", v->added,
			    v->added == 1 ? "" : "s");
		else
			buf_addf(b, "new, %zu bytes", v->new_size);
		return;
	}
	switch (v->kind) {
	case DIFF_TEXT:
		summary_lines(&it, v);
		break;
	case DIFF_TABLE:
		summary_table(&it, v);
		break;
	default:
		buf_addf(b, "%zu \xe2\x86\x92 %zu bytes", v->old_size,
		    v->new_size);
		return;
	}
	if (it.n == 0)
		buf_adds(b, v->why ? v->why : "no change");
	else if (it.n > it.max)
		buf_addf(b, " (and %zu more)", it.n - it.max);
}
