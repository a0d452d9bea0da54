/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare.c - pixels in, facts out (compare.h): which pixels of a page
 * changed beyond the tolerance, the boxes around the changed regions, a
 * page's fingerprint, and the alignment of two documents' pages.  Pure:
 * no I/O and no foreign library, so that the unit tests drive it with
 * rasters they draw themselves.
 */
#include "render/compare.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static inline uint32_t
pixel(const struct raster *r, int x, int y)
{
	uint32_t p;

	memcpy(&p, r->px + (size_t)y * (size_t)r->stride + (size_t)x * 4, 4);
	return p & 0xffffffu;
}

/* The largest move of one colour channel between two pixels. */
static inline int
channel_diff(uint32_t p, uint32_t q)
{
	int d = 0;

	for (int s = 0; s < 24; s += 8) {
		int a = (int)(p >> s & 0xff), b = (int)(q >> s & 0xff);
		int v = a > b ? a - b : b - a;

		if (v > d)
			d = v;
	}
	return d;
}

/* A cell of the grid regions are found on: its changed pixels' extent. */
struct cell {
	int n;
	int x0, y0, x1, y1;	/* inclusive */
};

static void
box_add(struct box *b, int x0, int y0, int x1, int y1)
{
	if (b->w == 0) {
		*b = (struct box){ x0, y0, x1 - x0 + 1, y1 - y0 + 1 };
		return;
	}
	int bx1 = b->x + b->w - 1, by1 = b->y + b->h - 1;

	if (x0 < b->x)
		b->x = x0;
	if (y0 < b->y)
		b->y = y0;
	if (x1 > bx1)
		bx1 = x1;
	if (y1 > by1)
		by1 = y1;
	b->w = bx1 - b->x + 1;
	b->h = by1 - b->y + 1;
}

/* Whether boxes a and b come within d pixels of each other. */
static int
box_near(const struct box *a, const struct box *b, int d)
{
	return a->x <= b->x + b->w + d && b->x <= a->x + a->w + d &&
	    a->y <= b->y + b->h + d && b->y <= a->y + a->h + d;
}

/*
 * Merges the n boxes at v while two come within d pixels, in place;
 * returns how many are left.
 */
static size_t
boxes_merge(struct box *v, size_t n, int d)
{
	int merged = 1;

	while (merged) {
		merged = 0;
		for (size_t i = 0; i < n; i++) {
			for (size_t j = i + 1; j < n; j++) {
				if (!box_near(&v[i], &v[j], d))
					continue;
				box_add(&v[i], v[j].x, v[j].y,
				    v[j].x + v[j].w - 1, v[j].y + v[j].h - 1);
				v[j--] = v[--n];
				merged = 1;
			}
		}
	}
	return n;
}

/*
 * The connected region of changed cells from cell start (8-neighbours),
 * each cell's n zeroed as it is taken: its box and pixel count.
 */
static void
region_take(struct cell *cells, int gw, int gh, int start, int *stack,
    struct box *box, size_t *count)
{
	int top = 0;

	*box = (struct box){ 0 };
	*count = 0;
	stack[top++] = start;
	while (top > 0) {
		int c = stack[--top], cx = c % gw, cy = c / gw;
		struct cell *k = &cells[c];

		if (k->n == 0)
			continue;
		box_add(box, k->x0, k->y0, k->x1, k->y1);
		*count += (size_t)k->n;
		k->n = 0;
		for (int dy = -1; dy <= 1; dy++) {
			for (int dx = -1; dx <= 1; dx++) {
				int nx = cx + dx, ny = cy + dy;

				if (nx < 0 || ny < 0 || nx >= gw || ny >= gh)
					continue;
				if (cells[ny * gw + nx].n > 0)
					stack[top++] = ny * gw + nx;
			}
		}
	}
}

/* Clears the mask inside box b (a region found to be noise). */
static void
mask_clear(unsigned char *mask, int w, const struct box *b)
{
	for (int y = b->y; y < b->y + b->h; y++)
		memset(mask + (size_t)y * (size_t)w + (size_t)b->x, 0,
		    (size_t)b->w);
}

/* Marks the changed pixels of b against a in out->mask and the grid. */
static void
mark_pixels(struct compare_result *out, const struct raster *a,
    const struct raster *b, struct cell *cells, int gw)
{
	for (int y = 0; y < b->h; y++) {
		for (int x = 0; x < b->w; x++) {
			int changed = x >= a->w || y >= a->h ||
			    channel_diff(pixel(a, x, y), pixel(b, x, y)) >
			    COMPARE_TOLERANCE;
			struct cell *k;

			if (!changed)
				continue;
			out->mask[(size_t)y * (size_t)b->w + (size_t)x] = 1;
			k = &cells[(y / COMPARE_MERGE) * gw + x / COMPARE_MERGE];
			if (k->n++ == 0) {
				k->x0 = k->x1 = x;
				k->y0 = k->y1 = y;
				continue;
			}
			if (x < k->x0)
				k->x0 = x;
			if (x > k->x1)
				k->x1 = x;
			if (y > k->y1)
				k->y1 = y;
		}
	}
}

