/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printgated - the printgate daemon: one event loop (epoll) over inotify on
 * the repository's refs, signals (signalfd), timers (timerfd) and the
 * sockets of outbound HTTP transfers (libcurl's multi interface, through
 * notify.c).  The work itself is in engine.c; this file waits, dispatches
 * and talks to systemd (sd_notify: READY, STATUS, WATCHDOG, RELOADING,
 * STOPPING).  It runs in the foreground and logs to stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "chat/platform.h"
#include "core/config.h"
#include "printgated/engine.h"
#include "printgated/gatesock.h"
#include "printgated/http.h"
#include "core/ledger.h"
#include "core/log.h"
#include "printgated/metrics.h"
#include "printgated/notify.h"
#include "printgated/previews.h"
#include "core/outbox.h"
#include "core/util.h"
#include "printgated/routes.h"
#include "printgated/watch.h"
#include "web/link.h"

/* How long refs must be quiet before a rescan: a push moves several. */
#define DEBOUNCE_MS 50
/* A rescan however quiet it is: the safety net under inotify. */
#define RESCAN_MS (5 * 60 * 1000)
/* Deliveries in flight at once. */
#define MAX_INFLIGHT 64

/* What an epoll event is about: the low bits of its u64. */
enum source {
	SRC_SIGNAL = 1,
	SRC_WATCH,
	SRC_WORK,	/* the scan / delivery timer */
	SRC_CURL_TIMER,
	SRC_WATCHDOG,
	SRC_HTTP,		/* the listener's epoll descriptor */
	SRC_HTTP_TIMER,
	SRC_GATE,		/* the gate socket's epoll descriptor */
	SRC_GATE_TIMER,
	SRC_PREVIEWS,		/* the renderers' epoll descriptor */
	SRC_PREVIEWS_TIMER,
	SRC_CURL_SOCKET,	/* the fd is in the high 32 bits */
};

struct daemon {
	const char *config_path;
	struct config *cf;
	struct engine *engine;
	struct notify *notify;
	struct watch *watch;
	struct http *http;	/* NULL without an http section */
	struct routes *routes;
	struct gatesock *gate;	/* NULL when the socket cannot be served */
	struct previews *previews;
	struct metrics metrics;
	int ep, sigfd, workfd, curlfd, dogfd, httpfd, gatefd, pvfd;
	int64_t scan_at;	/* when the next scan is due, ms; -1 none */
	int64_t deadline;	/* the engine's next deadline, ms; -1 none */
	int64_t rescan_at;	/* the periodic rescan, ms */
	bool stop;
	bool ready;
	bool reload_due;	/* SIGHUP, waiting for decisions to be answered */
	bool reload_said;	/* and the wait was logged */
	bool gate_only;		/* -g: serve the gate socket, nothing else */
	char status[256];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: printgated [-gtv] [-c config]\n");
	exit(2);
}

/* Arms a one-shot timerfd to fire in ms milliseconds (< 0: disarm). */
static void
arm(int fd, int64_t ms)
{
	struct itimerspec its = { 0 };

	if (ms >= 0) {
		if (ms == 0)
			its.it_value.tv_nsec = 1;
		else {
			its.it_value.tv_sec = ms / 1000;
			its.it_value.tv_nsec = (ms % 1000) * 1000000;
		}
	}
	timerfd_settime(fd, 0, &its, NULL);
}

static void
drain(int fd)
{
	uint64_t n;

	(void)!read(fd, &n, sizeof(n));
}

static void
ep_add(struct daemon *d, int fd, uint64_t tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		fatal("epoll_ctl");
}

