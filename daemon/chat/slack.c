/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * slack.c - the body of a Slack incoming webhook for a notice: Block Kit
 * with a header, the facts, the changed files linked through browse_url,
 * the rules, who is asked, and for an open review the Approve / Approve
 * with changes / Request changes buttons, whose value is the review key
 * that /slack/actions looks up.
 *
 * Slack refuses a whole message when one part of it is over a limit, so
 * every piece of text here has a budget, counted as Slack counts (UTF-16
 * units, after escaping): a header 150, a section's text 3000, a field
 * 2000, 50 blocks.  Text from people (paths, names, comments) has & < >
 * escaped, mentions are made only from ids that look like Slack's, and
 * each list takes a bounded number of sections, so the caps hold for any
 * notice.
 *
 * And the rest of Slack: the v0 request signature, the parsers of
 * /slack/actions and /slack/commands, their answers, and Slack's row of
 * the platform table.
 */
#include "chat/slack.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "chat/answer.h"
#include "chat/inbound.h"
#include "core/util.h"
#include "core/verify.h"

/* Slack's limits. */
#define SLACK_MAX_BLOCKS 50
#define SLACK_HEADER_MAX 150
#define SLACK_TEXT_MAX 3000	/* a section's or context element's text */
#define SLACK_FIELD_MAX 2000	/* a field's text: FACT_BUDGET keeps it */
#define SLACK_VALUE_MAX 2000	/* a button's value */
#define SLACK_BLOCK_ID_MAX 255
#define SLACK_URL_MAX 3000	/* a button's url */
#define SLACK_OPEN_REVIEW "open-review"	/* the link button's action_id */
#define SLACK_ID_MAX 32		/* "U04ALICE": longer is not an id */

/* Budgets for the pieces, in Slack characters; each line fits a section. */
#define FALLBACK_BUDGET 3000	/* `text`: the notification */
#define PATH_BUDGET 800
#define URL_MAX 1500
#define NAME_BUDGET 200
#define FACT_BUDGET 500		/* well within SLACK_FIELD_MAX */
#define NOTE_BUDGET 1000	/* a rule's "again" */
#define LONG_BUDGET 2800	/* a comment, a reason */
#define COMMAND_BUDGET 500

/*
 * Sections each list may take.  With the fixed blocks (header, facts,
 * decision, comment, reason, note, summary, picture, actions, context:
 * 10) they stay within
 * SLACK_MAX_BLOCKS whatever the notice holds.
 */
#define FILES_SECTIONS 20
#define RULES_SECTIONS 10
#define ASKED_SECTIONS 5

/* Slack's length of a valid UTF-8 string: UTF-16 units. */
static size_t
slack_units(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xc0) != 0x80)
			n++;
		if (*p >= 0xf0)
			n++;
	}
	return n;
}

/*
 * The character at p (valid UTF-8) as it goes into a message: *text and
 * *len its bytes, *units its Slack length.  Returns its length in p.
 */
static size_t
slack_char(const char *p, bool escape, const char **text, size_t *len,
    size_t *units)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	*text = p;
	*len = n;
	*units = n == 4 ? 2 : 1;
	if (escape && (c == '&' || c == '<' || c == '>')) {
		*text = c == '&' ? "&amp;" : c == '<' ? "&lt;" : "&gt;";
		*len = *units = strlen(*text);
	}
	return n;
}

/*
 * Appends raw, any bytes, made valid UTF-8 and (with escape) & < >
 * escaped, in at most budget Slack characters: longer text is cut at a
 * character, never inside an escape, and ends with "…".
 */
static void
slack_add(struct buf *b, const char *raw, size_t budget, bool multiline,
    bool escape)
{
	char *s = notice_chat_text(raw ? raw : "", budget, multiline);
	const char *text;
	size_t len, units, total = 0, used = 0;

	for (const char *p = s; *p;) {
		p += slack_char(p, escape, &text, &len, &units);
		total += units;
	}
	for (const char *p = s; *p;) {
		p += slack_char(p, escape, &text, &len, &units);
		if (total > budget && used + units > budget - 1) {
			buf_adds(b, "…");
			break;
		}
		buf_add(b, text, len);
		used += units;
	}
	free(s);
}

