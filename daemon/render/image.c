/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * image.c - raster images into one page each (image.h).  Each format
 * through the library Debian reads it with: PNG with cairo's own reader
 * (libpng underneath), JPEG with libjpeg-turbo, GIF with giflib, WebP with
 * libwebp.  Every decoder sees the size in the header checked against the
 * pixel limit before it allocates anything for the pixels.
 */
#include "render/image.h"

#include <errno.h>
#include <gif_lib.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

#include <jpeglib.h>

#include "core/util.h"

/* Whether a w x h image fits the limit; else why says so. */
static int
size_ok(long w, long h, long max_pixels, char *why, size_t whylen)
{
	if (w < 1 || h < 1) {
		snprintf(why, whylen, "the image has no pixels (%ld x %ld)", w,
		    h);
		return 0;
	}
	if (w > 100000 || h > 100000 || w * h > max_pixels) {
		snprintf(why, whylen, "the image is %ld x %ld pixels, over "
		    "the limit of %ld megapixels", w, h, max_pixels / 1000000);
		return 0;
	}
	return 1;
}

/* A blank ARGB32 surface of w x h, or NULL when cairo cannot make one. */
static cairo_surface_t *
surface_new(int w, int h, char *why, size_t whylen)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
	    w, h);

	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, whylen, "no memory for a %d x %d image", w, h);
		cairo_surface_destroy(s);
		return NULL;
	}
	return s;
}

/* Stores straight (not premultiplied) r, g, b, a as cairo's ARGB32. */
static inline void
put_argb(unsigned char *row, int x, unsigned r, unsigned g, unsigned b,
    unsigned a)
{
	uint32_t p = a << 24 | (r * a / 255) << 16 | (g * a / 255) << 8 |
	    (b * a / 255);

	memcpy(row + (size_t)x * 4, &p, 4);
}

/* cairo's PNG reader over the bytes in memory. */
struct mem {
	const unsigned char *d;
	size_t n, pos;
};

static cairo_status_t
mem_read(void *closure, unsigned char *out, unsigned int len)
{
	struct mem *m = closure;

	if (m->n - m->pos < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(out, m->d + m->pos, len);
	m->pos += len;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
png_decode(const unsigned char *d, size_t n, long max_pixels, char *why,
    size_t whylen)
{
	struct mem m = { d, n, 0 };
	cairo_surface_t *s;
	long w, h;

	/* IHDR comes first: width and height at bytes 16 to 23 */
	if (n < 24 || memcmp(d + 12, "IHDR", 4) != 0) {
		snprintf(why, whylen, "the PNG has no header");
		return NULL;
	}
	w = (long)d[16] << 24 | d[17] << 16 | d[18] << 8 | d[19];
	h = (long)d[20] << 24 | d[21] << 16 | d[22] << 8 | d[23];
	if (!size_ok(w, h, max_pixels, why, whylen))
		return NULL;
	s = cairo_image_surface_create_from_png_stream(mem_read, &m);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, whylen, "the PNG cannot be read (%s)",
		    cairo_status_to_string(cairo_surface_status(s)));
		cairo_surface_destroy(s);
		return NULL;
	}
	return s;
}

/* libjpeg reports errors by longjmp back to jpeg_decode. */
struct jerr {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
};

static void
jpeg_fail(j_common_ptr cinfo)
{
	longjmp(((struct jerr *)(void *)cinfo->err)->jump, 1);
}

static void
jpeg_quiet(j_common_ptr cinfo, int level)
{
	(void)cinfo;
	(void)level;
}

/* One decoded JPEG row (RGB or Adobe's inverted CMYK) into row. */
static void
jpeg_row(unsigned char *row, const unsigned char *in, int w, int cmyk)
{
	for (int x = 0; x < w; x++) {
		const unsigned char *p = in + (size_t)x * (cmyk ? 4 : 3);

		if (cmyk)
			put_argb(row, x, p[0] * p[3] / 255u,
			    p[1] * p[3] / 255u, p[2] * p[3] / 255u, 255);
		else
			put_argb(row, x, p[0], p[1], p[2], 255);
	}
}

