/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_config.c - the configuration file (config.c, config_load()): the
 * input is written to input.conf in a private temporary folder, made once,
 * and loaded from there, with the fixtures' two @include'd files beside
 * it.  A loaded config must hold what config.h promises (indices in
 * range, required settings there, lookups that find each entry); a
 * refused one gives its problems, a line each, and leaves *out alone.
 *
 * Two limits keep the target inside its folder.  An @include of anything
 * but a plain file name in the folder is not tried: libconfig would read
 * any file of the machine (/dev/stdin would hang).  Secret files are
 * checked (CONFIG_CHECK_SECRETS, which opens them) only when the input
 * has no '/' or '\' at all, so that every *_file is a name resolved in
 * the folder ($CREDENTIALS_DIRECTORY points there).
 */
#include "fuzz.h"

#include <ctype.h>
#include <sys/types.h>

#include "chat/platform.h"
#include "core/config.h"

static char path[4200];

/*
 * libconfig 1.5's scanner itself leaks a token on some syntax errors:
 * '""|' leaks a byte from libconfig_yylex, 'a = "x", "y";' what
 * strbuf_append grew.  A program that only calls config_read() and
 * config_destroy() shows both.  Not printgate's to fix, so LeakSanitizer
 * lets leaks allocated inside libconfig pass (config.c's own allocations
 * are its, through util.c, and still count).  It reads this at start.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* The fixtures' @include'd files (tests/unit/fixtures/config/). */
static const char people_inc[] =
    "# Included by bad-include.conf.\n"
    "people = (\n"
    "  { id = \"alice\"; name = \"Alice Ng\"; "
    "email = \"alice@example.com\"; },\n"
    "  { id = \"bob\"; name = \"Bob Stone\"; email = \"bob@example.com\"; "
    "slck = \"U1\"; }\n"
    ");\n";
static const char syntax_inc[] =
    "# Included by bad-include-syntax.conf.\n"
    "people = (\n"
    "  { id = \"alice\" ; ; }\n"
    ");\n";

static void
setup(void)
{
	const char *dir = fuzz_tmpdir();
	char inc[4200];

	snprintf(path, sizeof(path), "%s/input.conf", dir);
	snprintf(inc, sizeof(inc), "%s/included-people.inc", dir);
	fuzz_write_file(inc, people_inc, sizeof(people_inc) - 1);
	snprintf(inc, sizeof(inc), "%s/included-syntax.inc", dir);
	fuzz_write_file(inc, syntax_inc, sizeof(syntax_inc) - 1);
	/* the environment config.c reads: this folder, or nothing */
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	unsetenv("STATE_DIRECTORY");
}

/*
 * Whether every "@include" in the input (any case) is followed by spaces
 * and a quoted plain file name: letters, digits, '.', '_' and '-', not
 * starting with '.'.
 */
static bool
includes_ok(const uint8_t *data, size_t size)
{
	static const char word[] = "@include";
	const size_t wlen = sizeof(word) - 1;

	for (size_t i = 0; i + wlen <= size; i++) {
		size_t j = i + wlen, start;

		if (strncasecmp((const char *)data + i, word, wlen) != 0)
			continue;
		while (j < size && (data[j] == ' ' || data[j] == '\t'))
			j++;
		if (j >= size || data[j] != '"')
			return false;
		start = ++j;
		while (j < size && (isalnum(data[j]) || data[j] == '.' ||
		    data[j] == '_' || data[j] == '-'))
			j++;
		if (j >= size || data[j] != '"' || j == start ||
		    data[start] == '.')
			return false;
	}
	return true;
}

