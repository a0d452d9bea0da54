// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * test_outbox.c - unit tests of outbox.c's spare files: a delivered file
 * is kept and written again for the next delivery rather than removed and
 * a new one created, and neither a restart after kill -9 nor an empty
 * queue shows them: every delivery queued before is there, with its own
 * text, and an outbox with nothing to send is an empty folder.
 */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/outbox.h"
#include "unit.h"

static char *state;	/* a fresh state folder for each test */

static int
state_setup(void **st)
{
	const char *base = getenv("TMPDIR");

	state = xasprintf("%s/outbox.XXXXXX", base && *base ? base :
	    "/tmp");
	if (mkdtemp(state) == NULL)
		return -1;
	return 0;
}

static int
state_teardown(void **st)
{
	free(sh_ok("rm -rf '%s'", state));
	free(state);
	return 0;
}

/* The inode of the file name in the outbox, or 0 when there is none. */
static ino_t
inode_of(const char *name)
{
	char *path = xasprintf("%s/outbox/%s", state, name);
	struct stat st;
	ino_t ino = stat(path, &st) == 0 ? st.st_ino : 0;

	free(path);
	return ino;
}

/* The names in the outbox folder, dot files too, sorted, on one line. */
static char *
listing(void)
{
	return sh_ok("ls -A '%s/outbox' | tr '\\n' ' '", state);
}

static void
put(struct outbox *ob, const char *id, const char *body)
{
	assert_int_equal(outbox_put(ob, id, "slack:sales", "approve",
	    "print/q1@0123456789abcdef0123456789abcdef01234567", body,
	    strlen(body), 1000), 0);
}

static void
assert_body(struct outbox *ob, const char *id, const char *body)
{
	struct delivery *d = outbox_get(ob, id);

	assert_non_null(d);
	assert_int_equal(d->len, strlen(body));
	assert_memory_equal(d->body, body, d->len);
}

/*
 * A delivered file is written again for a new delivery once the folder
 * was fsynced after it was set aside; read back after a restart, each
 * delivery has its own text; the last one delivered leaves nothing.
 */
static void
test_spare_reused(void **st)
{
	struct outbox *ob = NULL;
	char *why = NULL, *ls;
	ino_t delivered;

	assert_int_equal(outbox_open(&ob, state, &why), 0);
	outbox_batch_begin(ob);
	put(ob, "a1", "first, a longer text than the next one\n");
	put(ob, "a2", "second\n");
	assert_int_equal(outbox_batch_end(ob), 0);
	delivered = inode_of("a1");
	assert_int_not_equal(delivered, 0);
	assert_int_equal(outbox_done(ob, "a1"), 0);
	assert_int_equal(inode_of("a1"), 0);
	/* set aside before the folder's fsync: not written into yet */
	outbox_batch_begin(ob);
	put(ob, "b1", "third\n");
	assert_int_equal(outbox_batch_end(ob), 0);
	assert_int_not_equal(inode_of("b1"), delivered);
	/* after it: the next delivery is that file, not a new one */
	outbox_batch_begin(ob);
	put(ob, "b2", "fourth\n");
	assert_int_equal(outbox_batch_end(ob), 0);
	assert_int_equal(inode_of("b2"), delivered);
	ls = listing();
	assert_string_equal(ls, "a2 b1 b2 ");
	free(ls);
	outbox_free(ob);

	/* read back: each its own text, the shorter one not padded */
	assert_int_equal(outbox_open(&ob, state, &why), 0);
	assert_int_equal(outbox_depth(ob), 3);
	assert_body(ob, "a2", "second\n");
	assert_body(ob, "b1", "third\n");
	assert_body(ob, "b2", "fourth\n");
	assert_int_equal(outbox_done(ob, "b2"), 0);
	assert_int_equal(outbox_done(ob, "a2"), 0);
	ls = listing();
	assert_true(strstr(ls, ".tmp-spare-") != NULL);
	free(ls);
	assert_int_equal(outbox_done(ob, "b1"), 0);
	ls = listing();
	assert_string_equal(ls, "");
	free(ls);
	outbox_free(ob);
}

/*
 * kill -9 while spare files are set aside and written into: at the
 * restart every delivery whose batch was on disk is there with its text,
 * and the spares are gone.
 */
static void
test_spare_killed(void **st)
{
	struct outbox *ob = NULL;
	char *why = NULL, *ls, id[16], body[32];
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (outbox_open(&ob, state, &why) < 0)
			_exit(2);
		for (int i = 0; i < 40; i++) {
			outbox_batch_begin(ob);
			snprintf(id, sizeof(id), "d%02d", i);
			snprintf(body, sizeof(body), "delivery %d\n", i);
			if (outbox_put(ob, id, "slack:sales", "approve",
			    "print/q1@0123456789abcdef0123456789abcdef0123"
			    "4567", body, strlen(body), 1000) != 0 ||
			    outbox_batch_end(ob) != 0)
				_exit(3);
			/* the odd ones delivered: their files set aside */
			if (i % 2 == 1 && outbox_done(ob, id) != 0)
				_exit(4);
		}
		/* one more half written: into a spare, never on disk */
		outbox_batch_begin(ob);
		outbox_put(ob, "late", "slack:sales", "approve", "print/q1@"
		    "0123456789abcdef0123456789abcdef01234567", "late\n", 5,
		    1000);
		kill(getpid(), SIGKILL);
		_exit(5);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(outbox_open(&ob, state, &why), 0);
	for (int i = 0; i < 40; i += 2) {
		snprintf(id, sizeof(id), "d%02d", i);
		snprintf(body, sizeof(body), "delivery %d\n", i);
		assert_body(ob, id, body);
		assert_int_equal(outbox_done(ob, id), 0);
	}
	/* what is left: the delivery being written, if it got its name */
	assert_true(outbox_depth(ob) <= 1);
	if (outbox_depth(ob) == 1) {
		assert_body(ob, "late", "late\n");
		assert_int_equal(outbox_done(ob, "late"), 0);
	}
	ls = listing();
	assert_string_equal(ls, "");
	free(ls);
	outbox_free(ob);
}