static cairo_surface_t *
jpeg_decode(const unsigned char *d, size_t n, long max_pixels, char *why,
    size_t whylen)
{
	struct jpeg_decompress_struct ci;
	struct jerr jerr;
	cairo_surface_t *volatile s = NULL;
	unsigned char *volatile line = NULL;
	int cmyk;

	memset(&ci, 0, sizeof(ci));
	ci.err = jpeg_std_error(&jerr.mgr);
	jerr.mgr.error_exit = jpeg_fail;
	jerr.mgr.emit_message = jpeg_quiet;
	if (setjmp(jerr.jump)) {
		char msg[JMSG_LENGTH_MAX];

		jerr.mgr.format_message((j_common_ptr)&ci, msg);
		snprintf(why, whylen, "the JPEG cannot be read (%s)", msg);
		jpeg_destroy_decompress(&ci);
		free(line);
		cairo_surface_destroy(s);
		return NULL;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, d, (unsigned long)n);
	jpeg_read_header(&ci, TRUE);
	if (!size_ok((long)ci.image_width, (long)ci.image_height, max_pixels,
	    why, whylen)) {
		jpeg_destroy_decompress(&ci);
		return NULL;
	}
	cmyk = ci.jpeg_color_space == JCS_CMYK ||
	    ci.jpeg_color_space == JCS_YCCK;
	ci.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
	jpeg_start_decompress(&ci);
	if ((s = surface_new((int)ci.output_width, (int)ci.output_height, why,
	    whylen)) == NULL) {
		jpeg_destroy_decompress(&ci);
		return NULL;
	}
	line = xmalloc((size_t)ci.output_width * 4);
	while (ci.output_scanline < ci.output_height) {
		JSAMPROW rows[1] = { line };
		unsigned char *row = cairo_image_surface_get_data(s) +
		    (size_t)ci.output_scanline *
		    (size_t)cairo_image_surface_get_stride(s);

		jpeg_read_scanlines(&ci, rows, 1);
		jpeg_row(row, line, (int)ci.output_width, cmyk);
	}
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	free(line);
	cairo_surface_mark_dirty(s);
	return s;
}

static int
gif_read(GifFileType *g, GifByteType *out, int len)
{
	struct mem *m = g->UserData;

	if (len < 0)
		return 0;
	if (m->n - m->pos < (size_t)len)
		len = (int)(m->n - m->pos);
	memcpy(out, m->d + m->pos, (size_t)len);
	m->pos += (size_t)len;
	return len;
}

/* The first frame's pixels, interlaced or not, into rows of indexes. */
static int
gif_frame(GifFileType *g, unsigned char *idx, int w, int h)
{
	static const int start[] = { 0, 4, 2, 1 }, step[] = { 8, 8, 4, 2 };

	if (!g->Image.Interlace) {
		for (int y = 0; y < h; y++)
			if (DGifGetLine(g, idx + (size_t)y * (size_t)w, w) !=
			    GIF_OK)
				return -1;
		return 0;
	}
	for (int pass = 0; pass < 4; pass++)
		for (int y = start[pass]; y < h; y += step[pass])
			if (DGifGetLine(g, idx + (size_t)y * (size_t)w, w) !=
			    GIF_OK)
				return -1;
	return 0;
}

/*
 * The records before the first frame, reading its transparent index from a
 * graphics control extension; 0 when the frame's descriptor is read.
 */
static int
gif_to_frame(GifFileType *g, int *transparent)
{
	GifRecordType rec;
	GifByteType *ext;
	int code;

	for (;;) {
		if (DGifGetRecordType(g, &rec) != GIF_OK)
			return -1;
		if (rec == IMAGE_DESC_RECORD_TYPE)
			return DGifGetImageDesc(g) == GIF_OK ? 0 : -1;
		if (rec == TERMINATE_RECORD_TYPE)
			return -1;
		if (rec != EXTENSION_RECORD_TYPE)
			continue;
		if (DGifGetExtension(g, &code, &ext) != GIF_OK)
			return -1;
		if (code == GRAPHICS_EXT_FUNC_CODE && ext != NULL &&
		    ext[0] >= 4 && (ext[1] & 1))
			*transparent = ext[4];
		while (ext != NULL)
			if (DGifGetExtensionNext(g, &ext) != GIF_OK)
				return -1;
	}
}

/* Paints the frame's indexes into s through the colour map. */
static void
gif_paint(cairo_surface_t *s, const GifFileType *g, const unsigned char *idx,
    int transparent)
{
	const ColorMapObject *cm = g->Image.ColorMap ? g->Image.ColorMap :
	    g->SColorMap;
	const GifImageDesc *im = &g->Image;
	unsigned char *data = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);

	for (int y = 0; y < im->Height; y++) {
		unsigned char *row = data + (size_t)(im->Top + y) *
		    (size_t)stride;

		for (int x = 0; x < im->Width; x++) {
			int i = idx[(size_t)y * (size_t)im->Width + (size_t)x];
			const GifColorType *c;

			if (i == transparent || cm == NULL ||
			    i >= cm->ColorCount)
				continue;
			c = &cm->Colors[i];
			put_argb(row, im->Left + x, c->Red, c->Green, c->Blue,
			    255);
		}
	}
	cairo_surface_mark_dirty(s);
}

