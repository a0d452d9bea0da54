/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * page.c - the review page, the history page and the error pages, from
 * plain view-models (page.h), and the stylesheet.  Pure: a view-model in,
 * HTML out.  Layout, top to bottom: what is being printed and by when,
 * where the review stands rule by rule, the files grouped by rule with
 * their changes, and the decision form (or where to decide) last, after
 * the reading; a link at the top jumps to it.
 */
#include "web/page.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/diffhtml.h"
#include "web/html.h"
#include "web/previewhtml.h"

const struct page_header page_headers[] = {
	{ "Content-Security-Policy", "default-src 'self'; "
	    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Cache-Control", "no-store" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
};
const size_t page_nheaders = ARRAY_SIZE(page_headers);

/* "3 Jan 2027, 10:00 UTC" into out. */
static void
when(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%-d %b %Y, %H:%M UTC", &tm) == 0)
		snprintf(out, len, "?");
}

char *
page_closed_text(const struct page_closed *c)
{
	struct buf b = { 0 };
	char t[64];

	buf_adds(&b, "This review is closed: ");
	if (c->state != PAGE_RELEASED) {
		buf_addf(&b, "it was superseded by %s", c->tag);
		if (c->commit)
			buf_addf(&b, " at commit %.7s", c->commit);
		buf_adds(&b, c->commit ? "." : ", which no longer asks for "
		    "this version.");
		return b.s;
	}
	buf_addf(&b, "%s was released", c->tag);
	if (c->napprovers > 0)
		buf_adds(&b, c->napprovers == 1 ? " on the approval of " :
		    " on the approvals of ");
	for (size_t i = 0; i < c->napprovers; i++)
		buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == c->napprovers ?
		    " and " : ", ", c->approvers[i]);
	if (c->at > 0) {
		when(c->at, t, sizeof(t));
		buf_addf(&b, " on %s", t);
	}
	buf_adds(&b, ".");
	return b.s;
}

static const char *
decision_words(const char *d)
{
	if (d == NULL)
		return "";
	if (strcmp(d, "approve") == 0)
		return "Approved";
	if (strcmp(d, "approve-with-changes") == 0)
		return "Approved with changes";
	if (strcmp(d, "changes-required") == 0)
		return "Changes requested";
	return d;
}

static const char *
decision_class(const char *d)
{
	if (d != NULL && strcmp(d, "changes-required") == 0)
		return "badge bad";
	if (d != NULL && strcmp(d, "approve-with-changes") == 0)
		return "badge warn";
	return "badge good";
}

static void
short_commit(struct buf *b, const char *commit)
{
	html_open(b, "code", NULL);
	html_text(b, commit ? commit : "", commit ? strnlen(commit, 7) : 0);
	html_close(b, "code");
}

static void
top_bar(struct buf *b, const char *where)
{
	buf_adds(b, "<header class=\"bar\"><span class=\"brand\">printgate"
	    "</span><span class=\"where\">");
	html_texts(b, where);
	buf_adds(b, "</span></header>\n<main>\n");
}

static void
bottom(struct buf *b)
{
	buf_adds(b, "</main>\n<footer class=\"foot\">printgate: nothing goes "
	    "to print before its reviewers approve it.</footer>\n");
	html_doc_end(b);
}

/* ------------------------------------------------------------------ */
/* The review page                                                     */

static const char *
state_words(enum page_state s, const char **cls)
{
	static const struct {
		const char *words, *cls;
	} st[] = {
		[PAGE_WAITING] = { "Waiting for approval", "state wait" },
		[PAGE_BLOCKED] = { "Changes requested", "state bad" },
		[PAGE_APPROVED] = { "Approved, not printed yet", "state good" },
		[PAGE_RELEASED] = { "Released for print", "state good" },
		[PAGE_REPLACED] = { "Replaced by a newer version",
		    "state old" },
	};

	if ((size_t)s >= ARRAY_SIZE(st))
		s = PAGE_WAITING;
	*cls = st[s].cls;
	return st[s].words;
}

/* Why the review is closed, with the page of the tag's current version. */
static void
closed_note(struct buf *b, const struct page_review *r)
{
	buf_adds(b, "<p class=\"closed\">");
	html_texts(b, r->closed);
	if (r->current_url) {
		buf_adds(b, " ");
		html_link(b, r->current_url, NULL, "Open the current version");
	}
	buf_adds(b, "</p>\n");
}