static void
curl_watch(void *ctx, int fd, int what)
{
	struct daemon *d = ctx;
	struct epoll_event ev = { 0 };

	ev.data.u64 = SRC_CURL_SOCKET | ((uint64_t)(uint32_t)fd << 32);
	if (what & NOTIFY_IN)
		ev.events |= EPOLLIN;
	if (what & NOTIFY_OUT)
		ev.events |= EPOLLOUT;
	if (what == 0) {
		epoll_ctl(d->ep, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(d->ep, EPOLL_CTL_MOD, fd, &ev) == -1 &&
	    epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		log_warn("watch transfer socket %d", fd);
}

static void
curl_timer(void *ctx, long ms)
{
	struct daemon *d = ctx;

	arm(d->curlfd, ms);
}

static void
delivered(void *ctx, const struct notify_result *res)
{
	struct daemon *d = ctx;
	struct outbox *ob = engine_outbox(d->engine);
	struct delivery *dl = outbox_get(ob, res->id);
	char *what;
	int64_t now = now_ms();
	int rc;

	if (dl == NULL)
		return;
	/* "request for 'print/q1@…' to 'sales' (delivery 1a2b…)" */
	what = xasprintf("%s for '%s' to '%s' (delivery %s)", dl->event,
	    dl->review, dl->target, res->id);
	if (res->error == NULL) {
		log_info("deliver %s: %s %ld", what, res->proto, res->status);
		outbox_done(ob, res->id);
		d->metrics.delivered++;
	} else {
		rc = outbox_failed(ob, res->id, res->error, now,
		    res->retry_after_ms ? now + res->retry_after_ms : 0,
		    res->permanent);
		if (rc == 1)
			d->metrics.given_up++;
		else
			d->metrics.retried++;
		if (rc == 1)
			log_warnx("deliver %s: %s, given up and moved to dead "
			    "(printgatectl outbox retry %s)", what, res->error,
			    res->id);
		else if ((dl = outbox_get(ob, res->id)) != NULL)
			log_warnx("deliver %s: %s, will retry in %lld s", what,
			    res->error,
			    (long long)((dl->next_at - now + 999) / 1000));
		else
			log_warnx("deliver %s: %s", what, res->error);
	}
	free(what);
}

/*
 * Starts delivery dv: its request made at send time (an SMTP message or
 * an HTTP POST), or, for one the review has moved past (-ECANCELED),
 * dropped with a log line; a failure to start is counted as an attempt.
 */
static void
send_one(struct daemon *d, struct outbox *ob, struct delivery *dv,
    int64_t now)
{
	char *headers[NOTIFY_MAX_HEADERS], *url = NULL, *why = NULL;
	struct notify_mail mail = { 0 };
	char id[OUTBOX_ID_SIZE];
	size_t nh = 0;
	int error;

	snprintf(id, sizeof(id), "%s", dv->id);
	error = engine_delivery_request(d->engine, dv, now, &url, headers,
	    &nh, &mail, &why);
	if (error == -ECANCELED) {
		log_info("drop delivery '%s' of %s for '%s' to '%s': %s", id,
		    dv->event, dv->review, dv->target, why);
		outbox_done(ob, id);
		free(why);
		return;
	}
	if (error == 0 && mail.from != NULL)
		error = notify_send_mail(d->notify, id, url, &mail, dv->body,
		    dv->len);
	else if (error == 0)
		error = notify_send(d->notify, id, url,
		    (const char *const *)headers, nh, dv->body, dv->len);
	if (error < 0 && why == NULL)
		why = xasprintf("cannot start the transfer: %s",
		    strerror(-error));
	if (error < 0) {
		log_warnx("deliver '%s' to '%s': %s", id, dv->target, why);
		outbox_failed(ob, id, why, now, 0, error == -ENOENT);
	} else
		dv->inflight = true;
	for (size_t h = 0; h < nh; h++)
		free(headers[h]);
	notify_mail_clear(&mail);
	free(url);
	free(why);
}

/*
 * Starts the deliveries that are due, up to MAX_INFLIGHT at once.  A
 * delivery dropped as out of date leaves the outbox's array, moving the
 * ones after it: each is found again by its id before it is sent.
 */
static void
send_due(struct daemon *d, int64_t now)
{
	struct outbox *ob = engine_outbox(d->engine);
	struct delivery *dv;
	char ids[MAX_INFLIGHT][OUTBOX_ID_SIZE];
	size_t room = MAX_INFLIGHT - notify_inflight(d->notify), n;

	if (room == 0 || room > MAX_INFLIGHT)
		return;
	n = outbox_due(ob, now, ids, room);
	for (size_t i = 0; i < n; i++)
		if ((dv = outbox_get(ob, ids[i])) != NULL)
			send_one(d, ob, dv, now);
}

static void
report(struct daemon *d)
{
	const struct engine_stats *st = engine_stats(d->engine);
	char status[256];

	snprintf(status, sizeof(status), "STATUS=%u open review%s, %zu "
	    "deliver%s queued", st->open_reviews,
	    st->open_reviews == 1 ? "" : "s",
	    outbox_depth(engine_outbox(d->engine)),
	    outbox_depth(engine_outbox(d->engine)) == 1 ? "y" : "ies");
	if (strcmp(status, d->status) != 0) {
		sd_notify(0, status);
		snprintf(d->status, sizeof(d->status), "%s", status);
	}
}

/*
 * A ref may have changed: a scan soon.  The memo drains the watch too
 * (memo_set_watch()), so this is asked after every scan as well as when
 * the watch's descriptor is readable.
 */
static void
watch_changed(struct daemon *d)
{
	if (watch_read(d->watch)) {
		int64_t at = now_ms() + DEBOUNCE_MS;

		if (d->scan_at < 0 || at < d->scan_at)
			d->scan_at = at;
	}
}

/* Scans when due, starts due deliveries, and sets the next wake-up. */
static void
work(struct daemon *d)
{
	int64_t now = now_ms(), next, ob_next;

	watch_changed(d);	/* what a decision's loading drained */

	/* a reminder or escalation is due, or the periodic rescan */
	if ((d->deadline >= 0 && now >= d->deadline) || now >= d->rescan_at)
		d->scan_at = now;
	if (d->scan_at >= 0 && now >= d->scan_at) {
		d->deadline = engine_scan(d->engine, now);
		d->scan_at = -1;
		d->rescan_at = now + RESCAN_MS;
		watch_changed(d);	/* during the scan, as before it */
		if (!d->ready) {
			sd_notify(0, "READY=1");
			d->ready = true;
			log_info("ready: watching '%s'", d->cf->repository);
		}
	}
	/* requests that waited for their previews, due once they are in */
	engine_previews(d->engine, now);
	send_due(d, now);
	report(d);
	next = d->rescan_at;
	if (d->scan_at >= 0 && d->scan_at < next)
		next = d->scan_at;
	if (d->deadline >= 0 && d->deadline < next)
		next = d->deadline;
	ob_next = outbox_next(engine_outbox(d->engine));
	if (ob_next >= 0 && notify_inflight(d->notify) < MAX_INFLIGHT &&
	    ob_next < next)
		next = ob_next;
	arm(d->workfd, next > now ? next - now : 0);
}

/*
 * Where the listener answers: under public_url's path and at the root,
 * or where proxy_path says the proxy sends requests alone.
 */
static void
listener_base(struct http *h, const struct config *cf)
{
	bool strip = cf->http.proxy_path == CONFIG_PATH_STRIP;

	http_set_base(h, strip ? "" : link_base(cf),
	    cf->http.proxy_path == CONFIG_PATH_KEEP);
}

static void
reload(struct daemon *d)
{
	struct config *cf = NULL;
	char *errors = NULL, *why = NULL;

	sd_notify(0, "RELOADING=1");
	if (config_load(&cf, d->config_path, CONFIG_CHECK_SECRETS,
	    &platform_configs, &errors) < 0) {
		log_warnx("reload '%s': invalid, keeping the configuration in "
		    "use:\n%s", d->config_path, errors ? errors : "");
		free(errors);
	} else if (strcmp(cf->repository, d->cf->repository) != 0 ||
	    strcmp(cf->state_dir, d->cf->state_dir) != 0) {
		log_warnx("reload '%s': repository and state_dir cannot change "
		    "on reload; restart printgated; keeping the configuration "
		    "in use", d->config_path);
		config_free(cf);
	} else if (engine_set_config(d->engine, cf, &why) < 0) {
		log_warnx("reload '%s': %s; keeping the configuration in use",
		    d->config_path, why);
		free(why);
		config_free(cf);
	} else if (d->routes && routes_set_config(d->routes, cf, &why) < 0) {
		log_warnx("reload '%s': %s; keeping the configuration in use",
		    d->config_path, why);
		free(why);
		engine_set_config(d->engine, d->cf, &why);
		config_free(cf);
	} else {
		if (strcmp(cf->gate_socket, d->cf->gate_socket) != 0)
			log_warnx("reload '%s': gate_socket changes only with a "
			    "restart; still serving %s", d->config_path,
			    d->cf->gate_socket);
		if (d->gate)
			gatesock_set_config(d->gate, cf);
		if (d->previews)
			previews_set_config(d->previews, cf);
		if (d->http)
			listener_base(d->http, cf);
		if (d->http && (!cf->http.enabled ||
		    strcmp(cf->http.listen, d->cf->http.listen) != 0))
			log_warnx("reload '%s': the listen address changes only "
			    "with a restart; still listening on %s",
			    d->config_path, d->cf->http.listen);
		config_free(d->cf);
		d->cf = cf;
		log_info("reload '%s': done", d->config_path);
	}
	/* deliveries requeued with printgatectl outbox retry */
	{
		int n = outbox_refresh(engine_outbox(d->engine));

		if (n > 0)
			log_info("reload: %d requeued deliver%s", n,
			    n == 1 ? "y" : "ies");
	}
	d->scan_at = now_ms();
	sd_notify(0, "READY=1");
}

/*
 * The reload SIGHUP asked for, once no decision is staged or waiting for
 * its answer: each holds a review of the configuration in use, which the
 * reload frees.  They are answered at the end of the pass that wrote
 * them, or fail within the listener's timeout when the ledger stays
 * locked, so the reload waits a pass or about a second.
 */
static void
reload_when_due(struct daemon *d)
{
	size_t n;

	if (!d->reload_due)
		return;
	if (d->routes && (n = routes_waiting(d->routes)) > 0) {
		if (!d->reload_said)
			log_info("reload: after the %zu decision%s waiting for "
			    "the ledger", n, n == 1 ? "" : "s");
		d->reload_said = true;
		return;
	}
	d->reload_due = d->reload_said = false;
	reload(d);
}

static void
on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			d->reload_due = true;
			break;
		case SIGTERM:
		case SIGINT:
			d->stop = true;
			break;
		}
	}
}

