/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * answer.h - what the platforms' answers to requests share (answer.c):
 * JSON built with jansson and turned into a string, text shown as a code
 * block, and the plain answers every route may give.  Each platform's own
 * answers (Slack's ephemeral responses, a Teams reply, the API's JSON)
 * are in its file.
 */
#ifndef PRINTGATE_ANSWER_H
#define PRINTGATE_ANSWER_H

#include <stdbool.h>

struct json_t;
struct platform_answer;

/* o as compact JSON in its keys' order, and o released; never NULL. */
char *answer_dump(struct json_t *o);
/* A JSON string of s ("" for NULL); text that is not UTF-8 gives "?". */
struct json_t *answer_str(const char *s);
/* text as a JSON string, as a Markdown code block when code is set. */
struct json_t *answer_text_or_code(const char *text, bool code);

/* status and "<text>\n" as text/plain into out. */
void platform_answer_text(struct platform_answer *out, int status,
    const char *text);
/* status and a JSON body (taken) into out. */
void platform_answer_json(struct platform_answer *out, int status,
    char *body);
/* A refusal as text/plain: "<status> <why>\n". */
void platform_refuse_text(int status, const char *why,
    struct platform_answer *out);

/*
 * A refusal of a route that answers JSON with format (the platform's
 * text answer), but for 404, which is text: "<status> <why>\n".
 */
void platform_refuse_with(int status, const char *why,
    char *(*format)(const char *text, bool code),
    struct platform_answer *out);
/*
 * The end of a slash command or a Teams message: a command that reads
 * answered at once (200, or 403 for a user printgate does not know), or
 * the decision recorded and answered, in format (the platform's text
 * answer).  refused, when set, is also told every refusal (its text, and
 * the review or NULL), for a platform that shows a person only a 200.
 */
struct inbound;
struct platform_request;
void platform_command_or_decision(const struct platform_request *rq,
    const struct inbound *in, char *(*format)(const char *text, bool code),
    void (*refused)(const struct platform_request *rq,
    const struct inbound *in, const char *text, const char *review),
    struct platform_answer *out);

#endif
