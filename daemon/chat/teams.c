/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * teams.c - the body of a Microsoft Teams Workflows webhook for a notice:
 * a message whose one attachment is an Adaptive Card (1.4) with the
 * headline, the facts, the changed files linked in Markdown, the rules,
 * who is asked, the decision, and how to decide: Teams cards sent this way
 * cannot post back, so decisions come through the outgoing webhook,
 * "@printgate approve print/q1".
 *
 * Teams refuses a card over NOTICE_TEAMS_MAX_BYTES, whole, so the card is
 * built with every listed file, and rebuilt with one file line fewer
 * (counted in "and N more") until it fits; if it still does not, with the
 * long texts cut short, and at last with the headline, facts and how to
 * decide only.
 *
 * And the rest of Teams: the outgoing webhook's HMAC, its message parser,
 * its reply, and Teams' row of the platform table.
 */
#include "chat/teams.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chat/answer.h"
#include "chat/inbound.h"
#include "core/util.h"
#include "core/verify.h"

/* Caps on the pieces, in characters (bytes for URLs). */
#define PATH_MAX_CHARS 1024
#define URL_MAX_BYTES 2048
#define NAME_MAX_CHARS 100
#define FACT_MAX_CHARS 300
#define NOTE_MAX_CHARS 500
#define TITLE_PATH_CHARS 60	/* the path in "Open <path>" */

/* How much a card says: everything, the long texts cut, the least. */
enum teams_level {
	TEAMS_FULL,
	TEAMS_SHORT,
	TEAMS_LEAST,
};

/* In TEAMS_SHORT: caps on the texts and lists that can be long. */
#define SHORT_TEXT_CHARS 300
#define SHORT_RULES 10
#define SHORT_PEOPLE 10

/* Appends raw, any bytes, as valid UTF-8 Markdown text of max characters. */
static void
teams_add(struct buf *b, const char *raw, size_t max, bool multiline)
{
	char *s = notice_chat_text(raw ? raw : "", max, multiline);

	notice_md_escape(b, s);
	free(s);
}

/*
 * A person as text (Teams mentions need ids a webhook does not have): the
 * name, else the Teams name, else the id.
 */
static void
teams_person(struct buf *b, const struct notice_person *p)
{
	const char *handle = notice_person_handle(p, "teams");

	if (p != NULL && (p->name == NULL || *p->name == '\0') &&
	    handle != NULL && *handle != '\0')
		teams_add(b, handle, NAME_MAX_CHARS, false);
	else
		teams_add(b, notice_person_name(p), NAME_MAX_CHARS, false);
}

/*
 * Text of many lines: Adaptive Cards' Markdown joins lines that one
 * newline separates, so each becomes a paragraph.
 */
static void
teams_add_lines(struct buf *b, const char *raw, size_t max)
{
	struct buf t = { 0 };

	teams_add(&t, raw, max, true);
	for (const char *p = t.s; p && *p; p++) {
		if (*p == '\n')
			buf_adds(b, "\n\n");
		else
			buf_add(b, p, 1);
	}
	buf_free(&t);
}

/* A TextBlock that wraps; spacing "none" keeps list lines together. */
static json_t *
teams_text(const char *text, bool tight)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "type", "TextBlock", "text",
	    text, "wrap", true);

	if (tight)
		json_object_set_new(o, "spacing", json_string("none"));
	return o;
}

/*
 * The picture of the first changed page, small: Teams fetches it by its
 * URL (a capability for that picture alone).
 */
static void
teams_picture(json_t *body, const struct notice *n)
{
	char *url = notice_url(n->picture_url, URL_MAX_BYTES);
	char *alt = notice_chat_text(n->picture_alt ? n->picture_alt :
	    "the first changed page", NOTICE_MAX_PICTURE_ALT, false);

	if (url != NULL)
		json_array_append_new(body, json_pack("{s:s, s:s, s:s, s:s}",
		    "type", "Image", "url", url, "altText", alt, "size",
		    "medium"));
	free(url);
	free(alt);
}

