/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printgate-render - the sandboxed renderer of previews, run by
 * printgated for each PDF or image a review shows.
 *
 *   printgate-render [-t cpu-seconds] [-m memory-mib] [-s file-mib]
 *                    [-p max-pages] [-X open|write|socket|exec]
 *
 * Reads one job on standard input (job.h, printgate-render(8): the old
 * and the new version's bytes, either absent for an added or removed
 * file, the kind, the preview's dpi, which pages' images to send) and
 * writes one answer on standard output: a line of JSON (the pages, which
 * changed, were added or removed, the boxes around the changed regions,
 * the changed words), then the PNG images (old page, new page, the
 * difference, thumbnails), each length-prefixed.
 *
 * The file is hostile until shown otherwise: limits are set before the
 * job is read, the libraries initialised, then the seccomp filter goes in
 * before a byte of the file is parsed (sandbox.h).  A file that cannot be
 * shown (damaged, encrypted, too many pages or pixels, more CPU time or
 * memory than allowed) is answered {"preview":false,"reason":...} with
 * exit status 0.  Exit 2: bad options or a malformed job (a bug of the
 * caller), with the reason on standard error.  -X tries the forbidden
 * thing named once the filter is in, for the tests: the kernel kills the
 * process with SIGSYS.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "render/compare.h"
#include "render/image.h"
#include "render/job.h"
#include "render/output.h"
#include "render/pdf.h"
#include "render/sandbox.h"
#include "render/words.h"

#define PAGE_PIXELS_MAX 25000000L	/* one PDF page at the preview dpi */
#define IMAGE_PIXELS_MAX 64000000L	/* an image as decoded */
#define IMAGE_SIDE_MAX 2000		/* an image as shown and compared */
#define IMAGED_PAGES_MAX 64		/* pages whose images one answer has */
/*
 * Pages of the first pass kept for the comparison, in bytes: drawing a
 * changed page again costs less than holding every page (on a 20-page
 * PDF with 2 changed, keeping all of them took 156 MiB and no less time
 * than keeping 16 MiB: bench/README.md).
 */
#define KEPT_MAX (16u << 20)

struct opts {
	struct sandbox_limits lim;
	size_t max_file;
	int max_pages;
	const char *try;
};

/* One version of the file, opened. */
struct side {
	const char *name;		/* "old" or "new" */
	enum job_kind kind;
	struct pdf *pdf;
	cairo_surface_t *image;		/* an image's only page */
	int npages;
	struct fingerprint *fp;
	cairo_surface_t **kept;		/* pages kept from the first pass */
	cairo_surface_t **thumb;
};

#ifdef SANDBOX_ASAN
/*
 * LeakSanitizer's check at exit stops the process's threads with ptrace
 * and asks prctl(PR_GET_DUMPABLE) first, which the filter forbids (the
 * kernel would kill every run): the sanitizer build of the renderer runs
 * without it.  The renderer's pure parts are leak-checked by the unit
 * tests and valgrind.
 */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/* ---- answers a signal leaves ------------------------------------------ */

static char cpu_answer[256], mem_answer[256];
static size_t cpu_len, mem_len;

/* Writes the answer prepared for the signal, then exits 0. */
static void
on_limit(int sig)
{
	const char *a = sig == SIGXCPU ? cpu_answer : mem_answer;
	size_t n = sig == SIGXCPU ? cpu_len : mem_len;

	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, a, n);

		if (w <= 0)
			break;
		a += w;
		n -= (size_t)w;
	}
	_exit(0);
}

/*
 * The answers for running out of CPU time (SIGXCPU at the soft limit) and
 * of memory (glib, poppler and this program abort when an allocation
 * fails under RLIMIT_AS), prepared now: a signal handler cannot format.
 */
