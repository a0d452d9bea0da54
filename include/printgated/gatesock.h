/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gatesock.h - the warm path's server: printgated answers the update
 * hook on the gate socket (hooks/wire.h) with the gate's own decision,
 * taken on its open repository.  Inside the event loop, like http.h: one
 * epoll descriptor of its own and a deadline.
 */
#ifndef PRINTGATE_GATESOCK_H
#define PRINTGATE_GATESOCK_H

#include <stdint.h>

struct config;
struct engine;
struct gatesock;

/* Connections served at once; more are closed (the hook falls back). */
#define GATESOCK_MAX_CONNS 64
/*
 * How long the ledger may stay locked before the hook decides itself:
 * not at all, printgated's loop never waits on the lock; the hook that
 * falls back waits for it (GATE_LEDGER_TIMEOUT_MS).
 */
#define GATESOCK_LEDGER_TIMEOUT_MS 0

struct gatesock_stats {
	unsigned long served;	/* decisions answered */
	unsigned long fallbacks; /* requests answered "decide yourself" */
	unsigned long bad;	/* malformed, too big or too slow */
};

/*
 * Serves the gate socket of cf: fd when systemd passed one (>= 0), else
 * a socket bound at cf->gate_socket (mode 0660, the repository's group;
 * a stale socket there is replaced, a live one is an error: another
 * printgated serves it).  The decisions are taken on e's repository, their
 * reviews loaded through e's memo; e is borrowed, cf as engine_new takes
 * it.  Returns 0, or -errno with *why.
 */
int gatesock_new(struct gatesock **out, const struct config *cf,
    struct engine *e, int fd, char **why);
/* Removes the socket it bound, closes every connection. */
void gatesock_free(struct gatesock *gs);
/* Takes a new configuration (after SIGHUP). */
void gatesock_set_config(struct gatesock *gs, const struct config *cf);
/* The descriptor to wait on for input. */
int gatesock_fd(const struct gatesock *gs);
/*
 * Accepts, reads, decides, answers and times out whatever is ready,
 * without blocking on any client.
 */
void gatesock_run(struct gatesock *gs);
/* Milliseconds until the next connection's deadline, or -1. */
int64_t gatesock_timeout_ms(const struct gatesock *gs);
const struct gatesock_stats *gatesock_stats(const struct gatesock *gs);

#endif