/* Appends a TextBlock made of b's text, and empties b. */
static void
teams_take(json_t *body, struct buf *b, bool tight)
{
	json_array_append_new(body, teams_text(b->s ? b->s : "", tight));
	buf_free(b);
}

static json_t *
teams_fact(const char *title, const char *raw)
{
	struct buf b = { 0 };
	json_t *o;

	teams_add(&b, raw, FACT_MAX_CHARS, false);
	o = json_pack("{s:s, s:s}", "title", title, "value", b.s ? b.s : "");
	buf_free(&b);
	return o;
}

static json_t *
teams_facts(const struct notice *n)
{
	json_t *facts = json_array();
	char shortid[8];

	if (n->tag != NULL)
		json_array_append_new(facts, teams_fact("Tag", n->tag));
	notice_short(n->commit, shortid);
	if (*shortid != '\0')
		json_array_append_new(facts, teams_fact("Commit", shortid));
	json_array_append_new(facts, teams_fact("Previous print",
	    n->base_tag ? n->base_tag : NOTICE_FIRST_PRINT));
	if (n->deadline != NULL)
		json_array_append_new(facts, teams_fact("Print-By",
		    n->deadline));
	return json_pack("{s:s, s:o}", "type", "FactSet", "facts", facts);
}

static void
teams_outcome(json_t *body, const struct notice *n, size_t textmax)
{
	const char *verb = notice_decision_name(n->decision);
	struct buf b = { 0 };

	if (n->decision != NULL) {
		buf_adds(&b, "**Decision:** ");
		teams_person(&b, n->by);
		if (verb != NULL) {
			buf_addf(&b, " %s", verb);
		} else {
			buf_adds(&b, " decided ");
			teams_add(&b, n->decision, FACT_MAX_CHARS, false);
		}
		teams_take(body, &b, false);
	} else if (n->by != NULL) {
		buf_addf(&b, "**%s:** ", notice_by_label(n));
		teams_person(&b, n->by);
		teams_take(body, &b, false);
	}
	if (notice_comment(n) != NULL) {
		buf_adds(&b, "**Comment:** ");
		teams_add_lines(&b, notice_comment(n), textmax);
		teams_take(body, &b, false);
	}
	if (n->reason != NULL && *n->reason != '\0') {
		buf_adds(&b, "**What happened:** ");
		teams_add_lines(&b, n->reason, textmax);
		teams_take(body, &b, false);
	}
	if (n->summary != NULL && *n->summary != '\0') {
		buf_adds(&b, "**What changed:** ");
		teams_add_lines(&b, n->summary, textmax);
		teams_take(body, &b, false);
		teams_picture(body, n);
	}
	if (n->kind == NOTICE_APPROVED) {
		struct notice_words w;

		notice_release_step(n, &w);
		buf_adds(&b, w.before);
		if (w.subject)
			teams_add(&b, w.subject, FACT_MAX_CHARS, false);
		buf_adds(&b, w.after);
		teams_take(body, &b, false);
	}
}

/* The first shown file lines, the rest counted in "and N more". */
static void
teams_files(json_t *body, const struct notice *n, size_t shown)
{
	size_t more, listed = notice_files_listed(n, &more);
	struct buf b = { 0 };

	if (listed + more == 0)
		return;
	buf_addf(&b, "**Changed files** (%zu)", listed + more);
	if (shown > listed)
		shown = listed;
	more += listed - shown;
	teams_take(body, &b, false);
	for (size_t i = 0; i < shown; i++) {
		const struct notice_file *f = &n->files[i];
		char *url = notice_url(f->url, URL_MAX_BYTES);

		buf_adds(&b, "- ");
		if (url != NULL) {
			buf_adds(&b, "[");
			teams_add(&b, f->path, PATH_MAX_CHARS, false);
			buf_addf(&b, "](%s)", url);
		} else {
			teams_add(&b, f->path, PATH_MAX_CHARS, false);
		}
		buf_addf(&b, " (%s)", notice_status_name(f->status));
		teams_take(body, &b, true);
		free(url);
	}
	if (more > 0) {
		buf_addf(&b, "- and %zu more", more);
		teams_take(body, &b, true);
	}
}

