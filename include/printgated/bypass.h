/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bypass.h - what came around the gate: print tags without a released
 * event for exactly their object, and replace refs.  Each is recorded as
 * a violation once (and a print tag quarantined when so configured);
 * what was checked and found right is remembered, so that a scan reads
 * only what is new.
 */
#ifndef PRINTGATE_BYPASS_H
#define PRINTGATE_BYPASS_H

#include "printgated/scan.h"

struct bypass;

struct bypass *bypass_new(void);
/* bypass_free(NULL) does nothing. */
void bypass_free(struct bypass *b);
/* Forgets what was checked (a new configuration may judge otherwise). */
void bypass_forget(struct bypass *b);

/*
 * Every print tag must have a released event for exactly its object: the
 * hook and the daemon write it before the tag exists.  One without is a
 * violation: recorded once, and quarantined when so configured.
 */
void bypass_tags(struct bypass *b, struct scan *s);
/*
 * A replace ref makes git serve other content for an object: each one is
 * recorded as a violation on the replaced object, once.
 */
void bypass_replace_refs(struct bypass *b, struct scan *s);

#endif
