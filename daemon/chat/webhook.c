/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * webhook.c - the body of a generic webhook for a notice: a Standard
 * Webhooks event, {"type": "printgate.review-requested", "timestamp",
 * "data"}, whose data is the notice as facts for programs rather than
 * words for people.  Fields a notice does not have are left out.
 *
 * The signature headers (webhook-id, webhook-timestamp, webhook-signature)
 * are made when the body is sent (webhook_sign()).  Strings are made
 * valid UTF-8 (JSON must be) and capped like everything from outside.
 *
 * And the signed API, POST /api/v1/decisions: Standard Webhooks in too
 * (verify_webhook()), its parser and its JSON answer; and the row of the
 * platform table ("webhook" as a notify type, people named by their id).
 */
#include "chat/webhook.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/answer.h"
#include "chat/inbound.h"
#include "core/util.h"
#include "core/verify.h"

/* Caps on the strings, in characters. */
#define ID_MAX_CHARS 256
#define TAG_MAX_CHARS 1024
#define PATH_MAX_CHARS 4096
#define URL_MAX_CHARS 8192

/* Sets key to raw made valid UTF-8, unless raw is NULL. */
static void
webhook_set(json_t *o, const char *key, const char *raw, size_t max,
    bool multiline)
{
	char *s = notice_text(raw, max, multiline);

	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
	free(s);
}

/* "printgate.review-requested": the kind's name with '-' for ' '. */
static char *
webhook_type(enum notice_kind kind)
{
	const char *name = notice_kind_name(kind);
	char *type = xasprintf("printgate.%s", name ? name : "notice");

	for (char *p = type; *p; p++)
		if (*p == ' ')
			*p = '-';
	return type;
}

static json_t *
webhook_files(const struct notice *n)
{
	size_t more, listed = notice_files_listed(n, &more);
	json_t *files = json_array();

	for (size_t i = 0; i < listed; i++) {
		const struct notice_file *f = &n->files[i];
		json_t *o = json_object();
		char status[2] = { f->status ? f->status : '?', '\0' };

		webhook_set(o, "path", f->path ? f->path : "", PATH_MAX_CHARS,
		    false);
		webhook_set(o, "status", status, 1, false);
		webhook_set(o, "url", f->url, URL_MAX_CHARS, false);
		json_array_append_new(files, o);
	}
	return files;
}

static json_t *
webhook_rules(const struct notice *n)
{
	json_t *rules = json_array();

	for (size_t i = 0; n->rules != NULL && i < n->nrules; i++) {
		const struct notice_rule *r = &n->rules[i];
		json_t *o = json_object();

		webhook_set(o, "name", r->name ? r->name : "", ID_MAX_CHARS,
		    false);
		webhook_set(o, "group", r->group, ID_MAX_CHARS, false);
		json_object_set_new(o, "approvals",
		    json_integer(r->approvals));
		json_object_set_new(o, "required", json_integer(r->required));
		json_object_set_new(o, "met", json_boolean(r->met));
		json_object_set_new(o, "blocked", json_boolean(r->blocked));
		webhook_set(o, "again", r->again, NOTICE_MAX_TEXT, false);
		json_array_append_new(rules, o);
	}
	return rules;
}

static json_t *
webhook_asked(const struct notice *n)
{
	size_t shown = n->asked ? n->nasked : 0;
	json_t *asked = json_array();

	if (shown > NOTICE_MAX_PEOPLE)
		shown = NOTICE_MAX_PEOPLE;
	for (size_t i = 0; i < shown; i++) {
		char *id = notice_text(n->asked[i].id, ID_MAX_CHARS, false);

		if (id != NULL)
			json_array_append_new(asked, json_string(id));
		free(id);
	}
	return asked;
}

/*
 * Returns the event's body, which the caller frees, or NULL when memory
 * runs out.
 */
char *
webhook_format(const struct notice *n)
{
	json_t *data = json_object(), *root;
	size_t more, listed = notice_files_listed(n, &more);
	char *type = webhook_type(n->kind), *out;
	char at[21];

	webhook_set(data, "event_id", n->event_id, ID_MAX_CHARS, false);
	webhook_set(data, "review", n->review, TAG_MAX_CHARS, false);
	webhook_set(data, "tag", n->tag, TAG_MAX_CHARS, false);
	webhook_set(data, "commit", n->commit, ID_MAX_CHARS, false);
	webhook_set(data, "base_tag", n->base_tag, TAG_MAX_CHARS, false);
	webhook_set(data, "deadline", n->deadline, ID_MAX_CHARS, false);
	if (listed + more > 0) {
		json_object_set_new(data, "files", webhook_files(n));
		json_object_set_new(data, "files_total",
		    json_integer((json_int_t)(listed + more)));
	}
	if (n->rules != NULL && n->nrules > 0)
		json_object_set_new(data, "rules", webhook_rules(n));
	if (n->asked != NULL && n->nasked > 0)
		json_object_set_new(data, "asked", webhook_asked(n));
	if (n->by != NULL)
		webhook_set(data, "by", n->by->id, ID_MAX_CHARS, false);
	webhook_set(data, "decision", n->decision, ID_MAX_CHARS, false);
	webhook_set(data, "comment", n->comment, NOTICE_MAX_TEXT, true);
	webhook_set(data, "reason", n->reason, NOTICE_MAX_TEXT, true);
	if (n->kind == NOTICE_APPROVED)
		json_object_set_new(data, "auto_release",
		    json_boolean(n->auto_release));

	util_rfc3339(n->at, at);
	root = json_pack("{s:s, s:s, s:o}", "type", type, "timestamp", at,
	    "data", data);
	out = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	free(type);
	return out;
}

