/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.h - printgate's configuration (libconfig), loaded and validated in
 * one pass.
 *
 * The loaded configuration is a plain record that every part reads, like
 * OpenBSD's struct ntpd_conf: it is built once by config_load(), never
 * changed afterwards, and freed with config_free().  People, groups and
 * rules refer to each other by index into the arrays below.
 */
#ifndef PRINTGATE_CONFIG_H
#define PRINTGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONFIG_DEFAULT_PATH "/etc/printgate/printgate.conf"

/* Caps on what a configuration may hold; past them it is refused. */
#define CONFIG_MAX_PEOPLE 10000
#define CONFIG_MAX_GROUPS 1000
#define CONFIG_MAX_RULES 1000
#define CONFIG_MAX_PATHS 256
#define CONFIG_MAX_NOTIFY 64
#define CONFIG_MAX_PLATFORMS 16

enum config_op {
	CONFIG_OP_EQ,	/* = */
	CONFIG_OP_NE,	/* != */
	CONFIG_OP_LT,	/* < */
	CONFIG_OP_LE,	/* <= */
	CONFIG_OP_GT,	/* > */
	CONFIG_OP_GE,	/* >= */
};

/* A rule's condition on the tag's trailers: "Opportunity >= 2000000". */
struct config_when {
	char *text;	/* as written, for messages */
	char *trailer;	/* "Opportunity" */
	enum config_op op;
	char *value;	/* "2000000" */
};

/*
 * What the configuration knows of one chat platform: the chat part's
 * table of platforms (chat/platform.h) gives config_load() one of these
 * for each, so that the core names no platform.  Every string is static.
 */
struct config_platform {
	const char *name;	/* a notify target's type: "slack" */
	/*
	 * The setting of a person with their id on the platform ("slack"),
	 * or NULL: a core setting of a person ("email", "id") names the one
	 * the platform uses without adding a setting.
	 */
	const char *person_key;
	/* the http setting with the file of its secret, or NULL */
	const char *secret_setting;
	unsigned flags;		/* CONFIG_PLATFORM_* */
};

/*
 * A notify target of the platform signs its deliveries with its own
 * secret_file (required), and its URL, being no secret, may be given as
 * url; without the flag the URL is the secret and only url_file is
 * allowed.
 */
#define CONFIG_PLATFORM_SIGNED 0x1
/*
 * A notify target of the platform is a mail server: smtp_url and from
 * (required), username_file and password_file (optional), and no url,
 * url_file or secret_file.  An smtp:// URL to a host other than a
 * loopback address must name port 587 (STARTTLS, required when sent).
 */
#define CONFIG_PLATFORM_MAIL 0x2

/* The platforms config_load() knows, in the order their settings go. */
struct config_platforms {
	const struct config_platform *const *v;
	size_t n;			/* at most CONFIG_MAX_PLATFORMS */
};

struct config_person {
	char *id;	/* [a-z0-9._-]+, unique */
	char *name;
	char *email;
	char *login;	/* optional: the pusher name on the git server */
	/* optional ids on the platforms, by the platform's index in
	 * config.platforms: the value of its person_key, unique; NULL when
	 * not set (see config_person_handle()) */
	char *handles[CONFIG_MAX_PLATFORMS];
};

struct config_group {
	char *name;
	size_t *members;	/* indices into config.people */
	size_t nmembers;
};

struct config_rule {
	char *name;
	char **paths;		/* git pathspecs */
	size_t npaths;
	size_t group;		/* index into config.groups */
	unsigned required;	/* 1 .. group size */
	bool has_when;
	struct config_when when;
	bool allow_symlinks;	/* symlinks and submodules may print */
};

