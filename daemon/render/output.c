/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.c - the renderer's answer (output.h): the header as one line of
 * JSON (jansson), each picture as PNG (cairo's writer), written to the
 * standard output only once everything is ready, so that a renderer
 * stopped half way leaves no answer that looks whole.
 */
#include "render/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

struct output {
	json_t *hdr;
	json_t *names;		/* borrowed from hdr */
	struct buf images;	/* "image NAME LEN\n" frames, in order */
};

struct output *
output_new(json_t *hdr)
{
	struct output *o = xcalloc(1, sizeof(*o));

	o->hdr = hdr;
	o->names = json_array();
	json_object_set_new(hdr, "images", o->names);
	return o;
}

static cairo_status_t
png_append(void *closure, const unsigned char *data, unsigned int len)
{
	buf_add(closure, (const char *)data, len);
	return CAIRO_STATUS_SUCCESS;
}

int
output_image(struct output *o, const char *name, cairo_surface_t *s)
{
	struct buf png = { 0 };

	if (cairo_surface_write_to_png_stream(s, png_append, &png) !=
	    CAIRO_STATUS_SUCCESS) {
		buf_free(&png);
		return -ENOMEM;
	}
	buf_addf(&o->images, "image %s %zu\n", name, png.len);
	buf_add(&o->images, png.s, png.len);
	buf_adds(&o->images, "\n");
	json_array_append_new(o->names, json_string(name));
	buf_free(&png);
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
output_write(struct output *o, int fd)
{
	char *line = json_dumps(o->hdr, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENSURE_ASCII);
	int error;

	if (line == NULL) {
		output_free(o);
		return -ENOMEM;
	}
	error = write_all(fd, line, strlen(line));
	if (error == 0)
		error = write_all(fd, "\n", 1);
	if (error == 0 && o->images.len > 0)
		error = write_all(fd, o->images.s, o->images.len);
	if (error == 0)
		error = write_all(fd, "end\n", 4);
	free(line);
	output_free(o);
	return error;
}

void
output_free(struct output *o)
{
	if (o == NULL)
		return;
	json_decref(o->hdr);
	buf_free(&o->images);
	free(o);
}

int
output_no_preview(int fd, const char *why)
{
	json_t *hdr = json_pack("{s:i,s:b,s:s}", "v", 1, "preview", 0,
	    "reason", why);

	if (hdr == NULL)
		return -ENOMEM;
	return output_write(output_new(hdr), fd);
}

cairo_surface_t *
output_diff(cairo_surface_t *b, const struct compare_result *r)
{
	int w = cairo_image_surface_get_width(b);
	int h = cairo_image_surface_get_height(b);
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w,
	    h);
	cairo_t *cr = cairo_create(s);
	unsigned char *data;
	int stride;

	/* the new page at a third of its contrast: the red stands out */
	cairo_set_source_surface(cr, b, 0, 0);
	cairo_paint(cr);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.7);
	cairo_paint(cr);
	cairo_surface_flush(s);
	data = cairo_image_surface_get_data(s);
	stride = cairo_image_surface_get_stride(s);
	for (int y = 0; y < h && r->mask != NULL; y++)
		for (int x = 0; x < w; x++)
			if (r->mask[(size_t)y * (size_t)w + (size_t)x]) {
				uint32_t red = 0xffe00000u;

				memcpy(data + (size_t)y * (size_t)stride +
				    (size_t)x * 4, &red, 4);
			}
	cairo_surface_mark_dirty(s);
	cairo_set_source_rgb(cr, 0.88, 0, 0);
	cairo_set_line_width(cr, 2);
	for (size_t i = 0; i < r->nboxes; i++) {
		const struct box *x = &r->boxes[i];

		cairo_rectangle(cr, x->x - 3, x->y - 3, x->w + 6, x->h + 6);
		cairo_stroke(cr);
	}
	cairo_destroy(cr);
	cairo_surface_flush(s);
	return s;
}

cairo_surface_t *
output_thumb(cairo_surface_t *src, int width, int changed)
{
	int w = cairo_image_surface_get_width(src);
	int h = cairo_image_surface_get_height(src);
	double scale = (double)width / w;
	int th = (int)(h * scale + 0.5) > 0 ? (int)(h * scale + 0.5) : 1;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
	    width, th);
	cairo_t *cr = cairo_create(s);

	cairo_scale(cr, scale, scale);
	cairo_set_source_surface(cr, src, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
	cairo_paint(cr);
	cairo_identity_matrix(cr);
	if (changed) {
		cairo_set_source_rgb(cr, 0.88, 0, 0);
		cairo_set_line_width(cr, 4);
		cairo_rectangle(cr, 0, 0, width, th);
		cairo_stroke(cr);
	}
	cairo_destroy(cr);
	cairo_surface_flush(s);
	return s;
}