static void
limits_prepare(const struct opts *o)
{
	struct sigaction sa = { 0 };

	cpu_len = (size_t)snprintf(cpu_answer, sizeof(cpu_answer),
	    "{\"v\":1,\"preview\":false,\"reason\":\"rendering took more "
	    "than %d s of CPU time\",\"images\":[]}\nend\n",
	    o->lim.cpu_seconds);
	mem_len = (size_t)snprintf(mem_answer, sizeof(mem_answer),
	    "{\"v\":1,\"preview\":false,\"reason\":\"rendering needed more "
	    "than %ld MiB of memory, or failed\",\"images\":[]}\nend\n",
	    o->lim.memory_mib);
	sa.sa_handler = on_limit;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXCPU, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

/* Answers "no preview: why" (why cleaned to printable ASCII); exits 0. */
static void __attribute__((noreturn))
no_preview(const char *why)
{
	char clean[256];
	size_t i;

	for (i = 0; why[i] != '\0' && i < sizeof(clean) - 1; i++)
		clean[i] = why[i] >= ' ' && why[i] < 127 ? why[i] : '?';
	clean[i] = '\0';
	if (output_no_preview(STDOUT_FILENO, clean) < 0)
		exit(1);
	exit(0);
}

/* ---- options and input -------------------------------------------------- */

/*
 * RLIMIT_FSIZE is 0, so the answer can go to a pipe or a socket only:
 * an answer to a file would die half written.  A file is refused here,
 * with what to do; SIGXFSZ is ignored so that a write to a file (stderr
 * redirected to one) fails with EFBIG instead of killing the renderer.
 */
static void
stdout_check(void)
{
	struct stat st;

	signal(SIGXFSZ, SIG_IGN);
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode))
		fatalx("the standard output is a file, and printgate-render "
		    "may not write files: give it a pipe "
		    "(printgate-render <job | cat >answer)");
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: printgate-render [-t cpu-seconds] "
	    "[-m memory-mib] [-s file-mib] [-p max-pages] "
	    "[-X open|write|socket|exec] <job\n");
	exit(2);
}

static long
num_opt(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		usage();
	return v;
}

static void
opts_parse(struct opts *o, int argc, char **argv)
{
	int c;

	*o = (struct opts){ .lim = { 30, 1024, 64 }, .max_file = 64u << 20,
	    .max_pages = 1000 };
	while ((c = getopt(argc, argv, "t:m:s:p:X:")) != -1) {
		switch (c) {
		case 't':
			o->lim.cpu_seconds = (int)num_opt(optarg, 1, 3600);
			break;
		case 'm':
			o->lim.memory_mib = num_opt(optarg, 64, 65536);
			break;
		case 's':
			o->max_file = (size_t)num_opt(optarg, 1, 1024) << 20;
			break;
		case 'p':
			o->max_pages = (int)num_opt(optarg, 1, JOB_PAGE_MAX);
			break;
		case 'X':
			if (strcmp(optarg, "open") != 0 &&
			    strcmp(optarg, "write") != 0 &&
			    strcmp(optarg, "socket") != 0 &&
			    strcmp(optarg, "exec") != 0)
				usage();
			o->try = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/*
 * Reads standard input to its end, at most cap bytes: 0 with *out (the
 * caller frees) and *len; -E2BIG past the cap; -errno on a read error.
 */
static int
read_input(size_t cap, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];

	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_free(&b);
			return -errno;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > cap) {
			buf_free(&b);
			return -E2BIG;
		}
		buf_add(&b, chunk, (size_t)n);
	}
	*len = b.len;
	*out = buf_steal(&b);
	return 0;
}

/* ---- the two versions ------------------------------------------------- */

