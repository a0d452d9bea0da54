/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * memo.c - the daemon's memo of reviews (see memo.h): a few slots, the
 * least recently used one taken for a new review.  Whether a review still
 * holds, or can be brought up to the daemon's own new ledger lines
 * without being gathered again, is review_refresh()'s to tell; the memo
 * only keeps what it was asked for and when it was last used.  The print
 * tags' stamp, which every review compares, is listed once and kept
 * while the repository's watch has seen no ref change since.
 */
#include "printgated/memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/*
 * bench/: before the memo each review was read five times a decision.
 * Every scan asks for each waiting review, so the memo holds as many as
 * wait (with 16 slots and 100 waiting, each scan read all 100 again: half
 * of printgated's CPU); what bounds its memory is their weight, files
 * and events (about 150 bytes each), the least recently used dropped
 * while there is more than MEMO_WEIGHT.
 */
#define MEMO_SLOTS 512
#define MEMO_WEIGHT 200000

struct slot {
	struct review *rv;	/* one holder of it; NULL when unused */
	char *tag;
	char *tag_object;
	char *message;
	uint64_t used;		/* a counter: the least recent goes */
	size_t weight;		/* rv's files and events */
};

/*
 * bench/: listing the 1,000 print tags for each of 100 waiting reviews
 * at each scan after a decision was a third of printgated's CPU.
 */
struct memo {
	struct slot slots[MEMO_SLOTS];
	uint64_t clock;
	size_t weight;		/* of all the slots */
	struct watch *watch;	/* NULL: the tags listed every time */
	bool tags_known;	/* tags holds as of watch count tags_gen */
	uint64_t tags_gen;
	char tags[65];
	uint64_t listings;	/* memo_tag_listings() */
};

static void
slot_clear(struct memo *m, struct slot *s)
{
	m->weight -= s->weight;
	review_free(s->rv);
	free(s->tag);
	free(s->tag_object);
	free(s->message);
	memset(s, 0, sizeof(*s));
}

struct memo *
memo_new(void)
{
	return xcalloc(1, sizeof(struct memo));
}

void
memo_forget(struct memo *m)
{
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		slot_clear(m, &m->slots[i]);
	m->tags_known = false;	/* print_tags may name others now */
}

void
memo_set_watch(struct memo *m, struct watch *w)
{
	m->watch = w;
	m->tags_known = false;
}

uint64_t
memo_tag_listings(const struct memo *m)
{
	return m->listings;
}

/*
 * The print tags' stamp now: kept while the watch counted no ref change
 * since it was listed (the count read before listing, so that a change
 * during the listing makes the next call list again); NULL when the
 * watch cannot tell, for review_refresh() to list them itself.
 */
static const char *
memo_tags(struct memo *m, const struct config *cf, struct repo *r)
{
	uint64_t gen;

	if (m->watch == NULL || !watch_generation(m->watch, &gen)) {
		m->tags_known = false;
		m->listings++;	/* by review_refresh() */
		return NULL;
	}
	if (m->tags_known && m->tags_gen == gen)
		return m->tags;
	m->listings++;
	if (review_tags_stamp(cf, r, m->tags) < 0) {
		m->tags_known = false;
		return NULL;
	}
	m->tags_gen = gen;
	m->tags_known = true;
	return m->tags;
}

void
memo_free(struct memo *m)
{
	if (m == NULL)
		return;
	memo_forget(m);
	free(m);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The slot that holds this review, or NULL. */
static struct slot *
slot_find(struct memo *m, const char *commit, const char *tag,
    const char *tag_object, const char *message)
{
	for (size_t i = 0; i < MEMO_SLOTS; i++) {
		struct slot *s = &m->slots[i];

		if (s->rv && strcmp(s->rv->commit, commit) == 0 &&
		    same_str(s->tag, tag) && same_str(s->tag_object,
		    tag_object) && same_str(s->message, message))
			return s;
	}
	return NULL;
}

/*
 * The least recently used slot (an unused one first), or of those in use
 * the least recently used one but keep; NULL when there is none.
 */
static struct slot *
slot_oldest(struct memo *m, const struct slot *keep)
{
	struct slot *s = NULL;

	for (size_t i = 0; i < MEMO_SLOTS; i++) {
		struct slot *t = &m->slots[i];

		if (t == keep || (keep && t->rv == NULL))
			continue;
		if (s == NULL || t->used < s->used)
			s = t;
	}
	return s;
}

/* Puts rv, a new holder of it, in slot s for this review. */
static void
slot_set(struct memo *m, struct slot *s, struct review *rv, const char *tag,
    const char *tag_object, const char *message)
{
	slot_clear(m, s);
	s->rv = review_ref(rv);
	s->tag = tag ? xstrdup(tag) : NULL;
	s->tag_object = tag_object ? xstrdup(tag_object) : NULL;
	s->message = message ? xstrdup(message) : NULL;
	s->used = ++m->clock;
	s->weight = rv->nfiles + rv->events.n + 1;
	m->weight += s->weight;
	while (m->weight > MEMO_WEIGHT) {
		struct slot *old = slot_oldest(m, s);

		if (old == NULL)
			break;	/* rv alone: kept, used at once */
		slot_clear(m, old);
	}
}

int
memo_load(struct memo *m, const struct config *cf, struct repo *r,
    const char *commit, const char *tag, const char *tag_object,
    const char *message, struct review **out, char **why)
{
	struct review *rv;
	struct slot *s;
	char *stale = NULL;
	int error;

	if (tag_object && tag_object[0] == '\0')
		tag_object = NULL;
	s = slot_find(m, commit, tag, tag_object, message);
	/* fresh, or brought up to the lines the daemon itself appended */
	if (s && review_refresh(&rv, cf, r, s->rv, memo_tags(m, cf, r),
	    &stale) == 0) {
		if (rv != s->rv)
			slot_set(m, s, rv, tag, tag_object, message);
		s->used = ++m->clock;
		*out = rv;
		return 0;
	}
	free(stale);	/* read again below, which says why if it fails */
	if ((error = review_load(out, cf, r, commit, tag, tag_object,
	    message, why)) < 0)
		return error;
	slot_set(m, s ? s : slot_oldest(m, NULL), *out, tag, tag_object,
	    message);
	return 0;
}
