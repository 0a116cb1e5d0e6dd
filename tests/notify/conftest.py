"""Real local receivers for Apprise: an HTTP endpoint on 127.0.0.1 for ``json://`` and an SMTP
server (aiosmtpd) for ``mailto://`` — each started once per module on a free port."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What arrived: JSON posts and e-mails, as text to search."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    mails: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.posts.clear()
            self.mails.clear()

    def everything(self) -> str:
        with self.lock:
            return "\n".join([*(json.dumps(p) for p in self.posts), *self.mails])


class _Receiver(BaseHTTPRequestHandler):
    inbox: Inbox

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        with self.inbox.lock:
            self.inbox.posts.append({"path": self.path, **json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _FreePortController(Controller):
    """aiosmtpd on port 0: learn the port the system chose before checking the server."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _MailHandler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        text = [f"Subject: {mail['subject']}", f"From: {mail['from']}", f"To: {mail['to']}"]
        for part in mail.walk():
            if part.get_content_type() == "text/plain":
                text.append(part.get_content())
        with self.inbox.lock:
            self.inbox.mails.append("\n".join(text))
        return "250 OK"


@dataclass
class Receivers:
    inbox: Inbox
    json_url: str
    mailto_url: str

    @property
    def both(self) -> str:
        return f"{self.json_url}, {self.mailto_url}"


@pytest.fixture(scope="module")
def receivers() -> Iterator[Receivers]:
    inbox = Inbox()
    handler = type("Receiver", (_Receiver,), {"inbox": inbox})
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    smtp = _FreePortController(_MailHandler(inbox), hostname="127.0.0.1", port=0)
    smtp.start()
    try:
        yield Receivers(
            inbox,
            f"json://127.0.0.1:{http.server_address[1]}/amsync",
            f"mailto://amsync@127.0.0.1:{smtp.port}?mode=insecure&to=me@example.org"
            "&from=amsync@example.org",
        )
    finally:
        smtp.stop()
        http.shutdown()
        http.server_close()


@pytest.fixture
def inbox(receivers: Receivers) -> Inbox:
    receivers.inbox.clear()
    return receivers.inbox
