/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * printgate-update - the git update hook.  git runs it once per ref of a
 * push, as "update REFNAME OLDREV NEWREV", with GIT_DIR set; what it prints
 * on stderr reaches the pusher as "remote:" lines, and a non-zero exit
 * refuses that ref alone.  printgatectl install-hook copies it to
 * hooks/update and writes its settings beside it, in hooks/update.printgate
 * (the installed program, the config, the gate socket): git then starts
 * this program itself, with no shell line in front of it (a shell costs
 * a push as much again as the rest of the hook).  A copy rather than a
 * link: a link dangles once printgate is uninstalled, and git skips a
 * hook it cannot run, which would let every push through; the copy still
 * runs and refuses, saying what to do.  Run with -c and -s (as the hook
 * scripts of earlier installs do), it reads no settings file.
 *
 * The warm path: it hands the push to printgated on the gate socket
 * (wire.h) and prints the answer.  It links libc only, so that a push
 * costs little more than git's own plumbing: no libgit2, no libconfig, no
 * config file read.  The config's pusher_env comes in printgated's
 * greeting, the socket's path on the command line (install-hook writes it
 * into the hook script), because reading libconfig's grammar without
 * libconfig would not be reading the config.
 *
 * The fallback: when the socket is absent, refuses, takes longer than
 * WIRE_TIMEOUT_MS, or answers anything but a well-formed decision, it
 * execs printgate-update-local (beside it) with the same arguments, which
 * decides with the same gate code itself.  Nothing is printed on the way,
 * so that both paths read alike; the reason goes to syslog.
 *
 * A printgated too slow for the hook may still decide the request it
 * read, after the hook fell back and decided too.  So the hook makes the
 * id of the ledger event this push writes, sends it and hands it to the
 * fallback (-e): whichever path writes second finds that id in the note
 * and writes nothing, and the push has one released (or request) line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hooks/wire.h"

#define LOCAL_PROGRAM "printgate-update-local"
#define SETTINGS_SUFFIX ".printgate"	/* hooks/update.printgate */
#define SETTINGS_MAX 4096

/*
 * What printgatectl and make uninstall look for to tell printgate's hook
 * from another (a line of its own, as in the hook scripts of earlier
 * installs), kept in the binary even though nothing reads it here.
 */
__attribute__((used)) static const char hook_marker[] =
    "\n# printgate update hook\n";

struct hook {
	const char *config;	/* -c, or NULL */
	const char *socket;	/* -s, or NULL: no warm path */
	const char *program;	/* the settings' program, or NULL */
	char local[PATH_MAX];	/* the fallback's path, or "": beside us */
	const char *ref, *old, *new;
	char event[WIRE_EVENT_HEX + 1];	/* the ledger event's id, or "" */
	char reason[300];	/* why it falls back */
	bool absent;		/* no socket there: printgated not set up */
};

static void
usage(void)
{
	fprintf(stderr, "usage: printgate-update [-c config] [-s socket] "
	    "refname oldrev newrev\n");
	exit(2);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline; 0, or -ETIMEDOUT. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Reads exactly len bytes by deadline; 0, -EPIPE at EOF, or -errno. */
static int
read_all(int fd, char *buf, size_t len, long long deadline)
{
	size_t got = 0;
	int error;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if ((error = wait_fd(fd, POLLIN, deadline)) < 0)
			return error;
	}
	return 0;
}

/* One frame into buf (WIRE_MAX bytes); its length in *len. */
static int
read_frame(int fd, char *buf, size_t *len, long long deadline)
{
	unsigned char hdr[4];
	long n;
	int error;

	if ((error = read_all(fd, (char *)hdr, 4, deadline)) < 0)
		return error;
	if ((n = wire_length(hdr)) < 0)
		return -EPROTO;
	if ((error = read_all(fd, buf, (size_t)n, deadline)) < 0)
		return error;
	*len = (size_t)n;
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len, long long deadline)
{
	size_t done = 0;
	int error;

	while (done < len) {
		ssize_t n = send(fd, buf + done, len - done, MSG_NOSIGNAL);

		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		if ((error = wait_fd(fd, POLLOUT, deadline)) < 0)
			return error;
	}
	return 0;
}

