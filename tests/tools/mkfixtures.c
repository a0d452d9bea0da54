/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkfixtures.c - draws the renderer's test files, so that no binary file
 * from elsewhere is needed: PDFs with cairo, images with cairo, libjpeg,
 * giflib and libwebp, and the hostile files by hand.
 *
 *   mkfixtures DIR
 *
 * writes into DIR:
 *   price-old.pdf        3 pages; page 2 says "Price: 2,499"
 *   price-new.pdf        the same, with "2,999" on page 2
 *   price-reexport.pdf   price-old again, other metadata: other bytes,
 *                        the same pixels
 *   price-inserted.pdf   price-old with a page inserted after page 1
 *   pages20-old.pdf      20 pages; pages20-new.pdf with pages 5 and 14
 *                        changed (the benchmark's)
 *   image-old.EXT        a 400 x 300 drawing; image-new.EXT with the
 *                        box at (250, 60), 80 x 60, recoloured; EXT png,
 *                        jpeg, gif, webp
 *   corrupt.pdf          "%PDF-1.4" and then noise
 *   encrypted.pdf        a PDF that needs a password
 *   bomb.pdf             a page that draws 20 times a 14000 x 14000
 *                        image that inflates from 190 KB to 196 MB
 *   pages10000.pdf       10,000 blank pages
 *   huge.jpeg, huge.png  headers that say 60000 x 60000 pixels
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <gif_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>
#include <zlib.h>

#include <jpeglib.h>

static const char *dir;

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "mkfixtures: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *
path(const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
spit(const char *name, const void *data, size_t len)
{
	FILE *fp = fopen(path(name), "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		die(name);
}

/* ---- PDFs ---------------------------------------------------------------- */

static void
text(cairo_t *cr, double x, double y, double size, const char *s)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

/*
 * One brochure page: a title, a paragraph, and a price when asked; no
 * page number, so that a page inserted changes no other page.
 */
static void
page(cairo_t *cr, const char *title, const char *price)
{
	char line[128];

	cairo_set_source_rgb(cr, 0.1, 0.2, 0.5);
	cairo_rectangle(cr, 0, 0, 612, 60);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	text(cr, 40, 40, 24, title);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int i = 0; i < 12; i++) {
		snprintf(line, sizeof(line), "Line %d of %s: the Widget "
		    "Pro keeps printers busy and sales happy.", i + 1, title);
		text(cr, 40, 120 + i * 20, 11, line);
	}
	if (price != NULL) {
		snprintf(line, sizeof(line), "Price: %s per seat", price);
		text(cr, 40, 500, 28, line);
	}
	cairo_show_page(cr);
}

/*
 * A PDF of the titles given (NULL-ended); the page titled "Pricing" shows
 * price.  creator sets the metadata, so that bytes differ, not pixels.
 */
static void
brochure(const char *name, const char *const *titles, const char *price,
    const char *creator)
{
	cairo_surface_t *s = cairo_pdf_surface_create(path(name), 612, 792);
	cairo_t *cr = cairo_create(s);

	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, creator);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE,
	    strcmp(creator, "mkfixtures") == 0 ? "2027-01-02T10:00:00Z" :
	    "2027-02-03T11:00:00Z");
	for (int i = 0; titles[i] != NULL; i++)
		page(cr, titles[i], strcmp(titles[i], "Pricing") == 0 ?
		    price : NULL);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		die(name);
	cairo_surface_destroy(s);
}

static void
pdfs(void)
{
	static const char *const three[] = { "Widget Pro", "Pricing",
		"Contact", NULL };
	static const char *const four[] = { "Widget Pro", "New: Widget Mini",
		"Pricing", "Contact", NULL };
	const char *twenty[21];
	char names[20][32];

	brochure("price-old.pdf", three, "2,499", "mkfixtures");
	brochure("price-new.pdf", three, "2,999", "mkfixtures");
	brochure("price-reexport.pdf", three, "2,499", "mkfixtures again");
	brochure("price-inserted.pdf", four, "2,499", "mkfixtures");
	for (int i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), i == 4 ? "Pricing" :
		    "Section %d", i + 1);
		twenty[i] = names[i];
	}
	twenty[20] = NULL;
	brochure("pages20-old.pdf", twenty, "2,499", "mkfixtures");
	snprintf(names[13], sizeof(names[13]), "Section 14, revised");
	brochure("pages20-new.pdf", twenty, "2,999", "mkfixtures");
}

