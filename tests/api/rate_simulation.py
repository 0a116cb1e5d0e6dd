"""A discrete-event simulation of AdaptiveRate against a token-bucket-limited server."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

from amsync.api.rate import AdaptiveRate, LearnedRate, RateSettings


@dataclass
class SimulationResult:
    successes: int
    throttled: int
    elapsed_s: float
    final_rate: float
    learned: LearnedRate | None = None

    @property
    def requests(self) -> int:
        return self.successes + self.throttled

    def throughput(self) -> float:
        return self.successes / self.elapsed_s

    def throttled_share(self) -> float:
        return self.throttled / self.requests


def simulate(
    settings: RateSettings,
    *,
    limit: float = 20.0,
    capacity: float = 5.0,
    successes: int = 2500,
    concurrency: int = 8,
    latency: tuple[float, float] = (0.08, 0.3),
    retry_base_s: float = 0.25,
    retry_cap_s: float = 4.0,
    seed: int = 1,
    start: LearnedRate | None = None,
) -> SimulationResult:
    """Run ``concurrency`` workers until ``successes`` requests went through.

    The server admits a request when its bucket (refilled at ``limit``/s up to ``capacity``)
    holds a token, else answers 429 without taking one. A throttled request is retried after a
    full-jitter exponential backoff, like the client does.
    """
    rng = random.Random(seed)
    control = AdaptiveRate(settings, 0.0, start)
    tokens = capacity
    bucket_time = 0.0
    done = throttled = 0
    # events: (time, seq, worker, kind, attempt, reserved_at)
    # kind: "ready" | "response-ok" | "response-429"
    events: list[tuple[float, int, int, str, int, float]] = []
    seq = 0
    for worker in range(concurrency):
        heapq.heappush(events, (0.0, seq, worker, "ready", 0, 0.0))
        seq += 1
    now = 0.0
    issued = 0
    while events and done < successes:
        now, _, worker, kind, attempt, reserved_at = heapq.heappop(events)
        if kind == "ready":
            if attempt == 0 and issued >= successes:
                continue
            if attempt == 0:
                issued += 1
            start = control.reserve(now)
            tokens = min(capacity, tokens + (start - bucket_time) * limit)
            bucket_time = start
            ok = tokens >= 1.0
            if ok:
                tokens -= 1.0
            arrive = start + rng.uniform(*latency)
            outcome = "response-ok" if ok else "response-429"
            heapq.heappush(events, (arrive, seq, worker, outcome, attempt, now))
        elif kind == "response-ok":
            done += 1
            control.record_success(now)
            heapq.heappush(events, (now, seq, worker, "ready", 0, 0.0))
        else:
            throttled += 1
            control.record_throttled(reserved_at, now)
            backoff = rng.uniform(0, min(retry_cap_s, retry_base_s * 2**attempt))
            heapq.heappush(events, (now + backoff, seq, worker, "ready", attempt + 1, 0.0))
        seq += 1
    return SimulationResult(done, throttled, now, control.rate, control.learned())
