/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mattermost.c - the body of a Mattermost incoming webhook for a notice:
 * the headline as the post's text, and one attachment, coloured by kind,
 * whose Markdown text holds the same facts as the Slack message (tag,
 * commit, previous print, deadline, files, rules, who is asked) and, for
 * an open review, three buttons and the slash command that decides.
 * Each button posts its integration context (the review, the decision
 * and a token, an HMAC: mattermost_action_token()) to printgated's
 * /mattermost/actions, which records nothing and answers the clicking
 * user with that slash command: the context is readable by everyone in
 * the channel and the request is not signed, so a click cannot say who
 * clicked.
 *
 * Mattermost has no small per-field limits like Slack's, but every piece
 * of text has a cap, and the lists (files, rules) stop with "- …" where
 * the text would pass TEXT_MAX, so that a post stays within its limits.
 *
 * And the rest of Mattermost: the buttons' tokens, the parsers of
 * /mattermost/actions and /mattermost/commands, the slash command token's
 * check, their answers, and Mattermost's row of the platform table.
 */
#include "chat/mattermost.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chat/answer.h"
#include "chat/inbound.h"
#include "core/util.h"
#include "core/verify.h"

/* Where its buttons post: the route that answers a click. */
#define MM_ACTIONS_PATH "/mattermost/actions"

/* Caps on the pieces, in characters. */
#define PATH_MAX_CHARS 500
#define URL_MAX_BYTES 2000
#define NAME_MAX_CHARS 100
#define FACT_MAX_CHARS 300
#define NOTE_MAX_CHARS 500
#define USERNAME_MAX 64
#define ASKED_MAX 4000		/* bytes of the line of who is asked */
/*
 * The attachment's text, in bytes: like a post's message (16,383
 * characters), which keeps a post far under Mattermost's cap on its
 * properties, where attachments live.
 */
#define TEXT_MAX 16000

static const char *const colors[] = {
	[NOTICE_REQUEST] = "#1c58d9",
	[NOTICE_DECISION] = "#8a8a8a",
	[NOTICE_APPROVED] = "#3db887",
	[NOTICE_RELEASED] = "#3db887",
	[NOTICE_CHANGES] = "#e3822a",
	[NOTICE_REMIND] = "#ffbc1f",
	[NOTICE_ESCALATE] = "#c2410c",
	[NOTICE_VIOLATION] = "#d24b4e",
};

/* The buttons: Mattermost ids must be alphanumeric. */
static const struct {
	const char *id;
	const char *label;
	const char *decision;
	const char *style;
} buttons[3] = {
	{ "approve", "Approve", "approve", "primary" },
	{ "approvewithchanges", "Approve with changes",
	  "approve-with-changes", "default" },
	{ "changesrequired", "Request changes", "changes-required",
	  "danger" },
};

/* Appends raw, any bytes, as valid UTF-8 Markdown text of max characters. */
static void
mm_add(struct buf *b, const char *raw, size_t max, bool multiline)
{
	char *s = notice_chat_text(raw ? raw : "", max, multiline);

	notice_md_escape(b, s);
	free(s);
}

/* A Mattermost user name: letters, digits, '.', '-' and '_'. */
static bool
mm_username_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || strchr("._-", s[n])))
			return false;
	return n > 0 && n <= USERNAME_MAX;
}

/* A person as @name when Mattermost knows them, else their name. */
static void
mm_person(struct buf *b, const struct notice_person *p)
{
	const char *user = notice_person_handle(p, "mattermost");

	if (user != NULL && *user == '@')
		user++;
	if (mm_username_ok(user))
		buf_addf(b, "@%s", user);
	else
		mm_add(b, notice_person_name(p), NAME_MAX_CHARS, false);
}

/* Text of many lines as a Markdown quote. */
static void
mm_quote(struct buf *b, const char *raw)
{
	struct buf t = { 0 };

	mm_add(&t, raw, NOTICE_MAX_TEXT, true);
	buf_adds(b, "> ");
	for (const char *p = t.s; p && *p; p++) {
		buf_add(b, p, 1);
		if (*p == '\n')
			buf_adds(b, "> ");
	}
	buf_free(&t);
}

