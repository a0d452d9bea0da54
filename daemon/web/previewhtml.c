/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * previewhtml.c - a file's preview on the review page, and its script
 * (see previewhtml.h).  Every string of the view-model is escaped; a URL
 * that is not a path on this site or http(s) gives no picture.
 */
#include "web/previewhtml.h"

#include <stdio.h>
#include <string.h>

#include "web/html.h"

/* An <img> of url, with its alt text and size; nothing for a bad URL. */
static void
picture(struct buf *b, const char *cls, const char *url, const char *alt,
    const struct page_preview_page *pg)
{
	if (!html_url_ok(url))
		return;
	buf_addf(b, "<div class=\"pv-side %s\"><img", cls);
	html_attr_pair(b, "src", url);
	html_attr_pair(b, "alt", alt);
	if (pg->width > 0 && pg->height > 0)
		buf_addf(b, " width=\"%d\" height=\"%d\"", pg->width,
		    pg->height);
	buf_adds(b, " loading=\"lazy\"></div>\n");
}

/* "Page 2", "New page 3", "Old page 4". */
static void
page_name(char *out, size_t len, const struct page_preview_page *pg)
{
	if (pg->new > 0 && pg->old == 0)
		snprintf(out, len, "New page %d", pg->new);
	else if (pg->new == 0)
		snprintf(out, len, "Old page %d", pg->old);
	else
		snprintf(out, len, "Page %d", pg->new);
}

/* The words that changed on a page: "2,499 → 2,999". */
static void
page_words(struct buf *b, const struct page_preview_page *pg)
{
	if (pg->nwords == 0)
		return;
	buf_adds(b, "<ul class=\"pv-words\" aria-label=\"Text changed\">\n");
	for (size_t i = 0; i < pg->nwords; i++) {
		const struct page_preview_word *w = &pg->words[i];

		buf_adds(b, "<li>");
		if (w->old && *w->old)
			html_elem(b, "del", NULL, w->old);
		if (w->old && *w->old && w->new && *w->new)
			buf_adds(b, " \xe2\x86\x92 ");
		if (w->new && *w->new)
			html_elem(b, "ins", NULL, w->new);
		buf_adds(b, "</li>\n");
	}
	buf_adds(b, "</ul>\n");
}

/* One page that is not the same: its pictures and words. */
static void
page_full(struct buf *b, const struct page_preview_page *pg, size_t file)
{
	char name[48], alt[96];

	page_name(name, sizeof(name), pg);
	buf_addf(b, "<figure class=\"pv-page pv-%s\" id=\"pv-%zu-%s%d\" "
	    "tabindex=\"-1\">\n<figcaption>", strcmp(pg->status, "changed") ==
	    0 ? "changed" : strcmp(pg->status, "added") == 0 ? "added" :
	    "removed", file, pg->new ? "p" : "o", pg->new ? pg->new : pg->old);
	html_texts(b, name);
	buf_adds(b, ": ");
	html_texts(b, pg->status);
	buf_adds(b, "</figcaption>\n<div class=\"pv-views\" "
	    "data-mode=\"side\">\n");
	snprintf(alt, sizeof(alt), "%s, old version", name);
	picture(b, "pv-old", pg->old_url, alt, pg);
	snprintf(alt, sizeof(alt), "%s, new version", name);
	picture(b, "pv-new", pg->new_url, alt, pg);
	snprintf(alt, sizeof(alt), "%s, the changes marked in red over the "
	    "new version", name);
	picture(b, "pv-diff", pg->diff_url, alt, pg);
	buf_adds(b, "</div>\n");
	page_words(b, pg);
	buf_adds(b, "</figure>\n");
}

/* The thumbnails of every page, the changed ones marked. */
static void
thumbs(struct buf *b, const struct page_preview *p, size_t file)
{
	buf_adds(b, "<ol class=\"pv-thumbs\" aria-label=\"All pages\">\n");
	for (size_t i = 0; i < p->npages; i++) {
		const struct page_preview_page *pg = &p->pages[i];
		bool same = strcmp(pg->status, "same") == 0;
		char name[48], alt[96];

		page_name(name, sizeof(name), pg);
		snprintf(alt, sizeof(alt), "%s (%s)", name, pg->status);
		buf_addf(b, "<li class=\"pv-thumb %s\">", same ? "same" :
		    "marked");
		if (!same)
			buf_addf(b, "<a href=\"#pv-%zu-%s%d\">", file,
			    pg->new ? "p" : "o", pg->new ? pg->new : pg->old);
		if (html_url_ok(pg->thumb_url)) {
			buf_adds(b, "<img");
			html_attr_pair(b, "src", pg->thumb_url);
			html_attr_pair(b, "alt", alt);
			buf_adds(b, " loading=\"lazy\">");
		}
		html_elem(b, "span", NULL, alt);
		buf_adds(b, same ? "</li>\n" : "</a></li>\n");
	}
	buf_adds(b, "</ol>\n");
}

