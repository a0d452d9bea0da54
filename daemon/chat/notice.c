/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notice.c - what a notice says in words: the names of its kinds, its one
 * line headline, and the text helpers the four chat formats (slack.c,
 * mattermost.c, teams.c, webhook.c) share: text made valid UTF-8 and cut to
 * a cap with "…", URLs made safe to put in a link, Markdown escapes.
 * No foreign library.
 */
#include "chat/notice.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Caps on the parts of a headline, in characters. */
#define HEADLINE_TAG_MAX 200
#define HEADLINE_NAME_MAX 100

static const char *const kind_names[] = {
	[NOTICE_REQUEST] = "review requested",
	[NOTICE_DECISION] = "decision",
	[NOTICE_APPROVED] = "approved",
	[NOTICE_RELEASED] = "released",
	[NOTICE_CHANGES] = "changes required",
	[NOTICE_REMIND] = "reminder",
	[NOTICE_ESCALATE] = "escalation",
	[NOTICE_VIOLATION] = "violation",
};

/* Returns a static name, or NULL for a kind that does not exist. */
const char *
notice_kind_name(enum notice_kind kind)
{
	if ((size_t)kind >= ARRAY_SIZE(kind_names))
		return NULL;
	return kind_names[kind];
}

/*
 * Walks s a character at a time and stops as soon as it knows whether the
 * text fits: at most max characters kept, the last of them "…" when some
 * were dropped.  So a path of a megabyte costs max characters of work.
 */
char *
notice_text(const char *s, size_t max, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b = { 0 };
	size_t left, nchars = 0, cut = 0;

	if (s == NULL)
		return NULL;
	left = strlen(s);
	buf_adds(&b, "");
	while (left > 0) {
		uint32_t cp;
		size_t len = util_utf8_char(p, left, &cp);

		if (nchars == max) {	/* one more: the text does not fit */
			b.len = cut;
			b.s[cut] = '\0';
			if (max > 0)
				buf_adds(&b, "…");
			return buf_steal(&b);
		}
		if (nchars + 1 == max)
			cut = b.len;
		if (len == 0) {
			buf_adds(&b, "\xef\xbf\xbd");	/* U+FFFD */
			len = 1;
		} else if (cp == '\r' && multiline && left > 1 &&
		    p[1] == '\n') {
			p++;	/* "\r\n" is one newline */
			left--;
			continue;
		} else if (cp == '\n' && multiline) {
			buf_adds(&b, "\n");
		} else if (cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 ||
		    cp == 0x2029) {
			buf_adds(&b, " ");
		} else {
			buf_add(&b, (const char *)p, len);
		}
		p += len;
		left -= len;
		nchars++;
	}
	return buf_steal(&b);
}

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * A word joiner (U+2060) goes after the '@' of a mention and after the
 * '<' of a markup mention: it shows nothing, and no platform reads what
 * follows as a mention any more.  Mattermost (and Slack with link_names)
 * mention on "@" at the start of a word followed by a name ("@here",
 * "@all", "@channel", "@everyone", "@alice"); Slack, and Mattermost's
 * Slack-compatible webhooks, on "<!here>", "<!channel>", "<!everyone>",
 * "<!subteam^…>", "<@U…>" and "<#C…>"; Teams on "<at>…</at>".  An '@'
 * inside a word ("mark@example.com", "a_@b") is no mention and is kept as
 * is; underscores before a word's '@' are markdown ("_@here_" is an
 * italic mention in Mattermost), so the word starts before them.
 */
char *
notice_defuse(const char *s)
{
	struct buf b = { 0 };
	unsigned char prev = ' ';	/* the last character not '_' */

	if (s == NULL)
		return NULL;
	buf_adds(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		buf_add(&b, (const char *)p, 1);
		if ((*p == '@' && is_alnum(p[1]) && !is_alnum(prev)) ||
		    (*p == '<' && (p[1] == '!' || p[1] == '@' || p[1] == '#' ||
		    ((p[1] | 0x20) == 'a' && (p[2] | 0x20) == 't'))))
			buf_adds(&b, NOTICE_WORD_JOINER);
		if (*p != '_')
			prev = *p;
	}
	return buf_steal(&b);
}

char *
notice_chat_text(const char *s, size_t max, bool multiline)
{
	char *t = notice_text(s, max, multiline), *out = notice_defuse(t);

	free(t);
	return out;
}

/* RFC 3986's unreserved and reserved characters, less "()": kept as is. */
static bool
url_keeps(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~:/?#[]@!$&'*+,;=%", c) != NULL);
}

