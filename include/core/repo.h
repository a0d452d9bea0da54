/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * repo.h - repository access: refs, tags, trees, commits and notes.  The
 * only part of printgate that speaks libgit2, so that the rest deals in
 * plain strings (hex ids, paths) and stays testable without a repository.
 *
 * Errors are negative errno-style codes: -ENOENT (no such object or ref),
 * -EAGAIN (a compare-and-swap lost a race; try again), -EBUSY (a ref is
 * locked by another writer), -EPERM (libgit2 refuses the repository's
 * owner), -EINVAL (not what was asked for: not a tag, not a commit), -EIO
 * (anything else).  repo_strerror() gives libgit2's last message.
 */
#ifndef PRINTGATE_REPO_H
#define PRINTGATE_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

struct repo;
struct repo_pathspec;

/* Git file modes that are not files of their own. */
#define SCOPE_MODE_LINK 0120000		/* a symlink: its blob is the target */
#define SCOPE_MODE_GITLINK 0160000	/* a submodule: its id a commit */

/* scope_file.attrs: attributes that change what git archive produces */
#define SCOPE_EXPORT_SUBST 0x1
#define SCOPE_EXPORT_IGNORE 0x2

/* A file that differs between two trees. */
struct scope_file {
	char *path;
	char blob[OID_HEX];	/* "" when the file was deleted */
	char status;		/* 'A' added, 'M' modified, 'D' deleted */
	unsigned mode;		/* git's file mode (0100644, ...), 0 when
				   deleted */
	unsigned attrs;		/* SCOPE_EXPORT_*, from repo_scope_attrs() */
	char *filter;		/* its filter attribute, or NULL */
};

struct trailer {
	char *key;
	char *value;
};

struct repo_tag {
	char id[OID_HEX];	/* the tag object */
	char commit[OID_HEX];	/* what it peels to */
	char *name;		/* the name inside the tag object */
	char *message;		/* whole message, "" when none */
	char *tagger;		/* "Name <email>", "" when none */
	int64_t time;		/* tagger time, 0 when none */
};

struct repo_ref {
	char *name;
	char id[OID_HEX];	/* direct target, not peeled */
	char peeled[OID_HEX];	/* what a tag peels to when packed-refs
				   says so, else "" */
};

/* What repo_walk() reports of each commit. */
typedef int (*repo_walk_cb)(void *ctx, const char *id, const char *email);
typedef int (*repo_note_cb)(void *ctx, const char *commit, const char *text);

/*
 * Opens the repository (a git dir or a work tree) at path.  On failure sets
 * *why to a message for people (with a hint for -EPERM: safe.directory).
 * On success the process's umask follows the repository's
 * core.sharedRepository (repo_shared_umask()), so that whoever runs
 * printgate creates what the group can write; -EINVAL when that setting
 * is not one git accepts.  From then on every object and ref the process
 * writes is fsynced with its folder before the write returns.
 */
int repo_open(struct repo **out, const char *path, char **why);
/*
 * core.sharedRepository's value as git reads it: 0 for "umask" (or false),
 * 0660 for "group" (or true), 0664 for "all", else the octal mode given
 * with REPO_SHARED_EXACT set (git then applies exactly those bits); -EINVAL
 * for anything git refuses.
 */
#define REPO_SHARED_EXACT 010000u
int repo_shared_perm(const char *value, unsigned *perm);
/*
 * The umask that makes files (0666) and folders (0777) come out as git's
 * shared perm does, from the old umask: group-writable for 0660 and 0664.
 */
unsigned repo_shared_umask(unsigned perm, unsigned old);
/*
 * core.sharedRepository of the git dir at gitdir, read from its config
 * file alone (no owner check), as repo_shared_perm() gives it; 0 when
 * unset, -EIO when the file cannot be read, -EINVAL when git refuses it.
 */
int repo_dir_shared(const char *gitdir, unsigned *perm);
/*
 * 1 when the system git config's safe.directory names the repository at
 * path by its absolute path (what libgit2 needs to open a repository of
 * another user), 0 when not, -errno when path cannot be resolved.
 */
int repo_safe_directory_set(const char *path);

/*
 * Opens the repository again in place, dropping what libgit2 keeps of the
 * objects read so far (its caches of packed objects hold up to 16 MiB);
 * on failure r is left as it was.
 */
int repo_refresh(struct repo *r);
/*
 * Looks for pack files added since the object database was last read (a
 * push just moved its objects in), so that they are found at once.
 */
int repo_odb_refresh(struct repo *r);
/*
 * repo_odb_refresh() unless object id is found without it: a loose
 * object is always seen, and an object the packs already read have needs
 * no new look at the pack folder (libgit2 looks again by itself for any
 * other object it misses).
 */
