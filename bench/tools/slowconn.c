/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * slowconn.c - holds connections open to an HTTP server the slow way, for
 * bench/listener.sh: each sends the start of a request and then one more
 * byte of an unfinished header line every few seconds, so that a server
 * whose timeout only counts idle time keeps it, until this program is
 * stopped.  A connection the server closes (or answers) is counted and
 * opened again at the next tick, so the pressure stays at N.
 *
 *	slowconn [-n N] [-i SECONDS] [-s STATUS_FILE] HOST PORT
 *
 * -n is the number of connections (default 500), -i the seconds between
 * two bytes on a connection (default 3; printgated forgets a connection
 * idle for 10 s).  STATUS_FILE, rewritten (whole, by rename) after every
 * tick, has lines "open N" (connections held now), "dropped N" (closed by
 * the server so far), "failed N" (connects that failed so far) and "bytes
 * N" (header bytes sent so far).  SIGTERM or SIGINT stops it; the totals
 * go to stderr.
 *
 * A benchmark tool, standalone: C11 and the C library only.
 */
/* getaddrinfo, SOCK_CLOEXEC and MSG_NOSIGNAL beyond plain C11 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define CONN_MAX 20000

struct slow {
	struct addrinfo *addr;
	const char *host;
	const char *status;
	struct pollfd *fds;	/* fd -1: to be opened */
	int n;
	int interval_ms;
	unsigned long dropped;
	unsigned long failed;
	unsigned long long bytes;
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: slowconn [-n N] [-i SECONDS] "
	    "[-s STATUS_FILE] HOST PORT\n");
	exit(2);
}

static void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("slowconn: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static long
number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		fatal("%s must be a number from %ld to %ld: '%s'", what, min,
		    max, s);
	return v;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends all of buf, or fails: -1 with errno. */
static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Opens connection i and sends the request line, a Host header and the
 * start of one more header line.  Leaves fds[i].fd at -1 on failure.
 */
static void
slow_open(struct slow *s, int i)
{
	char head[512];
	int fd, len;

	s->fds[i].fd = -1;
	fd = socket(s->addr->ai_family, s->addr->ai_socktype | SOCK_CLOEXEC,
	    s->addr->ai_protocol);
	if (fd < 0) {
		s->failed++;
		return;
	}
	if (connect(fd, s->addr->ai_addr, s->addr->ai_addrlen) < 0) {
		close(fd);
		s->failed++;
		return;
	}
	len = snprintf(head, sizeof(head), "POST /slack/actions HTTP/1.1\r\n"
	    "Host: %s\r\nX-Slow: ", s->host);
	if (len < 0 || (size_t)len >= sizeof(head) ||
	    send_all(fd, head, (size_t)len) < 0) {
		close(fd);
		s->failed++;
		return;
	}
	s->bytes += (unsigned long long)len;
	s->fds[i].fd = fd;
	s->fds[i].events = POLLIN;
	s->fds[i].revents = 0;
}

static void
slow_drop(struct slow *s, int i)
{
	close(s->fds[i].fd);
	s->fds[i].fd = -1;
	s->dropped++;
}

static int
slow_open_count(const struct slow *s)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		if (s->fds[i].fd >= 0)
			n++;
	return n;
}

/* Rewrites the status file through a temporary name and rename(). */
static void
slow_status(const struct slow *s)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (s->status == NULL)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", s->status) >=
	    (int)sizeof(tmp))
		fatal("status file name too long");
	if ((f = fopen(tmp, "w")) == NULL)
		fatal("cannot write '%s': %s", tmp, strerror(errno));
	fprintf(f, "open %d\ndropped %lu\nfailed %lu\nbytes %llu\n",
	    slow_open_count(s), s->dropped, s->failed, s->bytes);
	if (fclose(f) != 0 || rename(tmp, s->status) != 0)
		fatal("cannot write '%s': %s", s->status, strerror(errno));
}

/*
 * One tick: a byte more on every open connection, and connections the
 * server closed opened again.
 */
static void
slow_tick(struct slow *s)
{
	for (int i = 0; i < s->n && !stopping; i++) {
		if (s->fds[i].fd < 0) {
			slow_open(s, i);
			continue;
		}
		if (send_all(s->fds[i].fd, "a", 1) < 0)
			slow_drop(s, i);
		else
			s->bytes++;
	}
}

/* Drops the connections the server closed, reset or answered. */
static void
slow_reap(struct slow *s)
{
	char buf[256];

	for (int i = 0; i < s->n; i++) {
		if (s->fds[i].fd < 0 || s->fds[i].revents == 0)
			continue;
		/* any answer ends the slow request: a 408, an error, EOF */
		(void)!read(s->fds[i].fd, buf, sizeof(buf));
		slow_drop(s, i);
	}
}

/* As many descriptors as n connections need, if the hard limit allows. */
static void
raise_nofile(int n)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)n + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		fatal("%d connections need %lu descriptors; the limit is %lu",
		    n, (unsigned long)want, (unsigned long)rl.rlim_cur);
}

int
main(int argc, char **argv)
{
	struct slow s = { .n = 500, .interval_ms = 3000 };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct sigaction sa = { .sa_handler = on_signal };
	long long next;
	int c, error;

	while ((c = getopt(argc, argv, "n:i:s:")) != -1) {
		switch (c) {
		case 'n':
			s.n = (int)number(optarg, 1, CONN_MAX, "-n");
			break;
		case 'i':
			s.interval_ms = (int)number(optarg, 1, 3600, "-i") *
			    1000;
			break;
		case 's':
			s.status = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	s.host = argv[optind];
	if ((error = getaddrinfo(argv[optind], argv[optind + 1], &hints,
	    &s.addr)) != 0)
		fatal("%s port %s: %s", argv[optind], argv[optind + 1],
		    gai_strerror(error));
	raise_nofile(s.n);
	if ((s.fds = calloc((size_t)s.n, sizeof(*s.fds))) == NULL)
		fatal("out of memory");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < s.n && !stopping; i++)
		slow_open(&s, i);
	fprintf(stderr, "slowconn: %d of %d connections open\n",
	    slow_open_count(&s), s.n);
	slow_status(&s);

	next = now_ms() + s.interval_ms;
	while (!stopping) {
		long long wait = next - now_ms();
		int r;

		if (wait <= 0) {
			slow_tick(&s);
			slow_status(&s);
			next += s.interval_ms;
			continue;
		}
		r = poll(s.fds, (nfds_t)s.n, (int)wait);
		if (r < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
		if (r > 0) {
			slow_reap(&s);
			slow_status(&s);
		}
	}
	fprintf(stderr, "slowconn: stopped with %d of %d connections open; "
	    "%lu dropped by the server, %lu connects failed, %llu bytes "
	    "sent\n", slow_open_count(&s), s.n, s.dropped, s.failed,
	    s.bytes);
	for (int i = 0; i < s.n; i++)
		if (s.fds[i].fd >= 0)
			close(s.fds[i].fd);
	free(s.fds);
	freeaddrinfo(s.addr);
	return 0;
}
