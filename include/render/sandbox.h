/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sandbox.h - what confines printgate-render while it reads a hostile
 * file: resource limits, no new privileges, and a seccomp filter that
 * allows reading, computing and writing the answer, and kills the process
 * on anything else (a socket, exec, a new or writable file).  The only
 * file that includes libseccomp.
 */
#ifndef PRINTGATE_RENDER_SANDBOX_H
#define PRINTGATE_RENDER_SANDBOX_H

#include <stddef.h>

/* A build under AddressSanitizer (gcc's macro, clang's feature). */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#endif
#endif

struct sandbox_limits {
	int cpu_seconds;	/* CPU time, then SIGXCPU (and SIGKILL 2 s on) */
	long memory_mib;	/* address space */
	int files;		/* open descriptors at most */
};

/*
 * Sets the limits: RLIMIT_CPU, RLIMIT_AS (not in a build under
 * AddressSanitizer, whose shadow memory needs terabytes of address
 * space), RLIMIT_FSIZE 0 (no file grows), RLIMIT_CORE 0, RLIMIT_NOFILE,
 * and PR_SET_NO_NEW_PRIVS.  Returns 0 or -errno.
 */
int sandbox_limit(const struct sandbox_limits *l);

/*
 * Installs the seccomp filter, after the libraries are initialised and
 * the fonts known: from then on files open only for reading, only the
 * standard output and error are written, and a system call off the
 * allow-list kills the process (SIGSYS).  Returns 0 or a negative errno.
 */
int sandbox_filter(void);

/*
 * For the tests of the filter: tries what the filter must forbid, what
 * being one of "open" (a new file), "write" (an existing file for
 * writing), "socket" or "exec".  Returns only when the kernel let it
 * through (then the filter is broken).
 */
void sandbox_try(const char *what);

#endif
