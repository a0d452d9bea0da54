/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_repo.c - repository access against real repositories: each test
 * builds what it needs with the real git command in a temporary folder,
 * calls repo.c (and ledger.c's appends through it), and checks the result
 * with git again, since git is what the marketers, the release managers
 * and the auditors will look at.
 *
 * Tables: pathspecs (each row also checked against `git ls-files`), tree
 * differences (each row also checked against `git diff-tree`), trailers.
 * Every row is its own cmocka test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


#include "chat/platform.h"
#include "core/config.h"
#include "core/ledger.h"
#include "core/record.h"
#include "core/repo.h"
#include "core/review.h"
#include "core/util.h"
#include "printgated/memo.h"
#include "printgated/watch.h"
#include "unit.h"


/* ------------------------------------------------------------------ */
/* Running git                                                         */

static char *tmp;	/* the temporary folder of this run */

/* A new repository with a work tree at tmp/name; the caller frees it. */
static char *
repo_make(const char *name)
{
	char *path = xasprintf("%s/%s", tmp, name);

	free(sh_ok("git init -q -b main '%s'", path));
	return path;
}

/* Writes content to path under the work tree, making its folders. */
static void
write_file(const char *repo, const char *path, const char *content)
{
	char *full = xasprintf("%s/%s", repo, path);
	FILE *f;

	for (char *s = strchr(full + strlen(repo) + 1, '/'); s;
	    s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(full, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir '%s': %s", full, strerror(errno));
		*s = '/';
	}
	f = fopen(full, "w");
	if (f == NULL)
		fail_msg("cannot write '%s': %s", full, strerror(errno));
	fputs(content, f);
	fclose(f);
	free(full);
}

/* Commits everything in the work tree; out is the new commit. */
static void
commit_all(const char *repo, const char *msg, char out[OID_HEX])
{
	char *id = sh_ok("cd '%s' && git add -A && git commit -q "
	    "--allow-empty -m '%s' && git rev-parse HEAD", repo, msg);

	assert_int_equal(strlen(id), OID_HEX - 1);
	memcpy(out, id, OID_HEX);
	free(id);
}

/* A repository with one commit, opened; *path and *commit filled in. */
static struct repo *
repo_with_commit(const char *name, char **path, char commit[OID_HEX])
{
	struct repo *r = NULL;
	char *why = NULL;

	*path = repo_make(name);
	write_file(*path, "brochures/emea/q1.pdf", "q1\n");
	commit_all(*path, "first", commit);
	if (repo_open(&r, *path, &why) < 0)
		fail_msg("repo_open '%s': %s", *path, why);
	return r;
}

/* ------------------------------------------------------------------ */
/* Pathspecs                                                           */

/*
 * git's pathspec semantics, which libgit2's git_pathspec follows: without
 * ":(glob)" magic a pattern is matched with fnmatch *without*
 * FNM_PATHNAME, so '*' crosses '/' ("datasheets/ *.pdf" matches
 * datasheets/x/y.pdf) and "**" is just two stars; a pattern without
 * wildcards also matches as a folder prefix ("datasheets" matches
 * datasheets/a.pdf, not datasheets-old/a.pdf); matching is case-sensitive.
 * (Magic such as ":(glob)" is refused by config.c, so it is not here.)
 * Each row is also checked against what `git ls-files -- PATTERN` says.
 */
struct pathspec_case {
	const char *name;
	const char *patterns[3];
	const char *path;
	bool match;
};

static const struct pathspec_case pathspec_cases[] = {
	{ "pathspec: brochures/emea/** matches a file in it",
	    { "brochures/emea/**" }, "brochures/emea/a.pdf", true },
	{ "pathspec: brochures/emea/** matches a file deeper",
	    { "brochures/emea/**" }, "brochures/emea/x/y.pdf", true },
	{ "pathspec: brochures/emea/** does not match another region",
	    { "brochures/emea/**" }, "brochures/apac/a.pdf", false },
	{ "pathspec: brochures/emea/** does not match a longer folder name",
	    { "brochures/emea/**" }, "brochures/emeax/a.pdf", false },
	{ "pathspec: brochures/emea/** does not match a file beside it",
	    { "brochures/emea/**" }, "brochures/emea.pdf", false },
	{ "pathspec: ** matches a top file", { "**" }, "top.pdf", true },
	{ "pathspec: ** matches a deep file", { "**" },
	    "brochures/emea/x/y.pdf", true },
	{ "pathspec: datasheets/*.pdf matches a pdf in it",
	    { "datasheets/*.pdf" }, "datasheets/a.pdf", true },
	{ "pathspec: datasheets/*.pdf matches deeper (* crosses /)",
	    { "datasheets/*.pdf" }, "datasheets/x/y.pdf", true },
	{ "pathspec: datasheets/*.pdf does not match another type",
	    { "datasheets/*.pdf" }, "datasheets/readme.txt", false },
	{ "pathspec: a folder name matches the files in it",
	    { "datasheets" }, "datasheets/a.pdf", true },
	{ "pathspec: a folder name matches the files deeper",
	    { "datasheets" }, "datasheets/x/y.pdf", true },
	{ "pathspec: a folder name does not match a longer name",
	    { "datasheets" }, "datasheets-old/a.pdf", false },
	{ "pathspec: a folder name does not match a file with its prefix",
	    { "datasheets" }, "datasheets2.pdf", false },
	{ "pathspec: a folder name with a slash matches the files in it",
	    { "datasheets/" }, "datasheets/x/y.pdf", true },
	{ "pathspec: matching is case-sensitive", { "datasheets" },
	    "DataSheets/b.pdf", false },
	{ "pathspec: *.pdf matches in a folder", { "*.pdf" }, "a/b.pdf",
	    true },
	{ "pathspec: *.pdf matches at the top", { "*.pdf" }, "top.pdf",
	    true },
	{ "pathspec: *.pdf does not match a .txt", { "*.pdf" },
	    "datasheets/readme.txt", false },
	{ "pathspec: a file name matches only at the top", { "top.pdf" },
	    "a/top.pdf", false },
	{ "pathspec: brochures/*/a.pdf crosses folders",
	    { "brochures/*/a.pdf" }, "brochures/emea/x/a.pdf", true },
	{ "pathspec: **/a.pdf matches below the top", { "**/a.pdf" },
	    "datasheets-old/a.pdf", true },
	{ "pathspec: any of several patterns (second)",
	    { "brochures/emea/**", "datasheets/**" }, "datasheets/a.pdf",
	    true },
	{ "pathspec: none of several patterns",
	    { "brochures/emea/**", "datasheets/**" }, "brochures/apac/a.pdf",
	    false },
};

static char *pathspec_repo;

/* Makes one repository holding every path of the table, for git. */
static void
pathspec_repo_make(void)
{
	char id[OID_HEX];

	pathspec_repo = repo_make("pathspec");
	for (size_t i = 0; i < ARRAY_SIZE(pathspec_cases); i++)
		write_file(pathspec_repo, pathspec_cases[i].path, "x\n");
	commit_all(pathspec_repo, "paths", id);
}

static void
test_pathspec(void **state)
{
	const struct pathspec_case *c = *state;
	struct repo_pathspec *ps = NULL;
	char *const *pats = (char *const *)c->patterns;
	struct buf args = { 0 };
	char *listed, *line, *next;
	bool git_match = false;
	size_t n = 0;

	while (n < ARRAY_SIZE(c->patterns) && c->patterns[n])
		buf_addf(&args, " '%s'", c->patterns[n++]);
	assert_int_equal(repo_pathspec_new(&ps, pats, n), 0);
	if (repo_pathspec_match(ps, c->path) != c->match)
		fail_msg("%s: printgate says %s for %s", c->name,
		    c->match ? "no match" : "a match", c->path);
	repo_pathspec_free(ps);

	/* and that is what git itself says */
	listed = sh_ok("cd '%s' && git ls-files --%s", pathspec_repo, args.s);
	for (next = listed; (line = strsep(&next, "\n")) != NULL;)
		if (strcmp(line, c->path) == 0)
			git_match = true;
	if (git_match != c->match)
		fail_msg("%s: git says %s for %s", c->name,
		    git_match ? "a match" : "no match", c->path);
	free(listed);
	buf_free(&args);
}

/* ------------------------------------------------------------------ */
/* The review scope: repo_diff                                         */

/*
 * The history of the diff repository, one commit a step; each row below
 * compares two of them.  "thing" is a file, then a folder, then the same
 * file again.
 */
enum {
	D_FIRST, D_DEEP, D_ADD_DEL, D_RENAME, D_TO_FOLDER, D_TO_FILE,
	D_MODE, D_EMPTY, D_RM_FOLDER, D_N
};
static char diff_commits[D_N][OID_HEX];
static char *diff_repo;

static void
diff_repo_make(void)
{
	static const char *const first[] = {
		"a.pdf", "a-b.pdf", "a/b.pdf", "brochures/apac/x.pdf",
		"brochures/emea/2027/q1/deep.pdf",
		"brochures/emea/2027/q1/other.pdf", "datasheets/x.pdf",
		"old.pdf", "run.sh",
	};
	const char *d;

	d = diff_repo = repo_make("diff");
	for (size_t i = 0; i < ARRAY_SIZE(first); i++)
		write_file(d, first[i], first[i]);
	write_file(d, "thing", "thing\n");
	commit_all(d, "first", diff_commits[D_FIRST]);
	write_file(d, "brochures/emea/2027/q1/deep.pdf", "deep, v2\n");
	commit_all(d, "deep change", diff_commits[D_DEEP]);
	write_file(d, "new.pdf", "new\n");
	free(sh_ok("cd '%s' && rm old.pdf", d));
	commit_all(d, "add and delete", diff_commits[D_ADD_DEL]);
	free(sh_ok("cd '%s' && git mv datasheets/x.pdf datasheets/y.pdf", d));
	commit_all(d, "rename", diff_commits[D_RENAME]);
	free(sh_ok("cd '%s' && rm thing", d));
	write_file(d, "thing/inside.pdf", "inside\n");
	commit_all(d, "file to folder", diff_commits[D_TO_FOLDER]);
	free(sh_ok("cd '%s' && rm -r thing", d));
	write_file(d, "thing", "thing\n");
	commit_all(d, "folder to file", diff_commits[D_TO_FILE]);
	free(sh_ok("cd '%s' && chmod +x run.sh", d));
	commit_all(d, "mode", diff_commits[D_MODE]);
	commit_all(d, "empty", diff_commits[D_EMPTY]);
	free(sh_ok("cd '%s' && rm -r brochures/apac", d));
	commit_all(d, "remove a folder", diff_commits[D_RM_FOLDER]);
}

#define NONE (-1)	/* no base: a first print */
#define MAX_FILES 12

struct diff_case {
	const char *name;
	int base;
	int commit;
	const char *files[MAX_FILES];	/* "S path", sorted by path */
};

static const struct diff_case diff_cases[] = {
	{ "diff: first print lists every file, sorted, as added",
	    NONE, D_FIRST,
	    { "A a-b.pdf", "A a.pdf", "A a/b.pdf", "A brochures/apac/x.pdf",
		"A brochures/emea/2027/q1/deep.pdf",
		"A brochures/emea/2027/q1/other.pdf", "A datasheets/x.pdf",
		"A old.pdf", "A run.sh", "A thing" } },
	{ "diff: a change deep in a folder lists only that file",
	    D_FIRST, D_DEEP, { "M brochures/emea/2027/q1/deep.pdf" } },
	{ "diff: an added and a deleted file", D_DEEP, D_ADD_DEL,
	    { "A new.pdf", "D old.pdf" } },
	{ "diff: a rename is a deletion and an addition", D_ADD_DEL, D_RENAME,
	    { "D datasheets/x.pdf", "A datasheets/y.pdf" } },
	{ "diff: a file replaced by a folder", D_RENAME, D_TO_FOLDER,
	    { "D thing", "A thing/inside.pdf" } },
	{ "diff: a folder replaced by a file", D_TO_FOLDER, D_TO_FILE,
	    { "A thing", "D thing/inside.pdf" } },
	{ "diff: a change of mode only", D_TO_FILE, D_MODE, { "M run.sh" } },
	{ "diff: no change, nothing in scope", D_MODE, D_EMPTY, { NULL } },
	{ "diff: the same commit, nothing in scope", D_MODE, D_MODE,
	    { NULL } },
	{ "diff: a removed folder lists its files", D_EMPTY, D_RM_FOLDER,
	    { "D brochures/apac/x.pdf" } },
	{ "diff: over several commits, a file put back is not in scope",
	    D_FIRST, D_RM_FOLDER,
	    { "D brochures/apac/x.pdf", "M brochures/emea/2027/q1/deep.pdf",
		"D datasheets/x.pdf", "A datasheets/y.pdf", "A new.pdf",
		"D old.pdf", "M run.sh" } },
	{ "diff: first print of a later commit", NONE, D_RM_FOLDER,
	    { "A a-b.pdf", "A a.pdf", "A a/b.pdf",
		"A brochures/emea/2027/q1/deep.pdf",
		"A brochures/emea/2027/q1/other.pdf", "A datasheets/y.pdf",
		"A new.pdf", "A run.sh", "A thing" } },
};

static int
str_cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 2, *(char *const *)b + 2);
}

