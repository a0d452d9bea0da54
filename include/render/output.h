/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.h - the renderer's answer (job.h's format): the JSON header, the
 * PNG images after it, and the pictures made for a reviewer: the
 * difference view and the thumbnails.  The only file that writes PNG.
 */
#ifndef PRINTGATE_RENDER_OUTPUT_H
#define PRINTGATE_RENDER_OUTPUT_H

#include <cairo.h>
#include <jansson.h>

#include "render/compare.h"

struct output;

/* A new answer: its header the object hdr (stolen), no images yet. */
struct output *output_new(json_t *hdr);

/*
 * Adds s as the PNG image name (lower-case letters, digits, '-') and its
 * name to the header's "images".  Returns 0, or -ENOMEM when cairo could
 * not encode it (nothing added).
 */
int output_image(struct output *o, const char *name, cairo_surface_t *s);

/*
 * Writes the answer to fd in full and frees o.  Returns 0 or -errno (the
 * caller reads a cut answer as none).
 */
int output_write(struct output *o, int fd);
void output_free(struct output *o);

/*
 * The difference view: page b (new) faded, its changed pixels (r->mask)
 * in red over it and each box of r outlined.  A new RGB24 surface.
 */
cairo_surface_t *output_diff(cairo_surface_t *b,
    const struct compare_result *r);

/* s scaled to width pixels wide, framed red when changed: a new surface. */
cairo_surface_t *output_thumb(cairo_surface_t *s, int width, int changed);

/* {"v":1,"preview":false,"reason":why}, as the only line of an answer. */
int output_no_preview(int fd, const char *why);

#endif