/* Copies s into a field of cap bytes; false when it does not fit. */
static bool
copy(char *dst, size_t cap, const char *s)
{
	if (s == NULL)
		s = "";
	if (strlen(s) >= cap)
		return false;
	memcpy(dst, s, strlen(s) + 1);
	return true;
}

/*
 * The request for this push: the absolute config and repository, the
 * ref, the pusher from the first of the greeting's variables that is set,
 * and git's quarantine environment.  0, or -EINVAL with h->reason set.
 */
static int
build_request(struct hook *h, const struct wire_greeting *g,
    struct wire_request *rq)
{
	const char *gitdir = getenv("GIT_DIR");
	char abs[PATH_MAX];

	memset(rq, 0, sizeof(*rq));
	if (h->config == NULL || realpath(h->config, abs) == NULL ||
	    !copy(rq->config, sizeof(rq->config), abs)) {
		snprintf(h->reason, sizeof(h->reason), "no config path to send");
		return -EINVAL;
	}
	if (gitdir == NULL || *gitdir == '\0')
		gitdir = ".";
	if (realpath(gitdir, abs) == NULL ||
	    !copy(rq->gitdir, sizeof(rq->gitdir), abs)) {
		snprintf(h->reason, sizeof(h->reason), "cannot resolve GIT_DIR");
		return -EINVAL;
	}
	for (size_t i = 0; i < g->nvars; i++) {
		const char *v = getenv(g->vars[i]);

		if (v == NULL || *v == '\0')
			continue;
		if (!copy(rq->pusher_var, sizeof(rq->pusher_var), g->vars[i]) ||
		    !copy(rq->pusher, sizeof(rq->pusher), v)) {
			snprintf(h->reason, sizeof(h->reason), "pusher too long");
			return -EINVAL;
		}
		break;
	}
	if (!copy(rq->ref, sizeof(rq->ref), h->ref) ||
	    !copy(rq->old, sizeof(rq->old), h->old) ||
	    !copy(rq->new, sizeof(rq->new), h->new) ||
	    !copy(rq->quarantine, sizeof(rq->quarantine),
	    getenv("GIT_QUARANTINE_PATH")) ||
	    !copy(rq->objects, sizeof(rq->objects),
	    getenv("GIT_OBJECT_DIRECTORY")) ||
	    !copy(rq->alternates, sizeof(rq->alternates),
	    getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES")) ||
	    !copy(rq->event, sizeof(rq->event), h->event)) {
		snprintf(h->reason, sizeof(h->reason), "an argument is too long");
		return -EINVAL;
	}
	return 0;
}

static int
connect_gate(struct hook *h)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(h->socket) >= sizeof(sa.sun_path)) {
		snprintf(h->reason, sizeof(h->reason), "socket path too long");
		return -1;
	}
	memcpy(sa.sun_path, h->socket, strlen(h->socket) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		h->absent = errno == ENOENT;
		snprintf(h->reason, sizeof(h->reason), "connect %s: %s",
		    h->socket, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * The warm path: 0 or 1, printgated's decision, with its message printed;
 * -1 to fall back, with h->reason set.
 */
static int
warm(struct hook *h)
{
	static char buf[WIRE_MAX + 4];
	long long deadline = now_ms() + WIRE_TIMEOUT_MS;
	struct wire_greeting g;
	struct wire_request rq;
	struct wire_answer a;
	size_t len;
	long n;
	int fd, error, rc = -1;

	if ((fd = connect_gate(h)) == -1)
		return -1;
	if ((error = read_frame(fd, buf, &len, deadline)) < 0 ||
	    wire_greeting_parse(&g, buf, len) < 0) {
		snprintf(h->reason, sizeof(h->reason), "greeting: %s",
		    error < 0 ? strerror(-error) : "not the gate's");
		goto done;
	}
	if (build_request(h, &g, &rq) < 0)
		goto done;
	if ((n = wire_request_encode(buf + 4, WIRE_MAX, &rq)) < 0) {
		snprintf(h->reason, sizeof(h->reason), "a field is not valid");
		goto done;
	}
	wire_header((unsigned char *)buf, (size_t)n);
	if ((error = write_all(fd, buf, (size_t)n + 4, deadline)) < 0 ||
	    (error = read_frame(fd, buf, &len, deadline)) < 0) {
		snprintf(h->reason, sizeof(h->reason), "request: %s",
		    strerror(-error));
		goto done;
	}
	if (wire_answer_parse(&a, buf, len) < 0) {
		snprintf(h->reason, sizeof(h->reason), "the answer is not "
		    "the gate's");
		goto done;
	}
	if (a.exit < 0) {
		snprintf(h->reason, sizeof(h->reason), "printgated: %s",
		    a.reason);
		goto done;
	}
	fwrite(a.msg, 1, a.msglen, stderr);
	rc = a.exit;
done:
	close(fd);
	return rc;
}

/* Refuses the ref, saying why on stderr (the pusher's "remote:" lines). */
__attribute__((format(printf, 2, 3), noreturn)) static void
refuse(const struct hook *h, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "printgate: refusing %s: ", h->ref);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Reads the regular file at path, at most cap - 1 bytes; its length or -errno. */
static ssize_t
read_small(const char *path, char *buf, size_t cap)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1)
		return -errno;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while ((n = read(fd, buf + got, cap - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (got += (size_t)n) >= cap) {
			n = n < 0 ? -errno : -EFBIG;
			close(fd);
			return n;
		}
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Sets *slot to the value of one settings line; false when set twice or not a path. */
static bool
setting(const char **slot, const char *value)
{
	if (*slot != NULL || value[0] != '/')
		return false;
	*slot = value;
	return true;
}

/*
 * The settings install-hook wrote beside this program (self, its path):
 * "program", "config" and "socket" lines, each a key, one space and an
 * absolute path; '#' lines are comments.  false, with a line number in
 * *bad (0: a line is missing), when they are not that.
 */
static bool
parse_settings(struct hook *h, char *text, unsigned *bad)
{
	const char *socket = NULL;
	unsigned line = 0;

	for (char *p = text, *nl; *p; p = nl + 1) {
		char *value;
		bool ok;

		line++;
		if ((nl = strchr(p, '\n')) == NULL) {
			*bad = line;	/* no newline: cut short */
			return false;
		}
		*nl = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		if ((value = strchr(p, ' ')) == NULL) {
			*bad = line;
			return false;
		}
		*value++ = '\0';
		if (strcmp(p, "program") == 0)
			ok = setting(&h->program, value);
		else if (strcmp(p, "config") == 0)
			ok = setting(&h->config, value);
		else if (strcmp(p, "socket") == 0)
			ok = setting(&socket, value);
		else
			ok = false;
		if (!ok) {
			*bad = line;
			return false;
		}
	}
	h->socket = socket;
	*bad = 0;
	return h->program != NULL && h->config != NULL;
}

/*
 * Run as hooks/update, a copy of this program: its settings from beside
 * it, and printgate-update-local beside the installed program.  Nothing
 * to do for printgate-update itself run with no options (no settings
 * beside it); anything else wrong refuses the ref, saying what to do.
 */
static void
read_settings(struct hook *h)
{
	static char text[SETTINGS_MAX];
	char self[PATH_MAX], path[PATH_MAX + sizeof(SETTINGS_SUFFIX)];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *base, *slash;
	unsigned bad;

	if (n <= 0)
		refuse(h, "cannot find its settings: /proc/self/exe: %s",
		    strerror(errno));
	self[n] = '\0';
	base = strrchr(self, '/') ? strrchr(self, '/') + 1 : self;
	snprintf(path, sizeof(path), "%s" SETTINGS_SUFFIX, self);
	if ((n = read_small(path, text, sizeof(text))) == -ENOENT &&
	    strcmp(base, "update") != 0)
		return;
	if (n < 0)
		refuse(h, "cannot read the hook's settings %s: %s; an "
		    "administrator can write them again with printgatectl "
		    "install-hook", path, n == -EINVAL ? "not a regular file" :
		    n == -EFBIG ? "too long" : strerror((int)-n));
	if (!parse_settings(h, text, &bad)) {
		if (bad)
			refuse(h, "the hook's settings %s: line %u is not "
			    "\"program|config|socket /absolute/path\"; an "
			    "administrator can write them again with "
			    "printgatectl install-hook", path, bad);
		refuse(h, "the hook's settings %s name no program or no "
		    "config; an administrator can write them again with "
		    "printgatectl install-hook", path);
	}
	slash = strrchr(h->program, '/');
	if (snprintf(h->local, sizeof(h->local), "%.*s/%s",
	    (int)(slash - h->program), h->program, LOCAL_PROGRAM) >=
	    (int)sizeof(h->local))
		refuse(h, "the path of %s is too long", LOCAL_PROGRAM);
	/* printgate uninstalled: say so rather than "cannot run" */
	if (access(h->local, X_OK) != 0 && access(h->program, F_OK) != 0) {
		fprintf(stderr, "printgate: this repository's update hook "
		    "runs \"%s\", which is not installed: every push is "
		    "refused until an administrator reinstalls printgate or "
		    "removes the hook (printgatectl uninstall-hook, or delete "
		    "\"%s\" and \"%s\")\n", h->program, self, path);
		exit(1);
	}
}

/*
 * The push's event id, 16 random bytes in hex like util_random_id()'s;
 * left empty when the kernel gives none (each path then makes its own).
 */
static void
make_event(struct hook *h)
{
	unsigned char raw[WIRE_EVENT_HEX / 2];

	h->event[0] = '\0';
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(h->event + 2 * i, 3, "%02x", raw[i]);
}

/*
 * printgate-update-local, with the same arguments: the settings' one, or
 * the one beside this program.
 */
static void
fallback(struct hook *h)
{
	char self[PATH_MAX], *slash, *argv[9];
	ssize_t n;
	size_t i = 0, room;

	if (h->local[0]) {
		memcpy(self, h->local, sizeof(self));
		goto run;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (slash = memrchr(self, '/', (size_t)n)) == NULL) {
		fprintf(stderr, "printgate: refusing %s: cannot find %s: "
		    "/proc/self/exe: %s\n", h->ref, LOCAL_PROGRAM,
		    strerror(errno));
		exit(1);
	}
	room = sizeof(self) - (size_t)(slash + 1 - self);
	if (snprintf(slash + 1, room, "%s", LOCAL_PROGRAM) >= (int)room) {
		fprintf(stderr, "printgate: refusing %s: the path of %s is too "
		    "long\n", h->ref, LOCAL_PROGRAM);
		exit(1);
	}
run:
	argv[i++] = self;
	if (h->config) {
		argv[i++] = "-c";
		argv[i++] = (char *)h->config;
	}
	if (h->event[0]) {
		argv[i++] = "-e";
		argv[i++] = h->event;
	}
	argv[i++] = (char *)h->ref;
	argv[i++] = (char *)h->old;
	argv[i++] = (char *)h->new;
	argv[i] = NULL;
	execv(self, argv);
	fprintf(stderr, "printgate: refusing %s: cannot run %s: %s\n", h->ref,
	    self, strerror(errno));
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct hook h = { 0 };
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:s:")) != -1) {
		switch (ch) {
		case 'c':
			h.config = optarg;
			break;
		case 's':
			h.socket = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		usage();
	h.ref = argv[0];
	h.old = argv[1];
	h.new = argv[2];
	if (optind == 1)
		read_settings(&h);
	make_event(&h);
	if (h.socket && *h.socket) {
		if ((rc = warm(&h)) >= 0)
			return rc;
		openlog("printgate-update", LOG_PID, LOG_USER);
		syslog(h.absent ? LOG_INFO : LOG_WARNING,
		    "%s: warm path unavailable (%s), deciding here", h.ref,
		    h.reason);
		closelog();
	}
	fallback(&h);
	return 1;
}
