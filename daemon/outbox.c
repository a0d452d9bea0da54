/*
 * outbox.c - the durable outbound queue: a file per delivery in
 * state_dir/outbox, written to a temporary name, fsynced and renamed (and
 * the folder fsynced) before the first attempt, rewritten the same way
 * after each failed one, and moved to state_dir/dead when given up.  After
 * OpenSMTPD's queue_fs.c.  No foreign library.
 */
#include "outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define OUTBOX_MAGIC "printgate-delivery 1\n"

struct outbox {
	char *dir;		/* state_dir/outbox */
	char *dead;		/* state_dir/dead */
	struct delivery *v;
	size_t n, cap;
};

static const unsigned schedule[] = OUTBOX_SCHEDULE;

static void
delivery_clear(struct delivery *d)
{
	free(d->target);
	free(d->url);
	free(d->event);
	free(d->review);
	free(d->body);
	free(d->last_error);
	memset(d, 0, sizeof(*d));
}

static bool
valid_id(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n < 33 && strspn(id, "0123456789abcdef") == n;
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int error = 0;

	if (fd == -1)
		return -errno;
	if (fsync(fd) == -1)
		error = -errno;
	close(fd);
	return error;
}

/* Header values are single lines: replace what would break one. */
static void
add_header(struct buf *b, const char *key, const char *value)
{
	buf_addf(b, "%s: ", key);
	for (const char *p = value; *p; p++)
		buf_add(b, *p == '\n' || *p == '\r' ? " " : p, 1);
	buf_adds(b, "\n");
}

/* Writes d to dir/id through a temporary file, fsync and rename. */
static int
delivery_write(const char *dir, const struct delivery *d)
{
	struct buf b = { 0 };
	char *tmp = xasprintf("%s/.tmp-%s", dir, d->id);
	char *path = xasprintf("%s/%s", dir, d->id);
	size_t off = 0;
	int fd, error = 0;

	buf_adds(&b, OUTBOX_MAGIC);
	add_header(&b, "id", d->id);
	add_header(&b, "target", d->target);
	if (d->url)
		add_header(&b, "url", d->url);
	add_header(&b, "event", d->event);
	add_header(&b, "review", d->review);
	buf_addf(&b, "attempts: %u\nnext: %lld\ncreated: %lld\n", d->attempts,
	    (long long)d->next_at, (long long)d->created);
	if (d->last_error)
		add_header(&b, "last-error", d->last_error);
	buf_adds(&b, "\n");
	buf_add(&b, d->body, d->len);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		error = -errno;
		goto done;
	}
	while (off < b.len) {
		ssize_t w = write(fd, b.s + off, b.len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			error = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (error == 0 && fsync(fd) == -1)
		error = -errno;
	if (close(fd) == -1 && error == 0)
		error = -errno;
	if (error == 0 && rename(tmp, path) == -1)
		error = -errno;
	if (error == 0)
		error = fsync_dir(dir);
	else
		unlink(tmp);
done:
	free(tmp);
	free(path);
	buf_free(&b);
	return error;
}

/* Unix ms of 2100-01-01: later times in a file are not believed. */
#define OUTBOX_MAX_TIME 4102444800000LL

static void
set_field(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Parses a delivery file's text; -EINVAL when it is not one. */
static int
delivery_parse(const char *text, size_t len, struct delivery *out)
{
	struct delivery d = { 0 };
	const char *p = text, *end = text + len;

	if (len < strlen(OUTBOX_MAGIC) || strncmp(text, OUTBOX_MAGIC,
	    strlen(OUTBOX_MAGIC)) != 0)
		return -EINVAL;
	p += strlen(OUTBOX_MAGIC);
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *colon;
		char *value;

		if (nl == NULL)
			goto bad;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL || colon + 1 >= nl)
			goto bad;
		value = xstrndup(colon + 2, (size_t)(nl - colon - 2));
#define KEY(k) ((size_t)(colon - p) == strlen(k) && strncmp(p, k, strlen(k)) == 0)
		/* a key given twice: the last one counts, nothing leaks */
		if (KEY("id"))
			snprintf(d.id, sizeof(d.id), "%s", value);
		else if (KEY("target"))
			set_field(&d.target, value);
		else if (KEY("url"))
			set_field(&d.url, value);
		else if (KEY("event"))
			set_field(&d.event, value);
		else if (KEY("review"))
			set_field(&d.review, value);
		else if (KEY("attempts"))
			d.attempts = (unsigned)strtoul(value, NULL, 10);
		else if (KEY("next"))
			d.next_at = strtoll(value, NULL, 10);
		else if (KEY("created"))
			d.created = strtoll(value, NULL, 10);
		else if (KEY("last-error"))
			set_field(&d.last_error, value);
#undef KEY
		free(value);
		p = nl + 1;
	}
	if (p >= end || !valid_id(d.id) || !d.target || !d.event || !d.review)
		goto bad;
	/* values from a file are clamped to what this code can schedule */
	if (d.attempts >= OUTBOX_ATTEMPTS)
		d.attempts = OUTBOX_ATTEMPTS - 1;
	if (d.next_at < 0 || d.next_at > OUTBOX_MAX_TIME)
		d.next_at = 0;
	if (d.created < 0 || d.created > OUTBOX_MAX_TIME)
		d.created = 0;
	p++;
	d.len = (size_t)(end - p);
	d.body = xstrndup(p, d.len);
	*out = d;
	return 0;
bad:
	delivery_clear(&d);
	return -EINVAL;
}