/* ---- images -------------------------------------------------------------- */

#define IW 400
#define IH 300

/* The drawing, in flat colours (no anti-aliasing, so GIF's palette
 * holds it exactly); the box at (250, 60) blue, or orange when changed. */
static cairo_surface_t *
drawing(int changed)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
	    IW, IH);
	cairo_t *cr = cairo_create(s);

	cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0.5, 0);
	cairo_rectangle(cr, 20, 20, 160, 100);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 1, 0, 0);
	cairo_arc(cr, 100, 210, 50, 0, 6.2832);
	cairo_fill(cr);
	if (changed)
		cairo_set_source_rgb(cr, 1, 0.5, 0);
	else
		cairo_set_source_rgb(cr, 0, 0, 1);
	cairo_rectangle(cr, 250, 60, 80, 60);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, 220, 200, 150, 20);
	cairo_fill(cr);
	cairo_destroy(cr);
	cairo_surface_flush(s);
	return s;
}

/* Row y of s as RGB bytes into out[IW * 3]. */
static void
rgb_row(cairo_surface_t *s, int y, unsigned char *out)
{
	const unsigned char *row = cairo_image_surface_get_data(s) +
	    (size_t)y * (size_t)cairo_image_surface_get_stride(s);

	for (int x = 0; x < IW; x++) {
		uint32_t p;

		memcpy(&p, row + x * 4, 4);
		out[x * 3] = p >> 16 & 0xff;
		out[x * 3 + 1] = p >> 8 & 0xff;
		out[x * 3 + 2] = p & 0xff;
	}
}

static void
jpeg_write(const char *name, cairo_surface_t *s, int w, int h)
{
	struct jpeg_compress_struct ci;
	struct jpeg_error_mgr jerr;
	unsigned char *mem = NULL, row[IW * 3];
	unsigned long len = 0;

	ci.err = jpeg_std_error(&jerr);
	jpeg_create_compress(&ci);
	jpeg_mem_dest(&ci, &mem, &len);
	ci.image_width = (JDIMENSION)w;
	ci.image_height = (JDIMENSION)h;
	ci.input_components = 3;
	ci.in_color_space = JCS_RGB;
	jpeg_set_defaults(&ci);
	jpeg_set_quality(&ci, 95, TRUE);
	jpeg_start_compress(&ci, TRUE);
	for (int y = 0; y < h; y++) {
		JSAMPROW rows[1] = { row };

		rgb_row(s, y, row);
		jpeg_write_scanlines(&ci, rows, 1);
	}
	jpeg_finish_compress(&ci);
	jpeg_destroy_compress(&ci);
	spit(name, mem, len);
	free(mem);
}

static int
gif_write_mem(GifFileType *g, const GifByteType *data, int len)
{
	FILE *fp = g->UserData;

	return (int)fwrite(data, 1, (size_t)len, fp);
}

/* The drawing's few colours as a palette; the index of colour p. */
static const uint32_t palette[] = { 0xffffff, 0x008000, 0xff0000, 0x0000ff,
	0xff8000, 0x000000, 0x808080, 0x00ffff };

static int
pal_index(uint32_t p)
{
	for (int i = 0; i < 8; i++)
		if ((p & 0xffffff) == palette[i])
			return i;
	return 6;
}

static void
gif_write(const char *name, cairo_surface_t *s)
{
	GifColorType colors[8];
	ColorMapObject *cm;
	FILE *fp = fopen(path(name), "wb");
	GifFileType *g;
	GifByteType line[IW];
	int err;

	if (fp == NULL)
		die(name);
	for (int i = 0; i < 8; i++)
		colors[i] = (GifColorType){ palette[i] >> 16 & 0xff,
			palette[i] >> 8 & 0xff, palette[i] & 0xff };
	cm = GifMakeMapObject(8, colors);
	g = EGifOpen(fp, gif_write_mem, &err);
	if (g == NULL || EGifPutScreenDesc(g, IW, IH, 8, 0, cm) != GIF_OK ||
	    EGifPutImageDesc(g, 0, 0, IW, IH, false, NULL) != GIF_OK)
		die(name);
	for (int y = 0; y < IH; y++) {
		const unsigned char *row = cairo_image_surface_get_data(s) +
		    (size_t)y * (size_t)cairo_image_surface_get_stride(s);

		for (int x = 0; x < IW; x++) {
			uint32_t p;

			memcpy(&p, row + x * 4, 4);
			line[x] = (GifByteType)pal_index(p);
		}
		if (EGifPutLine(g, line, IW) != GIF_OK)
			die(name);
	}
	EGifCloseFile(g, &err);
	GifFreeMapObject(cm);
	fclose(fp);
}

