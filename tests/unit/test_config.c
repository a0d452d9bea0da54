/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_config.c - unit tests of config.c: loading, validation and its
 * errors, secret files, and the lookups.
 *
 * Most cases are data, after curl's tests: each fixtures/config/bad-*.conf
 * ends with "# expect: ..." lines, one for each line of errors that
 * config_load() must give, in order; adding a case is adding a file.  The
 * cases that need files made at run time (permissions, temporary folders)
 * or a table of small variations are written here.
 *
 * Fixtures are found through $PRINTGATE_FIXTURES, else next to this source
 * file, else in tests/unit/fixtures (run from the top of the repository).
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "chat/platform.h"
#include "core/config.h"
#include "core/util.h"

/* Person i's id on the platform named name. */
static const char *
handle(const struct config *cf, size_t i, const char *name)
{
	return config_person_handle(cf, i, (size_t)config_platform_find(cf,
	    name));
}

/* The secret file of the platform named name. */
static const char *
secret_file(const struct config *cf, const char *name)
{
	return config_secret_file(cf, (size_t)config_platform_find(cf, name));
}

/* Four lines that make a valid configuration; more settings start at 5. */
#define BASE \
	"repository = \"/srv/git/collateral.git\";\n" \
	"people = ( { id = \"alice\"; name = \"Alice Ng\"; " \
	"email = \"alice@example.com\"; } );\n" \
	"groups = { sales = [ \"alice\" ]; };\n" \
	"release_managers = \"sales\";\n"

static char *fixtures;	/* .../fixtures/config */
static char *conf_example;	/* .../conf/printgate.conf */
static char *tmp;	/* a fresh folder for files made at run time */
static struct config sentinel;	/* what *out holds before a failed load */

/* ---- helpers ------------------------------------------------------------ */

static char *
file_read(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_steal(&b);
}

/* Writes content to tmp/name with mode; returns the path (caller frees). */
static char *
file_write(const char *name, const char *content, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmp, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* The lines of s (each without its newline), as a new array of strings. */
static char **
lines_split(const char *s, size_t *n)
{
	char **v = NULL;
	const char *nl;

	*n = 0;
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrndup(s, (size_t)(nl - s));
		if (*nl == '\0')
			break;
	}
	return v;
}

/*
 * Asserts that errors has exactly n lines, line i containing expect[i].
 * Prints all of it when not, so that a failure says what was given.
 */
static void
errors_match(const char *errors, const char *const *expect, size_t n)
{
	size_t nlines;
	char **lines;
	bool as_expected;

	assert_non_null(errors);
	assert_true(errors[0] != '\0');
	assert_int_equal(errors[strlen(errors) - 1], '\n');
	lines = lines_split(errors, &nlines);
	as_expected = nlines == n;
	for (size_t i = 0; as_expected && i < n; i++)
		as_expected = strstr(lines[i], expect[i]) != NULL;
	if (!as_expected) {
		print_error("expected %zu error lines:\n", n);
		for (size_t i = 0; i < n; i++)
			print_error("  %s\n", expect[i]);
		print_error("got %zu:\n%s", nlines, errors);
	}
	strv_free(lines, nlines);
	assert_true(as_expected);
}

/* Loads path, which must fail with -EINVAL and exactly these errors. */
static void
load_fails(const char *path, unsigned flags, const char *const *expect,
    size_t n)
{
	struct config *cf = &sentinel;
	char *errors = NULL;

	assert_int_equal(config_load(&cf, path, flags, &platform_configs, &errors), -EINVAL);
	assert_ptr_equal(cf, &sentinel);
	errors_match(errors, expect, n);
	free(errors);
}

/* Loads path, which must succeed; prints the errors when it does not. */
static struct config *
load_ok(const char *path, unsigned flags)
{
	struct config *cf = NULL;
	char *errors = NULL;
	int error;

	error = config_load(&cf, path, flags, &platform_configs, &errors);
	if (error != 0)
		print_error("%s", errors ? errors : "(no errors)\n");
	assert_int_equal(error, 0);
	assert_non_null(cf);
	free(errors);
	return cf;
}

/* Writes BASE followed by text to tmp/name and loads it. */
static struct config *
load_text_ok(const char *name, const char *text, unsigned flags)
{
	char *content = xasprintf("%s%s", BASE, text);
	char *path = file_write(name, content, 0600);
	struct config *cf = load_ok(path, flags);

	free(path);
	free(content);
	return cf;
}

