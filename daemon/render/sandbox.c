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
 */
#include "render/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
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
