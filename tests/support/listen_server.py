"""A controllable ListenBrainz-protocol server on 127.0.0.1 (real HTTP, a thread), for the
failure paths of ``amsync listens push`` and the push benchmark.

It checks what ListenBrainz checks (``listenbrainz/webserver/views/api.py`` and
``api_tools.py``, as documented): the ``Authorization: Token …`` header, a JSON body of at
most 10,240,000 bytes and 10,240 bytes per listen, 1 to 1,000 listens, ``listen_type``,
``listened_at`` from 2002-10-01 to an hour ahead, non-empty ``track_name`` and
``artist_name`` strings, no U+0000 — and refuses the *whole* request with a 400 naming the
problem, as ListenBrainz does. It keeps one listen per (time, track, artist), like
ListenBrainz. ``Faults`` makes it fail on purpose: refuse listens by track name, answer 5xx
or drop the connection for a while, throttle with 429 / ``X-RateLimit-*``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_LISTENS = 1000
MAX_LISTEN_SIZE = 10_240
MAX_PAYLOAD = MAX_LISTEN_SIZE * MAX_LISTENS
MINIMUM_TS = 1_033_430_400


@dataclass
class Faults:
    """What the server does wrong, on purpose. Counters count ``submit-listens`` requests."""

    refuse_tracks: set[str] = field(default_factory=set)  # a 400 for any batch holding them
    fail_submits: int = 0  # the next N submit requests answer ``fail_status``
    fail_after: int | None = None  # from this many accepted requests on, every submit fails
    fail_status: int = 503
    drop_submits: int = 0  # the next N submit requests: connection closed without an answer
    throttle_submits: int = 0  # the next N submit requests answer 429
    reset_in_s: float = 1.0
    remaining_zero_every: int = 0  # every Nth accepted request says 0 requests left
    delay_s: float = 0.0  # every submit request is answered this much later
    status_for_validate: int | None = None  # e.g. 404 (not a ListenBrainz API)
    validate_body: str | None = None  # raw body for validate-token


@dataclass
class Seen:
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, status
    listens: dict[tuple[int, str, str], dict[str, Any]] = field(default_factory=dict)
    submitted: int = 0  # listens in accepted requests, duplicates included
    bodies: int = 0


class ListenServer:
    """``with ListenServer(tokens={"t"}) as server: server.url`` (the API root)."""

    def __init__(self, tokens: set[str], *, root: str = "", user: str = "listener") -> None:
        self.tokens = tokens
        self.root = root
        self.user = user
        self.faults = Faults()
        self.seen = Seen()
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.root}"

    def __enter__(self) -> ListenServer:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def submit_requests(self) -> int:
        return sum(1 for method, path, _ in self.seen.requests if path.endswith("submit-listens"))

    def track_names(self) -> list[str]:
        return [listen["track_metadata"]["track_name"] for listen in self.seen.listens.values()]


def _problem(listen: Any, now: float) -> str | None:
    """ListenBrainz's validation of one ``import`` listen."""
    if not isinstance(listen, dict) or set(listen) != {"listened_at", "track_metadata"}:
        return "JSON document may only contain listened_at and track_metadata top level keys"
    if len(json.dumps(listen, ensure_ascii=False).encode()) > MAX_LISTEN_SIZE:
        return f"JSON document is too large. Each listens may not be larger than {MAX_LISTEN_SIZE}"
    stamp = listen["listened_at"]
    if not isinstance(stamp, int):
        return "JSON document must contain an int value for listened_at."
    if stamp >= int(now) + 3600:
        return "Value for key listened_at is too high."
    if stamp < MINIMUM_TS:
        return "Value for key listened_at is too low."
    metadata = listen["track_metadata"]
    for key in ("track_name", "artist_name"):
        value = metadata.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"JSON document does not contain required field track_metadata.{key}."
    if "\x00" in json.dumps(listen, ensure_ascii=False).replace("\\u0000", "\x00"):
        return "contains a unicode null"
    return None


