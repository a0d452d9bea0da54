/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_wire.c - the gate socket's requests (hooks/wire.c), which any
 * local user who can reach the socket sends to printgated: a request body
 * as wire_request_parse() reads it, and the same bytes as a greeting and
 * an answer, which the hook reads from whatever listens on the socket.
 *
 * Contracts: a request that parses has a valid ref, two 40-hex ids,
 * absolute paths, no control character and no event id or a 32-hex one; it encodes again, and what it
 * encodes to parses to the same request.  An answer's message lies within
 * the body; a greeting's variables are variable names.
 */
#include "fuzz.h"

#include "hooks/wire.h"

static void
fuzz_request(const char *body, size_t len)
{
	static struct wire_request rq, again;
	static char buf[WIRE_MAX];
	const char *why = NULL;
	long n;

	if (wire_request_parse(&rq, body, len, &why) < 0) {
		FUZZ_CHECK(why != NULL);
		return;
	}
	FUZZ_CHECK(wire_check_ref(rq.ref) == 0);
	FUZZ_CHECK(wire_check_id(rq.old) == 0 && wire_check_id(rq.new) == 0);
	FUZZ_CHECK(rq.config[0] == '/' && rq.gitdir[0] == '/');
	FUZZ_CHECK(strstr(rq.ref, "..") == NULL && rq.ref[0] == 'r');
	for (const char *p = rq.pusher; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	FUZZ_CHECK(rq.event[0] == '\0' || wire_check_event(rq.event) == 0);
	n = wire_request_encode(buf, sizeof(buf), &rq);
	FUZZ_CHECK(n > 0);
	FUZZ_CHECK(wire_request_parse(&again, buf, (size_t)n, &why) == 0);
	FUZZ_CHECK(memcmp(&rq, &again, sizeof(rq)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct wire_greeting g;
	struct wire_answer a;

	if (size > WIRE_MAX)
		return 0;
	fuzz_request(body, size);
	if (wire_greeting_parse(&g, body, size) == 0)
		for (size_t i = 0; i < g.nvars; i++)
			FUZZ_CHECK(wire_check_var(g.vars[i]) == 0);
	if (wire_answer_parse(&a, body, size) == 0) {
		FUZZ_CHECK(a.exit == -1 || a.exit == 0 || a.exit == 1);
		FUZZ_CHECK(a.exit >= 0 || a.reason[0] != '\0');
		if (a.exit >= 0)
			FUZZ_CHECK(a.msg >= body && a.msg + a.msglen ==
			    body + size);
	}
	return 0;
}