void
compare_pages(struct compare_result *out, const struct raster *a,
    const struct raster *b)
{
	int gw = (b->w + COMPARE_MERGE - 1) / COMPARE_MERGE;
	int gh = (b->h + COMPARE_MERGE - 1) / COMPARE_MERGE;
	size_t ncells = (size_t)gw * (size_t)gh, nv = 0;
	struct cell *cells = xcalloc(ncells ? ncells : 1, sizeof(*cells));
	int *stack = xreallocarray(NULL, ncells * 9 + 1, sizeof(*stack));
	struct box *v = NULL;
	int d = 0;

	memset(out, 0, sizeof(*out));
	out->mask = xcalloc((size_t)b->w * (size_t)b->h, 1);
	mark_pixels(out, a, b, cells, gw);
	for (size_t c = 0; c < ncells; c++) {
		struct box box;
		size_t count;

		if (cells[c].n == 0)
			continue;
		region_take(cells, gw, gh, (int)c, stack, &box, &count);
		if (count < COMPARE_MIN_PIXELS) {
			mask_clear(out->mask, b->w, &box);
			continue;
		}
		out->changed += count;
		v = xreallocarray(v, nv + 1, sizeof(*v));
		v[nv++] = box;
	}
	nv = boxes_merge(v, nv, 0);
	while (nv > COMPARE_BOXES_MAX) {
		d = d ? d * 2 : COMPARE_MERGE;
		nv = boxes_merge(v, nv, d);
	}
	if (nv > 0)
		memcpy(out->boxes, v, nv * sizeof(*v));
	out->nboxes = nv;
	free(v);
	free(stack);
	free(cells);
}

void
compare_result_free(struct compare_result *r)
{
	if (r == NULL)
		return;
	free(r->mask);
	r->mask = NULL;
}

void
compare_fingerprint(struct fingerprint *out, const struct raster *r)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t sum[COMPARE_FP * COMPARE_FP] = { 0 };
	uint32_t cnt[COMPARE_FP * COMPARE_FP] = { 0 };

	for (int y = 0; y < r->h; y++) {
		int fy = (int)((long)y * COMPARE_FP / r->h);

		for (int x = 0; x < r->w; x++) {
			uint32_t p = pixel(r, x, y);
			int fx = (int)((long)x * COMPARE_FP / r->w);
			unsigned grey = ((p >> 16 & 0xff) * 299 +
			    (p >> 8 & 0xff) * 587 + (p & 0xff) * 114) / 1000;

			h = (h ^ p) * 1099511628211ull;
			sum[fy * COMPARE_FP + fx] += grey;
			cnt[fy * COMPARE_FP + fx]++;
		}
	}
	out->w = r->w;
	out->h = r->h;
	out->hash = h;
	for (int i = 0; i < COMPARE_FP * COMPARE_FP; i++)
		out->grey[i] = (unsigned char)(cnt[i] ? sum[i] / cnt[i] : 255);
}

double
compare_distance(const struct fingerprint *a, const struct fingerprint *b)
{
	unsigned long total = 0;
	double d;

	if (a->w != b->w || a->h != b->h)
		return 1.0;
	if (a->hash == b->hash)
		return 0.0;
	for (int i = 0; i < COMPARE_FP * COMPARE_FP; i++)
		total += (unsigned long)abs((int)a->grey[i] - (int)b->grey[i]);
	/* a few words change a cell by a grey level or two; a new page of
	 * text moves most cells by ten or more */
	d = (double)total / (COMPARE_FP * COMPARE_FP) / 16.0;
	return d < 0.01 ? 0.01 : d > 1.0 ? 1.0 : d;
}

/* The alignment's moves, kept per cell of its table. */
enum { MOVE_PAIR, MOVE_OLD, MOVE_NEW };

int
compare_align(struct pair **out, size_t *n, const struct fingerprint *a,
    size_t na, const struct fingerprint *b, size_t nb)
{
	size_t w = nb + 1, cells = (na + 1) * (nb + 1), k = 0;
	double *cost;
	unsigned char *move;
	struct pair *v;

	if (na > 0 && nb > 0 && na * nb > 4000000)
		return -E2BIG;
	cost = xreallocarray(NULL, cells, sizeof(*cost));
	move = xcalloc(cells, 1);
	for (size_t i = 0; i <= na; i++) {
		for (size_t j = 0; j <= nb; j++) {
			size_t c = i * w + j;
			double best = i == 0 && j == 0 ? 0 : 1e300, t;

			if (i > 0 && j > 0) {
				best = cost[c - w - 1] +
				    compare_distance(&a[i - 1], &b[j - 1]);
				move[c] = MOVE_PAIR;
			}
			if (i > 0 && (t = cost[c - w] + 1.0) < best) {
				best = t;
				move[c] = MOVE_OLD;
			}
			if (j > 0 && (t = cost[c - 1] + 1.0) < best) {
				best = t;
				move[c] = MOVE_NEW;
			}
			cost[c] = best;
		}
	}
	v = xreallocarray(NULL, na + nb + 1, sizeof(*v));
	for (size_t i = na, j = nb; i > 0 || j > 0;) {
		unsigned char m = move[i * w + j];

		if (m == MOVE_PAIR)
			v[k++] = (struct pair){ (int)--i, (int)--j };
		else if (m == MOVE_OLD)
			v[k++] = (struct pair){ (int)--i, -1 };
		else
			v[k++] = (struct pair){ -1, (int)--j };
	}
	for (size_t i = 0; i < k / 2; i++) {
		struct pair t = v[i];

		v[i] = v[k - 1 - i];
		v[k - 1 - i] = t;
	}
	free(cost);
	free(move);
	*out = v;
	*n = k;
	return 0;
}