/*
 * A socket systemd passed: the gate's (FileDescriptorName=gate) or the
 * first other one (the HTTP listener's); -1 when none was passed.
 */
static int
passed_fd(bool gate)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(0, &names), fd = -1, others = 0;

	for (int i = 0; i < n; i++) {
		bool is_gate = names && names[i] && strcmp(names[i], "gate") == 0;

		if (is_gate == gate && fd == -1)
			fd = SD_LISTEN_FDS_START + i;
		else if (!is_gate && !gate)
			others++;
	}
	if (others > 0)
		log_warnx("listen: %d more sockets passed, using the first",
		    others);
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return fd;
}

/*
 * The warm path: the gate socket, on the engine's repository.  A socket
 * that cannot be served (another printgated serves it, say) is logged:
 * the hooks then decide themselves, which is correct, only slower.
 */
static void
gate_setup(struct daemon *d)
{
	int fd = passed_fd(true);
	char *why = NULL;

	if (fd >= 0 && sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0)
		fatalx("start: the gate socket systemd passed is not a "
		    "listening unix stream socket");
	if (fd >= 0 && sd_is_socket_unix(fd, SOCK_STREAM, 1,
	    d->cf->gate_socket, 0) <= 0)
		log_warnx("gate: the socket systemd passed is not gate_socket "
		    "'%s', where the hooks ask: set gate_socket to the "
		    "socket unit's ListenStream= and run printgatectl "
		    "install-hook", d->cf->gate_socket);
	if (gatesock_new(&d->gate, d->cf, d->engine, fd, &why) < 0) {
		log_warnx("%s; the hooks decide themselves", why);
		free(why);
		return;
	}
	d->gatefd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->gatefd == -1)
		fatal("timerfd_create");
	ep_add(d, gatesock_fd(d->gate), SRC_GATE, EPOLLIN);
	ep_add(d, d->gatefd, SRC_GATE_TIMER, EPOLLIN);
	log_info("gate: listening on %s", fd >= 0 ? "the socket from systemd" :
	    d->cf->gate_socket);
}

