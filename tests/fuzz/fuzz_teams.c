/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_teams.c - a Teams outgoing webhook's message (teams.c): the
 * activity's JSON, then its HTML text (the mention, tags, entities) made
 * plain and parsed as a command; held to inbound.h's contract.
 */
#include "fuzz.h"

#include "chat/inbound.h"
#include "chat/teams.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inbound in;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (fuzz_parse(teams_parse_message, data, size, &in) == 0) {
		/* the activity id makes it unique; from.id says who */
		FUZZ_CHECK(in.user != NULL && in.action_id != NULL);
		FUZZ_CHECK(in.review == NULL && in.token == NULL &&
		    in.response_url == NULL);
		inbound_clear(&in);
	}
	return 0;
}
