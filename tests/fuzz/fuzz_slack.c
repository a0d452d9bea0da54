/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_slack.c - Slack's inbound requests (slack.c): a block_actions
 * interaction (form field payload=<JSON>) and a slash command (form
 * fields), both parsers on every input, each held to inbound.h's contract
 * and to what its own kind of request must give.
 */
#include "fuzz.h"

#include "chat/inbound.h"
#include "chat/slack.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inbound in;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (fuzz_parse(slack_parse_action, data, size, &in) == 0) {
		/* a button: who, which decision, on which review */
		FUZZ_CHECK(in.kind == INBOUND_DECIDE);
		FUZZ_CHECK(in.user != NULL && in.review != NULL);
		FUZZ_CHECK(in.target == NULL && in.comment == NULL &&
		    in.path == NULL && in.token == NULL &&
		    in.user_alt == NULL);
		inbound_clear(&in);
	}
	if (fuzz_parse(slack_parse_command, data, size, &in) == 0) {
		FUZZ_CHECK(in.user != NULL);
		FUZZ_CHECK(in.review == NULL && in.token == NULL);
		inbound_clear(&in);
	}
	return 0;
}
