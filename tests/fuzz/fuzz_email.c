/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_email.c - email.c's parser, email_recipient(), on a queued message
 * as the outbox holds it (a file in state_dir/outbox could have been
 * changed): 0 with a plain address that is inside the input, or -EINVAL
 * with *out untouched.  Then email_format() on a notice whose names, tag
 * and summary come from the input: a message is made only for plain
 * addresses, and its header lines are those the format writes (no CR or
 * LF from the input starts one), and its recipient reads back.
 */
#include "fuzz.h"

#include <errno.h>
#include <string.h>

#include "chat/email.h"
#include "chat/notice.h"

/* Whether every header line of msg is one email_format() writes. */
static bool
headers_ok(const char *msg)
{
	static const char *const names[] = { "From: ", "To: ", "Subject: ",
		"Date: ", "Message-ID: ", "MIME-Version: ",
		"Auto-Submitted: ", "Content-Type: ", " " };

	for (const char *p = msg; *p && strncmp(p, "\r\n", 2) != 0;) {
		const char *eol = strstr(p, "\r\n");
		bool known = false;

		if (eol == NULL || memchr(p, '\n', (size_t)(eol - p)) != NULL ||
		    memchr(p, '\r', (size_t)(eol - p)) != NULL)
			return false;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			known = known || strncmp(p, names[i],
			    strlen(names[i])) == 0;
		if (!known)
			return false;
		p = eol + 2;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *addr = (char *)"untouched", *msg;
	const char *parts[4] = { "", "", "", "" };
	struct notice_person to = { "alice", NULL, { { "email", NULL } } };
	struct notice n = { 0 };
	size_t k = 0;
	int error;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	in = fuzz_cstr(data, size);
	error = email_recipient(in, size, &addr);
	FUZZ_CHECK(error == 0 || error == -EINVAL);
	if (error == 0) {
		FUZZ_CHECK(strchr(addr, '@') != NULL);
		FUZZ_CHECK(strpbrk(addr, " \r\n<>\"") == NULL);
		free(addr);
	} else
		FUZZ_CHECK(strcmp(addr, "untouched") == 0);

	/* the input as NUL-separated fields: name, address, tag, summary */
	for (size_t i = 0; i < size && k < 4; k++) {
		parts[k] = in + i;
		i += strnlen(in + i, size - i) + 1;
	}
	to.name = parts[0];
	to.handles[0].id = parts[1];
	n.kind = NOTICE_REQUEST;
	n.tag = n.review = parts[2];
	n.summary = parts[3];
	n.to = &to;
	n.from = "printgate@example.com";
	n.commit = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
	if ((msg = email_format(&n)) != NULL) {
		FUZZ_CHECK(headers_ok(msg));
		FUZZ_CHECK(email_recipient(msg, strlen(msg), &addr) == 0);
		FUZZ_CHECK(strcmp(addr, parts[1]) == 0);
		free(addr);
		free(msg);
	}
	free(in);
	return 0;
}
