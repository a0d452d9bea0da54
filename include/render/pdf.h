/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pdf.h - a PDF's pages rasterised and its text layer read, through
 * poppler-glib and cairo.  The only file that includes poppler.
 */
#ifndef PRINTGATE_RENDER_PDF_H
#define PRINTGATE_RENDER_PDF_H

#include <cairo.h>
#include <stddef.h>

struct pdf;

/*
 * Initialises poppler, fontconfig and cairo before the sandbox's filter
 * is in: reads the font configuration (rescans off, so that fontconfig
 * never writes its cache later) and draws a small PDF of its own with a
 * system font.  Returns 0, or -EINVAL when that PDF cannot be drawn.
 */
int pdf_init(void);

/*
 * Opens the len bytes at data (borrowed: they must outlive *out) as a PDF
 * of at most max_pages pages.  Returns 0 with *out (free with pdf_free),
 * or -EINVAL with why (whylen bytes) saying in words why it cannot be
 * shown: damaged, encrypted, too many pages.
 */
int pdf_open(struct pdf **out, const unsigned char *data, size_t len,
    int max_pages, char *why, size_t whylen);
int pdf_pages(const struct pdf *p);

/*
 * Page index (0-based) at dpi pixels per inch, scaled down to fit
 * max_pixels, on white: 0 with *out a new RGB24 surface the caller
 * destroys, or -EINVAL with why set.
 */
int pdf_render(const struct pdf *p, int index, int dpi, long max_pixels,
    cairo_surface_t **out, char *why, size_t whylen);

/* Page index's text layer as a new string (the caller frees); never NULL. */
char *pdf_text(const struct pdf *p, int index);

void pdf_free(struct pdf *p);

#endif
