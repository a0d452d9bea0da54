/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * watch.c - inotify on the repository's ref folders and on the git dir
 * (where packed-refs is rewritten), so that printgated rescans as soon as
 * a push, the hook or an administrator changes a ref.  New folders (a tag
 * named print/2027/q1 makes refs/tags/print/2027) are watched as they
 * appear.  No library beyond the kernel's interface.
 *
 * The memo of reviews lists the print tags (1,000 in bench/) to tell a
 * review still holds, at every scan for every waiting review: with the
 * watch complete, a count of the events seen since (but the ledger's own,
 * in refs/notes/) says when that listing can be skipped.  inotify queues
 * an event before the call that changed the folder returns, so draining
 * the queue before reading the count sees every change made before.
 */
#include "printgated/watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
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
	char *notes;		/* gitdir/refs/notes, and below it */
	struct watch_dir *dirs;
	size_t n, max;
	bool warned;
	bool changed;		/* a ref event since the last watch_read() */
	bool blind;		/* a folder not watched, or a read failed */
	uint64_t gen;		/* events but the notes' */
	dev_t dev;		/* the git dir watched: its path must name it */
	ino_t ino;
};

/*
 * The filesystems where inotify sees every change to a folder: those of
 * this kernel alone.  On NFS, SMB, CephFS, FUSE and the like another
 * machine (or process behind the mount) changes files without an event.
 */
bool
watch_fs_local(unsigned long type)
{
	static const unsigned long local[] = {
		0xEF53,		/* ext2, ext3, ext4 */
		0x58465342,	/* xfs */
		0x9123683E,	/* btrfs */
		0x01021994,	/* tmpfs */
		0x858458f6,	/* ramfs */
		0xF2F52010,	/* f2fs */
		0x794c7630,	/* overlayfs */
		0x2FC12FC1,	/* zfs */
		0xca451a4e,	/* bcachefs */
		0x52654973,	/* reiserfs */
		0x3153464a,	/* jfs */
	};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (type == local[i])
			return true;
	return false;
}

static void
watch_add(struct watch *w, const char *path)
{
	struct statfs fs = { 0 };
	int wd;

	if (w->n >= w->max) {
		if (!w->warned)
			log_warnx("watch '%s': more than %zu folders, the rest "
			    "is seen by the periodic rescan", w->gitdir,
			    w->max);
		w->warned = true;
		w->blind = true;
		return;
	}
	if ((wd = inotify_add_watch(w->fd, path, WATCH_MASK)) == -1) {
		/* gone again: its parent's event told of it */
		if (errno != ENOENT && errno != ENOTDIR) {
			log_warn("watch '%s'", path);
			w->blind = true;
		}
		return;
	}
	if (statfs(path, &fs) == -1 ||
	    !watch_fs_local((unsigned long)fs.f_type)) {
		if (!w->blind)
			log_warnx("watch '%s': not on a local filesystem "
			    "(type 0x%lx), where a change may come without an "
			    "event: the print tags are listed for every "
			    "review", path, (unsigned long)fs.f_type);
		w->blind = true;
	}
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd) {
			/* already watched: here now, if it was moved */
			free(w->dirs[i].path);
			w->dirs[i].path = xstrdup(path);
			return;
		}
	w->dirs = xreallocarray(w->dirs, w->n + 1, sizeof(*w->dirs));
	w->dirs[w->n].wd = wd;
	w->dirs[w->n++].path = xstrdup(path);
}

/*
 * libgit2 lists the refs in a folder a symlink under refs/ points to,
 * where a change comes without an event on the folders watched.
 */
static void
watch_symlink(struct watch *w, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return;
	if (!w->blind)
		log_warnx("watch '%s': a symlink to a folder, where a change "
		    "may come without an event: the print tags are listed "
		    "for every review", path);
	w->blind = true;
}

/* Watches path and every folder below it. */
static void
watch_tree(struct watch *w, const char *path)
{
	struct dirent *de;
	DIR *d;

	watch_add(w, path);
	if ((d = opendir(path)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR) {
			log_warn("watch '%s'", path);
			w->blind = true;
		}
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *sub;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", path, de->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			watch_tree(w, sub);
		else
			watch_symlink(w, sub);
		free(sub);
	}
	closedir(d);
}