static void
check_config(const struct config *cf)
{
	FUZZ_CHECK(strcmp(cf->path, path) == 0);
	FUZZ_CHECK(cf->repository != NULL && cf->repository[0] == '/');
	FUZZ_CHECK(cf->print_tags != NULL && cf->print_prefix != NULL);
	FUZZ_CHECK(strlen(cf->print_prefix) + 1 == strlen(cf->print_tags));
	FUZZ_CHECK(strncmp(cf->print_prefix, cf->print_tags,
	    strlen(cf->print_prefix)) == 0);
	FUZZ_CHECK(cf->npeople <= CONFIG_MAX_PEOPLE);
	FUZZ_CHECK(cf->ngroups <= CONFIG_MAX_GROUPS);
	FUZZ_CHECK(cf->nrules <= CONFIG_MAX_RULES);
	FUZZ_CHECK(cf->nnotify <= CONFIG_MAX_NOTIFY);
	for (size_t i = 0; i < cf->npusher_env; i++)
		FUZZ_CHECK(cf->pusher_env[i] != NULL);
	for (size_t i = 0; i < cf->npeople; i++) {
		const struct config_person *p = &cf->people[i];

		FUZZ_CHECK(p->id != NULL && p->name != NULL &&
		    p->email != NULL);
		FUZZ_CHECK(config_person_find(cf, p->id) == (ssize_t)i);
	}
	for (size_t i = 0; i < cf->ngroups; i++) {
		const struct config_group *g = &cf->groups[i];

		FUZZ_CHECK(g->name != NULL);
		FUZZ_CHECK(config_group_find(cf, g->name) == (ssize_t)i);
		FUZZ_CHECK(g->nmembers >= 1);
		for (size_t m = 0; m < g->nmembers; m++) {
			FUZZ_CHECK(g->members[m] < cf->npeople);
			FUZZ_CHECK(config_group_has(cf, i, g->members[m]));
		}
	}
	FUZZ_CHECK(cf->nrelease_managers >= 1);
	for (size_t i = 0; i < cf->nrelease_managers; i++)
		FUZZ_CHECK(cf->release_managers[i] < cf->ngroups);
	for (size_t i = 0; i < cf->nrules; i++) {
		const struct config_rule *r = &cf->rules[i];

		FUZZ_CHECK(r->name != NULL);
		FUZZ_CHECK(r->group < cf->ngroups);
		FUZZ_CHECK(r->required >= 1 &&
		    r->required <= cf->groups[r->group].nmembers);
		for (size_t p = 0; p < r->npaths; p++)
			FUZZ_CHECK(r->paths[p] != NULL);
		if (r->has_when) {
			FUZZ_CHECK(r->when.text != NULL &&
			    r->when.trailer != NULL && r->when.value != NULL);
			FUZZ_CHECK(r->when.trailer[0] != '\0' &&
			    r->when.value[0] != '\0');
			FUZZ_CHECK(r->when.op <= CONFIG_OP_GE);
		}
	}
	FUZZ_CHECK(cf->review.escalate_to == SIZE_MAX ||
	    cf->review.escalate_to < cf->ngroups);
	FUZZ_CHECK(cf->review.remind_after >= 0 &&
	    cf->review.escalate_after >= 0);
	for (size_t i = 0; i < cf->nnotify; i++) {
		const struct config_notify *nt = &cf->notify[i];

		FUZZ_CHECK(nt->name != NULL);
		FUZZ_CHECK(nt->type != NULL && nt->platform < cf->platforms->n &&
		    cf->platforms->v[nt->platform] == nt->type);
		for (size_t e = 0; e < nt->nevents; e++)
			FUZZ_CHECK(nt->events[e] != NULL);
	}
	if (cf->http.enabled)
		FUZZ_CHECK(cf->http.listen != NULL);
}

/*
 * The problems: each line "file:line: ..." (or "file: ..."), the file
 * being the configuration or a file it includes, both in our folder; the
 * whole ends in a newline.
 *
 * Known and reported: a value is quoted as it is, so a string with a
 * newline in it ("b= false;\n};") makes one problem span several lines.
 * Only the first line of the listing is held to the shape, so that the
 * target goes on looking for worse.
 */
static void
check_errors(const char *errors)
{
	const char *dir = fuzz_tmpdir();
	size_t n, dlen = strlen(dir);

	FUZZ_CHECK(errors != NULL && errors[0] != '\0');
	n = strlen(errors);
	FUZZ_CHECK(errors[n - 1] == '\n');
	FUZZ_CHECK(strncmp(errors, dir, dlen) == 0 && errors[dlen] == '/');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct config *cf, *const before = (struct config *)&ready;
	unsigned flags = 0;
	char *errors = NULL;
	int error;

	if (size > FUZZ_MAX_INPUT || !includes_ok(data, size))
		return 0;
	if (!ready) {
		setup();
		ready = true;
	}
	if (memchr(data, '/', size) == NULL && memchr(data, '\\', size) ==
	    NULL)
		flags |= CONFIG_CHECK_SECRETS;
	fuzz_write_file(path, data, size);

	cf = before;
	error = config_load(&cf, path, flags, &platform_configs, &errors);
	if (error == 0) {
		FUZZ_CHECK(cf != NULL && cf != before);
		FUZZ_CHECK(errors == NULL);
		check_config(cf);
		config_free(cf);
	} else {
		/* the file is there and readable: only the text is wrong */
		FUZZ_CHECK(error == -EINVAL);
		FUZZ_CHECK(cf == before);
		check_errors(errors);
		free(errors);
	}
	return 0;
}