/* An id Slack mentions by: capitals and digits ("U04ALICE", "W012AB"). */
static bool
slack_id_ok(const char *id)
{
	size_t n = 0;

	if (id == NULL)
		return false;
	for (; id[n]; n++)
		if (!((id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= '0' && id[n] <= '9')))
			return false;
	return n > 0 && n <= SLACK_ID_MAX;
}

/* A person as <@U04ALICE> when Slack knows them, else their name. */
static void
slack_person(struct buf *b, const struct notice_person *p)
{
	const char *id = notice_person_handle(p, "slack");

	if (p != NULL && slack_id_ok(id))
		buf_addf(b, "<@%s>", id);
	else
		slack_add(b, notice_person_name(p), NAME_BUDGET, false, true);
}

static json_t *
slack_mrkdwn(const char *text)
{
	return json_pack("{s:s, s:s}", "type", "mrkdwn", "text", text);
}

static json_t *
slack_plain(const char *text)
{
	return json_pack("{s:s, s:s, s:b}", "type", "plain_text", "text",
	    text, "emoji", true);
}

/* The message being built. */
struct slack_msg {
	json_t *blocks;
};

/* Appends a block, or drops it when Slack's count is reached. */
static void
slack_block(struct slack_msg *m, json_t *block)
{
	if (block == NULL)
		return;
	if (json_array_size(m->blocks) >= SLACK_MAX_BLOCKS) {
		json_decref(block);
		return;
	}
	json_array_append_new(m->blocks, block);
}

static void
slack_section(struct slack_msg *m, const char *text)
{
	slack_block(m, json_pack("{s:s, s:o}", "type", "section", "text",
	    slack_mrkdwn(text)));
}

/*
 * A list of lines spread over as many sections as it needs, at most
 * max_sections: once the next section would be one too many, the list
 * ends with "…".  Every line must fit a section.
 */
struct slack_list {
	struct slack_msg *m;
	struct buf text;
	size_t units;		/* of text */
	size_t nitems;		/* in the current section */
	size_t nsections;
	size_t max_sections;
	const char *sep;	/* between items */
	bool full;
};

static void
slack_list_start(struct slack_list *l, struct slack_msg *m,
    const char *title, const char *sep, size_t max_sections)
{
	memset(l, 0, sizeof(*l));
	l->m = m;
	l->sep = sep;
	l->max_sections = max_sections;
	buf_adds(&l->text, title);
	l->units = slack_units(title);
}

static void
slack_list_flush(struct slack_list *l)
{
	if (l->text.len == 0)
		return;
	slack_section(l->m, l->text.s);
	buf_free(&l->text);
	l->units = 0;
	l->nitems = 0;
	l->nsections++;
}

static void
slack_list_add(struct slack_list *l, const char *item)
{
	const char *sep = l->nitems > 0 ? l->sep : l->text.len ? "\n" : "";
	size_t units = slack_units(sep) + slack_units(item);

	if (l->full)
		return;
	/* keep room for "\n…" */
	if (l->units + units > SLACK_TEXT_MAX - 2 && l->text.len > 0) {
		if (l->nsections + 1 >= l->max_sections) {
			buf_adds(&l->text, "\n…");
			l->full = true;
			return;
		}
		slack_list_flush(l);
		sep = "";
		units = slack_units(item);
	}
	buf_adds(&l->text, sep);
	buf_adds(&l->text, item);
	l->units += units;
	l->nitems++;
}

static void
slack_list_end(struct slack_list *l)
{
	slack_list_flush(l);
	buf_free(&l->text);
}

/* Adds the item built in b to the list, and empties b. */
static void
slack_list_take(struct slack_list *l, struct buf *b)
{
	slack_list_add(l, b->s ? b->s : "");
	buf_free(b);
}

