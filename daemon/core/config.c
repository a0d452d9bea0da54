/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.c - reads printgate's configuration file with libconfig, checks
 * all of it in one pass and turns it into a struct config.
 *
 * The only file that includes <libconfig.h>.  The known settings of each
 * section are a table (struct field), after Redis's config table: the table
 * rejects unknown settings and checks each setting's type before the
 * section's own code looks at the values, because a typo must never
 * silently weaken the gate.  Every problem found is collected as
 * "file:line: setting 'path': what is wrong"; at the end they are sorted by
 * place and handed back together, as OpenBSD's daemons do.  Nothing is
 * borrowed from libconfig: the struct config owns copies of its strings.
 */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ledger.h"
#include "core/policy.h"
#include "core/util.h"

#define SECRET_MAX (64 * 1024)		/* bytes in a secret file */
#define PUSHER_ENV_MAX 16		/* names in pusher_env */
#define DURATION_MAX (3650LL * 86400)	/* ten years, in seconds */

/* One problem found; all are sorted by place before they are shown. */
struct problem {
	bool in_main;	/* in the file itself, not an @include'd one */
	char *file;
	unsigned line;
	size_t seq;
	char *text;	/* the whole line, without a newline */
};

/* A string with where it was written, for duplicate checks and lookups. */
struct skey {
	const char *s;
	const config_setting_t *at;
	size_t idx;
};

/* What a setting must be; the table's kinds. */
enum kind {
	K_STRING,	/* a non-empty string */
	K_BOOL,
	K_INT,
	K_DURATION,	/* "1h30m" or an integer number of seconds */
	K_STRINGS,	/* an array (or list) of non-empty strings */
	K_NAMES,	/* a string, or an array of strings */
	K_LIST,		/* a list of groups: ( { ... }, ... ) */
	K_GROUP,	/* a group: { ... } */
};

struct field {
	const char *name;
	enum kind kind;
	bool required;
};

/* A person's and http's own settings; the platforms' come after them. */
enum { P_ID, P_NAME, P_EMAIL, P_LOGIN, P_CORE };
enum {
	H_LISTEN, H_PUBLIC_URL, H_LINKS_SECRET_FILE, H_IDENTITY_HEADER,
	H_TRUSTED_PROXIES, H_PROXY_PATH, H_CORE
};

/* The state of one config_load() call. */
struct loader {
	struct config *cf;
	const char *path;	/* the file as the caller named it */
	char *dir;		/* the file's folder, absolute when possible */
	const char *secret_dir;	/* where relative *_file paths are */
	unsigned flags;
	struct problem *problems;
	size_t nproblems;
	size_t cproblems;
	/* the settings of a person and of http: the core's, then one for
	 * each platform that has one, in the table's order */
	struct field person_fields[P_CORE + CONFIG_MAX_PLATFORMS];
	size_t person_platform[P_CORE + CONFIG_MAX_PLATFORMS];
	size_t nperson_fields;
	struct field http_fields[H_CORE + CONFIG_MAX_PLATFORMS];
	size_t http_platform[H_CORE + CONFIG_MAX_PLATFORMS];
	size_t nhttp_fields;
	struct skey *ids;	/* people sorted by id, for lookups */
	size_t nids;
	size_t *group_size;	/* per group: the ids listed, known or not */
};

static const char *const kind_names[] = {
	[K_STRING] = "a string",
	[K_BOOL] = "true or false",
	[K_INT] = "an integer",
	[K_DURATION] = "a duration (\"24h\", \"1h30m\") or a number of seconds",
	[K_STRINGS] = "an array of strings [ \"...\", ... ]",
	[K_NAMES] = "a string or an array of strings [ \"...\", ... ]",
	[K_LIST] = "a list of groups ( { ... }, ... )",
	[K_GROUP] = "a group { ... }",
};

/* The tables: every setting printgate knows, section by section. */
enum {
	TOP_REPOSITORY, TOP_PRINT_TAGS, TOP_STATE_DIR, TOP_BROWSE_URL,
	TOP_PUSHER_ENV, TOP_PEOPLE, TOP_GROUPS, TOP_RELEASE_MANAGERS,
	TOP_RULES, TOP_REVIEW, TOP_NOTIFY, TOP_HTTP, TOP_ALLOW_REFS,
	TOP_GATE_SOCKET, TOP_PREVIEWS_MAX, TOP_LFS_DIR, TOP_N
};
static const struct field top_fields[TOP_N] = {
	[TOP_REPOSITORY] = { "repository", K_STRING, true },
	[TOP_PRINT_TAGS] = { "print_tags", K_STRING, false },
	[TOP_STATE_DIR] = { "state_dir", K_STRING, false },
	[TOP_BROWSE_URL] = { "browse_url", K_STRING, false },
	[TOP_PUSHER_ENV] = { "pusher_env", K_STRINGS, false },
	[TOP_PEOPLE] = { "people", K_LIST, true },
	[TOP_GROUPS] = { "groups", K_GROUP, true },
	[TOP_RELEASE_MANAGERS] = { "release_managers", K_NAMES, true },
	[TOP_RULES] = { "rules", K_LIST, false },
	[TOP_REVIEW] = { "review", K_GROUP, false },
	[TOP_NOTIFY] = { "notify", K_LIST, false },
	[TOP_HTTP] = { "http", K_GROUP, false },
	[TOP_ALLOW_REFS] = { "allow_refs", K_STRINGS, false },
	[TOP_GATE_SOCKET] = { "gate_socket", K_STRING, false },
	[TOP_PREVIEWS_MAX] = { "previews_max", K_STRING, false },
	[TOP_LFS_DIR] = { "lfs_dir", K_STRING, false },
};

/* a person's own settings; each platform's person_key follows */
static const struct field person_fields[P_CORE] = {
	[P_ID] = { "id", K_STRING, true },
	[P_NAME] = { "name", K_STRING, true },
	[P_EMAIL] = { "email", K_STRING, true },
	[P_LOGIN] = { "login", K_STRING, false },
};

enum {
	R_NAME, R_PATHS, R_GROUP, R_REQUIRED, R_WHEN, R_ALLOW_SYMLINKS, R_N
};
static const struct field rule_fields[R_N] = {
	[R_NAME] = { "name", K_STRING, true },
	[R_PATHS] = { "paths", K_STRINGS, true },
	[R_GROUP] = { "group", K_STRING, true },
	[R_REQUIRED] = { "required", K_INT, false },
	[R_WHEN] = { "when", K_STRING, false },
	[R_ALLOW_SYMLINKS] = { "allow_symlinks", K_BOOL, false },
};

enum {
	V_SELF_APPROVAL, V_APPROVE_WITH_CHANGES_COUNTS, V_REMIND_AFTER,
	V_ESCALATE_AFTER, V_ESCALATE_TO, V_AUTO_RELEASE, V_QUARANTINE,
	V_LINK_TTL, V_N
};
static const struct field review_fields[V_N] = {
	[V_SELF_APPROVAL] = { "self_approval", K_BOOL, false },
	[V_APPROVE_WITH_CHANGES_COUNTS] =
	    { "approve_with_changes_counts", K_BOOL, false },
	[V_REMIND_AFTER] = { "remind_after", K_DURATION, false },
	[V_ESCALATE_AFTER] = { "escalate_after", K_DURATION, false },
	[V_ESCALATE_TO] = { "escalate_to", K_STRING, false },
	[V_AUTO_RELEASE] = { "auto_release", K_BOOL, false },
	[V_QUARANTINE] = { "quarantine", K_BOOL, false },
	[V_LINK_TTL] = { "link_ttl", K_DURATION, false },
};

enum { N_NAME, N_TYPE, N_URL, N_URL_FILE, N_SECRET_FILE, N_EVENTS,
	N_SMTP_URL, N_FROM, N_USERNAME_FILE, N_PASSWORD_FILE, N_N };
static const struct field notify_fields[N_N] = {
	[N_NAME] = { "name", K_STRING, true },
	[N_TYPE] = { "type", K_STRING, true },
	[N_URL] = { "url", K_STRING, false },
	[N_URL_FILE] = { "url_file", K_STRING, false },
	[N_SECRET_FILE] = { "secret_file", K_STRING, false },
	[N_EVENTS] = { "events", K_STRINGS, false },
	[N_SMTP_URL] = { "smtp_url", K_STRING, false },
	[N_FROM] = { "from", K_STRING, false },
	[N_USERNAME_FILE] = { "username_file", K_STRING, false },
	[N_PASSWORD_FILE] = { "password_file", K_STRING, false },
};

/* http's own settings; each platform's secret_setting follows */
static const struct field http_fields[H_CORE] = {
	[H_LISTEN] = { "listen", K_STRING, true },
	[H_PUBLIC_URL] = { "public_url", K_STRING, false },
	[H_LINKS_SECRET_FILE] = { "links_secret_file", K_STRING, false },
	[H_IDENTITY_HEADER] = { "identity_header", K_STRING, false },
	[H_TRUSTED_PROXIES] = { "trusted_proxies", K_STRINGS, false },
	[H_PROXY_PATH] = { "proxy_path", K_STRING, false },
};

static const char *const default_pusher_env[] = {
	"GL_USERNAME", "REMOTE_USER", "USER",
};

static const char *const default_allow_refs[] = {
	"refs/heads/*", "refs/tags/*",
};

/* ---- reporting ---------------------------------------------------------- */

/* Appends the path of s ("rules.[1].required"); nothing for the root. */
static void
path_add(struct buf *b, const config_setting_t *s)
{
	const config_setting_t *parent = config_setting_parent(s);

	if (parent == NULL)
		return;
	if (config_setting_parent(parent) != NULL) {
		path_add(b, parent);
		buf_adds(b, ".");
	}
	if (config_setting_name(s) != NULL)
		buf_adds(b, config_setting_name(s));
	else
		buf_addf(b, "[%d]", config_setting_index(s));
}

/*
 * The name to show for a file libconfig names: NULL is the configuration
 * itself; an @include'd file is named relative to the configuration's
 * folder, which is where libconfig looked for it.  A new string.
 */
static char *
file_name(const char *path, const char *source)
{
	const char *slash = strrchr(path, '/');

	if (source == NULL)
		return xstrdup(path);
	if (source[0] == '/' || slash == NULL)
		return xstrdup(source);
	return xasprintf("%.*s/%s", (int)(slash - path), path, source);
}

/*
 * Records a problem with setting s, or with its child named child (a
 * missing setting) at s's line.  The root has no line: its problems are
 * "file: setting 'x': ...".
 */
