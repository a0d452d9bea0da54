/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * diffhtml.c - a diff view as HTML (diffhtml.h).  Pure.
 */
#include "web/diffhtml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/html.h"

void
diffhtml_size(size_t n, char *out, size_t len)
{
	if (n < 1024)
		snprintf(out, len, "%zu bytes", n);
	else if (n < 1024 * 1024)
		snprintf(out, len, "%.1f KiB", (double)n / 1024);
	else
		snprintf(out, len, "%.1f MiB", (double)n / (1024 * 1024));
}

/* The text of a line with its changed words in <tag>. */
static void
line_marked(struct buf *b, const struct diff_line *l, const char *tag)
{
	uint32_t at = 0;

	for (uint32_t k = 0; k < l->nspans; k++) {
		const struct diff_span *sp = &l->spans[k];

		html_text(b, l->text + at, sp->off - at);
		buf_addf(b, "<%s>", tag);
		html_text(b, l->text + sp->off, sp->len);
		buf_addf(b, "</%s>", tag);
		at = sp->off + sp->len;
	}
	html_text(b, l->text + at, l->len - at);
}

static void
line_number(struct buf *b, uint32_t n)
{
	if (n > 0)
		buf_addf(b, "<td class=\"no\">%u</td>", n);
	else
		buf_adds(b, "<td class=\"no\"></td>");
}

static void
render_lines(struct buf *b, const struct diff_view *v)
{
	buf_adds(b, "<div class=\"scroll\"><table class=\"lines\">"
	    "<thead><tr><th scope=\"col\" class=\"no\">Old</th>"
	    "<th scope=\"col\" class=\"no\">New</th>"
	    "<th scope=\"col\"><span class=\"sr\">Line</span></th>"
	    "</tr></thead><tbody>\n");
	for (size_t i = 0; i < v->nlines; i++) {
		const struct diff_line *l = &v->lines[i];

		if (l->op == DIFF_FOLD || l->op == DIFF_CUT) {
			buf_addf(b, "<tr class=\"fold\"><td colspan=\"3\">"
			    "%u %s</td></tr>\n", l->count, l->op == DIFF_FOLD ?
			    (l->count == 1 ? "unchanged line" :
			    "unchanged lines") : "more lines not shown");
			continue;
		}
		buf_addf(b, "<tr class=\"%s\">", l->op == DIFF_SAME ? "same" :
		    l->op == DIFF_DEL ? "del" : "add");
		line_number(b, l->old_no);
		line_number(b, l->new_no);
		buf_adds(b, "<td class=\"code\">");
		if (l->op == DIFF_DEL) {
			buf_adds(b, "<span class=\"sr\">removed: </span>");
			line_marked(b, l, l->nspans ? "del" : "span");
		} else if (l->op == DIFF_ADD) {
			buf_adds(b, "<span class=\"sr\">added: </span>");
			line_marked(b, l, l->nspans ? "ins" : "span");
		} else {
			html_text(b, l->text, l->len);
		}
		buf_adds(b, "</td></tr>\n");
	}
	buf_adds(b, "</tbody></table></div>\n");
}

/* "added “Discount”, removed “Seats”, renamed “Price” to “Cost”". */
static void
header_changes(struct buf *b, const struct diff_table *t)
{
	const struct diff_record *o = &t->old_header, *n = &t->new_header;
	bool *used = xcalloc(o->n + 1, 1);
	const char *sep = "";

	buf_adds(b, "<p class=\"note\">Columns changed: ");
	for (size_t j = 0; j < t->ncol_map; j++) {
		long m = t->col_map[j];

		if (m >= 0 && (size_t)m < o->n)
			used[m] = true;
		if (m < 0) {
			buf_addf(b, "%sadded \xe2\x80\x9c", sep);
		} else if ((size_t)m < o->n &&
		    strcmp(o->cells[m], n->cells[j]) != 0) {
			buf_addf(b, "%srenamed \xe2\x80\x9c", sep);
			html_texts(b, o->cells[m]);
			buf_adds(b, "\xe2\x80\x9d to \xe2\x80\x9c");
		} else {
			continue;
		}
		html_texts(b, n->cells[j]);
		buf_adds(b, "\xe2\x80\x9d");
		sep = ", ";
	}
	for (size_t i = 0; i < o->n && n->n > 0; i++)
		if (!used[i]) {
			buf_addf(b, "%sremoved \xe2\x80\x9c", sep);
			html_texts(b, o->cells[i]);
			buf_adds(b, "\xe2\x80\x9d");
			sep = ", ";
		}
	if (*sep == '\0')
		buf_adds(b, "their order");
	buf_adds(b, ".</p>\n");
	free(used);
}

