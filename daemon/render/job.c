/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * job.c - the renderer's job format (job.h): parsing what arrives on the
 * renderer's standard input, encoding it for the caller, and reading the
 * framing lines of the answer.  Pure: outside input is parsed here and
 * nowhere else, with a cap on every line, number and length.
 */
#include "render/job.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
	[JOB_AUTO] = "auto", [JOB_PDF] = "pdf", [JOB_PNG] = "png",
	[JOB_JPEG] = "jpeg", [JOB_GIF] = "gif", [JOB_WEBP] = "webp",
};

void
job_init(struct job *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = JOB_AUTO;
	out->dpi = JOB_DPI_DEFAULT;
	out->pages = JOB_PAGES_CHANGED;
}

const char *
job_kind_name(enum job_kind k)
{
	if ((size_t)k >= ARRAY_SIZE(kind_names))
		return "auto";
	return kind_names[k];
}

int
job_kind_parse(const char *s, enum job_kind *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum job_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum job_kind
job_sniff(const unsigned char *d, size_t n)
{
	if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return JOB_PDF;
	if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return JOB_PNG;
	if (n >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
		return JOB_JPEG;
	if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 ||
	    memcmp(d, "GIF89a", 6) == 0))
		return JOB_GIF;
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 &&
	    memcmp(d + 8, "WEBP", 4) == 0)
		return JOB_WEBP;
	return JOB_AUTO;
}

/*
 * A decimal number of at most 9 digits, no sign, no leading zero (but
 * "0"), between lo and hi: 0 with *out set, or -EINVAL.
 */