static void
review_facts(struct buf *b, const struct page_review *r)
{
	const char *cls, *words = state_words(r->state, &cls);
	char t[64], left[32];

	buf_adds(b, "<section class=\"card head\">\n");
	html_elem(b, "p", "kicker", "Review before print");
	html_elem(b, "h1", NULL, r->tag);
	html_elem(b, "p", cls, words);
	if (r->closed)
		closed_note(b, r);
	if (r->form != NULL || r->where != NULL)
		buf_adds(b, "<p class=\"jump\"><a href=\"#decide\">"
		    "Go to the decision</a></p>\n");
	buf_adds(b, "<dl class=\"facts\">\n<dt>Version</dt><dd>");
	short_commit(b, r->commit);
	buf_adds(b, "</dd>\n");
	if (r->tagger) {
		when(r->tagged_at, t, sizeof(t));
		html_elem(b, "dt", NULL, "Tagged by");
		buf_adds(b, "<dd>");
		html_texts(b, r->tagger);
		html_textf(b, ", %s", t);
		buf_adds(b, "</dd>\n");
	}
	html_elem(b, "dt", NULL, "Previous print");
	buf_adds(b, "<dd>");
	if (r->previous)
		html_link(b, r->previous_url, NULL, r->previous);
	else
		html_texts(b, "none: this is the first print");
	buf_adds(b, "</dd>\n");
	if (r->print_by) {
		html_elem(b, "dt", NULL, "Print by");
		buf_adds(b, "<dd>");
		html_texts(b, r->print_by);
		if (r->deadline > 0) {
			int64_t d = r->deadline - r->now;

			util_duration(d > 0 ? d : -d, left, sizeof(left));
			buf_adds(b, " ");
			html_open(b, "span", d > 0 ? "left" : "left late");
			html_textf(b, d > 0 ? "%s left" : "%s late", left);
			html_close(b, "span");
		}
		buf_adds(b, "</dd>\n");
	}
	buf_adds(b, "</dl>\n");
	if (r->message && *r->message) {
		html_elem(b, "h2", "small", "Tag message");
		html_elem(b, "pre", "message", r->message);
	}
	if (r->history_url) {
		buf_adds(b, "<p>");
		html_link(b, r->history_url, NULL,
		    "Earlier versions of this print");
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "</section>\n");
}

static void
rule_decision(struct buf *b, const struct page_decision *d)
{
	char t[64];

	when(d->at, t, sizeof(t));
	buf_adds(b, "<li><span class=\"who\">");
	html_texts(b, d->who);
	buf_adds(b, "</span> ");
	html_elem(b, "span", decision_class(d->decision),
	    decision_words(d->decision));
	buf_adds(b, " <span class=\"meta\">");
	html_texts(b, t);
	if (d->via)
		html_textf(b, ", in %s", d->via);
	buf_adds(b, "</span>");
	if (d->carried) {
		buf_adds(b, "<span class=\"carried\">carried over from ");
		html_texts(b, d->carried);
		buf_adds(b, ": the files it covers did not change</span>");
	}
	if (d->comment && *d->comment)
		html_elem(b, "blockquote", NULL, d->comment);
	buf_adds(b, "</li>\n");
}

static void
review_rules(struct buf *b, const struct page_review *r)
{
	buf_adds(b, "<section class=\"card\">\n");
	html_elem(b, "h2", NULL, "Approvals");
	for (size_t i = 0; i < r->nrules; i++) {
		const struct page_rule *u = &r->rules[i];

		buf_addf(b, "<div class=\"rule %s\">\n", u->blocked ? "bad" :
		    u->met ? "good" : "wait");
		buf_adds(b, "<h3>");
		html_texts(b, u->name);
		buf_addf(b, " <span class=\"count\">%u of %u</span></h3>\n",
		    u->have, u->need);
		buf_adds(b, "<p class=\"meta\">");
		html_textf(b, "%u approval%s needed from %s%s", u->need,
		    u->need == 1 ? "" : "s", u->group ? u->group : "",
		    u->blocked ? "; changes requested" : u->met ? "; met" : "");
		buf_adds(b, "</p>\n");
		if (u->reset)
			html_elem(b, "p", "reset", u->reset);
		if (u->ndecisions > 0) {
			buf_adds(b, "<ul class=\"decisions\">\n");
			for (size_t k = 0; k < u->ndecisions; k++)
				rule_decision(b, &u->decisions[k]);
			buf_adds(b, "</ul>\n");
		}
		if (u->nwaiting > 0) {
			buf_adds(b, "<p class=\"waiting\">Not decided yet: ");
			for (size_t k = 0; k < u->nwaiting; k++) {
				if (k > 0)
					buf_adds(b, ", ");
				html_texts(b, u->waiting[k]);
			}
			buf_adds(b, "</p>\n");
		}
		buf_adds(b, "</div>\n");
	}
	if (r->nrules == 0)
		html_elem(b, "p", "meta", "No rule applies to these files.");
	buf_adds(b, "</section>\n");
}