static void report_v(struct loader *ld, const config_setting_t *s,
    const char *child, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void
report_v(struct loader *ld, const config_setting_t *s, const char *child,
    const char *fmt, va_list ap)
{
	const char *source = config_setting_source_file(s);
	char *file = file_name(ld->path, source);
	unsigned line = config_setting_source_line(s);
	struct problem *p;
	struct buf b = { 0 };
	size_t mark;

	if (config_setting_parent(s) == NULL)
		line = 0;
	if (line > 0)
		buf_addf(&b, "%s:%u: setting '", file, line);
	else
		buf_addf(&b, "%s: setting '", file);
	mark = b.len;
	path_add(&b, s);
	if (child != NULL) {
		if (b.len > mark)
			buf_adds(&b, ".");
		buf_adds(&b, child);
	}
	buf_adds(&b, "': ");
	buf_vaddf(&b, fmt, ap);

	if (ld->nproblems == ld->cproblems) {
		ld->cproblems = ld->cproblems ? 2 * ld->cproblems : 16;
		ld->problems = xreallocarray(ld->problems, ld->cproblems,
		    sizeof(*ld->problems));
	}
	p = &ld->problems[ld->nproblems];
	p->in_main = source == NULL;
	p->file = file;
	p->line = line;
	p->seq = ld->nproblems++;
	p->text = buf_steal(&b);
}

static void report(struct loader *ld, const config_setting_t *s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report_child(struct loader *ld, const config_setting_t *s,
    const char *child, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(ld, s, NULL, fmt, ap);
	va_end(ap);
}

static void
report_child(struct loader *ld, const config_setting_t *s, const char *child,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(ld, s, child, fmt, ap);
	va_end(ap);
}

static void
missing(struct loader *ld, const config_setting_t *parent, const char *name)
{
	report_child(ld, parent, name, "missing");
}

/* Orders problems by file (the main file first), line, then discovery. */
static int
problem_cmp(const void *a, const void *b)
{
	const struct problem *p = a, *q = b;
	int c;

	if (p->in_main != q->in_main)
		return p->in_main ? -1 : 1;
	if ((c = strcmp(p->file, q->file)) != 0)
		return c;
	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* Hands back all problems, one a line, in file order. */
static char *
problems_join(struct loader *ld)
{
	struct buf b = { 0 };

	qsort(ld->problems, ld->nproblems, sizeof(*ld->problems),
	    problem_cmp);
	for (size_t i = 0; i < ld->nproblems; i++)
		buf_addf(&b, "%s\n", ld->problems[i].text);
	return buf_steal(&b);
}

/* ---- small checks ------------------------------------------------------- */

static bool
is_lower_or_digit(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(int c)
{
	return is_lower_or_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* An id or a name: [a-z0-9][a-z0-9._-]* */
static bool
id_ok(const char *s)
{
	if (!is_lower_or_digit((unsigned char)*s))
		return false;
	for (s++; *s != '\0'; s++)
		if (!is_lower_or_digit((unsigned char)*s) && *s != '.' &&
		    *s != '_' && *s != '-')
			return false;
	return true;
}

#define ID_RULE "use a-z, 0-9, '.', '_' and '-', starting with a letter " \
	"or a digit"

/* An environment variable's name: [A-Za-z_][A-Za-z0-9_]* */
static bool
env_name_ok(const char *s)
{
	if (*s != '_' && !is_alnum((unsigned char)*s))
		return false;
	if (*s >= '0' && *s <= '9')
		return false;
	for (s++; *s != '\0'; s++)
		if (!is_alnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* An http:// or https:// URL with a host and no white space. */
static bool
url_ok(const char *s)
{
	if (str_startswith(s, "http://"))
		s += strlen("http://");
	else if (str_startswith(s, "https://"))
		s += strlen("https://");
	else
		return false;
	if (*s == '\0' || *s == '/')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

/*
 * The path of public_url url (url_ok) without the '/' it may end in, or
 * NULL when it holds anything but plain characters: it goes into every
 * page's links and form actions as it is, and is matched as it is sent.
 */
static char *
base_path_of(const char *url)
{
	const char *p = strstr(url, "://") + 3;
	size_t n;

	p += strcspn(p, "/?#");
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-._~/") < n || memmem(p, n, "//", 2) != NULL)
		return NULL;
	return xstrndup(p, n);
}

/*
 * Checks print_tags ("refs/tags/<prefix>*", the prefix ending in '/');
 * returns NULL or why it is wrong.
 */
static const char *
print_tags_check(const char *s)
{
	const char *prefix, *p;
	size_t len;

	if (!str_startswith(s, "refs/tags/"))
		return "must start with 'refs/tags/'";
	prefix = s + strlen("refs/tags/");
	len = strlen(prefix);
	if (len == 0 || prefix[len - 1] != '*')
		return "must end in '/*', e.g. 'refs/tags/print/*'";
	len--;	/* from here on, the prefix without its '*' */
	if (strcspn(prefix, "*?[\\") < len)
		return "only one '*', at the end: no other glob characters";
	if (len < 2 || prefix[len - 1] != '/')
		return "needs a prefix ending in '/' before the '*', e.g. "
		    "'refs/tags/print/*'";
	if (prefix[0] == '/' || prefix[0] == '.')
		return "has an empty or hidden ('.') component";
	for (p = prefix; p < prefix + len; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '~' ||
		    *p == '^' || *p == ':')
			return "has a character that git does not allow in a "
			    "ref name";
		if (p[0] == '/' && (p[1] == '/' || p[1] == '.'))
			return "has an empty or hidden ('.') component";
		if (p[0] == '.' && p[1] == '.')
			return "has '..', which git does not allow in a ref "
			    "name";
		if (p[0] == '@' && p[1] == '{')
			return "has '@{', which git does not allow in a ref "
			    "name";
	}
	return NULL;
}

/* Checks a browse_url template: an http(s) URL, placeholders known. */
static const char *
browse_url_check(const char *s)
{
	const char *p;

	if (!url_ok(s))
		return "must be an http:// or https:// URL";
	for (p = s; (p = strchr(p, '{')) != NULL; p++) {
		if (!str_startswith(p, "{commit}") &&
		    !str_startswith(p, "{path}"))
			return "has an unknown placeholder: use {commit} and "
			    "{path}";
	}
	return NULL;
}

/* Checks "host:port" ("127.0.0.1:8787", "[::1]:8787"). */
static const char *
listen_check(const char *s)
{
	const char *colon = strrchr(s, ':');
	const char *p;
	size_t hostlen;
	long port = 0;

	if (colon == NULL)
		return "expected host:port, e.g. \"127.0.0.1:8787\"";
	hostlen = (size_t)(colon - s);
	if (hostlen == 0)
		return "no host before the port, e.g. \"127.0.0.1:8787\"";
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			return "the port must be a number from 0 to 65535";
		port = port * 10 + (*p - '0');
	}
	/* 0 picks a free port: printgated logs it, and writes it to
	 * state_dir/http-port */
	if (p == colon + 1 || port < 0 || port > 65535)
		return "the port must be a number from 0 to 65535";
	if (s[0] == '[') {
		char a6[64];
		struct in6_addr in6;

		if (hostlen < 3 || s[hostlen - 1] != ']')
			return "expected [address]:port for IPv6";
		if (hostlen - 2 >= sizeof(a6))
			return "not an IPv6 address";
		memcpy(a6, s + 1, hostlen - 2);
		a6[hostlen - 2] = '\0';
		if (inet_pton(AF_INET6, a6, &in6) != 1)
			return "not an IPv6 address";
	} else if (memchr(s, ':', hostlen) != NULL) {
		return "write an IPv6 address in brackets: \"[::1]:8787\"";
	} else {
		char a4[16];
		struct in_addr in4;

		/* host names are not looked up: an address is what binds */
		if (hostlen >= sizeof(a4))
			return "not an IPv4 address: host names are not looked "
			    "up, write 127.0.0.1 or [::1]";
		memcpy(a4, s, hostlen);
		a4[hostlen] = '\0';
		if (inet_pton(AF_INET, a4, &in4) != 1)
			return "not an IPv4 address: host names are not looked "
			    "up, write 127.0.0.1 or [::1]";
	}
	return NULL;
}

/*
 * Parses a duration ("30s", "90m", "1h30m", "3d") into *out seconds.
 * Returns NULL or why it is wrong.
 */
static const char *
duration_parse(const char *s, int64_t *out)
{
	int64_t total = 0;
	const char *p = s;

	while (*p != '\0') {
		int64_t n = 0, unit;
		const char *digits = p;

		while (*p >= '0' && *p <= '9') {
			if (n > DURATION_MAX)
				return "too long: at most 3650d";
			n = n * 10 + (*p++ - '0');
		}
		if (p == digits)
			return "expected a number, then a unit (s, m, h, d)";
		switch (*p) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case '\0':
			return "a number needs a unit (s, m, h, d)";
		default:
			return "unknown unit: use s, m, h or d";
		}
		p++;
		if (n > DURATION_MAX / unit || total + n * unit > DURATION_MAX)
			return "too long: at most 3650d";
		total += n * unit;
	}
	if (p == s)
		return "empty";
	if (total == 0)
		return "must be more than zero";
	*out = total;
	return NULL;
}

/* Formats seconds the way they are written: "3d", "1h30m", "45s". */
static void
duration_fmt(int64_t secs, char *out, size_t len)
{
	static const struct {
		int64_t n;
		char unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (secs < units[i].n)
			continue;
		used += (size_t)snprintf(out + used, len - used, "%lld%c",
		    (long long)(secs / units[i].n), units[i].unit);
		secs %= units[i].n;
		if (used >= len)
			break;
	}
}

/*
 * Parses a rule's condition, "Trailer op value", into out (which owns
 * copies).  Returns NULL, or why it is wrong and out untouched.
 */
static const char *
when_parse(const char *text, struct config_when *out)
{
	const char *p = text, *trailer, *trailer_end, *value, *value_end;
	enum config_op op;

	while (is_blank((unsigned char)*p))
		p++;
	trailer = p;
	while (is_alnum((unsigned char)*p) || *p == '-')
		p++;
	trailer_end = p;
	if (trailer_end == trailer)
		return "no trailer name: expected 'Trailer op value', e.g. "
		    "'Opportunity >= 2000000'";
	while (is_blank((unsigned char)*p))
		p++;
	if (p[0] == '!' && p[1] == '=') {
		op = CONFIG_OP_NE;
		p += 2;
	} else if (p[0] == '<' && p[1] == '=') {
		op = CONFIG_OP_LE;
		p += 2;
	} else if (p[0] == '>' && p[1] == '=') {
		op = CONFIG_OP_GE;
		p += 2;
	} else if (p[0] == '=') {
		op = CONFIG_OP_EQ;
		p++;
	} else if (p[0] == '<') {
		op = CONFIG_OP_LT;
		p++;
	} else if (p[0] == '>') {
		op = CONFIG_OP_GT;
		p++;
	} else {
		return "expected an operator (=, !=, <, <=, >, >=) after the "
		    "trailer name; a trailer name has only letters, digits "
		    "and '-'";
	}
	if (*p == '=' || *p == '<' || *p == '>' || *p == '!')
		return "unknown operator: use =, !=, <, <=, > or >=";
	while (is_blank((unsigned char)*p))
		p++;
	value = p;
	value_end = value + strlen(value);
	while (value_end > value && is_blank((unsigned char)value_end[-1]))
		value_end--;
	if (value_end == value)
		return "no value after the operator";
	/* policy.c would make such a rule apply always: say so now */
	if (op != CONFIG_OP_EQ && op != CONFIG_OP_NE) {
		char *v = xstrndup(value, (size_t)(value_end - value));
		long double ignored;
		bool number = policy_number(v, &ignored);

		free(v);
		if (!number)
			return "<, <=, > and >= compare numbers, and the value "
			    "is not one";
	}

	out->text = xstrdup(text);
	out->trailer = xstrndup(trailer, (size_t)(trailer_end - trailer));
	out->op = op;
	out->value = xstrndup(value, (size_t)(value_end - value));
	return NULL;
}

/* "rel" against base, or "rel" itself when it is absolute; a new string. */
static char *
path_resolve(const char *base, const char *rel)
{
	if (rel[0] == '/')
		return xstrdup(rel);
	return xasprintf("%s/%s", base, rel);
}

/* The folder of the file at path, made absolute with the working folder. */
static char *
path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *cwd, *abs;

	if (slash == path)
		return xstrdup("/");
	dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	if (dir[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return dir;
	abs = strcmp(dir, ".") == 0 ? xstrdup(cwd) :
	    xasprintf("%s/%s", cwd, dir);
	free(cwd);
	free(dir);
	return abs;
}

/* ---- the tables at work ------------------------------------------------- */

static const char *
type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a floating-point number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "a setting of unknown type";
	}
}

static bool
kind_ok(const config_setting_t *s, enum kind kind)
{
	int type = config_setting_type(s);

	switch (kind) {
	case K_STRING:
		return type == CONFIG_TYPE_STRING;
	case K_BOOL:
		return type == CONFIG_TYPE_BOOL;
	case K_INT:
		return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
	case K_DURATION:
		return type == CONFIG_TYPE_STRING || type == CONFIG_TYPE_INT ||
		    type == CONFIG_TYPE_INT64;
	case K_STRINGS:
		return type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST;
	case K_NAMES:
		return type == CONFIG_TYPE_STRING ||
		    type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST;
	case K_LIST:
		/* "[]" is how some write an empty list */
		return type == CONFIG_TYPE_LIST ||
		    (type == CONFIG_TYPE_ARRAY &&
		    config_setting_length(s) == 0);
	case K_GROUP:
		return type == CONFIG_TYPE_GROUP;
	}
	return false;
}

/*
 * The string of element i of an array, or NULL when it is not a non-empty
 * string (check_fields() has reported it).
 */
static const char *
elem_str(const config_setting_t *a, int i)
{
	const char *s;

	s = config_setting_get_string(config_setting_get_elem(a,
	    (unsigned)i));
	return s != NULL && *s != '\0' ? s : NULL;
}

/* Reports the elements of an array of strings that are not strings. */
static void
check_strings(struct loader *ld, const config_setting_t *a)
{
	int n = config_setting_length(a);

	for (int i = 0; i < n; i++) {
		const config_setting_t *e;

		e = config_setting_get_elem(a, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			report(ld, e, "expected a string, not %s",
			    type_name(e));
		else if (*config_setting_get_string(e) == '\0')
			report(ld, e, "must not be empty");
	}
}

/*
 * Checks the settings in group g against a table of nfields fields: each
 * must be known and of its kind, and each required one present.  Sets v[i]
 * to the setting for fields[i] when it is present and of the right kind,
 * else to NULL; the problems are reported.
 */
static void
check_fields(struct loader *ld, const config_setting_t *g,
    const struct field *fields, size_t nfields, const config_setting_t **v)
{
	int n = config_setting_length(g);

	for (size_t i = 0; i < nfields; i++)
		v[i] = NULL;
	for (int k = 0; k < n; k++) {
		const config_setting_t *s;
		const char *name;
		size_t i;

		s = config_setting_get_elem(g, (unsigned)k);
		name = config_setting_name(s);
		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].name, name) == 0)
				break;
		if (i == nfields) {
			report(ld, s, "unknown setting");
			continue;
		}
		if (!kind_ok(s, fields[i].kind)) {
			report(ld, s, "expected %s, not %s",
			    kind_names[fields[i].kind], type_name(s));
			continue;
		}
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    *config_setting_get_string(s) == '\0') {
			report(ld, s, "must not be empty");
			continue;
		}
		if (config_setting_is_aggregate(s) &&
		    (fields[i].kind == K_STRINGS || fields[i].kind == K_NAMES))
			check_strings(ld, s);
		v[i] = s;
	}
	for (size_t i = 0; i < nfields; i++)
		if (fields[i].required &&
		    config_setting_get_member(g, fields[i].name) == NULL)
			missing(ld, g, fields[i].name);
}

/* The entries of a list must be groups; reports one that is not. */
static bool
entry_ok(struct loader *ld, const config_setting_t *e)
{
	if (config_setting_is_group(e))
		return true;
	report(ld, e, "expected a group { ... }, not %s", type_name(e));
	return false;
}

/* A copy of a string setting, or NULL when s is NULL. */
static char *
str_dup(const config_setting_t *s)
{
	return s ? xstrdup(config_setting_get_string(s)) : NULL;
}

static bool
count_ok(struct loader *ld, const config_setting_t *s, const char *what,
    size_t max)
{
	if ((size_t)config_setting_length(s) <= max)
		return true;
	report(ld, s, "too many %s: %d, at most %zu", what,
	    config_setting_length(s), max);
	return false;
}

static int
skey_cmp(const void *a, const void *b)
{
	const struct skey *p = a, *q = b;
	int c = strcmp(p->s, q->s);

	if (c != 0)
		return c;
	return p->idx < q->idx ? -1 : p->idx > q->idx;
}

static int
skey_casecmp(const void *a, const void *b)
{
	const struct skey *p = a, *q = b;
	int c = strcasecmp(p->s, q->s);

	if (c != 0)
		return c;
	return p->idx < q->idx ? -1 : p->idx > q->idx;
}

/*
 * Sorts keys and reports each one that repeats an earlier one, at the
 * later place.  Sorting keeps this O(n log n) for 10,000 people.
 */
static void
check_unique(struct loader *ld, struct skey *keys, size_t n, bool icase,
    const char *what)
{
	int (*cmp)(const void *, const void *) =
	    icase ? skey_casecmp : skey_cmp;

	qsort(keys, n, sizeof(*keys), cmp);
	for (size_t i = 1, first = 0; i < n; i++) {
		bool same = icase ? strcasecmp(keys[i].s, keys[first].s) == 0 :
		    strcmp(keys[i].s, keys[first].s) == 0;

		if (!same) {
			first = i;
			continue;
		}
		report(ld, keys[i].at, "duplicate %s '%s', also at line %u",
		    what, keys[i].s, config_setting_source_line(
		    keys[first].at));
	}
}

static int
skey_find_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct skey *)elem)->s);
}

