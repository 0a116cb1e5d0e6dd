"""Progress reporting: the library never prints; it calls a callback the CLI renders.

Two parts:

- ``ProgressEvent``: what a use-case tells its caller about one phase (a collection or a step):
  items done of a total (known as soon as Apple's ``meta.total`` arrives), the requests made
  for that phase, the requests it still needs at least, and whether it has finished.
- ``RequestTally``: how the API client counts requests per phase without knowing about
  phases. A use-case sets ``REQUEST_TALLY`` (a context variable, so concurrent phases in other
  asyncio tasks keep their own) before it asks for a listing; the client adds every request it
  sends — retries and throttled ones included — and the listing's page plan to the tally that
  is current in the task that sends it.

And one hint about order, set the same way: requests sent inside ``deferrable()`` are ones no
other work waits for (the sync's ratings reads); the client lets every other waiting request go
first, so chains that unlock more work (listings, folders, playlist tracks) never queue behind
them, and they fill the request slots that would otherwise stay empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """``phase`` names a collection or step (``"songs"``, ``"playlist tracks"``, ``"apply"``);
    ``done``/``total`` count items (``total`` may be unknown); ``requests`` is the running
    request count of the API client (all phases); ``phase_requests`` the requests made for
    this phase; ``remaining_requests`` the fewest requests the phase still needs (``None``:
    not known); ``finished`` says the phase is complete."""

    phase: str
    done: int
    total: int | None = None
    requests: int = 0
    message: str | None = None
    phase_requests: int | None = None
    remaining_requests: int | None = None
    finished: bool = False


ProgressCallback = Callable[[ProgressEvent], None]


def no_progress(_event: ProgressEvent) -> None:
    """The default progress callback: ignores every event."""


@dataclass(slots=True)
class RequestTally:
    """Requests of one phase, as the API client counts them.

    ``requests`` counts every request sent (retries and 429s too), ``throttled`` the 429s,
    ``retries`` the repeated attempts. For listings: ``listings`` started, ``pages_planned``
    (one for each started listing, then as many more as its first page's ``meta.total`` needs)
    and ``pages_done`` (pages fetched, whatever their outcome), and ``total``: the
    ``meta.total`` of the latest listing, known from its first page."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0
    listings: int = 0
    pages_planned: int = 0
    pages_done: int = 0
    total: int | None = None

    @property
    def pages_left(self) -> int:
        return max(0, self.pages_planned - self.pages_done)


REQUEST_TALLY: ContextVar[RequestTally | None] = ContextVar("amsync_request_tally", default=None)


def current_tally() -> RequestTally | None:
    """The tally of the phase the current task works for, if any."""
    return REQUEST_TALLY.get()


DEFERRABLE: ContextVar[bool] = ContextVar("amsync_deferrable_requests", default=False)


def requests_deferrable() -> bool:
    """Whether the current task's requests may wait for every other waiting request."""
    return DEFERRABLE.get()


@contextmanager
def deferrable() -> Iterator[None]:
    """Requests sent inside the block (and in tasks it starts) let others go first."""
    token = DEFERRABLE.set(True)
    try:
        yield
    finally:
        DEFERRABLE.reset(token)


@contextmanager
def counting(tally: RequestTally) -> Iterator[RequestTally]:
    """Count the requests sent inside the block (and in tasks it starts) into ``tally``."""
    token = REQUEST_TALLY.set(tally)
    try:
        yield tally
    finally:
        REQUEST_TALLY.reset(token)
