"""Progress reporting: the library never prints; it calls a callback the CLI renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """``phase`` names a collection or step (``"songs"``, ``"playlist tracks"``, ``"apply"``);
    ``done``/``total`` count items (``total`` may be unknown); ``requests`` is the running
    request count of the API client."""

    phase: str
    done: int
    total: int | None = None
    requests: int = 0
    message: str | None = None


ProgressCallback = Callable[[ProgressEvent], None]


def no_progress(_event: ProgressEvent) -> None:
    """The default progress callback: ignores every event."""