/* The index of the person with this id while loading, or -1. */
static ssize_t
person_index(struct loader *ld, const char *id)
{
	const struct skey *k;

	k = bsearch(id, ld->ids, ld->nids, sizeof(*ld->ids), skey_find_cmp);
	return k ? (ssize_t)k->idx : -1;
}

/*
 * Resolves a *_file setting and, with CONFIG_CHECK_SECRETS, reads it as
 * printgated will (config_secret_read(), a URL for url_file) and reports
 * what is wrong.  The content is wiped and never shown.
 */
static char *
secret_path(struct loader *ld, const config_setting_t *s)
{
	char *path = path_resolve(ld->secret_dir, config_setting_get_string(s));
	const char *name = config_setting_name(s);
	char *content = NULL, *why = NULL;

	if (!(ld->flags & CONFIG_CHECK_SECRETS))
		return path;
	if (config_secret_read(path, name && strcmp(name, "url_file") == 0 ?
	    CONFIG_SECRET_URL : CONFIG_SECRET_KEY, &content, &why) < 0) {
		report(ld, s, "%s", why);
		free(why);
	} else {
		explicit_bzero(content, strlen(content));
		free(content);
	}
	return path;
}

/* ---- the sections ------------------------------------------------------- */

/*
 * The settings of a person and of http: the core's own, then each
 * platform's person key (unless it names a core setting) and secret
 * setting, in the table's order.
 */
static void
fields_build(struct loader *ld)
{
	const struct config_platforms *pl = ld->cf->platforms;

	memcpy(ld->person_fields, person_fields, sizeof(person_fields));
	ld->nperson_fields = P_CORE;
	memcpy(ld->http_fields, http_fields, sizeof(http_fields));
	ld->nhttp_fields = H_CORE;
	for (size_t i = 0; pl && i < pl->n; i++) {
		const struct config_platform *p = pl->v[i];
		bool core = false;

		for (size_t f = 0; f < P_CORE && p->person_key; f++)
			core = core || strcmp(p->person_key,
			    person_fields[f].name) == 0;
		if (p->person_key && !core) {
			ld->person_platform[ld->nperson_fields] = i;
			ld->person_fields[ld->nperson_fields++] = (struct field){
				p->person_key, K_STRING, false };
		}
		if (p->secret_setting) {
			ld->http_platform[ld->nhttp_fields] = i;
			ld->http_fields[ld->nhttp_fields++] = (struct field){
				p->secret_setting, K_STRING, false };
		}
	}
}

/* Whether s has a control character (not to be echoed to a terminal). */
static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return true;
	return false;
}

/* An address for MAIL FROM and a header: printable, no space or <>. */
static bool
mail_address_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strlen(s) > 254)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    strchr("<>()[],;:\"\\", *s))
			return false;
	return true;
}

/* What a duplicate of person setting f is called: "slack id", "email". */
static char *
person_what(const struct loader *ld, size_t f)
{
	if (f == P_NAME)
		return NULL;
	if (f < P_CORE)
		return xstrdup(ld->person_fields[f].name);
	return xasprintf("%s id", ld->person_fields[f].name);
}

