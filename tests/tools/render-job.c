/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * render-job.c - one job through render_run(), as printgated will run
 * it, for the tests and the benchmark:
 *
 *   render-job -r RENDERER [-o OLD] [-n NEW] [-k KIND] [-d DPI]
 *              [-p PAGES] [-T THUMBS] [-t CPU] [-m MIB] [-w MS]
 *              [-X WHAT] [-D DIR] [-M]
 *
 * Prints the answer's header (one line of JSON) and writes each image as
 * DIR/NAME.png, exit 0; or prints "no preview: <reason>", exit 1.  Exit
 * 2 for bad arguments or an unreadable file.  -M prints the renderer's
 * peak resident memory on standard error ("maxrss KIB"), for the
 * benchmark.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/util.h"
#include "render/job.h"
#include "render/run.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: render-job -r RENDERER [-o OLD] [-n NEW] "
	    "[-k KIND] [-d DPI] [-p PAGES] [-T THUMBS] [-t CPU] [-m MIB] "
	    "[-w MS] [-X WHAT] [-D DIR] [-M]\n");
	exit(2);
}

static void
slurp(struct job_file *f, const char *p)
{
	struct buf b = { 0 };
	char chunk[65536];
	FILE *fp = fopen(p, "rb");
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "render-job: %s: %s\n", p, strerror(errno));
		exit(2);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	f->present = true;
	f->len = b.len;
	f->data = (const unsigned char *)buf_steal(&b);
}

/* A job's "pages" value through the job's own parser. */
static void
set_pages(struct job *j, const char *v)
{
	char text[JOB_LINE_MAX + 64], why[200];
	struct job t;

	snprintf(text, sizeof(text), JOB_MAGIC "\npages %s\nnew 0\n\nend\n",
	    v);
	if (job_parse(&t, text, strlen(text), 1, why, sizeof(why)) < 0) {
		fprintf(stderr, "render-job: -p %s: %s\n", v, why);
		exit(2);
	}
	j->pages = t.pages;
	j->nlist = t.nlist;
	memcpy(j->list, t.list, sizeof(t.list));
}

static void
save(const char *dir, const struct render_result *r)
{
	for (size_t i = 0; i < r->nimages; i++) {
		char *p = xasprintf("%s/%s.png", dir, r->images[i].name);
		FILE *fp = fopen(p, "wb");

		if (fp == NULL || fwrite(r->images[i].data, 1,
		    r->images[i].len, fp) != r->images[i].len ||
		    fclose(fp) != 0) {
			fprintf(stderr, "render-job: %s: %s\n", p,
			    strerror(errno));
			exit(2);
		}
		free(p);
	}
}

int
main(int argc, char **argv)
{
	struct render_opts o;
	struct render_result r;
	const char *dir = NULL;
	struct job j;
	int c, nx = 0, maxrss = 0;
	char *line;

	job_init(&j);
	render_opts_init(&o, NULL);
	while ((c = getopt(argc, argv, "r:o:n:k:d:p:T:t:m:w:X:D:M")) != -1) {
		switch (c) {
		case 'r': o.program = optarg; break;
		case 'o': slurp(&j.old, optarg); break;
		case 'n': slurp(&j.new, optarg); break;
		case 'k':
			if (job_kind_parse(optarg, &j.kind) < 0)
				usage();
			break;
		case 'd': j.dpi = atoi(optarg); break;
		case 'p': set_pages(&j, optarg); break;
		case 'T': j.thumbs = atoi(optarg); break;
		case 't': o.cpu_seconds = atoi(optarg); break;
		case 'm': o.memory_mib = atol(optarg); break;
		case 'w': o.timeout_ms = atoi(optarg); break;
		case 'X':
			if (nx > 0)
				usage();
			o.extra[nx++] = "-X";
			o.extra[nx++] = optarg;
			break;
		case 'D': dir = optarg; break;
		case 'M': maxrss = 1; break;
		default: usage();
		}
	}
	if (o.program == NULL || optind != argc ||
	    (!j.old.present && !j.new.present))
		usage();
	render_run(&r, &o, &j);
	if (maxrss) {
		struct rusage ru;

		getrusage(RUSAGE_CHILDREN, &ru);
		fprintf(stderr, "maxrss %ld\n", ru.ru_maxrss);
	}
	free((void *)j.old.data);
	free((void *)j.new.data);
	if (!r.preview) {
		printf("%s\n", r.reason);
		render_result_free(&r);
		return 1;
	}
	line = json_dumps(r.json, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	printf("%s\n", line);
	free(line);
	if (dir != NULL)
		save(dir, &r);
	render_result_free(&r);
	return 0;
}
