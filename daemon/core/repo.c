/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * repo.c - repository access through libgit2: refs, tags, trees, commits,
 * notes.  Everything printgate reads from or writes to git goes through
 * here; callers deal in hex ids and paths.
 *
 * libgit2 objects never leave this file, and a struct repo belongs to one
 * thread at a time.
 */
#include "core/repo.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct repo {
	git_repository *git;
	/*
	 * For writes of one pack (REPO_PACK): a repository over an object
	 * database whose writes stay in memory (mempack), reading git's
	 * objects folder as an alternate; made on the first such write and
	 * kept, so that printgated does not build it again for each.
	 */
	git_repository *pack_git;
	git_odb_backend *mempack;
	/* objects/pack as last read (repo_packs_removed()) */
	struct timespec packs_mtime;
	size_t npacks;
};

struct repo_pathspec {
	git_pathspec *ps;
};

/* Maps a libgit2 error code to printgate's negative errno codes. */
static int
repo_err(int error)
{
	switch (error) {
	case 0:
		return 0;
	case GIT_ENOTFOUND:
		return -ENOENT;
	case GIT_EMODIFIED:
	case GIT_EEXISTS:
		return -EAGAIN;
	case GIT_ELOCKED:
		return -EBUSY;
	case GIT_EOWNER:
		return -EPERM;
	case GIT_EINVALIDSPEC:
	case GIT_EAMBIGUOUS:
	case GIT_EPEEL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

const char *
repo_strerror(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static void
oid_hex(const git_oid *id, char out[OID_HEX])
{
	git_oid_tostr(out, OID_HEX, id);
}

static int
oid_parse(git_oid *out, const char *hex)
{
	if (hex == NULL || strlen(hex) != GIT_OID_HEXSZ)
		return -EINVAL;
	return git_oid_fromstr(out, hex) == 0 ? 0 : -EINVAL;
}

int
repo_shared_perm(const char *value, unsigned *perm)
{
	static const char *const umask_words[] = { "umask", "false", "no",
	    "off", "0" };
	static const char *const group_words[] = { "group", "true", "yes",
	    "on", "1" };
	static const char *const all_words[] = { "all", "world",
	    "everybody", "2" };
	char *end;
	unsigned long n;

	for (size_t i = 0; i < ARRAY_SIZE(umask_words); i++)
		if (strcasecmp(value, umask_words[i]) == 0)
			return *perm = 0, 0;
	for (size_t i = 0; i < ARRAY_SIZE(group_words); i++)
		if (strcasecmp(value, group_words[i]) == 0)
			return *perm = 0660, 0;
	for (size_t i = 0; i < ARRAY_SIZE(all_words); i++)
		if (strcasecmp(value, all_words[i]) == 0)
			return *perm = 0664, 0;
	if (value[0] != '0')
		return -EINVAL;
	errno = 0;
	n = strtoul(value, &end, 8);
	/* git refuses a mode that leaves the owner without rw, as here */
	if (errno || *end || n > 0777 || (n & 0600) != 0600)
		return -EINVAL;
	*perm = (unsigned)n | REPO_SHARED_EXACT;
	return 0;
}

unsigned
repo_shared_umask(unsigned perm, unsigned old)
{
	if (perm == 0)
		return old;
	if (perm == 0660)
		return old & ~070u;
	if (perm == 0664)
		return old & ~075u;
	/* an octal mode: exactly its bits, and x wherever it grants r */
	perm &= 0777u;
	return 0777u & ~(perm | (perm & 0444u) >> 2);
}

/*
 * Sets the process's umask from core.sharedRepository, so that the refs,
 * objects and folders libgit2 (which ignores that setting) and printgate
 * create are writable by the group whoever runs the program.  Returns 0,
 * or -EINVAL with *why set when the value is not one git accepts.
 */
static int
shared_umask_apply(git_repository *git, char **why)
{
	git_config *cfg = NULL;
	git_buf value = GIT_BUF_INIT;
	unsigned perm;
	mode_t old;
	int error = 0;

	if (git_repository_config_snapshot(&cfg, git) < 0)
		return 0;	/* no config to read: git's defaults */
	if (git_config_get_string_buf(&value, cfg, "core.sharedRepository")
	    < 0)
		goto done;
	if (repo_shared_perm(value.ptr, &perm) < 0) {
		*why = xasprintf("repository '%s': core.sharedRepository = "
		    "'%s' is not a value git accepts (group, all, umask or an "
		    "octal mode such as 0660)", git_repository_path(git),
		    value.ptr);
		error = -EINVAL;
		goto done;
	}
	old = umask(0);
	umask((mode_t)repo_shared_umask(perm, (unsigned)old));
done:
	git_buf_dispose(&value);
	git_config_free(cfg);
	return error;
}

/*
 * The message for a repository libgit2 refuses for its owner: the
 * absolute path (the hook opens ".", its working folder), who owns it,
 * who runs this, and the command that allows it, tried with Debian 12's
 * libgit2 1.5.1 (which takes neither "*" nor a relative path for it).
 */
static char *
owner_refusal(const char *path)
{
	char *abs = realpath(path, NULL), *owner, *me, *s;
	struct passwd *pw;
	struct stat st;

	if (abs == NULL)
		abs = xstrdup(path);
	owner = stat(abs, &st) == 0 && (pw = getpwuid(st.st_uid)) ?
	    xstrdup(pw->pw_name) : xstrdup("another user");
	me = (pw = getpwuid(geteuid())) ? xstrdup(pw->pw_name) :
	    xasprintf("uid %u", (unsigned)geteuid());
	s = xasprintf("cannot open repository '%s': it belongs to %s, this "
	    "runs as %s, and libgit2 refuses a repository of another user "
	    "unless the system git config allows it; as root run 'git config "
	    "--system --add safe.directory %s' (or run as %s)", abs, owner,
	    me, abs, owner);
	free(me);
	free(owner);
	free(abs);
	return s;
}

int
repo_safe_directory_set(const char *path)
{
	git_buf file = GIT_BUF_INIT;
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	char *abs = realpath(path, NULL);
	int found = 0;

	git_libgit2_init();
	if (abs == NULL)
		return -errno;
	if (git_config_find_system(&file) < 0 ||
	    git_config_open_ondisk(&cfg, file.ptr) < 0 ||
	    git_config_multivar_iterator_new(&it, cfg, "safe.directory",
	    NULL) < 0)
		goto done;
	while (!found && git_config_next(&e, it) == 0) {
		char *v = realpath(e->value, NULL);

		/* "." is git-http-backend's, not libgit2's */
		if (e->value[0] == '/' && v && strcmp(v, abs) == 0)
			found = 1;
		free(v);
	}
done:
	git_config_iterator_free(it);
	git_config_free(cfg);
	git_buf_dispose(&file);
	free(abs);
	return found;
}

int
repo_dir_shared(const char *gitdir, unsigned *perm)
{
	git_config *cfg = NULL;
	git_buf value = GIT_BUF_INIT;
	char *path = xasprintf("%s/config", gitdir);
	int error;

	git_libgit2_init();
	*perm = 0;
	error = git_config_open_ondisk(&cfg, path);
	free(path);
	if (error < 0)
		return -EIO;
	error = git_config_get_string_buf(&value, cfg, "core.sharedRepository");
	if (error == GIT_ENOTFOUND)
		error = 0;
	else if (error < 0)
		error = -EIO;
	else
		error = repo_shared_perm(value.ptr, perm);
	git_buf_dispose(&value);
	git_config_free(cfg);
	return error;
}

int
repo_open(struct repo **out, const char *path, char **why)
{
	git_repository *git = NULL;
	struct repo *r;
	int error;

	git_libgit2_init();
	/*
	 * libgit2 caches parsed trees of up to 4 KiB; the notes ref's top
	 * fanout tree (256 entries, 7.5 KiB) was then read and inflated
	 * again for every note looked up.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
	    (size_t)256 * 1024);
	/*
	 * Durability: every object, ref and reflog libgit2 writes is
	 * fsynced, and so is its folder after the rename, before the call
	 * returns; an event is acknowledged (the hook's yes, a 200) only
	 * after its ref update returned.  libgit2 1.5 has the option.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);

	error = git_repository_open_ext(&git, path,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	/* libgit2 1.5.1 reports the refusal as a safe.directory lookup that
	 * failed ("config value 'safe.directory' was not found") when no
	 * config file sets it */
	if (error == GIT_EOWNER || (error == GIT_ENOTFOUND &&
	    strstr(repo_strerror(), "'safe.directory'") != NULL)) {
		*why = owner_refusal(path);
		return -EPERM;
	}
	if (error < 0) {
		*why = xasprintf("cannot open repository '%s': %s", path,
		    repo_strerror());
		return repo_err(error) == -ENOENT ? -ENOENT : -EIO;
	}
	if ((error = shared_umask_apply(git, why)) < 0) {
		git_repository_free(git);
		return error;
	}
	r = xcalloc(1, sizeof(*r));
	r->git = git;
	*out = r;
	return 0;
}

int
repo_refresh(struct repo *r)
{
	git_repository *git = NULL;
	char *path = xstrdup(git_repository_path(r->git));
	int error;

	error = git_repository_open_ext(&git, path,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	free(path);
	if (error < 0)
		return repo_err(error);
	git_repository_free(r->git);
	r->git = git;
	/* the packed writes' handle, with what it read, is made again too */
	git_repository_free(r->pack_git);
	r->pack_git = NULL;
	r->mempack = NULL;
	return 0;
}

int
repo_odb_refresh(struct repo *r)
{
	git_odb *odb = NULL;
	int error;

	if ((error = git_repository_odb(&odb, r->git)) == 0)
		error = git_odb_refresh(odb);
	git_odb_free(odb);
	return repo_err(error);
}

/* The .pack files in dir, or -errno. */
static ssize_t
count_packs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	ssize_t n = 0;
	size_t len;

	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL)
		if ((len = strlen(e->d_name)) > 5 &&
		    strcmp(e->d_name + len - 5, ".pack") == 0)
			n++;
	closedir(d);
	return n;
}

bool
repo_packs_removed(struct repo *r)
{
	char *dir = xasprintf("%sobjects/pack", git_repository_path(r->git));
	struct stat st;
	ssize_t n;
	bool fewer;

	if (stat(dir, &st) == -1 ||
	    (st.st_mtim.tv_sec == r->packs_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == r->packs_mtime.tv_nsec) ||
	    (n = count_packs(dir)) < 0) {
		free(dir);
		return false;
	}
	free(dir);
	fewer = (size_t)n < r->npacks;
	r->packs_mtime = st.st_mtim;
	r->npacks = (size_t)n;
	return fewer;
}

int
repo_odb_refresh_for(struct repo *r, const char *id)
{
	git_odb *odb = NULL;
	git_oid oid;
	int error;

	/* packs git gc removed: libgit2 would keep them open, and their space */
	if (repo_packs_removed(r) && (error = repo_refresh(r)) < 0)
		return error;
	if (oid_parse(&oid, id) < 0)
		return repo_odb_refresh(r);
	if ((error = git_repository_odb(&odb, r->git)) == 0 &&
	    !git_odb_exists_ext(odb, &oid, GIT_ODB_LOOKUP_NO_REFRESH))
		error = git_odb_refresh(odb);
	git_odb_free(odb);
	return repo_err(error);
}

int
repo_add_objects(struct repo *r, const char *dir)
{
	git_odb *odb = NULL;
	int error;

	if ((error = git_repository_odb(&odb, r->git)) == 0)
		error = git_odb_add_disk_alternate(odb, dir);
	git_odb_free(odb);
	return repo_err(error);
}

void
repo_free(struct repo *r)
{
	if (r == NULL)
		return;
	git_repository_free(r->pack_git);
	git_repository_free(r->git);
	free(r);
}

const char *
repo_path(const struct repo *r)
{
	return git_repository_path(r->git);
}

const char *
repo_commondir(const struct repo *r)
{
	return git_repository_commondir(r->git);
}

int
repo_resolve_commit(struct repo *r, const char *rev, char out[OID_HEX])
{
	git_object *obj = NULL, *peeled = NULL;
	int error;

	if ((error = git_revparse_single(&obj, r->git, rev)) < 0)
		goto done;
	if ((error = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT)) < 0)
		goto done;
	oid_hex(git_object_id(peeled), out);
done:
	git_object_free(peeled);
	git_object_free(obj);
	return repo_err(error);
}

/*
 * An abbreviated id is looked up among the objects only: git_revparse
 * would take a branch or tag of that name first.
 */
int
repo_commit_by_id(struct repo *r, const char *hex, char out[OID_HEX])
{
	git_object *obj = NULL;
	git_oid oid;
	size_t n = hex ? strlen(hex) : 0;
	int error;

	if (n < GIT_OID_MINPREFIXLEN || n > GIT_OID_HEXSZ ||
	    git_oid_fromstrn(&oid, hex, n) < 0)
		return -EINVAL;
	if ((error = git_object_lookup_prefix(&obj, r->git, &oid, n,
	    GIT_OBJECT_COMMIT)) == 0)
		oid_hex(git_object_id(obj), out);
	git_object_free(obj);
	return repo_err(error);
}

bool
repo_has_object(struct repo *r, const char *id)
{
	git_odb *odb = NULL;
	git_oid oid;
	bool found = false;

	if (oid_parse(&oid, id) < 0)
		return false;
	if (git_repository_odb(&odb, r->git) == 0)
		found = git_odb_exists(odb, &oid) != 0;
	git_odb_free(odb);
	return found;
}

int
repo_tag_read(struct repo *r, const char *id, struct repo_tag **out)
{
	git_object *obj = NULL, *target = NULL;
	const git_signature *tagger;
	const char *msg;
	struct repo_tag *t;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, id)) < 0)
		return error;
	if ((error = git_object_lookup(&obj, r->git, &oid,
	    GIT_OBJECT_ANY)) < 0)
		return repo_err(error);
	if (git_object_type(obj) != GIT_OBJECT_TAG) {
		git_object_free(obj);
		return -EINVAL;
	}
	if ((error = git_tag_peel(&target, (git_tag *)obj)) < 0 ||
	    git_object_type(target) != GIT_OBJECT_COMMIT) {
		git_object_free(target);
		git_object_free(obj);
		return error < 0 ? repo_err(error) : -EINVAL;
	}
	t = xcalloc(1, sizeof(*t));
	oid_hex(&oid, t->id);
	oid_hex(git_object_id(target), t->commit);
	t->name = xstrdup(git_tag_name((git_tag *)obj));
	msg = git_tag_message((git_tag *)obj);
	t->message = xstrdup(msg ? msg : "");
	tagger = git_tag_tagger((git_tag *)obj);
	if (tagger) {
		t->tagger = xasprintf("%s <%s>", tagger->name, tagger->email);
		t->time = (int64_t)tagger->when.time;
	} else
		t->tagger = xstrdup("");
	git_object_free(target);
	git_object_free(obj);
	*out = t;
	return 0;
}

