/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_render.c - the renderer's job format (job.c): job_parse() on the
 * input, with job.h's contract checked (files inside the input and within
 * the cap, numbers in range, *out untouched and a reason on failure), a
 * job that parses encoded and parsed again to the same job; and
 * job_image_line(), the answer's framing, on the same bytes.
 */
#include "fuzz.h"

#include "render/job.h"

#define MAX_FILE 4096

static void
check_job(const struct job *j, const uint8_t *data, size_t size)
{
	const struct job_file *f[2] = { &j->old, &j->new };

	FUZZ_CHECK(j->old.present || j->new.present);
	for (int i = 0; i < 2; i++) {
		if (!f[i]->present)
			continue;
		FUZZ_CHECK(f[i]->len <= MAX_FILE);
		FUZZ_CHECK(f[i]->data >= data &&
		    f[i]->data + f[i]->len <= data + size);
	}
	FUZZ_CHECK(j->dpi >= JOB_DPI_MIN && j->dpi <= JOB_DPI_MAX);
	FUZZ_CHECK(j->thumbs >= 0 && j->thumbs <= JOB_THUMBS_MAX);
	FUZZ_CHECK(j->nlist <= JOB_PAGES_MAX);
	for (size_t i = 0; i < j->nlist; i++)
		FUZZ_CHECK(j->list[i] >= 1 && j->list[i] <= JOB_PAGE_MAX);
	FUZZ_CHECK(j->pages != JOB_PAGES_LIST || j->nlist > 0);
}

static void
check_roundtrip(const struct job *j)
{
	struct buf b = { 0 };
	struct job back;
	char why[256];

	job_encode(&b, j);
	FUZZ_CHECK(job_parse(&back, b.s, b.len, MAX_FILE, why,
	    sizeof(why)) == 0);
	FUZZ_CHECK(back.kind == j->kind && back.dpi == j->dpi &&
	    back.pages == j->pages && back.thumbs == j->thumbs &&
	    back.nlist == j->nlist);
	FUZZ_CHECK(memcmp(back.list, j->list, j->nlist * sizeof(int)) == 0);
	FUZZ_CHECK(back.old.present == j->old.present &&
	    back.old.len == j->old.len && back.new.present == j->new.present &&
	    back.new.len == j->new.len);
	FUZZ_CHECK(!j->new.present || j->new.len == 0 ||
	    memcmp(back.new.data, j->new.data, j->new.len) == 0);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job j, before;
	char why[256], name[JOB_IMAGE_NAME_MAX];
	size_t len, used;
	uint8_t *copy;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	/* a buffer of exactly the input's length: a read past it is seen */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	memset(&j, 0x5a, sizeof(j));
	before = j;
	why[0] = '\0';
	if (job_parse(&j, copy, size, MAX_FILE, why, sizeof(why)) == 0) {
		check_job(&j, copy, size);
		check_roundtrip(&j);
	} else {
		FUZZ_CHECK(memcmp(&j, &before, sizeof(j)) == 0);
		FUZZ_CHECK(why[0] != '\0' && memchr(why, '\0', sizeof(why)));
	}
	if (job_image_line((const char *)copy, size, name, &len, &used) == 0) {
		FUZZ_CHECK(used <= size && used <= JOB_LINE_MAX);
		FUZZ_CHECK(strlen(name) > 0 && strlen(name) < JOB_IMAGE_NAME_MAX);
	}
	free(copy);
	return 0;
}