static int
parse_num(const char *s, size_t n, long lo, long hi, long *out)
{
	long v = 0;

	if (n == 0 || n > 9 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "changed", "all", "none" or a list "2,7" into j; 0 or -EINVAL. */
static int
parse_pages(struct job *j, const char *s, size_t n)
{
	size_t start = 0;
	long v;

	if (n == 7 && memcmp(s, "changed", 7) == 0)
		j->pages = JOB_PAGES_CHANGED;
	else if (n == 3 && memcmp(s, "all", 3) == 0)
		j->pages = JOB_PAGES_ALL;
	else if (n == 4 && memcmp(s, "none", 4) == 0)
		j->pages = JOB_PAGES_NONE;
	else {
		j->pages = JOB_PAGES_LIST;
		j->nlist = 0;
		for (size_t i = 0; i <= n; i++) {
			if (i < n && s[i] != ',')
				continue;
			if (j->nlist == JOB_PAGES_MAX ||
			    parse_num(s + start, i - start, 1, JOB_PAGE_MAX,
			    &v) < 0)
				return -EINVAL;
			j->list[j->nlist++] = (int)v;
			start = i + 1;
		}
	}
	return 0;
}

/* The keys of a job, as bits, to refuse one given twice. */
enum { K_KIND = 1, K_DPI = 2, K_PAGES = 4, K_THUMBS = 8, K_OLD = 16,
	K_NEW = 32 };

/*
 * One "KEY VALUE" line (without its newline) into j; a file's line also
 * takes its bytes from *pos on.  Returns 0 or -EINVAL with why set.
 */
static int
parse_line(struct job *j, const char *line, size_t n, const unsigned char *d,
    size_t len, size_t *pos, size_t max_file, unsigned *seen, char *why,
    size_t whylen)
{
	const char *sp = memchr(line, ' ', n);
	size_t klen = sp ? (size_t)(sp - line) : n;
	const char *v = sp ? sp + 1 : line + n;
	size_t vlen = sp ? n - klen - 1 : 0;
	char val[JOB_LINE_MAX];
	unsigned bit;
	long num;

	if (sp == NULL || vlen == 0 || memchr(v, ' ', vlen) != NULL) {
		snprintf(why, whylen, "line '%.*s' is not KEY VALUE",
		    (int)(n > 40 ? 40 : n), line);
		return -EINVAL;
	}
	memcpy(val, v, vlen);
	val[vlen] = '\0';
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(line, s, klen) == 0)
	bit = KEY("kind") ? K_KIND : KEY("dpi") ? K_DPI :
	    KEY("pages") ? K_PAGES : KEY("thumbs") ? K_THUMBS :
	    KEY("old") ? K_OLD : KEY("new") ? K_NEW : 0;
#undef KEY
	if (bit == 0) {
		snprintf(why, whylen, "unknown key '%.*s'",
		    (int)(klen > 20 ? 20 : klen), line);
		return -EINVAL;
	}
	if (*seen & bit) {
		snprintf(why, whylen, "key '%.*s' given twice", (int)klen,
		    line);
		return -EINVAL;
	}
	*seen |= bit;
	switch (bit) {
	case K_KIND:
		if (job_kind_parse(val, &j->kind) < 0)
			goto bad;
		return 0;
	case K_DPI:
		if (parse_num(val, vlen, JOB_DPI_MIN, JOB_DPI_MAX, &num) < 0)
			goto bad;
		j->dpi = (int)num;
		return 0;
	case K_PAGES:
		if (parse_pages(j, val, vlen) < 0)
			goto bad;
		return 0;
	case K_THUMBS:
		if (parse_num(val, vlen, 0, JOB_THUMBS_MAX, &num) < 0)
			goto bad;
		j->thumbs = (int)num;
		return 0;
	}
	/* old or new: the bytes, then a newline */
	if (parse_num(val, vlen, 0, 999999999, &num) < 0)
		goto bad;
	if ((size_t)num > max_file) {
		snprintf(why, whylen, "the %s file is %ld bytes, over the "
		    "limit of %zu", bit == K_OLD ? "old" : "new", num,
		    max_file);
		return -EINVAL;
	}
	if (len - *pos < (size_t)num + 1 || d[*pos + (size_t)num] != '\n') {
		snprintf(why, whylen, "the %s file's %ld bytes and their "
		    "newline are not all there", bit == K_OLD ? "old" : "new",
		    num);
		return -EINVAL;
	}
	struct job_file *f = bit == K_OLD ? &j->old : &j->new;
	f->present = true;
	f->data = d + *pos;
	f->len = (size_t)num;
	*pos += (size_t)num + 1;
	return 0;
bad:
	snprintf(why, whylen, "bad value '%s' for '%.*s'", val, (int)klen,
	    line);
	return -EINVAL;
}

int
job_parse(struct job *out, const void *data, size_t len, size_t max_file,
    char *why, size_t whylen)
{
	const unsigned char *d = data;
	size_t pos = 0, lineno = 0;
	unsigned seen = 0;
	struct job j;

	job_init(&j);
	for (;;) {
		size_t left = len - pos;
		size_t cap = left < JOB_LINE_MAX ? left : JOB_LINE_MAX;
		const unsigned char *nl = memchr(d + pos, '\n', cap);
		const char *line = (const char *)d + pos;
		size_t n;

		lineno++;
		if (nl == NULL) {
			snprintf(why, whylen, "line %zu: %s", lineno,
			    cap == JOB_LINE_MAX ? "longer than 128 bytes" :
			    "the job ends without \"end\"");
			return -EINVAL;
		}
		n = (size_t)(nl - (d + pos));
		pos += n + 1;
		if (memchr(line, '\0', n) != NULL) {
			snprintf(why, whylen, "line %zu: a NUL byte", lineno);
			return -EINVAL;
		}
		if (lineno == 1) {
			if (n != strlen(JOB_MAGIC) ||
			    memcmp(line, JOB_MAGIC, n) != 0) {
				snprintf(why, whylen, "line 1: not \"%s\"",
				    JOB_MAGIC);
				return -EINVAL;
			}
			continue;
		}
		if (n == 3 && memcmp(line, "end", 3) == 0)
			break;
		char sub[200];
		if (parse_line(&j, line, n, d, len, &pos, max_file, &seen, sub,
		    sizeof(sub)) < 0) {
			snprintf(why, whylen, "line %zu: %s", lineno, sub);
			return -EINVAL;
		}
	}
	if (pos != len) {
		snprintf(why, whylen, "%zu bytes after \"end\"", len - pos);
		return -EINVAL;
	}
	if (!j.old.present && !j.new.present) {
		snprintf(why, whylen, "neither an old nor a new file");
		return -EINVAL;
	}
	*out = j;
	return 0;
}

static void
encode_file(struct buf *b, const char *key, const struct job_file *f)
{
	if (!f->present)
		return;
	buf_addf(b, "%s %zu\n", key, f->len);
	buf_add(b, (const char *)f->data, f->len);
	buf_adds(b, "\n");
}

void
job_encode(struct buf *b, const struct job *j)
{
	buf_adds(b, JOB_MAGIC "\n");
	if (j->kind != JOB_AUTO)
		buf_addf(b, "kind %s\n", job_kind_name(j->kind));
	buf_addf(b, "dpi %d\n", j->dpi);
	switch (j->pages) {
	case JOB_PAGES_CHANGED:
		buf_adds(b, "pages changed\n");
		break;
	case JOB_PAGES_ALL:
		buf_adds(b, "pages all\n");
		break;
	case JOB_PAGES_NONE:
		buf_adds(b, "pages none\n");
		break;
	case JOB_PAGES_LIST:
		buf_adds(b, "pages ");
		for (size_t i = 0; i < j->nlist; i++)
			buf_addf(b, "%s%d", i ? "," : "", j->list[i]);
		buf_adds(b, "\n");
		break;
	}
	if (j->thumbs > 0)
		buf_addf(b, "thumbs %d\n", j->thumbs);
	encode_file(b, "old", &j->old);
	encode_file(b, "new", &j->new);
	buf_adds(b, "end\n");
}

int
job_image_line(const char *s, size_t n, char *name, size_t *len,
    size_t *used)
{
	size_t cap = n < JOB_LINE_MAX ? n : JOB_LINE_MAX;
	const char *nl = memchr(s, '\n', cap);
	const char *sp;
	size_t namelen;
	long v;

	if (nl == NULL || (size_t)(nl - s) < 6 || memcmp(s, "image ", 6) != 0)
		return -EINVAL;
	sp = memchr(s + 6, ' ', (size_t)(nl - s) - 6);
	if (sp == NULL)
		return -EINVAL;
	namelen = (size_t)(sp - (s + 6));
	if (namelen == 0 || namelen >= JOB_IMAGE_NAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < namelen; i++) {
		char c = s[6 + i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return -EINVAL;
	}
	if (parse_num(sp + 1, (size_t)(nl - sp - 1), 0, 999999999, &v) < 0)
		return -EINVAL;
	memcpy(name, s + 6, namelen);
	name[namelen] = '\0';
	*len = (size_t)v;
	*used = (size_t)(nl - s) + 1;
	return 0;
}
