/*
 * printgated - the printgate daemon.  This version validates its
 * configuration (-t); watching the repository, chat delivery and the HTTP
 * listener are not in it yet (see README.md, "Status").
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

static void
usage(void)
{
	fprintf(stderr, "usage: printgated [-t] [-v] [-c config]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *path = CONFIG_DEFAULT_PATH;
	struct config *cf = NULL;
	char *errors = NULL;
	bool test = false, verbose = false;
	int ch;

	while ((ch = getopt(argc, argv, "c:tv")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("printgated", verbose);
	if (config_load(&cf, path, CONFIG_CHECK_SECRETS, &errors) < 0) {
		fputs(errors ? errors : "invalid configuration\n", stderr);
		free(errors);
		return 2;
	}
	if (test) {
		printf("%s: configuration OK\n", cf->path);
		config_free(cf);
		return 0;
	}
	config_free(cf);
	fatalx("the watch loop is not part of this version yet; only -t "
	    "works");
}