/* Opens side s from file f of the job; no preview when it cannot be. */
static void
side_open(struct side *s, const char *name, const struct job *j,
    const struct job_file *f, const struct opts *o)
{
	char why[256], sub[200];
	int error;

	memset(s, 0, sizeof(*s));
	s->name = name;
	if (!f->present)
		return;
	s->kind = j->kind != JOB_AUTO ? j->kind : job_sniff(f->data, f->len);
	if (s->kind == JOB_AUTO)
		error = (snprintf(sub, sizeof(sub), "not a PDF, PNG, JPEG, "
		    "GIF or WebP file"), -EINVAL);
	else if (s->kind == JOB_PDF)
		error = pdf_open(&s->pdf, f->data, f->len, o->max_pages, sub,
		    sizeof(sub));
	else
		error = image_decode(&s->image, s->kind, f->data, f->len,
		    IMAGE_PIXELS_MAX, IMAGE_SIDE_MAX, sub, sizeof(sub));
	if (error < 0) {
		snprintf(why, sizeof(why), "the %s version: %s", name, sub);
		no_preview(why);
	}
	s->npages = s->pdf != NULL ? pdf_pages(s->pdf) : 1;
	s->fp = xcalloc((size_t)s->npages, sizeof(*s->fp));
	s->kept = xcalloc((size_t)s->npages, sizeof(*s->kept));
	s->thumb = xcalloc((size_t)s->npages, sizeof(*s->thumb));
}

/* Page i of s as a new reference; no preview when it cannot be drawn. */
static cairo_surface_t *
side_page(const struct side *s, int i, int dpi)
{
	cairo_surface_t *out;
	char why[256], sub[200];

	if (s->image != NULL)
		return cairo_surface_reference(s->image);
	if (s->kept[i] != NULL)
		return cairo_surface_reference(s->kept[i]);
	if (pdf_render(s->pdf, i, dpi, PAGE_PIXELS_MAX, &out, sub,
	    sizeof(sub)) < 0) {
		snprintf(why, sizeof(why), "the %s version: %s", s->name, sub);
		no_preview(why);
	}
	return out;
}

static struct raster
raster_of(cairo_surface_t *s)
{
	return (struct raster){
		.w = cairo_image_surface_get_width(s),
		.h = cairo_image_surface_get_height(s),
		.stride = cairo_image_surface_get_stride(s),
		.px = cairo_image_surface_get_data(s),
	};
}

/*
 * The first pass over every page of s: its fingerprint, its thumbnail
 * (thumbs pixels wide, when asked), and the page itself kept while the
 * pages kept stay under *budget bytes, so that a changed page is not
 * drawn twice.
 */
static void
side_scan(struct side *s, int dpi, int thumbs, size_t *budget)
{
	for (int i = 0; i < s->npages; i++) {
		cairo_surface_t *p = side_page(s, i, dpi);
		struct raster r = raster_of(p);
		size_t bytes = (size_t)r.stride * (size_t)r.h;

		compare_fingerprint(&s->fp[i], &r);
		if (thumbs > 0)
			s->thumb[i] = output_thumb(p, thumbs, 0);
		if (s->pdf != NULL && bytes <= *budget) {
			s->kept[i] = p;
			*budget -= bytes;
		} else {
			cairo_surface_destroy(p);
		}
	}
}

static void
side_free(struct side *s)
{
	for (int i = 0; i < s->npages; i++) {
		cairo_surface_destroy(s->kept[i]);
		cairo_surface_destroy(s->thumb[i]);
	}
	free(s->kept);
	free(s->thumb);
	free(s->fp);
	pdf_free(s->pdf);
	cairo_surface_destroy(s->image);
}

/* ---- the comparison --------------------------------------------------- */

struct report {
	const struct job *job;
	struct side *old, *new;
	json_t *hdr, *pages, *changed, *added, *removed;
	struct output *out;
	int imaged;		/* pages whose images are in the answer */
	int left_off;		/* pages whose images were left off */
};

/* Whether the answer carries images of a page of status st (new number n). */
static int
wants_images(const struct job *j, const char *st, int n)
{
	switch (j->pages) {
	case JOB_PAGES_NONE:
		return 0;
	case JOB_PAGES_ALL:
		return 1;
	case JOB_PAGES_CHANGED:
		return strcmp(st, "same") != 0;
	case JOB_PAGES_LIST:
		for (size_t i = 0; i < j->nlist; i++)
			if (j->list[i] == n)
				return 1;
		return 0;
	}
	return 0;
}

