"""Thread-safe record of every request the emulator answered."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LogEntry:
    method: str
    path: str
    query: str
    status: int  # 0 when the connection was dropped without an answer
    seconds: float
    endpoint: str  # e.g. "GET /v1/me/library/songs/{id}"


class RequestLog:
    """Entries in arrival order of completion; ``endpoint`` keys use route templates."""

    def __init__(self) -> None:
        self._entries: list[LogEntry] = []
        self._lock = threading.Lock()

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LogEntry]:
        with self._lock:
            return list(self._entries)

    def count(
        self, method: str | None = None, endpoint: str | None = None, status: int | None = None
    ) -> int:
        """How many requests match; ``endpoint`` may be "GET /v1/…" or just the path template."""
        total = 0
        for entry in self.entries:
            if method is not None and entry.method != method.upper():
                continue
            if endpoint is not None and endpoint not in (
                entry.endpoint,
                entry.endpoint[1 + len(entry.method) :],
            ):
                continue
            if status is not None and entry.status != status:
                continue
            total += 1
        return total

    def by_endpoint(self) -> dict[str, int]:
        return dict(Counter(e.endpoint for e in self.entries))

    def by_status(self) -> dict[int, int]:
        return dict(Counter(e.status for e in self.entries))

    def writes(self) -> list[LogEntry]:
        """Non-GET requests."""
        return [e for e in self.entries if e.method not in ("GET", "HEAD")]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