/* Writes BASE followed by text and expects a single error line. */
static void
load_text_fails(const char *text, const char *expect)
{
	char *content = xasprintf("%s%s", BASE, text);
	char *path = file_write("t.conf", content, 0600);

	load_fails(path, 0, &expect, 1);
	free(path);
	free(content);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
tmp_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	tmp = xasprintf("%s/printgate-test-XXXXXX",
	    base && *base ? base : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return -1;
	unsetenv("CREDENTIALS_DIRECTORY");
	return 0;
}

static int
tmp_teardown(void **state)
{
	(void)state;
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(tmp);
	tmp = NULL;
	unsetenv("CREDENTIALS_DIRECTORY");
	return 0;
}

/* ---- the fixtures: bad-*.conf ------------------------------------------ */

/* One bad-*.conf: its "# expect: " lines are the errors, in order. */
static void
test_bad_fixture(void **state)
{
	const char *path = *state;
	char *text = file_read(path);
	const char **expect = NULL;
	size_t n = 0, nlines;
	char **lines = lines_split(text, &nlines);

	for (size_t i = 0; i < nlines; i++) {
		if (!str_startswith(lines[i], "# expect: "))
			continue;
		expect = xreallocarray(expect, n + 1, sizeof(*expect));
		expect[n++] = lines[i] + strlen("# expect: ");
	}
	if (n == 0)
		fail_msg("%s has no '# expect: ' lines", path);
	load_fails(path, 0, expect, n);
	free(expect);
	strv_free(lines, nlines);
	free(text);
}

/* ---- whole files -------------------------------------------------------- */

/* The worked example (good.conf) loads, every value lands, and the lookups work. */
static void
test_design_example(void **state)
{
	char *path = xasprintf("%s/good.conf", fixtures);
	struct config *cf = load_ok(path, 0);
	char *dir, *cwd = getcwd(NULL, 0), *want;
	const struct config_rule *r;
	const struct config_notify *nt;
	ssize_t emea, brand, alice, bob;

	(void)state;
	dir = fixtures[0] == '/' ? xstrdup(fixtures) :
	    xasprintf("%s/%s", cwd, fixtures);
	assert_string_equal(cf->path, path);
	assert_string_equal(cf->repository, "/srv/git/collateral.git");
	assert_string_equal(cf->print_tags, "refs/tags/print/*");
	assert_string_equal(cf->print_prefix, "refs/tags/print/");
	assert_string_equal(cf->state_dir, "/var/lib/printgate");
	assert_string_equal(cf->browse_url,
	    "https://git.example.com/collateral/blob/{commit}/{path}");
	assert_int_equal(cf->npusher_env, 3);
	assert_string_equal(cf->pusher_env[0], "GL_USERNAME");
	assert_string_equal(cf->pusher_env[2], "USER");

	assert_int_equal(cf->npeople, 6);
	assert_string_equal(cf->people[0].id, "alice");
	assert_string_equal(cf->people[0].name, "Alice Ng");
	assert_string_equal(cf->people[0].email, "alice@example.com");
	assert_string_equal(handle(cf, 0, "slack"), "U04ALICE");
	assert_null(cf->people[0].login);
	assert_string_equal(cf->people[1].login, "bstone");
	assert_string_equal(handle(cf, 1, "mattermost"), "bobs");
	assert_string_equal(handle(cf, 2, "teams"), "29:1carol");

	assert_int_equal(cf->ngroups, 4);
	emea = config_group_find(cf, "sales-emea");
	brand = config_group_find(cf, "brand");
	assert_int_equal(emea, 0);
	assert_int_equal(brand, 1);
	assert_int_equal(config_group_find(cf, "sales-leads"), 3);
	assert_int_equal(config_group_find(cf, "Brand"), -1);
	assert_int_equal(cf->groups[emea].nmembers, 3);
	assert_int_equal(cf->groups[emea].members[2],
	    config_person_find(cf, "carol"));
	assert_int_equal(cf->nrelease_managers, 1);
	assert_int_equal(cf->release_managers[0],
	    config_group_find(cf, "release"));

	assert_int_equal(cf->nrules, 2);
	r = &cf->rules[0];
	assert_string_equal(r->name, "emea");
	assert_int_equal(r->npaths, 2);
	assert_string_equal(r->paths[0], "brochures/emea/**");
	assert_string_equal(r->paths[1], "datasheets/**");
	assert_int_equal(r->group, emea);
	assert_int_equal(r->required, 2);
	assert_false(r->has_when);
	r = &cf->rules[1];
	assert_string_equal(r->name, "big-deal");
	assert_int_equal(r->group, brand);
	assert_int_equal(r->required, 1);
	assert_true(r->has_when);
	assert_string_equal(r->when.text, "Opportunity >= 2000000");
	assert_string_equal(r->when.trailer, "Opportunity");
	assert_int_equal(r->when.op, CONFIG_OP_GE);
	assert_string_equal(r->when.value, "2000000");

	assert_false(cf->review.self_approval);
	assert_true(cf->review.approve_with_changes_counts);
	assert_int_equal(cf->review.remind_after, 24 * 3600);
	assert_int_equal(cf->review.escalate_after, 72 * 3600);
	assert_int_equal(cf->review.escalate_to,
	    config_group_find(cf, "sales-leads"));
	assert_true(cf->review.auto_release);
	assert_false(cf->review.quarantine);

	assert_int_equal(cf->nnotify, 4);
	nt = &cf->notify[0];
	assert_string_equal(nt->name, "sales");
	assert_string_equal(nt->type->name, "slack");
	assert_null(nt->url);
	want = xasprintf("%s/slack-sales.url", dir);
	assert_string_equal(nt->url_file, want);
	free(want);
	assert_null(nt->secret_file);
	assert_int_equal(nt->nevents, 0);
	assert_string_equal(cf->notify[1].type->name, "mattermost");
	assert_string_equal(cf->notify[2].type->name, "teams");
	nt = &cf->notify[3];
	assert_string_equal(nt->type->name, "webhook");
	assert_string_equal(nt->url, "https://audit.example.com/in");
	assert_null(nt->url_file);
	want = xasprintf("%s/audit.secret", dir);
	assert_string_equal(nt->secret_file, want);
	free(want);
	assert_int_equal(nt->nevents, 3);
	assert_string_equal(nt->events[0], "request");
	assert_string_equal(nt->events[2], "violation");

	assert_true(cf->http.enabled);
	assert_string_equal(cf->http.listen, "127.0.0.1:8787");
	assert_string_equal(cf->http.public_url,
	    "https://printgate.example.com");
	assert_string_equal(cf->http.base_path, "");
	want = xasprintf("%s/mm.token", dir);
	assert_string_equal(secret_file(cf, "mattermost"), want);
	free(want);
	assert_string_equal(secret_file(cf, "webhook"),
	    "/etc/printgate/api.secret");

	/* lookups */
	alice = config_person_find(cf, "alice");
	bob = config_person_find(cf, "bob");
	assert_int_equal(alice, 0);
	assert_int_equal(bob, 1);
	assert_int_equal(config_person_find(cf, "zed"), -1);
	assert_int_equal(config_person_by_login(cf, "bstone"), bob);
	/* bob pushes as bstone: "bob" is not a login of his */
	assert_int_equal(config_person_by_login(cf, "bob"), -1);
	assert_int_equal(config_person_by_login(cf, "rita"), 5);
	assert_int_equal(config_person_by_login(cf, "nobody"), -1);
	assert_int_equal(config_person_by_email(cf, "bob@example.com"), bob);
	assert_int_equal(config_person_by_email(cf, "ALICE@Example.COM"),
	    alice);
	assert_int_equal(config_person_by_email(cf, "alice@example.org"), -1);
	assert_true(config_group_has(cf, (size_t)emea, (size_t)alice));
	assert_false(config_group_has(cf, (size_t)brand, (size_t)alice));
	assert_false(config_group_has(cf, 99, (size_t)alice));
	assert_true(config_is_release_manager(cf,
	    (size_t)config_person_find(cf, "rita")));
	assert_false(config_is_release_manager(cf, (size_t)alice));

	config_free(cf);
	free(dir);
	free(cwd);
	free(path);
}

/* conf/printgate.conf, the documented example, loads as documented. */
static void
test_conf_example(void **state)
{
	struct config *cf = load_ok(conf_example, 0);
	ssize_t rita = config_person_find(cf, "rita");

	(void)state;
	assert_string_equal(cf->repository, "/srv/git/collateral.git");
	assert_string_equal(cf->print_prefix, "refs/tags/print/");
	assert_string_equal(cf->state_dir, "/var/lib/printgate");
	assert_non_null(cf->browse_url);
	assert_int_equal(cf->npusher_env, 3);
	assert_int_equal(cf->nallow_refs, 2);
	assert_string_equal(cf->allow_refs[0], "refs/heads/*");
	assert_int_equal(cf->npeople, 6);
	assert_int_equal(config_person_find(cf, "alice"), 0);
	assert_int_equal(config_person_find(cf, "bob"), 1);
	assert_int_equal(config_person_find(cf, "carol"), 2);
	assert_int_equal(config_person_find(cf, "dave"), 3);
	assert_int_equal(config_person_find(cf, "erin"), 4);
	assert_int_equal(rita, 5);
	assert_int_equal(config_person_by_login(cf, "rruiz"), rita);
	assert_int_equal(cf->ngroups, 4);
	assert_int_equal(config_group_find(cf, "sales-emea"), 0);
	assert_int_equal(config_group_find(cf, "brand"), 1);
	assert_int_equal(config_group_find(cf, "release"), 2);
	assert_int_equal(config_group_find(cf, "sales-leads"), 3);
	assert_true(config_is_release_manager(cf, (size_t)rita));
	assert_int_equal(cf->nrules, 2);
	assert_string_equal(cf->rules[0].name, "emea");
	assert_int_equal(cf->rules[0].required, 2);
	assert_string_equal(cf->rules[1].name, "big-deal");
	assert_string_equal(cf->rules[1].when.trailer, "Opportunity");
	assert_int_equal(cf->rules[1].when.op, CONFIG_OP_GE);
	assert_int_equal(cf->review.escalate_to, 3);
	assert_int_equal(cf->review.remind_after, 86400);
	assert_int_equal(cf->review.escalate_after, 3 * 86400);
	assert_int_equal(cf->nnotify, 5);
	assert_string_equal(cf->notify[0].name, "sales");
	assert_string_equal(cf->notify[1].name, "mm");
	assert_string_equal(cf->notify[2].name, "teams");
	assert_string_equal(cf->notify[3].name, "audit");
	assert_string_equal(cf->notify[3].type->name, "webhook");
	assert_non_null(cf->notify[3].secret_file);
	assert_string_equal(cf->notify[4].name, "mail");
	assert_string_equal(cf->notify[4].type->name, "email");
	assert_string_equal(cf->notify[4].smtp_url,
	    "smtp://mail.example.com:587");
	assert_false(cf->notify[4].smtp_plain_ok);
	assert_string_equal(cf->notify[4].from, "printgate@example.com");
	assert_non_null(cf->notify[4].password_file);
	assert_true(cf->http.enabled);
	assert_string_equal(cf->http.listen, "127.0.0.1:8787");
	assert_non_null(secret_file(cf, "slack"));
	assert_non_null(secret_file(cf, "mattermost"));
	assert_non_null(secret_file(cf, "teams"));
	assert_non_null(secret_file(cf, "webhook"));
	config_free(cf);
}

/* The least a configuration needs; everything else takes its default. */
static void
test_defaults(void **state)
{
	struct config *cf = load_text_ok("min.conf", "", 0);

	(void)state;
	assert_string_equal(cf->print_tags, "refs/tags/print/*");
	assert_string_equal(cf->print_prefix, "refs/tags/print/");
	assert_string_equal(cf->state_dir, "/var/lib/printgate");
	assert_null(cf->browse_url);
	assert_int_equal(cf->npusher_env, 3);
	assert_string_equal(cf->pusher_env[0], "GL_USERNAME");
	assert_string_equal(cf->pusher_env[1], "REMOTE_USER");
	assert_string_equal(cf->pusher_env[2], "USER");
	assert_int_equal(cf->nrules, 0);
	assert_int_equal(cf->nnotify, 0);
	assert_false(cf->review.self_approval);
	assert_true(cf->review.approve_with_changes_counts);
	assert_true(cf->review.auto_release);
	assert_false(cf->review.quarantine);
	assert_int_equal(cf->review.remind_after, 86400);
	assert_int_equal(cf->review.escalate_after, 3 * 86400);
	assert_int_equal(cf->review.escalate_to, SIZE_MAX);
	assert_false(cf->http.enabled);
	assert_null(cf->http.listen);
	assert_null(secret_file(cf, "webhook"));
	config_free(cf);

	/* a rule's required defaults to 1; an empty review keeps defaults */
	cf = load_text_ok("min.conf", "rules = ( { name = \"r\"; "
	    "paths = [ \"**\" ]; group = \"sales\"; } );\nreview = { };\n",
	    0);
	assert_int_equal(cf->rules[0].required, 1);
	assert_false(cf->rules[0].has_when);
	assert_false(cf->rules[0].allow_symlinks);
	assert_int_equal(cf->review.remind_after, 86400);
	config_free(cf);
}

/* previews_max and lfs_dir: defaults, sizes, refusals. */
static void
test_previews(void **state)
{
	static const char *const bad[] = { "1GB", "0MiB", "512KiB", "2TiB",
		"GiB", "-1GiB", "1 GiB", "99999999999999999999GiB" };
	struct config *cf = load_text_ok("min.conf", "", 0);
	char text[128];

	(void)state;
	assert_true(cf->previews_max == 1ULL << 30);
	assert_null(cf->lfs_dir);
	config_free(cf);
	cf = load_text_ok("min.conf", "previews_max = \"512MiB\";\n"
	    "lfs_dir = \"/srv/lfs\";\n", 0);
	assert_true(cf->previews_max == 512ULL << 20);
	assert_string_equal(cf->lfs_dir, "/srv/lfs");
	config_free(cf);
	cf = load_text_ok("min.conf", "previews_max = \"2097152\";\n", 0);
	assert_true(cf->previews_max == 2ULL << 20);
	config_free(cf);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "previews_max = \"%s\";\n",
		    bad[i]);
		load_text_fails(text, "setting 'previews_max': ");
	}
}

