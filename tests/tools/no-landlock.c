/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * no-landlock.c - runs a program as on a kernel without Landlock, for the
 * tests of the renderer's answer there:
 *
 *   no-landlock enosys|eopnotsupp PROGRAM [ARG...]
 *
 * A seccomp filter makes the three Landlock system calls fail with ENOSYS
 * (a kernel built without it) or EOPNOTSUPP (built in, off at boot), and
 * lets every other call through; then PROGRAM is executed with the
 * filter in force.  Exit 2 for bad arguments, 1 when the filter cannot be
 * installed or PROGRAM run.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int err, error = 0;

	if (argc < 3 || (strcmp(argv[1], "enosys") != 0 &&
	    strcmp(argv[1], "eopnotsupp") != 0)) {
		fprintf(stderr, "usage: no-landlock enosys|eopnotsupp "
		    "PROGRAM [ARG...]\n");
		return 2;
	}
	err = strcmp(argv[1], "enosys") == 0 ? ENOSYS : EOPNOTSUPP;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		fprintf(stderr, "no-landlock: seccomp_init failed\n");
		return 1;
	}
	if ((error = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err),
	    SCMP_SYS(landlock_create_ruleset), 0)) == 0 &&
	    (error = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err),
	    SCMP_SYS(landlock_add_rule), 0)) == 0 &&
	    (error = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err),
	    SCMP_SYS(landlock_restrict_self), 0)) == 0 &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		error = -errno;
	if (error == 0)
		error = seccomp_load(ctx);
	seccomp_release(ctx);
	if (error < 0) {
		fprintf(stderr, "no-landlock: cannot install the filter: %s\n",
		    strerror(-error));
		return 1;
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "no-landlock: cannot run '%s': %s\n", argv[2],
	    strerror(errno));
	return 1;
}