static void
load_people(struct loader *ld, const config_setting_t *list)
{
	struct config *cf = ld->cf;
	size_t n = (size_t)config_setting_length(list), nf = ld->nperson_fields;
	struct skey *keys[P_CORE + CONFIG_MAX_PLATFORMS] = { NULL };
	size_t nkeys[P_CORE + CONFIG_MAX_PLATFORMS] = { 0 };
	char *what[P_CORE + CONFIG_MAX_PLATFORMS] = { NULL };

	count_ok(ld, list, "people", CONFIG_MAX_PEOPLE);
	cf->people = xcalloc(n, sizeof(*cf->people));
	cf->npeople = n;
	for (size_t f = 0; f < nf; f++) {
		keys[f] = xcalloc(n, sizeof(*keys[f]));
		what[f] = person_what(ld, f);
	}

	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e, *v[P_CORE + CONFIG_MAX_PLATFORMS];
		struct config_person *p = &cf->people[i];

		e = config_setting_get_elem(list, (unsigned)i);
		if (!entry_ok(ld, e))
			continue;
		check_fields(ld, e, ld->person_fields, nf, v);
		p->id = str_dup(v[P_ID]);
		p->name = str_dup(v[P_NAME]);
		p->email = str_dup(v[P_EMAIL]);
		p->login = str_dup(v[P_LOGIN]);
		for (size_t f = P_CORE; f < nf; f++)
			p->handles[ld->person_platform[f]] = str_dup(v[f]);
		if (p->id != NULL && !id_ok(p->id))
			report(ld, v[P_ID], "'%s' is not a valid id: " ID_RULE,
			    p->id);
		if (p->email != NULL && !mail_address_ok(p->email))
			report(ld, v[P_EMAIL], "'%s' is not an email address: "
			    "name@domain, with no space, control or any of "
			    "<>()[],;:\"\\", has_control(p->email) ?
			    "(a value with a line break or another control "
			    "character)" : p->email);
		for (size_t f = 0; f < nf; f++) {
			if (what[f] == NULL || v[f] == NULL)
				continue;
			keys[f][nkeys[f]++] = (struct skey){
				config_setting_get_string(v[f]), v[f], i };
		}
	}
	for (size_t f = 0; f < nf; f++) {
		if (what[f] != NULL)
			check_unique(ld, keys[f], nkeys[f], f == P_EMAIL,
			    what[f]);
	}
	/* the ids, sorted by check_unique(), serve the lookups */
	ld->ids = keys[P_ID];
	ld->nids = nkeys[P_ID];
	keys[P_ID] = NULL;
	for (size_t f = 0; f < nf; f++) {
		free(keys[f]);
		free(what[f]);
	}
}

static void
load_groups(struct loader *ld, const config_setting_t *groups)
{
	struct config *cf = ld->cf;
	size_t n = (size_t)config_setting_length(groups);
	size_t *stamp;

	count_ok(ld, groups, "groups", CONFIG_MAX_GROUPS);
	cf->groups = xcalloc(n, sizeof(*cf->groups));
	cf->ngroups = n;
	ld->group_size = xcalloc(n, sizeof(*ld->group_size));
	/* stamp[person] == i + 1: the person is already in group i */
	stamp = xcalloc(cf->npeople, sizeof(*stamp));

	for (size_t i = 0; i < n; i++) {
		const config_setting_t *s;
		struct config_group *g = &cf->groups[i];
		size_t m;

		s = config_setting_get_elem(groups, (unsigned)i);
		g->name = xstrdup(config_setting_name(s));
		if (!kind_ok(s, K_STRINGS)) {
			report(ld, s, "expected an array of person ids "
			    "[ \"alice\", ... ], not %s", type_name(s));
			continue;
		}
		m = (size_t)config_setting_length(s);
		ld->group_size[i] = m;
		g->members = xcalloc(m, sizeof(*g->members));
		if (m == 0) {
			report(ld, s, "has no members: list at least one "
			    "person's id");
		}
		/* without a people section, that is the one error to show */
		if (cf->people == NULL)
			continue;
		for (size_t j = 0; j < m; j++) {
			const config_setting_t *e;
			const char *id;
			ssize_t p;

			e = config_setting_get_elem(s, (unsigned)j);
			id = config_setting_get_string(e);
			if (id == NULL) {
				report(ld, e, "expected a person's id, not %s",
				    type_name(e));
				continue;
			}
			if ((p = person_index(ld, id)) < 0) {
				report(ld, e, "unknown person '%s'", id);
				continue;
			}
			if (stamp[p] == i + 1) {
				report(ld, e, "duplicate member '%s'", id);
				continue;
			}
			stamp[p] = i + 1;
			g->members[g->nmembers++] = (size_t)p;
		}
	}
	free(stamp);
}

/* The index of the group named by setting s, or SIZE_MAX (reported). */
static size_t
group_ref(struct loader *ld, const config_setting_t *s)
{
	const char *name = config_setting_get_string(s);
	ssize_t g = config_group_find(ld->cf, name);

	if (g >= 0)
		return (size_t)g;
	/* without a groups section, that is the one error to show */
	if (ld->cf->groups != NULL)
		report(ld, s, "unknown group '%s'", name);
	return SIZE_MAX;
}

static void
load_release_managers(struct loader *ld, const config_setting_t *s)
{
	struct config *cf = ld->cf;
	bool one = config_setting_type(s) == CONFIG_TYPE_STRING;
	size_t n = one ? 1 : (size_t)config_setting_length(s);

	if (!one && n == 0) {
		report(ld, s, "must name at least one group");
		return;
	}
	if (!one && !count_ok(ld, s, "groups", CONFIG_MAX_GROUPS))
		return;
	cf->release_managers = xcalloc(n, sizeof(*cf->release_managers));
	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e;
		size_t g;
		bool dup = false;

		e = one ? s : config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    (g = group_ref(ld, e)) == SIZE_MAX)
			continue;
		for (size_t j = 0; j < cf->nrelease_managers; j++)
			dup = dup || cf->release_managers[j] == g;
		if (dup) {
			report(ld, e, "duplicate group '%s'",
			    cf->groups[g].name);
			continue;
		}
		cf->release_managers[cf->nrelease_managers++] = g;
	}
}

static void
load_rule_paths(struct loader *ld, struct config_rule *r,
    const config_setting_t *paths)
{
	size_t n = (size_t)config_setting_length(paths);

	if (n == 0) {
		report(ld, paths, "must list at least one path");
		return;
	}
	count_ok(ld, paths, "paths", CONFIG_MAX_PATHS);
	r->paths = xcalloc(n, sizeof(*r->paths));
	for (size_t j = 0; j < n; j++) {
		const char *path = elem_str(paths, (int)j);

		if (path == NULL)
			continue;
		if (path[0] == '/')
			report(ld, config_setting_get_elem(paths, (unsigned)j),
			    "'%s' starts with '/': paths are relative to the "
			    "top of the repository", path);
		else if (path[0] == ':')
			report(ld, config_setting_get_elem(paths, (unsigned)j),
			    "'%s': pathspec magic (':...') is not supported",
			    path);
		r->paths[r->npaths++] = xstrdup(path);
	}
}

/* Sets r->required from s: 1 to the size of the rule's group. */
static void
rule_required(struct loader *ld, struct config_rule *r,
    const config_setting_t *s)
{
	long long req = config_setting_get_int64(s);
	/* the size as listed: one error, not two, when a member is bad */
	size_t size = r->group != SIZE_MAX ? ld->group_size[r->group] : 0;

	if (req < 1)
		report(ld, s, "%lld: must be at least 1", req);
	else if (size > 0 && (unsigned long long)req > size)
		report(ld, s, "%lld: must be at most %zu, the number of people "
		    "in group '%s'", req, size, ld->cf->groups[r->group].name);
	else if (req <= UINT_MAX)
		r->required = (unsigned)req;
}

static void
load_rules(struct loader *ld, const config_setting_t *list)
{
	struct config *cf = ld->cf;
	size_t n = (size_t)config_setting_length(list);
	struct skey *names;
	size_t nnames = 0;

	count_ok(ld, list, "rules", CONFIG_MAX_RULES);
	cf->rules = xcalloc(n, sizeof(*cf->rules));
	cf->nrules = n;
	names = xcalloc(n, sizeof(*names));

	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e, *v[R_N];
		struct config_rule *r = &cf->rules[i];
		const char *why;

		e = config_setting_get_elem(list, (unsigned)i);
		r->group = SIZE_MAX;
		r->required = 1;
		if (!entry_ok(ld, e))
			continue;
		check_fields(ld, e, rule_fields, R_N, v);
		if (v[R_NAME] != NULL) {
			r->name = str_dup(v[R_NAME]);
			if (!id_ok(r->name))
				report(ld, v[R_NAME], "'%s' is not a valid "
				    "name: " ID_RULE, r->name);
			names[nnames++] = (struct skey){ r->name, v[R_NAME],
			    i };
		}
		if (v[R_PATHS] != NULL)
			load_rule_paths(ld, r, v[R_PATHS]);
		if (v[R_GROUP] != NULL)
			r->group = group_ref(ld, v[R_GROUP]);
		if (v[R_REQUIRED] != NULL)
			rule_required(ld, r, v[R_REQUIRED]);
		if (v[R_ALLOW_SYMLINKS] != NULL)
			r->allow_symlinks =
			    config_setting_get_bool(v[R_ALLOW_SYMLINKS]);
		if (v[R_WHEN] != NULL) {
			const char *text = config_setting_get_string(v[R_WHEN]);

			if ((why = when_parse(text, &r->when)) != NULL)
				report(ld, v[R_WHEN], "'%s': %s", text, why);
			else
				r->has_when = true;
		}
	}
	check_unique(ld, names, nnames, false, "rule name");
	free(names);
}

/* Reads a duration setting into *out; false (reported) when it is bad. */
static bool
duration_of(struct loader *ld, const config_setting_t *s, int64_t *out)
{
	const char *why;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		const char *text = config_setting_get_string(s);

		if ((why = duration_parse(text, out)) == NULL)
			return true;
		report(ld, s, "'%s' is not a duration: %s (e.g. \"24h\", "
		    "\"1h30m\", or a number of seconds)", text, why);
		return false;
	}
	if (config_setting_get_int64(s) <= 0) {
		report(ld, s, "%lld: must be more than zero",
		    config_setting_get_int64(s));
		return false;
	}
	if (config_setting_get_int64(s) > DURATION_MAX) {
		report(ld, s, "%lld: too long: at most 3650d",
		    config_setting_get_int64(s));
		return false;
	}
	*out = config_setting_get_int64(s);
	return true;
}