void
previewhtml_render(struct buf *b, const struct page_preview *p, size_t file)
{
	buf_addf(b, "<section class=\"pv\" id=\"pv-%zu\"", file);
	if (p->state == PAGE_PREVIEW_COMING && html_url_ok(p->state_url))
		html_attr_pair(b, "data-pv-state", p->state_url);
	buf_adds(b, ">\n");
	if (p->state == PAGE_PREVIEW_NONE) {
		html_elem(b, "p", "pv-none", p->reason ? p->reason :
		    "no preview");
	} else if (p->state == PAGE_PREVIEW_COMING) {
		html_elem(b, "p", "pv-coming", "The preview is still coming; "
		    "it appears here when it is ready (or reload the page).");
	} else {
		if (p->summary)
			html_elem(b, "p", "pv-summary", p->summary);
		/* the changed, added and removed pages first */
		for (size_t i = 0; i < p->npages; i++)
			if (strcmp(p->pages[i].status, "same") != 0)
				page_full(b, &p->pages[i], file);
		thumbs(b, p, file);
	}
	buf_adds(b, "</section>\n");
}

void
previewhtml_script_tag(struct buf *b, const char *src)
{
	buf_adds(b, "<script src=\"");
	html_texts(b, src);
	buf_adds(b, "\" defer></script>\n");
}

/*
 * The views, the keys and the previews still coming.  No eval, no inline
 * handlers, no HTML built from strings: pictures are moved with the
 * CSSOM, and a preview that came is taken from the page read again.
 */
static const char js[] =
    "'use strict';\n"
    "(function () {\n"
    "  var modes = [['side', 'Side by side'], ['swipe', 'Swipe'],\n"
    "    ['onion', 'Onion skin'], ['diff', 'Difference']];\n"
    "  function setup(views) {\n"
    "    if (views.dataset.ready) return;\n"
    "    views.dataset.ready = '1';\n"
    "    var bar = document.createElement('div');\n"
    "    bar.className = 'pv-modes';\n"
    "    bar.setAttribute('role', 'group');\n"
    "    var range = document.createElement('input');\n"
    "    range.type = 'range'; range.min = '0'; range.max = '100';\n"
    "    range.value = '50'; range.className = 'pv-range';\n"
    "    range.setAttribute('aria-label', 'Where the new version starts');\n"
    "    var top = views.querySelector('.pv-new');\n"
    "    function apply() {\n"
    "      var m = views.dataset.mode, v = range.value;\n"
    "      range.hidden = m !== 'swipe' && m !== 'onion';\n"
    "      if (!top) return;\n"
    "      top.style.clipPath = m === 'swipe' ?\n"
    "        'inset(0 0 0 ' + v + '%)' : '';\n"
    "      top.style.opacity = m === 'onion' ? String(v / 100) : '';\n"
    "    }\n"
    "    modes.forEach(function (m) {\n"
    "      var b = document.createElement('button');\n"
    "      b.type = 'button'; b.textContent = m[1];\n"
    "      b.className = 'secondary'; b.dataset.mode = m[0];\n"
    "      b.setAttribute('aria-pressed', String(m[0] === 'side'));\n"
    "      b.addEventListener('click', function () {\n"
    "        views.dataset.mode = m[0];\n"
    "        bar.querySelectorAll('button').forEach(function (o) {\n"
    "          o.setAttribute('aria-pressed', String(o === b));\n"
    "        });\n"
    "        apply();\n"
    "      });\n"
    "      bar.appendChild(b);\n"
    "    });\n"
    "    range.addEventListener('input', apply);\n"
    "    bar.appendChild(range);\n"
    "    views.parentNode.insertBefore(bar, views);\n"
    "    apply();\n"
    "  }\n"
    "  function all() {\n"
    "    document.querySelectorAll('.pv-views').forEach(setup);\n"
    "  }\n"
    "  document.addEventListener('keydown', function (e) {\n"
    "    var t = e.target.tagName;\n"
    "    if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT') return;\n"
    "    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;\n"
    "    var pages = Array.prototype.slice.call(\n"
    "      document.querySelectorAll('.pv-page'));\n"
    "    if (!pages.length) return;\n"
    "    var i = pages.indexOf(document.activeElement);\n"
    "    i = e.key === 'ArrowRight' ? i + 1 : (i < 0 ? 0 : i - 1);\n"
    "    i = Math.max(0, Math.min(pages.length - 1, i));\n"
    "    pages[i].focus();\n"
    "    pages[i].scrollIntoView({ block: 'start' });\n"
    "    e.preventDefault();\n"
    "  });\n"
    "  function poll(sec) {\n"
    "    fetch(sec.dataset.pvState, { credentials: 'same-origin' })\n"
    "      .then(function (r) { return r.json(); })\n"
    "      .then(function (s) {\n"
    "        if (s.state === 'coming') {\n"
    "          setTimeout(function () { poll(sec); }, 500);\n"
    "          return;\n"
    "        }\n"
    "        return fetch(location.href, { credentials: 'same-origin' })\n"
    "          .then(function (r) { return r.text(); })\n"
    "          .then(function (html) {\n"
    "            var doc = new DOMParser().parseFromString(html,\n"
    "              'text/html');\n"
    "            var fresh = doc.getElementById(sec.id);\n"
    "            if (!fresh) return;\n"
    "            if (fresh.dataset.pvState) {\n"
    "              setTimeout(function () { poll(sec); }, 500);\n"
    "              return;\n"
    "            }\n"
    "            sec.replaceWith(document.importNode(fresh, true));\n"
    "            all();\n"
    "          });\n"
    "      })\n"
    "      .catch(function () {\n"
    "        setTimeout(function () { poll(sec); }, 2000);\n"
    "      });\n"
    "  }\n"
    "  all();\n"
    "  document.querySelectorAll('[data-pv-state]').forEach(poll);\n"
    "})();\n";

const char *
previewhtml_script(size_t *len)
{
	if (len)
		*len = sizeof(js) - 1;
	return js;
}
