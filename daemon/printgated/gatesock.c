/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gatesock.c - the warm path's server (gatesock.h).  Each hook that
 * connects gets the greeting (the config's pusher_env), sends one request
 * (hooks/wire.h), and gets the gate's decision, taken here with gate.c on
 * printgated's open repository after a refresh of its object database,
 * the ledger written (and fsynced, repo_open) before the answer leaves.
 *
 * A request is untrusted: the frame is capped at WIRE_MAX, every field is
 * checked (wire.c), the pusher variable must be one of pusher_env, and
 * the config, the repository and a quarantine folder must be the ones
 * printgated serves; the peer's uid and pid (SO_PEERCRED) are logged with
 * every answer.  Whatever printgated cannot serve as the hook would decide
 * itself (another config, one edited since it was loaded, a ledger locked
 * by another writer: printgated does not wait for it) is answered
 * "fallback", and the hook decides itself.  Sockets are nonblocking and
 * every connection has WIRE_TIMEOUT_MS from accept to answer, so a slow
 * or silent client holds nothing but its own slot.
 */
#include "printgated/gatesock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "core/repo.h"
#include "core/util.h"
#include "hooks/gate.h"
#include "hooks/wire.h"
#include "printgated/engine.h"

#define QUARANTINE_PREFIX "tmp_objdir-incoming-"

struct conn {
	int fd;
	struct ucred peer;
	int64_t deadline;	/* monotonic ms */
	unsigned char hdr[4];
	size_t hdrgot;
	char *in;		/* the request's body, once its length is known */
	size_t inlen, ingot;
	char *out;		/* what is left to send */
	size_t outlen, outsent;
	bool answered;		/* close once out is sent */
	struct conn *next;
};

struct gatesock {
	int lfd, ep;
	char *bound;		/* the path it bound and removes, or NULL */
	const struct config *cf;
	struct engine *e;	/* its memo of reviews */
	struct repo *r;		/* the engine's */
	char *config_real, *repo_real, *objects_real;
	struct conn *conns;
	size_t nconns;
	struct gatesock_stats st;
};

void
gatesock_set_config(struct gatesock *gs, const struct config *cf)
{
	gs->cf = cf;
	free(gs->config_real);
	gs->config_real = realpath(cf->path, NULL);
}

/*
 * Binds path: a stale socket left there (nobody accepts on it) is
 * replaced; a live one, or anything else, is left alone and an error.
 * Mode 0660 and the group of the repository, so that its pushers reach
 * it; a group that cannot be given is logged.
 */
static int
gatesock_bind(struct gatesock *gs, const char *path, char **why)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, error;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*why = xasprintf("gate socket '%s': the path is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			close(fd);
			*why = xasprintf("gate socket '%s': something that is "
			    "not a socket is there; move it away", path);
			return -EEXIST;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		    errno == EAGAIN) {
			close(fd);
			*why = xasprintf("gate socket '%s': another printgated "
			    "serves it", path);
			return -EADDRINUSE;
		}
		close(fd);
		if (unlink(path) == -1 || (fd = socket(AF_UNIX, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
			goto fail;
	}
	old = umask(0117);
	error = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (error == -1 || listen(fd, 128) == -1)
		goto fail;
	if (stat(gs->repo_real, &st) == 0 && chown(path, (uid_t)-1,
	    st.st_gid) == -1)
		log_warn("gate socket '%s': cannot give it the repository's "
		    "group %u, pushers outside printgated's group fall back",
		    path, (unsigned)st.st_gid);
	gs->lfd = fd;
	gs->bound = xstrdup(path);
	return 0;
fail:
	error = -errno;
	if (fd != -1)
		close(fd);
	*why = xasprintf("gate socket '%s': %s", path, strerror(-error));
	return error;
}

int
gatesock_new(struct gatesock **out, const struct config *cf,
    struct engine *e, int fd, char **why)
{
	struct gatesock *gs = xcalloc(1, sizeof(*gs));
	struct epoll_event ev = { .events = EPOLLIN };
	struct repo *r = engine_repo(e);
	int error;

	gs->lfd = -1;
	gs->ep = -1;
	gs->e = e;
	gs->r = r;
	gs->repo_real = realpath(repo_path(r), NULL);
	gs->objects_real = gs->repo_real ?
	    xasprintf("%s/objects", gs->repo_real) : NULL;
	gatesock_set_config(gs, cf);
	if (gs->repo_real == NULL) {
		*why = xasprintf("gate socket: cannot resolve '%s': %s",
		    repo_path(r), strerror(errno));
		error = -errno;
		goto fail;
	}
	if (fd >= 0) {
		gs->lfd = fd;
		/*
		 * systemd passes it blocking (the socket unit says no
		 * NonBlocking=), and gatesock_accept() takes connections
		 * until accept says EAGAIN: blocking, it would hold the
		 * whole loop until the next hook connects.
		 */
		if ((error = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, error | O_NONBLOCK) == -1) {
			error = -errno;
			*why = xasprintf("gate socket from systemd: %s",
			    strerror(errno));
			goto fail;
		}
	} else if ((error = gatesock_bind(gs, cf->gate_socket, why)) < 0)
		goto fail;
	if ((gs->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(gs->ep, EPOLL_CTL_ADD, gs->lfd, &ev) == -1) {
		error = -errno;
		*why = xasprintf("gate socket: epoll: %s", strerror(errno));
		goto fail;
	}
	*out = gs;
	return 0;
fail:
	gatesock_free(gs);
	return error;
}

static void
conn_close(struct gatesock *gs, struct conn *c)
{
	struct conn **pp;

	for (pp = &gs->conns; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = c->next;
	gs->nconns--;
	close(c->fd);	/* also leaves the epoll set */
	free(c->in);
	free(c->out);
	free(c);
}

void
gatesock_free(struct gatesock *gs)
{
	if (gs == NULL)
		return;
	while (gs->conns)
		conn_close(gs, gs->conns);
	if (gs->lfd >= 0)
		close(gs->lfd);
	if (gs->ep >= 0)
		close(gs->ep);
	if (gs->bound)
		unlink(gs->bound);
	free(gs->bound);
	free(gs->config_real);
	free(gs->repo_real);
	free(gs->objects_real);
	free(gs);
}

int
gatesock_fd(const struct gatesock *gs)
{
	return gs->ep;
}

const struct gatesock_stats *
gatesock_stats(const struct gatesock *gs)
{
	return &gs->st;
}

int64_t
gatesock_timeout_ms(const struct gatesock *gs)
{
	int64_t next = -1, now = util_mono_ms();

	for (const struct conn *c = gs->conns; c; c = c->next)
		if (next < 0 || c->deadline < next)
			next = c->deadline;
	return next < 0 ? -1 : next > now ? next - now : 0;
}

/* Queues a frame with body (len bytes) to send; takes body. */
static void
conn_queue(struct conn *c, char *body, size_t len)
{
	c->out = xmalloc(len + 4);
	wire_header((unsigned char *)c->out, len);
	memcpy(c->out + 4, body, len);
	c->outlen = len + 4;
	c->outsent = 0;
	free(body);
}

/* The answer "decide yourself, because reason". */
static void
conn_fallback(struct gatesock *gs, struct conn *c, const char *reason)
{
	char *body = xmalloc(512);
	long n = wire_answer_encode(body, 512, -1, NULL, 0, reason);

	gs->st.fallbacks++;
	free(c->out);
	conn_queue(c, body, n < 0 ? 0 : (size_t)n);
	c->answered = true;
}

/* Whether the config printgated loaded is the one the hook would read. */
static const char *
config_mismatch(struct gatesock *gs, const struct wire_request *rq)
{
	char *real = realpath(rq->config, NULL);
	const char *why = NULL;

	if (real == NULL || gs->config_real == NULL ||
	    strcmp(real, gs->config_real) != 0)
		why = "the hook's config is not printgated's";
	else if (!config_unchanged(gs->cf))	/* or a file it @includes */
		why = "the config changed since printgated loaded it "
		    "(reload printgated)";
	free(real);
	return why;
}

/* Whether the realpath of path is want. */
static bool
resolves_to(const char *path, const char *want)
{
	char *real = realpath(path, NULL);
	bool same = real && want && strcmp(real, want) == 0;

	free(real);
	return same;
}

/*
 * The repository handle for rq: printgated's own, refreshed; or, for a
 * request from inside git's quarantine (objects not yet moved in), one of
 * its own that reads the quarantine folder too, once that folder is shown
 * to be one of this repository's (objects/tmp_objdir-incoming-*).
 * NULL with *why when the request names another repository.
 */
static struct repo *
request_repo(struct gatesock *gs, const struct wire_request *rq,
    const char **why)
{
	char *q, *alts, *a, *save = NULL;
	struct repo *r = NULL;
	char *msg = NULL;
	bool ok;

	if (!resolves_to(rq->gitdir, gs->repo_real)) {
		*why = "the hook's repository is not printgated's";
		return NULL;
	}
	if (rq->quarantine[0] == '\0' && rq->objects[0] == '\0') {
		/* the push's objects were just moved in, maybe a pack */
		repo_odb_refresh_for(gs->r, rq->new);
		return gs->r;
	}
	q = realpath(rq->quarantine, NULL);
	ok = q && rq->objects[0] && resolves_to(rq->objects, q) &&
	    strncmp(q, gs->objects_real, strlen(gs->objects_real)) == 0 &&
	    str_startswith(q + strlen(gs->objects_real), "/"
	    QUARANTINE_PREFIX) && !strchr(q + strlen(gs->objects_real) + 1,
	    '/');
	alts = xstrdup(rq->alternates);
	for (a = strtok_r(alts, ":", &save); ok && a;
	    a = strtok_r(NULL, ":", &save))
		ok = resolves_to(a, gs->objects_real);
	free(alts);
	if (!ok)
		*why = "the quarantine is not one of printgated's repository";
	else if (repo_open(&r, gs->repo_real, &msg) < 0 ||
	    repo_add_objects(r, q) < 0) {
		*why = "cannot read the quarantine";
		repo_free(r);
		r = NULL;
	}
	free(msg);
	free(q);
	return r;
}

/* Whether var is one of pusher_env (the hook sends the first set). */
static bool
pusher_var_ok(const struct config *cf, const char *var)
{
	if (var[0] == '\0')
		return true;
	for (size_t i = 0; i < cf->npusher_env; i++)
		if (strcmp(cf->pusher_env[i], var) == 0)
			return true;
	return false;
}

/* Decides rq and queues the answer; the log says who asked. */
static void
conn_serve(struct gatesock *gs, struct conn *c)
{
	struct wire_request *rq = xmalloc(sizeof(*rq));
	struct gate_push p = { 0 };
	struct repo *r = NULL;
	const char *why = NULL;
	char *msg = NULL, *body;
	long n;
	int rc;

	if (util_mono_ms() >= c->deadline) {
		/* the loop was late: the hook has given up and decides */
		gs->st.bad++;
		log_warnx("gate request from uid %u pid %d: read after the "
		    "hook's %d ms, not decided", (unsigned)c->peer.uid,
		    (int)c->peer.pid, WIRE_TIMEOUT_MS);
		c->answered = true;
		free(rq);
		return;
	}
	if (wire_request_parse(rq, c->in, c->inlen, &why) < 0 ||
	    (!pusher_var_ok(gs->cf, rq->pusher_var) &&
	    (why = "pusher_var is not one of pusher_env"))) {
		gs->st.bad++;
		log_warnx("gate request from uid %u pid %d: %s, refused",
		    (unsigned)c->peer.uid, (int)c->peer.pid, why);
		conn_fallback(gs, c, "bad request");
		goto done;
	}
	if ((why = config_mismatch(gs, rq)) != NULL ||
	    (r = request_repo(gs, rq, &why)) == NULL) {
		log_warnx("gate '%s' from uid %u pid %d: %s, the hook decides",
		    rq->ref, (unsigned)c->peer.uid, (int)c->peer.pid, why);
		conn_fallback(gs, c, why);
		goto done;
	}
	p.refname = rq->ref;
	p.oldrev = rq->old;
	p.newrev = rq->new;
	p.pusher_var = rq->pusher_var[0] ? rq->pusher_var : NULL;
	p.pusher = rq->pusher[0] ? rq->pusher : NULL;
	p.ledger_timeout_ms = GATESOCK_LEDGER_TIMEOUT_MS;
	p.busy = true;
	/*
	 * The candidate was most likely loaded already (its approvals, the
	 * scan of the ledger): given again while review_fresh() says it
	 * holds.  A quarantine's handle reads objects the memo's does not.
	 */
	if (r == gs->r) {
		p.load = engine_review_loader;
		p.load_ctx = gs->e;
	}
	p.event_id = rq->event[0] ? rq->event : NULL;
	rc = gate_decide(gs->cf, r, gs->repo_real, &p, &msg);
	if (rc == GATE_BUSY) {
		log_warnx("gate '%s' from uid %u pid %d: the ledger stayed "
		    "locked, the hook decides", rq->ref,
		    (unsigned)c->peer.uid, (int)c->peer.pid);
		conn_fallback(gs, c, "the ledger is locked");
		goto done;
	}
	body = xmalloc(WIRE_MAX);
	n = wire_answer_encode(body, WIRE_MAX, rc == GATE_PASS ? 0 : 1,
	    msg ? msg : "", msg ? strlen(msg) : 0, NULL);
	if (n < 0) {
		free(body);
		conn_fallback(gs, c, "the answer is too long");
		goto done;
	}
	gs->st.served++;
	log_info("gate '%s' from uid %u pid %d (%s '%s'): %s", rq->ref,
	    (unsigned)c->peer.uid, (int)c->peer.pid,
	    p.pusher_var ? p.pusher_var : "no pusher", p.pusher ? p.pusher :
	    "", rc == GATE_PASS ? "passed" : "refused");
	conn_queue(c, body, (size_t)n);
	c->answered = true;
done:
	if (r && r != gs->r)
		repo_free(r);
	free(msg);
	free(rq);
}

/* Sends what is queued; false when the connection is done with. */
static bool
conn_write(struct gatesock *gs, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	while (c->outsent < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outsent,
		    c->outlen - c->outsent, MSG_NOSIGNAL);

		if (n > 0) {
			c->outsent += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			ev.events = EPOLLOUT;
			epoll_ctl(gs->ep, EPOLL_CTL_MOD, c->fd, &ev);
			return true;
		}
		/* the hook went away: it decides itself */
		if (c->answered)
			log_warnx("gate answer to uid %u pid %d: the hook did "
			    "not wait for it, and decided itself",
			    (unsigned)c->peer.uid, (int)c->peer.pid);
		return false;
	}
	free(c->out);
	c->out = NULL;
	c->outlen = c->outsent = 0;
	if (c->answered)
		return false;
	epoll_ctl(gs->ep, EPOLL_CTL_MOD, c->fd, &ev);
	if (c->in && c->ingot == c->inlen) {
		/* the request came while the greeting was on its way */
		conn_serve(gs, c);
		return conn_write(gs, c);
	}
	return true;
}

/* Reads what has come of the request; false when done with. */
static bool
conn_read(struct gatesock *gs, struct conn *c)
{
	for (;;) {
		char *dst = c->hdrgot < 4 ? (char *)c->hdr + c->hdrgot :
		    c->in + c->ingot;
		size_t want = c->hdrgot < 4 ? 4 - c->hdrgot :
		    c->inlen - c->ingot;
		ssize_t n;
		long len;

		if (c->hdrgot == 4 && c->ingot == c->inlen)
			break;
		n = read(c->fd, dst, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;	/* gone before its request was whole */
		if (c->hdrgot < 4) {
			c->hdrgot += (size_t)n;
			if (c->hdrgot < 4)
				continue;
			if ((len = wire_length(c->hdr)) < 0) {
				gs->st.bad++;
				log_warnx("gate request from uid %u pid %d: "
				    "over %d bytes, refused",
				    (unsigned)c->peer.uid, (int)c->peer.pid,
				    WIRE_MAX);
				return false;
			}
			c->inlen = (size_t)len;
			c->in = xmalloc(c->inlen + 1);
		} else
			c->ingot += (size_t)n;
	}
	if (c->out || c->answered)
		return true;	/* the greeting is still on its way */
	conn_serve(gs, c);
	return conn_write(gs, c);
}

/* Takes the connections waiting, up to GATESOCK_MAX_CONNS at once. */
static void
gatesock_accept(struct gatesock *gs)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		socklen_t len = sizeof(struct ucred);
		struct conn *c;
		char *body;
		long n;
		int fd = accept4(gs->lfd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("gate socket: accept");
			return;
		}
		if (gs->nconns >= GATESOCK_MAX_CONNS) {
			close(fd);	/* the hook decides itself */
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->deadline = util_mono_ms() + WIRE_TIMEOUT_MS;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len))
			c->peer.pid = -1, c->peer.uid = (uid_t)-1;
		body = xmalloc(WIRE_MAX);
		n = wire_greeting_encode(body, WIRE_MAX, gs->cf->pusher_env,
		    gs->cf->npusher_env);
		conn_queue(c, body, n < 0 ? 0 : (size_t)n);
		ev.data.ptr = c;
		c->next = gs->conns;
		gs->conns = c;
		gs->nconns++;
		if (n < 0 || epoll_ctl(gs->ep, EPOLL_CTL_ADD, fd, &ev) == -1 ||
		    !conn_write(gs, c))
			conn_close(gs, c);
	}
}

/* Closes the connections past their deadline. */
static void
gatesock_expire(struct gatesock *gs)
{
	int64_t now = util_mono_ms();
	struct conn *c = gs->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->deadline > now)
			continue;
		gs->st.bad++;
		log_warnx("gate request from uid %u pid %d: none within %d ms, "
		    "closed", (unsigned)c->peer.uid, (int)c->peer.pid,
		    WIRE_TIMEOUT_MS);
		conn_close(gs, c);
	}
}

void
gatesock_run(struct gatesock *gs)
{
	struct epoll_event evs[32];
	int n = epoll_wait(gs->ep, evs, 32, 0);

	for (int i = 0; i < n; i++) {
		struct conn *c = evs[i].data.ptr;
		bool keep;

		if (c == NULL) {
			gatesock_accept(gs);
			continue;
		}
		if (evs[i].events & EPOLLOUT)
			keep = conn_write(gs, c);
		else
			keep = conn_read(gs, c);
		if (!keep)
			conn_close(gs, c);
	}
	gatesock_expire(gs);
}