static void
load_review(struct loader *ld, const config_setting_t *review)
{
	struct config_review *rv = &ld->cf->review;
	const config_setting_t *v[V_N];
	bool remind_ok = true, escalate_ok = true;
	char a[32], b[32];

	check_fields(ld, review, review_fields, V_N, v);
	if (v[V_SELF_APPROVAL] != NULL)
		rv->self_approval = config_setting_get_bool(v[V_SELF_APPROVAL]);
	if (v[V_APPROVE_WITH_CHANGES_COUNTS] != NULL)
		rv->approve_with_changes_counts = config_setting_get_bool(
		    v[V_APPROVE_WITH_CHANGES_COUNTS]);
	if (v[V_AUTO_RELEASE] != NULL)
		rv->auto_release = config_setting_get_bool(v[V_AUTO_RELEASE]);
	if (v[V_QUARANTINE] != NULL)
		rv->quarantine = config_setting_get_bool(v[V_QUARANTINE]);
	if (v[V_ESCALATE_TO] != NULL)
		rv->escalate_to = group_ref(ld, v[V_ESCALATE_TO]);
	if (v[V_REMIND_AFTER] != NULL)
		remind_ok = duration_of(ld, v[V_REMIND_AFTER],
		    &rv->remind_after);
	if (v[V_ESCALATE_AFTER] != NULL)
		escalate_ok = duration_of(ld, v[V_ESCALATE_AFTER],
		    &rv->escalate_after);
	if (v[V_LINK_TTL] != NULL && duration_of(ld, v[V_LINK_TTL],
	    &rv->link_ttl) && rv->link_ttl <= 0)
		report(ld, v[V_LINK_TTL], "link_ttl must be longer than 0 s "
		    "(e.g. \"14d\")");
	if (remind_ok && escalate_ok &&
	    rv->escalate_after < rv->remind_after) {
		duration_fmt(rv->escalate_after, a, sizeof(a));
		duration_fmt(rv->remind_after, b, sizeof(b));
		report(ld, v[V_ESCALATE_AFTER] ? v[V_ESCALATE_AFTER] :
		    v[V_REMIND_AFTER], "escalate_after (%s%s) must not be "
		    "shorter than remind_after (%s%s)", a,
		    v[V_ESCALATE_AFTER] ? "" : ", the default", b,
		    v[V_REMIND_AFTER] ? "" : ", the default");
	}
}

static void
load_notify_events(struct loader *ld, struct config_notify *nt,
    const config_setting_t *events)
{
	size_t n = (size_t)config_setting_length(events);

	if (n == 0) {
		report(ld, events, "must list at least one event (leave "
		    "events out to get all of them)");
		return;
	}
	if (!count_ok(ld, events, "events", LEDGER_NTYPES))
		return;
	nt->events = xcalloc(n, sizeof(*nt->events));
	for (size_t j = 0; j < n; j++) {
		const config_setting_t *e;
		const char *name = elem_str(events, (int)j);
		enum ledger_type type;
		size_t k;
		bool dup = false;

		if (name == NULL)
			continue;
		e = config_setting_get_elem(events, (unsigned)j);
		if (ledger_type_parse(name, &type) < 0) {
			char *names = ledger_type_list();

			report(ld, e, "unknown event '%s': use %s", name,
			    names);
			free(names);
			continue;
		}
		for (k = 0; k < nt->nevents; k++)
			dup = dup || strcmp(nt->events[k], name) == 0;
		if (dup) {
			report(ld, e, "duplicate event '%s'", name);
			continue;
		}
		nt->events[nt->nevents++] = xstrdup(name);
	}
}

/*
 * The names of the platforms whose flags are (flags & mask), joined as
 * people read a list: "slack, mattermost, teams or webhook".  The caller
 * frees it.
 */
static char *
platform_names(const struct loader *ld, unsigned mask, unsigned flags)
{
	const struct config_platforms *pl = ld->cf->platforms;
	struct buf b = { 0 };
	size_t n = 0, k = 0;

	for (size_t i = 0; pl && i < pl->n; i++)
		n += (pl->v[i]->flags & mask) == flags;
	for (size_t i = 0; pl && i < pl->n; i++) {
		if ((pl->v[i]->flags & mask) != flags)
			continue;
		if (k > 0)
			buf_adds(&b, k + 1 == n ? " or " : ", ");
		buf_adds(&b, pl->v[i]->name);
		k++;
	}
	if (b.len == 0)
		buf_adds(&b, "(none)");
	return buf_steal(&b);
}

/* The notify type named type, as an index into cf->platforms, or -1. */
static ssize_t
load_notify_type(struct loader *ld, struct config_notify *nt,
    const config_setting_t *s)
{
	const char *type = config_setting_get_string(s);
	ssize_t t = config_platform_find(ld->cf, type);
	char *names;

	if (t < 0) {
		names = platform_names(ld, 0, 0);
		report(ld, s, "unknown type '%s': use %s", type, names);
		free(names);
		return -1;
	}
	nt->type = ld->cf->platforms->v[t];
	nt->platform = (size_t)t;
	return t;
}

/* Whether host (as in a URL, "[::1]" bracketed) is a loopback address. */
static bool
host_loopback(const char *host, size_t len)
{
	char h[64];

	if (len == 0 || len >= sizeof(h))
		return false;
	memcpy(h, host, len);
	h[len] = '\0';
	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0)
		return true;
	if (!str_startswith(h, "127."))
		return false;
	return strspn(h, "0123456789.") == len;
}

/*
 * Checks a mail target's smtp_url: smtps://host[:port], or
 * smtp://host:587 (STARTTLS, required), or smtp:// to a loopback address
 * (a local relay; TLS when offered).  NULL or why it is wrong; *plain is
 * set when TLS may be left out.
 */
static const char *
smtp_url_check(const char *s, bool *plain)
{
	const char *host, *end, *port;
	bool smtps = str_startswith(s, "smtps://");

	*plain = false;
	if (!smtps && !str_startswith(s, "smtp://"))
		return "must be an smtps://host:465 or smtp://host:587 URL";
	host = s + (smtps ? strlen("smtps://") : strlen("smtp://"));
	for (const char *p = host; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '@')
			return "has a space, a control or a login in it (put "
			    "the login in username_file and password_file)";
	end = host[0] == '[' ? strchr(host, ']') : host + strcspn(host, ":/");
	if (end == NULL || end == host)
		return "has no host";
	if (host[0] == '[')
		end++;
	port = *end == ':' ? end + 1 : NULL;
	if (smtps)
		return NULL;
	if (host_loopback(host, (size_t)(end - host))) {
		*plain = true;
		return NULL;
	}
	if (port == NULL || strncmp(port, "587", 3) != 0 ||
	    (port[3] != '\0' && port[3] != '/'))
		return "is plain SMTP to a host that is not this machine, "
		    "which would send mail unencrypted: use smtps://host:465, "
		    "or smtp://host:587 (STARTTLS, required)";
	return NULL;
}

/* A mail target: smtp_url and from, the optional login's files. */
static void
load_notify_mail(struct loader *ld, const config_setting_t *e,
    struct config_notify *nt, const config_setting_t **v)
{
	const char *why;

	for (int f = N_URL; f <= N_SECRET_FILE; f++)
		if (v[f] != NULL)
			report(ld, v[f], "a target of type %s has no %s: "
			    "set smtp_url and from", nt->type->name,
			    notify_fields[f].name);
	if (v[N_SMTP_URL] == NULL)
		missing(ld, e, "smtp_url");
	else {
		nt->smtp_url = str_dup(v[N_SMTP_URL]);
		if ((why = smtp_url_check(nt->smtp_url,
		    &nt->smtp_plain_ok)) != NULL)
			report(ld, v[N_SMTP_URL], "'%s' %s", nt->smtp_url, why);
	}
	if (v[N_FROM] == NULL)
		missing(ld, e, "from");
	else {
		nt->from = str_dup(v[N_FROM]);
		if (!mail_address_ok(nt->from))
			report(ld, v[N_FROM], "'%s' is not a plain email "
			    "address (name@example.com)", nt->from);
	}
	if ((v[N_USERNAME_FILE] == NULL) != (v[N_PASSWORD_FILE] == NULL))
		report(ld, v[N_USERNAME_FILE] ? v[N_USERNAME_FILE] :
		    v[N_PASSWORD_FILE], "set both username_file and "
		    "password_file, or neither");
	if (v[N_USERNAME_FILE] != NULL)
		nt->username_file = secret_path(ld, v[N_USERNAME_FILE]);
	if (v[N_PASSWORD_FILE] != NULL)
		nt->password_file = secret_path(ld, v[N_PASSWORD_FILE]);
}

/*
 * The URL and secret of a target: a signed platform's URL is no secret
 * (url or url_file) and its secret_file is required; any other's URL is
 * the secret, in url_file only.
 */
static void
load_notify_url(struct loader *ld, const config_setting_t *e,
    struct config_notify *nt, const config_setting_t **v)
{
	const char *type = nt->type->name;
	char *names;

	if (nt->type->flags & CONFIG_PLATFORM_MAIL) {
		load_notify_mail(ld, e, nt, v);
		return;
	}
	for (int f = N_SMTP_URL; f <= N_PASSWORD_FILE; f++)
		if (v[f] != NULL)
			report(ld, v[f], "only a mail target has %s; a %s "
			    "target has none", notify_fields[f].name, type);
	if (nt->type->flags & CONFIG_PLATFORM_SIGNED) {
		if (v[N_URL] != NULL) {
			nt->url = str_dup(v[N_URL]);
			if (!url_ok(nt->url))
				report(ld, v[N_URL], "'%s' is not an "
				    "http:// or https:// URL", nt->url);
		}
		if (v[N_URL] != NULL && v[N_URL_FILE] != NULL)
			report(ld, v[N_URL_FILE], "set url or url_file, not "
			    "both");
		if (config_setting_get_member(e, "url") == NULL &&
		    config_setting_get_member(e, "url_file") == NULL)
			report_child(ld, e, "url", "missing (or url_file)");
		if (config_setting_get_member(e, "secret_file") == NULL)
			missing(ld, e, "secret_file");
		return;
	}
	if (v[N_URL] != NULL)
		report(ld, v[N_URL], "a %s webhook URL is a secret: put it in "
		    "a file and name it with url_file", type);
	if (config_setting_get_member(e, "url_file") == NULL)
		missing(ld, e, "url_file");
	if (v[N_SECRET_FILE] != NULL) {
		names = platform_names(ld, CONFIG_PLATFORM_SIGNED,
		    CONFIG_PLATFORM_SIGNED);
		report(ld, v[N_SECRET_FILE], "only a %s has a secret_file; a "
		    "%s target's secret is its URL, in url_file", names, type);
		free(names);
	}
}

static void
load_notify(struct loader *ld, const config_setting_t *list)
{
	struct config *cf = ld->cf;
	size_t n = (size_t)config_setting_length(list);
	struct skey *names;
	size_t nnames = 0;

	count_ok(ld, list, "notify targets", CONFIG_MAX_NOTIFY);
	cf->notify = xcalloc(n, sizeof(*cf->notify));
	cf->nnotify = n;
	names = xcalloc(n, sizeof(*names));

	for (size_t i = 0; i < n; i++) {
		const config_setting_t *e, *v[N_N];
		struct config_notify *nt = &cf->notify[i];
		ssize_t t = -1;

		e = config_setting_get_elem(list, (unsigned)i);
		if (!entry_ok(ld, e))
			continue;
		check_fields(ld, e, notify_fields, N_N, v);
		if (v[N_NAME] != NULL) {
			nt->name = str_dup(v[N_NAME]);
			if (!id_ok(nt->name))
				report(ld, v[N_NAME], "'%s' is not a valid "
				    "name: " ID_RULE, nt->name);
			names[nnames++] = (struct skey){ nt->name, v[N_NAME],
			    i };
		}
		if (v[N_TYPE] != NULL)
			t = load_notify_type(ld, nt, v[N_TYPE]);
		if (v[N_URL_FILE] != NULL)
			nt->url_file = secret_path(ld, v[N_URL_FILE]);
		if (v[N_SECRET_FILE] != NULL)
			nt->secret_file = secret_path(ld, v[N_SECRET_FILE]);
		if (v[N_EVENTS] != NULL)
			load_notify_events(ld, nt, v[N_EVENTS]);
		if (t >= 0)
			load_notify_url(ld, e, nt, v);
	}
	check_unique(ld, names, nnames, false, "notify name");
	free(names);
}

