/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_outbox.c - the outbox's delivery files (outbox.c), read back at
 * every start: the parser is static, so the input is written as the one
 * file of state_dir/outbox in a private temporary folder, made once, and
 * outbox_open() loads it.
 *
 * The file is named after the input's first "id: " header when that is a
 * valid id (so that a delivery can load), else "0".  What loads must hold
 * what struct delivery promises, and its times must show as `printgatectl
 * outbox list` shows them; what does not load must have been moved to
 * state_dir/dead.  A loaded delivery then fails once, as after a refused
 * attempt (outbox_failed() rewrites it, or moves it to dead after the
 * last), and what was rewritten must load again as it was written.
 *
 * The log functions are stubs here: they format their message, as
 * log.c would, but print nothing, since the outbox logs every file it
 * moves to dead.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdarg.h>

#include "core/log.h"
#include "core/outbox.h"
#include "core/util.h"

void
log_init(const char *progname, bool verbose)
{
	(void)progname;
	(void)verbose;
}

static void log_format(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static void
log_format(const char *fmt, va_list ap)
{
	char line[8192];

	vsnprintf(line, sizeof(line), fmt, ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_format(fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_format(fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_format(fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_format(fmt, ap);
	va_end(ap);
}

/* Only for start-up: never reached from the outbox. */
void
fatal(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

void
fatalx(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

static char state[4200], outdir[4300], deaddir[4300];

/* Empties a folder of the state (files only: it holds nothing else). */
static void
empty_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[4600];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) != 0) {
			perror(path);
			abort();
		}
	}
	closedir(d);
}

static bool
exists(const char *dir, const char *name)
{
	char path[4600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Whether the n bytes at s (not terminated) are a delivery id. */
static bool
valid_id(const char *s, size_t n)
{
	if (n == 0 || n >= 33)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("0123456789abcdef", s[i]) == NULL || s[i] == '\0')
			return false;
	return true;
}

/* The value of the first "id: " header line, when it is a valid id. */
static void
file_name(const uint8_t *data, size_t size, char name[33])
{
	static const char magic[] = "printgate-delivery 1\n";
	const char *p = (const char *)data, *end = p + size;

	strcpy(name, "0");
	if (size < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1))
		return;
	p += sizeof(magic) - 1;
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			return;
		if (nl - p > 4 && memcmp(p, "id: ", 4) == 0) {
			if (valid_id(p + 4, (size_t)(nl - p - 4))) {
				memcpy(name, p + 4, (size_t)(nl - p - 4));
				name[nl - p - 4] = '\0';
			}
			return;
		}
		p = nl + 1;
	}
}

/* What struct delivery promises of one that loaded from file name. */
static void
check_delivery(const struct delivery *d, const char *name)
{
	size_t n = strlen(d->id);

	FUZZ_CHECK(n > 0 && n < 33 && strspn(d->id, "0123456789abcdef") == n);
	FUZZ_CHECK(strcmp(d->id, name) == 0);
	FUZZ_CHECK(d->target != NULL && d->event != NULL &&
	    d->review != NULL);
	FUZZ_CHECK(d->body != NULL && d->body[d->len] == '\0');
	FUZZ_CHECK(!d->inflight);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A header value as written: one line, '\r' and '\n' as spaces. */
static bool
same_header(const char *written, const char *read)
{
	if (written == NULL || read == NULL)
		return written == read;
	if (strlen(written) != strlen(read))
		return false;
	for (size_t i = 0; written[i] != '\0'; i++) {
		char c = written[i] == '\r' || written[i] == '\n' ? ' ' :
		    written[i];

		if (c != read[i])
			return false;
	}
	return true;
}

/*
 * What `printgatectl outbox list` does with a delivery's times: each is
 * shown with util_rfc3339(), which must give a string (util.h: into
 * out[21]) whatever the file said.
 */
static void
show(const struct delivery *d)
{
	char when[21];

	memset(when, 'X', sizeof(when));
	util_rfc3339(d->next_at / 1000, when);
	FUZZ_CHECK(memchr(when, '\0', sizeof(when)) != NULL);
	memset(when, 'X', sizeof(when));
	util_rfc3339(d->created / 1000, when);
	FUZZ_CHECK(memchr(when, '\0', sizeof(when)) != NULL);
}

/*
 * The delivery failed once: it is rewritten (or moved to dead after the
 * last attempt), and what was rewritten loads again as it was.
 */
static void
fail_once(struct outbox *ob, const struct delivery *was)
{
	struct delivery copy = *was;
	struct outbox *again = NULL;
	struct delivery *d;
	int64_t now = 1798970733000LL;
	int rc;

	copy.target = strdup(was->target);
	copy.url = was->url ? strdup(was->url) : NULL;
	copy.event = strdup(was->event);
	copy.review = strdup(was->review);
	copy.body = malloc(was->len + 1);
	if (copy.target == NULL || copy.event == NULL ||
	    copy.review == NULL || copy.body == NULL ||
	    (was->url != NULL && copy.url == NULL))
		abort();
	memcpy(copy.body, was->body, was->len + 1);

	rc = outbox_failed(ob, copy.id, "fuzz: refused", now, 0, false);
	FUZZ_CHECK(rc == 0 || rc == 1);
	if (rc == 1) {
		/* given up: in dead, not in the outbox */
		FUZZ_CHECK(outbox_get(ob, copy.id) == NULL);
		FUZZ_CHECK(exists(deaddir, copy.id));
		FUZZ_CHECK(!exists(outdir, copy.id));
		goto done;
	}
	FUZZ_CHECK(copy.attempts + 1 < OUTBOX_ATTEMPTS);
	FUZZ_CHECK(outbox_open(&again, state, NULL) == 0);
	FUZZ_CHECK(outbox_depth(again) == 1);
	d = outbox_get(again, copy.id);
	FUZZ_CHECK(d != NULL);
	check_delivery(d, copy.id);
	FUZZ_CHECK(same_header(copy.target, d->target));
	FUZZ_CHECK(same_header(copy.url, d->url));
	FUZZ_CHECK(same_header(copy.event, d->event));
	FUZZ_CHECK(same_header(copy.review, d->review));
	FUZZ_CHECK(same_str(d->last_error, "fuzz: refused"));
	FUZZ_CHECK(d->attempts == copy.attempts + 1);
	FUZZ_CHECK(d->created == copy.created);
	FUZZ_CHECK(d->next_at >= now);
	FUZZ_CHECK(d->len == copy.len &&
	    memcmp(d->body, copy.body, copy.len) == 0);
	outbox_free(again);
done:
	free(copy.target);
	free(copy.url);
	free(copy.event);
	free(copy.review);
	free(copy.body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outbox *ob = NULL;
	char due[2][OUTBOX_ID_SIZE];
	char name[33], path[4400];

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (state[0] == '\0') {
		snprintf(state, sizeof(state), "%s/state", fuzz_tmpdir());
		snprintf(outdir, sizeof(outdir), "%s/outbox", state);
		snprintf(deaddir, sizeof(deaddir), "%s/dead", state);
		/* outbox_open() makes state, outbox and dead */
		FUZZ_CHECK(outbox_open(&ob, state, NULL) == 0);
		outbox_free(ob);
		ob = NULL;
	}
	empty_dir(outdir);
	empty_dir(deaddir);
	file_name(data, size, name);
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	fuzz_write_file(path, data, size);

	FUZZ_CHECK(outbox_open(&ob, state, NULL) == 0);
	FUZZ_CHECK(outbox_depth(ob) <= 1);
	if (outbox_depth(ob) == 0) {
		/* not a delivery: moved to dead, out of the way */
		FUZZ_CHECK(!exists(outdir, name));
		FUZZ_CHECK(exists(deaddir, name));
		FUZZ_CHECK(outbox_next(ob) == -1);
		outbox_free(ob);
		return 0;
	}
	FUZZ_CHECK(outbox_get(ob, name) != NULL);
	check_delivery(outbox_get(ob, name), name);
	show(outbox_get(ob, name));
	FUZZ_CHECK(outbox_next(ob) == outbox_get(ob, name)->next_at);
	FUZZ_CHECK(outbox_due(ob, INT64_MAX, due, 2) == 1 &&
	    strcmp(due[0], name) == 0);
	fail_once(ob, outbox_get(ob, name));
	outbox_free(ob);
	return 0;
}
