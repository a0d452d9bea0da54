/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * previews.c - the previews of PDFs and images in printgated (see
 * previews.h).  Three parts: the cache (one folder a pair of versions
 * under state_dir/previews, its pictures written first and answer.json
 * last, each through util_write_atomic(), so that a folder with an
 * answer is whole; an index in memory of each folder's bytes and last
 * use, the least recently used removed while the total is over
 * previews_max); the renderers (a queue of pairs, at most as many
 * renderers as cores, each moved on by the loop through one epoll set
 * and a timeout, never waited for); and the route that serves the
 * pictures to a link token's holder.
 */
#include "printgated/previews.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "core/verify.h"
#include "render/job.h"
#include "render/run.h"
#include "web/link.h"
#include "web/pagereq.h"
#include "web/page.h"
#include "web/picpath.h"
#include "web/token.h"

#define ANSWER_FILE "answer.json"
#define KEY_MAX PICPATH_PAIR_MAX	/* "OLD.NEW" and ".DPI" */
#define LFS_MAGIC "version https://git-lfs.github.com/spec/v1\n"
#define LFS_POINTER_MAX 1024	/* a pointer file is smaller */

/* A folder of the cache. */
struct entry {
	char name[KEY_MAX];	/* "OLD.NEW.DPI" */
	uint64_t bytes;
	int64_t used;		/* unix seconds, answer.json's mtime */
};

/* A pair waiting for a renderer, or with one. */
struct task {
	char key[KEY_MAX];	/* "OLD.NEW" */
	struct render_proc *proc;	/* NULL while queued */
};

struct previews {
	const struct config *cf;
	struct repo *r;
	char *program;
	int dirfd;		/* state_dir/previews */
	int ep;			/* the renderers' descriptors */
	struct token_keys keys;
	bool have_keys;
	struct entry *entries;
	size_t nentries;
	struct task queue[PREVIEWS_QUEUE_MAX];
	size_t nqueue;
	size_t max_running;	/* the cores */
	struct previews_stats st;
};

/* --- the cache ------------------------------------------------------ */

static void
entry_name(char out[KEY_MAX], const char *key)
{
	snprintf(out, KEY_MAX, "%.81s.%d", key, PREVIEWS_DPI);
}

static struct entry *
entry_find(struct previews *pv, const char *key)
{
	char name[KEY_MAX];

	entry_name(name, key);
	for (size_t i = 0; i < pv->nentries; i++)
		if (strcmp(pv->entries[i].name, name) == 0)
			return &pv->entries[i];
	return NULL;
}

/* Removes folder name of the cache and what it holds. */
static void
entry_remove(struct previews *pv, const char *name)
{
	int fd = openat(pv->dirfd, name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				unlinkat(fd, de->d_name, 0);
		closedir(d);
	} else if (fd >= 0)
		close(fd);
	if (unlinkat(pv->dirfd, name, AT_REMOVEDIR) == -1 && errno != ENOENT)
		log_warn("previews: cannot remove '%s'", name);
}

/* Takes the least recently used folders out while over previews_max. */
static void
cache_bound(struct previews *pv, const char *keep)
{
	while (pv->st.bytes > pv->cf->previews_max && pv->nentries > 0) {
		size_t lru = SIZE_MAX;

		for (size_t i = 0; i < pv->nentries; i++)
			if ((keep == NULL ||
			    strcmp(pv->entries[i].name, keep) != 0) &&
			    (lru == SIZE_MAX ||
			    pv->entries[i].used < pv->entries[lru].used))
				lru = i;
		if (lru == SIZE_MAX)
			break;
		entry_remove(pv, pv->entries[lru].name);
		pv->st.bytes -= pv->entries[lru].bytes;
		pv->st.evicted++;
		pv->entries[lru] = pv->entries[--pv->nentries];
	}
}

/* The bytes of the files in folder fd, and answer.json's mtime. */
static int
folder_size(int fd, uint64_t *bytes, int64_t *used)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	struct stat st;
	bool whole = false;

	if (d == NULL) {
		close(fd);
		return -errno;
	}
	*bytes = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		*bytes += (uint64_t)st.st_size;
		if (strcmp(de->d_name, ANSWER_FILE) == 0) {
			whole = true;
			*used = (int64_t)st.st_mtime;
		}
	}
	closedir(d);
	return whole ? 0 : -ENOENT;
}

/*
 * Indexes the folders of the cache.  One without an answer is being
 * written (by another printgated on this state_dir, or a tool) or was
 * left half written: it goes once it is older than PREVIEWS_TIMEOUT_MS
 * and a minute.
 */
