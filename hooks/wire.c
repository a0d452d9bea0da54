/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wire.c - the warm path's protocol (wire.h): frames, and the greeting,
 * request and answer bodies, encoded and parsed.  Pure and libc only, so
 * that the thin hook links it and nothing else, and the fuzz target
 * (tests/fuzz/fuzz_wire.c) can take the parser alone.
 */
#include "hooks/wire.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void
wire_header(unsigned char out[4], size_t len)
{
	out[0] = (unsigned char)(len >> 24);
	out[1] = (unsigned char)(len >> 16);
	out[2] = (unsigned char)(len >> 8);
	out[3] = (unsigned char)len;
}

long
wire_length(const unsigned char hdr[4])
{
	unsigned long n = (unsigned long)hdr[0] << 24 |
	    (unsigned long)hdr[1] << 16 | (unsigned long)hdr[2] << 8 | hdr[3];

	return n > WIRE_MAX ? -1 : (long)n;
}

/* No control character (the pusher's terminal would obey it), no DEL. */
static bool
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * git's check_refname_format, as far as a pushed ref goes: "refs/" and a
 * name, no component that starts with '.' or ends with ".lock", no "..",
 * "@{", "//", space, control character or any of ~^:?*[\, and no '/' or
 * '.' at the end.
 */
int
wire_check_ref(const char *ref)
{
	size_t len = strlen(ref);
	const char *c;

	if (len <= 5 || len >= WIRE_MAX_REF || strncmp(ref, "refs/", 5) != 0)
		return -EINVAL;
	if (!printable(ref) || strpbrk(ref, " ~^:?*[\\") != NULL ||
	    strstr(ref, "..") || strstr(ref, "@{") || strstr(ref, "//") ||
	    ref[len - 1] == '/' || ref[len - 1] == '.')
		return -EINVAL;
	for (c = ref;;) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);

		if (n == 0 || c[0] == '.' ||
		    (n >= 5 && strncmp(c + n - 5, ".lock", 5) == 0))
			return -EINVAL;
		if (end == NULL)
			return 0;
		c = end + 1;
	}
}

int
wire_check_id(const char *id)
{
	return strlen(id) == WIRE_ID_HEX &&
	    strspn(id, "0123456789abcdef") == WIRE_ID_HEX ? 0 : -EINVAL;
}

int
wire_check_event(const char *id)
{
	return strlen(id) == WIRE_EVENT_HEX &&
	    strspn(id, "0123456789abcdef") == WIRE_EVENT_HEX ? 0 : -EINVAL;
}

int
wire_check_var(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= WIRE_MAX_VAR || (name[0] >= '0' && name[0] <= '9'))
		return -EINVAL;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
	    "xyz0123456789_") == n ? 0 : -EINVAL;
}

static bool
is_path(const char *p)
{
	return p[0] == '/' && printable(p);
}

/*
 * The next line of body[*pos..len) into line (cap bytes), without its
 * newline.  1 when a line was read, 0 at the end, -1 when a line has no
 * newline, a NUL, or does not fit.
 */
static int
next_line(const char *body, size_t len, size_t *pos, char *line, size_t cap)
{
	const char *nl;
	size_t n;

	if (*pos >= len)
		return 0;
	nl = memchr(body + *pos, '\n', len - *pos);
	if (nl == NULL)
		return -1;
	n = (size_t)(nl - (body + *pos));
	if (n >= cap || memchr(body + *pos, '\0', n) != NULL)
		return -1;
	memcpy(line, body + *pos, n);
	line[n] = '\0';
	*pos += n + 1;
	return 1;
}

/* A request's fields: where each goes and how big it may be. */
struct field {
	const char *key;
	size_t off, cap;
	bool required;
};

#define F(k, req) { #k, offsetof(struct wire_request, k), \
	sizeof(((struct wire_request *)0)->k), req }
static const struct field fields[] = {
	F(config, true), F(gitdir, true), F(ref, true), F(old, true),
	F(new, true), F(pusher_var, false), F(pusher, false),
	F(quarantine, false), F(objects, false), F(alternates, false),
	F(event, false),
};
#undef F
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Whether each field's value has its form; *why when not. */
static int
request_check(const struct wire_request *rq, const char **why)
{
	*why = NULL;
	if (!is_path(rq->config) || !is_path(rq->gitdir))
		*why = "config and gitdir must be absolute paths";
	else if (wire_check_ref(rq->ref) < 0)
		*why = "ref is not a valid ref name";
	else if (wire_check_id(rq->old) < 0 || wire_check_id(rq->new) < 0)
		*why = "old and new must be 40 lowercase hex digits";
	else if ((rq->pusher_var[0] == '\0') != (rq->pusher[0] == '\0'))
		*why = "pusher_var and pusher go together";
	else if (rq->pusher_var[0] && wire_check_var(rq->pusher_var) < 0)
		*why = "pusher_var is not a variable name";
	else if (!printable(rq->pusher))
		*why = "pusher has a control character";
	else if ((rq->quarantine[0] && !is_path(rq->quarantine)) ||
	    (rq->objects[0] && !is_path(rq->objects)) ||
	    (rq->alternates[0] && !is_path(rq->alternates)))
		*why = "quarantine, objects and alternates must be absolute";
	else if (rq->event[0] && wire_check_event(rq->event) < 0)
		*why = "event must be 32 lowercase hex digits";
	return *why ? -EINVAL : 0;
}