static void
mm_facts(struct buf *b, const struct notice *n)
{
	char shortid[8];

	if (n->tag != NULL) {
		buf_adds(b, "**Tag:** ");
		mm_add(b, n->tag, FACT_MAX_CHARS, false);
		buf_adds(b, "\n");
	}
	notice_short(n->commit, shortid);
	if (*shortid != '\0') {
		buf_adds(b, "**Commit:** ");
		notice_md_code(b, shortid);
		buf_adds(b, "\n");
	}
	buf_adds(b, "**Previous print:** ");
	if (n->base_tag != NULL)
		mm_add(b, n->base_tag, FACT_MAX_CHARS, false);
	else
		buf_adds(b, NOTICE_FIRST_PRINT);
	buf_adds(b, "\n");
	if (n->deadline != NULL) {
		buf_adds(b, "**Print-By:** ");
		mm_add(b, n->deadline, FACT_MAX_CHARS, false);
		buf_adds(b, "\n");
	}
}

/* As in Slack: the one who decided is named, not mentioned. */
static void
mm_outcome(struct buf *b, const struct notice *n)
{
	const char *verb = notice_decision_name(n->decision);

	if (n->decision != NULL) {
		buf_adds(b, "\n**Decision:** ");
		mm_add(b, notice_person_name(n->by), NAME_MAX_CHARS, false);
		if (verb != NULL) {
			buf_addf(b, " %s", verb);
		} else {
			buf_adds(b, " decided ");
			mm_add(b, n->decision, FACT_MAX_CHARS, false);
		}
		buf_adds(b, "\n");
	} else if (n->by != NULL) {
		buf_addf(b, "\n**%s:** ", notice_by_label(n));
		mm_add(b, notice_person_name(n->by), NAME_MAX_CHARS, false);
		buf_adds(b, "\n");
	}
	if (notice_comment(n) != NULL) {
		buf_adds(b, "\n**Comment:**\n");
		mm_quote(b, notice_comment(n));
		buf_adds(b, "\n");
	}
	if (n->reason != NULL && *n->reason != '\0') {
		buf_adds(b, "\n**What happened:**\n");
		mm_quote(b, n->reason);
		buf_adds(b, "\n");
	}
	if (n->summary != NULL && *n->summary != '\0') {
		buf_adds(b, "\n**What changed:**\n");
		mm_quote(b, n->summary);
		buf_adds(b, "\n");
	}
	if (n->kind == NOTICE_APPROVED) {
		struct notice_words w;

		notice_release_step(n, &w);
		buf_addf(b, "\n%s", w.before);
		if (w.subject)
			mm_add(b, w.subject, FACT_MAX_CHARS, false);
		buf_addf(b, "%s\n", w.after);
	}
}

/*
 * The text of the lists, within a budget: a line that would not fit ends
 * the lists with "- …".
 */
struct mm_text {
	struct buf b;
	size_t budget;		/* bytes */
	bool full;
};

#define MM_MORE "- …\n"

/* Appends the line built in line (and empties it) if it fits. */
static void
mm_line(struct mm_text *t, struct buf *line)
{
	if (!t->full && line->s != NULL) {
		if (t->b.len + line->len + strlen(MM_MORE) > t->budget) {
			buf_adds(&t->b, MM_MORE);
			t->full = true;
		} else {
			buf_add(&t->b, line->s, line->len);
		}
	}
	buf_free(line);
}

