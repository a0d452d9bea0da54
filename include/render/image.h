/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * image.h - raster images (PNG, JPEG, GIF, WebP) decoded into one page,
 * through the Debian libraries that read each format.  The only file that
 * includes libjpeg, giflib and libwebp.
 */
#ifndef PRINTGATE_RENDER_IMAGE_H
#define PRINTGATE_RENDER_IMAGE_H

#include <cairo.h>
#include <stddef.h>

#include "render/job.h"

/*
 * Decodes the len bytes at data as an image of kind (JOB_PNG ...): its
 * size is read from its header first, and one over max_pixels is refused
 * before anything is decoded.  The image (a GIF's first frame) is laid on
 * white and scaled down to at most max_side pixels on its longer side.
 * Returns 0 with *out a new RGB24 surface the caller destroys, or -EINVAL
 * with why (whylen bytes) saying why it cannot be shown.
 */
int image_decode(cairo_surface_t **out, enum job_kind kind,
    const unsigned char *data, size_t len, long max_pixels, int max_side,
    char *why, size_t whylen);

#endif