static void
webp_write(const char *name, cairo_surface_t *s)
{
	unsigned char *rgb = malloc(IW * IH * 3), *out = NULL;
	size_t len;

	for (int y = 0; y < IH; y++)
		rgb_row(s, y, rgb + y * IW * 3);
	len = WebPEncodeLosslessRGB(rgb, IW, IH, IW * 3, &out);
	if (len == 0)
		die(name);
	spit(name, out, len);
	WebPFree(out);
	free(rgb);
}

static void
images(void)
{
	for (int changed = 0; changed <= 1; changed++) {
		cairo_surface_t *s = drawing(changed);
		const char *v = changed ? "new" : "old";
		char name[64];

		snprintf(name, sizeof(name), "image-%s.png", v);
		if (cairo_surface_write_to_png(s, path(name)) != 0)
			die(name);
		snprintf(name, sizeof(name), "image-%s.jpeg", v);
		jpeg_write(name, s, IW, IH);
		snprintf(name, sizeof(name), "image-%s.gif", v);
		gif_write(name, s);
		snprintf(name, sizeof(name), "image-%s.webp", v);
		webp_write(name, s);
		cairo_surface_destroy(s);
	}
}

/* ---- hostile files --------------------------------------------------------- */

/* A PDF written by hand: objects appended, then the xref and trailer. */
struct raw {
	FILE *fp;
	long off[20010];
	int n;
};

static void
raw_open(struct raw *r, const char *name)
{
	r->fp = fopen(path(name), "wb");
	if (r->fp == NULL)
		die(name);
	r->n = 0;
	fputs("%PDF-1.4\n", r->fp);
}

/* Starts object number ++n; the caller writes its body and "endobj". */
static void
raw_obj(struct raw *r)
{
	r->off[++r->n] = ftell(r->fp);
	fprintf(r->fp, "%d 0 obj\n", r->n);
}

static void
raw_close(struct raw *r, const char *name, const char *trailer_extra)
{
	long xref = ftell(r->fp);

	fprintf(r->fp, "xref\n0 %d\n0000000000 65535 f \n", r->n + 1);
	for (int i = 1; i <= r->n; i++)
		fprintf(r->fp, "%010ld 00000 n \n", r->off[i]);
	fprintf(r->fp, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n"
	    "%ld\n%%%%EOF\n", r->n + 1, trailer_extra, xref);
	if (fclose(r->fp) != 0)
		die(name);
}

/* Catalog, pages of one page, that page with contents and resources. */
static void
raw_one_page(struct raw *r, const char *resources, const char *content)
{
	raw_obj(r);
	fputs("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", r->fp);
	raw_obj(r);
	fputs("<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n", r->fp);
	raw_obj(r);
	fprintf(r->fp, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
	    "/Contents 4 0 R /Resources << %s >> >>\nendobj\n", resources);
	raw_obj(r);
	fprintf(r->fp, "<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n",
	    strlen(content), content);
}

static void
encrypted(void)
{
	struct raw r;
	char o[65], u[65];

	for (int i = 0; i < 64; i++) {
		o[i] = "0123456789abcdef"[(i * 7 + 3) % 16];
		u[i] = "0123456789abcdef"[(i * 5 + 1) % 16];
	}
	o[64] = u[64] = '\0';
	raw_open(&r, "encrypted.pdf");
	raw_one_page(&r, "", "BT ET");
	raw_obj(&r);
	fprintf(r.fp, "<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> "
	    "/P -44 >>\nendobj\n", o, u);
	raw_close(&r, "encrypted.pdf", "/Encrypt 5 0 R /ID "
	    "[<00112233445566778899aabbccddeeff> "
	    "<00112233445566778899aabbccddeeff>]");
}