static void
slack_facts(struct slack_msg *m, const struct notice *n)
{
	json_t *fields = json_array();
	struct buf b = { 0 };
	char shortid[8];

	if (n->tag != NULL) {
		buf_adds(&b, "*Tag*\n");
		slack_add(&b, n->tag, FACT_BUDGET, false, true);
		json_array_append_new(fields, slack_mrkdwn(b.s));
		buf_free(&b);
	}
	notice_short(n->commit, shortid);
	if (*shortid != '\0') {
		buf_adds(&b, "*Commit*\n`");
		slack_add(&b, shortid, FACT_BUDGET, false, true);
		buf_adds(&b, "`");
		json_array_append_new(fields, slack_mrkdwn(b.s));
		buf_free(&b);
	}
	buf_adds(&b, "*Previous print*\n");
	if (n->base_tag != NULL)
		slack_add(&b, n->base_tag, FACT_BUDGET, false, true);
	else
		buf_adds(&b, NOTICE_FIRST_PRINT);
	json_array_append_new(fields, slack_mrkdwn(b.s));
	buf_free(&b);
	if (n->deadline != NULL) {
		buf_adds(&b, "*Print-By*\n");
		slack_add(&b, n->deadline, FACT_BUDGET, false, true);
		json_array_append_new(fields, slack_mrkdwn(b.s));
		buf_free(&b);
	}
	slack_block(m, json_pack("{s:s, s:o}", "type", "section", "fields",
	    fields));
}

/*
 * Who decided what, the comment, what went wrong, what happens next.  The
 * one who decided is named, not mentioned: they know already.
 */
static void
slack_outcome(struct slack_msg *m, const struct notice *n)
{
	struct buf b = { 0 };
	const char *verb = notice_decision_name(n->decision);

	if (n->decision != NULL) {
		buf_adds(&b, "*Decision:* ");
		slack_add(&b, notice_person_name(n->by), NAME_BUDGET, false,
		    true);
		if (verb != NULL) {
			buf_addf(&b, " %s", verb);
		} else {
			buf_adds(&b, " decided `");
			slack_add(&b, n->decision, FACT_BUDGET, false, true);
			buf_adds(&b, "`");
		}
		slack_section(m, b.s);
		buf_free(&b);
	} else if (n->by != NULL) {
		buf_addf(&b, "*%s:* ", notice_by_label(n));
		slack_add(&b, notice_person_name(n->by), NAME_BUDGET, false,
		    true);
		slack_section(m, b.s);
		buf_free(&b);
	}
	if (notice_comment(n) != NULL) {
		buf_adds(&b, "*Comment*\n");
		slack_add(&b, notice_comment(n), LONG_BUDGET, true, true);
		slack_section(m, b.s);
		buf_free(&b);
	}
	if (n->reason != NULL && *n->reason != '\0') {
		buf_adds(&b, "*What happened*\n");
		slack_add(&b, n->reason, LONG_BUDGET, true, true);
		slack_section(m, b.s);
		buf_free(&b);
	}
	if (n->kind == NOTICE_APPROVED) {
		struct notice_words w;

		notice_release_step(n, &w);
		buf_adds(&b, w.before);
		if (w.subject)
			slack_add(&b, w.subject, FACT_BUDGET, false, true);
		buf_adds(&b, w.after);
		slack_section(m, b.s);
		buf_free(&b);
	}
}

/* What changed (the notice's summary), as a section of its own. */
static void
slack_summary(struct slack_msg *m, const struct notice *n)
{
	struct buf b = { 0 };

	if (n->summary == NULL || *n->summary == '\0')
		return;
	buf_adds(&b, "*What changed*\n");
	slack_add(&b, n->summary, NOTICE_MAX_SUMMARY, true, true);
	slack_section(m, b.s);
	buf_free(&b);
}

/*
 * The picture of the first changed page, under the summary: Slack
 * fetches it by its URL (a capability for that picture alone).
 */
static void
slack_picture(struct slack_msg *m, const struct notice *n)
{
	char *url = notice_url(n->picture_url, SLACK_URL_MAX);
	char *alt = notice_chat_text(n->picture_alt ? n->picture_alt :
	    "the first changed page", NOTICE_MAX_PICTURE_ALT, false);

	if (url != NULL && n->summary != NULL)
		slack_block(m, json_pack("{s:s, s:s, s:s}", "type", "image",
		    "image_url", url, "alt_text", alt));
	free(url);
	free(alt);
}

