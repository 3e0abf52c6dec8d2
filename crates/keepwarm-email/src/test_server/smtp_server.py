"""keepwarm's test SMTP server: aiosmtpd on 127.0.0.1, a port chosen by the OS.

Usage: python smtp_server.py CONFIG.json

CONFIG.json: {"maildir": DIR, "reject": [{"address": A, "code": 550, "text": "..."}],
"auth": null or {"login": L, "password": P}, "stall": [A]}. RCPT TO an address in "stall" gets
no reply for an hour (a hung server). With "auth", AUTH (PLAIN or LOGIN, allowed without
TLS) is required before MAIL: a wrong login gets 535, none at all 530.
Prints "LISTENING <port>" once it accepts connections. Each accepted message becomes
DIR/NNNNNN.json ({"mail_from", "rcpt_tos", "data": base64 of the raw bytes}), written before the
250 reply to DATA, so a client that got its 250 finds the file. RCPT TO an address listed in
"reject" gets that code and text. Exits when its standard input closes (the test process died).
"""

import asyncio
import base64
import json
import os
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

with open(sys.argv[1]) as f:
    config = json.load(f)
maildir = config["maildir"]
rejections = {r["address"].lower(): (r["code"], r["text"]) for r in config["reject"]}
auth = config.get("auth")
stalls = {a.lower() for a in config.get("stall", [])}


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == auth["login"]
        and auth_data.password.decode() == auth["password"]
    )
    # handled=False: aiosmtpd sends the 235 or 535 reply itself.
    return AuthResult(success=ok, handled=False)


class Handler:
    def __init__(self):
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in stalls:
            await asyncio.sleep(3600)
        rule = rejections.get(address.lower())
        if rule is not None:
            return f"{rule[0]} {rule[1]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{self.count:06d}"
        raw = envelope.original_content or envelope.content
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": base64.b64encode(raw).decode("ascii"),
        }
        tmp = os.path.join(maildir, name + ".tmp")
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.replace(tmp, os.path.join(maildir, name + ".json"))
        return f"250 2.0.0 Ok: queued as {name}"


def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)


async def main():
    handler = Handler()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            hostname="keepwarm-test-smtp",
            enable_SMTPUTF8=True,
            authenticator=authenticator if auth else None,
            auth_required=bool(auth),
            auth_require_tls=False,
        ),
        host="127.0.0.1",
        port=0,
    )
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    await server.serve_forever()


threading.Thread(target=exit_when_parent_goes, daemon=True).start()
asyncio.run(main())
