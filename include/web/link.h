/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * link.h - the review page's links as every part makes them: the keys
 * from the configured links secret, and "{public_url}/r/{token}" for a
 * review, to a channel (no person) or to one person (a personal link:
 * they may decide on the page).  The one place links are minted, for
 * printgated's messages and answers and for printgatectl link.
 */
#ifndef PRINTGATE_WEB_LINK_H
#define PRINTGATE_WEB_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "web/token.h"

/* The path of a review page: "/r/" then the token. */
#define LINK_PATH_PREFIX "/r/"

/*
 * The path every page, form and asset of the listener is under: the
 * path of http.public_url without its final '/' ("/printgate" for
 * "https://host/printgate/"), or "" for a public_url without a path or
 * none.  The listener takes its routes under it, and at the root for a
 * proxy that strips it.
 */
const char *link_base(const struct config *cf);

/*
 * The keys of cf's links secret into *out: http.links_secret_file when it
 * is set, else state_dir/links.secret, made on first use unless
 * must_exist (printgatectl, which must not make a file the daemon's user
 * cannot read).  Returns 0, or a negative errno with *out untouched and
 * *why a sentence the caller frees (the file, what is wrong, what to do).
 */
int link_keys_load(struct token_keys *out, const struct config *cf,
    bool must_exist, char **why);

/*
 * The link to the review of commit asked for by tag, for person (a
 * person id of cf, or NULL for a channel's link), lasting
 * review.link_ttl from now: "{public_url}/r/{token}" into *out (the
 * caller frees), or only the path "/r/{token}" when cf has no
 * http.public_url.  Returns 0, or -EINVAL with *out untouched when the
 * tag, commit or person cannot go in a token.
 */
int link_make(char **out, const struct config *cf, const struct token_keys *k,
    const char *tag, const char *commit, const char *person, int64_t now);
/* The same link as a path: link_base(cf), "/r/" and the token. */
int link_path(char **out, const struct config *cf, const struct token_keys *k,
    const char *tag, const char *commit, const char *person, int64_t now);

#endif
