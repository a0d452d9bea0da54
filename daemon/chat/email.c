/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * email.c - email, a platform with only an outgoing side: one message per
 * person asked (per_person), an RFC 5322 message with a text and an HTML
 * part (multipart/alternative), the person's own link to the review page,
 * the files, the rules and the Print-By deadline.  Sent by notify.c over
 * SMTP (libcurl) to the target's smtp_url; the envelope recipient is read
 * back from the message's To: header (email_recipient()).
 *
 * Everything people wrote (names, tags, paths, comments) reaches a header
 * only as an RFC 2047 encoded word (base64), and the body only base64
 * encoded, so that no CR or LF from them can start a header of its own;
 * addresses are checked to be plain (no space, control, "<>", quote).  The
 * Message-ID is made from the event, the kind and the person, so that a
 * delivery sent twice is one message to the receiver.
 */
#include "chat/email.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat/notice.h"
#include "core/util.h"
#include "core/verify.h"

#define EMAIL_MAX_ADDRESS 254
#define EMAIL_MAX_LINE 2000	/* a header read back by email_recipient() */

/* Whether s is an address that may go into a header and MAIL/RCPT. */
static bool
email_address_ok(const char *s)
{
	const char *at;

	if (s == NULL || strlen(s) > EMAIL_MAX_ADDRESS ||
	    (at = strchr(s, '@')) == NULL || at == s || at[1] == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    strchr("<>()[],;:\"\\", *s))
			return false;
	return true;
}

/*
 * Appends text as RFC 2047 encoded words (UTF-8, base64), each within 75
 * characters and cut between whole characters, folded onto lines of
 * their own.
 */
static void
email_encode_words(struct buf *b, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text), at = 0;

	while (at < len) {
		size_t n = 0;
		char *b64;

		while (at + n < len) {
			uint32_t cp;
			size_t k = util_utf8_char(s + at + n, len - at - n,
			    &cp);

			if (k == 0)
				k = 1;
			if (n + k > 45)
				break;
			n += k;
		}
		b64 = verify_base64(s + at, n);
		buf_addf(b, "%s=?UTF-8?B?%s?=", at ? "\r\n " : "", b64);
		free(b64);
		at += n;
	}
}

/* Appends bytes as base64 on lines of 76 characters. */
static void
email_base64_body(struct buf *b, const char *s, size_t len)
{
	char *b64 = verify_base64((const unsigned char *)s, len);
	size_t n = strlen(b64);

	for (size_t i = 0; i < n; i += 76)
		buf_addf(b, "%.*s\r\n", (int)(n - i < 76 ? n - i : 76),
		    b64 + i);
	free(b64);
}

/* The RFC 5322 date of t (UTC), in English whatever the locale. */
static void
email_date(int64_t t, char out[40])
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
		"Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
		"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Appends s (valid UTF-8) with HTML's five special characters escaped. */
static void
email_html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&#39;"); break;
		default: buf_add(b, s, 1);
		}
	}
}

/* What the message asks of its reader, in plain words. */
static const char *
email_ask(const struct notice *n)
{
	switch (n->kind) {
	case NOTICE_REQUEST:
		return "Please look at what changed and decide: approve it, "
		    "or say what must change.";
	case NOTICE_REMIND:
		return "This is a reminder: your decision is still needed.";
	case NOTICE_ESCALATE:
		return "This review has waited too long and is passed to you.";
	case NOTICE_CHANGES:
		return "Changes were requested. Push a corrected print tag "
		    "when they are made.";
	case NOTICE_RELEASED:
		return "It is released: it may go to print.";
	case NOTICE_APPROVED:
		return "Every rule is met.";
	default:
		return "";
	}
}

/*
 * The lines both parts say, as (label, value) pairs for the caller to
 * escape its way; value strings are notice_text() copies the caller
 * frees with email_facts_free().
 */