void
repo_tag_free(struct repo_tag *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->message);
	free(t->tagger);
	free(t);
}

int
repo_trailers(const char *message, struct trailer **out, size_t *n)
{
	git_message_trailer_array arr = { 0 };
	struct trailer *t;
	const char *sig;
	char *text;
	int error;

	git_libgit2_init();
	/* CRLF messages: trailers end at "\r\n" as they do at "\n" */
	text = xstrdup(message);
	{
		char *w = text;

		for (const char *p = text; *p; p++)
			if (!(p[0] == '\r' && p[1] == '\n'))
				*w++ = *p;
		*w = '\0';
	}
	/* A signed tag carries its signature after the message. */
	if (str_startswith(text, "-----BEGIN "))
		text[0] = '\0';
	else if ((sig = strstr(text, "\n-----BEGIN ")) != NULL)
		text[sig - text + 1] = '\0';
	error = git_message_trailers(&arr, text);
	free(text);
	if (error < 0)
		return -EINVAL;
	t = xcalloc(arr.count, sizeof(*t));
	for (size_t i = 0; i < arr.count; i++) {
		struct buf v = { 0 };
		const char *p = arr.trailers[i].value;

		/* a value continued on indented lines is one line, as git has it */
		while (*p) {
			if (*p == '\n') {
				while (p[1] == ' ' || p[1] == '\t')
					p++;
				buf_adds(&v, " ");
				p++;
				continue;
			}
			buf_add(&v, p++, 1);
		}
		while (v.len && (v.s[v.len - 1] == ' ' || v.s[v.len - 1] == '\t'))
			v.s[--v.len] = '\0';
		t[i].key = xstrdup(arr.trailers[i].key);
		t[i].value = buf_steal(&v);
	}
	*n = arr.count;
	*out = t;
	git_message_trailer_array_free(&arr);
	return 0;
}

