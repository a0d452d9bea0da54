/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * inbound.c - what the parsers of inbound chat requests share: the
 * application/x-www-form-urlencoded decoder, the parser of command text
 * ("approve print/q1 looks good"), and the checks each string goes through
 * before it is copied into a struct inbound.  The platform parsers
 * themselves, which read each platform's JSON, live with that platform's
 * formats (slack.c, mattermost.c, teams.c, webhook.c); they read
 * their strings through inbound_json_str(), the only use of jansson here.
 *
 * Everything here is one pass over its input, so a body of 64 KiB costs
 * 64 KiB of work whatever it holds.
 */
#include "chat/inbound.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "core/util.h"

#define COMMIT_HEX 40
#define QUOTE_MAX 48		/* bytes of a value quoted in a reason */

void
inbound_clear(struct inbound *in)
{
	if (in == NULL)
		return;
	free(in->user);
	free(in->user_alt);
	free(in->review);
	free(in->target);
	free(in->decision);
	free(in->comment);
	free(in->path);
	free(in->action_id);
	free(in->response_url);
	free(in->token);
	memset(in, 0, sizeof(*in));
}

static const char *const kind_names[] = {
	[INBOUND_DECIDE] = "decide",
	[INBOUND_STATUS] = "status",
	[INBOUND_PENDING] = "pending",
	[INBOUND_WHO] = "who",
	[INBOUND_HELP] = "help",
	[INBOUND_OPEN] = "open",
};

const char *
inbound_kind_name(enum inbound_kind kind)
{
	return (size_t)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] :
	    NULL;
}

/* ------------------------------------------------------------------ */
/* Reasons                                                             */

int
inbound_fail(char **why, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (why == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.s[i] < 0x20 ||
		    (unsigned char)b.s[i] >= 0x7f)
			b.s[i] = '?';
	*why = buf_steal(&b);
	return -EINVAL;
}

const char *
inbound_quote(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return out;
	for (; s != NULL && s[n] != '\0' && n + 1 < size; n++)
		out[n] = (unsigned char)s[n] >= 0x20 &&
		    (unsigned char)s[n] < 0x7f ? s[n] : '?';
	/* cut short: end with "..." */
	if (s != NULL && s[n] != '\0' && n >= 3)
		memcpy(out + n - 3, "...", 3);
	out[n] = '\0';
	return out;
}

int
inbound_check_len(size_t len, char **why)
{
	if (len > INBOUND_MAX_BODY)
		return inbound_fail(why, "the body is longer than %d bytes",
		    INBOUND_MAX_BODY);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */

bool
inbound_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		size_t len = util_utf8_char(p, n, NULL);

		if (len == 0)
			return false;
		p += len;
		n -= len;
	}
	return true;
}

static bool
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

static bool
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A word: 1..max bytes, no control character, and no space unless spaces. */
static int
check_word(const char *what, const char *s, size_t len, size_t max,
    bool spaces, char **why)
{
	if (len == 0)
		return inbound_fail(why, "%s is empty", what);
	if (len > max)
		return inbound_fail(why, "%s is longer than %zu bytes", what,
		    max);
	for (size_t i = 0; i < len; i++)
		if (is_control((unsigned char)s[i]) || (!spaces && s[i] == ' '))
			return inbound_fail(why, "%s has a %s", what,
			    s[i] == ' ' ? "space" : "control character");
	return 0;
}

static int
check_review(const char *what, const char *s, size_t len, char **why)
{
	const char *at = memrchr(s, '@', len);
	const char *commit = at ? at + 1 : s;
	size_t clen = len - (size_t)(commit - s);
	char q[QUOTE_MAX];

	if (clen != COMMIT_HEX || !is_hex(commit, clen) ||
	    (at != NULL && check_word(what, s, (size_t)(at - s),
	    INBOUND_MAX_NAME, false, NULL) < 0))
		return inbound_fail(why, "%s '%s' is not <tag>@<commit> or a "
		    "commit (40 hex digits)", what, inbound_quote(s, q,
		    sizeof(q)));
	return 0;
}

static int
check_url(const char *what, const char *s, size_t len, char **why)
{
	if (!((len > 8 && strncasecmp(s, "https://", 8) == 0) ||
	    (len > 7 && strncasecmp(s, "http://", 7) == 0)))
		return inbound_fail(why, "%s is not an http(s) URL", what);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return inbound_fail(why, "%s is not an http(s) URL",
			    what);
	return 0;
}

/*
 * The comment in s with "\r\n" and a lone '\r' as "\n" and the other
 * control characters but tab as spaces, then trimmed, into *out (NULL
 * when nothing is left).
 */
