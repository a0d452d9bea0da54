/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run.c - running printgate-render for a caller (run.h).  The renderer
 * is spawned with posix_spawn, its standard input a socket (so that a
 * renderer gone early is an error of send(MSG_NOSIGNAL), never a SIGPIPE
 * in the caller), its standard output and error pipes; descriptors past 2
 * are closed in the child, signals set to their defaults, and the
 * environment is empty but for the sanitizers' options.
 */
#include "render/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"

#define STDERR_KEPT 4096	/* bytes of the renderer's stderr kept */

struct render_proc {
	pid_t pid;
	int in, out, err;	/* our ends, -1 once closed */
	struct buf job;
	size_t sent;
	struct buf answer;
	char errtext[STDERR_KEPT + 1];
	size_t errlen;
	size_t max_answer;
	long long deadline;	/* CLOCK_MONOTONIC, ms */
	int timeout_ms;
	int timed_out, too_big;
};

void
render_opts_init(struct render_opts *o, const char *program)
{
	*o = (struct render_opts){
		.program = program, .timeout_ms = 20000, .cpu_seconds = 15,
		.memory_mib = 1024, .max_file = 64u << 20,
		.max_answer = 256u << 20,
	};
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The sanitizers' options, passed on so the SAN build's renderer obeys. */
static void
spawn_env(char *env[3])
{
	static const char *const keep[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS" };
	static char store[2][512];
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(keep); i++) {
		const char *v = getenv(keep[i]);

		if (v != NULL && strlen(v) < 400) {
			snprintf(store[n], sizeof(store[n]), "%s=%s", keep[i],
			    v);
			env[n] = store[n];
			n++;
		}
	}
	env[n] = NULL;
}

/* posix_spawn of o->program with fds 0, 1, 2 as given; 0 or -errno. */
static int
spawn(pid_t *pid, const struct render_opts *o, int in, int out, int err)
{
	char cpu[16], mem[24], file[24], *argv[16], *env[3];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int argc = 0, error;

	snprintf(cpu, sizeof(cpu), "%d", o->cpu_seconds);
	snprintf(mem, sizeof(mem), "%ld", o->memory_mib);
	snprintf(file, sizeof(file), "%zu", (o->max_file + (1u << 20) - 1) >>
	    20);
	argv[argc++] = (char *)o->program;
	argv[argc++] = "-t";
	argv[argc++] = cpu;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "-s";
	argv[argc++] = file;
	for (int i = 0; i < 4 && o->extra[i] != NULL; i++)
		argv[argc++] = (char *)o->extra[i];
	argv[argc] = NULL;
	spawn_env(env);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, err, 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	error = posix_spawn(pid, o->program, &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -error;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
render_start(struct render_proc **out, const struct render_opts *o,
    const struct job *j)
{
	int sv[2] = { -1, -1 }, po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	struct render_proc *p;
	int error = 0;

	if ((j->old.present && j->old.len > o->max_file) ||
	    (j->new.present && j->new.len > o->max_file))
		return -EFBIG;
	/* posix_spawn reports a program it cannot run only where it can
	 * (not under valgrind, whose fork makes it exit 127): ask first */
	if (access(o->program, X_OK) == -1)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1) {
		error = -errno;
		goto fail;
	}
	p = xcalloc(1, sizeof(*p));
	if ((error = spawn(&p->pid, o, sv[1], po[1], pe[1])) < 0) {
		free(p);
		goto fail;
	}
	close(sv[1]);
	close(po[1]);
	close(pe[1]);
	p->in = sv[0];
	p->out = po[0];
	p->err = pe[0];
	fcntl(p->in, F_SETFL, O_NONBLOCK);
	fcntl(p->out, F_SETFL, O_NONBLOCK);
	fcntl(p->err, F_SETFL, O_NONBLOCK);
	job_encode(&p->job, j);
	p->max_answer = o->max_answer;
	p->timeout_ms = o->timeout_ms;
	p->deadline = now_ms() + o->timeout_ms;
	*out = p;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		close_fd(&sv[i]);
		close_fd(&po[i]);
		close_fd(&pe[i]);
	}
	return error;
}

int
render_pollfds(const struct render_proc *p, struct pollfd fds[3])
{
	fds[0] = (struct pollfd){ .fd = p->in, .events = POLLOUT };
	fds[1] = (struct pollfd){ .fd = p->out, .events = POLLIN };
	fds[2] = (struct pollfd){ .fd = p->err, .events = POLLIN };
	return 3;
}

int
render_timeout(const struct render_proc *p)
{
	long long left = p->deadline - now_ms();

	return left < 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

/* Sends what the socket takes of the job; closes it when all is sent. */
static void
step_in(struct render_proc *p)
{
	while (p->in >= 0 && p->sent < p->job.len) {
		ssize_t n = send(p->in, p->job.s + p->sent,
		    p->job.len - p->sent, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			/* the renderer stopped reading: its answer says why */
			close_fd(&p->in);
			return;
		}
		p->sent += (size_t)n;
	}
	close_fd(&p->in);
}

/* Reads what fd has; 1 at its end or on an error, else 0. */
static int
drain(int fd, struct buf *b, size_t cap, int *over)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
		if (n == 0)
			return 1;
		if (b->len + (size_t)n > cap) {
			*over = 1;
			return 1;
		}
		buf_add(b, chunk, (size_t)n);
	}
}

