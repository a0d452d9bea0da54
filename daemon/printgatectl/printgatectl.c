/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printgatectl - the administrator's and the marketer's tool: check the
 * config, install the hook, see what waits and why, who reviews what, read
 * and verify the ledger, ask for a review, and record a decision on
 * someone's behalf.
 *
 * Exit codes: 0 ok, 1 "not approved" or "nothing found", 2 error.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "chat/platform.h"
#include "core/config.h"
#include "core/ledger.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/record.h"
#include "core/repo.h"
#include "core/review.h"
#include "core/util.h"
#include "web/link.h"

#define EXIT_NOT 1
#define EXIT_ERR 2
#define CTL_LEDGER_TIMEOUT_MS 30000
#define HOOK_MARKER "# printgate update hook"
#define HOOK_SETTINGS_SUFFIX ".printgate"	/* update.printgate */

static const char *config_path = CONFIG_DEFAULT_PATH;

/*
 * What a command loaded: main() frees it whatever path the command took,
 * so that commands can return early without leaking.
 */
static struct {
	struct config *cf;
	struct repo *r;
	struct review_target t;
	struct review *rv;
} ctl;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: printgatectl [-c config] command [args]\n"
	    "  check                      validate the config and summarise it\n"
	    "  install-hook [--force]     install the update hook into the repository\n"
	    "  uninstall-hook             remove it, putting back the hook it replaced\n"
	    "  status TAG|REV             the review: scope, rules, who decided\n"
	    "  pending                    print tags that wait for approval\n"
	    "  log [REV]                  the ledger, of one commit or all\n"
	    "  who PATH...                who reviews these files\n"
	    "  request REV --tag NAME     ask for a review of REV before tagging\n"
	    "  decide TAG|REV --as PERSON DECISION [--comment TEXT]\n"
	    "                             record a decision on PERSON's behalf:\n"
	    "                             approve, approve-with-changes, changes-required\n"
	    "  link TAG [--for PERSON]    the review page's link: the channel's, or\n"
	    "                             PERSON's, who may decide on the page\n"
	    "  verify                     check that every ledger line is well formed\n"
	    "  outbox [retry ID]          deliveries waiting or given up; requeue one\n");
	exit(EXIT_ERR);
}

static struct config *
load_config(unsigned flags)
{
	struct config *cf = NULL;
	char *errors = NULL;

	if (config_load(&cf, config_path, flags, &platform_configs,
	    &errors) < 0) {
		fputs(errors ? errors : "invalid configuration\n", stderr);
		free(errors);
		exit(EXIT_ERR);
	}
	free(errors);
	ctl.cf = cf;
	return cf;
}

static char *cli_via(void);

/* The first path unreadable_one() could not read, and why. */
static struct {
	char path[PATH_MAX];
	int error;
} unreadable;

static int
unreadable_one(const char *path, const struct stat *st, int type,
    struct FTW *f)
{
	const char *base = path + f->base;
	int how = R_OK;

	bool skip = false;

	if (type == FTW_DNR)
		goto bad;
	if (type == FTW_D) {
		how = R_OK | X_OK;
		/* loose objects are 0444 whoever writes them: their folders
		 * alone, without a stat of every object */
		skip = f->level == 1 && strstr(path, "/objects/") &&
		    strcmp(base, "pack") != 0;
	} else if (type != FTW_F)
		return FTW_CONTINUE;
	else if (strstr(path, "/objects/") && !strstr(path, "/objects/pack/"))
		return FTW_CONTINUE;
	if (faccessat(AT_FDCWD, path, how, AT_EACCESS) == 0)
		return skip ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
bad:
	snprintf(unreadable.path, sizeof(unreadable.path), "%s", path);
	unreadable.error = errno ? errno : EACCES;
	return FTW_STOP;
}

/*
 * Exits with EXIT_ERR, saying what cannot be read and why, when the user
 * running printgatectl cannot read all of the repository at path: its
 * folder, HEAD, config, packed-refs, every ref and every object folder
 * and pack.  libgit2 takes a folder it cannot read for an empty one, so
 * that "no print tag waits" would be the answer to a permission problem.
 */
static void
readable_or_exit(const char *path)
{
	static const char *const sub[] = { "HEAD", "config", "packed-refs",
	    "refs", "objects" };
	struct stat st;

	memset(&unreadable, 0, sizeof(unreadable));
	if (faccessat(AT_FDCWD, path, R_OK | X_OK, AT_EACCESS) == -1) {
		if (errno == ENOENT)
			return;	/* repo_open() says it is not there */
		snprintf(unreadable.path, sizeof(unreadable.path), "%s", path);
		unreadable.error = errno;
	}
	for (size_t i = 0; !unreadable.error && i < ARRAY_SIZE(sub); i++) {
		char *p = xasprintf("%s/%s", path, sub[i]);

		errno = 0;
		if (lstat(p, &st) == -1) {
			if (errno != ENOENT) {
				snprintf(unreadable.path,
				    sizeof(unreadable.path), "%s", p);
				unreadable.error = errno;
			}
		} else if (nftw(p, unreadable_one, 16, FTW_PHYS |
		    FTW_ACTIONRETVAL) < 0) {
			snprintf(unreadable.path, sizeof(unreadable.path), "%s",
			    p);
			unreadable.error = errno;
		}
		free(p);
	}
	if (!unreadable.error)
		return;
	if (stat(unreadable.path, &st) == 0) {
		char *me = cli_via(), *owner;
		struct passwd *pw = getpwuid(st.st_uid);
		struct group *gr = getgrgid(st.st_gid);

		owner = xstrdup(pw ? pw->pw_name : "?");
		fprintf(stderr, "printgatectl: cannot read the repository "
		    "'%s': %s: %s (it belongs to %s:%s, mode %04o; you are "
		    "%s): run printgatectl as its owner or as a member of "
		    "its group\n", path, unreadable.path,
		    strerror(unreadable.error), owner, gr ? gr->gr_name : "?",
		    (unsigned)st.st_mode & 07777, me + strlen("cli:"));
		free(owner);
		free(me);
	} else
		fprintf(stderr, "printgatectl: cannot read the repository "
		    "'%s': %s: %s\n", path, unreadable.path,
		    strerror(unreadable.error));
	exit(EXIT_ERR);
}

static struct repo *
open_repo(const struct config *cf)
{
	struct repo *r = NULL;
	char *why = NULL;

	readable_or_exit(cf->repository);
	if (repo_open(&r, cf->repository, &why) < 0) {
		fprintf(stderr, "printgatectl: %s\n", why);
		free(why);
		exit(EXIT_ERR);
	}
	ctl.r = r;
	return r;
}

static struct review *
load_review(const struct config *cf, struct repo *r,
    const struct review_target *t)
{
	struct review *rv = NULL;
	char *why = NULL;

	if (review_load(&rv, cf, r, t->commit, t->tag,
	    t->tag_object[0] ? t->tag_object : NULL, t->message, &why) < 0) {
		fprintf(stderr, "printgatectl: %s\n", why);
		free(why);
		exit(EXIT_ERR);
	}
	return rv;
}

static void
resolve(const struct config *cf, struct repo *r, const char *arg,
    struct review_target *t)
{
	char *why = NULL;

	if (review_resolve(t, cf, r, arg, &why) < 0) {
		fprintf(stderr, "printgatectl: %s\n", why);
		free(why);
		exit(EXIT_NOT);
	}
}

/* What check_tree() found: folders the group cannot write or pass on. */
static struct {
	gid_t gid;
	size_t bad;
	char first[3][PATH_MAX];
} shared_walk;