/* Adds surface s as image "KIND-N" and names it in the page's images. */
static void
add_image(struct report *r, json_t *imgs, const char *kind, int n,
    cairo_surface_t *s)
{
	char name[JOB_IMAGE_NAME_MAX];

	snprintf(name, sizeof(name), "%s-%d", kind, n);
	if (output_image(r->out, name, s) == 0)
		json_object_set_new(imgs, kind, json_string(name));
}

static json_t *
box_json(const struct box *b)
{
	return json_pack("[i,i,i,i]", b->x, b->y, b->w, b->h);
}

/* The changed words of old page oi and new page ni, into entry e. */
static void
add_words(struct report *r, json_t *e, int oi, int ni)
{
	char *a = pdf_text(r->old->pdf, oi), *b = pdf_text(r->new->pdf, ni);
	struct word_diff d;
	json_t *v = json_array();

	words_diff(&d, a, b);
	for (size_t i = 0; i < d.n; i++)
		json_array_append_new(v, json_pack("{s:s,s:s}", "old",
		    d.v[i].old, "new", d.v[i].new));
	json_object_set_new(e, "words", v);
	if (d.more)
		json_object_set_new(e, "words_more", json_true());
	words_diff_free(&d);
	free(a);
	free(b);
}

/*
 * Compares the pages of pair p (both present): fills entry e with the
 * status, the boxes and the words, and adds the images asked for.
 */
static const char *
compare_pair(struct report *r, const struct pair *p, json_t *e, json_t *imgs)
{
	cairo_surface_t *a, *b, *diff;
	struct compare_result res;
	struct raster ra, rb;
	const char *st;
	json_t *boxes;

	if (r->old->fp[p->old].hash == r->new->fp[p->new].hash &&
	    r->old->fp[p->old].w == r->new->fp[p->new].w &&
	    r->old->fp[p->old].h == r->new->fp[p->new].h)
		return "same";
	a = side_page(r->old, p->old, r->job->dpi);
	b = side_page(r->new, p->new, r->job->dpi);
	ra = raster_of(a);
	rb = raster_of(b);
	compare_pages(&res, &ra, &rb);
	st = res.changed > 0 ? "changed" : "same";
	if (res.changed > 0) {
		boxes = json_array();
		for (size_t i = 0; i < res.nboxes; i++)
			json_array_append_new(boxes, box_json(&res.boxes[i]));
		json_object_set_new(e, "boxes", boxes);
		json_object_set_new(e, "changed_pixels",
		    json_integer((json_int_t)res.changed));
		if (r->old->pdf != NULL && r->new->pdf != NULL)
			add_words(r, e, p->old, p->new);
		if (wants_images(r->job, st, p->new + 1)) {
			if (r->imaged < IMAGED_PAGES_MAX) {
				diff = output_diff(b, &res);
				add_image(r, imgs, "old", p->old + 1, a);
				add_image(r, imgs, "new", p->new + 1, b);
				add_image(r, imgs, "diff", p->new + 1, diff);
				cairo_surface_destroy(diff);
			}
			r->imaged < IMAGED_PAGES_MAX ? r->imaged++ :
			    r->left_off++;
		}
	}
	compare_result_free(&res);
	cairo_surface_destroy(a);
	cairo_surface_destroy(b);
	return st;
}

/* Adds the images of a page that is the same, added or removed. */
static void
one_side_images(struct report *r, const struct pair *p, const char *st,
    json_t *imgs)
{
	struct side *s = p->new >= 0 ? r->new : r->old;
	int i = p->new >= 0 ? p->new : p->old;
	cairo_surface_t *surf;

	if (!wants_images(r->job, st, p->new + 1))
		return;
	if (r->imaged >= IMAGED_PAGES_MAX) {
		r->left_off++;
		return;
	}
	r->imaged++;
	surf = side_page(s, i, r->job->dpi);
	add_image(r, imgs, s == r->new ? "new" : "old", i + 1, surf);
	cairo_surface_destroy(surf);
}

