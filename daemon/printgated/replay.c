/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay.c - the replay-id table (see replay.h).  The ledger's ids are
 * kept as 16 bytes in an open-addressing table; ids that are not 32 hex
 * digits are left out (the ids derived from requests all are).  The ids
 * recorded since start are also kept as text in a ring, for the time
 * before the next update reads them back from the ledger.
 */
#include "printgated/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger.h"
#include "core/util.h"

/* Action ids seen lately, across reviews: a replay against a newer
 * version of a review must not count either. */
#define REPLAY_SEEN 4096

struct idset {
	unsigned char (*v)[16];
	size_t n, cap;		/* cap: 0 or a power of two */
};

struct replay {
	char seen[REPLAY_SEEN][33];
	size_t nseen;
	struct idset ids;
	char ids_head[OID_HEX];	/* the notes commit ids is up to */
};

/* id's 16 bytes, or -EINVAL when it is not 32 hex digits. */
static int
idset_key(const char *id, unsigned char key[16])
{
	static const char hex[] = "0123456789abcdef";

	if (id == NULL || strlen(id) != 32)
		return -EINVAL;
	for (size_t i = 0; i < 16; i++) {
		const char *hi = strchr(hex, id[2 * i]);
		const char *lo = strchr(hex, id[2 * i + 1]);

		if (id[2 * i] == '\0' || id[2 * i + 1] == '\0' || hi == NULL ||
		    lo == NULL)
			return -EINVAL;
		key[i] = (unsigned char)((hi - hex) << 4 | (lo - hex));
	}
	return 0;
}

/* Where key is in the table, or the empty slot where it would go. */
static size_t
idset_slot(const struct idset *set, const unsigned char key[16])
{
	static const unsigned char empty[16];
	size_t i;

	/* the ids are hashes already: their first bytes spread well */
	memcpy(&i, key, sizeof(i));
	for (i &= set->cap - 1;; i = (i + 1) & (set->cap - 1))
		if (memcmp(set->v[i], key, 16) == 0 ||
		    memcmp(set->v[i], empty, 16) == 0)
			return i;
}

static bool
idset_has(const struct idset *set, const char *id)
{
	unsigned char key[16];

	if (set->cap == 0 || idset_key(id, key) < 0)
		return false;
	return memcmp(set->v[idset_slot(set, key)], key, 16) == 0;
}

/* Adds id; the table stays at most half full.  The all-zero id is left
 * out (it marks an empty slot): no sha256 gives it. */
static void
idset_add(struct idset *set, const char *id)
{
	static const unsigned char empty[16];
	unsigned char key[16];

	if (idset_key(id, key) < 0 || memcmp(key, empty, 16) == 0 ||
	    idset_has(set, id))
		return;
	if (2 * (set->n + 1) > set->cap) {
		struct idset bigger = { xcalloc(set->cap ? 2 * set->cap : 1024,
		    16), 0, set->cap ? 2 * set->cap : 1024 };

		for (size_t i = 0; i < set->cap; i++)
			if (memcmp(set->v[i], empty, 16) != 0)
				memcpy(bigger.v[idset_slot(&bigger,
				    set->v[i])], set->v[i], 16);
		bigger.n = set->n;
		free(set->v);
		*set = bigger;
	}
	memcpy(set->v[idset_slot(set, key)], key, 16);
	set->n++;
}

struct replay *
replay_new(void)
{
	return xcalloc(1, sizeof(struct replay));
}

void
replay_free(struct replay *rp)
{
	if (rp == NULL)
		return;
	free(rp->ids.v);
	free(rp);
}

static int
add_event(void *ctx, const struct ledger_event *ev)
{
	struct replay *rp = ctx;

	if (ledger_is_decision(ev->type) && ev->id)
		idset_add(&rp->ids, ev->id);
	return 0;
}

int
replay_update(struct replay *rp, struct repo *r)
{
	char head[OID_HEX] = "";
	bool rewritten = false;
	int error;

	error = repo_notes_head(r, LEDGER_REF, head);
	if (error == -ENOENT)
		return 0;
	if (error < 0 || strcmp(head, rp->ids_head) == 0)
		return error;
	if ((error = ledger_since(r, rp->ids_head[0] ? rp->ids_head : NULL,
	    head, add_event, rp, &rewritten)) < 0)
		return error;
	memcpy(rp->ids_head, head, OID_HEX);
	return 0;
}

bool
replay_has(const struct replay *rp, const char *id)
{
	size_t n = rp->nseen < REPLAY_SEEN ? rp->nseen : REPLAY_SEEN;

	for (size_t i = 0; i < n; i++)
		if (strcmp(rp->seen[i], id) == 0)
			return true;
	return idset_has(&rp->ids, id);
}

void
replay_add(struct replay *rp, const char *id)
{
	snprintf(rp->seen[rp->nseen % REPLAY_SEEN], 33, "%s", id);
	rp->nseen++;
}