static void
step_err(struct render_proc *p)
{
	char chunk[4096];

	for (;;) {
		ssize_t n = read(p->err, chunk, sizeof(chunk));
		size_t take;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			close_fd(&p->err);
			return;
		}
		take = STDERR_KEPT - p->errlen < (size_t)n ?
		    STDERR_KEPT - p->errlen : (size_t)n;
		memcpy(p->errtext + p->errlen, chunk, take);
		p->errlen += take;
	}
}

int
render_step(struct render_proc *p)
{
	if (p->timed_out || p->too_big)
		return 1;
	step_in(p);
	if (p->out >= 0 && drain(p->out, &p->answer, p->max_answer,
	    &p->too_big))
		close_fd(&p->out);
	if (p->err >= 0)
		step_err(p);
	if (p->too_big || (now_ms() >= p->deadline && (p->out >= 0 ||
	    p->err >= 0))) {
		p->timed_out = !p->too_big;
		kill(p->pid, SIGKILL);
		return 1;
	}
	return p->out < 0 && p->err < 0;
}

static void
no_preview(struct render_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
no_preview(struct render_result *r, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	buf_adds(&b, "no preview: ");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	r->preview = 0;
	free(r->reason);
	r->reason = buf_steal(&b);
}

/* The last line of what the renderer said on stderr, for a reason. */
static const char *
last_line(struct render_proc *p)
{
	char *s = p->errtext, *nl;

	s[p->errlen] = '\0';
	while (p->errlen > 0 && s[p->errlen - 1] == '\n')
		s[--p->errlen] = '\0';
	nl = strrchr(s, '\n');
	s = nl ? nl + 1 : s;
	for (char *c = s; *c != '\0'; c++)
		if ((unsigned char)*c < ' ' || (unsigned char)*c > 126)
			*c = '?';
	return *s ? s : "it said nothing";
}

/*
 * Reads the answer in r->raw (len bytes): the JSON line, each image the
 * header names, "end".  Returns 0, or -EINVAL with why set.
 */
static int
parse_answer(struct render_result *r, size_t len, const char **why)
{
	const char *s = r->raw, *nl;
	json_t *names, *preview;
	json_error_t jerr;
	size_t pos, n;

	nl = memchr(s, '\n', len < JOB_HEADER_MAX ? len : JOB_HEADER_MAX);
	if (nl == NULL)
		return (*why = "no header line", -EINVAL);
	r->json = json_loadb(s, (size_t)(nl - s), JSON_REJECT_DUPLICATES,
	    &jerr);
	if (r->json == NULL || !json_is_object(r->json))
		return (*why = "its header is not a JSON object", -EINVAL);
	preview = json_object_get(r->json, "preview");
	names = json_object_get(r->json, "images");
	if (!json_is_boolean(preview) || (names != NULL &&
	    !json_is_array(names)))
		return (*why = "its header lacks \"preview\"", -EINVAL);
	pos = (size_t)(nl - s) + 1;
	n = json_array_size(names);
	r->images = xcalloc(n ? n : 1, sizeof(*r->images));
	for (size_t i = 0; i < n; i++) {
		struct render_image *im = &r->images[i];
		const char *want = json_string_value(json_array_get(names, i));
		size_t used;

		if (want == NULL || job_image_line(s + pos, len - pos,
		    im->name, &im->len, &used) < 0 ||
		    strcmp(want, im->name) != 0)
			return (*why = "an image line is malformed", -EINVAL);
		pos += used;
		if (len - pos < im->len + 1 || s[pos + im->len] != '\n')
			return (*why = "an image is cut short", -EINVAL);
		im->data = (const unsigned char *)s + pos;
		pos += im->len + 1;
		r->nimages++;
	}
	if (len - pos != 4 || memcmp(s + pos, "end\n", 4) != 0)
		return (*why = "it does not end with \"end\"", -EINVAL);
	return 0;
}

/* What a renderer that exited 0 answered, into r. */
static void
take_answer(struct render_result *r, struct render_proc *p)
{
	size_t len = p->answer.len;
	const char *why = NULL, *reason;

	r->raw = buf_steal(&p->answer);
	if (parse_answer(r, len, &why) < 0) {
		no_preview(r, "the renderer's answer is malformed: %s", why);
		return;
	}
	if (json_is_true(json_object_get(r->json, "preview"))) {
		r->preview = 1;
		return;
	}
	reason = json_string_value(json_object_get(r->json, "reason"));
	no_preview(r, "%s", reason != NULL ? reason : "no reason given");
}

/*
 * Waits for the renderer to exit, until its deadline: one that closed its
 * output but goes on is killed then, and counts as timed out.
 */
static void
reap(struct render_proc *p, int *st)
{
	for (;;) {
		pid_t r = waitpid(p->pid, st, WNOHANG);
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (r == p->pid || (r == -1 && errno != EINTR))
			return;
		if (r == 0 && now_ms() >= p->deadline) {
			p->timed_out = 1;
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, st, 0) == -1 && errno == EINTR)
				;
			return;
		}
		if (r == 0)
			nanosleep(&ts, NULL);
	}
}

