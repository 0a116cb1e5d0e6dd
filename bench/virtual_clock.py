"""An asyncio event loop on virtual time: waiting costs no wall time and computing costs no
virtual time.

When nothing is ready to run, the loop does not sleep: it moves its clock to the next timer
(an ``asyncio.sleep``, a latency, the pacer's next slot). So a sync run on it against the
in-process emulator takes exactly as long, in virtual seconds, as its schedule of requests
needs — the server's latency and the rate limit — and nothing for the CPU it spends or the load
of the machine. What remains above the physical limit (minimum requests ÷ rate) is the sync's
own structure: chains waiting for each other, slots left empty. Only for code that does no
real I/O on the loop (the in-process transport); threads still work, in real time.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualClockLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        ready: list[Any] = super().select(0)  # real events (a thread's wake-up) first
        if ready:
            return ready
        if timeout is None:  # no timer at all: only a thread can wake the loop
            return list(super().select(None))
        if timeout > 0 and self.loop is not None:
            self.loop.advance(timeout)
        return []


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """``start``: the virtual time to begin at (one loop per run, on one continuing clock)."""

    def __init__(self, start: float = 0.0) -> None:
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self
        self._virtual_now = start

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        self._virtual_now += seconds


class VirtualClock:
    """One virtual clock for several runs, each on a loop of its own: time goes on from one
    run to the next (plus a pause between them), as it does for a server's rate limit."""

    def __init__(self) -> None:
        self.now = 0.0

    def run(self, coroutine: Coroutine[Any, Any, T], *, pause_before: float = 0.0) -> T:
        loop = VirtualClockLoop(self.now + pause_before)
        try:
            return loop.run_until_complete(coroutine)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            self.now = loop.time()
            loop.close()
