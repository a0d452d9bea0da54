/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outbox.c - the durable outbound queue: a file per delivery in
 * state_dir/outbox, written with util_write_atomic() before the first
 * attempt, rewritten the same way after each failed one, and moved to
 * state_dir/dead when given up.  After OpenSMTPD's queue_fs.c.  The folders
 * are checked (util_state_dir_open()) and then used only through their
 * descriptors, and no file in them is opened through a link, so that
 * printgatectl run as root cannot be made to write or read elsewhere by a
 * link planted in them.  No foreign library.
 */
#include "core/outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"

#define OUTBOX_MAGIC "printgate-delivery 1\n"
/* spare files kept for new deliveries, at most */
#define OUTBOX_SPARES 64

struct outbox {
	char *dir;		/* state_dir/outbox */
	char *dead;		/* state_dir/dead */
	int dirfd, deadfd;	/* the two, open */
	uid_t uid;		/* who files written are given to, or -1 */
	gid_t gid;
	struct delivery *v;
	size_t n, cap;
	bool batch;		/* between outbox_batch_begin() and _end() */
	bool unsynced;		/* a file named in dirfd since its fsync */
	/*
	 * Spare files: delivered ones renamed ".tmp-spare-N" rather than
	 * removed, and written again for new deliveries, so that the folder
	 * does not create a file per delivery where as many were just
	 * removed (bench/README.md).  A ring, oldest first; the first
	 * nsynced were renamed before the folder's last fsync, so a crash
	 * cannot bring back the delivery under its old name with another's
	 * text.  ".tmp-" files are removed at the next start.
	 */
	uint64_t spare[OUTBOX_SPARES];
	size_t spare_first, nspare, nsynced;
	uint64_t spare_seq;
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

	return n > 0 && n < OUTBOX_ID_SIZE &&
	    strspn(id, "0123456789abcdef") == n;
}

/*
 * Opens state_dir, state_dir/outbox and state_dir/dead (making them with
 * UTIL_DIR_CREATE) into fds[0..2], each checked by util_state_dir_open(),
 * the two inside never through a link.  *uid and *gid are who files
 * written there must belong to: the state folder's owner when root runs
 * this for another user, else -1 (the caller's own).  0 or -errno with
 * *why (when why is not NULL) and nothing open.
 */
static int
outbox_dirs(const char *state_dir, unsigned flags, int fds[3], uid_t *uid,
    gid_t *gid, char **why)
{
	static const char *const sub[] = { "outbox", "dead" };
	struct stat st;
	int error;

	fds[0] = fds[1] = fds[2] = -1;
	if ((error = util_state_dir_open(&fds[0], state_dir, flags, &st,
	    why)) < 0)
		return error;
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		char *path = xasprintf("%s/%s", state_dir, sub[i]);

		error = util_state_dir_open(&fds[i + 1], path,
		    flags | UTIL_DIR_NOFOLLOW, NULL, why);
		free(path);
		if (error < 0) {
			for (size_t k = 0; k < 3; k++)
				if (fds[k] != -1)
					close(fds[k]);
			fds[0] = fds[1] = fds[2] = -1;
			return error;
		}
	}
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() == 0 && st.st_uid != 0) {
		*uid = st.st_uid;
		*gid = st.st_gid;
	}
	return 0;
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

/* d as its file says it. */
static void
delivery_format(const struct delivery *d, struct buf *b_)
{
	struct buf b = { 0 };

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
	*b_ = b;
}

/*
 * Writes d as the file id in the folder dirfd (util_write_atomic()), the
 * folder fsynced unless flags has UTIL_WRITE_DIR_LATER.
 */
static int
delivery_write(int dirfd, uid_t uid, gid_t gid, const struct delivery *d,
    unsigned flags)
{
	struct buf b;
	int error;

	delivery_format(d, &b);
	error = util_write_atomic_flags(dirfd, d->id, b.s, b.len, 0600, uid,
	    gid, flags);
	buf_free(&b);
	return error;
}