static void
cache_index(struct previews *pv)
{
	int fd = dup(pv->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct entry e = { 0 };
		int sub;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= KEY_MAX)
			continue;
		sub = openat(pv->dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || folder_size(sub, &e.bytes, &e.used) < 0) {
			struct stat st;

			if (fstatat(pv->dirfd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime <
			    time(NULL) - PREVIEWS_TIMEOUT_MS / 1000 - 60)
				entry_remove(pv, de->d_name);
			continue;
		}
		snprintf(e.name, sizeof(e.name), "%s", de->d_name);
		pv->entries = xreallocarray(pv->entries, pv->nentries + 1,
		    sizeof(*pv->entries));
		pv->entries[pv->nentries++] = e;
		pv->st.bytes += e.bytes;
	}
	closedir(d);
}

/* Marks an entry used now (in memory and answer.json's mtime). */
static void
entry_touch(struct previews *pv, struct entry *e)
{
	int fd = openat(pv->dirfd, e->name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);

	e->used = (int64_t)time(NULL);
	if (fd >= 0) {
		utimensat(fd, ANSWER_FILE, NULL, AT_SYMLINK_NOFOLLOW);
		close(fd);
	}
}

/* Writes one file of a cache folder; adds its bytes to *bytes. */
static int
store_file(int fd, const char *name, const void *data, size_t len,
    uint64_t *bytes)
{
	int error = util_write_atomic(fd, name, data, len, 0600,
	    (uid_t)-1, (gid_t)-1);

	if (error == 0)
		*bytes += len;
	return error;
}

/*
 * Stores the answer for key: its pictures, then answer.json (the
 * header, or {"preview":false,"reason":...} without a preview).
 */
static void
cache_store(struct previews *pv, const char *key,
    const struct render_result *res, bool lfs)
{
	struct entry e = { 0 };
	json_t *head;
	char *text;
	int fd, error = 0;

	entry_name(e.name, key);
	if (mkdirat(pv->dirfd, e.name, 0700) == -1 && errno != EEXIST) {
		log_warn("previews: cannot make '%s'", e.name);
		return;
	}
	if ((fd = openat(pv->dirfd, e.name, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) < 0) {
		log_warn("previews: cannot open '%s'", e.name);
		return;
	}
	for (size_t i = 0; res->preview && i < res->nimages && !error; i++) {
		char *file = xasprintf("%s.png", res->images[i].name);

		error = store_file(fd, file, res->images[i].data,
		    res->images[i].len, &e.bytes);
		free(file);
	}
	head = res->preview ? json_incref(res->json) : json_pack(
	    "{s:i, s:b, s:s, s:b}", "v", 1, "preview", 0, "reason",
	    res->reason ? res->reason : "no preview", "lfs", lfs);
	text = json_dumps(head, JSON_COMPACT);
	json_decref(head);
	if (error == 0 && text)
		error = store_file(fd, ANSWER_FILE, text, strlen(text),
		    &e.bytes);
	free(text);
	close(fd);
	if (error < 0) {
		log_warnx("previews: cannot write '%s': %s", e.name,
		    strerror(-error));
		entry_remove(pv, e.name);
		return;
	}
	e.used = (int64_t)time(NULL);
	pv->entries = xreallocarray(pv->entries, pv->nentries + 1,
	    sizeof(*pv->entries));
	pv->entries[pv->nentries++] = e;
	pv->st.bytes += e.bytes;
	pv->st.stored++;
	cache_bound(pv, e.name);
}

/*
 * The answer.json of key, or NULL.  Read through stdio: json_loadfd()
 * reads a byte a call, which for a page of a few hundred previews was
 * most of the page's time.
 */
static json_t *
cache_answer(struct previews *pv, const char *key)
{
	char name[KEY_MAX], *path;
	json_t *j;
	FILE *f;
	int fd;

	entry_name(name, key);
	path = xasprintf("%s/%s", name, ANSWER_FILE);
	fd = openat(pv->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return NULL;
	}
	j = json_loadf(f, 0, NULL);
	fclose(f);
	return j;
}

/* --- the renderers -------------------------------------------------- */

static void
key_make(char out[KEY_MAX], const char *old, const char *new)
{
	snprintf(out, KEY_MAX, "%s.%s", old && *old ? old : "0",
	    new && *new ? new : "0");
}

/*
 * A Git LFS pointer's object read from lfs_dir in place of the pointer
 * in *data (n bytes).  0: not a pointer, or replaced; -ENOENT with *why:
 * a pointer that cannot be followed.
 */
static int
lfs_follow(struct previews *pv, char **data, size_t *n, const char **why)
{
	const char *p;
	char oid[65], *path, *buf;
	struct stat st;
	int fd;

	if (*n > LFS_POINTER_MAX || *n < strlen(LFS_MAGIC) ||
	    memcmp(*data, LFS_MAGIC, strlen(LFS_MAGIC)) != 0)
		return 0;
	if ((p = strstr(*data, "\noid sha256:")) == NULL ||
	    strspn(p + 12, "0123456789abcdef") < 64) {
		*why = "a Git LFS pointer without an object id";
		return -ENOENT;
	}
	snprintf(oid, sizeof(oid), "%.64s", p + 12);
	if (pv->cf->lfs_dir == NULL) {
		*why = "the file is in Git LFS, and printgated is not told "
		    "where its objects are (lfs_dir)";
		return -ENOENT;
	}
	path = xasprintf("%s/%.2s/%.2s/%s", pv->cf->lfs_dir, oid, oid + 2,
	    oid);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)(64u << 20)) {
		*why = fd < 0 ? "the file is in Git LFS, and its object is not "
		    "in lfs_dir" : "the Git LFS object is not a file of at "
		    "most 64 MiB";
		if (fd >= 0)
			close(fd);
		return -ENOENT;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		close(fd);
		free(buf);
		*why = "the Git LFS object cannot be read";
		return -ENOENT;
	}
	close(fd);
	free(*data);
	*data = buf;
	*n = (size_t)st.st_size;
	return 0;
}

