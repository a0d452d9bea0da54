// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_render.c - unit tests of the renderer's pure parts and of its
 * caller's helper: the job format (job.c) as a table of inputs and the
 * error each gives, the word comparison (words.c), the pixel comparison,
 * regions and page alignment (compare.c) on rasters drawn here, and
 * render_run() (run.c) against misbehaving programs written here and the
 * real printgate-render ($PRINTGATE_BUILD).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "render/compare.h"
#include "render/job.h"
#include "render/run.h"
#include "render/words.h"

/* ---- the job format ------------------------------------------------------ */

struct job_case {
	const char *name;
	const char *text;	/* the job; "\\0" stands for nothing here */
	const char *why;	/* NULL: parses; else part of the error */
};

static const struct job_case job_cases[] = {
	{ "job: the smallest", "printgate-render 1\nnew 3\nabc\nend\n", NULL },
	{ "job: every key", "printgate-render 1\nkind pdf\ndpi 150\n"
	    "pages 2,7\nthumbs 120\nold 1\nx\nnew 2\nyz\nend\n", NULL },
	{ "job: a file of 0 bytes", "printgate-render 1\nold 0\n\nend\n",
	    NULL },
	{ "job: wrong magic", "printgate-render 2\nnew 1\nx\nend\n",
	    "line 1: not \"printgate-render 1\"" },
	{ "job: no file", "printgate-render 1\ndpi 96\nend\n",
	    "neither an old nor a new file" },
	{ "job: no end", "printgate-render 1\nnew 1\nx\n",
	    "without \"end\"" },
	{ "job: bytes after end", "printgate-render 1\nnew 1\nx\nend\nmore",
	    "4 bytes after \"end\"" },
	{ "job: unknown key", "printgate-render 1\ncolour red\nnew 1\nx\nend\n",
	    "line 2: unknown key 'colour'" },
	{ "job: a key twice", "printgate-render 1\ndpi 96\ndpi 97\nnew 1\nx\n"
	    "end\n", "line 3: key 'dpi' given twice" },
	{ "job: dpi too high", "printgate-render 1\ndpi 601\nnew 1\nx\nend\n",
	    "bad value '601' for 'dpi'" },
	{ "job: dpi with a sign", "printgate-render 1\ndpi +96\nnew 1\nx\n"
	    "end\n", "bad value" },
	{ "job: a leading zero", "printgate-render 1\nthumbs 010\nnew 1\nx\n"
	    "end\n", "bad value" },
	{ "job: page 0", "printgate-render 1\npages 0\nnew 1\nx\nend\n",
	    "bad value '0' for 'pages'" },
	{ "job: an empty list item", "printgate-render 1\npages 2,,3\nnew 1\n"
	    "x\nend\n", "bad value" },
	{ "job: unknown kind", "printgate-render 1\nkind tiff\nnew 1\nx\nend\n",
	    "bad value 'tiff' for 'kind'" },
	{ "job: file shorter than said", "printgate-render 1\nnew 10\nabc\n"
	    "end\n", "not all there" },
	{ "job: no newline after a file", "printgate-render 1\nnew 1\nxyend\n",
	    "not all there" },
	{ "job: file over the limit", "printgate-render 1\nnew 99\nx\nend\n",
	    "the new file is 99 bytes, over the limit of 64" },
	{ "job: no value", "printgate-render 1\ndpi\nnew 1\nx\nend\n",
	    "is not KEY VALUE" },
	{ "job: two spaces", "printgate-render 1\ndpi  96\nnew 1\nx\nend\n",
	    "is not KEY VALUE" },
	{ "job: a long line", "printgate-render 1\nkind aaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nnew 1\nx\nend\n",
	    "line 2: longer than 128 bytes" },
};

static void
test_job_case(void **state)
{
	const struct job_case *c = *state;
	struct job j, before;
	char why[256] = "";
	int rc;

	memset(&j, 0x5a, sizeof(j));
	before = j;
	rc = job_parse(&j, c->text, strlen(c->text), 64, why, sizeof(why));
	if (c->why == NULL) {
		assert_int_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, -EINVAL);
	if (strstr(why, c->why) == NULL)
		fail_msg("why '%s' lacks '%s'", why, c->why);
	assert_memory_equal(&j, &before, sizeof(j));
}