/*
 * The review page's settings of http: the links secret's file (read and
 * checked as the platforms' secrets are), the header an SSO proxy names
 * the viewer in (a header name: letters, digits and '-'), and the proxies
 * trusted to send it (IPv4 or IPv6 addresses; without any, the header is
 * never honoured).
 */
static void
load_http_identity(struct loader *ld, struct config_http *h,
    const config_setting_t **v)
{
	const config_setting_t *a = v[H_TRUSTED_PROXIES];
	unsigned char addr[16];

	if (v[H_LINKS_SECRET_FILE] != NULL)
		h->links_secret_file = secret_path(ld, v[H_LINKS_SECRET_FILE]);
	if (v[H_IDENTITY_HEADER] != NULL) {
		const char *name = config_setting_get_string(
		    v[H_IDENTITY_HEADER]);
		size_t n = strlen(name);

		if (n == 0 || n > 64 || name[strspn(name, "ABCDEFGHIJKLMNOPQR"
		    "STUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")] != '\0')
			report(ld, v[H_IDENTITY_HEADER], "'%s' is not a header "
			    "name (letters, digits and '-', at most 64)", name);
		else
			h->identity_header = xstrdup(name);
	}
	if (a == NULL)
		return;
	h->ntrusted_proxies = (size_t)config_setting_length(a);
	h->trusted_proxies = xcalloc(h->ntrusted_proxies + 1, sizeof(char *));
	for (size_t i = 0; i < h->ntrusted_proxies; i++) {
		const char *ip = elem_str(a, (int)i);

		if (ip == NULL)	/* check_fields() reported it */
			continue;
		if (inet_pton(AF_INET, ip, addr) != 1 &&
		    inet_pton(AF_INET6, ip, addr) != 1)
			report(ld, config_setting_get_elem(a, (unsigned)i),
			    "'%s' is not an IP address (\"127.0.0.1\", "
			    "\"::1\")", ip);
		h->trusted_proxies[i] = xstrdup(ip);
	}
	if (h->identity_header == NULL && h->ntrusted_proxies > 0)
		report(ld, a, "trusted_proxies without identity_header: set "
		    "the header the proxy names people in");
}

/*
 * proxy_path: whether the proxy in front passes public_url's path on
 * ("keep") or takes it off ("strip"); the listener then answers there
 * alone.  Unset, it answers both, which a sign-in proxy that covers only
 * some paths under public_url's cannot have: a client's
 * /printgate/printgate/r/... is no path it signs people in on, and one
 * that strips the path sends it on as /printgate/r/..., with whatever
 * identity header the client wrote.
 */
static void
load_proxy_path(struct loader *ld, struct config_http *h,
    const config_setting_t *s, const config_setting_t *http)
{
	const char *v = s ? config_setting_get_string(s) : NULL;

	if (v != NULL && strcmp(v, "keep") == 0)
		h->proxy_path = CONFIG_PATH_KEEP;
	else if (v != NULL && strcmp(v, "strip") == 0)
		h->proxy_path = CONFIG_PATH_STRIP;
	else if (v != NULL)
		report(ld, s, "'%s': \"keep\" (the proxy passes public_url's "
		    "path on) or \"strip\" (it takes it off)", v);
	else if (h->identity_header != NULL && h->base_path != NULL &&
	    h->base_path[0] != '\0')
		report(ld, http, "identity_header with a path in public_url "
		    "needs proxy_path: \"keep\" if the proxy passes '%s/' on, "
		    "\"strip\" if it takes it off (answered both ways, a "
		    "client's %s%s/r/... that no sign-in covers would reach "
		    "the page as %s/r/..., with its own identity header)",
		    h->base_path, h->base_path, h->base_path, h->base_path);
}

static void
load_http(struct loader *ld, const config_setting_t *http)
{
	struct config_http *h = &ld->cf->http;
	const config_setting_t *v[H_CORE + CONFIG_MAX_PLATFORMS];
	const char *why;

	check_fields(ld, http, ld->http_fields, ld->nhttp_fields, v);
	h->enabled = true;
	if (v[H_LISTEN] != NULL) {
		h->listen = str_dup(v[H_LISTEN]);
		if ((why = listen_check(h->listen)) != NULL)
			report(ld, v[H_LISTEN], "'%s': %s", h->listen, why);
	}
	if (v[H_PUBLIC_URL] != NULL) {
		h->public_url = str_dup(v[H_PUBLIC_URL]);
		if (!url_ok(h->public_url))
			report(ld, v[H_PUBLIC_URL], "'%s' is not an http:// "
			    "or https:// URL", h->public_url);
		else if ((h->base_path = base_path_of(h->public_url)) == NULL)
			report(ld, v[H_PUBLIC_URL], "'%s': its path may hold "
			    "only letters, digits, '-', '.', '_', '~' and "
			    "'/', without a query or '//'", h->public_url);
	}
	load_http_identity(ld, h, v);
	load_proxy_path(ld, h, v[H_PROXY_PATH], http);
	for (size_t f = H_CORE; f < ld->nhttp_fields; f++)
		if (v[f] != NULL)
			h->secret_files[ld->http_platform[f]] = secret_path(ld,
			    v[f]);
}

static void
load_pusher_env(struct loader *ld, const config_setting_t *s)
{
	struct config *cf = ld->cf;
	size_t n = (size_t)config_setting_length(s);

	if (n == 0) {
		report(ld, s, "must list at least one variable");
		return;
	}
	if (!count_ok(ld, s, "variables", PUSHER_ENV_MAX))
		return;
	cf->pusher_env = xcalloc(n, sizeof(*cf->pusher_env));
	for (size_t i = 0; i < n; i++) {
		const char *name = elem_str(s, (int)i);

		if (name == NULL)
			continue;
		if (!env_name_ok(name))
			report(ld, config_setting_get_elem(s, (unsigned)i),
			    "'%s' is not an environment variable's name",
			    name);
		cf->pusher_env[cf->npusher_env++] = xstrdup(name);
	}
}

/*
 * Checks an allow_refs glob; returns NULL or why it is wrong.  Replace
 * refs change what git serves for a released tag, so no glob may let
 * them in (printgate's own refs are refused before allow_refs is read).
 */
static const char *
allow_ref_check(const char *s)
{
	if (!str_startswith(s, "refs/") || strlen(s) < 6)
		return "must start with 'refs/', e.g. 'refs/heads/*'";
	if (fnmatch(s, "refs/replace/"
	    "0000000000000000000000000000000000000000", 0) == 0)
		return "lets replace refs (refs/replace/...) through, which "
		    "make git show other content for a released print tag";
	return NULL;
}

static void
load_allow_refs(struct loader *ld, const config_setting_t *s)
{
	struct config *cf = ld->cf;
	size_t n = (size_t)config_setting_length(s);

	if (n == 0) {
		report(ld, s, "must list at least one glob, e.g. "
		    "[ \"refs/heads/*\", \"refs/tags/*\" ]");
		return;
	}
	if (!count_ok(ld, s, "globs", CONFIG_MAX_PATHS))
		return;
	cf->allow_refs = xcalloc(n, sizeof(*cf->allow_refs));
	for (size_t i = 0; i < n; i++) {
		const char *glob = elem_str(s, (int)i), *why;

		if (glob == NULL)
			continue;
		if ((why = allow_ref_check(glob)) != NULL)
			report(ld, config_setting_get_elem(s, (unsigned)i),
			    "'%s' %s", glob, why);
		cf->allow_refs[cf->nallow_refs++] = xstrdup(glob);
	}
}

/*
 * Where printgated keeps its state (state_dir: set, systemd's
 * StateDirectory=, else the default) and its gate socket.
 */
static void
load_state_dir(struct loader *ld, const config_setting_t **v)
{
	struct config *cf = ld->cf;

	if (v[TOP_STATE_DIR])
		cf->state_dir = path_resolve(ld->dir,
		    config_setting_get_string(v[TOP_STATE_DIR]));
	else {
		/* systemd's StateDirectory= (the first of a list), else
		 * the default */
		const char *sd = getenv("STATE_DIRECTORY");

		if (sd && sd[0] == '/')
			cf->state_dir = xstrndup(sd, strcspn(sd, ":"));
		else
			cf->state_dir = xstrdup("/var/lib/printgate");
	}
	/* the warm path's socket; a unix socket's path has 107 bytes */
	cf->gate_socket = v[TOP_GATE_SOCKET] ? path_resolve(ld->dir,
	    config_setting_get_string(v[TOP_GATE_SOCKET])) :
	    xasprintf("%s/gate.sock", cf->state_dir);
	if (strlen(cf->gate_socket) > 107 &&
	    (v[TOP_GATE_SOCKET] || v[TOP_STATE_DIR]))
		report(ld, v[TOP_GATE_SOCKET] ? v[TOP_GATE_SOCKET] :
		    v[TOP_STATE_DIR], "'%s': a unix socket's path may have at "
		    "most 107 bytes; set gate_socket to a shorter one",
		    cf->gate_socket);
}

/* Checks the whole file, section by section, filling ld->cf. */
/*
 * A size in bytes: a whole number and a unit, "1GiB", "512MiB", "64KiB"
 * or bytes alone, from 1 MiB to 1 TiB.  Returns 0, or -EINVAL with *out
 * untouched.
 */
static int
size_parse(const char *s, uint64_t *out)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "", 1 }, { "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 },
		{ "GiB", 1ULL << 30 }, { "TiB", 1ULL << 40 },
	};
	uint64_t n = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (1ULL << 40))
			return -EINVAL;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(p, units[i].unit) == 0) {
			if (n > (1ULL << 40) / units[i].mult)
				return -EINVAL;
			n *= units[i].mult;
			if (n < (1ULL << 20) || n > (1ULL << 40))
				return -EINVAL;
			*out = n;
			return 0;
		}
	return -EINVAL;
}

