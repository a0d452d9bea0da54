/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ledger.h - printgate's ledger: events as JSON lines in git notes under
 * refs/notes/printgate, one note per reviewed commit, appended and never
 * rewritten.
 *
 * An event line:
 *   {"v":1,"type":"approve","at":"2027-01-03T10:00:00Z","by":"alice",
 *    "via":"cli:root","tag":"print/q1","rules":["emea"],
 *    "fingerprints":{"emea":"…"},"comment":"…","id":"…"}
 * Readers skip malformed lines (and report them) and ignore unknown fields.
 */
#ifndef PRINTGATE_LEDGER_H
#define PRINTGATE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

#define LEDGER_REF "refs/notes/printgate"
#define LEDGER_VERSION 1
/* Caps on what one line may hold; a longer one is malformed. */
#define LEDGER_MAX_LINE 65536
#define LEDGER_MAX_RULES 1000
#define LEDGER_MAX_COMMENT 4000

struct repo;

enum ledger_type {
	LEDGER_REQUEST,
	LEDGER_APPROVE,
	LEDGER_APPROVE_WITH_CHANGES,
	LEDGER_CHANGES_REQUIRED,
	LEDGER_REMIND,
	LEDGER_ESCALATE,
	LEDGER_RELEASED,
	LEDGER_VIOLATION,
	LEDGER_CARRIED_OVER,
};
/* How many event types there are. */
#define LEDGER_NTYPES ((size_t)LEDGER_CARRIED_OVER + 1)

struct ledger_fp {
	char *rule;
	char *value;
};

struct ledger_event {
	enum ledger_type type;
	int64_t at;		/* seconds since the epoch, UTC */
	char *by;		/* person id, or "printgate" */
	char *via;		/* "hook", "cli:root", "slack:U0123", … */
	char *tag;		/* "print/q1", or NULL */
	char *tag_object;	/* hex id, or NULL */
	char **rules;
	size_t nrules;
	struct ledger_fp *fps;
	size_t nfps;
	char *comment;		/* or NULL */
	char *id;		/* unique event id, or NULL */
	/*
	 * Written at most once (ledger_append): an event that two writers
	 * may both write under one id, the hook and printgated deciding the
	 * same push.  Not encoded.
	 */
	bool once;
	/* where it was read from; not encoded */
	char commit[OID_HEX];
	size_t line;		/* 1-based line in the note */
};

struct ledger_events {
	struct ledger_event *v;
	size_t n;
	size_t malformed;	/* lines skipped */
};

/* "approve", …; NULL for an invalid type. */
const char *ledger_type_name(enum ledger_type type);
/* 0, or -EINVAL for an unknown name. */
int ledger_type_parse(const char *name, enum ledger_type *out);
/* Every type's name, for people: "request, approve, ... or carried-over". */
char *ledger_type_list(void);
/* Whether type is a reviewer's decision. */
bool ledger_is_decision(enum ledger_type type);

/* Encodes ev as one JSON line without the newline; the caller frees it. */
char *ledger_encode(const struct ledger_event *ev);
/*
 * Decodes one line.  On failure returns -EINVAL, leaves *out untouched and
 * sets *why (the caller frees it) to what is wrong.
 */
int ledger_decode(const char *line, size_t len, struct ledger_event *out,
    char **why);
void ledger_event_clear(struct ledger_event *ev);
/* The fingerprint ev recorded for rule, or NULL. */
const char *ledger_fp_get(const struct ledger_event *ev, const char *rule);

/*
 * Appends the events of a note's text for commit to evs.  Malformed lines
 * are counted in evs->malformed and, when report is set, passed to it.
 */
void ledger_parse_note(struct ledger_events *evs, const char *commit,
    const char *text,
    void (*report)(void *ctx, const char *commit, size_t line,
	const char *why),
    void *ctx);
void ledger_events_free(struct ledger_events *evs);
/* Appends copies of v[n] to evs, where they were read from kept. */
void ledger_events_append(struct ledger_events *evs,
    const struct ledger_event *v, size_t n);

/*
 * Reads the events recorded on commit into evs (appending).  head is the
 * notes commit to read from (repo_notes_head); no note is not an error.
 */