/* public_url's path, as the pages and the listener take it. */
static void
test_base_path(void **state)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "https://h", "" },
		{ "https://h/", "" },
		{ "https://h:8443/printgate", "/printgate" },
		{ "http://h/printgate///", "/printgate" },
		{ "https://h/tools/print-gate_2~x/", "/tools/print-gate_2~x" },
	};
	struct config *cf = load_text_ok("min.conf", "", 0);
	char text[128];

	(void)state;
	assert_null(cf->http.base_path);
	config_free(cf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "http = { listen = "
		    "\"[::1]:8787\"; public_url = \"%s\"; };\n", cases[i].url);
		cf = load_text_ok("min.conf", text, 0);
		assert_string_equal(cf->http.base_path, cases[i].want);
		config_free(cf);
	}
}

/* allow_refs and a rule's allow_symlinks: defaults, values, refusals. */
static void
test_allow(void **state)
{
	struct config *cf = load_text_ok("min.conf", "", 0);

	(void)state;
	assert_int_equal(cf->nallow_refs, 2);
	assert_string_equal(cf->allow_refs[0], "refs/heads/*");
	assert_string_equal(cf->allow_refs[1], "refs/tags/*");
	assert_true(config_ref_allowed(cf, "refs/heads/main"));
	assert_true(config_ref_allowed(cf, "refs/heads/feature/x"));
	assert_true(config_ref_allowed(cf, "refs/tags/v1.0"));
	assert_false(config_ref_allowed(cf, "refs/replace/"
	    "0123456789012345678901234567890123456789"));
	assert_false(config_ref_allowed(cf, "refs/notes/commits"));
	assert_false(config_ref_allowed(cf, "refs/pull/1/head"));
	config_free(cf);

	cf = load_text_ok("min.conf", "allow_refs = [ \"refs/heads/*\", "
	    "\"refs/tags/*\", \"refs/merge-requests/*\" ];\n"
	    "rules = ( { name = \"r\"; paths = [ \"**\" ]; "
	    "group = \"sales\"; allow_symlinks = true; } );\n", 0);
	assert_int_equal(cf->nallow_refs, 3);
	assert_true(config_ref_allowed(cf, "refs/merge-requests/7/head"));
	assert_false(config_ref_allowed(cf, "refs/notes/commits"));
	assert_true(cf->rules[0].allow_symlinks);
	config_free(cf);

	load_text_fails("allow_refs = [ ];\n", "t.conf:5: setting "
	    "'allow_refs': must list at least one glob");
	load_text_fails("allow_refs = [ \"heads/*\" ];\n", "t.conf:5: "
	    "setting 'allow_refs.[0]': 'heads/*' must start with 'refs/'");
	load_text_fails("allow_refs = [ \"refs/*\" ];\n", "'refs/*' lets "
	    "replace refs (refs/replace/...) through");
	load_text_fails("allow_refs = [ \"refs/replace/*\" ];\n",
	    "'refs/replace/*' lets replace refs");
	load_text_fails("allow_refs = \"refs/heads/*\";\n", "setting "
	    "'allow_refs': expected an array of strings");
	load_text_fails("rules = ( { name = \"r\"; paths = [ \"**\" ]; "
	    "group = \"sales\"; allow_symlinks = \"yes\"; } );\n",
	    "setting 'rules.[0].allow_symlinks': expected true or false");
	load_text_fails("rules = ( { name = \"r\"; paths = [ \"**\" ]; "
	    "group = \"sales\"; allow_symlink = true; } );\n",
	    "setting 'rules.[0].allow_symlink': unknown setting");
}

