/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * watch.h - tells the event loop when the repository's refs may have
 * changed: inotify on every folder under refs/ and on the git dir itself
 * (packed-refs).  What changed is not reported; the loop rescans.  It
 * also tells the memo of reviews whether any ref but the notes' may have
 * changed since it last listed the print tags (watch_generation()).
 */
#ifndef PRINTGATE_WATCH_H
#define PRINTGATE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Folders watched at most; past that the periodic rescan still runs. */
#define WATCH_MAX_DIRS 4096

struct watch;

/* gitdir: the folder of the refs and packed-refs (repo_commondir()). */
int watch_new(struct watch **out, const char *gitdir);
/* watch_new() watching at most max folders (tests). */
int watch_new_max(struct watch **out, const char *gitdir, size_t max);
void watch_free(struct watch *w);
/* The inotify descriptor, for the event loop. */
int watch_fd(const struct watch *w);
/*
 * Drains pending inotify events, and starts watching folders that
 * appeared.  Returns true when one may concern refs since the last
 * watch_read() (events that watch_generation() drained count too).
 */
bool watch_read(struct watch *w);
/*
 * Drains pending inotify events; then, when every folder is watched, sets
 * *gen to a count that changes with every event but those of notes
 * (refs/notes/) and returns true.  A change to a ref made before this
 * call is counted in *gen: while it stays the same, a listing of print
 * tags made after an earlier call with that count still holds.  False
 * when a change could go unseen (a folder not watched, a symlink to a
 * folder under refs/, a read error, gitdir's path naming another folder
 * than the one watched).
 */
bool watch_generation(struct watch *w, uint64_t *gen);
/*
 * Whether a filesystem of this statfs() f_type is one where inotify sees
 * every change (a local one); a watched folder on another leaves
 * watch_generation() unable to tell.
 */
bool watch_fs_local(unsigned long type);

#endif
