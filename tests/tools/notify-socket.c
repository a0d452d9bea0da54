/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * notify-socket - a stand-in for systemd's notification socket in tests:
 * binds a datagram socket at PATH and prints every message it receives
 * (READY=1, STATUS=…, WATCHDOG=1, STOPPING=1), one line per assignment,
 * until SIGTERM.
 *
 * usage: notify-socket PATH
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[4096];
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify-socket PATH\n");
		return 2;
	}
	signal(SIGTERM, SIG_DFL);
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("notify-socket");
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

		if (n < 0)
			continue;
		msg[n] = '\0';
		/* one assignment a line, as sd_notify may send several */
		fputs(msg, stdout);
		if (n == 0 || msg[n - 1] != '\n')
			fputc('\n', stdout);
		fflush(stdout);
	}
}
