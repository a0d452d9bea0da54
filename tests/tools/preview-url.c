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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "printgated/previews.h"
#include "web/token.h"

int
main(int argc, char *argv[])
{
	struct token_link l = { 0 };
	struct token_keys k;
	char *secret = NULL, *why = NULL, *token = NULL, *url, key[96];
	int expired = argc > 1 && strcmp(argv[1], "-x") == 0;

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