void
repo_trailers_free(struct trailer *t, size_t n)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(t[i].key);
		free(t[i].value);
	}
	free(t);
}

int
repo_ref_get(struct repo *r, const char *name, char out[OID_HEX])
{
	git_reference *ref = NULL;
	int error;

	if ((error = git_reference_lookup(&ref, r->git, name)) < 0)
		return repo_err(error);
	if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
		git_reference_free(ref);
		return -EINVAL;
	}
	oid_hex(git_reference_target(ref), out);
	git_reference_free(ref);
	return 0;
}

int
repo_ref_set(struct repo *r, const char *name, const char *id,
    const char *old, const char *log_message)
{
	git_reference *ref = NULL;
	git_oid oid, oldoid;
	int error;

	if ((error = oid_parse(&oid, id)) < 0)
		return error;
	if (old && (error = oid_parse(&oldoid, old)) < 0)
		return error;
	error = git_reference_create_matching(&ref, r->git, name, &oid,
	    old != NULL, old ? &oldoid : NULL, log_message);
	git_reference_free(ref);
	return repo_err(error);
}

int
repo_ref_delete(struct repo *r, const char *name, const char *old)
{
	git_reference *ref = NULL;
	git_oid oldoid;
	int error;

	if ((error = oid_parse(&oldoid, old)) < 0)
		return error;
	if ((error = git_reference_lookup(&ref, r->git, name)) < 0)
		return repo_err(error);
	if (git_reference_type(ref) != GIT_REFERENCE_DIRECT ||
	    !git_oid_equal(git_reference_target(ref), &oldoid)) {
		git_reference_free(ref);
		return -EAGAIN;
	}
	/*
	 * git_reference_delete() itself checks, under the ref's lock, that
	 * the ref still has the value it was looked up with.
	 */
	error = git_reference_delete(ref);
	git_reference_free(ref);
	return repo_err(error);
}

int
repo_ref_list(struct repo *r, const char *glob, struct repo_ref **out,
    size_t *n)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct repo_ref *refs = NULL;
	size_t count = 0, cap = 0;
	int error;

	if ((error = git_reference_iterator_glob_new(&it, r->git, glob)) < 0)
		return repo_err(error);
	while ((error = git_reference_next(&ref, it)) == 0) {
		if (git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
			if (count == cap) {
				cap = cap ? cap * 2 : 16;
				refs = xreallocarray(refs, cap, sizeof(*refs));
			}
			const git_oid *peeled = git_reference_target_peel(ref);

			refs[count].name = xstrdup(git_reference_name(ref));
			oid_hex(git_reference_target(ref), refs[count].id);
			refs[count].peeled[0] = '\0';
			if (peeled)
				oid_hex(peeled, refs[count].peeled);
			count++;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (error != GIT_ITEROVER) {
		repo_ref_list_free(refs, count);
		return repo_err(error);
	}
	*out = refs;
	*n = count;
	return 0;
}

void
repo_ref_list_free(struct repo_ref *refs, size_t n)
{
	if (refs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(refs[i].name);
	free(refs);
}

int
repo_descends(struct repo *r, const char *commit, const char *ancestor,
    bool *out)
{
	git_oid a, b;
	int error;

	if (oid_parse(&a, commit) < 0 || oid_parse(&b, ancestor) < 0)
		return -EINVAL;
	if (git_oid_equal(&a, &b)) {
		*out = true;
		return 0;
	}
	error = git_graph_descendant_of(r->git, &a, &b);
	if (error < 0)
		return repo_err(error);
	*out = error == 1;
	return 0;
}

int
repo_commit_time(struct repo *r, const char *commit, int64_t *out)
{
	git_commit *c = NULL;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, commit)) < 0)
		return error;
	if ((error = git_commit_lookup(&c, r->git, &oid)) < 0)
		return repo_err(error);
	*out = (int64_t)git_commit_time(c);
	git_commit_free(c);
	return 0;
}

/*
 * The walk below is git's own way of listing "tip ^hide...": commits are
 * taken newest first from a queue ordered by commit time; a commit reached
 * from a hidden one (or from one the callback calls a boundary) is stale,
 * and so are its parents; the walk ends when only stale commits are left in
 * the queue.  A commit is read once, when it is queued, and kept until it
 * leaves the queue.  libgit2's revwalk with hidden commits spent 230 million
 * instructions on 100 commits of a 100,000-commit history (bench/), this
 * one reads each commit it reaches once.
 */
struct walk_node {
	git_oid id;
	git_commit *commit;	/* while it waits in the queue */
	int64_t time;
	bool stale;
	bool used;		/* slot of the hash table in use */
	bool done;		/* taken from the queue */
};

struct walk {
	git_repository *git;
	struct walk_node *nodes;	/* open addressing on the id */
	size_t cap, n;
	struct walk_node **heap;	/* newest first */
	size_t nheap, heapcap;
};

static size_t
walk_hash(const git_oid *id, size_t cap)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h & (cap - 1);
}

static struct walk_node *
walk_slot(struct walk *w, const git_oid *id)
{
	size_t i = walk_hash(id, w->cap);

	while (w->nodes[i].used && !git_oid_equal(&w->nodes[i].id, id))
		i = (i + 1) & (w->cap - 1);
	return &w->nodes[i];
}

/* Doubles the table; the heap's pointers move to the new slots. */
static void
walk_grow(struct walk *w)
{
	struct walk_node *old = w->nodes;
	size_t oldcap = w->cap;

	w->cap = oldcap ? oldcap * 2 : 1024;
	w->nodes = xcalloc(w->cap, sizeof(*w->nodes));
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].used) {
			struct walk_node *n = walk_slot(w, &old[i].id);

			*n = old[i];
		}
	}
	for (size_t i = 0; i < w->nheap; i++)
		w->heap[i] = walk_slot(w, &w->heap[i]->id);
	free(old);
}

static bool
walk_newer(const struct walk_node *a, const struct walk_node *b)
{
	return a->time > b->time;
}

static void
walk_heap_push(struct walk *w, struct walk_node *n)
{
	size_t i;

	if (w->nheap == w->heapcap) {
		w->heapcap = w->heapcap ? w->heapcap * 2 : 256;
		w->heap = xreallocarray(w->heap, w->heapcap, sizeof(*w->heap));
	}
	i = w->nheap++;
	while (i > 0 && walk_newer(n, w->heap[(i - 1) / 2])) {
		w->heap[i] = w->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	w->heap[i] = n;
}

static struct walk_node *
walk_heap_pop(struct walk *w)
{
	struct walk_node *top = w->heap[0], *last = w->heap[--w->nheap];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= w->nheap)
			break;
		if (c + 1 < w->nheap && walk_newer(w->heap[c + 1], w->heap[c]))
			c++;
		if (!walk_newer(w->heap[c], last))
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	if (w->nheap)
		w->heap[i] = last;
	return top;
}

