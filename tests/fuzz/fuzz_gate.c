/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_gate.c - the update hook's arguments (gate.c, gate_update()): ref
 * names, old and new values as git passes them, split from the input at
 * NUL bytes, against a real repository made once (with one commit, an
 * annotated print tag object and printgate's config).  Whatever arrives,
 * the gate answers 0 or 1, says why when it refuses, never lets a print
 * tag or one of printgate's own refs through without a review, and never
 * lets a malformed ref name crash it.
 */
#include "fuzz.h"

#include <sys/wait.h>

#include "hooks/gate.h"

static char conf[4200], repo[4200];
static char tagobj[64];

static void
sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
		fprintf(stderr, "fuzz_gate: setup failed: %s\n", cmd);
		abort();
	}
}

static void
setup(void)
{
	const char *dir = fuzz_tmpdir();
	char cmd[16384], text[8192];
	FILE *fp;

	snprintf(repo, sizeof(repo), "%s/repo.git", dir);
	snprintf(conf, sizeof(conf), "%s/pg.conf", dir);
	snprintf(cmd, sizeof(cmd),
	    "set -e; export HOME='%s' GIT_CONFIG_NOSYSTEM=1 "
	    "GIT_AUTHOR_NAME=m GIT_AUTHOR_EMAIL=m@example.com "
	    "GIT_COMMITTER_NAME=m GIT_COMMITTER_EMAIL=m@example.com; "
	    "git init -q --bare '%s'; w='%s/w'; git init -q \"$w\"; "
	    "mkdir -p \"$w/brochures/emea\"; echo a >\"$w/brochures/emea/a\"; "
	    "git -C \"$w\" add .; git -C \"$w\" commit -q -m c; "
	    "git -C \"$w\" tag -a print/q -m 'q\n\nOpportunity: 9'; "
	    "git -C \"$w\" push -q '%s' HEAD:refs/heads/main print/q; "
	    "git --git-dir='%s' rev-parse print/q >'%s/tagobj'; "
	    "git --git-dir='%s' update-ref -d refs/tags/print/q",
	    dir, repo, dir, repo, repo, dir, repo);
	sh(cmd);
	snprintf(text, sizeof(text),
	    "repository = \"%s\";\n"
	    "pusher_env = [ \"PRINTGATE_FUZZ_PUSHER\" ];\n"
	    "people = ( { id = \"rita\"; name = \"R\"; email = \"r@example.com\"; },\n"
	    "  { id = \"alice\"; name = \"A\"; email = \"a@example.com\"; } );\n"
	    "groups = { release = [ \"rita\" ]; sales = [ \"alice\" ]; };\n"
	    "release_managers = \"release\";\n"
	    "rules = ( { name = \"emea\"; paths = [ \"brochures/**\" ]; "
	    "group = \"sales\"; } );\n", repo);
	fuzz_write_file(conf, text, strlen(text));
	snprintf(cmd, sizeof(cmd), "%s/tagobj", dir);
	if ((fp = fopen(cmd, "r")) == NULL || !fgets(tagobj, sizeof(tagobj), fp))
		abort();
	fclose(fp);
	tagobj[strcspn(tagobj, "\n")] = '\0';
	setenv("PRINTGATE_FUZZ_PUSHER", "rita", 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	char *in, *refname, *oldrev, *newrev, *msg = NULL;
	size_t n;
	int rc;

	if (size > 4096)
		return 0;
	if (!ready) {
		setup();
		ready = true;
	}
	/* refname NUL oldrev NUL newrev; "@T" in newrev is the tag object */
	in = malloc(size + 3);
	if (in == NULL)
		abort();
	memcpy(in, data, size);
	in[size] = in[size + 1] = in[size + 2] = '\0';
	refname = in;
	n = strlen(refname);
	oldrev = refname + n + (n < size ? 1 : 0);
	n = (size_t)(oldrev - in) + strlen(oldrev);
	newrev = in + n + (n < size ? 1 : 0);
	rc = gate_update(conf, repo, refname, oldrev,
	    strcmp(newrev, "@T") == 0 ? tagobj : newrev, NULL, &msg);
	FUZZ_CHECK(rc == 0 || rc == 1);
	if (rc == 1)
		FUZZ_CHECK(msg != NULL && strlen(msg) > 0);
	/* printgate's own refs never pass */
	if (strncmp(refname, "refs/printgate/", 15) == 0 ||
	    strcmp(refname, "refs/notes/printgate") == 0)
		FUZZ_CHECK(rc == 1);
	/* a print tag passes only when its review is approved: here it
	 * never is, alice has decided nothing */
	if (strncmp(refname, "refs/tags/print/", 16) == 0 && refname[16])
		FUZZ_CHECK(rc == 1);
	free(msg);
	free(in);
	return 0;
}
