/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * link.c - the review page's links (link.h): the keys of the configured
 * links secret, and a review's link to a channel or to one person.
 */
#include "web/link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

int
link_keys_load(struct token_keys *out, const struct config *cf,
    bool must_exist, char **why)
{
	char *secret = NULL, *path;
	int error;

	if (must_exist && cf->http.links_secret_file == NULL) {
		path = xasprintf("%s/%s", cf->state_dir, TOKEN_SECRET_FILE);
		error = access(path, F_OK) == 0 ? 0 : -errno;
		if (error < 0 && why)
			*why = xasprintf("cannot read the links secret '%s': "
			    "%s; printgated makes it when it starts, or set "
			    "http.links_secret_file", path, strerror(-error));
		free(path);
		if (error < 0)
			return error;
	}
	error = token_secret_load(&secret, cf->http.links_secret_file,
	    cf->state_dir, why);
	if (error < 0)
		return error;
	token_keys_derive(out, secret, strlen(secret));
	explicit_bzero(secret, strlen(secret));
	free(secret);
	return 0;
}

const char *
link_base(const struct config *cf)
{
	return cf->http.base_path ? cf->http.base_path : "";
}

/* The link of the review for person under base (a URL or a path). */
static int
link_under(char **out, const char *base, const struct config *cf,
    const struct token_keys *k, const char *tag, const char *commit,
    const char *person, int64_t now)
{
	struct token_link l = { 0 };
	size_t blen = strlen(base);
	char *token;
	int error;

	if (strlen(tag) > TOKEN_MAX_TAG || strlen(commit) != OID_HEX - 1 ||
	    (person && strlen(person) > TOKEN_MAX_PERSON))
		return -EINVAL;
	snprintf(l.tag, sizeof(l.tag), "%s", tag);
	snprintf(l.commit, sizeof(l.commit), "%s", commit);
	snprintf(l.person, sizeof(l.person), "%s", person ? person : "");
	l.expires = now + cf->review.link_ttl;
	if ((error = token_link_make(&token, k, &l)) < 0)
		return error;
	/* public_url may end in '/': never "//r/" */
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	*out = xasprintf("%.*s%s%s", (int)blen, base, LINK_PATH_PREFIX, token);
	free(token);
	return 0;
}

int
link_make(char **out, const struct config *cf, const struct token_keys *k,
    const char *tag, const char *commit, const char *person, int64_t now)
{
	return link_under(out, cf->http.public_url ? cf->http.public_url : "",
	    cf, k, tag, commit, person, now);
}

int
link_path(char **out, const struct config *cf, const struct token_keys *k,
    const char *tag, const char *commit, const char *person, int64_t now)
{
	return link_under(out, link_base(cf), cf, k, tag, commit, person,
	    now);
}
