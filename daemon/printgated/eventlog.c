/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * eventlog.c - the ledger as an event log (see eventlog.h).  The state
 * file holds one line, the last notes commit handled or "none"; it is
 * written with util_write_atomic() and read never through a link.
 */
#include "printgated/eventlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "printgated/engine.h"

struct eventlog {
	int statefd;		/* state_dir, checked */
	char *state_file;	/* for messages */
	char last[OID_HEX];	/* the last notes commit handled, or "" */
	bool have_state;
};

int
eventlog_open(struct eventlog **out, const char *state_dir, char **why)
{
	struct eventlog *el = xcalloc(1, sizeof(*el));
	int error;

	if ((error = util_state_dir_open(&el->statefd, state_dir,
	    UTIL_DIR_CREATE, NULL, why)) < 0) {
		free(el);
		return error;
	}
	el->state_file = xasprintf("%s/%s", state_dir, ENGINE_STATE_FILE);
	*out = el;
	return 0;
}

void
eventlog_free(struct eventlog *el)
{
	if (el == NULL)
		return;
	close(el->statefd);
	free(el->state_file);
	free(el);
}

/*
 * Opens the state file into *f (NULL when it is missing: a first start);
 * a link, a folder or a FIFO there is an error with *why.
 */
static int
state_open(struct eventlog *el, FILE **f, char **why)
{
	struct stat st = { 0 };
	int fd, error;

	*f = NULL;
	fd = openat(el->statefd, ENGINE_STATE_FILE, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 && errno != ENOENT) {
		error = -errno;
		*why = xasprintf("cannot read '%s': %s", el->state_file,
		    error == -ELOOP ? "it is a symbolic link, which printgate "
		    "does not follow: remove it" : strerror(-error));
		return error;
	}
	/* a folder or a FIFO there is no first start: refuse it */
	if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))) {
		error = st.st_mode == 0 ? -errno : -EINVAL;
		*why = xasprintf("cannot read '%s': %s", el->state_file,
		    error == -EINVAL ? "it is not a regular file: remove it "
		    "(printgated then starts the event log afresh)" :
		    strerror(-error));
		close(fd);
		return error;
	}
	if (fd != -1 && (*f = fdopen(fd, "r")) == NULL)
		close(fd);
	return 0;
}

int
eventlog_load(struct eventlog *el, char **why)
{
	char line[128];
	FILE *f;
	int error;

	if ((error = state_open(el, &f, why)) < 0 || f == NULL)
		return error;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) == OID_HEX - 1) {
			memcpy(el->last, line, OID_HEX);
			el->have_state = true;
		} else if (strcmp(line, "none") == 0)
			el->have_state = true;
	}
	if (ferror(f)) {
		*why = xasprintf("cannot read '%s': %s", el->state_file,
		    strerror(errno));
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

/* Writes the last handled notes commit (util_write_atomic()). */
static int
eventlog_save(struct eventlog *el)
{
	char *text = xasprintf("%s\n", el->last[0] ? el->last : "none");
	int error;

	error = util_write_atomic(el->statefd, ENGINE_STATE_FILE, text,
	    strlen(text), 0600, (uid_t)-1, (gid_t)-1);
	if (error < 0)
		log_warnx("save state '%s': %s, will handle the same events "
		    "again after a restart", el->state_file, strerror(-error));
	free(text);
	return error;
}

int
eventlog_check(const struct eventlog *el, struct repo *r,
    const char *repository)
{
	char head[OID_HEX];
	int error = repo_notes_head(r, LEDGER_REF, head);

	if ((error == -ENOENT && el->have_state && el->last[0]) ||
	    (error < 0 && error != -ENOENT)) {
		log_warnx("read '%s' in '%s': %s; doing nothing until it is "
		    "repaired (the last one handled was %s)", LEDGER_REF,
		    repository, error == -ENOENT ? "it has vanished (or the "
		    "repository has)" : repo_strerror(), el->last[0] ?
		    el->last : "none");
		return -1;
	}
	return 0;
}

void
eventlog_read(struct eventlog *el, struct repo *r, ledger_event_cb cb,
    void *ctx)
{
	char head[OID_HEX] = "";
	bool rewritten = false;
	int error;

	error = repo_notes_head(r, LEDGER_REF, head);
	if (error < 0 && error != -ENOENT) {
		log_warnx("read '%s': %s, will retry", LEDGER_REF,
		    repo_strerror());
		return;
	}
	if (!el->have_state) {
		/* First start: what is in the ledger already is history. */
		memcpy(el->last, head, OID_HEX);
		el->have_state = true;
		log_info("start the event log at '%s' %s", LEDGER_REF,
		    head[0] ? head : "(empty)");
		eventlog_save(el);
		return;
	}
	if (strcmp(head, el->last) == 0 || head[0] == '\0')
		return;
	error = ledger_since(r, el->last[0] ? el->last : NULL, head, cb, ctx,
	    &rewritten);
	if (rewritten)
		log_warnx("read '%s': %s is not in its history any more (the "
		    "ref was rewritten); handled its whole history again",
		    LEDGER_REF, el->last);
	if (error < 0) {
		log_warnx("handle ledger events up to %s: %s, will retry",
		    head, strerror(-error));
		return;
	}
	memcpy(el->last, head, OID_HEX);
	eventlog_save(el);
}
