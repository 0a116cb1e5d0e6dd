"""One Subsonic API call over HTTP: the request, the retries, and what the answer means.

- Every call is a ``POST`` to ``<root>/rest/<endpoint>`` with its parameters — credentials
  included — form-encoded in the body, so no password, token or key is ever part of a URL
  (URLs end up in proxy logs, server access logs and tracebacks). A server that refuses POST
  (HTTP 405) is called with ``GET`` from then on; log lines and errors name the endpoint only,
  never the query.
- Answers are JSON (``f=json``); the ``subsonic-response`` envelope decides, whatever the HTTP
  status (Supysonic answers an unknown method with 404 and an envelope). A status ``failed``
  raises the error its code means (``raise_for_code``). No envelope at all: not a Subsonic API
  (exit 2), unless it looks like a transient failure.
- Transient failures (no connection, timeouts, connections dropped, HTTP 429/5xx, a body cut
  short) are retried with jittered exponential backoff until the retry budget
  (``AMSYNC_RETRY_BUDGET``, 60 s by default) is spent, then ``ServerUnavailable`` (exit 75). A
  write that is not idempotent (creating a playlist, starring) is retried only when it
  certainly did not reach the server (the connection could not be made): a timeout after it was
  sent ends the run, and the next push finds out what was done.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_delay,
    wait_random_exponential,
)

from amsync import __version__
from amsync.errors import (
    MediaServerError,
    NotSubsonicApi,
    ServerCredentialsRefused,
    ServerIncompatible,
    ServerUnavailable,
)

log = logging.getLogger("amsync.subsonic")

CLIENT_NAME: Final = "amsync"
RETRIED_STATUSES: Final = frozenset({408, 425, 429, 500, 502, 503, 504})
Params = Sequence[tuple[str, str]]

CODE_MEANINGS: Final = {
    0: "a generic error",
    10: "a required parameter is missing",
    20: "incompatible protocol version: the client must upgrade",
    30: "incompatible protocol version: the server must upgrade",
    40: "wrong user name or password",
    41: "token authentication is not supported for this user",
    42: "this way of signing in is not supported",
    43: "several conflicting ways of signing in were given",
    44: "invalid API key",
    50: "the user is not authorized for this operation",
    60: "the trial period is over",
    70: "the requested data was not found",
}


class _Transient(Exception):
    """A failure worth another try (inside this module only)."""


@dataclass
class Envelope:
    """The ``subsonic-response`` object: its status and what it carries."""

    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.body.get("status") == "ok"

    @property
    def version(self) -> str | None:
        value = self.body.get("version")
        return value if isinstance(value, str) else None

    @property
    def error(self) -> tuple[int | None, str]:
        error = self.body.get("error")
        if not isinstance(error, dict):
            return None, ""
        code = error.get("code")
        message = error.get("message")
        return (
            code if isinstance(code, int) else None,
            message if isinstance(message, str) else "",
        )


@dataclass
class Wire:
    """Calls to one server's API; ``auth`` holds the parameters that sign a call in."""

    root: str
    timeout_s: float = 30.0
    retry_budget_s: float = 60.0
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    version: str = "1.12.0"  # the protocol version amsync speaks (``v``)
    auth: Callable[[], list[tuple[str, str]]] = field(default=list)
    requests: int = 0
    writes: int = 0
    retries: int = 0
    use_get: bool = False
    redact: Callable[[str], str] = field(default=str)
    _http: httpx.Client | None = None

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.root + "/rest/",
                timeout=httpx.Timeout(self.timeout_s, connect=min(10.0, self.timeout_s)),
                transport=self.transport,
                headers={"User-Agent": f"amsync/{__version__}"},
                follow_redirects=True,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def envelope(
        self,
        endpoint: str,
        params: Params = (),
        *,
        write: bool = False,
        idempotent: bool = True,
        signed: bool = True,
    ) -> Envelope:
        """The answer's envelope, whatever its status (retries done)."""
        every = [("c", CLIENT_NAME), ("v", self.version), ("f", "json")]
        if signed:
            every += self.auth()
        every += list(params)
        retrying = Retrying(
            stop=stop_after_delay(self.retry_budget_s),
            wait=wait_random_exponential(multiplier=0.25, max=8.0),
            retry=retry_if_exception_type(_Transient),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        self.retries += 1
                    return self._once(endpoint, every, write=write, idempotent=idempotent)
        except _Transient as exc:
            raise ServerUnavailable(
                f"{self.root} did not answer {endpoint} ({exc}) within the retry budget of "
                f"{self.retry_budget_s:.0f} s",
                hint="try again later (AMSYNC_RETRY_BUDGET sets the budget)",
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def call(
        self,
        endpoint: str,
        params: Params = (),
        *,
        write: bool = False,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """A successful answer's envelope; a ``failed`` one raises (``raise_for_code``)."""
        answer = self.envelope(endpoint, params, write=write, idempotent=idempotent)
        if not answer.ok:
            code, message = answer.error
            raise_for_code(self.root, endpoint, code, self.redact(message))
        return answer.body

    def _once(self, endpoint: str, params: Params, *, write: bool, idempotent: bool) -> Envelope:
        started = time.monotonic()
        self.requests += 1
        if write:
            self.writes += 1
        try:
            if self.use_get:
                response = self.http.get(endpoint, params=list(params))
            else:
                response = self.http.post(endpoint, data=dict(_grouped(params)))
                if response.status_code == 405:  # a server that takes GET only
                    log.info("%s refuses POST: calling it with GET from now on", self.root)
                    self.use_get = True
                    response = self.http.get(endpoint, params=list(params))
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _Transient(_transport_text(exc)) from None
        except httpx.TransportError as exc:
            if idempotent:
                raise _Transient(_transport_text(exc)) from None
            raise ServerUnavailable(
                f"{self.root} did not confirm {endpoint} ({_transport_text(exc)})",
                hint="it may or may not have been done; the next push finds out and repairs",
            ) from None
        log.debug(
            "subsonic %s %s -> %d in %.0f ms",
            "GET" if self.use_get else "POST",
            endpoint,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return self._envelope_of(endpoint, response, idempotent=idempotent)

    def _envelope_of(
        self, endpoint: str, response: httpx.Response, *, idempotent: bool
    ) -> Envelope:
        status = response.status_code
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        body = data.get("subsonic-response") if isinstance(data, dict) else None
        if isinstance(body, dict) and isinstance(body.get("status"), str):
            if status >= 500 and body.get("status") != "ok" and idempotent:
                raise _Transient(f"HTTP {status}")
            return Envelope(body)
        cut_short = data is None and response.content.lstrip().startswith(b"{")
        if status in RETRIED_STATUSES or (200 <= status < 300 and cut_short):
            if idempotent:
                raise _Transient(f"HTTP {status}" if status >= 300 else "an answer cut short")
            raise ServerUnavailable(
                f"{self.root} failed {endpoint} (HTTP {status})",
                hint="it may or may not have been done; the next push finds out and repairs",
            )
        if status in (401, 407):
            raise ServerCredentialsRefused(
                f"{self.root} asks for HTTP authentication before the Subsonic API "
                f"(HTTP {status}): a reverse proxy in front of the server?",
                hint="let /rest/ through the proxy without its own sign-in",
            )
        raise NotSubsonicApi(_not_subsonic(self.root, endpoint, response))


def raise_for_code(root: str, endpoint: str, code: int | None, message: str) -> None:
    """Raise the error a Subsonic error code means (DESIGN §3: 40/41/44/50/60 need a person,
    exit 3; 20/30 a configuration matter, exit 2; the rest exit 1 unless a caller handles
    them — 70, "not found", usually is)."""
    said = f"error {code}" if code is not None else "an error without a code"
    meaning = CODE_MEANINGS.get(code or 0, "") if code is not None else ""
    detail = message.strip()[:200] or meaning
    text = f"{root} answered {endpoint} with {said}: {detail}"
    if code in (40, 41, 44):
        raise ServerCredentialsRefused(
            f"{root} refused the credentials ({said}: {detail})",
            hint="check the user and password (AMSYNC_SUBSONIC_PASSWORD, --password-file, "
            "or store them with `amsync server login URL`)",
            code=code,
        )
    if code in (50, 60):
        raise ServerCredentialsRefused(
            text, hint="the server's administrator must allow it for this user", code=code
        )
    if code in (20, 30):
        raise ServerIncompatible(text, hint="amsync speaks Subsonic API 1.12 to 1.16.1", code=code)
    raise MediaServerError(text, code=code)


def _grouped(params: Params) -> list[tuple[str, list[str]]]:
    """Parameters by name, values in order (``songId`` repeats)."""
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        grouped.setdefault(name, []).append(value)
    return list(grouped.items())


def _content_type(response: httpx.Response) -> str:
    value = str(response.headers.get("content-type", ""))
    return value.split(";")[0].strip().lower()


def _transport_text(exc: httpx.TransportError) -> str:
    names = {
        httpx.ConnectError: "cannot connect",
        httpx.ConnectTimeout: "connection timed out",
        httpx.ReadTimeout: "timed out waiting for the answer",
        httpx.WriteTimeout: "timed out sending the request",
        httpx.PoolTimeout: "timed out",
        httpx.RemoteProtocolError: "the connection was dropped",
        httpx.ReadError: "the connection broke",
    }
    for kind, text in names.items():
        if isinstance(exc, kind):
            return text
    return exc.__class__.__name__


def _not_subsonic(root: str, endpoint: str, response: httpx.Response) -> str:
    kind = _content_type(response) or "no content type"
    start = response.content.lstrip()[:200]
    if start.startswith(b"<") and b"subsonic-response" in start:
        return (
            f"{root} answers the Subsonic API in XML only; amsync needs JSON (a server of API "
            "1.4 or later)"
        )
    return (
        f"{root} does not answer like a Subsonic API ({endpoint}: HTTP {response.status_code}, "
        f"{kind}); give the server's address, e.g. https://music.example.com (amsync adds "
        "/rest/)"
    )
