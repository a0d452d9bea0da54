// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_util.c - unit tests of util.c's file helpers: util_write_atomic(),
 * the one way printgate writes a file, and util_state_dir_open(), the
 * check of a state folder.  Each attack is done for real in a fresh
 * folder: links planted at the names written, a write that fails half
 * way, folders others can write or that another user owns.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/util.h"

static char *tmp;	/* a fresh folder for each test */
static int tmpfd;	/* tmp, open */

/* ---- helpers ------------------------------------------------------------ */

static char *
slurp(const char *path)
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

static void
spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The names in tmp, sorted, one a line. */
static char *
names(void)
{
	struct dirent **v;
	struct buf b = { 0 };
	int n = scandir(tmp, &v, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 &&
		    strcmp(v[i]->d_name, "..") != 0)
			buf_addf(&b, "%s\n", v[i]->d_name);
		free(v[i]);
	}
	free(v);
	return buf_steal(&b);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int
tmp_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	tmp = xasprintf("%s/printgate-util-XXXXXX",
	    base && *base ? base : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return -1;
	tmpfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return tmpfd == -1 ? -1 : 0;
}

static int
tmp_teardown(void **state)
{
	(void)state;
	close(tmpfd);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(tmp);
	tmp = NULL;
	return 0;
}

/* ---- util_write_atomic() ------------------------------------------------ */

/* A new file: the content, the exact mode whatever the umask, no leftover. */
static void
test_write_new(void **state)
{
	char *path = xasprintf("%s/ledger-head", tmp), *text, *ls;
	mode_t old = umask(0077);
	struct stat st;

	(void)state;
	assert_int_equal(util_write_atomic(tmpfd, "ledger-head", "abc\n", 4,
	    0640, (uid_t)-1, (gid_t)-1), 0);
	umask(old);
	text = slurp(path);
	assert_string_equal(text, "abc\n");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, geteuid());
	ls = names();
	assert_string_equal(ls, "ledger-head\n");
	free(ls);
	free(text);

	/* replaced whole, mode set again */
	assert_int_equal(util_write_atomic(tmpfd, "ledger-head", "de", 2,
	    0600, (uid_t)-1, (gid_t)-1), 0);
	text = slurp(path);
	assert_string_equal(text, "de");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(text);
	free(path);
}

/*
 * A link planted at the name (to a file outside): the link is replaced by
 * the new file, the file it pointed at is untouched.
 */
