"""The :class:`Emulator`: one pure request handler (auth, faults, routing, logging) behind
in-process httpx transports and a real socket server.

Order of checks per request: control endpoints (``/_emulator/*``, never faulted) and the
MusicKit stand-in (``/musickit/*``, see ``musickit.py``) and cover images (``/image/thumb/*``,
see ``artwork.py``) → token expiry/revocation counters →
fault decision (rate limit 429, dropped connection, 5xx) → developer token (401) →
Music-User-Token on ``/v1/me/*`` (403) → subscription on ``/v1/me/library*`` (401) → route
(404 / 405) → handler → truncation / latency.

The emulator's own developer tokens (``issue_developer_token``) are ES256 JWTs signed with a
key it generates, valid 180 days, and checked like Apple checks them.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractContextManager
from email.utils import formatdate
from typing import TYPE_CHECKING

from amsync.emulator import artwork, musickit
from amsync.emulator.auth import ISSUED_LIFETIME_SECONDS, JwtIssuer, JwtVerifier, TokenChecker
from amsync.emulator.faults import Decision, FaultConfig, FaultDecider
from amsync.emulator.library import Library
from amsync.emulator.listing import Context, SortCache
from amsync.emulator.messages import Request, Response, error
from amsync.emulator.rendering import Renderer, dumps
from amsync.emulator.request_log import LogEntry, RequestLog
from amsync.emulator.router import Route, resolve

if TYPE_CHECKING:
    import httpx

    from amsync.emulator.server import RunningServer


class Emulator:
    """An Apple Music API emulator over a :class:`Library`."""

    def __init__(
        self,
        library: Library,
        *,
        developer_tokens: Iterable[str] | None = None,
        music_user_tokens: Iterable[str] | None = None,
        faults: FaultConfig | None = None,
        storefront: str | None = None,
        jwt_public_key_pem: bytes | str | None = None,
        jwt_key_id: str | None = None,
        jwt_team_id: str | None = None,
    ) -> None:
        self.library = library
        if storefront is not None:
            library.storefront = storefront
        self._faults = faults if faults is not None else FaultConfig()
        verifier = None
        if jwt_public_key_pem is not None:
            if not jwt_key_id or not jwt_team_id:
                raise ValueError("jwt_key_id and jwt_team_id are required with a public key")
            verifier = JwtVerifier(jwt_public_key_pem, jwt_key_id, jwt_team_id)
        self.tokens = TokenChecker(
            set(developer_tokens or ()), set(music_user_tokens or ()), verifier
        )
        self._issuer: JwtIssuer | None = None
        self.log = RequestLog()
        self.inbox: list[object] = []  # webhooks received at /_emulator/inbox
        self._decider = FaultDecider(self._faults)
        self._lock = threading.RLock()
        self._renderer = Renderer(library)
        self._sorts = SortCache(library)
        self._empty = Library(storefront=library.storefront)
        self._empty_renderer = Renderer(self._empty)
        self._empty_sorts = SortCache(self._empty)

    @property
    def lock(self) -> threading.RLock:
        """Held while a request is handled; hold it to mutate the library during serving."""
        return self._lock

    @property
    def faults(self) -> FaultConfig:
        """The live fault configuration (mutate it, or assign a new one)."""
        return self._faults

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self._faults = config
        self._decider.config = config

    # ------------------------------------------------------------------ tokens
    def issue_developer_token(
        self, lifetime_s: int = ISSUED_LIFETIME_SECONDS, *, issued_at: float | None = None
    ) -> str:
        """A fresh ES256 JWT developer token signed with the emulator's own key (made on first
        use), valid ``lifetime_s`` seconds (180 days by default) from ``issued_at`` (default:
        the emulator's clock; an earlier time makes tokens that have already expired)."""
        with self._lock:
            if self._issuer is None:
                self._issuer = JwtIssuer()
                self.tokens.verifiers.append(self._issuer.verifier())
            return self._issuer.issue(
                lifetime_s, now=self.now() if issued_at is None else issued_at
            )

    def issue_music_user_token(self) -> str:
        """A new music user token that the emulator accepts from now on (a MusicKit sign-in)."""
        token = f"mut-{secrets.token_urlsafe(24)}"
        with self._lock:
            self.tokens.music_user_tokens.add(token)
        return token

    def now(self) -> float:
        """The emulator's clock: real time plus ``FaultConfig.clock_offset_s``."""
        return time.time() + self.faults.clock_offset_s

    # ------------------------------------------------------------------ token switches
    def expire_developer_token(self) -> None:
        self.tokens.developer_expired = True

    def revoke_music_user_token(self) -> None:
        self.tokens.user_revoked = True

    def restore_tokens(self) -> None:
        """Undo expiry/revocation, including the FaultConfig counters and times."""
        self.tokens.developer_expired = False
        self.tokens.user_revoked = False
        self.faults.developer_token_expires_after = None
        self.faults.developer_token_expires_at = None
        self.faults.music_user_token_revoked_after = None
        self.faults.music_user_token_revoked_at = None

    def reset_fault_counters(self) -> None:
        """Forget how often each request was seen (faults then repeat from the start)."""
        self._decider.reset()

    # ------------------------------------------------------------------ handling
    def handle(self, request: Request) -> Response:
        """Answer one request; never raises for bad input."""
        started = time.perf_counter()
        if request.path.startswith("/_emulator/"):
            response = self._control(request)
        elif request.path.startswith("/musickit/"):
            response = musickit.handle(self, request)
        elif request.path.startswith(artwork.PREFIX) and request.method in ("GET", "HEAD"):
            response = artwork.image(request.path)
        else:
            with self._lock:
                try:
                    response = self._handle_api(request)
                except Exception as exc:  # a handler bug must still answer like a server
                    response = error(500, f"emulator error: {type(exc).__name__}")
                    response.endpoint = f"{request.method} {request.path}"
        status = 0 if response.action == "drop" else response.status
        self.log.add(
            LogEntry(
                request.method,
                request.path,
                request.query_string,
                status,
                time.perf_counter() - started + response.delay,
                response.endpoint or f"{request.method} {request.path}",
            )
        )
        return response

    def _auth_failure(self, request: Request, nth: int) -> Response | None:
        cfg, now = self.faults, self.now()
        dev_expired = (
            cfg.developer_token_expires_after is not None
            and nth > cfg.developer_token_expires_after
        ) or (cfg.developer_token_expires_at is not None and now >= cfg.developer_token_expires_at)
        authorization = request.headers.get("authorization")
        if dev_expired or not self.tokens.developer_ok(authorization, now):
            if cfg.empty_401_body:
                return Response(401, b"", [("Content-Type", "application/json;charset=utf-8")])
            return error(401)
        if request.path.startswith("/v1/me/"):
            revoked = (
                cfg.music_user_token_revoked_after is not None
                and nth > cfg.music_user_token_revoked_after
            ) or (
                cfg.music_user_token_revoked_at is not None
                and now >= cfg.music_user_token_revoked_at
            )
            if revoked or not self.tokens.user_ok(request.headers.get("music-user-token")):
                return error(403)
            if cfg.no_subscription and request.path.startswith("/v1/me/library"):
                return error(401)
        return None

    def _handle_api(self, request: Request) -> Response:
        route, segments = resolve(request.path)
        method = request.method.upper()
        endpoint = f"{method} {route.endpoint if route else request.path}"
        nth = self._decider.count()
        offset = None
        if route is not None and route.paged and method == "GET":
            raw = request.params.get("offset", "0")
            offset = int(raw) if raw.isdigit() else 0
        decision = self._decider.decide(method, request.path, request.target, offset)
        response = self._respond(request, route, segments, method, decision, nth)
        response.endpoint = endpoint
        response.delay = decision.delay
        if self.faults.clock_offset_s:
            response.headers.append(("Date", formatdate(self.now(), usegmt=True)))
        if decision.drop:
            response.action = "drop"
        elif decision.truncate and len(response.body) > 1:
            response.action = "truncate"
        return response

    def _respond(
        self,
        request: Request,
        route: Route | None,
        segments: list[str],
        method: str,
        decision: Decision,
        nth: int,
    ) -> Response:
        if decision.throttled:
            return error(429)
        if decision.error_status is not None and not decision.drop:
            return error(decision.error_status)
        failure = self._auth_failure(request, nth)
        if failure is not None:
            return failure
        if route is None:
            return error(404)
        handler = route.methods.get(method)
        if handler is None:
            response = error(405)
            response.headers.append(("Allow", ", ".join(sorted(route.methods))))
            return response
        empty = self.faults.empty_library and request.path.startswith("/v1/me/library")
        ctx = Context(
            request=request,
            library=self._empty if empty else self.library,
            renderer=self._empty_renderer if empty else self._renderer,
            faults=self.faults,
            sorts=self._empty_sorts if empty else self._sorts,
            decision=decision,
            segments=segments,
        )
        return handler(ctx)

    def _control(self, request: Request) -> Response:
        if request.path == "/_emulator/log" and request.method == "GET":
            entries = self.log.entries
            body = {
                "total": len(entries),
                "by_endpoint": self.log.by_endpoint(),
                "by_status": {str(k): v for k, v in self.log.by_status().items()},
                "by_endpoint_status": {
                    f"{e} {s}": n
                    for (e, s), n in Counter((x.endpoint, x.status) for x in entries).items()
                },
            }
            return Response(200, dumps(body), endpoint="GET /_emulator/log")
        if request.path == "/_emulator/log/reset" and request.method == "POST":
            self.log.clear()
            return Response(204, endpoint="POST /_emulator/log/reset")
        if request.path in _LOSS_PATHS and request.method == "POST":
            with self._lock:
                return _losses(self.library, request)
        if request.path == "/_emulator/inbox":
            return self._inbox_request(request)
        return error(404)

    def _inbox_request(self, request: Request) -> Response:
        """``POST /_emulator/inbox``: keep a webhook's JSON (a notification sent with
        Apprise's ``json://HOST:PORT/_emulator/inbox``); ``GET``: what arrived, oldest first."""
        endpoint = f"{request.method} /_emulator/inbox"
        if request.method == "POST":
            try:
                item: object = json.loads(request.body or b"null")
            except ValueError:
                return error(400, "the body is not JSON")
            with self._lock:
                self.inbox.append(item)
            return Response(200, b"{}", endpoint=endpoint)
        if request.method == "GET":
            with self._lock:
                text = json.dumps(self.inbox, ensure_ascii=False, indent=2) + "\n"
            return Response(200, text.encode(), endpoint=endpoint)
        return error(405)

    def warm(self) -> None:
        """Build the listing sort orders now instead of on the first request."""
        with self._lock:
            for name in ("songs", "albums", "artists", "playlists", "music-videos", "folders"):
                self._sorts.ids(name)

    # ------------------------------------------------------------------ transports
    def transport(self) -> httpx.BaseTransport:
        """A synchronous in-process httpx transport."""
        from amsync.emulator.transports import EmulatorTransport

        return EmulatorTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An asynchronous in-process httpx transport."""
        from amsync.emulator.transports import AsyncEmulatorTransport

        return AsyncEmulatorTransport(self)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0
    ) -> AbstractContextManager[RunningServer]:
        """Serve over a real socket from a background thread: ``with emu.serve() as server``."""
        from amsync.emulator.server import serve_in_thread

        return serve_in_thread(self, host, port)


_LOSS_PATHS = ("/_emulator/withdraw", "/_emulator/unplayable")


def _losses(library: Library, request: Request) -> Response:
    """``POST /_emulator/withdraw?count=N[&seed=S][&replaced=F]``: Apple withdraws N library
    songs now (most with a replacement, see ``lost_music``); ``POST
    /_emulator/unplayable?count=N``: N songs become unplayable. Answers what it did."""
    from amsync.emulator.lost_music import make_songs_unplayable, withdraw_songs

    endpoint = f"POST {request.path}"
    try:
        count = int(request.params.get("count", "1"))
        seed = int(request.params.get("seed", "0"))
        replaced = float(request.params.get("replaced", "0.8"))
    except ValueError:
        return error(400, "count and seed are whole numbers, replaced a fraction")
    if not 0 <= count <= 100_000 or not 0.0 <= replaced <= 1.0:
        return error(400, "count is 0..100000 and replaced 0..1")
    if request.path == "/_emulator/unplayable":
        body: object = {"unplayable": make_songs_unplayable(library, count, seed=seed)}
    else:
        plans = withdraw_songs(library, count, seed=seed, replaced=replaced)
        body = {
            "withdrawn": [
                {
                    "catalog_id": p.catalog_id,
                    "kind": p.kind,
                    "library_ids": p.library_ids,
                    "replacements": sorted(p.replacements),
                }
                for p in plans
            ]
        }
    return Response(200, dumps(body), endpoint=endpoint)