/* git's own answer: `git diff-tree` with no renames, as "S path" lines. */
static size_t
git_diff(const char *base, const char *commit, char **lines, size_t max)
{
	/* the empty tree, to compare a first print against */
	const char *from = base ? base :
	    "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
	char *out = sh_ok("cd '%s' && git diff-tree -r --no-renames "
	    "--name-status %s %s", diff_repo, from, commit);
	char *next = out, *line;
	size_t n = 0;

	while ((line = strsep(&next, "\n")) != NULL) {
		if (*line == '\0')
			continue;
		assert_true(n < max);
		assert_true(line[1] == '\t');
		lines[n++] = xasprintf("%c %s", line[0], line + 2);
	}
	free(out);
	qsort(lines, n, sizeof(*lines), str_cmp_path);
	return n;
}

/* The blob id of path in the listing of `git ls-tree -r`, into out. */
static void
tree_blob(const char *tree, const char *path, char out[OID_HEX])
{
	const char *p = tree;
	size_t plen = strlen(path);

	out[0] = '\0';
	while (p && *p) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - tab - 1) : strlen(tab + 1);

		/* "100644 blob <id>\t<path>" */
		if (tab && len == plen && strncmp(tab + 1, path, plen) == 0) {
			memcpy(out, tab - (OID_HEX - 1), OID_HEX - 1);
			out[OID_HEX - 1] = '\0';
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* "a, b, c", with CR and LF shown as \r and \n, for messages. */
static char *
join(char *const *v, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(&b, ", ");
		for (const char *p = v[i]; *p; p++)
			if (*p == '\r')
				buf_adds(&b, "\\r");
			else if (*p == '\n')
				buf_adds(&b, "\\n");
			else
				buf_add(&b, p, 1);
	}
	return buf_steal(&b);
}

static void
test_diff(void **state)
{
	const struct diff_case *c = *state;
	const char *base = c->base == NONE ? NULL : diff_commits[c->base];
	const char *commit = diff_commits[c->commit];
	struct scope_file *files = NULL;
	struct repo *r = NULL;
	char *got[MAX_FILES + 1], *git_lines[MAX_FILES], *tree, *why = NULL;
	char *s_got, *s_want, *s_git;
	size_t n = 0, want = 0, ngit;
	pid_t pid;
	int status;

	while (want < MAX_FILES && c->files[want])
		want++;
	if (repo_open(&r, diff_repo, &why) < 0)
		fail_msg("repo_open: %s", why);
	/*
	 * First in a child, so that undefined behaviour, which the sanitizer
	 * build makes fatal (see __ubsan_default_options), fails this row
	 * alone rather than the whole run.
	 */
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct scope_file *f = NULL;
		size_t k = 0;

		_exit(repo_diff(r, base, commit, &f, &k) == 0 ? 0 : 2);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: repo_diff did not return cleanly (wait status "
		    "%d); see the sanitizer's report above", c->name, status);
	assert_int_equal(repo_diff(r, base, commit, &files, &n), 0);
	assert_true(n <= MAX_FILES);
	tree = sh_ok("cd '%s' && git ls-tree -r %s", diff_repo, commit);
	for (size_t i = 0; i < n; i++) {
		char blob[OID_HEX];

		got[i] = xasprintf("%c %s", files[i].status, files[i].path);
		/* the blob is the file's in the commit, "" for a deletion */
		tree_blob(tree, files[i].path, blob);
		if (files[i].status == 'D')
			assert_string_equal(files[i].blob, "");
		else
			assert_string_equal(files[i].blob, blob);
	}
	s_got = join(got, n);
	s_want = join((char *const *)c->files, want);
	assert_string_equal(s_got, s_want);

	/* and git sees the same files changed in the same way */
	ngit = git_diff(base, commit, git_lines, MAX_FILES);
	s_git = join(git_lines, ngit);
	assert_string_equal(s_git, s_want);

	for (size_t i = 0; i < n; i++)
		free(got[i]);
	for (size_t i = 0; i < ngit; i++)
		free(git_lines[i]);
	free(s_got);
	free(s_want);
	free(s_git);
	free(tree);
	repo_scope_free(files, n);
	repo_free(r);
}

/* ------------------------------------------------------------------ */
/* Blobs                                                               */

/*
 * A blob over the cap is refused with -EFBIG, and its size is still told
 * from the object's header; one at the cap reads whole.
 */
static void
test_blob_cap(void **state)
{
	char c1[OID_HEX], id[OID_HEX], *path, *out, *data = NULL;
	struct repo *r = repo_with_commit("blobs", &path, c1);
	size_t size = 0, len = 0;

	(void)state;
	out = sh_ok("cd '%s' && head -c 3000 /dev/zero | tr '\\0' x | "
	    "git hash-object -w --stdin", path);
	snprintf(id, sizeof(id), "%s", out);
	free(out);
	assert_int_equal(repo_object_size(r, id, &size), 0);
	assert_int_equal(size, 3000);
	assert_int_equal(repo_blob_read_max(r, id, 2999, &data, &len),
	    -EFBIG);
	assert_null(data);
	assert_non_null(strstr(repo_strerror(), "is 3000 bytes, over the "
	    "2999 read at most"));
	assert_int_equal(repo_blob_read_max(r, id, 3000, &data, &len), 0);
	assert_int_equal(len, 3000);
	assert_int_equal(strspn(data, "x"), 3000);
	free(data);
	data = NULL;
	assert_int_equal(repo_blob_read(r, id, &data, &len), 0);
	assert_int_equal(len, 3000);
	free(data);
	/* an object that is not there is -ENOENT, never -EFBIG or a size */
	assert_int_equal(repo_blob_read_max(r,
	    "0123456789012345678901234567890123456789", 10, &data, &len),
	    -ENOENT);
	repo_free(r);
	free(path);
}

/* ------------------------------------------------------------------ */
/* Notes and refs                                                      */

/* The message of the notes commits the tests make. */
#define MSG "test: append\n"

/* Successive appends are successive lines, as git shows them. */
static void
test_note_append(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], head0[OID_HEX], head1[OID_HEX];
	char head2[OID_HEX], head3[OID_HEX], now[OID_HEX], blob[OID_HEX];
	char *path, *out, *text = NULL;
	struct repo *r = repo_with_commit("notes", &path, c1);

	assert_int_equal(repo_notes_head(r, LEDGER_REF, head0), -ENOENT);
	assert_int_equal(repo_note_append(r, LEDGER_REF, c1, "line 1\n", MSG,
	    head1), 0);
	assert_int_equal(repo_note_append(r, LEDGER_REF, c1,
	    "line 2\nline 3\n", MSG, head2), 0);
	assert_string_not_equal(head1, head2);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, now), 0);
	assert_string_equal(now, head2);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, "line 1\nline 2\nline 3");
	free(out);

	/* each append is a notes commit on the one before: the audit trail */
	out = sh_ok("cd '%s' && git rev-parse refs/notes/printgate^", path);
	assert_string_equal(out, head1);
	free(out);
	out = sh_ok("cd '%s' && git rev-list --count refs/notes/printgate",
	    path);
	assert_string_equal(out, "2");
	free(out);
	out = sh_ok("cd '%s' && git log -1 --format=%%B refs/notes/printgate",
	    path);
	assert_string_equal(out, MSG);
	free(out);
	assert_int_equal(repo_note_read(r, head1, c1, &text), 0);
	assert_string_equal(text, "line 1\n");
	free(text);
	text = NULL;
	assert_int_equal(repo_note_read(r, head2, c1, &text), 0);
	assert_string_equal(text, "line 1\nline 2\nline 3\n");
	free(text);
	/* the note's blob, as git lists it */
	assert_int_equal(repo_note_id(r, head2, c1, blob), 0);
	out = sh_ok("cd '%s' && git notes --ref=printgate list %s", path, c1);
	assert_string_equal(blob, out);
	free(out);
	assert_int_equal(repo_note_id(r, head2, head2, blob), -ENOENT);

	/* a note on another commit leaves the first one alone */
	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	text = NULL;
	assert_int_equal(repo_note_read(r, head2, c2, &text), -ENOENT);
	assert_null(text);
	assert_int_equal(repo_note_append(r, LEDGER_REF, c2, "other\n", MSG,
	    head3), 0);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c2);
	assert_string_equal(out, "other");
	free(out);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, "line 1\nline 2\nline 3");
	free(out);
	/* what was written is sound for git */
	free(sh_ok("cd '%s' && git fsck --no-progress 2>&1", path));
	repo_free(r);
	free(path);
}

/* A note written by someone else, without a final newline, is extended. */
static void
test_note_append_to_git_note(void **state)
{
	char c1[OID_HEX], head[OID_HEX];
	char *path, *out;
	struct repo *r = repo_with_commit("notes-by-hand", &path, c1);

	free(sh_ok("cd '%s' && blob=$(printf 'by hand' | git hash-object -w "
	    "--stdin) && git notes --ref=printgate add -C $blob %s", path,
	    c1));
	assert_int_equal(repo_note_append(r, LEDGER_REF, c1, "next\n", MSG,
	    head), 0);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, "by hand\nnext");
	free(out);
	repo_free(r);
	free(path);
}

/*
 * Notes that fan out ("ab/cdef...", "ab/cd/ef..."), as git writes them
 * when there are many: found as git finds them, and read through the
 * ledger's cache by blob, which sees a changed note at once.
 */
static void
test_note_fanout(void **state)
{
	static const char *const layouts[] = { "flat", "one level",
	    "two levels" };
	char c1[OID_HEX], head[OID_HEX], blob[OID_HEX];
	char *path, *out;
	struct repo *r = repo_with_commit("notes-fanout", &path, c1);

	for (size_t depth = 0; depth < ARRAY_SIZE(layouts); depth++) {
		struct ledger_events evs = { 0 };

		print_message("# %s\n", layouts[depth]);
		/* a tree per level, the note named by the rest of the id */
		free(sh_ok("cd '%s' && c=%s && d=%zu && "
		    "b=$(printf '{\"v\":1,\"type\":\"approve\",\"at\":"
		    "\"2027-01-0%zuT10:00:00Z\",\"by\":\"alice\",\"via\":"
		    "\"cli:root\"}\\n' | git hash-object -w --stdin) && "
		    "rest=$(echo $c | cut -c$((2 * d + 1))-) && "
		    "t=$(printf '100644 blob %%s\\t%%s\\n' $b $rest | git mktree) && "
		    "while [ $d -gt 0 ]; do d=$((d - 1)); "
		    "t=$(printf '040000 tree %%s\\t%%s\\n' $t "
		    "$(echo $c | cut -c$((2 * d + 1))-$((2 * d + 2))) | git mktree); "
		    "done && git update-ref refs/notes/printgate "
		    "$(echo notes | git commit-tree $t)", path, c1, depth,
		    depth + 1));
		out = sh_ok("cd '%s' && git notes --ref=printgate list %s",
		    path, c1);
		assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
		assert_int_equal(repo_note_id(r, head, c1, blob), 0);
		assert_string_equal(blob, out);
		assert_int_equal(ledger_read_note(r, head, c1, &evs, blob), 0);
		assert_string_equal(blob, out);
		assert_int_equal(evs.n, 1);
		assert_string_equal(evs.v[0].commit, c1);
		/* a different note each time: the 1st, 2nd, 3rd of January */
		assert_int_equal(evs.v[0].at, 1798797600 + 86400 *
		    (int64_t)depth);
		ledger_events_free(&evs);
		free(out);
	}
	repo_free(r);
	free(path);
}