/*
 * Queues commit id (stale or not); a commit queued before stays queued
 * once, and becomes stale when reached from a stale one.
 */
static int
walk_add(struct walk *w, const git_oid *id, bool stale, size_t *interesting)
{
	struct walk_node *n;
	git_commit *c = NULL;
	int error;

	if ((w->n + 1) * 2 > w->cap)
		walk_grow(w);
	n = walk_slot(w, id);
	if (n->used) {
		if (stale && !n->stale) {
			n->stale = true;
			if (!n->done)
				(*interesting)--;
		}
		return 0;
	}
	if ((error = git_commit_lookup(&c, w->git, id)) < 0)
		return repo_err(error);
	n->id = *id;
	n->commit = c;
	n->time = (int64_t)git_commit_time(c);
	n->stale = stale;
	n->used = true;
	w->n++;
	if (!stale)
		(*interesting)++;
	walk_heap_push(w, n);
	return 0;
}

int
repo_walk(struct repo *r, const char *tip, const char (*hide)[OID_HEX],
    size_t nhide, repo_walk_cb cb, void *ctx)
{
	struct walk w = { r->git, NULL, 0, 0, NULL, 0, 0 };
	size_t interesting = 0;
	git_oid oid;
	int error = 0;

	walk_grow(&w);
	for (size_t i = 0; i < nhide && error == 0; i++)
		error = oid_parse(&oid, hide[i]) < 0 ? -EINVAL :
		    walk_add(&w, &oid, true, &interesting);
	if (error == 0)
		error = oid_parse(&oid, tip) < 0 ? -EINVAL :
		    walk_add(&w, &oid, false, &interesting);
	while (error == 0 && interesting > 0) {
		struct walk_node *n = walk_heap_pop(&w);
		bool stale = n->stale;
		git_commit *c = n->commit;
		char hex[OID_HEX];

		n->commit = NULL;
		n->done = true;
		if (!stale) {
			interesting--;
			oid_hex(&n->id, hex);
			error = cb(ctx, hex, git_commit_author(c)->email);
			if (error > 0) {
				/* a boundary: what it reaches is stale */
				stale = true;
				error = 0;
			}
		}
		for (unsigned int p = 0; error == 0 &&
		    p < git_commit_parentcount(c); p++)
			error = walk_add(&w, git_commit_parent_id(c, p), stale,
			    &interesting);
		git_commit_free(c);
	}
	for (size_t i = 0; i < w.nheap; i++)
		git_commit_free(w.heap[i]->commit);
	free(w.nodes);
	free(w.heap);
	return error;
}

struct scope_vec {
	struct scope_file *v;
	size_t n, cap;
};

static void
scope_add(struct scope_vec *sv, const char *prefix, const char *name,
    const git_oid *id, char status, unsigned mode)
{
	struct scope_file *f;

	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 64;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(*sv->v));
	}
	f = &sv->v[sv->n++];
	f->path = xasprintf("%s%s", prefix, name);
	if (id)
		oid_hex(id, f->blob);
	else
		f->blob[0] = '\0';
	f->status = status;
	f->mode = mode;
	f->attrs = 0;
	f->filter = NULL;
}

static int diff_trees(git_repository *git, git_tree *a, git_tree *b,
    const char *prefix, struct scope_vec *sv);

/* Recurses into the subtree pair named name; either side may be absent. */
static int
diff_subtree(git_repository *git, const git_tree_entry *ea,
    const git_tree_entry *eb, const char *prefix, const char *name,
    struct scope_vec *sv)
{
	git_tree *ta = NULL, *tb = NULL;
	char *sub;
	int error = 0;

	if (ea && (error = git_tree_lookup(&ta, git,
	    git_tree_entry_id(ea))) < 0)
		goto done;
	if (eb && (error = git_tree_lookup(&tb, git,
	    git_tree_entry_id(eb))) < 0)
		goto done;
	sub = xasprintf("%s%s/", prefix, name);
	error = diff_trees(git, ta, tb, sub, sv);
	free(sub);
done:
	git_tree_free(ta);
	git_tree_free(tb);
	return error;
}

/*
 * Adds to sv every file that differs between trees a and b (either may be
 * NULL: empty).  Entries with equal mode and id are skipped without being
 * opened, which is what keeps a small change in a large tree cheap.
 */
static int
diff_trees(git_repository *git, git_tree *a, git_tree *b, const char *prefix,
    struct scope_vec *sv)
{
	size_t na = a ? git_tree_entrycount(a) : 0;
	size_t nb = b ? git_tree_entrycount(b) : 0;
	int error;

	for (size_t i = 0; i < nb; i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(b, i);
		const char *name = git_tree_entry_name(eb);
		const git_tree_entry *ea = a ? git_tree_entry_byname(a, name) :
		    NULL;
		bool tree_b = git_tree_entry_type(eb) == GIT_OBJECT_TREE;
		bool tree_a = ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE;

		if (ea && git_oid_equal(git_tree_entry_id(ea),
		    git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		if (tree_b) {
			if ((error = diff_subtree(git, tree_a ? ea : NULL, eb,
			    prefix, name, sv)) < 0)
				return error;
			if (ea && !tree_a)
				scope_add(sv, prefix, name, NULL, 'D', 0);
		} else {
			scope_add(sv, prefix, name, git_tree_entry_id(eb),
			    ea && !tree_a ? 'M' : 'A',
			    (unsigned)git_tree_entry_filemode(eb));
			if (tree_a && (error = diff_subtree(git, ea, NULL,
			    prefix, name, sv)) < 0)
				return error;
		}
	}
	for (size_t i = 0; i < na; i++) {
		const git_tree_entry *ea = git_tree_entry_byindex(a, i);
		const char *name = git_tree_entry_name(ea);

		if (b && git_tree_entry_byname(b, name))
			continue;
		if (git_tree_entry_type(ea) == GIT_OBJECT_TREE) {
			if ((error = diff_subtree(git, ea, NULL, prefix, name,
			    sv)) < 0)
				return error;
		} else
			scope_add(sv, prefix, name, NULL, 'D', 0);
	}
	return 0;
}

static int
scope_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scope_file *)a)->path,
	    ((const struct scope_file *)b)->path);
}

static int
commit_tree(git_repository *git, const char *commit, git_tree **out)
{
	git_commit *c = NULL;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, commit)) < 0)
		return error;
	if ((error = git_commit_lookup(&c, git, &oid)) < 0)
		return repo_err(error);
	error = git_commit_tree(out, c);
	git_commit_free(c);
	return repo_err(error);
}

int
repo_diff(struct repo *r, const char *base, const char *commit,
    struct scope_file **out, size_t *n)
{
	git_tree *ta = NULL, *tb = NULL;
	struct scope_vec sv = { 0 };
	int error;

	if (base && (error = commit_tree(r->git, base, &ta)) < 0)
		goto done;
	if ((error = commit_tree(r->git, commit, &tb)) < 0)
		goto done;
	if ((error = diff_trees(r->git, ta, tb, "", &sv)) < 0) {
		error = repo_err(error);
		repo_scope_free(sv.v, sv.n);
		goto done;
	}
	if (sv.n > 1)
		qsort(sv.v, sv.n, sizeof(*sv.v), scope_cmp);
	*out = sv.v;
	*n = sv.n;
done:
	git_tree_free(ta);
	git_tree_free(tb);
	return error;
}