/* Relative repository and state_dir are taken from the file's folder. */
static void
test_relative_paths(void **state)
{
	struct config *cf;
	char *want;
	const char *text =
	    "people = ( { id = \"alice\"; name = \"A\"; "
	    "email = \"a@example.com\"; } );\n"
	    "groups = { sales = [ \"alice\" ]; };\n"
	    "release_managers = \"sales\";\n"
	    "repository = \"repos/collateral.git\";\n"
	    "state_dir = \"state\";\n";
	char *path = file_write("rel.conf", text, 0600);

	(void)state;
	cf = load_ok(path, 0);
	want = xasprintf("%s/repos/collateral.git", tmp);
	assert_string_equal(cf->repository, want);
	free(want);
	want = xasprintf("%s/state", tmp);
	assert_string_equal(cf->state_dir, want);
	free(want);
	config_free(cf);
	free(path);
}

/* ---- values ------------------------------------------------------------- */

/* Each operator of "Trailer op value", with and without white space. */
static void
test_when_ops(void **state)
{
	static const struct {
		const char *text;
		const char *trailer;
		enum config_op op;
		const char *value;
	} cases[] = {
		{ "Region=EMEA", "Region", CONFIG_OP_EQ, "EMEA" },
		{ "Region != North America ", "Region", CONFIG_OP_NE,
		    "North America" },
		{ "Pages<10", "Pages", CONFIG_OP_LT, "10" },
		{ "Pages <= 10", "Pages", CONFIG_OP_LE, "10" },
		{ "  Print-Run\t>\t-1.5", "Print-Run", CONFIG_OP_GT, "-1.5" },
		{ "Opportunity > 2,500,000", "Opportunity", CONFIG_OP_GT,
		    "2,500,000" },
		{ "Opportunity <= 2_500_000.00 ", "Opportunity", CONFIG_OP_LE,
		    "2_500_000.00" },
		{ "Print-By = 2027-01-10", "Print-By", CONFIG_OP_EQ,
		    "2027-01-10" },
		{ "Opportunity >= 2000000", "Opportunity", CONFIG_OP_GE,
		    "2000000" },
		{ "X-2 =a=b", "X-2", CONFIG_OP_EQ, "a=b" },
	};
	struct buf b = { 0 };
	struct config *cf;

	(void)state;
	buf_adds(&b, "rules = (\n");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		buf_addf(&b, "%s{ name = \"r%zu\"; paths = [ \"**\" ]; "
		    "group = \"sales\"; when = \"%s\"; }\n", i ? "," : "", i,
		    cases[i].text);
	buf_adds(&b, ");\n");
	cf = load_text_ok("when.conf", b.s, 0);
	assert_int_equal(cf->nrules, ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct config_when *w = &cf->rules[i].when;

		assert_true(cf->rules[i].has_when);
		assert_string_equal(w->text, cases[i].text);
		assert_string_equal(w->trailer, cases[i].trailer);
		assert_int_equal(w->op, cases[i].op);
		assert_string_equal(w->value, cases[i].value);
	}
	config_free(cf);
	buf_free(&b);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t secs;
	} good[] = {
		{ "\"30s\"", 30 }, { "\"90m\"", 5400 }, { "\"24h\"", 86400 },
		{ "\"3d\"", 3 * 86400 }, { "\"1h30m\"", 5400 },
		{ "\"1d2h3m4s\"", 93784 }, { "3600", 3600 },
		{ "7200L", 7200 }, { "\"3650d\"", 3650LL * 86400 },
	};
	static const struct {
		const char *text;
		const char *expect;
	} bad[] = {
		{ "\"\"", "t.conf:5: setting 'review.remind_after': must not "
		    "be empty" },
		{ "\"5\"", "'5' is not a duration: a number needs a unit "
		    "(s, m, h, d)" },
		{ "\"5x\"", "'5x' is not a duration: unknown unit" },
		{ "\"1.5h\"", "'1.5h' is not a duration: unknown unit" },
		{ "\"1 h\"", "'1 h' is not a duration: unknown unit" },
		{ "\"h\"", "'h' is not a duration: expected a number" },
		{ "\"-5m\"", "'-5m' is not a duration: expected a number" },
		{ "\"0s\"", "'0s' is not a duration: must be more than zero" },
		{ "\"3651d\"", "'3651d' is not a duration: too long" },
		{ "\"99999999999999999999s\"", "is not a duration: too long" },
		{ "0", "setting 'review.remind_after': 0: must be more than "
		    "zero" },
		{ "-60", "-60: must be more than zero" },
		{ "1.5", "expected a duration (\"24h\", \"1h30m\") or a number "
		    "of seconds, not a floating-point number" },
		{ "true", "not a boolean" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char *text = xasprintf("review = { remind_after = %s; "
		    "escalate_after = \"3650d\"; };\n", good[i].text);
		struct config *cf = load_text_ok("d.conf", text, 0);

		assert_int_equal(cf->review.remind_after, good[i].secs);
		config_free(cf);
		free(text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *text = xasprintf("review = { remind_after = %s; };\n",
		    bad[i].text);

		load_text_fails(text, bad[i].expect);
		free(text);
	}
}

static void
test_print_tags(void **state)
{
	static const struct {
		const char *tags;
		const char *prefix;	/* NULL: refused */
		const char *expect;
	} cases[] = {
		{ "refs/tags/print/*", "refs/tags/print/", NULL },
		{ "refs/tags/collateral/print/*",
		    "refs/tags/collateral/print/", NULL },
		{ "refs/tags/p-2.x/*", "refs/tags/p-2.x/", NULL },
		{ "refs/tags/*", NULL, "needs a prefix ending in '/'" },
		{ "refs/tags/print*", NULL, "needs a prefix ending in '/'" },
		{ "refs/tags/print/", NULL, "must end in '/*'" },
		{ "refs/heads/print/*", NULL, "must start with 'refs/tags/'" },
		{ "print/*", NULL, "must start with 'refs/tags/'" },
		{ "refs/tags/print/**", NULL, "only one '*'" },
		{ "refs/tags/pr*nt/*", NULL, "only one '*'" },
		{ "refs/tags/pr?nt/*", NULL, "only one '*'" },
		{ "refs/tags/[p]rint/*", NULL, "only one '*'" },
		{ "refs/tags/pr int/*", NULL,
		    "has a character that git does not allow" },
		{ "refs/tags/a..b/*", NULL, "has '..'" },
		{ "refs/tags//print/*", NULL, "has an empty or hidden" },
		{ "refs/tags/.print/*", NULL, "has an empty or hidden" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = xasprintf("print_tags = \"%s\";\n",
		    cases[i].tags);

		if (cases[i].prefix != NULL) {
			struct config *cf = load_text_ok("p.conf", text, 0);

			assert_string_equal(cf->print_tags, cases[i].tags);
			assert_string_equal(cf->print_prefix,
			    cases[i].prefix);
			config_free(cf);
		} else {
			char *expect = xasprintf("t.conf:5: setting "
			    "'print_tags': '%s': %s", cases[i].tags,
			    cases[i].expect);

			load_text_fails(text, expect);
			free(expect);
		}
		free(text);
	}
}

/* Small cases of one error each, that do not merit a file. */
static void
test_one_liners(void **state)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{ "http = { listen = \"8787\"; };", "'8787': expected "
		    "host:port" },
		{ "http = { listen = \":8787\"; };", "no host before the "
		    "port" },
		{ "http = { listen = \"::1:8787\"; };", "write an IPv6 "
		    "address in brackets" },
		{ "http = { listen = \"[::1:8787\"; };", "expected "
		    "[address]:port" },
		{ "http = { listen = \"localhost:http\"; };", "the port must "
		    "be a number from 0 to 65535" },
		{ "http = { listen = \"localhost:\"; };", "the port must be "
		    "a number from 0 to 65535" },
		{ "http = { listen = \"localhost:99999999999999\"; };",
		    "the port must be a number from 0 to 65535" },
		{ "http = { listen = \"[::1]:8787\"; public_url = "
		    "\"https://\"; };", "'https://' is not an http:// or "
		    "https:// URL" },
		{ "http = { listen = \"[::1]:8787\"; public_url = "
		    "\"https://h/print?gate\"; };",
		    "'https://h/print?gate': its path may hold only letters" },
		{ "http = { listen = \"[::1]:8787\"; public_url = "
		    "\"https://h/print%20gate\"; };",
		    "its path may hold only letters" },
		{ "http = { listen = \"[::1]:8787\"; public_url = "
		    "\"https://h//printgate\"; };",
		    "without a query or '//'" },
		{ "browse_url = \"git.example.com/{commit}\";", "must be an "
		    "http:// or https:// URL" },
		{ "browse_url = \"https://x/{commit/{path}\";", "unknown "
		    "placeholder" },
		{ "pusher_env = [ ];", "t.conf:5: setting 'pusher_env': must "
		    "list at least one variable" },
		{ "pusher_env = [ \"USER\", \"\" ];", "t.conf:5: setting "
		    "'pusher_env.[1]': must not be empty" },
		{ "state_dir = \"\";", "setting 'state_dir': must not be "
		    "empty" },
		{ "rules = 3;", "t.conf:5: setting 'rules': expected a list "
		    "of groups ( { ... }, ... ), not an integer" },
		{ "rules = ( { name = \"a\"; paths = [ \"**\" ]; "
		    "group = \"sales\"; required = 2; } );", "t.conf:5: "
		    "setting 'rules.[0].required': 2: must be at most 1, the "
		    "number of people in group 'sales'" },
		{ "rules = ( { name = \"a\"; paths = [ \"**\" ]; "
		    "group = \"sales\"; required = 4294967296L; } );",
		    "4294967296: must be at most 1" },
		{ "rules = ( { name = \"a\"; paths = [ \"**\" ]; "
		    "group = \"sales\"; required = -1; } );", "-1: must be at "
		    "least 1" },
		{ "review = { escalate_after = \"1h\"; };", "t.conf:5: "
		    "setting 'review.escalate_after': escalate_after (1h) "
		    "must not be shorter than remind_after (1d, the "
		    "default)" },
		{ "review = { remind_after = \"90m\"; escalate_after = 3600; "
		    "};", "escalate_after (1h) must not be shorter than "
		    "remind_after (1h30m)" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = xasprintf("%s\n", cases[i].text);

		load_text_fails(text, cases[i].expect);
		free(text);
	}
}

/* The caps: past them, a configuration is refused. */
static void
test_caps(void **state)
{
	struct buf b = { 0 };
	char *expect;

	(void)state;
	buf_adds(&b, "rules = ( { name = \"r\"; group = \"sales\";\n"
	    "paths = [");
	for (int i = 0; i <= CONFIG_MAX_PATHS; i++)
		buf_addf(&b, "%s\"p%d/**\"", i ? ", " : " ", i);
	buf_adds(&b, " ]; } );\n");
	expect = xasprintf("t.conf:6: setting 'rules.[0].paths': too many "
	    "paths: %d, at most %d", CONFIG_MAX_PATHS + 1, CONFIG_MAX_PATHS);
	load_text_fails(b.s, expect);
	free(expect);
	buf_free(&b);

	buf_adds(&b, "notify = (\n");
	for (int i = 0; i <= CONFIG_MAX_NOTIFY; i++)
		buf_addf(&b, "%s{ name = \"n%d\"; type = \"slack\"; "
		    "url_file = \"n.url\"; }\n", i ? ", " : "", i);
	buf_adds(&b, ");\n");
	expect = xasprintf("t.conf:5: setting 'notify': too many notify "
	    "targets: %d, at most %d", CONFIG_MAX_NOTIFY + 1,
	    CONFIG_MAX_NOTIFY);
	load_text_fails(b.s, expect);
	free(expect);
	buf_free(&b);
}

/* ---- secrets ------------------------------------------------------------ */

#define SECRETS_TEXT \
	"notify = (\n" \
	"  { name = \"audit\"; type = \"webhook\";\n" \
	"    url = \"https://a.example/\";\n" \
	"    secret_file = \"open.secret\"; },\n" \
	"  { name = \"sales\"; type = \"slack\"; url_file = \"adir\"; }\n" \
	");\n" \
	"http = {\n" \
	"  listen = \"127.0.0.1:8787\";\n" \
	"  api_secret_file = \"ok.secret\";\n" \
	"  teams_secret_file = \"missing.secret\";\n" \
	"};\n"

/*
 * With CONFIG_CHECK_SECRETS a secret file must exist, be a regular file
 * and not be readable by others; without the flag they are only resolved.
 */
static void
test_secret_files(void **state)
{
	char *ok = file_write("ok.secret", "s3cret\n", 0600);
	char *others = file_write("open.secret", "s3cret\n", 0644);
	char *adir = xasprintf("%s/adir", tmp);
	char *conf, *content = xasprintf("%s%s", BASE, SECRETS_TEXT);
	char *expect[3];
	struct config *cf;

	(void)state;
	assert_int_equal(mkdir(adir, 0700), 0);
	conf = file_write("s.conf", content, 0600);
	expect[0] = xasprintf("s.conf:8: setting 'notify.[0].secret_file': "
	    "secret file '%s' is readable by others (mode 0644): chmod 600 "
	    "'%s'", others, others);
	expect[1] = xasprintf("s.conf:9: setting 'notify.[1].url_file': "
	    "secret file '%s' is not a regular file", adir);
	expect[2] = xasprintf("s.conf:14: setting 'http.teams_secret_file': "
	    "secret file '%s/missing.secret': No such file or directory",
	    tmp);
	load_fails(conf, CONFIG_CHECK_SECRETS, (const char *const *)expect,
	    3);

	/* without the flag, the same file loads; the paths are resolved */
	cf = load_ok(conf, 0);
	assert_string_equal(cf->notify[0].secret_file, others);
	assert_string_equal(cf->notify[1].url_file, adir);
	assert_string_equal(secret_file(cf, "webhook"), ok);
	config_free(cf);

	/* made private, each is accepted */
	assert_int_equal(chmod(others, 0640), 0);
	assert_int_equal(rmdir(adir), 0);
	free(file_write("adir", "https://hooks.example/x\n", 0600));
	free(file_write("missing.secret", "t\n", 0400));
	cf = load_ok(conf, CONFIG_CHECK_SECRETS);
	config_free(cf);

	for (size_t i = 0; i < ARRAY_SIZE(expect); i++)
		free(expect[i]);
	free(conf);
	free(content);
	free(adir);
	free(others);
	free(ok);
}

/* Relative *_file paths: $CREDENTIALS_DIRECTORY, else the file's folder. */
static void
test_credentials_directory(void **state)
{
	char *creds = xasprintf("%s/creds", tmp);
	char *conf, *want;
	struct config *cf;
	const char *text = BASE
	    "notify = ( { name = \"audit\"; type = \"webhook\";\n"
	    "  url_file = \"audit.url\"; secret_file = \"/etc/audit.secret\"; "
	    "} );\n";

	(void)state;
	assert_int_equal(mkdir(creds, 0700), 0);
	conf = file_write("c.conf", text, 0600);

	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", creds, 1), 0);
	cf = load_ok(conf, 0);
	want = xasprintf("%s/audit.url", creds);
	assert_string_equal(cf->notify[0].url_file, want);
	assert_string_equal(cf->notify[0].secret_file, "/etc/audit.secret");
	config_free(cf);
	free(want);

	/* checked where they were resolved to */
	text = BASE "http = { listen = \"127.0.0.1:1\"; "
	    "api_secret_file = \"api\"; };\n";
	free(conf);
	conf = file_write("c.conf", text, 0600);
	want = xasprintf("%s/api", creds);
	{
		char *expect = xasprintf("c.conf:5: setting "
		    "'http.api_secret_file': secret file '%s': No such file "
		    "or directory", want);
		const char *e = expect;

		load_fails(conf, CONFIG_CHECK_SECRETS, &e, 1);
		free(expect);
	}
	{
		FILE *fp = fopen(want, "w");

		assert_non_null(fp);
		fputs("k\n", fp);
		fclose(fp);
		assert_int_equal(chmod(want, 0600), 0);
	}
	cf = load_ok(conf, CONFIG_CHECK_SECRETS);
	assert_string_equal(secret_file(cf, "webhook"), want);
	config_free(cf);
	free(want);

	/* set but empty, or unset: the configuration's folder */
	want = xasprintf("%s/api", tmp);
	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "", 1), 0);
	cf = load_ok(conf, 0);
	assert_string_equal(secret_file(cf, "webhook"), want);
	config_free(cf);
	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	cf = load_ok(conf, 0);
	assert_string_equal(secret_file(cf, "webhook"), want);
	config_free(cf);

	free(want);
	free(conf);
	free(creds);
}

