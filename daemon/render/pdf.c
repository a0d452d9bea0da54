/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pdf.c - PDFs through poppler-glib (pdf.h): a document opened from the
 * job's bytes in memory (never a file), a page drawn with cairo, a page's
 * text.  poppler is the PDF engine of Debian's desktop (Evince, pdftoppm):
 * the previews look like what reviewers see in their own viewer.
 */
#include "render/pdf.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct pdf {
	PopplerDocument *doc;
	int npages;
};

/* A one-page PDF with a line of Helvetica, which no PDF embeds. */
static void
warmup_pdf(struct buf *b)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 50] "
		"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length 41 >>\nstream\nBT /F1 12 Tf 10 20 Td (2,499 2,999) Tj ET\n"
		"endstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	};
	size_t off[ARRAY_SIZE(objs)];

	buf_adds(b, "%PDF-1.4\n");
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
		off[i] = b->len;
		buf_addf(b, "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	size_t xref = b->len;
	buf_addf(b, "xref\n0 %zu\n0000000000 65535 f \n",
	    ARRAY_SIZE(objs) + 1);
	for (size_t i = 0; i < ARRAY_SIZE(objs); i++)
		buf_addf(b, "%010zu 00000 n \n", off[i]);
	buf_addf(b, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n"
	    "%%%%EOF\n", ARRAY_SIZE(objs) + 1, xref);
}

int
pdf_init(void)
{
	struct buf b = { 0 };
	cairo_surface_t *s = NULL;
	struct pdf *p = NULL;
	char why[200];
	int error;

	if (!FcInit())
		return -EINVAL;
	FcConfigSetRescanInterval(NULL, 0);
	warmup_pdf(&b);
	error = pdf_open(&p, (const unsigned char *)b.s, b.len, 1, why,
	    sizeof(why));
	if (error == 0)
		error = pdf_render(p, 0, 72, 1 << 20, &s, why, sizeof(why));
	if (error == 0) {
		free(pdf_text(p, 0));
		cairo_surface_destroy(s);
	}
	pdf_free(p);
	buf_free(&b);
	return error;
}

int
pdf_open(struct pdf **out, const unsigned char *data, size_t len,
    int max_pages, char *why, size_t whylen)
{
	GBytes *bytes = g_bytes_new_static(data, len);
	GError *err = NULL;
	PopplerDocument *doc;
	struct pdf *p;
	int n;

	doc = poppler_document_new_from_bytes(bytes, NULL, &err);
	g_bytes_unref(bytes);
	if (doc == NULL) {
		if (err != NULL && err->domain == POPPLER_ERROR &&
		    err->code == POPPLER_ERROR_ENCRYPTED)
			snprintf(why, whylen, "the PDF is encrypted: it opens "
			    "only with a password");
		else
			snprintf(why, whylen, "the PDF cannot be read (%s)",
			    err != NULL ? err->message : "unknown error");
		if (err != NULL)
			g_error_free(err);
		return -EINVAL;
	}
	n = poppler_document_get_n_pages(doc);
	if (n < 1 || n > max_pages) {
		if (n < 1)
			snprintf(why, whylen, "the PDF has no pages");
		else
			snprintf(why, whylen, "the PDF has %d pages, over the "
			    "limit of %d", n, max_pages);
		g_object_unref(doc);
		return -EINVAL;
	}
	p = xcalloc(1, sizeof(*p));
	p->doc = doc;
	p->npages = n;
	*out = p;
	return 0;
}

int
pdf_pages(const struct pdf *p)
{
	return p->npages;
}

int
pdf_render(const struct pdf *p, int index, int dpi, long max_pixels,
    cairo_surface_t **out, char *why, size_t whylen)
{
	PopplerPage *page = poppler_document_get_page(p->doc, index);
	double pw = 0, ph = 0, scale = dpi / 72.0;
	cairo_surface_t *s;
	cairo_t *cr;
	int w, h;

	if (page == NULL) {
		snprintf(why, whylen, "page %d cannot be read", index + 1);
		return -EINVAL;
	}
	poppler_page_get_size(page, &pw, &ph);
	if (!(pw >= 1 && ph >= 1 && pw < 1e6 && ph < 1e6)) {
		snprintf(why, whylen, "page %d has no usable size", index + 1);
		g_object_unref(page);
		return -EINVAL;
	}
	/* a poster-sized page is shown smaller, never refused */
	if (pw * ph * scale * scale > (double)max_pixels)
		scale = sqrt((double)max_pixels / (pw * ph));
	w = (int)ceil(pw * scale);
	h = (int)ceil(ph * scale);
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	poppler_page_render(page, cr);
	cairo_destroy(cr);
	g_object_unref(page);
	cairo_surface_flush(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, whylen, "page %d cannot be drawn (%s)",
		    index + 1,
		    cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

char *
pdf_text(const struct pdf *p, int index)
{
	PopplerPage *page = poppler_document_get_page(p->doc, index);
	char *t, *copy;

	if (page == NULL)
		return xstrdup("");
	t = poppler_page_get_text(page);
	copy = xstrdup(t != NULL ? t : "");
	g_free(t);
	g_object_unref(page);
	return copy;
}

void
pdf_free(struct pdf *p)
{
	if (p == NULL)
		return;
	g_object_unref(p->doc);
	free(p);
}