/* What job_encode writes, job_parse reads back as it was. */
static void
test_job_roundtrip(void **state)
{
	struct job j, back;
	struct buf b = { 0 };
	char why[200];

	job_init(&j);
	j.kind = JOB_GIF;
	j.dpi = 150;
	j.pages = JOB_PAGES_LIST;
	j.list[0] = 2;
	j.list[1] = 7;
	j.nlist = 2;
	j.thumbs = 100;
	j.old = (struct job_file){ true, (const unsigned char *)"a\nb", 3 };
	j.new = (struct job_file){ true, (const unsigned char *)"", 0 };
	job_encode(&b, &j);
	assert_int_equal(job_parse(&back, b.s, b.len, 10, why, sizeof(why)),
	    0);
	assert_int_equal(back.kind, JOB_GIF);
	assert_int_equal(back.dpi, 150);
	assert_int_equal(back.pages, JOB_PAGES_LIST);
	assert_int_equal(back.nlist, 2);
	assert_int_equal(back.list[1], 7);
	assert_int_equal(back.thumbs, 100);
	assert_int_equal(back.old.len, 3);
	assert_memory_equal(back.old.data, "a\nb", 3);
	assert_true(back.new.present);
	assert_int_equal(back.new.len, 0);
	buf_free(&b);
}

static void
test_job_sniff(void **state)
{
	assert_int_equal(job_sniff((const unsigned char *)"%PDF-1.7", 8),
	    JOB_PDF);
	assert_int_equal(job_sniff((const unsigned char *)"GIF89a..", 8),
	    JOB_GIF);
	assert_int_equal(job_sniff((const unsigned char *)"RIFF....WEBPVP8 ",
	    16), JOB_WEBP);
	assert_int_equal(job_sniff((const unsigned char *)"\xff\xd8\xff\xe0",
	    4), JOB_JPEG);
	assert_int_equal(job_sniff((const unsigned char *)"%PD", 3), JOB_AUTO);
}

/* ---- words ---------------------------------------------------------------- */

static void
test_words_price(void **state)
{
	struct word_diff d;

	words_diff(&d, "Price: 2,499 per seat\nLine 1", "Price: 2,999 per "
	    "seat\n  Line 1");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].old, "2,499");
	assert_string_equal(d.v[0].new, "2,999");
	words_diff_free(&d);
}

static void
test_words_added_removed(void **state)
{
	struct word_diff d;

	words_diff(&d, "a b c d e", "a x b c e");
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].old, "");
	assert_string_equal(d.v[0].new, "x");
	assert_string_equal(d.v[1].old, "d");
	assert_string_equal(d.v[1].new, "");
	words_diff_free(&d);
	words_diff(&d, "same words", "same   words");
	assert_int_equal(d.n, 0);
	words_diff_free(&d);
}

/* A side of a change stops at 200 bytes and a UTF-8 character's start. */
static void
test_words_cut(void **state)
{
	struct buf b = { 0 };
	struct word_diff d;

	for (int i = 0; i < 150; i++)
		buf_adds(&b, "é ");
	words_diff(&d, "start", b.s);
	assert_int_equal(d.n, 1);
	assert_true(strlen(d.v[0].new) <= 200 + strlen("…"));
	assert_non_null(strstr(d.v[0].new, "…"));
	for (const char *p = d.v[0].new; *p; p++)
		assert_true((unsigned char)*p != 0xc3 || p[1] != '\0');
	words_diff_free(&d);
	buf_free(&b);
}

/* ---- pixels ------------------------------------------------------------------ */

struct img {
	struct raster r;
	uint32_t *px;
};

static void
img_new(struct img *m, int w, int h)
{
	m->px = xcalloc((size_t)w * (size_t)h, 4);
	for (int i = 0; i < w * h; i++)
		m->px[i] = 0xffffff;
	m->r = (struct raster){ w, h, w * 4, (const unsigned char *)m->px };
}