static void
test_read_secret(void **state)
{
	char *good = file_write("good.secret", "s3cret \t\n\n", 0600);
	char *others = file_write("open.secret", "s3cret\n", 0604);
	char *empty = file_write("empty.secret", " \n", 0600);
	char *nul = file_write("nul.secret", "", 0600);
	char *big, *out = NULL, *missing = xasprintf("%s/none", tmp);
	char *large = xmalloc(64 * 1024 + 2);
	FILE *fp;

	(void)state;
	assert_int_equal(config_read_secret(good, &out), 0);
	assert_string_equal(out, "s3cret");
	free(out);
	out = NULL;

	/* refusals leave out untouched */
	assert_int_equal(config_read_secret(others, &out), -EPERM);
	assert_int_equal(config_read_secret(missing, &out), -ENOENT);
	assert_int_equal(config_read_secret(empty, &out), -ENODATA);
	assert_int_equal(mkdir(missing, 0700), 0);
	assert_int_equal(config_read_secret(missing, &out), -EINVAL);
	assert_int_equal(rmdir(missing), 0);
	fp = fopen(nul, "w");
	assert_non_null(fp);
	fwrite("a\0b", 1, 3, fp);
	fclose(fp);
	assert_int_equal(config_read_secret(nul, &out), -EINVAL);
	assert_null(out);

	/* 64 KiB is the most, white space included */
	memset(large, 'k', 64 * 1024);
	large[64 * 1024] = '\0';
	big = file_write("big.secret", large, 0600);
	assert_int_equal(config_read_secret(big, &out), 0);
	assert_int_equal(strlen(out), 64 * 1024);
	free(out);
	out = NULL;
	free(big);
	large[64 * 1024] = '\n';
	large[64 * 1024 + 1] = '\0';
	big = file_write("big.secret", large, 0600);
	assert_int_equal(config_read_secret(big, &out), -EFBIG);
	assert_null(out);

	free(large);
	free(big);
	free(missing);
	free(nul);
	free(empty);
	free(others);
	free(good);
}

