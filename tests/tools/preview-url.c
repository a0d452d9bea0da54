/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * preview-url.c - the URL path of a preview's picture as a review page
 * links it, for the tests: a channel link token of TAG and COMMIT made
 * with the links secret in STATE_DIR (valid for an hour, or expired with
 * -x), and the pair OLD.NEW ("0" for none) signed under it.
 *
 *   preview-url [-x] STATE_DIR TAG COMMIT OLD NEW NAME
 *
 * NAME is a picture ("new-2") or "state".  Prints the path; exit 2 on a
 * bad argument, 1 when the secret cannot be read.
 *
 *   preview-url -p STATE_DIR REPO TAG COMMIT PATH OLD NEW
 *
 * prints the review page of that one file as printgated's page glue
 * makes it: previews_view() from the cache in STATE_DIR/previews (which
 * must be ready: printgated wrote it), page_review() of it.
 *
 *   preview-url -c
 *
 * prints the pages' stylesheet (for the browser test, until printgated
 * serves the pages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/repo.h"
#include "printgated/previews.h"
#include "web/page.h"
#include "web/style.h"
#include "web/token.h"

/* -p: the review page of one file, its preview from the cache. */
static int
page(char *argv[])
{
	struct config cf = { 0 };
	struct repo *r = NULL;
	struct previews *pv = NULL;
	struct previews_view *v;
	struct token_link l = { 0 };
	struct token_keys k;
	struct page_file f = { 0 };
	struct page_review rv = { 0 };
	struct buf b = { 0 };
	char *secret = NULL, *why = NULL, *token = NULL;

	cf.state_dir = argv[0];
	cf.previews_max = 1ULL << 30;
	if (repo_open(&r, argv[1], &why) < 0 ||
	    previews_new(&pv, &cf, r, NULL, &why) < 0 ||
	    token_secret_load(&secret, NULL, argv[0], &why) < 0) {
		fprintf(stderr, "preview-url: %s\n", why);
		return 1;
	}
	token_keys_derive(&k, secret, strlen(secret));
	snprintf(l.tag, sizeof(l.tag), "%s", argv[2]);
	snprintf(l.commit, sizeof(l.commit), "%s", argv[3]);
	l.expires = (int64_t)time(NULL) + 3600;
	if (token_link_make(&token, &k, &l) < 0)
		return 2;
	v = previews_view(pv, token, argv[4], argv[5], argv[6]);
	f.path = argv[4];
	f.status = 'M';
	f.preview = previews_view_page(v);
	rv.tag = argv[2];
	rv.commit = argv[3];
	rv.files = &f;
	rv.nfiles = 1;
	rv.now = (int64_t)time(NULL);
	page_review(&b, &rv);
	fputs(b.s, stdout);
	buf_free(&b);
	previews_view_free(v);
	previews_free(pv);
	repo_free(r);
	free(token);
	free(secret);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct token_link l = { 0 };
	struct token_keys k;
	char *secret = NULL, *why = NULL, *token = NULL, *url, key[96];
	int expired = argc > 1 && strcmp(argv[1], "-x") == 0;

	if (argc == 9 && strcmp(argv[1], "-p") == 0)
		return page(argv + 2);
	if (argc == 2 && strcmp(argv[1], "-c") == 0) {
		fputs(style_css(NULL), stdout);
		return 0;
	}

	argv += expired;
	argc -= expired;
	if (argc != 7) {
		fprintf(stderr, "usage: preview-url [-x] STATE_DIR TAG COMMIT "
		    "OLD NEW NAME\n");
		return 2;
	}
	if (token_secret_load(&secret, NULL, argv[1], &why) < 0) {
		fprintf(stderr, "preview-url: %s\n", why);
		return 1;
	}
	token_keys_derive(&k, secret, strlen(secret));
	snprintf(l.tag, sizeof(l.tag), "%s", argv[2]);
	snprintf(l.commit, sizeof(l.commit), "%s", argv[3]);
	l.expires = (int64_t)time(NULL) + (expired ? -10 : 3600);
	if (token_link_make(&token, &k, &l) < 0) {
		fprintf(stderr, "preview-url: bad tag or commit\n");
		return 2;
	}
	snprintf(key, sizeof(key), "%.40s.%.40s", argv[4], argv[5]);
	url = previews_url_keys(&k, token, key, argv[6]);
	printf("%s\n", url);
	free(url);
	free(token);
	free(secret);
	return 0;
}
