"""Ratings read while their listing is still going on.

Apple's ratings API takes up to ``ratings_batch_size`` (200) ids per request. A listing hands its
ids to a ``RatingsFeed`` page by page; every full batch is sent at once, as a task of its own,
and the last, partial batch when the listing has ended (``close``) — so the number of requests
is the fewest possible, ``ceil(ids / 200)``, and none of them waits for the listing's end.
Their requests are ``deferrable``: nothing else waits for them, so listings, folders and
playlist tracks go first and ratings fill the request slots that would otherwise stay empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from amsync.domain import ItemType
from amsync.domain.ports import LibraryReader
from amsync.domain.progress import counting, deferrable
from amsync.sync.fetch_progress import PhaseBoard


class RatingsFeed:
    """One rated collection (``song``, ``album``, ``playlist``): ids in, rating values out."""

    def __init__(self, api: LibraryReader, board: PhaseBoard, item_type: str) -> None:
        self.api = api
        self.board = board
        self.name = f"{item_type} ratings"
        self.rating_type = ItemType(item_type).library_rating_type
        self.values: dict[str, int] = {}
        self._batch = max(1, api.ratings_batch_size)
        self._pending: list[str] = []
        self._seen: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = asyncio.Event()

    def add(self, ids: Iterable[str]) -> None:
        """Ids from a listing page; each full batch is read at once."""
        if self._closed.is_set():
            raise RuntimeError(f"{self.name}: ids added after the listing ended")
        self._raise_failure()
        for item_id in ids:
            if item_id not in self._seen:
                self._seen.add(item_id)
                self._pending.append(item_id)
        while len(self._pending) >= self._batch:
            self._send(self._pending[: self._batch])
            del self._pending[: self._batch]

    def close(self) -> None:
        """The listing has ended: read the last, partial batch; the total is now known."""
        if self._closed.is_set():
            return
        self._closed.set()
        self.board[self.name].total = len(self._seen)
        if self._pending:
            self._send(self._pending)
            self._pending = []
        self.board.tell(self.name)

    async def finish(self) -> dict[str, int]:
        """Wait for the listing to end (``close``) and for every batch; the phase ends here."""
        await self._closed.wait()
        self.board.begin(self.name)
        try:
            await asyncio.gather(*self._tasks)
        except BaseException:
            await self.cancel()
            raise
        self.board.finish(self.name)
        return self.values

    async def cancel(self) -> None:
        """Stop every batch still under way (the fetch failed elsewhere)."""
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _send(self, batch: list[str]) -> None:
        self.board.begin(self.name)
        with counting(self.board[self.name].tally), deferrable():
            self._tasks.append(asyncio.create_task(self._read(list(batch))))

    async def _read(self, batch: list[str]) -> None:
        values = await self.api.get_ratings(self.rating_type, batch)
        self.values.update(values)
        phase = self.board[self.name]
        phase.done += len(batch)
        self.board.tell(self.name)

    def _raise_failure(self) -> None:
        """A batch that failed stops the listing that feeds it (the sync fails anyway)."""
        for task in self._tasks:
            if task.done() and not task.cancelled():
                failure = task.exception()
                if failure is not None:
                    raise failure
