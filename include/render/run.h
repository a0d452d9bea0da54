/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run.h - the caller's side of printgate-render: spawn it (posix_spawn)
 * with its limits, feed it a job, read its answer with a cap, kill it at
 * a timeout, and make of whatever happened either a preview or "no
 * preview: <reason>".  For an event loop, render_start/_pollfds/_step/
 * _finish never block; render_run() does all of it in one call.
 * printgated keeps the number of renderers at once to its cores.
 */
#ifndef PRINTGATE_RENDER_RUN_H
#define PRINTGATE_RENDER_RUN_H

#include <jansson.h>
#include <poll.h>
#include <stddef.h>

#include "render/job.h"

struct render_opts {
	const char *program;	/* printgate-render's path */
	int timeout_ms;		/* wall-clock time, then SIGKILL */
	int cpu_seconds;	/* the renderer's -t */
	long memory_mib;	/* the renderer's -m */
	size_t max_file;	/* the renderer's -s, in bytes (whole MiB) */
	size_t max_answer;	/* bytes of answer read at most */
	const char *extra[4];	/* more arguments (the tests' -X), NULL-ended */
};

/* The defaults: 20 s, 15 s of CPU, 1 GiB, 64 MiB files, 256 MiB answers. */
void render_opts_init(struct render_opts *o, const char *program);

struct render_image {
	char name[JOB_IMAGE_NAME_MAX];	/* "new-2", "diff-2", "thumb-new-1" */
	const unsigned char *data;	/* PNG, borrowed from the result */
	size_t len;
};

struct render_result {
	int preview;			/* 1: json and images are the answer */
	char *reason;			/* else "no preview: <reason>" */
	json_t *json;			/* the answer's header, or NULL */
	struct render_image *images;
	size_t nimages;
	char *raw;			/* the answer, which images point into */
};

struct render_proc;

/*
 * Spawns the renderer for job j.  Returns 0 with *out (finish it with
 * render_finish), or -errno when it cannot be spawned (*out untouched).
 * A file over o->max_file is refused here (-EFBIG), unspawned.
 */
int render_start(struct render_proc **out, const struct render_opts *o,
    const struct job *j);

/* The descriptors to wait on (up to 3, fd -1 for done), in fds. */
int render_pollfds(const struct render_proc *p, struct pollfd fds[3]);

/* Milliseconds until the renderer's timeout, at least 0. */
int render_timeout(const struct render_proc *p);

/*
 * Moves the job and the answer on as far as they go without blocking;
 * kills the renderer at its timeout or when its answer passes the cap.
 * Returns 1 when there is nothing more to wait for, else 0.
 */
int render_step(struct render_proc *p);

/*
 * Ends p (killing the renderer if it still runs), reaps it and fills
 * *out: the preview, or why there is none.  Frees p.
 */
void render_finish(struct render_proc *p, struct render_result *out);

/*
 * All of it in one call, waiting in poll(2).  Never fails: every failure
 * is a result without preview and with its reason.  Free the result with
 * render_result_free.
 */
void render_run(struct render_result *out, const struct render_opts *o,
    const struct job *j);

/* The image named name in r, or NULL. */
const struct render_image *render_image(const struct render_result *r,
    const char *name);

void render_result_free(struct render_result *r);

#endif