/* A page's thumbnail into the answer, framed red when it changed. */
static void
add_thumb(struct report *r, const struct pair *p, const char *st,
    json_t *e)
{
	struct side *s = p->new >= 0 ? r->new : r->old;
	int i = p->new >= 0 ? p->new : p->old;
	char name[JOB_IMAGE_NAME_MAX];
	cairo_surface_t *t;

	if (s->thumb[i] == NULL)
		return;
	t = output_thumb(s->thumb[i], r->job->thumbs, strcmp(st, "same") != 0);
	snprintf(name, sizeof(name), "thumb-%s-%d", s->name, i + 1);
	if (output_image(r->out, name, t) == 0)
		json_object_set_new(e, "thumb", json_string(name));
	cairo_surface_destroy(t);
}

/* One aligned pair of pages into the report. */
static void
report_pair(struct report *r, const struct pair *p)
{
	json_t *e = json_object(), *imgs = json_object();
	struct side *s = p->new >= 0 ? r->new : r->old;
	int i = p->new >= 0 ? p->new : p->old;
	const char *st;

	json_object_set_new(e, "old", p->old >= 0 ?
	    json_integer(p->old + 1) : json_null());
	json_object_set_new(e, "new", p->new >= 0 ?
	    json_integer(p->new + 1) : json_null());
	json_object_set_new(e, "status", json_string(""));
	json_object_set_new(e, "width", json_integer(s->fp[i].w));
	json_object_set_new(e, "height", json_integer(s->fp[i].h));
	if (p->old >= 0 && p->new >= 0)
		st = compare_pair(r, p, e, imgs);
	else
		st = p->new >= 0 ? "added" : "removed";
	json_object_set_new(e, "status", json_string(st));
	if (strcmp(st, "same") == 0 || p->old < 0 || p->new < 0)
		one_side_images(r, p, st, imgs);
	if (strcmp(st, "changed") == 0)
		json_array_append_new(r->changed, json_integer(p->new + 1));
	else if (strcmp(st, "added") == 0)
		json_array_append_new(r->added, json_integer(p->new + 1));
	else if (strcmp(st, "removed") == 0)
		json_array_append_new(r->removed, json_integer(p->old + 1));
	json_object_set_new(e, "images", imgs);
	if (r->job->thumbs > 0)
		add_thumb(r, p, st, e);
	json_array_append_new(r->pages, e);
}

/* ---- the summary -------------------------------------------------------- */

/*
 * "page 2 changed", "pages 2 and 7 changed", "pages 2, 5 and 7 changed"
 * for the page numbers in v, appended to b after "; " when b has words;
 * past ten numbers, "and N more".
 */
static void
summary_part(struct buf *b, json_t *v, const char *prefix, const char *what)
{
	size_t n = json_array_size(v), shown = n > 10 ? 10 : n;

	if (n == 0)
		return;
	if (b->len > 0)
		buf_adds(b, "; ");
	buf_addf(b, "%s%s ", prefix, n == 1 ? "page" : "pages");
	for (size_t i = 0; i < shown; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";

		buf_addf(b, "%s%lld", sep,
		    (long long)json_integer_value(json_array_get(v, i)));
	}
	if (shown < n)
		buf_addf(b, " and %zu more", n - shown);
	buf_addf(b, " %s", what);
}

static char *
summary(const struct report *r)
{
	struct buf b = { 0 };
	const struct side *one = r->old->npages ? r->old : r->new;

	if (r->old->npages == 0 || r->new->npages == 0) {
		if (one->pdf != NULL)
			buf_addf(&b, "%s PDF: %d %s", one == r->new ? "new" :
			    "removed", one->npages,
			    one->npages == 1 ? "page" : "pages");
		else
			buf_addf(&b, "%s image", one == r->new ? "new" :
			    "removed");
		return buf_steal(&b);
	}
	if (r->old->image != NULL && r->new->image != NULL) {
		buf_adds(&b, json_array_size(r->changed) ? "the image changed" :
		    "no visual change");
		return buf_steal(&b);
	}
	summary_part(&b, r->changed, "", "changed");
	summary_part(&b, r->added, "", "added");
	summary_part(&b, r->removed, "old ", "removed");
	if (b.len == 0)
		buf_adds(&b, "no visual change");
	return buf_steal(&b);
}

