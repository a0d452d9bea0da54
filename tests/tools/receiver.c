/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * receiver.c - a local HTTP receiver for the integration tests: it stands in
 * for Slack, Mattermost, Teams and plain webhook endpoints, records every
 * request printgated sends as a JSON file, and answers as the file DIR/mode
 * tells it to (statuses, Retry-After, redirects, N failures, stalls, slow
 * bodies, delays).  See tests/tools/README.md.
 *
 * A test tool, built from this one file: it does not link the daemon's
 * modules, and it may exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#define BODY_MAX (1024 * 1024)	/* a larger body is answered 413 */
#define MODE_MAX (64 * 1024)	/* bytes of DIR/mode read */
#define RULES_MAX 64		/* lines of DIR/mode used */
#define DELAY_MAX (3600 * 1000)	/* ms, for `delay` */
#define CONN_MAX 1000
#define DRIP_LEN 10
#define SLICE_MS 100		/* how often sleepers look at `stopping` */

/* What a request is answered with. */
enum action {
	ACT_RESPOND,		/* status and body now (after delay_ms) */
	ACT_STALL,		/* never answer */
	ACT_DRIP,		/* 200, DRIP_LEN bytes, one a second */
};

/* One line of DIR/mode. */
enum verb { V_OK, V_STATUS, V_RETRY, V_REDIRECT, V_FAIL, V_STALL, V_DRIP,
	V_DELAY };

struct rule {
	char		*prefix;	/* path prefix, or NULL for any path */
	enum verb	 verb;
	long		 arg;		/* CODE, SECONDS, N or MS */
	long		 used;		/* V_FAIL: failures answered so far */
};

struct decision {
	enum action	 action;
	unsigned int	 status;
	char		 body[64];
	const char	*hname;		/* an extra header, or NULL */
	char		 hvalue[64];
	long		 delay_ms;
};

/*
 * One request, from its URI to its completion.  Created by uri_logged(),
 * which is the only place that sees the raw URI (the access handler gets
 * the path unescaped and the query parsed); freed by request_completed().
 */
struct request {
	char	*path;		/* raw, as sent */
	char	*query;		/* raw, or NULL when there was no '?' */
	bool	 started;	/* the access handler has been called once */
	char	*body;
	size_t	 len;		/* bytes kept in body, at most BODY_MAX */
	size_t	 cap;
	bool	 too_large;
};

static const char *dir;
static FILE *log_fp;
static bool show;	/* -s: print each message for people, on stdout */
static atomic_bool stopping;

/*
 * Set in a connection's thread once it stalls, drips or delays on purpose:
 * the client hanging up is then expected, and MHD's messages about it are
 * noise.  MHD's other messages (binding, threads, the connection limit)
 * still go to stderr.
 */
static _Thread_local bool quiet;

/* The sequence number and DIR/log; held while a request is recorded. */
static pthread_mutex_t seq_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long seq;

/* The parsed DIR/mode, kept until its content changes. */
static pthread_mutex_t mode_lock = PTHREAD_MUTEX_INITIALIZER;
static char *mode_text;		/* NULL: not read yet */
static size_t mode_len;
static struct rule mode_rules[RULES_MAX];
static size_t mode_nrules;