static void
mm_files(struct mm_text *t, const struct notice *n)
{
	size_t more, listed = notice_files_listed(n, &more);
	struct buf line = { 0 };

	if (listed + more == 0)
		return;
	buf_addf(&line, "\n**Changed files** (%zu)\n", listed + more);
	mm_line(t, &line);
	for (size_t i = 0; i < listed; i++) {
		const struct notice_file *f = &n->files[i];
		char *url = notice_url(f->url, URL_MAX_BYTES);

		buf_adds(&line, "- ");
		if (url != NULL) {
			buf_adds(&line, "[");
			mm_add(&line, f->path, PATH_MAX_CHARS, false);
			buf_addf(&line, "](%s)", url);
		} else {
			mm_add(&line, f->path, PATH_MAX_CHARS, false);
		}
		buf_addf(&line, " (%s)\n", notice_status_name(f->status));
		mm_line(t, &line);
		free(url);
	}
	if (more > 0) {
		buf_addf(&line, "- and %zu more\n", more);
		mm_line(t, &line);
	}
}

static void
mm_rules(struct mm_text *t, const struct notice *n)
{
	struct buf line = { 0 };

	if (n->nrules == 0 || n->rules == NULL)
		return;
	buf_adds(&line, "\n**Rules**\n");
	mm_line(t, &line);
	for (size_t i = 0; i < n->nrules; i++) {
		const struct notice_rule *r = &n->rules[i];
		char num[64];

		buf_adds(&line, "- **");
		mm_add(&line, r->name, NAME_MAX_CHARS, false);
		buf_addf(&line, "**: %s", notice_approvals(r, num));
		mm_add(&line, r->group, NAME_MAX_CHARS, false);
		buf_adds(&line, notice_rule_state(r));
		if (r->again != NULL) {
			buf_adds(&line, "\n  _");
			mm_add(&line, r->again, NOTE_MAX_CHARS, false);
			buf_adds(&line, "_");
		}
		buf_adds(&line, "\n");
		mm_line(t, &line);
	}
}

/* Who is asked: one line of at most ASKED_MAX bytes, then "and N more". */
static void
mm_asked(struct buf *b, const struct notice *n)
{
	size_t shown = 0, max = n->asked ? n->nasked : 0;
	struct buf who = { 0 };

	if (max == 0)
		return;
	if (max > NOTICE_MAX_PEOPLE)
		max = NOTICE_MAX_PEOPLE;
	buf_addf(b, "\n**%s:** ", notice_asked_label(n->kind));
	for (; shown < max; shown++) {
		size_t len = who.len;

		if (shown > 0)
			buf_adds(&who, ", ");
		mm_person(&who, &n->asked[shown]);
		if (who.len > ASKED_MAX) {
			who.len = len;
			who.s[len] = '\0';
			break;
		}
	}
	if (who.s != NULL)
		buf_adds(b, who.s);
	if (n->nasked > shown)
		buf_addf(b, " and %zu more", n->nasked - shown);
	buf_adds(b, "\n");
	buf_free(&who);
}

/*
 * How to decide, and the link to the review page (or, without one, how to
 * see the status).  The slash command is shown
 * with the buttons too: a click only tells the person to use it (see
 * routes.c), as Mattermost's action requests are not signed.
 */
static void
mm_tail(struct buf *b, const struct notice *n, bool act)
{
	/* percent-encoded "()<>|": it cannot end the Markdown link early */
	char *link = notice_review_link(n) ?
	    notice_url(notice_review_link(n), URL_MAX_BYTES) : NULL;

	(void)act;
	if (notice_wants_decision(n)) {
		char *subject = notice_text(notice_subject(n), FACT_MAX_CHARS,
		    false);
		char *approve = xasprintf("/printgate approve %s [comment]",
		    subject);
		char *changes = xasprintf("/printgate changes %s comment",
		    subject);

		buf_adds(b, "\nDecide with ");
		notice_md_code(b, approve);
		buf_adds(b, " or ");
		notice_md_code(b, changes);
		buf_adds(b, "\n");
		free(subject);
		free(approve);
		free(changes);
	}
	if (link != NULL) {
		/* the page says where the review stands: no command */
		buf_adds(b, "\n[Open review](");
		buf_adds(b, link);
		buf_adds(b, ")\n");
		free(link);
	} else if (n->status_command != NULL && *n->status_command != '\0') {
		char *cmd = notice_text(n->status_command, FACT_MAX_CHARS,
		    false);

		buf_adds(b, "\nStatus: ");
		notice_md_code(b, cmd);
		buf_adds(b, "\n");
		free(cmd);
	}
}

