/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printgate-update-local - the update hook's own decision, the fallback of
 * the warm path: printgate-update (update.c) runs it when printgated does
 * not answer on the gate socket.  It takes the same arguments, "[-c
 * config] [-e event] REFNAME OLDREV NEWREV" with GIT_DIR set (-e: the
 * id of the ledger event to write, the one printgate-update also sent
 * printgated; see update.c); what it prints on
 * stderr reaches the pusher as "remote:" lines, and a non-zero exit
 * refuses that ref alone.  It loads the config and libgit2 and decides
 * with gate.c, as printgated does on the warm path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "hooks/gate.h"
#include "hooks/wire.h"
#include "core/log.h"

/*
 * Debian's libgit2 is built with mbedTLS, and git_libgit2_init() parses the
 * system's whole CA bundle for HTTPS remotes: 53 million instructions, half
 * of what the hook spends on a typical print tag (bench/).  The hook never
 * talks to a remote, so it defines the function libgit2 calls for that and
 * loads no certificate; the dynamic linker binds libgit2's call to this
 * definition.  With a libgit2 built on OpenSSL it is simply never called.
 */
struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain,
    const char *path);

int
mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	(void)chain;
	(void)path;
	return -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: printgate-update-local [-c config] [-e event] "
	    "refname oldrev newrev\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *config = CONFIG_DEFAULT_PATH, *gitdir, *event = NULL;
	char *msg = NULL;
	int ch, rc;

	log_init("printgate", false);
	while ((ch = getopt(argc, argv, "c:e:")) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'e':
			if (wire_check_event(optarg) < 0) {
				fprintf(stderr, "printgate-update-local: -e "
				    "'%s': an event id is 32 lowercase hex "
				    "digits\n", optarg);
				exit(2);
			}
			event = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	gitdir = getenv("GIT_DIR");
	if (gitdir == NULL || *gitdir == '\0')
		gitdir = ".";
	rc = gate_update(config, gitdir, argv[0], argv[1], argv[2], event,
	    &msg);
	if (msg)
		fputs(msg, stderr);
	free(msg);
	return rc == 0 ? 0 : 1;
}
