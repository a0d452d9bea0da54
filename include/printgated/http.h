/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http.h - the HTTP listener, behind one small adapter around
 * libmicrohttpd (after systemd's journal-remote): it checks the method,
 * the path, the content type and the length first, reads the body raw and
 * bounded (signatures are over the raw bytes), and only then calls the
 * route's handler.  It runs inside the caller's event loop: the loop
 * watches http_fd() and calls http_run() when it is ready or when
 * http_timeout_ms() passes.
 */
#ifndef PRINTGATE_HTTP_H
#define PRINTGATE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_BODY (64 * 1024)
#define HTTP_CONNECTION_LIMIT 2048
/*
 * Descriptors kept for everything but the listener's connections: the
 * repository's pack files, libcurl's deliveries, the outbox, inotify.
 * The connection limit is the descriptor limit less this (or half the
 * descriptor limit when that is less), so that accept() never fails
 * for want of a descriptor.
 */
#define HTTP_FD_RESERVE 128
/* While at its connection limit the listener is run this often, in ms. */
#define HTTP_AT_LIMIT_MS 100
#define HTTP_PER_IP_LIMIT 1024
#define HTTP_CONNECTION_TIMEOUT_S 10
#define HTTP_MAX_HEADERS_BYTES (32 * 1024)

struct http;

struct http_request {
	const char *method;
	const char *path;
	const char *body;	/* raw, NUL-terminated for convenience */
	size_t len;
	void *conn;		/* for http_header() */
	const char *peer;	/* the client's address ("127.0.0.1"), or "" */
	/* ms since the handler was first called for this request (0 the
	 * first time; more when it asked to be called again) */
	int64_t waited_ms;
	/* the request's own slot, kept from one call of its handler to the
	 * next (NULL at first); what is left there when the connection
	 * ends goes to the function http_set_state_free() gave */
	void **state;
};

/* A response header a route adds, name and value. */
struct http_header {
	const char *name;
	const char *value;
};

/*
 * Every answer goes out with "Cache-Control: no-store" and
 * "X-Content-Type-Options: nosniff"; a route adds others in headers.
 *
 * A handler answers with status, or, to wait for something that would
 * block the loop (a ledger lock), sets retry_ms instead: the connection
 * is suspended (nothing is sent, other requests are served) and the
 * handler is called again for the same request after retry_ms, from the
 * loop's timer.  A handler that waits gives up on its own bound
 * (waited_ms) with an answer.
 */
struct http_response {
	int status;
	const char *content_type;	/* default text/plain */
	char *body;			/* owned; freed by the adapter */
	size_t len;			/* of body; 0: strlen(body) */
	const struct http_header *headers;	/* borrowed, or NULL */
	size_t nheaders;
	char *disposition;	/* Content-Disposition, owned, or NULL */
	int retry_ms;			/* > 0: not answered, call again */
	const char *cache;		/* Cache-Control; NULL: no-store */
};

typedef void (*http_handler)(void *ctx, const struct http_request *rq,
    struct http_response *rs);

struct http_route {
	const char *method;		/* "POST", "GET" */
	const char *path;		/* a segment that is a star
					 * matches any one segment */
	const char *content_type;	/* required media type, or NULL */
	http_handler handler;
	const char *name;		/* for metrics: "slack_actions" */
	bool prefix;			/* path is a prefix ("/r/") */
};

/*
 * Starts listening on listen ("127.0.0.1:8787", "[::1]:8787"; port 0
 * picks a free one), or on the already bound socket fd when fd >= 0.
 * Every request is answered by one of routes, or refused: 404 unknown
 * path, 405 wrong method, 415 wrong content type, 413 a body over
 * HTTP_MAX_BODY (before it is read).  on_answer, when set, is called
 * for every answer (for metrics).
 */
int http_new(struct http **out, const char *listen, int fd,
    const struct http_route *routes, size_t nroutes, void *ctx,
    void (*on_answer)(void *ctx, const char *route, int status),
    char **why);
/*
 * Sets fn, called with every answer once it is queued and before
 * on_answer: the route, the status, the content type (NULL for text) and
 * the body, for a log of refusals.
 */
void http_set_answer_body(struct http *h, void (*fn)(void *ctx,
    const char *route, int status, const char *type, const char *body));
/*
 * Takes every route under base too ("/printgate": "/printgate/r/x" is
 * the route "/r/x"), for a public_url with a path behind a proxy that
 * passes the path on; "" for none, the default.  With only, the routes
 * are under base alone: nothing at the root is answered.
 */
void http_set_base(struct http *h, const char *base, bool only);
/*
 * Sets fn, called with the state a request left in its slot
 * (http_request.state) when its connection ends, answered or not.
 */
void http_set_state_free(struct http *h, void (*fn)(void *ctx,
    void *state));
/*
 * Calls every suspended handler again now, not at its time: what it
 * waited for has happened (a group commit written).
 */
void http_wake(struct http *h);
void http_free(struct http *h);
/* The port it listens on. */
unsigned http_port(const struct http *h);
/* The descriptor to watch for input. */
int http_fd(const struct http *h);
/* Serves what is ready. */
void http_run(struct http *h);
/* How many connections it serves at once, at most. */
unsigned http_connection_limit(const struct http *h);
/*
 * When http_run() must be called at the latest, in ms; -1: no need.
 * The earliest retry of a suspended request counts too.
 * While the listener is at its connection limit, HTTP_AT_LIMIT_MS at the
 * latest: libmicrohttpd takes the listening socket out of its epoll set
 * then, and puts it back in a later run, which nothing else would cause
 * once the connections have closed.
 */
int64_t http_timeout_ms(struct http *h);
/* A request header, or NULL. */
const char *http_header(const struct http_request *rq, const char *name);
/* A query string argument of the request ("?changes=1"), or NULL. */
const char *http_query(const struct http_request *rq, const char *name);

#endif