static const char *
status_words(char s)
{
	return s == 'A' ? "new" : s == 'D' ? "removed" : "changed";
}

static bool
file_has_rule(const struct page_file *f, const char *rule)
{
	for (size_t k = 0; k < f->nrules; k++)
		if (f->rules[k] && rule && strcmp(f->rules[k], rule) == 0)
			return true;
	return false;
}

/* The index of the group file f is shown in full under: its first rule
 * that the page lists, or nrules for "other files". */
static size_t
file_home(const struct page_review *r, const struct page_file *f)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (file_has_rule(f, r->rules[i].name))
			return i;
	return r->nrules;
}

/* "Download the old version (12.4 KiB)" as a button-like link. */
static void
download(struct buf *b, const char *url, const char *which, const char *size)
{
	struct buf label = { 0 };

	buf_addf(&label, "Download the %s version", which);
	if (size != NULL)
		buf_addf(&label, " (%s)", size);
	html_link(b, url, "button secondary", label.s);
	buf_free(&label);
}

static void
file_full(struct buf *b, const struct page_file *f, size_t idx)
{
	char o[32], n[32];

	buf_addf(b, "<article class=\"file\" id=\"file-%zu\">\n<h4>", idx + 1);
	html_elem(b, "span", "path", f->path);
	buf_adds(b, " ");
	html_elem(b, "span", f->status == 'A' ? "badge good" :
	    f->status == 'D' ? "badge bad" : "badge", status_words(f->status));
	buf_adds(b, "</h4>\n");
	if (f->note)
		html_elem(b, "p", "warn-note", f->note);
	if (f->preview)
		previewhtml_render(b, f->preview, idx + 1);
	if (f->diff)
		diffhtml_render(b, f->diff);
	if (f->old_url || f->new_url || f->browse_url) {
		buf_adds(b, "<p class=\"downloads\">");
		if (f->diff) {
			diffhtml_size(f->diff->old_size, o, sizeof(o));
			diffhtml_size(f->diff->new_size, n, sizeof(n));
		}
		if (f->old_url && f->status != 'A')
			download(b, f->old_url, "old", f->diff ? o : NULL);
		if (f->new_url && f->status != 'D')
			download(b, f->new_url, "new", f->diff ? n : NULL);
		if (html_url_ok(f->browse_url))
			html_link(b, f->browse_url, NULL, "Open in the "
			    "repository browser");
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "</article>\n");
}

static void
files_group(struct buf *b, const struct page_review *r, size_t g)
{
	bool any = false;

	for (size_t i = 0; i < r->nfiles; i++) {
		const struct page_file *f = &r->files[i];
		size_t home = file_home(r, f);

		if (g < r->nrules ? !file_has_rule(f, r->rules[g].name) :
		    home != r->nrules)
			continue;
		if (!any) {
			buf_adds(b, "<div class=\"group\">\n<h3>");
			if (g < r->nrules) {
				html_texts(b, "Under ");
				html_texts(b, r->rules[g].name);
			} else {
				html_texts(b, "Other files in scope");
			}
			buf_adds(b, "</h3>\n");
			any = true;
		}
		if (home == g) {
			file_full(b, f, i);
			continue;
		}
		buf_addf(b, "<p class=\"also\"><a href=\"#file-%zu\">", i + 1);
		html_texts(b, f->path);
		buf_adds(b, "</a>: shown under ");
		html_texts(b, r->rules[home].name);
		buf_adds(b, "</p>\n");
	}
	if (any)
		buf_adds(b, "</div>\n");
}

