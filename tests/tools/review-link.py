#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# review-link.py TYPE BODY_FILE - prints the "Open review" link of a
# message printgated delivered to a channel of TYPE (slack, mattermost,
# teams), taken where a person clicks it: Slack's link button, the
# Markdown link in Mattermost's attachment, Teams' Action.OpenUrl.  Read
# from the message's structure, not by searching its text for "/r/", so a
# link elsewhere does not count.  Exit 1 when the message has none.
import json
import re
import sys


def slack(msg):
    for block in msg.get("blocks", []):
        for el in block.get("elements", []) if block.get("type") == "actions" else []:
            if el.get("type") == "button" and el.get("text", {}).get("text") == "Open review":
                yield el.get("url")


def mattermost(msg):
    for att in msg.get("attachments", []):
        yield from re.findall(r"\[Open review\]\(([^)\s]+)\)", att.get("text", ""))


def openurls(node):
    if isinstance(node, dict):
        if node.get("type") == "Action.OpenUrl" and node.get("title") == "Open review":
            yield node.get("url")
        for v in node.values():
            yield from openurls(v)
    elif isinstance(node, list):
        for v in node:
            yield from openurls(v)


def teams(msg):
    for att in msg.get("attachments", []):
        if att.get("contentType") == "application/vnd.microsoft.card.adaptive":
            yield from openurls(att.get("content"))


kinds = {"slack": slack, "mattermost": mattermost, "teams": teams}
if len(sys.argv) != 3 or sys.argv[1] not in kinds:
    sys.exit("usage: review-link.py slack|mattermost|teams BODY_FILE")
with open(sys.argv[2], encoding="utf-8") as f:
    message = json.load(f)
links = [u for u in kinds[sys.argv[1]](message) if u]
if len(links) != 1:
    print(f"{len(links)} Open review links, not 1", file=sys.stderr)
    sys.exit(1)
print(links[0])