static void
teams_rules(json_t *body, const struct notice *n, size_t max)
{
	size_t shown = n->rules ? n->nrules : 0;
	struct buf b = { 0 };

	if (shown == 0)
		return;
	if (shown > max)
		shown = max;
	buf_adds(&b, "**Rules**");
	teams_take(body, &b, false);
	for (size_t i = 0; i < shown; i++) {
		const struct notice_rule *r = &n->rules[i];
		char num[64];

		buf_adds(&b, "- **");
		teams_add(&b, r->name, NAME_MAX_CHARS, false);
		buf_addf(&b, "**: %s", notice_approvals(r, num));
		teams_add(&b, r->group, NAME_MAX_CHARS, false);
		buf_adds(&b, notice_rule_state(r));
		teams_take(body, &b, true);
		if (r->again != NULL) {
			json_t *note;

			buf_adds(&b, "_");
			teams_add(&b, r->again, NOTE_MAX_CHARS, false);
			buf_adds(&b, "_");
			note = teams_text(b.s, true);
			json_object_set_new(note, "isSubtle", json_true());
			json_array_append_new(body, note);
			buf_free(&b);
		}
	}
	if (n->nrules > shown) {
		buf_addf(&b, "- and %zu more", n->nrules - shown);
		teams_take(body, &b, true);
	}
}

static void
teams_asked(json_t *body, const struct notice *n, size_t max)
{
	size_t shown = n->asked ? n->nasked : 0;
	struct buf b = { 0 };

	if (shown == 0)
		return;
	if (shown > max)
		shown = max;
	buf_addf(&b, "**%s:** ", notice_asked_label(n->kind));
	for (size_t i = 0; i < shown; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		teams_person(&b, &n->asked[i]);
	}
	if (n->nasked > shown)
		buf_addf(&b, " and %zu more", n->nasked - shown);
	teams_take(body, &b, false);
}

/* How to decide: the outgoing webhook, "@printgate approve print/q1". */
static void
teams_hint(json_t *body, const struct notice *n)
{
	struct buf b = { 0 };

	buf_adds(&b, "To decide, reply in this channel **@printgate approve ");
	teams_add(&b, notice_subject(n), FACT_MAX_CHARS, false);
	buf_adds(&b, "** (a comment may follow) or **@printgate changes ");
	teams_add(&b, notice_subject(n), FACT_MAX_CHARS, false);
	buf_adds(&b, "** followed by what must change.");
	teams_take(body, &b, false);
}

/* Action.OpenUrl for the first file with a URL, or NULL. */
static json_t *
teams_open(const struct notice *n)
{
	size_t more, listed = notice_files_listed(n, &more);

	for (size_t i = 0; i < listed; i++) {
		char *url = notice_url(n->files[i].url, URL_MAX_BYTES);
		char *path, *title;
		json_t *o;

		if (url == NULL)
			continue;
		path = notice_chat_text(n->files[i].path ?
		    n->files[i].path : "", TITLE_PATH_CHARS, false);
		title = xasprintf("Open %s", path);
		o = json_pack("{s:s, s:s, s:s}", "type", "Action.OpenUrl",
		    "title", title, "url", url);
		free(path);
		free(title);
		free(url);
		return o;
	}
	return NULL;
}

/* Action.OpenUrl "Open review" to the review page, or NULL. */
static json_t *
teams_review(const struct notice *n)
{
	char *url = notice_review_link(n) ?
	    notice_url(notice_review_link(n), URL_MAX_BYTES) : NULL;
	json_t *o;

	if (url == NULL)
		return NULL;
	o = json_pack("{s:s, s:s, s:s}", "type", "Action.OpenUrl", "title",
	    "Open review", "url", url);
	free(url);
	return o;
}