/* Two writers on the same repository both land, in order. */
static void
test_note_two_writers(void **state)
{
	static const char *const lines[] = { "a\n", "b\n", "c\n", "d\n" };
	char c1[OID_HEX], head[OID_HEX];
	char *path, *out, *why = NULL;
	struct repo *r[2];

	r[0] = repo_with_commit("notes-two", &path, c1);
	if (repo_open(&r[1], path, &why) < 0)
		fail_msg("repo_open: %s", why);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_int_equal(repo_note_append(r[i % 2], LEDGER_REF, c1,
		    lines[i], MSG, head), 0);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, "a\nb\nc\nd");
	free(out);
	repo_free(r[0]);
	repo_free(r[1]);
	free(path);
}

/*
 * libgit2's refresh on a miss is held only while a notes commit's
 * objects are written: a note git wrote and packed after the repository
 * was opened is written on, and an object git packs after the write is
 * found by the next read.
 */
static void
test_note_write_new_packs(void **state)
{
	char c1[OID_HEX], head[OID_HEX], next[OID_HEX], blob[OID_HEX];
	char *path, *id, *out;
	size_t size = 0;
	struct repo *r = repo_with_commit("notes-packs", &path, c1);

	free(sh_ok("cd '%s' && git notes --ref=printgate add -m first %s && "
	    "git repack -q -d", path, c1));
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_int_equal(repo_note_write(r, LEDGER_REF, head, c1,
	    "first\nsecond\n", MSG, next, blob), 0);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, "first\nsecond");
	free(out);

	id = sh_ok("cd '%s' && id=$(echo later | git hash-object -w --stdin) "
	    "&& echo $id | git pack-objects -q .git/objects/pack/pack "
	    ">/dev/null && git prune-packed && "
	    "test ! -e .git/objects/$(echo $id | sed 's|^..|&/|') && "
	    "echo $id", path);
	assert_int_equal(repo_object_size(r, id, &size), 0);
	assert_int_equal(size, 6);
	free(id);
	repo_free(r);
	free(path);
}

/*
 * The compare-and-swap under the appends: a ref moves only from the value
 * the writer saw.  A writer that read the notes ref before another one
 * moved it loses (-EAGAIN), and the ledger is left as the winner wrote it.
 */
static void
test_ref_cas(void **state)
{
	const char *pending = "refs/printgate/pending/q1";
	char c1[OID_HEX], c2[OID_HEX], head1[OID_HEX], head2[OID_HEX];
	char now[OID_HEX];
	char *path, *out;
	struct repo *r = repo_with_commit("cas", &path, c1);

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);

	/* creating: only when it does not exist yet */
	assert_int_equal(repo_ref_set(r, pending, c1, NULL, "test"), 0);
	assert_int_equal(repo_ref_set(r, pending, c2, NULL, "test"), -EAGAIN);
	assert_int_equal(repo_ref_get(r, pending, now), 0);
	assert_string_equal(now, c1);
	/* moving: only from the value it has */
	assert_int_equal(repo_ref_set(r, pending, c2, c2, "test"), -EAGAIN);
	out = sh_ok("cd '%s' && git rev-parse %s", path, pending);
	assert_string_equal(out, c1);
	free(out);
	assert_int_equal(repo_ref_set(r, pending, c2, c1, "test"), 0);
	out = sh_ok("cd '%s' && git rev-parse %s", path, pending);
	assert_string_equal(out, c2);
	free(out);
	/* moving a ref that does not exist: no such ref, none made */
	assert_int_equal(repo_ref_set(r, "refs/printgate/pending/none", c2, c1,
	    "test"), -ENOENT);
	assert_int_equal(repo_ref_get(r, "refs/printgate/pending/none", now),
	    -ENOENT);
	/* deleting: only from the value it has */
	assert_int_equal(repo_ref_delete(r, pending, c1), -EAGAIN);
	assert_int_equal(repo_ref_get(r, pending, now), 0);
	assert_int_equal(repo_ref_delete(r, pending, c2), 0);
	assert_int_equal(repo_ref_get(r, pending, now), -ENOENT);
	assert_int_not_equal(sh(NULL, "cd '%s' && git show-ref --verify -q "
	    "%s", path, pending), 0);

	/* the notes ref: a writer that read head1 after head2 was written */
	assert_int_equal(repo_note_append(r, LEDGER_REF, c1, "first\n", MSG,
	    head1), 0);
	assert_int_equal(repo_note_append(r, LEDGER_REF, c1, "second\n", MSG,
	    head2), 0);
	assert_int_equal(repo_ref_set(r, LEDGER_REF, head1, head1, "late"),
	    -EAGAIN);
	assert_int_equal(repo_ref_set(r, LEDGER_REF, head1, NULL, "late"),
	    -EAGAIN);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, now), 0);
	assert_string_equal(now, head2);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, "first\nsecond");
	free(out);
	repo_free(r);
	free(path);
}

/* Makes (or removes) the lock file git and libgit2 take on the notes ref. */
static void
notes_lock(struct repo *r, bool on)
{
	char *dir = xasprintf("%srefs/notes", repo_path(r));
	char *lock = xasprintf("%s/printgate.lock", dir);

	if (on) {
		FILE *f;

		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir '%s': %s", dir, strerror(errno));
		if ((f = fopen(lock, "w")) == NULL)
			fail_msg("cannot create '%s'", lock);
		fclose(f);
	} else
		assert_int_equal(unlink(lock), 0);
	free(lock);
	free(dir);
}

/* Another writer holding the ref's lock: the append says so. */
static void
test_note_locked(void **state)
{
	char c1[OID_HEX], head[OID_HEX];
	char *path;
	struct repo *r = repo_with_commit("notes-locked", &path, c1);
	int error;

	notes_lock(r, true);
	error = repo_note_append(r, LEDGER_REF, c1, "x\n", MSG, head);
	if (error != -EBUSY && error != -EAGAIN)
		fail_msg("repo_note_append on a locked ref gave %d", error);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), -ENOENT);
	notes_lock(r, false);
	assert_int_equal(repo_note_append(r, LEDGER_REF, c1, "x\n", MSG,
	    head), 0);
	repo_free(r);
	free(path);
}

/* ------------------------------------------------------------------ */
/* The ledger through a real repository                                */

static void
assert_event_equal(const struct ledger_event *a, const struct ledger_event *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->at, b->at);
	assert_string_equal(a->by, b->by);
	assert_string_equal(a->via, b->via);
	if (a->tag || b->tag)
		assert_string_equal(a->tag, b->tag);
	if (a->tag_object || b->tag_object)
		assert_string_equal(a->tag_object, b->tag_object);
	assert_int_equal(a->nrules, b->nrules);
	for (size_t i = 0; i < a->nrules; i++)
		assert_string_equal(a->rules[i], b->rules[i]);
	assert_int_equal(a->nfps, b->nfps);
	for (size_t i = 0; i < a->nfps; i++) {
		assert_string_equal(a->fps[i].rule, b->fps[i].rule);
		assert_string_equal(a->fps[i].value, b->fps[i].value);
	}
	if (a->comment || b->comment)
		assert_string_equal(a->comment, b->comment);
	if (a->id || b->id)
		assert_string_equal(a->id, b->id);
}

static char *rules_emea[] = { "emea" };
static struct ledger_fp fps_emea[] = {
	{ "emea", "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca"
	    "046dea" },
};
static const struct ledger_event ev_alice = {
	.type = LEDGER_APPROVE,
	.at = 1798970400,
	.by = "alice",
	.via = "slack:U04ALICE",
	.tag = "print/2027-q1-brochure",
	.tag_object = "5f1d2a0c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49",
	.rules = rules_emea,
	.nrules = 1,
	.fps = fps_emea,
	.nfps = 1,
	.comment = "Looks \"great\"\nship it \xe2\x9c\x93",
	.id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
};
static const struct ledger_event ev_bob = {
	.type = LEDGER_CHANGES_REQUIRED,
	.at = 1798974000,
	.by = "bob",
	.via = "cli:root",
	.tag = "print/2027-q1-brochure",
	.rules = rules_emea,
	.nrules = 1,
	.fps = fps_emea,
	.nfps = 1,
	.comment = "price on p. 3",
};

/* The note of commit is the two events' lines, as git shows it. */
static void
assert_note_is(const char *path, const char *commit,
    const struct ledger_event *first, const struct ledger_event *second)
{
	char *l1 = ledger_encode(first), *l2 = ledger_encode(second);
	char *want = xasprintf("%s\n%s", l1, l2);
	char *out = sh_ok("cd '%s' && git notes --ref=printgate show %s",
	    path, commit);

	assert_string_equal(out, want);
	free(out);
	free(want);
	free(l1);
	free(l2);
}

static void
test_ledger_round_trip(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], head[OID_HEX];
	char *path, *out, *subjects;
	struct ledger_events evs = { 0 };
	struct repo *r = repo_with_commit("ledger", &path, c1);
	unsigned retries = 99;

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	assert_int_equal(ledger_append(r, c1, &ev_alice, 1000, &retries), 0);
	assert_int_equal(retries, 0);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);

	/* the note is the encoded lines, as git shows it */
	assert_note_is(path, c1, &ev_alice, &ev_bob);

	/* each notes commit says what happened: git log is the audit trail */
	out = sh_ok("cd '%s' && git log --format=%%s refs/notes/printgate",
	    path);
	subjects = xasprintf("changes-required print/2027-q1-brochure (%.7s) "
	    "by bob via cli:root\napprove print/2027-q1-brochure (%.7s) by "
	    "alice via slack:U04ALICE", c1, c1);
	assert_string_equal(out, subjects);
	free(out);
	free(subjects);

	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_int_equal(ledger_read(r, head, c1, &evs), 0);
	assert_int_equal(evs.n, 2);
	assert_int_equal(evs.malformed, 0);
	assert_event_equal(&evs.v[0], &ev_alice);
	assert_event_equal(&evs.v[1], &ev_bob);
	assert_string_equal(evs.v[0].commit, c1);
	assert_string_equal(evs.v[1].commit, c1);
	assert_int_equal(evs.v[0].line, 1);
	assert_int_equal(evs.v[1].line, 2);
	/* a commit without a note adds nothing, and is no error */
	assert_int_equal(ledger_read(r, head, c2, &evs), 0);
	assert_int_equal(evs.n, 2);
	ledger_events_free(&evs);
	repo_free(r);
	free(path);
}

/* The number git count-objects gives for name ("count": loose objects). */
static long
objects_count(const char *path, const char *name)
{
	char *out = sh_ok("cd '%s' && git count-objects -v | sed -n "
	    "'s/^%s: //p'", path, name);
	long n = strtol(out, NULL, 10);

	free(out);
	return n;
}

/*
 * Packed appends (the gate's): each notes commit's new objects in one
 * pack of the objects folder, none of them loose, read by git as the
 * rest; the same handle writes packed on top of a loose write, and the
 * ledger reads back every event.
 */
static void
test_ledger_pack(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], head[OID_HEX];
	struct ledger_events evs = { 0 };
	char *path, *out;
	struct repo *r = repo_with_commit("ledger-pack", &path, c1);
	unsigned retries = 99;
	long loose;

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	loose = objects_count(path, "count");
	assert_int_equal(ledger_append_pack(r, c1, &ev_alice, 1000, &retries),
	    0);
	assert_int_equal(retries, 0);
	assert_int_equal(objects_count(path, "count"), loose);
	assert_int_equal(objects_count(path, "packs"), 1);
	/* the notes commit is in the pack: git's verify-pack lists it */
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	free(sh_ok("cd '%s' && git verify-pack -v .git/objects/pack/*.idx | "
	    "grep -q '^%s commit'", path, head));

	/* a loose write (a decision's) on top, then packed again */
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);
	assert_true(objects_count(path, "count") > loose);
	loose = objects_count(path, "count");
	assert_int_equal(ledger_append_pack(r, c2, &ev_alice, 1000, NULL), 0);
	assert_int_equal(objects_count(path, "count"), loose);
	assert_int_equal(objects_count(path, "packs"), 2);

	assert_note_is(path, c1, &ev_alice, &ev_bob);
	free(sh_ok("cd '%s' && git fsck --strict --no-dangling 2>&1", path));
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_int_equal(ledger_read(r, head, c2, &evs), 0);
	assert_int_equal(evs.n, 1);
	assert_event_equal(&evs.v[0], &ev_alice);
	ledger_events_free(&evs);

	/* after git gc folded the packs, packed writes go on */
	free(sh_ok("cd '%s' && git gc -q", path));
	assert_int_equal(objects_count(path, "packs"), 1);
	assert_int_equal(ledger_append_pack(r, c2, &ev_bob, 1000, NULL), 0);
	assert_int_equal(objects_count(path, "packs"), 2);
	/*
	 * The new pack holds what the write added, not the rest of the
	 * ledger: the notes commit and its tree; c2's note is now the same
	 * text as c1's, whose blob git has already (freshened, not added).
	 */
	out = sh_ok("cd '%s' && git verify-pack -v $(ls -t "
	    ".git/objects/pack/*.idx | head -n 1) | grep -c "
	    "' \\(commit\\|tree\\|blob\\) '", path);
	assert_string_equal(out, "2");
	free(out);
	assert_note_is(path, c2, &ev_alice, &ev_bob);
	free(sh_ok("cd '%s' && git fsck --strict --no-dangling 2>&1", path));
	repo_free(r);
	free(path);
	(void)state;
}

