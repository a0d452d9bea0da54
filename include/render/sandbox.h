/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sandbox.h - what confines printgate-render while it reads a hostile
 * file: resource limits, no new privileges, a Landlock ruleset under which
 * files open only for reading and only beneath the fonts' and poppler's
 * folders, and a seccomp filter that allows reading, computing and
 * writing the answer, and kills the process on anything else (a socket,
 * exec, a new or writable file).  The only file that includes libseccomp
 * and Landlock's header.
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
 * Confines with Landlock, after sandbox_limit() (no new privileges) and
 * the libraries' initialisation, before the filter: from then on this
 * process opens files only for reading (not for writing, truncating,
 * creating, removing, linking, running or a device's ioctls), and only
 * beneath the folders the libraries need (fonts, poppler's data,
 * fontconfig's configuration and caches, /dev/urandom) and the n folders
 * in dirs (fontconfig's own list, pdf_read_dirs()); anything else is
 * EACCES.  Every right the running kernel's ABI knows is refused, so a
 * newer kernel refuses more.  Binds the calling thread and those it
 * starts, as the filter does: the renderer has no other thread.  Returns the Landlock ABI version (1 or
 * more), -EOPNOTSUPP when the kernel has no Landlock (not built in, off
 * at boot, or hidden by a container's seccomp filter), or another -errno.
 */
int sandbox_landlock(char *const *dirs, size_t n);

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

/*
 * For the tests of the Landlock rules: opens path for reading and, when
 * the kernel lets it, copies its first 4 KiB to the standard output, as
 * code run through a library's bug would draw it into a preview.
 * Returns 0 when it was read (then the rules are broken), or the open's
 * -errno (-EACCES from Landlock).
 */
int sandbox_try_read(const char *path);

#endif