/* The context carries the review exactly, so it must be text already. */
static bool
mm_can_act(const struct notice *n)
{
	char *clean;
	bool ok;

	if (n->actions_url == NULL || *n->actions_url == '\0' ||
	    n->review == NULL || *n->review == '\0')
		return false;
	clean = notice_text(n->review, strlen(n->review), false);
	ok = strcmp(clean, n->review) == 0;
	free(clean);
	return ok;
}

static json_t *
mm_actions(const struct notice *n)
{
	json_t *actions = json_array();
	char *url = notice_text(n->actions_url, URL_MAX_BYTES, false);

	for (size_t i = 0; i < ARRAY_SIZE(buttons); i++) {
		json_t *context = json_pack("{s:s, s:s}", "review", n->review,
		    "decision", buttons[i].decision);
		char *token = notice_text(n->action_token[i],
		    URL_MAX_BYTES, false);

		if (token != NULL)
			json_object_set_new(context, "token",
			    json_string(token));
		json_array_append_new(actions, json_pack(
		    "{s:s, s:s, s:s, s:s, s:{s:s, s:o}}",
		    "id", buttons[i].id, "type", "button",
		    "name", buttons[i].label, "style", buttons[i].style,
		    "integration", "url", url, "context", context));
		free(token);
	}
	free(url);
	return actions;
}

/*
 * The picture of the first changed page, under the text: Mattermost
 * fetches it by its URL (a capability for that picture alone).
 */
static void
mm_picture(json_t *attachment, const struct notice *n)
{
	char *url = notice_url(n->picture_url, URL_MAX_BYTES);

	if (url != NULL && attachment != NULL && n->summary != NULL)
		json_object_set_new(attachment, "image_url", json_string(url));
	free(url);
}

/*
 * Returns the body for Mattermost's incoming webhook, which the caller
 * frees, or NULL when memory runs out.
 */
char *
mattermost_format(const struct notice *n)
{
	char *headline = notice_headline(n), *out;
	bool act = notice_wants_decision(n) && mm_can_act(n);
	const char *color = (size_t)n->kind < ARRAY_SIZE(colors) ?
	    colors[n->kind] : "#8a8a8a";
	struct mm_text t = { 0 };
	struct buf asked = { 0 }, tail = { 0 };
	json_t *attachment, *root;

	/* the facts and the outcome first; the lists get what is left */
	mm_facts(&t.b, n);
	mm_outcome(&t.b, n);
	mm_asked(&asked, n);
	mm_tail(&tail, n, act);
	t.budget = TEXT_MAX > asked.len + tail.len ?
	    TEXT_MAX - asked.len - tail.len : 0;
	mm_files(&t, n);
	mm_rules(&t, n);
	if (asked.s != NULL)
		buf_add(&t.b, asked.s, asked.len);
	if (tail.s != NULL)
		buf_add(&t.b, tail.s, tail.len);

	attachment = json_pack("{s:s, s:s, s:s, s:s}", "fallback", headline,
	    "color", color, "title", headline, "text", t.b.s);
	if (act)
		json_object_set_new(attachment, "actions", mm_actions(n));
	mm_picture(attachment, n);
	root = json_pack("{s:s, s:[o]}", "text", headline, "attachments",
	    attachment);
	out = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	buf_free(&t.b);
	buf_free(&asked);
	buf_free(&tail);
	free(headline);
	return out;
}

/* ------------------------------------------------------------------ */
/* Inbound: POST /mattermost/actions and POST /mattermost/commands     */

/*
 * A click on one of the buttons mattermost_format() made: Mattermost
 * posts the user and the button's integration context (review, decision,
 * token).  The token is not checked here: without one, in.token is NULL
 * and the caller refuses the request as unsigned.
 */
