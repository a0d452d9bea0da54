/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notewrite - the gate's ledger write alone, both ways in one process:
 * a released event appended to a commit's note as loose objects
 * (ledger_append) and as one pack (ledger_append_pack), taking turns, the
 * ledger put back after each, for bench/README.md.
 *
 *   notewrite GITDIR COMMIT RUNS
 *
 * Prints the median of each in milliseconds and their ratio.  Each write
 * is fsynced (repo_open), so the numbers are mostly the disk's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ledger.h"
#include "core/repo.h"
#include "core/util.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_value);
	return v[n / 2];
}

/* One timed append of a new released event, the ledger then put back. */
static int
one(struct repo *r, const char *commit, const char *head, bool pack,
    double *ms)
{
	char id[33], now[OID_HEX];
	struct ledger_event ev = { .type = LEDGER_RELEASED, .by = "rita",
	    .via = "hook", .tag = "print/bench-typical", .id = id };
	double t;
	int error;

	if ((error = util_random_id(id)) < 0)
		return error;
	ev.at = (int64_t)time(NULL);
	t = now_ms();
	error = (pack ? ledger_append_pack : ledger_append)(r, commit, &ev,
	    1000, NULL);
	*ms = now_ms() - t;
	if (error == 0 && (error = repo_notes_head(r, LEDGER_REF, now)) == 0)
		error = repo_ref_set(r, LEDGER_REF, head, now, "notewrite: put "
		    "the ledger back");
	return error;
}

int
main(int argc, char *argv[])
{
	struct repo *r = NULL;
	char head[OID_HEX];
	double *loose, *packed;
	char *why = NULL;
	long runs;
	int error = 0;

	if (argc != 4 || (runs = strtol(argv[3], NULL, 10)) < 1) {
		fprintf(stderr, "usage: notewrite GITDIR COMMIT RUNS\n");
		return 2;
	}
	if (repo_open(&r, argv[1], &why) < 0) {
		fprintf(stderr, "notewrite: %s\n", why);
		return 1;
	}
	if ((error = repo_notes_head(r, LEDGER_REF, head)) < 0) {
		fprintf(stderr, "notewrite: no ledger in %s\n", argv[1]);
		return 1;
	}
	loose = xcalloc((size_t)runs, sizeof(*loose));
	packed = xcalloc((size_t)runs, sizeof(*packed));
	for (long i = 0; i < runs && error == 0; i++)
		if ((error = one(r, argv[2], head, false, &loose[i])) == 0)
			error = one(r, argv[2], head, true, &packed[i]);
	if (error < 0) {
		fprintf(stderr, "notewrite: cannot write the ledger: %s\n",
		    repo_strerror());
		return 1;
	}
	printf("loose %.2f ms, one pack %.2f ms (median of %ld each): %.2fx\n",
	    median(loose, (size_t)runs), median(packed, (size_t)runs), runs,
	    median(packed, (size_t)runs) / median(loose, (size_t)runs));
	free(loose);
	free(packed);
	repo_free(r);
	return 0;
}