void
repo_scope_free(struct scope_file *files, size_t n)
{
	if (files == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].filter);
	}
	free(files);
}

/* Whether dir ("" or "a/b/") of commit's tree has a .gitattributes. */
static bool
has_attributes_file(git_tree *tree, const char *dir)
{
	git_tree_entry *e = NULL;
	char *path = xasprintf("%s.gitattributes", dir);
	bool found = git_tree_entry_bypath(&e, tree, path) == 0;

	git_tree_entry_free(e);
	free(path);
	return found;
}

/*
 * Whether any attributes can apply to the files: a .gitattributes in a
 * folder of one of them (or at the top), or info/attributes.  Asking
 * libgit2 for each file of a first print costs far more than this.  The
 * files are sorted, so a folder is looked at once.
 */
static int
attributes_possible(struct repo *r, git_tree *tree,
    const struct scope_file *files, size_t n, bool *out)
{
	char *info = xasprintf("%sinfo/attributes",
	    git_repository_path(r->git));
	char *last = NULL;
	struct stat st;
	int error = 0;

	*out = false;
	if (stat(info, &st) == 0)
		*out = true;
	else if (errno != ENOENT)
		error = -errno;
	free(info);
	if (error < 0 || *out || (*out = has_attributes_file(tree, "")))
		return error;
	for (size_t i = 0; i < n && !*out; i++) {
		const char *path = files[i].path, *slash = strrchr(path, '/');

		for (const char *p = strchr(path, '/'); p && !*out;
		    p = strchr(p + 1, '/')) {
			size_t len = (size_t)(p - path) + 1;
			char *dir;

			/* every folder of the previous file was looked at */
			if (last && strlen(last) >= len &&
			    strncmp(last, path, len) == 0)
				continue;
			dir = xstrndup(path, len);
			*out = has_attributes_file(tree, dir);
			free(dir);
		}
		if (slash) {
			free(last);
			last = xstrndup(path, (size_t)(slash - path) + 1);
		}
	}
	free(last);
	return 0;
}

int
repo_scope_attrs(struct repo *r, const char *commit, struct scope_file *files,
    size_t n)
{
	static const char *names[] = { "export-subst", "export-ignore",
		"filter" };
	git_attr_options opts;
	git_tree *tree = NULL;
	git_oid oid;
	bool possible;
	int error;

	if ((error = commit_tree(r->git, commit, &tree)) < 0)
		return error;
	if ((error = attributes_possible(r, tree, files, n, &possible)) < 0 ||
	    !possible)
		goto done;
	if ((error = oid_parse(&oid, commit)) < 0)
		goto done;
	memset(&opts, 0, sizeof(opts));
	opts.version = GIT_ATTR_OPTIONS_VERSION;
	opts.flags = GIT_ATTR_CHECK_INDEX_ONLY | GIT_ATTR_CHECK_NO_SYSTEM |
	    GIT_ATTR_CHECK_INCLUDE_COMMIT;
	git_oid_cpy(&opts.attr_commit_id, &oid);
	for (size_t i = 0; i < n; i++) {
		const char *v[3] = { NULL, NULL, NULL };

		if (files[i].status == 'D')
			continue;
		if ((error = git_attr_get_many_ext(v, r->git, &opts,
		    files[i].path, ARRAY_SIZE(names), names)) < 0) {
			error = repo_err(error);
			goto done;
		}
		if (GIT_ATTR_IS_TRUE(v[0]))
			files[i].attrs |= SCOPE_EXPORT_SUBST;
		if (GIT_ATTR_IS_TRUE(v[1]))
			files[i].attrs |= SCOPE_EXPORT_IGNORE;
		if (git_attr_value(v[2]) == GIT_ATTR_VALUE_STRING)
			files[i].filter = xstrdup(v[2]);
	}
	error = 0;
done:
	git_tree_free(tree);
	return error;
}

int
repo_blob_at(struct repo *r, const char *commit, const char *path,
    char out[OID_HEX])
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int error;

	if ((error = commit_tree(r->git, commit, &tree)) < 0)
		return error;
	error = git_tree_entry_bypath(&e, tree, path);
	if (error == 0)
		oid_hex(git_tree_entry_id(e), out);
	git_tree_entry_free(e);
	git_tree_free(tree);
	return repo_err(error);
}

int
repo_commit_parent(struct repo *r, const char *commit, char out[OID_HEX])
{
	git_commit *c = NULL;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, commit)) < 0)
		return error;
	if ((error = git_commit_lookup(&c, r->git, &oid)) < 0)
		return repo_err(error);
	if (git_commit_parentcount(c) == 0)
		error = -ENOENT;
	else
		oid_hex(git_commit_parent_id(c, 0), out);
	git_commit_free(c);
	return error;
}

int
repo_blob_read(struct repo *r, const char *id, char **out, size_t *len)
{
	return repo_blob_read_max(r, id, REPO_BLOB_MAX, out, len);
}

/*
 * The size is read from the object's header first: git_blob_lookup()
 * inflates the whole object, which for a blob of gigabytes is the
 * memory a cap checked afterwards was there to save.
 */
int
repo_blob_read_max(struct repo *r, const char *id, size_t max, char **out,
    size_t *len)
{
	git_blob *blob = NULL;
	size_t size = 0;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, id)) < 0)
		return error;
	if ((error = repo_object_size(r, id, &size)) < 0)
		return error;
	if (size > max) {
		git_error_set(GIT_ERROR_INVALID, "blob %s is %zu bytes, over "
		    "the %zu read at most", id, size, max);
		return -EFBIG;
	}
	if ((error = git_blob_lookup(&blob, r->git, &oid)) < 0)
		return repo_err(error);
	*len = (size_t)git_blob_rawsize(blob);
	*out = xstrndup(git_blob_rawcontent(blob), *len);
	git_blob_free(blob);
	return 0;
}

int
repo_notes_head(struct repo *r, const char *ref, char out[OID_HEX])
{
	git_object *obj = NULL;
	char id[OID_HEX];
	git_oid oid;
	int error;

	if ((error = repo_ref_get(r, ref, id)) < 0)
		return error;	/* -ENOENT: no ledger yet */
	/*
	 * A ref at a blob, or at an object that is not there, is a broken
	 * ledger, never an empty one: reading it as empty would forget
	 * every decision.
	 */
	if (git_oid_fromstr(&oid, id) < 0 ||
	    git_object_lookup(&obj, r->git, &oid, GIT_OBJECT_ANY) < 0)
		return -EIO;
	error = git_object_type(obj) == GIT_OBJECT_COMMIT ? 0 : -EIO;
	git_object_free(obj);
	if (error == 0)
		memcpy(out, id, OID_HEX);
	else
		git_error_set_str(GIT_ERROR_REFERENCE, "refs/notes/printgate "
		    "is not a commit: the ledger is broken");
	return error;
}

static int
notes_commit(git_repository *git, const char *head, git_commit **out)
{
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, head)) < 0)
		return error;
	return repo_err(git_commit_lookup(out, git, &oid));
}

int
repo_note_read(struct repo *r, const char *head, const char *commit,
    char **out)
{
	git_commit *nc = NULL;
	git_note *note = NULL;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, commit)) < 0)
		return error;
	if ((error = notes_commit(r->git, head, &nc)) < 0)
		return error;
	error = git_note_commit_read(&note, r->git, nc, &oid);
	if (error == 0)
		*out = xstrdup(git_note_message(note));
	git_note_free(note);
	git_commit_free(nc);
	return repo_err(error);
}

