"""Which failures are retried, how often and how long — one small table.

Every transient failure is retried with exponential backoff and *full jitter* (a random sleep
between 0 and ``min(cap, base × 2^n)``), and all retries of one request stop when the next sleep
would pass ``budget_s`` (``AMSYNC_RETRY_BUDGET``, default 60 s); then the request fails with
``TransientApiError`` (exit 75) naming the endpoint and the last status. A 429 also lowers the
shared request rate (``rate.py``), so the retry and everything else slows down.

=========== ================================================ ========= ====== =====
failure     what                                             attempts  base s cap s
=========== ================================================ ========= ====== =====
transport   connect/read/write errors, timeouts, dropped         8      0.5    8
            connections, bodies cut short
server      HTTP 500, 502, 503, 504                              8      1.0   16
throttled   HTTP 429 (Apple sends no Retry-After; clears in     40      0.25   4
            0.5–3.5 s, so the budget is the real limit)
truncated   HTTP 2xx whose body is not a JSON object              3      0.25   1
=========== ================================================ ========= ====== =====

Attempts are counted per kind of failure (a request throttled ten times may still meet its
first 503), and the budget caps them all.

Not retried here: 401/403 (one re-sign / probe, see ``session.py``), other 4xx, 404 (a listing
retries a mid-list 404 itself, ``pagination.py``).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Failure(StrEnum):
    TRANSPORT = "transport"
    SERVER = "server"
    THROTTLED = "throttled"
    TRUNCATED = "truncated"


RETRIED_STATUSES: Mapping[int, Failure] = MappingProxyType(
    {
        429: Failure.THROTTLED,
        500: Failure.SERVER,
        502: Failure.SERVER,
        503: Failure.SERVER,
        504: Failure.SERVER,
    }
)


@dataclass(frozen=True, slots=True)
class RetryRule:
    """How one kind of failure is retried. ``max_attempts`` counts the first try."""

    what: str
    max_attempts: int
    backoff_base_s: float
    backoff_cap_s: float

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base × 2^(retry_number-1))]."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** max(0, retry_number - 1))
        return rng.uniform(0.0, ceiling)


DEFAULT_RULES: Mapping[Failure, RetryRule] = MappingProxyType(
    {
        Failure.TRANSPORT: RetryRule(
            "connect/read/write errors, timeouts, dropped connections, bodies cut short",
            max_attempts=8,
            backoff_base_s=0.5,
            backoff_cap_s=8.0,
        ),
        Failure.SERVER: RetryRule(
            "HTTP 500, 502, 503, 504", max_attempts=8, backoff_base_s=1.0, backoff_cap_s=16.0
        ),
        Failure.THROTTLED: RetryRule(
            "HTTP 429 (no Retry-After; the shared request rate is lowered as well)",
            max_attempts=40,
            backoff_base_s=0.25,
            backoff_cap_s=4.0,
        ),
        Failure.TRUNCATED: RetryRule(
            "HTTP 2xx whose body is not a JSON object",
            max_attempts=3,
            backoff_base_s=0.25,
            backoff_cap_s=1.0,
        ),
    }
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The retry table plus the total time cap for one request's retries."""

    budget_s: float = 60.0
    rules: Mapping[Failure, RetryRule] = field(default_factory=lambda: DEFAULT_RULES)

    def rule(self, failure: Failure) -> RetryRule:
        return self.rules.get(failure, DEFAULT_RULES[failure])


class RetryableFailure(Exception):
    """Raised inside one attempt for a failure the policy may retry (never leaves the client)."""

    def __init__(self, failure: Failure, status: int | None, reason: str) -> None:
        super().__init__(reason)
        self.failure = failure
        self.status = status
        self.reason = reason
