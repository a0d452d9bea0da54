/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gen - writes the benchmark repository as git fast-import streams, the
 * same bytes for the same arguments.
 *
 *   gen history COMMITS PRODUCTS TAGS PLAN   > stream   (commits, print tags)
 *   gen notes NOTES PLAN MARKS TAGIDS        > stream   (the ledger)
 *
 * The collateral tree is TYPE/REGION/PRODUCT/FILE: 5 types x 4 regions x
 * PRODUCTS products x 20 files (5 languages x 4 formats): 50 products make
 * 20,000 files.  The first commit imports the whole tree, as when a team
 * moves its collateral into git; each later commit changes 1 to 5 files,
 * mostly in one product's folder, and every 50th commit merges a short side
 * branch.  TAGS print tags are spread evenly over the main line, the last
 * one GAP commits before the tip.
 *
 * The history stream writes PLAN: one line per print tag ("tag NAME
 * MARK"), and the candidates the benchmarks push: "typical MARK" (the main
 * line's tip, a few hundred files since the last print) and "first MARK"
 * (a commit before the first print tag: the whole tree in scope).  The notes
 * stream reads PLAN, the marks file that fast-import exported and TAGIDS
 * ("NAME TAGOBJECT" per line) and writes NOTES notes: for each print tag a
 * note on its commit with the request, the approvals and the release, and
 * on other commits the requests and decisions of earlier candidates; the
 * candidates get approvals from every reviewer, so that the gate lets them
 * through.  One notes commit per note, as printgate appends them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define T0 1546300800		/* 2019-01-01T00:00:00Z */
#define STEP 900		/* seconds between commits */
#define GAP 100			/* commits after the last print tag */

static const char *types[] = { "brochures", "datasheets", "case-studies",
    "price-sheets", "slides" };
static const char *regions[] = { "emea", "amer", "apac", "latam" };
static const char *lines[] = { "atlas", "beacon", "cobalt", "delta", "ember",
    "fjord", "granite", "harbor", "iris", "juniper" };
static const char *langs[] = { "en", "de", "fr", "es", "ja" };
static const char *formats[] = { "pdf", "indd", "docx", "png" };
static const char *marketers[] = { "Mia Novak", "Omar Reyes", "Tess Vogel",
    "Ugo Weiss", "Yara Zane", "Ivo Pek" };
/* reviewers of bench.conf.in, four per region, then pricing and brand */
static const char *reviewers[] = { "anna", "ben", "chloe", "dario", "amy",
    "bill", "cora", "drew", "aiko", "bao", "chen", "dev", "ana", "bruno",
    "carla", "diego", "pia", "paul", "dana" };
#define NREVIEWERS (sizeof(reviewers) / sizeof(reviewers[0]))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t
pick(size_t n)
{
	return (size_t)(next() % n);
}

static unsigned long nproducts;

static size_t
nfiles(void)
{
	return 5 * 4 * nproducts * 20;
}

/* File number i's path; files of one product folder are neighbours. */
static void
file_path(size_t i, char *out, size_t size)
{
	size_t f = i % 20, rest = i / 20;
	size_t p = rest % nproducts, r = (rest / nproducts) % 4;
	size_t t = rest / nproducts / 4;
	const char *kind = t == 3 ? "pricing" : types[t];

	snprintf(out, size, "%s/%s/%s-%zu/%s-%s.%s", types[t], regions[r],
	    lines[p % 10], p / 10 + 1, kind, langs[f / 4], formats[f % 4]);
}

static void
data(const char *s)
{
	printf("data %zu\n%s\n", strlen(s), s);
}

/* An M line with inline content: a small stand-in for the document. */
static void
modify(size_t file, unsigned long version)
{
	char path[256], body[512];

	file_path(file, path, sizeof(path));
	snprintf(body, sizeof(body), "%%PDF-1.7\n%% %s\n%% version %lu\n"
	    "%% %016" PRIx64 "%016" PRIx64 "\n%%%%EOF\n", path, version,
	    next(), next());
	printf("M 100644 inline %s\n", path);
	data(body);
}

static void
commit_head(const char *ref, unsigned long mark, unsigned long n,
    const char *msg)
{
	const char *who = marketers[n % 6];
	char email[64];
	size_t i;

	for (i = 0; who[i] && who[i] != ' '; i++)
		email[i] = (char)(who[i] | 0x20);
	snprintf(email + i, sizeof(email) - i, "@example.com");
	printf("commit %s\nmark :%lu\n", ref, mark);
	printf("author %s <%s> %ld +0000\n", who, email, (long)T0 +
	    (long)n * STEP);
	printf("committer %s <%s> %ld +0000\n", who, email, (long)T0 +
	    (long)n * STEP);
	data(msg);
}

static int
history(unsigned long ncommits, unsigned long ntags, FILE *plan)
{
	unsigned long every, mark, main_tip = 0, side_tip = 0, version = 1;
	unsigned long tags = 0, first, next_tag;
	size_t side_files[5], nside = 0, total = nfiles();
	char msg[512], path[256];

	if (ntags == 0 || ncommits < GAP * 2 ||
	    (every = (ncommits - GAP) / (ntags + 1)) < 10) {
		fprintf(stderr, "gen: too many tags for the commits\n");
		return 1;
	}
	next_tag = ncommits - GAP - (ntags - 1) * every;
	first = next_tag / 2;
	for (mark = 1; mark <= ncommits; mark++) {
		if (mark == 1) {
			commit_head("refs/heads/main", mark, mark,
			    "Import the collateral library");
			for (size_t i = 0; i < total; i++)
				modify(i, 1);
		} else if (mark % 50 == 10) {
			/* a short side branch: one commit */
			size_t k = 1 + pick(3);

			commit_head("refs/heads/side", mark, mark,
			    "Draft: regional variants");
			printf("from :%lu\n", main_tip);
			nside = k;
			for (size_t i = 0; i < k; i++) {
				side_files[i] = pick(total);
				modify(side_files[i], ++version);
			}
			side_tip = mark;
			continue;
		} else if (mark % 50 == 20 && side_tip) {
			commit_head("refs/heads/main", mark, mark,
			    "Merge branch 'side'");
			printf("from :%lu\nmerge :%lu\n", main_tip, side_tip);
			/* git would merge these; the tree must carry them */
			for (size_t i = 0; i < nside; i++)
				modify(side_files[i], ++version);
			side_tip = 0;
		} else {
			size_t k = 1 + pick(5), f = pick(total);

			file_path(f, path, sizeof(path));
			snprintf(msg, sizeof(msg), "Update %s%s", path,
			    k > 1 ? " and related files" : "");
			commit_head("refs/heads/main", mark, mark, msg);
			printf("from :%lu\n", main_tip);
			/* related files: the same product folder, mostly */
			for (size_t i = 0; i < k; i++) {
				size_t g = pick(4) ? f - f % 20 + pick(20) :
				    pick(total);

				modify(g, ++version);
			}
		}
		main_tip = mark;
		if (tags < ntags && mark >= next_tag) {
			next_tag += every;
			tags++;
			printf("tag print/%04lu-%s-%s\nfrom :%lu\n", tags,
			    types[tags % 5], regions[tags % 4], mark);
			printf("tagger Rita Ruiz <rita@example.com> %ld +0000\n",
			    (long)T0 + (long)mark * STEP + 60);
			snprintf(msg, sizeof(msg), "Print run %lu\n\n"
			    "Print-By: 2027-01-10\nOpportunity: %lu\n", tags,
			    (unsigned long)(500000 + pick(3000000)));
			data(msg);
			fprintf(plan, "tag print/%04lu-%s-%s %lu\n", tags,
			    types[tags % 5], regions[tags % 4], mark);
		}
	}
	if (first % 50 == 10)
		first++;		/* on the main line */
	fprintf(plan, "typical %lu\nfirst %lu\n", main_tip, first);
	return 0;
}

struct named {
	char name[128];
	char id[41];
	unsigned long mark;
};

static char (*marks)[41];	/* commit id by mark */
static unsigned long nmarks;

static int
read_marks(const char *file)
{
	FILE *f = fopen(file, "r");
	unsigned long m;
	char id[41];

	if (f == NULL)
		return -errno;
	while (fscanf(f, ":%lu %40s\n", &m, id) == 2) {
		if (m >= nmarks) {
			unsigned long n = m * 2 + 1024;

			marks = realloc(marks, n * sizeof(*marks));
			if (marks == NULL)
				abort();
			memset(marks + nmarks, 0, (n - nmarks) *
			    sizeof(*marks));
			nmarks = n;
		}
		memcpy(marks[m], id, 41);
	}
	fclose(f);
	return 0;
}

static void
hex(char *out, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
		out[i] = digits[next() & 15];
	out[n] = '\0';
}

static void
iso(long t, char out[21])
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One ledger line, with the fields in printgate's order. */
static void
event(FILE *out, const char *type, long at, const char *by, const char *via,
    const char *tag, const char *tagobj, bool rules)
{
	char when[21], id[33], fp[65];

	iso(at, when);
	hex(id, 32);
	fprintf(out, "{\"v\":1,\"type\":\"%s\",\"at\":\"%s\",\"by\":\"%s\","
	    "\"via\":\"%s\"", type, when, by, via);
	if (tag)
		fprintf(out, ",\"tag\":\"%s\"", tag);
	if (tagobj)
		fprintf(out, ",\"tag_object\":\"%s\"", tagobj);
	if (rules) {
		fputs(",\"rules\":[\"emea\",\"amer\",\"apac\",\"latam\","
		    "\"pricing\"],\"fingerprints\":{", out);
		for (size_t i = 0; i < 5; i++) {
			static const char *r[] = { "emea", "amer", "apac",
			    "latam", "pricing" };

			hex(fp, 64);
			fprintf(out, "%s\"%s\":\"%s\"", i ? "," : "", r[i], fp);
		}
		fputs("}", out);
	}
	fprintf(out, ",\"id\":\"%s\"}\n", id);
}

static unsigned long notes_mark = 1000000000UL, notes_parent;

static void
note(unsigned long commit, const char *text, long at)
{
	notes_mark++;
	printf("commit refs/notes/printgate\nmark :%lu\n", notes_mark);
	printf("committer printgate <printgate@localhost> %ld +0000\n", at);
	data("printgate: ledger");
	if (notes_parent)
		printf("from :%lu\n", notes_parent);
	printf("N inline %s\n", marks[commit]);
	printf("data %zu\n%s\n", strlen(text), text);
	notes_parent = notes_mark;
}

/* Every reviewer approves commit mark: the bench candidates pass. */
static void
approve_all(unsigned long mark)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	long at = (long)T0 + (long)mark * STEP + 300;

	event(out, "request", at, "rita", "hook", NULL, NULL, true);
	for (size_t r = 0; r < NREVIEWERS; r++)
		event(out, "approve", at + 60 + (long)r, reviewers[r],
		    "cli:root", NULL, NULL, false);
	fclose(out);
	note(mark, text, at + 100);
	free(text);
}