static void
slack_files(struct slack_msg *m, const struct notice *n)
{
	struct slack_list l;
	struct buf b = { 0 };
	size_t more, listed = notice_files_listed(n, &more);

	if (listed + more == 0)
		return;
	buf_addf(&b, "*Changed files* (%zu)", listed + more);
	slack_list_start(&l, m, b.s, "\n", FILES_SECTIONS);
	buf_free(&b);
	for (size_t i = 0; i < listed; i++) {
		const struct notice_file *f = &n->files[i];
		char *url = notice_url(f->url, URL_MAX);
		size_t urlunits = 0;

		/* & is the one character of a URL that grows: &amp; */
		for (const char *p = url; p && *p; p++)
			urlunits += *p == '&' ? 5 : 1;
		buf_adds(&b, "• ");
		if (url != NULL && urlunits <= URL_MAX) {
			buf_adds(&b, "<");
			slack_add(&b, url, URL_MAX, false, true);
			buf_adds(&b, "|");
			slack_add(&b, f->path, PATH_BUDGET, false, true);
			buf_adds(&b, ">");
		} else {
			slack_add(&b, f->path, PATH_BUDGET, false, true);
		}
		buf_addf(&b, " (%s)", notice_status_name(f->status));
		slack_list_take(&l, &b);
		free(url);
	}
	if (more > 0) {
		buf_addf(&b, "and %zu more", more);
		slack_list_take(&l, &b);
	}
	slack_list_end(&l);
}

static void
slack_rules(struct slack_msg *m, const struct notice *n)
{
	struct slack_list l;
	struct buf b = { 0 };

	if (n->nrules == 0 || n->rules == NULL)
		return;
	slack_list_start(&l, m, "*Rules*", "\n", RULES_SECTIONS);
	for (size_t i = 0; i < n->nrules; i++) {
		const struct notice_rule *r = &n->rules[i];
		char num[64];

		buf_adds(&b, "• *");
		slack_add(&b, r->name, NAME_BUDGET, false, true);
		buf_addf(&b, "*: %s", notice_approvals(r, num));
		slack_add(&b, r->group, NAME_BUDGET, false, true);
		buf_adds(&b, notice_rule_state(r));
		if (r->again != NULL) {
			buf_adds(&b, "\n      _");
			slack_add(&b, r->again, NOTE_BUDGET, false, true);
			buf_adds(&b, "_");
		}
		slack_list_take(&l, &b);
	}
	slack_list_end(&l);
}

static void
slack_asked(struct slack_msg *m, const struct notice *n)
{
	struct slack_list l;
	struct buf b = { 0 };
	size_t shown = n->asked ? n->nasked : 0;

	if (shown == 0)
		return;
	if (shown > NOTICE_MAX_PEOPLE)
		shown = NOTICE_MAX_PEOPLE;
	buf_addf(&b, "*%s*", notice_asked_label(n->kind));
	slack_list_start(&l, m, b.s, ", ", ASKED_SECTIONS);
	buf_free(&b);
	for (size_t i = 0; i < shown; i++) {
		slack_person(&b, &n->asked[i]);
		slack_list_take(&l, &b);
	}
	if (n->nasked > shown) {
		buf_addf(&b, "and %zu more", n->nasked - shown);
		slack_list_take(&l, &b);
	}
	slack_list_end(&l);
}

/*
 * The buttons carry the review key exactly, so they are left out when
 * Slack could not carry it: too long, or not text.
 */
static bool
slack_can_act(const struct notice *n)
{
	char *clean;
	bool ok;

	if (n->review == NULL || *n->review == '\0' ||
	    strlen(n->review) > SLACK_VALUE_MAX)
		return false;
	clean = notice_text(n->review, SLACK_VALUE_MAX, false);
	ok = strcmp(clean, n->review) == 0;
	free(clean);
	return ok;
}

static json_t *
slack_button(const char *label, const char *action, const char *style,
    const char *review)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:s}", "type", "button", "text",
	    slack_plain(label), "action_id", action, "value", review);

	if (style != NULL)
		json_object_set_new(o, "style", json_string(style));
	return o;
}

/*
 * The "Open review" link button: Slack opens its url, and tells the
 * actions route of the click too (action_id "open-review", answered with
 * an empty 200, nothing recorded).  NULL without a usable link.
 */