static void
img_fill(struct img *m, int x, int y, int w, int h, uint32_t c)
{
	for (int j = y; j < y + h; j++)
		for (int i = x; i < x + w; i++)
			m->px[j * m->r.w + i] = c;
}

/* Noise under the tolerance and a lone changed pixel are no change. */
static void
test_compare_noise(void **state)
{
	struct img a, b;
	struct compare_result r;

	img_new(&a, 200, 100);
	img_new(&b, 200, 100);
	img_fill(&a, 10, 10, 50, 20, 0x202020);
	img_fill(&b, 10, 10, 50, 20, 0x202020 + 0x1e1e1e);	/* 30 */
	img_fill(&b, 150, 80, 1, 1, 0x000000);			/* one pixel */
	compare_pages(&r, &a.r, &b.r);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.nboxes, 0);
	assert_int_equal(r.mask[80 * 200 + 150], 0);
	compare_result_free(&r);
	free(a.px);
	free(b.px);
}

/* Two changes far apart are two boxes; two close together are one. */
static void
test_compare_regions(void **state)
{
	struct img a, b;
	struct compare_result r;

	img_new(&a, 300, 200);
	img_new(&b, 300, 200);
	img_fill(&b, 20, 30, 10, 8, 0xff0000);
	img_fill(&b, 36, 30, 10, 8, 0xff0000);	/* 6 px on: merged */
	img_fill(&b, 250, 150, 20, 20, 0x0000ff);
	compare_pages(&r, &a.r, &b.r);
	assert_int_equal(r.nboxes, 2);
	assert_int_equal(r.changed, 10 * 8 * 2 + 400);
	for (size_t i = 0; i < r.nboxes; i++) {
		struct box x = r.boxes[i];

		if (x.x == 20)
			assert_true(x.y == 30 && x.w == 26 && x.h == 8);
		else
			assert_true(x.x == 250 && x.y == 150 && x.w == 20 &&
			    x.h == 20);
	}
	assert_int_equal(r.mask[31 * 300 + 21], 1);
	assert_int_equal(r.mask[100 * 300 + 100], 0);
	compare_result_free(&r);
	free(a.px);
	free(b.px);
}

/* Many scattered changes merge until at most COMPARE_BOXES_MAX remain. */
static void
test_compare_many(void **state)
{
	struct img a, b;
	struct compare_result r;

	img_new(&a, 800, 800);
	img_new(&b, 800, 800);
	for (int y = 0; y < 800; y += 40)
		for (int x = 0; x < 800; x += 40)
			img_fill(&b, x, y, 3, 3, 0);
	compare_pages(&r, &a.r, &b.r);
	assert_true(r.nboxes >= 1 && r.nboxes <= COMPARE_BOXES_MAX);
	assert_int_equal(r.changed, 400 * 9);
	compare_result_free(&r);
	free(a.px);
	free(b.px);
}

/* A page that grew: the new part is changed. */
static void
test_compare_grown(void **state)
{
	struct img a, b;
	struct compare_result r;

	img_new(&a, 100, 100);
	img_new(&b, 100, 120);
	compare_pages(&r, &a.r, &b.r);
	assert_int_equal(r.nboxes, 1);
	assert_int_equal(r.boxes[0].y, 100);
	assert_int_equal(r.boxes[0].h, 20);
	compare_result_free(&r);
	free(a.px);
	free(b.px);
}

/* Pages as fingerprints: page k is a block at row k * 10. */
static void
fingerprints(struct fingerprint *fp, const int *rows, size_t n, int nudge)
{
	for (size_t i = 0; i < n; i++) {
		struct img m;

		img_new(&m, 160, 160);
		img_fill(&m, 0, rows[i] * 10, 160, 10, 0);
		if (nudge == (int)i)
			img_fill(&m, 150, 150, 4, 4, 0);
		compare_fingerprint(&fp[i], &m.r);
		free(m.px);
	}
}

static char *
pairs_text(const struct pair *v, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%d-%d", i ? " " : "", v[i].old + 1,
		    v[i].new + 1);
	return buf_steal(&b);
}

