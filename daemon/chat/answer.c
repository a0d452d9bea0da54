/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * answer.c - what the platforms' answers share: JSON (jansson) turned
 * into a string, text as a code block, and the plain answers of the
 * routes.  Pure: text in, a body out.
 */
#include "chat/answer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chat/platform.h"
#include "core/util.h"

char *
answer_dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s ? s : xstrdup("{}");
}

json_t *
answer_str(const char *s)
{
	json_t *v = json_string(s ? s : "");

	return v ? v : json_string("?");
}

json_t *
answer_text_or_code(const char *text, bool code)
{
	json_t *v;
	char *t;

	if (!code)
		return answer_str(text);
	t = xasprintf("```\n%s```", text);
	v = answer_str(t);
	free(t);
	return v;
}

void
platform_answer_text(struct platform_answer *out, int status,
    const char *text)
{
	out->status = status;
	out->content_type = NULL;
	out->body = xasprintf("%s\n", text);
}

void
platform_answer_json(struct platform_answer *out, int status, char *body)
{
	out->status = status;
	out->content_type = "application/json";
	out->body = body;
}

void
platform_refuse_text(int status, const char *why,
    struct platform_answer *out)
{
	char *t = xasprintf("%d %s", status, why);

	platform_answer_text(out, status, t);
	free(t);
}

void
platform_command_or_decision(const struct platform_request *rq,
    const struct inbound *in, char *(*format)(const char *text, bool code),
    void (*refused)(const struct platform_request *rq,
    const struct inbound *in, const char *text, const char *review),
    struct platform_answer *out)
{
	const struct platform_listener *ls = rq->ls;
	struct platform_outcome o = { 0 };
	int status;
	char *t;

	if (in->kind != INBOUND_DECIDE) {
		t = ls->command(ls->ctx, in, &status);
		if (status == 403 && refused)
			refused(rq, in, t, NULL);
		platform_answer_json(out, status == 403 ? 403 : 200, format(t,
		    status != 403));
		free(t);
		return;
	}
	ls->decide(ls->ctx, in, in->action_id, &o);
	if (o.status != 200 && refused)
		refused(rq, in, o.text, o.review);
	platform_answer_json(out, o.status, format(o.text, false));
}

void
platform_refuse_with(int status, const char *why,
    char *(*format)(const char *text, bool code),
    struct platform_answer *out)
{
	if (status == 404)
		platform_refuse_text(status, why, out);
	else
		platform_answer_json(out, status, format(why, false));
}
