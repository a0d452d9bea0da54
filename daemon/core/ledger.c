/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ledger.c - ledger events: encoding and decoding of the JSON lines
 * (jansson), reading a commit's note, and appending to it with
 * compare-and-swap and retry through repo.c.
 */
#include "core/ledger.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/repo.h"
#include "core/util.h"

static const char *const type_names[] = {
	[LEDGER_REQUEST] = "request",
	[LEDGER_APPROVE] = "approve",
	[LEDGER_APPROVE_WITH_CHANGES] = "approve-with-changes",
	[LEDGER_CHANGES_REQUIRED] = "changes-required",
	[LEDGER_REMIND] = "remind",
	[LEDGER_ESCALATE] = "escalate",
	[LEDGER_RELEASED] = "released",
	[LEDGER_VIOLATION] = "violation",
	[LEDGER_CARRIED_OVER] = "carried-over",
};
_Static_assert(ARRAY_SIZE(type_names) == LEDGER_NTYPES,
    "a name for every ledger event type");

const char *
ledger_type_name(enum ledger_type type)
{
	if ((size_t)type >= ARRAY_SIZE(type_names))
		return NULL;
	return type_names[type];
}

int
ledger_type_parse(const char *name, enum ledger_type *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*out = (enum ledger_type)i;
			return 0;
		}
	}
	return -EINVAL;
}

char *
ledger_type_list(void)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 ==
		    ARRAY_SIZE(type_names) ? " or " : ", ", type_names[i]);
	return buf_steal(&b);
}

bool
ledger_is_decision(enum ledger_type type)
{
	return type == LEDGER_APPROVE || type == LEDGER_APPROVE_WITH_CHANGES ||
	    type == LEDGER_CHANGES_REQUIRED;
}

const char *
ledger_fp_get(const struct ledger_event *ev, const char *rule)
{
	for (size_t i = 0; i < ev->nfps; i++)
		if (strcmp(ev->fps[i].rule, rule) == 0)
			return ev->fps[i].value;
	return NULL;
}

/* Sets a string member; false when value is not UTF-8 (jansson refuses). */
static bool
set_str(json_t *o, const char *key, const char *value)
{
	json_t *v = json_string(value);

	return v != NULL && json_object_set_new(o, key, v) == 0;
}

char *
ledger_encode(const struct ledger_event *ev)
{
	json_t *o = json_object();
	char at[21];
	char *line = NULL;
	bool ok;

	util_rfc3339(ev->at, at);
	ok = json_object_set_new(o, "v", json_integer(LEDGER_VERSION)) == 0 &&
	    ledger_type_name(ev->type) &&
	    set_str(o, "type", ledger_type_name(ev->type)) &&
	    set_str(o, "at", at) && ev->by && set_str(o, "by", ev->by) &&
	    ev->via && set_str(o, "via", ev->via) &&
	    (!ev->tag || set_str(o, "tag", ev->tag)) &&
	    (!ev->tag_object || set_str(o, "tag_object", ev->tag_object));
	if (ok && ev->nrules) {
		json_t *a = json_array();

		for (size_t i = 0; i < ev->nrules && ok; i++) {
			json_t *r = json_string(ev->rules[i]);

			ok = r && json_array_append_new(a, r) == 0;
		}
		ok = json_object_set_new(o, "rules", a) == 0 && ok;
	}
	if (ok && ev->nfps) {
		json_t *f = json_object();

		for (size_t i = 0; i < ev->nfps && ok; i++)
			ok = set_str(f, ev->fps[i].rule, ev->fps[i].value);
		ok = json_object_set_new(o, "fingerprints", f) == 0 && ok;
	}
	if (ok && ev->comment)
		ok = set_str(o, "comment", ev->comment);
	if (ok && ev->id)
		ok = set_str(o, "id", ev->id);
	/* Text that is not UTF-8 is refused whole, never dropped. */
	if (ok)
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return line;
}

/* Copies an optional string member; -EINVAL when present but not one. */
static int
get_str(json_t *o, const char *key, bool required, char **out, char **why)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		if (required) {
			*why = xasprintf("'%s' is missing", key);
			return -EINVAL;
		}
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		*why = xasprintf("'%s' is not a non-empty string", key);
		return -EINVAL;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* An event's comment: a string, null or absent. */
