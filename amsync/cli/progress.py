"""A progress display for long runs, on stderr, only on a terminal.

One row per phase, in the order the use-case announced them (a sync announces all its phases at
the start, so rows never move), with columns of fixed width:

    songs            ████████████░░░░░░░░░░░░   8,300 / 20,000     84 req  0:04
    music videos     ░░░░░░░░░░░░░░░░░░░░░░░░       0 / …           0 req  waiting
    albums           ████████████████████████   2,000 / 2,000      20 req  done 1.9s
    312 requests · 19.8/s · at least 188 more · about 0:10 left · throttled — slowing down

- the total is Apple's ``meta.total`` as soon as the first page arrives (``…`` before), and a
  bar fills only against a known total;
- a finished phase says ``done`` with its duration; its requests are its own, not the
  client's running count;
- the last line: the client's requests, the current rate (over the last five seconds), the
  fewest requests still to go (the phases' ``remaining_requests``) and the time they take at
  that rate, and ``throttled — slowing down`` while 429s arrive (one in the last three
  seconds).

``ProgressBoard`` holds the state and renders text lines (pure, tested with a fake clock);
``ProgressDisplay`` feeds it events and polls the client, and shows it with ``rich.live``.
Without a terminal, or disabled (``-q``, ``--json``), nothing is drawn: ``-v`` then prints one
line per finished phase through the log.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Final, Protocol, Self

from amsync.domain import ProgressEvent

if TYPE_CHECKING:
    from rich.live import Live
    from rich.text import Text

NAME_WIDTH: Final = 16
COUNT_WIDTH: Final = 7
BAR_MIN: Final = 10
BAR_MAX: Final = 40
RATE_WINDOW_S: Final = 5.0
THROTTLE_SHOWN_S: Final = 3.0
FILLED: Final = "█"
EMPTY: Final = "░"


class _Counters(Protocol):
    @property
    def requests(self) -> int: ...

    @property
    def throttled(self) -> int: ...


class ClientStats(Protocol):
    """What the display polls from the API client (``AppleMusicClient`` satisfies it)."""

    @property
    def stats(self) -> _Counters: ...


@dataclass(slots=True)
class _Row:
    name: str
    done: int = 0
    total: int | None = None
    requests: int | None = None
    remaining: int | None = None
    finished: bool = False
    started_at: float | None = None
    finished_at: float | None = None


def _clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def _count(value: int | None) -> str:
    return "…" if value is None else f"{value:,}"


class ProgressBoard:
    """The display's state and its text (see the module docstring)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, requests: bool = True
    ) -> None:
        self.clock = clock
        self.counts_requests = requests  # False: work without requests (a local scan)
        self.rows: dict[str, _Row] = {}
        self.requests = 0
        self.throttled = 0
        self._samples: deque[tuple[float, int]] = deque()
        self._throttled_at: float | None = None
        self._lock = threading.Lock()

    # --- input ---------------------------------------------------------------------------

    def update(self, event: ProgressEvent) -> None:
        now = self.clock()
        with self._lock:
            row = self.rows.get(event.phase)
            if row is None:
                row = self.rows[event.phase] = _Row(event.phase)
            if row.started_at is None and (
                event.done or event.phase_requests or event.finished or event.total is not None
            ):
                row.started_at = now
            row.done = event.done
            row.total = event.total if event.total is not None else row.total
            if event.phase_requests is not None:
                row.requests = event.phase_requests
            row.remaining = event.remaining_requests
            if event.finished and not row.finished:
                row.finished = True
                row.finished_at = now
                row.started_at = row.started_at or now
            self._observe(max(self.requests, event.requests), self.throttled, now)

    def poll(self, client: ClientStats) -> None:
        """Take the client's request and 429 counts (called on every refresh)."""
        stats = client.stats
        with self._lock:
            self._observe(int(stats.requests), int(stats.throttled), self.clock())

    def _observe(self, requests: int, throttled: int, now: float) -> None:
        if throttled > self.throttled:
            self._throttled_at = now
        self.requests, self.throttled = requests, throttled
        self._samples.append((now, requests))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW_S:
            self._samples.popleft()

    # --- derived ---------------------------------------------------------------------------

    def rate(self) -> float | None:
        """Requests per second over the last few seconds (``None`` until measurable)."""
        if len(self._samples) < 2:
            return None
        (t0, r0), (t1, r1) = self._samples[0], self._samples[-1]
        if t1 - t0 < 0.5:
            return None
        return (r1 - r0) / (t1 - t0)

    def remaining(self) -> int | None:
        known = [row.remaining for row in self.rows.values() if row.remaining is not None]
        return sum(known) if known else None

    def throttling(self) -> bool:
        at = self._throttled_at
        return at is not None and self.clock() - at <= THROTTLE_SHOWN_S

    # --- text ------------------------------------------------------------------------------

    def lines(self, width: int) -> list[str]:
        with self._lock:
            now = self.clock()
            bar = max(BAR_MIN, min(BAR_MAX, width - NAME_WIDTH - 2 * COUNT_WIDTH - 28))
            lines = [self._row_line(row, bar, now) for row in self.rows.values()]
            if self.counts_requests:
                lines.append(self._footer(width))
        return [line[:width] for line in lines]

    def _row_line(self, row: _Row, bar_width: int, now: float) -> str:
        name = row.name if len(row.name) <= NAME_WIDTH else row.name[: NAME_WIDTH - 1] + "…"
        if row.finished:
            filled = bar_width
        elif row.total:
            filled = min(bar_width, bar_width * row.done // row.total)
        else:
            filled = 0
        bar = FILLED * filled + EMPTY * (bar_width - filled)
        counts = f"{_count(row.done):>{COUNT_WIDTH}} / {_count(row.total):<{COUNT_WIDTH}}"
        requests = "" if row.requests is None else f"{row.requests:,}"
        if row.finished:
            took = (row.finished_at or now) - (row.started_at or now)
            state = f"done {took:.1f}s"
        elif row.started_at is None:
            state = "waiting"
        else:
            state = _clock_text(now - row.started_at)
        if not self.counts_requests:
            return f"{name:<{NAME_WIDTH}} {bar} {counts}  {state}".rstrip()
        return f"{name:<{NAME_WIDTH}} {bar} {counts} {requests:>6} req  {state}".rstrip()

    def _footer(self, width: int) -> str:
        """The last line; in short words when the long ones do not fit the width."""
        rate, remaining, throttling = self.rate(), self.remaining(), self.throttling()
        for short in (False, True):
            parts = [f"{self.requests:,} " + ("req" if short else "requests")]
            if rate is not None:
                parts.append(f"{rate:.1f}/s")
            if remaining:
                parts.append(f"≥{remaining:,} to go" if short else f"at least {remaining:,} more")
                if rate:
                    eta = _clock_text(remaining / rate)
                    parts.append(f"~{eta} left" if short else f"about {eta} left")
            if throttling:
                parts.append("throttled — slowing down")
            line = " · ".join(parts)
            if len(line) <= width:
                break
        return line


class ProgressDisplay:
    """Renders ``ProgressEvent``s on stderr; does nothing when disabled or stderr is not a
    terminal. ``client``: the API client whose request and 429 counts the last line shows."""

    def __init__(
        self, enabled: bool = True, *, client: ClientStats | None = None, requests: bool = True
    ) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.board = ProgressBoard(requests=requests)
        self._client = client
        self._live: Live | None = None

    def __call__(self, event: ProgressEvent) -> None:
        if self.enabled:
            self.board.update(event)

    def _renderable(self) -> Text:
        from rich.text import Text

        if self._client is not None:
            self.board.poll(self._client)
        width = self._live.console.width if self._live is not None else 80
        return Text("\n".join(self.board.lines(width)), no_wrap=True, overflow="crop")

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                get_renderable=self._renderable,
                console=Console(stderr=True),
                refresh_per_second=4,
                transient=True,
                redirect_stdout=False,
            )
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
