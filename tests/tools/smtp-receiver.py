#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# smtp-receiver.py DIR - a local SMTP server for the tests (Debian's
# python3-aiosmtpd) on 127.0.0.1: each message it takes is written to
# DIR/msg-NNNNNN.eml as it came, with a line "NNNNNN RCPT" in DIR/log;
# the port it listens on goes to DIR/port.  While DIR/mode holds "fail",
# every recipient is answered 451 (try again later), and nothing is kept.
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller

folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)


def mode():
    try:
        with open(os.path.join(folder, "mode")) as f:
            return f.read().strip()
    except OSError:
        return ""


class Handler:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if mode() == "fail":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        n = "%06d" % Handler.count
        path = os.path.join(folder, "msg-%s.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        with open(os.path.join(folder, "log"), "a") as f:
            f.write("%s %s\n" % (n, " ".join(envelope.rcpt_tos)))
        return "250 2.0.0 kept"


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
with open(os.path.join(folder, "port.tmp"), "w") as f:
    f.write("%d\n" % port)
os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