/* A secret file refused by config_secret_read(): its code and sentence. */
static void
secret_refused(const char *path, enum config_secret_kind kind, int code,
    const char *want)
{
	char *out = NULL, *why = NULL;

	assert_int_equal(config_secret_read(path, kind, &out, &why), code);
	assert_null(out);
	assert_non_null(why);
	if (strstr(why, want) == NULL || strstr(why, path) == NULL)
		fail_msg("'%s': want \"%s\" and the path in \"%s\"", path,
		    want, why);
	free(why);
}

static const struct {
	mode_t mode;
	const char *want;	/* NULL: accepted */
} secret_modes[] = {
	{ 0600, NULL }, { 0400, NULL }, { 0640, NULL }, { 0440, NULL },
	{ 0602, "is writable by others (mode 0602): chmod 600" },
	{ 0604, "is readable by others (mode 0604): chmod 600" },
	{ 0601, "is open to others (mode 0601): chmod 600" },
	{ 0660, "is writable by its group (mode 0660): chmod 600" },
	{ 0620, "is writable by its group (mode 0620): chmod 600" },
	{ 0666, "is readable by others (mode 0666): chmod 600" },
};

/*
 * The attacks on secret files, for real: each mode that lets others read
 * or change the secret, a link (even to /etc/shadow), another owner, a
 * folder others can write, and a url_file that holds no URL.  Each
 * refusal names the file and the fix; the link's target is not read.
 */