static json_t *
slack_link_button(const struct notice *n)
{
	char *url = notice_review_link(n) ?
	    notice_url(notice_review_link(n), SLACK_URL_MAX) : NULL;
	json_t *o;

	if (url == NULL)
		return NULL;
	o = json_pack("{s:s, s:o, s:s, s:s}", "type", "button", "text",
	    slack_plain("Open review"), "action_id", SLACK_OPEN_REVIEW, "url",
	    url);
	free(url);
	return o;
}

/*
 * The buttons (when act) and the link to the review page (when there is
 * one), in one actions block; none when there is neither.
 */
static void
slack_actions(struct slack_msg *m, const struct notice *n, bool act)
{
	json_t *a, *elements = json_array(), *link = slack_link_button(n);
	char *id;

	if (act) {
		json_array_append_new(elements, slack_button("Approve",
		    "approve", "primary", n->review));
		json_array_append_new(elements, slack_button("Approve with "
		    "changes", "approve-with-changes", NULL, n->review));
		json_array_append_new(elements, slack_button("Request changes",
		    "changes-required", "danger", n->review));
	}
	if (link != NULL)
		json_array_append_new(elements, link);
	if (json_array_size(elements) == 0) {
		json_decref(elements);
		return;
	}
	a = json_pack("{s:s}", "type", "actions");
	id = xasprintf("printgate:%s", n->review);
	if (strlen(id) <= SLACK_BLOCK_ID_MAX)
		json_object_set_new(a, "block_id", json_string(id));
	free(id);
	json_object_set_new(a, "elements", elements);
	slack_block(m, a);
}

/* The footnotes: how to decide without buttons, how to see the status. */
static void
slack_context(struct slack_msg *m, const struct notice *n, bool act)
{
	json_t *elements = json_array();
	struct buf b = { 0 };

	if (notice_wants_decision(n) && !act) {
		buf_adds(&b, "Decide with `/printgate approve ");
		slack_add(&b, notice_subject(n), COMMAND_BUDGET, false, true);
		buf_adds(&b, " [comment]` or `/printgate changes ");
		slack_add(&b, notice_subject(n), COMMAND_BUDGET, false, true);
		buf_adds(&b, " comment`");
		json_array_append_new(elements, slack_mrkdwn(b.s));
		buf_free(&b);
	}
	/* the review page says where it stands, in words, not a command */
	if (notice_review_link(n) == NULL && n->status_command != NULL &&
	    *n->status_command != '\0') {
		buf_adds(&b, "Status: `");
		slack_add(&b, n->status_command, COMMAND_BUDGET, false, true);
		buf_adds(&b, "`");
		json_array_append_new(elements, slack_mrkdwn(b.s));
		buf_free(&b);
	}
	if (json_array_size(elements) == 0) {
		json_decref(elements);
		return;
	}
	slack_block(m, json_pack("{s:s, s:o}", "type", "context", "elements",
	    elements));
}

/*
 * Returns the body for Slack's incoming webhook, which the caller frees,
 * or NULL when memory runs out.
 */
char *
slack_format(const struct notice *n)
{
	struct slack_msg m = { .blocks = json_array() };
	char *headline = notice_headline(n), *out;
	struct buf text = { 0 }, header = { 0 };
	bool act = notice_wants_decision(n) && slack_can_act(n);
	json_t *root;

	slack_add(&text, headline, FALLBACK_BUDGET, false, true);
	slack_add(&header, headline, SLACK_HEADER_MAX, false, false);
	slack_block(&m, json_pack("{s:s, s:o}", "type", "header", "text",
	    slack_plain(header.s)));
	slack_facts(&m, n);
	slack_outcome(&m, n);
	slack_summary(&m, n);
	slack_picture(&m, n);
	slack_files(&m, n);
	slack_rules(&m, n);
	slack_asked(&m, n);
	slack_actions(&m, n, act);
	slack_context(&m, n, act);

	root = json_pack("{s:s, s:o}", "text", text.s, "blocks", m.blocks);
	out = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	buf_free(&text);
	buf_free(&header);
	free(headline);
	return out;
}

/* ------------------------------------------------------------------ */
/* Inbound: POST /slack/actions and POST /slack/commands               */

