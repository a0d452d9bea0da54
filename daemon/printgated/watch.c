/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * watch.c - inotify on the repository's ref folders and on the git dir
 * (where packed-refs is rewritten), so that printgated rescans as soon as
 * a push, the hook or an administrator changes a ref.  New folders (a tag
 * named print/2027/q1 makes refs/tags/print/2027) are watched as they
 * appear.  No library beyond the kernel's interface.
 */
#include "printgated/watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"

#define WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
	IN_CLOSE_WRITE | IN_ONLYDIR)

struct watch_dir {
	int wd;
	char *path;
};

struct watch {
	int fd;
	char *gitdir;
	struct watch_dir *dirs;
	size_t n;
	bool warned;
};

static void
watch_add(struct watch *w, const char *path)
{
	int wd;

	if (w->n >= WATCH_MAX_DIRS) {
		if (!w->warned)
			log_warnx("watch '%s': more than %d folders, the rest "
			    "is seen by the periodic rescan", w->gitdir,
			    WATCH_MAX_DIRS);
		w->warned = true;
		return;
	}
	if ((wd = inotify_add_watch(w->fd, path, WATCH_MASK)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warn("watch '%s'", path);
		return;
	}
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return;	/* already watched */
	w->dirs = xreallocarray(w->dirs, w->n + 1, sizeof(*w->dirs));
	w->dirs[w->n].wd = wd;
	w->dirs[w->n++].path = xstrdup(path);
}

/* Watches path and every folder below it. */
static void
watch_tree(struct watch *w, const char *path)
{
	struct dirent *de;
	DIR *d;

	watch_add(w, path);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *sub;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			watch_tree(w, sub);
		free(sub);
	}
	closedir(d);
}

int
watch_new(struct watch **out, const char *gitdir)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	char *refs;

	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		int error = -errno;

		free(w);
		return error;
	}
	w->gitdir = xstrdup(gitdir);
	watch_add(w, gitdir);
	refs = xasprintf("%s/refs", gitdir);
	watch_tree(w, refs);
	free(refs);
	*out = w;
	return 0;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	for (size_t i = 0; i < w->n; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	free(w->gitdir);
	free(w);
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

static const char *
watch_path(const struct watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return w->dirs[i].path;
	return NULL;
}

bool
watch_read(struct watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t len;

	while ((len = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			const char *dir = watch_path(w, ev->wd);

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = true;
				continue;
			}
			if (dir == NULL || ev->len == 0)
				continue;
			/* lock files come and go before every ref update */
			if (strlen(ev->name) > 5 && strcmp(ev->name +
			    strlen(ev->name) - 5, ".lock") == 0)
				continue;
			if (strcmp(dir, w->gitdir) == 0 &&
			    strcmp(ev->name, "packed-refs") != 0) {
				if (strcmp(ev->name, "refs") != 0)
					continue;
			}
			changed = true;
			if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
			    (ev->mask & IN_ISDIR)) {
				char *sub = xasprintf("%s/%s", dir, ev->name);

				watch_tree(w, sub);
				free(sub);
			}
		}
	}
	return changed;
}