/* previews_max (default 1 GiB) and lfs_dir (a folder, resolved). */
static void
load_previews(struct loader *ld, const config_setting_t *max,
    const config_setting_t *lfs)
{
	struct config *cf = ld->cf;

	cf->previews_max = 1ULL << 30;
	if (max != NULL && size_parse(config_setting_get_string(max),
	    &cf->previews_max) < 0)
		report(ld, max, "'%s': not a size from 1MiB to 1TiB; write it "
		    "as a whole number and a unit, \"1GiB\", \"512MiB\"",
		    config_setting_get_string(max));
	if (lfs != NULL)
		cf->lfs_dir = path_resolve(ld->dir,
		    config_setting_get_string(lfs));
}

static void
load_root(struct loader *ld, const config_setting_t *root)
{
	struct config *cf = ld->cf;
	const config_setting_t *v[TOP_N];
	const char *why;

	check_fields(ld, root, top_fields, TOP_N, v);

	cf->review.approve_with_changes_counts = true;
	cf->review.auto_release = true;
	cf->review.remind_after = 24 * 3600;
	cf->review.escalate_after = 72 * 3600;
	cf->review.link_ttl = 14 * 24 * 3600;
	cf->review.escalate_to = SIZE_MAX;

	/* people before groups before everything that names a group */
	if (v[TOP_PEOPLE] != NULL)
		load_people(ld, v[TOP_PEOPLE]);
	if (v[TOP_GROUPS] != NULL)
		load_groups(ld, v[TOP_GROUPS]);
	if (v[TOP_RELEASE_MANAGERS] != NULL)
		load_release_managers(ld, v[TOP_RELEASE_MANAGERS]);
	if (v[TOP_RULES] != NULL)
		load_rules(ld, v[TOP_RULES]);
	if (v[TOP_REVIEW] != NULL)
		load_review(ld, v[TOP_REVIEW]);
	if (v[TOP_NOTIFY] != NULL)
		load_notify(ld, v[TOP_NOTIFY]);
	if (v[TOP_HTTP] != NULL)
		load_http(ld, v[TOP_HTTP]);

	if (v[TOP_REPOSITORY] != NULL)
		cf->repository = path_resolve(ld->dir,
		    config_setting_get_string(v[TOP_REPOSITORY]));
	cf->print_tags = v[TOP_PRINT_TAGS] ? str_dup(v[TOP_PRINT_TAGS]) :
	    xstrdup("refs/tags/print/*");
	if ((why = print_tags_check(cf->print_tags)) != NULL)
		report(ld, v[TOP_PRINT_TAGS], "'%s': %s", cf->print_tags, why);
	else
		cf->print_prefix = xstrndup(cf->print_tags,
		    strlen(cf->print_tags) - 1);
	load_state_dir(ld, v);
	if (v[TOP_BROWSE_URL] != NULL) {
		cf->browse_url = str_dup(v[TOP_BROWSE_URL]);
		if ((why = browse_url_check(cf->browse_url)) != NULL)
			report(ld, v[TOP_BROWSE_URL], "'%s': %s",
			    cf->browse_url, why);
	}
	load_previews(ld, v[TOP_PREVIEWS_MAX], v[TOP_LFS_DIR]);
	if (v[TOP_PUSHER_ENV] != NULL) {
		load_pusher_env(ld, v[TOP_PUSHER_ENV]);
	} else {
		cf->npusher_env = ARRAY_SIZE(default_pusher_env);
		cf->pusher_env = xcalloc(cf->npusher_env,
		    sizeof(*cf->pusher_env));
		for (size_t i = 0; i < cf->npusher_env; i++)
			cf->pusher_env[i] = xstrdup(default_pusher_env[i]);
	}
	if (v[TOP_ALLOW_REFS] != NULL) {
		load_allow_refs(ld, v[TOP_ALLOW_REFS]);
	} else {
		cf->nallow_refs = ARRAY_SIZE(default_allow_refs);
		cf->allow_refs = xcalloc(cf->nallow_refs,
		    sizeof(*cf->allow_refs));
		for (size_t i = 0; i < cf->nallow_refs; i++)
			cf->allow_refs[i] = xstrdup(default_allow_refs[i]);
	}
}

/* ---- the interface ------------------------------------------------------ */

/*
 * Opens path for reading into *fp: a folder or a file that cannot be
 * opened is an error with *errors (when not NULL) saying so.
 */