int
mattermost_parse_action(const char *body, size_t len, struct inbound *out,
    char **why)
{
	struct inbound in = { .kind = INBOUND_DECIDE };
	json_t *root, *context;
	const char *decision;
	char *d = NULL, q[48];
	int error;

	if ((error = inbound_json_body(body, len, &root, why)) < 0)
		return error;
	if ((error = inbound_json_str(root, "user_id", "'user_id'", true, true,
	    INBOUND_FIELD_ID, &in.user, why)) < 0 ||
	    (error = inbound_json_str(root, "user_name", "'user_name'", false,
	    true, INBOUND_FIELD_ID, &in.user_alt, why)) < 0)
		goto done;
	context = json_object_get(root, "context");
	if (!json_is_object(context)) {
		error = inbound_fail(why, "'context' is %s: not a printgate "
		    "button", context == NULL || json_is_null(context) ?
		    "missing" : "not an object");
		goto done;
	}
	if ((error = inbound_json_str(context, "review", "'context.review'",
	    true, true, INBOUND_FIELD_REVIEW, &in.review, why)) < 0 ||
	    (error = inbound_json_str(context, "decision", "'context.decision'",
	    true, true, INBOUND_FIELD_ID, &d, why)) < 0)
		goto done;
	if ((decision = inbound_decision(d, false)) == NULL) {
		error = inbound_fail(why, "'context.decision' is '%s', not "
		    "approve, approve-with-changes or changes-required",
		    inbound_quote(d, q, sizeof(q)));
		goto done;
	}
	in.decision = xstrdup(decision);
	if ((error = inbound_json_str(context, "token", "'context.token'",
	    false, true, INBOUND_FIELD_ID, &in.token, why)) < 0 ||
	    (error = inbound_json_str(root, "trigger_id", "'trigger_id'", false,
	    true, INBOUND_FIELD_ID, &in.action_id, why)) < 0)
		goto done;
	*out = in;
	memset(&in, 0, sizeof(in));
done:
	inbound_clear(&in);
	json_decref(root);
	free(d);
	return error;
}

/*
 * "/printgate approve print/q1": a form like Slack's, with the slash
 * command's token, which the caller compares with the configured one
 * (NULL when the request has none).
 */
int
mattermost_parse_command(const char *body, size_t len, struct inbound *out,
    char **why)
{
	return inbound_parse_slash(body, len, NULL, true, out, why);
}

/* ------------------------------------------------------------------ */
/* The buttons' tokens, answers and routes                             */

void
mattermost_action_token(const void *key, size_t keylen, const char *review,
    const char *decision, char out[65])
{
	unsigned char mac[32];
	struct buf msg = { 0 };

	buf_addf(&msg, "%s\n%s", review, decision);
	verify_hmac_sha256(key, keylen, msg.s, msg.len, mac);
	verify_hex(mac, sizeof(mac), out);
	buf_free(&msg);
}

/* The row's buttons: the URL of /mattermost/actions and the tokens. */
static void
mm_buttons(const char *public_url, const char *secret, const char *review,
    struct platform_buttons *out)
{
	static const char *const decisions[3] = { "approve",
		"approve-with-changes", "changes-required" };

	out->url = xasprintf("%s%s", public_url, MM_ACTIONS_PATH);
	for (int i = 0; i < 3; i++)
		mattermost_action_token(secret, strlen(secret), review,
		    decisions[i], out->token[i]);
}

char *
mattermost_answer_action(const char *ephemeral, const char *message)
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
	json_object_set_new(o, "ephemeral_text", answer_str(ephemeral));
	return answer_dump(o);
}

char *
mattermost_answer_text(const char *text, bool code)
{
	json_t *o = json_object();

	json_object_set_new(o, "response_type", json_string("ephemeral"));
	json_object_set_new(o, "text", answer_text_or_code(text, code));
	return answer_dump(o);
}

