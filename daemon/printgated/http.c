/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http.c - the HTTP listener's adapter around libmicrohttpd, the only file
 * that includes it.  It runs in printgated's event loop (MHD's external
 * epoll mode), so that handlers share the daemon's one thread and its
 * repository handle.  Before any handler runs, a request has passed the
 * route table: path, method, content type, and a length within
 * HTTP_MAX_BODY, refused before the body is buffered.
 */
#include "printgated/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "core/util.h"

struct http {
	struct MHD_Daemon *mhd;
	const struct http_route *routes;
	size_t nroutes;
	void *ctx;
	void (*on_answer)(void *ctx, const char *route, int status);
	unsigned limit;		/* connections at once */
	bool at_limit;		/* was at (or next to) it at the last run */
	void (*on_answer_body)(void *ctx, const char *route, int status,
	    const char *type, const char *body);
	struct http_call *suspended;	/* waiting to be called again */
	char *base;		/* the routes are under it too, or "" */
	bool base_only;		/* and only under it */
	void (*free_state)(void *ctx, void *state);
};

/*
 * Per request: the route it matched, the body read so far; while its
 * handler waits, when to call it again (the connection suspended).
 */
struct http_call {
	const struct http_route *route;
	int refuse;		/* a status to answer without reading */
	const char *reason;
	struct buf body;
	bool too_large;
	struct MHD_Connection *conn;
	int64_t first_ms;	/* the handler's first call, or 0 */
	int64_t retry_at;	/* monotonic ms, while in h->suspended */
	struct http_call *next;	/* in h->suspended */
	void *state;		/* the handler's, http_request.state */
};

/* Takes c out of h->suspended, when it is there. */
static void
unsuspend(struct http *h, struct http_call *c)
{
	for (struct http_call **p = &h->suspended; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			c->next = NULL;
			return;
		}
}

/* Resumes the suspended requests due at now (all when all). */
static void
resume_due(struct http *h, bool all)
{
	int64_t now = util_mono_ms();
	struct http_call **p = &h->suspended;

	while (*p) {
		struct http_call *c = *p;

		if (!all && c->retry_at > now) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		c->next = NULL;
		MHD_resume_connection(c->conn);
	}
}

/*
 * Queues the answer: body (len bytes, or up to its NUL when len is 0)
 * with the headers every answer has and rs's own, when rs is not NULL.
 */
static enum MHD_Result
answer_with(struct http *h, struct MHD_Connection *conn, const char *route,
    int status, const char *type, const char *body, size_t len,
    const struct http_response *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (len == 0)
		len = body ? strlen(body) : 0;

	r = MHD_create_response_from_buffer(len, (void *)(body ? body : ""),
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type ? type : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", rs && rs->cache ?
	    rs->cache : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, POST");
	for (size_t i = 0; rs && i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->headers[i].name,
		    rs->headers[i].value);
	if (rs && rs->disposition)
		MHD_add_response_header(r, "Content-Disposition",
		    rs->disposition);
	ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	if (h->on_answer_body)
		h->on_answer_body(h->ctx, route, status, type, body);
	if (h->on_answer)
		h->on_answer(h->ctx, route, status);
	return ret;
}

static enum MHD_Result
answer(struct http *h, struct MHD_Connection *conn, const char *route,
    int status, const char *type, const char *body)
{
	return answer_with(h, conn, route, status, type, body, 0, NULL);
}

/* Whether url is pattern, a "*" segment of which matches one segment. */
static bool
path_match(const char *pattern, const char *url)
{
	while (*pattern && *url) {
		if (pattern[0] == '*' && (pattern[1] == '/' ||
		    pattern[1] == '\0')) {
			size_t n = strcspn(url, "/");

			if (n == 0)
				return false;
			url += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *url++)
			return false;
	}
	return *pattern == '\0' && *url == '\0';
}

static enum MHD_Result
refuse(struct http *h, struct MHD_Connection *conn, const char *route,
    int status, const char *reason)
{
	char *text = xasprintf("%d %s\n", status, reason);
	enum MHD_Result ret = answer(h, conn, route, status, NULL, text);

	free(text);
	return ret;
}

/* The media type of a Content-Type value, without parameters. */
static bool
type_is(const char *value, const char *want)
{
	size_t n = strlen(want);

	if (value == NULL)
		return false;
	while (*value == ' ')
		value++;
	return strncasecmp(value, want, n) == 0 &&
	    (value[n] == '\0' || value[n] == ';' || value[n] == ' ');
}

/* What framing headers a request has: their counts, the first length. */
struct framing {
	unsigned lengths;		/* Content-Length headers */
	unsigned encodings;		/* Transfer-Encoding headers */
	bool differ;			/* two lengths that are not the same */
	bool spaced;			/* a name with a space before ':' */
	bool bad_length;		/* a length that is not only digits */
	bool bad_encoding;		/* an encoding that is not "chunked" */
	const char *length;
};

static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (strpbrk(key, " \t") != NULL)
		f->spaced = true;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (value == NULL || *value == '\0' ||
		    value[strspn(value, "0123456789")] != '\0')
			f->bad_length = true;
		if (f->lengths++ == 0)
			f->length = value;
		else if (strcmp(f->length, value ? value : "") != 0)
			f->differ = true;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		if (value == NULL || strcasecmp(value, "chunked") != 0)
			f->bad_encoding = true;
		f->encodings++;
	}
	return MHD_YES;
}

