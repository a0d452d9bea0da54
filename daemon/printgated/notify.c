/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify.c - outbound HTTP through libcurl's multi interface and its socket
 * API (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION), so that any number
 * of deliveries run concurrently inside printgated's one event loop.  The
 * only file that includes libcurl.
 */
#include "printgated/notify.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

#define NOTIFY_KEEP_BODY 256	/* bytes of an answer kept for the log */

struct transfer {
	struct transfer *next, *prev;	/* every transfer under way */
	CURL *easy;
	char *id;
	char *body;
	struct curl_slist *headers;
	struct buf answer;
	char errbuf[CURL_ERROR_SIZE];
	/* a message to a mail server: its recipients, what is read of it */
	struct curl_slist *rcpt;
	size_t len, sent;
	bool mail;
};

struct notify {
	CURLM *multi;
	struct notify_callbacks cb;
	size_t inflight;
	struct transfer *transfers;
};

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct notify *n = userp;
	int w = 0;

	(void)easy;
	(void)sockp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		w |= NOTIFY_IN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		w |= NOTIFY_OUT;
	n->cb.watch(n->cb.ctx, (int)fd, what == CURL_POLL_REMOVE ? 0 : w);
	return 0;
}

static int
on_timer(CURLM *multi, long ms, void *userp)
{
	struct notify *n = userp;

	(void)multi;
	n->cb.timer(n->cb.ctx, ms);
	return 0;
}

static size_t
on_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct transfer *t = userp;
	size_t len = size * nmemb;

	if (t->answer.len < NOTIFY_KEEP_BODY)
		buf_add(&t->answer, data, len < NOTIFY_KEEP_BODY ? len :
		    NOTIFY_KEEP_BODY);
	return len;
}

int
notify_new(struct notify **out, const struct notify_callbacks *cb)
{
	struct notify *n;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -EIO;
	n = xcalloc(1, sizeof(*n));
	n->cb = *cb;
	if ((n->multi = curl_multi_init()) == NULL) {
		free(n);
		return -ENOMEM;
	}
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	/*
	 * No per-host cap: channels share hosts (every Slack webhook is on
	 * one), and a stalled transfer must not queue the others behind it.
	 * printgated caps transfers in flight as a whole.
	 */
	curl_multi_setopt(n->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
	/* keep a few idle connections for reuse, not one per transfer */
	curl_multi_setopt(n->multi, CURLMOPT_MAXCONNECTS, 8L);
	*out = n;
	return 0;
}

static void
transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	free(t->id);
	free(t->body);
	curl_slist_free_all(t->headers);
	curl_slist_free_all(t->rcpt);
	buf_free(&t->answer);
	free(t);
}

static void
unlink_transfer(struct notify *n, struct transfer *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		n->transfers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	n->inflight--;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	while (n->transfers) {
		struct transfer *t = n->transfers;

		unlink_transfer(n, t);
		curl_multi_remove_handle(n->multi, t->easy);
		curl_easy_cleanup(t->easy);
		transfer_free(t);
	}
	curl_multi_cleanup(n->multi);
	free(n);
}

/* Adds t to the transfers under way, or frees it: 0 or -EIO. */
static int
transfer_start(struct notify *n, struct transfer *t, CURL *easy)
{
	if (curl_multi_add_handle(n->multi, easy) != CURLM_OK) {
		curl_easy_cleanup(easy);
		transfer_free(t);
		return -EIO;
	}
	t->easy = easy;
	t->next = n->transfers;
	if (n->transfers)
		n->transfers->prev = t;
	n->transfers = t;
	n->inflight++;
	return 0;
}

int
notify_send(struct notify *n, const char *id, const char *url,
    const char *const *headers, size_t nheaders, const char *body,
    size_t len)
{
	struct transfer *t = xcalloc(1, sizeof(*t));
	CURL *easy = curl_easy_init();

	if (easy == NULL) {
		free(t);
		return -ENOMEM;
	}
	t->id = xstrdup(id);
	t->body = xstrndup(body, len);
	t->headers = curl_slist_append(NULL,
	    "Content-Type: application/json; charset=utf-8");
	t->headers = curl_slist_append(t->headers, "Expect:");
	for (size_t i = 0; i < nheaders && i < NOTIFY_MAX_HEADERS; i++)
		t->headers = curl_slist_append(t->headers, headers[i]);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_POST, 1L);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "printgate/1");
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)NOTIFY_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	return transfer_start(n, t, easy);
}