static void warnx(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("receiver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* MHD's logger: its messages, unless this thread is quiet. */
static void mhd_log(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (quiet || fmt == NULL)
		return;
	fputs("receiver: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (fmt[0] != '\0' && fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

static _Noreturn void
oom(void)
{
	static const char msg[] = "receiver: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		oom();
	return p;
}

/*
 * Sleeps ms milliseconds in short slices.  Returns false, early, once the
 * process is stopping.
 */
static bool
sleep_ms(long ms)
{
	while (ms > 0) {
		long step = ms < SLICE_MS ? ms : SLICE_MS;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000L };

		if (atomic_load(&stopping))
			return false;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		ms -= step;
	}
	return !atomic_load(&stopping);
}

/* Headers as "name: value" lines, in the order they came. */
struct hdr_lines {
	char *s;
	size_t len, cap;
};

static enum MHD_Result
header_line(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct hdr_lines *hl = cls;
	size_t need = strlen(key) + strlen(value ? value : "") + 4;

	(void)kind;
	if (hl->len + need > hl->cap) {
		hl->cap = (hl->len + need) * 2;
		if ((hl->s = realloc(hl->s, hl->cap)) == NULL)
			abort();
	}
	hl->len += (size_t)snprintf(hl->s + hl->len, hl->cap - hl->len,
	    "%s: %s\n", key, value ? value : "");
	return MHD_YES;
}

/*
 * Writes len bytes to DIR/name through DIR/name.tmp and a rename, so that a
 * reader sees the whole file or none.  No fsync: the files are read by a
 * test while this process runs, never after a crash.  Returns 0, or -errno
 * after saying what failed.
 */
static int
file_put(const char *name, const char *data, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd, error = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		warnx("write '%s/%s': path too long", dir, name);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		error = -errno;
		goto done;
	}
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			error = -errno;
			close(fd);
			goto done;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1) {
		error = -errno;
		goto done;
	}
	if (rename(tmp, path) == -1)
		error = -errno;
done:
	if (error) {
		warnx("write '%s': %s", path, strerror(-error));
		(void)unlink(tmp);
	}
	return error;
}

/*
 * Length of the valid UTF-8 sequence at s (of n bytes), or 0 if there is
 * none: overlong forms, surrogates and code points past U+10FFFF are
 * invalid, as jansson has them.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * A JSON string of n bytes at s.  Bytes that are not UTF-8 become U+FFFD,
 * and *exact is set false; the caller records the exact bytes otherwise.
 * Returns a new reference.
 */
static json_t *
json_bytes(const char *s, size_t n, bool *exact)
{
	json_t *j;
	char *buf, *p;
	size_t i, k;

	*exact = true;
	if ((j = json_stringn(s, n)) != NULL)
		return j;
	*exact = false;
	if (n > SIZE_MAX / 3)
		oom();
	p = buf = xmalloc(n * 3);
	for (i = 0; i < n; i += k) {
		k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			k = 1;
		} else {
			memcpy(p, s + i, k);
			p += k;
		}
	}
	j = json_stringn(buf, (size_t)(p - buf));
	free(buf);
	if (j == NULL)
		oom();
	return j;
}

/* The base64 (RFC 4648, padded) of n bytes at s, as a new JSON string. */
static json_t *
json_base64(const char *s, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;
	char *buf, *p;
	json_t *j;
	size_t i;

	p = buf = xmalloc((n + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < n; i += 3) {
		*p++ = b64[u[i] >> 2];
		*p++ = b64[(u[i] & 3) << 4 | u[i + 1] >> 4];
		*p++ = b64[(u[i + 1] & 15) << 2 | u[i + 2] >> 6];
		*p++ = b64[u[i + 2] & 63];
	}
	if (i < n) {
		*p++ = b64[u[i] >> 2];
		if (i + 1 < n) {
			*p++ = b64[(u[i] & 3) << 4 | u[i + 1] >> 4];
			*p++ = b64[(u[i + 1] & 15) << 2];
		} else {
			*p++ = b64[(u[i] & 3) << 4];
			*p++ = '=';
		}
		*p++ = '=';
	}
	j = json_stringn(buf, (size_t)(p - buf));
	free(buf);
	if (j == NULL)
		oom();
	return j;
}

static void
json_put(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, key, value) == -1)
		oom();
}

/*
 * MHD_KeyValueIterator: adds one header to the object cls, its name
 * lowercased; a repeated header's values are joined with ", ".
 */
static enum MHD_Result
header_add(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	json_t *headers = cls, *old;
	char *name, *joined;
	size_t i;
	bool exact;

	(void)kind;
	if (value == NULL)
		value = "";
	name = xstrndup(key, strlen(key));
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	old = json_object_get(headers, name);
	if (old != NULL) {
		size_t olen = json_string_length(old), vlen = strlen(value);

		joined = xmalloc(olen + 2 + vlen);
		memcpy(joined, json_string_value(old), olen);
		memcpy(joined + olen, ", ", 2);
		memcpy(joined + olen + 2, value, vlen);
		json_put(headers, name, json_bytes(joined, olen + 2 + vlen,
		    &exact));
		free(joined);
	} else
		json_put(headers, name, json_bytes(value, strlen(value),
		    &exact));
	free(name);
	return MHD_YES;
}

/*
 * Records the request as DIR/req-NNNNNN.json and a line of DIR/log, under
 * seq_lock so that the files appear in sequence order and a log line is
 * never ahead of its file.  Failures are reported and otherwise ignored:
 * the request is answered all the same.
 */
