/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wire.h - the warm path's protocol between the update hook and
 * printgated, over the gate socket.  Plain C and libc only: the hook that
 * speaks it loads nothing else.
 *
 * Every message is a frame: 4 bytes of length (big-endian, at most
 * WIRE_MAX) and that many bytes of body.  A body is text lines, the first
 * "printgate-gate 1", then "key value" lines:
 *
 *   printgated -> hook   the greeting: "pusher_env NAME" lines, the
 *                        variables the hook reports the pusher from
 *   hook -> printgated   the request: config, gitdir, ref, old, new, and
 *                        when set pusher_var and pusher, quarantine,
 *                        objects, alternates (git's push environment),
 *                        and event: the id of the ledger event the push
 *                        writes, the same whichever path decides it
 *   printgated -> hook   the answer: "exit 0" or "exit 1", an empty line
 *                        and the message for the pusher; or "fallback
 *                        REASON": the hook decides itself
 *
 * What arrives is untrusted on both sides: every field is capped and
 * checked (ref names as git checks them, ids as 40 hex digits, no control
 * character anywhere but in the answer's message).
 */
#ifndef PRINTGATE_WIRE_H
#define PRINTGATE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC "printgate-gate 1"
/* The largest body of a frame, either way. */
#define WIRE_MAX (64 * 1024)
/* How long the hook waits for printgated's answer, all in, ms. */
#define WIRE_TIMEOUT_MS 2000
#define WIRE_MAX_PATH 4096
#define WIRE_MAX_REF 1024
#define WIRE_MAX_VAR 64
#define WIRE_MAX_PUSHER 256
#define WIRE_MAX_VARS 16
#define WIRE_ID_HEX 40
/* An event id: 32 lowercase hex digits, as util_random_id() makes. */
#define WIRE_EVENT_HEX 32

struct wire_request {
	char config[WIRE_MAX_PATH];	/* the config the hook was given */
	char gitdir[WIRE_MAX_PATH];	/* absolute: the repository */
	char ref[WIRE_MAX_REF];
	char old[WIRE_ID_HEX + 1];
	char new[WIRE_ID_HEX + 1];
	char pusher_var[WIRE_MAX_VAR];	/* "" when no pusher_env is set */
	char pusher[WIRE_MAX_PUSHER];
	char quarantine[WIRE_MAX_PATH];	/* GIT_QUARANTINE_PATH, or "" */
	char objects[WIRE_MAX_PATH];	/* GIT_OBJECT_DIRECTORY, or "" */
	char alternates[WIRE_MAX_PATH];	/* GIT_ALTERNATE_OBJECT_DIRECTORIES */
	char event[WIRE_EVENT_HEX + 1];	/* the push's event id, or "" */
};

struct wire_greeting {
	char vars[WIRE_MAX_VARS][WIRE_MAX_VAR];
	size_t nvars;
};

struct wire_answer {
	int exit;		/* 0 or 1; -1 for a fallback */
	char reason[256];	/* the fallback's reason */
	const char *msg;	/* into the body given to wire_answer_parse */
	size_t msglen;
};

/* The frame's header for a body of len bytes. */
void wire_header(unsigned char out[4], size_t len);
/* The length a frame header announces; -1 when over WIRE_MAX. */
long wire_length(const unsigned char hdr[4]);

/*
 * Checks what wire_request_parse checks of each field.  0 when valid;
 * -EINVAL otherwise.
 */
int wire_check_ref(const char *ref);
int wire_check_id(const char *id);
int wire_check_var(const char *name);
int wire_check_event(const char *id);

/*
 * Parses a request body of len bytes.  Returns 0 with *out filled, or
 * -EINVAL (out may then be partly written, and must not be used) with
 * *why, a static string, saying what is wrong: a missing, repeated,
 * unknown, too long or malformed field.
 */
int wire_request_parse(struct wire_request *out, const char *body,
    size_t len, const char **why);
/*
 * Writes the body of rq into buf (cap bytes).  Returns its length, or -1
 * when it does not fit or a field is not valid.
 */
long wire_request_encode(char *buf, size_t cap, const struct wire_request *rq);

int wire_greeting_parse(struct wire_greeting *out, const char *body,
    size_t len);
long wire_greeting_encode(char *buf, size_t cap, char *const *vars,
    size_t nvars);

/* 0 with *out set (msg points into body), or -EINVAL. */
int wire_answer_parse(struct wire_answer *out, const char *body, size_t len);
/* exit 0 or 1 and msg (len bytes), or a fallback when reason is set. */
long wire_answer_encode(char *buf, size_t cap, int exit, const char *msg,
    size_t len, const char *reason);

#endif