static int
decode_comment(json_t *o, struct ledger_event *ev, char **why)
{
	json_t *v = json_object_get(o, "comment");

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		*why = xstrdup("'comment' is not a string");
		return -EINVAL;
	}
	ev->comment = xstrdup(json_string_value(v));
	return 0;
}

/* An event's rules: a list of names, at most LEDGER_MAX_RULES. */
static int
decode_rules(json_t *o, struct ledger_event *ev, char **why)
{
	json_t *v = json_object_get(o, "rules"), *r;
	size_t i;

	if (v == NULL)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > LEDGER_MAX_RULES) {
		*why = xstrdup("'rules' is not a list of names");
		return -EINVAL;
	}
	ev->rules = xcalloc(json_array_size(v), sizeof(char *));
	json_array_foreach(v, i, r) {
		if (!json_is_string(r)) {
			*why = xstrdup("'rules' is not a list of names");
			return -EINVAL;
		}
		ev->rules[ev->nrules++] = xstrdup(json_string_value(r));
	}
	return 0;
}

/* An event's fingerprints: rule names to strings, LEDGER_MAX_RULES. */
static int
decode_fingerprints(json_t *o, struct ledger_event *ev, char **why)
{
	json_t *v = json_object_get(o, "fingerprints"), *f;
	const char *k;

	if (v == NULL)
		return 0;
	if (!json_is_object(v) || json_object_size(v) > LEDGER_MAX_RULES) {
		*why = xstrdup("'fingerprints' is not an object");
		return -EINVAL;
	}
	ev->fps = xcalloc(json_object_size(v), sizeof(*ev->fps));
	json_object_foreach(v, k, f) {
		if (!json_is_string(f)) {
			*why = xasprintf("fingerprint of '%s' is not a string",
			    k);
			return -EINVAL;
		}
		ev->fps[ev->nfps].rule = xstrdup(k);
		ev->fps[ev->nfps++].value = xstrdup(json_string_value(f));
	}
	return 0;
}

int
ledger_decode(const char *line, size_t len, struct ledger_event *out,
    char **why)
{
	struct ledger_event ev = { 0 };
	json_error_t jerr;
	json_t *o, *v;
	char *at = NULL, *type = NULL;
	int error = -EINVAL;

	if (len > LEDGER_MAX_LINE) {
		*why = xasprintf("line longer than %d bytes", LEDGER_MAX_LINE);
		return -EINVAL;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		*why = xasprintf("not JSON: %s", jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(o)) {
		*why = xstrdup("not a JSON object");
		goto done;
	}
	v = json_object_get(o, "v");
	if (!json_is_integer(v) || json_integer_value(v) != LEDGER_VERSION) {
		*why = xstrdup("'v' is not 1");
		goto done;
	}
	if (get_str(o, "type", true, &type, why) < 0)
		goto done;
	if (ledger_type_parse(type, &ev.type) < 0) {
		*why = xasprintf("unknown type '%s'", type);
		goto done;
	}
	if (get_str(o, "at", true, &at, why) < 0)
		goto done;
	if (util_parse_rfc3339(at, &ev.at) < 0) {
		*why = xasprintf("'at' is not an RFC 3339 UTC time: '%s'", at);
		goto done;
	}
	if (get_str(o, "by", true, &ev.by, why) < 0 ||
	    get_str(o, "via", true, &ev.via, why) < 0 ||
	    get_str(o, "tag", false, &ev.tag, why) < 0 ||
	    get_str(o, "tag_object", false, &ev.tag_object, why) < 0 ||
	    get_str(o, "id", false, &ev.id, why) < 0)
		goto done;
	if (decode_comment(o, &ev, why) < 0 || decode_rules(o, &ev, why) < 0 ||
	    decode_fingerprints(o, &ev, why) < 0)
		goto done;
	if (ev.tag_object && (strlen(ev.tag_object) != OID_HEX - 1 ||
	    strspn(ev.tag_object, "0123456789abcdef") != OID_HEX - 1)) {
		*why = xstrdup("'tag_object' is not an object id");
		goto done;
	}
	*out = ev;
	memset(&ev, 0, sizeof(ev));
	error = 0;
done:
	ledger_event_clear(&ev);
	free(type);
	free(at);
	json_decref(o);
	return error;
}

void
ledger_event_clear(struct ledger_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->by);
	free(ev->via);
	free(ev->tag);
	free(ev->tag_object);
	strv_free(ev->rules, ev->nrules);
	for (size_t i = 0; i < ev->nfps; i++) {
		free(ev->fps[i].rule);
		free(ev->fps[i].value);
	}
	free(ev->fps);
	free(ev->comment);
	free(ev->id);
	memset(ev, 0, sizeof(*ev));
}

