/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * answer.c - printgated's answers to the chat platforms' requests, each in
 * the platform's own JSON (jansson).  Pure: text in, JSON out.
 */
#include "chat/answer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chat/notice.h"
#include "core/util.h"

static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s ? s : xstrdup("{}");
}

/* Text that is not UTF-8 becomes "?" rather than vanishing. */
static json_t *
str(const char *s)
{
	json_t *v = json_string(s ? s : "");

	return v ? v : json_string("?");
}

static json_t *
text_or_code(const char *text, bool code)
{
	json_t *v;
	char *t;

	if (!code)
		return str(text);
	t = xasprintf("```\n%s```", text);
	v = str(t);
	free(t);
	return v;
}

char *
answer_slack_text(const char *text, bool code)
{
	json_t *o = json_object();

	json_object_set_new(o, "response_type", json_string("ephemeral"));
	json_object_set_new(o, "replace_original", json_false());
	json_object_set_new(o, "text", text_or_code(text, code));
	return dump(o);
}

char *
answer_slack_update(const char *message)
{
	json_t *o = json_loads(message, 0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		return answer_slack_text("printgate: cannot render the update",
		    false);
	}
	json_object_set_new(o, "replace_original", json_true());
	return dump(o);
}

char *
answer_mattermost_action(const char *ephemeral, const char *message)
{
	json_t *o = json_object(), *m = message ? json_loads(message, 0,
	    NULL) : NULL;

	if (json_is_object(m)) {
		json_t *u = json_object(), *props = json_object();
		json_t *att = json_object_get(m, "attachments");

		json_object_set(u, "message", json_object_get(m, "text") ?
		    json_object_get(m, "text") : json_string(""));
		if (att)
			json_object_set(props, "attachments", att);
		json_object_set_new(u, "props", props);
		json_object_set_new(o, "update", u);
	}
	json_decref(m);
	json_object_set_new(o, "ephemeral_text", str(ephemeral));
	return dump(o);
}

char *
answer_mattermost_text(const char *text, bool code)
{
	json_t *o = json_object();

	json_object_set_new(o, "response_type", json_string("ephemeral"));
	json_object_set_new(o, "text", text_or_code(text, code));
	return dump(o);
}

/*
 * A Teams outgoing webhook's reply is posted in the channel, for all to
 * see: a tag or path in it must mention no one.
 */
char *
answer_teams_text(const char *text, bool code)
{
	json_t *o = json_object();
	char *t = NULL, *safe = notice_defuse(text ? text : "");

	json_object_set_new(o, "type", json_string("message"));
	if (code) {
		/* Teams renders <pre> in outgoing webhook replies */
		t = xasprintf("<pre>%s</pre>", safe);
		json_object_set_new(o, "text", str(t));
		free(t);
	} else
		json_object_set_new(o, "text", str(safe));
	free(safe);
	return dump(o);
}

char *
answer_api(bool recorded, const char *review, bool approved,
    const char *text)
{
	json_t *o = json_object();

	if (review == NULL) {
		json_object_set_new(o, "error", str(text));
		return dump(o);
	}
	json_object_set_new(o, "recorded", json_boolean(recorded));
	json_object_set_new(o, "review", str(review));
	json_object_set_new(o, "approved", json_boolean(approved));
	json_object_set_new(o, "text", str(text));
	return dump(o);
}