/*
 * A request whose length is said twice, or said two ways, is refused
 * (400) before its body is read: a proxy in front and this server could
 * each take another length, and so another request, from the same bytes
 * (request smuggling).  RFC 9112 6.3: Content-Length with
 * Transfer-Encoding, or lengths that differ, are an error.  Two equal
 * Content-Length headers are refused too: no client of ours sends them.
 * So are a header name with a space before its colon (RFC 9112 5.1: a
 * proxy may take "Content-Length : 5" as a length, this server does
 * not), a length that is not only digits ("5 5" from a folded line, "+5")
 * and a Transfer-Encoding other than "chunked", which this server cannot
 * read ("identity, chunked" would keep the connection waiting).
 */
static const char *
framing_error(struct MHD_Connection *conn)
{
	struct framing f = { 0 };

	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
	if (f.spaced)
		return "a header name has a space or tab in it (before its "
		    "colon): remove it";
	if (f.lengths > 0 && f.encodings > 0)
		return "Content-Length and Transfer-Encoding together: "
		    "send the body with one of them";
	if (f.differ)
		return "two different Content-Length headers: send one";
	if (f.lengths > 1)
		return "more than one Content-Length header: send one";
	if (f.encodings > 1)
		return "more than one Transfer-Encoding header: send one";
	if (f.bad_length)
		return "Content-Length is not a number of bytes (digits "
		    "only): send one";
	if (f.bad_encoding)
		return "the only Transfer-Encoding accepted is chunked: send "
		    "the body with it or with Content-Length";
	return NULL;
}

/*
 * The path of url under h's base ("/r/x" for "/printgate/r/x"), as a
 * proxy that keeps public_url's path sends it; url itself otherwise, as
 * one that strips it sends it, or "" (no route) when h answers under
 * its base alone.
 */
static const char *
under_base(const struct http *h, const char *url)
{
	size_t n = strlen(h->base);

	if (n > 0 && strncmp(url, h->base, n) == 0 && url[n] == '/')
		return url + n;
	return h->base_only ? "" : url;
}

/* Matches the route table; sets c->refuse when nothing fits. */
static void
route(struct http *h, struct MHD_Connection *conn, const char *method,
    const char *url, struct http_call *c)
{
	const char *len;
	bool path_known = false;

	for (size_t i = 0; i < h->nroutes; i++) {
		const struct http_route *rt = &h->routes[i];

		if (rt->prefix ? !str_startswith(url, rt->path) :
		    !path_match(rt->path, url))
			continue;
		path_known = true;
		if (strcmp(method, rt->method) != 0)
			continue;
		c->route = rt;
		break;
	}
	if ((c->reason = framing_error(conn)) != NULL) {
		c->refuse = MHD_HTTP_BAD_REQUEST;
		return;
	}
	if (c->route == NULL) {
		c->refuse = path_known ? MHD_HTTP_METHOD_NOT_ALLOWED :
		    MHD_HTTP_NOT_FOUND;
		c->reason = path_known ? "method not allowed" : "no such path";
		return;
	}
	if (c->route->content_type && !type_is(MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
	    c->route->content_type)) {
		c->refuse = MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
		c->reason = c->route->content_type;
		return;
	}
	len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len && strtoull(len, NULL, 10) > HTTP_MAX_BODY) {
		c->refuse = MHD_HTTP_CONTENT_TOO_LARGE;
		c->reason = "request body larger than 64 KiB";
	}
}