static void
review_files(struct buf *b, const struct page_review *r)
{
	buf_adds(b, "<section class=\"card\">\n");
	buf_addf(b, "<h2>Files <span class=\"count\">%zu</span></h2>\n",
	    r->nfiles);
	buf_adds(b, "<ul class=\"toc\">\n");
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct page_file *f = &r->files[i];

		buf_addf(b, "<li><a href=\"#file-%zu\">", i + 1);
		html_texts(b, f->path);
		buf_adds(b, "</a> ");
		html_elem(b, "span", "meta", status_words(f->status));
		buf_adds(b, "</li>\n");
	}
	buf_adds(b, "</ul>\n");
	for (size_t g = 0; g <= r->nrules; g++)
		files_group(b, r, g);
	buf_adds(b, "</section>\n");
}

/* A radio button with its label. */
static void
choice(struct buf *b, const char *value, const char *label, bool checked)
{
	buf_addf(b, "<div class=\"choice\"><input type=\"radio\" "
	    "name=\"decision\" id=\"d-%s\" value=\"%s\" required%s>"
	    "<label for=\"d-%s\">", value, value, checked ? " checked" : "",
	    value);
	html_texts(b, label);
	buf_adds(b, "</label></div>\n");
}

/* Whether the form has decision value ticked. */
static bool
chosen(const struct page_form *f, const char *value)
{
	if (f->decision)
		return strcmp(f->decision, value) == 0;
	return f->comment_needed && strcmp(value, "changes-required") == 0;
}

static void
review_form(struct buf *b, const struct page_review *r)
{
	const struct page_form *f = r->form;

	buf_adds(b, "<section class=\"card decide\" id=\"decide\">\n");
	html_elem(b, "h2", NULL, "Your decision");
	buf_adds(b, "<p>Deciding as <strong>");
	html_texts(b, f->person);
	buf_adds(b, "</strong>.");
	if (f->current)
		html_textf(b, " Your decision so far: %s.",
		    decision_words(f->current));
	buf_adds(b, "</p>\n<form method=\"post\"");
	html_attr_pair(b, "action", html_url_ok(f->action) ? f->action : "");
	buf_adds(b, ">\n<input type=\"hidden\" name=\"csrf\"");
	html_attr_pair(b, "value", f->csrf);
	buf_adds(b, ">\n<fieldset>\n<legend>Decision</legend>\n");
	choice(b, "approve", "Approve", chosen(f, "approve"));
	choice(b, "approve-with-changes", "Approve with changes",
	    chosen(f, "approve-with-changes"));
	choice(b, "changes-required", "Request changes",
	    chosen(f, "changes-required"));
	buf_adds(b, "</fieldset>\n");
	if (f->nrules > 1) {
		buf_adds(b, "<fieldset>\n<legend>For these rules</legend>\n");
		for (size_t i = 0; i < f->nrules; i++) {
			buf_addf(b, "<div class=\"choice\"><input type=\""
			    "checkbox\" name=\"rule\" id=\"rule-%zu\" checked",
			    i + 1);
			html_attr_pair(b, "value", f->rules[i]);
			buf_addf(b, "><label for=\"rule-%zu\">", i + 1);
			html_texts(b, f->rules[i]);
			buf_adds(b, "</label></div>\n");
		}
		buf_adds(b, "</fieldset>\n");
	}
	buf_addf(b, "<label for=\"comment\">Comment</label>\n"
	    "<p class=\"hint\" id=\"comment-hint\">Required when you request "
	    "changes: say what must change. Everyone on the review sees it."
	    "</p>\n<textarea id=\"comment\" name=\"comment\" rows=\"5\" "
	    "maxlength=\"%d\" aria-describedby=\"comment-hint\"%s>",
	    PAGE_MAX_COMMENT, f->comment_needed ? " required autofocus" : "");
	if (f->comment)
		html_texts(b, f->comment);
	buf_adds(b, "</textarea>\n<button type=\"submit\">Send my decision"
	    "</button>\n</form>\n</section>\n");
}