void
render_finish(struct render_proc *p, struct render_result *out)
{
	struct render_result r = { 0 };
	int st = 0;

	if (p->in >= 0 || p->out >= 0 || p->err >= 0 || p->timed_out ||
	    p->too_big)
		kill(p->pid, SIGKILL);
	close_fd(&p->in);
	close_fd(&p->out);
	close_fd(&p->err);
	reap(p, &st);
	if (p->timed_out)
		no_preview(&r, "rendering took longer than %d s",
		    (p->timeout_ms + 999) / 1000);
	else if (p->too_big)
		no_preview(&r, "the renderer's answer is over %zu MiB",
		    p->max_answer >> 20);
	else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		no_preview(&r, "the renderer was stopped by its sandbox (a "
		    "system call it may not make)");
	else if (WIFSIGNALED(st))
		no_preview(&r, "the renderer was killed by signal %d (%s)",
		    WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WEXITSTATUS(st) != 0)
		no_preview(&r, "the renderer failed (exit status %d: %s)",
		    WEXITSTATUS(st), last_line(p));
	else
		take_answer(&r, p);
	buf_free(&p->job);
	buf_free(&p->answer);
	free(p);
	*out = r;
}

void
render_run(struct render_result *out, const struct render_opts *o,
    const struct job *j)
{
	struct render_result r = { 0 };
	struct render_proc *p;
	int error = render_start(&p, o, j);

	if (error == -EFBIG) {
		no_preview(&r, "the file is over the %zu MiB the renderer "
		    "reads", o->max_file >> 20);
		*out = r;
		return;
	}
	if (error < 0) {
		no_preview(&r, "the renderer cannot be started (%s: %s)",
		    o->program, strerror(-error));
		*out = r;
		return;
	}
	while (!render_step(p)) {
		struct pollfd fds[3];
		int n = render_pollfds(p, fds);

		if (poll(fds, (nfds_t)n, render_timeout(p)) == -1 &&
		    errno != EINTR)
			break;
	}
	render_finish(p, out);
}

const struct render_image *
render_image(const struct render_result *r, const char *name)
{
	for (size_t i = 0; i < r->nimages; i++)
		if (strcmp(r->images[i].name, name) == 0)
			return &r->images[i];
	return NULL;
}

void
render_result_free(struct render_result *r)
{
	if (r == NULL)
		return;
	free(r->reason);
	json_decref(r->json);
	free(r->images);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}
