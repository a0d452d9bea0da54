/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * inbound.h - what a chat request asks printgated to do, as plain data,
 * and what the platforms' parsers (each in its platform's file:
 * chat/slack.h, ...) share (inbound.c): the form decoder, the command
 * text parser, the slash command parser, and the checks every copied
 * string goes through.
 *
 * The parsers run after the request's signature was verified over the
 * same raw bytes; they trust nothing else about it.  A body is not
 * NUL-terminated (body and len) and at most INBOUND_MAX_BODY bytes.  Any
 * input gives either 0 and a filled struct, or -EINVAL and *why, a one
 * line reason for the 400 answer (the caller frees it; why may be NULL).
 * On failure *out is untouched.  Every string in a struct inbound is the
 * struct's own copy: valid UTF-8, within its cap, without NUL bytes.
 */
#ifndef PRINTGATE_INBOUND_H
#define PRINTGATE_INBOUND_H

#include <stdbool.h>
#include <stddef.h>

/* Caps, in bytes: a string over its cap is refused, never cut. */
#define INBOUND_MAX_BODY 65536		/* a request body */
#define INBOUND_MAX_COMMENT 2000	/* a comment */
#define INBOUND_MAX_NAME 1024		/* a tag, a revision, a path */
#define INBOUND_MAX_ID 256		/* a user id, an action id, a token */
#define INBOUND_MAX_URL 2048		/* a response_url */

enum inbound_kind {
	INBOUND_DECIDE,		/* approve, approve with changes, changes */
	INBOUND_STATUS,		/* status [TAG] */
	INBOUND_PENDING,	/* pending */
	INBOUND_WHO,		/* who PATH */
	INBOUND_HELP,		/* help, or nothing */
	INBOUND_OPEN,		/* a link button was clicked: nothing to do */
};

struct inbound {
	enum inbound_kind kind;
	/* the platform's user id: Slack "U04ALICE", Mattermost user_id,
	 * Teams from.id; for the API the printgate person id */
	char *user;
	/* another id the config may use: Mattermost user_name, Slack
	 * user_name (commands only), Teams from.aadObjectId; or NULL */
	char *user_alt;
	char *review;	/* from a button: "print/q1@<40 hex>" or "<40 hex>" */
	char *target;	/* from a command or the API: a TAG or REV as typed */
	/* "approve", "approve-with-changes" or "changes-required" */
	char *decision;
	char *comment;	/* trimmed; NULL when there is none */
	char *path;	/* for INBOUND_WHO */
	/* what makes this action unique on the platform, for idempotency:
	 * Slack trigger_id (else container.message_ts/action_ts),
	 * Mattermost trigger_id, Teams activity id; or NULL */
	char *action_id;
	char *response_url;	/* Slack, Mattermost: http(s), or NULL */
	/* Mattermost: the button's context token or the slash command's
	 * token, NULL when the request has none (the caller refuses it) */
	char *token;
};

/* Frees the strings of in and zeroes it; NULL is a no-op. */
void inbound_clear(struct inbound *in);
/* "decide", "status", "pending", "who", "help"; NULL for another value. */
const char *inbound_kind_name(enum inbound_kind kind);

/*
 * application/x-www-form-urlencoded: into *out (the caller frees it) the
 * decoded value of the first pair named key ('+' is a space, %XX a byte;
 * names are decoded too; "key" without '=' has the value ""), or -ENOENT.
 * -EINVAL when the value found, or a name before it, has a malformed
 * escape or a NUL byte (raw or %00: a C string cannot hold it).  The value
 * may be any other bytes: each field's own check comes after.
 */
int inbound_form_get(const char *body, size_t len, const char *key,
    char **out);

/*
 * The text of a slash command, or of a Teams message after the mention:
 *
 *   approve TAG [comment]
 *   approve-with-changes TAG [comment]
 *   changes TAG [comment]          (also changes-required)
 *   status [TAG]
 *   pending
 *   who PATH                        (the rest of the line: may have spaces)
 *   help                            (also no text at all)
 *
 * Words are separated by spaces, tabs and line ends; verbs are matched
 * without regard to case; the comment is the rest of the text, trimmed.
 * On success *out is set to a new struct (kind and the command's fields;
 * the rest NULL) that the caller clears; earlier contents are not freed.
 * An unknown verb gives -EINVAL and a *why that names the valid ones.
 */