void
ledger_parse_note(struct ledger_events *evs, const char *commit,
    const char *text,
    void (*report)(void *ctx, const char *commit, size_t line,
	const char *why),
    void *ctx)
{
	const char *p = text;
	size_t lineno = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct ledger_event ev;
		char *why = NULL;

		lineno++;
		if (len > 0) {
			if (ledger_decode(p, len, &ev, &why) == 0) {
				snprintf(ev.commit, sizeof(ev.commit), "%s",
				    commit);
				ev.line = lineno;
				evs->v = xreallocarray(evs->v, evs->n + 1,
				    sizeof(*evs->v));
				evs->v[evs->n++] = ev;
			} else {
				evs->malformed++;
				if (report)
					report(ctx, commit, lineno, why);
				free(why);
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
}

void
ledger_events_free(struct ledger_events *evs)
{
	if (evs == NULL)
		return;
	for (size_t i = 0; i < evs->n; i++)
		ledger_event_clear(&evs->v[i]);
	free(evs->v);
	memset(evs, 0, sizeof(*evs));
}

/*
 * Parsed notes by the id of their blob, for ledger_read: a note's text
 * never changes under its id, and printgated reads the same notes again
 * for every review it loads (parsing them was half of the instructions
 * of each decision, bench/README.md).  A note that grew (the ledger only
 * appends) is parsed from where its last version ended.  Two ways of
 * NOTE_CACHE_SETS sets, the least recently used replaced: the memory
 * stays bounded.
 */
#define NOTE_CACHE_SETS 2048
#define NOTE_CACHE_WAYS 2
/* and at most this much text (the events take about as much again) */
#define NOTE_CACHE_BYTES (4 * 1024 * 1024)

struct note_slot {
	char blob[OID_HEX];
	char *text;
	size_t len;
	size_t lines;		/* '\n' in text */
	uint64_t used;		/* when it was last read (a counter) */
	struct ledger_events evs;
	/* written by this process: lines appended to the note at from */
	bool mine;
	char commit[OID_HEX];	/* the note's, when mine */
	char from[OID_HEX];	/* "" when there was no note */
};

static struct note_slot *note_cache;
static uint64_t note_clock;
static size_t note_bytes;	/* of text in the slots */
/* the blob of the note last read for a commit, by the commit's id */
static char (*note_last)[2][OID_HEX];

/* The set of an object id: its first 16 bits (a hash already). */
static size_t
note_set_of(const char *id)
{
	char first[5];

	memcpy(first, id, 4);
	first[4] = '\0';
	return (size_t)strtoul(first, NULL, 16) % NOTE_CACHE_SETS;
}

static struct note_slot *
note_find(const char *blob)
{
	struct note_slot *set = &note_cache[note_set_of(blob) *
	    NOTE_CACHE_WAYS];

	for (size_t w = 0; w < NOTE_CACHE_WAYS; w++)
		if (strcmp(set[w].blob, blob) == 0)
			return &set[w];
	return NULL;
}

static struct note_slot *
note_victim(const char *blob)
{
	struct note_slot *set = &note_cache[note_set_of(blob) *
	    NOTE_CACHE_WAYS], *v = &set[0];

	for (size_t w = 1; w < NOTE_CACHE_WAYS; w++)
		if (set[w].used < v->used)
			v = &set[w];
	return v;
}

static void
note_slot_clear(struct note_slot *slot)
{
	note_bytes -= slot->len;
	ledger_events_free(&slot->evs);
	free(slot->text);
	memset(slot, 0, sizeof(*slot));
}

static char *
strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void
event_copy(struct ledger_event *dst, const struct ledger_event *src)
{
	*dst = *src;
	dst->by = strdup_or_null(src->by);
	dst->via = strdup_or_null(src->via);
	dst->tag = strdup_or_null(src->tag);
	dst->tag_object = strdup_or_null(src->tag_object);
	dst->comment = strdup_or_null(src->comment);
	dst->id = strdup_or_null(src->id);
	dst->rules = src->nrules ? xcalloc(src->nrules, sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->nrules; i++)
		dst->rules[i] = xstrdup(src->rules[i]);
	dst->fps = src->nfps ? xcalloc(src->nfps, sizeof(*dst->fps)) : NULL;
	for (size_t i = 0; i < src->nfps; i++) {
		dst->fps[i].rule = xstrdup(src->fps[i].rule);
		dst->fps[i].value = xstrdup(src->fps[i].value);
	}
}

/* Appends copies of from's events to evs, as recorded on commit. */
static void
events_add(struct ledger_events *evs, const struct ledger_events *from,
    const char *commit)
{
	if (from->n > 0)
		evs->v = xreallocarray(evs->v, evs->n + from->n,
		    sizeof(*evs->v));
	for (size_t i = 0; i < from->n; i++) {
		event_copy(&evs->v[evs->n], &from->v[i]);
		snprintf(evs->v[evs->n++].commit, OID_HEX, "%s", commit);
	}
	evs->malformed += from->malformed;
}

void
ledger_events_append(struct ledger_events *evs,
    const struct ledger_event *v, size_t n)
{
	if (n > 0)
		evs->v = xreallocarray(evs->v, evs->n + n, sizeof(*evs->v));
	for (size_t i = 0; i < n; i++)
		event_copy(&evs->v[evs->n++], &v[i]);
}

/*
 * Moves the events of added (parsed from a note's text after its first
 * lines lines) to the end of evs, numbered as lines of the whole note.
 */
static void
events_take(struct ledger_events *evs, struct ledger_events *added,
    size_t lines)
{
	if (added->n > 0)
		evs->v = xreallocarray(evs->v, evs->n + added->n,
		    sizeof(*evs->v));
	for (size_t i = 0; i < added->n; i++) {
		added->v[i].line += lines;
		evs->v[evs->n++] = added->v[i];
	}
	evs->malformed += added->malformed;
	free(added->v);
	memset(added, 0, sizeof(*added));
}

static size_t
count_lines(const char *text, size_t len)
{
	size_t n = 0;

	for (const char *p = text; (p = memchr(p, '\n', len -
	    (size_t)(p - text))) != NULL; p++)
		n++;
	return n;
}

/*
 * Parses the note text (len bytes) of commit into evs.  When prev is the
 * note's earlier version and text only adds whole lines to it, only those
 * are parsed.
 */
static void
note_parse(struct ledger_events *evs, const char *commit, const char *text,
    size_t len, const struct note_slot *prev)
{
	struct ledger_events added = { 0 };

	if (prev == NULL || prev->len == 0 || prev->len > len ||
	    text[prev->len - 1] != '\n' ||
	    memcmp(prev->text, text, prev->len) != 0) {
		ledger_parse_note(evs, commit, text, NULL, NULL);
		return;
	}
	events_add(evs, &prev->evs, commit);
	ledger_parse_note(&added, commit, text + prev->len, NULL, NULL);
	events_take(evs, &added, prev->lines);
}

void
ledger_cache_free(void)
{
	if (note_cache == NULL)
		return;
	for (size_t i = 0; i < NOTE_CACHE_SETS * NOTE_CACHE_WAYS; i++)
		note_slot_clear(&note_cache[i]);
	free(note_cache);
	free(note_last);
	note_cache = NULL;
	note_last = NULL;
}

int
ledger_read(struct repo *r, const char *head, const char *commit,
    struct ledger_events *evs)
{
	char *text = NULL;
	int error;

	error = repo_note_read(r, head, commit, &text);
	if (error == -ENOENT)
		return 0;
	if (error < 0)
		return error;
	ledger_parse_note(evs, commit, text, NULL, NULL);
	free(text);
	return 0;
}

static void
note_cache_init(void)
{
	if (note_cache == NULL) {
		note_cache = xcalloc(NOTE_CACHE_SETS * NOTE_CACHE_WAYS,
		    sizeof(*note_cache));
		note_last = xcalloc(NOTE_CACHE_SETS, sizeof(*note_last));
	}
}

/*
 * Keeps text (len bytes, the cache's now) as the note on commit with blob
 * id blob, parsed from where the version of it last kept ends, which it
 * supersedes.
 */
static struct note_slot *
note_store(const char *commit, const char *blob, char *text, size_t len)
{
	struct ledger_events parsed = { 0 };
	struct note_slot *slot, *prev = NULL;
	char (*last)[OID_HEX] = note_last[note_set_of(commit)];

	if (strcmp(last[0], commit) == 0)
		prev = note_find(last[1]);
	note_parse(&parsed, commit, text, len, prev);
	/*
	 * The version before is superseded: a note that grows by a line
	 * per decision would otherwise fill the slots with its versions,
	 * each as large as the last.
	 */
	if (prev)
		note_slot_clear(prev);
	if (note_bytes + len > NOTE_CACHE_BYTES)
		for (size_t i = 0; i < NOTE_CACHE_SETS * NOTE_CACHE_WAYS; i++)
			note_slot_clear(&note_cache[i]);
	slot = note_victim(blob);
	note_slot_clear(slot);
	note_bytes += len;
	slot->evs = parsed;
	slot->text = text;
	slot->len = len;
	slot->lines = count_lines(text, len);
	memcpy(slot->blob, blob, OID_HEX);
	memcpy(last[0], commit, OID_HEX);
	memcpy(last[1], blob, OID_HEX);
	return slot;
}

int
ledger_read_note(struct repo *r, const char *head, const char *commit,
    struct ledger_events *evs, char blob[OID_HEX])
{
	struct note_slot *slot;
	char *text = NULL;
	size_t len;
	int error;

	blob[0] = '\0';
	error = repo_note_id(r, head, commit, blob);
	if (error == -ENOENT)
		return 0;
	if (error < 0)
		return error;
	note_cache_init();
	if ((slot = note_find(blob)) == NULL) {
		if ((error = repo_blob_read(r, blob, &text, &len)) < 0)
			return error;
		len = strlen(text);	/* a note ends at a NUL, as in git */
		slot = note_store(commit, blob, text, len);
	}
	slot->used = ++note_clock;
	events_add(evs, &slot->evs, commit);
	return 0;
}

/* Sleeps backoff_ms and a jitter of up to that again. */
static void
backoff(unsigned backoff_ms)
{
	unsigned char j;
	struct timespec ts;

	if (util_random(&j, 1) < 0)
		j = 0;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(backoff_ms * 1000000L + (long)j * backoff_ms *
	    4000L);
	nanosleep(&ts, NULL);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/*
 * Whether the note's text (len bytes) already has an event of l's once
 * id: 0 when not, 1 when it is the same event, -EEXIST when another.
 * Checked on the version the swap is made on, so that two writers of one
 * event cannot both miss the other's line.
 */
static int
note_has_id(const char *commit, const char *text, size_t len,
    const struct ledger_batch_line *l)
{
	struct ledger_events evs = { 0 };
	char *copy;
	int found = 0;

	if (len == 0 || memmem(text, len, l->once_id,
	    strlen(l->once_id)) == NULL)
		return 0;
	copy = xstrndup(text, len);
	ledger_parse_note(&evs, commit, copy, NULL, NULL);
	for (size_t i = 0; i < evs.n && !found; i++) {
		const struct ledger_event *e = &evs.v[i];

		if (e->id == NULL || strcmp(e->id, l->once_id) != 0)
			continue;
		found = e->type == l->type && same_str(e->by, l->by) &&
		    same_str(e->tag, l->tag) &&
		    same_str(e->tag_object, l->tag_object) ? 1 : -EEXIST;
	}
	ledger_events_free(&evs);
	free(copy);
	return found;
}

/*
 * The text of commit's note as of notes commit head (NULL: no notes yet)
 * into *b, ending in '\n' unless empty, and where it is into path[].  The
 * old text is taken from the cache when its blob is there (printgated
 * has just read or written it), and read from git only when it is not:
 * the note is never read back to be appended to.
 */
static int
note_text(struct repo *r, const char *head, const char *commit,
    char path[REPO_NOTE_PATH], char blob[OID_HEX], struct buf *b)
{
	struct note_slot *slot;
	char *old = NULL;
	size_t oldlen = 0;
	int error;

	if ((error = repo_note_locate(r, head, commit, path, blob)) < 0)
		return error;
	note_cache_init();
	if (blob[0] && (slot = note_find(blob)) != NULL) {
		buf_add(b, slot->text, slot->len);
	} else if (blob[0]) {
		if ((error = repo_blob_read(r, blob, &old, &oldlen)) < 0)
			return error;
		buf_adds(b, old);
		free(old);
	}
	if (b->len > 0 && b->s[b->len - 1] != '\n')
		buf_adds(b, "\n");
	return 0;
}

/* The lines a batch adds to one commit's note. */
struct note_lines {
	const char *commit;
	const struct ledger_batch_line **v;
	size_t n;
};

/*
 * Adds v's lines to text, the note as it is (len bytes before them),
 * leaving out an event written once that is there already; how many
 * were added, or -EEXIST when another event has such an event's id.
 */
static ssize_t
note_add_lines(const struct note_lines *v, struct buf *text)
{
	size_t len = text->len;
	ssize_t added = 0;
	int has;

	for (size_t i = 0; i < v->n; i++) {
		const struct ledger_batch_line *l = v->v[i];

		if (l->once_id && (has = note_has_id(v->commit, text->s, len,
		    l)) != 0) {
			if (has < 0)
				return has;
			continue;	/* the other writer's line */
		}
		buf_adds(text, l->line);
		added++;
	}
	return added;
}

/*
 * One compare-and-swap append of each of v[n]'s lines to its commit's
 * note, on top of the notes commit the ref points at now, in one notes
 * commit.  The versions written are kept in the cache, so that the
 * review read after it parses only the new lines.
 */
static int
append_once(struct repo *r, const struct note_lines *v, size_t n,
    const char *message, unsigned flags)
{
	char head[OID_HEX], newhead[OID_HEX];
	char (*paths)[REPO_NOTE_PATH] = xcalloc(n, sizeof(*paths));
	char (*olds)[OID_HEX] = xcalloc(n, sizeof(*olds));
	char (*blobs)[OID_HEX] = xcalloc(n, sizeof(*blobs));
	struct repo_note_put *puts = xcalloc(n, sizeof(*puts));
	struct buf *texts = xcalloc(n, sizeof(*texts));
	bool have_head, *which = xcalloc(n, sizeof(*which));
	size_t i, k, nput = 0;
	int error;

	error = repo_notes_head(r, LEDGER_REF, head);
	if (error < 0 && error != -ENOENT)
		goto done;
	have_head = error == 0;
	for (i = 0, error = 0; i < n && error == 0; i++) {
		ssize_t added;

		if ((error = note_text(r, have_head ? head : NULL,
		    v[i].commit, paths[i], olds[i], &texts[i])) < 0)
			break;
		if ((added = note_add_lines(&v[i], &texts[i])) < 0)
			error = (int)added;
		else if (added > 0)
			puts[nput++] = (struct repo_note_put){ paths[i],
			    texts[i].s };
		which[i] = added > 0;
	}
	/* every line already there (events written once): nothing to do */
	if (error == 0 && nput > 0)
		error = repo_notes_write(r, LEDGER_REF, have_head ? head :
		    NULL, puts, nput, message, flags, newhead, blobs);
	for (i = 0, k = 0; i < n && error == 0 && nput > 0; i++) {
		size_t len = texts[i].len;
		struct note_slot *slot;

		if (!which[i])
			continue;
		slot = note_store(v[i].commit, blobs[k++],
		    buf_steal(&texts[i]), len);
		slot->used = ++note_clock;
		slot->mine = true;
		memcpy(slot->commit, v[i].commit, OID_HEX);
		memcpy(slot->from, olds[i], OID_HEX);
	}
done:
	for (i = 0; i < n; i++)
		buf_free(&texts[i]);
	free(texts);
	free(which);
	free(puts);
	free(blobs);
	free(olds);
	free(paths);
	return error;
}

bool
ledger_note_appended(const char *commit, const char *from, const char *blob)
{
	const struct note_slot *slot;

	if (note_cache == NULL || blob[0] == '\0' ||
	    (slot = note_find(blob)) == NULL)
		return false;
	return slot->mine && strcmp(slot->commit, commit) == 0 &&
	    strcmp(slot->from, from) == 0;
}

int
ledger_batch_add(struct ledger_batch *b, const char *commit,
    const struct ledger_event *ev)
{
	struct ledger_batch_line *l;
	char *line;

	if ((line = ledger_encode(ev)) == NULL)
		return -EINVAL;
	b->v = xreallocarray(b->v, b->n + 1, sizeof(*b->v));
	l = &b->v[b->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->commit, sizeof(l->commit), "%s", commit);
	l->line = xasprintf("%s\n", line);
	free(line);
	if (ev->once && ev->id) {
		l->once_id = xstrdup(ev->id);
		l->type = ev->type;
		l->by = strdup_or_null(ev->by);
		l->tag = strdup_or_null(ev->tag);
		l->tag_object = strdup_or_null(ev->tag_object);
	}
	/* "approve print/q1 (a1b2c3d) by alice via cli:root" */
	l->message = xasprintf("%s %s%s(%.7s) by %s via %s\n",
	    ledger_type_name(ev->type), ev->tag ? ev->tag : "",
	    ev->tag ? " " : "", commit, ev->by, ev->via);
	return 0;
}

void
ledger_batch_clear(struct ledger_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].line);
		free(b->v[i].message);
		free(b->v[i].once_id);
		free(b->v[i].by);
		free(b->v[i].tag);
		free(b->v[i].tag_object);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/*
 * The notes commit's message: the event's line for one; for more, how
 * many, then each one's line, so that the ledger's history still says
 * what happened.
 */
static char *
batch_message(const struct ledger_batch *b)
{
	struct buf m = { 0 };

	if (b->n == 1)
		return xstrdup(b->v[0].message);
	buf_addf(&m, "%zu events\n\n", b->n);
	for (size_t i = 0; i < b->n; i++)
		buf_adds(&m, b->v[i].message);
	return buf_steal(&m);
}

/* b's lines by commit, in the order they were added, into *out. */
static size_t
batch_group(const struct ledger_batch *b, struct note_lines **out)
{
	struct note_lines *v = xcalloc(b->n ? b->n : 1, sizeof(*v));
	size_t n = 0, k;

	for (size_t i = 0; i < b->n; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(v[k].commit, b->v[i].commit) == 0)
				break;
		if (k == n) {
			v[n++].commit = b->v[i].commit;
			v[k].v = xcalloc(b->n, sizeof(*v[k].v));
		}
		v[k].v[v[k].n++] = &b->v[i];
	}
	*out = v;
	return n;
}

int
ledger_batch_write(struct repo *r, const struct ledger_batch *b,
    int timeout_ms, unsigned *retries)
{
	int64_t deadline = util_mono_ms() + timeout_ms;
	unsigned lost = 0, backoff_ms = 1;
	struct note_lines *v;
	char *message;
	size_t n;
	int error;

	if (b->n == 0)
		return 0;
	n = batch_group(b, &v);
	message = batch_message(b);
	for (;;) {
		error = append_once(r, v, n, message, b->pack ? REPO_PACK : 0);
		if (error != -EAGAIN && error != -EBUSY)
			break;
		lost++;
		/* A writer that has not let go: no wait asked for, none. */
		if (error == -EBUSY && timeout_ms == 0)
			break;
		if (util_mono_ms() >= deadline) {
			error = -ETIMEDOUT;
			break;
		}
		/*
		 * A swap lost to a writer that has finished is tried again
		 * at once (on the new version); a held lock is waited for,
		 * with jitter so that racing writers spread out.
		 */
		if (error == -EAGAIN && lost < 4)
			continue;
		backoff(backoff_ms);
		if (backoff_ms < 64)
			backoff_ms *= 2;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].v);
	free(v);
	free(message);
	if (retries)
		*retries = lost;
	return error;
}