static int
shared_dir(const char *path, const struct stat *st, int type, struct FTW *f)
{
	if (type == FTW_DNR) {
		fprintf(stderr, "printgatectl: cannot read the folder %s: "
		    "permission denied\n", path);
		return -1;
	}
	if (type != FTW_D)
		return 0;
	if ((st->st_mode & (S_IWGRP | S_IXGRP)) == (S_IWGRP | S_IXGRP) &&
	    (st->st_mode & S_ISGID) && st->st_gid == shared_walk.gid)
		return 0;
	if (shared_walk.bad < ARRAY_SIZE(shared_walk.first))
		snprintf(shared_walk.first[shared_walk.bad], PATH_MAX, "%s",
		    path);
	shared_walk.bad++;
	return 0;
}

static void sh_quote(struct buf *b, const char *s);

/* Prints the commands that make gitdir group-shared, writable by group. */
static void
shared_fix(FILE *to, const char *gitdir, const char *group, bool set_config)
{
	struct buf b = { 0 };

	sh_quote(&b, gitdir);
	fprintf(to, "  %s (as root):\n"
	    "    chgrp -R %s %s && chmod -R g+rwX %s &&\n"
	    "    find %s -type d -exec chmod g+s {} +\n",
	    set_config ? "to share it with a group" : "fix it", group, b.s, b.s,
	    b.s);
	if (set_config)
		fprintf(to, "    git --git-dir=%s config "
		    "core.sharedRepository group\n", b.s);
	buf_free(&b);
}

/*
 * The update hook runs as each pushing user, who reads the config: in a
 * repository shared with group gid, the config and every folder above it
 * must be readable (and passable) by others or by that group.  Prints
 * what is not, with the command that fixes it, on stderr.  Returns 0 or
 * EXIT_ERR.
 */
static int
check_config_readable(const char *config, gid_t gid, const char *group)
{
	char *path = realpath(config, NULL), *slash;
	struct stat st;
	int rc = 0;

	if (path == NULL)
		return 0; /* load_config() read it: nothing more to say */
	for (bool file = true;; file = false) {
		mode_t oth = file ? S_IROTH : S_IXOTH;
		mode_t grp = file ? S_IRGRP : S_IXGRP;

		if (stat(path, &st) == -1) {
			fprintf(stderr, "printgatectl: %s: %s\n", path,
			    strerror(errno));
			rc = EXIT_ERR;
			break;
		}
		if (!(st.st_mode & oth) &&
		    !((st.st_mode & grp) && st.st_gid == gid)) {
			fprintf(stderr, "printgatectl: %s: the update hook "
			    "runs as each pusher (group %s), who cannot %s it, "
			    "so every print tag would be refused: chmod %s %s "
			    "(%s)\n", path, group, file ? "read" : "pass",
			    file ? "o+r" : "o+x", path, file ?
			    "the config holds no secret" : "a folder on the "
			    "way to the config");
			rc = EXIT_ERR;
			break;
		}
		if ((slash = strrchr(path, '/')) == NULL || slash == path)
			break;
		*slash = '\0';
	}
	free(path);
	return rc;
}

/* The git folder of repository: its .git, or itself when bare. */
static char *
repository_gitdir(const char *repository)
{
	char *p = xasprintf("%s/.git", repository);
	struct stat st;

	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return p;
	free(p);
	return xstrdup(repository);
}

/* 0 when gitdir has a HEAD and objects; else -1, said on stderr. */
static int
repository_is_git(const struct config *cf, const char *gitdir)
{
	char *p = xasprintf("%s/HEAD", gitdir);
	int error = access(p, F_OK);

	free(p);
	p = xasprintf("%s/objects", gitdir);
	if (error == 0)
		error = access(p, F_OK);
	free(p);
	if (error == -1) {
		fprintf(stderr, "printgatectl: repository '%s' is not a git "
		    "repository (%s): set 'repository' in %s to the bare "
		    "repository's path\n", cf->repository, errno == ENOENT ?
		    "no HEAD or objects" : strerror(errno), cf->path);
		return -1;
	}
	return 0;
}

/* The name of group gid, or its number in buf. */
static const char *
group_name(gid_t gid, char buf[16])
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		return gr->gr_name;
	snprintf(buf, 16, "%u", (unsigned)gid);
	return buf;
}

/* core.sharedRepository of gitdir into *perm (0: none); -1 said. */
static int
repository_sharing(const char *gitdir, unsigned *perm)
{
	int error = repo_dir_shared(gitdir, perm);

	if (error < 0) {
		fprintf(stderr, "printgatectl: repository '%s': %s\n",
		    gitdir, error == -EINVAL ? "core.sharedRepository is not "
		    "a value git accepts (group, all, umask or an octal mode)" :
		    "cannot read its config file");
		return -1;
	}
	return 0;
}

/*
 * 0 when gitdir and every folder under refs/, objects/ and logs/ is
 * group-writable, setgid and of the group of st; else -1, with the
 * folders that are not and the command that fixes them on stderr.
 */
static int
repository_folders_shared(const char *gitdir, const struct stat *st,
    const char *group)
{
	static const char *const sub[] = { "refs", "objects", "logs" };
	char *p;
	int error;

	memset(&shared_walk, 0, sizeof(shared_walk));
	shared_walk.gid = st->st_gid;
	if (shared_dir(gitdir, st, FTW_D, NULL) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		p = xasprintf("%s/%s", gitdir, sub[i]);
		error = access(p, F_OK) == 0 ?
		    nftw(p, shared_dir, 16, FTW_PHYS) : 0;
		free(p);
		if (error != 0)
			return -1;
	}
	if (shared_walk.bad == 0)
		return 0;
	fprintf(stderr, "printgatectl: repository '%s' is shared with group "
	    "%s, but %zu folder%s of it %s not group-writable, setgid and of "
	    "that group, so what one user creates another cannot change:\n",
	    gitdir, group, shared_walk.bad, shared_walk.bad == 1 ? "" : "s",
	    shared_walk.bad == 1 ? "is" : "are");
	for (size_t i = 0; i < shared_walk.bad &&
	    i < ARRAY_SIZE(shared_walk.first); i++)
		fprintf(stderr, "    %s\n", shared_walk.first[i]);
	shared_fix(stderr, gitdir, group, false);
	return -1;
}

/*
 * What the hook (run as each pushing user) and printgated (as its own
 * user) will meet in the repository: that the path is there and is a git
 * repository, and, when it is shared (core.sharedRepository), that every
 * folder under refs/, objects/ and logs/ is group-writable, setgid and of
 * the repository's group, so that what one user creates the others can
 * change.  Prints each problem with the commands that fix it on stderr
 * and the repository's sharing on stdout.  Returns 0 or EXIT_ERR.
 */
static int
check_repository(const struct config *cf)
{
	char *gitdir = NULL;
	struct stat st;
	const char *group;
	char gidbuf[16];
	unsigned perm;
	int rc = EXIT_ERR;

	if (stat(cf->repository, &st) == -1) {
		fprintf(stderr, "printgatectl: repository '%s': %s: set "
		    "'repository' in %s to the repository's path\n",
		    cf->repository, strerror(errno), cf->path);
		return EXIT_ERR;
	}
	gitdir = repository_gitdir(cf->repository);
	if (repository_is_git(cf, gitdir) < 0)
		goto done;
	if (stat(gitdir, &st) == -1) {
		fprintf(stderr, "printgatectl: %s: %s\n", gitdir,
		    strerror(errno));
		goto done;
	}
	group = group_name(st.st_gid, gidbuf);
	if (repository_sharing(gitdir, &perm) < 0)
		goto done;
	if (perm == 0) {
		printf("  sharing     none (core.sharedRepository is unset or umask): "
		    "the hook, run as each pusher, and printgated must all "
		    "run as %s's owner\n", gitdir);
		shared_fix(stdout, gitdir, "GROUP", true);
		rc = 0;
		goto done;
	}
	printf("  sharing     group %s (core.sharedRepository = 0%o)\n",
	    group, perm & 0777);
	if (check_config_readable(cf->path, st.st_gid, group) == 0 &&
	    repository_folders_shared(gitdir, &st, group) == 0)
		rc = 0;
done:
	free(gitdir);
	return rc;
}