static int
read_file(const char *path, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd == -1)
		return -errno;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			buf_free(&b);
			return (int)r;
		}
		buf_add(&b, chunk, (size_t)r);
		if (b.len > OUTBOX_MAX_BODY + 4096) {
			close(fd);
			buf_free(&b);
			return -EFBIG;
		}
	}
	close(fd);
	*len = b.len;
	*out = buf_steal(&b);
	return 0;
}

static int
load_dir(const char *dir, struct delivery **out, size_t *n,
    const char *dead)
{
	struct delivery *v = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char *path, *text = NULL;
		size_t len;
		struct delivery dl;

		if (de->d_name[0] == '.') {
			if (str_startswith(de->d_name, ".tmp-")) {
				/* a write that a crash interrupted */
				path = xasprintf("%s/%s", dir, de->d_name);
				unlink(path);
				free(path);
			}
			continue;
		}
		path = xasprintf("%s/%s", dir, de->d_name);
		memset(&dl, 0, sizeof(dl));
		if (read_file(path, &text, &len) < 0 ||
		    delivery_parse(text, len, &dl) < 0 ||
		    strcmp(dl.id, de->d_name) != 0) {
			delivery_clear(&dl);
			if (dead) {
				char *to = xasprintf("%s/%s", dead, de->d_name);

				log_warnx("outbox '%s': unreadable delivery, "
				    "moved to %s", path, to);
				rename(path, to);
				free(to);
			}
			free(text);
			free(path);
			continue;
		}
		free(text);
		free(path);
		v = xreallocarray(v, count + 1, sizeof(*v));
		v[count++] = dl;
	}
	closedir(d);
	*out = v;
	*n = count;
	return 0;
}

static int
mkdir_p(const char *dir)
{
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -errno;
	return 0;
}

int
outbox_open(struct outbox **out, const char *state_dir)
{
	struct outbox *ob = xcalloc(1, sizeof(*ob));
	int error;

	ob->dir = xasprintf("%s/outbox", state_dir);
	ob->dead = xasprintf("%s/dead", state_dir);
	if ((error = mkdir_p(state_dir)) < 0 ||
	    (error = mkdir_p(ob->dir)) < 0 ||
	    (error = mkdir_p(ob->dead)) < 0 ||
	    (error = load_dir(ob->dir, &ob->v, &ob->n, ob->dead)) < 0) {
		outbox_free(ob);
		return error;
	}
	ob->cap = ob->n;
	*out = ob;
	return 0;
}

int
outbox_refresh(struct outbox *ob)
{
	struct delivery *v = NULL;
	size_t n = 0;
	int added = 0, error;

	if ((error = load_dir(ob->dir, &v, &n, ob->dead)) < 0)
		return error;
	for (size_t i = 0; i < n; i++) {
		if (outbox_get(ob, v[i].id)) {
			delivery_clear(&v[i]);
			continue;
		}
		if (ob->n == ob->cap) {
			ob->cap = ob->cap ? ob->cap * 2 : 16;
			ob->v = xreallocarray(ob->v, ob->cap, sizeof(*ob->v));
		}
		ob->v[ob->n++] = v[i];
		added++;
	}
	free(v);
	return added;
}

void
outbox_free(struct outbox *ob)
{
	if (ob == NULL)
		return;
	outbox_deliveries_free(ob->v, ob->n);
	free(ob->dir);
	free(ob->dead);
	free(ob);
}

struct delivery *
outbox_get(struct outbox *ob, const char *id)
{
	for (size_t i = 0; i < ob->n; i++)
		if (strcmp(ob->v[i].id, id) == 0)
			return &ob->v[i];
	return NULL;
}

static int
outbox_add(struct outbox *ob, const char *id, const char *target,
    const char *url, const char *event, const char *review, const char *body,
    size_t len, int64_t now_ms)
{
	struct delivery d = { 0 };
	int error;

	if (!valid_id(id) || len > OUTBOX_MAX_BODY)
		return -EINVAL;
	if (outbox_get(ob, id))
		return 1;
	snprintf(d.id, sizeof(d.id), "%s", id);
	d.target = xstrdup(target);
	d.url = url ? xstrdup(url) : NULL;
	d.event = xstrdup(event);
	d.review = xstrdup(review);
	d.body = xstrndup(body, len);
	d.len = len;
	d.next_at = d.created = now_ms;
	if ((error = delivery_write(ob->dir, &d)) < 0) {
		delivery_clear(&d);
		return error;
	}
	if (ob->n == ob->cap) {
		ob->cap = ob->cap ? ob->cap * 2 : 16;
		ob->v = xreallocarray(ob->v, ob->cap, sizeof(*ob->v));
	}
	ob->v[ob->n++] = d;
	return 0;
}

