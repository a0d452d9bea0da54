/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare.h - how two rasterised pages are compared (pure: pixels in,
 * facts out): the changed pixels under a tolerance, the changed regions
 * as boxes, a page's fingerprint, and the alignment of an old and a new
 * document's pages so that an inserted page does not make every page
 * after it "changed".
 */
#ifndef PRINTGATE_RENDER_COMPARE_H
#define PRINTGATE_RENDER_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A page's pixels, opaque: 4 bytes a pixel, native-endian 0xXXRRGGBB
 * (cairo's RGB24), stride bytes a row.  Borrowed.
 */
struct raster {
	int w, h;
	int stride;
	const unsigned char *px;
};

struct box {
	int x, y, w, h;
};

/*
 * A colour channel that moves by at most this much (of 255) is
 * anti-aliasing or colour-management noise, not a change.
 */
#define COMPARE_TOLERANCE 48
/* A region of fewer changed pixels than this is noise, not a change. */
#define COMPARE_MIN_PIXELS 4
/* Changed pixels this close (pixels) belong to one region. */
#define COMPARE_MERGE 12
/* Boxes listed for a page at most; past it the closest ones merge. */
#define COMPARE_BOXES_MAX 32

struct compare_result {
	size_t changed;		/* changed pixels, noise left out */
	struct box boxes[COMPARE_BOXES_MAX];
	size_t nboxes;
	unsigned char *mask;	/* b->w x b->h, 1 where changed; owned */
};

/*
 * Compares page a (old) with page b (new), in b's pixel frame: where
 * they overlap pixel by pixel under COMPARE_TOLERANCE, and the part of b
 * outside a (a page that grew) as changed.  Regions of changed pixels
 * (8-connected at COMPARE_MERGE pixels' distance) of at least
 * COMPARE_MIN_PIXELS become boxes, merged while they overlap or touch.
 * Fills *out (free its mask with compare_result_free); never fails.
 */
void compare_pages(struct compare_result *out, const struct raster *a,
    const struct raster *b);
void compare_result_free(struct compare_result *r);

/* A page's fingerprint: its size and a 16 x 16 grey thumbnail. */
#define COMPARE_FP 16
struct fingerprint {
	int w, h;
	uint64_t hash;		/* of every pixel: equal means identical */
	unsigned char grey[COMPARE_FP * COMPARE_FP];
};

void compare_fingerprint(struct fingerprint *out, const struct raster *r);

/*
 * How unlike two pages are, 0 (the same) to 1: 1 for different sizes,
 * else the mean grey difference of their fingerprints, scaled so that a
 * page with a few words changed stays well under 1.
 */
double compare_distance(const struct fingerprint *a,
    const struct fingerprint *b);

/* A pair of aligned pages: indexes, -1 where a page was added/removed. */
struct pair {
	int old, new;
};

/*
 * Aligns na old pages with nb new ones by the least total cost (a pair's
 * distance, or 1 for a page added or removed), in page order.  Returns
 * 0 with *out (the caller frees) and *n set, or -E2BIG when na * nb is
 * over 4,000,000 (*out untouched).
 */
int compare_align(struct pair **out, size_t *n, const struct fingerprint *a,
    size_t na, const struct fingerprint *b, size_t nb);

#endif