/* One version's bytes into *f (blob id, "" for none); -ENOENT and *why. */
static int
version_read(struct previews *pv, const char *id, char **data,
    struct job_file *f, bool *lfs, const char **why)
{
	size_t n = 0;
	int error;

	*data = NULL;
	if (*id == '\0')
		return 0;
	if ((error = repo_blob_read(pv->r, id, data, &n)) == -ENOENT) {
		repo_odb_refresh(pv->r);
		error = repo_blob_read(pv->r, id, data, &n);
	}
	if (error == -EFBIG) {
		*why = "the file is larger than 64 MiB";
		return -ENOENT;
	}
	if (error < 0) {
		*why = "the file's content is not in the repository";
		return -ENOENT;
	}
	if (lfs_follow(pv, data, &n, why) < 0) {
		*lfs = true;
		return -ENOENT;
	}
	*f = (struct job_file){ true, (const unsigned char *)*data, n };
	return 0;
}

/* Starts task t's renderer; stores at once what needs none. */
static void
task_start(struct previews *pv, struct task *t)
{
	char old[OID_HEX], new[OID_HEX], *a = NULL, *b = NULL;
	const char *why = NULL;
	struct render_opts o;
	struct job j;
	bool lfs = false;
	int error = 0;

	job_init(&j);
	j.dpi = PREVIEWS_DPI;
	j.thumbs = PREVIEWS_THUMBS;
	if (picpath_pair_split(t->key, old, new) < 0 ||
	    version_read(pv, old, &a, &j.old, &lfs, &why) < 0 ||
	    version_read(pv, new, &b, &j.new, &lfs, &why) < 0)
		error = -ENOENT;
	if (error == 0) {
		render_opts_init(&o, pv->program);
		o.timeout_ms = PREVIEWS_TIMEOUT_MS;
		if ((error = render_start(&t->proc, &o, &j)) == -EFBIG)
			why = "the file is larger than 64 MiB";
		else if (error < 0)
			why = "the renderer cannot be started";
		else
			pv->st.started++;
	}
	free(a);
	free(b);
	if (error < 0) {
		struct render_result res = { 0 };

		res.reason = xasprintf("no preview: %s", why);
		if (error == -ENOENT || error == -EFBIG)
			cache_store(pv, t->key, &res, lfs);
		else
			log_warnx("previews: %s: %s", t->key, res.reason);
		free(res.reason);
		t->proc = NULL;
	}
}

/* Drops task i of the queue, keeping the order of the rest. */
static void
task_drop(struct previews *pv, size_t i)
{
	memmove(&pv->queue[i], &pv->queue[i + 1],
	    (pv->nqueue - i - 1) * sizeof(pv->queue[0]));
	pv->nqueue--;
}