struct config_notify {
	char *name;
	const struct config_platform *type;	/* one of config.platforms */
	size_t platform;	/* its index in config.platforms */
	char *url;		/* only for a signed platform: not a secret */
	char *url_file;		/* resolved path of the file with the URL */
	char *secret_file;	/* resolved path; a signed platform's secret */
	char **events;		/* event types this target gets; none: all */
	size_t nevents;
	/* a mail target's (CONFIG_PLATFORM_MAIL), else NULL */
	char *smtp_url;		/* "smtps://host:465", "smtp://host:587" */
	char *from;		/* the envelope and From: address */
	char *username_file;	/* resolved paths of its login, or NULL */
	char *password_file;
	bool smtp_plain_ok;	/* smtp:// to a loopback address: TLS optional */
};

struct config_http {
	bool enabled;		/* an http section is present */
	char *listen;		/* "127.0.0.1:8787" */
	char *public_url;
	/* public_url's path without the '/' it may end in: "" for
	 * "https://host/", "/printgate" for "https://host/printgate", NULL
	 * without public_url; see link_base() */
	char *base_path;
	char *links_secret_file;	/* resolved path, or NULL:
					 * state_dir/links.secret */
	char *identity_header;	/* an SSO proxy's ("X-Forwarded-Email"), or
				 * NULL */
	char **trusted_proxies;	/* addresses it is honoured from */
	size_t ntrusted_proxies;
	/* where the listener answers: under base_path and at the root
	 * (unset), under it alone ("keep"), at the root alone ("strip") */
	enum { CONFIG_PATH_BOTH, CONFIG_PATH_KEEP, CONFIG_PATH_STRIP }
	    proxy_path;
	/* resolved paths of the platforms' secret files (their
	 * secret_setting), by index in config.platforms; NULL when not set */
	char *secret_files[CONFIG_MAX_PLATFORMS];
};

struct config_review {
	bool self_approval;			/* default false */
	bool approve_with_changes_counts;	/* default true */
	bool auto_release;			/* default true */
	bool quarantine;			/* default false */
	int64_t remind_after;			/* seconds; default 24h */
	int64_t escalate_after;			/* seconds; default 72h */
	size_t escalate_to;			/* group index, or SIZE_MAX */
	int64_t link_ttl;			/* seconds; default 14d */
};

/* A file a config was read from, as it was then (config_unchanged()). */
struct config_file {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_sec, mtime_nsec;
};

struct config {
	char *path;		/* the file it was loaded from */
	/* it, then each file it @includes, as they were read */
	struct config_file *files;
	size_t nfiles;
	char *repository;
	char *print_tags;	/* a glob: refs/tags/print/ and a star */
	char *print_prefix;	/* "refs/tags/print/": print_tags less '*' */
	char *state_dir;
	char *browse_url;	/* optional; {commit} and {path} */
	char *gate_socket;	/* the warm path's; default state_dir/gate.sock */
	uint64_t previews_max;	/* bytes of state_dir/previews; default 1 GiB */
	char *lfs_dir;		/* Git LFS objects (oid[0:2]/oid[2:4]/oid), or
				   NULL */
	char **pusher_env;
	size_t npusher_env;
	char **allow_refs;	/* globs of the refs the hook lets through */
	size_t nallow_refs;
	struct config_person *people;
	size_t npeople;
	struct config_group *groups;
	size_t ngroups;
	size_t *release_managers;	/* group indices */
	size_t nrelease_managers;
	struct config_rule *rules;
	size_t nrules;
	struct config_review review;
	struct config_notify *notify;
	size_t nnotify;
	struct config_http http;
	const struct config_platforms *platforms;	/* borrowed, static */
};

/* config_load() flags */
#define CONFIG_CHECK_SECRETS 0x1	/* secret files exist, are private */

/*
 * Loads and validates the file at path, with the chat platforms of
 * platforms (their people keys, notify types and secret settings; the
 * table must outlive the config).  On success returns 0 and *out is
 * the caller's.  On failure returns -EINVAL (or -errno when the file cannot
 * be read), leaves *out untouched, and sets *errors to a string the caller
 * frees: every problem found, one a line, each "file:line: setting 'x':
 * what is wrong".  Unknown settings are errors.
 *
 * Secret file paths (*_file) are resolved: a relative one against
 * $CREDENTIALS_DIRECTORY when set, else against the config file's folder.
 * With CONFIG_CHECK_SECRETS each is read as config_secret_read() reads it
 * (a url_file must hold a URL) and what is wrong is reported, never the
 * content; without it (the update hook, which runs as the pushing user)
 * they are only resolved.
 */