/* The text of the file path under the state folder. */
static char *
state_text(const char *path)
{
	return sh_ok("cat '%s/%s'", state, path);
}

/*
 * A delivered file with another name (a hard link: a copy made with
 * "cp -al", a link an operator made) is not written into for the next
 * delivery: the other name keeps the text it had, and its mode.
 */
static void
test_spare_hardlinked(void **st)
{
	struct outbox *ob = NULL;
	char *why = NULL, *text;

	assert_int_equal(outbox_open(&ob, state, &why), 0);
	put(ob, "a0", "waiting, so that spares are kept\n");
	put(ob, "a1", "first\n");
	free(sh_ok("ln '%s/outbox/a1' '%s/kept-a1'", state, state));
	assert_int_equal(outbox_done(ob, "a1"), 0);
	put(ob, "a2", "second\n");	/* the folder fsynced */
	put(ob, "a3", "third, another delivery's text\n");
	assert_body(ob, "a3", "third, another delivery's text\n");
	text = state_text("kept-a1");
	assert_string_equal(text + strlen(text) - strlen("first"), "first");
	assert_null(strstr(text, "third"));
	free(text);
	outbox_free(ob);
}

/*
 * A spare file that is not a regular file any more (a FIFO put in its
 * place) is not opened for writing: the delivery is written, not waited
 * on for ever.  The child's alarm only ends a write that never returns.
 */
static void
test_spare_fifo(void **st)
{
	struct outbox *ob = NULL;
	char *why = NULL;
	pid_t pid;
	int status;

	assert_int_equal(outbox_open(&ob, state, &why), 0);
	put(ob, "a0", "waiting, so that spares are kept\n");
	put(ob, "a1", "first\n");
	assert_int_equal(outbox_done(ob, "a1"), 0);
	put(ob, "a2", "second\n");	/* the folder fsynced */
	free(sh_ok("cd '%s/outbox' && for f in .tmp-spare-*; do rm \"$f\" && "
	    "mkfifo \"$f\"; done", state));
	fflush(NULL);
	if ((pid = fork()) == 0) {
		alarm(30);
		put(ob, "a3", "third\n");
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	outbox_free(ob);
	assert_int_equal(outbox_open(&ob, state, &why), 0);
	assert_body(ob, "a3", "third\n");
	outbox_free(ob);
}

/*
 * The deliveries due are handed out by id: taking one out of the outbox
 * (delivered, or dropped as out of date) moves the ones after it in the
 * outbox's array, and each id still names its own delivery.
 */
static void
test_due_ids(void **st)
{
	struct outbox *ob = NULL;
	char due[4][OUTBOX_ID_SIZE], *why = NULL;

	assert_int_equal(outbox_open(&ob, state, &why), 0);
	put(ob, "a1", "first\n");
	put(ob, "b2", "second\n");
	put(ob, "c3", "third\n");
	assert_int_equal(outbox_put_at(ob, "d4", "slack:sales", "approve",
	    "print/q1@0123456789abcdef0123456789abcdef01234567", "later\n",
	    6, 1000, 60000), 0);
	assert_int_equal(outbox_due(ob, 1000, due, 4), 3);
	assert_string_equal(due[0], "a1");
	assert_string_equal(due[1], "b2");
	assert_string_equal(due[2], "c3");
	assert_int_equal(outbox_due(ob, 1000, due, 2), 2);
	assert_int_equal(outbox_due(ob, 1000, due, 4), 3);
	/* the first taken out: the others are still theirs */
	assert_int_equal(outbox_done(ob, due[0]), 0);
	assert_null(outbox_get(ob, due[0]));
	assert_body(ob, due[1], "second\n");
	assert_body(ob, due[2], "third\n");
	assert_int_equal(outbox_done(ob, due[1]), 0);
	assert_body(ob, due[2], "third\n");
	/* the later one, once it is due */
	assert_int_equal(outbox_due(ob, 60000, due, 4), 2);
	assert_string_equal(due[0], "c3");
	assert_string_equal(due[1], "d4");
	outbox_free(ob);
}

int
main(void)
{
	add_test("outbox: a delivered file is written again for the next",
	    test_spare_reused, NULL);
	add_test("outbox: kill -9 among spare files loses nothing, keeps none",
	    test_spare_killed, NULL);
	add_test("outbox: a delivered file with another name is not rewritten",
	    test_spare_hardlinked, NULL);
	add_test("outbox: a spare that became a FIFO is not waited on",
	    test_spare_fifo, NULL);
	add_test("outbox: the deliveries due handed out by id, each its own",
	    test_due_ids, NULL);
	for (size_t i = 0; i < ntests; i++) {
		tests[i].setup_func = state_setup;
		tests[i].teardown_func = state_teardown;
	}
	return _cmocka_run_group_tests("outbox", tests, ntests, NULL, NULL) ?
	    1 : 0;
}