/* The client's address as text into out, or "" when it has none. */
static void
peer_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = i ? i->client_addr : NULL;

	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, out, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, out, (socklen_t)n);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http *h = cls;
	struct http_call *c = *con_cls;
	struct http_request rq = { 0 };
	struct http_response rs = { 0 };
	char peer[INET6_ADDRSTRLEN];
	enum MHD_Result ret;

	(void)version;
	url = under_base(h, url);
	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		*con_cls = c;
		route(h, conn, method, url, c);
		/*
		 * Refuse at once, before the body is read: MHD answers and
		 * closes the connection rather than buffer what nobody wants.
		 */
		if (c->refuse)
			return refuse(h, conn, c->route ? c->route->name :
			    "none", c->refuse, c->reason);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!c->refuse && !c->too_large) {
			if (c->body.len + *upload_size > HTTP_MAX_BODY)
				c->too_large = true;
			else
				buf_add(&c->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->too_large)
		return refuse(h, conn, c->route->name,
		    MHD_HTTP_CONTENT_TOO_LARGE,
		    "request body larger than 64 KiB");
	rq.method = method;
	rq.path = url;
	rq.body = c->body.s ? c->body.s : "";
	rq.len = c->body.len;
	rq.conn = conn;
	peer_address(conn, peer, sizeof(peer));
	rq.peer = peer;
	if (c->first_ms == 0)
		c->first_ms = util_mono_ms();
	rq.waited_ms = util_mono_ms() - c->first_ms;
	rq.state = &c->state;
	c->route->handler(h->ctx, &rq, &rs);
	if (rs.retry_ms > 0) {
		/* called again from the loop's timer (http_timeout_ms) */
		free(rs.body);
		c->conn = conn;
		c->retry_at = util_mono_ms() + rs.retry_ms;
		c->next = h->suspended;
		h->suspended = c;
		MHD_suspend_connection(conn);
		return MHD_YES;
	}
	if (rs.status == 0)
		rs.status = 500;
	ret = answer_with(h, conn, c->route->name, rs.status,
	    rs.content_type, rs.body, rs.len, &rs);
	free(rs.body);
	free(rs.disposition);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct http_call *c = *con_cls;

	(void)conn;
	(void)toe;
	if (c == NULL)
		return;
	unsuspend(h, c);
	if (c->state && h->free_state)
		h->free_state(h->ctx, c->state);
	buf_free(&c->body);
	free(c);
	*con_cls = NULL;
}

/*
 * Paths are matched exactly as sent: no %-decoding, so that "%00" or
 * "%2F" never turns into a route.  No route has an escape in it.
 */
static size_t
on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;	/* client misbehaviour is answered, not logged */
}

/* Parses "host:port" or "[v6]:port" into addr. */
static int
parse_listen(const char *listen, struct sockaddr_storage *addr,
    socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	unsigned long port;
	char *end;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port > 65535)
		return -EINVAL;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(addr, 0, sizeof(*addr));
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
		size_t hl = strlen(host);

		if (hl < 3 || host[hl - 1] != ']')
			return -EINVAL;
		host[hl - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return -EINVAL;
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)addr;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -EINVAL;
		*len = sizeof(*a4);
	}
	return 0;
}

/*
 * The connection limit for the current descriptor limit: HTTP_FD_RESERVE
 * below it, or half of it when it is small; never above
 * HTTP_CONNECTION_LIMIT.
 */
static unsigned
connection_limit(void)
{
	struct rlimit rl;
	rlim_t n;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return HTTP_CONNECTION_LIMIT;
	n = rl.rlim_cur > 2 * HTTP_FD_RESERVE ? rl.rlim_cur - HTTP_FD_RESERVE :
	    rl.rlim_cur / 2;
	if (n < 1)
		n = 1;
	return n < HTTP_CONNECTION_LIMIT ? (unsigned)n : HTTP_CONNECTION_LIMIT;
}