int inbound_parse_text(const char *text, struct inbound *out, char **why);

/*
 * A slash command's form (Slack's and Mattermost's): fields command
 * (which must start with '/'), user_id, text (parsed by
 * inbound_parse_text() after unescape, when set, rewrote it in place),
 * then the token when with_token, user_name, response_url and
 * trigger_id.  0, or -EINVAL with *why; *out as above.
 */
int inbound_parse_slash(const char *body, size_t len,
    void (*unescape)(char *text), bool with_token, struct inbound *out,
    char **why);

/*
 * What the platform parsers share (inbound.c).  Not for other callers.
 */

/* The checks a string goes through before it is copied into a struct. */
enum inbound_field {
	INBOUND_FIELD_ID,	/* 1..INBOUND_MAX_ID bytes, no space/control */
	INBOUND_FIELD_TARGET,	/* 1..INBOUND_MAX_NAME, no space/control */
	INBOUND_FIELD_PATH,	/* 1..INBOUND_MAX_NAME, no control */
	INBOUND_FIELD_REVIEW,	/* "<target>@<40 hex>" or "<40 hex>" */
	INBOUND_FIELD_URL,	/* http(s)://, printable ASCII, MAX_URL */
	/* "\r\n" and "\r" as "\n", the other controls but tab and "\n"
	 * as spaces, then trimmed; at most INBOUND_MAX_COMMENT bytes;
	 * empty gives NULL */
	INBOUND_FIELD_COMMENT,
};

struct json_t;

/*
 * A body that must be one JSON object (duplicate keys refused), at most
 * INBOUND_MAX_BODY bytes, into *out (the caller's, json_decref); or
 * -EINVAL with *why.
 */
int inbound_json_body(const char *body, size_t len, struct json_t **out,
    char **why);
/*
 * The string member key of the JSON object o, checked as field into *out
 * (what names it in messages).  Absent and null leave *out as it is, and so
 * does "" when empty_absent and not required (Slack, Mattermost and Teams
 * send "" or null for fields they have no value for); a required one that
 * is not there is refused.
 */
int inbound_json_str(struct json_t *o, const char *key, const char *what,
    bool required, bool empty_absent, enum inbound_field field, char **out,
    char **why);
/*
 * Checks s (valid UTF-8 and the field's rules) and puts a copy into *out
 * (the caller's), or returns -EINVAL with *why naming the field as what
 * ("'user_id'", "user.id").
 */
int inbound_field_copy(enum inbound_field field, const char *what,
    const char *s, char **out, char **why);
/*
 * The decision a button or request names: "approve",
 * "approve-with-changes", "changes-required" (and "changes" when alias),
 * as its constant canonical name, or NULL.
 */
const char *inbound_decision(const char *s, bool alias);
/* Whether the n bytes at s are valid UTF-8. */
bool inbound_utf8_ok(const char *s, size_t n);
/*
 * s cut short and made printable ASCII for a reason ("?" for any other
 * byte) into out[size], which it returns.
 */
const char *inbound_quote(const char *s, char *out, size_t size);
/*
 * Sets *why (when why is not NULL) to the formatted reason, with any byte
 * that is not printable ASCII as '?', so that it is one line; returns
 * -EINVAL.
 */
int inbound_fail(char **why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The value of form field key checked as field into *out: -EINVAL with a
 * reason when it is malformed, or missing and required.  A field that is
 * not required and absent or empty leaves *out as it is.
 */
int inbound_form_field(const char *body, size_t len, const char *key,
    bool required, enum inbound_field field, char **out, char **why);
/* -EINVAL with a reason when len is over INBOUND_MAX_BODY, else 0. */
int inbound_check_len(size_t len, char **why);

#endif