/* <tag>value</tag>, or "(empty)" in its own class. */
static void
cell_value(struct buf *b, const char *tag, const char *v)
{
	if (v == NULL || *v == '\0') {
		html_elem(b, "span", "empty", "(empty)");
		return;
	}
	html_elem(b, tag, NULL, v);
}

static void
render_row(struct buf *b, const struct diff_table *t, const struct diff_row *r,
    size_t ncols)
{
	static const char *const cls[] = { "same", "del", "add", "change" };
	static const char *const word[] = { "", "removed", "added",
	    "changed" };
	const char *o, *n;

	buf_addf(b, "<tr class=\"%s\"><td class=\"status\">%s</td>",
	    cls[r->op], word[r->op]);
	for (size_t c = 0; c < ncols; c++) {
		bool changed = diff_cell(t, r, c, &o, &n);

		if (r->op == DIFF_CHANGE && changed) {
			buf_adds(b, "<td class=\"changed\">");
			cell_value(b, "del", o);
			buf_adds(b, " \xe2\x86\x92 ");
			cell_value(b, "ins", n);
			buf_adds(b, "</td>");
		} else {
			buf_adds(b, "<td>");
			html_texts(b, n ? n : o);
			buf_adds(b, "</td>");
		}
	}
	buf_adds(b, "</tr>\n");
}

static void
render_table(struct buf *b, const struct diff_view *v)
{
	const struct diff_table *t = &v->table;
	const struct diff_record *h = t->new_header.n ? &t->new_header :
	    &t->old_header;
	size_t ncols = h->n;

	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].op != DIFF_FOLD && t->rows[i].op != DIFF_CUT &&
		    diff_ncols(t, &t->rows[i]) > ncols)
			ncols = diff_ncols(t, &t->rows[i]);
	buf_adds(b, "<p class=\"note\">");
	if (t->keyed) {
		buf_adds(b, "Rows matched by \xe2\x80\x9c");
		html_texts(b, h->n ? h->cells[0] : "");
		buf_adds(b, "\xe2\x80\x9d. ");
	} else {
		buf_adds(b, "Rows matched by position. ");
	}
	buf_addf(b, "%zu changed, %zu added, %zu removed.</p>\n", v->changed,
	    v->added, v->removed);
	if (t->header_changed && t->old_header.n > 0 && t->new_header.n > 0)
		header_changes(b, t);
	buf_adds(b, "<div class=\"scroll\"><table class=\"grid\"><thead><tr>"
	    "<th scope=\"col\" class=\"status\"><span class=\"sr\">Change"
	    "</span></th>");
	for (size_t c = 0; c < ncols; c++) {
		buf_adds(b, "<th scope=\"col\">");
		html_texts(b, c < h->n ? h->cells[c] : "");
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < t->nrows; i++) {
		const struct diff_row *r = &t->rows[i];

		if (r->op == DIFF_FOLD || r->op == DIFF_CUT)
			buf_addf(b, "<tr class=\"fold\"><td colspan=\"%zu\">"
			    "%u %s</td></tr>\n", ncols + 1, r->count,
			    r->op == DIFF_FOLD ? (r->count == 1 ?
			    "unchanged row" : "unchanged rows") :
			    "more rows not shown");
		else
			render_row(b, t, r, ncols);
	}
	buf_adds(b, "</tbody></table></div>\n");
}

void
diffhtml_render(struct buf *b, const struct diff_view *v)
{
	char o[32], n[32];

	diffhtml_size(v->old_size, o, sizeof(o));
	diffhtml_size(v->new_size, n, sizeof(n));
	switch (v->kind) {
	case DIFF_TEXT:
		if (v->approx)
			buf_adds(b, "<p class=\"note\">Too many changes to "
			    "match line by line: shown as removed, then "
			    "added.</p>\n");
		if (v->why)
			html_elem(b, "p", "note", v->why);
		if (v->nlines > 0)
			render_lines(b, v);
		else
			html_elem(b, "p", "note", "Empty file.");
		break;
	case DIFF_TABLE:
		render_table(b, v);
		break;
	case DIFF_BINARY:
	case DIFF_LARGE:
		buf_adds(b, "<p class=\"note\">");
		html_textf(b, "%s: ", v->kind == DIFF_BINARY ?
		    "Not a text file" : "Too large to compare");
		if (v->kind == DIFF_LARGE)
			html_textf(b, "%s; ", v->why);
		if (v->old_absent)
			html_textf(b, "new, %s.", n);
		else if (v->new_absent)
			html_textf(b, "removed, was %s.", o);
		else
			html_textf(b, "%s \xe2\x86\x92 %s%s.", o, n,
			    v->changed ? "" : ", the same bytes");
		buf_adds(b, "</p>\n");
		break;
	}
}