int ledger_read(struct repo *r, const char *head, const char *commit,
    struct ledger_events *evs);
/*
 * ledger_read, and the id of the note's blob in blob ("" when none),
 * through a cache of the notes parsed lately (bounded; for printgated,
 * which reads the same notes for each review it loads).
 */
int ledger_read_note(struct repo *r, const char *head, const char *commit,
    struct ledger_events *evs, char blob[OID_HEX]);
/*
 * Whether blob, commit's note, is one this process wrote (ledger_append,
 * ledger_batch_write) by appending lines to the version whose blob is
 * from ("": there was none), and is still in the cache of notes.  A
 * reader that had read from may then take the new lines as all that
 * changed (review_refresh).
 */
bool ledger_note_appended(const char *commit, const char *from,
    const char *blob);
/* Frees what ledger_read keeps of the notes it parsed. */
void ledger_cache_free(void);

/*
 * Appends ev to commit's note with compare-and-swap, retrying while other
 * writers win (at once after a lost swap, with backoff while one holds
 * the lock), for up to timeout_ms.  The note's old version is taken from
 * the cache of notes read lately when it is there, and read from git
 * only when it is not; the version written goes into that cache.
 * Returns 0 once the ref update succeeded (the event is then durable in
 * git), -ETIMEDOUT when the deadline passed, or another negative code
 * from repo.  With timeout_ms 0 it never sleeps: a held lock is -EBUSY
 * at once (printgated retries from its loop's timer).  *retries, when
 * not NULL, is set to the number of lost races.  An event marked once
 * whose id the note already has is not written again: 0 when that line
 * is the same event (type, by, tag and tag object), -EEXIST when it is
 * another.
 */
int ledger_append(struct repo *r, const char *commit,
    const struct ledger_event *ev, int timeout_ms, unsigned *retries);
/*
 * The same, the notes commit's objects written as one pack rather than
 * loose (repo_notes_write(), REPO_PACK): fewer fsyncs for the gate's one
 * event per print-tag push.  Writers at rate (the listener's batches)
 * stay loose: a pack each would pile up packs faster than `git gc
 * --auto` folds them.
 */
int ledger_append_pack(struct repo *r, const char *commit,
    const struct ledger_event *ev, int timeout_ms, unsigned *retries);

/*
 * Events to append together (group commit): each one's line on its
 * commit's note, all of them in one notes commit, so that the objects,
 * their folders and the ref are fsynced once for the lot.
 */
struct ledger_batch_line {
	char commit[OID_HEX];
	char *line;		/* the encoded event and its '\n' */
	char *message;		/* its line of the notes commit's message */
	/* an event written once (ledger_event.once): its id, or NULL, and
	 * what makes another line under that id the same event */
	char *once_id;
	enum ledger_type type;
	char *by, *tag, *tag_object;
};
struct ledger_batch {
	struct ledger_batch_line *v;
	size_t n;
	bool pack;		/* its objects as one pack (ledger_append_pack) */
};

/* Adds ev on commit to b; -EINVAL (b unchanged) when it cannot be encoded. */
int ledger_batch_add(struct ledger_batch *b, const char *commit,
    const struct ledger_event *ev);
/*
 * Appends all of b's events as ledger_append() does one: on top of the
 * ledger as it is now, by compare-and-swap, retried as it is; all of them
 * or none.  An empty batch writes nothing.
 */
int ledger_batch_write(struct repo *r, const struct ledger_batch *b,
    int timeout_ms, unsigned *retries);
void ledger_batch_clear(struct ledger_batch *b);

/* The most notes commits ledger_since() walks back in one call. */
#define LEDGER_MAX_WALK 100000

typedef int (*ledger_event_cb)(void *ctx, const struct ledger_event *ev);

/*
 * The ledger as an event log: calls cb, oldest first, for every event
 * appended in the notes commits after last (NULL: every one) up to head,
 * the first-parent history of refs/notes/printgate.  When last is not in
 * that history (the ref was rewritten) everything is handled again and
 * *rewritten is set.  A non-zero return from cb stops and is returned.
 */
int ledger_since(struct repo *r, const char *last, const char *head,
    ledger_event_cb cb, void *ctx, bool *rewritten);

#endif