void
notify_mail_clear(struct notify_mail *m)
{
	if (m == NULL)
		return;
	free(m->from);
	free(m->rcpt);
	if (m->username)
		explicit_bzero(m->username, strlen(m->username));
	if (m->password)
		explicit_bzero(m->password, strlen(m->password));
	free(m->username);
	free(m->password);
	memset(m, 0, sizeof(*m));
}

/* libcurl reads the message to upload from here. */
static size_t
on_read(char *data, size_t size, size_t nmemb, void *userp)
{
	struct transfer *t = userp;
	size_t n = size * nmemb;

	if (n > t->len - t->sent)
		n = t->len - t->sent;
	memcpy(data, t->body + t->sent, n);
	t->sent += n;
	return n;
}


int
notify_send_mail(struct notify *n, const char *id, const char *url,
    const struct notify_mail *m, const char *message, size_t len)
{
	struct transfer *t = xcalloc(1, sizeof(*t));
	CURL *easy = curl_easy_init();

	if (easy == NULL) {
		free(t);
		return -ENOMEM;
	}
	t->id = xstrdup(id);
	t->body = xstrndup(message, len);
	t->len = len;
	t->mail = true;
	t->rcpt = curl_slist_append(NULL, m->rcpt);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(easy, CURLOPT_USE_SSL, m->tls_optional ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(easy, CURLOPT_MAIL_FROM, m->from);
	curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, t->rcpt);
	if (m->username) {
		curl_easy_setopt(easy, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, m->password);
	}
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(easy, CURLOPT_READDATA, t);
	curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)NOTIFY_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
	return transfer_start(n, t, easy);
}

/* Retry-After in seconds or as an HTTP date, as milliseconds from now. */
static int64_t
retry_after(CURL *easy)
{
	struct curl_header *h = NULL;
	char *end;
	long secs;
	time_t when;

	if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1,
	    &h) != CURLHE_OK)
		return 0;
	secs = strtol(h->value, &end, 10);
	if (end != h->value && *end == '\0' && secs >= 0)
		return (int64_t)secs * 1000;
	when = curl_getdate(h->value, NULL);
	if (when > 0 && when > time(NULL))
		return ((int64_t)when - time(NULL)) * 1000;
	return 0;
}

/* Reports and frees every finished transfer. */
static void
collect(struct notify *n)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(n->multi, &left)) != NULL) {
		struct notify_result res = { 0 };
		struct transfer *t = NULL;
		char *error = NULL;
		CURL *easy = msg->easy_handle;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &res.status);
		res.id = t->id;
		res.proto = t->mail ? "SMTP" : "HTTP";
		if (msg->data.result != CURLE_OK) {
			error = xasprintf("%s", t->errbuf[0] ? t->errbuf :
			    curl_easy_strerror(msg->data.result));
			/* a 5xx reply to the recipient will not change */
			res.permanent = t->mail && res.status >= 500 &&
			    msg->data.result == CURLE_SEND_ERROR;
		} else if (t->mail) {
			/* the server took the message: 250 */
		} else if (res.status < 200 || res.status > 299) {
			error = xasprintf("HTTP %ld%s%.*s", res.status,
			    t->answer.len ? ": " : "", (int)strcspn(
			    t->answer.s ? t->answer.s : "", "\r\n"),
			    t->answer.s ? t->answer.s : "");
			res.retry_after_ms = retry_after(easy);
			/*
			 * 410 Gone and other 4xx answers will not change by
			 * asking again; 408 and 429 will.
			 */
			res.permanent = res.status >= 400 && res.status < 500 &&
			    res.status != 408 && res.status != 429;
		}
		res.error = error;
		curl_multi_remove_handle(n->multi, easy);
		curl_easy_cleanup(easy);
		unlink_transfer(n, t);
		n->cb.done(n->cb.ctx, &res);
		free(error);
		transfer_free(t);
	}
}

void
notify_socket(struct notify *n, int fd, int events)
{
	int running, mask = 0;

	if (events & NOTIFY_IN)
		mask |= CURL_CSELECT_IN;
	if (events & NOTIFY_OUT)
		mask |= CURL_CSELECT_OUT;
	curl_multi_socket_action(n->multi, fd, mask, &running);
	collect(n);
}

void
notify_timeout(struct notify *n)
{
	int running;

	curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(n);
}

size_t
notify_inflight(const struct notify *n)
{
	return n->inflight;
}