/* Watches the running renderers' descriptors in pv->ep. */
static void
watch_procs(struct previews *pv)
{
	for (size_t i = 0; i < pv->nqueue; i++) {
		struct pollfd fds[3];
		int n;

		if (pv->queue[i].proc == NULL)
			continue;
		n = render_pollfds(pv->queue[i].proc, fds);
		for (int k = 0; k < n; k++) {
			struct epoll_event ev = { .events = fds[k].events &
			    POLLOUT ? EPOLLOUT : EPOLLIN };

			if (fds[k].fd < 0)
				continue;
			if (epoll_ctl(pv->ep, EPOLL_CTL_ADD, fds[k].fd,
			    &ev) == -1 && errno == EEXIST)
				epoll_ctl(pv->ep, EPOLL_CTL_MOD, fds[k].fd, &ev);
		}
	}
}

/* Starts queued tasks while fewer than the cores run; then watches. */
static void
pump(struct previews *pv)
{
	size_t running = 0;

	for (size_t i = 0; i < pv->nqueue; i++)
		running += pv->queue[i].proc != NULL;
	for (size_t i = 0; i < pv->nqueue && running < pv->max_running;) {
		struct task *t = &pv->queue[i];

		if (t->proc != NULL) {
			i++;
			continue;
		}
		task_start(pv, t);
		if (t->proc == NULL) {
			task_drop(pv, i);
			continue;
		}
		running++;
		i++;
	}
	watch_procs(pv);
}

void
previews_run(struct previews *pv)
{
	/* pv->ep is level-triggered: each render_step() takes what is
	 * there, and a descriptor done with is closed (out of the set) */
	for (size_t i = 0; i < pv->nqueue;) {
		struct task *t = &pv->queue[i];
		struct render_result res;

		if (t->proc == NULL || !render_step(t->proc)) {
			i++;
			continue;
		}
		render_finish(t->proc, &res);
		t->proc = NULL;
		pv->st.finished++;
		cache_store(pv, t->key, &res, false);
		render_result_free(&res);
		task_drop(pv, i);
	}
	pump(pv);
}

int
previews_fd(const struct previews *pv)
{
	return pv->ep;
}

int64_t
previews_timeout_ms(const struct previews *pv)
{
	int64_t next = -1;

	for (size_t i = 0; i < pv->nqueue; i++)
		if (pv->queue[i].proc != NULL) {
			int64_t t = render_timeout(pv->queue[i].proc);

			if (next < 0 || t < next)
				next = t;
		}
	return next;
}

/* Queues key unless it is queued; false when the queue is full. */
static bool
queue_add(struct previews *pv, const char *key)
{
	for (size_t i = 0; i < pv->nqueue; i++)
		if (strcmp(pv->queue[i].key, key) == 0)
			return true;
	if (pv->nqueue == PREVIEWS_QUEUE_MAX)
		return false;
	memset(&pv->queue[pv->nqueue], 0, sizeof(pv->queue[0]));
	snprintf(pv->queue[pv->nqueue++].key, KEY_MAX, "%.81s", key);
	return true;
}

/* --- what the page and chat ask ------------------------------------- */

bool
previews_kind_ok(const char *path)
{
	static const char *const exts[] = { ".pdf", ".png", ".jpg", ".jpeg",
		".gif", ".webp" };
	size_t n = path ? strlen(path) : 0;

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t e = strlen(exts[i]);

		if (n > e && strcasecmp(path + n - e, exts[i]) == 0)
			return true;
	}
	return false;
}

bool
previews_file_ok(const struct scope_file *f)
{
	return previews_kind_ok(f->path) && (f->mode == 0 ||
	    (f->mode & 0170000) == 0100000);
}

/* The state of key from the cache or the queue, without queuing it. */
static enum preview_state
state_of(struct previews *pv, const char *key, struct preview_info *out)
{
	struct entry *e = entry_find(pv, key);
	json_t *j;

	if (e != NULL && (j = cache_answer(pv, key)) != NULL) {
		if (json_is_true(json_object_get(j, "lfs")) &&
		    pv->cf->lfs_dir != NULL) {
			json_decref(j);	/* lfs_dir set since: again */
			entry_remove(pv, e->name);
			pv->st.bytes -= e->bytes;
			*e = pv->entries[--pv->nentries];
			return PREVIEW_COMING;
		}
		entry_touch(pv, e);
		if (json_is_true(json_object_get(j, "preview"))) {
			out->answer = j;
			return PREVIEW_READY;
		}
		out->reason = xstrdup(json_string_value(json_object_get(j,
		    "reason")) ? json_string_value(json_object_get(j,
		    "reason")) : "no preview");
		json_decref(j);
		return PREVIEW_NONE;
	}
	return PREVIEW_COMING;
}

