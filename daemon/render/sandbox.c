/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sandbox.c - printgate-render's confinement (sandbox.h), after the
 * pattern of OpenSSH's and Chromium's renderers: limits first, then the
 * libraries initialised, then a seccomp allow-list that kills.
 *
 * The allow-list is what poppler, cairo, fontconfig, FreeType, glib and
 * the image libraries were seen to call (strace -f) while rendering PDFs
 * with embedded and system fonts and every image format, once the filter
 * is in: memory, reading, time, signals and exit.  open and openat pass
 * only without O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND and
 * O_TMPFILE (fonts and poppler's encoding data are read lazily);
 * write only to descriptors 1 and 2.
 *
 * Before the filter, a Landlock ruleset narrows what may be opened at all
 * to reading beneath the folders fonts and poppler's data live in (what
 * strace showed opened once the filter is in, over every fixture, and
 * the folders fontconfig says it reads): the filter alone would let code
 * run through a library's bug read any file the renderer's user can.
 */
#include "render/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
limit(int resource, rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { soft, hard };

	return setrlimit(resource, &rl) == -1 ? -errno : 0;
}

int
sandbox_limit(const struct sandbox_limits *l)
{
	int error;

	if ((error = limit(RLIMIT_CORE, 0, 0)) < 0 ||
	    (error = limit(RLIMIT_FSIZE, 0, 0)) < 0 ||
	    (error = limit(RLIMIT_NOFILE, (rlim_t)l->files,
	    (rlim_t)l->files)) < 0 ||
	    (error = limit(RLIMIT_CPU, (rlim_t)l->cpu_seconds,
	    (rlim_t)l->cpu_seconds + 2)) < 0)
		return error;
#ifndef SANDBOX_ASAN
	if ((error = limit(RLIMIT_AS, (rlim_t)l->memory_mib << 20,
	    (rlim_t)l->memory_mib << 20)) < 0)
		return error;
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -errno;
	return 0;
}

/* ---- Landlock ------------------------------------------------------------ */

/*
 * The rights of ABIs newer than Debian 12's headers (Linux 6.1: ABI 2),
 * by their fixed bit numbers: truncating (ABI 3) and device ioctls
 * (ABI 5).  The ABIs in between add network ports (4) and scopes for
 * abstract sockets and signals (6), which the seccomp filter already
 * forbids (no socket, signals to this process only).
 */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* What a rule allows: reading files, and listing a folder's. */
#define READ_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/*
 * Where the libraries read once the filter is in, besides fontconfig's
 * own folders: fonts loaded as a page needs them, poppler's encoding
 * data (CMaps, poppler-data), fontconfig's configuration and caches, and
 * /dev/urandom (jansson's hash seed).  A path that does not exist here
 * gets no rule.
 */
static const char *const read_paths[] = {
	"/usr/share/fonts", "/usr/local/share/fonts", "/usr/share/poppler",
	"/var/cache/fontconfig", "/etc/fonts", "/dev/urandom",
};

/* Every right the kernel's ABI abi knows of: all are refused but reading. */
static __u64
handled_rights(int abi)
{
	/* ABI 1: executing, writing, reading, making and removing */
	__u64 h = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return h;
}

/*
 * Adds to ruleset the rule that allows reading beneath path (a folder)
 * or path itself (a file).  A path that does not exist, is not reached
 * through folders, or cannot be searched is skipped: nothing there is
 * read anyway.  Returns 0 or -errno.
 */
static int
allow_read(int ruleset, const char *path)
{
	struct landlock_path_beneath_attr rule = { 0 };
	struct stat st;
	int fd, error = 0;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ?
		    0 : -errno;
	if (fstat(fd, &st) == -1) {
		error = -errno;
	} else {
		rule.parent_fd = fd;
		rule.allowed_access = S_ISDIR(st.st_mode) ? READ_RIGHTS :
		    LANDLOCK_ACCESS_FS_READ_FILE;
		if (syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &rule, 0) == -1)
			error = -errno;
	}
	close(fd);
	return error;
}

int
sandbox_landlock(char *const *dirs, size_t n)
{
	struct landlock_ruleset_attr attr = { 0 };
	int abi, ruleset, error = 0;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	/* not built in, off at boot, or hidden by a container's filter */
	if (abi < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ||
		    errno == EPERM ? -EOPNOTSUPP : -errno;
	attr.handled_access_fs = handled_rights(abi);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0);
	if (ruleset < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(read_paths) / sizeof(read_paths[0]) &&
	    error == 0; i++)
		error = allow_read(ruleset, read_paths[i]);
	for (size_t i = 0; i < n && error == 0; i++)
		error = allow_read(ruleset, dirs[i]);
	if (error == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) == -1)
		error = -errno;
	close(ruleset);
	return error < 0 ? error : abi;
}

/* ---- seccomp ------------------------------------------------------------- */

/* Calls allowed whatever their arguments. */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(pread64), SCMP_SYS(readv),
	SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(statx), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(lseek),
	SCMP_SYS(getdents64), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(fcntl), SCMP_SYS(fadvise64),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(mprotect), SCMP_SYS(madvise), SCMP_SYS(brk),
	SCMP_SYS(futex), SCMP_SYS(getrandom),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(uname),
	SCMP_SYS(sysinfo), SCMP_SYS(prlimit64), SCMP_SYS(getrlimit),
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};

/*
 * The flags that make an open create, truncate or write a file.  The
 * kernel's own bit of O_TMPFILE: glibc's __O_TMPFILE also holds
 * O_DIRECTORY, which opendir(3) sets.
 */
#define TMPFILE_BIT 020000000
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | \
	TMPFILE_BIT)

int
sandbox_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int error = 0;

	if (ctx == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] >= 0 && (error = seccomp_rule_add(ctx,
		    SCMP_ACT_ALLOW, allowed[i], 0)) < 0)
			goto done;
	if ((error = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, WRITE_FLAGS, 0))) < 0 ||
	    (error = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
	    SCMP_A1(SCMP_CMP_MASKED_EQ, WRITE_FLAGS, 0))) < 0)
		goto done;
	/* abort(3), as glib and poppler end when memory runs out: a signal to
	 * this process only */
	if ((error = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()))) < 0)
		goto done;
	for (int fd = 1; fd <= 2; fd++)
		if ((error = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, fd))) < 0 ||
		    (error = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    SCMP_SYS(writev), 1, SCMP_A0(SCMP_CMP_EQ, fd))) < 0)
			goto done;
	error = seccomp_load(ctx);
done:
	seccomp_release(ctx);
	return error;
}

int
sandbox_try_read(const char *path)
{
	char b[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	/* what an exploit would draw into a preview */
	if ((n = read(fd, b, sizeof(b))) > 0)
		(void)!write(STDOUT_FILENO, b, (size_t)n);
	close(fd);
	return 0;
}

void
sandbox_try(const char *what)
{
	char *argv[] = { "/bin/true", NULL };

	switch (what[0]) {
	case 'o':	/* a new file where the renderer's folder is */
		(void)!open("printgate-render-was-here",
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		break;
	case 'w':	/* an existing file, for writing */
		(void)!open("/dev/null", O_WRONLY | O_CLOEXEC);
		break;
	case 's':
		(void)!socket(AF_INET, SOCK_STREAM, 0);
		break;
	case 'e':
		execv(argv[0], argv);
		break;
	}
}