/*
 * The folder the shipped units' LoadCredential= lines copy the secrets of
 * this config from: CONFDIR/credentials for printgate.conf (printgated
 * .service), CONFDIR/credentials/NAME for NAME.conf (printgated@NAME), when
 * it exists; else NULL.
 */
static char *
unit_credentials(const char *config)
{
	char *abs = realpath(config, NULL), *slash, *dir, *stem;
	struct stat st;

	if (abs == NULL || (slash = strrchr(abs, '/')) == NULL) {
		free(abs);
		return NULL;
	}
	*slash = '\0';
	stem = slash + 1;
	if (strcmp(stem, "printgate.conf") == 0)
		dir = xasprintf("%s/credentials", abs);
	else {
		size_t n = strlen(stem);

		if (n > 5 && strcmp(stem + n - 5, ".conf") == 0)
			stem[n - 5] = '\0';
		dir = xasprintf("%s/credentials/%s", abs, stem);
	}
	free(abs);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

/* Prints one secret file and where each program takes it from. */
static void
check_secret(const char *what, const char *path, bool *first)
{
	if (path == NULL)
		return;
	printf("%s %s: %s\n", *first ? "  secrets    " : "             ", what,
	    path);
	*first = false;
}

static char *hook_path(struct repo *r);
static int hook_is_ours(const char *path);
static int read_whole(const char *path, char **out, size_t *len);

/*
 * The warm path: whether printgated answers on the gate socket, and
 * whether the installed hook asks there (install-hook wrote the socket's
 * path into its settings; a gate_socket changed since is a hook that
 * always falls back), and whether it is a copy of the printgate-update
 * it names (an upgrade leaves the copy as it was).  Says so on stdout; a
 * stale hook on stderr with the fix.
 */
static void
check_gate(const struct config *cf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct repo *r = NULL;
	char *path, *side, *why = NULL, *text = NULL, *hook = NULL, *bin = NULL;
	char *want, *prog;
	size_t len, hlen, blen;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", cf->gate_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	printf("  gate socket %s: %s\n", cf->gate_socket, fd != -1 &&
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ?
	    "printgated answers (the warm path)" : "nobody answers: the "
	    "hook decides itself (start printgated for the warm path)");
	if (fd != -1)
		close(fd);
	if (repo_open(&r, cf->repository, &why) < 0) {
		free(why);
		return;
	}
	path = hook_path(r);
	side = xasprintf("%s" HOOK_SETTINGS_SUFFIX, path);
	want = xasprintf("\nsocket %s\n", cf->gate_socket);
	if (hook_is_ours(path) != 1)
		goto done;
	if (read_whole(side, &text, &len) < 0) {
		fprintf(stderr, "printgatectl: the hook %s is the script of an "
		    "earlier install, or its settings %s cannot be read: run "
		    "printgatectl -c %s install-hook\n", path, side, cf->path);
		goto done;
	}
	if (strstr(text, want) == NULL)
		fprintf(stderr, "printgatectl: the hook %s does not ask "
		    "printgated on %s, so every push takes the slow path: run "
		    "printgatectl -c %s install-hook\n", path, cf->gate_socket,
		    cf->path);
	/* the copy, against the program it was copied from */
	if ((prog = strstr(text, "\nprogram ")) != NULL) {
		prog += strlen("\nprogram ");
		prog[strcspn(prog, "\n")] = '\0';
		if (read_whole(path, &hook, &hlen) == 0 &&
		    read_whole(prog, &bin, &blen) == 0 &&
		    (hlen != blen || memcmp(hook, bin, hlen) != 0))
			fprintf(stderr, "printgatectl: the hook %s is a copy "
			    "of an earlier %s: run printgatectl -c %s "
			    "install-hook to copy this one\n", path, prog,
			    cf->path);
	}
done:
	free(bin);
	free(hook);
	free(text);
	free(want);
	free(side);
	free(path);
	repo_free(r);
}

static int
cmd_check(int argc, char *argv[])
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char *unit_creds = NULL;
	struct config *cf;
	bool first = true;

	if (argc != 1)
		usage();
	/*
	 * Check the secrets where printgated will read them: from the folder
	 * its unit's LoadCredential= copies them from at service start.
	 */
	if ((creds == NULL || *creds == '\0') &&
	    (unit_creds = unit_credentials(config_path)) != NULL)
		setenv("CREDENTIALS_DIRECTORY", unit_creds, 1);
	cf = load_config(CONFIG_CHECK_SECRETS);
	printf("%s: configuration OK\n", cf->path);
	printf("  repository  %s\n", cf->repository);
	printf("  print tags  %s\n", cf->print_tags);
	printf("  people      %zu\n", cf->npeople);
	printf("  groups     ");
	for (size_t i = 0; i < cf->ngroups; i++)
		printf(" %s (%zu)", cf->groups[i].name, cf->groups[i].nmembers);
	printf("\n  release managers:");
	for (size_t i = 0; i < cf->nrelease_managers; i++)
		printf(" %s", cf->groups[cf->release_managers[i]].name);
	printf("\n  rules\n");
	for (size_t i = 0; i < cf->nrules; i++) {
		const struct config_rule *rule = &cf->rules[i];

		printf("    %s: %u of %s on", rule->name, rule->required,
		    cf->groups[rule->group].name);
		for (size_t p = 0; p < rule->npaths; p++)
			printf(" %s", rule->paths[p]);
		if (rule->has_when)
			printf(" when %s", rule->when.text);
		printf("\n");
	}
	printf("  notify     ");
	for (size_t i = 0; i < cf->nnotify; i++)
		printf(" %s:%s", cf->notify[i].type->name,
		    cf->notify[i].name);
	printf("%s\n", cf->nnotify ? "" : " none");
	for (size_t i = 0; i < cf->nnotify; i++) {
		check_secret(cf->notify[i].name, cf->notify[i].url_file, &first);
		check_secret(cf->notify[i].name, cf->notify[i].secret_file,
		    &first);
	}
	for (size_t i = 0; i < platform_configs.n; i++)
		check_secret("http", config_secret_file(cf, i), &first);
	if (!first && unit_creds)
		printf("              read from %s, as printgated's "
		    "LoadCredential= copies them at service start (set "
		    "CREDENTIALS_DIRECTORY to check another folder); the hook "
		    "reads none\n", unit_creds);
	else if (!first)
		printf("              read from %s, as printgated will (the "
		    "hook reads none)\n", creds && *creds ? creds :
		    "the configuration's folder");
	free(unit_creds);
	check_gate(cf);
	return check_repository(cf);
}

/*
 * The printgate-update program next to this one (the build tree), else
 * the one installed beside it (PREFIX/bin/printgatectl and
 * PREFIX/libexec/printgate/printgate-update, whatever PREFIX make install
 * was given), else the one of the PREFIX printgatectl was built with.
 */