static void
test_secret_attacks(void **state)
{
	char *path = file_write("s.secret", "s3cret\n", 0600);
	char *link = xasprintf("%s/link.secret", tmp);
	char *open_dir = xasprintf("%s/open", tmp);
	char *inside = xasprintf("%s/open/in.secret", tmp);
	char *url = file_write("u.url", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZI\n", 0600);
	char *out = NULL, *why = NULL;
	FILE *fp;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(secret_modes); i++) {
		assert_int_equal(chmod(path, secret_modes[i].mode), 0);
		if (secret_modes[i].want == NULL) {
			assert_int_equal(config_secret_read(path,
			    CONFIG_SECRET_KEY, &out, &why), 0);
			assert_string_equal(out, "s3cret");
			free(out);
			out = NULL;
		} else
			secret_refused(path, CONFIG_SECRET_KEY, -EPERM,
			    secret_modes[i].want);
	}
	assert_int_equal(chmod(path, 0600), 0);

	/* a link, to a good secret or to /etc/shadow: never followed */
	assert_int_equal(symlink(path, link), 0);
	secret_refused(link, CONFIG_SECRET_KEY, -ELOOP,
	    "is a symbolic link, which printgate does not follow");
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/etc/shadow", link), 0);
	secret_refused(link, CONFIG_SECRET_KEY, -ELOOP, "is a symbolic link");
	assert_int_equal(config_read_secret(link, &out), -ELOOP);
	assert_null(out);

	/* a folder that others can write, sticky or not */
	assert_int_equal(mkdir(open_dir, 0700), 0);
	fp = fopen(inside, "w");
	assert_non_null(fp);
	fputs("s3cret\n", fp);
	fclose(fp);
	assert_int_equal(chmod(inside, 0600), 0);
	assert_int_equal(config_secret_read(inside, CONFIG_SECRET_KEY, &out,
	    NULL), 0);
	free(out);
	out = NULL;
	assert_int_equal(chmod(open_dir, 0777), 0);
	secret_refused(inside, CONFIG_SECRET_KEY, -EPERM, "is in a folder "
	    "that anyone can write (mode 0777), who could swap the file: "
	    "chmod go-w");
	assert_int_equal(chmod(open_dir, 01777), 0);
	secret_refused(inside, CONFIG_SECRET_KEY, -EPERM, "(mode 1777)");
	assert_int_equal(chmod(open_dir, 0770), 0);
	secret_refused(inside, CONFIG_SECRET_KEY, -EPERM,
	    "that its group can write (mode 0770)");
	assert_int_equal(chmod(open_dir, 0700), 0);

	/* another owner than the reader or root (needs root to make) */
	if (geteuid() == 0) {
		assert_int_equal(chown(inside, 65534, 65534), 0);
		secret_refused(inside, CONFIG_SECRET_KEY, -EPERM,
		    "not to root who reads it or to root: chown root");
		assert_int_equal(chown(inside, 0, 0), 0);
		assert_int_equal(chown(open_dir, 65534, 65534), 0);
		secret_refused(inside, CONFIG_SECRET_KEY, -EPERM,
		    "is in a folder that belongs to");
		assert_int_equal(chown(open_dir, 0, 0), 0);
	} else
		print_message("# SKIP other owners: making a file another "
		    "user's needs root\n");

	/* a url_file with a secret in it: refused, the content not shown */
	secret_refused(url, CONFIG_SECRET_URL, -EINVAL,
	    "does not hold an https:// or http:// URL (its content is not "
	    "shown)");
	assert_int_equal(config_secret_read(url, CONFIG_SECRET_URL, &out,
	    &why), -EINVAL);
	assert_null(strstr(why, "whsec_"));
	free(why);
	why = NULL;
	/* as a key it is fine; a URL in a url_file is too */
	assert_int_equal(config_secret_read(url, CONFIG_SECRET_KEY, &out,
	    NULL), 0);
	free(out);
	out = NULL;
	free(url);
	url = file_write("u.url", "ftp://hooks.example/x\n", 0600);
	secret_refused(url, CONFIG_SECRET_URL, -EINVAL, "does not hold");
	free(url);
	url = file_write("u.url", "https://hooks.example/x y\n", 0600);
	secret_refused(url, CONFIG_SECRET_URL, -EINVAL, "does not hold");
	free(url);
	url = file_write("u.url", "https://hooks.example/T0/B0/x\n", 0600);
	assert_int_equal(config_secret_read(url, CONFIG_SECRET_URL, &out,
	    NULL), 0);
	assert_string_equal(out, "https://hooks.example/T0/B0/x");
	free(out);

	free(url);
	free(inside);
	free(open_dir);
	free(link);
	free(path);
}

/* config_load() with CONFIG_CHECK_SECRETS: a url_file with no URL. */
static void
test_url_file_check(void **state)
{
	char *url = file_write("u.url", "8f742231b10e8888abcd99yyyzzz85a5\n",
	    0600);
	char *conf = file_write("u.conf", BASE "notify = ( { name = \"sales\"; "
	    "type = \"slack\"; url_file = \"u.url\"; } );\n", 0600);
	char *expect = xasprintf("u.conf:5: setting 'notify.[0].url_file': "
	    "url_file '%s' does not hold an https:// or http:// URL (its "
	    "content is not shown): put the channel's URL in it, on one line",
	    url);
	const char *e = expect;
	struct config *cf = &sentinel;
	char *errors = NULL;

	(void)state;
	load_fails(conf, CONFIG_CHECK_SECRETS, &e, 1);
	assert_int_equal(config_load(&cf, conf, CONFIG_CHECK_SECRETS, &platform_configs,
	    &errors), -EINVAL);
	assert_null(strstr(errors, "8f742231"));
	free(errors);
	free(expect);
	free(conf);
	free(url);
}

/* ---- the interface's edges ---------------------------------------------- */

static void
test_unreadable(void **state)
{
	struct config *cf = &sentinel;
	char *errors = NULL, *path = xasprintf("%s/nope.conf", tmp);
	char *want;

	(void)state;
	assert_int_equal(config_load(&cf, path, 0, &platform_configs, &errors), -ENOENT);
	assert_ptr_equal(cf, &sentinel);
	want = xasprintf("%s: cannot read: No such file or directory\n",
	    path);
	assert_string_equal(errors, want);
	free(want);
	free(errors);

	assert_int_equal(config_load(&cf, tmp, 0, &platform_configs, &errors), -EISDIR);
	assert_ptr_equal(cf, &sentinel);
	want = xasprintf("%s: cannot read: Is a directory\n", tmp);
	assert_string_equal(errors, want);
	free(want);
	free(errors);

	/* errors may be NULL; *errors is NULL after a success */
	assert_int_equal(config_load(&cf, path, 0, &platform_configs, NULL), -ENOENT);
	free(path);
	path = file_write("ok.conf", BASE, 0600);
	errors = path;
	assert_int_equal(config_load(&cf, path, 0, &platform_configs, &errors), 0);
	assert_null(errors);
	config_free(cf);
	free(path);
}