int repo_odb_refresh_for(struct repo *r, const char *id);
/*
 * Whether the pack folder has fewer packs than when last asked (git gc,
 * git repack): libgit2 keeps a removed pack open, with its disk space,
 * until the repository is opened again (repo_refresh()).  Reads the
 * folder only when its mtime moved; false on the first call.  The gate
 * path checks it on each request (repo_odb_refresh_for()), printgated's
 * scan after its tags.
 */
bool repo_packs_removed(struct repo *r);
/*
 * Reads objects from dir too, for the life of r: a push's quarantine
 * folder, which the caller has checked is one.
 */
int repo_add_objects(struct repo *r, const char *dir);
void repo_free(struct repo *r);
/* The git dir of the repository, borrowed. */
const char *repo_path(const struct repo *r);
/*
 * The folder of its refs and packed-refs, borrowed: the git dir, or for
 * a linked work tree the main one's.
 */
const char *repo_commondir(const struct repo *r);
/* libgit2's message for the last error of this thread, borrowed. */
const char *repo_strerror(void);

/* Resolves rev (a name, an id, "HEAD~2") to the commit it peels to. */
int repo_resolve_commit(struct repo *r, const char *rev, char out[OID_HEX]);
/*
 * The commit whose id starts with hex (4 to 40 hex digits), never a ref of
 * that name: -ENOENT when there is none, -EINVAL when it is ambiguous or
 * no commit.
 */
int repo_commit_by_id(struct repo *r, const char *hex, char out[OID_HEX]);
/* Whether id names an object in the repository, of any type. */
bool repo_has_object(struct repo *r, const char *id);
/* Reads a tag object; -EINVAL when id is not a tag or not of a commit. */
int repo_tag_read(struct repo *r, const char *id, struct repo_tag **out);
void repo_tag_free(struct repo_tag *t);
/* Parses the trailers of a tag or commit message (signatures dropped). */
int repo_trailers(const char *message, struct trailer **out, size_t *n);
void repo_trailers_free(struct trailer *t, size_t n);

/* The direct target of ref name; -ENOENT when it does not exist. */
int repo_ref_get(struct repo *r, const char *name, char out[OID_HEX]);
/*
 * Points ref name at id if it currently points at old (old NULL: only if
 * it does not exist yet).  -EAGAIN when it has another value.
 */
int repo_ref_set(struct repo *r, const char *name, const char *id,
    const char *old, const char *log_message);
/* Deletes ref name if it points at old; -EAGAIN when it has moved. */
int repo_ref_delete(struct repo *r, const char *name, const char *old);
/* Every ref matching glob (fnmatch, as print_tags is written). */
int repo_ref_list(struct repo *r, const char *glob, struct repo_ref **out,
    size_t *n);
void repo_ref_list_free(struct repo_ref *refs, size_t n);

/* Whether commit descends from ancestor (or is it). */
int repo_descends(struct repo *r, const char *commit, const char *ancestor,
    bool *out);
/* Commit time of a commit, seconds. */
int repo_commit_time(struct repo *r, const char *commit, int64_t *out);
/*
 * Calls cb for each commit reachable from tip but from none of the nhide
 * commits of hide (none: the whole history), newest first by commit time.
 * When cb returns 1 the commit is a boundary: its ancestors are treated as
 * hidden.  A negative return from cb stops the walk and is returned.
 */
int repo_walk(struct repo *r, const char *tip, const char (*hide)[OID_HEX],
    size_t nhide, repo_walk_cb cb, void *ctx);

/*
 * The files that differ between the trees of commits base (NULL: an empty
 * tree, so every file) and commit, sorted by path.  Compares trees
 * directly and skips subtrees with equal ids; no rename detection.
 */
int repo_diff(struct repo *r, const char *base, const char *commit,
    struct scope_file **out, size_t *n);
void repo_scope_free(struct scope_file *files, size_t n);
/*
 * Sets attrs and filter of each file present in commit from the
 * attributes git reads for it there: the commit's .gitattributes files
 * and the repository's info/attributes (not the system's).
 */
int repo_scope_attrs(struct repo *r, const char *commit,
    struct scope_file *files, size_t n);
/* The blob id of path in commit's tree; -ENOENT when there is none. */
int repo_blob_at(struct repo *r, const char *commit, const char *path,
    char out[OID_HEX]);

/* The first parent of commit; -ENOENT for a root commit. */
int repo_commit_parent(struct repo *r, const char *commit,
    char out[OID_HEX]);
/*
 * The content of blob id, NUL-terminated; *len excludes the NUL.  A blob
 * over REPO_BLOB_MAX bytes (repo_blob_read_max: max) is refused with
 * -EFBIG before any of it is read.
 */
#define REPO_BLOB_MAX (64u << 20)
int repo_blob_read(struct repo *r, const char *id, char **out, size_t *len);
int repo_blob_read_max(struct repo *r, const char *id, size_t max,
    char **out, size_t *len);

/* The notes commit ref points at now; -ENOENT when there are no notes. */
int repo_notes_head(struct repo *r, const char *ref, char out[OID_HEX]);
/*
 * The note on commit as of notes commit head (from repo_notes_head).
 * -ENOENT when the commit has no note.
 */
