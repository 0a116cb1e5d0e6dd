"""One HTTP conversation with a ListenBrainz-protocol server: the token on every request, the
server's rate limit honoured, transient failures retried within the budget.

**Rate limit.** ListenBrainz answers every request with ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset-In`` (seconds until the window resets). When
``Remaining`` reaches 0 the next request waits ``Reset-In`` seconds first; a 429 waits
``Reset-In`` (or, without it, backs off) and is retried. A wait longer than what is left of
the retry budget is not waited: the push stops with exit 75 (what was accepted is recorded).

**Retries** (exponential backoff with full jitter; all of one request's retries stop when the
next wait would pass the budget, ``AMSYNC_RETRY_BUDGET``, default 60 s, then
``ListenServerUnavailable``, exit 75):

=========== ======================================= ====== =====
failure     what                                    base s cap s
=========== ======================================= ====== =====
transport   connect/read/write errors, timeouts      0.5    8
server      HTTP 500, 502, 503, 504                  1.0   16
throttled   HTTP 429                                 Reset-In, else 0.5 … 8
=========== ======================================= ====== =====

A request the server may have carried out before its answer was lost (a read timeout, a 5xx
after the body arrived) is sent again: ListenBrainz keeps one listen per user, time and track,
so the repeat adds nothing there; a server without that rule may keep a duplicate.

Every other status is the caller's to judge (``Reply``). The token goes in the
``Authorization: Token …`` header only; it is never logged or put in an error message.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import httpx

from amsync.config.secret import Secret
from amsync.errors import ListenServerUnavailable

logger = logging.getLogger("amsync.listenbrainz")

RETRIED: Final = frozenset({500, 502, 503, 504})
THROTTLED: Final = 429
TRANSPORT_BACKOFF: Final = (0.5, 8.0)
SERVER_BACKOFF: Final = (1.0, 16.0)
THROTTLE_BACKOFF: Final = (0.5, 8.0)
MAX_RESET_IN_S: Final = 3600.0

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: Any  # the JSON document, or None when the body is not JSON
    text: str  # the first 300 characters of the body
    location: str | None = None


@dataclass(slots=True)
class Counters:
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    waited_s: float = 0.0


def _header_number(headers: httpx.Headers, name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if 0 <= number <= MAX_RESET_IN_S * 24 else None


class ServerSession:
    """Requests to one server root (``urls.api_root``)."""

    def __init__(
        self,
        root: str,
        token: Secret,
        *,
        user_agent: str,
        retry_budget_s: float = 60.0,
        budget_source: str = "the default",
        timeout_s: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.root = root
        self._token = token
        self.budget_s = retry_budget_s
        self.budget_source = budget_source
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.counters = Counters()
        self._blocked_until: float | None = None
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 15.0)),
            headers={"User-Agent": user_agent},
            follow_redirects=False,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def request(self, method: str, endpoint: str, body: bytes | None = None) -> Reply:
        """``method`` ``root + endpoint``, retried as the module docstring says."""
        url = self.root + endpoint
        headers = {"Authorization": f"Token {self._token.reveal()}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = self._clock()
        attempt = 0
        while True:
            await self._wait_for_window(started, endpoint)
            attempt += 1
            self.counters.requests += 1
            try:
                response = await self._http.request(method, url, content=body, headers=headers)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {str(exc)[:200] or 'no detail'}"
                await self._back_off(started, attempt, TRANSPORT_BACKOFF, endpoint, last)
                continue
            self._remember_window(response.headers)
            if response.status_code == THROTTLED:
                self.counters.throttled += 1
                wait = _header_number(response.headers, "X-RateLimit-Reset-In")
                if wait is None:
                    await self._back_off(started, attempt, THROTTLE_BACKOFF, endpoint, "HTTP 429")
                else:
                    await self._wait(started, wait, endpoint, "HTTP 429 (throttled)")
                continue
            if response.status_code in RETRIED:
                last = f"HTTP {response.status_code}"
                await self._back_off(started, attempt, SERVER_BACKOFF, endpoint, last)
                continue
            return _reply(response)

    def _remember_window(self, headers: httpx.Headers) -> None:
        remaining = _header_number(headers, "X-RateLimit-Remaining")
        reset_in = _header_number(headers, "X-RateLimit-Reset-In")
        if remaining is not None and remaining < 1 and reset_in is not None:
            self._blocked_until = self._clock() + min(reset_in, MAX_RESET_IN_S)
        else:
            self._blocked_until = None

    async def _wait_for_window(self, started: float, endpoint: str) -> None:
        """The server said no requests are left in its window: wait for the reset."""
        if self._blocked_until is None:
            return
        wait = self._blocked_until - self._clock()
        self._blocked_until = None
        if wait > 0:
            await self._wait(started, wait, endpoint, "the rate limit window (0 requests left)")

    async def _back_off(
        self, started: float, attempt: int, rule: tuple[float, float], endpoint: str, last: str
    ) -> None:
        base, cap = rule
        delay = self._rng.uniform(0.0, min(cap, base * 2.0 ** max(0, attempt - 1)))
        await self._wait(started, delay, endpoint, last)

    async def _wait(self, started: float, delay: float, endpoint: str, last: str) -> None:
        spent = self._clock() - started
        if spent + delay > self.budget_s:
            raise ListenServerUnavailable(
                f"{self.root}{endpoint} kept failing for {spent:.0f} s (last: {last}); the "
                f"retry budget is {self.budget_s:g} s ({self.budget_source})",
                hint="what the server accepted is recorded: run the push again later",
            )
        self.counters.retries += 1
        self.counters.waited_s += delay
        logger.info("%s%s: %s; waiting %.1f s", self.root, endpoint, last, delay)
        await self._sleep(delay)


def _reply(response: httpx.Response) -> Reply:
    try:
        document = response.json()
    except ValueError:
        document = None
    return Reply(
        response.status_code,
        document,
        response.text[:300],
        response.headers.get("Location"),
    )