static void
spare_name(uint64_t seq, char name[32])
{
	snprintf(name, 32, ".tmp-spare-%llu", (unsigned long long)seq);
}

/* The folder was fsynced: every spare's rename is on disk. */
static void
spares_synced(struct outbox *ob)
{
	ob->nsynced = ob->nspare;
}

/* Keeps the delivered file id as a spare, or removes it. */
static int
spare_keep(struct outbox *ob, const char *id)
{
	char name[32];

	if (ob->nspare < OUTBOX_SPARES) {
		spare_name(ob->spare_seq, name);
		if (renameat(ob->dirfd, id, ob->dirfd, name) == 0) {
			ob->spare[(ob->spare_first + ob->nspare++) %
			    OUTBOX_SPARES] = ob->spare_seq++;
			return 0;
		}
		if (errno == ENOENT)
			return 0;
	}
	if (unlinkat(ob->dirfd, id, 0) == -1 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * Removes the spare files: once nothing waits, the folder is left as
 * empty as it is without them.
 */
static void
spares_drop(struct outbox *ob)
{
	char name[32];

	for (; ob->nspare > 0; ob->nspare--) {
		spare_name(ob->spare[ob->spare_first], name);
		ob->spare_first = (ob->spare_first + 1) % OUTBOX_SPARES;
		unlinkat(ob->dirfd, name, 0);
	}
	ob->nsynced = 0;
}

/* Whether fd, a spare opened, is a regular file with that name only. */
static bool
spare_usable(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_nlink == 1 && fcntl(fd, F_SETFL, 0) == 0;
}

/*
 * Writes d, a new delivery, into the oldest spare file whose rename is
 * on disk, emptied; 1 when there is none to write into (one removed
 * since, by outbox_refresh() or by hand, is forgotten).
 */
static int
spare_write(struct outbox *ob, const struct delivery *d, unsigned flags)
{
	char name[32];
	struct buf b;
	int fd, error;

	while (ob->nsynced > 0) {
		spare_name(ob->spare[ob->spare_first], name);
		ob->spare_first = (ob->spare_first + 1) % OUTBOX_SPARES;
		ob->nspare--;
		ob->nsynced--;
		/*
		 * Only a file of ours with no other name is written into: a
		 * FIFO put in its place would block the open, and a second
		 * name (a hard link) would be given another delivery's text.
		 */
		fd = openat(ob->dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY | O_NONBLOCK);
		if (fd == -1)
			continue;
		if (!spare_usable(fd) || ftruncate(fd, 0) == -1) {
			close(fd);
			unlinkat(ob->dirfd, name, 0);
			continue;
		}
		delivery_format(d, &b);
		error = util_write_atomic_into(ob->dirfd, fd, name, d->id, b.s,
		    b.len, 0600, ob->uid, ob->gid, flags);
		buf_free(&b);
		return error;
	}
	return 1;
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

/* Reads the regular file name in dirfd, never through a link. */
static int
read_file(int dirfd, const char *name, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[8192];
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK);
	ssize_t r;

	if (fd == -1)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) == -1) {
		r = -errno;
		close(fd);
		return (int)r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
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

/*
 * Loads the deliveries in the folder dirfd (dir, for messages).  With a
 * deadfd (not -1) it also removes what interrupted writes left and moves
 * files that are not deliveries (links included) to dead.
 */
static int
load_dir(int dirfd, const char *dir, struct delivery **out, size_t *n,
    int deadfd, const char *dead)
{
	struct delivery *v = NULL;
	size_t count = 0;
	struct dirent *de;
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d;

	if (fd == -1)
		return -errno;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -errno;
	}
	/* the copy shares the offset with dirfd: start at the beginning */
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		char *text = NULL;
		size_t len;
		struct delivery dl;

		if (de->d_name[0] == '.') {
			/* a write that a crash interrupted */
			if (deadfd != -1 && str_startswith(de->d_name, ".tmp-"))
				unlinkat(dirfd, de->d_name, 0);
			continue;
		}
		memset(&dl, 0, sizeof(dl));
		if (read_file(dirfd, de->d_name, &text, &len) < 0 ||
		    delivery_parse(text, len, &dl) < 0 ||
		    strcmp(dl.id, de->d_name) != 0) {
			delivery_clear(&dl);
			if (deadfd != -1) {
				log_warnx("outbox '%s/%s': unreadable delivery, "
				    "moved to %s/%s", dir, de->d_name, dead,
				    de->d_name);
				renameat(dirfd, de->d_name, deadfd, de->d_name);
			}
			free(text);
			continue;
		}
		free(text);
		v = xreallocarray(v, count + 1, sizeof(*v));
		v[count++] = dl;
	}
	closedir(d);
	*out = v;
	*n = count;
	return 0;
}

