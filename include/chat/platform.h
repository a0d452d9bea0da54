/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * platform.h - the table of chat platforms: one row a platform, exported
 * by the platform's own file (slack.c, mattermost.c, teams.c, webhook.c)
 * and listed once in platform.c.  A row says everything the rest of
 * printgate needs to know of its platform:
 *
 *   - what the configuration reads for it (struct config_platform: the
 *     notify type, the people key, the http secret setting), handed to
 *     config_load() as platform_configs;
 *   - how it formats a notice for a channel (format), and, for a
 *     platform whose buttons call printgated back, what the buttons carry
 *     (buttons), or how its deliveries are signed (sign);
 *   - its routes on the listener (path, method, content type, and the
 *     verify, parse and answer steps), which routes.c serves without
 *     knowing which platform it serves.
 *
 * A platform with only an outgoing side has no routes; one whose
 * deliveries go to each person asked rather than to a channel says so
 * with per_person.
 */
#ifndef PRINTGATE_PLATFORM_H
#define PRINTGATE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/inbound.h"
#include "chat/notice.h"
#include "core/config.h"

/* A request to one of a platform's routes, as the route's steps see it. */
struct platform_request {
	const char *body;	/* raw, NUL-terminated for convenience */
	size_t len;
	/* a request header (NULL when absent) */
	const char *(*header)(const void *conn, const char *name);
	const void *conn;
	/* the platform's secret, read from its secret_setting's file */
	const char *secret;
	int64_t now;		/* unix seconds */
	const struct platform_listener *ls;
};

/* What a route answers; the listener sends it. */
struct platform_answer {
	int status;
	const char *content_type;	/* NULL: text/plain */
	char *body;			/* owned by the answer */
};

/* What a decision came to, for the platform's answer. */
struct platform_outcome {
	int status;		/* 200, or the refusal's */
	const char *text;	/* for people: what happened, or why not */
	bool recorded;		/* a new ledger line */
	bool repeat;		/* a replay of a request handled before */
	bool approved;		/* the review is approved now */
	const char *review;	/* "print/q1@<commit>", or NULL */
	/* nothing recorded: the person's own link to the page, to say what
	 * must change there; shown to them alone, or NULL */
	const char *link;
};

/*
 * What the listener does for a route's answer (routes.c, decide.c).
 * Strings in an outcome stay the listener's until the answer returns.
 */
struct platform_listener {
	void *ctx;
	/*
	 * Records in's decision by the platform user in->user; idem is what
	 * makes the request unique on its platform (an action id, a
	 * webhook-id), or NULL.
	 */
	void (*decide)(void *ctx, const struct inbound *in, const char *idem,
	    struct platform_outcome *out);
	/*
	 * The answer to a command that reads (status, pending, who, help),
	 * with *status 200, or 403 from a user who is no person printgate
	 * knows; the caller frees it.
	 */
	char *(*command)(void *ctx, const struct inbound *in, int *status);
	/* Queues a POST of body to a response_url the platform gave. */
	void (*post_back)(void *ctx, const char *url, const char *body,
	    const char *review, const char *what);
	/*
	 * The message about the review the last decide() was about, as it
	 * stands now, in the platform's format (for updating the message a
	 * button was on); NULL when there is none.  The caller frees it.
	 */
	char *(*render)(void *ctx);
};

/*
 * One route of a platform on the listener.  The listener checks method,
 * path, content type and length (http.c), then: the platform has no
 * secret configured, refuse(404); verify fails, refuse(401); parse
 * fails, refuse(400); else answer.  A refusal changes nothing.
 */
struct platform_route {
	const char *method;		/* "POST" */
	const char *path;		/* "/slack/actions" */
	const char *content_type;	/* required media type */
	const char *name;		/* for metrics: "slack_actions" */
	/*
	 * Checks the request over its raw body, before anything is parsed:
	 * 0, or a negative code with *why for the refusal; NULL when the
	 * platform signs nothing before the body is parsed (the answer
	 * checks what there is to check).
	 */
	int (*verify)(const struct platform_request *rq, char **why);
	/* The parser of the verified body (inbound.h). */
	int (*parse)(const char *body, size_t len, struct inbound *out,
	    char **why);
	/* The answer to the parsed request in, which it may take from. */
	void (*answer)(const struct platform_request *rq, struct inbound *in,
	    struct platform_answer *out);
	/*
	 * A refusal with status and why in the route's format; it may
	 * answer another status (Slack shows a person only a 200's body).
	 */
	void (*refuse)(int status, const char *why,
	    struct platform_answer *out);
};

/* What a platform's buttons carry back to printgated. */
struct platform_buttons {
	char *url;		/* where they post; the caller frees it */
	char token[3][65];	/* approve, with changes, changes required */
};

struct platform {
	/* what config_load() reads for it: name (the notify type),
	 * person_key, secret_setting, flags */
	struct config_platform conf;
	const char *title;	/* for people: "Slack", "the API" */
	/*
	 * The ledger's via for its decisions, and what its event ids are
	 * derived under: "slack" (via "slack:U04ALICE"), "api" (via "api"
	 * when via_user is false).
	 */
	const char *via;
	bool via_user;
	/*
	 * Whether in->user_alt is an id that cannot be renamed to someone
	 * else's (Teams' Azure AD object id) and so maps a person too.
	 */
	bool user_alt_stable;
	/*
	 * How its people type a command ("/printgate", "@printgate"), for
	 * answers that tell them one; NULL for a platform of programs (the
	 * API), whose changes-required without a comment is recorded as
	 * sent.  A person in chat is asked what must change instead.
	 */
	const char *command;
	/*
	 * Whether its answers are seen by the whole channel (a Teams
	 * outgoing webhook's reply): they never carry a personal link,
	 * which would let anyone there decide as the person it names.
	 */
	bool answers_public;
	/* The body of a delivery of n; the caller frees it. */
	char *(*format)(const struct notice *n);
	/* one delivery per person asked (n->to set), not one per channel */
	bool per_person;
	/*
	 * What the buttons of a message about review carry, from the public
	 * URL and the platform's secret; NULL when its buttons call nothing.
	 */
	void (*buttons)(const char *public_url, const char *secret,
	    const char *review, struct platform_buttons *out);
	/*
	 * The headers that sign a delivery of body with id at ts under
	 * secret (a signed platform's secret_file) into headers[], at most
	 * PLATFORM_MAX_SIGN_HEADERS; NULL when its deliveries are unsigned.
	 */
	size_t (*sign)(const char *secret, const char *id, int64_t ts,
	    const char *body, size_t len, char **headers);
	const struct platform_route *routes;
	size_t nroutes;
	/*
	 * For a platform that sends mail: the envelope recipient of a body
	 * its format made, into *out (the caller frees); 0 or -EINVAL.
	 */
	int (*recipient)(const char *body, size_t len, char **out);
};

#define PLATFORM_MAX_SIGN_HEADERS 3

/* The table (platform.c), in the order their settings are read. */
extern const struct platform *const platform_table[];
extern const size_t platform_count;
/* The same rows as config_load() takes them. */
extern const struct config_platforms platform_configs;

/* The row a config's platform (one of platform_configs) belongs to. */
const struct platform *platform_of(const struct config_platform *conf);
/* The row named name, or NULL. */
const struct platform *platform_find(const char *name);

/* The answers shared by the routes are in chat/answer.h. */

#endif
