"""One HTTP exchange with Apple Music, done right: auth headers, the shared adaptive rate,
retries of transient failures, and the 401/403 handling of DESIGN §5.

Flow of ``ApiSession.request``:

1. send with ``Authorization: Bearer`` (plus ``Music-User-Token`` on ``/v1/me/...``), paced by
   the shared ``RequestPacer``; transport errors, 5xx, 429 and 2xx bodies that are not JSON are
   retried per ``retry.py`` → ``TransientApiError`` / ``MalformedResponse`` when exhausted;
2. 401 → re-sign the developer token (if it can be signed) and retry once; still 401 → probe
   ``/v1/test``: if the developer token passes there, the 401 was about the user's subscription
   (Apple lists that under 401) → ``SubscriptionRequired``; else ``DeveloperTokenRejected``;
3. 403 → probe ``/v1/me/storefront``; 403 there too → ``UserTokenRejected``; else retry the
   request once, and a second 403 is an ``AuthorizationError`` naming the endpoint;
4. 400 with code 40015 → ``SubscriptionRequired``; other 4xx → ``BadRequest``; 404 →
   ``NotFound`` (or ``None`` when the caller expects it).

Is the base URL the Apple Music API at all? Until a request has had an answer only the API gives
(a 2xx JSON object), an ambiguous one — a 404, which Apple also sends for an unknown id or an
empty listing, or a body of a declared non-JSON type such as an HTML page — makes the session
ask ``GET /v1/test`` (Apple's own check, once): the API answers it 200 (or 401/403 with a bad
token), with JSON or an empty body. Anything else means ``--api-url`` names some other server or
path: ``NotAppleMusicApi`` (exit 2) instead of a misleading "no such id". A normal sync never
pays for this: its first request (the storefront) answers 200.

Tokens are only ever put into request headers; messages and logs never hold one.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from amsync.api.config import ClientConfig
from amsync.api.documents import decode_json, parse_error_body
from amsync.api.fields import JsonObject
from amsync.api.rate import RequestPacer
from amsync.api.retry import RETRIED_STATUSES, Failure, RetryableFailure, RetryPolicy
from amsync.api.stats import RequestStats, endpoint_of
from amsync.api.tokens import signing_key_of
from amsync.domain.progress import current_tally, requests_deferrable
from amsync.errors import (
    ApiError,
    AuthorizationError,
    BadRequest,
    CredentialsMissing,
    DeveloperTokenRejected,
    MalformedResponse,
    NotAppleMusicApi,
    NotFound,
    SubscriptionRequired,
    TransientApiError,
    UserTokenRejected,
)

logger = logging.getLogger("amsync.api")

Params = Mapping[str, str | int]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

DEVELOPER_TOKEN_HINT = (
    "set AMSYNC_DEVELOPER_TOKEN or a key file (AMSYNC_KEY_FILE, AMSYNC_TEAM_ID, AMSYNC_KEY_ID)"  # noqa: S105
)
KEY_REFUSED_HINT = (
    "check at developer.apple.com (Certificates, Identifiers & Profiles → Keys) that this key "
    "is a MusicKit key of that team and is not revoked, and that the team id and key id are the "
    "ones shown there for it"
)
LOGIN_HINT = "run `amsync auth login`"


@dataclass(frozen=True, slots=True)
class Reply:
    """A finished exchange: status, decoded JSON object (``None`` for an empty body)."""

    status: int
    document: JsonObject | None
    content: bytes
    headers: httpx.Headers


class ApiSession:
    """The HTTP layer under ``AppleMusicClient``; one per client, shared by all its requests."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.stats = RequestStats()
        self.policy = RetryPolicy(config.retry_budget_s, config.retry_rules)
        self.pacer = RequestPacer(
            config.rate, config.max_concurrency, clock=clock, sleep=sleep, start=config.start_rate
        )
        self._api_confirmed = False  # an answer only the Apple Music API gives was seen
        self._confirming: asyncio.Lock | None = None
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            transport=transport,
            timeout=httpx.Timeout(config.timeout_s, connect=config.connect_timeout_s),
            limits=httpx.Limits(
                max_connections=config.max_concurrency * 2,
                max_keepalive_connections=config.max_concurrency,
            ),
            headers={"User-Agent": config.user_agent, "Accept": "application/json"},
            trust_env=True,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    def jitter(self, ceiling: float) -> float:
        return self._rng.uniform(0.0, ceiling)

    # --- the public entry point ----------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        missing_ok: bool = False,
        retry_504: bool = True,
    ) -> Reply | None:
        """Send one request with every policy applied; ``None`` only for a 404 when
        ``missing_ok``. Raises the ``ApiError`` subclass that fits any other failure."""
        endpoint = endpoint_of(path)
        reply = await self._send(method, path, params, json, retry_504=retry_504)
        if not self._api_confirmed and _ambiguous(reply):
            await self._confirm_api(method, endpoint, reply)
            if 200 <= reply.status < 300:  # a page of a declared non-JSON type: as usual now
                reply = await self._send(method, path, params, json, retry_504=retry_504)
        if reply.status == 401:
            reply = await self._after_401(method, path, params, json, retry_504=retry_504)
        if reply.status == 403:
            reply = await self._after_403(method, path, params, json, retry_504=retry_504)
        return self._final(reply, method, endpoint, missing_ok=missing_ok)

    async def probe(self, path: str) -> int:
        """The status of one plain GET (no 401/403 handling); transient failures are retried."""
        return (await self.probe_reply(path)).status

    async def probe_reply(self, path: str, params: Params | None = None) -> Reply:
        """One plain GET with retries but no 401/403 handling (diagnostics, auth probes)."""
        return await self._send("GET", path, params, None, retry_504=True)

    # --- sending with retries ------------------------------------------------------------

    def _headers(self, path: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.config.developer_token.token().reveal()}"}
        if path.startswith("/v1/me"):
            user_token = self.config.music_user_token
            if not user_token:
                raise CredentialsMissing(
                    "no music user token is configured",
                    hint="run `amsync auth login` or set AMSYNC_MUSIC_USER_TOKEN",
                )
            headers["Music-User-Token"] = user_token.reveal()
        return headers

    async def _send(
        self, method: str, path: str, params: Params | None, json: Any, *, retry_504: bool
    ) -> Reply:
        endpoint = endpoint_of(path)
        started = self._clock()
        policy = self.policy

        def wait(state: RetryCallState) -> float:
            failure = _failure_of(state)
            return policy.rule(failure.failure).backoff(state.attempt_number, self._rng)

        kinds: dict[int, Failure] = {}  # attempt number → how it failed

        def stop(state: RetryCallState) -> bool:
            # Each kind of failure has its own number of attempts (retry.py's table): a request
            # throttled ten times may still meet its first 503 or dropped connection.
            failure = _failure_of(state)
            kinds[state.attempt_number] = failure.failure
            tries = sum(1 for kind in kinds.values() if kind is failure.failure)
            if tries >= policy.rule(failure.failure).max_attempts:
                return True
            return self._clock() - started + state.upcoming_sleep > policy.budget_s

        def before_sleep(state: RetryCallState) -> None:
            failure = _failure_of(state)
            self.stats.retries += 1
            tally = current_tally()
            if tally is not None:
                tally.retries += 1
            logger.info(
                "retrying %s %s after %s (attempt %d) in %.2f s",
                method,
                endpoint,
                failure.reason,
                state.attempt_number,
                state.upcoming_sleep,
            )

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RetryableFailure),
            wait=wait,
            stop=stop,
            before_sleep=before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            reply: Reply = await retrying(
                self._attempt, method, path, params, json, retry_504=retry_504
            )
        except RetryableFailure as failure:
            if failure.failure is Failure.TRUNCATED:
                raise MalformedResponse(
                    f"Apple Music kept sending a body that is not JSON from {endpoint}",
                    hint="try again later; report it if it persists",
                    status=failure.status,
                    endpoint=endpoint,
                ) from None
            raise TransientApiError(
                f"{method} {endpoint} kept failing ({failure.reason}) after retrying for "
                f"{self._clock() - started:.0f} s",
                hint=f"try again later (the retry budget is {policy.budget_s:g} s, from "
                f"{self.config.retry_budget_source})",
                status=failure.status,
                endpoint=endpoint,
            ) from None
        return reply

    async def _attempt(
        self, method: str, path: str, params: Params | None, json: Any, *, retry_504: bool
    ) -> Reply:
        endpoint = endpoint_of(path)
        headers = self._headers(path)
        async with self.pacer.slot(background=requests_deferrable()) as ticket:
            sent = self._clock()
            try:
                response = await self._http.request(
                    method, path, params=params, json=json, headers=headers
                )
            except (httpx.TransportError, httpx.DecodingError) as exc:
                self.stats.record_transport_error(endpoint)
                _count(throttled=False)
                logger.debug("%s %s failed: %s", method, path, type(exc).__name__)
                raise RetryableFailure(Failure.TRANSPORT, None, type(exc).__name__) from None
            status = response.status_code
            if status == 429:
                ticket.throttled()
            else:
                ticket.succeeded()
        content = response.content
        self.stats.record_response(endpoint, status, len(content))
        _count(throttled=status == 429)
        # -vv: every request. ``path`` never holds a token (tokens travel in headers only) and
        # the query string is left out.
        logger.debug("%s %s -> %d in %.0f ms", method, path, status, (self._clock() - sent) * 1000)
        failure = RETRIED_STATUSES.get(status)
        if failure is not None and (retry_504 or status != 504):
            raise RetryableFailure(failure, status, f"HTTP {status}")
        document: JsonObject | None = None
        if 200 <= status < 300 and content.strip():
            if not self._api_confirmed and _declared_not_json(response.headers):
                return Reply(status, None, content, response.headers)  # see _confirm_api
            try:
                document = decode_json(content, endpoint)
            except MalformedResponse:
                raise RetryableFailure(
                    Failure.TRUNCATED, status, "a body that is not JSON"
                ) from None
            self._api_confirmed = True
        return Reply(status, document, content, response.headers)

    # --- is this the Apple Music API? -------------------------------------------------------

    async def _confirm_api(self, method: str, endpoint: str, reply: Reply) -> None:
        """``NotAppleMusicApi`` unless ``GET /v1/test`` answers as the Apple Music API does.
        Asked once: requests that meet the same doubt meanwhile wait for the first answer."""
        if self._confirming is None:
            self._confirming = asyncio.Lock()
        async with self._confirming:
            if not self._api_confirmed:
                await self._ask_api_test(method, endpoint, reply)

    async def _ask_api_test(self, method: str, endpoint: str, reply: Reply) -> None:
        test = (
            reply
            if endpoint == "/v1/test"
            else await self._send("GET", "/v1/test", None, None, retry_504=True)
        )
        if test.status in (200, 401, 403) and _json_or_empty(test):
            self._api_confirmed = True
            return
        first = f"{method} {endpoint} answered {_describe_reply(reply)}"
        if test is not reply:
            first += f", GET /v1/test {_describe_reply(test)}"
        raise NotAppleMusicApi(
            f"{_without_userinfo(self.config.base_url)} does not answer like the Apple Music "
            f"API ({first})",
            hint=f"check the API URL (from {self.config.api_url_source}): Apple's is "
            "https://api.music.apple.com, the emulator's is the URL `amsync emulator serve` "
            "prints (no path after the port)",
        )

    # --- authorization failures ------------------------------------------------------------

    async def _after_401(
        self, method: str, path: str, params: Params | None, json: Any, *, retry_504: bool
    ) -> Reply:
        endpoint = endpoint_of(path)
        provider = self.config.developer_token
        if provider.can_renew:
            provider.renew()
            logger.info("401 from %s: developer token re-signed, retrying once", endpoint)
            reply = await self._send(method, path, params, json, retry_504=retry_504)
            if reply.status != 401:
                return reply
        if path != "/v1/test" and path.startswith("/v1/me") and await self.probe("/v1/test") < 300:
            raise SubscriptionRequired(
                f"Apple Music refused {endpoint} (401) although the developer token is valid: "
                "the account has no active Apple Music subscription or is signed out",
                hint="check the subscription, then run `amsync auth login`",
                status=401,
                endpoint=endpoint,
            )
        signer = signing_key_of(provider)
        if signer is not None:  # the key itself, or its ids, are what Apple refuses
            raise DeveloperTokenRejected(
                f"Apple refused the developer token amsync signed with {signer.describe()}",
                hint=KEY_REFUSED_HINT,
                status=401,
                endpoint=endpoint,
            )
        raise DeveloperTokenRejected(
            "developer token rejected (expired or invalid)",
            hint=DEVELOPER_TOKEN_HINT,
            status=401,
            endpoint=endpoint,
        )

    async def _after_403(
        self, method: str, path: str, params: Params | None, json: Any, *, retry_504: bool
    ) -> Reply:
        endpoint = endpoint_of(path)
        probe = 403 if path == "/v1/me/storefront" else await self.probe("/v1/me/storefront")
        if probe in (401, 403):
            raise UserTokenRejected(
                "music user token rejected (expired or revoked)",
                hint=LOGIN_HINT,
                status=403,
                endpoint=endpoint,
            )
        logger.info("403 from %s but the user token probe passed: retrying once", endpoint)
        reply = await self._send(method, path, params, json, retry_504=retry_504)
        if reply.status == 403:
            raise AuthorizationError(
                f"Apple Music refused {endpoint} (403) although the music user token works "
                "elsewhere",
                hint="allow 'Media & Apple Music' access for the account; if it persists, "
                + LOGIN_HINT,
                status=403,
                endpoint=endpoint,
            )
        return reply

    def _final(self, reply: Reply, method: str, endpoint: str, *, missing_ok: bool) -> Reply | None:
        status = reply.status
        if 200 <= status < 300:
            return reply
        error = parse_error_body(reply.content)
        said = self._one_line(" — ".join(p for p in (error.title, error.detail) if p))
        if status == 404:
            if missing_ok:
                return None
            raise NotFound(
                f"Apple Music has no {endpoint} for that id (404)",
                status=404,
                endpoint=endpoint,
                code=error.code,
            )
        if status == 400 and error.code == "40015":
            raise SubscriptionRequired(
                f"the Apple Music subscription does not allow {endpoint}: {said or 'insufficient'}",
                hint="a fuller Apple Music subscription is needed for this",
                status=400,
                endpoint=endpoint,
                code=error.code,
            )
        if status >= 500:
            raise TransientApiError(
                f"{method} {endpoint} failed with HTTP {status}",
                hint="try again later",
                status=status,
                endpoint=endpoint,
                code=error.code,
            )
        cls = BadRequest if 400 <= status < 500 else ApiError
        raise cls(
            f"Apple Music refused {method} {endpoint} with HTTP {status}"
            + (f": {said}" if said else ""),
            status=status,
            endpoint=endpoint,
            code=error.code,
        )

    def _one_line(self, text: str) -> str:
        """Apple's words made safe for a one-line message: no control characters, no token."""
        clean = _CONTROL.sub(" ", text).strip()[:200]
        for secret in (self.config.developer_token.token(), self.config.music_user_token):
            if secret and secret.reveal() and secret.reveal() in clean:
                clean = clean.replace(secret.reveal(), "***")
        return clean