/* An image XObject of 14000 x 14000 grey pixels, deflated zeros. */
static void
bomb(void)
{
	const size_t side = 14000, chunk = 1 << 20;
	unsigned char *zeros = calloc(1, chunk), *out = malloc(chunk);
	size_t left = side * side;
	struct raw r;
	z_stream z = { 0 };
	long lenpos, start, end;
	char content[1024] = "";

	/* each Do inflates it again: 20 times 196 MB */
	for (int i = 0; i < 20; i++)
		strcat(content, "q 612 0 0 792 0 0 cm /Im1 Do Q\n");
	raw_open(&r, "bomb.pdf");
	raw_one_page(&r, "/XObject << /Im1 5 0 R >>", content);
	raw_obj(&r);
	fprintf(r.fp, "<< /Type /XObject /Subtype /Image /Width %zu "
	    "/Height %zu /ColorSpace /DeviceGray /BitsPerComponent 8 "
	    "/Filter /FlateDecode /Length ", side, side);
	lenpos = ftell(r.fp);
	fputs("0000000000 >>\nstream\n", r.fp);
	start = ftell(r.fp);
	deflateInit(&z, 9);
	for (int flush = Z_NO_FLUSH; flush != Z_FINISH;) {
		size_t n = left < chunk ? left : chunk;

		left -= n;
		flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = zeros;
		z.avail_in = (uInt)n;
		do {
			z.next_out = out;
			z.avail_out = (uInt)chunk;
			deflate(&z, flush);
			fwrite(out, 1, chunk - z.avail_out, r.fp);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	end = ftell(r.fp);
	fputs("\nendstream\nendobj\n", r.fp);
	fseek(r.fp, lenpos, SEEK_SET);
	fprintf(r.fp, "%010ld", end - start);
	fseek(r.fp, 0, SEEK_END);
	raw_close(&r, "bomb.pdf", "");
	free(zeros);
	free(out);
}

static void
many_pages(void)
{
	const int n = 10000;
	struct raw r;

	raw_open(&r, "pages10000.pdf");
	raw_obj(&r);
	fputs("<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", r.fp);
	raw_obj(&r);
	fprintf(r.fp, "<< /Type /Pages /Count %d /Kids [", n);
	for (int i = 0; i < n; i++)
		fprintf(r.fp, "%d 0 R ", i + 3);
	fputs("] >>\nendobj\n", r.fp);
	for (int i = 0; i < n; i++) {
		raw_obj(&r);
		fputs("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
		    ">>\nendobj\n", r.fp);
	}
	raw_close(&r, "pages10000.pdf", "");
}

static void
corrupt(void)
{
	unsigned char noise[4096];
	uint32_t x = 12345;

	memcpy(noise, "%PDF-1.4\n", 9);
	for (size_t i = 9; i < sizeof(noise); i++) {
		x = x * 1103515245 + 12345;
		noise[i] = (unsigned char)(x >> 16);
	}
	spit("corrupt.pdf", noise, sizeof(noise));
}

/* A real 8 x 8 JPEG whose frame header then says 60000 x 60000. */
static void
huge_jpeg(void)
{
	cairo_surface_t *s = drawing(0);
	FILE *fp;
	unsigned char buf[65536];
	size_t n;

	jpeg_write("huge.jpeg", s, 8, 8);
	cairo_surface_destroy(s);
	if ((fp = fopen(path("huge.jpeg"), "rb")) == NULL)
		die("huge.jpeg");
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	for (size_t i = 2; i + 9 < n; i++) {
		if (buf[i] == 0xff && buf[i + 1] == 0xc0) {
			buf[i + 5] = buf[i + 7] = 60000 >> 8;
			buf[i + 6] = buf[i + 8] = 60000 & 0xff;
			spit("huge.jpeg", buf, n);
			return;
		}
	}
	errno = EINVAL;
	die("huge.jpeg: no SOF0 marker");
}

static void
huge_png(void)
{
	static const unsigned char png[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60, 8, 2, 0, 0, 0,
		0, 0, 0, 0,
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82,
	};

	spit("huge.png", png, sizeof(png));
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkfixtures DIR\n");
		return 2;
	}
	dir = argv[1];
	pdfs();
	images();
	encrypted();
	bomb();
	many_pages();
	corrupt();
	huge_jpeg();
	huge_png();
	/* cairo's and fontconfig's caches, for the leak checker */
	cairo_debug_reset_static_data();
	FcFini();
	return 0;
}