/* The id of the note on commit in root, a notes commit's tree. */
static int
note_id_in(git_repository *git, git_tree *root, const char *commit,
    char blob[OID_HEX])
{
	git_tree *tree = root, *sub = NULL;
	const git_tree_entry *e;
	const char *rest = commit;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, commit)) < 0)
		return error;
	/*
	 * As git reads notes: the note is named by the rest of the id, in
	 * the tree of its first two hex digits when the notes fan out
	 * ("ab/cdef..."), as deep as they do.
	 */
	for (;;) {
		e = git_tree_entry_byname(tree, rest);
		if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			git_oid_tostr(blob, OID_HEX, git_tree_entry_id(e));
			error = 0;
			break;
		}
		if (strlen(rest) <= 2) {
			error = -ENOENT;
			break;
		}
		{
			char two[3] = { rest[0], rest[1], '\0' };

			e = git_tree_entry_byname(tree, two);
		}
		if (e == NULL || git_tree_entry_type(e) != GIT_OBJECT_TREE) {
			error = -ENOENT;
			break;
		}
		if ((error = repo_err(git_tree_lookup(&sub, git,
		    git_tree_entry_id(e)))) < 0)
			break;
		if (tree != root)
			git_tree_free(tree);
		tree = sub;
		sub = NULL;
		rest += 2;
	}
	if (tree != root)
		git_tree_free(tree);
	return error;
}

struct repo_notes_tree {
	git_repository *git;
	git_tree *root;
};

int
repo_notes_tree_open(struct repo *r, const char *head,
    struct repo_notes_tree **out)
{
	git_commit *nc = NULL;
	git_tree *root = NULL;
	int error;

	if ((error = notes_commit(r->git, head, &nc)) < 0)
		return error;
	error = repo_err(git_commit_tree(&root, nc));
	git_commit_free(nc);
	if (error < 0)
		return error;
	*out = xmalloc(sizeof(**out));
	(*out)->git = r->git;
	(*out)->root = root;
	return 0;
}

int
repo_notes_tree_id(struct repo_notes_tree *t, const char *commit,
    char blob[OID_HEX])
{
	return note_id_in(t->git, t->root, commit, blob);
}

void
repo_notes_tree_free(struct repo_notes_tree *t)
{
	if (t == NULL)
		return;
	git_tree_free(t->root);
	free(t);
}

int
repo_note_id(struct repo *r, const char *head, const char *commit,
    char blob[OID_HEX])
{
	struct repo_notes_tree *t = NULL;
	int error;

	if ((error = repo_notes_tree_open(r, head, &t)) < 0)
		return error;
	error = repo_notes_tree_id(t, commit, blob);
	repo_notes_tree_free(t);
	return error;
}

int
repo_note_append(struct repo *r, const char *ref, const char *commit,
    const char *text, const char *message, char out_head[OID_HEX])
{
	git_commit *parent = NULL, *built = NULL;
	git_tree *tree = NULL;
	git_reference *newref = NULL;
	git_note *note = NULL;
	git_signature *sig = NULL;
	git_oid target, head, newhead, blob;
	struct buf b = { 0 };
	bool have_head;
	int error;

	if ((error = oid_parse(&target, commit)) < 0)
		return error;
	error = git_reference_name_to_id(&head, r->git, ref);
	if (error < 0 && error != GIT_ENOTFOUND)
		return repo_err(error);
	have_head = error == 0;
	if (have_head) {
		if ((error = git_commit_lookup(&parent, r->git, &head)) < 0)
			goto done;
		error = git_note_commit_read(&note, r->git, parent, &target);
		if (error < 0 && error != GIT_ENOTFOUND)
			goto done;
		if (note) {
			const char *old = git_note_message(note);
			size_t len = strlen(old);

			buf_add(&b, old, len);
			if (len > 0 && old[len - 1] != '\n')
				buf_adds(&b, "\n");
		}
	}
	buf_adds(&b, text);
	if ((error = git_signature_now(&sig, "printgate",
	    "printgate@localhost")) < 0)
		goto done;
	if ((error = git_note_commit_create(&newhead, &blob, r->git, parent,
	    sig, sig, &target, b.s, 1)) < 0)
		goto done;
	/*
	 * libgit2 gives every notes commit the same message; the ledger's
	 * history is its audit trail, so commit the same tree again with a
	 * message that says what happened.
	 */
	if ((error = git_commit_lookup(&built, r->git, &newhead)) < 0 ||
	    (error = git_commit_tree(&tree, built)) < 0)
		goto done;
	if ((error = git_commit_create(&newhead, r->git, NULL, sig, sig, NULL,
	    message, tree, parent ? 1 : 0,
	    (const git_commit **)&parent)) < 0)
		goto done;
	/*
	 * The compare-and-swap: the ref moves only if it still points at the
	 * notes commit this one was built on (or, for the first note, if it
	 * still does not exist).  Anything else means another writer won.
	 */
	error = git_reference_create_matching(&newref, r->git, ref, &newhead,
	    have_head, have_head ? &head : NULL, "printgate: append event");
	if (error == 0)
		oid_hex(&newhead, out_head);
done:
	git_reference_free(newref);
	git_tree_free(tree);
	git_commit_free(built);
	git_signature_free(sig);
	git_note_free(note);
	git_commit_free(parent);
	buf_free(&b);
	return repo_err(error);
}

/*
 * Where the note on commit is, or would go, in the notes tree: the path
 * (with the fan-out, "ab/cdef...") into path[], and its blob into blob
 * ("" when there is none yet).  As git reads notes: the rest of the id,
 * in the tree of its first two hex digits when the notes fan out, as
 * deep as they do; a new note goes where the fan-out stops.
 */
static int
note_path(git_repository *git, git_tree *root, const char *commit,
    char path[REPO_NOTE_PATH], char blob[OID_HEX])
{
	git_tree *tree = root, *sub = NULL;
	const git_tree_entry *e;
	const char *rest = commit;
	int error = 0;

	blob[0] = '\0';
	path[0] = '\0';
	for (;;) {
		char two[3] = { rest[0], rest[1], '\0' };

		e = tree ? git_tree_entry_byname(tree, rest) : NULL;
		if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			git_oid_tostr(blob, OID_HEX, git_tree_entry_id(e));
			break;
		}
		e = tree && strlen(rest) > 2 ? git_tree_entry_byname(tree,
		    two) : NULL;
		if (e == NULL || git_tree_entry_type(e) != GIT_OBJECT_TREE)
			break;
		if ((error = repo_err(git_tree_lookup(&sub, git,
		    git_tree_entry_id(e)))) < 0)
			break;
		if (tree != root)
			git_tree_free(tree);
		tree = sub;
		strcat(path, two);
		strcat(path, "/");
		rest += 2;
	}
	if (tree != root)
		git_tree_free(tree);
	strcat(path, rest);
	return error;
}

int
repo_note_locate(struct repo *r, const char *head, const char *commit,
    char path[REPO_NOTE_PATH], char blob[OID_HEX])
{
	git_commit *nc = NULL;
	git_tree *tree = NULL;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, commit)) < 0)
		return error;
	if (head == NULL)
		return note_path(r->git, NULL, commit, path, blob);
	if ((error = notes_commit(r->git, head, &nc)) < 0)
		return error;
	if ((error = repo_err(git_commit_tree(&tree, nc))) == 0)
		error = note_path(r->git, tree, commit, path, blob);
	git_tree_free(tree);
	git_commit_free(nc);
	return error;
}

/* The tree of head's tree with each of notes written at its path, into *out. */
static int
notes_tree(git_repository *git, git_commit *parent,
    const struct repo_note_put *notes, size_t n, git_oid *blobs,
    git_tree **out)
{
	git_tree *base = NULL;
	git_tree_update *up = xcalloc(n, sizeof(*up));
	git_oid treeid;
	int error = 0;

	if (parent && (error = git_commit_tree(&base, parent)) < 0)
		goto done;
	for (size_t i = 0; i < n && error == 0; i++) {
		error = git_blob_create_from_buffer(&blobs[i], git,
		    notes[i].text, strlen(notes[i].text));
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].id = blobs[i];
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = notes[i].path;
	}
	if (error == 0 && (error = git_tree_create_updated(&treeid, git, base,
	    n, up)) == 0)
		error = git_tree_lookup(out, git, &treeid);
