"""The fetch phase's progress: one row per phase, its items, its requests, the fewest to go.

Phases (``PHASES``, in a fixed order so a display keeps its rows): each counts its own requests
(``RequestTally``, filled by the client), knows its total from Apple's ``meta.total`` as soon as
its first page arrives (music videos apart from songs), and knows the fewest requests it still
needs (pages left of known totals, a request per playlist still to list, ratings batches).
Events come with every page and, while requests are under way, twice a second; a finished phase
says so, and is logged at INFO (``-v``) with its counts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Final, TypeVar

from amsync.domain import ProgressCallback, ProgressEvent
from amsync.domain.ports import LibraryReader
from amsync.domain.progress import RequestTally, counting

PHASES: Final = (
    "songs",
    "music videos",
    "albums",
    "artists",
    "playlists",
    "folders",
    "playlist tracks",
    "song ratings",
    "album ratings",
    "playlist ratings",
    "catalog",
)
LISTINGS: Final = frozenset({"songs", "music videos", "albums", "artists", "playlists"})
RATED_BY: Final = {
    "song ratings": "songs",
    "album ratings": "albums",
    "playlist ratings": "playlists",
}
TICK_S: Final = 0.5

logger = logging.getLogger("amsync.sync")
R = TypeVar("R")


@dataclass(slots=True)
class Phase:
    """One phase's progress: items done of a total, its request tally, its state."""

    name: str
    tally: RequestTally = field(default_factory=RequestTally)
    done: int = 0
    total: int | None = None
    listings_expected: int | None = None  # playlist tracks: one listing per playlist
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.finished_at is None


class PhaseBoard:
    """The phases of one fetch and the events that tell them."""

    def __init__(self, api: LibraryReader, progress: ProgressCallback) -> None:
        self.api = api
        self.progress = progress
        self.phases = {name: Phase(name) for name in PHASES}

    def __getitem__(self, name: str) -> Phase:
        return self.phases[name]

    def announce(self) -> None:
        for name in PHASES:
            self.tell(name)

    async def run(self, name: str, work: Awaitable[R]) -> R:
        """Run ``work`` as phase ``name``: its requests counted in its tally, its end told."""
        self.begin(name)
        with counting(self.phases[name].tally):
            result = await work
        self.finish(name)
        return result

    def begin(self, name: str) -> None:
        phase = self.phases[name]
        if phase.started_at is None:
            phase.started_at = time.monotonic()
            self.tell(name)

    def finish(self, name: str) -> None:
        phase = self.phases[name]
        self.begin(name)
        phase.finished_at = time.monotonic()
        if phase.total is None:
            phase.total = phase.done
        self.tell(name)
        tally = phase.tally
        logger.info(
            "%s: %d of %d in %d request(s) (%d throttled, %d retried), %.1f s",
            name,
            phase.done,
            phase.total,
            tally.requests,
            tally.throttled,
            tally.retries,
            phase.finished_at - (phase.started_at or phase.finished_at),
        )

    def remaining(self, phase: Phase) -> int:
        """The fewest requests ``phase`` still needs, as far as is known."""
        if phase.finished_at is not None:
            return 0
        tally = phase.tally
        if phase.name in RATED_BY:  # batches of the items listed (or still to be listed)
            items = phase.total
            if items is None:
                items = self.phases[RATED_BY[phase.name]].total
            if items is None:
                return 1
            batch = max(1, self.api.ratings_batch_size)
            left = max(0, math.ceil(items / batch) - tally.pages_done)
            return left if phase.started_at is not None else max(1, left)
        if phase.name == "catalog":
            return tally.pages_left
        if phase.name == "playlist tracks":  # one listing per playlist, then their pages
            expected = phase.listings_expected
            if expected is None:
                expected = self.phases["playlists"].total or 1
            return tally.pages_left + max(0, expected - tally.listings)
        if phase.started_at is None or tally.listings == 0:
            return 1
        return tally.pages_left

    def tell(self, name: str) -> None:
        phase = self.phases[name]
        if name in LISTINGS and phase.tally.total is not None:
            phase.total = phase.tally.total  # Apple's meta.total, from the first page on
        self.progress(
            ProgressEvent(
                phase=name,
                done=phase.done,
                total=phase.total,
                requests=self.api.stats.requests,
                phase_requests=phase.tally.requests,
                remaining_requests=self.remaining(phase),
                finished=phase.finished_at is not None,
            )
        )

    async def tick(self) -> None:
        """While the fetch runs, tell every unfinished phase's counts twice a second."""
        while True:
            await asyncio.sleep(TICK_S)
            for phase in self.phases.values():
                if phase.finished_at is None:
                    self.tell(phase.name)  # waiting phases too: their estimates follow totals