/*
 * An event written once (the gate's, which the hook and printgated may
 * both write for one push): the second append of its id writes nothing,
 * from the cache or from git; another event under that id is -EEXIST;
 * without once the id is not looked at.
 */
static void
test_ledger_once(void **state)
{
	char c1[OID_HEX];
	char *path, *out;
	struct repo *r = repo_with_commit("ledger-once", &path, c1);
	struct ledger_event ev = {
		.type = LEDGER_RELEASED, .at = 1798974000, .by = "rita",
		.via = "hook", .tag = "print/q1",
		.tag_object = "5f1d2a0c9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49",
		.id = "00112233445566778899aabbccddeeff", .once = true,
	};
	struct ledger_event other = ev;

	(void)state;
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);
	assert_int_equal(ledger_append(r, c1, &ev, 1000, NULL), 0);
	ev.at++;	/* the other writer's clock */
	assert_int_equal(ledger_append(r, c1, &ev, 1000, NULL), 0);
	ledger_cache_free();	/* the note read from git */
	assert_int_equal(ledger_append(r, c1, &ev, 1000, NULL), 0);
	ev.at--;
	assert_note_is(path, c1, &ev_bob, &ev);
	out = sh_ok("cd '%s' && git rev-list --count refs/notes/printgate",
	    path);
	assert_string_equal(out, "2");
	free(out);

	other.tag_object = "0000000000000000000000000000000000000001";
	assert_int_equal(ledger_append(r, c1, &other, 1000, NULL), -EEXIST);
	other = ev;
	other.type = LEDGER_REQUEST;
	assert_int_equal(ledger_append(r, c1, &other, 1000, NULL), -EEXIST);
	other.once = false;
	assert_int_equal(ledger_append(r, c1, &other, 1000, NULL), 0);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s | wc -l",
	    path, c1);
	assert_string_equal(out, "3");
	free(out);
	repo_free(r);
	free(path);
}

/*
 * A note read after each append (printgated reads only the new lines of
 * a note that grew), with a malformed line among them, then rewritten by
 * hand: each read is what a fresh read of the note gives.
 */
static void
test_ledger_growing(void **state)
{
	char c1[OID_HEX], head[OID_HEX], blob[OID_HEX];
	char *path;
	struct ledger_events evs = { 0 };
	struct repo *r = repo_with_commit("ledger-growing", &path, c1);

	for (size_t i = 0; i < 6; i++) {
		if (i == 3)
			free(sh_ok("cd '%s' && { git notes --ref=printgate "
			    "show %s && echo 'not JSON'; } >note && git notes "
			    "--ref=printgate add -f -F note %s && rm note",
			    path, c1, c1));
		else
			assert_int_equal(ledger_append(r, c1, i % 2 ?
			    &ev_bob : &ev_alice, 1000, NULL), 0);
		assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
		assert_int_equal(ledger_read_note(r, head, c1, &evs, blob), 0);
		assert_int_equal(evs.n, i < 3 ? i + 1 : i);
		assert_int_equal(evs.malformed, i < 3 ? 0 : 1);
		for (size_t j = 0; j < evs.n; j++) {
			assert_event_equal(&evs.v[j], (j < 3 ? j : j + 1) % 2 ?
			    &ev_bob : &ev_alice);
			assert_string_equal(evs.v[j].commit, c1);
			assert_int_equal(evs.v[j].line, j < 3 ? j + 1 : j + 2);
		}
		ledger_events_free(&evs);
	}
	/* rewritten, not appended to: read whole again */
	free(sh_ok("cd '%s' && git notes --ref=printgate add -f -m '%s' %s",
	    path, "{\"v\":1,\"type\":\"approve\",\"at\":"
	    "\"2027-01-01T10:00:00Z\",\"by\":\"carol\",\"via\":\"cli:root\"}",
	    c1));
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_int_equal(ledger_read_note(r, head, c1, &evs, blob), 0);
	assert_int_equal(evs.n, 1);
	assert_int_equal(evs.malformed, 0);
	assert_string_equal(evs.v[0].by, "carol");
	assert_int_equal(evs.v[0].line, 1);
	ledger_events_free(&evs);
	repo_free(r);
	free(path);
}

/*
 * The configuration of the repository at path: alice alone in the one
 * rule, emea's brochures; its file's name into *conf.
 */
static struct config *
emea_config(const char *path, char **conf)
{
	struct config *cf = NULL;
	char *errors = NULL;
	FILE *f;

	*conf = xasprintf("%s.conf", path);
	assert_non_null(f = fopen(*conf, "w"));
	fprintf(f, "repository = \"%s\";\nstate_dir = \"%s.state\";\n"
	    "people = ( { id = \"alice\"; name = \"Alice\"; email = "
	    "\"alice@example.com\"; }, { id = \"rita\"; name = \"Rita\"; "
	    "email = \"rita@example.com\"; } );\n"
	    "groups = { sales = [ \"alice\" ]; release = [ \"rita\" ]; };\n"
	    "release_managers = \"release\";\n"
	    "rules = ( { name = \"emea\"; paths = [ \"brochures/emea/**\" ]; "
	    "group = \"sales\"; } );\n", path, path);
	fclose(f);
	if (config_load(&cf, *conf, 0, &platform_configs, &errors) < 0)
		fail_msg("config: %s", errors);
	return cf;
}

/*
 * A loaded review stays fresh (printgated gives it again without reading
 * it) until a note it read or a print tag changes; a note on a commit
 * outside its scope leaves it fresh.
 */
static void
test_review_fresh(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], c3[OID_HEX];
	char *path, *conf, *why = NULL;
	struct config *cf = NULL;
	struct review *rv = NULL;
	struct repo *r = repo_with_commit("review-fresh", &path, c1);

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	write_file(path, "brochures/emea/q3.pdf", "q3\n");
	commit_all(path, "third, after the candidate", c3);
	cf = emea_config(path, &conf);

	/* no ledger yet; then one: read it */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	assert_true(review_fresh(cf, r, rv));
	assert_int_equal(ledger_append(r, c3, &ev_alice, 1000, NULL), 0);
	assert_false(review_fresh(cf, r, rv));
	review_free(rv);

	/* a note outside the scope (c3 is after the candidate) */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	assert_true(review_fresh(cf, r, rv));
	assert_int_equal(ledger_append(r, c3, &ev_bob, 1000, NULL), 0);
	assert_true(review_fresh(cf, r, rv));
	/* a decision on an earlier commit in scope may carry over */
	assert_int_equal(ledger_append(r, c1, &ev_alice, 1000, NULL), 0);
	assert_false(review_fresh(cf, r, rv));
	review_free(rv);

	/* a note it read removed by git */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	assert_true(review_fresh(cf, r, rv));
	free(sh_ok("cd '%s' && git notes --ref=printgate remove %s", path, c1));
	assert_false(review_fresh(cf, r, rv));
	review_free(rv);

	/* a print tag pushed may be the new base */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	assert_true(review_fresh(cf, r, rv));
	assert_int_equal(review_ref(rv), rv);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/q1 %s", path, c1));
	assert_false(review_fresh(cf, r, rv));
	/* two holders: the first review_free leaves it to the second */
	review_free(rv);
	assert_string_equal(rv->commit, c2);
	review_free(rv);

	config_free(cf);
	free(conf);
	repo_free(r);
	free(path);
}

/* Asserts that a refreshed review decides and reads as a fresh load. */
static void
assert_review_same(const struct config *cf, const struct review *a,
    const struct review *b)
{
	char *sa, *sb;

	assert_int_equal(a->approved, b->approved);
	assert_int_equal(a->blocked, b->blocked);
	assert_int_equal(a->events.n, b->events.n);
	assert_int_equal(a->events.malformed, b->events.malformed);
	for (size_t i = 0; i < a->events.n; i++) {
		assert_event_equal(&a->events.v[i], &b->events.v[i]);
		assert_string_equal(a->events.v[i].commit,
		    b->events.v[i].commit);
		assert_int_equal(a->events.v[i].line, b->events.v[i].line);
	}
	assert_true((a->requested == NULL) == (b->requested == NULL));
	if (a->requested)
		assert_int_equal(a->requested - a->events.v,
		    b->requested - b->events.v);
	assert_int_equal(a->nrules, b->nrules);
	for (size_t i = 0; i < a->nrules; i++) {
		assert_int_equal(a->rules[i].approvals, b->rules[i].approvals);
		assert_int_equal(a->rules[i].blocked, b->rules[i].blocked);
		assert_string_equal(a->rules[i].fingerprint,
		    b->rules[i].fingerprint);
	}
	sa = review_format_status(cf, a);
	sb = review_format_status(cf, b);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	sa = review_format_line(cf, a);
	sb = review_format_line(cf, b);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
}

/* Records a decision of type by who on rv's commit, as printgated does. */
static void
decide_on(struct repo *r, const struct config *cf, const struct review *rv,
    enum ledger_type type, const char *who, int64_t at)
{
	struct record rec;
	size_t *rules, n;

	assert_int_equal(record_init(&rec, type, at), 0);
	rec.by = who;
	rec.via = "cli:root";
	rec.tag = rv->tag;
	rec.comment = type == LEDGER_APPROVE ? NULL : "the prices";
	record_applying(rv, &rules, &n);
	rec.rules = rules;
	rec.nrules = n;
	rec.fingerprints = true;
	assert_int_equal(record_append(r, cf, rv, rv->commit, &rec, 1000,
	    NULL), 0);
	free(rules);
}

/*
 * A review whose only change is lines this process appended to its own
 * commit's note is brought up to them (review_refresh) rather than
 * gathered again, and gives, decision after decision, exactly what a
 * fresh load gives; anything else that changed makes it -ESTALE.
 */