static void
test_write_planted_link(void **state)
{
	char *outside = xasprintf("%s/outside", tmp);
	char *link = xasprintf("%s/http-port", tmp), *text;
	struct stat st;

	(void)state;
	spit(outside, "root's file\n");
	assert_int_equal(chmod(outside, 0644), 0);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(util_write_atomic(tmpfd, "http-port", "8080\n", 5,
	    0600, (uid_t)-1, (gid_t)-1), 0);
	text = slurp(outside);
	assert_string_equal(text, "root's file\n");
	free(text);
	assert_int_equal(stat(outside, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = slurp(link);
	assert_string_equal(text, "8080\n");
	free(text);

	/* a dangling link at the name: not followed to make a file either */
	assert_int_equal(unlink(link), 0);
	free(outside);
	outside = xasprintf("%s/made-through-link", tmp);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(util_write_atomic(tmpfd, "http-port", "1\n", 2,
	    0600, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(lstat(outside, &st), -1);
	assert_int_equal(errno, ENOENT);
	free(outside);
	free(link);
}

/*
 * A write that fails half way (the file size limit, after a short write):
 * the old content stays and no temporary file is left.
 */
static void
test_write_fails(void **state)
{
	char *path = xasprintf("%s/state", tmp), *text, *ls;
	char big[4096];
	struct rlimit old, small;
	void (*was)(int);

	(void)state;
	spit(path, "old\n");
	memset(big, 'x', sizeof(big));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	was = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(util_write_atomic(tmpfd, "state", big, sizeof(big),
	    0600, (uid_t)-1, (gid_t)-1), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	text = slurp(path);
	assert_string_equal(text, "old\n");
	free(text);
	ls = names();
	assert_string_equal(ls, "state\n");
	free(ls);

	/* a name with a '/' is refused, nothing is made */
	assert_int_equal(util_write_atomic(tmpfd, "../x", "a", 1, 0600,
	    (uid_t)-1, (gid_t)-1), -EINVAL);
	assert_int_equal(util_write_atomic(tmpfd, "", "a", 1, 0600,
	    (uid_t)-1, (gid_t)-1), -EINVAL);
	ls = names();
	assert_string_equal(ls, "state\n");
	free(ls);
	free(path);
}

/* Owner set on the descriptor (root only: giving a file away). */
static void
test_write_owner(void **state)
{
	char *path = xasprintf("%s/d", tmp);
	struct stat st;

	(void)state;
	if (geteuid() != 0) {
		print_message("# SKIP giving a file to another user needs "
		    "root\n");
		free(path);
		skip();
	}
	assert_int_equal(util_write_atomic(tmpfd, "d", "x", 1, 0600, 65534,
	    65534), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(path);
}

/* ---- util_state_dir_open() ---------------------------------------------- */

/* Asserts a refusal: the code, and a sentence with the folder and want. */
static void
dir_refused(const char *path, unsigned flags, int code, const char *want)
{
	char *why = NULL;
	int fd = -1;

	assert_int_equal(util_state_dir_open(&fd, path, flags, NULL, &why),
	    code);
	assert_int_equal(fd, -1);
	assert_non_null(why);
	if (strstr(why, path) == NULL || strstr(why, want) == NULL)
		fail_msg("want \"%s\" and '%s' in \"%s\"", want, path, why);
	free(why);
}

static void
test_dir_modes(void **state)
{
	char *dir = xasprintf("%s/state", tmp), *why = NULL;
	struct stat st;
	int fd = -1;

	(void)state;
	/* missing: made 0700 with UTIL_DIR_CREATE, an error without */
	dir_refused(dir, 0, -ENOENT, "No such file or directory");
	assert_int_equal(util_state_dir_open(&fd, dir, UTIL_DIR_CREATE, &st,
	    &why), 0);
	assert_true(fd >= 0);
	assert_null(why);
	close(fd);
	assert_int_equal(st.st_mode & 07777, 0700);

	assert_int_equal(chmod(dir, 0777), 0);
	dir_refused(dir, UTIL_DIR_CREATE, -EPERM, "can be written by anyone "
	    "(mode 0777), who could plant files in it: chmod 700");
	assert_int_equal(chmod(dir, 01777), 0);
	dir_refused(dir, 0, -EPERM, "(mode 1777)");
	assert_int_equal(chmod(dir, 0770), 0);
	dir_refused(dir, 0, -EPERM, "can be written by its group (mode "
	    "0770)");
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(util_state_dir_open(&fd, dir, 0, NULL, NULL), 0);
	close(fd);

	/* a file is no folder */
	free(dir);
	dir = xasprintf("%s/afile", tmp);
	spit(dir, "");
	dir_refused(dir, 0, -ENOTDIR, "Not a directory");
	free(dir);
}

/* A link at a folder that must not be one (outbox, dead). */
static void
test_dir_link(void **state)
{
	char *real = xasprintf("%s/elsewhere", tmp);
	char *link = xasprintf("%s/outbox", tmp);
	int fd = -1;

	(void)state;
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, link), 0);
	dir_refused(link, UTIL_DIR_NOFOLLOW | UTIL_DIR_CREATE, -ELOOP,
	    "is a symbolic link, which printgate does not follow");
	/* without the flag (state_dir itself, the administrator's) it is */
	assert_int_equal(util_state_dir_open(&fd, link, 0, NULL, NULL), 0);
	close(fd);
	free(link);
	free(real);
}

/*
 * Another user's folder: refused to anyone but root, who acts as its
 * owner.  The refusal is seen from a child that became uid 65534.
 */
static void
test_dir_owner(void **state)
{
	char *dir = xasprintf("%s/state", tmp);
	struct stat st;
	pid_t pid;
	int fd = -1, status;

	(void)state;
	if (geteuid() != 0) {
		print_message("# SKIP another user's folder needs root to "
		    "make\n");
		free(dir);
		skip();
	}
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(util_state_dir_open(&fd, dir, 0, &st, NULL), 0);
	assert_int_equal(st.st_uid, 65534);
	close(fd);

	/* a root-owned folder seen by uid 65534 (tmp must be searchable) */
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chmod(tmp, 0755), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		char *why = NULL;
		int rc;

		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(3);
		rc = util_state_dir_open(&fd, dir, 0, NULL, &why);
		_exit(rc == -EPERM && why && strstr(why, "belongs to root, "
		    "not to") && strstr(why, "chown -R") ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(dir);
}

/* A deadline's distance, as the review page says it. */
static void
test_duration(void **state)
{
	static const struct {
		int64_t secs;
		const char *out;
	} rows[] = {
		{ -5, "0s" }, { 59, "59s" }, { 60, "1m" }, { 3599, "59m" },
		{ 3600, "1h 0m" }, { 86399, "23h 59m" }, { 86400, "1d 0h" },
		{ 13 * 86400 + 23 * 3600, "13d 23h" }, { 14 * 86400, "14 days" },
		{ 729 * 86400 + 3600, "729 days" }, { 730 * 86400, "2 years" },
		{ 26340LL * 86400 + 4 * 3600, "72 years" },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		util_duration(rows[i].secs, out, sizeof(out));
		assert_string_equal(out, rows[i].out);
	}
}

int
main(void)
{
	static const struct CMUnitTest list[] = {
		cmocka_unit_test_setup_teardown(test_write_new, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_write_planted_link,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_write_fails, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_write_owner, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_modes, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_link, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_dir_owner, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests_name("util", list, NULL, NULL) ? 1 : 0;
}
