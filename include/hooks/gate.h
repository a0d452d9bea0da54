/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate.h - the update hook's decision on one ref of a push.
 */
#ifndef PRINTGATE_GATE_H
#define PRINTGATE_GATE_H

/* Room for a tag object's header lines beyond its message. */
#define GATE_TAG_HEADER_MAX 8192

/* How long the hook waits for its turn to write the ledger. */
#define GATE_LEDGER_TIMEOUT_MS 10000

/*
 * Decides whether refname may move from oldrev to newrev in the repository
 * at gitdir, by the rules of the config at config_path.  Returns 0 to let
 * the ref update through, 1 to refuse it; *msg (the caller frees it, may
 * be NULL) is what the pusher should read.  Any error refuses a print tag
 * (fails closed); refs outside the config's allow_refs are refused (their
 * deletion passes), and other refs that are neither print tags nor
 * printgate's own pass without the repository being opened.
 */
int gate_update(const char *config_path, const char *gitdir,
    const char *refname, const char *oldrev, const char *newrev,
    char **msg);

#endif