void
previews_get(struct previews *pv, const char *path, const char *old,
    const char *new, struct preview_info *out)
{
	memset(out, 0, sizeof(*out));
	key_make(out->key, old, new);
	if (!previews_kind_ok(path) || ((!old || !*old) && (!new || !*new))) {
		out->state = PREVIEW_NONE;
		out->reason = xstrdup("no preview: not a PDF or an image");
		return;
	}
	out->state = state_of(pv, out->key, out);
	if (out->state != PREVIEW_COMING)
		return;
	if (!queue_add(pv, out->key)) {
		out->state = PREVIEW_NONE;
		out->reason = xstrdup("no preview: too many previews are "
		    "being made; reload the page in a minute");
		return;
	}
	pump(pv);
}

void
preview_info_clear(struct preview_info *i)
{
	free(i->reason);
	json_decref(i->answer);
	memset(i, 0, sizeof(*i));
}

/*
 * The pair of file i of rv into key, when it is previewed; the old blob
 * (into old) is the one at rv's base commit.
 */
static bool
review_pair(struct previews *pv, const struct review *rv, size_t i,
    char old[OID_HEX], char key[KEY_MAX])
{
	const struct scope_file *f = &rv->files[i];

	old[0] = '\0';
	if (!previews_file_ok(f))
		return false;
	if (f->status != 'A' && rv->base_commit[0] != '\0' &&
	    repo_blob_at(pv->r, rv->base_commit, f->path, old) < 0)
		old[0] = '\0';
	key_make(key, old, f->blob);
	return true;
}

void
previews_review(struct previews *pv, const struct review *rv)
{
	size_t queued = 0;

	for (size_t i = 0; pv && i < rv->nfiles; i++) {
		char old[OID_HEX], key[KEY_MAX];
		struct preview_info info;

		if (!review_pair(pv, rv, i, old, key))
			continue;
		previews_get(pv, rv->files[i].path, old, rv->files[i].blob,
		    &info);
		queued += info.state == PREVIEW_COMING;
		preview_info_clear(&info);
	}
	if (queued > 0)
		log_info("previews: %zu file%s of '%s' queued", queued,
		    queued == 1 ? "" : "s", rv->tag ? rv->tag : rv->commit);
}

size_t
previews_pending(struct previews *pv, const struct review *rv)
{
	size_t n = 0;

	for (size_t i = 0; pv && i < rv->nfiles; i++) {
		char old[OID_HEX], key[KEY_MAX];

		if (!review_pair(pv, rv, i, old, key))
			continue;
		for (size_t k = 0; k < pv->nqueue; k++)
			if (strcmp(pv->queue[k].key, key) == 0) {
				n++;
				break;
			}
	}
	return n;
}

/*
 * The picture chat shows of a ready answer: the comparison of its first
 * changed page ("diff-2"), else its first added page ("new-3"), into
 * name; its page number, or 0 when there is none.
 */
static int
chat_picture(json_t *answer, char name[JOB_IMAGE_NAME_MAX])
{
	json_t *pages = json_object_get(answer, "pages");
	static const char *const kinds[][2] = { { "changed", "diff" },
		{ "added", "new" } };

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		for (size_t i = 0; i < json_array_size(pages); i++) {
			json_t *pg = json_array_get(pages, i);
			const char *st = json_string_value(json_object_get(pg,
			    "status"));
			const char *img = json_string_value(json_object_get(
			    json_object_get(pg, "images"), kinds[k][1]));

			if (st == NULL || strcmp(st, kinds[k][0]) != 0 ||
			    img == NULL || strlen(img) >= JOB_IMAGE_NAME_MAX)
				continue;
			snprintf(name, JOB_IMAGE_NAME_MAX, "%s", img);
			return (int)json_integer_value(json_object_get(pg,
			    "new"));
		}
	return 0;
}

int
previews_chat(struct previews *pv, const char *path, const char *old,
    const char *new, struct preview_chat *out)
{
	struct preview_info info;
	char name[JOB_IMAGE_NAME_MAX];
	const char *s;
	int error = -ENOENT;

	memset(out, 0, sizeof(*out));
	previews_get(pv, path, old, new, &info);
	if (info.state == PREVIEW_READY && (s = json_string_value(
	    json_object_get(info.answer, "summary"))) != NULL) {
		out->summary = xstrdup(s);
		if (pv->have_keys &&
		    (out->page = chat_picture(info.answer, name)) > 0) {
			out->picture = previews_chat_path(&pv->keys,
			    info.key, name);
			out->added = str_startswith(name, "new-");
		}
		error = 0;
	}
	preview_info_clear(&info);
	return error;
}

