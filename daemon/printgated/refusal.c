/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * refusal.c - the log line of a refused request (see refusal.h).  The
 * reason is read back from the answer itself, so that what is logged is
 * what the caller was told, whichever route or platform format it took.
 */
#include "printgated/refusal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"

/* Copies s into out (size n), control characters as spaces, cut. */
static void
reason_copy(const char *s, char *out, size_t n)
{
	size_t i = 0;

	for (; *s && i + 1 < n; s++)
		out[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	while (i > 0 && out[i - 1] == ' ')
		i--;
	out[i] = '\0';
	if (*s && n > 4) {
		memcpy(out + n - 4, "...", 4);
	}
	if (i == 0 && n > 1)
		snprintf(out, n, "-");
}

void
refusal_reason(const char *type, const char *body, char *out, size_t n)
{
	static const char *const members[] = { "text", "error",
	    "ephemeral_text" };
	char buf[REFUSAL_MAX_REASON + 1];

	if (n > sizeof(buf))
		n = sizeof(buf);
	if (body == NULL || *body == '\0') {
		snprintf(out, n, "-");
		return;
	}
	if (type && str_startswith(type, "application/json")) {
		json_t *j = json_loads(body, 0, NULL);
		const char *s = NULL;

		for (size_t i = 0; j && !s && i < ARRAY_SIZE(members); i++)
			s = json_string_value(json_object_get(j, members[i]));
		reason_copy(s ? s : "-", out, n);
		json_decref(j);
		return;
	}
	/*
	 * an error page: its title only (the page around it may hold a
	 * link, and a link's token is never logged)
	 */
	if (type && str_startswith(type, "text/html")) {
		const char *t = strstr(body, "<title>"), *e;

		t = t ? t + strlen("<title>") : NULL;
		e = t ? strstr(t, "</title>") : NULL;
		if (e && (size_t)(e - t) < sizeof(buf)) {
			memcpy(buf, t, (size_t)(e - t));
			buf[e - t] = '\0';
			reason_copy(buf, out, n);
		} else
			reason_copy("-", out, n);
		return;
	}
	/* text answers are "NNN reason" */
	if (strlen(body) > 4 && body[3] == ' ' && body[0] >= '1' &&
	    body[0] <= '5')
		body += 4;
	reason_copy(body, out, n);
}

void
refusal_log(const char *route, int status, const char *type,
    const char *body, const char *user)
{
	char reason[REFUSAL_MAX_REASON + 1];

	if (status < 400)
		return;
	refusal_reason(type, body, reason, sizeof(reason));
	if (user && *user)
		log_warnx("refuse %s %d: %s (user %s)", route, status, reason,
		    user);
	else
		log_warnx("refuse %s %d: %s", route, status, reason);
}