char *
notice_url(const char *url, size_t max)
{
	struct buf b = { 0 };

	if (url == NULL || (!str_startswith(url, "https://") &&
	    !str_startswith(url, "http://")))
		return NULL;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		if (url_keeps(*p))
			buf_add(&b, (const char *)p, 1);
		else
			buf_addf(&b, "%%%02X", *p);
		if (b.len > max) {
			buf_free(&b);
			return NULL;
		}
	}
	return buf_steal(&b);
}

void
notice_short(const char *commit, char out[8])
{
	size_t n = 0;

	if (commit != NULL)
		while (n < 7 && commit[n] != '\0')
			n++;
	memcpy(out, commit ? commit : "", n);
	out[n] = '\0';
}

const char *
notice_status_name(char status)
{
	switch (status) {
	case 'A':
		return "added";
	case 'M':
		return "modified";
	case 'D':
		return "deleted";
	default:
		return "changed";
	}
}

const char *
notice_decision_name(const char *decision)
{
	if (decision == NULL)
		return NULL;
	if (strcmp(decision, "approve") == 0)
		return "approved";
	if (strcmp(decision, "approve-with-changes") == 0)
		return "approved with changes";
	if (strcmp(decision, "changes-required") == 0)
		return "requested changes";
	return NULL;
}

const char *
notice_person_name(const struct notice_person *p)
{
	if (p != NULL && p->name != NULL && *p->name != '\0')
		return p->name;
	if (p != NULL && p->id != NULL && *p->id != '\0')
		return p->id;
	return "someone";
}

const char *
notice_rule_state(const struct notice_rule *r)
{
	if (r->blocked)
		return " (blocked: changes required)";
	return r->met ? " (met)" : "";
}

const char *
notice_by_label(const struct notice *n)
{
	return n->kind == NOTICE_RELEASED ? "Released by" : "By";
}

const char *
notice_approvals(const struct notice_rule *r, char out[64])
{
	snprintf(out, 64, "%u of %u approvals from ", r->approvals,
	    r->required);
	return out;
}

void
notice_release_step(const struct notice *n, struct notice_words *out)
{
	if (n->auto_release) {
		*out = (struct notice_words){ "printgate creates the tag now.",
			NULL, "" };
		return;
	}
	*out = (struct notice_words){ "A release manager can push ",
		notice_subject(n), " again to release it." };
}

const char *
notice_person_handle(const struct notice_person *p, const char *platform)
{
	if (p == NULL || platform == NULL)
		return NULL;
	for (size_t i = 0; i < NOTICE_MAX_HANDLES && p->handles[i].platform;
	    i++)
		if (strcmp(p->handles[i].platform, platform) == 0)
			return p->handles[i].id;
	return NULL;
}

const char *
notice_review_link(const struct notice *n)
{
	return notice_wants_decision(n) && n->link && *n->link ? n->link :
	    NULL;
}

bool
notice_wants_decision(const struct notice *n)
{
	return n->kind == NOTICE_REQUEST || n->kind == NOTICE_REMIND ||
	    n->kind == NOTICE_ESCALATE;
}

/*
 * Who the engine puts in asked depends on the kind: reviewers, the
 * escalation group, the authors of the changes, the release managers.
 */
const char *
notice_asked_label(enum notice_kind kind)
{
	switch (kind) {
	case NOTICE_ESCALATE:
		return "Escalated to";
	case NOTICE_CHANGES:
		return "Changes are for";
	case NOTICE_APPROVED:
	case NOTICE_VIOLATION:
		return "Release managers";
	case NOTICE_RELEASED:
		return "Notified";
	default:
		return "Asked to decide";
	}
}

const char *
notice_comment(const struct notice *n)
{
	if (n->comment == NULL || *n->comment == '\0')
		return NULL;
	if (n->reason != NULL && strcmp(n->comment, n->reason) == 0)
		return NULL;
	return n->comment;
}

size_t
notice_files_listed(const struct notice *n, size_t *more)
{
	size_t listed = n->files ? n->nfiles : 0;
	size_t total = n->nfiles_total > n->nfiles ? n->nfiles_total :
	    n->nfiles;

	if (listed > NOTICE_MAX_FILES)
		listed = NOTICE_MAX_FILES;
	*more = total - listed;
	return listed;
}

const char *
notice_subject(const struct notice *n)
{
	if (n->tag != NULL)
		return n->tag;
	if (n->commit != NULL)
		return n->commit;
	return n->review ? n->review : "";
}

void
notice_md_escape(struct buf *b, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (strchr("\\`*_[]<>~#|", *p))
			buf_add(b, "\\", 1);
		buf_add(b, p, 1);
	}
}

/*
 * CommonMark: a code span's fence is a run of backticks longer than any
 * inside it, and a space pads text that starts or ends with a backtick.
 */