int
outbox_open(struct outbox **out, const char *state_dir, char **why)
{
	struct outbox *ob = xcalloc(1, sizeof(*ob));
	int fds[3], error;

	ob->dir = xasprintf("%s/outbox", state_dir);
	ob->dead = xasprintf("%s/dead", state_dir);
	ob->dirfd = ob->deadfd = -1;
	if ((error = outbox_dirs(state_dir, UTIL_DIR_CREATE, fds, &ob->uid,
	    &ob->gid, why)) < 0) {
		outbox_free(ob);
		return error;
	}
	close(fds[0]);
	ob->dirfd = fds[1];
	ob->deadfd = fds[2];
	if ((error = load_dir(ob->dirfd, ob->dir, &ob->v, &ob->n, ob->deadfd,
	    ob->dead)) < 0) {
		if (why)
			*why = xasprintf("cannot read '%s': %s", ob->dir,
			    strerror(-error));
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

	if ((error = load_dir(ob->dirfd, ob->dir, &v, &n, ob->deadfd,
	    ob->dead)) < 0)
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
	if (ob->dirfd != -1)
		spares_drop(ob);
	outbox_deliveries_free(ob->v, ob->n);
	if (ob->dirfd != -1)
		close(ob->dirfd);
	if (ob->deadfd != -1)
		close(ob->deadfd);
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
    size_t len, int64_t now_ms, int64_t due_ms)
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
	d.created = now_ms;
	d.next_at = due_ms > now_ms ? due_ms : now_ms;
	if ((error = spare_write(ob, &d, ob->batch ? UTIL_WRITE_DIR_LATER :
	    0)) == 1)
		error = delivery_write(ob->dirfd, ob->uid, ob->gid, &d,
		    ob->batch ? UTIL_WRITE_DIR_LATER : 0);
	if (error < 0) {
		delivery_clear(&d);
		return error;
	}
	if (!ob->batch)
		spares_synced(ob);
	ob->unsynced = ob->unsynced || ob->batch;
	if (ob->n == ob->cap) {
		ob->cap = ob->cap ? ob->cap * 2 : 16;
		ob->v = xreallocarray(ob->v, ob->cap, sizeof(*ob->v));
	}
	ob->v[ob->n++] = d;
	return 0;
}

void
outbox_batch_begin(struct outbox *ob)
{
	ob->batch = true;
}

int
outbox_batch_end(struct outbox *ob)
{
	ob->batch = false;
	if (!ob->unsynced)
		return 0;
	if (fsync(ob->dirfd) == -1)
		return -errno;	/* still unsynced: the next end tries again */
	ob->unsynced = false;
	spares_synced(ob);
	return 0;
}

int
outbox_put(struct outbox *ob, const char *id, const char *target,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms)
{
	return outbox_add(ob, id, target, NULL, event, review, body, len,
	    now_ms, now_ms);
}

int
outbox_put_at(struct outbox *ob, const char *id, const char *target,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms, int64_t due_ms)
{
	return outbox_add(ob, id, target, NULL, event, review, body, len,
	    now_ms, due_ms);
}