def _handler_for(server: ListenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            with server.lock:
                server.seen.requests.append((self.command, self.path, status))

        def _token_ok(self) -> bool:
            header = self.headers.get("Authorization", "")
            return header.startswith("Token ") and header[6:] in server.tokens

        def do_GET(self) -> None:
            if self.path != f"{server.root}/1/validate-token":
                self._send(404, "<html>Not Found</html>")
                return
            faults = server.faults
            if faults.status_for_validate is not None:
                self._send(faults.status_for_validate, faults.validate_body or "nope")
                return
            if faults.validate_body is not None:
                self._send(200, faults.validate_body)
                return
            if self._token_ok():
                self._send(200, {"code": 200, "message": "Token valid.", "valid": True,
                                 "user_name": server.user})  # fmt: skip
            else:
                self._send(200, {"code": 200, "message": "Token invalid.", "valid": False})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if self.path != f"{server.root}/1/submit-listens":
                self._send(404, "<html>Not Found</html>")
                return
            if not self._token_ok():
                self._send(401, {"code": 401, "error": "Invalid authorization token."})
                return
            if server.faults.delay_s:
                time.sleep(server.faults.delay_s)
            if self._fault():
                return
            self._submit(raw)

        def _fault(self) -> bool:
            faults = server.faults
            with server.lock:
                if faults.drop_submits > 0:
                    faults.drop_submits -= 1
                    server.seen.requests.append((self.command, self.path, 0))
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(2)
                    return True
                if faults.throttle_submits > 0:
                    faults.throttle_submits -= 1
                    throttled = True
                else:
                    throttled = False
                failing = faults.fail_submits > 0 or (
                    faults.fail_after is not None and server.seen.bodies >= faults.fail_after
                )
                if faults.fail_submits > 0:
                    faults.fail_submits -= 1
            if throttled:
                window = {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-In": f"{faults.reset_in_s:g}",
                }
                self._send(429, {"code": 429, "error": "Too many requests"}, window)
                return True
            if failing:
                self._send(faults.fail_status, "<html>Server error</html>")
                return True
            return False

        def _submit(self, raw: bytes) -> None:
            problem, payload = _check(raw)
            if problem is None:
                assert payload is not None
                refused = server.faults.refuse_tracks
                for listen in payload:
                    if listen["track_metadata"]["track_name"] in refused:
                        problem = f"refused: {listen['track_metadata']['track_name'][:40]}"
                        break
            if problem is not None:
                self._send(400, {"code": 400, "error": problem})
                return
            assert payload is not None
            with server.lock:
                server.seen.bodies += 1
                server.seen.submitted += len(payload)
                for listen in payload:
                    meta = listen["track_metadata"]
                    key = (listen["listened_at"], meta["track_name"], meta["artist_name"])
                    server.seen.listens.setdefault(key, listen)
                every = server.faults.remaining_zero_every
                headers = {"X-RateLimit-Limit": "30", "X-RateLimit-Remaining": "29",
                           "X-RateLimit-Reset-In": "10"}  # fmt: skip
                if every and server.seen.bodies % every == 0:
                    headers["X-RateLimit-Remaining"] = "0"
                    headers["X-RateLimit-Reset-In"] = f"{server.faults.reset_in_s:g}"
            self._send(200, {"status": "ok"}, headers)

    return Handler


def _check(raw: bytes) -> tuple[str | None, list[Any] | None]:
    if len(raw) > MAX_PAYLOAD:
        return f"Payload too large. Payload cannot exceed {MAX_PAYLOAD} bytes", None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return f"Cannot parse JSON document: {exc}", None
    if not isinstance(data, dict) or not isinstance(data.get("payload"), list):
        return "Invalid JSON document submitted.", None
    payload = data["payload"]
    if not payload:
        return "JSON document does not contain any listens", None
    if len(payload) > MAX_LISTENS:
        return (
            f"Too many listens. You may not submit more than {MAX_LISTENS} listens at once.",
            None,
        )
    if len(raw) > len(payload) * MAX_LISTEN_SIZE:
        return "JSON document is too large.", None
    if data.get("listen_type") != "import":
        return "JSON document requires a valid listen_type key.", None
    now = time.time()
    for listen in payload:
        problem = _problem(listen, now)
        if problem is not None:
            return problem, None
    return None, payload


@contextlib.contextmanager
def listen_server(tokens: set[str], **options: Any) -> Iterator[ListenServer]:
    with ListenServer(tokens, **options) as server:
        yield server
