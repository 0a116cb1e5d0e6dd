"""An adaptive request rate shared by every concurrent request of one client.

Apple throttles per developer token with 429s that carry no ``Retry-After`` and clear within a few
seconds, and publishes no numbers. So amsync finds the rate itself, the way TCP finds a link's
capacity:

- a pacer (GCRA, i.e. a token bucket expressed as a theoretical arrival time) spaces request
  starts at ``rate`` per second, and a semaphore bounds how many are in flight;
- **slow start**: until the first 429 the rate multiplies by ``slow_start_factor`` after every
  ``increase_interval_s`` in which the pacer was the bottleneck; the first 429 divides it back to
  the last rate that went through, and ``slow_start_exit`` below that (that step may have ridden
  on the server's burst, which is now spent);
- **AIMD** afterwards: each 429 multiplies the rate by ``decrease_factor`` (once per
  ``increase_interval_s`` — 429s for requests sent before the last decrease are ignored), and each
  interval of sustained success (at least ``increase_min_successes`` requests, so slow limits
  are probed as gently per request as fast ones) adds ``increase_fraction`` × the rate at the
  last decrease.

``AdaptiveRate`` is pure (time is passed in), so it can be simulated; ``RequestPacer`` is its
asyncio wrapper.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

logger = logging.getLogger("amsync.api")


@dataclass(frozen=True, slots=True)
class RateSettings:
    """Parameters of the adaptive rate (requests per second). See the module docstring."""

    initial_rate: float = 8.0
    min_rate: float = 0.5
    max_rate: float = 200.0
    slow_start_factor: float = 1.5
    slow_start_exit: float = 0.9
    decrease_factor: float = 0.9
    increase_fraction: float = 0.005
    increase_interval_s: float = 1.0
    increase_min_successes: int = 20
    burst: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.min_rate <= self.initial_rate <= self.max_rate:
            raise ValueError("rates must satisfy 0 < min_rate <= initial_rate <= max_rate")
        if not 0 < self.decrease_factor < 1:
            raise ValueError("decrease_factor must be between 0 and 1")
        if not 0 < self.slow_start_exit <= 1:
            raise ValueError("slow_start_exit must be in (0, 1]")
        if self.slow_start_factor < 1 or self.increase_fraction < 0:
            raise ValueError("slow_start_factor must be >= 1 and increase_fraction >= 0")
        if self.increase_interval_s <= 0 or self.burst < 1:
            raise ValueError("increase_interval_s must be > 0 and burst >= 1")


class AdaptiveRate:
    """The rate controller; every method takes the current time (seconds, monotonic)."""

    def __init__(self, settings: RateSettings, now: float) -> None:
        self.settings = settings
        self.rate = settings.initial_rate
        self.slow_start = True
        self._tat = now
        self._last_change = now
        self._last_decrease = -math.inf
        self._base_rate = settings.initial_rate
        self._bottleneck = False
        self._successes = 0

    def reserve(self, now: float) -> float:
        """Book the next start slot; returns the time at which the request may be sent."""
        interval = 1.0 / self.rate
        tolerance = (self.settings.burst - 1.0) * interval
        start = max(now, self._tat - tolerance)
        self._tat = max(self._tat, start) + interval
        if start > now:
            self._bottleneck = True
        return start

    def record_success(self, now: float) -> None:
        settings = self.settings
        self._successes += 1
        if now - self._last_change < settings.increase_interval_s or not self._bottleneck:
            return
        if not self.slow_start and self._successes < settings.increase_min_successes:
            return
        if self.slow_start:
            self.rate = min(settings.max_rate, self.rate * settings.slow_start_factor)
        else:
            step = max(settings.increase_fraction * self._base_rate, 0.01)
            self.rate = min(settings.max_rate, self.rate + step)
        self._last_change = now
        self._bottleneck = False
        self._successes = 0

    def record_throttled(self, reserved_at: float, now: float) -> bool:
        """A 429 for a request whose slot was booked at ``reserved_at``; returns whether the
        rate was lowered. Requests booked before the last decrease went out at the old pace, so
        their 429s say nothing new."""
        settings = self.settings
        if reserved_at < self._last_decrease:
            return False
        if self.slow_start:
            # The last step that went through may have ridden on the server's burst: leave
            # slow start below it, so that the emptied bucket can refill.
            self.slow_start = False
            self.rate = max(
                settings.min_rate,
                self.rate / settings.slow_start_factor * settings.slow_start_exit,
            )
        else:
            self.rate = max(settings.min_rate, self.rate * settings.decrease_factor)
        self._base_rate = self.rate
        self._last_decrease = now
        self._last_change = now
        self._bottleneck = False
        # slots booked before now went out at the old pace: leave one new interval of quiet
        self._tat = max(self._tat, now) + 1.0 / self.rate
        return True


class RequestTicket:
    """Handed to one request: report how it went so the shared rate adapts."""

    __slots__ = ("_pacer", "reserved_at")

    def __init__(self, pacer: RequestPacer, reserved_at: float) -> None:
        self._pacer = pacer
        self.reserved_at = reserved_at

    def succeeded(self) -> None:
        self._pacer.control.record_success(self._pacer.clock())

    def throttled(self) -> None:
        control = self._pacer.control
        if control.record_throttled(self.reserved_at, self._pacer.clock()):
            logger.info("throttled (429): slowing down to %.1f requests/s", control.rate)


class RequestPacer:
    """The asyncio side: a concurrency semaphore plus waiting for the controller's start slot."""

    def __init__(
        self,
        settings: RateSettings,
        max_concurrency: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.clock = clock
        self._sleep = sleep
        self.control = AdaptiveRate(settings, clock())
        self._slots = asyncio.Semaphore(max_concurrency)

    @property
    def rate(self) -> float:
        return self.control.rate

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[RequestTicket]:
        async with self._slots:
            reserved_at = self.clock()
            delay = self.control.reserve(reserved_at) - reserved_at
            if delay > 0:
                await self._sleep(delay)
            yield RequestTicket(self, reserved_at)
