/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * previews.h - the previews of PDFs and images in printgated: the
 * sandboxed renderer (printgate-render) run in the background from the
 * event loop, never waited for, at most as many at once as there are
 * cores; its answers cached in state_dir/previews by blob ids and scale
 * (one folder a pair of versions, one file a picture of a page), bounded
 * by previews_max, the least recently used out; the routes that serve the
 * pictures to the review page and to chat.
 *
 * A preview is asked for by a file's two versions (old and new blob ids,
 * "" for an added or removed file) and its path (which says its kind).
 * Its state is ready (the renderer's answer: pages changed, boxes,
 * words), still coming (queued or running), or no preview and why.
 *
 * The pictures are served under the review page's link:
 *
 *     /r/TOKEN/preview/OLD.NEW.MAC/NAME.png     a picture ("new-2")
 *     /r/TOKEN/preview/OLD.NEW.MAC/state        {"state":"coming"}
 *
 * TOKEN a link token (token.h) that is valid now; OLD and NEW blob ids
 * ("0" for none); MAC the first 16 bytes in hex of HMAC-SHA256(link key,
 * "printgate preview v1\n" TOKEN "\n" OLD "." NEW), so that a link opens
 * only the previews its page linked, not any blob of the repository.
 */
#ifndef PRINTGATE_PREVIEWS_H
#define PRINTGATE_PREVIEWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/policy.h"
#include "core/repo.h"
#include "printgated/http.h"
#include "web/picpath.h"

#define PREVIEWS_DIR "previews"
#define PREVIEWS_DPI 96		/* the scale of the pages' pictures */
#define PREVIEWS_THUMBS 160	/* thumbnails' width in pixels */
#define PREVIEWS_QUEUE_MAX 256	/* pairs waiting for a renderer */
#define PREVIEWS_TIMEOUT_MS 20000
#define PREVIEWS_ROUTE "/r/*/preview/*/*"

struct previews;

enum preview_state {
	PREVIEW_NONE,		/* no preview: see reason */
	PREVIEW_COMING,		/* queued or being rendered */
	PREVIEW_READY,
};

/* What previews_get() says of one file. */
struct preview_info {
	enum preview_state state;
	char *reason;		/* PREVIEW_NONE: "the file is encrypted..." */
	json_t *answer;		/* PREVIEW_READY: the renderer's header */
	char key[96];		/* "OLD.NEW", the pair in URLs */
};

/*
 * Opens (making it) state_dir/previews and indexes what it holds.  The
 * renderer is program (NULL: LIBEXECDIR/printgate-render, or the
 * PRINTGATE_RENDER variable of the environment when set); repository
 * objects are read through r, which must outlive pv.  On failure returns
 * a negative errno and sets *why.
 */
int previews_new(struct previews **out, const struct config *cf,
    struct repo *r, const char *program, char **why);
void previews_free(struct previews *pv);
/* Takes a new configuration: previews_max, lfs_dir. */
void previews_set_config(struct previews *pv, const struct config *cf);

/* The descriptor the loop watches (an epoll set of the renderers). */
int previews_fd(const struct previews *pv);
/* When previews_run() must be called at the latest, in ms; -1: never. */
int64_t previews_timeout_ms(const struct previews *pv);
/* Moves the renderers on, stores what they answered, starts the next. */
void previews_run(struct previews *pv);

/* Whether path is a PDF or an image that is previewed, by its name. */
bool previews_kind_ok(const char *path);
/* Whether a file in scope is: such a path, a file (no link, no submodule). */
bool previews_file_ok(const struct scope_file *f);

/*
 * The preview of path from blob old to blob new ("" or NULL for none),
 * into *out (free it with preview_info_clear): from the cache, else
 * queued (PREVIEW_COMING).  Never waits for a render.
 */
void previews_get(struct previews *pv, const char *path, const char *old,
    const char *new, struct preview_info *out);
void preview_info_clear(struct preview_info *i);

/*
 * The request event's hook: queues the previews of the PDFs and images
 * in the scope of rv (old blobs from its base commit), so that the first
 * view is warm and the request's message can say what they show.
 */
void previews_review(struct previews *pv, const struct review *rv);
/* How many of rv's previews are queued or being rendered now. */
size_t previews_pending(struct previews *pv, const struct review *rv);

/* What chat says of one file's preview. */
struct preview_chat {
	char *summary;		/* "pages 2 and 7 changed" */
	char *picture;		/* previews_chat_path(), or NULL */
	int page;		/* the picture's page number */
	bool added;		/* of a page added, as it is */
};

/*
 * What chat says of path from blob old to blob new, when its preview is
 * ready, into *out (preview_chat_clear()): the renderer's summary, and
 * the picture of the first changed page (the changes marked over the new
 * version), else of the first added page, when the links secret is
 * there to make its URL; else -ENOENT (queued when not yet asked for).
 */
int previews_chat(struct previews *pv, const char *path, const char *old,
    const char *new, struct preview_chat *out);
void preview_chat_clear(struct preview_chat *c);

/*
 * The pictures chat shows are served to whoever holds their URL, which
 * names one picture of one pair and carries its MAC, so that it is a
 * capability for that picture alone (it decides nothing, opens no page
 * and no other picture):
 *
 *     /p/OLD.NEW.MAC/NAME.png
 *
 * MAC the first 16 bytes in hex of HMAC-SHA256(link key, "printgate chat
 * picture v1\n" OLD "." NEW "\n" NAME).  It does not expire, as the
 * messages that show it stay; a new links secret ends them all.
 */
#define PREVIEWS_CHAT_PREFIX PICPATH_CHAT_PREFIX
#define PREVIEWS_CHAT_ROUTE "/p/*/*"
struct token_keys;
/* The URL path of picture name ("diff-2") of the pair key; caller frees. */
char *previews_chat_path(const struct token_keys *k, const char *key,
    const char *name);
/* The route PREVIEWS_CHAT_ROUTE (GET), for the listener's table. */
void previews_chat_route(struct previews *pv, const struct http_request *rq,
    struct http_response *rs);

/*
 * The URL path of the picture name ("new-2", or "state") of the pair
 * key ("OLD.NEW") under link_token; the caller frees.
 */
char *previews_url(const struct previews *pv, const char *link_token,
    const char *key, const char *name);
/* The same with the link keys k (the tests' tool, the page glue). */
char *previews_url_keys(const struct token_keys *k, const char *link_token,
    const char *key, const char *name);

/*
 * The review page's view-model of one file's preview (web/page.h), with
 * its pictures' URLs under link_token, into *out: what the page glue puts
 * in struct page_file's preview.  Free it with previews_view_free().
 */
struct page_preview;
struct previews_view;
struct previews_view *previews_view(struct previews *pv,
    const char *link_token, const char *path, const char *old,
    const char *new);
const struct page_preview *previews_view_page(const struct previews_view *v);
void previews_view_free(struct previews_view *v);

/* The route PREVIEWS_ROUTE (GET), for the listener's table. */
void previews_route(struct previews *pv, const struct http_request *rq,
    struct http_response *rs);

/* How many renders were started, and cache files written, since start. */
struct previews_stats {
	uint64_t started, finished, stored, evicted;
	uint64_t bytes;		/* in the cache now */
};
void previews_stats(const struct previews *pv, struct previews_stats *out);

#endif