/* Notes the file at path as st shows it, among those cf was read from. */
static void
file_add(struct config *cf, const char *path, const struct stat *st)
{
	struct config_file *f;

	cf->files = xreallocarray(cf->files, cf->nfiles + 1,
	    sizeof(*cf->files));
	f = &cf->files[cf->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	if (st == NULL)
		return;		/* never the same: config_unchanged() fails */
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	f->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
}

static bool
file_same(const struct config_file *f, const struct stat *st)
{
	return f->path && f->dev == st->st_dev && f->ino == st->st_ino &&
	    f->size == st->st_size &&
	    f->mtime_sec == (int64_t)st->st_mtim.tv_sec &&
	    f->mtime_nsec == (int64_t)st->st_mtim.tv_nsec &&
	    (f->dev != 0 || f->ino != 0);
}

/*
 * The files libconfig read for @include, named as it found them (next
 * to the configuration when relative).  Looked at after the parse: an
 * edit in between is taken as read (see SECURITY.md).
 */
static void
includes_add(struct loader *ld, const config_t *lc)
{
	for (unsigned i = 0; i < lc->num_filenames; i++) {
		const char *name = lc->filenames[i];
		char *path = name[0] == '/' ? xstrdup(name) :
		    xasprintf("%s/%s", ld->dir, name);
		struct stat st;

		file_add(ld->cf, path, stat(path, &st) == 0 ? &st : NULL);
		free(path);
	}
}

bool
config_unchanged(const struct config *cf)
{
	struct stat st;

	for (size_t i = 0; i < cf->nfiles; i++)
		if (stat(cf->files[i].path, &st) == -1 ||
		    !file_same(&cf->files[i], &st))
			return false;
	return cf->nfiles > 0;
}

static int
config_open(const char *path, FILE **fp, struct stat *stp, char **errors)
{
	struct stat st;
	int fd, error = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		error = -errno;
	else if (fstat(fd, &st) == -1)
		error = -errno;
	else if (S_ISDIR(st.st_mode))
		error = -EISDIR;
	else if ((*fp = fdopen(fd, "r")) == NULL)
		error = -errno;
	else
		*stp = st;
	if (error != 0) {
		if (fd != -1)
			close(fd);
		if (errors != NULL)
			*errors = xasprintf("%s: cannot read: %s\n", path,
			    strerror(-error));
	}
	return error;
}

/* libconfig's reading of fp, with its error as file:line: what. */
static int
config_parse(config_t *lc, FILE *fp, const char *path, char **errors)
{
	const char *source, *text;
	char *file;

	if (config_read(lc, fp) == CONFIG_TRUE)
		return 0;
	source = config_error_file(lc);
	text = config_error_text(lc);
	if (config_error_type(lc) == CONFIG_ERR_FILE_IO && source == NULL) {
		if (errors != NULL)
			*errors = xasprintf("%s: cannot read: %s\n", path,
			    strerror(EIO));
		return -EIO;
	}
	file = file_name(path, source);
	if (errors != NULL)
		*errors = xasprintf("%s:%d: %s\n", file,
		    config_error_line(lc), text ? text : "syntax error");
	free(file);
	return -EINVAL;
}

/* Frees what the loader holds, and the config it did not hand out. */
static void
loader_clear(struct loader *ld)
{
	for (size_t i = 0; i < ld->nproblems; i++) {
		free(ld->problems[i].file);
		free(ld->problems[i].text);
	}
	free(ld->problems);
	free(ld->ids);
	free(ld->group_size);
	free(ld->dir);
	config_free(ld->cf);
}

/*
 * See config.h.  The file is opened here and handed to libconfig as a
 * stream, so that a file that cannot be read gives its errno.  The errors
 * come sorted by file and line, each line ending in a newline; a libconfig
 * syntax error is the one error, since libconfig stops there.
 */
int
config_load(struct config **out, const char *path, unsigned flags,
    const struct config_platforms *platforms, char **errors)
{
	struct loader ld = { 0 };
	const char *credentials = getenv("CREDENTIALS_DIRECTORY");
	config_t lc;
	struct stat st;
	FILE *fp = NULL;
	int error;

	if (errors != NULL)
		*errors = NULL;
	if ((error = config_open(path, &fp, &st, errors)) < 0)
		return error;
	ld.path = path;
	ld.flags = flags;
	ld.dir = path_dir(path);
	ld.secret_dir = credentials != NULL && *credentials != '\0' ?
	    credentials : ld.dir;
	ld.cf = xcalloc(1, sizeof(*ld.cf));
	ld.cf->path = xstrdup(path);
	/* stat before the read: an edit while it is read is a change */
	{
		char *real = realpath(path, NULL);

		file_add(ld.cf, real ? real : path, &st);
		free(real);
	}
	ld.cf->platforms = platforms;
	if (platforms && platforms->n > CONFIG_MAX_PLATFORMS)
		abort();	/* a table too long is a bug in the program */
	fields_build(&ld);

	config_init(&lc);
	/* an @include'd file is found next to the configuration */
	config_set_include_dir(&lc, ld.dir);
	if ((error = config_parse(&lc, fp, path, errors)) < 0)
		goto done;
	includes_add(&ld, &lc);
	load_root(&ld, config_root_setting(&lc));
	if (ld.nproblems > 0) {
		error = -EINVAL;
		if (errors != NULL)
			*errors = problems_join(&ld);
		goto done;
	}
	*out = ld.cf;
	ld.cf = NULL;
done:
	config_destroy(&lc);
	fclose(fp);
	loader_clear(&ld);
	return error;
}

void
config_free(struct config *cf)
{
	if (cf == NULL)
		return;
	free(cf->path);
	for (size_t i = 0; i < cf->nfiles; i++)
		free(cf->files[i].path);
	free(cf->files);
	free(cf->repository);
	free(cf->print_tags);
	free(cf->print_prefix);
	free(cf->state_dir);
	free(cf->lfs_dir);
	free(cf->browse_url);
	free(cf->gate_socket);
	strv_free(cf->pusher_env, cf->npusher_env);
	strv_free(cf->allow_refs, cf->nallow_refs);
	for (size_t i = 0; i < cf->npeople; i++) {
		struct config_person *p = &cf->people[i];

		free(p->id);
		free(p->name);
		free(p->email);
		free(p->login);
		for (size_t k = 0; k < CONFIG_MAX_PLATFORMS; k++)
			free(p->handles[k]);
	}
	free(cf->people);
	for (size_t i = 0; i < cf->ngroups; i++) {
		free(cf->groups[i].name);
		free(cf->groups[i].members);
	}
	free(cf->groups);
	free(cf->release_managers);
	for (size_t i = 0; i < cf->nrules; i++) {
		struct config_rule *r = &cf->rules[i];

		free(r->name);
		strv_free(r->paths, r->npaths);
		free(r->when.text);
		free(r->when.trailer);
		free(r->when.value);
	}
	free(cf->rules);
	for (size_t i = 0; i < cf->nnotify; i++) {
		struct config_notify *nt = &cf->notify[i];

		free(nt->name);
		free(nt->url);
		free(nt->url_file);
		free(nt->secret_file);
		free(nt->smtp_url);
		free(nt->from);
		free(nt->username_file);
		free(nt->password_file);
		strv_free(nt->events, nt->nevents);
	}
	free(cf->notify);
	free(cf->http.listen);
	free(cf->http.public_url);
	free(cf->http.base_path);
	free(cf->http.links_secret_file);
	free(cf->http.identity_header);
	strv_free(cf->http.trusted_proxies, cf->http.ntrusted_proxies);
	for (size_t k = 0; k < CONFIG_MAX_PLATFORMS; k++)
		free(cf->http.secret_files[k]);
	free(cf);
}

ssize_t
config_person_find(const struct config *cf, const char *id)
{
	if (cf == NULL || id == NULL)
		return -1;
	for (size_t i = 0; i < cf->npeople; i++)
		if (cf->people[i].id != NULL &&
		    strcmp(cf->people[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

ssize_t
config_person_by_login(const struct config *cf, const char *name)
{
	if (cf == NULL || name == NULL)
		return -1;
	ssize_t p;

	for (size_t i = 0; i < cf->npeople; i++)
		if (cf->people[i].login != NULL &&
		    strcmp(cf->people[i].login, name) == 0)
			return (ssize_t)i;
	/*
	 * The id stands for the login only of a person who has none: a
	 * pusher named "rita" is not Rita when Rita pushes as "rruiz".
	 */
	p = config_person_find(cf, name);
	return p >= 0 && cf->people[p].login == NULL ? p : -1;
}

ssize_t
config_person_by_email(const struct config *cf, const char *email)
{
	if (cf == NULL || email == NULL)
		return -1;
	for (size_t i = 0; i < cf->npeople; i++)
		if (cf->people[i].email != NULL &&
		    strcasecmp(cf->people[i].email, email) == 0)
			return (ssize_t)i;
	return -1;
}

ssize_t
config_group_find(const struct config *cf, const char *name)
{
	if (cf == NULL || name == NULL)
		return -1;
	for (size_t i = 0; i < cf->ngroups; i++)
		if (strcmp(cf->groups[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

bool
config_group_has(const struct config *cf, size_t group, size_t person)
{
	if (cf == NULL || group >= cf->ngroups)
		return false;
	for (size_t i = 0; i < cf->groups[group].nmembers; i++)
		if (cf->groups[group].members[i] == person)
			return true;
	return false;
}

bool
config_is_release_manager(const struct config *cf, size_t person)
{
	if (cf == NULL)
		return false;
	for (size_t i = 0; i < cf->nrelease_managers; i++)
		if (config_group_has(cf, cf->release_managers[i], person))
			return true;
	return false;
}

bool
config_ref_allowed(const struct config *cf, const char *refname)
{
	for (size_t i = 0; i < cf->nallow_refs; i++)
		if (fnmatch(cf->allow_refs[i], refname, 0) == 0)
			return true;
	return false;
}

ssize_t
config_platform_find(const struct config *cf, const char *name)
{
	if (cf == NULL || cf->platforms == NULL || name == NULL)
		return -1;
	for (size_t i = 0; i < cf->platforms->n; i++)
		if (strcmp(cf->platforms->v[i]->name, name) == 0)
			return (ssize_t)i;
	return -1;
}

const char *
config_person_handle(const struct config *cf, size_t person,
    size_t platform)
{
	const struct config_person *p;
	const char *key;

	if (cf == NULL || person >= cf->npeople || cf->platforms == NULL ||
	    platform >= cf->platforms->n)
		return NULL;
	p = &cf->people[person];
	if ((key = cf->platforms->v[platform]->person_key) == NULL)
		return NULL;
	if (strcmp(key, "id") == 0)
		return p->id;
	if (strcmp(key, "email") == 0)
		return p->email;
	if (strcmp(key, "login") == 0)
		return p->login;
	return p->handles[platform];
}

const char *
config_secret_file(const struct config *cf, size_t platform)
{
	if (cf == NULL || platform >= CONFIG_MAX_PLATFORMS)
		return NULL;
	return cf->http.secret_files[platform];
}

/*
 * Opens the secret file path for reading and checks, on descriptors (the
 * folder's, then the file's, opened from it), everything that would let
 * someone else choose or see the secret: the folder must not be writable
 * by its group or others (they could swap the file) and must belong to
 * the reader or root; the file must not be a symbolic link (O_NOFOLLOW:
 * not even to /etc/shadow, whose content root would then send out), must
 * be a regular file, belong to the reader or root, and give others no
 * permission and its group no write (group read stays allowed: a root-owned
 * 0640 file of the service's group).  Returns the descriptor, or -errno
 * (-EPERM mode, owner or folder; -ELOOP a link; -EINVAL not regular) with
 * *why naming the file, what is wrong and the command that fixes it.
 */
static int
secret_open(const char *path, char **why)
{
	char *dir = path_dir(path), me[64], owner[64];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct stat st;
	uid_t uid = geteuid();
	int dfd, fd = -1, error = 0;

	util_user_name(uid, me, sizeof(me));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || fstat(dfd, &st) == -1) {
		error = -errno;
		*why = xasprintf("secret file '%s': %s", path,
		    strerror(-error));
		goto done;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		error = -EPERM;
		*why = xasprintf("secret file '%s' is in a folder that %s can "
		    "write (mode %04o), who could swap the file: chmod go-w "
		    "'%s'", path, st.st_mode & S_IWOTH ? "anyone" :
		    "its group", (unsigned)(st.st_mode & 07777), dir);
		goto done;
	}
	if (st.st_uid != uid && st.st_uid != 0) {
		error = -EPERM;
		util_user_name(st.st_uid, owner, sizeof(owner));
		*why = xasprintf("secret file '%s' is in a folder that belongs "
		    "to %s, not to %s who reads it or to root: chown root "
		    "'%s'", path, owner, me, dir);
		goto done;
	}
	fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW);
	if (fd == -1) {
		error = -errno;
		if (error == -ELOOP)
			*why = xasprintf("secret file '%s' is a symbolic link, "
			    "which printgate does not follow: put the file "
			    "itself there (cp --remove-destination \"$(readlink "
			    "-f '%s')\" '%s')", path, path, path);
		else
			*why = xasprintf("secret file '%s': %s", path,
			    strerror(-error));
		goto done;
	}
	if (fstat(fd, &st) == -1) {
		error = -errno;
		*why = xasprintf("secret file '%s': %s", path,
		    strerror(-error));
	} else if (!S_ISREG(st.st_mode)) {
		error = -EINVAL;
		*why = xasprintf("secret file '%s' is not a regular file",
		    path);
	} else if (st.st_uid != uid && st.st_uid != 0) {
		error = -EPERM;
		util_user_name(st.st_uid, owner, sizeof(owner));
		*why = xasprintf("secret file '%s' belongs to %s, not to %s "
		    "who reads it or to root: chown %s '%s'", path, owner, me,
		    me, path);
	} else if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		error = -EPERM;
		*why = xasprintf("secret file '%s' is %s (mode %04o): chmod "
		    "600 '%s'", path, st.st_mode & S_IROTH ?
		    "readable by others" : st.st_mode & S_IWOTH ?
		    "writable by others" : st.st_mode & S_IWGRP ?
		    "writable by its group" : "open to others",
		    (unsigned)(st.st_mode & 07777), path);
	}
done:
	if (error < 0 && fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	free(dir);
	return error < 0 ? error : fd;
}

/*
 * Reads at most SECRET_MAX bytes; a bigger file is refused (-EFBIG) rather
 * than cut, as is one with a NUL byte (-EINVAL), a non-regular one
 * (-EINVAL) and an empty one (-ENODATA), since an empty key would make
 * every signature check pass for anyone who knows it.  Buffers that held
 * the secret are wiped before they are freed.
 */
int
config_secret_read(const char *path, enum config_secret_kind kind,
    char **out, char **why)
{
	char *buf = NULL, *ignored = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, error = 0;

	if (why == NULL)
		why = &ignored;
	if ((fd = secret_open(path, why)) < 0) {
		free(ignored);
		return fd;
	}
	buf = xmalloc(SECRET_MAX + 1);
	while (len <= SECRET_MAX) {
		n = read(fd, buf + len, SECRET_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			error = -errno;
			*why = xasprintf("secret file '%s': %s", path,
			    strerror(-error));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SECRET_MAX) {
		error = -EFBIG;
		*why = xasprintf("secret file '%s' is larger than %d KiB", path,
		    SECRET_MAX / 1024);
		goto done;
	}
	if (memchr(buf, '\0', len) != NULL) {
		error = -EINVAL;
		*why = xasprintf("secret file '%s' holds a NUL byte", path);
		goto done;
	}
	while (len > 0 && is_blank((unsigned char)buf[len - 1]))
		len--;
	if (len == 0) {
		error = -ENODATA;
		*why = xasprintf("secret file '%s' is empty", path);
		goto done;
	}
	buf[len] = '\0';
	if (kind == CONFIG_SECRET_URL && !url_ok(buf)) {
		/* it may hold a secret put there by mistake: never shown */
		error = -EINVAL;
		*why = xasprintf("url_file '%s' does not hold an https:// or "
		    "http:// URL (its content is not shown): put the "
		    "channel's URL in it, on one line", path);
		goto done;
	}
	*out = xstrndup(buf, len);

done:
	if (buf != NULL) {
		explicit_bzero(buf, SECRET_MAX + 1);
		free(buf);
	}
	close(fd);
	free(ignored);
	return error;
}

int
config_read_secret(const char *path, char **out)
{
	return config_secret_read(path, CONFIG_SECRET_KEY, out, NULL);
}

void
config_secrets_free(char *s[CONFIG_MAX_PLATFORMS])
{
	for (size_t i = 0; i < CONFIG_MAX_PLATFORMS; i++) {
		if (s[i])
			memset(s[i], 0, strlen(s[i]));
		free(s[i]);
		s[i] = NULL;
	}
}

int
config_secrets_load(const struct config *cf,
    bool (*want)(const struct config_platform *p),
    char *out[CONFIG_MAX_PLATFORMS], const char **path)
{
	const struct config_platforms *pl = cf->platforms;
	int error;

	for (size_t i = 0; pl && i < pl->n; i++) {
		const char *file = config_secret_file(cf, i);

		if (file == NULL || (want && !want(pl->v[i])))
			continue;
		if ((error = config_read_secret(file, &out[i])) < 0) {
			*path = file;
			config_secrets_free(out);
			return error;
		}
	}
	return 0;
}
