/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * deliver.h - from a ledger event to the outbox: the notice (what a
 * message says, as plain data, chat/notice.h) built from the review, then
 * formatted by each target's platform row (chat/platform.h) and queued,
 * one delivery a channel or, for a platform that delivers to each person,
 * one a person asked.  At send time, the URL and the signing headers of a
 * queued delivery.
 */
#ifndef PRINTGATE_DELIVER_H
#define PRINTGATE_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/notice.h"
#include "core/config.h"
#include "core/ledger.h"
#include "core/outbox.h"
#include "core/policy.h"
#include "printgated/notify.h"

struct deliver;

/*
 * Reads the secrets the platforms' buttons are made with (a row with
 * buttons and its http secret configured).  cf and ob stay the caller's.
 * On failure sets *why.
 */
int deliver_new(struct deliver **out, const struct config *cf,
    struct outbox *ob, char **why);
/* deliver_free(NULL) does nothing; the secrets are wiped. */
void deliver_free(struct deliver *dl);
/* Takes a new configuration; on failure keeps the old one and sets *why. */
int deliver_set_config(struct deliver *dl, const struct config *cf,
    char **why);

/*
 * Queues the notice of kind about ev and review rv to every target that
 * wants ev's type, first sent at due_ms (now_ms or later).  Delivery ids
 * come from the event, the target, the kind (and the person), so that
 * queueing again after a restart adds nothing.  0, or the outbox's
 * negative code (logged).
 */
int deliver_queue(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv, int64_t now_ms,
    int64_t due_ms);
/*
 * Formats that notice again (with what the previews say now) and puts
 * it in place of each of its deliveries that waits untried, due now;
 * adds none that is gone (sent, or given up).  0, or a negative code.
 */
int deliver_update(struct deliver *dl, const struct ledger_event *ev,
    enum notice_kind kind, const struct review *rv, int64_t now_ms);
/* Whether a target is told of events of type. */
bool deliver_wants(const struct deliver *dl, enum ledger_type type);
/*
 * The repository the notices' summaries of changes read the files from
 * (borrowed; NULL: no summaries).
 */
struct repo;
void deliver_set_repo(struct deliver *dl, struct repo *r);
/* The previews the request's summaries read (borrowed; NULL: none). */
struct previews;
void deliver_set_previews(struct deliver *dl, struct previews *pv);

/*
 * The message of kind about review rv as it stands, in the format of
 * platform (an index in the config's platforms), for updating a message
 * posted earlier; the caller frees it.
 */
char *deliver_render(struct deliver *dl, enum notice_kind kind,
    const struct review *rv, size_t platform, int64_t now_ms);

/*
 * The URL (*url) and headers (headers[], *nheaders, at most
 * NOTIFY_MAX_HEADERS) of queued delivery d at now_ms: the target's URL
 * (or its url_file's), its delivery id and, for a signing platform, the
 * signature made with the target's secret_file.  A response_url from a
 * verified request gets no secret.  The caller frees them; on failure
 * none are set and *why names the file and the fault, never a secret.
 */
int deliver_request(const struct config *cf, const struct delivery *d,
    int64_t now_ms, char **url, char **headers, size_t *nheaders,
    struct notify_mail *mail, char **why);

#endif