int
watch_new(struct watch **out, const char *gitdir)
{
	return watch_new_max(out, gitdir, WATCH_MAX_DIRS);
}

int
watch_new_max(struct watch **out, const char *gitdir, size_t max)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	struct stat st;
	char *refs;

	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		int error = -errno;

		free(w);
		return error;
	}
	w->gitdir = xstrdup(gitdir);
	for (size_t n = strlen(w->gitdir); n > 1 && w->gitdir[n - 1] == '/';)
		w->gitdir[--n] = '\0';	/* libgit2's paths end in one */
	w->notes = xasprintf("%s/refs/notes", w->gitdir);
	w->max = max;
	if (stat(w->gitdir, &st) == 0) {
		w->dev = st.st_dev;
		w->ino = st.st_ino;
	} else
		w->blind = true;
	watch_add(w, w->gitdir);
	refs = xasprintf("%s/refs", w->gitdir);
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
	free(w->notes);
	free(w);
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

static struct watch_dir *
watch_dir_of(struct watch *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

/* Whether path is the notes' folder or one below it. */
static bool
in_notes(const struct watch *w, const char *path)
{
	size_t n = strlen(w->notes);

	return strncmp(path, w->notes, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

/* One event: counted, and a new folder watched. */
static void
watch_event(struct watch *w, const struct inotify_event *ev)
{
	struct watch_dir *wdir;
	const char *dir;
	size_t len;

	if (ev->mask & IN_Q_OVERFLOW) {
		char *refs = xasprintf("%s/refs", w->gitdir);

		w->changed = true;
		w->gen++;	/* events were lost: anything may have changed */
		watch_tree(w, refs);	/* folders made meanwhile too */
		free(refs);
		return;
	}
	if ((wdir = watch_dir_of(w, ev->wd)) == NULL)
		return;
	if (ev->mask & IN_IGNORED) {
		/* the folder is gone (or unmounted): its slot is free */
		if (strcmp(wdir->path, w->gitdir) == 0)
			w->blind = true;	/* nothing tells of it again */
		free(wdir->path);
		*wdir = w->dirs[--w->n];
		return;
	}
	dir = wdir->path;
	if (ev->len == 0)
		return;
	/* lock files come and go before every ref update */
	len = strlen(ev->name);
	if (len > 5 && strcmp(ev->name + len - 5, ".lock") == 0)
		return;
	if (strcmp(dir, w->gitdir) == 0 &&
	    strcmp(ev->name, "packed-refs") != 0 &&
	    strcmp(ev->name, "refs") != 0)
		return;
	w->changed = true;
	if (!in_notes(w, dir))
		w->gen++;
	if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
		char *sub = xasprintf("%s/%s", dir, ev->name);

		if (ev->mask & IN_ISDIR)
			watch_tree(w, sub);
		else
			watch_symlink(w, sub);
		free(sub);
	}
}

/* Reads every queued event; false when reading failed. */
static bool
watch_drain(struct watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	for (;;) {
		if ((len = read(w->fd, buf, sizeof(buf))) <= 0) {
			if (len == -1 && errno == EINTR)
				continue;
			if (len == -1 && errno != EAGAIN) {
				log_warn("watch '%s': read", w->gitdir);
				w->changed = true;
				return false;
			}
			return true;
		}
		for (char *p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			watch_event(w, ev);
		}
	}
}

bool
watch_read(struct watch *w)
{
	bool changed;

	(void)watch_drain(w);
	changed = w->changed;
	w->changed = false;
	return changed;
}

bool
watch_generation(struct watch *w, uint64_t *gen)
{
	struct stat st;

	if (!watch_drain(w) || w->blind)
		return false;
	/* its path moved to another folder (or the folder elsewhere) */
	if (stat(w->gitdir, &st) == -1 || st.st_dev != w->dev ||
	    st.st_ino != w->ino) {
		log_warnx("watch '%s': no longer the folder watched: the "
		    "print tags are listed for every review", w->gitdir);
		w->blind = true;
		return false;
	}
	*gen = w->gen;
	return true;
}
