/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify.h - HTTP delivery with libcurl's multi interface, driven by the
 * caller's event loop: notify tells the loop which sockets to watch and
 * when to time out, the loop calls back when they are ready, and finished
 * transfers are reported through a callback.  Transfers run concurrently;
 * none blocks the loop.
 */
#ifndef PRINTGATE_NOTIFY_H
#define PRINTGATE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOTIFY_CONNECT_TIMEOUT_MS 10000
#define NOTIFY_TIMEOUT_MS 30000
#define NOTIFY_MAX_HEADERS 8

/* what the loop should watch a socket for */
#define NOTIFY_IN 0x1
#define NOTIFY_OUT 0x2

struct notify_result {
	const char *id;		/* the delivery */
	long status;		/* HTTP status or SMTP reply, 0: none */
	const char *proto;	/* "HTTP" or "SMTP", for the log */
	int64_t retry_after_ms;	/* from Retry-After, 0 when none */
	const char *error;	/* NULL on success; else for the log */
	bool permanent;		/* a retry cannot help (410, most 4xx) */
};

struct notify_callbacks {
	/* watch fd for what (NOTIFY_IN|NOTIFY_OUT), or stop when what is 0 */
	void (*watch)(void *ctx, int fd, int what);
	/* call notify_timeout() in ms (0: now), or never when ms < 0 */
	void (*timer)(void *ctx, long ms);
	void (*done)(void *ctx, const struct notify_result *res);
	void *ctx;
};

struct notify;

int notify_new(struct notify **out, const struct notify_callbacks *cb);
void notify_free(struct notify *n);
/*
 * Starts a POST of body to url with the given extra headers ("Name:
 * value"); the result comes through done.  Copies what it keeps.
 */
int notify_send(struct notify *n, const char *id, const char *url,
    const char *const *headers, size_t nheaders, const char *body,
    size_t len);

/* What a message to a mail server needs besides its smtp(s):// URL. */
struct notify_mail {
	char *from;		/* MAIL FROM */
	char *rcpt;		/* RCPT TO: one address */
	char *username;		/* or NULL: no login */
	char *password;
	bool tls_optional;	/* a loopback relay: STARTTLS when offered */
};
/* Wipes the login and frees every field; m itself is the caller's. */
void notify_mail_clear(struct notify_mail *m);
/*
 * Starts the upload of message (an RFC 5322 message with CRLF line ends)
 * to the mail server at url (smtps://, or smtp:// with STARTTLS required
 * unless m->tls_optional) from m->from to m->rcpt; the result comes
 * through done, with status the server's last reply code.  Copies what it
 * keeps.
 */
int notify_send_mail(struct notify *n, const char *id, const char *url,
    const struct notify_mail *m, const char *message, size_t len);
/* The loop saw events (NOTIFY_IN|NOTIFY_OUT) on fd. */
void notify_socket(struct notify *n, int fd, int events);
/* The timer asked for by timer() expired. */
void notify_timeout(struct notify *n);
size_t notify_inflight(const struct notify *n);

#endif
