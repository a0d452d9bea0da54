/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * watch.h - tells the event loop when the repository's refs may have
 * changed: inotify on every folder under refs/ and on the git dir itself
 * (packed-refs).  What changed is not reported; the loop rescans.
 */
#ifndef PRINTGATE_WATCH_H
#define PRINTGATE_WATCH_H

#include <stdbool.h>

/* Folders watched at most; past that the periodic rescan still runs. */
#define WATCH_MAX_DIRS 4096

struct watch;

int watch_new(struct watch **out, const char *gitdir);
void watch_free(struct watch *w);
/* The inotify descriptor, for the event loop. */
int watch_fd(const struct watch *w);
/*
 * Drains pending inotify events.  Returns true when one may concern refs,
 * and starts watching folders that appeared.
 */
bool watch_read(struct watch *w);

#endif
