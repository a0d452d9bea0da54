/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * diff.h - what changed in one file between two versions, as plain data
 * for the review page, the email's text and the chat summary.  Pure: bytes
 * in, a view out, no I/O.
 *
 * A file is one of:
 *
 *   text    lines, as a diff (Myers' O(ND) algorithm over whole lines),
 *           with the changed words marked within a removed line and the
 *           added line it is paired with; unchanged runs longer than the
 *           context folded;
 *   table   a .csv or .tsv file (RFC 4180 quoting), as rows: the first
 *           record is the header; rows are keyed by their first cell when
 *           that is unique and non-empty on both sides and the key column
 *           kept its name (price lists: "Pro" stays "Pro" wherever the
 *           row moves), else by position after a diff of whole rows.
 *           Cells are compared by column name when the header names are
 *           unique on both sides (a column added in the middle does not
 *           change every row), else by position;
 *   binary  a NUL byte on either side: only the sizes;
 *   large   over a cap below: only the sizes and why.
 *
 * Hostile files cannot make it slow: each side is capped in bytes and
 * lines (rows, columns), and the diff stops searching after DIFF_MAX_EDITS
 * edits, when the rest is shown as removed then added (v->approx), which
 * is still a true account of the change, only not the shortest.
 */
#ifndef PRINTGATE_WEB_DIFF_H
#define PRINTGATE_WEB_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define DIFF_MAX_BYTES (4u << 20)	/* each side; else "large" */
#define DIFF_MAX_LINES 50000		/* each side; else "large" */
#define DIFF_MAX_EDITS 1000		/* lines or rows searched for */
#define DIFF_MAX_WORD_EDITS 64		/* words within a line */
#define DIFF_MAX_TOKENS 1000		/* words in a line worth marking */
#define DIFF_MAX_SHOWN 2000		/* lines or rows in a view */
#define DIFF_MAX_ROWS 20000		/* each side; else "large" */
#define DIFF_MAX_COLS 256		/* each side; else "large" */
#define DIFF_CONTEXT 3			/* unchanged lines around one */
#define DIFF_ROW_CONTEXT 1		/* unchanged rows around a change */

enum diff_kind {
	DIFF_TEXT,
	DIFF_TABLE,
	DIFF_BINARY,
	DIFF_LARGE,
};

enum diff_op {
	DIFF_SAME,
	DIFF_DEL,
	DIFF_ADD,
	DIFF_CHANGE,	/* table rows only: the same row, cells changed */
	DIFF_FOLD,	/* count unchanged lines or rows, not shown */
	DIFF_CUT,	/* count lines or rows past DIFF_MAX_SHOWN */
};

/* Changed bytes within a line: text[off, off + len). */
struct diff_span {
	uint32_t off;
	uint32_t len;
};

struct diff_line {
	enum diff_op op;	/* SAME, DEL, ADD, FOLD or CUT */
	uint32_t old_no;	/* 1-based line numbers; 0: not on that side */
	uint32_t new_no;
	uint32_t count;		/* FOLD, CUT: how many lines */
	const char *text;	/* the line without its end, NUL-terminated */
	uint32_t len;
	/* DEL or ADD paired with a line of the other side: its changed
	 * words; when nspans is 0 the whole line is the change */
	struct diff_span *spans;
	uint32_t nspans;
};

/* One record of a table: its cells, NUL-terminated strings. */
struct diff_record {
	char **cells;
	size_t n;
};

struct diff_row {
	enum diff_op op;	/* SAME, DEL, ADD, CHANGE, FOLD or CUT */
	uint32_t old_no;	/* 1-based record numbers (the header is 1) */
	uint32_t new_no;
	uint32_t count;		/* FOLD, CUT */
	const struct diff_record *old;	/* NULL: not on that side */
	const struct diff_record *new;
};

struct diff_table {
	char sep;			/* ',' or '\t' */
	bool keyed;			/* rows keyed by their first cell */
	struct diff_record old_header;	/* n == 0: none (an empty side) */
	struct diff_record new_header;
	bool header_changed;
	/* for each column of the new header, the old column of the same
	 * name (or position), or -1: a column added */
	long *col_map;
	size_t ncol_map;
	struct diff_row *rows;
	size_t nrows;
};

struct diff_view {
	enum diff_kind kind;
	bool old_absent;	/* the file is new */
	bool new_absent;	/* the file was removed */
	size_t old_size;
	size_t new_size;
	/* DIFF_LARGE: why, a static phrase ("over 4 MiB"); DIFF_TEXT:
	 * "only line ends changed" when no line changed but the bytes did */
	const char *why;
	bool approx;		/* the edit cap was reached */
	size_t added;		/* lines or rows */
	size_t removed;
	size_t changed;		/* table rows with changed cells */
	struct diff_line *lines;	/* DIFF_TEXT */
	size_t nlines;
	struct diff_table table;	/* DIFF_TABLE */
	/* what the view's strings point into */
	char *old_copy;
	char *new_copy;
	struct diff_record *old_recs;
	size_t nold_recs;
	struct diff_record *new_recs;
	size_t nnew_recs;
};

/*
 * Compares the two versions of the file at path (its name picks the
 * table format: ".csv", ".tsv", any case); old or new is NULL when the
 * file is absent on that side (added, removed).  The bytes are copied:
 * the caller's may go once it returns.  Never fails (allocation aborts);
 * the caller frees the view with diff_free().
 */
struct diff_view *diff_files(const char *path, const void *old,
    size_t oldlen, const void *new, size_t newlen);
/*
 * The view of a file too large to read for comparing: only the sizes of
 * both sides (from the objects' headers) and whether their bytes are the
 * same (the same blob).  Freed with diff_free().
 */
struct diff_view *diff_large(bool old_absent, size_t old_size,
    bool new_absent, size_t new_size, bool same);
void diff_free(struct diff_view *v);

/*
 * Whether the view shows a change: lines or rows added, removed or
 * changed, a header changed, a binary or large file whose bytes differ,
 * or a side absent.
 */
bool diff_changed(const struct diff_view *v);

/*
 * A table row's cell under new column col (or, for a removed row, old
 * column col): *old and *new its old and new values, NULL when that side
 * has none.  Returns whether the cell changed.
 */
bool diff_cell(const struct diff_table *t, const struct diff_row *r,
    size_t col, const char **old, const char **new);
/* The number of columns a row of the table shows. */
size_t diff_ncols(const struct diff_table *t, const struct diff_row *r);

#endif
