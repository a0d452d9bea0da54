/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pending.h - the reviews that wait under refs/printgate/pending/: an
 * approved one is released from its kept tag object (with auto_release),
 * the others are reminded and escalated when their time comes.
 */
#ifndef PRINTGATE_PENDING_H
#define PRINTGATE_PENDING_H

#include <stdint.h>

#include "printgated/scan.h"

/*
 * Goes through every waiting review once: releases, reminds, escalates,
 * and counts the open ones (s->st->open_reviews).  Everything is written
 * to the ledger before it is done.  Returns the unix time in ms of the
 * next reminder or escalation due, or -1.
 */
int64_t pending_scan(struct scan *s);

#endif