int
outbox_put(struct outbox *ob, const char *id, const char *target,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms)
{
	return outbox_add(ob, id, target, NULL, event, review, body, len,
	    now_ms);
}

int
outbox_put_url(struct outbox *ob, const char *id, const char *url,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms)
{
	return outbox_add(ob, id, "response_url", url, event, review, body,
	    len, now_ms);
}

size_t
outbox_due(struct outbox *ob, int64_t now_ms, struct delivery **out,
    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ob->n && n < max; i++)
		if (!ob->v[i].inflight && ob->v[i].next_at <= now_ms)
			out[n++] = &ob->v[i];
	return n;
}

int64_t
outbox_next(const struct outbox *ob)
{
	int64_t next = -1;

	for (size_t i = 0; i < ob->n; i++)
		if (!ob->v[i].inflight && (next < 0 || ob->v[i].next_at < next))
			next = ob->v[i].next_at;
	return next;
}

size_t
outbox_depth(const struct outbox *ob)
{
	return ob->n;
}

static void
outbox_remove(struct outbox *ob, struct delivery *d)
{
	size_t i = (size_t)(d - ob->v);

	delivery_clear(d);
	memmove(&ob->v[i], &ob->v[i + 1], (ob->n - i - 1) * sizeof(*ob->v));
	ob->n--;
}

int
outbox_done(struct outbox *ob, const char *id)
{
	struct delivery *d = outbox_get(ob, id);
	char *path;
	int error = 0;

	if (d == NULL)
		return -ENOENT;
	path = xasprintf("%s/%s", ob->dir, id);
	if (unlink(path) == -1 && errno != ENOENT)
		error = -errno;
	free(path);
	outbox_remove(ob, d);
	return error;
}

int
outbox_failed(struct outbox *ob, const char *id, const char *error,
    int64_t now_ms, int64_t not_before_ms, bool permanent)
{
	struct delivery *d = outbox_get(ob, id);
	int rc;

	if (d == NULL)
		return -ENOENT;
	d->inflight = false;
	d->attempts++;
	free(d->last_error);
	d->last_error = xstrdup(error);
	if (permanent || d->attempts >= OUTBOX_ATTEMPTS) {
		char *from = xasprintf("%s/%s", ob->dir, id);

		/* rewrite with the last error, then move it */
		if ((rc = delivery_write(ob->dead, d)) == 0) {
			unlink(from);
			fsync_dir(ob->dir);
		}
		free(from);
		outbox_remove(ob, d);
		return rc < 0 ? rc : 1;
	}
	{
		size_t k = d->attempts - 1 < ARRAY_SIZE(schedule) ?
		    d->attempts - 1 : ARRAY_SIZE(schedule) - 1;
		int64_t delay = (int64_t)schedule[k] * 1000;
		unsigned char j = 0;

		/* jitter of up to +-10 % spreads retries of a burst out */
		util_random(&j, 1);
		delay += (delay / 10) * ((int64_t)j - 128) / 128;
		d->next_at = now_ms + delay;
		if (not_before_ms > d->next_at)
			d->next_at = not_before_ms;
	}
	rc = delivery_write(ob->dir, d);
	return rc < 0 ? rc : 0;
}

int
outbox_list(const char *state_dir, const char *which, struct delivery **out,
    size_t *n)
{
	char *dir = xasprintf("%s/%s", state_dir, which);
	int error = load_dir(dir, out, n, NULL);

	free(dir);
	return error;
}

void
outbox_deliveries_free(struct delivery *d, size_t n)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		delivery_clear(&d[i]);
	free(d);
}

int
outbox_requeue(const char *state_dir, const char *id, int64_t now_ms)
{
	char *from, *dir, *text = NULL;
	struct delivery d;
	size_t len;
	int error;

	if (!valid_id(id))
		return -EINVAL;
	from = xasprintf("%s/dead/%s", state_dir, id);
	dir = xasprintf("%s/outbox", state_dir);
	if ((error = read_file(from, &text, &len)) < 0)
		goto done;
	if ((error = delivery_parse(text, len, &d)) < 0)
		goto done;
	d.attempts = 0;
	d.next_at = now_ms;
	free(d.last_error);
	d.last_error = NULL;
	if ((error = delivery_write(dir, &d)) == 0 && unlink(from) == -1)
		error = -errno;
	if (error == 0) {
		/*
		 * Run as root, printgatectl would leave a file printgated's
		 * own user cannot read: give it the owner of the folder.
		 */
		struct stat st;
		char *path = xasprintf("%s/%s", dir, d.id);

		if (stat(dir, &st) == 0 && geteuid() == 0 &&
		    chown(path, st.st_uid, st.st_gid) == -1)
			error = -errno;
		free(path);
	}
	delivery_clear(&d);
done:
	free(text);
	free(from);
	free(dir);
	return error;
}