int config_load(struct config **out, const char *path, unsigned flags,
    const struct config_platforms *platforms, char **errors);
void config_free(struct config *cf);
/*
 * Whether every file cf was read from (the config and each @include'd
 * one) is still the file it was then: false once one was edited,
 * replaced or removed, or cannot be looked at.  A program that keeps cf
 * (printgated's warm gate) decides by it only while this holds.
 */
bool config_unchanged(const struct config *cf);

/* Index of the person with this id, or -1. */
ssize_t config_person_find(const struct config *cf, const char *id);
/* Index of the person whose login is name, or who has no login and whose
 * id is name; or -1. */
ssize_t config_person_by_login(const struct config *cf, const char *name);
/* Index of the person with this email (case-insensitive), or -1. */
ssize_t config_person_by_email(const struct config *cf, const char *email);
/* Index of the group with this name, or -1. */
ssize_t config_group_find(const struct config *cf, const char *name);
/* True when person (an index) is a member of group (an index). */
bool config_group_has(const struct config *cf, size_t group, size_t person);
/* True when person is in one of the release manager groups. */
bool config_is_release_manager(const struct config *cf, size_t person);
/* Whether refname matches one of allow_refs. */
bool config_ref_allowed(const struct config *cf, const char *refname);
/* The index in cf->platforms of the platform named name, or -1. */
ssize_t config_platform_find(const struct config *cf, const char *name);
/*
 * The id of person (an index) on platform (an index in cf->platforms):
 * the value of its person_key, or the person's core setting of that
 * name ("email", "id"); NULL when the person has none, or the platform
 * no person key.
 */
const char *config_person_handle(const struct config *cf, size_t person,
    size_t platform);
/* The resolved path of platform's secret file (an index), or NULL. */
const char *config_secret_file(const struct config *cf, size_t platform);

/* What a *_file holds. */
enum config_secret_kind {
	CONFIG_SECRET_KEY,	/* a secret, token or key */
	CONFIG_SECRET_URL,	/* url_file: a URL that is a secret */
};

/*
 * Reads a secret file (a resolved path from this config) into a new
 * NUL-terminated string with trailing white space removed.  Refuses
 * (without reading it) a symbolic link (-ELOOP, O_NOFOLLOW), a file that
 * is not regular (-EINVAL), one that belongs to another user than the
 * reader or root, that gives others any permission or its group write
 * (group read is allowed), or that sits in a folder its group or others
 * can write or that belongs to another user (-EPERM); then an empty file
 * (-ENODATA), one over 64 KiB (-EFBIG), one with a NUL byte (-EINVAL), and
 * for CONFIG_SECRET_URL anything but one http:// or https:// URL
 * (-EINVAL).  On failure *out is untouched and *why, when why is not NULL,
 * is a sentence the caller frees: the file, what is wrong and how to fix
 * it, never the content.
 */
int config_secret_read(const char *path, enum config_secret_kind kind,
    char **out, char **why);
/* config_secret_read() of a CONFIG_SECRET_KEY, without the sentence. */
int config_read_secret(const char *path, char **out);
/*
 * Reads into out[] (by index in cf->platforms) the secret of each of cf's
 * platforms that has one configured and that want keeps (NULL keeps
 * every one).  On failure out[] holds none and *path names the file that
 * could not be read.
 */
int config_secrets_load(const struct config *cf,
    bool (*want)(const struct config_platform *p),
    char *out[CONFIG_MAX_PLATFORMS], const char **path);
/* Wipes and frees the secrets in s[]; each is NULL after. */
void config_secrets_free(char *s[CONFIG_MAX_PLATFORMS]);

#endif
