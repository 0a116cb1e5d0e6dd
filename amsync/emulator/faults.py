"""Fault injection: :class:`FaultConfig` (what to inject) and :class:`FaultDecider` (when).

Every probabilistic decision is a hash of (seed, fault kind, method, path+query, how many times
that exact request has been seen before), never a shared random stream, so concurrent runs with
the same seed and the same requests get the same faults in any interleaving. Short pages and
transient 404s strike only the first time a request is seen, so a retry recovers. Rate limiting
is a token bucket in wall-clock time (429 body code 42900, no Retry-After) and is therefore not
seed-reproducible. Faults never apply to ``/_emulator/*``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass


@dataclass
class FaultConfig:
    """Switches for every fault kind plus a few server limits; mutable between runs."""

    seed: int = 0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate_limit_rps: float | None = None
    rate_limit_burst: int | None = None  # default: max(1, rate_limit_rps)
    error_rate: float = 0.0  # random 500 / 503 / 504
    drop_rate: float = 0.0  # connection closed without a response
    truncate_rate: float = 0.0  # body cut short
    short_page_rate: float = 0.0  # listing page missing a few items (first time only)
    transient_404_rate: float = 0.0  # page at offset > 0 answers 404 (first time only)
    fault_rate: float | None = None  # shorthand: minimum rate for the five kinds above
    developer_token_expires_after: int | None = None  # requests
    developer_token_expires_at: float | None = None  # epoch seconds
    music_user_token_revoked_after: int | None = None  # requests
    music_user_token_revoked_at: float | None = None  # epoch seconds
    empty_library: bool = False
    ignore_writes: bool = False  # ratings PUT/DELETE, favorites POST succeed but change nothing
    paths: tuple[str, ...] | None = None  # path prefixes faults apply to; None = all of /v1
    empty_401_body: bool = False
    no_subscription: bool = False  # /v1/me/library* answers 401; /v1/test, storefront work
    clock_offset_s: float = 0.0  # the server's clock (Date header, token times) runs this far off
    page_404_body: str = "errors"  # "errors" (Apple 40400 body) or "braces" ({})
    catalog_504_above: int = 200  # catalog songs multi-get: 504 above this many ids
    catalog_400_above: int = 300  # any catalog multi-get: 400 above this many ids
    ratings_max_ids: int = 200
    replay_absent: str = "404"  # no Replay summary: "404" or "empty" ({"data": []})

    def rate(self, kind: str) -> float:
        """Effective probability of one fault kind (``fault_rate`` raises every kind)."""
        own = float(getattr(self, f"{kind}_rate"))
        return max(own, self.fault_rate or 0.0)


def _unit(*parts: object) -> float:
    """A number in [0, 1) determined by the parts."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class TokenBucket:
    def __init__(self) -> None:
        self._tokens = 0.0
        self._stamp = 0.0
        self._config: tuple[float, float] | None = None

    def take(self, rps: float, burst: float, now: float) -> bool:
        if self._config != (rps, burst):
            self._config = (rps, burst)
            self._tokens = burst
            self._stamp = now
        self._tokens = min(burst, self._tokens + (now - self._stamp) * rps)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


@dataclass(frozen=True, slots=True)
class Decision:
    """The faults chosen for one request."""

    delay: float = 0.0
    throttled: bool = False
    drop: bool = False
    error_status: int | None = None
    truncate: bool = False
    short_page_drop: tuple[int, ...] = ()  # indices (into the page) to leave out
    transient_404: bool = False


class FaultDecider:
    """Counts requests and decides faults; thread-safe."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._bucket = TokenBucket()
        self.requests = 0

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self.requests = 0

    def applies(self, path: str) -> bool:
        if path.startswith("/_emulator"):
            return False
        prefixes = self.config.paths
        return prefixes is None or any(path.startswith(p) for p in prefixes)

    def count(self) -> int:
        """Count one API request; returns how many were seen including this one."""
        with self._lock:
            self.requests += 1
            return self.requests

    def decide(self, method: str, path: str, target: str, offset: int | None) -> Decision:
        """Faults for one request (``offset`` is the page offset for listings, else None)."""
        cfg = self.config
        with self._lock:
            key = (method, target)
            nth = self._seen.get(key, 0)
            self._seen[key] = nth + 1
            throttled = False
            if cfg.rate_limit_rps and self.applies(path):
                burst = float(cfg.rate_limit_burst or max(1.0, cfg.rate_limit_rps))
                throttled = not self._bucket.take(cfg.rate_limit_rps, burst, time.monotonic())
        delay = 0.0
        if cfg.latency_ms or cfg.jitter_ms:
            jitter = cfg.jitter_ms * (2 * _unit(cfg.seed, "jitter", method, target, nth) - 1)
            delay = max(0.0, cfg.latency_ms + jitter) / 1000.0
        if not self.applies(path):
            return Decision(delay=delay)

        def hit(kind: str) -> bool:
            rate = cfg.rate(kind)
            return rate > 0 and _unit(cfg.seed, kind, method, target, nth) < rate

        error_status = None
        if hit("error"):
            error_status = (500, 503, 504)[int(_unit(cfg.seed, "which", target, nth) * 3)]
        short: tuple[int, ...] = ()
        if offset is not None and nth == 0 and hit("short_page"):
            count = 1 + int(_unit(cfg.seed, "short-count", target) * 3)
            short = tuple(int(_unit(cfg.seed, "short", target, i) * 1000) for i in range(count))
        return Decision(
            delay=delay,
            throttled=throttled,
            drop=hit("drop"),
            error_status=error_status,
            truncate=hit("truncate"),
            short_page_drop=short,
            transient_404=bool(offset) and nth == 0 and hit("transient_404"),
        )