/* ev on its own, as a batch of one; its objects packed when pack. */
static int
append_one(struct repo *r, const char *commit, const struct ledger_event *ev,
    bool pack, int timeout_ms, unsigned *retries)
{
	struct ledger_batch b = { 0 };
	int error;

	if (retries)
		*retries = 0;
	if ((error = ledger_batch_add(&b, commit, ev)) == 0) {
		b.pack = pack;
		error = ledger_batch_write(r, &b, timeout_ms, retries);
	}
	ledger_batch_clear(&b);
	return error;
}

int
ledger_append(struct repo *r, const char *commit,
    const struct ledger_event *ev, int timeout_ms, unsigned *retries)
{
	return append_one(r, commit, ev, false, timeout_ms, retries);
}

int
ledger_append_pack(struct repo *r, const char *commit,
    const struct ledger_event *ev, int timeout_ms, unsigned *retries)
{
	return append_one(r, commit, ev, true, timeout_ms, retries);
}

/* The events one notes commit added, compared with its parent. */
static int
ledger_commit_events(struct repo *r, const char *parent, const char *commit,
    struct ledger_events *evs)
{
	struct repo_note_change *notes = NULL;
	size_t n = 0;
	int error;

	if ((error = repo_notes_changed(r, parent, commit, &notes, &n)) < 0)
		return error;
	for (size_t i = 0; i < n && error >= 0; i++) {
		char *text = NULL, *old = NULL;
		size_t len, oldlen = 0, skip = 0, lines = 0;
		struct ledger_events added = { 0 };

		if ((error = repo_blob_read(r, notes[i].blob, &text, &len)) < 0)
			break;
		if (notes[i].old_blob[0] && repo_blob_read(r,
		    notes[i].old_blob, &old, &oldlen) < 0)
			old = NULL;
		/* Appended: what follows the old text; else all of it. */
		if (old && oldlen <= len && memcmp(old, text, oldlen) == 0) {
			skip = oldlen;
			for (size_t j = 0; j < oldlen; j++)
				lines += old[j] == '\n';
		}
		ledger_parse_note(&added, notes[i].annotated, text + skip, NULL,
		    NULL);
		events_take(evs, &added, lines);
		free(text);
		free(old);
	}
	free(notes);
	return error;
}