/* ---- main ----------------------------------------------------------------- */

/*
 * Compares the two sides page by page and writes the answer.  An image
 * against a PDF is a page against a page.
 */
static int
report_write(const struct job *j, struct side *old, struct side *new)
{
	struct report r = { .job = j, .old = old, .new = new };
	struct pair *pairs = NULL;
	size_t npairs = 0;
	char *sum;
	const struct side *kind = new->npages ? new : old;

	if (compare_align(&pairs, &npairs, old->fp, (size_t)old->npages,
	    new->fp, (size_t)new->npages) < 0)
		no_preview("too many pages to compare");
	r.hdr = json_pack("{s:i,s:b,s:s,s:i,s:s,s:{s:i},s:{s:i}}", "v", 1,
	    "preview", 1, "kind", job_kind_name(kind->kind), "dpi", j->dpi,
	    "summary", "", "old", "pages", old->npages, "new", "pages",
	    new->npages);
	r.changed = json_array();
	r.added = json_array();
	r.removed = json_array();
	r.pages = json_array();
	r.out = output_new(r.hdr);
	for (size_t i = 0; i < npairs; i++)
		report_pair(&r, &pairs[i]);
	sum = summary(&r);
	json_object_set_new(r.hdr, "summary", json_string(sum));
	json_object_set_new(r.hdr, "changed", r.changed);
	json_object_set_new(r.hdr, "added", r.added);
	json_object_set_new(r.hdr, "removed", r.removed);
	json_object_set_new(r.hdr, "pages", r.pages);
	if (r.left_off > 0)
		json_object_set_new(r.hdr, "images_left_off",
		    json_integer(r.left_off));
	free(sum);
	free(pairs);
	return output_write(r.out, STDOUT_FILENO);
}

int
main(int argc, char **argv)
{
	struct side old, new;
	struct opts o;
	struct job j;
	size_t len, budget;
	char *in, why[300];
	int error;

	log_init("printgate-render", false);
	opts_parse(&o, argc, argv);
	stdout_check();
	limits_prepare(&o);
	if ((error = sandbox_limit(&o.lim)) < 0)
		fatalx("cannot set the sandbox's limits: %s", strerror(-error));
	if (pdf_init() < 0)
		fatalx("cannot initialise poppler and fontconfig");
	if ((error = sandbox_filter()) < 0)
		fatalx("cannot install the seccomp filter: %s",
		    strerror(-error));
	if (o.try != NULL) {
		sandbox_try(o.try);
		fatalx("the sandbox let '%s' through", o.try);
	}
	error = read_input(2 * o.max_file + 4096, &in, &len);
	if (error == -E2BIG) {
		snprintf(why, sizeof(why), "the job is over %zu MiB",
		    (2 * o.max_file + 4096) >> 20);
		no_preview(why);
	}
	if (error < 0)
		fatalx("cannot read the job: %s", strerror(-error));
	if (job_parse(&j, in, len, o.max_file, why, sizeof(why)) < 0)
		fatalx("bad job: %s", why);
	side_open(&old, "old", &j, &j.old, &o);
	side_open(&new, "new", &j, &j.new, &o);
	budget = KEPT_MAX;
	side_scan(&old, j.dpi, j.thumbs, &budget);
	side_scan(&new, j.dpi, j.thumbs, &budget);
	error = report_write(&j, &old, &new);
	side_free(&old);
	side_free(&new);
	free(in);
	if (error < 0)
		fatalx("cannot write the answer: %s", strerror(-error));
	return 0;
}
