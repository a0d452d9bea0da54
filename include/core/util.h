/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util.h - small helpers shared by every program: allocation that aborts on
 * exhaustion, a growable string buffer, and string utilities.
 */
#ifndef PRINTGATE_UTIL_H
#define PRINTGATE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A commit, tree or blob id in hex (SHA-1 repositories), NUL-terminated. */
#define OID_HEX 41

/*
 * Allocation: like Redis's zmalloc, running out of memory is not an error
 * these programs can recover from in a useful way (a gate that half-decides
 * must not answer), so these print why and abort.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Frees each element of an array of strings, then the array. */
void strv_free(char **v, size_t n);

/* A growable NUL-terminated buffer; zero-initialise, then append. */
struct buf {
	char *s;
	size_t len;
	size_t cap;
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands the string over to the caller (never NULL) and empties the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

bool str_startswith(const char *s, const char *prefix);
/* Fills out with n random bytes from the kernel; 0 or -errno. */
int util_random(void *out, size_t n);
/* Writes a fresh random 128-bit id as 32 hex digits into out[33]. */
int util_random_id(char out[33]);
/* Milliseconds on CLOCK_MONOTONIC: for intervals, never for dates. */
int64_t util_mono_ms(void);
/* Formats t as RFC 3339 UTC ("2027-01-10T09:30:00Z") into out[21]. */
void util_rfc3339(int64_t t, char out[21]);
/* Parses an RFC 3339 UTC time as written by util_rfc3339; 0 or -EINVAL. */
int util_parse_rfc3339(const char *s, int64_t *out);
/* Formats a duration of seconds for people: "3d 4h", "25m", "10s". */
void util_duration(int64_t secs, char *out, size_t len);

/*
 * The UTF-8 character at s (n > 0 bytes left): its length in bytes, its
 * code point in *cp (when cp is not NULL); 0 when s does not start a valid
 * sequence (overlong forms, surrogates, past U+10FFFF).
 */
size_t util_utf8_char(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * The one way printgate writes a file: replaces name (a plain name, no
 * '/') in the open folder dirfd with the len bytes at data, so that a
 * reader and a crash see the old content or the new one, never a part.
 *
 * The bytes go to a new temporary file ".tmp-NAME.XXXXXXXX" in the same
 * folder, created with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC (a link or file
 * planted at any name is never written through or reused), written in
 * full (short writes and EINTR continue), given uid and gid with fchown
 * unless both are -1, then mode with fchmod (umask does not count), then
 * fsynced, closed, renamed onto name (a link at name is replaced, not
 * followed) and the folder fsynced.
 *
 * Returns 0, or -errno with name unchanged and the temporary file removed;
 * except that a failed fsync of the folder after the rename returns
 * -errno with the new content in place (it may not survive a power cut).
 */
int util_write_atomic(int dirfd, const char *name, const void *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid);
/*
 * util_write_atomic() with flags: UTIL_WRITE_DIR_LATER leaves the
 * folder's fsync to the caller, who writes several files and fsyncs
 * their folder once (the name is not durable until then).
 */
#define UTIL_WRITE_DIR_LATER 0x1
int util_write_atomic_flags(int dirfd, const char *name, const void *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid, unsigned flags);
/*
 * The same from the write on, into fd: open for writing on the empty
 * file tmp in dirfd (a spare one the caller keeps, emptied, rather than
 * a new one: creating files is what costs in a folder where as many are
 * removed).  fd is closed, and tmp removed on failure.
 */
int util_write_atomic_into(int dirfd, int fd, const char *tmp,
    const char *name, const void *data, size_t len, mode_t mode, uid_t uid,
    gid_t gid, unsigned flags);

/* The name of the user uid ("printgate"), or "uid N", into out. */
void util_user_name(uid_t uid, char *out, size_t len);

/* util_state_dir_open() flags */
#define UTIL_DIR_CREATE 0x1	/* make it (mode 0700) when it is missing */
#define UTIL_DIR_NOFOLLOW 0x2	/* refuse a symbolic link at path */

/*
 * Opens a folder printgate keeps state in (state_dir, its outbox and dead
 * folders) and checks it on the descriptor: it is a folder; neither its
 * group nor others may write it (the sticky bit does not make that
 * acceptable); and it belongs to the caller, or the caller is root (who
 * then acts as the folder's owner: files written there are given the
 * folder's uid and gid).  Returns 0 with *out a descriptor the caller
 * closes and *st its stat (when st is not NULL); or -errno (-EPERM for a
 * mode or owner refused, -ELOOP for a link refused) with *why, when why is
 * not NULL, one sentence the caller frees: the folder, what is wrong and
 * the command that fixes it.
 */
int util_state_dir_open(int *out, const char *path, unsigned flags,
    struct stat *st, char **why);

#endif