void
notice_md_code(struct buf *b, const char *text)
{
	size_t run = 0, longest = 0;
	bool pad;

	for (const char *p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = *text == '`' || (*text && text[strlen(text) - 1] == '`');
	for (size_t i = 0; i <= longest; i++)
		buf_add(b, "`", 1);
	if (pad)
		buf_add(b, " ", 1);
	buf_adds(b, text);
	if (pad)
		buf_add(b, " ", 1);
	for (size_t i = 0; i <= longest; i++)
		buf_add(b, "`", 1);
}

/* "print/q1 (a1b2c3d)", or whichever of the two the notice has. */
static void
headline_subject(struct buf *b, const struct notice *n)
{
	char shortid[8];
	char *tag = notice_text(n->tag, HEADLINE_TAG_MAX, false);

	notice_short(n->commit, shortid);
	if (tag != NULL && *shortid != '\0')
		buf_addf(b, "%s (%s)", tag, shortid);
	else if (tag != NULL)
		buf_adds(b, tag);
	else if (*shortid != '\0')
		buf_addf(b, "commit %s", shortid);
	else {
		char *review = notice_text(n->review ? n->review : "a review",
		    HEADLINE_TAG_MAX, false);

		buf_adds(b, review);
		free(review);
	}
	free(tag);
}

/*
 * Returns the headline, valid UTF-8 on one line, that the caller frees.
 * Every format leads with it and uses it as the notification's text.
 */
/*
 * " on the approvals of Alice Ng and Bob Brandt" (at most
 * HEADLINE_APPROVERS names, then "and N others"), or nothing.
 */
#define HEADLINE_APPROVERS 5
static void
headline_approvers(struct buf *b, const struct notice *n)
{
	size_t shown = n->napprovers > HEADLINE_APPROVERS ?
	    HEADLINE_APPROVERS : n->napprovers;

	if (n->napprovers == 0)
		return;
	buf_adds(b, n->napprovers == 1 ? " on the approval of " :
	    " on the approvals of ");
	for (size_t i = 0; i < shown; i++) {
		char *who = notice_text(notice_person_name(&n->approvers[i]),
		    HEADLINE_NAME_MAX, false);

		if (i > 0)
			buf_adds(b, i + 1 == shown && shown == n->napprovers ?
			    " and " : ", ");
		buf_adds(b, who);
		free(who);
	}
	if (shown < n->napprovers)
		buf_addf(b, " and %zu others", n->napprovers - shown);
}

char *
notice_headline(const struct notice *n)
{
	struct buf b = { 0 };
	char *who = NULL, *out;
	const char *verb;

	switch (n->kind) {
	case NOTICE_REQUEST:
		buf_adds(&b, "Review requested: ");
		headline_subject(&b, n);
		break;
	case NOTICE_DECISION:
		who = notice_text(notice_person_name(n->by), HEADLINE_NAME_MAX,
		    false);
		verb = notice_decision_name(n->decision);
		buf_adds(&b, who);
		if (verb == NULL) {
			buf_adds(&b, " decided on ");
			headline_subject(&b, n);
		} else if (strcmp(n->decision, "changes-required") == 0) {
			buf_adds(&b, " requested changes on ");
			headline_subject(&b, n);
		} else {
			buf_adds(&b, " approved ");
			headline_subject(&b, n);
			if (strcmp(n->decision, "approve-with-changes") == 0)
				buf_adds(&b, " with changes");
		}
		break;
	case NOTICE_APPROVED:
		headline_subject(&b, n);
		buf_adds(&b, " is approved");
		break;
	case NOTICE_RELEASED:
		headline_subject(&b, n);
		buf_adds(&b, " was released");
		headline_approvers(&b, n);
		break;
	case NOTICE_CHANGES:
		buf_adds(&b, "Changes required on ");
		headline_subject(&b, n);
		break;
	case NOTICE_REMIND:
		buf_adds(&b, "Reminder: ");
		headline_subject(&b, n);
		buf_adds(&b, " still waits for approval");
		break;
	case NOTICE_ESCALATE:
		buf_adds(&b, "Escalated: ");
		headline_subject(&b, n);
		buf_adds(&b, " still waits for approval");
		break;
	case NOTICE_VIOLATION:
		buf_adds(&b, "Gate violation: ");
		headline_subject(&b, n);
		buf_adds(&b, " was created without approval");
		break;
	default:
		buf_adds(&b, "printgate: ");
		headline_subject(&b, n);
		break;
	}
	free(who);
	/* a tag or a name must not mention anyone in the post's text */
	who = buf_steal(&b);
	out = notice_defuse(who);
	free(who);
	return out;
}