/* The object member key of o into *out; absent or null gives NULL. */
static int
slack_json_obj(json_t *o, const char *key, const char *what, bool required,
    json_t **out, char **why)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return required ? inbound_fail(why, "%s is missing", what) : 0;
	if (!json_is_object(v))
		return inbound_fail(why, "%s is not an object", what);
	*out = v;
	return 0;
}

/*
 * A click on one of the buttons slack_format() made: a block_actions
 * payload whose first action is the button, its action_id the decision
 * and its value the review key.  Any other interaction is refused.
 */
/*
 * The interaction's payload as a JSON object of type block_actions, into
 * *root (the caller frees it).
 */
static int
action_payload(const char *body, size_t len, json_t **root, char **why)
{
	char *payload = NULL, q[48];
	const char *type;
	json_error_t jerr;
	json_t *o;
	int error;

	error = inbound_form_get(body, len, "payload", &payload);
	if (error == -ENOENT)
		return inbound_fail(why, "'payload' is missing: not a Slack "
		    "interaction");
	if (error < 0)
		return inbound_fail(why, "'payload' has a malformed %%-escape "
		    "or a NUL byte");
	o = json_loads(payload, JSON_REJECT_DUPLICATES, &jerr);
	free(payload);
	if (o == NULL)
		return inbound_fail(why, "'payload' is not JSON: %s",
		    jerr.text);
	if (!json_is_object(o))
		error = inbound_fail(why, "'payload' is not a JSON object");
	else if ((type = json_string_value(json_object_get(o,
	    "type"))) == NULL)
		error = inbound_fail(why, "'type' is missing or not a string");
	else if (strcmp(type, "block_actions") != 0)
		error = inbound_fail(why, "'type' is '%s', not block_actions",
		    inbound_quote(type, q, sizeof(q)));
	else {
		*root = o;
		return 0;
	}
	json_decref(o);
	return error;
}

/* The first action: a printgate button's decision and its review. */
static int
action_button(json_t *root, json_t **a, struct inbound *in, char **why)
{
	json_t *actions = json_object_get(root, "actions");
	const char *decision;
	char *action = NULL, q[48];
	int error;

	if (!json_is_array(actions) || json_array_size(actions) == 0)
		return inbound_fail(why, "'actions' is %s", actions == NULL ?
		    "missing" : json_is_array(actions) ? "empty" :
		    "not a list");
	*a = json_array_get(actions, 0);
	if (!json_is_object(*a))
		return inbound_fail(why, "'actions[0]' is not an object");
	if ((error = inbound_json_str(*a, "action_id",
	    "'actions[0].action_id'", true, true, INBOUND_FIELD_ID, &action,
	    why)) < 0)
		return error;
	if (strcmp(action, SLACK_OPEN_REVIEW) == 0) {
		/* the link button: nothing to decide (slack_answer_action()) */
		free(action);
		in->kind = INBOUND_OPEN;
		return 0;
	}
	if ((decision = inbound_decision(action, false)) == NULL) {
		error = inbound_fail(why, "unknown action_id '%s': not a "
		    "printgate button", inbound_quote(action, q, sizeof(q)));
		free(action);
		return error;
	}
	free(action);
	in->decision = xstrdup(decision);
	return inbound_json_str(*a, "value", "'actions[0].value'", true, true,
	    INBOUND_FIELD_REVIEW, &in->review, why);
}

/*
 * What makes the click unique: its trigger_id or, without one, the
 * message and the moment of the click (message_ts/action_ts).
 */
static int
action_id(json_t *root, json_t *a, struct inbound *in, char **why)
{
	char *mts = NULL, *ats = NULL, *id;
	json_t *container;
	int error;

	if ((error = inbound_json_str(root, "trigger_id", "'trigger_id'",
	    false, true, INBOUND_FIELD_ID, &in->action_id, why)) < 0 ||
	    in->action_id != NULL)
		return error;
	if ((error = slack_json_obj(root, "container", "'container'", false,
	    &container, why)) < 0 ||
	    (container != NULL && (error = inbound_json_str(container,
	    "message_ts", "'container.message_ts'", false, true,
	    INBOUND_FIELD_ID, &mts, why)) < 0) ||
	    (error = inbound_json_str(a, "action_ts", "'actions[0].action_ts'",
	    false, true, INBOUND_FIELD_ID, &ats, why)) < 0)
		goto done;
	if (mts != NULL && ats != NULL) {
		id = xasprintf("%s/%s", mts, ats);
		error = inbound_field_copy(INBOUND_FIELD_ID,
		    "the action id (message_ts/action_ts)", id,
		    &in->action_id, why);
		free(id);
	}
done:
	free(mts);
	free(ats);
	return error;
}