done:
	free(up);
	git_tree_free(base);
	return error;
}

/*
 * The repository a packed write builds its objects in (r->pack_git),
 * made the first time: an object database whose writes all go to a
 * mempack, in front of the repository's objects folder, read as an
 * alternate and so never written to.  A push's quarantine need not be
 * read: the ledger's objects are all in the objects folder.
 */
static int
pack_repo(struct repo *r)
{
	git_buf objects = GIT_BUF_INIT;
	git_odb *odb = NULL;
	git_odb_backend *mp = NULL;
	int error;

	if (r->pack_git)
		return 0;
	if ((error = git_repository_item_path(&objects, r->git,
	    GIT_REPOSITORY_ITEM_OBJECTS)) < 0 ||
	    (error = git_odb_new(&odb)) < 0 ||
	    (error = git_mempack_new(&mp)) < 0)
		goto done;
	if ((error = git_odb_add_backend(odb, mp, 999)) < 0) {
		mp->free(mp);
		goto done;
	}
	if ((error = git_odb_add_disk_alternate(odb, objects.ptr)) == 0 &&
	    (error = git_repository_wrap_odb(&r->pack_git, odb)) == 0)
		r->mempack = mp;
done:
	git_odb_free(odb);
	git_buf_dispose(&objects);
	return error;
}

/* Adds id to pb when this write made it (it is in the mempack). */
static int
pack_add(git_packbuilder *pb, git_odb_backend *mp, const git_oid *id)
{
	return mp->exists(mp, id) ? git_packbuilder_insert(pb, id, NULL) : 0;
}

/*
 * Adds to pb what notes commit head added: itself, the trees on each
 * note's path and the notes' blobs.  Not git_mempack_dump(), which packs
 * the commit's whole tree, every note of the ledger, each time.
 */
static int
pack_add_notes(git_repository *git, git_odb_backend *mp, git_packbuilder *pb,
    const git_oid *head, const struct repo_note_put *notes,
    const git_oid *blobs, size_t n)
{
	git_commit *c = NULL;
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	char dir[REPO_NOTE_PATH];
	const char *slash;
	int error;

	if ((error = git_commit_lookup(&c, git, head)) < 0 ||
	    (error = git_commit_tree(&root, c)) < 0 ||
	    (error = pack_add(pb, mp, head)) < 0 ||
	    (error = pack_add(pb, mp, git_tree_id(root))) < 0)
		goto done;
	for (size_t i = 0; i < n && error == 0; i++) {
		for (slash = notes[i].path; error == 0 &&
		    (slash = strchr(slash, '/')) != NULL; slash++) {
			snprintf(dir, sizeof(dir), "%.*s",
			    (int)(slash - notes[i].path), notes[i].path);
			if ((error = git_tree_entry_bypath(&e, root, dir)) == 0)
				error = pack_add(pb, mp, git_tree_entry_id(e));
			git_tree_entry_free(e);
			e = NULL;
		}
		if (error == 0)
			error = pack_add(pb, mp, &blobs[i]);
	}
done:
	git_tree_free(root);
	git_commit_free(c);
	return error;
}

/*
 * Stores what notes commit head added, built in memory, in the
 * repository's objects folder as one pack, through libgit2's indexer:
 * with GIT_OPT_ENABLE_FSYNC_GITDIR it fsyncs the pack, its index and
 * their folder before it returns.  Objects already there were not
 * written again (libgit2 freshens them instead); with none new, there is
 * no pack to store.
 */
static int
pack_store(struct repo *r, const git_oid *head,
    const struct repo_note_put *notes, const git_oid *blobs, size_t n)
{
	git_packbuilder *pb = NULL;
	git_buf pack = GIT_BUF_INIT;
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress stats = { 0 };
	int error;

	if ((error = git_packbuilder_new(&pb, r->pack_git)) < 0)
		return error;
	git_packbuilder_set_threads(pb, 1);
	if ((error = pack_add_notes(r->pack_git, r->mempack, pb, head, notes,
	    blobs, n)) < 0 || git_packbuilder_object_count(pb) == 0 ||
	    (error = git_packbuilder_write_buf(&pack, pb)) < 0 ||
	    (error = git_repository_odb(&odb, r->git)) < 0 ||
	    (error = git_odb_write_pack(&wp, odb, NULL, NULL)) < 0)
		goto done;
	if ((error = wp->append(wp, pack.ptr, pack.size, &stats)) == 0)
		error = wp->commit(wp, &stats);
done:
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	git_buf_dispose(&pack);
	git_packbuilder_free(pb);
	return error;
}

/*
 * git_odb_write() first looks for the object in every backend and, none
 * having it (a new object is in none), refreshes them all and looks
 * again: the pack backend reads the pack folder once for every object
 * written, four times for one note.  A notes commit's objects are
 * written with that refresh held: the database refreshed once before (a
 * pack another process wrote since is seen), each backend's refresh set
 * aside until odb_release().  printgated has one thread, and so has the
 * hook deciding itself.
 */
#define ODB_HELD_MAX 8

struct odb_held {
	size_t n;
	git_odb_backend *backend[ODB_HELD_MAX];
	int (*refresh[ODB_HELD_MAX])(git_odb_backend *);
};

static int
odb_hold(git_repository *git, struct odb_held *h)
{
	git_odb *odb = NULL;
	git_odb_backend *b;
	int error;

	h->n = 0;
	if ((error = git_repository_odb(&odb, git)) < 0)
		return error;
	/* failing, as on a miss: libgit2 reads on with what it has */
	if (git_odb_refresh(odb) < 0)
		git_error_clear();
	/* past ODB_HELD_MAX, backends go on refreshing: slower, as right */
	for (size_t i = 0; i < git_odb_num_backends(odb) &&
	    h->n < ODB_HELD_MAX; i++) {
		if (git_odb_get_backend(&b, odb, i) == 0 && b->refresh) {
			h->backend[h->n] = b;
			h->refresh[h->n++] = b->refresh;
			b->refresh = NULL;
		}
	}
	git_odb_free(odb);
	return 0;
}

static void
odb_release(struct odb_held *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->backend[i]->refresh = h->refresh[i];
	h->n = 0;
}

/* notes_build()'s work, as libgit2 reads and writes by default. */
static int
notes_make(git_repository *git, git_commit *parent,
    const struct repo_note_put *notes, size_t n, const char *message,
    git_oid *blobs, git_oid *newhead)
{
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	int error;

	if ((error = notes_tree(git, parent, notes, n, blobs, &tree)) == 0 &&
	    (error = git_signature_now(&sig, "printgate",
	    "printgate@localhost")) == 0)
		error = git_commit_create(newhead, git, NULL, sig, sig, NULL,
		    message, tree, parent ? 1 : 0,
		    (const git_commit **)&parent);
	git_signature_free(sig);
	git_tree_free(tree);
	return error;
}

/*
 * The notes commit of notes on top of parent (or none) in git, its id
 * into *newhead and the notes' blobs into blobs[]: a libgit2 code.
 * Built with the refresh held; a tree of the ledger that a repack (git
 * gc) moved into a new pack after the hold's refresh is then not found,
 * and it is built again without the hold, libgit2 refreshing on the
 * miss as it always does.
 */
static int
notes_build(git_repository *git, git_commit *parent,
    const struct repo_note_put *notes, size_t n, const char *message,
    git_oid *blobs, git_oid *newhead)
{
	struct odb_held held;
	int error;

	if (odb_hold(git, &held) == 0) {
		error = notes_make(git, parent, notes, n, message, blobs,
		    newhead);
		odb_release(&held);
		if (error != GIT_ENOTFOUND)
			return error;
	}
	return notes_make(git, parent, notes, n, message, blobs, newhead);
}