int
outbox_put_url(struct outbox *ob, const char *id, const char *url,
    const char *event, const char *review, const char *body, size_t len,
    int64_t now_ms)
{
	return outbox_add(ob, id, "response_url", url, event, review, body,
	    len, now_ms, now_ms);
}

int
outbox_update(struct outbox *ob, const char *id, const char *body,
    size_t len, int64_t due_ms)
{
	struct delivery *d = outbox_get(ob, id), nd;
	int error;

	if (len > OUTBOX_MAX_BODY)
		return -EINVAL;
	if (d == NULL || d->inflight || d->attempts > 0)
		return 1;
	nd = *d;
	nd.body = xstrndup(body, len);
	nd.len = len;
	nd.next_at = due_ms;
	/* the new file in place of the old, or the old one kept */
	if ((error = delivery_write(ob->dirfd, ob->uid, ob->gid, &nd, 0)) <
	    0) {
		free(nd.body);
		return error;
	}
	free(d->body);
	*d = nd;
	return 0;
}

size_t
outbox_due(const struct outbox *ob, int64_t now_ms,
    char (*ids)[OUTBOX_ID_SIZE], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ob->n && n < max; i++)
		if (!ob->v[i].inflight && ob->v[i].next_at <= now_ms)
			memcpy(ids[n++], ob->v[i].id, OUTBOX_ID_SIZE);
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
	if (--ob->n == 0)
		spares_drop(ob);
}

int
outbox_done(struct outbox *ob, const char *id)
{
	struct delivery *d = outbox_get(ob, id);
	int error = 0;

	if (d == NULL)
		return -ENOENT;
	error = spare_keep(ob, id);
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
		/* rewrite with the last error, then move it */
		if ((rc = delivery_write(ob->deadfd, ob->uid, ob->gid,
		    d, 0)) == 0) {
			unlinkat(ob->dirfd, id, 0);
			fsync(ob->dirfd);
		}
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
	rc = delivery_write(ob->dirfd, ob->uid, ob->gid, d, 0);
	return rc < 0 ? rc : 0;
}

int
outbox_list(const char *state_dir, const char *which, struct delivery **out,
    size_t *n, char **why)
{
	char *dir = xasprintf("%s/%s", state_dir, which);
	uid_t uid;
	gid_t gid;
	int fds[3], error;

	if ((error = outbox_dirs(state_dir, 0, fds, &uid, &gid, why)) < 0)
		goto done;
	error = load_dir(fds[strcmp(which, "dead") == 0 ? 2 : 1], dir, out, n,
	    -1, NULL);
	if (error < 0 && why)
		*why = xasprintf("cannot read '%s': %s", dir, strerror(-error));
	for (size_t i = 0; i < 3; i++)
		close(fds[i]);
done:
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
outbox_requeue(const char *state_dir, const char *id, int64_t now_ms,
    char **why)
{
	char *text = NULL;
	struct delivery d;
	size_t len;
	uid_t uid;
	gid_t gid;
	int fds[3] = { -1, -1, -1 }, error;

	if (!valid_id(id))
		return -EINVAL;
	if ((error = outbox_dirs(state_dir, 0, fds, &uid, &gid, why)) < 0)
		return error;
	if ((error = read_file(fds[2], id, &text, &len)) < 0)
		goto done;
	if ((error = delivery_parse(text, len, &d)) < 0)
		goto done;
	d.attempts = 0;
	d.next_at = now_ms;
	free(d.last_error);
	d.last_error = NULL;
	/*
	 * Run as root, printgatectl gives the file to the state folder's
	 * owner, on the descriptor, so that printgated can read it.
	 */
	if ((error = delivery_write(fds[1], uid, gid, &d, 0)) == 0) {
		if (unlinkat(fds[2], id, 0) == -1)
			error = -errno;
		else
			fsync(fds[2]);
	}
	delivery_clear(&d);
done:
	for (size_t i = 0; i < 3; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(text);
	return error;
}