/* An empty file lacks what is required, and names no line for it. */
static void
test_empty_file(void **state)
{
	char *path = file_write("empty.conf", "# nothing\n", 0600);
	const char *expect[] = {
		"empty.conf: setting 'repository': missing",
		"empty.conf: setting 'people': missing",
		"empty.conf: setting 'groups': missing",
		"empty.conf: setting 'release_managers': missing",
	};

	(void)state;
	load_fails(path, 0, expect, ARRAY_SIZE(expect));
	free(path);
}

static void
test_lookups(void **state)
{
	struct config *cf;

	(void)state;
	/* a login is matched before an id */
	{
		const char *text =
		    "repository = \"/r\";\n"
		    "people = (\n"
		    "  { id = \"alice\"; name = \"A\"; "
		    "email = \"a@x.example\"; login = \"bob\"; },\n"
		    "  { id = \"bob\"; name = \"B\"; "
		    "email = \"b@x.example\"; }\n"
		    ");\n"
		    "groups = { g = [ \"bob\" ]; "
		    "h = [ \"alice\", \"bob\" ]; };\n"
		    "release_managers = [ \"g\", \"h\" ];\n";
		char *path = file_write("l.conf", text, 0600);

		cf = load_ok(path, 0);
		free(path);
	}
	assert_int_equal(config_person_by_login(cf, "bob"), 0);
	/* alice has a login: her id does not stand for it */
	assert_int_equal(config_person_by_login(cf, "alice"), -1);
	assert_int_equal(config_person_find(cf, "bob"), 1);
	assert_int_equal(cf->nrelease_managers, 2);
	assert_true(config_is_release_manager(cf, 0));
	assert_true(config_is_release_manager(cf, 1));
	assert_true(config_group_has(cf, 1, 0));
	assert_false(config_group_has(cf, 0, 0));
	assert_int_equal(config_person_find(NULL, "bob"), -1);
	assert_int_equal(config_group_find(cf, "nope"), -1);
	config_free(cf);

	assert_string_equal(platform_configs.v[0]->name, "slack");
	assert_string_equal(platform_configs.v[1]->name, "mattermost");
	assert_string_equal(platform_configs.v[2]->name, "teams");
	assert_string_equal(platform_configs.v[3]->name, "webhook");
	config_free(NULL);
}

/* ---- running ------------------------------------------------------------ */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first of two candidates that can be read (a new string). */
static char *
path_pick(char *first, const char *second)
{
	if (first != NULL && access(first, R_OK) == 0)
		return first;
	free(first);
	return xstrdup(second);
}

/*
 * The fixtures and conf/printgate.conf: from $PRINTGATE_FIXTURES (the
 * repository's tests/unit/fixtures), else next to this source file, else
 * from the top of the repository as the working folder.
 */
/* Loads tmp/main.conf, which must be valid. */
static struct config *
load_main(void)
{
	char *path = xasprintf("%s/main.conf", tmp), *errors = NULL;
	struct config *cf = NULL;

	if (config_load(&cf, path, 0, &platform_configs, &errors) < 0)
		fail_msg("%s", errors);
	free(path);
	return cf;
}

/*
 * config_unchanged(): the config and each file it @includes (one that
 * @includes only an empty file too) are as they were read, or it fails.
 */
static void
test_unchanged(void **state)
{
	struct config *cf;
	char *p;

	(void)state;
	free(file_write("main.conf", BASE "@include \"inc.conf\"\n", 0644));
	free(file_write("inc.conf", "@include \"empty.conf\"\n", 0644));
	p = file_write("empty.conf", "", 0644);
	cf = load_main();
	assert_true(config_unchanged(cf));
	free(file_write("empty.conf", "print_tags = \"refs/tags/p/*\";\n",
	    0644));
	assert_false(config_unchanged(cf));
	config_free(cf);
	cf = load_main();
	assert_string_equal(cf->print_tags, "refs/tags/p/*");
	assert_true(config_unchanged(cf));
	assert_int_equal(unlink(p), 0);
	assert_false(config_unchanged(cf));
	config_free(cf);
	free(file_write("empty.conf", "", 0644));
	cf = load_main();
	free(file_write("main.conf", BASE "@include \"inc.conf\"\n\n", 0644));
	assert_false(config_unchanged(cf));
	config_free(cf);
	free(p);
}

static void
paths_find(void)
{
	const char *env = getenv("PRINTGATE_FIXTURES");
	const char *slash = strrchr(__FILE__, '/');
	int srclen = slash ? (int)(slash - __FILE__) : 1;
	const char *src = slash ? __FILE__ : ".";

	if (env != NULL && *env != '\0') {
		fixtures = xasprintf("%s/config", env);
		conf_example = path_pick(xasprintf("%s/../../../conf/"
		    "printgate.conf", env), "conf/printgate.conf");
		return;
	}
	fixtures = path_pick(xasprintf("%.*s/fixtures/config", srclen, src),
	    "tests/unit/fixtures/config");
	conf_example = path_pick(xasprintf("%.*s/../../conf/printgate.conf",
	    srclen, src), "conf/printgate.conf");
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(test_design_example, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_conf_example, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_defaults, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_allow, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_previews, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_base_path, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_when_ops, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_durations, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_print_tags, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unchanged, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_one_liners, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_caps, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_secret_files, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_credentials_directory,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_read_secret, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_secret_attacks, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_url_file_check, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_lookups, tmp_setup,
		    tmp_teardown),
	};
	struct CMUnitTest *tests;
	char **names = NULL;
	size_t nnames = 0, ntests = 0;
	struct dirent *de;
	DIR *d;
	int failed;

	paths_find();
	if ((d = opendir(fixtures)) == NULL) {
		fprintf(stderr, "test_config: %s: %s\n", fixtures,
		    strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (!str_startswith(de->d_name, "bad-") || len < 5 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		names = xreallocarray(names, nnames + 1, sizeof(*names));
		names[nnames++] = xasprintf("%s/%s", fixtures, de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), name_cmp);

	tests = xcalloc(ARRAY_SIZE(fixed) + nnames, sizeof(*tests));
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[ntests++] = fixed[i];
	for (size_t i = 0; i < nnames; i++) {
		tests[ntests++] = (struct CMUnitTest){
			.name = strrchr(names[i], '/') + 1,
			.test_func = test_bad_fixture,
			.initial_state = names[i],
		};
	}
	failed = _cmocka_run_group_tests("config", tests, ntests, NULL, NULL);
	strv_free(names, nnames);
	free(tests);
	free(fixtures);
	free(conf_example);
	return failed != 0;
}
