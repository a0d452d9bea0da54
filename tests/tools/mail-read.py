#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# mail-read.py FILE WHAT - prints one thing of a message the SMTP receiver
# kept, for the tests' assertions: "to" (the To: address), "subject"
# (decoded), "message-id", "text" and "html" (the parts, decoded),
# "link" (the first {public_url}/r/{token} link of the text part),
# "type" (the top Content-Type), "headers" (every header name, one a line).
import email
import email.policy
import re
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
what = sys.argv[2]


def part(kind):
    for p in msg.walk():
        if p.get_content_type() == kind:
            return p.get_content()
    return ""


if what == "to":
    print(msg["To"].addresses[0].addr_spec)
elif what == "to-name":
    print(msg["To"].addresses[0].display_name)
elif what == "subject":
    print(msg["Subject"])
elif what == "message-id":
    print(msg["Message-ID"])
elif what == "type":
    print(msg.get_content_type())
elif what == "headers":
    print("\n".join(msg.keys()))
elif what in ("text", "html"):
    sys.stdout.write(part("text/" + ("plain" if what == "text" else "html")))
elif what == "link":
    m = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", part("text/plain"))
    print(m.group(0) if m else "")