static void
align_case(const int *a, size_t na, const int *b, size_t nb, int nudge,
    const char *want)
{
	struct fingerprint fa[8], fb[8];
	struct pair *v;
	size_t n;
	char *got;

	fingerprints(fa, a, na, -1);
	fingerprints(fb, b, nb, nudge);
	assert_int_equal(compare_align(&v, &n, fa, na, fb, nb), 0);
	got = pairs_text(v, n);
	assert_string_equal(got, want);
	free(got);
	free(v);
}

/* "old-new" pairs, 0 for a page that is not on that side. */
static void
test_compare_align(void **state)
{
	static const int three[] = { 1, 5, 9 }, four[] = { 1, 12, 5, 9 },
	    two[] = { 1, 9 };

	align_case(three, 3, three, 3, -1, "1-1 2-2 3-3");
	align_case(three, 3, four, 4, -1, "1-1 0-2 2-3 3-4");
	align_case(three, 3, two, 2, -1, "1-1 2-0 3-2");
	align_case(three, 3, three, 3, 1, "1-1 2-2 3-3");
	align_case(three, 0, three, 3, -1, "0-1 0-2 0-3");
	align_case(three, 3, three, 0, -1, "1-0 2-0 3-0");
}

/* ---- render_run ---------------------------------------------------------------- */

static char *tmp;

/* An executable script at tmp/name that runs body. */
static char *
script(const char *name, const char *body)
{
	char *p = xasprintf("%s/%s", tmp, name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(p, 0755), 0);
	return p;
}

static void
job_small(struct job *j)
{
	job_init(j);
	j->new = (struct job_file){ true, (const unsigned char *)"\x89PNG", 4 };
}

/* Runs program for a small job; the result's reason must contain want. */
static void
run_expect(const char *program, int timeout_ms, size_t max_answer,
    const char *want)
{
	struct render_opts o;
	struct render_result r;
	struct job j;

	render_opts_init(&o, program);
	o.timeout_ms = timeout_ms;
	if (max_answer > 0)
		o.max_answer = max_answer;
	job_small(&j);
	render_run(&r, &o, &j);
	assert_int_equal(r.preview, 0);
	assert_non_null(r.reason);
	if (strstr(r.reason, want) == NULL)
		fail_msg("reason '%s' lacks '%s'", r.reason, want);
	assert_true(str_startswith(r.reason, "no preview: "));
	render_result_free(&r);
}

static void
test_run_timeout(void **state)
{
	char *p = script("sleeps", "exec sleep 30");

	run_expect(p, 300, 0, "rendering took longer than 1 s");
	free(p);
}

/* A renderer that closes its output and goes on is killed at the end. */
static void
test_run_timeout_closed(void **state)
{
	char *p = script("closes", "exec >&- 2>&-; exec sleep 30");

	run_expect(p, 300, 0, "rendering took longer than 1 s");
	free(p);
}

static void
test_run_cap(void **state)
{
	char *p = script("floods", "exec yes");

	run_expect(p, 10000, 1 << 20, "the renderer's answer is over 1 MiB");
	free(p);
}

static void
test_run_malformed(void **state)
{
	char *a = script("garbage", "cat >/dev/null; echo hello");
	char *b = script("cut", "cat >/dev/null; "
	    "printf '{\"v\":1,\"preview\":true,\"images\":[\"new-1\"]}\\n"
	    "image new-1 100\\nshort'");
	char *c = script("trailing", "cat >/dev/null; "
	    "printf '{\"v\":1,\"preview\":true,\"images\":[]}\\nend\\nmore'");

	run_expect(a, 10000, 0, "malformed: its header is not a JSON object");
	run_expect(b, 10000, 0, "malformed: an image is cut short");
	run_expect(c, 10000, 0, "malformed: it does not end with \"end\"");
	free(a);
	free(b);
	free(c);
}