/* The whole body with `shown` file lines, saying as much as level allows. */
static char *
teams_build(const struct notice *n, size_t shown, enum teams_level level)
{
	json_t *body = json_array(), *card, *root, *open = NULL;
	json_t *actions, *review;
	char *headline = notice_headline(n), *out;
	struct buf b = { 0 };

	notice_md_escape(&b, headline);
	json_array_append_new(body, json_pack("{s:s, s:s, s:s, s:s, s:b}",
	    "type", "TextBlock", "text", b.s, "weight", "bolder", "size",
	    "medium", "wrap", true));
	buf_free(&b);
	json_array_append_new(body, teams_facts(n));
	if (level != TEAMS_LEAST) {
		bool full = level == TEAMS_FULL;

		teams_outcome(body, n, full ? NOTICE_MAX_TEXT :
		    SHORT_TEXT_CHARS);
		teams_files(body, n, shown);
		teams_rules(body, n, full ? SIZE_MAX : SHORT_RULES);
		teams_asked(body, n, full ? NOTICE_MAX_PEOPLE : SHORT_PEOPLE);
		open = teams_open(n);
	}
	if (notice_wants_decision(n))
		teams_hint(body, n);
	/* with a review page, its link says where the review stands */
	if (level != TEAMS_LEAST && notice_review_link(n) == NULL &&
	    n->status_command != NULL && *n->status_command != '\0') {
		json_t *status;

		buf_adds(&b, "Status: ");
		teams_add(&b, n->status_command, FACT_MAX_CHARS, false);
		status = teams_text(b.s, false);
		json_object_set_new(status, "isSubtle", json_true());
		json_array_append_new(body, status);
		buf_free(&b);
	}

	card = json_pack("{s:s, s:s, s:s, s:o}",
	    "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
	    "type", "AdaptiveCard", "version", "1.4", "body", body);
	actions = json_array();
	if ((review = teams_review(n)) != NULL)
		json_array_append_new(actions, review);
	if (open != NULL)
		json_array_append_new(actions, open);
	if (card != NULL && json_array_size(actions) > 0)
		json_object_set_new(card, "actions", actions);
	else
		json_decref(actions);
	root = json_pack("{s:s, s:[{s:s, s:n, s:o}]}", "type", "message",
	    "attachments", "contentType",
	    "application/vnd.microsoft.card.adaptive", "contentUrl",
	    "content", card);
	out = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	free(headline);
	return out;
}

/*
 * Returns the body for a Teams Workflows webhook, under
 * NOTICE_TEAMS_MAX_BYTES, which the caller frees; NULL when memory runs
 * out.
 */
char *
teams_format(const struct notice *n)
{
	size_t more, listed = notice_files_listed(n, &more);

	for (int level = TEAMS_FULL; level < TEAMS_LEAST; level++) {
		for (size_t shown = listed + 1; shown-- > 0;) {
			char *out = teams_build(n, shown,
			    (enum teams_level)level);

			if (out == NULL || strlen(out) < NOTICE_TEAMS_MAX_BYTES)
				return out;
			free(out);
		}
	}
	/*
	 * The least card: the headline, facts and hint, each capped at a few
	 * hundred characters, so a few KiB at most.
	 */
	return teams_build(n, 0, TEAMS_LEAST);
}

/* ------------------------------------------------------------------ */
/* Inbound: POST /teams/messages, an outgoing webhook                  */

/* The entities a message's text uses, and what they stand for. */
static const struct {
	const char *name;
	char c;
} teams_entities[] = {
	{ "&nbsp;", ' ' }, { "&#160;", ' ' }, { "&amp;", '&' },
	{ "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
	{ "&#39;", '\'' }, { "&apos;", '\'' },
};

/* The length of the entity or no-break space at p, and its byte in *c. */
static size_t
teams_entity(const char *p, char *c)
{
	if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0) {
		*c = ' ';	/* U+00A0, as Teams also sends it */
		return 2;
	}
	if (*p != '&')
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(teams_entities); i++) {
		size_t n = strlen(teams_entities[i].name);

		if (strncmp(p, teams_entities[i].name, n) == 0) {
			*c = teams_entities[i].c;
			return n;
		}
	}
	return 0;
}

