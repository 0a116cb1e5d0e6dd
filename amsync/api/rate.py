"""An adaptive request rate shared by every concurrent request of one client.

Apple throttles per developer token with 429s that carry no ``Retry-After`` and clear within a few
seconds, and publishes no numbers. So amsync finds the rate itself, the way TCP finds a link's
capacity:

- a pacer (GCRA, i.e. a token bucket expressed as a theoretical arrival time) spaces request
  starts at ``rate`` per second, and ``RequestSlots`` bound how many are in flight (requests
  marked ``background`` wait until no other request waits);
- **slow start**: until the first 429 the rate multiplies by ``slow_start_factor`` after every
  ``increase_interval_s`` in which the pacer was the bottleneck; the first 429 divides it back to
  the last rate that went through, and ``slow_start_exit`` below that (that step may have ridden
  on the server's burst, which is now spent);
- **AIMD** afterwards: each 429 multiplies the rate by ``decrease_factor`` (once per
  ``increase_interval_s`` — 429s for requests sent before the last decrease are ignored), and each
  interval of sustained success (at least ``increase_min_successes`` requests, so slow limits
  are probed as gently per request as fast ones) adds ``increase_fraction`` × the rate at the
  last decrease.

**Starting where an earlier run ended**: a caller that remembers what an earlier run found
(``AdaptiveRate.learned()``, a ``LearnedRate``) passes it back as ``start``. The rate then starts
there instead of at ``initial_rate`` — still probing upwards in slow start when the earlier run met
no limit, in AIMD when it did — and is on probation until it has gone through here for one
``increase_interval_s`` as the bottleneck: a 429 before that (the memory is stale: the limit fell,
or another client now shares the token) multiplies it by ``resume_backoff`` (halves it) at once;
slow start then climbs back, no higher than one AIMD step below the rate that met the 429, and
AIMD goes on from there (so a memory a little too high costs a few seconds, not the run).
Without ``start`` nothing changes. Where the memory is kept is not this module's business (the CLI
keeps it in the home: ``amsync.config.rate_memory``).

``AdaptiveRate`` is pure (time is passed in), so it can be simulated; ``RequestPacer`` is its
asyncio wrapper.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
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
    resume_backoff: float = 0.5

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
        if not 0 < self.resume_backoff < 1:
            raise ValueError("resume_backoff must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class LearnedRate:
    """What a run found out about the rate, to start the next run with.

    ``rate``: requests per second that went through; ``limited``: whether it was found by meeting
    the limit (429s) — the next run then resumes in AIMD at ``rate`` — or is only a rate that
    went through without one, from which the next run keeps probing upwards (slow start)."""

    rate: float
    limited: bool

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ValueError("a learned rate must be a positive number")


class AdaptiveRate:
    """The rate controller; every method takes the current time (seconds, monotonic).

    ``start``: where an earlier run ended (see the module docstring); ``None`` is a cold start
    at ``settings.initial_rate``."""

    def __init__(
        self, settings: RateSettings, now: float, start: LearnedRate | None = None
    ) -> None:
        self.settings = settings
        self.rate = settings.initial_rate
        self.slow_start = True
        self.on_probation = False  # a remembered start rate that has not gone through yet
        self._start = start
        if start is not None:
            self.rate = min(settings.max_rate, max(settings.min_rate, start.rate))
            self.slow_start = not start.limited
            self.on_probation = True
        self._tat = now
        self._last_change = now
        self._last_decrease = -math.inf
        self._base_rate = self.rate
        self._bottleneck = False
        self._successes = 0
        self._tested = False  # a whole interval went through with the pacer as the bottleneck
        self._throttled = False  # a 429 lowered the rate in this run
        self._ceiling: float | None = None  # slow start after a stale start stops here
        self._window = (now, 0)  # (start, successes) of the current throughput window
        self._peak = 0.0  # the most successes per second over a whole window
        self._met = 0.0  # the rate that met the last 429 that lowered the rate
        self._succeeded = 0  # requests that went through in this run

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
        self._succeeded += 1
        began, count = self._window
        if now - began >= settings.increase_interval_s:
            self._peak = max(self._peak, (count + 1) / (now - began))
            self._window = (now, 0)
        else:
            self._window = (began, count + 1)
        if now - self._last_change < settings.increase_interval_s or not self._bottleneck:
            return
        if not self.slow_start and self._successes < settings.increase_min_successes:
            return
        self._tested = True
        self.on_probation = False
        if self.slow_start:
            self.rate = min(settings.max_rate, self.rate * settings.slow_start_factor)
            if self._ceiling is not None and self.rate >= self._ceiling:
                # back near the rate that met the 429: on from there in AIMD
                self.rate, self.slow_start, self._ceiling = self._ceiling, False, None
                self._base_rate = self.rate
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
        met = 0.0  # the rate that met this 429, when it is a saw-tooth's top (AIMD only)
        if self.on_probation:
            # The remembered start rate met a 429 before it went through here: the memory is
            # stale (a lower limit, or another client sharing the token). Halve it at once, then
            # climb back in slow start, no higher than one AIMD step below the rate that met it.
            self.on_probation = False
            self.slow_start = True
            self._ceiling = self.rate * settings.decrease_factor
            self.rate = max(settings.min_rate, self.rate * settings.resume_backoff)
        elif self.slow_start:
            # The last step that went through may have ridden on the server's burst: leave
            # slow start below it, so that the emptied bucket can refill.
            self.slow_start = False
            self._ceiling = None
            self.rate = max(
                settings.min_rate,
                self.rate / settings.slow_start_factor * settings.slow_start_exit,
            )
        else:
            met = self.rate
            self.rate = max(settings.min_rate, self.rate * settings.decrease_factor)
        self._base_rate = self.rate
        self._last_decrease = now
        self._last_change = now
        self._bottleneck = False
        self._throttled = True
        self._met = met
        # slots booked before now went out at the old pace: leave one new interval of quiet
        self._tat = max(self._tat, now) + 1.0 / self.rate
        return True

    def learned(self) -> LearnedRate | None:
        """What this run found, for the next run's ``start``.

        - Once a 429 was met (``limited``): the middle of AIMD's saw-tooth — halfway between the
          rate that met the last AIMD decrease's 429 and that rate after the decrease — unless
          AIMD has climbed past it since (or the only 429s ended slow start: AIMD's rate);
          not wherever the saw-tooth happened to be when the run ended.
        - Without one, once the rate was tested (a whole interval with the pacer as the
          bottleneck): the rate slow start had reached — from which the next run probes on —
          but no more than two slow-start steps above the most requests that succeeded in one
          interval (per second): a pacer that ran far ahead of what the server's latency
          allowed is not taken for a rate that went through.
        - A warm run that met no 429 and never tested the rate (too short), but sent at least
          ``increase_min_successes`` requests at it: the rate it started from, confirmed.
        - Otherwise ``None``: the run says nothing about the rate, and an earlier memory stays
          as it was."""
        settings = self.settings
        if self._throttled or (not self.slow_start and self._tested):
            middle = self._met * (1.0 + settings.decrease_factor) / 2.0
            rate = min(settings.max_rate, max(self.rate, middle))
            return LearnedRate(max(settings.min_rate, rate), limited=True)
        if self._tested:
            went = min(self.rate, self._peak * settings.slow_start_factor**2)
            return LearnedRate(max(settings.initial_rate, went), limited=False)
        if self._start is not None and self._succeeded >= settings.increase_min_successes:
            return LearnedRate(self.rate, self._start.limited)
        return None


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


class RequestSlots:
    """At most ``size`` requests at once; waiters get a slot in the order they came, except
    that ``background`` ones wait until no other request waits (nothing depends on them)."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),
            deque(),
        )

    async def acquire(self, *, background: bool = False) -> None:
        if self._free > 0 and not any(self._waiting):
            self._free -= 1
            return
        queue = self._waiting[1 if background else 0]
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(ticket)
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                self.release()  # the slot was handed over just as the waiter was cancelled
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(ticket)
            raise

    def release(self) -> None:
        """Hand the slot to the first waiter (foreground before background), else free it."""
        for queue in self._waiting:
            while queue:
                ticket = queue.popleft()
                if not ticket.done():
                    ticket.set_result(None)
                    return
        self._free += 1


class RequestPacer:
    """The asyncio side: bounded request slots plus waiting for the controller's start slot."""

    def __init__(
        self,
        settings: RateSettings,
        max_concurrency: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        start: LearnedRate | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.clock = clock
        self._sleep = sleep
        self._settings = settings
        self._start = start
        self._used = False
        self.control = AdaptiveRate(settings, clock(), start)
        self._slots = RequestSlots(max_concurrency)

    @property
    def rate(self) -> float:
        return self.control.rate

    @asynccontextmanager
    async def slot(self, *, background: bool = False) -> AsyncIterator[RequestTicket]:
        """A request slot and its start time; ``background`` requests let every other waiting
        request go first (``RequestSlots``)."""
        await self._slots.acquire(background=background)
        try:
            reserved_at = self.clock()
            if not self._used:  # intervals count from the first request, not from set-up
                self._used = True
                self.control = AdaptiveRate(self._settings, reserved_at, self._start)
            delay = self.control.reserve(reserved_at) - reserved_at
            if delay > 0:
                await self._sleep(delay)
            yield RequestTicket(self, reserved_at)
        finally:
            self._slots.release()