static char *
hook_program(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash, *p;

	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			p = xasprintf("%s/printgate-update", self);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
			p = xasprintf("%s/../libexec/printgate/printgate-update",
			    self);
			if (access(p, X_OK) == 0 && realpath(p, self) != NULL) {
				free(p);
				return xstrdup(self);
			}
			free(p);
		}
	}
	return xstrdup(LIBEXECDIR "/printgate-update");
}

/* Single-quotes s for sh. */
static void
sh_quote(struct buf *b, const char *s)
{
	buf_adds(b, "'");
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_add(b, s, 1);
	}
	buf_adds(b, "'");
}

/*
 * Opens the hooks folder, never through a link at its last name: run as
 * root, install-hook would otherwise write where a link planted by anyone
 * who can write the repository points (hooks -> /etc/cron.hourly).  The
 * descriptor, or -1 with the reason printed.
 */
static int
hooks_open(const char *hooks)
{
	struct stat st;
	int fd = open(hooks, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd != -1)
		return fd;
	if (lstat(hooks, &st) == 0 && S_ISLNK(st.st_mode))
		fprintf(stderr, "printgatectl: %s is a symbolic link, which "
		    "install-hook does not follow: remove it, or set "
		    "core.hooksPath to the folder it should point at\n",
		    hooks);
	else
		fprintf(stderr, "printgatectl: cannot open %s: %s\n", hooks,
		    strerror(errno));
	return -1;
}

static char *cli_via(void);

/*
 * Print tags that exist when the hook is installed passed no gate: each
 * gets a released event, so that printgated does not take them for
 * violations.  Returns how many were recorded, or -1.
 */
