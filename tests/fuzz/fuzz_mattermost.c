/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_mattermost.c - Mattermost's inbound requests (mattermost.c): a
 * button's integration action (JSON) and a slash command (form fields),
 * both parsers on every input, each held to inbound.h's contract and to
 * what its own kind of request must give.
 */
#include "fuzz.h"

#include "chat/inbound.h"
#include "chat/mattermost.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inbound in;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (fuzz_parse(mattermost_parse_action, data, size, &in) == 0) {
		FUZZ_CHECK(in.kind == INBOUND_DECIDE);
		FUZZ_CHECK(in.user != NULL && in.review != NULL);
		FUZZ_CHECK(in.target == NULL && in.comment == NULL &&
		    in.path == NULL && in.response_url == NULL);
		inbound_clear(&in);
	}
	if (fuzz_parse(mattermost_parse_command, data, size, &in) == 0) {
		FUZZ_CHECK(in.user != NULL);
		FUZZ_CHECK(in.review == NULL);
		inbound_clear(&in);
	}
	return 0;
}