/* The HTTP listener for decisions from chat, inside this loop. */
static void
listen_setup(struct daemon *d)
{
	const struct http_route *routes;
	char *why = NULL, *port;
	size_t n;
	int fd = -1, nfds, sfd, error;

	if (routes_new(&d->routes, d->cf, d->engine, &d->metrics, &why) < 0)
		fatalx("start: %s", why);
	routes_set_previews(d->routes, d->previews);
	routes = routes_table(&n);
	/* socket activation (printgated.socket): take the socket passed */
	if ((nfds = passed_fd(false)) >= 0)
		fd = nfds;
	if (http_new(&d->http, d->cf->http.listen, fd, routes, n, d->routes,
	    routes_count, &why) < 0)
		fatalx("start: %s", why);
	http_set_answer_body(d->http, routes_answered);
	listener_base(d->http, d->cf);
	http_set_state_free(d->http, routes_drop_state);
	d->httpfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->httpfd == -1)
		fatal("timerfd_create");
	ep_add(d, http_fd(d->http), SRC_HTTP, EPOLLIN);
	ep_add(d, d->httpfd, SRC_HTTP_TIMER, EPOLLIN);
	/* for scripts and tests: the port, never written through a link */
	if (util_state_dir_open(&sfd, d->cf->state_dir, 0, NULL, &why) < 0)
		fatalx("start: %s", why);
	port = xasprintf("%u\n", http_port(d->http));
	if ((error = util_write_atomic(sfd, "http-port", port, strlen(port),
	    0600, (uid_t)-1, (gid_t)-1)) < 0)
		log_warnx("write '%s/http-port': %s, scripts will not find the "
		    "port", d->cf->state_dir, strerror(-error));
	free(port);
	close(sfd);
	log_info("listen: %s, port %u, at most %u connections",
	    fd >= 0 ? "socket from systemd" : d->cf->http.listen,
	    http_port(d->http), http_connection_limit(d->http));
}