/*
 * What a click on a Mattermost button answers, to the clicking user only:
 * the slash command that makes the decision.  A click records nothing.
 * Mattermost does not sign action requests, and the button's context
 * (its review, decision and token) is in the post's props, which every
 * member of the channel can read: with it, a request naming any user_id
 * would pass as a click of that user.  A slash command's user_id is set
 * by Mattermost itself, so the decision is made there.  For the same
 * reason a click on "Request changes" gets no personal link to the page
 * (whoever sent it would get the link of the user it names): it is told
 * the slash command without a comment, whose answer has that link.
 */
static char *
mm_click_text(const struct inbound *in)
{
	const char *at = strrchr(in->review, '@');
	const char *verb = in->decision == NULL ? "approve" :
	    strcmp(in->decision, "changes-required") == 0 ? "changes" :
	    in->decision;
	char *name = at ? xstrndup(in->review, (size_t)(at - in->review)) :
	    xstrdup(in->review);
	bool changes = strcmp(verb, "changes") == 0;
	char *text = xasprintf("A button cannot decide for you: Mattermost "
	    "does not say who clicked in a way others cannot copy. To record "
	    "this decision, type `/printgate %s %s%s` (nothing was "
	    "recorded).%s%s%s", verb, name, changes ? " what must change" :
	    "", changes ? " Or type `/printgate changes " : "",
	    changes ? name : "", changes ? "` alone: printgate answers you, "
	    "and only you, with your own link to the review page, to write "
	    "it there." : "");

	free(name);
	return text;
}

/* A click: the token in the button's context proves we issued it. */
static void
mm_answer_action(const struct platform_request *rq, struct inbound *in,
    struct platform_answer *out)
{
	char token[65], *msg;

	mattermost_action_token(rq->secret, strlen(rq->secret),
	    in->review ? in->review : "", in->decision ? in->decision : "",
	    token);
	if (in->review == NULL || verify_token(token, in->token) < 0) {
		platform_answer_json(out, 401, mattermost_answer_action(
		    "this button's token does not match its review and "
		    "decision", NULL));
		return;
	}
	msg = mm_click_text(in);
	platform_answer_json(out, 200, mattermost_answer_action(msg, NULL));
	free(msg);
}

/* The slash command's token, first: nothing is parsed before it matches. */
static int
mm_verify_command(const struct platform_request *rq, char **why)
{
	char *token = NULL;
	int bad;

	inbound_form_get(rq->body, rq->len, "token", &token);
	bad = verify_token(rq->secret, token) < 0;
	free(token);
	if (bad)
		return verify_fail(why, -EACCES, "the slash command token is "
		    "missing or does not match");
	return 0;
}

static void
mm_answer_command(const struct platform_request *rq, struct inbound *in,
    struct platform_answer *out)
{
	platform_command_or_decision(rq, in, mattermost_answer_text, NULL,
	    out);
}

static void
mm_refuse_action(int status, const char *why, struct platform_answer *out)
{
	if (status == 404)
		platform_refuse_text(status, why, out);
	else
		platform_answer_json(out, status, mattermost_answer_action(why,
		    NULL));
}

static void
mm_refuse_command(int status, const char *why, struct platform_answer *out)
{
	platform_refuse_with(status, why, mattermost_answer_text, out);
}

static const struct platform_route mm_routes[] = {
	{ "POST", MM_ACTIONS_PATH, "application/json", "mattermost_actions",
	    NULL, mattermost_parse_action, mm_answer_action,
	    mm_refuse_action },
	{ "POST", "/mattermost/commands", "application/x-www-form-urlencoded",
	    "mattermost_commands", mm_verify_command,
	    mattermost_parse_command, mm_answer_command, mm_refuse_command },
};

const struct platform mattermost_platform = {
	.conf = { .name = "mattermost", .person_key = "mattermost",
	    .secret_setting = "mattermost_token_file" },
	.title = "Mattermost",
	.via = "mattermost",
	.via_user = true,
	.command = "/printgate",
	.format = mattermost_format,
	.buttons = mm_buttons,
	.routes = mm_routes,
	.nroutes = ARRAY_SIZE(mm_routes),
};