static int
baseline(const struct config *cf, struct repo *r)
{
	struct repo_ref *refs = NULL;
	size_t n = 0;
	char head[OID_HEX] = "";
	int count = 0;

	if (repo_ref_list(r, cf->print_tags, &refs, &n) < 0) {
		fprintf(stderr, "printgatectl: cannot list %s: %s\n",
		    cf->print_tags, repo_strerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct ledger_events evs = { 0 };
		struct record rec;
		struct repo_tag *t = NULL;
		char commit[OID_HEX], *via;
		const char *tag = refs[i].name + strlen("refs/tags/");
		bool known = false;
		int error;

		if (repo_tag_read(r, refs[i].id, &t) == 0)
			memcpy(commit, t->commit, OID_HEX);
		else if (repo_resolve_commit(r, refs[i].id, commit) < 0)
			continue;
		repo_tag_free(t);
		if (repo_notes_head(r, LEDGER_REF, head) == 0)
			ledger_read(r, head, commit, &evs);
		/* released already, or caught bypassing the gate: a
		 * baseline must not whitewash a violation */
		for (size_t k = 0; k < evs.n; k++)
			if ((evs.v[k].type == LEDGER_RELEASED ||
			    evs.v[k].type == LEDGER_VIOLATION) && evs.v[k].tag &&
			    strcmp(evs.v[k].tag, tag) == 0)
				known = true;
		ledger_events_free(&evs);
		if (known || record_init(&rec, LEDGER_RELEASED,
		    (int64_t)time(NULL)) < 0)
			continue;
		via = cli_via();
		rec.by = "printgate";
		rec.via = via;
		rec.tag = tag;
		rec.tag_object = refs[i].id;
		rec.comment = "baseline: the print tag existed before "
		    "printgate was installed";
		error = record_append(r, cf, NULL, commit, &rec,
		    CTL_LEDGER_TIMEOUT_MS, NULL);
		free(via);
		if (error < 0) {
			fprintf(stderr, "printgatectl: cannot record %s as the "
			    "baseline: %s\n", tag, repo_strerror());
			repo_ref_list_free(refs, n);
			return -1;
		}
		count++;
	}
	if (count)
		printf("  recorded %d existing print tag%s as the baseline\n",
		    count, count == 1 ? "" : "s");
	repo_ref_list_free(refs, n);
	return count;
}

#define HOOK_KEPT_SUFFIX ".before-printgate"

/* The update hook's path: in core.hooksPath when set, else hooks/. */
static char *
hook_path(struct repo *r)
{
	char *hooks = NULL, *path;

	if (repo_config_string(r, "core.hooksPath", &hooks) < 0)
		hooks = xasprintf("%shooks", repo_path(r));
	else if (hooks[0] != '/') {
		char *rel = hooks;

		hooks = xasprintf("%s%s", repo_path(r), rel);
		free(rel);
	}
	path = xasprintf("%s/update", hooks);
	free(hooks);
	return path;
}

/*
 * 1 when the file at path is printgate's hook (the copy of
 * printgate-update, or the script of an earlier install: both hold the
 * marker on a line of its own), 0 when not, -errno when it cannot be
 * looked at (-ENOENT: no hook).  It is read without following a link and
 * without blocking, only when it is a regular file, and only its first 4
 * MiB, so that a link, a FIFO or a link to /dev/zero planted there is
 * "not ours" rather than a hang.
 */
static int
hook_is_ours(const char *path)
{
	static const char marker[] = "\n" HOOK_MARKER;
	size_t cap = 4u << 20, got = 0;
	struct stat st;
	char *text;
	ssize_t n;
	int fd;

	if (lstat(path, &st) == -1)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1)
		return errno == ELOOP ? 0 : -errno;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	text = xmalloc(cap);
	while (got < cap && ((n = read(fd, text + got, cap - got)) > 0 ||
	    (n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(fd);
	n = memmem(text, got, marker, sizeof(marker) - 1) != NULL;
	free(text);
	return (int)n;
}

/*
 * Keeps the hook install-hook --force is about to replace, as
 * PATH.before-printgate, for uninstall-hook to put back.  A hard link, so
 * that git never sees the repository without an update hook.  Returns 0
 * or EXIT_ERR (said on stderr) when it cannot be kept.
 */
static int
hook_keep(const char *path)
{
	char *kept = xasprintf("%s" HOOK_KEPT_SUFFIX, path);
	int rc = 0;

	if (link(path, kept) == -1) {
		fprintf(stderr, "printgatectl: cannot keep the hook %s as %s: "
		    "%s%s\n", path, kept, strerror(errno), errno == EEXIST ?
		    " (a hook kept earlier is there: move one aside)" : "");
		rc = EXIT_ERR;
	} else
		printf("kept the previous hook as %s (uninstall-hook puts it "
		    "back)\n", kept);
	free(kept);
	return rc;
}

/*
 * The hook's settings, hooks/update.printgate: the program it is a copy
 * of (printgate-update-local is found beside it), the config and the gate
 * socket (the warm path: the hook reads no config itself, so the socket's
 * path is written here; printgatectl check says when it no longer
 * matches).  -EINVAL when a path cannot be written as a line.
 */
static int
hook_settings(struct buf *b, const char *prog, const char *config,
    const char *socket)
{
	const char *paths[] = { prog, config, socket };

	for (size_t i = 0; i < 3; i++)
		if (paths[i][0] != '/' || strchr(paths[i], '\n'))
			return -EINVAL;
	buf_addf(b, HOOK_MARKER ": the settings of the update hook beside "
	    "this file,\n# a copy of %s; written by printgatectl "
	    "install-hook.\n# It refuses print tags that have not been "
	    "approved; remove it with\n# printgatectl uninstall-hook.\n"
	    "program %s\nconfig %s\nsocket %s\n", prog, prog, config, socket);
	return 0;
}

/*
 * The bytes of the regular file path (at most 64 MiB) into *out, its
 * length in *len; 0 or -errno.
 */
static int
read_whole(const char *path, char **out, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return -errno;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	*len = 0;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || *len + (size_t)n > 64u << 20) {
			n = n < 0 ? -errno : -EFBIG;
			close(fd);
			buf_free(&b);
			return (int)n;
		}
		buf_add(&b, chunk, (size_t)n);
		*len += (size_t)n;
	}
	close(fd);
	*out = *len ? buf_steal(&b) : xstrdup("");
	return 0;
}
/*
 * Says, at install time, what the first push by another user would fail
 * on: when the repository belongs to someone else or is shared by a group,
 * the hook runs as users that libgit2 refuses the repository to unless the
 * system git config names it, and git 2.39's git-http-backend also checks
 * "." (both tried on Debian 12).  Prints nothing when neither applies.
 */
static void
safe_directory_advice(const struct config *cf, struct repo *r)
{
	char *abs = realpath(repo_path(r), NULL);
	struct passwd *pw;
	struct stat st;
	unsigned perm = 0;
	char *owner;

	if (abs == NULL || stat(abs, &st) == -1) {
		free(abs);
		return;
	}
	repo_dir_shared(abs, &perm);
	if (st.st_uid == geteuid() && perm == 0) {
		free(abs);
		return;
	}
	owner = (pw = getpwuid(st.st_uid)) ? xstrdup(pw->pw_name) :
	    xasprintf("uid %u", (unsigned)st.st_uid);
	if (repo_safe_directory_set(abs) == 1)
		printf("  safe.directory: the system git config allows %s\n",
		    abs);
	else
		printf("  the hook runs as each pusher, and %s belongs to %s: "
		    "libgit2 refuses it\n  to any other user, and every print "
		    "tag with it, until you run, as root:\n"
		    "    git config --system --add safe.directory %s\n", abs,
		    owner, abs);
	printf("  with git-http-backend, which also checks '.', put in the web "
	    "server's config:\n"
	    "    SetEnv GIT_CONFIG_COUNT 1\n"
	    "    SetEnv GIT_CONFIG_KEY_0 safe.directory\n"
	    "    SetEnv GIT_CONFIG_VALUE_0 .\n");
	free(owner);
	free(abs);
}

/*
 * Makes room for printgate's hook at path: nothing there, or printgate's
 * own, is fine; another hook is kept aside with --force (force), else
 * refused.  0, or EXIT_ERR said on stderr.
 */
static int
install_room(const char *path, bool force)
{
	/* a link or a FIFO at update is not ours either */
	if (hook_is_ours(path) != 0)
		return 0;
	if (!force) {
		fprintf(stderr, "printgatectl: %s exists and is not "
		    "printgate's; move it aside (or chain it) and run again, "
		    "or use --force to replace it (the old one is kept)\n",
		    path);
		return EXIT_ERR;
	}
	return hook_keep(path) != 0 ? EXIT_ERR : 0;
}

/*
 * Writes the hook as update in the hooks folder dfd (path for people): a
 * copy of prog, which git runs with no shell in front of it (see
 * hooks/update.c), and its settings beside it, written first so that
 * the hook is never without them.  0, or EXIT_ERR said.
 */
static int
install_files(const struct config *cf, int dfd, const char *path,
    const char *prog, const char *conf)
{
	struct buf b = { 0 };
	char *bin = NULL;
	size_t len;
	int error;

	if ((error = read_whole(prog, &bin, &len)) < 0) {
		fprintf(stderr, "printgatectl: cannot copy the hook program "
		    "%s: %s; install printgate there, or run the printgatectl "
		    "installed beside its printgate-update\n", prog,
		    error == -EINVAL ? "not a regular file" : strerror(-error));
		return EXIT_ERR;
	}
	if (hook_settings(&b, prog, conf, cf->gate_socket) < 0) {
		fprintf(stderr, "printgatectl: cannot write the hook's "
		    "settings: %s, %s and %s must be absolute paths without a "
		    "newline\n", prog, conf, cf->gate_socket);
		error = -EINVAL;
		goto done;
	}
	/* owned by whoever runs this: a hook written by root stays root's */
	error = util_write_atomic(dfd, "update" HOOK_SETTINGS_SUFFIX, b.s,
	    strlen(b.s), 0644, (uid_t)-1, (gid_t)-1);
	if (error < 0) {
		fprintf(stderr, "printgatectl: cannot write %s"
		    HOOK_SETTINGS_SUFFIX ": %s\n", path, strerror(-error));
		goto done;
	}
	error = util_write_atomic(dfd, "update", bin, len, 0755, (uid_t)-1,
	    (gid_t)-1);
	if (error < 0) {
		fprintf(stderr, "printgatectl: cannot write %s: %s\n", path,
		    strerror(-error));
		goto done;
	}
	printf("installed the update hook: %s\n  a copy of %s, with %s\n"
	    "  its settings in %s" HOOK_SETTINGS_SUFFIX "\n"
	    "  asks printgated on %s first (the warm path), else decides "
	    "itself\n", path, prog, conf, path, cf->gate_socket);
done:
	buf_free(&b);
	free(bin);
	return error < 0 ? EXIT_ERR : 0;
}

/*
 * git honours replace refs (show, archive) and libgit2 does not: one
 * would make the server serve other content than was reviewed.  0, or
 * EXIT_ERR said.
 */
static int
install_no_replace_refs(struct repo *r)
{
	if (repo_config_set_bool(r, "core.useReplaceRefs", false) < 0) {
		fprintf(stderr, "printgatectl: cannot set core.useReplaceRefs "
		    "= false in %sconfig: %s\n", repo_path(r),
		    repo_strerror());
		return EXIT_ERR;
	}
	printf("  set core.useReplaceRefs = false: git on the server ignores "
	    "replace refs\n");
	return 0;
}

/* Warns when the hook's program or its fallback beside it is missing. */
static void
install_check_programs(const char *prog)
{
	char *local;

	if (access(prog, X_OK) != 0) {
		printf("  warning: %s is not there yet: until it is, every "
		    "push is refused; install printgate there, or run the "
		    "printgatectl installed beside its printgate-update\n",
		    prog);
		return;
	}
	/* the fallback: beside printgate-update, as make installs it */
	local = xasprintf("%.*s/printgate-update-local",
	    (int)(strrchr(prog, '/') - prog), prog);
	if (access(local, X_OK) != 0)
		printf("  warning: %s is not there: when printgated does not "
		    "answer, every push is refused; install it beside %s\n",
		    local, prog);
	free(local);
}

static int
cmd_install_hook(int argc, char *argv[])
{
	struct config *cf;
	struct repo *r;
	char *hooks = NULL, *path, *prog = NULL, *abs_config = NULL;
	bool force = argc == 2 && strcmp(argv[1], "--force") == 0;
	int dfd, error;

	if (argc != 1 && !force)
		usage();
	cf = load_config(0);
	r = open_repo(cf);
	/* A core.hooksPath would make git ignore hooks/update. */
	path = hook_path(r);
	hooks = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	mkdir(hooks, 0755);
	if ((dfd = hooks_open(hooks)) == -1) {
		free(path);
		free(hooks);
		return EXIT_ERR;
	}
	prog = hook_program();
	abs_config = realpath(config_path, NULL);
	if ((error = install_room(path, force)) != 0 ||
	    (error = install_files(cf, dfd, path, prog, abs_config ?
	    abs_config : config_path)) != 0 ||
	    (error = install_no_replace_refs(r)) != 0)
		goto done;
	if (baseline(cf, r) < 0) {
		error = EXIT_ERR;
		goto done;
	}
	install_check_programs(prog);
	safe_directory_advice(cf, r);
	error = 0;
done:
	close(dfd);
	free(abs_config);
	free(prog);
	free(path);
	free(hooks);
	return error;
}

/*
 * What install-hook set and uninstall-hook leaves (git serving replace
 * refs again is a choice to make, not a default to fall back to): said,
 * with the command that undoes it, when the repository's own config
 * file has it.
 */
static void
told_replace_refs(struct repo *r)
{
	struct buf b = { 0 };
	bool v = true;

	if (repo_config_local_bool(r, "core.useReplaceRefs", &v) < 0 || v)
		return;
	sh_quote(&b, repo_path(r));
	printf("  core.useReplaceRefs stays false, as install-hook set it: git "
	    "on the server ignores replace refs; undo it with\n"
	    "    git --git-dir=%s config --unset core.useReplaceRefs\n", b.s);
	buf_free(&b);
}

/*
 * Removes printgate's update hook and puts back the one install-hook
 * --force replaced, if it kept one.  A hook that is not printgate's is
 * left alone (exit 2); no hook at all is "nothing found" (exit 1).  The
 * ledger, pending refs and state are kept: reinstalling resumes.
 */
static int
cmd_uninstall_hook(int argc, char *argv[])
{
	struct config *cf;
	struct repo *r;
	char *path, *kept, *side;
	int ours, rc = EXIT_ERR;

	if (argc != 1)
		usage();
	cf = load_config(0);
	r = open_repo(cf);
	path = hook_path(r);
	kept = xasprintf("%s" HOOK_KEPT_SUFFIX, path);
	side = xasprintf("%s" HOOK_SETTINGS_SUFFIX, path);
	if ((ours = hook_is_ours(path)) == -ENOENT) {
		printf("no update hook in %s: nothing to uninstall\n",
		    repo_path(r));
		rc = EXIT_NOT;
		goto done;
	}
	if (ours < 0) {
		fprintf(stderr, "printgatectl: cannot read %s: %s\n", path,
		    strerror(-ours));
		goto done;
	}
	if (ours == 0) {
		fprintf(stderr, "printgatectl: %s is not printgate's hook; "
		    "left as it is\n", path);
		goto done;
	}
	if (access(kept, F_OK) == 0) {
		/* rename() replaces ours in one step: never no hook between */
		if (rename(kept, path) == -1) {
			fprintf(stderr, "printgatectl: cannot put %s back as "
			    "%s: %s\n", kept, path, strerror(errno));
			goto done;
		}
		printf("removed printgate's update hook and put back the one "
		    "it replaced: %s\n", path);
	} else if (unlink(path) == -1) {
		fprintf(stderr, "printgatectl: cannot remove %s: %s\n", path,
		    strerror(errno));
		goto done;
	} else
		printf("removed printgate's update hook: %s\n", path);
	if (unlink(side) == -1 && errno != ENOENT)
		fprintf(stderr, "printgatectl: cannot remove the hook's "
		    "settings %s: %s (nothing reads them now)\n", side,
		    strerror(errno));
	printf("  print tags are no longer gated; the ledger (%s) and the "
	    "refs under refs/printgate/ are kept\n", LEDGER_REF);
	told_replace_refs(r);
	rc = 0;
done:
	free(side);
	free(kept);
	free(path);
	return rc;
}

static int
cmd_status(int argc, char *argv[])
{
	struct config *cf;
	struct repo *r;
	struct review *rv;
	char *s;
	int rc;

	if (argc != 2)
		usage();
	cf = load_config(0);
	r = open_repo(cf);
	resolve(cf, r, argv[1], &ctl.t);
	rv = ctl.rv = load_review(cf, r, &ctl.t);
	s = review_format_status(cf, rv);
	fputs(s, stdout);
	rc = rv->approved || rv->released ? 0 : EXIT_NOT;
	free(s);
	return rc;
}

/* What pending_load needs: the repository, the lines made so far. */
struct pending_ctx {
	struct repo *r;
	struct buf *lines;
};

/*
 * Loads a waiting review (review_loader), or exits saying why; the lines
 * before it are printed first, so that they are not lost.
 */
static int
pending_load(void *ctx, const char *tag, struct review **out)
{
	struct pending_ctx *pc = ctx;
	struct review_target t;

	fputs(pc->lines->s ? pc->lines->s : "", stdout);
	free(buf_steal(pc->lines));
	resolve(ctl.cf, pc->r, tag, &t);
	*out = load_review(ctl.cf, pc->r, &t);
	review_target_clear(&t);
	return 0;
}

static int
cmd_pending(int argc, char *argv[])
{
	struct buf b = { 0 };
	struct pending_ctx pc = { .lines = &b };
	struct config *cf;
	struct repo *r;
	ssize_t n;

	if (argc != 1)
		usage();
	cf = load_config(0);
	pc.r = r = open_repo(cf);
	n = review_format_pending(cf, r, SIZE_MAX, pending_load, &pc, &b);
	if (n < 0) {
		fprintf(stderr, "printgatectl: cannot list %s: %s\n",
		    PENDING_PREFIX, repo_strerror());
		return EXIT_ERR;
	}
	fputs(b.s ? b.s : "", stdout);
	free(b.s);
	return n ? 0 : EXIT_NOT;
}

static void
print_event(const struct ledger_event *ev, bool with_commit)
{
	char at[21];

	util_rfc3339(ev->at, at);
	printf("%s  %s%.7s%s%-20s  %-10s  via %s", at,
	    with_commit ? "" : "", with_commit ? ev->commit : "",
	    with_commit ? "  " : "", ledger_type_name(ev->type), ev->by,
	    ev->via);
	if (ev->tag)
		printf("  %s", ev->tag);
	if (ev->nrules) {
		printf("  rules:");
		for (size_t i = 0; i < ev->nrules; i++)
			printf("%s%s", i ? "," : " ", ev->rules[i]);
	}
	if (ev->comment)
		printf("  \"%s\"", ev->comment);
	printf("\n");
}

static int
note_collect(void *ctx, const char *commit, const char *text)
{
	ledger_parse_note(ctx, commit, text, NULL, NULL);
	return 0;
}

static int
event_cmp(const void *a, const void *b)
{
	const struct ledger_event *x = a, *y = b;
	int c;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if ((c = strcmp(x->commit, y->commit)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
cmd_log(int argc, char *argv[])
{
	struct ledger_events evs = { 0 };
	struct config *cf;
	struct repo *r;
	char head[OID_HEX], commit[OID_HEX];
	int error;

	if (argc > 2)
		usage();
	cf = load_config(0);
	r = open_repo(cf);
	error = repo_notes_head(r, LEDGER_REF, head);
	if (error == -ENOENT) {
		printf("the ledger is empty\n");
		return EXIT_NOT;
	}
	if (error < 0) {
		fprintf(stderr, "printgatectl: cannot read %s: %s\n",
		    LEDGER_REF, repo_strerror());
		return EXIT_ERR;
	}
	if (argc == 2) {
		struct review_target t;

		resolve(cf, r, argv[1], &t);
		memcpy(commit, t.commit, OID_HEX);
		review_target_clear(&t);
		error = ledger_read(r, head, commit, &evs);
	} else
		error = repo_note_foreach(r, head, note_collect, &evs);
	if (error < 0) {
		fprintf(stderr, "printgatectl: cannot read the ledger: %s\n",
		    repo_strerror());
		return EXIT_ERR;
	}
	qsort(evs.v, evs.n, sizeof(*evs.v), event_cmp);
	for (size_t i = 0; i < evs.n; i++)
		print_event(&evs.v[i], argc == 1);
	if (evs.malformed)
		printf("%zu malformed line%s skipped: run printgatectl "
		    "verify\n", evs.malformed, evs.malformed == 1 ? "" : "s");
	error = evs.n ? 0 : EXIT_NOT;
	if (evs.n == 0)
		printf("no events for %s\n", argc == 2 ? argv[1] : "any commit");
	ledger_events_free(&evs);
	return error;
}

static int
cmd_who(int argc, char *argv[])
{
	struct repo_pathspec **ps;
	struct config *cf;
	bool found = false;

	if (argc < 2)
		usage();
	cf = load_config(0);
	ps = xcalloc(cf->nrules, sizeof(*ps));
	for (size_t i = 0; i < cf->nrules; i++)
		if (repo_pathspec_new(&ps[i], cf->rules[i].paths,
		    cf->rules[i].npaths) < 0) {
			fprintf(stderr, "printgatectl: rule '%s': invalid "
			    "paths\n", cf->rules[i].name);
			return EXIT_ERR;
		}
	for (int a = 1; a < argc; a++) {
		const char *path = argv[a];
		struct buf b = { 0 };

		while (str_startswith(path, "./"))
			path += 2;
		printf("%s\n", path);
		if (review_format_who(cf, path, "  ", true, &b) > 0)
			found = true;
		else
			buf_adds(&b, "  no rule: prints without review\n");
		fputs(b.s, stdout);
		free(b.s);
	}
	for (size_t i = 0; i < cf->nrules; i++)
		repo_pathspec_free(ps[i]);
	free(ps);
	return found ? 0 : EXIT_NOT;
}

static char *
cli_via(void)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw && pw->pw_name)
		return xasprintf("cli:%s", pw->pw_name);
	return xasprintf("cli:%u", (unsigned)geteuid());
}

/*
 * Records rec about rv with a new id, now; says why on failure.  Returns
 * 0 or EXIT_ERR.
 */
static int
record(struct repo *r, const struct config *cf, const struct review *rv,
    struct record *rec)
{
	int error;

	if ((error = util_random_id(rec->id)) < 0) {
		fprintf(stderr, "printgatectl: cannot make an event id: %s\n",
		    strerror(-error));
		return EXIT_ERR;
	}
	rec->at = (int64_t)time(NULL);
	error = record_append(r, cf, rv, rv->commit, rec,
	    CTL_LEDGER_TIMEOUT_MS, NULL);
	if (error < 0) {
		fprintf(stderr, "printgatectl: nothing was recorded: cannot "
		    "write %s: %s%s\n", LEDGER_REF, record_why(error),
		    error == -ETIMEDOUT ? "; try again" : "");
		return EXIT_ERR;
	}
	return 0;
}

static int
cmd_request(int argc, char *argv[])
{
	struct record rec = { 0 };
	struct config *cf;
	struct repo *r;
	struct review *rv;
	const char *tag = NULL;
	size_t *rules, n = 0;
	char *s, *name, *via;
	int rc;

	if (argc == 4 && strcmp(argv[2], "--tag") == 0)
		tag = argv[3];
	else if (argc == 4 && strcmp(argv[1], "--tag") == 0) {
		tag = argv[2];
		argv[1] = argv[3];
	} else
		usage();
	cf = load_config(0);
	r = open_repo(cf);
	if (repo_resolve_commit(r, argv[1], ctl.t.commit) < 0) {
		fprintf(stderr, "printgatectl: '%s' is not a commit\n",
		    argv[1]);
		return EXIT_NOT;
	}
	name = xasprintf("refs/tags/%s", tag);
	if (!str_startswith(name, cf->print_prefix)) {
		fprintf(stderr, "printgatectl: '%s' is not a print tag name: "
		    "print tags are %s\n", tag, cf->print_tags);
		free(name);
		return EXIT_ERR;
	}
	free(name);
	ctl.t.tag = xstrdup(tag);
	rv = ctl.rv = load_review(cf, r, &ctl.t);
	record_applying(rv, &rules, &n);
	via = cli_via();
	rec.type = LEDGER_REQUEST;
	rec.by = "printgate";	/* an administrator, not a person */
	rec.via = via;
	rec.tag = tag;
	rec.rules = rules;
	rec.nrules = n;
	rec.fingerprints = true;
	rc = record(r, cf, rv, &rec);
	if (rc == 0) {
		s = review_format_status(cf, rv);
		printf("review of %s requested\n%s", tag, s);
		free(s);
	}
	free(via);
	free(rules);
	return rc;
}

/*
 * decide's arguments: --as PERSON, --comment TEXT, TAG|REV and the
 * decision, into *as, *comment, *target and *type; exits on a usage
 * error, EXIT_ERR for a decision or comment that cannot be.
 */
static int
decide_args(int argc, char *argv[], const char **as, const char **comment,
    const char **target, enum ledger_type *type)
{
	static const struct option opts[] = {
		{ "as", required_argument, NULL, 'a' },
		{ "comment", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *decision;
	int ch;

	optind = 0;	/* glibc: start over, forgetting the "+" of main's optstring */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			*as = optarg;
			break;
		case 'm':
			*comment = optarg;
			break;
		default:
			usage();
		}
	}
	if (*as == NULL || argc - optind != 2)
		usage();
	*target = argv[optind];
	decision = argv[optind + 1];
	if (strcmp(decision, "changes") == 0)
		decision = "changes-required";
	if (ledger_type_parse(decision, type) < 0 ||
	    !ledger_is_decision(*type)) {
		fprintf(stderr, "printgatectl: '%s' is not a decision: use "
		    "approve, approve-with-changes or changes-required\n",
		    decision);
		return EXIT_ERR;
	}
	if (*comment && strlen(*comment) > LEDGER_MAX_COMMENT) {
		fprintf(stderr, "printgatectl: the comment is longer than %d "
		    "bytes\n", LEDGER_MAX_COMMENT);
		return EXIT_ERR;
	}
	return 0;
}

/* What decide recorded, and the review as it stands now. */
static void
decide_recorded(const struct config *cf, struct repo *r,
    const struct review *rv, const struct record *rec)
{
	struct review *after;
	char *name = review_name(rv), *line;

	printf("recorded: %s %s %s (rules:", rec->by,
	    ledger_type_name(rec->type), name);
	for (size_t i = 0; i < rec->nrules; i++)
		printf(" %s", cf->rules[rec->rules[i]].name);
	printf(") via %s\n", rec->via);
	free(name);
	after = load_review(cf, r, &ctl.t);
	line = review_format_line(cf, after);
	printf("%s\n", line);
	free(line);
	review_free(after);
}

static int
cmd_decide(int argc, char *argv[])
{
	struct record rec = { 0 };
	struct config *cf;
	struct repo *r;
	struct review *rv;
	const char *as = NULL, *comment = NULL, *target = NULL;
	size_t *rules = NULL, n = 0;
	char *why = NULL, *name, *via;
	ssize_t person;
	int rc;

	if (decide_args(argc, argv, &as, &comment, &target, &rec.type) != 0)
		return EXIT_ERR;
	cf = load_config(0);
	if ((person = config_person_find(cf, as)) < 0) {
		fprintf(stderr, "printgatectl: no person '%s' in %s\n", as,
		    cf->path);
		return EXIT_ERR;
	}
	r = open_repo(cf);
	resolve(cf, r, target, &ctl.t);
	if (ctl.t.released) {
		fprintf(stderr, "printgatectl: %s was already released; "
		    "there is nothing left to decide\n", ctl.t.tag);
		return EXIT_ERR;
	}
	rv = ctl.rv = load_review(cf, r, &ctl.t);
	if (review_eligible(cf, rv, (size_t)person, &rules, &n, &why) < 0) {
		name = review_name(rv);
		fprintf(stderr, "printgatectl: refusing to record a decision "
		    "on %s: %s\n", name, why);
		free(name);
		free(why);
		return EXIT_ERR;
	}
	via = cli_via();
	rec.by = cf->people[person].id;
	rec.via = via;
	rec.tag = rv->tag;
	rec.comment = comment;
	rec.rules = rules;
	rec.nrules = n;
	rec.fingerprints = true;
	if ((rc = record(r, cf, rv, &rec)) == 0)
		decide_recorded(cf, r, rv, &rec);
	free(via);
	free(rules);
	return rc;
}

/*
 * link TAG [--for PERSON]: prints the review page's link of the print
 * tag's candidate, a channel's (read-only) or PERSON's personal link
 * (they may decide on the page), lasting review.link_ttl.  The links
 * secret must be there already: printgated makes it on its first start
 * (made here, as root, printgated could not read it).
 */
static int
cmd_link(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *person = NULL;
	struct token_keys k;
	struct config *cf;
	char *why = NULL, *url = NULL;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'f')
			usage();
		person = optarg;
	}
	if (argc - optind != 1)
		usage();
	cf = load_config(0);
	if (person && config_person_find(cf, person) < 0) {
		fprintf(stderr, "printgatectl: no person '%s' in %s\n", person,
		    cf->path);
		return EXIT_ERR;
	}
	resolve(cf, open_repo(cf), argv[optind], &ctl.t);
	if (ctl.t.tag == NULL) {
		fprintf(stderr, "printgatectl: '%s' is no print tag, nor one "
		    "waiting for approval: links are to a print tag's "
		    "review\n", argv[optind]);
		return EXIT_ERR;
	}
	if (link_keys_load(&k, cf, true, &why) < 0) {
		fprintf(stderr, "printgatectl: %s\n", why);
		free(why);
		return EXIT_ERR;
	}
	if (link_make(&url, cf, &k, ctl.t.tag, ctl.t.commit, person,
	    (int64_t)time(NULL)) < 0) {
		token_keys_clear(&k);
		fprintf(stderr, "printgatectl: '%s' cannot go in a link\n",
		    ctl.t.tag);
		return EXIT_ERR;
	}
	token_keys_clear(&k);
	if (cf->http.public_url == NULL)
		fprintf(stderr, "printgatectl: http.public_url is not set: "
		    "this is the link's path only\n");
	printf("%s\n", url);
	free(url);
	return 0;
}

