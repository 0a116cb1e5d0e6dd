"""The sign-in page of ``amsync auth login`` and the callback it answers to, on 127.0.0.1.

``GET /`` serves the page (``auth_login.html``) with its settings in a JSON block: the one-time
state, the developer token MusicKit needs, the MusicKit script URL and how long to wait for it;
``GET /login.js`` its script (``auth_login.js``). The page posts one JSON answer to
``POST /callback``: ``{"state", "music_user_token"}`` after a sign-in, or ``{"state", "error"}``
when MusicKit could not load or start (the command then ends at once).

Who may talk to it: only 127.0.0.1 with ``Host: 127.0.0.1:PORT`` (a DNS-rebinding page has
another Host); a POST only with ``Origin: http://127.0.0.1:PORT`` (no cross-site request,
browsers always send Origin on POST), ``Content-Type: application/json`` (which another site
cannot send without a preflight this server never grants), the right state (compared in
constant time), and only once: the first answer wins, later ones are refused (409).
"""

from __future__ import annotations

import http.server
import json
import secrets
import threading
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from importlib import resources
from typing import Any, Final

from amsync.config.secret import Secret

SCRIPT_TIMEOUT_MS: Final = 15_000
MAX_BODY: Final = 64_000
PAGE_ERRORS: Final = {
    "musickit-unavailable": "Apple's MusicKit script could not be loaded",
    "musickit-failed": "MusicKit could not start with this developer token",
}
_SECURITY_HEADERS: Final = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
]


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """What the page answered: a music user token, or an error code and its detail."""

    token: str | None = None
    error: str | None = None
    detail: str | None = None


@cache
def _asset(name: str) -> bytes:
    return resources.files("amsync.cli").joinpath(name).read_bytes()


class LoginServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    page: bytes
    state: str
    origin: str
    outcome: LoginOutcome | None = None
    done: threading.Event
    _claim: threading.Lock

    @property
    def token(self) -> str | None:
        return self.outcome.token if self.outcome else None

    @property
    def url(self) -> str:
        return self.origin + "/"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: LoginServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines hold no token, but keep the terminal clean."""

    def _answer(self, status: int, body: bytes = b"", content_type: str | None = None) -> None:
        if status >= 400 and not body:  # a refusal says only its status
            body = f"{status} {HTTPStatus(status).phrase}\n".encode()
            content_type = "text/plain; charset=utf-8"
        self.send_response(status)
        for name, value in _SECURITY_HEADERS:
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _local(self) -> bool:
        host = self.headers.get("Host", "")
        port = self.server.server_address[1]
        return self.client_address[0] == "127.0.0.1" and host == f"127.0.0.1:{port}"

    def do_GET(self) -> None:
        if not self._local():
            self._answer(404)
        elif self.path == "/":
            self._answer(200, self.server.page, "text/html; charset=utf-8")
        elif self.path == "/login.js":
            self._answer(200, _asset("auth_login.js"), "text/javascript; charset=utf-8")
        else:
            self._answer(404)

    def do_POST(self) -> None:
        server = self.server
        if not self._local() or self.path != "/callback":
            self._answer(404)
            return
        if self.headers.get("Origin") != server.origin:
            self._answer(403)  # another site's page, or no browser at all
            return
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            self._answer(415)
            return
        try:
            length = int(self.headers.get("Content-Length", "0") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            self._answer(400)
            return
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            self._answer(400)
            return
        if not isinstance(body, dict):
            self._answer(400)
            return
        state = body.get("state")
        if not isinstance(state, str) or not secrets.compare_digest(
            state.encode(), server.state.encode()
        ):
            self._answer(403)
            return
        outcome = _outcome(body)
        if outcome is None:
            self._answer(400)
            return
        with server._claim:
            if server.done.is_set():
                self._answer(409)  # the first answer wins
                return
            server.outcome = outcome
            server.done.set()
        self._answer(204)


def _outcome(body: dict[str, Any]) -> LoginOutcome | None:
    """What a callback says; ``None`` (answered 400) for a body that is neither a usable music
    user token nor a known error — a JWT, a private key or text that is no token is refused as
    ``amsync auth set`` refuses it (``token_input``), and the sign-in goes on waiting."""
    from amsync.cli.token_input import clean_music_user_token
    from amsync.errors import ConfigError

    token = body.get("music_user_token")
    if isinstance(token, str) and token.strip():
        try:
            cleaned = clean_music_user_token(token)
        except ConfigError:
            return None
        return LoginOutcome(token=cleaned) if cleaned else None
    error = body.get("error")
    if isinstance(error, str) and error in PAGE_ERRORS:
        detail = body.get("detail")
        text = detail[:200] if isinstance(detail, str) else None
        return LoginOutcome(error=error, detail=text)
    return None


def login_page(
    developer_token: Secret,
    state: str,
    musickit_js_url: str,
    *,
    script_timeout_ms: int = SCRIPT_TIMEOUT_MS,
) -> bytes:
    """The page with its settings; ``<`` is escaped so no value can end the JSON block."""
    settings = {
        "state": state,
        "developerToken": developer_token.reveal(),
        "musickitUrl": musickit_js_url,
        "scriptTimeoutMs": script_timeout_ms,
    }
    block = json.dumps(settings).replace("<", "\\u003c").replace(">", "\\u003e")
    template = _asset("auth_login.html").decode("utf-8")
    return template.replace("__SETTINGS__", block).encode("utf-8")


def start_login_server(
    developer_token: Secret,
    port: int = 0,
    *,
    musickit_js_url: str = "https://js-cdn.music.apple.com/musickit/v3/musickit.js",
    script_timeout_ms: int = SCRIPT_TIMEOUT_MS,
) -> LoginServer:
    server = LoginServer(("127.0.0.1", port), _Handler)
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    server.state = secrets.token_urlsafe(32)
    server.page = login_page(
        developer_token, server.state, musickit_js_url, script_timeout_ms=script_timeout_ms
    )
    server.done = threading.Event()
    server._claim = threading.Lock()
    threading.Thread(target=server.serve_forever, name="amsync-login", daemon=True).start()
    return server
