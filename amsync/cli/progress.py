"""A progress display for long runs: one bar per collection, on stderr, only on a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from amsync.domain import ProgressEvent


class ProgressDisplay:
    """Renders ``ProgressEvent``s; does nothing when disabled or stderr is not a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        if self.enabled:
            self._progress = Progress(
                TextColumn("{task.description:<16}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[requests]} requests"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __call__(self, event: ProgressEvent) -> None:
        if self._progress is None:
            return
        task = self._tasks.get(event.phase)
        if task is None:
            task = self._progress.add_task(event.phase, total=event.total, requests=0)
            self._tasks[event.phase] = task
        self._progress.update(
            task, completed=event.done, total=event.total, requests=event.requests
        )

    def __enter__(self) -> Self:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
