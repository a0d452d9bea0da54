/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_api.c - the signed API's decision (webhook.c,
 * webhook_parse_decision): {"tag"|"commit", "person", "decision",
 * "comment"}, held to inbound.h's contract.
 */
#include "fuzz.h"

#include "chat/inbound.h"
#include "chat/webhook.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inbound in;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (fuzz_parse(webhook_parse_decision, data, size, &in) == 0) {
		FUZZ_CHECK(in.kind == INBOUND_DECIDE);
		FUZZ_CHECK(in.target != NULL && in.user != NULL);
		FUZZ_CHECK(in.review == NULL && in.action_id == NULL &&
		    in.token == NULL && in.response_url == NULL &&
		    in.path == NULL && in.user_alt == NULL);
		inbound_clear(&in);
	}
	return 0;
}