static int
notes(unsigned long nnotes, const char *planfile, const char *marksfile,
    const char *tagsfile)
{
	FILE *plan = fopen(planfile, "r"), *tf = fopen(tagsfile, "r");
	struct named *tags = NULL;
	size_t ntags = 0, cap = 0;
	unsigned long typical = 0, first = 0, written = 0, m;
	char line[512], name[128], id[41];
	bool *noted;

	if (plan == NULL || tf == NULL || read_marks(marksfile) < 0) {
		fprintf(stderr, "gen: cannot read the plan, marks or tags\n");
		return 1;
	}
	while (fgets(line, sizeof(line), plan)) {
		if (sscanf(line, "tag %127s %lu", name, &m) == 2) {
			if (ntags == cap) {
				cap = cap ? cap * 2 : 256;
				tags = realloc(tags, cap * sizeof(*tags));
				if (tags == NULL)
					abort();
			}
			snprintf(tags[ntags].name, sizeof(tags[ntags].name),
			    "%s", name);
			tags[ntags].id[0] = '\0';
			tags[ntags++].mark = m;
		} else if (sscanf(line, "typical %lu", &m) == 1)
			typical = m;
		else if (sscanf(line, "first %lu", &m) == 1)
			first = m;
	}
	fclose(plan);
	while (fscanf(tf, "%127s %40s\n", name, id) == 2)
		for (size_t i = 0; i < ntags; i++)
			if (strcmp(tags[i].name, name) == 0)
				memcpy(tags[i].id, id, 41);
	fclose(tf);
	noted = calloc(nmarks, sizeof(bool));
	if (noted == NULL || typical == 0 || first == 0 || typical >= nmarks) {
		fprintf(stderr, "gen: the plan and the marks disagree\n");
		return 1;
	}
	approve_all(first);
	noted[first] = true;
	written++;
	for (size_t t = 0; t < ntags; t++) {
		unsigned long lo = t ? tags[t - 1].mark + 1 : 2;
		unsigned long hi = tags[t].mark, k, extra;
		long at = (long)T0 + (long)hi * STEP + 120;
		char *text = NULL;
		size_t len = 0;
		FILE *out;

		if (tags[t].id[0] == '\0') {
			fprintf(stderr, "gen: no tag object for %s\n",
			    tags[t].name);
			return 1;
		}
		/* earlier candidates of this print, reviewed and superseded */
		extra = (nnotes - 2) / ntags - 1;
		for (k = 0; k < extra; k++) {
			unsigned long c = lo + pick(hi - lo);

			if (noted[c] || marks[c][0] == '\0')
				continue;
			out = open_memstream(&text, &len);
			event(out, "request", at - 7200, "rita", "hook",
			    tags[t].name, NULL, true);
			event(out, pick(2) ? "changes-required" :
			    "approve-with-changes", at - 3600,
			    reviewers[pick(NREVIEWERS)], "slack:U0B",
			    NULL, NULL, false);
			fclose(out);
			note(c, text, at - 3600);
			free(text);
			text = NULL;
			noted[c] = true;
			written++;
		}
		out = open_memstream(&text, &len);
		event(out, "request", at, "rita", "hook", tags[t].name,
		    tags[t].id, true);
		for (size_t r = 0; r < 4; r++) {
			event(out, "approve", at + 600 + (long)r,
			    reviewers[r * 4 + pick(4)], "slack:U0B", NULL, NULL,
			    false);
			event(out, "approve", at + 700 + (long)r,
			    reviewers[r * 4 + (pick(3) + 1) % 4], "slack:U0B",
			    NULL, NULL, false);
		}
		event(out, "approve", at + 800, reviewers[16 + pick(2)],
		    "slack:U0B", NULL, NULL, false);
		event(out, "approve", at + 810, "dana", "slack:U0B", NULL, NULL,
		    false);
		event(out, "released", at + 900, "printgate", "printgate",
		    tags[t].name, tags[t].id, false);
		fclose(out);
		note(hi, text, at + 900);
		free(text);
		noted[hi] = true;
		written++;
	}
	/* fill up to NOTES with decisions on commits after the last print */
	for (m = tags[ntags - 1].mark + 1; written + 1 < nnotes && m <
	    typical; m++) {
		char *text = NULL;
		size_t len = 0;
		FILE *out;

		if (noted[m] || marks[m][0] == '\0')
			continue;
		out = open_memstream(&text, &len);
		event(out, "request", (long)T0 + (long)m * STEP, "rita", "hook",
		    "print/next", NULL, true);
		fclose(out);
		note(m, text, (long)T0 + (long)m * STEP);
		free(text);
		noted[m] = true;
		written++;
	}
	approve_all(typical);
	written++;
	fprintf(stderr, "gen: %lu notes\n", written);
	free(noted);
	free(tags);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 6 && strcmp(argv[1], "history") == 0) {
		FILE *plan = fopen(argv[5], "w");
		int rc;

		nproducts = strtoul(argv[3], NULL, 10);
		if (plan == NULL || nproducts == 0) {
			fprintf(stderr, "gen: cannot write %s\n", argv[5]);
			return 1;
		}
		rc = history(strtoul(argv[2], NULL, 10),
		    strtoul(argv[4], NULL, 10), plan);
		if (fclose(plan) != 0)
			rc = 1;
		printf("done\n");
		return fflush(stdout) == 0 ? rc : 1;
	}
	if (argc == 6 && strcmp(argv[1], "notes") == 0) {
		int rc = notes(strtoul(argv[2], NULL, 10), argv[3], argv[4],
		    argv[5]);

		printf("done\n");
		return fflush(stdout) == 0 ? rc : 1;
	}
	fprintf(stderr, "usage: gen history COMMITS PRODUCTS TAGS PLAN\n"
	    "       gen notes NOTES PLAN MARKS TAGIDS\n");
	return 2;
}