void
page_review(struct buf *b, const struct page_review *r)
{
	struct buf title = { 0 };

	buf_addf(&title, "Review of %s", r->tag ? r->tag : "a print");
	html_doc_begin(b, title.s, r->css ? r->css : PAGE_CSS_PATH);
	buf_free(&title);
	top_bar(b, "Review");
	if (r->flash)
		html_elem(b, "p", "flash", r->flash);
	review_facts(b, r);
	review_rules(b, r);
	review_files(b, r);
	if (r->form != NULL) {
		review_form(b, r);
	} else {
		buf_adds(b, "<section class=\"card decide\" id=\"decide\">\n");
		html_elem(b, "h2", NULL, "Deciding");
		if (r->closed)
			closed_note(b, r);
		else
			html_elem(b, "p", NULL, r->where ? r->where :
			    "This page shows the review; it does not let you "
			    "decide.");
		buf_adds(b, "</section>\n");
	}
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->files[i].preview != NULL) {
			previewhtml_script_tag(b, r->script ? r->script :
			    PAGE_JS_PATH);
			break;
		}
	bottom(b);
}

/* ------------------------------------------------------------------ */
/* History and errors                                                  */

void
page_history(struct buf *b, const struct page_history *h)
{
	struct buf title = { 0 };
	char t[64];

	buf_addf(&title, "Versions of %s", h->tag ? h->tag : "a print");
	html_doc_begin(b, title.s, h->css ? h->css : PAGE_CSS_PATH);
	top_bar(b, "History");
	buf_adds(b, "<section class=\"card\">\n");
	html_elem(b, "h1", NULL, title.s);
	buf_free(&title);
	if (h->ncandidates == 0)
		html_elem(b, "p", "meta", "No version was reviewed yet.");
	buf_adds(b, "<ol class=\"history\">\n");
	for (size_t i = 0; i < h->ncandidates; i++) {
		const struct page_candidate *c = &h->candidates[i];
		const char *cls, *words = state_words(c->state, &cls);
		struct buf label = { 0 };

		when(c->at, t, sizeof(t));
		buf_addf(&label, "Version %.7s", c->commit ? c->commit : "");
		buf_adds(b, "<li>");
		html_link(b, c->url, "version", label.s);
		buf_free(&label);
		buf_adds(b, " ");
		html_elem(b, "span", cls, words);
		buf_adds(b, " <span class=\"meta\">");
		html_textf(b, "requested %s; %u of %u approvals", t, c->have,
		    c->need);
		buf_adds(b, "</span></li>\n");
	}
	buf_adds(b, "</ol>\n</section>\n");
	bottom(b);
}

void
page_error(struct buf *b, int status, const char *detail, const char *css)
{
	static const struct {
		int status;
		const char *title, *text;
	} e[] = {
		{ 400, "This request was not understood",
		  "The form was incomplete or changed on the way. Go back to "
		  "the review page, reload it, and send your decision again." },
		{ 403, "You cannot decide on this review",
		  "You can still read the review. If you think you should be "
		  "asked, tell the release manager: they know who reviews "
		  "what." },
		{ 404, "This review link does not work",
		  "The link is incomplete or was changed: links are long, and "
		  "copying can cut them. Open the review again from the latest "
		  "message about it in your chat or email. If that fails too, "
		  "ask the release manager for a new link." },
		{ 409, "This review is closed",
		  "The print was released or replaced by a newer version, so "
		  "there is nothing to decide here any more. The latest "
		  "message about it in your chat or email links to the current "
		  "version." },
		{ 410, "This review link has expired",
		  "Links stop working when the review closes, or after a few "
		  "days. Open the review from the latest message about it in "
		  "your chat or email, or ask the release manager for a new "
		  "personal link." },
	};
	const char *title = "Something went wrong",
	    *text = "Try again in a minute. If it keeps failing, tell your "
	    "administrator what you were doing and when.";

	for (size_t i = 0; i < ARRAY_SIZE(e); i++)
		if (e[i].status == status) {
			title = e[i].title;
			text = e[i].text;
		}
	html_doc_begin(b, title, css ? css : PAGE_CSS_PATH);
	top_bar(b, "Review");
	buf_adds(b, "<section class=\"card error\">\n");
	buf_addf(b, "<p class=\"kicker\">Error %d</p>\n", status);
	html_elem(b, "h1", NULL, title);
	html_elem(b, "p", NULL, text);
	if (detail)
		html_elem(b, "p", "meta", detail);
	buf_adds(b, "</section>\n");
	bottom(b);
}