void
preview_chat_clear(struct preview_chat *c)
{
	free(c->summary);
	free(c->picture);
	memset(c, 0, sizeof(*c));
}

/* --- the page's view-model ----------------------------------------- */

struct previews_view {
	struct page_preview p;
	struct preview_info info;
	struct page_preview_page *pages;
	char **strings;		/* URLs made for it */
	size_t nstrings;
};

static const char *
view_keep(struct previews_view *v, char *s)
{
	v->strings = xreallocarray(v->strings, v->nstrings + 1,
	    sizeof(*v->strings));
	v->strings[v->nstrings++] = s;
	return s;
}

/* The URL of the picture that images[key] names, or NULL. */
static const char *
view_url(struct previews_view *v, struct previews *pv, const char *token,
    json_t *images, const char *key)
{
	const char *name = json_string_value(json_object_get(images, key));

	if (name == NULL || strlen(name) >= JOB_IMAGE_NAME_MAX)
		return NULL;
	return view_keep(v, previews_url(pv, token, v->info.key, name));
}

/* One page of the renderer's answer into *pg. */
static void
view_page(struct previews_view *v, struct previews *pv, const char *token,
    json_t *page, struct page_preview_page *pg)
{
	json_t *images = json_object_get(page, "images"), *words;
	struct page_preview_word *w;
	char thumb[JOB_IMAGE_NAME_MAX];

	pg->old = (int)json_integer_value(json_object_get(page, "old"));
	pg->new = (int)json_integer_value(json_object_get(page, "new"));
	pg->status = json_string_value(json_object_get(page, "status"));
	if (pg->status == NULL)
		pg->status = "same";
	pg->width = (int)json_integer_value(json_object_get(page, "width"));
	pg->height = (int)json_integer_value(json_object_get(page,
	    "height"));
	pg->old_url = view_url(v, pv, token, images, "old");
	pg->new_url = view_url(v, pv, token, images, "new");
	pg->diff_url = view_url(v, pv, token, images, "diff");
	if (pg->new > 0) {
		snprintf(thumb, sizeof(thumb), "thumb-new-%d", pg->new);
		pg->thumb_url = view_keep(v, previews_url(pv, token,
		    v->info.key, thumb));
	}
	words = json_object_get(page, "words");
	if (json_array_size(words) == 0)
		return;
	w = xcalloc(json_array_size(words), sizeof(*w));
	view_keep(v, (char *)w);
	for (size_t i = 0; i < json_array_size(words); i++) {
		w[i].old = json_string_value(json_object_get(
		    json_array_get(words, i), "old"));
		w[i].new = json_string_value(json_object_get(
		    json_array_get(words, i), "new"));
	}
	pg->words = w;
	pg->nwords = json_array_size(words);
}

struct previews_view *
previews_view(struct previews *pv, const char *link_token, const char *path,
    const char *old, const char *new)
{
	struct previews_view *v = xcalloc(1, sizeof(*v));
	json_t *pages;

	previews_get(pv, path, old, new, &v->info);
	switch (v->info.state) {
	case PREVIEW_NONE:
		v->p.state = PAGE_PREVIEW_NONE;
		v->p.reason = v->info.reason;
		break;
	case PREVIEW_COMING:
		v->p.state = PAGE_PREVIEW_COMING;
		v->p.state_url = view_keep(v, previews_url(pv, link_token,
		    v->info.key, "state"));
		break;
	case PREVIEW_READY:
		v->p.state = PAGE_PREVIEW_READY;
		v->p.summary = json_string_value(json_object_get(
		    v->info.answer, "summary"));
		pages = json_object_get(v->info.answer, "pages");
		v->pages = xcalloc(json_array_size(pages) + 1,
		    sizeof(*v->pages));
		for (size_t i = 0; i < json_array_size(pages); i++)
			view_page(v, pv, link_token, json_array_get(pages, i),
			    &v->pages[i]);
		v->p.pages = v->pages;
		v->p.npages = json_array_size(pages);
		break;
	}
	return v;
}

const struct page_preview *
previews_view_page(const struct previews_view *v)
{
	return &v->p;
}

void
previews_view_free(struct previews_view *v)
{
	if (v == NULL)
		return;
	strv_free(v->strings, v->nstrings);
	free(v->pages);
	preview_info_clear(&v->info);
	free(v);
}

/* --- the route ------------------------------------------------------ */

