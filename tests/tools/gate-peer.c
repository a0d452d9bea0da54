/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gate-peer - the other end of the gate socket, for the tests of the warm
 * path (tests/integration/t-warm.sh):
 *
 *   gate-peer serve PATH garbage|silent|close
 *       binds PATH and, to every hook that connects, answers nonsense,
 *       says nothing at all, or hangs up; runs until killed
 *   gate-peer send PATH FILE
 *       connects to printgated, reads its greeting, sends FILE's bytes
 *       as one frame and prints the answer's body; exit 0 when one came,
 *       1 when printgated hung up without one
 *   gate-peer raw PATH FILE
 *       the same, FILE's bytes sent as they are (no frame header)
 *   gate-peer hold PATH SECONDS
 *       connects and stays silent for SECONDS: a slow client
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
unix_fd(const char *path, struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	if (fd == -1) {
		perror("socket");
		exit(2);
	}
	return fd;
}

static int
serve(const char *path, const char *mode)
{
	static const char garbage[] = "HTTP/1.1 200 OK\r\n\r\nexit 0\n";
	struct sockaddr_un sa;
	int fd = unix_fd(path, &sa), c;

	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 16) == -1) {
		perror(path);
		return 2;
	}
	for (;;) {
		if ((c = accept(fd, NULL, NULL)) == -1)
			continue;
		if (strcmp(mode, "garbage") == 0)
			(void)!write(c, garbage, sizeof(garbage) - 1);
		if (strcmp(mode, "silent") != 0)
			close(c);
	}
}

static size_t
read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Reads one frame; its length, or -1 when the peer hung up first. */
static long
frame(int fd, char *buf, size_t cap)
{
	unsigned char h[4];
	size_t got = 0, len;
	ssize_t n;

	while (got < 4 && (n = read(fd, h + got, 4 - got)) > 0)
		got += (size_t)n;
	if (got < 4)
		return -1;
	len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	if (len > cap)
		return -1;
	for (got = 0; got < len && (n = read(fd, buf + got, len - got)) > 0;)
		got += (size_t)n;
	return got == len ? (long)len : -1;
}

int
main(int argc, char *argv[])
{
	static char buf[1 << 20], in[1 << 20];
	struct sockaddr_un sa;
	size_t n;
	long len;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: gate-peer serve|send|raw|hold PATH "
		    "ARG\n");
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argv[3]);
	fd = unix_fd(argv[2], &sa);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		fprintf(stderr, "connect %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	if (strcmp(argv[1], "hold") == 0) {
		sleep((unsigned)atoi(argv[3]));
		return 0;
	}
	if (frame(fd, buf, sizeof(buf)) < 0)
		return 1;
	n = read_file(argv[3], in + 4, sizeof(in) - 4);
	in[0] = (char)(n >> 24);
	in[1] = (char)(n >> 16);
	in[2] = (char)(n >> 8);
	in[3] = (char)n;
	if (strcmp(argv[1], "raw") == 0)
		(void)!write(fd, in + 4, n);
	else
		(void)!write(fd, in, n + 4);
	if ((len = frame(fd, buf, sizeof(buf))) < 0)
		return 1;
	fwrite(buf, 1, (size_t)len, stdout);
	return 0;
}