/*
 * Raises the soft limit on open descriptors to the hard one, as far as
 * the kernel allows: the listener's connections, the repository's pack
 * files and the deliveries all need descriptors, and a soft limit of
 * 1024 (or 256) is only a default.  A failure is logged, not fatal: the
 * listener sizes its connection limit to whatever limit there is.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return;
	}
	if (rl.rlim_cur == rl.rlim_max)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		/* an unlimited hard limit is above the kernel's nr_open */
		rl.rlim_cur = 1048576 > was ? 1048576 : was;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("setrlimit(RLIMIT_NOFILE, %llu)",
			    (unsigned long long)rl.rlim_cur);
			return;
		}
	}
	log_debug("start: open files limit raised from %llu to %llu",
	    (unsigned long long)was, (unsigned long long)rl.rlim_cur);
}

/* The previews' renderers, fed from this loop. */
static void
previews_setup(struct daemon *d)
{
	char *why = NULL;

	if (previews_new(&d->previews, d->cf, engine_repo(d->engine), NULL,
	    &why) < 0) {
		log_warnx("previews: %s; no previews", why);
		free(why);
		return;
	}
	engine_set_previews(d->engine, d->previews);
	d->pvfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->pvfd == -1)
		fatal("timerfd_create");
	ep_add(d, previews_fd(d->previews), SRC_PREVIEWS, EPOLLIN);
	ep_add(d, d->pvfd, SRC_PREVIEWS_TIMER, EPOLLIN);
}