/*
 * The MAC of a picture's URL, hex, into out[33]: the first 16 bytes of
 * HMAC-SHA256 under the link key of "printgate WHAT v1\nA\nB".
 */
static void
mac_hex(const struct token_keys *k, const char *what, const char *a,
    const char *b, char out[33])
{
	unsigned char mac[32];
	char *msg = xasprintf("printgate %s v1\n%s\n%s", what, a, b);

	verify_hmac_sha256(k->link, sizeof(k->link), msg, strlen(msg), mac);
	free(msg);
	verify_hex(mac, 16, out);
}

char *
previews_url_keys(const struct token_keys *k, const char *link_token,
    const char *key, const char *name)
{
	char mac[33];

	mac_hex(k, "preview", link_token, key, mac);
	return xasprintf("/r/%s/preview/%s.%s/%s%s", link_token, key, mac,
	    name, strcmp(name, "state") == 0 ? "" : ".png");
}

char *
previews_url(const struct previews *pv, const char *link_token,
    const char *key, const char *name)
{
	char *path = previews_url_keys(&pv->keys, link_token, key, name),
	    *url = xasprintf("%s%s", link_base(pv->cf), path);

	free(path);
	return url;
}

static void
answer_text(struct http_response *rs, int status, const char *text)
{
	rs->status = status;
	rs->body = xasprintf("%s\n", text);
}

/* Reads the picture name of key into rs (200), or says why not. */
static void
serve_image(struct previews *pv, const char *key, const char *name,
    struct http_response *rs)
{
	char folder[KEY_MAX], *path;
	struct stat st;
	int fd;

	entry_name(folder, key);
	path = xasprintf("%s/%s", folder, name);
	fd = openat(pv->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    st.st_size > (off_t)(64u << 20)) {
		if (fd >= 0)
			close(fd);
		answer_text(rs, 404, "404 no such picture in this preview");
		return;
	}
	rs->body = xmalloc((size_t)st.st_size);
	if (read(fd, rs->body, (size_t)st.st_size) != st.st_size) {
		close(fd);
		free(rs->body);
		rs->body = NULL;
		answer_text(rs, 500, "500 the picture cannot be read");
		return;
	}
	close(fd);
	rs->status = 200;
	rs->len = (size_t)st.st_size;
	rs->content_type = "image/png";
	rs->cache = "private, max-age=86400";
}

/* The state of the pair as JSON. */
static void
serve_state(const struct preview_info *info, struct http_response *rs)
{
	static const char *const names[] = { "none", "coming", "ready" };
	json_t *j = json_pack("{s:s}", "state", names[info->state]);

	if (info->reason)
		json_object_set_new(j, "reason", json_string(info->reason));
	if (info->answer && json_object_get(info->answer, "summary"))
		json_object_set(j, "summary", json_object_get(info->answer,
		    "summary"));
	rs->status = 200;
	rs->content_type = "application/json";
	rs->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
}

void
previews_route(struct previews *pv, const struct http_request *rq,
    struct http_response *rs)
{
	char token[TOKEN_MAX_CHARS + 1], pair[2 * KEY_MAX], mac[33];
	char name[JOB_IMAGE_NAME_MAX + 5], *dot;
	struct token_link link;
	struct preview_info info;

	if (pagereq_preview(rq->path, token, pair, sizeof(pair), name,
	    sizeof(name)) < 0 ||
	    (dot = strrchr(pair, '.')) == NULL || strlen(dot + 1) != 32) {
		answer_text(rs, 404, "404 no such preview");
		return;
	}
	*dot = '\0';
	if (!pv->have_keys || token_link_parse(&link, &pv->keys, token,
	    (int64_t)time(NULL)) != 0) {
		answer_text(rs, 403, "403 this link is not valid (or no "
		    "longer): open the review from its message again");
		return;
	}
	mac_hex(&pv->keys, "preview", token, pair, mac);
	if (!verify_equal(mac, 32, dot + 1, strlen(dot + 1))) {
		answer_text(rs, 404, "404 no such preview on this review");
		return;
	}
	{
		char old[OID_HEX], new[OID_HEX];

		if (picpath_pair_split(pair, old, new) < 0) {
			answer_text(rs, 404, "404 no such preview");
			return;
		}
	}
	if (strcmp(name, "state") != 0 && !picpath_name_ok(name)) {
		answer_text(rs, 404, "404 no such picture");
		return;
	}
	memset(&info, 0, sizeof(info));
	snprintf(info.key, sizeof(info.key), "%.81s", pair);
	info.state = state_of(pv, pair, &info);
	if (info.state == PREVIEW_COMING && queue_add(pv, pair))
		pump(pv);
	if (strcmp(name, "state") == 0)
		serve_state(&info, rs);
	else if (info.state == PREVIEW_READY)
		serve_image(pv, pair, name, rs);
	else if (info.state == PREVIEW_COMING) {
		answer_text(rs, 503, "503 this preview is still coming");
		rs->cache = NULL;
	} else
		answer_text(rs, 404, info.reason ? info.reason :
		    "no preview");
	preview_info_clear(&info);
}