static void
test_review_refresh(void **state)
{
	static const enum ledger_type types[] = { LEDGER_APPROVE,
	    LEDGER_CHANGES_REQUIRED, LEDGER_APPROVE_WITH_CHANGES,
	    LEDGER_APPROVE, LEDGER_APPROVE, LEDGER_CHANGES_REQUIRED,
	    LEDGER_APPROVE };
	static const char *who[] = { "alice", "bob", "carol" };
	char c1[OID_HEX], c2[OID_HEX], *path, *conf, *errors = NULL, *why = NULL;
	struct config *cf = NULL;
	struct review *rv = NULL, *next = NULL, *full = NULL;
	struct repo *r = repo_with_commit("review-refresh", &path, c1);
	bool approved_once = false;
	FILE *f;

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	write_file(path, "brochures/apac/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	conf = xasprintf("%s.conf", path);
	assert_non_null(f = fopen(conf, "w"));
	fprintf(f, "repository = \"%s\";\nstate_dir = \"%s.state\";\n"
	    "people = ( { id = \"alice\"; name = \"Alice\"; email = "
	    "\"alice@example.com\"; }, { id = \"bob\"; name = \"Bob\"; "
	    "email = \"bob@example.com\"; }, { id = \"carol\"; name = "
	    "\"Carol\"; email = \"carol@example.com\"; }, { id = \"rita\"; "
	    "name = \"Rita\"; email = \"rita@example.com\"; } );\n"
	    "groups = { sales = [ \"alice\", \"bob\", \"carol\" ]; "
	    "release = [ \"rita\" ]; };\nrelease_managers = \"release\";\n"
	    "rules = ( { name = \"emea\"; paths = [ \"brochures/emea/**\" ]; "
	    "group = \"sales\"; required = 2; }, { name = \"apac\"; paths = "
	    "[ \"brochures/**\" ]; group = \"sales\"; } );\n", path, path);
	fclose(f);
	if (config_load(&cf, conf, 0, &platform_configs, &errors) < 0)
		fail_msg("config: %s", errors);

	/* a ledger to start from, on the earlier commit in scope */
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	/* fresh: the same review again */
	assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), 0);
	assert_ptr_equal(next, rv);
	review_free(next);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		decide_on(r, cf, rv, types[i], who[i % 3], 1798970400 +
		    (int64_t)(i / 2));
		assert_false(review_fresh(cf, r, rv));
		assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), 0);
		assert_ptr_not_equal(next, rv);
		assert_true(review_fresh(cf, r, next));
		assert_int_equal(review_load(&full, cf, r, c2, "print/q2", NULL,
		    NULL, &why), 0);
		assert_review_same(cf, next, full);
		approved_once |= next->approved;
		review_free(full);
		review_free(rv);
		rv = next;	/* refreshed from a refreshed one next time */
	}
	/* it went through approved and blocked alike */
	assert_true(approved_once);
	assert_true(rv->blocked || rv->approved);

	/* two writes since it was read: the second is not from its version */
	next = rv;	/* kept as it was read, to refresh later */
	decide_on(r, cf, rv, LEDGER_APPROVE, "alice", 1798980000);
	assert_int_equal(review_refresh(&rv, cf, r, next, NULL, &why), 0);
	decide_on(r, cf, rv, LEDGER_CHANGES_REQUIRED, "bob", 1798980001);
	assert_int_equal(review_refresh(&full, cf, r, next, NULL, &why), -ESTALE);
	review_free(next);
	assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), 0);
	assert_true(next->blocked);
	review_free(rv);
	rv = next;

	/* another writer's line on its note, even an append: load it */
	free(sh_ok("cd '%s' && git notes --ref=printgate append -m '%s' %s",
	    path, "{\"v\":1,\"type\":\"approve\",\"at\":"
	    "\"2027-01-01T10:00:00Z\",\"by\":\"carol\",\"via\":\"cli:root\"}",
	    c2));
	assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), -ESTALE);
	review_free(rv);

	/* its own line on another commit it read (carry-over) */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	assert_int_equal(ledger_append(r, c1, &ev_alice, 1000, NULL), 0);
	assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), -ESTALE);
	review_free(rv);

	/* the same with a line on its own commit too: not only its own */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);
	decide_on(r, cf, rv, LEDGER_APPROVE, "alice", 1798985000);
	assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), -ESTALE);
	review_free(rv);

	/* a print tag: the base may have moved */
	assert_int_equal(review_load(&rv, cf, r, c2, "print/q2", NULL, NULL,
	    &why), 0);
	decide_on(r, cf, rv, LEDGER_APPROVE, "carol", 1798990000);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/q1 %s", path, c1));
	assert_int_equal(review_refresh(&next, cf, r, rv, NULL, &why), -ESTALE);
	review_free(rv);

	config_free(cf);
	free(conf);
	repo_free(r);
	free(path);
}

/*
 * The memo holds every review a scan asks for in turn, more than its old
 * 16 slots: asked again, each is the one held, not read again; one
 * whose own note printgated appended to comes back refreshed.
 */
static void
test_memo_many(void **state)
{
	enum { N = 40 };
	char c1[OID_HEX], c2[OID_HEX], *path, *conf, *why = NULL, tag[32];
	struct review *held[N], *rv;
	struct config *cf = NULL;
	struct memo *m = memo_new();
	struct repo *r = repo_with_commit("memo-many", &path, c1);

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	cf = emea_config(path, &conf);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < N; i++) {
			snprintf(tag, sizeof(tag), "print/q%d", i);
			assert_int_equal(memo_load(m, cf, r, c2, tag, NULL,
			    NULL, &rv, &why), 0);
			if (round == 0)
				held[i] = rv;
			else
				assert_ptr_equal(rv, held[i]);
			review_free(rv);
		}
	/* the daemon's own decision on the candidate: refreshed */
	decide_on(r, cf, held[7], LEDGER_APPROVE, "alice", 1798970400);
	assert_int_equal(memo_load(m, cf, r, c2, "print/q7", NULL, NULL, &rv,
	    &why), 0);
	assert_ptr_not_equal(rv, held[7]);
	assert_true(rv->approved);
	assert_true(review_fresh(cf, r, rv));
	review_free(rv);

	memo_free(m);
	config_free(cf);
	free(conf);
	repo_free(r);
	free(path);
}

/*
 * Through the memo, decision after decision: each review given is the
 * one a fresh load gives, trailers too, and the reviews given before,
 * still held by their callers, stay whole after the memo moved on from
 * them and forgot (under valgrind: the shared scope is neither freed
 * early nor lost).
 */
static void
test_memo_refresh(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], *path, *conf, *why = NULL, *st;
	const char *msg = "q2\n\nPrice: 12\n";
	struct config *cf = NULL;
	struct review *held[6] = { 0 }, *full = NULL;
	struct repo *r = repo_with_commit("memo-refresh", &path, c1);
	struct memo *m = memo_new();

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	cf = emea_config(path, &conf);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(memo_load(m, cf, r, c2, "print/q2", NULL, msg,
		    &held[i], &why), 0);
		assert_int_equal(review_load(&full, cf, r, c2, "print/q2",
		    NULL, msg, &why), 0);
		assert_review_same(cf, held[i], full);
		assert_int_equal(held[i]->ntrailers, full->ntrailers);
		review_free(full);
		decide_on(r, cf, held[i], i % 2 ? LEDGER_CHANGES_REQUIRED :
		    LEDGER_APPROVE, "alice", 1798970400 + (int64_t)i);
	}
	memo_forget(m);
	for (size_t i = 0; i < 6; i++) {
		st = review_format_status(cf, held[i]);
		assert_non_null(strstr(st, "brochures/emea/q2.pdf"));
		free(st);
		review_free(held[i]);
	}
	memo_free(m);
	config_free(cf);
	free(conf);
	repo_free(r);
	free(path);
}

/* Through m: the review of c2 as print/q2 is the one held (or not). */
#define assert_memo_gives(m, cf, r, c2, held, same) \
	memo_gives_at(m, cf, r, c2, held, same, __FILE__, __LINE__)
static void
memo_gives_at(struct memo *m, const struct config *cf, struct repo *r,
    const char *c2, struct review **held, bool same, const char *file,
    int line)
{
	struct review *rv = NULL;
	char *why = NULL;

	_assert_int_equal(memo_load(m, cf, r, c2, "print/q2", NULL, NULL, &rv,
	    &why), 0, file, line);
	_assert_int_equal((uintptr_t)rv == (uintptr_t)*held, same, file,
	    line);
	review_free(*held);
	*held = rv;
}

/*
 * With the repository's watch, the memo lists the print tags again only
 * after a ref but the ledger's changed: what git does to print tags
 * beside the daemon is seen at the very next load, without a wait (a new
 * tag, one in a new folder, one moved, one deleted), the ledger's own
 * writes list nothing, and the loop still hears of them (watch_read()).
 * A watch that cannot see every folder has them listed every time.
 */
static void
test_memo_watch(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], c3[OID_HEX], *path, *conf, *gitdir;
	struct config *cf = NULL;
	struct review *held = NULL;
	struct repo *r = repo_with_commit("memo-watch", &path, c1);
	struct memo *m = memo_new();
	struct watch *w = NULL, *blind = NULL;
	uint64_t n;
	char *why = NULL;

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	write_file(path, "brochures/emea/q3.pdf", "q3\n");
	commit_all(path, "third, after the candidate", c3);
	cf = emea_config(path, &conf);
	assert_int_equal(ledger_append(r, c3, &ev_alice, 1000, NULL), 0);
	gitdir = xasprintf("%s/.git", path);
	assert_int_equal(watch_new(&w, gitdir), 0);
	memo_set_watch(m, w);

	assert_int_equal(memo_load(m, cf, r, c2, "print/q2", NULL, NULL,
	    &held, &why), 0);
	assert_memo_gives(m, cf, r, c2, &held, true);
	n = memo_tag_listings(m);
	assert_int_equal(n, 1);
	assert_memo_gives(m, cf, r, c2, &held, true);
	assert_int_equal(memo_tag_listings(m), n);
	(void)watch_read(w);

	/* the ledger's own write, on a note out of scope: nothing listed */
	assert_int_equal(ledger_append(r, c3, &ev_bob, 1000, NULL), 0);
	assert_memo_gives(m, cf, r, c2, &held, true);
	assert_int_equal(memo_tag_listings(m), n);
	assert_true(watch_read(w));	/* the loop rescans all the same */
	assert_false(watch_read(w));

	/* print tags made, moved and deleted by git, then packed */
	free(sh_ok("cd '%s' && git tag -a -m q1 print/q1 %s", path, c1));
	assert_memo_gives(m, cf, r, c2, &held, false);
	assert_int_equal(memo_tag_listings(m), ++n);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/2027/q1 %s", path, c1));
	assert_memo_gives(m, cf, r, c2, &held, false);
	assert_int_equal(memo_tag_listings(m), ++n);
	free(sh_ok("cd '%s' && git tag -f -a -m q1 print/2027/q1 %s", path,
	    c3));
	assert_memo_gives(m, cf, r, c2, &held, false);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/2027/q4 %s", path, c1));
	assert_memo_gives(m, cf, r, c2, &held, false);
	free(sh_ok("cd '%s' && git pack-refs --all", path));
	assert_memo_gives(m, cf, r, c2, &held, true);	/* listed, the same */
	assert_int_equal(memo_tag_listings(m), n + 3);
	free(sh_ok("cd '%s' && git tag -d print/2027/q1 >/dev/null", path));
	assert_memo_gives(m, cf, r, c2, &held, false);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/2027/q1 %s", path, c1));
	assert_memo_gives(m, cf, r, c2, &held, false);
	n = memo_tag_listings(m);
	assert_memo_gives(m, cf, r, c2, &held, true);
	assert_int_equal(memo_tag_listings(m), n);

	/* a watch of one folder (the git dir) cannot tell: listed each time */
	assert_int_equal(watch_new_max(&blind, gitdir, 1), 0);
	memo_set_watch(m, blind);
	assert_memo_gives(m, cf, r, c2, &held, true);
	assert_memo_gives(m, cf, r, c2, &held, true);
	assert_int_equal(memo_tag_listings(m), n + 2);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/q5 %s", path, c1));
	assert_memo_gives(m, cf, r, c2, &held, false);

	review_free(held);
	memo_free(m);
	watch_free(w);
	watch_free(blind);
	free(gitdir);
	config_free(cf);
	free(conf);
	repo_free(r);
	free(path);
}

/*
 * Only on a local filesystem does the watch vouch for the print tags: on
 * NFS, SMB, CephFS or FUSE another machine changes refs without an event.
 */
static void
test_watch_local(void **state)
{
	static const unsigned long remote[] = { 0x6969 /* nfs */,
	    0x517B /* smb */, 0xFF534D42 /* cifs */, 0xFE534D42 /* smb2 */,
	    0x00c36400 /* ceph */, 0x65735546 /* fuse */,
	    0x01021997 /* 9p */, 0x5346414F /* afs */, 0 };

	(void)state;
	assert_true(watch_fs_local(0xEF53));	/* ext4 */
	assert_true(watch_fs_local(0x58465342));	/* xfs */
	assert_true(watch_fs_local(0x01021994));	/* tmpfs */
	for (size_t i = 0; i < ARRAY_SIZE(remote); i++)
		assert_false(watch_fs_local(remote[i]));
}

/* A memo, a watch on path's git dir and the review of c2 held through it. */
struct watched {
	char c1[OID_HEX], c2[OID_HEX], *path, *conf, *gitdir;
	struct config *cf;
	struct repo *r;
	struct memo *m;
	struct watch *w;
	struct review *held;
};