static void
setup(struct daemon *d)
{
	struct notify_callbacks cb = { curl_watch, curl_timer, delivered, d };
	const char *gitdir;
	char *why = NULL;
	uint64_t usec = 0;
	sigset_t mask;
	int error;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if ((d->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	if ((d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	d->workfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->curlfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->dogfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->workfd == -1 || d->curlfd == -1 || d->dogfd == -1)
		fatal("timerfd_create");
	if (engine_new(&d->engine, d->cf, &why) < 0)
		fatalx("start: %s", why);
	if ((error = notify_new(&d->notify, &cb)) < 0)
		fatalx("start: cannot set up libcurl: %s", strerror(-error));
	/* where libgit2 reads the refs: a linked work tree's are the main
	 * one's, and a work tree's .git may be a file naming its git dir */
	gitdir = repo_commondir(engine_repo(d->engine));
	if ((error = watch_new(&d->watch, gitdir)) < 0)
		fatalx("watch '%s': %s", gitdir, strerror(-error));
	engine_set_watch(d->engine, d->watch);
	gate_setup(d);
	if (!d->gate_only)
		previews_setup(d);
	if (d->cf->http.enabled && !d->gate_only)
		listen_setup(d);
	(void)sd_listen_fds(1);	/* the sockets are taken: not for children */
	ep_add(d, d->sigfd, SRC_SIGNAL, EPOLLIN);
	ep_add(d, watch_fd(d->watch), SRC_WATCH, EPOLLIN);
	ep_add(d, d->workfd, SRC_WORK, EPOLLIN);
	ep_add(d, d->curlfd, SRC_CURL_TIMER, EPOLLIN);
	ep_add(d, d->dogfd, SRC_WATCHDOG, EPOLLIN);
	/* Watchdog pings come from this loop, so they stop if it stalls. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		struct itimerspec its = { 0 };

		its.it_interval.tv_sec = (time_t)(usec / 2 / 1000000);
		its.it_interval.tv_nsec = (long)(usec / 2 % 1000000) * 1000;
		its.it_value = its.it_interval;
		timerfd_settime(d->dogfd, 0, &its, NULL);
	}
	d->scan_at = 0;
	d->deadline = -1;
	d->rescan_at = 0;
}

static void
run(struct daemon *d)
{
	struct epoll_event evs[64];

	if (d->gate_only) {
		sd_notify(0, "READY=1");
		log_info("ready: serving the gate of '%s' only",
		    d->cf->repository);
	} else
		work(d);
	while (!d->stop) {
		int n = epoll_wait(d->ep, evs, 64, -1);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;

			switch ((enum source)(tag & 0xffffffff)) {
			case SRC_SIGNAL:
				on_signal(d);
				break;
			case SRC_WATCH:
				watch_changed(d);
				break;
			case SRC_WORK:
				drain(d->workfd);
				break;
			case SRC_CURL_TIMER:
				drain(d->curlfd);
				notify_timeout(d->notify);
				break;
			case SRC_WATCHDOG:
				drain(d->dogfd);
				sd_notify(0, "WATCHDOG=1");
				break;
			case SRC_HTTP:
				http_run(d->http);
				break;
			case SRC_HTTP_TIMER:
				drain(d->httpfd);
				http_run(d->http);
				break;
			case SRC_GATE_TIMER:
				drain(d->gatefd);
				/* FALLTHROUGH */
			case SRC_GATE:
				gatesock_run(d->gate);
				break;
			case SRC_PREVIEWS_TIMER:
				drain(d->pvfd);
				/* FALLTHROUGH */
			case SRC_PREVIEWS:
				previews_run(d->previews);
				break;
			case SRC_CURL_SOCKET:
				notify_socket(d->notify, (int)(tag >> 32),
				    ((evs[i].events & (EPOLLIN | EPOLLHUP |
				    EPOLLERR)) ? NOTIFY_IN : 0) |
				    ((evs[i].events & EPOLLOUT) ?
				    NOTIFY_OUT : 0));
				break;
			}
		}
		/*
		 * The decisions of this pass: one notes commit (group
		 * commit), answered at once, before a scan that may be long.
		 */
		if (d->routes && routes_flush(d->routes) && d->http)
			http_wake(d->http);
		reload_when_due(d);
		if (!d->stop && !d->gate_only)
			work(d);
		if (d->http)
			arm(d->httpfd, http_timeout_ms(d->http));
		if (d->gate)
			arm(d->gatefd, gatesock_timeout_ms(d->gate));
		if (d->previews)
			arm(d->pvfd, previews_timeout_ms(d->previews));
	}
}

int
main(int argc, char *argv[])
{
	struct daemon d = { 0 };
	char *errors = NULL;
	bool test = false, verbose = false;
	int ch;

	d.config_path = CONFIG_DEFAULT_PATH;
	while ((ch = getopt(argc, argv, "c:gtv")) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'g':
			d.gate_only = true;
			break;
		case 't':
			test = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("printgated", verbose);
	if (config_load(&d.cf, d.config_path, CONFIG_CHECK_SECRETS,
	    &platform_configs, &errors) < 0) {
		fputs(errors ? errors : "invalid configuration\n", stderr);
		free(errors);
		return 2;
	}
	if (test) {
		printf("%s: configuration OK\n", d.cf->path);
		config_free(d.cf);
		return 0;
	}
	setup(&d);
	log_info("start: repository '%s', state '%s'", d.cf->repository,
	    d.cf->state_dir);
	run(&d);
	sd_notify(0, "STOPPING=1");
	log_info("stop: %zu deliver%s left queued for the next start",
	    outbox_depth(engine_outbox(d.engine)),
	    outbox_depth(engine_outbox(d.engine)) == 1 ? "y" : "ies");
	gatesock_free(d.gate);
	http_free(d.http);
	routes_free(d.routes);
	previews_free(d.previews);
	watch_free(d.watch);
	notify_free(d.notify);
	engine_free(d.engine);
	ledger_cache_free();
	config_free(d.cf);
	close(d.ep);
	close(d.sigfd);
	close(d.workfd);
	close(d.curlfd);
	close(d.dogfd);
	if (d.http)
		close(d.httpfd);
	if (d.gate)
		close(d.gatefd);
	if (d.previews)
		close(d.pvfd);
	return 0;
}