int
wire_request_parse(struct wire_request *out, const char *body, size_t len,
    const char **why)
{
	char line[WIRE_MAX_PATH + 32];
	bool seen[NFIELDS] = { false };
	size_t pos = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (next_line(body, len, &pos, line, sizeof(line)) != 1 ||
	    strcmp(line, WIRE_MAGIC) != 0) {
		*why = "not a printgate-gate 1 request";
		return -EINVAL;
	}
	while ((rc = next_line(body, len, &pos, line, sizeof(line))) == 1) {
		char *sp = strchr(line, ' ');
		size_t i;

		if (sp == NULL) {
			*why = "a line is not \"key value\"";
			return -EINVAL;
		}
		*sp = '\0';
		for (i = 0; i < NFIELDS && strcmp(fields[i].key, line); i++)
			;
		if (i == NFIELDS) {
			*why = "unknown key";
			return -EINVAL;
		}
		if (seen[i] || strlen(sp + 1) >= fields[i].cap) {
			*why = seen[i] ? "a key is repeated" : "a value is too long";
			return -EINVAL;
		}
		seen[i] = true;
		memcpy((char *)out + fields[i].off, sp + 1, strlen(sp + 1) + 1);
	}
	if (rc < 0) {
		*why = "a line is too long, unterminated or has a NUL";
		return -EINVAL;
	}
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].required && !seen[i]) {
			*why = "a required key is missing";
			return -EINVAL;
		}
	return request_check(out, why);
}

/* Appends "key value\n" to buf at *n; false when it does not fit. */
static bool
put(char *buf, size_t cap, size_t *n, const char *key, const char *value)
{
	int w;

	if (value == NULL || value[0] == '\0')
		return true;
	w = snprintf(buf + *n, cap - *n, "%s %s\n", key, value);
	if (w < 0 || (size_t)w >= cap - *n)
		return false;
	*n += (size_t)w;
	return true;
}

long
wire_request_encode(char *buf, size_t cap, const struct wire_request *rq)
{
	const char *why;
	size_t n;
	int w;

	if (cap > WIRE_MAX)
		cap = WIRE_MAX;
	if (request_check(rq, &why) < 0)
		return -1;
	w = snprintf(buf, cap, "%s\n", WIRE_MAGIC);
	if (w < 0 || (size_t)w >= cap)
		return -1;
	n = (size_t)w;
	for (size_t i = 0; i < NFIELDS; i++)
		if (!put(buf, cap, &n, fields[i].key,
		    (const char *)rq + fields[i].off))
			return -1;
	return (long)n;
}

int
wire_greeting_parse(struct wire_greeting *out, const char *body, size_t len)
{
	char line[WIRE_MAX_VAR + 32];
	size_t pos = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (next_line(body, len, &pos, line, sizeof(line)) != 1 ||
	    strcmp(line, WIRE_MAGIC) != 0)
		return -EINVAL;
	while ((rc = next_line(body, len, &pos, line, sizeof(line))) == 1) {
		if (strncmp(line, "pusher_env ", 11) != 0 ||
		    wire_check_var(line + 11) < 0 || out->nvars == WIRE_MAX_VARS)
			return -EINVAL;
		memcpy(out->vars[out->nvars++], line + 11, strlen(line + 11) + 1);
	}
	return rc < 0 ? -EINVAL : 0;
}

long
wire_greeting_encode(char *buf, size_t cap, char *const *vars, size_t nvars)
{
	size_t n;
	int w = snprintf(buf, cap, "%s\n", WIRE_MAGIC);

	if (w < 0 || (size_t)w >= cap || nvars > WIRE_MAX_VARS)
		return -1;
	n = (size_t)w;
	for (size_t i = 0; i < nvars; i++)
		if (wire_check_var(vars[i]) < 0 ||
		    !put(buf, cap, &n, "pusher_env", vars[i]))
			return -1;
	return (long)n;
}

int
wire_answer_parse(struct wire_answer *out, const char *body, size_t len)
{
	char line[300];
	size_t pos = 0;

	if (next_line(body, len, &pos, line, sizeof(line)) != 1 ||
	    strcmp(line, WIRE_MAGIC) != 0 ||
	    next_line(body, len, &pos, line, sizeof(line)) != 1)
		return -EINVAL;
	if (strncmp(line, "fallback ", 9) == 0) {
		if (line[9] == '\0' || strlen(line + 9) >= sizeof(out->reason) ||
		    !printable(line + 9) || pos != len)
			return -EINVAL;
		out->exit = -1;
		memcpy(out->reason, line + 9, strlen(line + 9) + 1);
		out->msg = NULL;
		out->msglen = 0;
		return 0;
	}
	if (strcmp(line, "exit 0") != 0 && strcmp(line, "exit 1") != 0)
		return -EINVAL;
	out->exit = line[5] - '0';
	if (next_line(body, len, &pos, line, sizeof(line)) != 1 ||
	    line[0] != '\0')
		return -EINVAL;
	out->reason[0] = '\0';
	out->msg = body + pos;
	out->msglen = len - pos;
	if (memchr(out->msg, '\0', out->msglen) != NULL)
		return -EINVAL;
	return 0;
}

long
wire_answer_encode(char *buf, size_t cap, int exit, const char *msg,
    size_t len, const char *reason)
{
	int w;

	if (reason) {
		if (!printable(reason) || strlen(reason) >= 256)
			return -1;
		w = snprintf(buf, cap, "%s\nfallback %s\n", WIRE_MAGIC, reason);
		return w < 0 || (size_t)w >= cap ? -1 : w;
	}
	if (exit != 0 && exit != 1)
		return -1;
	w = snprintf(buf, cap, "%s\nexit %d\n\n", WIRE_MAGIC, exit);
	if (w < 0 || (size_t)w >= cap || len > cap - (size_t)w ||
	    (size_t)w + len > WIRE_MAX)
		return -1;
	memcpy(buf + w, msg, len);
	return (long)((size_t)w + len);
}