int
repo_notes_write(struct repo *r, const char *ref, const char *head,
    const struct repo_note_put *notes, size_t n, const char *message,
    unsigned flags, char out_head[OID_HEX], char (*out_blobs)[OID_HEX])
{
	git_repository *git = r->git;
	git_commit *parent = NULL;
	git_reference *newref = NULL;
	git_oid headid, newhead, *blobs;
	int error;

	if ((flags & REPO_PACK) && (error = repo_err(pack_repo(r))) < 0)
		return error;
	if (flags & REPO_PACK)
		git = r->pack_git;
	if (head && ((error = oid_parse(&headid, head)) < 0 ||
	    (error = notes_commit(git, head, &parent)) < 0))
		return error;
	/*
	 * All of the notes in one tree and one commit: its objects, their
	 * folders and the ref fsynced once for all of them; packed, the
	 * objects are one pack and its index, in one folder.
	 */
	blobs = xcalloc(n ? n : 1, sizeof(*blobs));
	if ((error = notes_build(git, parent, notes, n, message, blobs,
	    &newhead)) < 0 ||
	    ((flags & REPO_PACK) && (error = pack_store(r, &newhead, notes,
	    blobs, n)) < 0))
		goto done;
	/* the compare-and-swap, as in repo_note_append() */
	error = git_reference_create_matching(&newref, r->git, ref, &newhead,
	    head != NULL, head ? &headid : NULL, "printgate: append event");
	if (error == 0) {
		oid_hex(&newhead, out_head);
		for (size_t i = 0; i < n; i++)
			oid_hex(&blobs[i], out_blobs[i]);
	}
done:
	/* stored or failed, the objects in memory are done with */
	if (flags & REPO_PACK)
		git_mempack_reset(r->mempack);
	free(blobs);
	git_reference_free(newref);
	git_commit_free(parent);
	return repo_err(error);
}

int
repo_note_write(struct repo *r, const char *ref, const char *head,
    const char *path, const char *text, const char *message,
    char out_head[OID_HEX], char out_blob[OID_HEX])
{
	struct repo_note_put note = { path, text };

	return repo_notes_write(r, ref, head, &note, 1, message, 0, out_head,
	    (char (*)[OID_HEX])out_blob);
}

int
repo_note_foreach(struct repo *r, const char *head, repo_note_cb cb,
    void *ctx)
{
	git_note_iterator *it = NULL;
	git_commit *nc = NULL;
	git_oid note_id, annotated;
	char hex[OID_HEX];
	int error;

	if ((error = notes_commit(r->git, head, &nc)) < 0)
		return error;
	if ((error = git_note_commit_iterator_new(&it, nc)) < 0) {
		error = repo_err(error);
		goto done;
	}
	while ((error = git_note_next(&note_id, &annotated, it)) == 0) {
		git_blob *blob = NULL;
		char *text;

		if ((error = git_blob_lookup(&blob, r->git, &note_id)) < 0) {
			error = repo_err(error);
			goto done;
		}
		text = xstrndup(git_blob_rawcontent(blob),
		    (size_t)git_blob_rawsize(blob));
		git_blob_free(blob);
		oid_hex(&annotated, hex);
		error = cb(ctx, hex, text);
		free(text);
		if (error != 0)
			goto done;
	}
	error = error == GIT_ITEROVER ? 0 : repo_err(error);
done:
	git_note_iterator_free(it);
	git_commit_free(nc);
	return error;
}

/*
 * The object a notes path is on: the path without the fan-out's slashes
 * ("ab/cdef..." is the note on "abcdef..."), into out; false when the
 * path is no note.
 */
static bool
note_path_object(const char *path, char out[OID_HEX])
{
	size_t k = 0;

	for (const char *p = path; *p && k < OID_HEX - 1; p++)
		if (*p != '/')
			out[k++] = *p;
	out[k] = '\0';
	return k == OID_HEX - 1;
}

int
repo_notes_changed(struct repo *r, const char *parent, const char *commit,
    struct repo_note_change **out, size_t *n)
{
	struct scope_file *files = NULL;
	struct repo_note_change *v;
	size_t nfiles = 0, k = 0;
	int error;

	if ((error = repo_diff(r, parent, commit, &files, &nfiles)) < 0)
		return error;
	v = xcalloc(nfiles ? nfiles : 1, sizeof(*v));
	for (size_t i = 0; i < nfiles; i++) {
		if (files[i].status == 'D' ||
		    !note_path_object(files[i].path, v[k].annotated))
			continue;
		memcpy(v[k].blob, files[i].blob, OID_HEX);
		if (parent == NULL || repo_blob_at(r, parent, files[i].path,
		    v[k].old_blob) < 0)
			v[k].old_blob[0] = '\0';
		k++;
	}
	repo_scope_free(files, nfiles);
	*out = v;
	*n = k;
	return 0;
}

int
repo_config_string(struct repo *r, const char *name, char **out)
{
	git_config *cfg = NULL;
	git_buf value = { 0 };
	int error;

	if ((error = git_repository_config_snapshot(&cfg, r->git)) < 0)
		return repo_err(error);
	error = git_config_get_string_buf(&value, cfg, name);
	if (error == 0)
		*out = xstrdup(value.ptr);
	git_buf_dispose(&value);
	git_config_free(cfg);
	return repo_err(error);
}

/* The repository's own config file, not ~/.gitconfig: a libgit2 code. */
static int
config_local(struct repo *r, git_config **local)
{
	git_config *cfg = NULL;
	int error;

	*local = NULL;
	if ((error = git_repository_config(&cfg, r->git)) == 0)
		error = git_config_open_level(local, cfg,
		    GIT_CONFIG_LEVEL_LOCAL);
	git_config_free(cfg);
	return error;
}

int
repo_config_set_bool(struct repo *r, const char *name, bool value)
{
	git_config *local;
	int error;

	if ((error = config_local(r, &local)) == 0)
		error = git_config_set_bool(local, name, value);
	git_config_free(local);
	return repo_err(error);
}

int
repo_config_local_bool(struct repo *r, const char *name, bool *value)
{
	git_config *local;
	int v = 0, error;

	if ((error = config_local(r, &local)) == 0 &&
	    (error = git_config_get_bool(&v, local, name)) == 0)
		*value = v != 0;
	git_config_free(local);
	return repo_err(error);
}

int
repo_object_size(struct repo *r, const char *id, size_t *size)
{
	git_odb *odb = NULL;
	git_object_t type;
	git_oid oid;
	int error;

	if ((error = oid_parse(&oid, id)) < 0)
		return error;
	if ((error = git_repository_odb(&odb, r->git)) < 0)
		return repo_err(error);
	error = git_odb_read_header(size, &type, odb, &oid);
	git_odb_free(odb);
	return repo_err(error);
}

int
repo_pathspec_new(struct repo_pathspec **out, char *const *paths, size_t n)
{
	git_strarray arr = { (char **)paths, n };
	struct repo_pathspec *ps;
	git_pathspec *gps = NULL;

	git_libgit2_init();
	if (git_pathspec_new(&gps, &arr) < 0)
		return -EINVAL;
	ps = xcalloc(1, sizeof(*ps));
	ps->ps = gps;
	*out = ps;
	return 0;
}

bool
repo_pathspec_match(const struct repo_pathspec *ps, const char *path)
{
	return git_pathspec_matches_path(ps->ps, GIT_PATHSPEC_DEFAULT,
	    path) == 1;
}

void
repo_pathspec_free(struct repo_pathspec *ps)
{
	if (ps == NULL)
		return;
	git_pathspec_free(ps->ps);
	free(ps);
}