int
http_new(struct http **out, const char *listen, int fd,
    const struct http_route *routes, size_t nroutes, void *ctx,
    void (*on_answer)(void *ctx, const char *route, int status),
    char **why)
{
	struct sockaddr_storage addr;
	socklen_t alen = 0;
	struct http *h;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME;

	if (fd < 0 && parse_listen(listen, &addr, &alen) < 0) {
		*why = xasprintf("cannot listen on '%s': not host:port", listen);
		return -EINVAL;
	}
	if (fd < 0 && addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = xcalloc(1, sizeof(*h));
	h->routes = routes;
	h->nroutes = nroutes;
	h->ctx = ctx;
	h->base = xstrdup("");
	h->on_answer = on_answer;
	h->limit = connection_limit();
	{
		/* the same limits either way; only where to listen differs */
		struct MHD_OptionItem opts[] = {
			fd >= 0 ? (struct MHD_OptionItem){
			    MHD_OPTION_LISTEN_SOCKET, fd, NULL } :
			    (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
			    &addr },
			{ MHD_OPTION_CONNECTION_LIMIT, h->limit, NULL },
			{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->limit <
			    HTTP_PER_IP_LIMIT ? h->limit : HTTP_PER_IP_LIMIT,
			    NULL },
			{ MHD_OPTION_CONNECTION_TIMEOUT,
			    HTTP_CONNECTION_TIMEOUT_S, NULL },
			{ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			    HTTP_MAX_HEADERS_BYTES, NULL },
			{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed,
			    h },
			{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, h },
			{ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)on_unescape,
			    h },
			{ MHD_OPTION_END, 0, NULL },
		};

		h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
		    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	}
	if (h->mhd == NULL) {
		*why = xasprintf("cannot listen on '%s': %s", fd >= 0 ?
		    "the socket passed by systemd" : listen, strerror(errno));
		free(h->base);
		free(h);
		return -EADDRINUSE;
	}
	*out = h;
	return 0;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	resume_due(h, true);
	MHD_stop_daemon(h->mhd);
	free(h->base);
	free(h);
}

unsigned
http_port(const struct http *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->mhd,
	    MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : 0;
}

int
http_fd(const struct http *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

unsigned
http_connection_limit(const struct http *h)
{
	return h->limit;
}

static unsigned
connections(const struct http *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->mhd,
	    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i ? i->num_connections : 0;
}

/*
 * Runs libmicrohttpd, and notes whether it was at its limit before or
 * after: then it is run again soon, until a run that starts and ends
 * below the limit has put the listening socket back.
 */
void
http_run(struct http *h)
{
	bool before = connections(h) + 1 >= h->limit;

	resume_due(h, false);
	MHD_run(h->mhd);
	h->at_limit = before || connections(h) + 1 >= h->limit;
}

void
http_wake(struct http *h)
{
	resume_due(h, true);
	/* the first run calls the handlers again, the second sends */
	http_run(h);
	http_run(h);
}

int64_t
http_timeout_ms(struct http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	int64_t t = -1, now = util_mono_ms();

	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		t = (int64_t)ms;
	if (h->at_limit && (t < 0 || t > HTTP_AT_LIMIT_MS))
		t = HTTP_AT_LIMIT_MS;
	for (const struct http_call *c = h->suspended; c; c = c->next) {
		int64_t due = c->retry_at > now ? c->retry_at - now : 0;

		if (t < 0 || due < t)
			t = due;
	}
	return t;
}

const char *
http_header(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *
http_query(const struct http_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

void
http_set_answer_body(struct http *h, void (*fn)(void *ctx, const char *route,
    int status, const char *type, const char *body))
{
	h->on_answer_body = fn;
}

void
http_set_base(struct http *h, const char *base, bool only)
{
	free(h->base);
	h->base = xstrdup(base);
	h->base_only = only && *base != '\0';
}

void
http_set_state_free(struct http *h, void (*fn)(void *ctx, void *state))
{
	h->free_state = fn;
}