/* Whether p starts a tag's name ("<p", "</div", "<!--"), given a '>'. */
static bool
teams_tag_start(const char *p)
{
	return p[0] == '<' && ((p[1] >= 'a' && p[1] <= 'z') ||
	    (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '/' || p[1] == '!');
}

/* Whether the tag at p, which ends at gt, is one of names ("br", "/p"). */
static bool
teams_tag_breaks(const char *p, const char *gt)
{
	static const char *const names[] = { "br", "p", "/p", "div", "/div" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i]);

		if ((size_t)(gt - p - 1) >= n &&
		    strncasecmp(p + 1, names[i], n) == 0 &&
		    strchr(" \t\n/>", p[1 + n]) != NULL)
			return true;
	}
	return false;
}

/*
 * The command in the text of a message, as plain text into *out: the
 * text must start (after spaces and tags like <p>) with the mention of
 * the webhook, <at>NAME</at>, which goes with any other mentions right
 * after it; then tags go (<br>, <p> and <div> as line ends), and
 * entities and no-break spaces become what they stand for.  One pass:
 * the '>' that ends a tag is looked for once for all the '<' before it.
 */
static int
teams_plain(const char *html, char **out, char **why)
{
	const char *p = html, *gt = NULL, *close;
	size_t mentions = 0, n;
	bool no_gt = false;
	char *text, *o, c;

	for (;;) {
		if ((n = teams_entity(p, &c)) > 0 && c == ' ') {
			p += n;
		} else if (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n') {
			p++;
		} else if (strncasecmp(p, "<at>", 4) == 0 ||
		    strncasecmp(p, "<at ", 4) == 0) {
			if ((close = strcasestr(p, "</at>")) == NULL)
				return inbound_fail(why, "the mention <at> in "
				    "'text' is not closed");
			p = close + 5;
			mentions++;
		} else if (teams_tag_start(p) && (gt = strchr(p, '>')) !=
		    NULL) {
			p = gt + 1;
		} else {
			break;
		}
	}
	if (mentions == 0)
		return inbound_fail(why, "'text' does not start with a mention "
		    "of printgate (<at>NAME</at>)");
	o = text = xmalloc(strlen(p) + 1);
	gt = NULL;
	while (*p != '\0') {
		if (!no_gt && teams_tag_start(p)) {
			if (gt == NULL || gt < p) {
				gt = strchr(p, '>');
				no_gt = gt == NULL;	/* none left */
			}
			if (!no_gt) {
				if (teams_tag_breaks(p, gt))
					*o++ = '\n';
				p = gt + 1;
				continue;
			}
		}
		if ((n = teams_entity(p, &c)) > 0) {
			*o++ = c;
			p += n;
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	*out = text;
	return 0;
}

/*
 * "@printgate approve print/q1 looks good" in a channel: Teams posts the
 * message as a Bot Framework activity of type message.  The activity id
 * is what makes it unique; from.id and from.aadObjectId name the person.
 */
int
teams_parse_message(const char *body, size_t len, struct inbound *out,
    char **why)
{
	struct inbound in = { 0 };
	char *id = NULL, *user = NULL, *alt = NULL, *text = NULL, q[48];
	json_t *root, *from, *t;
	const char *type;
	int error;

	if ((error = inbound_json_body(body, len, &root, why)) < 0)
		return error;
	type = json_string_value(json_object_get(root, "type"));
	if (type == NULL || strcmp(type, "message") != 0) {
		error = inbound_fail(why, "'type' is %s%s%s, not message",
		    type ? "'" : "", type ? inbound_quote(type, q, sizeof(q)) :
		    "missing or not a string", type ? "'" : "");
		goto done;
	}
	if ((error = inbound_json_str(root, "id", "'id'", true, true,
	    INBOUND_FIELD_ID, &id, why)) < 0)
		goto done;
	from = json_object_get(root, "from");
	if (!json_is_object(from)) {
		error = inbound_fail(why, "'from' is %s",
		    from == NULL || json_is_null(from) ? "missing" :
		    "not an object");
		goto done;
	}
	if ((error = inbound_json_str(from, "id", "'from.id'", true, true,
	    INBOUND_FIELD_ID, &user, why)) < 0 ||
	    (error = inbound_json_str(from, "aadObjectId", "'from.aadObjectId'",
	    false, true, INBOUND_FIELD_ID, &alt, why)) < 0)
		goto done;
	t = json_object_get(root, "text");
	if (!json_is_string(t)) {
		error = inbound_fail(why, "'text' is %s",
		    t == NULL || json_is_null(t) ? "missing" :
		    "not a string");
		goto done;
	}
	if ((error = teams_plain(json_string_value(t), &text, why)) < 0 ||
	    (error = inbound_parse_text(text, &in, why)) < 0)
		goto done;
	in.action_id = id;
	in.user = user;
	in.user_alt = alt;
	id = user = alt = NULL;
	*out = in;
done:
	json_decref(root);
	free(id);
	free(user);
	free(alt);
	free(text);
	return error;
}

/* ------------------------------------------------------------------ */
/* The outgoing webhook's HMAC, its reply and its route                */

int
teams_verify(const char *secret_b64, const char *authorization,
    const void *body, size_t len, char **why)
{
	unsigned char want[32], got[32], *key = NULL;
	size_t keylen = 0;
	const char *p;

	if (verify_empty(secret_b64))
		return verify_fail(why, -EINVAL, "no Teams secret configured");
	if (verify_empty(authorization))
		return verify_fail(why, -EBADMSG, "missing Authorization header");
	/* an HTTP auth scheme is case-insensitive; one or more spaces */
	if (strncasecmp(authorization, "HMAC ", 5) != 0)
		return verify_fail(why, -EBADMSG,
		    "Authorization is not \"HMAC <base64>\"");
	for (p = authorization + 5; *p == ' '; p++)
		continue;
	if (verify_unbase64_32(p, got) < 0)
		return verify_fail(why, -EBADMSG, "Authorization is not "
		    "\"HMAC\" and the base64 of a 32-byte HMAC-SHA256");
	if (verify_unbase64(secret_b64, &key, &keylen) < 0)
		return verify_fail(why, -EBADMSG,
		    "the configured Teams secret is not base64");
	verify_hmac_sha256(key, keylen, len > 0 ? body : "", len, want);
	verify_cleanse(key, keylen);
	free(key);
	if (!verify_equal(want, sizeof(want), got, sizeof(got)))
		return verify_fail(why, -EACCES,
		    "Authorization HMAC does not match the body");
	return 0;
}

/*
 * A Teams outgoing webhook's reply is posted in the channel, for all to
 * see: a tag or path in it must mention no one.
 */
char *
teams_answer_text(const char *text, bool code)
{
	json_t *o = json_object();
	char *t = NULL, *safe = notice_defuse(text ? text : "");

	json_object_set_new(o, "type", json_string("message"));
	if (code) {
		/* Teams renders <pre> in outgoing webhook replies */
		t = xasprintf("<pre>%s</pre>", safe);
		json_object_set_new(o, "text", answer_str(t));
		free(t);
	} else
		json_object_set_new(o, "text", answer_str(safe));
	free(safe);
	return answer_dump(o);
}

static int
teams_route_verify(const struct platform_request *rq, char **why)
{
	return teams_verify(rq->secret, rq->header(rq->conn, "Authorization"),
	    rq->body, rq->len, why);
}

static void
teams_answer(const struct platform_request *rq, struct inbound *in,
    struct platform_answer *out)
{
	platform_command_or_decision(rq, in, teams_answer_text, NULL, out);
}

static void
teams_refuse(int status, const char *why, struct platform_answer *out)
{
	platform_refuse_with(status, why, teams_answer_text, out);
}

static const struct platform_route teams_routes[] = {
	{ "POST", "/teams/messages", "application/json", "teams_messages",
	    teams_route_verify, teams_parse_message, teams_answer,
	    teams_refuse },
};

const struct platform teams_platform = {
	.conf = { .name = "teams", .person_key = "teams",
	    .secret_setting = "teams_secret_file" },
	.title = "Teams",
	.via = "teams",
	.via_user = true,
	.command = "@printgate",
	/* an outgoing webhook's reply is posted in the channel */
	.answers_public = true,
	/* the Azure AD object id cannot be renamed to someone else's */
	.user_alt_stable = true,
	.format = teams_format,
	.routes = teams_routes,
	.nroutes = ARRAY_SIZE(teams_routes),
};