int
slack_parse_action(const char *body, size_t len, struct inbound *out,
    char **why)
{
	struct inbound in = { .kind = INBOUND_DECIDE };
	json_t *root = NULL, *user, *a = NULL;
	int error;

	if ((error = inbound_check_len(len, why)) < 0 ||
	    (error = action_payload(body, len, &root, why)) < 0)
		return error;
	if ((error = slack_json_obj(root, "user", "'user'", true, &user,
	    why)) < 0 ||
	    (error = inbound_json_str(user, "id", "'user.id'", true, true,
	    INBOUND_FIELD_ID, &in.user, why)) < 0 ||
	    (error = action_button(root, &a, &in, why)) < 0 ||
	    (error = action_id(root, a, &in, why)) < 0 ||
	    (error = inbound_json_str(root, "response_url", "'response_url'",
	    false, true, INBOUND_FIELD_URL, &in.response_url, why)) < 0)
		goto done;
	*out = in;
	memset(&in, 0, sizeof(in));
done:
	inbound_clear(&in);
	json_decref(root);
	return error;
}

/*
 * Slack sends a command's text with its control characters & < > as
 * &amp; &lt; &gt; (and nothing else escaped): the text as typed, in place.
 */
static void
slack_unescape(char *s)
{
	char *o = s;

	while (*s != '\0') {
		if (strncmp(s, "&amp;", 5) == 0) {
			*o++ = '&';
			s += 5;
		} else if (strncmp(s, "&lt;", 4) == 0) {
			*o++ = '<';
			s += 4;
		} else if (strncmp(s, "&gt;", 4) == 0) {
			*o++ = '>';
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/*
 * "/printgate approve print/q1 looks good": the command's text is parsed
 * by inbound_parse_text() once unescaped; user_name is the other id
 * people may be configured by.
 */
int
slack_parse_command(const char *body, size_t len, struct inbound *out,
    char **why)
{
	return inbound_parse_slash(body, len, slack_unescape, false, out, why);
}

/* ------------------------------------------------------------------ */
/* The v0 signature                                                    */

int
slack_verify(const char *secret, const char *timestamp,
    const char *signature, const void *body, size_t len, int64_t now,
    char **why)
{
	unsigned char want[32], got[32];
	struct buf msg = { 0 };
	int64_t ts;
	int error;

	if (verify_empty(secret))
		return verify_fail(why, -EINVAL, "no Slack signing secret "
		    "configured");
	if (verify_empty(timestamp))
		return verify_fail(why, -EBADMSG,
		    "missing X-Slack-Request-Timestamp header");
	if (verify_unix_time(timestamp, &ts) < 0)
		return verify_fail(why, -EBADMSG,
		    "X-Slack-Request-Timestamp is not a unix time in seconds");
	if (verify_empty(signature))
		return verify_fail(why, -EBADMSG, "missing X-Slack-Signature "
		    "header");
	if (!str_startswith(signature, "v0=") || verify_unhex32(signature + 3,
	    got) < 0)
		return verify_fail(why, -EBADMSG,
		    "X-Slack-Signature is not \"v0=\" and 64 hex digits");
	if ((error = verify_fresh(ts, now, why)) < 0)
		return error;
	buf_addf(&msg, "v0:%s:", timestamp);
	if (len > 0)
		buf_add(&msg, body, len);
	verify_hmac_sha256(secret, strlen(secret), msg.s, msg.len, want);
	buf_free(&msg);
	if (!verify_equal(want, sizeof(want), got, sizeof(got)))
		return verify_fail(why, -EACCES,
		    "X-Slack-Signature does not match the body");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Answers and routes                                                  */

char *
slack_answer_text(const char *text, bool code)
{
	json_t *o = json_object();

	json_object_set_new(o, "response_type", json_string("ephemeral"));
	json_object_set_new(o, "replace_original", json_false());
	json_object_set_new(o, "text", answer_text_or_code(text, code));
	return answer_dump(o);
}

char *
slack_answer_update(const char *message)
{
	json_t *o = json_loads(message, 0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		return slack_answer_text("printgate: cannot render the update",
		    false);
	}
	json_object_set_new(o, "replace_original", json_true());
	return answer_dump(o);
}

static int
slack_route_verify(const struct platform_request *rq, char **why)
{
	return slack_verify(rq->secret, rq->header(rq->conn,
	    "X-Slack-Request-Timestamp"), rq->header(rq->conn,
	    "X-Slack-Signature"), rq->body, rq->len, rq->now, why);
}

/* Posts text to the person's response_url, when the request gave one. */
static void
slack_post_text(const struct platform_request *rq, const struct inbound *in,
    const char *text, const char *review)
{
	char *msg;

	if (in->response_url == NULL)
		return;
	msg = slack_answer_text(text, false);
	rq->ls->post_back(rq->ls->ctx, in->response_url, msg, review,
	    "refusal");
	free(msg);
}

/*
 * A button: the decision is recorded, then the message it was on is
 * updated through its response_url (a refusal is told there too), and
 * the request itself gets an empty 200 or the refusal as text.  A replay
 * posts nothing back: a captured click replayed cannot make printgated
 * post to Slack again and again.
 */
static void
slack_answer_action(const struct platform_request *rq, struct inbound *in,
    struct platform_answer *out)
{
	const struct platform_listener *ls = rq->ls;
	struct platform_outcome o = { 0 };
	char *msg = NULL, *upd, *t;

	if (in->kind == INBOUND_OPEN) {
		/* "Open review": Slack opened the page; nothing to record */
		platform_answer_text(out, 200, "");
		return;
	}
	ls->decide(ls->ctx, in, in->action_id, &o);
	if (o.repeat) {
		/* answered before, messages updated then */
	} else if (o.link) {
		/* their own link, ephemeral: for the clicking person alone */
		slack_post_text(rq, in, o.text, o.review);
	} else if (o.status == 200 && in->response_url &&
	    (msg = ls->render(ls->ctx)) != NULL) {
		upd = slack_answer_update(msg);
		ls->post_back(ls->ctx, in->response_url, upd, o.review,
		    "update");
		free(upd);
	} else
		slack_post_text(rq, in, o.text, o.review);
	free(msg);
	if (o.status == 200) {
		platform_answer_text(out, 200, "");
		return;
	}
	t = xasprintf("%d %s", o.status, o.text);
	platform_answer_text(out, o.status, t);
	free(t);
}

/*
 * A slash command: one that reads is answered at once, a decision is
 * recorded.  Slack shows the person only a 200's answer, so a refusal is
 * posted to the response_url as well.
 */
static void
slack_answer_command(const struct platform_request *rq, struct inbound *in,
    struct platform_answer *out)
{
	platform_command_or_decision(rq, in, slack_answer_text,
	    slack_post_text, out);
}

/* A mistyped command is told to the person, in chat: a 200. */
static void
slack_refuse_command(int status, const char *why,
    struct platform_answer *out)
{
	if (status != 400) {
		platform_refuse_text(status, why, out);
		return;
	}
	platform_answer_json(out, 200, slack_answer_text(why, false));
}

static const struct platform_route slack_routes[] = {
	{ "POST", "/slack/actions", "application/x-www-form-urlencoded",
	    "slack_actions", slack_route_verify, slack_parse_action,
	    slack_answer_action, platform_refuse_text },
	{ "POST", "/slack/commands", "application/x-www-form-urlencoded",
	    "slack_commands", slack_route_verify, slack_parse_command,
	    slack_answer_command, slack_refuse_command },
};

const struct platform slack_platform = {
	.conf = { .name = "slack", .person_key = "slack",
	    .secret_setting = "slack_signing_secret_file" },
	.title = "Slack",
	.via = "slack",
	.via_user = true,
	.command = "/printgate",
	.format = slack_format,
	.routes = slack_routes,
	.nroutes = ARRAY_SIZE(slack_routes),
};