int
ledger_since(struct repo *r, const char *last, const char *head,
    ledger_event_cb cb, void *ctx, bool *rewritten)
{
	char **chain = NULL, cur[OID_HEX];
	size_t n = 0;
	bool found = false;
	int error = 0;

	*rewritten = false;
	snprintf(cur, sizeof(cur), "%s", head);
	for (;;) {
		if (last && strcmp(cur, last) == 0) {
			found = true;
			break;
		}
		if (n == LEDGER_MAX_WALK)
			break;
		chain = xreallocarray(chain, n + 1, sizeof(char *));
		chain[n++] = xstrdup(cur);
		error = repo_commit_parent(r, cur, cur);
		if (error == -ENOENT) {
			error = 0;
			break;
		}
		if (error < 0)
			goto done;
	}
	if (last && !found)
		*rewritten = true;
	for (size_t i = n; i-- > 0 && error == 0;) {
		struct ledger_events evs = { 0 };
		const char *parent = i + 1 < n ? chain[i + 1] :
		    found ? last : NULL;

		if ((error = ledger_commit_events(r, parent, chain[i],
		    &evs)) < 0) {
			ledger_events_free(&evs);
			break;
		}
		for (size_t j = 0; j < evs.n && error == 0; j++)
			error = cb(ctx, &evs.v[j]);
		ledger_events_free(&evs);
	}
done:
	strv_free(chain, n);
	return error;
}