/* Prints one mrkdwn/plain text, indented, for a person reading along. */
static void
show_text(const char *indent, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("%s%.*s\n", indent, (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/*
 * -s: a Slack-style message (Block Kit) shown as the channel would show
 * it; anything else as its headline or its raw body.
 */
static void
show_request(const char *path, const char *body, size_t len)
{
	json_t *o = json_loadb(body, len, 0, NULL), *blocks, *b;
	size_t i;

	printf("\n  \342\224\214\342\224\200 message to %s\n", path);
	blocks = o ? json_object_get(o, "blocks") : NULL;
	if (!json_is_array(blocks)) {
		json_t *t = o ? json_object_get(o, "text") : NULL;

		show_text("  \342\224\202 ", json_is_string(t) ?
		    json_string_value(t) : "(not a chat message)");
		json_decref(o);
		fflush(stdout);
		return;
	}
	json_array_foreach(blocks, i, b) {
		const char *type = json_string_value(json_object_get(b, "type"));
		json_t *text = json_object_get(b, "text"), *f, *e;
		size_t k;

		if (type == NULL)
			continue;
		if (json_is_object(text) && json_is_string(json_object_get(text,
		    "text")))
			show_text(strcmp(type, "header") == 0 ? "  \342\224\202 # " :
			    "  \342\224\202 ", json_string_value(json_object_get(text,
			    "text")));
		json_array_foreach(json_object_get(b, "fields"), k, f)
			show_text("  \342\224\202   ", json_string_value(
			    json_object_get(f, "text")) ? json_string_value(
			    json_object_get(f, "text")) : "");
		if (strcmp(type, "actions") == 0) {
			printf("  \342\224\202 ");
			json_array_foreach(json_object_get(b, "elements"), k, e)
				printf("[ %s ] ", json_string_value(json_object_get(
				    json_object_get(e, "text"), "text")) ?
				    json_string_value(json_object_get(
				    json_object_get(e, "text"), "text")) : "?");
			printf("\n");
		}
		json_array_foreach(json_object_get(b, "elements"), k, e)
			if (strcmp(type, "context") == 0 &&
			    json_is_string(json_object_get(e, "text")))
				show_text("  \342\224\202 ", json_string_value(
				    json_object_get(e, "text")));
	}
	printf("  \342\224\224\342\224\200\n");
	fflush(stdout);
	json_decref(o);
}

static void
record(struct MHD_Connection *conn, const char *method,
    const struct request *rq, unsigned int status)
{
	struct timespec now;
	json_t *obj, *headers;
	char name[32], *text;
	unsigned long n;
	size_t len;
	bool exact;

	clock_gettime(CLOCK_REALTIME, &now);
	if ((obj = json_object()) == NULL || (headers = json_object()) == NULL)
		oom();
	MHD_get_connection_values(conn, MHD_HEADER_KIND, header_add, headers);

	pthread_mutex_lock(&seq_lock);
	n = ++seq;
	json_put(obj, "seq", json_integer((json_int_t)n));
	json_put(obj, "method", json_bytes(method, strlen(method), &exact));
	json_put(obj, "path", json_bytes(rq->path, strlen(rq->path), &exact));
	if (rq->query != NULL)
		json_put(obj, "query", json_bytes(rq->query,
		    strlen(rq->query), &exact));
	json_put(obj, "headers", headers);
	json_put(obj, "body", json_bytes(rq->body ? rq->body : "", rq->len,
	    &exact));
	if (!exact)
		json_put(obj, "body_base64", json_base64(rq->body, rq->len));
	if (rq->too_large)
		json_put(obj, "truncated", json_true());
	json_put(obj, "status", json_integer(status));
	json_put(obj, "time", json_real((double)now.tv_sec +
	    (double)now.tv_nsec / 1e9));
	if ((text = json_dumps(obj, JSON_INDENT(2))) == NULL)
		oom();
	snprintf(name, sizeof(name), "req-%06lu.json", n);
	/* json_dumps' NUL becomes the final newline. */
	len = strlen(text);
	text[len] = '\n';
	(void)file_put(name, text, len + 1);
	free(text);
	json_decref(obj);
	/*
	 * The body's exact bytes and the headers as lines, for tests that
	 * check a signature with other tools; written before the JSON's log
	 * line, so a reader that saw the line finds them too.
	 */
	snprintf(name, sizeof(name), "req-%06lu.body", n);
	(void)file_put(name, rq->body ? rq->body : "", rq->len);
	{
		struct hdr_lines hl = { NULL, 0, 0 };

		MHD_get_connection_values(conn, MHD_HEADER_KIND, header_line,
		    &hl);
		snprintf(name, sizeof(name), "req-%06lu.headers", n);
		(void)file_put(name, hl.s ? hl.s : "", hl.len);
		free(hl.s);
	}

	if (show)
		show_request(rq->path, rq->body ? rq->body : "", rq->len);
	if (fprintf(log_fp, "%lu %s %s %u\n", n, method, rq->path, status) < 0 ||
	    fflush(log_fp) == EOF)
		warnx("write '%s/log': %s", dir, strerror(errno));
	pthread_mutex_unlock(&seq_lock);
}

static void
mode_clear(void)
{
	size_t i;

	for (i = 0; i < mode_nrules; i++)
		free(mode_rules[i].prefix);
	mode_nrules = 0;
}

/*
 * Parses a number in [min, max] from s.  Returns 0 and sets *out, or -1
 * leaving it untouched.
 */
static int
parse_long(long *out, const char *s, long min, long max)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parses one line of DIR/mode (already NUL-terminated, modified in place)
 * into *out.  Returns 1 for a rule, 0 for a blank or '#' line, -1 for a line
 * it does not understand (out untouched).
 */
static int
mode_parse_line(struct rule *out, char *line)
{
	static const struct {
		const char	*word;
		enum verb	 verb;
		long		 min, max;	/* of the argument; max 0: none */
	} verbs[] = {
		{ "ok",		 V_OK,		0, 0 },
		{ "status",	 V_STATUS,	200, 599 },
		{ "retry-after", V_RETRY,	0, 86400 },
		{ "redirect",	 V_REDIRECT,	0, 0 },
		{ "fail",	 V_FAIL,	0, LONG_MAX },
		{ "stall",	 V_STALL,	0, 0 },
		{ "drip",	 V_DRIP,	0, 0 },
		{ "delay",	 V_DELAY,	0, DELAY_MAX },
	};
	char *tok[4], *save = NULL, *t;
	size_t ntok = 0, i, w = 0;
	struct rule r = { 0 };

	for (t = strtok_r(line, " \t\r", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r", &save)) {
		if (ntok == sizeof(tok) / sizeof(tok[0]))
			return -1;
		tok[ntok++] = t;
	}
	if (ntok == 0 || tok[0][0] == '#')
		return 0;
	if (tok[0][0] == '/')
		w = 1;
	if (w == ntok)
		return -1;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(tok[w], verbs[i].word) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return -1;
	r.verb = verbs[i].verb;
	if (verbs[i].max == 0) {
		if (ntok != w + 1)
			return -1;
	} else if (ntok != w + 2 ||
	    parse_long(&r.arg, tok[w + 1], verbs[i].min, verbs[i].max) == -1)
		return -1;
	if (w == 1)
		r.prefix = xstrndup(tok[0], strlen(tok[0]));
	*out = r;
	return 1;
}

/*
 * Takes text (len bytes, owned from now on) as the new content of DIR/mode:
 * parses it into mode_rules, which also resets every `fail` count.  Lines it
 * does not understand are reported and skipped.  Called with mode_lock.
 */
static void
mode_replace(char *text, size_t len)
{
	char *line, *nl, *copy;
	unsigned int lineno = 0;
	struct rule r;

	mode_clear();
	free(mode_text);
	mode_text = text;
	mode_len = len;
	copy = xstrndup(text, len);
	for (line = copy; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		lineno++;
		switch (mode_parse_line(&r, line)) {
		case 1:
			if (mode_nrules < RULES_MAX) {
				mode_rules[mode_nrules++] = r;
				break;
			}
			free(r.prefix);
			warnx("%s/mode:%u: more than %d rules, line ignored",
			    dir, lineno, RULES_MAX);
			break;
		case -1:
			warnx("%s/mode:%u: not understood, line ignored", dir,
			    lineno);
			break;
		}
	}
	free(copy);
}

/*
 * Reads DIR/mode (the first MODE_MAX bytes; a missing file is empty) into a
 * new NUL-terminated buffer.  Returns 0 and sets *out and *outlen, or -errno
 * after saying what failed.
 */
static int
mode_read(char **out, size_t *outlen)
{
	char path[PATH_MAX], *buf;
	size_t len = 0;
	int fd, error = 0;

	snprintf(path, sizeof(path), "%s/mode", dir);
	buf = xmalloc(MODE_MAX + 1);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			error = -errno;
		goto done;
	}
	while (len < MODE_MAX) {
		ssize_t n = read(fd, buf + len, MODE_MAX - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			error = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
done:
	if (error) {
		warnx("read '%s': %s", path, strerror(-error));
		free(buf);
		return error;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/*
 * Decides how to answer a request for path from DIR/mode, re-read now: the
 * first rule whose prefix matches wins, and no match means `ok`.  An
 * unreadable mode file is answered 500, so that a test notices.
 */
static void
mode_decide(struct decision *out, const char *path)
{
	struct decision d = { ACT_RESPOND, 200, "ok", NULL, "", 0 };
	struct rule *r = NULL;
	char *text;
	size_t len, i;

	/* Read under the lock, so that the contents are seen in order. */
	pthread_mutex_lock(&mode_lock);
	if (mode_read(&text, &len) < 0) {
		pthread_mutex_unlock(&mode_lock);
		d.status = 500;
		snprintf(d.body, sizeof(d.body), "mode file unreadable");
		*out = d;
		return;
	}
	if (mode_text == NULL || len != mode_len ||
	    memcmp(text, mode_text, len) != 0)
		mode_replace(text, len);
	else
		free(text);
	for (i = 0; i < mode_nrules; i++) {
		r = &mode_rules[i];
		if (r->prefix == NULL ||
		    strncmp(path, r->prefix, strlen(r->prefix)) == 0)
			break;
	}
	if (i == mode_nrules)
		r = NULL;
	switch (r ? r->verb : V_OK) {
	case V_OK:
		break;
	case V_STATUS:
		d.status = (unsigned int)r->arg;
		snprintf(d.body, sizeof(d.body), "status %ld", r->arg);
		break;
	case V_RETRY:
		d.status = 429;
		snprintf(d.body, sizeof(d.body), "retry after %ld", r->arg);
		d.hname = MHD_HTTP_HEADER_RETRY_AFTER;
		snprintf(d.hvalue, sizeof(d.hvalue), "%ld", r->arg);
		break;
	case V_REDIRECT:
		d.status = 302;
		snprintf(d.body, sizeof(d.body), "redirect");
		d.hname = MHD_HTTP_HEADER_LOCATION;
		snprintf(d.hvalue, sizeof(d.hvalue),
		    "http://127.0.0.1:1/elsewhere");
		break;
	case V_FAIL:
		if (r->used < r->arg) {
			r->used++;
			d.status = 500;
			snprintf(d.body, sizeof(d.body), "fail %ld of %ld",
			    r->used, r->arg);
		}
		break;
	case V_STALL:
		d.action = ACT_STALL;
		d.status = 0;
		break;
	case V_DRIP:
		d.action = ACT_DRIP;
		break;
	case V_DELAY:
		d.delay_ms = r->arg;
		break;
	}
	pthread_mutex_unlock(&mode_lock);
	*out = d;
}

/*
 * Holds a connection open without answering, until the client goes away or
 * the process stops.
 */
static void
stall(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct pollfd pfd = { .fd = -1, .events = POLLRDHUP };

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL)
		pfd.fd = ci->connect_fd;
	while (!atomic_load(&stopping)) {
		int n = poll(&pfd, 1, SLICE_MS);

		if (n == 1 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR |
		    POLLNVAL)))
			return;
	}
}

/* MHD_ContentReaderCallback for `drip`: one byte a second. */
static ssize_t
drip_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char body[DRIP_LEN] = "0123456789";

	(void)cls;
	if (max == 0 || pos >= DRIP_LEN)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (!sleep_ms(1000))
		return MHD_CONTENT_READER_END_WITH_ERROR;
	buf[0] = body[pos];
	return 1;
}

static enum MHD_Result
respond(struct MHD_Connection *conn, struct decision *d)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = strlen(d->body);

	/* These carry no body; MHD would send one anyway. */
	if (d->status == 204 || d->status == 304)
		len = 0;
	if (d->action == ACT_DRIP)
		resp = MHD_create_response_from_callback(DRIP_LEN, 32,
		    drip_read, NULL, NULL);
	else
		resp = MHD_create_response_from_buffer(len, d->body,
		    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain") == MHD_NO || (d->hname != NULL &&
	    MHD_add_response_header(resp, d->hname, d->hvalue) == MHD_NO)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, d->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * MHD_AccessHandlerCallback: reads the body (keeping at most BODY_MAX
 * bytes), then records the request and answers it.
 */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct request *rq = *con_cls;
	struct decision d;

	(void)cls;
	(void)url;
	(void)version;
	if (rq == NULL)
		return MHD_NO;
	if (!rq->started) {
		rq->started = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (n > BODY_MAX - rq->len) {
			n = BODY_MAX - rq->len;
			rq->too_large = true;
		}
		if (rq->len + n > rq->cap) {
			size_t cap = rq->cap ? rq->cap : 4096;

			while (cap < rq->len + n)
				cap *= 2;
			if (cap > BODY_MAX)
				cap = BODY_MAX;
			if ((rq->body = realloc(rq->body, cap)) == NULL)
				oom();
			rq->cap = cap;
		}
		memcpy(rq->body + rq->len, upload_data, n);
		rq->len += n;
		return MHD_YES;
	}

	if (rq->too_large) {
		d = (struct decision){ ACT_RESPOND, 413, "body too large",
		    NULL, "", 0 };
	} else
		mode_decide(&d, rq->path);
	record(conn, method, rq, d.status);
	if (d.action != ACT_RESPOND || d.delay_ms > 0)
		quiet = true;
	if (d.action == ACT_STALL) {
		stall(conn);
		return MHD_NO;
	}
	if (d.delay_ms > 0 && !sleep_ms(d.delay_ms))
		return MHD_NO;
	return respond(conn, &d);
}

/*
 * MHD's URI log callback: the one place that sees the URI as sent.  Its
 * result becomes the request's *con_cls.
 */
static void *
uri_logged(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *rq = xmalloc(sizeof(*rq));
	const char *q = strchr(uri, '?');

	(void)cls;
	(void)conn;
	*rq = (struct request){ 0 };
	if (q != NULL) {
		rq->path = xstrndup(uri, (size_t)(q - uri));
		rq->query = xstrndup(q + 1, strlen(q + 1));
	} else
		rq->path = xstrndup(uri, strlen(uri));
	return rq;
}

/* MHD_RequestCompletedCallback: frees what uri_logged() made. */
static void
request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (rq == NULL)
		return;
	free(rq->path);
	free(rq->query);
	free(rq->body);
	free(rq);
	*con_cls = NULL;
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: receiver [-s] -d dir [-p port] [-a address]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const union MHD_DaemonInfo *di;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const char *addr = "127.0.0.1";
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	char path[PATH_MAX], portbuf[16];
	long port = 0;
	sigset_t sigs;
	int c, sig;

	while ((c = getopt(argc, argv, "a:d:p:s")) != -1) {
		switch (c) {
		case 's':
			show = true;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'p':
			if (parse_long(&port, optarg, 0, 65535) == -1)
				usage();
			break;
		default:
			usage();
		}
	}
	if (dir == NULL || optind != argc)
		usage();

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		warnx("listen on '%s': not an IP address", addr);
		return 1;
	}

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		warnx("create '%s': %s", dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/log", dir);
	if ((log_fp = fopen(path, "ae")) == NULL) {
		warnx("open '%s': %s", path, strerror(errno));
		return 1;
	}

	/*
	 * Block the stop signals before MHD starts its threads, which inherit
	 * the mask, so that only sigwait() below sees them.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,	/* MHD: first */
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, 0U,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_logged, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		warnx("listen on '%s' port %ld: failed", addr, port);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (di == NULL || di->port == 0) {
		warnx("listen on '%s': no port", addr);
		MHD_stop_daemon(d);
		return 1;
	}
	snprintf(portbuf, sizeof(portbuf), "%u\n", (unsigned int)di->port);
	if (file_put("port", portbuf, strlen(portbuf)) < 0) {
		MHD_stop_daemon(d);
		return 1;
	}

	while (sigwait(&sigs, &sig) != 0)
		;
	/* Stalled and dripping requests look at this and give up. */
	atomic_store(&stopping, true);
	MHD_stop_daemon(d);
	pthread_mutex_lock(&mode_lock);
	mode_clear();
	free(mode_text);
	pthread_mutex_unlock(&mode_lock);
	fclose(log_fp);
	return 0;
}