static void
test_run_failed(void **state)
{
	char *a = script("fails", "cat >/dev/null; echo 'first' >&2; "
	    "echo 'bad job: line 3' >&2; exit 2");
	char *b = script("crashes", "kill -SEGV $$");
	char *c = script("refuses", "cat >/dev/null; printf '{\"v\":1,"
	    "\"preview\":false,\"reason\":\"the PDF is encrypted\","
	    "\"images\":[]}\\nend\\n'");
	char *missing = xasprintf("%s/not-there", tmp);

	run_expect(a, 10000, 0, "the renderer failed (exit status 2: "
	    "bad job: line 3)");
	run_expect(b, 10000, 0, "killed by signal 11");
	run_expect(c, 10000, 0, "no preview: the PDF is encrypted");
	run_expect(missing, 10000, 0, "the renderer cannot be started");
	free(a);
	free(b);
	free(c);
	free(missing);
}

/* A file over the cap is refused before anything is spawned. */
static void
test_run_too_big(void **state)
{
	struct render_opts o;
	struct render_result r;
	struct job j;

	render_opts_init(&o, "/nonexistent/printgate-render");
	o.max_file = 1 << 20;
	job_small(&j);
	j.new.len = (1 << 20) + 1;
	render_run(&r, &o, &j);
	assert_int_equal(r.preview, 0);
	assert_string_equal(r.reason, "no preview: the file is over the 1 MiB "
	    "the renderer reads");
	render_result_free(&r);
}

/* A 2 x 2 PNG through the real renderer: a preview and its image. */
static void
test_run_real(void **state)
{
	/* a red 2 x 2 PNG */
	static const unsigned char png[] = {
		0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00,
		0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd,
		0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41,
		0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x44, 0x0c,
		0x10, 0x0a, 0x00, 0x1f, 0xee, 0x03, 0xfd, 0x8b, 0x5f, 0x14,
		0xd4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
		0x42, 0x60, 0x82,
	};
	const char *build = getenv("PRINTGATE_BUILD");
	char *program = xasprintf("%s/printgate-render",
	    build ? build : "build");
	struct render_opts o;
	struct render_result r;
	const struct render_image *im;
	struct job j;

	render_opts_init(&o, program);
	job_init(&j);
	j.new = (struct job_file){ true, png, sizeof(png) };
	render_run(&r, &o, &j);
	if (!r.preview)
		fail_msg("no preview: %s", r.reason);
	assert_string_equal(json_string_value(json_object_get(r.json,
	    "summary")), "new image");
	im = render_image(&r, "new-1");
	assert_non_null(im);
	assert_true(im->len > 8 && memcmp(im->data, "\x89PNG", 4) == 0);
	render_result_free(&r);
	free(program);
}

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/printgate-render-test.XXXXXX",
	    base && *base ? base : "/tmp");

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		fail_msg("mkdtemp %s: %s", tmpl, strerror(errno));
	tmp = tmpl;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp);

	(void)state;
	(void)!system(cmd);
	free(cmd);
	free(tmp);
	return 0;
}

int
main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_cases); i++)
		add_test(job_cases[i].name, test_job_case, &job_cases[i]);
	add_test("job: encode then parse", test_job_roundtrip, NULL);
	add_test("job: kinds by their first bytes", test_job_sniff, NULL);
	add_test("words: a price", test_words_price, NULL);
	add_test("words: added and removed", test_words_added_removed, NULL);
	add_test("words: a long side is cut", test_words_cut, NULL);
	add_test("compare: noise is no change", test_compare_noise, NULL);
	add_test("compare: regions and boxes", test_compare_regions, NULL);
	add_test("compare: many regions merge", test_compare_many, NULL);
	add_test("compare: a page that grew", test_compare_grown, NULL);
	add_test("compare: pages aligned", test_compare_align, NULL);
	add_test("run: killed at the timeout", test_run_timeout, NULL);
	add_test("run: output closed, still killed",
	    test_run_timeout_closed, NULL);
	add_test("run: answer over the cap", test_run_cap, NULL);
	add_test("run: malformed answers", test_run_malformed, NULL);
	add_test("run: failures and refusals", test_run_failed, NULL);
	add_test("run: a file over the cap", test_run_too_big, NULL);
	add_test("run: the real renderer", test_run_real, NULL);
	return _cmocka_run_group_tests("render", tests, ntests, setup,
	    teardown);
}
