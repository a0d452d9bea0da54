/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pageserve.c - serves the review pages rendered from fixture view-models
 * (tests/unit/fixtures/page/NAME.json, read by viewmodel.c) over
 * 127.0.0.1, with the headers printgated sends with its pages
 * (page_headers: CSP default-src 'self', no-referrer, no-store,
 * nosniff), so that the browser tests (tests/browser/) can look at them
 * as a person would before the daemon serves them itself.
 *
 *   pageserve -f FIXTURES -w PORTFILE [-p PORT]
 *
 *   GET  /r/NAME             the page of NAME.json (its status)
 *   GET  /static/printgate.css  the stylesheet
 *   GET  /favicon.ico        204: browsers ask for it, there is none
 *   POST /r/NAME/decide      a page listing the form fields it got and
 *                            the Origin header, so that a test can see
 *                            what a browser posts; nothing is recorded
 *   anything else            the 404 page
 *
 * It writes the port to PORTFILE once it listens, runs until SIGTERM or
 * SIGINT, and exits 0 then; 2 for a usage error, 1 when it cannot start.
 * A test tool: it may exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/util.h"
#include "viewmodel.h"
#include "web/html.h"
#include "web/page.h"
#include "web/style.h"

#define BODY_MAX (64 * 1024)
#define NAME_MAX_LEN 64

static const char *fixtures;
/* Queues body (taken over) with the page headers and type. */
static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *type,
    char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	for (size_t i = 0; i < page_nheaders; i++)
		MHD_add_response_header(r, page_headers[i].name,
		    page_headers[i].value);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer_page(struct MHD_Connection *conn, unsigned status, struct buf *b)
{
	size_t len = b->len;

	return answer(conn, status, "text/html; charset=utf-8", buf_steal(b),
	    len);
}

static enum MHD_Result
not_found(struct MHD_Connection *conn)
{
	struct buf b = { 0 };

	page_error(&b, 404, NULL, NULL);
	return answer_page(conn, 404, &b);
}

/* The fixture name in /r/NAME[/decide]: letters, digits, '-'. */
static bool
fixture_name(const char *url, char *out, bool *decide)
{
	size_t n;

	if (strncmp(url, "/r/", 3) != 0)
		return false;
	url += 3;
	n = strspn(url, "abcdefghijklmnopqrstuvwxyz0123456789-");
	if (n == 0 || n > NAME_MAX_LEN)
		return false;
	*decide = strcmp(url + n, "/decide") == 0;
	if (url[n] != '\0' && !*decide)
		return false;
	memcpy(out, url, n);
	out[n] = '\0';
	return true;
}

static enum MHD_Result
serve_fixture(struct MHD_Connection *conn, const char *name)
{
	char *path = xasprintf("%s/%s.json", fixtures, name), *why = NULL;
	struct viewmodel *vm = NULL;
	struct buf b = { 0 };
	int status;

	if (viewmodel_load(&vm, path, &why) < 0) {
		free(path);
		free(why);
		return not_found(conn);
	}
	free(path);
	status = viewmodel_render(vm, &b);
	viewmodel_free(vm);
	return answer_page(conn, (unsigned)status, &b);
}

/* One form field of a posted body, listed as "name = value". */
static enum MHD_Result
list_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct buf *b = cls;

	(void)kind;
	buf_adds(b, "<li><code>");
	html_texts(b, key);
	buf_adds(b, "</code> = <code>");
	html_texts(b, value ? value : "");
	buf_adds(b, "</code></li>\n");
	return MHD_YES;
}

static enum MHD_Result
serve_post(struct MHD_Connection *conn, const char *name, struct buf *body)
{
	struct buf b = { 0 };
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    "Origin");

	html_doc_begin(&b, "Received", PAGE_CSS_PATH);
	buf_adds(&b, "<main><section class=\"card\"><h1>Received</h1>\n<p>"
	    "Fixture ");
	html_texts(&b, name);
	buf_adds(&b, ", Origin <code>");
	html_texts(&b, origin ? origin : "(none)");
	buf_adds(&b, "</code></p>\n<ul class=\"fields\">\n");
	/* the form (application/x-www-form-urlencoded), decoded here */
	for (char *save = NULL, *kv = strtok_r(body->s ? body->s : (char *)"",
	    "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		for (char *p = eq + 1; *p; p++)
			if (*p == '+')
				*p = ' ';
		MHD_http_unescape(kv);
		MHD_http_unescape(eq + 1);
		list_field(&b, MHD_POSTDATA_KIND, kv, eq + 1);
	}
	buf_adds(&b, "</ul></section></main>\n");
	html_doc_end(&b);
	return answer_page(conn, 200, &b);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *data,
    size_t *size, void **state)
{
	struct buf *body = *state;
	char name[NAME_MAX_LEN + 1];
	bool decide = false;
	size_t css_len;
	const char *css;

	(void)cls;
	(void)version;
	if (strcmp(method, "POST") == 0) {
		if (body == NULL) {
			*state = xcalloc(1, sizeof(struct buf));
			return MHD_YES;
		}
		if (*size > 0) {
			if (body->len + *size > BODY_MAX)
				return MHD_NO;
			buf_add(body, data, *size);
			*size = 0;
			return MHD_YES;
		}
		if (!fixture_name(url, name, &decide) || !decide)
			return not_found(conn);
		return serve_post(conn, name, body);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return not_found(conn);
	if (strcmp(url, PAGE_CSS_PATH) == 0) {
		css = style_css(&css_len);
		return answer(conn, 200, "text/css; charset=utf-8",
		    xstrndup(css, css_len), css_len);
	}
	if (strcmp(url, "/favicon.ico") == 0)
		return answer(conn, 204, "image/x-icon", xstrdup(""), 0);
	if (fixture_name(url, name, &decide) && !decide)
		return serve_fixture(conn, name);
	return not_found(conn);
}

static void
done(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode why)
{
	struct buf *body = *state;

	(void)cls;
	(void)conn;
	(void)why;
	if (body != NULL) {
		buf_free(body);
		free(body);
	}
	*state = NULL;
}

int
main(int argc, char **argv)
{
	const char *portfile = NULL;
	long port = 0;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	FILE *fp;
	sigset_t stop;
	int c, sig;

	while ((c = getopt(argc, argv, "f:w:p:")) != -1) {
		switch (c) {
		case 'f': fixtures = optarg; break;
		case 'w': portfile = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (fixtures == NULL || portfile == NULL || port < 0 || port > 65535)
		goto usage;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* blocked before the daemon's thread starts, so that it inherits
	 * the mask and main alone takes them, in sigwait() */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, done,
	    NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "pageserve: cannot listen on 127.0.0.1:%ld\n",
		    port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || (fp = fopen(portfile, "w")) == NULL ||
	    fprintf(fp, "%u\n", info->port) < 0 || fclose(fp) != 0) {
		fprintf(stderr, "pageserve: cannot write %s\n", portfile);
		MHD_stop_daemon(d);
		return 1;
	}
	(void)sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	return 0;
usage:
	fprintf(stderr, "usage: pageserve -f FIXTURES -w PORTFILE [-p PORT]\n");
	return 2;
}