static int
copy_comment(const char *what, const char *s, size_t len, char **out,
    char **why)
{
	char *c = xmalloc(len + 1), *p = c, *start = c;

	for (const char *end = s + len; s < end; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\r') {
			if (s + 1 < end && s[1] == '\n')
				continue;
			ch = '\n';
		} else if (is_control(ch) && ch != '\n' && ch != '\t') {
			ch = ' ';
		}
		*p++ = (char)ch;
	}
	while (start < p && is_space((unsigned char)*start))
		start++;
	while (p > start && is_space((unsigned char)p[-1]))
		p--;
	*p = '\0';
	if (start == p) {
		free(c);
		*out = NULL;
		return 0;
	}
	if ((size_t)(p - start) > INBOUND_MAX_COMMENT) {
		free(c);
		return inbound_fail(why, "%s is longer than %d bytes", what,
		    INBOUND_MAX_COMMENT);
	}
	memmove(c, start, (size_t)(p - start) + 1);
	*out = c;
	return 0;
}

/* The most bytes a field may have before it is trimmed. */
static size_t
field_max(enum inbound_field field)
{
	switch (field) {
	case INBOUND_FIELD_ID:
		return INBOUND_MAX_ID;
	case INBOUND_FIELD_TARGET:
	case INBOUND_FIELD_PATH:
		return INBOUND_MAX_NAME;
	case INBOUND_FIELD_REVIEW:
		return INBOUND_MAX_NAME + 1 + COMMIT_HEX;
	case INBOUND_FIELD_URL:
		return INBOUND_MAX_URL;
	case INBOUND_FIELD_COMMENT:
		break;	/* trimmed first, then measured */
	}
	return SIZE_MAX;
}

int
inbound_field_copy(enum inbound_field field, const char *what,
    const char *s, char **out, char **why)
{
	size_t len, max = field_max(field);
	int error;

	if (s == NULL)
		return inbound_fail(why, "%s is missing", what);
	len = strlen(s);
	if (len > max)
		return inbound_fail(why, "%s is longer than %zu bytes", what,
		    max);
	if (!inbound_utf8_ok(s, len))
		return inbound_fail(why, "%s is not UTF-8", what);
	switch (field) {
	case INBOUND_FIELD_ID:
		error = check_word(what, s, len, INBOUND_MAX_ID, false, why);
		break;
	case INBOUND_FIELD_TARGET:
		error = check_word(what, s, len, INBOUND_MAX_NAME, false, why);
		break;
	case INBOUND_FIELD_PATH:
		error = check_word(what, s, len, INBOUND_MAX_NAME, true, why);
		break;
	case INBOUND_FIELD_REVIEW:
		error = check_review(what, s, len, why);
		break;
	case INBOUND_FIELD_URL:
		error = check_url(what, s, len, why);
		break;
	case INBOUND_FIELD_COMMENT:
		return copy_comment(what, s, len, out, why);
	default:
		return inbound_fail(why, "%s: unknown field type", what);
	}
	if (error < 0)
		return error;
	*out = xstrndup(s, len);
	return 0;
}

const char *
inbound_decision(const char *s, bool alias)
{
	static const char *const names[] = {
		"approve", "approve-with-changes", "changes-required",
	};

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	if (alias && strcmp(s, "changes") == 0)
		return names[2];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Forms                                                               */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The byte that the encoded text at s[*i] (n bytes in all) stands for,
 * moving *i past it; -1 for a malformed escape or a NUL byte.
 */
static int
form_byte(const char *s, size_t n, size_t *i)
{
	int c = (unsigned char)s[*i], hi, lo;

	if (c == '+') {
		c = ' ';
	} else if (c == '%') {
		if (n - *i < 3 || (hi = hexval(s[*i + 1])) < 0 ||
		    (lo = hexval(s[*i + 2])) < 0)
			return -1;
		c = hi << 4 | lo;
		*i += 2;
	}
	(*i)++;
	return c == 0 ? -1 : c;
}

/* 1 when the encoded name s (n bytes) is key, 0 when not, or -EINVAL. */
static int
form_name_is(const char *s, size_t n, const char *key)
{
	size_t i = 0, k = 0;
	bool same = true;

	while (i < n) {
		int c = form_byte(s, n, &i);

		if (c < 0)
			return -EINVAL;
		/* c is never 0: k stops at the end of key */
		if (same && (unsigned char)key[k] != c)
			same = false;
		else if (same)
			k++;
	}
	return same && key[k] == '\0';
}

static int
form_value(const char *s, size_t n, char **out)
{
	char *v = xmalloc(n + 1), *p = v;
	size_t i = 0;

	while (i < n) {
		int c = form_byte(s, n, &i);

		if (c < 0) {
			free(v);
			return -EINVAL;
		}
		*p++ = (char)c;
	}
	*p = '\0';
	*out = v;
	return 0;
}

int
inbound_form_get(const char *body, size_t len, const char *key,
    char **out)
{
	const char *p = body, *end = body ? body + len : body;

	if (body == NULL || key == NULL)
		return -ENOENT;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		const char *name_end = eq ? eq : pair_end;
		int error;

		if (pair_end > p) {
			error = form_name_is(p, (size_t)(name_end - p), key);
			if (error < 0)
				return error;
			if (error == 1) {
				const char *v = eq ? eq + 1 : pair_end;

				return form_value(v, (size_t)(pair_end - v),
				    out);
			}
		}
		p = amp ? amp + 1 : end;
	}
	return -ENOENT;
}