def _count(*, throttled: bool) -> None:
    """One request sent, into the tally of the phase the current task works for."""
    tally = current_tally()
    if tally is not None:
        tally.requests += 1
        tally.throttled += throttled


def _declared_not_json(headers: httpx.Headers) -> bool:
    """A ``Content-Type`` is given and it is not JSON (an HTML page, plain text…)."""
    declared = headers.get("content-type", "").split(";")[0].strip().lower()
    return bool(declared) and "json" not in declared


def _ambiguous(reply: Reply) -> bool:
    """An answer that may come from a server that is not the Apple Music API."""
    if reply.status == 404:
        return True
    return bool(reply.content.strip()) and _declared_not_json(reply.headers)


def _json_or_empty(reply: Reply) -> bool:
    if not reply.content.strip():
        return True
    if _declared_not_json(reply.headers):
        return False
    try:
        decode_json(reply.content, "/v1/test")
    except MalformedResponse:
        return False
    return True


def _describe_reply(reply: Reply) -> str:
    declared = reply.headers.get("content-type", "").split(";")[0].strip().lower()
    if not reply.content.strip():
        kind = "no body"
    elif "html" in declared:
        kind = "an HTML page"
    elif declared and "json" not in declared:
        kind = f"a {declared[:40]} body"
    else:
        kind = "a JSON body" if _json_or_empty(reply) else "a body that is not JSON"
    return f"HTTP {reply.status} with {kind}"


def _without_userinfo(url: str) -> str:
    parts = httpx.URL(url)
    return str(parts.copy_with(userinfo=b"")) if parts.userinfo else url


def _failure_of(state: RetryCallState) -> RetryableFailure:
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None else None
    assert isinstance(exc, RetryableFailure)
    return exc