/* ------------------------------------------------------------------ */
/* Inbound: POST /api/v1/decisions                                     */

/*
 * {"tag": "print/q1", "person": "alice", "decision": "approve",
 * "comment": "…"}, or "commit" for "tag": a decision a program records
 * on someone's behalf, signed with the API secret.  Fields this version
 * does not know are ignored, so that callers can send more.
 */
int
webhook_parse_decision(const char *body, size_t len, struct inbound *out,
    char **why)
{
	struct inbound in = { .kind = INBOUND_DECIDE };
	json_t *root, *tag, *commit;
	const char *decision;
	char *d = NULL, q[48];
	int error;

	if ((error = inbound_json_body(body, len, &root, why)) < 0)
		return error;
	tag = json_object_get(root, "tag");
	commit = json_object_get(root, "commit");
	if (json_is_null(tag))
		tag = NULL;
	if (json_is_null(commit))
		commit = NULL;
	if ((tag == NULL) == (commit == NULL)) {
		error = inbound_fail(why, "give exactly one of 'tag' and "
		    "'commit'");
		goto done;
	}
	if ((error = inbound_json_str(root, tag ? "tag" : "commit",
	    tag ? "'tag'" : "'commit'", true, false, INBOUND_FIELD_TARGET,
	    &in.target, why)) < 0 ||
	    (error = inbound_json_str(root, "person", "'person'", true, false,
	    INBOUND_FIELD_ID, &in.user, why)) < 0 ||
	    (error = inbound_json_str(root, "decision", "'decision'", true,
	    false, INBOUND_FIELD_ID, &d, why)) < 0)
		goto done;
	if ((decision = inbound_decision(d, true)) == NULL) {
		error = inbound_fail(why, "'decision' is '%s', not approve, "
		    "approve-with-changes or changes-required",
		    inbound_quote(d, q, sizeof(q)));
		goto done;
	}
	in.decision = xstrdup(decision);
	if ((error = inbound_json_str(root, "comment", "'comment'", false,
	    false, INBOUND_FIELD_COMMENT, &in.comment, why)) < 0)
		goto done;
	*out = in;
	memset(&in, 0, sizeof(in));
done:
	inbound_clear(&in);
	json_decref(root);
	free(d);
	return error;
}

/* ------------------------------------------------------------------ */
/* Signing deliveries, the API's answer and its route                  */

/* The Standard Webhooks headers of a delivery (the row's sign). */
static size_t
webhook_sign(const char *secret, const char *id, int64_t ts,
    const char *body, size_t len, char **headers)
{
	char *sig = verify_webhook_sign(secret, id, (long long)ts, body, len);

	headers[0] = xasprintf("webhook-id: %s", id);
	headers[1] = xasprintf("webhook-timestamp: %lld", (long long)ts);
	headers[2] = xasprintf("webhook-signature: %s", sig);
	free(sig);
	return 3;
}

char *
webhook_answer(bool recorded, const char *review, bool approved,
    const char *text)
{
	json_t *o = json_object();

	if (review == NULL) {
		json_object_set_new(o, "error", answer_str(text));
		return answer_dump(o);
	}
	json_object_set_new(o, "recorded", json_boolean(recorded));
	json_object_set_new(o, "review", answer_str(review));
	json_object_set_new(o, "approved", json_boolean(approved));
	json_object_set_new(o, "text", answer_str(text));
	return answer_dump(o);
}

static int
webhook_route_verify(const struct platform_request *rq, char **why)
{
	return verify_webhook(rq->secret, rq->header(rq->conn, "webhook-id"),
	    rq->header(rq->conn, "webhook-timestamp"), rq->header(rq->conn,
	    "webhook-signature"), rq->body, rq->len, rq->now, why);
}

/* The decision, made unique by its webhook-id. */
static void
webhook_answer_decision(const struct platform_request *rq,
    struct inbound *in, struct platform_answer *out)
{
	const struct platform_listener *ls = rq->ls;
	struct platform_outcome o = { 0 };

	ls->decide(ls->ctx, in, rq->header(rq->conn, "webhook-id"), &o);
	if (o.status == 200)
		platform_answer_json(out, 200, webhook_answer(o.recorded,
		    o.review, o.approved, o.text));
	else
		platform_answer_json(out, o.status, webhook_answer(false, NULL,
		    false, o.text));
}

static void
webhook_refuse(int status, const char *why, struct platform_answer *out)
{
	platform_answer_json(out, status, webhook_answer(false, NULL, false,
	    why));
}

static const struct platform_route webhook_routes[] = {
	{ "POST", "/api/v1/decisions", "application/json", "api_decisions",
	    webhook_route_verify, webhook_parse_decision,
	    webhook_answer_decision, webhook_refuse },
};

const struct platform webhook_platform = {
	.conf = { .name = "webhook", .person_key = "id",
	    .secret_setting = "api_secret_file",
	    .flags = CONFIG_PLATFORM_SIGNED },
	.title = "the API",
	.via = "api",
	.via_user = false,
	.format = webhook_format,
	.sign = webhook_sign,
	.routes = webhook_routes,
	.nroutes = ARRAY_SIZE(webhook_routes),
};