int
inbound_form_field(const char *body, size_t len, const char *key,
    bool required, enum inbound_field field, char **out, char **why)
{
	char *v = NULL, what[64];
	int error;

	snprintf(what, sizeof(what), "'%s'", key);
	error = inbound_form_get(body, len, key, &v);
	if (error == -ENOENT && !required)
		return 0;
	if (error == -ENOENT)
		return inbound_fail(why, "%s is missing", what);
	if (error < 0)
		return inbound_fail(why, "%s has a malformed %%-escape or a "
		    "NUL byte", what);
	if (*v == '\0' && !required)
		error = 0;	/* empty: as if absent */
	else
		error = inbound_field_copy(field, what, v, out, why);
	free(v);
	return error;
}

/* ------------------------------------------------------------------ */
/* Command text                                                        */

static const struct {
	const char *verb;
	enum inbound_kind kind;
	const char *decision;
} verbs[] = {
	{ "approve", INBOUND_DECIDE, "approve" },
	{ "approve-with-changes", INBOUND_DECIDE, "approve-with-changes" },
	{ "changes", INBOUND_DECIDE, "changes-required" },
	{ "changes-required", INBOUND_DECIDE, "changes-required" },
	{ "status", INBOUND_STATUS, NULL },
	{ "pending", INBOUND_PENDING, NULL },
	{ "who", INBOUND_WHO, NULL },
	{ "help", INBOUND_HELP, NULL },
};

#define VALID_VERBS "approve, approve-with-changes, changes, status, " \
	"pending, who or help"

/* Skips spaces, tabs and line ends. */
static const char *
skip_space(const char *p)
{
	while (is_space((unsigned char)*p))
		p++;
	return p;
}

/* The word at p (no leading space): its end. */
static const char *
word_end(const char *p)
{
	while (*p != '\0' && !is_space((unsigned char)*p))
		p++;
	return p;
}

/* Copies the word [p, e) as a field into *out. */
static int
copy_word(enum inbound_field field, const char *what, const char *p,
    const char *e, char **out, char **why)
{
	char *w;
	int error;

	/* a word too long is refused before it is copied */
	if ((size_t)(e - p) > INBOUND_MAX_NAME)
		return inbound_fail(why, "%s is longer than %d bytes", what,
		    INBOUND_MAX_NAME);
	w = xstrndup(p, (size_t)(e - p));
	error = inbound_field_copy(field, what, w, out, why);
	free(w);
	return error;
}

