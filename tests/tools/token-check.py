#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# token-check.py SECRET_FILE TOKEN - checks a review link token as
# include/web/token.h defines it, independently of printgate's C code:
# the MAC with the link key derived from the links secret, then prints
# "tag commit person expires"; exit 1 for a token that does not verify.
import base64
import hashlib
import hmac
import sys

with open(sys.argv[1], "rb") as f:
    secret = f.read().strip()
token = sys.argv[2]
raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
payload, mac = raw[:-32], raw[-32:]
key = hmac.new(secret, b"printgate link token v1", hashlib.sha256).digest()
if not hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).digest(), mac):
    print("bad MAC")
    sys.exit(1)
version, expires = payload[0], int.from_bytes(payload[1:9], "big")
commit = payload[9:29].hex()
tl = payload[29]
tag = payload[30:30 + tl].decode()
pl = payload[30 + tl]
person = payload[31 + tl:31 + tl + pl].decode()
print(tag, commit, person or "-", expires)