struct email_fact {
	const char *label;
	char *value;
};
#define EMAIL_MAX_FACTS (8 + NOTICE_MAX_FILES + 16)

static size_t
email_facts(const struct notice *n, struct email_fact *f)
{
	size_t k = 0, more, listed = notice_files_listed(n, &more);
	char approvals[64];

	f[k++] = (struct email_fact){ "Print tag", notice_text(
	    notice_subject(n), 256, false) };
	if (n->deadline)
		f[k++] = (struct email_fact){ "Print-By",
		    notice_text(n->deadline, 64, false) };
	f[k++] = (struct email_fact){ "Previous print", notice_text(
	    n->base_tag ? n->base_tag : NOTICE_FIRST_PRINT, 256, false) };
	if (n->by)
		f[k++] = (struct email_fact){ notice_by_label(n), notice_text(
		    notice_person_name(n->by), 256, false) };
	if (notice_comment(n))
		f[k++] = (struct email_fact){ "Comment", notice_text(
		    notice_comment(n), NOTICE_MAX_TEXT, true) };
	if (n->summary)
		f[k++] = (struct email_fact){ "What changed", notice_text(
		    n->summary, NOTICE_MAX_SUMMARY, true) };
	for (size_t i = 0; i < n->nrules && i < 16; i++)
		f[k++] = (struct email_fact){ "Rule", xasprintf("%s: %s%s",
		    n->rules[i].name, notice_approvals(&n->rules[i],
		    approvals), notice_rule_state(&n->rules[i])) };
	for (size_t i = 0; i < listed; i++)
		f[k++] = (struct email_fact){ "File", xasprintf("%s (%s)",
		    n->files[i].path, notice_status_name(n->files[i].status)) };
	if (more)
		f[k++] = (struct email_fact){ "File", xasprintf("and %zu more",
		    more) };
	return k;
}

static void
email_facts_free(struct email_fact *f, size_t k)
{
	for (size_t i = 0; i < k; i++)
		free(f[i].value);
}

/* The text part. */
static char *
email_text(const struct notice *n, const char *hello, const char *head,
    const struct email_fact *f, size_t k)
{
	struct buf b = { 0 };

	buf_addf(&b, "Hello %s,\r\n\r\n%s\r\n\r\n%s\r\n\r\n", hello, head,
	    email_ask(n));
	if (n->link)
		buf_addf(&b, "Open the review%s:\r\n%s\r\n\r\n",
		    notice_wants_decision(n) ? " to see what changed and "
		    "decide" : "", n->link);
	for (size_t i = 0; i < k; i++)
		buf_addf(&b, "%s: %s\r\n", f[i].label, f[i].value ?
		    f[i].value : "");
	buf_adds(&b, "\r\nThis link is yours: do not forward it.\r\n");
	return buf_steal(&b);
}

/* The HTML part. */
static char *
email_html(const struct notice *n, const char *hello, const char *head,
    const struct email_fact *f, size_t k)
{
	struct buf b = { 0 };

	buf_adds(&b, "<!DOCTYPE html>\r\n<html><body>\r\n<p>Hello ");
	email_html_escape(&b, hello);
	buf_adds(&b, ",</p>\r\n<p><strong>");
	email_html_escape(&b, head);
	buf_adds(&b, "</strong></p>\r\n<p>");
	email_html_escape(&b, email_ask(n));
	buf_adds(&b, "</p>\r\n");
	if (n->link) {
		buf_adds(&b, "<p><a href=\"");
		email_html_escape(&b, n->link);
		buf_adds(&b, "\">Open review</a></p>\r\n");
	}
	buf_adds(&b, "<ul>\r\n");
	for (size_t i = 0; i < k; i++) {
		buf_adds(&b, "<li>");
		email_html_escape(&b, f[i].label);
		buf_adds(&b, ": ");
		email_html_escape(&b, f[i].value ? f[i].value : "");
		buf_adds(&b, "</li>\r\n");
	}
	buf_adds(&b, "</ul>\r\n<p>This link is yours: do not forward it."
	    "</p>\r\n</body></html>\r\n");
	return buf_steal(&b);
}