int
inbound_parse_text(const char *text, struct inbound *out, char **why)
{
	struct inbound in = { .kind = INBOUND_HELP };
	const char *p = skip_space(text ? text : ""), *e = word_end(p);
	size_t n = (size_t)(e - p), v;
	char q[QUOTE_MAX];
	int error = 0;

	if (text != NULL && !inbound_utf8_ok(text, strlen(text)))
		return inbound_fail(why, "the command is not UTF-8");
	if (n == 0) {
		*out = in;
		return 0;
	}
	for (v = 0; v < ARRAY_SIZE(verbs); v++)
		if (strlen(verbs[v].verb) == n &&
		    strncasecmp(p, verbs[v].verb, n) == 0)
			break;
	if (v == ARRAY_SIZE(verbs)) {
		char *word = xstrndup(p, n < QUOTE_MAX ? n : QUOTE_MAX);

		inbound_quote(word, q, sizeof(q));
		free(word);
		return inbound_fail(why, "unknown command '%s': use "
		    VALID_VERBS, q);
	}
	in.kind = verbs[v].kind;
	p = skip_space(e);
	e = word_end(p);
	switch (in.kind) {
	case INBOUND_DECIDE:
		if (p == e)
			return inbound_fail(why, "'%s' needs a tag or commit: "
			    "%s TAG [comment]", verbs[v].verb, verbs[v].verb);
		error = copy_word(INBOUND_FIELD_TARGET, "the tag", p, e,
		    &in.target, why);
		if (error == 0)
			error = inbound_field_copy(INBOUND_FIELD_COMMENT,
			    "the comment", e, &in.comment, why);
		if (error == 0)
			in.decision = xstrdup(verbs[v].decision);
		break;
	case INBOUND_STATUS:
		if (p != e)
			error = copy_word(INBOUND_FIELD_TARGET, "the tag", p,
			    e, &in.target, why);
		if (error == 0 && *skip_space(e) != '\0')
			error = inbound_fail(why, "'status' takes one tag at "
			    "most: status [TAG]");
		break;
	case INBOUND_PENDING:
		if (p != e)
			error = inbound_fail(why, "'pending' takes nothing "
			    "after it");
		break;
	case INBOUND_WHO: {
		const char *end = p + strlen(p);

		while (end > p && is_space((unsigned char)end[-1]))
			end--;
		if (p == end)
			error = inbound_fail(why, "'who' needs a path: who "
			    "PATH");
		else
			error = copy_word(INBOUND_FIELD_PATH, "the path", p,
			    end, &in.path, why);
		break;
	}
	case INBOUND_HELP:
	case INBOUND_OPEN:
		break;	/* "help approve": help all the same */
	}
	if (error < 0) {
		inbound_clear(&in);
		return error;
	}
	*out = in;
	return 0;
}

int
inbound_json_body(const char *body, size_t len, json_t **out, char **why)
{
	json_error_t jerr;
	json_t *root;
	int error;

	if ((error = inbound_check_len(len, why)) < 0)
		return error;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return inbound_fail(why, "the body is not JSON: %s", jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return inbound_fail(why, "the body is not a JSON object");
	}
	*out = root;
	return 0;
}

int
inbound_json_str(json_t *o, const char *key, const char *what, bool required,
    bool empty_absent, enum inbound_field field, char **out, char **why)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return inbound_fail(why, "%s is missing", what);
		return 0;
	}
	if (!json_is_string(v))
		return inbound_fail(why, "%s is not a string", what);
	if (empty_absent && !required && json_string_length(v) == 0)
		return 0;
	return inbound_field_copy(field, what, json_string_value(v), out, why);
}

/*
 * See inbound.h.  The token is read only when asked for, and before
 * user_name, so that both platforms report the same malformed field
 * first as they did when each had its own copy of this parser.
 */
int
inbound_parse_slash(const char *body, size_t len, void (*unescape)(char *),
    bool with_token, struct inbound *out, char **why)
{
	struct inbound in = { 0 };
	char *command = NULL, *user = NULL, *text = NULL;
	int error;

	if ((error = inbound_check_len(len, why)) < 0)
		return error;
	if ((error = inbound_form_field(body, len, "command", true,
	    INBOUND_FIELD_ID, &command, why)) < 0)
		return error;
	if (command[0] != '/') {
		error = inbound_fail(why, "'command' does not start with '/': "
		    "not a slash command");
		goto done;
	}
	if ((error = inbound_form_field(body, len, "user_id", true,
	    INBOUND_FIELD_ID, &user, why)) < 0)
		goto done;
	error = inbound_form_get(body, len, "text", &text);
	if (error == -EINVAL) {
		error = inbound_fail(why, "'text' has a malformed %%-escape "
		    "or a NUL byte");
		goto done;
	}
	if (text != NULL && unescape != NULL)
		unescape(text);
	if ((error = inbound_parse_text(text, &in, why)) < 0)
		goto done;
	in.user = user;
	user = NULL;
	if ((with_token && (error = inbound_form_field(body, len, "token",
	    false, INBOUND_FIELD_ID, &in.token, why)) < 0) ||
	    (error = inbound_form_field(body, len, "user_name", false,
	    INBOUND_FIELD_ID, &in.user_alt, why)) < 0 ||
	    (error = inbound_form_field(body, len, "response_url", false,
	    INBOUND_FIELD_URL, &in.response_url, why)) < 0 ||
	    (error = inbound_form_field(body, len, "trigger_id", false,
	    INBOUND_FIELD_ID, &in.action_id, why)) < 0)
		goto done;
	*out = in;
	memset(&in, 0, sizeof(in));
done:
	inbound_clear(&in);
	free(command);
	free(user);
	free(text);
	return error;
}