int repo_note_read(struct repo *r, const char *head, const char *commit,
    char **out);
/*
 * The id of the blob of that note, found without reading it; -ENOENT
 * when the commit has no note.
 */
int repo_note_id(struct repo *r, const char *head, const char *commit,
    char blob[OID_HEX]);
/*
 * The tree of notes commit head, held for the ids of many notes
 * (repo_notes_tree_id, as repo_note_id), read once; freed with
 * repo_notes_tree_free, before the repository.
 */
struct repo_notes_tree;
int repo_notes_tree_open(struct repo *r, const char *head,
    struct repo_notes_tree **out);
int repo_notes_tree_id(struct repo_notes_tree *t, const char *commit,
    char blob[OID_HEX]);
void repo_notes_tree_free(struct repo_notes_tree *t);
/*
 * One compare-and-swap append of text (whole lines, each ending in '\n')
 * to the note on commit under ref: builds a notes commit on top of the
 * current one with git_note_commit_create, then moves ref with
 * git_reference_create_matching against the value it was built on.
 * -EAGAIN or -EBUSY when another writer got there first: read and retry.
 * The notes commit's message is message.  On success *out_head is the
 * new notes commit.
 */
int repo_note_append(struct repo *r, const char *ref, const char *commit,
    const char *text, const char *message, char out_head[OID_HEX]);
/* A note's path in the notes tree, with its fan-out, and the NUL. */
#define REPO_NOTE_PATH 128
/*
 * Where the note on commit is, or would be written, as of notes commit
 * head (NULL: there are no notes yet): its path in the notes tree and
 * its blob ("" when the commit has no note), found without reading the
 * note.
 */
int repo_note_locate(struct repo *r, const char *head, const char *commit,
    char path[REPO_NOTE_PATH], char blob[OID_HEX]);
/*
 * Writes text as the whole note at path (repo_note_locate) on top of
 * notes commit head (NULL: the first), in one notes commit with message,
 * and moves ref to it only if ref is still head (compare-and-swap): the
 * note written without reading its old version, which the caller knows.
 * -EAGAIN when ref moved, -EBUSY when another writer holds its lock;
 * else *out_head is the new notes commit and *out_blob the note's blob.
 */
int repo_note_write(struct repo *r, const char *ref, const char *head,
    const char *path, const char *text, const char *message,
    char out_head[OID_HEX], char out_blob[OID_HEX]);
/* A note to write: the whole text at its path (repo_note_locate). */
struct repo_note_put {
	const char *path;
	const char *text;
};
/*
 * The same for n notes at once, each at a different path, in one notes
 * commit (one set of fsyncs for all of them); out_blobs[i] is the blob
 * of notes[i].  With REPO_PACK in flags the new objects are written as
 * one pack (its index and their folder fsynced: three fsyncs instead of
 * two for each loose object) before the ref moves.
 */
#define REPO_PACK 0x1
int repo_notes_write(struct repo *r, const char *ref, const char *head,
    const struct repo_note_put *notes, size_t n, const char *message,
    unsigned flags, char out_head[OID_HEX], char (*out_blobs)[OID_HEX]);
/* Calls cb for every note as of notes commit head. */
int repo_note_foreach(struct repo *r, const char *head, repo_note_cb cb,
    void *ctx);

/* A note that a notes commit added or changed. */
struct repo_note_change {
	char annotated[OID_HEX];	/* the object the note is on */
	char blob[OID_HEX];		/* the note's blob now */
	char old_blob[OID_HEX];		/* before, "" when new */
};
/*
 * The notes that notes commit commit added or changed, compared with
 * notes commit parent (NULL: with none), into *out (the caller frees it)
 * and *n: the notes tree's fan-out ("ab/cdef...") undone, removed notes
 * and paths that are no note left out.
 */
int repo_notes_changed(struct repo *r, const char *parent,
    const char *commit, struct repo_note_change **out, size_t *n);

/* A string setting from the repository's config; -ENOENT when unset. */
int repo_config_string(struct repo *r, const char *name, char **out);

/* Sets a boolean in the repository's own config file. */
int repo_config_set_bool(struct repo *r, const char *name, bool value);
/*
 * A boolean as the repository's own config file sets it (not ~/.gitconfig
 * or /etc/gitconfig), as git reads one; -ENOENT when that file does not
 * set it, -EINVAL when it is no boolean.
 */
int repo_config_local_bool(struct repo *r, const char *name, bool *value);
/* The size of object id, read from its header only. */
int repo_object_size(struct repo *r, const char *id, size_t *size);

/* git's own pathspec semantics: globs where "**" spans folders, prefixes. */
int repo_pathspec_new(struct repo_pathspec **out, char *const *paths,
    size_t n);
bool repo_pathspec_match(const struct repo_pathspec *ps, const char *path);
void repo_pathspec_free(struct repo_pathspec *ps);

#endif