static cairo_surface_t *
gif_decode(const unsigned char *d, size_t n, long max_pixels, char *why,
    size_t whylen)
{
	struct mem m = { d, n, 0 };
	cairo_surface_t *s = NULL;
	unsigned char *idx = NULL;
	int err = 0, transparent = -1, ignored;
	GifFileType *g = DGifOpen(&m, gif_read, &err);
	const GifImageDesc *im;

	if (g == NULL) {
		snprintf(why, whylen, "the GIF cannot be read (%s)",
		    GifErrorString(err));
		return NULL;
	}
	if (!size_ok(g->SWidth, g->SHeight, max_pixels, why, whylen))
		goto done;
	if (gif_to_frame(g, &transparent) < 0) {
		snprintf(why, whylen, "the GIF has no readable image (%s)",
		    GifErrorString(g->Error));
		goto done;
	}
	im = &g->Image;
	if (im->Left < 0 || im->Top < 0 || im->Width < 1 || im->Height < 1 ||
	    im->Left + im->Width > g->SWidth ||
	    im->Top + im->Height > g->SHeight) {
		snprintf(why, whylen, "the GIF's first image lies outside it");
		goto done;
	}
	idx = xmalloc((size_t)im->Width * (size_t)im->Height);
	if (gif_frame(g, idx, im->Width, im->Height) < 0) {
		snprintf(why, whylen, "the GIF's image is cut short (%s)",
		    GifErrorString(g->Error));
		goto done;
	}
	if ((s = surface_new(g->SWidth, g->SHeight, why, whylen)) != NULL)
		gif_paint(s, g, idx, transparent);
done:
	free(idx);
	DGifCloseFile(g, &ignored);
	return s;
}

static cairo_surface_t *
webp_decode(const unsigned char *d, size_t n, long max_pixels, char *why,
    size_t whylen)
{
	int w = 0, h = 0;
	cairo_surface_t *s;
	uint8_t *rgba;

	if (!WebPGetInfo(d, n, &w, &h)) {
		snprintf(why, whylen, "the WebP image cannot be read");
		return NULL;
	}
	if (!size_ok(w, h, max_pixels, why, whylen))
		return NULL;
	if ((rgba = WebPDecodeRGBA(d, n, &w, &h)) == NULL) {
		snprintf(why, whylen, "the WebP image cannot be decoded");
		return NULL;
	}
	if ((s = surface_new(w, h, why, whylen)) != NULL) {
		unsigned char *data = cairo_image_surface_get_data(s);
		int stride = cairo_image_surface_get_stride(s);

		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				const uint8_t *p = rgba + ((size_t)y *
				    (size_t)w + (size_t)x) * 4;

				put_argb(data + (size_t)y * (size_t)stride, x,
				    p[0], p[1], p[2], p[3]);
			}
		cairo_surface_mark_dirty(s);
	}
	WebPFree(rgba);
	return s;
}

/* src laid on white, scaled to fit max_side: a new RGB24 surface. */
static cairo_surface_t *
flatten(cairo_surface_t *src, int max_side)
{
	int w = cairo_image_surface_get_width(src);
	int h = cairo_image_surface_get_height(src);
	double scale = 1.0;
	cairo_surface_t *s;
	cairo_t *cr;

	if (w > max_side || h > max_side)
		scale = (double)max_side / (w > h ? w : h);
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
	    (int)(w * scale + 0.5) > 0 ? (int)(w * scale + 0.5) : 1,
	    (int)(h * scale + 0.5) > 0 ? (int)(h * scale + 0.5) : 1);
	cr = cairo_create(s);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_scale(cr, scale, scale);
	cairo_set_source_surface(cr, src, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
	cairo_paint(cr);
	cairo_destroy(cr);
	cairo_surface_flush(s);
	return s;
}

int
image_decode(cairo_surface_t **out, enum job_kind kind,
    const unsigned char *data, size_t len, long max_pixels, int max_side,
    char *why, size_t whylen)
{
	cairo_surface_t *s = NULL, *flat;

	switch (kind) {
	case JOB_PNG:
		s = png_decode(data, len, max_pixels, why, whylen);
		break;
	case JOB_JPEG:
		s = jpeg_decode(data, len, max_pixels, why, whylen);
		break;
	case JOB_GIF:
		s = gif_decode(data, len, max_pixels, why, whylen);
		break;
	case JOB_WEBP:
		s = webp_decode(data, len, max_pixels, why, whylen);
		break;
	default:
		snprintf(why, whylen, "not an image format printgate reads");
		return -EINVAL;
	}
	if (s == NULL)
		return -EINVAL;
	flat = flatten(s, max_side);
	cairo_surface_destroy(s);
	if (cairo_surface_status(flat) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, whylen, "no memory to show the image");
		cairo_surface_destroy(flat);
		return -EINVAL;
	}
	*out = flat;
	return 0;
}
