/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * util.c - allocation, string buffers, random ids and time formats shared by
 * every program, and the one way they write a file and open a state
 * folder.  No foreign library.
 */
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
oom(void)
{
	static const char msg[] = "printgate: out of memory\n";

	(void)!fwrite(msg, 1, sizeof(msg) - 1, stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	p = realloc(p, n * size > 0 ? n * size : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return buf_steal(&b);
}

void
strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = xreallocarray(b->s, b->cap, 1);
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	char *s = NULL;
	int n;

	if ((n = vasprintf(&s, fmt, ap)) < 0)
		oom();
	buf_add(b, s, (size_t)n);
	free(s);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

char *
buf_steal(struct buf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

bool
str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
util_random(void *out, size_t n)
{
	unsigned char *p = out;

	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int64_t
util_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
util_random_id(char out[33])
{
	unsigned char raw[16];
	int error;

	if ((error = util_random(raw, sizeof(raw))) < 0)
		return error;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

void
util_rfc3339(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
util_parse_rfc3339(const char *s, int64_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	struct tm tm = { 0 }, back;
	const char *end = s + strlen(shape);
	time_t t;

	/* exactly "YYYY-MM-DDTHH:MM:SS", an optional fraction, then "Z" */
	if (strlen(s) < strlen(shape))
		return -EINVAL;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return -EINVAL;
	if (*end == '.') {
		end++;
		if (*end < '0' || *end > '9')
			return -EINVAL;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (strcmp(end, "Z") != 0)
		return -EINVAL;
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	t = timegm(&tm);
	/* timegm() normalises 02-30 to 03-02, in tm too: refuse what moved */
	if (gmtime_r(&t, &back) == NULL || back.tm_year != atoi(s) - 1900 ||
	    back.tm_mon != atoi(s + 5) - 1 || back.tm_mday != atoi(s + 8) ||
	    back.tm_hour != atoi(s + 11) || back.tm_min != atoi(s + 14) ||
	    back.tm_sec != atoi(s + 17))
		return -EINVAL;
	*out = (int64_t)t;
	return 0;
}

void
util_duration(int64_t secs, char *out, size_t len)
{
	long long days;

	if (secs < 0)
		secs = 0;
	days = (long long)(secs / 86400);
	/* the hours of a far deadline tell nothing; years, days as counted */
	if (days >= 730)
		snprintf(out, len, "%lld years", days / 365);
	else if (days >= 14)
		snprintf(out, len, "%lld days", days);
	else if (days >= 1)
		snprintf(out, len, "%lldd %lldh", days,
		    (long long)(secs % 86400 / 3600));
	else if (secs >= 3600)
		snprintf(out, len, "%lldh %lldm", (long long)(secs / 3600),
		    (long long)(secs % 3600 / 60));
	else if (secs >= 60)
		snprintf(out, len, "%lldm", (long long)(secs / 60));
	else
		snprintf(out, len, "%llds", (long long)secs);
}

/*
 * Decodes the character at s (n > 0 bytes left) into *cp and returns its
 * length in bytes, or 0 when s does not start a valid UTF-8 sequence
 * (overlong forms, surrogates and values past U+10FFFF are not valid).
 */
size_t
util_utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len;

	if (s[0] < 0x80) {
		if (cp)
			*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp)
		*cp = c;
	return len;
}

/*
 * See util.h.  The temporary file is made in the target's own folder (a
 * rename does not cross file systems) under a random name, exclusively and
 * without following a link, so that nothing planted at a temporary name
 * (a symbolic link to /etc/passwd, a file another user keeps open) is
 * written through or reused.  Owner and mode are set on the descriptor,
 * never by path, after the owner (fchown clears set-id bits) and whatever
 * the umask.
 */
int
util_write_atomic(int dirfd, const char *name, const void *data, size_t len,
    mode_t mode, uid_t uid, gid_t gid)
{
	return util_write_atomic_flags(dirfd, name, data, len, mode, uid, gid,
	    0);
}

int
util_write_atomic_flags(int dirfd, const char *name, const void *data,
    size_t len, mode_t mode, uid_t uid, gid_t gid, unsigned flags)
{
	char tmp[PATH_MAX], rnd[33];
	int fd = -1, error = 0;

	if (name[0] == '\0' || strchr(name, '/') != NULL)
		return -EINVAL;
	for (int tries = 0; fd == -1 && tries < 8; tries++) {
		if ((error = util_random_id(rnd)) < 0)
			return error;
		if ((size_t)snprintf(tmp, sizeof(tmp), ".tmp-%s.%.8s", name,
		    rnd) >= sizeof(tmp))
			return -ENAMETOOLONG;
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd == -1 && errno != EEXIST)
			return -errno;
	}
	if (fd == -1)
		return -EEXIST;
	return util_write_atomic_into(dirfd, fd, tmp, name, data, len, mode,
	    uid, gid, flags);
}

int
util_write_atomic_into(int dirfd, int fd, const char *tmp, const char *name,
    const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
    unsigned flags)
{
	const char *p = data;
	int error = 0;

	if (name[0] == '\0' || strchr(name, '/') != NULL) {
		error = -EINVAL;
		goto done;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			error = -errno;
			goto done;
		}
		p += w;
		len -= (size_t)w;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchown(fd, uid, gid) == -1) {
		error = -errno;
		goto done;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		error = -errno;
		goto done;
	}
	error = close(fd) == -1 ? -errno : 0;
	fd = -1;
	if (error == 0 && renameat(dirfd, tmp, dirfd, name) == -1)
		error = -errno;
	if (error == 0 && !(flags & UTIL_WRITE_DIR_LATER) &&
	    fsync(dirfd) == -1)
		return -errno;	/* renamed: the temporary name is gone */
done:
	if (fd != -1)
		close(fd);
	if (error < 0)
		unlinkat(dirfd, tmp, 0);
	return error;
}

void
util_user_name(uid_t uid, char *out, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(out, len, "%s", res->pw_name);
	else
		snprintf(out, len, "uid %u", (unsigned)uid);
}

/*
 * See util.h.  Others must not be able to write the folder, sticky bit or
 * not: they could plant names in it (links at the names printgate writes,
 * files that fill it), and nobody but its owner has business there.
 */
int
util_state_dir_open(int *out, const char *path, unsigned flags,
    struct stat *st_out, char **why)
{
	char me[64], owner[64];
	struct stat st;
	int fd, error = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (flags & UTIL_DIR_NOFOLLOW ? O_NOFOLLOW : 0));
	if (fd == -1 && errno == ENOENT && (flags & UTIL_DIR_CREATE)) {
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			error = -errno;
		else
			fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			    (flags & UTIL_DIR_NOFOLLOW ? O_NOFOLLOW : 0));
	}
	if (error == 0 && fd == -1)
		error = -errno;
	if (error < 0) {
		struct stat lst;

		/* O_NOFOLLOW|O_DIRECTORY on a link fails ENOTDIR or ELOOP */
		if ((flags & UTIL_DIR_NOFOLLOW) && lstat(path, &lst) == 0 &&
		    S_ISLNK(lst.st_mode)) {
			error = -ELOOP;
			if (why)
				*why = xasprintf("state folder '%s' is a "
				    "symbolic link, which printgate does not "
				    "follow: remove it (rm '%s'), printgate "
				    "makes the folder", path, path);
		} else if (why && error == -EACCES) {
			util_user_name(geteuid(), me, sizeof(me));
			*why = xasprintf("cannot read state folder '%s': %s "
			    "(as %s): run this as printgated's user or root",
			    path, strerror(-error), me);
		} else if (why)
			*why = xasprintf("state folder '%s': %s", path,
			    strerror(-error));
		return error;
	}
	if (fstat(fd, &st) == -1) {
		error = -errno;
		if (why)
			*why = xasprintf("state folder '%s': %s", path,
			    strerror(-error));
		goto done;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		error = -EPERM;
		if (why)
			*why = xasprintf("state folder '%s' can be written by "
			    "%s (mode %04o), who could plant files in it: "
			    "chmod 700 '%s'", path, st.st_mode & S_IWOTH ?
			    "anyone" : "its group", (unsigned)(st.st_mode &
			    07777), path);
		goto done;
	}
	if (st.st_uid != geteuid() && geteuid() != 0) {
		error = -EPERM;
		util_user_name(st.st_uid, owner, sizeof(owner));
		util_user_name(geteuid(), me, sizeof(me));
		if (why)
			*why = xasprintf("state folder '%s' belongs to %s, "
			    "not to %s who runs this: run it as %s, or "
			    "chown -R %s '%s'", path, owner, me, owner, me,
			    path);
		goto done;
	}
	if (st_out)
		*st_out = st;
	*out = fd;
	fd = -1;
done:
	if (fd != -1)
		close(fd);
	return error;
}