static void
watched_start(struct watched *t, const char *name)
{
	char *why = NULL;

	memset(t, 0, sizeof(*t));
	t->r = repo_with_commit(name, &t->path, t->c1);
	write_file(t->path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(t->path, "second", t->c2);
	t->cf = emea_config(t->path, &t->conf);
	free(sh_ok("cd '%s' && git tag -a -m q1 print/q1 %s", t->path,
	    t->c1));
	t->gitdir = xasprintf("%s/.git", t->path);
	t->m = memo_new();
	assert_int_equal(watch_new(&t->w, t->gitdir), 0);
	memo_set_watch(t->m, t->w);
	assert_int_equal(memo_load(t->m, t->cf, t->r, t->c2, "print/q2",
	    NULL, NULL, &t->held, &why), 0);
}

static void
watched_end(struct watched *t)
{
	review_free(t->held);
	memo_free(t->m);
	watch_free(t->w);
	free(t->gitdir);
	config_free(t->cf);
	free(t->conf);
	repo_free(t->r);
	free(t->path);
}

/* Whatever the memo gives now, held from here on. */
static void
watched_load(struct watched *t)
{
	struct review *rv = NULL;
	char *why = NULL;

	assert_int_equal(memo_load(t->m, t->cf, t->r, t->c2, "print/q2", NULL,
	    NULL, &rv, &why), 0);
	review_free(t->held);
	t->held = rv;
}

/*
 * Events lost to a full inotify queue: a folder made then is watched
 * all the same, and a tag made in it later is seen.
 */
static void
test_watch_overflow(void **state)
{
	struct watched t;
	long max = 16384;
	char *p, *dir;
	FILE *f;

	(void)state;
	watched_start(&t, "watch-overflow");
	if ((f = fopen("/proc/sys/fs/inotify/max_queued_events", "r"))) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 16384;
		fclose(f);
	}
	for (long i = 0; i <= max + 16; i++) {
		p = xasprintf("%s/refs/tags/flood%ld.lock", t.gitdir, i % 2);
		assert_non_null(f = fopen(p, "w"));
		fclose(f);
		free(p);
	}
	dir = xasprintf("%s/refs/tags/print/2027", t.gitdir);
	assert_int_equal(mkdir(dir, 0777), 0);
	free(dir);
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, true);
	free(sh_ok("cd '%s' && git tag -a -m q print/2027/q1 %s", t.path,
	    t.c1));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	watched_end(&t);
}

/* A folder of print tags renamed: a folder made in it later is watched. */
static void
test_watch_renamed(void **state)
{
	struct watched t;

	(void)state;
	watched_start(&t, "watch-renamed");
	free(sh_ok("cd '%s' && git tag -a -m q print/a/q1 %s", t.path, t.c1));
	watched_load(&t);
	free(sh_ok("cd '%s/.git/refs/tags/print' && mv a b", t.path));
	watched_load(&t);
	free(sh_ok("cd '%s' && git tag -a -m q print/b/new/q1 %s", t.path,
	    t.c1));
	watched_load(&t);
	free(sh_ok("cd '%s' && git tag -a -m q print/b/new/q2 %s", t.path,
	    t.c1));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	watched_end(&t);
}

/* A folder of print tags that is a symlink: a tag made in it is seen. */
static void
test_watch_symlink(void **state)
{
	struct watched t;

	(void)state;
	watched_start(&t, "watch-symlink");
	free(sh_ok("mkdir '%s.ext' && ln -s '%s.ext' '%s/refs/tags/print/ext'",
	    t.path, t.path, t.gitdir));
	watched_load(&t);
	free(sh_ok("cd '%s' && git tag -a -m q print/ext/q1 %s", t.path,
	    t.c1));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	watched_end(&t);
}

/* The repository r in place of t's, watched where r reads its refs. */
static void
watched_reopen(struct watched *t, struct repo *r)
{
	memo_set_watch(t->m, NULL);
	watch_free(t->w);
	assert_int_equal(watch_new(&t->w, repo_commondir(r)), 0);
	memo_set_watch(t->m, t->w);
	repo_free(t->r);
	t->r = r;
}

/*
 * A repository given as a work tree whose .git is a file (a linked work
 * tree, a separate git dir): its print tags are in the common dir, which
 * the watch is on.
 */
static void
test_watch_commondir(void **state)
{
	struct watched t;
	struct repo *wt = NULL;
	char *dir, *why = NULL;

	(void)state;
	watched_start(&t, "watch-commondir");
	dir = xasprintf("%s.wt", t.path);
	free(sh_ok("cd '%s' && git worktree add -q '%s' %s", t.path, dir,
	    t.c2));
	if (repo_open(&wt, dir, &why) < 0)
		fail_msg("repo_open '%s': %s", dir, why);
	watched_reopen(&t, wt);
	watched_load(&t);
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, true);
	free(sh_ok("cd '%s' && git tag -a -m q print/q9 %s", dir, t.c1));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	free(sh_ok("cd '%s' && git pack-refs --all && git tag -d print/q9 "
	    ">/dev/null", dir));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	free(dir);
	watched_end(&t);
}

/*
 * The repository opened through a symlink: libgit2 reads the folder it
 * names then (a symlink changed later leaves both libgit2 and the watch
 * there), which is watched as well.
 */
static void
test_watch_symlinked_gitdir(void **state)
{
	struct watched t;
	struct repo *linked = NULL;
	char *link, *why = NULL;
	uint64_t n;

	(void)state;
	watched_start(&t, "watch-symlinked-gitdir");
	link = xasprintf("%s.link", t.path);
	free(sh_ok("ln -s '%s' '%s'", t.path, link));
	if (repo_open(&linked, link, &why) < 0)
		fail_msg("repo_open '%s': %s", link, why);
	assert_null(strstr(repo_commondir(linked), ".link"));
	watched_reopen(&t, linked);
	watched_load(&t);
	n = memo_tag_listings(t.m);
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, true);
	assert_int_equal(memo_tag_listings(t.m), n);
	free(sh_ok("cd '%s' && git tag -a -m q print/q9 %s", link, t.c1));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	free(link);
	watched_end(&t);
}

/* The git dir moved away and another put in its place: its tags seen. */
static void
test_watch_replaced(void **state)
{
	struct watched t;

	(void)state;
	watched_start(&t, "watch-replaced");
	free(sh_ok("cd '%s' && mv .git .git.old && cp -a .git.old .git",
	    t.path));
	watched_load(&t);
	free(sh_ok("cd '%s' && git tag -a -m q print/q9 %s", t.path, t.c1));
	assert_memo_gives(t.m, t.cf, t.r, t.c2, &t.held, false);
	watched_end(&t);
}

/*
 * A batch (group commit): three events on two commits, one of which has
 * a note already, written as one notes commit whose message lists them;
 * each note is its old text and its own lines, in order.  A batch with
 * an event that cannot be encoded is refused when it is added, and a
 * batch that finds the ledger locked writes none of its events.
 */
static void
test_ledger_batch(void **state)
{
	char c1[OID_HEX], c2[OID_HEX], head[OID_HEX], head1[OID_HEX];
	char *path, *out, *l1, *l2, *want;
	struct ledger_batch b = { 0 };
	struct ledger_event bad = ev_bob;
	struct repo *r = repo_with_commit("ledger-batch", &path, c1);

	write_file(path, "brochures/emea/q2.pdf", "q2\n");
	commit_all(path, "second", c2);
	assert_int_equal(ledger_append(r, c1, &ev_alice, 1000, NULL), 0);
	assert_int_equal(ledger_batch_add(&b, c1, &ev_bob), 0);
	assert_int_equal(ledger_batch_add(&b, c2, &ev_alice), 0);
	assert_int_equal(ledger_batch_add(&b, c1, &ev_alice), 0);
	bad.comment = "not UTF-8 \xff";
	assert_int_equal(ledger_batch_add(&b, c2, &bad), -EINVAL);
	assert_int_equal(b.n, 3);

	/* locked: nothing of it written */
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head1), 0);
	notes_lock(r, true);
	assert_int_equal(ledger_batch_write(r, &b, 0, NULL), -EBUSY);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_string_equal(head, head1);
	notes_lock(r, false);

	assert_int_equal(ledger_batch_write(r, &b, 1000, NULL), 0);
	l1 = ledger_encode(&ev_alice);
	l2 = ledger_encode(&ev_bob);
	want = xasprintf("%s\n%s\n%s", l1, l2, l1);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, want);
	free(out);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c2);
	assert_string_equal(out, l1);
	free(out);
	/* one notes commit for the three, on top of the first */
	out = sh_ok("cd '%s' && git rev-list --count refs/notes/printgate",
	    path);
	assert_string_equal(out, "2");
	free(out);
	free(want);
	want = xasprintf("3 events\n\nchanges-required print/2027-q1-brochure "
	    "(%.7s) by bob via cli:root\napprove print/2027-q1-brochure "
	    "(%.7s) by alice via slack:U04ALICE\napprove "
	    "print/2027-q1-brochure (%.7s) by alice via slack:U04ALICE\n", c1, c2,
	    c1);
	out = sh_ok("cd '%s' && git log -1 --format=%%B refs/notes/printgate",
	    path);
	assert_string_equal(out, want);
	free(out);
	free(want);
	free(l1);
	free(l2);
	ledger_batch_clear(&b);
	repo_free(r);
	free(path);
}

/* A lock held past the deadline: -ETIMEDOUT, nothing written. */
static void
test_ledger_lock(void **state)
{
	char c1[OID_HEX], head[OID_HEX], head1[OID_HEX];
	char *path, *out, *l1, *l2, *want;
	struct repo *r = repo_with_commit("ledger-lock", &path, c1);
	unsigned retries = 0;

	/* no note yet */
	notes_lock(r, true);
	assert_int_equal(ledger_append(r, c1, &ev_alice, 200, &retries),
	    -ETIMEDOUT);
	assert_true(retries > 0);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), -ENOENT);
	assert_int_not_equal(sh(NULL, "cd '%s' && git notes --ref=printgate "
	    "show %s 2>/dev/null", path, c1), 0);
	notes_lock(r, false);
	assert_int_equal(ledger_append(r, c1, &ev_alice, 200, &retries), 0);
	assert_int_equal(retries, 0);
	l1 = ledger_encode(&ev_alice);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, l1);
	free(out);

	/* with a note: it stays as it was */
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head1), 0);
	notes_lock(r, true);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 200, &retries),
	    -ETIMEDOUT);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_string_equal(head, head1);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, l1);
	free(out);
	notes_lock(r, false);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 200, NULL), 0);
	l2 = ledger_encode(&ev_bob);
	want = xasprintf("%s\n%s", l1, l2);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, want);
	free(out);
	free(want);
	free(l1);
	free(l2);
	repo_free(r);
	free(path);
}

/*
 * A note in a fanned-out notes tree ("ab/cdef..."): appended to where it
 * is, not beside it.  A line another writer appended behind printgated's
 * back (its version unknown here) is kept: the note is read then.  With
 * no wait asked for, a held lock is -EBUSY at once and nothing changes.
 */
static void
test_ledger_append_known(void **state)
{
	char c1[OID_HEX], head[OID_HEX], head1[OID_HEX];
	char *path, *out, *l1, *l2, *want;
	struct repo *r = repo_with_commit("ledger-known", &path, c1);
	unsigned retries = 0;

	assert_int_equal(ledger_append(r, c1, &ev_alice, 1000, NULL), 0);
	/* the same note moved under its fan-out folder, by hand */
	free(sh_ok("cd '%s' && b=$(git rev-parse refs/notes/printgate:%s) && "
	    "c=%s && s=$(printf '100644 blob %%s\\t%%s\\n' $b ${c#??} | "
	    "git mktree) && t=$(printf '040000 tree %%s\\t%%s\\n' $s "
	    "${c%%${c#??}} | git mktree) && n=$(git commit-tree -m fanout "
	    "-p refs/notes/printgate $t) && git update-ref "
	    "refs/notes/printgate $n", path, c1, c1));
	assert_int_equal(ledger_append(r, c1, &ev_bob, 1000, NULL), 0);
	l1 = ledger_encode(&ev_alice);
	l2 = ledger_encode(&ev_bob);
	want = xasprintf("%s\n%s", l1, l2);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, want);
	free(out);
	out = sh_ok("cd '%s' && git ls-tree -r --name-only "
	    "refs/notes/printgate", path);
	assert_int_equal(strlen(out), OID_HEX);	/* one path, its '/' */
	assert_int_equal(out[2], '/');
	free(out);
	free(want);

	/* another writer's line, then ours after it */
	free(sh_ok("cd '%s' && git notes --ref=printgate append -m other %s",
	    path, c1));
	assert_int_equal(ledger_append(r, c1, &ev_alice, 1000, NULL), 0);
	want = xasprintf("%s\n%s\n\nother\n%s", l1, l2, l1);
	out = sh_ok("cd '%s' && git notes --ref=printgate show %s", path, c1);
	assert_string_equal(out, want);
	free(out);
	free(want);

	/* no wait: -EBUSY at once, the ledger as it was */
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head1), 0);
	notes_lock(r, true);
	assert_int_equal(ledger_append(r, c1, &ev_bob, 0, &retries), -EBUSY);
	assert_int_equal(retries, 1);
	assert_int_equal(repo_notes_head(r, LEDGER_REF, head), 0);
	assert_string_equal(head, head1);
	notes_lock(r, false);
	free(l1);
	free(l2);
	repo_free(r);
	free(path);
}