static void
verify_report(void *ctx, const char *commit, size_t line, const char *why)
{
	(void)ctx;
	printf("%s:%zu: %s\n", commit, line, why);
}

struct verify_ctx {
	struct ledger_events evs;
	size_t notes;
};

static int
verify_note(void *ctx, const char *commit, const char *text)
{
	struct verify_ctx *v = ctx;

	v->notes++;
	ledger_parse_note(&v->evs, commit, text, verify_report, NULL);
	return 0;
}

static int
cmd_verify(int argc, char *argv[])
{
	struct verify_ctx v = { 0 };
	struct config *cf;
	struct repo *r;
	char head[OID_HEX];
	int error, rc;

	if (argc != 1)
		usage();
	cf = load_config(0);
	r = open_repo(cf);
	error = repo_notes_head(r, LEDGER_REF, head);
	if (error == 0)
		error = repo_note_foreach(r, head, verify_note, &v);
	if (error < 0 && error != -ENOENT) {
		fprintf(stderr, "printgatectl: cannot read %s: %s\n",
		    LEDGER_REF, repo_strerror());
		return EXIT_ERR;
	}
	printf("ledger %s: %zu note%s, %zu event%s, %zu malformed line%s\n",
	    LEDGER_REF, v.notes, v.notes == 1 ? "" : "s", v.evs.n,
	    v.evs.n == 1 ? "" : "s", v.evs.malformed,
	    v.evs.malformed == 1 ? "" : "s");
	rc = v.evs.malformed ? EXIT_NOT : 0;
	ledger_events_free(&v.evs);
	return rc;
}

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Lists one folder's deliveries; *failed when it could not be read. */
static size_t
list_deliveries(const struct config *cf, const char *which, bool *failed)
{
	struct delivery *d = NULL;
	char *why = NULL;
	size_t n = 0;
	int error;

	if ((error = outbox_list(cf->state_dir, which, &d, &n, &why)) < 0) {
		/* no state folder yet: printgated never ran */
		if (error != -ENOENT) {
			fprintf(stderr, "printgatectl: %s\n", why);
			*failed = true;
		}
		free(why);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char when[21];

		util_rfc3339((d[i].next_at) / 1000, when);
		printf("%-6s %s  %-12s %-22s %s  %u attempt%s", which, d[i].id,
		    d[i].target, d[i].event, d[i].review, d[i].attempts,
		    d[i].attempts == 1 ? "" : "s");
		if (strcmp(which, "outbox") == 0)
			printf(", next %s", when);
		if (d[i].last_error)
			printf(", last: %s", d[i].last_error);
		printf("\n");
	}
	outbox_deliveries_free(d, n);
	return n;
}

