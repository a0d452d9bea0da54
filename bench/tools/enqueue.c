/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * enqueue - queues deliveries in printgated's outbox, as the daemon does
 * (outbox_put: a file per delivery, fsync, rename), for bench/outbox.sh.
 *
 *   enqueue STATE_DIR TARGET COUNT RUN
 *
 * Delivery i of run RUN gets the id RUN (8 hex digits) followed by i (24
 * hex digits), so that the benchmark can tell which ones arrived.  The body
 * is a review request as printgate sends it to Slack, about 600 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/outbox.h"

int
main(int argc, char *argv[])
{
	struct outbox *ob = NULL;
	unsigned long count, run;
	struct timespec ts;
	char id[33], body[1024];
	int error;

	if (argc != 5) {
		fprintf(stderr, "usage: enqueue STATE_DIR TARGET COUNT RUN\n");
		return 2;
	}
	count = strtoul(argv[3], NULL, 10);
	run = strtoul(argv[4], NULL, 16);
	if ((error = outbox_open(&ob, argv[1], NULL)) < 0) {
		fprintf(stderr, "enqueue: cannot open the outbox in %s: %s\n",
		    argv[1], strerror(-error));
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned long i = 0; i < count; i++) {
		int n;

		snprintf(id, sizeof(id), "%08lx%024lx", run & 0xffffffffUL, i);
		n = snprintf(body, sizeof(body), "{\"text\":\"print/bench-%lu "
		    "waits for approval\",\"blocks\":[{\"type\":\"section\","
		    "\"text\":{\"type\":\"mrkdwn\",\"text\":\"*print/bench-%lu* "
		    "(a1b2c3d) waits for approval\\n>emea 0 of 2: anna, ben, "
		    "chloe, dario\\n>pricing 0 of 1: pia, paul\"}},{\"type\":"
		    "\"actions\",\"elements\":[{\"type\":\"button\",\"text\":{"
		    "\"type\":\"plain_text\",\"text\":\"Approve\"},\"style\":"
		    "\"primary\",\"action_id\":\"approve\",\"value\":\"%s\"},{"
		    "\"type\":\"button\",\"text\":{\"type\":\"plain_text\","
		    "\"text\":\"Request changes\"},\"style\":\"danger\","
		    "\"action_id\":\"changes-required\",\"value\":\"%s\"}]}]}",
		    i, i, id, id);
		error = outbox_put(ob, id, argv[2], "request", "print/bench",
		    body, (size_t)n, (int64_t)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000);
		if (error < 0) {
			fprintf(stderr, "enqueue: cannot queue %s: %s\n", id,
			    strerror(-error));
			outbox_free(ob);
			return 1;
		}
	}
	outbox_free(ob);
	return 0;
}