/* ------------------------------------------------------------------ */
/* Tags and trailers                                                   */

#define TAG_MESSAGE \
	"Q1 brochure\n\nPrint-By: 2027-01-10\nOpportunity: 2500000\n"

/* Makes an annotated tag of rev with git, as Rita at a fixed time. */
static void
tag_annotated(const char *repo, const char *name, const char *rev,
    const char *message)
{
	char *file = xasprintf("%s/tag-message", tmp);

	write_file(tmp, "tag-message", message);
	free(sh_ok("cd '%s' && GIT_COMMITTER_NAME='Rita Ruiz' "
	    "GIT_COMMITTER_EMAIL=rita@example.com "
	    "GIT_COMMITTER_DATE='1798970400 +0000' "
	    "git -c advice.nestedTag=false tag -a --cleanup=verbatim %s "
	    "-F '%s' %s", repo, name, file, rev));
	free(file);
}

static void
test_tag_read(void **state)
{
	char c1[OID_HEX];
	char *path, *id;
	struct repo *r = repo_with_commit("tags", &path, c1);
	struct repo_tag *t = NULL;
	struct trailer *tr = NULL;
	size_t ntr = 0;
	static const struct {
		const char *what;
		const char *rev;	/* for git rev-parse */
		int error;
	} refused[] = {
		{ "a lightweight tag", "refs/tags/light", -EINVAL },
		{ "a commit", "HEAD", -EINVAL },
		{ "a tree", "HEAD^{tree}", -EINVAL },
		{ "a blob", "HEAD:brochures/emea/q1.pdf", -EINVAL },
		{ "a tag of a tree", "refs/tags/tree-tag", -EINVAL },
	};

	tag_annotated(path, "print/2027-q1-brochure", "HEAD", TAG_MESSAGE);
	id = sh_ok("cd '%s' && git rev-parse refs/tags/print/2027-q1-brochure",
	    path);
	assert_int_equal(repo_tag_read(r, id, &t), 0);
	assert_string_equal(t->id, id);
	assert_string_equal(t->commit, c1);
	assert_string_equal(t->name, "print/2027-q1-brochure");
	assert_string_equal(t->message, TAG_MESSAGE);
	assert_string_equal(t->tagger, "Rita Ruiz <rita@example.com>");
	assert_int_equal(t->time, 1798970400);
	assert_int_equal(repo_trailers(t->message, &tr, &ntr), 0);
	assert_int_equal(ntr, 2);
	assert_string_equal(tr[0].key, "Print-By");
	assert_string_equal(tr[0].value, "2027-01-10");
	assert_string_equal(tr[1].key, "Opportunity");
	assert_string_equal(tr[1].value, "2500000");
	repo_trailers_free(tr, ntr);
	repo_tag_free(t);
	free(id);

	/* a tag of a tag peels to the commit */
	tag_annotated(path, "outer", "print/2027-q1-brochure", "outer\n");
	id = sh_ok("cd '%s' && git rev-parse refs/tags/outer", path);
	t = NULL;
	assert_int_equal(repo_tag_read(r, id, &t), 0);
	assert_string_equal(t->commit, c1);
	assert_string_equal(t->name, "outer");
	repo_tag_free(t);
	free(id);

	free(sh_ok("cd '%s' && git tag light", path));
	tag_annotated(path, "tree-tag", "HEAD^{tree}", "a tree\n");
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		int error;

		id = sh_ok("cd '%s' && git rev-parse '%s'", path,
		    refused[i].rev);
		t = NULL;
		error = repo_tag_read(r, id, &t);
		if (error != refused[i].error)
			fail_msg("repo_tag_read of %s gave %d, expected %d",
			    refused[i].what, error, refused[i].error);
		assert_null(t);
		free(id);
	}
	t = NULL;
	assert_int_equal(repo_tag_read(r,
	    "0123456789abcdef0123456789abcdef01234567", &t), -ENOENT);
	assert_int_equal(repo_tag_read(r, "print/2027-q1-brochure", &t),
	    -EINVAL);
	assert_null(t);
	repo_tag_free(NULL);
	repo_free(r);
	free(path);
}

/* A tag signed by git (with an ssh key): the signature is not a trailer. */
static void
test_tag_signed(void **state)
{
	char c1[OID_HEX];
	char *path, *id, *file, *key;
	struct repo *r;
	struct repo_tag *t = NULL;
	struct trailer *tr = NULL;
	size_t ntr = 0;

	if (sh(NULL, "command -v ssh-keygen >/dev/null") != 0)
		skip();
	r = repo_with_commit("signed", &path, c1);
	key = xasprintf("%s/signing-key", tmp);
	file = xasprintf("%s/tag-message", tmp);
	free(sh_ok("ssh-keygen -q -t ed25519 -N '' -C test -f '%s'", key));
	write_file(tmp, "tag-message", TAG_MESSAGE);
	free(sh_ok("cd '%s' && git -c gpg.format=ssh -c user.signingkey='%s' "
	    "tag -s --cleanup=verbatim print/signed -F '%s'", path, key,
	    file));
	id = sh_ok("cd '%s' && git rev-parse refs/tags/print/signed", path);
	assert_int_equal(repo_tag_read(r, id, &t), 0);
	assert_non_null(strstr(t->message, "-----BEGIN SSH SIGNATURE-----"));
	assert_int_equal(repo_trailers(t->message, &tr, &ntr), 0);
	assert_int_equal(ntr, 2);
	assert_string_equal(tr[0].key, "Print-By");
	assert_string_equal(tr[0].value, "2027-01-10");
	assert_string_equal(tr[1].key, "Opportunity");
	assert_string_equal(tr[1].value, "2500000");
	repo_trailers_free(tr, ntr);
	repo_tag_free(t);
	free(id);
	free(file);
	free(key);
	repo_free(r);
	free(path);
}

#define PGP_BLOCK "-----BEGIN PGP SIGNATURE-----\n\n" \
	"iHUEABYKAB0WIQTpZ3Lw0eCqEXAMPLEONLYx0aB8TgUCZ0AAAAAKCRBEXAMPLE\n" \
	"=abcd\n-----END PGP SIGNATURE-----\n"
#define SSH_BLOCK "-----BEGIN SSH SIGNATURE-----\n" \
	"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgEXAMPLE\n" \
	"-----END SSH SIGNATURE-----\n"

struct trailer_case {
	const char *name;
	const char *message;
	const char *want[4];	/* "Key: value", in order */
	bool git_too;		/* also ask `git interpret-trailers` */
};

static const struct trailer_case trailer_cases[] = {
	{ "trailers: Print-By and Opportunity", TAG_MESSAGE,
	    { "Print-By: 2027-01-10", "Opportunity: 2500000" }, true },
	{ "trailers: without a final newline",
	    "Q1 brochure\n\nPrint-By: 2027-01-10\nOpportunity: 2500000",
	    { "Print-By: 2027-01-10", "Opportunity: 2500000" }, true },
	{ "trailers: after a body",
	    "Q1 brochure\n\nSpring campaign, EMEA only.\nTwo pages.\n\n"
	    "Print-By: 2027-01-10\nOpportunity: 2500000\n",
	    { "Print-By: 2027-01-10", "Opportunity: 2500000" }, true },
	{ "trailers: a PGP signature after the trailers",
	    TAG_MESSAGE PGP_BLOCK,
	    { "Print-By: 2027-01-10", "Opportunity: 2500000" }, false },
	{ "trailers: a PGP signature after a blank line",
	    TAG_MESSAGE "\n" PGP_BLOCK,
	    { "Print-By: 2027-01-10", "Opportunity: 2500000" }, false },
	{ "trailers: an SSH signature after the trailers",
	    TAG_MESSAGE SSH_BLOCK,
	    { "Print-By: 2027-01-10", "Opportunity: 2500000" }, false },
	{ "trailers: a signature and nothing else", PGP_BLOCK, { NULL },
	    false },
	{ "trailers: repeated ones are all kept, in order",
	    "Q1\n\nOpportunity: 100\nOpportunity: 2500000\n",
	    { "Opportunity: 100", "Opportunity: 2500000" }, true },
	{ "trailers: none in a message of words",
	    "Q1 brochure\n\nJust words here.\n", { NULL }, true },
	{ "trailers: none in a subject alone", "Q1 brochure\n", { NULL },
	    true },
	{ "trailers: none in the body, only at the end",
	    "Q1 brochure\n\nNote: see the appendix\n\nDone.\n", { NULL },
	    true },
	{ "trailers: none in an empty message", "", { NULL }, true },
	/* git tag --cleanup=verbatim, or a tool that writes tags itself */
	{ "trailers: CRLF line endings",
	    "Q1 brochure\r\n\r\nRegion: emea\r\nOpportunity: 2500000\r\n",
	    { "Region: emea", "Opportunity: 2500000" }, true },
};

static void
test_trailers(void **state)
{
	const struct trailer_case *c = *state;
	struct trailer *tr = NULL;
	char *got[8], *s_got, *s_want, *file, *git;
	size_t n = 99, want = 0;

	while (want < ARRAY_SIZE(c->want) && c->want[want])
		want++;
	assert_int_equal(repo_trailers(c->message, &tr, &n), 0);
	assert_true(n <= ARRAY_SIZE(got));
	for (size_t i = 0; i < n; i++)
		got[i] = xasprintf("%s: %s", tr[i].key, tr[i].value);
	s_got = join(got, n);
	s_want = join((char *const *)c->want, want);
	assert_string_equal(s_got, s_want);
	for (size_t i = 0; i < n; i++)
		free(got[i]);
	free(s_got);
	repo_trailers_free(tr, n);

	if (c->git_too) {
		/* git's own parser agrees, one "Key: value" a line */
		file = xasprintf("%s/trailers", tmp);
		write_file(tmp, "trailers", c->message);
		git = sh_ok("git interpret-trailers --parse < '%s' | "
		    "sed -e ':a' -e 'N' -e '$!ba' -e 's/\\n/, /g'", file);
		assert_string_equal(git, s_want);
		free(git);
		free(file);
	}
	free(s_want);
}

/*
 * repo_trailers works on a string: parsing a message needs no repository,
 * so it must work in a process that has not opened one yet.  This runs
 * the test binary again (see main) so that nothing was opened before.
 */
static int
trailers_alone(void)
{
	struct trailer *tr = NULL;
	size_t n = 0;
	int error;

	if ((error = repo_trailers(TAG_MESSAGE, &tr, &n)) < 0) {
		printf("repo_trailers: %d: %s\n", error, repo_strerror());
		return 1;
	}
	printf("%zu trailers\n", n);
	repo_trailers_free(tr, n);
	return n == 2 ? 0 : 1;
}