static int
cmd_outbox(int argc, char *argv[])
{
	struct config *cf;
	char *why = NULL;
	bool failed = false;
	size_t n;
	int error;

	if (argc == 3 && strcmp(argv[1], "retry") == 0) {
		cf = load_config(0);
		if ((error = outbox_requeue(cf->state_dir, argv[2],
		    wall_ms(), &why)) < 0) {
			if (why)
				fprintf(stderr, "printgatectl: %s\n", why);
			else
				fprintf(stderr, "printgatectl: cannot requeue "
				    "'%s': %s\n", argv[2], error == -ENOENT ?
				    "no such delivery in dead" :
				    error == -EINVAL ? "not a delivery id, or "
				    "its file in dead is not a delivery" :
				    strerror(-error));
			if (why) {
				free(why);
				return EXIT_ERR;
			}
			return error == -ENOENT || error == -EINVAL ?
			    EXIT_NOT : EXIT_ERR;
		}
		printf("requeued %s: printgated picks it up when it reloads "
		    "(systemctl reload printgated) or restarts\n", argv[2]);
		return 0;
	}
	if (argc != 1)
		usage();
	cf = load_config(0);
	n = list_deliveries(cf, "outbox", &failed);
	if (!failed)
		n += list_deliveries(cf, "dead", &failed);
	if (failed)
		return EXIT_ERR;
	if (n == 0)
		printf("no delivery waits or was given up\n");
	return n ? 0 : EXIT_NOT;
}

static const struct {
	const char *name;
	int (*fn)(int, char *[]);
} commands[] = {
	{ "outbox", cmd_outbox },
	{ "check", cmd_check },
	{ "install-hook", cmd_install_hook },
	{ "uninstall-hook", cmd_uninstall_hook },
	{ "status", cmd_status },
	{ "pending", cmd_pending },
	{ "log", cmd_log },
	{ "who", cmd_who },
	{ "request", cmd_request },
	{ "decide", cmd_decide },
	{ "verify", cmd_verify },
	{ "link", cmd_link },
};

int
main(int argc, char *argv[])
{
	int ch;

	log_init("printgatectl", false);
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			int rc = commands[i].fn(argc, argv);

			review_free(ctl.rv);
			review_target_clear(&ctl.t);
			repo_free(ctl.r);
			config_free(ctl.cf);
			return rc;
		}
	}
	fprintf(stderr, "printgatectl: unknown command '%s'\n", argv[0]);
	usage();
}