/* --- the pictures chat shows ---------------------------------------- */

char *
previews_chat_path(const struct token_keys *k, const char *key,
    const char *name)
{
	char mac[33];

	mac_hex(k, "chat picture", key, name, mac);
	return xasprintf("%s%s.%s/%s.png", PREVIEWS_CHAT_PREFIX, key, mac,
	    name);
}

void
previews_chat_route(struct previews *pv, const struct http_request *rq,
    struct http_response *rs)
{
	char pair[KEY_MAX], mac[33], want[33], file[PICPATH_FILE_MAX];
	struct preview_info info;

	if (picpath_chat_split(rq->path, pair, mac, file) < 0 ||
	    !pv->have_keys) {
		answer_text(rs, 404, "404 no such picture");
		return;
	}
	file[strlen(file) - 4] = '\0';	/* the MAC names "diff-2" */
	mac_hex(&pv->keys, "chat picture", pair, file, want);
	if (!verify_equal(want, 32, mac, strlen(mac))) {
		answer_text(rs, 404, "404 no such picture");
		return;
	}
	strcat(file, ".png");
	memset(&info, 0, sizeof(info));
	info.state = state_of(pv, pair, &info);
	if (info.state == PREVIEW_COMING && queue_add(pv, pair))
		pump(pv);	/* gone out of the cache since: again */
	if (info.state == PREVIEW_READY) {
		serve_image(pv, pair, file, rs);
		if (rs->status == 200)
			rs->cache = "public, max-age=86400";
	} else if (info.state == PREVIEW_COMING) {
		answer_text(rs, 503, "503 this picture is being made again; "
		    "try in a minute");
	} else
		answer_text(rs, 404, "404 no such picture");
	preview_info_clear(&info);
}

/* --- life ----------------------------------------------------------- */

int
previews_new(struct previews **out, const struct config *cf,
    struct repo *r, const char *program, char **why)
{
	struct previews *pv = xcalloc(1, sizeof(*pv));
	char *dir = xasprintf("%s/%s", cf->state_dir, PREVIEWS_DIR);
	char *swhy = NULL;
	const char *env = getenv("PRINTGATE_RENDER");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int error;

	pv->cf = cf;
	pv->r = r;
	pv->dirfd = -1;
	pv->max_running = cores > 0 ? (size_t)cores : 1;
	pv->program = xstrdup(program ? program : env && *env ? env :
	    LIBEXECDIR "/printgate-render");
	error = util_state_dir_open(&pv->dirfd, dir, UTIL_DIR_CREATE |
	    UTIL_DIR_NOFOLLOW, NULL, why);
	free(dir);
	if (error < 0 || (pv->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		if (error == 0) {
			error = -errno;
			*why = xasprintf("epoll_create1: %s", strerror(errno));
		}
		previews_free(pv);
		return error;
	}
	if (link_keys_load(&pv->keys, cf, false, &swhy) == 0) {
		pv->have_keys = true;
	} else {
		log_warnx("previews: %s; previews are not served", swhy);
		free(swhy);
	}
	cache_index(pv);
	cache_bound(pv, NULL);
	*out = pv;
	return 0;
}

void
previews_set_config(struct previews *pv, const struct config *cf)
{
	pv->cf = cf;
	cache_bound(pv, NULL);
}

void
previews_stats(const struct previews *pv, struct previews_stats *out)
{
	*out = pv->st;
}

void
previews_free(struct previews *pv)
{
	if (pv == NULL)
		return;
	for (size_t i = 0; i < pv->nqueue; i++)
		if (pv->queue[i].proc != NULL) {
			struct render_result res;

			render_finish(pv->queue[i].proc, &res);
			render_result_free(&res);
		}
	if (pv->dirfd >= 0)
		close(pv->dirfd);
	if (pv->ep > 0)
		close(pv->ep);
	token_keys_clear(&pv->keys);
	free(pv->entries);
	free(pv->program);
	free(pv);
}