static void
test_trailers_alone(void **state)
{
	char self[4096], *out = NULL;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc;

	assert_true(len > 0);
	self[len] = '\0';
	rc = sh(&out, "'%s' --trailers-alone 2>&1", self);
	if (rc != 0)
		fail_msg("in a process without a repository: %s", out);
	free(out);
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */

static void
test_open(void **state)
{
	struct repo *r = NULL;
	char *missing = xasprintf("%s/no-such-repository", tmp);
	char *plain = xasprintf("%s/plain-folder", tmp);
	char *bare = xasprintf("%s/bare.git", tmp);
	char *work = repo_make("work");
	char *sub = xasprintf("%s/sub", work);
	char *why = NULL, *path_seen;
	int error;

	error = repo_open(&r, missing, &why);
	assert_int_equal(error, -ENOENT);
	assert_null(r);
	assert_non_null(why);
	if (strstr(why, missing) == NULL)
		fail_msg("why does not name the path: %s", why);
	free(why);
	why = NULL;

	assert_int_equal(mkdir(plain, 0755), 0);
	assert_true(repo_open(&r, plain, &why) < 0);
	assert_null(r);
	assert_non_null(why);
	if (strstr(why, plain) == NULL)
		fail_msg("why does not name the path: %s", why);
	free(why);
	why = NULL;

	/* exactly the repository named: no search upwards */
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_true(repo_open(&r, sub, &why) < 0);
	assert_null(r);
	free(why);
	why = NULL;

	free(sh_ok("git init -q --bare '%s'", bare));
	if (repo_open(&r, bare, &why) < 0)
		fail_msg("bare: %s", why);
	path_seen = xasprintf("%s/", bare);
	assert_string_equal(repo_path(r), path_seen);
	free(path_seen);
	repo_free(r);
	r = NULL;
	if (repo_open(&r, work, &why) < 0)
		fail_msg("work tree: %s", why);
	path_seen = xasprintf("%s/.git/", work);
	assert_string_equal(repo_path(r), path_seen);
	free(path_seen);
	repo_free(r);
	repo_free(NULL);
	free(missing);
	free(plain);
	free(bare);
	free(work);
	free(sub);
}

/* ------------------------------------------------------------------ */

/*
 * Everything in one temporary folder, which is also HOME, so that no
 * user or system git configuration changes what git or libgit2 do.
 */
static int
group_setup(void **state)
{
	if ((tmp = unit_git_home("printgate-test-repo")) == NULL)
		return -1;
	pathspec_repo_make();
	diff_repo_make();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Walks                                                               */

/*
 * repo_walk() against `git rev-list` on a history with two merged side
 * branches, commit times in order:
 *
 *   a - b - c - d - m1 - e - m2 - f        (main)
 *        \         /        /
 *         s1 ---- s2       /               (side, merged at m1)
 *          \              /
 *           t1 ----------                  (side2, merged at m2)
 *
 * Each row walks from a tip with some commits hidden and at most one
 * boundary (a commit the callback stops at), and must visit exactly what
 * `git rev-list TIP ^HIDE... ^BOUNDARY^@` lists, each commit once.
 */
enum { W_A, W_B, W_C, W_D, W_S1, W_S2, W_T1, W_M1, W_E, W_M2, W_F, W_N };
static char walk_commits[W_N][OID_HEX];
static char *walk_repo;

struct walk_case {
	const char *name;
	int tip;
	int hide[2];		/* -1: none */
	int boundary;		/* -1: none */
};

static const struct walk_case walk_cases[] = {
	{ "walk: the whole history", W_F, { -1, -1 }, -1 },
	{ "walk: since a commit on main", W_F, { W_D, -1 }, -1 },
	{ "walk: since a commit on a merged side branch", W_F, { W_S2, -1 },
	    -1 },
	{ "walk: since two commits", W_F, { W_C, W_T1 }, -1 },
	{ "walk: hiding the tip visits nothing", W_M1, { W_M1, -1 }, -1 },
	{ "walk: a merge as boundary", W_F, { -1, -1 }, W_M1 },
	{ "walk: a side commit as boundary", W_F, { -1, -1 }, W_S1 },
	{ "walk: a boundary and a hidden commit", W_M2, { W_B, -1 }, W_S2 },
};

static void
walk_repo_make(void)
{
	static const char *names[W_N] = { "a", "b", "c", "d", "s1", "s2",
	    "t1", "m1", "e", "m2", "f" };
	int seq = 0;

	if (walk_repo)
		return;
	walk_repo = repo_make("walk");
	/* commit NAME: a commit with increasing dates */
#define W_COMMIT(i) do {						\
		char *id_ = sh_ok("cd '%s' && echo %s >f-%s && git add -A && " \
		    "GIT_COMMITTER_DATE='2026-01-01T00:%02d:00Z' git commit -q " \
		    "-m %s && git rev-parse HEAD", walk_repo, names[i],	\
		    names[i], seq++, names[i]);				\
		memcpy(walk_commits[i], id_, OID_HEX);			\
		free(id_);						\
	} while (0)
#define W_MERGE(i, other) do {						\
		char *id_ = sh_ok("cd '%s' && GIT_COMMITTER_DATE="	\
		    "'2026-01-01T00:%02d:00Z' git merge -q --no-ff -m %s %s " \
		    ">/dev/null && git rev-parse HEAD", walk_repo, seq++, \
		    names[i], walk_commits[other]);			\
		memcpy(walk_commits[i], id_, OID_HEX);			\
		free(id_);						\
	} while (0)
	W_COMMIT(W_A);
	W_COMMIT(W_B);
	free(sh_ok("cd '%s' && git checkout -q -b side", walk_repo));
	W_COMMIT(W_S1);
	free(sh_ok("cd '%s' && git checkout -q -b side2", walk_repo));
	W_COMMIT(W_T1);
	free(sh_ok("cd '%s' && git checkout -q side", walk_repo));
	W_COMMIT(W_S2);
	free(sh_ok("cd '%s' && git checkout -q main", walk_repo));
	W_COMMIT(W_C);
	W_COMMIT(W_D);
	W_MERGE(W_M1, W_S2);
	W_COMMIT(W_E);
	W_MERGE(W_M2, W_T1);
	W_COMMIT(W_F);
#undef W_COMMIT
#undef W_MERGE
}

struct walk_seen {
	char **ids;
	size_t n;
	const char *boundary;
};

static int
walk_collect(void *ctx, const char *id, const char *email)
{
	struct walk_seen *w = ctx;

	assert_non_null(email);
	w->ids = xreallocarray(w->ids, w->n + 1, sizeof(char *));
	w->ids[w->n++] = xstrdup(id);
	return w->boundary && strcmp(id, w->boundary) == 0 ? 1 : 0;
}

static int
str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_walk(void **state)
{
	const struct walk_case *c = *state;
	struct walk_seen w = { NULL, 0, NULL };
	char hide[2][OID_HEX];
	struct buf cmd = { 0 }, got = { 0 };
	struct repo *r = NULL;
	char *why = NULL, *want;
	size_t nhide = 0;

	walk_repo_make();
	if (repo_open(&r, walk_repo, &why) < 0)
		fail_msg("repo_open: %s", why);
	buf_addf(&cmd, "cd '%s' && git rev-list %s", walk_repo,
	    walk_commits[c->tip]);
	for (size_t i = 0; i < 2; i++) {
		if (c->hide[i] < 0)
			continue;
		memcpy(hide[nhide++], walk_commits[c->hide[i]], OID_HEX);
		buf_addf(&cmd, " ^%s", walk_commits[c->hide[i]]);
	}
	if (c->boundary >= 0) {
		w.boundary = walk_commits[c->boundary];
		buf_addf(&cmd, " --not %s^@", walk_commits[c->boundary]);
	}
	buf_adds(&cmd, " | sort");
	want = sh_ok("%s", cmd.s);
	assert_int_equal(repo_walk(r, walk_commits[c->tip], hide, nhide,
	    walk_collect, &w), 0);
	if (w.n > 1)
		qsort(w.ids, w.n, sizeof(char *), str_cmp_ptr);
	for (size_t i = 0; i < w.n; i++)
		buf_addf(&got, "%s%s", i ? "\n" : "", w.ids[i]);
	assert_string_equal(got.s ? got.s : "", want);
	strv_free(w.ids, w.n);
	buf_free(&got);
	buf_free(&cmd);
	free(want);
	repo_free(r);
}

/* core.sharedRepository's values, as git 2.39 reads them, and the umask. */
static const struct shared_case {
	const char *name;
	const char *value;
	int error;
	unsigned perm;
	unsigned umask_022;	/* the umask it gives from 022 */
} shared_cases[] = {
	{ "shared: group", "group", 0, 0660, 002 },
	{ "shared: true means group", "true", 0, 0660, 002 },
	{ "shared: all", "all", 0, 0664, 002 },
	{ "shared: everybody", "everybody", 0, 0664, 002 },
	{ "shared: umask leaves the umask", "umask", 0, 0, 022 },
	{ "shared: false leaves the umask", "false", 0, 0, 022 },
	{ "shared: 0660, with x on folders", "0660", 0, 0660 | REPO_SHARED_EXACT, 007 },
	{ "shared: 0640 keeps the group from writing", "0640", 0, 0640 | REPO_SHARED_EXACT, 027 },
	{ "shared: 0440 leaves the owner without write", "0440", -EINVAL, 0, 0 },
	{ "shared: not a value", "nonsense", -EINVAL, 0, 0 },
	{ "shared: not octal", "0968", -EINVAL, 0, 0 },
};

static void
test_shared(void **state)
{
	const struct shared_case *c = *state;
	unsigned perm = 1;

	assert_int_equal(repo_shared_perm(c->value, &perm), c->error);
	if (c->error)
		return;
	assert_int_equal(perm, c->perm);
	assert_int_equal(repo_shared_umask(perm, 022), c->umask_022);
}

static int
group_teardown(void **state)
{
	if (tmp && strstr(tmp, "/printgate-test-repo.") != NULL)
		sh(NULL, "rm -rf '%s'", tmp);
	free(tmp);
	free(pathspec_repo);
	free(diff_repo);
	free(walk_repo);
	return 0;
}

int
main(int argc, char *argv[])
{
	int failed;

	if (argc == 2 && strcmp(argv[1], "--trailers-alone") == 0)
		return trailers_alone();
	for (size_t i = 0; i < ARRAY_SIZE(pathspec_cases); i++)
		add_test(pathspec_cases[i].name, test_pathspec,
		    &pathspec_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(diff_cases); i++)
		add_test(diff_cases[i].name, test_diff, &diff_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(trailer_cases); i++)
		add_test(trailer_cases[i].name, test_trailers,
		    &trailer_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(walk_cases); i++)
		add_test(walk_cases[i].name, test_walk, &walk_cases[i]);
	for (size_t i = 0; i < ARRAY_SIZE(shared_cases); i++)
		add_test(shared_cases[i].name, test_shared, &shared_cases[i]);
	add_test("trailers: parsed before any repository is opened",
	    test_trailers_alone, NULL);
	add_test("blobs: over the cap refused before they are read",
	    test_blob_cap, NULL);
	add_test("notes: appends are lines, as git shows them",
	    test_note_append, NULL);
	add_test("notes: appending to a note git wrote",
	    test_note_append_to_git_note, NULL);
	add_test("notes: two writers both land", test_note_two_writers, NULL);
	add_test("notes: fanned out as git writes them", test_note_fanout,
	    NULL);
	add_test("notes: a locked notes ref", test_note_locked, NULL);
	add_test("notes: packs git writes around a notes write are read",
	    test_note_write_new_packs, NULL);
	add_test("refs: compare-and-swap", test_ref_cas, NULL);
	add_test("ledger: append and read back through git",
	    test_ledger_round_trip, NULL);
	add_test("ledger: an event written once, whoever writes it again",
	    test_ledger_once, NULL);
	add_test("ledger: a note read as it grows, then rewritten",
	    test_ledger_growing, NULL);
	add_test("review: fresh until a note it read or a print tag changes",
	    test_review_fresh, NULL);
	add_test("review: refreshed from its own appended lines as a load "
	    "gives it, else stale", test_review_refresh, NULL);
	add_test("memo: every review a scan asks for in turn stays held",
	    test_memo_many, NULL);
	add_test("memo: refreshed reviews as loaded, earlier ones kept whole",
	    test_memo_refresh, NULL);
	add_test("memo: the print tags listed again only after a ref changed",
	    test_memo_watch, NULL);
	add_test("watch: only a local filesystem vouches for the tags",
	    test_watch_local, NULL);
	add_test("watch: a folder made while events were lost",
	    test_watch_overflow, NULL);
	add_test("watch: a folder made in a renamed one", test_watch_renamed,
	    NULL);
	add_test("watch: a symlinked folder of print tags", test_watch_symlink,
	    NULL);
	add_test("watch: the git dir replaced", test_watch_replaced, NULL);
	add_test("watch: a linked work tree's common dir",
	    test_watch_commondir, NULL);
	add_test("watch: the repository through a symlink",
	    test_watch_symlinked_gitdir, NULL);
	add_test("ledger: a held lock times out and writes nothing",
	    test_ledger_lock, NULL);
	add_test("ledger: a batch is one notes commit, or none of it",
	    test_ledger_batch, NULL);
	add_test("ledger: append to a note where it is, known or not",
	    test_ledger_append_known, NULL);
	add_test("ledger: the gate's appends, each one pack, none loose",
	    test_ledger_pack, NULL);
	add_test("tags: an annotated tag, and what is not one",
	    test_tag_read, NULL);
	add_test("tags: a signed tag's trailers", test_tag_signed, NULL);
	add_test("open: a missing path, a plain folder, bare, work tree",
	    test_open, NULL);
	failed = _cmocka_run_group_tests("repo", tests, ntests, group_setup,
	    group_teardown);
	free(tests);
	return failed ? 1 : 0;
}
