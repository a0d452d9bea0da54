/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * job.h - the framed format of one printgate-render job (what printgated
 * writes to the renderer's standard input) and of its answer (what the
 * renderer writes to its standard output).  Pure: no I/O, no foreign
 * library; the renderer, the caller's helper (run.h) and the fuzz target
 * share it.
 *
 * A job, bytes exactly:
 *
 *     printgate-render 1\n
 *     kind pdf\n                 optional: pdf, png, jpeg, gif, webp, auto
 *     dpi 96\n                   optional: PDF pages' pixels per inch
 *     pages changed\n            optional: changed, all, none, or 2,7
 *     thumbs 120\n               optional: thumbnail width, 0 for none
 *     old 1234\n<1234 bytes>\n   optional: the old version's bytes
 *     new 5678\n<5678 bytes>\n   optional: the new version's bytes
 *     end\n
 *
 * Each line is "KEY VALUE" (one space), at most JOB_LINE_MAX bytes with
 * its newline; each key at most once, in any order; a file's bytes follow
 * its line at once and are followed by one newline; nothing after "end".
 * Absent old: an added file; absent new: a removed one; at least one of
 * them.  "pages" names the new version's pages whose images the answer
 * carries (old pages for removed ones with "changed" and "all").
 *
 * The answer: one line of JSON (at most JOB_HEADER_MAX bytes), then for
 * each name in its "images" array, in that order,
 *
 *     image NAME LENGTH\n<LENGTH bytes of PNG>\n
 *
 * and last "end\n".  The JSON is {"v":1,"preview":false,"reason":"..."}
 * for a file that cannot be shown, else the description written in
 * printgate-render(8).
 */
#ifndef PRINTGATE_RENDER_JOB_H
#define PRINTGATE_RENDER_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define JOB_MAGIC "printgate-render 1"
#define JOB_LINE_MAX 128	/* a line of the job, newline included */
#define JOB_PAGES_MAX 64	/* pages named in a "pages" list */
#define JOB_PAGE_MAX 100000	/* the highest page number a list names */
#define JOB_DPI_MIN 18
#define JOB_DPI_MAX 600
#define JOB_DPI_DEFAULT 96
#define JOB_THUMBS_MAX 512
#define JOB_HEADER_MAX (1 << 20)	/* the answer's JSON line */
#define JOB_IMAGE_NAME_MAX 32

enum job_kind { JOB_AUTO, JOB_PDF, JOB_PNG, JOB_JPEG, JOB_GIF, JOB_WEBP };

enum job_pages { JOB_PAGES_CHANGED, JOB_PAGES_ALL, JOB_PAGES_NONE,
	JOB_PAGES_LIST };

/* One version of the file: its bytes, borrowed from the job's buffer. */
struct job_file {
	bool present;
	const unsigned char *data;
	size_t len;
};

struct job {
	enum job_kind kind;
	int dpi;
	enum job_pages pages;
	int list[JOB_PAGES_MAX];	/* with JOB_PAGES_LIST: page numbers */
	size_t nlist;
	int thumbs;			/* thumbnail width in pixels, or 0 */
	struct job_file old, new;
};

/* Fills *out with the defaults: auto, 96 dpi, changed pages, no thumbs. */
void job_init(struct job *out);

/*
 * Parses the len bytes at data as a job, neither of whose files may be
 * over max_file bytes.  Returns 0 with *out filled (its files point into
 * data, which must outlive it); or -EINVAL with *out untouched and why
 * (whylen bytes) one sentence: what is wrong and where.
 */
int job_parse(struct job *out, const void *data, size_t len,
    size_t max_file, char *why, size_t whylen);

/* Appends job j in the format above to b (the caller's buffer). */
void job_encode(struct buf *b, const struct job *j);

/* The kind's name in the format ("pdf"), and the kind a name stands for. */
const char *job_kind_name(enum job_kind k);
int job_kind_parse(const char *s, enum job_kind *out);

/*
 * The kind of the n bytes at data from their first bytes (%PDF-, the PNG,
 * JPEG, GIF and RIFF/WEBP signatures); JOB_AUTO when none matches.
 */
enum job_kind job_sniff(const unsigned char *data, size_t n);

/*
 * Reads one "image NAME LENGTH\n" line of an answer at s (n bytes left):
 * 0 with the name copied into name[JOB_IMAGE_NAME_MAX], *len and *used
 * (the line's length) set; -EINVAL when malformed.  A helper of the
 * answer's readers (run.c, the tests).
 */
int job_image_line(const char *s, size_t n, char *name, size_t *len,
    size_t *used);

#endif