/* The message's headers, up to the blank line; boundary is its parts'. */
static void
email_headers(struct buf *b, const struct notice *n, const char *to,
    const char *name, const char *subject, const char *boundary)
{
	char date[40], fp[65];
	char *key = xasprintf("%s\n%s\n%s", n->event_id ? n->event_id : "",
	    notice_kind_name(n->kind), n->to->id ? n->to->id : "");

	verify_sha256_hex(key, strlen(key), fp);
	free(key);
	email_date(n->at, date);
	buf_addf(b, "From: printgate <%s>\r\nTo: ", n->from);
	email_encode_words(b, name);
	buf_addf(b, " <%s>\r\nSubject: ", to);
	email_encode_words(b, subject);
	buf_addf(b, "\r\nDate: %s\r\nMessage-ID: <%.32s.printgate%s>\r\n",
	    date, fp, strchr(n->from, '@'));
	buf_addf(b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
	    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	    boundary);
}

char *
email_format(const struct notice *n)
{
	const char *to = n->to ? notice_person_handle(n->to, "email") : NULL;
	struct email_fact f[EMAIL_MAX_FACTS];
	char *name, *head, *text, *html, boundary[48], fp[65];
	struct buf b = { 0 };
	size_t k;

	if (n->to == NULL || !email_address_ok(to) ||
	    !email_address_ok(n->from))
		return NULL;
	name = notice_text(notice_person_name(n->to), 128, false);
	text = notice_headline(n);
	head = notice_text(text, 512, false);
	free(text);
	k = email_facts(n, f);
	text = email_text(n, name, head, f, k);
	html = email_html(n, name, head, f, k);
	verify_sha256_hex(text, strlen(text), fp);
	snprintf(boundary, sizeof(boundary), "printgate-%.24s", fp);
	email_headers(&b, n, to, name, head, boundary);
	buf_addf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	email_base64_body(&b, text, strlen(text));
	buf_addf(&b, "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary);
	email_base64_body(&b, html, strlen(html));
	buf_addf(&b, "--%s--\r\n", boundary);
	email_facts_free(f, k);
	free(name);
	free(head);
	free(text);
	free(html);
	return buf_steal(&b);
}

/* The end of the header field that starts at p: its folded lines too. */
static const char *
field_end(const char *p, const char *end)
{
	const char *eol;

	while ((eol = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p = eol + 1;
		if (p >= end || (*p != ' ' && *p != '\t'))
			return p;
	}
	return end;
}

int
email_recipient(const char *body, size_t len, char **out)
{
	const char *p = body, *end = body + len;

	/* the header fields, up to the blank line: "To: ... <addr>" */
	while (p < end && *p != '\r' && *p != '\n') {
		const char *next = field_end(p, end), *lt, *gt;
		size_t n = (size_t)(next - p);
		char *addr;

		if (n > EMAIL_MAX_LINE)
			return -EINVAL;
		if (n <= 4 || strncmp(p, "To: ", 4) != 0) {
			p = next;
			continue;
		}
		/* the name is encoded words: the first '<' opens it */
		if ((lt = memchr(p, '<', n)) == NULL || (gt = memchr(lt, '>',
		    n - (size_t)(lt - p))) == NULL)
			return -EINVAL;
		addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		if (!email_address_ok(addr)) {
			free(addr);
			return -EINVAL;
		}
		*out = addr;
		return 0;
	}
	return -EINVAL;
}

const struct platform email_platform = {
	.conf = { .name = "email", .person_key = "email",
	    .flags = CONFIG_PLATFORM_MAIL },
	.title = "email",
	.via = "email",
	.via_user = false,
	.format = email_format,
	.per_person = true,
	.recipient = email_recipient,
};
